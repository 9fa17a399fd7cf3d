/* The SQL the store speaks, over either backend: SQLite (store_db_sqlite.c, the default, a
 * file) and PostgreSQL through libpq (store_db_pg.c, store.url: postgresql://...). The files
 * of src/store/ write their statements once, in the subset both speak, against this
 * interface; nothing outside src/store/ sees it.
 *
 * The subset: `?` placeholders (rewritten to $1, $2... for libpq), INSERT ... ON CONFLICT
 * (...) DO NOTHING / DO UPDATE SET x = excluded.x, RETURNING for generated ids, LIMIT and
 * OFFSET, COALESCE, CASE, || for concatenation, integers as BIGINT, reals as DOUBLE
 * PRECISION, text as TEXT, booleans as integers 0/1. PostgreSQL types a parameter at its
 * first use and makes one it cannot type text: write `n = ?1 OR ?1 IS NULL` (the typed use
 * first) or CAST(? AS BIGINT), never `?1 IS NULL OR n = ?1` for a number. What must differ
 * (table definitions, PRAGMA, advisory locks) goes through db_backend() and a migration per
 * backend.
 *
 * A connection belongs to one thread at a time. Statements are prepared once per
 * connection and cached by their SQL text; a statement is bound, stepped row by row, and
 * reset (db_prepare hands it out reset, with its bindings cleared). Column indexes count from
 * 0, parameter indexes from 1, as in SQLite.
 *
 * Changes to this interface (issue 14, SQLite port), for both backends:
 * - db_open's `create` is also read/write: false opens the store read-only (SQLite:
 *   SQLITE_OPEN_READONLY, nothing created or migrated; libpq: default_transaction_read_only).
 * - db_in_transaction, db_constraint_failed and db_version, below db_reset_all.
 * - db_errmsg also says why a db_exec failed.
 * - Numbered placeholders ?1, ?2... (a value used twice) are in the subset too: libpq gets
 *   $1, $2... for them, as for the plain `?` counted from the left. */
#ifndef STORE_DB_H
#define STORE_DB_H

#include "core/kw_err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct db_conn db_conn;
typedef struct db_stmt db_stmt;

typedef enum { DB_SQLITE, DB_POSTGRES } db_kind;

typedef enum {
    DB_ROW,   /* a row is ready: read it with db_col_* */
    DB_DONE,  /* no (more) rows; for a statement without rows, it ran */
    DB_BUSY,  /* the database is locked or the server is unreachable: try again later */
    DB_ERROR  /* the statement failed: db_errmsg says why */
} db_step_rc;

/* Opens a connection: a file path (SQLite; created when `create`), or a postgresql:// URL
 * (libpq; the password from the URL, PGPASSFILE or ~/.pgpass). Without `create` the
 * connection only reads. NULL with err set (a URL's password never in it). The caller
 * closes it with db_close. */
db_conn *db_open(const char *where, bool create, char *err, size_t errn);
void db_close(db_conn *c);
db_kind db_backend(const db_conn *c);
/* The last error on c, for messages (never a password). */
const char *db_errmsg(const db_conn *c);

/* Runs SQL without parameters or rows (DDL, BEGIN, COMMIT, ROLLBACK; several statements
 * separated by ';' allowed). KW_ERR_TIMEOUT when locked or unreachable (try again), KW_ERR_STORE else. */
kw_rc db_exec(db_conn *c, const char *sql);
/* Begins a writing transaction: SQLite BEGIN IMMEDIATE; PostgreSQL BEGIN and
 * pg_advisory_xact_lock(lock_key), sent ahead in pipeline mode when the connection is up and
 * read with the transaction's first statement that waits (one round trip fewer). A lock or a
 * connection that fails then shows at that statement, which fails as the transaction does;
 * when nothing else went ahead, a connection lost since the last command is opened again and
 * the transaction begun on it, as a plain BEGIN is. */
kw_rc db_begin_write(db_conn *c, int64_t lock_key);

/* The statement for sql, cached per connection, reset with no bindings; NULL on a prepare
 * error (db_errmsg says why), which leaves a transaction going on as it was. A parameter the
 * SQL gives no type to (`? IS NULL` before any other use, a ?N the statement skips) is text
 * for libpq. */
db_stmt *db_prepare(db_conn *c, const char *sql);
void db_bind_int64(db_stmt *st, int i, int64_t v);
void db_bind_double(db_stmt *st, int i, double v);
/* A C string, copied; NULL binds SQL NULL. */
void db_bind_text(db_stmt *st, int i, const char *v);
/* n bytes at p, copied (BLOB / BYTEA). */
void db_bind_blob(db_stmt *st, int i, const void *p, size_t n);
void db_bind_null(db_stmt *st, int i);

