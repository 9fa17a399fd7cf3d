/* A web scan from start to end (web_scan_run): the sites resolved and checked against
 * scan.allowed, the sign-in, the crawl (passive checks on every page), the per-site checks,
 * the active checks on every insertion point on a pool of workers, each check's finish, then
 * the sites covered when the scan ran whole; and the recheck of one finding by its proof. */
#include "scan/scan_web_int.h"

#include "core/kw_buf.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef KW_VERSION
#define KW_VERSION "0"
#endif

/* ---- the pool ---- */

typedef struct pool {
    web_ctx *ctx;
    size_t n;
    atomic_size_t next;
    void (*fn)(web_ctx *x, size_t i, void *arg);
    void *arg;
} pool;

typedef struct pool_worker {
    pool *p;
    web_ctx *x;
    pthread_t th;
} pool_worker;

static void *pool_loop(void *arg)
{
    pool_worker *w = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&w->p->next, 1);
        if (i >= w->p->n || web_stopping(w->x))
            return NULL;
        w->p->fn(w->x, i, w->p->arg);
    }
}

/* Runs fn(x, i, arg) for i in [0, n) on nw workers. */
static void run_pool(web_ctx *ctx, int nw, size_t n, void (*fn)(web_ctx *, size_t, void *), void *arg)
{
    pool p = {.ctx = ctx, .n = n, .fn = fn, .arg = arg};
    atomic_init(&p.next, 0);
    pool_worker *w = kw_calloc((size_t)nw, sizeof *w);
    for (int i = 0; i < nw; i++) {
        w[i] = (pool_worker){&p, &ctx[i], 0};
        if (i > 0)
            pthread_create(&w[i].th, NULL, pool_loop, &w[i]);
    }
    pool_loop(&w[0]);
    for (int i = 1; i < nw; i++)
        pthread_join(w[i].th, NULL);
    free(w);
}

static void site_task(web_ctx *x, size_t i, void *arg)
{
    (void)arg;
    web_scan *s = x->s;
    const web_site *w = &s->sites[i / web_nchecks];
    const web_check *c = web_checks[i % web_nchecks];
    if (c->per_site && (c->profiles & s->profile))
        (void)c->per_site(x, w->root, s->profile);
}

/* Whether a hidden field's name says it carries where to go next (a login form's "next"): a
 * classic open redirect, tried in every profile. */
