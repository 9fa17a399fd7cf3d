/* incident_engine.c: the leader's incident work (incident_engine.h): alerts into incidents
 * through the triggers, ready steps told to their owners and the departments they tell, late
 * steps raised as incident_step_overdue alerts and resolved when done. Bounded per step: at
 * most TRIGGER_BATCH alert changes, TELL_BATCH steps told and LATE_MAX late steps at a time. */
#include "incident/incident_engine.h"
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_map.h"
#include "core/kw_mem.h"
#include "incident/incident_ops.h"
#include "incident/incident_plan.h"
#include "incident/incident_trigger.h"
#include "notify/notify.h"
#include "store/store_incident_engine.h"
#include "store/store_notify.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TRIGGER_BATCH 500
#define TELL_BATCH 200
#define LATE_MAX 1000
#define CHANNELS_MAX 32
#define ACTOR "keepwatch"

struct incident_engine {
    const conf *c;
    incident_trig *trig;
    kw_map firing;            /* fingerprint -> labels JSON (owned): the overdue alerts open */
    incident_engine_stats stats;
};

incident_engine *incident_engine_new(const conf *c)
{
    incident_engine *e = kw_calloc(1, sizeof *e);
    e->c = c;
    e->trig = incident_trig_new(c);
    kw_map_init(&e->firing);
    return e;
}

void incident_engine_free(incident_engine *e)
{
    if (!e)
        return;
    const char *k;
    void *v;
    for (size_t it = 0; kw_map_next(&e->firing, &it, &k, &v);)
        free(v);
    kw_map_free(&e->firing);
    incident_trig_free(e->trig);
    free(e);
}

void incident_engine_reload(incident_engine *e, const conf *next)
{
    incident_trig_free(e->trig);
    e->c = next;
    e->trig = incident_trig_new(next);
}

const incident_engine_stats *incident_engine_stats_get(const incident_engine *e)
{
    return &e->stats;
}

static incident_ctx ctx_of(incident_engine *e, kw_store *s, int64_t now)
{
    incident_ctx x = {.s = s, .c = e->c, .now_ms = now, .actor = ACTOR};
    return x;
}

/* ---- triggers ---- */

typedef struct change {
    int64_t id, alert_id, started_ms;
    int severity;
    char *rule, *summary, *labels;
    bool fired;
} change;

typedef struct changes {
    change v[TRIGGER_BATCH];
    size_t n;
} changes;

static void change_take(void *arg, const store_alert_change *c)
{
    changes *cs = arg;
    if (cs->n >= TRIGGER_BATCH)
        return;
    change *d = &cs->v[cs->n++];
    *d = (change){.id = c->id, .alert_id = c->alert_id, .started_ms = c->started_ms, .severity = c->severity,
                  .rule = kw_strdup(c->rule ? c->rule : ""), .summary = kw_strdup(c->summary ? c->summary : ""),
                  .labels = kw_strdup(c->labels_json ? c->labels_json : "{}"),
                  .fired = c->action && (strcmp(c->action, "fired") == 0 || strcmp(c->action, "reopened") == 0)};
}

/* The alert into its incident: the open one of its key, else a new one. */
static kw_rc trigger_one(incident_engine *e, kw_store *s, int64_t now, const change *ch, const notify_alert *a,
                         const incident_trig_hit *h)
{
    incident_ctx x = ctx_of(e, s, now);
    int64_t id = 0;
    if (store_incident_open_by_key(s, h->key, &id) != KW_OK)
        return KW_ERR_STORE;
    if (id) {
        bool added = false;
        kw_rc rc = incident_attach(&x, id, ch->alert_id, &added);
        if (rc == KW_OK && added)
            e->stats.attached++;
        return x.why == INC_E_STORE ? rc : KW_OK;
    }
    char nb[64];
    const char *asset = notify_alert_field(a, "asset", nb, sizeof nb);
    incident_decl d = {.playbook = h->playbook, .grade = h->grade, .summary = ch->summary, .systems = asset,
                       .drill = h->drill, .trigger = h->trigger->name, .key = h->key, .found_ms = ch->started_ms,
                       .alerts = &ch->alert_id, .nalerts = 1,
                       .zh = !e->c->notify.language || strcmp(e->c->notify.language, "en") != 0};
    kw_rc rc = incident_declare(&x, &d, &id);
    if (rc == KW_OK) {
        e->stats.declared++;
        log_info("incident: #%lld declared from alert #%lld by trigger %s (%s)", (long long)id,
                 (long long)ch->alert_id, h->trigger->name, h->playbook);
        return KW_OK;
    }
    e->stats.errors++;
    log_warn("incident: trigger %s could not declare from alert #%lld: %s", h->trigger->name,
             (long long)ch->alert_id, x.err);
    return x.why == INC_E_STORE ? rc : KW_OK; /* a refusal is not retried; a store failure is */
}

