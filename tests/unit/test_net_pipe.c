/* net_pipe: packets, ticks and the finish reach the stage on its own thread, in order, only
 * those it wants, and a sync returns once everything pushed has been taken. */
#include "kw_test.h"
#include "net/net_pipe.h"

#include <stdatomic.h>

typedef struct {
    atomic_ulong packets;
    uint64_t last_ts, ticks;
    bool in_order, finished;
} counter;

static bool wants(void *arg, const net_pkt *p)
{
    (void)arg;
    return p->sport != 9; /* port 9 is not wanted: it must never cross */
}

static void packet(void *arg, const net_pkt *p)
{
    counter *c = arg;
    if (p->ts_ns <= (int64_t)c->last_ts || p->sport == 9 || p->payload_len != (uint32_t)(p->ts_ns % 1400))
        c->in_order = false;
    c->last_ts = (uint64_t)p->ts_ns;
    atomic_fetch_add(&c->packets, 1);
}

static void tick(void *arg, int64_t now)
{
    counter *c = arg;
    if (now < (int64_t)c->last_ts)
        c->in_order = false;
    c->ticks++;
}

static void finish(void *arg) { ((counter *)arg)->finished = true; }

static void test_order_filter_sync_finish(void)
{
    counter c = {.in_order = true};
    net_stage st = {wants, packet, tick, finish, &c}, in;
    net_pipe *pp = net_pipe_new(&st);
    CHECK(pp != NULL);
    if (!pp)
        return;
    net_pipe_stage(pp, &in);
    uint64_t sent = 0;
    for (int64_t i = 1; i <= 200000; i++) {
        net_pkt p;
        memset(&p, 0, sizeof p);
        p.ts_ns = i;
        p.sport = i % 10 == 0 ? 9 : 80;
        p.payload_len = (uint32_t)(i % 1400);
        if (in.wants(in.arg, &p)) {
            in.packet(in.arg, &p);
            sent++;
        }
        if (i % 50000 == 0) {
            in.tick(in.arg, i);
            net_pipe_sync(pp); /* everything so far has been taken */
            CHECK_INT(atomic_load(&c.packets), sent);
        }
    }
    in.finish(in.arg);
    CHECK(c.finished);
    net_pipe_free(pp);
    CHECK_INT(atomic_load(&c.packets), 180000);
    CHECK_INT(c.ticks, 4);
    CHECK(c.in_order);
}

int main(void)
{
    RUN(test_order_filter_sync_finish);
    TEST_MAIN_END();
}
