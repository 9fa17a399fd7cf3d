/* The server-side template injection check (KW-WEB-SSTI). One probe appends a product in each
 * common expression syntax, each behind the insertion point's marker and its own tag letter
 * (M"a{{7*97}}" M"b${7*97}" M"c<%= 7*97 %>" M"d#{7*97}"): a syntax that the server evaluates
 * shows its tag followed by 679, which neither the page as seen (the marker is new) nor a
 * reflection of the payload can (the products stay below 1000: an engine that groups digits by
 * locale, as FreeMarker prints "1,337", prints them plain). A second product in the same syntax
 * alone (13*61 -> 793) confirms before reporting, and {{7*'7'}} tells Python's engines (7777777)
 * from PHP's and JavaScript's (49). When the combined probe breaks the page (a 5xx the page as seen does not
 * give), or in the thorough profile, each syntax is tried alone, Smarty's and Razor's too. */
#include "scan/scan_web_inject.h"

#include <stdio.h>
#include <string.h>

static const inj_spec ssti_spec = {
    .check_id = "KW-WEB-SSTI",
    .category = "command_injection",
    .title = "Server-side template injection: a parameter is evaluated as template code",
    .title_zh = "服务端模板注入：参数被当作模板代码执行",
    .cwe = "CWE-1336",
    .severity = FINDING_HIGH,
    .advice_en = "Never build a template's source from request input: pass the input to a fixed "
                 "template as a variable (render(\"hello.html\", name=value)), so the engine only "
                 "prints it. Where users must write templates, use the engine's sandbox with the least "
                 "it allows, and keep the process from running commands or reading files.",
    .advice_zh = "不要用请求参数拼接模板源码：应把参数作为变量传给固定模板（如 "
                 "render(\"hello.html\", name=value)），让模板引擎只输出它。确需用户编写模板时，"
                 "使用引擎的沙箱并只开放最少的功能，并限制进程执行命令和读取文件。",
};

typedef struct ssti_syntax {
    char tag;
    const char *open, *close;
    const char *family;              /* who evaluates it, in words */
    bool alone;                      /* tried only alone (it would break the combined probe) */
} ssti_syntax;

static const ssti_syntax ssti_syntaxes[] = {
    {'a', "{{", "}}", "a {{ }} template engine (Jinja2, Twig, Nunjucks, Tornado, Pebble)", false},
    {'b', "${", "}", "a ${ } expression language (FreeMarker, Mako, Thymeleaf, Spring or JSP EL, "
                     "a JavaScript template literal)", false},
    {'c', "<%= ", " %>", "an embedded-code template (ERB, EJS)", false},
    {'d', "#{", "}", "a #{ } interpolation (Pug, Ruby, JSF EL, FreeMarker)", false},
    {'e', "{", "}", "Smarty", true},
    {'f', "@(", ")", "Razor", true},
};
#define SSTI_N (sizeof ssti_syntaxes / sizeof ssti_syntaxes[0])

#define SSTI_PROBE "7*97"            /* the first product, and what it gives */
#define SSTI_PROBE_V 679
#define SSTI_CONFIRM "13*61"         /* the second, sent alone in the syntax that evaluated */
#define SSTI_CONFIRM_V 793

typedef struct ssti_run {
    const inj_io *io;
    web_ctx *x;
    const web_target *t;
    size_t i;
    bool done;
} ssti_run;

/* marker, tag, then open a*b close, for each syntax of the combined probe (or just s). */
static void ssti_payload(const char *m, const ssti_syntax *s, const char *expr, char *out, size_t outn)
{
    size_t k = 0;
    out[0] = '\0';
    for (size_t j = 0; j < SSTI_N; j++) {
        const ssti_syntax *y = &ssti_syntaxes[j];
        if ((s && y != s) || (!s && y->alone))
            continue;
        int n = snprintf(out + k, outn - k, "%s%c%s%s%s", m, y->tag, y->open, expr, y->close);
        if (n < 0 || (size_t)n >= outn - k)
            return;
        k += (size_t)n;
    }
}

static kw_rc ssti_send(ssti_run *r, const ssti_syntax *s, const char *m, const char *expr, inj_probe *p)
{
    char payload[256];
    ssti_payload(m, s, expr, payload, sizeof payload);
    inj_send snd = {.i = r->i, .payload = payload, .mode = WEB_MUT_APPEND};
    kw_rc rc = inj_probe_send(r->io, r->x, r->t, &snd, p);
    if (rc == KW_ERR_RANGE || r->io->stopping(r->x))
        r->done = true;
    return rc;
}

