/* The XSS and SQL injection checks run whole against a site simulated in the process: the engine
 * functions they call (web_send, web_report, web_target_build, ...) are stand-ins defined here,
 * weak so the real ones win wherever the engine is linked. Each page is a vulnerable one or its
 * safe look-alike; the test asserts what is reported and what is not, and counts requests. */
#include "scan/scan_web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_buf.h"
#include "core/kw_mem.h"
#include "kw_test.h"

#define FAKE_WEAK __attribute__((weak))

/* ---- the simulated site: one parameter "v" per page ---- */

static char fake_store[2][4096];     /* what the two guestbooks keep */
static char fake_profile[4096];     /* the profile's one field */
static int fake_requests;

static void fake_escape(kw_buf *o, const char *v)
{
    for (; *v; v++) {
        switch (*v) {
        case '<': kw_buf_puts(o, "&lt;"); break;
        case '>': kw_buf_puts(o, "&gt;"); break;
        case '"': kw_buf_puts(o, "&quot;"); break;
        case '\'': kw_buf_puts(o, "&#39;"); break;
        case '&': kw_buf_puts(o, "&amp;"); break;
        default: kw_buf_putc(o, *v);
        }
    }
}

static void fake_js_escape(kw_buf *o, const char *v)
{
    for (; *v; v++) {
        if (*v == '\'' || *v == '"' || *v == '\\')
            kw_buf_putc(o, '\\'), kw_buf_putc(o, *v);
        else if (*v == '<')
            kw_buf_puts(o, "\\x3c");
        else
            kw_buf_putc(o, *v);
    }
}

/* "1 AND 5=5", "1' AND '5'='5", "1' AND 5=5-- -": the condition's truth, -1 when none. */
static int fake_condition(const char *v)
{
    const char *a = strstr(v, "AND ");
    int x, y;
    if (!a)
        return -1;
    if (sscanf(a + 4, "'%d'='%d", &x, &y) == 2 || sscanf(a + 4, "%d=%d", &x, &y) == 2)
        return x == y;
    return -1;
}

static size_t fake_count(const char *v, char c)
{
    size_t n = 0;
    for (; *v; v++)
        n += *v == c;
    return n;
}

static const char fake_row[] = "<table><tr><td>1</td><td>Widget</td><td>4.99</td></tr></table>";

/* A product lookup whose query is built by pasting v after "id = " (numbers) or inside
 * "id = '...'" (strings): broken quoting is a MySQL error (or a bare 500), a condition after a
 * closed quote is evaluated, and the row shows when the id is 1. */
static void fake_sqli(const char *v, bool errors, bool strings, kw_buf *o, long *status)
{
    size_t sq = fake_count(v, '\'');
    bool broken = strings ? sq % 2 == 1 && !strstr(v, "-- -") : sq > 0;
    broken = broken || fake_count(v, '"') % 2 == 1 || strchr(v, '`') || strchr(v, '\\');
    int cond = (strings ? sq > 0 : sq == 0) ? fake_condition(v) : -1;
    bool match = strings ? strncmp(v, "1'", 2) == 0 || strcmp(v, "1") == 0 : v[0] == '1' && (!v[1] || v[1] == ' ');
    if (broken) {
        *status = errors ? 200 : 500;
        kw_buf_puts(o, errors ? "<b>Warning</b>: You have an error in your SQL syntax; check the manual that "
                                "corresponds to your MySQL server version"
                              : "<p>Something went wrong.</p>");
        return;
    }
    kw_buf_puts(o, "<h1>Product</h1>");
    kw_buf_puts(o, match && cond != 0 ? fake_row : "<p>No product.</p>");
}

