/* agent_module.c: the server's agent module: its tables (store_agent.c), the hub the HTTP
 * threads hand batches through, and on the core thread the agent_silent alert (an enrolled
 * agent with no batch for agent.silent_after, per host, resolved when it reports again) and
 * the module's own series; and the agents' package lists checked against the vulnerability
 * data into findings on a thread of the module's with its own store handle (a findings run is
 * a transaction of its own: not the core's handle, whose group commit holds one open; nor the
 * HTTP thread's, to answer the agent at once): each list when it arrives, and all of them
 * when the data changes (the tick watches the index's time, on the leading server only). */
#include "agent/agent_int.h"
#include "agent/agent_pkg.h"
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

agent_hub agent_hub_the = {.mu = PTHREAD_MUTEX_INITIALIZER, .due_cv = PTHREAD_COND_INITIALIZER};

#define REFRESH_MS 5000 /* how often the list of agents is read again (enrolled, revoked by the CLI) */

#define VULN_LOOK_MS 10000 /* how often the vulnerability index's time is looked at */

typedef struct agent_state {
    kw_core *core;
    pthread_mutex_t conf_mu;  /* guards c and kev: the package thread reads them through a check
                               * (findings_run_close needs them), reload swaps them after it; a
                               * check that waits for the store past its timeout is retried */
    const conf *c;            /* the configuration in force */
    findings_kev *kev;        /* its known exploited list (NULL: none) */
    pthread_t packages;       /* the thread that checks the due package lists */
    bool packages_running;
    int64_t next_turn, next_refresh, next_vuln_look;
    struct timespec vuln_mtime; /* of state_dir/vuln/vuln.idx when last looked at */
    bool vuln_known;          /* looked at once */
    bool first;
} agent_state;

agent_seen *agent_hub_seen_locked(agent_hub *h, int64_t id, const char *name, int64_t now_ms)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->v[i].id == id) {
            if (now_ms > h->v[i].last_ms)
                h->v[i].last_ms = now_ms;
            kw_strlcpy(h->v[i].name, name, sizeof h->v[i].name);
            return &h->v[i];
        }
    if (h->n >= AGENT_HUB_MAX_AGENTS)
        return NULL;
    kw_grow(&h->v, &h->cap, h->n + 1, sizeof *h->v);
    agent_seen *a = &h->v[h->n++];
    memset(a, 0, sizeof *a);
    a->id = id;
    a->last_ms = now_ms;
    a->mark = true;
    kw_strlcpy(a->name, name, sizeof a->name);
    return a;
}

bool agent_hub_claim_locked(agent_hub *h, const store_agent *a, int64_t seq, int64_t now_ms, const char *address,
                            int64_t *prev)
{
    agent_seen *x = agent_hub_seen_locked(h, a->id, a->name, now_ms);
    *prev = -1;
    if (!x)
        return false;
    if (x->enrolled_ms != a->enrolled_ms) { /* new here, or enrolled again: its numbers are the store's */
        x->enrolled_ms = a->enrolled_ms;
        x->last_seq = a->last_seq;
    } else if (a->last_seq > x->last_seq) { /* another server of the same store took some */
        x->last_seq = a->last_seq;
    }
    kw_strlcpy(x->address, address, sizeof x->address);
    if (a->version[0])
        kw_strlcpy(x->version, a->version, sizeof x->version);
    x->dirty = true;
    if (seq <= x->last_seq)
        return false;
    *prev = x->last_seq;
    x->last_seq = seq;
    return true;
}

void agent_hub_unclaim_locked(agent_hub *h, int64_t id, int64_t seq, int64_t prev)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->v[i].id == id && h->v[i].last_seq == seq && prev >= 0)
            h->v[i].last_seq = prev;
}

