/* The alerts tables: one row per alert, one history row per state change. */
#include "store/store.h"
#include "core/kw_json.h"
#include "core/kw_mem.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static kw_rc step_done(kw_store *s, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return KW_OK;
    snprintf(s->err, sizeof s->err, "%s", sqlite3_errmsg(s->db));
    return KW_ERR_STORE;
}

/* Steps an UPDATE: KW_ERR_NOTFOUND when it matched no row. */
static kw_rc step_changed(kw_store *s, sqlite3_stmt *st)
{
    if (step_done(s, st) != KW_OK)
        return KW_ERR_STORE;
    return sqlite3_changes(s->db) ? KW_OK : KW_ERR_NOTFOUND;
}

static void bind_real(sqlite3_stmt *st, int i, double v)
{
    if (isfinite(v))
        sqlite3_bind_double(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

static kw_rc history_add(kw_store *s, int64_t alert_id, int64_t at, const char *action, const char *actor,
                         const char *note, double value)
{
    sqlite3_stmt *st = store_stmt(s, "INSERT INTO alert_history (alert_id, at, action, actor, note, value) "
                                     "VALUES (?, ?, ?, ?, ?, ?)");
    if (!st)
        return KW_ERR_STORE;
    sqlite3_bind_int64(st, 1, alert_id);
    sqlite3_bind_int64(st, 2, at);
    sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
    store_bind_text(st, 4, actor);
    store_bind_text(st, 5, note);
    bind_real(st, 6, value);
    kw_rc rc = step_done(s, st);
    if (rc != KW_OK || strcmp(action, "updated") == 0)
        return rc;
    /* every change a person would review later goes to the duty log, in the same transaction */
    char kind[48];
    snprintf(kind, sizeof kind, "alert.%s", action);
    return store_duty_append(s, at, kind, actor, alert_id, note);
}

kw_rc store_alert_apply(kw_store *s, alert_act *a)
{
    sqlite3_stmt *st;
    kw_rc rc;
    switch (a->kind) {
    case ALERT_ACT_FIRE:
        st = store_stmt(s, "INSERT INTO alerts (fingerprint, rule, state, severity, summary, labels, details,"
                           " value, peak, threshold, started_at, updated_at) "
                           "VALUES (?, ?, 'firing', ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        if (!st)
            return KW_ERR_STORE;
        sqlite3_bind_text(st, 1, a->fingerprint, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, a->rule, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, a->severity);
        sqlite3_bind_text(st, 4, a->summary ? a->summary : a->rule, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, a->labels_json, -1, SQLITE_STATIC);
        store_bind_text(st, 6, a->details_json);
        bind_real(st, 7, a->value);
        bind_real(st, 8, a->peak);
        bind_real(st, 9, a->threshold);
        sqlite3_bind_int64(st, 10, a->started_ms);
        sqlite3_bind_int64(st, 11, a->at_ms);
        if (step_done(s, st) != KW_OK) {
            /* an open alert with this fingerprint already exists: adopt it */
            a->alert_id = store_alert_open_id(s, a->fingerprint);
            if (!a->alert_id)
                return KW_ERR_STORE;
            a->kind = ALERT_ACT_UPDATE;
            return store_alert_apply(s, a);
        }
        a->alert_id = sqlite3_last_insert_rowid(s->db);
        return history_add(s, a->alert_id, a->at_ms, "fired", "keepwatch", a->summary, a->value);
    case ALERT_ACT_UPDATE:
        st = store_stmt(s, "UPDATE alerts SET value = ?, peak = ?, summary = coalesce(?, summary), updated_at = ? "
                           "WHERE id = ? AND state != 'resolved'");
        if (!st)
            return KW_ERR_STORE;
        bind_real(st, 1, a->value);
        bind_real(st, 2, a->peak);
        store_bind_text(st, 3, a->summary);
        sqlite3_bind_int64(st, 4, a->at_ms);
        sqlite3_bind_int64(st, 5, a->alert_id);
        if ((rc = step_changed(s, st)) != KW_OK)
            return rc;
        return a->history ? history_add(s, a->alert_id, a->at_ms, "updated", "keepwatch", a->summary, a->peak)
                          : KW_OK;
    case ALERT_ACT_RESOLVE:
        st = store_stmt(s, "UPDATE alerts SET state = 'resolved', value = ?, resolved_at = ?, resolved_by = 'keepwatch',"
                           " resolve_reason = ?, updated_at = ? WHERE id = ? AND state != 'resolved'");
        if (!st)
            return KW_ERR_STORE;
        bind_real(st, 1, a->value);
        sqlite3_bind_int64(st, 2, a->at_ms);
        store_bind_text(st, 3, a->reason);
        sqlite3_bind_int64(st, 4, a->at_ms);
        sqlite3_bind_int64(st, 5, a->alert_id);
        if ((rc = step_changed(s, st)) != KW_OK)
            return rc;
        return history_add(s, a->alert_id, a->at_ms, "resolved", "keepwatch", a->reason, a->value);
    case ALERT_ACT_REOPEN:
        st = store_stmt(s, "UPDATE alerts SET state = 'firing', value = ?, peak = max(coalesce(peak, ?), ?),"
                           " summary = coalesce(?, summary), resolved_at = NULL, resolved_by = NULL,"
                           " resolve_reason = NULL, acked_at = NULL, acked_by = NULL, ack_note = NULL,"
                           " flaps = flaps + 1, updated_at = ? WHERE id = ? AND state = 'resolved'"
                           " AND resolved_by = 'keepwatch'");
        if (!st)
            return KW_ERR_STORE;
        bind_real(st, 1, a->value);
        bind_real(st, 2, a->value);
        bind_real(st, 3, a->value);
        store_bind_text(st, 4, a->summary);
        sqlite3_bind_int64(st, 5, a->at_ms);
        sqlite3_bind_int64(st, 6, a->alert_id);
        if ((rc = step_changed(s, st)) != KW_OK)
            return rc;
        return history_add(s, a->alert_id, a->at_ms, "reopened", "keepwatch", "fired again within the flap window",
                           a->value);
    }
    return KW_ERR_PARSE;
}

int64_t store_alert_open_id(kw_store *s, const char *fingerprint)
{
    return store_query_int(s, "SELECT id FROM alerts WHERE fingerprint = ? AND state != 'resolved'", fingerprint);
}

kw_rc store_alert_each_open(kw_store *s, void (*fn)(void *, const alert_open *), void *arg)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT id, fingerprint, rule, labels, peak, started_at, severity FROM alerts "
                                     "WHERE state != 'resolved' ORDER BY id");
    if (!st)
        return KW_ERR_STORE;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        alert_open a;
        memset(&a, 0, sizeof a);
        a.id = sqlite3_column_int64(st, 0);
        kw_strlcpy(a.fingerprint, (const char *)sqlite3_column_text(st, 1), sizeof a.fingerprint);
        kw_strlcpy(a.rule, (const char *)sqlite3_column_text(st, 2), sizeof a.rule);
        a.labels_json = (char *)sqlite3_column_text(st, 3);
        a.peak = sqlite3_column_double(st, 4);
        a.started_ms = sqlite3_column_int64(st, 5);
        a.severity = sqlite3_column_int(st, 6);
        fn(arg, &a);
    }
    return rc == SQLITE_DONE ? KW_OK : KW_ERR_STORE;
}

