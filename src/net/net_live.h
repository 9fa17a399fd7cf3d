/* Live capture on one interface (libpcap, which uses a TPACKET_V3 memory-mapped ring on
 * Linux) into its own detector, on its own thread. */
#ifndef NET_LIVE_H
#define NET_LIVE_H

#include <stdatomic.h>
#include <stdint.h>

#include "net/net.h"
#include "net/net_inspect.h"
#include "http/http.h"

typedef struct net_live net_live;

typedef struct net_live_stats {
    uint64_t packets, bytes, ip, not_ip, malformed;
    uint64_t kernel_received, kernel_dropped, if_dropped; /* pcap_stats */
    const net_target_stats *targets;  /* traffic to each watched asset and group */
    size_t ntargets;
    const net_talker *talkers[2];     /* the heaviest [0] sources, [1] destinations */
    size_t ntalkers[2];
    const net_inspect_stats *inspect; /* protocol contents, NULL when not read */
} net_live_stats;

typedef struct net_live_opts {
    const char *interface;
    const char *bpf;          /* NULL: everything */
    int snaplen;
    uint64_t buffer;
    net_thresholds thresholds;
    bool inspect;             /* read protocol contents too, with the options below */
    net_inspect_opts inspect_opts; /* its signatures and lists outlive the capture */
    net_emit_fn emit;         /* called on the capture thread */
    void *emit_arg;
    /* called about once a second on the capture thread */
    void (*stats)(void *arg, const char *interface, const net_live_stats *st);
    void *stats_arg;
} net_live_opts;

/* Opens the interface and starts its thread; NULL with err set when it cannot be opened. */
net_live *net_live_start(const net_live_opts *o, char *err, size_t errn);
/* Stops the thread (within ~100 ms) and frees everything. Attacks under way are not ended:
 * their alerts stay open for the next detector to report again (alert_engine_hold). */
void net_live_stop(net_live *l);
/* The same, ending every attack under way first (their END through emit, on the caller's
 * thread): for a capture nothing will reopen, a drill's. */
void net_live_finish(net_live *l);

/* net_module.c: the daemon's module, the captures of net.interfaces. */
struct kw_module;
/* Its routes: GET /api/v1/net (net_api.c). */
extern const http_route net_routes[];
extern const struct kw_module net_module;

#endif