static bool names_a_target(const char *name)
{
    static const char *const words[] = {"next", "url", "return", "redirect", "goto", "dest", "continue", "back",
                                        "target", "forward"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (web_find(name, strlen(name), words[i]) != (size_t)-1)
            return true;
    return false;
}

/* Whether parameter p is an insertion point in this profile. */
static bool point_of(const web_scan *s, const web_param *p)
{
    if (s->profile & WEB_THOROUGH)
        return true;
    if (p->where == WEB_IN_COOKIE || p->where == WEB_IN_PATH)
        return false;
    return !p->hidden || names_a_target(p->name);
}

static void point_task(web_ctx *x, size_t i, void *arg)
{
    (void)arg;
    web_scan *s = x->s;
    const web_target *t = &s->targets[s->points[i].target];
    for (size_t k = 0; k < web_nchecks && !web_stopping(x); k++)
        if (web_checks[k]->per_param && (web_checks[k]->profiles & s->profile))
            (void)web_checks[k]->per_param(x, t, s->points[i].param, s->profile);
    atomic_fetch_add(&s->points_done, 1);
    web_tick(s);
}

static void list_points(web_scan *s)
{
    for (size_t t = 0; t < s->ntargets; t++)
        for (size_t p = 0; p < s->targets[t].nparams; p++)
            if (point_of(s, &s->targets[t].params[p])) {
                kw_grow(&s->points, &s->cap_points, s->npoints + 1, sizeof *s->points);
                s->points[s->npoints++] = (web_point){t, p};
            }
}

static void finish_checks(web_ctx *x)
{
    for (size_t k = 0; k < web_nchecks; k++)
        if (web_checks[k]->finish)
            (void)web_checks[k]->finish(x, x->s->profile);
}

/* ---- the scan ---- */

static uint64_t profile_budget(unsigned profile)
{
    return profile & WEB_QUICK ? 3000 : profile & WEB_THOROUGH ? 60000 : 15000;
}

static kw_rc scan_open(web_scan *s, const web_scan_opts *o, web_scan_stats *st, char *err, size_t errn)
{
    *st = (web_scan_stats){0};
    *s = (web_scan){.o = o, .st = st};
    s->profile = o->profile ? o->profile : WEB_STANDARD;
    s->max_requests = o->max_requests ? o->max_requests : profile_budget(s->profile);
    s->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 10000;
    s->max_pages = o->max_pages ? o->max_pages : 1000;
    s->max_depth = o->max_depth > 0 ? o->max_depth : 10;
    char ua[96];
    snprintf(ua, sizeof ua, "keepwatch/%s (web scan)", KW_VERSION);
    s->user_agent = kw_strdup(o->user_agent ? o->user_agent : ua);
    pthread_mutex_init(&s->rate_mu, NULL);
    pthread_mutex_init(&s->login_mu, NULL);
    pthread_mutex_init(&s->report_mu, NULL);
    pthread_mutex_init(&s->marker_mu, NULL);
    pthread_mutex_init(&s->pages_mu, NULL);
    pthread_mutex_init(&s->progress_mu, NULL);
    kw_map_init(&s->reported);
    kw_map_init(&s->shapes);
    s->marker_salt = (uint64_t)kw_now_ms() * 0x2545f4914f6cdd1dull ^ (uint64_t)(uintptr_t)s;
    scan_bucket_init(&s->bucket, o->rate > 0 ? (uint64_t)o->rate : 0, scan_now_us());
    kw_rc rc = web_sites_init(s, err, errn);
    return rc == KW_OK ? web_http_init(s) : rc;
}

static void scan_close(web_scan *s, int64_t t0)
{
    web_scan_stats *st = s->st;
    st->requests = atomic_load(&s->requests);
    st->refused = atomic_load(&s->refused);
    st->errors = atomic_load(&s->errors);
    st->truncated = atomic_load(&s->truncated);
    st->findings = atomic_load(&s->findings);
    st->pages = atomic_load(&s->npages_fetched);
    st->shapes = s->ntargets;
    st->points = s->npoints;
    st->points_done = atomic_load(&s->points_done);
    st->budget_spent = atomic_load(&s->stop) == 1;
    st->timed_out = atomic_load(&s->stop) == 2;
    st->elapsed_ms = kw_mono_ms() - t0;
    for (size_t i = 0; i < s->npages; i++) {
        free(s->pages[i].url);
        web_response_free(&s->pages[i].resp);
    }
    free(s->pages);
    for (size_t i = 0; i < s->ntargets; i++)
        web_target_free(&s->targets[i]);
    free(s->targets);
    free(s->points);
    kw_map_free(&s->reported);
    kw_map_free(&s->shapes);
    web_http_free(s);
    web_sites_free(s);
    free(s->user_agent);
    free(s->login_action);
    free(s->session_url);
    pthread_mutex_destroy(&s->rate_mu);
    pthread_mutex_destroy(&s->login_mu);
    pthread_mutex_destroy(&s->report_mu);
    pthread_mutex_destroy(&s->marker_mu);
    pthread_mutex_destroy(&s->pages_mu);
    pthread_mutex_destroy(&s->progress_mu);
}

static int workers_of(const web_scan_opts *o)
{
    int n = o->concurrency > 0 ? o->concurrency : 4;
    return n > 32 ? 32 : n;
}

/* The stop reason as the scan's return code. */
static kw_rc stop_rc(const web_scan *s)
{
    int why = atomic_load(&s->stop);
    return why == 3 ? KW_ERR_CANCELLED : why == 2 ? KW_ERR_TIMEOUT : KW_OK;
}

static kw_rc cover_sites(web_scan *s)
{
    kw_rc rc = KW_OK;
    for (size_t i = 0; i < s->nsites && rc == KW_OK; i++) {
        const web_site *w = &s->sites[i];
        finding_cover c = {.scanner = WEB_SCANNER, .host = w->host, .ip = w->ip, .transport = "tcp",
                           .port_lo = w->port, .port_hi = w->port};
        rc = finding_covered(s->o->sink, &c);
    }
    return rc;
}

kw_rc web_scan_run(const web_scan_opts *o, web_scan_stats *st, char *err, size_t errn)
{
    int64_t t0 = kw_mono_ms();
    web_scan s;
    kw_rc rc = scan_open(&s, o, st, err, errn);
    int nw = workers_of(o);
    web_ctx *ctx = kw_calloc((size_t)nw, sizeof *ctx);
    for (int i = 0; i < nw && rc == KW_OK; i++)
        rc = web_ctx_init(&ctx[i], &s, i);
    if (rc == KW_OK)
        rc = web_login(&ctx[0], err, errn);
    if (rc == KW_OK) {
        web_crawl(&s, ctx, nw);
        list_points(&s);
        web_tick(&s);
        run_pool(ctx, nw, s.nsites * web_nchecks, site_task, NULL);
        run_pool(ctx, nw, s.npoints, point_task, NULL);
        finish_checks(&ctx[0]);
        rc = stop_rc(&s);
        if (rc == KW_ERR_TIMEOUT)
            snprintf(err, errn, "the scan's time ran out");
        else if (rc == KW_ERR_CANCELLED)
            snprintf(err, errn, "the scan was stopped");
        else if (atomic_load(&s.stop) == 0)
            rc = cover_sites(&s);
    }
    for (int i = 0; i < nw; i++)
        web_ctx_free(&ctx[i]);
    free(ctx);
    scan_close(&s, t0);
    return rc;
}

/* ---- recheck ---- */

/* The value of evidence line "key: ..." (unescaped into out), false when there is none. */
static bool evidence_line(const char *ev, const char *key, char *out, size_t n)
{
    size_t kl = strlen(key);
    for (const char *p = ev; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > kl + 1 && strncmp(p, key, kl) == 0 && p[kl] == ':' && p[kl + 1] == ' ') {
            size_t o = 0;
            for (size_t i = kl + 2; i < len && o + 1 < n; i++) {
                char c = p[i];
                if (c == '\\' && i + 1 < len) {
                    char e = p[++i];
                    if (e == 'x' && i + 2 < len) {
                        char hx[3] = {p[i + 1], p[i + 2], 0};
                        c = (char)strtol(hx, NULL, 16);
                        i += 2;
                    } else {
                        c = e == 'n' ? '\n' : e == 'r' ? '\r' : e;
                    }
                }
                out[o++] = c;
            }
            out[o] = 0;
            return true;
        }
        p = eol ? eol + 1 : NULL;
    }
    return false;
}

