/* drill_score: stages measured beside targets, weak spots in words, responders, the score. */
#include "drill/drill_score.h"
#include "kw_test.h"

#define MIN 60000LL
#define T0 1700000000000LL

static const drill_stage *find_stage(const drill_result *r, const char *name)
{
    for (size_t i = 0; i < r->nstages; i++)
        if (strcmp(r->stages[i].stage, name) == 0)
            return &r->stages[i];
    return NULL;
}

static bool has_weak(const drill_result *r, const char *text)
{
    for (size_t i = 0; i < r->nweak; i++)
        if (strcmp(r->weak[i].text, text) == 0)
            return true;
    return false;
}

static drill_score_in base(void)
{
    drill_score_in in = {.start_ms = T0, .detected_target_ms = 1 * MIN, .notified_target_ms = 2 * MIN,
                         .acked_target_ms = 5 * MIN, .declared_target_ms = 10 * MIN};
    in.detected_ms = T0 + 30000;
    in.notified_ms = T0 + 90000;
    in.acked_ms = T0 + 4 * MIN;
    in.declared_ms = T0 + 8 * MIN;
    in.acked_by = "li";
    in.acked_department = "operations";
    in.declared_by = "wang";
    return in;
}

static void test_dur(void)
{
    char b[64];
    drill_score_dur(45000, false, b, sizeof b);
    CHECK_STR(b, "45 s");
    drill_score_dur(14 * MIN, false, b, sizeof b);
    CHECK_STR(b, "14 min");
    drill_score_dur(65 * MIN, false, b, sizeof b);
    CHECK_STR(b, "1 h 5 min");
    drill_score_dur(120 * MIN, true, b, sizeof b);
    CHECK_STR(b, "2 小时");
    drill_score_dur(14 * MIN, true, b, sizeof b);
    CHECK_STR(b, "14 分钟");
    drill_score_dur(-5, false, b, sizeof b);
    CHECK_STR(b, "0 s");
}

static void test_all_on_time(void)
{
    drill_score_in in = base();
    drill_result r;
    drill_score(&in, &r);
    CHECK_INT(r.score, 100);
    CHECK_INT(r.nweak, 0);
    CHECK_INT(r.nstages, 4);
    const drill_stage *s = find_stage(&r, "acked");
    CHECK(s != NULL);
    if (s) {
        CHECK_INT(s->target_s, 300);
        CHECK_INT(s->measured_s, 240);
        CHECK(s->ok);
        CHECK_STR(s->who, "li");
    }
    s = find_stage(&r, "detected");
    CHECK(s && s->measured_s == 30 && s->ok);
}

static void test_late_ack(void)
{
    drill_score_in in = base();
    in.acked_ms = T0 + 14 * MIN;
    drill_result r;
    drill_score(&in, &r);
    CHECK_INT(r.nweak, 1);
    CHECK_STR(r.weak[0].text, "operations acknowledged after 14 min, target 5 min");
    CHECK_STR(r.weak[0].text_zh, "operations确认用时 14 分钟，目标 5 分钟");
    const drill_stage *s = find_stage(&r, "acked");
    CHECK(s && !s->ok && s->measured_s == 840);
    /* weights 8; acked earns 2 * 0.5 * 5/14 */
    CHECK_INT(r.score, (int)(100.0 * (6 + 1.0 * 5 / 14) / 8 + 0.5));
}

static void test_never(void)
{
    drill_score_in in = base();
    in.acked_ms = 0;
    in.acked_by = in.acked_department = NULL;
    in.declared_ms = 0;
    drill_result r;
    drill_score(&in, &r);
    CHECK_INT(r.nweak, 2);
    CHECK(has_weak(&r, "the alert was never acknowledged (target 5 min)"));
    CHECK(has_weak(&r, "no incident was declared (target 10 min)"));
    const drill_stage *s = find_stage(&r, "acked");
    CHECK(s && s->measured_s == -1 && !s->ok && s->who[0] == 0);
    CHECK_INT(r.score, 50);
}

static void test_unexpected_stages_left_out(void)
{
    drill_score_in in = {.start_ms = T0, .detected_target_ms = MIN, .detected_ms = 0};
    drill_result r;
    drill_score(&in, &r);
    CHECK_INT(r.nstages, 1);
    CHECK_INT(r.score, 0);
    CHECK_STR(r.weak[0].text, "the drill was never detected (target 1 min)");
    drill_score_in none = {.start_ms = T0};
    drill_score(&none, &r);
    CHECK_INT(r.nstages, 0);
    CHECK_INT(r.score, 100);
}

