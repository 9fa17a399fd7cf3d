/* Hyperscan prefilters for the rules that have no fast pattern, only expressions (pcre:): the
 * first expression such a rule must match somewhere in its buffer is compiled by Hyperscan
 * in prefilter mode (it may match more, never less), so the rule is verified only when that
 * matched, instead of on every input. The loosened expressions take Hyperscan tens of
 * milliseconds to compile, so they are compiled on a thread of their own; until they are
 * ready such rules are candidates on every input, as without Hyperscan: the same results,
 * sooner or later faster.
 *
 * The job owns copies of what it compiles and what it produces; the set and the thread each
 * drop their hold when done, and the last one frees it. */
#include "net/net_sig_int.h"
#include "core/kw_mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOOSE_REPEAT 16

/* Appends to w the repeat "{lo,hi}" (or "{lo,}", "{lo}") at re[*i], loosened to "{m,}" with
 * m = min(lo, LOOSE_REPEAT) when a bound exceeds LOOSE_REPEAT; false when re[*i] starts no
 * repeat or a small one (nothing written). */
static bool loosen_repeat(const char *re, size_t n, size_t *i, char **w)
{
    unsigned long lo = 0, hi = 0;
    size_t j = *i + 1;
    bool lo_digits = false, comma = false, hi_digits = false;
    for (; j < n && re[j] >= '0' && re[j] <= '9'; j++, lo_digits = true)
        lo = lo < 100000 ? lo * 10 + (unsigned long)(re[j] - '0') : lo;
    if (j < n && re[j] == ',')
        for (comma = true, j++; j < n && re[j] >= '0' && re[j] <= '9'; j++, hi_digits = true)
            hi = hi < 100000 ? hi * 10 + (unsigned long)(re[j] - '0') : hi;
    bool big = lo > LOOSE_REPEAT || (comma && hi_digits && hi > LOOSE_REPEAT);
    if (!lo_digits || j >= n || re[j] != '}' || !big)
        return false;
    *w += sprintf(*w, "{%lu,}", lo < LOOSE_REPEAT ? lo : (unsigned long)LOOSE_REPEAT);
    *i = j;
    return true;
}

/* re with its large counted repeats loosened ({1,300} -> {1,}, {52,63} -> {16,}): it still
 * matches whatever re matches, and compiles in a fraction of the time and memory. */
char *sig_prefilter_expr(const char *re)
{
    size_t n = strlen(re);
    char *out = kw_calloc(2 * n + 1, 1), *w = out; /* "{17}" -> "{16,}" grows */
    bool in_class = false;
    for (size_t i = 0; i < n; i++) {
        char c = re[i];
        if (c == '\\' && i + 1 < n) {
            *w++ = c, *w++ = re[++i];
        } else if (!in_class && c == '[') { /* a class: its braces are characters, as is a first ']' */
            *w++ = c;
            if (i + 1 < n && re[i + 1] == '^')
                *w++ = re[++i];
            if (i + 1 < n && re[i + 1] == ']')
                *w++ = re[++i];
            in_class = true;
        } else if (in_class || c != '{' || !loosen_repeat(re, n, &i, &w)) {
            in_class = in_class && c != ']';
            *w++ = c;
        }
    }
    *w = '\0';
    return out;
}

#ifdef KW_HAVE_HS
#include "core/kw_hs.h" /* Hyperscan, with its compile cache */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

enum { PRE_COMPILING, PRE_READY };

struct sig_prefilter {
    atomic_int state;
    atomic_int holds;              /* the set and the thread */
    size_t n;                      /* expressions to prefilter */
    char **expr;
    unsigned *flags;
    uint8_t *buf;
    uint32_t *rule;
    bool *ok;                      /* it compiled (in its buffer's database) */
    uint32_t *always_in;           /* every rule without a fast pattern */
    size_t nalways_in;
    hs_database_t *db[NET_BUF_COUNT];
    uint32_t *map[NET_BUF_COUNT];  /* a database's id: its rule */
    uint32_t *always;              /* when ready: the rules still candidates on every input */
    size_t nalways;
};