/* p's answer shows marker m, tag, then value: the syntax evaluated; *at where. */
static bool ssti_shows(const inj_probe *p, const char *m, char tag, long value, size_t *at)
{
    char mt[40];
    snprintf(mt, sizeof mt, "%s%c", m, tag);
    return p->r.body && inj_marker_product(p->r.body, p->r.len, mt, value, 0, at);
}

/* For {{ }}: what 7*'7' gives names the language. */
static const char *ssti_flavour(ssti_run *r, const ssti_syntax *s)
{
    char m[16];
    inj_probe p = {0};
    size_t at;
    const char *f = s->family;
    r->io->marker(r->x, m, 8);
    if (s->tag == 'a' && ssti_send(r, s, m, "7*'7'", &p) == KW_OK) {
        if (ssti_shows(&p, m, s->tag, 7777777, &at))
            f = "Jinja2 or Tornado (Python): {{7*'7'}} gave 7777777";
        else if (ssti_shows(&p, m, s->tag, 49, &at))
            f = "Twig (PHP) or Nunjucks (JavaScript): {{7*'7'}} gave 49";
    }
    inj_probe_free(r->io, &p);
    return f;
}

/* Syntax s evaluated the first product: confirm with the second in s alone, then report. */
static kw_rc ssti_confirm(ssti_run *r, const ssti_syntax *s)
{
    char m[16], detail[384];
    inj_probe p = {0};
    size_t at;
    kw_rc rc = KW_OK;
    r->io->marker(r->x, m, 8);
    if (ssti_send(r, s, m, SSTI_CONFIRM, &p) == KW_OK && ssti_shows(&p, m, s->tag, SSTI_CONFIRM_V, &at)) {
        const char *family = ssti_flavour(r, s);
        snprintf(detail, sizeof detail, "%s" SSTI_PROBE "%s rendered as %d and %s" SSTI_CONFIRM "%s as %d: %s",
                 s->open, s->close, SSTI_PROBE_V, s->open, s->close, SSTI_CONFIRM_V, family);
        rc = inj_probe_report(r->io, r->x, &ssti_spec, r->t, r->i, &p, NULL, 0, at, detail);
    }
    r->done = true;
    inj_probe_free(r->io, &p);
    return rc;
}

/* The syntax whose product p shows, NULL when none. */
static const ssti_syntax *ssti_hit(const inj_probe *p, const char *m, const ssti_syntax *only)
{
    size_t at;
    for (size_t j = 0; j < SSTI_N; j++)
        if ((!only || only == &ssti_syntaxes[j]) && ssti_shows(p, m, ssti_syntaxes[j].tag, SSTI_PROBE_V, &at))
            return &ssti_syntaxes[j];
    return NULL;
}

/* The page as seen does not answer 5xx (so the combined probe's 5xx means it broke a parser). */
static bool ssti_base_ok(ssti_run *r)
{
    inj_probe p = {0};
    bool ok = inj_probe_baseline(r->io, r->x, r->t, r->i, &p) == KW_OK && p.r.status > 0 && p.r.status < 500;
    inj_probe_free(r->io, &p);
    return ok;
}

/* Each syntax alone, until one evaluates. */
static kw_rc ssti_each(ssti_run *r)
{
    char m[16];
    r->io->marker(r->x, m, 8);
    for (size_t j = 0; j < SSTI_N && !r->done; j++) {
        inj_probe p = {0};
        const ssti_syntax *s = &ssti_syntaxes[j];
        bool hit = ssti_send(r, s, m, SSTI_PROBE, &p) == KW_OK && ssti_hit(&p, m, s);
        inj_probe_free(r->io, &p);
        if (hit)
            return ssti_confirm(r, s);
    }
    return KW_OK;
}

kw_rc inj_ssti_run(const inj_io *io, web_ctx *x, const web_target *t, size_t i, unsigned profile)
{
    if (inj_skip(io, x, &ssti_spec, t, i, profile, false))
        return KW_OK;
    ssti_run r = {.io = io, .x = x, .t = t, .i = i};
    char m[16];
    inj_probe p = {0};
    io->marker(x, m, 8);
    kw_rc rc = ssti_send(&r, NULL, m, SSTI_PROBE, &p);
    const ssti_syntax *s = rc == KW_OK ? ssti_hit(&p, m, NULL) : NULL;
    bool broke = rc == KW_OK && p.r.status >= 500;
    inj_probe_free(io, &p);
    if (s)
        return ssti_confirm(&r, s);
    if (!r.done && ((profile & WEB_THOROUGH) || (broke && ssti_base_ok(&r))))
        return ssti_each(&r);
    return KW_OK;
}
