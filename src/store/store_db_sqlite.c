/* store_db.h over SQLite: a file in WAL mode, one connection per thread (SQLITE_OPEN_NOMUTEX),
 * a 5 s busy timeout, foreign keys on; statements prepared once per connection (persistent)
 * and cached by their SQL text. The database file and its journals are kept 0600.
 * A postgresql:// URL opens a PostgreSQL connection instead (store_db_pg.c): such a db_conn
 * holds a db_pg and its db_stmts db_pg_stmts, and each call goes to db_pg_* (one test of a
 * pointer, so SQLite pays no extra call). */
#include "store/store_db.h"
#include "store/store_db_sqlite.h"
#include "core/kw_file.h"
#include "core/kw_map.h"
#include "core/kw_mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct db_conn {
    sqlite3 *db;
    db_pg *pg;    /* instead of db: a PostgreSQL connection */
    kw_map stmts; /* SQL text -> db_stmt *, kept for the connection's life */
};

struct db_stmt {
    sqlite3_stmt *st;
    db_pg_stmt *pg; /* instead of st (the PostgreSQL side owns it) */
};

/* The database and its journal hold password hashes and the duty log: 0600 whatever the
 * umask. SQLite gives -wal and -shm the database file's mode when it creates them, so a new
 * database file is made here first; files left wider by an older keepwatch are narrowed.
 * An existing file is never opened here: another connection of this process may hold locks
 * on it, which closing any descriptor of the file would drop. */
static bool files_private(const char *path, char *err, size_t errn)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[4096];
        if ((size_t)snprintf(p, sizeof p, "%s%s", path, suffixes[i]) >= sizeof p) {
            snprintf(err, errn, "%s: the path is too long", path);
            return false;
        }
        if (kw_file_narrow(p, 0600) != KW_OK) {
            snprintf(err, errn, "%s: %s", p, strerror(errno));
            return false;
        }
    }
    int fd = kw_file_open_private(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd >= 0)
        close(fd); /* new: nobody holds a lock on it yet */
    else if (errno != EEXIST) {
        snprintf(err, errn, "%s: %s", path, strerror(errno));
        return false;
    }
    return true;
}

static bool pragmas(db_conn *c, bool create)
{
    if (db_exec(c, "PRAGMA foreign_keys = ON") != KW_OK)
        return false;
    return !create ||
           (db_exec(c, "PRAGMA journal_mode = WAL") == KW_OK && db_exec(c, "PRAGMA synchronous = NORMAL") == KW_OK);
}

db_conn *db_open(const char *where, bool create, char *err, size_t errn)
{
    if (db_pg_is_url(where)) {
        db_pg *pg = db_pg_open(where, err, errn);
        if (!pg)
            return NULL;
        db_conn *c = kw_calloc(1, sizeof *c);
        kw_map_init(&c->stmts);
        c->pg = pg;
        return c;
    }
    if (create && !files_private(where, err, errn))
        return NULL;
    db_conn *c = kw_calloc(1, sizeof *c);
    kw_map_init(&c->stmts);
    int flags = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    flags |= SQLITE_OPEN_NOMUTEX; /* one thread per connection */
    if (sqlite3_open_v2(where, &c->db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errn, "%s: %s", where, c->db ? sqlite3_errmsg(c->db) : "cannot open");
        db_close(c);
        return NULL;
    }
    sqlite3_busy_timeout(c->db, 5000);
    sqlite3_extended_result_codes(c->db, 1);
    if (!pragmas(c, create)) {
        snprintf(err, errn, "%s: %s", where, sqlite3_errmsg(c->db));
        db_close(c);
        return NULL;
    }
    return c;
}

void db_close(db_conn *c)
{
    if (!c)
        return;
    size_t it = 0;
    void *v;
    while (kw_map_next(&c->stmts, &it, NULL, &v)) {
        db_stmt *st = v;
        if (st->st)
            sqlite3_finalize(st->st);
        free(st);
    }
    kw_map_free(&c->stmts);
    if (c->db)
        sqlite3_close_v2(c->db);
    db_pg_close(c->pg);
    free(c);
}

db_kind db_backend(const db_conn *c) { return c->pg ? DB_POSTGRES : DB_SQLITE; }

const char *db_errmsg(const db_conn *c) { return c->pg ? db_pg_errmsg(c->pg) : sqlite3_errmsg(c->db); }

static bool rc_busy(int rc) { return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED; }

kw_rc db_exec(db_conn *c, const char *sql)
{
    if (c->pg)
        return db_pg_exec(c->pg, sql);
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL); /* the message stays on the connection */
    if (rc == SQLITE_OK)
        return KW_OK;
    return rc_busy(rc) ? KW_ERR_TIMEOUT : KW_ERR_STORE;
}

kw_rc db_begin_write(db_conn *c, int64_t lock_key)
{
    return c->pg ? db_pg_begin_write(c->pg, lock_key) : db_exec(c, "BEGIN IMMEDIATE");
}

