/* The logs: configuration section (logs_conf.c), for the top-level table. */
#ifndef LOGS_CONF_H
#define LOGS_CONF_H

#include "conf/conf_engine.h"

/* logs (with logs.inputs, .rules, .devices, .signatures); offsets are into `conf`. */
extern const cf_section logs_conf_section;
/* A `timezone` option (local, UTC, +08:00; NULL: local) as minutes east of UTC, or
 * LOG_TZ_LOCAL; one that is none of those is reported at n's "timezone" (and is local). */
int32_t logs_conf_zone(cf_ctx *ctx, yaml_node_t *n, const char *tz);

#endif
