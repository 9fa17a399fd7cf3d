/* Unit tests of the exposed-files and passive checks (scan_web_files.c, scan_web_passive.c) as
 * whole checks, against a fake engine defined here: web_send answers from a table of canned
 * pages (anything else gets the site's missing-page answer: a 404, or a 200 catch-all that echoes
 * the path beside a login form), web_report records the issues. What is asserted: every seeded
 * file is found, a catch-all site yields nothing, a proven group stops its other probes, a page's
 * backups are asked once, and the passive findings come once per site, header and cookie.
 *
 * The fake defines the engine's functions the two checks call (web_send, web_response_free,
 * web_report, web_check_state, web_marker, web_stopping); the static library then supplies
 * none of the engine's objects to this program. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_mem.h"
#include "kw_test.h"
#include "scan/scan_web.h"

struct web_ctx {
    int unused;
};

typedef struct canned {
    const char *url;
    long status;
    const char *body;
    size_t len;                      /* 0: strlen(body) */
    const char *final_url;           /* NULL: the same */
    const char *headers;             /* NULL: a plain 200 block */
} canned;

static const canned *site_pages;
static size_t site_npages;
static int site_catch_all;           /* missing pages: 0 a 404, 1 a 200 login page echoing the path */
static char sent[256][WEB_URL_MAX];
static size_t nsent;

typedef struct got {
    char check[40], url[WEB_URL_MAX], param[128], detail[2048];
    finding_sev sev;
} got;
static got issues[64];
static size_t nissues;
static void *slots[4];
static const char *slot_names[4];
static unsigned marker_seq;

static void fake_reset(const canned *pages, size_t n, int catch_all)
{
    site_pages = pages, site_npages = n, site_catch_all = catch_all;
    nsent = nissues = 0;
}

static void answer(web_response *out, long status, const char *body, size_t len, const char *url,
                   const char *headers)
{
    out->status = status;
    out->body = kw_malloc(len + 1);
    memcpy(out->body, body, len);
    out->body[len] = '\0';
    out->len = len;
    out->headers = kw_strdup(headers ? headers : "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n");
    out->hlen = strlen(out->headers);
    out->url = kw_strdup(url);
    out->content_type = kw_strdup("text/html");
    out->rc = KW_OK;
}

kw_rc web_send(web_ctx *x, const web_request *rq, web_response *out)
{
    (void)x;
    memset(out, 0, sizeof *out);
    if (nsent < 256)
        kw_strlcpy(sent[nsent++], rq->url, WEB_URL_MAX);
    for (size_t i = 0; i < site_npages; i++) {
        const canned *c = &site_pages[i];
        if (strcmp(c->url, rq->url) == 0) {
            answer(out, c->status, c->body, c->len ? c->len : strlen(c->body),
                   c->final_url && rq->follow ? c->final_url : rq->url, c->headers);
            return KW_OK;
        }
    }
    char body[WEB_URL_MAX + 256];
    if (site_catch_all)
        snprintf(body, sizeof body, "<html><title>Shop</title><p>No page %s here, sign in?</p><form>"
                 "<input name=u><input type=password name=p></form></html>", rq->url);
    else
        snprintf(body, sizeof body, "<html><title>404 Not Found</title>%s</html>", rq->url);
    answer(out, site_catch_all ? 200 : 404, body, strlen(body), rq->url, NULL);
    return KW_OK;
}

void web_response_free(web_response *r)
{
    free(r->body);
    free(r->headers);
    free(r->url);
    free(r->content_type);
    memset(r, 0, sizeof *r);
}

kw_rc web_report(web_ctx *x, const web_issue *is)
{
    (void)x;
    if (nissues == 64)
        return KW_ERR_FULL;
    got *g = &issues[nissues++];
    kw_strlcpy(g->check, is->check_id, sizeof g->check);
    kw_strlcpy(g->url, is->url ? is->url : "", sizeof g->url);
    kw_strlcpy(g->param, is->parameter ? is->parameter : "", sizeof g->param);
    kw_strlcpy(g->detail, is->detail ? is->detail : "", sizeof g->detail);
    g->sev = is->severity;
    return (is->title && is->title_zh && is->cwe && is->advice_en && is->advice_zh && is->proof &&
            is->category) ? KW_OK : KW_ERR_PARSE;
}

void **web_check_state(web_ctx *x, const char *check)
{
    (void)x;
    for (size_t i = 0; i < 4; i++)
        if (!slot_names[i] || strcmp(slot_names[i], check) == 0) {
            slot_names[i] = check;
            return &slots[i];
        }
    abort();
}

void web_marker(web_ctx *x, char *out, size_t n)
{
    (void)x;
    snprintf(out, n + 1, "kw%08x", ++marker_seq * 2654435761u);
}

