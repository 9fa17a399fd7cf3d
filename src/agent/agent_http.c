/* agent_http.c: what agents call on the server. POST /api/v1/agent/enroll spends a one-time
 * enrolment token for the agent's own credential (only its SHA-256 is stored); POST
 * /api/v1/agent/batch takes a batch (gzip or not) from an agent that shows its credential:
 * its number is taken once (a replay is answered 200 and not applied again), its samples go
 * to the core labelled host=NAME, its alert changes become alerts carrying the host, its
 * events get host.name and agent.id, its package list is stored for the agent (and checked by
 * the module's tick). GET /api/v1/agent/config gives the agent its central
 * config (the agent.groups it is in, merged) with an ETag, 304 when If-None-Match names it.
 * Unknown, revoked and malformed requests are refused and logged, and counted per address on
 * the console's limiter (http_auth.c): past AGENT_FAILS_PER_ADDRESS an address waits (429 with
 * Retry-After, before any look in the store), doubling as the console's sign-in does; a good
 * credential from it clears its count. */
#include "agent/agent_int.h"
#include "agent/agent_pkg.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "http/http_auth.h"
#include "http/http_int.h"
#include "http/http_reply.h"

#include <jansson.h>
#include <math.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AGENT_URL "/api/v1/agent/"

bool agent_http_owns(const char *url) { return strncmp(url, AGENT_URL, sizeof AGENT_URL - 1) == 0; }

