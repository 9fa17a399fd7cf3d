/* Alerts as routing sees them, and the conditions routes, silences and inhibitions test. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "notify/notify.h"

#include <jansson.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/kw_json.h"
#include "core/kw_mem.h"
#include "logs/logs_rule.h"
#include "core/kw_time.h"
#include "core/kw_addr.h"

/* ---- the alert view ---- */

/* Where an alert names its asset: by name (the net sensor's "target" is the watched asset it
 * hit), else by address (the net sensor's "dst" and "src"). */
static const char *const asset_labels[] = {"asset", "target", "host.name", "observer.name", NULL};
static const char *const address_labels[] = {"destination.ip", "dst", "host.ip", "server.ip", "observer.ip",
                                             "source.ip", "src", NULL};

void notify_alert_init(notify_alert *a, const conf *c, int64_t id, const char *rule, const char *state,
                       const char *summary, int severity, int64_t started_ms, const char *labels_json)
{
    memset(a, 0, sizeof *a);
    a->id = id;
    a->rule = kw_strdup(rule ? rule : "");
    a->state = kw_strdup(state ? state : "");
    a->summary = kw_strdup(summary ? summary : "");
    a->severity = severity;
    a->started_ms = started_ms;
    a->labels = labels_json ? json_loads(labels_json, 0, NULL) : NULL;
    if (a->labels && !json_is_object(a->labels)) {
        json_decref(a->labels);
        a->labels = NULL;
    }
    if (!a->labels)
        a->labels = json_object();
    for (size_t i = 0; asset_labels[i] && !a->asset; i++) {
        const char *v = json_string_value(json_object_get(a->labels, asset_labels[i]));
        if (v)
            a->asset = conf_asset_find(c, v);
    }
    const char *check = json_string_value(json_object_get(a->labels, "check"));
    for (size_t i = 0; check && !a->asset && i < c->checks.n; i++) {
        const conf_check *k = CONF_AT(c->checks, conf_check, i);
        if (k->asset && strcmp(k->name, check) == 0)
            a->asset = conf_asset_find(c, k->asset);
    }
    for (size_t i = 0; address_labels[i] && !a->asset; i++) {
        const char *v = json_string_value(json_object_get(a->labels, address_labels[i]));
        if (v)
            a->asset = conf_asset_by_address(c, v);
    }
}

void notify_alert_fini(notify_alert *a)
{
    json_decref(a->labels);
    free(a->rule);
    free(a->state);
    free(a->summary);
    memset(a, 0, sizeof *a);
}

const char *notify_alert_field(const notify_alert *a, const char *key, char *buf, size_t n)
{
    if (strcmp(key, "rule") == 0 || strcmp(key, "rule.name") == 0)
        return a->rule;
    if (strcmp(key, "severity") == 0)
        return kw_severity_name(a->severity);
    if (strcmp(key, "state") == 0)
        return a->state;
    if (strcmp(key, "summary") == 0)
        return a->summary;
    if (strcmp(key, "id") == 0) {
        snprintf(buf, n, "%lld", (long long)a->id);
        return buf;
    }
    if (strcmp(key, "asset") == 0 && a->asset)
        return a->asset->name;
    if (strcmp(key, "department") == 0 && a->asset && a->asset->department)
        return a->asset->department;
    if (strcmp(key, "business") == 0 && a->asset && a->asset->business)
        return a->asset->business;
    if (strcmp(key, "owner") == 0 && a->asset && a->asset->owner)
        return a->asset->owner;
    if (strcmp(key, "criticality") == 0 && a->asset && a->asset->criticality)
        return kw_severity_name(a->asset->criticality);
    if (strcmp(key, "exposure") == 0 && a->asset)
        return a->asset->exposure == CONF_EXPOSURE_INTERNET ? "internet" : "internal";
    json_t *v = json_object_get(a->labels, key);
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    if (json_is_real(v)) {
        kw_fmt_double(buf, n, json_real_value(v));
        return buf;
    }
    if (json_is_boolean(v))
        return json_is_true(v) ? "true" : "false";
    return NULL;
}

