/* The store's SQL interface (store_db.h) over PostgreSQL through libpq: the connection and its
 * reconnection, `?` rewritten to $n, statements prepared once per connection and cached by
 * their SQL text, text binds (blobs binary), results read from libpq's text format, and the
 * URL's password kept out of every message. */
#include "store/store_db.h"
#include "core/kw_mem.h"
#include "core/kw_url.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool db_pg_is_url(const char *where)
{
    return where && (strncmp(where, "postgresql://", 13) == 0 || strncmp(where, "postgres://", 11) == 0);
}

static pthread_mutex_t pw_mu = PTHREAD_MUTEX_INITIALIZER;
static char *pw_file; /* db_pg_set_password_file's */

void db_pg_set_password_file(const char *path)
{
    pthread_mutex_lock(&pw_mu);
    free(pw_file);
    pw_file = path ? kw_strdup(path) : NULL;
    pthread_mutex_unlock(&pw_mu);
}

#ifndef KW_HAVE_PQ

db_pg *db_pg_open(const char *url, char *err, size_t errn)
{
    char m[256];
    snprintf(err, errn, "%s: PostgreSQL support is not built in (rebuild with libpq-dev)",
             kw_url_mask_password(url, m, sizeof m));
    return NULL;
}

/* No handle can exist without libpq: the rest is never reached with one. */
void db_pg_close(db_pg *c) {}
const char *db_pg_errmsg(const db_pg *c) { return "PostgreSQL support is not built in"; }
kw_rc db_pg_exec(db_pg *c, const char *sql) { return KW_ERR_UNSUPPORTED; }
kw_rc db_pg_begin_write(db_pg *c, int64_t lock_key) { return KW_ERR_UNSUPPORTED; }
db_pg_stmt *db_pg_prepare(db_pg *c, const char *sql) { return NULL; }
void db_pg_bind_int64(db_pg_stmt *st, int i, int64_t v) {}
void db_pg_bind_double(db_pg_stmt *st, int i, double v) {}
void db_pg_bind_text(db_pg_stmt *st, int i, const char *v) {}
void db_pg_bind_blob(db_pg_stmt *st, int i, const void *p, size_t n) {}
void db_pg_bind_null(db_pg_stmt *st, int i) {}
db_step_rc db_pg_step(db_pg_stmt *st) { return DB_ERROR; }
db_step_rc db_pg_step_ahead(db_pg_stmt *st) { return DB_ERROR; }
bool db_pg_col_null(db_pg_stmt *st, int col) { return true; }
int64_t db_pg_col_int64(db_pg_stmt *st, int col) { return 0; }
double db_pg_col_double(db_pg_stmt *st, int col) { return 0; }
const char *db_pg_col_text(db_pg_stmt *st, int col) { return NULL; }
const void *db_pg_col_blob(db_pg_stmt *st, int col, size_t *n) { *n = 0; return NULL; }
int64_t db_pg_changes(db_pg_stmt *st) { return 0; }
void db_pg_reset(db_pg_stmt *st) {}
void db_pg_reset_all(db_pg *c) {}
bool db_pg_in_transaction(const db_pg *c) { return false; }
bool db_pg_connected(const db_pg *c) { return false; }
bool db_pg_constraint_failed(const db_pg *c) { return false; }
void db_pg_version(db_pg *c, int64_t v[2]) { v[0] = v[1] = 0; }

#else

#include "core/kw_json.h"
#include "core/kw_map.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include <libpq-fe.h>

enum {
    PG_MAX_PARAMS = 1000,   /* more `?` than this in one statement is refused */
    PG_OID_BYTEA = 17,
    PG_OID_TEXT = 25,
};

struct db_pg {
    PGconn *pg;
    kw_map stmts;        /* SQL text -> db_pg_stmt */
    unsigned next_name;  /* statement names kw_1, kw_2, ... */
    unsigned gen;        /* bumped on each reconnection: what was prepared before is gone */
    bool in_tx;          /* inside a transaction after the last command */
    bool tx_lost;        /* the connection went inside one: only BEGIN, ROLLBACK, COMMIT now */
    bool constraint;     /* the last failure broke a constraint (SQLSTATE class 23) */
    int ahead;           /* writes sent ahead in pipeline mode, their answers not read yet */
    int64_t begun;       /* the write lock of a BEGIN sent ahead with nothing after it yet, else -1 */
    int64_t version;     /* db_pg_version's: bumped on every call (no cache can be trusted) */
    char where[256];     /* the URL, password masked, for messages */
    char err[512];
};

