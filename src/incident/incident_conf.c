/* incident_conf.c: the configuration's incident: section: the organisation (its name, type and
 * contact, for the reports), the regulator deadlines, the triggers and the playbooks, read by
 * the tables below. What a playbook must satisfy beyond its fields' types (known targets,
 * steps that exist, no cycles, deadlines that can be met) is checked in the check hooks. The
 * playbook's own tables and checks are incident_pb.c's, the grades incident_grade.c's. */
#include "incident/incident_conf.h"
#include "incident/incident_pb.h"
#include "notify/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


static const cf_field reporting_fields[] = {
    F(conf_inc_reporting, "org_type", CF_ENUM, org_type, .names = incident_org_names),
    F(conf_inc_reporting, "min_grade", CF_ENUM, min_grade, .names = incident_grade_names, .base = 1, .dflt = 3),
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
    F(conf_inc_trigger, "grade", CF_ENUM, grade, .names = incident_grade_names, .base = 1),
    F(conf_inc_trigger, "key", CF_STRS, key),
    F(conf_inc_trigger, "drill_only", CF_BOOL, drill_only),
    {0},
};
static const cf_section trigger_section = {"incident.triggers", sizeof(conf_inc_trigger), trigger_fields};

static const cf_field incident_fields[] = {
    F(conf, "organisation", CF_STR, incident.organisation),
    F(conf, "org_type", CF_ENUM, incident.org_type, .names = incident_org_names),
    F(conf, "contact", CF_STR, incident.contact),
    F(conf, "duty_schedule", CF_STR, incident.duty_schedule),
    F(conf, "playbook_dir", CF_STR, incident.playbook_dir),
    F(conf, "channels", CF_STRS, incident.channels),
    F(conf, "overdue_severity", CF_ENUM, incident.overdue_severity, .names = cf_severity_names, .base = 1),
    F(conf, "reporting", CF_LIST, incident.reporting, .sub = &reporting_section),
    F(conf, "triggers", CF_LIST, incident.triggers, .sub = &trigger_section),
    F(conf, "playbooks", CF_LIST, incident.playbooks, .sub = &incident_pb_section),
    {0},
};
const cf_section incident_conf_section = {"incident", 0, incident_fields};

