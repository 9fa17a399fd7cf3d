/* The HTTP answer parser of service identification: an HTTP/1.x response's status, the headers
 * that name the server, the page title, and what a JSON body says its API is (Elasticsearch,
 * the Docker API, Kubernetes). Pure: bytes in, fields out. */
#include "scan/scan_ident_parse.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* End of the head ("\r\n\r\n" or "\n\n"), its length; 0 when not all there. */
static size_t head_end(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (p[i] == '\n' && p[i + 1] == '\n')
            return i + 2;
        if (i + 3 < n && p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n')
            return i + 4;
    }
    return 0;
}

static bool name_is(const uint8_t *p, size_t len, const char *name)
{
    size_t k = strlen(name);
    if (len != k)
        return false;
    for (size_t i = 0; i < k; i++)
        if ((p[i] | 0x20) != (name[i] | 0x20))
            return false;
    return true;
}

/* Content-Length's value, -1 when absent or malformed. */
static long long content_length(const uint8_t *v, size_t vl)
{
    long long x = 0;
    if (!vl)
        return -1;
    for (size_t i = 0; i < vl; i++) {
        if (v[i] < '0' || v[i] > '9' || x > 100000000)
            return -1;
        x = x * 10 + (v[i] - '0');
    }
    return x;
}

typedef struct head_walk {
    scan_http *h;
    long long clen;
    bool chunked;
} head_walk;

/* WWW-Authenticate: Basic realm="security" charset="UTF-8" */
static void www_authenticate(scan_http *h, const uint8_t *v, size_t vl)
{
    h->auth_asked = true;
    for (size_t i = 0; i + 7 <= vl; i++)
        if (memcmp(v + i, "realm=\"", 7) == 0) {
            const uint8_t *r = v + i + 7, *q = memchr(r, '"', vl - i - 7);
            scan_field_set(h->realm, sizeof h->realm, (const char *)r, q ? (size_t)(q - r) : vl - i - 7);
            return;
        }
}

static void header(head_walk *w, const uint8_t *name, size_t nl, const uint8_t *v, size_t vl)
{
    scan_http *h = w->h;
    if (name_is(name, nl, "server"))
        scan_field_set(h->server, sizeof h->server, (const char *)v, vl);
    else if (name_is(name, nl, "www-authenticate"))
        www_authenticate(h, v, vl);
    else if (name_is(name, nl, "api-version"))
        h->api_version = true;
    else if (name_is(name, nl, "content-length"))
        w->clen = content_length(v, vl);
    else if (name_is(name, nl, "transfer-encoding"))
        w->chunked = vl >= 7;
}

/* Walks the header lines of p[0..he). */
static void headers(head_walk *w, const uint8_t *p, size_t he)
{
    size_t i = 0;
    while (i < he && p[i] != '\n')
        i++;
    for (i++; i < he;) {
        size_t s = i;
        while (i < he && p[i] != '\n')
            i++;
        size_t e = i;
        i++;
        if (e > s && p[e - 1] == '\r')
            e--;
        const uint8_t *colon = memchr(p + s, ':', e - s);
        if (!colon)
            continue;
        const uint8_t *v = colon + 1;
        while (v < p + e && (*v == ' ' || *v == '\t'))
            v++;
        header(w, p + s, (size_t)(colon - (p + s)), v, (size_t)(p + e - v));
    }
}

