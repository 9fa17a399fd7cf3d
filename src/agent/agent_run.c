/* agent_run.c: the agent process (`keepwatch agent run`, `keepwatch agent enroll`): each
 * check on its own thread (the check module's runners) turns a failure past its `for` into
 * a service_down alert change (and its recovery into the end of it); the daemon's log sensor
 * reads the log inputs and runs the log rules; every agent.interval
 * the main thread reads the host (the host sensor's collector), takes what the checks left,
 * writes the batch into the spool, and sends the spool's batches oldest first to
 * agent.server with libcurl (TLS verified, agent.ca_file for a private CA). A batch leaves
 * the spool only when the server took it; a server that is away gets them all when it is
 * back. Every agent.packages_interval it reads its package list and sends it when it changed;
 * every agent.audit_interval it runs the host audit and sends the results when they changed. */
#include "agent/agent.h"
#include "agent/agent_pkg.h"
#include "check/check.h"
#include "check/check_conf.h"
#include "conf/conf.h"
#include "core/kw_file.h"
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "daemon/kw_core.h"
#include "host/host.h"
#include "http/http_auth.h"
#include "logs/logs_sensor.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_bool agent_stopping;

static void agent_on_signal(int sig)
{
    (void)sig;
    atomic_store(&agent_stopping, true);
}

/* ---- talking to the server ---- */

typedef struct agent_http {
    CURL *curl;
    const char *ca_file;
    int64_t timeout_ms;
    kw_buf reply;
} agent_http;

static size_t reply_write(char *p, size_t size, size_t n, void *arg)
{
    kw_buf *b = arg;
    return kw_buf_append(b, p, size * n) == KW_OK ? size * n : 0;
}

/* Sets up a request to url with headers hdrs (the reply into h->reply). */
static void http_setup(agent_http *h, const char *url, struct curl_slist *hdrs)
{
    CURL *c = h->curl;
    curl_easy_reset(c);
    kw_buf_reset(&h->reply);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "keepwatch-agent/" KW_VERSION); /* the server shows which */
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)h->timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (h->ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, reply_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &h->reply);
}

/* Performs the request set up; *status: the HTTP status (0: no answer, err says why). */
static kw_rc http_perform(agent_http *h, struct curl_slist *hdrs, long *status, char *err, size_t errn)
{
    CURLcode rc = curl_easy_perform(h->curl);
    curl_slist_free_all(hdrs);
    *status = 0;
    if (rc != CURLE_OK) {
        snprintf(err, errn, "%s", curl_easy_strerror(rc));
        return KW_ERR_IO;
    }
    curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, status);
    return KW_OK;
}

/* POSTs body to url; *status: the HTTP status (0: no answer, err says why). */
static kw_rc http_post(agent_http *h, const char *url, const char *auth, const void *body, size_t n, bool gzip,
                       long *status, char *err, size_t errn)
{
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    if (gzip)
        hdrs = curl_slist_append(hdrs, "Content-Encoding: gzip");
    if (auth)
        hdrs = curl_slist_append(hdrs, auth);
    http_setup(h, url, hdrs);
    curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
    return http_perform(h, hdrs, status, err, errn);
}

/* GETs url, naming etag (when not empty) in If-None-Match. */
static kw_rc http_get(agent_http *h, const char *url, const char *auth, const char *etag, long *status, char *err,
                      size_t errn)
{
    char inm[128];
    struct curl_slist *hdrs = curl_slist_append(NULL, auth);
    if (*etag) {
        snprintf(inm, sizeof inm, "If-None-Match: \"%.64s\"", etag);
        hdrs = curl_slist_append(hdrs, inm);
    }
    http_setup(h, url, hdrs);
    return http_perform(h, hdrs, status, err, errn);
}

static void http_init(agent_http *h, const conf *c)
{
    h->curl = curl_easy_init();
    h->ca_file = c->agent.ca_file;
    h->timeout_ms = c->agent.timeout_ms;
    kw_buf_init(&h->reply, 1 << 20);
}

static void http_free(agent_http *h)
{
    curl_easy_cleanup(h->curl);
    kw_buf_free(&h->reply);
}

/* base (with or without a slash at the end) and path. */
static void url_join(char *out, size_t n, const char *base, const char *path)
{
    size_t l = strlen(base);
    if (l && base[l - 1] == '/')
        l--;
    snprintf(out, n, "%.*s/%s", (int)(l > 1500 ? 1500 : l), base, path);
}

/* Whether an http:// URL names this machine (127.0.0.0/8, [::1], localhost). */
static bool agent_url_loopback(const char *url)
{
    const char *h = url + 7;
    return strncmp(h, "127.", 4) == 0 || strncmp(h, "[::1]", 5) == 0 ||
           (strncmp(h, "localhost", 9) == 0 && strchr(":/", h[9]));
}

/* ---- enrolment ---- */

/* Writes data[0..n) to path, 0600, whole or not at all (a temporary file renamed over it). */
static kw_rc write_whole_file(const char *path, const char *data, size_t n, char *err, size_t errn)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    int fd = kw_file_open_private(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    bool ok = fd >= 0 && write(fd, data, n) == (ssize_t)n && fsync(fd) == 0;
    if (fd >= 0 && close(fd) != 0)
        ok = false;
    if (ok && rename(tmp, path) == 0)
        return KW_OK;
    snprintf(err, errn, "cannot write %s: %s", path, strerror(errno));
    unlink(tmp);
    return KW_ERR_IO;
}

static kw_rc write_credential(const char *path, const char *cred, char *err, size_t errn)
{
    char line[128];
    int n = snprintf(line, sizeof line, "%s\n", cred);
    kw_rc rc = write_whole_file(path, line, (size_t)n, err, errn);
    OPENSSL_cleanse(line, sizeof line);
    return rc;
}

/* The credential file's directory, made before the token is spent (0700 when made now). */
static kw_rc credential_dir(const char *path, char *err, size_t errn)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return KW_OK;
    *slash = '\0';
    return dir[0] ? kw_dir_make(dir, 0700, NULL, err, errn) : KW_OK;
}