const metric_desc *agent_hub_desc_locked(agent_hub *h, const char *name, metric_type type, bool history)
{
    for (size_t i = 0; i < h->ndescs; i++)
        if (strcmp(h->descs[i]->name, name) == 0)
            return h->descs[i];
    if (h->ndescs >= AGENT_HUB_MAX_DESCS)
        return NULL;
    metric_desc *d = kw_calloc(1, sizeof *d);
    d->name = kw_strdup(name);
    d->help = "Reported by keepwatch agents (labelled with their host).";
    d->type = type;
    d->history = history;
    kw_grow(&h->descs, &h->dcap, h->ndescs + 1, sizeof *h->descs);
    h->descs[h->ndescs++] = d;
    return d;
}

const char *agent_hub_key_locked(agent_hub *h, const char *key)
{
    for (size_t i = 0; i < h->nkeys; i++)
        if (strcmp(h->keys[i], key) == 0)
            return h->keys[i];
    if (h->nkeys >= AGENT_HUB_MAX_KEYS)
        return NULL;
    kw_grow(&h->keys, &h->kcap, h->nkeys + 1, sizeof *h->keys);
    return h->keys[h->nkeys++] = kw_strdup(key);
}

char *agent_labels_json(const char *const *lk, const char *const *lv, size_t n, const char *host)
{
    size_t order[AGENT_MAX_ALERT_LABELS], m = 0;
    for (size_t i = 0; i < n && i < AGENT_MAX_ALERT_LABELS; i++)
        order[m++] = i;
    for (size_t i = 1; i < m; i++) /* insertion sort by key: a handful */
        for (size_t k = i; k > 0 && strcmp(lk[order[k - 1]], lk[order[k]]) > 0; k--) {
            size_t t = order[k];
            order[k] = order[k - 1];
            order[k - 1] = t;
        }
    kw_buf b;
    kw_buf_init(&b, 8192);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    bool host_done = false;
    for (size_t i = 0; i <= m; i++) {
        if (!host_done && (i == m || strcmp("host", lk[order[i]]) < 0)) {
            kw_json_kv_str(&j, "host", host);
            host_done = true;
        }
        if (i < m)
            kw_json_kv_str(&j, lk[order[i]], lv[order[i]]);
    }
    kw_json_obj_end(&j);
    return kw_buf_take(&b);
}

const char *agent_state_name(const store_agent *a)
{
    return a->revoked_ms ? "revoked" : a->enrolled_ms ? "enrolled" : "pending";
}

void agent_json(kw_json *j, const store_agent *a, int silent)
{
    kw_json_obj_begin(j);
    kw_json_kv_int(j, "id", a->id);
    kw_json_kv_str(j, "name", a->name);
    kw_json_kv_str(j, "state", agent_state_name(a));
    const int64_t *times[] = {&a->enrolled_ms, &a->last_seen_ms, &a->revoked_ms, &a->token_expires_ms};
    static const char *const names[] = {"enrolled", "last_seen", "revoked", "token_expires"};
    for (size_t i = 0; i < 4; i++)
        if (*times[i])
            kw_json_kv_time(j, names[i], *times[i]);
    if (a->address[0])
        kw_json_kv_str(j, "address", a->address);
    if (a->version[0])
        kw_json_kv_str(j, "version", a->version);
    kw_json_kv_int(j, "last_seq", a->last_seq);
    if (silent >= 0)
        kw_json_kv_bool(j, "silent", silent > 0);
    kw_json_obj_end(j);
}

int agent_silent(int64_t id)
{
    pthread_mutex_lock(&agent_hub_the.mu);
    int silent = agent_hub_silent_locked(&agent_hub_the, id);
    pthread_mutex_unlock(&agent_hub_the.mu);
    return silent;
}

int agent_hub_silent_locked(const agent_hub *h, int64_t id)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->v[i].id == id)
            return h->v[i].firing;
    return -1;
}

/* ---- agent_silent ---- */

