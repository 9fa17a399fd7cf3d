/* The plan of an incident (incident_plan.c): from the configuration, a playbook, a grade, the
 * organisation type and the declaration, the steps as tasks: which apply at the grade (the
 * others are na), who owns each (resolved now: who is on duty at the declaration), whom each
 * tells, and when each is due. Pure: no I/O, no clock; the times are given.
 *
 * How a target resolves to an owner (a person, and the department when the target names one):
 *   duty, schedule:NAME  who oncall_at says is on duty in incident.duty_schedule (the first
 *                        schedule when none is named) / in NAME, at the time given;
 *   person:NAME          that person;
 *   role:ROLE            the first person of `people` (config order) holding ROLE;
 *   department:NAME      the department's head, else the first person in it;
 *   head:DEPT            the department's head, else as department:;
 *   kind:KIND            the first department of that kind (config order), as department:.
 * A target that resolves to nobody (no such person, department or role, an empty department,
 * nobody on duty) falls back to the duty officer, and the reason is kept in the step's
 * fallback ("no department of kind customer_service: the duty officer"); when nobody is on duty
 * either, the step has no owner and the fallback says so.
 *
 * Due times: a step's `within` after the declaration (none when 0). A `report: regulator`
 * step is due incident.reporting's `within` after the incident was found, from the row of
 * the organisation type (one per type: the configuration check says so) when its min_grade
 * covers the grade; it is na when it does not. */
#ifndef KW_INCIDENT_PLAN_H
#define KW_INCIDENT_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/conf.h"
#include "core/kw_err.h"
#include "incident/incident_conf.h"
#include "incident/incident_pb.h" /* incident_pb_find */

#define INCIDENT_WHO_MAX 128
#define INCIDENT_WHY_MAX 256

/* Who a target resolves to. */
typedef struct incident_owner {
    char person[INCIDENT_WHO_MAX];   /* "": nobody */
    char dept[INCIDENT_WHO_MAX];     /* "": no department */
    char fallback[INCIDENT_WHY_MAX]; /* "": the target's own */
} incident_owner;

typedef struct incident_plan_step {
    const conf_pb_step *pb;          /* the playbook's (borrowed from the conf) */
    int phase;                       /* pb_phase: of the phase it is listed in */
    bool applies;                    /* false: na at this grade */
    incident_owner owner;
    char *tell;                      /* the told targets resolved: a JSON array (owned) */
    int64_t due_ms;                  /* 0: none */
} incident_plan_step;

typedef struct incident_plan {
    incident_plan_step *v;           /* in playbook order, phase by phase */
    size_t n;
} incident_plan;

/* Inputs of a plan: declared_ms and found_ms set the due times; owners_at_ms is when duty
 * is looked up (the declaration; for a re-grade, the time of the re-grade). */
typedef struct incident_plan_in {
    const conf *c;
    const conf_playbook *pb;
    int grade;                       /* 1..4 */
    int org_type;                    /* inc_org_type */
    int64_t declared_ms, found_ms, owners_at_ms;
} incident_plan_in;

/* Makes the plan into *out. KW_ERR_RANGE for a grade outside 1..4. The caller frees with
 * incident_plan_free (the steps borrow from in->pb, which must outlive the plan). */
kw_rc incident_plan_make(const incident_plan_in *in, incident_plan *out);
void incident_plan_free(incident_plan *p);

/* Resolves one target at t into *out (see above). */
void incident_plan_owner(const conf *c, const char *target, int64_t t, incident_owner *out);

/* Whether target names someone who exists, for a person's own choice (assign): a known
 * form, an existing person, department or schedule, a role somebody holds. A department with
 * nobody in it or a kind without departments passes (they fall back as configured). False
 * with why written otherwise. */
bool incident_plan_target_check(const conf *c, const char *target, char *why, size_t whyn);

/* The regulator deadline for org_type at grade: KW_OK with the row, else KW_ERR_NOTFOUND
 * (the grade is below every row's min_grade). The row is the conf's. */
kw_rc incident_plan_reporting(const conf *c, int org_type, int grade, const conf_inc_reporting **out);


/* The names of the enums as the store keeps them: "confirm".., "none".., "cii".. ("?" when
 * out of range); static strings. */
const char *incident_phase_name(int phase);
const char *incident_report_name(int report);
const char *incident_org_name(int org_type);
/* The org type named s (cii, state_organ, other), or -1. */
int incident_org_parse(const char *s);

#endif
