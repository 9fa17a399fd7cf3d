/* The duty log's keys and signed checkpoints in the store: where the key files are (beside the
 * store unless configured), loading them once per process, writing a checkpoint over the
 * entries since the last one (only after they verified with the key) and reading them back.
 * The design is in src/duty/duty.h. */
#include "store/store_duty_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/kw_log.h"
#include "core/kw_mem.h"

#define PATH_MAX_DUTY 4096
#define CHECKPOINT_EVERY_DEFAULT 100

typedef struct key_slot {
    char path[PATH_MAX_DUTY];
    duty_keys *keys;
    struct key_slot *next;
} key_slot;

static pthread_mutex_t keys_mu = PTHREAD_MUTEX_INITIALIZER;
static key_slot *slots;                       /* loaded keys, by HMAC key path; kept for the process */
static char *conf_key, *conf_sign, *conf_pub; /* NULL: beside the store */
static int64_t conf_every = CHECKPOINT_EVERY_DEFAULT;

void store_duty_configure(const char *key_file, const char *sign_file, const char *pub_file, int64_t checkpoint_every)
{
    pthread_mutex_lock(&keys_mu);
    free(conf_key);
    free(conf_sign);
    free(conf_pub);
    conf_key = kw_strdup_opt(key_file);
    conf_sign = kw_strdup_opt(sign_file);
    conf_pub = kw_strdup_opt(pub_file);
    conf_every = checkpoint_every > 0 ? checkpoint_every : CHECKPOINT_EVERY_DEFAULT;
    pthread_mutex_unlock(&keys_mu);
}

int64_t duty_checkpoint_every(void)
{
    pthread_mutex_lock(&keys_mu);
    int64_t n = conf_every;
    pthread_mutex_unlock(&keys_mu);
    return n;
}

/* name beside the store (its directory is the state directory), or the configured path. */
static void key_path(kw_store *s, const char *configured, const char *name, char out[PATH_MAX_DUTY])
{
    if (configured) {
        snprintf(out, PATH_MAX_DUTY, "%s", configured);
        return;
    }
    const char *slash = db_pg_is_url(s->path) ? NULL : strrchr(s->path, '/'); /* a URL: here */
    int dir = slash ? (int)(slash - s->path) : 1;
    snprintf(out, PATH_MAX_DUTY, "%.*s/%s", dir, slash ? s->path : ".", name);
}

/* Call with keys_mu held. */
static void paths(kw_store *s, char key[PATH_MAX_DUTY], char sign[PATH_MAX_DUTY], char pub[PATH_MAX_DUTY])
{
    key_path(s, conf_key, "duty.key", key);
    key_path(s, conf_sign, "duty_sign.key", sign);
    key_path(s, conf_pub, "duty_sign.pub", pub);
}

bool duty_key_exists(kw_store *s)
{
    char key[PATH_MAX_DUTY], sign[PATH_MAX_DUTY], pub[PATH_MAX_DUTY];
    pthread_mutex_lock(&keys_mu);
    paths(s, key, sign, pub);
    pthread_mutex_unlock(&keys_mu);
    return access(key, F_OK) == 0;
}

const duty_keys *duty_keys_for(kw_store *s, bool create, kw_rc *rc)
{
    char key[PATH_MAX_DUTY], sign[PATH_MAX_DUTY], pub[PATH_MAX_DUTY];
    pthread_mutex_lock(&keys_mu);
    paths(s, key, sign, pub);
    key_slot *k = slots;
    while (k && strcmp(k->path, key) != 0)
        k = k->next;
    duty_keys *loaded = NULL;
    *rc = KW_OK;
    if (!k) {
        *rc = duty_keys_load(key, sign, pub, create, &loaded, s->err, sizeof s->err);
        if (*rc == KW_OK) {
            k = kw_calloc(1, sizeof *k);
            snprintf(k->path, sizeof k->path, "%s", key);
            k->keys = loaded;
            k->next = slots;
            slots = k;
        }
    }
    pthread_mutex_unlock(&keys_mu);
    return k ? k->keys : NULL;
}

duty_entry duty_row_entry(db_stmt *st)
{
    return (duty_entry){db_col_int64(st, 0),
                        db_col_int64(st, 1),
                        db_col_int64(st, 4),
                        db_col_text(st, 2),
                        db_col_text(st, 3),
                        db_col_text(st, 5),
                        db_col_text(st, 6),
                        db_col_text(st, 7),
                        (int)db_col_int64(st, 8)};
}

static void col_copy(db_stmt *st, int i, char *out, size_t n)
{
    const char *v = db_col_text(st, i);
    snprintf(out, n, "%s", v ? v : "");
}

