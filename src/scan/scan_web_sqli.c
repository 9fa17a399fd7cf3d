/* The SQL injection check (web_check_sqli), on every insertion point, cheapest proof first:
 * error-based (quoting broken, a database error signature the page as first fetched did not
 * show), boolean-based (a true condition gives the baseline back, a false one differs stably,
 * confirmed by a second pair), time-based (SLEEP, pg_sleep, WAITFOR DELAY: two delays of
 * different length against the baseline's timing, then a zero delay back at it). Payloads go
 * after the value seen, so the query keeps the rows the page showed (after "1" for the numeric
 * forms when the field was empty). JSON fields are sent as JSON strings (web_target_build), so a
 * numeric JSON field is tried in its string forms. The pure parts
 * (signatures, comparison, decisions) are in scan_web_sqli_sig.c. */
#include "scan/scan_web.h"
#include "scan/scan_web_sqli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_mem.h"

#define SQLI_DELAY1 2                /* seconds of the first delay, then the second */
#define SQLI_DELAY2 4
#define SQLI_SLOW_BASE_US 5000000    /* a page this slow gets no time-based tries */
#define SQLI_STRIPS_MAX 8

static const char sqli_advice_en[] =
    "Build queries with parameters (prepared statements, bound variables) and never by pasting request "
    "values into SQL; when a name (a column to sort by) comes from the request, pick it from a fixed list. "
    "Run the application's database account with the least privileges it needs, and do not show database "
    "errors to users.";
static const char sqli_advice_zh[] =
    "使用参数化查询（预编译语句、绑定变量）构造 SQL，绝不把请求中的值直接拼接进 SQL；排序列等名称来自请求时，"
    "从固定列表中选取。应用的数据库账号只授予所需的最小权限，不要向用户显示数据库错误信息。";

/* One request sent and its answer. */
typedef struct sqli_ans {
    web_built b;
    web_response r;
    bool sent;
    bool ok;                         /* an answer came back */
} sqli_ans;

typedef struct sqli_base {
    const char *seen;                /* the value the payloads go after */
    sqli_ans a[2];                   /* the shape with that value, fetched twice */
    sqli_ans broken;                 /* the answer to the first quote breaker */
    size_t noise;                    /* words between the two */
    int64_t slow_us;                 /* the slower of the two */
} sqli_base;

static void sqli_ans_free(sqli_ans *a)
{
    if (a->sent) {
        web_built_free(&a->b);
        web_response_free(&a->r);
    }
    memset(a, 0, sizeof *a);
}

/* Sends parameter i of t set to seen followed by payload; timeout_ms 0 is the scan's. Returns
 * a->ok. */
static bool sqli_send(web_ctx *x, const web_target *t, size_t i, const char *seen, const char *payload,
                      int64_t timeout_ms, sqli_ans *a)
{
    memset(a, 0, sizeof *a);
    size_t ls = strlen(seen), lp = strlen(payload);
    char *v = kw_malloc(ls + lp + 1);
    memcpy(v, seen, ls);
    memcpy(v + ls, payload, lp + 1);
    kw_rc rc = web_target_build(t, i, v, WEB_MUT_REPLACE, &a->b);
    free(v);
    if (rc != KW_OK)
        return false;
    a->sent = true;
    a->b.rq.timeout_ms = timeout_ms;
    a->ok = web_send(x, &a->b.rq, &a->r) == KW_OK && a->r.status > 0;
    return a->ok;
}

static const char *sqli_body(const sqli_ans *a)
{
    return a->r.body ? a->r.body : "";
}

static kw_rc sqli_report(web_ctx *x, const web_target *t, size_t i, const char *id, const char *title,
                         const char *title_zh, const sqli_ans *proof, size_t at, const char *detail)
{
    char ex[640] = "";
    if (at != (size_t)-1 && proof->r.body)
        web_excerpt(proof->r.body, proof->r.len, at, 160, ex, sizeof ex);
    web_issue is = {.check_id = id, .category = "sqli", .title = title, .title_zh = title_zh, .cwe = "CWE-89",
                    .severity = FINDING_HIGH, .url = t->url, .parameter = t->params[i].name,
                    .method = proof->b.rq.method ? proof->b.rq.method : t->method, .proof = &proof->b.rq,
                    .answer = ex[0] ? ex : NULL, .answer_len = strlen(ex), .detail = detail,
                    .advice_en = sqli_advice_en, .advice_zh = sqli_advice_zh};
    return web_report(x, &is);
}

