/* drill_run.c: the leader's runs and every server's marks (drill_run.h). The scoring itself is
 * drill_score.c's; this file measures the facts from the store and hands them over. */
#include "drill/drill_run.h"
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "daemon/kw_core.h"
#include "drill/drill_conf.h"
#include "drill/drill_inject.h"
#include "drill/drill_mark.h"
#include "drill/drill_score.h"
#include "incident/incident_pb.h"
#include "store/store_drill.h"
#include "store/store_notify.h"

#include <jansson.h>

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define INJ_MAX 32
#define MARKS_EVERY_MS 1000
#define MET_EVERY_MS 2000
#define SCHEDULE_EVERY_MS 10000
#define SCHEDULE_LATE_MS 600000

enum { INJ_PENDING, INJ_RUNNING, INJ_DONE, INJ_FAILED, INJ_STOPPED };
static const char *const inj_state_names[] = {"pending", "running", "done", "failed", "stopped"};
static const char *const inj_kind_names[] = {"?", "replay", "log", "check", "alert"};

typedef struct inj_slot {
    int state;
    drill_inj *j;
    char err[200];
} inj_slot;

struct drill_runner {
    kw_core *core;
    int64_t id;                 /* the run in progress here (0: none) */
    char scenario[128];
    int64_t started_ms;
    inj_slot inj[INJ_MAX];
    size_t ninj;
    drill_seen seen;            /* the union of the injections' */
    int64_t next_marks_ms;
    int64_t next_met_ms;
    int64_t next_schedule_ms;
    int64_t next_pick_ms;       /* when to look for a requested run again */
    bool stop_seen;             /* the store says a stop was asked for the run */
    int64_t orphan;             /* a run the store has running that no runner here has (0: none) */
    int64_t orphan_started_ms;
    char orphan_scenario[128];
    drill_seen orphan_seen;        /* when to look again whether every expectation is met */
};

drill_runner *drill_runner_new(kw_core *core)
{
    drill_runner *r = kw_calloc(1, sizeof *r);
    r->core = core;
    return r;
}

static void seen_add(drill_seen *to, const drill_seen *from)
{
    for (size_t i = 0; i < from->n && to->n < DRILL_SEEN_MAX; i++)
        memcpy(to->values[to->n++], from->values[i], sizeof to->values[0]);
    if (from->check[0]) {
        memcpy(to->check, from->check, sizeof to->check);
        to->check_until_ms = from->check_until_ms;
    }
}

static void progress_write(drill_runner *r, const conf_drill_scenario *sc)
{
    kw_buf inj, seen;
    kw_buf_init(&inj, (size_t)1 << 20);
    kw_buf_init(&seen, (size_t)1 << 20);
    kw_json j;
    kw_json_init(&j, &inj);
    kw_json_arr_begin(&j);
    for (size_t i = 0; i < r->ninj && sc && i < sc->inject.n; i++) {
        const conf_drill_inject *x = CONF_AT(sc->inject, conf_drill_inject, i);
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "kind", inj_kind_names[x->kind >= 1 && x->kind <= 4 ? x->kind : 0]);
        kw_json_kv_int(&j, "at_s", x->at_ms / 1000);
        kw_json_kv_str(&j, "state", inj_state_names[r->inj[i].state]);
        kw_json_kv_str(&j, "error", r->inj[i].err[0] ? r->inj[i].err : NULL);
        kw_json_obj_end(&j);
    }
    kw_json_arr_end(&j);
    drill_seen_json(&r->seen, &seen);
    if (store_drill_progress(r->core->store, r->id, kw_buf_cstr(&inj), kw_buf_cstr(&seen)) != KW_OK)
        log_warn("drill #%lld: cannot record its progress: %s", (long long)r->id, store_errmsg(r->core->store));
    kw_buf_free(&inj);
    kw_buf_free(&seen);
}

