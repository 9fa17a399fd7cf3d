/* The MySQL / MariaDB checks over my.cnf and its includes (the server's sections: [mysqld],
 * [server], [mariadb], [mariadbd], [mysqld-8.0] ...): listening address, local_infile,
 * skip-grant-tables, max_connections and wait_timeout (recorded for the pool check),
 * symbolic links, secure_file_priv, logs, TLS, sql_mode, old_passwords. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/audit_app_int.h"

static bool server_section(const char *s)
{
    return !strncmp(s, "mysqld", 6) || !strcmp(s, "server") || !strncmp(s, "mariadb", 7);
}

static const app_kv *my_get(const app_run *r, const char *key)
{
    for (size_t i = r->mysql.n; i-- > 0;)
        if (!strcmp(r->mysql.v[i].key, key) && server_section(r->mysql.v[i].ctx))
            return &r->mysql.v[i];
    return NULL;
}

/* PASS when the setting is as good (bad(value) false), FAIL otherwise; absent: absent_st. */
static void my_flag(app_run *r, const char *id, const char *key, bool want_on, audit_status absent_st, const char *absent)
{
    const app_kv *k = my_get(r, key);
    if (!k) {
        app_emit(r, id, absent_st, NULL, r->mysql.files[0], absent, NULL, NULL);
        return;
    }
    bool on = app_on(k->val);
    app_emit(r, id, on == want_on ? AUDIT_PASS : AUDIT_FAIL, k, NULL, k->val[0] ? k->val : "set", NULL, NULL);
}

static void bind_address(app_run *r)
{
    const app_kv *k = my_get(r, "bind_address"), *sn = my_get(r, "skip_networking");
    if (sn && app_on(sn->val)) {
        app_emit(r, "KW-MYSQL-BIND-ADDRESS", AUDIT_PASS, sn, NULL, "skip-networking (no TCP listener)", NULL, NULL);
        return;
    }
    if (!k) {
        app_emit(r, "KW-MYSQL-BIND-ADDRESS", AUDIT_FAIL, NULL, r->mysql.files[0],
                 "absent (MySQL 8 and MariaDB listen on every interface by default)", NULL, NULL);
        return;
    }
    bool any = !strcmp(k->val, "0.0.0.0") || !strcmp(k->val, "*") || !strcmp(k->val, "::") || strstr(k->val, "0.0.0.0");
    app_emit(r, "KW-MYSQL-BIND-ADDRESS", any ? AUDIT_FAIL : AUDIT_PASS, k, NULL, k->val, NULL, NULL);
}

static void max_connections(app_run *r)
{
    const app_kv *k = my_get(r, "max_connections");
    r->mysql_maxconn = k ? atoi(k->val) : 151;
    if (k)
        snprintf(r->mysql_maxconn_at, sizeof r->mysql_maxconn_at, "%s:%d", k->file, k->line);
    else
        snprintf(r->mysql_maxconn_at, sizeof r->mysql_maxconn_at, "default, absent from %s", r->mysql.files[0]);
    const app_kv *w = my_get(r, "wait_timeout");
    r->mysql_wait_timeout = w ? atoi(w->val) : 28800;
    char found[64];
    snprintf(found, sizeof found, "%d%s", r->mysql_maxconn, k ? "" : " (default)");
    app_emit(r, "KW-MYSQL-MAX-CONNECTIONS", k ? AUDIT_PASS : AUDIT_NOTE, k, r->mysql.files[0], found, NULL, NULL);
}

static void file_priv(app_run *r)
{
    const app_kv *k = my_get(r, "secure_file_priv");
    bool bad = k && !k->val[0];
    app_emit(r, "KW-MYSQL-SECURE-FILE-PRIV", bad ? AUDIT_FAIL : AUDIT_PASS, k, r->mysql.files[0],
             !k ? "absent (default: the platform's mysql-files directory)" : bad ? "empty (any directory the server can read)" : k->val,
             NULL, NULL);
}

static void log_error(app_run *r)
{
    const app_kv *k = my_get(r, "log_error");
    app_emit(r, "KW-MYSQL-LOG-ERROR", k && k->val[0] ? AUDIT_PASS : AUDIT_FAIL, k, r->mysql.files[0], k ? k->val : "absent", NULL, NULL);
}

static void sql_mode(app_run *r)
{
    const app_kv *k = my_get(r, "sql_mode");
    bool strict = !k || strcasestr(k->val, "STRICT_");
    app_emit(r, "KW-MYSQL-SQL-MODE", strict ? AUDIT_PASS : AUDIT_FAIL, k, r->mysql.files[0],
             k ? (k->val[0] ? k->val : "empty") : "absent (default has STRICT_TRANS_TABLES)", NULL, NULL);
}

static void symlinks(app_run *r)
{
    const app_kv *k = my_get(r, "skip_symbolic_links");
    if (k && app_on(k->val)) {
        app_emit(r, "KW-MYSQL-SYMLINKS", AUDIT_PASS, k, NULL, "skip-symbolic-links", NULL, NULL);
        return;
    }
    my_flag(r, "KW-MYSQL-SYMLINKS", "symbolic_links", false, AUDIT_FAIL, "absent (MariaDB and MySQL 5.7 follow symbolic links)");
}

void app_check_mysql(app_run *r)
{
    if (!r->have_mysql) {
        app_na_group(r, "mysql", "MySQL/MariaDB configuration absent");
        return;
    }
    bind_address(r);
    my_flag(r, "KW-MYSQL-LOCAL-INFILE", "local_infile", false, AUDIT_FAIL, "absent (default ON in MariaDB and before MySQL 8.0)");
    my_flag(r, "KW-MYSQL-SKIP-GRANT-TABLES", "skip_grant_tables", false, AUDIT_PASS, "absent");
    max_connections(r);
    symlinks(r);
    file_priv(r);
    log_error(r);
    my_flag(r, "KW-MYSQL-GENERAL-LOG", "general_log", false, AUDIT_PASS, "absent (default off)");
    my_flag(r, "KW-MYSQL-SECURE-TRANSPORT", "require_secure_transport", true, AUDIT_FAIL, "absent (default OFF: clear-text connections accepted)");
    sql_mode(r);
    my_flag(r, "KW-MYSQL-OLD-PASSWORDS", "old_passwords", false, AUDIT_PASS, "absent");
}
