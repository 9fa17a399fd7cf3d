/* agent_conf.c: the configuration's agent: section. An agent (`keepwatch agent run`) reads
 * server, ca_file, credential_file, spool_dir, spool_max, interval and timeout; a server reads
 * silent_after. The server's URL must be http:// or https://. */
#include "agent/agent_conf.h"

#include <string.h>

static void agent_conf_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf *c = obj;
    const char *u = c->agent.server;
    if (u && *u && strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0)
        cf_error(ctx, cf_find(ctx, n, "server"), "agent.server: \"%s\" is not an http:// or https:// URL", u);
    if (c->agent.timeout_ms >= c->agent.interval_ms)
        cf_error(ctx, cf_find_or(ctx, n, "timeout"), "agent.timeout must be shorter than agent.interval");
}

static const cf_field agent_fields[] = {
    F(conf, "server", CF_STR, agent.server),
    F(conf, "ca_file", CF_STR, agent.ca_file),
    F(conf, "credential_file", CF_STR, agent.credential_file),
    F(conf, "spool_dir", CF_STR, agent.spool_dir),
    F(conf, "spool_max", CF_SIZE, agent.spool_max, 1 << 16, 1e12),
    F(conf, "interval", CF_DURATION, agent.interval_ms, 1000, CF_DAY),
    F(conf, "timeout", CF_DURATION, agent.timeout_ms, 100, 600000),
    F(conf, "silent_after", CF_DURATION, agent.silent_after_ms, 2000, CF_DAY),
    {0},
};
const cf_section agent_conf_section = {"agent", 0, agent_fields, NULL, agent_conf_check, NULL};