bool notify_alert_is_drill(const notify_alert *a)
{
    json_t *v = json_object_get(a->labels, "drill");
    if (!v || json_is_null(v) || json_is_false(v))
        return false;
    return !json_is_string(v) || (json_string_length(v) > 0 && strcmp(json_string_value(v), "false") != 0);
}

/* ---- conditions ---- */

typedef enum { OP_EQ, OP_NE, OP_CONTAINS, OP_STARTS, OP_ENDS, OP_RE, OP_CIDR, OP_GT, OP_LT, OP_EXISTS } nop;

static const struct {
    const char *name;
    nop op;
} ops[] = {
    {"eq", OP_EQ},  {"ne", OP_NE}, {"contains", OP_CONTAINS}, {"startswith", OP_STARTS}, {"endswith", OP_ENDS},
    {"re", OP_RE},  {"cidr", OP_CIDR}, {"gt", OP_GT}, {"lt", OP_LT}, {"exists", OP_EXISTS},
};

typedef struct ncond {
    char *field;
    nop op;
    char **v;
    size_t nv;
    pcre2_code **re;
    kw_addr *pfx;
    int *bits;
    double *num;
} ncond;

struct notify_match {
    ncond *c;
    size_t n;
    pcre2_match_data *md;
};

static bool split(const char *key, char *field, size_t fn, nop *op, char *err, size_t errn)
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
    if (!bar)
        return true;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(bar + 1, ops[i].name) == 0) {
            *op = ops[i].op;
            return true;
        }
    snprintf(err, errn, "unknown operator \"%s\" (known: eq, ne, contains, startswith, endswith, re, cidr, gt, lt, exists)",
             bar + 1);
    return false;
}

/* A number, or for severity and criticality a name (low=1 .. critical=4). */
static bool to_num(const char *field, const char *s, double *out)
{
    if (strcmp(field, "severity") == 0 || strcmp(field, "criticality") == 0)
        for (int i = 1; i <= 4; i++)
            if (strcasecmp(s, kw_severity_name(i)) == 0) {
                *out = i;
                return true;
            }
    char *end;
    *out = strtod(s, &end);
    return *s && !*end;
}

