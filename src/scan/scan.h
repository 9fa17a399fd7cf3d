/* The network scanner's public face (`keepwatch scan net`): target and port lists and the scope
 * they must stay in (scan_target.c, pure), the TCP connect scan under epoll (scan_net.c), the
 * UDP service probes and their answers' parsers (scan_udp.c; the parsers are pure), the
 * usual-service table and the default port list (scan_ports.c).
 *
 * A scan never sends a packet to an address that is not in its host list, and the host list is
 * checked against the scope (scan.allowed) before the first packet: scan_targets_in_scope. */
#ifndef KW_SCAN_H
#define KW_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/kw_addr.h"
#include "core/kw_err.h"
#include "findings/finding.h"
#include "scan/scan_ident.h"

/* ---- targets (scan_target.c) ---- */

#define SCAN_NAME_LEN 254           /* a host name as given, NUL included */
#define SCAN_HOSTS_MAX (1u << 20)   /* hosts in one scan, whatever the flags */
#define SCAN_CIDR_MIN_V4 16         /* a wider prefix or range needs SCAN_T_LARGE ... */
#define SCAN_CIDR_MIN_V6 112        /* ... (65,536 addresses either way) */

typedef struct scan_host {
    kw_addr addr;
    char *name;                     /* the host name it was resolved from; NULL for an address */
} scan_host;

typedef struct scan_targets {
    scan_host *v;
    size_t n, cap;
} scan_targets;

/* Resolves a host name to its first address (getaddrinfo's order); KW_ERR_NOTFOUND when it has
 * none. The parser calls it once per name; tests and fuzzers pass their own. */
typedef kw_rc (*scan_resolve_fn)(const char *name, kw_addr *out, void *arg);

/* getaddrinfo(name, AF_UNSPEC), the first address. arg is unused. */
kw_rc scan_resolve_system(const char *name, kw_addr *out, void *arg);

typedef struct scan_target_opts {
    bool large;                     /* allow prefixes and ranges wider than /16 (v4), /112 (v6) */
    scan_resolve_fn resolve;        /* NULL: host names are refused */
    void *resolve_arg;
} scan_target_opts;

/* Appends the hosts one target spec stands for: an IPv4 or IPv6 address, a prefix
 * ("10.0.0.0/24"), a range ("10.0.0.1-20", "10.0.0.1-10.0.1.5", "fd00::1-fd00::ff") or a host
 * name. On error nothing is appended and err (of errn bytes) says why: KW_ERR_PARSE (not a
 * target), KW_ERR_RANGE (too wide without opts->large, or SCAN_HOSTS_MAX), KW_ERR_NOTFOUND (a
 * name that does not resolve). Names are copied: t owns them. */
kw_rc scan_targets_add(scan_targets *t, const char *spec, const scan_target_opts *opts, char *err, size_t errn);
/* Sorts the hosts by address and drops repeated ones (keeping a name when one of them has one). */
void scan_targets_uniq(scan_targets *t);
/* Address spans [lo, hi] of one family: exclusions, which are never expanded (excluding
 * 10.0.0.0/8 costs one span). */
typedef struct scan_span {
    kw_addr lo, hi;
} scan_span;
typedef struct scan_spans {
    scan_span *v;
    size_t n, cap;
} scan_spans;

/* Appends the span a target spec stands for (the grammar of scan_targets_add, no width limit;
 * a host name is resolved through opts). Errors as scan_targets_add's. */
kw_rc scan_spans_add(scan_spans *s, const char *spec, const scan_target_opts *opts, char *err, size_t errn);
void scan_spans_free(scan_spans *s);
bool scan_spans_has(const scan_spans *s, const kw_addr *a);
/* Removes the hosts that ex holds; returns how many it removed. */
size_t scan_targets_exclude(scan_targets *t, const scan_spans *ex);
/* Frees what t holds (t itself is the caller's). */
void scan_targets_free(scan_targets *t);

/* The allowed prefixes: `allowed` (strings "prefix" or "address"), or when it is empty the
 * built-in scope (loopback, RFC 1918, IPv6 ULA). */
typedef struct scan_scope {
    kw_addr *pfx;
    int *bits;
    size_t n;
} scan_scope;

/* Builds the scope from n prefix strings (n 0: the built-in one); KW_ERR_PARSE with err set
 * on a string that is not a prefix. The caller frees with scan_scope_free. */
kw_rc scan_scope_init(scan_scope *s, char *const *allowed, size_t n, char *err, size_t errn);
void scan_scope_free(scan_scope *s);
bool scan_scope_has(const scan_scope *s, const kw_addr *a);
/* KW_OK when every host of t lies in the scope, else KW_ERR_RANGE and err names the first one
 * outside it (and *outside how many are). Multicast and unspecified addresses never are. */
kw_rc scan_targets_in_scope(const scan_targets *t, const scan_scope *s, size_t *outside, char *err, size_t errn);

