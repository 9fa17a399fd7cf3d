/* snmp_state.c: what a device's readings mean over time: counter deltas (32-bit wraps,
 * resets) into rates, an uptime that went back (a reboot), an interface that went down after
 * having been up. One snmp_dev_state per device, owned by the poller thread; no I/O. */
#include "core/kw_mem.h"
#include "snmp/snmp.h"

#include <stdlib.h>

typedef struct snmp_counter_prev {
    uint64_t value;
    int64_t at_ms;
    uint64_t gen; /* the poll that last saw it */
} snmp_counter_prev;

void snmp_dev_state_init(snmp_dev_state *s)
{
    *s = (snmp_dev_state){0};
    kw_map_init(&s->counters);
    kw_map_init(&s->seen_up);
}

static void snmp_counters_free(kw_map *m)
{
    const char *k;
    void *v;
    for (size_t i = 0; kw_map_next(m, &i, &k, &v);)
        free(v);
    kw_map_free(m);
}

void snmp_dev_state_free(snmp_dev_state *s)
{
    snmp_counters_free(&s->counters);
    kw_map_free(&s->seen_up);
}

bool snmp_counter_delta(uint64_t prev, uint64_t cur, int bits, uint64_t *delta)
{
    if (cur >= prev) {
        *delta = cur - prev;
        return true;
    }
    if (bits == 32 && prev <= UINT32_MAX) {
        uint64_t through = (UINT64_C(1) << 32) - prev + cur;
        if (through < (UINT64_C(1) << 31)) { /* went round: less than half the range since */
            *delta = through;
            return true;
        }
    }
    return false; /* a 64-bit counter does not wrap in a device's life: reset */
}

bool snmp_uptime_went_back(uint64_t prev, uint64_t cur, int64_t elapsed_ms)
{
    if (cur >= prev)
        return false;
    if (prev > UINT32_MAX || elapsed_ms < 0)
        return true;
    /* a wrap of the 32-bit TimeTicks: cur is about where prev plus the time passed lands */
    uint64_t through = (UINT64_C(1) << 32) - prev + cur;
    uint64_t expect = (uint64_t)elapsed_ms / 10;
    uint64_t slack = expect / 2 + 6000; /* a minute, and half the interval */
    return !(through + slack >= expect && through <= expect + slack);
}

bool snmp_state_rate(snmp_dev_state *s, const char *key, uint64_t cur, int bits, int64_t now_ms, double *rate)
{
    snmp_counter_prev *p = kw_map_get(&s->counters, key);
    if (!p) {
        p = kw_calloc(1, sizeof *p);
        kw_map_put(&s->counters, key, p);
        *p = (snmp_counter_prev){cur, now_ms, s->gen};
        return false;
    }
    p->gen = s->gen;
    uint64_t delta;
    bool ok = now_ms > p->at_ms && snmp_counter_delta(p->value, cur, bits, &delta);
    if (ok)
        *rate = (double)delta * 1000.0 / (double)(now_ms - p->at_ms);
    if (ok || now_ms > p->at_ms)
        *p = (snmp_counter_prev){cur, now_ms, s->gen};
    return ok;
}

bool snmp_state_uptime(snmp_dev_state *s, uint64_t ticks, int64_t now_ms)
{
    bool back = s->have_uptime && snmp_uptime_went_back(s->uptime_ticks, ticks, now_ms - s->uptime_at_ms);
    if (back) { /* the counters started again from 0: no delta across the reboot */
        snmp_counters_free(&s->counters);
        kw_map_init(&s->counters);
    }
    s->have_uptime = true;
    s->uptime_ticks = ticks;
    s->uptime_at_ms = now_ms;
    return back;
}

bool snmp_state_if_down(snmp_dev_state *s, const char *key, bool oper_up, bool admin_up)
{
    if (!admin_up) { /* set down on purpose: forget it was up */
        kw_map_del(&s->seen_up, key);
        return false;
    }
    void *stamp = (void *)(uintptr_t)(s->gen + 1); /* never NULL */
    if (oper_up) {
        kw_map_put(&s->seen_up, key, stamp);
        return false;
    }
    if (!kw_map_get(&s->seen_up, key))
        return false;
    kw_map_put(&s->seen_up, key, stamp);
    return true;
}

void snmp_state_sweep(snmp_dev_state *s)
{
    const char *k;
    void *v;
    for (size_t i = 0; kw_map_next(&s->counters, &i, &k, &v);)
        if (((snmp_counter_prev *)v)->gen != s->gen) {
            char *key = kw_strdup(k); /* the map frees its copy of the key */
            free(kw_map_del(&s->counters, key));
            free(key);
        }
    for (size_t i = 0; kw_map_next(&s->seen_up, &i, &k, &v);)
        if ((uintptr_t)v != s->gen + 1) {
            char *key = kw_strdup(k);
            kw_map_del(&s->seen_up, key);
            free(key);
        }
    s->gen++;
}
