/* The table of the modules `keepwatch serve` runs (daemon_modules.c): the one place that
 * names them. The daemon starts them in this order, by phase (what configures the store,
 * then what needs root, then the rest), and stops them in the reverse order. */
#ifndef DAEMON_MODULES_H
#define DAEMON_MODULES_H

#include <stddef.h>

#include "daemon/kw_core.h"

extern const kw_module *const daemon_modules[];
extern const size_t daemon_nmodules;

/* The daemon's own module (daemon_lead.c): which server leads the servers on one store. */
extern const kw_module lead_module;

#endif
