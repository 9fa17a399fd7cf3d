/* net_conf.c: the net: section of the configuration (capture, detection thresholds, groups,
 * inspect) with its checks, and its references to assets. */
#include "net/net_conf.h"

#include <math.h>
#include <string.h>


static void group_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_net_group *g = obj;
    if (!g->prefixes.n && !g->assets.n)
        cf_error(ctx, n, "group \"%s\" needs prefixes or assets", g->name ? g->name : "?");
    for (size_t i = 0; i < g->prefixes.n; i++)
        if (!cf_valid_prefix(g->prefixes.v[i]))
            cf_error(ctx, cf_find(ctx, n, "prefixes"), "prefixes: \"%s\" is not an IP address or CIDR prefix",
                     g->prefixes.v[i]);
}

static const cf_field group_fields[] = {
    F(conf_net_group, "name", CF_STR, name),
    F(conf_net_group, "prefixes", CF_STRS, prefixes),
    F(conf_net_group, "assets", CF_STRS, assets),
    F(conf_net_group, "flood_pps", CF_NUM, flood_pps, 1, 1e12, .dflt = NAN),
    F(conf_net_group, "syn_half_open_pps", CF_NUM, syn_half_open_pps, 1, 1e12, .dflt = NAN),
    F(conf_net_group, "pps_ceiling", CF_NUM, pps_ceiling, 1, 1e12, .dflt = NAN),
    F(conf_net_group, "bps_ceiling", CF_NUM, bps_ceiling, 1, 1e15, .dflt = NAN),
    {0},
};
static const cf_section group_section = {"net.groups", sizeof(conf_net_group), group_fields, NULL,
                                         group_check, NULL};

static const cf_field net_inspect_fields[] = {
    F(conf, "enabled", CF_BOOL, net.inspect.enabled),
    F(conf, "builtin_rules", CF_BOOL, net.inspect.builtin_rules),
    F(conf, "rules", CF_STRS, net.inspect.rules),
    F(conf, "vars", CF_STRS, net.inspect.vars),
    F(conf, "home_net", CF_STRS, net.inspect.home_net),
    F(conf, "dns_tunnel", CF_BOOL, net.inspect.dns_tunnel),
    F(conf, "dga", CF_BOOL, net.inspect.dga),
    F(conf, "cleartext", CF_BOOL, net.inspect.cleartext),
    {0},
};

static void net_inspect_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    const conf_net_inspect *in = &((const conf *)obj)->net.inspect;
    for (size_t i = 0; i < in->vars.n; i++) {
        const char *eq = strchr(in->vars.v[i], '=');
        if (!eq || eq == in->vars.v[i])
            cf_error(ctx, cf_find_or(ctx, n, "vars"),
                     "net.inspect.vars: \"%s\" is not NAME=VALUE", in->vars.v[i]);
    }
    for (size_t i = 0; i < in->home_net.n; i++)
        if (!cf_valid_prefix(in->home_net.v[i]))
            cf_error(ctx, cf_find_or(ctx, n, "home_net"),
                     "net.inspect.home_net: \"%s\" is not an IP address or CIDR prefix", in->home_net.v[i]);
}

/* shares the top-level struct, as the sections do: offsets are into `conf` */
static const cf_section net_inspect_section = {"net.inspect", 0, net_inspect_fields, NULL, net_inspect_check, NULL};

static const cf_field net_fields[] = {
    F(conf, "interfaces", CF_STRS, net.interfaces),
    F(conf, "bpf", CF_STR, net.bpf),
    F(conf, "snaplen", CF_INT, net.snaplen, 64, 262144),
    F(conf, "buffer", CF_SIZE, net.buffer, 1 << 20, 4ull << 30),
    F(conf, "flood_pps", CF_NUM, net.flood_pps, 1, 1e9),
    F(conf, "syn_half_open_pps", CF_NUM, net.syn_half_open_pps, 1, 1e9),
    F(conf, "flood_for", CF_DURATION, net.flood_for_ms, 1000, 3600000),
    F(conf, "flood_end", CF_DURATION, net.flood_end_ms, 1000, 3600000),
    F(conf, "scan_ports", CF_INT, net.scan_ports, 2, 65535),
    F(conf, "sweep_hosts", CF_INT, net.sweep_hosts, 2, 1 << 24),
    F(conf, "scan_window", CF_DURATION, net.scan_window_ms, 1000, CF_DAY),
    F(conf, "brute_sessions", CF_INT, net.brute_sessions, 2, 1 << 24),
    F(conf, "brute_window", CF_DURATION, net.brute_window_ms, 6000, CF_DAY),
    F(conf, "brute_slow_sessions", CF_INT, net.brute_slow_sessions, 2, 1 << 24),
    F(conf, "brute_slow_window", CF_DURATION, net.brute_slow_window_ms, 60000, CF_DAY),
    F(conf, "idle_end", CF_DURATION, net.idle_end_ms, 1000, CF_DAY),
    F(conf, "auth_ports", CF_PORTS, net.auth_ports),
    F(conf, "allow", CF_STRS, net.allow),
    F(conf, "spike_factor", CF_NUM, net.spike_factor, 1.1, 1e6),
    F(conf, "spike_min_pps", CF_NUM, net.spike_min_pps, 1, 1e12),
    F(conf, "spike_for", CF_DURATION, net.spike_for_ms, 1000, 3600000),
    F(conf, "spike_learn", CF_DURATION, net.spike_learn_ms, 0, 7 * CF_DAY),
    F(conf, "groups", CF_LIST, net.groups, .sub = &group_section),
    {"inspect", CF_SECTION, 0, .sub = &net_inspect_section},
    {0},
};
const cf_section net_conf_section = {"net", 0, net_fields, NULL, NULL, NULL};

/* net: allow, groups' assets and auth_ports, checked once the whole file is read. */
void net_conf_refs(cf_ctx *ctx, conf *c, yaml_node_t *n)
{
    yaml_node_t *net = cf_find(ctx, n, "net");
    for (size_t i = 0; i < c->net.allow.n; i++)
        if (!cf_valid_prefix(c->net.allow.v[i]))
            cf_error(ctx, net ? cf_find(ctx, net, "allow") : n, "allow: \"%s\" is not an IP address or CIDR prefix",
                     c->net.allow.v[i]);
    for (size_t i = 0; i < c->net.groups.n; i++) {
        conf_net_group *g = CONF_AT(c->net.groups, conf_net_group, i);
        for (size_t k = 0; k < g->assets.n; k++)
            if (!conf_asset_find(c, g->assets.v[k]))
                cf_error(ctx, net ? cf_find(ctx, net, "groups") : n, "group \"%s\": asset \"%s\" is not defined under assets",
                         g->name, g->assets.v[k]);
    }
    if (c->net.auth_ports.n > 32)
        cf_error(ctx, net ? cf_find(ctx, net, "auth_ports") : n, "auth_ports: at most 32 ports");
}
