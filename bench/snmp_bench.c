/* bench/snmp_bench.c: the snmp poller alone, on one thread: loads a keepwatch configuration,
 * polls every device of snmp.devices ROUNDS times as fast as they answer, and prints devices
 * polled per second, samples per poll and the failures (for bench/snmp.sh; built on request:
 * ninja snmp_bench). usage: snmp_bench CONFIG [ROUNDS] */
#include "conf/conf.h"
#include "core/kw_time.h"
#include "snmp/snmp_poll.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

typedef struct bench {
    size_t polls, answered, samples;
    const char *last_error;
} bench;

static void on_poll(void *arg, const conf_snmp_device *d, metric_set *set, bool answered, const char *error)
{
    bench *b = arg;
    b->polls++;
    b->answered += answered;
    b->samples += set->n;
    if (!answered && error) {
        b->last_error = error;
        fprintf(stderr, "snmp_bench: %s: %s\n", d->name, error);
    }
    if (getenv("SNMP_BENCH_DUMP")) {
        kw_buf out;
        kw_buf_init(&out, 0);
        metric_render_prom(&set, 1, &out);
        fputs(kw_buf_cstr(&out), stdout);
        kw_buf_free(&out);
    }
    metric_set_free(set);
}

static void on_trap(void *arg, const snmp_trap *t) {}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: snmp_bench CONFIG [ROUNDS]\n");
        return 2;
    }
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    conf *c = NULL;
    conf_errors errs = {0};
    if (conf_load(argv[1], &c, &errs) != KW_OK) {
        for (size_t i = 0; i < errs.n; i++)
            fprintf(stderr, "%s\n", errs.v[i]);
        return 2;
    }
    bench b = {0};
    char err[256];
    snmp_poller *p = snmp_poller_new(c, NULL, on_poll, on_trap, &b, err, sizeof err);
    if (!p) {
        fprintf(stderr, "snmp_bench: %s\n", err);
        return 1;
    }
    int64_t t0 = kw_mono_ms();
    for (int r = 0; r < rounds; r++) {
        snmp_poller_due_all(p);
        do
            snmp_poller_run(p, kw_mono_ms() + 50);
        while (snmp_poller_busy(p));
    }
    double secs = (double)(kw_mono_ms() - t0) / 1000.0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
                 (double)ru.ru_stime.tv_usec / 1e6;
    printf("polls %zu answered %zu in %.3f s: %.1f devices/s, %.0f samples per poll, poller CPU %.3f s\n", b.polls,
           b.answered, secs, secs > 0 ? (double)b.polls / secs : 0.0,
           b.polls ? (double)b.samples / (double)b.polls : 0.0, cpu);
    snmp_poller_free(p, NULL);
    conf_free(c);
    return b.answered == b.polls ? 0 : 1;
}
