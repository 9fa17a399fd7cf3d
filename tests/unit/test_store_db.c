/* The store's SQL interface (store_db.h): the same conformance cases against each backend,
 * SQLite on a temporary file and
 * PostgreSQL when KW_TEST_PG_URL names a server (tests/integ/test_store_db_pg.py starts a
 * throwaway one and runs this program), plus the URL masking. */
#include "kw_test.h"
#include "store/store_db.h"
#include "core/kw_url.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

static db_conn *conn;   /* the backend under test */
static db_step_rc last_rc;   /* insert()'s first step */

/* ---- URL masking (no server needed) ---- */

static void test_mask_userinfo(void)
{
    char b[128];
    CHECK_STR(kw_url_mask_password("postgresql://kw:s3cret@db.example:5432/kw", b, sizeof b),
              "postgresql://kw:***@db.example:5432/kw");
    CHECK_STR(kw_url_mask_password("postgres://kw@db/kw", b, sizeof b), "postgres://kw@db/kw");
    CHECK_STR(kw_url_mask_password("postgresql://db/kw", b, sizeof b), "postgresql://db/kw");
    /* a raw '@' or '/' in the password: everything up to the last '@' goes */
    CHECK_STR(kw_url_mask_password("postgresql://kw:a@b/c@db/kw", b, sizeof b), "postgresql://kw:***@db/kw");
}

static void test_mask_param(void)
{
    char b[128];
    CHECK_STR(kw_url_mask_password("postgresql://db/kw?user=kw&password=hunter2&sslmode=require", b, sizeof b),
              "postgresql://db/kw?user=kw&password=***&sslmode=require");
    CHECK_STR(kw_url_mask_password("postgresql://u:p1@db/kw?password=p2", b, sizeof b),
              "postgresql://u:***@db/kw?password=***");
}

static void test_mask_bounds(void)
{
    char b[12];
    kw_url_mask_password("postgresql://kw:s3cret@db/kw", b, sizeof b);
    CHECK_STR(b, "postgresql:");
    CHECK(kw_url_mask_password(NULL, b, sizeof b)[0] == '\0');
    CHECK(db_pg_is_url("postgresql://x") && db_pg_is_url("postgres://x"));
    CHECK(!db_pg_is_url("/var/lib/keepwatch/keepwatch.db") && !db_pg_is_url(NULL));
}

/* ---- conformance, on conn ---- */

static bool pg(void)
{
    return db_backend(conn) == DB_POSTGRES;
}

/* A fresh table t (id, k unique, v text, n int, d real, b blob). */
static void fresh_table(void)
{
    CHECK_INT(db_exec(conn, "DROP TABLE IF EXISTS t"), KW_OK);
    CHECK_INT(db_exec(conn, pg() ? "CREATE TABLE t (id BIGSERIAL PRIMARY KEY, k TEXT UNIQUE, v TEXT,"
                                   " n BIGINT, d DOUBLE PRECISION, b BYTEA)"
                                 : "CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT UNIQUE, v TEXT,"
                                   " n BIGINT, d DOUBLE PRECISION, b BLOB)"),
              KW_OK);
}

/* Inserts (k, n) and returns the new id, or -1. */
static int64_t insert(const char *k, int64_t n)
{
    db_stmt *st = db_prepare(conn, "INSERT INTO t (k, n) VALUES (?, ?) RETURNING id");
    if (!st)
        return -1;
    db_bind_text(st, 1, k);
    db_bind_int64(st, 2, n);
    last_rc = db_step(st);
    int64_t id = last_rc == DB_ROW ? db_col_int64(st, 0) : -1;
    if (id >= 0)
        CHECK_INT(db_step(st), DB_DONE);
    db_reset(st);
    return id;
}

/* The single integer sql answers, or -999. */
static int64_t scalar(const char *sql)
{
    db_stmt *st = db_prepare(conn, sql);
    int64_t v = st && db_step(st) == DB_ROW ? db_col_int64(st, 0) : -999;
    if (st)
        db_reset(st);
    return v;
}