struct db_pg_stmt {
    db_pg *c;
    char *sql;           /* rewritten with $n */
    char name[16];
    unsigned gen;        /* c->gen when prepared; 0: not prepared */
    int nparams;
    Oid *types;          /* [nparams], owned: 0 for the server to infer, else the type it is told */
    char **vals;         /* [nparams], owned; NULL binds NULL */
    int *lens, *fmts;
    bool bind_bad;       /* a bind index was out of range */
    bool lost;           /* the connection was lost while preparing: the first step says so */
    PGresult *res;
    int row, nrows;      /* row: the current row; -1 before the first step */
    int64_t changes;
    char **decoded;      /* [PQnfields] bytea columns of the current row, decoded */
    size_t *declen;
    int ndecoded;
};

/* ---- messages ---- */

/* Sets c->err to "what: msg" without a trailing newline or the connection's password. */
static void set_err(db_pg *c, const char *what, const char *msg)
{
    snprintf(c->err, sizeof c->err, "%s%s%s", what ? what : "", what ? ": " : "", msg ? msg : "");
    size_t l = strlen(c->err);
    while (l > 0 && (c->err[l - 1] == '\n' || c->err[l - 1] == ' '))
        c->err[--l] = '\0';
    if (c->pg)
        kw_scrub_secret(c->err, sizeof c->err, PQpass(c->pg));
}

/* Lost connection, serialization failure, deadlock, lock not available: try again. */
static bool retryable(db_pg *c, const PGresult *r)
{
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK)
        return true;
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (!state)
        return r == NULL;
    return strncmp(state, "08", 2) == 0 || strcmp(state, "40001") == 0 ||
           strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0 || strcmp(state, "57P01") == 0;
}

/* ---- the connection ---- */

/* Notes whether the last command left c inside a transaction. */
static void track(db_pg *c)
{
    if (PQstatus(c->pg) == CONNECTION_OK)
        c->in_tx = PQtransactionStatus(c->pg) != PQTRANS_IDLE;
}

/* A connection that is OK, reconnecting once when it was lost; false (c->err set) else. */
static bool alive(db_pg *c)
{
    if (PQstatus(c->pg) == CONNECTION_OK)
        return true;
    c->tx_lost = c->tx_lost || c->in_tx;   /* the server rolled it back */
    c->in_tx = false;
    PQreset(c->pg);
    c->gen++;
    if (PQstatus(c->pg) == CONNECTION_OK)
        return true;
    set_err(c, c->where, PQerrorMessage(c->pg));
    return false;
}

/* Whether sql starts with the keyword kw, in any case, after blanks. */
static bool starts(const char *sql, const char *kw)
{
    size_t n = strlen(kw);
    sql += strspn(sql, " \t\r\n");
    return strncasecmp(sql, kw, n) == 0 && !((sql[n] >= 'A' && sql[n] <= 'Z') || (sql[n] >= 'a' && sql[n] <= 'z'));
}

/* Before each command (sql: its text, NULL for a prepared statement): KW_OK when it may run;
 * after a transaction went with a lost connection, only BEGIN or ROLLBACK (or COMMIT, which
 * says it failed) until the caller has started again. */
static kw_rc ready(db_pg *c, const char *sql)
{
    if (!alive(c))
        return KW_ERR_TIMEOUT;
    if (!c->tx_lost)
        return KW_OK;
    if (sql && (starts(sql, "BEGIN") || starts(sql, "ROLLBACK"))) {
        c->tx_lost = false;
        return KW_OK;
    }
    bool end = sql && (starts(sql, "COMMIT") || starts(sql, "END"));
    c->tx_lost = !end;
    snprintf(c->err, sizeof c->err, "the connection to %s was lost inside a transaction, which was rolled back%s",
             c->where, end ? "" : ": ROLLBACK and start it again");
    return end ? KW_ERR_TIMEOUT : KW_ERR_STORE;
}

/* Notices ("table does not exist, skipping") are not errors: libpq would print them. */
static void ignore_notice(void *arg, const char *msg) {}

/* The first line of the password file into pw[n] ("" when none is set). */
static kw_rc read_password(char *pw, size_t n, char *err, size_t errn)
{
    pw[0] = '\0';
    pthread_mutex_lock(&pw_mu);
    kw_rc rc = KW_OK;
    FILE *f = pw_file ? fopen(pw_file, "re") : NULL;
    if (pw_file && !f) {
        snprintf(err, errn, "store.password_file %s: %s", pw_file, strerror(errno));
        rc = KW_ERR_IO;
    } else if (f) {
        if (!fgets(pw, (int)n, f))
            pw[0] = '\0';
        pw[strcspn(pw, "\r\n")] = '\0';
        fclose(f);
        if (!pw[0]) {
            snprintf(err, errn, "store.password_file %s: empty (the password is its first line)", pw_file);
            rc = KW_ERR_PARSE;
        }
    }
    pthread_mutex_unlock(&pw_mu);
    return rc;
}

