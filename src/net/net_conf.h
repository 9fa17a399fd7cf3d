/* The net: configuration section (net_conf.c), for the top-level table. */
#ifndef NET_CONF_H
#define NET_CONF_H

#include "conf/conf_engine.h"

/* net (with net.groups and net.inspect); its items and offsets are into `conf`. */
extern const cf_section net_conf_section;
/* Cross-checks once the whole file is read: allow prefixes, group assets, auth_ports. */
void net_conf_refs(cf_ctx *ctx, conf *c, yaml_node_t *top);

#endif
