/* CVSS vector strings (2.0, 3.0, 3.1, 4.0): the strict parser and the scoring equations of
 * FIRST's specifications. The metric tables below follow each specification's vector-string
 * table (names, allowed values, order); the weights are the specifications' constants. 4.0's
 * macrovector scores live in findings_cvss4_table.c. No I/O, no allocation. */
#include "findings/findings_cvss.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The scores must come out bit for bit as the specifications' reference calculators compute
 * them in IEEE doubles: no fused multiply-add (gcc contracts none in ISO C mode, -std=c17). */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

/* ---- metric tables ------------------------------------------------------------------ */

#define CVSS_VALUES_MAX 6

typedef struct cvss_metric {
    const char *name;
    bool mandatory;
    const char *vals[CVSS_VALUES_MAX + 1]; /* NULL-terminated; a vector stores index + 1 */
} cvss_metric;

typedef struct cvss_spec {
    cvss_version version;
    const char *prefix; /* "CVSS:3.1/"; "" for 2.0 */
    bool ordered;       /* the specification demands its table's order */
    int count;
    const cvss_metric *metrics;
} cvss_spec;

/* v2.0: "A Complete Guide to the Common Vulnerability Scoring System Version 2.0", 2.4 and 3.2. */
enum { V2_AV, V2_AC, V2_AU, V2_C, V2_I, V2_A, V2_E, V2_RL, V2_RC, V2_CDP, V2_TD, V2_CR, V2_IR,
       V2_AR, V2_COUNT };
static const cvss_metric v2_metrics[V2_COUNT] = {
    {"AV", true, {"L", "A", "N"}},        {"AC", true, {"H", "M", "L"}},
    {"Au", true, {"M", "S", "N"}},        {"C", true, {"N", "P", "C"}},
    {"I", true, {"N", "P", "C"}},         {"A", true, {"N", "P", "C"}},
    {"E", false, {"U", "POC", "F", "H", "ND"}},
    {"RL", false, {"OF", "TF", "W", "U", "ND"}},
    {"RC", false, {"UC", "UR", "C", "ND"}},
    {"CDP", false, {"N", "L", "LM", "MH", "H", "ND"}},
    {"TD", false, {"N", "L", "M", "H", "ND"}},
    {"CR", false, {"L", "M", "H", "ND"}}, {"IR", false, {"L", "M", "H", "ND"}},
    {"AR", false, {"L", "M", "H", "ND"}},
};

/* v3.0 and v3.1: specification section 6 (vector string) and 7.4 (metric values). The
 * modified metrics list their values in the base metric's order after X, so that a modified
 * value index minus one is the base value index. */
enum { V3_AV, V3_AC, V3_PR, V3_UI, V3_S, V3_C, V3_I, V3_A, V3_E, V3_RL, V3_RC, V3_CR, V3_IR, V3_AR,
       V3_MAV, V3_MAC, V3_MPR, V3_MUI, V3_MS, V3_MC, V3_MI, V3_MA, V3_COUNT };
static const cvss_metric v3_metrics[V3_COUNT] = {
    {"AV", true, {"N", "A", "L", "P"}},       {"AC", true, {"L", "H"}},
    {"PR", true, {"N", "L", "H"}},            {"UI", true, {"N", "R"}},
    {"S", true, {"U", "C"}},                  {"C", true, {"H", "L", "N"}},
    {"I", true, {"H", "L", "N"}},             {"A", true, {"H", "L", "N"}},
    {"E", false, {"X", "U", "P", "F", "H"}},  {"RL", false, {"X", "O", "T", "W", "U"}},
    {"RC", false, {"X", "U", "R", "C"}},      {"CR", false, {"X", "L", "M", "H"}},
    {"IR", false, {"X", "L", "M", "H"}},      {"AR", false, {"X", "L", "M", "H"}},
    {"MAV", false, {"X", "N", "A", "L", "P"}}, {"MAC", false, {"X", "L", "H"}},
    {"MPR", false, {"X", "N", "L", "H"}},     {"MUI", false, {"X", "N", "R"}},
    {"MS", false, {"X", "U", "C"}},           {"MC", false, {"X", "H", "L", "N"}},
    {"MI", false, {"X", "H", "L", "N"}},      {"MA", false, {"X", "H", "L", "N"}},
};

/* v4.0: specification section 7 (vector string, table 23). The modified metrics MAV..MSA
 * follow AV..SA one to one. */