/* A duty log entry (kind drill.started, drill.stopped, drill.scored...) and the same in the log. */
static void duty_note(drill_runner *r, int64_t now, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void duty_note(drill_runner *r, int64_t now, const char *kind, const char *fmt, ...)
{
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    log_info("%s", text);
    if (store_duty_append(r->core->store, now, kind, "keepwatch", 0, text) != KW_OK)
        log_warn("drill #%lld: cannot write the duty log: %s", (long long)r->id, store_errmsg(r->core->store));
}

/* ---- the synthetic alert (inject alert:): raised through the core like a detector's ---- */

static char *alert_labels(const conf_drill_inject *x, int64_t id)
{
    kw_buf b;
    kw_buf_init(&b, 65536);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    /* keys sorted: drill first unless a label sorts before it */
    bool put = false;
    for (size_t i = 0; i < x->labels.n; i++) {
        if (!put && strcmp(x->labels.k[i], "drill") > 0) {
            kw_json_kv_str(&j, "drill", ids);
            put = true;
        }
        if (strcmp(x->labels.k[i], "drill") != 0)
            kw_json_kv_str(&j, x->labels.k[i], x->labels.v[i]);
    }
    if (!put)
        kw_json_kv_str(&j, "drill", ids);
    kw_json_obj_end(&j);
    return kw_buf_take(&b);
}

static void alert_fire(drill_runner *r, const conf_drill_inject *x, int64_t now, alert_acts *acts)
{
    alert_act *a = alert_acts_push(acts, ALERT_ACT_FIRE, "drill", x->rule, alert_labels(x, r->id));
    a->severity = x->severity ? x->severity : 3;
    char sum[300];
    snprintf(sum, sizeof sum, "%s", x->summary ? x->summary : x->rule);
    a->summary = kw_strdup(sum);
    a->at_ms = a->started_ms = now;
}

static void open_resolve(void *arg, const char *fingerprint, const char *rule)
{
    void **p = arg;
    alert_acts *acts = p[0];
    const int64_t *now = p[1];
    alert_act *a = alert_acts_push(acts, ALERT_ACT_RESOLVE, "drill", rule, kw_strdup("{}"));
    snprintf(a->fingerprint, sizeof a->fingerprint, "%s", fingerprint);
    a->at_ms = *now;
    a->value = 0;
    a->reason = "drill over";
}

/* ---- scoring ---- */

#define STEPS_MAX 64
#define TOLD_MAX 16
#define PEOPLE_MAX 64

/* The facts that need room of their own while the score is computed. */
typedef struct facts {
    drill_score_step steps[STEPS_MAX];
    char step_names[STEPS_MAX][128], step_owners[STEPS_MAX][128], step_by[STEPS_MAX][128];
    size_t nsteps;
    drill_score_told told[TOLD_MAX];
    char told_en[TOLD_MAX][128], told_zh[TOLD_MAX][128];
    drill_score_person people[PEOPLE_MAX];
    size_t npeople;
} facts;

static void step_seen(void *arg, const char *name, const char *owner, int64_t due, int64_t done, bool skipped,
                      const char *by)
{
    facts *f = arg;
    if (f->nsteps >= STEPS_MAX)
        return;
    size_t i = f->nsteps++;
    snprintf(f->step_names[i], sizeof f->step_names[i], "%s", name ? name : "?");
    snprintf(f->step_owners[i], sizeof f->step_owners[i], "%s", owner ? owner : "");
    snprintf(f->step_by[i], sizeof f->step_by[i], "%s", by ? by : "");
    f->steps[i] = (drill_score_step){.name = f->step_names[i], .owner = owner ? f->step_owners[i] : NULL,
                                     .due_ms = due, .done_ms = done, .skipped = skipped,
                                     .done_by = by ? f->step_by[i] : NULL};
}

static const char *const kind_en[] = {"security", "operations", "business", "customer service", "management", "other"};
static const char *const kind_zh[] = {"安全", "运维", "业务", "客服", "管理", "其他"};

/* Whether the channel's department is the one `want` names (a name, or kind:KIND). */
static bool channel_reaches(const conf *c, const conf_channel *ch, const char *want)
{
    if (!ch->department)
        return false;
    if (strncmp(want, "kind:", 5) != 0)
        return strcmp(ch->department, want) == 0;
    const conf_department *d = conf_department_find(c, ch->department);
    int k = incident_dept_kind_parse(want + 5);
    return d && k >= 0 && d->kind == k;
}

static void told_facts(kw_store *s, const conf *c, int64_t id, const conf_drill_expect *e, facts *f,
                       drill_score_in *in)
{
    size_t n = 0;
    for (size_t i = 0; e && i < e->told.n && n < TOLD_MAX; i++, n++) {
        const char *want = e->told.v[i];
        drill_score_told *t = &f->told[n];
        *t = (drill_score_told){.department = want, .no_route = true};
        int k = strncmp(want, "kind:", 5) == 0 ? incident_dept_kind_parse(want + 5) : -1;
        const conf_department *d = k < 0 ? conf_department_find(c, want) : NULL;
        snprintf(f->told_en[n], sizeof f->told_en[n], "%s", k >= 0 ? kind_en[k] : want);
        snprintf(f->told_zh[n], sizeof f->told_zh[n], "%s", k >= 0 ? kind_zh[k] : d && d->display ? d->display : want);
        t->name_en = f->told_en[n];
        t->name_zh = f->told_zh[n];
        for (size_t ci = 0; ci < c->notify.channels.n; ci++) {
            const conf_channel *ch = CONF_AT(c->notify.channels, conf_channel, ci);
            int64_t at = 0;
            if (!channel_reaches(c, ch, want))
                continue;
            t->no_route = false;
            if (store_drill_first_notified(s, id, ch->name, &at) == KW_OK && at && (!t->told_ms || at < t->told_ms))
                t->told_ms = at;
        }
    }
    in->told = f->told;
    in->ntold = n;
}

static void person_add(facts *f, const conf_person *p)
{
    if (p && f->npeople < PEOPLE_MAX)
        f->people[f->npeople++] = (drill_score_person){p->name, p->departments.n ? p->departments.v[0] : NULL};
}

/* The participants (person:, department:, kind: targets) as the people expected to respond. */
static void people_facts(const conf *c, const conf_drill_scenario *sc, facts *f, drill_score_in *in)
{
    for (size_t i = 0; sc && i < sc->participants.n; i++) {
        const char *t = sc->participants.v[i], *what = NULL;
        inc_target_kind k = incident_target_parse(t, &what);
        for (size_t pi = 0; pi < c->people.n; pi++) {
            const conf_person *p = CONF_AT(c->people, conf_person, pi);
            bool in_dept = false;
            for (size_t di = 0; di < p->departments.n && !in_dept; di++) {
                const conf_department *d = conf_department_find(c, p->departments.v[di]);
                in_dept = (k == INC_TARGET_DEPARTMENT && strcmp(p->departments.v[di], what) == 0) ||
                          (k == INC_TARGET_KIND && d && d->kind == incident_dept_kind_parse(what));
            }
            if ((k == INC_TARGET_PERSON && strcmp(p->name, what) == 0) || in_dept)
                person_add(f, p);
        }
    }
    if (in->acked_by)
        person_add(f, conf_person_find(c, in->acked_by));
    in->people = f->people;
    in->npeople = f->npeople;
}

typedef struct marks_acc {
    drill_score_in *in;
    const char *by[16];
    char byv[16][128];
    size_t nby;
} marks_acc;

static void mark_seen(void *arg, const char *stage, const char *by, int64_t ts)
{
    marks_acc *m = arg;
    int64_t *slot = !strcmp(stage, "detected")   ? &m->in->detected_ms
                    : !strcmp(stage, "notified") ? &m->in->notified_ms
                    : !strcmp(stage, "acked")    ? &m->in->acked_ms
                    : !strcmp(stage, "declared") ? &m->in->declared_ms
                                                 : NULL;
    if (slot && !*slot)
        *slot = ts;
    if (by && m->nby < 16) {
        snprintf(m->byv[m->nby], sizeof m->byv[0], "%s", by);
        m->by[m->nby] = m->byv[m->nby];
        m->nby++;
    }
}

static void result_json(const drill_result *res, kw_buf *stages, kw_buf *resp)
{
    kw_json j;
    kw_json_init(&j, stages);
    kw_json_arr_begin(&j);
    for (size_t i = 0; i < res->nstages; i++) {
        const drill_stage *s = &res->stages[i];
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "stage", s->stage);
        kw_json_key(&j, "label");
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "zh", s->label_zh);
        kw_json_kv_str(&j, "en", s->label_en);
        kw_json_obj_end(&j);
        kw_json_key(&j, "target_s");
        s->target_s < 0 ? kw_json_null(&j) : kw_json_int(&j, s->target_s);
        kw_json_key(&j, "measured_s");
        s->measured_s < 0 ? kw_json_null(&j) : kw_json_int(&j, s->measured_s);
        kw_json_kv_bool(&j, "ok", s->ok);
        kw_json_kv_str(&j, "who", s->who[0] ? s->who : NULL);
        kw_json_obj_end(&j);
    }
    kw_json_arr_end(&j);
    kw_json_init(&j, resp);
    kw_json_arr_begin(&j);
    for (size_t i = 0; i < res->nresponders; i++) {
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "name", res->responders[i].name);
        kw_json_kv_str(&j, "department", res->responders[i].department[0] ? res->responders[i].department : NULL);
        kw_json_kv_bool(&j, "acted", res->responders[i].acted);
        kw_json_obj_end(&j);
    }
    kw_json_arr_end(&j);
}