static kw_rc pump_triggers(incident_engine *e, kw_store *s, int64_t now)
{
    int64_t cursor = 0;
    if (store_incident_cursor(s, &cursor) != KW_OK)
        return KW_ERR_STORE;
    changes *cs = kw_calloc(1, sizeof *cs);
    kw_rc rc = store_alert_changes_each(s, cursor, TRIGGER_BATCH, change_take, cs);
    int64_t done = cursor;
    for (size_t i = 0; i < cs->n && rc == KW_OK; i++) {
        const change *ch = &cs->v[i];
        if (ch->fired && e->c->incident.triggers.n) {
            e->stats.alerts_seen++;
            notify_alert a;
            notify_alert_init(&a, e->c, ch->alert_id, ch->rule, "firing", ch->summary, ch->severity, ch->started_ms,
                              ch->labels);
            incident_trig_hit h;
            if (incident_trig_offer(e->trig, &a, &h))
                rc = trigger_one(e, s, now, ch, &a, &h);
            notify_alert_fini(&a);
        }
        if (rc == KW_OK)
            done = ch->id;
    }
    for (size_t i = 0; i < cs->n; i++) {
        free(cs->v[i].rule);
        free(cs->v[i].summary);
        free(cs->v[i].labels);
    }
    free(cs);
    if (done != cursor && store_incident_cursor_put(s, done) != KW_OK)
        return KW_ERR_STORE;
    return rc;
}

/* ---- telling ---- */

/* A task copied out of the store's row. */
typedef struct task {
    int64_t incident, declared_ms, found_ms, due_ms;
    int grade;
    bool drill, overdue_marked;
    char *title, *summary, *playbook, *systems, *step, *phase, *step_title, *step_title_zh, *instructions,
        *instructions_zh, *owner, *owner_dept, *tell, *report;
} task;

typedef struct tasks {
    task *v;
    size_t n, cap;
} tasks;

static char *dup_or_null(const char *s)
{
    return s ? kw_strdup(s) : NULL;
}

static void task_take(void *arg, const store_incident_task *t)
{
    tasks *ts = arg;
    if (ts->n == ts->cap) {
        ts->cap = ts->cap ? ts->cap * 2 : 32;
        ts->v = kw_realloc(ts->v, ts->cap * sizeof *ts->v);
    }
    ts->v[ts->n++] = (task){
        .incident = t->incident, .declared_ms = t->declared_ms, .found_ms = t->found_ms, .due_ms = t->due_ms,
        .grade = t->grade, .drill = t->drill, .overdue_marked = t->overdue_marked, .title = dup_or_null(t->title),
        .summary = dup_or_null(t->summary), .playbook = dup_or_null(t->playbook), .systems = dup_or_null(t->systems),
        .step = dup_or_null(t->step), .phase = dup_or_null(t->phase), .step_title = dup_or_null(t->step_title),
        .step_title_zh = dup_or_null(t->step_title_zh), .instructions = dup_or_null(t->instructions),
        .instructions_zh = dup_or_null(t->instructions_zh), .owner = dup_or_null(t->owner),
        .owner_dept = dup_or_null(t->owner_dept), .tell = dup_or_null(t->tell), .report = dup_or_null(t->report)};
}

