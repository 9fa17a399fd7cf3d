/* store_copy.c: a whole store copied into another (keepwatch store migrate): the store's tables
 * in the order their references need, each with the columns the source declares, read in one
 * snapshot and written several rows per INSERT in one transaction on the target, then the
 * target's identity sequences moved past the ids copied. Also what keepwatch store info
 * shows: the rows per table, the schema version, the backend. */
#include "store/store_copy.h"
#include "store/store_int.h"
#include "core/kw_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *const store_copy_tables[] = {
    "alerts",   "alert_history",    "metric_series", "metric_raw",     "metric_1m",      "metric_1h",
    "meta",     "log_offsets",      "duty_log",      "duty_checkpoints", "notify_groups", "notify_members",
    "notify_outbox", "silences",    "users",         "sessions",       "api_tokens",     NULL,
};

/* Tables of the source that are not copied: the schema versions (the target has its own), and
 * the servers sharing a store and their leader (the target's own servers fill them in). */
static const char *const copy_skipped[] = {"keepwatch_schema", "keepwatch_servers", "keepwatch_leader", NULL};

enum {
    COPY_MAX_COLS = 64,
    COPY_NAME_MAX = 64,
    COPY_MAX_PARAMS = 1000, /* store_db_pg.c refuses more `?` in one statement */
    COPY_MAX_BATCH = 500,   /* rows per INSERT at most */
};

typedef struct copy_table {
    const char *name;
    int ncols;
    char cols[COPY_MAX_COLS][COPY_NAME_MAX];
    char types[COPY_MAX_COLS]; /* 'i' integer, 'r' real, 't' text */
    bool has_id;
} copy_table;

typedef struct copy_run {
    kw_store *from, *to;
    store_copy_progress progress;
    void *arg;
    char *err;
    size_t errn;
    kw_buf sql;
} copy_run;

static kw_rc fail(copy_run *r, kw_rc rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static kw_rc fail(copy_run *r, kw_rc rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, r->errn, fmt, ap);
    va_end(ap);
    return rc;
}

static bool listed(const char *const *list, const char *name)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(list[i], name))
            return true;
    return false;
}

/* Whether the declared type decl contains word, in any case. */
static bool type_has(const char *decl, const char *word)
{
    size_t n = strlen(word);
    for (; *decl; decl++)
        if (strncasecmp(decl, word, n) == 0)
            return true;
    return false;
}

/* SQLite's type affinity of a declared type, as the copy binds it. */
static char col_type(const char *decl)
{
    if (type_has(decl, "INT"))
        return 'i';
    if (type_has(decl, "REAL") || type_has(decl, "FLOA") || type_has(decl, "DOUB"))
        return 'r';
    return 't';
}

/* Appends ident as a quoted SQL identifier. */
static void put_ident(kw_buf *b, const char *ident)
{
    kw_buf_putc(b, '"');
    for (; *ident; ident++) {
        if (*ident == '"')
            kw_buf_putc(b, '"');
        kw_buf_putc(b, *ident);
    }
    kw_buf_putc(b, '"');
}

/* The table's columns as the source declares them. */
static kw_rc table_columns(copy_run *r, copy_table *t)
{
    db_stmt *st = store_stmt(r->from, "SELECT name, type FROM pragma_table_info(?) ORDER BY cid");
    if (!st)
        return fail(r, KW_ERR_STORE, "reading the source's tables: %s", store_errmsg(r->from));
    db_bind_text(st, 1, t->name);
    db_step_rc rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *name = db_col_text(st, 0), *decl = db_col_text(st, 1);
        if (t->ncols == COPY_MAX_COLS || !name || strlen(name) >= COPY_NAME_MAX) {
            db_reset(st);
            return fail(r, KW_ERR_UNSUPPORTED, "the source's table %s has a column this copy cannot take", t->name);
        }
        snprintf(t->cols[t->ncols], COPY_NAME_MAX, "%s", name);
        t->types[t->ncols++] = col_type(decl ? decl : "");
        t->has_id = t->has_id || !strcmp(name, "id");
    }
    db_reset(st);
    if (rc != DB_DONE)
        return fail(r, KW_ERR_STORE, "reading the source's table %s: %s", t->name, store_errmsg(r->from));
    if (!t->ncols)
        return fail(r, KW_ERR_UNSUPPORTED, "the source has no table %s (is it a keepwatch store?)", t->name);
    return KW_OK;
}

static void put_columns(kw_buf *b, const copy_table *t)
{
    for (int i = 0; i < t->ncols; i++) {
        if (i)
            kw_buf_puts(b, ", ");
        put_ident(b, t->cols[i]);
    }
}

static void select_sql(kw_buf *b, const copy_table *t)
{
    kw_buf_reset(b);
    kw_buf_puts(b, "SELECT ");
    put_columns(b, t);
    kw_buf_puts(b, " FROM ");
    put_ident(b, t->name);
}

