#include "alert/alert_expr.h"
#include "core/kw_json.h"
#include "core/kw_mem.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *s;
    size_t i;
    char *err;
    size_t errn;
    size_t *errpos;
} expr_lexer;

static kw_rc expr_fail(expr_lexer *lx, const char *msg)
{
    snprintf(lx->err, lx->errn, "%s", msg);
    *lx->errpos = lx->i;
    return KW_ERR_PARSE;
}

static void expr_skip_ws(expr_lexer *lx)
{
    while (lx->s[lx->i] == ' ' || lx->s[lx->i] == '\t')
        lx->i++;
}

static bool is_ident_start(char c) { return isalpha((unsigned char)c) || c == '_'; }
static bool is_ident(char c) { return isalnum((unsigned char)c) || c == '_' || c == ':'; }

static char *expr_ident(expr_lexer *lx)
{
    if (!is_ident_start(lx->s[lx->i]))
        return NULL;
    size_t start = lx->i;
    while (is_ident(lx->s[lx->i]))
        lx->i++;
    return kw_strndup(lx->s + start, lx->i - start);
}

/* A double-quoted string with \" and \\ escapes. */
static char *expr_string(expr_lexer *lx)
{
    if (lx->s[lx->i] != '"')
        return NULL;
    size_t start = lx->i++;
    char buf[RULE_EXPR_MAX_LEN];
    size_t n = 0;
    while (lx->s[lx->i] && lx->s[lx->i] != '"') {
        char c = lx->s[lx->i++];
        if (c == '\\' && (lx->s[lx->i] == '"' || lx->s[lx->i] == '\\'))
            c = lx->s[lx->i++];
        if (n + 1 < sizeof buf)
            buf[n++] = c;
    }
    if (lx->s[lx->i] != '"') {
        lx->i = start; /* report the opening quote */
        return NULL;
    }
    lx->i++;
    return kw_strndup(buf, n);
}

kw_rc rule_number_parse(const char *s, double *out, bool *percent)
{
    char *end;
    while (*s == ' ')
        s++;
    if (!*s)
        return KW_ERR_PARSE;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v))
        return KW_ERR_PARSE;
    bool pct = false;
    if (*end == '%') {
        pct = true;
        v /= 100.0;
        end++;
    }
    while (*end == ' ')
        end++;
    if (*end)
        return KW_ERR_PARSE;
    *out = v;
    if (percent)
        *percent = pct;
    return KW_OK;
}

kw_rc rule_expr_parse(const char *s, rule_expr **out, char *err, size_t errn, size_t *errpos)
{
    expr_lexer lx = {s, 0, err, errn, errpos};
    if (strlen(s) > RULE_EXPR_MAX_LEN)
        return expr_fail(&lx, "expression is too long");
    rule_expr *e = kw_calloc(1, sizeof *e);
    kw_rc rc = KW_ERR_PARSE;
    expr_skip_ws(&lx);
    e->metric = expr_ident(&lx);
    if (!e->metric) {
        expr_fail(&lx, "expected a metric name, e.g. host_cpu_usage_ratio");
        goto fail;
    }
    expr_skip_ws(&lx);
    if (s[lx.i] == '{') {
        lx.i++;
        for (;;) {
            expr_skip_ws(&lx);
            if (s[lx.i] == '}') {
                lx.i++;
                break;
            }
            if (e->n_matchers == RULE_MAX_MATCHERS) {
                expr_fail(&lx, "too many label matchers (at most 8)");
                goto fail;
            }
            rule_matcher *m = &e->m[e->n_matchers];
            m->name = expr_ident(&lx);
            if (!m->name) {
                expr_fail(&lx, "expected a label name");
                goto fail;
            }
            e->n_matchers++;
            expr_skip_ws(&lx);
            if (s[lx.i] == '!' && s[lx.i + 1] == '=') {
                m->negate = true;
                lx.i += 2;
            } else if (s[lx.i] == '=' && s[lx.i + 1] != '=' && s[lx.i + 1] != '~') {
                lx.i += 1;
            } else {
                expr_fail(&lx, "expected = or != after the label name");
                goto fail;
            }
            expr_skip_ws(&lx);
            m->value = expr_string(&lx);
            if (!m->value) {
                expr_fail(&lx, "expected a double-quoted label value");
                goto fail;
            }
            expr_skip_ws(&lx);
            if (s[lx.i] == ',')
                lx.i++;
            else if (s[lx.i] != '}') {
                expr_fail(&lx, "expected , or } in the label matchers");
                goto fail;
            }
        }
        expr_skip_ws(&lx);
    }
    static const struct {
        const char *tok;
        rule_op op;
    } ops[] = {{">=", RULE_OP_GE}, {"<=", RULE_OP_LE}, {"==", RULE_OP_EQ},
               {"!=", RULE_OP_NE}, {">", RULE_OP_GT},  {"<", RULE_OP_LT}};
    bool found = false;
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        size_t l = strlen(ops[k].tok);
        if (strncmp(s + lx.i, ops[k].tok, l) == 0) {
            e->op = ops[k].op;
            lx.i += l;
            found = true;
            break;
        }
    }
    if (!found) {
        expr_fail(&lx, "expected a comparison: >, >=, <, <=, == or !=");
        goto fail;
    }
    expr_skip_ws(&lx);
    if (!s[lx.i]) {
        expr_fail(&lx, "expected a number after the comparison");
        goto fail;
    }
    if (rule_number_parse(s + lx.i, &e->threshold, &e->percent) != KW_OK) {
        expr_fail(&lx, "expected a number (optionally with %) to end the expression");
        goto fail;
    }
    *out = e;
    return KW_OK;
fail:
    rule_expr_free(e);
    return rc;
}

void rule_expr_free(rule_expr *e)
{
    if (!e)
        return;
    free(e->metric);
    for (size_t i = 0; i < e->n_matchers; i++) {
        free(e->m[i].name);
        free(e->m[i].value);
    }
    free(e);
}

bool rule_op_holds(rule_op op, double v, double t)
{
    switch (op) {
    case RULE_OP_GT: return v > t;
    case RULE_OP_GE: return v >= t;
    case RULE_OP_LT: return v < t;
    case RULE_OP_LE: return v <= t;
    case RULE_OP_EQ: return v == t;
    case RULE_OP_NE: return v != t;
    }
    return false;
}

const char *rule_op_str(rule_op op)
{
    static const char *const s[] = {">", ">=", "<", "<=", "==", "!="};
    return s[op];
}

void rule_value_format(double v, bool percent, char *out, size_t n)
{
    if (percent) {
        snprintf(out, n, "%.1f%%", v * 100.0);
        return;
    }
    if (fabs(v) >= 1e6 || v == floor(v))
        kw_fmt_double(out, n, v);
    else
        snprintf(out, n, "%.3g", v);
}
