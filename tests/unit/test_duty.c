/* The duty log that cannot be rewritten quietly: keyed links, signed checkpoints, an export
 * checked with the public key alone, a store from before the keys taken up and anchored, the
 * daemon's watch raising duty_log_tampered, and CSV cells that are not formulas. On SQLite,
 * or on PostgreSQL under KW_TEST_PG_URL (kw_test_store.h). */
#include "kw_test.h"
#include "kw_test_store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/kw_buf.h"
#include "duty/duty.h"
#include "duty/duty_watch.h"
#include "store/store_int.h" /* looks at the tables directly */

#include <sqlite3.h> /* the legacy fixture */

static char tmpdir[64];
static int64_t every = 100; /* checkpoint_every of the stores opened next */

/* The duty keys of the store in sub (beside it on SQLite, in its directory on PostgreSQL). */
static void keys_of(const char *sub)
{
    char dir[256];
    snprintf(dir, sizeof dir, "%s/%s", tmpdir, sub);
    kwt_duty_keys_in(dir, every);
}

static kw_store *open_in(const char *sub)
{
    char dir[256], path[300], err[256];
    snprintf(dir, sizeof dir, "%s/%s", tmpdir, sub);
    mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/keepwatch.db", dir);
    keys_of(sub);
    return kwt_store_open(path, err, sizeof err);
}

static bool sql_exec(kw_store *s, const char *sql) { return db_exec(s->db, sql) == KW_OK; }

static int64_t db_int(kw_store *s, const char *sql) { return store_query_int(s, sql, NULL); }

static const char *db_text(kw_store *s, const char *sql, char *out, size_t n)
{
    db_stmt *st = store_stmt(s, sql);
    out[0] = '\0';
    if (st && db_step(st) == DB_ROW && db_col_text(st, 0))
        snprintf(out, n, "%s", db_col_text(st, 0));
    if (st)
        db_reset(st);
    return out;
}

static size_t read_all(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(buf, 1, n, f) : 0;
    if (f)
        fclose(f);
    return got;
}

static void notes(kw_store *s, int from, int to)
{
    for (int i = from; i <= to; i++) {
        char t[32];
        snprintf(t, sizeof t, "note %d", i);
        CHECK(store_duty_append(s, 1000 * i, "note", "zhang.wei", i == 2 ? 7 : 0, t) == KW_OK);
    }
}

static void verify_fails_at(kw_store *s, int64_t want_bad, const char *why)
{
    int64_t bad = 0, n = 0;
    char w[256] = "";
    CHECK(store_duty_verify(s, &bad, &n, w, sizeof w) == KW_ERR_PARSE);
    CHECK_INT(bad, want_bad);
    CHECK_CONTAINS(w, why);
}

static void verify_ok(kw_store *s, int64_t entries)
{
    int64_t bad = 0, n = 0;
    char w[256] = "";
    CHECK(store_duty_verify(s, &bad, &n, w, sizeof w) == KW_OK);
    CHECK_INT(n, entries);
    CHECK_STR(w, "");
}

/* A link is HMAC-SHA256 under the 32-byte key file, not the plain SHA-256 anyone can make. */
static void test_keyed_links(void)
{
    every = 100;
    kw_store *s = open_in("keyed");
    notes(s, 1, 3);
    char path[300], key[64];
    snprintf(path, sizeof path, "%s/keyed/duty.key", tmpdir);
    CHECK_INT(read_all(path, key, sizeof key), 32);
    struct stat sb;
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    snprintf(path, sizeof path, "%s/keyed/duty_sign.key", tmpdir);
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    char prev[65], hash[65], text[32], plain[65], keyed[65];
    db_text(s, "SELECT prev_hash FROM duty_log WHERE id = 2", prev, sizeof prev);
    db_text(s, "SELECT hash FROM duty_log WHERE id = 2", hash, sizeof hash);
    db_text(s, "SELECT text FROM duty_log WHERE id = 2", text, sizeof text);
    duty_entry e = {2, 2000, 7, "note", "zhang.wei", text, prev, NULL, DUTY_SCHEME_HMAC};
    duty_link_keyed(&e, (const unsigned char *)key, keyed);
    duty_link_plain(&e, plain);
    CHECK_STR(hash, keyed);
    CHECK(strcmp(hash, plain) != 0);
    CHECK_INT(db_int(s, "SELECT count(*) FROM duty_log WHERE scheme = 1"), 3);
    verify_ok(s, 3);
    /* the forger's move: new text, its plain hash recomputed, marked keyed or not */
    e.text = "nothing happened";
    duty_link_plain(&e, plain);
    char sql[300];
    snprintf(sql, sizeof sql, "UPDATE duty_log SET text = 'nothing happened', hash = '%s' WHERE id = 2", plain);
    CHECK(sql_exec(s, sql));
    verify_fails_at(s, 2, "rewritten without the key");
    CHECK(sql_exec(s, "UPDATE duty_log SET scheme = 0 WHERE id = 2"));
    verify_fails_at(s, 2, "has a sha256 link");
    store_close(s);
}

