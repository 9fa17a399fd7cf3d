/* Every request a web scan sends (web_send), on libcurl: the scope checked on every hop (the
 * site's scheme, host, port and path prefix, and the address pinned at the start, so a name
 * that resolves elsewhere later cannot lead the scan out), the request budget, the rate, a
 * bounded answer (WEB_BODY_MAX of body, WEB_HEADERS_MAX of headers, the scan's timeout),
 * redirects followed by hand within scope, the session's cookies shared by every worker, and
 * the sign-in with a login form, confirmed and redone when the session ends. */
#include "scan/scan_web_int.h"
#include "scan/scan_web_html.h"

#include "core/kw_mem.h"
#include "core/kw_time.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the shared state ---- */

static void share_lock(CURL *h, curl_lock_data d, curl_lock_access a, void *arg)
{
    (void)h, (void)a;
    pthread_mutex_lock(&((web_scan *)arg)->share_mu[d]);
}

static void share_unlock(CURL *h, curl_lock_data d, void *arg)
{
    (void)h;
    pthread_mutex_unlock(&((web_scan *)arg)->share_mu[d]);
}

kw_rc web_http_init(web_scan *s)
{
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&s->share_mu[i], NULL);
    s->share = curl_share_init();
    if (!s->share)
        return KW_ERR_NOMEM;
    curl_share_setopt(s->share, CURLSHOPT_LOCKFUNC, share_lock);
    curl_share_setopt(s->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
    curl_share_setopt(s->share, CURLSHOPT_USERDATA, s);
    curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
    for (size_t i = 0; i < s->nsites; i++) {
        char pin[400];
        const web_site *w = &s->sites[i];
        bool v6 = strchr(w->ip, ':') != NULL;
        snprintf(pin, sizeof pin, "%s:%d:%s%s%s", w->host, w->port, v6 ? "[" : "", w->ip, v6 ? "]" : "");
        s->resolve = curl_slist_append(s->resolve, pin);
    }
    for (size_t i = 0; i < s->o->auth.nheaders; i++)
        s->auth_hdrs = curl_slist_append(s->auth_hdrs, s->o->auth.headers[i]);
    return KW_OK;
}

void web_http_free(web_scan *s)
{
    if (s->share)
        curl_share_cleanup(s->share);
    curl_slist_free_all(s->resolve);
    curl_slist_free_all(s->auth_hdrs);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_destroy(&s->share_mu[i]);
}


/* ---- scope ---- */

/* The parts of an absolute http(s) URL: scheme, host (lower-cased), port, path. */
typedef struct url_parts {
    char scheme[8], host[256], path[WEB_URL_MAX];
    int port;
} url_parts;

static bool url_split(const char *url, url_parts *p)
{
    CURLU *u = curl_url();
    bool ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK;
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
    ok = ok && curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
         curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
         curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
         curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK;
    ok = ok && (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0) && strlen(host) < sizeof p->host &&
         strlen(path) < sizeof p->path;
    if (ok) {
        snprintf(p->scheme, sizeof p->scheme, "%s", scheme);
        const char *h = host;
        size_t hn = strlen(h);
        if (hn >= 2 && h[0] == '[' && h[hn - 1] == ']')
            h++, hn -= 2;
        for (size_t i = 0; i < hn; i++)
            p->host[i] = (char)tolower((unsigned char)h[i]);
        p->host[hn] = 0;
        p->port = atoi(port);
        snprintf(p->path, sizeof p->path, "%s", path);
    }
    curl_free(scheme), curl_free(host), curl_free(port), curl_free(path);
    curl_url_cleanup(u);
    return ok;
}

const web_site *web_site_of(const web_scan *s, const char *url)
{
    url_parts p;
    if (strlen(url) >= WEB_URL_MAX || !url_split(url, &p))
        return NULL;
    for (size_t i = 0; i < s->nsites; i++) {
        const web_site *w = &s->sites[i];
        if (strcmp(w->scheme, p.scheme) == 0 && strcmp(w->host, p.host) == 0 && w->port == p.port &&
            strncmp(p.path, w->path, strlen(w->path)) == 0)
            return w;
    }
    return NULL;
}

/* ---- notes and progress ---- */

void web_note(web_scan *s, const char *fmt, ...)
{
    if (!s->o->on_note)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    s->o->on_note(s->o->note_arg, line);
}

