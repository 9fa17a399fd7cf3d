#include "http/http.h"
#include "alert/alert.h"
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "host/host.h"
#include "http/http_auth.h"
#include "http/http_console.h"
#include "notify/notify.h"
#include "oncall/oncall.h"
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
    bool tls;
    int64_t idle_ms, max_ms;
    auth_limiter *limiter;
    char *cert, *key;          /* PEM, for the TLS library */
};

/* Who is asking: the API token (full rights, no CSRF: no browser sends it on its own), or a
 * console session. */
typedef struct principal {
    bool ok, token;
    store_user user;
    char csrf[65];
    char sid_hash[65];
} principal;

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

void http_shared_set_conf(http_shared *sh, const struct conf *c)
{
    pthread_rwlock_wrlock(&sh->cfg_lock);
    sh->cfg = c;
    pthread_rwlock_unlock(&sh->cfg_lock);
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

/* Responds with body (taken) and extra headers (name, value pairs, NULL-terminated). */
static enum MHD_Result respond_hdr(struct MHD_Connection *c, unsigned status, const char *type, kw_buf *body,
                                   const char *const *hdrs)
{
    size_t len = body->len;
    char *data = kw_buf_take(body);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    for (size_t i = 0; hdrs && hdrs[i]; i += 2)
        MHD_add_response_header(r, hdrs[i], hdrs[i + 1]);
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"keepwatch\"");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *type, kw_buf *body)
{
    return respond_hdr(c, status, type, body, NULL);
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

static bool token_ok(http_server *s, struct MHD_Connection *c)
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

/* The API token, or a live session cookie. */
static void who(http_server *s, struct MHD_Connection *c, principal *p)
{
    memset(p, 0, sizeof *p);
    if (token_ok(s, c)) {
        p->ok = p->token = true;
        snprintf(p->user.name, sizeof p->user.name, "api");
        p->user.role = ROLE_ADMIN;
        return;
    }
    const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "kw_session");
    if (!cookie || strlen(cookie) != 64)
        return;
    auth_sha256_hex(cookie, p->sid_hash);
    kw_store *st = thread_store(s);
    p->ok = st && store_session_get(st, p->sid_hash, kw_now_ms(), s->idle_ms, s->max_ms, &p->user, p->csrf) == KW_OK;
}

/* A request that changes something, made with a session cookie, must carry the session's
 * CSRF token, and come from this origin if the browser says where it comes from. */
static bool csrf_ok(http_server *s, struct MHD_Connection *c, const principal *p)
{
    if (p->token)
        return true;
    const char *t = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
    if (!t || !auth_equal(t, p->csrf))
        return false;
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    if (!origin)
        return true;
    const char *scheme = s->tls ? "https://" : "http://";
    size_t sl = strlen(scheme);
    return host && strncmp(origin, scheme, sl) == 0 && strcmp(origin + sl, host) == 0;
}

static void client_address(struct MHD_Connection *c, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, n, "?");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)n);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)n);
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

static enum MHD_Result api_health(http_server *s, struct MHD_Connection *c, bool details)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "status", "ok");
    if (!details) { /* a load balancer needs no more; nobody unknown gets more */
        kw_json_obj_end(&j);
        return respond_json(c, MHD_HTTP_OK, &b);
    }
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
static enum MHD_Result api_alert_act(http_server *s, struct MHD_Connection *c, int64_t id, bool ack, http_req *req,
                                     const principal *p)
{
    if (req->too_large)
        return respond_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
    if (p->user.role < (ack ? ROLE_MEMBER : ROLE_OFFICER))
        return respond_error(c, MHD_HTTP_FORBIDDEN, ack ? "viewers cannot acknowledge alerts"
                                                        : "only duty officers and admins resolve alerts");
    char by[128] = "api", note[2048] = "";
    if (req->body.len) {
        json_error_t jerr;
        json_t *root = json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES, &jerr);
        if (!root || !json_is_object(root)) {
            json_decref(root);
            return respond_error(c, MHD_HTTP_BAD_REQUEST, "the body must be a JSON object: {\"by\": ..., \"note\": ...}");
        }
        json_t *v = json_object_get(root, "by");
        if (p->token && json_is_string(v) && json_string_length(v) > 0) /* a person signed in is who they are */
            kw_strlcpy(by, json_string_value(v), sizeof by);
        v = json_object_get(root, "note");
        if (json_is_string(v))
            kw_strlcpy(note, json_string_value(v), sizeof note);
        json_decref(root);
    }
    if (!p->token)
        kw_strlcpy(by, p->user.name, sizeof by);
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

