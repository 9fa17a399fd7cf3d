/* Duty schedules: rotations, handoffs, layers, restrictions, overrides, the protection period. */
#include "kw_test.h"

#include "conf/conf.h"
#include "core/kw_time.h"
#include "logs/logs.h"
#include "oncall/oncall.h"

static conf *load(const char *yaml)
{
    conf *c = NULL;
    conf_errors errs = {0};
    if (conf_load_buffer("t.yaml", yaml, strlen(yaml), &c, &errs) != KW_OK)
        for (size_t i = 0; i < errs.n; i++)
            fprintf(stderr, "  %s\n", errs.v[i]);
    conf_errors_free(&errs);
    return c;
}

/* "2026-11-24T09:00+08:00" as Unix ms */
static int64_t at(const char *s)
{
    log_parse_opts o = {.tz_offset_min = 0};
    int64_t ms = 0;
    if (!log_parse_iso(s, strlen(s), &o, &ms))
        fprintf(stderr, "  bad time %s\n", s);
    return ms;
}

static const char *who(const conf *c, const char *sched, const char *t)
{
    const conf_schedule *s = NULL;
    for (size_t i = 0; i < c->schedules.n; i++)
        if (!strcmp(CONF_AT(c->schedules, conf_schedule, i)->name, sched))
            s = CONF_AT(c->schedules, conf_schedule, i);
    oncall_shift now;
    return s && oncall_at(c, s, at(t), &now, NULL) ? now.person : "-";
}

static const char people[] = "people:\n"
                             "  - {name: ann}\n  - {name: bob}\n  - {name: cao}\n  - {name: dai}\n  - {name: eve}\n";

static void test_daily_rotation_and_handoff(void)
{
    char y[2048];
    snprintf(y, sizeof y,
             "%sschedules:\n"
             "  - name: sec\n"
             "    timezone: '+08:00'\n"
             "    layers:\n"
             "      - {name: main, rotation: daily, start: 2026-11-23, handoff: '09:00', members: [ann, bob, cao]}\n",
             people);
    conf *c = load(y);
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK_STR(who(c, "sec", "2026-11-23T09:00:00+08:00"), "ann");
    CHECK_STR(who(c, "sec", "2026-11-24T08:59:59+08:00"), "ann");
    CHECK_STR(who(c, "sec", "2026-11-24T09:00:00+08:00"), "bob");
    CHECK_STR(who(c, "sec", "2026-11-25T12:00:00+08:00"), "cao");
    CHECK_STR(who(c, "sec", "2026-11-26T09:00:00+08:00"), "ann"); /* round again */
    CHECK_STR(who(c, "sec", "2026-11-23T08:00:00+08:00"), "cao"); /* before the anchor: counted back */
    CHECK_STR(who(c, "sec", "2026-11-24T01:00:00Z"), "bob");      /* 09:00 in +08:00 */
    /* the shift's end is the next handoff */
    oncall_shift now, next;
    CHECK(oncall_at(c, CONF_AT(c->schedules, conf_schedule, 0), at("2026-11-24T12:00:00+08:00"), &now, &next));
    CHECK_INT(now.end_ms, at("2026-11-25T09:00:00+08:00"));
    CHECK_STR(next.person, "cao");
    /* a week lists seven shifts, each a day */
    oncall_shifts sh = {0};
    oncall_schedule_shifts(c, CONF_AT(c->schedules, conf_schedule, 0), at("2026-11-23T09:00:00+08:00"),
                           at("2026-11-30T09:00:00+08:00"), &sh);
    CHECK_INT(sh.n, 7);
    for (size_t i = 0; i < sh.n; i++)
        CHECK_INT(sh.v[i].end_ms - sh.v[i].start_ms, 86400000);
    oncall_shifts_free(&sh);
    conf_free(c);
}

