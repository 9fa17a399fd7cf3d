/* libFuzzer target: the attacking addresses of a capture given to a drill's replay, read by
 * libpcap (pcap and pcapng) from the first packets: bounded, whatever the file holds. */
#include "drill/drill_pcap.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    drill_seen seen;
    memset(&seen, 0, sizeof seen);
    char err[512];
    drill_pcap_seen_buffer(data, size, &seen, err, sizeof err);
    if (seen.n > DRILL_SEEN_MAX)
        __builtin_trap();
    for (size_t i = 0; i < seen.n; i++)
        if (memchr(seen.values[i], 0, sizeof seen.values[i]) == NULL)
            __builtin_trap();
    return 0;
}
