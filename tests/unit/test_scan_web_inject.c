/* Unit tests of the web scanner's injection checks (scan_web_inject_*.c): the pure proofs (file
 * signatures, computed markers, redirect targets, refresh values, parameter kinds, timings), then
 * each check's logic run against simulated sites through a fake inj_io: a vulnerable page of each
 * kind is reported once with its proof, and its safe look-alike (an escaped reflection, a page
 * that always holds the text, a slow page, a relative redirect, a raw echo of the template) is not,
 * in a bounded number of requests. The simulated answers are written here; the passwd and win.ini
 * lines are the stock contents of Debian's base-passwd and of a Windows 10 install. */
#include "kw_test.h"

#include <stdlib.h>

#include "core/kw_mem.h"
#include "scan/scan_web_inject.h"

#define LEN(s) (sizeof(s) - 1)
#define INJ_UP_TEST "../../../../../../../../"

static const char passwd_text[] = "root:x:0:0:root:/root:/bin/bash\n"
                                  "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                                  "bin:x:2:2:bin:/bin:/usr/sbin/nologin\n";
static const char winini_text[] = "; for 16-bit app support\r\n[fonts]\r\n[extensions]\r\n[mci extensions]\r\n"
                                  "[files]\r\n[Mail]\r\nMAPI=1\r\n";

/* ---- pure proofs ---- */

static void test_file_signatures(void)
{
    size_t at = 99;
    char page[256];
    snprintf(page, sizeof page, "<html><pre>%s</pre></html>", passwd_text);
    CHECK_INT(inj_file_sig(page, strlen(page), &at), INJ_FILE_PASSWD);
    CHECK_INT(at, 11);
    const char bsd[] = "root:*:0:0:Charlie &:/root:/bin/csh\ntoor:*:0:0:Bourne-again Superuser:/root:\n";
    CHECK_INT(inj_file_sig(bsd, LEN(bsd), &at), INJ_FILE_PASSWD);
    const char json[] = "{\"text\":\"root:x:0:0:root:/root:/bin/bash\\nbin:x:2:2:bin:/bin:/usr/sbin/nologin\"}";
    CHECK_INT(inj_file_sig(json, LEN(json), &at), INJ_FILE_PASSWD);
    CHECK_INT(at, 9);
    CHECK_INT(inj_file_sig(winini_text, LEN(winini_text), &at), INJ_FILE_WININI);
    CHECK_INT(inj_file_sig("[Fonts]\n[Extensions]\n", 21, &at), INJ_FILE_WININI);
    /* look-alikes: a reflected payload, another user, "chroot:", a cut line, fonts alone */
    static const char *const no[] = {"File ../../../../etc/passwd not found", "root:x:1000:1000:me:/home",
                                     "chroot:x:0:0:", "root:x:0:0", "[fonts] only", "root:\n:0:0:",
                                     "Example: root:x:0:0:root:/root:/bin/bash (one line)",
                                     "root:x:0:0:root:/root:/bin/bash\nnot a passwd line", NULL};
    for (size_t k = 0; no[k]; k++)
        CHECK_INT(inj_file_sig(no[k], strlen(no[k]), &at), INJ_FILE_NONE);
    CHECK_INT(inj_file_sig(NULL, 0, &at), INJ_FILE_NONE);
    CHECK_STR(inj_file_name(INJ_FILE_PASSWD), "/etc/passwd");
    CHECK_INT(inj_php_source_sig("x PD9waHAKZWNobyAx", 18, &at), INJ_FILE_PHPSRC);
    CHECK_INT(at, 2);
    CHECK_INT(inj_php_source_sig("xPD9waHA", 8, &at), INJ_FILE_NONE);
    CHECK_INT(inj_php_source_sig("<?php echo 1;", 13, &at), INJ_FILE_NONE);
}