static void json_user(kw_json *j, const store_user *u)
{
    kw_json_key(j, "user");
    kw_json_obj_begin(j);
    store_user_json_fields(j, u);
    kw_json_obj_end(j);
}

static enum MHD_Result session_reply(struct MHD_Connection *c, const principal *p, const char *cookie_hdr)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    json_user(&j, &p->user);
    if (!p->token)
        kw_json_kv_str(&j, "csrf", p->csrf);
    kw_json_obj_end(&j);
    kw_buf_putc(&b, '\n');
    const char *hdrs[] = {"Set-Cookie", cookie_hdr, NULL};
    return respond_hdr(c, MHD_HTTP_OK, "application/json; charset=utf-8", &b, cookie_hdr ? hdrs : NULL);
}

/* POST /api/v1/session {"name", "password"}: signs in, sets the session cookie. */
static enum MHD_Result api_sign_in(http_server *s, struct MHD_Connection *c, http_req *req)
{
    if (req->too_large)
        return respond_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
    char addr[INET6_ADDRSTRLEN + 8], ipkey[96], ukey[96];
    client_address(c, addr, sizeof addr);
    json_t *root = json_loadb(req->body.data ? req->body.data : "", req->body.len, JSON_REJECT_DUPLICATES, NULL);
    const char *jn = json_string_value(json_object_get(root, "name"));
    const char *pw = json_string_value(json_object_get(root, "password"));
    char name[64];
    if (!jn || !pw || strlen(jn) >= sizeof name) {
        json_decref(root);
        return respond_error(c, MHD_HTTP_BAD_REQUEST, "send {\"name\": ..., \"password\": ...}");
    }
    snprintf(name, sizeof name, "%s", jn); /* root (and pw with it) is freed before the end */
    snprintf(ipkey, sizeof ipkey, "ip:%s", addr);
    snprintf(ukey, sizeof ukey, "user:%s", name);
    int64_t now = kw_now_ms();
    int64_t wait = auth_limiter_wait(s->limiter, ipkey, now), w2 = auth_limiter_wait(s->limiter, ukey, now);
    if (w2 > wait)
        wait = w2;
    if (wait) {
        json_decref(root);
        char ra[32];
        snprintf(ra, sizeof ra, "%lld", (long long)wait);
        kw_buf b;
        kw_buf_init(&b, 0);
        kw_buf_printf(&b, "{\"error\":\"too many wrong passwords: wait %llds\",\"status\":429,\"retry_after\":%lld}\n",
                      (long long)wait, (long long)wait);
        const char *hdrs[] = {"Retry-After", ra, NULL};
        return respond_hdr(c, MHD_HTTP_TOO_MANY_REQUESTS, "application/json; charset=utf-8", &b, hdrs);
    }
    kw_store *st = thread_store(s);
    if (!st) {
        json_decref(root);
        return respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "store unavailable");
    }
    principal p = {0};
    bool ok;
    if (store_user_get(st, name, &p.user) == KW_OK) {
        ok = auth_verify_password(pw, p.user.pw_hash);
    } else {
        auth_verify_dummy(pw);
        ok = false;
    }
    json_decref(root);
    if (!ok) {
        auth_limiter_fail(s->limiter, ipkey, now);
        auth_limiter_fail(s->limiter, ukey, now);
        log_warn("http: wrong name or password for \"%.64s\" from %s", name, addr);
        return respond_error(c, MHD_HTTP_UNAUTHORIZED, "wrong name or password");
    }
    auth_limiter_clear(s->limiter, ukey);
    char cookie[65];
    auth_random_hex(cookie, 32);
    auth_random_hex(p.csrf, 32);
    auth_sha256_hex(cookie, p.sid_hash);
    char text[128];
    snprintf(text, sizeof text, "signed in to the console from %s", addr);
    if (store_begin(st) != KW_OK || store_session_add(st, p.sid_hash, p.user.id, p.csrf, addr, now) != KW_OK ||
        store_duty_append(st, now, "user.login", p.user.name, 0, text) != KW_OK || store_commit(st) != KW_OK) {
        store_rollback(st);
        return respond_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, store_errmsg(st));
    }
    log_info("http: %s signed in from %s", p.user.name, addr);
    char hdr[256];
    snprintf(hdr, sizeof hdr, "kw_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s", cookie,
             (long long)(s->max_ms / 1000), s->tls ? "; Secure" : "");
    OPENSSL_cleanse(cookie, sizeof cookie);
    enum MHD_Result r = session_reply(c, &p, hdr);
    OPENSSL_cleanse(hdr, sizeof hdr);
    return r;
}

