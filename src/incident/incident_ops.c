/* incident_ops.c: the incident operations (incident_ops.h). Each checks what it is asked
 * against the stored incident (and the playbook in the configuration, for what a step needs),
 * then writes its rows, its timeline event and its duty-log entry in one transaction. */
#include "incident/incident_ops.h"
#include "core/kw_json.h"
#include "core/kw_mem.h"
#include "incident/incident_plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX 16384

/* Refuses with why and the message; returns rc. */
__attribute__((format(printf, 4, 5))) static kw_rc refuse(incident_ctx *x, incident_err why, kw_rc rc,
                                                          const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->err, sizeof x->err, fmt, ap);
    va_end(ap);
    x->why = why;
    return rc;
}

static kw_rc store_failed(incident_ctx *x, kw_rc rc)
{
    return refuse(x, INC_E_STORE, rc, "the store: %s", store_errmsg(x->s));
}

/* Whether a required text is there and not too long; else refused with why. */
static bool text_ok(incident_ctx *x, const char *what, const char *v)
{
    if (!v || !*v)
        return refuse(x, INC_E_MISSING, KW_ERR_PARSE, "%s is required", what), false;
    if (strlen(v) > TEXT_MAX)
        return refuse(x, INC_E_MISSING, KW_ERR_PARSE, "%s is longer than 16 KiB", what), false;
    return true;
}

typedef kw_rc (*op_fn)(incident_ctx *x, void *arg);

/* Runs fn in a transaction (a savepoint inside the caller's): committed when it returns
 * KW_OK, rolled back otherwise. */
static kw_rc in_tx(incident_ctx *x, op_fn fn, void *arg)
{
    bool own = false;
    x->why = INC_E_NONE;
    x->err[0] = '\0';
    kw_rc rc = store_begin_nested(x->s, &own);
    if (rc != KW_OK)
        return store_failed(x, rc);
    rc = fn(x, arg);
    kw_rc end = store_end_nested(x->s, own, rc == KW_OK);
    if (rc == KW_OK && end != KW_OK)
        return store_failed(x, end);
    if (rc != KW_OK && x->why == INC_E_NONE)
        store_failed(x, rc);
    return rc;
}

/* The timeline event and the duty-log entry of one change: text as given on the timeline,
 * "incident #N: text" in the duty log. */
kw_rc incident_ops_record(incident_ctx *x, int64_t id, const store_incident_event *e)
{
    kw_rc rc = store_incident_event_add(x->s, id, x->now_ms, e);
    if (rc != KW_OK)
        return rc;
    kw_buf b;
    kw_buf_init(&b, TEXT_MAX * 4);
    kw_buf_printf(&b, "incident #%lld: %s", (long long)id, e->text ? e->text : e->kind);
    rc = store_duty_append(x->s, x->now_ms, "incident", x->actor, e->alert_id, kw_buf_cstr(&b));
    kw_buf_free(&b);
    return rc;
}

/* An incident with its steps, loaded for a change. */
typedef struct loaded {
    store_incident_row row;
    store_incident_steps steps;
} loaded;

static kw_rc load(incident_ctx *x, int64_t id, bool open_only, loaded *l)
{
    memset(l, 0, sizeof *l);
    kw_rc rc = store_incident_get(x->s, id, &l->row);
    if (rc == KW_ERR_NOTFOUND)
        return refuse(x, INC_E_UNKNOWN_INCIDENT, rc, "no incident #%lld", (long long)id);
    if (rc != KW_OK)
        return rc;
    if (open_only && strcmp(l->row.state, "open") != 0)
        return refuse(x, INC_E_CLOSED, KW_ERR_RANGE, "incident #%lld is closed", (long long)id);
    return store_incident_steps_get(x->s, id, &l->steps);
}

static store_incident_step_row *step_find(loaded *l, const char *name)
{
    for (size_t i = 0; name && i < l->steps.n; i++)
        if (strcmp(l->steps.v[i].name, name) == 0)
            return &l->steps.v[i];
    return NULL;
}

