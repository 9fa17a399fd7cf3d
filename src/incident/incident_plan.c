/* incident_plan.c: an incident's steps as tasks, planned from its playbook (incident_plan.h):
 * which steps apply at the grade, owners resolved from targets, the told targets resolved, due
 * times from the declaration and, for regulator reports, from the regulator table. */
#include "incident/incident_plan.h"
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_mem.h"
#include "oncall/oncall.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* dept_kind's names, as oncall_conf.c reads them. */
static const char *const kind_names[] = {"security", "operations", "business", "customer_service", "management",
                                         "other"};

/* names[i] of a NULL-terminated table, "?" past it. */
static const char *name_of(const char *const *names, int i)
{
    for (int k = 0; i >= 0 && names[k]; k++)
        if (k == i)
            return names[k];
    return "?";
}

const char *incident_phase_name(int phase) { return name_of(incident_phase_names, phase); }
const char *incident_report_name(int report) { return name_of(incident_report_names, report); }
const char *incident_org_name(int org_type) { return name_of(incident_org_names, org_type); }

int incident_org_parse(const char *s)
{
    for (int i = 0; s && i < 3; i++)
        if (strcmp(s, incident_org_names[i]) == 0)
            return i;
    return -1;
}


/* ---- owners ---- */

static const conf_schedule *schedule_find(const conf *c, const char *name)
{
    const conf_schedule *v = c->schedules.items;
    if (!name)
        return c->schedules.n ? &v[0] : NULL;
    for (size_t i = 0; i < c->schedules.n; i++)
        if (v[i].name && strcmp(v[i].name, name) == 0)
            return &v[i];
    return NULL;
}

static bool strs_has(const conf_strs *s, const char *v)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], v) == 0)
            return true;
    return false;
}

/* Who is on duty in schedule name (NULL: the incident's duty schedule) at t; false (why
 * written) if nobody. */
static bool on_duty(const conf *c, const char *name, int64_t t, incident_owner *o, char *why, size_t whyn)
{
    const char *sn = name ? name : c->incident.duty_schedule;
    const conf_schedule *s = schedule_find(c, sn);
    oncall_shift now, next;
    if (!s)
        return snprintf(why, whyn, sn ? "no schedule %s" : "no schedule", sn), false;
    if (!oncall_at(c, s, t, &now, &next) || !now.person)
        return snprintf(why, whyn, "nobody on duty in schedule %s", s->name), false;
    snprintf(o->person, sizeof o->person, "%s", now.person);
    return true;
}

/* The head of department d, else the first person in it. */
static bool dept_person(const conf *c, const conf_department *d, incident_owner *o)
{
    snprintf(o->dept, sizeof o->dept, "%s", d->name);
    if (d->head && *d->head) {
        snprintf(o->person, sizeof o->person, "%s", d->head);
        return true;
    }
    const conf_person *p = c->people.items;
    for (size_t i = 0; i < c->people.n; i++)
        if (strs_has(&p[i].departments, d->name)) {
            snprintf(o->person, sizeof o->person, "%s", p[i].name);
            return true;
        }
    return false;
}

static const conf_department *dept_of_kind(const conf *c, const char *kind)
{
    int k = -1;
    for (int i = 0; i < (int)(sizeof kind_names / sizeof kind_names[0]); i++)
        if (strcmp(kind, kind_names[i]) == 0)
            k = i;
    const conf_department *d = c->departments.items;
    for (size_t i = 0; k >= 0 && i < c->departments.n; i++)
        if (d[i].kind == k)
            return &d[i];
    return NULL;
}

static bool role_person(const conf *c, const char *role, incident_owner *o)
{
    const conf_person *p = c->people.items;
    for (size_t i = 0; i < c->people.n; i++)
        if (strs_has(&p[i].roles, role)) {
            snprintf(o->person, sizeof o->person, "%s", p[i].name);
            return true;
        }
    return false;
}

/* The department a department:, head: or kind: target names, or NULL with why. */
static const conf_department *target_dept(const conf *c, const char *t, size_t n, const char *arg, char *why,
                                          size_t whyn)
{
    bool kind = n == 4 && !strncmp(t, "kind", n);
    const conf_department *d = kind ? dept_of_kind(c, arg) : conf_department_find(c, arg);
    if (!d)
        snprintf(why, whyn, kind ? "no department of kind %s" : "no department %s", arg);
    return d;
}