static void c_returning(void)
{
    fresh_table();
    CHECK_INT(insert("a", 1), 1);
    CHECK_INT(insert("b", 2), 2);
    CHECK_INT(scalar("SELECT COUNT(*) FROM t"), 2);
}

/* Runs sql with (k, n) bound; returns db_changes, or -1 when it did not finish. */
static int64_t run_kn(const char *sql, const char *k, int64_t n)
{
    db_stmt *st = db_prepare(conn, sql);
    if (!st)
        return -1;
    db_bind_text(st, 1, k);
    db_bind_int64(st, 2, n);
    int64_t changes = db_step(st) == DB_DONE ? db_changes(st) : -1;
    db_reset(st);
    return changes;
}

static void c_on_conflict(void)
{
    fresh_table();
    insert("a", 1);
    CHECK_INT(run_kn("INSERT INTO t (k, n) VALUES (?, ?) ON CONFLICT (k) DO NOTHING", "a", 5), 0);
    CHECK_INT(scalar("SELECT n FROM t WHERE k = 'a'"), 1);
    CHECK_INT(run_kn("INSERT INTO t (k, n) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET n = excluded.n + t.n",
                     "a", 41), 1);
    CHECK_INT(scalar("SELECT n FROM t WHERE k = 'a'"), 42);
    CHECK_INT(run_kn("INSERT INTO t (k, n) VALUES (?, ?) ON CONFLICT (k) DO NOTHING", "new", 5), 1);
    CHECK_INT(scalar("SELECT COUNT(*) FROM t"), 2);
}

static void c_nulls(void)
{
    fresh_table();
    db_stmt *st = db_prepare(conn, "INSERT INTO t (k, v, n, d, b) VALUES (?, ?, ?, ?, ?)");
    db_bind_text(st, 1, "x");
    db_bind_text(st, 2, NULL);
    db_bind_null(st, 3);
    db_bind_null(st, 4);
    db_bind_null(st, 5);
    CHECK_INT(db_step(st), DB_DONE);
    db_reset(st);
    st = db_prepare(conn, "SELECT v, n, d, b, k FROM t");
    CHECK_INT(db_step(st), DB_ROW);
    for (int i = 0; i < 4; i++)
        CHECK(db_col_null(st, i));
    CHECK(!db_col_null(st, 4));
    CHECK(db_col_text(st, 0) == NULL);
    CHECK_INT(db_col_int64(st, 1), 0);
    CHECK(db_col_double(st, 2) == 0.0);
    size_t n = 99;
    CHECK(db_col_blob(st, 3, &n) == NULL);
    CHECK_INT(n, 0);
    CHECK(db_col_null(st, 17));    /* no such column: NULL, not a crash */
    CHECK_INT(db_step(st), DB_DONE);
    db_reset(st);
    /* `? IS NULL` leaves PostgreSQL no type to infer: the backend must still run it */
    st = db_prepare(conn, "SELECT COUNT(*) FROM t WHERE ? IS NULL OR n = ?");
    CHECK(st != NULL);
    if (!st)
        return;
    db_bind_null(st, 1);
    db_bind_null(st, 2);
    CHECK_INT(db_step(st) == DB_ROW ? db_col_int64(st, 0) : -1, 1);
    db_reset(st);
    db_bind_int64(st, 1, 3);
    db_bind_int64(st, 2, 3);
    CHECK_INT(db_step(st) == DB_ROW ? db_col_int64(st, 0) : -1, 0);
    db_reset(st);
}

static void c_int64(void)
{
    fresh_table();
    const int64_t v[] = {INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX - 1, INT64_MAX};
    char k[8];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        snprintf(k, sizeof k, "k%zu", i);
        CHECK(insert(k, v[i]) > 0);
    }
    db_stmt *st = db_prepare(conn, "SELECT n, n = ? FROM t ORDER BY id");
    db_bind_int64(st, 1, INT64_MAX);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        CHECK_INT(db_step(st), DB_ROW);
        CHECK(db_col_int64(st, 0) == v[i]);
        CHECK_INT(db_col_int64(st, 1), i == 6);   /* a boolean reads as 0/1 */
    }
    CHECK_INT(db_step(st), DB_DONE);
    db_reset(st);
}