/* DELETE /api/v1/session: signs out. */
static enum MHD_Result api_sign_out(http_server *s, struct MHD_Connection *c, const principal *p)
{
    if (p->token)
        return respond_error(c, MHD_HTTP_BAD_REQUEST, "the API token is not a session");
    kw_store *st = thread_store(s);
    if (!st)
        return respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "store unavailable");
    int64_t now = kw_now_ms();
    if (store_begin(st) != KW_OK || store_session_delete(st, p->sid_hash) != KW_OK ||
        store_duty_append(st, now, "user.logout", p->user.name, 0, "signed out of the console") != KW_OK ||
        store_commit(st) != KW_OK) {
        store_rollback(st);
        return respond_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, store_errmsg(st));
    }
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_buf_puts(&b, "{\"signed_out\":true}\n");
    char hdr[160];
    snprintf(hdr, sizeof hdr, "kw_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s", s->tls ? "; Secure" : "");
    const char *hdrs[] = {"Set-Cookie", hdr, NULL};
    return respond_hdr(c, MHD_HTTP_OK, "application/json; charset=utf-8", &b, hdrs);
}

/* ---- the console's data ---- */

static void json_entry(void *arg, const store_duty_entry *e)
{
    kw_json *j = arg;
    kw_json_obj_begin(j);
    kw_json_kv_int(j, "id", e->id);
    kw_json_key(j, "ts");
    kw_json_time(j, e->ts_ms);
    kw_json_kv_str(j, "kind", e->kind);
    kw_json_kv_str(j, "actor", e->actor);
    if (e->alert_id)
        kw_json_kv_int(j, "alert_id", e->alert_id);
    kw_json_kv_str(j, "text", e->text);
    kw_json_kv_str(j, "hash", e->hash);
    kw_json_obj_end(j);
}

/* The chain's verification, redone at most every VERIFY_EVERY_MS (it reads the whole log). */
#define VERIFY_EVERY_MS 30000
static pthread_mutex_t verify_mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t verify_at, verify_entries, verify_bad;
static bool verify_ok;
static char verify_why[256];

static void json_verify(kw_json *j, kw_store *st)
{
    int64_t now = kw_now_ms();
    pthread_mutex_lock(&verify_mu);
    if (!verify_at || now - verify_at >= VERIFY_EVERY_MS) {
        verify_bad = 0;
        verify_why[0] = 0;
        verify_ok = store_duty_verify(st, &verify_bad, &verify_entries, verify_why, sizeof verify_why) == KW_OK;
        verify_at = now;
    }
    kw_json_key(j, "verify");
    kw_json_obj_begin(j);
    kw_json_kv_bool(j, "intact", verify_ok);
    kw_json_kv_int(j, "entries", verify_entries);
    if (!verify_ok) {
        kw_json_kv_int(j, "bad_entry", verify_bad);
        kw_json_kv_str(j, "why", verify_why);
    }
    kw_json_key(j, "checked");
    kw_json_time(j, verify_at);
    kw_json_obj_end(j);
    pthread_mutex_unlock(&verify_mu);
}