/* The pending step named name, or a refusal saying why it cannot be worked on. */
static kw_rc step_pending(incident_ctx *x, loaded *l, const char *name, store_incident_step_row **out)
{
    *out = step_find(l, name);
    long long id = (long long)l->row.id;
    if (!*out)
        return refuse(x, INC_E_UNKNOWN_STEP, KW_ERR_NOTFOUND, "incident #%lld has no step \"%s\"", id,
                      name ? name : "");
    if (!strcmp((*out)->state, "done") || !strcmp((*out)->state, "skipped"))
        return refuse(x, INC_E_FINISHED, KW_ERR_RANGE, "step %s of incident #%lld is %s already", name, id,
                      (*out)->state);
    if (!strcmp((*out)->state, "na"))
        return refuse(x, INC_E_NOT_APPLICABLE, KW_ERR_RANGE, "step %s of incident #%lld does not apply at grade %s",
                      name, id, incident_grade_name(l->row.grade));
    return KW_OK;
}

/* Loads open incident id and finds its pending step named step. */
static kw_rc load_pending(incident_ctx *x, int64_t id, const char *step, loaded *l, store_incident_step_row **r)
{
    *r = NULL;
    kw_rc rc = load(x, id, true, l);
    return rc == KW_OK ? step_pending(x, l, step, r) : rc;
}

/* ---- declare ---- */

typedef struct declare_arg {
    const incident_decl *d;
    const conf_playbook *pb;
    int grade;
    int64_t found_ms;
    int64_t id;
} declare_arg;

static void step_new(const incident_plan_step *p, int pos, store_incident_step_new *n)
{
    const conf_pb_step *s = p->pb;
    *n = (store_incident_step_new){
        .position = pos, .name = s->name, .phase = incident_phase_name(p->phase), .title = s->title,
        .title_zh = s->title_zh, .instructions = s->instructions, .instructions_zh = s->instructions_zh,
        .owner_spec = s->owner ? s->owner : "duty", .owner = p->owner.person, .owner_dept = p->owner.dept,
        .fallback = p->owner.fallback, .tell = p->tell, .report = incident_report_name(s->report),
        .due_ms = p->due_ms, .state = p->applies ? "pending" : "na",
    };
}

static kw_rc insert_steps(incident_ctx *x, declare_arg *a, size_t *applies)
{
    incident_plan_in in = {.c = x->c, .pb = a->pb, .grade = a->grade, .org_type = x->c->incident.org_type,
                           .declared_ms = x->now_ms, .found_ms = a->found_ms, .owners_at_ms = x->now_ms};
    incident_plan plan;
    kw_rc rc = incident_plan_make(&in, &plan);
    *applies = 0;
    for (size_t i = 0; rc == KW_OK && i < plan.n; i++) {
        store_incident_step_new n;
        step_new(&plan.v[i], (int)i, &n);
        *applies += plan.v[i].applies;
        rc = store_incident_step_insert(x->s, a->id, &n);
    }
    incident_plan_free(&plan);
    return rc;
}

static kw_rc attach_one(incident_ctx *x, int64_t id, int64_t alert, bool *added)
{
    kw_rc rc = store_incident_alert_attach(x->s, id, alert, x->now_ms, added);
    if (rc != KW_OK || !*added)
        return rc;
    char text[96];
    snprintf(text, sizeof text, "alert %lld attached", (long long)alert);
    store_incident_event e = {.kind = "alert_attached", .actor = x->actor, .alert_id = alert, .text = text};
    return store_incident_event_add(x->s, id, x->now_ms, &e);
}