static void c_doubles(void)
{
    fresh_table();
    const double v[] = {0.1, 1.0 / 3.0, -2.5e-300, 1.7976931348623157e308, 4.9e-324, -0.0, 12345.678};
    db_stmt *ins = db_prepare(conn, "INSERT INTO t (d) VALUES (?)");
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        db_bind_double(ins, 1, v[i]);
        CHECK_INT(db_step(ins), DB_DONE);
        db_reset(ins);
    }
    db_stmt *st = db_prepare(conn, "SELECT d, -d FROM t ORDER BY id");
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        CHECK_INT(db_step(st), DB_ROW);
        CHECK(db_col_double(st, 0) == v[i]);   /* exactly, not nearly */
        CHECK(db_col_double(st, 1) == -v[i]);
    }
    CHECK_INT(db_step(st), DB_DONE);
    db_reset(st);
}

static void c_utf8(void)
{
    fresh_table();
    const char *s = "告警：主机 web-01 离线 (CPU 使用率 99%)";
    db_stmt *st = db_prepare(conn, "INSERT INTO t (k, v) VALUES ('zh', ?)");
    db_bind_text(st, 1, s);
    CHECK_INT(db_step(st), DB_DONE);
    db_reset(st);
    st = db_prepare(conn, "SELECT v, length(v), v || '!' FROM t WHERE v LIKE ?");
    db_bind_text(st, 1, "%主机%");
    CHECK_INT(db_step(st), DB_ROW);
    CHECK_STR(db_col_text(st, 0), s);
    CHECK_INT(db_col_int64(st, 1), 29);          /* characters, not bytes */
    CHECK_CONTAINS(db_col_text(st, 2), "99%)!");
    CHECK_INT(db_step(st), DB_DONE);
    db_reset(st);
}

static void c_blobs(void)
{
    fresh_table();
    const unsigned char b[] = {0, 1, 0, 255, '\\', 'x', '4', '1', 0, 0x7f, 0x80};
    db_stmt *st = db_prepare(conn, "INSERT INTO t (k, b) VALUES (?, ?)");
    db_bind_text(st, 1, "blob");
    db_bind_blob(st, 2, b, sizeof b);
    CHECK_INT(db_step(st), DB_DONE);
    db_reset(st);
    /* a text column holding what looks like bytea hex stays text */
    CHECK_INT(db_exec(conn, "INSERT INTO t (k, v) VALUES ('hexlike', '\\x41')"), KW_OK);
    st = db_prepare(conn, "SELECT b, v FROM t ORDER BY id");
    CHECK_INT(db_step(st), DB_ROW);
    size_t n = 0;
    const unsigned char *p = db_col_blob(st, 0, &n);
    CHECK_INT(n, sizeof b);
    CHECK(p && memcmp(p, b, sizeof b) == 0);
    CHECK_INT(db_step(st), DB_ROW);
    CHECK_STR(db_col_text(st, 1), "\\x41");
    CHECK_INT(db_step(st), DB_DONE);
    db_reset(st);
}

static void c_question_mark_literal(void)
{
    db_stmt *st = db_prepare(conn, "SELECT 'what?', ? /* why? */, 'it''s ?' -- and ?\n, ?");
    CHECK(st != NULL);
    if (!st)
        return;
    db_bind_int64(st, 1, 7);
    db_bind_text(st, 2, "second");
    CHECK_INT(db_step(st), DB_ROW);
    CHECK_STR(db_col_text(st, 0), "what?");
    CHECK_INT(db_col_int64(st, 1), 7);
    CHECK_STR(db_col_text(st, 2), "it's ?");
    CHECK_STR(db_col_text(st, 3), "second");
    db_reset(st);
}