enum { V4_AV, V4_AC, V4_AT, V4_PR, V4_UI, V4_VC, V4_VI, V4_VA, V4_SC, V4_SI, V4_SA, V4_E, V4_CR,
       V4_IR, V4_AR, V4_MAV, V4_MAC, V4_MAT, V4_MPR, V4_MUI, V4_MVC, V4_MVI, V4_MVA, V4_MSC,
       V4_MSI, V4_MSA, V4_S, V4_AU, V4_R, V4_V, V4_RE, V4_U, V4_COUNT };
static const cvss_metric v4_metrics[V4_COUNT] = {
    {"AV", true, {"N", "A", "L", "P"}},        {"AC", true, {"L", "H"}},
    {"AT", true, {"N", "P"}},                  {"PR", true, {"N", "L", "H"}},
    {"UI", true, {"N", "P", "A"}},             {"VC", true, {"H", "L", "N"}},
    {"VI", true, {"H", "L", "N"}},             {"VA", true, {"H", "L", "N"}},
    {"SC", true, {"H", "L", "N"}},             {"SI", true, {"H", "L", "N"}},
    {"SA", true, {"H", "L", "N"}},             {"E", false, {"X", "A", "P", "U"}},
    {"CR", false, {"X", "H", "M", "L"}},       {"IR", false, {"X", "H", "M", "L"}},
    {"AR", false, {"X", "H", "M", "L"}},       {"MAV", false, {"X", "N", "A", "L", "P"}},
    {"MAC", false, {"X", "L", "H"}},           {"MAT", false, {"X", "N", "P"}},
    {"MPR", false, {"X", "N", "L", "H"}},      {"MUI", false, {"X", "N", "P", "A"}},
    {"MVC", false, {"X", "H", "L", "N"}},      {"MVI", false, {"X", "H", "L", "N"}},
    {"MVA", false, {"X", "H", "L", "N"}},      {"MSC", false, {"X", "H", "L", "N"}},
    {"MSI", false, {"X", "S", "H", "L", "N"}}, {"MSA", false, {"X", "S", "H", "L", "N"}},
    {"S", false, {"X", "N", "P"}},             {"AU", false, {"X", "N", "Y"}},
    {"R", false, {"X", "A", "U", "I"}},        {"V", false, {"X", "D", "C"}},
    {"RE", false, {"X", "L", "M", "H"}},
    {"U", false, {"X", "Clear", "Green", "Amber", "Red"}},
};

/* 3.x: "Programs reading CVSS v3.1 vector strings must accept metrics in any order"; 2.0 and
 * 4.0 vectors list their metrics in the table's order. */
static const cvss_spec cvss_specs[] = {
    {CVSS_V31, "CVSS:3.1/", false, V3_COUNT, v3_metrics},
    {CVSS_V30, "CVSS:3.0/", false, V3_COUNT, v3_metrics},
    {CVSS_V40, "CVSS:4.0/", true, V4_COUNT, v4_metrics},
};
static const cvss_spec cvss_spec_v2 = {CVSS_V2, "", true, V2_COUNT, v2_metrics};

/* ---- parsing ------------------------------------------------------------------------ */

static kw_rc cvss_fail(char *err, size_t errn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static kw_rc cvss_fail(char *err, size_t errn, const char *fmt, ...)
{
    if (err && errn) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errn, fmt, ap);
        va_end(ap);
    }
    return KW_ERR_PARSE;
}

/* A piece of hostile input made fit for an error message: at most 40 bytes, anything but
 * printable ASCII shown as '?'. */
static const char *cvss_quote(const char *p, size_t n, char out[48])
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < 40; i++)
        out[k++] = (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"') ? p[i] : '?';
    if (n > 40)
        out[k++] = '.', out[k++] = '.', out[k++] = '.';
    out[k] = '\0';
    return out;
}

static int cvss_metric_find(const cvss_spec *sp, const char *p, size_t n)
{
    for (int i = 0; i < sp->count; i++)
        if (strlen(sp->metrics[i].name) == n && memcmp(sp->metrics[i].name, p, n) == 0)
            return i;
    return -1;
}

static int cvss_value_find(const cvss_metric *m, const char *p, size_t n)
{
    for (int i = 0; m->vals[i]; i++)
        if (strlen(m->vals[i]) == n && memcmp(m->vals[i], p, n) == 0)
            return i + 1;
    return 0;
}

/* "N, A, L, P": the allowed values of m, for an error message. */
static const char *cvss_value_list(const cvss_metric *m, char out[64])
{
    size_t k = 0;
    out[0] = '\0';
    for (int i = 0; m->vals[i]; i++) {
        int w = snprintf(out + k, 64 - k, "%s%s", i ? ", " : "", m->vals[i]);
        if (w < 0 || (size_t)w >= 64 - k)
            break;
        k += (size_t)w;
    }
    return out;
}

