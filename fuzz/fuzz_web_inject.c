/* libFuzzer target for the injection checks' proofs (src/scan/scan_web_inject_match.c): any input
 * is read as a hostile answer body (file signatures, computed markers, meta refresh and script
 * redirects), as a Location value, as a Refresh value and as a parameter's name=value. Every
 * offset returned must lie inside the input, and a refresh URL found must be a slice of it. The input is copied to a buffer of
 * exactly its size so that ASan sees any read past its end. */
#include "scan/scan_web_inject.h"

#include <stdlib.h>
#include <string.h>

static void check_at(size_t at, size_t n)
{
    if (n && at >= n)
        abort();
}

static void check_body(const char *b, size_t n)
{
    size_t at = 0;
    if (inj_file_sig(b, n, &at) != INJ_FILE_NONE)
        check_at(at, n);
    if (inj_php_source_sig(b, n, &at) != INJ_FILE_NONE)
        check_at(at, n);
    if (inj_marker_product(b, n, "kw", 1337, 4, &at))
        check_at(at, n);
    if (inj_body_redirect(b, n, INJ_PROBE_HOST, &at))
        check_at(at, n);
}

static void check_values(const char *b, size_t n)
{
    const char *u = NULL;
    size_t ul = 0;
    (void)inj_url_host_is(b, n, INJ_PROBE_HOST);
    if (inj_refresh_url(b, n, &u, &ul)) {
        if (u < b || ul == 0 || u + ul > b + n)
            abort();
        (void)inj_url_host_is(u, ul, INJ_PROBE_HOST);
    }
}

/* The input cut at its first NUL and split at its first '=' as a parameter's name and value. */
static void check_param(const char *b, size_t n)
{
    char s[4096];
    size_t k = n < sizeof s - 1 ? n : sizeof s - 1;
    memcpy(s, b, k);
    s[k] = '\0';
    char *eq = strchr(s, '=');
    if (eq)
        *eq = '\0';
    web_param p = {.name = s, .value = eq ? eq + 1 : ""};
    (void)inj_param_fileish(&p);
    (void)inj_param_urlish(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    char *b = malloc(size ? size : 1);
    if (!b)
        return 0;
    memcpy(b, data, size);
    check_body(b, size);
    check_values(b, size);
    check_param(b, size);
    free(b);
    return 0;
}
