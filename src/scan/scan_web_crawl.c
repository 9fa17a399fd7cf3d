/* The crawl of a web scan: from the start URLs, the seeds, each site's robots.txt and sitemaps,
 * breadth first on every worker, through the links and forms of each page as the HTML parser
 * reads them (scan_web_html.c). A URL is fetched once per shape (the same path with the same
 * parameter names is the same page), forms are submitted once with plausible values, logout
 * links and static resources are never requested, and the crawl stops at max_pages or the
 * depth. Every page fetched goes through the passive checks and is kept (bounded) for the
 * stored-XSS pass; every shape with parameters becomes a target of the active checks. */
#include "scan/scan_web_int.h"
#include "scan/scan_web_html.h"

#include "core/kw_mem.h"

#include <stdlib.h>
#include <string.h>

typedef struct crawl_item {
    char *url;                 /* a GET to fetch, or ... */
    size_t form;               /* ... (size_t)-1, or the target (a form) to submit */
    int depth;
} crawl_item;

/* A FIFO of items (head: the next one). */
typedef struct crawl_fifo {
    crawl_item *v;
    size_t head, n, cap;
} crawl_fifo;

typedef struct crawl {
    web_scan *s;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    crawl_fifo q;              /* the start URLs and what pages link to ... */
    crawl_fifo late;           /* ... before what robots.txt and sitemaps list */
    size_t queued;             /* items ever queued (WEB_QUEUE_MAX) */
    int busy;
    kw_map seen;               /* shape keys fetched or queued */
    uint64_t fetched;
    bool full_noted, queue_noted;
} crawl;

/* Values a form field gets when it has none, by its type or name: what a person would type. */
static const char *fill_value(const web_field *f)
{
    static const struct {
        const char *word, *value;
    } by_name[] = {{"mail", "kw@example.com"}, {"phone", "13800138000"}, {"tel", "13800138000"},
                   {"url", "http://example.com/"}, {"site", "http://example.com/"}, {"zip", "100000"},
                   {"age", "30"}, {"year", "2026"}, {"date", "2026-01-01"}, {"num", "1"},
                   {"qty", "1"}, {"count", "1"}, {"amount", "1"}, {"id", "1"}, {"pass", "Kw-test-1"}};
    static const struct {
        const char *type, *value;
    } by_type[] = {{"email", "kw@example.com"}, {"number", "1"}, {"range", "1"}, {"tel", "13800138000"},
                   {"url", "http://example.com/"}, {"date", "2026-01-01"}, {"password", "Kw-test-1"},
                   {"checkbox", "on"}, {"radio", "on"}, {"color", "#000000"}, {"month", "2026-01"}};
    for (size_t i = 0; i < sizeof by_type / sizeof *by_type; i++)
        if (strcmp(f->type, by_type[i].type) == 0)
            return by_type[i].value;
    for (size_t i = 0; i < sizeof by_name / sizeof *by_name; i++)
        if (web_find(f->name, strlen(f->name), by_name[i].word) != (size_t)-1)
            return by_name[i].value;
    return "keepwatch";
}

/* Whether a URL names a static resource no check needs (images, fonts, media, archives are
 * kept: backups are the files check's business, not the crawl's). */
static bool is_static(const char *url)
{
    static const char *const ext[] = {".png", ".jpg", ".jpeg", ".gif", ".ico", ".svg", ".webp", ".bmp",
                                      ".woff", ".woff2", ".ttf", ".eot", ".otf", ".css", ".js", ".map",
                                      ".mp3", ".mp4", ".webm", ".avi", ".mov", ".pdf", ".exe", ".iso"};
    size_t n = strcspn(url, "?#");
    for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
        size_t e = strlen(ext[i]);
        if (n > e && strncasecmp(url + n - e, ext[i], e) == 0)
            return true;
    }
    return false;
}

/* Registers a shape as a target of the active checks (once per key); returns its index or
 * (size_t)-1 when it was known or has no parameter. Takes t over. */
