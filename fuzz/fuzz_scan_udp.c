/* libFuzzer target: the UDP probe answers' parsers (scan_udp_parse) and the finding an answer
 * proves (scan_udp_finding). The first byte picks the protocol (DNS, NTP, NetBIOS, SNMP, SSDP,
 * memcached), the rest is the answer to a probe sent with the transaction id 0x12345678.
 * Seeds: answers of each protocol as the unit tests build them (tests/unit/test_scan_udp.c). */
#include "scan/scan.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    scan_udp_kind k = (scan_udp_kind)(data[0] % SCAN_UDP_KINDS);
    scan_udp_answer a;
    if (scan_udp_parse(k, 0x12345678u, data + 1, size - 1, &a) != KW_OK)
        return 0;
    /* every text field is a bounded C string */
    if (strnlen(a.name, sizeof a.name) == sizeof a.name || strnlen(a.info, sizeof a.info) == sizeof a.info ||
        strnlen(a.version, sizeof a.version) == sizeof a.version ||
        strnlen(a.product, sizeof a.product) == sizeof a.product)
        __builtin_trap();
    char ev[1024];
    finding f;
    scan_udp_finding(k, &a, 43, size - 1, "h", "192.0.2.1", 161, ev, sizeof ev, &f);
    return 0;
}
