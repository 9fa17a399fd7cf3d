/* The audit: section of the configuration (audit_conf.c): the scheduled audits (audit.jobs)
 * the audit module runs on the leading server, whose changes between runs are drift. */
#ifndef KW_AUDIT_CONF_H
#define KW_AUDIT_CONF_H

#include "conf/conf_engine.h"

/* One scheduled audit (an item of audit.jobs). */
typedef struct conf_audit_job {
    char *name;
    int kind;                   /* audit_kind: config, host, app */
    conf_strs files;            /* config: the configurations; app: explicit files */
    char *vendor;               /* config: NULL recognises each file's */
    char *root;                 /* host, app: the system's root (NULL: /) */
    char *host;                 /* the asset (NULL: as the command line decides) */
    char *profile;              /* host */
    conf_strs only;             /* host: check id globs */
    conf_strs dirs;             /* app: pool settings' directories */
    int64_t instances;          /* app */
    int64_t db_max_connections; /* app */
    int64_t every_ms;
} conf_audit_job;

extern const cf_section audit_conf_section;

/* The daemon's audit module (audit_module.c): the jobs on the leader, drift alerts. */
struct kw_module;
extern const struct kw_module audit_module;

/* Compares lines (canonical: audit_out_line; normalised here) with job's snapshot in st,
 * stores them as the new one, and when they differ queues an audit_drift alert with the diff
 * (the audit module fires it at its next tick). note gets "; baseline taken" or "; drift: N
 * changes" (unchanged when neither). Thread-safe: the module's job thread and the agents'
 * batches call it. */
struct kw_store;
struct kw_buf;
void audit_drift_take(struct kw_store *st, const char *job, struct kw_buf *lines, char *note, size_t noten);

#endif