/* Who is on duty in each schedule now, and who is next. */
static void json_oncall_now(kw_json *j, const conf *c, int64_t now)
{
    kw_json_arr_begin(j);
    for (size_t i = 0; c && i < c->schedules.n; i++) {
        const conf_schedule *sc = CONF_AT(c->schedules, conf_schedule, i);
        oncall_shift cur = {0}, next = {0};
        bool on = oncall_at(c, sc, now, &cur, &next);
        kw_json_obj_begin(j);
        kw_json_kv_str(j, "schedule", sc->name);
        if (on) {
            const conf_person *p = conf_person_find(c, cur.person);
            kw_json_kv_str(j, "person", cur.person);
            kw_json_kv_str(j, "display", p && p->display ? p->display : cur.person);
            if (p && p->phone)
                kw_json_kv_str(j, "phone", p->phone);
            kw_json_key(j, "until");
            kw_json_time(j, cur.end_ms);
        }
        if (next.person) {
            const conf_person *p = conf_person_find(c, next.person);
            kw_json_kv_str(j, "next", p && p->display ? p->display : next.person);
            kw_json_key(j, "next_from");
            kw_json_time(j, next.start_ms);
        }
        kw_json_obj_end(j);
    }
    kw_json_arr_end(j);
}

/* GET /api/v1/overview: what the wall shows, in one answer. */
static enum MHD_Result api_overview(http_server *s, struct MHD_Connection *c, const principal *p)
{
    kw_store *st = thread_store(s);
    if (!st)
        return respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "store unavailable");
    int64_t now = kw_now_ms();
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    json_user(&j, &p->user);
    kw_json_key(&j, "now");
    kw_json_time(&j, now);
    pthread_rwlock_rdlock(&s->sh->cfg_lock);
    const conf *cf = s->sh->cfg;
    kw_json_key(&j, "period");
    if (cf && cf->period.start_ms) {
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "name", cf->period.name ? cf->period.name : "");
        kw_json_key(&j, "start");
        kw_json_time(&j, cf->period.start_ms);
        kw_json_key(&j, "end");
        kw_json_time(&j, cf->period.end_ms);
        kw_json_obj_end(&j);
    } else {
        kw_json_null(&j);
    }
    /* open alerts: counts by state and severity, and each asset's worst */
    size_t nassets = cf ? cf->assets.n : 0;
    int *worst = kw_calloc(nassets + 1, sizeof *worst), *count = kw_calloc(nassets + 1, sizeof *count);
    bool *acked_only = kw_calloc(nassets + 1, sizeof *acked_only);
    for (size_t i = 0; i < nassets; i++)
        acked_only[i] = true;
    int64_t by_sev[5] = {0}, firing = 0, acked = 0;
    sqlite3_stmt *q = store_stmt(st, "SELECT id, rule, state, summary, severity, started_at, labels FROM alerts "
                                     "WHERE state != 'resolved'");
    while (q && sqlite3_step(q) == SQLITE_ROW) {
        int sev = sqlite3_column_int(q, 4);
        bool is_firing = !strcmp((const char *)sqlite3_column_text(q, 2), "firing");
        if (sev >= 1 && sev <= 4)
            by_sev[sev]++;
        if (is_firing)
            firing++;
        else
            acked++;
        if (!nassets)
            continue;
        notify_alert a;
        notify_alert_init(&a, cf, sqlite3_column_int64(q, 0), (const char *)sqlite3_column_text(q, 1),
                          (const char *)sqlite3_column_text(q, 2), NULL, sev, sqlite3_column_int64(q, 5),
                          (const char *)sqlite3_column_text(q, 6));
        if (a.asset) {
            size_t k = (size_t)(a.asset - (const conf_asset *)cf->assets.items);
            if (sev > worst[k])
                worst[k] = sev;
            count[k]++;
            if (is_firing)
                acked_only[k] = false;
        }
        notify_alert_fini(&a);
    }
    if (q)
        sqlite3_reset(q);
    kw_json_key(&j, "alerts");
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "firing", firing);
    kw_json_kv_int(&j, "acked", acked);
    kw_json_key(&j, "by_severity");
    kw_json_obj_begin(&j);
    for (int sv = 4; sv >= 1; sv--)
        kw_json_kv_int(&j, kw_severity_name(sv), by_sev[sv]);
    kw_json_obj_end(&j);
    kw_json_obj_end(&j);
    kw_json_key(&j, "assets");
    kw_json_arr_begin(&j);
    for (size_t i = 0; i < nassets; i++) {
        const conf_asset *as = CONF_AT(cf->assets, conf_asset, i);
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "name", as->name);
        if (as->business)
            kw_json_kv_str(&j, "business", as->business);
        if (as->department)
            kw_json_kv_str(&j, "department", as->department);
        kw_json_kv_str(&j, "criticality", kw_severity_name(as->criticality));
        kw_json_kv_str(&j, "state", !count[i] ? "ok" : acked_only[i] ? "acked" : "firing");
        if (count[i])
            kw_json_kv_str(&j, "severity", kw_severity_name(worst[i]));
        kw_json_kv_int(&j, "alerts", count[i]);
        kw_json_obj_end(&j);
    }
    kw_json_arr_end(&j);
    free(worst);
    free(count);
    free(acked_only);
    kw_json_key(&j, "oncall");
    json_oncall_now(&j, cf, now);
    pthread_rwlock_unlock(&s->sh->cfg_lock);
    kw_json_key(&j, "duty");
    kw_json_obj_begin(&j);
    kw_json_key(&j, "entries");
    kw_json_arr_begin(&j);
    store_duty_latest(st, 12, 0, json_entry, &j);
    kw_json_arr_end(&j);
    json_verify(&j, st);
    kw_json_obj_end(&j);
    kw_json_obj_end(&j);
    return respond_json(c, MHD_HTTP_OK, &b);
}

