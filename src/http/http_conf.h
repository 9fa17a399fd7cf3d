/* The http: and console: sections of the configuration (http_conf.c), for the top-level table. */
#ifndef HTTP_CONF_H
#define HTTP_CONF_H

#include "conf/conf_engine.h"

/* Their offsets are into `conf`. */
extern const cf_section http_conf_section, http_conf_console_section;
/* Cross-checks once the whole file is read: http's TLS files and listen; console.timezone
 * (derives its offset and abbreviation). */
void http_conf_refs(cf_ctx *ctx, conf *c, yaml_node_t *top);
void http_conf_console(cf_ctx *ctx, conf *c, yaml_node_t *top);

#endif
