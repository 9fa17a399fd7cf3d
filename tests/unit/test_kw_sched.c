/* The scheduler (src/core/kw_sched.c): due rules (every, daily in a zone, given times), runs on
 * a module's thread one at a time, run-now, what the store says of the last run, cancelling,
 * and the listing. */
#include "core/kw_sched.h"
#include "core/kw_time.h"
#include "kw_test.h"

#include <stdatomic.h>
#include <unistd.h>

#define H (INT64_C(3600) * 1000)
#define DAY (24 * H)
/* 2026-12-01T00:00:00Z */
#define T0 INT64_C(1796083200000)

static void test_every(void)
{
    kw_sched_rule r = kw_sched_rule_none();
    r.every_ms = H;
    CHECK_INT(kw_sched_next_due(&r, 0, T0), T0);           /* never run: at once */
    CHECK_INT(kw_sched_next_due(&r, T0, T0 + 10), T0 + H); /* an hour after its start */
    CHECK_INT(kw_sched_next_due(&r, T0, T0 + H), T0 + H);
}

static void test_daily_zone(void)
{
    kw_sched_rule r = kw_sched_rule_none();
    r.daily_min = 8 * 60 + 30; /* 08:30 at +08:00 is 00:30Z */
    r.tz_min = 8 * 60;
    int64_t slot = T0 + 30 * 60000;
    CHECK_INT(kw_sched_next_due(&r, slot - DAY + 5, T0), slot);    /* ran yesterday: today 08:30 */
    CHECK_INT(kw_sched_next_due(&r, slot - DAY + 5, slot), slot);  /* due at the minute */
    CHECK_INT(kw_sched_next_due(&r, slot + 5, slot + 10), slot + DAY);
    /* missed (the daemon was down at 08:30): due at once when it comes back */
    CHECK_INT(kw_sched_next_due(&r, slot - DAY + 5, slot + 3 * H), slot + 3 * H);
    /* a zone west of UTC: 23:00 at -05:00 is 04:00Z the next day */
    r.daily_min = 23 * 60;
    r.tz_min = -5 * 60;
    CHECK_INT(kw_sched_next_due(&r, T0 - DAY + 4 * H + 1, T0), T0 + 4 * H);
}

static void test_at(void)
{
    kw_sched_rule r = kw_sched_rule_none();
    r.at_ms[0] = T0 + 2 * H;
    r.at_ms[1] = T0 + H;
    r.nat = 2;
    CHECK_INT(kw_sched_next_due(&r, 0, T0), T0 + H);
    CHECK_INT(kw_sched_next_due(&r, T0 + H, T0 + H + 1), T0 + 2 * H);
    CHECK_INT(kw_sched_next_due(&r, T0 + 2 * H, T0 + 3 * H), 0); /* every time passed: never again */
    kw_sched_rule none = kw_sched_rule_none();
    CHECK_INT(kw_sched_next_due(&none, 0, T0), 0);
}

typedef struct counter {
    atomic_int runs;
    atomic_int inside;      /* runs of this module at once */
    atomic_int most;
    int64_t due;
    bool asked;
    int sleep_ms;
    bool stopped;
} counter;

static bool count_run(void *arg, const kw_sched_run *run, char *result, size_t n)
{
    counter *c = arg;
    int in = atomic_fetch_add(&c->inside, 1) + 1;
    if (in > atomic_load(&c->most))
        atomic_store(&c->most, in);
    c->due = run->due_ms;
    c->asked = run->asked;
    for (int i = 0; i < c->sleep_ms / 5 && !*run->cancel; i++)
        usleep(5000);
    c->stopped = *run->cancel != 0;
    atomic_fetch_sub(&c->inside, 1);
    int k = atomic_fetch_add(&c->runs, 1) + 1;
    snprintf(result, n, "ok: run %d", k);
    return true;
}

/* Ticks until cond or 2 s. */
#define TICK_UNTIL(s, leading, cond)                                   \
    for (int kwt_i = 0; kwt_i < 400 && !(cond); kwt_i++) {             \
        kw_sched_tick((s), kw_now_ms(), (leading));                    \
        usleep(5000);                                                  \
    }

