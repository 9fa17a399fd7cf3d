/* The incident plan (incident_plan.c): due times across midnight, a declaration just before
 * a duty hand-over, regulator deadlines per organisation type and grade, grade-limited steps,
 * owners resolved from each kind of target and the fallbacks to the duty officer. */
#include "incident/incident_plan.h"
#include "kw_test_incident.h"

#include <jansson.h>
#include <stdlib.h>

#define MIN 60000LL
#define HOUR (60 * MIN)

static const incident_plan_step *step(const incident_plan *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->v[i].pb->name, name) == 0)
            return &p->v[i];
    fprintf(stderr, "  no step %s\n", name);
    return NULL;
}

/* Plans ddos at grade for org_type, declared and found at `at`. */
static bool plan(const conf *c, int grade, int org, int64_t at, incident_plan *p)
{
    incident_plan_in in = {.c = c, .pb = incident_pb_find(c, "ddos"), .grade = grade, .org_type = org,
                           .declared_ms = at, .found_ms = at, .owners_at_ms = at};
    CHECK(in.pb != NULL);
    return in.pb && incident_plan_make(&in, p) == KW_OK;
}

static void test_due_across_midnight(void)
{
    conf *c = kwt_incident_conf("cii");
    CHECK(c != NULL);
    incident_plan p;
    int64_t at = kwt_at("2026-11-24T23:50:00+08:00");
    if (!c || !plan(c, 4, INC_ORG_CII, at, &p)) {
        conf_free(c);
        return;
    }
    CHECK_INT(p.n, 7);
    const incident_plan_step *s = step(&p, "assess");
    CHECK(s && s->applies);
    CHECK_INT(s ? s->due_ms : 0, kwt_at("2026-11-25T00:20:00+08:00"));
    s = step(&p, "verify");
    CHECK_INT(s ? s->due_ms : 0, kwt_at("2026-11-25T00:05:00+08:00"));
    s = step(&p, "tell_cs");
    CHECK_INT(s ? s->due_ms : -1, 0); /* no `within`: no deadline */
    CHECK_INT(s ? s->phase : -1, PB_PHASE_REPORT);
    incident_plan_free(&p);
    conf_free(c);
}

static void test_declared_before_handover(void)
{
    conf *c = kwt_incident_conf("cii");
    CHECK(c != NULL);
    incident_plan p;
    int64_t at = kwt_at("2026-11-24T08:59:00+08:00"); /* ann until 09:00, then bob */
    if (!c || !plan(c, 4, INC_ORG_CII, at, &p)) {
        conf_free(c);
        return;
    }
    const incident_plan_step *s = step(&p, "verify");
    CHECK_STR(s ? s->owner.person : NULL, "ann");
    CHECK_STR(s ? s->owner.fallback : NULL, "");
    CHECK_INT(s ? s->due_ms : 0, kwt_at("2026-11-24T09:14:00+08:00")); /* after the hand-over, unchanged */
    incident_plan_free(&p);
    if (plan(c, 4, INC_ORG_CII, kwt_at("2026-11-24T09:00:00+08:00"), &p)) {
        s = step(&p, "verify");
        CHECK_STR(s ? s->owner.person : NULL, "bob");
        incident_plan_free(&p);
    }
    conf_free(c);
}

/* The regulator step's due time (found + the table's within) or -1 when it is na. */
static int64_t regulator_due(const char *org_name, int org, int grade, int64_t at)
{
    conf *c = kwt_incident_conf(org_name);
    incident_plan p;
    int64_t due = -2;
    if (c && plan(c, grade, org, at, &p)) {
        const incident_plan_step *s = step(&p, "regulator");
        due = !s ? -2 : s->applies ? s->due_ms - at : -1;
        incident_plan_free(&p);
    }
    conf_free(c);
    return due;
}

