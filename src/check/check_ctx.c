/* A check thread's reusable context (its TLS context and curl handle) and the helpers the
 * check types share (check_net.c, check_http.c): below them and check.c. */
#include "check/check.h"
#include "core/kw_mem.h"

#include <curl/curl.h>
#include <math.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct check_ctx {
    SSL_CTX *ssl;
    CURL *curl;
};

check_ctx *check_ctx_new(void) { return kw_calloc(1, sizeof(check_ctx)); }

void check_ctx_free(check_ctx *x)
{
    if (!x)
        return;
    SSL_CTX_free(x->ssl);
    if (x->curl)
        curl_easy_cleanup(x->curl);
    free(x);
}

SSL_CTX *check_ctx_ssl(check_ctx *x, bool verify)
{
    if (!x->ssl) {
        x->ssl = SSL_CTX_new(TLS_client_method());
        if (x->ssl) {
            if (verify) /* the CA store is read once here, and searched on every handshake */
                SSL_CTX_set_default_verify_paths(x->ssl);
            /* verified by hand after the handshake, so an invalid chain still reports its expiry */
            SSL_CTX_set_verify(x->ssl, SSL_VERIFY_NONE, NULL);
        }
    }
    return x->ssl;
}

void *check_ctx_curl(check_ctx *x)
{
    if (!x->curl)
        x->curl = curl_easy_init();
    else
        curl_easy_reset(x->curl);
    return x->curl;
}

double check_days_until(const char *t, int64_t now_s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(t, "%b %d %H:%M:%S %Y", &tm);
    if (!end)
        return NAN;
    while (*end == ' ')
        end++;
    if (*end && strcmp(end, "GMT") != 0)
        return NAN;
    time_t when = timegm(&tm);
    return (double)((int64_t)when - now_s) / 86400.0;
}