/* Checkpoints every N entries, signed; a forged signature or a removed checkpoint shows. */
static void test_checkpoints(void)
{
    every = 2;
    kw_store *s = open_in("cp");
    notes(s, 1, 5);
    CHECK_INT(db_int(s, "SELECT count(*) FROM duty_checkpoints"), 3); /* 0 (the anchor), 2, 4 */
    CHECK_INT(db_int(s, "SELECT max(seq) FROM duty_checkpoints"), 4);
    bool written = false;
    CHECK(store_duty_checkpoint(s, 9000, "export", &written) == KW_OK && written);
    CHECK(store_duty_checkpoint(s, 9001, "export", &written) == KW_OK && !written); /* nothing new */
    CHECK_INT(db_int(s, "SELECT from_seq FROM duty_checkpoints WHERE seq = 5"), 4);
    verify_ok(s, 5);
    kw_buf head;
    kw_buf_init(&head, 0);
    store_duty_head_text(s, &head);
    char h5[65];
    db_text(s, "SELECT hash FROM duty_log WHERE id = 5", h5, sizeof h5);
    char want[40];
    snprintf(want, sizeof want, "5:%.16s", h5);
    CHECK_STR(kw_buf_cstr(&head), want);
    kw_buf_free(&head);
    CHECK(sql_exec(s, "UPDATE duty_checkpoints SET ts = ts + 1 WHERE seq = 0"));
    verify_fails_at(s, 1, "signature is not good"); /* the anchor stands for entry 1 */
    CHECK(sql_exec(s, "UPDATE duty_checkpoints SET ts = ts - 1 WHERE seq = 0"));
    CHECK(sql_exec(s, "UPDATE duty_checkpoints SET ts = ts + 1 WHERE seq = 4"));
    verify_fails_at(s, 4, "signature is not good");
    CHECK(sql_exec(s, "UPDATE duty_checkpoints SET ts = ts - 1 WHERE seq = 4"));
    verify_ok(s, 5);
    /* nothing is signed over an entry that does not verify with the key */
    notes(s, 6, 6);
    CHECK(sql_exec(s, "UPDATE duty_log SET actor = 'someone.else' WHERE id = 6"));
    CHECK(store_duty_checkpoint(s, 9500, "handover", &written) == KW_ERR_PARSE && !written);
    CHECK_CONTAINS(s->err, "entry 6 was changed");
    CHECK_INT(db_int(s, "SELECT max(seq) FROM duty_checkpoints"), 5);
    CHECK(sql_exec(s, "DELETE FROM duty_checkpoints WHERE seq = 2"));
    verify_fails_at(s, 3, "do not match their signed checkpoint");
    store_close(s);
    every = 100;
}

typedef struct {
    kw_buf *b;
    const duty_checkpoint *cps;
    size_t n, next;
} exp_ctx;

static void put_entry(void *arg, const store_duty_entry *e)
{
    exp_ctx *x = arg;
    for (; x->next < x->n && x->cps[x->next].seq < e->id; x->next++)
        duty_export_checkpoint_json(&x->cps[x->next], x->b);
    duty_export_entry_json(e, x->b);
}

