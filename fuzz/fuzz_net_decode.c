/* libFuzzer target: the frame decoder for every link type, and the detectors on what it
 * decodes. The first byte picks the link type; the next eight give the capture time. */
#include "net/net.h"

#include <pcap/dlt.h>
#include <stdint.h>
#include <string.h>

static void on_det(void *arg, net_phase phase, const net_detection *d)
{
    (void)phase;
    kw_buf b;
    kw_buf_init(&b, 0);
    net_detection_ecs(d, &b);
    kw_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static net_detector *det;
    if (!det) {
        net_thresholds t;
        net_thresholds_default(&t);
        t.flood_pps = 2;
        t.syn_half_open_pps = 2;
        t.scan_ports = t.sweep_hosts = t.brute_sessions = 2;
        det = net_detector_new(&t, on_det, NULL);
    }
    static const int lts[] = {DLT_EN10MB, DLT_RAW, 101, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL, DLT_LOOP, DLT_IPV4,
                              DLT_IPV6, DLT_PPP, DLT_PPP_SERIAL, DLT_C_HDLC, DLT_NFLOG, DLT_IEEE802_11,
                              DLT_IEEE802_11_RADIO, DLT_PPI};
    if (size < 9)
        return 0;
    int lt = lts[data[0] % (sizeof lts / sizeof lts[0])];
    int64_t ts;
    memcpy(&ts, data + 1, 8);
    net_pkt p;
    p.ts_ns = ts & 0x0fffffffffffffffLL;
    if (net_decode(lt, data + 9, (uint32_t)(size - 9), (uint32_t)(size - 9), &p) == NET_DECODE_OK)
        net_detector_packet(det, &p);
    if (data[0] == 0xff)
        net_detector_finish(det);
    return 0;
}
