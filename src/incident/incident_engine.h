/* The incident engine (incident_engine.c): what runs on the leading server, one step at a
 * time from the incident module's tick:
 *
 *   triggers   each alert fired or reopened since the engine's cursor in the alert history is
 *              offered to incident.triggers; one a trigger takes declares an incident from
 *              its playbook, or joins the open one of the same attack (the trigger's key);
 *   telling    each pending step whose needs are done (or skipped, or n/a) is told, once, to
 *              its owner (the channels of the owner's department, else of the owner's own
 *              departments, else incident.channels) and the targets it tells (their
 *              departments' channels, in their own terms), through the notify outbox; the
 *              incident's channels get the owner's message too;
 *   deadlines  each pending step past its deadline has an incident_step_overdue alert (labels
 *              incident, step, owner, department; a drill's marked so), which notify routes and
 *              escalates like any unacknowledged alert, and which resolves when the step is
 *              done, skipped or the incident closed.
 *
 * Each change is written with its timeline event and duty-log entry. Nothing is sent twice:
 * a step's notified time is set in the same transaction as its messages. */
#ifndef KW_INCIDENT_ENGINE_H
#define KW_INCIDENT_ENGINE_H

#include <stdint.h>

#include "alert/alert.h"
#include "conf/conf.h"
#include "store/store.h"

#define INCIDENT_OVERDUE_RULE "incident_step_overdue"

typedef struct incident_engine incident_engine;

typedef struct incident_engine_stats {
    uint64_t alerts_seen, declared, attached, steps_told, messages, overdue_fired, overdue_resolved, errors;
} incident_engine_stats;

/* An engine on c (which must outlive it, until incident_engine_reload). The caller frees with
 * incident_engine_free. */
incident_engine *incident_engine_new(const conf *c);
void incident_engine_free(incident_engine *e);
/* Moves the engine to next (its triggers recompiled; the alerts it has open kept). */
void incident_engine_reload(incident_engine *e, const conf *next);
/* Takes up the incident_step_overdue alerts open in s (after a restart or a takeover), so
 * that they resolve when their steps are done; the alert engine forgets them as its own. */
kw_rc incident_engine_adopt(incident_engine *e, kw_store *s, alert_engine *ae);
/* Records in each playbook's history the version in use ("adopted", with its digest) when it
 * differs from the last one recorded: after a start or a reload, the plans a review improved
 * are seen taking effect. */
kw_rc incident_engine_versions(incident_engine *e, kw_store *s, int64_t now_ms);
/* One step at now: triggers, telling, deadlines (alert changes appended to acts). */
kw_rc incident_engine_tick(incident_engine *e, kw_store *s, int64_t now_ms, alert_acts *acts);
const incident_engine_stats *incident_engine_stats_get(const incident_engine *e);

#endif