db_pg *db_pg_open(const char *url, char *err, size_t errn)
{
    db_pg *c = kw_calloc(1, sizeof *c);
    kw_url_mask_password(url, c->where, sizeof c->where);
    char pw[1024];
    if (read_password(pw, sizeof pw, err, errn) != KW_OK) {
        free(c);
        return NULL;
    }
    /* Later entries win: the URL's own settings override these defaults, and a password
     * file the URL's password. */
    const char *const keys[] = {"connect_timeout", "client_encoding", "application_name", "dbname",
                                pw[0] ? "password" : NULL, NULL};
    const char *const vals[] = {"10", "UTF8", "keepwatch", url, pw, NULL};
    c->pg = PQconnectdbParams(keys, vals, 1);
    explicit_bzero(pw, sizeof pw);
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
        set_err(c, c->where, c->pg ? PQerrorMessage(c->pg) : "out of memory");
        snprintf(err, errn, "%s", c->err);
        PQfinish(c->pg);
        free(c);
        return NULL;
    }
    PQsetNoticeProcessor(c->pg, ignore_notice, NULL);
    kw_map_init(&c->stmts);
    c->gen = 1;
    c->begun = -1;
    return c;
}

static void stmt_free(db_pg_stmt *st);

void db_pg_close(db_pg *c)
{
    if (!c)
        return;
    const char *k;
    void *v;
    for (size_t i = 0; kw_map_next(&c->stmts, &i, &k, &v);)
        stmt_free(v);
    kw_map_free(&c->stmts);
    PQfinish(c->pg);
    free(c);
}

const char *db_pg_errmsg(const db_pg *c)
{
    return c ? c->err : "no connection";
}

/* kw_rc for a failed command r (NULL: no result at all), with c->err set. */
static kw_rc fail(db_pg *c, PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    c->constraint = state && strncmp(state, "23", 2) == 0;
    track(c);
    bool again = retryable(c, r);
    set_err(c, again ? "the database is unreachable or busy" : NULL,
            r ? PQresultErrorMessage(r) : PQerrorMessage(c->pg));
    PQclear(r);
    return again ? KW_ERR_TIMEOUT : KW_ERR_STORE;
}

/* ---- writes sent ahead (libpq's pipeline mode) ---- */

/* Sends a sync and reads the answers of the writes sent ahead and, when last is given, of one
 * more statement sent after them (its result in *last, NULL when it failed); leaves pipeline
 * mode. The first failure is c->err: a write refused (its transaction is over), or the
 * connection gone. */
static kw_rc ahead_collect(db_pg *c, PGresult **last)
{
    int want = c->ahead + (last ? 1 : 0), done = 0;
    kw_rc rc = KW_OK;
    if (last)
        *last = NULL;
    if (PQpipelineSync(c->pg) != 1) {
        rc = fail(c, NULL);
    } else {
        for (int nulls = 0; nulls <= want;) {
            PGresult *r = PQgetResult(c->pg);
            if (!r) { /* the end of one statement's answers */
                if (PQstatus(c->pg) != CONNECTION_OK) {
                    if (rc == KW_OK)
                        rc = fail(c, NULL);
                    break;
                }
                nulls++;
                done++;
                continue;
            }
            ExecStatusType st = PQresultStatus(r);
            if (st == PGRES_PIPELINE_SYNC) {
                PQclear(r);
                break;
            }
            bool mine = last && done == want - 1;
            if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
                if (mine && rc == KW_OK) {
                    *last = r;
                    continue;
                }
                PQclear(r);
            } else if (rc == KW_OK) {
                rc = st == PGRES_PIPELINE_ABORTED ? KW_ERR_STORE : fail(c, r);
                if (st == PGRES_PIPELINE_ABORTED)
                    PQclear(r);
            } else {
                PQclear(r);
            }
        }
    }
    if (rc != KW_OK && last && *last) {
        PQclear(*last);
        *last = NULL;
    }
    if (PQexitPipelineMode(c->pg) != 1) /* answers left unread: read them, then leave */
        while (PQpipelineStatus(c->pg) != PQ_PIPELINE_OFF) {
            PGresult *r = PQgetResult(c->pg);
            if (!r && PQexitPipelineMode(c->pg) != 1 && PQstatus(c->pg) != CONNECTION_OK)
                break;
            PQclear(r);
        }
    c->ahead = 0;
    c->begun = -1;
    track(c);
    return rc;
}

