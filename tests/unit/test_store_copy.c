/* store_copy.c on SQLite files: every table's rows arrive with their values (NULLs, reals,
 * UTF-8, more rows than one batch), a non-empty target is refused naming the table, a failure
 * half-way leaves the target as it was, a source with a table the copy does not know or at
 * another schema version is refused, and the progress is told per table. The copy into
 * PostgreSQL is tests/integ/test_store_migrate.py's. */
#include "kw_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_copy.h"
#include "store/store_int.h"

static char tmpdir[64];
static int seq;

/* A new store file in tmpdir, migrated to the current schema. */
static kw_store *fresh(char path[128])
{
    char err[256] = "";
    snprintf(path, 128, "%s/s%d.db", tmpdir, ++seq);
    kw_store *s = store_open(path, false, err, sizeof err);
    if (!s)
        fprintf(stderr, "store_open: %s\n", err);
    return s;
}

static const char *const fill_sql =
    "INSERT INTO alerts (id, fingerprint, rule, state, severity, summary, labels, details, value, peak,"
    "  threshold, started_at, updated_at, acked_at, acked_by, ack_note, assignee)"
    "  VALUES (7, 'fp7', 'cpu', 'acked', 3, '数据库 CPU 98%', '{\"host\":\"db01\"}', NULL, 0.125, 98.5, 90,"
    "  1000, 2000, 1500, 'wang.fang', 'on it', 'li.na');"
    "INSERT INTO alerts (id, fingerprint, rule, state, severity, summary, labels, started_at, updated_at)"
    "  VALUES (9, 'fp9', 'disk', 'firing', 2, 'disk', '{}', 3000, 3000);"
    "INSERT INTO alert_history (alert_id, at, action, actor, note, value) VALUES (7, 1000, 'fired', NULL, NULL, 98.5),"
    "  (7, 1500, 'acknowledged', 'wang.fang', 'on it', NULL), (9, 3000, 'fired', NULL, NULL, 1e-300);"
    "INSERT INTO log_offsets (key, dev, ino, \"offset\", cursor, updated_ms) VALUES ('/var/log/auth.log', 2049,"
    "  -5, 123456789012, NULL, 7);"
    "INSERT INTO meta (key, value) VALUES ('duty_head', '0:'), ('x', NULL);"
    "INSERT INTO metric_series (id, name, labels) VALUES (3, 'cpu_usage', '{}');"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1234)"
    "  INSERT INTO metric_raw (series, ts, value) SELECT 3, i * 1000, i / 7.0 FROM n;";

static kw_store *filled_source(char path[128])
{
    kw_store *s = fresh(path);
    if (!s)
        return NULL;
    CHECK_INT(store_exec(s, fill_sql), KW_OK);
    store_user u = {.role = ROLE_OFFICER};
    snprintf(u.name, sizeof u.name, "wang.fang");
    snprintf(u.display, sizeof u.display, "王芳");
    snprintf(u.pw_hash, sizeof u.pw_hash, "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA");
    CHECK_INT(store_user_add(s, &u, 5000), KW_OK);
    return s;
}

/* A filled source and an empty target; false (a failed check) if either cannot be made. */
static bool pair(kw_store **src, kw_store **dst)
{
    char ps[128], pt[128];
    *src = filled_source(ps);
    *dst = fresh(pt);
    CHECK(*src && *dst);
    if (*src && *dst)
        return true;
    store_close(*src);
    store_close(*dst);
    return false;
}

typedef struct seen {
    int tables, batches;
    int64_t rows, raw_total;
} seen;

static void progress(void *arg, const char *table, int64_t copied, int64_t total)
{
    seen *x = arg;
    if (copied < total) {
        x->batches++;
        return;
    }
    x->tables++;
    x->rows += total;
    if (!strcmp(table, "metric_raw"))
        x->raw_total = total;
}

static int64_t rows_of(kw_store *s, const char *table)
{
    int64_t n = -1;
    CHECK_INT(store_table_rows(s, table, &n), KW_OK);
    return n;
}

/* Whether the two stores hold the same rows in table (compared as text, row by row). */
static bool same_rows(kw_store *a, kw_store *b, const char *table, const char *order)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY %s", table, order);
    db_stmt *x = store_stmt(a, sql), *y = store_stmt(b, sql);
    if (!x || !y)
        return false;
    bool same = true;
    db_step_rc rx, ry;
    while (same && (rx = db_step(x)) == DB_ROW && (ry = db_step(y)) == DB_ROW)
        for (int c = 0; same && c < 24; c++) {
            const char *tx = db_col_text(x, c), *ty = db_col_text(y, c);
            same = (!tx && !ty) || (tx && ty && !strcmp(tx, ty));
        }
    if (same)
        same = rx == DB_DONE && db_step(y) == DB_DONE;
    db_reset(x);
    db_reset(y);
    return same;
}

