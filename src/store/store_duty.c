/* The duty log: append-only, each entry linked to the one before; keyed links (HMAC-SHA256)
 * since the key exists, plain SHA-256 before; signed checkpoints (store_duty_sign.c). The
 * design is in src/duty/duty.h. */
#include "store/store_duty_int.h"
#include "store/store_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"

static const char *col_text(db_stmt *st, int i) { return db_col_text(st, i); }


/* The duty log's cache of this transaction (s->duty), emptied when it is another's. */
static void cache_check(kw_store *s)
{
    if (s->duty.gen != s->tx_gen || !db_in_transaction(s->db)) {
        s->duty.gen = s->tx_gen;
        s->duty.head = s->duty.cp = false;
    }
}

/* The last checkpoint's seq, read once per transaction. */
static kw_rc last_checkpoint_seq(kw_store *s, int64_t *seq)
{
    cache_check(s);
    if (!s->duty.cp) {
        duty_checkpoint c;
        s->duty.cp_rc = duty_last_checkpoint(s, &c);
        s->duty.cp_seq = s->duty.cp_rc == KW_OK ? c.seq : 0;
        s->duty.cp = s->duty.cp_rc != KW_ERR_STORE;
    }
    *seq = s->duty.cp_seq;
    return s->duty.cp_rc;
}


static kw_rc staged_write(kw_store *s);

/* The checkpoint that must come before the first keyed entry, and the regular ones after. */
static kw_rc checkpoint_around(kw_store *s, int64_t ts_ms, int64_t id, bool before)
{
    duty_checkpoint c;
    kw_rc rc = last_checkpoint_seq(s, &c.seq);
    /* after: every N entries since the last; tried once per N while the chain does not verify */
    if (rc == KW_ERR_STORE || (before && rc == KW_OK) ||
        (!before && rc == KW_OK && (id - c.seq) % duty_checkpoint_every() != 0))
        return rc == KW_ERR_STORE ? rc : KW_OK;
    if (!before && rc == KW_ERR_NOTFOUND)
        return KW_OK;
    if (staged_write(s) != KW_OK) /* the checkpoint reads every entry */
        return KW_ERR_STORE;
    rc = store_duty_checkpoint(s, ts_ms, "count", NULL);
    if (rc == KW_ERR_PARSE) /* not signed over a broken chain; verify says where */
        log_warn("duty log: no checkpoint written: %s", s->err);
    return rc == KW_ERR_PARSE ? KW_OK : rc;
}

static kw_rc duty_head_commit(kw_store *s);

enum { DUTY_ROW_COLS = 9 }; /* DUTY_ENTRY_COLS */

/* The staged entries, in one statement sent ahead. */
static kw_rc staged_write(kw_store *s)
{
    store_rows *r = s->duty_rows;
    if (!r || !r->n)
        return KW_OK;
    db_stmt *st = store_rows_stmt(s, "INSERT INTO duty_log (" DUTY_ENTRY_COLS ") SELECT * FROM unnest(?1::BIGINT[],"
                                     " ?2::BIGINT[], ?3::TEXT[], ?4::TEXT[], ?5::BIGINT[], ?6::TEXT[], ?7::TEXT[],"
                                     " ?8::TEXT[], ?9::BIGINT[]) AS u(id, ts, kind, actor, alert_id, text, prev_hash,"
                                     " hash, scheme) ORDER BY u.id", r, "duty log");
    return st ? store_step_ahead(s, st) : KW_ERR_STORE;
}

void store_duty_stage(kw_store *s)
{
    if (db_backend(s->db) != DB_POSTGRES || s->duty_rows)
        return;
    s->duty_rows = kw_malloc(sizeof *s->duty_rows);
    store_rows_init(s->duty_rows, DUTY_ROW_COLS);
}

kw_rc store_duty_unstage(kw_store *s, bool write)
{
    if (!s->duty_rows)
        return KW_OK;
    kw_rc rc = write ? staged_write(s) : KW_OK;
    store_rows_free(s->duty_rows);
    free(s->duty_rows);
    s->duty_rows = NULL;
    return rc;
}

