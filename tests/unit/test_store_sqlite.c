/* store_db.h over SQLite: values in and out (NULL, text, blob, reals), the statement cache,
 * RETURNING ids and changed rows, constraints, transactions, a read-only connection, the
 * version that moves with a commit by another connection, and the 0600 file; through the
 * store, the peak an alert keeps when it fires again (SQL rewritten off SQLite's max()). */
#include "kw_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store.h"
#include "store/store_db.h"

static char tmpdir[64];

static db_conn *open_at(const char *name, bool create)
{
    char path[128], err[256] = "";
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    db_conn *c = db_open(path, create, err, sizeof err);
    if (!c)
        fprintf(stderr, "db_open: %s\n", err);
    return c;
}

static void test_values(void)
{
    db_conn *c = open_at("values.db", true);
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK(db_backend(c) == DB_SQLITE);
    CHECK_INT(db_exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, r REAL, s TEXT, b BLOB)"), KW_OK);
    db_stmt *ins = db_prepare(c, "INSERT INTO t (n, r, s, b) VALUES (?, ?, ?, ?) RETURNING id");
    CHECK(ins != NULL);
    db_bind_int64(ins, 1, INT64_MIN);
    db_bind_double(ins, 2, 2.5);
    db_bind_text(ins, 3, "h\xc3\xa9");
    db_bind_blob(ins, 4, "a\0b", 3);
    CHECK(db_step(ins) == DB_ROW);
    CHECK_INT(db_col_int64(ins, 0), 1);
    CHECK(db_step(ins) == DB_DONE);
    CHECK_INT(db_changes(ins), 1);
    /* the same text gives the cached statement back, reset and with no bindings */
    CHECK(db_prepare(c, "INSERT INTO t (n, r, s, b) VALUES (?, ?, ?, ?) RETURNING id") == ins);
    CHECK(db_step(ins) == DB_ROW);
    CHECK_INT(db_col_int64(ins, 0), 2);
    db_reset(ins);
    db_stmt *q = db_prepare(c, "SELECT n, r, s, b FROM t ORDER BY id");
    CHECK(db_step(q) == DB_ROW);
    CHECK(db_col_int64(q, 0) == INT64_MIN);
    CHECK_NEAR(db_col_double(q, 1), 2.5, 1e-12);
    CHECK_STR(db_col_text(q, 2), "h\xc3\xa9");
    size_t n = 0;
    const char *b = db_col_blob(q, 3, &n);
    CHECK_INT(n, 3);
    CHECK(b && memcmp(b, "a\0b", 3) == 0);
    CHECK(!db_col_null(q, 0));
    CHECK(db_step(q) == DB_ROW); /* the row inserted with bindings cleared: all NULL */
    CHECK(db_col_null(q, 0) && db_col_null(q, 2));
    CHECK_INT(db_col_int64(q, 0), 0);
    CHECK(db_col_text(q, 2) == NULL);
    CHECK(db_step(q) == DB_DONE);
    db_reset(q);
    db_stmt *u = db_prepare(c, "UPDATE t SET n = ?1 + ?1 WHERE id >= ?2");
    db_bind_int64(u, 1, 21);
    db_bind_int64(u, 2, 1);
    CHECK(db_step(u) == DB_DONE);
    CHECK_INT(db_changes(u), 2);
    db_reset(u);
    q = db_prepare(c, "SELECT sum(n) FROM t");
    CHECK(db_step(q) == DB_ROW);
    CHECK_INT(db_col_int64(q, 0), 84);
    db_reset(q);
    CHECK(db_prepare(c, "SELECT nope FROM t") == NULL);
    CHECK_CONTAINS(db_errmsg(c), "nope");
    CHECK_INT(db_exec(c, "INSERT INTO nowhere VALUES (1)"), KW_ERR_STORE);
    CHECK_CONTAINS(db_errmsg(c), "nowhere");
    db_close(c);
}

static void test_constraints_and_transactions(void)
{
    db_conn *c = open_at("tx.db", true);
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK_INT(db_exec(c, "CREATE TABLE u (name TEXT NOT NULL UNIQUE)"), KW_OK);
    db_stmt *ins = db_prepare(c, "INSERT INTO u (name) VALUES (?)");
    db_bind_text(ins, 1, "ada");
    CHECK(db_step(ins) == DB_DONE);
    CHECK(!db_constraint_failed(c));
    db_reset(ins);
    db_bind_text(ins, 1, "ada");
    CHECK(db_step(ins) == DB_ERROR);
    db_reset(ins); /* still known after the reset, as store_user.c reads it */
    CHECK(db_constraint_failed(c));
    /* ON CONFLICT ... DO NOTHING: no error, no change */
    db_stmt *up = db_prepare(c, "INSERT INTO u (name) VALUES (?) ON CONFLICT (name) DO NOTHING");
    db_bind_text(up, 1, "ada");
    CHECK(db_step(up) == DB_DONE);
    CHECK_INT(db_changes(up), 0);
    db_reset(up);
    CHECK(!db_in_transaction(c));
    CHECK_INT(db_exec(c, "BEGIN IMMEDIATE"), KW_OK);
    CHECK(db_in_transaction(c));
    db_bind_text(ins, 1, "bob");
    CHECK(db_step(ins) == DB_DONE);
    db_reset(ins);
    CHECK_INT(db_exec(c, "ROLLBACK"), KW_OK);
    CHECK(!db_in_transaction(c));
    db_stmt *q = db_prepare(c, "SELECT count(*) FROM u");
    CHECK(db_step(q) == DB_ROW);
    CHECK_INT(db_col_int64(q, 0), 1);
    db_close(c);
}