typedef struct cvss_cursor {
    const cvss_spec *sp;
    cvss_vector *out;
    int last;     /* index of the metric before, for the order check; -1 at the start */
    size_t base;  /* offset of the metrics in the whole string, for messages */
} cvss_cursor;

/* One "NAME:VALUE" component at p (n bytes, offset off in the metrics). */
static kw_rc cvss_component(cvss_cursor *c, const char *p, size_t n, size_t off, char *err,
                            size_t errn)
{
    char q[48], q2[48], list[64];
    if (n == 0)
        return cvss_fail(err, errn, "empty metric at byte %zu", c->base + off);
    const char *colon = memchr(p, ':', n);
    if (!colon)
        return cvss_fail(err, errn, "metric \"%s\" has no value", cvss_quote(p, n, q));
    size_t nn = (size_t)(colon - p), vn = n - nn - 1;
    int m = cvss_metric_find(c->sp, p, nn);
    if (m < 0)
        return cvss_fail(err, errn, "unknown metric \"%s\" for CVSS %s", cvss_quote(p, nn, q),
                         cvss_version_str(c->sp->version));
    const cvss_metric *md = &c->sp->metrics[m];
    if (c->out->val[m])
        return cvss_fail(err, errn, "duplicate metric \"%s\"", md->name);
    if (c->sp->ordered && m < c->last)
        return cvss_fail(err, errn, "metric \"%s\" out of order (it comes before \"%s\")",
                         md->name, c->sp->metrics[c->last].name);
    int v = cvss_value_find(md, colon + 1, vn);
    if (!v)
        return cvss_fail(err, errn, "bad value \"%s\" for metric %s (allowed: %s)",
                         cvss_quote(colon + 1, vn, q2), md->name, cvss_value_list(md, list));
    c->out->val[m] = (uint8_t)v;
    c->last = m;
    return KW_OK;
}

static kw_rc cvss_metrics_parse(const cvss_spec *sp, const char *p, size_t n, size_t base,
                                cvss_vector *out, char *err, size_t errn)
{
    cvss_cursor c = {sp, out, -1, base};
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] != '/')
            continue;
        kw_rc rc = cvss_component(&c, p + start, i - start, start, err, errn);
        if (rc != KW_OK)
            return rc;
        start = i + 1;
    }
    for (int m = 0; m < sp->count; m++)
        if (sp->metrics[m].mandatory && !out->val[m])
            return cvss_fail(err, errn, "missing mandatory metric \"%s\"", sp->metrics[m].name);
    return KW_OK;
}

/* "CVSS:x.y/..." vectors: the spec its prefix names. */
static kw_rc cvss_prefixed_parse(const char *s, size_t n, cvss_vector *out, char *err,
                                 size_t errn)
{
    char q[48];
    for (size_t i = 0; i < sizeof cvss_specs / sizeof cvss_specs[0]; i++) {
        const cvss_spec *sp = &cvss_specs[i];
        size_t pl = strlen(sp->prefix);
        bool named = n >= pl - 1 && memcmp(s, sp->prefix, pl - 1) == 0;
        if (named && (n == pl - 1 || s[pl - 1] == '/')) {
            if (n <= pl)
                return cvss_fail(err, errn, "no metrics after \"%.8s\"", sp->prefix);
            out->version = sp->version;
            return cvss_metrics_parse(sp, s + pl, n - pl, pl, out, err, errn);
        }
    }
    const char *slash = memchr(s, '/', n);
    size_t vn = slash ? (size_t)(slash - s) : n;
    return cvss_fail(err, errn, "unknown CVSS version \"%s\" (known: CVSS:3.0, CVSS:3.1, CVSS:4.0)",
                     cvss_quote(s, vn, q));
}

/* 2.0 vectors, bare or "(...)"-wrapped as NVD's older feeds write them. */
static kw_rc cvss_v2_parse(const char *s, size_t n, cvss_vector *out, char *err, size_t errn)
{
    size_t base = 0;
    if (s[0] == '(') {
        if (n < 2 || s[n - 1] != ')')
            return cvss_fail(err, errn, "\"(\" without its closing \")\" at the end");
        s++, n -= 2, base = 1;
    }
    out->version = CVSS_V2;
    return cvss_metrics_parse(&cvss_spec_v2, s, n, base, out, err, errn);
}

