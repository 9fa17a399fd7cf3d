/* The Apache httpd checks over apache2.conf / httpd.conf and their includes: banners,
 * TRACE, Options per section, TLS protocols and ciphers, status pages, worker limits,
 * timeouts, body limit and risky modules (mods-enabled links or LoadModule lines). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/audit_app_int.h"

static void want(app_run *r, const char *id, const char *key, const char *good, const char *absent, bool absent_ok)
{
    const app_kv *k = app_cf_last(&r->apache, key, NULL);
    bool ok = k ? !strcasecmp(k->val, good) : absent_ok;
    app_emit(r, id, ok ? AUDIT_PASS : AUDIT_FAIL, k, r->apache.files[0], k ? k->val : absent, NULL, NULL);
}

/* Options words enabled (not "-X"): for each Options directive with a bad word, one result. */
static void options(app_run *r, const char *id, const char *const *words)
{
    size_t bad = 0;
    for (size_t i = 0; i < r->apache.n; i++) {
        const app_kv *k = &r->apache.v[i];
        if (strcmp(k->key, "options") != 0)
            continue;
        for (const char *const *w = words; *w; w++) {
            char plus[64];
            snprintf(plus, sizeof plus, "+%s", *w);
            if (app_has_token(k->val, *w, " ") || app_has_token(k->val, plus, " ") || app_has_token(k->val, "All", " ")) {
                app_emit(r, id, AUDIT_FAIL, k, NULL, k->val, NULL, k->ctx);
                bad++;
                break;
            }
        }
    }
    if (!bad)
        app_emit(r, id, AUDIT_PASS, NULL, r->apache.files[0], "not enabled", NULL, NULL);
}

static void tls(app_run *r, const char *key, const char *id, bool ciphers)
{
    static const char *const weak_ciphers[] = {"NULL", "EXPORT", "RC4", "DES", "MD5", NULL};
    const app_kv *k = app_cf_last(&r->apache, key, NULL);
    if (!k) {
        bool ssl = strstr(r->apache_mods, " ssl") || app_cf_last(&r->apache, "sslengine", NULL);
        app_emit(r, id, ssl ? AUDIT_NOTE : AUDIT_NA, NULL, r->apache.files[0], ssl ? "absent (the build's default applies)" : "no TLS", NULL, NULL);
        return;
    }
    char weak[128] = "", found[700];
    if (ciphers)
        app_weak_list(k->val, weak_ciphers, true, weak, sizeof weak);
    else {
        static const char *const p[] = {"SSLv3", "TLSv1", "TLSv1.1", NULL};
        bool all = app_has_token(k->val, "all", " ") || app_has_token(k->val, "+all", " ");
        for (const char *const *w = p; *w; w++) {
            char minus[32], plus[32];
            snprintf(minus, sizeof minus, "-%s", *w);
            snprintf(plus, sizeof plus, "+%s", *w);
            if ((all && !app_has_token(k->val, minus, " ")) || app_has_token(k->val, *w, " ") || app_has_token(k->val, plus, " ")) {
                app_list_add(weak, sizeof weak, " ", *w);
            }
        }
    }
    snprintf(found, sizeof found, "%s%s%s%s", k->val, weak[0] ? " (weak: " : "", weak, weak[0] ? ")" : "");
    app_emit(r, id, weak[0] ? AUDIT_FAIL : AUDIT_PASS, k, NULL, found, NULL, NULL);
}

static void status_pages(app_run *r)
{
    size_t seen = 0;
    for (size_t i = 0; i < r->apache.n; i++) {
        const app_kv *k = &r->apache.v[i];
        if (strcmp(k->key, "sethandler") != 0 || (strcasecmp(k->val, "server-status") && strcasecmp(k->val, "server-info")))
            continue;
        seen++;
        const app_kv *q = app_cf_last(&r->apache, "require", k->ctx);
        if (!q)
            q = app_cf_last(&r->apache, "allow", k->ctx);
        bool open = !q || strcasestr(q->val, "all granted") || !strcasecmp(q->val, "from all");
        app_emit(r, "KW-APACHE-STATUS-OPEN", open ? AUDIT_FAIL : AUDIT_PASS, q ? q : k, NULL, q ? q->val : "no Require", NULL, k->ctx);
    }
    if (!seen)
        app_emit(r, "KW-APACHE-STATUS-OPEN", AUDIT_PASS, NULL, r->apache.files[0], "no server-status / server-info handler", NULL, NULL);
}

