/* The nginx checks over the directives audit_app_nginx.c read (with their includes):
 * version banner, listings, TLS protocols and ciphers, worker descriptors, upstream
 * keepalive, timeouts, body size, rate limits, security headers, status page, HTTP
 * redirect, alias traversal. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/audit_app_int.h"

/* A directive named key inside ctx (at any depth below it). */
static const app_kv *under(const app_cf *c, const char *ctx, const char *key)
{
    return app_cf_last(c, key, ctx);
}

static void server_tokens(app_run *r)
{
    const app_kv *k = app_cf_last(&r->nginx, "server_tokens", NULL);
    bool ok = k && !strcasecmp(k->val, "off");
    app_emit(r, "KW-NGINX-SERVER-TOKENS", ok ? AUDIT_PASS : AUDIT_FAIL, k, k ? NULL : r->nginx.files[0],
             k ? k->val : "absent (default on: the version is in every Server header and error page)", NULL, NULL);
}

static void autoindex(app_run *r)
{
    size_t bad = 0;
    for (size_t i = 0; i < r->nginx.n; i++) {
        const app_kv *k = &r->nginx.v[i];
        if (!strcmp(k->key, "autoindex") && !strcasecmp(k->val, "on")) {
            app_emit(r, "KW-NGINX-AUTOINDEX", AUDIT_FAIL, k, NULL, "on", NULL, k->ctx);
            bad++;
        }
    }
    if (!bad)
        app_emit(r, "KW-NGINX-AUTOINDEX", AUDIT_PASS, NULL, r->nginx.files[0], "off everywhere", NULL, NULL);
}

static bool nginx_tls(const app_cf *c)
{
    for (size_t i = 0; i < c->n; i++)
        if ((!strcmp(c->v[i].key, "listen") && app_has_token(c->v[i].val, "ssl", " ")) ||
            !strcmp(c->v[i].key, "ssl_certificate"))
            return true;
    return false;
}

static const char *const weak_protos[] = {"SSLv2", "SSLv3", "TLSv1", "TLSv1.1", NULL};
static const char *const weak_ciphers[] = {"NULL", "EXPORT", "RC4", "DES", "MD5", NULL};


static void tls_lists(app_run *r, const char *key, const char *id, const char *const *weak, bool ciphers)
{
    size_t seen = 0, bad = 0;
    char w[256], found[512];
    for (size_t i = 0; i < r->nginx.n; i++) {
        const app_kv *k = &r->nginx.v[i];
        if (strcmp(k->key, key) != 0)
            continue;
        seen++;
        app_weak_list(k->val, weak, ciphers, w, sizeof w);
        if (w[0]) {
            snprintf(found, sizeof found, "%s (weak: %s)", k->val, w);
            app_emit(r, id, AUDIT_FAIL, k, NULL, found, NULL, k->ctx);
            bad++;
        }
    }
    if (!nginx_tls(&r->nginx) && !seen)
        app_emit(r, id, AUDIT_NA, NULL, r->nginx.files[0], "no TLS server", NULL, NULL);
    else if (!seen && !ciphers)
        app_emit(r, id, AUDIT_FAIL, NULL, r->nginx.files[0],
                 "absent (before nginx 1.23.4 the default includes TLSv1 and TLSv1.1)", NULL, NULL);
    else if (!bad)
        app_emit(r, id, AUDIT_PASS, NULL, r->nginx.files[0], seen ? "no weak entry" : "absent (nginx default HIGH:!aNULL:!MD5)", NULL, NULL);
}

static bool any_key(const app_cf *c, const char *key)
{
    return app_cf_last(c, key, NULL) != NULL;
}

static void worker_fds(app_run *r)
{
    const app_kv *wc = app_cf_last(&r->nginx, "worker_connections", NULL);
    const app_kv *wp = app_cf_last(&r->nginx, "worker_processes", NULL);
    const app_kv *rl = app_cf_last(&r->nginx, "worker_rlimit_nofile", NULL);
    long conns = wc ? strtol(wc->val, NULL, 10) : 512, procs = wp ? strtol(wp->val, NULL, 10) : 1;
    bool proxy = any_key(&r->nginx, "proxy_pass") || any_key(&r->nginx, "fastcgi_pass");
    long need = proxy ? 2 * conns : conns;
    char found[512];
    int l = snprintf(found, sizeof found, "worker_connections %ld × worker_processes %s = %ld connections", conns,
                     wp ? wp->val : "1", procs > 0 ? conns * procs : conns);
    if (!rl) {
        snprintf(found + l, sizeof found - (size_t)l, "; worker_rlimit_nofile absent (the system's limit, often 1024, applies)%s",
                 proxy ? "; proxying: 2 descriptors per client" : "");
        app_emit(r, "KW-NGINX-WORKER-FDS", conns > 1024 || need > 1024 ? AUDIT_FAIL : AUDIT_NOTE, wc, r->nginx.files[0], found, NULL, NULL);
        return;
    }
    long lim = strtol(rl->val, NULL, 10);
    snprintf(found + l, sizeof found - (size_t)l, "; each worker needs %ld descriptors%s; worker_rlimit_nofile %ld", need,
             proxy ? " (proxying: 2 per client)" : "", lim);
    app_emit(r, "KW-NGINX-WORKER-FDS", need > lim ? AUDIT_FAIL : AUDIT_PASS, rl, NULL, found, NULL, NULL);
}