static void c_changes(void)
{
    fresh_table();
    for (int i = 0; i < 5; i++) {
        char k[4] = {'k', (char)('0' + i), 0};
        insert(k, i);
    }
    db_stmt *st = db_prepare(conn, "UPDATE t SET v = 'big' WHERE n >= ?");
    db_bind_int64(st, 1, 2);
    CHECK_INT(db_step(st), DB_DONE);
    CHECK_INT(db_changes(st), 3);
    db_reset(st);
    st = db_prepare(conn, "DELETE FROM t WHERE n < ?");
    db_bind_int64(st, 1, 2);
    CHECK_INT(db_step(st), DB_DONE);
    CHECK_INT(db_changes(st), 2);
    db_reset(st);
    CHECK_INT(scalar("SELECT COUNT(*) FROM t WHERE v = 'big'"), 3);
}

static void c_transactions(void)
{
    fresh_table();
    CHECK_INT(db_exec(conn, "BEGIN"), KW_OK);
    insert("gone", 1);
    insert("gone too", 2);
    CHECK_INT(scalar("SELECT COUNT(*) FROM t"), 2);
    CHECK_INT(db_exec(conn, "ROLLBACK"), KW_OK);
    CHECK_INT(scalar("SELECT COUNT(*) FROM t"), 0);
    CHECK_INT(db_exec(conn, "BEGIN; INSERT INTO t (k) VALUES ('kept'); COMMIT"), KW_OK);
    CHECK_INT(scalar("SELECT COUNT(*) FROM t WHERE k = 'kept'"), 1);
}

/* Statements first prepared inside a transaction, one the server must be told a parameter's
 * type for (`? IS NULL`, a ?N skipped) and one that does not prepare at all: the transaction
 * goes on (a failed PREPARE would abort it on PostgreSQL). */
static void c_prepare_in_transaction(void)
{
    fresh_table();
    CHECK_INT(db_exec(conn, "BEGIN"), KW_OK);
    insert("a", 1);
    db_stmt *st = db_prepare(conn, "UPDATE t SET v = ?3 WHERE k = ?1 AND (?4 IS NULL OR v = ?4)");
    CHECK(st != NULL);
    if (st) {
        db_bind_text(st, 1, "a");
        db_bind_text(st, 2, "unused");
        db_bind_text(st, 3, "set");
        db_bind_null(st, 4);
        CHECK_INT(db_step(st), DB_DONE);
        CHECK_INT(db_changes(st), 1);
        db_reset(st);
    }
    CHECK(db_prepare(conn, "SELECT nothing FROM no_such_table") == NULL);
    insert("b", 2);
    CHECK(db_in_transaction(conn));
    CHECK_INT(db_exec(conn, "COMMIT"), KW_OK);
    CHECK_INT(scalar("SELECT COUNT(*) FROM t WHERE v = 'set'"), 1);
    CHECK_INT(scalar("SELECT COUNT(*) FROM t"), 2);
}

static void c_many_rows(void)
{
    fresh_table();
    enum { N = 5000 };
    CHECK_INT(db_exec(conn, "BEGIN"), KW_OK);
    db_stmt *ins = db_prepare(conn, "INSERT INTO t (n) VALUES (?)");
    for (int i = 0; i < N; i++) {
        db_bind_int64(ins, 1, i);
        CHECK_INT(db_step(ins), DB_DONE);
        db_reset(ins);
    }
    CHECK_INT(db_exec(conn, "COMMIT"), KW_OK);
    db_stmt *st = db_prepare(conn, "SELECT n FROM t ORDER BY n LIMIT ? OFFSET ?");
    db_bind_int64(st, 1, N);
    db_bind_int64(st, 2, 0);
    int64_t rows = 0, sum = 0, last = -1;
    bool ordered = true;
    while (db_step(st) == DB_ROW) {
        int64_t v = db_col_int64(st, 0);
        ordered = ordered && v == last + 1;
        last = v;
        sum += v;
        rows++;
    }
    db_reset(st);
    CHECK_INT(rows, N);
    CHECK_INT(sum, (int64_t)N * (N - 1) / 2);
    CHECK(ordered);
}