/* Resolves a target other than duty; false (with why) when it names nobody. */
static bool resolve_named(const conf *c, const char *t, int64_t at, incident_owner *o, char *why, size_t whyn)
{
    const char *colon = strchr(t, ':');
    const char *arg = colon ? colon + 1 : "";
    size_t n = colon ? (size_t)(colon - t) : strlen(t);
    if (n == 8 && !strncmp(t, "schedule", n))
        return on_duty(c, arg, at, o, why, whyn);
    if (n == 6 && !strncmp(t, "person", n)) {
        if (conf_person_find(c, arg))
            return snprintf(o->person, sizeof o->person, "%s", arg), true;
        return snprintf(why, whyn, "no person %s", arg), false;
    }
    if (n == 4 && !strncmp(t, "role", n)) {
        if (role_person(c, arg, o))
            return true;
        return snprintf(why, whyn, "nobody holds role %s", arg), false;
    }
    if (!(n == 10 && !strncmp(t, "department", n)) && !(n == 4 && !strncmp(t, "head", n)) &&
        !(n == 4 && !strncmp(t, "kind", n)))
        return snprintf(why, whyn, "unknown target %s", t), false;
    const conf_department *d = target_dept(c, t, n, arg, why, whyn);
    if (d && dept_person(c, d, o))
        return true;
    if (d)
        snprintf(why, whyn, "nobody in department %s", d->name);
    return false;
}

void incident_plan_owner(const conf *c, const char *target, int64_t t, incident_owner *out)
{
    memset(out, 0, sizeof *out);
    char why[160] = "", why2[160] = "";
    if (!target || !*target || strcmp(target, "duty") == 0) {
        if (!on_duty(c, NULL, t, out, why, sizeof why))
            snprintf(out->fallback, sizeof out->fallback, "%s: no owner", why);
        return;
    }
    if (resolve_named(c, target, t, out, why, sizeof why))
        return;
    memset(out, 0, sizeof *out);
    if (on_duty(c, NULL, t, out, why2, sizeof why2))
        snprintf(out->fallback, sizeof out->fallback, "%s: the duty officer", why);
    else
        snprintf(out->fallback, sizeof out->fallback, "%s; %s: no owner", why, why2);
}

bool incident_plan_target_check(const conf *c, const char *target, char *why, size_t whyn)
{
    incident_owner o;
    memset(&o, 0, sizeof o);
    const char *colon = target ? strchr(target, ':') : NULL;
    if (!target || !*target || strcmp(target, "duty") == 0)
        return true;
    size_t n = colon ? (size_t)(colon - target) : 0;
    bool person = n == 6 && !strncmp(target, "person", n);
    bool named = person || (n == 10 && !strncmp(target, "department", n)) || (n == 4 && !strncmp(target, "head", n)) ||
                 (n == 8 && !strncmp(target, "schedule", n));
    bool other = (n == 4 && (!strncmp(target, "role", n) || !strncmp(target, "kind", n)));
    if (!named && !other)
        return snprintf(why, whyn, "unknown target %s (duty, person:, role:, department:, head:, kind:, schedule:)",
                        target), false;
    if (person && !conf_person_find(c, colon + 1))
        return snprintf(why, whyn, "no person %s", colon + 1), false;
    if (!person && named && n != 8 && !conf_department_find(c, colon + 1))
        return snprintf(why, whyn, "no department %s", colon + 1), false;
    if (n == 8 && !schedule_find(c, colon + 1))
        return snprintf(why, whyn, "no schedule %s", colon + 1), false;
    if (n == 4 && target[0] == 'r' && !role_person(c, colon + 1, &o))
        return snprintf(why, whyn, "nobody holds role %s", colon + 1), false;
    return true;
}

/* ---- tell ---- */

static void tell_one(kw_json *j, const char *target, const incident_owner *o)
{
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "target", target);
    kw_json_kv_str(j, "person", o->person[0] ? o->person : NULL);
    kw_json_kv_str(j, "department", o->dept[0] ? o->dept : NULL);
    if (o->fallback[0])
        kw_json_kv_str(j, "fallback", o->fallback);
    kw_json_obj_end(j);
}