/* GET /api/v1/duty?limit=N&before=ID: the duty log, newest first, with the chain's state. */
static enum MHD_Result api_duty(http_server *s, struct MHD_Connection *c)
{
    kw_store *st = thread_store(s);
    if (!st)
        return respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "store unavailable");
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_key(&j, "entries");
    kw_json_arr_begin(&j);
    kw_rc rc = store_duty_latest(st, query_int(c, "limit", 100, 1, 1000), query_int(c, "before", 0, 1, INT64_MAX),
                                 json_entry, &j);
    kw_json_arr_end(&j);
    json_verify(&j, st);
    kw_json_obj_end(&j);
    if (rc != KW_OK) {
        kw_buf_free(&b);
        return respond_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, store_errmsg(st));
    }
    return respond_json(c, MHD_HTTP_OK, &b);
}

/* POST /api/v1/duty/notes {"text"}: a note in the duty log by the officer signed in. */
static enum MHD_Result api_duty_note(http_server *s, struct MHD_Connection *c, http_req *req, const principal *p)
{
    if (req->too_large)
        return respond_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
    if (p->user.role < ROLE_OFFICER)
        return respond_error(c, MHD_HTTP_FORBIDDEN, "only duty officers and admins write the duty log");
    json_t *root = json_loadb(req->body.data ? req->body.data : "", req->body.len, JSON_REJECT_DUPLICATES, NULL);
    const char *text = json_string_value(json_object_get(root, "text"));
    if (!text || !*text || strlen(text) > 16384) {
        json_decref(root);
        return respond_error(c, MHD_HTTP_BAD_REQUEST, "send {\"text\": ...} (at most 16 KiB)");
    }
    kw_store *st = thread_store(s);
    kw_rc rc = st ? store_duty_append(st, kw_now_ms(), "note", p->user.name, 0, text) : KW_ERR_STORE;
    json_decref(root);
    if (rc != KW_OK)
        return respond_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, st ? store_errmsg(st) : "store unavailable");
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_buf_puts(&b, "{\"noted\":true}");
    return respond_json(c, MHD_HTTP_CREATED, &b);
}