/* ---- error-based ---- */

/* Each breaks the quoting of a different context: quoted strings and bare numbers (the first,
 * all profiles), backquoted names and backslash-escaped strings (thorough). */
static const char *const sqli_breakers[] = {"'\"", "`", "\\"};

/* Sends the breakers; true once one shows an error signature (reported). The first one's
 * answer is kept in bs->broken. */
static bool sqli_error(web_ctx *x, const web_target *t, size_t i, sqli_base *bs, unsigned profile, kw_rc *rc)
{
    web_sqli_body base[1] = {{sqli_body(&bs->a[0]), bs->a[0].r.len}};
    size_t n = profile & WEB_THOROUGH ? sizeof sqli_breakers / sizeof *sqli_breakers : 1;
    for (size_t k = 0; k < n && !web_stopping(x); k++) {
        sqli_ans a;
        size_t at = 0;
        const web_sqli_sig *sig = NULL;
        if (sqli_send(x, t, i, bs->seen, sqli_breakers[k], 0, &a))
            sig = web_sqli_error_match(sqli_body(&a), a.r.len, base, 1, &at);
        if (sig) {
            char detail[512];
            snprintf(detail, sizeof detail,
                     "%s error signature '%s' in the answer (absent from the page as first fetched) after [%s] "
                     "was appended to the value",
                     sig->dbms, sig->text, sqli_breakers[k]);
            *rc = sqli_report(x, t, i, "KW-WEB-SQLI-ERROR", "SQL injection (error-based)", "SQL 注入（报错型）", &a,
                              at, detail);
        }
        if (k == 0)
            bs->broken = a;
        else
            sqli_ans_free(&a);
        if (sig)
            return true;
    }
    return false;
}

/* ---- boolean-based ---- */

/* A context's condition: %d=%d compares a number with itself (true) or with the next (false). */
typedef struct sqli_form {
    const char *fmt;
    bool numeric;                    /* a bare number's context */
} sqli_form;

static const sqli_form sqli_forms[] = {
    {" AND %d=%d", true},
    {" AND %d=%d-- -", true},
    {"' AND '%d'='%d", false},
    {"' AND %d=%d-- -", false},
    {"\" AND \"%d\"=\"%d", false},
    {"') AND %d=%d-- -", false},
};

static bool sqli_numeric(const char *v)
{
    if (!v || !*v)
        return false;
    for (; *v; v++)
        if (*v < '0' || *v > '9')
            return false;
    return true;
}

/* The strings a page may reflect of payloads p[n]: each as sent and percent-encoded. */
static size_t sqli_strips(const char *const *p, size_t n, char enc[][256], const char **out)
{
    size_t k = 0;
    for (size_t j = 0; j < n && k + 2 <= SQLI_STRIPS_MAX; j++) {
        out[k++] = p[j];
        if (web_pct_encode(p[j], enc[j], sizeof enc[j]))
            out[k++] = enc[j];
    }
    return k;
}

static size_t sqli_diff(const sqli_ans *a, const sqli_ans *b, const char *const *p, size_t np)
{
    char enc[SQLI_STRIPS_MAX / 2][256];
    const char *strip[SQLI_STRIPS_MAX];
    size_t ns = sqli_strips(p, np, enc, strip);
    return web_sqli_diff(sqli_body(a), a->r.len, sqli_body(b), b->r.len, strip, ns);
}

/* One pair's answers and how they compare. */
typedef struct sqli_pair_run {
    const char *seen;
    char ptrue[96], pfalse[96];
    sqli_ans t, f;
    web_sqli_pair m;
} sqli_pair_run;

static void sqli_pair_free(sqli_pair_run *pr)
{
    sqli_ans_free(&pr->t);
    sqli_ans_free(&pr->f);
}

