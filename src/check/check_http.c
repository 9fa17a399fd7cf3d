/* HTTP and HTTPS checks with libcurl: status, latency, body contains, certificate expiry. */
#include "check/check.h"
#include "core/kw_buf.h"
#include "core/kw_time.h"

#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define HTTP_BODY_MAX (1u << 20) /* body_contains looks at the first 1 MiB */

typedef struct {
    kw_buf body;
    bool keep;
    const atomic_bool *cancel;
    int64_t deadline;
} http_ctx;

static size_t http_write(char *p, size_t size, size_t n, void *arg)
{
    http_ctx *h = arg;
    if (h->keep)
        kw_buf_append(&h->body, p, size * n); /* past the cap the rest is read and ignored */
    return size * n;
}

static int http_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    http_ctx *h = arg;
    return h->cancel && atomic_load(h->cancel) ? 1 : 0;
}

void check_http(const conf_check *c, check_ctx *x, int64_t deadline, const atomic_bool *cancel, check_result *r)
{
    CURL *curl = check_ctx_curl(x);
    if (!curl) {
        snprintf(r->message, sizeof r->message, "cannot initialise libcurl");
        return;
    }
    http_ctx h = {.keep = c->body_contains != NULL, .cancel = cancel, .deadline = deadline};
    kw_buf_init(&h.body, HTTP_BODY_MAX);
    char errbuf[CURL_ERROR_SIZE] = "";
    long timeout = (long)(deadline - kw_mono_ms());
    curl_easy_setopt(curl, CURLOPT_URL, c->url);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L); /* every run proves the service accepts connections */
    curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout > 0 ? timeout : 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, http_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &h);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, http_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &h);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "keepwatch/" KW_VERSION);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, c->tls_verify ? 1L : 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, c->tls_verify ? 2L : 0L);
    curl_easy_setopt(curl, CURLOPT_CERTINFO, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    if (c->method) {
        if (strcmp(c->method, "HEAD") == 0)
            curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
        else
            curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, c->method);
    }
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    r->http_status = (int)status;
    struct curl_certinfo *ci = NULL;
    if (curl_easy_getinfo(curl, CURLINFO_CERTINFO, &ci) == CURLE_OK && ci && ci->num_of_certs > 0) {
        for (struct curl_slist *s = ci->certinfo[0]; s; s = s->next)
            if (strncmp(s->data, "Expire date:", 12) == 0)
                r->cert_days = check_days_until(s->data + 12, (int64_t)time(NULL));
    }
    if (rc != CURLE_OK) {
        snprintf(r->message, sizeof r->message, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    } else if (status < c->status_lo || status > c->status_hi) {
        snprintf(r->message, sizeof r->message, "HTTP %ld (expected %d-%d)", status, c->status_lo, c->status_hi);
    } else if (c->body_contains && !memmem(kw_buf_cstr(&h.body), h.body.len, c->body_contains, strlen(c->body_contains))) {
        snprintf(r->message, sizeof r->message, "HTTP %ld but the body does not contain \"%.200s\"", status,
                 c->body_contains);
    } else {
        r->up = true;
        double total = 0;
        curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME, &total);
        snprintf(r->message, sizeof r->message, "HTTP %ld in %.0f ms", status, total * 1000);
    }
    kw_buf_free(&h.body);
}