void web_tick(web_scan *s)
{
    if (!s->o->on_progress || pthread_mutex_trylock(&s->progress_mu) != 0)
        return;
    int64_t now = kw_mono_ms();
    if (now - s->progress_ms >= 250) {
        s->progress_ms = now;
        web_progress p = {atomic_load(&s->requests), atomic_load(&s->npages_fetched), atomic_load(&s->points_done),
                          s->npoints, atomic_load(&s->findings), s->npoints == 0};
        s->o->on_progress(s->o->progress_arg, &p);
    }
    pthread_mutex_unlock(&s->progress_mu);
}

/* ---- budget, rate, stop ---- */

bool web_stopping(web_ctx *x)
{
    web_scan *s = x->s;
    if (atomic_load(&s->stop))
        return true;
    if (s->o->cancel && *s->o->cancel) {
        atomic_store(&s->stop, 3);
        return true;
    }
    if (s->o->deadline_ms && kw_mono_ms() >= s->o->deadline_ms) {
        atomic_store(&s->stop, 2);
        return true;
    }
    return false;
}

/* Takes one request from the budget and waits for the rate; false when the scan is stopping. */
static bool take_request(web_ctx *x)
{
    web_scan *s = x->s;
    if (web_stopping(x))
        return false;
    if (atomic_fetch_add(&s->requests, 1) >= s->max_requests) {
        atomic_fetch_sub(&s->requests, 1);
        atomic_store(&s->stop, 1);
        return false;
    }
    if (s->o->rate <= 0)
        return true;
    for (;;) {
        pthread_mutex_lock(&s->rate_mu);
        int64_t now = scan_now_us();
        bool got = scan_bucket_take(&s->bucket, now);
        int64_t wait = got ? 0 : scan_bucket_wait_us(&s->bucket, now);
        pthread_mutex_unlock(&s->rate_mu);
        if (got)
            return true;
        if (web_stopping(x))
            return false;
        if (wait < 1000)
            wait = 1000;
        struct timespec ts = {wait / 1000000, (wait % 1000000) * 1000};
        nanosleep(&ts, NULL);
    }
}

/* ---- one exchange ---- */

typedef struct sink_buf {
    char *p;
    size_t n, cap, max;
    bool cut;
} sink_buf;

/* Appends p[n] (growing by doubling, never past max); false when it would pass max. */
static bool sink_put(sink_buf *b, const char *p, size_t n)
{
    if (b->n + n > b->max) {
        b->cut = true;
        return false;
    }
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 16384;
        while (cap < b->n + n + 1)
            cap *= 2;
        b->cap = cap < b->max + 1 ? cap : b->max + 1;
        b->p = kw_realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = 0;
    return true;
}

static size_t on_body(char *p, size_t sz, size_t n, void *arg)
{
    sink_buf *b = arg;
    size_t len = sz * n;
    if (!sink_put(b, p, len)) {
        size_t room = b->max - b->n;
        sink_put(b, p, room);
        b->cut = true;
        return 0;   /* stops the transfer: the rest is never read */
    }
    return len;
}

static size_t on_header(char *p, size_t sz, size_t n, void *arg)
{
    sink_buf *b = arg;
    size_t len = sz * n;
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0)
        b->n = 0;   /* a new answer (after a 1xx): its headers replace the last ones */
    return sink_put(b, p, len) ? len : 0;
}

/* What every request of handle h has: set once (a reset would leak libcurl's cookie-file
 * list, and the session handle's cookie jar is the share's). */
static void handle_setup(web_scan *s, CURL *h, bool session)
{
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_RESOLVE, s->resolve);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, s->user_agent);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    if (session) {
        curl_easy_setopt(h, CURLOPT_SHARE, s->share);
        curl_easy_setopt(h, CURLOPT_COOKIEFILE, "");
        if (s->o->auth.cookie)
            curl_easy_setopt(h, CURLOPT_COOKIE, s->o->auth.cookie);
    }
}

kw_rc web_ctx_init(web_ctx *x, web_scan *s, int worker)
{
    *x = (web_ctx){.s = s, .worker = worker, .h = curl_easy_init(), .anon = curl_easy_init()};
    if (!x->h || !x->anon)
        return KW_ERR_NOMEM;
    handle_setup(s, x->h, true);
    handle_setup(s, x->anon, false);
    return KW_OK;
}