static void fake_page(const char *path, const char *v, bool post, kw_buf *o, long *status, int64_t *us,
                      const char **ct)
{
    *status = 200, *us = 20000, *ct = "text/html";
    if (strcmp(path, "/x/text") == 0)
        kw_buf_printf(o, "<p>Results for %s</p>", v);
    else if (strcmp(path, "/x/text-safe") == 0)
        kw_buf_puts(o, "<p>Results for "), fake_escape(o, v), kw_buf_puts(o, "</p>");
    else if (strcmp(path, "/x/attr") == 0)
        kw_buf_printf(o, "<form><input name=v value=\"%s\"></form>", v);
    else if (strcmp(path, "/x/attr-safe") == 0)
        kw_buf_puts(o, "<form><input name=v value=\""), fake_escape(o, v), kw_buf_puts(o, "\"></form>");
    else if (strcmp(path, "/x/js") == 0)
        kw_buf_printf(o, "<script>var q = '%s';</script>", v);
    else if (strcmp(path, "/x/js-safe") == 0)
        kw_buf_puts(o, "<script>var q = '"), fake_js_escape(o, v), kw_buf_puts(o, "';</script>");
    else if (strcmp(path, "/x/href") == 0)
        kw_buf_puts(o, "<a href=\""), fake_escape(o, v), kw_buf_puts(o, "\">home</a>");
    else if (strcmp(path, "/x/onclick") == 0) /* HTML-escaped only: the handler decodes it */
        kw_buf_puts(o, "<button onclick=\"go('"), fake_escape(o, v), kw_buf_puts(o, "')\">Go</button>");
    else if (strcmp(path, "/x/onclick-safe") == 0) { /* JavaScript-escaped, then HTML-escaped */
        kw_buf js;
        kw_buf_init(&js, 8192);
        fake_js_escape(&js, v);
        kw_buf_puts(o, "<button onclick=\"go('"), fake_escape(o, kw_buf_cstr(&js)), kw_buf_puts(o, "')\">Go</button>");
        kw_buf_free(&js);
    } else if (strcmp(path, "/x/textarea") == 0)
        kw_buf_printf(o, "<textarea name=v>%s</textarea>", v);
    else if (strcmp(path, "/x/json") == 0)
        *ct = "application/json", kw_buf_printf(o, "{\"q\":\"%s\"}", v);
    else if (strcmp(path, "/s/err") == 0)
        fake_sqli(v, true, false, o, status);
    else if (strcmp(path, "/s/bool") == 0)
        fake_sqli(v, false, false, o, status);
    else if (strcmp(path, "/s/bool-str") == 0)
        fake_sqli(v, false, true, o, status);
    else if (strcmp(path, "/s/safe") == 0)
        kw_buf_puts(o, strcmp(v, "1") == 0 ? fake_row : "<p>No product.</p>");
    else if (strcmp(path, "/s/noisy") == 0)
        kw_buf_printf(o, "<input type=hidden name=csrf value=%d>%s", rand(), strcmp(v, "1") == 0 ? fake_row : "none");
    else if (strcmp(path, "/s/time") == 0) {
        const char *s = strstr(v, "SLEEP(");
        *us += s ? (int64_t)atoi(s + 6) * 1000000 : 0;
        kw_buf_puts(o, fake_row);
    } else if (strcmp(path, "/s/loop") == 0) { /* SQLite: a counting loop at 0.2 us a turn */
        const char *s = strstr(v, "n<");
        *us += s ? atoll(s + 2) / 5 : 0;
        kw_buf_puts(o, fake_row);
    } else if (strcmp(path, "/g/post") == 0 || strcmp(path, "/g2/post") == 0) {
        char *st = fake_store[path[2] == '2'];
        if (post && strlen(st) + strlen(v) + 8 < sizeof fake_store[0])
            strcat(st, v), strcat(st, "\n");
        kw_buf_puts(o, "<p>Thanks.</p>");
    } else if (strcmp(path, "/p/edit") == 0) { /* a profile: one slot, shown raw on /p */
        if (post)
            snprintf(fake_profile, sizeof fake_profile, "%s", v);
        kw_buf_puts(o, "<p>Saved.</p>");
    } else if (strcmp(path, "/p") == 0)
        kw_buf_printf(o, "<div class=bio>%s</div>", fake_profile);
    else if (strcmp(path, "/g/list") == 0)
        kw_buf_printf(o, "<div class=comments>%s</div>", fake_store[0]);
    else if (strcmp(path, "/g2/list") == 0)
        kw_buf_puts(o, "<div class=comments>"), fake_escape(o, fake_store[1]), kw_buf_puts(o, "</div>");
    else
        *status = 404;
}

/* ---- the engine stand-ins ---- */

struct web_ctx {
    void *slot[2];                   /* "xss", "sqli" */
    char reports[32][160];
    char evidence[32][1024];
    int nreports;
    int marker_seq;
};

