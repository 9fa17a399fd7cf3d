/* findings_conf.c: the configuration's findings: section: the deadlines per severity during
 * the protection period and outside it, the known exploited vulnerabilities, and the alerts
 * the findings raise. */
#include "findings/findings_conf.h"
#include "findings/finding.h"

#define SLA_FIELDS(ARR)                                                                                                \
    F(conf, "critical", CF_DURATION, ARR[FINDING_CRITICAL], 0, CF_YEAR),                                              \
        F(conf, "high", CF_DURATION, ARR[FINDING_HIGH], 0, CF_YEAR),                                                  \
        F(conf, "medium", CF_DURATION, ARR[FINDING_MEDIUM], 0, CF_YEAR),                                              \
        F(conf, "low", CF_DURATION, ARR[FINDING_LOW], 0, CF_YEAR)

/* The defaults (conf_default.c) are critical 1 day, high 3, medium 14, low 30 during the
 * period; 7/30/90/120 outside it. */
static const cf_field sla_period_fields[] = {SLA_FIELDS(findings.sla_period_ms), {0}};
static const cf_field sla_normal_fields[] = {SLA_FIELDS(findings.sla_normal_ms), {0}};
static const cf_section sla_period_section = {"findings.sla.period", 0, sla_period_fields, NULL, NULL, NULL};
static const cf_section sla_normal_section = {"findings.sla.normal", 0, sla_normal_fields, NULL, NULL, NULL};

static const cf_field sla_fields[] = {
    {"period", CF_SECTION, 0, .sub = &sla_period_section},
    {"normal", CF_SECTION, 0, .sub = &sla_normal_section},
    {0},
};
static const cf_section sla_section = {"findings.sla", 0, sla_fields, NULL, NULL, NULL};

/* finding_sev's values: "none" turns the alert for new findings off. */
static const char *const alert_severity_names[] = {"none", "low", "medium", "high", "critical", NULL};

static void findings_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf *c = obj;
    yaml_node_t *ex = cf_find(ctx, n, "exploited");
    for (size_t i = 0; i < c->findings.exploited.n; i++)
        if (!c->findings.exploited.v[i][0])
            cf_error(ctx, cf_item_or(ctx, ex, i), "findings.exploited: an empty vulnerability id");
}

static const cf_field findings_fields[] = {
    {"sla", CF_SECTION, 0, .sub = &sla_section},
    F(conf, "kev_file", CF_STR, findings.kev_file),
    F(conf, "exploited", CF_STRS, findings.exploited),
    F(conf, "alert_overdue", CF_BOOL, findings.alert_overdue),
    F(conf, "alert_severity", CF_ENUM, findings.alert_min_severity, .names = alert_severity_names),
    F(conf, "sweep_interval", CF_DURATION, findings.sweep_interval_ms, 1000, CF_DAY),
    {0},
};
const cf_section findings_conf_section = {"findings", 0, findings_fields, NULL, findings_check, NULL};