static size_t add_target(web_scan *s, web_target *t)
{
    char *key = web_target_key(t);
    pthread_mutex_lock(&s->pages_mu);
    size_t idx = (size_t)-1;
    bool full = s->ntargets >= WEB_TARGETS_MAX, first_full = full && !s->targets_full;
    s->targets_full |= full;
    if (t->nparams > 0 && !full && !kw_map_get(&s->shapes, key)) {
        kw_map_put(&s->shapes, key, (void *)1);
        kw_grow(&s->targets, &s->cap_targets, s->ntargets + 1, sizeof *s->targets);
        s->targets[s->ntargets] = *t;
        idx = s->ntargets++;
        *t = (web_target){0};
    }
    pthread_mutex_unlock(&s->pages_mu);
    if (first_full)
        web_note(s, "more than %u request shapes: the rest are not checked", WEB_TARGETS_MAX);
    free(key);
    web_target_free(t);
    return idx;
}

/* Under c->mu: queues an item on q (false when the crawl has queued enough: url is freed). */
static bool push_on(crawl *c, crawl_fifo *q, char *url, size_t form, int depth)
{
    if (c->queued >= WEB_QUEUE_MAX) {
        if (!c->queue_noted)
            web_note(c->s, "more than %u URLs and forms found: the rest are not crawled", WEB_QUEUE_MAX);
        c->queue_noted = true;
        free(url);
        return false;
    }
    kw_grow(&q->v, &q->cap, q->n + 1, sizeof *q->v);
    q->v[q->n++] = (crawl_item){url, form, depth};
    c->queued++;
    pthread_cond_signal(&c->cv);
    return true;
}

static bool push(crawl *c, char *url, size_t form, int depth)
{
    return push_on(c, &c->q, url, form, depth);
}

static size_t waiting(const crawl *c)
{
    return c->q.n - c->q.head + c->late.n - c->late.head;
}

/* Queues a GET of url (when in scope, not a logout link, not a resource, shape not seen), on
 * the late queue when late. */
static void enqueue_on(crawl *c, const char *url, const char *from, int depth, bool late)
{
    web_scan *s = c->s;
    if (depth > s->max_depth || !web_site_of(s, url) || web_is_logout(url) || is_static(url))
        return;
    web_target t;
    web_target_from_url(url, from, &t);
    char *key = web_target_key(&t);
    pthread_mutex_lock(&c->mu);
    bool fresh = !kw_map_get(&c->seen, key);
    if (fresh) {
        kw_map_put(&c->seen, key, (void *)1);
        push_on(c, late ? &c->late : &c->q, kw_strdup(url), (size_t)-1, depth);
    }
    pthread_mutex_unlock(&c->mu);
    free(key);
    if (fresh)
        add_target(s, &t);
    else
        web_target_free(&t);
}

static void enqueue_url(crawl *c, const char *url, const char *from, int depth)
{
    enqueue_on(c, url, from, depth, false);
}

/* A form as a target (its action's own query parameters kept), queued to be submitted once. */
static void enqueue_form(crawl *c, const web_form *f, const char *page, int depth)
{
    web_scan *s = c->s;
    if (!web_site_of(s, f->action) || web_is_logout(f->action) || f->nfields == 0)
        return;
    web_target t;
    web_target_from_url(f->action, page, &t);
    free(t.method);
    bool post = strcmp(f->method, "POST") == 0;
    t.method = kw_strdup(post ? "POST" : "GET");
    bool multipart = strstr(f->enctype, "multipart") != NULL;
    /* a form a script sends as JSON (enctype="application/json", the W3C JSON-forms draft) */
    web_where where = strstr(f->enctype, "json") ? WEB_IN_JSON : post ? WEB_IN_FORM : WEB_IN_QUERY;
    for (size_t k = 0; k < f->nfields; k++) {
        const web_field *fd = &f->fields[k];
        if (strcmp(fd->type, "file") == 0 || strcmp(fd->type, "image") == 0 || strcmp(fd->type, "reset") == 0)
            continue;
        bool hidden = strcmp(fd->type, "hidden") == 0 || strcmp(fd->type, "submit") == 0 ||
                      strcmp(fd->type, "button") == 0;
        const char *v = fd->value[0] || hidden ? fd->value : fill_value(fd);
        t.no_session |= strcmp(fd->type, "password") == 0;
        (void)web_target_add(&t, fd->name, v, where, hidden);
    }
    if (multipart)
        web_note(s, "%s: a multipart form, sent url-encoded", f->action);
    size_t idx = add_target(s, &t);
    if (idx == (size_t)-1 || depth > s->max_depth)
        return;
    pthread_mutex_lock(&c->mu);
    push(c, NULL, idx, depth);
    pthread_mutex_unlock(&c->mu);
}