void web_ctx_free(web_ctx *x)
{
    if (x->h)
        curl_easy_cleanup(x->h);
    if (x->anon)
        curl_easy_cleanup(x->anon);
    x->h = x->anon = NULL;
}

/* Whether this request goes without the session: asked for, or the login form's own action
 * (a wrong password posted there must not end the session the scan signed in with). */
static bool anonymous(const web_scan *s, const web_request *rq, const char *url, bool signing_in)
{
    if (rq->no_session)
        return true;
    if (signing_in || !s->login_action)
        return false;
    size_t n = strlen(s->login_action);
    return strncmp(url, s->login_action, n) == 0 && (url[n] == 0 || url[n] == '?');
}

static void lower_type(web_response *r, const char *ct)
{
    size_t n = ct ? strcspn(ct, ";") : 0;
    while (n > 0 && ct[n - 1] == ' ')
        n--;
    r->content_type = kw_malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        r->content_type[i] = (char)tolower((unsigned char)ct[i]);
    r->content_type[n] = 0;
}

/* One exchange of rq at url (one hop), no redirect followed; *next receives the redirect's
 * target when the answer is one (the caller frees it). */
static void exchange(web_ctx *x, const web_request *rq, const char *url, bool signing_in, web_response *out,
                     char **next)
{
    web_scan *s = x->s;
    bool anon = anonymous(s, rq, url, signing_in);
    CURL *h = anon ? x->anon : x->h;
    sink_buf body = {.max = WEB_BODY_MAX}, hdrs = {.max = WEB_HEADERS_MAX};
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hl = NULL;
    if (!anon)
        for (struct curl_slist *a = s->auth_hdrs; a; a = a->next)
            hl = curl_slist_append(hl, a->data);
    if (rq->content_type) {
        char ct[160];
        snprintf(ct, sizeof ct, "Content-Type: %s", rq->content_type);
        hl = curl_slist_append(hl, ct);
    }
    for (size_t i = 0; i < rq->nheaders; i++)
        hl = curl_slist_append(hl, rq->headers[i]);
    hl = curl_slist_append(hl, "Expect:");

    const char *method = rq->method ? rq->method : "GET";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &hdrs);
    int64_t tmo = rq->timeout_ms > 0 ? rq->timeout_ms : s->timeout_ms;
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)tmo);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(tmo < 5000 ? tmo : 5000));
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
    curl_easy_setopt(h, CURLOPT_NOBODY, 0L);
    if (strcmp(method, "GET") == 0 && !rq->body) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(rq->body ? rq->body_len : 0));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
        if (strcmp(method, "POST") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }

    CURLcode cc = curl_easy_perform(h);
    curl_slist_free_all(hl);
    curl_off_t us = 0;
    curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &us);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    out->elapsed_us = (int64_t)us;
    out->truncated = body.cut;
    out->body = body.p ? body.p : kw_calloc(1, 1);
    out->len = body.n;
    out->headers = hdrs.p ? hdrs.p : kw_calloc(1, 1);
    out->hlen = hdrs.n;
    char *ct = NULL;
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
    lower_type(out, ct);
    free(out->url);
    out->url = kw_strdup(url);
    if (body.cut) {
        atomic_fetch_add(&s->truncated, 1);
        cc = CURLE_OK;   /* we stopped it: what was read is the answer */
    }
    if (cc != CURLE_OK) {
        out->rc = cc == CURLE_OPERATION_TIMEDOUT ? KW_ERR_TIMEOUT : KW_ERR_IO;
        snprintf(out->err, sizeof out->err, "%s: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(cc));
        if (hdrs.cut)
            snprintf(out->err, sizeof out->err, "%s: the header block passes %u bytes", url, WEB_HEADERS_MAX);
        atomic_fetch_add(&s->errors, 1);
        return;
    }
    out->rc = KW_OK;
    out->err[0] = 0;
    char *loc = NULL;
    if (next && out->status >= 300 && out->status < 400 && curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK &&
        loc)
        *next = kw_strdup(loc);
}

static void refuse(web_scan *s, web_response *out, const char *url, const char *why)
{
    atomic_fetch_add(&s->refused, 1);
    out->rc = KW_ERR_RANGE;
    snprintf(out->err, sizeof out->err, "%.100s: %s", url, why);
}

