/* The notify: configuration section (notify_conf.c), for the top-level table. */
#ifndef NOTIFY_CONF_H
#define NOTIFY_CONF_H

#include "conf/conf_engine.h"

/* notify (with its channels, policies, routes, silences, inhibit); offsets are into `conf`. */
extern const cf_section notify_conf_section;
/* Cross-checks once the whole file is read: the names notify uses are defined. */
void notify_conf_refs(cf_ctx *ctx, conf *c, yaml_node_t *top);

#endif
