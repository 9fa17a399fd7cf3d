/* The nginx per-server checks: security headers on TLS servers, an open stub_status, plain
 * HTTP servers of TLS sites without a redirect, and the alias traversal (a location without
 * its trailing slash whose alias has one: /img../etc/passwd) and `root /`. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "audit/audit_app_int.h"

static bool server_tls(const app_cf *c, const char *in)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->v[i].ctx, in) &&
            ((!strcmp(c->v[i].key, "listen") && app_has_token(c->v[i].val, "ssl", " ")) || !strcmp(c->v[i].key, "ssl_certificate")))
            return true;
    return false;
}

static bool server_listens(const app_cf *c, const char *in, const char *port)
{
    for (size_t i = 0; i < c->n; i++) {
        const app_kv *k = &c->v[i];
        if (strcmp(k->ctx, in) != 0 || strcmp(k->key, "listen") != 0)
            continue;
        size_t l = strcspn(k->val, " "), pl = strlen(port);
        if (l >= pl && !strncmp(k->val + l - pl, port, pl) && (l == pl || k->val[l - pl - 1] == ':'))
            return true;
    }
    return false;
}

/* add_header names set in ctx prefix in or at the http level. */
static bool header_set(const app_cf *c, const char *in, const char *name)
{
    for (size_t i = 0; i < c->n; i++) {
        const app_kv *k = &c->v[i];
        if (strcmp(k->key, "add_header") != 0 || strncasecmp(k->val, name, strlen(name)) != 0)
            continue;
        if (!strncmp(k->ctx, in, strlen(in)) || !strchr(k->ctx, '>'))
            return true;
    }
    return false;
}

static void headers(app_run *r, const app_kv *srv, const char *in)
{
    static const char *const need[] = {"X-Frame-Options", "X-Content-Type-Options", "Strict-Transport-Security", NULL};
    char miss[200] = "";
    for (const char *const *h = need; *h; h++)
        if (!header_set(&r->nginx, in, *h)) {
            app_list_add(miss, sizeof miss, ", ", *h);
        }
    char found[260];
    snprintf(found, sizeof found, "%s%s", miss[0] ? "missing: " : "all set", miss);
    app_emit(r, "KW-NGINX-SECURITY-HEADERS", miss[0] ? AUDIT_FAIL : AUDIT_PASS, srv, NULL, found, NULL, in);
}

static bool redirects(const app_cf *c, const char *in)
{
    for (size_t i = 0; i < c->n; i++) {
        const app_kv *k = &c->v[i];
        if (!strncmp(k->ctx, in, strlen(in)) && (!strcmp(k->key, "return") || !strcmp(k->key, "rewrite")) &&
            strstr(k->val, "https://"))
            return true;
    }
    return false;
}

static void servers(app_run *r)
{
    bool tls_site = false, any = false;
    char in[APP_TEXT_MAX + 64];
    for (size_t i = 0; i < r->nginx.n; i++)
        if (!strcmp(r->nginx.v[i].key, "server") && strstr(r->nginx.v[i].ctx, "http@")) {
            app_inner(&r->nginx.v[i], in, sizeof in);
            tls_site |= server_tls(&r->nginx, in);
        }
    for (size_t i = 0; i < r->nginx.n; i++) {
        const app_kv *k = &r->nginx.v[i];
        if (strcmp(k->key, "server") != 0 || !strstr(k->ctx, "http@"))
            continue;
        app_inner(k, in, sizeof in);
        if (server_tls(&r->nginx, in)) {
            headers(r, k, in);
            any = true;
        } else if (tls_site && server_listens(&r->nginx, in, "80")) {
            bool ok = redirects(&r->nginx, in);
            app_emit(r, "KW-NGINX-HTTP-REDIRECT", ok ? AUDIT_PASS : AUDIT_FAIL, k, NULL,
                     ok ? "redirects to https://" : "listen 80 serves content without redirecting to HTTPS", NULL, in);
        }
    }
    if (!any)
        app_emit(r, "KW-NGINX-SECURITY-HEADERS", AUDIT_NA, NULL, r->nginx.files[0], "no TLS server", NULL, NULL);
    if (!tls_site)
        app_emit(r, "KW-NGINX-HTTP-REDIRECT", AUDIT_NA, NULL, r->nginx.files[0], "no TLS server", NULL, NULL);
}

static void status_pages(app_run *r)
{
    size_t seen = 0;
    for (size_t i = 0; i < r->nginx.n; i++) {
        const app_kv *k = &r->nginx.v[i];
        if (strcmp(k->key, "stub_status") != 0)
            continue;
        seen++;
        bool guarded = app_cf_last(&r->nginx, "allow", k->ctx) || app_cf_last(&r->nginx, "deny", k->ctx) ||
                       app_cf_last(&r->nginx, "auth_basic", k->ctx);
        app_emit(r, "KW-NGINX-STATUS-OPEN", guarded ? AUDIT_PASS : AUDIT_FAIL, k, NULL,
                 guarded ? "allow/deny or auth_basic present" : "stub_status without allow/deny: open to every client", NULL, k->ctx);
    }
    if (!seen)
        app_emit(r, "KW-NGINX-STATUS-OPEN", AUDIT_PASS, NULL, r->nginx.files[0], "no stub_status", NULL, NULL);
}

/* The prefix of the innermost `location` block of ctx (NULL for regex locations): into out. */
static bool location_of(const char *ctx, char *out, size_t n)
{
    const char *last = strrchr(ctx, '>');
    last = last ? last + 1 : ctx;
    if (strncmp(last, "location ", 9) != 0)
        return false;
    const char *p = last + 9;
    if (!strncmp(p, "= ", 2) || !strncmp(p, "^~ ", 3))
        p += p[0] == '=' ? 2 : 3;
    else if (p[0] == '~' || p[0] == '@')
        return false;
    size_t l = strcspn(p, "@ ");
    snprintf(out, n, "%.*s", (int)l, p);
    return true;
}

static void aliases(app_run *r)
{
    size_t bad = 0;
    for (size_t i = 0; i < r->nginx.n; i++) {
        const app_kv *k = &r->nginx.v[i];
        char loc[256], found[600];
        size_t vl = strlen(k->val);
        if (!strcmp(k->key, "root") && !strcmp(k->val, "/")) {
            app_emit(r, "KW-NGINX-ALIAS-TRAVERSAL", AUDIT_FAIL, k, NULL, "root / (the whole file system is served)", NULL, k->ctx);
            bad++;
        } else if (!strcmp(k->key, "alias") && vl && k->val[vl - 1] == '/' && location_of(k->ctx, loc, sizeof loc) &&
                   loc[0] && loc[strlen(loc) - 1] != '/') {
            snprintf(found, sizeof found, "location %s without trailing slash, alias %s: %s../ reaches the parent of %s", loc,
                     k->val, loc, k->val);
            app_emit(r, "KW-NGINX-ALIAS-TRAVERSAL", AUDIT_FAIL, k, NULL, found, NULL, k->ctx);
            bad++;
        }
    }
    if (!bad)
        app_emit(r, "KW-NGINX-ALIAS-TRAVERSAL", AUDIT_PASS, NULL, r->nginx.files[0], "no traversal-prone alias, no root /", NULL, NULL);
}

void app_check_nginx_servers(app_run *r)
{
    servers(r);
    status_pages(r);
    aliases(r);
}
