/* Attack detectors over decoded packets, in capture time.
 *
 * Every table is fixed in size, so a flood from a million spoofed sources costs the same
 * memory as one from a single host:
 *   pending   SYNs waiting for the client's ACK (a completed handshake): a 32-bit fingerprint
 *             of the 4-tuple per slot, 256 KiB, so the lookup every ACK makes stays in cache
 *   strays    ACKs of no connection keepwatch knows, waiting for a reply or a repeat that
 *             shows a real connection (one seen before keepwatch started, or idle for long)
 *   udp       UDP 4-tuples seen recently, so a reply is known as one
 *   floods    per target host and protocol: the current second's counters, a HyperLogLog
 *             of sources, the busiest source prefixes and ports
 *   deferred  a ring of the probes of the last second or so: a SYN, a stray ACK, a UDP
 *             datagram or an echo request is a probe only if, a second later, its table
 *             above says nothing answered it; so a session that completes costs the scan
 *             tables nothing
 *   pairs     per (source, target host): the ports probed without answer
 *   sweeps    per (source, port, protocol): the hosts probed without answer
 *   seen      the members (ports, hosts) of every pair and sweep: 4 MiB of fingerprints, so a
 *             retransmitted probe counts once however many ports a scan covers
 *   brutes    per (source, target, auth port): completed connections in two sliding windows
 * Scans and sweeps count probes that did not become a session: a TCP SYN whose handshake the
 * prober never completed (nmap's SYN scan resets after the SYN-ACK; closed ports reset at
 * once), an ACK that no reply showed to be a connection (nmap -PA, -sA), a UDP datagram or
 * an echo request that got no reply. A packet that answers an earlier one is never a probe.
 * A monitoring system that connects to twenty open ports, or a proxy reaching many web
 * servers, completes its sessions and is not scanning. (A connect scan of open ports
 * completes them too: it is caught only where ports are closed.) SYN floods count SYNs that
 * did not complete a handshake, so a busy web server is not a flood; and a flood needs many
 * sources or one port hammered: one source probing many ports is a scan, whatever its rate. */
#include "net/net.h"
#include "core/kw_hash.h"
#include "core/kw_mem.h"

#include <arpa/inet.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS 1000000000LL
#define WAYS 8                    /* tags per bucket of the tuple tables: one cache line */
#define PENDING_BUCKETS (1u << 13)
#define STRAY_BUCKETS (1u << 13)
#define UDP_BUCKETS (1u << 14)
#define EST_BITS (1u << 20)       /* per established-connection filter: 128 KiB */
#define EST_ROTATE_S 300          /* the older filter is dropped every five minutes */
#define FLOOD_SLOTS 1024u
#define PAIR_SLOTS (1u << 14)
#define SWEEP_SLOTS (1u << 12)
#define BRUTE_SLOTS (1u << 12)
#define SEEN_BUCKETS (1u << 17)   /* of 8 fingerprints: 4 MiB */
#define DEFER_SLOTS (1u << 16)    /* probes awaiting an answer: 3 MiB */
#define ANSWER_NS NS              /* what has not answered a probe within a second never will */
#define PROBE_LIMIT 16            /* linear probes before evicting */
#define HLL_P 8
#define PROTO_RST 0xf1            /* flood table keys for RST, ACK and SYN-ACK floods */
#define PROTO_ACK 0xf2
#define PROTO_SYNACK 0xf3
#define TOPK 8
#define BRUTE_BUCKETS 7          /* 6 x 10 s, plus the one the window starts in */
#define SLOW_BUCKETS 11
#define FLOOD_SOURCES 8           /* a flood of one port from fewer sources must hammer one port */
#define PARTIAL_MIN_PKTS 100      /* a flood cut short by the end of a capture: at least this many */
#define SKETCH_ALL 1024           /* a second's first packets all feed a flood's sketches; then one in SKETCH_EVERY */
#define SKETCH_EVERY 8

/* ---- hashing and sketches ---- */


static bool addr_eq(const net_addr *a, const net_addr *b)
{
    if (a->v6 != b->v6)
        return false;
    uint64_t x[2], y[2];
    memcpy(x, a->b, 16);
    memcpy(y, b->b, 16);
    return a->v6 ? (x[0] == y[0] && x[1] == y[1]) : (uint32_t)x[0] == (uint32_t)y[0];
}

static void hll_add(uint8_t *reg, uint64_t h)
{
    unsigned idx = (unsigned)(h >> (64 - HLL_P));
    uint64_t rest = h << HLL_P;
    uint8_t rank = rest ? (uint8_t)(__builtin_clzll(rest) + 1) : (uint8_t)(64 - HLL_P + 1);
    if (rank > reg[idx])
        reg[idx] = rank;
}

/* 2^-k for the register values a 64-bit hash can give */
static const double pow2_neg[] = {
    0x1p-0,  0x1p-1,  0x1p-2,  0x1p-3,  0x1p-4,  0x1p-5,  0x1p-6,  0x1p-7,  0x1p-8,  0x1p-9,  0x1p-10,
    0x1p-11, 0x1p-12, 0x1p-13, 0x1p-14, 0x1p-15, 0x1p-16, 0x1p-17, 0x1p-18, 0x1p-19, 0x1p-20, 0x1p-21,
    0x1p-22, 0x1p-23, 0x1p-24, 0x1p-25, 0x1p-26, 0x1p-27, 0x1p-28, 0x1p-29, 0x1p-30, 0x1p-31, 0x1p-32,
    0x1p-33, 0x1p-34, 0x1p-35, 0x1p-36, 0x1p-37, 0x1p-38, 0x1p-39, 0x1p-40, 0x1p-41, 0x1p-42, 0x1p-43,
    0x1p-44, 0x1p-45, 0x1p-46, 0x1p-47, 0x1p-48, 0x1p-49, 0x1p-50, 0x1p-51, 0x1p-52, 0x1p-53, 0x1p-54,
    0x1p-55, 0x1p-56, 0x1p-57, 0x1p-58,
};

_Static_assert(sizeof pow2_neg / sizeof pow2_neg[0] > 64 - HLL_P + 1, "a rank for every register value");

static uint64_t hll_estimate(const uint8_t *reg)
{
    const double m = 1 << HLL_P;
    double sum = 0;
    int zeros = 0;
    for (int i = 0; i < (1 << HLL_P); i++) {
        sum += pow2_neg[reg[i]];
        zeros += reg[i] == 0;
    }
    double e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
    if (e <= 2.5 * m && zeros)
        e = m * log(m / zeros); /* linear counting for small sets */
    return (uint64_t)(e + 0.5);
}

/* Space-saving top-k (Metwally et al.): the k heaviest keys in bounded memory. n[i] may
 * overcount key[i] by at most err[i]; n[i] - err[i] is guaranteed. Returns the key's slot. */
typedef struct {
    uint64_t key[TOPK];
    uint64_t n[TOPK];
    uint64_t err[TOPK];
} topk;

static int topk_add(topk *t, uint64_t key, uint64_t w)
{
    int min = 0;
    for (int i = 0; i < TOPK; i++) {
        if (t->n[i] && t->key[i] == key) {
            t->n[i] += w;
            return i;
        }
        if (t->n[i] < t->n[min])
            min = i;
    }
    t->key[min] = key;
    t->err[min] = t->n[min];
    t->n[min] += w;
    return min;
}

/* The slot of the heaviest key (its guaranteed count), or -1 when empty. */
static int topk_best(const topk *t)
{
    int best = -1;
    for (int i = 0; i < TOPK; i++)
        if (t->n[i] && (best < 0 || t->n[i] > t->n[best]))
            best = i;
    return best;
}

static uint64_t topk_total(const topk *t)
{
    uint64_t n = 0;
    for (int i = 0; i < TOPK; i++)
        n += t->n[i];
    return n;
}

/* Weighted space-saving for the talkers, bytes per address, set-associative: an address
 * hashes to one set of TALK_WAYS counters (one cache line), and a new address takes over
 * the set's lightest counter, inheriting its count as possible error. A heavy talker is
 * counted exactly unless TALK_WAYS heavier ones share its set; a packet costs one cache
 * line, whatever the number of addresses. */
#define TALK_SETS 256
#define TALK_WAYS 4
typedef struct {
    struct {
        uint64_t h[TALK_WAYS];   /* the address's hash (odd), 0: free */
        uint64_t bytes[TALK_WAYS];
    } set[TALK_SETS];
    uint64_t pkts[TALK_SETS * TALK_WAYS];
    net_addr a[TALK_SETS * TALK_WAYS];
} talkers;

