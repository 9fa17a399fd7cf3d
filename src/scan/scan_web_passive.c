/* The passive checks (web_check_passive): on every page the crawl fetched, without sending
 * anything, it reports directory listings (KW-WEB-DIRLIST) and stack traces or debug error pages
 * (KW-WEB-STACKTRACE) per page, and tallies per site the HTML pages that lack a security header,
 * the cookies set without Secure / HttpOnly / SameSite, and the version banners; finish reports
 * those once per site (and per cookie name), with example pages and counts as evidence.
 *
 * Cookie policy: Secure is asked for on https sites only (on http the fix is TLS, not the flag);
 * HttpOnly on cookies whose name looks like a session or authentication token (CSRF tokens
 * excluded: scripts must read them); SameSite on every cookie (without it a cross-site request
 * carries it, and browsers differ in their default); SameSite=None without Secure on any cookie
 * (browsers refuse it). Deleting cookies (Max-Age=0, expired) are ignored. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_mem.h"
#include "scan/scan_web.h"
#include "scan/scan_web_sig.h"

#define PAS_EXAMPLES 3
#define PAS_HEADERS_KEEP 2048        /* bytes of an example page's header block kept */
#define PAS_COOKIES_MAX 64           /* cookie names tracked per site */
#define PAS_BANNERS_MAX 4
#define PAS_SET_COOKIES 32           /* Set-Cookie headers read from one page */

enum { GAP_CSP, GAP_HSTS, GAP_XFO, GAP_XCTO, GAP_N };

/* The pages of a site that lack one header. */
typedef struct pas_gap {
    size_t missing;
    char *example[PAS_EXAMPLES];
    char *headers;                   /* the first example's header block, cut */
} pas_gap;

typedef struct pas_cookie {
    char name[WEB_COOKIE_NAME_MAX];
    bool no_secure, no_httponly, no_samesite, none_insecure;
    char *page;                      /* the first page that set it so */
    char *line;                      /* its Set-Cookie value there */
} pas_cookie;

typedef struct pas_site {
    char *root;
    bool https;
    size_t html_pages;
    pas_gap gap[GAP_N];
    pas_cookie cookies[PAS_COOKIES_MAX];
    size_t ncookies;
    char banners[PAS_BANNERS_MAX][WEB_BANNER_MAX];
    size_t nbanners;
    char *banner_page;
    char *banner_headers;
    struct pas_site *next;
} pas_site;

typedef struct pas_state {
    pthread_mutex_t mu;
    pas_site *sites;
} pas_state;

static pthread_mutex_t pas_init_mu = PTHREAD_MUTEX_INITIALIZER;

static pas_state *pas_state_get(web_ctx *x)
{
    pthread_mutex_lock(&pas_init_mu);
    void **slot = web_check_state(x, "passive");
    if (!*slot) {
        pas_state *s = kw_calloc(1, sizeof *s);
        pthread_mutex_init(&s->mu, NULL);
        *slot = s;
    }
    pthread_mutex_unlock(&pas_init_mu);
    return *slot;
}

/* The site of root (created on first sight); called with the lock held. */
static pas_site *pas_site_get(pas_state *s, const char *root)
{
    for (pas_site *p = s->sites; p; p = p->next)
        if (strcmp(p->root, root) == 0)
            return p;
    pas_site *p = kw_calloc(1, sizeof *p);
    p->root = kw_strdup(root);
    p->https = strncmp(root, "https:", 6) == 0;
    p->next = s->sites;
    s->sites = p;
    return p;
}

static char *headers_copy(const web_response *r)
{
    size_t n = r->headers ? (r->hlen < PAS_HEADERS_KEEP ? r->hlen : PAS_HEADERS_KEEP) : 0;
    return kw_strndup(r->headers ? r->headers : "", n);
}

/* ---- per page: listings and stack traces ---- */

