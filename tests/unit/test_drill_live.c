/* drill replay against the live sensor (as root, with ip and tcpreplay; skipped otherwise):
 * the net module started on a kw_core of the test's own (no net.interfaces) opens the drill's
 * capture on request; the built-in SYN flood replayed through the namespace and the veth pair
 * fires syn_flood on kwd<run>a, labelled with that interface (what marks it as the drill's),
 * and once the injection is stopped the flood is over, the capture, the pair and the
 * namespace gone. */
#include "kw_test.h"
#include "kw_test_conf.h"
#include "kw_test_rig.h"
#include "alert/alert.h"
#include "core/kw_time.h"
#include "daemon/kw_core.h"
#include "drill/drill_inject.h"
#include "event/event.h"
#include "http/http.h"
#include "net/net_live.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

/* What the queue brought: the alert changes of rule, and whether they carried the label. */
typedef struct seen_acts {
    int fire, resolve, other_rules;
    bool labelled;
} seen_acts;

static void take(kwt_rig *r, const char *rule, const char *label, seen_acts *s, int64_t wait_ms)
{
    int64_t end = kw_mono_ms() + wait_ms;
    while (kw_mono_ms() < end) {
        kw_event *ev = kw_queue_pop(&r->queue, 50);
        for (size_t i = 0; ev && ev->acts && i < ev->acts->n; i++) {
            const alert_act *a = &ev->acts->v[i];
            if (strcmp(a->rule, rule) != 0) {
                s->other_rules++;
                continue;
            }
            if (a->kind == ALERT_ACT_FIRE) {
                s->fire++;
                s->labelled = strstr(a->labels_json, label) != NULL;
            }
            s->resolve += a->kind == ALERT_ACT_RESOLVE;
        }
        kw_event_free(ev);
        if (s->fire && wait_ms > 0 && s->labelled)
            return;
    }
}

static bool can_replay(void)
{
    return geteuid() == 0 && system("command -v tcpreplay >/dev/null && ip netns list >/dev/null 2>&1") == 0;
}

static void test_flood_seen_by_the_live_sensor(void)
{
    if (!can_replay()) {
        fprintf(stderr, "  skipped: needs root, ip netns and tcpreplay\n");
        return;
    }
    conf *c = kwt_conf("{}\n");
    CHECK(c != NULL);
    if (!c)
        return;
    kwt_rig r;
    kwt_rig_init(&r, 4096);
    void *st = NULL;
    CHECK_INT(net_module.start(&r.core, c, &st), KW_OK);
    CHECK(r.core.drill.capture_open != NULL && r.core.drill.capture_arg == st);
    char work[64];
    snprintf(work, sizeof work, "/tmp/kwt-drill-live-XXXXXX");
    CHECK(mkdtemp(work) != NULL);
    drill_inject_env env = {.conf = c, .core = &r.core, .run_id = 990002, .scenario = "ddos", .work_dir = work};
    conf_drill_inject x = {.kind = DRILL_INJ_REPLAY, .replay = "syn_flood", .target = "192.0.2.10", .for_ms = 8000};
    drill_seen seen = {0};
    drill_inj *j = NULL;
    char err[256] = "";
    kw_rc rc = drill_inject_start(&env, &x, kw_now_ms(), &seen, &j, err, sizeof err);
    CHECK_INT(rc, KW_OK);
    if (rc == KW_OK) {
        CHECK_STR(seen.values[0], "kwd990002a");
        seen_acts s = {0};
        take(&r, "syn_flood", "\"interface\":\"kwd990002a\"", &s, 15000);
        CHECK_INT(s.fire, 1);
        CHECK(s.labelled);
        CHECK_INT(s.other_rules, 0); /* one attack, one alert */
        bool failed = false;
        CHECK(!drill_inject_done(j, kw_now_ms(), &failed, err, sizeof err) || !failed);
        drill_inject_stop(j); /* mid-replay or after it: all of it goes, and its attack ends */
        seen_acts e = {0};
        take(&r, "syn_flood", "", &e, 300);
        CHECK_INT(e.resolve, 1);
    } else {
        fprintf(stderr, "  %s\n", err);
    }
    CHECK(system("ip link show kwd990002a >/dev/null 2>&1") != 0);
    CHECK(system("ip netns list | grep -q '^keepwatch-drill-990002'") != 0);
    /* a second drill's capture closes as cleanly; an interface that is not there is an error */
    CHECK(r.core.drill.capture_open(st, "kwt-nonexist0", err, sizeof err) != KW_OK);
    CHECK(err[0] != 0);
    net_module.stop(st, 1000);
    CHECK(r.core.drill.capture_open == NULL);
    rmdir(work);
    kwt_rig_free(&r);
    conf_free(c);
}

int main(void)
{
    RUN(test_flood_seen_by_the_live_sensor);
    TEST_MAIN_END();
}