kw_rc cvss_parse_len(const char *s, size_t n, cvss_vector *out, char *err, size_t errn)
{
    memset(out, 0, sizeof *out);
    if (err && errn)
        err[0] = '\0';
    if (!s || n == 0)
        return cvss_fail(err, errn, "empty vector");
    if (n > CVSS_VECTOR_MAX)
        return cvss_fail(err, errn, "vector longer than %d bytes", CVSS_VECTOR_MAX);
    /* any "cvss:" names a version (only the upper-case spellings are known ones) */
    kw_rc rc = (n >= 5 && strncasecmp(s, "CVSS:", 5) == 0)
                   ? cvss_prefixed_parse(s, n, out, err, errn)
                   : cvss_v2_parse(s, n, out, err, errn);
    if (rc != KW_OK)
        memset(out, 0, sizeof *out);
    return rc;
}

kw_rc cvss_parse(const char *s, cvss_vector *out, char *err, size_t errn)
{
    size_t n = s ? strnlen(s, CVSS_VECTOR_MAX + 1) : 0;
    return cvss_parse_len(s, n, out, err, errn);
}

const char *cvss_version_str(cvss_version v)
{
    switch (v) {
    case CVSS_V2: return "2.0";
    case CVSS_V30: return "3.0";
    case CVSS_V31: return "3.1";
    case CVSS_V40: return "4.0";
    }
    return "?";
}

/* ---- 2.0 ---------------------------------------------------------------------------- */

/* Weights by value index (index 0 unused), from the 2.0 guide, 3.2. */
static const double v2_w_av[] = {0, 0.395, 0.646, 1.0};
static const double v2_w_ac[] = {0, 0.35, 0.61, 0.71};
static const double v2_w_au[] = {0, 0.45, 0.56, 0.704};
static const double v2_w_cia[] = {0, 0.0, 0.275, 0.660};
static const double v2_w_e[] = {0, 0.85, 0.9, 0.95, 1.0, 1.0};
static const double v2_w_rl[] = {0, 0.87, 0.90, 0.95, 1.0, 1.0};
static const double v2_w_rc[] = {0, 0.90, 0.95, 1.0, 1.0};
static const double v2_w_cdp[] = {0, 0.0, 0.1, 0.3, 0.4, 0.5, 0.0};
static const double v2_w_td[] = {0, 0.0, 0.25, 0.75, 1.0, 1.0};
static const double v2_w_req[] = {0, 0.5, 1.0, 1.51, 1.0};

/* Absent optional metrics weigh as Not Defined (the last value of each 2.0 list). */
static double v2_w(const cvss_vector *v, int m, const double *w, int nd)
{
    return w[v->val[m] ? v->val[m] : nd];
}

/* 2.0's round_to_1_decimal, half up. A value the guide's decimal arithmetic puts on a half
 * (10 x 0.9 x 0.95 = 8.55) may come out of doubles a hair below it (8.549999999999999): a
 * margin far under the equations' precision keeps it a half. */
static double cvss_round1(double x)
{
    return floor(x * 10.0 + 0.5 + 1e-9) / 10.0;
}

static double v2_base_of_impact(const cvss_vector *v, double impact)
{
    double expl = 20 * v2_w_av[v->val[V2_AV]] * v2_w_ac[v->val[V2_AC]] * v2_w_au[v->val[V2_AU]];
    double f = impact == 0 ? 0 : 1.176;
    return cvss_round1(((0.6 * impact) + (0.4 * expl) - 1.5) * f);
}

static double v2_impact(double c, double i, double a)
{
    return 10.41 * (1 - (1 - c) * (1 - i) * (1 - a));
}

static double v2_temporal_of(const cvss_vector *v, double base)
{
    return cvss_round1(base * v2_w(v, V2_E, v2_w_e, 5) * v2_w(v, V2_RL, v2_w_rl, 5) *
                       v2_w(v, V2_RC, v2_w_rc, 4));
}

static double v2_base(const cvss_vector *v)
{
    return v2_base_of_impact(v, v2_impact(v2_w_cia[v->val[V2_C]], v2_w_cia[v->val[V2_I]],
                                          v2_w_cia[v->val[V2_A]]));
}

static double v2_env(const cvss_vector *v)
{
    double impact = fmin(10, v2_impact(v2_w_cia[v->val[V2_C]] * v2_w(v, V2_CR, v2_w_req, 4),
                                       v2_w_cia[v->val[V2_I]] * v2_w(v, V2_IR, v2_w_req, 4),
                                       v2_w_cia[v->val[V2_A]] * v2_w(v, V2_AR, v2_w_req, 4)));
    double at = v2_temporal_of(v, v2_base_of_impact(v, impact));
    double cdp = v2_w(v, V2_CDP, v2_w_cdp, 6), td = v2_w(v, V2_TD, v2_w_td, 5);
    return cvss_round1((at + (10 - at) * cdp) * td);
}

