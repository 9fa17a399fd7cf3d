/* The notification engine: routing, grouping, silences, inhibition and escalation, over the
 * store and a clock the caller passes (tests drive it with any time they like).
 *
 * A tick, in one transaction:
 *  1. takes in the alert history after the cursor: a fired or reopened alert is routed (the
 *     first matching route, and later ones while a route says continue) into the open group
 *     of its route and group_by values; acknowledgements and resolutions are marked on the
 *     group members;
 *  2. flushes the groups whose wait is over: one message per channel for what changed (new
 *     alerts to the current level and the informed departments, acknowledgements and
 *     resolutions to whoever was told); silenced or inhibited alerts are held back and
 *     looked at again later;
 *  3. escalates the groups whose current level has waited escalate_after with alerts nobody
 *     acknowledged: the next level is told, and after the last one the levels run again
 *     `repeat` times. Each escalation goes to the duty log.
 * Messages go to the outbox in the same transaction as the cursor: a crash replays the tick
 * whole or not at all. */
#include "notify/notify.h"
#include "notify/notify_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "oncall/oncall.h"
#include "store/store_notify.h"

#define HISTORY_BATCH 5000     /* history rows per tick */
#define MSG_ALERTS_MAX 20      /* alerts listed in one message; the rest are counted */
#define ANNOUNCE_AFTER_MS 5000 /* acknowledgements and resolutions go out this soon after a group's last message */
#define HOLD_RECHECK_MS 15000  /* silenced or inhibited alerts are looked at again this often */

typedef struct nroute {
    const conf_route *cf;
    notify_match *m;
    int64_t wait_ms, interval_ms;
} nroute;

typedef struct nsilence {
    const conf_silence *cf;
    notify_match *m;
} nsilence;

typedef struct ninhibit {
    const conf_inhibit *cf;
    notify_match *src, *dst;
} ninhibit;

struct notify_engine {
    const conf *c;
    nroute *routes;
    size_t nroutes;
    nsilence *sil;
    size_t nsil;
    ninhibit *inh;
    size_t ninh;
    notify_stats stats;
    /* per tick */
    notify_match **rt_sil;     /* silences from the store (keepwatch silence add) */
    char **rt_sil_id;
    size_t nrt_sil;
    notify_alert *open;        /* open alerts, loaded once per tick when an inhibition needs them */
    size_t nopen, capopen;
    bool open_loaded;
};

notify_engine *notify_engine_new(const conf *c)
{
    notify_engine *e = kw_calloc(1, sizeof *e);
    e->c = c;
    e->nroutes = c->notify.routes.n;
    e->routes = kw_calloc(e->nroutes ? e->nroutes : 1, sizeof *e->routes);
    for (size_t i = 0; i < e->nroutes; i++) {
        const conf_route *r = CONF_AT(c->notify.routes, conf_route, i);
        e->routes[i].cf = r;
        e->routes[i].m = notify_match_new(&r->match);
        e->routes[i].wait_ms = r->group_wait_ms >= 0 ? r->group_wait_ms : c->notify.group_wait_ms;
        e->routes[i].interval_ms = r->group_interval_ms >= 0 ? r->group_interval_ms : c->notify.group_interval_ms;
    }
    e->nsil = c->notify.silences.n;
    e->sil = kw_calloc(e->nsil ? e->nsil : 1, sizeof *e->sil);
    for (size_t i = 0; i < e->nsil; i++) {
        e->sil[i].cf = CONF_AT(c->notify.silences, conf_silence, i);
        e->sil[i].m = notify_match_new(&e->sil[i].cf->match);
    }
    e->ninh = c->notify.inhibit.n;
    e->inh = kw_calloc(e->ninh ? e->ninh : 1, sizeof *e->inh);
    for (size_t i = 0; i < e->ninh; i++) {
        e->inh[i].cf = CONF_AT(c->notify.inhibit, conf_inhibit, i);
        e->inh[i].src = notify_match_new(&e->inh[i].cf->source);
        e->inh[i].dst = notify_match_new(&e->inh[i].cf->target);
    }
    return e;
}