static void tasks_free(tasks *ts)
{
    for (size_t i = 0; i < ts->n; i++) {
        task *t = &ts->v[i];
        char **f[] = {&t->title, &t->summary, &t->playbook, &t->systems, &t->step, &t->phase, &t->step_title,
                      &t->step_title_zh, &t->instructions, &t->instructions_zh, &t->owner, &t->owner_dept,
                      &t->tell, &t->report};
        for (size_t k = 0; k < sizeof f / sizeof *f; k++)
            free(*f[k]);
    }
    free(ts->v);
}


static const conf_pb_step *step_of(const conf_playbook *pb, const char *name)
{
    return pb ? incident_pb_step_find(pb, name) : NULL;
}

/* Whether every step t needs is finished (done, skipped or n/a), in the incident's steps. A
 * step the playbook no longer has, or one it no longer names, holds nothing up. */
static bool task_ready(const conf *c, const task *t, const store_incident_steps *steps)
{
    const conf_pb_step *st = step_of(incident_pb_find(c, t->playbook), t->step);
    for (size_t i = 0; st && i < st->needs.n; i++)
        for (size_t k = 0; k < steps->n; k++)
            if (strcmp(steps->v[k].name, st->needs.v[i]) == 0 && strcmp(steps->v[k].state, "pending") == 0)
                return false;
    return true;
}

/* The channels a person or a department is reached on, appended to out (no duplicates). */
static void channels_add(const conf_channel **out, size_t *n, const conf_channel *ch)
{
    for (size_t i = 0; i < *n; i++)
        if (out[i] == ch)
            return;
    if (*n < CHANNELS_MAX)
        out[(*n)++] = ch;
}

static void channels_of(const conf *c, const char *person, const char *dept, const conf_channel **out, size_t *n)
{
    const conf_channel *found[CHANNELS_MAX];
    size_t k = notify_channels_of_department(c, dept, found, CHANNELS_MAX);
    const conf_person *p = person ? conf_person_find(c, person) : NULL;
    for (size_t i = 0; !k && p && i < p->departments.n; i++)
        k = notify_channels_of_department(c, p->departments.v[i], found, CHANNELS_MAX);
    for (size_t i = 0; i < k; i++)
        channels_add(out, n, found[i]);
}

static const conf_channel *channel_named(const conf *c, const char *name)
{
    return cf_list_find(&c->notify.channels, sizeof(conf_channel), name);
}

/* The message of a task, its texts borrowed from t and the configuration. */
static notify_inc_msg task_msg(const conf *c, const task *t, notify_inc_kind kind, const conf_person *const *who,
                               size_t nwho)
{
    const conf_playbook *pb = incident_pb_find(c, t->playbook);
    notify_inc_msg m = {.kind = kind, .incident = t->incident, .title = t->title, .summary = t->summary,
                        .grade = t->grade, .drill = t->drill, .playbook_title = pb ? pb->title : t->playbook,
                        .playbook_title_zh = pb ? pb->title_zh : NULL,
                        .asset = t->systems ? conf_asset_find(c, t->systems) : NULL, .step = t->step,
                        .step_title = t->step_title, .step_title_zh = t->step_title_zh,
                        .instructions = t->instructions, .instructions_zh = t->instructions_zh,
                        .declared_ms = t->declared_ms, .due_ms = t->due_ms, .report = t->report,
                        .people = who, .npeople = nwho,
                        .console_url = c->notify.console_url};
    const conf_pb_step *st = step_of(pb, t->step);
    if (st) {
        m.message = st->message;
        m.message_zh = st->message_zh;
    }
    return m;
}

/* Writes one message to each channel; appends "via a, b" to said. */
static kw_rc send_all(incident_engine *e, kw_store *s, int64_t now, const conf_channel *const *chs, size_t n,
                      const notify_inc_msg *m, kw_buf *said)
{
    for (size_t i = 0; i < n; i++) {
        kw_rc rc = notify_outbox_incident(s, e->c, chs[i], m, now, NULL);
        if (rc != KW_OK)
            return rc;
        kw_buf_printf(said, "%s%s", i ? ", " : " via ", chs[i]->name);
        e->stats.messages++;
    }
    if (!n)
        kw_buf_puts(said, " (no channel reaches them: only the console shows it)");
    return KW_OK;
}

