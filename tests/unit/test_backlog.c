/* The core's backlog of alert changes while the store is away: order kept, bounded with the
 * oldest updates given up first, reasons owned, backoff doubling to 8 s. */
#include "daemon/daemon_backlog.h"
#include "core/kw_mem.h"
#include "kw_test.h"

#include <stdio.h>
#include <stdlib.h>

static void push(alert_acts *in, alert_act_kind kind, int i, const char *reason)
{
    char labels[32];
    snprintf(labels, sizeof labels, "{\"n\":\"%d\"}", i);
    alert_act *a = alert_acts_push(in, kind, "test", "r", kw_strdup(labels));
    a->alert_id = i;
    a->reason = reason;
}

static void test_order_and_reasons(void)
{
    act_backlog b = {0};
    alert_acts in = {0};
    char reason[16];
    snprintf(reason, sizeof reason, "cleared");
    push(&in, ALERT_ACT_FIRE, 1, NULL);
    push(&in, ALERT_ACT_RESOLVE, 2, reason);
    act_backlog_take(&b, &in);
    CHECK_INT(in.n, 0);
    snprintf(reason, sizeof reason, "changed"); /* the engine's string went: the backlog has its own */
    push(&in, ALERT_ACT_UPDATE, 3, NULL);
    act_backlog_take(&b, &in);
    CHECK_INT(b.acts.n, 3);
    CHECK_INT(b.acts.v[0].alert_id, 1);
    CHECK_STR(b.acts.v[1].reason, "cleared");
    CHECK_INT(b.acts.v[2].alert_id, 3);
    act_backlog_drop(&b, 1);
    CHECK_INT(b.acts.n, 2);
    CHECK_INT(b.acts.v[1].alert_id, 3);
    CHECK_INT((int64_t)b.dropped, 0);
    act_backlog_shift(&b, 1);
    CHECK_INT(b.acts.n, 1);
    CHECK_INT(b.acts.v[0].alert_id, 3);
    act_backlog_free(&b);
    alert_acts_free(&in);
}

static void test_bound_drops_updates_first(void)
{
    act_backlog b = {0};
    alert_acts in = {0};
    push(&in, ALERT_ACT_FIRE, 0, NULL);
    for (int i = 1; i < BACKLOG_MAX; i++)
        push(&in, i % 2 ? ALERT_ACT_UPDATE : ALERT_ACT_FIRE, i, NULL);
    act_backlog_take(&b, &in);
    CHECK_INT(b.acts.n, BACKLOG_MAX);
    push(&in, ALERT_ACT_RESOLVE, BACKLOG_MAX, "cleared");
    push(&in, ALERT_ACT_RESOLVE, BACKLOG_MAX + 1, "cleared");
    act_backlog_take(&b, &in);
    CHECK_INT(b.acts.n, BACKLOG_MAX);
    CHECK_INT((int64_t)b.dropped, 2);
    CHECK_INT(b.acts.v[0].alert_id, 0); /* the first change stays: the oldest updates went */
    CHECK_INT(b.acts.v[1].alert_id, 2);
    CHECK_INT(b.acts.v[2].alert_id, 4);
    CHECK_INT(b.acts.v[BACKLOG_MAX - 1].alert_id, BACKLOG_MAX + 1);
    act_backlog_free(&b);
}

static void test_backoff(void)
{
    act_backlog b = {0};
    int64_t want[] = {1000, 2000, 4000, 8000, 8000, 8000};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        act_backlog_wait(&b, 100000);
        CHECK_INT(b.retry_mono, 100000 + want[i]);
    }
    CHECK_INT(b.since_mono, 100000);
    act_backlog_free(&b);
}

int main(void)
{
    RUN(test_order_and_reasons);
    RUN(test_bound_drops_updates_first);
    RUN(test_backoff);
    TEST_MAIN_END();
}
