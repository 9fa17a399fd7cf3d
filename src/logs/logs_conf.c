/* logs_conf.c: the logs: section of the configuration (inputs, rules, devices, signatures)
 * and its checks; conditions are checked by the log rule engine's own validator. */
#include "logs/logs_conf.h"
#include "core/kw_mem.h"
#include "logs/logs.h"
#include "logs/logs_rule.h"

#include <string.h>

static const char *const log_input_types[] = {"file", "syslog", "journal", NULL};
static const char *const log_protocols[] = {"udp", "tcp", "both", NULL};
static const char *const log_events_names[] = {"none", "matched", "all", NULL};

int32_t logs_conf_zone(cf_ctx *ctx, yaml_node_t *n, const char *tz)
{
    int32_t v = LOG_TZ_LOCAL;
    if (tz && !log_tz_parse(tz, &v)) {
        cf_error(ctx, cf_find(ctx, n, "timezone"), "timezone: \"%s\" is not local, UTC or an offset like +08:00", tz);
        v = LOG_TZ_LOCAL;
    }
    return v;
}


static void log_input_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_log_input *i = obj;
    const char *nm = i->name ? i->name : "?";
    if (i->type == LOG_INPUT_FILE && !i->paths.n)
        cf_error(ctx, n, "input \"%s\": a file input needs paths (globs such as /var/log/nginx/*.log)", nm);
    if (i->type != LOG_INPUT_FILE && i->paths.n)
        cf_error(ctx, cf_find(ctx, n, "paths"), "input \"%s\": paths apply to file inputs only", nm);
    if (i->type == LOG_INPUT_SYSLOG && !i->listen)
        i->listen = kw_strdup("0.0.0.0:514");
    if (i->type != LOG_INPUT_SYSLOG && i->listen)
        cf_error(ctx, cf_find(ctx, n, "listen"), "input \"%s\": listen applies to syslog inputs only", nm);
    if (i->listen && !cf_valid_listen(i->listen))
        cf_error(ctx, cf_find(ctx, n, "listen"), "listen: \"%s\" is not ADDRESS:PORT (e.g. 0.0.0.0:514)", i->listen);
    if (i->format && !log_format_valid(i->format))
        cf_error(ctx, cf_find(ctx, n, "format"), "format: \"%s\" is not one of auto, syslog, nginx, apache, json, raw",
                 i->format);
    logs_conf_zone(ctx, n, i->timezone);
}


static void log_rule_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_log_rule *r = obj;
    if (!r->match.n && (r->enabled || !ctx->user_layer))
        cf_error(ctx, n, "log rule \"%s\" needs match conditions, e.g. match: {event.dataset: openssh}",
                 r->name ? r->name : "?");
    for (size_t i = 0; i < r->by.n; i++)
        if (log_field_lookup(r->by.v[i]) < 0 && !strchr(r->by.v[i], '.'))
            cf_error(ctx, cf_find(ctx, n, "by"), "by: \"%s\" is not a field name (source.ip, user.name, ...)",
                     r->by.v[i]);
    if (r->by.n > 4)
        cf_error(ctx, cf_find(ctx, n, "by"), "by: at most 4 fields");
}


static void log_device_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_log_device *d = obj;
    if (!d->match.n)
        cf_error(ctx, n, "device \"%s\" needs match conditions, e.g. match: {log.source.address: 10.0.0.1}",
                 d->name ? d->name : "?");
}


static void log_sig_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_log_signatures *s = obj;
    if (!s->path && !s->freshclam)
        cf_error(ctx, n, "signatures \"%s\" needs a path (a rule file or database) or freshclam: true",
                 s->name ? s->name : "?");
    if (s->version_pattern && !s->path)
        cf_error(ctx, cf_find(ctx, n, "version_pattern"), "version_pattern needs a path to read");
    char err[256];
    size_t pos = 0;
    if (s->version_pattern && log_cond_check("message|re", s->version_pattern, err, sizeof err, &pos) != KW_OK)
        cf_error_in(ctx, cf_find(ctx, n, "version_pattern"), pos == SIZE_MAX ? 0 : pos, "version_pattern: %s", err);
}

static const cf_field log_input_fields[] = {
    F(conf_log_input, "name", CF_STR, name),
    F(conf_log_input, "type", CF_ENUM, type, .names = log_input_types),
    F(conf_log_input, "enabled", CF_BOOL, enabled, .dflt = true),
    F(conf_log_input, "paths", CF_STRS, paths),
    F(conf_log_input, "format", CF_STR, format),
    F(conf_log_input, "timezone", CF_STR, timezone),
    F(conf_log_input, "from_beginning", CF_BOOL, from_beginning),
    F(conf_log_input, "listen", CF_STR, listen),
    F(conf_log_input, "protocol", CF_ENUM, protocol, .names = log_protocols, .dflt = LOG_PROTO_BOTH),
    {0},
};
static const cf_section log_input_section = {"logs.inputs", sizeof(conf_log_input), log_input_fields, NULL,
                                             log_input_check, NULL};