/* e staged for the statement that writes them all (when staging). */
static kw_rc stage_entry(kw_store *s, const duty_entry *e)
{
    store_rows *r = s->duty_rows;
    store_rows_int(r, 0, e->id);
    store_rows_int(r, 1, e->ts_ms);
    store_rows_text(r, 2, e->kind);
    store_rows_text(r, 3, e->actor);
    if (e->alert_id)
        store_rows_int(r, 4, e->alert_id);
    else
        store_rows_null(r, 4);
    store_rows_text(r, 5, e->text);
    store_rows_text(r, 6, e->prev_hash);
    store_rows_text(r, 7, e->hash);
    store_rows_int(r, 8, e->scheme);
    store_rows_next(r);
    return store_rows_full(r) ? staged_write(s) : KW_OK;
}

static kw_rc insert_entry(kw_store *s, const duty_entry *e)
{
    if (s->duty_rows) {
        if (stage_entry(s, e) != KW_OK)
            return KW_ERR_STORE;
        s->before_commit = duty_head_commit;
        return KW_OK;
    }
    db_stmt *st = store_stmt(s, "INSERT INTO duty_log (" DUTY_ENTRY_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, e->id);
    db_bind_int64(st, 2, e->ts_ms);
    db_bind_text(st, 3, e->kind);
    db_bind_text(st, 4, e->actor);
    if (e->alert_id)
        db_bind_int64(st, 5, e->alert_id);
    db_bind_text(st, 6, e->text);
    db_bind_text(st, 7, e->prev_hash);
    db_bind_text(st, 8, e->hash);
    db_bind_int64(st, 9, e->scheme);
    if (store_step_ahead(s, st) != KW_OK)
        return KW_ERR_STORE;
    s->before_commit = duty_head_commit; /* meta.duty_head, once, as the transaction commits */
    return KW_OK;
}