/* Sends form fm's pair for number n; true when it holds (pr keeps the answers either way). */
/* Sends form fm's pair for number n, the false condition first (most pages do not change with
 * it, and then one request is enough); true when the pair holds (pr keeps the answers). */
static bool sqli_pair_try(web_ctx *x, const web_target *t, size_t i, const sqli_base *bs, const sqli_form *fm, int n,
                          sqli_pair_run *pr)
{
    memset(pr, 0, sizeof *pr);
    snprintf(pr->ptrue, sizeof pr->ptrue, fm->fmt, n, n);
    snprintf(pr->pfalse, sizeof pr->pfalse, fm->fmt, n, n + 1);
    const char *both[2] = {pr->ptrue, pr->pfalse};
    const sqli_ans *b0 = &bs->a[0];
    pr->seen = bs->seen;
    pr->m.noise = bs->noise;
    if (!sqli_send(x, t, i, bs->seen, pr->pfalse, 0, &pr->f))
        return false;
    pr->m.false_base = sqli_diff(&pr->f, b0, both, 2);
    pr->m.false_status = pr->f.r.status != b0->r.status;
    if ((!pr->m.false_status && pr->m.false_base <= 2 * bs->noise) ||
        !sqli_send(x, t, i, bs->seen, pr->ptrue, 0, &pr->t) || pr->t.r.status != b0->r.status)
        return false;
    pr->m.true_base = sqli_diff(&pr->t, b0, both, 2);
    pr->m.true_false = sqli_diff(&pr->t, &pr->f, both, 2);
    return web_sqli_pair_holds(&pr->m);
}

static kw_rc sqli_report_boolean(web_ctx *x, const web_target *t, size_t i, const sqli_pair_run *p1,
                                 const sqli_pair_run *p2)
{
    char detail[1024];
    const char *v = p1->seen;
    snprintf(detail, sizeof detail,
             "the true condition [%s%s] gives the page as first fetched back (%zu words apart, the page's own noise "
             "%zu) while the false condition [%s%s] changes it (%zu words, status %ld against %ld); confirmed with "
             "[%s%s] / [%s%s]",
             v, p1->ptrue, p1->m.true_base, p1->m.noise, v, p1->pfalse, p1->m.false_base, p1->f.r.status,
             p1->t.r.status, v, p2->ptrue, v, p2->pfalse);
    return sqli_report(x, t, i, "KW-WEB-SQLI-BOOLEAN", "SQL injection (boolean-based blind)", "SQL 注入（布尔盲注）",
                       &p2->f, 0, detail);
}

/* The confirming pair: other numbers, the answers of each kind alike. */
static bool sqli_confirm(web_ctx *x, const web_target *t, size_t i, const sqli_base *bs, const sqli_form *fm,
                         const sqli_pair_run *p1, sqli_pair_run *p2)
{
    if (!sqli_pair_try(x, t, i, bs, fm, 7, p2))
        return false;
    const char *all[4] = {p1->ptrue, p1->pfalse, p2->ptrue, p2->pfalse};
    size_t tt = sqli_diff(&p1->t, &p2->t, all, 4), ff = sqli_diff(&p1->f, &p2->f, all, 4);
    return web_sqli_pair_confirms(&p2->m, tt, ff);
}

/* The numeric forms go after bs_num (NULL: the value is not a number), the others after bs. */
static bool sqli_boolean_pass(web_ctx *x, const web_target *t, size_t i, const sqli_base *bs_str,
                              const sqli_base *bs_num, kw_rc *rc)
{
    bool done = false;
    for (size_t k = 0; k < sizeof sqli_forms / sizeof *sqli_forms && !done && !web_stopping(x); k++) {
        const sqli_base *bs = sqli_forms[k].numeric ? bs_num : bs_str;
        if (!bs)
            continue;
        sqli_pair_run p1, p2;
        memset(&p2, 0, sizeof p2);
        if (sqli_pair_try(x, t, i, bs, &sqli_forms[k], 5, &p1) && sqli_confirm(x, t, i, bs, &sqli_forms[k], &p1, &p2)) {
            *rc = sqli_report_boolean(x, t, i, &p1, &p2);
            done = true;
        }
        sqli_pair_free(&p1);
        sqli_pair_free(&p2);
    }
    return done;
}

