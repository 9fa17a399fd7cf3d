/* Attack detectors over decoded packets, in capture time.
 *
 * Every table is fixed in size, so a flood from a million spoofed sources costs the same
 * memory as one from a single host:
 *   pending   SYNs waiting for the client's ACK (a completed handshake): a 32-bit fingerprint
 *             of the 4-tuple per slot, 256 KiB, so the lookup every ACK makes stays in cache
 *   floods    per target host and protocol: the current second's counters, a HyperLogLog
 *             of sources, the busiest source prefixes and ports
 *   pairs     per (source, target host): ports probed, and which of them answered
 *   sweeps    per (source, port, protocol): hosts probed, and which answered
 *   brutes    per (source, target, auth port): completed connections in a sliding window
 * Scans and sweeps count probes that did not become a session: a TCP SYN whose handshake the
 * prober never completed (nmap's SYN scan resets after the SYN-ACK; closed ports reset at
 * once), a UDP datagram that got no reply. A monitoring system that connects to twenty open
 * ports, or a proxy reaching many web servers, completes its handshakes and is not scanning.
 * (A connect scan of open ports completes them too: it is caught only where ports are
 * closed.) Echo requests count whether answered or not. SYN floods count SYNs that did not complete a handshake, so
 * a busy web server is not a flood. */
#include "net/net.h"
#include "core/kw_json.h"
#include "conf/conf.h"
#include "core/kw_mem.h"

#include <arpa/inet.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS 1000000000LL
#define PENDING_SLOTS (1u << 16)
#define EST_BITS (1u << 20)       /* per established-connection filter: 128 KiB */
#define EST_ROTATE_S 300          /* the older filter is dropped every five minutes */
#define EST_WARMUP_S 60           /* ACKs in the first minute are taken as established */
#define FLOOD_SLOTS 1024u
#define PAIR_SLOTS (1u << 14)
#define SWEEP_SLOTS (1u << 12)
#define BRUTE_SLOTS (1u << 12)
#define PROBE_LIMIT 16            /* linear probes before evicting */
#define SET_MAX 64                /* ports or hosts remembered per scan or sweep */
#define HLL_P 8
#define PROTO_RST 0xf1            /* flood table keys for RST and ACK floods */
#define PROTO_ACK 0xf2
#define TOPK 8
#define BRUTE_BUCKETS 6

static const uint16_t amplification_ports[] = {19, 53, 111, 123, 137, 161, 389, 520, 1900, 3283, 3702,
                                               5353, 11211, 27015};

void net_thresholds_default(net_thresholds *t)
{
    memset(t, 0, sizeof *t);
    t->flood_pps = 1000;
    t->syn_half_open_pps = 500;
    t->flood_for_s = 2;
    t->flood_end_s = 5;
    t->scan_ports = 15;
    t->sweep_hosts = 16;
    t->scan_window_s = 300;
    t->brute_sessions = 30;
    t->brute_window_s = 60;
    t->idle_end_s = 30;
    static const uint16_t auth[] = {21, 22, 23, 110, 143, 389, 445, 1433, 1521, 3306, 3389, 5432, 5900, 6379, 27017};
    t->n_auth_ports = sizeof auth / sizeof auth[0];
    memcpy(t->auth_ports, auth, sizeof auth);
    t->spike_factor = 5;
    t->spike_min_pps = 1000;
    t->spike_for_s = 10;
    t->spike_learn_s = 600;
}

/* Parses "a.b.c.d[/n]" or an IPv6 prefix; false if it is not one. */
bool net_prefix_parse(const char *s, net_addr *a, int *bits)
{
    char buf[64];
    kw_strlcpy(buf, s, sizeof buf);
    char *slash = strchr(buf, '/');
    if (slash)
        *slash = '\0';
    memset(a, 0, sizeof *a);
    a->v6 = strchr(buf, ':') != NULL;
    if (inet_pton(a->v6 ? AF_INET6 : AF_INET, buf, a->b) != 1)
        return false;
    int max = a->v6 ? 128 : 32;
    *bits = max;
    if (slash) {
        char *end;
        long b = strtol(slash + 1, &end, 10);
        if (end == slash + 1 || *end || b < 0 || b > max)
            return false;
        *bits = (int)b;
    }
    return true;
}

