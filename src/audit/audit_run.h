/* One audit, as a command or a scheduled job asks for it (audit_run.c): configuration files
 * through their vendor's parser and the ACL analysis, the host baseline, or the application
 * parameters, every result into an audit_out (which prints, counts, records and keeps drift
 * lines). */
#ifndef KW_AUDIT_RUN_H
#define KW_AUDIT_RUN_H

#include "audit/audit_out.h"

typedef enum audit_kind {
    AUDIT_KIND_CONFIG = 0,
    AUDIT_KIND_HOST = 1,
    AUDIT_KIND_APP = 2,
} audit_kind;

#define AUDIT_CONFIG_MAX ((size_t)64 << 20) /* one device configuration, at most */

typedef struct audit_spec {
    audit_kind kind;
    const char *const *files;   /* config: the configurations; app: explicit files ("kind:path") */
    size_t nfiles;
    const char *vendor;         /* config: every file's vendor (NULL: recognised from each) */
    const char *host;           /* the asset (NULL: config: the device's name in it, else the
                                   file's name; host and app: this host's name, or the root's) */
    const char *root;           /* host and app: the system's root (NULL: /) */
    const char *profile;        /* host: the profile */
    const char *const *only;    /* host: check id globs */
    size_t nonly;
    const char *const *dirs;    /* app: where pool settings are searched */
    size_t ndirs;
    int instances;              /* app: instances sharing the database */
    int db_max_connections;     /* app: the database's limit when not in the root */
} audit_spec;

typedef struct audit_run_stats {
    size_t files;               /* configurations read */
    size_t rules, lists;        /* config: rules and lists analysed */
    size_t unknown;             /* config: statements not understood */
    size_t checks;              /* results */
} audit_run_stats;

/* Called before each configuration's results (and before a host or app audit's, with the
 * root as file and "host" or "app" as vendor), with the asset they are on (o->host is set to it
 * for their duration); may be NULL. */
typedef void (*audit_file_fn)(void *arg, const char *file, const char *vendor, const char *asset, size_t unknown);

/* Runs s into o (o->host is set from s and the files). A configuration that cannot be read or
 * is no configuration is an error (KW_ERR_IO, KW_ERR_PARSE with err naming the file); what was
 * emitted before stays emitted. */
kw_rc audit_spec_run(const audit_spec *s, audit_out *o, audit_file_fn on_file, void *arg, audit_run_stats *st,
                     char *err, size_t errn);

/* The device's name as its configuration says it (sysname, hostname, set hostname), into out;
 * false when it says none. */
bool audit_config_device(const char *text, size_t len, char *out, size_t n);

#endif
