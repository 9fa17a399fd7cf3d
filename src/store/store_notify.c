/* The notification tables: the engine's cursor, groups and members, the outbox and the
 * silences (schema in store.c, migration 4). Each function is one statement or a short
 * read-then-write on the caller's transaction; the engine decides, this file only stores. */
#include "store/store_notify.h"
#include "core/kw_buf.h"
#include "core/kw_mem.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Steps a statement that returns no rows, then resets it. */
static kw_rc run(kw_store *s, db_stmt *st)
{
    kw_rc rc = db_step(st) == DB_DONE ? KW_OK : KW_ERR_STORE;
    if (rc != KW_OK)
        snprintf(s->err, sizeof s->err, "%s", db_errmsg(s->db));
    db_reset(st);
    return rc;
}

/* Prepares sql, binds v[0..n) as integers and steps it (a write: no rows). */
static kw_rc run_ints(kw_store *s, const char *sql, size_t n, const int64_t *v)
{
    db_stmt *st = store_stmt(s, sql);
    if (!st)
        return KW_ERR_STORE;
    for (size_t i = 0; i < n; i++)
        db_bind_int64(st, (int)i + 1, v[i]);
    return run(s, st);
}

static void bind_id(db_stmt *st, int i, int64_t v)
{
    if (v)
        db_bind_int64(st, i, v);
    else
        db_bind_null(st, i);
}

static int64_t col_ms(db_stmt *st, int i)
{
    return db_col_null(st, i) ? 0 : db_col_int64(st, i);
}

static const char *col_text(db_stmt *st, int i) { return db_col_text(st, i); }

/* ---- the cursor ---- */

int64_t store_meta_int(kw_store *s, const char *key, bool *found)
{
    db_stmt *st = store_stmt(s, "SELECT value FROM meta WHERE key = ?");
    *found = false;
    if (!st)
        return 0;
    db_bind_text(st, 1, key);
    int64_t v = 0;
    if (db_step(st) == DB_ROW) {
        v = db_col_int64(st, 0);
        *found = true;
    }
    db_reset(st);
    return v;
}