static void tick_reset(notify_engine *e)
{
    for (size_t i = 0; i < e->nrt_sil; i++) {
        notify_match_free(e->rt_sil[i]);
        free(e->rt_sil_id[i]);
    }
    free(e->rt_sil);
    free(e->rt_sil_id);
    e->rt_sil = NULL;
    e->rt_sil_id = NULL;
    e->nrt_sil = 0;
    for (size_t i = 0; i < e->nopen; i++)
        notify_alert_fini(&e->open[i]);
    free(e->open);
    e->open = NULL;
    e->nopen = e->capopen = 0;
    e->open_loaded = false;
}

void notify_engine_free(notify_engine *e)
{
    if (!e)
        return;
    tick_reset(e);
    for (size_t i = 0; i < e->nroutes; i++)
        notify_match_free(e->routes[i].m);
    for (size_t i = 0; i < e->nsil; i++)
        notify_match_free(e->sil[i].m);
    for (size_t i = 0; i < e->ninh; i++) {
        notify_match_free(e->inh[i].src);
        notify_match_free(e->inh[i].dst);
    }
    free(e->routes);
    free(e->sil);
    free(e->inh);
    free(e);
}

const notify_stats *notify_engine_stats(const notify_engine *e) { return &e->stats; }

static const conf_policy *policy_find(const conf *c, const char *name)
{
    for (size_t i = 0; i < c->notify.policies.n; i++) {
        const conf_policy *p = CONF_AT(c->notify.policies, conf_policy, i);
        if (strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

static const conf_channel *channel_find(const conf *c, const char *name)
{
    for (size_t i = 0; i < c->notify.channels.n; i++) {
        const conf_channel *ch = CONF_AT(c->notify.channels, conf_channel, i);
        if (strcmp(ch->name, name) == 0)
            return ch;
    }
    return NULL;
}

/* ---- silences and inhibitions ---- */

static void add_runtime_silence(void *arg, const store_silence *sv)
{
    notify_engine *e = arg;
    json_t *j = json_loads(sv->matchers_json, 0, NULL);
    if (!json_is_object(j) || !json_object_size(j)) {
        json_decref(j);
        return;
    }
    conf_match m = {kw_calloc(json_object_size(j), sizeof(conf_cond)), 0};
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v)
    {
        conf_cond *cc = &m.v[m.n++];
        cc->key = (char *)k;
        cc->values.v = kw_calloc(1, sizeof(char *));
        cc->values.v[0] = (char *)(json_is_string(v) ? json_string_value(v) : "");
        cc->values.n = 1;
    }
    e->rt_sil = kw_realloc(e->rt_sil, (e->nrt_sil + 1) * sizeof *e->rt_sil);
    e->rt_sil_id = kw_realloc(e->rt_sil_id, (e->nrt_sil + 1) * sizeof *e->rt_sil_id);
    e->rt_sil[e->nrt_sil] = notify_match_new(&m);
    char id[32];
    snprintf(id, sizeof id, "silence %lld", (long long)sv->id);
    e->rt_sil_id[e->nrt_sil++] = kw_strdup(id);
    for (size_t i = 0; i < m.n; i++)
        free(m.v[i].values.v);
    free(m.v);
    json_decref(j);
}

/* Loads the store's silences in force at now. */
static void load_runtime_silences(notify_engine *e, kw_store *s, int64_t now)
{
    store_silence_each(s, STORE_SIL_IN_FORCE, now, add_runtime_silence, e);
}

static void add_open(void *arg, const store_alert_view *v)
{
    notify_engine *e = arg;
    if (e->nopen == e->capopen) {
        e->capopen = e->capopen ? e->capopen * 2 : 64;
        e->open = kw_realloc(e->open, e->capopen * sizeof *e->open);
    }
    notify_alert_init(&e->open[e->nopen++], e->c, v->id, v->rule, v->state, v->summary, v->severity, v->started_ms,
                      v->labels_json);
}

static void load_open(notify_engine *e, kw_store *s)
{
    e->open_loaded = true;
    store_alert_each_open_view(s, add_open, e);
}

/* Why an alert must not be told now ("silence NAME", "inhibited by alert N"), or NULL. */
static const char *held_by(notify_engine *e, kw_store *s, const notify_alert *a, int64_t now, char *buf, size_t n)
{
    for (size_t i = 0; i < e->nsil; i++)
        if (notify_silence_active(e->sil[i].cf, now) && notify_match_test(e->sil[i].m, a)) {
            snprintf(buf, n, "silence %s", e->sil[i].cf->name);
            return buf;
        }
    for (size_t i = 0; i < e->nrt_sil; i++)
        if (notify_match_test(e->rt_sil[i], a))
            return e->rt_sil_id[i];
    for (size_t i = 0; i < e->ninh; i++) {
        const ninhibit *in = &e->inh[i];
        if (!notify_match_test(in->dst, a))
            continue;
        if (!e->open_loaded)
            load_open(e, s);
        for (size_t k = 0; k < e->nopen; k++) {
            const notify_alert *src = &e->open[k];
            if (src->id == a->id || !notify_match_test(in->src, src))
                continue;
            bool same = true;
            char b1[64], b2[64];
            for (size_t q = 0; q < in->cf->equal.n && same; q++) {
                const char *x = notify_alert_field(a, in->cf->equal.v[q], b1, sizeof b1);
                const char *y = notify_alert_field(src, in->cf->equal.v[q], b2, sizeof b2);
                same = x && y && strcmp(x, y) == 0;
            }
            if (same) {
                snprintf(buf, n, "inhibited by alert %lld", (long long)src->id);
                return buf;
            }
        }
    }
    return NULL;
}

/* ---- people ---- */

typedef struct people {
    const conf_person **v;
    size_t n;
} people;

static void people_add(people *p, const conf_person *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < p->n; i++)
        if (p->v[i] == x)
            return;
    p->v = kw_realloc(p->v, (p->n + 1) * sizeof *p->v);
    p->v[p->n++] = x;
}

/* Who a level's notify: entries name at now. */
static void level_people(const conf *c, const conf_esc_level *lv, int64_t now, people *out)
{
    for (size_t i = 0; i < lv->notify.n; i++) {
        const char *t = lv->notify.v[i], *what = strchr(t, ':');
        if (!what)
            continue;
        what++;
        if (strncmp(t, "schedule:", 9) == 0) {
            for (size_t k = 0; k < c->schedules.n; k++) {
                const conf_schedule *sc = CONF_AT(c->schedules, conf_schedule, k);
                oncall_shift cur, next;
                if (strcmp(sc->name, what) == 0 && oncall_at(c, sc, now, &cur, &next))
                    people_add(out, conf_person_find(c, cur.person));
            }
        } else if (strncmp(t, "person:", 7) == 0) {
            people_add(out, conf_person_find(c, what));
        } else if (strncmp(t, "head:", 5) == 0) {
            const conf_department *d = conf_department_find(c, what);
            if (d && d->head)
                people_add(out, conf_person_find(c, d->head));
        } else if (strncmp(t, "role:", 5) == 0) {
            for (size_t k = 0; k < c->people.n; k++) {
                const conf_person *p = CONF_AT(c->people, conf_person, k);
                for (size_t r = 0; r < p->roles.n; r++)
                    if (strcmp(p->roles.v[r], what) == 0)
                        people_add(out, p);
            }
        }
    }
}

/* ---- the outbox ---- */

void notify_json_person(json_t *arr, const conf_person *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(p->name));
#define PUT(f)                                                                                                         \
    if (p->f)                                                                                                          \
        json_object_set_new(o, #f, json_string(p->f));
    PUT(display)
    PUT(phone)
    PUT(email)
    PUT(dingtalk)
    PUT(wecom)
    PUT(feishu)
    PUT(slack)
#undef PUT
    json_array_append_new(arr, o);
}

static kw_rc outbox_put(notify_engine *e, kw_store *s, const conf_channel *ch, const notify_msg *m, int64_t group_id)
{
    kw_buf title, text;
    kw_buf_init(&title, 0);
    kw_buf_init(&text, 0);
    notify_render(e->c, ch, m, &title, &text);
    json_t *msg = json_object(), *alerts = json_array(), *ppl = json_array();
    json_object_set_new(msg, "kind", json_string(notify_kind_name(m->kind)));
    json_object_set_new(msg, "title", json_string(kw_buf_cstr(&title)));
    json_object_set_new(msg, "text", json_string(kw_buf_cstr(&text)));
    if (m->policy)
        json_object_set_new(msg, "policy", json_string(m->policy));
    json_object_set_new(msg, "level", json_integer(m->level));
    kw_buf ids;
    kw_buf_init(&ids, 0);
    for (size_t i = 0; i < m->nalerts; i++) {
        const notify_alert *a = m->alerts[i];
        char nb[64];
        const char *asset = notify_alert_field(a, "asset", nb, sizeof nb);
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:O}", "id", (json_int_t)a->id, "rule", a->rule,
                              "severity", kw_severity_name(a->severity), "state", a->state, "summary", a->summary,
                              "started_ms", (json_int_t)a->started_ms, "labels", a->labels);
        if (o && asset)
            json_object_set_new(o, "asset", json_string(asset));
        if (o)
            json_array_append_new(alerts, o);
        kw_buf_printf(&ids, "%s%lld", i ? "," : "", (long long)a->id);
    }
    json_object_set_new(msg, "alerts", alerts);
    json_object_set_new(msg, "more", json_integer((json_int_t)m->nmore));
    kw_buf names;
    kw_buf_init(&names, 0);
    for (size_t i = 0; i < m->npeople; i++) {
        notify_json_person(ppl, m->people[i]);
        kw_buf_printf(&names, "%s%s", i ? ", " : "", m->people[i]->display ? m->people[i]->display : m->people[i]->name);
    }
    json_object_set_new(msg, "people", ppl);
    char *js = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    kw_rc rc = KW_ERR_STORE;
    if (js) {
        store_outbox_msg o = {.created_ms = m->now_ms, .next_ms = m->now_ms, .channel = ch->name,
                              .kind = notify_kind_name(m->kind), .group_id = group_id,
                              .alert_id = m->nalerts ? m->alerts[0]->id : 0, .alerts = kw_buf_cstr(&ids),
                              .people = kw_buf_cstr(&names), .message = js};
        rc = store_outbox_add(s, &o, NULL);
    }
    if (rc == KW_OK)
        e->stats.messages++;
    free(js);
    kw_buf_free(&ids);
    kw_buf_free(&names);
    kw_buf_free(&title);
    kw_buf_free(&text);
    return rc;
}