static void test_layers_restrictions_overrides_period(void)
{
    char y[4096];
    snprintf(y, sizeof y,
             "%speriod: {name: drill, start: '2026-12-01T00:00', end: '2026-12-03T00:00'}\n"
             "schedules:\n"
             "  - name: sec\n"
             "    timezone: '+08:00'\n"
             "    layers:\n"
             "      - {name: week, rotation: weekly, start: 2026-11-23, handoff: '09:00', members: [ann, bob]}\n"
             "      - {name: nights, rotation: custom, shift_length: 48h, start: 2026-11-23, handoff: '20:00',\n"
             "         members: [cao, dai], from: '20:00', to: '08:00', days: [mon, tue, wed, thu, fri]}\n"
             "      - {name: 重保, rotation: daily, start: 2026-11-30, members: [eve], period_only: true}\n"
             "    overrides:\n"
             "      - {person: dai, from: '2026-11-25T12:00', to: '2026-11-25T14:00', reason: ann at the dentist}\n"
             "  - name: nights_only\n"
             "    timezone: UTC\n"
             "    layers:\n"
             "      - {name: n, rotation: daily, members: [bob], from: '22:00', to: '06:00'}\n",
             people);
    conf *c = load(y);
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK_STR(who(c, "sec", "2026-11-24T10:00:00+08:00"), "ann");  /* the weekly layer by day */
    CHECK_STR(who(c, "sec", "2026-11-24T22:00:00+08:00"), "cao");  /* the night layer wins at night */
    CHECK_STR(who(c, "sec", "2026-11-25T07:59:00+08:00"), "cao");
    CHECK_STR(who(c, "sec", "2026-11-25T08:00:00+08:00"), "ann");
    CHECK_STR(who(c, "sec", "2026-11-25T21:00:00+08:00"), "dai");  /* the next 48 h night shift */
    CHECK_STR(who(c, "sec", "2026-11-28T22:00:00+08:00"), "ann");  /* Saturday: no night layer */
    CHECK_STR(who(c, "sec", "2026-11-30T10:00:00+08:00"), "bob");  /* the week turned over */
    CHECK_STR(who(c, "sec", "2026-11-25T13:00:00+08:00"), "dai");  /* the override */
    CHECK_STR(who(c, "sec", "2026-11-25T14:00:00+08:00"), "ann");
    /* the protection period's temporary schedule (period in local time: compare inside it) */
    int64_t mid = c->period.start_ms + 86400000;
    oncall_shift now;
    CHECK(oncall_at(c, CONF_AT(c->schedules, conf_schedule, 0), mid, &now, NULL));
    CHECK_STR(now.person, "eve");
    CHECK(oncall_at(c, CONF_AT(c->schedules, conf_schedule, 0), c->period.end_ms + 3600000, &now, NULL));
    CHECK(strcmp(now.person, "eve") != 0);
    /* a gap: nobody by day */
    CHECK_STR(who(c, "nights_only", "2026-11-24T12:00:00Z"), "-");
    CHECK_STR(who(c, "nights_only", "2026-11-24T23:00:00Z"), "bob");
    CHECK_STR(who(c, "nights_only", "2026-11-25T05:59:00Z"), "bob");
    conf_free(c);
}

static void test_config_errors(void)
{
    const char *y = "people:\n  - {name: ann}\n"
                    "schedules:\n"
                    "  - name: s\n"
                    "    layers:\n"
                    "      - {name: l, members: [ann, ghost], handoff: '25:00', days: [funday]}\n"
                    "      - {name: m, rotation: custom, members: [ann]}\n"
                    "      - {name: p, members: [ann], period_only: true}\n";
    conf *c = NULL;
    conf_errors errs = {0};
    CHECK(conf_load_buffer("t.yaml", y, strlen(y), &c, &errs) != KW_OK);
    kw_buf b;
    kw_buf_init(&b, 0);
    for (size_t i = 0; i < errs.n; i++)
        kw_buf_printf(&b, "%s\n", errs.v[i]);
    CHECK_CONTAINS(kw_buf_cstr(&b), "handoff: \"25:00\" is not HH:MM");
    CHECK_CONTAINS(kw_buf_cstr(&b), "days: \"funday\"");
    CHECK_CONTAINS(kw_buf_cstr(&b), "a custom rotation needs shift_length");
    CHECK_CONTAINS(kw_buf_cstr(&b), "\"ghost\" is not defined under people");
    CHECK_CONTAINS(kw_buf_cstr(&b), "period_only needs period");
    kw_buf_free(&b);
    conf_errors_free(&errs);
}

int main(void)
{
    RUN(test_daily_rotation_and_handoff);
    RUN(test_layers_restrictions_overrides_period);
    RUN(test_config_errors);
    TEST_MAIN_END();
}
