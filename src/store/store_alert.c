/* The alerts tables: one row per alert, one history row per state change. */
#include "store/store_int.h"
#include "store/store_rows.h"
#include "core/kw_json.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void bind_real(db_stmt *st, int i, double v)
{
    if (isfinite(v))
        db_bind_double(st, i, v);
    else
        db_bind_null(st, i);
}

static kw_rc history_add(kw_store *s, int64_t alert_id, int64_t at, const char *action, const char *actor,
                         const char *note, double value)
{
    db_stmt *st = store_stmt(s, "INSERT INTO alert_history (alert_id, at, action, actor, note, value) "
                                "VALUES (?, ?, ?, ?, ?, ?)");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, alert_id);
    db_bind_int64(st, 2, at);
    db_bind_text(st, 3, action);
    db_bind_text(st, 4, actor);
    db_bind_text(st, 5, note);
    bind_real(st, 6, value);
    kw_rc rc = store_step_ahead(s, st);
    if (rc != KW_OK || strcmp(action, "updated") == 0)
        return rc;
    /* every change a person would review later goes to the duty log, in the same transaction */
    char kind[48];
    snprintf(kind, sizeof kind, "alert.%s", action);
    return store_duty_append(s, at, kind, actor, alert_id, note);
}

/* The open alert an UPDATE or RESOLVE is for: its id (?5), or when that is 0 (a detector's
 * change, an alert fired while the store was away) the server's (?6) open alert with the
 * fingerprint (?7), found in the same statement. */
#define OPEN_ALERT_ID                                                                              \
    "coalesce(nullif(CAST(?5 AS BIGINT), 0), (SELECT o.id FROM alerts o WHERE o.server = ?6"        \
    " AND o.fingerprint = ?7 AND o.state != 'resolved'))"

/* Binds OPEN_ALERT_ID's parameters and steps st (UPDATE ... RETURNING id): a->alert_id is the
 * alert changed; KW_ERR_NOTFOUND when none was (resolved meanwhile, or never stored). */
static kw_rc step_open_alert(kw_store *s, db_stmt *st, alert_act *a)
{
    db_bind_int64(st, 5, a->alert_id);
    db_bind_text(st, 6, s->server);
    db_bind_text(st, 7, a->fingerprint);
    db_step_rc r = db_step(st);
    int64_t id = r == DB_ROW ? db_col_int64(st, 0) : 0;
    db_reset(st);
    if (r == DB_ERROR || r == DB_BUSY) {
        snprintf(s->err, sizeof s->err, "%s", db_errmsg(s->db));
        return KW_ERR_STORE;
    }
    if (!id)
        return KW_ERR_NOTFOUND;
    a->alert_id = id;
    return KW_OK;
}

