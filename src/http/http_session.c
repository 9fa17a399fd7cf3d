/* Who is asking: the API token or a console session; signing in and out. */
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "http/http_int.h"
#include "http/http_reply.h"
#include "store/store_token.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* wrong passwords from one address, whatever the names, before it waits */
#define SIGNIN_FAILS_PER_ADDRESS 20

/* The bearer token of the request, or NULL. */
static const char *bearer_of(struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return h;
}

/* Reads the admin's bootstrap token from path into out when the file changed since the last
 * look (keepwatch token rotate writes a new one); keeps the old one when it cannot. */
static void bootstrap_reload(http_server *s, const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || (sb.st_ino == s->tok_ino && sb.st_mtim.tv_sec == s->tok_mtime.tv_sec &&
                                 sb.st_mtim.tv_nsec == s->tok_mtime.tv_nsec))
        return;
    FILE *f = fopen(path, "r");
    char line[80] = "";
    bool ok = f && fgets(line, sizeof line, f);
    if (f)
        fclose(f);
    line[strcspn(line, "\r\n")] = 0;
    size_t n = strlen(line);
    if (ok && n >= 16 && n <= 64 && strcmp(s->token, line) != 0) { /* the first look finds the same */
        memcpy(s->token, line, n + 1);
        log_info("http: the API token in %s changed: the new one is in force", path);
    }
    s->tok_ino = sb.st_ino;
    s->tok_mtime = sb.st_mtim;
    OPENSSL_cleanse(line, sizeof line);
}

void http_token_path(http_server *s, char *out, size_t n)
{
    pthread_rwlock_rdlock(&s->sh->cfg_lock);
    char *path = s->sh->cfg ? conf_state_path(s->sh->cfg, "api.token") : NULL;
    pthread_rwlock_unlock(&s->sh->cfg_lock);
    snprintf(out, n, "%s", path ? path : "api.token");
    free(path);
}

/* Does t equal the admin's bootstrap token (the daemon's, or a rotated one)? */
static bool bootstrap_ok(http_server *s, const char *t)
{
    char path[4096], cur[65];
    http_token_path(s, path, sizeof path);
    pthread_mutex_lock(&s->tok_mu);
    if (!s->token[0])
        snprintf(s->token, sizeof s->token, "%s", s->sh->token);
    bootstrap_reload(s, path);
    memcpy(cur, s->token, sizeof cur);
    pthread_mutex_unlock(&s->tok_mu);
    bool ok = cur[0] && auth_equal(t, cur);
    OPENSSL_cleanse(cur, sizeof cur);
    return ok;
}

/* A bearer token: the bootstrap token is `admin`; a user's token (kw_...) is its user. */
static void who_token(http_server *s, const char *t, principal *p)
{
    p->why = "the token is not valid";
    if (bootstrap_ok(s, t)) {
        p->ok = p->token = true;
        snprintf(p->user.name, sizeof p->user.name, "admin");
        p->user.role = ROLE_ADMIN;
        p->why = NULL;
        return;
    }
    if (strncmp(t, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0 || strlen(t) != strlen(TOKEN_PREFIX) + 64)
        return;
    char hash[65];
    auth_sha256_hex(t, hash);
    kw_store *st = http_store(s);
    const char *why = NULL;
    kw_rc rc = st ? store_token_auth(st, hash, kw_now_ms(), &p->user, &why) : KW_ERR_STORE;
    p->ok = p->token = rc == KW_OK;
    p->why = rc == KW_OK ? NULL : rc == KW_ERR_STORE ? "the store is unavailable" : why;
}

/* A bearer token, or a live session cookie. */
void http_who(http_server *s, struct MHD_Connection *c, principal *p)
{
    memset(p, 0, sizeof *p);
    const char *bearer = bearer_of(c);
    if (bearer) {
        who_token(s, bearer, p);
        return;
    }
    const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "kw_session");
    if (!cookie || strlen(cookie) != 64)
        return;
    auth_sha256_hex(cookie, p->sid_hash);
    kw_store *st = http_store(s);
    p->ok = st && store_session_get(st, p->sid_hash, kw_now_ms(), s->idle_ms, s->max_ms, &p->user, p->csrf) == KW_OK;
    if (!p->ok)
        p->why = "the session has ended: sign in again";
}

enum MHD_Result http_unauthorized(http_server *s, struct MHD_Connection *c, const principal *p)
{
    char path[4096], msg[4400];
    http_token_path(s, path, sizeof path);
    snprintf(msg, sizeof msg,
             "%s%ssign in (POST /api/v1/session) or send an API token as 'Authorization: Bearer TOKEN': the admin's "
             "is in %s, a user's comes from 'keepwatch token add USER'",
             p->why ? p->why : "", p->why ? "; " : "", path);
    return http_error(c, MHD_HTTP_UNAUTHORIZED, msg);
}

/* A request that changes something, made with a session cookie, must carry the session's
 * CSRF token, and come from this origin if the browser says where it comes from. */
bool http_csrf_ok(http_server *s, struct MHD_Connection *c, const principal *p)
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