/* Runs the statement on the first call and moves to its next row on each one after. */
db_step_rc db_step(db_stmt *st);
/* Runs a write whose rows and changes the caller does not need (an INSERT of a history row):
 * on PostgreSQL inside a transaction it is sent ahead without waiting for its answer
 * (libpq's pipeline mode), read with the next statement that waits or with the COMMIT, where
 * a failure shows (and the transaction is over). DB_DONE when sent or run. SQLite: db_step. */
db_step_rc db_step_ahead(db_stmt *st);
/* Of the current row (valid until the next step or reset). A NULL reads as 0, 0.0, NULL. */
bool db_col_null(db_stmt *st, int col);
int64_t db_col_int64(db_stmt *st, int col);
double db_col_double(db_stmt *st, int col);
const char *db_col_text(db_stmt *st, int col);
/* A blob's bytes and length (text columns too). */
const void *db_col_blob(db_stmt *st, int col, size_t *n);
/* Rows the last INSERT, UPDATE or DELETE run by st changed. */
int64_t db_changes(db_stmt *st);
/* Ends the statement's run (its read snapshot goes) and clears its bindings. */
void db_reset(db_stmt *st);
/* Resets every statement of c (what a request held is let go). */
void db_reset_all(db_conn *c);

/* Whether c's connection is up (SQLite: always; libpq: as of the last command, which
 * reconnects first when it was lost). */
bool db_connected(const db_conn *c);
/* Whether c is inside a transaction it began (BEGIN without COMMIT or ROLLBACK yet). */
bool db_in_transaction(const db_conn *c);
/* Whether the last failed statement on c broke a UNIQUE, CHECK, NOT NULL or foreign key
 * constraint (libpq: SQLSTATE class 23). */
bool db_constraint_failed(const db_conn *c);
/* Where the database stands: both numbers stay the same exactly while nobody, on any
 * connection in any process, commits a change (SQLite: PRAGMA data_version counts the
 * others' commits, total changes this connection's). For caching answers. */
void db_version(db_conn *c, int64_t v[2]);

/* ---- The PostgreSQL backend (store_db_pg.c), added for issue 14's libpq part. ----
 * The same calls as above over libpq, on its own handle types: db_* (store_db_sqlite.c)
 * forwards to them when db_open is given a postgresql:// or postgres:// URL (db_pg_is_url). Without libpq
 * (KW_HAVE_PQ unset) db_pg_open fails with "PostgreSQL support is not built in". Ownership
 * and lifetimes as for the db_* above. */
typedef struct db_pg db_pg;
typedef struct db_pg_stmt db_pg_stmt;

bool db_pg_is_url(const char *where);
/* Where connections opened from now on read their password (its first line; NULL: the URL's,
 * PGPASSFILE or ~/.pgpass). The path is copied; the file is read at each connection, so a
 * changed password needs no restart. */
void db_pg_set_password_file(const char *path);
db_pg *db_pg_open(const char *url, char *err, size_t errn);
void db_pg_close(db_pg *c);
const char *db_pg_errmsg(const db_pg *c);
kw_rc db_pg_exec(db_pg *c, const char *sql);
kw_rc db_pg_begin_write(db_pg *c, int64_t lock_key);
db_pg_stmt *db_pg_prepare(db_pg *c, const char *sql);
void db_pg_bind_int64(db_pg_stmt *st, int i, int64_t v);
void db_pg_bind_double(db_pg_stmt *st, int i, double v);
void db_pg_bind_text(db_pg_stmt *st, int i, const char *v);
void db_pg_bind_blob(db_pg_stmt *st, int i, const void *p, size_t n);
void db_pg_bind_null(db_pg_stmt *st, int i);
db_step_rc db_pg_step(db_pg_stmt *st);
db_step_rc db_pg_step_ahead(db_pg_stmt *st);
bool db_pg_col_null(db_pg_stmt *st, int col);
int64_t db_pg_col_int64(db_pg_stmt *st, int col);
double db_pg_col_double(db_pg_stmt *st, int col);
const char *db_pg_col_text(db_pg_stmt *st, int col);
const void *db_pg_col_blob(db_pg_stmt *st, int col, size_t *n);
int64_t db_pg_changes(db_pg_stmt *st);
void db_pg_reset(db_pg_stmt *st);
void db_pg_reset_all(db_pg *c);
bool db_pg_in_transaction(const db_pg *c);
bool db_pg_connected(const db_pg *c);
bool db_pg_constraint_failed(const db_pg *c);
void db_pg_version(db_pg *c, int64_t v[2]);

#endif
