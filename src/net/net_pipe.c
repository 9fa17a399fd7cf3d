/* The detectors' pipe to a stage on its own thread (see net_pipe.h).
 *
 * A ring of PIPE_SLOTS entries, the producer's and the consumer's positions each on a cache
 * line of its own; the producer publishes its position every PIPE_BATCH entries (and at a
 * sync), so the two cores do not pass the line to and fro on every packet. A side that finds
 * nothing to do spins a little, then sleeps 50 µs at a time. */
#include "net/net_pipe.h"
#include "core/kw_mem.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PIPE_SLOTS (1u << 14)
#define PIPE_BATCH 64u

enum { ENTRY_PACKET, ENTRY_TICK, ENTRY_FINISH };

/* A packet as the stage reads it, packed (the rest of net_pkt is the detectors'); a tick's
 * time in ts. */
typedef struct {
    int64_t ts;
    const uint8_t *payload;
    uint32_t payload_len, seq;
    net_addr src, dst;
    uint16_t sport, dport;
    uint8_t kind, proto, flags;
    bool has_ports;
} pipe_entry;

struct net_pipe {
    _Alignas(64) net_stage next;           /* read by both, written by neither */
    pipe_entry *ring;
    pthread_t thread;
    _Alignas(64) atomic_uint_fast64_t head; /* entries published by the producer */
    uint64_t local_head;                    /* the producer's, not yet all published */
    uint64_t tail_seen;                     /* the producer's last look at tail */
    _Alignas(64) atomic_uint_fast64_t tail; /* entries the consumer has finished */
    _Alignas(64) bool finished;             /* the producer sent ENTRY_FINISH */
};

/* Waiting: spin on the CPU's pause for some microseconds (the other side is usually that
 * close), then yield, then sleep, so an idle pipe costs no core. */
static void pause_a_little(unsigned *spins)
{
    ++*spins;
    if (*spins < 4096) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
        return;
    }
    if (*spins < 4096 + 64) {
        sched_yield();
        return;
    }
    struct timespec ts = {0, 50000};
    nanosleep(&ts, NULL);
}

static void *pipe_main(void *arg)
{
    net_pipe *pp = arg;
    uint64_t tail = 0;
    for (;;) {
        uint64_t head = atomic_load_explicit(&pp->head, memory_order_acquire);
        unsigned spins = 0;
        while (head == tail) {
            pause_a_little(&spins);
            head = atomic_load_explicit(&pp->head, memory_order_acquire);
        }
        for (; tail < head; tail++) {
            const pipe_entry *e = &pp->ring[tail & (PIPE_SLOTS - 1)];
            if (e->kind == ENTRY_PACKET) {
                net_pkt p;
                memset(&p, 0, sizeof p);
                p.ts_ns = e->ts;
                p.src = e->src;
                p.dst = e->dst;
                p.sport = e->sport;
                p.dport = e->dport;
                p.proto = e->proto;
                p.has_ports = e->has_ports;
                p.tcp_flags = e->flags;
                p.tcp_seq = e->seq;
                p.payload = e->payload;
                p.payload_len = e->payload_len;
                pp->next.packet(pp->next.arg, &p);
            } else if (e->kind == ENTRY_TICK) {
                if (pp->next.tick)
                    pp->next.tick(pp->next.arg, e->ts);
            } else {
                if (pp->next.finish)
                    pp->next.finish(pp->next.arg);
                atomic_store_explicit(&pp->tail, tail + 1, memory_order_release);
                return NULL;
            }
            if ((tail & (PIPE_BATCH - 1)) == 0)
                atomic_store_explicit(&pp->tail, tail + 1, memory_order_release);
        }
        atomic_store_explicit(&pp->tail, tail, memory_order_release);
    }
}

static void publish(net_pipe *pp)
{
    atomic_store_explicit(&pp->head, pp->local_head, memory_order_release);
}