/* Whether s is prefix and 64 lowercase hex digits. */
static bool secret_ok(const char *s, const char *prefix)
{
    size_t pl = strlen(prefix);
    if (!s || strncmp(s, prefix, pl) != 0 || strlen(s) != pl + 64)
        return false;
    for (const char *p = s + pl; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

static void count_locked(uint64_t *counter)
{
    pthread_mutex_lock(&agent_hub_the.mu);
    (*counter)++;
    pthread_mutex_unlock(&agent_hub_the.mu);
}

#define AGENT_FAILS_PER_ADDRESS 20 /* refused credentials or tokens from one address before it waits */
#define REFUSALS_LOGGED 20    /* lines per window: a flood of bad requests does not flood the log */
#define REFUSALS_WINDOW_MS 10000

/* Whether this refusal is logged; *held: how many were not, in the window before. */
static bool refusal_logged(uint64_t *held)
{
    static int64_t window;
    static uint64_t in_window, not_logged;
    int64_t now = kw_mono_ms();
    pthread_mutex_lock(&agent_hub_the.mu);
    agent_hub_the.unauthorized++;
    *held = 0;
    if (now - window >= REFUSALS_WINDOW_MS) {
        *held = not_logged;
        window = now;
        in_window = not_logged = 0;
    }
    bool say = in_window++ < REFUSALS_LOGGED;
    if (!say)
        not_logged++;
    pthread_mutex_unlock(&agent_hub_the.mu);
    return say;
}

/* The limiter's key for the client's address (addr: at least 64 bytes). */
static void limit_key(struct MHD_Connection *c, char *addr, size_t addrn, char key[80])
{
    http_client_address(c, addr, addrn);
    snprintf(key, 80, "agent:%s", addr);
}

/* Refuses (401) and counts it against the client's address: past AGENT_FAILS_PER_ADDRESS it
 * waits (said once per wait). */
static enum MHD_Result refuse(http_server *s, struct MHD_Connection *c, const char *what, const char *why)
{
    char addr[64], key[80];
    uint64_t held;
    limit_key(c, addr, sizeof addr, key);
    int64_t now = kw_now_ms();
    auth_limiter_fail_after(s->limiter, key, now, AGENT_FAILS_PER_ADDRESS);
    int64_t wait = auth_limiter_wait(s->limiter, key, now);
    bool say = refusal_logged(&held);
    if (held)
        log_warn("agent: %llu more refusals were not logged in the %d s before", (unsigned long long)held,
                 REFUSALS_WINDOW_MS / 1000);
    if (say)
        log_warn("agent: refused %s from %s: %s", what, addr, why);
    if (wait)
        log_warn("agent: %s was refused %d times: its requests get 429 for %llds", addr, AGENT_FAILS_PER_ADDRESS,
                 (long long)wait);
    return http_error(c, MHD_HTTP_UNAUTHORIZED, why);
}

/* Whether the client's address waits (refused too often): *ret then holds the 429. */
static bool limited(http_server *s, struct MHD_Connection *c, enum MHD_Result *ret)
{
    char addr[64], key[80];
    limit_key(c, addr, sizeof addr, key);
    int64_t wait = auth_limiter_wait(s->limiter, key, kw_now_ms());
    if (!wait)
        return false;
    count_locked(&agent_hub_the.limited);
    char why[160];
    snprintf(why, sizeof why, "too many refused agent credentials or tokens from %s: wait %llds", addr,
             (long long)wait);
    *ret = http_too_many(c, wait, why);
    return true;
}

/* A good credential or token from the client's address: its refusals are forgiven. */
static void accepted_from(http_server *s, struct MHD_Connection *c)
{
    char addr[64], key[80];
    limit_key(c, addr, sizeof addr, key);
    auth_limiter_clear(s->limiter, key);
}

/* ---- enrolment ---- */

static kw_rc enroll_store(kw_store *st, const char *tok_hash, const char *cred_hash, const char *addr,
                          store_agent *a)
{
    int64_t now = kw_now_ms();
    kw_rc rc = store_begin(st);
    if (rc == KW_OK)
        rc = store_agent_enroll(st, tok_hash, cred_hash, addr, now, a);
    if (rc == KW_OK) {
        char text[256];
        snprintf(text, sizeof text, "agent %s enrolled from %s", a->name, addr);
        rc = store_duty_append(st, now, "agent.enrolled", a->name, 0, text);
    }
    if (rc == KW_OK)
        rc = store_commit(st);
    if (rc != KW_OK)
        store_rollback(st);
    return rc;
}

static enum MHD_Result enroll_reply(struct MHD_Connection *c, const store_agent *a, const char *cred)
{
    kw_buf b;
    kw_buf_init(&b, 4096);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "agent", a->name);
    kw_json_kv_int(&j, "id", a->id);
    kw_json_kv_str(&j, "credential", cred);
    kw_json_obj_end(&j);
    enum MHD_Result r = http_json(c, MHD_HTTP_OK, &b);
    OPENSSL_cleanse(b.data, b.len);
    kw_buf_free(&b);
    return r;
}

static enum MHD_Result agent_enroll_post(http_server *s, struct MHD_Connection *c, http_req *req)
{
    enum MHD_Result ret;
    json_t *root = http_body_object(c, req, "send {\"token\": \"kwe_...\"}", &ret);
    if (!root)
        return ret;
    const char *tok = json_string_value(json_object_get(root, "token"));
    if (!secret_ok(tok, AGENT_ENROL_PREFIX)) {
        json_decref(root);
        return refuse(s, c, "an enrolment", "not an enrolment token (kwe_ and 64 hex digits)");
    }
    char tok_hash[65], cred[4 + 64 + 1], cred_hash[65], addr[64];
    auth_sha256_hex(tok, tok_hash);
    json_decref(root);
    memcpy(cred, AGENT_CRED_PREFIX, sizeof AGENT_CRED_PREFIX);
    auth_random_hex(cred + strlen(AGENT_CRED_PREFIX), 32);
    auth_sha256_hex(cred, cred_hash);
    http_client_address(c, addr, sizeof addr);
    kw_store *st = http_store(s);
    if (!st)
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "the store is not available");
    store_agent a;
    kw_rc rc = enroll_store(st, tok_hash, cred_hash, addr, &a);
    if (rc == KW_ERR_NOTFOUND || rc == KW_ERR_RANGE) {
        OPENSSL_cleanse(cred, sizeof cred);
        return refuse(s, c, "an enrolment", rc == KW_ERR_NOTFOUND ? "unknown enrolment token" : store_errmsg(st));
    }
    if (rc != KW_OK) {
        OPENSSL_cleanse(cred, sizeof cred);
        log_error("agent: enrolment: %s", store_errmsg(st));
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "the store refused the enrolment");
    }
    log_info("agent %s (id %lld) enrolled from %s", a.name, (long long)a.id, addr);
    accepted_from(s, c);
    pthread_mutex_lock(&agent_hub_the.mu);
    agent_hub_the.enrolled++;
    agent_hub_seen_locked(&agent_hub_the, a.id, a.name, kw_now_ms());
    pthread_mutex_unlock(&agent_hub_the.mu);
    enum MHD_Result r = enroll_reply(c, &a, cred);
    OPENSSL_cleanse(cred, sizeof cred);
    return r;
}

