/* Log rules: compilation, routing, matching, frequency counting and detections. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "logs/logs_rule.h"

#include <arpa/inet.h>
#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef KW_HAVE_HS
#include "core/kw_hs.h" /* Hyperscan, with its compile cache */
#endif

#include "alert/alert.h"
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_map.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "intel/intel.h"
#include "core/kw_addr.h"

typedef enum { OP_EQ, OP_CONTAINS, OP_STARTS, OP_ENDS, OP_RE, OP_CIDR, OP_GT, OP_LT, OP_EXISTS } cond_op;

static const struct {
    const char *name;
    cond_op op;
} op_names[] = {
    {"eq", OP_EQ}, {"contains", OP_CONTAINS}, {"startswith", OP_STARTS}, {"endswith", OP_ENDS}, {"re", OP_RE},
    {"cidr", OP_CIDR}, {"gt", OP_GT}, {"lt", OP_LT}, {"exists", OP_EXISTS},
};

typedef struct cidr {
    kw_addr a;
    int bits;
    uint32_t net4, mask4;  /* an IPv4 prefix in host order, for one AND and compare */
} cidr;

typedef struct cond {
    int field;             /* LF_*, or -1: an extra named `extra` */
    char *extra;
    cond_op op;
    size_t nv;
    char **v;
    size_t *vlen;
    pcre2_code **re;       /* OP_RE: one per value */
    int *re_id;            /* OP_RE, OP_CONTAINS: index in the ruleset's Hyperscan table, -1 if not in it */
    char **hs_lit;         /* OP_CONTAINS: each value as a Hyperscan expression (escaped) */
    cidr *cidrs;
    double num;
    int cost;              /* evaluation order: cheap first */
} cond;

typedef struct lrule {
    char *name, *action, *technique, *summary, *description;
    int severity;
    bool sev_from_event;
    cond *m, *u;
    size_t nm, nu;
    int64_t count, within_ms, end_after_ms;
    size_t nby;
    int by[LOG_DET_MAX_BY];
    char *by_name[LOG_DET_MAX_BY];
    const cond *gate;      /* a required condition wholly in the Hyperscan pass: tested first */
    const cond *vgate;     /* else a required eq or cidr condition the line's value is looked up by */
    const cond *routed;    /* the condition its route stands for: true of every line routed to it */
} lrule;

static const log_field route_fields[3] = {LF_EVENT_DATASET, LF_EVENT_ACTION, LF_EVENT_CATEGORY};

typedef struct route {
    size_t *v;
    size_t n;
} route;

struct log_ruleset {
    lrule *r;
    size_t n;
    /* Rules are routed by the first of these fields they require a value of: a line meets only
     * the rules filed under its own values, plus the generic ones (that require none). */
    kw_map routes[3];      /* value -> route, in rule order; one map per route field */
    route generic;
    int64_t max_groups;
    size_t nregex;
#ifdef KW_HAVE_HS
    hs_database_t *hs[LF_COUNT]; /* per field: every prefiltered regex on it */
    size_t *gate_rule;     /* per expression id: the rule whose gate it belongs to, or SIZE_MAX */
#endif
    /* value gates, per field: eq values -> their rules (in order); cidr prefixes and rules */
    kw_map *eq_gate[LF_COUNT];
    struct cidr_gate {
        const cidr *c;
        size_t ri;
    } *cidr_gate[LF_COUNT];
    size_t ncidr_gate[LF_COUNT];
};

/* ---- conditions ---- */

static bool parse_cidr(const char *s, cidr *out)
{
    if (!kw_prefix_parse(s, &out->a, &out->bits))
        return false;
    uint32_t v;
    memcpy(&v, out->a.b, 4);
    int bits = out->bits < 0 ? 0 : out->bits > 32 ? 32 : out->bits;
    out->mask4 = bits ? 0xffffffffu << (32 - bits) : 0;
    out->net4 = ntohl(v) & out->mask4;
    return true;
}

/* Is a in the prefix c? */
static inline bool cidr_holds(const cidr *c, const kw_addr *a, uint32_t a4)
{
    if (a->v6 || c->a.v6)
        return kw_addr_in(a, &c->a, c->bits);
    return (a4 & c->mask4) == c->net4;
}

/* "field|op" into its parts. */
static bool split_key(const char *key, char *field, size_t fn, cond_op *op, char *err, size_t errn)
{
    const char *bar = strchr(key, '|');
    size_t len = bar ? (size_t)(bar - key) : strlen(key);
    if (!len || len >= fn) {
        snprintf(err, errn, "\"%s\" is not a field name", key);
        return false;
    }
    memcpy(field, key, len);
    field[len] = 0;
    *op = OP_EQ;
    if (bar) {
        size_t i;
        for (i = 0; i < sizeof op_names / sizeof op_names[0]; i++)
            if (strcmp(bar + 1, op_names[i].name) == 0)
                break;
        if (i == sizeof op_names / sizeof op_names[0]) {
            snprintf(err, errn,
                     "unknown operator \"%s\" (known: eq, contains, startswith, endswith, re, cidr, gt, lt, exists)",
                     bar + 1);
            return false;
        }
        *op = op_names[i].op;
    }
    if (log_field_lookup(field) < 0 && !strchr(field, '.')) {
        snprintf(err, errn, "\"%s\" is not a field name (source.ip, event.action, user.name, ...)", field);
        return false;
    }
    return true;
}

static pcre2_code *re_compile(const char *pat, char *err, size_t errn, size_t *pos)
{
    int ec;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(ec, msg, sizeof msg);
        snprintf(err, errn, "bad regular expression: %s", (char *)msg);
        *pos = off;
        return NULL;
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* without JIT it still works, slower */
    return re;
}

kw_rc log_cond_check(const char *key, const char *value, char *err, size_t errn, size_t *pos)
{
    char field[128];
    cond_op op;
    *pos = SIZE_MAX;
    if (!split_key(key, field, sizeof field, &op, err, errn))
        return KW_ERR_PARSE;
    *pos = 0;
    switch (op) {
    case OP_RE: {
        pcre2_code *re = re_compile(value, err, errn, pos);
        if (!re)
            return KW_ERR_PARSE;
        pcre2_code_free(re);
        return KW_OK;
    }
    case OP_CIDR: {
        cidr c;
        if (!parse_cidr(value, &c)) {
            snprintf(err, errn, "\"%s\" is not an IP address or CIDR prefix", value);
            return KW_ERR_PARSE;
        }
        return KW_OK;
    }
    case OP_GT:
    case OP_LT: {
        char *end;
        strtod(value, &end);
        if (!*value || *end) {
            snprintf(err, errn, "\"%s\" is not a number", value);
            return KW_ERR_PARSE;
        }
        return KW_OK;
    }
    case OP_EXISTS:
        if (strcmp(value, "true") && strcmp(value, "false")) {
            snprintf(err, errn, "exists takes true or false");
            return KW_ERR_PARSE;
        }
        return KW_OK;
    default:
        return KW_OK;
    }
}

static void cond_free(cond *c)
{
    for (size_t i = 0; i < c->nv; i++) {
        free(c->v[i]);
        if (c->re && c->re[i])
            pcre2_code_free(c->re[i]);
        if (c->hs_lit)
            free(c->hs_lit[i]);
    }
    free(c->hs_lit);
    free(c->v);
    free(c->vlen);
    free(c->re);
    free(c->re_id);
    free(c->cidrs);
    free(c->extra);
}

static bool cond_build(cond *c, const conf_cond *cc, log_ruleset *rs, char *err, size_t errn)
{
    char field[128];
    memset(c, 0, sizeof *c);
    if (!split_key(cc->key, field, sizeof field, &c->op, err, errn))
        return false;
    c->field = log_field_lookup(field);
    if (c->field < 0)
        c->extra = kw_strdup(field);
    c->nv = cc->values.n;
    c->v = kw_calloc(c->nv, sizeof *c->v);
    c->vlen = kw_calloc(c->nv, sizeof *c->vlen);
    for (size_t i = 0; i < c->nv; i++) {
        c->v[i] = kw_strdup(cc->values.v[i]);
        c->vlen[i] = strlen(c->v[i]);
    }
    switch (c->op) {
    case OP_RE:
        c->re = kw_calloc(c->nv, sizeof *c->re);
        c->re_id = kw_calloc(c->nv, sizeof *c->re_id);
        for (size_t i = 0; i < c->nv; i++) {
            size_t pos;
            c->re[i] = re_compile(c->v[i], err, errn, &pos);
            if (!c->re[i])
                return false;
            c->re_id[i] = c->field >= 0 ? (int)rs->nregex++ : -1;
        }
        c->cost = 3;
        break;
    case OP_CIDR:
        c->cidrs = kw_calloc(c->nv, sizeof *c->cidrs);
        for (size_t i = 0; i < c->nv; i++)
            if (!parse_cidr(c->v[i], &c->cidrs[i])) {
                snprintf(err, errn, "\"%s\" is not an IP address or CIDR prefix", c->v[i]);
                return false;
            }
        c->cost = 1;
        break;
    case OP_GT:
    case OP_LT:
        c->num = strtod(c->v[0], NULL);
        c->cost = 1;
        break;
    case OP_CONTAINS:
        /* literals go into the field's Hyperscan pass with the regular expressions */
        c->re_id = kw_calloc(c->nv, sizeof *c->re_id);
        c->hs_lit = kw_calloc(c->nv, sizeof *c->hs_lit);
        for (size_t i = 0; i < c->nv; i++) {
            c->re_id[i] = c->field >= 0 ? (int)rs->nregex++ : -1;
            c->hs_lit[i] = kw_malloc(c->vlen[i] * 4 + 1);
            char *o = c->hs_lit[i];
            for (size_t k = 0; k < c->vlen[i]; k++)
                o += sprintf(o, "\\x%02x", (unsigned char)c->v[i][k]);
            *o = 0;
        }
        c->cost = 2;
        break;
    default:
        c->cost = 0;
        break;
    }
    return true;
}

