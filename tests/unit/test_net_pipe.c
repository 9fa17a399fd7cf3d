/* net_pipe: packets, ticks and the finish reach the stage on its own thread, in order, only
 * those it wants, and a sync returns once everything pushed has been taken; a mapped capture
 * many windows long keeps every window a slow consumer still reads. */
#include "kw_test.h"
#include "net/net_capture.h"
#include "net/net_pipe.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

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

/* The consumer of the mapped capture: each payload holds its packet's number, then that
 * number's low byte over and over; it sleeps now and then so that it falls windows behind. */
typedef struct {
    uint32_t next;
    bool intact;
} reader;

static void read_payload(void *arg, const net_pkt *p)
{
    reader *r = arg;
    uint32_t n;
    if (p->payload_len < 4) {
        r->intact = false;
        return;
    }
    memcpy(&n, p->payload, 4);
    if (n != r->next++)
        r->intact = false;
    for (uint32_t i = 4; i < p->payload_len; i++)
        if (p->payload[i] != (uint8_t)n)
            r->intact = false;
    if (n % 3000 == 0)
        usleep(3000);
}

static void no_emit(void *arg, net_phase ph, const net_detection *x) { (void)arg, (void)ph, (void)x; }

static void put32(FILE *f, uint32_t v) { fwrite(&v, 4, 1, f); }

static void test_mapped_windows_outlive_their_reader(void)
{
    char path[] = "/tmp/kw-test-pipe-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    put32(f, 0xa1b2c3d4), put32(f, 0x00040002), put32(f, 0), put32(f, 0), put32(f, 65535), put32(f, 1);
    enum { PACKETS = 30000, PAYLOAD = 1000 };
    uint8_t frame[14 + 20 + 8 + PAYLOAD] = {0};
    frame[12] = 0x08; /* IPv4 */
    uint8_t *ip = frame + 14, *udp = ip + 20;
    ip[0] = 0x45, ip[8] = 64, ip[9] = 17;
    ip[2] = (20 + 8 + PAYLOAD) >> 8, ip[3] = (20 + 8 + PAYLOAD) & 0xff;
    memcpy(ip + 12, (uint8_t[]){10, 0, 0, 1}, 4);
    memcpy(ip + 16, (uint8_t[]){10, 0, 0, 2}, 4);
    udp[0] = 0x30, udp[1] = 0x39, udp[2] = 0x30, udp[3] = 0x3a; /* 12345 -> 12346 */
    udp[4] = (8 + PAYLOAD) >> 8, udp[5] = (8 + PAYLOAD) & 0xff;
    for (uint32_t n = 0; n < PACKETS; n++) { /* 31 MB: several windows of the map */
        memcpy(udp + 8, &n, 4);
        memset(udp + 12, (uint8_t)n, PAYLOAD - 4);
        put32(f, 1000 + n / 1000), put32(f, n % 1000 * 1000), put32(f, sizeof frame), put32(f, sizeof frame);
        fwrite(frame, sizeof frame, 1, f);
    }
    fclose(f);

    reader r = {0, true};
    net_stage st = {NULL, read_payload, NULL, NULL, &r}, in;
    net_pipe *pp = net_pipe_new(&st);
    CHECK(pp != NULL);
    if (!pp)
        return;
    net_pipe_stage(pp, &in);
    net_thresholds t;
    net_thresholds_default(&t);
    net_detector *d = net_detector_new(&t, no_emit, NULL);
    net_detector_set_next(d, &in);
    net_stats stats = {0};
    char err[256] = "";
    net_capture_sync sync = net_pipe_capture_sync(pp);
    CHECK_INT(net_capture_file_sync(path, d, &stats, &sync, err, sizeof err), KW_OK);
    net_detector_finish(d);
    net_pipe_free(pp);
    net_detector_free(d);
    unlink(path);
    CHECK_INT(stats.packets, PACKETS);
    CHECK_INT(r.next, PACKETS);
    CHECK(r.intact);
}

int main(void)
{
    RUN(test_order_filter_sync_finish);
    RUN(test_mapped_windows_outlive_their_reader);
    TEST_MAIN_END();
}