/* The owner's message: to the owner's channels and the incident's. */
static kw_rc tell_owner(incident_engine *e, kw_store *s, int64_t now, const task *t, kw_buf *said)
{
    const conf *c = e->c;
    const conf_person *who = t->owner ? conf_person_find(c, t->owner) : NULL;
    const conf_channel *chs[CHANNELS_MAX];
    size_t n = 0;
    channels_of(c, t->owner, t->owner_dept, chs, &n);
    for (size_t i = 0; i < c->incident.channels.n; i++) {
        const conf_channel *ch = channel_named(c, c->incident.channels.v[i]);
        if (ch)
            channels_add(chs, &n, ch);
    }
    notify_inc_msg m = task_msg(c, t, NINC_STEP, who ? &who : NULL, who ? 1 : 0);
    kw_buf_printf(said, "told %s", who ? (who->display ? who->display : who->name) : "nobody (no owner)");
    return send_all(e, s, now, chs, n, &m, said);
}

/* The regulator's clock for management's message: the reporting row for the org type. */
static void put_report_clock(const conf *c, const task *t, notify_inc_msg *m)
{
    const conf_inc_reporting *r = NULL;
    if (incident_plan_reporting(c, c->incident.org_type, t->grade, &r) != KW_OK || !r)
        return;
    m->report_due_ms = t->found_ms + r->within_ms;
    m->report_to = r->to;
    m->report_to_zh = r->to_zh;
}

/* Each target the step tells ([{target, person, department, fallback}]): its department's
 * channels (or the person's), in that department's terms. */
static kw_rc tell_targets(incident_engine *e, kw_store *s, int64_t now, const task *t, kw_buf *said)
{
    json_t *arr = t->tell ? json_loads(t->tell, 0, NULL) : NULL;
    size_t i;
    json_t *o;
    kw_rc rc = KW_OK;
    json_array_foreach(arr, i, o)
    {
        const char *target = json_string_value(json_object_get(o, "target"));
        const char *person = json_string_value(json_object_get(o, "person"));
        const char *dept = json_string_value(json_object_get(o, "department"));
        const conf_person *who = person ? conf_person_find(e->c, person) : NULL;
        const conf_channel *chs[CHANNELS_MAX];
        size_t n = 0;
        channels_of(e->c, person, dept, chs, &n);
        notify_inc_msg m = task_msg(e->c, t, NINC_TELL, who ? &who : NULL, who ? 1 : 0);
        put_report_clock(e->c, t, &m);
        kw_buf_printf(said, "; told %s", target ? target : "?");
        if ((rc = send_all(e, s, now, chs, n, &m, said)) != KW_OK)
            break;
    }
    json_decref(arr);
    return rc;
}

/* Tells one ready step's people, marks it told and records it, in one transaction. */
static kw_rc tell_task(incident_engine *e, kw_store *s, int64_t now, const task *t)
{
    kw_buf said;
    kw_buf_init(&said, 1 << 16);
    kw_rc rc = store_begin(s);
    if (rc == KW_OK)
        rc = tell_owner(e, s, now, t, &said);
    if (rc == KW_OK)
        rc = tell_targets(e, s, now, t, &said);
    if (rc == KW_OK)
        rc = store_incident_step_mark(s, t->incident, t->step, false, now);
    if (rc == KW_OK) {
        incident_ctx x = ctx_of(e, s, now);
        store_incident_event ev = {.kind = "notified", .actor = ACTOR, .step = t->step, .text = kw_buf_cstr(&said)};
        rc = incident_ops_record(&x, t->incident, &ev);
    }
    if (rc == KW_OK)
        rc = store_commit(s);
    else
        store_rollback(s);
    if (rc == KW_OK)
        e->stats.steps_told++;
    kw_buf_free(&said);
    return rc;
}