static int cmp_cost(const void *a, const void *b)
{
    const cond *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost - y->cost;
    /* event.dataset and event.action first: they fail most lines at once */
    return (x->field == LF_EVENT_DATASET ? 0 : x->field == LF_EVENT_ACTION ? 1 : 2) -
           (y->field == LF_EVENT_DATASET ? 0 : y->field == LF_EVENT_ACTION ? 1 : 2);
}

/* ---- the ruleset ---- */

static void route_add(route *r, size_t idx)
{
    size_t cap = r->n;
    r->v = kw_realloc(r->v, (cap + 1) * sizeof *r->v);
    r->v[r->n++] = idx;
}

#ifdef KW_HAVE_HS
/* Lists the regular expressions on field f (match and unless conditions of every rule) into
 * the arrays when they are given; returns how many there are. */
static size_t field_regexes(log_ruleset *rs, int f, const char **expr, unsigned *flags, unsigned *ids, int **slot)
{
    size_t n = 0;
    for (size_t i = 0; i < rs->n; i++)
        for (int pass = 0; pass < 2; pass++) {
            cond *cs = pass ? rs->r[i].u : rs->r[i].m;
            size_t nc = pass ? rs->r[i].nu : rs->r[i].nm;
            for (size_t k = 0; k < nc; k++) {
                if ((cs[k].op != OP_RE && cs[k].op != OP_CONTAINS) || cs[k].field != f)
                    continue;
                bool lit = cs[k].op == OP_CONTAINS;
                for (size_t v = 0; v < cs[k].nv; v++, n++) {
                    if (!expr)
                        continue;
                    expr[n] = lit ? cs[k].hs_lit[v] : cs[k].v[v];
                    /* a literal's match is exact; a regular expression's is a candidate */
                    flags[n] = (lit ? 0 : HS_FLAG_PREFILTER) | HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
                    ids[n] = (unsigned)cs[k].re_id[v];
                    slot[n] = &cs[k].re_id[v];
                }
            }
        }
    return n;
}

/* One Hyperscan database per field holding all of its regular expressions in prefilter mode
 * (a superset of PCRE's matches, which PCRE2 then confirms). An expression Hyperscan cannot
 * take at all is left out: it is always tried with PCRE2. */
static void hs_build(log_ruleset *rs)
{
    for (int f = 0; f < LF_COUNT; f++) {
        size_t cnt = field_regexes(rs, f, NULL, NULL, NULL, NULL);
        if (!cnt)
            continue;
        const char **expr = kw_calloc(cnt, sizeof *expr);
        unsigned *flags = kw_calloc(cnt, sizeof *flags), *ids = kw_calloc(cnt, sizeof *ids);
        int **slot = kw_calloc(cnt, sizeof *slot);
        size_t n = field_regexes(rs, f, expr, flags, ids, slot);
        for (;;) {
            hs_compile_error_t *ce = NULL;
            hs_database_t *db = NULL;
            if (n == 0)
                break;
            if (kw_hs_compile(expr, NULL, flags, ids, (unsigned)n, HS_MODE_BLOCK, &db, &ce) == HS_SUCCESS) {
                rs->hs[f] = db;
                break;
            }
            int bad = ce ? ce->expression : -1;
            hs_free_compile_error(ce);
            if (bad < 0 || (size_t)bad >= n)
                break; /* no prefilter for this field: every expression goes to PCRE2 */
            *slot[bad] = -1;
            memmove(&expr[bad], &expr[bad + 1], (n - (size_t)bad - 1) * sizeof *expr);
            memmove(&flags[bad], &flags[bad + 1], (n - (size_t)bad - 1) * sizeof *flags);
            memmove(&ids[bad], &ids[bad + 1], (n - (size_t)bad - 1) * sizeof *ids);
            memmove(&slot[bad], &slot[bad + 1], (n - (size_t)bad - 1) * sizeof *slot);
            n--;
        }
        if (!rs->hs[f]) /* nothing compiled: no expression on this field is prefiltered */
            for (size_t i = 0; i < n; i++)
                *slot[i] = -1;
        free(expr);
        free(flags);
        free(ids);
        free(slot);
    }
}
#endif

static void rule_free(lrule *r)
{
    for (size_t i = 0; i < r->nm; i++)
        cond_free(&r->m[i]);
    for (size_t i = 0; i < r->nu; i++)
        cond_free(&r->u[i]);
    free(r->m);
    free(r->u);
    for (size_t i = 0; i < r->nby; i++)
        free(r->by_name[i]);
    free(r->name);
    free(r->action);
    free(r->technique);
    free(r->summary);
    free(r->description);
}

/* Frees a map of value -> route (NULL: none). */
static void routes_free(kw_map *m)
{
    if (!m)
        return;
    size_t it = 0;
    const char *k;
    void *v;
    while (kw_map_next(m, &it, &k, &v)) {
        free(((route *)v)->v);
        free(v);
    }
    kw_map_free(m);
}

/* Files rule ri under value v in m (once, however often the rule lists v). */
static void route_file(kw_map *m, const char *v, size_t ri)
{
    route *rt = kw_map_get(m, v);
    if (!rt) {
        rt = kw_calloc(1, sizeof *rt);
        kw_map_put(m, v, rt);
    }
    if (!rt->n || rt->v[rt->n - 1] != ri)
        route_add(rt, ri);
}

#define EQ_GATE_MAX 255 /* longest value an eq gate files (a longer line value matches none) */

/* A value gate for rule ri: its first required eq condition on a field other than the route
 * fields and event.outcome (few values: poor gates), else its first cidr condition; the
 * line's value of that field then finds the rule, the other rules of the field cost nothing. */
static void vgate_pick(log_ruleset *rs, size_t ri)
{
    lrule *r = &rs->r[ri];
    const cond *eq = NULL, *cd = NULL;
    for (size_t k = 0; k < r->nm; k++) {
        const cond *c = &r->m[k];
        if (c == r->routed || c->field < 0 || !c->nv)
            continue;
        bool short_values = true;
        for (size_t v = 0; v < c->nv; v++)
            short_values &= c->vlen[v] <= EQ_GATE_MAX;
        if (!eq && c->op == OP_EQ && short_values && c->field != LF_EVENT_OUTCOME && c->field != LF_EVENT_DATASET &&
            c->field != LF_EVENT_ACTION && c->field != LF_EVENT_CATEGORY)
            eq = c;
        if (!cd && c->op == OP_CIDR)
            cd = c;
    }
    r->vgate = eq ? eq : cd;
    if (eq) {
        if (!rs->eq_gate[eq->field]) {
            rs->eq_gate[eq->field] = kw_calloc(1, sizeof(kw_map));
            kw_map_init(rs->eq_gate[eq->field]);
        }
        for (size_t v = 0; v < eq->nv; v++)
            route_file(rs->eq_gate[eq->field], eq->v[v], ri);
    } else if (cd) {
        int f = cd->field;
        rs->cidr_gate[f] = kw_realloc(rs->cidr_gate[f], (rs->ncidr_gate[f] + cd->nv) * sizeof *rs->cidr_gate[f]);
        for (size_t v = 0; v < cd->nv; v++)
            rs->cidr_gate[f][rs->ncidr_gate[f]++] = (struct cidr_gate){&cd->cidrs[v], ri};
    }
}

void log_ruleset_free(log_ruleset *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->n; i++)
        rule_free(&rs->r[i]);
    free(rs->r);
    for (int f = 0; f < 3; f++)
        routes_free(&rs->routes[f]);
    free(rs->generic.v);