static kw_rc alert_state_of(kw_store *s, int64_t id, int *state)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT state FROM alerts WHERE id = ?");
    if (!st)
        return KW_ERR_STORE;
    sqlite3_bind_int64(st, 1, id);
    kw_rc rc = KW_ERR_NOTFOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *state = alert_state_parse((const char *)sqlite3_column_text(st, 0));
        rc = KW_OK;
    }
    sqlite3_reset(st);
    return rc;
}

/* Moves alert id from one of the states in `from` (SQL list) to `to`, with a history row. */
static kw_rc alert_transition(kw_store *s, int64_t id, const char *sql, const char *action, const char *by,
                              const char *note, int64_t now, int *state_out)
{
    if (store_begin(s) != KW_OK)
        return KW_ERR_STORE;
    kw_rc rc = alert_state_of(s, id, state_out);
    if (rc != KW_OK)
        goto out;
    sqlite3_stmt *st = store_stmt(s, sql);
    if (!st) {
        rc = KW_ERR_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, now);
    store_bind_text(st, 2, by);
    store_bind_text(st, 3, note);
    sqlite3_bind_int64(st, 4, id);
    if ((rc = step_changed(s, st)) != KW_OK) {
        if (rc == KW_ERR_NOTFOUND)
            rc = KW_ERR_RANGE; /* the alert exists (checked above) but is not in a state that allows this */
        goto out;
    }
    rc = history_add(s, id, now, action, by, note, NAN);
out:
    if (rc == KW_OK)
        return store_commit(s);
    store_rollback(s);
    return rc;
}