/* ---- ports (scan_target.c; the tables in scan_ports.c) ---- */

typedef struct scan_ports {
    uint8_t tcp[8192], udp[8192];   /* bit p: port p is in the list */
    size_t ntcp, nudp;
} scan_ports;

static inline bool scan_port_has(const uint8_t *bits, unsigned p)
{
    return (bits[p >> 3] >> (p & 7)) & 1;
}

/* Adds a port list: "22,80,443,1000-2000", "U:53,T:80" (U: and T: switch the protocol of what
 * follows; the list starts in TCP), "-" or "1-65535" (every port), "-1024" and "60000-" (open
 * ends). KW_ERR_PARSE with err set on anything else (port 0, a port over 65535, a reversed
 * range, an empty item). */
kw_rc scan_ports_parse(scan_ports *p, const char *spec, char *err, size_t errn);
/* Adds n ports of v (zeros skipped) to one protocol's list. */
void scan_ports_add_list(scan_ports *p, bool udp, const uint16_t *v, size_t n);
/* Adds the default TCP list (scan_ports.c: the system ports 1-1024 and the common service ports
 * above them). */
void scan_ports_default_tcp(scan_ports *p);
/* Adds the UDP ports there is a probe for (DNS, NTP, NetBIOS, SNMP, SSDP, memcached). */
void scan_ports_default_udp(scan_ports *p);
#define SCAN_PORT_LIST 65536
/* The ports of one protocol in increasing order into out (of SCAN_PORT_LIST entries at most);
 * returns how many. */
size_t scan_ports_list(const uint8_t *bits, uint16_t *out);

/* The usual service name on a port ("ssh" for 22/tcp), or NULL when the table has none. */
const char *scan_port_service(unsigned port, bool udp);

/* ---- the TCP connect scan (scan_net.c) ---- */

typedef enum scan_state {
    SCAN_OPEN = 0,
    SCAN_CLOSED,
    SCAN_FILTERED,         /* no answer after the retry, or an ICMP unreachable */
    SCAN_OPEN_FILTERED,    /* UDP: no answer and no port unreachable */
} scan_state;

/* "open", "closed", "filtered", "open|filtered". */
const char *scan_state_name(scan_state s);

/* Identifies an open port's service into *out (filled beforehand with the usual-service name);
 * name is the host name the target was given as (for TLS SNI and certificate checks), NULL for
 * an address. Called on the identification threads, several at once: it must be thread-safe.
 * Its return is kept as the port's ident_rc. */
typedef kw_rc (*scan_ident_fn)(const struct sockaddr *sa, socklen_t len, const char *name, scan_service *out,
                               void *arg);

typedef struct scan_port_result {
    uint16_t port;
    bool udp;
    scan_state state;
    scan_service svc;      /* name from the table, or what identification said */
    kw_rc ident_rc;        /* KW_OK also when no identification ran */
} scan_port_result;

/* One host's results, handed to scan_opts.on_host once every port of it is settled (and every
 * open port identified). Only open ports and the first SCAN_FILTERED_KEEP filtered ones are
 * listed; the counts hold them all. Valid for the call only. */
#define SCAN_FILTERED_KEEP 32
typedef struct scan_host_result {
    const scan_host *host;
    const scan_port_result *ports;
    size_t nports;
    size_t open, closed, filtered;
    int64_t srtt_us;       /* the smoothed round-trip time measured (0: no sample) */
} scan_host_result;

typedef struct scan_progress {
    uint64_t done, total;  /* probes settled, probes to make (retries not counted) */
    uint64_t open;
    size_t hosts_done, hosts;
} scan_progress;

typedef struct scan_opts {
    int64_t timeout_ms;        /* first probe's wait and the ceiling of the adaptive one; 0: 1000 */
    int64_t min_timeout_ms;    /* the adaptive wait's floor; 0: 100 */
    int retries;               /* for unanswered probes; < 0: 0; default (0 given) is the caller's */
    uint64_t rate;             /* connection attempts per second, all hosts; 0: no bound */
    uint64_t host_rate;        /* per host; 0: no bound */
    size_t max_inflight;       /* 0: the open-file limit allows (soft raised to hard), <= 16384 */
    size_t host_inflight;      /* probes in flight to one host; 0: 2048 (a filtered host is not flooded) */
    size_t host_group;         /* hosts scanned at once; 0: 64 */
    int ident_threads;         /* 0: 8 */
    int workers;               /* scanning threads, each on every W-th port; 0: one per CPU (at most
                                  4) when there are 8192 probes or more */
    scan_ident_fn ident;       /* NULL: the usual-service name only */
    void *ident_arg;
    /* Called on the scanning thread; an error stops the scan and is returned. */
    kw_rc (*on_host)(void *arg, const scan_host_result *r);
    void *on_host_arg;
    /* Called about every 200 ms on the scanning thread, and once at the end (may be NULL). */
    void (*on_progress)(void *arg, const scan_progress *p);
    void *on_progress_arg;
    volatile int *cancel;      /* non-zero: stop (KW_ERR_CANCELLED); may be NULL */
} scan_opts;