static void test_marker_product(void)
{
    size_t at = 0;
    const char out[] = "PING 127.0.0.1\nkwAb12cd32677\n";
    CHECK(inj_marker_product(out, LEN(out), "kwAb12cd", 32677, 4, &at));
    CHECK_INT(at, 15);
    const char win[] = "kwAb12cd\r\n32677";
    CHECK(inj_marker_product(win, LEN(win), "kwAb12cd", 32677, 4, &at));
    CHECK(!inj_marker_product(win, LEN(win), "kwAb12cd", 32677, 0, &at));
    const char refl[] = "You typed 127.0.0.1;sleep 2;echo kwAb12cd$((41*797))";
    CHECK(!inj_marker_product(refl, LEN(refl), "kwAb12cd", 32677, 4, &at));
    const char longer[] = "kwAb12cd326770 kwAb12cd3267";
    CHECK(!inj_marker_product(longer, LEN(longer), "kwAb12cd", 32677, 4, &at));
    const char second[] = "kwAb12cd$((41*797)) then kwAb12cd32677";
    CHECK(inj_marker_product(second, LEN(second), "kwAb12cd", 32677, 4, &at));
    CHECK_INT(at, 25);
    /* the body ends right after the number; and a cut number */
    CHECK(inj_marker_product("xkwQ1337", 8, "kwQ", 1337, 0, &at));
    CHECK(!inj_marker_product("xkwQ133", 7, "kwQ", 1337, 0, &at));
}

static void test_url_host(void)
{
    static const char *const yes[] = {"http://kw-redirect-probe.invalid/", "https://KW-Redirect-Probe.invalid",
                                      "//kw-redirect-probe.invalid/x", "/\\kw-redirect-probe.invalid/",
                                      "\\\\kw-redirect-probe.invalid", "  http://kw-redirect-probe.invalid:8080/",
                                      "http://127.0.0.1@kw-redirect-probe.invalid/", "http:///kw-redirect-probe.invalid/",
                                      "http://127.0.0.1.kw-redirect-probe.invalid/", "http://kw-redirect-probe.invalid./",
                                      "http://kw-redirect-probe.invalid\\@127.0.0.1/", "//kw-redirect-%70robe.invalid",
                                      "ht\ttp://kw-redirect-probe.invalid/", NULL};
    static const char *const no[] = {"/login?next=http://kw-redirect-probe.invalid/",
                                     "http://127.0.0.1/?u=//kw-redirect-probe.invalid/",
                                     "kw-redirect-probe.invalid/", "/kw-redirect-probe.invalid",
                                     "http://kw-redirect-probe.invalid.example.com/", "javascript://kw-redirect-probe.invalid/",
                                     "http:kw-redirect-probe.invalid", "http://xkw-redirect-probe.invalid/",
                                     "http://[::1]/", "", NULL};
    for (size_t k = 0; yes[k]; k++)
        if (!inj_url_host_is(yes[k], strlen(yes[k]), INJ_PROBE_HOST))
            CHECK_STR(yes[k], "(should name the probe host)");
    for (size_t k = 0; no[k]; k++)
        if (inj_url_host_is(no[k], strlen(no[k]), INJ_PROBE_HOST))
            CHECK_STR(no[k], "(should not name the probe host)");
}

static void test_refresh_url(void)
{
    const char *u = NULL;
    size_t n = 0;
    const char a[] = "0; url=http://x.test/a";
    CHECK(inj_refresh_url(a, LEN(a), &u, &n));
    CHECK_INT(n, 15);
    CHECK(u && memcmp(u, "http://x.test/a", 15) == 0);
    const char b[] = "5;URL='//x.test/' ";
    CHECK(inj_refresh_url(b, LEN(b), &u, &n));
    CHECK(u && n == 9 && memcmp(u, "//x.test/", 9) == 0);
    const char c[] = "3, /next";
    CHECK(inj_refresh_url(c, LEN(c), &u, &n));
    CHECK(u && n == 5 && memcmp(u, "/next", 5) == 0);
    CHECK(!inj_refresh_url("10", 2, &u, &n));
    CHECK(!inj_refresh_url("1; url=", 7, &u, &n));
}