#ifdef KW_HAVE_HS
    for (int f = 0; f < LF_COUNT; f++)
        hs_free_database(rs->hs[f]);
    free(rs->gate_rule);
#endif
    for (int f = 0; f < LF_COUNT; f++) {
        routes_free(rs->eq_gate[f]);
        free(rs->eq_gate[f]);
        free(rs->cidr_gate[f]);
    }
    free(rs);
}

log_ruleset *log_ruleset_from_conf(const conf *c, char *err, size_t errn)
{
    log_ruleset *rs = kw_calloc(1, sizeof *rs);
    for (int f = 0; f < 3; f++)
        kw_map_init(&rs->routes[f]);
    rs->max_groups = c->logs.max_groups > 0 ? c->logs.max_groups : 100000;
    rs->r = kw_calloc(c->logs.rules.n ? c->logs.rules.n : 1, sizeof *rs->r);
    for (size_t i = 0; i < c->logs.rules.n; i++) {
        const conf_log_rule *cr = CONF_AT(c->logs.rules, conf_log_rule, i);
        if (!cr->enabled)
            continue;
        lrule *r = &rs->r[rs->n++];
        r->name = kw_strdup(cr->name);
        r->action = kw_strdup(cr->action ? cr->action : cr->name);
        r->technique = cr->technique ? kw_strdup(cr->technique) : NULL;
        r->summary = cr->summary ? kw_strdup(cr->summary) : NULL;
        r->description = cr->description ? kw_strdup(cr->description) : NULL;
        r->severity = cr->severity;
        r->sev_from_event = cr->severity_from_event;
        r->count = cr->count;
        r->within_ms = cr->within_ms;
        r->end_after_ms = cr->end_after_ms;
        r->m = kw_calloc(cr->match.n ? cr->match.n : 1, sizeof *r->m);
        r->u = kw_calloc(cr->unless.n ? cr->unless.n : 1, sizeof *r->u);
        char e2[300];
        for (size_t k = 0; k < cr->match.n; k++, r->nm++)
            if (!cond_build(&r->m[k], &cr->match.v[k], rs, e2, sizeof e2)) {
                r->nm++;
                snprintf(err, errn, "log rule \"%s\": %s", cr->name, e2);
                log_ruleset_free(rs);
                return NULL;
            }
        for (size_t k = 0; k < cr->unless.n; k++, r->nu++)
            if (!cond_build(&r->u[k], &cr->unless.v[k], rs, e2, sizeof e2)) {
                r->nu++;
                snprintf(err, errn, "log rule \"%s\": %s", cr->name, e2);
                log_ruleset_free(rs);
                return NULL;
            }
        qsort(r->m, r->nm, sizeof *r->m, cmp_cost);
        qsort(r->u, r->nu, sizeof *r->u, cmp_cost);
        for (size_t k = 0; k < cr->by.n && k < LOG_DET_MAX_BY; k++) {
            r->by[k] = log_field_lookup(cr->by.v[k]);
            r->by_name[k] = kw_strdup(cr->by.v[k]);
            r->nby++;
        }
        /* routing: by the first route field the rule requires values of */
        const cond *by = NULL;
        int rf = 0;
        for (rf = 0; rf < 3 && !by; rf++)
            for (size_t k = 0; k < r->nm && !by; k++)
                if (r->m[k].field == (int)route_fields[rf] && r->m[k].op == OP_EQ)
                    by = &r->m[k];
        if (!by) {
            route_add(&rs->generic, rs->n - 1);
            continue;
        }
        rf--;
        r->routed = by;
        for (size_t v = 0; v < by->nv; v++)
            route_file(&rs->routes[rf], by->v[v], rs->n - 1);
    }
#ifdef KW_HAVE_HS
    hs_build(rs);
    /* gates: once a field is scanned, its conditions cost a few bit tests, less than any
     * string comparison; a rule with one is ruled out by it before anything else */
    for (size_t i = 0; i < rs->n; i++)
        for (size_t k = 0; k < rs->r[i].nm && !rs->r[i].gate; k++) {
            const cond *g = &rs->r[i].m[k];
            bool all = (g->op == OP_RE || g->op == OP_CONTAINS) && g->field >= 0 && rs->hs[g->field];
            for (size_t v = 0; all && v < g->nv; v++)
                all = g->re_id[v] >= 0;
            if (all)
                rs->r[i].gate = g;
        }
    rs->gate_rule = kw_malloc((rs->nregex ? rs->nregex : 1) * sizeof *rs->gate_rule);
    for (size_t id = 0; id < rs->nregex; id++)
        rs->gate_rule[id] = SIZE_MAX;
    for (size_t i = 0; i < rs->n; i++)
        for (size_t v = 0; rs->r[i].gate && v < rs->r[i].gate->nv; v++)
            rs->gate_rule[rs->r[i].gate->re_id[v]] = i;
#endif
    for (size_t i = 0; i < rs->n; i++)
        if (!rs->r[i].gate)
            vgate_pick(rs, i);
    return rs;
}

size_t log_ruleset_count(const log_ruleset *rs) { return rs->n; }

bool log_ruleset_prefiltered(const log_ruleset *rs)
{
#ifdef KW_HAVE_HS
    for (int f = 0; f < LF_COUNT; f++)
        if (rs->hs[f])
            return true;
#endif
    (void)rs;
    return false;
}

/* ---- the engine ---- */

#define RING_MAX 64   /* up to this count, the exact times of the last `count` lines */
#define BUCKETS 64    /* beyond, counts in 64 slices of the window */

typedef struct group {
    char *key;               /* the by values, joined with \x1f (owned) */
    size_t ri;               /* its rule */
    int64_t last_ms;         /* newest matching line */
    /* counting */
    int64_t *ring;           /* RING_MAX case */
    uint32_t head, n;
    uint32_t *bucket;        /* BUCKETS case */
    int64_t *bucket_epoch;
    /* a detection under way */
    bool active;
    uint64_t count, count_at_update;
    int64_t first_ms, fire_ms, update_ms;
    int severity;
    char *ctx[LOG_DET_MAX_CTX];
    char *sample;
    char *list;              /* an intel_match group: the list's name (owned), else NULL */
    struct group *next_active, *prev_active;
} group;

#define INTEL_RI SIZE_MAX  /* the rule index of intel_match groups */

/* The rules a line meets, for one combination of routes (one per route field, or none): in
 * rule order, those without a gate; the gated ones are found from the Hyperscan hits of
 * their gate's field, so a line that hits none of them never looks at them. */
#define COMBO_MAX 64
#define ROUTE_SEEN 8
#define ROUTE_KEY_MAX 64
typedef struct combo {
    const route *rt[3];      /* the key */
    size_t *plain, nplain;   /* rules without a gate */
    uint64_t gate_fields;    /* bit f: a gated rule's gate is on field f (Hyperscan) */
    uint64_t eq_fields, cidr_fields; /* the same for value gates */
    uint8_t *member;         /* member[ri]: ri is a gated rule of the combination */
} combo;

typedef struct rule_state {
    kw_map groups;
    uint64_t matches, detections, active, dropped;
} rule_state;

struct log_engine {
    const log_ruleset *rs;
    rule_state *st;
    log_det_fn fn;
    void *arg;
    int64_t now, next_tick, next_sweep;
    group *active;           /* the detections under way, all rules */
    size_t ngroups;
    pcre2_match_data *md;
    uint32_t gen;            /* the line's number: per-line caches are valid when they carry it */
    struct {
        uint32_t gen;
        bool ok;
        kw_addr a;
    } addr[LF_COUNT];        /* a field's address, parsed once per line for CIDR conditions */
#ifdef KW_HAVE_HS
    hs_scratch_t *scratch;
    uint32_t *re_hit;        /* re_hit[id] == gen: the prefilter matched in this line */
    uint32_t scanned[LF_COUNT];
    unsigned *hit_ids;       /* the ids that matched in this line, nhits of them (nregex at most) */
    size_t nhits;
#endif
    combo combos[COMBO_MAX]; /* the rule lists of the route combinations seen, ncombos of them */
    size_t ncombos, combo_next;
    struct {
        char v[ROUTE_KEY_MAX];
        uint8_t n;           /* the value's length + 1; 0: an empty slot */
        const route *rt;     /* NULL: no rule is filed under the value */
    } seen[3][ROUTE_SEEN];   /* per route field, the last values looked up (a few recur) */
    uint32_t seen_next[3];
    const intel_set *intel;  /* the lists lines are looked up in (the caller's reference), or NULL */
    lrule intel_rule;        /* what intel_match detections share (rule index INTEL_RI) */
    rule_state intel_st;
    size_t *cand;            /* this line's gated candidates (rs->n at most) */
    uint32_t *cand_gen;      /* cand_gen[ri] == gen: ri is among them */
};

