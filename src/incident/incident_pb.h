/* incident_pb.h: what a playbook must satisfy beyond its fields' types, and where playbooks
 * come from besides the configuration file (incident_pb.c).
 *
 * A playbook is checked in two passes, both reporting FILE:LINE:COLUMN at the offending node:
 * - incident_pb_check, the playbook section's check hook, right after the item is read (from
 *   incident.playbooks, a playbook_dir file or a built-in one): a title, a known GB/T
 *   20986-2023 category and sub-category, phases listed once with steps, step names unique,
 *   needs that exist and make no cycle, grades I..IV, targets well formed (a built-in one: duty
 *   and kind: only), no step due before a step it needs; it derives step phase and grade_mask;
 * - incident_conf_refs, the cross-check once the whole file is read: targets that name people,
 *   departments, schedules and roles of the configuration, regulator deadlines that come before
 *   a step the report needs, triggers, duty_schedule, channels, one reporting row per org type.
 *   It also loads the built-in playbooks (into the built-in layer) and incident.playbook_dir. */
#ifndef KW_INCIDENT_PB_H
#define KW_INCIDENT_PB_H

#include "conf/conf_engine.h"
#include "incident/incident_conf.h"

#define INCIDENT_PB_MAX_STEPS 256             /* steps in one playbook */
#define INCIDENT_PB_MAX_FILE (1u << 20)        /* a playbook_dir file */
#define INCIDENT_PB_MAX_FILES 1000             /* *.yaml files in playbook_dir */

typedef enum {
    INC_TARGET_BAD, INC_TARGET_DUTY, INC_TARGET_SCHEDULE, INC_TARGET_PERSON, INC_TARGET_ROLE,
    INC_TARGET_DEPARTMENT, INC_TARGET_HEAD, INC_TARGET_KIND
} inc_target_kind;

/* A target "duty", "schedule:NAME", "person:NAME", "role:ROLE", "department:NAME", "head:DEPT"
 * or "kind:KIND": its kind, and in *what (may be NULL) the part after the colon (points into
 * t; "" for duty). INC_TARGET_BAD when t is none of them or names nothing. */
inc_target_kind incident_target_parse(const char *t, const char **what);
/* The dept_kind of a department kind name (security, operations, business, customer_service,
 * management, other), or -1. */
int incident_dept_kind_parse(const char *s);

/* The playbook section's check hook (obj: a conf_playbook, node: its mapping). */
void incident_pb_check(cf_ctx *ctx, void *obj, yaml_node_t *node);
/* The incident cross-check (registered in src/daemon/daemon_conf.c). At the built-in layer it
 * loads the built-in playbooks; at the user layer the playbook_dir files (a relative
 * playbook_dir is taken from the configuration file's directory and stored resolved). */
void incident_conf_refs(cf_ctx *ctx, conf *c, yaml_node_t *top);

/* Reads text (len bytes) as one playbook file named name, the way a playbook_dir file is read
 * (builtin: the way a built-in one is): checked against c, then added to c's playbooks (its
 * source is name, unless builtin). KW_OK, or KW_ERR_PARSE with every error in errs. */
kw_rc incident_pb_load_text(conf *c, const char *name, const char *text, size_t len, bool builtin, conf_errors *errs);

/* The built-in playbooks (the playbooks directory's YAML files, embedded at build time): how many, and the file
 * name, text and length of playbook i (static storage). */
size_t incident_pb_builtin_count(void);
const char *incident_pb_builtin_name(size_t i);
const char *incident_pb_builtin_text(size_t i, size_t *len);

/* The playbook called name in c, or NULL. Owned by c. */
const conf_playbook *incident_pb_find(const conf *c, const char *name);
/* The step called name in pb, or NULL. Owned by pb. */
const conf_pb_step *incident_pb_step_find(const conf_playbook *pb, const char *name);
/* The regulator deadline (ms after the declaration) of an incident of grade in an organisation
 * of org_type under c's incident.reporting, or -1 when none applies (a grade below the rows). */
int64_t incident_pb_regulator_ms(const conf *c, int org_type, int grade);
/* The incident.reporting row of org_type, or NULL. Owned by c. */
const conf_inc_reporting *incident_pb_reporting(const conf *c, int org_type);
/* "critical information infrastructure operators" / 关键信息基础设施运营者, ... */
const char *incident_org_label(int org_type, bool zh);

#endif
