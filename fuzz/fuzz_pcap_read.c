/* libFuzzer target: reading a capture file (pcap or pcapng, through libpcap) into the decoder
 * and detectors. */
#include "net/net_capture.h"

#include <stdint.h>
#include <stdio.h>

static void on_det(void *arg, const net_detection *d) { (void)arg, (void)d; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    FILE *f = fmemopen((void *)data, size, "rb");
    if (!f)
        return 0;
    net_thresholds t;
    net_thresholds_default(&t);
    net_detector *d = net_detector_new(&t, on_det, NULL);
    net_stats st = {0};
    char err[512];
    net_capture_read(f, "fuzz.pcap", d, &st, err, sizeof err);
    net_detector_finish(d);
    net_detector_free(d);
    return 0;
}
