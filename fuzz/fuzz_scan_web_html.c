/* libFuzzer target: the web crawler's HTML extraction (scan_web_html.c): links, forms and their
 * fields of any bytes taken as the page at a fixed URL; every link must come out absolute
 * http(s) without a fragment. Seeds: small pages written for this target (forms, base href,
 * broken markup, meta refresh, encodings). */
#include "scan/scan_web_html.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

static void check_url(const char *u)
{
    if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
        abort();
    if (strchr(u, '#'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
    web_html h;
    size_t max = n ? (size_t)(p[0] % 64) + 1 : 8;
    if (web_html_parse("http://fuzz.example/dir/page.php?id=1", (const char *)p, n, max, &h) != KW_OK)
        abort();
    if (h.nlinks + h.nforms > max)
        abort();
    for (size_t i = 0; i < h.nlinks; i++)
        check_url(h.links[i]);
    for (size_t i = 0; i < h.nforms; i++) {
        check_url(h.forms[i].action);
        for (size_t j = 0; j < h.forms[i].nfields; j++)
            if (!h.forms[i].fields[j].name[0] || !h.forms[i].fields[j].value || !h.forms[i].fields[j].type)
                abort();
    }
    web_html_free(&h);
    return 0;
}
