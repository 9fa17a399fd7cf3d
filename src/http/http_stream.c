/* Live updates for the console: GET /api/v1/stream, server-sent events.
 *
 * One hub thread watches the store (any change by anyone: PRAGMA data_version) and the
 * metric registry, and publishes events into a ring of the last RING messages:
 *   alerts  {"firing", "acked", "change"}   an alert fired, changed or was handled
 *   duty    {"last"}                         the duty log grew
 *   tick    {"ts", "traffic": [...], "host": {...}}   every second, for the live charts
 *   resync  {}                               this client fell behind the ring: fetch anew
 * and a comment every 15 s, so dead connections are found and proxies keep the stream.
 *
 * Each stream is a libmicrohttpd callback response. With nothing to send, its reader
 * suspends the connection (no thread waits, no busy loop); a publish resumes every suspended
 * stream. Signing out ends the session's streams at once; a session that expired or whose
 * user was deleted (by the CLI, in another process) ends them within SESSION_CHECK_MS. Every
 * stream ends after STREAM_MAX_MS anyway; the browser's EventSource reconnects. */
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "http/http_int.h"
#include "http/http_reply.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RING 64
#define MAX_STREAMS 256
#define STREAM_MAX_MS (10 * 60 * 1000)
#define WATCH_MS 250
#define TICK_MS 1000
#define PING_MS 15000
#define SESSION_CHECK_MS 5000

typedef struct stream {
    struct http_stream_hub *hub;
    struct MHD_Connection *conn;
    uint64_t next_seq;       /* the next ring message it gets */
    char *cur;               /* the message being sent, and how far */
    size_t len, off;
    bool suspended;
    bool ended;              /* its session was signed out */
    char sid_hash[65];       /* the session's, "" for the API token */
    int64_t started_ms;
    struct stream *prev, *next;
} stream;

typedef struct http_stream_hub {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct {
        char *data;
        size_t len;
    } ring[RING];
    uint64_t seq;            /* the last message published; message k is ring[k % RING] */
    stream *streams;
    int nstreams;
    bool stopping;
    pthread_t thread;
    http_shared *sh;
    int64_t idle_ms, max_ms;  /* the sessions' limits */
    /* the watcher's (the hub thread's only) */
    kw_store *st;
    int64_t version[2], alert_change, duty_last;
    int64_t firing, acked;
} http_stream_hub;

/* Under mu: appends a message and wakes every waiting stream. */
static void publish_locked(http_stream_hub *h, kw_buf *msg)
{
    h->seq++;
    free(h->ring[h->seq % RING].data);
    h->ring[h->seq % RING].len = msg->len;
    h->ring[h->seq % RING].data = kw_buf_take(msg);
    for (stream *s = h->streams; s; s = s->next)
        if (s->suspended) {
            s->suspended = false;
            MHD_resume_connection(s->conn);
        }
}

static void publish(http_stream_hub *h, const char *event, kw_buf *json)
{
    kw_buf m;
    kw_buf_init(&m, 0);
    if (event)
        kw_buf_printf(&m, "event: %s\ndata: %s\n\n", event, kw_buf_cstr(json));
    else
        kw_buf_puts(&m, ": ping\n\n");
    pthread_mutex_lock(&h->mu);
    publish_locked(h, &m);
    pthread_mutex_unlock(&h->mu);
    kw_buf_free(&m);
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    stream *s = cls;
    http_stream_hub *h = s->hub;
    pthread_mutex_lock(&h->mu);
    if (s->off == s->len) {
        free(s->cur);
        s->cur = NULL;
        s->len = s->off = 0;
        if (h->stopping || s->ended || kw_now_ms() - s->started_ms > STREAM_MAX_MS) {
            pthread_mutex_unlock(&h->mu);
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        if (s->next_seq > h->seq) { /* nothing new: sleep until a publish */
            s->suspended = true;
            MHD_suspend_connection(s->conn);
            pthread_mutex_unlock(&h->mu);
            return 0;
        }
        uint64_t oldest = h->seq >= RING ? h->seq - RING + 1 : 1;
        if (s->next_seq < oldest) {
            s->cur = kw_strdup("event: resync\ndata: {}\n\n");
            s->len = strlen(s->cur);
            s->next_seq = h->seq + 1;
        } else {
            size_t n = h->ring[s->next_seq % RING].len;
            s->cur = kw_malloc(n);
            memcpy(s->cur, h->ring[s->next_seq % RING].data, n);
            s->len = n;
            s->next_seq++;
        }
    }
    size_t n = s->len - s->off < max ? s->len - s->off : max;
    memcpy(buf, s->cur + s->off, n);
    s->off += n;
    pthread_mutex_unlock(&h->mu);
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    stream *s = cls;
    http_stream_hub *h = s->hub;
    pthread_mutex_lock(&h->mu);
    if (s->prev)
        s->prev->next = s->next;
    else
        h->streams = s->next;
    if (s->next)
        s->next->prev = s->prev;
    h->nstreams--;
    pthread_mutex_unlock(&h->mu);
    free(s->cur);
    free(s);
}

enum MHD_Result api_stream(http_server *srv, struct MHD_Connection *c, const principal *p)
{
    http_stream_hub *h = srv->hub;
    stream *s = kw_calloc(1, sizeof *s);
    s->hub = h;
    s->conn = c;
    memcpy(s->sid_hash, p->sid_hash, sizeof s->sid_hash);
    s->started_ms = kw_now_ms();
    pthread_mutex_lock(&h->mu);
    if (h->stopping || h->nstreams >= MAX_STREAMS) {
        pthread_mutex_unlock(&h->mu);
        free(s);
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "too many live streams");
    }
    /* first: how long the browser waits before reconnecting, and where things stand */
    kw_buf m;
    kw_buf_init(&m, 0);
    kw_buf_printf(&m, "retry: 3000\nevent: hello\ndata: {\"firing\":%lld,\"acked\":%lld,\"duty_last\":%lld}\n\n",
                  (long long)h->firing, (long long)h->acked, (long long)h->duty_last);
    s->len = m.len;
    s->cur = kw_buf_take(&m);
    s->next_seq = h->seq + 1;
    s->next = h->streams;
    if (h->streams)
        h->streams->prev = s;
    h->streams = s;
    h->nstreams++;
    pthread_mutex_unlock(&h->mu);
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, s, stream_free);
    MHD_add_response_header(r, "Content-Type", "text/event-stream; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    return http_queue(c, MHD_HTTP_OK, r);
}

