/* The findings module: its tables and routes, and on the leader, every findings.sweep_interval,
 * the sweeps: accepted findings whose acceptance ended reopen, and two alerts go through the
 * alert pipeline (so notify tells the finding's department):
 *   finding_overdue   per active finding past its deadline (findings.alert_overdue), resolved
 *                     when it is fixed, accepted or closed;
 *   finding_critical  per active finding of findings.alert_severity or above first seen in
 *                     the last 7 days: the news of a new critical weakness, resolved when it
 *                     is no longer active (or older: the deadline's alert takes over).
 * Each is at most SWEEP_MAX at a time, the riskiest first. The alerts it leaves open are taken
 * up again after a restart or a takeover. */
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_map.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "daemon/kw_core.h"
#include "findings/findings.h"
#include "findings/findings_conf.h"
#include "findings/findings_run.h"
#include "store/store_findings.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SWEEP_MAX 500
#define NEW_WINDOW_MS (7 * 86400000LL)

extern const http_route findings_routes[];

typedef struct fstate {
    kw_core *core;
    const conf *c;
    int64_t next_mono;
    bool adopted;
    kw_map firing; /* fingerprint -> labels JSON (owned): the alerts this module has open */
} fstate;

/* What one sweep wants open: fingerprint -> the act to fire. */
typedef struct want {
    kw_map by_fp;
    alert_acts *acts;
    const char *rule;
    int64_t now;
    int64_t since;    /* only findings first seen since then (0: any) */
    fstate *s;
} want;

static char *labels_of(const store_finding *f)
{
    kw_buf b;
    kw_buf_init(&b, 4096);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j); /* keys sorted: the labels are canonical */
    kw_json_kv_str(&j, "asset", f->asset);
    if (f->department[0])
        kw_json_kv_str(&j, "department", f->department);
    kw_json_kv_int(&j, "finding", f->id);
    if (f->owner[0])
        kw_json_kv_str(&j, "owner", f->owner);
    kw_json_kv_str(&j, "vulnerability", f->vuln_id);
    kw_json_obj_end(&j);
    char *out = kw_strdup(b.data);
    kw_buf_free(&b);
    return out;
}

static void want_one(void *arg, const store_finding *f)
{
    want *w = arg;
    if (f->first_ms < w->since)
        return;
    bool overdue = strcmp(w->rule, "finding_overdue") == 0;
    char *labels = labels_of(f);
    char fp[17];
    alert_fingerprint("findings", w->rule, labels, fp);
    kw_map_put(&w->by_fp, fp, (void *)1);
    if (kw_map_get(&w->s->firing, fp)) { /* open already */
        free(labels);
        return;
    }
    kw_map_put(&w->s->firing, fp, kw_strdup(labels));
    alert_act *x = alert_acts_push(w->acts, ALERT_ACT_FIRE, "findings", w->rule, labels);
    char what[32], text[2048];
    snprintf(what, sizeof what, overdue ? "past its deadline" : "new, %s", finding_sev_name((finding_sev)f->severity));
    snprintf(text, sizeof text, "finding #%lld (%s): %s on %s%s%s: %s", (long long)f->id, what, f->vuln_id, f->asset,
             f->place[0] ? " " : "", f->place, f->title);
    x->summary = kw_strdup(text);
    x->severity = f->severity >= 1 ? f->severity : 1;
    x->at_ms = w->now;
    x->started_ms = overdue ? f->due_ms : f->first_ms;
    x->value = f->risk;
}

/* Resolves what this module has open under rule that the sweep no longer wants. */
static void resolve_rest(fstate *s, const kw_map *wanted, const char *rule, alert_acts *acts, int64_t now)
{
    const char *fp;
    void *labels;
    for (size_t it = 0; kw_map_next(&s->firing, &it, &fp, &labels);) {
        char mine[17];
        alert_fingerprint("findings", rule, labels, mine);
        if (strcmp(mine, fp) != 0 || kw_map_get(wanted, fp))
            continue; /* another rule's, or still wanted */
        alert_act *x = alert_acts_push(acts, ALERT_ACT_RESOLVE, "findings", rule, kw_strdup(labels));
        x->at_ms = now;
        x->reason = "cleared";
        free(kw_map_del(&s->firing, fp));
        it = 0; /* the map changed under the iteration: start again (a few hundred at most) */
    }
}

