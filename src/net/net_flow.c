/* TCP flows and the reassembly of their first bytes (see net_flow.h).
 *
 * The table is NET_FLOW_SLOTS flows in buckets of FLOW_WAYS, keyed by a hash of the 4-tuple
 * that is the same from both ends. Per direction a flow holds the bytes it has in order
 * (len), and at most one run received ahead of a hole (ooo_seq, ooo_len), kept in the same
 * buffer at its place, so filling the hole joins them. */
#include "net/net_flow.h"
#include "core/kw_hash.h"
#include "core/kw_mem.h"

#include <stdlib.h>
#include <string.h>

#define FLOW_WAYS 4

/* A SYN makes no flow (a SYN flood would fill the table): it leaves its sequence number
 * here, where the flow's first byte of data finds it. */
#define ISN_SLOTS (1u << 16)
typedef struct {
    uint32_t tag;               /* the flow hash's high half, 0: empty */
    uint32_t next;              /* the client's first byte's sequence number */
    uint16_t cport;             /* the client's port: which end sent the SYN */
} isn_slot;

struct net_flows {
    isn_slot *isn;
    net_flow *f;
    uint64_t *tag;              /* f[i]'s key hash (0: a free slot), apart: a bucket's four in one cache line */
    uint32_t slots, chunks;     /* powers of two; slots a multiple of FLOW_WAYS */
    uint8_t *pool;              /* NET_FLOW_CHUNKS x NET_FLOW_CLIENT_BUF */
    int32_t *free_chunks;
    uint32_t nfree;
    net_flow_consumer consume;
    void *arg;
    uint64_t ev[NET_FLOW_EV_COUNT];
    size_t active;
};

static const char *const event_names[NET_FLOW_EV_COUNT] = {
    "overlap_different_data", "gap", "buffer_full", "no_buffer", "evicted",
};

const char *net_flow_event_name(net_flow_event ev) { return ev < NET_FLOW_EV_COUNT ? event_names[ev] : "?"; }
uint64_t net_flows_events(const net_flows *t, net_flow_event ev) { return ev < NET_FLOW_EV_COUNT ? t->ev[ev] : 0; }
size_t net_flows_active(const net_flows *t) { return t->active; }

net_flows *net_flows_new_sized(uint32_t slots, uint32_t chunks, net_flow_consumer consume, void *arg)
{
    net_flows *t = kw_calloc(1, sizeof *t);
    t->slots = slots < FLOW_WAYS ? FLOW_WAYS : slots;
    t->chunks = chunks;
    t->f = kw_calloc(t->slots, sizeof *t->f);
    t->tag = kw_calloc(t->slots, sizeof *t->tag);
    t->isn = kw_calloc(ISN_SLOTS, sizeof *t->isn);
    t->pool = kw_malloc((size_t)(chunks ? chunks : 1) * NET_FLOW_CLIENT_BUF);
    t->free_chunks = kw_malloc((chunks ? chunks : 1) * sizeof *t->free_chunks);
    for (uint32_t i = 0; i < chunks; i++)
        t->free_chunks[i] = (int32_t)(chunks - 1 - i);
    t->nfree = chunks;
    t->consume = consume;
    t->arg = arg;
    return t;
}

net_flows *net_flows_new(net_flow_consumer consume, void *arg)
{
    return net_flows_new_sized(NET_FLOW_SLOTS, NET_FLOW_CHUNKS, consume, arg);
}

void net_flows_free(net_flows *t)
{
    if (!t)
        return;
    free(t->f);
    free(t->tag);
    free(t->isn);
    free(t->pool);
    free(t->free_chunks);
    free(t);
}

/* ---- keys ---- */

/* The same for both directions: each end folded to 64 bits with its port, the two combined
 * by operations that do not care for their order. */
static uint64_t end_key(const net_addr *a, uint16_t port)
{
    uint64_t x, y;
    memcpy(&x, a->b, 8);
    memcpy(&y, a->b + 8, 8);
    return a->v6 ? kw_mix64(x ^ kw_mix64(y)) ^ port : x << 16 ^ port; /* v4: the address in the low 32 bits */
}