/* ---- 3.0 and 3.1 -------------------------------------------------------------------- */

/* Weights by value index, from the specification's section 7.4. */
static const double v3_w_av[] = {0, 0.85, 0.62, 0.55, 0.2};
static const double v3_w_ac[] = {0, 0.77, 0.44};
static const double v3_w_pr_u[] = {0, 0.85, 0.62, 0.27};
static const double v3_w_pr_c[] = {0, 0.85, 0.68, 0.5};
static const double v3_w_ui[] = {0, 0.85, 0.62};
static const double v3_w_cia[] = {0, 0.56, 0.22, 0};
static const double v3_w_e[] = {0, 1, 0.91, 0.94, 0.97, 1};
static const double v3_w_rl[] = {0, 1, 0.95, 0.96, 0.97, 1};
static const double v3_w_rc[] = {0, 1, 0.92, 0.96, 1};
static const double v3_w_req[] = {0, 1, 0.5, 1, 1.5};

/* 3.1's Roundup (specification Appendix A: on integers, so that 4.000000000000001 is 4.0);
 * 3.0's round up: the smallest one-decimal number not below the input, as 3.0's
 * specification and reference calculator compute it. */
static double v3_roundup(const cvss_vector *v, double x)
{
    if (v->version == CVSS_V30)
        return ceil(x * 10) / 10;
    long long i = llround(x * 100000);
    if (i % 10000 == 0)
        return (double)i / 100000.0;
    return (double)(i / 10000 + 1) / 10.0;
}

/* Absent optional metrics weigh as X (value 1). */
static double v3_opt(const cvss_vector *v, int m, const double *w)
{
    return w[v->val[m] ? v->val[m] : 1];
}

/* The value index a modified metric leaves in force: the base metric's when it is X. */
static int v3_mod(const cvss_vector *v, int base, int mod)
{
    return v->val[mod] > 1 ? v->val[mod] - 1 : v->val[base];
}

static double v3_combine(const cvss_vector *v, bool changed, double impact, double expl)
{
    if (impact <= 0)
        return 0;
    if (changed)
        return v3_roundup(v, fmin(1.08 * (impact + expl), 10));
    return v3_roundup(v, fmin(impact + expl, 10));
}

static double v3_base(const cvss_vector *v)
{
    bool changed = v->val[V3_S] == 2;
    double iss = 1 - ((1 - v3_w_cia[v->val[V3_C]]) * (1 - v3_w_cia[v->val[V3_I]]) *
                      (1 - v3_w_cia[v->val[V3_A]]));
    double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss;
    double expl = 8.22 * v3_w_av[v->val[V3_AV]] * v3_w_ac[v->val[V3_AC]] *
                  (changed ? v3_w_pr_c : v3_w_pr_u)[v->val[V3_PR]] * v3_w_ui[v->val[V3_UI]];
    return v3_combine(v, changed, impact, expl);
}

/* x x E x RL x RC, rounded up: multiplied in that order, as the reference calculators do. */
static double v3_temporal_of(const cvss_vector *v, double x)
{
    return v3_roundup(v, x * v3_opt(v, V3_E, v3_w_e) * v3_opt(v, V3_RL, v3_w_rl) *
                             v3_opt(v, V3_RC, v3_w_rc));
}

static double v3_env_impact(const cvss_vector *v, bool changed)
{
    double miss = fmin(1 - ((1 - v3_w_cia[v3_mod(v, V3_C, V3_MC)] * v3_opt(v, V3_CR, v3_w_req)) *
                            (1 - v3_w_cia[v3_mod(v, V3_I, V3_MI)] * v3_opt(v, V3_IR, v3_w_req)) *
                            (1 - v3_w_cia[v3_mod(v, V3_A, V3_MA)] * v3_opt(v, V3_AR, v3_w_req))),
                       0.915);
    if (!changed)
        return 6.42 * miss;
    if (v->version == CVSS_V30)
        return 7.52 * (miss - 0.029) - 3.25 * pow(miss - 0.02, 15);
    return 7.52 * (miss - 0.029) - 3.25 * pow(miss * 0.9731 - 0.02, 13);
}

