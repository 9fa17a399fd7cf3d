/* drill check: a check a drill holds down (drill_check_forced answers true, here the test's
 * own in place of the drill module's) is not run and fails with the drill's reason, through
 * the check module's thread and event like a real failure (check_up 0 with the reason as its
 * note, an ECS line); other checks run as they are, and once released it runs again. */
#include "kw_test.h"
#include "kw_test_conf.h"
#include "kw_test_rig.h"
#include "check/check.h"
#include "core/kw_time.h"
#include "daemon/kw_core.h"
#include "drill/drill.h"
#include "event/event.h"
#include "http/http.h"
#include "metric/metric.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static atomic_bool forced = true;
static atomic_int asked;

/* The drill module's answer, as a drill holding "web" down would give it. */
bool drill_check_forced(struct kw_core *core, const char *check, int64_t now_ms, char *why, size_t n)
{
    atomic_fetch_add(&asked, 1);
    if (!atomic_load(&forced) || strcmp(check, "web") != 0)
        return false;
    snprintf(why, n, "drill #12 (ddos): forced down");
    return true;
}

/* The next check_up of check from the queue (within ms): 1, 0, or -1 when none came; its note
 * into note. */
static int next_up(kwt_rig *r, const char *check, char *note, size_t n, int64_t ms)
{
    int64_t end = kw_mono_ms() + ms;
    while (kw_mono_ms() < end) {
        kw_event *ev = kw_queue_pop(&r->queue, 50);
        for (size_t i = 0; ev && ev->metrics && i < ev->metrics->n; i++) {
            const metric_sample *m = &ev->metrics->v[i];
            const char *c = metric_label(m, "check");
            if (strcmp(m->desc->name, "check_up") == 0 && c && strcmp(c, check) == 0) {
                snprintf(note, n, "%s", m->note ? m->note : "");
                int up = m->value > 0.5;
                kw_event_free(ev);
                return up;
            }
        }
        kw_event_free(ev);
    }
    return -1;
}

static void test_forced_check_fails_with_the_drills_reason(void)
{
    /* a port that accepts: the check would pass if it ran */
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    CHECK(l >= 0 && bind(l, (struct sockaddr *)&a, sizeof a) == 0 && listen(l, 16) == 0 &&
          getsockname(l, (struct sockaddr *)&a, &al) == 0);
    char yaml[512];
    snprintf(yaml, sizeof yaml,
             "checks:\n  - {name: web, type: tcp, host: 127.0.0.1, port: %d, interval: 1s, timeout: 1s}\n"
             "  - {name: api, type: tcp, host: 127.0.0.1, port: %d, interval: 1s, timeout: 1s}\n",
             ntohs(a.sin_port), ntohs(a.sin_port));
    conf *c = kwt_conf(yaml);
    CHECK(c != NULL);
    if (!c)
        return;
    kwt_rig r;
    kwt_rig_init(&r, 1024);
    void *st = NULL;
    CHECK_INT(check_module.start(&r.core, c, &st), KW_OK);
    char note[256] = "";
    CHECK_INT(next_up(&r, "web", note, sizeof note, 3000), 0);
    CHECK_STR(note, "drill #12 (ddos): forced down");
    CHECK_INT(next_up(&r, "api", note, sizeof note, 3000), 1); /* not the drill's: runs, passes */
    atomic_store(&forced, false);                             /* the drill is over */
    int up = -1;
    for (int i = 0; i < 3 && up != 1; i++)
        up = next_up(&r, "web", note, sizeof note, 1500);
    CHECK_INT(up, 1);
    CHECK(atomic_load(&asked) >= 3);
    check_module.stop(st, 1000);
    kwt_rig_free(&r);
    close(l);
    conf_free(c);
}

int main(void)
{
    RUN(test_forced_check_fails_with_the_drills_reason);
    TEST_MAIN_END();
}