static kw_rc declare_tx(incident_ctx *x, void *arg)
{
    declare_arg *a = arg;
    const incident_decl *d = a->d;
    char digest[65];
    incident_playbook_digest(a->pb, digest);
    const char *title = d->title && *d->title ? d->title
                        : d->zh && a->pb->title_zh ? a->pb->title_zh
                        : a->pb->title         ? a->pb->title
                                               : a->pb->name;
    store_incident_new n = {
        .title = title, .playbook = a->pb->name, .digest = digest, .category = a->pb->category,
        .subcategory = a->pb->subcategory, .grade = a->grade, .drill = d->drill, .found_ms = a->found_ms,
        .declared_ms = x->now_ms, .declared_by = x->actor, .trigger = d->trigger, .key = d->key,
        .summary = d->summary, .systems = d->systems, .org_type = incident_org_name(x->c->incident.org_type),
    };
    size_t applies = 0;
    kw_rc rc = store_incident_insert(x->s, &n, &a->id);
    if (rc == KW_OK)
        rc = insert_steps(x, a, &applies);
    for (size_t i = 0; rc == KW_OK && i < d->nalerts; i++) {
        bool added;
        rc = attach_one(x, a->id, d->alerts[i], &added);
    }
    if (rc != KW_OK)
        return rc;
    char text[1024];
    snprintf(text, sizeof text, "declared%s from playbook %s (digest %.16s), grade %s, %zu steps: %s", d->drill ? " (drill)" : "",
             a->pb->name, digest, incident_grade_name(a->grade), applies, title);
    store_incident_event e = {.kind = "declared", .actor = x->actor, .text = text};
    return incident_ops_record(x, a->id, &e);
}

/* When the incident was found: given, else its earliest alert's start, else now. */
static kw_rc found_time(incident_ctx *x, const incident_decl *d, int64_t *found)
{
    *found = 0;
    for (size_t i = 0; i < d->nalerts; i++) {
        int64_t t;
        kw_rc rc = store_incident_alert_started(x->s, d->alerts[i], &t);
        if (rc == KW_ERR_NOTFOUND)
            return refuse(x, INC_E_UNKNOWN_ALERT, rc, "no alert %lld", (long long)d->alerts[i]);
        if (rc != KW_OK)
            return store_failed(x, rc);
        if (!*found || t < *found)
            *found = t;
    }
    if (d->found_ms > 0)
        *found = d->found_ms;
    if (!*found)
        *found = x->now_ms;
    return KW_OK;
}

kw_rc incident_declare(incident_ctx *x, const incident_decl *d, int64_t *id)
{
    declare_arg a = {.d = d, .pb = incident_pb_find(x->c, d->playbook)};
    x->why = INC_E_NONE;
    if (!a.pb)
        return refuse(x, INC_E_UNKNOWN_PLAYBOOK, KW_ERR_NOTFOUND, "no playbook \"%s\"", d->playbook ? d->playbook : "");
    a.grade = d->grade ? d->grade : a.pb->grade;
    if (a.grade < INCIDENT_GRADE_MIN || a.grade > INCIDENT_GRADE_MAX)
        return refuse(x, INC_E_BAD_GRADE, KW_ERR_RANGE, "a grade is I, II, III or IV");
    if ((d->title && strlen(d->title) > 1024) || (d->summary && strlen(d->summary) > TEXT_MAX) ||
        (d->systems && strlen(d->systems) > TEXT_MAX))
        return refuse(x, INC_E_MISSING, KW_ERR_PARSE, "the title is at most 1 KiB, summary and systems 16 KiB");
    kw_rc rc = found_time(x, d, &a.found_ms);
    if (rc == KW_OK && a.found_ms > x->now_ms)
        rc = refuse(x, INC_E_MISSING, KW_ERR_RANGE, "the time found is after the declaration");
    if (rc == KW_OK)
        rc = in_tx(x, declare_tx, &a);
    if (rc == KW_OK)
        *id = a.id;
    return rc;
}

/* ---- steps ---- */

typedef struct step_arg {
    int64_t id;
    const char *step, *text, *target;
    int grade;
    bool skip;
} step_arg;

/* The first of the step's needs still pending (as the playbook in the configuration says), or
 * NULL. A playbook no longer configured needs nothing. */
static const char *need_pending(incident_ctx *x, loaded *l, const char *step)
{
    const conf_playbook *pb = incident_pb_find(x->c, l->row.playbook);
    const conf_pb_phase *ph = pb ? pb->phases.items : NULL;
    for (size_t i = 0; pb && i < pb->phases.n; i++) {
        const conf_pb_step *s = ph[i].steps.items;
        for (size_t k = 0; k < ph[i].steps.n; k++) {
            if (strcmp(s[k].name, step) != 0)
                continue;
            for (size_t n = 0; n < s[k].needs.n; n++) {
                const store_incident_step_row *r = step_find(l, s[k].needs.v[n]);
                if (r && !strcmp(r->state, "pending"))
                    return r->name;
            }
        }
    }
    return NULL;
}

