/* The part of Nuclei's DSL that keepwatch evaluates, in `dsl` matchers and in {{expressions}}
 * of requests (pure: no I/O): literals (numbers, '...' and "..." strings, which may hold
 * {{...}}, true, false), names (the answer's values: body, header / all_headers, response,
 * status_code, content_length, a header by its key such as content_type; and the template's
 * variables and payloads), ! && || ( ) +, the comparisons == != < <= > >=, and the functions
 * contains, contains_all, contains_any, starts_with, ends_with, tolower / to_lower, toupper /
 * to_upper, len, regex, hex_encode, base64, url_encode, concat, replace, rand_base, rand_text_alpha,
 * rand_text_numeric, rand_text_alphanumeric, rand_int. Anything else in an expression
 * (another function, a value of another request such as status_code_2, duration) makes the
 * template skipped: expressions are compiled when the template loads. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "scan/scan_web_tmpl.h"

#include <ctype.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_mem.h"

#define DSL_NODES_MAX 256            /* nodes of one expression */
#define DSL_ARGS_MAX 16              /* arguments of one call */

typedef enum dsl_kind { D_NUM, D_STR, D_VAR, D_CALL, D_NOT, D_AND, D_OR, D_CMP, D_ADD } dsl_kind;
typedef enum dsl_fn {
    F_CONTAINS, F_CONTAINS_ALL, F_CONTAINS_ANY, F_STARTS, F_ENDS, F_LOWER, F_UPPER, F_LEN, F_REGEX, F_HEX,
    F_B64, F_URL, F_CONCAT, F_REPLACE, F_RAND_BASE, F_RAND_ALPHA, F_RAND_NUM, F_RAND_ALNUM, F_RAND_INT,
    F_LOWER2, F_UPPER2 /* to_lower, to_upper: the same as tolower, toupper */
} dsl_fn;

static const struct { const char *name; int min, max; } dsl_fns[] = {
    {"contains", 2, 2}, {"contains_all", 2, DSL_ARGS_MAX}, {"contains_any", 2, DSL_ARGS_MAX},
    {"starts_with", 2, DSL_ARGS_MAX}, {"ends_with", 2, DSL_ARGS_MAX}, {"tolower", 1, 1},
    {"toupper", 1, 1}, {"len", 1, 1}, {"regex", 2, 2}, {"hex_encode", 1, 1}, {"base64", 1, 1},
    {"url_encode", 1, 1}, {"concat", 1, DSL_ARGS_MAX}, {"replace", 3, 3}, {"rand_base", 1, 2}, {"rand_text_alpha", 1, 2},
    {"rand_text_numeric", 1, 2}, {"rand_text_alphanumeric", 1, 2}, {"rand_int", 0, 2}, {"to_lower", 1, 1},
    {"to_upper", 1, 1}};

typedef struct dsl_node {
    dsl_kind kind;
    int op;                          /* D_CMP: '=', '!', '<', 'l' (<=), '>', 'g' (>=); D_CALL: dsl_fn */
    int a, b;                        /* children; D_CALL: first argument index in args, count */
    double num;
    char *str;                       /* D_STR: the text; D_VAR: the name */
    size_t len;
    pcre2_code *re;                  /* regex(): compiled when its pattern is a literal */
} dsl_node;

struct web_tmpl_dsl {
    dsl_node n[DSL_NODES_MAX];
    size_t nn;
    int args[DSL_NODES_MAX];
    size_t nargs;
    int root;
};

typedef struct dsl_parser {
    const char *s, *p;
    web_tmpl_dsl *d;
    kw_rc rc;
    char *why;
    size_t whyn;
} dsl_parser;

static int dsl_fail(dsl_parser *ps, kw_rc rc, const char *what, const char *at, size_t n)
{
    if (ps->rc == KW_OK) {
        ps->rc = rc;
        snprintf(ps->why, ps->whyn, "dsl %s '%.*s'", what, (int)(n > 40 ? 40 : n), at);
    }
    return -1;
}

static int dsl_add(dsl_parser *ps, dsl_node nd)
{
    if (ps->d->nn == DSL_NODES_MAX)
        return dsl_fail(ps, KW_ERR_UNSUPPORTED, "expression longer than 256 nodes", ps->s, 20);
    ps->d->n[ps->d->nn] = nd;
    return (int)ps->d->nn++;
}