/* The facts of a run measured from the store, and what drill_score_in points into. */
typedef struct measure {
    drill_score_in in;
    store_drill_alerts al;
    int64_t incident;
    char by[128], pb[128];
    facts f;
    marks_acc m;
} measure;

/* Measures run r (acts: RESOLVE acts for what it still has open are appended; NULL: none)
 * into a measure the caller frees (measure_free). */
static measure *measure_run(drill_runner *r, const conf *c, const conf_drill_scenario *sc, int64_t now,
                            alert_acts *acts)
{
    kw_store *s = r->core->store;
    measure *x = kw_calloc(1, sizeof *x);
    drill_score_in *in = &x->in;
    in->start_ms = r->started_ms;
    const conf_drill_expect *e = sc ? &sc->expect : NULL;
    if (e) {
        in->detected_target_ms = e->detected_ms;
        in->notified_target_ms = e->notified_ms;
        in->acked_target_ms = e->acked_ms;
        in->declared_target_ms = e->declared_ms;
        in->playbook_expected = e->playbook;
        in->grade_expected = e->grade;
        in->steps_on_time = e->steps_on_time && (e->declared_ms || e->playbook); /* "with declared" */
    }
    void *arg[2] = {acts, &now};
    if (store_drill_alerts_of(s, r->id, e ? e->rule : NULL, &x->al, acts ? open_resolve : NULL, arg) != KW_OK)
        log_warn("drill #%lld: cannot read its alerts: %s", (long long)r->id, store_errmsg(s));
    in->detected_ms = x->al.first_ms;
    in->detected_rule = x->al.rule[0] ? x->al.rule : NULL;
    in->acked_ms = x->al.acked_ms;
    in->acked_by = x->al.acked_by[0] ? x->al.acked_by : NULL;
    const conf_person *p = in->acked_by ? conf_person_find(c, in->acked_by) : NULL;
    in->acked_department = p && p->departments.n ? p->departments.v[0] : NULL;
    (void)store_drill_first_notified(s, r->id, NULL, &in->notified_ms);
    int grade = 0;
    (void)store_drill_incident(s, r->id, &x->incident, &in->declared_ms, x->by, sizeof x->by, x->pb, sizeof x->pb,
                               &grade);
    in->declared_by = x->by[0] ? x->by : NULL;
    in->playbook = x->pb[0] ? x->pb : NULL;
    in->grade = grade;
    if (sc && sc->tabletop && !x->incident && e) { /* a tabletop declaration is marked: from the plan at hand */
        in->playbook = e->playbook;
        in->grade = e->grade;
    }
    if (x->incident)
        (void)store_drill_steps_each(s, x->incident, step_seen, &x->f);
    in->steps = x->f.steps;
    in->nsteps = x->f.nsteps;
    told_facts(s, c, r->id, e, &x->f, in);
    people_facts(c, sc, &x->f, in);
    x->m.in = in;
    (void)store_drill_marks_each(s, r->id, mark_seen, &x->m);
    in->actors = x->m.by;
    in->nactors = x->m.nby;
    return x;
}