/* Keeps the page for web_pages_each (its body cut to WEB_KEEP_BODY; none past WEB_KEEP_TOTAL). */
static void keep_page(web_scan *s, const char *url, const web_response *r)
{
    pthread_mutex_lock(&s->pages_mu);
    size_t n = r->len < WEB_KEEP_BODY ? r->len : WEB_KEEP_BODY;
    if (s->kept_bytes + n > WEB_KEEP_TOTAL)
        n = 0;
    s->kept_bytes += n + r->hlen;
    kw_grow(&s->pages, &s->cap_pages, s->npages + 1, sizeof *s->pages);
    web_kept *k = &s->pages[s->npages++];
    *k = (web_kept){.url = kw_strdup(url), .resp = *r};
    k->resp.body = kw_memdup(r->body, n + 1);
    k->resp.body[n] = 0;
    k->resp.len = n;
    k->resp.headers = kw_memdup(r->headers, r->hlen + 1);
    k->resp.url = kw_strdup(r->url);
    k->resp.content_type = kw_strdup(r->content_type);
    pthread_mutex_unlock(&s->pages_mu);
}

static bool is_html(const web_response *r)
{
    return strstr(r->content_type, "html") != NULL || (r->content_type[0] == 0 && web_find(r->body, r->len < 512 ? r->len : 512, "<html") != (size_t)-1);
}

void web_passive(web_ctx *x, const char *url, const web_response *r)
{
    web_page pg = {url, r};
    for (size_t i = 0; i < web_nchecks; i++)
        if (web_checks[i]->per_page && (web_checks[i]->profiles & x->s->profile))
            (void)web_checks[i]->per_page(x, &pg, x->s->profile);
}

/* Thorough: the last path segment of a page without a query when it looks like a value (digits,
 * or letters and digits mixed: /product/123, /u/ab12), as a path parameter. */
static void path_target(web_scan *s, const char *url, const char *from)
{
    if (strchr(url, '?'))
        return;
    const char *seg = strrchr(url, '/');
    if (!seg || !seg[1] || strchr(seg, '.'))
        return;
    seg++;
    size_t digits = strspn(seg, "0123456789");
    if (digits == 0 || strlen(seg) > 64)
        return;
    web_target t = {.method = kw_strdup("GET"), .url = kw_strdup(url), .found_on = kw_strdup_opt(from)};
    (void)web_target_add(&t, "(path)", seg, WEB_IN_PATH, false);
    add_target(s, &t);
}

/* Thorough: the cookies a page sets, as cookie parameters of that page. */
static void cookie_target(web_scan *s, const char *url, const web_response *r)
{
    web_target t;
    web_target_from_url(url, NULL, &t);
    const char *from = NULL;
    size_t n;
    for (const char *v; (v = web_header(r, "set-cookie", &n, &from)) != NULL;) {
        const char *eq = memchr(v, '=', n);
        size_t vl = strcspn(v, ";");
        if (!eq || eq == v || (size_t)(eq - v) >= vl || (size_t)(eq - v) > 128)
            continue;
        char *name = kw_strndup(v, (size_t)(eq - v)), *value = kw_strndup(eq + 1, vl - (size_t)(eq + 1 - v));
        (void)web_target_add(&t, name, value, WEB_IN_COOKIE, false);
        free(name), free(value);
    }
    add_target(s, &t);
}

/* Fetches one queued item, runs the passive checks on it, keeps it, and queues what it links to. */
static void visit(crawl *c, web_ctx *x, const crawl_item *it)
{
    web_scan *s = c->s;
    web_response r;
    web_built b = {0};
    const char *url = it->url;
    if (it->form != (size_t)-1) {
        pthread_mutex_lock(&s->pages_mu);
        web_target *t = &s->targets[it->form];
        kw_rc rc = web_target_build(t, (size_t)-1, NULL, WEB_MUT_REPLACE, &b);
        pthread_mutex_unlock(&s->pages_mu);
        if (rc != KW_OK)
            return;
        url = b.url;
    }
    web_request rq = b.url ? b.rq : (web_request){.url = url};
    rq.follow = true;
    if (web_send(x, &rq, &r) == KW_OK) {
        atomic_fetch_add(&s->npages_fetched, 1);
        web_passive(x, url, &r);
        keep_page(s, url, &r);
        if (s->profile & WEB_THOROUGH) {
            path_target(s, r.url, url);
            cookie_target(s, r.url, &r);
        }
        if (is_html(&r) && r.status < 400) {
            web_html h;
            web_html_parse(r.url, r.body, r.len, WEB_LINKS_PER_PAGE, &h);
            if (h.truncated)
                web_note(s, "%s: more than %u links and forms, the rest not followed", r.url, WEB_LINKS_PER_PAGE);
            for (size_t i = 0; i < h.nlinks; i++)
                enqueue_url(c, h.links[i], r.url, it->depth + 1);
            for (size_t i = 0; i < h.nforms; i++)
                enqueue_form(c, &h.forms[i], r.url, it->depth + 1);
            web_html_free(&h);
        }
        if (strcmp(r.url, url) != 0 && (r.status < 300 || r.status >= 400)) /* where it landed */
            enqueue_url(c, r.url, url, it->depth);
    }
    web_response_free(&r);
    web_built_free(&b);
}