void net_thresholds_from_conf(const conf *c, net_thresholds *t)
{
    net_thresholds_default(t);
    t->flood_pps = c->net.flood_pps;
    t->syn_half_open_pps = c->net.syn_half_open_pps;
    t->flood_for_s = c->net.flood_for_ms / 1000;
    t->flood_end_s = c->net.flood_end_ms / 1000;
    t->scan_ports = c->net.scan_ports;
    t->sweep_hosts = c->net.sweep_hosts;
    t->scan_window_s = c->net.scan_window_ms / 1000;
    t->brute_sessions = c->net.brute_sessions;
    t->brute_window_s = c->net.brute_window_ms / 1000;
    t->idle_end_s = c->net.idle_end_ms / 1000;
    t->n_auth_ports = c->net.auth_ports.n < 32 ? c->net.auth_ports.n : 32;
    memcpy(t->auth_ports, c->net.auth_ports.v, t->n_auth_ports * sizeof(uint16_t));
    for (size_t i = 0; i < c->net.allow.n && t->n_allow < 64; i++)
        if (net_prefix_parse(c->net.allow.v[i], &t->allow[t->n_allow].a, &t->allow[t->n_allow].bits))
            t->n_allow++;
    t->spike_factor = c->net.spike_factor;
    t->spike_min_pps = c->net.spike_min_pps;
    t->spike_for_s = c->net.spike_for_ms / 1000;
    t->spike_learn_s = c->net.spike_learn_ms / 1000;
    /* every asset is watched; every group is watched and may override flood thresholds */
    for (size_t i = 0; i < c->assets.n && t->n_targets < 64; i++) {
        const conf_asset *as = CONF_AT(c->assets, conf_asset, i);
        __typeof__(t->targets[0]) *w = &t->targets[t->n_targets];
        memset(w, 0, sizeof *w);
        kw_strlcpy(w->name, as->name, sizeof w->name);
        w->pps_ceiling = w->bps_ceiling = NAN;
        for (size_t k = 0; k < as->addresses.n && w->n < 16; k++)
            if (net_prefix_parse(as->addresses.v[k], &w->a[w->n], &w->bits[w->n]))
                w->n++;
        if (w->n)
            t->n_targets++;
    }
    for (size_t i = 0; i < c->net.groups.n; i++) {
        const conf_net_group *g = CONF_AT(c->net.groups, conf_net_group, i);
        /* the group's prefixes, and the addresses of its assets */
        size_t nlist = g->prefixes.n;
        for (size_t k = 0; k < g->assets.n; k++) {
            const conf_asset *as = conf_asset_find(c, g->assets.v[k]);
            nlist += as ? as->addresses.n : 0;
        }
        char **list = kw_calloc(nlist + 1, sizeof(char *));
        nlist = 0;
        for (size_t k = 0; k < g->prefixes.n; k++)
            list[nlist++] = g->prefixes.v[k];
        for (size_t k = 0; k < g->assets.n; k++) {
            const conf_asset *as = conf_asset_find(c, g->assets.v[k]);
            for (size_t m = 0; as && m < as->addresses.n; m++)
                list[nlist++] = as->addresses.v[m];
        }
        __typeof__(t->targets[0]) *w = t->n_targets < 64 ? &t->targets[t->n_targets] : NULL;
        if (w) {
            memset(w, 0, sizeof *w);
            kw_strlcpy(w->name, g->name, sizeof w->name);
            w->pps_ceiling = g->pps_ceiling;
            w->bps_ceiling = g->bps_ceiling;
        }
        for (size_t k = 0; k < nlist; k++) {
            net_addr a;
            int bits;
            if (!net_prefix_parse(list[k], &a, &bits))
                continue;
            if (w && w->n < 16) {
                w->a[w->n] = a;
                w->bits[w->n++] = bits;
            }
            if (t->n_overrides < 128 && (!isnan(g->flood_pps) || !isnan(g->syn_half_open_pps))) {
                t->overrides[t->n_overrides].a = a;
                t->overrides[t->n_overrides].bits = bits;
                t->overrides[t->n_overrides].flood_pps = g->flood_pps;
                t->overrides[t->n_overrides++].syn_half_open_pps = g->syn_half_open_pps;
            }
        }
        if (w && w->n)
            t->n_targets++;
        free(list);
    }
}

bool net_addr_in(const net_addr *a, const net_addr *prefix, int bits)
{
    if (a->v6 != prefix->v6)
        return false;
    int full = bits / 8, rest = bits % 8;
    if (memcmp(a->b, prefix->b, (size_t)full) != 0)
        return false;
    return !rest || ((a->b[full] ^ prefix->b[full]) & (0xff << (8 - rest))) == 0;
}

/* ---- hashing and sketches ---- */

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t addr_hash(const net_addr *a, uint64_t seed)
{
    uint64_t x, y;
    memcpy(&x, a->b, 8);
    memcpy(&y, a->b + 8, 8);
    return mix64(x ^ mix64(y ^ seed ^ a->v6));
}

static bool addr_eq(const net_addr *a, const net_addr *b)
{
    return a->v6 == b->v6 && memcmp(a->b, b->b, a->v6 ? 16 : 4) == 0;
}

static void hll_add(uint8_t *reg, uint64_t h)
{
    unsigned idx = (unsigned)(h >> (64 - HLL_P));
    uint64_t rest = h << HLL_P;
    uint8_t rank = rest ? (uint8_t)(__builtin_clzll(rest) + 1) : (uint8_t)(64 - HLL_P + 1);
    if (rank > reg[idx])
        reg[idx] = rank;
}

static uint64_t hll_estimate(const uint8_t *reg)
{
    const double m = 1 << HLL_P;
    double sum = 0;
    int zeros = 0;
    for (int i = 0; i < (1 << HLL_P); i++) {
        sum += ldexp(1.0, -reg[i]);
        zeros += reg[i] == 0;
    }
    double e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
    if (e <= 2.5 * m && zeros)
        e = m * log(m / zeros); /* linear counting for small sets */
    return (uint64_t)(e + 0.5);
}

/* Space-saving top-k (Metwally et al.): the k heaviest keys in bounded memory. n[i] may
 * overcount key[i] by at most err[i]; n[i] - err[i] is guaranteed. */
typedef struct {
    uint64_t key[TOPK];
    uint64_t n[TOPK];
    uint64_t err[TOPK];
} topk;