static duty_checkpoint cps[16];
static size_t ncps;

static void put_cp(void *arg, const duty_checkpoint *c)
{
    (void)arg;
    if (ncps < 16)
        cps[ncps++] = *c;
}

static void export_jsonl(kw_store *s, kw_buf *out)
{
    ncps = 0;
    store_duty_checkpoints_each(s, 0, INT64_MAX, put_cp, NULL);
    exp_ctx x = {out, cps, ncps, 0};
    store_duty_each(s, INT64_MIN, INT64_MAX, put_entry, &x);
    for (; x.next < x.n; x.next++)
        duty_export_checkpoint_json(&x.cps[x.next], out);
}

static duty_pub *pub_of(const char *sub)
{
    char path[300], pem[4096];
    snprintf(path, sizeof path, "%s/%s/duty_sign.pub", tmpdir, sub);
    size_t n = read_all(path, pem, sizeof pem);
    return duty_pub_from_pem(pem, n);
}

/* A checkpoint over a stretch longer than one read of the log (1,000 entries) signs it all and
 * finds a changed entry past the first read; so does a full check. */
static void test_checkpoint_long_stretch(void)
{
    int64_t was = every;
    every = 1000000; /* no checkpoint by count */
    kw_store *s = open_in("long");
    CHECK(store_begin(s) == KW_OK);
    notes(s, 1, 2500);
    CHECK(store_commit(s) == KW_OK);
    CHECK_INT(db_int(s, "SELECT max(seq) FROM duty_checkpoints"), 0); /* the anchor alone */
    bool written = true;
    CHECK(sql_exec(s, "UPDATE duty_log SET actor = 'someone.else' WHERE id = 1800"));
    CHECK(store_duty_checkpoint(s, 9000000, "export", &written) == KW_ERR_PARSE && !written);
    CHECK_CONTAINS(s->err, "entry 1800 was changed");
    CHECK(sql_exec(s, "UPDATE duty_log SET actor = 'zhang.wei' WHERE id = 1800"));
    CHECK(store_duty_checkpoint(s, 9000001, "export", &written) == KW_OK && written);
    CHECK_INT(db_int(s, "SELECT max(seq) FROM duty_checkpoints"), 2500);
    CHECK_INT(db_int(s, "SELECT from_seq FROM duty_checkpoints WHERE seq = 2500"), 0);
    verify_ok(s, 2500);
    CHECK(sql_exec(s, "UPDATE duty_log SET text = 'rewritten' WHERE id = 2200")); /* past the first read */
    verify_fails_at(s, 2200, "entry 2200 was changed");
    store_close(s);
    every = was;
}