/* After a contain step finished: when none is left pending, the incident is contained now. */
static kw_rc maybe_contained(incident_ctx *x, loaded *l, const store_incident_step_row *done)
{
    if (strcmp(done->phase, "contain") != 0 || l->row.contained_ms)
        return KW_OK;
    for (size_t i = 0; i < l->steps.n; i++)
        if (&l->steps.v[i] != done && !strcmp(l->steps.v[i].phase, "contain") &&
            !strcmp(l->steps.v[i].state, "pending"))
            return KW_OK;
    return store_incident_set_contained(x->s, l->row.id, x->now_ms);
}

static kw_rc finish_tx(incident_ctx *x, void *arg)
{
    step_arg *a = arg;
    loaded l;
    store_incident_step_row *r;
    kw_rc rc = load_pending(x, a->id, a->step, &l, &r);
    const char *need = rc == KW_OK && !a->skip ? need_pending(x, &l, a->step) : NULL;
    if (need)
        rc = refuse(x, INC_E_NEEDS, KW_ERR_RANGE, "step %s needs %s first (or skip %s)", a->step, need, need);
    if (rc == KW_OK)
        rc = store_incident_step_finish(x->s, a->id, a->step, a->skip ? "skipped" : "done", x->now_ms, x->actor,
                                        a->text);
    if (rc == KW_OK)
        rc = maybe_contained(x, &l, r);
    if (rc == KW_OK) {
        char text[TEXT_MAX + 256];
        snprintf(text, sizeof text, "step %s %s%s%s", a->step, a->skip ? "skipped" : "done", a->text ? ": " : "",
                 a->text ? a->text : "");
        store_incident_event e = {.kind = a->skip ? "step_skipped" : "step_done", .actor = x->actor,
                                  .step = a->step, .text = text};
        rc = incident_ops_record(x, a->id, &e);
    }
    store_incident_steps_free(&l.steps);
    return rc;
}

kw_rc incident_step_done(incident_ctx *x, int64_t id, const char *step, const char *note)
{
    if (note && strlen(note) > TEXT_MAX)
        return refuse(x, INC_E_MISSING, KW_ERR_PARSE, "a note is at most 16 KiB");
    step_arg a = {.id = id, .step = step, .text = note && *note ? note : NULL};
    return in_tx(x, finish_tx, &a);
}

kw_rc incident_step_skip(incident_ctx *x, int64_t id, const char *step, const char *reason)
{
    if (!text_ok(x, "a reason", reason))
        return KW_ERR_PARSE;
    step_arg a = {.id = id, .step = step, .text = reason, .skip = true};
    return in_tx(x, finish_tx, &a);
}

/* ---- assign ---- */

/* {"target", "person", "department", "fallback"} of an owner. */
static char *owner_data(const char *target, const incident_owner *o)
{
    kw_buf b;
    kw_buf_init(&b, 4096);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "target", target);
    kw_json_kv_str(&j, "person", o->person[0] ? o->person : NULL);
    kw_json_kv_str(&j, "department", o->dept[0] ? o->dept : NULL);
    kw_json_kv_str(&j, "fallback", o->fallback[0] ? o->fallback : NULL);
    kw_json_obj_end(&j);
    return kw_buf_take(&b);
}

static kw_rc assign_tx(incident_ctx *x, void *arg)
{
    step_arg *a = arg;
    loaded l;
    store_incident_step_row *r;
    kw_rc rc = load_pending(x, a->id, a->step, &l, &r);
    store_incident_steps_free(&l.steps);
    if (rc != KW_OK)
        return rc;
    incident_owner o;
    incident_plan_owner(x->c, a->target, x->now_ms, &o);
    rc = store_incident_step_assign(x->s, a->id, a->step, a->target, o.person, o.dept, o.fallback);
    if (rc != KW_OK)
        return rc;
    char text[1024];
    snprintf(text, sizeof text, "step %s assigned to %s (%s%s%s)%s%s", a->step, a->target,
             o.person[0] ? o.person : "nobody", o.dept[0] ? ", " : "", o.dept, o.fallback[0] ? ": " : "",
             o.fallback);
    char *data = owner_data(a->target, &o);
    store_incident_event e = {.kind = "assigned", .actor = x->actor, .step = a->step, .text = text, .data = data};
    rc = incident_ops_record(x, a->id, &e);
    free(data);
    return rc;
}