/* ---- groups ---- */

typedef struct member {
    notify_alert a;
    char state[16], pending[16];
    bool notified;
    char *held;
} member;

typedef struct group {
    int64_t id;
    char *policy;
    int64_t flush_ms, escalate_ms;
    int level, round;
    member *m;
    size_t n;
} group;

static void group_free(group *g)
{
    for (size_t i = 0; i < g->n; i++) {
        notify_alert_fini(&g->m[i].a);
        free(g->m[i].held);
    }
    free(g->m);
    free(g->policy);
}

static void add_member(void *arg, const store_notify_member *sm)
{
    void **a = arg;
    notify_engine *e = a[0];
    group *g = a[1];
    size_t *cap = a[2];
    if (g->n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        g->m = kw_realloc(g->m, *cap * sizeof *g->m);
    }
    member *m = &g->m[g->n++];
    memset(m, 0, sizeof *m);
    snprintf(m->state, sizeof m->state, "%s", sm->state);
    snprintf(m->pending, sizeof m->pending, "%s", sm->pending ? sm->pending : "");
    m->notified = sm->notified;
    notify_alert_init(&m->a, e->c, sm->alert_id, sm->rule, m->state, sm->summary, sm->severity, sm->started_ms,
                      sm->labels_json);
}

static bool group_load(notify_engine *e, kw_store *s, int64_t id, group *g)
{
    memset(g, 0, sizeof *g);
    store_notify_group row;
    if (store_notify_group_get(s, id, &row) != KW_OK)
        return false;
    g->id = id;
    g->policy = row.policy;
    g->flush_ms = row.flush_ms;
    g->escalate_ms = row.escalate_ms;
    g->level = row.level;
    g->round = row.round;
    size_t cap = 0;
    void *arg[3] = {e, g, &cap};
    return store_notify_members_each(s, id, add_member, arg) == KW_OK;
}