static uint64_t flow_hash(const net_pkt *p)
{
    uint64_t a = end_key(&p->src, p->sport), b = end_key(&p->dst, p->dport);
    return kw_mix64((a + b) ^ (a ^ b) * 0x9e3779b97f4a7c15ULL) | 1;
}

static bool addr_same(const net_addr *a, const net_addr *b)
{
    return a->v6 == b->v6 && memcmp(a->b, b->b, 16) == 0;
}

/* The direction p travels in f, or -1 when p is not of f. */
static int flow_dir(const net_flow *f, const net_pkt *p)
{
    if (f->cport == p->sport && f->sport == p->dport && addr_same(&f->client, &p->src) && addr_same(&f->server, &p->dst))
        return NET_DIR_TO_SERVER;
    if (f->cport == p->dport && f->sport == p->sport && addr_same(&f->client, &p->dst) && addr_same(&f->server, &p->src))
        return NET_DIR_TO_CLIENT;
    return -1;
}

/* Which end of a connection picked up without its SYN is the server: the one on a
 * well-known port when the other is not, else the lower port (services listen low,
 * clients take ephemeral ports high), else the destination. */
static bool src_is_server(const net_pkt *p)
{
    if (p->sport < 1024 && p->dport >= 1024)
        return true;
    if (p->dport < 1024 && p->sport >= 1024)
        return false;
    return p->sport < p->dport;
}

/* ---- buffers ---- */

static uint8_t *dir_buf(net_flows *t, net_flow *f, int dir)
{
    if (dir == NET_DIR_TO_CLIENT)
        return f->sbuf;
    return f->chunk >= 0 ? t->pool + (size_t)f->chunk * NET_FLOW_CLIENT_BUF : NULL;
}

/* The client's buffer is taken with its first byte, so flows that never send one (a SYN
 * flood's) hold none. */
static void chunk_take(net_flows *t, net_flow *f)
{
    if (f->chunk >= 0 || f->had_chunk)
        return;
    f->had_chunk = true;
    if (t->nfree)
        f->chunk = t->free_chunks[--t->nfree];
    else
        t->ev[NET_FLOW_EV_NO_CHUNK]++;
}

static uint32_t dir_cap(int dir) { return dir == NET_DIR_TO_CLIENT ? NET_FLOW_SERVER_BUF : NET_FLOW_CLIENT_BUF; }

static void chunk_release(net_flows *t, net_flow *f)
{
    if (f->chunk >= 0) {
        t->free_chunks[t->nfree++] = f->chunk;
        f->chunk = -1;
    }
}

/* Hands the bytes held in order to the consumer and drops what it consumed. */
static void deliver(net_flows *t, net_flow *f, int dir, bool final)
{
    if (f->done >> dir & 1)
        return;
    uint8_t *b = dir_buf(t, f, dir);
    if (!b || (!f->len[dir] && !final))
        return;
    size_t used = t->consume(t->arg, f, dir, b, f->len[dir], final);
    if (used > f->len[dir])
        used = f->len[dir];
    if (used) {
        /* the run held ahead of a hole moves with the bytes before it */
        uint32_t end = f->len[dir];
        if (f->ooo_len[dir])
            end += (f->ooo_seq[dir] - f->next[dir]) + f->ooo_len[dir]; /* within the buffer: place() made sure */
        memmove(b, b + used, end - used);
        f->len[dir] -= (uint32_t)used;
    }
    f->gap &= (uint8_t)~(1u << dir);
    if (f->done >> dir & 1 && dir == NET_DIR_TO_SERVER)
        chunk_release(t, f);
}

/* Passes over bytes the consumer asked to skip (they follow every byte held); returns how
 * many of the n at next it took. A run held ahead of a hole is dropped once skipping starts:
 * its place would move. */
static uint32_t take_skip(net_flow *f, int dir, uint32_t n)
{
    uint32_t k = f->skip[dir] < n ? f->skip[dir] : n;
    if (k)
        f->ooo_len[dir] = 0;
    f->skip[dir] -= k;
    f->next[dir] += k;
    return k;
}

