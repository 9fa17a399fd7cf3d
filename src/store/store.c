/* The store's handle: opening (the connection, then the schema's migrations), transactions,
 * and the statement helpers of store_int.h over store_db.h. */
#include "store/store_int.h"
#include "store/store_rows.h"
#include "core/kw_mem.h"
#include "core/kw_url.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The store's own tables, one entry per schema version: entry i migrates from version i to
 * i+1. Never edit a released entry. Both backends run the same text, its types spelled by
 * the macros below: SQLite's exactly as released (INTEGER PRIMARY KEY is the rowid), and for
 * PostgreSQL 64-bit integers (times are milliseconds), identity columns for generated ids
 * and double precision. The SQL functions the statements use that PostgreSQL lacks
 * (instr, json_extract) are defined for it in the first entry. */
#define CORE_SCHEMA(ID, INT, REAL, NOROWID, PG_FUNCTIONS, SERIES_UNIQUE) {                                            \
    /* 1: alerts and their history, metric history */                                                                 \
    PG_FUNCTIONS                                                                                                      \
    "CREATE TABLE alerts ("                                                                                           \
    "  id " ID ","                                                                                                    \
    "  fingerprint TEXT NOT NULL,"                                                                                    \
    "  rule TEXT NOT NULL,"                                                                                           \
    "  state TEXT NOT NULL CHECK (state IN ('firing', 'acked', 'resolved')),"                                         \
    "  severity " INT " NOT NULL,"                                                                                    \
    "  summary TEXT NOT NULL,"                                                                                        \
    "  labels TEXT NOT NULL,"                                                                                         \
    "  details TEXT,"                                                                                                 \
    "  value " REAL ", peak " REAL ", threshold " REAL ","                                                            \
    "  started_at " INT " NOT NULL,"                                                                                  \
    "  updated_at " INT " NOT NULL,"                                                                                  \
    "  acked_at " INT ", acked_by TEXT, ack_note TEXT,"                                                               \
    "  resolved_at " INT ", resolved_by TEXT, resolve_reason TEXT,"                                                   \
    "  flaps " INT " NOT NULL DEFAULT 0);"                                                                            \
    "CREATE UNIQUE INDEX alerts_open_fingerprint ON alerts (fingerprint) WHERE state != 'resolved';"                  \
    "CREATE INDEX alerts_state ON alerts (state, id);"                                                                \
    "CREATE TABLE alert_history ("                                                                                    \
    "  id " ID ","                                                                                                    \
    "  alert_id " INT " NOT NULL REFERENCES alerts (id),"                                                             \
    "  at " INT " NOT NULL,"                                                                                          \
    "  action TEXT NOT NULL,"                                                                                         \
    "  actor TEXT, note TEXT, value " REAL ");"                                                                       \
    "CREATE INDEX alert_history_alert ON alert_history (alert_id, id);"                                               \
    "CREATE TABLE metric_series ("                                                                                    \
    "  id " ID ", name TEXT NOT NULL, labels TEXT NOT NULL, UNIQUE (name, labels));"                                  \
    "CREATE TABLE metric_raw (series " INT " NOT NULL, ts " INT " NOT NULL, value " REAL " NOT NULL,"                 \
    "  PRIMARY KEY (series, ts))" NOROWID ";"                                                                         \
    "CREATE TABLE metric_1m (series " INT " NOT NULL, ts " INT " NOT NULL, avg " REAL ", min " REAL ", max " REAL "," \
    "  n " INT ", PRIMARY KEY (series, ts))" NOROWID ";"                                                              \
    "CREATE TABLE metric_1h (series " INT " NOT NULL, ts " INT " NOT NULL, avg " REAL ", min " REAL ", max " REAL "," \
    "  n " INT ", PRIMARY KEY (series, ts))" NOROWID ";"                                                              \
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);",                                                          \
    /* 1 -> 2: where the log inputs stopped reading (files by path and inode, the journal by                          \
     * cursor), so a restart resumes there */                                                                         \
    "CREATE TABLE log_offsets (key TEXT PRIMARY KEY, dev " INT " NOT NULL, ino " INT " NOT NULL,"                     \
    "  \"offset\" " INT " NOT NULL, cursor TEXT, updated_ms " INT " NOT NULL);",                                      \
    /* 2 -> 3: the duty log, hash-chained (store_duty.c) */                                                           \
    "CREATE TABLE duty_log (id " INT " PRIMARY KEY, ts " INT " NOT NULL, kind TEXT NOT NULL, actor TEXT,"             \
    "  alert_id " INT ", text TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);",                                   \
    /* 3 -> 4: notifications: groups of alerts and their escalation, the outbox, silences */                          \
    "CREATE TABLE notify_groups (id " ID ", gkey TEXT NOT NULL, policy TEXT NOT NULL,"                                \
    "  opened_ms " INT " NOT NULL, flush_ms " INT ", last_flush_ms " INT ", level " INT " NOT NULL DEFAULT 0,"        \
    "  round " INT " NOT NULL DEFAULT 0, escalate_ms " INT ", closed " INT " NOT NULL DEFAULT 0);"                    \
    "CREATE UNIQUE INDEX notify_groups_open ON notify_groups (gkey) WHERE closed = 0;"                                \
    "CREATE INDEX notify_groups_due ON notify_groups (closed, flush_ms, escalate_ms);"                                \
    "CREATE TABLE notify_members (group_id " INT " NOT NULL, alert_id " INT " NOT NULL, state TEXT NOT NULL,"         \
    "  pending TEXT, notified " INT " NOT NULL DEFAULT 0, held TEXT, PRIMARY KEY (group_id, alert_id))" NOROWID ";"   \
    "CREATE INDEX notify_members_alert ON notify_members (alert_id);"                                                 \
    "CREATE TABLE notify_outbox (id " ID ", created_ms " INT " NOT NULL, channel TEXT NOT NULL,"                      \
    "  kind TEXT NOT NULL, group_id " INT ", alert_id " INT ", alerts TEXT, people TEXT, message TEXT NOT NULL,"      \
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed', 'merged')),"               \
    "  attempts " INT " NOT NULL DEFAULT 0, next_ms " INT " NOT NULL, sent_ms " INT ", last_error TEXT,"              \
    "  merged_into " INT ");"                                                                                         \
    "CREATE INDEX notify_outbox_due ON notify_outbox (channel, next_ms) WHERE state = 'pending';"                     \
    "CREATE TABLE silences (id " ID ", matchers TEXT NOT NULL, starts_ms " INT " NOT NULL,"                           \
    "  ends_ms " INT " NOT NULL, created_by TEXT, created_ms " INT " NOT NULL, comment TEXT);",                       \
    /* 4 -> 5: the console's users and their sessions (store_user.c) */                                               \
    "CREATE TABLE users (id " ID ", name TEXT NOT NULL UNIQUE, display TEXT,"                                         \
    "  role TEXT NOT NULL CHECK (role IN ('admin', 'officer', 'member', 'viewer')), department TEXT,"                 \
    "  pw_hash TEXT NOT NULL, created_ms " INT " NOT NULL, updated_ms " INT " NOT NULL);"                             \
    "CREATE TABLE sessions (id_hash TEXT PRIMARY KEY, user_id " INT " NOT NULL REFERENCES users (id),"                \
    "  csrf TEXT NOT NULL, created_ms " INT " NOT NULL, seen_ms " INT " NOT NULL, address TEXT);"                     \
    "CREATE INDEX sessions_user ON sessions (user_id);",                                                              \
    /* 5 -> 6: who an alert is assigned to (store_alert_assign) */                                                    \
    "ALTER TABLE alerts ADD COLUMN assignee TEXT;",                                                                   \
    /* 6 -> 7: the duty log keyed and signed (store_duty_sign.c): entries so far keep their                           \
     * plain SHA-256 links (scheme 0); checkpoints signed with Ed25519 */                                             \
    "ALTER TABLE duty_log ADD COLUMN scheme " INT " NOT NULL DEFAULT 0;"                                              \
    "CREATE TABLE duty_checkpoints (seq " INT " PRIMARY KEY, ts " INT " NOT NULL, from_seq " INT " NOT NULL,"         \
    "  head TEXT NOT NULL, digest TEXT NOT NULL, legacy " INT " NOT NULL, reason TEXT NOT NULL, sig TEXT NOT NULL);", \
    /* 7 -> 8: API tokens (store_user.c; made when first used before), and the versions of the                        \
     * modules' own tables (store_migrate_part) */                                                                    \
    "CREATE TABLE IF NOT EXISTS api_tokens (id " ID ", user_id " INT " NOT NULL REFERENCES users (id)"                \
    "  ON DELETE CASCADE, label TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, created_ms " INT " NOT NULL,"               \
    "  expires_ms " INT ", last_used_ms " INT ", revoked_ms " INT ");"                                                \
    "CREATE INDEX IF NOT EXISTS api_tokens_user ON api_tokens (user_id);"                                             \
    SCHEMA_TABLE,                                                                                                     \
    /* 8 -> 9: several servers on one store: which server an alert and a metric series are of                         \
     * ("" on a store of one machine), the servers sharing the store and the one that leads                           \
     * (store_lead.c) */                                                                                              \
    "ALTER TABLE alerts ADD COLUMN server TEXT NOT NULL DEFAULT '';"                                                  \
    "DROP INDEX alerts_open_fingerprint;"                                                                             \
    "CREATE UNIQUE INDEX alerts_open_fingerprint ON alerts (server, fingerprint)"                                     \
    "  WHERE state != 'resolved';"                                                                                    \
    "ALTER TABLE metric_series ADD COLUMN server TEXT NOT NULL DEFAULT '';"                                           \
    SERIES_UNIQUE                                                                                                     \
    "CREATE TABLE keepwatch_servers (name TEXT PRIMARY KEY, started_ms " INT " NOT NULL,"                             \
    "  seen_ms " INT " NOT NULL, version TEXT, leader " INT " NOT NULL DEFAULT 0);"                                   \
    "CREATE TABLE keepwatch_leader (id " INT " PRIMARY KEY CHECK (id = 1), server TEXT NOT NULL,"                     \
    "  since_ms " INT " NOT NULL, epoch " INT " NOT NULL);",                                                          \
}