kw_rc store_meta_put_int(kw_store *s, const char *key, int64_t v)
{
    db_stmt *st = store_stmt(s, "INSERT INTO meta (key, value) VALUES (?, ?) "
                                "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    if (!st)
        return KW_ERR_STORE;
    char b[32];
    snprintf(b, sizeof b, "%lld", (long long)v);
    db_bind_text(st, 1, key);
    db_bind_text(st, 2, b);
    return run(s, st);
}

/* ---- alerts as notify reads them ---- */

kw_rc store_alert_changes_each(kw_store *s, int64_t after_id, int limit, void (*fn)(void *, const store_alert_change *),
                               void *arg)
{
    db_stmt *st = store_stmt(s, "SELECT h.id, h.alert_id, h.action, a.rule, a.summary, a.severity, a.started_at,"
                                " a.labels FROM alert_history h JOIN alerts a ON a.id = h.alert_id WHERE h.id > ? "
                                "AND h.action IN ('fired', 'reopened', 'acknowledged', 'resolved') ORDER BY h.id "
                                "LIMIT ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, after_id);
    db_bind_int64(st, 2, limit);
    while (db_step(st) == DB_ROW) {
        store_alert_change c = {.id = db_col_int64(st, 0), .alert_id = db_col_int64(st, 1),
                                .action = col_text(st, 2), .rule = col_text(st, 3), .summary = col_text(st, 4),
                                .severity = (int)db_col_int64(st, 5), .started_ms = db_col_int64(st, 6),
                                .labels_json = col_text(st, 7)};
        fn(arg, &c);
    }
    db_reset(st);
    return KW_OK;
}

kw_rc store_alert_each_open_view(kw_store *s, void (*fn)(void *, const store_alert_view *), void *arg)
{
    db_stmt *st = store_stmt(s, "SELECT id, rule, state, summary, severity, started_at, labels FROM alerts "
                                "WHERE state != 'resolved'");
    if (!st)
        return KW_ERR_STORE;
    while (db_step(st) == DB_ROW) {
        store_alert_view v = {.id = db_col_int64(st, 0), .rule = col_text(st, 1), .state = col_text(st, 2),
                              .summary = col_text(st, 3), .severity = (int)db_col_int64(st, 4),
                              .started_ms = db_col_int64(st, 5), .labels_json = col_text(st, 6)};
        fn(arg, &v);
    }
    db_reset(st);
    return KW_OK;
}

/* ---- silences ---- */

kw_rc store_silence_each(kw_store *s, store_silence_which which, int64_t now_ms,
                         void (*fn)(void *, const store_silence *), void *arg)
{
    static const char *const sql[] = {
        ("SELECT id, matchers, starts_ms, ends_ms, created_by, comment FROM silences "
         "WHERE starts_ms <= ?1 AND ends_ms > ?1 ORDER BY id"),
        "SELECT id, matchers, starts_ms, ends_ms, created_by, comment FROM silences WHERE ends_ms > ?1 ORDER BY id",
        "SELECT id, matchers, starts_ms, ends_ms, created_by, comment FROM silences ORDER BY id",
    };
    db_stmt *st = store_stmt(s, sql[which == STORE_SIL_ALL ? 2 : which == STORE_SIL_NOT_OVER ? 1 : 0]);
    if (!st)
        return KW_ERR_STORE;
    if (which != STORE_SIL_ALL)
        db_bind_int64(st, 1, now_ms);
    while (db_step(st) == DB_ROW) {
        store_silence v = {.id = db_col_int64(st, 0), .matchers_json = col_text(st, 1),
                           .starts_ms = db_col_int64(st, 2), .ends_ms = db_col_int64(st, 3),
                           .by = col_text(st, 4), .comment = col_text(st, 5)};
        if (v.matchers_json)
            fn(arg, &v);
    }
    db_reset(st);
    return KW_OK;
}

/* ---- groups and members ---- */

kw_rc store_notify_group_touch(kw_store *s, const char *key, const char *policy, int64_t wait_ms, int64_t interval_ms,
                               int64_t now_ms, int64_t *gid)
{
    db_stmt *st = store_stmt(s, "SELECT id, flush_ms, last_flush_ms FROM notify_groups WHERE gkey = ? AND closed = 0");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, key);
    if (db_step(st) == DB_ROW) {
        *gid = db_col_int64(st, 0);
        bool has_flush = !db_col_null(st, 1);
        int64_t last = col_ms(st, 2);
        db_reset(st);
        if (has_flush)
            return KW_OK; /* a flush is already due: this change joins it */
        int64_t at = last ? last + interval_ms : now_ms + wait_ms;
        return run_ints(s, "UPDATE notify_groups SET flush_ms = ? WHERE id = ?", 2,
                        (int64_t[]){at > now_ms ? at : now_ms, *gid});
    }
    db_reset(st);
    st = store_stmt(s, "INSERT INTO notify_groups (gkey, policy, opened_ms, flush_ms) VALUES (?, ?, ?, ?)"
                       " RETURNING id");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, key);
    db_bind_text(st, 2, policy);
    db_bind_int64(st, 3, now_ms);
    db_bind_int64(st, 4, now_ms + wait_ms);
    *gid = 0;
    return store_step_id(s, st, gid);
}

kw_rc store_notify_member_fire(kw_store *s, int64_t gid, int64_t aid)
{
    return run_ints(s, "INSERT INTO notify_members (group_id, alert_id, state, pending) "
                       "VALUES (?, ?, 'firing', 'fired') ON CONFLICT (group_id, alert_id) DO UPDATE "
                       "SET state = 'firing', pending = 'fired'",
                    2, (int64_t[]){gid, aid});
}

kw_rc store_notify_memberships(kw_store *s, int64_t alert_id, store_notify_membership *out, size_t max, size_t *n)
{
    *n = 0;
    db_stmt *st = store_stmt(s, "SELECT m.group_id, m.notified, g.policy FROM notify_members m "
                                "JOIN notify_groups g ON g.id = m.group_id WHERE m.alert_id = ? AND g.closed = 0");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, alert_id);
    while (*n < max && db_step(st) == DB_ROW) {
        out[*n].group_id = db_col_int64(st, 0);
        out[*n].notified = (int)db_col_int64(st, 1) != 0;
        out[(*n)++].policy = kw_strdup(col_text(st, 2));
    }
    db_reset(st);
    return KW_OK;
}