/* web_send, with signing_in telling the login's own requests apart. */
static kw_rc send_rq(web_ctx *x, const web_request *rq, web_response *out, bool signing_in)
{
    web_scan *s = x->s;
    *out = (web_response){0};
    char *url = kw_strdup(rq->url);
    web_request cur = *rq;
    for (int hop = 0;; hop++) {
        if (!web_site_of(s, url)) {
            refuse(s, out, url, "out of the scan's scope");
            break;
        }
        if (!signing_in && s->logged_in && web_is_logout(url)) {
            refuse(s, out, url, "a logout link (never requested)");
            break;
        }
        if (!take_request(x)) {
            out->rc = KW_ERR_RANGE;
            snprintf(out->err, sizeof out->err, "the scan is stopping (budget or time)");
            break;
        }
        char *next = NULL;
        web_response_free(out);
        exchange(x, &cur, url, signing_in, out, rq->follow ? &next : NULL);
        if (!next)
            break;
        bool too_many = hop + 1 > WEB_REDIRECTS_MAX;
        if (too_many || !web_site_of(s, next)) {
            if (too_many)
                web_note(s, "%s: redirect to %.200s not followed (more than %d redirects)", url, next,
                         WEB_REDIRECTS_MAX);
            else
                web_note(s, "%s: redirect to %.200s not followed (out of scope)", url, next);
            free(next);
            break;
        }
        if (out->status != 307 && out->status != 308)
            cur = (web_request){.method = "GET", .follow = true, .no_session = rq->no_session,
                                .timeout_ms = rq->timeout_ms, .headers = rq->headers, .nheaders = rq->nheaders};
        free(url);
        url = next;
    }
    free(url);
    return out->rc;
}

void web_response_free(web_response *r)
{
    free(r->body);
    free(r->headers);
    free(r->url);
    free(r->content_type);
    r->body = r->headers = r->url = r->content_type = NULL;
    r->len = r->hlen = 0;
}

const char *web_header(const web_response *r, const char *name, size_t *len, const char **from)
{
    if (!r->headers)
        return NULL;
    size_t pos = from && *from ? (size_t)(*from - r->headers) : 0;
    const char *v = web_header_in(r->headers, r->hlen, name, len, &pos);
    if (from)
        *from = r->headers + pos;
    return v;
}

/* ---- the session ---- */

/* Whether a page shows a password field (the login form again: not signed in). */
static bool shows_password(const web_response *r)
{
    web_html h;
    bool found = false;
    if (web_html_parse(r->url, r->body, r->len, 512, &h) == KW_OK)
        for (size_t i = 0; i < h.nforms && !found; i++)
            for (size_t k = 0; k < h.forms[i].nfields && !found; k++)
                found = strcmp(h.forms[i].fields[k].type, "password") == 0;
    web_html_free(&h);
    return found;
}

static bool signed_in_page(const web_scan *s, const web_response *r)
{
    if (r->rc != KW_OK || r->status >= 400)
        return false;
    if (s->o->auth.login_success)
        return web_find(r->body, r->len, s->o->auth.login_success) != (size_t)-1;
    return !shows_password(r);
}

/* The form to sign in with: the first one with a password field, else the first. */
static const web_form *login_form(const web_html *h)
{
    for (size_t i = 0; i < h->nforms; i++)
        for (size_t k = 0; k < h->forms[i].nfields; k++)
            if (strcmp(h->forms[i].fields[k].type, "password") == 0)
                return &h->forms[i];
    return h->nforms ? &h->forms[0] : NULL;
}

/* The value the user gave for field name, or NULL. */
static const char *given(const web_auth *a, const char *name, size_t *nl)
{
    for (size_t i = 0; i < a->nlogin_fields; i++) {
        const char *eq = strchr(a->login_fields[i], '=');
        size_t n = eq ? (size_t)(eq - a->login_fields[i]) : strlen(a->login_fields[i]);
        if (nl)
            *nl = n;
        if (!name || (strlen(name) == n && strncmp(a->login_fields[i], name, n) == 0))
            return eq ? eq + 1 : "";
    }
    return NULL;
}