static kw_rc pas_body_report(web_ctx *x, const web_page *pg, bool listing, size_t at, const char *what)
{
    char page[WEB_URL_MAX], detail[200];
    web_sig_page(pg->url, page, sizeof page);
    const web_response *r = pg->resp;
    snprintf(detail, sizeof detail, "%s in the page (HTTP %ld)", what, r->status);
    web_request rq = {.method = "GET", .url = pg->url, .follow = true};
    size_t from = at > 64 ? at - 64 : 0, n = r->len - from < 400 ? r->len - from : 400;
    web_issue is = {
        .check_id = listing ? "KW-WEB-DIRLIST" : "KW-WEB-STACKTRACE",
        .category = listing ? "sensitive_file" : "app_config",
        .title = listing ? "Directory listing enabled" : "Stack trace or debug error page shown to visitors",
        .title_zh = listing ? "开启了目录列表" : "向访问者显示了堆栈跟踪或调试错误页面",
        .cwe = listing ? "CWE-548" : "CWE-209",
        .severity = listing ? FINDING_MEDIUM : FINDING_LOW,
        .url = page, .method = "GET", .proof = &rq, .answer = r->body + from, .answer_len = n,
        .detail = detail,
        .advice_en = listing ? "Turn directory listing off (Apache: Options -Indexes; nginx: autoindex off; "
                               "IIS: directoryBrowse enabled=\"false\") and put an index page where one is meant."
                             : "Turn debug mode and error display off in production (display_errors=Off, "
                               "DEBUG=False, customErrors, NODE_ENV=production) and show a generic error page; "
                               "log the details server-side.",
        .advice_zh = listing ? "关闭目录列表（Apache：Options -Indexes；nginx：autoindex off；IIS：directoryBrowse "
                               "enabled=\"false\"），需要的目录放置首页文件。"
                             : "在生产环境关闭调试模式和错误显示（display_errors=Off、DEBUG=False、customErrors、"
                               "NODE_ENV=production），向用户显示通用错误页，详细信息只记录在服务器日志中。",
    };
    return web_report(x, &is);
}

static kw_rc pas_body(web_ctx *x, const web_page *pg)
{
    const web_response *r = pg->resp;
    size_t at;
    const char *what;
    kw_rc rc = KW_OK;
    const char *path;
    char root[WEB_URL_MAX];
    bool vcs = web_sig_site(pg->url, root, sizeof root, &path) && web_path_in_vcs(path);
    if (r->status >= 200 && r->status < 300 && !vcs && web_listing_find(r->body, r->len, &at, &what))
        rc = pas_body_report(x, pg, true, at, what);
    if (rc == KW_OK && web_stacktrace_find(r->body, r->len, &at, &what))
        rc = pas_body_report(x, pg, false, at, what);
    return rc;
}

/* ---- per page: the site's tallies ---- */

static void gap_add(pas_gap *g, const web_page *pg)
{
    size_t k = g->missing++;
    if (k < PAS_EXAMPLES)
        g->example[k] = kw_strdup(pg->url);
    if (k == 0)
        g->headers = headers_copy(pg->resp);
}

static bool is_html(const web_response *r)
{
    return r->content_type && (strcmp(r->content_type, "text/html") == 0 ||
                               strcmp(r->content_type, "application/xhtml+xml") == 0);
}

static void pas_headers(pas_site *site, const web_page *pg)
{
    const web_response *r = pg->resp;
    if (r->status < 200 || r->status >= 300 || !is_html(r))
        return;
    web_hdr_sum h;
    web_hdrs_security(r->headers, r->hlen, &h);
    site->html_pages++;
    if (!h.csp)
        gap_add(&site->gap[GAP_CSP], pg);
    if (site->https && !h.hsts)
        gap_add(&site->gap[GAP_HSTS], pg);
    if (!h.xfo && !h.frame_ancestors)
        gap_add(&site->gap[GAP_XFO], pg);
    if (!h.xcto)
        gap_add(&site->gap[GAP_XCTO], pg);
}