static kw_rc pump_telling(incident_engine *e, kw_store *s, int64_t now)
{
    tasks ts = {0};
    kw_rc rc = store_incident_untold_each(s, TELL_BATCH, task_take, &ts);
    store_incident_steps steps = {0};
    int64_t loaded = 0;
    for (size_t i = 0; i < ts.n && rc == KW_OK; i++) {
        const task *t = &ts.v[i];
        if (t->incident != loaded) {
            rc = store_incident_steps_get(s, t->incident, &steps);
            loaded = t->incident;
        }
        if (rc == KW_OK && task_ready(e->c, t, &steps))
            rc = tell_task(e, s, now, t);
    }
    store_incident_steps_free(&steps);
    tasks_free(&ts);
    return rc;
}

/* ---- deadlines ---- */

static char *overdue_labels(const task *t)
{
    kw_buf b;
    kw_buf_init(&b, 4096);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j); /* keys sorted: the labels are canonical */
    if (t->owner_dept)
        kw_json_kv_str(&j, "department", t->owner_dept);
    if (t->drill) {
        char d[32];
        snprintf(d, sizeof d, "incident-%lld", (long long)t->incident);
        kw_json_kv_str(&j, "drill", d);
    }
    kw_json_kv_int(&j, "incident", t->incident);
    if (t->owner)
        kw_json_kv_str(&j, "owner", t->owner);
    kw_json_kv_str(&j, "playbook", t->playbook ? t->playbook : "");
    kw_json_kv_str(&j, "step", t->step);
    kw_json_obj_end(&j);
    return kw_buf_take(&b);
}

/* The first time a step is late: its overdue time, a timeline event and a duty-log entry. */
static kw_rc mark_late(incident_engine *e, kw_store *s, int64_t now, const task *t)
{
    kw_rc rc = store_begin(s);
    if (rc != KW_OK)
        return rc;
    rc = store_incident_step_mark(s, t->incident, t->step, true, now);
    if (rc == KW_OK) {
        char text[512];
        snprintf(text, sizeof text, "step %s is past its deadline (owner %s): escalated as %s", t->step,
                 t->owner ? t->owner : "none", INCIDENT_OVERDUE_RULE);
        incident_ctx x = ctx_of(e, s, now);
        store_incident_event ev = {.kind = "overdue", .actor = ACTOR, .step = t->step, .text = text};
        rc = incident_ops_record(&x, t->incident, &ev);
    }
    if (rc == KW_OK)
        return store_commit(s);
    store_rollback(s);
    return rc;
}

typedef struct late {
    incident_engine *e;
    kw_store *s;
    int64_t now;
    alert_acts *acts;
    kw_map wanted;
    tasks ts;
} late;

static void fire_late(late *l, const task *t)
{
    incident_engine *e = l->e;
    char *labels = overdue_labels(t);
    char fp[17];
    alert_fingerprint("incident", INCIDENT_OVERDUE_RULE, labels, fp);
    kw_map_put(&l->wanted, fp, (void *)1);
    if (kw_map_get(&e->firing, fp)) {
        free(labels);
        return;
    }
    if (!t->overdue_marked && mark_late(e, l->s, l->now, t) != KW_OK) {
        kw_map_del(&l->wanted, fp);
        free(labels);
        return; /* the next turn tries again */
    }
    kw_map_put(&e->firing, fp, kw_strdup(labels));
    alert_act *x = alert_acts_push(l->acts, ALERT_ACT_FIRE, "incident", INCIDENT_OVERDUE_RULE, labels);
    char text[1024];
    snprintf(text, sizeof text, "%sincident #%lld: step %s (%s) is past its deadline; owner %s",
             t->drill ? "[drill] " : "", (long long)t->incident, t->step,
             t->step_title_zh ? t->step_title_zh : t->step_title ? t->step_title : t->step, t->owner ? t->owner : "none");
    x->summary = kw_strdup(text);
    x->severity = e->c->incident.overdue_severity ? e->c->incident.overdue_severity : 3;
    x->at_ms = l->now;
    x->started_ms = t->due_ms;
    x->value = (double)(l->now - t->due_ms) / 60000.0;
    e->stats.overdue_fired++;
}

