/* libFuzzer target: reading a capture file into the decoder and detectors, through both
 * readers: keepwatch's in-place classic pcap parser and libpcap (pcap and pcapng). */
#include "net/net_capture.h"

#include <stdint.h>
#include <stdio.h>

static void on_det(void *arg, net_phase phase, const net_detection *d) { (void)arg, (void)phase, (void)d; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    net_thresholds t;
    net_thresholds_default(&t);
    char err[512];
    for (int reader = 0; reader < 2; reader++) {
        net_detector *d = net_detector_new(&t, on_det, NULL);
        net_stats st = {0};
        if (reader == 0) {
            net_capture_buffer(data, size, "fuzz.pcap", d, &st, err, sizeof err);
        } else {
            FILE *f = fmemopen((void *)data, size, "rb");
            if (f)
                net_capture_read(f, "fuzz.pcap", d, &st, err, sizeof err);
        }
        net_detector_finish(d);
        net_detector_free(d);
    }
    return 0;
}