kw_rc agent_enroll(const char *url, const char *token, const char *ca_file, const char *path, char *err, size_t errn)
{
    if (credential_dir(path, err, errn) != KW_OK)
        return KW_ERR_IO;
    agent_http h = {curl_easy_init(), ca_file, 30000, {0}};
    kw_buf_init(&h.reply, 1 << 16);
    char full[2048], body[256];
    url_join(full, sizeof full, url, "api/v1/agent/enroll");
    snprintf(body, sizeof body, "{\"token\":\"%.100s\"}", token);
    long status;
    kw_rc rc = http_post(&h, full, NULL, body, strlen(body), false, &status, err, errn);
    OPENSSL_cleanse(body, sizeof body);
    json_t *reply = rc == KW_OK ? json_loadb(kw_buf_cstr(&h.reply), h.reply.len, 0, NULL) : NULL;
    const char *cred = json_string_value(json_object_get(reply, "credential"));
    if (rc == KW_OK && (status != 200 || !cred || strncmp(cred, AGENT_CRED_PREFIX, 4) != 0)) {
        const char *why = json_string_value(json_object_get(reply, "error"));
        snprintf(err, errn, "the server refused (HTTP %ld): %s", status, why ? why : kw_buf_cstr(&h.reply));
        rc = KW_ERR_RANGE;
    }
    if (rc == KW_OK)
        rc = write_credential(path, cred, err, errn);
    if (rc == KW_OK)
        snprintf(err, errn, "%s", json_string_value(json_object_get(reply, "agent")));
    json_decref(reply);
    OPENSSL_cleanse(h.reply.data, h.reply.len);
    http_free(&h);
    return rc;
}

/* ---- the checks ----
 * Each check runs on its own thread (a slow one delays no other, nor the batch) and leaves
 * its outcome in the outbox: its latest samples (older ones are replaced), its alert changes
 * and events, which the next batch takes. */

#define OUTBOX_CHANGES 256
#define OUTBOX_EVENTS ((size_t)1 << 20)

typedef struct agent_change {
    agent_alert_kind kind;
    int severity;
    int64_t ts_ms;
    double value;
    char rule[128];
    char summary[600];
    uint8_t nlabels;
    char lk[AGENT_MAX_ALERT_LABELS][64];
    char lv[AGENT_MAX_ALERT_LABELS][AGENT_VALUE_MAX + 1];
} agent_change;

#define OUTBOX_SOURCES 64 /* the log sensor's sets, by source */

typedef struct agent_outbox {
    pthread_mutex_t mu;
    metric_set **sets;       /* [nchecks]: each check's latest samples, NULL once taken */
    char (*sources)[160];    /* [nchecks]: "check:NAME" */
    bool *firing;            /* [nchecks]: its service_down is open (sent, not ended) */
    agent_change *changes;   /* [OUTBOX_CHANGES] */
    size_t nchanges;
    kw_buf events;           /* ECS lines, '\n' between */
    struct {                 /* the log sensor's latest sets */
        char source[160];
        metric_set *set;
    } logs[OUTBOX_SOURCES];
    kw_offsets positions;    /* where the log inputs are, with the lines above: written once spooled */
} agent_outbox;

typedef struct agent_check {
    agent_outbox *out;
    kw_sensors *group;
    const conf_check *c;
    size_t slot;
    int last_up;             /* -1: not run yet */
    int64_t down_since;      /* wall clock, 0: up */
    bool firing;             /* service_down sent */
    bool cert_firing;        /* certificate_expiry sent */
    bool cert_known;         /* a certificate was read since the start */
} agent_check;

/* Under o->mu: appends ECS lines (whole only: a cut one would spoil the batch; what does not
 * fit is left out). */
static void outbox_events(agent_outbox *o, const char *lines, size_t n)
{
    if (!n || o->events.len + n + 1 >= OUTBOX_EVENTS)
        return;
    if (o->events.len)
        kw_buf_putc(&o->events, '\n');
    kw_buf_append(&o->events, lines, n);
}

/* Under out->mu: one alert change of check k's (labels: check=NAME); false when the outbox
 * has no room (told next run). */
static agent_change *check_push(agent_check *k, const char *rule, bool fire, int severity, int64_t ts, double value)
{
    agent_outbox *o = k->out;
    if (o->nchanges >= OUTBOX_CHANGES)
        return NULL;
    agent_change *a = &o->changes[o->nchanges++];
    memset(a, 0, sizeof *a);
    a->kind = fire ? AGENT_ALERT_FIRE : AGENT_ALERT_RESOLVE;
    snprintf(a->rule, sizeof a->rule, "%s", rule);
    a->nlabels = 1;
    snprintf(a->lk[0], sizeof a->lk[0], "check");
    snprintf(a->lv[0], sizeof a->lv[0], "%s", k->c->name);
    a->severity = severity;
    a->ts_ms = ts;
    a->value = value;
    return a;
}

/* Under out->mu: k's service_down fires or ends. */
static bool check_change(agent_check *k, bool fire, const check_result *r, int64_t ts)
{
    int sev = k->c->severity >= 1 && k->c->severity <= 4 ? k->c->severity : 3;
    agent_change *a = check_push(k, "service_down", fire, sev, fire ? k->down_since : ts, r->up);
    if (!a)
        return false;
    snprintf(a->summary, sizeof a->summary, "%s (%s) is %s: %s", k->c->name, check_type_name(k->c->type),
             fire ? "down" : "up", r->message);
    k->firing = fire;
    k->out->firing[k->slot] = fire;
    return true;
}

/* Under out->mu: a TLS or HTTPS check's certificate_expiry, as the server's rule of the same name
 * says it (check_tls_cert_expiry_days < warn_days): fires while the certificate expires within
 * warn_days, ends when a renewed one does not (or, at the first run, of what a run before a
 * restart may have sent). A run that read no certificate changes nothing. */
static void cert_outcome(agent_check *k, const check_result *r, int64_t ts)
{
    const conf_check *c = k->c;
    if (!check_conf_watches_cert(c) || !isfinite(r->cert_days))
        return;
    bool expiring = r->cert_days < (double)c->warn_days;
    if (k->cert_known && expiring == k->cert_firing)
        return;
    agent_change *a = check_push(k, "certificate_expiry", expiring, KW_SEV_MEDIUM, ts, r->cert_days);
    if (!a)
        return; /* told next run */
    snprintf(a->summary, sizeof a->summary, "%s: TLS certificate expires in %.0f days", c->name, r->cert_days);
    k->cert_firing = expiring;
    k->cert_known = true;
}

/* Under out->mu: one result of k: its samples; its event when its state changed; service_down
 * once it has failed for its `for`, and its end when it is up again (or, at the first run,
 * of what a run before a restart may have sent). */