static double v3_env(const cvss_vector *v)
{
    bool changed = v3_mod(v, V3_S, V3_MS) == 2;
    double impact = v3_env_impact(v, changed);
    double expl = 8.22 * v3_w_av[v3_mod(v, V3_AV, V3_MAV)] * v3_w_ac[v3_mod(v, V3_AC, V3_MAC)] *
                  (changed ? v3_w_pr_c : v3_w_pr_u)[v3_mod(v, V3_PR, V3_MPR)] *
                  v3_w_ui[v3_mod(v, V3_UI, V3_MUI)];
    if (impact <= 0)
        return 0;
    return v3_temporal_of(v, v3_combine(v, changed, impact, expl));
}

/* ---- 4.0 ---------------------------------------------------------------------------- */

enum { V4_WITH_THREAT = 1, V4_WITH_ENV = 2 };

/* The letter in force for base metric m (or E, CR, IR, AR): the modified metric's when the
 * environmental metrics count and it is defined; E defaults to A and CR/IR/AR to H (the
 * specification's worst case for Not Defined). */
static char v4_eff(const cvss_vector *v, int m, unsigned with)
{
    int idx = v->val[m];
    if (m == V4_E)
        return (with & V4_WITH_THREAT) && idx > 1 ? v4_metrics[m].vals[idx - 1][0] : 'A';
    if (m >= V4_CR && m <= V4_AR)
        return (with & V4_WITH_ENV) && idx > 1 ? v4_metrics[m].vals[idx - 1][0] : 'H';
    if ((with & V4_WITH_ENV) && m <= V4_SA && v->val[V4_MAV + m] > 1)
        return v4_metrics[V4_MAV + m].vals[v->val[V4_MAV + m] - 1][0];
    return v4_metrics[m].vals[idx - 1][0];
}

/* The metrics of the severity distance, in the reference calculator's order, with the level
 * (0.0 most severe, in steps of 0.1) of each letter. */
enum { L_AV, L_PR, L_UI, L_AC, L_AT, L_VC, L_VI, L_VA, L_SC, L_SI, L_SA, L_CR, L_IR, L_AR, L_E,
       L_COUNT };
static const int v4_level_metric[L_COUNT] = {V4_AV, V4_PR, V4_UI, V4_AC, V4_AT, V4_VC, V4_VI, V4_VA,
                                             V4_SC, V4_SI, V4_SA, V4_CR, V4_IR, V4_AR, V4_E};

static double v4_level(int l, char c)
{
    static const struct {
        const char *letters; /* letter i has level 0.1 * (i + first) */
        int first;
    } lv[L_COUNT] = {
        [L_AV] = {"NALP", 0}, [L_PR] = {"NLH", 0}, [L_UI] = {"NPA", 0}, [L_AC] = {"LH", 0},
        [L_AT] = {"NP", 0},   [L_VC] = {"HLN", 0}, [L_VI] = {"HLN", 0}, [L_VA] = {"HLN", 0},
        [L_SC] = {"HLN", 1},  [L_SI] = {"SHLN", 0}, [L_SA] = {"SHLN", 0}, [L_CR] = {"HML", 0},
        [L_IR] = {"HML", 0},  [L_AR] = {"HML", 0}, [L_E] = {"APU", 0},
    };
    static const double step[] = {0.0, 0.1, 0.2, 0.3};
    const char *p = strchr(lv[l].letters, c);
    return p && c ? step[(p - lv[l].letters) + lv[l].first] : 0.0;
}

typedef struct v4_state {
    char eff[L_COUNT]; /* letters in force, by L_ index */
    int eq[6];         /* the macrovector */
} v4_state;

static int v4_eq1(const char *e)
{
    if (e[L_AV] == 'N' && e[L_PR] == 'N' && e[L_UI] == 'N')
        return 0;
    if ((e[L_AV] == 'N' || e[L_PR] == 'N' || e[L_UI] == 'N') && e[L_AV] != 'P')
        return 1;
    return 2;
}

static int v4_eq3(const char *e)
{
    if (e[L_VC] == 'H' && e[L_VI] == 'H')
        return 0;
    return (e[L_VC] == 'H' || e[L_VI] == 'H' || e[L_VA] == 'H') ? 1 : 2;
}

static int v4_eq4(const char *e)
{
    if (e[L_SI] == 'S' || e[L_SA] == 'S')
        return 0;
    return (e[L_SC] == 'H' || e[L_SI] == 'H' || e[L_SA] == 'H') ? 1 : 2;
}