static void test_body_redirect(void)
{
    size_t at = 0;
    const char meta[] = "<html><head><META HTTP-EQUIV=\"Refresh\" CONTENT=\"0;URL=//kw-redirect-probe.invalid/\">";
    CHECK_STR(inj_body_redirect(meta, LEN(meta), INJ_PROBE_HOST, &at), "meta refresh");
    CHECK_INT(at, 12);
    const char js[] = "<script>window.location.href = 'http:\\/\\/kw-redirect-probe.invalid\\/';</script>";
    CHECK_STR(inj_body_redirect(js, LEN(js), INJ_PROBE_HOST, &at), "script location");
    const char rep[] = "<script>document.location.replace( \"\\x2f\\x2fkw-redirect-probe.invalid\")</script>";
    CHECK_STR(inj_body_redirect(rep, LEN(rep), INJ_PROBE_HOST, &at), "script location");
    static const char *const no[] = {
        "<a href=\"http://kw-redirect-probe.invalid/\">go on</a>",
        "<script>location.href = '/out?to=http://kw-redirect-probe.invalid/'</script>",
        "<script>if (location == 'http://kw-redirect-probe.invalid/') x()</script>",
        "<script>var mylocation = 'http://kw-redirect-probe.invalid/'</script>",
        "<meta name=\"description\" content=\"0;url=http://kw-redirect-probe.invalid/\">",
        "<meta http-equiv=\"refresh\" content=\"0;url=/home\"> http://kw-redirect-probe.invalid/",
        "<script>location = 'http://kw-redirect-probe.invalid/", /* never closed */
        NULL};
    for (size_t k = 0; no[k]; k++)
        if (inj_body_redirect(no[k], strlen(no[k]), INJ_PROBE_HOST, &at))
            CHECK_STR(no[k], "(should not be a redirect to the probe host)");
}

static void test_param_kinds(void)
{
    web_param p = {.name = "page", .value = "home"};
    CHECK(inj_param_fileish(&p));
    p = (web_param){.name = "q", .value = "docs/intro.txt"};
    CHECK(inj_param_fileish(&p));
    p = (web_param){.name = "q", .value = "report.pdf"};
    CHECK(inj_param_fileish(&p));
    p = (web_param){.name = "ip", .value = "127.0.0.1"};
    CHECK(!inj_param_fileish(&p));
    p = (web_param){.name = "q", .value = "3.14"};
    CHECK(!inj_param_fileish(&p));
    p = (web_param){.name = "login", .value = "me@example.com"};
    CHECK(!inj_param_fileish(&p));
    p = (web_param){.name = "redirect", .value = ""};
    CHECK(!inj_param_fileish(&p));
    p = (web_param){.name = "templateName", .value = ""};
    CHECK(inj_param_fileish(&p));
    p = (web_param){.name = "returnUrl", .value = ""};
    CHECK(inj_param_urlish(&p));
    p = (web_param){.name = "to", .value = "x"};
    CHECK(inj_param_urlish(&p));
    p = (web_param){.name = "topic", .value = "x"};
    CHECK(!inj_param_urlish(&p));
    p = (web_param){.name = "q", .value = "https://example.com/"};
    CHECK(inj_param_urlish(&p));
    p = (web_param){.name = "q", .value = "hello"};
    CHECK(!inj_param_urlish(&p));
}

static void test_value_ours(void)
{
    static const char *const yes[] = {"../../etc/passwd", "c:\\windows\\win.ini", "x;echo kw1$((41*797))$(sleep 4)",
                                      "http://kw-redirect-probe.invalid/", "bobkw2a{{13*61}}", "php://filter/x", NULL};
    static const char *const no[] = {"", "127.0.0.1", "/catalog?q=", "Happy birthday", "{a}", NULL};
    for (size_t k = 0; yes[k]; k++)
        if (!inj_value_ours(yes[k]))
            CHECK_STR(yes[k], "(should be ours)");
    for (size_t k = 0; no[k]; k++)
        if (inj_value_ours(no[k]))
            CHECK_STR(no[k], "(should not be ours)");
    CHECK(!inj_value_ours(NULL));
}

static void test_timing(void)
{
    CHECK(inj_timing_proof(20000, 2050000, 2, 5040000, 5));
    CHECK(!inj_timing_proof(20000, 2050000, 2, 2100000, 5));  /* the longer sleep did not delay longer */
    CHECK(!inj_timing_proof(20000, 1000000, 2, 5040000, 5));  /* the first too short */
    CHECK(!inj_timing_proof(3000000, 3100000, 2, 3200000, 5)); /* a slow page, slow always */
    CHECK(!inj_timing_proof(0, 2000000, 2, 5000000, 2));
}

/* ---- a simulated site behind a fake inj_io ---- */