static void talkers_add(talkers *t, const net_addr *a, uint64_t h, uint64_t bytes)
{
    unsigned s = (unsigned)(h >> 40) & (TALK_SETS - 1);
    __typeof__(t->set[0]) *set = &t->set[s];
    unsigned min = 0;
    for (unsigned i = 0; i < TALK_WAYS; i++) {
        if (set->h[i] == h) {
            set->bytes[i] += bytes;
            t->pkts[s * TALK_WAYS + i]++;
            return;
        }
        if (set->bytes[i] < set->bytes[min])
            min = i;
    }
    set->h[min] = h;
    set->bytes[min] += bytes;
    t->pkts[s * TALK_WAYS + min]++;
    t->a[s * TALK_WAYS + min] = *a;
}

/* ---- tables ---- */

typedef struct {
    bool active;                /* in use: its slot's flood_keys entry is not 0 */
    net_addr dst;
    uint8_t proto;              /* 6: SYN flood, 17: UDP, 1/58: ICMP, PROTO_*: RST, ACK, SYN-ACK */
    uint64_t pkts, bytes, syns, completions; /* this second (ACK floods: strays, and those resolved) */
    int64_t sec_first_ns;       /* the first packet of this second */
    int64_t last_pkt_ns;
    uint8_t hll[1 << HLL_P];
    topk ports, sports, prefixes, sources;
    net_addr source_addr[TOPK]; /* the address of each sources counter */
    double limit;               /* the rate that makes it hot, for this target */
    uint64_t total_pkts;        /* since the first hot second */
    uint64_t prefix_total;      /* packets counted into the sketches */
    /* the seconds above the rate before it fires, so the detection covers them too */
    uint64_t run_count, run_bytes;
    double run_peak_pps, run_peak_bps;
    int64_t run_first_ns;       /* the first packet of the first hot second */
    int64_t flooding_until;     /* the end of the last second at half the rate or more */
    int hot, cool;
    bool fired_now;
    int64_t hot_since;
    net_detection det;
} flood_entry;

typedef struct probe_entry {
    bool fired;                 /* (whether a slot is in use is its tag's business) */
    net_addr a, b;              /* pairs: source, target; sweeps: source, - ; brutes: source, target */
    uint16_t port;
    uint8_t proto;
    int64_t first_ns, last_ns;
    uint32_t n;                 /* pairs and sweeps: members probed without answer */
    uint32_t answered;          /* UDP sweeps of a high port: probes that were answered */
    uint64_t probes;
    uint64_t uid;               /* names this entry's members in the seen table */
    uint8_t probe_proto;        /* pairs: the protocol of the last probe */
    int64_t fire_ns;            /* when it fired (fired set) */
    uint8_t kind;               /* 0 port_scan, 1 host_sweep, 2 brute_force */
    /* one alert per scanning source: the first of its pairs and sweeps to fire represents it,
     * the later ones are folded into it (scanners: the source's campaign entry) */
    struct {
        struct probe_entry *rep;
        struct probe_table *rep_t;
        uint64_t rep_uid;
        uint32_t targets, ports;  /* rep: other targets (pairs) and ports (sweeps) folded in */
        bool absorbed;
        uint16_t sport;         /* UDP sweeps: the source port of the last probe */
    } fold;
    /* brutes: completed sessions in two sliding windows of buckets, cleared when claimed */
    struct {
        uint32_t bucket[BRUTE_BUCKETS], slow[SLOW_BUCKETS];
        int64_t bucket_start[BRUTE_BUCKETS], slow_start[SLOW_BUCKETS];
        uint64_t sessions;
        bool slow_fired;
    } brute;
} probe_entry;

/* A probe table: tags (the key's hash, 0 when empty) and last-seen times are searched first,
 * in two cache lines per lookup; the entries are touched only on a tag match. */
typedef struct probe_table {
    uint64_t *tag;
    int64_t *last;              /* last_ns, or INT64_MAX for entries that fired (not evicted) */
    probe_entry *e;
    unsigned slots;
    uint64_t uid_next;          /* the next claimed entry's uid (tables start apart) */
} probe_table;

/* A probe awaiting its answer: the slot of its table (pending, strays or udp) and the tag the
 * slot holds for as long as nothing answered it. */
enum { DEFER_SYN, DEFER_ACK, DEFER_DGRAM };
typedef struct deferred {
    net_addr src, dst;
    uint16_t dport, sport;
    uint8_t proto, kind;
    uint32_t slot, tag;
    int64_t ts;
} deferred;

struct net_detector {
    net_thresholds t;
    net_emit_fn emit;
    void *arg;
    int64_t sec;                /* the capture second being counted */
    int64_t next_ns;            /* when the next second begins */
    bool started;
    uint64_t rng;               /* xorshift: which of a heavy flood's packets feed its sketches */
    uint32_t *pending;          /* SYNs awaiting their handshake's last ACK */
    uint32_t *strays;           /* ACKs of no known connection, awaiting a reply or a repeat */
    uint32_t *udp;              /* UDP 4-tuples seen, so that a reply is known as one */
    uint64_t *est[2];           /* bit filters of established 4-tuples: current, previous */
    int64_t est_rotated, first_sec;
    flood_entry *floods;
    uint64_t *flood_keys; /* per slot: its target's hash, odd; 0: free (lookups read these, not the entries) */
    probe_table pairs, sweeps, brutes, scanners;
    uint32_t *seen;             /* SEEN_BUCKETS x 8 member fingerprints */
    struct deferred *ring;      /* DEFER_SLOTS probes awaiting their answer, oldest at ring_tail */
    uint32_t ring_head, ring_tail;
    struct watch {
        uint64_t pkts, bytes;          /* this second */
        uint64_t total_pkts, total_bytes;
        double pps, bps;               /* the last whole second */
        double mean, var;              /* EWMA baseline of pps */
        int64_t learned_s;
        int hot, cool;
        bool active;
        net_detection det;
    } watch[64];
    talkers talk[2][2];         /* [window: the one counting, the last complete][0 sources, 1 destinations] */
    net_stage next;             /* protocol contents (next.packet NULL: none) */
    int talk_cur;
    int64_t talk_start;         /* the second the counting window began */
};

static void table_init(probe_table *t, unsigned slots, uint64_t uid_base)
{
    t->slots = slots;
    t->uid_next = uid_base;
    t->tag = kw_calloc(slots, sizeof *t->tag);
    t->last = kw_calloc(slots, sizeof *t->last);
    t->e = kw_calloc(slots, sizeof *t->e);
}

static void table_free(probe_table *t)
{
    free(t->tag);
    free(t->last);
    free(t->e);
}

net_detector *net_detector_new(const net_thresholds *t, net_emit_fn emit, void *arg)
{
    net_detector *d = kw_calloc(1, sizeof *d);
    d->t = *t;
    d->emit = emit;
    d->arg = arg;
    d->pending = kw_calloc((size_t)PENDING_BUCKETS * WAYS, sizeof *d->pending);
    d->strays = kw_calloc((size_t)STRAY_BUCKETS * WAYS, sizeof *d->strays);
    d->udp = kw_calloc((size_t)UDP_BUCKETS * WAYS, sizeof *d->udp);
    d->est[0] = kw_calloc(EST_BITS / 64, sizeof(uint64_t));
    d->est[1] = kw_calloc(EST_BITS / 64, sizeof(uint64_t));
    d->floods = kw_calloc(FLOOD_SLOTS, sizeof *d->floods);
    d->flood_keys = kw_calloc(FLOOD_SLOTS, sizeof *d->flood_keys);
    d->rng = 0x9e3779b97f4a7c15ull;
    table_init(&d->pairs, PAIR_SLOTS, 1);
    table_init(&d->sweeps, SWEEP_SLOTS, 1ull << 62);
    table_init(&d->brutes, BRUTE_SLOTS, 2ull << 62);
    table_init(&d->scanners, SWEEP_SLOTS, 3ull << 62);
    d->seen = kw_calloc((size_t)SEEN_BUCKETS * 8, sizeof *d->seen);
    d->ring = kw_calloc(DEFER_SLOTS, sizeof *d->ring);
    return d;
}

void net_detector_free(net_detector *d)
{
    if (!d)
        return;
    free(d->pending);
    free(d->strays);
    free(d->udp);
    free(d->est[0]);
    free(d->est[1]);
    free(d->floods);
    free(d->flood_keys);
    table_free(&d->pairs);
    table_free(&d->sweeps);
    table_free(&d->brutes);
    table_free(&d->scanners);
    free(d->seen);
    free(d->ring);
    free(d);
}

static bool is_auth_port(const net_detector *d, uint16_t port)
{
    for (size_t i = 0; i < d->t.n_auth_ports; i++)
        if (d->t.auth_ports[i] == port)
            return true;
    return false;
}

/* The established-connection filters, keyed by a direction-free hash of the 4-tuple (two
 * bits per tuple, so a false "established" needs both set by others). */
