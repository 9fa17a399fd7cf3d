/* Benchmark of the store's alert writes (issue 14), on SQLite or PostgreSQL through the store
 * API, as the daemon's core thread makes them: a detector's alert changes (fire, an update
 * whose peak rose and so adds a history row, an update that does not, resolve) go through
 * store_alert_apply_all as the core's core_apply_acts hands them on (an update or resolve
 * finds its open alert by fingerprint in the same statement, as for the daemon's detector
 * acts; on PostgreSQL a transaction's changes are one statement per table), and a
 * transaction commits one event's changes (core_commit_acts). Also fills a store for the HTTP bench. Build: ninja -C BUILD store_bench.
 *
 *   store_bench write WHERE KEYDIR SECONDS BATCH...
 *       for each BATCH (changes per transaction; 1: one change per transaction) runs SECONDS
 *       and prints "write BATCH CHANGES SECONDS" (changes committed in that time)
 *   store_bench fill WHERE KEYDIR OPEN RESOLVED
 *       RESOLVED alerts each fired, updated twice and resolved, then OPEN alerts fired and
 *       left open (100 changes per transaction); prints "fill CHANGES SECONDS"
 *
 * WHERE is a SQLite file or a postgresql:// URL; KEYDIR holds the duty log's key files
 * (duty.key, duty_sign.key, duty_sign.pub, made on first use), as the daemon's state_dir. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert/alert.h"
#include "core/kw_buf.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "store/store.h"

#define SLOTS 200 /* alerts open at once while writing: a storm's worth */
#define FILL_BATCH 100

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Appends change `phase` (0 fire, 1 update with history, 2 update, 3 resolve) of the alert
 * for source address `key` (tag keeps runs apart) at at_ms, shaped as a logs detector's. */
static void push_change(alert_acts *acts, const char *tag, int64_t key, int phase, int64_t at_ms)
{
    static const alert_act_kind kinds[] = {ALERT_ACT_FIRE, ALERT_ACT_UPDATE, ALERT_ACT_UPDATE, ALERT_ACT_RESOLVE};
    char ip[32];
    snprintf(ip, sizeof ip, "10.%d.%d.%d", (int)(key >> 16 & 255), (int)(key >> 8 & 255), (int)(key & 255));
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_buf_printf(&b, "{\"bench\":\"%s\",\"source.ip\":\"%s\"}", tag, ip);
    alert_act *a = alert_acts_push(acts, kinds[phase], "logs", "ssh_fail", kw_buf_take(&b));
    int attempts = 1 + phase * 4;
    a->severity = KW_SEV_HIGH;
    kw_buf_printf(&b, "ssh_fail: %d failed SSH logins from %s", attempts, ip);
    a->summary = kw_buf_take(&b);
    a->value = a->peak = attempts;
    a->at_ms = at_ms;
    a->started_ms = at_ms - phase * 60000;
    a->history = phase == 1;
    a->reason = phase == 3 ? "over" : NULL;
    kw_buf_printf(&b,
                  "{\"event\":{\"kind\":\"alert\",\"action\":\"brute_force\",\"dataset\":\"openssh\",\"severity\":3},"
                  "\"rule\":{\"name\":\"ssh_fail\"},\"source\":{\"ip\":\"%s\"},\"user\":{\"name\":\"root\"},"
                  "\"threat\":{\"technique\":{\"id\":\"T1110\"}},\"keepwatch\":{\"count\":%d,\"input\":\"net\"}}",
                  ip, attempts);
    a->details_json = kw_buf_take(&b);
}

/* One transaction of acts, as core_handle and core_commit_acts make it. */
static kw_rc commit_acts(kw_store *s, alert_acts *acts)
{
    if (store_begin(s) != KW_OK)
        return KW_ERR_STORE;
    kw_rc *each = kw_calloc(acts->n ? acts->n : 1, sizeof *each);
    kw_rc rc = store_alert_apply_all(s, acts->v, acts->n, each);
    for (size_t i = 0; i < acts->n && rc == KW_OK; i++)
        rc = each[i];
    free(each);
    if (rc != KW_OK) {
        store_rollback(s);
        return KW_ERR_STORE;
    }
    rc = store_commit(s);
    if (rc != KW_OK)
        store_rollback(s);
    return rc;
}

static int fail(kw_store *s, const char *what)
{
    fprintf(stderr, "store_bench: %s: %s\n", what, store_errmsg(s));
    return 1;
}

/* Change n of a run: SLOTS alerts fire together, are updated twice, resolve, and the next
 * SLOTS fire, so SLOTS stay open as in a storm. */
