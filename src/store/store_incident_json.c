/* The incident tables read as JSON (store_incident.h): one incident with its steps, alerts and
 * timeline, the listing, the stats and the playbooks' history. This JSON is the one shape the
 * CLI prints and, later, the HTTP API serves. Every time is given twice: as ISO 8601 ("due")
 * and as Unix milliseconds ("due_ms"), null / 0 when not set. */
#include "store/store_incident.h"
#include "store/store_int.h"

#include "core/kw_json.h"

#include <stdio.h>
#include <string.h>

#include "incident/incident_class.h"
#include "incident/incident_conf.h"

/* "k": ISO time or null, "k_ms": v. */
static void kv_when(kw_json *j, const char *k, int64_t v)
{
    char key[48];
    if (v > 0)
        kw_json_kv_time(j, k, v);
    else {
        kw_json_key(j, k);
        kw_json_null(j);
    }
    snprintf(key, sizeof key, "%s_ms", k);
    kw_json_kv_int(j, key, v);
}

/* "k": {"zh", "en"}, the GB/T 20986-2023 names of a class code, or null when unknown. */
static void kv_class(kw_json *j, const char *k, const char *code)
{
    const incident_class *c = incident_class_find(code);
    kw_json_key(j, k);
    if (!c) {
        kw_json_null(j);
        return;
    }
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "zh", c->name_zh);
    kw_json_kv_str(j, "en", c->name_en);
    kw_json_obj_end(j);
}

/* A text column as a string member (NULL column: null). */
static void kv_col(kw_json *j, const char *k, db_stmt *st, int col)
{
    kw_json_kv_str(j, k, db_col_null(st, col) ? NULL : db_col_text(st, col));
}

/* A column the store wrote as JSON (an array or object), raw; anything else as null. */
static void kv_raw(kw_json *j, const char *k, db_stmt *st, int col, char open)
{
    const char *v = db_col_text(st, col);
    size_t n = v ? strlen(v) : 0;
    kw_json_key(j, k);
    if (n >= 2 && v[0] == open && v[n - 1] == (open == '[' ? ']' : '}'))
        kw_json_raw(j, v);
    else
        kw_json_null(j);
}

static kw_rc fail(kw_store *s, db_stmt *st)
{
    snprintf(s->err, sizeof s->err, "%s", db_errmsg(s->db));
    db_reset(st);
    return KW_ERR_STORE;
}

/* "key": [one object per row of the bound statement st, its members written by row()]. */
static kw_rc rows_of(kw_store *s, kw_json *j, const char *key, db_stmt *st, void (*row)(kw_json *, db_stmt *))
{
    kw_json_key(j, key);
    kw_json_arr_begin(j);
    db_step_rc rc;
    while ((rc = db_step(st)) == DB_ROW) {
        kw_json_obj_begin(j);
        row(j, st);
        kw_json_obj_end(j);
    }
    if (rc != DB_DONE)
        return fail(s, st);
    db_reset(st);
    kw_json_arr_end(j);
    return KW_OK;
}

/* rows_of for sql with its one parameter bound to id. */
static kw_rc rows_array(kw_store *s, kw_json *j, const char *key, const char *sql, int64_t id,
                        void (*row)(kw_json *, db_stmt *))
{
    db_stmt *st = store_stmt(s, sql);
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, id);
    return rows_of(s, j, key, st, row);
}

/* {"key": [rows]} of a bound statement into out. */
static kw_rc rows_doc(kw_store *s, kw_buf *out, const char *key, db_stmt *st, void (*row)(kw_json *, db_stmt *))
{
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kw_rc rc = rows_of(s, &j, key, st, row);
    kw_json_obj_end(&j);
    return rc;
}

static void bind_opt(db_stmt *st, int i, const char *v)
{
    if (v)
        db_bind_text(st, i, v);
    else
        db_bind_null(st, i);
}

#define INC_COLS                                                                                                       \
    "i.id, i.title, i.playbook, i.playbook_digest, i.category, i.subcategory, i.grade, i.state, i.drill, i.found_ms," \
    " i.declared_ms, i.declared_by, i.trigger_name, i.trigger_key, i.contained_ms, i.closed_ms, i.closed_by,"       \
    " i.cause, i.impact, i.lessons, i.summary, i.systems, i.org_type,"                                               \
    " (SELECT COUNT(*) FROM incident_steps t WHERE t.incident = i.id AND t.state != 'na'),"                          \
    " (SELECT COUNT(*) FROM incident_steps t WHERE t.incident = i.id AND t.state IN ('done', 'skipped')),"       \
    NEXT_COL("name") "," NEXT_COL("title") "," NEXT_COL("title_zh") "," NEXT_COL("due_ms")