/* The pairs; an empty field's string forms go once more after "1" (a lookup by id finds no
 * row for "", so no condition can change its answer; a search finds every row for it). */
static bool sqli_boolean(web_ctx *x, const web_target *t, size_t i, const sqli_base *bs_str,
                         const sqli_base *bs_num, kw_rc *rc)
{
    if (sqli_boolean_pass(x, t, i, bs_str, bs_num, rc))
        return true;
    return !bs_str->seen[0] && bs_num && bs_num != bs_str && !web_stopping(x) &&
           sqli_boolean_pass(x, t, i, bs_num, NULL, rc);
}

/* ---- time-based ---- */

typedef struct sqli_delay {
    const char *dbms;
    const char *fmt;                 /* %lld: seconds, or for a counted form iterations */
    bool numeric;
    bool counted;                    /* no sleep function: a loop whose speed is measured first */
} sqli_delay;

/* The sleeps run once per statement (MySQL's in a derived table, not per row; PostgreSQL's as a
 * one-time filter). SQLite has no sleep: a recursive count, computed once as an uncorrelated
 * scalar subquery, takes a time linear in its length (memory stays flat, unlike randomblob). */
#define SQLI_SQLITE_LOOP "(WITH RECURSIVE kw(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM kw WHERE n<%lld) SELECT COUNT(*) FROM kw)"
static const sqli_delay sqli_delays[] = {
    {"MySQL/MariaDB", " AND (SELECT 1 FROM (SELECT SLEEP(%lld))kw)", true, false},
    {"MySQL/MariaDB", "' AND (SELECT 1 FROM (SELECT SLEEP(%lld))kw)-- -", false, false},
    {"PostgreSQL", " AND 1=(SELECT 1 FROM PG_SLEEP(%lld))", true, false},
    {"PostgreSQL", "' AND 1=(SELECT 1 FROM PG_SLEEP(%lld))-- -", false, false},
    {"SQL Server", ";WAITFOR DELAY '0:0:%lld'-- -", true, false},
    {"SQL Server", "';WAITFOR DELAY '0:0:%lld'-- -", false, false},
    {"SQLite", "||" SQLI_SQLITE_LOOP, true, true},
    {"SQLite", "'||" SQLI_SQLITE_LOOP "||'", false, true},
};

#define SQLI_CAL_LOOP 2000000        /* iterations of the measuring run */
#define SQLI_CAL_MIN_US 100000       /* it must take at least this much longer than the page */
#define SQLI_LOOP_MAX 400000000LL    /* a loop longer than this is not sent */
#define SQLI_RESIZES 2               /* times a short first delay resizes its loop */

/* One delay form's run on an insertion point. */
typedef struct sqli_delay_run {
    web_ctx *x;
    const web_target *t;
    size_t i;
    const sqli_base *bs;
    const sqli_delay *dl;
    double per_s;                    /* iterations per second (counted forms) */
    int64_t e[3];                    /* answers to delay 1, delay 2, zero (-1: none) */
    sqli_ans proof;                  /* the answer to delay 2 */
} sqli_delay_run;

/* Sends the form with `amount` (seconds or iterations); the elapsed time, or -1. The answer is
 * kept in *keep when given. */
static int64_t sqli_delay_send(sqli_delay_run *dr, long long amount, int64_t timeout_ms, sqli_ans *keep)
{
    char p[256];
    sqli_ans a;
    snprintf(p, sizeof p, dr->dl->fmt, amount);
    int64_t e = sqli_send(dr->x, dr->t, dr->i, dr->bs->seen, p, timeout_ms, &a) ? a.r.elapsed_us : -1;
    if (keep)
        *keep = a;
    else
        sqli_ans_free(&a);
    return e;
}

/* What the form is sent with for a delay of d seconds: d, or the iterations that take d (and a
 * third more: the measuring run's own overhead makes the speed look lower than it is). */
static long long sqli_amount(const sqli_delay_run *dr, int d)
{
    return dr->dl->counted ? (long long)(dr->per_s * d * 4 / 3) : d;
}

