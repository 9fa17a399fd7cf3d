/* net_flow: reassembly of crafted segments (in order, out of order, overlapping with other
 * bytes, across the sequence wrap, past a gap), skipping, full buffers, and a million flows
 * in fixed memory. */
#include "kw_test.h"
#include "net/net_flow.h"

#include <arpa/inet.h>
#include <stdlib.h>

typedef struct {
    char got[2][8192];      /* what each direction delivered, consumed whole */
    size_t n[2];
    int finals[2];
    bool keep;              /* consume nothing (the buffer fills) */
    uint32_t skip_after;    /* after the first delivery of the client, skip this many bytes */
    bool skipped;
    int calls;
} sink;

static size_t consume(void *arg, net_flow *f, int dir, const uint8_t *p, size_t n, bool final)
{
    sink *s = arg;
    s->calls++;
    if (final)
        s->finals[dir]++;
    if (s->keep && !final)
        return 0;
    size_t room = sizeof s->got[dir] - s->n[dir];
    size_t k = n < room ? n : room;
    memcpy(s->got[dir] + s->n[dir], p, k);
    s->n[dir] += k;
    if (dir == NET_DIR_TO_SERVER && s->skip_after && !s->skipped) {
        s->skipped = true;
        f->skip[dir] = s->skip_after;
    }
    return n;
}

static net_pkt seg(const char *src, uint16_t sp, const char *dst, uint16_t dp, uint8_t flags, uint32_t seq,
                   const char *data)
{
    net_pkt p;
    memset(&p, 0, sizeof p);
    p.ts_ns = 1000000000LL;
    p.proto = 6;
    p.has_ports = true;
    p.sport = sp;
    p.dport = dp;
    p.tcp_flags = flags;
    p.tcp_seq = seq;
    inet_pton(AF_INET, src, p.src.b);
    inet_pton(AF_INET, dst, p.dst.b);
    if (data) {
        p.payload = (const uint8_t *)data;
        p.payload_len = (uint32_t)strlen(data);
    }
    return p;
}

#define C "10.0.0.1"
#define S "10.0.0.2"

static void send_seg(net_flows *t, uint8_t flags, uint32_t seq, const char *data)
{
    net_pkt p = seg(C, 40000, S, 80, flags, seq, data);
    net_flows_packet(t, &p);
}

static void test_in_order_and_out_of_order(void)
{
    sink s = {0};
    net_flows *t = net_flows_new(consume, &s);
    send_seg(t, NET_TH_SYN, 999, NULL);
    send_seg(t, NET_TH_ACK, 1000, "GET /a");
    send_seg(t, NET_TH_ACK, 1011, "HTTP/1.1\r\n");  /* ahead: held */
    CHECK_INT(s.n[0], 6);
    send_seg(t, NET_TH_ACK, 1006, "?x=1 ");         /* fills the hole: both delivered */
    s.got[0][s.n[0]] = 0;
    CHECK_STR(s.got[0], "GET /a?x=1 HTTP/1.1\r\n");
    /* 1, 4, 3, 2 */
    send_seg(t, NET_TH_ACK, 1021, "A");
    send_seg(t, NET_TH_ACK, 1024, "D");
    send_seg(t, NET_TH_ACK, 1023, "C");
    send_seg(t, NET_TH_ACK, 1022, "B");
    s.got[0][s.n[0]] = 0;
    CHECK_STR(s.got[0], "GET /a?x=1 HTTP/1.1\r\nABCD");
    CHECK_INT(net_flows_events(t, NET_FLOW_EV_GAP), 0);
    send_seg(t, NET_TH_FIN | NET_TH_ACK, 1025, NULL);
    CHECK_INT(s.finals[0], 1);
    net_flows_free(t);
}

/* A retransmission carrying other bytes than those held (an IDS evasion) is counted and
 * the first bytes win, whether the held bytes are in order or ahead of a hole. */
static void test_overlap_with_other_bytes(void)
{
    sink s = {.keep = true};
    net_flows *t = net_flows_new(consume, &s);
    send_seg(t, NET_TH_SYN, 0, NULL);
    send_seg(t, NET_TH_ACK, 1, "GET /index");
    send_seg(t, NET_TH_ACK, 1, "GET /evil!");
    CHECK_INT(net_flows_events(t, NET_FLOW_EV_OVERLAP_DIFF), 1);
    send_seg(t, NET_TH_ACK, 1, "GET /index"); /* the same again: not counted */
    CHECK_INT(net_flows_events(t, NET_FLOW_EV_OVERLAP_DIFF), 1);
    send_seg(t, NET_TH_ACK, 17, "HTTP");       /* held ahead of a hole at 11..16 */
    send_seg(t, NET_TH_ACK, 11, ".html XXXX"); /* fills the hole, then other bytes over "HTTP" */
    CHECK_INT(net_flows_events(t, NET_FLOW_EV_OVERLAP_DIFF), 2);
    s.keep = false;
    net_flows_finish(t);
    s.got[0][s.n[0]] = 0;
    CHECK_STR(s.got[0], "GET /index.html HTTP");
    net_flows_free(t);
}

static void test_sequence_wrap(void)
{
    sink s = {0};
    net_flows *t = net_flows_new(consume, &s);
    send_seg(t, NET_TH_SYN, 0xfffffffa, NULL);
    send_seg(t, NET_TH_ACK, 0xfffffffb, "abcdef");
    send_seg(t, NET_TH_ACK, 4, "jk");          /* ahead, after the wrap */
    send_seg(t, NET_TH_ACK, 0xfffffffb + 6, "ghi");
    s.got[0][s.n[0]] = 0;
    CHECK_STR(s.got[0], "abcdefghijk");
    net_flows_free(t);
}