/* Reads what was sent ahead before a command that must wait for its own answer. */
static kw_rc ahead_flush(db_pg *c)
{
    return c->ahead ? ahead_collect(c, NULL) : KW_OK;
}


/* BEGIN and the write lock, waiting for their answers (on a new connection when the last
 * one was lost). */
static kw_rc begin_now(db_pg *c, int64_t lock_key)
{
    char sql[96];
    snprintf(sql, sizeof sql, "BEGIN; SELECT pg_advisory_xact_lock(%" PRId64 ")", lock_key);
    return db_pg_exec(c, sql);
}

/* Reads what was sent ahead; when that finds the connection lost with only a BEGIN ahead,
 * begins the transaction again on a new connection, as a plain BEGIN is tried once more. */
static kw_rc ahead_settle(db_pg *c)
{
    int64_t begun = c->begun;
    kw_rc rc = ahead_flush(c);
    return rc != KW_OK && begun >= 0 && PQstatus(c->pg) != CONNECTION_OK ? begin_now(c, begun) : rc;
}

kw_rc db_pg_begin_write(db_pg *c, int64_t lock_key)
{
    if (c->ahead || c->in_tx)
        return begin_now(c, lock_key); /* as a plain BEGIN: it says what is wrong */
    kw_rc rc = ready(c, "BEGIN");
    if (rc != KW_OK)
        return rc;
    if (PQenterPipelineMode(c->pg) != 1)
        return begin_now(c, lock_key);
    char key[24];
    snprintf(key, sizeof key, "%" PRId64, lock_key);
    const char *vals[1] = {key};
    bool sent = PQsendQueryParams(c->pg, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) == 1;
    c->ahead += sent;
    sent = sent && PQsendQueryParams(c->pg, "SELECT pg_advisory_xact_lock($1::BIGINT)", 1, NULL, vals, NULL, NULL,
                                     0) == 1;
    c->ahead += sent;
    if (!sent) {
        ahead_collect(c, NULL);
        return begin_now(c, lock_key);
    }
    c->begun = lock_key;
    c->in_tx = true;
    return KW_OK;
}

kw_rc db_pg_exec(db_pg *c, const char *sql)
{
    if (c->ahead && starts(sql, "COMMIT")) { /* with the writes sent ahead: one round trip */
        PGresult *r = NULL;
        kw_rc rc = PQsendQueryParams(c->pg, sql, 0, NULL, NULL, NULL, NULL, 0) == 1 ? ahead_collect(c, &r)
                                                                                   : ahead_collect(c, NULL);
        bool committed = rc == KW_OK && r && strcmp(PQcmdStatus(r), "COMMIT") == 0;
        PQclear(r);
        if (!committed && rc == KW_OK) {
            snprintf(c->err, sizeof c->err, "the transaction was rolled back: a write in it failed");
            rc = KW_ERR_STORE;
        }
        return rc;
    }
    if (c->ahead) { /* ROLLBACK says nothing of what failed before it; anything else waits its turn */
        kw_rc ar = ahead_flush(c);
        if (ar != KW_OK && !starts(sql, "ROLLBACK"))
            return ar;
    }
    kw_rc rc = ready(c, sql);
    if (rc != KW_OK)
        return rc;
    PGresult *r = PQexec(c->pg, sql);
    ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY && starts(sql, "BEGIN") &&
        PQstatus(c->pg) != CONNECTION_OK) { /* nothing ran yet: once more on a new connection */
        PQclear(r);
        r = ready(c, sql) == KW_OK ? PQexec(c->pg, sql) : NULL;
        s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    }
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY)
        return fail(c, r);
    PQclear(r);
    track(c);
    return KW_OK;
}

/* ---- `?` to $n ---- */

/* The length of the quoted string, identifier or comment starting at p (0: none there). */
static size_t skip_quoted(const char *p)
{
    const char *q = NULL;
    if (*p == '\'' || *p == '"') {
        q = strchr(p + 1, *p);       /* '' and "" inside are two quoted runs back to back */
        return q ? (size_t)(q + 1 - p) : strlen(p);
    }
    if (p[0] == '-' && p[1] == '-')
        return strcspn(p, "\n");
    if (p[0] == '/' && p[1] == '*') {
        q = strstr(p + 2, "*/");
        return q ? (size_t)(q + 2 - p) : strlen(p);
    }
    return 0;
}