static void test_readonly_and_version(void)
{
    db_conn *w = open_at("ro.db", true);
    CHECK(w != NULL);
    if (!w)
        return;
    CHECK_INT(db_exec(w, "CREATE TABLE k (v INTEGER)"), KW_OK);
    db_conn *r = open_at("ro.db", false);
    CHECK(r != NULL);
    if (!r) {
        db_close(w);
        return;
    }
    CHECK_INT(db_exec(r, "INSERT INTO k VALUES (1)"), KW_ERR_STORE);
    int64_t a[2], b[2];
    db_version(r, a);
    db_version(r, b);
    CHECK(a[0] == b[0] && a[1] == b[1]);
    CHECK_INT(db_exec(w, "INSERT INTO k VALUES (2)"), KW_OK);
    db_version(r, b);
    CHECK(a[0] != b[0]); /* the other connection's commit shows */
    db_stmt *q = db_prepare(r, "SELECT v FROM k");
    CHECK(db_step(q) == DB_ROW);
    CHECK_INT(db_col_int64(q, 0), 2);
    db_reset_all(r);
    db_close(r);
    db_close(w);
    char path[128];
    snprintf(path, sizeof path, "%s/ro.db", tmpdir);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
    char err[256] = "";
    snprintf(path, sizeof path, "%s/missing/x.db", tmpdir);
    CHECK(db_open(path, true, err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "missing/x.db");
}

/* One engine act on the alert (FIRE writes its new id into *id). */
static kw_rc act(kw_store *s, alert_act_kind kind, int64_t *id, double value, int64_t at_ms)
{
    alert_act a = {.kind = kind, .alert_id = *id, .value = value, .peak = value, .threshold = 0.8, .at_ms = at_ms,
                   .started_ms = 1000, .severity = 2, .reason = "cleared"};
    snprintf(a.fingerprint, sizeof a.fingerprint, "00000000000000aa");
    a.rule = "cpu_high";
    a.labels_json = "{}";
    a.summary = "cpu high";
    kw_rc rc = store_alert_apply(s, &a);
    *id = a.alert_id;
    return rc;
}

static void check_peak(kw_store *s, int64_t id, const char *want)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    CHECK(store_alert_get_json(s, id, &b) == KW_OK);
    CHECK_CONTAINS(kw_buf_cstr(&b), want);
    kw_buf_free(&b);
}

static void test_reopen_keeps_peak(void)
{
    char path[128], err[256] = "";
    snprintf(path, sizeof path, "%s/alerts.db", tmpdir);
    kw_store *s = store_open(path, false, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    int64_t id = 0;
    CHECK_INT(act(s, ALERT_ACT_FIRE, &id, 0.85, 1000), KW_OK);
    CHECK_INT(id, 1);
    CHECK_INT(act(s, ALERT_ACT_RESOLVE, &id, 0.1, 2000), KW_OK);
    CHECK_INT(act(s, ALERT_ACT_REOPEN, &id, 0.95, 3000), KW_OK); /* higher: the new peak */
    check_peak(s, id, "\"peak\":0.95");
    check_peak(s, id, "\"flaps\":1");
    CHECK_INT(act(s, ALERT_ACT_RESOLVE, &id, 0.1, 4000), KW_OK);
    CHECK_INT(act(s, ALERT_ACT_REOPEN, &id, 0.9, 5000), KW_OK); /* lower: the peak stays */
    check_peak(s, id, "\"peak\":0.95");
    check_peak(s, id, "\"value\":0.9,");
    CHECK_INT(act(s, ALERT_ACT_REOPEN, &id, 0.9, 6000), KW_ERR_NOTFOUND); /* not resolved */
    store_close(s);
}

/* A module's tables: each step once, in order, remembered across opens; a failed step is
 * rolled back with its version; a store from a newer keepwatch is refused. */
static void test_module_migrations(void)
{
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/parts.db", tmpdir);
    kw_store *s = store_open(path, false, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    const store_migration v1[] = {{"CREATE TABLE demo (id INTEGER PRIMARY KEY, name TEXT);", NULL}};
    CHECK_INT(store_migrate_part(s, "demo", v1, 1), KW_OK);
    CHECK_INT(store_query_int(s, "SELECT version FROM keepwatch_schema WHERE part = ?", "demo"), 1);
    CHECK_INT(store_migrate_part(s, "demo", v1, 1), KW_OK); /* nothing to do: not run twice */
    const store_migration v3[] = {v1[0], {"ALTER TABLE demo ADD COLUMN seen INTEGER;", NULL},
                                  {"INSERT INTO demo (name) VALUES ('x'); ALTER TABLE nope ADD COLUMN y INTEGER;", NULL}};
    CHECK(store_migrate_part(s, "demo", v3, 3) != KW_OK);
    CHECK_INT(store_query_int(s, "SELECT version FROM keepwatch_schema WHERE part = ?", "demo"), 2);
    CHECK_INT(store_query_int(s, "SELECT count(*) FROM demo", NULL), 0); /* step 3 rolled back whole */
    store_close(s);
    s = store_open(path, false, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_INT(store_query_int(s, "SELECT count(*) FROM pragma_table_info('demo') WHERE name = 'seen'", NULL), 1);
    CHECK_INT(store_migrate_part(s, "demo", v1, 1), KW_ERR_RANGE); /* an older keepwatch */
    CHECK(strstr(store_errmsg(s), "newer keepwatch") != NULL);
    CHECK_INT(store_query_int(s, "PRAGMA user_version", NULL), 9); /* the store's own stay where they are */
    store_close(s);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kw-test-store-db-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    RUN(test_values);
    RUN(test_constraints_and_transactions);
    RUN(test_readonly_and_version);
    RUN(test_reopen_keeps_peak);
    RUN(test_module_migrations);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    TEST_MAIN_END();
}
