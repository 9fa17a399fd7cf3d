/* The duty log: append-only, each entry hash-chained to the one before. */
#include "store/store.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "core/kw_json.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* The canonical form: one JSON object, keys in this order, nulls for what is absent. */
static void canonical(const store_duty_entry *e, kw_buf *out)
{
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "id", e->id);
    kw_json_kv_int(&j, "ts", e->ts_ms);
    kw_json_kv_str(&j, "kind", e->kind);
    kw_json_kv_str(&j, "actor", e->actor);
    kw_json_key(&j, "alert");
    if (e->alert_id)
        kw_json_int(&j, e->alert_id);
    else
        kw_json_null(&j);
    kw_json_kv_str(&j, "text", e->text);
    kw_json_kv_str(&j, "prev", e->prev_hash);
    kw_json_obj_end(&j);
}

static void entry_hash(const store_duty_entry *e, char out[65])
{
    kw_buf b;
    kw_buf_init(&b, 0);
    canonical(e, &b);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    EVP_Digest(b.data, b.len, md, &n, EVP_sha256(), NULL);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    kw_buf_free(&b);
}

static const char *col_text(sqlite3_stmt *st, int i) { return (const char *)sqlite3_column_text(st, i); }

kw_rc store_duty_append(kw_store *s, int64_t ts_ms, const char *kind, const char *actor, int64_t alert_id,
                        const char *text)
{
    bool own = sqlite3_get_autocommit(s->db);
    if (own && store_begin(s) != KW_OK)
        return KW_ERR_STORE;
    kw_rc rc = KW_ERR_STORE;
    char prev[65] = GENESIS, hash[65];
    int64_t id = 1;
    sqlite3_stmt *st = store_stmt(s, "SELECT id, hash FROM duty_log ORDER BY id DESC LIMIT 1");
    if (!st)
        goto out;
    if (sqlite3_step(st) == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0) + 1;
        snprintf(prev, sizeof prev, "%s", col_text(st, 1) ? col_text(st, 1) : "");
    }
    sqlite3_reset(st);
    store_duty_entry e = {id, ts_ms, alert_id, kind, actor, text, prev, NULL};
    entry_hash(&e, hash);
    st = store_stmt(s, "INSERT INTO duty_log (id, ts, kind, actor, alert_id, text, prev_hash, hash) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st)
        goto out;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, ts_ms);
    store_bind_text(st, 3, kind);
    store_bind_text(st, 4, actor);
    if (alert_id)
        sqlite3_bind_int64(st, 5, alert_id);
    store_bind_text(st, 6, text);
    sqlite3_bind_text(st, 7, prev, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, hash, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (r != SQLITE_DONE)
        goto out;
    char head[96];
    snprintf(head, sizeof head, "%lld:%s", (long long)id, hash);
    st = store_stmt(s, "INSERT INTO meta (key, value) VALUES ('duty_head', ?) "
                       "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    if (!st)
        goto out;
    sqlite3_bind_text(st, 1, head, -1, SQLITE_TRANSIENT);
    r = sqlite3_step(st);
    sqlite3_reset(st);
    rc = r == SQLITE_DONE ? KW_OK : KW_ERR_STORE;
out:
    if (!own)
        return rc;
    if (rc == KW_OK)
        return store_commit(s);
    store_rollback(s);
    return rc;
}

kw_rc store_duty_verify_more(kw_store *s, store_duty_check *c)
{
    if (c->bad_id) /* broken stays broken until a full check (a zeroed c) says otherwise */
        return KW_ERR_PARSE;
    sqlite3_stmt *st;
    if (!c->entries) {
        snprintf(c->last_hash, sizeof c->last_hash, "%s", GENESIS);
    } else { /* the last entry checked must still be there as it was: the rest follow from it */
        if (!(st = store_stmt(s, "SELECT hash FROM duty_log WHERE id = ?")))
            return KW_ERR_STORE;
        sqlite3_bind_int64(st, 1, c->entries);
        int r = sqlite3_step(st);
        bool same = r == SQLITE_ROW && col_text(st, 0) && strcmp(col_text(st, 0), c->last_hash) == 0;
        sqlite3_reset(st);
        if (r == SQLITE_ERROR)
            return KW_ERR_STORE;
        if (!same) {
            snprintf(c->why, sizeof c->why, r == SQLITE_ROW ? "entry %lld was changed (its hash is not the one checked)"
                                                            : "entry %lld is missing (deleted)",
                     (long long)c->entries);
            c->bad_id = c->entries;
            return KW_ERR_PARSE;
        }
    }
    if (!(st = store_stmt(s, "SELECT id, ts, kind, actor, alert_id, text, prev_hash, hash "
                             "FROM duty_log WHERE id > ? ORDER BY id")))
        return KW_ERR_STORE;
    sqlite3_bind_int64(st, 1, c->entries);
    char hash[65];
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        store_duty_entry e = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 4),
                              col_text(st, 2), col_text(st, 3), col_text(st, 5), col_text(st, 6), col_text(st, 7)};
        int64_t expect = c->entries + 1;
        if (e.id != expect) {
            snprintf(c->why, sizeof c->why, "entry %lld is missing (deleted)", (long long)expect);
            c->bad_id = expect;
            break;
        }
        if (!e.prev_hash || strcmp(e.prev_hash, c->last_hash) != 0) {
            snprintf(c->why, sizeof c->why, "entry %lld does not follow entry %lld (an entry was removed or moved)",
                     (long long)e.id, (long long)(e.id - 1));
            c->bad_id = e.id;
            break;
        }
        entry_hash(&e, hash);
        if (!e.hash || strcmp(e.hash, hash) != 0) {
            snprintf(c->why, sizeof c->why, "entry %lld was changed (its hash does not match its content)",
                     (long long)e.id);
            c->bad_id = e.id;
            break;
        }
        snprintf(c->last_hash, sizeof c->last_hash, "%s", hash);
        c->entries++;
    }
    sqlite3_reset(st);
    if (r == SQLITE_ERROR)
        return KW_ERR_STORE;
    if (c->bad_id)
        return KW_ERR_PARSE;
    /* the head record: entries removed from the end */
    st = store_stmt(s, "SELECT value FROM meta WHERE key = 'duty_head'");
    if (!st)
        return KW_ERR_STORE;
    char head[96] = "", want[96] = "";
    if (sqlite3_step(st) == SQLITE_ROW && col_text(st, 0))
        snprintf(head, sizeof head, "%s", col_text(st, 0));
    sqlite3_reset(st);
    if (c->entries)
        snprintf(want, sizeof want, "%lld:%s", (long long)c->entries, c->last_hash);
    if (strcmp(head, want) != 0) {
        snprintf(c->why, sizeof c->why,
                 "the log ends at entry %lld but the last entry written was %s (entries removed from the end)",
                 (long long)c->entries, head[0] ? head : "none");
        c->bad_id = c->entries + 1;
        return KW_ERR_PARSE;
    }
    return KW_OK;
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