/* sql with each `?` outside quotes and comments as $1, $2, ...; NULL when too many. used[i]:
 * whether the statement names parameter i + 1 (a ?N may skip some). */
static char *rewrite(const char *sql, int *nparams, bool used[PG_MAX_PARAMS])
{
    size_t n = strlen(sql), len = 0, cap = n + 1;
    for (const char *p = sql; *p; p++)
        if (*p == '?')
            cap += 4;           /* "$1000" is five bytes for one */
    char *out = kw_malloc(cap);
    int k = 0;
    for (const char *p = sql; *p;) {
        size_t q = skip_quoted(p);
        if (q) {
            memcpy(out + len, p, q);
            len += q;
            p += q;
        } else if (*p == '?' && p[1] >= '1' && p[1] <= '9') { /* ?N: the N-th, as SQLite numbers them */
            char *e;
            long num = strtol(p + 1, &e, 10);
            if (num > PG_MAX_PARAMS) {
                free(out);
                return NULL;
            }
            k = num > k ? (int)num : k;
            used[num - 1] = true;
            len += (size_t)snprintf(out + len, cap - len, "$%ld", num);
            p = e;
        } else if (*p == '?') {
            if (++k > PG_MAX_PARAMS) {
                free(out);
                return NULL;
            }
            used[k - 1] = true;
            len += (size_t)snprintf(out + len, cap - len, "$%d", k);
            p++;
        } else {
            out[len++] = *p++;
        }
    }
    out[len] = '\0';
    *nparams = k;
    return out;
}

/* ---- statements ---- */

static void clear_row(db_pg_stmt *st)
{
    for (int i = 0; i < st->ndecoded; i++)
        free(st->decoded[i]);
    free(st->decoded);
    free(st->declen);
    st->decoded = NULL;
    st->declen = NULL;
    st->ndecoded = 0;
}

static void clear_binds(db_pg_stmt *st)
{
    for (int i = 0; i < st->nparams; i++) {
        free(st->vals[i]);
        st->vals[i] = NULL;
        st->lens[i] = 0;
        st->fmts[i] = 0;
    }
    st->bind_bad = false;
}

static void stmt_free(db_pg_stmt *st)
{
    db_pg_reset(st);
    free(st->types);
    free(st->vals);
    free(st->lens);
    free(st->fmts);
    free(st->sql);
    free(st);
}

/* The parameter the server could not find a type for ("could not determine data type of
 * parameter $N": SQLSTATE 42P18 for one it never saw a type for, 42P08 for `? IS NULL` before
 * any other use), from 1; 0 when r is not that error. */
static int untyped_param(const PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *p = msg ? strstr(msg, "parameter $") : NULL;
    if (!state || (strcmp(state, "42P18") != 0 && strcmp(state, "42P08") != 0) || !p)
        return 0;
    long k = strtol(p + 11, NULL, 10);
    return k > 0 && k <= PG_MAX_PARAMS ? (int)k : 0;
}

/* Inside a transaction a failed PREPARE would abort it (SQLite's failed prepare leaves it
 * be): what runs around each attempt there. sql: SAVEPOINT, RELEASE or ROLLBACK TO. */
static void guard(db_pg *c, bool in_tx, const char *sql)
{
    if (in_tx)
        PQclear(PQexec(c->pg, sql));
}

/* Prepares st on its connection, telling the server "text" for each parameter it cannot type
 * from the statement (learnt once, kept in st->types for a reconnection). False with c->err
 * set; *busy says whether to try again. */
static bool stmt_prepare(db_pg_stmt *st, bool *busy)
{
    db_pg *c = st->c;
    bool in_tx = PQtransactionStatus(c->pg) == PQTRANS_INTRANS;
    for (int tries = 0; tries <= st->nparams; tries++) {
        guard(c, in_tx, "SAVEPOINT kw_prepare");
        PGresult *r = PQprepare(c->pg, st->name, st->sql, st->nparams, st->types);
        if (r && PQresultStatus(r) == PGRES_COMMAND_OK) {
            PQclear(r);
            guard(c, in_tx, "RELEASE SAVEPOINT kw_prepare");
            st->gen = c->gen;
            return true;
        }
        if (r) /* a result: the connection is there to take the savepoint back */
            guard(c, in_tx, "ROLLBACK TO SAVEPOINT kw_prepare; RELEASE SAVEPOINT kw_prepare");
        int k = untyped_param(r);
        if (k == 0 || k > st->nparams || st->types[k - 1] == PG_OID_TEXT) {
            *busy = fail(c, r) == KW_ERR_TIMEOUT;
            return false;
        }
        st->types[k - 1] = PG_OID_TEXT;
        PQclear(r);
    }
    *busy = false;
    snprintf(c->err, sizeof c->err, "the server could not type the parameters of: %.400s", st->sql);
    return false;
}

