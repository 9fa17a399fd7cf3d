/* The exposed-files check (web_check_files). Per site it learns how the site answers a missing
 * page: two random paths, one in the root with an extension and one in a subdirectory
 * without. It learns this on first use, by per_site or by per_page, whichever the engine calls
 * first. It then asks for the paths of the probe table: version-control metadata, .env, backup
 * copies, archives, dumps, phpinfo and administration consoles. It reports each whose answer
 * carries its content proof, is not like the missing-page answer, and whose proof the
 * missing-page answer does not also carry. On every page the crawl found, it reports the page
 * itself when its name and body make it an exposed file (a dump, a backup copy, phpinfo). It
 * then tries the backup names of the page's script (x.php.bak, x.php~, .x.php.swp) once each,
 * and asks once for the page's parent directories, handing their answers to the passive check
 * (listings). The status alone never proves anything. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_map.h"
#include "core/kw_mem.h"
#include "scan/scan_web.h"
#include "scan/scan_web_sig.h"

#define FILES_KEEP (256u << 10)      /* bytes of a missing-page answer kept for comparison */
#define FILES_PAGE_BACKUPS 3
#define FILES_DIRS_MAX 64            /* parent directories asked for per scan (for listings) */
#define FILES_DIR_DEPTH 3            /* of one page: its directory and two above */

/* How one site answers a page that is not there. */
typedef struct files_miss {
    web_soft404 model;
    long status;
    char *body;                      /* the first FILES_KEEP bytes */
    size_t len;
} files_miss;

typedef struct files_site {
    char *base;
    files_miss miss[2];
    size_t nmiss;
    unsigned groups;                 /* probe groups proven (bit per group), under the lock */
    struct files_site *next;
} files_site;

typedef struct files_state {
    pthread_mutex_t mu;
    kw_map tried;                    /* URLs this check asked for (values unused) */
    kw_map seen;                     /* pages the crawl fetched (their directories are not asked) */
    files_site *sites;
    size_t ndirs;                    /* parent directories asked for */
} files_state;

static pthread_mutex_t files_init_mu = PTHREAD_MUTEX_INITIALIZER;

static files_state *files_state_get(web_ctx *x)
{
    pthread_mutex_lock(&files_init_mu);
    void **slot = web_check_state(x, "files");
    if (!*slot) {
        files_state *s = kw_calloc(1, sizeof *s);
        pthread_mutex_init(&s->mu, NULL);
        kw_map_init(&s->tried);
        kw_map_init(&s->seen);
        *slot = s;
    }
    pthread_mutex_unlock(&files_init_mu);
    return *slot;
}

/* True the first time url is claimed in this scan. */
static bool files_claim(files_state *s, const char *url)
{
    pthread_mutex_lock(&s->mu);
    bool first = kw_map_get(&s->tried, url) == NULL;
    if (first)
        kw_map_put(&s->tried, url, (void *)1);
    pthread_mutex_unlock(&s->mu);
    return first;
}

/* The host of base ("http://h:p/" -> "h"), for the {host} probes. */
static void base_host(const char *base, char *out, size_t outn)
{
    const char *h = strstr(base, "://");
    h = h ? h + 3 : base;
    if (*h == '[')
        h++;
    size_t n = strcspn(h, ":/]");
    kw_strlcpy(out, h, n + 1 < outn ? n + 1 : outn);
}

/* base + path with "{host}" replaced; false when it does not fit. */
static bool probe_url(const char *base, const char *path, char *out, size_t outn)
{
    const char *brace = strstr(path, "{host}"), *sep = *base && base[strlen(base) - 1] == '/' ? "" : "/";
    char host[256];
    int n;
    if (brace) {
        base_host(base, host, sizeof host);
        n = snprintf(out, outn, "%s%s%.*s%s%s", base, sep, (int)(brace - path), path, host, brace + 6);
    } else
        n = snprintf(out, outn, "%s%s%s", base, sep, path);
    return n > 0 && (size_t)n < outn;
}

static const char *url_path(const char *url)
{
    const char *p;
    return url && web_sig_site(url, (char[WEB_URL_MAX]){0}, WEB_URL_MAX, &p) ? p : NULL;
}

static kw_rc files_get(web_ctx *x, const char *url, bool follow, web_request *rq, web_response *r)
{
    memset(rq, 0, sizeof *rq);
    rq->method = "GET";
    rq->url = url;
    rq->follow = follow;
    memset(r, 0, sizeof *r);
    return web_send(x, rq, r);
}

/* ---- learning the missing page ---- */