kw_rc store_alert_ack(kw_store *s, int64_t id, const char *by, const char *note, int64_t now_ms, int *state_out)
{
    return alert_transition(s, id,
                            "UPDATE alerts SET state = 'acked', acked_at = ?1, acked_by = ?2, ack_note = ?3,"
                            " updated_at = ?1 WHERE id = ?4 AND state = 'firing'",
                            "acknowledged", by, note, now_ms, state_out);
}

kw_rc store_alert_resolve(kw_store *s, int64_t id, const char *by, const char *note, int64_t now_ms,
                          int *state_out)
{
    return alert_transition(s, id,
                            "UPDATE alerts SET state = 'resolved', resolved_at = ?1, resolved_by = ?2,"
                            " resolve_reason = coalesce(?3, 'resolved by hand'), updated_at = ?1"
                            " WHERE id = ?4 AND state != 'resolved'",
                            "resolved", by, note, now_ms, state_out);
}

kw_rc store_alert_assign(kw_store *s, int64_t id, const char *assignee, const char *by, int64_t now_ms,
                         int *state_out)
{
    if (assignee && !*assignee)
        assignee = NULL;
    return alert_transition(s, id, "UPDATE alerts SET assignee = ?3, updated_at = ?1 WHERE id = ?4 AND state != 'resolved'",
                            assignee ? "assigned" : "unassigned", by, assignee, now_ms, state_out);
}

kw_rc store_alert_comment(kw_store *s, int64_t id, const char *by, const char *text, int64_t now_ms)
{
    int state;
    return alert_transition(s, id, "UPDATE alerts SET updated_at = ?1 WHERE id = ?4", "commented", by, text, now_ms,
                            &state);
}

#define ALERT_COLS "id, fingerprint, rule, state, severity, summary, labels, details, value, peak, threshold," \
                   " started_at, updated_at, acked_at, acked_by, ack_note, resolved_at, resolved_by," \
                   " resolve_reason, flaps, assignee"

static void col_time(kw_json *j, sqlite3_stmt *st, int i, const char *key)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return;
    kw_json_kv_time(j, key, sqlite3_column_int64(st, i));
}

static void col_text(kw_json *j, sqlite3_stmt *st, int i, const char *key)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return;
    kw_json_key(j, key);
    kw_json_strn(j, (const char *)sqlite3_column_text(st, i), (size_t)sqlite3_column_bytes(st, i));
}

static void col_real(kw_json *j, sqlite3_stmt *st, int i, const char *key)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return;
    kw_json_kv_num(j, key, sqlite3_column_double(st, i));
}

/* Stored JSON columns (labels, details) are written by keepwatch itself, so they are valid. */
static void col_json(kw_json *j, sqlite3_stmt *st, int i, const char *key)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return;
    kw_json_key(j, key);
    kw_json_raw(j, (const char *)sqlite3_column_text(st, i));
}

static void alert_row_json(kw_json *j, sqlite3_stmt *st)
{
    kw_json_kv_int(j, "id", sqlite3_column_int64(st, 0));
    col_text(j, st, 1, "fingerprint");
    col_text(j, st, 2, "rule");
    col_text(j, st, 3, "state");
    int sev = sqlite3_column_int(st, 4);
    kw_json_kv_int(j, "severity", sev);
    kw_json_kv_str(j, "severity_name", kw_severity_name(sev));
    col_text(j, st, 5, "summary");
    col_json(j, st, 6, "labels");
    col_json(j, st, 7, "details");
    col_real(j, st, 8, "value");
    col_real(j, st, 9, "peak");
    col_real(j, st, 10, "threshold");
    col_time(j, st, 11, "started_at");
    col_time(j, st, 12, "updated_at");
    col_time(j, st, 13, "acked_at");
    col_text(j, st, 14, "acked_by");
    col_text(j, st, 15, "ack_note");
    col_time(j, st, 16, "resolved_at");
    col_text(j, st, 17, "resolved_by");
    col_text(j, st, 18, "resolve_reason");
    kw_json_kv_int(j, "flaps", sqlite3_column_int64(st, 19));
    col_text(j, st, 20, "assignee");
}