static void measure_free(measure *x)
{
    free(x->al.ids_json);
    free(x);
}

static void score_and_finish(drill_runner *r, const conf *c, const conf_drill_scenario *sc, const char *state,
                             int64_t now, alert_acts *acts)
{
    kw_store *s = r->core->store;
    measure *x = measure_run(r, c, sc, now, acts);
    drill_result *res = kw_calloc(1, sizeof *res);
    drill_score(&x->in, res);
    kw_buf st, rp;
    kw_buf_init(&st, (size_t)1 << 20);
    kw_buf_init(&rp, (size_t)1 << 20);
    result_json(res, &st, &rp);
    const char *en[DRILL_WEAK_MAX], *zh[DRILL_WEAK_MAX];
    for (size_t i = 0; i < res->nweak; i++)
        en[i] = res->weak[i].text, zh[i] = res->weak[i].text_zh;
    store_drill_result out = {.state = state, .score = res->score, .stages_json = kw_buf_cstr(&st),
                              .responders_json = kw_buf_cstr(&rp), .alerts_json = x->al.ids_json,
                              .incident = x->incident, .weak_en = en, .weak_zh = zh, .nweak = res->nweak};
    if (store_drill_finish(s, r->id, now, &out) != KW_OK)
        log_warn("drill #%lld: cannot record its score: %s", (long long)r->id, store_errmsg(s));
    if (strcmp(state, "done") != 0)
        duty_note(r, now, "drill.stopped", "drill #%lld %s %s", (long long)r->id, r->scenario, state);
    duty_note(r, now, "drill.scored", "drill #%lld %s scored %d", (long long)r->id, r->scenario, res->score);
    kw_buf_free(&st);
    kw_buf_free(&rp);
    measure_free(x);
    free(res);
}