static void topk_add(topk *t, uint64_t key)
{
    int min = 0;
    for (int i = 0; i < TOPK; i++) {
        if (t->n[i] && t->key[i] == key) {
            t->n[i]++;
            return;
        }
        if (t->n[i] < t->n[min])
            min = i;
    }
    t->key[min] = key;
    t->err[min] = t->n[min];
    t->n[min]++;
}

/* Weighted space-saving for the talkers: bytes per address; the lightest counter is taken
 * over by a new address (which inherits its count as possible error). */
#define TALKERS 32
typedef struct {
    uint64_t h[TALKERS];         /* the address's hash, 0: free */
    net_addr a[TALKERS];
    uint64_t bytes[TALKERS], pkts[TALKERS];
} talkers;

static void talkers_add(talkers *t, const net_addr *a, uint64_t h, uint64_t bytes)
{
    int min = 0;
    for (int i = 0; i < TALKERS; i++) {
        if (t->h[i] == h && addr_eq(&t->a[i], a)) {
            t->bytes[i] += bytes;
            t->pkts[i]++;
            return;
        }
        if (t->bytes[i] < t->bytes[min])
            min = i;
    }
    t->h[min] = h;
    t->a[min] = *a;
    t->bytes[min] += bytes;
    t->pkts[min]++;
}

/* ---- tables ---- */


typedef struct {
    bool used, active;
    net_addr dst;
    uint8_t proto;              /* 6: SYN flood, 17: UDP flood, 1/58: ICMP flood */
    uint64_t pkts, bytes, syns, completions; /* this second */
    uint8_t hll[1 << HLL_P];
    topk ports, sports, prefixes, sources;
    double limit;               /* the rate that makes it hot, for this target */
    uint64_t total_pkts;        /* since the first hot second */
    uint64_t prefix_total;      /* packets counted into the prefixes sketch */
    int hot, cool;
    bool fired_now;
    int64_t hot_since;
    net_detection det;
} flood_entry;

typedef struct {
    bool fired;                 /* (whether a slot is in use is its tag's business) */
    net_addr a, b;              /* pairs: source, target; sweeps: source, - ; brutes: source, target */
    uint16_t port;
    uint8_t proto;
    int64_t first_ns, last_ns;
    uint32_t n, answered;
    uint64_t probes;
    uint8_t probe_proto;        /* pairs: the protocol of the last probe */
    uint64_t used_mask;         /* bit i: set slot i holds a key */
    uint64_t answered_mask;     /* bit i: the key in slot i answered */
    int64_t fire_ns;            /* when it fired (fired set) */
    uint8_t kind;               /* 0 port_scan, 1 host_sweep, 2 brute_force */
    /* not cleared when an entry is claimed: n and the bucket starts say what is valid */
    union {
        uint32_t set[SET_MAX];  /* ports, or 32-bit hashes of hosts */
        struct {
            uint32_t bucket[BRUTE_BUCKETS];
            int64_t bucket_start[BRUTE_BUCKETS];
            uint64_t sessions;
        } brute;
    } u;
} probe_entry;

/* A probe table: tags (the key's hash, 0 when empty) and last-seen times are searched first,
 * in two cache lines per lookup; the entries are touched only on a tag match. */
typedef struct {
    uint64_t *tag;
    int64_t *last;              /* last_ns, or INT64_MAX for entries that fired (not evicted) */
    probe_entry *e;
    unsigned slots;
} probe_table;

struct net_detector {
    net_thresholds t;
    net_emit_fn emit;
    void *arg;
    int64_t sec;                /* the capture second being counted */
    int64_t next_ns;            /* when the next second begins */
    bool started;
    uint32_t *pending;
    uint64_t *est[2];           /* bit filters of established 4-tuples: current, previous */
    int64_t est_rotated, first_sec;
    flood_entry *floods;
    probe_table pairs, sweeps, brutes;
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
    int talk_cur;
    int64_t talk_start;         /* the second the counting window began */
};

static void table_init(probe_table *t, unsigned slots)
{
    t->slots = slots;
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
    d->pending = kw_calloc(PENDING_SLOTS, sizeof *d->pending);
    d->est[0] = kw_calloc(EST_BITS / 64, sizeof(uint64_t));
    d->est[1] = kw_calloc(EST_BITS / 64, sizeof(uint64_t));
    d->floods = kw_calloc(FLOOD_SLOTS, sizeof *d->floods);
    table_init(&d->pairs, PAIR_SLOTS);
    table_init(&d->sweeps, SWEEP_SLOTS);
    table_init(&d->brutes, BRUTE_SLOTS);
    return d;
}

void net_detector_free(net_detector *d)
{
    if (!d)
        return;
    free(d->pending);
    free(d->est[0]);
    free(d->est[1]);
    free(d->floods);
    table_free(&d->pairs);
    table_free(&d->sweeps);
    table_free(&d->brutes);
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
        return mix64((uint64_t)(a ^ b) << 32 ^ lo ^ ((uint64_t)(a + b) << 7));
    }
    uint64_t a = addr_hash(&p->src, p->sport), b = addr_hash(&p->dst, p->dport);
    return mix64(a ^ b);
}