static uint64_t conn_hash(const net_pkt *p)
{
    if (!p->src.v6) { /* XOR is the same both ways; one mix spreads it */
        uint32_t a, b;
        memcpy(&a, p->src.b, 4);
        memcpy(&b, p->dst.b, 4);
        uint64_t lo = (uint64_t)(p->sport < p->dport ? p->sport : p->dport) << 16 |
                      (p->sport < p->dport ? p->dport : p->sport);
        return kw_mix64((uint64_t)(a ^ b) << 32 ^ lo ^ ((uint64_t)(a + b) << 7));
    }
    uint64_t a = net_addr_hash(&p->src, p->sport), b = net_addr_hash(&p->dst, p->dport);
    return kw_mix64(a ^ b);
}

/* The filters are blocked (Putze et al.) down to one 64-bit word: a tuple's three bits lie in
 * one word, so a lookup is one load and one compare per filter. */
#define EST_WORDS (EST_BITS / 64)
static uint64_t est_mask(uint64_t h)
{
    return 1ull << (h >> 20 & 63) | 1ull << (h >> 26 & 63) | 1ull << (h >> 32 & 63);
}

static void est_add(net_detector *d, uint64_t h) { d->est[0][h & (EST_WORDS - 1)] |= est_mask(h); }

/* 1 if the tuple is in the current filter, 2 if only in the previous one, 0 if in neither. */
static int est_find(const net_detector *d, uint64_t h)
{
    uint64_t m = est_mask(h);
    size_t w = h & (EST_WORDS - 1);
    return (d->est[0][w] & m) == m ? 1 : (d->est[1][w] & m) == m ? 2 : 0;
}

/* The hash of a TCP 4-tuple, client first. */
static uint64_t tuple_hash(const net_pkt *p)
{
    uint64_t ports = (uint64_t)p->sport << 16 | p->dport;
    if (!p->src.v6) {
        uint32_t a, b;
        memcpy(&a, p->src.b, 4);
        memcpy(&b, p->dst.b, 4);
        return kw_mix64(((uint64_t)a << 32 | b) ^ kw_mix64(ports));
    }
    return net_addr_hash(&p->src, net_addr_hash(&p->dst, ports));
}

/* Finds or claims the probe entry for (a, b, port, proto); NULL when the table is full of
 * attacks in progress. A claim evicts the stalest entry that has not fired. */
static probe_entry *probe_get(probe_table *t, const net_addr *a, const net_addr *b, uint16_t port, uint8_t proto,
                              int64_t now, bool create)
{
    uint64_t h = net_addr_hash(a, net_addr_hash(b, (uint64_t)port << 8 | proto)) | 1;
    unsigned mask = t->slots - 1, victim = ~0u;
    for (unsigned i = 0; i < PROBE_LIMIT; i++) {
        unsigned k = (unsigned)(h + i) & mask;
        if (t->tag[k] == h) {
            probe_entry *e = &t->e[k];
            if (e->port == port && e->proto == proto && addr_eq(&e->a, a) && addr_eq(&e->b, b))
                return e;
        }
        if (!t->tag[k]) {
            if (victim == ~0u || t->tag[victim])
                victim = k;
        } else if (victim == ~0u || (t->tag[victim] && t->last[k] < t->last[victim])) {
            victim = k;
        }
    }
    if (!create || victim == ~0u || t->last[victim] == INT64_MAX)
        return NULL;
    probe_entry *e = &t->e[victim];
    memset(e, 0, sizeof *e);
    e->uid = t->uid_next++;
    e->a = *a;
    e->b = *b;
    e->port = port;
    e->proto = proto;
    e->first_ns = e->last_ns = now;
    t->tag[victim] = h;
    t->last[victim] = now;
    return e;
}

/* Records activity on e (its slot's last-seen time drives eviction). */
static void probe_touch(probe_table *t, probe_entry *e, int64_t now)
{
    e->last_ns = now;
    size_t k = (size_t)(e - t->e);
    if (t->last[k] != INT64_MAX)
        t->last[k] = now;
}

static void probe_release(probe_table *t, probe_entry *e)
{
    size_t k = (size_t)(e - t->e);
    t->tag[k] = 0;
    t->last[k] = 0;
}

static flood_entry *flood_get(net_detector *d, const net_addr *dst, uint8_t proto, bool create)
{
    uint64_t h = net_addr_hash(dst, proto), key = h | 1;
    for (unsigned i = 0; i < PROBE_LIMIT; i++) {
        size_t k = (h + i) & (FLOOD_SLOTS - 1);
        if (d->flood_keys[k] == key && d->floods[k].proto == proto && addr_eq(&d->floods[k].dst, dst))
            return &d->floods[k];
    }
    if (!create)
        return NULL;
    flood_entry *victim = NULL;
    size_t vk = 0;
    for (unsigned i = 0; i < PROBE_LIMIT; i++) {
        size_t k = (h + i) & (FLOOD_SLOTS - 1);
        flood_entry *e = &d->floods[k];
        if (!d->flood_keys[k]) {
            victim = e, vk = k;
            break;
        }
        if (!e->active && (!victim || e->pkts < victim->pkts))
            victim = e, vk = k;
    }
    if (!victim)
        return NULL;
    d->flood_keys[vk] = key;
    memset(victim, 0, sizeof *victim);
    victim->dst = *dst;
    victim->proto = proto;
    /* the target's own threshold, from the most specific override that covers it */
    victim->limit = proto == 6 ? d->t.syn_half_open_pps : d->t.flood_pps; /* also RST, ACK */
    int best = -1;
    for (size_t i = 0; i < d->t.n_overrides; i++) {
        double v = proto == 6 ? d->t.overrides[i].syn_half_open_pps : d->t.overrides[i].flood_pps;
        if (!isnan(v) && d->t.overrides[i].bits > best &&
            kw_addr_in(dst, &d->t.overrides[i].a, d->t.overrides[i].bits)) {
            best = d->t.overrides[i].bits;
            victim->limit = v;
        }
    }
    return victim;
}

/* ---- detections ---- */

static void det_init(net_detection *x, const char *action, const char *tech, const char *tech_name, int sev)
{
    memset(x, 0, sizeof *x);
    x->action = action;
    x->technique = tech;
    x->technique_name = tech_name;
    x->severity = sev;
}

static uint64_t prefix_key(const net_addr *a)
{
    /* /24 for IPv4, /48 for IPv6 */
    uint64_t k = 0;
    memcpy(&k, a->b, a->v6 ? 6 : 3);
    return k << 1 | a->v6;
}

static void prefix_str(uint64_t key, char *out, size_t n)
{
    net_addr a = {{0}, (uint8_t)(key & 1)};
    uint64_t k = key >> 1;
    memcpy(a.b, &k, a.v6 ? 6 : 3);
    char s[48];
    kw_addr_str(&a, s, sizeof s);
    snprintf(out, n, "%s/%d", s, a.v6 ? 48 : 24);
}

/* The flood's share of its packets that one port carries, as a counter slot of `t`, or -1
 * when no port carries half. */
static int topk_half(const topk *t)
{
    int best = topk_best(t);
    uint64_t n = topk_total(t);
    return best >= 0 && t->n[best] * 2 >= n ? best : -1;
}

/* A flood comes from many sources, or hammers one port: one source probing many ports of a
 * host is a scan, whatever its rate. ICMP has no ports. */
static bool flood_shaped(const flood_entry *f)
{
    if (f->proto == 1 || f->proto == 58 || topk_half(&f->ports) >= 0)
        return true;
    /* many sources, and none of them sending half: a scanner's SYNs to a busy server come
     * with its clients', but they are still one source's */
    return hll_estimate(f->hll) >= FLOOD_SOURCES && topk_half(&f->sources) < 0;
}

/* What makes the target hot, per second: half-open SYNs, strays no reply resolved, packets. */
static double flood_rate(const flood_entry *f)
{
    if (f->proto == 6 || f->proto == PROTO_ACK)
        return f->syns > f->completions ? (double)(f->syns - f->completions) : 0;
    /* stray RSTs and SYN-ACKs from a handful of sources are a connection keepwatch did not
     * see open, or a scan's answers: a flood of them comes from many (spoofed) sources */
    if ((f->proto == PROTO_RST || f->proto == PROTO_SYNACK) && !f->active && hll_estimate(f->hll) < 64)
        return 0;
    return (double)f->pkts;
}

/* Names the sender of a flood that nearly all comes from one address (not spoofed). */
static void flood_name_source(flood_entry *f)
{
    net_detection *x = &f->det;
    x->distinct_sources = hll_estimate(f->hll);
    int top = topk_best(&f->sources);
    x->has_src = top >= 0 && x->distinct_sources <= 3 && f->sources.n[top] * 10 >= topk_total(&f->sources) * 9;
    if (x->has_src)
        x->src = f->source_addr[top];
}

