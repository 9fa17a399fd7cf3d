/* libFuzzer target: the inspection of protocol contents. The input is a run of raw IP
 * packets, each after a 2-byte big-endian length; they are decoded and read by one
 * inspector (keepwatch's built-in signatures loaded once, and a DNS tunnel, DGA and login
 * detector on), which is finished after each input so flows and detections end. */
#include "net/net_inspect.h"
#include "net/net_sig.h"

#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

static void on_det(void *arg, net_phase phase, const net_detection *d)
{
    (void)arg;
    (void)phase;
    kw_buf b;
    kw_buf_init(&b, 0);
    net_detection_ecs(d, &b);
    net_detection_text(d, &b);
    kw_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static net_inspect *in;
    static net_sig_set *sigs;
    if (!in) {
        net_sig_builder *b = net_sig_builder_new(NULL, 0);
        char err[256];
        if (net_sig_builder_add_builtin(b, NULL) != KW_OK || net_sig_builder_compile(b, &sigs, err, sizeof err) != KW_OK)
            abort();
        net_inspect_opts o = {.sigs = sigs, .dns_tunnel = true, .dga = true, .cleartext = true, .idle_end_s = 5};
        in = net_inspect_new(&o, on_det, NULL);
    }
    int64_t ts = 1000000000LL * 1000;
    while (size >= 2) {
        size_t n = (size_t)data[0] << 8 | data[1];
        data += 2;
        size -= 2;
        if (n > size)
            n = size;
        net_pkt p;
        p.ts_ns = ts;
        ts += 1000000;
        if (net_decode(DLT_RAW, data, (uint32_t)n, (uint32_t)n, &p) == NET_DECODE_OK)
            net_inspect_packet(in, &p);
        data += n;
        size -= n;
    }
    net_inspect_finish(in);
    return 0;
}