static kw_rc duty_head_commit(kw_store *s)
{
    char head[96];
    if (s->duty.head && s->duty.gen == s->tx_gen) {
        snprintf(head, sizeof head, "%lld:%s", (long long)s->duty.id, s->duty.hash);
    } else { /* not kept (a plain entry): as the log stands */
        int64_t seq;
        char hash[65];
        if (store_duty_head(s, &seq, hash) != KW_OK)
            return KW_ERR_STORE;
        snprintf(head, sizeof head, "%lld:%s", (long long)seq, hash);
    }
    db_stmt *st = store_stmt(s, "INSERT INTO meta (key, value) VALUES ('duty_head', ?) "
                                "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, head);
    return store_step_ahead(s, st);
}

static kw_rc append_keyed(kw_store *s, int64_t ts_ms, const char *kind, const char *actor, int64_t alert_id,
                          const char *text)
{
    kw_rc rc;
    const duty_keys *k = duty_keys_for(s, true, &rc);
    if (!k)
        return rc;
    char prev[65] = DUTY_GENESIS, link[65];
    int64_t id = 1;
    cache_check(s);
    if (s->duty.head) { /* appended before in this transaction */
        id = s->duty.id + 1;
        memcpy(prev, s->duty.hash, sizeof prev);
    } else { /* the head and the last checkpoint's seq in one statement (one round trip) */
        db_stmt *st = store_stmt(s, "SELECT h.id, h.hash, (SELECT max(seq) FROM duty_checkpoints)"
                                    " FROM (SELECT 1 AS one) o LEFT JOIN"
                                    " (SELECT id, hash FROM duty_log ORDER BY id DESC LIMIT 1) h ON 1 = 1");
        if (!st)
            return KW_ERR_STORE;
        if (db_step(st) != DB_ROW) {
            snprintf(s->err, sizeof s->err, "%s", db_errmsg(s->db));
            db_reset(st);
            return KW_ERR_STORE;
        }
        if (!db_col_null(st, 0)) {
            id = db_col_int64(st, 0) + 1;
            snprintf(prev, sizeof prev, "%s", col_text(st, 1) ? col_text(st, 1) : "");
        }
        if (!s->duty.cp) {
            s->duty.cp = true;
            s->duty.cp_rc = db_col_null(st, 2) ? KW_ERR_NOTFOUND : KW_OK;
            s->duty.cp_seq = db_col_null(st, 2) ? 0 : db_col_int64(st, 2);
        }
        db_reset(st);
    }
    if ((rc = checkpoint_around(s, ts_ms, id, true)) != KW_OK)
        return rc;
    duty_entry e = {id, ts_ms, alert_id, kind, actor, text, prev, link, DUTY_SCHEME_HMAC};
    duty_link_keyed(&e, duty_keys_hmac(k), link);
    s->duty.head = false; /* until it is in */
    if ((rc = insert_entry(s, &e)) != KW_OK)
        return rc;
    cache_check(s);
    s->duty.head = true;
    s->duty.id = id;
    memcpy(s->duty.hash, link, sizeof s->duty.hash);
    return checkpoint_around(s, ts_ms, id, false);
}


kw_rc store_duty_append(kw_store *s, int64_t ts_ms, const char *kind, const char *actor, int64_t alert_id,
                        const char *text)
{
    /* the link covers what is stored, and PostgreSQL stores UTF-8 only: both backends keep an
     * invalid byte (a name from a log line) as U+FFFD */
    char *k = kw_utf8_fix(kind), *a = kw_utf8_fix(actor), *t = kw_utf8_fix(text);
    bool own = false;
    kw_rc rc = duty_tx_begin(s, &own);
    if (rc == KW_OK)
        rc = duty_tx_end(s, own, append_keyed(s, ts_ms, k ? k : kind, a ? a : actor, alert_id, t ? t : text));
    free(k);
    free(a);
    free(t);
    return rc;
}

/* ---- verification ---- */

static bool broken(store_duty_check *c, int64_t id, const char *why)
{
    snprintf(c->why, sizeof c->why, "%s", why);
    c->bad_id = id > 0 ? id : 1; /* the anchor at 0 stands for the first entry */
    return false;
}

/* The first call of a full check: how many plain-hash entries the first checkpoint anchors,
 * and the keys (none: a log from before keys, all plain). */
static kw_rc check_start(kw_store *s, store_duty_check *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->last_hash, sizeof c->last_hash, "%s", DUTY_GENESIS);
    c->cp_seq = -1;
    c->started = true;
    c->keyed = duty_key_exists(s);
    kw_rc rc = KW_OK;
    if (c->keyed && !duty_keys_for(s, false, &rc))
        return rc;
    duty_checkpoint first;
    db_stmt *st = store_stmt(s, "SELECT " DUTY_CP_COLS " FROM duty_checkpoints ORDER BY seq LIMIT 1");
    if (!st)
        return KW_ERR_STORE;
    int r = db_step(st);
    if (r == DB_ROW)
        duty_row_checkpoint(st, &first);
    db_reset(st);
    /* no checkpoint: a log from before the keys is all plain; one with keys lost its anchor */
    c->legacy = r == DB_ROW ? first.legacy : c->keyed ? 0 : INT64_MAX;
    if (r == DB_ROW && !c->keyed) {
        snprintf(s->err, sizeof s->err, "the duty log is signed but its key file is missing (duty.key_file)");
        return KW_ERR_IO;
    }
    return r == DB_ROW || r == DB_DONE ? KW_OK : KW_ERR_STORE;
}

/* Checkpoint cp, met after entry c->entries. */
static bool checkpoint_ok(kw_store *s, store_duty_check *c, const duty_checkpoint *cp)
{
    kw_rc rc;
    const duty_keys *k = duty_keys_for(s, false, &rc);
    char why[256], d[65];
    if (!k || !duty_keys_verify(k, cp)) {
        snprintf(why, sizeof why, "checkpoint at entry %lld: the signature is not good (forged or changed)",
                 (long long)cp->seq);
        return broken(c, cp->seq, why);
    }
    duty_hex(c->digest, 32, d);
    if (cp->legacy != c->legacy || cp->from != (c->cp_seq < 0 ? 0 : c->cp_seq) || strcmp(cp->head, c->last_hash) ||
        strcmp(cp->digest, d)) {
        snprintf(why, sizeof why, "entries %lld to %lld do not match their signed checkpoint (rewritten)",
                 (long long)cp->from + 1, (long long)cp->seq);
        return broken(c, cp->from + 1, why);
    }
    c->cp_seq = cp->seq;
    memset(c->digest, 0, sizeof c->digest);
    return true;
}

/* Steps cps (checkpoints after c->cp_seq) past those at or before entry c->entries. r is the
 * last step's result, kept between calls; *cp the row it read. */