static void silent_act(alert_acts *acts, agent_seen *a, bool fire, int64_t now, int64_t silent_ms)
{
    char *labels = agent_labels_json(NULL, NULL, 0, a->name);
    alert_act *x = alert_acts_push(acts, fire ? ALERT_ACT_FIRE : ALERT_ACT_RESOLVE, "agent", "agent_silent", labels);
    char text[256];
    snprintf(text, sizeof text, "agent %s has not reported for %lld s", a->name, (long long)(silent_ms / 1000));
    x->summary = kw_strdup(text);
    x->severity = 3;
    x->at_ms = now;
    x->started_ms = fire ? a->last_ms + silent_ms : 0;
    x->value = (double)(now - a->last_ms) / 1000.0;
    x->reason = fire ? NULL : "reported again";
    a->firing = fire;
}

static void silent_turn(agent_hub *h, int64_t now, alert_acts *acts)
{
    for (size_t i = 0; i < h->n; i++) {
        agent_seen *a = &h->v[i];
        bool silent = now - a->last_ms > h->silent_after_ms;
        if (silent != a->firing)
            silent_act(acts, a, silent, now, h->silent_after_ms);
    }
}

/* ---- the agents in the store ---- */

typedef struct agent_list {
    store_agent *v;
    size_t n, cap;
} agent_list;

static void list_add(void *arg, const store_agent *a)
{
    agent_list *l = arg;
    if (!a->enrolled_ms || a->revoked_ms || l->n >= AGENT_HUB_MAX_AGENTS)
        return;
    kw_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = *a;
}

static void refresh_one(agent_hub *h, const store_agent *a, int64_t now)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->v[i].id == a->id) {
            h->v[i].mark = true;
            if (a->last_seen_ms > h->v[i].last_ms) /* another server of the same store took it */
                h->v[i].last_ms = a->last_seen_ms;
            return;
        }
    /* new to this server: it has silent_after from now (or from its last batch, if later) */
    agent_hub_seen_locked(h, a->id, a->name, a->last_seen_ms > now ? a->last_seen_ms : now);
}

/* Under hub->mu: the agents as the store lists them (l): the revoked and removed leave (their
 * agent_silent resolved, their series gone from /metrics). */
static void agents_merge(agent_state *s, agent_hub *h, const agent_list *l, int64_t now, alert_acts *acts)
{
    for (size_t i = 0; i < h->n; i++)
        h->v[i].mark = false;
    for (size_t i = 0; i < l->n; i++)
        refresh_one(h, &l->v[i], now);
    for (size_t i = 0; i < h->n;) {
        if (h->v[i].mark) {
            i++;
            continue;
        }
        if (h->v[i].firing)
            silent_act(acts, &h->v[i], false, now, h->silent_after_ms);
        char prefix[STORE_AGENT_NAME_MAX + 8];
        snprintf(prefix, sizeof prefix, "agent:%s:", h->v[i].name); /* its series leave /metrics */
        metric_registry_prune(s->core->registry, prefix, NULL, 0);
        h->v[i] = h->v[--h->n];
    }
}

/* Under hub->mu: what was taken since the store was last told, copied into *out. */
static void agents_dirty(agent_hub *h, agent_list *out)
{
    for (size_t i = 0; i < h->n; i++) {
        agent_seen *x = &h->v[i];
        if (!x->dirty)
            continue;
        x->dirty = false;
        kw_grow(&out->v, &out->cap, out->n + 1, sizeof *out->v);
        store_agent *a = &out->v[out->n++];
        memset(a, 0, sizeof *a);
        a->id = x->id;
        a->enrolled_ms = x->enrolled_ms;
        a->last_seq = x->last_seq;
        a->last_seen_ms = x->last_ms;
        kw_strlcpy(a->address, x->address, sizeof a->address);
        kw_strlcpy(a->version, x->version, sizeof a->version);
    }
}

/* Tells the store st the batch numbers taken (outside hub->mu); what it did not take is
 * marked to be told again. */
static void agents_note(kw_store *st, agent_hub *h, const agent_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        const store_agent *a = &l->v[i];
        if (store_agent_note(st, a->id, a->enrolled_ms, a->last_seq, a->last_seen_ms, a->address,
                             a->version) ==
            KW_OK)
            continue;
        pthread_mutex_lock(&h->mu);
        for (size_t k = 0; k < h->n; k++)
            if (h->v[k].id == a->id)
                h->v[k].dirty = true;
        pthread_mutex_unlock(&h->mu);
    }
}

