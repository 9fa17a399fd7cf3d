#include "http/http.h"
#include "alert/alert.h"
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "host/host.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

struct http_server {
    struct MHD_Daemon *mhd;
    http_shared *sh;
    uint64_t max_body;
    pthread_key_t store_key;
};

typedef struct {
    kw_buf body;
    bool too_large;
} http_req;

int http_parse_listen(const char *listen, struct sockaddr_storage *ss, unsigned *len)
{
    const char *colon = strrchr(listen, ':');
    if (!colon)
        return 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 1 || port > 65535)
        return 0;
    char host[64];
    size_t hl = (size_t)(colon - listen);
    if (hl == 0 || hl >= sizeof host)
        return 0;
    memcpy(host, listen, hl);
    host[hl] = '\0';
    memset(ss, 0, sizeof *ss);
    if (host[0] == '[' && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        *len = sizeof *a;
        return inet_pton(AF_INET6, host + 1, &a->sin6_addr) == 1;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    *len = sizeof *a;
    if (strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    return inet_pton(AF_INET, host, &a->sin_addr) == 1;
}

host_snapshot *http_shared_swap_host(http_shared *sh, host_snapshot *host)
{
    pthread_mutex_lock(&sh->mu);
    host_snapshot *old = sh->host;
    sh->host = host;
    pthread_mutex_unlock(&sh->mu);
    return old;
}

void http_shared_set_logs(http_shared *sh, char *json)
{
    pthread_mutex_lock(&sh->mu);
    char *old = sh->logs;
    sh->logs = json;
    pthread_mutex_unlock(&sh->mu);
    free(old);
}

static void store_key_free(void *p) { store_close(p); }

/* This thread's store handle, opened on first use. */
static kw_store *thread_store(http_server *s)
{
    kw_store *st = pthread_getspecific(s->store_key);
    if (st)
        return st;
    char err[256];
    st = store_open(s->sh->store_path, false, err, sizeof err);
    if (!st) {
        log_error("http: cannot open the store: %s", err);
        return NULL;
    }
    pthread_setspecific(s->store_key, st);
    return st;
}

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *type, kw_buf *body)
{
    size_t len = body->len;
    char *data = kw_buf_take(body);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"keepwatch\"");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result respond_json(struct MHD_Connection *c, unsigned status, kw_buf *body)
{
    kw_buf_putc(body, '\n');
    return respond(c, status, "application/json; charset=utf-8", body);
}

static enum MHD_Result respond_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "error", msg);
    kw_json_kv_int(&j, "status", status);
    kw_json_obj_end(&j);
    return respond_json(c, status, &b);
}

static bool authorized(http_server *s, struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return false;
    h += 7;
    while (*h == ' ')
        h++;
    size_t n = strlen(s->sh->token);
    return strlen(h) == n && CRYPTO_memcmp(h, s->sh->token, n) == 0;
}

/* Parses a whole decimal id from the path; 0 if it is not one. */
static int64_t parse_id(const char *s, const char **rest)
{
    int64_t v = 0;
    const char *p = s;
    while (*p >= '0' && *p <= '9' && v < INT64_MAX / 10)
        v = v * 10 + (*p++ - '0');
    *rest = p;
    return p == s ? 0 : v;
}

static int64_t query_int(struct MHD_Connection *c, const char *key, int64_t def, int64_t lo, int64_t hi)
{
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
    if (!v)
        return def;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (*end || n < lo || n > hi)
        return def;
    return n;
}

static enum MHD_Result api_health(http_server *s, struct MHD_Connection *c)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "status", "ok");
    kw_json_kv_str(&j, "version", KW_VERSION);
    kw_json_kv_num(&j, "uptime_seconds", (double)(kw_now_ms() - s->sh->started_ms) / 1000.0);
    kw_json_key(&j, "alerts");
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "firing", atomic_load(&s->sh->alerts_firing));
    kw_json_kv_int(&j, "acked", atomic_load(&s->sh->alerts_acked));
    kw_json_obj_end(&j);
    kw_json_obj_end(&j);
    return respond_json(c, MHD_HTTP_OK, &b);
}