/* A retransmission's bytes that cover bytes already held: counted when they differ. */
static void check_overlap(net_flows *t, net_flow *f, int dir, const uint8_t *b, uint32_t seq, const uint8_t *d,
                          uint32_t n)
{
    uint32_t held_start = f->next[dir] - f->len[dir];
    uint32_t lo = (int32_t)(seq - held_start) > 0 ? seq : held_start;
    uint32_t hi = (int32_t)(seq + n - f->next[dir]) < 0 ? seq + n : f->next[dir];
    if (b && (int32_t)(hi - lo) > 0 && memcmp(b + (lo - held_start), d + (lo - seq), hi - lo) != 0)
        t->ev[NET_FLOW_EV_OVERLAP_DIFF]++;
}

/* Joins the run held ahead of a hole once the bytes before it reach it. */
static void join_ooo(net_flow *f, int dir)
{
    if (!f->ooo_len[dir] || (int32_t)(f->ooo_seq[dir] - f->next[dir]) > 0)
        return;
    uint32_t end = f->ooo_seq[dir] + f->ooo_len[dir];
    if ((int32_t)(end - f->next[dir]) > 0) {
        f->len[dir] += end - f->next[dir];
        f->next[dir] = end;
    }
    f->ooo_len[dir] = 0;
}

/* Drops what a direction holds and starts it again at seq, after bytes that never came. */
static void restart_at(net_flows *t, net_flow *f, int dir, uint32_t seq)
{
    deliver(t, f, dir, false);
    t->ev[NET_FLOW_EV_GAP]++;
    f->len[dir] = f->ooo_len[dir] = f->skip[dir] = 0;
    f->next[dir] = seq;
    f->gap |= (uint8_t)(1u << dir);
}

/* Copies k in-order bytes after those held; where they meet the run held ahead of a hole,
 * the held bytes stay (the first bytes win) and a difference is counted. */
static void copy_in(net_flows *t, net_flow *f, int dir, uint8_t *b, const uint8_t *d, uint32_t k)
{
    uint8_t *at = b + f->len[dir];
    uint32_t hole = f->ooo_seq[dir] - f->next[dir], run = f->ooo_len[dir];
    if (!run || k <= hole) {
        memcpy(at, d, k);
        return;
    }
    memcpy(at, d, hole);
    uint32_t both = k - hole < run ? k - hole : run;
    if (memcmp(at + hole, d + hole, both) != 0)
        t->ev[NET_FLOW_EV_OVERLAP_DIFF]++;
    if (k > hole + run)
        memcpy(at + hole + run, d + hole + run, k - hole - run);
}

/* Appends in-order bytes, making room by delivering; a buffer the consumer will not empty
 * ends the direction's delivery. */
static void append(net_flows *t, net_flow *f, int dir, const uint8_t *d, uint32_t n)
{
    uint8_t *b = dir_buf(t, f, dir);
    uint32_t cap = dir_cap(dir);
    while (n && !(f->done >> dir & 1)) {
        uint32_t room = cap - f->len[dir];
        if (!room) {
            deliver(t, f, dir, false);
            if (f->len[dir] == cap) {
                t->ev[NET_FLOW_EV_BUFFER_FULL]++;
                deliver(t, f, dir, true);
                f->done |= (uint8_t)(1u << dir);
                if (dir == NET_DIR_TO_SERVER)
                    chunk_release(t, f);
                return;
            }
            continue;
        }
        uint32_t k = n < room ? n : room;
        copy_in(t, f, dir, b, d, k);
        f->len[dir] += k;
        f->next[dir] += k;
        d += k;
        n -= k;
        join_ooo(f, dir);
        uint32_t skipped = take_skip(f, dir, n);
        d += skipped;
        n -= skipped;
    }
}

/* An in-order segment while nothing is held: the consumer reads it where it lies, and only
 * what it leaves is copied (most flows' first bytes say all that is wanted). Returns false
 * when nothing is left to hold; else *d, *n are what is left. */