/* The next free entry, waiting for room when the ring is full. */
static pipe_entry *claim(net_pipe *pp)
{
    if (pp->local_head - pp->tail_seen >= PIPE_SLOTS) {
        publish(pp);
        unsigned spins = 0;
        while (pp->local_head - (pp->tail_seen = atomic_load_explicit(&pp->tail, memory_order_acquire)) >=
               PIPE_SLOTS)
            pause_a_little(&spins);
    }
    return &pp->ring[pp->local_head & (PIPE_SLOTS - 1)];
}

static void commit(net_pipe *pp)
{
    if ((++pp->local_head & (PIPE_BATCH - 1)) == 0)
        publish(pp);
}

/* What the stage wants is asked on the producer's side: what it does not want does not cross. */
static bool pipe_wants(void *arg, const net_pkt *p)
{
    const net_pipe *pp = arg;
    return !pp->next.wants || pp->next.wants(pp->next.arg, p);
}

static void pipe_packet(void *arg, const net_pkt *p)
{
    net_pipe *pp = arg;
    pipe_entry *e = claim(pp);
    e->kind = ENTRY_PACKET;
    e->ts = p->ts_ns;
    e->payload = p->payload;
    e->payload_len = p->payload_len;
    e->seq = p->tcp_seq;
    e->src = p->src;
    e->dst = p->dst;
    e->sport = p->sport;
    e->dport = p->dport;
    e->proto = p->proto;
    e->flags = p->tcp_flags;
    e->has_ports = p->has_ports;
    commit(pp);
}

static void pipe_tick(void *arg, int64_t now_ns)
{
    net_pipe *pp = arg;
    pipe_entry *e = claim(pp);
    e->kind = ENTRY_TICK;
    e->ts = now_ns;
    commit(pp);
}

static void pipe_finish(void *arg)
{
    net_pipe *pp = arg;
    if (pp->finished)
        return;
    pp->finished = true;
    pipe_entry *e = claim(pp);
    e->kind = ENTRY_FINISH;
    commit(pp);
    net_pipe_sync(pp);
}

void net_pipe_sync(net_pipe *pp)
{
    publish(pp);
    unsigned spins = 0;
    while (atomic_load_explicit(&pp->tail, memory_order_acquire) != pp->local_head)
        pause_a_little(&spins);
    pp->tail_seen = pp->local_head;
}

static void sync_wait(void *arg) { net_pipe_sync(arg); }

static uint64_t sync_mark(void *arg)
{
    net_pipe *pp = arg;
    publish(pp);
    return pp->local_head;
}

static bool sync_passed(void *arg, uint64_t mark)
{
    net_pipe *pp = arg;
    return atomic_load_explicit(&pp->tail, memory_order_acquire) >= mark;
}

net_capture_sync net_pipe_capture_sync(net_pipe *pp) { return (net_capture_sync){sync_wait, sync_mark, sync_passed, pp}; }

/* With two or more CPUs allowed, the consumer takes the last and the producer (the caller)
 * the first: two threads that spin a little for each other must not share one. */
static void pipe_pin(pthread_t consumer)
{
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < 2)
        return;
    int first = -1, last = -1;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &allowed)) {
            if (first < 0)
                first = c;
            last = c;
        }
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(last, &one);
    pthread_setaffinity_np(consumer, sizeof one, &one);
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    pthread_setaffinity_np(pthread_self(), sizeof one, &one);
}

net_pipe *net_pipe_new(const net_stage *next)
{
    net_pipe *pp = kw_calloc_lines(sizeof *pp); /* its lines are its own */
    pp->next = *next;
    pp->ring = kw_malloc(PIPE_SLOTS * sizeof *pp->ring);
    atomic_init(&pp->head, 0);
    atomic_init(&pp->tail, 0);
    if (pthread_create(&pp->thread, NULL, pipe_main, pp) != 0) {
        free(pp->ring);
        free(pp);
        return NULL;
    }
    pipe_pin(pp->thread);
    return pp;
}

void net_pipe_free(net_pipe *pp)
{
    if (!pp)
        return;
    pipe_finish(pp);
    pthread_join(pp->thread, NULL);
    free(pp->ring);
    free(pp);
}

void net_pipe_stage(net_pipe *pp, net_stage *out)
{
    *out = (net_stage){pipe_wants, pipe_packet, pipe_tick, pipe_finish, pp};
}
