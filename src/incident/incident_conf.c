/* incident_conf.c: the configuration's incident: section: the organisation (its name, type and
 * contact, for the reports), the regulator deadlines, the triggers and the playbooks, read by
 * the tables below. What a playbook must satisfy beyond its fields' types (known targets,
 * steps that exist, no cycles, deadlines that can be met) is checked in the check hooks. */
#include "incident/incident_conf.h"
#include "incident/incident_pb.h"
#include "notify/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const grade_names[] = {"I", "II", "III", "IV", NULL};
const char *const incident_phase_names[] = {"confirm", "contain", "eradicate", "recover", "report", NULL};
static const char *const report_names[] = {"none", "regulator", "department", NULL};
static const char *const org_names[] = {"cii", "state_organ", "other", NULL};

static const cf_field step_fields[] = {
    F(conf_pb_step, "name", CF_STR, name),
    F(conf_pb_step, "title", CF_STR, title),
    F(conf_pb_step, "title_zh", CF_STR, title_zh),
    F(conf_pb_step, "do", CF_STR, instructions),
    F(conf_pb_step, "do_zh", CF_STR, instructions_zh),
    F(conf_pb_step, "owner", CF_STR, owner),
    F(conf_pb_step, "within", CF_DURATION, within_ms, 0, CF_YEAR),
    F(conf_pb_step, "needs", CF_STRS, needs),
    F(conf_pb_step, "tell", CF_STRS, tell),
    F(conf_pb_step, "message", CF_STR, message),
    F(conf_pb_step, "message_zh", CF_STR, message_zh),
    F(conf_pb_step, "report", CF_ENUM, report, .names = report_names),
    F(conf_pb_step, "grades", CF_STRS, grades),
    {0},
};
static const cf_section step_section = {"incident.playbooks.phases.steps", sizeof(conf_pb_step), step_fields};

static const cf_field phase_fields[] = {
    F(conf_pb_phase, "phase", CF_ENUM, phase, .names = incident_phase_names),
    F(conf_pb_phase, "steps", CF_LIST, steps, .sub = &step_section),
    {0},
};
static const cf_section phase_section = {"incident.playbooks.phases", sizeof(conf_pb_phase), phase_fields,
                                         .unnamed = true};

static const cf_field pb_grade_fields[] = {
    F(conf_pb_grade, "grade", CF_ENUM, grade, .names = grade_names, .base = 1),
    F(conf_pb_grade, "criteria", CF_STR, criteria),
    F(conf_pb_grade, "criteria_zh", CF_STR, criteria_zh),
    {0},
};
static const cf_section pb_grade_section = {"incident.playbooks.grades", sizeof(conf_pb_grade), pb_grade_fields,
                                            .unnamed = true};

static const cf_field playbook_fields[] = {
    F(conf_playbook, "name", CF_STR, name),
    F(conf_playbook, "title", CF_STR, title),
    F(conf_playbook, "title_zh", CF_STR, title_zh),
    F(conf_playbook, "description", CF_STR, description),
    F(conf_playbook, "description_zh", CF_STR, description_zh),
    F(conf_playbook, "category", CF_STR, category),
    F(conf_playbook, "subcategory", CF_STR, subcategory),
    F(conf_playbook, "grade", CF_ENUM, grade, .names = grade_names, .base = 1, .dflt = 4),
    F(conf_playbook, "grades", CF_LIST, grades, .sub = &pb_grade_section),
    F(conf_playbook, "phases", CF_LIST, phases, .sub = &phase_section),
    {0},
};
static void playbook_fini(void *obj) { free(((conf_playbook *)obj)->source); }

/* A playbook_dir file's playbook is not shown: playbook_dir reads it again. */
static bool playbook_hidden(const void *obj) { return ((const conf_playbook *)obj)->source != NULL; }

static const cf_section playbook_section = {"incident.playbooks", sizeof(conf_playbook), playbook_fields,
                                            .check = incident_pb_check, .fini = playbook_fini,
                                            .builtin = offsetof(conf_playbook, builtin), .hidden = playbook_hidden};

