/* The audit module's table (store_audit.c): each scheduled audit's last snapshot, the
 * canonical lines of its results (and of the configurations it read), which the next run
 * compares with to see drift. */
#ifndef KW_STORE_AUDIT_H
#define KW_STORE_AUDIT_H

#include "store/store.h"

#define STORE_AUDIT_VERSIONS 1
/* The audit module's migrations (the daemon runs them when the module starts). */
extern const store_migration store_audit_migrations[STORE_AUDIT_VERSIONS];

/* job's last snapshot: body (the caller frees with free), when it was taken. KW_ERR_NOTFOUND
 * when the job has none yet. */
kw_rc store_audit_snapshot_get(kw_store *s, const char *job, char **body, int64_t *taken_ms);
/* Replaces job's snapshot. */
kw_rc store_audit_snapshot_put(kw_store *s, const char *job, const char *body, int64_t taken_ms);

#endif