typedef enum site_kind {
    SITE_ECHO_ESCAPED,               /* reflects the value, HTML-escaped: safe everywhere */
    SITE_TRAV_READ,                  /* reads the file the value names (relative to /var/www/files) */
    SITE_TRAV_STRIP,                 /* the same after removing "../" once (str_replace), never absolute */
    SITE_TRAV_ALWAYS,                /* a page about passwd that always shows a sample of two lines */
    SITE_TRAV_WIN,                   /* a Windows server reading the file */
    SITE_TRAV_PHP,                   /* include($value . ".php"): only php://filter reads back */
    SITE_CMD_OUTPUT,                 /* runs "ping -c 1 VALUE" in sh, shows stdout */
    SITE_CMD_NOSEMI,                 /* the same with ';' and newlines removed first */
    SITE_CMD_NOSUBST,                /* ';', '|', '&', '$', parentheses, backticks removed (not \n) */
    SITE_CMD_BLIND,                  /* runs it and shows nothing */
    SITE_CMD_SLOW,                   /* takes 3 s whatever it is given */
    SITE_CMD_TIMED,                  /* a safe page whose answers take the times g_site.times says */
    SITE_REDIR_OPEN,                 /* 302 to the value */
    SITE_REDIR_JS,                   /* a page whose script sets location to the value */
    SITE_REDIR_SAFE,                 /* 302 to /login?next=VALUE (stays on the site) */
    SITE_SSTI_JINJA,                 /* renders the value as a Jinja2 template */
    SITE_SSTI_MAKO,                  /* renders ${}: and fails (500) on "<%" */
    SITE_SSTI_RAW,                   /* echoes the template unrendered */
} site_kind;

typedef struct fake_site {
    site_kind kind;
    int requests;
    int reports;
    char last_id[64], last_param[64], last_detail[512];
    int markers;
    const int64_t *times;            /* SITE_CMD_TIMED: the n-th answer's time (the last repeats) */
    size_t ntimes;
} fake_site;

static fake_site g_site;

static kw_rc fake_build(const web_target *t, size_t i, const char *payload, web_mut mode, web_built *out)
{
    memset(out, 0, sizeof *out);
    char v[2048];
    if (i == (size_t)-1)
        snprintf(v, sizeof v, "%s", t->params[0].value);
    else
        snprintf(v, sizeof v, "%s%s", mode == WEB_MUT_APPEND ? t->params[i].value : "", payload);
    size_t n = strlen(t->url) + strlen(v) + 8;
    out->url = kw_malloc(n);
    snprintf(out->url, n, "%s?p=%s", t->url, v);
    out->rq.url = out->url;
    out->rq.method = "GET";
    return KW_OK;
}

static void fake_built_free(web_built *b)
{
    free(b->url);
    memset(b, 0, sizeof *b);
}

static void fake_response_free(web_response *r)
{
    free(r->body);
    free(r->headers);
    memset(r, 0, sizeof *r);
}

static void answer(web_response *r, long status, const char *hdrs, const char *body)
{
    r->status = status;
    r->headers = kw_strdup(hdrs);
    r->hlen = strlen(hdrs);
    r->body = kw_strdup(body);
    r->len = strlen(body);
    r->elapsed_us = 10000;
}

/* Replaces every "from" in s by "to", in place (s has room: to is never longer than from). */
static void replace_all(char *s, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to);
    for (char *p = strstr(s, from); p; p = strstr(p + tl, from)) {
        memmove(p + tl, p + fl, strlen(p + fl) + 1);
        memcpy(p, to, tl);
    }
}

/* What sh would make of "ping -c 1 V": each sleep after a separator, "$(" or a backtick sleeps; an
 * echo after a separator prints the rest, $((41*797)) expanded and $(sleep N) gone; the seconds
 * slept. */
static int fake_shell(const char *v, char *out, size_t outn)
{
    const char *e = strstr(v, "echo ");
    int sleep_s = 0;
    for (const char *sl = strstr(v, "sleep "); sl; sl = strstr(sl + 6, "sleep "))
        sleep_s += sl > v && strchr(";|\n(`", sl[-1]) ? atoi(sl + 6) : 0;
    out[0] = '\0';
    if (e && e > v && strchr(";|\n", e[-1])) {
        snprintf(out, outn, "%s", e + 5);
        replace_all(out, "$((41*797))", "32677");
        replace_all(out, "expr 41 + 32636", "32677");
        replace_all(out, "$(sleep 2)", "");
    }
    return sleep_s;
}