static const log_field ctx_fields[LOG_DET_MAX_CTX] = {
    LF_SOURCE_IP, LF_DEST_IP, LF_DEST_PORT, LF_USER_NAME, LF_RULE_NAME,
    LF_URL_ORIGINAL, LF_OBSERVER_NAME, LF_HOST_NAME, LF_EVENT_DATASET, LF_FILE_PATH,
};

/* What every intel_match detection shares: one line makes it, and it ends after five quiet
 * minutes (the default end_after of log rules). Its strings are static: never rule_free'd. */
static void intel_rule_init(lrule *r)
{
    static const char *const by[3] = {"threat.indicator.type", "threat.indicator.name", "keepwatch.intel.peer"};
    r->name = r->action = (char *)"intel_match";
    r->description = (char *)"a log line from or to an indicator of a threat-intelligence list";
    r->summary = (char *)"{threat.indicator.name} is on the {rule} list (other end {keepwatch.intel.peer})";
    r->count = 1;
    r->end_after_ms = 300000;
    r->nby = 3;
    for (size_t i = 0; i < 3; i++) {
        r->by[i] = -1;
        r->by_name[i] = (char *)by[i];
    }
}

log_engine *log_engine_new(const log_ruleset *rs, log_det_fn fn, void *arg)
{
    log_engine *e = kw_calloc(1, sizeof *e);
    e->rs = rs;
    e->fn = fn;
    e->arg = arg;
    e->st = kw_calloc(rs->n ? rs->n : 1, sizeof *e->st);
    for (size_t i = 0; i < rs->n; i++)
        kw_map_init(&e->st[i].groups);
    e->md = pcre2_match_data_create(4, NULL);
    e->now = INT64_MIN;
#ifdef KW_HAVE_HS
    for (int f = 0; f < LF_COUNT; f++)
        if (rs->hs[f] && hs_alloc_scratch(rs->hs[f], &e->scratch) != HS_SUCCESS)
            fatal("cannot allocate Hyperscan scratch space");
    e->re_hit = kw_calloc(rs->nregex ? rs->nregex : 1, sizeof *e->re_hit);
    e->hit_ids = kw_calloc(rs->nregex ? rs->nregex : 1, sizeof *e->hit_ids);
#endif
    e->cand = kw_calloc(rs->n ? rs->n : 1, sizeof *e->cand);
    e->cand_gen = kw_calloc(rs->n ? rs->n : 1, sizeof *e->cand_gen);
    intel_rule_init(&e->intel_rule);
    kw_map_init(&e->intel_st.groups);
    return e;
}

void log_engine_set_intel(log_engine *e, const intel_set *s) { e->intel = s; }

static void group_free(group *g)
{
    free(g->key);
    free(g->ring);
    free(g->bucket);
    free(g->bucket_epoch);
    for (int i = 0; i < LOG_DET_MAX_CTX; i++)
        free(g->ctx[i]);
    free(g->sample);
    free(g->list);
    free(g);
}

static void groups_free(kw_map *m)
{
    size_t it = 0;
    const char *k;
    void *v;
    while (kw_map_next(m, &it, &k, &v))
        group_free(v);
    kw_map_free(m);
}

void log_engine_free(log_engine *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->rs->n; i++)
        groups_free(&e->st[i].groups);
    groups_free(&e->intel_st.groups);
    free(e->st);
    pcre2_match_data_free(e->md);
#ifdef KW_HAVE_HS
    hs_free_scratch(e->scratch);
    free(e->re_hit);
    free(e->hit_ids);
#endif
    for (size_t i = 0; i < e->ncombos; i++) {
        free(e->combos[i].plain);
        free(e->combos[i].member);
    }
    free(e->cand);
    free(e->cand_gen);
    free(e);
}

log_ruleset *log_engine_ruleset(log_engine *e) { return (log_ruleset *)e->rs; }

/* The value of a condition's field in the line; false if the line has none. */
static bool cond_value(const log_rec *r, int field, const char *extra, log_val *out)
{
    if (field >= 0) {
        if (!log_has(r, field))
            return false;
        *out = r->f[field];
        return true;
    }
    /* an extra: "ns.key" */
    if (!r->extra_ns)
        return false;
    size_t nl = strlen(r->extra_ns);
    if (strncmp(extra, r->extra_ns, nl) != 0 || extra[nl] != '.')
        return false;
    const char *k = extra + nl + 1;
    size_t kl = strlen(k);
    for (uint32_t i = 0; i < r->nextra; i++)
        if (r->extra[i].k.n == kl && memcmp(r->extra[i].k.p, k, kl) == 0) {
            *out = r->extra[i].v;
            return true;
        }
    return false;
}

#ifdef KW_HAVE_HS
static int on_hs_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx)
{
    log_engine *e = ctx;
    if (e->re_hit[id] != e->gen) /* once per id: each field is scanned once per line */
        e->hit_ids[e->nhits++] = id;
    e->re_hit[id] = e->gen;
    return 0;
}

/* Did expression id of the field's Hyperscan database match this line? The field is
 * scanned once per line, for all its expressions together. */
static bool hs_hit(log_engine *e, int field, const log_val *v, int id)
{
    if (e->scanned[field] != e->gen) {
        e->scanned[field] = e->gen;
        hs_scan(e->rs->hs[field], v->p, v->n, 0, e->scratch, on_hs_match, e);
    }
    return e->re_hit[id] == e->gen;
}
#endif

static bool re_match_any(pcre2_match_data *md, const cond *c, size_t i, const log_val *v)
{
    int rc = pcre2_jit_match(c->re[i], (PCRE2_SPTR)v->p, v->n, 0, 0, md, NULL);
    if (rc == PCRE2_ERROR_JIT_BADOPTION) /* not JIT-compiled */
        rc = pcre2_match(c->re[i], (PCRE2_SPTR)v->p, v->n, 0, 0, md, NULL);
    return rc >= 0;
}

/* A dotted quad ("192.0.2.1": four decimal parts 0..255, no leading zeros, nothing else)
 * into b[0..4); false for anything else (which inet_pton then judges). */
static bool v4_quad(const char *p, size_t n, uint8_t *b)
{
    unsigned part = 0, v = 0, digits = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned)(unsigned char)p[i] - '0';
        if (c <= 9) {
            if ((digits && !v) || ++digits > 3 || (v = v * 10 + c) > 255)
                return false;
        } else if (p[i] == '.' && digits && part < 3) {
            b[part++] = (uint8_t)v;
            v = digits = 0;
        } else {
            return false;
        }
    }
    if (part != 3 || !digits)
        return false;
    b[3] = (uint8_t)v;
    return true;
}

/* The address v of field (-1: an extra) holds, into *out; false when it holds none. Parsed
 * once per line per field when e is given (a matcher passes NULL). */
static bool field_addr(log_engine *e, int field, const log_val *v, kw_addr *out)
{
    if (e && field >= 0 && e->addr[field].gen == e->gen) {
        *out = e->addr[field].a;
        return e->addr[field].ok;
    }
    kw_addr tmp = {0};
    char buf[64];
    int bits;
    bool ok = v->n < sizeof buf;
    if (ok && !v4_quad(v->p, v->n, tmp.b)) { /* not the common case: inet_pton judges it */
        memcpy(buf, v->p, v->n);
        buf[v->n] = 0;
        ok = !memchr(buf, '/', v->n) && kw_prefix_parse(buf, &tmp, &bits);
    }
    if (e && field >= 0) {
        e->addr[field].gen = e->gen;
        e->addr[field].ok = ok;
        e->addr[field].a = tmp;
    }
    *out = tmp;
    return ok;
}

/* e may be NULL (a matcher): then no prefilter, and md is the caller's. */
static bool cond_holds_md(log_engine *e, pcre2_match_data *md, const cond *c, const log_rec *r);
static bool cond_holds(log_engine *e, const cond *c, const log_rec *r) { return cond_holds_md(e, e->md, c, r); }

