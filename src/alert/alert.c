/* The alert engine: per-series state machines (inactive -> pending -> firing -> inactive). */
#include "alert/alert.h"
#include "check/check_conf.h"
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_mem.h"
#include "metric/metric.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UPDATE_EVERY_MS 60000    /* a firing alert's row is refreshed at least this often */
#define HISTORY_EVERY_MS 60000   /* and gets an "updated" history row at most this often */

typedef enum { SERIES_INACTIVE, SERIES_PENDING, SERIES_FIRING } series_state;

typedef struct alert_series {
    char fp[17];
    char *rule_key;          /* matches alert_rule by name and expression */
    char *labels_json;
    const alert_rule *rule;  /* NULL while its rule is gone */
    series_state st;
    int64_t pending_since, clear_since, last_seen, resolved_at, started;
    int64_t last_update, last_history;
    double value, peak, history_peak;
    const char *note;        /* not owned; valid during eval only */
    int64_t alert_id;
    bool held;               /* a detector's alert, held since its detector restarted (rule NULL) */
    int severity;            /* held: the alert's */
} alert_series;

struct alert_engine {
    alert_rules rules;
    char **rule_keys;        /* [rules.n] */
    kw_map series;           /* fingerprint -> alert_series* */
    int64_t flap_window_ms, stale_after_ms;
};

static const char *const state_names[] = {"", "firing", "acked", "resolved"};

const char *alert_state_name(int st) { return st >= 1 && st <= 3 ? state_names[st] : "unknown"; }

int alert_state_parse(const char *s)
{
    for (int i = 1; i <= 3; i++)
        if (strcmp(s, state_names[i]) == 0)
            return i;
    return 0;
}

const char *alert_act_name(alert_act_kind k)
{
    static const char *const n[] = {"fired", "updated", "resolved", "reopened"};
    return n[k];
}

/* ---- rules ---- */

static void labels_copy(conf_labels *dst, const conf_labels *src)
{
    dst->n = src->n;
    dst->k = kw_calloc(src->n, sizeof(char *));
    dst->v = kw_calloc(src->n, sizeof(char *));
    for (size_t i = 0; i < src->n; i++) {
        dst->k[i] = kw_strdup(src->k[i]);
        dst->v[i] = kw_strdup(src->v[i]);
    }
}

static alert_ctx ctx_for_metric(const char *m)
{
    if (strncmp(m, "host_cpu", 8) == 0 || strncmp(m, "host_load", 9) == 0 || strncmp(m, "host_procs", 10) == 0)
        return ALERT_CTX_TOP_CPU;
    if (strncmp(m, "host_memory", 11) == 0 || strncmp(m, "host_swap", 9) == 0)
        return ALERT_CTX_TOP_MEM;
    return ALERT_CTX_NONE;
}

static alert_rule *rules_add(alert_rules *r, size_t *cap, const char *name, const char *expr_text)
{
    char err[256];
    size_t pos;
    rule_expr *e = NULL;
    if (rule_expr_parse(expr_text, &e, err, sizeof err, &pos) != KW_OK)
        return NULL; /* validated at load; only a synthesised rule from odd names lands here */
    kw_grow(&r->v, cap, r->n + 1, sizeof *r->v);
    alert_rule *a = &r->v[r->n++];
    memset(a, 0, sizeof *a);
    a->name = kw_strdup(name);
    a->expr = e;
    a->clear = NAN;
    a->severity = KW_SEV_MEDIUM;
    /* metric names may be written with the /metrics prefix */
    size_t pl = strlen(METRIC_PREFIX);
    if (strncmp(e->metric, METRIC_PREFIX, pl) == 0)
        memmove(e->metric, e->metric + pl, strlen(e->metric + pl) + 1);
    a->ctx = ctx_for_metric(e->metric);
    return a;
}

/* Quotes s for a rule expression label value. */
static void expr_quote(kw_buf *b, const char *s)
{
    kw_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            kw_buf_putc(b, '\\');
        kw_buf_putc(b, *s);
    }
    kw_buf_putc(b, '"');
}

