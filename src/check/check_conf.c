/* check_conf.c: the configuration's checks: list (process, tcp, http, tls, systemd, command)
 * with each type's options and checks, and the assets they name. */
#include "check/check_conf.h"

#include <stdio.h>
#include <string.h>

static const char *const check_type_names[] = {"process", "tcp", "http", "tls", "systemd", "command", NULL};

const char *check_type_name(int type)
{
    return type >= 0 && type <= CHECK_COMMAND ? check_type_names[type] : "unknown";
}


/* Parses "200", "2xx", "200-399" into an inclusive range. */
static bool cf_status_range(const char *s, int *lo, int *hi)
{
    int a, b;
    char tail;
    if (strlen(s) == 3 && s[0] >= '1' && s[0] <= '5' && s[1] == 'x' && s[2] == 'x') {
        *lo = (s[0] - '0') * 100;
        *hi = *lo + 99;
        return true;
    }
    if (sscanf(s, "%d-%d%c", &a, &b, &tail) == 2 && a >= 100 && b <= 599 && a <= b) {
        *lo = a;
        *hi = b;
        return true;
    }
    if (sscanf(s, "%d%c", &a, &tail) == 1 && a >= 100 && a <= 599) {
        *lo = *hi = a;
        return true;
    }
    return false;
}

/* Options that apply only to some check types. */
static const struct {
    const char *key;
    unsigned types;
} check_only[] = {
    {"process", 1u << CHECK_PROCESS},       {"pidfile", 1u << CHECK_PROCESS},
    {"min_count", 1u << CHECK_PROCESS},     {"host", 1u << CHECK_TCP | 1u << CHECK_TLS},
    {"port", 1u << CHECK_TCP | 1u << CHECK_TLS}, {"server_name", 1u << CHECK_TLS},
    {"warn_days", 1u << CHECK_TLS | 1u << CHECK_HTTP}, {"url", 1u << CHECK_HTTP},
    {"method", 1u << CHECK_HTTP},           {"expect_status", 1u << CHECK_HTTP},
    {"body_contains", 1u << CHECK_HTTP},    {"tls_verify", 1u << CHECK_HTTP | 1u << CHECK_TLS},
    {"unit", 1u << CHECK_SYSTEMD},          {"command", 1u << CHECK_COMMAND},
};

static bool check_applies(const void *obj, const char *key)
{
    const conf_check *c = obj;
    for (size_t i = 0; i < sizeof check_only / sizeof check_only[0]; i++)
        if (strcmp(check_only[i].key, key) == 0)
            return (check_only[i].types & (1u << c->type)) != 0;
    return true;
}

static void check_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_check *c = obj;
    if (!cf_find(ctx, n, "type")) {
        cf_error(ctx, n, "check \"%s\": needs a type (process, tcp, http, tls, systemd or command)",
                 c->name ? c->name : "?");
        return;
    }
    for (size_t i = 0; i < sizeof check_only / sizeof check_only[0]; i++) {
        yaml_node_t *v = cf_find(ctx, n, check_only[i].key);
        if (v && !check_applies(c, check_only[i].key))
            cf_error(ctx, v, "%s does not apply to a %s check", check_only[i].key, check_type_name(c->type));
    }
    const char *need = NULL;
    switch (c->type) {
    case CHECK_PROCESS:
        if (!c->process && !c->pidfile)
            need = "process (a name) or pidfile";
        break;
    case CHECK_TCP:
    case CHECK_TLS:
        if (!c->host)
            need = "host";
        else if (!c->port)
            need = "port";
        break;
    case CHECK_HTTP:
        if (!c->url)
            need = "url";
        else if (strncmp(c->url, "http://", 7) != 0 && strncmp(c->url, "https://", 8) != 0)
            cf_error(ctx, cf_find(ctx, n, "url"), "url must start with http:// or https://");
        break;
    case CHECK_SYSTEMD:
        if (!c->unit)
            need = "unit";
        break;
    case CHECK_COMMAND:
        if (!c->command.argv.n)
            need = "command";
        break;
    }
    if (need)
        cf_error(ctx, n, "%s check \"%s\" needs %s", check_type_name(c->type), c->name ? c->name : "?", need);
    c->status_lo = 200;
    c->status_hi = 399;
    if (c->expect_status && !cf_status_range(c->expect_status, &c->status_lo, &c->status_hi))
        cf_error(ctx, cf_find(ctx, n, "expect_status"),
                 "expect_status: \"%s\" is not a status (200), class (2xx) or range (200-399)", c->expect_status);
    if (c->timeout_ms > c->interval_ms) {
        if (cf_find(ctx, n, "timeout"))
            cf_error(ctx, cf_find(ctx, n, "timeout"), "timeout must not be longer than the interval");
        else
            c->timeout_ms = c->interval_ms; /* the default timeout shrinks to a short interval */
    }
}