/* GET /api/v1/oncall?days=N: who is on duty now, and every schedule's shifts for N days (7). */
static enum MHD_Result api_oncall(http_server *s, struct MHD_Connection *c)
{
    int64_t now = kw_now_ms(), days = query_int(c, "days", 7, 1, 62);
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    pthread_rwlock_rdlock(&s->sh->cfg_lock);
    const conf *cf = s->sh->cfg;
    kw_json_key(&j, "now");
    json_oncall_now(&j, cf, now);
    kw_json_key(&j, "shifts");
    kw_json_arr_begin(&j);
    for (size_t i = 0; cf && i < cf->schedules.n; i++) {
        const conf_schedule *sc = CONF_AT(cf->schedules, conf_schedule, i);
        oncall_shifts sh = {0};
        oncall_schedule_shifts(cf, sc, now - now % 86400000, now + days * 86400000, &sh);
        for (size_t k = 0; k < sh.n; k++) {
            const conf_person *pp = conf_person_find(cf, sh.v[k].person);
            kw_json_obj_begin(&j);
            kw_json_kv_str(&j, "schedule", sc->name);
            kw_json_kv_str(&j, "person", sh.v[k].person);
            kw_json_kv_str(&j, "display", pp && pp->display ? pp->display : sh.v[k].person);
            kw_json_kv_str(&j, "layer", sh.v[k].layer);
            kw_json_key(&j, "start");
            kw_json_time(&j, sh.v[k].start_ms);
            kw_json_key(&j, "end");
            kw_json_time(&j, sh.v[k].end_ms);
            kw_json_obj_end(&j);
        }
        oncall_shifts_free(&sh);
    }
    kw_json_arr_end(&j);
    pthread_rwlock_unlock(&s->sh->cfg_lock);
    kw_json_obj_end(&j);
    return respond_json(c, MHD_HTTP_OK, &b);
}

/* GET /api/v1/series?name=SERIES&minutes=N: a metric's history (avg, min, max per point). */
static enum MHD_Result api_series(http_server *s, struct MHD_Connection *c)
{
    const char *name = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "name");
    if (!name || !*name || strlen(name) > 512)
        return respond_error(c, MHD_HTTP_BAD_REQUEST, "name=SERIES, e.g. host_cpu_usage_ratio");
    kw_store *st = thread_store(s);
    if (!st)
        return respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "store unavailable");
    int64_t now = kw_now_ms(), minutes = query_int(c, "minutes", 60, 1, 60 * 24 * 90);
    kw_buf b;
    kw_buf_init(&b, 0);
    if (store_metric_query_json(st, name, now - minutes * 60000, now, &b) != KW_OK) {
        kw_buf_free(&b);
        return respond_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, store_errmsg(st));
    }
    return respond_json(c, MHD_HTTP_OK, &b);
}

/* The console's pages: scripts only from here, nothing inline, no framing. ECharts sets
 * element styles, hence style-src 'unsafe-inline' (styles cannot run code). */
#define CONSOLE_CSP                                                                                                    \
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "                  \
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "                   \
    "frame-ancestors 'none'"

/* GET of a console file. "/" is the console for someone signed in and the sign-in page for
 * anyone else: no page with data answers without a session. */
static enum MHD_Result serve_console(struct MHD_Connection *c, const char *url, const principal *p)
{
    const char *path = url;
    if (!strcmp(url, "/") || !strcmp(url, "/index.html"))
        path = p->ok && !p->token ? "/index.html" : "/login.html";
    else if (!strcmp(url, "/login"))
        path = "/login.html";
    else if (strncmp(url, "/assets/", 8) != 0)
        return respond_error(c, MHD_HTTP_NOT_FOUND, "not found");
    const kw_asset *a = http_console_find(path);
    if (!a)
        return respond_error(c, MHD_HTTP_NOT_FOUND, "not found");
    const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    bool gz = ae && strstr(ae, "gzip");
    struct MHD_Response *r = MHD_create_response_from_buffer(gz ? a->gzlen : a->len, (void *)(gz ? a->gz : a->data),
                                                             MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", a->type);
    if (gz)
        MHD_add_response_header(r, "Content-Encoding", "gzip");
    MHD_add_response_header(r, "Vary", "Accept-Encoding");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Content-Security-Policy", CONSOLE_CSP);
    /* built files carry their hash in the name: they never change */
    MHD_add_response_header(r, "Cache-Control", path == url ? "public, max-age=31536000, immutable" : "no-store");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
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
    bool del = strcmp(method, MHD_HTTP_METHOD_DELETE) == 0;
    principal p;
    who(s, c, &p);
    if (strcmp(url, "/api/v1/health") == 0 || strcmp(url, "/healthz") == 0)
        return get ? api_health(s, c, p.ok) : respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strcmp(url, "/api/v1/session") == 0 && post)
        return api_sign_in(s, c, req);
    if (strcmp(url, "/metrics") != 0 && strncmp(url, "/api/", 5) != 0)
        return get ? serve_console(c, url, &p) : respond_error(c, MHD_HTTP_NOT_FOUND, "not found");
    if (!p.ok)
        return respond_error(c, MHD_HTTP_UNAUTHORIZED,
                             "sign in (POST /api/v1/session) or send the API token (var/api.token) as a bearer token");
    if (!get && !csrf_ok(s, c, &p))
        return respond_error(c, MHD_HTTP_FORBIDDEN, "the X-CSRF-Token header is missing or wrong");
    if (strcmp(url, "/metrics") == 0)
        return get ? api_metrics(s, c) : respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strcmp(url, "/api/v1/session") == 0)
        return get ? session_reply(c, &p, NULL)
               : del ? api_sign_out(s, c, &p)
                     : respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET, POST or DELETE");
    if (strcmp(url, "/api/v1/alerts") == 0)
        return get ? api_alert_list(s, c) : respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strcmp(url, "/api/v1/overview") == 0)
        return get ? api_overview(s, c, &p) : respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strcmp(url, "/api/v1/duty") == 0)
        return get ? api_duty(s, c) : respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strcmp(url, "/api/v1/duty/notes") == 0)
        return post ? api_duty_note(s, c, req, &p) : respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
    if (strcmp(url, "/api/v1/oncall") == 0)
        return get ? api_oncall(s, c) : respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strcmp(url, "/api/v1/series") == 0)
        return get ? api_series(s, c) : respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
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
            return post ? api_alert_act(s, c, id, rest[1] == 'a', req, &p)
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

