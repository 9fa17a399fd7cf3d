/* host_conf.c: the host: section of the configuration (what the host collector reads) and the
 * assets: list (the hosts and services keepwatch watches, their addresses and owners). */
#include "host/host_conf.h"

static void asset_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_asset *a = obj;
    yaml_node_t *addrs = cf_find(ctx, n, "addresses");
    for (size_t i = 0; i < a->addresses.n; i++)
        if (!cf_valid_prefix(a->addresses.v[i]))
            cf_error(ctx, cf_item_or(ctx, addrs, i), "addresses: \"%s\" is not an IP address or CIDR prefix",
                     a->addresses.v[i]);
}

static const char *const asset_exposure_names[] = {"internal", "internet", NULL};

static const cf_field asset_fields[] = {
    F(conf_asset, "name", CF_STR, name),
    F(conf_asset, "addresses", CF_STRS, addresses),
    F(conf_asset, "ports", CF_PORTS, ports),
    F(conf_asset, "department", CF_STR, department),
    F(conf_asset, "owner", CF_STR, owner),
    F(conf_asset, "criticality", CF_ENUM, criticality, .names = cf_severity_names, .base = 1, .dflt = KW_SEV_MEDIUM),
    F(conf_asset, "exposure", CF_ENUM, exposure, .names = asset_exposure_names, .dflt = CONF_EXPOSURE_INTERNAL),
    F(conf_asset, "description", CF_STR, description),
    F(conf_asset, "business", CF_STR, business),
    F(conf_asset, "impact", CF_STR, impact),
    F(conf_asset, "advice", CF_STR, advice),
    {0},
};
const cf_section host_conf_assets = {"assets", sizeof(conf_asset), asset_fields, NULL, asset_check, NULL};

static const cf_field host_fields[] = {
    F(conf, "enabled", CF_BOOL, host.enabled),
    F(conf, "interval", CF_DURATION, host.interval_ms, 1000, 3600000),
    F(conf, "top_processes", CF_INT, host.top_processes, 0, 50),
    F(conf, "ignore_fstypes", CF_STRS, host.ignore_fstypes),
    F(conf, "ignore_mountpoints", CF_STRS, host.ignore_mountpoints),
    F(conf, "include_readonly", CF_BOOL, host.include_readonly),
    F(conf, "ignore_interfaces", CF_STRS, host.ignore_interfaces),
    F(conf, "ignore_disks", CF_STRS, host.ignore_disks),
    {0},
};
const cf_section host_conf_section = {"host", 0, host_fields, NULL, NULL, NULL};
