/* The store's handle and its statement helpers over store_db.h, shared by the files of
 * src/store/ (and the unit tests that look at the tables directly): no other subsystem
 * includes this. */
#ifndef STORE_INT_H
#define STORE_INT_H

#include "core/kw_map.h"
#include "store/store.h"
#include "store/store_db.h"

struct kw_store {
    db_conn *db;             /* owned; its statements are cached in it by SQL text */
    char *path;
    kw_map series_ids;       /* "name{labels}" -> (void *)(intptr_t)id, for metric history */
    char server[64];         /* whose alerts and series this handle writes ("": one machine's) */
    uint64_t tx_gen;         /* bumped as each transaction begins and ends */
    struct {                 /* the duty log as this writing transaction left it (store_duty.c):
                              * nobody else appends while it holds the write lock */
        uint64_t gen;        /* tx_gen it is of (another: read it again) */
        bool head;           /* id, hash: the last entry */
        int64_t id;
        char hash[65];
        bool cp;             /* cp_rc, cp_seq: the last checkpoint (KW_ERR_NOTFOUND: none) */
        kw_rc cp_rc;
        int64_t cp_seq;
    } duty;
    /* Run by store_commit before it commits (then cleared; a failure rolls back), cleared by
     * store_rollback: what a part of the store writes once per transaction (the duty log's
     * head, store_duty.c), without store.c calling into it. */
    kw_rc (*before_commit)(kw_store *s);
    /* The duty log's entries staged for one multi-row INSERT while a batch of alert changes is
     * written on PostgreSQL (store_duty_stage), NULL when none is. */
    struct store_rows *duty_rows;
    char err[256];
};

/* PostgreSQL advisory lock keys: one schema migration at a time (store.c), one writing
 * transaction at a time (store_begin), the leader's (store_lead.c). */
enum { STORE_LOCK_MIGRATE = 0x6b770001, STORE_LOCK_WRITE = 0x6b770002, STORE_LOCK_LEAD = 0x6b770003 };

/* A prepared statement for sql, reset and with bindings cleared; cached per handle. NULL on a
 * prepare error (store_errmsg says why). A statement left stepped holds its connection's read
 * snapshot: reset it when done (store_release does so for all). */
db_stmt *store_stmt(kw_store *s, const char *sql);
/* Steps st once: KW_OK on a row or the end, else KW_ERR_STORE with s->err set. */
kw_rc store_step_done(kw_store *s, db_stmt *st);
/* Runs a write whose rows and changes are not needed, maybe sent ahead (db_step_ahead): a
 * failure may show only at a later statement of the transaction or its commit. Resets st. */
kw_rc store_step_ahead(kw_store *s, db_stmt *st);
/* Steps an UPDATE or DELETE: KW_ERR_NOTFOUND when it matched no row. */
kw_rc store_step_changed(kw_store *s, db_stmt *st);
/* store_step_done, then st reset: a write run once. */
kw_rc store_run(kw_store *s, db_stmt *st);
/* store_step_changed (KW_ERR_NOTFOUND: no row matched), then st reset. */
kw_rc store_run_changed(kw_store *s, db_stmt *st);
/* Binds v at i, or NULL when v is NULL or empty. */
void store_bind_opt(db_stmt *st, int i, const char *v);
/* Steps an INSERT ... RETURNING id: KW_OK with *id set, else KW_ERR_STORE with s->err set. */
kw_rc store_step_id(kw_store *s, db_stmt *st, int64_t *id);
/* Runs SQL without parameters or rows: KW_OK, else KW_ERR_STORE with s->err set. */
kw_rc store_exec(kw_store *s, const char *sql);
/* The statement for sql with the columns of rows r (store_rows.h) bound as ?1, ?2, ... and r
 * emptied for more; NULL with s->err set (`what`: too much to write at once) when it cannot
 * be had. */
db_stmt *store_rows_stmt(kw_store *s, const char *sql, struct store_rows *r, const char *what);

/* From store_duty_stage(s) until store_duty_unstage(s), the duty log's entries appended (their
 * links computed as ever) are written together, in one statement sent ahead, at the unstage
 * or before a checkpoint reads them (PostgreSQL only; SQLite writes each at once). Unstage
 * writes what is staged (KW_OK, else KW_ERR_STORE) and stops staging; without a write (ok
 * false: the transaction is rolled back) it drops them. store_duty.c. */
void store_duty_stage(kw_store *s);
kw_rc store_duty_unstage(kw_store *s, bool write);

#endif