/* A counted form's speed: one measuring run that must stand out of the page's own timing. */
static bool sqli_calibrate(sqli_delay_run *dr)
{
    if (!dr->dl->counted)
        return true;
    int64_t e = sqli_delay_send(dr, SQLI_CAL_LOOP, 60000, NULL), extra = e - dr->bs->slow_us;
    if (e < 0 || extra < SQLI_CAL_MIN_US)
        return false;
    dr->per_s = (double)SQLI_CAL_LOOP * 1e6 / (double)extra;
    return sqli_amount(dr, SQLI_DELAY2) <= SQLI_LOOP_MAX;
}

static kw_rc sqli_report_time(const sqli_delay_run *dr)
{
    char detail[512];
    int64_t base = dr->bs->slow_us;
    snprintf(detail, sizeof detail,
             "%s delay: +%.1f s and +%.1f s for delays of %d s and %d s against a %.2f s baseline; a zero delay "
             "answered in %.2f s",
             dr->dl->dbms, (double)(dr->e[0] - base) / 1e6, (double)(dr->e[1] - base) / 1e6, SQLI_DELAY1,
             SQLI_DELAY2, (double)base / 1e6, (double)dr->e[2] / 1e6);
    return sqli_report(dr->x, dr->t, dr->i, "KW-WEB-SQLI-TIME", "SQL injection (time-based blind)",
                       "SQL 注入（时间盲注）", &dr->proof, (size_t)-1, detail);
}

/* The first delay; its elapsed time, or -1. A counted loop is sized from a measured speed, and
 * a server's speed wanders (its other load, the scanner's own workers): a run that stood out of
 * the page's timing but fell short of the delay resizes the loop from itself, the longer and so
 * better measure, and goes again, at most SQLI_RESIZES times. */
static int64_t sqli_delay_first(sqli_delay_run *dr)
{
    int64_t base = dr->bs->slow_us, want = base + (int64_t)SQLI_DELAY1 * 900000;
    for (int k = 0;; k++) {
        long long n = sqli_amount(dr, SQLI_DELAY1);
        int64_t e = sqli_delay_send(dr, n, SQLI_DELAY1 * 3000 + 15000, NULL), extra = e - base;
        if (e < 0 || e >= want || !dr->dl->counted || k == SQLI_RESIZES || extra < SQLI_CAL_MIN_US ||
            web_stopping(dr->x))
            return e;
        dr->per_s = (double)n * 1e6 / (double)extra;
        if (sqli_amount(dr, SQLI_DELAY2) > SQLI_LOOP_MAX)
            return e;
    }
}

/* One round of delays d1, d2 and zero (d1 first: most pages stop there); true when the
 * timings hold. */
static bool sqli_delay_round(sqli_delay_run *dr)
{
    int64_t base = dr->bs->slow_us, slack_ms = 15000;
    sqli_ans_free(&dr->proof);
    dr->e[1] = dr->e[2] = -1;
    dr->e[0] = sqli_delay_first(dr);
    if (dr->e[0] < base + (int64_t)SQLI_DELAY1 * 900000 || web_stopping(dr->x))
        return false;
    dr->e[1] = sqli_delay_send(dr, sqli_amount(dr, SQLI_DELAY2), SQLI_DELAY2 * 3000 + slack_ms, &dr->proof);
    dr->e[2] = dr->e[1] >= 0 ? sqli_delay_send(dr, 0, slack_ms, NULL) : -1;
    /* a counted loop is held to its own first time (twice the loop, about twice the time); a
     * sleep to the seconds asked */
    if (dr->e[2] < 0)
        return false;
    if (dr->dl->counted)
        return web_sqli_count_holds(base, dr->e[0], dr->e[1], dr->e[2]);
    return web_sqli_time_holds(base, (int64_t)SQLI_DELAY1 * 1000000, dr->e[0], (int64_t)SQLI_DELAY2 * 1000000,
                               dr->e[1], dr->e[2]);
}

/* Only a form whose first delay stood out (sent beside the others') is measured under the
 * process's timing lock (web_timing_lock). */

/* The first delay alone, beside the other workers: true when it stood out. */
static bool sqli_delay_glance(sqli_delay_run *dr)
{
    if (!sqli_calibrate(dr))
        return false;
    return sqli_delay_first(dr) >= dr->bs->slow_us + (int64_t)SQLI_DELAY1 * 900000;
}