db_stmt *db_prepare(db_conn *c, const char *sql)
{
    db_stmt *st = kw_map_get(&c->stmts, sql);
    if (st) {
        db_reset(st);
        return st;
    }
    if (c->pg) {
        db_pg_stmt *ps = db_pg_prepare(c->pg, sql);
        if (!ps)
            return NULL;
        st = kw_calloc(1, sizeof *st);
        st->pg = ps;
        kw_map_put(&c->stmts, sql, st);
        return st;
    }
    sqlite3_stmt *raw;
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, NULL) != SQLITE_OK)
        return NULL;
    st = kw_calloc(1, sizeof *st);
    st->st = raw;
    kw_map_put(&c->stmts, sql, st);
    return st;
}

void db_bind_int64(db_stmt *st, int i, int64_t v) { st->pg ? db_pg_bind_int64(st->pg, i, v) : (void)sqlite3_bind_int64(st->st, i, v); }
void db_bind_double(db_stmt *st, int i, double v) { st->pg ? db_pg_bind_double(st->pg, i, v) : (void)sqlite3_bind_double(st->st, i, v); }
void db_bind_null(db_stmt *st, int i) { st->pg ? db_pg_bind_null(st->pg, i) : (void)sqlite3_bind_null(st->st, i); }

void db_bind_text(db_stmt *st, int i, const char *v)
{
    if (st->pg)
        db_pg_bind_text(st->pg, i, v);
    else if (v)
        sqlite3_bind_text(st->st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st->st, i);
}

void db_bind_blob(db_stmt *st, int i, const void *p, size_t n)
{
    if (st->pg) {
        db_pg_bind_blob(st->pg, i, p, n);
        return;
    }
    sqlite3_bind_blob64(st->st, i, p, (sqlite3_uint64)n, SQLITE_TRANSIENT);
}

db_step_rc db_step_ahead(db_stmt *st)
{
    if (st->pg)
        return db_pg_step_ahead(st->pg);
    db_step_rc rc = db_step(st);
    return rc == DB_ROW ? DB_DONE : rc;
}

db_step_rc db_step(db_stmt *st)
{
    if (st->pg)
        return db_pg_step(st->pg);
    int rc = sqlite3_step(st->st);
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE)
        return DB_DONE;
    return rc_busy(rc) ? DB_BUSY : DB_ERROR;
}

bool db_col_null(db_stmt *st, int col)
{
    return st->pg ? db_pg_col_null(st->pg, col) : sqlite3_column_type(st->st, col) == SQLITE_NULL;
}

int64_t db_col_int64(db_stmt *st, int col)
{
    return st->pg ? db_pg_col_int64(st->pg, col) : sqlite3_column_int64(st->st, col);
}

double db_col_double(db_stmt *st, int col)
{
    return st->pg ? db_pg_col_double(st->pg, col) : sqlite3_column_double(st->st, col);
}

const char *db_col_text(db_stmt *st, int col)
{
    return st->pg ? db_pg_col_text(st->pg, col) : (const char *)sqlite3_column_text(st->st, col);
}

const void *db_col_blob(db_stmt *st, int col, size_t *n)
{
    if (st->pg)
        return db_pg_col_blob(st->pg, col, n);
    const void *p = sqlite3_column_blob(st->st, col);
    *n = (size_t)sqlite3_column_bytes(st->st, col);
    return p;
}

int64_t db_changes(db_stmt *st) { return st->pg ? db_pg_changes(st->pg) : sqlite3_changes64(sqlite3_db_handle(st->st)); }

void db_reset(db_stmt *st)
{
    if (st->pg) {
        db_pg_reset(st->pg);
        return;
    }
    sqlite3_reset(st->st);
    sqlite3_clear_bindings(st->st);
}

void db_reset_all(db_conn *c)
{
    if (c->pg) {
        db_pg_reset_all(c->pg);
        return;
    }
    size_t it = 0;
    void *v;
    while (kw_map_next(&c->stmts, &it, NULL, &v))
        sqlite3_reset(((db_stmt *)v)->st);
}

bool db_in_transaction(const db_conn *c) { return c->pg ? db_pg_in_transaction(c->pg) : !sqlite3_get_autocommit(c->db); }

bool db_connected(const db_conn *c) { return c->pg ? db_pg_connected(c->pg) : true; }

bool db_constraint_failed(const db_conn *c)
{
    return c->pg ? db_pg_constraint_failed(c->pg) : (sqlite3_extended_errcode(c->db) & 0xff) == SQLITE_CONSTRAINT;
}

void db_version(db_conn *c, int64_t v[2])
{
    if (c->pg) {
        db_pg_version(c->pg, v);
        return;
    }
    v[0] = 0;
    db_stmt *st = db_prepare(c, "PRAGMA data_version");
    if (st && db_step(st) == DB_ROW)
        v[0] = db_col_int64(st, 0);
    if (st)
        sqlite3_reset(st->st);
    v[1] = sqlite3_total_changes64(c->db);
}

sqlite3 *db_sqlite_handle(db_conn *c) { return c->db; } /* NULL for a PostgreSQL connection */