/* The expression of a rule without a fast pattern that can be prefiltered: its first pcre
 * that must match somewhere in its buffer (not negated, not relative, no dot prefix, no
 * option Hyperscan lacks), or NULL. */
static const sig_elem *prefilter_elem(const net_sig_rule *r)
{
    const uint32_t known = PCRE2_CASELESS | PCRE2_DOTALL | PCRE2_MULTILINE | PCRE2_ANCHORED | PCRE2_DOLLAR_ENDONLY |
                           PCRE2_UNGREEDY;
    for (size_t i = 0; i < r->nel; i++) {
        const sig_elem *e = &r->el[i];
        if (e->kind == SIG_PCRE && !e->neg && !e->relative && !e->dot && e->re_src && e->buf < NET_BUF_COUNT &&
            !(e->re_opts & ~known))
            return e;
    }
    return NULL;
}

/* Hyperscan's flags for e's prefilter: anchoring, $ at the very end and greediness only
 * narrow or move a match, so leaving them out keeps every match. */
static unsigned prefilter_flags(const sig_elem *e)
{
    return HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH | (e->re_opts & PCRE2_CASELESS ? HS_FLAG_CASELESS : 0) |
           (e->re_opts & PCRE2_DOTALL ? HS_FLAG_DOTALL : 0) | (e->re_opts & PCRE2_MULTILINE ? HS_FLAG_MULTILINE : 0);
}

static void job_free(sig_prefilter *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->expr[i]);
    free(p->expr);
    free(p->flags);
    free(p->buf);
    free(p->rule);
    free(p->ok);
    free(p->always_in);
    for (int b = 0; b < NET_BUF_COUNT; b++) {
        hs_free_database(p->db[b]);
        free(p->map[b]);
    }
    free(p->always);
    free(p);
}

/* Jobs compiling now: past JOBS_MAX (sets built faster than compiled, as a fuzzer does) a
 * new set goes without prefilters rather than pile up threads. */
#define JOBS_MAX 2
static atomic_int jobs_running;

static void job_drop(sig_prefilter *p)
{
    if (atomic_fetch_sub_explicit(&p->holds, 1, memory_order_acq_rel) == 1)
        job_free(p);
}

/* Buffer b's database of the expressions still ok; NULL when none or it will not compile. */
static hs_database_t *build_buf(sig_prefilter *p, int b)
{
    const char **expr = kw_calloc(p->n + 1, sizeof *expr);
    unsigned *flags = kw_calloc(p->n + 1, sizeof *flags), *ids = kw_calloc(p->n + 1, sizeof *ids);
    unsigned k = 0;
    free(p->map[b]);
    p->map[b] = kw_calloc(p->n + 1, sizeof *p->map[b]);
    for (size_t i = 0; i < p->n; i++)
        if (p->buf[i] == b && p->ok[i]) {
            expr[k] = p->expr[i], flags[k] = p->flags[i], ids[k] = k;
            p->map[b][k++] = p->rule[i];
        }
    hs_database_t *db = NULL;
    hs_compile_error_t *ce = NULL;
    if (k && kw_hs_compile(expr, NULL, flags, ids, k, HS_MODE_BLOCK, &db, &ce) != HS_SUCCESS)
        db = NULL;
    hs_free_compile_error(ce);
    free(expr);
    free(flags);
    free(ids);
    return db;
}

static bool compiles_alone(const char *expr, unsigned flags)
{
    hs_database_t *db = NULL;
    hs_compile_error_t *ce = NULL;
    bool ok = hs_compile(expr, flags, HS_MODE_BLOCK, NULL, &db, &ce) == HS_SUCCESS;
    hs_free_database(db);
    hs_free_compile_error(ce);
    return ok;
}

static bool buf_used(const sig_prefilter *p, int b)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->buf[i] == b && p->ok[i])
            return true;
    return false;
}

/* Each buffer's database; when one will not compile (a construct Hyperscan lacks), each of
 * its expressions alone, and those that fail stay candidates always. */