static void limit(app_run *r, const char *id, const char *key, long max, long dflt, bool zero_bad)
{
    const app_kv *k = app_cf_last(&r->apache, key, NULL);
    long v = k ? atol(k->val) : dflt;
    bool ok = (!zero_bad || v != 0) && (max <= 0 || v <= max);
    char found[64];
    snprintf(found, sizeof found, "%ld%s", v, k ? "" : " (default)");
    app_emit(r, id, ok ? AUDIT_PASS : AUDIT_FAIL, k, r->apache.files[0], found, NULL, NULL);
}

static void workers(app_run *r)
{
    const app_kv *m = app_cf_last(&r->apache, "maxrequestworkers", NULL), *s = app_cf_last(&r->apache, "serverlimit", NULL),
                 *t = app_cf_last(&r->apache, "threadsperchild", NULL);
    if (!m) {
        app_emit(r, "KW-APACHE-WORKERS", AUDIT_PASS, NULL, r->apache.files[0], "MaxRequestWorkers absent (the MPM's default)", NULL, NULL);
        return;
    }
    long mw = atol(m->val), sl = s ? atol(s->val) : 16, tp = t ? atol(t->val) : 25, cap = sl * tp;
    char found[200];
    snprintf(found, sizeof found, "MaxRequestWorkers %ld, ServerLimit %ld × ThreadsPerChild %ld = %ld", mw, sl, tp, cap);
    app_emit(r, "KW-APACHE-WORKERS", mw <= cap ? AUDIT_PASS : AUDIT_FAIL, m, NULL, found, NULL, NULL);
}

static void modules(app_run *r)
{
    static const char *const risky[] = {"userdir", "autoindex", "dav", "dav_fs", NULL};
    char on[128] = "";
    for (const char *const *m = risky; *m; m++) {
        char pat[64];
        snprintf(pat, sizeof pat, "%s_module", *m);
        bool hit = app_has_token(r->apache_mods, *m, " ");
        for (size_t i = 0; i < r->apache.n && !hit; i++)
            hit = !strcmp(r->apache.v[i].key, "loadmodule") && !strncmp(r->apache.v[i].val, pat, strlen(pat)) &&
                  r->apache.v[i].val[strlen(pat)] == ' ';
        if (hit) {
            app_list_add(on, sizeof on, " ", *m);
        }
    }
    char found[160];
    snprintf(found, sizeof found, "%s%s", on[0] ? "enabled: " : "none enabled", on);
    app_emit(r, "KW-APACHE-RISKY-MODULES", on[0] ? AUDIT_FAIL : AUDIT_PASS, NULL, r->apache.files[0], found, NULL, NULL);
}

void app_check_apache(app_run *r)
{
    static const char *const idx[] = {"Indexes", NULL}, *const exec[] = {"ExecCGI", "FollowSymLinks", NULL};
    if (!r->have_apache) {
        app_na_group(r, "apache", "Apache httpd configuration absent");
        return;
    }
    want(r, "KW-APACHE-SERVER-TOKENS", "servertokens", "Prod", "absent (default Full)", false);
    want(r, "KW-APACHE-SERVER-SIGNATURE", "serversignature", "Off", "absent (default Off)", true);
    want(r, "KW-APACHE-TRACE", "traceenable", "Off", "absent (default On)", false);
    options(r, "KW-APACHE-INDEXES", idx);
    options(r, "KW-APACHE-OPTIONS", exec);
    tls(r, "sslprotocol", "KW-APACHE-SSL-PROTOCOL", false);
    tls(r, "sslciphersuite", "KW-APACHE-SSL-CIPHERS", true);
    status_pages(r);
    workers(r);
    limit(r, "KW-APACHE-TIMEOUT", "timeout", 60, 60, true);
    limit(r, "KW-APACHE-KEEPALIVE-TIMEOUT", "keepalivetimeout", 15, 5, false);
    limit(r, "KW-APACHE-LIMIT-BODY", "limitrequestbody", 0, 1073741824, true);
    modules(r);
}