static enum MHD_Result api_metrics(http_server *s, struct MHD_Connection *c)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    metric_registry_render(s->sh->metrics, &b);
    return respond(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", &b);
}

static enum MHD_Result api_host(http_server *s, struct MHD_Connection *c)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    pthread_mutex_lock(&s->sh->mu);
    if (s->sh->host)
        host_snapshot_json(s->sh->host, &b);
    pthread_mutex_unlock(&s->sh->mu);
    if (!b.len) {
        kw_buf_free(&b);
        return respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "no host reading yet");
    }
    return respond_json(c, MHD_HTTP_OK, &b);
}

/* The log sensor's inputs, rules, senders, devices and signature libraries with their counts. */
static enum MHD_Result api_logs(http_server *s, struct MHD_Connection *c)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    pthread_mutex_lock(&s->sh->mu);
    if (s->sh->logs)
        kw_buf_puts(&b, s->sh->logs);
    pthread_mutex_unlock(&s->sh->mu);
    if (!b.len) {
        kw_buf_free(&b);
        return respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "no log inputs configured (logs.inputs)");
    }
    return respond_json(c, MHD_HTTP_OK, &b);
}

static enum MHD_Result api_alert_list(http_server *s, struct MHD_Connection *c)
{
    kw_store *st = thread_store(s);
    if (!st)
        return respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "store unavailable");
    store_alert_query q = {0};
    const char *state = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "state");
    if (state) {
        q.state = strcmp(state, "open") == 0 ? -1 : alert_state_parse(state);
        if (!q.state)
            return respond_error(c, MHD_HTTP_BAD_REQUEST, "state must be firing, acked, resolved or open");
    }
    q.limit = query_int(c, "limit", 100, 1, 1000);
    q.before_id = query_int(c, "before", 0, 1, INT64_MAX);
    kw_buf b;
    kw_buf_init(&b, 0);
    if (store_alert_list_json(st, &q, &b) != KW_OK) {
        kw_buf_free(&b);
        return respond_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, store_errmsg(st));
    }
    return respond_json(c, MHD_HTTP_OK, &b);
}

static enum MHD_Result api_alert_get(http_server *s, struct MHD_Connection *c, int64_t id, unsigned status)
{
    kw_store *st = thread_store(s);
    if (!st)
        return respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "store unavailable");
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_rc rc = store_alert_get_json(st, id, &b);
    if (rc != KW_OK) {
        kw_buf_free(&b);
        return rc == KW_ERR_NOTFOUND ? respond_error(c, MHD_HTTP_NOT_FOUND, "no such alert")
                                     : respond_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, store_errmsg(st));
    }
    return respond_json(c, status, &b);
}