static void dsl_blank(dsl_parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
        ps->p++;
}

static bool dsl_eat(dsl_parser *ps, const char *tok)
{
    dsl_blank(ps);
    size_t n = strlen(tok);
    if (strncmp(ps->p, tok, n))
        return false;
    ps->p += n;
    return true;
}

static int dsl_or(dsl_parser *ps, int depth);

/* A quoted string (its escapes \\, \', \", \n, \t, \r undone). */
static int dsl_string(dsl_parser *ps)
{
    char q = *ps->p++;
    const char *start = ps->p;
    char *out = kw_malloc(strlen(start) + 1);
    size_t n = 0;
    for (; *ps->p && *ps->p != q; ps->p++) {
        char ch = *ps->p;
        if (ch == '\\' && ps->p[1]) {
            ch = *++ps->p;
            ch = ch == 'n' ? '\n' : ch == 't' ? '\t' : ch == 'r' ? '\r' : ch;
        }
        out[n++] = ch;
    }
    out[n] = '\0';
    if (*ps->p != q) {
        free(out);
        return dsl_fail(ps, KW_ERR_PARSE, "string without its closing quote", start - 1, 20);
    }
    ps->p++;
    int i = dsl_add(ps, (dsl_node){.kind = D_STR, .str = out, .len = n});
    if (i < 0)
        free(out);
    return i;
}

/* A name an expression may read: not a value of another request (body_2, status_code_1) nor one
 * keepwatch does not make (duration, interactsh_*). Whether it has a value is the loader's
 * check (scan_web_tmpl_match.c) and the answer's. */
static bool dsl_var_ok(const char *name, size_t n)
{
    static const char *const other[] = {"duration", "request", "host", "ip", "matched", "interactsh_protocol",
                                        "interactsh_request", "interactsh_response", "raw", NULL};
    for (const char *const *k = other; *k; k++)
        if (strlen(*k) == n && !memcmp(*k, name, n))
            return false;
    size_t d = n;
    while (d > 0 && isdigit((unsigned char)name[d - 1]))
        d--;
    return !(d < n && d > 0 && name[d - 1] == '_');
}

static int dsl_call(dsl_parser *ps, const char *name, size_t n, int depth)
{
    int fn = -1;
    for (size_t i = 0; i < sizeof dsl_fns / sizeof *dsl_fns; i++)
        if (strlen(dsl_fns[i].name) == n && !memcmp(dsl_fns[i].name, name, n))
            fn = (int)i;
    if (fn < 0)
        return dsl_fail(ps, KW_ERR_UNSUPPORTED, "function", name, n);
    fn = fn == F_LOWER2 ? F_LOWER : fn == F_UPPER2 ? F_UPPER : fn;
    int argv[DSL_ARGS_MAX], argc = 0;
    if (!dsl_eat(ps, ")"))
        do {
            if (argc == DSL_ARGS_MAX)
                return dsl_fail(ps, KW_ERR_UNSUPPORTED, "call with more than 16 arguments", name, n);
            if ((argv[argc++] = dsl_or(ps, depth + 1)) < 0)
                return -1;
        } while (dsl_eat(ps, ","));
    if (argc && !dsl_eat(ps, ")"))
        return dsl_fail(ps, KW_ERR_PARSE, "call without its ')'", name, n);
    if (argc < dsl_fns[fn].min || argc > dsl_fns[fn].max)
        return dsl_fail(ps, KW_ERR_PARSE, "wrong number of arguments to", name, n);
    web_tmpl_dsl *d = ps->d;
    if (d->nargs + (size_t)argc > DSL_NODES_MAX)
        return dsl_fail(ps, KW_ERR_UNSUPPORTED, "expression too long", name, n);
    int first = (int)d->nargs;
    memcpy(d->args + d->nargs, argv, (size_t)argc * sizeof *argv);
    d->nargs += (size_t)argc;
    return dsl_add(ps, (dsl_node){.kind = D_CALL, .op = fn, .a = first, .b = argc});
}