/* Takes the next item (false when the crawl is over: nothing queued and nobody busy). */
static bool take(crawl *c, crawl_item *it, web_ctx *x)
{
    pthread_mutex_lock(&c->mu);
    for (;;) {
        bool over = web_stopping(x) || c->fetched >= c->s->max_pages;
        if (waiting(c) && !over)
            break;
        if (c->busy == 0 || over) {
            if (over && waiting(c) && !c->full_noted) {
                c->full_noted = true;
                web_note(c->s, "the crawl stopped at %llu pages with %zu more queued", (unsigned long long)c->fetched,
                         waiting(c));
            }
            pthread_cond_broadcast(&c->cv);
            pthread_mutex_unlock(&c->mu);
            return false;
        }
        pthread_cond_wait(&c->cv, &c->mu);
    }
    crawl_fifo *q = c->q.head < c->q.n ? &c->q : &c->late;
    *it = q->v[q->head++];
    c->busy++;
    c->fetched++;
    pthread_mutex_unlock(&c->mu);
    return true;
}

typedef struct crawl_worker {
    crawl *c;
    web_ctx *x;
    pthread_t th;
} crawl_worker;

static void *crawl_loop(void *arg)
{
    crawl_worker *w = arg;
    crawl_item it;
    while (take(w->c, &it, w->x)) {
        visit(w->c, w->x, &it);
        free(it.url);
        pthread_mutex_lock(&w->c->mu);
        w->c->busy--;
        pthread_cond_broadcast(&w->c->cv);
        pthread_mutex_unlock(&w->c->mu);
    }
    return NULL;
}

/* Fetches a small text resource of a site (robots.txt, a sitemap): its body, or NULL. */
static web_response *fetch_text(web_ctx *x, const char *url, web_response *r)
{
    web_request rq = {.url = url, .follow = true};
    if (web_send(x, &rq, r) == KW_OK && r->status == 200 && !is_html(r))
        return r;
    web_response_free(r);
    return NULL;
}

#define WEB_API_SHAPES 512      /* shapes taken from one API description */

/* The shapes an API description at url lists, as targets (false when it is none). */
static bool seed_api(crawl *c, web_ctx *x, const char *url)
{
    web_response r;
    if (!web_site_of(c->s, url) || !fetch_text(x, url, &r))
        return false;
    web_target *v;
    size_t n;
    char err[256];
    bool ok = web_openapi_parse(url, r.body, r.len, WEB_API_SHAPES, &v, &n, err, sizeof err) == KW_OK;
    web_response_free(&r);
    if (!ok)
        return false;
    web_note(c->s, "%s: an API description, %zu operations with parameters", url, n);
    for (size_t i = 0; i < n; i++)
        add_target(c->s, &v[i]);
    free(v);
    return true;
}

/* Each site's API description at the paths frameworks publish it (the first found). */
static void seed_apis(crawl *c, web_ctx *x, const web_site *w)
{
    static const char *const paths[] = {"openapi.json", "v3/api-docs", "swagger.json", "v2/api-docs",
                                        "api/openapi.json", "api/swagger.json"};
    char url[WEB_URL_MAX];
    for (size_t i = 0; i < sizeof paths / sizeof *paths && !web_stopping(x); i++) {
        snprintf(url, sizeof url, "%s%s", w->root, paths[i]);
        if (seed_api(c, x, url))
            return;
    }
}

#define WEB_SITEMAP_URLS 2000   /* URLs taken from one site's sitemaps */
#define WEB_SITEMAPS 8          /* sitemap files read per site */