void alert_rules_from_conf(const conf *c, alert_rules *out)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    for (size_t i = 0; i < c->rules.n; i++) {
        const conf_rule *cr = CONF_AT(c->rules, conf_rule, i);
        if (!cr->enabled || !cr->expr)
            continue;
        alert_rule *a = rules_add(out, &cap, cr->name, cr->expr);
        if (!a)
            continue;
        a->for_ms = cr->for_ms;
        a->clear_for_ms = cr->clear_for_ms;
        a->clear = cr->clear;
        a->severity = cr->severity;
        a->summary = kw_strdup_opt(cr->summary);
        a->description = kw_strdup_opt(cr->description);
        labels_copy(&a->labels, &cr->labels);
    }
    kw_buf b;
    kw_buf_init(&b, 4096);
    for (size_t i = 0; i < c->checks.n; i++) {
        const conf_check *k = CONF_AT(c->checks, conf_check, i);
        if (!k->enabled)
            continue;
        kw_buf_reset(&b);
        /* host="": the server's own samples; an agent's (host=NAME) are its own to judge */
        kw_buf_puts(&b, "check_up{check=");
        expr_quote(&b, k->name);
        kw_buf_puts(&b, ",host=\"\"} == 0");
        alert_rule *a = rules_add(out, &cap, "service_down", kw_buf_cstr(&b));
        if (a) {
            a->for_ms = k->for_ms;
            a->severity = k->severity;
            a->summary = kw_strdup("{check} ({type}) is down: {note}");
        }
        if (check_conf_watches_cert(k)) {
            kw_buf_reset(&b);
            kw_buf_puts(&b, "check_tls_cert_expiry_days{check=");
            expr_quote(&b, k->name);
            kw_buf_printf(&b, ",host=\"\"} < %lld", (long long)k->warn_days);
            a = rules_add(out, &cap, "certificate_expiry", kw_buf_cstr(&b));
            if (a) {
                a->severity = KW_SEV_MEDIUM;
                a->summary = kw_strdup("{check}: TLS certificate expires in {value} days");
            }
        }
    }
    kw_buf_free(&b);
}

static void rule_free(alert_rule *a)
{
    free(a->name);
    rule_expr_free(a->expr);
    free(a->summary);
    free(a->description);
    for (size_t i = 0; i < a->labels.n; i++) {
        free(a->labels.k[i]);
        free(a->labels.v[i]);
    }
    free(a->labels.k);
    free(a->labels.v);
}

void alert_rules_free(alert_rules *r)
{
    for (size_t i = 0; i < r->n; i++)
        rule_free(&r->v[i]);
    free(r->v);
    r->v = NULL;
    r->n = 0;
}

/* A rule's identity across reloads: its name and its condition. */
static char *rule_key(const alert_rule *a)
{
    kw_buf b;
    kw_buf_init(&b, 8192);
    kw_buf_printf(&b, "%s|%s|%d|%.17g", a->name, a->expr->metric, (int)a->expr->op, a->expr->threshold);
    for (size_t i = 0; i < a->expr->n_matchers; i++)
        kw_buf_printf(&b, "|%s%s%s", a->expr->m[i].name, a->expr->m[i].negate ? "!=" : "=", a->expr->m[i].value);
    return kw_buf_take(&b);
}

/* ---- acts ---- */

void alert_acts_free(alert_acts *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->v[i].rule);
        free(a->v[i].labels_json);
        free(a->v[i].summary);
        free(a->v[i].details_json);
    }
    free(a->v);
    memset(a, 0, sizeof *a);
}

/* Fills {value} {threshold} {peak} {note} and {LABEL} from the labels JSON's source sample. */
static char *summary_render(const alert_rule *r, const alert_series *s, const metric_sample *m)
{
    kw_buf b;
    kw_buf_init(&b, 4096);
    char v[48];
    const char *t = r->summary;
    if (!t) {
        kw_buf_printf(&b, "%s: %s", r->name, r->expr->metric);
        if (m && m->nlabels) {
            kw_buf_putc(&b, '{');
            for (int i = 0; i < m->nlabels; i++)
                kw_buf_printf(&b, "%s%s=\"%s\"", i ? "," : "", m->lk[i], m->lv[i]);
            kw_buf_putc(&b, '}');
        }
        rule_value_format(s->value, r->expr->percent, v, sizeof v);
        char th[48];
        rule_value_format(r->expr->threshold, r->expr->percent, th, sizeof th);
        kw_buf_printf(&b, " is %s (%s %s)", v, rule_op_str(r->expr->op), th);
        return kw_buf_take(&b);
    }
    while (*t) {
        const char *open = strchr(t, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!open || !close) {
            kw_buf_puts(&b, t);
            break;
        }
        kw_buf_append(&b, t, (size_t)(open - t));
        char name[64];
        size_t nl = (size_t)(close - open - 1);
        const char *rep = NULL;
        if (nl < sizeof name) {
            memcpy(name, open + 1, nl);
            name[nl] = '\0';
            if (strcmp(name, "value") == 0) {
                rule_value_format(s->value, r->expr->percent, v, sizeof v);
                rep = v;
            } else if (strcmp(name, "peak") == 0) {
                rule_value_format(s->peak, r->expr->percent, v, sizeof v);
                rep = v;
            } else if (strcmp(name, "threshold") == 0) {
                rule_value_format(r->expr->threshold, r->expr->percent, v, sizeof v);
                rep = v;
            } else if (strcmp(name, "note") == 0) {
                rep = s->note ? s->note : "";
            } else if (m) {
                rep = metric_label(m, name);
            }
            if (!rep)
                for (size_t i = 0; i < r->labels.n; i++)
                    if (strcmp(r->labels.k[i], name) == 0)
                        rep = r->labels.v[i];
        }
        if (rep)
            kw_buf_puts(&b, rep);
        else
            kw_buf_append(&b, open, (size_t)(close - open + 1));
        t = close + 1;
    }
    return kw_buf_take(&b);
}

