/* libFuzzer target for src/intel: the input is parsed as each format (plain lines, CSV,
 * STIX) and by auto-detection, and as the pattern of a STIX indicator (wrapped in JSON
 * here, so the pattern reader sees every input), compiled into a set, and looked up with
 * values taken from the input itself (as an IPv4 and an IPv6 address, as a domain name). */
#include "intel/intel.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    intel_entries e[2] = {{0}};
    for (int fmt = INTEL_FMT_AUTO; fmt <= INTEL_FMT_STIX; fmt++) {
        intel_report rep;
        memset(&rep, 0, sizeof rep);
        intel_parse((const char *)data, size, fmt, 1796083200000LL, &e[fmt & 1], &rep);
        if (rep.n_skips > INTEL_MAX_SKIPS)
            abort();
    }
    json_t *pattern = json_stringn((const char *)data, size);
    if (pattern) {
        json_t *ind = json_pack("{s:s, s:o}", "type", "indicator", "pattern", pattern);
        char *doc = ind ? json_dumps(ind, 0) : NULL;
        intel_report rep;
        memset(&rep, 0, sizeof rep);
        if (doc)
            intel_parse(doc, strlen(doc), INTEL_FMT_STIX, 0, &e[1], &rep);
        free(doc);
        json_decref(ind);
    }
    char why[96];
    intel_entries_add_text(&e[0], (const char *)data, size < 300 ? size : 300, why, sizeof why);
    intel_list ls[2] = {{"a", 1, &e[0]}, {"b", 4, &e[1]}};
    intel_set *s;
    if (intel_set_build(ls, 2, &s) != KW_OK)
        abort();
    uint8_t a[16] = {0};
    memcpy(a, data, size < 16 ? size : 16);
    uint64_t m = intel_set_lookup_ip(s, a, false) | intel_set_lookup_ip(s, a, true) |
                 intel_set_lookup_domain(s, (const char *)data, size < 300 ? size : 300);
    if (m & ~3ull)
        abort(); /* only two lists exist */
    for (size_t i = 0; i < e[0].n_v4 && i < 64; i++) /* what was added is found */
        if (!(intel_set_lookup_ip(s, (const uint8_t *)&e[0].v4[i].addr, false) & 1))
            abort();
    intel_release(s);
    intel_entries_free(&e[0]);
    intel_entries_free(&e[1]);
    return 0;
}