static void v4_macrovector(v4_state *st)
{
    const char *e = st->eff;
    st->eq[0] = v4_eq1(e);
    st->eq[1] = (e[L_AC] == 'L' && e[L_AT] == 'N') ? 0 : 1;
    st->eq[2] = v4_eq3(e);
    st->eq[3] = v4_eq4(e);
    st->eq[4] = e[L_E] == 'A' ? 0 : e[L_E] == 'P' ? 1 : 2;
    st->eq[5] = ((e[L_CR] == 'H' && e[L_VC] == 'H') || (e[L_IR] == 'H' && e[L_VI] == 'H') ||
                 (e[L_AR] == 'H' && e[L_VA] == 'H')) ? 0 : 1;
}

/* The highest-severity vectors of each EQ level (specification section 8.2, as the reference
 * calculator's max_composed.js lists them), as letters in the order given in each comment. */
static const char *const v4_max_eq1[3][4] = {/* AV PR UI */
    {"NNN"}, {"ANN", "NLN", "NNP"}, {"PNN", "ALP"}};
static const char *const v4_max_eq2[2][3] = {/* AC AT */ {"LN"}, {"HN", "LP"}};
static const char *const v4_max_eq36[3][2][6] = {/* VC VI VA CR IR AR */
    {{"HHHHHH"}, {"HHLMMH", "HHHMMM"}},
    {{"LHHHHH", "HLHHHH"}, {"LHLHMH", "LHHHMM", "HLHMHM", "HLLMHH", "LLHHHM"}},
    {{NULL}, {"LLLHHH"}}};
static const char *const v4_max_eq4[3] = {/* SC SI SA */ "HSS", "HHH", "LLL"};
static const char v4_max_eq5[3] = {'A', 'P', 'U'};

/* Each EQ level's depth plus one (the reference calculator's max_severity.js). */
static const int v4_depth_eq1[3] = {1, 4, 5}, v4_depth_eq2[2] = {1, 2}, v4_depth_eq4[3] = {6, 5, 4};
static const int v4_depth_eq36[3][2] = {{7, 6}, {8, 8}, {0, 10}};

/* Severity distances of the vector from one max vector; false when one is negative. */
static bool v4_distances(const v4_state *st, const char *m1, const char *m2, const char *m36,
                         const char *m4, char m5, double d[L_COUNT])
{
    const char max[L_COUNT] = {m1[0], m1[1], m1[2], m2[0], m2[1], m36[0], m36[1], m36[2],
                               m4[0], m4[1], m4[2], m36[3], m36[4], m36[5], m5};
    bool ok = true;
    for (int l = 0; l < L_COUNT; l++) {
        d[l] = v4_level(l, st->eff[l]) - v4_level(l, max[l]);
        ok = ok && d[l] >= 0;
    }
    return ok;
}

/* The first max vector (in the reference calculator's order) the vector does not exceed;
 * when none, the distances of the last one tried, as the reference calculator does. */
static void v4_find_max(const v4_state *st, double d[L_COUNT])
{
    const int *eq = st->eq;
    const char *const *l1 = v4_max_eq1[eq[0]], *const *l2 = v4_max_eq2[eq[1]];
    const char *const *l36 = v4_max_eq36[eq[2]][eq[5]];
    for (int a = 0; a < 4 && l1[a]; a++)
        for (int b = 0; b < 3 && l2[b]; b++)
            for (int c = 0; c < 6 && l36[c]; c++)
                if (v4_distances(st, l1[a], l2[b], l36[c], v4_max_eq4[eq[3]], v4_max_eq5[eq[4]], d))
                    return;
}

static double v4_lookup(const int *eq, int d1, int d2, int d3, int d4, int d5, int d6)
{
    int t = cvss4_macro_tenths(eq[0] + d1, eq[1] + d2, eq[2] + d3, eq[3] + d4, eq[4] + d5,
                               eq[5] + d6);
    return t < 0 ? NAN : t / 10.0;
}

/* The score of the next lower macrovector through EQ3 and EQ6 together (they are joint). */
static double v4_lower_eq36(const int *eq)
{
    if (eq[2] == 0 && eq[5] == 0)
        return fmax(v4_lookup(eq, 0, 0, 0, 0, 0, 1), v4_lookup(eq, 0, 0, 1, 0, 0, 0));
    if (eq[2] == 1 && eq[5] == 0)
        return v4_lookup(eq, 0, 0, 0, 0, 0, 1);
    if (eq[2] == 2)
        return NAN;
    return v4_lookup(eq, 0, 0, 1, 0, 0, 0);
}

/* One EQ's share: the available distance to the next lower macrovector times the proportion
 * of the EQ's depth the vector is away from its max. */