static alert_act *act_new(alert_acts *out, alert_act_kind kind, const alert_series *s, const alert_rule *r,
                          int64_t now)
{
    kw_grow(&out->v, &out->cap, out->n + 1, sizeof *out->v);
    alert_act *a = &out->v[out->n++];
    memset(a, 0, sizeof *a);
    a->kind = kind;
    a->alert_id = s->alert_id;
    memcpy(a->fingerprint, s->fp, sizeof a->fingerprint);
    a->labels_json = kw_strdup(s->labels_json);
    a->value = s->value;
    a->peak = s->peak;
    a->at_ms = now;
    a->started_ms = s->started;
    if (r) {
        a->rule = kw_strdup(r->name);
        a->severity = r->severity;
        a->threshold = r->expr->threshold;
        a->percent = r->expr->percent;
        a->ctx = r->ctx;
    } else if (s->held) { /* the key is the detector's rule name */
        a->rule = kw_strdup(s->rule_key);
        a->severity = s->severity;
    } else {
        /* the rule is gone: name it from the key */
        const char *bar = strchr(s->rule_key, '|');
        a->rule = bar ? kw_strndup(s->rule_key, (size_t)(bar - s->rule_key)) : kw_strdup(s->rule_key);
        a->severity = KW_SEV_LOW;
    }
    return a;
}

/* ---- engine ---- */

alert_engine *alert_engine_new(int64_t flap_window_ms, int64_t stale_after_ms)
{
    alert_engine *e = kw_calloc(1, sizeof *e);
    kw_map_init(&e->series);
    e->flap_window_ms = flap_window_ms;
    e->stale_after_ms = stale_after_ms;
    return e;
}

static void series_free(alert_series *s)
{
    free(s->rule_key);
    free(s->labels_json);
    free(s);
}

static void engine_rules_clear(alert_engine *e)
{
    for (size_t i = 0; i < e->rules.n; i++)
        free(e->rule_keys[i]);
    free(e->rule_keys);
    e->rule_keys = NULL;
    alert_rules_free(&e->rules);
}

void alert_engine_free(alert_engine *e)
{
    if (!e)
        return;
    size_t it = 0;
    void *v;
    while (kw_map_next(&e->series, &it, NULL, &v))
        series_free(v);
    kw_map_free(&e->series);
    engine_rules_clear(e);
    free(e);
}

void alert_engine_configure(alert_engine *e, int64_t flap_window_ms, int64_t stale_after_ms)
{
    e->flap_window_ms = flap_window_ms;
    e->stale_after_ms = stale_after_ms;
}

size_t alert_engine_series(const alert_engine *e) { return e->series.n; }

static const alert_rule *engine_rule_by_key(const alert_engine *e, const char *key)
{
    for (size_t i = 0; i < e->rules.n; i++)
        if (strcmp(e->rule_keys[i], key) == 0)
            return &e->rules.v[i];
    return NULL;
}

static void series_resolve(alert_series *s, const alert_rule *r, int64_t now, const char *reason, alert_acts *out)
{
    alert_act *a = act_new(out, ALERT_ACT_RESOLVE, s, r, now);
    a->reason = reason;
    s->st = SERIES_INACTIVE;
    s->resolved_at = now;
    s->clear_since = 0;
}

