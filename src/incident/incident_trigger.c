/* incident_trigger.c: the triggers compiled once, and a bounded memory per trigger of the
 * alerts its `after` condition saw (key and start), oldest dropped first, so that a sequence
 * (web_attack, then new_process on the same host) is recognised without reading the store. */
#include "incident/incident_trigger.h"
#include "core/kw_mem.h"
#include "incident/incident_conf.h"

#include <stdio.h>
#include <string.h>

typedef struct seen {
    char key[INCIDENT_KEY_MAX];
    int64_t started_ms;
} seen;

typedef struct trig {
    const conf_inc_trigger *conf;
    notify_match *match, *after;
    seen *ring;                 /* `after` alerts: INCIDENT_TRIG_MEMORY slots */
    size_t head, n;
} trig;

struct incident_trig {
    trig *v;
    size_t n;
};

incident_trig *incident_trig_new(const conf *c)
{
    incident_trig *t = kw_calloc(1, sizeof *t);
    t->n = c->incident.triggers.n;
    t->v = kw_calloc(t->n ? t->n : 1, sizeof *t->v);
    for (size_t i = 0; i < t->n; i++) {
        trig *g = &t->v[i];
        g->conf = CONF_AT(c->incident.triggers, conf_inc_trigger, i);
        g->match = notify_match_new(&g->conf->match);
        if (g->conf->after.n) {
            g->after = notify_match_new(&g->conf->after);
            g->ring = kw_calloc(INCIDENT_TRIG_MEMORY, sizeof *g->ring);
        }
    }
    return t;
}

void incident_trig_free(incident_trig *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        notify_match_free(t->v[i].match);
        notify_match_free(t->v[i].after);
        free(t->v[i].ring);
    }
    free(t->v);
    free(t);
}


/* The alert's value of one key field; the default key's fallbacks when none is configured. */
static const char *key_value(const notify_alert *a, const char *field, char *buf, size_t n)
{
    if (field)
        return notify_alert_field(a, field, buf, n);
    static const char *const fallbacks[] = {"asset", "destination.ip", "host.name", "host"};
    for (size_t i = 0; i < sizeof fallbacks / sizeof *fallbacks; i++) {
        const char *v = notify_alert_field(a, fallbacks[i], buf, n);
        if (v && *v)
            return v;
    }
    return NULL;
}

/* "playbook|drill|v1|v2...": a value's '|' and '\\' escaped so keys never collide. False when
 * it does not fit (an alert with absurdly long labels: no trigger takes it). */
static bool make_key(const conf_inc_trigger *tc, const notify_alert *a, bool drill, char *out, size_t n)
{
    int w = snprintf(out, n, "%s|%d", tc->playbook ? tc->playbook : "", drill ? 1 : 0);
    if (w < 0 || (size_t)w >= n)
        return false;
    size_t len = (size_t)w, nk = tc->key.n ? tc->key.n : 1;
    for (size_t i = 0; i < nk; i++) {
        char buf[64];
        const char *v = key_value(a, tc->key.n ? tc->key.v[i] : NULL, buf, sizeof buf);
        if (len + 1 >= n)
            return false;
        out[len++] = '|';
        for (const char *p = v ? v : ""; *p; p++) {
            if (len + 2 >= n)
                return false;
            if (*p == '|' || *p == '\\')
                out[len++] = '\\';
            out[len++] = *p;
        }
    }
    out[len] = '\0';
    return true;
}

/* Whether an `after` alert with key was seen in [started - within, started]. */
static bool ring_has(const trig *g, const char *key, int64_t started, int64_t within)
{
    for (size_t i = 0; i < g->n; i++) {
        const seen *s = &g->ring[(g->head + INCIDENT_TRIG_MEMORY - 1 - i) % INCIDENT_TRIG_MEMORY];
        if (s->started_ms <= started && started - s->started_ms <= within && strcmp(s->key, key) == 0)
            return true;
    }
    return false;
}

static void ring_put(trig *g, const char *key, int64_t started)
{
    seen *s = &g->ring[g->head];
    snprintf(s->key, sizeof s->key, "%s", key);
    s->started_ms = started;
    g->head = (g->head + 1) % INCIDENT_TRIG_MEMORY;
    if (g->n < INCIDENT_TRIG_MEMORY)
        g->n++;
}

bool incident_trig_offer(incident_trig *t, const notify_alert *a, incident_trig_hit *hit)
{
    bool drill = notify_alert_is_drill(a), taken = false;
    for (size_t i = 0; i < t->n; i++) {
        trig *g = &t->v[i];
        if (g->conf->drill_only && !drill)
            continue;
        char key[INCIDENT_KEY_MAX];
        if (!make_key(g->conf, a, drill, key, sizeof key))
            continue;
        /* the sequence is judged on what came before this alert, then the alert is remembered */
        if (!taken && notify_match_test(g->match, a) &&
            (!g->after || ring_has(g, key, a->started_ms, g->conf->within_ms))) {
            hit->trigger = g->conf;
            hit->playbook = g->conf->playbook;
            hit->grade = g->conf->grade;
            hit->drill = drill;
            memcpy(hit->key, key, sizeof key);
            taken = true;
        }
        if (g->after && notify_match_test(g->after, a))
            ring_put(g, key, a->started_ms);
    }
    return taken;
}