/* Whether every expectation is met already and no injection is left to run: the run can end. */
static bool all_met(drill_runner *r, const conf *c, const conf_drill_scenario *sc, int64_t now)
{
    for (size_t i = 0; i < r->ninj; i++)
        if (r->inj[i].state == INJ_PENDING || r->inj[i].state == INJ_RUNNING)
            return false;
    measure *x = measure_run(r, c, sc, now, NULL);
    drill_result *res = kw_calloc(1, sizeof *res);
    drill_score(&x->in, res);
    bool met = res->nstages > 0 && res->nweak == 0;
    /* a declared incident's steps count only once they are all there: one not yet due is not met */
    for (size_t i = 0; met && i < x->in.nsteps; i++)
        met = x->in.steps[i].done_ms || x->in.steps[i].skipped;
    measure_free(x);
    free(res);
    return met;
}

/* ---- the run ---- */

static void stop_all(drill_runner *r)
{
    for (size_t i = 0; i < r->ninj; i++) {
        if (r->inj[i].j) {
            drill_inject_stop(r->inj[i].j);
            r->inj[i].j = NULL;
            if (r->inj[i].state == INJ_RUNNING)
                r->inj[i].state = INJ_STOPPED;
        }
        if (r->inj[i].state == INJ_PENDING)
            r->inj[i].state = INJ_STOPPED;
    }
}