static void check_outcome(agent_check *k, const check_result *r, int64_t ts, metric_set *ms)
{
    agent_outbox *o = k->out;
    metric_set_free(o->sets[k->slot]);
    o->sets[k->slot] = ms;
    if ((int)r->up != k->last_up) {
        kw_buf line;
        kw_buf_init(&line, 65536);
        check_result_ecs(k->c, r, ts, &line);
        if (!line.overflow)
            outbox_events(o, line.data, line.len);
        kw_buf_free(&line);
    }
    if (!r->up && !k->down_since)
        k->down_since = ts;
    if (!r->up && !k->firing && ts - k->down_since >= k->c->for_ms)
        check_change(k, true, r, ts);
    cert_outcome(k, r, ts);
    if (r->up && (k->firing || k->last_up == -1) && !check_change(k, false, r, ts))
        return; /* no room: the end is told next run */
    if (r->up)
        k->down_since = 0;
    k->last_up = r->up;
}

static void *check_main(void *arg)
{
    agent_check *k = arg;
    check_ctx *ctx = check_ctx_new();
    int64_t next = kw_mono_ms();
    do {
        check_result r;
        if (check_run(k->c, ctx, kw_sensors_stopping(k->group), &r) == KW_ERR_CANCELLED)
            break;
        int64_t ts = kw_now_ms();
        if ((int)r.up != k->last_up) {
            if (r.up)
                log_info("check %s is up: %s", k->c->name, r.message);
            else
                log_warn("check %s is down: %s", k->c->name, r.message);
        }
        metric_set *ms = metric_set_new(ts);
        check_result_metrics(k->c, &r, ms);
        pthread_mutex_lock(&k->out->mu);
        check_outcome(k, &r, ts, ms);
        pthread_mutex_unlock(&k->out->mu);
        next += k->c->interval_ms;
        if (next < kw_mono_ms())
            next = kw_mono_ms() + k->c->interval_ms;
    } while (kw_sensors_wait(k->group, next));
    check_ctx_free(ctx);
    return NULL;
}

/* Under out->mu: what the checks left, into the batch (and out of the outbox). */
static size_t outbox_take(agent_outbox *o, size_t nchecks, agent_batch_writer *w)
{
    for (size_t i = 0; i < nchecks; i++)
        if (o->sets[i]) {
            agent_batch_add_set(w, o->sources[i], o->sets[i]);
            metric_set_free(o->sets[i]);
            o->sets[i] = NULL;
        }
    for (size_t i = 0; i < OUTBOX_SOURCES && o->logs[i].set; i++) {
        agent_batch_add_set(w, o->logs[i].source, o->logs[i].set);
        metric_set_free(o->logs[i].set);
        o->logs[i].set = NULL;
    }
    size_t n = o->nchanges;
    for (size_t i = 0; i < n; i++) {
        agent_change *c = &o->changes[i];
        agent_alert a = {.kind = c->kind, .rule = c->rule, .summary = c->summary, .severity = c->severity,
                         .ts_ms = c->ts_ms, .value = c->value, .nlabels = c->nlabels};
        for (uint8_t k = 0; k < c->nlabels; k++) {
            a.lk[k] = c->lk[k];
            a.lv[k] = c->lv[k];
        }
        agent_batch_add_alert(w, &a);
    }
    o->nchanges = 0;
    const char *p = o->events.data;
    size_t left = o->events.len;
    while (p && left) {
        const char *nl = memchr(p, '\n', left);
        size_t len = nl ? (size_t)(nl - p) : left;
        if (len)
            agent_batch_add_event(w, p, len);
        p += len + (nl ? 1 : 0);
        left -= len + (nl ? 1 : 0);
    }
    kw_buf_reset(&o->events);
    return n;
}

/* ---- the log inputs ----
 * The daemon's log sensor, its push leaving in the outbox what it would hand the core: its
 * detections' alert changes (fire, update and end; the sensor waits while the outbox has no room),
 * its ECS lines, its series and where its inputs are. Those positions go to
 * state_dir/agent.positions once the lines before them are in the spool, so a restarted
 * agent goes on where it stopped. */

/* Sets each of from's positions in to (by key). */
static void positions_merge(kw_offsets *to, const kw_offsets *from)
{
    for (size_t i = 0; i < from->n; i++) {
        const kw_offset *f = &from->v[i];
        size_t k = 0;
        while (k < to->n && strcmp(to->v[k].key, f->key) != 0)
            k++;
        if (k == to->n) {
            kw_offsets_add(to, f->key, f->dev, f->ino, f->offset, f->cursor);
            continue;
        }
        free(to->v[k].cursor);
        to->v[k] = (kw_offset){to->v[k].key, f->dev, f->ino, f->offset, f->cursor ? kw_strdup(f->cursor) : NULL};
    }
}

/* The positions file: a JSON line per input ({key, dev, ino, offset, cursor}), written whole. */
static void positions_write(const char *path, const kw_offsets *o)
{
    kw_buf b;
    kw_buf_init(&b, 16 << 20);
    for (size_t i = 0; i < o->n; i++) {
        kw_json j;
        kw_json_init(&j, &b);
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "key", o->v[i].key);
        kw_json_kv_int(&j, "dev", (int64_t)o->v[i].dev);
        kw_json_kv_int(&j, "ino", (int64_t)o->v[i].ino);
        kw_json_kv_int(&j, "offset", o->v[i].offset);
        if (o->v[i].cursor)
            kw_json_kv_str(&j, "cursor", o->v[i].cursor);
        kw_json_obj_end(&j);
        kw_buf_putc(&b, '\n');
    }
    char err[256];
    if (b.overflow || write_whole_file(path, b.data ? b.data : "", b.len, err, sizeof err) != KW_OK)
        log_warn("agent: the log positions: %s", b.overflow ? "too many" : err);
    kw_buf_free(&b);
}

static void positions_read(const char *path, kw_offsets *out)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[8192];
    while (fgets(line, sizeof line, f)) {
        json_t *o = json_loads(line, 0, NULL);
        const char *key = json_string_value(json_object_get(o, "key"));
        json_t *dev = json_object_get(o, "dev"), *ino = json_object_get(o, "ino"), *off = json_object_get(o, "offset");
        if (key && json_is_integer(dev) && json_is_integer(ino) && json_is_integer(off) && json_integer_value(off) >= 0)
            kw_offsets_add(out, key, (uint64_t)json_integer_value(dev), (uint64_t)json_integer_value(ino),
                           json_integer_value(off), json_string_value(json_object_get(o, "cursor")));
        json_decref(o);
    }
    fclose(f);
}