static const cf_field reporting_fields[] = {
    F(conf_inc_reporting, "org_type", CF_ENUM, org_type, .names = org_names),
    F(conf_inc_reporting, "min_grade", CF_ENUM, min_grade, .names = grade_names, .base = 1, .dflt = 3),
    F(conf_inc_reporting, "within", CF_DURATION, within_ms, 60000, CF_YEAR),
    F(conf_inc_reporting, "to", CF_STR, to),
    F(conf_inc_reporting, "to_zh", CF_STR, to_zh),
    {0},
};
static const cf_section reporting_section = {"incident.reporting", sizeof(conf_inc_reporting), reporting_fields,
                                             .unnamed = true};

static const cf_field trigger_fields[] = {
    F(conf_inc_trigger, "name", CF_STR, name),
    F(conf_inc_trigger, "match", CF_MATCH, match, .vcheck = notify_cond_check),
    F(conf_inc_trigger, "after", CF_MATCH, after, .vcheck = notify_cond_check),
    F(conf_inc_trigger, "within", CF_DURATION, within_ms, 0, CF_DAY, .dflt = 3600000),
    F(conf_inc_trigger, "playbook", CF_STR, playbook),
    F(conf_inc_trigger, "grade", CF_ENUM, grade, .names = grade_names, .base = 1),
    F(conf_inc_trigger, "key", CF_STRS, key),
    F(conf_inc_trigger, "drill_only", CF_BOOL, drill_only),
    {0},
};
static const cf_section trigger_section = {"incident.triggers", sizeof(conf_inc_trigger), trigger_fields};

static const cf_field incident_fields[] = {
    F(conf, "organisation", CF_STR, incident.organisation),
    F(conf, "org_type", CF_ENUM, incident.org_type, .names = org_names),
    F(conf, "contact", CF_STR, incident.contact),
    F(conf, "duty_schedule", CF_STR, incident.duty_schedule),
    F(conf, "playbook_dir", CF_STR, incident.playbook_dir),
    F(conf, "channels", CF_STRS, incident.channels),
    F(conf, "overdue_severity", CF_ENUM, incident.overdue_severity, .names = cf_severity_names, .base = 1),
    F(conf, "reporting", CF_LIST, incident.reporting, .sub = &reporting_section),
    F(conf, "triggers", CF_LIST, incident.triggers, .sub = &trigger_section),
    F(conf, "playbooks", CF_LIST, incident.playbooks, .sub = &playbook_section),
    {0},
};
const cf_section incident_conf_section = {"incident", 0, incident_fields};

void incident_playbook_free(conf_playbook *pb) { cf_free_section(&playbook_section, pb); }

/* ---- grades ---- */

static const char *const grade_roman[] = {"Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ"};
static const char *const grade_zh[] = {"特别重大", "重大", "较大", "一般"};
static const char *const grade_en[] = {"particularly serious", "serious", "relatively serious", "general"};

static bool grade_ok(int g)
{
    return g >= INCIDENT_GRADE_MIN && g <= INCIDENT_GRADE_MAX;
}

const char *incident_grade_name(int grade)
{
    return grade_ok(grade) ? grade_names[grade - 1] : "?";
}

const char *incident_grade_roman(int grade)
{
    return grade_ok(grade) ? grade_roman[grade - 1] : "?";
}

const char *incident_grade_label(int grade, bool zh)
{
    return grade_ok(grade) ? (zh ? grade_zh[grade - 1] : grade_en[grade - 1]) : "?";
}

int incident_grade_parse(const char *s)
{
    if (!s)
        return 0;
    for (int g = INCIDENT_GRADE_MIN; g <= INCIDENT_GRADE_MAX; g++) {
        char digit[2] = {(char)('0' + g), '\0'};
        if (strcasecmp(s, grade_names[g - 1]) == 0 || strcmp(s, grade_roman[g - 1]) == 0 ||
            strcmp(s, grade_zh[g - 1]) == 0 || strcmp(s, digit) == 0)
            return g;
    }
    return 0;
}