/* A column of the pending step due first (the next clock a list shows). */
#define NEXT_COL(c)                                                                                                    \
    " (SELECT t." c " FROM incident_steps t WHERE t.incident = i.id AND t.state = 'pending' AND t.due_ms > 0"        \
    " ORDER BY t.due_ms, t.pos LIMIT 1)"

/* The members of one incident row of INC_COLS into an open object. */
static void incident_fields(kw_json *j, db_stmt *st)
{
    int g = (int)db_col_int64(st, 6);
    kw_json_kv_int(j, "id", db_col_int64(st, 0));
    kv_col(j, "title", st, 1);
    kv_col(j, "playbook", st, 2);
    kv_col(j, "playbook_digest", st, 3);
    kv_col(j, "category", st, 4);
    kv_col(j, "subcategory", st, 5);
    kv_class(j, "category_name", db_col_null(st, 4) ? NULL : db_col_text(st, 4));
    kv_class(j, "subcategory_name", db_col_null(st, 5) ? NULL : db_col_text(st, 5));
    kw_json_kv_str(j, "grade", incident_grade_name(g));
    kw_json_kv_str(j, "grade_zh", incident_grade_label(g, true));
    kv_col(j, "state", st, 7);
    kw_json_kv_bool(j, "drill", db_col_int64(st, 8) != 0);
    kv_when(j, "found", db_col_int64(st, 9));
    kv_when(j, "declared", db_col_int64(st, 10));
    kv_col(j, "declared_by", st, 11);
    kv_col(j, "trigger", st, 12);
    kv_col(j, "key", st, 13);
    kv_when(j, "contained", db_col_int64(st, 14));
    kv_when(j, "closed", db_col_int64(st, 15));
    kv_col(j, "closed_by", st, 16);
    kv_col(j, "cause", st, 17);
    kv_col(j, "impact", st, 18);
    kv_col(j, "lessons", st, 19);
    kv_col(j, "summary", st, 20);
    kv_col(j, "systems", st, 21);
    kv_col(j, "org_type", st, 22);
    kw_json_kv_int(j, "steps", db_col_int64(st, 23));
    kw_json_kv_int(j, "steps_finished", db_col_int64(st, 24));
    kw_json_key(j, "next_step"); /* the pending step due first, or null */
    if (db_col_null(st, 25)) {
        kw_json_null(j);
        return;
    }
    kw_json_obj_begin(j);
    kv_col(j, "name", st, 25);
    kv_col(j, "title", st, 26);
    kv_col(j, "title_zh", st, 27);
    kv_when(j, "due", db_col_int64(st, 28));
    kw_json_obj_end(j);
}

kw_rc store_incident_list_json(kw_store *s, const store_incident_query *q, kw_buf *out)
{
    db_stmt *st = store_stmt(s, "SELECT " INC_COLS " FROM incidents i WHERE (i.state = ?1 OR ?1 IS NULL)"
                                " AND (i.playbook = ?2 OR ?2 IS NULL) AND (i.drill = ?3 OR ?3 < 0)"
                                " AND i.declared_ms >= ?4 ORDER BY i.id DESC LIMIT ?5");
    if (!st)
        return KW_ERR_STORE;
    bind_opt(st, 1, q->state);
    bind_opt(st, 2, q->playbook);
    db_bind_int64(st, 3, q->drill);
    db_bind_int64(st, 4, q->since_ms);
    db_bind_int64(st, 5, q->limit > 0 ? q->limit : 100);
    return rows_doc(s, out, "incidents", st, incident_fields);
}

static void step_fields(kw_json *j, db_stmt *st)
{
    static const char *const names[] = {"name", "phase", "title", "title_zh", "instructions", "instructions_zh",
                                        "owner_spec", "owner", "owner_department", "fallback"};
    kw_json_kv_int(j, "position", db_col_int64(st, 0));
    for (int i = 0; i < 10; i++)
        kv_col(j, names[i], st, i + 1);
    kv_raw(j, "tell", st, 11, '[');
    kv_col(j, "report", st, 12);
    kv_when(j, "due", db_col_int64(st, 13));
    kv_col(j, "state", st, 14);
    kv_when(j, "done", db_col_int64(st, 15));
    kv_col(j, "done_by", st, 16);
    kv_col(j, "note", st, 17);
    kv_when(j, "notified", db_col_int64(st, 18));
    kv_when(j, "overdue", db_col_int64(st, 19));
}