/* The schema versions of the modules' tables (and, on PostgreSQL, of the store's own). */
#define SCHEMA_TABLE "CREATE TABLE IF NOT EXISTS keepwatch_schema (part TEXT PRIMARY KEY, version BIGINT NOT NULL);"

#define PG_FUNCTIONS                                                                                   \
    "CREATE OR REPLACE FUNCTION instr(haystack TEXT, needle TEXT) RETURNS INTEGER LANGUAGE SQL"        \
    "  IMMUTABLE AS 'SELECT strpos(haystack, needle)';"                                                \
    "CREATE OR REPLACE FUNCTION json_extract(doc TEXT, path TEXT) RETURNS TEXT LANGUAGE SQL"           \
    "  IMMUTABLE AS 'SELECT (doc::jsonb) #>> string_to_array(substr(path, 3), ''.'')';"

/* A series is a server's on PostgreSQL; SQLite cannot change a table's UNIQUE, and its server
 * is always "". */
#define PG_SERIES_UNIQUE                                                                               \
    "ALTER TABLE metric_series DROP CONSTRAINT metric_series_name_labels_key;"                         \
    "ALTER TABLE metric_series ADD UNIQUE (server, name, labels);"

static const char *const core_sqlite[] = CORE_SCHEMA("INTEGER PRIMARY KEY", "INTEGER", "REAL", " WITHOUT ROWID", "",
                                                     "");
