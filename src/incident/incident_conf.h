/* The incident: section of the configuration (incident_conf.c): the organisation's reporting
 * facts, the regulator deadlines, the triggers that open incidents from alerts, and the
 * playbooks (response plans) incidents are run from.
 *
 * A playbook is one incident type: its GB/T 20986-2023 category and sub-category, the grades
 * Ⅰ–Ⅳ with the criteria the team writes for each, and phases of steps. A step has an owner
 * (a target, below), a deadline relative to the declaration, the steps it needs first, the
 * departments it tells and whether it prepares a report.
 *
 * Targets (owners, tell): duty (whoever is on duty in incident.duty_schedule at declaration),
 * schedule:NAME, person:NAME, role:ROLE, department:NAME, head:DEPT, kind:KIND (every
 * department of that kind: security, operations, business, customer_service, management). */
#ifndef KW_INCIDENT_CONF_H
#define KW_INCIDENT_CONF_H

#include "conf/conf_engine.h"

/* Grades: 1 = Ⅰ 特别重大 (most severe) ... 4 = Ⅳ 一般; 0: not given. */
#define INCIDENT_GRADE_MIN 1
#define INCIDENT_GRADE_MAX 4

typedef enum { PB_PHASE_CONFIRM, PB_PHASE_CONTAIN, PB_PHASE_ERADICATE, PB_PHASE_RECOVER, PB_PHASE_REPORT } pb_phase;
typedef enum { PB_REPORT_NONE, PB_REPORT_REGULATOR, PB_REPORT_DEPARTMENT } pb_report;
typedef enum { INC_ORG_CII, INC_ORG_STATE_ORGAN, INC_ORG_OTHER } inc_org_type;

typedef struct conf_pb_step {
    char *name;                 /* unique in its playbook: "verify" */
    char *title, *title_zh;
    char *instructions, *instructions_zh; /* `do`, `do_zh` in YAML */
    char *owner;                /* a target (NULL: duty) */
    int64_t within_ms;          /* due this long after the declaration (0: no deadline) */
    conf_strs needs;            /* steps (names) done or skipped before this one */
    conf_strs tell;             /* targets told when the step is ready, besides its owner */
    char *message, *message_zh; /* what they are told (NULL: the built-in text for their kind) */
    int report;                 /* pb_report: the step prepares a report */
    conf_strs grades;           /* the step applies only at these grades, "I".."IV" (empty: all) */
    /* derived at load */
    int phase;                  /* pb_phase of the phase it is listed in */
    uint8_t grade_mask;         /* bit g-1 set: applies at grade g (0x0f: all) */
} conf_pb_step;

typedef struct conf_pb_phase {
    int phase;                  /* pb_phase */
    conf_list steps;            /* conf_pb_step */
} conf_pb_phase;

typedef struct conf_pb_grade {
    int grade;                  /* 1..4 */
    char *criteria, *criteria_zh;
} conf_pb_grade;

typedef struct conf_playbook {
    char *name;                 /* ddos, defacement, intrusion, ... */
    char *title, *title_zh;
    char *description, *description_zh;
    char *category;             /* GB/T 20986-2023 category code */
    char *subcategory;          /* its sub-category code (NULL: none given) */
    int grade;                  /* the grade when declared without one (default Ⅳ) */
    conf_list grades;           /* conf_pb_grade */
    conf_list phases;           /* conf_pb_phase */
    bool builtin;               /* from keepwatch's own playbooks */
    char *source;               /* the file it was read from (NULL: the configuration) */
} conf_playbook;

/* A regulator deadline: an organisation of org_type reports incidents of min_grade and above
 * (a smaller number: more severe) within within_ms of finding them. */
typedef struct conf_inc_reporting {
    int org_type;               /* inc_org_type */
    int min_grade;              /* 1..4: this grade and the more severe ones */
    int64_t within_ms;
    char *to, *to_zh;           /* who is told: "the CAC's provincial office" */
    bool builtin;               /* a default row (marked by the cross-check): a row of the file for
                                   its org_type replaces it */
} conf_inc_reporting;

/* Alerts that open (or join) an incident. */
typedef struct conf_inc_trigger {
    char *name;
    conf_match match;           /* the alert that opens it (notify's conditions) */
    conf_match after;           /* optional: only when an alert matching this fired first... */
    int64_t within_ms;          /* ...at most this long before, on the same key */
    char *playbook;
    int grade;                  /* 0: the playbook's */
    conf_strs key;              /* alert fields or labels that make "the same attack" (default: asset) */
    bool drill_only;            /* only alerts of a drill (labels.drill) */
} conf_inc_trigger;

extern const cf_section incident_conf_section;

/* Frees what pb holds (not pb itself: it is an element of a list). */
void incident_playbook_free(conf_playbook *pb);

extern const char *const incident_phase_names[];   /* confirm .. report, NULL-terminated (incident_grade.c) */
extern const char *const incident_grade_names[];   /* "I" .. "IV", NULL-terminated */
extern const char *const incident_report_names[];  /* none, regulator, department (pb_report), NULL */
extern const char *const incident_org_names[];     /* cii, state_organ, other (inc_org_type), NULL */
/* A phase's name (confirm ..) in words: 确认与评估, 遏制, 根除, 恢复, 报告与总结, or the English;
 * an unknown name as it is. */
const char *incident_phase_label(const char *phase, bool zh);
/* One playbook's section (incident_pb.c: its tables and checks), an item of incident.playbooks. */
extern const cf_section incident_pb_section;
/* The grade's name: "I".."IV" (ascii) or "Ⅰ".."Ⅳ"; "?" out of range. */
const char *incident_grade_name(int grade);
const char *incident_grade_roman(int grade);
/* 特别重大, 重大, 较大, 一般 / particularly serious, serious, relatively serious, general. */
const char *incident_grade_label(int grade, bool zh);
/* "I", "II", "III", "IV", "Ⅰ".."Ⅳ", "1".."4", 特别重大..一般 into 1..4; 0 when none. */
int incident_grade_parse(const char *s);

#endif
