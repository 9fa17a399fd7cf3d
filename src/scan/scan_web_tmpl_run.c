/* Running one Nuclei template against a site (no I/O of its own: it sends and reports through
 * the web_tmpl_io it is given, web_send and web_report in a scan): its variables for the site,
 * each block's requests in order, each answer matched (scan_web_tmpl_match.c), a match
 * confirmed by sending its request again and then reported under the template's id, internal
 * extractors' values handed to the block's later
 * requests. A request whose variables have no value (an internal extractor found nothing, DN
 * on an address) is not sent: never a literal "{{...}}" on the wire. */
#include "scan/scan_web_tmpl_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_mem.h"

#define TR_STORE 16384               /* bytes for the URL variables of one site */
#define TR_VALS_MAX 32               /* values the template's variables and extractors keep */

/* A template's run on one site: its variables and the strings they point into. */
typedef struct tr_run {
    const web_tmpl_io *io;
    const web_tmpl *t;
    web_tmpl_vars vs;
    char store[TR_STORE];
    char randstr[24];
    char *owned[TR_VALS_MAX];        /* expanded variable and extracted values */
    size_t nowned;
} tr_run;

static const char *tr_own(tr_run *r, char *s)
{
    if (r->nowned == TR_VALS_MAX) {
        free(s);
        return NULL;
    }
    return r->owned[r->nowned++] = s;
}

static void tr_run_free(tr_run *r)
{
    for (size_t i = 0; i < r->nowned; i++)
        free(r->owned[i]);
    r->nowned = 0;
}

/* The URL variables of base, randstr, then the template's own variables (each expanded with
 * those before it). False when one cannot be given a value (the template is not run). */
static bool tr_vars(tr_run *r, const char *base)
{
    if (web_tmpl_vars_url(&r->vs, base, r->store, sizeof r->store) != KW_OK)
        return false;
    r->io->marker(r->io->arg, r->randstr, 16);
    web_tmpl_vars_set(&r->vs, "randstr", r->randstr);
    for (size_t i = 0; i < r->t->nvars; i++) {
        kw_buf b;
        kw_buf_init(&b, WEB_TMPL_STR_MAX);
        if (web_tmpl_expand(r->t->vars[i].value, &r->vs, &b) != KW_OK) {
            kw_buf_free(&b);
            return false;
        }
        const char *v = tr_own(r, kw_buf_take(&b));
        if (!v || !web_tmpl_vars_set(&r->vs, r->t->vars[i].name, v))
            return false;
    }
    return true;
}

/* One request of a block, its strings expanded (owned by the caller: tr_req_free). */
typedef struct tr_req {
    web_request rq;
    char *url, *body, *ctype;
    char *hdrs[WEB_TMPL_HEADERS_MAX];
} tr_req;

static void tr_req_free(tr_req *q)
{
    free(q->url);
    free(q->body);
    free(q->ctype);
    for (size_t i = 0; i < q->rq.nheaders; i++)
        free(q->hdrs[i]);
}

static char *tr_expand(const char *s, const web_tmpl_vars *vs, size_t max, bool *ok)
{
    if (!s || !*ok)
        return NULL;
    kw_buf b;
    kw_buf_init(&b, max);
    *ok = web_tmpl_expand(s, vs, &b) == KW_OK;
    return kw_buf_take(&b);
}

static bool tr_req_build(const web_tmpl_block *b, const web_tmpl_send *s, const web_tmpl_vars *vs, tr_req *q)
{
    memset(q, 0, sizeof *q);
    bool ok = true;
    q->url = tr_expand(s->url, vs, WEB_URL_MAX - 1, &ok);
    q->body = tr_expand(s->body, vs, WEB_TMPL_STR_MAX, &ok);
    q->ctype = tr_expand(s->content_type, vs, 1024, &ok);
    size_t nh = 0;
    for (; ok && nh < s->nheaders && nh < sizeof q->hdrs / sizeof *q->hdrs; nh++)
        q->hdrs[nh] = tr_expand(s->headers[nh], vs, 8192, &ok);
    q->rq = (web_request){.method = s->method, .url = q->url, .body = q->body, .body_len = q->body ? strlen(q->body) : 0,
                          .content_type = q->ctype, .headers = (const char *const *)q->hdrs,
                          .nheaders = nh, .follow = b->follow};
    return ok;
}

/* The page a finding is placed at: the request's URL without its query or fragment. */
static char *tr_page(const char *url)
{
    return kw_strndup(url, strcspn(url, "?#"));
}