static void sweep_rule(fstate *s, const char *rule, const store_findings_query *q, bool on, int64_t since,
                       alert_acts *acts, int64_t now)
{
    want w = {.acts = acts, .rule = rule, .now = now, .since = since, .s = s};
    kw_map_init(&w.by_fp);
    kw_rc rc = on ? store_findings_each(s->core->store, q, want_one, &w) : KW_OK;
    if (rc == KW_OK) /* the store away: nothing resolves for want of an answer */
        resolve_rest(s, &w.by_fp, rule, acts, now);
    kw_map_free(&w.by_fp);
}

static void adopt_one(void *arg, const alert_open *a)
{
    fstate *s = arg;
    if (strcmp(a->rule, "finding_overdue") != 0 && strcmp(a->rule, "finding_critical") != 0)
        return;
    char fp[17];
    alert_fingerprint("findings", a->rule, a->labels_json, fp);
    if (strcmp(fp, a->fingerprint) != 0)
        return;
    kw_map_put(&s->firing, fp, kw_strdup(a->labels_json));
    alert_engine_forget(s->core->engine, fp);
}

static void sweep(fstate *s, int64_t now, alert_acts *acts)
{
    kw_store *st = s->core->store;
    int64_t n = 0;
    if (findings_expire_acceptances(st, now, &n) == KW_OK && n)
        log_info("findings: %lld acceptance%s ended, reopened", (long long)n, n == 1 ? "" : "s");
    store_findings_query overdue = {.status = "active", .overdue = true, .now_ms = now, .limit = SWEEP_MAX};
    sweep_rule(s, "finding_overdue", &overdue, s->c->findings.alert_overdue, 0, acts, now);
    store_findings_query fresh = {.status = "active", .min_severity = s->c->findings.alert_min_severity,
                                  .now_ms = now, .limit = SWEEP_MAX, .sort = "risk"};
    sweep_rule(s, "finding_critical", &fresh, s->c->findings.alert_min_severity > 0, now - NEW_WINDOW_MS, acts, now);
}

static void findings_tick(void *state, int64_t now, alert_acts *acts)
{
    fstate *s = state;
    int64_t mono = kw_mono_ms();
    if (mono < s->next_mono || !atomic_load(&s->core->lead_epoch) || !s->core->store)
        return;
    s->next_mono = mono + (s->c->findings.sweep_interval_ms > 0 ? s->c->findings.sweep_interval_ms : 60000);
    if (!s->adopted && store_alert_each_open(s->core->store, adopt_one, s) == KW_OK)
        s->adopted = true;
    sweep(s, now, acts);
}

static kw_rc findings_start(kw_core *core, const conf *c, void **state)
{
    fstate *s = kw_calloc(1, sizeof *s);
    s->core = core;
    s->c = c;
    kw_map_init(&s->firing);
    *state = s;
    return KW_OK;
}

static void findings_reload(void *state, const conf *old, const conf *next)
{
    fstate *s = state;
    s->c = next;
    s->next_mono = 0; /* sweep with the new settings at the next turn */
}

static void findings_stop(void *state, int64_t budget_ms)
{
    fstate *s = state;
    const char *k;
    void *v;
    for (size_t it = 0; kw_map_next(&s->firing, &it, &k, &v);)
        free(v);
    kw_map_free(&s->firing);
    free(s);
}

const kw_module findings_module = {
    .name = "findings",
    .phase = KW_PHASE_USER,
    .start = findings_start,
    .reload = findings_reload,
    .stop = findings_stop,
    .tick = findings_tick,
    .migrations = store_findings_migrations,
    .nmigrations = STORE_FINDINGS_VERSIONS,
    .routes = findings_routes,
    .conf = &findings_conf_section,
};