/* Under o->mu: a detector's act as an alert change: fired (or reopened), updated (a log
 * rule's count grew: its value and summary) or ended. */
static void outbox_act(agent_outbox *o, const alert_act *x)
{
    agent_change *a = &o->changes[o->nchanges++];
    memset(a, 0, sizeof *a);
    a->kind = x->kind == ALERT_ACT_RESOLVE  ? AGENT_ALERT_RESOLVE
              : x->kind == ALERT_ACT_UPDATE ? AGENT_ALERT_UPDATE
                                            : AGENT_ALERT_FIRE;
    bool fire = a->kind == AGENT_ALERT_FIRE;
    snprintf(a->rule, sizeof a->rule, "%s", x->rule);
    snprintf(a->summary, sizeof a->summary, "%s", x->summary ? x->summary : x->rule);
    a->severity = x->severity >= 1 && x->severity <= 4 ? x->severity : 3;
    a->ts_ms = fire && x->started_ms ? x->started_ms : x->at_ms ? x->at_ms : kw_now_ms();
    a->value = isfinite(x->value) ? x->value : 0;
    json_t *labels = json_loads(x->labels_json ? x->labels_json : "{}", 0, NULL);
    const char *k;
    json_t *v;
    json_object_foreach(labels, k, v)
    {
        if (a->nlabels == AGENT_MAX_ALERT_LABELS || !json_is_string(v) || strcmp(k, "host") == 0 ||
            strlen(k) >= sizeof a->lk[0])
            continue;
        snprintf(a->lk[a->nlabels], sizeof a->lk[0], "%s", k);
        snprintf(a->lv[a->nlabels], sizeof a->lv[0], "%s", json_string_value(v));
        a->nlabels++;
    }
    json_decref(labels);
}

/* Under o->mu: the sensor's latest set of source (taken). */
static void outbox_log_set(agent_outbox *o, const char *source, metric_set *ms)
{
    size_t i = 0;
    while (i < OUTBOX_SOURCES && o->logs[i].set && strcmp(o->logs[i].source, source) != 0)
        i++;
    if (i == OUTBOX_SOURCES) { /* more sources than slots: the latest wins the last */
        i = OUTBOX_SOURCES - 1;
    }
    metric_set_free(o->logs[i].set);
    snprintf(o->logs[i].source, sizeof o->logs[i].source, "%s", source);
    o->logs[i].set = ms;
}

static bool agent_log_push(void *arg, kw_event *ev)
{
    agent_outbox *o = arg;
    pthread_mutex_lock(&o->mu);
    if (ev->acts && o->nchanges + ev->acts->n > OUTBOX_CHANGES) { /* all or nothing: the sensor waits */
        pthread_mutex_unlock(&o->mu);
        return false;
    }
    for (size_t i = 0; ev->acts && i < ev->acts->n; i++)
        outbox_act(o, &ev->acts->v[i]);
    if (ev->ecs)
        outbox_events(o, ev->ecs, strlen(ev->ecs));
    if (ev->metrics) {
        outbox_log_set(o, ev->source, ev->metrics);
        ev->metrics = NULL;
    }
    if (ev->offsets)
        positions_merge(&o->positions, ev->offsets);
    pthread_mutex_unlock(&o->mu);
    kw_event_free(ev);
    return true;
}

static void agent_log_publish(void *arg, char *json)
{
    (void)arg;
    free(json); /* no API here to show it */
}

/* ---- the loop ---- */

typedef struct agent_proc {
    const conf *c;           /* the configuration running: the local file's, or merged (owned) */
    const conf *local;       /* the one the agent was started with (the caller's) */
    conf *owned;             /* the local file and the server's central config, merged */
    char etag[66];           /* of the central config applied ("": none) */
    char *central_path;      /* its last good copy (state_dir/agent.central) */
    int64_t next_config;     /* when to ask the server again (monotonic) */
    long config_status;      /* the last unexpected answer to it (logged once) */
    char config_url[2048];
    agent_spool *spool;
    agent_http http;
    host_collector *host;
    agent_outbox *out;       /* the sensors' (a new one each start: a leaked thread keeps its old one) */
    kw_sensors *checks;      /* a thread per enabled check */
    log_sensor *logs;        /* the log inputs, when there are any */
    char *positions_path;    /* where the log inputs were (state_dir/agent.positions) */
    kw_offsets positions;    /* all of them, as last written */
    size_t nchecks;
    char url[2048];
    char auth[128];      /* "Authorization: Bearer kwa_..." */
    bool refused;        /* the server said 401: said once, tried again each turn */
    bool limited;        /* the server said 429 (this address was refused too often): said once */
    char *packages_path; /* state_dir/agent.packages: the last list spooled (its SHA-256, when) */
    char packages_hash[65];
    int64_t packages_sent_ms;
    int64_t next_packages; /* when to read the list again (monotonic) */
    bool packages_failed;  /* the list could not be read (said once) */
    char audit_hash[65];   /* the host audit's results last spooled (in memory: resent after a restart) */
    int64_t audit_sent_ms;
    int64_t next_audit;    /* when to run it again (monotonic) */
} agent_proc;

static const metric_desc m_spool_batches = {"agent_spool_batches", "Batches waiting in the agent's spool.",
                                            METRIC_GAUGE, false};
static const metric_desc m_spool_bytes = {"agent_spool_bytes", "Bytes waiting in the agent's spool.", METRIC_GAUGE,
                                          false};
static const metric_desc m_spool_dropped = {"agent_spool_dropped_total",
                                            "Metric batches the agent's spool dropped past its bound.", METRIC_COUNTER,
                                            false};

/* The agent's own series: its spool. */
static void self_set(agent_proc *p, agent_batch_writer *w, int64_t ts)
{
    metric_set *ms = metric_set_new(ts);
    metric_add(ms, &m_spool_batches, (double)agent_spool_count(p->spool), NULL);
    metric_add(ms, &m_spool_bytes, (double)agent_spool_bytes(p->spool), NULL);
    metric_add(ms, &m_spool_dropped, (double)agent_spool_dropped(p->spool), NULL);
    agent_batch_add_set(w, "agent", ms);
    metric_set_free(ms);
}

