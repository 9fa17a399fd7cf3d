/* Application parameters audit (`keepwatch audit app`): nginx, Apache, MySQL/MariaDB,
 * PostgreSQL, Redis, Tomcat and JDBC connection pools (HikariCP, Druid, c3p0, Tomcat JDBC),
 * read through an audit_root; every result goes to an audit_emit callback, category
 * "app_config", group the product ("nginx", "apache", "mysql", "postgresql", "redis",
 * "tomcat", "pool"). A product whose configuration is absent reports its checks as n/a. */
#ifndef KW_AUDIT_APP_H
#define KW_AUDIT_APP_H

#include <stddef.h>

#include "audit/audit.h"
#include "audit/audit_root.h"

typedef struct audit_app_opts {
    const char *const *files;    /* explicit files ("kind:path" or a path whose kind is guessed;
                                    kinds: nginx apache mysql pgconf pghba redis tomcat
                                    tomcat-users context pool); NULL/0: discover the
                                    well-known paths under the root */
    size_t nfiles;
    const char *const *dirs;     /* application directories searched for pool settings;
                                    NULL or none: /opt, /srv, /var/lib/tomcat9 and tomcat10 webapps (bounded walk) */
    size_t ndirs;
    int instances;               /* how many instances of the application share the database (0: 1) */
    int db_max_connections;      /* the database's, when its config is not in the root (0: read it) */
} audit_app_opts;

typedef struct audit_app_stats { size_t files, checks, pass, fail, na; } audit_app_stats;

/* Runs every check over the root r (borrowed) and hands each result to emit (an error from
 * emit stops the run and is returned). st (may be NULL) is filled with the counts. */
kw_rc audit_app_run(const audit_root *r, const audit_app_opts *o, audit_emit emit, void *arg, audit_app_stats *st);

/* The catalogue: calls fn once per check with its fixed fields (id, titles, severity, refs,
 * expected, fix; status AUDIT_NA, no file). */
kw_rc audit_app_each(kw_rc (*fn)(void *arg, const audit_res *proto), void *arg);

#endif