kw_rc store_alert_apply(kw_store *s, alert_act *a)
{
    db_stmt *st;
    kw_rc rc;
    switch (a->kind) {
    case ALERT_ACT_FIRE:
        /* an open alert with this fingerprint may exist already (a person's restore raced the
         * engine): no row then, and it is adopted; a failed INSERT would end a PostgreSQL
         * transaction */
        st = store_stmt(s, "INSERT INTO alerts (fingerprint, rule, state, severity, summary, labels, details,"
                           " value, peak, threshold, started_at, updated_at, server) "
                           "VALUES (?, ?, 'firing', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                           " ON CONFLICT (server, fingerprint) WHERE state != 'resolved' DO NOTHING RETURNING id");
        if (!st)
            return KW_ERR_STORE;
        db_bind_text(st, 1, a->fingerprint);
        db_bind_text(st, 2, a->rule);
        db_bind_int64(st, 3, a->severity);
        db_bind_text(st, 4, a->summary ? a->summary : a->rule);
        db_bind_text(st, 5, a->labels_json);
        db_bind_text(st, 6, a->details_json);
        bind_real(st, 7, a->value);
        bind_real(st, 8, a->peak);
        bind_real(st, 9, a->threshold);
        db_bind_int64(st, 10, a->started_ms);
        db_bind_int64(st, 11, a->at_ms);
        db_bind_text(st, 12, s->server);
        db_step_rc frc = db_step(st);
        a->alert_id = frc == DB_ROW ? db_col_int64(st, 0) : 0;
        db_reset(st);
        if (frc == DB_ERROR || frc == DB_BUSY) {
            snprintf(s->err, sizeof s->err, "%s", db_errmsg(s->db));
            return KW_ERR_STORE;
        }
        if (!a->alert_id) {
            a->alert_id = store_alert_open_id(s, a->fingerprint);
            if (!a->alert_id) {
                snprintf(s->err, sizeof s->err, "alert %s: neither inserted nor open (%s)", a->fingerprint,
                         db_errmsg(s->db));
                return KW_ERR_STORE;
            }
            a->kind = ALERT_ACT_UPDATE;
            return store_alert_apply(s, a);
        }
        return history_add(s, a->alert_id, a->at_ms, "fired", "keepwatch", a->summary, a->value);
    case ALERT_ACT_UPDATE:
        st = store_stmt(s, "UPDATE alerts SET value = ?1, peak = ?2, summary = coalesce(?3, summary), updated_at = ?4 "
                           "WHERE id = " OPEN_ALERT_ID " AND state != 'resolved' RETURNING id");
        if (!st)
            return KW_ERR_STORE;
        bind_real(st, 1, a->value);
        bind_real(st, 2, a->peak);
        db_bind_text(st, 3, a->summary);
        db_bind_int64(st, 4, a->at_ms);
        if ((rc = step_open_alert(s, st, a)) != KW_OK)
            return rc;
        return a->history ? history_add(s, a->alert_id, a->at_ms, "updated", "keepwatch", a->summary, a->peak)
                          : KW_OK;
    case ALERT_ACT_RESOLVE:
        st = store_stmt(s, "UPDATE alerts SET state = 'resolved', value = ?1, resolved_at = ?2,"
                           " resolved_by = 'keepwatch', resolve_reason = ?3, updated_at = ?2"
                           " WHERE id = " OPEN_ALERT_ID " AND state != 'resolved' RETURNING id");
        if (!st)
            return KW_ERR_STORE;
        bind_real(st, 1, a->value);
        db_bind_int64(st, 2, a->at_ms);
        db_bind_text(st, 3, a->reason);
        if ((rc = step_open_alert(s, st, a)) != KW_OK)
            return rc;
        return history_add(s, a->alert_id, a->at_ms, "resolved", "keepwatch", a->reason, a->value);
    case ALERT_ACT_REOPEN:
        st = store_stmt(s, "UPDATE alerts SET state = 'firing', value = ?1,"
                           " peak = CASE WHEN coalesce(peak, ?2) > ?3 THEN coalesce(peak, ?2) ELSE ?3 END,"
                           " summary = coalesce(?4, summary), resolved_at = NULL, resolved_by = NULL,"
                           " resolve_reason = NULL, acked_at = NULL, acked_by = NULL, ack_note = NULL,"
                           " flaps = flaps + 1, updated_at = ?5 WHERE id = ?6 AND state = 'resolved'"
                           " AND resolved_by = 'keepwatch'");
        if (!st)
            return KW_ERR_STORE;
        bind_real(st, 1, a->value);
        bind_real(st, 2, a->value);
        bind_real(st, 3, a->value);
        db_bind_text(st, 4, a->summary);
        db_bind_int64(st, 5, a->at_ms);
        db_bind_int64(st, 6, a->alert_id);
        if ((rc = store_step_changed(s, st)) != KW_OK)
            return rc;
        return history_add(s, a->alert_id, a->at_ms, "reopened", "keepwatch", "fired again within the flap window",
                           a->value);
    }
    return KW_ERR_PARSE;
}

/* ---- a batch of changes on PostgreSQL: one statement per table ---- */

/* The end of st's rows: KW_OK when they all came (sr DB_DONE), else KW_ERR_STORE with s->err set. */
static kw_rc rows_end(kw_store *s, db_stmt *st, db_step_rc sr)
{
    db_reset(st);
    if (sr == DB_DONE)
        return KW_OK;
    snprintf(s->err, sizeof s->err, "%s", db_errmsg(s->db));
    return KW_ERR_STORE;
}

/* The fires of seg[0..n) in one INSERT; each one's id into its act (0: an open alert with its
 * fingerprint is there already, adopted by the update that follows). */
static kw_rc batch_fire(kw_store *s, alert_act *seg, size_t n)
{
    store_rows r;
    store_rows_init(&r, 11);
    for (size_t i = 0; i < n; i++) {
        alert_act *a = &seg[i];
        if (a->kind != ALERT_ACT_FIRE)
            continue;
        a->alert_id = 0;
        store_rows_text(&r, 0, a->fingerprint);
        store_rows_text(&r, 1, a->rule);
        store_rows_int(&r, 2, a->severity);
        store_rows_text(&r, 3, a->summary ? a->summary : a->rule);
        store_rows_text(&r, 4, a->labels_json);
        store_rows_text(&r, 5, a->details_json);
        store_rows_real(&r, 6, a->value);
        store_rows_real(&r, 7, a->peak);
        store_rows_real(&r, 8, a->threshold);
        store_rows_int(&r, 9, a->started_ms);
        store_rows_int(&r, 10, a->at_ms);
        store_rows_next(&r);
    }
    size_t rows = r.n;
    db_stmt *st = !rows ? NULL
                        : store_rows_stmt(s, "INSERT INTO alerts (fingerprint, rule, state, severity, summary, labels,"
                                            " details, value, peak, threshold, started_at, updated_at, server)"
                                            " SELECT u.fp, u.rule, 'firing', u.sev, u.summary, u.labels, u.details,"
                                            " u.value, u.peak, u.threshold, u.started, u.at, ?12 FROM unnest(?1::TEXT[],"
                                            " ?2::TEXT[], ?3::BIGINT[], ?4::TEXT[], ?5::TEXT[], ?6::TEXT[],"
                                            " ?7::DOUBLE PRECISION[], ?8::DOUBLE PRECISION[], ?9::DOUBLE PRECISION[],"
                                            " ?10::BIGINT[], ?11::BIGINT[]) WITH ORDINALITY AS u(fp, rule, sev, summary,"
                                            " labels, details, value, peak, threshold, started, at, o) ORDER BY u.o"
                                            " ON CONFLICT (server, fingerprint) WHERE state != 'resolved' DO NOTHING"
                                            " RETURNING id, fingerprint", &r, "alerts");
    store_rows_free(&r);
    if (!st)
        return rows ? KW_ERR_STORE : KW_OK;
    db_bind_text(st, 12, s->server);
    db_step_rc sr;
    while ((sr = db_step(st)) == DB_ROW) /* the segment names each fingerprint once */
        for (size_t i = 0; i < n; i++)
            if (seg[i].kind == ALERT_ACT_FIRE && !seg[i].alert_id && db_col_text(st, 1) &&
                strcmp(seg[i].fingerprint, db_col_text(st, 1)) == 0) {
                seg[i].alert_id = db_col_int64(st, 0);
                break;
            }
    return rows_end(s, st, sr);
}

/* The updates and resolves of seg[0..n) (and the fires adopted: kind UPDATE now) in one
 * UPDATE; each one's alert into its act, or KW_ERR_NOTFOUND in its rc. */
static kw_rc batch_update(kw_store *s, alert_act *seg, size_t n, kw_rc *rc)
{
    store_rows r;
    store_rows_init(&r, 7);
    size_t *which = kw_calloc(n, sizeof *which); /* the statement's row o is act which[o - 1] */
    for (size_t i = 0; i < n; i++) {
        alert_act *a = &seg[i];
        if (a->kind == ALERT_ACT_FIRE)
            continue;
        bool resolve = a->kind == ALERT_ACT_RESOLVE;
        rc[i] = KW_ERR_NOTFOUND; /* until the statement names it */
        which[r.n] = i;
        store_rows_int(&r, 0, a->alert_id);
        store_rows_text(&r, 1, a->fingerprint);
        store_rows_int(&r, 2, resolve);
        store_rows_real(&r, 3, a->value);
        store_rows_real(&r, 4, a->peak);
        store_rows_text(&r, 5, resolve ? a->reason : a->summary);
        store_rows_int(&r, 6, a->at_ms);
        store_rows_next(&r);
    }
    size_t rows = r.n;
    db_stmt *st = !rows ? NULL : store_rows_stmt(s, "WITH v AS (SELECT u.*, coalesce(nullif(u.id, 0), (SELECT o.id FROM alerts o"
                                      " WHERE o.server = ?8 AND o.fingerprint = u.fp AND o.state != 'resolved'))"
                                      " AS target FROM unnest(?1::BIGINT[], ?2::TEXT[], ?3::BIGINT[],"
                                      " ?4::DOUBLE PRECISION[], ?5::DOUBLE PRECISION[], ?6::TEXT[], ?7::BIGINT[])"
                                      " WITH ORDINALITY AS u(id, fp, resolve, value, peak, note, at, o))"
                                      " UPDATE alerts a SET value = v.value,"
                                      " peak = CASE WHEN v.resolve = 1 THEN a.peak ELSE v.peak END,"
                                      " summary = CASE WHEN v.resolve = 1 THEN a.summary ELSE coalesce(v.note, a.summary) END,"
                                      " state = CASE WHEN v.resolve = 1 THEN 'resolved' ELSE a.state END,"
                                      " resolved_at = CASE WHEN v.resolve = 1 THEN v.at ELSE a.resolved_at END,"
                                      " resolved_by = CASE WHEN v.resolve = 1 THEN 'keepwatch' ELSE a.resolved_by END,"
                                      " resolve_reason = CASE WHEN v.resolve = 1 THEN v.note ELSE a.resolve_reason END,"
                                      " updated_at = v.at FROM v WHERE a.id = v.target AND a.state != 'resolved'"
                                      " RETURNING a.id, v.o", &r, "alerts");
    store_rows_free(&r);
    if (!st) {
        free(which);
        return rows ? KW_ERR_STORE : KW_OK;
    }
    db_bind_text(st, 8, s->server);
    db_step_rc sr;
    while ((sr = db_step(st)) == DB_ROW) {
        int64_t o = db_col_int64(st, 1);
        if (o < 1 || (size_t)o > rows)
            continue;
        size_t i = which[o - 1];
        seg[i].alert_id = db_col_int64(st, 0);
        rc[i] = KW_OK;
    }
    free(which);
    return rows_end(s, st, sr);
}

/* The history rows of seg[0..n) in act order, in one statement sent ahead, and their duty-log
 * entries (fired, resolved) staged into one more. */
static kw_rc batch_history(kw_store *s, const alert_act *seg, size_t n, const kw_rc *rc)
{
    store_rows r;
    store_rows_init(&r, 5);
    kw_rc out = KW_OK;
    store_duty_stage(s);
    for (size_t i = 0; i < n && out == KW_OK; i++) {
        const alert_act *a = &seg[i];
        if (rc[i] != KW_OK || (a->kind == ALERT_ACT_UPDATE && !a->history))
            continue;
        const char *action = a->kind == ALERT_ACT_FIRE      ? "fired"
                             : a->kind == ALERT_ACT_RESOLVE ? "resolved"
                                                            : "updated";
        const char *note = a->kind == ALERT_ACT_RESOLVE ? a->reason : a->summary;
        store_rows_int(&r, 0, a->alert_id);
        store_rows_int(&r, 1, a->at_ms);
        store_rows_text(&r, 2, action);
        store_rows_text(&r, 3, note);
        store_rows_real(&r, 4, a->kind == ALERT_ACT_UPDATE ? a->peak : a->value);
        store_rows_next(&r);
        if (a->kind != ALERT_ACT_UPDATE) { /* as history_add: every change a person would review */
            char kind[48];
            snprintf(kind, sizeof kind, "alert.%s", action);
            out = store_duty_append(s, a->at_ms, kind, "keepwatch", a->alert_id, note);
        }
    }
    if (out == KW_OK && r.n) {
        db_stmt *st = store_rows_stmt(s, "INSERT INTO alert_history (alert_id, at, action, actor, note, value)"
                                         " SELECT u.a, u.at, u.action, 'keepwatch', u.note, u.value FROM"
                                         " unnest(?1::BIGINT[], ?2::BIGINT[], ?3::TEXT[], ?4::TEXT[],"
                                         " ?5::DOUBLE PRECISION[]) WITH ORDINALITY AS u(a, at, action, note, value, o)"
                                         " ORDER BY u.o", &r, "alert history");
        out = st ? store_step_ahead(s, st) : KW_ERR_STORE;
    }
    kw_rc dr = store_duty_unstage(s, out == KW_OK);
    store_rows_free(&r);
    return out == KW_OK ? dr : out;
}

/* One segment: fires, updates and resolves of different alerts. A fire left a fire after
 * batch_fire inserted its alert; one whose alert was open already is an update from then on. */
static kw_rc batch_segment(kw_store *s, alert_act *seg, size_t n, kw_rc *rc)
{
    bool *adopted = kw_calloc(n, sizeof *adopted);
    kw_rc out = batch_fire(s, seg, n);
    for (size_t i = 0; i < n && out == KW_OK; i++) {
        rc[i] = KW_OK;
        if (seg[i].kind == ALERT_ACT_FIRE && !seg[i].alert_id) { /* open already: adopted, as store_alert_apply does */
            seg[i].kind = ALERT_ACT_UPDATE;
            adopted[i] = true;
        }
    }
    if (out == KW_OK)
        out = batch_update(s, seg, n, rc);
    for (size_t i = 0; i < n && out == KW_OK; i++)
        if (adopted[i] && rc[i] != KW_OK) {
            snprintf(s->err, sizeof s->err, "alert %s: neither inserted nor open", seg[i].fingerprint);
            out = rc[i] = KW_ERR_STORE;
        }
    if (out == KW_OK)
        out = batch_history(s, seg, n, rc);
    free(adopted);
    return out;
}

/* Where the segment starting at v[0] ends: changes of different alerts (by fingerprint, or
 * by id when an act has none), fires, updates and resolves only, at most STORE_ROWS_MAX. */
static size_t segment_end(const alert_act *v, size_t n)
{
    kw_map seen;
    kw_map_init(&seen);
    size_t j = 0;
    for (; j < n && j < STORE_ROWS_MAX; j++) {
        const alert_act *a = &v[j];
        if (a->kind == ALERT_ACT_REOPEN)
            break;
        char key[40];
        if (a->fingerprint[0])
            snprintf(key, sizeof key, "f%s", a->fingerprint);
        else
            snprintf(key, sizeof key, "#%lld", (long long)a->alert_id);
        if (kw_map_get(&seen, key))
            break;
        kw_map_put(&seen, key, (void *)1);
    }
    kw_map_free(&seen);
    return j;
}

kw_rc store_alert_apply_all(kw_store *s, alert_act *v, size_t n, kw_rc *rc)
{
    for (size_t i = 0; i < n;) {
        size_t k = db_backend(s->db) == DB_POSTGRES ? segment_end(v + i, n - i) : 0;
        if (k < 2) { /* SQLite, or a change alone: the statements of store_alert_apply */
            rc[i] = store_alert_apply(s, &v[i]);
            if (rc[i] != KW_OK && rc[i] != KW_ERR_NOTFOUND)
                return rc[i];
            i++;
            continue;
        }
        kw_rc r = batch_segment(s, v + i, k, rc + i);
        if (r != KW_OK)
            return r;
        i += k;
    }
    return KW_OK;
}

int64_t store_alert_open_id(kw_store *s, const char *fingerprint)
{
    db_stmt *st = store_stmt(s, "SELECT id FROM alerts WHERE server = ? AND fingerprint = ? AND state != 'resolved'");
    if (!st)
        return 0;
    db_bind_text(st, 1, s->server);
    db_bind_text(st, 2, fingerprint);
    int64_t id = db_step(st) == DB_ROW ? db_col_int64(st, 0) : 0;
    db_reset(st);
    return id;
}

kw_rc store_alert_resolve_gone(kw_store *s, int64_t now_ms, int64_t seen_before_ms, int64_t *n)
{
    *n = 0;
    enum { BATCH = 200 };
    int64_t ids[BATCH];
    char servers[BATCH][64];
    size_t k = 0;
    /* alerts of named servers not seen since seen_before_ms (an old store's, of no server, are
     * adopted by the first server that starts on it) */
    db_stmt *q = store_stmt(s, "SELECT a.id, a.server FROM alerts a WHERE a.state != 'resolved' AND a.server != ''"
                               " AND a.server != ?1 AND NOT EXISTS (SELECT 1 FROM keepwatch_servers v"
                               " WHERE v.name = a.server AND v.seen_ms >= ?2) ORDER BY a.id LIMIT 200");
    if (!q)
        return KW_ERR_STORE;
    db_bind_text(q, 1, s->server);
    db_bind_int64(q, 2, seen_before_ms);
    while (k < BATCH && db_step(q) == DB_ROW) {
        ids[k] = db_col_int64(q, 0);
        kw_strlcpy(servers[k++], db_col_text(q, 1) ? db_col_text(q, 1) : "", sizeof servers[0]);
    }
    db_reset(q);
    if (!k)
        return KW_OK;
    if (store_begin(s) != KW_OK)
        return KW_ERR_STORE;
    kw_rc rc = KW_OK;
    for (size_t i = 0; i < k && rc == KW_OK; i++) {
        char why[128];
        snprintf(why, sizeof why, "its server %.63s stopped reporting", servers[i]);
        alert_act a = {.kind = ALERT_ACT_RESOLVE, .alert_id = ids[i], .at_ms = now_ms, .value = NAN, .reason = why};
        rc = store_alert_apply(s, &a);
        if (rc == KW_ERR_NOTFOUND) /* resolved meanwhile */
            rc = KW_OK;
        else if (rc == KW_OK)
            ++*n;
    }
    if (rc == KW_OK)
        return store_commit(s);
    store_rollback(s);
    *n = 0;
    return rc;
}

kw_rc store_alert_adopt_orphans(kw_store *s, int64_t *n)
{
    *n = 0;
    if (!s->server[0])
        return KW_OK;
    db_stmt *st = store_stmt(s, "UPDATE alerts SET server = ? WHERE server = '' AND state != 'resolved'");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, s->server);
    kw_rc rc = store_step_done(s, st);
    *n = rc == KW_OK ? db_changes(st) : 0;
    db_reset(st);
    return rc;
}