static void host_set(agent_proc *p, agent_batch_writer *w)
{
    if (!p->host)
        return;
    host_snapshot *snap = NULL;
    host_collect(p->host, &snap);
    metric_set *ms = metric_set_new(snap->ts_ms);
    host_snapshot_metrics(snap, ms);
    agent_batch_add_set(w, "host", ms);
    metric_set_free(ms);
    host_snapshot_free(snap);
}

/* Ends batch seq (w, writing into json) and puts it into the spool (kept: never dropped past
 * its bound); frees json. */
static kw_rc spool_batch(agent_proc *p, agent_batch_writer *w, kw_buf *json, int64_t seq, bool kept)
{
    kw_buf gz;
    kw_buf_init(&gz, AGENT_BODY_MAX);
    kw_rc rc = agent_batch_end(w);
    if (rc == KW_OK)
        rc = agent_gzip_deflate(json->data, json->len, &gz);
    if (rc == KW_OK)
        rc = agent_spool_put(p->spool, gz.data, gz.len, kept);
    if (rc != KW_OK)
        log_error("agent: batch %lld could not be spooled: %s", (long long)seq, kw_rc_str(rc));
    kw_buf_free(json);
    kw_buf_free(&gz);
    return rc;
}

/* One turn's batch, into the spool. */
static void agent_spool_turn(agent_proc *p)
{
    kw_buf json;
    kw_buf_init(&json, AGENT_BODY_MAX);
    int64_t seq = agent_spool_next_seq(p->spool);
    agent_batch_writer *w = agent_batch_begin(&json, seq, agent_spool_dropped(p->spool));
    host_set(p, w);
    self_set(p, w, kw_now_ms());
    pthread_mutex_lock(&p->out->mu);
    size_t nalerts = outbox_take(p->out, p->nchecks, w);
    kw_offsets moved = p->out->positions; /* with the lines they follow */
    memset(&p->out->positions, 0, sizeof p->out->positions);
    pthread_mutex_unlock(&p->out->mu);
    spool_batch(p, w, &json, seq, nalerts > 0);
    if (moved.n) { /* the lines are in the spool: the inputs go on after them from now on */
        positions_merge(&p->positions, &moved);
        positions_write(p->positions_path, &p->positions);
    }
    kw_offsets_free(&moved);
}

/* Sends one spooled batch: true when the server has it (or refused it as malformed: kept, it
 * would block every later one). */
static bool send_one(agent_proc *p, int64_t seq, const kw_buf *b)
{
    long status;
    char err[256];
    if (http_post(&p->http, p->url, p->auth, b->data, b->len, true, &status, err, sizeof err) != KW_OK) {
        log_debug("agent: %s: %s", p->url, err);
        return false;
    }
    if (status == 200) {
        p->refused = p->limited = false;
        return true;
    }
    if (status == 400 || status == 413) { /* sent again it would be refused again, and hold up the rest */
        log_error("agent: the server refused batch %lld (HTTP %ld): %s: dropped", (long long)seq, status,
                  kw_buf_cstr(&p->http.reply));
        return true;
    }
    if (status == 401 && !p->refused) {
        log_error("agent: the server refused the credential (%s): enrol again (keepwatch agent enroll)",
                  kw_buf_cstr(&p->http.reply));
        p->refused = true;
    } else if (status == 429 && !p->limited) {
        log_warn("agent: the server makes this address wait (HTTP 429: %s): batches kept for later",
                 kw_buf_cstr(&p->http.reply));
        p->limited = true;
    } else if (status != 401 && status != 429) {
        log_warn("agent: the server answered %ld to batch %lld: kept for later", status, (long long)seq);
    }
    return false;
}

/* Sends the spool oldest first until it is empty, the server fails, or the turn's time is up. */
static void agent_drain(agent_proc *p, int64_t until)
{
    kw_buf b;
    kw_buf_init(&b, AGENT_WIRE_BATCH_MAX);
    size_t sent = 0, waiting = agent_spool_count(p->spool);
    int64_t seq;
    kw_rc rc;
    while (!atomic_load(&agent_stopping) && kw_mono_ms() < until &&
           (rc = agent_spool_peek(p->spool, &seq, &b)) != KW_ERR_NOTFOUND) {
        if (rc != KW_OK) { /* unreadable or too large: it would hold up the rest for ever */
            log_error("agent: spooled batch %lld cannot be read: dropped", (long long)seq);
            agent_spool_remove(p->spool, seq);
            continue;
        }
        if (!send_one(p, seq, &b))
            break;
        agent_spool_remove(p->spool, seq);
        sent++;
    }
    if (sent > 1 || (waiting > 1 && !sent))
        log_info("agent: %zu batches sent, %zu waiting in the spool", sent, agent_spool_count(p->spool));
    kw_buf_free(&b);
}

/* The credential from its file: "Authorization: Bearer kwa_..." into p->auth. */
static bool read_credential(agent_proc *p, const char *path)
{
    int fd = kw_file_open_private(path, O_RDONLY, 0600);
    char buf[128] = "";
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    bool ok = strncmp(buf, AGENT_CRED_PREFIX, 4) == 0 && strlen(buf) == 68;
    if (ok)
        snprintf(p->auth, sizeof p->auth, "Authorization: Bearer %s", buf);
    OPENSSL_cleanse(buf, sizeof buf);
    return ok;
}

static void agent_checks_start(agent_proc *p, const conf *c)
{
    p->out = kw_calloc(1, sizeof *p->out);
    pthread_mutex_init(&p->out->mu, NULL);
    kw_buf_init(&p->out->events, OUTBOX_EVENTS);
    p->out->sets = kw_calloc(c->checks.n + 1, sizeof *p->out->sets);
    p->out->sources = kw_calloc(c->checks.n + 1, sizeof *p->out->sources);
    p->out->firing = kw_calloc(c->checks.n + 1, sizeof *p->out->firing);
    p->out->changes = kw_calloc(OUTBOX_CHANGES, sizeof *p->out->changes);
    p->checks = kw_sensors_new(c->checks.n);
    for (size_t i = 0; i < c->checks.n; i++) {
        const conf_check *k = CONF_AT(c->checks, conf_check, i);
        if (!k->enabled)
            continue;
        agent_check *a = kw_calloc(1, sizeof *a);
        *a = (agent_check){p->out, p->checks, k, p->nchecks, -1, 0, false};
        snprintf(p->out->sources[p->nchecks], sizeof p->out->sources[0], "check:%s", k->name);
        p->nchecks++;
        char label[160];
        snprintf(label, sizeof label, "check %s", k->name);
        if (!kw_sensors_spawn(p->checks, check_main, a, label))
            log_error("agent: cannot start the thread of check %s", k->name);
    }
}