/* At the first turn: agent_silent alerts already open in the store are this module's again
 * (the engine would otherwise hold them as a restarted detector's). */
static void agents_adopt_open(agent_state *s, agent_hub *h)
{
    for (size_t i = 0; i < h->n; i++) {
        char *labels = agent_labels_json(NULL, NULL, 0, h->v[i].name);
        char fp[17];
        alert_fingerprint("agent", "agent_silent", labels, fp);
        free(labels);
        if (store_alert_open_id(s->core->store, fp)) {
            h->v[i].firing = true;
            alert_engine_forget(s->core->engine, fp);
        }
    }
}

/* ---- the agents' package lists ---- */

void agent_hub_due_locked(agent_hub *h, const char *name)
{
    for (size_t i = 0; i < h->ndue; i++)
        if (strcmp(h->due[i], name) == 0)
            return;
    if (h->ndue >= AGENT_HUB_MAX_AGENTS)
        return;
    kw_grow(&h->due, &h->duecap, h->ndue + 1, sizeof *h->due);
    kw_strlcpy(h->due[h->ndue++], name, sizeof h->due[0]);
    pthread_cond_signal(&h->due_cv);
}

static void due_one(void *arg, const char *host)
{
    agent_hub *h = arg;
    pthread_mutex_lock(&h->mu);
    agent_hub_due_locked(h, host);
    pthread_mutex_unlock(&h->mu);
}

/* Leader only, every VULN_LOOK_MS: when the vulnerability index was rewritten (vuln update,
 * vuln import) since it was last looked at, every stored list is due again. */
static void vuln_look(agent_state *s, int64_t now_mono)
{
    if (now_mono < s->next_vuln_look || !atomic_load(&s->core->lead_epoch))
        return;
    s->next_vuln_look = now_mono + VULN_LOOK_MS;
    pthread_mutex_lock(&s->conf_mu);
    char *path = conf_state_path(s->c, "vuln/vuln.idx");
    pthread_mutex_unlock(&s->conf_mu);
    struct stat st;
    struct timespec m = {0};
    if (stat(path, &st) == 0)
        m = st.st_mtim;
    free(path);
    bool changed = s->vuln_known && (m.tv_sec != s->vuln_mtime.tv_sec || m.tv_nsec != s->vuln_mtime.tv_nsec);
    s->vuln_mtime = m;
    s->vuln_known = true;
    if (changed && m.tv_sec && store_agent_packages_each(s->core->store, due_one, &agent_hub_the) == KW_OK)
        log_info("agent: the vulnerability data changed: the agents' package lists are checked again");
}

/* Checks host's stored list into the findings, on store st. KW_ERR_TIMEOUT: the store was busy
 * past its timeout (the list is checked again later). */
static kw_rc packages_check(agent_state *s, kw_store *st, const char *host)
{
    agent_hub *h = &agent_hub_the;
    char err[512] = "";
    pthread_mutex_lock(&s->conf_mu);
    char *path = conf_state_path(s->c, "vuln/vuln.idx");
    scan_vuln_db db = {0};
    kw_rc rc = scan_vuln_db_open(path, &db);
    bool have_db = rc == KW_OK;
    free(path);
    agent_pkg_outcome o;
    if (have_db)
        rc = agent_packages_record(st, s->c, s->kev, &db, host, "keepwatch", NULL, true, &o, err, sizeof err);
    else /* stored; checked when there is data (vuln update) or by scan packages --agents */
        log_debug("agent %s: its package list is not checked: no vulnerability data (%s)", host, kw_rc_str(rc));
    pthread_mutex_unlock(&s->conf_mu);
    scan_vuln_db_close(&db);
    if (!have_db)
        return KW_OK;
    pthread_mutex_lock(&h->mu);
    if (rc == KW_OK)
        h->lists_checked++;
    else
        h->lists_failed++;
    pthread_mutex_unlock(&h->mu);
    if (rc == KW_OK)
        log_info("agent %s: %zu packages checked in %.0f ms: %zu findings (%zu new, %zu verified)", host,
                 o.res.packages, o.ms, o.res.findings, o.counts.added, o.counts.verified);
    else
        log_error("agent %s: its package list: %s%s", host, err, rc == KW_ERR_TIMEOUT ? " (tried again later)" : "");
    return rc;
}

