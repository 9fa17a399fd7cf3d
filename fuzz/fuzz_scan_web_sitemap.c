/* libFuzzer target: robots.txt and sitemap.xml reading (scan_web_html.c) and URL resolution:
 * the same bytes as a robots.txt of a fixed site, as a sitemap, and split at the first newline
 * into a base and a reference for web_url_resolve. Seeds: small robots.txt files after RFC 9309's
 * examples, sitemaps in sitemaps.org's shape, a billion-laughs and an external-entity document. */
#include "scan/scan_web_html.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

static void check_list(const web_strs *s, size_t max)
{
    if (s->n > max)
        abort();
    for (size_t i = 0; i < s->n; i++)
        if (strncmp(s->v[i], "http://", 7) != 0 && strncmp(s->v[i], "https://", 8) != 0)
            abort();
}

static void fuzz_resolve(const uint8_t *p, size_t n)
{
    char in[2048], out[512];
    size_t k = n < sizeof in - 1 ? n : sizeof in - 1;
    memcpy(in, p, k);
    in[k] = '\0';
    char *nl = strchr(in, '\n');
    if (!nl)
        return;
    *nl = '\0';
    kw_rc rc = web_url_resolve(in, nl + 1, out, sizeof out);
    if (rc == KW_OK && ((strncmp(out, "http://", 7) != 0 && strncmp(out, "https://", 8) != 0) || strchr(out, '#')))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
    web_strs a, b;
    size_t max = n ? (size_t)(p[0] % 32) + 1 : 4;
    if (web_robots_parse("http://fuzz.example/", (const char *)p, n, max, &a, &b) != KW_OK)
        abort();
    check_list(&a, max);
    check_list(&b, max);
    web_strs_free(&a);
    web_strs_free(&b);
    web_sitemap_parse((const char *)p, n, max, &a, &b);
    check_list(&a, max);
    check_list(&b, max);
    web_strs_free(&a);
    web_strs_free(&b);
    fuzz_resolve(p, n);
    return 0;
}