kw_rc store_alert_each_open(kw_store *s, void (*fn)(void *, const alert_open *), void *arg)
{
    db_stmt *st = store_stmt(s, "SELECT id, fingerprint, rule, labels, peak, started_at, severity FROM alerts "
                                "WHERE state != 'resolved' AND server = ? ORDER BY id");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, s->server);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        alert_open a;
        memset(&a, 0, sizeof a);
        a.id = db_col_int64(st, 0);
        kw_strlcpy(a.fingerprint, db_col_text(st, 1), sizeof a.fingerprint);
        kw_strlcpy(a.rule, db_col_text(st, 2), sizeof a.rule);
        a.labels_json = (char *)db_col_text(st, 3);
        a.peak = db_col_double(st, 4);
        a.started_ms = db_col_int64(st, 5);
        a.severity = (int)db_col_int64(st, 6);
        fn(arg, &a);
    }
    return rc == DB_DONE ? KW_OK : KW_ERR_STORE;
}

static kw_rc alert_state_of(kw_store *s, int64_t id, int *state)
{
    db_stmt *st = store_stmt(s, "SELECT state FROM alerts WHERE id = ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, id);
    kw_rc rc = KW_ERR_NOTFOUND;
    if (db_step(st) == DB_ROW) {
        *state = alert_state_parse(db_col_text(st, 0));
        rc = KW_OK;
    }
    db_reset(st);
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
    db_stmt *st = store_stmt(s, sql);
    if (!st) {
        rc = KW_ERR_STORE;
        goto out;
    }
    db_bind_int64(st, 1, now);
    db_bind_text(st, 2, by);
    db_bind_text(st, 3, note);
    db_bind_int64(st, 4, id);
    if ((rc = store_step_changed(s, st)) != KW_OK) {
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
                   " resolve_reason, flaps, assignee, server"

/* The column helpers below ask whether a value is NULL only when it reads as 0 or empty
 * (what a NULL reads as): one call fewer per column on the listing's path. */
static void col_time(kw_json *j, db_stmt *st, int i, const char *key)
{
    int64_t v = db_col_int64(st, i);
    if (v || !db_col_null(st, i))
        kw_json_kv_time(j, key, v);
}

static void col_text(kw_json *j, db_stmt *st, int i, const char *key)
{
    size_t n;
    const char *v = db_col_blob(st, i, &n);
    if (!n && db_col_null(st, i))
        return;
    kw_json_key(j, key);
    kw_json_strn(j, n ? v : "", n);
}

static void col_real(kw_json *j, db_stmt *st, int i, const char *key)
{
    double v = db_col_double(st, i);
    if (v != 0 || !db_col_null(st, i))
        kw_json_kv_num(j, key, v);
}

/* Stored JSON columns (labels, details) are written by keepwatch itself, so they are valid. */
static void col_json(kw_json *j, db_stmt *st, int i, const char *key)
{
    if (db_col_null(st, i))
        return;
    kw_json_key(j, key);
    kw_json_raw(j, db_col_text(st, i));
}

/* Opens {"key": [ in out. */
static void json_list_begin(kw_json *j, kw_buf *out, const char *key)
{
    kw_json_init(j, out);
    kw_json_obj_begin(j);
    kw_json_key(j, key);
    kw_json_arr_begin(j);
}

static void alert_row_json(kw_json *j, db_stmt *st)
{
    kw_json_kv_int(j, "id", db_col_int64(st, 0));
    col_text(j, st, 1, "fingerprint");
    col_text(j, st, 2, "rule");
    col_text(j, st, 3, "state");
    int sev = (int)db_col_int64(st, 4);
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
    kw_json_kv_int(j, "flaps", db_col_int64(st, 19));
    col_text(j, st, 20, "assignee");
    const char *server = db_col_text(st, 21);
    if (server && *server) /* several servers on one store: whose it is */
        col_text(j, st, 21, "server");
}

/* The statement for q's filters, bound: `what` are the columns, `tail` follows the WHERE
 * clause (one statement per combination of filters, at most 16 each, cached by its text). */
static db_stmt *alert_query_stmt(kw_store *s, const store_alert_query *q, const char *what, const char *tail)
{
    char sql[900];
    snprintf(sql, sizeof sql, "SELECT %s FROM alerts WHERE id < ?2%s%s%s%s%s", what,
             q->state == -1 ? " AND state != 'resolved'" : q->state ? " AND state = ?1" : "",
             q->min_severity > 0 ? " AND severity >= ?4" : "",
             q->text ? " AND (instr(lower(summary), lower(?5)) > 0 OR instr(lower(rule), lower(?5)) > 0)" : "",
             !q->assignee ? "" : *q->assignee ? " AND assignee = ?6" : " AND assignee IS NULL", tail);
    db_stmt *st = store_stmt(s, sql);
    if (!st)
        return NULL;
    if (q->state > 0)
        db_bind_text(st, 1, alert_state_name(q->state));
    db_bind_int64(st, 2, q->before_id > 0 ? q->before_id : INT64_MAX);
    if (q->min_severity > 0)
        db_bind_int64(st, 4, q->min_severity);
    if (q->text)
        db_bind_text(st, 5, q->text);
    if (q->assignee && *q->assignee)
        db_bind_text(st, 6, q->assignee);
    return st;
}

kw_rc store_alert_count_matching(kw_store *s, const store_alert_query *q, int64_t *n)
{
    db_stmt *st = alert_query_stmt(s, q, "count(*)", "");
    if (!st)
        return KW_ERR_STORE;
    int rc = db_step(st);
    *n = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_reset(st);
    return rc == DB_ROW ? KW_OK : KW_ERR_STORE;
}

kw_rc store_alert_list_json(kw_store *s, const store_alert_query *q, kw_buf *out)
{
    db_stmt *st = alert_query_stmt(s, q, ALERT_COLS, " ORDER BY id DESC LIMIT ?3");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 3, q->limit > 0 ? q->limit : 100);
    kw_json j;
    json_list_begin(&j, out, "alerts");
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        kw_json_obj_begin(&j);
        alert_row_json(&j, st);
        kw_json_obj_end(&j);
    }
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
    return rc == DB_DONE ? KW_OK : KW_ERR_STORE;
}

kw_rc store_alert_get_json(kw_store *s, int64_t id, kw_buf *out)
{
    db_stmt *st = store_stmt(s, "SELECT " ALERT_COLS " FROM alerts WHERE id = ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, id);
    if (db_step(st) != DB_ROW) {
        db_reset(st);
        return KW_ERR_NOTFOUND;
    }
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    alert_row_json(&j, st);
    db_reset(st);
    db_stmt *h = store_stmt(s, "SELECT at, action, actor, note, value FROM alert_history "
                               "WHERE alert_id = ? ORDER BY id");
    if (!h)
        return KW_ERR_STORE;
    db_bind_int64(h, 1, id);
    kw_json_key(&j, "history");
    kw_json_arr_begin(&j);
    while (db_step(h) == DB_ROW) {
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
    db_stmt *st = store_stmt(s, "SELECT severity, acked_by, started_at, coalesce(acked_at, 0),"
                                " coalesce(resolved_at, 0) FROM alerts WHERE started_at >= ? AND started_at < ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, from_ms);
    db_bind_int64(st, 2, to_ms);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        store_alert_times t = {(int)db_col_int64(st, 0), db_col_text(st, 1),
                               db_col_int64(st, 2), db_col_int64(st, 3), db_col_int64(st, 4)};
        fn(arg, &t);
    }
    db_reset(st);
    return rc == DB_DONE ? KW_OK : KW_ERR_STORE;
}

/* ---- triage: many alerts at once, notifications, silences ---- */

kw_rc store_alert_each_view(kw_store *s, int state, int min_severity, void (*fn)(void *, const store_alert_view *),
                            void *arg)
{
    db_stmt *st = store_stmt(s, "SELECT id, rule, state, summary, severity, started_at, labels, assignee"
                                " FROM alerts WHERE (?1 = -1 AND state != 'resolved') OR state = ?2"
                                " OR (?1 = 0) ORDER BY id DESC");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, state < 0 ? -1 : state);
    db_bind_text(st, 2, state > 0 ? alert_state_name(state) : "");
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        store_alert_view v = {db_col_int64(st, 0), db_col_text(st, 1),
                              db_col_text(st, 2), db_col_text(st, 3),
                              (int)db_col_int64(st, 4), db_col_int64(st, 5),
                              db_col_text(st, 6), db_col_text(st, 7)};
        if (v.severity >= min_severity)
            fn(arg, &v);
    }
    db_reset(st);
    return rc == DB_DONE ? KW_OK : KW_ERR_STORE;
}

kw_rc store_alert_bulk(kw_store *s, const int64_t *ids, size_t n, bool ack, const char *by, const char *arg,
                       int64_t now_ms, size_t *changed)
{
    *changed = 0;
    if (store_begin(s) != KW_OK)
        return KW_ERR_STORE;
    const char *assignee = arg && *arg ? arg : NULL;
    const char *action = ack ? "acknowledged" : assignee ? "assigned" : "unassigned";
    kw_rc rc = KW_OK;
    for (size_t i = 0; i < n && rc == KW_OK; i++) {
        db_stmt *st = store_stmt(s, ack ? "UPDATE alerts SET state = 'acked', acked_at = ?1, acked_by = ?2,"
                                          " ack_note = ?3, updated_at = ?1 WHERE id = ?4 AND state = 'firing'"
                                        : "UPDATE alerts SET assignee = ?3, updated_at = ?1 WHERE id = ?4"
                                          " AND state != 'resolved' AND assignee IS DISTINCT FROM ?3");
        if (!st) {
            rc = KW_ERR_STORE;
            break;
        }
        db_bind_int64(st, 1, now_ms);
        db_bind_text(st, 2, by);
        db_bind_text(st, 3, ack ? arg : assignee);
        db_bind_int64(st, 4, ids[i]);
        rc = store_step_changed(s, st);
        if (rc == KW_ERR_NOTFOUND) { /* moved on meanwhile (acknowledged, resolved): not this one */
            rc = KW_OK;
            continue;
        }
        if (rc == KW_OK && (rc = history_add(s, ids[i], now_ms, action, by, ack ? arg : assignee, NAN)) == KW_OK)
            (*changed)++;
    }
    if (rc == KW_OK)
        return store_commit(s);
    store_rollback(s);
    *changed = 0;
    return rc;
}

kw_rc store_alert_rows_json(kw_store *s, const int64_t *ids, size_t n, kw_buf *out)
{
    db_stmt *st = store_stmt(s, "SELECT " ALERT_COLS " FROM alerts WHERE id = ?");
    if (!st)
        return KW_ERR_STORE;
    kw_json j;
    json_list_begin(&j, out, "alerts");
    for (size_t i = 0; i < n; i++) {
        db_reset(st);
        db_bind_int64(st, 1, ids[i]);
        if (db_step(st) != DB_ROW)
            continue;
        kw_json_obj_begin(&j);
        alert_row_json(&j, st);
        kw_json_obj_end(&j);
    }
    db_reset(st);
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
    return KW_OK;
}

/* The escalation of the notification groups the alert belongs to. */
static void escalation_json(kw_store *s, kw_json *j, int64_t id)
{
    db_stmt *st = store_stmt(s, "SELECT g.id, g.policy, g.level, g.round, g.opened_ms, g.closed,"
                                " m.notified, m.held FROM notify_members m JOIN notify_groups g"
                                " ON g.id = m.group_id WHERE m.alert_id = ? ORDER BY g.id");
    kw_json_key(j, "groups");
    kw_json_arr_begin(j);
    if (st)
        db_bind_int64(st, 1, id);
    while (st && db_step(st) == DB_ROW) {
        kw_json_obj_begin(j);
        kw_json_kv_int(j, "group", db_col_int64(st, 0));
        col_text(j, st, 1, "policy");
        kw_json_kv_int(j, "level", db_col_int64(st, 2)); /* levels reached so far: 0 before the first */
        kw_json_kv_int(j, "round", db_col_int64(st, 3));
        col_time(j, st, 4, "opened");
        kw_json_kv_bool(j, "closed", (int)db_col_int64(st, 5) != 0);
        kw_json_kv_bool(j, "notified", (int)db_col_int64(st, 6) != 0);
        col_text(j, st, 7, "held");
        kw_json_obj_end(j);
    }
    if (st)
        db_reset(st);
    kw_json_arr_end(j);
}

kw_rc store_alert_notifications_json(kw_store *s, int64_t id, kw_buf *out)
{
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    if (!store_query_int(s, "SELECT count(*) FROM alerts WHERE id = ?", ids))
        return KW_ERR_NOTFOUND;
    db_stmt *st = store_stmt(s, "SELECT id, created_ms, channel, kind, state, attempts, sent_ms, last_error, people,"
                                " json_extract(message, '$.level'), json_extract(message, '$.policy')"
                                " FROM notify_outbox WHERE alert_id = ?1"
                                " OR instr(',' || alerts || ',', ',' || ?1 || ',') > 0 ORDER BY id LIMIT 500");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, id);
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "alert", id);
    kw_json_key(&j, "notifications");
    kw_json_arr_begin(&j);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        kw_json_obj_begin(&j);
        kw_json_kv_int(&j, "id", db_col_int64(st, 0));
        col_time(&j, st, 1, "created");
        col_text(&j, st, 2, "channel");
        col_text(&j, st, 3, "kind");
        col_text(&j, st, 4, "state");
        kw_json_kv_int(&j, "attempts", db_col_int64(st, 5));
        col_time(&j, st, 6, "sent");
        col_text(&j, st, 7, "error");
        col_text(&j, st, 8, "people");
        if (!db_col_null(st, 9))
            kw_json_kv_int(&j, "level", db_col_int64(st, 9));
        col_text(&j, st, 10, "policy");
        kw_json_obj_end(&j);
    }
    db_reset(st);
    kw_json_arr_end(&j);
    escalation_json(s, &j, id);
    db_stmt *a = store_stmt(s, "SELECT acked_by, acked_at FROM alerts WHERE id = ?");
    if (a) { /* and who acknowledged it, when */
        db_bind_int64(a, 1, id);
        if (db_step(a) == DB_ROW) {
            col_text(&j, a, 0, "acked_by");
            col_time(&j, a, 1, "acked_at");
        }
        db_reset(a);
    }
    kw_json_obj_end(&j);
    return rc == DB_DONE ? KW_OK : KW_ERR_STORE;
}