static void est_add(net_detector *d, uint64_t h)
{
    for (int k = 0; k < 2; k++) {
        uint32_t bit = (uint32_t)(h >> (32 * k)) & (EST_BITS - 1);
        d->est[0][bit / 64] |= 1ull << (bit % 64);
    }
}

/* 1 if the tuple is in the current filter, 2 if only in the previous one, 0 if in neither. */
static int est_find(const net_detector *d, uint64_t h)
{
    for (int f = 0; f < 2; f++) {
        bool all = true;
        for (int k = 0; k < 2 && all; k++) {
            uint32_t bit = (uint32_t)(h >> (32 * k)) & (EST_BITS - 1);
            all = d->est[f][bit / 64] >> (bit % 64) & 1;
        }
        if (all)
            return f + 1;
    }
    return 0;
}

/* The hash of a TCP 4-tuple, client first. */
static uint64_t tuple_hash(const net_pkt *p)
{
    uint64_t ports = (uint64_t)p->sport << 16 | p->dport;
    if (!p->src.v6) {
        uint32_t a, b;
        memcpy(&a, p->src.b, 4);
        memcpy(&b, p->dst.b, 4);
        return mix64(((uint64_t)a << 32 | b) ^ mix64(ports));
    }
    return addr_hash(&p->src, addr_hash(&p->dst, ports));
}

/* Finds or claims the probe entry for (a, b, port, proto); NULL when the table is full of
 * attacks in progress. A claim evicts the stalest entry that has not fired. */