static void fake_cmd(web_response *r, const char *v, site_kind kind)
{
    char clean[1024], out[1024], body[2200];
    snprintf(clean, sizeof clean, "%s", v);
    static const char *const strip_semi[] = {";", "\n", NULL};
    static const char *const strip_subst[] = {";", "|", "&", "$", "(", ")", "`", NULL};
    const char *const *strip = kind == SITE_CMD_NOSEMI ? strip_semi : kind == SITE_CMD_NOSUBST ? strip_subst : NULL;
    for (size_t k = 0; strip && strip[k]; k++)
        replace_all(clean, strip[k], "");
    int s = fake_shell(clean, out, sizeof out);
    snprintf(body, sizeof body, "<pre>PING 127.0.0.1\n%s</pre>", kind == SITE_CMD_BLIND ? "" : out);
    answer(r, 200, "Content-Type: text/html\r\n", body);
    r->elapsed_us = 10000 + (int64_t)s * 1000000;
}

static void fake_trav(web_response *r, const char *v, site_kind kind)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", v);
    if (kind == SITE_TRAV_STRIP)
        replace_all(path, "../", "");
    bool absolute = path[0] == '/' && kind != SITE_TRAV_STRIP; /* that one keeps it under its directory */
    bool unix_hit = strstr(path, "etc/passwd") && (absolute || strstr(path, "../../../"));
    bool win_hit = strstr(path, "win.ini") && (strstr(path, "..\\..\\") || strncmp(path, "c:\\", 3) == 0);
    if (kind == SITE_TRAV_PHP && strcmp(path, "php://filter/convert.base64-encode/resource=about") == 0)
        answer(r, 200, "", "<div>PD9waHAgZWNobyAxOyA/Pg==</div>"); /* base64 of "<?php echo 1; ?>" */
    else if (kind == SITE_TRAV_ALWAYS)
        answer(r, 200, "", "<p>A passwd file looks like</p><pre>root:x:0:0:root:/root:/bin/bash\n"
                           "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin</pre>");
    else if (kind == SITE_TRAV_WIN ? win_hit : unix_hit && kind != SITE_TRAV_PHP)
        answer(r, 200, "", kind == SITE_TRAV_WIN ? winini_text : passwd_text);
    else
        answer(r, 404, "", "<p>no such document</p>");
}

static void fake_redirect(web_response *r, const char *v, site_kind kind)
{
    char h[1200], body[1400];
    if (kind == SITE_REDIR_JS) {
        snprintf(body, sizeof body, "<script>window.location = \"%s\";</script>", v);
        answer(r, 200, "Content-Type: text/html\r\n", body);
        return;
    }
    snprintf(h, sizeof h, "Location: %s%s\r\n", kind == SITE_REDIR_SAFE ? "/login?next=" : "", v);
    answer(r, 302, h, "");
}

/* A Jinja-ish renderer: {{A*B}} with numbers, {{7*'7'}}; Mako-ish: ${A*B}, a 500 on "<%". */
static void fake_ssti(web_response *r, const char *v, site_kind kind)
{
    char out[2048], body[2200];
    snprintf(out, sizeof out, "%s", v);
    const char *open = kind == SITE_SSTI_JINJA ? "{{" : "${", *close = kind == SITE_SSTI_JINJA ? "}}" : "}";
    if (kind == SITE_SSTI_MAKO && strstr(v, "<%")) {
        answer(r, 500, "", "SyntaxException");
        return;
    }
    for (char *p = strstr(out, open); kind != SITE_SSTI_RAW && p; p = strstr(p + 1, open)) {
        char *q = strstr(p, close), val[32];
        int a, b;
        if (!q)
            break;
        if (sscanf(p + 2, "%d*%d", &a, &b) == 2)
            snprintf(val, sizeof val, "%d", a * b);
        else if (strncmp(p + 2, "7*'7'", 5) == 0)
            snprintf(val, sizeof val, "7777777");
        else
            continue;
        memmove(p + strlen(val), q + strlen(close), strlen(q + strlen(close)) + 1);
        memcpy(p, val, strlen(val));
    }
    snprintf(body, sizeof body, "<p>Hello %s</p>", out);
    answer(r, 200, "Content-Type: text/html\r\n", body);
}