/* An export is checked with the public key alone: intact, an entry edited, another key. */
static void test_export_with_public_key(void)
{
    every = 2;
    kw_store *s = open_in("exp");
    notes(s, 1, 5);
    CHECK(store_duty_checkpoint(s, 9000, "export", NULL) == KW_OK);
    kw_buf b;
    kw_buf_init(&b, 0);
    export_jsonl(s, &b);
    duty_pub *pub = pub_of("exp");
    CHECK(pub != NULL);
    duty_export_result r;
    CHECK(duty_export_verify(b.data, b.len, pub, 5, "0000", &r) == KW_OK);
    CHECK_INT(r.bad_id, 0);
    CHECK_INT(r.entries, 5);
    CHECK_INT(r.signed_from, 1);
    CHECK_INT(r.signed_to, 5);
    CHECK(r.head_found && !r.head_ok);
    char h3[65];
    db_text(s, "SELECT hash FROM duty_log WHERE id = 3", h3, sizeof h3);
    h3[16] = '\0';
    CHECK(duty_export_verify(b.data, b.len, pub, 3, h3, &r) == KW_OK && r.head_ok);
    /* one character of entry 3's text changed in the export */
    char *t = strstr(b.data, "\"note 3\"");
    CHECK(t != NULL);
    if (t)
        t[6] = '9';
    CHECK(duty_export_verify(b.data, b.len, pub, 0, NULL, &r) == KW_OK);
    CHECK_INT(r.bad_id, 3);
    CHECK_CONTAINS(r.why, "signed digest differs");
    if (t)
        t[6] = '3';
    /* a key pair of another store signs nothing here */
    kw_store *other = open_in("other");
    notes(other, 1, 1);
    duty_pub *wrong = pub_of("other");
    CHECK(duty_export_verify(b.data, b.len, wrong, 0, NULL, &r) == KW_OK);
    CHECK(r.bad_id != 0);
    CHECK_CONTAINS(r.why, "signature is not good");
    /* the tail after the last checkpoint is not vouched for */
    keys_of("exp");
    notes(s, 6, 6);
    kw_buf_reset(&b);
    export_jsonl(s, &b);
    CHECK(duty_export_verify(b.data, b.len, pub, 0, NULL, &r) == KW_OK);
    CHECK_INT(r.bad_id, 6);
    CHECK_CONTAINS(r.why, "after the last signed checkpoint");
    /* not an export */
    CHECK(duty_export_verify("{\"type\":\"entry\"}\n", 17, pub, 0, NULL, &r) == KW_ERR_PARSE);
    CHECK_CONTAINS(r.why, "line 1");
    CHECK(duty_pub_from_pem("junk", 4) == NULL);
    duty_pub_free(pub);
    duty_pub_free(wrong);
    kw_buf_free(&b);
    store_close(other);
    store_close(s);
    every = 100;
}

/* A store written before the keys (schema 6, plain SHA-256 links, as the code before did):
 * opened by this one it verifies, the first keyed entry anchors the old part in a signed
 * checkpoint, and a rewrite of the old part with recomputed plain hashes is caught. */
static void test_legacy_migration(void)
{
    KWT_SQLITE_ONLY("a schema-6 SQLite file and its user_version");
    char dir[256], path[300], err[256];
    snprintf(dir, sizeof dir, "%s/legacy", tmpdir);
    mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/keepwatch.db", dir);
    sqlite3 *db;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db,
                       "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
                       /* what later versions alter, as version 6 had them */
                       "CREATE TABLE alerts (id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL, state TEXT NOT NULL);"
                       "CREATE UNIQUE INDEX alerts_open_fingerprint ON alerts (fingerprint) WHERE state != 'resolved';"
                       "CREATE TABLE metric_series (id INTEGER PRIMARY KEY, name TEXT NOT NULL, labels TEXT NOT NULL,"
                       "  UNIQUE (name, labels));"
                       "CREATE TABLE duty_log (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, kind TEXT NOT NULL,"
                       "  actor TEXT, alert_id INTEGER, text TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
                       "PRAGMA user_version = 6;",
                       NULL, NULL, NULL) == SQLITE_OK);
    char prev[65] = DUTY_GENESIS, hash[65], sql[512];
    for (int i = 1; i <= 3; i++) {
        char text[32];
        snprintf(text, sizeof text, "old note %d", i);
        duty_entry e = {i, 500 * i, 0, "note", "li.na", text, prev, NULL, DUTY_SCHEME_SHA256};
        duty_link_plain(&e, hash);
        snprintf(sql, sizeof sql,
                 "INSERT INTO duty_log VALUES (%d, %d, 'note', 'li.na', NULL, '%s', '%s', '%s');"
                 "INSERT OR REPLACE INTO meta VALUES ('duty_head', '%d:%s');",
                 i, 500 * i, text, prev, hash, i, hash);
        CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
        memcpy(prev, hash, sizeof prev);
    }
    sqlite3_close(db);
    kw_store *s = store_open(path, false, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_INT(db_int(s, "PRAGMA user_version"), 9);
    verify_ok(s, 3); /* no key yet: the plain chain as before */
    CHECK(store_duty_append(s, 5000, "note", "li.na", 0, "first keyed") == KW_OK);
    CHECK_INT(db_int(s, "SELECT seq FROM duty_checkpoints"), 3);
    CHECK_INT(db_int(s, "SELECT legacy FROM duty_checkpoints"), 3);
    CHECK_INT(db_int(s, "SELECT scheme FROM duty_log WHERE id = 3"), 0);
    CHECK_INT(db_int(s, "SELECT scheme FROM duty_log WHERE id = 4"), 1);
    verify_ok(s, 4);
    /* the old part rewritten, its plain hashes recomputed (2 and 3), entry 4 pointed at them */
    memcpy(prev, db_text(s, "SELECT hash FROM duty_log WHERE id = 1", hash, sizeof hash), sizeof prev);
    for (int i = 2; i <= 3; i++) {
        const char *text = i == 2 ? "old note 2, rewritten" : "old note 3";
        duty_entry e = {i, 500 * i, 0, "note", "li.na", text, prev, NULL, DUTY_SCHEME_SHA256};
        duty_link_plain(&e, hash);
        snprintf(sql, sizeof sql, "UPDATE duty_log SET text = '%s', prev_hash = '%s', hash = '%s' WHERE id = %d",
                 text, prev, hash, i);
        CHECK(sql_exec(s, sql));
        memcpy(prev, hash, sizeof prev);
    }
    snprintf(sql, sizeof sql, "UPDATE duty_log SET prev_hash = '%s' WHERE id = 4", prev);
    CHECK(sql_exec(s, sql));
    verify_fails_at(s, 1, "do not match their signed checkpoint");
    /* nor may the anchor be moved to pass keyed entries off as plain ones */
    CHECK(sql_exec(s, "UPDATE duty_checkpoints SET legacy = 4"));
    verify_fails_at(s, 3, "signature is not good");
    store_close(s);
}