#define PACKAGES_RETRY_MS 2000 /* after a busy store */

/* Under hub->mu: waits up to ms or until the module stops. */
static void packages_pause(agent_hub *h, int64_t ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)(ms / 1000);
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    if (!h->stopping)
        pthread_cond_timedwait(&h->due_cv, &h->mu, &until);
}

/* The package thread: checks the due lists, oldest asked first, until the module stops. */
static void *packages_main(void *arg)
{
    agent_state *s = arg;
    agent_hub *h = &agent_hub_the;
    char err[512] = "";
    kw_store *st = store_open(s->core->store_path, false, err, sizeof err);
    if (!st)
        log_error("agent: the agents' package lists are not checked: the store: %s", err);
    pthread_mutex_lock(&h->mu);
    while (st && !h->stopping) {
        if (!h->ndue) {
            pthread_cond_wait(&h->due_cv, &h->mu);
            continue;
        }
        char host[STORE_AGENT_NAME_MAX];
        memcpy(host, h->due[0], sizeof host);
        memmove(h->due, h->due + 1, (h->ndue - 1) * sizeof *h->due);
        h->ndue--;
        pthread_mutex_unlock(&h->mu);
        kw_rc rc = packages_check(s, st, host);
        pthread_mutex_lock(&h->mu);
        if (rc == KW_ERR_TIMEOUT) { /* the core's transaction, or another server's, held the store */
            agent_hub_due_locked(h, host);
            packages_pause(h, PACKAGES_RETRY_MS);
        }
    }
    pthread_mutex_unlock(&h->mu);
    if (st)
        store_close(st);
    return NULL;
}

/* ---- the module's series ---- */

static const metric_desc m_agents = {"agents", "Enrolled agents, by state (reporting or silent).", METRIC_GAUGE, false};
static const metric_desc m_batches = {"agent_batches_total",
                                      "Requests from agents, by result (limited: an address made to wait).",
                                      METRIC_COUNTER, false};
static const metric_desc m_refused = {"agent_batches_refused_total", "Malformed batches refused, by reason.",
                                      METRIC_COUNTER, false};
static const metric_desc m_samples = {"agent_samples_total", "Metric samples taken from agents.", METRIC_COUNTER, false};
static const metric_desc m_samples_dropped = {"agent_samples_dropped_total",
                                              "Samples from agents left out: past the metric names or label keys held.",
                                              METRIC_COUNTER, false};
static const metric_desc m_lists = {"agent_package_lists_total",
                                    "Agents' package lists: stored, checked into findings, failed to check.",
                                    METRIC_COUNTER, false};
static const metric_desc m_last = {"agent_last_report_age_seconds", "Seconds since each agent's last batch.",
                                   METRIC_GAUGE, false};

static void agent_metrics(agent_hub *h, int64_t now, metric_set *ms)
{
    size_t silent = 0;
    for (size_t i = 0; i < h->n; i++) {
        silent += h->v[i].firing;
        metric_add(ms, &m_last, (double)(now - h->v[i].last_ms) / 1000.0, "host", h->v[i].name, NULL);
    }
    metric_add(ms, &m_agents, (double)(h->n - silent), "state", "reporting", NULL);
    metric_add(ms, &m_agents, (double)silent, "state", "silent", NULL);
    metric_add(ms, &m_batches, (double)h->accepted, "result", "accepted", NULL);
    metric_add(ms, &m_batches, (double)h->duplicates, "result", "duplicate", NULL);
    metric_add(ms, &m_batches, (double)h->unauthorized, "result", "unauthorized", NULL);
    metric_add(ms, &m_batches, (double)h->limited, "result", "limited", NULL);
    for (int b = AGENT_BAD_GZIP; b < AGENT_BAD_COUNT; b++)
        metric_add(ms, &m_refused, (double)h->refused[b], "reason", agent_bad_name((agent_bad)b), NULL);
    metric_add(ms, &m_samples, (double)h->samples, NULL);
    metric_add(ms, &m_samples_dropped, (double)h->dropped_samples, NULL);
    metric_add(ms, &m_lists, (double)h->lists_stored, "result", "stored", NULL);
    metric_add(ms, &m_lists, (double)h->lists_checked, "result", "checked", NULL);
    metric_add(ms, &m_lists, (double)h->lists_failed, "result", "failed", NULL);
}