static kw_rc fake_send(web_ctx *x, const web_request *rq, web_response *out)
{
    (void)x;
    memset(out, 0, sizeof *out);
    g_site.requests++;
    const char *v = strstr(rq->url, "?p=") + 3;
    switch (g_site.kind) {
    case SITE_TRAV_READ: case SITE_TRAV_STRIP: case SITE_TRAV_ALWAYS: case SITE_TRAV_WIN: case SITE_TRAV_PHP:
        fake_trav(out, v, g_site.kind);
        break;
    case SITE_CMD_OUTPUT: case SITE_CMD_NOSEMI: case SITE_CMD_NOSUBST: case SITE_CMD_BLIND:
        fake_cmd(out, v, g_site.kind);
        break;
    case SITE_CMD_SLOW:
        answer(out, 200, "", "<p>pinged</p>");
        out->elapsed_us = 3000000;
        break;
    case SITE_CMD_TIMED: {
        size_t k = (size_t)g_site.requests - 1;
        answer(out, 200, "", "<p>pinged</p>");
        out->elapsed_us = g_site.times[k < g_site.ntimes ? k : g_site.ntimes - 1];
        break;
    }
    case SITE_REDIR_OPEN: case SITE_REDIR_JS: case SITE_REDIR_SAFE:
        fake_redirect(out, v, g_site.kind);
        break;
    case SITE_SSTI_JINJA: case SITE_SSTI_MAKO: case SITE_SSTI_RAW:
        fake_ssti(out, v, g_site.kind);
        break;
    default: {
        char esc[2048];
        snprintf(esc, sizeof esc, "%s", v);
        replace_all(esc, "<", "");
        answer(out, 200, "", esc);
    }
    }
    return out->rc = KW_OK;
}

static const char *fake_header(const web_response *r, const char *name, size_t *len, const char **from)
{
    (void)from;
    size_t nl = strlen(name);
    for (const char *p = r->headers; p && *p;) {
        const char *e = strstr(p, "\r\n");
        if (!e)
            break;
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            *len = (size_t)(e - v);
            return v;
        }
        p = e + 2;
    }
    return NULL;
}

static bool fake_stopping(web_ctx *x)
{
    (void)x;
    return false;
}

static kw_rc fake_report(web_ctx *x, const web_issue *is)
{
    (void)x;
    g_site.reports++;
    snprintf(g_site.last_id, sizeof g_site.last_id, "%s", is->check_id);
    snprintf(g_site.last_param, sizeof g_site.last_param, "%s", is->parameter);
    snprintf(g_site.last_detail, sizeof g_site.last_detail, "%s", is->detail);
    CHECK(is->proof && is->proof->url);
    CHECK(is->answer && is->answer_len > 0);
    CHECK(is->advice_en && is->advice_zh && is->cwe && is->category && is->title_zh);
    return KW_OK;
}

static bool fake_reported(web_ctx *x, const char *id, const char *url, const char *param)
{
    (void)x, (void)id, (void)url, (void)param;
    return false;
}

static void fake_marker(web_ctx *x, char *out, size_t n)
{
    (void)x;
    snprintf(out, n + 1, "kw%06d", ++g_site.markers);
}

static void fake_excerpt(const char *h, size_t n, size_t at, size_t ctx, char *out, size_t outn)
{
    size_t a = at > ctx ? at - ctx : 0, e = at + ctx < n ? at + ctx : n;
    snprintf(out, outn, "%.*s", (int)(e - a), h + a);
}

static const inj_io fake_io = {fake_send, fake_response_free, fake_build, fake_built_free, fake_header,
                               fake_stopping, fake_report, fake_reported, fake_marker, fake_excerpt};

typedef kw_rc (*run_fn)(const inj_io *, web_ctx *, const web_target *, size_t, unsigned);

/* Runs fn on parameter p=value of a GET shape of the simulated site kind; the reports made. */
static int run_on(run_fn fn, site_kind kind, const char *name, const char *value, unsigned profile)
{
    web_param p = {.name = (char *)name, .value = (char *)value, .where = WEB_IN_QUERY};
    web_target t = {.method = "GET", .url = "http://127.0.0.1:8080/page", .params = &p, .nparams = 1};
    const int64_t *times = g_site.times;
    size_t ntimes = g_site.ntimes;
    memset(&g_site, 0, sizeof g_site);
    g_site.kind = kind;
    g_site.times = times, g_site.ntimes = ntimes;
    CHECK_INT(fn(&fake_io, NULL, &t, 0, profile), KW_OK);
    return g_site.reports;
}