/* INSERT INTO t (cols) VALUES (?, ...), ... for `rows` rows. */
static void insert_sql(kw_buf *b, const copy_table *t, int rows)
{
    kw_buf_reset(b);
    kw_buf_puts(b, "INSERT INTO ");
    put_ident(b, t->name);
    kw_buf_puts(b, " (");
    put_columns(b, t);
    kw_buf_puts(b, ") VALUES ");
    for (int r = 0; r < rows; r++) {
        kw_buf_puts(b, r ? ", (" : "(");
        for (int i = 0; i < t->ncols; i++)
            kw_buf_puts(b, i ? ", ?" : "?");
        kw_buf_putc(b, ')');
    }
}

/* Binds column col of the source's current row to parameter param of dst. */
static void bind_value(db_stmt *src, int col, char type, db_stmt *dst, int param)
{
    if (db_col_null(src, col))
        db_bind_null(dst, param);
    else if (type == 'i')
        db_bind_int64(dst, param, db_col_int64(src, col));
    else if (type == 'r')
        db_bind_double(dst, param, db_col_double(src, col));
    else
        db_bind_text(dst, param, db_col_text(src, col));
}

/* One INSERT of the next `rows` rows of src. */
static kw_rc copy_batch(copy_run *r, const copy_table *t, db_stmt *src, int rows)
{
    insert_sql(&r->sql, t, rows);
    if (r->sql.overflow)
        return fail(r, KW_ERR_FULL, "copying %s: the statement is too long", t->name);
    db_stmt *ins = store_stmt(r->to, kw_buf_cstr(&r->sql));
    if (!ins)
        return fail(r, KW_ERR_STORE, "copying %s: %s", t->name, store_errmsg(r->to));
    for (int i = 0; i < rows; i++) {
        if (db_step(src) != DB_ROW)
            return fail(r, KW_ERR_STORE, "reading %s from the source: %s", t->name, store_errmsg(r->from));
        for (int c = 0; c < t->ncols; c++)
            bind_value(src, c, t->types[c], ins, i * t->ncols + c + 1);
    }
    kw_rc rc = store_step_done(r->to, ins);
    db_reset(ins);
    return rc == KW_OK ? KW_OK : fail(r, rc, "copying %s: %s", t->name, store_errmsg(r->to));
}

/* The table's `total` rows, batch by batch. */
static kw_rc copy_rows(copy_run *r, const copy_table *t, int64_t total)
{
    select_sql(&r->sql, t);
    db_stmt *src = store_stmt(r->from, kw_buf_cstr(&r->sql));
    if (!src)
        return fail(r, KW_ERR_STORE, "reading %s from the source: %s", t->name, store_errmsg(r->from));
    int batch = COPY_MAX_PARAMS / t->ncols;
    batch = batch < 1 ? 1 : batch > COPY_MAX_BATCH ? COPY_MAX_BATCH : batch;
    kw_rc rc = KW_OK;
    for (int64_t done = 0; rc == KW_OK && done < total;) {
        int rows = total - done < batch ? (int)(total - done) : batch;
        rc = copy_batch(r, t, src, rows);
        done += rows;
        if (rc == KW_OK && r->progress)
            r->progress(r->arg, t->name, done, total);
    }
    if (rc == KW_OK && db_step(src) != DB_DONE) /* one snapshot: the count cannot have moved */
        rc = fail(r, KW_ERR_STORE, "reading %s from the source: more rows than counted", t->name);
    db_reset(src);
    return rc;
}

/* PostgreSQL: the id of the next row made in t comes after those copied. A column without a
 * sequence (pg_get_serial_sequence NULL) or an empty table (max NULL) is left alone: setval
 * is strict. */
static kw_rc sequence_set(copy_run *r, const copy_table *t)
{
    if (!t->has_id || db_backend(r->to->db) != DB_POSTGRES)
        return KW_OK;
    kw_buf_reset(&r->sql);
    kw_buf_puts(&r->sql, "SELECT setval(pg_get_serial_sequence(?, 'id'), max(\"id\")) FROM ");
    put_ident(&r->sql, t->name);
    db_stmt *st = store_stmt(r->to, kw_buf_cstr(&r->sql));
    if (!st)
        return fail(r, KW_ERR_STORE, "the sequence of %s: %s", t->name, store_errmsg(r->to));
    db_bind_text(st, 1, t->name);
    kw_rc rc = store_step_done(r->to, st);
    db_reset(st);
    return rc == KW_OK ? KW_OK : fail(r, rc, "the sequence of %s: %s", t->name, store_errmsg(r->to));
}

static kw_rc copy_one(copy_run *r, const char *name)
{
    copy_table t = {.name = name};
    int64_t total = 0;
    kw_rc rc = table_columns(r, &t);
    if (rc == KW_OK && store_table_rows(r->from, name, &total) != KW_OK)
        rc = fail(r, KW_ERR_STORE, "counting %s in the source: %s", name, store_errmsg(r->from));
    if (rc == KW_OK)
        rc = copy_rows(r, &t, total);
    if (rc == KW_OK && !total && r->progress)
        r->progress(r->arg, name, 0, 0);
    return rc == KW_OK ? sequence_set(r, &t) : rc;
}