/* Resolves the overdue alerts open that no late step wants any more. */
static void resolve_rest(late *l)
{
    incident_engine *e = l->e;
    const char *fp;
    void *labels;
    for (size_t it = 0; kw_map_next(&e->firing, &it, &fp, &labels);) {
        if (kw_map_get(&l->wanted, fp))
            continue;
        alert_act *x = alert_acts_push(l->acts, ALERT_ACT_RESOLVE, "incident", INCIDENT_OVERDUE_RULE,
                                       kw_strdup(labels));
        x->at_ms = l->now;
        x->reason = "cleared";
        free(kw_map_del(&e->firing, fp));
        e->stats.overdue_resolved++;
        it = 0; /* the map changed under the iteration: start again (a few hundred at most) */
    }
}

static kw_rc pump_deadlines(incident_engine *e, kw_store *s, int64_t now, alert_acts *acts)
{
    late l = {.e = e, .s = s, .now = now, .acts = acts};
    kw_map_init(&l.wanted);
    kw_rc rc = store_incident_late_each(s, now, LATE_MAX, task_take, &l.ts);
    for (size_t i = 0; i < l.ts.n && rc == KW_OK; i++)
        fire_late(&l, &l.ts.v[i]);
    if (rc == KW_OK) /* the store away: nothing resolves for want of an answer */
        resolve_rest(&l);
    kw_map_free(&l.wanted);
    tasks_free(&l.ts);
    return rc;
}

/* ---- versions ---- */

kw_rc incident_engine_versions(incident_engine *e, kw_store *s, int64_t now)
{
    const conf *c = e->c;
    for (size_t i = 0; i < c->incident.playbooks.n; i++) {
        const conf_playbook *pb = CONF_AT(c->incident.playbooks, conf_playbook, i);
        char hex[65], last[512], text[1024];
        incident_playbook_digest(pb, hex);
        snprintf(text, sizeof text, "version %.16s in use (%s)", hex,
                 pb->builtin ? "built-in" : pb->source ? pb->source : "the configuration");
        kw_rc rc = store_playbook_last_adopted(s, pb->name, last, sizeof last);
        if (rc == KW_OK && strncmp(last, text, 24) != 0) /* "version " and the 16 digits */
            rc = store_playbook_history_add(s, pb->name, now, "adopted", ACTOR, 0, text);
        if (rc != KW_OK)
            return rc;
    }
    return KW_OK;
}

/* ---- the whole ---- */

typedef struct adopt_arg {
    incident_engine *e;
    alert_engine *ae;
} adopt_arg;

static void adopt_one(void *arg, const alert_open *a)
{
    adopt_arg *x = arg;
    if (strcmp(a->rule, INCIDENT_OVERDUE_RULE) != 0)
        return;
    char fp[17];
    alert_fingerprint("incident", a->rule, a->labels_json, fp);
    if (strcmp(fp, a->fingerprint) != 0)
        return;
    free(kw_map_put(&x->e->firing, fp, kw_strdup(a->labels_json)));
    if (x->ae)
        alert_engine_forget(x->ae, fp);
}

kw_rc incident_engine_adopt(incident_engine *e, kw_store *s, alert_engine *ae)
{
    adopt_arg x = {e, ae};
    return store_alert_each_open(s, adopt_one, &x);
}

kw_rc incident_engine_tick(incident_engine *e, kw_store *s, int64_t now, alert_acts *acts)
{
    kw_rc rc = pump_triggers(e, s, now);
    kw_rc rc2 = pump_telling(e, s, now);
    kw_rc rc3 = pump_deadlines(e, s, now, acts);
    if (rc != KW_OK || rc2 != KW_OK || rc3 != KW_OK) {
        e->stats.errors++;
        return KW_ERR_STORE;
    }
    return KW_OK;
}