static int dsl_primary(dsl_parser *ps, int depth)
{
    dsl_blank(ps);
    const char *p = ps->p;
    if (depth > 32)
        return dsl_fail(ps, KW_ERR_UNSUPPORTED, "expression nested deeper than 32", p, 10);
    if (*p == '(') {
        ps->p++;
        int e = dsl_or(ps, depth + 1);
        return e < 0 ? -1 : dsl_eat(ps, ")") ? e : dsl_fail(ps, KW_ERR_PARSE, "'(' without its ')'", p, 20);
    }
    if (*p == '"' || *p == '\'')
        return dsl_string(ps);
    if (isdigit((unsigned char)*p)) {
        char *end;
        double v = strtod(p, &end);
        ps->p = end;
        return dsl_add(ps, (dsl_node){.kind = D_NUM, .num = v});
    }
    size_t n = 0;
    while (isalnum((unsigned char)p[n]) || p[n] == '_')
        n++;
    if (n == 0 || isdigit((unsigned char)*p))
        return dsl_fail(ps, KW_ERR_PARSE, "syntax at", p, 20);
    ps->p += n;
    if (dsl_eat(ps, "("))
        return dsl_call(ps, p, n, depth);
    if ((n == 4 && !memcmp(p, "true", 4)) || (n == 5 && !memcmp(p, "false", 5)))
        return dsl_add(ps, (dsl_node){.kind = D_NUM, .num = n == 4});
    if (!dsl_var_ok(p, n))
        return dsl_fail(ps, KW_ERR_UNSUPPORTED, "variable", p, n);
    return dsl_add(ps, (dsl_node){.kind = D_VAR, .str = kw_strndup(p, n), .len = n});
}

/* primary ('+' primary)*: a sum of numbers, else the texts joined. */
static int dsl_sum(dsl_parser *ps, int depth)
{
    int a = dsl_primary(ps, depth);
    while (a >= 0 && dsl_eat(ps, "+")) {
        int b = dsl_primary(ps, depth + 1);
        a = b < 0 ? -1 : dsl_add(ps, (dsl_node){.kind = D_ADD, .a = a, .b = b});
    }
    return a;
}

static int dsl_unary(dsl_parser *ps, int depth)
{
    dsl_blank(ps);
    if (ps->p[0] == '!' && ps->p[1] != '=') {
        ps->p++;
        int a = dsl_unary(ps, depth + 1);
        return a < 0 ? -1 : dsl_add(ps, (dsl_node){.kind = D_NOT, .a = a});
    }
    int a = dsl_sum(ps, depth);
    if (a < 0)
        return -1;
    static const struct { const char *tok; int op; } ops[] = {
        {"==", '='}, {"!=", '!'}, {"<=", 'l'}, {">=", 'g'}, {"<", '<'}, {">", '>'}};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (dsl_eat(ps, ops[i].tok)) {
            int b = dsl_sum(ps, depth + 1);
            return b < 0 ? -1 : dsl_add(ps, (dsl_node){.kind = D_CMP, .op = ops[i].op, .a = a, .b = b});
        }
    return a;
}

static int dsl_and(dsl_parser *ps, int depth)
{
    int a = dsl_unary(ps, depth);
    while (a >= 0 && dsl_eat(ps, "&&")) {
        int b = dsl_unary(ps, depth);
        a = b < 0 ? -1 : dsl_add(ps, (dsl_node){.kind = D_AND, .a = a, .b = b});
    }
    return a;
}

static int dsl_or(dsl_parser *ps, int depth)
{
    int a = dsl_and(ps, depth);
    while (a >= 0 && dsl_eat(ps, "||")) {
        int b = dsl_and(ps, depth);
        a = b < 0 ? -1 : dsl_add(ps, (dsl_node){.kind = D_OR, .a = a, .b = b});
    }
    return a;
}

/* regex() with a literal pattern: compiled once here. */
static void dsl_compile_regexes(dsl_parser *ps)
{
    web_tmpl_dsl *d = ps->d;
    for (size_t i = 0; i < d->nn && ps->rc == KW_OK; i++) {
        dsl_node *nd = &d->n[i];
        if (nd->kind != D_CALL || nd->op != F_REGEX)
            continue;
        dsl_node *pat = &d->n[d->args[nd->a]];
        if (pat->kind != D_STR) {
            dsl_fail(ps, KW_ERR_UNSUPPORTED, "regex with a pattern that is not a string", "regex", 5);
            break;
        }
        int ec;
        PCRE2_SIZE off;
        nd->re = pcre2_compile((PCRE2_SPTR)pat->str, pat->len, 0, &ec, &off, NULL);
        if (!nd->re)
            dsl_fail(ps, KW_ERR_UNSUPPORTED, "regex that does not compile here", pat->str, pat->len);
        else
            pcre2_jit_compile(nd->re, PCRE2_JIT_COMPLETE);
    }
}