/* The dominant target port, and for UDP the reflecting service, when one carries half. */
static void flood_name_ports(flood_entry *f)
{
    net_detection *x = &f->det;
    int p = topk_half(&f->ports), s = topk_half(&f->sports);
    x->has_dport = f->proto != 1 && f->proto != 58 && p >= 0;
    if (x->has_dport)
        x->dport = (uint16_t)f->ports.key[p];
    const char *refl = f->proto == 17 && s >= 0 ? net_reflector_name((uint16_t)f->sports.key[s]) : NULL;
    x->has_sport = refl != NULL;
    x->reflection = refl;
    if (refl)
        x->sport = (uint16_t)f->sports.key[s];
}

static bool tcp_kind(uint8_t proto) { return proto == 6 || proto >= PROTO_RST; }

/* Another TCP flood kind on f's target that is already firing, or carries more packets:
 * one attack on a target is one flood (SYN-ACK reflection brings RSTs from the same hosts). */
static bool tcp_sibling_wins(net_detector *d, const flood_entry *f)
{
    static const uint8_t kinds[] = {6, PROTO_RST, PROTO_ACK, PROTO_SYNACK};
    if (!tcp_kind(f->proto))
        return false;
    for (size_t i = 0; i < sizeof kinds; i++) {
        if (kinds[i] == f->proto)
            continue;
        const flood_entry *g = flood_get(d, &f->dst, kinds[i], false);
        if (g && (g->active || ((g->hot || g->pkts) && g->run_count + g->pkts > f->run_count + f->pkts)))
            return true;
    }
    return false;
}

static void flood_fire(net_detector *d, flood_entry *f, int64_t sec_end_ns)
{
    const char *action = f->proto == 6               ? "syn_flood"
                         : f->proto == 17            ? "udp_flood"
                         : f->proto == PROTO_RST     ? "rst_flood"
                         : f->proto == PROTO_ACK     ? "ack_flood"
                         : f->proto == PROTO_SYNACK  ? "synack_flood"
                                                     : "icmp_flood";
    net_detection *x = &f->det;
    det_init(x, action, "T1498", "Network Denial of Service", 4);
    x->has_dst = true;
    x->dst = f->dst;
    x->proto = f->proto >= PROTO_RST ? 6 : f->proto;
    x->start_ns = f->run_first_ns;
    x->fire_ns = sec_end_ns;
    if (f->flooding_until < f->run_first_ns) /* a short sample below half the rate per second */
        f->flooding_until = f->last_pkt_ns;
    f->active = true;
    f->fired_now = true;
}

/* A flood the capture ended before flood_for: reported when it clearly exceeded its rate. */
static bool flood_partial(const flood_entry *f, double rate)
{
    double count = (f->hot ? (double)f->run_count : 0) + rate;
    int64_t first = f->hot ? f->run_first_ns : f->sec_first_ns;
    double span = (double)(f->last_pkt_ns - first) / 1e9;
    if (span < 0.001)
        span = 0.001;
    return count >= PARTIAL_MIN_PKTS && count / span >= 2 * f->limit && flood_shaped(f);
}

static void flood_finish(net_detector *d, flood_entry *f)
{
    net_detection *x = &f->det;
    flood_name_source(f);
    /* the busiest prefixes, heaviest first: only those surely carrying 1% of the flood (a
     * flood from random spoofed sources has none) */
    topk t = f->prefixes;
    x->ntop = 0;
    for (int k = 0; k < TOPK && x->ntop < 8; k++) {
        int best = -1;
        for (int i = 0; i < TOPK; i++)
            if (t.n[i] && (best < 0 || t.n[i] - t.err[i] > t.n[best] - t.err[best]))
                best = i;
        if (best < 0 || (t.n[best] - t.err[best]) * 100 < f->prefix_total)
            break;
        char p[64];
        prefix_str(t.key[best], p, sizeof p);
        snprintf(x->top_prefixes[x->ntop++], sizeof x->top_prefixes[0], "%s %llu", p,
                 (unsigned long long)(t.n[best] - t.err[best]));
        t.n[best] = 0;
    }
    d->emit(d->arg, NET_DET_END, x);
    f->active = false;
    f->hot = f->cool = 0;
}

/* Counts the second that ends at sec_end_ns into the run of hot seconds (and so into the
 * detection, which covers the seconds before it fired too). */
static void flood_run_add(flood_entry *f, double rate)
{
    f->run_count += (uint64_t)rate;
    f->total_pkts += f->pkts;
    f->run_bytes += f->bytes;
    if (rate > f->run_peak_pps)
        f->run_peak_pps = rate;
    if ((double)f->bytes * 8 > f->run_peak_bps)
        f->run_peak_bps = (double)f->bytes * 8;
    if (rate >= f->limit / 2)
        f->flooding_until = f->last_pkt_ns; /* event.end: the last packet still at flood rate */
}

static void flood_run_reset(flood_entry *f)
{
    memset(f->hll, 0, sizeof f->hll);
    memset(&f->ports, 0, sizeof f->ports);
    memset(&f->sports, 0, sizeof f->sports);
    memset(&f->prefixes, 0, sizeof f->prefixes);
    memset(&f->sources, 0, sizeof f->sources);
    f->total_pkts = f->prefix_total = f->run_count = f->run_bytes = 0;
    f->run_peak_pps = f->run_peak_bps = 0;
}

/* Closes one second of a flood entry; `final` at the end of the input. */
static void flood_second(net_detector *d, flood_entry *f, int64_t sec_end_ns, bool final)
{
    double rate = flood_rate(f);
    bool partial = final && !f->active && f->pkts && flood_partial(f, rate);
    if ((rate >= f->limit && flood_shaped(f)) || partial) {
        if (!f->hot) {
            f->hot_since = sec_end_ns - NS;
            f->run_first_ns = f->sec_first_ns;
        }
        f->hot++;
        f->cool = 0;
    } else if (f->active && rate < f->limit / 2) {
        f->cool++;
    } else if (!f->active) {
        f->hot = 0;
    }
    if (f->hot || f->active)
        flood_run_add(f, rate);
    if (!f->active && f->hot && (f->hot >= d->t.flood_for_s || partial) && !tcp_sibling_wins(d, f))
        flood_fire(d, f, sec_end_ns);
    if (f->active) {
        net_detection *x = &f->det;
        x->end_ns = f->flooding_until;
        x->packets = f->total_pkts;
        x->bytes = f->run_bytes;
        x->peak_pps = f->run_peak_pps;
        x->peak_bps = f->run_peak_bps;
        flood_name_ports(f);
        if (f->fired_now || (sec_end_ns - x->fire_ns) % (5 * NS) == 0) {
            flood_name_source(f);
            d->emit(d->arg, f->fired_now ? NET_DET_FIRE : NET_DET_UPDATE, x);
            f->fired_now = false;
        }
        if (f->cool >= d->t.flood_end_s)
            flood_finish(d, f);
    }
    bool idle = !f->active && !f->hot && !f->pkts;
    f->pkts = f->bytes = f->syns = f->completions = 0;
    if (!f->active && !f->hot) /* sketches describe the attack: restart them while quiet */
        flood_run_reset(f);
    if (idle)
        d->flood_keys[f - d->floods] = 0; /* the slot is free */
}

/* Reports a fired scan, sweep or brute force: FIRE when it fires, END (freeing the entry)
 * when it is over. */
static void probe_emit(net_detector *d, probe_table *t, probe_entry *e, net_phase phase)
{
    net_detection x;
    if (e->kind == 0) {
        det_init(&x, "port_scan", "T1046", "Network Service Discovery", 3);
        x.has_src = x.has_dst = true;
        x.ports = e->n;
        x.proto = e->probe_proto;
        if (e->fold.targets) { /* several hosts scanned: the source is the attack */
            x.has_dst = false;
            x.hosts = e->fold.targets + 1;
        }
    } else if (e->kind == 1) {
        det_init(&x, "host_sweep", "T1046", "Network Service Discovery", 3);
        x.has_src = true;
        x.has_dport = e->proto != 1 && e->proto != 58;
        x.dport = e->port;
        x.hosts = e->n;
        x.proto = e->proto;
        if (e->fold.ports) /* several ports swept */
            x.has_dport = false, x.ports = e->fold.ports + 1;
    } else {
        det_init(&x, "brute_force", "T1110", "Brute Force", 3);
        x.has_src = x.has_dst = x.has_dport = true;
        x.dport = e->port;
        x.sessions = e->brute.sessions;
        x.proto = 6;
    }
    x.src = e->a;
    x.dst = e->b;
    x.start_ns = e->first_ns;
    x.fire_ns = e->fire_ns;
    x.end_ns = e->last_ns;
    x.packets = e->probes;
    d->emit(d->arg, phase, &x);
    if (phase == NET_DET_END)
        probe_release(t, e);
}

