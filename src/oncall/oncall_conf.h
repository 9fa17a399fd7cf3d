/* The people and duty sections of the configuration (oncall_conf.c), for the top-level table. */
#ifndef ONCALL_CONF_H
#define ONCALL_CONF_H

#include "conf/conf_engine.h"

/* List items of departments, people and schedules; the period: section (offsets into `conf`). */
extern const cf_section oncall_conf_departments, oncall_conf_people, oncall_conf_schedules;
extern const cf_section oncall_conf_period_section;

/* Cross-checks once the whole file is read: the names people, departments and schedules use
 * are defined; the period's start and end. */
void oncall_conf_refs(cf_ctx *ctx, conf *c, yaml_node_t *top);
void oncall_conf_period(cf_ctx *ctx, conf *c, yaml_node_t *top);

/* "YYYY-MM-DD" (need_time false) or "YYYY-MM-DDTHH:MM" as wall-clock minutes since the epoch
 * (no zone); false if s is neither. */
bool oncall_wall_minutes(const char *s, bool need_time, int64_t *out);

#endif