const char *web_tmpl_dsl_var(const web_tmpl_dsl *d, size_t i)
{
    for (size_t k = 0; k < d->nn; k++)
        if (d->n[k].kind == D_VAR && i-- == 0)
            return d->n[k].str;
    return NULL;
}

void web_tmpl_dsl_free(web_tmpl_dsl *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nn; i++) {
        free(d->n[i].str);
        pcre2_code_free(d->n[i].re);
    }
    free(d);
}

kw_rc web_tmpl_dsl_compile(const char *src, web_tmpl_dsl **out, char *why, size_t whyn)
{
    dsl_parser ps = {src, src, kw_calloc(1, sizeof *ps.d), KW_OK, why, whyn};
    *out = NULL;
    ps.d->root = dsl_or(&ps, 0);
    dsl_blank(&ps);
    if (ps.rc == KW_OK && *ps.p)
        dsl_fail(&ps, KW_ERR_PARSE, "syntax at", ps.p, strlen(ps.p));
    if (ps.rc == KW_OK)
        dsl_compile_regexes(&ps);
    if (ps.rc != KW_OK) {
        web_tmpl_dsl_free(ps.d);
        return ps.rc;
    }
    *out = ps.d;
    return KW_OK;
}

/* ---- evaluation ---- */

typedef struct dsl_val {
    bool is_num, ok;                 /* ok false: an error (an absent header, a wrong type) */
    double num;
    const char *s;
    size_t n;
    char *own;                       /* s when it was made here (tolower) */
} dsl_val;

typedef struct dsl_env {
    const web_tmpl_dsl *d;
    const web_tmpl_dsl_io *io;
} dsl_env;

static dsl_val dsl_eval(dsl_env *e, int i);

static void dsl_val_free(dsl_val *v)
{
    free(v->own);
    v->own = NULL;
}

static dsl_val dsl_bool(bool b)
{
    return (dsl_val){.is_num = true, .ok = true, .num = b ? 1 : 0};
}

static bool dsl_truth(const dsl_val *v)
{
    return v->ok && (v->is_num ? v->num != 0 : v->n > 0);
}

static bool dsl_has(const dsl_val *h, const dsl_val *nd, int how)
{
    if (nd->n > h->n)
        return false;
    if (how == F_STARTS)
        return !memcmp(h->s, nd->s, nd->n);
    if (how == F_ENDS)
        return !memcmp(h->s + h->n - nd->n, nd->s, nd->n);
    return nd->n == 0 || memmem(h->s, h->n, nd->s, nd->n) != NULL;
}

/* contains, contains_all, contains_any, starts_with, ends_with. */
static dsl_val dsl_search(dsl_env *e, const dsl_node *nd, const dsl_val *h)
{
    bool all = nd->op == F_CONTAINS_ALL, any = false, every = true;
    for (int k = 1; k < nd->b; k++) {
        dsl_val x = dsl_eval(e, e->d->args[nd->a + k]);
        bool ok = x.ok && !x.is_num && dsl_has(h, &x, nd->op);
        dsl_val_free(&x);
        any = any || ok;
        every = every && ok;
    }
    return dsl_bool(all || nd->op == F_CONTAINS ? every : any);
}

static dsl_val dsl_case(const dsl_val *v, bool lower)
{
    char *o = kw_malloc(v->n + 1);
    for (size_t i = 0; i < v->n; i++)
        o[i] = (char)(lower ? tolower((unsigned char)v->s[i]) : toupper((unsigned char)v->s[i]));
    o[v->n] = '\0';
    return (dsl_val){.ok = true, .s = o, .n = v->n, .own = o};
}