static kw_rc submit_login(web_ctx *x, const web_form *f, web_response *r)
{
    web_scan *s = x->s;
    const web_auth *a = &s->o->auth;
    web_target t = {.method = kw_strdup(f->method), .url = kw_strdup(f->action)};
    size_t cut = strcspn(t.url, "?");
    t.url[cut] = 0;
    web_where w = strcmp(f->method, "POST") == 0 ? WEB_IN_FORM : WEB_IN_QUERY;
    for (size_t k = 0; k < f->nfields; k++) {
        const web_field *fd = &f->fields[k];
        const char *v = given(a, fd->name, NULL);
        (void)web_target_add(&t, fd->name, v ? v : fd->value, w, false);
    }
    for (size_t i = 0; i < a->nlogin_fields; i++) {
        const char *eq = strchr(a->login_fields[i], '=');
        char *name = kw_strndup(a->login_fields[i], eq ? (size_t)(eq - a->login_fields[i]) : strlen(a->login_fields[i]));
        bool have = false;
        for (size_t k = 0; k < t.nparams && !have; k++)
            have = strcmp(t.params[k].name, name) == 0;
        if (!have)
            (void)web_target_add(&t, name, eq ? eq + 1 : "", w, false);
        free(name);
    }
    web_built b;
    kw_rc rc = web_target_build(&t, (size_t)-1, NULL, WEB_MUT_REPLACE, &b);
    if (rc == KW_OK) {
        b.rq.follow = true;
        rc = send_rq(x, &b.rq, r, true);
        web_built_free(&b);
    }
    free(s->login_action);
    s->login_action = kw_strdup(t.url);
    web_target_free(&t);
    return rc;
}

kw_rc web_login(web_ctx *x, char *err, size_t errn)
{
    web_scan *s = x->s;
    const web_auth *a = &s->o->auth;
    if (!a->login_url)
        return KW_OK;
    web_response page, r = {0};
    web_request rq = {.url = a->login_url, .follow = true};
    kw_rc rc = send_rq(x, &rq, &page, true);
    web_html h = {0};
    const web_form *f = NULL;
    if (rc == KW_OK && web_html_parse(page.url, page.body, page.len, WEB_LINKS_PER_PAGE, &h) == KW_OK)
        f = login_form(&h);
    if (rc != KW_OK) {
        snprintf(err, errn, "sign-in page %s: %s", a->login_url, page.err);
    } else if (!f) {
        snprintf(err, errn, "sign-in page %s has no form", a->login_url);
        rc = KW_ERR_NOTFOUND;
    } else if ((rc = submit_login(x, f, &r)) != KW_OK) {
        snprintf(err, errn, "sign-in at %s: %s", f->action, r.err);
    } else if (!signed_in_page(s, &r)) {
        snprintf(err, errn, "sign-in at %s failed: %s", f->action,
                 a->login_success ? "the page after it does not show the success text"
                                  : "the page after it still asks for a password");
        rc = KW_ERR_NOTFOUND;
    } else {
        free(s->session_url);
        s->session_url = kw_strdup(r.url);
        s->logged_in = true;
        atomic_fetch_add(&s->login_gen, 1);
        atomic_store(&s->since_check, 0);
    }
    web_html_free(&h);
    web_response_free(&page);
    web_response_free(&r);
    return rc;
}

/* Confirms the session (the page after sign-in still shows it) and signs in again when it
 * ended; gen is the sign-in the caller's answer came under (another worker may have redone it
 * since). True when the session is (again) good. */
static bool renew_session(web_ctx *x, unsigned gen)
{
    web_scan *s = x->s;
    pthread_mutex_lock(&s->login_mu);
    bool ok = true;
    if (atomic_load(&s->login_gen) == gen) {
        web_response r;
        web_request rq = {.url = s->session_url, .follow = true};
        send_rq(x, &rq, &r, true);
        ok = signed_in_page(s, &r);
        web_response_free(&r);
        if (!ok) {
            char err[256];
            ok = web_login(x, err, sizeof err) == KW_OK;
            web_note(s, ok ? "the session ended: signed in again" : "the session ended and signing in again failed: %s",
                     ok ? "" : err);
        }
        atomic_store(&s->since_check, 0);
    }
    pthread_mutex_unlock(&s->login_mu);
    return ok;
}

/* Whether an answer looks like the session ended: sent to the sign-in page. (A 401 is HTTP
 * authentication of some area, not the form's session.) */