FAKE_WEAK kw_rc web_target_build(const web_target *t, size_t i, const char *payload, web_mut mode, web_built *out)
{
    memset(out, 0, sizeof *out);
    const char *seen = t->params[0].value;
    kw_buf v;
    kw_buf_init(&v, 8192);
    kw_buf_puts(&v, i == (size_t)-1 || mode == WEB_MUT_APPEND ? seen : "");
    if (i != (size_t)-1)
        kw_buf_puts(&v, payload);
    bool post = strcmp(t->method, "POST") == 0;
    kw_buf u;
    kw_buf_init(&u, 16384);
    kw_buf_printf(&u, post ? "%s" : "%s?v=%s", t->url, v.data);
    out->url = kw_buf_take(&u);
    out->body = post ? kw_buf_take(&v) : NULL;
    kw_buf_free(&v);
    out->rq = (web_request){.method = t->method, .url = out->url, .body = out->body,
                            .body_len = out->body ? strlen(out->body) : 0};
    return KW_OK;
}

FAKE_WEAK void web_built_free(web_built *b)
{
    free(b->url), free(b->body), free(b->cookie_header);
}

static kw_rc fake_answer(const char *url, const char *body, web_response *out)
{
    memset(out, 0, sizeof *out);
    fake_requests++;
    const char *path = strstr(url, "//") ? strchr(strstr(url, "//") + 2, '/') : url;
    char p[256];
    snprintf(p, sizeof p, "%.*s", (int)strcspn(path, "?"), path);
    const char *q = strstr(url, "?v=");
    kw_buf o;
    kw_buf_init(&o, WEB_BODY_MAX);
    const char *ct;
    fake_page(p, body ? body : q ? q + 3 : "", body != NULL, &o, &out->status, &out->elapsed_us, &ct);
    out->len = o.len;
    out->body = o.data ? kw_buf_take(&o) : kw_strdup("");
    out->content_type = kw_strdup(ct);
    out->headers = kw_strdup("");
    out->url = kw_strdup(url);
    return out->rc = KW_OK;
}

FAKE_WEAK kw_rc web_send(web_ctx *x, const web_request *rq, web_response *out)
{
    (void)x;
    return fake_answer(rq->url, rq->body, out);
}

FAKE_WEAK void web_response_free(web_response *r)
{
    free(r->body), free(r->headers), free(r->url), free(r->content_type);
    memset(r, 0, sizeof *r);
}

FAKE_WEAK bool web_stopping(web_ctx *x)
{
    (void)x;
    return false;
}

FAKE_WEAK void **web_check_state(web_ctx *x, const char *check)
{
    return &x->slot[strcmp(check, "sqli") == 0];
}

/* The end of a scan: each check's finish (which frees its state). */
static void fake_finish(web_ctx *x, unsigned profile)
{
    const web_check *const checks[] = {&web_check_xss, &web_check_sqli};
    for (size_t k = 0; k < 2; k++)
        if (checks[k]->finish)
            CHECK_INT(checks[k]->finish(x, profile), KW_OK);
    CHECK(x->slot[0] == NULL && x->slot[1] == NULL);
}

FAKE_WEAK kw_rc web_report(web_ctx *x, const web_issue *is)
{
    char key[160];
    snprintf(key, sizeof key, "%s %s %s", is->check_id, is->url, is->parameter ? is->parameter : "-");
    for (int k = 0; k < x->nreports; k++)
        if (strcmp(x->reports[k], key) == 0)
            return KW_OK;
    if (x->nreports < 32) {
        snprintf(x->evidence[x->nreports], sizeof x->evidence[0], "%s | %s | %.*s", is->detail ? is->detail : "",
                 is->proof ? is->proof->url : "", (int)is->answer_len, is->answer ? is->answer : "");
        strcpy(x->reports[x->nreports++], key);
    }
    return KW_OK;
}

FAKE_WEAK bool web_reported(web_ctx *x, const char *check_id, const char *url, const char *parameter)
{
    char key[160];
    snprintf(key, sizeof key, "%s %s %s", check_id, url, parameter ? parameter : "-");
    for (int k = 0; k < x->nreports; k++)
        if (strcmp(x->reports[k], key) == 0)
            return true;
    return false;
}

static const char *const fake_pages[] = {"http://t/g/list", "http://t/g2/list"};

FAKE_WEAK kw_rc web_pages_each(web_ctx *x, kw_rc (*fn)(web_ctx *x, const web_page *pg, void *arg), void *arg)
{
    for (size_t k = 0; k < 2; k++) {
        web_response r;
        fake_answer(fake_pages[k], NULL, &r);
        web_page pg = {.url = fake_pages[k], .resp = &r};
        kw_rc rc = fn(x, &pg, arg);
        web_response_free(&r);
        if (rc != KW_OK)
            return rc;
    }
    return KW_OK;
}