static void end_run(drill_runner *r, const conf *c, const conf_drill_scenario *sc, const char *state, int64_t now,
                    alert_acts *acts)
{
    stop_all(r);
    progress_write(r, sc);
    score_and_finish(r, c, sc, state, now, acts);
    r->id = 0;
    r->ninj = 0;
}

static void inject_step(drill_runner *r, const conf *c, const conf_drill_scenario *sc, int64_t now, alert_acts *acts)
{
    bool changed = false;
    drill_inject_env env = {.conf = c, .core = r->core, .run_id = r->id, .scenario = sc->name};
    for (size_t i = 0; i < r->ninj; i++) {
        const conf_drill_inject *x = CONF_AT(sc->inject, conf_drill_inject, i);
        inj_slot *sl = &r->inj[i];
        if (sl->state == INJ_PENDING && now >= r->started_ms + x->at_ms) {
            changed = true;
            if (x->kind == DRILL_INJ_ALERT) {
                alert_fire(r, x, now, acts);
                sl->state = INJ_DONE;
                continue;
            }
            drill_seen seen = {0};
            if (drill_inject_start(&env, x, now, &seen, &sl->j, sl->err, sizeof sl->err) == KW_OK) {
                sl->state = INJ_RUNNING;
                seen_add(&r->seen, &seen);
            } else {
                sl->state = INJ_FAILED;
                log_warn("drill #%lld: injection %zu (%s): %s", (long long)r->id, i + 1, inj_kind_names[x->kind],
                         sl->err);
            }
        } else if (sl->state == INJ_RUNNING) {
            bool failed = false;
            if (drill_inject_done(sl->j, now, &failed, sl->err, sizeof sl->err)) {
                drill_inject_stop(sl->j);
                sl->j = NULL;
                sl->state = failed ? INJ_FAILED : INJ_DONE;
                changed = true;
            }
        }
    }
    if (changed)
        progress_write(r, sc);
}

/* Whether channel ch is one the announcement goes to: drill.channels, or one reaching a
 * participant's department (person:NAME's departments, department:NAME, kind:KIND). */
static bool announce_to(const conf *c, const conf_drill_scenario *sc, const conf_channel *ch)
{
    for (size_t i = 0; i < c->drill.channels.n; i++)
        if (strcmp(c->drill.channels.v[i], ch->name) == 0)
            return true;
    for (size_t i = 0; i < sc->participants.n; i++) {
        const char *t = sc->participants.v[i];
        const conf_person *p = strncmp(t, "person:", 7) == 0 ? conf_person_find(c, t + 7) : NULL;
        for (size_t k = 0; p && k < p->departments.n; k++)
            if (channel_reaches(c, ch, p->departments.v[k]))
                return true;
        if (strncmp(t, "department:", 11) == 0 ? channel_reaches(c, ch, t + 11)
                                               : strncmp(t, "kind:", 5) == 0 && channel_reaches(c, ch, t))
            return true;
    }
    return false;
}

/* The participants told the drill begins, through notify's outbox ("【演练】" first). */
static void announce(drill_runner *r, const conf *c, const conf_drill_scenario *sc, int64_t now)
{
    char title[400], text[1200];
    char d[48];
    drill_score_dur(sc->duration_ms, true, d, sizeof d);
    snprintf(title, sizeof title, "【演练】[DRILL] #%lld %s / %s", (long long)r->id, sc->title_zh ? sc->title_zh : sc->name,
             sc->title ? sc->title : sc->name);
    snprintf(text, sizeof text, "【演练】演练 #%lld（%s）现在开始，持续 %s。演练期间的告警均带演练标记，请按预案处置。\n"
             "[DRILL] drill #%lld (%s) starts now; everything it raises is marked as a drill. Respond as the plan says.",
             (long long)r->id, sc->name, d, (long long)r->id, sc->name);
    json_t *msg = json_pack("{s:s, s:s, s:s, s:[], s:[], s:{s:I, s:s}}", "kind", "drill", "title", title, "text", text,
                            "people", "alerts", "drill", "id", (json_int_t)r->id, "scenario", sc->name);
    char *js = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    json_decref(msg);
    for (size_t i = 0; js && i < c->notify.channels.n; i++) {
        const conf_channel *ch = CONF_AT(c->notify.channels, conf_channel, i);
        store_outbox_msg o = {.created_ms = now, .next_ms = now, .channel = ch->name, .kind = "drill", .message = js};
        if (announce_to(c, sc, ch) && store_outbox_add(r->core->store, &o, NULL) != KW_OK)
            log_warn("drill #%lld: cannot announce it on %s: %s", (long long)r->id, ch->name,
                     store_errmsg(r->core->store));
    }
    free(js);
}