static void c_bad_statement(void)
{
    CHECK(db_prepare(conn, "SELEC 1 FROM nowhere") == NULL);
    CHECK_CONTAINS(db_errmsg(conn), "syntax error");
    CHECK(db_prepare(conn, "SELECT * FROM no_such_table") == NULL);
    CHECK_CONTAINS(db_errmsg(conn), "no_such_table");
    CHECK_INT(db_exec(conn, "CREATE TABLE"), KW_ERR_STORE);
    /* a failure at run time, then the connection still works */
    fresh_table();
    CHECK_INT(db_exec(conn, "CREATE TABLE u (k TEXT NOT NULL)"), KW_OK);
    db_stmt *st = db_prepare(conn, "INSERT INTO u (k) VALUES (?)");
    db_bind_null(st, 1);
    CHECK_INT(db_step(st), DB_ERROR);
    CHECK(strcasestr(db_errmsg(conn), "null") != NULL);
    db_reset(st);
    CHECK_INT(db_exec(conn, "DROP TABLE u"), KW_OK);
    CHECK_INT(scalar("SELECT 40 + 2"), 42);
}

static void c_statement_cache(void)
{
    fresh_table();
    insert("a", 10);
    insert("b", 20);
    const char *sql = "SELECT n FROM t WHERE k = ?";
    db_stmt *st = db_prepare(conn, sql);
    db_bind_text(st, 1, "a");
    CHECK_INT(db_step(st), DB_ROW);
    CHECK_INT(db_col_int64(st, 0), 10);
    db_stmt *again = db_prepare(conn, sql);     /* the same one, handed out reset */
    CHECK(again == st);
    CHECK_INT(db_step(again), DB_DONE);         /* its binding went: k = NULL matches nothing */
    db_reset(again);
    db_bind_text(again, 1, "b");
    CHECK_INT(db_step(again), DB_ROW);
    CHECK_INT(db_col_int64(again, 0), 20);
    db_reset_all(conn);
    CHECK(db_prepare(conn, "SELECT n FROM t WHERE k = ? ") != st);   /* another text, another one */
}

/* A writing transaction: what it wrote is there after COMMIT, gone after ROLLBACK; one with
 * nothing in it commits; a refused first statement fails, and ROLLBACK ends it. */
static void c_begin_write(void)
{
    fresh_table();
    CHECK_INT(db_begin_write(conn, 4242), KW_OK);
    CHECK(db_in_transaction(conn));
    CHECK(insert("w1", 1) > 0);
    CHECK_INT(db_exec(conn, "COMMIT"), KW_OK);
    CHECK(!db_in_transaction(conn));
    CHECK_INT(db_begin_write(conn, 4242), KW_OK);
    CHECK(insert("w2", 2) > 0);
    CHECK_INT(db_exec(conn, "ROLLBACK"), KW_OK);
    CHECK_INT(db_begin_write(conn, 4242), KW_OK);
    CHECK_INT(db_exec(conn, "COMMIT"), KW_OK);
    CHECK_INT(db_begin_write(conn, 4242), KW_OK);
    CHECK(insert("w1", 3) == -1); /* UNIQUE (k) */
    CHECK_INT(last_rc, DB_ERROR);
    CHECK_INT(db_exec(conn, "ROLLBACK"), KW_OK);
    CHECK(!db_in_transaction(conn));
    CHECK_INT(scalar("SELECT count(*) FROM t"), 1);
}

static void conformance(const char *name)
{
    fprintf(stderr, "-- %s\n", name);
    RUN(c_returning);
    RUN(c_on_conflict);
    RUN(c_nulls);
    RUN(c_int64);
    RUN(c_doubles);
    RUN(c_utf8);
    RUN(c_blobs);
    RUN(c_question_mark_literal);
    RUN(c_changes);
    RUN(c_transactions);
    RUN(c_begin_write);
    RUN(c_prepare_in_transaction);
    RUN(c_many_rows);
    RUN(c_bad_statement);
    RUN(c_statement_cache);
}

/* ---- PostgreSQL only ---- */

static const char *pg_url;