FAKE_WEAK kw_rc web_refetch(web_ctx *x, const char *url, web_response *out)
{
    (void)x;
    return fake_answer(url, NULL, out);
}

FAKE_WEAK void web_marker(web_ctx *x, char *out, size_t n)
{
    snprintf(out, n + 1, "kw%0*d", (int)n - 2, ++x->marker_seq);
}

FAKE_WEAK bool web_pct_encode(const char *s, char *out, size_t outn)
{
    return snprintf(out, outn, "%s", s) < (int)outn;
}

FAKE_WEAK void web_excerpt(const char *h, size_t n, size_t at, size_t ctx, char *out, size_t outn)
{
    size_t s = at > ctx ? at - ctx : 0, e = at + ctx < n ? at + ctx : n;
    snprintf(out, outn, "%.*s", (int)(e - s), h + s);
}

/* ---- the runs ---- */

static int run_param(const web_check *c, web_ctx *x, const char *method, const char *path, const char *value,
                     unsigned profile)
{
    char url[128];
    snprintf(url, sizeof url, "http://t%s", path);
    web_param p = {.name = "v", .value = (char *)value, .where = method[0] == 'P' ? WEB_IN_FORM : WEB_IN_QUERY};
    web_target t = {.method = (char *)method, .url = url, .params = &p, .nparams = 1, .found_on = url};
    int before = fake_requests;
    CHECK_INT(c->per_param(x, &t, 0, profile), KW_OK);
    return fake_requests - before;
}

static bool reported(web_ctx *x, const char *id, const char *path)
{
    char url[128];
    snprintf(url, sizeof url, "http://t%s", path);
    return web_reported(x, id, url, "v");
}

static void test_xss_reflected(void)
{
    web_ctx x = {0};
    static const char *const vuln[] = {"/x/text", "/x/attr", "/x/js", "/x/href", "/x/textarea", "/x/onclick"};
    static const char *const safe[] = {"/x/text-safe", "/x/attr-safe", "/x/js-safe", "/x/json", "/s/safe",
                                       "/x/onclick-safe"};
    for (size_t k = 0; k < 6; k++) {
        int n = run_param(&web_check_xss, &x, "GET", vuln[k], "a", WEB_QUICK);
        CHECK(n <= 4);
        if (!reported(&x, "KW-WEB-XSS-REFLECTED", vuln[k]))
            fprintf(stderr, "  missed %s\n", vuln[k]);
        CHECK(reported(&x, "KW-WEB-XSS-REFLECTED", vuln[k]));
    }
    for (size_t k = 0; k < 6; k++) {
        run_param(&web_check_xss, &x, "GET", safe[k], "a", WEB_QUICK);
        CHECK(!reported(&x, "KW-WEB-XSS-REFLECTED", safe[k]));
    }
    CHECK_INT(x.nreports, 6);
    CHECK_CONTAINS(x.evidence[5], "event handler");
    CHECK_CONTAINS(x.evidence[1], "double-quoted attribute of <input value>");
    CHECK_CONTAINS(x.evidence[3], "javascript:");
    fake_finish(&x, WEB_QUICK);
}

static void test_xss_stored(void)
{
    web_ctx x = {0};
    memset(fake_store, 0, sizeof fake_store);
    run_param(&web_check_xss, &x, "POST", "/g/post", "", WEB_STANDARD);
    run_param(&web_check_xss, &x, "POST", "/g2/post", "", WEB_STANDARD);
    CHECK_INT(x.nreports, 0);
    CHECK(x.slot[0] != NULL);
    fake_finish(&x, WEB_STANDARD);
    CHECK_INT(x.nreports, 1);
    CHECK_STR(x.reports[0], "KW-WEB-XSS-STORED http://t/g/list v");
    CHECK_CONTAINS(x.evidence[0], "of the form POST http://t/g/post");
}

/* A value kept in one slot is overwritten by the next submission (here the SQL injection
 * check's): it is looked for at once, on the parent of the form's action. */