static void pick_up(drill_runner *r, const conf *c, int64_t now)
{
    store_drill_row row;
    if (store_drill_next_requested(r->core->store, &row) != KW_OK)
        return;
    const conf_drill_scenario *sc = drill_conf_find(c, row.scenario);
    free(row.seen_json);
    free(row.injections_json);
    if (store_drill_start(r->core->store, row.id, now) != KW_OK)
        return;
    r->id = row.id;
    r->started_ms = now;
    r->stop_seen = false;
    snprintf(r->scenario, sizeof r->scenario, "%s", row.scenario);
    memset(&r->seen, 0, sizeof r->seen);
    memset(r->inj, 0, sizeof r->inj);
    r->ninj = sc ? (sc->inject.n < INJ_MAX ? sc->inject.n : INJ_MAX) : 0;
    duty_note(r, now, "drill.started", "drill #%lld %s started", (long long)r->id, r->scenario);
    if (sc && !sc->surprise)
        announce(r, c, sc, now);
    if (!sc) {
        store_drill_result out = {.state = "failed", .score = -1, .error = "no such scenario in the configuration"};
        (void)store_drill_finish(r->core->store, r->id, now, &out);
        r->id = 0;
    }
}

/* "YYYY-MM-DDTHH:MM" in local time as Unix ms (0: not one). */
static int64_t at_ms(const char *at)
{
    struct tm tm = {0};
    if (sscanf(at, "%4d-%2d-%2dT%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min) != 5)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    return t == (time_t)-1 ? 0 : (int64_t)t * 1000;
}

/* The leader: scheduled runs (a scenario's at:) requested once their time has come, if it came
 * less than SCHEDULE_LATE_MS ago (a daemon down at the time does not run it hours later). */
static void schedule_check(drill_runner *r, const conf *c, int64_t now)
{
    if (now < r->next_schedule_ms)
        return;
    r->next_schedule_ms = now + SCHEDULE_EVERY_MS;
    for (size_t i = 0; i < c->drill.scenarios.n; i++) {
        const conf_drill_scenario *sc = CONF_AT(c->drill.scenarios, conf_drill_scenario, i);
        for (size_t k = 0; k < sc->at.n; k++) {
            int64_t t = at_ms(sc->at.v[k]), id;
            bool found = true;
            if (!t || t > now || now - t > SCHEDULE_LATE_MS ||
                store_drill_requested_since(r->core->store, sc->name, t, &found) != KW_OK || found)
                continue;
            if (store_drill_request(r->core->store, sc->name, sc->title, sc->title_zh, sc->tabletop, sc->surprise,
                                    "schedule", now, &id) == KW_OK)
                log_info("drill #%lld %s requested by its schedule (%s)", (long long)id, sc->name, sc->at.v[k]);
        }
    }
}

/* Takes up a run a leader before this one left running: its injections are not started again
 * (they are counted stopped); it ends and is scored as if it had run here. */
static void adopt(drill_runner *r, const conf *c, int64_t now)
{
    const conf_drill_scenario *sc = drill_conf_find(c, r->orphan_scenario);
    r->id = r->orphan;
    r->orphan = 0;
    r->started_ms = r->orphan_started_ms;
    r->stop_seen = false;
    snprintf(r->scenario, sizeof r->scenario, "%s", r->orphan_scenario);
    r->seen = r->orphan_seen;
    memset(r->inj, 0, sizeof r->inj);
    r->ninj = sc ? (sc->inject.n < INJ_MAX ? sc->inject.n : INJ_MAX) : 0;
    for (size_t i = 0; i < r->ninj; i++) {
        r->inj[i].state = now >= r->started_ms + CONF_AT(sc->inject, conf_drill_inject, i)->at_ms ? INJ_STOPPED
                                                                                                : INJ_PENDING;
        if (r->inj[i].state == INJ_STOPPED)
            snprintf(r->inj[i].err, sizeof r->inj[i].err, "the leader changed while it ran");
    }
    log_info("drill #%lld %s: taken up from the previous leader", (long long)r->id, r->scenario);
}

/* Every server: the marks from the store's runs running or ended within the linger. */
static void marks_refresh(drill_runner *r, const conf *c, int64_t now)
{
    if (now < r->next_marks_ms)
        return;
    r->next_marks_ms = now + MARKS_EVERY_MS;
    store_drill_row rows[DRILL_MARK_RUNS_MAX];
    size_t n = 0;
    if (store_drill_active(r->core->store, now - c->drill.linger_ms, rows, DRILL_MARK_RUNS_MAX, &n) != KW_OK)
        return;
    struct drill_marks *m = kw_calloc(1, sizeof *m);
    r->orphan = 0;
    for (size_t i = 0; i < n; i++) {
        drill_mark_run *mr = &m->v[m->n];
        if (r->id && rows[i].id == r->id && rows[i].stop_requested)
            r->stop_seen = true;
        if (!strcmp(rows[i].state, "running") && rows[i].id != r->id) { /* a leader before this one ran it */
            r->orphan = rows[i].id;
            r->orphan_started_ms = rows[i].started_ms;
            snprintf(r->orphan_scenario, sizeof r->orphan_scenario, "%s", rows[i].scenario);
            (void)drill_seen_parse(rows[i].seen_json, &r->orphan_seen);
        }
        if (drill_seen_parse(rows[i].seen_json, &mr->seen) != KW_OK)
            continue;
        mr->id = rows[i].id;
        snprintf(mr->scenario, sizeof mr->scenario, "%s", rows[i].scenario);
        mr->until_ms = rows[i].ended_ms ? rows[i].ended_ms + c->drill.linger_ms : 0;
        m->n++;
    }
    store_drill_rows_free(rows, n);
    drill_marks_publish(r->core, m);
    free(m);
}

void drill_runner_tick(drill_runner *r, const conf *c, int64_t now, alert_acts *acts)
{
    if (!r->core->store)
        return;
    marks_refresh(r, c, now);
    if (!atomic_load(&r->core->lead_epoch))
        return;
    schedule_check(r, c, now);
    if (!r->id && r->orphan && atomic_load(&r->core->lead_epoch)) {
        adopt(r, c, now);
        return;
    }
    if (!r->id) { /* no run in hand: look for a requested one once a second */
        if (now < r->next_pick_ms)
            return;
        r->next_pick_ms = now + MARKS_EVERY_MS;
        pick_up(r, c, now);
        if (!r->id)
            return;
    }
    const conf_drill_scenario *sc = drill_conf_find(c, r->scenario);
    if (!sc) {
        end_run(r, c, NULL, "failed", now, acts);
        return;
    }
    if (r->stop_seen) {
        end_run(r, c, sc, "stopped", now, acts);
        return;
    }
    inject_step(r, c, sc, now, acts);
    if (now >= r->started_ms + sc->duration_ms)
        end_run(r, c, sc, "done", now, acts);
    else if (now >= r->next_met_ms) {
        r->next_met_ms = now + MET_EVERY_MS;
        if (all_met(r, c, sc, now))
            end_run(r, c, sc, "done", now, acts);
    }
}

void drill_runner_free(drill_runner *r)
{
    if (!r)
        return;
    stop_all(r);
    free(r);
}