static bool cond_holds_md(log_engine *e, pcre2_match_data *md, const cond *c, const log_rec *r)
{
    log_val v;
    bool has = cond_value(r, c->field, c->extra, &v);
    if (c->op == OP_EXISTS)
        return has == (c->v[0][0] == 't');
    if (!has)
        return false;
    switch (c->op) {
    case OP_EQ: /* the first byte before a call: most values differ there */
        for (size_t i = 0; i < c->nv; i++)
            if (c->vlen[i] == v.n && (!v.n || c->v[i][0] == v.p[0]) && memcmp(c->v[i], v.p, v.n) == 0)
                return true;
        return false;
    case OP_CONTAINS:
        for (size_t i = 0; i < c->nv; i++) {
#ifdef KW_HAVE_HS
            if (e && c->re_id[i] >= 0) { /* exact: a literal */
                if (hs_hit(e, c->field, &v, c->re_id[i]))
                    return true;
                continue;
            }
#endif
            if (c->vlen[i] <= v.n && memmem(v.p, v.n, c->v[i], c->vlen[i]))
                return true;
        }
        return false;
    case OP_STARTS:
        for (size_t i = 0; i < c->nv; i++)
            if (c->vlen[i] <= v.n && memcmp(v.p, c->v[i], c->vlen[i]) == 0)
                return true;
        return false;
    case OP_ENDS:
        for (size_t i = 0; i < c->nv; i++)
            if (c->vlen[i] <= v.n && memcmp(v.p + v.n - c->vlen[i], c->v[i], c->vlen[i]) == 0)
                return true;
        return false;
    case OP_RE:
        for (size_t i = 0; i < c->nv; i++) {
#ifdef KW_HAVE_HS
            if (e && c->re_id[i] >= 0 && !hs_hit(e, c->field, &v, c->re_id[i]))
                continue; /* ruled out by the prefilter */
#endif
            if (re_match_any(md, c, i, &v))
                return true;
        }
        return false;
    case OP_CIDR: {
        kw_addr a;
        if (!field_addr(e, c->field, &v, &a))
            return false;
        uint32_t a4;
        memcpy(&a4, a.b, 4);
        a4 = ntohl(a4);
        for (size_t i = 0; i < c->nv; i++)
            if (cidr_holds(&c->cidrs[i], &a, a4))
                return true;
        return false;
    }
    case OP_GT:
    case OP_LT: {
        char buf[40];
        if (!v.n || v.n >= sizeof buf)
            return false;
        memcpy(buf, v.p, v.n);
        buf[v.n] = 0;
        char *end;
        double x = strtod(buf, &end);
        if (*end)
            return false;
        return c->op == OP_GT ? x > c->num : x < c->num;
    }
    default:
        return false;
    }
}

static bool rule_matches(log_engine *e, const lrule *r, const log_rec *rec)
{
#ifdef KW_HAVE_HS
    if (r->gate) {
        const cond *c = r->gate;
        if (!log_has(rec, c->field))
            return false;
        bool any = false;
        for (size_t v = 0; v < c->nv && !any; v++)
            any = hs_hit(e, c->field, &rec->f[c->field], c->re_id[v]);
        if (!any)
            return false;
    }
#endif
    for (size_t i = 0; i < r->nm; i++)
        if (&r->m[i] != r->routed && !cond_holds(e, &r->m[i], rec))
            return false;
    if (!r->nu)
        return true;
    for (size_t i = 0; i < r->nu; i++)
        if (!cond_holds(e, &r->u[i], rec))
            return true;
    return false;
}

/* ---- a matcher: conditions alone (devices) ---- */

struct log_matcher {
    cond *c;
    size_t n;
    pcre2_match_data *md;
};

log_matcher *log_matcher_new(const conf_match *m, char *err, size_t errn)
{
    log_matcher *x = kw_calloc(1, sizeof *x);
    x->c = kw_calloc(m->n ? m->n : 1, sizeof *x->c);
    x->md = pcre2_match_data_create(4, NULL);
    log_ruleset scratch = {0}; /* counts regex ids, unused without a prefilter */
    for (size_t i = 0; i < m->n; i++, x->n++)
        if (!cond_build(&x->c[i], &m->v[i], &scratch, err, errn)) {
            x->n++;
            log_matcher_free(x);
            return NULL;
        }
    for (size_t i = 0; i < x->n; i++)
        for (size_t k = 0; x->c[i].re_id && k < x->c[i].nv; k++)
            x->c[i].re_id[k] = -1;
    qsort(x->c, x->n, sizeof *x->c, cmp_cost);
    return x;
}

bool log_matcher_test(log_matcher *m, const log_rec *r)
{
    for (size_t i = 0; i < m->n; i++)
        if (!cond_holds_md(NULL, m->md, &m->c[i], r))
            return false;
    return true;
}

void log_matcher_free(log_matcher *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        cond_free(&m->c[i]);
    free(m->c);
    pcre2_match_data_free(m->md);
    free(m);
}

/* ---- detections ---- */

static void split_key_values(const lrule *r, const group *g, char vals[LOG_DET_MAX_BY][256])
{
    const char *p = g->key;
    for (size_t i = 0; i < r->nby; i++) {
        const char *sep = strchr(p, '\x1f');
        size_t n = sep ? (size_t)(sep - p) : strlen(p);
        if (n > 255)
            n = 255;
        memcpy(vals[i], p, n);
        vals[i][n] = 0;
        p = sep ? sep + 1 : p + n;
    }
}

/* Renders the summary template: {count} {within} {rule} and {FIELD} from the group or the
 * line that fired. */
static void render_summary(const lrule *r, const log_detection *d, kw_buf *b)
{
    const char *t = r->summary;
    if (!t) {
        kw_buf_printf(b, "%s", r->name);
        for (size_t i = 0; i < d->nby; i++)
            kw_buf_printf(b, "%s%s=%s", i ? ", " : " ", d->by_field[i], d->by_value[i][0] ? d->by_value[i] : "-");
        if (d->count > 1)
            kw_buf_printf(b, " (%llu lines)", (unsigned long long)d->count);
        return;
    }
    while (*t) {
        const char *o = strchr(t, '{'), *c = o ? strchr(o, '}') : NULL;
        if (!o || !c) {
            kw_buf_puts(b, t);
            break;
        }
        kw_buf_append(b, t, (size_t)(o - t));
        char name[96];
        size_t n = (size_t)(c - o - 1);
        if (n >= sizeof name)
            n = sizeof name - 1;
        memcpy(name, o + 1, n);
        name[n] = 0;
        const char *val = NULL;
        char num[32];
        if (!strcmp(name, "count")) {
            snprintf(num, sizeof num, "%llu", (unsigned long long)d->count);
            val = num;
        } else if (!strcmp(name, "within")) {
            kw_duration_format(d->within_ms, num, sizeof num);
            val = num;
        } else if (!strcmp(name, "rule")) {
            val = d->rule;
        } else {
            for (size_t i = 0; i < d->nby && !val; i++)
                if (!strcmp(d->by_field[i], name))
                    val = d->by_value[i];
            for (size_t i = 0; i < d->nctx && !val; i++)
                if (!strcmp(d->ctx_field[i], name))
                    val = d->ctx_value[i];
        }
        kw_buf_puts(b, val && *val ? val : "-");
        t = c + 1;
    }
}

static const lrule *rule_at(const log_engine *e, size_t ri)
{
    return ri == INTEL_RI ? &e->intel_rule : &e->rs->r[ri];
}

static rule_state *state_at(log_engine *e, size_t ri) { return ri == INTEL_RI ? &e->intel_st : &e->st[ri]; }

static void emit(log_engine *e, size_t ri, group *g, log_det_phase phase, int64_t at)
{
    const lrule *r = rule_at(e, ri);
    log_detection d = {0};
    char vals[LOG_DET_MAX_BY][256];
    split_key_values(r, g, vals);
    d.phase = phase;
    d.rule = g->list ? g->list : r->name;
    if (g->list) {
        d.indicator_type = vals[0];
        d.indicator = vals[1];
    }
    d.action = r->action;
    d.technique = r->technique;
    d.description = r->description;
    d.severity = g->severity;
    d.nby = r->nby;
    for (size_t i = 0; i < r->nby; i++) {
        d.by_field[i] = r->by_name[i];
        d.by_value[i] = vals[i];
    }
    d.count = g->count;
    d.threshold = r->count;
    d.within_ms = r->within_ms;
    d.first_ms = g->first_ms;
    d.fire_ms = g->fire_ms;
    d.last_ms = g->last_ms;
    d.end_ms = phase == LOG_DET_END ? at : 0;
    for (int i = 0; i < LOG_DET_MAX_CTX; i++)
        if (g->ctx[i]) {
            d.ctx_field[d.nctx] = log_field_name(ctx_fields[i]);
            d.ctx_value[d.nctx++] = g->ctx[i];
        }
    d.sample = g->sample;
    kw_buf s;
    kw_buf_init(&s, 4096);
    render_summary(r, &d, &s);
    d.summary = kw_buf_cstr(&s);
    e->fn(e->arg, &d);
    kw_buf_free(&s);
}

static void active_link(log_engine *e, group *g)
{
    g->prev_active = NULL;
    g->next_active = e->active;
    if (e->active)
        e->active->prev_active = g;
    e->active = g;
}

static void active_unlink(log_engine *e, group *g)
{
    if (g->prev_active)
        g->prev_active->next_active = g->next_active;
    else
        e->active = g->next_active;
    if (g->next_active)
        g->next_active->prev_active = g->prev_active;
    g->next_active = g->prev_active = NULL;
}