/* The daemon's watch: intact at start, the tampered alert once per break, the gauge. */
static void test_watch_raises_alert(void)
{
    kw_store *s = open_in("watch");
    notes(s, 1, 3);
    duty_watch w;
    conf *c = NULL;
    conf_errors errs = {0};
    CHECK(conf_load_buffer("t", "duty: {verify_interval: 1s}\n", 28, &c, &errs) == KW_OK);
    conf_errors_free(&errs);
    if (!c)
        return;
    CHECK_INT(c->duty.verify_interval_ms, 1000);
    CHECK_INT(c->duty.checkpoint_every, 100);
    memset(&w, 0, sizeof w);
    w.interval_ms = c->duty.verify_interval_ms;
    alert_engine *e = alert_engine_new(60000, 60000);
    metric_registry reg;
    metric_registry_init(&reg);
    alert_acts acts = {0};
    duty_watch_tick(&w, s, e, &reg, 10000, &acts);
    CHECK_INT(acts.n, 0);
    kw_buf m;
    kw_buf_init(&m, 0);
    metric_registry_render(&reg, &m);
    CHECK_CONTAINS(kw_buf_cstr(&m), "keepwatch_duty_log_intact 1");
    /* entry 3 rewritten with a new link (the incremental check rereads the last one) */
    CHECK(sql_exec(s, "UPDATE duty_log SET text = 'x', hash = '" DUTY_GENESIS "' WHERE id = 3"));
    duty_watch_tick(&w, s, e, &reg, 10500, &acts); /* not due yet */
    CHECK_INT(acts.n, 0);
    duty_watch_tick(&w, s, e, &reg, 11000, &acts);
    CHECK_INT(acts.n, 1);
    if (acts.n) {
        CHECK_STR(acts.v[0].rule, "duty_log_tampered");
        CHECK_INT(acts.v[0].severity, KW_SEV_CRITICAL);
        CHECK_CONTAINS(acts.v[0].summary, "entry 3");
    }
    duty_watch_tick(&w, s, e, &reg, 12000, &acts); /* once per break */
    CHECK_INT(acts.n, 1);
    kw_buf_reset(&m);
    metric_registry_render(&reg, &m);
    CHECK_CONTAINS(kw_buf_cstr(&m), "keepwatch_duty_log_intact 0");
    kw_buf_free(&m);
    alert_acts_free(&acts);
    metric_registry_destroy(&reg);
    alert_engine_free(e);
    conf_free(c);
    store_close(s);
}