static bool sqli_delay_measure(sqli_delay_run *dr)
{
    if (!sqli_calibrate(dr))
        return false;
    bool held = sqli_delay_round(dr);
    /* a counted form whose first delay stood out gets one more round, its speed taken from that
     * longer run: on a busy server the short measuring run is a poor guide */
    int64_t extra = dr->e[0] - dr->bs->slow_us;
    if (!held && dr->dl->counted && extra >= (int64_t)SQLI_DELAY1 * 900000 && !web_stopping(dr->x)) {
        dr->per_s = (double)sqli_amount(dr, SQLI_DELAY1) * 1e6 / (double)extra;
        held = sqli_amount(dr, SQLI_DELAY2) <= SQLI_LOOP_MAX && sqli_delay_round(dr);
    }
    return held;
}

static bool sqli_delay_try(web_ctx *x, const web_target *t, size_t i, const sqli_base *bs, const sqli_delay *dl,
                           kw_rc *rc)
{
    sqli_delay_run dr = {.x = x, .t = t, .i = i, .bs = bs, .dl = dl, .e = {-1, -1, -1}};
    if (!sqli_delay_glance(&dr) || web_stopping(x))
        return false;
    web_timing_lock();
    dr.per_s = 0;
    bool held = sqli_delay_measure(&dr);
    web_timing_unlock();
    if (held)
        *rc = sqli_report_time(&dr);
    sqli_ans_free(&dr.proof);
    return held;
}

static bool sqli_time(web_ctx *x, const web_target *t, size_t i, const sqli_base *bs_str, const sqli_base *bs_num,
                      kw_rc *rc)
{
    for (size_t k = 0; k < sizeof sqli_delays / sizeof *sqli_delays && !web_stopping(x); k++) {
        const sqli_base *bs = sqli_delays[k].numeric ? bs_num : bs_str;
        if (bs && bs->slow_us <= SQLI_SLOW_BASE_US && sqli_delay_try(x, t, i, bs, &sqli_delays[k], rc))
            return true;
    }
    return false;
}

/* ---- the insertion point ---- */

/* The second baseline, for the page's noise and timing (the first one came before). */
static bool sqli_baseline2(web_ctx *x, const web_target *t, size_t i, sqli_base *bs)
{
    if (!sqli_send(x, t, i, bs->seen, "", 0, &bs->a[1]) || bs->a[1].r.status != bs->a[0].r.status)
        return false;
    bs->noise = web_sqli_diff(sqli_body(&bs->a[0]), bs->a[0].r.len, sqli_body(&bs->a[1]), bs->a[1].r.len, NULL, 0);
    int64_t e0 = bs->a[0].r.elapsed_us, e1 = bs->a[1].r.elapsed_us;
    bs->slow_us = e0 > e1 ? e0 : e1;
    return true;
}

/* The baseline the numeric forms go after: the value's own when it is a number; for an empty
 * value, "1" (fetched once, the noise taken from bs); NULL otherwise. */
static const sqli_base *sqli_numeric_base(web_ctx *x, const web_target *t, size_t i, const sqli_base *bs,
                                          sqli_base *one)
{
    if (sqli_numeric(bs->seen))
        return bs;
    if (bs->seen[0] || !sqli_send(x, t, i, "1", "", 0, &one->a[0]))
        return NULL;
    one->seen = "1";
    one->noise = bs->noise;
    one->slow_us = one->a[0].r.elapsed_us > bs->slow_us ? one->a[0].r.elapsed_us : bs->slow_us;
    return one;
}

static bool sqli_done(web_ctx *x, const web_target *t, const char *name)
{
    return web_reported(x, "KW-WEB-SQLI-ERROR", t->url, name) || web_reported(x, "KW-WEB-SQLI-BOOLEAN", t->url, name) ||
           web_reported(x, "KW-WEB-SQLI-TIME", t->url, name);
}

