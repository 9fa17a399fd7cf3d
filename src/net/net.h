/* The network sensor: packet decoding and attack detectors (floods, scans, sweeps, brute
 * force). The decoder and detectors do no I/O: net_capture.c feeds them from libpcap (files
 * now, live interfaces in the daemon), tests and fuzzers feed them bytes. */
#ifndef NET_H
#define NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include "core/kw_addr.h"
#include "core/kw_buf.h"
#include "core/kw_err.h"
#include "core/kw_hash.h"

/* A view of bytes owned by someone else (a frame, a flow's buffer, a scratch buffer); n may
 * be 0. */
typedef struct net_slice {
    const uint8_t *p;
    size_t n;
} net_slice;

/* ---- decoding ---- */

/* The sensor's name for an address (core/kw_addr.h). */
typedef kw_addr net_addr;

enum { NET_TH_FIN = 0x01, NET_TH_SYN = 0x02, NET_TH_RST = 0x04, NET_TH_PSH = 0x08, NET_TH_ACK = 0x10,
       NET_TH_URG = 0x20 };

typedef struct net_pkt {
    int64_t ts_ns;        /* capture time, Unix nanoseconds */
    uint32_t wirelen;     /* bytes on the wire */
    net_addr src, dst;
    uint8_t proto;        /* 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, other IP protocols as they are */
    bool has_ports;       /* TCP/UDP header present (not a non-first fragment, not cut off) */
    uint16_t sport, dport;
    uint8_t tcp_flags;
    uint32_t tcp_seq, tcp_ack;
    uint8_t icmp_type, icmp_code;
    const uint8_t *payload;  /* the TCP or UDP payload as captured, in the frame (NULL: none) */
    uint32_t payload_len;    /* bytes of it captured (the IP length may claim more) */
    bool fragment;        /* part of a fragmented datagram */
    uint8_t nvlan;
    uint16_t vlan[2];
} net_pkt;

typedef enum {
    NET_DECODE_OK = 0,
    NET_DECODE_NOT_IP,    /* ARP, LLDP, ...: counted, not an error */
    NET_DECODE_MALFORMED, /* a length or header that lies: counted as malformed */
    NET_DECODE_LINKTYPE   /* a link type keepwatch does not decode */
} net_decode_rc;

/* Decodes one frame of the given libpcap link type (DLT_*). caplen bytes are present of
 * wirelen sent; a frame cut by the snap length still yields what its headers hold. */
/* A 64-bit hash of an address with a seed (IPv4 with one mix), for the sensor's tables. */
static inline uint64_t net_addr_hash(const net_addr *a, uint64_t seed)
{
    if (!a->v6) {
        uint32_t v;
        memcpy(&v, a->b, 4);
        return kw_mix64(v ^ seed ^ 0x9e3779b97f4a7c15ULL);
    }
    uint64_t x, y;
    memcpy(&x, a->b, 8);
    memcpy(&y, a->b + 8, 8);
    return kw_mix64(x ^ kw_mix64(y ^ seed ^ a->v6));
}

net_decode_rc net_decode(int linktype, const uint8_t *p, uint32_t caplen, uint32_t wirelen, net_pkt *out);
bool net_linktype_supported(int linktype);
/* kw_addr_str under the sensor's name, for the daemon's callers. */
static inline void net_addr_str(const net_addr *a, char *out, size_t n) { kw_addr_str(a, out, n); }

/* ---- detection ---- */

typedef struct net_thresholds {
    double flood_pps;          /* udp_flood / icmp_flood: packets per second to one host */
    double syn_half_open_pps;  /* syn_flood: SYNs that did not complete, per second, to one host */
    int64_t flood_for_s;       /* seconds above the rate before it fires */
    int64_t flood_end_s;       /* seconds below half the rate before the flood is over */
    int64_t scan_ports;        /* port_scan: unanswered ports probed on one host by one source */
    int64_t sweep_hosts;       /* host_sweep: unanswered hosts probed on one port by one source */
    int64_t scan_window_s;     /* ...within this window (slow scans) */
    int64_t brute_sessions;    /* brute_force: completed connections to one auth service */
    int64_t brute_window_s;
    int64_t brute_slow_sessions; /* slow brute_force (several passwords per session): over the longer window */
    int64_t brute_slow_window_s;
    int64_t idle_end_s;        /* a scan, sweep or brute force is over after this long quiet */
    uint16_t auth_ports[32];
    size_t n_auth_ports;
    struct {
        net_addr a;
        int bits;
    } allow[64];               /* sources never reported */
    size_t n_allow;
    /* flood thresholds for some targets: the most specific prefix wins */
    struct {
        net_addr a;
        int bits;
        double flood_pps, syn_half_open_pps; /* NAN: the defaults above */
    } overrides[128];
    size_t n_overrides;
    /* watched targets (assets and groups): traffic accounted, spikes detected */
    struct {
        char name[64];
        net_addr a[16];
        int bits[16];
        size_t n;
        double pps_ceiling, bps_ceiling;     /* NAN: none */
    } targets[64];
    size_t n_targets;
    double spike_factor, spike_min_pps;
    int64_t spike_for_s, spike_learn_s;
    bool talkers;              /* keep the top talkers (the console reads them; net analyze does not) */
} net_thresholds;