static void upstream_keepalive(app_run *r)
{
    size_t ups = 0;
    for (size_t i = 0; i < r->nginx.n; i++) {
        const app_kv *k = &r->nginx.v[i];
        if (strcmp(k->key, "upstream") != 0)
            continue;
        ups++;
        char in[APP_TEXT_MAX + 64], pat[300], found[400];
        app_inner(k, in, sizeof in);
        bool used = false;
        snprintf(pat, sizeof pat, "://%s", k->val);
        for (size_t j = 0; j < r->nginx.n && !used; j++) {
            const char *v = r->nginx.v[j].val, *p = !strcmp(r->nginx.v[j].key, "proxy_pass") ? strstr(v, pat) : NULL;
            used = p && (p[strlen(pat)] == '\0' || strchr("/:;", p[strlen(pat)]));
        }
        const app_kv *ka = under(&r->nginx, in, "keepalive");
        snprintf(found, sizeof found, "%s%s", ka ? ka->val : "no keepalive",
                 used ? " (used by proxy_pass: a new TCP connection per request)" : " (not used by proxy_pass)");
        app_emit(r, "KW-NGINX-UPSTREAM-KEEPALIVE", ka ? AUDIT_PASS : used ? AUDIT_FAIL : AUDIT_NOTE, ka ? ka : k, NULL, found, NULL, k->val);
    }
    if (!ups)
        app_emit(r, "KW-NGINX-UPSTREAM-KEEPALIVE", AUDIT_NA, NULL, r->nginx.files[0], "no upstream block", NULL, NULL);
}

/* An nginx time ("65", "65s", "5m", "1h", "500ms") in seconds; -1 when unreadable. */
static long app_ngx_secs(const char *v)
{
    char *e;
    long n = strtol(v, &e, 10);
    if (e == v || n < 0)
        return -1;
    if (!strncmp(e, "ms", 2))
        return n / 1000;
    switch (*e) {
    case 'm': return n * 60;
    case 'h': return n * 3600;
    case 'd': return n * 86400;
    default: return n;
    }
}

static void timeouts(app_run *r)
{
    static const char *const keys[] = {"client_body_timeout", "client_header_timeout", "keepalive_timeout", "send_timeout",
                                       "proxy_read_timeout", "proxy_send_timeout", "proxy_connect_timeout", NULL};
    size_t bad = 0;
    for (size_t i = 0; i < r->nginx.n; i++) {
        const app_kv *k = &r->nginx.v[i];
        for (const char *const *t = keys; *t; t++)
            if (!strcmp(k->key, *t) && app_ngx_secs(k->val) > 75) {
                char found[300];
                snprintf(found, sizeof found, "%s %s (%ld s: slow clients hold connections)", k->key, k->val, app_ngx_secs(k->val));
                app_emit(r, "KW-NGINX-TIMEOUTS", AUDIT_FAIL, k, NULL, found, NULL, k->ctx);
                bad++;
            }
    }
    if (!bad)
        app_emit(r, "KW-NGINX-TIMEOUTS", AUDIT_PASS, NULL, r->nginx.files[0], "every timeout ≤ 75 s (or default 60 s)", NULL, NULL);
}

static void body_size(app_run *r)
{
    size_t bad = 0;
    for (size_t i = 0; i < r->nginx.n; i++) {
        const app_kv *k = &r->nginx.v[i];
        if (!strcmp(k->key, "client_max_body_size") && strtol(k->val, NULL, 10) == 0) {
            app_emit(r, "KW-NGINX-CLIENT-MAX-BODY", AUDIT_FAIL, k, NULL, "0 (unlimited)", NULL, k->ctx);
            bad++;
        }
    }
    const app_kv *k = app_cf_last(&r->nginx, "client_max_body_size", NULL);
    if (!bad)
        app_emit(r, "KW-NGINX-CLIENT-MAX-BODY", AUDIT_PASS, k, r->nginx.files[0], k ? k->val : "absent (default 1m)", NULL, NULL);
}

static void rate_limit(app_run *r)
{
    const app_kv *k = app_cf_last(&r->nginx, "limit_req", NULL);
    if (!k)
        k = app_cf_last(&r->nginx, "limit_conn", NULL);
    app_emit(r, "KW-NGINX-RATE-LIMIT", k ? AUDIT_PASS : AUDIT_FAIL, k, r->nginx.files[0], k ? k->val : "no limit_req or limit_conn",
             NULL, NULL);
}


void app_check_nginx(app_run *r)
{
    if (!r->have_nginx) {
        app_na_group(r, "nginx", "nginx configuration absent");
        return;
    }
    server_tokens(r);
    autoindex(r);
    tls_lists(r, "ssl_protocols", "KW-NGINX-SSL-PROTOCOLS", weak_protos, false);
    tls_lists(r, "ssl_ciphers", "KW-NGINX-SSL-CIPHERS", weak_ciphers, true);
    worker_fds(r);
    upstream_keepalive(r);
    timeouts(r);
    body_size(r);
    rate_limit(r);
    app_check_nginx_servers(r);
}