static void pg_bad_password(void)
{
    char url[512], err[512];
    const char *at = strrchr(pg_url, '@');
    snprintf(url, sizeof url, "postgresql://kwtest:Wr0ngSecret%s", at ? at : "@127.0.0.1/x");
    CHECK(db_open(url, false, err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "postgresql://kwtest:***@");
    CHECK(strstr(err, "Wr0ngSecret") == NULL);
    CHECK_CONTAINS(err, "password authentication failed");
}

/* The password from PGPASSFILE when the URL has none (the harness's URL:
 * postgresql://USER:PASSWORD@HOST:PORT/DB). */
static void pg_passfile(void)
{
    char user[64], pw[128], host[64], db[64], file[] = "/tmp/kw-test-pgpass-XXXXXX", url[256], err[512];
    int port = 0;
    CHECK_INT(sscanf(pg_url, "postgresql://%63[^:]:%127[^@]@%63[^:]:%d/%63s", user, pw, host, &port, db), 5);
    int fd = mkstemp(file);      /* mode 0600, as libpq wants */
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    FILE *f = fdopen(fd, "w");
    fprintf(f, "%s:%d:%s:%s:%s\n", host, port, db, user, pw);
    fclose(f);
    snprintf(url, sizeof url, "postgresql://%s@%s:%d/%s", user, host, port, db);
    setenv("PGPASSFILE", file, 1);
    db_conn *c = db_open(url, false, err, sizeof err);
    CHECK(c != NULL);
    db_close(c);
    unlink(file);                /* gone: the same URL is refused */
    c = db_open(url, false, err, sizeof err);
    CHECK(c == NULL);
    CHECK(strstr(err, pw) == NULL);
    db_close(c);
    unsetenv("PGPASSFILE");
}

static void pg_unreachable(void)
{
    char err[512];
    CHECK(db_open("postgresql://kw:TopSecret@127.0.0.1:1/kw?connect_timeout=3", false, err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "postgresql://kw:***@127.0.0.1:1/kw");
    CHECK(strstr(err, "TopSecret") == NULL);
}

/* Ends conn's server process from another connection; returns its old pid, or -1. */
static int64_t terminate(void)
{
    char err[512];
    db_conn *other = db_open(pg_url, false, err, sizeof err);
    CHECK(other != NULL);
    if (!other)
        return -1;
    int64_t pid = scalar("SELECT pg_backend_pid()");
    db_stmt *kill = db_prepare(other, "SELECT pg_terminate_backend(?)");
    db_bind_int64(kill, 1, pid);
    CHECK_INT(db_step(kill), DB_ROW);
    CHECK_INT(db_col_int64(kill, 0), 1);
    db_reset(kill);
    db_close(other);
    usleep(200 * 1000);
    return pid;
}

/* The server ends this connection: the next statement says DB_BUSY (try again), then works. */
static void pg_connection_lost(void)
{
    int64_t pid = terminate();
    db_stmt *st = db_prepare(conn, "SELECT COUNT(*) + ? FROM t");
    db_bind_int64(st, 1, 1);
    db_step_rc rc = st ? db_step(st) : DB_ERROR;
    CHECK_INT(rc, DB_BUSY);
    if (st)
        db_reset(st);
    /* retried: reconnected, the statement prepared again on the new connection */
    st = db_prepare(conn, "SELECT COUNT(*) + ? FROM t");
    db_bind_int64(st, 1, 1);
    CHECK_INT(st ? db_step(st) : DB_ERROR, DB_ROW);
    CHECK(scalar("SELECT pg_backend_pid()") != pid);
    if (st)
        db_reset(st);
}

/* Lost inside a transaction: nothing runs outside it by accident; COMMIT says it failed;
 * started again, it works. */
static void pg_transaction_lost(void)
{
    fresh_table();
    CHECK_INT(db_exec(conn, "BEGIN"), KW_OK);
    CHECK(insert("first", 1) > 0);
    terminate();
    CHECK(insert("second", 2) == -1);
    CHECK_INT(last_rc, DB_BUSY);
    CHECK(insert("third", 3) == -1);
    CHECK_INT(last_rc, DB_ERROR);                      /* the transaction is gone */
    CHECK_CONTAINS(db_errmsg(conn), "lost inside a transaction");
    CHECK_INT(db_exec(conn, "commit"), KW_ERR_TIMEOUT);
    CHECK_INT(scalar("SELECT COUNT(*) FROM t"), 0);
    CHECK_INT(db_exec(conn, "BEGIN"), KW_OK);
    CHECK(insert("again", 1) > 0);
    CHECK_INT(db_exec(conn, "COMMIT"), KW_OK);
    CHECK_INT(scalar("SELECT COUNT(*) FROM t"), 1);
}

/* Opens where, checks it is the backend kind, runs the conformance cases and then more
 * (when not NULL) on it. */
static void on_backend(const char *where, bool create, db_kind kind, const char *name, void (*more)(void))
{
    char err[512];
    conn = db_open(where, create, err, sizeof err);
    if (!conn)
        fprintf(stderr, "  cannot open the %s store: %s\n", name, err);
    CHECK(conn != NULL);
    if (!conn)
        return;
    CHECK_INT(db_backend(conn), kind);
    conformance(name);
    if (more)
        more();
    db_close(conn);
    conn = NULL;
}

/* A parameter index outside the statement's `?`s fails the run, not memory. */
static void pg_bind_range(void)
{
    db_stmt *st = db_prepare(conn, "SELECT ? + 1");
    db_bind_int64(st, 0, 1);
    db_bind_int64(st, 2, 1);
    CHECK_INT(db_step(st), DB_ERROR);
    CHECK_CONTAINS(db_errmsg(conn), "out of range");
    db_reset(st);
    db_bind_int64(st, 1, 41);
    CHECK_INT(db_step(st), DB_ROW);
    CHECK_INT(db_col_int64(st, 0), 42);
    db_reset(st);
}

/* The version stays while nobody commits, and moves when another connection does. */
static void pg_version(void)
{
    int64_t a[2], b[2], c[2];
    db_version(conn, a);
    db_version(conn, b);
    CHECK(a[0] == b[0] && a[1] == b[1]);
    char err[256];
    db_conn *other = db_open(pg_url, true, err, sizeof err);
    CHECK(other != NULL);
    if (!other)
        return;
    CHECK_INT(db_exec(other, "INSERT INTO t (k, n) VALUES ('version', 1)"), KW_OK);
    db_close(other);
    db_version(conn, c);
    CHECK(c[0] != b[0] || c[1] != b[1]);
}

/* Writes sent ahead (pipeline mode): seen by the next statement of the transaction and
 * committed with it; one refused ends the transaction, and its COMMIT says so. */
static void pg_ahead(void)
{
    db_stmt *ins = db_prepare(conn, "INSERT INTO t (k, n) VALUES (?, ?)");
    CHECK(ins != NULL);
    if (!ins)
        return;
    db_bind_text(ins, 1, "warm"); /* prepared and run once: only a prepared statement is sent ahead */
    db_bind_int64(ins, 2, 0);
    CHECK_INT(db_step(ins), DB_DONE);
    db_reset(ins);
    CHECK_INT(db_exec(conn, "BEGIN"), KW_OK);
    for (int i = 0; i < 3; i++) {
        char k[16];
        snprintf(k, sizeof k, "ahead%d", i);
        db_bind_text(ins, 1, k);
        db_bind_int64(ins, 2, i);
        CHECK_INT(db_step_ahead(ins), DB_DONE);
        db_reset(ins);
    }
    CHECK_INT(scalar("SELECT count(*) FROM t WHERE k LIKE 'ahead%'"), 3); /* read behind them */
    db_bind_text(ins, 1, "ahead3");
    db_bind_int64(ins, 2, 3);
    CHECK_INT(db_step_ahead(ins), DB_DONE);
    db_reset(ins);
    CHECK_INT(db_exec(conn, "COMMIT"), KW_OK); /* the last one goes with the COMMIT */
    CHECK_INT(scalar("SELECT count(*) FROM t WHERE k LIKE 'ahead%'"), 4);
    CHECK_INT(db_exec(conn, "BEGIN"), KW_OK);
    db_bind_text(ins, 1, "ahead9");
    db_bind_int64(ins, 2, 9);
    CHECK_INT(db_step_ahead(ins), DB_DONE);
    db_reset(ins);
    db_bind_text(ins, 1, "ahead0"); /* taken: UNIQUE (k) */
    db_bind_int64(ins, 2, 0);
    CHECK_INT(db_step_ahead(ins), DB_DONE);
    db_reset(ins);
    CHECK(db_exec(conn, "COMMIT") != KW_OK);
    CHECK_INT(db_exec(conn, "ROLLBACK"), KW_OK);
    CHECK_INT(scalar("SELECT count(*) FROM t WHERE k = 'ahead9'"), 0); /* all or nothing */
    CHECK_INT(scalar("SELECT count(*) FROM t WHERE k LIKE 'ahead%'"), 4);
}

/* Whether another connection could take advisory lock key now (and let it go again). */
static bool lock_free(int64_t key)
{
    char err[512];
    db_conn *other = db_open(pg_url, false, err, sizeof err);
    CHECK(other != NULL);
    if (!other)
        return false;
    db_stmt *st = db_prepare(other, "SELECT pg_try_advisory_lock(?)");
    db_bind_int64(st, 1, key);
    bool got = st && db_step(st) == DB_ROW && db_col_int64(st, 0) == 1;
    if (st)
        db_reset(st);
    db_close(other); /* a session lock goes with its connection */
    return got;
}

/* db_begin_write's lock is held from the transaction's first statement to its end. */
static void pg_begin_write_lock(void)
{
    fresh_table();
    CHECK(lock_free(4343));
    CHECK_INT(db_begin_write(conn, 4343), KW_OK);
    CHECK(insert("locked", 1) > 0);
    CHECK(!lock_free(4343));
    CHECK_INT(db_exec(conn, "COMMIT"), KW_OK);
    CHECK(lock_free(4343));
    CHECK_INT(db_begin_write(conn, 4343), KW_OK);
    CHECK_INT(scalar("SELECT count(*) FROM t"), 1); /* a read first */
    CHECK(!lock_free(4343));
    CHECK_INT(db_exec(conn, "ROLLBACK"), KW_OK);
    CHECK(lock_free(4343));
}

/* The connection lost since the last command: db_begin_write's transaction is begun again on
 * a new one, whether its first statement was prepared on the old connection or is new. */
static void pg_begin_write_lost(void)
{
    fresh_table();
    CHECK(insert("before", 1) > 0);
    int64_t pid = terminate();
    CHECK_INT(db_begin_write(conn, 4343), KW_OK);
    CHECK(insert("after", 2) > 0); /* prepared before */
    CHECK_INT(db_exec(conn, "COMMIT"), KW_OK);
    CHECK(scalar("SELECT pg_backend_pid()") != pid);
    pid = terminate();
    CHECK_INT(db_begin_write(conn, 4343), KW_OK);
    CHECK_INT(scalar("SELECT count(*) + 40 FROM t"), 42); /* never prepared */
    CHECK(!lock_free(4343));
    CHECK_INT(db_exec(conn, "COMMIT"), KW_OK);
    CHECK(scalar("SELECT pg_backend_pid()") != pid);
    CHECK_INT(scalar("SELECT count(*) FROM t"), 2);
}

static void pg_only(void)
{
    RUN(pg_ahead);
    RUN(pg_version);
    RUN(pg_bind_range);
    RUN(pg_bad_password);
    RUN(pg_passfile);
    RUN(pg_unreachable);
    RUN(pg_connection_lost);
    RUN(pg_transaction_lost);
    RUN(pg_begin_write_lock);
    RUN(pg_begin_write_lost);
}

int main(void)
{
    RUN(test_mask_userinfo);
    RUN(test_mask_param);
    RUN(test_mask_bounds);
    char path[] = "/tmp/kw-test-store-db-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    on_backend(path, true, DB_SQLITE, "sqlite", NULL);
    unlink(path);
    pg_url = getenv("KW_TEST_PG_URL");
    if (pg_url && *pg_url)
        on_backend(pg_url, false, DB_POSTGRES, "postgresql", pg_only);
    else
        fprintf(stderr, "-- postgresql: skipped (KW_TEST_PG_URL unset; integ test_store_db_pg sets it)\n");
    TEST_MAIN_END();
}