void http_stream_drop_session(http_stream_hub *h, const char *sid_hash)
{
    pthread_mutex_lock(&h->mu);
    for (stream *s = h->streams; s; s = s->next)
        if (s->sid_hash[0] && strcmp(s->sid_hash, sid_hash) == 0) {
            s->ended = true;
            if (s->suspended) {
                s->suspended = false;
                MHD_resume_connection(s->conn);
            }
        }
    pthread_mutex_unlock(&h->mu);
}

/* ---- the watcher ---- */

/* Alerts or the duty log changed (by anyone, in any process)? */
static void watch_store(http_stream_hub *h)
{
    if (!h->st) {
        char err[256];
        h->st = store_open(h->sh->store_path, true, err, sizeof err);
        if (!h->st)
            return;
    }
    int64_t v[2];
    store_version(h->st, v);
    if (v[0] == h->version[0] && v[1] == h->version[1])
        return;
    h->version[0] = v[0];
    h->version[1] = v[1];
    int64_t change = store_alert_history_max(h->st), duty = 0;
    char head[65];
    store_duty_head(h->st, &duty, head);
    int64_t counts[4] = {0};
    store_alert_counts(h->st, counts);
    store_release(h->st);
    kw_buf b;
    kw_buf_init(&b, 0);
    if (change != h->alert_change || counts[ALERT_FIRING] != h->firing || counts[ALERT_ACKED] != h->acked) {
        h->alert_change = change;
        h->firing = counts[ALERT_FIRING];
        h->acked = counts[ALERT_ACKED];
        kw_buf_printf(&b, "{\"firing\":%lld,\"acked\":%lld,\"change\":%lld}", (long long)h->firing,
                      (long long)h->acked, (long long)change);
        publish(h, "alerts", &b);
        kw_buf_reset(&b);
    }
    if (duty != h->duty_last) {
        h->duty_last = duty;
        kw_buf_printf(&b, "{\"last\":%lld}", (long long)duty);
        publish(h, "duty", &b);
    }
    kw_buf_free(&b);
}

typedef struct tick_ctx {
    kw_json *j;
    const char *key;         /* NULL: an array of samples; else one value under key */
} tick_ctx;

static void tick_target(void *arg, const metric_sample *m)
{
    tick_ctx *t = arg;
    kw_json_obj_begin(t->j);
    kw_json_kv_str(t->j, "target", metric_label(m, "target"));
    kw_json_kv_str(t->j, "interface", metric_label(m, "interface"));
    kw_json_kv_num(t->j, t->key, m->value);
    kw_json_obj_end(t->j);
}

static void tick_value(void *arg, const metric_sample *m)
{
    tick_ctx *t = arg;
    kw_json_kv_num(t->j, t->key, m->value);
}

/* Every second: what the live charts draw. Traffic to each watched target (packets and bits
 * per second, per interface) and the host's busy CPU, used memory and load. */