static bool checkpoints_upto(kw_store *s, store_duty_check *c, db_stmt *cps, int *r, duty_checkpoint *cp)
{
    while (*r == DB_ROW && cp->seq <= c->entries) {
        if (cp->seq < c->entries)
            return broken(c, cp->seq, "a checkpoint names an entry already past (checkpoints reordered)");
        if (!checkpoint_ok(s, c, cp))
            return false;
        if ((*r = db_step(cps)) == DB_ROW)
            duty_row_checkpoint(cps, cp);
    }
    return true;
}

static kw_rc check_rows(kw_store *s, store_duty_check *c)
{
    db_stmt *cps = store_stmt(s, "SELECT " DUTY_CP_COLS " FROM duty_checkpoints WHERE seq > ? ORDER BY seq");
    db_stmt *st = duty_entries_stmt(s); /* a read at a time, in this check's snapshot */
    if (!cps || !st)
        return KW_ERR_STORE;
    db_bind_int64(cps, 1, c->cp_seq);
    int got = -1;
    duty_checkpoint cp;
    int r = db_step(cps), er = DB_DONE;
    if (r == DB_ROW)
        duty_row_checkpoint(cps, &cp);
    kw_rc krc;
    const duty_keys *k = c->keyed ? duty_keys_for(s, false, &krc) : NULL;
    bool ok = checkpoints_upto(s, c, cps, &r, &cp);
    while (ok && (er = duty_entries_next(st, c->entries, &got)) == DB_ROW) {
        duty_entry e = duty_row_entry(st);
        if (!duty_entry_ok(k, c->legacy, c->entries + 1, c->last_hash, &e, c->why, sizeof c->why)) {
            c->bad_id = c->entries + 1;
            ok = false;
            break;
        }
        duty_digest_add(c->digest, &e);
        snprintf(c->last_hash, sizeof c->last_hash, "%s", e.hash);
        c->entries++;
        ok = checkpoints_upto(s, c, cps, &r, &cp);
    }
    if (ok && r == DB_ROW) {
        snprintf(c->why, sizeof c->why, "a checkpoint names entry %lld but the log ends at %lld (entries removed from "
                 "the end)", (long long)cp.seq, (long long)c->entries);
        c->bad_id = c->entries + 1;
    }
    db_reset(st);
    db_reset(cps);
    return r == DB_ERROR || r == DB_BUSY || er == DB_ERROR || er == DB_BUSY ? KW_ERR_STORE : KW_OK;
}