static void test_regulator_deadlines(void)
{
    int64_t at = kwt_at("2026-11-24T10:00:00+08:00");
    CHECK_INT(regulator_due("cii", INC_ORG_CII, 3, at), 1 * HOUR);
    CHECK_INT(regulator_due("cii", INC_ORG_CII, 1, at), 1 * HOUR);
    CHECK_INT(regulator_due("state_organ", INC_ORG_STATE_ORGAN, 3, at), 2 * HOUR);
    CHECK_INT(regulator_due("state_organ", INC_ORG_STATE_ORGAN, 2, at), 2 * HOUR);
    CHECK_INT(regulator_due("other", INC_ORG_OTHER, 3, at), 4 * HOUR);
    /* below 较大 (Ⅳ 一般): not reported, the step is na */
    CHECK_INT(regulator_due("cii", INC_ORG_CII, 4, at), -1);
    CHECK_INT(regulator_due("other", INC_ORG_OTHER, 4, at), -1);
    conf *c = kwt_incident_conf("cii");
    const conf_inc_reporting *r = NULL;
    CHECK_INT(c ? incident_plan_reporting(c, INC_ORG_STATE_ORGAN, 3, &r) : -1, KW_OK);
    CHECK_STR(r ? r->to_zh : NULL, "本部门网信工作机构");
    CHECK_INT(c ? incident_plan_reporting(c, INC_ORG_STATE_ORGAN, 4, &r) : -1, KW_ERR_NOTFOUND);
    conf_free(c);
}

/* The regulator's clock runs from when the incident was found, not from the declaration. */
static void test_regulator_from_found(void)
{
    conf *c = kwt_incident_conf("other");
    CHECK(c != NULL);
    if (!c)
        return;
    int64_t found = kwt_at("2026-11-24T10:00:00+08:00");
    incident_plan_in in = {.c = c, .pb = incident_pb_find(c, "ddos"), .grade = 2, .org_type = INC_ORG_OTHER,
                           .declared_ms = found + 90 * MIN, .found_ms = found, .owners_at_ms = found + 90 * MIN};
    incident_plan p;
    CHECK_INT(incident_plan_make(&in, &p), KW_OK);
    const incident_plan_step *s = step(&p, "regulator");
    CHECK_INT(s ? s->due_ms : 0, kwt_at("2026-11-24T14:00:00+08:00"));
    s = step(&p, "verify");
    CHECK_INT(s ? s->due_ms : 0, found + 105 * MIN);
    incident_plan_free(&p);
    in.grade = 0;
    CHECK_INT(incident_plan_make(&in, &p), KW_ERR_RANGE);
    in.grade = 5;
    CHECK_INT(incident_plan_make(&in, &p), KW_ERR_RANGE);
    conf_free(c);
}

static void test_grade_limited_steps(void)
{
    conf *c = kwt_incident_conf("cii");
    incident_plan p;
    int64_t at = kwt_at("2026-11-24T10:00:00+08:00");
    if (c && plan(c, 4, INC_ORG_CII, at, &p)) {
        const incident_plan_step *s = step(&p, "cdn");
        CHECK(s && !s->applies);
        s = step(&p, "scrub");
        CHECK(s && s->applies);
        incident_plan_free(&p);
    }
    if (c && plan(c, 3, INC_ORG_CII, at, &p)) {
        const incident_plan_step *s = step(&p, "cdn");
        CHECK(s && s->applies);
        CHECK_INT(s ? s->due_ms : 0, at + 2 * HOUR);
        incident_plan_free(&p);
    }
    CHECK(c != NULL);
    conf_free(c);
}