static pas_cookie *cookie_slot(pas_site *site, const char *name)
{
    for (size_t i = 0; i < site->ncookies; i++)
        if (strcmp(site->cookies[i].name, name) == 0)
            return &site->cookies[i];
    if (site->ncookies == PAS_COOKIES_MAX)
        return NULL;
    pas_cookie *c = &site->cookies[site->ncookies++];
    kw_strlcpy(c->name, name, sizeof c->name);
    return c;
}

static void pas_cookies(pas_site *site, const web_page *pg)
{
    web_cookie cs[PAS_SET_COOKIES];
    size_t n = web_hdrs_cookies(pg->resp->headers, pg->resp->hlen, cs, PAS_SET_COOKIES);
    for (size_t i = 0; i < n; i++) {
        const web_cookie *c = &cs[i];
        bool no_secure = site->https && !c->secure, no_httponly = c->session && !c->httponly;
        bool no_samesite = !c->samesite, none_insecure = c->samesite_none && !c->secure;
        pas_cookie *p;
        if (c->deleting || !(no_secure || no_httponly || no_samesite || none_insecure) ||
            !(p = cookie_slot(site, c->name)))
            continue;
        p->no_secure |= no_secure, p->no_httponly |= no_httponly;
        p->no_samesite |= no_samesite, p->none_insecure |= none_insecure;
        if (!p->page) {
            p->page = kw_strdup(pg->url);
            p->line = kw_strndup(c->line, c->line_len < 512 ? c->line_len : 512);
        }
    }
}

static void pas_banners(pas_site *site, const web_page *pg)
{
    char b[PAS_BANNERS_MAX][WEB_BANNER_MAX];
    size_t n = web_hdrs_banners(pg->resp->headers, pg->resp->hlen, b, PAS_BANNERS_MAX);
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t k = 0; k < site->nbanners && !seen; k++)
            seen = strcmp(site->banners[k], b[i]) == 0;
        if (seen || site->nbanners == PAS_BANNERS_MAX)
            continue;
        memcpy(site->banners[site->nbanners++], b[i], WEB_BANNER_MAX);
        if (!site->banner_page) {
            site->banner_page = kw_strdup(pg->url);
            site->banner_headers = headers_copy(pg->resp);
        }
    }
}