db_pg_stmt *db_pg_prepare(db_pg *c, const char *sql)
{
    db_pg_stmt *st = kw_map_get(&c->stmts, sql);
    if (st) {
        db_pg_reset(st);
        return st;
    }
    st = kw_calloc(1, sizeof *st);
    st->c = c;
    st->row = -1;
    bool used[PG_MAX_PARAMS] = {0};
    st->sql = rewrite(sql, &st->nparams, used);
    if (!st->sql) {
        snprintf(c->err, sizeof c->err, "a statement has more than %d parameters", PG_MAX_PARAMS);
        free(st);
        return NULL;
    }
    snprintf(st->name, sizeof st->name, "kw_%u", ++c->next_name);
    size_t np = st->nparams ? (size_t)st->nparams : 1;
    st->types = kw_calloc(np, sizeof *st->types);
    for (int i = 0; i < st->nparams; i++) /* one the statement skips: the server cannot type it */
        st->types[i] = used[i] ? 0 : PG_OID_TEXT;
    st->vals = kw_calloc(np, sizeof *st->vals);
    st->lens = kw_calloc(np, sizeof *st->lens);
    st->fmts = kw_calloc(np, sizeof *st->fmts);
    bool busy = false;
    if (ahead_settle(c) != KW_OK) {
        st->lost = PQstatus(c->pg) != CONNECTION_OK; /* prepared at its first step */
    } else if (!alive(c) || (!stmt_prepare(st, &busy) && busy)) {
        st->lost = true;     /* prepared at a later step, once the server is back */
    } else if (st->gen != c->gen) {
        stmt_free(st);
        return NULL;
    }
    kw_map_put(&c->stmts, sql, st);
    return st;
}

/* Sets parameter i (from 1) to n bytes at p (NULL: SQL NULL), copied, in format fmt. */
static void bind(db_pg_stmt *st, int i, const void *p, size_t n, int fmt)
{
    if (i < 1 || i > st->nparams || n > INT32_MAX) {
        st->bind_bad = true;
        return;
    }
    free(st->vals[i - 1]);
    st->vals[i - 1] = NULL;
    if (p) {
        char *v = kw_malloc(n + 1);
        memcpy(v, p, n);
        v[n] = '\0';
        st->vals[i - 1] = v;
    }
    st->lens[i - 1] = (int)n;
    st->fmts[i - 1] = fmt;
}

void db_pg_bind_int64(db_pg_stmt *st, int i, int64_t v)
{
    char b[24];
    int n = snprintf(b, sizeof b, "%" PRId64, v);
    bind(st, i, b, (size_t)n, 0);
}

void db_pg_bind_double(db_pg_stmt *st, int i, double v)
{
    char b[32];
    int n = isnan(v) ? snprintf(b, sizeof b, "NaN")
            : isinf(v) ? snprintf(b, sizeof b, "%sInfinity", v < 0 ? "-" : "")
                       : snprintf(b, sizeof b, "%.17g", v);
    bind(st, i, b, (size_t)n, 0);
}

/* The server holds UTF-8 only and refuses a statement with anything else (SQLite keeps any
 * bytes): an invalid byte from outside (a log line, a packet) becomes U+FFFD, not a lost row. */
void db_pg_bind_text(db_pg_stmt *st, int i, const char *v)
{
    char *fixed = kw_utf8_fix(v);
    const char *t = fixed ? fixed : v;
    bind(st, i, t, t ? strlen(t) : 0, 0);
    free(fixed);
}

void db_pg_bind_blob(db_pg_stmt *st, int i, const void *p, size_t n)
{
    bind(st, i, p ? p : "", n, 1);
}

void db_pg_bind_null(db_pg_stmt *st, int i)
{
    bind(st, i, NULL, 0, 0);
}

/* st's result r (a success) becomes its rows. */
static db_step_rc run_took(db_pg_stmt *st, PGresult *r)
{
    st->res = r;
    st->nrows = PQresultStatus(r) == PGRES_TUPLES_OK ? PQntuples(r) : 0;
    const char *t = PQcmdTuples(r);
    st->changes = t && *t ? strtoll(t, NULL, 10) : 0;
    return DB_ROW;
}