/* Every table of the source is one the copy knows (a module's tables would be lost). */
static kw_rc source_known(copy_run *r)
{
    db_stmt *st = store_stmt(r->from, "SELECT name FROM sqlite_master WHERE type = 'table'"
                                      " AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name");
    if (!st)
        return fail(r, KW_ERR_STORE, "reading the source's tables: %s", store_errmsg(r->from));
    kw_rc rc = KW_OK;
    db_step_rc step;
    while (rc == KW_OK && (step = db_step(st)) == DB_ROW) {
        const char *name = db_col_text(st, 0);
        if (name && !listed(store_copy_tables, name) && !listed(copy_skipped, name))
            rc = fail(r, KW_ERR_UNSUPPORTED, "the source holds a table this keepwatch does not copy: %s", name);
    }
    if (rc == KW_OK && step != DB_DONE)
        rc = fail(r, KW_ERR_STORE, "reading the source's tables: %s", store_errmsg(r->from));
    db_reset(st);
    return rc;
}

/* Every table of the target is empty (inside its transaction, so nobody fills one meanwhile). */
static kw_rc target_empty(copy_run *r)
{
    for (size_t i = 0; store_copy_tables[i]; i++) {
        int64_t n = 0;
        if (store_table_rows(r->to, store_copy_tables[i], &n) != KW_OK)
            return fail(r, KW_ERR_STORE, "counting %s in the target: %s", store_copy_tables[i], store_errmsg(r->to));
        if (n)
            return fail(r, KW_ERR_RANGE, "the target is not empty: table %s holds %lld row%s (copying into an "
                        "empty store only)", store_copy_tables[i], (long long)n, n == 1 ? "" : "s");
    }
    return KW_OK;
}

/* The checks before anything is written. */
static kw_rc copy_check(copy_run *r)
{
    if (db_backend(r->from->db) != DB_SQLITE)
        return fail(r, KW_ERR_UNSUPPORTED, "the source must be a SQLite store");
    int64_t vf = store_schema_version(r->from), vt = store_schema_version(r->to);
    if (vf != vt)
        return fail(r, KW_ERR_RANGE, "the source is at schema %lld, the target at %lld: open both with this "
                    "keepwatch first", (long long)vf, (long long)vt);
    return source_known(r);
}

static kw_rc copy_all(copy_run *r)
{
    kw_rc rc = target_empty(r);
    for (size_t i = 0; rc == KW_OK && store_copy_tables[i]; i++)
        rc = copy_one(r, store_copy_tables[i]);
    return rc;
}

kw_rc store_copy(kw_store *from, kw_store *to, store_copy_progress progress, void *arg, char *err, size_t errn)
{
    copy_run r = {from, to, progress, arg, err, errn, {0}};
    kw_buf_init(&r.sql, 1 << 20);
    err[0] = '\0';
    kw_rc rc = store_begin_read(from);
    if (rc != KW_OK) {
        kw_buf_free(&r.sql);
        return fail(&r, rc, "reading the source: %s", store_errmsg(from));
    }
    rc = copy_check(&r);
    if (rc == KW_OK && store_begin(to) != KW_OK)
        rc = fail(&r, KW_ERR_STORE, "the target: %s", store_errmsg(to));
    else if (rc == KW_OK) {
        rc = copy_all(&r);
        if (rc == KW_OK && store_commit(to) != KW_OK)
            rc = fail(&r, KW_ERR_STORE, "committing the copy: %s", store_errmsg(to));
        if (rc != KW_OK)
            store_rollback(to);
    }
    store_release(from);
    store_commit(from); /* ends the read snapshot */
    kw_buf_free(&r.sql);
    return rc;
}

kw_rc store_table_rows(kw_store *s, const char *table, int64_t *n)
{
    if (!listed(store_copy_tables, table))
        return KW_ERR_NOTFOUND;
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", table);
    db_stmt *st = store_stmt(s, sql);
    if (!st)
        return KW_ERR_STORE;
    db_step_rc rc = db_step(st);
    *n = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    if (rc != DB_ROW)
        snprintf(s->err, sizeof s->err, "%s", db_errmsg(s->db));
    db_reset(st);
    return rc == DB_ROW ? KW_OK : KW_ERR_STORE;
}

int64_t store_schema_version(kw_store *s)
{
    if (db_backend(s->db) == DB_SQLITE)
        return store_query_int(s, "PRAGMA user_version", NULL);
    return store_query_int(s, "SELECT version FROM keepwatch_schema WHERE part = ?", "store");
}

const char *store_backend_name(kw_store *s) { return db_backend(s->db) == DB_SQLITE ? "sqlite" : "postgresql"; }