static char *read_pem(const char *path, char *err, size_t errn)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errn, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    kw_buf b;
    kw_buf_init(&b, 1 << 20);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        kw_buf_append(&b, chunk, n);
    fclose(f);
    if (b.overflow || !b.len) {
        snprintf(err, errn, "%s: %s", path, b.len ? "larger than 1 MiB" : "empty");
        kw_buf_free(&b);
        return NULL;
    }
    return kw_buf_take(&b);
}

http_server *http_start(const http_opts *o, http_shared *sh, char *err, size_t errn)
{
    struct sockaddr_storage ss;
    unsigned len;
    if (!http_parse_listen(o->listen, &ss, &len)) {
        snprintf(err, errn, "listen: \"%s\" is not ADDRESS:PORT", o->listen);
        return NULL;
    }
    http_server *s = kw_calloc(1, sizeof *s);
    s->sh = sh;
    s->max_body = o->max_body;
    s->idle_ms = o->session_idle_ms > 0 ? o->session_idle_ms : 12 * 3600000LL;
    s->max_ms = o->session_max_ms > 0 ? o->session_max_ms : 7 * 86400000LL;
    if (o->tls_cert && o->tls_key) {
        if (!(s->cert = read_pem(o->tls_cert, err, errn)) || !(s->key = read_pem(o->tls_key, err, errn))) {
            free(s->cert);
            free(s);
            return NULL;
        }
        s->tls = true;
    }
    s->limiter = auth_limiter_new();
    pthread_key_create(&s->store_key, store_key_free);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (s->tls)
        flags |= MHD_USE_TLS;
    uint16_t port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                   : ((struct sockaddr_in *)&ss)->sin_port);
    struct MHD_OptionItem tls_opts[] = {
        {s->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, s->cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, s->key},
        {MHD_OPTION_END, 0, NULL},
    };
    s->mhd = MHD_start_daemon(flags, port, NULL, NULL, handle, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
                              MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                              MHD_OPTION_THREAD_POOL_SIZE, (unsigned)o->threads, MHD_OPTION_CONNECTION_LIMIT, 1024u,
                              MHD_OPTION_PER_IP_CONNECTION_LIMIT, 256u, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                              MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_NOTIFY_COMPLETED,
                              request_done, s, MHD_OPTION_ARRAY, tls_opts, MHD_OPTION_END);
    if (!s->mhd) {
        snprintf(err, errn, "cannot listen on %s%s: %s", o->listen, s->tls ? " with TLS" : "",
                 errno ? strerror(errno) : "libmicrohttpd refused");
        pthread_key_delete(s->store_key);
        auth_limiter_free(s->limiter);
        free(s->cert);
        free(s->key);
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
    auth_limiter_free(s->limiter);
    if (s->key)
        OPENSSL_cleanse(s->key, strlen(s->key));
    free(s->cert);
    free(s->key);
    free(s);
}