kw_rc incident_assign(incident_ctx *x, int64_t id, const char *step, const char *target)
{
    if (!text_ok(x, "a target", target))
        return KW_ERR_PARSE;
    char spec[INCIDENT_WHO_MAX + 8];
    if (!strchr(target, ':') && strcmp(target, "duty") != 0) { /* a bare name: a person */
        snprintf(spec, sizeof spec, "person:%s", target);
        target = spec;
    }
    char why[256];
    if (!incident_plan_target_check(x->c, target, why, sizeof why))
        return refuse(x, INC_E_MISSING, KW_ERR_NOTFOUND, "%s", why);
    step_arg a = {.id = id, .step = step, .target = target};
    return in_tx(x, assign_tx, &a);
}

/* ---- grade ---- */

typedef struct regrade {
    kw_buf added, dropped;
} regrade;

/* Applies one planned step to its stored row after a re-grade. */
static kw_rc replan_one(incident_ctx *x, loaded *l, const incident_plan_step *p, int pos, regrade *g)
{
    store_incident_step_row *r = step_find(l, p->pb->name);
    if (!r || !strcmp(r->state, "done") || !strcmp(r->state, "skipped"))
        return KW_OK;
    store_incident_step_new n;
    step_new(p, pos, &n);
    bool was_na = !strcmp(r->state, "na");
    if (was_na && p->applies) { /* newly applicable: planned now, owners on duty now */
        kw_buf_printf(&g->added, "%s%s", g->added.len ? ", " : "", r->name);
        return store_incident_step_replan(x->s, l->row.id, &n);
    }
    if (!was_na && !p->applies)
        kw_buf_printf(&g->dropped, "%s%s", g->dropped.len ? ", " : "", r->name);
    if (was_na || (p->applies && p->due_ms == r->due_ms))
        return KW_OK;
    return store_incident_step_set_due(x->s, l->row.id, r->name, p->applies ? p->due_ms : r->due_ms,
                                       p->applies ? "pending" : "na");
}

static kw_rc replan(incident_ctx *x, loaded *l, int grade, regrade *g)
{
    const conf_playbook *pb = incident_pb_find(x->c, l->row.playbook);
    if (!pb)
        return KW_OK; /* the playbook is gone from the configuration: the steps stay */
    int org = incident_org_parse(l->row.org_type);
    incident_plan_in in = {.c = x->c, .pb = pb, .grade = grade, .org_type = org < 0 ? INC_ORG_OTHER : org,
                           .declared_ms = l->row.declared_ms, .found_ms = l->row.found_ms,
                           .owners_at_ms = x->now_ms};
    incident_plan plan;
    kw_rc rc = incident_plan_make(&in, &plan);
    for (size_t i = 0; rc == KW_OK && i < plan.n; i++)
        rc = replan_one(x, l, &plan.v[i], (int)i, g);
    incident_plan_free(&plan);
    return rc;
}

static kw_rc grade_record(incident_ctx *x, step_arg *a, int from, regrade *g)
{
    char text[TEXT_MAX + 1024];
    snprintf(text, sizeof text, "grade %s -> %s%s%s%s; steps now applicable: %s; no longer: %s",
             incident_grade_name(from), incident_grade_name(a->grade), a->text ? " (" : "", a->text ? a->text : "",
             a->text ? ")" : "", g->added.len ? kw_buf_cstr(&g->added) : "none",
             g->dropped.len ? kw_buf_cstr(&g->dropped) : "none");
    kw_buf b;
    kw_buf_init(&b, TEXT_MAX * 2);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "from", incident_grade_name(from));
    kw_json_kv_str(&j, "to", incident_grade_name(a->grade));
    kw_json_kv_str(&j, "reason", a->text);
    kw_json_obj_end(&j);
    store_incident_event e = {.kind = "graded", .actor = x->actor, .text = text, .data = kw_buf_cstr(&b)};
    kw_rc rc = incident_ops_record(x, a->id, &e);
    kw_buf_free(&b);
    return rc;
}