/* What a site's robots.txt and sitemaps list, queued at depth 1. */
static void seed_site(crawl *c, web_ctx *x, const web_site *w)
{
    char url[WEB_URL_MAX];
    web_response r;
    web_strs paths = {0}, maps = {0};
    snprintf(url, sizeof url, "%srobots.txt", w->root);
    if (fetch_text(x, url, &r)) {
        web_robots_parse(w->root, r.body, r.len, WEB_SITEMAP_URLS, &paths, &maps);
        web_response_free(&r);
    }
    for (size_t i = 0; i < paths.n; i++)
        enqueue_on(c, paths.v[i], url, 1, true);
    if (maps.n == 0) {
        snprintf(url, sizeof url, "%ssitemap.xml", w->root);
        maps.v = kw_malloc(sizeof *maps.v);
        maps.v[maps.n++] = kw_strdup(url);
    }
    size_t taken = 0;
    for (size_t i = 0; i < maps.n && i < WEB_SITEMAPS && taken < WEB_SITEMAP_URLS; i++) {
        web_strs urls = {0}, more = {0};
        if (!web_site_of(c->s, maps.v[i]) || !fetch_text(x, maps.v[i], &r))
            continue;
        web_sitemap_parse(r.body, r.len, WEB_SITEMAP_URLS - taken, &urls, &more);
        web_response_free(&r);
        for (size_t k = 0; k < urls.n; k++)
            enqueue_on(c, urls.v[k], maps.v[i], 1, true);
        taken += urls.n;
        for (size_t k = 0; k < more.n && maps.n < WEB_SITEMAPS; k++) {
            maps.v = kw_realloc(maps.v, (maps.n + 1) * sizeof *maps.v);
            maps.v[maps.n++] = kw_strdup(more.v[k]);
        }
        web_strs_free(&urls);
        web_strs_free(&more);
    }
    web_strs_free(&paths);
    web_strs_free(&maps);
}

kw_rc web_crawl(web_scan *s, web_ctx *ctx, int nworkers)
{
    crawl c = {.s = s};
    pthread_mutex_init(&c.mu, NULL);
    pthread_cond_init(&c.cv, NULL);
    kw_map_init(&c.seen);
    const web_scan_opts *o = s->o;
    for (size_t i = 0; i < o->nurls; i++)
        enqueue_url(&c, o->urls[i], NULL, 0);
    if (s->session_url) /* where the sign-in led: the signed-in area may be linked from there only */
        enqueue_url(&c, s->session_url, NULL, 0);
    for (size_t i = 0; i < o->nseeds; i++) {
        web_target t;
        char err[200];
        if (web_target_from_seed(o->seeds[i], &t, err, sizeof err) != KW_OK) {
            web_note(s, "%s", err);
            continue;
        }
        if (strcmp(t.method, "GET") == 0 && t.nparams == 0)
            enqueue_url(&c, t.url, NULL, 0);
        add_target(s, &t);
    }
    for (size_t i = 0; i < s->nsites; i++) {
        seed_site(&c, &ctx[0], &s->sites[i]);
        if (s->profile & (WEB_STANDARD | WEB_THOROUGH))
            seed_apis(&c, &ctx[0], &s->sites[i]);
    }
    for (size_t i = 0; i < o->nopenapi; i++)
        if (!seed_api(&c, &ctx[0], o->openapi[i]))
            web_note(s, "%s: not an OpenAPI or Swagger JSON document in scope", o->openapi[i]);
    crawl_worker *w = kw_calloc((size_t)nworkers, sizeof *w);
    for (int i = 0; i < nworkers; i++) {
        w[i] = (crawl_worker){&c, &ctx[i], 0};
        if (i > 0)
            pthread_create(&w[i].th, NULL, crawl_loop, &w[i]);
    }
    crawl_loop(&w[0]);
    for (int i = 1; i < nworkers; i++)
        pthread_join(w[i].th, NULL);
    free(w);
    crawl_fifo *qs[] = {&c.q, &c.late};
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = qs[k]->head; i < qs[k]->n; i++)
            free(qs[k]->v[i].url);
        free(qs[k]->v);
    }
    kw_map_free(&c.seen);
    pthread_cond_destroy(&c.cv);
    pthread_mutex_destroy(&c.mu);
    return KW_OK;
}
