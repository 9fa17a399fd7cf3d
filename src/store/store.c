/* The store's handle: opening (the connection, then the schema's migrations), transactions,
 * and the statement helpers of store_int.h over store_db.h. */
#include "store/store_int.h"
#include "core/kw_mem.h"

#include <stdio.h>
#include <stdlib.h>

/* Each entry migrates the schema from version i to i+1. Never edit a released entry. */
static const char *const migrations[] = {
    /* 1: alerts and their history, metric history */
    "CREATE TABLE alerts ("
    "  id INTEGER PRIMARY KEY,"
    "  fingerprint TEXT NOT NULL,"
    "  rule TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('firing', 'acked', 'resolved')),"
    "  severity INTEGER NOT NULL,"
    "  summary TEXT NOT NULL,"
    "  labels TEXT NOT NULL,"
    "  details TEXT,"
    "  value REAL, peak REAL, threshold REAL,"
    "  started_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  acked_at INTEGER, acked_by TEXT, ack_note TEXT,"
    "  resolved_at INTEGER, resolved_by TEXT, resolve_reason TEXT,"
    "  flaps INTEGER NOT NULL DEFAULT 0);"
    "CREATE UNIQUE INDEX alerts_open_fingerprint ON alerts (fingerprint) WHERE state != 'resolved';"
    "CREATE INDEX alerts_state ON alerts (state, id);"
    "CREATE TABLE alert_history ("
    "  id INTEGER PRIMARY KEY,"
    "  alert_id INTEGER NOT NULL REFERENCES alerts (id),"
    "  at INTEGER NOT NULL,"
    "  action TEXT NOT NULL,"
    "  actor TEXT, note TEXT, value REAL);"
    "CREATE INDEX alert_history_alert ON alert_history (alert_id, id);"
    "CREATE TABLE metric_series ("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL, labels TEXT NOT NULL, UNIQUE (name, labels));"
    "CREATE TABLE metric_raw (series INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL,"
    "  PRIMARY KEY (series, ts)) WITHOUT ROWID;"
    "CREATE TABLE metric_1m (series INTEGER NOT NULL, ts INTEGER NOT NULL, avg REAL, min REAL, max REAL,"
    "  n INTEGER, PRIMARY KEY (series, ts)) WITHOUT ROWID;"
    "CREATE TABLE metric_1h (series INTEGER NOT NULL, ts INTEGER NOT NULL, avg REAL, min REAL, max REAL,"
    "  n INTEGER, PRIMARY KEY (series, ts)) WITHOUT ROWID;"
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);",
    /* 1 -> 2: where the log inputs stopped reading (files by path and inode, the journal by
     * cursor), so a restart resumes there */
    "CREATE TABLE log_offsets (key TEXT PRIMARY KEY, dev INTEGER NOT NULL, ino INTEGER NOT NULL,"
    "  offset INTEGER NOT NULL, cursor TEXT, updated_ms INTEGER NOT NULL);",
    /* 2 -> 3: the duty log, hash-chained (store_duty.c) */
    "CREATE TABLE duty_log (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, kind TEXT NOT NULL, actor TEXT,"
    "  alert_id INTEGER, text TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);",
    /* 3 -> 4: notifications: groups of alerts and their escalation, the outbox, silences */
    "CREATE TABLE notify_groups (id INTEGER PRIMARY KEY, gkey TEXT NOT NULL, policy TEXT NOT NULL,"
    "  opened_ms INTEGER NOT NULL, flush_ms INTEGER, last_flush_ms INTEGER, level INTEGER NOT NULL DEFAULT 0,"
    "  round INTEGER NOT NULL DEFAULT 0, escalate_ms INTEGER, closed INTEGER NOT NULL DEFAULT 0);"
    "CREATE UNIQUE INDEX notify_groups_open ON notify_groups (gkey) WHERE closed = 0;"
    "CREATE INDEX notify_groups_due ON notify_groups (closed, flush_ms, escalate_ms);"
    "CREATE TABLE notify_members (group_id INTEGER NOT NULL, alert_id INTEGER NOT NULL, state TEXT NOT NULL,"
    "  pending TEXT, notified INTEGER NOT NULL DEFAULT 0, held TEXT, PRIMARY KEY (group_id, alert_id)) WITHOUT ROWID;"
    "CREATE INDEX notify_members_alert ON notify_members (alert_id);"
    "CREATE TABLE notify_outbox (id INTEGER PRIMARY KEY, created_ms INTEGER NOT NULL, channel TEXT NOT NULL,"
    "  kind TEXT NOT NULL, group_id INTEGER, alert_id INTEGER, alerts TEXT, people TEXT, message TEXT NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed', 'merged')),"
    "  attempts INTEGER NOT NULL DEFAULT 0, next_ms INTEGER NOT NULL, sent_ms INTEGER, last_error TEXT,"
    "  merged_into INTEGER);"
    "CREATE INDEX notify_outbox_due ON notify_outbox (channel, next_ms) WHERE state = 'pending';"
    "CREATE TABLE silences (id INTEGER PRIMARY KEY, matchers TEXT NOT NULL, starts_ms INTEGER NOT NULL,"
    "  ends_ms INTEGER NOT NULL, created_by TEXT, created_ms INTEGER NOT NULL, comment TEXT);",
    /* 4 -> 5: the console's users and their sessions (store_user.c) */
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, display TEXT,"
    "  role TEXT NOT NULL CHECK (role IN ('admin', 'officer', 'member', 'viewer')), department TEXT,"
    "  pw_hash TEXT NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);"
    "CREATE TABLE sessions (id_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id),"
    "  csrf TEXT NOT NULL, created_ms INTEGER NOT NULL, seen_ms INTEGER NOT NULL, address TEXT);"
    "CREATE INDEX sessions_user ON sessions (user_id);",
    /* 5 -> 6: who an alert is assigned to (store_alert_assign) */
    "ALTER TABLE alerts ADD COLUMN assignee TEXT;",
    /* 6 -> 7: the duty log keyed and signed (store_duty_sign.c): entries so far keep their
     * plain SHA-256 links (scheme 0); checkpoints signed with Ed25519 */
    "ALTER TABLE duty_log ADD COLUMN scheme INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE duty_checkpoints (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, from_seq INTEGER NOT NULL,"
    "  head TEXT NOT NULL, digest TEXT NOT NULL, legacy INTEGER NOT NULL, reason TEXT NOT NULL, sig TEXT NOT NULL);",
};