bool web_stopping(web_ctx *x)
{
    (void)x;
    return false;
}

static size_t count_issues(const char *check, const char *url)
{
    size_t c = 0;
    for (size_t i = 0; i < nissues; i++)
        c += strcmp(issues[i].check, check) == 0 && (!url || strcmp(issues[i].url, url) == 0);
    return c;
}

static bool was_sent(const char *url)
{
    for (size_t i = 0; i < nsent; i++)
        if (strcmp(sent[i], url) == 0)
            return true;
    return false;
}

#define B "http://127.0.0.1:8080/"

static const canned seeded[] = {
    {B ".git/HEAD", 200, "ref: refs/heads/master\n", 0, NULL, NULL},
    {B ".git/config", 200, "[core]\n\trepositoryformatversion = 0\n", 0, NULL, NULL},
    {B ".env", 200, "APP_KEY=base64:x\nDB_PASSWORD=secret\n", 0, NULL, NULL},
    {B "index.php.bak", 200, "<?php include 'config.php';\n", 0, NULL, NULL},
    {B "www.zip", 200, "PK\x03\x04\x14\0\0\0\x08\0", 10, NULL, NULL},
    {B "backup.sql", 200, "<html><title>Backups</title><p>INSERT INTO is how</p>;</html>", 0, NULL, NULL},
    {B "phpinfo.php", 200, "<title>PHP 8.2 - phpinfo()</title><h1>PHP Version 8.2</h1><td class=\"e\">a"
                            "<td class=\"e\">b<td class=\"e\">c", 0, NULL, NULL},
    {B "admin/", 200, "<title>Login</title><form><input type=\"password\"></form>", 0, B "admin/login.php", NULL},
    {B "info.php", 200, "<title>x</title>", 0, NULL, NULL},
    {B "app/login.php.bak", 200, "<?php $pw = $_POST['pw'];", 0, NULL, NULL},
    {B "old/", 200, "<html><head><title>Index of /old</title></head><body><h1>Index of /old</h1>"
                    "<a href=\"/\">Parent Directory</a><a href=\"shop.sql\">shop.sql</a></body></html>", 0, NULL, NULL},
};

static void test_files_seeded_site(void)
{
    web_ctx x;
    fake_reset(seeded, sizeof seeded / sizeof seeded[0], 0);
    /* The engine crawls first (robots.txt names /admin/), then runs per_site: the console is
     * still probed and reported. */
    char login[] = "<title>Login</title><form><input type=\"password\"></form>";
    web_response crawled = {.status = 200, .body = login, .len = strlen(login)};
    web_page apg = {B "admin/", &crawled};
    CHECK_INT(web_check_files.per_page(&x, &apg, WEB_STANDARD), KW_OK);
    CHECK_INT(nsent, 2);                          /* the two missing-page answers, learnt now */
    CHECK_INT(nissues, 0);
    CHECK_INT(web_check_files.per_site(&x, B, WEB_STANDARD), KW_OK);
    CHECK_INT(count_issues("KW-WEB-GIT", B ".git/HEAD"), 1);
    CHECK(!was_sent(B ".git/config"));            /* the group stopped at HEAD */
    char cfg[] = "[core]\n\trepositoryformatversion = 0\n";
    web_response gr = {.status = 200, .body = cfg, .len = strlen(cfg)};
    web_page gpg = {B ".git/config", &gr};        /* the crawl reads it later: still one finding */
    CHECK_INT(web_check_files.per_page(&x, &gpg, WEB_STANDARD), KW_OK);
    CHECK_INT(count_issues("KW-WEB-GIT", NULL), 1);
    CHECK_INT(count_issues("KW-WEB-ENV", B ".env"), 1);
    CHECK_INT(count_issues("KW-WEB-BACKUP", B "index.php.bak"), 1);
    CHECK_INT(count_issues("KW-WEB-BACKUP", B "www.zip"), 1);
    CHECK_INT(count_issues("KW-WEB-BACKUP", B "backup.sql"), 0);   /* an HTML page, not a dump */
    CHECK_INT(count_issues("KW-WEB-PHPINFO", B "phpinfo.php"), 1);
    CHECK(!was_sent(B "info.php"));
    CHECK_INT(count_issues("KW-WEB-ADMIN", B "admin/"), 1);
    CHECK_INT(count_issues("KW-WEB-SVN", NULL), 0);
    CHECK_INT(nissues, 6);
    CHECK(nsent < 60);
    for (size_t i = 0; i < nissues; i++)
        CHECK(issues[i].sev >= FINDING_MEDIUM && issues[i].param[0] == '\0');

    web_response page = {.status = 200, .body = (char *)"<p>login</p>", .len = 12};
    web_page pg = {B "app/login.php?next=1", &page};
    size_t before = nsent;
    CHECK_INT(web_check_files.per_page(&x, &pg, WEB_STANDARD), KW_OK);
    CHECK_INT(count_issues("KW-WEB-BACKUP", B "app/login.php.bak"), 1);
    CHECK_INT(nsent - before, 4);                 /* three backup names and the directory */
    CHECK(was_sent(B "app/"));
    pg.url = B "app/login.php?next=2";
    CHECK_INT(web_check_files.per_page(&x, &pg, WEB_STANDARD), KW_OK);
    CHECK_INT(nsent - before, 4);                 /* asked once per scan */
    pg.url = B "about.html";
    CHECK_INT(web_check_files.per_page(&x, &pg, WEB_STANDARD), KW_OK);
    CHECK_INT(nsent - before, 4);
    web_response dump = {.status = 200, .body = (char *)"-- dump\nINSERT INTO u VALUES (1);\n", .len = 34};
    web_page dpg = {B "old/shop.sql", &dump};
    CHECK_INT(web_check_files.per_page(&x, &dpg, WEB_STANDARD), KW_OK);
    CHECK_INT(count_issues("KW-WEB-BACKUP", B "old/shop.sql"), 1);
    CHECK_INT(nsent - before, 5);                 /* proven on the crawled answer; old/ asked */
    CHECK_INT(count_issues("KW-WEB-DIRLIST", B "old/"), 1);   /* the listing, by the passive check */
    CHECK_INT(nissues, 9);
    CHECK_INT(web_check_files.finish(&x, WEB_STANDARD), KW_OK);
    CHECK_INT(web_check_passive.finish(&x, WEB_STANDARD), KW_OK);
}

