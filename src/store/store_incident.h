/* The incident module's tables (store_incident.c, store_incident_json.c): incidents, their
 * steps (the playbook's steps as tasks with owners and due times), the timeline (the review
 * record), the alerts attached to each, and the playbooks' history (proposals from reviews,
 * adoptions). The operations' logic is src/incident/incident_ops.c; this file stores and reads
 * what it decided, in the SQL both backends speak. Writes run inside the caller's transaction.
 *
 * States are text: an incident is open or closed; a step pending, done, skipped or na (it does
 * not apply at the incident's grade). Times are Unix milliseconds; 0 in due_ms, contained_ms,
 * closed_ms, done_ms: not (yet). */
#ifndef STORE_INCIDENT_H
#define STORE_INCIDENT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/kw_buf.h"
#include "store/store.h"

#define STORE_INCIDENT_VERSIONS 1
/* The incident module's migrations (the daemon runs them as the store opens, from the module). */
extern const store_migration store_incident_migrations[STORE_INCIDENT_VERSIONS];

/* Brings the tables up to date (the CLI's way in, as store_findings_migrate). */
kw_rc store_incident_migrate(kw_store *s);

#define SI_NAME_MAX 128

/* An incident as it is declared: every string is copied into the row (NULL: SQL NULL). */
typedef struct store_incident_new {
    const char *title, *playbook, *digest, *category, *subcategory;
    int grade;
    bool drill;
    int64_t found_ms, declared_ms;
    const char *declared_by, *trigger, *key, *summary, *systems, *org_type;
} store_incident_new;

/* One step as planned (declaration, re-grade, assignment). */
typedef struct store_incident_step_new {
    int position;
    const char *name, *phase, *title, *title_zh, *instructions, *instructions_zh;
    const char *owner_spec;      /* the target as written ("duty", "kind:customer_service") */
    const char *owner;           /* the person resolved (NULL: nobody) */
    const char *owner_dept;      /* the department (NULL: none) */
    const char *fallback;        /* why the owner is not the target's own (NULL: it is) */
    const char *tell;            /* the targets told, resolved: a JSON array */
    const char *report;          /* none, regulator, department */
    int64_t due_ms;
    const char *state;           /* pending or na */
} store_incident_step_new;

/* What the operations read of an incident. */
typedef struct store_incident_row {
    int64_t id;
    char playbook[SI_NAME_MAX];
    char state[8];
    char org_type[16];
    int grade;
    bool drill;
    int64_t found_ms, declared_ms, contained_ms, closed_ms;
} store_incident_row;

/* What the operations read of a step. */
typedef struct store_incident_step_row {
    char name[SI_NAME_MAX];
    char phase[16];
    char state[8];
    char owner[SI_NAME_MAX];     /* "": nobody */
    int64_t due_ms, done_ms;
} store_incident_step_row;

typedef struct store_incident_steps {
    store_incident_step_row *v;
    size_t n;
} store_incident_steps;

/* A timeline event; strings NULL for none, alert_id 0 for none, data a JSON object or NULL. */
typedef struct store_incident_event {
    const char *kind;            /* declared, alert_attached, step_done, ... */
    const char *actor, *step;
    int64_t alert_id;
    const char *text, *data;
} store_incident_event;

/* Inserts an incident (state open) and writes its id into *id. */
kw_rc store_incident_insert(kw_store *s, const store_incident_new *n, int64_t *id);
/* Inserts one of its steps. */
kw_rc store_incident_step_insert(kw_store *s, int64_t incident, const store_incident_step_new *st);
/* Rewrites a step's plan (owner fields, tell, due, state) after a re-grade. */
kw_rc store_incident_step_replan(kw_store *s, int64_t incident, const store_incident_step_new *st);
/* Sets a step's due time and state (pending or na) after a re-grade, its owner kept. */
kw_rc store_incident_step_set_due(kw_store *s, int64_t incident, const char *step, int64_t due_ms,
                                  const char *state);