static kw_rc member_set(kw_store *s, int64_t gid, int64_t aid, const char *pending, int notified, const char *held)
{
    return store_notify_member_set(s, gid, aid, pending, notified != 0, held);
}

/* Sends one message about alerts `list` to the given channels (each once). */
static kw_rc send_to(notify_engine *e, kw_store *s, const group *g, notify_kind kind, const member *const *list,
                     size_t n, conf_strs *const *chan_sets, size_t nsets, const people *ppl, int level, int64_t now)
{
    if (!n)
        return KW_OK;
    const notify_alert *alerts[MSG_ALERTS_MAX];
    size_t k = n < MSG_ALERTS_MAX ? n : MSG_ALERTS_MAX;
    for (size_t i = 0; i < k; i++)
        alerts[i] = &list[i]->a;
    notify_msg m = {.kind = kind, .policy = g->policy, .level = level, .round = g->round, .alerts = alerts,
                    .nalerts = k, .nmore = n - k, .people = ppl ? ppl->v : NULL, .npeople = ppl ? ppl->n : 0,
                    .period = e->c->period.name, .console_url = e->c->notify.console_url, .now_ms = now};
    const char *done[64];
    size_t ndone = 0;
    for (size_t q = 0; q < nsets; q++)
        for (size_t i = 0; chan_sets[q] && i < chan_sets[q]->n; i++) {
            const char *name = chan_sets[q]->v[i];
            bool seen = false;
            for (size_t d = 0; d < ndone; d++)
                seen |= strcmp(done[d], name) == 0;
            const conf_channel *ch = channel_find(e->c, name);
            if (seen || !ch)
                continue;
            if (ndone < 64)
                done[ndone++] = name;
            kw_rc rc = outbox_put(e, s, ch, &m, g->id);
            if (rc != KW_OK)
                return rc;
        }
    return KW_OK;
}

