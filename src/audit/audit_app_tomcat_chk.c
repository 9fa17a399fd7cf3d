/* The Tomcat checks over server.xml, tomcat-users.xml and the manager apps' context.xml:
 * shutdown port, AJP secret (Ghostcat), manager exposure, weak users, server information,
 * connector limits, autoDeploy. Passwords are never printed: only their length. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/audit_app_int.h"

static void shutdown_port(app_run *r)
{
    const app_kv *s = app_cf_last(&r->tomcat, "Server", "");
    char port[32] = "8005", word[128] = "SHUTDOWN", found[200];
    if (!s) {
        app_na(r, "KW-TOMCAT-SHUTDOWN-PORT", "no <Server> element");
        return;
    }
    app_attr(s->val, "port", port, sizeof port);
    app_attr(s->val, "shutdown", word, sizeof word);
    if (!strcmp(port, "-1")) {
        app_emit(r, "KW-TOMCAT-SHUTDOWN-PORT", AUDIT_PASS, s, NULL, "port -1 (disabled)", NULL, NULL);
        return;
    }
    bool dflt = !strcmp(word, "SHUTDOWN");
    snprintf(found, sizeof found, "port %s, shutdown %s", port, dflt ? "\"SHUTDOWN\" (the default word)" : "word changed");
    if (!dflt) {
        r->sev_set = true;
        r->sev = FINDING_LOW;
    }
    r->hide = !dflt;
    app_emit(r, "KW-TOMCAT-SHUTDOWN-PORT", AUDIT_FAIL, s, NULL, found, NULL, NULL);
}

static void connectors(app_run *r)
{
    size_t ajp = 0;
    for (size_t i = 0; i < r->tomcat.n; i++) {
        const app_kv *k = &r->tomcat.v[i];
        char proto[128] = "", req[16] = "", found[400], mt[32] = "200", ac[32] = "100", ct[32] = "60000";
        if (strcmp(k->key, "Connector") != 0)
            continue;
        app_attr(k->val, "protocol", proto, sizeof proto);
        if (strcasestr(proto, "AJP")) {
            ajp++;
            bool secret = app_attr(k->val, "secret", NULL, 0) || app_attr(k->val, "requiredSecret", NULL, 0);
            bool off = app_attr(k->val, "secretRequired", req, sizeof req) && !strcasecmp(req, "false");
            snprintf(found, sizeof found, "AJP connector%s%s", off ? ", secretRequired=\"false\"" : "", secret ? ", secret set" : ", no secret");
            r->hide = true;
            app_emit(r, "KW-TOMCAT-AJP", off || !secret ? AUDIT_FAIL : AUDIT_PASS, k, NULL, found, NULL, NULL);
            continue;
        }
        app_attr(k->val, "maxThreads", mt, sizeof mt);
        app_attr(k->val, "acceptCount", ac, sizeof ac);
        app_attr(k->val, "connectionTimeout", ct, sizeof ct);
        bool ok = atol(ac) <= atol(mt) && atol(ct) > 0 && atol(ct) <= 60000;
        char port[48] = "port ";
        app_attr(k->val, "port", port + 5, sizeof port - 5);
        snprintf(found, sizeof found, "maxThreads %s, acceptCount %s, connectionTimeout %s ms", mt, ac, ct);
        app_emit(r, "KW-TOMCAT-CONNECTOR-LIMITS", ok ? AUDIT_PASS : AUDIT_FAIL, k, NULL, found, NULL, port);
    }
    if (!ajp)
        app_emit(r, "KW-TOMCAT-AJP", AUDIT_PASS, NULL, r->tomcat.files[0], "no AJP connector", NULL, NULL);
}

static bool local_only(const char *allow)
{
    return allow[0] && strstr(allow, "127") && !strstr(allow, ".*") && !strstr(allow, "0.0.0.0");
}

static void managers(app_run *r)
{
    size_t apps = 0;
    for (size_t i = 0; i < r->tctx.nfiles; i++) {
        const char *f = r->tctx.files[i];
        const char *app = strstr(f, "host-manager") ? "host-manager" : "manager";
        char allow[512] = "", found[700];
        const app_kv *v = NULL;
        for (size_t j = 0; j < r->tctx.n; j++) {
            const app_kv *k = &r->tctx.v[j];
            char cls[256] = "";
            if (k->file == f && !strcmp(k->key, "Valve") && app_attr(k->val, "className", cls, sizeof cls) &&
                (strstr(cls, "RemoteAddrValve") || strstr(cls, "RemoteCIDRValve"))) {
                v = k;
                app_attr(k->val, "allow", allow, sizeof allow);
            }
        }
        apps++;
        snprintf(found, sizeof found, "%s: %s%s", app, v ? "RemoteAddrValve allow=" : "no RemoteAddrValve", v ? allow : "");
        app_emit(r, "KW-TOMCAT-MANAGER-EXPOSED", v && local_only(allow) ? AUDIT_PASS : AUDIT_FAIL, v, f, found, NULL, app);
    }
    for (size_t j = 0; j < r->tctx.n; j++)
        if (!strcmp(r->tctx.v[j].key, "none")) {
            char found[200];
            snprintf(found, sizeof found, "%s deployed without META-INF/context.xml (reachable from any address)", r->tctx.v[j].ctx);
            app_emit(r, "KW-TOMCAT-MANAGER-EXPOSED", AUDIT_FAIL, NULL, r->tomcat.files[0], found, NULL, r->tctx.v[j].ctx);
            apps++;
        }
    if (!apps)
        app_emit(r, "KW-TOMCAT-MANAGER-EXPOSED", AUDIT_PASS, NULL, r->tomcat.files[0], "manager apps not deployed", NULL, NULL);
}

static bool weak_pw(const char *user, const char *pw)
{
    static const char *const common[] = {"tomcat", "admin", "s3cret", "password", "123456", "changeme", "manager", "role1", NULL};
    for (const char *const *c = common; *c; c++)
        if (!strcasecmp(pw, *c))
            return true;
    return !strcmp(user, pw) || strlen(pw) < 8;
}

static void users(app_run *r)
{
    size_t bad = 0;
    for (size_t i = 0; i < r->tusers.n; i++) {
        const app_kv *k = &r->tusers.v[i];
        char user[128] = "", pw[256] = "", roles[256] = "", found[600];
        if (strcmp(k->key, "user") != 0 || !app_attr(k->val, "password", pw, sizeof pw))
            continue;
        app_attr(k->val, "username", user, sizeof user);
        app_attr(k->val, "roles", roles, sizeof roles);
        if (!weak_pw(user, pw))
            continue;
        bool admin = strstr(roles, "manager") || strstr(roles, "admin");
        snprintf(found, sizeof found, "user \"%s\" roles \"%s\": password weak (%zu characters%s)", user, roles, strlen(pw),
                 strcmp(user, pw) ? "" : ", equals the user name");
        r->sev_set = !admin;
        r->sev = FINDING_HIGH;
        r->hide = true;
        app_emit(r, "KW-TOMCAT-WEAK-USERS", AUDIT_FAIL, k, NULL, found, NULL, user);
        bad++;
    }
    if (!bad)
        app_emit(r, "KW-TOMCAT-WEAK-USERS", r->tusers.nfiles ? AUDIT_PASS : AUDIT_NA, NULL, r->tusers.nfiles ? r->tusers.files[0] : NULL,
                 r->tusers.nfiles ? "no weak password" : "tomcat-users.xml absent", NULL, NULL);
}

static void server_info(app_run *r)
{
    const app_kv *v = NULL;
    char show[16] = "";
    for (size_t i = 0; i < r->tomcat.n; i++) {
        char cls[256] = "";
        if (!strcmp(r->tomcat.v[i].key, "Valve") && app_attr(r->tomcat.v[i].val, "className", cls, sizeof cls) &&
            strstr(cls, "ErrorReportValve")) {
            v = &r->tomcat.v[i];
            app_attr(v->val, "showServerInfo", show, sizeof show);
        }
    }
    bool ok = v && !strcasecmp(show, "false");
    app_emit(r, "KW-TOMCAT-SERVER-INFO", ok ? AUDIT_PASS : AUDIT_FAIL, v, r->tomcat.files[0],
             ok ? "showServerInfo=\"false\"" : "no ErrorReportValve with showServerInfo=\"false\" (the version shows on error pages)", NULL, NULL);
}

static void autodeploy(app_run *r)
{
    size_t hosts = 0;
    for (size_t i = 0; i < r->tomcat.n; i++) {
        const app_kv *k = &r->tomcat.v[i];
        char ad[16] = "true";
        if (strcmp(k->key, "Host") != 0)
            continue;
        hosts++;
        app_attr(k->val, "autoDeploy", ad, sizeof ad);
        app_emit(r, "KW-TOMCAT-AUTODEPLOY", strcasecmp(ad, "false") ? AUDIT_FAIL : AUDIT_PASS, k, NULL, ad, NULL, k->val);
    }
    if (!hosts)
        app_na(r, "KW-TOMCAT-AUTODEPLOY", "no <Host> element");
}

/* conf/web.xml: the DefaultServlet's init-param listings (a param-name "listings" followed
 * by its param-value in the same init-param). */
static void listings(app_run *r)
{
    size_t seen = 0;
    for (size_t i = 0; i + 1 < r->tomcat.n; i++) {
        const app_kv *k = &r->tomcat.v[i], *v = &r->tomcat.v[i + 1];
        if (strcmp(k->key, "param-name") != 0 || strcmp(k->val, "listings") != 0 || strcmp(v->key, "param-value") != 0 ||
            strcmp(k->ctx, v->ctx) != 0)
            continue;
        seen++;
        bool on = !strcasecmp(v->val, "true");
        app_emit(r, "KW-TOMCAT-LISTINGS", on ? AUDIT_FAIL : AUDIT_PASS, v, NULL, v->val, NULL, v->file);
    }
    if (!seen)
        app_emit(r, "KW-TOMCAT-LISTINGS", AUDIT_PASS, NULL, r->tomcat.files[0], "absent (default false)", NULL, NULL);
}

void app_check_tomcat(app_run *r)
{
    if (!r->have_tomcat) {
        app_na_group(r, "tomcat", "Tomcat server.xml absent");
        return;
    }
    shutdown_port(r);
    connectors(r);
    managers(r);
    users(r);
    server_info(r);
    autodeploy(r);
    listings(r);
}