void alert_engine_set_rules(alert_engine *e, alert_rules *rules, int64_t now_ms, alert_acts *out)
{
    engine_rules_clear(e);
    e->rules = *rules;
    memset(rules, 0, sizeof *rules);
    e->rule_keys = kw_calloc(e->rules.n ? e->rules.n : 1, sizeof(char *));
    for (size_t i = 0; i < e->rules.n; i++)
        e->rule_keys[i] = rule_key(&e->rules.v[i]);
    size_t it = 0;
    const char *k;
    void *v;
    while (kw_map_next(&e->series, &it, &k, &v)) {
        alert_series *s = v;
        if (s->held)
            continue;
        s->rule = engine_rule_by_key(e, s->rule_key);
        if (!s->rule) {
            if (s->st == SERIES_FIRING)
                series_resolve(s, NULL, now_ms, "rule removed", out);
            series_free(kw_map_del(&e->series, s->fp));
        }
    }
}

/* A firing series for an alert open in the store, given stale_after to report again. */
static alert_series *series_open(const alert_open *o, const char *key, int64_t now_ms)
{
    alert_series *s = kw_calloc(1, sizeof *s);
    kw_strlcpy(s->fp, o->fingerprint, sizeof s->fp);
    s->rule_key = kw_strdup(key);
    s->labels_json = kw_strdup(o->labels_json);
    s->st = SERIES_FIRING;
    s->alert_id = o->id;
    s->started = o->started_ms;
    s->peak = s->history_peak = s->value = o->peak;
    s->last_seen = s->last_update = s->last_history = now_ms;
    return s;
}

/* A rule's identity is on the alert row only as its name: restore matches the first rule
 * of that name whose labels the series could have. */
void alert_engine_restore(alert_engine *e, const alert_open *o, int64_t now_ms, alert_acts *out)
{
    char fp[17];
    alert_fingerprint(NULL, o->rule, o->labels_json, fp);
    if (strcmp(fp, o->fingerprint) != 0) { /* not one of the engine's rules: a detector's */
        alert_engine_hold(e, o, now_ms);
        return;
    }
    const alert_rule *r = NULL;
    const char *key = NULL;
    for (size_t i = 0; i < e->rules.n && !r; i++) {
        if (strcmp(e->rules.v[i].name, o->rule) != 0)
            continue;
        /* a rule with matchers must see its matched labels in the alert's labels */
        bool ok = true;
        for (size_t m = 0; m < e->rules.v[i].expr->n_matchers && ok; m++) {
            const rule_matcher *mm = &e->rules.v[i].expr->m[m];
            if (mm->negate || !mm->value[0]) /* "": the label absent, as on the alert */
                continue;
            kw_buf b;
            kw_buf_init(&b, 4096);
            kw_json j;
            kw_json_init(&j, &b);
            kw_json_kv_str(&j, mm->name, mm->value);
            ok = strstr(o->labels_json, kw_buf_cstr(&b)) != NULL;
            kw_buf_free(&b);
        }
        if (ok) {
            r = &e->rules.v[i];
            key = e->rule_keys[i];
        }
    }
    alert_series *s = series_open(o, key ? key : o->rule, now_ms);
    s->rule = r;
    if (!r) {
        series_resolve(s, NULL, now_ms, "rule removed", out);
        series_free(s);
        return;
    }
    alert_series *old = kw_map_put(&e->series, s->fp, s);
    if (old)
        series_free(old);
}

void alert_engine_hold(alert_engine *e, const alert_open *o, int64_t now_ms)
{
    alert_series *s = series_open(o, o->rule, now_ms);
    s->held = true;
    s->severity = o->severity;
    alert_series *old = kw_map_put(&e->series, s->fp, s);
    if (old)
        series_free(old);
}

static bool sample_matches(const rule_expr *x, const metric_sample *m)
{
    if (strcmp(x->metric, m->desc->name) != 0)
        return false;
    for (size_t i = 0; i < x->n_matchers; i++) {
        const char *v = metric_label(m, x->m[i].name);
        bool eq = strcmp(v ? v : "", x->m[i].value) == 0; /* an absent label is "" (host="": this server's) */
        if (eq == x->m[i].negate)
            return false;
    }
    return true;
}