static void alert_fields(kw_json *j, db_stmt *st)
{
    kw_json_kv_int(j, "alert", db_col_int64(st, 0));
    kv_when(j, "attached", db_col_int64(st, 1));
    kv_col(j, "rule", st, 2);
    kv_col(j, "summary", st, 3);
    kw_json_kv_int(j, "severity", db_col_int64(st, 4));
    kv_col(j, "state", st, 5);
}

static void event_fields(kw_json *j, db_stmt *st)
{
    kv_when(j, "ts", db_col_int64(st, 0));
    kv_col(j, "kind", st, 1);
    kv_col(j, "actor", st, 2);
    kv_col(j, "step", st, 3);
    kw_json_kv_int(j, "alert", db_col_int64(st, 4));
    kv_col(j, "text", st, 5);
    kv_raw(j, "data", st, 6, '{');
}

/* The steps, alerts and timeline of incident id into the open object. */
static kw_rc parts_json(kw_store *s, int64_t id, kw_json *j)
{
    kw_rc rc = rows_array(s, j, "steps",
                          "SELECT pos, name, phase, title, title_zh, instructions, instructions_zh, owner_spec, owner,"
                          " owner_dept, fallback, tell, report, due_ms, state, done_ms, done_by, note, notified_ms,"
                          " overdue_ms FROM incident_steps WHERE incident = ? ORDER BY pos",
                          id, step_fields);
    if (rc == KW_OK)
        rc = rows_array(s, j, "alerts",
                        "SELECT x.alert_id, x.attached_ms, a.rule, a.summary, a.severity, a.state"
                        " FROM incident_alerts x LEFT JOIN alerts a ON a.id = x.alert_id"
                        " WHERE x.incident = ? ORDER BY x.attached_ms, x.alert_id",
                        id, alert_fields);
    if (rc == KW_OK)
        rc = rows_array(s, j, "timeline",
                        "SELECT ts_ms, kind, actor, step, alert_id, text, data FROM incident_events"
                        " WHERE incident = ? ORDER BY id",
                        id, event_fields);
    return rc;
}

kw_rc store_incident_get_json(kw_store *s, int64_t id, kw_buf *out)
{
    db_stmt *st = store_stmt(s, "SELECT " INC_COLS " FROM incidents i WHERE i.id = ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, id);
    db_step_rc rc = db_step(st);
    if (rc == DB_DONE) {
        db_reset(st);
        return KW_ERR_NOTFOUND;
    }
    if (rc != DB_ROW)
        return fail(s, st);
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kw_json_key(&j, "incident");
    kw_json_obj_begin(&j);
    incident_fields(&j, st);
    kw_json_obj_end(&j);
    db_reset(st);
    kw_rc r = parts_json(s, id, &j);
    kw_json_obj_end(&j);
    return r;
}

/* ---- stats ---- */

/* "key": {GROUP: value, ...} from a query of (group, ...) rows bound to drill and since: the
 * group is column 0, a grade when `grade`, else text ("" or NULL: "-"); val writes the value. */
static kw_rc grouped(kw_store *s, kw_json *j, const char *key, const char *sql, bool drill, int64_t since, bool grade,
                     void (*val)(kw_json *, db_stmt *))
{
    db_stmt *st = store_stmt(s, sql);
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, drill);
    db_bind_int64(st, 2, since);
    kw_json_key(j, key);
    kw_json_obj_begin(j);
    db_step_rc rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *v = db_col_text(st, 0);
        kw_json_key(j, grade ? incident_grade_name((int)db_col_int64(st, 0)) : v && *v ? v : "-");
        val(j, st);
    }
    if (rc != DB_DONE)
        return fail(s, st);
    db_reset(st);
    kw_json_obj_end(j);
    return KW_OK;
}

static void count_val(kw_json *j, db_stmt *st)
{
    kw_json_int(j, db_col_int64(st, 1));
}

static void on_time_val(kw_json *j, db_stmt *st)
{
    kw_json_obj_begin(j);
    kw_json_kv_int(j, "on_time", db_col_int64(st, 1));
    kw_json_kv_int(j, "with_due", db_col_int64(st, 2));
    kw_json_obj_end(j);
}

/* "key": {"count", "mean_ms", "max_ms"} of a duration over the incidents (key NULL: only
 * "count", into the open object). */