/* Once a second: the agents again every REFRESH_MS, agent_silent (by the leading server
 * only: several servers on one store fire it once), the series. */
static void agent_module_tick(void *state, int64_t now, alert_acts *acts)
{
    agent_state *s = state;
    int64_t now_mono = kw_mono_ms();
    if (now_mono < s->next_turn)
        return;
    s->next_turn = now_mono + 1000;
    agent_hub *h = &agent_hub_the;
    agent_list fresh = {0}, dirty = {0};
    bool refresh = now_mono >= s->next_refresh; /* read without the hub: HTTP threads wait on it */
    if (refresh) {
        s->next_refresh = now_mono + REFRESH_MS;
        refresh = store_agent_each(s->core->store, list_add, &fresh) == KW_OK; /* the store away: nobody leaves */
    }
    metric_set *ms = metric_set_new(now);
    pthread_mutex_lock(&h->mu);
    if (refresh)
        agents_merge(s, h, &fresh, now, acts);
    if (s->first && refresh) { /* once the agents are known */
        agents_adopt_open(s, h);
        s->first = false;
    }
    if (atomic_load(&s->core->lead_epoch))
        silent_turn(h, now, acts);
    agent_metrics(h, now, ms);
    agents_dirty(h, &dirty);
    pthread_mutex_unlock(&h->mu);
    agents_note(s->core->store, h, &dirty); /* the tick: on the core thread, its store */
    metric_registry_put(s->core->registry, "agent", ms);
    free(fresh.v);
    free(dirty.v);
    vuln_look(s, now_mono);
}

/* The known exploited list of c, for the findings (NULL, logged, when it cannot be read). */
static findings_kev *kev_load(const conf *c)
{
    findings_kev *kev = NULL;
    char err[512] = "";
    if (findings_kev_from_conf(c, &kev, err, sizeof err) != KW_OK)
        log_warn("agent: the agents' package findings go without the known exploited list: %s", err);
    return kev;
}

kw_rc agent_module_audit(kw_store *st, const char *host, const agent_audit *au, char *err, size_t errn)
{
    agent_hub *h = &agent_hub_the;
    pthread_mutex_lock(&h->mu);
    agent_state *s = h->self;
    if (s)
        h->inflight++;
    pthread_mutex_unlock(&h->mu);
    if (!s) {
        snprintf(err, errn, "the server is stopping");
        return KW_ERR_CANCELLED;
    }
    findings_counts k = {0};
    char note[96] = "";
    int64_t t0 = kw_mono_ms();
    pthread_mutex_lock(&s->conf_mu);
    kw_rc rc = agent_audit_record(st, s->c, s->kev, host, au, &k, note, sizeof note, err, errn);
    pthread_mutex_unlock(&s->conf_mu);
    pthread_mutex_lock(&h->mu);
    h->inflight--;
    if (rc == KW_OK)
        h->audits_recorded++;
    else
        h->audits_failed++;
    pthread_mutex_unlock(&h->mu);
    if (rc == KW_OK)
        log_info("agent %s: host audit of %zu results recorded in %lld ms: %zu findings (%zu new, %zu verified)%s",
                 host, au->n, (long long)(kw_mono_ms() - t0), k.reported, k.added, k.verified, note);
    return rc;
}