/* The sample's labels and the rule's, keys sorted, as JSON. */
static char *labels_canonical(const alert_rule *r, const metric_sample *m)
{
    const char *k[METRIC_MAX_LABELS + 32], *v[METRIC_MAX_LABELS + 32];
    size_t n = 0;
    for (int i = 0; i < m->nlabels; i++) {
        k[n] = m->lk[i];
        v[n++] = m->lv[i];
    }
    for (size_t i = 0; i < r->labels.n && n < sizeof k / sizeof k[0]; i++) {
        size_t j = 0;
        while (j < n && strcmp(k[j], r->labels.k[i]) != 0)
            j++;
        k[j] = r->labels.k[i];
        v[j] = r->labels.v[i];
        if (j == n)
            n++;
    }
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(k[j - 1], k[j]) > 0; j--) {
            const char *t = k[j];
            k[j] = k[j - 1];
            k[j - 1] = t;
            t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    for (size_t i = 0; i < n; i++)
        kw_json_kv_str(&j, k[i], v[i]);
    kw_json_obj_end(&j);
    return kw_buf_take(&b);
}

void alert_fingerprint(const char *source, const char *rule, const char *labels_json, char out[17])
{
    kw_buf b;
    kw_buf_init(&b, 0);
    if (source)
        kw_buf_printf(&b, "%s\n", source);
    kw_buf_printf(&b, "%s\n%s", rule, labels_json);
    snprintf(out, 17, "%016llx", (unsigned long long)kw_hash64(b.data, b.len));
    kw_buf_free(&b);
}

static void series_eval(alert_engine *e, const alert_rule *r, size_t ri, const metric_sample *m, int64_t now,
                        alert_acts *out)
{
    double v = m->value;
    if (isnan(v))
        return;
    bool holds = rule_op_holds(r->expr->op, v, r->expr->threshold);
    char *labels = labels_canonical(r, m);
    char fp[17];
    alert_fingerprint(NULL, r->name, labels, fp);
    alert_series *s = kw_map_get(&e->series, fp);
    if (!s) {
        if (!holds) { /* nothing to remember */
            free(labels);
            return;
        }
        s = kw_calloc(1, sizeof *s);
        memcpy(s->fp, fp, sizeof fp);
        s->rule_key = kw_strdup(e->rule_keys[ri]);
        s->labels_json = labels;
        s->rule = r;
        kw_map_put(&e->series, fp, s);
    } else {
        free(labels);
    }
    s->last_seen = now;
    s->note = m->note;
    double prev_value = s->value;
    s->value = v;
    if (s->st == SERIES_FIRING) {
        bool worse = r->expr->op == RULE_OP_LT || r->expr->op == RULE_OP_LE ? v < s->peak : v > s->peak;
        if (worse)
            s->peak = v;
        /* hysteresis: with a clear threshold the alert lasts until the value is past it */
        bool still = isnan(r->clear) ? holds : rule_op_holds(r->expr->op, v, r->clear);
        if (still) {
            s->clear_since = 0;
            if (v != prev_value || now - s->last_update >= UPDATE_EVERY_MS) {
                alert_act *a = act_new(out, ALERT_ACT_UPDATE, s, r, now);
                a->summary = summary_render(r, s, m);
                if (s->peak != s->history_peak && now - s->last_history >= HISTORY_EVERY_MS) {
                    a->history = true;
                    s->history_peak = s->peak;
                    s->last_history = now;
                }
                s->last_update = now;
            }
            return;
        }
        if (!s->clear_since)
            s->clear_since = now;
        if (now - s->clear_since >= r->clear_for_ms) {
            alert_act *a = act_new(out, ALERT_ACT_RESOLVE, s, r, now);
            a->summary = summary_render(r, s, m);
            a->reason = "cleared";
            s->st = SERIES_INACTIVE;
            s->resolved_at = now;
            s->clear_since = 0;
        }
        return;
    }
    if (!holds) {
        s->st = SERIES_INACTIVE;
        return;
    }
    if (s->st == SERIES_INACTIVE) {
        s->st = SERIES_PENDING;
        s->pending_since = now;
    }
    if (now - s->pending_since < r->for_ms)
        return;
    bool reopen = s->alert_id && s->resolved_at && now - s->resolved_at <= e->flap_window_ms;
    s->st = SERIES_FIRING;
    s->clear_since = 0;
    s->peak = s->history_peak = v;
    s->last_update = s->last_history = now;
    if (!reopen) {
        s->alert_id = 0;
        s->started = now;
    }
    alert_act *a = act_new(out, reopen ? ALERT_ACT_REOPEN : ALERT_ACT_FIRE, s, r, now);
    a->summary = summary_render(r, s, m);
}