/* The page's <title>, whitespace collapsed. */
static void title(const uint8_t *b, size_t n, char *out, size_t cap)
{
    static const char open[] = "<title";
    size_t i = 0;
    for (; i + 6 <= n; i++) {
        size_t j = 0;
        while (j < 6 && (b[i + j] | 0x20) == open[j])
            j++;
        if (j == 6)
            break;
    }
    if (i + 6 > n)
        return;
    const uint8_t *gt = memchr(b + i, '>', n - i);
    if (!gt)
        return;
    const uint8_t *t = gt + 1, *end = b + n;
    const uint8_t *lt = memchr(t, '<', (size_t)(end - t));
    if (lt)
        end = lt;
    char tmp[256];
    size_t o = 0;
    bool space = false;
    for (; t < end && o + 1 < sizeof tmp; t++) {
        if (*t == ' ' || *t == '\t' || *t == '\r' || *t == '\n') {
            space = o > 0;
            continue;
        }
        if (space)
            tmp[o++] = ' ';
        space = false;
        if (o + 1 < sizeof tmp)
            tmp[o++] = (char)*t;
    }
    scan_field_set(out, cap, tmp, o);
}

bool scan_parse_http(const uint8_t *p, size_t n, scan_http *h)
{
    memset(h, 0, sizeof *h);
    if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0 || p[8] != ' ')
        return false;
    int st = 0;
    for (int i = 9; i < 12; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        st = st * 10 + (p[i] - '0');
    }
    h->status = st;
    h->auth_asked = st == 401;
    size_t he = head_end(p, n);
    head_walk w = {h, -1, false};
    headers(&w, p, he ? he : n);
    if (!he)
        return true;
    h->body = p + he;
    h->body_len = n - he;
    if (w.clen >= 0 && (unsigned long long)w.clen <= h->body_len) {
        h->body_len = (size_t)w.clen;
        h->complete = true;
    }
    if (w.clen == 0 || st == 204 || st == 304)
        h->complete = true;
    title(h->body, h->body_len, h->title, sizeof h->title);
    return true;
}

bool scan_http_done(const uint8_t *p, size_t n)
{
    scan_http h;
    return scan_parse_http(p, n, &h) && h.complete;
}

void scan_http_service(const scan_http *h, bool tls, scan_service *out)
{
    snprintf(out->name, sizeof out->name, "%s", tls ? "https" : "http");
    out->tls = tls;
    if (h->server[0]) {
        const char *s = h->server, *slash = strchr(s, '/'), *sp = strchr(s, ' ');
        size_t pl = slash && (!sp || slash < sp) ? (size_t)(slash - s) : sp ? (size_t)(sp - s) : strlen(s);
        scan_field_set(out->product, sizeof out->product, s, pl);
        if (slash && (!sp || slash < sp)) {
            const char *v = slash + 1;
            size_t vl = strcspn(v, " ");
            scan_field_set(out->version, sizeof out->version, v, vl);
        }
    }
    snprintf(out->info, sizeof out->info, "status %d%s%s", h->status, h->title[0] ? "; title " : "", h->title);
}

static const char *jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

scan_api_kind scan_parse_api_json(const uint8_t *body, size_t n, char *version, size_t cap)
{
    if (cap)
        version[0] = 0;
    if (!n || n > (1u << 20))
        return SCAN_API_NONE;
    json_t *j = json_loadb((const char *)body, n, JSON_DISABLE_EOF_CHECK, NULL);
    if (!j)
        return SCAN_API_NONE;
    scan_api_kind k = SCAN_API_NONE;
    const char *v = NULL;
    json_t *ver = json_object_get(j, "version");
    if (json_is_object(ver) && jstr(ver, "number") && (jstr(j, "tagline") || jstr(j, "cluster_name"))) {
        k = SCAN_API_ES;
        v = jstr(ver, "number");
    } else if (jstr(j, "ApiVersion") && jstr(j, "Version")) {
        k = SCAN_API_DOCKER;
        v = jstr(j, "Version");
    } else if (jstr(j, "gitVersion") && jstr(j, "major")) {
        k = SCAN_API_K8S;
        v = jstr(j, "gitVersion");
    } else if (jstr(j, "kind") && strcmp(jstr(j, "kind"), "APIVersions") == 0) {
        k = SCAN_API_K8S_LIST;
    }
    if (v)
        scan_field_set(version, cap, v, strlen(v));
    json_decref(j);
    return k;
}
