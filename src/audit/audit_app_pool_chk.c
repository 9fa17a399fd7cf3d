/* The connection-pool checks: the pools found in each application directory (Spring Boot
 * properties and YAML, profile files overriding the base, HikariCP / Druid / c3p0 / Tomcat
 * JDBC keys under relaxed binding; Tomcat context.xml <Resource> elements) against the
 * database they point at (jdbc:mysql:, jdbc:mariadb:, jdbc:postgresql:). Passwords are never
 * printed: only their length. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/audit_app_int.h"

typedef struct pool_kind {
    const char *name, *prefix;   /* "hikari", "spring.datasource.hikari." (canonical: no - or _) */
    const char *size, *wait, *leak;
    long size_dflt;
} pool_kind;

static const pool_kind kinds[] = {
    {"HikariCP", "spring.datasource.hikari.", "maximumpoolsize", "connectiontimeout", "leakdetectionthreshold", 10},
    {"HikariCP", "hikari.", "maximumpoolsize", "connectiontimeout", "leakdetectionthreshold", 10},
    {"Druid", "spring.datasource.druid.", "maxactive", "maxwait", "removeabandoned", 8},
    {"Druid", "druid.", "maxactive", "maxwait", "removeabandoned", 8},
    {"c3p0", "c3p0.", "maxpoolsize", "checkouttimeout", "unreturnedconnectiontimeout", 15},
    {"Tomcat JDBC", "spring.datasource.tomcat.", "maxactive", "maxwait", "removeabandoned", 100},
};

/* Lower-case, without '-' and '_' (Spring's relaxed binding). */
static void canon(const char *s, char *out, size_t n)
{
    size_t l = 0;
    for (; *s && l + 1 < n; s++)
        if (*s != '-' && *s != '_')
            out[l++] = (char)tolower((unsigned char)*s);
    out[l] = '\0';
}

static bool same_dir(const char *a, const char *b)
{
    const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
    return sa && sb && sa - a == sb - b && !strncmp(a, b, (size_t)(sa - a));
}

/* A profile file (application-prod.properties) overrides the base one. */
static int rank(const char *file)
{
    const char *b = strrchr(file, '/');
    b = b ? b + 1 : file;
    return !strncmp(b, "application-", 12) || !strncmp(b, "bootstrap-", 10) ? 2 : 1;
}

typedef struct app_grp { app_run *r; const char *dir; char key[300]; } app_grp; /* dir: one of its files; key: its directory */

static const app_kv *get(const app_grp *g, const char *key)
{
    char want[300], have[APP_TEXT_MAX + 1];
    canon(key, want, sizeof want);
    const app_kv *best = NULL;
    for (size_t i = 0; i < g->r->pool.n; i++) {
        const app_kv *k = &g->r->pool.v[i];
        if (!k->file || !same_dir(k->file, g->dir) || !strcmp(k->key, "Resource"))
            continue;
        canon(k->key, have, sizeof have);
        if (!strcmp(have, want) && (!best || rank(k->file) >= rank(best->file)))
            best = k;
    }
    return best;
}

static const app_kv *get2(const app_grp *g, const char *prefix, const char *key)
{
    char k[300];
    snprintf(k, sizeof k, "%s%s", prefix, key);
    return get(g, k);
}

/* The database's limit for url: its max_connections, where it was read, the margin. */
static int db_limit(const app_run *r, const char *url, char *at, size_t n, const char **db)
{
    bool pg = strstr(url, "jdbc:postgresql:") != NULL;
    *db = pg ? "postgresql" : "mysql";
    int have = pg ? r->pg_maxconn : r->mysql_maxconn;
    if (have) {
        snprintf(at, n, "%s", pg ? r->pg_maxconn_at : r->mysql_maxconn_at);
        return have;
    }
    if (r->o->db_max_connections > 0) {
        snprintf(at, n, "given with the audit");
        return r->o->db_max_connections;
    }
    return 0;
}

static int margin_of(int maxc)
{
    int m = maxc / 10;
    return m < 5 ? 5 : m;
}

static void size_check(app_grp *g, const pool_kind *pk, const app_kv *sz, const char *url, long size, const char *file)
{
    app_run *r = g->r;
    int inst = r->o->instances > 0 ? r->o->instances : 1;
    char found[300], exp[600], at[300];
    const char *db;
    snprintf(found, sizeof found, "%d instance%s × %ld = %ld (%s %s%s)", inst, inst == 1 ? "" : "s", size, size * inst, pk->name,
             sz ? "" : "default ", sz ? sz->key : "pool size");
    int maxc = db_limit(r, url, at, sizeof at, &db);
    if (!maxc) {
        snprintf(found + strlen(found), sizeof found - strlen(found), "; the database's max_connections is unknown (its configuration is not in the root)");
        app_emit(r, "KW-POOL-SIZE", AUDIT_NA, sz, file, found, NULL, g->key);
        return;
    }
    int margin = margin_of(maxc);
    snprintf(exp, sizeof exp, "≤ %d (%s max_connections %d, %s; %d kept for administrators, replication and monitoring)", maxc - margin,
             db, maxc, at, margin);
    app_emit(r, "KW-POOL-SIZE", size * inst <= maxc - margin ? AUDIT_PASS : AUDIT_FAIL, sz, file, found, exp, g->key);
}