/* ---- batches ---- */

/* The agent the request's credential names: KW_OK, or a reply already queued in *ret. */
static kw_rc batch_auth(http_server *s, struct MHD_Connection *c, const char *what, store_agent *a,
                        enum MHD_Result *ret)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *cred = h && strncmp(h, "Bearer ", 7) == 0 ? h + 7 : NULL;
    if (!secret_ok(cred, AGENT_CRED_PREFIX)) {
        *ret = refuse(s, c, what, "no agent credential (Authorization: Bearer kwa_...)");
        return KW_ERR_PARSE;
    }
    char hash[65];
    auth_sha256_hex(cred, hash);
    kw_store *st = http_store(s);
    kw_rc rc = st ? store_agent_auth(st, hash, a) : KW_ERR_STORE;
    if (rc == KW_ERR_NOTFOUND)
        *ret = refuse(s, c, what, "unknown agent credential");
    else if (rc == KW_ERR_RANGE) {
        char why[128];
        snprintf(why, sizeof why, "agent %s is revoked", a->name);
        *ret = refuse(s, c, what, why);
    } else if (rc != KW_OK)
        *ret = http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "the store is not available");
    else
        accepted_from(s, c);
    return rc;
}

/* The body as JSON: inflated when it says it is gzip. */
static kw_rc batch_body(struct MHD_Connection *c, http_req *req, kw_buf *plain, const char **json, size_t *len)
{
    const char *enc = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_ENCODING);
    *json = req->body.data ? req->body.data : "";
    *len = req->body.len;
    if (!enc || strcmp(enc, "identity") == 0)
        return KW_OK;
    if (strcmp(enc, "gzip") != 0)
        return KW_ERR_UNSUPPORTED;
    kw_rc rc = agent_gzip_inflate(*json, *len, AGENT_BODY_MAX, plain);
    *json = plain->data ? plain->data : "";
    *len = plain->len;
    return rc;
}

#define AGENT_CLOCK_AHEAD_MS 60000 /* an agent's clock ahead of the server's by more: its times are now */

static int64_t batch_time(int64_t ts, int64_t now) { return ts > now + AGENT_CLOCK_AHEAD_MS ? now : ts; }

/* One decoded set as the core's metric set, labelled host=NAME. */
static metric_set *batch_metrics(agent_hub *h, const agent_set *set, const char *host, int64_t now,
                                 uint64_t *dropped)
{
    metric_set *ms = metric_set_new(batch_time(set->ts_ms, now));
    const char *host_key = agent_hub_key_locked(h, "host");
    for (size_t i = 0; i < set->n; i++) {
        const agent_sample *x = &set->v[i];
        const metric_desc *d = agent_hub_desc_locked(h, x->name, x->type, x->history);
        const char *keys[AGENT_MAX_LABELS];
        bool ok = d && host_key;
        for (uint8_t k = 0; ok && k < x->nlabels; k++)
            ok = (keys[k] = agent_hub_key_locked(h, x->lk[k])) != NULL;
        if (!ok) {
            (*dropped)++;
            continue;
        }
        metric_sample *m = metric_add(ms, d, x->value, NULL);
        for (uint8_t k = 0; k < x->nlabels; k++) {
            m->lk[k] = keys[k];
            m->lv[k] = kw_arena_strdup(&ms->arena, x->lv[k]);
        }
        m->lk[x->nlabels] = host_key;
        m->lv[x->nlabels] = kw_arena_strdup(&ms->arena, host);
        m->nlabels = (uint8_t)(x->nlabels + 1);
    }
    return ms;
}

/* The batch's alert changes, as the detector "agent:NAME" decides them: an update names the
 * open alert by its fingerprint (as a fire made it) and is kept in its history. */