static dsl_val dsl_hex(const dsl_val *v)
{
    static const char digits[] = "0123456789abcdef";
    char *o = kw_malloc(2 * v->n + 1);
    for (size_t i = 0; i < v->n; i++) {
        o[2 * i] = digits[(unsigned char)v->s[i] >> 4];
        o[2 * i + 1] = digits[(unsigned char)v->s[i] & 15];
    }
    o[2 * v->n] = '\0';
    return (dsl_val){.ok = true, .s = o, .n = 2 * v->n, .own = o};
}

/* The text of a value (a number in its shortest form) into out. */
static void dsl_text(const dsl_val *v, kw_buf *out)
{
    if (v->is_num)
        kw_buf_printf(out, "%.15g", v->num);
    else
        kw_buf_append(out, v->s, v->n);
}

static dsl_val dsl_own(kw_buf *b)
{
    size_t n = b->len;
    char *o = kw_buf_take(b);
    o = o ? o : kw_strdup("");
    return (dsl_val){.ok = true, .s = o, .n = n, .own = o};
}

static dsl_val dsl_encode(const dsl_val *v, int fn)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    kw_buf b;
    kw_buf_init(&b, 4 * v->n + 16);
    const unsigned char *p = (const unsigned char *)v->s;
    for (size_t i = 0; fn == F_B64 && i < v->n; i += 3) {
        unsigned x = (unsigned)p[i] << 16 | (i + 1 < v->n ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < v->n ? p[i + 2] : 0);
        char q[4] = {b64[x >> 18 & 63], b64[x >> 12 & 63], i + 1 < v->n ? b64[x >> 6 & 63] : '=', i + 2 < v->n ? b64[x & 63] : '='};
        kw_buf_append(&b, q, 4);
    }
    for (size_t i = 0; fn == F_URL && i < v->n; i++) {
        if (isalnum(p[i]) || strchr("-_.~", p[i]))
            kw_buf_putc(&b, (char)p[i]);
        else
            kw_buf_printf(&b, "%%%02X", p[i]);
    }
    return dsl_own(&b);
}

static dsl_val dsl_concat(dsl_env *e, const dsl_node *nd)
{
    kw_buf b;
    kw_buf_init(&b, 1u << 20);
    bool ok = true;
    for (int k = 0; k < nd->b && ok; k++) {
        dsl_val x = dsl_eval(e, e->d->args[nd->a + k]);
        ok = x.ok;
        dsl_text(&x, &b);
        dsl_val_free(&x);
    }
    dsl_val r = dsl_own(&b);
    r.ok = ok;
    return r;
}

/* FNV-1a over the run's seed, the call's place in the expression and its first argument: the
 * same call gives the same value all through one template's run (its requests and its
 * matchers agree), another run another. */
