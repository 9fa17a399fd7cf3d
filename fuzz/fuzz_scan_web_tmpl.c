/* libFuzzer target: the Nuclei template loader (web_tmpl_parse) on arbitrary bytes; a template
 * that loads is then evaluated on a fixed answer and its requests' variables expanded, so the
 * matchers, extractors and expansion run on whatever the loader accepted. Seeds:
 * fuzz/corpus/scan_web_tmpl/ (small hand-written templates and malformed YAML). */
#include "scan/scan_web_tmpl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_run(const web_tmpl *t)
{
    static const char hdrs[] = "HTTP/1.1 200 OK\r\nServer: fuzz/1.0\r\nContent-Type: text/html\r\nSet-Cookie: a=b\r\n";
    static const char body[] = "<html>root:x:0:0: [core] token=abc123 \x00\xff ver=1.2</html>";
    web_tmpl_vars vs = {0};
    char store[512];
    web_tmpl_vars_url(&vs, "http://127.0.0.1:8080/", store, sizeof store);
    web_tmpl_vars_set(&vs, "randstr", "kwfuzz");
    for (size_t i = 0; i < t->nvars; i++)
        web_tmpl_vars_set(&vs, t->vars[i].name, t->vars[i].value);
    web_tmpl_answer a = {200, hdrs, sizeof hdrs - 1, body, sizeof body - 1};
    web_tmpl_result r;
    web_tmpl_result_init(&r);
    for (size_t i = 0; i < t->nblocks; i++) {
        const web_tmpl_block *b = &t->blocks[i];
        web_tmpl_eval(b, &a, &vs, &r);
        for (size_t j = 0; j < b->nsends; j++) {
            kw_buf u;
            kw_buf_init(&u, 4096);
            web_tmpl_expand(b->sends[j].url, &vs, &u);
            kw_buf_free(&u);
        }
    }
    web_tmpl_result_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    web_tmpl *t = NULL;
    char id[128], why[WEB_TMPL_WHY_MAX];
    if (web_tmpl_parse("fuzz.yaml", (const char *)data, size, &t, id, sizeof id, why, sizeof why) == KW_OK) {
        fuzz_run(t);
        web_tmpl_free(t);
    }
    return 0;
}