static void capture_ctx(group *g, const log_rec *rec, int severity, bool whole_line)
{
    for (int i = 0; i < LOG_DET_MAX_CTX; i++) {
        free(g->ctx[i]);
        g->ctx[i] = NULL;
        if (log_has(rec, ctx_fields[i])) {
            const log_val *v = &rec->f[ctx_fields[i]];
            size_t n = v->n > 255 ? 255 : v->n;
            g->ctx[i] = kw_malloc(n + 1);
            memcpy(g->ctx[i], v->p, n);
            g->ctx[i][n] = 0;
        }
    }
    free(g->sample);
    const log_val *m = log_has(rec, LF_MESSAGE) && !whole_line ? &rec->f[LF_MESSAGE]
                                                               : &(log_val){rec->line, (uint32_t)rec->len};
    size_t n = m->n > 512 ? 512 : m->n;
    g->sample = kw_malloc(n + 1);
    memcpy(g->sample, m->p, n);
    g->sample[n] = 0;
    g->severity = severity;
}

/* Counts a matching line in its group; true when the count is reached within the window. */
static bool group_count(const lrule *r, group *g, int64_t at)
{
    if (r->count <= 1)
        return true;
    if (r->count <= RING_MAX) {
        if (!g->ring)
            g->ring = kw_calloc((size_t)r->count, sizeof *g->ring);
        g->ring[g->head] = at;
        g->head = (uint32_t)((g->head + 1) % (uint32_t)r->count);
        if (g->n < r->count)
            g->n++;
        /* the oldest of the last `count` lines is at head once the ring is full */
        return g->n == r->count && at - g->ring[g->head] < r->within_ms;
    }
    int64_t width = r->within_ms / BUCKETS;
    if (width < 1)
        width = 1;
    if (!g->bucket) {
        g->bucket = kw_calloc(BUCKETS, sizeof *g->bucket);
        g->bucket_epoch = kw_calloc(BUCKETS, sizeof *g->bucket_epoch);
    }
    int64_t ep = at / width;
    size_t b = (size_t)(ep % BUCKETS);
    if (g->bucket_epoch[b] != ep) {
        g->bucket_epoch[b] = ep;
        g->bucket[b] = 0;
    }
    g->bucket[b]++;
    uint64_t sum = 0;
    for (size_t i = 0; i < BUCKETS; i++)
        if (g->bucket_epoch[i] > ep - BUCKETS)
            sum += g->bucket[i];
    return sum >= (uint64_t)r->count;
}

static void reset_count(group *g)
{
    g->n = g->head = 0;
    if (g->bucket) {
        memset(g->bucket, 0, BUCKETS * sizeof *g->bucket);
        memset(g->bucket_epoch, 0, BUCKETS * sizeof *g->bucket_epoch);
    }
}

#define UPDATE_EVERY_MS 30000

/* Appends v (at most 255 bytes), after a separator unless first, to key (room for
 * LOG_DET_MAX_BY + 1 values). */
static void key_append(char *key, size_t *kn, const char *p, size_t n, bool first)
{
    if (n > 255)
        n = 255;
    if (!first)
        key[(*kn)++] = '\x1f';
    for (size_t k = 0; k < n; k++) /* the separator and NUL cannot come from the line */
        key[(*kn)++] = (p[k] == '\x1f' || p[k] == 0) ? '?' : p[k];
    key[*kn] = 0;
}

#define KEY_MAX ((LOG_DET_MAX_BY + 1) * 256)

static void group_hit(log_engine *e, size_t ri, const char *key, const log_rec *rec, int64_t at, int sev,
                      const char *list);

static void rule_hit(log_engine *e, size_t ri, const log_rec *rec, int64_t at)
{
    const lrule *r = &e->rs->r[ri];
    char key[KEY_MAX] = "";
    size_t kn = 0;
    for (size_t i = 0; i < r->nby; i++) {
        log_val v = {"", 0};
        cond_value(rec, r->by[i], r->by_name[i], &v);
        key_append(key, &kn, v.p, v.n, i == 0);
    }
    int sev = r->severity;
    if (r->sev_from_event && log_has(rec, LF_EVENT_SEVERITY) && rec->f[LF_EVENT_SEVERITY].n == 1) {
        char c = rec->f[LF_EVENT_SEVERITY].p[0];
        if (c >= '1' && c <= '4')
            sev = c - '0';
    }
    group_hit(e, ri, key, rec, at, sev, NULL);
}

/* Counts a matching line in the group `key` of rule ri (created if new, named after `list`
 * for intel_match), and fires, updates as its rule says. */
static void group_hit(log_engine *e, size_t ri, const char *key, const log_rec *rec, int64_t at, int sev,
                      const char *list)
{
    const lrule *r = rule_at(e, ri);
    rule_state *st = state_at(e, ri);
    st->matches++;
    group *g = kw_map_get(&st->groups, key);
    if (!g) {
        if ((int64_t)e->ngroups >= e->rs->max_groups) {
            st->dropped++;
            return;
        }
        g = kw_calloc(1, sizeof *g);
        g->key = kw_strdup(key);
        g->ri = ri;
        g->list = list ? kw_strdup(list) : NULL;
        kw_map_put(&st->groups, g->key, g);
        e->ngroups++;
    }
    g->last_ms = at;
    if (g->active) {
        g->count++;
        if (at - g->update_ms >= UPDATE_EVERY_MS && g->count > g->count_at_update) {
            g->update_ms = at;
            g->count_at_update = g->count;
            emit(e, ri, g, LOG_DET_UPDATE, at);
        }
        return;
    }
    if (!group_count(r, g, at))
        return;
    capture_ctx(g, rec, sev, list != NULL);
    g->active = true;
    g->count = (uint64_t)r->count;
    g->count_at_update = g->count;
    g->first_ms = r->count > 1 && g->ring ? g->ring[g->head] : at;
    if (r->count > RING_MAX)
        g->first_ms = at - r->within_ms;
    g->fire_ms = g->update_ms = at;
    reset_count(g);
    st->detections++;
    st->active++;
    active_link(e, g);
    emit(e, ri, g, LOG_DET_FIRE, at);
}

static void end_group(log_engine *e, size_t ri, group *g, int64_t at)
{
    emit(e, ri, g, LOG_DET_END, at);
    active_unlink(e, g);
    g->active = false;
    g->count = 0;
    state_at(e, ri)->active--;
}

static void sweep_groups(log_engine *e, size_t ri, int64_t now)
{
    const lrule *r = rule_at(e, ri);
    kw_map *m = &state_at(e, ri)->groups;
    size_t it = 0;
    const char *k;
    void *v;
    while (kw_map_next(m, &it, &k, &v)) {
        group *g = v;
        if (!g->active && now - g->last_ms > r->within_ms) {
            kw_map_del(m, g->key);
            group_free(g);
            e->ngroups--; /* deletion leaves a tombstone: the iteration goes on */
        }
    }
}

void log_engine_tick(log_engine *e, int64_t now)
{
    if (now > e->now)
        e->now = now;
    now = e->now;
    if (now < e->next_tick)
        return;
    e->next_tick = now + 1000;
    for (group *g = e->active, *next; g; g = next) {
        next = g->next_active;
        size_t ri = g->ri;
        const lrule *r = rule_at(e, ri);
        if (now - g->last_ms >= r->end_after_ms) {
            end_group(e, ri, g, g->last_ms);
        } else if (now - g->update_ms >= UPDATE_EVERY_MS && g->count > g->count_at_update) {
            g->update_ms = now;
            g->count_at_update = g->count;
            emit(e, ri, g, LOG_DET_UPDATE, now);
        }
    }
    if (now < e->next_sweep)
        return;
    e->next_sweep = now + 10000;
    /* forget groups idle past their window: the state stays bounded by what is recent */
    for (size_t i = 0; i < e->rs->n; i++)
        sweep_groups(e, i, now);
    sweep_groups(e, INTEL_RI, now);
}

/* ---- routing: the rules a line meets ---- */

/* Builds the combination of routes rt[]: their rules and the generic ones, merged in rule
 * order, split into plain and gated rules. */