static void push_nth(alert_acts *acts, const char *tag, int64_t n, int64_t t0_ms)
{
    int64_t round = n / SLOTS, slot = n % SLOTS;
    push_change(acts, tag, round / 4 * SLOTS + slot, (int)(round % 4), t0_ms + n);
}

/* Runs secs of transactions of batch changes; prints the changes committed. */
static int write_run(kw_store *s, int batch, double secs)
{
    char tag[32];
    snprintf(tag, sizeof tag, "write-%d-%lld", batch, (long long)kw_now_ms());
    int64_t t0_ms = kw_now_ms(), n = 0;
    double t0 = now_s(), t;
    do {
        alert_acts acts = {0};
        for (int i = 0; i < batch; i++)
            push_nth(&acts, tag, n + i, t0_ms);
        kw_rc rc = commit_acts(s, &acts);
        alert_acts_free(&acts);
        if (rc != KW_OK)
            return fail(s, "write");
        n += batch;
    } while ((t = now_s()) - t0 < secs);
    printf("write %d %lld %.3f\n", batch, (long long)n, t - t0);
    return 0;
}

/* Commits acts when they hold a transaction's worth (or at the end: force). */
static kw_rc fill_flush(kw_store *s, alert_acts *acts, bool force)
{
    if (!acts->n || (!force && acts->n < FILL_BATCH))
        return KW_OK;
    kw_rc rc = commit_acts(s, acts);
    alert_acts_free(acts);
    return rc;
}

/* resolved alerts through their whole life, oldest first a minute apart, then open ones. */
static int fill(kw_store *s, int64_t open, int64_t resolved)
{
    int64_t start = kw_now_ms() - (resolved + open + 1) * 60000, n = 0;
    double t0 = now_s();
    alert_acts acts = {0};
    kw_rc rc = KW_OK;
    for (int64_t k = 0; k < resolved && rc == KW_OK; k++)
        for (int phase = 0; phase < 4 && rc == KW_OK; phase++, n++) {
            push_change(&acts, "resolved", k, phase, start + k * 60000 + phase * 10000);
            rc = fill_flush(s, &acts, false);
        }
    for (int64_t k = 0; k < open && rc == KW_OK; k++, n++) {
        push_change(&acts, "open", k, 0, start + (resolved + k) * 60000);
        rc = fill_flush(s, &acts, false);
    }
    if (rc == KW_OK)
        rc = fill_flush(s, &acts, true);
    alert_acts_free(&acts);
    if (rc != KW_OK)
        return fail(s, "fill");
    printf("fill %lld %.3f\n", (long long)n, now_s() - t0);
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: store_bench write WHERE KEYDIR SECONDS BATCH...\n"
                    "       store_bench fill WHERE KEYDIR OPEN RESOLVED\n");
    return 2;
}

/* The duty log's keys in dir, as duty_configure puts them in the state directory. */
static void keys_in(const char *dir)
{
    char key[4096], sign[4096], pub[4096];
    snprintf(key, sizeof key, "%s/duty.key", dir);
    snprintf(sign, sizeof sign, "%s/duty_sign.key", dir);
    snprintf(pub, sizeof pub, "%s/duty_sign.pub", dir);
    store_duty_configure(key, sign, pub, 0);
}

static int run(kw_store *s, int argc, char **argv)
{
    if (strcmp(argv[1], "fill") == 0) {
        long long open = atoll(argv[4]), resolved = argc == 6 ? atoll(argv[5]) : -1;
        if (open < 0 || open > 10000000 || resolved < 0 || resolved > 10000000)
            return usage();
        return fill(s, open, resolved);
    }
    double secs = atof(argv[4]);
    if (secs <= 0 || secs > 60)
        return usage();
    for (int i = 5; i < argc; i++) {
        int batch = atoi(argv[i]);
        if (batch < 1 || batch > 100000)
            return usage();
        if (write_run(s, batch, secs) != 0)
            return 1;
        fflush(stdout);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 6 || (strcmp(argv[1], "write") != 0 && strcmp(argv[1], "fill") != 0))
        return usage();
    kw_log_init("store_bench", KW_LOG_WARN, false);
    keys_in(argv[3]);
    char err[512];
    kw_store *s = store_open(argv[2], false, err, sizeof err);
    if (!s) {
        fprintf(stderr, "store_bench: %s\n", err);
        return 1;
    }
    int rc = run(s, argc, argv);
    store_close(s);
    return rc;
}