static void batch_acts(const agent_batch *b, const store_agent *a, int64_t now, alert_acts *acts)
{
    static const alert_act_kind kinds[] = {[AGENT_ALERT_FIRE] = ALERT_ACT_FIRE,
                                           [AGENT_ALERT_UPDATE] = ALERT_ACT_UPDATE,
                                           [AGENT_ALERT_RESOLVE] = ALERT_ACT_RESOLVE};
    char source[96];
    snprintf(source, sizeof source, "agent:%s", a->name);
    for (size_t i = 0; i < b->nalerts; i++) {
        const agent_alert *x = &b->alerts[i];
        char *labels = agent_labels_json(x->lk, x->lv, x->nlabels, a->name);
        alert_act *act = alert_acts_push(acts, kinds[x->kind], source, x->rule, labels);
        kw_buf t;
        kw_buf_init(&t, 2048);
        kw_buf_printf(&t, "%s: %s", a->name, x->summary ? x->summary : x->rule);
        act->summary = kw_buf_take(&t);
        act->severity = x->severity;
        act->value = x->value;
        act->peak = x->value;
        act->at_ms = act->started_ms = batch_time(x->ts_ms, now);
        act->history = x->kind == AGENT_ALERT_UPDATE;
        act->reason = x->kind == AGENT_ALERT_RESOLVE ? "cleared on the agent" : NULL;
    }
}

/* The batch's events, with the server's word on where they come from. */
static char *batch_ecs(const agent_batch *b, const store_agent *a)
{
    if (!b->nevents)
        return NULL;
    kw_buf out;
    kw_buf_init(&out, 2 * AGENT_BODY_MAX); /* the events (at most AGENT_BODY_MAX) and their host */
    for (size_t i = 0; i < b->nevents; i++) {
        const char *e = b->events[i]; /* "{...}" without host or agent: the decoder took them out */
        if (i)
            kw_buf_putc(&out, '\n');
        kw_buf_puts(&out, "{\"host\":{\"name\":");
        kw_json_escape(&out, a->name, strlen(a->name));
        kw_buf_printf(&out, "},\"agent\":{\"id\":\"%lld\",\"name\":", (long long)a->id);
        kw_json_escape(&out, a->name, strlen(a->name));
        kw_buf_puts(&out, strcmp(e, "{}") == 0 ? "}" : "},");
        kw_buf_puts(&out, e + 1);
    }
    return kw_buf_take(&out);
}

/* Hands the batch to the core: alert changes first (waiting for room: they are never
 * dropped), then the samples. False: the core took nothing. */
static bool batch_hand_on(const agent_batch *b, const store_agent *a)
{
    agent_hub *h = &agent_hub_the;
    int64_t now = kw_now_ms();
    char source[160];
    snprintf(source, sizeof source, "agent:%s", a->name);
    pthread_mutex_lock(&h->mu);
    kw_core *core = h->core;
    pthread_mutex_unlock(&h->mu);
    if (!core)
        return false;
    if (b->nalerts || b->nevents) {
        kw_event *ev = kw_event_new(source, now);
        ev->acts = kw_calloc(1, sizeof *ev->acts);
        batch_acts(b, a, now, ev->acts);
        ev->ecs = batch_ecs(b, a);
        if (!kw_core_push_waiting(core, ev)) {
            kw_event_free(ev);
            return false;
        }
    }
    uint64_t samples = 0, dropped = 0;
    for (size_t i = 0; i < b->nsets; i++) {
        snprintf(source, sizeof source, "agent:%s:%s", a->name, b->sets[i].source);
        pthread_mutex_lock(&h->mu);
        kw_event *ev = kw_event_new(source, batch_time(b->sets[i].ts_ms, now));
        ev->metrics = batch_metrics(h, &b->sets[i], a->name, now, &dropped);
        pthread_mutex_unlock(&h->mu);
        samples += ev->metrics->n;
        kw_core_push(core, ev);
    }
    pthread_mutex_lock(&h->mu);
    h->samples += samples;
    h->dropped_samples += dropped;
    h->accepted++;
    agent_hub_seen_locked(h, a->id, a->name, now);
    pthread_mutex_unlock(&h->mu);
    return true;
}

static enum MHD_Result batch_reply(struct MHD_Connection *c, int64_t seq, bool duplicate)
{
    kw_buf b;
    kw_buf_init(&b, 256);
    kw_buf_printf(&b, "{\"seq\":%lld,\"%s\":true}", (long long)seq, duplicate ? "duplicate" : "accepted");
    return http_json(c, MHD_HTTP_OK, &b);
}