static const cf_field check_fields[] = {
    F(conf_check, "name", CF_STR, name),
    F(conf_check, "type", CF_ENUM, type, .names = check_type_names),
    F(conf_check, "enabled", CF_BOOL, enabled, .dflt = true),
    F(conf_check, "interval", CF_DURATION, interval_ms, 1000, CF_DAY, .dflt = 30000),
    F(conf_check, "timeout", CF_DURATION, timeout_ms, 100, 3600000, .dflt = 10000),
    F(conf_check, "for", CF_DURATION, for_ms, 0, CF_DAY),
    F(conf_check, "severity", CF_ENUM, severity, .names = cf_severity_names, .base = 1, .dflt = KW_SEV_HIGH),
    F(conf_check, "asset", CF_STR, asset),
    F(conf_check, "process", CF_STR, process),
    F(conf_check, "pidfile", CF_STR, pidfile),
    F(conf_check, "min_count", CF_INT, min_count, 1, 100000, .dflt = 1),
    F(conf_check, "host", CF_STR, host),
    F(conf_check, "port", CF_INT, port, 1, 65535),
    F(conf_check, "server_name", CF_STR, server_name),
    F(conf_check, "warn_days", CF_INT, warn_days, 0, 3650, .dflt = 14),
    F(conf_check, "url", CF_STR, url),
    F(conf_check, "method", CF_STR, method),
    F(conf_check, "expect_status", CF_STR, expect_status),
    F(conf_check, "body_contains", CF_STR, body_contains),
    F(conf_check, "tls_verify", CF_BOOL, tls_verify, .dflt = true),
    F(conf_check, "unit", CF_STR, unit),
    F(conf_check, "command", CF_COMMAND, command),
    {0},
};
const cf_section check_conf_section = {"checks", sizeof(conf_check), check_fields, NULL, check_check, NULL, check_applies};

/* checks: the assets they name are defined. */
void check_conf_refs(cf_ctx *ctx, conf *c, yaml_node_t *n)
{
    yaml_node_t *checks = cf_find(ctx, n, "checks");
    for (size_t i = 0; i < c->checks.n; i++) {
        conf_check *k = CONF_AT(c->checks, conf_check, i);
        if (k->asset && !conf_asset_find(c, k->asset)) {
            yaml_node_t *at = checks;
            if (checks && checks->type == YAML_SEQUENCE_NODE) {
                for (yaml_node_item_t *it = checks->data.sequence.items.start; it < checks->data.sequence.items.top; it++) {
                    yaml_node_t *nm = cf_find(ctx, cf_node(ctx, *it), "name");
                    if (nm && nm->type == YAML_SCALAR_NODE && k->name && strcmp((char *)nm->data.scalar.value, k->name) == 0)
                        at = cf_find(ctx, cf_node(ctx, *it), "asset");
                }
            }
            cf_error(ctx, at, "check \"%s\": asset \"%s\" is not defined under assets", k->name, k->asset);
        }
    }
}

bool check_conf_watches_cert(const conf_check *c)
{
    bool tls = c->type == CHECK_TLS || (c->type == CHECK_HTTP && c->url && strncmp(c->url, "https:", 6) == 0);
    return tls && c->warn_days > 0;
}