static void miss_learn(web_ctx *x, files_site *site, const char *path)
{
    char url[WEB_URL_MAX];
    web_request rq;
    web_response r;
    if (!probe_url(site->base, path, url, sizeof url))
        return;
    if (files_get(x, url, true, &rq, &r) == KW_OK) {
        files_miss *m = &site->miss[site->nmiss++];
        web_soft404_learn(&m->model, r.status, r.body, r.len, path);
        m->status = r.status;
        m->len = r.len < FILES_KEEP ? r.len : FILES_KEEP;
        m->body = kw_malloc(m->len + 1);
        memcpy(m->body, r.body ? r.body : "", r.body ? m->len : 0);
        m->body[m->len] = '\0';
    }
    web_response_free(&r);
}

static files_site *site_find_locked(files_state *s, const char *base)
{
    files_site *site = s->sites;
    while (site && strcmp(site->base, base) != 0)
        site = site->next;
    return site;
}

static void site_free(files_site *site)
{
    for (size_t i = 0; i < site->nmiss; i++) {
        web_soft404_free(&site->miss[i].model);
        free(site->miss[i].body);
    }
    free(site->base);
    free(site);
}

/* The site of base with its missing-page answers, learnt on first use (by per_site or, when the
 * crawl's pages come first, by per_page); two workers learning at once keep the first. */
static files_site *site_get(web_ctx *x, files_state *s, const char *base)
{
    pthread_mutex_lock(&s->mu);
    files_site *known = site_find_locked(s, base);
    pthread_mutex_unlock(&s->mu);
    if (known)
        return known;
    files_site *site = kw_calloc(1, sizeof *site);
    site->base = kw_strdup(base);
    char m1[17], m2[17], m3[17], p[64];
    web_marker(x, m1, 12);
    web_marker(x, m2, 12);
    web_marker(x, m3, 12);
    snprintf(p, sizeof p, "%s.php", m1);
    miss_learn(x, site, p);
    snprintf(p, sizeof p, "%s/%s", m2, m3);
    miss_learn(x, site, p);
    pthread_mutex_lock(&s->mu);
    if ((known = site_find_locked(s, base)) == NULL) {
        site->next = s->sites;
        s->sites = site;
    }
    pthread_mutex_unlock(&s->mu);
    if (!known)
        return site;
    site_free(site);
    return known;
}

/* True when the answer is the site's missing page, or the missing page carries the same proof. */
static bool like_missing(const files_site *site, web_proof proof, const web_answer *a)
{
    for (size_t i = 0; site && i < site->nmiss; i++) {
        const files_miss *m = &site->miss[i];
        web_answer ma = {.status = m->status, .body = m->body, .len = m->len, .path = a->path};
        size_t at;
        if (web_file_proven(proof, &ma, &at) || web_soft404_like(&m->model, a->status, a->body, a->len, a->path))
            return true;
    }
    return false;
}

/* ---- reporting ---- */

static const char *const proof_words[] = {
    [WEB_PROOF_GIT_HEAD] = "the answer is a Git HEAD file (a ref or a commit id)",
    [WEB_PROOF_GIT_CONFIG] = "the answer is a Git config file with its [core] section",
    [WEB_PROOF_SVN_ENTRIES] = "the answer is a Subversion entries file",
    [WEB_PROOF_SQLITE] = "the answer is an SQLite database (Subversion's wc.db)",
    [WEB_PROOF_ENV] = "the answer is a list of KEY=VALUE settings",
    [WEB_PROOF_DS_STORE] = "the answer is a macOS .DS_Store file (it lists the directory's files)",
    [WEB_PROOF_SOURCE] = "the answer is server-side source code, not its output",
    [WEB_PROOF_SWAP] = "the answer is a vim swap file (b0VIM) holding the script's source",
    [WEB_PROOF_ARCHIVE] = "the answer is an archive (zip, gzip, 7z or rar magic)",
    [WEB_PROOF_SQL_DUMP] = "the answer is an SQL dump (CREATE TABLE / INSERT INTO)",
    [WEB_PROOF_PHPINFO] = "the answer is PHP's phpinfo() page",
    [WEB_PROOF_ADMIN] = "an administration page (login form or administration title) answers",
    [WEB_PROOF_PHPMYADMIN] = "phpMyAdmin answers",
    [WEB_PROOF_ADMINER] = "Adminer's login answers",
    [WEB_PROOF_TOMCAT] = "Tomcat's manager application answers",
    [WEB_PROOF_WORDPRESS] = "WordPress's login page answers",
    [WEB_PROOF_SERVER_STATUS] = "Apache's server-status page answers",
    [WEB_PROOF_ACTUATOR] = "Spring Boot's actuator index answers",
    [WEB_PROOF_ACTUATOR_ENV] = "Spring Boot's actuator environment (configuration and secrets) answers",
};