/* Whether answer a differs from bs's baseline beyond its noise (payload p taken out). */
static bool sqli_differs(const sqli_base *bs, const sqli_ans *a, const char *p)
{
    const char *strip[1] = {p};
    return !a->ok || a->r.status != bs->a[0].r.status || sqli_diff(a, &bs->a[0], strip, 1) > 2 * bs->noise;
}

/* Whether the page answered the broken quoting (or, for an empty field, "1") differently from
 * its own value: when it did not, no true/false pair can differ either (a page that ignores
 * the value, or shows a failed query as it shows the value's rows), and the boolean technique
 * is skipped. */
static bool sqli_sensitive(const sqli_base *bs, const sqli_base *one)
{
    return sqli_differs(bs, &bs->broken, sqli_breakers[0]) || (one && sqli_differs(bs, &one->a[0], ""));
}

/* The blind techniques, once the error-based one found nothing. */
static kw_rc sqli_blind(web_ctx *x, const web_target *t, size_t i, sqli_base *bs)
{
    kw_rc rc = KW_OK;
    sqli_base one;
    memset(&one, 0, sizeof one);
    if (!sqli_baseline2(x, t, i, bs))
        return KW_OK;
    const sqli_base *num = sqli_numeric_base(x, t, i, bs, &one);
    if (!(sqli_sensitive(bs, num != bs ? num : NULL) && sqli_boolean(x, t, i, bs, num, &rc)) && !web_stopping(x))
        sqli_time(x, t, i, bs, num, &rc);
    sqli_ans_free(&one.a[0]);
    return rc;
}

static bool sqli_cut(char *v, const char *suffix)
{
    size_t n = strlen(v), l = strlen(suffix);
    if (l == 0 || l > n || strcmp(v + n - l, suffix) != 0)
        return false;
    v[n - l] = '\0';
    return true;
}

/* The value seen, in buf (of n bytes), without a payload of this check at its end: a recheck
 * replays the proof request, whose value is the original one followed by the proving payload
 * (a quote breaker, a confirming false condition, the longer delay). */
static const char *sqli_original(const char *v, char *buf, size_t n)
{
    kw_strlcpy(buf, v, n);
    char p[256];
    for (size_t k = 0; k < sizeof sqli_breakers / sizeof *sqli_breakers; k++)
        if (sqli_cut(buf, sqli_breakers[k]))
            return buf;
    for (size_t k = 0; k < sizeof sqli_forms / sizeof *sqli_forms; k++) {
        snprintf(p, sizeof p, sqli_forms[k].fmt, 7, 8);
        if (sqli_cut(buf, p))
            return buf;
    }
    for (size_t k = 0; k < sizeof sqli_delays / sizeof *sqli_delays; k++) {
        snprintf(p, sizeof p, sqli_delays[k].fmt, (long long)SQLI_DELAY2);
        if (!sqli_delays[k].counted && sqli_cut(buf, p))
            return buf;
    }
    char *loop = strstr(buf, "||(WITH RECURSIVE kw(n)");
    if (loop)
        loop[loop > buf && loop[-1] == '\'' ? -1 : 0] = '\0';
    return buf;
}

static kw_rc sqli_per_param(web_ctx *x, const web_target *t, size_t i, unsigned profile)
{
    const web_param *prm = &t->params[i];
    if ((prm->hidden && !(profile & WEB_THOROUGH)) || sqli_done(x, t, prm->name))
        return KW_OK;
    sqli_base bs;
    memset(&bs, 0, sizeof bs);
    char orig[1024];
    bs.seen = sqli_original(prm->value ? prm->value : "", orig, sizeof orig);
    kw_rc rc = KW_OK;
    if (sqli_send(x, t, i, bs.seen, "", 0, &bs.a[0]) && !sqli_error(x, t, i, &bs, profile, &rc) &&
        (profile & (WEB_STANDARD | WEB_THOROUGH)) && !web_stopping(x))
        rc = sqli_blind(x, t, i, &bs);
    sqli_ans_free(&bs.a[0]);
    sqli_ans_free(&bs.a[1]);
    sqli_ans_free(&bs.broken);
    return rc;
}

const web_check web_check_sqli = {
    .name = "sqli",
    .profiles = WEB_QUICK | WEB_STANDARD | WEB_THOROUGH,
    .per_param = sqli_per_param,
};