static kw_rc agent_module_start(kw_core *core, const conf *c, void **state)
{
    agent_state *s = kw_calloc(1, sizeof *s);
    s->core = core;
    s->first = true;
    s->c = c;
    s->kev = kev_load(c);
    pthread_mutex_init(&s->conf_mu, NULL);
    agent_hub *h = &agent_hub_the;
    pthread_mutex_lock(&h->mu);
    h->silent_after_ms = c->agent.silent_after_ms;
    h->core = core;
    agent_central_free(h->central);
    h->central = agent_central_new(&c->agent.groups);
    h->stopping = false;
    h->self = s;
    pthread_mutex_unlock(&h->mu);
    s->packages_running = pthread_create(&s->packages, NULL, packages_main, s) == 0;
    if (!s->packages_running)
        log_error("agent: cannot start the thread that checks the agents' package lists");
    *state = s;
    return KW_OK;
}

static void agent_module_reload(void *state, const conf *old, const conf *next)
{
    agent_state *s = state;
    findings_kev *kev = kev_load(next), *was_kev;
    pthread_mutex_lock(&s->conf_mu); /* after the check under way, if one is */
    s->c = next;
    was_kev = s->kev;
    s->kev = kev;
    pthread_mutex_unlock(&s->conf_mu);
    findings_kev_free(was_kev);
    agent_central *fresh = agent_central_new(&next->agent.groups), *was;
    pthread_mutex_lock(&agent_hub_the.mu);
    agent_hub_the.silent_after_ms = next->agent.silent_after_ms;
    was = agent_hub_the.central;
    agent_hub_the.central = fresh;
    pthread_mutex_unlock(&agent_hub_the.mu);
    agent_central_free(was);
}

/* No batch is taken from now on; the numbers taken are written to the store. */
static void agent_module_stop(void *state, int64_t budget_ms)
{
    agent_state *s = state;
    agent_list dirty = {0};
    pthread_mutex_lock(&agent_hub_the.mu);
    agent_hub_the.stopping = true; /* the package thread ends after the check under way */
    pthread_cond_broadcast(&agent_hub_the.due_cv);
    pthread_mutex_unlock(&agent_hub_the.mu);
    if (s->packages_running)
        pthread_join(s->packages, NULL);
    pthread_mutex_lock(&agent_hub_the.mu);
    agent_hub_the.core = NULL;
    agent_hub_the.self = NULL;
    while (agent_hub_the.inflight) { /* an agent's audit being recorded reads s */
        pthread_mutex_unlock(&agent_hub_the.mu);
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&agent_hub_the.mu);
    }
    agents_dirty(&agent_hub_the, &dirty);
    pthread_mutex_unlock(&agent_hub_the.mu);
    /* the core thread still drains the queue with its store: the last notes (the batch numbers
     * a replay is refused by after the restart) go through a store of their own */
    if (dirty.n) {
        char err[512] = "";
        kw_store *st = store_open(s->core->store_path, false, err, sizeof err);
        if (st)
            agents_note(st, &agent_hub_the, &dirty);
        else
            log_error("agent: %zu agents' last batch numbers are not stored: the store: %s", dirty.n, err);
        store_close(st);
    }
    pthread_mutex_lock(&agent_hub_the.mu);
    agent_hub_the.n = 0;
    agent_hub_the.ndue = 0;
    agent_central_free(agent_hub_the.central);
    agent_hub_the.central = NULL;
    pthread_mutex_unlock(&agent_hub_the.mu);
    free(dirty.v);
    findings_kev_free(s->kev);
    pthread_mutex_destroy(&s->conf_mu);
    free(s);
}

const kw_module agent_module = {
    .name = "agent",
    .phase = KW_PHASE_USER,
    .start = agent_module_start,
    .reload = agent_module_reload,
    .stop = agent_module_stop,
    .tick = agent_module_tick,
    .migrations = store_agent_migrations,
    .nmigrations = STORE_AGENT_VERSIONS,
};