static int64_t route_interval(notify_engine *e, const char *policy)
{
    for (size_t i = 0; i < e->nroutes; i++)
        if (strcmp(e->routes[i].cf->policy, policy) == 0)
            return e->routes[i].interval_ms;
    return e->c->notify.group_interval_ms;
}

static kw_rc group_process(notify_engine *e, kw_store *s, int64_t gid, int64_t now)
{
    group g;
    if (!group_load(e, s, gid, &g))
        return KW_ERR_STORE;
    kw_rc rc = KW_OK;
    const conf_policy *p = policy_find(e->c, g.policy);
    int64_t flush = g.flush_ms, esc = g.escalate_ms;
    size_t nlevels = p ? p->levels.n : 0;
    const member **fired = kw_calloc(g.n + 1, sizeof *fired), **acked = kw_calloc(g.n + 1, sizeof *acked),
                 **resolved = kw_calloc(g.n + 1, sizeof *resolved), **unacked = kw_calloc(g.n + 1, sizeof *unacked);
    size_t nf = 0, na = 0, nr = 0, nu = 0;
    bool held_any = false;
    people ppl = {0};
    if (!p) { /* the policy is gone from the configuration: the group ends untold */
        store_notify_group_close(s, gid);
        goto out;
    }
    if (flush && flush <= now) {
        for (size_t i = 0; i < g.n && rc == KW_OK; i++) {
            member *m = &g.m[i];
            char why[96];
            if (strcmp(m->pending, "fired") == 0 && strcmp(m->state, "firing") == 0) {
                const char *h = held_by(e, s, &m->a, now, why, sizeof why);
                if (h) {
                    held_any = true;
                    if (!m->held || strcmp(m->held, h) != 0) {
                        rc = member_set(s, gid, m->a.id, "fired", m->notified, h);
                        if (strncmp(h, "inhibited", 9) == 0)
                            e->stats.inhibited++;
                        else
                            e->stats.silenced++;
                    }
                    continue;
                }
                fired[nf++] = m;
                rc = member_set(s, gid, m->a.id, NULL, 1, NULL);
            } else if (strcmp(m->pending, "acked") == 0) {
                acked[na++] = m;
                rc = member_set(s, gid, m->a.id, NULL, m->notified, NULL);
            } else if (strcmp(m->pending, "resolved") == 0) {
                resolved[nr++] = m;
                rc = member_set(s, gid, m->a.id, NULL, m->notified, NULL);
            } else if (m->pending[0]) {
                rc = member_set(s, gid, m->a.id, NULL, m->notified, NULL); /* acked or resolved before told */
            }
        }
        if (rc != KW_OK)
            goto out;
        conf_strs *sets[2] = {NULL, NULL};
        if (nf) {
            bool first = g.level == 0;
            if (first) {
                g.level = nlevels ? 1 : 0;
                if (nlevels)
                    esc = now + CONF_AT(p->levels, conf_esc_level, 0)->escalate_after_ms;
            }
            const conf_esc_level *lv = g.level ? CONF_AT(p->levels, conf_esc_level, g.level - 1) : NULL;
            if (lv)
                level_people(e->c, lv, now, &ppl);
            sets[0] = lv ? (conf_strs *)&lv->channels : NULL;
            sets[1] = (conf_strs *)&p->inform;
            rc = send_to(e, s, &g, NMSG_FIRING, fired, nf, sets, 2, &ppl, g.level, now);
            if (!esc && g.level && nlevels) /* new alerts in a group whose escalation had ended */
                esc = now + CONF_AT(p->levels, conf_esc_level, g.level - 1)->escalate_after_ms;
        }
        /* acknowledgements and resolutions: to the levels told so far, and their people (mail needs
           them; chats do not @ them again), resolutions to the informed too */
        conf_strs **told = kw_calloc(nlevels + 2, sizeof *told);
        size_t nt = 0;
        people was = {0};
        for (int l = 0; l < g.level && (size_t)l < nlevels; l++) {
            told[nt++] = (conf_strs *)&CONF_AT(p->levels, conf_esc_level, l)->channels;
            if (na || nr)
                level_people(e->c, CONF_AT(p->levels, conf_esc_level, l), now, &was);
        }
        if (rc == KW_OK && na && p->announce_ack)
            rc = send_to(e, s, &g, NMSG_ACKED, acked, na, told, nt, &was, g.level, now);
        told[nt++] = (conf_strs *)&p->inform;
        if (rc == KW_OK && nr && p->announce_resolved)
            rc = send_to(e, s, &g, NMSG_RESOLVED, resolved, nr, told, nt, &was, g.level, now);
        free(was.v);
        free(told);
        flush = held_any ? now + HOLD_RECHECK_MS : 0;
    }
    if (rc == KW_OK && esc && esc <= now) {
        for (size_t i = 0; i < g.n; i++)
            if (strcmp(g.m[i].state, "firing") == 0 && g.m[i].notified)
                unacked[nu++] = &g.m[i];
        int next = g.level + 1;
        if (!nu || !nlevels) {
            esc = 0;
        } else if ((size_t)next > nlevels && g.round >= p->repeat) {
            esc = 0; /* every level told, every repeat done */
        } else {
            notify_kind kind = NMSG_ESCALATED;
            if ((size_t)next > nlevels) {
                next = 1;
                g.round++;
                kind = NMSG_REPEAT;
            }
            g.level = next;
            const conf_esc_level *lv = CONF_AT(p->levels, conf_esc_level, next - 1);
            ppl.n = 0;
            level_people(e->c, lv, now, &ppl);
            conf_strs *sets[1] = {(conf_strs *)&lv->channels};
            rc = send_to(e, s, &g, kind, unacked, nu, sets, 1, &ppl, next, now);
            esc = now + lv->escalate_after_ms;
            e->stats.escalations++;
            kw_buf t;
            kw_buf_init(&t, 0);
            kw_buf_printf(&t, "%s to level %d of policy %s (round %d): ", kind == NMSG_REPEAT ? "repeated" : "escalated",
                          next, p->name, g.round + 1);
            for (size_t i = 0; i < ppl.n; i++)
                kw_buf_printf(&t, "%s%s", i ? ", " : "", ppl.v[i]->display ? ppl.v[i]->display : ppl.v[i]->name);
            if (!ppl.n)
                kw_buf_puts(&t, "(nobody on duty)");
            kw_buf_printf(&t, "; %zu alert%s unacknowledged:", nu, nu == 1 ? "" : "s");
            for (size_t i = 0; i < nu && i < 50; i++)
                kw_buf_printf(&t, " %lld", (long long)unacked[i]->a.id);
            if (rc == KW_OK)
                rc = store_duty_append(s, now, "alert.escalated", "keepwatch", unacked[0]->a.id, kw_buf_cstr(&t));
            kw_buf_free(&t);
        }
    }
    if (rc != KW_OK)
        goto out;
    /* a group whose alerts are all resolved, with nothing left to tell, ends */
    bool open = false;
    for (size_t i = 0; i < g.n; i++)
        open |= strcmp(g.m[i].state, "resolved") != 0;
    rc = store_notify_group_update(s, gid, flush, g.flush_ms && g.flush_ms <= now ? now : 0, esc && open ? esc : 0,
                                   g.level, g.round, !open && !flush);
out:
    free(ppl.v);
    free(fired);
    free(acked);
    free(resolved);
    free(unacked);
    group_free(&g);
    return rc;
}