static void combo_build(log_engine *e, combo *cb, const route *const rt[3])
{
    const log_ruleset *rs = e->rs;
    const route *lists[4];
    size_t pos[4] = {0}, nl = 0;
    for (int f = 0; f < 3; f++) {
        cb->rt[f] = rt[f];
        if (rt[f])
            lists[nl++] = rt[f];
    }
    if (rs->generic.n)
        lists[nl++] = &rs->generic;
    cb->plain = kw_calloc(rs->n ? rs->n : 1, sizeof *cb->plain);
    cb->member = kw_calloc(rs->n ? rs->n : 1, 1);
    cb->nplain = 0;
    cb->gate_fields = cb->eq_fields = cb->cidr_fields = 0;
    for (;;) {
        size_t best = SIZE_MAX, bl = 0;
        for (size_t l = 0; l < nl; l++)
            if (pos[l] < lists[l]->n && lists[l]->v[pos[l]] < best)
                best = lists[l]->v[pos[l]], bl = l;
        if (best == SIZE_MAX)
            break;
        pos[bl]++;
        const cond *g = rs->r[best].gate, *vg = rs->r[best].vgate;
        if (g || vg)
            cb->member[best] = 1;
        else
            cb->plain[cb->nplain++] = best;
        if (g)
            cb->gate_fields |= (uint64_t)1 << g->field;
        else if (vg)
            *(vg->op == OP_EQ ? &cb->eq_fields : &cb->cidr_fields) |= (uint64_t)1 << vg->field;
    }
}

/* The route filed under value v of route field f, or NULL: from the values seen last, else
 * from the ruleset's map (v->n < ROUTE_KEY_MAX). */
static const route *route_of(log_engine *e, int f, const log_val *v)
{
    for (size_t i = 0; i < ROUTE_SEEN; i++)
        if (e->seen[f][i].n == v->n + 1 && memcmp(e->seen[f][i].v, v->p, v->n) == 0)
            return e->seen[f][i].rt;
    char key[ROUTE_KEY_MAX];
    memcpy(key, v->p, v->n);
    key[v->n] = 0;
    /* a NUL in the value would cut the key short: such a value is no rule's */
    const route *rt = memchr(v->p, 0, v->n) ? NULL : kw_map_get(&e->rs->routes[f], key);
    uint32_t k = e->seen_next[f]++ % ROUTE_SEEN;
    memcpy(e->seen[f][k].v, v->p, v->n);
    e->seen[f][k].n = (uint8_t)(v->n + 1);
    e->seen[f][k].rt = rt;
    return rt;
}

/* The combination of the line's routes: found among those seen (most lines repeat a few),
 * else built, replacing the oldest when COMBO_MAX are kept. */
static const combo *combo_of(log_engine *e, const log_rec *rec)
{
    const route *rt[3] = {NULL, NULL, NULL};
    for (int f = 0; f < 3; f++) {
        const log_val *v = &rec->f[route_fields[f]];
        if (log_has(rec, route_fields[f]) && v->n < ROUTE_KEY_MAX && e->rs->routes[f].n)
            rt[f] = route_of(e, f, v);
    }
    for (size_t i = 0; i < e->ncombos; i++)
        if (e->combos[i].rt[0] == rt[0] && e->combos[i].rt[1] == rt[1] && e->combos[i].rt[2] == rt[2])
            return &e->combos[i];
    combo *cb;
    if (e->ncombos < COMBO_MAX) {
        cb = &e->combos[e->ncombos++];
    } else {
        cb = &e->combos[e->combo_next];
        e->combo_next = (e->combo_next + 1) % COMBO_MAX;
        free(cb->plain);
        free(cb->member);
    }
    combo_build(e, cb, rt);
    return cb;
}

/* Adds gated rule ri of cb to the line's candidates (once). */
static inline void cand_add(log_engine *e, const combo *cb, size_t ri, size_t *nc)
{
    if (!cb->member[ri] || e->cand_gen[ri] == e->gen)
        return;
    e->cand_gen[ri] = e->gen;
    e->cand[(*nc)++] = ri;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The rules of cb whose value gate holds the line's value: eq gates by a lookup of the
 * value, cidr gates by a pass over the field's prefixes. */
static void value_candidates(log_engine *e, const combo *cb, const log_rec *rec, size_t *nc)
{
    for (uint64_t m = cb->eq_fields; m; m &= m - 1) {
        int f = __builtin_ctzll(m);
        const log_val *v = &rec->f[f];
        if (!log_has(rec, f) || v->n > EQ_GATE_MAX || memchr(v->p, 0, v->n))
            continue; /* no gate value is that long or holds a NUL */
        char key[EQ_GATE_MAX + 1];
        memcpy(key, v->p, v->n);
        key[v->n] = 0;
        const route *rt = kw_map_get(e->rs->eq_gate[f], key);
        for (size_t i = 0; rt && i < rt->n; i++)
            cand_add(e, cb, rt->v[i], nc);
    }
    for (uint64_t m = cb->cidr_fields; m; m &= m - 1) {
        int f = __builtin_ctzll(m);
        kw_addr a;
        if (!log_has(rec, f) || !field_addr(e, f, &rec->f[f], &a))
            continue;
        uint32_t a4;
        memcpy(&a4, a.b, 4);
        a4 = ntohl(a4);
        const struct cidr_gate *g = e->rs->cidr_gate[f];
        for (size_t i = 0; i < e->rs->ncidr_gate[f]; i++)
            if (e->cand_gen[g[i].ri] != e->gen && cidr_holds(g[i].c, &a, a4))
                cand_add(e, cb, g[i].ri, nc);
    }
}

/* The gated rules of cb whose gate matched in this line, in rule order, into e->cand;
 * returns how many. */
static size_t gated_candidates(log_engine *e, const combo *cb, const log_rec *rec)
{
    size_t nc = 0;
    if (cb->eq_fields | cb->cidr_fields)
        value_candidates(e, cb, rec, &nc);
#ifdef KW_HAVE_HS
    e->nhits = 0;
    for (uint64_t m = cb->gate_fields; m; m &= m - 1) {
        int f = __builtin_ctzll(m);
        if (log_has(rec, f) && e->scanned[f] != e->gen) {
            e->scanned[f] = e->gen;
            hs_scan(e->rs->hs[f], rec->f[f].p, rec->f[f].n, 0, e->scratch, on_hs_match, e);
        }
    }
    for (size_t i = 0; i < e->nhits; i++) {
        size_t ri = e->rs->gate_rule[e->hit_ids[i]];
        if (ri != SIZE_MAX)
            cand_add(e, cb, ri, &nc);
    }
#endif
    if (nc > 1)
        qsort(e->cand, nc, sizeof *e->cand, cmp_size);
    return nc;
}

/* ---- threat intelligence: the line's addresses and domain in the lists ---- */

/* One detection per (list, listed indicator, other end) for each list in mask. */
static int intel_hit(log_engine *e, uint64_t mask, const char *type, const log_val *ind, int peer,
                     const log_rec *rec, int64_t at)
{
    int n = 0;
    const log_val *pv = log_has(rec, peer) ? &rec->f[peer] : &(log_val){"", 0};
    for (; mask; mask &= mask - 1) {
        const char *list = intel_set_list_name(e->intel, (size_t)__builtin_ctzll(mask));
        if (!list)
            continue;
        char key[KEY_MAX];
        size_t kn = 0;
        key_append(key, &kn, type, strlen(type), true);
        key_append(key, &kn, ind->p, ind->n, false);
        key_append(key, &kn, pv->p, pv->n, false);
        key_append(key, &kn, list, strlen(list), false);
        int sev = intel_set_list_severity(e->intel, (size_t)__builtin_ctzll(mask));
        group_hit(e, INTEL_RI, key, rec, at, sev >= 1 && sev <= 4 ? sev : 2, list);
        n++;
    }
    return n;
}

/* The host of an absolute URL ("http://user@host:port/..."), or n = 0. */
static log_val url_host(const log_val *u)
{
    const char *p = u->p, *end = u->p + u->n;
    const char *s = u->n > 3 ? memchr(p, ':', u->n < 12 ? u->n : 12) : NULL;
    if (!s || end - s < 3 || s[1] != '/' || s[2] != '/')
        return (log_val){"", 0};
    const char *h = s + 3, *he = h;
    while (he < end && *he != '/' && *he != '?' && *he != '#')
        he++;
    for (const char *at = he; at > h; at--) /* userinfo ends at the last '@' */
        if (at[-1] == '@') {
            h = at;
            break;
        }
    if (h < he && *h == '[') /* an IPv6 literal: not a name */
        return (log_val){"", 0};
    const char *colon = memchr(h, ':', (size_t)(he - h));
    return (log_val){h, (uint32_t)((colon ? colon : he) - h)};
}

static int intel_line(log_engine *e, const log_rec *rec, int64_t at)
{
    static const struct {
        log_field f, peer;
    } ends[] = {{LF_SOURCE_IP, LF_DEST_IP}, {LF_DEST_IP, LF_SOURCE_IP}, {LF_SOURCE_NAT_IP, LF_DEST_IP}};
    int n = 0;
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        kw_addr a;
        if (!log_has(rec, ends[i].f) || !field_addr(e, ends[i].f, &rec->f[ends[i].f], &a))
            continue;
        uint64_t m = intel_set_lookup_ip(e->intel, a.b, a.v6);
        if (m)
            n += intel_hit(e, m, a.v6 ? "ipv6-addr" : "ipv4-addr", &rec->f[ends[i].f], ends[i].peer, rec, at);
    }
    log_val names[2] = {{"", 0}, {"", 0}};
    if (log_has(rec, LF_URL_ORIGINAL))
        names[0] = url_host(&rec->f[LF_URL_ORIGINAL]);
    if (log_has(rec, LF_SOURCE_DOMAIN))
        names[1] = rec->f[LF_SOURCE_DOMAIN];
    for (size_t i = 0; i < 2; i++) {
        uint64_t m = names[i].n ? intel_set_lookup_domain(e->intel, names[i].p, names[i].n) : 0;
        /* url.original names the server the client (source.ip) asked; source.domain is the client */
        if (m)
            n += intel_hit(e, m, "domain-name", &names[i], i == 0 ? LF_SOURCE_IP : LF_DEST_IP, rec, at);
    }
    return n;
}