kw_rc store_exec(kw_store *s, const char *sql)
{
    if (db_exec(s->db, sql) == KW_OK)
        return KW_OK;
    snprintf(s->err, sizeof s->err, "%s", db_errmsg(s->db));
    return KW_ERR_STORE;
}

/* The schema's version is SQLite's user_version (PRAGMA: the migrations are SQLite's). */
static bool store_migrate(kw_store *s)
{
    int version = (int)store_query_int(s, "PRAGMA user_version", NULL);
    int latest = (int)(sizeof migrations / sizeof migrations[0]);
    if (version > latest) {
        snprintf(s->err, sizeof s->err, "the database is from a newer keepwatch (schema %d, this one knows %d)",
                 version, latest);
        return false;
    }
    for (int v = version; v < latest; v++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        if (store_exec(s, "BEGIN IMMEDIATE") != KW_OK)
            return false;
        if (store_exec(s, migrations[v]) != KW_OK || store_exec(s, pragma) != KW_OK) {
            store_exec(s, "ROLLBACK");
            return false;
        }
        if (store_exec(s, "COMMIT") != KW_OK)
            return false;
    }
    return true;
}

kw_store *store_open(const char *path, bool readonly, char *err, size_t errn)
{
    kw_store *s = kw_calloc(1, sizeof *s);
    s->path = kw_strdup(path);
    kw_map_init(&s->series_ids);
    s->db = db_open(path, !readonly, err, errn);
    if (!s->db) {
        store_close(s);
        return NULL;
    }
    if (!readonly && !store_migrate(s)) {
        snprintf(err, errn, "%s: %s", path, s->err);
        store_close(s);
        return NULL;
    }
    return s;
}

void store_close(kw_store *s)
{
    if (!s)
        return;
    db_close(s->db);
    kw_map_free(&s->series_ids);
    free(s->path);
    free(s);
}

kw_rc store_begin(kw_store *s) { return store_exec(s, "BEGIN IMMEDIATE"); }
kw_rc store_commit(kw_store *s) { return store_exec(s, "COMMIT"); }
void store_rollback(kw_store *s) { store_exec(s, "ROLLBACK"); }
const char *store_errmsg(kw_store *s) { return s->err[0] ? s->err : db_errmsg(s->db); }

db_stmt *store_stmt(kw_store *s, const char *sql)
{
    db_stmt *st = db_prepare(s->db, sql);
    if (!st)
        snprintf(s->err, sizeof s->err, "%s", db_errmsg(s->db));
    return st;
}

void store_release(kw_store *s) { db_reset_all(s->db); }

void store_version(kw_store *s, int64_t v[2]) { db_version(s->db, v); }

int64_t store_query_int(kw_store *s, const char *sql, const char *param)
{
    db_stmt *st = store_stmt(s, sql);
    if (!st)
        return 0;
    if (param)
        db_bind_text(st, 1, param);
    int64_t v = db_step(st) == DB_ROW ? db_col_int64(st, 0) : 0;
    db_reset(st);
    return v;
}

kw_rc store_step_done(kw_store *s, db_stmt *st)
{
    db_step_rc rc = db_step(st);
    if (rc == DB_DONE || rc == DB_ROW)
        return KW_OK;
    snprintf(s->err, sizeof s->err, "%s", db_errmsg(s->db));
    return KW_ERR_STORE;
}

kw_rc store_step_changed(kw_store *s, db_stmt *st)
{
    if (store_step_done(s, st) != KW_OK)
        return KW_ERR_STORE;
    return db_changes(st) ? KW_OK : KW_ERR_NOTFOUND;
}

kw_rc store_step_id(kw_store *s, db_stmt *st, int64_t *id)
{
    db_step_rc rc = db_step(st);
    if (rc == DB_ROW) {
        *id = db_col_int64(st, 0);
        db_reset(st);
        return KW_OK;
    }
    snprintf(s->err, sizeof s->err, "%s", rc == DB_DONE ? "no id returned" : db_errmsg(s->db));
    db_reset(st);
    return KW_ERR_STORE;
}
