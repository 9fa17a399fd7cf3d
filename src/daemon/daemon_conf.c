/* daemon_conf.c: the configuration's top level: the daemon: section, and the table of every
 * subsystem's section in the order a file lists them and `config show` writes them, with the
 * cross-checks that run once the whole file is read. The sections themselves are their
 * subsystems' (src/X/X_conf.c); the engine that reads them is src/conf. */
#include "agent/agent_conf.h"
#include "audit/audit_conf.h"
#include "alert/alert_conf.h"
#include "check/check_conf.h"
#include "conf/conf_engine.h"
#include "drill/drill_conf.h"
#include "duty/duty_conf.h"
#include "event/event_conf.h"
#include "findings/findings_conf.h"
#include "host/host_conf.h"
#include "http/http_conf.h"
#include "incident/incident_conf.h"
#include "incident/incident_pb.h"
#include "intel/intel_conf.h"
#include "logs/logs_conf.h"
#include "net/net_conf.h"
#include "notify/notify_conf.h"
#include "oncall/oncall_conf.h"
#include "report/report_conf.h"
#include "snmp/snmp_conf.h"
#include "scan/scan_conf.h"
#include "store/store_conf.h"

static const char *const log_level_names[] = {"error", "warn", "info", "debug", NULL};

static const cf_field daemon_fields[] = {
    F(conf, "state_dir", CF_STR, daemon.state_dir),
    F(conf, "log_level", CF_ENUM, daemon.log_level, .names = log_level_names),
    F(conf, "user", CF_STR, daemon.user),
    F(conf, "group", CF_STR, daemon.group),
    F(conf, "name", CF_STR, daemon.name),
    {0},
};
static const cf_section daemon_section = {"daemon", 0, daemon_fields, NULL, NULL, NULL};

/* What refers across sections is checked once the whole file is read, in this order. */
static void (*const cross_checks[])(cf_ctx *ctx, conf *c, yaml_node_t *top) = {
    net_conf_refs, http_conf_refs, oncall_conf_refs, notify_conf_refs,
    http_conf_console, oncall_conf_period, check_conf_refs, incident_conf_refs, drill_conf_refs,
    report_conf_refs,
};

static void top_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    for (size_t i = 0; i < sizeof cross_checks / sizeof cross_checks[0]; i++)
        cross_checks[i](ctx, obj, n);
}

/* Sub-sections of the top level share the top-level struct: their offsets are into `conf`. */
static const cf_field top_fields[] = {
    {"daemon", CF_SECTION, 0, .sub = &daemon_section},
    {"http", CF_SECTION, 0, .sub = &http_conf_section},
    {"store", CF_SECTION, 0, .sub = &store_conf_section},
    {"history", CF_SECTION, 0, .sub = &store_conf_history},
    {"events", CF_SECTION, 0, .sub = &event_conf_section},
    {"alerts", CF_SECTION, 0, .sub = &alert_conf_section},
    {"host", CF_SECTION, 0, .sub = &host_conf_section},
    {"net", CF_SECTION, 0, .sub = &net_conf_section},
    {"logs", CF_SECTION, 0, .sub = &logs_conf_section},
    {"intel", CF_SECTION, 0, .sub = &intel_conf_section},
    {"snmp", CF_SECTION, 0, .sub = &snmp_conf_section},
    {"scan", CF_SECTION, 0, .sub = &scan_conf_section},
    {"audit", CF_SECTION, 0, .sub = &audit_conf_section},
    {"agent", CF_SECTION, 0, .sub = &agent_conf_section},
    {"findings", CF_SECTION, 0, .sub = &findings_conf_section},
    {"duty", CF_SECTION, 0, .sub = &duty_conf_section},
    {"period", CF_SECTION, 0, .sub = &oncall_conf_period_section},
    {"console", CF_SECTION, 0, .sub = &http_conf_console_section},
    {"notify", CF_SECTION, 0, .sub = &notify_conf_section},
    {"incident", CF_SECTION, 0, .sub = &incident_conf_section},
    {"drill", CF_SECTION, 0, .sub = &drill_conf_section},
    {"report", CF_SECTION, 0, .sub = &report_conf_section},
    F(conf, "departments", CF_LIST, departments, .sub = &oncall_conf_departments),
    F(conf, "people", CF_LIST, people, .sub = &oncall_conf_people),
    F(conf, "schedules", CF_LIST, schedules, .sub = &oncall_conf_schedules),
    F(conf, "builtin_rules", CF_BOOL, builtin_rules),
    F(conf, "assets", CF_LIST, assets, .sub = &host_conf_assets),
    F(conf, "checks", CF_LIST, checks, .sub = &check_conf_section),
    F(conf, "rules", CF_LIST, rules, .sub = &alert_conf_rules),
    {0},
};
const cf_section conf_top_section = {"the top level", 0, top_fields, NULL, top_check, NULL};
