/* agent_conf.c: the configuration's agent: section. An agent (`keepwatch agent run`) reads
 * server, ca_file, credential_file, spool_dir, spool_max, interval, timeout,
 * config_interval, packages_interval (0: no package list is sent), packages_root (the system it reads) and
 * audit_interval (how often it runs the host audit there; 0: never); a server reads silent_after and groups (the central config: per-group
 * checks, logs and host sections that agents fetch from GET /api/v1/agent/config). A group's
 * sections are read with the checks:, logs: and host: tables themselves, so they are checked
 * as strictly (file:line:col) as the same sections at the top; the group also keeps them as
 * the YAML said them, as JSON, for the agents. The server's URL must be http:// or https://. */
#include "agent/agent_conf.h"

#include "check/check_conf.h"
#include "host/host_conf.h"
#include "logs/logs_conf.h"

#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>
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

#define GROUP_DOC_NODES 200000 /* nodes in one group's sections, at most */

static bool scalar_is_null(const yaml_node_t *n)
{
    const char *s = (const char *)n->data.scalar.value;
    return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           (!*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0);
}

/* The YAML node n as JSON: scalars as strings (the engine reads them again), plain nulls as
 * null. NULL past the node budget or deeper than 64. */
static json_t *node_json(cf_ctx *ctx, yaml_node_t *n, int depth, size_t *budget)
{
    if (!n || depth > 64 || !*budget)
        return NULL;
    (*budget)--;
    if (n->type == YAML_SCALAR_NODE)
        return scalar_is_null(n) ? json_null()
                                 : json_stringn((const char *)n->data.scalar.value, n->data.scalar.length);
    json_t *out = n->type == YAML_SEQUENCE_NODE ? json_array() : json_object();
    if (n->type == YAML_SEQUENCE_NODE)
        for (yaml_node_item_t *it = n->data.sequence.items.start; out && it < n->data.sequence.items.top; it++) {
            json_t *v = node_json(ctx, cf_node(ctx, *it), depth + 1, budget);
            if (!v || json_array_append_new(out, v) != 0) {
                json_decref(out);
                out = NULL;
            }
        }
    if (n->type == YAML_MAPPING_NODE)
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; out && p < n->data.mapping.pairs.top; p++) {
            yaml_node_t *k = cf_node(ctx, p->key);
            json_t *v = node_json(ctx, cf_node(ctx, p->value), depth + 1, budget);
            if (!v || k->type != YAML_SCALAR_NODE ||
                json_object_set_new(out, (const char *)k->data.scalar.value, v) != 0) {
                json_decref(v);
                json_decref(out);
                out = NULL;
            }
        }
    return out;
}

/* Whether s is an agent name or a glob of them (letters, digits, . _ - and * ? [ ]). */
static bool member_ok(const char *s)
{
    if (!*s || strlen(s) > 128)
        return false;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-*?[]!") == strlen(s);
}

static void group_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_agent_group *g = obj;
    yaml_node_t *members = cf_find(ctx, n, "members");
    if (!g->members.n)
        cf_error(ctx, cf_find_or(ctx, n, "members"), "agent.groups: group %s needs members (agent names or globs)",
                 g->name ? g->name : "?");
    for (size_t i = 0; i < g->members.n; i++)
        if (!member_ok(g->members.v[i]))
            cf_error(ctx, cf_item_or(ctx, members, i), "agent.groups: \"%s\" is not an agent name or glob",
                     g->members.v[i]);
    for (size_t i = 0; i < g->body.checks.n; i++) /* an agent has no assets: the server's stay here */
        if (CONF_AT(g->body.checks, conf_check, i)->asset)
            cf_error(ctx, cf_item_or(ctx, cf_find(ctx, n, "checks"), i),
                     "agent.groups: a check an agent takes cannot name an asset");
    json_t *doc = json_object();
    size_t budget = GROUP_DOC_NODES;
    static const char *const keys[] = {"checks", "logs", "host"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        yaml_node_t *v = cf_find(ctx, n, keys[i]);
        json_t *j = v ? node_json(ctx, v, 0, &budget) : NULL;
        if (v && !j)
            cf_error(ctx, v, "agent.groups: %s is too large or too deep", keys[i]);
        if (j)
            json_object_set_new(doc, keys[i], j);
    }
    g->doc = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(doc);
}

static void group_fini(void *obj)
{
    conf_agent_group *g = obj;
    free(g->doc);
    g->doc = NULL;
}

static const cf_field group_fields[] = {
    F(conf_agent_group, "name", CF_STR, name),
    F(conf_agent_group, "members", CF_STRS, members),
    F(conf_agent_group, "checks", CF_LIST, body.checks, .sub = &check_conf_section),
    {"logs", CF_SECTION, offsetof(conf_agent_group, body), .sub = &logs_conf_section},
    {"host", CF_SECTION, offsetof(conf_agent_group, body), .sub = &host_conf_section},
    {0},
};
static const cf_section group_section = {"agent.groups", sizeof(conf_agent_group), group_fields, NULL,
                                         group_check, group_fini};

static const cf_field agent_fields[] = {
    F(conf, "server", CF_STR, agent.server),
    F(conf, "ca_file", CF_STR, agent.ca_file),
    F(conf, "credential_file", CF_STR, agent.credential_file),
    F(conf, "spool_dir", CF_STR, agent.spool_dir),
    F(conf, "spool_max", CF_SIZE, agent.spool_max, 1 << 16, 1e12),
    F(conf, "interval", CF_DURATION, agent.interval_ms, 1000, CF_DAY),
    F(conf, "timeout", CF_DURATION, agent.timeout_ms, 100, 600000),
    F(conf, "silent_after", CF_DURATION, agent.silent_after_ms, 2000, CF_DAY),
    F(conf, "config_interval", CF_DURATION, agent.config_interval_ms, 1000, CF_DAY),
    F(conf, "packages_interval", CF_DURATION, agent.packages_interval_ms, 0, 30 * CF_DAY),
    F(conf, "packages_root", CF_STR, agent.packages_root),
    F(conf, "audit_interval", CF_DURATION, agent.audit_interval_ms, 0, 30 * CF_DAY),
    F(conf, "groups", CF_LIST, agent.groups, .sub = &group_section),
    {0},
};
const cf_section agent_conf_section = {"agent", 0, agent_fields, NULL, agent_conf_check, NULL};