kw_rc store_silence_add(kw_store *s, const char *matchers_json, int64_t from_ms, int64_t until_ms, const char *by,
                        const char *comment, int64_t now_ms, int64_t *id_out)
{
    *id_out = 0;
    if (store_begin(s) != KW_OK)
        return KW_ERR_STORE;
    db_stmt *q = store_stmt(s, "INSERT INTO silences (matchers, starts_ms, ends_ms, created_by, created_ms, comment)"
                               " VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
    kw_rc rc = KW_ERR_STORE;
    if (q) {
        db_bind_text(q, 1, matchers_json);
        db_bind_int64(q, 2, from_ms);
        db_bind_int64(q, 3, until_ms);
        db_bind_text(q, 4, by);
        db_bind_int64(q, 5, now_ms);
        db_bind_text(q, 6, comment);
        if (store_step_id(s, q, id_out) != KW_OK)
            *id_out = 0;
    }
    if (*id_out) { /* the duty log says it as `keepwatch silence add` does */
        char ends[40];
        kw_time_iso8601(until_ms, ends, sizeof ends);
        kw_buf t;
        kw_buf_init(&t, 1 << 20);
        kw_buf_printf(&t, "silence %lld until %s: %s%s%s", (long long)*id_out, ends, matchers_json,
                      comment ? " — " : "", comment ? comment : "");
        rc = store_duty_append(s, now_ms, "silence.added", by, 0, kw_buf_cstr(&t));
        kw_buf_free(&t);
    }
    if (rc == KW_OK)
        return store_commit(s);
    store_rollback(s);
    *id_out = 0;
    return rc;
}

kw_rc store_silence_expire(kw_store *s, int64_t id, const char *by, int64_t now_ms)
{
    if (store_begin(s) != KW_OK)
        return KW_ERR_STORE;
    db_stmt *q = store_stmt(s, "UPDATE silences SET ends_ms = ?1 WHERE id = ?2 AND ends_ms > ?1");
    kw_rc rc = KW_ERR_STORE;
    if (q) {
        db_bind_int64(q, 1, now_ms);
        db_bind_int64(q, 2, id);
        rc = store_step_changed(s, q);
    }
    if (rc == KW_OK) {
        char t[64];
        snprintf(t, sizeof t, "silence %lld expired", (long long)id);
        rc = store_duty_append(s, now_ms, "silence.expired", by, 0, t);
    }
    if (rc == KW_OK)
        return store_commit(s);
    store_rollback(s);
    return rc;
}

kw_rc store_silences_json(kw_store *s, bool all, int64_t now_ms, kw_buf *out)
{
    db_stmt *q = store_stmt(s, "SELECT id, matchers, starts_ms, ends_ms, created_by, created_ms, comment"
                               " FROM silences WHERE ?1 <> 0 OR ends_ms > ?2 ORDER BY id DESC LIMIT 1000");
    if (!q)
        return KW_ERR_STORE;
    db_bind_int64(q, 1, all);
    db_bind_int64(q, 2, now_ms);
    kw_json j;
    json_list_begin(&j, out, "silences");
    int rc;
    while ((rc = db_step(q)) == DB_ROW) {
        int64_t a = db_col_int64(q, 2), b = db_col_int64(q, 3);
        kw_json_obj_begin(&j);
        kw_json_kv_int(&j, "id", db_col_int64(q, 0));
        kw_json_kv_str(&j, "state", b <= now_ms ? "expired" : a > now_ms ? "pending" : "active");
        col_json(&j, q, 1, "matchers");
        col_time(&j, q, 2, "from");
        col_time(&j, q, 3, "until");
        col_text(&j, q, 4, "by");
        col_time(&j, q, 5, "created");
        col_text(&j, q, 6, "comment");
        kw_json_obj_end(&j);
    }
    db_reset(q);
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
    return rc == DB_DONE ? KW_OK : KW_ERR_STORE;
}

int64_t store_alert_history_max(kw_store *s)
{
    return store_query_int(s, "SELECT coalesce(max(id), 0) FROM alert_history", NULL);
}