/* ---- taking in the history ---- */

static kw_rc route_alert(notify_engine *e, kw_store *s, const notify_alert *a, int64_t now)
{
    bool routed = false;
    for (size_t i = 0; i < e->nroutes; i++) {
        const nroute *r = &e->routes[i];
        if (!notify_match_test(r->m, a))
            continue;
        routed = true;
        kw_buf key;
        kw_buf_init(&key, 4096);
        kw_buf_printf(&key, "%zu\x1f%s", i, r->cf->policy);
        char nb[64];
        if (!r->cf->group_by.n)
            kw_buf_printf(&key, "\x1f%s", a->rule);
        for (size_t k = 0; k < r->cf->group_by.n; k++) {
            const char *v = notify_alert_field(a, r->cf->group_by.v[k], nb, sizeof nb);
            kw_buf_printf(&key, "\x1f%s", v ? v : "");
        }
        int64_t gid = 0;
        kw_rc rc = store_notify_group_touch(s, kw_buf_cstr(&key), r->cf->policy, r->wait_ms, r->interval_ms, now, &gid);
        kw_buf_free(&key);
        if (rc != KW_OK)
            return rc;
        rc = store_notify_member_fire(s, gid, a->id);
        if (rc != KW_OK)
            return rc;
        if (!r->cf->cont)
            break;
    }
    if (routed)
        e->stats.routed++;
    else
        e->stats.unrouted++;
    return KW_OK;
}