/* Every department of kind, each with its head (kind: tells them all); none: the fallback. */
static void tell_kind(const conf *c, kw_json *j, const char *target, int64_t t)
{
    const conf_department *d = c->departments.items, *first = dept_of_kind(c, target + 5);
    size_t told = 0;
    for (size_t i = 0; first && i < c->departments.n; i++) {
        if (d[i].kind != first->kind)
            continue;
        incident_owner o;
        memset(&o, 0, sizeof o);
        dept_person(c, &d[i], &o);
        tell_one(j, target, &o);
        told++;
    }
    if (!told) {
        incident_owner o;
        incident_plan_owner(c, target, t, &o);
        tell_one(j, target, &o);
    }
}

static char *tell_json(const conf *c, const conf_strs *tell, int64_t t)
{
    kw_buf b;
    kw_buf_init(&b, 1 << 20);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_arr_begin(&j);
    for (size_t i = 0; i < tell->n; i++) {
        if (strncmp(tell->v[i], "kind:", 5) == 0) {
            tell_kind(c, &j, tell->v[i], t);
            continue;
        }
        incident_owner o;
        incident_plan_owner(c, tell->v[i], t, &o);
        tell_one(&j, tell->v[i], &o);
    }
    kw_json_arr_end(&j);
    return kw_buf_take(&b);
}

/* ---- deadlines ---- */

kw_rc incident_plan_reporting(const conf *c, int org_type, int grade, const conf_inc_reporting **out)
{
    const conf_inc_reporting *r = incident_pb_reporting(c, org_type); /* one row per type: checked */
    *out = r && grade >= INCIDENT_GRADE_MIN && grade <= r->min_grade ? r : NULL;
    return *out ? KW_OK : KW_ERR_NOTFOUND;
}

/* Whether s applies at grade: its grades list (read here, so that a playbook not yet through
 * the check hooks that derive grade_mask plans the same). */
static bool step_at_grade(const conf_pb_step *s, int grade)
{
    unsigned mask = 0;
    for (size_t i = 0; i < s->grades.n; i++) {
        int g = incident_grade_parse(s->grades.v[i]);
        mask |= g ? 1u << (g - 1) : 0;
    }
    if (!s->grades.n)
        mask = 0x0f;
    return (mask >> (grade - 1)) & 1;
}

static void plan_step(const incident_plan_in *in, int phase, const conf_pb_step *s, incident_plan_step *p)
{
    p->pb = s;
    p->phase = phase;
    p->applies = step_at_grade(s, in->grade);
    if (s->report == PB_REPORT_REGULATOR) {
        const conf_inc_reporting *r;
        if (incident_plan_reporting(in->c, in->org_type, in->grade, &r) == KW_OK)
            p->due_ms = in->found_ms + r->within_ms;
        else
            p->applies = false;
    } else if (s->within_ms > 0) {
        p->due_ms = in->declared_ms + s->within_ms;
    }
    incident_plan_owner(in->c, s->owner, in->owners_at_ms, &p->owner);
    p->tell = tell_json(in->c, &s->tell, in->owners_at_ms);
}

kw_rc incident_plan_make(const incident_plan_in *in, incident_plan *out)
{
    memset(out, 0, sizeof *out);
    if (in->grade < INCIDENT_GRADE_MIN || in->grade > INCIDENT_GRADE_MAX)
        return KW_ERR_RANGE;
    const conf_pb_phase *ph = in->pb->phases.items;
    size_t n = 0;
    for (size_t i = 0; i < in->pb->phases.n; i++)
        n += ph[i].steps.n;
    out->v = kw_calloc(n ? n : 1, sizeof *out->v);
    for (size_t i = 0; i < in->pb->phases.n; i++) {
        const conf_pb_step *s = ph[i].steps.items;
        for (size_t k = 0; k < ph[i].steps.n; k++)
            plan_step(in, ph[i].phase, &s[k], &out->v[out->n++]);
    }
    return KW_OK;
}

void incident_plan_free(incident_plan *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i].tell);
    free(p->v);
    p->v = NULL;
    p->n = 0;
}