kw_rc notify_cond_check(const char *key, const char *value, char *err, size_t errn, size_t *pos)
{
    char field[128];
    nop op;
    *pos = SIZE_MAX;
    if (!split(key, field, sizeof field, &op, err, errn))
        return KW_ERR_PARSE;
    *pos = 0;
    double d;
    kw_addr a;
    int bits;
    switch (op) {
    case OP_RE: /* the log rules' check: the same PCRE2, the same messages */
        return log_cond_check("message|re", value, err, errn, pos);
    case OP_CIDR:
        if (!kw_prefix_parse(value, &a, &bits)) {
            snprintf(err, errn, "\"%s\" is not an IP address or CIDR prefix", value);
            return KW_ERR_PARSE;
        }
        return KW_OK;
    case OP_GT:
    case OP_LT:
        if (!to_num(field, value, &d)) {
            snprintf(err, errn, "\"%s\" is not a number%s", value,
                     strcmp(field, "severity") == 0 || strcmp(field, "criticality") == 0 ? " or a severity (low, medium, high, critical)" : "");
            return KW_ERR_PARSE;
        }
        return KW_OK;
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

notify_match *notify_match_new(const conf_match *m)
{
    if (!m || !m->n)
        return NULL;
    notify_match *nm = kw_calloc(1, sizeof *nm);
    nm->c = kw_calloc(m->n, sizeof *nm->c);
    for (size_t i = 0; i < m->n; i++) {
        const conf_cond *cc = &m->v[i];
        char field[128], err[256];
        nop op;
        if (!split(cc->key, field, sizeof field, &op, err, sizeof err))
            continue; /* conf_load rejected it already */
        ncond *c = &nm->c[nm->n++];
        c->field = kw_strdup(field);
        c->op = op;
        c->nv = cc->values.n;
        c->v = kw_calloc(c->nv ? c->nv : 1, sizeof *c->v);
        c->re = kw_calloc(c->nv ? c->nv : 1, sizeof *c->re);
        c->pfx = kw_calloc(c->nv ? c->nv : 1, sizeof *c->pfx);
        c->bits = kw_calloc(c->nv ? c->nv : 1, sizeof *c->bits);
        c->num = kw_calloc(c->nv ? c->nv : 1, sizeof *c->num);
        for (size_t k = 0; k < c->nv; k++) {
            const char *v = cc->values.v[k];
            c->v[k] = kw_strdup(v);
            int ec;
            PCRE2_SIZE off;
            if (op == OP_RE && (c->re[k] = pcre2_compile((PCRE2_SPTR)v, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL)))
                pcre2_jit_compile(c->re[k], PCRE2_JIT_COMPLETE);
            if (op == OP_CIDR && !kw_prefix_parse(v, &c->pfx[k], &c->bits[k]))
                c->bits[k] = -1;
            if ((op == OP_GT || op == OP_LT) && !to_num(field, v, &c->num[k]))
                c->num[k] = 0;
        }
    }
    nm->md = pcre2_match_data_create(4, NULL);
    return nm;
}

void notify_match_free(notify_match *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        ncond *c = &m->c[i];
        for (size_t k = 0; k < c->nv; k++) {
            free(c->v[k]);
            pcre2_code_free(c->re[k]);
        }
        free(c->field);
        free(c->v);
        free(c->re);
        free(c->pfx);
        free(c->bits);
        free(c->num);
    }
    free(m->c);
    pcre2_match_data_free(m->md);
    free(m);
}

static bool value_holds(const notify_match *m, const ncond *c, size_t k, const char *val)
{
    size_t vl = strlen(val), kl = strlen(c->v[k]);
    switch (c->op) {
    case OP_EQ:
    case OP_NE:
        return strcmp(val, c->v[k]) == 0;
    case OP_CONTAINS:
        return strstr(val, c->v[k]) != NULL;
    case OP_STARTS:
        return strncmp(val, c->v[k], kl) == 0;
    case OP_ENDS:
        return vl >= kl && memcmp(val + vl - kl, c->v[k], kl) == 0;
    case OP_RE:
        return c->re[k] && pcre2_match(c->re[k], (PCRE2_SPTR)val, vl, 0, 0, m->md, NULL) >= 0;
    case OP_CIDR: {
        kw_addr a;
        int bits;
        return c->bits[k] >= 0 && kw_prefix_parse(val, &a, &bits) && kw_addr_in(&a, &c->pfx[k], c->bits[k]);
    }
    case OP_GT:
    case OP_LT: {
        double d;
        if (!to_num(c->field, val, &d))
            return false;
        return c->op == OP_GT ? d > c->num[k] : d < c->num[k];
    }
    default:
        return false;
    }
}

bool notify_match_test(const notify_match *m, const notify_alert *a)
{
    if (!m)
        return true;
    char buf[64];
    for (size_t i = 0; i < m->n; i++) {
        const ncond *c = &m->c[i];
        const char *val = notify_alert_field(a, c->field, buf, sizeof buf);
        if (c->op == OP_EXISTS) {
            bool want = c->nv && strcmp(c->v[0], "true") == 0;
            if ((val != NULL) != want)
                return false;
            continue;
        }
        bool any = false;
        for (size_t k = 0; val && k < c->nv && !any; k++)
            any = value_holds(m, c, k, val);
        if (c->op == OP_NE ? any : !any)
            return false;
    }
    return true;
}

/* ---- maintenance windows ---- */

bool notify_silence_active(const conf_silence *s, int64_t now_ms)
{
    if (s->start_ms || s->end_ms) /* one-off */
        return now_ms >= s->start_ms && now_ms < s->end_ms;
    if (s->from_min < 0)
        return false;
    int64_t local_min = now_ms / 60000 + s->tz_min;
    int64_t day = local_min >= 0 ? local_min / 1440 : (local_min - 1439) / 1440;
    int minute = (int)(local_min - day * 1440);
    int wd = (int)(((day + 3) % 7 + 7) % 7); /* 1970-01-01 was a Thursday; 0 = Monday */
    if (s->from_min < s->to_min)
        return (s->day_mask & (1u << wd)) && minute >= s->from_min && minute < s->to_min;
    /* past midnight: the window belongs to the day it starts on */
    if (minute >= s->from_min)
        return s->day_mask & (1u << wd);
    int prev = (wd + 6) % 7;
    return minute < s->to_min && (s->day_mask & (1u << prev));
}