static kw_rc files_report(web_ctx *x, const web_file_probe *p, const web_request *rq, const web_response *r,
                          size_t at)
{
    const web_file_kind_info *k = &web_file_kinds[p->kind];
    char detail[256];
    snprintf(detail, sizeof detail, "%s (HTTP %ld, %zu bytes%s)", proof_words[p->proof], r->status, r->len,
             r->truncated ? ", truncated" : "");
    size_t from = at > 64 ? at - 64 : 0, n = r->len - from < 256 ? r->len - from : 256;
    web_issue is = {
        .check_id = k->check_id, .category = k->category, .title = k->title, .title_zh = k->title_zh,
        .cwe = k->cwe, .severity = p->severity, .url = rq->url, .method = "GET", .proof = rq,
        .answer = r->body ? r->body + from : "", .answer_len = r->body ? n : 0, .detail = detail,
        .advice_en = k->advice_en, .advice_zh = k->advice_zh,
    };
    return web_report(x, &is);
}

/* Asks for url and reports it when p's proof holds; *proven says whether it did. */
static kw_rc files_probe(web_ctx *x, files_state *s, const files_site *site, const web_file_probe *p,
                         const char *url, bool *proven)
{
    *proven = false;
    if (!files_claim(s, url))
        return KW_OK;
    web_request rq;
    web_response r;
    kw_rc rc = files_get(x, url, p->proof >= WEB_PROOF_ADMIN, &rq, &r);
    const char *path = url_path(url);
    web_answer a = {.status = r.status, .body = r.body, .len = r.len, .headers = r.headers, .hlen = r.hlen,
                    .path = path, .final_path = url_path(r.url)};
    size_t at;
    if (rc == KW_OK && path && web_file_proven(p->proof, &a, &at) && !like_missing(site, p->proof, &a)) {
        *proven = true;
        rc = files_report(x, p, &rq, &r, at);
    }
    web_response_free(&r);
    return rc == KW_ERR_RANGE || rc == KW_ERR_TIMEOUT || rc == KW_ERR_IO ? KW_OK : rc;
}

/* Whether group g of site is proven already; set (when set) marks it so. */
static bool group_done(files_state *s, files_site *site, unsigned g, bool set)
{
    if (!g)
        return false;
    pthread_mutex_lock(&s->mu);
    bool done = (site->groups & (1u << g)) != 0;
    if (set)
        site->groups |= 1u << g;
    pthread_mutex_unlock(&s->mu);
    return done;
}

static kw_rc files_per_site(web_ctx *x, const char *base, unsigned profile)
{
    files_state *s = files_state_get(x);
    files_site *site = site_get(x, s, base);
    kw_rc rc = KW_OK;
    for (size_t i = 0; i < web_nfile_probes && rc == KW_OK && !web_stopping(x); i++) {
        const web_file_probe *p = &web_file_probes[i];
        char url[WEB_URL_MAX];
        bool proven;
        if (!(p->profiles & profile) || group_done(s, site, p->group, false) ||
            !probe_url(base, p->path, url, sizeof url))
            continue;
        rc = files_probe(x, s, site, p, url, &proven);
        if (proven)
            group_done(s, site, p->group, true);
    }
    return rc;
}

/* ---- backups of the pages the crawl found ---- */

/* A crawled page that is an exposed file itself (a dump or archive linked from a listing, a
 * phpinfo page under another name): reported without another request. A repository is one
 * finding however many of its files the crawl reads. */
static kw_rc files_page_itself(web_ctx *x, files_state *s, files_site *site, const web_page *pg,
                               const char *page_url, const char *path)
{
    const web_response *r = pg->resp;
    web_answer a = {.status = r->status, .body = r->body, .len = r->len, .headers = r->headers, .hlen = r->hlen,
                    .path = path};
    web_file_probe p;
    size_t at;
    if (!web_file_page_proven(path, &a, &p, &at) || like_missing(site, p.proof, &a) ||
        group_done(s, site, p.group, true))
        return KW_OK;
    web_request rq = {.method = "GET", .url = page_url, .follow = true};
    return files_report(x, &p, &rq, r, at);
}