static probe_entry *probe_get(probe_table *t, const net_addr *a, const net_addr *b, uint16_t port, uint8_t proto,
                              int64_t now, bool create)
{
    uint64_t h = addr_hash(a, addr_hash(b, (uint64_t)port << 8 | proto)) | 1;
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
    memset(e, 0, offsetof(probe_entry, u));
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
    uint64_t h = addr_hash(dst, proto);
    flood_entry *victim = NULL;
    for (unsigned i = 0; i < PROBE_LIMIT; i++) {
        flood_entry *e = &d->floods[(h + i) & (FLOOD_SLOTS - 1)];
        if (e->used && e->proto == proto && addr_eq(&e->dst, dst))
            return e;
        if (!e->used && !victim)
            victim = e;
        else if (e->used && !e->active && (!victim || (victim->used && e->pkts < victim->pkts)))
            victim = e;
    }
    if (!create || !victim)
        return NULL;
    memset(victim, 0, sizeof *victim);
    victim->used = true;
    victim->dst = *dst;
    victim->proto = proto;
    /* the target's own threshold, from the most specific override that covers it */
    victim->limit = proto == 6 ? d->t.syn_half_open_pps : d->t.flood_pps; /* also RST, ACK */
    int best = -1;
    for (size_t i = 0; i < d->t.n_overrides; i++) {
        double v = proto == 6 ? d->t.overrides[i].syn_half_open_pps : d->t.overrides[i].flood_pps;
        if (!isnan(v) && d->t.overrides[i].bits > best &&
            net_addr_in(dst, &d->t.overrides[i].a, d->t.overrides[i].bits)) {
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
    net_addr_str(&a, s, sizeof s);
    snprintf(out, n, "%s/%d", s, a.v6 ? 48 : 24);
}

static void flood_finish(net_detector *d, flood_entry *f)
{
    net_detection *x = &f->det;
    x->distinct_sources = hll_estimate(f->hll);
    x->packets = f->total_pkts;
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
    /* one source sending nearly everything is not spoofed: name it */
    int top = 0;
    for (int i = 1; i < TOPK; i++)
        if (f->sources.n[i] > f->sources.n[top])
            top = i;
    if (x->distinct_sources <= 3 && f->sources.n[top] * 10 >= x->packets * 9)
        x->has_src = true; /* x->src holds the last sender, which is then that one */
    d->emit(d->arg, NET_DET_END, x);
    f->active = false;
    f->hot = f->cool = 0;
}

static void flood_second(net_detector *d, flood_entry *f, int64_t sec_end_ns)
{
    bool syn = f->proto == 6;
    double rate = syn ? (double)(f->syns > f->completions ? f->syns - f->completions : 0) : (double)f->pkts;
    /* stray ACKs and RSTs from a handful of sources are a connection keepwatch did not see
     * open, or a scan's answers: a flood of them comes from many (spoofed) sources */
    if ((f->proto == PROTO_ACK || f->proto == PROTO_RST) && !f->active && hll_estimate(f->hll) < 64)
        rate = 0;
    double limit = f->limit;
    if (rate >= limit) {
        if (!f->hot)
            f->hot_since = sec_end_ns - NS;
        f->hot++;
        f->cool = 0;
        if (!f->active && f->hot >= d->t.flood_for_s) {
            f->active = true;
            const char *action = syn                      ? "syn_flood"
                                 : f->proto == 17         ? "udp_flood"
                                 : f->proto == PROTO_RST  ? "rst_flood"
                                 : f->proto == PROTO_ACK  ? "ack_flood"
                                                          : "icmp_flood";
            det_init(&f->det, action, "T1498", "Network Denial of Service", 4);
            f->det.has_dst = true;
            f->det.dst = f->dst;
            f->det.proto = f->proto == PROTO_RST || f->proto == PROTO_ACK ? 6 : f->proto;
            f->det.start_ns = f->hot_since;
            f->det.fire_ns = sec_end_ns;
            f->fired_now = true;
        }
    } else if (f->active && rate < limit / 2) {
        f->cool++;
    } else if (!f->active) {
        f->hot = 0;
    }
    if (f->active) {
        net_detection *x = &f->det;
        x->end_ns = sec_end_ns;
        x->bytes += f->bytes;
        f->total_pkts += f->pkts;
        if (rate > x->peak_pps)
            x->peak_pps = rate;
        if ((double)f->bytes * 8 > x->peak_bps)
            x->peak_bps = (double)f->bytes * 8;
        /* the dominant target port (and reflecting source port), if one carries half */
        int p = 0, s = 0;
        uint64_t n = 0;
        for (int i = 0; i < TOPK; i++) {
            n += f->ports.n[i];
            if (f->ports.n[i] > f->ports.n[p])
                p = i;
            if (f->sports.n[i] > f->sports.n[s])
                s = i;
        }
        if (f->proto != 1 && f->proto != 58 && n && f->ports.n[p] * 2 >= n) {
            x->has_dport = true;
            x->dport = (uint16_t)f->ports.key[p];
        }
        if (f->proto == 17 && n && f->sports.n[s] * 2 >= n)
            for (size_t i = 0; i < sizeof amplification_ports / sizeof amplification_ports[0]; i++)
                if (f->sports.key[s] == amplification_ports[i]) {
                    x->has_sport = true;
                    x->sport = amplification_ports[i];
                    if (!x->has_dport || f->ports.n[p] * 2 < n)
                        x->has_dport = false;
                }
        if (f->fired_now || (sec_end_ns - f->det.fire_ns) % (5 * NS) == 0) {
            x->packets = f->total_pkts;
            x->distinct_sources = hll_estimate(f->hll);
            d->emit(d->arg, f->fired_now ? NET_DET_FIRE : NET_DET_UPDATE, x);
            f->fired_now = false;
        }
        if (f->cool >= d->t.flood_end_s)
            flood_finish(d, f);
    }
    bool idle = !f->active && !f->hot && !f->pkts;
    f->pkts = f->bytes = f->syns = f->completions = 0;
    if (!f->active) { /* sketches describe the attack: restart them while quiet */
        if (!f->hot) {
            memset(f->hll, 0, sizeof f->hll);
            memset(&f->ports, 0, sizeof f->ports);
            memset(&f->sports, 0, sizeof f->sports);
            memset(&f->prefixes, 0, sizeof f->prefixes);
            memset(&f->sources, 0, sizeof f->sources);
            f->total_pkts = f->prefix_total = 0;
        }
    }
    if (idle)
        f->used = false;
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
    } else if (e->kind == 1) {
        det_init(&x, "host_sweep", "T1046", "Network Service Discovery", 3);
        x.has_src = true;
        x.has_dport = e->proto != 1 && e->proto != 58;
        x.dport = e->port;
        x.hosts = e->n;
        x.proto = e->proto;
    } else {
        det_init(&x, "brute_force", "T1110", "Brute Force", 3);
        x.has_src = x.has_dst = x.has_dport = true;
        x.dport = e->port;
        x.sessions = e->u.brute.sessions;
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

static void probe_second(net_detector *d, probe_table *t, int kind, int64_t now)
{
    for (unsigned i = 0; i < t->slots; i++) {
        if (!t->tag[i])
            continue;
        probe_entry *e = &t->e[i];
        if (e->fired) {
            if (now - e->last_ns >= d->t.idle_end_s * NS)
                probe_emit(d, t, e, NET_DET_END);
            continue;
        }
        int64_t window = (kind == 2 ? d->t.brute_window_s : d->t.scan_window_s) * NS;
        if (now - e->last_ns >= window) { /* quiet too long to be one attack: forget it */
            probe_release(t, e);
            continue;
        }
        bool fire = false;
        uint64_t unanswered = e->n - e->answered;
        bool recent = now - e->first_ns <= window + NS;
        if (kind == 0)
            fire = recent && (int64_t)unanswered >= d->t.scan_ports;
        else if (kind == 1)
            fire = recent && (int64_t)unanswered >= d->t.sweep_hosts;
        else {
            uint64_t sum = 0;
            for (int k = 0; k < BRUTE_BUCKETS; k++)
                if (now - e->u.brute.bucket_start[k] < window)
                    sum += e->u.brute.bucket[k];
            fire = (int64_t)sum >= d->t.brute_sessions;
        }
        if (fire) {
            e->fired = true;
            e->kind = (uint8_t)kind;
            e->fire_ns = now;
            t->last[i] = INT64_MAX; /* an attack in progress is never evicted */
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
        if (d->floods[f].used && d->floods[f].active)
            for (size_t k = 0; k < t->n; k++)
                if (net_addr_in(&d->floods[f].dst, &t->a[k], t->bits[k]))
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
    bool taken[TALKERS] = {0};
    while (n < max) { /* selection: 32 counters */
        int best = -1;
        for (int i = 0; i < TALKERS; i++)
            if (t->h[i] && !taken[i] && (best < 0 || t->bytes[i] > t->bytes[best]))
                best = i;
        if (best < 0)
            break;
        taken[best] = true;
        out[n].addr = t->a[best];
        out[n].bytes = t->bytes[best];
        out[n].packets = t->pkts[best];
        n++;
    }
    return n;
}

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
            if (d->floods[i].used)
                flood_second(d, &d->floods[i], end);
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
    probe_second(d, &d->pairs, 0, now);
    probe_second(d, &d->sweeps, 1, now);
    probe_second(d, &d->brutes, 2, now);
    d->sec = sec;
    d->next_ns = (sec + 1) * NS;
}

/* Adds a port (pairs) or a host's 32-bit hash (sweeps) to an entry's set, or marks it
 * answered. The set is a 64-slot open-addressing table filled to at most SET_FILL; past that,
 * new keys are still counted in n (a duplicate among them may be counted twice). */
#define SET_FILL 48
static void set_add(probe_entry *e, uint32_t key, bool answer)
{
    uint32_t k = key ? key : 1; /* 0 marks an empty slot */
    uint32_t stored = e->n < SET_FILL ? e->n : SET_FILL;
    for (uint32_t i = 0, slot = (k * 2654435761u) >> 26; i < SET_MAX; i++, slot = (slot + 1) & (SET_MAX - 1)) {
        if (!(e->used_mask >> slot & 1)) {
            if (answer)
                return; /* an answer to a probe we never saw */
            e->n++;
            if (stored < SET_FILL) {
                e->u.set[slot] = k;
                e->used_mask |= 1ull << slot;
            }
            return;
        }
        if (e->u.set[slot] == k) {
            if (answer && !(e->answered_mask >> slot & 1)) {
                e->answered_mask |= 1ull << slot;
                e->answered++;
            }
            return;
        }
    }
    if (!answer)
        e->n++;
}

static uint32_t host_key(const net_addr *h) { return (uint32_t)addr_hash(h, 0x4057); }

static void note_probe(net_detector *d, const net_pkt *p, uint16_t port, uint8_t proto)
{
    probe_entry *e = proto != 1 && proto != 58 ? probe_get(&d->pairs, &p->src, &p->dst, 0, 0, p->ts_ns, true) : NULL;
    if (e) {
        set_add(e, port, false);
        probe_touch(&d->pairs, e, p->ts_ns);
        e->probes++;
        e->probe_proto = proto;
    }
    net_addr none = {{0}, 0};
    e = probe_get(&d->sweeps, &p->src, &none, port, proto, p->ts_ns, true);
    if (e) {
        set_add(e, host_key(&p->dst), false);
        probe_touch(&d->sweeps, e, p->ts_ns);
        e->probes++;
    }
}

/* The probe from `prober` to `target`:port became a session (or got a UDP reply). */
static void note_answer(net_detector *d, const net_addr *prober, const net_addr *target, uint16_t port,
                        uint8_t proto, int64_t now)
{
    probe_entry *e = probe_get(&d->pairs, prober, target, 0, 0, now, false);
    if (e)
        set_add(e, port, true);
    net_addr none = {{0}, 0};
    e = probe_get(&d->sweeps, prober, &none, port, proto, now, false);
    if (e)
        set_add(e, host_key(target), true);
}

static void note_completion(net_detector *d, const net_pkt *p)
{
    flood_entry *f = flood_get(d, &p->dst, 6, false);
    if (f)
        f->completions++;
    note_answer(d, &p->src, &p->dst, p->dport, 6, p->ts_ns);
    if (!is_auth_port(d, p->dport))
        return;
    probe_entry *e = probe_get(&d->brutes, &p->src, &p->dst, p->dport, 6, p->ts_ns, true);
    if (!e)
        return;
    if (e->probes == 0) /* claimed just now: the buckets are not cleared on a claim */
        memset(&e->u.brute, 0, sizeof e->u.brute);
    int64_t width = d->t.brute_window_s * NS / BRUTE_BUCKETS;
    if (width <= 0)
        width = NS;
    int64_t start = p->ts_ns / width * width;
    int k = (int)((p->ts_ns / width) % BRUTE_BUCKETS);
    if (e->u.brute.bucket_start[k] != start) {
        e->u.brute.bucket_start[k] = start;
        e->u.brute.bucket[k] = 0;
    }
    e->u.brute.bucket[k]++;
    e->u.brute.sessions++;
    e->probes++;
    probe_touch(&d->brutes, e, p->ts_ns);
}

/* Counts p toward a flood on its target; true if the target is being flooded right now. */
static bool flood_count(net_detector *d, const net_pkt *p, uint8_t proto)
{
    flood_entry *f = flood_get(d, &p->dst, proto, true);
    if (!f)
        return false;
    f->pkts++;
    f->bytes += p->wirelen;
    if (proto == 6)
        f->syns++;
    /* the sketches describe a flood and are cleared every quiet second: feed them only once
     * this second looks like one (a quarter of the threshold), or it is one already */
    if (f->active || f->hot || (double)f->pkts * 4 >= f->limit) {
        uint64_t sh = addr_hash(&p->src, 0x5eed);
        hll_add(f->hll, sh);
        topk_add(&f->prefixes, prefix_key(&p->src));
        f->prefix_total++;
        topk_add(&f->sources, sh);
        f->det.src = p->src; /* the flood's last sender: named only if nearly all traffic is from one */
        if (p->has_ports) {
            topk_add(&f->ports, p->dport);
            topk_add(&f->sports, p->sport);
        }
    }
    return f->active || f->hot;
}

void net_detector_tick(net_detector *d, int64_t now_ns)
{
    if (d->started && now_ns >= d->next_ns)
        detector_advance(d, now_ns / NS);
}

void net_detector_packet(net_detector *d, const net_pkt *p)
{
    if (!d->started || p->ts_ns >= d->next_ns)
        detector_advance(d, p->ts_ns / NS);
    for (size_t i = 0; i < d->t.n_targets; i++)
        for (size_t k = 0; k < d->t.targets[i].n; k++)
            if (net_addr_in(&p->dst, &d->t.targets[i].a[k], d->t.targets[i].bits[k])) {
                d->watch[i].pkts++;
                d->watch[i].bytes += p->wirelen;
                break;
            }
    talkers_add(&d->talk[d->talk_cur][0], &p->src, addr_hash(&p->src, 0x7a1c) | 1, p->wirelen);
    talkers_add(&d->talk[d->talk_cur][1], &p->dst, addr_hash(&p->dst, 0x7a1c) | 1, p->wirelen);
    for (size_t i = 0; i < d->t.n_allow; i++)
        if (net_addr_in(&p->src, &d->t.allow[i].a, d->t.allow[i].bits))
            return;
    if (p->proto == 6 && p->has_ports) {
        uint8_t fl = p->tcp_flags;
        bool syn = fl & NET_TH_SYN, ack = fl & NET_TH_ACK, rst = fl & NET_TH_RST;
        if (syn && !ack) {
            uint64_t h = tuple_hash(p);
            d->pending[h & (PENDING_SLOTS - 1)] = (uint32_t)(h >> 32) | 1;
            /* the spoofed SYNs of a flood are not scans: spare the scan tables (a scan of a
             * host while it is being flooded goes unseen) */
            if (!flood_count(d, p, 6))
                note_probe(d, p, p->dport, 6);
        } else if (ack && !rst && !syn) {
            uint64_t h = tuple_hash(p);
            uint32_t *slot = &d->pending[h & (PENDING_SLOTS - 1)];
            uint64_t ch = conn_hash(p);
            int known;
            if (*slot && *slot == ((uint32_t)(h >> 32) | 1)) { /* the handshake's last step */
                *slot = 0;
                est_add(d, ch);
                note_completion(d, p);
            } else if (d->sec - d->first_sec < EST_WARMUP_S) {
                est_add(d, ch); /* connections older than keepwatch's watch */
            } else if ((known = est_find(d, ch)) != 0) {
                if (known == 2)
                    est_add(d, ch); /* still in use: carry it into the current filter */
            } else {
                flood_count(d, p, PROTO_ACK); /* an ACK of no connection keepwatch knows */
            }
        } else if (rst) {
            flood_count(d, p, PROTO_RST);
        } else if (!ack && !rst) { /* FIN, NULL and Xmas probes */
            note_probe(d, p, p->dport, 6);
        }
    } else if (p->proto == 17 && p->has_ports) {
        bool flooded = flood_count(d, p, 17);
        /* a UDP packet is a probe, and a reply answers the probe to its source port */
        note_answer(d, &p->dst, &p->src, p->sport, 17, p->ts_ns);
        if (!flooded)
            note_probe(d, p, p->dport, 17);
    } else if ((p->proto == 1 && p->icmp_type == 8) || (p->proto == 58 && p->icmp_type == 128)) {
        if (!flood_count(d, p, p->proto))
            note_probe(d, p, 0, p->proto);
    }
}

void net_detector_finish(net_detector *d)
{
    if (!d->started)
        return;
    /* close the current second, then end what is still under way */
    int64_t end = (d->sec + 1) * NS;
    for (unsigned i = 0; i < FLOOD_SLOTS; i++) {
        flood_entry *f = &d->floods[i];
        if (!f->used)
            continue;
        flood_second(d, f, end);
        if (f->used && f->active)
            flood_finish(d, f);
    }
    for (size_t i = 0; i < d->t.n_targets; i++) {
        watch_second(d, i, end);
        if (d->watch[i].active) {
            d->emit(d->arg, NET_DET_END, &d->watch[i].det);
            d->watch[i].active = false;
        }
    }
    probe_second(d, &d->pairs, 0, end);
    probe_second(d, &d->sweeps, 1, end);
    probe_second(d, &d->brutes, 2, end);
    probe_table *tabs[] = {&d->pairs, &d->sweeps, &d->brutes};
    for (int t = 0; t < 3; t++)
        for (unsigned i = 0; i < tabs[t]->slots; i++)
            if (tabs[t]->tag[i] && tabs[t]->e[i].fired)
                probe_emit(d, tabs[t], &tabs[t]->e[i], NET_DET_END);
    d->started = false;
}

/* ---- output ---- */

static const char *transport_name(uint8_t proto)
{
    switch (proto) {
    case 6: return "tcp";
    case 17: return "udp";
    case 1: return "icmp";
    case 58: return "ipv6-icmp";
    }
    return "ip";
}

void net_detection_text(const net_detection *x, kw_buf *out)
{
    char s[64] = "", t[64] = "";
    if (x->has_src)
        net_addr_str(&x->src, s, sizeof s);
    if (x->has_dst)
        net_addr_str(&x->dst, t, sizeof t);
    if (x->target[0]) {
        kw_buf_printf(out, "%s to %s: peak %.0f pps, %.1f Mbit/s (baseline %.0f pps), %.1f s", x->action, x->target,
                      x->peak_pps, x->peak_bps / 1e6, x->baseline_pps, (double)(x->end_ns - x->start_ns) / 1e9);
        return;
    }
    kw_buf_printf(out, "%s %s -> %s", x->action, x->has_src ? s : "(spoofed/many)", x->has_dst ? t : "(many hosts)");
    if (x->has_dport)
        kw_buf_printf(out, ":%u", x->dport);
    kw_buf_printf(out, "/%s, %.1f s", transport_name(x->proto), (double)(x->end_ns - x->start_ns) / 1e9);
    if (!strcmp(x->action, "port_scan"))
        kw_buf_printf(out, ", %llu ports", (unsigned long long)x->ports);
    else if (!strcmp(x->action, "host_sweep"))
        kw_buf_printf(out, ", %llu hosts", (unsigned long long)x->hosts);
    else if (!strcmp(x->action, "brute_force"))
        kw_buf_printf(out, ", %llu sessions", (unsigned long long)x->sessions);
    else
        kw_buf_printf(out, ", peak %.0f pps, ~%llu sources", x->peak_pps, (unsigned long long)x->distinct_sources);
}

void net_detection_ecs(const net_detection *x, kw_buf *out)
{
    kw_json j;
    kw_json_init(&j, out);
    char a[64];
    kw_json_obj_begin(&j);
    kw_json_kv_time(&j, "@timestamp", x->fire_ns / 1000000);
    kw_json_key(&j, "event");
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "kind", "alert");
    kw_json_key(&j, "category");
    kw_json_arr_begin(&j);
    kw_json_str(&j, "network");
    kw_json_str(&j, "intrusion_detection");
    kw_json_arr_end(&j);
    kw_json_kv_str(&j, "action", x->action);
    kw_json_kv_str(&j, "dataset", "keepwatch.net");
    kw_json_kv_int(&j, "severity", x->severity);
    kw_json_kv_time(&j, "start", x->start_ns / 1000000);
    kw_json_kv_time(&j, "end", x->end_ns / 1000000);
    kw_json_obj_end(&j);
    char ruleid[64];
    snprintf(ruleid, sizeof ruleid, "net.%s", x->action);
    kw_json_key(&j, "rule");
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "id", ruleid);
    kw_json_kv_str(&j, "name", x->action);
    kw_json_obj_end(&j);
    if (x->has_src || x->has_sport) {
        kw_json_key(&j, "source");
        kw_json_obj_begin(&j);
        if (x->has_src) {
            net_addr_str(&x->src, a, sizeof a);
            kw_json_kv_str(&j, "ip", a);
        }
        if (x->has_sport)
            kw_json_kv_int(&j, "port", x->sport);
        kw_json_obj_end(&j);
    }
    if (x->has_dst || x->has_dport) {
        kw_json_key(&j, "destination");
        kw_json_obj_begin(&j);
        if (x->has_dst) {
            net_addr_str(&x->dst, a, sizeof a);
            kw_json_kv_str(&j, "ip", a);
        }
        if (x->has_dport)
            kw_json_kv_int(&j, "port", x->dport);
        kw_json_obj_end(&j);
    }
    kw_json_key(&j, "network");
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "transport", transport_name(x->proto));
    kw_json_obj_end(&j);
    kw_json_key(&j, "threat");
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "framework", "MITRE ATT&CK");
    kw_json_key(&j, "technique");
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "id", x->technique);
    kw_json_kv_str(&j, "name", x->technique_name);
    kw_json_obj_end(&j);
    kw_json_obj_end(&j);
    kw_buf msg;
    kw_buf_init(&msg, 1024);
    net_detection_text(x, &msg);
    kw_json_kv_str(&j, "message", kw_buf_cstr(&msg));
    kw_buf_free(&msg);
    kw_json_key(&j, "keepwatch");
    kw_json_obj_begin(&j);
    kw_json_key(&j, "net");
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "packets", (int64_t)x->packets);
    if (x->bytes)
        kw_json_kv_int(&j, "bytes", (int64_t)x->bytes);
    if (x->peak_pps > 0) {
        kw_json_kv_num(&j, "peak_pps", x->peak_pps);
        kw_json_kv_num(&j, "peak_bps", x->peak_bps);
        kw_json_kv_int(&j, "distinct_sources", (int64_t)x->distinct_sources);
        kw_json_key(&j, "top_source_prefixes");
        kw_json_arr_begin(&j);
        for (int i = 0; i < x->ntop; i++)
            kw_json_str(&j, x->top_prefixes[i]);
        kw_json_arr_end(&j);
    }
    if (x->target[0]) {
        kw_json_kv_str(&j, "target", x->target);
        kw_json_kv_num(&j, "baseline_pps", x->baseline_pps);
    }
    if (x->ports)
        kw_json_kv_int(&j, "ports", (int64_t)x->ports);
    if (x->hosts)
        kw_json_kv_int(&j, "hosts", (int64_t)x->hosts);
    if (x->sessions)
        kw_json_kv_int(&j, "sessions", (int64_t)x->sessions);
    kw_json_obj_end(&j);
    kw_json_obj_end(&j);
    kw_json_obj_end(&j);
}