/* An acknowledgement or resolution of an alert already in groups. */
static kw_rc member_change(notify_engine *e, kw_store *s, int64_t alert_id, const char *state, int64_t now)
{
    store_notify_membership in[16];
    size_t n = 0;
    kw_rc rc = store_notify_memberships(s, alert_id, in, 16, &n);
    for (size_t i = 0; i < n; i++) {
        const conf_policy *p = policy_find(e->c, in[i].policy);
        bool ack = strcmp(state, "acked") == 0;
        bool tell = in[i].notified && p && (ack ? p->announce_ack : p->announce_resolved);
        /* never told: nothing to take back, and no flush needed for it */
        if (rc == KW_OK)
            rc = store_notify_member_state(s, in[i].group_id, alert_id, state,
                                           tell ? (ack ? "acked" : "resolved") : NULL);
        /* due now, or at the group's interval; a resolution with nothing to tell still ends the group */
        if (rc == KW_OK) {
            int64_t iv = route_interval(e, in[i].policy);
            rc = store_notify_group_flush_soon(s, in[i].group_id, now,
                                               tell ? (iv < ANNOUNCE_AFTER_MS ? iv : ANNOUNCE_AFTER_MS) : 0);
        }
        free(in[i].policy);
    }
    return rc;
}

/* A history row read ahead: the rows are read first, so no statement stays open while the
 * same tables change. */