int log_engine_line_at(log_engine *e, const log_rec *rec, int64_t at)
{
    if (at < e->now)
        at = e->now;
    if (at >= e->next_tick)
        log_engine_tick(e, at);
    e->now = at;
    if (++e->gen == 0) { /* wrapped: clear so no stale generation matches */
#ifdef KW_HAVE_HS
        memset(e->re_hit, 0, (e->rs->nregex ? e->rs->nregex : 1) * sizeof *e->re_hit);
        memset(e->scanned, 0, sizeof e->scanned);
#endif
        memset(e->addr, 0, sizeof e->addr);
        memset(e->cand_gen, 0, (e->rs->n ? e->rs->n : 1) * sizeof *e->cand_gen);
        e->gen = 1;
    }
    const combo *cb = combo_of(e, rec);
    size_t nc = gated_candidates(e, cb, rec);
    /* the plain rules and the candidates, each in rule order, merged: rules fire in config order */
    int hits = 0;
    for (size_t p = 0, c = 0; p < cb->nplain || c < nc;) {
        size_t ri = c == nc || (p < cb->nplain && cb->plain[p] < e->cand[c]) ? cb->plain[p++] : e->cand[c++];
        if (rule_matches(e, &e->rs->r[ri], rec)) {
            rule_hit(e, ri, rec, at);
            hits++;
        }
    }
    if (e->intel && intel_set_lists(e->intel))
        hits += intel_line(e, rec, at);
    return hits;
}

int log_engine_line(log_engine *e, const log_rec *r) { return log_engine_line_at(e, r, r->ts_ms); }

void log_engine_finish(log_engine *e)
{
    while (e->active) {
        group *g = e->active;
        end_group(e, g->ri, g, g->last_ms);
    }
}

size_t log_engine_rule_stats(const log_engine *e, log_rule_stats *out, size_t max)
{
    for (size_t i = 0; i < e->rs->n && i < max; i++) {
        out[i].name = e->rs->r[i].name;
        out[i].matches = e->st[i].matches;
        out[i].detections = e->st[i].detections;
        out[i].active = e->st[i].active;
        out[i].groups = e->st[i].groups.n;
        out[i].groups_dropped = e->st[i].dropped;
    }
    return e->rs->n;
}

/* ---- output ---- */

void log_detection_text(const log_detection *d, kw_buf *out)
{
    kw_buf_printf(out, "%s [%s] %s", d->action, kw_severity_name(d->severity), d->summary);
    if (d->phase == LOG_DET_END && d->end_ms > d->first_ms) {
        char dur[32];
        kw_duration_format(d->end_ms - d->first_ms, dur, sizeof dur);
        kw_buf_printf(out, ", %llu lines over %s", (unsigned long long)d->count, dur);
    }
    kw_buf_printf(out, " (rule %s)", d->rule);
}

/* Where a context field goes in ECS: it is already a dotted ECS name. */
static void json_dotted(kw_json *j, const char *name, const char *value)
{
    kw_json_kv_str(j, name, value);
}

/* threat.feed and threat.indicator of an intel_match detection (inside "threat"). */
static void indicator_ecs(kw_json *j, const log_detection *d)
{
    bool domain = strcmp(d->indicator_type, "domain-name") == 0;
    kw_json_key(j, "feed");
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "name", d->rule);
    kw_json_obj_end(j);
    kw_json_key(j, "indicator");
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "type", d->indicator_type);
    kw_json_kv_str(j, "name", d->indicator);
    if (domain) {
        kw_json_key(j, "url");
        kw_json_obj_begin(j);
        kw_json_kv_str(j, "domain", d->indicator);
        kw_json_obj_end(j);
    } else {
        kw_json_kv_str(j, "ip", d->indicator);
    }
    kw_json_obj_end(j);
}

void log_detection_ecs(const log_detection *d, kw_buf *out)
{
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kw_json_kv_time(&j, "@timestamp", d->fire_ms);
    kw_json_key(&j, "event");
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "kind", "alert");
    kw_json_kv_str(&j, "action", d->action);
    kw_json_kv_str(&j, "dataset", "keepwatch.logs");
    kw_json_kv_int(&j, "severity", d->severity);
    kw_json_kv_time(&j, "start", d->first_ms);
    kw_json_kv_time(&j, "end", d->phase == LOG_DET_END ? d->end_ms : d->last_ms);
    kw_json_kv_int(&j, "count", (int64_t)d->count);
    kw_json_obj_end(&j);
    kw_json_key(&j, "rule");
    kw_json_obj_begin(&j);
    char id[160];
    snprintf(id, sizeof id, "logs.%s", d->rule);
    kw_json_kv_str(&j, "id", id);
    kw_json_kv_str(&j, "name", d->rule);
    if (d->description)
        kw_json_kv_str(&j, "description", d->description);
    kw_json_obj_end(&j);
    if (d->technique || d->indicator) {
        kw_json_key(&j, "threat");
        kw_json_obj_begin(&j);
        if (d->technique) {
            kw_json_key(&j, "technique");
            kw_json_obj_begin(&j);
            kw_json_kv_str(&j, "id", d->technique);
            kw_json_obj_end(&j);
        }
        if (d->indicator)
            indicator_ecs(&j, d);
        kw_json_obj_end(&j);
    }
    kw_json_kv_str(&j, "message", d->summary);
    /* the fields of the line that fired, flat with dotted ECS names, and the group */
    kw_json_key(&j, "keepwatch");
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "threshold", d->threshold);
    kw_json_kv_int(&j, "within_ms", d->within_ms);
    kw_json_key(&j, "group");
    kw_json_obj_begin(&j);
    for (size_t i = 0; i < d->nby; i++)
        kw_json_kv_str(&j, d->by_field[i], d->by_value[i]);
    kw_json_obj_end(&j);
    kw_json_key(&j, "fields");
    kw_json_obj_begin(&j);
    for (size_t i = 0; i < d->nctx; i++)
        json_dotted(&j, d->ctx_field[i], d->ctx_value[i]);
    kw_json_obj_end(&j);
    if (d->sample)
        kw_json_kv_str(&j, "sample", d->sample);
    kw_json_obj_end(&j);
    kw_json_obj_end(&j);
}

/* ---- detections as alert changes ---- */

void log_detection_act(const log_detection *x, const char *source, alert_acts *out)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    /* labels: the group's fields, keys sorted (canonical, for the fingerprint) */
    size_t order[LOG_DET_MAX_BY];
    for (size_t i = 0; i < x->nby; i++)
        order[i] = i;
    for (size_t i = 1; i < x->nby; i++)
        for (size_t k = i; k > 0 && strcmp(x->by_field[order[k - 1]], x->by_field[order[k]]) > 0; k--) {
            size_t t = order[k];
            order[k] = order[k - 1];
            order[k - 1] = t;
        }
    kw_json_obj_begin(&j);
    for (size_t i = 0; i < x->nby; i++)
        kw_json_kv_str(&j, x->by_field[order[i]], x->by_value[order[i]][0] ? x->by_value[order[i]] : "-");
    kw_json_obj_end(&j);
    alert_act *a = alert_acts_push(out,
                                   x->phase == LOG_DET_FIRE     ? ALERT_ACT_FIRE
                                   : x->phase == LOG_DET_UPDATE ? ALERT_ACT_UPDATE
                                                                : ALERT_ACT_RESOLVE,
                                   source, x->rule, kw_buf_take(&b));
    a->severity = x->severity;
    a->summary = kw_strdup(x->summary);
    a->value = a->peak = (double)x->count;
    a->at_ms = x->phase == LOG_DET_FIRE ? x->fire_ms : x->phase == LOG_DET_END ? x->end_ms : x->last_ms;
    a->started_ms = x->first_ms;
    a->history = x->phase == LOG_DET_UPDATE;
    a->reason = x->phase == LOG_DET_END ? "over" : NULL;
    log_detection_ecs(x, &b);
    a->details_json = kw_buf_take(&b);
}