/* Completed sessions of a brute-force entry within the window of `n` buckets ending now. */
static uint64_t brute_sum(const uint32_t *bucket, const int64_t *start, int n, int64_t window, int64_t now)
{
    uint64_t sum = 0;
    int64_t width = window / (n - 1) > 0 ? window / (n - 1) : NS;
    for (int k = 0; k < n; k++)
        if (start[k] + width > now - window) /* any part of the bucket inside the window */
            sum += bucket[k];
    return sum;
}

static bool sweep_is_overlay(net_detector *d, const probe_entry *e);

static bool probe_fires(const net_detector *d, probe_entry *e, int kind, int64_t now, int64_t window)
{
    bool recent = now - e->first_ns <= window + NS;
    uint64_t unanswered = e->n;
    if (kind == 0)
        return recent && (int64_t)unanswered >= d->t.scan_ports;
    if (kind == 1) /* a UDP service on a high port where a fifth of the hosts answer is a pool */
        return recent && (int64_t)unanswered >= d->t.sweep_hosts && !sweep_is_overlay((net_detector *)d, e) &&
               !(e->proto == 17 && e->port >= 1024 && (uint64_t)e->answered * 5 >= (uint64_t)e->n + e->answered);
    if ((int64_t)brute_sum(e->brute.bucket, e->brute.bucket_start, BRUTE_BUCKETS, window, now) >= d->t.brute_sessions)
        return true;
    int64_t slow = d->t.brute_slow_window_s * NS;
    e->brute.slow_fired = (int64_t)brute_sum(e->brute.slow, e->brute.slow_start, SLOW_BUCKETS, slow, now) >=
                          d->t.brute_slow_sessions;
    return e->brute.slow_fired;
}

static bool rep_alive(const probe_entry *c)
{
    const probe_entry *r = c->fold.rep;
    return r && c->fold.rep_t->tag[r - c->fold.rep_t->e] && r->uid == c->fold.rep_uid && r->fired;
}

/* Folds the scan or sweep e, about to fire, into the alert its source already has; false
 * when it is the source's first (then it represents the source). */
static bool scan_fold(net_detector *d, probe_table *t, probe_entry *e, int kind, int64_t now)
{
    net_addr none = {{0}, 0};
    probe_entry *c = probe_get(&d->scanners, &e->a, &none, 0, 0xfe, now, true);
    if (!c)
        return false;
    probe_touch(&d->scanners, c, now);
    if (!rep_alive(c)) {
        c->fold.rep = e;
        c->fold.rep_t = t;
        c->fold.rep_uid = e->uid;
        return false;
    }
    probe_entry *r = c->fold.rep;
    e->fold.absorbed = true;
    e->fold.rep = r;
    e->fold.rep_t = c->fold.rep_t;
    e->fold.rep_uid = r->uid;
    if (kind == 0 && r->kind == 0)
        r->fold.targets++;
    else if (kind == 1 && r->kind == 1)
        r->fold.ports++;
    return true;
}

static void probe_second(net_detector *d, probe_table *t, int kind, int64_t now)
{
    int64_t window = (kind == 2 ? d->t.brute_window_s : d->t.scan_window_s) * NS;
    if (kind == 2 && d->t.brute_slow_window_s * NS > window)
        window = d->t.brute_slow_window_s * NS;
    for (unsigned i = 0; i < t->slots; i++) {
        if (!t->tag[i])
            continue;
        probe_entry *e = &t->e[i];
        if (e->fired) {
            if (e->fold.absorbed && rep_alive(e) && e->last_ns > e->fold.rep->last_ns)
                e->fold.rep->last_ns = e->last_ns; /* the source's alert lasts while it scans */
            if (now - e->last_ns >= d->t.idle_end_s * NS) {
                if (e->fold.absorbed)
                    probe_release(t, e);
                else
                    probe_emit(d, t, e, NET_DET_END);
            }
            continue;
        }
        if (now - e->last_ns >= window) { /* quiet too long to be one attack: forget it */
            probe_release(t, e);
            continue;
        }
        if (probe_fires(d, e, kind, now, kind == 2 ? d->t.brute_window_s * NS : window)) {
            e->fired = true;
            e->kind = (uint8_t)kind;
            e->fire_ns = now;
            t->last[i] = INT64_MAX; /* an attack in progress is never evicted */
            if (kind == 2 || !scan_fold(d, t, e, kind, now))
                probe_emit(d, t, e, NET_DET_FIRE);
        }
    }
}

#define SPIKE_ALPHA (1.0 / 300) /* the baseline's memory: about five minutes */

/* One second of a watched target: learn its baseline while it is normal, and report a
 * traffic_spike when it is far above it, or above an absolute ceiling. */
static void watch_second(net_detector *d, size_t i, int64_t sec_end_ns)
{
    struct watch *w = &d->watch[i];
    const __typeof__(d->t.targets[0]) *t = &d->t.targets[i];
    w->pps = (double)w->pkts;
    w->bps = (double)w->bytes * 8;
    w->total_pkts += w->pkts;
    w->total_bytes += w->bytes;
    w->pkts = w->bytes = 0;
    double sd = sqrt(w->var);
    bool learned = w->learned_s >= d->t.spike_learn_s;
    double limit = w->mean * d->t.spike_factor;
    if (limit < w->mean + 6 * sd)
        limit = w->mean + 6 * sd;
    if (limit < d->t.spike_min_pps)
        limit = d->t.spike_min_pps;
    bool over_ceiling = (!isnan(t->pps_ceiling) && w->pps > t->pps_ceiling) ||
                        (!isnan(t->bps_ceiling) && w->bps > t->bps_ceiling);
    bool spike = (learned && w->pps > limit) || over_ceiling;
    /* a flood on a host of the target is the same attack, already reported as a flood */
    for (unsigned f = 0; spike && f < FLOOD_SLOTS; f++)
        if (d->flood_keys[f] && d->floods[f].active)
            for (size_t k = 0; k < t->n; k++)
                if (kw_addr_in(&d->floods[f].dst, &t->a[k], t->bits[k]))
                    spike = false;
    if (spike) {
        w->hot++;
        w->cool = 0;
        int64_t need = over_ceiling ? d->t.flood_for_s : d->t.spike_for_s;
        if (!w->active && w->hot >= need) {
            w->active = true;
            det_init(&w->det, "traffic_spike", "T1498", "Network Denial of Service", 3);
            kw_strlcpy(w->det.target, t->name, sizeof w->det.target);
            w->det.baseline_pps = w->mean;
            w->det.start_ns = sec_end_ns - w->hot * NS;
            w->det.fire_ns = sec_end_ns;
            w->det.end_ns = sec_end_ns;
            w->det.peak_pps = w->pps;
            w->det.peak_bps = w->bps;
            d->emit(d->arg, NET_DET_FIRE, &w->det);
        }
    } else {
        w->hot = 0;
        if (w->active && ++w->cool >= d->t.flood_end_s) {
            w->det.end_ns = sec_end_ns;
            d->emit(d->arg, NET_DET_END, &w->det);
            w->active = false;
        }
        if (!w->active) { /* learn only from normal traffic, so an attack does not become normal */
            /* a running mean until the window is full, then exponential: no bias from zero */
            double alpha = 1.0 / (double)(w->learned_s + 1);
            if (alpha < SPIKE_ALPHA)
                alpha = SPIKE_ALPHA;
            double diff = w->pps - w->mean;
            w->mean += alpha * diff;
            w->var = (1 - alpha) * (w->var + alpha * diff * diff);
            w->learned_s++;
        }
    }
    if (w->active) {
        w->det.end_ns = sec_end_ns;
        w->det.packets += (uint64_t)w->pps;
        w->det.bytes += (uint64_t)(w->bps / 8);
        if (w->pps > w->det.peak_pps)
            w->det.peak_pps = w->pps;
        if (w->bps > w->det.peak_bps)
            w->det.peak_bps = w->bps;
    }
}

size_t net_detector_targets(const net_detector *d, net_target_stats *out, size_t max)
{
    size_t n = d->t.n_targets < max ? d->t.n_targets : max;
    for (size_t i = 0; i < n; i++) {
        const struct watch *w = &d->watch[i];
        out[i].name = d->t.targets[i].name;
        out[i].packets = w->total_pkts + w->pkts;
        out[i].bytes = w->total_bytes + w->bytes;
        out[i].pps = w->pps;
        out[i].bps = w->bps;
        out[i].baseline_pps = w->learned_s >= d->t.spike_learn_s ? w->mean : 0;
    }
    return d->t.n_targets;
}

