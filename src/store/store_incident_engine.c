/* The incident engine's reads and its cursor (store_incident_engine.h), in the SQL both
 * backends speak. */
#include "store/store_incident_engine.h"
#include "store/store_int.h"
#include "store/store_notify.h"

#include <stdio.h>

#define TASK_COLUMNS                                                                                                   \
    "SELECT i.id, i.title, i.summary, i.playbook, i.systems, i.grade, i.drill, i.declared_ms, i.found_ms, s.name,"  \
    " s.phase, s.title, s.title_zh, s.instructions, s.instructions_zh, s.owner, s.owner_dept, s.tell, s.report,"     \
    " s.due_ms, s.overdue_ms FROM incident_steps s JOIN incidents i ON i.id = s.incident "                           \
    "WHERE i.state = 'open' AND s.state = 'pending' "

static kw_rc tasks_each(kw_store *s, db_stmt *st, void (*fn)(void *, const store_incident_task *), void *arg)
{
    db_step_rc rc;
    while ((rc = db_step(st)) == DB_ROW) {
        store_incident_task t = {
            .incident = db_col_int64(st, 0), .title = db_col_text(st, 1), .summary = db_col_text(st, 2),
            .playbook = db_col_text(st, 3), .systems = db_col_text(st, 4), .grade = (int)db_col_int64(st, 5),
            .drill = db_col_int64(st, 6) != 0, .declared_ms = db_col_int64(st, 7), .found_ms = db_col_int64(st, 8),
            .step = db_col_text(st, 9), .phase = db_col_text(st, 10), .step_title = db_col_text(st, 11),
            .step_title_zh = db_col_text(st, 12), .instructions = db_col_text(st, 13),
            .instructions_zh = db_col_text(st, 14), .owner = db_col_text(st, 15), .owner_dept = db_col_text(st, 16),
            .tell = db_col_text(st, 17), .report = db_col_text(st, 18), .due_ms = db_col_int64(st, 19),
            .overdue_marked = !db_col_null(st, 20)};
        fn(arg, &t);
    }
    db_reset(st);
    return rc == DB_DONE ? KW_OK : KW_ERR_STORE;
}

kw_rc store_incident_untold_each(kw_store *s, int limit, void (*fn)(void *, const store_incident_task *), void *arg)
{
    db_stmt *st = store_stmt(s, TASK_COLUMNS "AND s.notified_ms IS NULL ORDER BY i.id, s.pos LIMIT ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, limit);
    return tasks_each(s, st, fn, arg);
}

kw_rc store_incident_late_each(kw_store *s, int64_t now_ms, int limit, void (*fn)(void *, const store_incident_task *),
                               void *arg)
{
    db_stmt *st = store_stmt(s, TASK_COLUMNS "AND s.due_ms > 0 AND s.due_ms < ? ORDER BY s.due_ms, i.id LIMIT ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, now_ms);
    db_bind_int64(st, 2, limit);
    return tasks_each(s, st, fn, arg);
}

kw_rc store_incident_open_by_key(kw_store *s, const char *key, int64_t *id)
{
    *id = 0;
    db_stmt *st = store_stmt(s, "SELECT id FROM incidents WHERE trigger_key = ? AND state = 'open' ORDER BY id DESC "
                                "LIMIT 1");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, key);
    db_step_rc rc = db_step(st);
    if (rc == DB_ROW)
        *id = db_col_int64(st, 0);
    db_reset(st);
    return rc == DB_ROW || rc == DB_DONE ? KW_OK : KW_ERR_STORE;
}

kw_rc store_playbook_last_adopted(kw_store *s, const char *playbook, char *out, size_t n)
{
    out[0] = '\0';
    db_stmt *st = store_stmt(s, "SELECT text FROM playbook_history WHERE playbook = ? AND kind = 'adopted' "
                                "ORDER BY id DESC LIMIT 1");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, playbook);
    db_step_rc rc = db_step(st);
    if (rc == DB_ROW && db_col_text(st, 0))
        snprintf(out, n, "%s", db_col_text(st, 0));
    db_reset(st);
    return rc == DB_ROW || rc == DB_DONE ? KW_OK : KW_ERR_STORE;
}

#define CURSOR_KEY "incident_cursor"

kw_rc store_incident_cursor(kw_store *s, int64_t *cursor)
{
    bool found;
    *cursor = store_meta_int(s, CURSOR_KEY, &found);
    if (found)
        return KW_OK;
    *cursor = store_alert_history_max(s);
    return store_meta_put_int(s, CURSOR_KEY, *cursor);
}

kw_rc store_incident_cursor_put(kw_store *s, int64_t cursor)
{
    return store_meta_put_int(s, CURSOR_KEY, cursor);
}
