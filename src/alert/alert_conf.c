/* alert_conf.c: the configuration's rules: (metric alert rules, their expressions parsed at
 * load) and the alerts: section. */
#include "alert/alert_conf.h"
#include "alert/alert_expr.h"

#include <math.h>


static void rule_fini(void *obj)
{
    conf_rule *r = obj;
    rule_expr_free(r->parsed);
    r->parsed = NULL;
}

static void rule_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_rule *r = obj;
    yaml_node_t *en = cf_find(ctx, n, "expr");
    if (!r->expr) {
        if (r->enabled || !ctx->user_layer)
            cf_error(ctx, n, "rule \"%s\" needs an expr, e.g. host_cpu_usage_ratio > 80%%", r->name ? r->name : "?");
        return;
    }
    char err[256];
    size_t pos = 0;
    rule_expr_free(r->parsed);
    r->parsed = NULL;
    if (rule_expr_parse(r->expr, &r->parsed, err, sizeof err, &pos) != KW_OK)
        cf_error_in(ctx, en ? en : n, pos, "expr: %s", err);
}

static const cf_field rule_fields[] = {
    F(conf_rule, "name", CF_STR, name),
    F(conf_rule, "enabled", CF_BOOL, enabled, .dflt = true),
    F(conf_rule, "expr", CF_STR, expr),
    F(conf_rule, "for", CF_DURATION, for_ms, 0, 7 * CF_DAY),
    F(conf_rule, "clear", CF_NUM, clear, -1e18, 1e18, .dflt = NAN),
    F(conf_rule, "clear_for", CF_DURATION, clear_for_ms, 0, 7 * CF_DAY),
    F(conf_rule, "severity", CF_ENUM, severity, .names = cf_severity_names, .base = 1, .dflt = KW_SEV_MEDIUM),
    F(conf_rule, "summary", CF_STR, summary),
    F(conf_rule, "description", CF_STR, description),
    F(conf_rule, "labels", CF_LABELS, labels),
    {0},
};
const cf_section alert_conf_rules = {"rules", sizeof(conf_rule), rule_fields, NULL, rule_check, rule_fini,
                                     .builtin = offsetof(conf_rule, builtin)};

static const cf_field alerts_fields[] = {
    F(conf, "flap_window", CF_DURATION, alerts.flap_window_ms, 0, CF_DAY),
    F(conf, "stale_after", CF_DURATION, alerts.stale_after_ms, 10000, 7 * CF_DAY),
    {0},
};
const cf_section alert_conf_section = {"alerts", 0, alerts_fields, NULL, NULL, NULL};