static void test_traversal_sites(void)
{
    CHECK_INT(run_on(inj_traversal_run, SITE_TRAV_READ, "doc", "intro.txt", WEB_STANDARD), 1);
    CHECK_STR(g_site.last_id, "KW-WEB-TRAVERSAL");
    CHECK_STR(g_site.last_param, "doc");
    CHECK_CONTAINS(g_site.last_detail, "/etc/passwd");
    CHECK_INT(g_site.requests, 2); /* the first payload and the baseline */
    CHECK_INT(run_on(inj_traversal_run, SITE_TRAV_STRIP, "file", "a.txt", WEB_STANDARD), 1);
    CHECK_INT(run_on(inj_traversal_run, SITE_TRAV_WIN, "file", "a.txt", WEB_STANDARD), 1);
    CHECK_CONTAINS(g_site.last_detail, "win.ini");
    /* a parameter not named like a file gets the one absolute climb only */
    CHECK_INT(run_on(inj_traversal_run, SITE_TRAV_WIN, "q", "hello", WEB_STANDARD), 0);
    CHECK_INT(g_site.requests, 1);
    CHECK_INT(run_on(inj_traversal_run, SITE_TRAV_READ, "q", "hello", WEB_STANDARD), 1);
    CHECK_INT(g_site.requests, 2);
    CHECK_INT(run_on(inj_traversal_run, SITE_TRAV_ALWAYS, "file", "a.txt", WEB_THOROUGH), 0);
    CHECK_INT(g_site.requests, 2); /* the page holds it anyway: stop at the baseline */
    CHECK_INT(run_on(inj_traversal_run, SITE_TRAV_PHP, "page", "about", WEB_STANDARD), 1);
    CHECK_CONTAINS(g_site.last_detail, "php://filter");
    CHECK_INT(g_site.requests, 9); /* 2 core, 5 more, php://filter, the baseline */
    CHECK_INT(run_on(inj_traversal_run, SITE_ECHO_ESCAPED, "file", "docs/a.txt", WEB_STANDARD), 0);
    CHECK_INT(g_site.requests, 9);
}

/* A recheck replays the proof: the value seen is the payload, so the page as seen is no baseline. */
static void test_recheck_values(void)
{
    CHECK_INT(run_on(inj_traversal_run, SITE_TRAV_READ, "doc", INJ_UP_TEST "etc/passwd", WEB_THOROUGH), 1);
    CHECK_INT(run_on(inj_cmdi_run, SITE_CMD_BLIND, "ip", "127.0.0.1;echo kw000009$((41*797))$(sleep 4)", WEB_THOROUGH), 1);
    CHECK_CONTAINS(g_site.last_detail, "sleep 2 and sleep 4");
    CHECK_INT(run_on(inj_ssti_run, SITE_SSTI_JINJA, "name", "bobkw000009a{{13*61}}", WEB_THOROUGH), 1);
    CHECK_INT(run_on(inj_redirect_run, SITE_REDIR_OPEN, "next", "http://" INJ_PROBE_HOST "/", WEB_THOROUGH), 1);
}