static const cf_field log_rule_fields[] = {
    F(conf_log_rule, "name", CF_STR, name),
    F(conf_log_rule, "enabled", CF_BOOL, enabled, .dflt = true),
    F(conf_log_rule, "match", CF_MATCH, match, .vcheck = log_cond_check),
    F(conf_log_rule, "unless", CF_MATCH, unless, .vcheck = log_cond_check),
    F(conf_log_rule, "count", CF_INT, count, 1, 1000000, .dflt = 1),
    F(conf_log_rule, "within", CF_DURATION, within_ms, 1000, 7 * CF_DAY, .dflt = 60000),
    F(conf_log_rule, "by", CF_STRS, by),
    F(conf_log_rule, "end_after", CF_DURATION, end_after_ms, 1000, 7 * CF_DAY, .dflt = 300000),
    F(conf_log_rule, "severity", CF_ENUM, severity, .names = cf_severity_names, .base = 1, .dflt = KW_SEV_MEDIUM),
    F(conf_log_rule, "severity_from_event", CF_BOOL, severity_from_event),
    F(conf_log_rule, "action", CF_STR, action),
    F(conf_log_rule, "technique", CF_STR, technique),
    F(conf_log_rule, "summary", CF_STR, summary),
    F(conf_log_rule, "description", CF_STR, description),
    {0},
};
static const cf_section log_rule_section = {"logs.rules", sizeof(conf_log_rule), log_rule_fields, NULL,
                                            log_rule_check, NULL, .builtin = offsetof(conf_log_rule, builtin)};

static const cf_field log_device_fields[] = {
    F(conf_log_device, "name", CF_STR, name),
    F(conf_log_device, "match", CF_MATCH, match, .vcheck = log_cond_check),
    F(conf_log_device, "heartbeat", CF_DURATION, heartbeat_ms, 0, 30 * CF_DAY),
    F(conf_log_device, "surge", CF_BOOL, surge, .dflt = true),
    {0},
};
static const cf_section log_device_section = {"logs.devices", sizeof(conf_log_device), log_device_fields,
                                              NULL, log_device_check, NULL};

static const cf_field log_sig_fields[] = {
    F(conf_log_signatures, "name", CF_STR, name),
    F(conf_log_signatures, "path", CF_STR, path),
    F(conf_log_signatures, "version_pattern", CF_STR, version_pattern),
    F(conf_log_signatures, "freshclam", CF_BOOL, freshclam),
    F(conf_log_signatures, "max_age", CF_DURATION, max_age_ms, 60000, 3650 * CF_DAY, .dflt = 7 * 86400000LL),
    F(conf_log_signatures, "severity", CF_ENUM, severity, .names = cf_severity_names, .base = 1, .dflt = KW_SEV_HIGH),
    {0},
};
static const cf_section log_sig_section = {"logs.signatures", sizeof(conf_log_signatures), log_sig_fields,
                                           NULL, log_sig_check, NULL};

static const cf_field logs_fields[] = {
    F(conf, "max_line", CF_SIZE, logs.max_line, 1024, 16 << 20),
    F(conf, "timezone", CF_STR, logs.timezone),
    F(conf, "events", CF_ENUM, logs.events, .names = log_events_names),
    F(conf, "max_groups", CF_INT, logs.max_groups, 100, 100000000),
    F(conf, "max_connections", CF_INT, logs.max_connections, 1, 65536),
    F(conf, "surge_factor", CF_NUM, logs.surge_factor, 1.1, 1e6),
    F(conf, "surge_min", CF_NUM, logs.surge_min, 1, 1e12),
    F(conf, "surge_learn", CF_DURATION, logs.surge_learn_ms, 0, 30 * CF_DAY),
    F(conf, "inputs", CF_LIST, logs.inputs, .sub = &log_input_section),
    F(conf, "rules", CF_LIST, logs.rules, .sub = &log_rule_section),
    F(conf, "devices", CF_LIST, logs.devices, .sub = &log_device_section),
    F(conf, "signatures", CF_LIST, logs.signatures, .sub = &log_sig_section),
    {0},
};
const cf_section logs_conf_section = {"logs", 0, logs_fields, NULL, NULL, NULL};
