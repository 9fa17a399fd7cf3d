/* The checks: configuration list (check_conf.c), for the top-level table. */
#ifndef CHECK_CONF_H
#define CHECK_CONF_H

#include "conf/conf_engine.h"

/* One item of checks (conf_check). */
extern const cf_section check_conf_section;
/* Cross-check once the whole file is read: the assets checks name are defined. */
void check_conf_refs(cf_ctx *ctx, conf *c, yaml_node_t *top);
/* Whether check c reads a certificate (TLS, or HTTP on an https URL) and warns of its expiry
 * (warn_days): what certificate_expiry is about, on the server and on agents. */
bool check_conf_watches_cert(const conf_check *c);

#endif