static kw_rc tr_report(tr_run *r, const tr_req *q, const web_tmpl_result *res)
{
    const web_tmpl *t = r->t;
    char *page = tr_page(q->url), title_zh[512];
    snprintf(title_zh, sizeof title_zh, "模板 %s 命中：%s", t->id, t->name);
    web_issue is = {
        .check_id = t->id, .category = t->category, .title = t->name, .title_zh = title_zh,
        .cwe = t->cwe, .severity = t->severity, .url = page, .method = q->rq.method ? q->rq.method : "GET",
        .proof = &q->rq, .answer = kw_buf_cstr(&res->excerpt), .answer_len = res->excerpt.len,
        .detail = kw_buf_cstr(&res->detail),
        .advice_en = t->remediation ? t->remediation : "See the template's references; remove or protect what it found.",
        .advice_zh = "参见模板的参考资料，移除或保护模板发现的内容。"};
    kw_rc rc = r->io->report(r->io->arg, &is);
    free(page);
    return rc;
}

/* The internal extractors' values of an answer become variables of the block's next requests. */
static void tr_keep_internal(tr_run *r, const web_tmpl_result *res)
{
    for (size_t off = 0; off < res->internal.len;) {
        const char *name = res->internal.data + off, *value = name + strlen(name) + 1;
        off = (size_t)(value - res->internal.data) + strlen(value) + 1;
        const char *n = tr_own(r, kw_strdup(name)), *v = n ? tr_own(r, kw_strdup(value)) : NULL;
        if (v && r->vs.n < sizeof r->vs.v / sizeof *r->vs.v) /* appended: the latest value wins, and
                                                                 the block's end drops it */
            r->vs.v[r->vs.n++] = (web_tmpl_var){(char *)n, (char *)v};
    }
}

/* Proof before report: the request that matched is sent once more and must match again (a
 * page that changes on every load, or an error that passed, is not a finding). */
static bool tr_again(tr_run *r, const web_tmpl_block *b, const tr_req *q)
{
    web_response resp = {0};
    bool ok = false;
    if (r->io->send(r->io->arg, &q->rq, &resp) == KW_OK) {
        web_tmpl_answer a = {resp.status, resp.headers, resp.hlen, resp.body, resp.len};
        web_tmpl_result again;
        web_tmpl_result_init(&again);
        ok = web_tmpl_eval(b, &a, &r->vs, &again) == KW_OK && again.matched;
        web_tmpl_result_free(&again);
    }
    r->io->response_free(&resp);
    return ok;
}

/* Sends one request and matches its answer (its payload values are variables meanwhile);
 * true when the block should stop (a match with stop-at-first-match, or the scan stopping). */
static bool tr_send(tr_run *r, const web_tmpl_block *b, const web_tmpl_send *s, web_tmpl_result *res)
{
    tr_req q;
    bool stop = false, answered = false;
    size_t keep = r->vs.n;
    for (size_t i = 0; i < s->npayload && r->vs.n < sizeof r->vs.v / sizeof *r->vs.v; i++)
        r->vs.v[r->vs.n++] = s->payload[i];
    if (tr_req_build(b, s, &r->vs, &q)) {
        web_response resp = {0};
        if (r->io->send(r->io->arg, &q.rq, &resp) == KW_OK) {
            web_tmpl_answer a = {resp.status, resp.headers, resp.hlen, resp.body, resp.len};
            answered = web_tmpl_eval(b, &a, &r->vs, res) == KW_OK;
            if (answered && res->matched && tr_again(r, b, &q)) {
                tr_report(r, &q, res);
                stop = b->stop_first;
            }
        }
        r->io->response_free(&resp);
    }
    tr_req_free(&q);
    r->vs.n = keep;
    if (answered)
        tr_keep_internal(r, res);
    return stop || r->io->stopping(r->io->arg);
}

void web_tmpl_run(const web_tmpl *t, const char *base, const web_tmpl_io *io)
{
    tr_run *r = kw_calloc(1, sizeof *r);
    r->io = io;
    r->t = t;
    if (tr_vars(r, base)) {
        web_tmpl_result res;
        web_tmpl_result_init(&res);
        size_t keep = r->vs.n, owned = r->nowned;
        for (size_t i = 0; i < t->nblocks; i++) {
            const web_tmpl_block *b = &t->blocks[i];
            for (size_t j = 0; j < b->nsends && !tr_send(r, b, &b->sends[j], &res); j++)
                ;
            r->vs.n = keep; /* a block's extracted values are its own */
            while (r->nowned > owned)
                free(r->owned[--r->nowned]);
            if (io->stopping(io->arg))
                break;
        }
        web_tmpl_result_free(&res);
    }
    tr_run_free(r);
    free(r);
}
