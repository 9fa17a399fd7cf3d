/* The answers every handler gives (JSON, errors, headers every response carries), the
 * request's body and query arguments, and each server thread's store handle and cached
 * answers. Below the router (http.c) and the handler files: it calls neither. */
#include "http/http_reply.h"
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static bool close_each; /* http_opts.close_each of the one server */

/* Each server thread's own: its store handle and its last answers. */
#define CACHE_SLOTS 8
#define CACHE_KEY_MAX 256
typedef struct cached_answer {
    char key[CACHE_KEY_MAX];
    int64_t version[2];
    char *body;
    size_t len;
} cached_answer;

typedef struct http_thread {
    kw_store *st;
    cached_answer cache[CACHE_SLOTS];
    unsigned next;
} http_thread;

static void thread_free(void *p)
{
    http_thread *t = p;
    store_close(t->st);
    for (int i = 0; i < CACHE_SLOTS; i++)
        free(t->cache[i].body);
    free(t);
}

static http_thread *this_thread(http_server *s)
{
    http_thread *t = pthread_getspecific(s->thread_key);
    if (!t) {
        t = kw_calloc(1, sizeof *t);
        pthread_setspecific(s->thread_key, t);
    }
    return t;
}

void http_reply_init(http_server *s, bool close_each_request)
{
    pthread_key_create(&s->thread_key, thread_free);
    close_each = close_each_request;
}

void http_thread_release(http_server *s)
{
    http_thread *t = pthread_getspecific(s->thread_key);
    if (t && t->st)
        store_release(t->st);
}

kw_store *http_store(http_server *s)
{
    http_thread *t = this_thread(s);
    if (t->st)
        return t->st;
    char err[256];
    t->st = store_open(s->sh->store_path, false, err, sizeof err);
    if (!t->st)
        log_error("http: cannot open the store: %s", err);
    return t->st;
}

bool http_cached(http_server *s, struct MHD_Connection *c, const char *key, http_build_fn fn, void *arg, kw_buf *out)
{
    kw_store *st = http_store(s);
    if (!st) {
        http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "store unavailable");
        return false;
    }
    http_thread *t = this_thread(s);
    int64_t ver[2];
    store_version(st, ver); /* before reading: a change after it makes the next request build anew */
    size_t klen = strlen(key);
    for (int i = 0; klen < CACHE_KEY_MAX && i < CACHE_SLOTS; i++) {
        cached_answer *e = &t->cache[i];
        if (e->body && e->version[0] == ver[0] && e->version[1] == ver[1] && !strcmp(e->key, key)) {
            kw_buf_append(out, e->body, e->len);
            return true;
        }
    }
    size_t at = out->len;
    if (!fn(s, c, st, out, arg))
        return false;
    if (klen < CACHE_KEY_MAX && !out->overflow) {
        cached_answer *e = &t->cache[t->next++ % CACHE_SLOTS];
        free(e->body);
        memcpy(e->key, key, klen + 1);
        e->version[0] = ver[0];
        e->version[1] = ver[1];
        e->len = out->len - at;
        e->body = kw_malloc(e->len ? e->len : 1);
        memcpy(e->body, out->data + at, e->len);
    }
    return true;
}

enum MHD_Result http_cached_json(http_server *s, struct MHD_Connection *c, const char *key, http_build_fn fn,
                                 void *arg)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    if (!http_cached(s, c, key, fn, arg, &b)) {
        kw_buf_free(&b);
        return MHD_YES;
    }
    return http_json(c, MHD_HTTP_OK, &b);
}


enum MHD_Result http_queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r)
{
    if (close_each)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result http_respond_hdr(struct MHD_Connection *c, unsigned status, const char *type, kw_buf *body,
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
    return http_queue(c, status, r);
}

enum MHD_Result http_respond(struct MHD_Connection *c, unsigned status, const char *type, kw_buf *body)
{
    return http_respond_hdr(c, status, type, body, NULL);
}

enum MHD_Result http_json(struct MHD_Connection *c, unsigned status, kw_buf *body)
{
    kw_buf_putc(body, '\n');
    return http_respond(c, status, "application/json; charset=utf-8", body);
}

/* status with Retry-After: wait_s: {"error": msg, "status", "retry_after"}. */
static enum MHD_Result error_retry(struct MHD_Connection *c, unsigned status, const char *msg, int64_t wait_s)
{
    char ra[32];
    snprintf(ra, sizeof ra, "%lld", (long long)wait_s);
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "error", msg);
    kw_json_kv_int(&j, "status", status);
    kw_json_kv_int(&j, "retry_after", wait_s);
    kw_json_obj_end(&j);
    kw_buf_putc(&b, '\n');
    const char *hdrs[] = {"Retry-After", ra, NULL};
    return http_respond_hdr(c, status, "application/json; charset=utf-8", &b, hdrs);
}

enum MHD_Result http_store_error(struct MHD_Connection *c, kw_store *st)
{
    if (store_reachable(st))
        return http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, store_errmsg(st));
    return error_retry(c, MHD_HTTP_SERVICE_UNAVAILABLE, store_errmsg(st), 5); /* away for now: when to ask again */
}

enum MHD_Result http_too_many(struct MHD_Connection *c, int64_t wait_s, const char *why)
{
    return error_retry(c, MHD_HTTP_TOO_MANY_REQUESTS, why, wait_s);
}

enum MHD_Result http_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "error", msg);
    kw_json_kv_int(&j, "status", status);
    kw_json_obj_end(&j);
    return http_json(c, status, &b);
}

json_t *http_body_object(struct MHD_Connection *c, http_req *req, const char *usage, enum MHD_Result *ret)
{
    if (req->too_large) {
        *ret = http_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
        return NULL;
    }
    json_t *root = json_loadb(req->body.data ? req->body.data : "", req->body.len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(root)) {
        json_decref(root);
        *ret = http_error(c, MHD_HTTP_BAD_REQUEST, usage);
        return NULL;
    }
    return root;
}

int64_t http_query_int(struct MHD_Connection *c, const char *key, int64_t def, int64_t lo, int64_t hi)
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

int http_job_run(const http_call *q, const char *prefix, const char *noun,
                 http_job_ask (*request)(const char *name, size_t n))
{
    const char *name = q->url + strlen(prefix);
    size_t n = strlen(name);
    char msg[160];
    if (n <= 4 || strcmp(name + n - 4, "/run") != 0 || strcmp(q->method, "POST") != 0) {
        snprintf(msg, sizeof msg, "POST %sNAME/run", prefix);
        return http_error(q->conn, MHD_HTTP_NOT_FOUND, msg);
    }
    if (q->req->p.user.role < ROLE_OFFICER) {
        snprintf(msg, sizeof msg, "only officers start %ss", noun);
        return http_error(q->conn, MHD_HTTP_FORBIDDEN, msg);
    }
    http_job_ask a = request(name, n - 4);
    if (a == HTTP_JOB_UNKNOWN) {
        snprintf(msg, sizeof msg, "no such %s job", noun);
        return http_error(q->conn, MHD_HTTP_NOT_FOUND, msg);
    }
    if (a == HTTP_JOB_NOT_LEADER) {
        snprintf(msg, sizeof msg, "this server does not lead: the leader runs the %ss", noun);
        return http_error(q->conn, MHD_HTTP_CONFLICT, msg);
    }
    kw_buf b;
    kw_buf_init(&b, 256);
    kw_buf_printf(&b, "{\"requested\":true}");
    return http_json(q->conn, MHD_HTTP_ACCEPTED, &b);
}