/* Runs st: its result in st->res, or a db_step_rc other than DB_ROW on failure. */
static db_step_rc run(db_pg_stmt *st)
{
    db_pg *c = st->c;
    if (st->lost) {
        st->lost = false;
        return DB_BUSY;
    }
    if (st->bind_bad) {
        snprintf(c->err, sizeof c->err, "a parameter index is out of range (1..%d)", st->nparams);
        return DB_ERROR;
    }
    if (c->ahead && st->gen != c->gen && ahead_settle(c) != KW_OK) /* a prepare waits for its answer */
        return PQstatus(c->pg) == CONNECTION_OK ? DB_ERROR : DB_BUSY;
    kw_rc rc = ready(c, NULL);
    if (rc != KW_OK)
        return rc == KW_ERR_TIMEOUT ? DB_BUSY : DB_ERROR;
    bool busy = false;
    if (st->gen != c->gen && !stmt_prepare(st, &busy))
        return busy ? DB_BUSY : DB_ERROR;
    if (c->ahead) { /* behind the writes sent ahead, in the same round trip */
        PGresult *r = NULL;
        if (PQsendQueryPrepared(c->pg, st->name, st->nparams, (const char *const *)st->vals, st->lens, st->fmts,
                                0) != 1) {
            ahead_collect(c, NULL);
            return fail(c, NULL) == KW_ERR_TIMEOUT ? DB_BUSY : DB_ERROR;
        }
        int64_t begun = c->begun; /* st went with them: when only a BEGIN did, begun again and st run again */
        if (ahead_collect(c, &r) == KW_OK)
            return run_took(st, r);
        if (PQstatus(c->pg) == CONNECTION_OK)
            return DB_ERROR;
        return begun >= 0 && begin_now(c, begun) == KW_OK ? run(st) : DB_BUSY;
    }
    bool outside = !c->in_tx;
    PGresult *r = PQexecPrepared(c->pg, st->name, st->nparams, (const char *const *)st->vals,
                                 st->lens, st->fmts, 0);
    ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && outside && starts(st->sql, "SELECT") &&
        PQstatus(c->pg) != CONNECTION_OK) {
        /* the server went (and maybe came back) since the last command: a read outside a
         * transaction is tried once more on a new connection */
        PQclear(r);
        r = NULL;
        if (ready(c, NULL) == KW_OK && stmt_prepare(st, &busy))
            r = PQexecPrepared(c->pg, st->name, st->nparams, (const char *const *)st->vals, st->lens, st->fmts, 0);
        s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    }
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
        return fail(c, r) == KW_ERR_TIMEOUT ? DB_BUSY : DB_ERROR;
    track(c);
    return run_took(st, r);
}

db_step_rc db_pg_step_ahead(db_pg_stmt *st)
{
    db_pg *c = st->c;
    if (!c->in_tx || c->tx_lost || st->lost || st->bind_bad || st->res || st->gen != c->gen || c->ahead >= 512 ||
        PQstatus(c->pg) != CONNECTION_OK || (!c->ahead && PQenterPipelineMode(c->pg) != 1)) {
        db_step_rc rc = db_pg_step(st); /* as any statement: it waits for its answer */
        return rc == DB_ROW ? DB_DONE : rc;
    }
    if (PQsendQueryPrepared(c->pg, st->name, st->nparams, (const char *const *)st->vals, st->lens, st->fmts, 0) != 1) {
        ahead_collect(c, NULL);
        return fail(c, NULL) == KW_ERR_TIMEOUT ? DB_BUSY : DB_ERROR;
    }
    c->ahead++;
    c->begun = -1;
    st->nrows = 0;
    st->row = 0;
    st->changes = 0;
    return DB_DONE;
}

db_step_rc db_pg_step(db_pg_stmt *st)
{
    if (!st->res) {
        db_step_rc rc = run(st);
        if (rc != DB_ROW)
            return rc;
    }
    clear_row(st);
    if (st->row < st->nrows)
        st->row++;
    return st->row < st->nrows ? DB_ROW : DB_DONE;
}

/* The current row's value of col as text, or NULL (SQL NULL, no row, no such column). */
static const char *value(const db_pg_stmt *st, int col)
{
    if (!st->res || st->row < 0 || st->row >= st->nrows || col < 0 || col >= PQnfields(st->res) ||
        PQgetisnull(st->res, st->row, col))
        return NULL;
    return PQgetvalue(st->res, st->row, col);
}

bool db_pg_col_null(db_pg_stmt *st, int col)
{
    return value(st, col) == NULL;
}

