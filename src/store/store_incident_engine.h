/* What the incident engine reads and marks (store_incident_engine.c), on the tables of
 * store_incident.c: the steps not yet told, the steps past their deadline, the open incident
 * a trigger's key opened, and the engine's cursor in the alert history. */
#ifndef STORE_INCIDENT_ENGINE_H
#define STORE_INCIDENT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* A pending step of an open incident with what its messages need; the strings live until
 * fn returns (NULL for none). */
typedef struct store_incident_task {
    int64_t incident;
    const char *title, *summary, *playbook, *systems;
    int grade;
    bool drill;
    int64_t declared_ms, found_ms;
    const char *step, *phase, *step_title, *step_title_zh, *instructions, *instructions_zh;
    const char *owner, *owner_dept, *tell, *report;
    int64_t due_ms;
    bool overdue_marked;         /* its overdue alert was raised before (overdue_ms set) */
} store_incident_task;

/* Calls fn for the first `limit` pending steps of open incidents whose owners are not yet told
 * (notified_ms null), by incident then position. */
kw_rc store_incident_untold_each(kw_store *s, int limit, void (*fn)(void *, const store_incident_task *), void *arg);
/* Calls fn for the first `limit` pending steps of open incidents due before now (0 < due <
 * now), the most overdue first. */
kw_rc store_incident_late_each(kw_store *s, int64_t now_ms, int limit, void (*fn)(void *, const store_incident_task *),
                               void *arg);
/* The open incident a trigger opened under key: *id, or 0 when there is none. */
kw_rc store_incident_open_by_key(kw_store *s, const char *key, int64_t *id);
/* The text of a playbook's latest "adopted" history entry into out[n] ("" when none). */
kw_rc store_playbook_last_adopted(kw_store *s, const char *playbook, char *out, size_t n);

/* The engine's cursor in the alert history; the first time, the history's end (what happened
 * before the engine first ran is not news). */
kw_rc store_incident_cursor(kw_store *s, int64_t *cursor);
kw_rc store_incident_cursor_put(kw_store *s, int64_t cursor);

#endif