typedef struct hrow {
    int64_t id, alert;
    char action[16];
    notify_alert a;
} hrow;

typedef struct hrows {
    notify_engine *e;
    hrow *v;
    size_t n, cap;
} hrows;

static void add_change(void *arg, const store_alert_change *c)
{
    hrows *h = arg;
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 64;
        h->v = kw_realloc(h->v, h->cap * sizeof *h->v);
    }
    hrow *r = &h->v[h->n++];
    r->id = c->id;
    r->alert = c->alert_id;
    snprintf(r->action, sizeof r->action, "%s", c->action);
    notify_alert_init(&r->a, h->e->c, r->alert, c->rule, "firing", c->summary, c->severity, c->started_ms,
                      c->labels_json);
}

static kw_rc ingest(notify_engine *e, kw_store *s, int64_t now, bool *worked)
{
    bool found;
    int64_t cursor = store_meta_int(s, "notify_cursor", &found);
    hrows h = {.e = e};
    if (store_alert_changes_each(s, cursor, HISTORY_BATCH, add_change, &h) != KW_OK)
        return KW_ERR_STORE;
    kw_rc rc = KW_OK;
    for (size_t i = 0; i < h.n && rc == KW_OK; i++) {
        hrow *r = &h.v[i];
        e->stats.history_rows++;
        if (strcmp(r->action, "fired") == 0 || strcmp(r->action, "reopened") == 0)
            rc = route_alert(e, s, &r->a, now);
        else
            rc = member_change(e, s, r->alert, strcmp(r->action, "acknowledged") == 0 ? "acked" : "resolved", now);
        cursor = r->id;
    }
    for (size_t i = 0; i < h.n; i++)
        notify_alert_fini(&h.v[i].a);
    free(h.v);
    if (h.n)
        *worked = true;
    return rc == KW_OK && h.n ? store_meta_put_int(s, "notify_cursor", cursor) : rc;
}

kw_rc notify_engine_begin(kw_store *s)
{
    bool found;
    store_meta_int(s, "notify_cursor", &found);
    if (found)
        return KW_OK;
    /* the first run on this store: what happened before is history, not news */
    return store_meta_put_int(s, "notify_cursor", store_alert_history_max(s));
}

kw_rc notify_engine_tick(notify_engine *e, kw_store *s, int64_t now, bool *worked)
{
    *worked = false;
    if (store_begin(s) != KW_OK)
        return KW_ERR_STORE;
    load_runtime_silences(e, s, now);
    kw_rc rc = ingest(e, s, now, worked);
    if (rc == KW_OK) {
        int64_t *due = NULL;
        size_t n = 0;
        rc = store_notify_groups_due(s, now, 2000, &due, &n);
        for (size_t i = 0; i < n && rc == KW_OK; i++)
            rc = group_process(e, s, due[i], now);
        if (n)
            *worked = true;
        free(due);
    }
    tick_reset(e);
    if (rc != KW_OK) {
        log_error("notify: %s", store_errmsg(s));
        store_rollback(s);
        return rc;
    }
    return store_commit(s);
}

/* ---- for keepwatch notify route ---- */

size_t notify_engine_routes(const notify_engine *e, const notify_alert *a, size_t *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < e->nroutes && n < max; i++) {
        if (!notify_match_test(e->routes[i].m, a))
            continue;
        out[n++] = i;
        if (!e->routes[i].cf->cont)
            break;
    }
    return n;
}

const char *notify_engine_held(notify_engine *e, kw_store *s, const notify_alert *a, int64_t now, char *buf, size_t n)
{
    if (s)
        load_runtime_silences(e, s, now);
    else
        e->open_loaded = true; /* no store: no open alerts to inhibit with */
    const char *h = held_by(e, s, a, now, buf, n);
    if (h && h != buf) { /* a runtime silence's name lives in the tick state */
        snprintf(buf, n, "%s", h);
        h = buf;
    }
    tick_reset(e);
    return h;
}

void notify_level_people(const conf *c, const conf_esc_level *lv, int64_t now, const conf_person ***v, size_t *n)
{
    people p = {0};
    level_people(c, lv, now, &p);
    *v = p.v;
    *n = p.n;
}