static void test_cmdi_sites(void)
{
    CHECK_INT(run_on(inj_cmdi_run, SITE_CMD_OUTPUT, "ip", "127.0.0.1", WEB_STANDARD), 1);
    CHECK_STR(g_site.last_id, "KW-WEB-CMDI");
    CHECK_CONTAINS(g_site.last_detail, "32677");
    CHECK_INT(g_site.requests, 1);
    /* no separator left: the substitution still sleeps (probe, baseline, longer probe, baseline) */
    CHECK_INT(run_on(inj_cmdi_run, SITE_CMD_NOSEMI, "ip", "127.0.0.1", WEB_STANDARD), 1);
    CHECK_CONTAINS(g_site.last_detail, "sleep 2 and sleep 4");
    CHECK_INT(g_site.requests, 4);
    /* no separator or substitution but the newline: expr computes the number */
    CHECK_INT(run_on(inj_cmdi_run, SITE_CMD_NOSUBST, "ip", "127.0.0.1", WEB_STANDARD), 1);
    CHECK_CONTAINS(g_site.last_detail, "expr 41 + 32636");
    CHECK_INT(g_site.requests, 2);
    CHECK_INT(run_on(inj_cmdi_run, SITE_CMD_BLIND, "ip", "127.0.0.1", WEB_STANDARD), 1);
    CHECK_CONTAINS(g_site.last_detail, "sleep 2 and sleep 4");
    CHECK_INT(g_site.requests, 4); /* probe, baseline, longer probe, baseline again */
    CHECK_INT(run_on(inj_cmdi_run, SITE_CMD_SLOW, "ip", "127.0.0.1", WEB_STANDARD), 0);
    /* one slow answer by chance: the longer sleep is not longer */
    static const int64_t once[] = {2500000, 10000};
    g_site.times = once, g_site.ntimes = 2;
    CHECK_INT(run_on(inj_cmdi_run, SITE_CMD_TIMED, "ip", "127.0.0.1", WEB_STANDARD), 0);
    /* a site getting slower and slower: the baseline is slow too afterwards */
    static const int64_t loaded[] = {2000000, 10000, 5200000, 5200000};
    g_site.times = loaded, g_site.ntimes = 4;
    CHECK_INT(run_on(inj_cmdi_run, SITE_CMD_TIMED, "ip", "127.0.0.1", WEB_STANDARD), 0);
    g_site.times = NULL, g_site.ntimes = 0;
    CHECK_INT(run_on(inj_cmdi_run, SITE_ECHO_ESCAPED, "ip", "127.0.0.1", WEB_STANDARD), 0);
    CHECK_INT(g_site.requests, 2);
    CHECK_INT(run_on(inj_cmdi_run, SITE_ECHO_ESCAPED, "ip", "127.0.0.1", WEB_THOROUGH), 0);
    CHECK_INT(g_site.requests, 9);
}

static void test_redirect_sites(void)
{
    CHECK_INT(run_on(inj_redirect_run, SITE_REDIR_OPEN, "next", "/home", WEB_STANDARD), 1);
    CHECK_STR(g_site.last_id, "KW-WEB-REDIRECT");
    CHECK_CONTAINS(g_site.last_detail, "Location header");
    CHECK_INT(g_site.requests, 1);
    CHECK_INT(run_on(inj_redirect_run, SITE_REDIR_JS, "url", "", WEB_STANDARD), 1);
    CHECK_CONTAINS(g_site.last_detail, "script location");
    CHECK_INT(run_on(inj_redirect_run, SITE_REDIR_SAFE, "next", "/home", WEB_THOROUGH), 0);
    CHECK_INT(g_site.requests, 6);
    /* not a redirect-looking parameter: untouched below thorough */
    CHECK_INT(run_on(inj_redirect_run, SITE_REDIR_OPEN, "q", "hello", WEB_STANDARD), 0);
    CHECK_INT(g_site.requests, 0);
    CHECK_INT(run_on(inj_redirect_run, SITE_REDIR_OPEN, "q", "hello", WEB_THOROUGH), 1);
}

static void test_ssti_sites(void)
{
    CHECK_INT(run_on(inj_ssti_run, SITE_SSTI_JINJA, "name", "bob", WEB_STANDARD), 1);
    CHECK_STR(g_site.last_id, "KW-WEB-SSTI");
    CHECK_CONTAINS(g_site.last_detail, "Jinja2");
    CHECK_CONTAINS(g_site.last_detail, "793");
    CHECK_INT(g_site.requests, 3);
    CHECK_INT(run_on(inj_ssti_run, SITE_SSTI_MAKO, "name", "bob", WEB_STANDARD), 1);
    CHECK_CONTAINS(g_site.last_detail, "${ }");
    CHECK_INT(run_on(inj_ssti_run, SITE_SSTI_RAW, "name", "bob", WEB_STANDARD), 0);
    CHECK_INT(g_site.requests, 1);
    CHECK_INT(run_on(inj_ssti_run, SITE_ECHO_ESCAPED, "name", "bob", WEB_THOROUGH), 0);
}

int main(void)
{
    RUN(test_file_signatures);
    RUN(test_marker_product);
    RUN(test_url_host);
    RUN(test_refresh_url);
    RUN(test_body_redirect);
    RUN(test_param_kinds);
    RUN(test_value_ours);
    RUN(test_timing);
    RUN(test_traversal_sites);
    RUN(test_cmdi_sites);
    RUN(test_redirect_sites);
    RUN(test_ssti_sites);
    RUN(test_recheck_values);
    TEST_MAIN_END();
}
