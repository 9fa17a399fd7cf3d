/* The drill module's tables (store_drill.c): the runs (requested, running, scored), their
 * stages measured against their targets, the marks people made (tabletop), their weak spots. */
#ifndef KW_STORE_DRILL_H
#define KW_STORE_DRILL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/kw_buf.h"
#include "store/store.h"

/* The runs started in [from, to) (every run when both are 0), newest first, as a JSON array
 * appended to out; each run as GET /api/v1/drills/runs/ID answers it:
 *   {id, scenario, title, title_zh, state (requested|running|scoring|done|stopped|failed),
 *    tabletop, surprise, requested_by, requested, started, ended, score (0-100 or null),
 *    stages: [{stage, label: {zh, en}, target_s, measured_s (null: never), ok, who}],
 *    responders: [{name, department, acted}], weak: [{text, text_zh, finding}],
 *    incident (id or null), alerts: [id...], injections: [{kind, at_s, state, error}]} */
kw_rc store_drill_runs_json(kw_store *s, int64_t from_ms, int64_t to_ms, kw_buf *out);

/* ---- the rest of the module's face (D1) ---- */

#define STORE_DRILL_VERSIONS 1
extern const store_migration store_drill_migrations[STORE_DRILL_VERSIONS];
/* Brings the drill tables to their version (the daemon does it through drill_module's
 * migrations; for the CLI and tests). */
kw_rc store_drill_migrate(kw_store *s);

/* As store_drill_runs_json, for the runs of scenario (NULL: all), at most limit (0: all) of
 * them; id > 0: that run alone, as one object (KW_ERR_NOTFOUND: none). */
kw_rc store_drill_runs_query(kw_store *s, const char *scenario, int64_t limit, kw_buf *out);
kw_rc store_drill_run_json(kw_store *s, int64_t id, kw_buf *out);

/* A run requested (state requested); *id its number. */
kw_rc store_drill_request(kw_store *s, const char *scenario, const char *title, const char *title_zh, bool tabletop,
                          bool surprise, const char *by, int64_t now_ms, int64_t *id);

/* A run's row as the module reads it. */
typedef struct store_drill_row {
    int64_t id;
    char scenario[128];
    char state[16];
    int64_t started_ms, ended_ms;
    bool stop_requested;
    char *seen_json;            /* the caller frees */
    char *injections_json;      /* the caller frees */
} store_drill_row;

/* Whether a run of scenario was requested at or after since_ms (*found). */
kw_rc store_drill_requested_since(kw_store *s, const char *scenario, int64_t since_ms, bool *found);
/* The oldest requested run (KW_ERR_NOTFOUND: none). */
kw_rc store_drill_next_requested(kw_store *s, store_drill_row *r);
/* The runs running, or ended at or after since_ms (for the marks' linger), up to max of them
 * into v (their strings the caller's: store_drill_rows_free); *n how many. */
kw_rc store_drill_active(kw_store *s, int64_t since_ms, store_drill_row *v, size_t max, size_t *n);
void store_drill_rows_free(store_drill_row *v, size_t n);

/* requested -> running at now. KW_ERR_NOTFOUND: it is not requested any more. */
kw_rc store_drill_start(kw_store *s, int64_t id, int64_t now_ms);
/* What the run's injections are and make the sensors see (JSON). */
kw_rc store_drill_progress(kw_store *s, int64_t id, const char *injections_json, const char *seen_json);
/* A stop asked for: a requested run is stopped at once, a running one flagged for the leader.
 * KW_ERR_NOTFOUND: no such run in progress. */
kw_rc store_drill_stop(kw_store *s, int64_t id, int64_t now_ms);
/* The newest run in progress (KW_ERR_NOTFOUND: none). */
kw_rc store_drill_current(kw_store *s, int64_t *id);

/* The scored run: state (done, stopped, failed), its results as JSON arrays, its weak spots. */
typedef struct store_drill_result {
    const char *state;
    int score;                  /* -1: none */
    const char *stages_json, *responders_json, *alerts_json;
    int64_t incident;           /* 0: none */
    const char *error;          /* may be NULL */
    const char *const *weak_en, *const *weak_zh;
    size_t nweak;
} store_drill_result;
kw_rc store_drill_finish(kw_store *s, int64_t id, int64_t now_ms, const store_drill_result *r);

/* A tabletop mark (stage: detected, notified, acked, declared, step:NAME). */
kw_rc store_drill_mark(kw_store *s, int64_t id, const char *stage, const char *by, const char *note, int64_t now_ms);
/* The first mark of each stage of run id: calls fn for each (stage, by, ts). */
kw_rc store_drill_marks_each(kw_store *s, int64_t id, void (*fn)(void *arg, const char *stage, const char *by,
                                                                 int64_t ts_ms), void *arg);
/* Records weak spot pos of run id as finding (KW_ERR_NOTFOUND: none such). */
kw_rc store_drill_weak_finding(kw_store *s, int64_t id, int64_t pos, int64_t finding);

/* What the drill's alerts (labels.drill = the run's id) show: the first fired, the first
 * acknowledged and by whom, their ids (JSON array), and each one still open (fn: its
 * fingerprint and rule, for the RESOLVE acts). */
typedef struct store_drill_alerts {
    int64_t first_ms, acked_ms;
    char acked_by[128];
    char rule[128];             /* the first one's */
    char *ids_json;             /* the caller frees */
} store_drill_alerts;
kw_rc store_drill_alerts_of(kw_store *s, int64_t id, const char *rule, store_drill_alerts *out,
                            void (*open_fn)(void *arg, const char *fingerprint, const char *rule), void *arg);
/* The first delivery (sent_ms) of a notification about one of the drill's alerts, 0 none; and
 * with channel given, of one to that channel. */
kw_rc store_drill_first_notified(kw_store *s, int64_t id, const char *channel, int64_t *sent_ms);
/* The drill incident the run's alerts are attached to (0: none), when declared, by whom. */
kw_rc store_drill_incident(kw_store *s, int64_t id, int64_t *incident, int64_t *declared_ms, char *by, size_t n,
                           char *playbook, size_t pn, int *grade);
/* The steps of incident: fn for each (name, owner spec, due, done, skipped, done by). */
kw_rc store_drill_steps_each(kw_store *s, int64_t incident,
                             void (*fn)(void *arg, const char *name, const char *owner, int64_t due_ms,
                                        int64_t done_ms, bool skipped, const char *done_by),
                             void *arg);

#endif