static void v4_share(double value, double lower, double dist, double depth, double *part, int *n)
{
    if (isnan(lower))
        return;
    (*n)++;
    *part = (value - lower) * (dist / depth);
}

/* Math.round of the reference calculator, for the non-negative x here. */
static double v4_round1(double x)
{
    double y = (x + 1e-6) * 10, r = floor(y);
    if (y - r >= 0.5)
        r += 1;
    return r / 10;
}

static double v4_score(const cvss_vector *v, unsigned with)
{
    v4_state st;
    for (int l = 0; l < L_COUNT; l++)
        st.eff[l] = v4_eff(v, v4_level_metric[l], with);
    const char *e = st.eff;
    if (e[L_VC] == 'N' && e[L_VI] == 'N' && e[L_VA] == 'N' && e[L_SC] == 'N' && e[L_SI] == 'N' &&
        e[L_SA] == 'N')
        return 0.0;
    v4_macrovector(&st);
    const int *eq = st.eq;
    double value = v4_lookup(eq, 0, 0, 0, 0, 0, 0), d[L_COUNT] = {0};
    v4_find_max(&st, d);
    const double step = 0.1;
    double parts[5] = {0};
    int n = 0;
    v4_share(value, v4_lookup(eq, 1, 0, 0, 0, 0, 0), d[L_AV] + d[L_PR] + d[L_UI],
             v4_depth_eq1[eq[0]] * step, &parts[0], &n);
    v4_share(value, v4_lookup(eq, 0, 1, 0, 0, 0, 0), d[L_AC] + d[L_AT], v4_depth_eq2[eq[1]] * step,
             &parts[1], &n);
    v4_share(value, v4_lower_eq36(eq), d[L_VC] + d[L_VI] + d[L_VA] + d[L_CR] + d[L_IR] + d[L_AR],
             v4_depth_eq36[eq[2]][eq[5]] * step, &parts[2], &n);
    v4_share(value, v4_lookup(eq, 0, 0, 0, 1, 0, 0), d[L_SC] + d[L_SI] + d[L_SA],
             v4_depth_eq4[eq[3]] * step, &parts[3], &n);
    v4_share(value, v4_lookup(eq, 0, 0, 0, 0, 1, 0), 0, 1, &parts[4], &n);
    double sum = parts[0] + parts[1] + parts[2] + parts[3] + parts[4];
    double mean = n ? sum / n : 0;
    return v4_round1(fmax(0, fmin(10, value - mean)));
}

/* ---- the public scores -------------------------------------------------------------- */

static bool cvss_is_v3(const cvss_vector *v)
{
    return v->version == CVSS_V30 || v->version == CVSS_V31;
}

double cvss_base_score(const cvss_vector *v)
{
    if (v->version == CVSS_V2)
        return v2_base(v);
    if (cvss_is_v3(v))
        return v3_base(v);
    return v->version == CVSS_V40 ? v4_score(v, 0) : 0.0;
}

double cvss_temporal_score(const cvss_vector *v)
{
    if (v->version == CVSS_V2)
        return v2_temporal_of(v, v2_base(v));
    if (cvss_is_v3(v))
        return v3_temporal_of(v, v3_base(v));
    return v->version == CVSS_V40 ? v4_score(v, V4_WITH_THREAT) : 0.0;
}

double cvss_env_score(const cvss_vector *v)
{
    if (v->version == CVSS_V2)
        return v2_env(v);
    if (cvss_is_v3(v))
        return v3_env(v);
    return v->version == CVSS_V40 ? v4_score(v, V4_WITH_THREAT | V4_WITH_ENV) : 0.0;
}

double cvss_vector_score(const cvss_vector *v)
{
    return v->version == CVSS_V40 ? cvss_env_score(v) : cvss_base_score(v);
}

const char *cvss_v4_nomenclature(const cvss_vector *v)
{
    static const char *const names[] = {"CVSS-B", "CVSS-BT", "CVSS-BE", "CVSS-BTE"};
    if (v->version != CVSS_V40)
        return names[0];
    int t = v->val[V4_E] > 1, e = 0;
    for (int m = V4_CR; m <= V4_MSA; m++)
        e |= v->val[m] > 1;
    return names[t | e << 1];
}

kw_rc cvss_score(const char *vector, double *score, char *version, size_t versionn, char *err,
                 size_t errn)
{
    cvss_vector v;
    kw_rc rc = cvss_parse(vector, &v, err, errn);
    if (rc != KW_OK)
        return rc;
    *score = cvss_vector_score(&v);
    if (version && versionn)
        snprintf(version, versionn, "%s", cvss_version_str(v.version));
    return KW_OK;
}
