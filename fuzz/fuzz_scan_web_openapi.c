/* libFuzzer target: an API description from a hostile site (web_openapi_parse): whatever it
 * says, at most the bound of shapes come out, each with an absolute URL and a method, and each
 * can be built into a request. */
#include "scan/scan_web_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    web_target *v;
    size_t n;
    char err[256];
    if (web_openapi_parse("http://site.example/v3/api-docs", (const char *)data, size, 32, &v, &n, err, sizeof err) !=
        KW_OK)
        return 0;
    if (n > 32)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (!v[i].url || strncmp(v[i].url, "http", 4) != 0 || !v[i].method || v[i].nparams == 0)
            abort();
        web_built b;
        if (web_target_build(&v[i], 0, "'\"<kw>", WEB_MUT_APPEND, &b) == KW_OK)
            web_built_free(&b);
        web_target_free(&v[i]);
    }
    free(v);
    return 0;
}