static kw_rc pas_per_page(web_ctx *x, const web_page *pg, unsigned profile)
{
    (void)profile;
    char root[WEB_URL_MAX];
    if (!pg->url || !pg->resp || pg->resp->status == 0 || !web_sig_site(pg->url, root, sizeof root, NULL))
        return KW_OK;
    kw_rc rc = pg->resp->body ? pas_body(x, pg) : KW_OK;
    pas_state *s = pas_state_get(x);
    pthread_mutex_lock(&s->mu);
    pas_site *site = pas_site_get(s, root);
    pas_headers(site, pg);
    pas_cookies(site, pg);
    pas_banners(site, pg);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* ---- finish: one finding per site and header, cookie, banner set ---- */

typedef struct pas_hdr_info {
    const char *check_id, *cwe, *header, *title, *title_zh, *advice_en, *advice_zh;
} pas_hdr_info;

static const pas_hdr_info pas_hdrs[GAP_N] = {
    [GAP_CSP] = {"KW-WEB-HDR-CSP", "CWE-693", "Content-Security-Policy",
                 "Content-Security-Policy header missing", "缺少 Content-Security-Policy 响应头",
                 "Send a Content-Security-Policy that allows only the site's own scripts (script-src 'self', "
                 "no 'unsafe-inline'), with frame-ancestors; it limits what an XSS flaw can do.",
                 "发送只允许本站脚本的 Content-Security-Policy（script-src 'self'，不用 'unsafe-inline'），并设置 "
                 "frame-ancestors；它能限制 XSS 漏洞的危害。"},
    [GAP_HSTS] = {"KW-WEB-HDR-HSTS", "CWE-319", "Strict-Transport-Security",
                  "Strict-Transport-Security (HSTS) header missing on an HTTPS site",
                  "HTTPS 站点缺少 Strict-Transport-Security（HSTS）响应头",
                  "Send Strict-Transport-Security: max-age=31536000; includeSubDomains on every HTTPS answer so "
                  "browsers never fall back to plain HTTP.",
                  "在每个 HTTPS 响应中发送 Strict-Transport-Security: max-age=31536000; includeSubDomains，使浏览器"
                  "不再回退到明文 HTTP。"},
    [GAP_XFO] = {"KW-WEB-HDR-XFO", "CWE-1021", "X-Frame-Options (or CSP frame-ancestors)",
                 "Pages can be framed by other sites (no X-Frame-Options, no CSP frame-ancestors)",
                 "页面可被其他站点嵌入框架（无 X-Frame-Options，也无 CSP frame-ancestors）",
                 "Send X-Frame-Options: DENY (or SAMEORIGIN) or a CSP with frame-ancestors 'self' to prevent "
                 "clickjacking.",
                 "发送 X-Frame-Options: DENY（或 SAMEORIGIN），或带 frame-ancestors 'self' 的 CSP，防止点击劫持。"},
    [GAP_XCTO] = {"KW-WEB-HDR-XCTO", "CWE-693", "X-Content-Type-Options: nosniff",
                  "X-Content-Type-Options: nosniff header missing", "缺少 X-Content-Type-Options: nosniff 响应头",
                  "Send X-Content-Type-Options: nosniff so browsers do not run uploaded or mistyped files as "
                  "scripts or pages.",
                  "发送 X-Content-Type-Options: nosniff，防止浏览器把上传的或类型错误的文件当作脚本或页面执行。"},
};

/* Reports one site-wide finding whose proof is a GET of page. */
static kw_rc pas_site_report(web_ctx *x, const pas_site *site, const pas_hdr_info *h, const char *param,
                             const char *page, const char *answer, const char *detail)
{
    web_request rq = {.method = "GET", .url = page, .follow = true};
    web_issue is = {
        .check_id = h->check_id, .category = "app_config", .title = h->title, .title_zh = h->title_zh,
        .cwe = h->cwe, .severity = FINDING_LOW, .url = site->root, .parameter = param, .method = "GET",
        .proof = &rq, .answer = answer, .answer_len = strlen(answer), .detail = detail,
        .advice_en = h->advice_en, .advice_zh = h->advice_zh,
    };
    return web_report(x, &is);
}

static kw_rc pas_gap_report(web_ctx *x, const pas_site *site, int which)
{
    const pas_gap *g = &site->gap[which];
    char detail[3 * 600];
    int n = snprintf(detail, sizeof detail, "%s missing on %zu of %zu HTML pages, e.g.", pas_hdrs[which].header,
                     g->missing, site->html_pages);
    for (size_t i = 0; i < PAS_EXAMPLES && g->example[i] && n > 0 && (size_t)n < sizeof detail; i++)
        n += snprintf(detail + n, sizeof detail - (size_t)n, "%s %.500s", i ? "," : "", g->example[i]);
    return pas_site_report(x, site, &pas_hdrs[which], NULL, g->example[0], g->headers, detail);
}

static const pas_hdr_info pas_cookie_info = {
    "KW-WEB-COOKIE-FLAGS", "CWE-614", NULL, "Cookie set without Secure, HttpOnly or SameSite",
    "Cookie 未设置 Secure、HttpOnly 或 SameSite 属性",
    "Set session cookies with Secure (on HTTPS), HttpOnly and SameSite=Lax (or Strict) in the framework's "
    "session settings.",
    "在框架的会话配置中为会话 Cookie 设置 Secure（HTTPS 站点）、HttpOnly 和 SameSite=Lax（或 Strict）。"};

static kw_rc pas_cookie_report(web_ctx *x, const pas_site *site, const pas_cookie *c)
{
    pas_hdr_info h = pas_cookie_info;
    h.cwe = c->no_secure ? "CWE-614" : c->no_httponly ? "CWE-1004" : "CWE-1275";
    char detail[300], answer[600];
    snprintf(detail, sizeof detail, "cookie %s is set without%s%s%s%s", c->name, c->no_secure ? " Secure" : "",
             c->no_httponly ? " HttpOnly" : "", c->no_samesite ? " SameSite" : "",
             c->none_insecure ? " Secure although SameSite=None" : "");
    snprintf(answer, sizeof answer, "Set-Cookie: %s", c->line);
    return pas_site_report(x, site, &h, c->name, c->page, answer, detail);
}

static const pas_hdr_info pas_banner_info = {
    "KW-WEB-BANNER", "CWE-200", NULL, "Server software version disclosed in response headers",
    "响应头泄露了服务器软件版本",
    "Hide version numbers from response headers (Apache: ServerTokens Prod; nginx: server_tokens off; PHP: "
    "expose_php = Off; ASP.NET: enableVersionHeader=\"false\", remove X-Powered-By).",
    "在响应头中隐藏版本号（Apache：ServerTokens Prod；nginx：server_tokens off；PHP：expose_php = Off；"
    "ASP.NET：enableVersionHeader=\"false\"，并去掉 X-Powered-By）。"};

static kw_rc pas_banner_report(web_ctx *x, const pas_site *site)
{
    char detail[PAS_BANNERS_MAX * (WEB_BANNER_MAX + 2) + 32];
    int n = snprintf(detail, sizeof detail, "version banners:");
    for (size_t i = 0; i < site->nbanners && n > 0 && (size_t)n < sizeof detail; i++)
        n += snprintf(detail + n, sizeof detail - (size_t)n, "%s %s", i ? ";" : "", site->banners[i]);
    return pas_site_report(x, site, &pas_banner_info, NULL, site->banner_page, site->banner_headers, detail);
}

static kw_rc pas_site_finish(web_ctx *x, const pas_site *site)
{
    kw_rc rc = KW_OK;
    for (int g = 0; g < GAP_N && rc == KW_OK; g++)
        if (site->gap[g].missing)
            rc = pas_gap_report(x, site, g);
    for (size_t i = 0; i < site->ncookies && rc == KW_OK; i++)
        rc = pas_cookie_report(x, site, &site->cookies[i]);
    if (rc == KW_OK && site->nbanners)
        rc = pas_banner_report(x, site);
    return rc;
}

static void pas_site_free(pas_site *site)
{
    for (int g = 0; g < GAP_N; g++) {
        for (size_t i = 0; i < PAS_EXAMPLES; i++)
            free(site->gap[g].example[i]);
        free(site->gap[g].headers);
    }
    for (size_t i = 0; i < site->ncookies; i++) {
        free(site->cookies[i].page);
        free(site->cookies[i].line);
    }
    free(site->banner_page);
    free(site->banner_headers);
    free(site->root);
    free(site);
}

static kw_rc pas_finish(web_ctx *x, unsigned profile)
{
    (void)profile;
    void **slot = web_check_state(x, "passive");
    pas_state *s = *slot;
    kw_rc rc = KW_OK;
    if (!s)
        return KW_OK;
    for (pas_site *site = s->sites, *next; site; site = next) {
        next = site->next;
        if (rc == KW_OK)
            rc = pas_site_finish(x, site);
        pas_site_free(site);
    }
    pthread_mutex_destroy(&s->mu);
    free(s);
    *slot = NULL;
    return rc;
}

const web_check web_check_passive = {
    .name = "passive",
    .profiles = WEB_QUICK | WEB_STANDARD | WEB_THOROUGH,
    .per_page = pas_per_page,
    .finish = pas_finish,
};