void alert_engine_eval(alert_engine *e, const metric_set *ms, int64_t now_ms, alert_acts *out)
{
    for (size_t ri = 0; ri < e->rules.n; ri++) {
        const alert_rule *r = &e->rules.v[ri];
        for (size_t i = 0; i < ms->n; i++)
            if (sample_matches(r->expr, &ms->v[i]))
                series_eval(e, r, ri, &ms->v[i], now_ms, out);
    }
    size_t it = 0;
    void *v;
    while (kw_map_next(&e->series, &it, NULL, &v))
        ((alert_series *)v)->note = NULL;
}

void alert_engine_sweep(alert_engine *e, int64_t now_ms, alert_acts *out)
{
    size_t it = 0;
    void *v;
    while (kw_map_next(&e->series, &it, NULL, &v)) {
        alert_series *s = v;
        bool stale = now_ms - s->last_seen > e->stale_after_ms;
        if (s->held) { /* its detector did not report it again: no flap window to wait for */
            if (stale) {
                act_new(out, ALERT_ACT_RESOLVE, s, NULL, now_ms)->reason = "not seen since restart";
                series_free(kw_map_del(&e->series, s->fp));
            }
            continue;
        }
        if (s->st == SERIES_FIRING && stale) {
            alert_act *a = act_new(out, ALERT_ACT_RESOLVE, s, s->rule, now_ms);
            a->reason = "no data";
            s->st = SERIES_INACTIVE;
            s->resolved_at = now_ms;
        }
        /* forget what can no longer matter: idle series past the flap window, stale pendings */
        if ((s->st == SERIES_INACTIVE && (!s->resolved_at || now_ms - s->resolved_at > e->flap_window_ms)) ||
            (s->st == SERIES_PENDING && stale))
            series_free(kw_map_del(&e->series, s->fp));
    }
}

void alert_engine_bind(alert_engine *e, const char *fingerprint_hex, int64_t alert_id)
{
    alert_series *s = kw_map_get(&e->series, fingerprint_hex);
    if (s)
        s->alert_id = alert_id;
}

void alert_engine_forget(alert_engine *e, const char *fingerprint_hex)
{
    alert_series *s = kw_map_del(&e->series, fingerprint_hex);
    if (s)
        series_free(s);
}

void alert_act_ecs(const alert_act *a, kw_buf *out)
{
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kw_json_kv_time(&j, "@timestamp", a->at_ms);
    kw_json_key(&j, "event");
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "kind", "alert");
    kw_json_kv_str(&j, "action", a->rule);
    kw_json_kv_str(&j, "dataset", "keepwatch.alert");
    kw_json_kv_int(&j, "severity", a->severity);
    kw_json_kv_time(&j, "start", a->started_ms);
    if (a->kind == ALERT_ACT_RESOLVE)
        kw_json_kv_time(&j, "end", a->at_ms);
    kw_json_obj_end(&j);
    kw_json_key(&j, "log");
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "level", kw_severity_name(a->severity));
    kw_json_obj_end(&j);
    if (a->summary)
        kw_json_kv_str(&j, "message", a->summary);
    kw_json_key(&j, "rule");
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "id", a->rule);
    kw_json_kv_str(&j, "name", a->rule);
    kw_json_obj_end(&j);
    kw_json_key(&j, "labels");
    kw_json_raw(&j, a->labels_json);
    kw_json_key(&j, "keepwatch");
    kw_json_obj_begin(&j);
    kw_json_key(&j, "alert");
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "id", a->alert_id);
    kw_json_kv_str(&j, "fingerprint", a->fingerprint);
    kw_json_kv_str(&j, "transition", alert_act_name(a->kind));
    kw_json_kv_num(&j, "value", a->value);
    kw_json_kv_num(&j, "peak", a->peak);
    kw_json_kv_num(&j, "threshold", a->threshold);
    if (a->reason)
        kw_json_kv_str(&j, "reason", a->reason);
    kw_json_obj_end(&j);
    if (a->details_json) {
        kw_json_key(&j, "details");
        kw_json_raw(&j, a->details_json);
    }
    kw_json_obj_end(&j);
    kw_json_obj_end(&j);
}

alert_act *alert_acts_push(alert_acts *acts, alert_act_kind kind, const char *source, const char *rule,
                           char *labels_json)
{
    kw_grow(&acts->v, &acts->cap, acts->n + 1, sizeof *acts->v);
    alert_act *a = &acts->v[acts->n++];
    memset(a, 0, sizeof *a);
    a->kind = kind;
    a->rule = kw_strdup(rule);
    a->labels_json = labels_json;
    a->threshold = NAN;
    alert_fingerprint(source, rule, labels_json, a->fingerprint);
    return a;
}