static void timeout_check(app_grp *g, const pool_kind *pk, const char *file)
{
    const app_kv *w = get2(g, pk->prefix, pk->wait);
    long v = w ? atol(w->val) : (pk->size_dflt == 10 ? 30000 : pk->size_dflt == 100 ? 30000 : -1);
    bool ok = v > 0 && v <= 60000;
    char found[200];
    snprintf(found, sizeof found, "%s %ld ms%s%s", pk->wait, v, w ? "" : " (default)", v <= 0 ? ": waits forever for a connection" : "");
    app_emit(g->r, "KW-POOL-TIMEOUT", ok ? AUDIT_PASS : AUDIT_FAIL, w, file, found, NULL, g->key);
}

static void leak_check(app_grp *g, const pool_kind *pk, const char *file)
{
    const app_kv *l = get2(g, pk->prefix, pk->leak);
    bool ok = l && (app_on(l->val) || atol(l->val) > 0) && l->val[0] && strcmp(l->val, "0") != 0;
    char found[200];
    snprintf(found, sizeof found, "%s %s", pk->leak, l ? l->val : "absent (off)");
    app_emit(g->r, "KW-POOL-LEAK-DETECTION", ok ? AUDIT_PASS : AUDIT_FAIL, l, file, found, NULL, g->key);
}

static void lifetime_check(app_grp *g, const pool_kind *pk, const char *file)
{
    app_run *r = g->r;
    char found[300];
    if (pk->size_dflt == 10) {
        const app_kv *l = get2(g, pk->prefix, "maxlifetime");
        long ms = l ? atol(l->val) : 1800000, wt = r->mysql_wait_timeout;
        bool ok = ms > 0 && (!wt || ms / 1000 < wt);
        snprintf(found, sizeof found, "maxLifetime %ld ms%s; database wait_timeout %s%ld s", ms, l ? "" : " (default)", wt ? "" : "unknown ", wt);
        app_emit(r, "KW-POOL-LIFETIME", ok ? AUDIT_PASS : AUDIT_FAIL, l, file, found, NULL, g->key);
        return;
    }
    const app_kv *t = get2(g, pk->prefix, pk->size_dflt == 15 ? "idleconnectiontestperiod" : "testwhileidle");
    bool ok = t && (app_on(t->val) || atol(t->val) > 0) && t->val[0];
    snprintf(found, sizeof found, "%s %s", pk->size_dflt == 15 ? "idleConnectionTestPeriod" : "testWhileIdle", t ? t->val : "absent");
    app_emit(r, "KW-POOL-LIFETIME", ok ? AUDIT_PASS : AUDIT_FAIL, t, file, found, NULL, g->key);
}

static void pool_one(app_grp *g, const pool_kind *pk, const char *file)
{
    const app_kv *sz = get2(g, pk->prefix, pk->size), *url = get2(g, pk->prefix, pk->size_dflt == 15 ? "jdbcurl" : "url");
    if (!url)
        url = get2(g, pk->prefix, "jdbcurl");
    if (!url)
        url = get(g, "spring.datasource.url");
    long size = sz ? atol(sz->val) : pk->size_dflt;
    size_check(g, pk, sz, url ? url->val : "", size, file);
    timeout_check(g, pk, file);
    lifetime_check(g, pk, file);
    leak_check(g, pk, file);
    const app_kv *mi = pk->size_dflt == 10 ? get2(g, pk->prefix, "minimumidle") : NULL;
    if (mi) {
        char found[100];
        snprintf(found, sizeof found, "minimumIdle %s, maximumPoolSize %ld", mi->val, size);
        app_emit(g->r, "KW-POOL-MIN-IDLE", atol(mi->val) == size ? AUDIT_PASS : AUDIT_NOTE, mi, NULL, found, NULL, g->key);
    } else if (pk->size_dflt == 10) {
        app_emit(g->r, "KW-POOL-MIN-IDLE", AUDIT_PASS, NULL, file, "minimumIdle unset (a fixed-size pool)", NULL, g->key);
    }
}

/* Does the group hold keys under prefix? */
static bool has_prefix(const app_grp *g, const char *prefix)
{
    char have[APP_TEXT_MAX + 1];
    for (size_t i = 0; i < g->r->pool.n; i++) {
        const app_kv *k = &g->r->pool.v[i];
        if (!k->file || !same_dir(k->file, g->dir))
            continue;
        canon(k->key, have, sizeof have);
        if (!strncmp(have, prefix, strlen(prefix)))
            return true;
    }
    return false;
}