static void test_runs_one_at_a_time(void)
{
    kw_sched *s = kw_sched_new();
    counter a = {.sleep_ms = 50}, b = {.sleep_ms = 50};
    kw_sched_rule r = kw_sched_rule_none();
    r.every_ms = 3600 * 1000;
    CHECK_INT(kw_sched_add(s, "scan", "one", &r, count_run, &a), KW_OK);
    CHECK_INT(kw_sched_add(s, "scan", "two", &r, count_run, &a), KW_OK);
    CHECK_INT(kw_sched_add(s, "audit", "three", &r, count_run, &b), KW_OK);
    CHECK_INT(kw_sched_add(s, "", "x", &r, count_run, &b), KW_ERR_RANGE);
    kw_sched_tick(s, kw_now_ms(), false); /* not leading: nothing starts */
    CHECK(!kw_sched_busy(s, "scan"));
    TICK_UNTIL(s, true, atomic_load(&a.runs) == 2 && atomic_load(&b.runs) == 1);
    CHECK_INT(atomic_load(&a.runs), 2);
    CHECK_INT(atomic_load(&b.runs), 1);
    CHECK_INT(atomic_load(&a.most), 1); /* the module's two jobs never together */
    /* both ran once: not due for an hour */
    for (int i = 0; i < 10; i++)
        kw_sched_tick(s, kw_now_ms(), true), usleep(2000);
    CHECK_INT(atomic_load(&a.runs), 2);
    CHECK_INT(kw_sched_run_now(s, "scan", "two"), KW_OK);
    CHECK_INT(kw_sched_run_now(s, "scan", "nope"), KW_ERR_NOTFOUND);
    TICK_UNTIL(s, true, atomic_load(&a.runs) == 3);
    CHECK_INT(atomic_load(&a.runs), 3);
    CHECK(a.asked);
    TICK_UNTIL(s, true, !kw_sched_busy(s, "scan"));
    kw_sched_tick(s, kw_now_ms(), true);
    kw_buf out;
    kw_buf_init(&out, 1 << 16);
    kw_sched_json(s, "scan", &out);
    CHECK_CONTAINS(kw_buf_cstr(&out), "\"name\":\"two\"");
    CHECK_CONTAINS(kw_buf_cstr(&out), "\"rule\":\"every 3600s\"");
    CHECK_CONTAINS(kw_buf_cstr(&out), "\"result\":\"ok: run 3\"");
    CHECK(!strstr(kw_buf_cstr(&out), "three")); /* audit's job not in scan's listing */
    kw_buf_free(&out);
    kw_sched_free(s);
}

static void test_learnt_last_and_cancel(void)
{
    kw_sched *s = kw_sched_new();
    counter a = {.sleep_ms = 5000};
    kw_sched_rule r = kw_sched_rule_none();
    r.every_ms = 3600 * 1000;
    CHECK_INT(kw_sched_add(s, "report", "daily", &r, count_run, &a), KW_OK);
    /* the store says it ran a minute ago: not due */
    CHECK_INT(kw_sched_set_last(s, "report", "daily", kw_now_ms() - 60000, kw_now_ms() - 50000), KW_OK);
    CHECK_INT(kw_sched_set_last(s, "report", "weekly", 1, 1), KW_ERR_NOTFOUND);
    for (int i = 0; i < 5; i++)
        kw_sched_tick(s, kw_now_ms(), true);
    CHECK(!kw_sched_busy(s, "report"));
    kw_sched_run_now(s, "report", "daily");
    TICK_UNTIL(s, true, kw_sched_busy(s, "report"));
    CHECK(kw_sched_busy(s, "report"));
    int64_t t = kw_mono_ms();
    kw_sched_drop_module(s, "report"); /* the run is told to stop, and waited for */
    CHECK(kw_mono_ms() - t < 2000);
    CHECK(a.stopped);
    kw_buf out;
    kw_buf_init(&out, 1 << 16);
    kw_sched_json(s, NULL, &out);
    CHECK_STR(kw_buf_cstr(&out), "[]");
    kw_buf_free(&out);
    kw_sched_free(s);
}