static kw_rc duration_of(kw_store *s, kw_json *j, const char *key, const char *sql, bool drill, int64_t since)
{
    db_stmt *st = store_stmt(s, sql);
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, drill);
    db_bind_int64(st, 2, since);
    if (db_step(st) != DB_ROW)
        return fail(s, st);
    int64_t n = db_col_int64(st, 0);
    if (key) {
        kw_json_key(j, key);
        kw_json_obj_begin(j);
    }
    kw_json_kv_int(j, "count", n);
    if (key) {
        kw_json_kv_int(j, "mean_ms", n ? (int64_t)db_col_double(st, 1) : 0);
        kw_json_kv_int(j, "max_ms", n ? db_col_int64(st, 2) : 0);
        kw_json_obj_end(j);
    }
    db_reset(st);
    return KW_OK;
}

#define STATS_WHERE " FROM incidents WHERE drill = ? AND declared_ms >= ?"

static kw_rc stats_part(kw_store *s, kw_json *j, const char *key, bool drill, int64_t since)
{
    kw_json_key(j, key);
    kw_json_obj_begin(j);
    kw_rc rc = duration_of(s, j, NULL, "SELECT COUNT(*)" STATS_WHERE, drill, since);
    if (rc == KW_OK)
        rc = grouped(s, j, "by_state", "SELECT state, COUNT(*)" STATS_WHERE " GROUP BY state ORDER BY 1", drill,
                     since, false, count_val);
    if (rc == KW_OK)
        rc = grouped(s, j, "by_category", "SELECT COALESCE(category, ''), COUNT(*)" STATS_WHERE
                     " GROUP BY COALESCE(category, '') ORDER BY 1", drill, since, false, count_val);
    if (rc == KW_OK)
        rc = grouped(s, j, "by_grade", "SELECT grade, COUNT(*)" STATS_WHERE " GROUP BY grade ORDER BY 1", drill,
                     since, true, count_val);
    if (rc == KW_OK)
        rc = duration_of(s, j, "time_to_declare", "SELECT COUNT(*), CAST(AVG(declared_ms - found_ms) AS DOUBLE"
                         " PRECISION), MAX(declared_ms - found_ms)" STATS_WHERE, drill, since);
    if (rc == KW_OK)
        rc = duration_of(s, j, "time_to_contain", "SELECT COUNT(*), CAST(AVG(contained_ms - declared_ms) AS DOUBLE"
                         " PRECISION), MAX(contained_ms - declared_ms)" STATS_WHERE " AND contained_ms > 0", drill,
                         since);
    if (rc == KW_OK)
        rc = grouped(s, j, "steps_on_time", "SELECT COALESCE(t.owner_dept, ''),"
                     " SUM(CASE WHEN t.state = 'done' AND t.done_ms <= t.due_ms THEN 1 ELSE 0 END), COUNT(*)"
                     " FROM incident_steps t JOIN incidents i ON i.id = t.incident WHERE i.drill = ?"
                     " AND i.declared_ms >= ? AND t.due_ms > 0 AND t.state != 'na'"
                     " GROUP BY COALESCE(t.owner_dept, '') ORDER BY 1", drill, since, false, on_time_val);
    kw_json_obj_end(j);
    return rc;
}

kw_rc store_incident_stats_json(kw_store *s, int64_t since_ms, kw_buf *out)
{
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kv_when(&j, "since", since_ms);
    kw_rc rc = stats_part(s, &j, "incidents", false, since_ms);
    if (rc == KW_OK)
        rc = stats_part(s, &j, "drills", true, since_ms);
    kw_json_obj_end(&j);
    return rc;
}

static void history_fields(kw_json *j, db_stmt *st)
{
    kv_col(j, "playbook", st, 0);
    kv_when(j, "ts", db_col_int64(st, 1));
    kv_col(j, "kind", st, 2);
    kv_col(j, "actor", st, 3);
    kw_json_kv_int(j, "incident", db_col_int64(st, 4));
    kv_col(j, "text", st, 5);
}

kw_rc store_playbook_history_json(kw_store *s, const char *playbook, kw_buf *out)
{
    db_stmt *st = store_stmt(s, "SELECT playbook, ts_ms, kind, actor, incident, text FROM playbook_history"
                                " WHERE (playbook = ?1 OR ?1 IS NULL) ORDER BY id DESC");
    if (!st)
        return KW_ERR_STORE;
    bind_opt(st, 1, playbook);
    return rows_doc(s, out, "history", st, history_fields);
}