void http_client_address(struct MHD_Connection *c, char *out, size_t n)
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

void http_json_user(kw_json *j, const store_user *u)
{
    kw_json_key(j, "user");
    kw_json_obj_begin(j);
    store_user_json_fields(j, u);
    kw_json_obj_end(j);
}

enum MHD_Result http_session_reply(struct MHD_Connection *c, const principal *p, const char *cookie_hdr)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    http_json_user(&j, &p->user);
    if (!p->token)
        kw_json_kv_str(&j, "csrf", p->csrf);
    kw_json_obj_end(&j);
    kw_buf_putc(&b, '\n');
    const char *hdrs[] = {"Set-Cookie", cookie_hdr, NULL};
    return http_respond_hdr(c, MHD_HTTP_OK, "application/json; charset=utf-8", &b, cookie_hdr ? hdrs : NULL);
}

/* POST /api/v1/session {"name", "password"}: signs in, sets the session cookie. */
enum MHD_Result api_sign_in(http_server *s, struct MHD_Connection *c, http_req *req)
{
    if (req->too_large)
        return http_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
    char addr[INET6_ADDRSTRLEN + 8], ipkey[72], ukey[128];
    http_client_address(c, addr, sizeof addr);
    json_t *root = json_loadb(req->body.data ? req->body.data : "", req->body.len, JSON_REJECT_DUPLICATES, NULL);
    const char *jn = json_string_value(json_object_get(root, "name"));
    const char *pw = json_string_value(json_object_get(root, "password"));
    char name[64];
    if (!jn || !pw || strlen(jn) >= sizeof name) {
        json_decref(root);
        return http_error(c, MHD_HTTP_BAD_REQUEST, "send {\"name\": ..., \"password\": ...}");
    }
    snprintf(name, sizeof name, "%s", jn); /* root (and pw with it) is freed before the end */
    /* per name and address: a stranger's wrong guesses do not lock the name out elsewhere */
    snprintf(ipkey, sizeof ipkey, "ip:%s", addr);
    snprintf(ukey, sizeof ukey, "u:%s@%s", name, addr);
    kw_store *st = http_store(s);
    if (!st) {
        json_decref(root);
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "store unavailable");
    }
    int64_t now = kw_now_ms(), unlocked = store_user_unlocked_ms(st, name);
    if (unlocked) { /* keepwatch user unlock NAME */
        char prefix[80];
        snprintf(prefix, sizeof prefix, "u:%s@", name);
        auth_limiter_forgive(s->limiter, prefix, unlocked);
    }
    int64_t wait = auth_limiter_wait(s->limiter, ipkey, now), w2 = auth_limiter_wait(s->limiter, ukey, now);
    if (w2 > wait)
        wait = w2;
    if (wait) {
        json_decref(root);
        char why[128];
        snprintf(why, sizeof why, "too many wrong passwords from this address: wait %llds (or keepwatch user unlock NAME)",
                 (long long)wait);
        return http_too_many(c, wait, why);
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
        auth_limiter_fail_after(s->limiter, ipkey, now, SIGNIN_FAILS_PER_ADDRESS);
        auth_limiter_fail(s->limiter, ukey, now);
        log_warn("http: wrong name or password for \"%.64s\" from %s", name, addr);
        return http_error(c, MHD_HTTP_UNAUTHORIZED, "wrong name or password");
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
        return http_store_error(c, st);
    }
    log_info("http: %s signed in from %s", p.user.name, addr);
    char hdr[256];
    snprintf(hdr, sizeof hdr, "kw_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s", cookie,
             (long long)(s->max_ms / 1000), s->tls ? "; Secure" : "");
    OPENSSL_cleanse(cookie, sizeof cookie);
    enum MHD_Result r = http_session_reply(c, &p, hdr);
    OPENSSL_cleanse(hdr, sizeof hdr);
    return r;
}

/* DELETE /api/v1/session: signs out. */
enum MHD_Result api_sign_out(http_server *s, struct MHD_Connection *c, const principal *p)
{
    if (p->token)
        return http_error(c, MHD_HTTP_BAD_REQUEST, "the API token is not a session");
    kw_store *st = http_store(s);
    if (!st)
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "store unavailable");
    int64_t now = kw_now_ms();
    if (store_begin(st) != KW_OK || store_session_delete(st, p->sid_hash) != KW_OK ||
        store_duty_append(st, now, "user.logout", p->user.name, 0, "signed out of the console") != KW_OK ||
        store_commit(st) != KW_OK) {
        store_rollback(st);
        return http_store_error(c, st);
    }
    http_stream_drop_session(s->hub, p->sid_hash);
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_buf_puts(&b, "{\"signed_out\":true}\n");
    char hdr[160];
    snprintf(hdr, sizeof hdr, "kw_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s", s->tls ? "; Secure" : "");
    const char *hdrs[] = {"Set-Cookie", hdr, NULL};
    return http_respond_hdr(c, MHD_HTTP_OK, "application/json; charset=utf-8", &b, hdrs);
}

/* ---- the console's data ---- */