static void *job_main(void *arg)
{
    sig_prefilter *p = arg;
    for (int b = 0; b < NET_BUF_COUNT; b++) {
        if (!buf_used(p, b) || (p->db[b] = build_buf(p, b)) != NULL)
            continue;
        for (size_t i = 0; i < p->n; i++)
            if (p->buf[i] == b && p->ok[i])
                p->ok[i] = compiles_alone(p->expr[i], p->flags[i]);
        if (buf_used(p, b) && !(p->db[b] = build_buf(p, b)))
            for (size_t i = 0; i < p->n; i++)
                p->ok[i] = p->ok[i] && p->buf[i] != b;
    }
    p->always = kw_calloc(p->nalways_in + 1, sizeof *p->always);
    for (size_t j = 0; j < p->nalways_in; j++) {
        bool pre = false;
        for (size_t i = 0; i < p->n && !pre; i++)
            pre = p->ok[i] && p->rule[i] == p->always_in[j];
        if (!pre)
            p->always[p->nalways++] = p->always_in[j];
    }
    atomic_store_explicit(&p->state, PRE_READY, memory_order_release);
    atomic_fetch_sub(&jobs_running, 1);
    job_drop(p);
    return NULL;
}

uint32_t sig_prefilter_bufs(const net_sig_set *s)
{
    uint32_t bufs = 0;
    for (size_t j = 0; j < s->nalways; j++) {
        const sig_elem *e = prefilter_elem(s->rules[s->always[j]]);
        if (e)
            bufs |= 1u << e->buf;
    }
    return bufs;
}

sig_prefilter *sig_prefilter_start(const net_sig_set *s)
{
    size_t n = 0;
    for (size_t j = 0; j < s->nalways; j++)
        n += prefilter_elem(s->rules[s->always[j]]) != NULL;
    if (!n)
        return NULL;
    if (atomic_fetch_add(&jobs_running, 1) >= JOBS_MAX) {
        atomic_fetch_sub(&jobs_running, 1);
        return NULL;
    }
    sig_prefilter *p = kw_calloc(1, sizeof *p);
    p->expr = kw_calloc(n, sizeof *p->expr);
    p->flags = kw_calloc(n, sizeof *p->flags);
    p->buf = kw_calloc(n, sizeof *p->buf);
    p->rule = kw_calloc(n, sizeof *p->rule);
    p->ok = kw_calloc(n, sizeof *p->ok);
    p->always_in = kw_calloc(s->nalways, sizeof *p->always_in);
    memcpy(p->always_in, s->always, s->nalways * sizeof *p->always_in);
    p->nalways_in = s->nalways;
    for (size_t j = 0; j < s->nalways; j++) {
        const sig_elem *e = prefilter_elem(s->rules[s->always[j]]);
        if (!e)
            continue;
        p->expr[p->n] = sig_prefilter_expr(e->re_src);
        p->flags[p->n] = prefilter_flags(e);
        p->buf[p->n] = e->buf;
        p->rule[p->n] = s->always[j];
        p->ok[p->n++] = true;
    }
    atomic_init(&p->state, PRE_COMPILING);
    atomic_init(&p->holds, 2);
    pthread_t t;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    bool started = pthread_create(&t, &at, job_main, p) == 0;
    pthread_attr_destroy(&at);
    if (!started) {
        atomic_fetch_sub(&jobs_running, 1);
        job_free(p);
        return NULL;
    }
    return p;
}

const sig_prefilter *sig_prefilter_ready(const sig_prefilter *p, bool wait)
{
    if (!p)
        return NULL;
    int st;
    while ((st = atomic_load_explicit(&p->state, memory_order_acquire)) == PRE_COMPILING && wait)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    return st == PRE_READY ? p : NULL;
}

void *sig_prefilter_db(const sig_prefilter *p, int buf) { return p->db[buf]; }
const uint32_t *sig_prefilter_map(const sig_prefilter *p, int buf) { return p->map[buf]; }

const uint32_t *sig_prefilter_always(const sig_prefilter *p, size_t *n)
{
    *n = p->nalways;
    return p->always;
}

void sig_prefilter_release(sig_prefilter *p)
{
    if (p)
        job_drop(p);
}

#endif