static void test_xss_stored_one_slot(void)
{
    web_ctx x = {0};
    memset(fake_store, 0, sizeof fake_store); /* markers repeat from one test's context to the next */
    run_param(&web_check_xss, &x, "POST", "/p/edit", "", WEB_STANDARD);
    run_param(&web_check_sqli, &x, "POST", "/p/edit", "", WEB_QUICK);
    fake_finish(&x, WEB_STANDARD);
    CHECK_INT(x.nreports, 1);
    CHECK_STR(x.reports[0], "KW-WEB-XSS-STORED http://t/p v");
}

static void test_sqli(void)
{
    web_ctx x = {0};
    int n = run_param(&web_check_sqli, &x, "GET", "/s/err", "1", WEB_STANDARD);
    CHECK(reported(&x, "KW-WEB-SQLI-ERROR", "/s/err"));
    CHECK_INT(n, 2);
    CHECK_CONTAINS(x.evidence[0], "MySQL/MariaDB error signature");
    n = run_param(&web_check_sqli, &x, "GET", "/s/bool", "1", WEB_STANDARD);
    CHECK(reported(&x, "KW-WEB-SQLI-BOOLEAN", "/s/bool"));
    CHECK(n <= 9);
    run_param(&web_check_sqli, &x, "GET", "/s/bool-str", "1", WEB_STANDARD);
    CHECK(reported(&x, "KW-WEB-SQLI-BOOLEAN", "/s/bool-str"));
    /* a form field with no value: the numeric forms go after "1" */
    web_ctx e = {0};
    run_param(&web_check_sqli, &e, "GET", "/s/bool", "", WEB_STANDARD);
    CHECK_INT(e.nreports, 1);
    CHECK_CONTAINS(e.evidence[0], "[1 AND 5=5]");
    fake_finish(&e, WEB_STANDARD);
    run_param(&web_check_sqli, &x, "GET", "/s/time", "1", WEB_STANDARD);
    CHECK(reported(&x, "KW-WEB-SQLI-TIME", "/s/time"));
    run_param(&web_check_sqli, &x, "GET", "/s/loop", "1", WEB_STANDARD);
    CHECK(reported(&x, "KW-WEB-SQLI-TIME", "/s/loop"));
    int before = x.nreports;
    n = run_param(&web_check_sqli, &x, "GET", "/s/safe", "1", WEB_STANDARD);
    run_param(&web_check_sqli, &x, "GET", "/s/noisy", "1", WEB_STANDARD);
    run_param(&web_check_sqli, &x, "GET", "/x/attr-safe", "1", WEB_STANDARD);
    /* a page the value does not change: two baselines, one breaker, no boolean pairs, one
     * first delay per database */
    CHECK_INT(run_param(&web_check_sqli, &x, "GET", "/x/text-safe", "a", WEB_STANDARD), 7);
    CHECK_INT(x.nreports, before);
    CHECK(n <= 26); /* a page that changes with any input costs both conditions of each form */
    /* a recheck replays each proof request: the value already carries the payload */
    static const struct { const char *path, *value, *id; } again[] = {
        {"/s/err", "1'\"", "KW-WEB-SQLI-ERROR"},
        {"/s/bool", "1 AND 7=8", "KW-WEB-SQLI-BOOLEAN"},
        {"/s/time", "1 AND (SELECT 1 FROM (SELECT SLEEP(4))kw)", "KW-WEB-SQLI-TIME"},
        {"/s/loop", "1||(WITH RECURSIVE kw(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM kw WHERE n<20000000) SELECT "
                    "COUNT(*) FROM kw)", "KW-WEB-SQLI-TIME"},
    };
    for (size_t k = 0; k < sizeof again / sizeof *again; k++) {
        web_ctx r = {0};
        run_param(&web_check_sqli, &r, "GET", again[k].path, again[k].value, WEB_THOROUGH);
        CHECK(reported(&r, again[k].id, again[k].path));
        fake_finish(&r, WEB_THOROUGH);
    }
    /* quick: error-based only */
    web_ctx q = {0};
    run_param(&web_check_sqli, &q, "GET", "/s/bool", "1", WEB_QUICK);
    CHECK_INT(q.nreports, 0);
    fake_finish(&q, WEB_QUICK);
    for (int k = 0; k < x.nreports; k++)
        fprintf(stderr, "  %s: %s\n", x.reports[k], x.evidence[k]);
    fake_finish(&x, WEB_STANDARD);
}

int main(void)
{
    RUN(test_xss_reflected);
    RUN(test_xss_stored);
    RUN(test_xss_stored_one_slot);
    RUN(test_sqli);
    TEST_MAIN_END();
}