static kw_rc duty_rows(kw_store *s, sqlite3_stmt *st, void (*fn)(void *, const store_duty_entry *), void *arg);

kw_rc store_duty_latest(kw_store *s, int64_t limit, int64_t before_id, void (*fn)(void *, const store_duty_entry *),
                        void *arg)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT id, ts, kind, actor, alert_id, text, prev_hash, hash FROM duty_log "
                                     "WHERE id < ? ORDER BY id DESC LIMIT ?");
    if (!st)
        return KW_ERR_STORE;
    sqlite3_bind_int64(st, 1, before_id > 0 ? before_id : INT64_MAX);
    sqlite3_bind_int64(st, 2, limit);
    return duty_rows(s, st, fn, arg);
}

kw_rc store_duty_each(kw_store *s, int64_t from_ms, int64_t to_ms, void (*fn)(void *, const store_duty_entry *),
                      void *arg)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT id, ts, kind, actor, alert_id, text, prev_hash, hash FROM duty_log "
                                     "WHERE ts >= ? AND ts < ? ORDER BY id");
    if (!st)
        return KW_ERR_STORE;
    sqlite3_bind_int64(st, 1, from_ms);
    sqlite3_bind_int64(st, 2, to_ms);
    return duty_rows(s, st, fn, arg);
}

static kw_rc duty_rows(kw_store *s, sqlite3_stmt *st, void (*fn)(void *, const store_duty_entry *), void *arg)
{
    (void)s;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        store_duty_entry e = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 4),
                              col_text(st, 2), col_text(st, 3), col_text(st, 5), col_text(st, 6), col_text(st, 7)};
        fn(arg, &e);
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE ? KW_OK : KW_ERR_STORE;
}

kw_rc store_duty_handover(kw_store *s, int64_t now_ms, int64_t since_ms, const char *by, const char *to,
                          const char *note)
{
    if (since_ms <= 0) {
        int64_t last = store_query_int(s, "SELECT max(ts) FROM duty_log WHERE kind = ?", "handover");
        since_ms = last > 0 ? last + 1 : now_ms - 12 * 3600000LL; /* after the last handover itself */
    }
    sqlite3_stmt *st = store_stmt(s, "SELECT count(*) FROM duty_log WHERE ts >= ? AND ts <= ?");
    if (!st)
        return KW_ERR_STORE;
    sqlite3_bind_int64(st, 1, since_ms);
    sqlite3_bind_int64(st, 2, now_ms);
    int64_t entries = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    int64_t counts[4] = {0};
    if (store_alert_counts(s, counts) != KW_OK)
        return KW_ERR_STORE;
    kw_buf t;
    kw_buf_init(&t, 20000);
    kw_buf_printf(&t, "handover%s%s: %lld open (%lld not acknowledged), %lld log entries since the last",
                  to ? " to " : "", to ? to : "", (long long)(counts[ALERT_FIRING] + counts[ALERT_ACKED]),
                  (long long)counts[ALERT_FIRING], (long long)entries);
    if (note && *note)
        kw_buf_printf(&t, "; %s", note);
    kw_rc rc = t.overflow ? KW_ERR_FULL : store_duty_append(s, now_ms, "handover", by, 0, kw_buf_cstr(&t));
    kw_buf_free(&t);
    return rc;
}