static const char *const core_pg[] = CORE_SCHEMA("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BIGINT",
                                                 "DOUBLE PRECISION", "", PG_FUNCTIONS, PG_SERIES_UNIQUE);
#define CORE_VERSIONS (sizeof core_sqlite / sizeof core_sqlite[0])
_Static_assert(sizeof core_pg == sizeof core_sqlite, "a migration for each backend");

kw_rc store_exec(kw_store *s, const char *sql)
{
    if (db_exec(s->db, sql) == KW_OK)
        return KW_OK;
    snprintf(s->err, sizeof s->err, "%s", db_errmsg(s->db));
    return KW_ERR_STORE;
}

/* part's schema version: the store's own on SQLite is its user_version (as released). */
static int64_t part_version(kw_store *s, const char *part)
{
    if (!part && db_backend(s->db) == DB_SQLITE)
        return store_query_int(s, "PRAGMA user_version", NULL);
    return store_query_int(s, "SELECT version FROM keepwatch_schema WHERE part = ?", part ? part : "store");
}

static kw_rc part_version_set(kw_store *s, const char *part, int64_t v)
{
    if (!part && db_backend(s->db) == DB_SQLITE) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %lld", (long long)v);
        return store_exec(s, pragma);
    }
    db_stmt *st = store_stmt(s, "INSERT INTO keepwatch_schema (part, version) VALUES (?, ?)"
                                " ON CONFLICT (part) DO UPDATE SET version = excluded.version");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, part ? part : "store");
    db_bind_int64(st, 2, v);
    return store_step_done(s, st);
}