size_t net_detector_talkers(const net_detector *d, bool dst, net_talker *out, size_t max)
{
    const talkers *t = &d->talk[d->talk_cur ^ 1][dst];
    size_t n = 0;
    uint64_t below = UINT64_MAX; /* selection, heaviest first; ties broken by counter index */
    unsigned below_i = 0;
    while (n < max) {
        int best = -1;
        uint64_t bb = 0;
        for (unsigned i = 0; i < TALK_SETS * TALK_WAYS; i++) {
            uint64_t h = t->set[i / TALK_WAYS].h[i % TALK_WAYS], b = t->set[i / TALK_WAYS].bytes[i % TALK_WAYS];
            bool under = b < below || (b == below && i > below_i);
            if (h && under && (best < 0 || b > bb)) {
                best = (int)i;
                bb = b;
            }
        }
        if (best < 0)
            break;
        below = bb;
        below_i = (unsigned)best;
        out[n].addr = t->a[best];
        out[n].bytes = bb;
        out[n].packets = t->pkts[best];
        n++;
    }
    return n;
}

static void defer_drain(net_detector *d, int64_t now, bool all);

/* Closes capture seconds up to (not including) the one `sec`. */
static void detector_advance(net_detector *d, int64_t sec)
{
    if (!d->started) {
        d->started = true;
        d->sec = sec;
        d->next_ns = (sec + 1) * NS;
        if (!d->first_sec)
            d->first_sec = d->est_rotated = sec;
        d->talk_start = sec;
        return;
    }
    if (sec - d->est_rotated >= EST_ROTATE_S) {
        uint64_t *old = d->est[1];
        d->est[1] = d->est[0];
        d->est[0] = old;
        memset(d->est[0], 0, EST_BITS / 8);
        d->est_rotated = sec;
    }
    /* a long gap is at most flood_end_s + 1 quiet seconds for the floods */
    int64_t steps = sec - d->sec;
    if (steps <= 0)
        return;
    if (steps > d->t.flood_end_s + 1)
        steps = d->t.flood_end_s + 1;
    for (int64_t k = 0; k < steps; k++) {
        int64_t end = (d->sec + 1 + k) * NS;
        for (unsigned i = 0; i < FLOOD_SLOTS; i++)
            if (d->flood_keys[i])
                flood_second(d, &d->floods[i], end, false);
        for (size_t i = 0; i < d->t.n_targets; i++)
            watch_second(d, i, end);
    }
    if (sec - d->talk_start >= NET_TALK_WINDOW_S) {
        int last = d->talk_cur;
        d->talk_cur ^= 1;
        memset(d->talk[d->talk_cur], 0, sizeof d->talk[d->talk_cur]);
        if (sec - d->talk_start >= 2 * NET_TALK_WINDOW_S) /* a gap: the last window saw nothing */
            memset(d->talk[last], 0, sizeof d->talk[last]);
        d->talk_start = sec - (sec - d->talk_start) % NET_TALK_WINDOW_S;
    }
    int64_t now = sec * NS;
    defer_drain(d, now, false);
    probe_second(d, &d->pairs, 0, now);
    probe_second(d, &d->sweeps, 1, now);
    probe_second(d, &d->brutes, 2, now);
    d->sec = sec;
    d->next_ns = (sec + 1) * NS;
}

/* ---- members: the ports of a pair, the hosts of a sweep ---- */

static uint32_t *seen_bucket(const net_detector *d, uint64_t h)
{
    return d->seen + (size_t)(h & (SEEN_BUCKETS - 1)) * 8;
}

static uint32_t seen_fp(uint64_t h) { return ((uint32_t)(h >> 32) | 2u) & ~1u; }

static uint64_t seen_key(const probe_entry *e, uint32_t member)
{
    return kw_mix64(e->uid * 0x9e3779b97f4a7c15ULL ^ member);
}

/* Counts member as probed by e, once however often it is probed again. */
static void member_probe(net_detector *d, probe_entry *e, uint32_t member)
{
    uint64_t h = seen_key(e, member);
    uint32_t *b = seen_bucket(d, h), fp = seen_fp(h);
    int free_slot = -1;
    for (int i = 0; i < 8; i++) {
        if ((b[i] & ~1u) == fp)
            return;
        if (!b[i] && free_slot < 0)
            free_slot = i;
    }
    b[free_slot >= 0 ? free_slot : (int)(h >> 61)] = fp; /* a full bucket forgets one member */
    e->n++;
}

static uint32_t host_key(const net_addr *h) { return (uint32_t)net_addr_hash(h, 0x4057); }
static uint32_t port_key(uint16_t port, uint8_t proto) { return port | (uint32_t)proto << 16; }

/* Multicast and broadcast destinations: announcements and discovery, never probes. */
static bool addr_is_group(const net_addr *a)
{
    static const uint8_t bcast[4] = {255, 255, 255, 255};
    return a->v6 ? a->b[0] == 0xff : (a->b[0] >= 224 && a->b[0] < 240) || !memcmp(a->b, bcast, 4);
}

/* The spread of one UDP socket's unanswered datagrams: distinct destination ports (proto
 * 0x91) and hosts (0x92), so a P2P node's socket, reaching one port on each of many peers,
 * is told from a sweep (one port, many hosts) and a scan (many ports of each host). */
#define SOCK_PORTS 0x91
#define SOCK_HOSTS 0x92
static void note_socket(net_detector *d, const net_addr *src, uint16_t sport, const net_addr *dst, uint16_t port,
                        int64_t ts)
{
    net_addr none = {{0}, 0};
    probe_entry *e = probe_get(&d->scanners, src, &none, sport, SOCK_PORTS, ts, true);
    if (e) {
        member_probe(d, e, port_key(port, 17));
        probe_touch(&d->scanners, e, ts);
    }
    e = probe_get(&d->scanners, src, &none, sport, SOCK_HOSTS, ts, true);
    if (e) {
        member_probe(d, e, host_key(dst));
        probe_touch(&d->scanners, e, ts);
    }
}

/* Whether the UDP socket of sweep e reached many ports, about one on each host: a P2P
 * overlay (Gnutella, BitTorrent DHT), not a sweep. */
static bool sweep_is_overlay(net_detector *d, const probe_entry *e)
{
    if (e->proto != 17)
        return false;
    net_addr none = {{0}, 0};
    const probe_entry *ports = probe_get(&d->scanners, &e->a, &none, e->fold.sport, SOCK_PORTS, 0, false);
    const probe_entry *hosts = probe_get(&d->scanners, &e->a, &none, e->fold.sport, SOCK_HOSTS, 0, false);
    return ports && hosts && ports->n >= 2 * (uint32_t)d->t.sweep_hosts && ports->n * 2 >= hosts->n;
}

/* A probe from src to dst's `port` that nothing answered. */
static void note_probe(net_detector *d, const net_addr *src, uint16_t sport, const net_addr *dst, uint16_t port,
                       uint8_t proto, int64_t ts)
{
    if (addr_is_group(dst))
        return;
    if (proto == 17)
        note_socket(d, src, sport, dst, port, ts);
    probe_entry *e = proto != 1 && proto != 58 ? probe_get(&d->pairs, src, dst, 0, 0, ts, true) : NULL;
    if (e) {
        member_probe(d, e, port_key(port, proto));
        probe_touch(&d->pairs, e, ts);
        e->probes++;
        e->probe_proto = proto;
    }
    net_addr none = {{0}, 0};
    e = probe_get(&d->sweeps, src, &none, port, proto, ts, true);
    if (e) {
        e->fold.sport = sport;
        member_probe(d, e, host_key(dst));
        probe_touch(&d->sweeps, e, ts);
        e->probes++;
    }
}

/* Whether the table slot of a deferred probe still says nothing answered it. */
static bool deferred_unanswered(const net_detector *d, const deferred *q)
{
    switch (q->kind) {
    case DEFER_SYN: {
        if (d->pending[q->slot] == q->tag)
            return true; /* the handshake's end would have cleared it */
        /* cleared, or taken by other SYNs (a flood's) and maybe cleared by their sessions:
         * a session that completed is established */
        net_pkt t;
        t.src = q->src;
        t.dst = q->dst;
        t.sport = q->sport;
        t.dport = q->dport;
        return !est_find(d, conn_hash(&t));
    }
    case DEFER_ACK: return d->strays[q->slot] == q->tag;  /* a reply or a repeat clears it */
    default: return d->udp[q->slot] == q->tag;            /* a reply sets UDP_REPLIED on it */
    }
}

/* A probe to a host that has been flooded since: the flood's first packets, sent before it
 * was known as one, are not scans (and must not push real scans out of the tables). */
static bool deferred_flooded(net_detector *d, const deferred *q)
{
    uint8_t kind = q->kind == DEFER_SYN ? 6 : q->kind == DEFER_ACK ? PROTO_ACK : q->proto;
    const flood_entry *f = flood_get(d, &q->dst, kind, false);
    return f && (f->active || f->hot);
}