kw_rc web_recheck(const web_scan_opts *o, const char *check_id, const char *url, const char *parameter,
                  const char *evidence, bool *seen, web_scan_stats *st, char *err, size_t errn)
{
    *seen = false;
    const web_check *c = web_check_of(check_id);
    char request[WEB_URL_MAX + 16], body[4200] = "", seed[WEB_URL_MAX + 4300];
    bool have_rq = evidence && evidence_line(evidence, "request", request, sizeof request);
    if (!c || !have_rq) {
        snprintf(err, errn, "%s: %s", check_id, !c ? "not a check of keepwatch's web scanner" : "no request to replay in its evidence");
        return KW_ERR_UNSUPPORTED;
    }
    evidence_line(evidence, "body", body, sizeof body);
    snprintf(seed, sizeof seed, "%s%s%s", request, body[0] ? " " : "", body);
    web_scan_opts ro = *o;
    char *urls[1] = {(char *)url};
    if (!o->nscope)
        ro.urls = urls, ro.nurls = 1;
    ro.profile = WEB_THOROUGH;
    int64_t t0 = kw_mono_ms();
    web_scan s;
    web_ctx x = {0};
    web_target t = {0};
    kw_rc rc = scan_open(&s, &ro, st, err, errn);
    if (rc == KW_OK)
        rc = web_ctx_init(&x, &s, 0);
    if (rc == KW_OK)
        rc = web_login(&x, err, errn);
    if (rc == KW_OK)
        rc = web_target_from_seed(seed, &t, err, errn);
    if (rc == KW_OK) {
        web_response page;
        if (web_refetch(&x, url, &page) == KW_OK) {
            if (c->per_page)
                web_passive(&x, url, &page);
            pthread_mutex_lock(&s.pages_mu);
            kw_grow(&s.pages, &s.cap_pages, 1, sizeof *s.pages);
            s.pages[s.npages++] = (web_kept){kw_strdup(url), page};
            pthread_mutex_unlock(&s.pages_mu);
        } else {
            web_response_free(&page);
        }
        size_t pi = (size_t)-1;
        for (size_t i = 0; parameter && i < t.nparams; i++)
            if (strcmp(t.params[i].name, parameter) == 0)
                pi = i;
        if (c->per_param && pi != (size_t)-1)
            c->per_param(&x, &t, pi, ro.profile);
        if (c->per_site && !parameter)
            c->per_site(&x, web_site_of(&s, url) ? web_site_of(&s, url)->root : s.sites[0].root, ro.profile);
        if (c->finish)
            c->finish(&x, ro.profile);
        *seen = web_reported(&x, check_id, url, parameter);
        rc = stop_rc(&s);
    }
    web_target_free(&t);
    web_ctx_free(&x);
    scan_close(&s, t0);
    return rc;
}
