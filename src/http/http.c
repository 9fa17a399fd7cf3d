/* The HTTP server: libmicrohttpd, routing, responses, the per-thread store handle and answer
 * cache, the console's files. */
#include "http/http.h"
#include "agent/agent.h"
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "http/http_int.h"
#include "http/http_reply.h"
#include "host/host.h"
#include "http/http_console.h"
#include "conf/conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

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

void http_shared_set_net(http_shared *sh, const char *ifname, char *json)
{
    char *old = json;
    pthread_mutex_lock(&sh->mu);
    size_t n = sizeof sh->net / sizeof sh->net[0], i = 0, free_slot = n;
    while (i < n && (!sh->net[i].json || strcmp(sh->net[i].ifname, ifname) != 0)) {
        if (!sh->net[i].json && free_slot == n)
            free_slot = i;
        i++;
    }
    if (i == n && json && free_slot < n) { /* a new interface */
        i = free_slot;
        kw_strlcpy(sh->net[i].ifname, ifname, sizeof sh->net[i].ifname);
    }
    if (i < n) {
        old = sh->net[i].json;
        sh->net[i].json = json;
    }
    pthread_mutex_unlock(&sh->mu);
    free(old);
}

void http_shared_clear(http_shared *sh)
{
    http_shared_set_logs(sh, NULL);
    for (size_t i = 0; i < sizeof sh->net / sizeof sh->net[0]; i++) {
        free(sh->net[i].json);
        sh->net[i].json = NULL;
    }
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
        return http_error(c, MHD_HTTP_NOT_FOUND, "not found");
    const kw_asset *a = http_console_find(path);
    if (!a)
        return http_error(c, MHD_HTTP_NOT_FOUND, "not found");
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
    return http_queue(c, MHD_HTTP_OK, r);
}

/* A sign-in body: a name and a password (up to 1 KiB, escaped up to six times over). */
#define SIGNIN_BODY_MAX 8192

static uint64_t body_limit(const http_server *s, const char *url)
{
    if (strcmp(url, "/api/v1/agent/batch") == 0) /* an agent catching up sends a spool's worth */
        return s->max_body > AGENT_WIRE_BATCH_MAX ? s->max_body : AGENT_WIRE_BATCH_MAX;
    return strcmp(url, "/api/v1/session") == 0 && s->max_body > SIGNIN_BODY_MAX ? SIGNIN_BODY_MAX : s->max_body;
}

/* What the headers say of a body: its declared length (UINT64_MAX: unreadable), and
 * whether there is one at all (a length above 0, or chunks). */
static bool declares_body(struct MHD_Connection *c, uint64_t *declared)
{
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    *declared = 0;
    if (cl) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(cl, &end, 10);
        *declared = errno || end == cl || *end || cl[0] == '-' ? UINT64_MAX : v;
    }
    return *declared > 0 || te != NULL;
}

/* The first call, with the headers only: a body too large or from someone unknown is refused
 * before it is read (the client waiting on 100-continue never sends it). */
static enum MHD_Result handle_headers(http_server *s, struct MHD_Connection *c, const char *url, void **con_cls)
{
    uint64_t declared, limit = body_limit(s, url);
    bool body = declares_body(c, &declared);
    if (declared > limit) {
        char msg[128];
        snprintf(msg, sizeof msg, "request body too large: %s takes at most %llu bytes", url, (unsigned long long)limit);
        return http_error(c, MHD_HTTP_CONTENT_TOO_LARGE, msg);
    }
    http_req *req = kw_calloc(1, sizeof *req);
    bool agent = agent_http_owns(url); /* agents authenticate themselves */
    if (!agent)
        http_who(s, c, &req->p);
    if (body && !agent && !req->p.ok && strcmp(url, "/api/v1/session") != 0) {
        enum MHD_Result r = http_unauthorized(s, c, &req->p);
        free(req);
        return r;
    }
    kw_buf_init(&req->body, limit);
    *con_cls = req;
    return MHD_YES;
}

/* The modules' route for url, or NULL: an exact path, else a path ending in '/' that url
 * extends (a module's /api/v1/findings/ takes /api/v1/findings/12/fix). */
static const http_route *module_route(http_server *s, const char *url)
{
    const http_route *under = NULL;
    for (const http_route *const *t = s->sh->routes; t && *t; t++)
        for (const http_route *r = *t; r->path; r++) {
            size_t n = strlen(r->path);
            if (strcmp(r->path, url) == 0)
                return r;
            if (!under && n && r->path[n - 1] == '/' && strncmp(r->path, url, n) == 0 && url[n])
                under = r;
        }
    return under;
}