static void publish_tick(http_stream_hub *h)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_key(&j, "ts");
    kw_json_time(&j, kw_now_ms());
    metric_registry *r = h->sh->metrics;
    static const struct {
        const char *key, *metric;
    } traffic[] = {{"pps", "net_target_packets_per_second"}, {"bps", "net_target_bits_per_second"}},
      host[] = {{"cpu", "host_cpu_usage_ratio"}, {"memory", "host_memory_used_ratio"}, {"load1", "host_load1"}};
    for (size_t i = 0; i < 2; i++) {
        kw_json_key(&j, traffic[i].key);
        kw_json_arr_begin(&j);
        tick_ctx t = {&j, "value"};
        metric_registry_each(r, traffic[i].metric, tick_target, &t);
        kw_json_arr_end(&j);
    }
    kw_json_key(&j, "host");
    kw_json_obj_begin(&j);
    for (size_t i = 0; i < sizeof host / sizeof host[0]; i++) {
        tick_ctx t = {&j, host[i].key};
        metric_registry_each(r, host[i].metric, tick_value, &t);
    }
    kw_json_obj_end(&j);
    kw_json_obj_end(&j);
    publish(h, "tick", &b);
    kw_buf_free(&b);
}

/* Ends the streams of sessions that no longer stand. */
static void check_sessions(http_stream_hub *h)
{
    if (!h->st)
        return;
    char (*sids)[65] = NULL;
    size_t n = 0;
    pthread_mutex_lock(&h->mu);
    if (h->nstreams > 0)
        sids = kw_calloc((size_t)h->nstreams, sizeof *sids);
    for (stream *s = h->streams; s && n < (size_t)h->nstreams; s = s->next)
        if (s->sid_hash[0] && !s->ended)
            memcpy(sids[n++], s->sid_hash, sizeof *sids);
    pthread_mutex_unlock(&h->mu);
    int64_t now = kw_now_ms();
    for (size_t i = 0; i < n; i++)
        if ((i == 0 || strcmp(sids[i], sids[i - 1]) != 0) && /* a session's streams are usually together */
            !store_session_alive(h->st, sids[i], now, h->idle_ms, h->max_ms))
            http_stream_drop_session(h, sids[i]);
    store_release(h->st);
    free(sids);
}

static void *hub_main(void *arg)
{
    http_stream_hub *h = arg;
    pthread_setname_np(pthread_self(), "kw-stream");
    int64_t next_tick = 0, next_ping = kw_now_ms() + PING_MS, next_check = kw_now_ms() + SESSION_CHECK_MS;
    pthread_mutex_lock(&h->mu);
    while (!h->stopping) {
        bool anyone = h->nstreams > 0;
        pthread_mutex_unlock(&h->mu);
        watch_store(h); /* always: the hello event says where things stand */
        int64_t now = kw_now_ms();
        if (anyone && now >= next_tick) {
            publish_tick(h);
            next_tick = now + TICK_MS;
        }
        if (now >= next_ping) {
            publish(h, NULL, NULL);
            next_ping = now + PING_MS;
        }
        if (anyone && now >= next_check) {
            check_sessions(h);
            next_check = now + SESSION_CHECK_MS;
        }
        pthread_mutex_lock(&h->mu);
        if (!h->stopping) {
            int64_t until = kw_mono_ms() + WATCH_MS;
            struct timespec ts = {.tv_sec = until / 1000, .tv_nsec = until % 1000 * 1000000};
            pthread_cond_timedwait(&h->cv, &h->mu, &ts);
        }
    }
    pthread_mutex_unlock(&h->mu);
    store_close(h->st);
    h->st = NULL;
    return NULL;
}

http_stream_hub *http_stream_start(http_shared *sh, int64_t idle_ms, int64_t max_ms)
{
    http_stream_hub *h = kw_calloc(1, sizeof *h);
    h->sh = sh;
    h->idle_ms = idle_ms;
    h->max_ms = max_ms;
    pthread_mutex_init(&h->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&h->cv, &ca);
    pthread_condattr_destroy(&ca);
    watch_store(h);
    if (pthread_create(&h->thread, NULL, hub_main, h) != 0) {
        log_error("http: cannot start the live-update thread: %s", strerror(errno));
        pthread_mutex_lock(&h->mu);
        h->stopping = true; /* streams are refused */
        pthread_mutex_unlock(&h->mu);
        h->thread = 0;
    }
    return h;
}

void http_stream_end(http_stream_hub *h)
{
    pthread_mutex_lock(&h->mu);
    h->stopping = true;
    for (stream *s = h->streams; s; s = s->next)
        if (s->suspended) { /* each ends at its next read */
            s->suspended = false;
            MHD_resume_connection(s->conn);
        }
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
    if (h->thread)
        pthread_join(h->thread, NULL);
    h->thread = 0;
}

void http_stream_free(http_stream_hub *h)
{
    if (!h)
        return;
    for (int i = 0; i < RING; i++)
        free(h->ring[i].data);
    store_close(h->st);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h);
}