kw_rc store_alert_list_json(kw_store *s, const store_alert_query *q, kw_buf *out)
{
    /* one statement per combination of filters (at most 16), each cached by its text */
    char sql[640];
    snprintf(sql, sizeof sql, "SELECT " ALERT_COLS " FROM alerts WHERE id < ?2%s%s%s%s ORDER BY id DESC LIMIT ?3",
             q->state == -1 ? " AND state != 'resolved'" : q->state ? " AND state = ?1" : "",
             q->min_severity > 0 ? " AND severity >= ?4" : "",
             q->text ? " AND (instr(lower(summary), lower(?5)) > 0 OR instr(lower(rule), lower(?5)) > 0)" : "",
             !q->assignee ? "" : *q->assignee ? " AND assignee = ?6" : " AND assignee IS NULL");
    sqlite3_stmt *st = store_stmt(s, sql);
    if (!st)
        return KW_ERR_STORE;
    if (q->state > 0)
        sqlite3_bind_text(st, 1, alert_state_name(q->state), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, q->before_id > 0 ? q->before_id : INT64_MAX);
    sqlite3_bind_int64(st, 3, q->limit > 0 ? q->limit : 100);
    if (q->min_severity > 0)
        sqlite3_bind_int(st, 4, q->min_severity);
    if (q->text)
        sqlite3_bind_text(st, 5, q->text, -1, SQLITE_TRANSIENT);
    if (q->assignee && *q->assignee)
        sqlite3_bind_text(st, 6, q->assignee, -1, SQLITE_TRANSIENT);
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kw_json_key(&j, "alerts");
    kw_json_arr_begin(&j);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        kw_json_obj_begin(&j);
        alert_row_json(&j, st);
        kw_json_obj_end(&j);
    }
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
    return rc == SQLITE_DONE ? KW_OK : KW_ERR_STORE;
}

kw_rc store_alert_get_json(kw_store *s, int64_t id, kw_buf *out)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT " ALERT_COLS " FROM alerts WHERE id = ?");
    if (!st)
        return KW_ERR_STORE;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return KW_ERR_NOTFOUND;
    }
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    alert_row_json(&j, st);
    sqlite3_reset(st);
    sqlite3_stmt *h = store_stmt(s, "SELECT at, action, actor, note, value FROM alert_history "
                                    "WHERE alert_id = ? ORDER BY id");
    if (!h)
        return KW_ERR_STORE;
    sqlite3_bind_int64(h, 1, id);
    kw_json_key(&j, "history");
    kw_json_arr_begin(&j);
    while (sqlite3_step(h) == SQLITE_ROW) {
        kw_json_obj_begin(&j);
        col_time(&j, h, 0, "at");
        col_text(&j, h, 1, "action");
        col_text(&j, h, 2, "actor");
        col_text(&j, h, 3, "note");
        col_real(&j, h, 4, "value");
        kw_json_obj_end(&j);
    }
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
    return KW_OK;
}

kw_rc store_alert_counts(kw_store *s, int64_t counts[4])
{
    /* called every second: open states are index ranges, and since alerts are never deleted
     * the resolved ones are all the others, so no scan of the ever-growing history */
    memset(counts, 0, 4 * sizeof counts[0]);
    counts[ALERT_FIRING] = store_query_int(s, "SELECT count(*) FROM alerts WHERE state = ?", "firing");
    counts[ALERT_ACKED] = store_query_int(s, "SELECT count(*) FROM alerts WHERE state = ?", "acked");
    int64_t total = store_query_int(s, "SELECT coalesce(max(id), 0) FROM alerts", NULL);
    counts[ALERT_RESOLVED] = total - counts[ALERT_FIRING] - counts[ALERT_ACKED];
    return KW_OK;
}

kw_rc store_alert_times_each(kw_store *s, int64_t from_ms, int64_t to_ms,
                             void (*fn)(void *, const store_alert_times *), void *arg)
{
    sqlite3_stmt *st = store_stmt(s, "SELECT severity, acked_by, started_at, coalesce(acked_at, 0),"
                                     " coalesce(resolved_at, 0) FROM alerts WHERE started_at >= ? AND started_at < ?");
    if (!st)
        return KW_ERR_STORE;
    sqlite3_bind_int64(st, 1, from_ms);
    sqlite3_bind_int64(st, 2, to_ms);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_alert_times t = {sqlite3_column_int(st, 0), (const char *)sqlite3_column_text(st, 1),
                               sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4)};
        fn(arg, &t);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? KW_OK : KW_ERR_STORE;
}