static bool session_lost(const web_scan *s, const web_response *r)
{
    if (r->status < 300 || r->status >= 400)
        return false;
    size_t n;
    const char *loc = web_header(r, "location", &n, NULL);
    const char *lp = strstr(s->o->auth.login_url, "://");
    lp = lp ? strchr(lp + 3, '/') : NULL;
    if (!loc || !lp)
        return false;
    size_t lpn = strcspn(lp, "?#");
    for (size_t i = 0; i + lpn <= n; i++)
        if (strncmp(loc + i, lp, lpn) == 0)
            return true;
    return false;
}

kw_rc web_send(web_ctx *x, const web_request *rq, web_response *out)
{
    web_scan *s = x->s;
    web_tick(s);
    if (!s->logged_in || anonymous(s, rq, rq->url, false))
        return send_rq(x, rq, out, false);
    unsigned gen = atomic_load(&s->login_gen);
    kw_rc rc = send_rq(x, rq, out, false);
    bool lost = rc == KW_OK && session_lost(s, out);
    if (!lost && atomic_fetch_add(&s->since_check, 1) < 200)
        return rc;
    if (renew_session(x, gen) && lost) {
        web_response_free(out);
        rc = send_rq(x, rq, out, false);   /* once more, signed in */
    }
    return rc;
}

/* ---- the sites ---- */

/* Adds the site of scope prefix url (its path a prefix; "" or a file name: its directory). */
static kw_rc add_site(web_scan *s, const char *url, bool whole_site, char *err, size_t errn)
{
    url_parts p;
    if (strlen(url) >= WEB_URL_MAX || !url_split(url, &p)) {
        snprintf(err, errn, "not an http(s) URL: %.200s", url);
        return KW_ERR_PARSE;
    }
    for (size_t i = 0; i < s->nsites; i++) /* another URL of a site already there */
        if (strcmp(s->sites[i].scheme, p.scheme) == 0 && strcmp(s->sites[i].host, p.host) == 0 &&
            s->sites[i].port == p.port && strcmp(s->sites[i].path, whole_site ? "/" : p.path) == 0)
            return KW_OK;
    kw_addr a;
    web_site w = {0};
    if (scan_resolve_system(p.host, &a, NULL) != KW_OK) {
        snprintf(err, errn, "%s does not resolve", p.host);
        return KW_ERR_NOTFOUND;
    }
    kw_addr_str(&a, w.ip, sizeof w.ip);
    if (s->o->allowed && !scan_scope_has(s->o->allowed, &a)) {
        snprintf(err, errn, "%s (%s) is outside scan.allowed: nothing was sent", p.host, w.ip);
        return KW_ERR_RANGE;
    }
    char root[600];
    bool v6 = strchr(p.host, ':') != NULL;
    snprintf(root, sizeof root, "%s://%s%s%s:%d/", p.scheme, v6 ? "[" : "", p.host, v6 ? "]" : "", p.port);
    w.scheme = kw_strdup(p.scheme);
    w.host = kw_strdup(p.host);
    w.port = p.port;
    w.root = kw_strdup(root);
    w.path = kw_strdup(whole_site ? "/" : p.path);
    s->sites = kw_realloc(s->sites, (s->nsites + 1) * sizeof *s->sites);
    s->sites[s->nsites++] = w;
    return KW_OK;
}

kw_rc web_sites_init(web_scan *s, char *err, size_t errn)
{
    const web_scan_opts *o = s->o;
    kw_rc rc = KW_OK;
    for (size_t i = 0; i < o->nscope && rc == KW_OK; i++)
        rc = add_site(s, o->scope[i], false, err, errn);
    for (size_t i = 0; i < o->nurls && rc == KW_OK; i++)
        if (o->nscope == 0)
            rc = add_site(s, o->urls[i], true, err, errn);
        else if (!web_site_of(s, o->urls[i])) {
            snprintf(err, errn, "%.200s is outside --scope", o->urls[i]);
            rc = KW_ERR_RANGE;
        }
    return rc;
}

void web_sites_free(web_scan *s)
{
    for (size_t i = 0; i < s->nsites; i++) {
        free(s->sites[i].scheme);
        free(s->sites[i].host);
        free(s->sites[i].path);
        free(s->sites[i].root);
    }
    free(s->sites);
    s->sites = NULL;
    s->nsites = 0;
}