/* Frees the outbox (its threads have stopped). */
static void outbox_free(agent_proc *p)
{
    for (size_t i = 0; i < p->nchecks; i++)
        metric_set_free(p->out->sets[i]);
    for (size_t i = 0; i < OUTBOX_SOURCES; i++)
        metric_set_free(p->out->logs[i].set);
    free(p->out->changes);
    kw_offsets_free(&p->out->positions);
    free(p->out->sets);
    free(p->out->sources);
    free(p->out->firing);
    kw_buf_free(&p->out->events);
    pthread_mutex_destroy(&p->out->mu);
    free(p->out);
    p->out = NULL;
}

/* The sensors on c: the host collector, a thread per check, the log inputs. */
static void agent_sensors_start(agent_proc *p, const conf *c)
{
    char err[512];
    p->c = c;
    if (c->host.enabled)
        p->host = host_collector_new(c, NULL);
    agent_checks_start(p, c);
    if (log_sensor_wanted(c)) {
        log_sensor_hooks h = {agent_log_push, agent_log_publish, p->out, NULL};
        if (!(p->logs = log_sensor_start(c, &h, &p->positions, err, sizeof err)))
            log_error("agent: the log inputs: %s", err);
    }
}

/* Stops the sensors: the log inputs' last lines and the checks' alert changes go into one
 * more batch, and where the inputs stopped is written. True when a check's thread was left
 * behind: the outbox and the configuration it reads must stay. */
static bool agent_sensors_stop(agent_proc *p)
{
    bool logs = p->logs != NULL, leaked = false;
    if (logs) {
        kw_offsets last = {0};
        log_sensor_stop(p->logs, &last);
        p->logs = NULL;
        pthread_mutex_lock(&p->out->mu);
        positions_merge(&p->out->positions, &last);
        pthread_mutex_unlock(&p->out->mu);
        kw_offsets_free(&last);
    }
    kw_sensors_stop(p->checks, 2000, &leaked);
    p->checks = NULL;
    pthread_mutex_lock(&p->out->mu);
    bool changes = p->out->nchanges > 0;
    pthread_mutex_unlock(&p->out->mu);
    if (logs || changes) /* what they left, alert changes above all, goes into one more batch */
        agent_spool_turn(p);
    if (leaked) /* a check's thread still runs: what it writes must stay */
        p->out = NULL;
    else
        outbox_free(p);
    p->nchecks = 0;
    host_collector_free(p->host);
    p->host = NULL;
    return leaked;
}

/* ---- the central config ----
 * GET agent.server/api/v1/agent/config at start and every agent.config_interval (If-None-Match:
 * the one applied); a new one is merged over the local file (read again) and applied as a
 * reload: the sensors stop and start on the merged configuration. The last good one is kept in
 * state_dir/agent.central (its ETag on the first line), so an agent that starts while the
 * server is away starts with it. A bad one is logged and the running configuration kept. */

/* The local file read again, with the document doc[0..len) merged over it; NULL (logged) if
 * either is refused. */
static conf *central_build(const agent_proc *p, const char *doc, size_t len)
{
    conf_errors errs = {0};
    conf *next = NULL;
    char err[1024];
    if (conf_load(p->local->path, &next, &errs) != KW_OK) {
        log_error("agent: the central config is not applied: %s no longer loads: %s",
                  p->local->path ? p->local->path : "the built-in configuration", errs.n ? errs.v[0] : "?");
        conf_errors_free(&errs);
        return NULL;
    }
    if (agent_central_merge(next, doc, len, err, sizeof err) != KW_OK) {
        log_error("agent: the server's central config is refused (the running one is kept): %s", err);
        conf_free(next);
        return NULL;
    }
    return next;
}

#define CENTRAL_GONE_MAX 64 /* removed checks whose service_down is ended, at most */

/* The names of the checks whose service_down is open, into names (at most max). */
static size_t checks_firing(agent_proc *p, char (*names)[128], size_t max)
{
    size_t n = 0;
    pthread_mutex_lock(&p->out->mu);
    for (size_t i = 0; i < p->nchecks && n < max; i++)
        if (p->out->firing[i])
            snprintf(names[n++], sizeof names[0], "%s", p->out->sources[i] + strlen("check:"));
    pthread_mutex_unlock(&p->out->mu);
    return n;
}

/* Ends the service_down of the checks in names[n] that c no longer runs: nothing else would. */
static void checks_gone(agent_proc *p, const conf *c, char (*names)[128], size_t n)
{
    pthread_mutex_lock(&p->out->mu);
    for (size_t i = 0; i < n && p->out->nchanges < OUTBOX_CHANGES; i++) {
        bool kept = false;
        for (size_t j = 0; j < c->checks.n && !kept; j++) {
            const conf_check *k = CONF_AT(c->checks, conf_check, j);
            kept = k->enabled && strcmp(k->name, names[i]) == 0;
        }
        if (kept)
            continue;
        agent_change *a = &p->out->changes[p->out->nchanges++];
        *a = (agent_change){.kind = AGENT_ALERT_RESOLVE, .severity = 3, .ts_ms = kw_now_ms(), .value = 0, .nlabels = 1};
        snprintf(a->rule, sizeof a->rule, "service_down");
        snprintf(a->summary, sizeof a->summary, "%.127s is no longer checked (the central config removed it)",
                 names[i]);
        snprintf(a->lk[0], sizeof a->lk[0], "check");
        snprintf(a->lv[0], sizeof a->lv[0], "%.127s", names[i]);
    }
    pthread_mutex_unlock(&p->out->mu);
}

/* Runs on next (merged from the config with ETag etag) from now on. */
static void central_apply(agent_proc *p, conf *next, const char *etag)
{
    char gone[CENTRAL_GONE_MAX][128];
    size_t ngone = p->out ? checks_firing(p, gone, CENTRAL_GONE_MAX) : 0;
    if (p->out && agent_sensors_stop(p))
        log_warn("agent: a check's thread did not stop: the configuration it reads is kept");
    else
        conf_free(p->owned);
    p->owned = next;
    snprintf(p->etag, sizeof p->etag, "%s", etag);
    agent_sensors_start(p, next);
    checks_gone(p, next, gone, ngone);
    log_info("agent: central config %.12s applied: %zu checks, %zu log inputs, %zu log rules", etag,
             next->checks.n, next->logs.inputs.n, next->logs.rules.n);
}

