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

/* Feeds every packet of the capture in f (named `name` in errors) to d, through libpcap
 * (pcap and pcapng). On a damaged or truncated file the packets before the damage are kept
 * and KW_ERR_PARSE is returned with err set; an unknown link type is KW_ERR_UNSUPPORTED.
 * f is closed. */
kw_rc net_capture_read(FILE *f, const char *name, net_detector *d, net_stats *st, char *err, size_t errn);

/* The same for a classic pcap file held in memory, parsed in place without copying (libpcap's
 * reader copies every packet). KW_ERR_UNSUPPORTED when buf is not classic pcap (pcapng, say):
 * the caller then uses net_capture_read. */
kw_rc net_capture_buffer(const uint8_t *buf, size_t len, const char *name, net_detector *d, net_stats *st,
                         char *err, size_t errn);

/* Reads the file at path: classic pcap through a memory map, anything else through libpcap. */
kw_rc net_capture_file(const char *path, net_detector *d, net_stats *st, char *err, size_t errn);

/* Someone to tell before the bytes of packets already handed on are let go (a window of a
 * mapped file unmapped, libpcap's buffer reused): a pipe to another thread. `fn` waits until
 * everything handed on so far has been read; `mark` and `passed` (both or neither may be
 * NULL) let a reader go on meanwhile: `mark` names what has been handed on so far, `passed`
 * says, without waiting, whether all of that has been read. */
typedef struct net_capture_sync {
    void (*fn)(void *arg);
    uint64_t (*mark)(void *arg);
    bool (*passed)(void *arg, uint64_t mark);
    void *arg;
} net_capture_sync;

/* net_capture_file and net_capture_read telling sync (which may be NULL) first. */
kw_rc net_capture_file_sync(const char *path, net_detector *d, net_stats *st, const net_capture_sync *sync, char *err,
                            size_t errn);
kw_rc net_capture_read_sync(FILE *f, const char *name, net_detector *d, net_stats *st, const net_capture_sync *sync,
                            char *err, size_t errn);

/* The capture time of the first packet of the file at path (pcap or pcapng, through
 * libpcap); KW_ERR_PARSE when it cannot be read or holds no packet. */
kw_rc net_capture_first_ts(const char *path, int64_t *ts);

#endif