static void test_copies_every_row(void)
{
    char err[512];
    kw_store *src, *dst;
    if (!pair(&src, &dst))
        return;
    seen x = {0};
    CHECK_INT(store_copy(src, dst, progress, &x, err, sizeof err), KW_OK);
    CHECK_STR(err, "");
    int ntables = 0;
    for (size_t i = 0; store_copy_tables[i]; i++, ntables++)
        CHECK_INT(rows_of(dst, store_copy_tables[i]), rows_of(src, store_copy_tables[i]));
    CHECK_INT(x.tables, ntables);
    CHECK_INT(x.raw_total, 1234);
    CHECK_INT(rows_of(dst, "metric_raw"), 1234);
    CHECK(x.batches >= 3); /* 1234 rows of 3 columns: batches of 333 and a tail */
    CHECK_INT(x.rows, 2 + 3 + 1 + 2 + 1 + 1234 + 1);
    CHECK(same_rows(src, dst, "alerts", "id"));
    CHECK(same_rows(src, dst, "alert_history", "id"));
    CHECK(same_rows(src, dst, "metric_raw", "series, ts"));
    CHECK(same_rows(src, dst, "log_offsets", "key"));
    CHECK(same_rows(src, dst, "meta", "key"));
    CHECK(same_rows(src, dst, "users", "id"));
    CHECK_INT(store_query_int(dst, "SELECT \"offset\" FROM log_offsets", NULL), 123456789012LL);
    CHECK_INT(store_query_int(dst, "SELECT count(*) FROM alerts WHERE details IS NULL AND id = 7", NULL), 1);
    CHECK_INT(store_query_int(dst, "SELECT count(*) FROM alert_history WHERE value = 1e-300", NULL), 1);
    CHECK_INT(store_query_int(dst, "SELECT count(*) FROM alerts WHERE summary = '数据库 CPU 98%'", NULL), 1);
    /* the copied store is one to work with: a new alert gets an id past the copied ones */
    CHECK_INT(store_exec(dst, "INSERT INTO alerts (fingerprint, rule, state, severity, summary, labels, started_at,"
                              " updated_at) VALUES ('n', 'r', 'firing', 1, 's', '{}', 1, 1)"), KW_OK);
    CHECK_INT(store_query_int(dst, "SELECT max(id) FROM alerts", NULL), 10);
    /* the same copy again is refused, naming the first table that holds rows; nothing changed */
    CHECK_INT(store_copy(src, dst, NULL, NULL, err, sizeof err), KW_ERR_RANGE);
    CHECK_CONTAINS(err, "table alerts holds 3 rows");
    CHECK_INT(rows_of(dst, "metric_raw"), 1234);
    store_close(src);
    store_close(dst);
}

static void test_failure_leaves_target_empty(void)
{
    char err[512];
    kw_store *src, *dst;
    if (!pair(&src, &dst))
        return;
    /* users come after alerts and metrics: the copy fails there, after writing those */
    CHECK_INT(store_exec(dst, "CREATE TRIGGER no_users BEFORE INSERT ON users BEGIN SELECT RAISE(ABORT, 'refused"
                              " by the test'); END"), KW_OK);
    CHECK_INT(store_copy(src, dst, NULL, NULL, err, sizeof err), KW_ERR_STORE);
    CHECK_CONTAINS(err, "copying users");
    CHECK_CONTAINS(err, "refused by the test");
    for (size_t i = 0; store_copy_tables[i]; i++)
        CHECK_INT(rows_of(dst, store_copy_tables[i]), 0);
    CHECK(!db_in_transaction(dst->db));
    CHECK(!db_in_transaction(src->db));
    store_close(src);
    store_close(dst);
}

static void test_refuses_unknown_source(void)
{
    char err[512];
    kw_store *src, *dst;
    if (!pair(&src, &dst))
        return;
    CHECK_INT(store_exec(src, "CREATE TABLE scan_jobs (id INTEGER PRIMARY KEY)"), KW_OK);
    CHECK_INT(store_copy(src, dst, NULL, NULL, err, sizeof err), KW_ERR_UNSUPPORTED);
    CHECK_CONTAINS(err, "scan_jobs");
    CHECK_INT(store_exec(src, "DROP TABLE scan_jobs; PRAGMA user_version = 7"), KW_OK);
    CHECK_INT(store_schema_version(src), 7);
    CHECK_INT(store_copy(src, dst, NULL, NULL, err, sizeof err), KW_ERR_RANGE);
    CHECK_CONTAINS(err, "schema 7");
    CHECK_INT(rows_of(dst, "alerts"), 0);
    CHECK_STR(store_backend_name(dst), "sqlite");
    int64_t n = 0;
    CHECK_INT(store_table_rows(dst, "sqlite_master", &n), KW_ERR_NOTFOUND);
    store_close(src);
    store_close(dst);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kw-copy-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    RUN(test_copies_every_row);
    RUN(test_failure_leaves_target_empty);
    RUN(test_refuses_unknown_source);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    TEST_MAIN_END();
}
