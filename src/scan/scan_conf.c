/* scan_conf.c: the configuration's scan: section: the scope every scan must stay in (allowed;
 * empty is the built-in loopback + RFC 1918 + ULA), what is never scanned (exclude), the rates
 * and the probe timeout; its checks. Scheduled network scans will be a list beside these,
 * `net: [{name, targets, ports, every}]`, which the scan module owns. */
#include "scan/scan_conf.h"
#include "scan/scan.h"

#include <stdio.h>

static void scan_conf_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf *c = obj;
    yaml_node_t *al = cf_find(ctx, n, "allowed"), *ex = cf_find(ctx, n, "exclude");
    for (size_t i = 0; i < c->scan.allowed.n; i++)
        if (!cf_valid_prefix(c->scan.allowed.v[i]))
            cf_error(ctx, cf_item_or(ctx, al, i), "scan.allowed: \"%s\" is not an address or prefix",
                     c->scan.allowed.v[i]);
    for (size_t i = 0; i < c->scan.exclude.n; i++) {
        scan_spans s = {0};
        char err[256];
        if (scan_spans_add(&s, c->scan.exclude.v[i], NULL, err, sizeof err) != KW_OK)
            cf_error(ctx, cf_item_or(ctx, ex, i), "scan.exclude: %s", err);
        scan_spans_free(&s);
    }
}

static const cf_field scan_fields[] = {
    F(conf, "allowed", CF_STRS, scan.allowed),
    F(conf, "exclude", CF_STRS, scan.exclude),
    F(conf, "rate", CF_INT, scan.rate, 0, 10000000),
    F(conf, "host_rate", CF_INT, scan.host_rate, 0, 10000000),
    F(conf, "timeout", CF_DURATION, scan.timeout_ms, 10, 60000),
    {0},
};
const cf_section scan_conf_section = {"scan", 0, scan_fields, NULL, scan_conf_check, NULL};