static bool read_in_place(net_flows *t, net_flow *f, int dir, const uint8_t **d, uint32_t *n)
{
    size_t used = t->consume(t->arg, f, dir, *d, *n, false);
    f->gap &= (uint8_t)~(1u << dir);
    if (f->done >> dir & 1) {
        f->next[dir] += *n;
        if (dir == NET_DIR_TO_SERVER)
            chunk_release(t, f);
        return false;
    }
    if (used > *n)
        used = *n;
    f->next[dir] += (uint32_t)used;
    *d += used;
    *n -= (uint32_t)used;
    uint32_t k = take_skip(f, dir, *n);
    *d += k;
    *n -= k;
    return *n > 0;
}

/* Places a segment's payload of direction dir at its sequence number. */
static void place(net_flows *t, net_flow *f, int dir, uint32_t seq, const uint8_t *d, uint32_t n)
{
    if (!(f->seq_known >> dir & 1)) { /* picked up mid-stream */
        f->next[dir] = seq;
        f->seq_known |= (uint8_t)(1u << dir);
    }
    if (f->done >> dir & 1)
        return;
    f->data = true;
    uint8_t *b = dir_buf(t, f, dir);
    int32_t rel = (int32_t)(seq - f->next[dir]);
    if (rel < 0) { /* a retransmission: what is new is what lies past next */
        check_overlap(t, f, dir, b, seq, d, n);
        uint32_t old = f->next[dir] - seq;
        if (old >= n)
            return;
        d += old;
        n -= old;
        seq = f->next[dir];
        rel = 0;
    }
    if (rel == 0) {
        uint32_t k = take_skip(f, dir, n);
        d += k;
        n -= k;
        if (!n || (!f->len[dir] && !f->ooo_len[dir] && !read_in_place(t, f, dir, &d, &n)))
            return;
    }
    if (dir == NET_DIR_TO_SERVER && !b) { /* bytes to hold: the client's buffer now */
        chunk_take(t, f);
        b = dir_buf(t, f, dir);
    }
    if (!b) { /* no buffer: the consumer sees each segment alone, in order or not */
        uint32_t k = rel == 0 ? take_skip(f, dir, n) : 0;
        if (n > k)
            t->consume(t->arg, f, dir, d + k, n - k, false);
        f->next[dir] = seq + n;
        return;
    }
    if (rel == 0) {
        append(t, f, dir, d, n);
        deliver(t, f, dir, false);
        return;
    }
    /* ahead of a hole: hold it in place if it fits and joins the run already held */
    uint32_t cap = dir_cap(dir);
    bool fits = !f->skip[dir] && f->len[dir] + (uint32_t)rel + n <= cap;
    if (fits && f->ooo_len[dir]) {
        uint32_t rs = f->ooo_seq[dir], re = rs + f->ooo_len[dir], se = seq + n;
        if ((int32_t)(se - rs) >= 0 && (int32_t)(re - seq) >= 0) { /* touches the held run: join it */
            uint8_t *at = b + f->len[dir];
            if ((int32_t)(rs - seq) > 0)
                memcpy(at + rel, d, rs - seq);
            if ((int32_t)(se - re) > 0)
                memcpy(at + (re - f->next[dir]), d + (re - seq), se - re);
            uint32_t start = (int32_t)(rs - seq) > 0 ? seq : rs, end = (int32_t)(se - re) > 0 ? se : re;
            f->ooo_seq[dir] = start;
            f->ooo_len[dir] = end - start;
            return;
        }
        return; /* a second hole: one run is held; the sender will send this again */
    }
    if (fits) {
        memcpy(b + f->len[dir] + rel, d, n);
        f->ooo_seq[dir] = seq;
        f->ooo_len[dir] = n;
        return;
    }
    restart_at(t, f, dir, seq);
    place(t, f, dir, seq, d, n);
}

/* ---- the table ---- */

static void flow_end(net_flows *t, net_flow *f)
{
    deliver(t, f, NET_DIR_TO_SERVER, true);
    deliver(t, f, NET_DIR_TO_CLIENT, true);
    chunk_release(t, f);
    t->tag[f - t->f] = 0;
    t->active--;
}