/* Stores the batch's package list (the tick checks it). False: the store refused it. */
static bool batch_packages(kw_store *st, const agent_batch *b, const store_agent *a)
{
    if (!b->packages)
        return true;
    kw_rc rc = st ? agent_packages_store(st, a->name, b->packages, kw_now_ms()) : KW_ERR_STORE;
    pthread_mutex_lock(&agent_hub_the.mu);
    if (rc == KW_OK) {
        agent_hub_the.lists_stored++;
        agent_hub_due_locked(&agent_hub_the, a->name);
    }
    pthread_mutex_unlock(&agent_hub_the.mu);
    if (rc != KW_OK)
        log_error("agent %s: its package list was not stored: %s", a->name, st ? store_errmsg(st) : "no store");
    return rc == KW_OK;
}

/* Records the batch's host audit (findings, drift). False: the store refused it. */
static bool batch_audit(kw_store *st, const agent_batch *b, const store_agent *a)
{
    if (!b->audit)
        return true;
    char err[512] = "";
    kw_rc rc = st ? agent_module_audit(st, a->name, b->audit, err, sizeof err) : KW_ERR_STORE;
    if (rc != KW_OK)
        log_error("agent %s: its host audit was not recorded: %s", a->name, err[0] ? err : "no store");
    return rc == KW_OK;
}

/* Takes the batch's number, stores its package list and hands the rest on (or gives the
 * number back when either could not be done), and answers. */
static enum MHD_Result batch_take(kw_store *st, struct MHD_Connection *c, const agent_batch *b, const store_agent *a)
{
    char addr[64];
    http_client_address(c, addr, sizeof addr);
    int64_t prev;
    pthread_mutex_lock(&agent_hub_the.mu);
    bool fresh = agent_hub_claim_locked(&agent_hub_the, a, b->seq, kw_now_ms(), addr, &prev);
    if (!fresh && prev < 0 && agent_hub_the.n >= AGENT_HUB_MAX_AGENTS) {
        pthread_mutex_unlock(&agent_hub_the.mu);
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "this server holds as many agents as it can");
    }
    if (!fresh)
        agent_hub_the.duplicates++;
    pthread_mutex_unlock(&agent_hub_the.mu);
    if (!fresh)
        return batch_reply(c, b->seq, true);
    if (!batch_packages(st, b, a) || !batch_audit(st, b, a) || !batch_hand_on(b, a)) {
        pthread_mutex_lock(&agent_hub_the.mu);
        agent_hub_unclaim_locked(&agent_hub_the, a->id, b->seq, prev);
        pthread_mutex_unlock(&agent_hub_the.mu);
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "the server is busy or stopping: send it again");
    }
    return batch_reply(c, b->seq, false);
}

/* The version "keepwatch-agent/VERSION" (the agent's User-Agent) says, into a->version; what
 * says none, or is not a short version ([0-9A-Za-z.+~-], at most 31), leaves it as it was. */
static void batch_version(struct MHD_Connection *c, store_agent *a)
{
    static const char prefix[] = "keepwatch-agent/";
    const char *ua = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_USER_AGENT);
    if (!ua || strncmp(ua, prefix, sizeof prefix - 1) != 0)
        return;
    const char *v = ua + sizeof prefix - 1;
    size_t n = strspn(v, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.+~-");
    if (n && n < sizeof a->version && (!v[n] || v[n] == ' '))
        snprintf(a->version, sizeof a->version, "%.*s", (int)n, v);
}

static enum MHD_Result agent_batch_post(http_server *s, struct MHD_Connection *c, http_req *req)
{
    store_agent a;
    enum MHD_Result ret;
    if (batch_auth(s, c, "a batch", &a, &ret) != KW_OK)
        return ret;
    batch_version(c, &a);
    kw_buf plain;
    kw_buf_init(&plain, AGENT_BODY_MAX);
    const char *json;
    size_t len;
    kw_rc rc = batch_body(c, req, &plain, &json, &len);
    agent_batch b;
    agent_bad bad = AGENT_BAD_GZIP;
    char why[160] = "the body is not gzip or inflates past 8 MiB";
    if (rc == KW_ERR_UNSUPPORTED) {
        kw_buf_free(&plain);
        return http_error(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "Content-Encoding: gzip or none");
    }
    if (rc == KW_OK)
        rc = agent_batch_decode(json, len, &b, &bad, why, sizeof why);
    else
        memset(&b, 0, sizeof b);
    kw_buf_free(&plain);
    if (rc != KW_OK) {
        char addr[64], msg[256];
        http_client_address(c, addr, sizeof addr);
        log_warn("agent %s: refused a malformed batch from %s (%s): %s", a.name, addr, agent_bad_name(bad), why);
        count_locked(&agent_hub_the.refused[bad < AGENT_BAD_COUNT ? bad : AGENT_BAD_SHAPE]);
        agent_batch_free(&b);
        snprintf(msg, sizeof msg, "malformed batch (%s): %s", agent_bad_name(bad), why);
        return http_error(c, MHD_HTTP_BAD_REQUEST, msg);
    }
    ret = batch_take(http_store(s), c, &b, &a);
    agent_batch_free(&b);
    return ret;
}

