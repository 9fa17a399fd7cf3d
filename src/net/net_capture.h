/* Reading captures with libpcap (pcap and pcapng, micro- and nanosecond timestamps) into the
 * decoder and detectors. */
#ifndef NET_CAPTURE_H
#define NET_CAPTURE_H

#include <stdint.h>
#include <stdio.h>

#include "net/net.h"

typedef struct net_stats {
    uint64_t packets, bytes, ip, not_ip, malformed;
    int64_t first_ns, last_ns;
} net_stats;

/* Feeds every packet of the capture in f (named `name` in errors) to d. On a damaged or
 * truncated file the packets before the damage are kept and KW_ERR_PARSE is returned with
 * err set; an unknown link type is KW_ERR_UNSUPPORTED. f is closed. */
kw_rc net_capture_read(FILE *f, const char *name, net_detector *d, net_stats *st, char *err, size_t errn);

#endif
