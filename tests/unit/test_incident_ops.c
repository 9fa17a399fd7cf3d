/* The incident operations (incident_ops.c) on a store in a temp dir (either backend,
 * kw_test_store.h): declare with alerts, the refusals (unknown incident, step, playbook,
 * alert; double completion; a step needed first; n/a steps; closed incidents; missing
 * texts), re-grade, assign, containment, close with a review and a proposal, the stats, and
 * the duty log verified after all of it. */
#include "incident/incident_ops.h"
#include "incident/incident_plan.h"
#include "kw_test_incident.h"
#include "kw_test_store.h"
#include "store/store_incident.h"

#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

#define MIN 60000LL

typedef struct fixture {
    char dir[64], path[96];
    kw_store *s;
    conf *c;
    incident_ctx x;
    int64_t t0;
} fixture;

static bool fx_open(fixture *f)
{
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/kw-incident-XXXXXX");
    if (!mkdtemp(f->dir))
        return false;
    snprintf(f->path, sizeof f->path, "%s/kw.db", f->dir);
    char err[256];
    kwt_duty_keys_in(f->dir, 5);
    f->s = kwt_store_open(f->path, err, sizeof err);
    f->c = kwt_incident_conf("cii");
    if (!f->s || !f->c)
        return false;
    CHECK_INT(store_incident_migrate(f->s), KW_OK);
    CHECK_INT(store_incident_migrate(f->s), KW_OK); /* twice: nothing to do */
    f->t0 = kwt_at("2026-11-24T10:00:00+08:00");    /* bob on duty */
    f->x = (incident_ctx){.s = f->s, .c = f->c, .now_ms = f->t0, .actor = "ann"};
    return true;
}

static void fx_close(fixture *f)
{
    if (f->s)
        store_close(f->s);
    conf_free(f->c);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    CHECK(system(cmd) == 0);
}

/* fx_open, or a failed check with everything removed. */
static bool fx_ready(fixture *f)
{
    if (fx_open(f))
        return true;
    CHECK(!"fixture");
    fx_close(f);
    return false;
}

static int64_t fire(fixture *f, const char *rule, int64_t started)
{
    char labels[64];
    snprintf(labels, sizeof labels, "{\"asset\":\"web-%lld\"}", (long long)started);
    alert_act a = {.kind = ALERT_ACT_FIRE, .rule = (char *)rule, .severity = 4, .labels_json = labels,
                   .summary = (char *)"SYN flood on web", .at_ms = started, .started_ms = started};
    alert_fingerprint("net", rule, labels, a.fingerprint);
    CHECK_INT(store_alert_apply(f->s, &a), KW_OK);
    return a.alert_id;
}

static json_t *get(fixture *f, int64_t id)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    CHECK_INT(incident_get_json(&f->x, id, &b), KW_OK);
    json_t *j = json_loads(kw_buf_cstr(&b), 0, NULL);
    CHECK(j != NULL);
    kw_buf_free(&b);
    return j;
}

static json_t *step_of(json_t *inc, const char *name)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(inc, "steps"), i, s) if (!strcmp(json_string_value(json_object_get(s, "name")),
                                                                        name)) return s;
    fprintf(stderr, "  no step %s\n", name);
    return NULL;
}