/* Whether part's tables are at version n already (read outside a transaction: a store in use
 * by another handle is not waited for). */
static bool up_to_date(kw_store *s, const char *part, size_t n)
{
    if (!part && db_backend(s->db) == DB_SQLITE)
        return store_query_int(s, "PRAGMA user_version", NULL) == (int64_t)n;
    db_stmt *st = store_stmt(s, "SELECT version FROM keepwatch_schema WHERE part = ?");
    if (!st) /* no such table yet */
        return false;
    db_bind_text(st, 1, part ? part : "store");
    bool same = db_step(st) == DB_ROW && db_col_int64(st, 0) == (int64_t)n;
    db_reset(st);
    return same;
}

/* Brings part (NULL: the store's own tables) from its version to n, one transaction per
 * step; on PostgreSQL under an advisory lock, so servers starting together migrate once. */
static kw_rc migrate(kw_store *s, const char *part, const store_migration *m, size_t n)
{
    bool pg = db_backend(s->db) == DB_POSTGRES;
    if (up_to_date(s, part, n))
        return KW_OK; /* the common case, without a writing transaction */
    if (store_begin(s) != KW_OK)
        return KW_ERR_STORE;
    kw_rc rc = KW_OK;
    if (pg) {
        char lock[96];
        snprintf(lock, sizeof lock, "SELECT pg_advisory_xact_lock(%d)", STORE_LOCK_MIGRATE);
        rc = store_exec(s, SCHEMA_TABLE);
        if (rc == KW_OK)
            rc = store_exec(s, lock);
    } else if (part) {
        rc = store_exec(s, SCHEMA_TABLE);
    }
    int64_t version = rc == KW_OK ? part_version(s, part) : 0;
    if (rc == KW_OK && version > (int64_t)n) {
        snprintf(s->err, sizeof s->err, "the %s tables are from a newer keepwatch (schema %lld, this one knows %zu)",
                 part ? part : "store's", (long long)version, n);
        rc = KW_ERR_RANGE;
    }
    for (size_t v = (size_t)version; rc == KW_OK && v < n; v++) {
        const char *sql = pg && m[v].pg ? m[v].pg : m[v].sql;
        rc = store_exec(s, sql);
        if (rc == KW_OK)
            rc = part_version_set(s, part, (int64_t)v + 1);
        if (rc == KW_OK && !pg && v + 1 < n) { /* SQLite: one step per transaction, as released */
            rc = store_commit(s);
            if (rc == KW_OK)
                rc = store_begin(s);
        }
    }
    if (rc == KW_OK)
        return store_commit(s);
    char keep[sizeof s->err];
    memcpy(keep, s->err, sizeof keep);
    store_rollback(s);
    memcpy(s->err, keep, sizeof keep);
    return rc;
}

kw_rc store_migrate_part(kw_store *s, const char *part, const store_migration *m, size_t n)
{
    return migrate(s, part, m, n);
}

static bool store_migrate(kw_store *s)
{
    store_migration m[CORE_VERSIONS];
    for (size_t i = 0; i < CORE_VERSIONS; i++)
        m[i] = (store_migration){core_sqlite[i], core_pg[i]};
    return migrate(s, NULL, m, CORE_VERSIONS) == KW_OK;
}

static pthread_mutex_t server_mu = PTHREAD_MUTEX_INITIALIZER;
static char default_server[64];

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
    pthread_mutex_lock(&server_mu);
    store_set_server(s, default_server);
    pthread_mutex_unlock(&server_mu);
    if (!readonly && !store_migrate(s)) {
        char shown[512];
        snprintf(err, errn, "%s: %s", kw_url_mask_password(path, shown, sizeof shown), s->err);
        store_close(s);
        return NULL;
    }
    return s;
}