static void test_files_catch_all_site(void)
{
    web_ctx x;
    fake_reset(NULL, 0, 1);
    CHECK_INT(web_check_files.per_site(&x, B, WEB_THOROUGH), KW_OK);
    CHECK_INT(nissues, 0);
    CHECK(was_sent(B ".git/config") && was_sent(B "admin/"));
    CHECK_INT(web_check_files.finish(&x, WEB_THOROUGH), KW_OK);
    fake_reset(NULL, 0, 0);
    CHECK_INT(web_check_files.per_site(&x, B, WEB_QUICK), KW_OK);
    CHECK_INT(nissues, 0);
    CHECK(!was_sent(B "test.php"));               /* thorough only */
    CHECK_INT(web_check_files.finish(&x, WEB_QUICK), KW_OK);
}

static void passive_page(web_ctx *x, const char *url, long status, const char *headers, const char *body)
{
    web_response r = {.status = status, .body = (char *)body, .len = strlen(body), .headers = (char *)headers,
                      .hlen = strlen(headers), .content_type = (char *)"text/html"};
    web_page pg = {url, &r};
    CHECK_INT(web_check_passive.per_page(x, &pg, WEB_STANDARD), KW_OK);
}

static const char *find_detail(const char *check, const char *param)
{
    for (size_t i = 0; i < nissues; i++)
        if (strcmp(issues[i].check, check) == 0 && strcmp(issues[i].param, param) == 0)
            return issues[i].detail;
    return NULL;
}