/* Counts the deferred probes whose second to be answered is over (all of them at the end). */
static void defer_drain(net_detector *d, int64_t now, bool all)
{
    while (d->ring_tail != d->ring_head) {
        const deferred *q = &d->ring[d->ring_tail & (DEFER_SLOTS - 1)];
        if (!all && q->ts + ANSWER_NS > now)
            return;
        if (deferred_unanswered(d, q)) {
            if (!deferred_flooded(d, q))
                note_probe(d, &q->src, q->sport, &q->dst, q->dport, q->proto, q->ts);
        } else if (q->kind == DEFER_DGRAM && q->proto == 17 && q->dport >= 1024) {
            net_addr none = {{0}, 0}; /* an answer on a high UDP port: a server pool's member */
            probe_entry *e = probe_get(&d->sweeps, &q->src, &none, q->dport, 17, q->ts, false);
            if (e)
                e->answered++;
        }
        d->ring_tail++;
    }
}

/* Queues p as a probe, to be counted if nothing answers it; a full ring counts its oldest
 * now, answered or not yet. */
static void defer_probe(net_detector *d, const net_pkt *p, int kind, uint32_t slot, uint32_t tag)
{
    if (d->ring_head - d->ring_tail == DEFER_SLOTS) {
        const deferred *old = &d->ring[d->ring_tail & (DEFER_SLOTS - 1)];
        if (deferred_unanswered(d, old) && !deferred_flooded(d, old))
            note_probe(d, &old->src, old->sport, &old->dst, old->dport, old->proto, old->ts);
        d->ring_tail++;
    }
    deferred *q = &d->ring[d->ring_head++ & (DEFER_SLOTS - 1)];
    q->src = p->src;
    q->dst = p->dst;
    q->dport = p->dport;
    q->sport = p->sport;
    q->proto = p->proto;
    q->kind = (uint8_t)kind;
    q->slot = slot;
    q->tag = tag;
    q->ts = p->ts_ns;
}

static void bucket_add(uint32_t *bucket, int64_t *start, int n, int64_t window, int64_t now)
{
    int64_t width = window / (n - 1) > 0 ? window / (n - 1) : NS;
    int64_t s = now / width * width;
    int k = (int)((now / width) % n);
    if (start[k] != s) {
        start[k] = s;
        bucket[k] = 0;
    }
    bucket[k]++;
}

static void note_completion(net_detector *d, const net_pkt *p)
{
    flood_entry *f = flood_get(d, &p->dst, 6, false);
    if (f)
        f->completions++;
    if (!is_auth_port(d, p->dport))
        return;
    probe_entry *e = probe_get(&d->brutes, &p->src, &p->dst, p->dport, 6, p->ts_ns, true);
    if (!e)
        return;
    bucket_add(e->brute.bucket, e->brute.bucket_start, BRUTE_BUCKETS, d->t.brute_window_s * NS, p->ts_ns);
    bucket_add(e->brute.slow, e->brute.slow_start, SLOW_BUCKETS, d->t.brute_slow_window_s * NS, p->ts_ns);
    e->brute.sessions++;
    e->probes++;
    probe_touch(&d->brutes, e, p->ts_ns);
}

/* Counts p toward a flood on its target; true if the target is being flooded right now. */
static bool flood_count(net_detector *d, const net_pkt *p, uint8_t proto)
{
    flood_entry *f = flood_get(d, &p->dst, proto, true);
    if (!f)
        return false;
    if (!f->pkts)
        f->sec_first_ns = p->ts_ns;
    f->last_pkt_ns = p->ts_ns;
    f->pkts++;
    f->bytes += p->wirelen;
    if (proto == 6 || proto == PROTO_ACK)
        f->syns++;
    /* the sketches describe a flood and are cleared every quiet second: feed them only once
     * this second looks like one (an eighth of the threshold), or it is one already */
    if (f->active || f->hot || (double)f->pkts * 8 >= f->limit) {
        uint64_t sh = net_addr_hash(&p->src, 0x5eed);
        hll_add(f->hll, sh);
        /* the shares in the top-k sketches hold on a random sample: past a second's first
         * SKETCH_ALL packets, one in SKETCH_EVERY feeds them, weighted SKETCH_EVERY (random,
         * so no sender's rhythm aliases with it) */
        uint64_t w = 1;
        if (f->pkts > SKETCH_ALL) {
            d->rng ^= d->rng << 13, d->rng ^= d->rng >> 7, d->rng ^= d->rng << 17;
            if (d->rng % SKETCH_EVERY)
                return f->active || f->hot;
            w = SKETCH_EVERY;
        }
        topk_add(&f->prefixes, prefix_key(&p->src), w);
        f->prefix_total += w;
        f->source_addr[topk_add(&f->sources, sh, w)] = p->src;
        if (p->has_ports) {
            topk_add(&f->ports, p->dport, w);
            topk_add(&f->sports, p->sport, w);
        }
    }
    return f->active || f->hot;
}

/* A stray to `target` turned out to belong to a connection. */
static void flood_resolved(net_detector *d, const net_addr *target)
{
    flood_entry *f = flood_get(d, target, PROTO_ACK, false);
    if (f)
        f->completions++;
}

void net_detector_set_next(net_detector *d, const net_stage *s)
{
    if (s)
        d->next = *s;
    else
        memset(&d->next, 0, sizeof d->next);
}

void net_detector_tick(net_detector *d, int64_t now_ns)
{
    if (d->started && now_ns >= d->next_ns)
        detector_advance(d, now_ns / NS);
    if (d->next.tick)
        d->next.tick(d->next.arg, now_ns);
}

/* The hash of p's 4-tuple seen from the other side (the one its reply would carry). */
static uint64_t tuple_hash_rev(const net_pkt *p)
{
    net_pkt r;
    r.src = p->dst;
    r.dst = p->src;
    r.sport = p->dport;
    r.dport = p->sport;
    return tuple_hash(&r);
}

static uint32_t slot_tag(uint64_t h) { return (uint32_t)(h >> 32) | 1; }

/* The tuple tables hold WAYS 32-bit tags (bit 0 set; 0: empty) per bucket, so tuples whose
 * hashes share a bucket do not push each other out until WAYS of them do. `ignore` names tag
 * bits that are state, not identity. */
#if defined(__SSE2__)
/* Bit i set: way i of bucket b holds `tag` (bits in `ignore` aside); 0 for `tag` 0: empty ways. */
static unsigned tags_match(const uint32_t *b, uint32_t tag, uint32_t ignore)
{
    __m128i keep = _mm_set1_epi32((int)~ignore), want = _mm_set1_epi32((int)(tag & ~ignore));
    __m128i lo = _mm_and_si128(_mm_loadu_si128((const __m128i *)b), keep);
    __m128i hi = _mm_and_si128(_mm_loadu_si128((const __m128i *)(b + 4)), keep);
    return (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(lo, want))) |
           (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(hi, want))) << 4;
}
#else
static unsigned tags_match(const uint32_t *b, uint32_t tag, uint32_t ignore)
{
    unsigned m = 0;
    for (int i = 0; i < WAYS; i++)
        m |= (unsigned)(((b[i] ^ tag) & ~ignore) == 0) << i;
    return m;
}
#endif

static uint32_t *tags_find(uint32_t *t, uint32_t buckets, uint64_t h, uint32_t ignore)
{
    uint32_t *b = t + (size_t)(h & (buckets - 1)) * WAYS;
    unsigned m = tags_match(b, slot_tag(h), ignore);
    return m ? &b[__builtin_ctz(m)] : NULL;
}

/* The slot holding h's tag, claimed (empty first, else one evicted) when none does. */
static uint32_t *tags_put(uint32_t *t, uint32_t buckets, uint64_t h, uint32_t ignore, bool *fresh)
{
    uint32_t *b = t + (size_t)(h & (buckets - 1)) * WAYS, tag = slot_tag(h);
    unsigned m = tags_match(b, tag, ignore);
    if (m) {
        *fresh = false;
        return &b[__builtin_ctz(m)];
    }
    unsigned empty = tags_match(b, 0, 0);
    uint32_t *claim = empty ? &b[__builtin_ctz(empty)] : &b[h >> 61];
    *claim = tag & ~ignore;
    *fresh = true;
    return claim;
}

/* An ACK of no connection keepwatch knows: a reply from the other side, or the same ACK
 * again, shows a connection (one older than keepwatch's watch, or idle for long); until
 * then it counts toward an ACK flood on its target and is a probe (nmap -PA, -sA). */