struct conf;
void net_thresholds_default(net_thresholds *t);
/* The name of a UDP service abused for reflection that listens on port ("NTP"), or NULL. */
const char *net_reflector_name(uint16_t port);
/* The net: section of the configuration (it has been validated). */
void net_thresholds_from_conf(const struct conf *c, net_thresholds *t);

/* What a detection read in protocol contents (net_inspect): the rule, and the evidence. */
typedef struct net_content {
    uint32_t sid;                    /* the signature's id, 0 for keepwatch's own detectors */
    char rule[160];                  /* the signature's msg, the list's name, the detector's */
    char category[32];               /* sqli, xss, ..., scanner, dns_tunnel, ftp, ... */
    char app[16];                    /* http, dns, tls, ssh, smb, rdp, ftp, pop3, imap, telnet, tcp */
    char evidence[1024];             /* the request (line and headers), the names, the command */
    char domain[256];                /* a DNS name, an SNI or a Host the detection is about */
    char ja3[33], ja4[40];           /* TLS: the client's fingerprints */
    uint64_t hits;                   /* requests, queries or packets that matched */
} net_content;

typedef struct net_detection {
    const char *action;        /* syn_flood, synack_flood, ack_flood, rst_flood, udp_flood, icmp_flood,
                                  traffic_spike, port_scan, host_sweep, brute_force; from contents
                                  (net_inspect.h): web_attack, signature_match, dns_tunnel,
                                  dga_domain, cleartext_credentials, intel_match */
    const char *technique;     /* MITRE ATT&CK id */
    const char *technique_name;
    bool has_src, has_dst, has_dport, has_sport;
    net_addr src, dst;
    uint16_t dport, sport;     /* sport: the reflecting port of an amplification flood */
    const char *reflection;    /* the reflected service of such a flood ("NTP", "DNS", ...), or NULL */
    uint8_t proto;
    int64_t start_ns, fire_ns, end_ns;
    uint64_t packets, bytes;
    double peak_pps, peak_bps;
    uint64_t ports, hosts, sessions; /* scans, sweeps, brute force */
    uint64_t distinct_sources;       /* floods: estimate */
    char top_prefixes[8][96];        /* floods: busiest source prefixes "203.0.113.0/24 1234" */
    int ntop;
    int severity;
    char target[64];                 /* traffic_spike: the asset or group */
    double baseline_pps;             /* traffic_spike: what was normal */
    const net_content *content;      /* protocol-content detections; NULL for the others */
} net_detection;

/* Traffic to one watched target (an asset or a group). */
typedef struct net_target_stats {
    const char *name;
    uint64_t packets, bytes;         /* since start */
    double pps, bps;                 /* the last whole second */
    double baseline_pps;             /* learned; 0 until it has learned */
} net_target_stats;

/* A heavy sender or receiver over the last complete talkers window. */
#define NET_TALK_WINDOW_S 10
typedef struct net_talker {
    net_addr addr;
    uint64_t bytes, packets;         /* estimates: at most the window's bytes of lighter talkers over */
} net_talker;

typedef struct net_detector net_detector;
/* An attack fires once, floods are updated every 5 s while they last, and every attack ends
 * once (when it is over, or at net_detector_finish). */
typedef enum { NET_DET_FIRE, NET_DET_UPDATE, NET_DET_END } net_phase;
typedef void (*net_emit_fn)(void *arg, net_phase phase, const net_detection *d);

net_detector *net_detector_new(const net_thresholds *t, net_emit_fn emit, void *arg);
void net_detector_free(net_detector *d);
void net_detector_packet(net_detector *d, const net_pkt *p);
/* Fills out[] with the watched targets' traffic; returns how many there are. */
size_t net_detector_targets(const net_detector *d, net_target_stats *out, size_t max);
/* Fills out[] with the heaviest sources (dst false) or destinations by bytes over the last
 * complete NET_TALK_WINDOW_S seconds, heaviest first (a set-associative space-saving sketch
 * of 1,024 counters each: a talker is counted exactly unless four heavier ones share its
 * set, so the top few of thousands are exact). Returns how many. */
size_t net_detector_talkers(const net_detector *d, bool dst, net_talker *out, size_t max);
/* What reads the packets after the detectors: an inspector of protocol contents
 * (net_inspect_stage), or a pipe to one on another thread (net_pipe_stage). */
typedef struct net_stage {
    bool (*wants)(void *arg, const net_pkt *p);   /* NULL: every packet */
    void (*packet)(void *arg, const net_pkt *p);
    void (*tick)(void *arg, int64_t now_ns);
    void (*finish)(void *arg);
    void *arg;
} net_stage;
/* Hands every packet the detectors take (allowed sources left out), every tick and the
 * finish on to s (copied; what s->arg names must outlive d); NULL: none. */
void net_detector_set_next(net_detector *d, const net_stage *s);
/* Lets time pass without packets (live capture on a quiet link), so attacks can end. */
void net_detector_tick(net_detector *d, int64_t now_ns);
/* Ends every attack still under way (end of input). */
void net_detector_finish(net_detector *d);

/* The detection as one ECS document (event.kind: alert). */
void net_detection_ecs(const net_detection *d, kw_buf *out);
/* One line for people, without a timestamp or newline. */
void net_detection_text(const net_detection *d, kw_buf *out);

#endif