void duty_row_checkpoint(db_stmt *st, duty_checkpoint *c)
{
    c->seq = db_col_int64(st, 0);
    c->ts_ms = db_col_int64(st, 1);
    c->from = db_col_int64(st, 2);
    col_copy(st, 3, c->head, sizeof c->head);
    col_copy(st, 4, c->digest, sizeof c->digest);
    c->legacy = db_col_int64(st, 5);
    col_copy(st, 6, c->reason, sizeof c->reason);
    col_copy(st, 7, c->sig, sizeof c->sig);
}

kw_rc duty_last_checkpoint(kw_store *s, duty_checkpoint *c)
{
    db_stmt *st = store_stmt(s, "SELECT " DUTY_CP_COLS " FROM duty_checkpoints ORDER BY seq DESC LIMIT 1");
    if (!st)
        return KW_ERR_STORE;
    int r = db_step(st);
    if (r == DB_ROW)
        duty_row_checkpoint(st, c);
    db_reset(st);
    return r == DB_ROW ? KW_OK : r == DB_DONE ? KW_ERR_NOTFOUND : KW_ERR_STORE;
}

bool duty_entry_ok(const duty_keys *k, int64_t legacy, int64_t expect_id, const char *prev, const duty_entry *e,
                   char *why, size_t whyn)
{
    if (e->id != expect_id) {
        snprintf(why, whyn, "entry %lld is missing (deleted)", (long long)expect_id);
        return false;
    }
    if (!e->prev_hash || strcmp(e->prev_hash, prev) != 0) {
        snprintf(why, whyn, "entry %lld does not follow entry %lld (an entry was removed or moved)", (long long)e->id,
                 (long long)(e->id - 1));
        return false;
    }
    int want = e->id <= legacy ? DUTY_SCHEME_SHA256 : DUTY_SCHEME_HMAC;
    if (e->scheme != want) {
        snprintf(why, whyn, "entry %lld has a %s link where the signed checkpoints want %s (rewritten)",
                 (long long)e->id, duty_scheme_name(e->scheme), duty_scheme_name(want));
        return false;
    }
    char link[65] = "";
    if (want == DUTY_SCHEME_SHA256)
        duty_link_plain(e, link);
    else if (k)
        duty_link_keyed(e, duty_keys_hmac(k), link);
    if (!e->hash || strcmp(e->hash, link) != 0) {
        snprintf(why, whyn, want == DUTY_SCHEME_SHA256 ? "entry %lld was changed (its hash does not match its content)"
                                                       : "entry %lld was changed (its keyed link does not match: "
                                                         "rewritten without the key)",
                 (long long)e->id);
        return false;
    }
    return true;
}

#define DUTY_STR_(x) #x
#define DUTY_STR(x) DUTY_STR_(x)

db_stmt *duty_entries_stmt(kw_store *s)
{
    return store_stmt(s, "SELECT " DUTY_ENTRY_COLS " FROM duty_log WHERE id > ? ORDER BY id LIMIT " DUTY_STR(DUTY_READ_CHUNK));
}

db_step_rc duty_entries_next(db_stmt *st, int64_t after, int *got)
{
    db_step_rc r = *got < 0 ? DB_DONE : db_step(st);
    if (*got < 0 || (r == DB_DONE && *got == DUTY_READ_CHUNK)) { /* the first read, or the next */
        db_reset(st);
        db_bind_int64(st, 1, after);
        *got = 0;
        r = db_step(st);
    }
    *got += r == DB_ROW;
    return r;
}

/* Checks the entries after c->from (whose link is c->head on entry) and fills c's seq, head
 * and digest with what they give. KW_ERR_PARSE with s->err when one does not verify. */
static kw_rc walk_since(kw_store *s, const duty_keys *k, duty_checkpoint *c)
{
    db_stmt *st = duty_entries_stmt(s);
    if (!st)
        return KW_ERR_STORE;
    unsigned char d[32] = {0};
    int r, got = -1;
    kw_rc rc = KW_OK;
    while ((r = duty_entries_next(st, c->seq, &got)) == DB_ROW) {
        duty_entry e = duty_row_entry(st);
        if (!duty_entry_ok(k, c->legacy, c->seq + 1, c->head, &e, s->err, sizeof s->err)) {
            rc = KW_ERR_PARSE;
            break;
        }
        duty_digest_add(d, &e);
        snprintf(c->head, sizeof c->head, "%s", e.hash);
        c->seq = e.id;
    }
    db_reset(st);
    duty_hex(d, 32, c->digest);
    return rc == KW_OK && r != DB_DONE ? KW_ERR_STORE : rc;
}

