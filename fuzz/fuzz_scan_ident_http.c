/* libFuzzer target: service identification's HTTP answer parser (scan_ident_http.c): status,
 * headers, title, completeness, and the JSON bodies of Elasticsearch, the Docker API and
 * Kubernetes. Seeds: python's http.server answer captured here, and the APIs' documented bodies. */
#include "scan/scan_ident_parse.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
    scan_http h;
    scan_service s;
    char v[SCAN_VERSION_MAX];
    memset(&s, 0, sizeof s);
    if (scan_parse_http(p, n, &h)) {
        scan_http_service(&h, n & 1, &s);
        if (h.body)
            scan_parse_api_json(h.body, h.body_len, v, sizeof v);
    }
    scan_http_done(p, n);
    scan_parse_api_json(p, n, v, sizeof v);
    return 0;
}