static void passwords(app_grp *g)
{
    char have[APP_TEXT_MAX + 1], found[64];
    for (size_t i = 0; i < g->r->pool.n; i++) {
        const app_kv *k = &g->r->pool.v[i];
        if (!k->file || !same_dir(k->file, g->dir))
            continue;
        canon(k->key, have, sizeof have);
        size_t l = strlen(have);
        if (l < 8 || strcmp(have + l - 8, "password") != 0 ||
            (!strstr(have, "datasource") && !strstr(have, "druid") && !strstr(have, "c3p0") && !strstr(have, "jdbc")))
            continue;
        bool ref = !k->val[0] || !strncmp(k->val, "${", 2) || !strncasecmp(k->val, "ENC(", 4);
        snprintf(found, sizeof found, ref ? "a reference or encrypted value" : "set (%zu characters)", strlen(k->val));
        g->r->hide = true;
        app_emit(g->r, "KW-POOL-PLAINTEXT-PASSWORD", ref ? AUDIT_PASS : AUDIT_FAIL, k, NULL, found, NULL, k->key);
    }
}

/* Tomcat context.xml <Resource type="javax.sql.DataSource">: DBCP2 (maxTotal, maxWaitMillis,
 * default wait forever) or Tomcat JDBC (maxActive default 100, maxWait default 30000). */
static size_t resources(app_run *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->pool.n; i++) {
        const app_kv *k = &r->pool.v[i];
        char type[128] = "", v[256] = "", url[512] = "", found[200];
        if (strcmp(k->key, "Resource") != 0 || !app_attr(k->val, "type", type, sizeof type) || !strstr(type, "DataSource"))
            continue;
        n++;
        app_grp g = {r, k->file, ""};
        snprintf(g.key, sizeof g.key, "%s", k->file);
        bool dbcp = app_attr(k->val, "maxTotal", v, sizeof v);
        pool_kind pk = {dbcp ? "DBCP2" : "Tomcat JDBC", "", dbcp ? "maxTotal" : "maxActive", dbcp ? "maxWaitMillis" : "maxWait",
                        "removeAbandoned", dbcp ? 8 : 100};
        if (!dbcp && !app_attr(k->val, "maxActive", v, sizeof v))
            snprintf(v, sizeof v, "%ld", pk.size_dflt);
        app_attr(k->val, "url", url, sizeof url);
        size_check(&g, &pk, k, url, atol(v), NULL);
        long w = app_attr(k->val, pk.wait, v, sizeof v) ? atol(v) : dbcp ? -1 : 30000;
        snprintf(found, sizeof found, "%s %ld ms%s", pk.wait, w, w <= 0 ? ": waits forever for a connection" : "");
        app_emit(r, "KW-POOL-TIMEOUT", w > 0 && w <= 60000 ? AUDIT_PASS : AUDIT_FAIL, k, NULL, found, NULL, k->file);
        bool leak = (app_attr(k->val, "removeAbandoned", v, sizeof v) || app_attr(k->val, "removeAbandonedOnBorrow", v, sizeof v)) &&
                    app_on(v) && v[0];
        app_emit(r, "KW-POOL-LEAK-DETECTION", leak ? AUDIT_PASS : AUDIT_FAIL, k, NULL, leak ? "removeAbandoned true" : "removeAbandoned absent (off)",
                 NULL, k->file);
        if (app_attr(k->val, "password", v, sizeof v)) {
            bool ref = !v[0] || !strncmp(v, "${", 2);
            snprintf(found, sizeof found, ref ? "a reference" : "set (%zu characters)", strlen(v));
            r->hide = true;
            app_emit(r, "KW-POOL-PLAINTEXT-PASSWORD", ref ? AUDIT_PASS : AUDIT_FAIL, k, NULL, found, NULL, k->file);
        }
    }
    return n;
}

/* Each application directory once: the first file of the directory in the order read. */
void app_check_pool(app_run *r)
{
    size_t pools = 0;
    for (size_t f = 0; f < r->pool.nfiles; f++) {
        app_grp g = {r, r->pool.files[f], ""};
        snprintf(g.key, sizeof g.key, "%.*s", (int)(strrchr(g.dir, '/') ? strrchr(g.dir, '/') - g.dir : 0), g.dir);
        bool first = true;
        for (size_t e = 0; e < f && first; e++)
            first = !same_dir(r->pool.files[e], g.dir);
        if (!first)
            continue;
        bool spring = get(&g, "spring.datasource.url") != NULL, any = false;
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            char pre[64];
            canon(kinds[k].prefix, pre, sizeof pre);
            if (has_prefix(&g, pre) || (k == 0 && spring && !has_prefix(&g, "spring.datasource.druid.") &&
                                        !has_prefix(&g, "spring.datasource.tomcat."))) {
                pool_one(&g, &kinds[k], g.dir);
                any = true;
                pools++;
                if (k == 0 || k == 2)
                    k++; /* the second prefix of the same pool */
            }
        }
        if (any)
            passwords(&g);
    }
    pools += resources(r);
    if (!pools) {
        static const char *const ids[] = {"KW-POOL-SIZE", "KW-POOL-TIMEOUT", "KW-POOL-LIFETIME", "KW-POOL-LEAK-DETECTION"};
        for (size_t i = 0; i < 4; i++)
            app_na(r, ids[i], "no connection-pool settings found");
    }
}