static void test_owners_and_fallbacks(void)
{
    conf *c = kwt_incident_conf("cii");
    incident_plan p;
    int64_t at = kwt_at("2026-11-24T10:00:00+08:00"); /* bob on duty */
    if (!c || !plan(c, 3, INC_ORG_CII, at, &p)) {
        CHECK(c != NULL);
        conf_free(c);
        return;
    }
    const incident_plan_step *s = step(&p, "assess"); /* role:expert */
    CHECK_STR(s ? s->owner.person : NULL, "bob");
    s = step(&p, "scrub"); /* kind:operations: ops has no head, its first person */
    CHECK_STR(s ? s->owner.person : NULL, "dan");
    CHECK_STR(s ? s->owner.dept : NULL, "ops");
    CHECK_STR(s ? s->owner.fallback : NULL, "");
    s = step(&p, "regulator"); /* head:sec */
    CHECK_STR(s ? s->owner.person : NULL, "bob");
    CHECK_STR(s ? s->owner.dept : NULL, "sec");
    s = step(&p, "tell_cs"); /* no customer_service department: the duty officer */
    CHECK_STR(s ? s->owner.person : NULL, "bob");
    CHECK_STR(s ? s->owner.dept : NULL, "");
    CHECK_STR(s ? s->owner.fallback : NULL, "no department of kind customer_service: the duty officer");
    s = step(&p, "nobody");
    CHECK_STR(s ? s->owner.fallback : NULL, "nobody in department biz: the duty officer");
    s = step(&p, "scrub");
    json_t *t = s ? json_loads(s->tell, 0, NULL) : NULL;
    CHECK(json_is_array(t) && json_array_size(t) == 2);
    CHECK_STR(json_string_value(json_object_get(json_array_get(t, 0), "fallback")),
              "no department of kind customer_service: the duty officer");
    CHECK_STR(json_string_value(json_object_get(json_array_get(t, 1), "department")), "ops");
    json_decref(t);
    incident_plan_free(&p);

    incident_owner o;
    incident_plan_owner(c, "person:zoe", at, &o); /* the checks refuse it in a playbook; a stored one may */
    CHECK_STR(o.person, "bob");
    CHECK_STR(o.fallback, "no person zoe: the duty officer");
    incident_plan_owner(c, "department:biz", at, &o); /* a department nobody is in */
    CHECK_STR(o.person, "bob");
    CHECK_STR(o.fallback, "nobody in department biz: the duty officer");
    incident_plan_owner(c, "schedule:duty", kwt_at("2026-11-23T12:00:00+08:00"), &o);
    CHECK_STR(o.person, "ann");
    incident_plan_owner(c, "schedule:none", at, &o);
    CHECK_STR(o.fallback, "no schedule none: the duty officer");
    char why[256] = "";
    CHECK(incident_plan_target_check(c, "duty", why, sizeof why));
    CHECK(incident_plan_target_check(c, "kind:customer_service", why, sizeof why)); /* falls back as configured */
    CHECK(incident_plan_target_check(c, "department:biz", why, sizeof why));
    CHECK(incident_plan_target_check(c, "role:expert", why, sizeof why));
    CHECK(incident_plan_target_check(c, "schedule:duty", why, sizeof why));
    CHECK(!incident_plan_target_check(c, "person:zoe", why, sizeof why));
    CHECK_STR(why, "no person zoe");
    CHECK(!incident_plan_target_check(c, "head:nope", why, sizeof why));
    CHECK_STR(why, "no department nope");
    CHECK(!incident_plan_target_check(c, "schedule:nope", why, sizeof why));
    CHECK_STR(why, "no schedule nope");
    CHECK(!incident_plan_target_check(c, "role:ceo", why, sizeof why));
    CHECK_STR(why, "nobody holds role ceo");
    CHECK(!incident_plan_target_check(c, "bogus:x", why, sizeof why));
    CHECK(!incident_plan_target_check(c, "zoe", why, sizeof why));
    incident_plan_owner(c, "bogus:x", at, &o);
    CHECK_STR(o.fallback, "unknown target bogus:x: the duty officer");
    conf_free(c);

    static const char bare[] = "people:\n  - {name: ann}\n"; /* no schedule: nobody on duty */
    conf_errors errs = {0};
    c = NULL;
    CHECK_INT(conf_load_buffer("t.yaml", bare, strlen(bare), &c, &errs), KW_OK);
    conf_errors_free(&errs);
    if (!c)
        return;
    incident_plan_owner(c, "duty", at, &o);
    CHECK_STR(o.person, "");
    CHECK_STR(o.fallback, "no schedule: no owner");
    incident_plan_owner(c, "person:zoe", at, &o);
    CHECK_STR(o.fallback, "no person zoe; no schedule: no owner");
    incident_plan_owner(c, "person:ann", at, &o);
    CHECK_STR(o.person, "ann");
    conf_free(c);
}

int main(void)
{
    RUN(test_due_across_midnight);
    RUN(test_declared_before_handover);
    RUN(test_regulator_deadlines);
    RUN(test_regulator_from_found);
    RUN(test_grade_limited_steps);
    RUN(test_owners_and_fallbacks);
    TEST_MAIN_END();
}