/* The last entry checked must still be there as it was: the rest follow from it. */
static kw_rc check_last(kw_store *s, store_duty_check *c)
{
    if (!c->entries)
        return KW_OK;
    db_stmt *st = store_stmt(s, "SELECT hash FROM duty_log WHERE id = ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, c->entries);
    int r = db_step(st);
    bool same = r == DB_ROW && col_text(st, 0) && strcmp(col_text(st, 0), c->last_hash) == 0;
    db_reset(st);
    if (r == DB_ERROR || r == DB_BUSY)
        return KW_ERR_STORE;
    if (!same) {
        snprintf(c->why, sizeof c->why, r == DB_ROW ? "entry %lld was changed (its link is not the one checked)"
                                                        : "entry %lld is missing (deleted)",
                 (long long)c->entries);
        c->bad_id = c->entries;
    }
    return KW_OK;
}

/* The head record and the anchor: entries removed from the end, checkpoints removed. */
static void check_end(kw_store *s, store_duty_check *c)
{
    db_stmt *st = store_stmt(s, "SELECT value FROM meta WHERE key = 'duty_head'");
    char head[96] = "", want[96] = "";
    if (st && db_step(st) == DB_ROW && col_text(st, 0))
        snprintf(head, sizeof head, "%s", col_text(st, 0));
    if (st)
        db_reset(st);
    if (c->entries)
        snprintf(want, sizeof want, "%lld:%s", (long long)c->entries, c->last_hash);
    if (strcmp(head, want) != 0) {
        snprintf(c->why, sizeof c->why,
                 "the log ends at entry %lld but the last entry written was %s (entries removed from the end)",
                 (long long)c->entries, head[0] ? head : "none");
        c->bad_id = c->entries + 1;
    } else if (c->keyed && c->entries && c->cp_seq < 0) {
        broken(c, 1, "no signed checkpoint anchors the log (checkpoints removed)");
    }
}

kw_rc store_duty_verify_more(kw_store *s, store_duty_check *c)
{
    if (c->bad_id) /* broken stays broken until a full check (a zeroed c) says otherwise */
        return KW_ERR_PARSE;
    /* every read of one check in one snapshot: an entry appended (on another connection)
     * between reading the rows and reading meta.duty_head would look like a removed tail */
    bool own = !db_in_transaction(s->db);
    if (own && store_begin_read(s) != KW_OK)
        return KW_ERR_STORE;
    kw_rc rc = c->started ? check_last(s, c) : check_start(s, c);
    if (rc == KW_OK && !c->bad_id)
        rc = check_rows(s, c);
    if (rc == KW_OK && !c->bad_id)
        check_end(s, c);
    if (own) {
        store_release(s); /* the statements' reads end before the snapshot does */
        store_exec(s, "COMMIT");
    }
    if (rc != KW_OK)
        return rc;
    return c->bad_id ? KW_ERR_PARSE : KW_OK;
}

kw_rc store_duty_verify(kw_store *s, int64_t *bad_id, int64_t *entries, char *why, size_t whyn)
{
    store_duty_check c = {0};
    kw_rc rc = store_duty_verify_more(s, &c);
    *bad_id = c.bad_id;
    *entries = c.entries;
    snprintf(why, whyn, "%s", c.why);
    return rc;
}

kw_rc store_duty_head(kw_store *s, int64_t *seq, char hash[65])
{
    db_stmt *st = store_stmt(s, "SELECT id, hash FROM duty_log ORDER BY id DESC LIMIT 1");
    if (!st)
        return KW_ERR_STORE;
    int r = db_step(st);
    *seq = r == DB_ROW ? db_col_int64(st, 0) : 0;
    snprintf(hash, 65, "%s", r == DB_ROW && col_text(st, 1) ? col_text(st, 1) : DUTY_GENESIS);
    db_reset(st);
    return r == DB_ROW || r == DB_DONE ? KW_OK : KW_ERR_STORE;
}

void store_duty_head_text(kw_store *s, kw_buf *out)
{
    int64_t seq;
    char hash[65];
    if (store_duty_head(s, &seq, hash) == KW_OK)
        kw_buf_printf(out, "%lld:%.*s", (long long)seq, DUTY_SHORT_HEAD, hash);
}

kw_rc store_duty_link(kw_store *s, int64_t id, char hash[65])
{
    db_stmt *st = store_stmt(s, "SELECT hash FROM duty_log WHERE id = ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, id);
    int r = db_step(st);
    snprintf(hash, 65, "%s", r == DB_ROW && col_text(st, 0) ? col_text(st, 0) : "");
    db_reset(st);
    return r == DB_ROW ? KW_OK : r == DB_DONE ? KW_ERR_NOTFOUND : KW_ERR_STORE;
}

/* ---- reading ---- */

static kw_rc duty_rows(db_stmt *st, void (*fn)(void *, const store_duty_entry *), void *arg)
{
    int r;
    while ((r = db_step(st)) == DB_ROW) {
        duty_entry e = duty_row_entry(st);
        fn(arg, &e);
    }
    db_reset(st);
    return r == DB_DONE ? KW_OK : KW_ERR_STORE;
}

kw_rc store_duty_latest(kw_store *s, int64_t limit, int64_t before_id, void (*fn)(void *, const store_duty_entry *),
                        void *arg)
{
    db_stmt *st = store_stmt(s, "SELECT " DUTY_ENTRY_COLS " FROM duty_log WHERE id < ? ORDER BY id DESC LIMIT ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, before_id > 0 ? before_id : INT64_MAX);
    db_bind_int64(st, 2, limit);
    return duty_rows(st, fn, arg);
}

kw_rc store_duty_each(kw_store *s, int64_t from_ms, int64_t to_ms, void (*fn)(void *, const store_duty_entry *),
                      void *arg)
{
    db_stmt *st = store_stmt(s, "SELECT " DUTY_ENTRY_COLS " FROM duty_log WHERE ts >= ? AND ts < ? ORDER BY id");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, from_ms);
    db_bind_int64(st, 2, to_ms);
    return duty_rows(st, fn, arg);
}