static void cell(const char *in, const char *want)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    duty_csv_cell(&b, in);
    CHECK_STR(kw_buf_cstr(&b), want);
    kw_buf_free(&b);
}

/* OWASP's CSV injection advice: a leading = + - @ tab or CR is not a formula once quoted. */
static void test_csv_neutralised(void)
{
    cell("=1+2", "\"'=1+2\"");
    cell("+cmd", "\"'+cmd\"");
    cell("-2", "\"'-2\"");
    cell("@SUM(A1)", "\"'@SUM(A1)\"");
    cell("\tx", "\"'\tx\"");
    cell("\rx", "\"'\rx\"");
    cell("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"");
    cell("a=b", "a=b");
    cell("a,b", "\"a,b\"");
    cell("plain", "plain");
    cell(NULL, "");
    duty_entry e = {1, 0, 0, "note", "=evil()", "-1+1", DUTY_GENESIS, DUTY_GENESIS, DUTY_SCHEME_HMAC};
    kw_buf b;
    kw_buf_init(&b, 0);
    duty_export_entry_csv(&e, &b);
    CHECK_CONTAINS(kw_buf_cstr(&b), ",\"'=evil()\",,\"'-1+1\",");
    kw_buf_free(&b);
}

static void test_head_parse(void)
{
    int64_t seq = 0;
    char hex[65];
    CHECK(duty_head_parse("41:3F9A1C2B7D4E5F60", &seq, hex));
    CHECK_INT(seq, 41);
    CHECK_STR(hex, "3f9a1c2b7d4e5f60");
    CHECK(!duty_head_parse("41:3f9a", &seq, hex));    /* too short to mean anything */
    CHECK(!duty_head_parse("0:3f9a1c2b", &seq, hex));
    CHECK(!duty_head_parse("x:3f9a1c2b", &seq, hex));
    CHECK(!duty_head_parse("41:3f9a1c2g", &seq, hex));
    CHECK(!duty_head_parse("413f9a1c2b", &seq, hex));
    CHECK(!duty_head_parse(NULL, &seq, hex));
}

/* Another connection appends while this one verifies (the daemon's watch on the core thread,
 * notify writing deliveries on its own): every check sees one consistent snapshot, never an
 * entry without the head that names it. */
typedef struct {
    const char *path;
    atomic_bool stop;
    int appended;
} appender;

static void *append_loop(void *arg)
{
    appender *a = arg;
    char err[256];
    kw_store *w = kwt_store_open(a->path, err, sizeof err);
    for (int i = 0; w && i < 400 && !atomic_load(&a->stop); i++)
        if (store_duty_append(w, 1000 + i, "note", "zhang.wei", 0, "delivered") == KW_OK)
            a->appended++;
    store_close(w);
    return NULL;
}

static void test_verify_while_appending(void)
{
    every = 100;
    kw_store *s = open_in("race");
    notes(s, 1, 3);
    char path[300];
    snprintf(path, sizeof path, "%s/race/keepwatch.db", tmpdir);
    appender a = {path, false, 0};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, append_loop, &a) == 0);
    int checks = 0, broken = 0;
    char why[256] = "";
    for (int i = 0; i < 200; i++) {
        int64_t bad = 0, n = 0;
        kw_rc rc = store_duty_verify(s, &bad, &n, why, sizeof why);
        checks++;
        if (rc == KW_ERR_PARSE || bad) {
            broken++;
            fprintf(stderr, "  verify said: %s\n", why);
            break;
        }
    }
    atomic_store(&a.stop, true);
    pthread_join(t, NULL);
    CHECK(a.appended > 0);
    CHECK_INT(broken, 0);
    CHECK(checks > 0);
    store_close(s);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kw-test-duty-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    RUN(test_keyed_links);
    RUN(test_checkpoints);
    RUN(test_checkpoint_long_stretch);
    RUN(test_export_with_public_key);
    RUN(test_legacy_migration);
    RUN(test_watch_raises_alert);
    RUN(test_csv_neutralised);
    RUN(test_head_parse);
    RUN(test_verify_while_appending);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    TEST_MAIN_END();
}