static kw_rc checkpoint_insert(kw_store *s, const duty_checkpoint *c)
{
    db_stmt *st = store_stmt(s, "INSERT INTO duty_checkpoints (" DUTY_CP_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, c->seq);
    db_bind_int64(st, 2, c->ts_ms);
    db_bind_int64(st, 3, c->from);
    db_bind_text(st, 4, c->head);
    db_bind_text(st, 5, c->digest);
    db_bind_int64(st, 6, c->legacy);
    db_bind_text(st, 7, c->reason);
    db_bind_text(st, 8, c->sig);
    int r = db_step(st);
    db_reset(st);
    duty_cache_forget_checkpoint(s);
    return r == DB_DONE ? KW_OK : KW_ERR_STORE;
}

/* The first checkpoint anchors what the log holds before any keyed entry: all plain links. */
static kw_rc checkpoint_anchor(kw_store *s, duty_checkpoint *c)
{
    memset(c, 0, sizeof *c);
    c->legacy = store_query_int(s, "SELECT max(id) FROM duty_log", NULL);
    snprintf(c->head, sizeof c->head, "%s", DUTY_GENESIS);
    if (store_query_int(s, "SELECT count(*) FROM duty_log WHERE scheme != 0", NULL)) {
        snprintf(s->err, sizeof s->err, "the duty log has keyed entries but no checkpoint (checkpoints removed)");
        return KW_ERR_PARSE;
    }
    return KW_OK;
}

static kw_rc checkpoint_write(kw_store *s, int64_t now_ms, const char *reason, bool *written)
{
    bool dummy;
    written = written ? written : &dummy;
    *written = false;
    kw_rc rc;
    const duty_keys *k = duty_keys_for(s, true, &rc);
    if (!k)
        return rc;
    duty_checkpoint c;
    rc = duty_last_checkpoint(s, &c);
    bool first = rc == KW_ERR_NOTFOUND;
    if (first)
        rc = checkpoint_anchor(s, &c);
    if (rc != KW_OK)
        return rc;
    c.from = c.seq;
    if ((rc = walk_since(s, k, &c)) != KW_OK)
        return rc;
    if (c.seq == c.from && !first)
        return KW_OK; /* nothing new */
    c.ts_ms = now_ms;
    snprintf(c.reason, sizeof c.reason, "%s", !first ? reason : c.legacy ? "upgrade" : "start");
    if ((rc = duty_keys_sign(k, &c)) != KW_OK || (rc = checkpoint_insert(s, &c)) != KW_OK)
        return rc;
    *written = true;
    return KW_OK;
}

kw_rc store_duty_checkpoint(kw_store *s, int64_t now_ms, const char *reason, bool *written)
{
    bool own = false;
    kw_rc rc = duty_tx_begin(s, &own);
    return rc == KW_OK ? duty_tx_end(s, own, checkpoint_write(s, now_ms, reason, written)) : rc;
}

kw_rc store_duty_checkpoint_due(kw_store *s, int64_t now_ms, int64_t max_age_ms)
{
    duty_checkpoint c;
    kw_rc rc = duty_last_checkpoint(s, &c);
    if (rc == KW_ERR_STORE)
        return rc;
    int64_t last = store_query_int(s, "SELECT max(id) FROM duty_log", NULL);
    bool due = rc == KW_ERR_NOTFOUND ? duty_key_exists(s) || last > 0 : last > c.seq && now_ms - c.ts_ms >= max_age_ms;
    return due ? store_duty_checkpoint(s, now_ms, "hourly", NULL) : KW_OK;
}

kw_rc store_duty_checkpoints_each(kw_store *s, int64_t from_seq, int64_t to_seq,
                                  void (*fn)(void *, const duty_checkpoint *), void *arg)
{
    db_stmt *st = store_stmt(s, "SELECT " DUTY_CP_COLS " FROM duty_checkpoints WHERE seq >= ? AND seq <= ? "
                                "ORDER BY seq");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, from_seq);
    db_bind_int64(st, 2, to_seq);
    int r;
    while ((r = db_step(st)) == DB_ROW) {
        duty_checkpoint c;
        duty_row_checkpoint(st, &c);
        fn(arg, &c);
    }
    db_reset(st);
    return r == DB_DONE ? KW_OK : KW_ERR_STORE;
}

kw_rc store_duty_pubkey(kw_store *s, kw_buf *out)
{
    kw_rc rc;
    const duty_keys *k = duty_keys_for(s, true, &rc);
    return k ? duty_keys_pub_pem(k, out) : rc;
}
