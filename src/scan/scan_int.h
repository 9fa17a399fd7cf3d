/* What the scanner's files share inside src/scan (not for other subsystems). */
#ifndef KW_SCAN_INT_H
#define KW_SCAN_INT_H

#include "scan/scan.h"

/* One scanner over the ports list[n] (the caller's; it is not freed) of every host of t, on the
 * calling thread; stop (may be NULL) set non-zero ends it with KW_ERR_CANCELLED. Errors as
 * scan_net_tcp's. */
kw_rc scan_net_one(const scan_targets *t, uint16_t *list, size_t n, const scan_opts *o, volatile int *stop);

/* Orders scan_port_result by port (qsort). */
int scan_port_cmp(const void *a, const void *b);

#endif
