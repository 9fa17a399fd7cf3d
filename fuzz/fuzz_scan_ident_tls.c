/* libFuzzer target: the TLS records service identification reads by hand (scan_ident_tlsmsg.c):
 * a ServerHello's version and suite, or an alert; and the ClientHello builder with the input as
 * its server name and suite list. Seeds: openssl s_server's ServerHello captured here, alerts. */
#include "scan/scan_ident_parse.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
    scan_tls_answer a;
    scan_parse_tls_answer(p, n, &a);
    char sni[300];
    size_t k = n < sizeof sni - 1 ? n : sizeof sni - 1;
    memcpy(sni, p, k);
    sni[k] = 0;
    uint16_t suites[64];
    size_t ns = n / 2 < 64 ? n / 2 : 64;
    for (size_t i = 0; i < ns; i++)
        suites[i] = (uint16_t)(p[2 * i] << 8 | p[2 * i + 1]);
    uint8_t hello[1024];
    scan_tls_client_hello(hello, sizeof hello, 0x0303, suites, ns, sni);
    return 0;
}
