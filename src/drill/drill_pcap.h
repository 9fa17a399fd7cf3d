/* The drill's captures (drill_pcap.c): the built-in ones generated for a replay (a SYN flood,
 * a UDP reflection flood, a port scan, an SSH brute force, each aimed at the injection's
 * target), deterministic and written through libpcap with no other I/O; and the attacking
 * addresses of a capture given as a path (its sources, read from its first packets), which
 * is read from outside and so is bounded and fuzzed. */
#ifndef KW_DRILL_PCAP_H
#define KW_DRILL_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kw_err.h"
#include "drill/drill_inject.h"

/* What a built-in capture is, for the plan's words and the generator's defaults. */
typedef struct drill_pcap_info {
    const char *name;           /* syn_flood, udp_reflection, port_scan, brute_force */
    const char *en, *zh;        /* what it holds, in words */
    double pps;                 /* its packets per second when the injection gives none */
    const char *action;         /* the net detection it must raise */
} drill_pcap_info;

/* The built-in capture called name, or NULL (a static table). */
const drill_pcap_info *drill_pcap_builtin(const char *name);

/* Writes the built-in capture name aimed at target (IPv4 text; NULL: 192.0.2.10) to path:
 * pps packets a second (0: its own default) for dur_ms (0: 10 s), in capture time from a
 * fixed start, Ethernet frames. seen gets its attacking addresses (single sources as they
 * are, many spoofed ones as their prefixes "203.0.113.0/24"), appended after what it holds;
 * *packets (may be NULL) how many were written. KW_ERR_NOTFOUND: no such capture;
 * KW_ERR_PARSE: target is not an IPv4 address; KW_ERR_IO: path could not be written. */
kw_rc drill_pcap_generate(const char *name, const char *target, double pps, int64_t dur_ms, const char *path,
                          drill_seen *seen, uint64_t *packets, char *err, size_t n);

/* The distinct source addresses of the first 10,000 packets of the capture at path (pcap or
 * pcapng, any link type keepwatch decodes), appended to seen until it is full. KW_ERR_PARSE
 * (err set) when it cannot be read; the sources read before damage are kept. */
kw_rc drill_pcap_seen_file(const char *path, drill_seen *seen, char *err, size_t n);
/* The same for a capture held in memory (what the fuzzer feeds). */
kw_rc drill_pcap_seen_buffer(const uint8_t *p, size_t len, drill_seen *seen, char *err, size_t n);

/* Appends v to seen unless it is there or seen is full; true when it is in seen after. */
bool drill_seen_add(drill_seen *seen, const char *v);

#endif