/* Appends a timeline event at ts_ms. */
kw_rc store_incident_event_add(kw_store *s, int64_t incident, int64_t ts_ms, const store_incident_event *e);
/* Attaches an alert; *added false when it was attached already (nothing written). */
kw_rc store_incident_alert_attach(kw_store *s, int64_t incident, int64_t alert_id, int64_t ts_ms, bool *added);
/* When alert_id started: KW_ERR_NOTFOUND when there is no such alert. */
kw_rc store_incident_alert_started(kw_store *s, int64_t alert_id, int64_t *started_ms);

/* Reads incident id: KW_ERR_NOTFOUND when there is none. */
kw_rc store_incident_get(kw_store *s, int64_t id, store_incident_row *out);
/* Reads its steps in playbook order into *out (replacing what it held); the caller frees with
 * store_incident_steps_free. */
kw_rc store_incident_steps_get(kw_store *s, int64_t id, store_incident_steps *out);
/* Frees what store_incident_steps_get put in v and empties it. */
void store_incident_steps_free(store_incident_steps *v);


/* Sets a step's state (done or skipped) with when, by whom and the note. KW_ERR_NOTFOUND:
 * no such step. */
kw_rc store_incident_step_finish(kw_store *s, int64_t incident, const char *step, const char *state, int64_t ts_ms,
                                 const char *by, const char *note);
/* Gives a step a new owner: the target as written and what it resolved to. */
kw_rc store_incident_step_assign(kw_store *s, int64_t incident, const char *step, const char *spec,
                                 const char *owner, const char *dept, const char *fallback);
/* Marks the step's owners told at ts_ms (notified_ms), or its overdue alert raised
 * (overdue_ms): for the engine. */
kw_rc store_incident_step_mark(kw_store *s, int64_t incident, const char *step, bool overdue, int64_t ts_ms);
kw_rc store_incident_set_grade(kw_store *s, int64_t id, int grade);
kw_rc store_incident_set_contained(kw_store *s, int64_t id, int64_t ts_ms);
/* Closes the incident with its review; its pending steps become skipped ("closed with the
 * incident"), *skipped says how many. */
kw_rc store_incident_close(kw_store *s, int64_t id, int64_t ts_ms, const char *by, const char *cause,
                           const char *impact, const char *lessons, int64_t *skipped);
/* Adds to a playbook's history (kind proposal or adopted; incident 0: none). */
kw_rc store_playbook_history_add(kw_store *s, const char *playbook, int64_t ts_ms, const char *kind,
                                 const char *actor, int64_t incident, const char *text);

/* ---- as JSON (store_incident_json.c) ---- */

typedef struct store_incident_query {
    const char *state;           /* open, closed; NULL: any */
    const char *playbook;        /* NULL: any */
    int drill;                   /* -1: drills and real ones, 0: real only, 1: drills only */
    int64_t since_ms;            /* declared at or after (0: any) */
    int64_t limit;               /* 0: 100 */
} store_incident_query;

/* The JSON writers append to out, the caller's buffer. */

/* Writes {"incidents":[...]} newest first. */
kw_rc store_incident_list_json(kw_store *s, const store_incident_query *q, kw_buf *out);
/* Writes {"incident":{...}, "steps":[...], "alerts":[...], "timeline":[...]}; KW_ERR_NOTFOUND
 * when there is no such incident. */
kw_rc store_incident_get_json(kw_store *s, int64_t id, kw_buf *out);
/* Writes the stats of incidents declared since since_ms (0: all): {"incidents":{...},
 * "drills":{...}}, each with by_state (open, closed: counts), by_category, by_grade,
 * time_to_declare and time_to_contain (count, mean_ms, max_ms) and steps_on_time per
 * department (on_time: done by the due time, with_due: every applicable step with one;
 * "-": steps with no department). */
kw_rc store_incident_stats_json(kw_store *s, int64_t since_ms, kw_buf *out);
/* Writes {"history":[...]} for one playbook (NULL: all), newest first. */
kw_rc store_playbook_history_json(kw_store *s, const char *playbook, kw_buf *out);

#endif
