/* The XSS check (web_check_xss): reflected XSS on every insertion point and stored XSS through
 * the POST forms. A plain marker shows where the parameter lands in the answer (the places
 * scan_web_xss_ctx.c finds); each place then gets its breakout probes, each with a fresh marker,
 * and an answer proves only when the marker stands in an executable position there. Markers
 * sent to POST forms are remembered (the state slot, behind a mutex); at the end the crawled
 * pages are fetched again and a remembered probe that proves on one of them is stored XSS. */
#include "scan/scan_web.h"
#include "scan/scan_web_xss.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_mem.h"

#define XSS_MARKER_LEN 10            /* letters and digits of each marker */
#define XSS_PLACES_MAX 8             /* places of one parameter looked at */
#define XSS_PROBES_MAX 6             /* breakout probes sent per parameter */
#define XSS_SENT_MAX 1024            /* markers remembered for the stored pass */
#define XSS_PAGES_MAX 256            /* pages fetched again by the stored pass */

static const char xss_advice_en[] =
    "Encode every value for the place it is written to: HTML-escape text and quoted attribute values "
    "(& < > \" '), JavaScript-escape values put in scripts (or pass them as JSON in a data attribute), "
    "allow only http(s) URLs in href/src, and use a template engine that escapes by default. Add a "
    "Content-Security-Policy without 'unsafe-inline' as a second line of defence.";
static const char xss_advice_zh[] =
    "按输出位置对每个值进行编码：HTML 文本和带引号的属性值做 HTML 转义（& < > \" '），写入脚本的值做 "
    "JavaScript 转义（或以 JSON 放入 data 属性），href/src 只允许 http(s) 地址，使用默认转义的模板引擎；"
    "并配置不含 'unsafe-inline' 的 Content-Security-Policy 作为第二道防线。";

/* A marker sent to a POST form, and the request that sent it. */
typedef struct xss_sent {
    char marker[XSS_MARKER_LEN + 1];
    web_xss_proof proof;
    bool plain;                      /* the marker alone: proves nothing by itself */
    bool replay;                     /* the stored probe: sent once more at the end */
    bool found;                      /* reported */
    char *param, *url, *body, *method, *content_type, *found_on;
} xss_sent;

typedef struct xss_state {
    pthread_mutex_t mu;
    xss_sent *v;
    size_t n, cap;
} xss_state;

static pthread_mutex_t xss_slot_mu = PTHREAD_MUTEX_INITIALIZER;

static xss_state *xss_state_get(web_ctx *x, bool create)
{
    pthread_mutex_lock(&xss_slot_mu);
    void **slot = web_check_state(x, "xss");
    if (!*slot && create) {
        xss_state *s = kw_calloc(1, sizeof *s);
        pthread_mutex_init(&s->mu, NULL);
        *slot = s;
    }
    xss_state *s = *slot;
    pthread_mutex_unlock(&xss_slot_mu);
    return s;
}

static void xss_remember(web_ctx *x, const web_target *t, size_t i, const web_built *b, const char *marker,
                         const web_xss_probe *p)
{
    xss_state *s = xss_state_get(x, true);
    pthread_mutex_lock(&s->mu);
    if (s->n < XSS_SENT_MAX) {
        kw_grow(&s->v, &s->cap, s->n + 1, sizeof *s->v);
        xss_sent *e = &s->v[s->n++];
        memset(e, 0, sizeof *e);
        kw_strlcpy(e->marker, marker, sizeof e->marker);
        e->plain = p == NULL;
        e->proof = p ? p->proof : WEB_XSS_PROOF_ELEMENT;
        e->param = kw_strdup(t->params[i].name);
        e->url = kw_strdup(b->rq.url);
        e->body = b->rq.body ? kw_strndup(b->rq.body, b->rq.body_len) : NULL;
        e->method = kw_strdup(b->rq.method ? b->rq.method : t->method);
        e->content_type = kw_strdup_opt(b->rq.content_type);
        e->found_on = kw_strdup_opt(t->found_on);
    }
    pthread_mutex_unlock(&s->mu);
}