/* ---- the central config ---- */

/* Whether If-None-Match names etag ("..." or W/"...", among others with commas, or *). */
static bool etag_matches(struct MHD_Connection *c, const char *etag)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (!h)
        return false;
    if (strcmp(h, "*") == 0)
        return true;
    size_t n = strlen(etag);
    for (const char *p = strstr(h, etag); p; p = strstr(p + 1, etag))
        if (p > h && p[-1] == '"' && p[n] == '"')
            return true;
    return false;
}

static enum MHD_Result agent_config_get(http_server *s, struct MHD_Connection *c)
{
    store_agent a;
    enum MHD_Result ret;
    if (batch_auth(s, c, "a config request", &a, &ret) != KW_OK)
        return ret;
    char etag[65], quoted[70];
    pthread_mutex_lock(&agent_hub_the.mu);
    char *doc = agent_central_for(agent_hub_the.central, a.name, etag);
    pthread_mutex_unlock(&agent_hub_the.mu);
    snprintf(quoted, sizeof quoted, "\"%s\"", etag);
    const char *hdrs[] = {MHD_HTTP_HEADER_ETAG, quoted, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache", NULL};
    kw_buf b;
    kw_buf_init(&b, AGENT_BODY_MAX);
    bool same = etag_matches(c, etag);
    if (!same)
        kw_buf_puts(&b, doc);
    free(doc);
    if (b.overflow) {
        kw_buf_free(&b);
        return http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the agent's config is too large");
    }
    return http_respond_hdr(c, same ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, "application/json", &b, hdrs);
}

typedef struct list_ctx {
    kw_json j;
} list_ctx;

static void list_one(void *arg, const store_agent *a)
{
    list_ctx *x = arg;
    pthread_mutex_lock(&agent_hub_the.mu);
    int silent = agent_hub_silent_locked(&agent_hub_the, a->id);
    pthread_mutex_unlock(&agent_hub_the.mu);
    agent_json(&x->j, a, silent);
}

enum MHD_Result agent_http_list(http_server *s, struct MHD_Connection *c)
{
    kw_store *st = http_store(s);
    if (!st)
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "the store is not available");
    kw_buf b;
    kw_buf_init(&b, 64 << 20);
    list_ctx x;
    kw_json_init(&x.j, &b);
    kw_json_obj_begin(&x.j);
    kw_json_key(&x.j, "agents");
    kw_json_arr_begin(&x.j);
    kw_rc rc = store_agent_each(st, list_one, &x);
    kw_json_arr_end(&x.j);
    kw_json_obj_end(&x.j);
    if (rc != KW_OK || b.overflow) {
        kw_buf_free(&b);
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "the agents cannot be read");
    }
    return http_json(c, MHD_HTTP_OK, &b);
}

enum MHD_Result agent_http_route(http_server *s, struct MHD_Connection *c, const char *url, const char *method,
                                 http_req *req)
{
    bool post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    enum MHD_Result ret;
    if (limited(s, c, &ret))
        return ret;
    if (strcmp(url, AGENT_URL "enroll") == 0)
        return post ? agent_enroll_post(s, c, req) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
    if (strcmp(url, AGENT_URL "batch") == 0)
        return post ? agent_batch_post(s, c, req) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
    if (strcmp(url, AGENT_URL "config") == 0)
        return strcmp(method, MHD_HTTP_METHOD_GET) == 0 ? agent_config_get(s, c)
                                                        : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    return http_error(c, MHD_HTTP_NOT_FOUND, "not found");
}