static const char *sfield(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int64_t ifield(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static int64_t duty_seq(fixture *f)
{
    int64_t seq = 0;
    char hash[65];
    CHECK_INT(store_duty_head(f->s, &seq, hash), KW_OK);
    return seq;
}

/* Expects an operation refused with why, and nothing written to the duty log. */
#define REFUSED(f, call, rc, why_)                                                                                     \
    do {                                                                                                               \
        int64_t kwt_seq = duty_seq(f);                                                                                 \
        CHECK_INT((call), (rc));                                                                                       \
        CHECK_INT((f)->x.why, (why_));                                                                                 \
        CHECK((f)->x.err[0] != '\0');                                                                                  \
        CHECK_INT(duty_seq(f), kwt_seq);                                                                               \
    } while (0)

static int64_t declare(fixture *f, int64_t a1, int64_t a2)
{
    int64_t alerts[] = {a1, a2}, id = 0;
    incident_decl d = {.playbook = "ddos", .summary = "web unreachable", .alerts = alerts, .nalerts = 2, .zh = true};
    CHECK_INT(incident_declare(&f->x, &d, &id), KW_OK);
    return id;
}

static void check_declared(fixture *f, int64_t id, int64_t a1)
{
    json_t *j = get(f, id), *inc = json_object_get(j, "incident");
    CHECK_STR(sfield(inc, "grade"), "IV"); /* the playbook's */
    CHECK_STR(sfield(inc, "title"), "DDoS 攻击导致服务不可用");
    CHECK_STR(sfield(inc, "state"), "open");
    CHECK_STR(sfield(inc, "category"), "NA");
    CHECK_STR(sfield(inc, "org_type"), "cii");
    CHECK_INT(strlen(sfield(inc, "playbook_digest") ? sfield(inc, "playbook_digest") : ""), 64);
    CHECK_INT(ifield(inc, "found_ms"), f->t0 - 20 * MIN); /* the first alert's start */
    CHECK_INT(ifield(inc, "declared_ms"), f->t0);
    CHECK_STR(sfield(step_of(j, "verify"), "owner"), "bob");
    CHECK_STR(sfield(step_of(j, "verify"), "state"), "pending");
    CHECK_INT(ifield(step_of(j, "verify"), "due_ms"), f->t0 + 15 * MIN);
    CHECK_STR(sfield(step_of(j, "cdn"), "state"), "na");       /* grades I-III only */
    CHECK_STR(sfield(step_of(j, "regulator"), "state"), "na"); /* Ⅳ: not reported */
    CHECK_STR(sfield(step_of(j, "tell_cs"), "fallback"), "no department of kind customer_service: the duty officer");
    CHECK_INT(json_array_size(json_object_get(j, "alerts")), 2);
    CHECK_INT(ifield(json_array_get(json_object_get(j, "alerts"), 0), "alert"), a1);
    json_t *tl = json_object_get(j, "timeline");
    CHECK_INT(json_array_size(tl), 3);
    CHECK_STR(sfield(json_array_get(tl, 2), "kind"), "declared");
    CHECK_STR(sfield(json_array_get(tl, 2), "actor"), "ann");
    json_decref(j);
}

static void check_refusals(fixture *f, int64_t id, int64_t a1)
{
    int64_t other = 0;
    incident_decl d = {.playbook = "nope"};
    REFUSED(f, incident_declare(&f->x, &d, &other), KW_ERR_NOTFOUND, INC_E_UNKNOWN_PLAYBOOK);
    d = (incident_decl){.playbook = "ddos", .found_ms = f->x.now_ms + 1};
    REFUSED(f, incident_declare(&f->x, &d, &other), KW_ERR_RANGE, INC_E_MISSING);
    d = (incident_decl){.playbook = "ddos", .grade = 5};
    REFUSED(f, incident_declare(&f->x, &d, &other), KW_ERR_RANGE, INC_E_BAD_GRADE);
    int64_t ghost = 999;
    d = (incident_decl){.playbook = "ddos", .alerts = &ghost, .nalerts = 1};
    REFUSED(f, incident_declare(&f->x, &d, &other), KW_ERR_NOTFOUND, INC_E_UNKNOWN_ALERT);
    REFUSED(f, incident_step_done(&f->x, 42, "verify", NULL), KW_ERR_NOTFOUND, INC_E_UNKNOWN_INCIDENT);
    REFUSED(f, incident_step_done(&f->x, id, "nope", NULL), KW_ERR_NOTFOUND, INC_E_UNKNOWN_STEP);
    REFUSED(f, incident_step_done(&f->x, id, "assess", NULL), KW_ERR_RANGE, INC_E_NEEDS);
    CHECK_CONTAINS(f->x.err, "needs verify first");
    REFUSED(f, incident_step_done(&f->x, id, "cdn", NULL), KW_ERR_RANGE, INC_E_NOT_APPLICABLE);
    REFUSED(f, incident_step_skip(&f->x, id, "scrub", ""), KW_ERR_PARSE, INC_E_MISSING);
    REFUSED(f, incident_grade(&f->x, id, 4, NULL), KW_ERR_RANGE, INC_E_BAD_GRADE); /* the same grade */
    REFUSED(f, incident_grade(&f->x, id, 0, NULL), KW_ERR_RANGE, INC_E_BAD_GRADE);
    REFUSED(f, incident_attach(&f->x, id, 999, NULL), KW_ERR_NOTFOUND, INC_E_UNKNOWN_ALERT);
    REFUSED(f, incident_note(&f->x, id, NULL), KW_ERR_PARSE, INC_E_MISSING);
    bool added = true;
    int64_t seq = duty_seq(f);
    CHECK_INT(incident_attach(&f->x, id, a1, &added), KW_OK); /* attached already: a no-op */
    CHECK(!added);
    CHECK_INT(duty_seq(f), seq);
}

static void work_steps(fixture *f, int64_t id)
{
    f->x.now_ms = f->t0 + 5 * MIN;
    CHECK_INT(incident_step_done(&f->x, id, "verify", "confirmed: 2 Mpps SYN"), KW_OK);
    REFUSED(f, incident_step_done(&f->x, id, "verify", NULL), KW_ERR_RANGE, INC_E_FINISHED); /* double completion */
    REFUSED(f, incident_step_skip(&f->x, id, "verify", "why not"), KW_ERR_RANGE, INC_E_FINISHED);
    f->x.now_ms = f->t0 + 10 * MIN;
    CHECK_INT(incident_step_done(&f->x, id, "assess", NULL), KW_OK);
    CHECK_INT(incident_grade(&f->x, id, 3, "two services down"), KW_OK);
    json_t *j = get(f, id);
    CHECK_STR(sfield(json_object_get(j, "incident"), "grade"), "III");
    CHECK_STR(sfield(step_of(j, "cdn"), "state"), "pending");
    CHECK_STR(sfield(step_of(j, "regulator"), "state"), "pending");
    CHECK_INT(ifield(step_of(j, "regulator"), "due_ms"), f->t0 - 20 * MIN + 60 * MIN); /* found + 1 h (cii) */
    CHECK_STR(sfield(step_of(j, "regulator"), "owner"), "bob");
    CHECK_STR(sfield(step_of(j, "verify"), "state"), "done");
    json_decref(j);
    bool added = false;
    int64_t a3 = fire(f, "web_attack", f->t0 + 11 * MIN);
    CHECK_INT(incident_attach(&f->x, id, a3, &added), KW_OK);
    CHECK(added);
    CHECK_INT(incident_assign(&f->x, id, "scrub", "eve"), KW_OK);
    CHECK_INT(incident_assign(&f->x, id, "scrub", "department:ops"), KW_OK);
    REFUSED(f, incident_assign(&f->x, id, "verify", "eve"), KW_ERR_RANGE, INC_E_FINISHED);
    REFUSED(f, incident_assign(&f->x, id, "cdn", "zoe"), KW_ERR_NOTFOUND, INC_E_MISSING);
    CHECK_STR(f->x.err, "no person zoe");
    f->x.now_ms = f->t0 + 30 * MIN;
    CHECK_INT(incident_step_done(&f->x, id, "scrub", NULL), KW_OK);
    j = get(f, id);
    CHECK_INT(ifield(json_object_get(j, "incident"), "contained_ms"), 0); /* cdn still pending */
    CHECK_STR(sfield(step_of(j, "scrub"), "owner"), "dan");
    CHECK_STR(sfield(step_of(j, "scrub"), "owner_department"), "ops");
    json_decref(j);
    f->x.now_ms = f->t0 + 40 * MIN;
    CHECK_INT(incident_step_skip(&f->x, id, "cdn", "no CDN contract yet"), KW_OK);
    CHECK_INT(incident_note(&f->x, id, "ISP scrubbing active"), KW_OK);
}

/* Back to Ⅳ and up again: the regulator step goes na and comes back; done steps stay done. */
static void regrade_round(fixture *f, int64_t id)
{
    CHECK_INT(incident_grade(&f->x, id, 4, NULL), KW_OK);
    json_t *j = get(f, id);
    CHECK_STR(sfield(step_of(j, "regulator"), "state"), "na");
    CHECK_STR(sfield(step_of(j, "cdn"), "state"), "skipped");
    CHECK_STR(sfield(step_of(j, "scrub"), "state"), "done");
    json_decref(j);
    CHECK_INT(incident_grade(&f->x, id, 2, NULL), KW_OK);
    j = get(f, id);
    CHECK_STR(sfield(step_of(j, "regulator"), "state"), "pending");
    CHECK_INT(ifield(json_object_get(j, "incident"), "contained_ms"), f->t0 + 40 * MIN);
    json_decref(j);
}

static void close_it(fixture *f, int64_t id)
{
    f->x.now_ms = f->t0 + 120 * MIN;
    incident_review r = {.cause = "botnet SYN flood", .impact = "web down 40 minutes"};
    REFUSED(f, incident_close(&f->x, id, &r), KW_ERR_PARSE, INC_E_MISSING);
    r.lessons = "pre-arrange scrubbing";
    r.proposal = "add a step: call the ISP's scrubbing desk within 10m";
    CHECK_INT(incident_close(&f->x, id, &r), KW_OK);
    REFUSED(f, incident_close(&f->x, id, &r), KW_ERR_RANGE, INC_E_CLOSED);
    REFUSED(f, incident_step_done(&f->x, id, "tell_cs", NULL), KW_ERR_RANGE, INC_E_CLOSED);
    REFUSED(f, incident_grade(&f->x, id, 1, NULL), KW_ERR_RANGE, INC_E_CLOSED);
    REFUSED(f, incident_attach(&f->x, id, 1, NULL), KW_ERR_RANGE, INC_E_CLOSED);
    CHECK_INT(incident_note(&f->x, id, "report filed"), KW_OK); /* notes after close */
    json_t *j = get(f, id), *inc = json_object_get(j, "incident");
    CHECK_STR(sfield(inc, "state"), "closed");
    CHECK_STR(sfield(inc, "lessons"), "pre-arrange scrubbing");
    CHECK_STR(sfield(step_of(j, "tell_cs"), "state"), "skipped");
    CHECK_STR(sfield(step_of(j, "tell_cs"), "note"), "closed with the incident");
    CHECK_STR(sfield(step_of(j, "regulator"), "state"), "skipped");
    json_t *tl = json_object_get(j, "timeline");
    CHECK_STR(sfield(json_array_get(tl, json_array_size(tl) - 1), "text"), "report filed");
    CHECK_STR(sfield(json_array_get(tl, json_array_size(tl) - 2), "kind"), "review");
    json_decref(j);
    kw_buf b;
    kw_buf_init(&b, 0);
    CHECK_INT(incident_history_json(&f->x, "ddos", &b), KW_OK);
    CHECK_CONTAINS(kw_buf_cstr(&b), "\"kind\":\"proposal\"");
    CHECK_CONTAINS(kw_buf_cstr(&b), "scrubbing desk");
    kw_buf_free(&b);
}

static void check_stats(fixture *f)
{
    int64_t id = 0;
    f->x.now_ms = f->t0 + 200 * MIN;
    incident_decl d = {.playbook = "ddos", .grade = 3, .drill = true, .title = "drill"};
    CHECK_INT(incident_declare(&f->x, &d, &id), KW_OK);
    CHECK_INT(id, 2);
    kw_buf b;
    kw_buf_init(&b, 0);
    CHECK_INT(incident_stats_json(&f->x, 0, &b), KW_OK);
    json_t *j = json_loads(kw_buf_cstr(&b), 0, NULL), *r = json_object_get(j, "incidents");
    CHECK_INT(ifield(r, "count"), 1);
    CHECK_INT(ifield(json_object_get(r, "by_category"), "NA"), 1);
    CHECK_INT(ifield(json_object_get(r, "by_grade"), "II"), 1);
    CHECK_INT(ifield(json_object_get(r, "time_to_declare"), "mean_ms"), 20 * MIN);
    CHECK_INT(ifield(json_object_get(r, "time_to_contain"), "mean_ms"), 40 * MIN);
    json_t *ot = json_object_get(r, "steps_on_time");
    CHECK_INT(ifield(json_object_get(ot, "ops"), "on_time"), 1);  /* scrub on time, cdn skipped */
    CHECK_INT(ifield(json_object_get(ot, "ops"), "with_due"), 2);
    CHECK_INT(ifield(json_object_get(ot, "sec"), "with_due"), 1); /* the regulator report, never done */
    CHECK_INT(ifield(json_object_get(ot, "sec"), "on_time"), 0);
    CHECK_INT(ifield(json_object_get(ot, "-"), "on_time"), 2);    /* verify and assess, by the duty officer */
    CHECK_INT(ifield(json_object_get(j, "drills"), "count"), 1);
    json_decref(j);
    kw_buf_reset(&b);
    store_incident_query q = {.state = "open", .drill = -1};
    CHECK_INT(incident_list_json(&f->x, &q, &b), KW_OK);
    j = json_loads(kw_buf_cstr(&b), 0, NULL);
    CHECK_INT(json_array_size(json_object_get(j, "incidents")), 1);
    CHECK_STR(sfield(json_array_get(json_object_get(j, "incidents"), 0), "title"), "drill");
    json_decref(j);
    kw_buf_free(&b);
}

static void test_incident_lifecycle(void)
{
    fixture f;
    if (!fx_ready(&f))
        return;
    int64_t a1 = fire(&f, "syn_flood", f.t0 - 20 * MIN), a2 = fire(&f, "syn_flood", f.t0 - 10 * MIN);
    int64_t id = declare(&f, a2, a1);
    CHECK_INT(id, 1);
    check_declared(&f, id, a1); /* alerts in time order, then by id */
    check_refusals(&f, id, a1);
    work_steps(&f, id);
    regrade_round(&f, id);
    close_it(&f, id);
    check_stats(&f);
    int64_t bad = 0, entries = 0;
    char why[256] = "";
    CHECK_INT(store_duty_verify(f.s, &bad, &entries, why, sizeof why), KW_OK);
    CHECK(entries >= 15);
    fx_close(&f);
}

/* A refused operation in the caller's transaction leaves the caller's own work alone. */
static void test_nested_refusal(void)
{
    fixture f;
    if (!fx_ready(&f))
        return;
    int64_t id = 0;
    incident_decl d = {.playbook = "ddos"};
    CHECK_INT(store_begin(f.s), KW_OK);
    CHECK_INT(incident_declare(&f.x, &d, &id), KW_OK);
    CHECK_INT(incident_step_done(&f.x, id, "assess", NULL), KW_ERR_RANGE); /* needs verify */
    CHECK_INT(store_commit(f.s), KW_OK);
    json_t *j = get(&f, id);
    CHECK_STR(sfield(json_object_get(j, "incident"), "title"), "DDoS makes a service unreachable");
    CHECK_INT(ifield(json_object_get(j, "incident"), "found_ms"), f.t0);
    json_decref(j);
    fx_close(&f);
}

/* Every built-in playbook declares at every grade on a configuration with nobody in it: the
 * steps planned (pending or na), owners missing with the reason kept, and a regulator report
 * due 4 h after it was found for an `other` operator from grade Ⅲ up. */
static void test_builtin_playbooks(void)
{
    fixture f;
    if (!fx_ready(&f))
        return;
    conf_free(f.c);
    static const char bare[] = "incident:\n  org_type: other\n";
    conf_errors errs = {0};
    f.c = NULL;
    CHECK_INT(conf_load_buffer("t.yaml", bare, strlen(bare), &f.c, &errs), KW_OK);
    conf_errors_free(&errs);
    f.x.c = f.c;
    size_t builtins = 0, regulators = 0;
    const conf_playbook *pb = f.c ? f.c->incident.playbooks.items : NULL;
    for (size_t i = 0; f.c && i < f.c->incident.playbooks.n; i++) {
        builtins += pb[i].builtin;
        for (int g = 1; g <= 4; g++) {
            int64_t id = 0;
            incident_decl d = {.playbook = pb[i].name, .grade = g};
            CHECK_INT(incident_declare(&f.x, &d, &id), KW_OK);
            json_t *j = get(&f, id), *st;
            size_t k, steps = 0;
            json_array_foreach(json_object_get(j, "steps"), k, st) {
                const char *state = sfield(st, "state");
                CHECK(state && (!strcmp(state, "pending") || !strcmp(state, "na")));
                CHECK_CONTAINS(sfield(st, "fallback"), "no owner"); /* nobody configured */
                if (!strcmp(sfield(st, "report"), "regulator") && !strcmp(state, "pending"))
                    CHECK_INT(ifield(st, "due_ms") - ifield(json_object_get(j, "incident"), "found_ms"),
                              4 * 60 * MIN);
                if (!strcmp(sfield(st, "report"), "regulator")) {
                    CHECK_STR(state, g <= 3 ? "pending" : "na");
                    regulators++;
                }
                steps++;
            }
            CHECK(steps >= 3);
            json_decref(j);
        }
    }
    CHECK_INT(builtins, 9);
    CHECK(regulators >= 9 * 4); /* each built-in playbook reports to the regulator */
    fx_close(&f);
}

int main(void)
{
    RUN(test_incident_lifecycle);
    RUN(test_nested_refusal);
    RUN(test_builtin_playbooks);
    TEST_MAIN_END();
}