bool store_is_url(const char *where) { return db_pg_is_url(where); }

bool store_reachable(kw_store *s) { return db_connected(s->db); }

void store_default_server(const char *server)
{
    pthread_mutex_lock(&server_mu);
    kw_strlcpy(default_server, server ? server : "", sizeof default_server);
    pthread_mutex_unlock(&server_mu);
}

const char *store_default_server_name(char *buf, size_t n)
{
    pthread_mutex_lock(&server_mu);
    kw_strlcpy(buf, default_server, n);
    pthread_mutex_unlock(&server_mu);
    return buf;
}

void store_set_server(kw_store *s, const char *server)
{
    if (db_backend(s->db) == DB_POSTGRES)
        kw_strlcpy(s->server, server ? server : "", sizeof s->server);
}

void store_close(kw_store *s)
{
    if (!s)
        return;
    db_close(s->db);
    if (s->duty_rows) /* staged and never written: the transaction went with the connection */
        store_rows_free(s->duty_rows);
    free(s->duty_rows);
    kw_map_free(&s->series_ids);
    free(s->path);
    free(s);
}

kw_rc store_begin(kw_store *s)
{
    s->tx_gen++;
    if (db_begin_write(s->db, STORE_LOCK_WRITE) == KW_OK)
        return KW_OK;
    snprintf(s->err, sizeof s->err, "%s", db_errmsg(s->db));
    return KW_ERR_STORE;
}

kw_rc store_begin_nested(kw_store *s, bool *own)
{
    *own = !db_in_transaction(s->db);
    return *own ? store_begin(s) : store_exec(s, "SAVEPOINT kw_nested");
}

kw_rc store_end_nested(kw_store *s, bool own, bool ok)
{
    if (own) {
        if (ok && store_commit(s) == KW_OK)
            return KW_OK;
        store_rollback(s);
        return KW_ERR_STORE;
    }
    if (ok)
        return store_exec(s, "RELEASE SAVEPOINT kw_nested");
    store_exec(s, "ROLLBACK TO SAVEPOINT kw_nested");
    store_exec(s, "RELEASE SAVEPOINT kw_nested");
    return KW_ERR_STORE;
}

kw_rc store_begin_read(kw_store *s)
{
    s->tx_gen++;
    return store_exec(s, db_backend(s->db) == DB_SQLITE ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ");
}
kw_rc store_commit(kw_store *s)
{
    kw_rc (*hook)(kw_store *) = s->before_commit;
    s->before_commit = NULL;
    if (hook && hook(s) != KW_OK) { /* what goes with the transaction's changes, or neither */
        char keep[sizeof s->err];
        snprintf(keep, sizeof keep, "%s", s->err[0] ? s->err : db_errmsg(s->db));
        store_rollback(s);
        snprintf(s->err, sizeof s->err, "%s", keep);
        return KW_ERR_STORE;
    }
    s->tx_gen++;
    return store_exec(s, "COMMIT");
}

void store_rollback(kw_store *s)
{
    s->tx_gen++;
    s->before_commit = NULL;
    store_exec(s, "ROLLBACK");
}
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

kw_rc store_run(kw_store *s, db_stmt *st)
{
    kw_rc rc = store_step_done(s, st);
    db_reset(st);
    return rc;
}

kw_rc store_run_changed(kw_store *s, db_stmt *st)
{
    kw_rc rc = store_step_changed(s, st);
    db_reset(st);
    return rc;
}

void store_bind_opt(db_stmt *st, int i, const char *v)
{
    if (v && *v)
        db_bind_text(st, i, v);
    else
        db_bind_null(st, i);
}

kw_rc store_step_ahead(kw_store *s, db_stmt *st)
{
    db_step_rc rc = db_step_ahead(st);
    db_reset(st);
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

db_stmt *store_rows_stmt(kw_store *s, const char *sql, store_rows *r, const char *what)
{
    db_stmt *st = store_stmt(s, sql);
    if (st && !store_rows_bind(r, st, 1)) {
        db_reset(st);
        snprintf(s->err, sizeof s->err, "%s: too much to write at once", what);
        st = NULL;
    }
    store_rows_clear(r);
    return st;
}