/* Connect-scans the TCP ports of `ports` on every host of t (which the caller checked against
 * the scope). KW_OK when it ran to the end; KW_ERR_IO when epoll or the limits could not be set
 * up; an on_host error is returned as it is. */
kw_rc scan_net_tcp(const scan_targets *t, const scan_ports *ports, const scan_opts *o);

/* ---- UDP probes (scan_udp.c) ---- */

typedef enum scan_udp_kind {
    SCAN_UDP_NONE = 0,     /* no probe for the port: an empty datagram */
    SCAN_UDP_DNS,          /* version.bind CH TXT */
    SCAN_UDP_NTP,          /* a mode 3 client request */
    SCAN_UDP_NETBIOS,      /* an NBSTAT query for "*" */
    SCAN_UDP_SNMP,         /* v2c get sysDescr.0 with "public" */
    SCAN_UDP_SSDP,         /* M-SEARCH ssdp:all */
    SCAN_UDP_MEMCACHED,    /* "stats" in a UDP frame */
    SCAN_UDP_KINDS
} scan_udp_kind;

#define SCAN_UDP_PROBE_MAX 128

/* The probe usually sent to a UDP port (SCAN_UDP_NONE when there is none). */
scan_udp_kind scan_udp_kind_of_port(unsigned port);
/* The protocol's name ("dns", ...; "" for NONE). */
const char *scan_udp_kind_name(scan_udp_kind k);
/* Writes the probe of kind k into out (SCAN_UDP_PROBE_MAX bytes) with the transaction id
 * `id` where the protocol has one; returns its length (0 for NONE). */
size_t scan_udp_probe(scan_udp_kind k, uint32_t id, uint8_t *out);

typedef struct scan_udp_answer {
    char name[SCAN_NAME_MAX];      /* the service named */
    char product[SCAN_PRODUCT_MAX];
    char version[SCAN_VERSION_MAX];
    char info[SCAN_INFO_MAX];      /* what else the answer says (NTP stratum, NetBIOS names, ...) */
    bool amplifier;                /* the service is a known reflection/amplification vector */
} scan_udp_answer;

/* Parses an answer p[n] to the probe of kind k sent with id: KW_OK with *out filled when it is
 * that protocol's answer to that probe, else KW_ERR_PARSE. Pure; p is hostile. */
kw_rc scan_udp_parse(scan_udp_kind k, uint32_t id, const uint8_t *p, size_t n, scan_udp_answer *out);

/* The finding an answered UDP probe proves (exposed_service: a reflection vector, SNMP with
 * "public"), filled into *f with strings pointing into ans, host and the static tables;
 * false when the answer proves none. evidence (of evn bytes) receives the proof text. */
bool scan_udp_finding(scan_udp_kind k, const scan_udp_answer *ans, size_t probe_len, size_t answer_len,
                      const char *host, const char *ip, unsigned port, char *evidence, size_t evn, finding *f);

/* Probes the UDP ports of `ports` on every host of t (the scope checked by the caller): each
 * answer is parsed and the host's results go to o->on_host (open, closed on a port unreachable,
 * open|filtered when nothing came back after the retry); answers that prove a finding go to
 * sink (may be NULL). Rate and timeout from o (identification is not used). KW_ERR_RANGE
 * when ports holds more than SCAN_UDP_BATCH UDP ports. */
#define SCAN_UDP_BATCH 512
kw_rc scan_net_udp(const scan_targets *t, const scan_ports *ports, const scan_opts *o, const finding_sink *sink);

/* ---- helpers shared by the scanners (scan_net.c) ---- */

/* The socket address of a and port into ss; returns its length. */
socklen_t scan_sockaddr(const kw_addr *a, unsigned port, struct sockaddr_storage *ss);

/* Raises the soft open-file limit to the hard one; returns the soft limit now. */
size_t scan_raise_nofile(void);

/* A token bucket: rate tokens per second, bursts of at most burst (rate 0: no bound). */
typedef struct scan_bucket {
    double tokens, burst, rate;
    int64_t last_us;
} scan_bucket;
void scan_bucket_init(scan_bucket *b, uint64_t rate, int64_t now_us);
/* Takes a token if there is one. */
bool scan_bucket_take(scan_bucket *b, int64_t now_us);
/* Microseconds until a token is there (0: now). */
int64_t scan_bucket_wait_us(const scan_bucket *b, int64_t now_us);

/* Monotonic microseconds. */
int64_t scan_now_us(void);

/* The scan module (scan_module.c): scheduled network scans on the leading server. */
struct kw_module;
extern const struct kw_module scan_module;

#endif