static void test_passive_grouped(void)
{
    web_ctx x;
    fake_reset(NULL, 0, 0);
    const char *bare = "HTTP/1.1 200 OK\r\nServer: Apache/2.4.57 (Debian)\r\nX-Powered-By: PHP/8.2.7\r\n"
                       "Set-Cookie: PHPSESSID=1; path=/\r\nSet-Cookie: lang=en\r\n"
                       "Set-Cookie: consent=1; Path=/; HttpOnly; SameSite=Strict\r\n\r\n";
    const char *good = "HTTP/1.1 200 OK\r\nContent-Security-Policy: frame-ancestors 'self'\r\n"
                       "X-Content-Type-Options: nosniff\r\nServer: Apache/2.4.57 (Debian)\r\n\r\n";
    passive_page(&x, B "a.php", 200, bare, "<p>a</p>");
    passive_page(&x, B "b.php?id=1", 200, bare, "<p>b</p>");
    passive_page(&x, B "c.php", 200, good, "<p>c</p>");
    passive_page(&x, B "d.php", 500, bare,
                 "<b>Fatal error</b>: Uncaught Error in <b>/var/www/d.php</b> on line <b>4</b>");
    passive_page(&x, B "files/", 200, good,
                 "<title>Index of /files</title><h1>Index of /files</h1><a href=\"/\">Parent Directory</a>");
    passive_page(&x, B ".git/refs/", 200, good,
                 "<title>Index of /.git/refs</title><h1>Index of /.git/refs</h1><a href=\"heads/\">heads/</a>");
    passive_page(&x, "https://127.0.0.1:8443/", 200, good, "<p>tls</p>");
    CHECK_INT(count_issues("KW-WEB-STACKTRACE", B "d.php"), 1);
    CHECK_INT(count_issues("KW-WEB-DIRLIST", B "files/"), 1);
    CHECK_INT(nissues, 2);
    CHECK_INT(web_check_passive.finish(&x, WEB_STANDARD), KW_OK);
    CHECK_INT(count_issues("KW-WEB-HDR-CSP", B), 1);
    CHECK_INT(count_issues("KW-WEB-HDR-XFO", B), 1);
    CHECK_INT(count_issues("KW-WEB-HDR-XCTO", B), 1);
    CHECK_INT(count_issues("KW-WEB-HDR-HSTS", NULL), 1);
    CHECK_INT(count_issues("KW-WEB-HDR-HSTS", "https://127.0.0.1:8443/"), 1);
    CHECK_INT(count_issues("KW-WEB-HDR-CSP", "https://127.0.0.1:8443/"), 0);
    CHECK_INT(count_issues("KW-WEB-COOKIE-FLAGS", B), 2);
    CHECK_INT(count_issues("KW-WEB-BANNER", B), 1);
    CHECK_INT(count_issues("KW-WEB-BANNER", NULL), 2);
    CHECK_CONTAINS(find_detail("KW-WEB-HDR-CSP", ""), "missing on 2 of 5 HTML pages");
    CHECK_CONTAINS(find_detail("KW-WEB-HDR-CSP", ""), B "b.php?id=1");
    CHECK_CONTAINS(find_detail("KW-WEB-COOKIE-FLAGS", "PHPSESSID"), "without HttpOnly SameSite");
    CHECK_CONTAINS(find_detail("KW-WEB-COOKIE-FLAGS", "lang"), "cookie lang is set without SameSite");
    CHECK(find_detail("KW-WEB-COOKIE-FLAGS", "consent") == NULL);
    const char *banner = NULL;
    for (size_t i = 0; i < nissues; i++)
        if (strcmp(issues[i].check, "KW-WEB-BANNER") == 0 && strcmp(issues[i].url, B) == 0)
            banner = issues[i].detail;
    CHECK_CONTAINS(banner, "X-Powered-By: PHP/8.2.7");
    CHECK_INT(nissues, 10);
}

/* A hostile page: 2 MiB of random bytes with NULs, hundreds of Set-Cookie lines, header lines
 * without a colon. Bounded work, requests and findings. */
static void test_passive_hostile(void)
{
    web_ctx x;
    fake_reset(NULL, 0, 0);
    size_t n = 2u << 20, hn = 0;
    char *body = kw_malloc(n + 1), *hdr = kw_malloc(64u << 10);
    unsigned v = 12345;
    for (size_t i = 0; i < n; i++)
        body[i] = (char)((v = v * 1103515245u + 12345u) >> 16) == '<' ? ' ' : (char)(v >> 16);
    body[n] = '\0';
    hn += (size_t)snprintf(hdr + hn, 128, "HTTP/1.1 200 OK\r\nno colon here\r\n:\r\n");
    for (int k = 0; k < 600 && hn < (60u << 10); k++)
        hn += (size_t)snprintf(hdr + hn, 128, "Set-Cookie: c%d=%d\r\nSet-Cookie: ;;;\r\n", k, k);
    for (int page = 0; page < 4; page++) {
        char url[64];
        snprintf(url, sizeof url, B "d%d/h.php", page);
        web_response r = {.status = 200, .body = body, .len = n, .headers = hdr, .hlen = hn,
                          .content_type = (char *)"text/html"};
        web_page pg = {url, &r};
        CHECK_INT(web_check_passive.per_page(&x, &pg, WEB_STANDARD), KW_OK);
        CHECK_INT(web_check_files.per_page(&x, &pg, WEB_STANDARD), KW_OK);
    }
    CHECK_INT(nissues, 0);
    CHECK_INT(nsent, 2 + 4 * 4);                  /* missing pages; per page 3 backups, 1 directory */
    CHECK_INT(web_check_files.finish(&x, WEB_STANDARD), KW_OK);
    CHECK_INT(web_check_passive.finish(&x, WEB_STANDARD), KW_OK);
    CHECK_INT(count_issues("KW-WEB-COOKIE-FLAGS", B), 32);  /* 32 Set-Cookie read per page */
    CHECK_INT(count_issues("KW-WEB-HDR-CSP", B), 1);
    CHECK(nissues < 64);
    free(body);
    free(hdr);
}

int main(void)
{
    RUN(test_files_seeded_site);
    RUN(test_files_catch_all_site);
    RUN(test_passive_grouped);
    RUN(test_passive_hostile);
    TEST_MAIN_END();
}
