/* The audit snapshots (store_audit.h): one row per scheduled audit, in the SQL both backends
 * speak. */
#include "store/store_audit.h"
#include "store/store_int.h"

#include "core/kw_mem.h"

#include <stdio.h>
#include <string.h>

#define AUDIT_SCHEMA_1(INT)                                                                                            \
    "CREATE TABLE audit_snapshots (job TEXT PRIMARY KEY, taken_ms " INT " NOT NULL, body TEXT NOT NULL);"

const store_migration store_audit_migrations[STORE_AUDIT_VERSIONS] = {
    {AUDIT_SCHEMA_1("INTEGER"), AUDIT_SCHEMA_1("BIGINT")},
};

kw_rc store_audit_snapshot_get(kw_store *s, const char *job, char **body, int64_t *taken_ms)
{
    *body = NULL;
    db_stmt *st = store_stmt(s, "SELECT body, taken_ms FROM audit_snapshots WHERE job = ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, job);
    db_step_rc rc = db_step(st);
    if (rc == DB_ROW) {
        const char *v = db_col_text(st, 0);
        *body = kw_strdup(v ? v : "");
        *taken_ms = db_col_int64(st, 1);
    } else if (rc == DB_ERROR) {
        snprintf(s->err, sizeof s->err, "%s", db_errmsg(s->db));
    }
    db_reset(st);
    return rc == DB_ROW ? KW_OK : rc == DB_DONE ? KW_ERR_NOTFOUND : KW_ERR_STORE;
}

kw_rc store_audit_snapshot_put(kw_store *s, const char *job, const char *body, int64_t taken_ms)
{
    db_stmt *st = store_stmt(s, "INSERT INTO audit_snapshots (job, taken_ms, body) VALUES (?, ?, ?)"
                                " ON CONFLICT (job) DO UPDATE SET taken_ms = excluded.taken_ms, body = excluded.body");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, job);
    db_bind_int64(st, 2, taken_ms);
    db_bind_text(st, 3, body);
    kw_rc rc = store_step_done(s, st);
    db_reset(st);
    return rc;
}