/* The whole of a private file into b (bounded by b); false when it cannot be read. */
static bool read_private(const char *path, kw_buf *b)
{
    int fd = kw_file_open_private(path, O_RDONLY, 0600);
    if (fd < 0)
        return false;
    char chunk[8192];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0 && kw_buf_append(b, chunk, (size_t)n) == KW_OK)
        ;
    close(fd);
    return n == 0 && !b->overflow;
}

/* The last good copy: its ETag and document (the caller frees it), or NULL. */
static char *central_read(const agent_proc *p, char etag[66])
{
    kw_buf b;
    kw_buf_init(&b, AGENT_BODY_MAX + 128);
    char *doc = NULL;
    if (read_private(p->central_path, &b) && b.len && !memchr(b.data, '\0', b.len)) {
        const char *all = kw_buf_cstr(&b), *nl = memchr(all, '\n', b.len);
        size_t el = nl ? (size_t)(nl - all) : 0;
        if (nl && el && el < 66 && strspn(all, "0123456789abcdef") == el) {
            memcpy(etag, all, el);
            etag[el] = '\0';
            doc = kw_strdup(nl + 1);
        }
    }
    kw_buf_free(&b);
    return doc;
}

static void central_write(const agent_proc *p, const char *etag, const char *doc, size_t len)
{
    kw_buf b;
    kw_buf_init(&b, AGENT_BODY_MAX + 128);
    kw_buf_printf(&b, "%s\n", etag);
    kw_buf_append(&b, doc, len);
    char err[256];
    if (b.overflow || write_whole_file(p->central_path, b.data, b.len, err, sizeof err) != KW_OK)
        log_warn("agent: the central config's copy: %s", b.overflow ? "too large" : err);
    kw_buf_free(&b);
}

/* The server's ETag header (unquoted) into etag; false when there is none. */
static bool central_etag(agent_http *h, char etag[66])
{
    struct curl_header *hd;
    if (curl_easy_header(h->curl, "ETag", 0, CURLH_HEADER, -1, &hd) != CURLHE_OK)
        return false;
    const char *v = hd->value;
    size_t n = strlen(v);
    if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
        v++;
        n -= 2;
    }
    if (!n || n >= 66 || strspn(v, "0123456789abcdef") != n)
        return false;
    memcpy(etag, v, n);
    etag[n] = '\0';
    return true;
}

/* Asks the server for the central config; applies and keeps one that changed. False when the
 * server could not be asked (or refused). */
static bool central_poll(agent_proc *p)
{
    long status;
    char err[256], etag[66];
    p->next_config = kw_mono_ms() + p->local->agent.config_interval_ms;
    if (http_get(&p->http, p->config_url, p->auth, p->etag, &status, err, sizeof err) != KW_OK) {
        log_debug("agent: %s: %s", p->config_url, err);
        return false;
    }
    if (status == 304)
        return true;
    if (status != 200 || !central_etag(&p->http, etag)) {
        if (status != p->config_status)
            log_warn("agent: the server answered %ld to the config request%s", status,
                     status == 200 ? " without an ETag" : "");
        p->config_status = status;
        return false;
    }
    p->config_status = 0;
    if (strcmp(etag, p->etag) == 0 && p->owned)
        return true;
    const kw_buf *r = &p->http.reply;
    conf *next = central_build(p, r->data ? r->data : "", r->len);
    if (!next)
        return true;
    central_write(p, etag, r->data ? r->data : "", r->len);
    central_apply(p, next, etag);
    return true;
}

/* At start: the server's central config, or when it cannot be had, the last good copy. */
static void central_start(agent_proc *p)
{
    if (central_poll(p) && p->owned)
        return;
    char etag[66];
    char *doc = central_read(p, etag);
    conf *next = doc ? central_build(p, doc, strlen(doc)) : NULL;
    if (next) {
        log_info("agent: starting with the last central config from %s", p->central_path);
        central_apply(p, next, etag);
    }
    free(doc);
}

/* ---- the package list ----
 * At start and every agent.packages_interval the agent reads its installed packages (under
 * agent.packages_root) and, when the list differs from the one last spooled (its SHA-256 and
 * when, kept in state_dir/agent.packages) or that one was spooled a day ago or more, spools it
 * as a batch of its own, kept like alert changes (never dropped past the spool's bound). A
 * list the server refused is thus sent again a day later at the latest. */

#define PACKAGES_RESEND_MS ((int64_t)24 * 3600 * 1000)

static void packages_state_read(agent_proc *p)
{
    kw_buf b;
    kw_buf_init(&b, 256);
    long long sent = 0;
    char hash[65] = "";
    if (read_private(p->packages_path, &b) && sscanf(kw_buf_cstr(&b), "%64s %lld", hash, &sent) == 2 &&
        strlen(hash) == 64 && strspn(hash, "0123456789abcdef") == 64) {
        memcpy(p->packages_hash, hash, sizeof hash);
        p->packages_sent_ms = sent;
    }
    kw_buf_free(&b);
}

static void packages_state_write(const agent_proc *p)
{
    char line[128], err[256];
    int n = snprintf(line, sizeof line, "%s %lld\n", p->packages_hash, (long long)p->packages_sent_ms);
    if (write_whole_file(p->packages_path, line, (size_t)n, err, sizeof err) != KW_OK)
        log_warn("agent: the package list's state: %s", err);
}

/* Spools the packages section sec (SHA-256 hash) in a batch of its own. */
static void packages_spool(agent_proc *p, const kw_buf *sec, const char *hash, const agent_packages *pk)
{
    kw_buf json;
    kw_buf_init(&json, AGENT_BODY_MAX);
    int64_t seq = agent_spool_next_seq(p->spool);
    agent_batch_writer *w = agent_batch_begin(&json, seq, agent_spool_dropped(p->spool));
    agent_batch_add_packages(w, sec->data, sec->len);
    if (spool_batch(p, w, &json, seq, true) != KW_OK)
        return;
    memcpy(p->packages_hash, hash, 65);
    p->packages_sent_ms = kw_now_ms();
    packages_state_write(p);
    log_info("agent: package list spooled: %zu %s packages (%s %s)", pk->list.n, pk->manager, pk->os.id,
             pk->os.version_id);
}