static void tcp_stray_ack(net_detector *d, const net_pkt *p, uint64_t h, uint64_t ch)
{
    uint32_t *rs = tags_find(d->strays, STRAY_BUCKETS, tuple_hash_rev(p), 0);
    uint32_t *fs = rs ? NULL : tags_find(d->strays, STRAY_BUCKETS, h, 0);
    if (rs || fs) {
        *(rs ? rs : fs) = 0;
        est_add(d, ch);
        flood_resolved(d, rs ? &p->src : &p->dst);
        return;
    }
    if (flood_count(d, p, PROTO_ACK))
        return; /* a flood's spoofed strays are neither remembered nor probes */
    bool fresh;
    fs = tags_put(d->strays, STRAY_BUCKETS, h, 0, &fresh);
    defer_probe(d, p, DEFER_ACK, (uint32_t)(fs - d->strays), *fs);
}

/* Returns true for a bare SYN, SYN-ACK or RST of a flood under way: nothing in it for the
 * inspection of contents (whose flow table a million spoofed SYNs would otherwise churn,
 * pushing out the sessions it reads). */
static bool tcp_packet(net_detector *d, const net_pkt *p)
{
    uint8_t fl = p->tcp_flags;
    bool syn = fl & NET_TH_SYN, ack = fl & NET_TH_ACK, rst = fl & NET_TH_RST;
    if (syn && !ack) {
        bool fresh;
        uint32_t *slot = tags_put(d->pending, PENDING_BUCKETS, tuple_hash(p), 0, &fresh);
        /* the spoofed SYNs of a flood are not scans: spare the scan tables (a scan of a
         * host while it is being flooded goes unseen) */
        if (flood_count(d, p, 6))
            return !p->payload_len;
        if (!tags_find(d->strays, STRAY_BUCKETS, tuple_hash_rev(p), 0))
            defer_probe(d, p, DEFER_SYN, (uint32_t)(slot - d->pending), *slot);
    } else if (syn && !rst) {
        /* a SYN-ACK answering no SYN keepwatch saw: servers answering SYNs spoofed with the
         * victim's address (SYN-ACK reflection) */
        if (!tags_find(d->pending, PENDING_BUCKETS, tuple_hash_rev(p), 0))
            return flood_count(d, p, PROTO_SYNACK) && !p->payload_len;
    } else if (ack && !rst) {
        uint64_t h = tuple_hash(p), ch = conn_hash(p);
        uint32_t *slot;
        int known;
        if ((slot = tags_find(d->pending, PENDING_BUCKETS, h, 0)) != NULL) {
            *slot = 0; /* the handshake's last step */
            est_add(d, ch);
            note_completion(d, p);
        } else if ((known = est_find(d, ch)) != 0) {
            if (known == 2)
                est_add(d, ch); /* still in use: carry it into the current filter */
        } else {
            tcp_stray_ack(d, p, h, ch);
        }
    } else if (rst) {
        return flood_count(d, p, PROTO_RST) && !p->payload_len;
    } else { /* FIN, NULL and Xmas probes: no answer makes them a session */
        uint32_t *rs = tags_find(d->strays, STRAY_BUCKETS, tuple_hash_rev(p), 0);
        if (rs) { /* it answers a packet the other side sent first */
            *rs = 0;
            return false;
        }
        bool fresh;
        tags_put(d->strays, STRAY_BUCKETS, tuple_hash(p), 0, &fresh);
        if (fresh)
            note_probe(d, &p->src, p->sport, &p->dst, p->dport, 6, p->ts_ns);
    }
    return false;
}

/* A UDP datagram or an ICMP echo. A reply (to one keepwatch saw go the other way) is
 * neither a probe nor flood traffic; a datagram from a service port to an ephemeral one
 * answers a request keepwatch did not see (or was spoofed: reflection), and is no probe
 * either; nor is a datagram that repeats its flow's first. */
#define UDP_REPLIED 2u
static void dgram_packet(net_detector *d, const net_pkt *p, bool request)
{
    uint64_t h = tuple_hash(p);
    uint32_t *rs = tags_find(d->udp, UDP_BUCKETS, tuple_hash_rev(p), UDP_REPLIED);
    bool fresh;
    if (rs) {
        *rs |= UDP_REPLIED;
        *tags_put(d->udp, UDP_BUCKETS, h, UDP_REPLIED, &fresh) |= UDP_REPLIED; /* the conversation, this side too */
        return;
    }
    if (flood_count(d, p, p->proto) || !request)
        return;
    uint32_t *fs = tags_put(d->udp, UDP_BUCKETS, h, UDP_REPLIED, &fresh);
    if (!fresh)
        return;
    bool service_reply = p->proto == 17 && (p->sport < 1024 || net_reflector_name(p->sport)) && p->dport >= 1024 &&
                         !net_reflector_name(p->dport);
    if (!service_reply && !addr_is_group(&p->dst))
        defer_probe(d, p, DEFER_DGRAM, (uint32_t)(fs - d->udp), *fs);
}

/* ICMPv4 errors answer a packet (often one spoofed with the victim's address, during a
 * reflection): they are part of another attack, or none. */
static bool icmp4_error(uint8_t type) { return type == 3 || type == 4 || type == 5 || type == 11 || type == 12; }

void net_detector_packet(net_detector *d, const net_pkt *p)
{
    if (!d->started || p->ts_ns >= d->next_ns)
        detector_advance(d, p->ts_ns / NS);
    for (size_t i = 0; i < d->t.n_targets; i++)
        for (size_t k = 0; k < d->t.targets[i].n; k++)
            if (kw_addr_in(&p->dst, &d->t.targets[i].a[k], d->t.targets[i].bits[k])) {
                d->watch[i].pkts++;
                d->watch[i].bytes += p->wirelen;
                break;
            }
    if (d->t.talkers) {
        talkers_add(&d->talk[d->talk_cur][0], &p->src, net_addr_hash(&p->src, 0x7a1c) | 1, p->wirelen);
        talkers_add(&d->talk[d->talk_cur][1], &p->dst, net_addr_hash(&p->dst, 0x7a1c) | 1, p->wirelen);
    }
    for (size_t i = 0; i < d->t.n_allow; i++)
        if (kw_addr_in(&p->src, &d->t.allow[i].a, d->t.allow[i].bits))
            return;
    bool flood = false;
    if (p->proto == 6 && p->has_ports) {
        flood = tcp_packet(d, p);
    } else if (p->proto == 17 && p->has_ports) {
        dgram_packet(d, p, true);
    } else if (p->proto == 17 && p->fragment && flood_get(d, &p->dst, 17, false)) {
        flood_count(d, p, 17); /* a later fragment: no ports, same flood */
    } else if ((p->proto == 1 && p->icmp_type == 8) || (p->proto == 58 && p->icmp_type == 128)) {
        dgram_packet(d, p, true);
    } else if ((p->proto == 1 && p->icmp_type == 0) || (p->proto == 58 && p->icmp_type == 129)) {
        dgram_packet(d, p, false); /* an echo reply: answers a request, or floods (smurf) */
    } else if ((p->proto == 1 && !icmp4_error(p->icmp_type)) || (p->proto == 58 && p->icmp_type >= 128)) {
        flood_count(d, p, p->proto); /* other ICMP messages (MLD, ND, timestamp...): may flood */
    }
    if (d->next.packet && !flood && (!d->next.wants || d->next.wants(d->next.arg, p)))
        d->next.packet(d->next.arg, p);
}

void net_detector_finish(net_detector *d)
{
    if (d->next.finish)
        d->next.finish(d->next.arg);
    if (!d->started)
        return;
    /* close the current second, then end what is still under way */
    int64_t end = (d->sec + 1) * NS;
    for (unsigned i = 0; i < FLOOD_SLOTS; i++) /* close every second first: siblings compare */
        if (d->flood_keys[i])
            flood_second(d, &d->floods[i], end, true);
    /* the probes still waiting, while the floods are known (a flood's first packets are no
     * scans, and must not push a real one out of the tables) */
    defer_drain(d, end, true);
    probe_second(d, &d->pairs, 0, end);
    probe_second(d, &d->sweeps, 1, end);
    probe_second(d, &d->brutes, 2, end);
    for (unsigned i = 0; i < FLOOD_SLOTS; i++)
        if (d->flood_keys[i] && d->floods[i].active)
            flood_finish(d, &d->floods[i]);
    for (size_t i = 0; i < d->t.n_targets; i++) {
        watch_second(d, i, end);
        if (d->watch[i].active) {
            d->emit(d->arg, NET_DET_END, &d->watch[i].det);
            d->watch[i].active = false;
        }
    }
    probe_table *tabs[] = {&d->pairs, &d->sweeps, &d->brutes};
    for (int t = 0; t < 3; t++)
        for (unsigned i = 0; i < tabs[t]->slots; i++)
            if (tabs[t]->tag[i] && tabs[t]->e[i].fired && !tabs[t]->e[i].fold.absorbed)
                probe_emit(d, tabs[t], &tabs[t]->e[i], NET_DET_END);
    d->started = false;
}
