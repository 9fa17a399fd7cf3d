/* The incident operations (incident_ops.c): the one way incidents change, for the CLI now and
 * the HTTP API and the engine later. Each takes a context (the store, the configuration, the
 * time, who acts) and makes its change in one transaction (or a savepoint inside the
 * caller's): the incident's rows, a timeline event and a duty-log entry (kind "incident",
 * "incident #N: ..."), so `keepwatch duty verify` covers the incident's record. On an error
 * nothing is written and x->why / x->err say what the caller can show. */
#ifndef KW_INCIDENT_OPS_H
#define KW_INCIDENT_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/conf.h"
#include "core/kw_buf.h"
#include "incident/incident_conf.h"
#include "store/store_incident.h"

/* Why an operation was refused (x->why); the HTTP API maps them to its status codes. */
typedef enum {
    INC_E_NONE,
    INC_E_UNKNOWN_INCIDENT, /* not found */
    INC_E_UNKNOWN_STEP,
    INC_E_UNKNOWN_PLAYBOOK,
    INC_E_UNKNOWN_ALERT,
    INC_E_BAD_GRADE,        /* bad input */
    INC_E_MISSING,          /* bad input: a required text (reason, cause, impact, lessons) missing or
                             * too long, a time found after the declaration, a target (assign) that
                             * names nobody who exists */
    INC_E_FINISHED,         /* conflicts: the step is done or skipped already (double completion) */
    INC_E_NOT_APPLICABLE,   /* the step does not apply at the incident's grade */
    INC_E_NEEDS,            /* the step needs another first (skip is the way round) */
    INC_E_CLOSED,           /* the incident is closed (only notes are taken) */
    INC_E_STORE,            /* the store failed */
} incident_err;

typedef struct incident_ctx {
    kw_store *s;
    const conf *c;
    int64_t now_ms;
    const char *actor;          /* who acts (a person's name, "engine", a trigger's) */
    incident_err why;           /* set on an error */
    char err[512];              /* ... and what to show */
} incident_ctx;

/* What declaring an incident takes; strings may be NULL. */
typedef struct incident_decl {
    const char *playbook;
    int grade;                  /* 0: the playbook's */
    const char *title;          /* NULL: the playbook's title (Chinese when zh) */
    const char *summary, *systems;
    bool drill;
    const char *trigger, *key;  /* what opened it (NULL: by hand) */
    int64_t found_ms;           /* 0: the first attached alert's start, else now */
    const int64_t *alerts;      /* alerts to attach */
    size_t nalerts;
    bool zh;                    /* the default title in Chinese */
} incident_decl;

/* Declares an incident from its playbook: the steps planned (incident_plan.h), the alerts
 * attached; *id is its number. Nothing of d is kept. */
kw_rc incident_declare(incident_ctx *x, const incident_decl *d, int64_t *id);
/* Marks a step done (note may be NULL). Refused when finished, n/a, or a step it needs is
 * still pending. The last contain step done sets the incident's contained time. */
kw_rc incident_step_done(incident_ctx *x, int64_t id, const char *step, const char *note);
/* Skips a pending step; the reason is required. */
kw_rc incident_step_skip(incident_ctx *x, int64_t id, const char *step, const char *reason);
/* Gives a pending step to a target (person:NAME, duty, department:D, ... or a bare person's
 * name), resolved now; a target naming nobody who exists is refused (INC_E_MISSING). */
kw_rc incident_assign(incident_ctx *x, int64_t id, const char *step, const char *target);
/* Changes the grade and re-plans: steps that now apply become pending, steps that no longer
 * apply become na unless done, regulator deadlines are recomputed. reason may be NULL. */
kw_rc incident_grade(incident_ctx *x, int64_t id, int grade, const char *reason);
/* A note on the timeline (taken after close too). */
kw_rc incident_note(incident_ctx *x, int64_t id, const char *text);
/* Attaches an alert; one attached already is a no-op (KW_OK, *added false, no event). */
kw_rc incident_attach(incident_ctx *x, int64_t id, int64_t alert_id, bool *added);
/* The review that closes an incident; cause, impact and lessons are required, proposal (a
 * change to the playbook) optional, kept in the playbook's history. Pending steps become
 * skipped ("closed with the incident"). Closing twice is refused. */
typedef struct incident_review {
    const char *cause, *impact, *lessons, *proposal;
} incident_review;
kw_rc incident_close(incident_ctx *x, int64_t id, const incident_review *r);

/* Reading (no transaction of their own beyond a read snapshot): the incident as JSON
 * (store_incident_get_json's shape), the listing, the stats, the playbook history. Each
 * appends its document to out, the caller's buffer (freed with kw_buf_free). */
kw_rc incident_get_json(incident_ctx *x, int64_t id, kw_buf *out);
kw_rc incident_list_json(incident_ctx *x, const store_incident_query *q, kw_buf *out);
kw_rc incident_stats_json(incident_ctx *x, int64_t since_ms, kw_buf *out);
kw_rc incident_history_json(incident_ctx *x, const char *playbook, kw_buf *out);

/* Records one change of incident id inside the caller's transaction: the timeline event e
 * and the duty-log entry "incident #N: TEXT" (for the engine's changes: told, overdue). */
kw_rc incident_ops_record(incident_ctx *x, int64_t id, const store_incident_event *e);

/* ---- incident_json.c ---- */

/* Appends the playbook as canonical JSON (its fields in a fixed order) to out, the caller's:
 * the text whose SHA-256 is the incident's playbook digest. */
void incident_playbook_json(const conf_playbook *pb, kw_buf *out);
/* The hex SHA-256 of incident_playbook_json(pb) into hex[65]. */
void incident_playbook_digest(const conf_playbook *pb, char hex[65]);

#endif