double db_pg_col_double(db_pg_stmt *st, int col)
{
    const char *v = value(st, col);
    if (!v)
        return 0.0;
    if (v[0] == 't' || v[0] == 'f')   /* a boolean */
        return v[0] == 't';
    return strtod(v, NULL);
}

int64_t db_pg_col_int64(db_pg_stmt *st, int col)
{
    const char *v = value(st, col);
    if (!v)
        return 0;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (*end == '\0' || errno)
        return (int64_t)x;
    double d = db_pg_col_double(st, col);      /* a boolean, numeric or real as an integer */
    return d >= 9.2233720368547758e18 ? INT64_MAX : d <= -9.2233720368547758e18 ? INT64_MIN
         : isnan(d) ? 0 : (int64_t)d;
}

static int hexval(char h)
{
    return h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
         : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
}

/* A bytea's text form (\x hex) decoded, terminated, into st's buffer for col; NULL when v is
 * not \x hex (then it is used as it is). */
static const char *decode(db_pg_stmt *st, int col, const char *v, size_t *n)
{
    size_t vl = strlen(v);
    if (vl < 2 || v[0] != '\\' || v[1] != 'x' || vl % 2)
        return NULL;
    if (!st->decoded) {
        st->ndecoded = PQnfields(st->res);
        st->decoded = kw_calloc((size_t)st->ndecoded, sizeof *st->decoded);
        st->declen = kw_calloc((size_t)st->ndecoded, sizeof *st->declen);
    }
    if (!st->decoded[col]) {
        size_t m = (vl - 2) / 2;
        unsigned char *b = kw_malloc(m + 1);
        for (size_t i = 0; i < m; i++) {
            int hi = hexval(v[2 + 2 * i]), lo = hexval(v[3 + 2 * i]);
            b[i] = (unsigned char)((hi < 0 || lo < 0) ? 0 : hi << 4 | lo);
        }
        b[m] = '\0';
        st->decoded[col] = (char *)b;
        st->declen[col] = m;
    }
    *n = st->declen[col];
    return st->decoded[col];
}

const void *db_pg_col_blob(db_pg_stmt *st, int col, size_t *n)
{
    const char *v = value(st, col);
    *n = 0;
    if (!v)
        return NULL;
    if (PQftype(st->res, col) == PG_OID_BYTEA) {
        const char *d = decode(st, col, v, n);
        if (d)
            return d;
    }
    *n = (size_t)PQgetlength(st->res, st->row, col);
    return v;
}

const char *db_pg_col_text(db_pg_stmt *st, int col)
{
    size_t n;
    return db_pg_col_blob(st, col, &n);
}

int64_t db_pg_changes(db_pg_stmt *st)
{
    return st->changes;
}

void db_pg_reset(db_pg_stmt *st)
{
    if (!st)
        return;
    clear_row(st);
    PQclear(st->res);
    st->res = NULL;
    st->row = -1;
    st->nrows = 0;
    clear_binds(st);
}

void db_pg_reset_all(db_pg *c)
{
    const char *k;
    void *v;
    for (size_t i = 0; kw_map_next(&c->stmts, &i, &k, &v);)
        db_pg_reset(v);
}

bool db_pg_in_transaction(const db_pg *c) { return c->in_tx; }
bool db_pg_constraint_failed(const db_pg *c) { return c->constraint; }

/* Another server's commits cannot be seen cheaply: the version changes on every call, so
 * nothing cached on it is served again (correct, not fast: LISTEN/NOTIFY would do better). */
/* The server's WAL insert position: every commit, on any connection of any server, moves it
 * (other writes may too: a cache is only asked to rebuild more often). Outside a transaction
 * only, where the answer is the server's now. When it cannot be read, a number of its own
 * that changes on every call (no cache can be trusted). */
void db_pg_version(db_pg *c, int64_t v[2])
{
    unsigned hi = 0, lo = 0;
    ahead_flush(c);
    PGresult *r = !c->in_tx && ready(c, "SELECT") == KW_OK ? PQexec(c->pg, "SELECT pg_current_wal_insert_lsn()") : NULL;
    bool ok = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
              sscanf(PQgetvalue(r, 0, 0), "%x/%x", &hi, &lo) == 2;
    PQclear(r);
    if (!ok) {
        v[0] = ++c->version;
        v[1] = -1;
        return;
    }
    v[0] = (int64_t)(((uint64_t)hi << 32) | lo);
    v[1] = 0;
}

bool db_pg_connected(const db_pg *c) { return c && PQstatus(c->pg) == CONNECTION_OK; }

#endif