/* Whether method is one of the space-separated names in methods (HEAD goes with GET). */
static bool method_in(const char *methods, const char *method)
{
    if (strcmp(method, MHD_HTTP_METHOD_HEAD) == 0)
        method = MHD_HTTP_METHOD_GET;
    size_t n = strlen(method);
    for (const char *p = methods; *p;) {
        size_t k = strcspn(p, " ");
        if (k == n && strncmp(p, method, n) == 0)
            return true;
        p += k;
        p += strspn(p, " ");
    }
    return false;
}

static enum MHD_Result route_call(http_server *s, struct MHD_Connection *c, const http_route *r, const char *url,
                                  const char *method, http_req *req)
{
    if (!method_in(r->methods, method)) {
        char msg[96];
        snprintf(msg, sizeof msg, "use %s", r->methods);
        return http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, msg);
    }
    http_call call = {s, c, s->sh, url, method, req};
    return (enum MHD_Result)r->fn(&call);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    http_server *s = cls;
    http_req *req = *con_cls;
    if (!req)
        return handle_headers(s, c, url, con_cls);
    if (*upload_size) {
        if (kw_buf_append(&req->body, upload, *upload_size) != KW_OK)
            req->too_large = true;
        *upload_size = 0;
        return MHD_YES;
    }
    http_slow_answered(s->slow, c);
    bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    bool post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    bool del = strcmp(method, MHD_HTTP_METHOD_DELETE) == 0;
    const principal p = req->p;
    if (strcmp(url, "/api/v1/health") == 0 || strcmp(url, "/healthz") == 0)
        return get ? api_health(s, c, p.ok) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strcmp(url, "/api/v1/session") == 0 && post)
        return api_sign_in(s, c, req);
    if (strcmp(url, "/metrics") != 0 && strncmp(url, "/api/", 5) != 0)
        return get ? serve_console(c, url, &p) : http_error(c, MHD_HTTP_NOT_FOUND, "not found");
    if (agent_http_owns(url))
        return req->too_large ? http_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large")
                              : agent_http_route(s, c, url, method, req);
    if (!p.ok)
        return http_unauthorized(s, c, &p);
    if (!get && !http_csrf_ok(s, c, &p))
        return http_error(c, MHD_HTTP_FORBIDDEN, "the X-CSRF-Token header is missing or wrong");
    if (strcmp(url, "/metrics") == 0)
        return get ? api_metrics(s, c) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strcmp(url, "/api/v1/session") == 0)
        return get ? http_session_reply(c, &p, NULL)
               : del ? api_sign_out(s, c, &p)
                     : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET, POST or DELETE");
    if (strcmp(url, "/api/v1/alerts") == 0)
        return get ? api_alert_list(s, c) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strcmp(url, "/api/v1/stream") == 0)
        return get ? api_stream(s, c, &p) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strcmp(url, "/api/v1/overview") == 0)
        return get ? api_overview(s, c, &p) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strcmp(url, "/api/v1/duty") == 0)
        return get ? api_duty(s, c) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strcmp(url, "/api/v1/duty/notes") == 0)
        return post ? api_duty_note(s, c, req, &p) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
    if (strcmp(url, "/api/v1/duty/handover") == 0)
        return post ? api_duty_handover(s, c, req, &p) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
    if (strcmp(url, "/api/v1/oncall") == 0)
        return get ? api_oncall(s, c) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strcmp(url, "/api/v1/series") == 0)
        return get ? api_series(s, c) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strcmp(url, "/api/v1/host") == 0)
        return get ? api_host(s, c) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strcmp(url, "/api/v1/hosts") == 0)
        return get ? api_hosts(s, c) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strncmp(url, "/api/v1/hosts/", 14) == 0)
        return get ? api_host_page(s, c, url + 14) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (strcmp(url, "/api/v1/agents") == 0)
        return get ? agent_http_list(s, c) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    if (http_triage_owns(url))
        return http_triage_route(s, c, url, method, req, &p);
    if (strncmp(url, "/api/v1/notify/groups/", 22) == 0) {
        const char *rest;
        int64_t id = parse_id(url + 22, &rest);
        if (id > 0 && strcmp(rest, "/alerts") == 0)
            return get ? api_group_alerts(s, c, id) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    }
    const http_route *r = module_route(s, url);
    if (r)
        return route_call(s, c, r, url, method, req);
    if (strncmp(url, "/api/v1/alerts/", 15) == 0) {
        const char *rest;
        int64_t id = parse_id(url + 15, &rest);
        if (id <= 0)
            return http_error(c, MHD_HTTP_NOT_FOUND, "not found");
        if (!*rest)
            return get ? api_alert_get(s, c, id, MHD_HTTP_OK)
                       : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
        if (strcmp(rest, "/ack") == 0 || strcmp(rest, "/resolve") == 0)
            return post ? api_alert_act(s, c, id, rest[1] == 'a', req, &p)
                        : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
        if (strcmp(rest, "/assign") == 0)
            return post ? api_alert_assign(s, c, id, req, &p) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
        if (strcmp(rest, "/comments") == 0)
            return post ? api_alert_comment(s, c, id, req, &p) : http_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
    }
    return http_error(c, MHD_HTTP_NOT_FOUND, "not found");
}