static uint64_t dsl_hash(const dsl_env *e, const dsl_node *nd, double arg)
{
    uint64_t h = 1469598103934665603ull;
    const char *seed = e->io->seed ? e->io->seed : "";
    char tail[64];
    int n = snprintf(tail, sizeof tail, "|%d|%d|%.15g", nd->op, nd->a, arg);
    for (const char *p = seed; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    for (int i = 0; i < n; i++)
        h = (h ^ (unsigned char)tail[i]) * 1099511628211ull;
    return h;
}

/* rand_base(n[, charset]), rand_text_alpha(n), rand_text_numeric(n), rand_text_alphanumeric(n),
 * rand_int([min[, max]]): pseudo-random from the run's seed (markers, not secrets). */
static dsl_val dsl_rand(dsl_env *e, const dsl_node *nd)
{
    static const char *const sets[] = {"abcdefghijklmnopqrstuvwxyz0123456789", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                       "0123456789", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"};
    dsl_val a = nd->b > 0 ? dsl_eval(e, e->d->args[nd->a]) : (dsl_val){.is_num = true, .ok = true, .num = 0};
    dsl_val c = nd->b > 1 ? dsl_eval(e, e->d->args[nd->a + 1]) : (dsl_val){.ok = true};
    dsl_val r = {0};
    uint64_t h = dsl_hash(e, nd, a.num);
    if (nd->op == F_RAND_INT && a.ok && c.ok && a.is_num && (nd->b < 2 || c.is_num)) {
        double lo = nd->b ? a.num : 0, hi = nd->b > 1 ? c.num : 2147483647.0;
        r = hi >= lo && hi - lo < 1e15 ? (dsl_val){.is_num = true, .ok = true, .num = lo + (double)(h % (uint64_t)(hi - lo + 1))} : r;
    } else if (nd->op != F_RAND_INT && a.ok && a.is_num && a.num >= 0 && a.num <= 1024 && c.ok && !(nd->b > 1 && (c.is_num || !c.n))) {
        const char *set = nd->b > 1 ? c.s : sets[nd->op - F_RAND_BASE];
        size_t setn = nd->b > 1 ? c.n : strlen(set);
        kw_buf b;
        kw_buf_init(&b, 1100);
        for (size_t i = 0; i < (size_t)a.num; i++, h = h * 6364136223846793005ull + 1442695040888963407ull)
            kw_buf_putc(&b, set[(h >> 33) % setn]);
        r = dsl_own(&b);
    }
    dsl_val_free(&a);
    dsl_val_free(&c);
    return r;
}

/* replace(s, old, new): every old in s by new. */
static dsl_val dsl_replace(dsl_env *e, const dsl_node *nd)
{
    dsl_val v[3];
    bool ok = true;
    for (int k = 0; k < 3; k++) {
        v[k] = dsl_eval(e, e->d->args[nd->a + k]);
        ok = ok && v[k].ok && !v[k].is_num;
    }
    dsl_val r = {0};
    if (ok && v[1].n) {
        kw_buf b;
        kw_buf_init(&b, 1u << 20);
        const char *p = v[0].s, *end = v[0].s + v[0].n;
        for (const char *f; (f = memmem(p, (size_t)(end - p), v[1].s, v[1].n)); p = f + v[1].n) {
            kw_buf_append(&b, p, (size_t)(f - p));
            kw_buf_append(&b, v[2].s, v[2].n);
        }
        kw_buf_append(&b, p, (size_t)(end - p));
        r = dsl_own(&b);
        r.ok = !b.overflow;
    }
    for (int k = 0; k < 3; k++)
        dsl_val_free(&v[k]);
    return r;
}

static dsl_val dsl_fn_call(dsl_env *e, const dsl_node *nd)
{
    if (nd->op == F_CONCAT)
        return dsl_concat(e, nd);
    if (nd->op == F_REPLACE)
        return dsl_replace(e, nd);
    if (nd->op >= F_RAND_BASE && nd->op <= F_RAND_INT)
        return dsl_rand(e, nd);
    int last = nd->op == F_REGEX ? 1 : 0;
    dsl_val h = dsl_eval(e, e->d->args[nd->a + last]), r = {0};
    if (!h.ok || (h.is_num && nd->op != F_LEN)) {
        dsl_val_free(&h);
        return r;
    }
    switch (nd->op) {
    case F_LOWER:
    case F_UPPER:
        r = dsl_case(&h, nd->op == F_LOWER);
        break;
    case F_HEX:
        r = dsl_hex(&h);
        break;
    case F_B64:
    case F_URL:
        r = dsl_encode(&h, nd->op);
        break;
    case F_LEN:
        r = (dsl_val){.is_num = true, .ok = true, .num = h.is_num ? 0 : (double)h.n};
        break;
    case F_REGEX:
        r = dsl_bool(pcre2_match(nd->re, (PCRE2_SPTR)h.s, h.n, 0, 0, e->io->md, e->io->mc) >= 0);
        break;
    default:
        r = dsl_search(e, nd, &h);
        break;
    }
    dsl_val_free(&h);
    return r;
}

static int dsl_compare(const dsl_val *a, const dsl_val *b)
{
    if (a->is_num && b->is_num)
        return a->num < b->num ? -1 : a->num > b->num;
    if (a->is_num != b->is_num) {
        char buf[64];
        const dsl_val *num = a->is_num ? a : b, *str = a->is_num ? b : a;
        int n = snprintf(buf, sizeof buf, "%.15g", num->num);
        int c = (size_t)n == str->n && !memcmp(buf, str->s, str->n) ? 0 : 2;
        return c;
    }
    size_t n = a->n < b->n ? a->n : b->n;
    int c = memcmp(a->s, b->s, n);
    return c ? (c < 0 ? -1 : 1) : a->n < b->n ? -1 : a->n > b->n;
}

static dsl_val dsl_cmp(dsl_env *e, const dsl_node *nd)
{
    dsl_val a = dsl_eval(e, nd->a), b = dsl_eval(e, nd->b), r = {0};
    if (a.ok && b.ok) {
        int c = dsl_compare(&a, &b);
        bool ordered = c != 2 && (a.is_num == b.is_num);
        switch (nd->op) {
        case '=': r = dsl_bool(c == 0); break;
        case '!': r = dsl_bool(c != 0); break;
        case '<': r = ordered ? dsl_bool(c < 0) : r; break;
        case 'l': r = ordered ? dsl_bool(c <= 0) : r; break;
        case '>': r = ordered ? dsl_bool(c > 0) : r; break;
        default: r = ordered ? dsl_bool(c >= 0) : r; break;
        }
    }
    dsl_val_free(&a);
    dsl_val_free(&b);
    return r;
}

/* a + b: numbers add, anything else joins as text. */
static dsl_val dsl_plus(dsl_env *e, const dsl_node *nd)
{
    dsl_val a = dsl_eval(e, nd->a), b = dsl_eval(e, nd->b), r = {0};
    if (a.ok && b.ok && a.is_num && b.is_num) {
        r = (dsl_val){.is_num = true, .ok = true, .num = a.num + b.num};
    } else if (a.ok && b.ok) {
        kw_buf t;
        kw_buf_init(&t, 1u << 20);
        dsl_text(&a, &t);
        dsl_text(&b, &t);
        r = dsl_own(&t);
    }
    dsl_val_free(&a);
    dsl_val_free(&b);
    return r;
}

/* A string literal; one holding {{...}} is expanded first. */
static dsl_val dsl_str(dsl_env *e, const dsl_node *nd)
{
    if (!e->io->expand || !memmem(nd->str, nd->len, "{{", 2))
        return (dsl_val){.ok = true, .s = nd->str, .n = nd->len};
    kw_buf b;
    kw_buf_init(&b, 1u << 20);
    bool ok = e->io->expand(e->io->arg, nd->str, &b) == KW_OK;
    dsl_val r = dsl_own(&b);
    r.ok = ok;
    return r;
}

static dsl_val dsl_eval(dsl_env *e, int i)
{
    const dsl_node *nd = &e->d->n[i];
    dsl_val a, r = {0};
    switch (nd->kind) {
    case D_NUM:
        return (dsl_val){.is_num = true, .ok = true, .num = nd->num};
    case D_STR:
        return dsl_str(e, nd);
    case D_VAR:
        r.ok = e->io->get(e->io->arg, nd->str, &r.s, &r.n, &r.num, &r.is_num);
        return r;
    case D_ADD:
        return dsl_plus(e, nd);
    case D_CALL:
        return dsl_fn_call(e, nd);
    case D_CMP:
        return dsl_cmp(e, nd);
    case D_NOT:
        a = dsl_eval(e, nd->a);
        r = a.ok ? dsl_bool(!dsl_truth(&a)) : r;
        dsl_val_free(&a);
        return r;
    default: /* D_AND, D_OR, short-circuit */
        a = dsl_eval(e, nd->a);
        bool t = dsl_truth(&a);
        dsl_val_free(&a);
        if (t == (nd->kind == D_OR))
            return dsl_bool(t);
        a = dsl_eval(e, nd->b);
        r = dsl_bool(dsl_truth(&a));
        dsl_val_free(&a);
        return r;
    }
}

bool web_tmpl_dsl_eval(const web_tmpl_dsl *d, const web_tmpl_dsl_io *io)
{
    dsl_env e = {d, io};
    dsl_val v = dsl_eval(&e, d->root);
    bool t = dsl_truth(&v);
    dsl_val_free(&v);
    return t;
}

kw_rc web_tmpl_dsl_value(const web_tmpl_dsl *d, const web_tmpl_dsl_io *io, kw_buf *out)
{
    dsl_env e = {d, io};
    dsl_val v = dsl_eval(&e, d->root);
    kw_rc rc = v.ok ? KW_OK : KW_ERR_NOTFOUND;
    if (v.ok && d->n[d->root].kind >= D_NOT && d->n[d->root].kind <= D_CMP)
        kw_buf_puts(out, dsl_truth(&v) ? "true" : "false");
    else if (v.ok)
        dsl_text(&v, out);
    dsl_val_free(&v);
    return rc;
}