static void xss_state_free(xss_state *s)
{
    for (size_t i = 0; i < s->n; i++) {
        xss_sent *e = &s->v[i];
        free(e->param), free(e->url), free(e->body), free(e->method), free(e->content_type), free(e->found_on);
    }
    free(s->v);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* ---- one probe ---- */

typedef struct xss_try {
    web_built b;
    web_response r;
    bool sent;
} xss_try;

static void xss_try_free(xss_try *tr)
{
    if (tr->sent) {
        web_built_free(&tr->b);
        web_response_free(&tr->r);
    }
    tr->sent = false;
}

/* Sends t with parameter i set to payload; true when an HTML answer came back (tr keeps the
 * request and answer until xss_try_free). Markers sent to a POST form are remembered. */
static bool xss_send(web_ctx *x, const web_target *t, size_t i, const char *payload, const char *marker,
                     const web_xss_probe *p, xss_try *tr)
{
    memset(tr, 0, sizeof *tr);
    if (web_target_build(t, i, payload, WEB_MUT_REPLACE, &tr->b) != KW_OK)
        return false;
    tr->sent = true;
    kw_rc rc = web_send(x, &tr->b.rq, &tr->r);
    if (rc == KW_ERR_RANGE)
        return false;
    if (t->method && strcmp(t->method, "POST") == 0)
        xss_remember(x, t, i, &tr->b, marker, p);
    return rc == KW_OK && tr->r.body && web_xss_is_html(tr->r.content_type);
}

static const char *xss_proof_words(web_xss_proof p)
{
    switch (p) {
    case WEB_XSS_PROOF_ELEMENT:
        return "made a new element named as the marker";
    case WEB_XSS_PROOF_ATTR:
        return "made a new attribute named as the marker";
    case WEB_XSS_PROOF_JSURL:
        return "starts the URL attribute with javascript:";
    case WEB_XSS_PROOF_JSATTR:
        return "left the string of the event handler: the marker stands as its script code";
    default:
        return "left the string: the marker stands as script code";
    }
}

static kw_rc xss_report(web_ctx *x, const web_issue *base, const web_response *r, size_t at, const char *detail)
{
    char ex[640];
    web_excerpt(r->body, r->len, at, 160, ex, sizeof ex);
    web_issue is = *base;
    is.answer = ex;
    is.answer_len = strlen(ex);
    is.detail = detail;
    is.advice_en = xss_advice_en;
    is.advice_zh = xss_advice_zh;
    is.category = "xss";
    is.cwe = "CWE-79";
    return web_report(x, &is);
}

static kw_rc xss_report_reflected(web_ctx *x, const web_target *t, size_t i, const xss_try *tr,
                                  const web_xss_where *w, const web_xss_probe *p, size_t at)
{
    char where[160], detail[768];
    web_xss_describe(w, where, sizeof where);
    snprintf(detail, sizeof detail, "the value lands in %s unescaped: the probe %s %s", where, p->payload,
             xss_proof_words(p->proof));
    web_issue is = {.check_id = "KW-WEB-XSS-REFLECTED", .title = "Reflected cross-site scripting",
                    .title_zh = "反射型跨站脚本（XSS）", .severity = FINDING_MEDIUM, .url = t->url,
                    .parameter = t->params[i].name, .method = tr->b.rq.method ? tr->b.rq.method : t->method,
                    .proof = &tr->b.rq};
    return xss_report(x, &is, &tr->r, at, detail);
}

/* A POST whose answer showed its probe: when the action's page shows it too, fetched again
 * without it, the value was kept (stored XSS shown on its own form's page), not echoed. */
static bool xss_kept(web_ctx *x, const web_target *t, const char *m, const web_xss_probe *p, web_response *r,
                     size_t *at)
{
    if (!t->method || strcmp(t->method, "POST") != 0 || web_refetch(x, t->url, r) != KW_OK)
        return false;
    return web_xss_proved(r->body, r->len, m, p->proof, at);
}

static kw_rc xss_report_kept(web_ctx *x, const web_target *t, size_t i, const xss_try *tr, const web_xss_probe *p,
                             const web_response *again, size_t at)
{
    char detail[768];
    snprintf(detail, sizeof detail,
             "the value submitted in parameter %s shows unescaped on %s when fetched again without it: the probe "
             "%s %s",
             t->params[i].name, t->url, p->payload, xss_proof_words(p->proof));
    web_issue is = {.check_id = "KW-WEB-XSS-STORED", .title = "Stored cross-site scripting",
                    .title_zh = "存储型跨站脚本（XSS）", .severity = FINDING_HIGH, .url = t->url,
                    .parameter = t->params[i].name, .method = t->method, .proof = &tr->b.rq};
    return xss_report(x, &is, again, at, detail);
}

/* ---- reflected ---- */

/* Whether a place wanting the same probes as c was kept already: the same kind, quoting and
 * script place (for raw text, the same element: its end tag closes it). */
static bool xss_place_seen(const web_xss_where *w, size_t n, const web_xss_where *c)
{
    bool by_tag = c->kind == WEB_XSS_RCDATA || c->kind == WEB_XSS_STYLE;
    for (size_t k = 0; k < n; k++)
        if (w[k].kind == c->kind && w[k].quote == c->quote && w[k].js == c->js &&
            (!by_tag || strcmp(w[k].tag, c->tag) == 0))
            return true;
    return false;
}

/* The places the plain marker lands in (distinct ones), into w; returns how many. */
static size_t xss_places(web_ctx *x, const web_target *t, size_t i, web_xss_where *w)
{
    char m[XSS_MARKER_LEN + 1];
    web_marker(x, m, XSS_MARKER_LEN);
    xss_try tr;
    web_xss_where all[XSS_PLACES_MAX];
    size_t n = 0, kept = 0;
    if (xss_send(x, t, i, m, m, NULL, &tr))
        n = web_xss_contexts(tr.r.body, tr.r.len, m, all, XSS_PLACES_MAX);
    xss_try_free(&tr);
    for (size_t k = 0; k < n; k++)
        if (!xss_place_seen(w, kept, &all[k]))
            w[kept++] = all[k];
    return kept;
}

/* Sends place w's probes (at most *budget of them); KW_OK with *done once one proved. */
static kw_rc xss_try_place(web_ctx *x, const web_target *t, size_t i, const web_xss_where *w, size_t *budget,
                           bool *done)
{
    char m[XSS_MARKER_LEN + 1];
    web_marker(x, m, XSS_MARKER_LEN);
    web_xss_probe p[4];
    size_t np = web_xss_probes(w, m, p, 4);
    kw_rc rc = KW_OK;
    for (size_t k = 0; k < np && *budget && !*done && !web_stopping(x); k++) {
        (*budget)--;
        xss_try tr;
        size_t at = 0;
        if (xss_send(x, t, i, p[k].payload, m, &p[k], &tr) && web_xss_proved(tr.r.body, tr.r.len, m, p[k].proof, &at)) {
            web_response again = {0};
            size_t at2 = 0;
            rc = xss_kept(x, t, m, &p[k], &again, &at2) ? xss_report_kept(x, t, i, &tr, &p[k], &again, at2)
                                                         : xss_report_reflected(x, t, i, &tr, w, &p[k], at);
            web_response_free(&again);
            *done = true;
        }
        xss_try_free(&tr);
    }
    return rc;
}

/* Marks the remembered probe carrying marker m as the one sent again at the end. */
static void xss_mark_replay(web_ctx *x, const char *m)
{
    xss_state *s = xss_state_get(x, true);
    pthread_mutex_lock(&s->mu);
    for (size_t k = s->n; k > 0; k--)
        if (strcmp(s->v[k - 1].marker, m) == 0) {
            s->v[k - 1].replay = true;
            break;
        }
    pthread_mutex_unlock(&s->mu);
}

/* What stored XSS needs from a POST form: a probe that closes a quote and a tag, then opens an
 * element; the pages are looked at in finish. */
static void xss_stored_submit(web_ctx *x, const web_target *t, size_t i)
{
    char m[XSS_MARKER_LEN + 1];
    web_marker(x, m, XSS_MARKER_LEN);
    web_xss_probe p = {.proof = WEB_XSS_PROOF_ELEMENT};
    snprintf(p.payload, sizeof p.payload, "'\"><%s>", m);
    xss_try tr;
    xss_send(x, t, i, p.payload, m, &p, &tr);
    if (tr.sent && tr.r.status > 0)
        xss_mark_replay(x, m);
    xss_try_free(&tr);
}

static kw_rc xss_per_param(web_ctx *x, const web_target *t, size_t i, unsigned profile)
{
    const web_param *prm = &t->params[i];
    if ((prm->hidden && !(profile & WEB_THOROUGH)) || web_reported(x, "KW-WEB-XSS-REFLECTED", t->url, prm->name))
        return KW_OK;
    bool post = t->method && strcmp(t->method, "POST") == 0;
    if (post && prm->where == WEB_IN_FORM && (profile & (WEB_STANDARD | WEB_THOROUGH)))
        xss_stored_submit(x, t, i);
    web_xss_where w[XSS_PLACES_MAX];
    size_t n = xss_places(x, t, i, w), budget = XSS_PROBES_MAX;
    bool done = false;
    kw_rc rc = KW_OK;
    for (size_t k = 0; k < n && !done && rc == KW_OK && !web_stopping(x); k++)
        rc = xss_try_place(x, t, i, &w[k], &budget, &done);
    return rc;
}

/* ---- stored: the pages fetched again ---- */

typedef struct xss_urls {
    char **v;
    size_t n, cap;
} xss_urls;

static kw_rc xss_collect(web_ctx *x, const web_page *pg, void *arg)
{
    (void)x;
    xss_urls *u = arg;
    if (u->n >= XSS_PAGES_MAX || !pg->url || (pg->resp && !web_xss_is_html(pg->resp->content_type)))
        return KW_OK;
    for (size_t k = 0; k < u->n; k++)
        if (strcmp(u->v[k], pg->url) == 0)
            return KW_OK;
    kw_grow(&u->v, &u->cap, u->n + 1, sizeof *u->v);
    u->v[u->n++] = kw_strdup(pg->url);
    return KW_OK;
}

static kw_rc xss_report_stored(web_ctx *x, const char *page, const xss_sent *e, const web_response *r, size_t at)
{
    char url[WEB_URL_MAX], detail[1024];
    kw_strlcpy(url, page, sizeof url);
    url[strcspn(url, "?#")] = '\0';
    snprintf(detail, sizeof detail,
             "the value submitted in parameter %s of the form %s %s (found on %s) shows unescaped on this page: "
             "the probe carrying marker %s %s",
             e->param, e->method, e->url, e->found_on ? e->found_on : e->url, e->marker, xss_proof_words(e->proof));
    web_request rq = {.method = e->method, .url = e->url, .body = e->body, .body_len = e->body ? strlen(e->body) : 0,
                      .content_type = e->content_type};
    web_issue is = {.check_id = "KW-WEB-XSS-STORED", .title = "Stored cross-site scripting",
                    .title_zh = "存储型跨站脚本（XSS）", .severity = FINDING_HIGH, .url = url,
                    .parameter = e->param, .method = e->method, .proof = &rq};
    return xss_report(x, &is, r, at, detail);
}

static int xss_sent_cmp(const void *a, const void *b)
{
    return strcmp(((const xss_sent *)a)->marker, ((const xss_sent *)b)->marker);
}

/* The remembered probe whose marker (all are mlen long, sorted) starts at b; NULL if none. */
static xss_sent *xss_sent_at(xss_state *s, const char *b, size_t mlen)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strncmp(s->v[mid].marker, b, mlen);
        if (c == 0)
            return &s->v[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Every remembered probe that proves on this page, reported there. One pass over the body:
 * each place its bytes start like the markers (they share their first byte, "kw...") is
 * looked up among them, so a long page costs its length, not its length times the probes. */
static kw_rc xss_stored_page(web_ctx *x, xss_state *s, const char *page, const web_response *r, size_t mlen)
{
    kw_rc rc = KW_OK;
    char first = s->v[0].marker[0];
    for (const char *p = r->body, *end = r->body + r->len; rc == KW_OK && p && (size_t)(end - p) >= mlen;) {
        xss_sent *e = xss_sent_at(s, p, mlen);
        size_t at = 0;
        if (e && !e->plain && !e->found && web_xss_proved(r->body, r->len, e->marker, e->proof, &at)) {
            rc = xss_report_stored(x, page, e, r, at);
            e->found = true;
        }
        p = memchr(p + 1, first, (size_t)(end - p - 1));
    }
    return rc;
}

/* The markers' common length, or 0 when they differ (or do not share their first byte). */
static size_t xss_marker_len(const xss_state *s)
{
    size_t mlen = strlen(s->v[0].marker);
    for (size_t k = 1; k < s->n; k++)
        if (strlen(s->v[k].marker) != mlen || s->v[k].marker[0] != s->v[0].marker[0])
            return 0;
    return mlen;
}

static kw_rc xss_stored_pass(web_ctx *x, xss_state *s)
{
    qsort(s->v, s->n, sizeof *s->v, xss_sent_cmp);
    size_t mlen = xss_marker_len(s);
    if (!mlen)
        return KW_OK;
    xss_urls u = {0};
    kw_rc rc = web_pages_each(x, xss_collect, &u);
    for (size_t k = 0; k < u.n && rc == KW_OK && !web_stopping(x); k++) {
        web_response r;
        memset(&r, 0, sizeof r);
        if (web_refetch(x, u.v[k], &r) == KW_OK && r.body && web_xss_is_html(r.content_type))
            rc = xss_stored_page(x, s, r.url ? r.url : u.v[k], &r, mlen);
        web_response_free(&r);
    }
    for (size_t k = 0; k < u.n; k++)
        free(u.v[k]);
    free(u.v);
    return rc;
}

/* The parent of url's path ("http://h/account/profile" -> "http://h/account") into out; false
 * when url has no path. */
static bool xss_parent(const char *url, char *out, size_t n)
{
    kw_strlcpy(out, url, n);
    char *path = strstr(out, "://");
    path = path ? strchr(path + 3, '/') : NULL;
    char *slash = path ? strrchr(path, '/') : NULL;
    if (!slash)
        return false;
    slash[slash > path ? 0 : 1] = '\0';
    return true;
}

/* Stored probe e sent once more, alone (no other submission can overwrite it now), and looked
 * for where a form's submission most likely shows: the page the form is on and the parent of
 * its action (an edit form at /account/profile shows on /account). This finds a value kept in
 * a single slot (a profile field) that later submissions overwrote before the pages pass. */
static kw_rc xss_replay(web_ctx *x, const xss_sent *e)
{
    web_request rq = {.method = e->method, .url = e->url, .body = e->body, .body_len = e->body ? strlen(e->body) : 0,
                      .content_type = e->content_type};
    web_response r;
    memset(&r, 0, sizeof r);
    kw_rc rc = web_send(x, &rq, &r);
    web_response_free(&r);
    if (rc != KW_OK)
        return KW_OK;
    char parent[WEB_URL_MAX];
    const char *pages[2] = {e->found_on, xss_parent(e->url, parent, sizeof parent) ? parent : NULL};
    for (size_t k = 0; k < 2 && rc == KW_OK && !web_stopping(x); k++) {
        size_t at = 0;
        if (!pages[k] || (k == 1 && pages[0] && strcmp(pages[0], pages[1]) == 0))
            continue;
        memset(&r, 0, sizeof r);
        if (web_refetch(x, pages[k], &r) == KW_OK && r.body && web_xss_is_html(r.content_type) &&
            web_xss_proved(r.body, r.len, e->marker, e->proof, &at))
            rc = xss_report_stored(x, r.url ? r.url : pages[k], e, &r, at);
        web_response_free(&r);
    }
    return rc;
}

static kw_rc xss_replay_pass(web_ctx *x, const xss_state *s)
{
    kw_rc rc = KW_OK;
    for (size_t k = 0; k < s->n && rc == KW_OK && !web_stopping(x); k++)
        if (s->v[k].replay && !s->v[k].found)
            rc = xss_replay(x, &s->v[k]);
    return rc;
}

static kw_rc xss_finish(web_ctx *x, unsigned profile)
{
    xss_state *s = xss_state_get(x, false);
    if (!s)
        return KW_OK;
    kw_rc rc = KW_OK;
    if (s->n && (profile & (WEB_STANDARD | WEB_THOROUGH)))
        rc = xss_stored_pass(x, s);
    if (rc == KW_OK && s->n && (profile & (WEB_STANDARD | WEB_THOROUGH)))
        rc = xss_replay_pass(x, s);
    pthread_mutex_lock(&xss_slot_mu);
    *web_check_state(x, "xss") = NULL;
    pthread_mutex_unlock(&xss_slot_mu);
    xss_state_free(s);
    return rc;
}

const web_check web_check_xss = {
    .name = "xss",
    .profiles = WEB_QUICK | WEB_STANDARD | WEB_THOROUGH,
    .per_param = xss_per_param,
    .finish = xss_finish,
};