static void request_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    http_server *s = cls;
    http_thread_release(s); /* no snapshot outlives its request */
    http_slow_next(s->slow, c);
    http_req *req = *con_cls;
    if (!req)
        return;
    kw_buf_free(&req->body);
    free(req);
    *con_cls = NULL;
}

/* libmicrohttpd's warnings (mostly clients that went away or sent garbage) are held to one
 * line per WARN_EVERY_MS, with a count of those held back. */
#define WARN_EVERY_MS 10000

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    http_server *s = cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    if (strstr(msg, "no longer available") || strstr(msg, "connection reset")) { /* a client went away */
        log_debug("http: %s", msg);
        return;
    }
    int64_t now = kw_now_ms();
    pthread_mutex_lock(&s->warn_mu);
    bool say = now - s->warn_ms >= WARN_EVERY_MS;
    unsigned held = say ? s->warn_held : 0;
    if (say) {
        s->warn_ms = now;
        s->warn_held = 0;
    } else {
        s->warn_held++;
    }
    pthread_mutex_unlock(&s->warn_mu);
    if (say && held)
        log_warn("http: %s (and %u more such warnings in the last %ds)", msg, held, WARN_EVERY_MS / 1000);
    else if (say)
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

/* Connections at once from one address, and the idle timeout, unless http: says otherwise. */
#define HTTP_PER_ADDRESS 32u
#define HTTP_TIMEOUT_S 30u

/* The configuration's http.timeout and http.per_address over the options' (the daemon
 * publishes its configuration before it starts the server). */
static void conf_http_limits(http_shared *sh, unsigned *timeout_s, unsigned *per_address)
{
    pthread_rwlock_rdlock(&sh->cfg_lock);
    if (sh->cfg && sh->cfg->http.timeout_ms > 0 && !*timeout_s)
        *timeout_s = (unsigned)((sh->cfg->http.timeout_ms + 999) / 1000);
    if (sh->cfg && sh->cfg->http.per_address > 0)
        *per_address = (unsigned)sh->cfg->http.per_address;
    pthread_rwlock_unlock(&sh->cfg_lock);
    if (!*timeout_s)
        *timeout_s = HTTP_TIMEOUT_S;
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
    pthread_mutex_init(&s->tok_mu, NULL);
    pthread_mutex_init(&s->warn_mu, NULL);
    s->warn_ms = INT64_MIN / 2;
    unsigned timeout_s = o->timeout_s, per_address = HTTP_PER_ADDRESS;
    conf_http_limits(sh, &timeout_s, &per_address);
    http_reply_init(s, o->close_each);
    s->hub = http_stream_start(sh, s->idle_ms, s->max_ms);
    s->slow = http_slow_start((int64_t)timeout_s * 1000);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
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
    s->mhd = MHD_start_daemon(flags, port, NULL, NULL, handle, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
                              MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                              MHD_OPTION_THREAD_POOL_SIZE, (unsigned)o->threads, MHD_OPTION_CONNECTION_LIMIT, 1024u,
                              MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_address, MHD_OPTION_CONNECTION_TIMEOUT, timeout_s,
                              MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_NOTIFY_COMPLETED,
                              request_done, s, MHD_OPTION_NOTIFY_CONNECTION, http_slow_notify, s, MHD_OPTION_ARRAY, tls_opts,
                              MHD_OPTION_END);
    if (!s->mhd) {
        snprintf(err, errn, "cannot listen on %s%s: %s", o->listen, s->tls ? " with TLS" : "",
                 errno ? strerror(errno) : "libmicrohttpd refused");
        http_stream_end(s->hub);
        http_stream_free(s->hub);
        http_slow_stop(s->slow);
        pthread_key_delete(s->thread_key);
        auth_limiter_free(s->limiter);
        pthread_mutex_destroy(&s->tok_mu);
        pthread_mutex_destroy(&s->warn_mu);
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
    http_stream_end(s->hub);
    MHD_stop_daemon(s->mhd);
    http_stream_free(s->hub);
    http_slow_stop(s->slow); /* after the daemon: no connection is left to tell it */
    pthread_key_delete(s->thread_key);
    auth_limiter_free(s->limiter);
    pthread_mutex_destroy(&s->tok_mu);
    pthread_mutex_destroy(&s->warn_mu);
    OPENSSL_cleanse(s->token, sizeof s->token);
    if (s->key)
        OPENSSL_cleanse(s->key, strlen(s->key));
    free(s->cert);
    free(s->key);
    free(s);
}