static kw_rc files_page_backups(web_ctx *x, files_state *s, const files_site *site, const char *base,
                                const char *path, unsigned profile)
{
    char paths[FILES_PAGE_BACKUPS][512];
    size_t n = web_file_page_backups(path, paths, FILES_PAGE_BACKUPS, profile);
    kw_rc rc = KW_OK;
    for (size_t i = 0; i < n && rc == KW_OK && !web_stopping(x); i++) {
        size_t k = strlen(paths[i]);
        web_file_probe p = {paths[i], k > 4 && strcmp(paths[i] + k - 4, ".swp") == 0 ? WEB_PROOF_SWAP
                                                                                     : WEB_PROOF_SOURCE,
                            WEB_FILE_BACKUP, FINDING_HIGH, 0, profile};
        char url[WEB_URL_MAX];
        bool proven;
        if (probe_url(base, paths[i], url, sizeof url))
            rc = files_probe(x, s, site, &p, url, &proven);
    }
    return rc;
}

/* Asks for the directory url once (FILES_DIRS_MAX per scan) and hands a 2xx answer to the
 * passive check as a page, so a listing nobody links to is still found. */
static kw_rc files_dir(web_ctx *x, files_state *s, const char *url, unsigned profile)
{
    pthread_mutex_lock(&s->mu);
    bool ask = s->ndirs < FILES_DIRS_MAX && !kw_map_get(&s->tried, url) && !kw_map_get(&s->seen, url);
    if (ask) {
        kw_map_put(&s->tried, url, (void *)1);
        s->ndirs++;
    }
    pthread_mutex_unlock(&s->mu);
    if (!ask)
        return KW_OK;
    web_request rq;
    web_response r;
    kw_rc rc = files_get(x, url, false, &rq, &r);
    if (rc == KW_OK && r.status >= 200 && r.status < 300) {
        web_page pg = {url, &r};
        rc = web_check_passive.per_page(x, &pg, profile);
    }
    web_response_free(&r);
    return rc == KW_ERR_RANGE || rc == KW_ERR_TIMEOUT || rc == KW_ERR_IO ? KW_OK : rc;
}

/* The parent directories of path ("/a/b/c.php": "/a/b/", "/a/"; never the root). */
static kw_rc files_page_dirs(web_ctx *x, files_state *s, const char *base, const char *path, unsigned profile)
{
    size_t end = strlen(path);
    if (end && path[end - 1] == '/')
        end--;
    kw_rc rc = KW_OK;
    for (int depth = 0; depth < FILES_DIR_DEPTH && rc == KW_OK && !web_stopping(x); depth++) {
        while (end > 0 && path[end - 1] != '/')
            end--;
        if (end <= 1)
            break;
        char url[WEB_URL_MAX];
        int n = snprintf(url, sizeof url, "%.*s%.*s", (int)(strlen(base) - 1), base, (int)end, path);
        if (n > 0 && (size_t)n < sizeof url)
            rc = files_dir(x, s, url, profile);
        end--;
    }
    return rc;
}

static kw_rc files_per_page(web_ctx *x, const web_page *pg, unsigned profile)
{
    char base[WEB_URL_MAX], page_url[WEB_URL_MAX];
    const char *path;
    const web_response *r = pg->resp;
    if (!pg->url || !r || !r->body || !web_sig_site(pg->url, base, sizeof base, &path))
        return KW_OK;
    web_sig_page(pg->url, page_url, sizeof page_url);
    path = url_path(page_url);
    files_state *s = files_state_get(x);
    files_site *site = site_get(x, s, base);
    pthread_mutex_lock(&s->mu);
    kw_map_put(&s->seen, page_url, (void *)1);
    pthread_mutex_unlock(&s->mu);
    kw_rc rc = files_page_itself(x, s, site, pg, page_url, path);
    if (rc == KW_OK)
        rc = files_page_dirs(x, s, base, path, profile);
    web_answer self = {.status = 200, .body = r->body, .len = r->len};
    size_t at;
    if (rc != KW_OK || web_file_proven(WEB_PROOF_SOURCE, &self, &at))
        return rc;                      /* the page shows source text itself: no proof possible */
    return files_page_backups(x, s, site, base, path, profile);
}

static kw_rc files_finish(web_ctx *x, unsigned profile)
{
    (void)profile;
    void **slot = web_check_state(x, "files");
    files_state *s = *slot;
    if (!s)
        return KW_OK;
    for (files_site *site = s->sites, *next; site; site = next) {
        next = site->next;
        site_free(site);
    }
    kw_map_free(&s->tried);
    kw_map_free(&s->seen);
    pthread_mutex_destroy(&s->mu);
    free(s);
    *slot = NULL;
    return KW_OK;
}

const web_check web_check_files = {
    .name = "files",
    .profiles = WEB_QUICK | WEB_STANDARD | WEB_THOROUGH,
    .per_site = files_per_site,
    .per_page = files_per_page,
    .finish = files_finish,
};