/* Reads the package list; spools it when it changed (or a day went by). */
static void packages_turn(agent_proc *p)
{
    const conf *c = p->c;
    p->next_packages = kw_mono_ms() + c->agent.packages_interval_ms;
    agent_packages *pk;
    char err[512];
    if (agent_packages_read(c->agent.packages_root, &pk, err, sizeof err) != KW_OK) {
        if (!p->packages_failed)
            log_warn("agent: no package list is sent: %s", err);
        p->packages_failed = true;
        return;
    }
    p->packages_failed = false;
    if (pk->list.n > AGENT_MAX_PACKAGES)
        log_warn("agent: %zu packages installed: only the first %d are sent", pk->list.n, AGENT_MAX_PACKAGES);
    kw_buf sec;
    kw_buf_init(&sec, AGENT_BODY_MAX / 2);
    kw_json j;
    kw_json_init(&j, &sec);
    agent_packages_json(&j, pk);
    char hash[65];
    auth_sha256_hex(kw_buf_cstr(&sec), hash);
    if (sec.overflow)
        log_warn("agent: the package list is too large to send");
    else if (strcmp(hash, p->packages_hash) != 0 || kw_now_ms() - p->packages_sent_ms >= PACKAGES_RESEND_MS)
        packages_spool(p, &sec, hash, pk);
    kw_buf_free(&sec);
    agent_packages_free(pk);
}

/* ---- the host audit ----
 * At start and every agent.audit_interval the agent runs the host baseline on its system
 * (agent.packages_root) and spools the results as a batch of their own when they differ from
 * the last ones sent, or a day went by: the server records the failures as findings and
 * raises audit_drift when they changed. */

static void audit_turn(agent_proc *p)
{
    const conf *c = p->c;
    p->next_audit = kw_mono_ms() + c->agent.audit_interval_ms;
    kw_buf sec;
    kw_buf_init(&sec, AGENT_BODY_MAX / 2);
    size_t n = 0;
    char err[512] = "", hash[65];
    kw_rc rc = agent_audit_section(c->agent.packages_root, &sec, &n, err, sizeof err);
    if (rc != KW_OK) {
        log_warn("agent: the host audit is not sent: %s", err);
        kw_buf_free(&sec);
        return;
    }
    auth_sha256_hex(kw_buf_cstr(&sec), hash);
    if (strcmp(hash, p->audit_hash) != 0 || kw_now_ms() - p->audit_sent_ms >= PACKAGES_RESEND_MS) {
        kw_buf json;
        kw_buf_init(&json, AGENT_BODY_MAX);
        int64_t seq = agent_spool_next_seq(p->spool);
        agent_batch_writer *w = agent_batch_begin(&json, seq, agent_spool_dropped(p->spool));
        agent_batch_add_audit(w, sec.data, sec.len);
        if (spool_batch(p, w, &json, seq, true) == KW_OK) {
            memcpy(p->audit_hash, hash, sizeof hash);
            p->audit_sent_ms = kw_now_ms();
            log_info("agent: host audit spooled: %zu results", n);
        }
    }
    kw_buf_free(&sec);
}

static bool agent_open(agent_proc *p, const conf *c)
{
    char err[512];
    char *cred = conf_state_path(c, c->agent.credential_file);
    bool ok = read_credential(p, cred);
    if (!ok)
        log_error("agent: no credential in %s: keepwatch agent enroll URL --token TOKEN", cred);
    free(cred);
    char *dir = conf_state_path(c, c->agent.spool_dir);
    if (ok && !(p->spool = agent_spool_open(dir, c->agent.spool_max, err, sizeof err))) {
        log_error("agent: the spool: %s", err);
        ok = false;
    }
    free(dir);
    if (!ok)
        return false;
    url_join(p->url, sizeof p->url, c->agent.server, "api/v1/agent/batch");
    url_join(p->config_url, sizeof p->config_url, c->agent.server, "api/v1/agent/config");
    if (strncmp(p->url, "http://", 7) == 0 && !agent_url_loopback(p->url))
        log_warn("agent: %s is plain HTTP: the credential and the batches cross the network unencrypted "
                 "(https:// and http.tls_cert on the server)", c->agent.server);
    http_init(&p->http, c);
    p->positions_path = conf_state_path(c, "agent.positions");
    p->central_path = conf_state_path(c, "agent.central");
    p->packages_path = conf_state_path(c, "agent.packages");
    packages_state_read(p);
    if (log_sensor_wanted(c))
        positions_read(p->positions_path, &p->positions);
    central_start(p);
    if (!p->owned)
        agent_sensors_start(p, c);
    if (agent_spool_count(p->spool))
        log_info("agent: %zu batches from before wait in the spool", agent_spool_count(p->spool));
    return true;
}

static void agent_close(agent_proc *p)
{
    if (p->out && !agent_sensors_stop(p))
        conf_free(p->owned);
    kw_offsets_free(&p->positions);
    free(p->positions_path);
    free(p->central_path);
    free(p->packages_path);
    if (p->http.curl)
        http_free(&p->http);
    agent_spool_close(p->spool);
    OPENSSL_cleanse(p->auth, sizeof p->auth);
}

int agent_run(const conf *c)
{
    if (!c->agent.server || !*c->agent.server) {
        log_error("agent: agent.server is not set (the keepwatch server's URL)");
        return 2;
    }
    struct sigaction sa = {0};
    sa.sa_handler = agent_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    agent_proc p = {.c = c, .local = c};
    int status = 0;
    if (agent_open(&p, c)) {
        log_info("agent: reporting to %s every %lld ms", c->agent.server, (long long)c->agent.interval_ms);
        int64_t next = kw_mono_ms();
        while (!atomic_load(&agent_stopping)) {
            if (c->agent.packages_interval_ms > 0 && kw_mono_ms() >= p.next_packages)
                packages_turn(&p);
            if (c->agent.audit_interval_ms > 0 && kw_mono_ms() >= p.next_audit)
                audit_turn(&p);
            agent_spool_turn(&p);
            next += c->agent.interval_ms;
            if (next < kw_mono_ms())
                next = kw_mono_ms() + c->agent.interval_ms;
            agent_drain(&p, next);
            if (kw_mono_ms() >= p.next_config)
                central_poll(&p);
            while (!atomic_load(&agent_stopping) && kw_mono_ms() < next)
                usleep(50000);
        }
        log_info("agent: stopping; %zu batches kept in the spool", agent_spool_count(p.spool));
    } else {
        status = 1;
    }
    agent_close(&p);
    curl_global_cleanup();
    return status;
}