/* POST /api/v1/alerts/ID/ack|resolve with an optional body {"by": "...", "note": "..."}. */
static enum MHD_Result api_alert_act(http_server *s, struct MHD_Connection *c, int64_t id, bool ack, http_req *req)
{
    if (req->too_large)
        return respond_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
    char by[128] = "api", note[2048] = "";
    if (req->body.len) {
        json_error_t jerr;
        json_t *root = json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES, &jerr);
        if (!root || !json_is_object(root)) {
            json_decref(root);
            return respond_error(c, MHD_HTTP_BAD_REQUEST, "the body must be a JSON object: {\"by\": ..., \"note\": ...}");
        }
        json_t *v = json_object_get(root, "by");
        if (json_is_string(v) && json_string_length(v) > 0)
            kw_strlcpy(by, json_string_value(v), sizeof by);
        v = json_object_get(root, "note");
        if (json_is_string(v))
            kw_strlcpy(note, json_string_value(v), sizeof note);
        json_decref(root);
    }
    kw_store *st = thread_store(s);
    if (!st)
        return respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "store unavailable");
    int prev = 0;
    int64_t now = kw_now_ms();
    kw_rc rc = ack ? store_alert_ack(st, id, by, note[0] ? note : NULL, now, &prev)
                   : store_alert_resolve(st, id, by, note[0] ? note : NULL, now, &prev);
    if (rc == KW_ERR_NOTFOUND)
        return respond_error(c, MHD_HTTP_NOT_FOUND, "no such alert");
    if (rc == KW_ERR_RANGE) {
        char msg[128];
        snprintf(msg, sizeof msg, "the alert is %s", alert_state_name(prev));
        return respond_error(c, MHD_HTTP_CONFLICT, msg);
    }
    if (rc != KW_OK)
        return respond_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, store_errmsg(st));
    log_info("alert %lld %s by %s%s%s", (long long)id, ack ? "acknowledged" : "resolved", by, note[0] ? ": " : "",
             note);
    return api_alert_get(s, c, id, MHD_HTTP_OK);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    http_server *s = cls;
    http_req *req = *con_cls;
    if (!req) {
        req = kw_calloc(1, sizeof *req);
        kw_buf_init(&req->body, s->max_body);
        *con_cls = req;
        return MHD_YES;
    }
    if (*upload_size) {
        if (kw_buf_append(&req->body, upload, *upload_size) != KW_OK)
            req->too_large = true;
        *upload_size = 0;
        return MHD_YES;
    }
    bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    bool post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    if (strcmp(url, "/api/v1/health") == 0 || strcmp(url, "/healthz") == 0)
        return get ? api_health(s, c) : respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strcmp(url, "/metrics") == 0)
        return get ? api_metrics(s, c) : respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strncmp(url, "/api/", 5) != 0)
        return respond_error(c, MHD_HTTP_NOT_FOUND, "not found");
    if (!authorized(s, c))
        return respond_error(c, MHD_HTTP_UNAUTHORIZED, "a bearer token is required (see var/api.token)");
    if (strcmp(url, "/api/v1/alerts") == 0)
        return get ? api_alert_list(s, c) : respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strcmp(url, "/api/v1/host") == 0)
        return get ? api_host(s, c) : respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strcmp(url, "/api/v1/logs") == 0)
        return get ? api_logs(s, c) : respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strncmp(url, "/api/v1/alerts/", 15) == 0) {
        const char *rest;
        int64_t id = parse_id(url + 15, &rest);
        if (id <= 0)
            return respond_error(c, MHD_HTTP_NOT_FOUND, "not found");
        if (!*rest)
            return get ? api_alert_get(s, c, id, MHD_HTTP_OK)
                       : respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
        if (strcmp(rest, "/ack") == 0 || strcmp(rest, "/resolve") == 0)
            return post ? api_alert_act(s, c, id, rest[1] == 'a', req)
                        : respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
    }
    return respond_error(c, MHD_HTTP_NOT_FOUND, "not found");
}

static void request_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    http_server *s = cls;
    kw_store *st = pthread_getspecific(s->store_key);
    if (st)
        store_release(st); /* no snapshot outlives its request */
    http_req *req = *con_cls;
    if (!req)
        return;
    kw_buf_free(&req->body);
    free(req);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    log_warn("http: %s", msg);
}

http_server *http_start(const char *listen, int threads, uint64_t max_body, http_shared *sh, char *err, size_t errn)
{
    struct sockaddr_storage ss;
    unsigned len;
    if (!http_parse_listen(listen, &ss, &len)) {
        snprintf(err, errn, "listen: \"%s\" is not ADDRESS:PORT", listen);
        return NULL;
    }
    http_server *s = kw_calloc(1, sizeof *s);
    s->sh = sh;
    s->max_body = max_body;
    pthread_key_create(&s->store_key, store_key_free);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    uint16_t port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                   : ((struct sockaddr_in *)&ss)->sin_port);
    s->mhd = MHD_start_daemon(flags, port, NULL, NULL, handle, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
                              MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                              MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_CONNECTION_LIMIT, 1024u,
                              MHD_OPTION_PER_IP_CONNECTION_LIMIT, 256u, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                              MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_NOTIFY_COMPLETED,
                              request_done, s, MHD_OPTION_END);
    if (!s->mhd) {
        snprintf(err, errn, "cannot listen on %s: %s", listen, errno ? strerror(errno) : "libmicrohttpd refused");
        pthread_key_delete(s->store_key);
        free(s);
        return NULL;
    }
    return s;
}

void http_stop(http_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->mhd);
    pthread_key_delete(s->store_key);
    free(s);
}