static net_flow *flow_claim(net_flows *t, net_flow *b, uint64_t h, const net_pkt *p, bool client_is_src)
{
    /* room: a free slot, else the stalest flow that never carried a byte (a SYN flood's),
     * else the stalest */
    uint64_t *tb = t->tag + (b - t->f);
    net_flow *victim = NULL;
    for (int i = 0; i < FLOW_WAYS; i++)
        if (!tb[i]) {
            victim = &b[i];
            break;
        } else if (!victim || (victim->data && !b[i].data) ||
                   (victim->data == b[i].data && b[i].last_ns < victim->last_ns)) {
            victim = &b[i];
        }
    if (tb[victim - b]) {
        t->ev[NET_FLOW_EV_EVICTED]++;
        flow_end(t, victim);
    }
    net_flow *f = victim;
    memset(f, 0, offsetof(net_flow, sbuf));
    t->tag[f - t->f] = h;
    f->client = client_is_src ? p->src : p->dst;
    f->server = client_is_src ? p->dst : p->src;
    f->cport = client_is_src ? p->sport : p->dport;
    f->sport = client_is_src ? p->dport : p->sport;
    f->first_ns = f->last_ns = p->ts_ns;
    f->chunk = -1;
    t->active++;
    return f;
}

void net_flows_packet(net_flows *t, const net_pkt *p)
{
    uint8_t fl = p->tcp_flags;
    bool syn = fl & NET_TH_SYN, ack = fl & NET_TH_ACK, fin = fl & NET_TH_FIN, rst = fl & NET_TH_RST;
    if (!p->payload_len && !(fl & (NET_TH_SYN | NET_TH_FIN | NET_TH_RST)))
        return; /* a bare ACK neither makes, moves nor ends a flow */
    uint64_t h = flow_hash(p);
    size_t base = (size_t)(h & (t->slots / FLOW_WAYS - 1)) * FLOW_WAYS;
    net_flow *b = t->f + base, *f = NULL;
    const uint64_t *tb = t->tag + base;
    int dir = -1;
    for (int i = 0; i < FLOW_WAYS && !f; i++)
        if (tb[i] == h && (dir = flow_dir(&b[i], p)) >= 0)
            f = &b[i];
    if (!f) {
        /* a flow starts with its first byte of data: the SYN, if seen, said which end is the
         * client and where its bytes begin */
        isn_slot *is = &t->isn[h & (ISN_SLOTS - 1)];
        uint32_t tag = (uint32_t)(h >> 32) | 1;
        if (syn && !ack && !p->payload_len) {
            *is = (isn_slot){tag, p->tcp_seq + 1, p->sport};
            return;
        }
        if (rst || fin || !p->payload_len)
            return;
        bool known = is->tag == tag, client_is_src = known ? is->cport == p->sport : syn ? !ack : !src_is_server(p);
        f = flow_claim(t, b, h, p, client_is_src);
        dir = client_is_src ? NET_DIR_TO_SERVER : NET_DIR_TO_CLIENT;
        if (known) {
            f->next[NET_DIR_TO_SERVER] = is->next;
            f->seq_known |= 1u << NET_DIR_TO_SERVER;
            is->tag = 0;
        }
    }
    f->last_ns = p->ts_ns;
    if (syn) { /* the direction's first byte follows the SYN's sequence number */
        if (!(f->seq_known >> dir & 1) || !f->len[dir]) {
            f->next[dir] = p->tcp_seq + 1;
            f->ooo_len[dir] = 0; /* held relative to the old start */
            f->seq_known |= (uint8_t)(1u << dir);
        }
    }
    if (p->payload_len && p->payload)
        place(t, f, dir, syn ? p->tcp_seq + 1 : p->tcp_seq, p->payload, p->payload_len);
    if (rst) {
        flow_end(t, f);
    } else if (fin) {
        deliver(t, f, dir, true);
        f->done |= (uint8_t)(1u << dir);
        if (dir == NET_DIR_TO_SERVER)
            chunk_release(t, f);
        if (f->done == 3)
            flow_end(t, f);
    }
}

void net_flows_finish(net_flows *t)
{
    for (size_t i = 0; i < t->slots; i++)
        if (t->tag[i])
            flow_end(t, &t->f[i]);
}