static void test_steps(void)
{
    drill_score_step steps[] = {
        {.name = "scrub", .owner = "ops", .due_ms = T0 + 10 * MIN, .done_ms = T0 + 16 * MIN, .done_by = "li"},
        {.name = "notify_users", .owner = "cs", .due_ms = T0 + 20 * MIN, .skipped = true},
        {.name = "switch", .due_ms = T0 + 20 * MIN, .done_ms = T0 + 12 * MIN, .done_by = "zhao"},
        {.name = "review", .owner = "security", .due_ms = T0 + 30 * MIN},
    };
    drill_score_in in = base();
    in.steps = steps;
    in.nsteps = 4;
    in.steps_on_time = true;
    drill_result r;
    drill_score(&in, &r);
    CHECK_INT(r.nstages, 8);
    CHECK_INT(r.nweak, 3);
    CHECK(has_weak(&r, "step scrub (ops) done 6 min late"));
    CHECK(has_weak(&r, "step notify_users (cs) skipped"));
    CHECK(has_weak(&r, "step review (security) was not done"));
    const drill_stage *s = find_stage(&r, "step:switch");
    CHECK(s && s->ok && s->target_s == 1200 && s->measured_s == 720);
    CHECK_STR(s ? s->who : NULL, "zhao");
    s = find_stage(&r, "step:scrub");
    CHECK(s && !s->ok && s->measured_s == 960);
    /* 8 + 0.5 + 0 + 1 + 0 of 12 */
    CHECK_INT(r.score, (int)(100.0 * 9.5 / 12 + 0.5));
    /* steps_on_time off: they are not stages */
    in.steps_on_time = false;
    drill_score(&in, &r);
    CHECK_INT(r.nstages, 4);
    CHECK_INT(r.score, 100);
}

static void test_told(void)
{
    drill_score_told told[] = {
        {.department = "kind:operations", .name_en = "operations", .name_zh = "运维", .told_ms = T0 + MIN},
        {.department = "kind:customer_service", .name_en = "customer service", .name_zh = "客服", .no_route = true},
        {.department = "legal"},
    };
    drill_score_in in = base();
    in.told = told;
    in.ntold = 3;
    drill_result r;
    drill_score(&in, &r);
    CHECK_INT(r.nweak, 2);
    CHECK_STR(r.weak[0].text, "customer service was never told: no route for department kind customer_service");
    CHECK_STR(r.weak[0].text_zh, "客服始终未获告知：没有通往 customer_service 类部门的通知渠道");
    CHECK_STR(r.weak[1].text, "legal was never told");
    const drill_stage *s = find_stage(&r, "told:kind:operations");
    CHECK(s && s->ok && s->measured_s == 60);
    CHECK_STR(s ? s->label_en : NULL, "operations told");
    s = find_stage(&r, "told:legal");
    CHECK(s && !s->ok && s->measured_s == -1);
}

static void test_playbook_grade(void)
{
    drill_score_in in = base();
    in.playbook_expected = "ddos";
    in.playbook = "web_defacement";
    in.grade_expected = 3;
    in.grade = 3;
    drill_result r;
    drill_score(&in, &r);
    CHECK_INT(r.nweak, 1);
    CHECK_STR(r.weak[0].text, "the incident was declared from playbook web_defacement, expected ddos");
    const drill_stage *s = find_stage(&r, "declared");
    CHECK(s && !s->ok);
    CHECK_INT(r.score, (int)(100.0 * 7 / 8 + 0.5));
    in.playbook = "ddos";
    in.grade = 2;
    drill_score(&in, &r);
    CHECK_STR(r.weak[0].text, "the incident was declared at grade 2, expected 3");
}

static void test_responders(void)
{
    drill_score_step steps[] = {{.name = "scrub", .done_ms = T0 + MIN, .done_by = "zhao"}};
    drill_score_person people[] = {
        {"li", "operations"}, {"zhao", "security"}, {"qian", "customer_service"}, {"li", "operations"}, {"sun", NULL},
    };
    const char *actors[] = {"sun"};
    drill_score_in in = base();
    in.steps = steps;
    in.nsteps = 1;
    in.people = people;
    in.npeople = 5;
    in.actors = actors;
    in.nactors = 1;
    drill_result r;
    drill_score(&in, &r);
    CHECK_INT(r.nresponders, 4);
    CHECK(r.responders[0].acted);  /* acknowledged */
    CHECK(r.responders[1].acted);  /* did a step */
    CHECK(!r.responders[2].acted);
    CHECK(r.responders[3].acted);  /* marked */
    CHECK_STR(r.responders[2].department, "customer_service");
    CHECK_STR(r.responders[3].department, "");
}

static void test_bounds(void)
{
    static drill_score_step steps[200];
    char names[200][16];
    for (int i = 0; i < 200; i++) {
        snprintf(names[i], sizeof names[i], "s%d", i);
        steps[i] = (drill_score_step){.name = names[i], .due_ms = T0 + MIN};
    }
    drill_score_in in = base();
    in.steps = steps;
    in.nsteps = 200;
    in.steps_on_time = true;
    drill_result r;
    drill_score(&in, &r);
    CHECK_INT(r.nstages, DRILL_STAGES_MAX);
    CHECK_INT(r.nweak, DRILL_WEAK_MAX);
    CHECK(r.score >= 0 && r.score < 10);
    char longname[1000];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    drill_score_step one = {.name = longname, .skipped = true};
    in.steps = &one;
    in.nsteps = 1;
    drill_score(&in, &r);
    CHECK(strlen(r.weak[0].text) < DRILL_TEXT_MAX);
    CHECK(strncmp(r.stages[4].stage, "step:xxx", 8) == 0);
}

int main(void)
{
    RUN(test_dur);
    RUN(test_all_on_time);
    RUN(test_late_ack);
    RUN(test_never);
    RUN(test_unexpected_stages_left_out);
    RUN(test_steps);
    RUN(test_told);
    RUN(test_playbook_grade);
    RUN(test_responders);
    RUN(test_bounds);
    TEST_MAIN_END();
}