/* Bytes that never come: delivery restarts after them, flagged as a gap. */
static void test_gap_past_the_buffer(void)
{
    sink s = {.keep = true};
    net_flows *t = net_flows_new(consume, &s);
    send_seg(t, NET_TH_SYN, 0, NULL);
    send_seg(t, NET_TH_ACK, 1, "POST /u");
    send_seg(t, NET_TH_ACK, 1 + 100000, "GET /next HTTP/1.1\r\n");
    CHECK_INT(net_flows_events(t, NET_FLOW_EV_GAP), 1);
    s.keep = false;
    net_flows_finish(t);
    s.got[0][s.n[0]] = 0;
    CHECK_STR(s.got[0], "GET /next HTTP/1.1\r\n");
    net_flows_free(t);
}

static void test_skip(void)
{
    sink s = {.skip_after = 10};
    net_flows *t = net_flows_new(consume, &s);
    send_seg(t, NET_TH_SYN, 0, NULL);
    send_seg(t, NET_TH_ACK, 1, "HEAD|");
    send_seg(t, NET_TH_ACK, 6, "0123456");
    send_seg(t, NET_TH_ACK, 13, "789NEXT");
    s.got[0][s.n[0]] = 0;
    CHECK_STR(s.got[0], "HEAD|NEXT");
    net_flows_free(t);
}

/* A consumer that never takes anything fills the buffer: it gets one final delivery of the
 * full buffer, and the direction ends. */
static void test_full_buffer(void)
{
    sink s = {.keep = true};
    net_flows *t = net_flows_new(consume, &s);
    send_seg(t, NET_TH_SYN, 0, NULL);
    static char big[1500];
    memset(big, 'x', sizeof big - 1);
    for (int i = 0; i < 4; i++)
        send_seg(t, NET_TH_ACK, 1 + (uint32_t)i * 1499, big);
    CHECK_INT(net_flows_events(t, NET_FLOW_EV_BUFFER_FULL), 1);
    CHECK_INT(s.finals[0], 1);
    CHECK_INT(s.n[0], NET_FLOW_CLIENT_BUF);
    net_flows_free(t);
}

/* Picked up mid-stream, the server is the end on the service port, whichever spoke first. */
static void test_mid_stream_orientation(void)
{
    sink s = {0};
    net_flows *t = net_flows_new(consume, &s);
    net_pkt p = seg(S, 443, C, 51000, NET_TH_ACK, 77, "server speaks");
    net_flows_packet(t, &p);
    p = seg(C, 51000, S, 443, NET_TH_ACK, 5, "client");
    net_flows_packet(t, &p);
    s.got[0][s.n[0]] = 0;
    s.got[1][s.n[1]] = 0;
    CHECK_STR(s.got[0], "client");
    CHECK_STR(s.got[1], "server speaks");
    net_flows_free(t);
}

/* A million concurrent flows, each sending one segment: the table holds NET_FLOW_SLOTS at
 * most, the pool never runs dry for long, and every flow's bytes are still delivered. */
static void test_a_million_flows_in_fixed_memory(void)
{
    sink s = {0};
    net_flows *t = net_flows_new(consume, &s);
    char ip[32];
    int before = kwt_failed_checks;
    for (int i = 0; i < 1000000; i++) {
        snprintf(ip, sizeof ip, "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        net_pkt p = seg(ip, (uint16_t)(1024 + i % 60000), S, 80, NET_TH_ACK, 1, "G");
        p.ts_ns = 1000000000LL + i;
        net_flows_packet(t, &p);
        CHECK(net_flows_active(t) <= NET_FLOW_SLOTS);
        if (kwt_failed_checks != before)
            break;
    }
    CHECK_INT(s.n[0], 8192); /* the sink's own cap: every flow delivered its byte */
    CHECK(net_flows_events(t, NET_FLOW_EV_EVICTED) >= 1000000 - NET_FLOW_SLOTS);
    net_flows_finish(t);
    CHECK_INT(net_flows_active(t), 0);
    net_flows_free(t);
}

/* A SYN flood from 100,000 spoofed sources takes no buffer, and is what makes room: a real
 * flow opened during it keeps its place and is read whole, out of order too. */
static void test_syn_flood_does_not_starve_real_flows(void)
{
    sink s = {0};
    net_flows *t = net_flows_new(consume, &s);
    send_seg(t, NET_TH_SYN, 0, NULL);
    send_seg(t, NET_TH_ACK, 1, "GET /");
    char ip[32];
    for (int i = 0; i < 100000; i++) {
        snprintf(ip, sizeof ip, "198.%d.%d.%d", 18 + (i >> 16), (i >> 8) & 255, i & 255);
        net_pkt p = seg(ip, (uint16_t)(1024 + i % 60000), S, 80, NET_TH_SYN, (uint32_t)i * 7919, NULL);
        p.ts_ns = 2000000000LL + i;
        net_flows_packet(t, &p);
    }
    send_seg(t, NET_TH_ACK, 12, "1.1\r\n");
    send_seg(t, NET_TH_ACK, 6, " HTTP/");
    s.got[0][s.n[0]] = 0;
    CHECK_STR(s.got[0], "GET / HTTP/1.1\r\n");
    CHECK_INT(net_flows_events(t, NET_FLOW_EV_NO_CHUNK), 0);
    net_flows_free(t);
}

int main(void)
{
    RUN(test_in_order_and_out_of_order);
    RUN(test_overlap_with_other_bytes);
    RUN(test_sequence_wrap);
    RUN(test_gap_past_the_buffer);
    RUN(test_skip);
    RUN(test_full_buffer);
    RUN(test_mid_stream_orientation);
    RUN(test_a_million_flows_in_fixed_memory);
    RUN(test_syn_flood_does_not_starve_real_flows);
    TEST_MAIN_END();
}