static void test_daily_run_gets_its_slot(void)
{
    kw_sched *s = kw_sched_new();
    counter a = {0};
    int64_t now = kw_now_ms();
    kw_sched_rule r = kw_sched_rule_none();
    r.tz_min = 0;
    int64_t midnight = now / DAY * DAY;
    r.daily_min = (int32_t)((now - midnight) / 60000); /* this minute: its slot has just passed */
    CHECK_INT(kw_sched_add(s, "report", "daily", &r, count_run, &a), KW_OK);
    /* registered after this minute's slot: not due until tomorrow's, unless the store says
     * it last ran yesterday */
    for (int i = 0; i < 5; i++)
        kw_sched_tick(s, kw_now_ms(), true);
    int64_t slot = midnight + (int64_t)r.daily_min * 60000;
    if (kw_now_ms() - slot < 55000) { /* not at the minute's end (the slot would move) */
        CHECK_INT(atomic_load(&a.runs), 0);
        kw_sched_set_last(s, "report", "daily", slot - DAY + 1000, slot - DAY + 2000);
        TICK_UNTIL(s, true, atomic_load(&a.runs) == 1);
        CHECK_INT(atomic_load(&a.runs), 1);
        CHECK_INT(a.due, slot);
        CHECK(!a.asked);
    }
    kw_sched_free(s);
}

static void test_wait_last_and_lead_delay(void)
{
    kw_sched *s = kw_sched_new();
    counter a = {0};
    kw_sched_rule r = kw_sched_rule_none();
    r.every_ms = 3600 * 1000;
    r.wait_last = true;
    r.lead_delay_ms = 150;
    CHECK_INT(kw_sched_add(s, "scan", "lab", &r, count_run, &a), KW_OK);
    kw_sched_info info;
    CHECK_INT(kw_sched_info_get(s, "scan", "lab", &info), KW_OK);
    CHECK(!info.known);
    CHECK_INT(info.next_ms, 0);
    kw_sched_run_now(s, "scan", "lab"); /* not even on request before the store was read */
    for (int i = 0; i < 40; i++)
        kw_sched_tick(s, kw_now_ms(), true), usleep(5000);
    CHECK_INT(atomic_load(&a.runs), 0);
    /* the store: never ran. Due at once, but not within the lead's first 150 ms */
    kw_sched_tick(s, kw_now_ms(), false);
    kw_sched_set_last(s, "scan", "lab", 0, 0);
    int64_t led = kw_mono_ms();
    kw_sched_tick(s, kw_now_ms(), true);
    CHECK(!kw_sched_busy(s, "scan"));
    TICK_UNTIL(s, true, atomic_load(&a.runs) == 1);
    CHECK_INT(atomic_load(&a.runs), 1);
    CHECK(kw_mono_ms() - led >= 140);
    TICK_UNTIL(s, true, !kw_sched_busy(s, "scan"));
    CHECK_INT(kw_sched_info_get(s, "scan", "lab", &info), KW_OK);
    CHECK(info.known && info.last_start_ms > 0 && info.runs_ok == 1);
    CHECK(info.next_ms >= info.last_start_ms + 3600 * 1000);
    /* a time that passed before the job was registered: due once the store says it never ran */
    kw_sched_rule at = kw_sched_rule_none();
    at.at_ms[0] = kw_now_ms() - 3600 * 1000;
    at.nat = 1;
    at.wait_last = true;
    counter p = {0};
    CHECK_INT(kw_sched_add(s, "report", "period", &at, count_run, &p), KW_OK);
    for (int i = 0; i < 20; i++)
        kw_sched_tick(s, kw_now_ms(), true), usleep(2000);
    CHECK_INT(atomic_load(&p.runs), 0);
    kw_sched_set_last(s, "report", "period", 0, 0);
    TICK_UNTIL(s, true, atomic_load(&p.runs) == 1);
    CHECK_INT(atomic_load(&p.runs), 1);
    CHECK_INT(p.due, at.at_ms[0]);
    kw_sched_remove(s, "scan", "lab");
    CHECK_INT(kw_sched_info_get(s, "scan", "lab", &info), KW_ERR_NOTFOUND);
    kw_sched_free(s);
}

int main(void)
{
    RUN(test_every);
    RUN(test_daily_zone);
    RUN(test_at);
    RUN(test_runs_one_at_a_time);
    RUN(test_learnt_last_and_cancel);
    RUN(test_daily_run_gets_its_slot);
    RUN(test_wait_last_and_lead_delay);
    TEST_MAIN_END();
}