static kw_rc grade_tx(incident_ctx *x, void *arg)
{
    step_arg *a = arg;
    loaded l;
    kw_rc rc = load(x, a->id, true, &l);
    if (rc == KW_OK && l.row.grade == a->grade)
        rc = refuse(x, INC_E_BAD_GRADE, KW_ERR_RANGE, "incident #%lld is grade %s already", (long long)a->id,
                    incident_grade_name(a->grade));
    regrade g;
    kw_buf_init(&g.added, 1 << 16);
    kw_buf_init(&g.dropped, 1 << 16);
    if (rc == KW_OK)
        rc = store_incident_set_grade(x->s, a->id, a->grade);
    if (rc == KW_OK)
        rc = replan(x, &l, a->grade, &g);
    if (rc == KW_OK)
        rc = grade_record(x, a, l.row.grade, &g);
    kw_buf_free(&g.added);
    kw_buf_free(&g.dropped);
    store_incident_steps_free(&l.steps);
    return rc;
}

kw_rc incident_grade(incident_ctx *x, int64_t id, int grade, const char *reason)
{
    if (grade < INCIDENT_GRADE_MIN || grade > INCIDENT_GRADE_MAX)
        return refuse(x, INC_E_BAD_GRADE, KW_ERR_RANGE, "a grade is I, II, III or IV");
    if (reason && strlen(reason) > TEXT_MAX)
        return refuse(x, INC_E_MISSING, KW_ERR_PARSE, "a reason is at most 16 KiB");
    step_arg a = {.id = id, .grade = grade, .text = reason && *reason ? reason : NULL};
    return in_tx(x, grade_tx, &a);
}

/* ---- note, attach ---- */

static kw_rc note_tx(incident_ctx *x, void *arg)
{
    step_arg *a = arg;
    loaded l;
    kw_rc rc = load(x, a->id, false, &l);
    store_incident_steps_free(&l.steps);
    if (rc != KW_OK)
        return rc;
    store_incident_event e = {.kind = "note", .actor = x->actor, .text = a->text};
    return incident_ops_record(x, a->id, &e);
}

kw_rc incident_note(incident_ctx *x, int64_t id, const char *text)
{
    if (!text_ok(x, "a note", text))
        return KW_ERR_PARSE;
    step_arg a = {.id = id, .text = text};
    return in_tx(x, note_tx, &a);
}

typedef struct attach_arg {
    int64_t id, alert;
    bool added;
} attach_arg;

static kw_rc attach_tx(incident_ctx *x, void *arg)
{
    attach_arg *a = arg;
    loaded l;
    int64_t started;
    kw_rc rc = load(x, a->id, true, &l);
    store_incident_steps_free(&l.steps);
    if (rc != KW_OK)
        return rc;
    rc = store_incident_alert_started(x->s, a->alert, &started);
    if (rc == KW_ERR_NOTFOUND)
        return refuse(x, INC_E_UNKNOWN_ALERT, rc, "no alert %lld", (long long)a->alert);
    if (rc == KW_OK)
        rc = attach_one(x, a->id, a->alert, &a->added);
    if (rc != KW_OK || !a->added)
        return rc;
    char text[128];
    snprintf(text, sizeof text, "incident #%lld: alert %lld attached", (long long)a->id, (long long)a->alert);
    return store_duty_append(x->s, x->now_ms, "incident", x->actor, a->alert, text);
}

kw_rc incident_attach(incident_ctx *x, int64_t id, int64_t alert_id, bool *added)
{
    attach_arg a = {.id = id, .alert = alert_id};
    kw_rc rc = in_tx(x, attach_tx, &a);
    if (added)
        *added = a.added;
    return rc;
}

/* ---- close ---- */

typedef struct close_arg {
    int64_t id;
    const incident_review *r;
} close_arg;

static char *review_data(const incident_review *r, int64_t skipped)
{
    kw_buf b;
    kw_buf_init(&b, TEXT_MAX * 8);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "cause", r->cause);
    kw_json_kv_str(&j, "impact", r->impact);
    kw_json_kv_str(&j, "lessons", r->lessons);
    kw_json_kv_str(&j, "proposal", r->proposal);
    kw_json_kv_int(&j, "steps_skipped", skipped);
    kw_json_obj_end(&j);
    return kw_buf_take(&b);
}