kw_rc store_notify_member_state(kw_store *s, int64_t gid, int64_t aid, const char *state, const char *pending)
{
    db_stmt *st = store_stmt(s, "UPDATE notify_members SET state = ?, pending = ?, held = NULL "
                                "WHERE group_id = ? AND alert_id = ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, state);
    db_bind_text(st, 2, pending);
    db_bind_int64(st, 3, gid);
    db_bind_int64(st, 4, aid);
    return run(s, st);
}

kw_rc store_notify_group_flush_soon(kw_store *s, int64_t gid, int64_t now_ms, int64_t delay_ms)
{
    return run_ints(s, "UPDATE notify_groups SET flush_ms = CASE WHEN ?1 > coalesce(last_flush_ms + ?2, 0) THEN ?1"
                       " ELSE coalesce(last_flush_ms + ?2, 0) END WHERE id = ?3 AND flush_ms IS NULL",
                    3, (int64_t[]){now_ms, delay_ms, gid});
}

kw_rc store_notify_groups_due(kw_store *s, int64_t now_ms, size_t max, int64_t **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    db_stmt *st = store_stmt(s, "SELECT id FROM notify_groups WHERE closed = 0 AND "
                                "(flush_ms <= ? OR escalate_ms <= ?) ORDER BY id LIMIT ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, now_ms);
    db_bind_int64(st, 2, now_ms);
    db_bind_int64(st, 3, (int64_t)max);
    size_t cap = 0;
    while (db_step(st) == DB_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 32;
            *ids = kw_realloc(*ids, cap * sizeof **ids);
        }
        (*ids)[(*n)++] = db_col_int64(st, 0);
    }
    db_reset(st);
    return KW_OK;
}

kw_rc store_notify_group_get(kw_store *s, int64_t id, store_notify_group *g)
{
    memset(g, 0, sizeof *g);
    db_stmt *st = store_stmt(s, "SELECT policy, flush_ms, escalate_ms, level, round FROM notify_groups WHERE id = ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, id);
    if (db_step(st) != DB_ROW) {
        db_reset(st);
        return KW_ERR_NOTFOUND;
    }
    g->id = id;
    g->policy = kw_strdup(col_text(st, 0));
    g->flush_ms = col_ms(st, 1);
    g->escalate_ms = col_ms(st, 2);
    g->level = (int)db_col_int64(st, 3);
    g->round = (int)db_col_int64(st, 4);
    db_reset(st);
    return KW_OK;
}

kw_rc store_notify_members_each(kw_store *s, int64_t gid, void (*fn)(void *, const store_notify_member *), void *arg)
{
    db_stmt *st = store_stmt(s, "SELECT m.alert_id, m.state, m.pending, m.notified, a.rule, a.summary, a.severity,"
                                " a.started_at, a.labels FROM notify_members m JOIN alerts a ON a.id = m.alert_id"
                                " WHERE m.group_id = ? ORDER BY m.alert_id");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, gid);
    while (db_step(st) == DB_ROW) {
        store_notify_member m = {.alert_id = db_col_int64(st, 0), .state = col_text(st, 1),
                                 .pending = col_text(st, 2), .notified = (int)db_col_int64(st, 3) != 0,
                                 .rule = col_text(st, 4), .summary = col_text(st, 5),
                                 .severity = (int)db_col_int64(st, 6), .started_ms = db_col_int64(st, 7),
                                 .labels_json = col_text(st, 8)};
        fn(arg, &m);
    }
    db_reset(st);
    return KW_OK;
}

kw_rc store_notify_member_set(kw_store *s, int64_t gid, int64_t aid, const char *pending, bool notified,
                              const char *held)
{
    db_stmt *st = store_stmt(s, "UPDATE notify_members SET pending = ?, notified = ?, held = ? "
                                "WHERE group_id = ? AND alert_id = ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, pending && *pending ? pending : NULL);
    db_bind_int64(st, 2, notified);
    db_bind_text(st, 3, held);
    db_bind_int64(st, 4, gid);
    db_bind_int64(st, 5, aid);
    return run(s, st);
}

kw_rc store_notify_group_close(kw_store *s, int64_t gid)
{
    return run_ints(s, "UPDATE notify_groups SET closed = 1 WHERE id = ?", 1, &gid);
}

kw_rc store_notify_group_update(kw_store *s, int64_t gid, int64_t flush_ms, int64_t last_flush_ms,
                                int64_t escalate_ms, int level, int round, bool closed)
{
    db_stmt *st = store_stmt(s, "UPDATE notify_groups SET flush_ms = ?, last_flush_ms = coalesce(?, last_flush_ms),"
                                " escalate_ms = ?, level = ?, round = ?, closed = ? WHERE id = ?");
    if (!st)
        return KW_ERR_STORE;
    bind_id(st, 1, flush_ms);
    bind_id(st, 2, last_flush_ms);
    bind_id(st, 3, escalate_ms);
    db_bind_int64(st, 4, level);
    db_bind_int64(st, 5, round);
    db_bind_int64(st, 6, closed);
    db_bind_int64(st, 7, gid);
    return run(s, st);
}

kw_rc store_notify_group_alert_ids(kw_store *s, int64_t gid, int64_t offset, size_t max, int64_t *ids, size_t *n,
                                   int64_t *total)
{
    *n = 0;
    char g[24];
    snprintf(g, sizeof g, "%lld", (long long)gid);
    *total = store_query_int(s, "SELECT count(*) FROM notify_members WHERE group_id = CAST(? AS BIGINT)", g);
    db_stmt *q = store_stmt(s, "SELECT alert_id FROM notify_members WHERE group_id = ? ORDER BY alert_id "
                               "LIMIT ? OFFSET ?");
    if (!q)
        return KW_ERR_STORE;
    db_bind_int64(q, 1, gid);
    db_bind_int64(q, 2, (int64_t)max);
    db_bind_int64(q, 3, offset);
    while (*n < max && db_step(q) == DB_ROW)
        ids[(*n)++] = db_col_int64(q, 0);
    db_reset(q);
    return KW_OK;
}

/* ---- the outbox ---- */

kw_rc store_outbox_add(kw_store *s, const store_outbox_msg *m, int64_t *id_out)
{
    db_stmt *st = store_stmt(s, "INSERT INTO notify_outbox (created_ms, channel, kind, group_id, alert_id, alerts,"
                                " people, message, next_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, m->created_ms);
    db_bind_text(st, 2, m->channel);
    db_bind_text(st, 3, m->kind);
    bind_id(st, 4, m->group_id);
    bind_id(st, 5, m->alert_id);
    db_bind_text(st, 6, m->alerts);
    db_bind_text(st, 7, m->people);
    db_bind_text(st, 8, m->message);
    db_bind_int64(st, 9, m->next_ms);
    int64_t id = 0;
    kw_rc rc = store_step_id(s, st, &id);
    if (id_out)
        *id_out = id;
    return rc;
}

kw_rc store_outbox_due_each(kw_store *s, const char *channel, int64_t now_ms, int limit,
                            void (*fn)(void *, const store_outbox_row *), void *arg)
{
    db_stmt *q = store_stmt(s, "SELECT id, message, attempts, created_ms, alerts, people, alert_id, kind, group_id "
                               "FROM notify_outbox WHERE state = 'pending' AND channel = ? AND next_ms <= ? "
                               "ORDER BY id LIMIT ?");
    if (!q)
        return KW_ERR_STORE;
    db_bind_text(q, 1, channel);
    db_bind_int64(q, 2, now_ms);
    db_bind_int64(q, 3, limit);
    while (db_step(q) == DB_ROW) {
        store_outbox_row r = {.id = db_col_int64(q, 0), .message = col_text(q, 1),
                              .attempts = (int)db_col_int64(q, 2), .created_ms = db_col_int64(q, 3),
                              .alerts = col_text(q, 4), .people = col_text(q, 5),
                              .alert_id = db_col_int64(q, 6),
                              .kind = col_text(q, 7), .group_id = db_col_int64(q, 8)};
        fn(arg, &r);
    }
    db_reset(q);
    return KW_OK;
}

kw_rc store_outbox_due_count(kw_store *s, const char *channel, int64_t now_ms, int64_t *n)
{
    *n = 0;
    db_stmt *q = store_stmt(s, "SELECT count(*) FROM notify_outbox WHERE state = 'pending' AND channel = ? "
                               "AND next_ms <= ?");
    if (!q)
        return KW_ERR_STORE;
    db_bind_text(q, 1, channel);
    db_bind_int64(q, 2, now_ms);
    if (db_step(q) == DB_ROW)
        *n = db_col_int64(q, 0);
    db_reset(q);
    return KW_OK;
}

kw_rc store_outbox_merge(kw_store *s, int64_t into, const int64_t *ids, size_t n)
{
    if (!n)
        return KW_OK;
    kw_buf u;
    kw_buf_init(&u, 0);
    kw_buf_printf(&u, "UPDATE notify_outbox SET state = 'merged', merged_into = %lld WHERE id IN (", (long long)into);
    for (size_t i = 0; i < n; i++)
        kw_buf_printf(&u, "%s%lld", i ? "," : "", (long long)ids[i]);
    kw_buf_puts(&u, ")");
    kw_rc rc = store_exec(s, kw_buf_cstr(&u));
    kw_buf_free(&u);
    return rc;
}

kw_rc store_outbox_claim(kw_store *s, int64_t id, int64_t now_ms, int64_t until_ms, int64_t epoch)
{
    db_stmt *q = store_stmt(s, "UPDATE notify_outbox SET next_ms = ?1 WHERE id = ?2 AND state = 'pending'"
                               " AND next_ms <= ?3"
                               " AND coalesce((SELECT epoch FROM keepwatch_leader WHERE id = 1), ?4) = ?4");
    if (!q)
        return KW_ERR_STORE;
    db_bind_int64(q, 1, until_ms);
    db_bind_int64(q, 2, id);
    db_bind_int64(q, 3, now_ms);
    db_bind_int64(q, 4, epoch);
    kw_rc rc = store_step_changed(s, q);
    db_reset(q);
    return rc;
}

kw_rc store_outbox_sent(kw_store *s, int64_t id, int64_t now_ms, int attempts)
{
    return run_ints(s, "UPDATE notify_outbox SET state = 'sent', sent_ms = ?, attempts = ?, last_error = NULL "
                       "WHERE id = ?",
                    3, (int64_t[]){now_ms, attempts, id});
}

kw_rc store_outbox_failed(kw_store *s, int64_t id, int attempts, int64_t next_ms, bool final, const char *why)
{
    db_stmt *q = store_stmt(s, "UPDATE notify_outbox SET attempts = ?, next_ms = ?, last_error = ?, "
                               "state = ? WHERE id = ?");
    if (!q)
        return KW_ERR_STORE;
    db_bind_int64(q, 1, attempts);
    db_bind_int64(q, 2, next_ms);
    db_bind_text(q, 3, why);
    db_bind_text(q, 4, final ? "failed" : "pending");
    db_bind_int64(q, 5, id);
    return run(s, q);
}

kw_rc store_outbox_counts(kw_store *s, int64_t by[4])
{
    static const char *const states[] = {"pending", "sent", "failed", "merged"};
    memset(by, 0, 4 * sizeof *by);
    db_stmt *st = store_stmt(s, "SELECT state, count(*) FROM notify_outbox GROUP BY state");
    if (!st)
        return KW_ERR_STORE;
    while (db_step(st) == DB_ROW)
        for (int i = 0; i < 4; i++)
            if (strcmp(col_text(st, 0), states[i]) == 0)
                by[i] = db_col_int64(st, 1);
    db_reset(st);
    return KW_OK;
}

/* How many of a channel's messages are in state st (a sum of 0/1: no boolean arithmetic). */
#define OUTBOX_IS(st) "sum(CASE WHEN state = '" st "' THEN 1 ELSE 0 END)"

kw_rc store_outbox_channels_each(kw_store *s, void (*fn)(void *, const store_outbox_channel *), void *arg)
{
    db_stmt *q = store_stmt(s, "SELECT channel, " OUTBOX_IS("pending") ", " OUTBOX_IS("sent") ", " OUTBOX_IS("failed")
                               ", " OUTBOX_IS("merged") ", max(sent_ms), (SELECT last_error FROM notify_outbox o2 WHERE"
                               " o2.channel = o.channel AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1) "
                               "FROM notify_outbox o GROUP BY channel ORDER BY channel");
    if (!q)
        return KW_ERR_STORE;
    while (db_step(q) == DB_ROW) {
        store_outbox_channel c = {.channel = col_text(q, 0), .pending = db_col_int64(q, 1),
                                  .sent = db_col_int64(q, 2), .failed = db_col_int64(q, 3),
                                  .merged = db_col_int64(q, 4), .last_sent_ms = db_col_int64(q, 5),
                                  .last_error = col_text(q, 6)};
        fn(arg, &c);
    }
    db_reset(q);
    return KW_OK;
}

kw_rc store_notify_prune(kw_store *s, int64_t before_ms)
{
    char sql[512];
    long long before = (long long)before_ms;
    snprintf(sql, sizeof sql,
             "DELETE FROM notify_outbox WHERE state != 'pending' AND created_ms < %lld;"
             "DELETE FROM notify_members WHERE group_id IN (SELECT id FROM notify_groups WHERE closed = 1 AND "
             "opened_ms < %lld);"
             "DELETE FROM notify_groups WHERE closed = 1 AND opened_ms < %lld;"
             "DELETE FROM silences WHERE ends_ms < %lld;",
             before, before, before, before);
    return store_exec(s, sql);
}