static kw_rc proposal_add(incident_ctx *x, close_arg *a, const char *playbook)
{
    kw_rc rc = store_playbook_history_add(x->s, playbook, x->now_ms, "proposal", x->actor, a->id, a->r->proposal);
    if (rc != KW_OK)
        return rc;
    char text[TEXT_MAX + 128];
    snprintf(text, sizeof text, "review proposes for playbook %s: %s", playbook, a->r->proposal);
    store_incident_event e = {.kind = "review", .actor = x->actor, .text = text};
    return incident_ops_record(x, a->id, &e);
}

static kw_rc close_tx(incident_ctx *x, void *arg)
{
    close_arg *a = arg;
    loaded l;
    int64_t skipped = 0;
    kw_rc rc = load(x, a->id, false, &l);
    store_incident_steps_free(&l.steps);
    if (rc == KW_OK && strcmp(l.row.state, "open") != 0)
        rc = refuse(x, INC_E_CLOSED, KW_ERR_RANGE, "incident #%lld is closed already", (long long)a->id);
    if (rc == KW_OK)
        rc = store_incident_close(x->s, a->id, x->now_ms, x->actor, a->r->cause, a->r->impact, a->r->lessons,
                                  &skipped);
    if (rc != KW_OK)
        return rc;
    char text[TEXT_MAX + 256];
    snprintf(text, sizeof text, "closed (%lld open steps skipped); cause: %s", (long long)skipped, a->r->cause);
    char *data = review_data(a->r, skipped);
    store_incident_event e = {.kind = "closed", .actor = x->actor, .text = text, .data = data};
    rc = incident_ops_record(x, a->id, &e);
    free(data);
    if (rc == KW_OK && a->r->proposal && *a->r->proposal)
        rc = proposal_add(x, a, l.row.playbook);
    return rc;
}

kw_rc incident_close(incident_ctx *x, int64_t id, const incident_review *r)
{
    if (!text_ok(x, "the cause", r->cause) || !text_ok(x, "the impact", r->impact) ||
        !text_ok(x, "the lessons", r->lessons))
        return KW_ERR_PARSE;
    if (r->proposal && strlen(r->proposal) > TEXT_MAX)
        return refuse(x, INC_E_MISSING, KW_ERR_PARSE, "a proposal is at most 16 KiB");
    close_arg a = {.id = id, .r = r};
    return in_tx(x, close_tx, &a);
}

/* ---- reading ---- */

/* Runs a reader in one read snapshot. */
static kw_rc read_snapshot(incident_ctx *x, kw_rc rc)
{
    if (rc == KW_ERR_NOTFOUND)
        return rc;
    return rc == KW_OK ? KW_OK : store_failed(x, rc);
}

kw_rc incident_get_json(incident_ctx *x, int64_t id, kw_buf *out)
{
    x->why = INC_E_NONE;
    kw_rc rc = store_begin_read(x->s);
    if (rc == KW_OK) {
        rc = store_incident_get_json(x->s, id, out);
        store_commit(x->s);
    }
    if (rc == KW_ERR_NOTFOUND)
        return refuse(x, INC_E_UNKNOWN_INCIDENT, rc, "no incident #%lld", (long long)id);
    return read_snapshot(x, rc);
}

kw_rc incident_list_json(incident_ctx *x, const store_incident_query *q, kw_buf *out)
{
    x->why = INC_E_NONE;
    return read_snapshot(x, store_incident_list_json(x->s, q, out));
}

kw_rc incident_stats_json(incident_ctx *x, int64_t since_ms, kw_buf *out)
{
    x->why = INC_E_NONE;
    kw_rc rc = store_begin_read(x->s);
    if (rc == KW_OK) {
        rc = store_incident_stats_json(x->s, since_ms, out);
        store_commit(x->s);
    }
    return read_snapshot(x, rc);
}

kw_rc incident_history_json(incident_ctx *x, const char *playbook, kw_buf *out)
{
    x->why = INC_E_NONE;
    return read_snapshot(x, store_playbook_history_json(x->s, playbook, out));
}
