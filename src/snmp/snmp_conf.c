/* snmp_conf.c: the configuration's snmp: section (the devices to poll, each with its address,
 * version and credentials, interval and profiles; the v2c trap listener), its checks, and the
 * device address syntax the poller shares. Secrets (communities, v3 passphrases) are masked
 * by `config show`. */
#include "snmp/snmp_conf.h"
#include "core/kw_mem.h"
#include "snmp/snmp.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const snmp_version_names[] = {"v2c", "v3", NULL};
static const char *const snmp_level_names[] = {"noAuthNoPriv", "authNoPriv", "authPriv", NULL};
static const char *const snmp_auth_names[] = {"SHA", "SHA-256", NULL};
static const char *const snmp_priv_names[] = {"AES", NULL};

static bool snmp_host_char(char c, bool v6)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_' || (v6 && c == ':');
}

/* "161" into *port (1..65535). */
static bool snmp_port_parse(const char *s, uint16_t *port)
{
    if (!*s || strlen(s) > 5)
        return false;
    unsigned v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (unsigned)(*p - '0');
    }
    if (v < 1 || v > 65535)
        return false;
    *port = (uint16_t)v;
    return true;
}

bool snmp_addr_split(const char *s, char *host, size_t hostn, bool *v6, uint16_t *port)
{
    *port = 161;
    *v6 = false;
    const char *h = s, *end;
    if (s[0] == '[') { /* [v6]:port or [v6] */
        end = strchr(s, ']');
        if (!end || (end[1] && (end[1] != ':' || !snmp_port_parse(end + 2, port))))
            return false;
        h = s + 1;
        *v6 = true;
    } else {
        const char *c = strchr(s, ':');
        if (c && strchr(c + 1, ':')) { /* a bare IPv6 address */
            end = s + strlen(s);
            *v6 = true;
        } else if (c) {
            end = c;
            if (!snmp_port_parse(c + 1, port))
                return false;
        } else {
            end = s + strlen(s);
        }
    }
    size_t n = (size_t)(end - h);
    if (n == 0 || n >= hostn)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!snmp_host_char(h[i], *v6))
            return false;
    memcpy(host, h, n);
    host[n] = '\0';
    unsigned char a[16];
    return !*v6 || inet_pton(AF_INET6, host, a) == 1;
}

/* The credentials the version and security level need. */
static void snmp_device_check_auth(cf_ctx *ctx, conf_snmp_device *d, yaml_node_t *n)
{
    const char *name = d->name ? d->name : "?";
    if (d->version == SNMP_CONF_V2C) {
        if (!d->community || !*d->community)
            cf_error(ctx, n, "snmp device \"%s\": v2c needs a community", name);
        return;
    }
    if (!d->user || !*d->user)
        cf_error(ctx, n, "snmp device \"%s\": v3 needs a user", name);
    /* RFC 3414 (2.6): a passphrase is at least 8 characters; net-snmp refuses shorter ones */
    if (d->security_level >= SNMP_CONF_AUTHNOPRIV && (!d->auth_pass || strlen(d->auth_pass) < 8))
        cf_error(ctx, cf_find_or(ctx, n, "auth_pass"), "snmp device \"%s\": %s needs an auth_pass of 8 characters or more",
                 name, snmp_level_names[d->security_level]);
    if (d->security_level == SNMP_CONF_AUTHPRIV && (!d->priv_pass || strlen(d->priv_pass) < 8))
        cf_error(ctx, cf_find_or(ctx, n, "priv_pass"), "snmp device \"%s\": authPriv needs a priv_pass of 8 characters or more",
                 name);
}

static void snmp_device_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_snmp_device *d = obj;
    const char *name = d->name ? d->name : "?";
    char host[256];
    bool v6;
    uint16_t port;
    if (!d->address)
        cf_error(ctx, n, "snmp device \"%s\" needs an address (host[:port])", name);
    else if (!snmp_addr_split(d->address, host, sizeof host, &v6, &port))
        cf_error(ctx, cf_find(ctx, n, "address"), "address: \"%s\" is not host, host:port or [IPv6]:port", d->address);
    snmp_device_check_auth(ctx, d, n);
    yaml_node_t *pl = cf_find(ctx, n, "profiles");
    for (size_t i = 0; i < d->profiles.n; i++)
        if (!snmp_profile_find(d->profiles.v[i])) {
            char names[256];
            snmp_profile_names(names, sizeof names);
            cf_error(ctx, cf_item_or(ctx, pl, i), "profiles: no profile \"%s\" (there are %s)", d->profiles.v[i], names);
        }
    if (!pl && !d->profiles.n) { /* the default: what every device has */
        d->profiles.v = kw_calloc(2, sizeof(char *));
        d->profiles.v[0] = kw_strdup("system");
        d->profiles.v[1] = kw_strdup("if");
        d->profiles.n = 2;
    }
    if (d->timeout_ms * (d->retries + 1) > d->interval_ms)
        cf_error(ctx, cf_find_or(ctx, n, "timeout"), "snmp device \"%s\": timeout x (retries + 1) must fit in the interval",
                 name);
}

static const cf_field snmp_device_fields[] = {
    F(conf_snmp_device, "name", CF_STR, name),
    F(conf_snmp_device, "address", CF_STR, address),
    F(conf_snmp_device, "enabled", CF_BOOL, enabled, .dflt = true),
    F(conf_snmp_device, "version", CF_ENUM, version, .names = snmp_version_names, .dflt = SNMP_CONF_V2C),
    F(conf_snmp_device, "community", CF_STR, community, .mask = 1),
    F(conf_snmp_device, "user", CF_STR, user),
    F(conf_snmp_device, "security_level", CF_ENUM, security_level, .names = snmp_level_names, .dflt = SNMP_CONF_AUTHPRIV),
    F(conf_snmp_device, "auth_protocol", CF_ENUM, auth_protocol, .names = snmp_auth_names, .dflt = SNMP_CONF_SHA),
    F(conf_snmp_device, "auth_pass", CF_STR, auth_pass, .mask = 1),
    F(conf_snmp_device, "priv_protocol", CF_ENUM, priv_protocol, .names = snmp_priv_names, .dflt = SNMP_CONF_AES),
    F(conf_snmp_device, "priv_pass", CF_STR, priv_pass, .mask = 1),
    F(conf_snmp_device, "interval", CF_DURATION, interval_ms, 1000, CF_DAY, .dflt = 60000),
    F(conf_snmp_device, "timeout", CF_DURATION, timeout_ms, 100, 60000, .dflt = 2000),
    F(conf_snmp_device, "retries", CF_INT, retries, 0, 10, .dflt = 1),
    F(conf_snmp_device, "profiles", CF_STRS, profiles),
    F(conf_snmp_device, "labels", CF_LABELS, labels),
    {0},
};

static bool snmp_device_applies(const void *obj, const char *key)
{
    const conf_snmp_device *d = obj;
    if (strcmp(key, "community") == 0)
        return d->version == SNMP_CONF_V2C;
    if (strcmp(key, "user") == 0 || strcmp(key, "security_level") == 0)
        return d->version == SNMP_CONF_V3;
    if (strcmp(key, "auth_protocol") == 0 || strcmp(key, "auth_pass") == 0)
        return d->version == SNMP_CONF_V3 && d->security_level >= SNMP_CONF_AUTHNOPRIV;
    if (strcmp(key, "priv_protocol") == 0 || strcmp(key, "priv_pass") == 0)
        return d->version == SNMP_CONF_V3 && d->security_level == SNMP_CONF_AUTHPRIV;
    return true;
}

static const cf_section snmp_device_section = {
    "snmp.devices", sizeof(conf_snmp_device), snmp_device_fields, NULL, snmp_device_check, NULL,
    snmp_device_applies};

static void snmp_traps_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf *c = obj;
    if (c->snmp.traps.listen && *c->snmp.traps.listen && !cf_valid_listen(c->snmp.traps.listen))
        cf_error(ctx, cf_find(ctx, n, "listen"), "snmp.traps.listen: \"%s\" is not address:port", c->snmp.traps.listen);
}

static const cf_field snmp_traps_fields[] = {
    F(conf, "listen", CF_STR, snmp.traps.listen),
    F(conf, "community", CF_STR, snmp.traps.community, .mask = 1),
    {0},
};
static const cf_section snmp_traps_section = {"snmp.traps", 0, snmp_traps_fields, NULL, snmp_traps_check, NULL};

static const cf_field snmp_fields[] = {
    F(conf, "max_repetitions", CF_INT, snmp.bulk_rows, 1, 200),
    {"traps", CF_SECTION, 0, .sub = &snmp_traps_section},
    F(conf, "devices", CF_LIST, snmp.devices, .sub = &snmp_device_section),
    {0},
};
const cf_section snmp_conf_section = {"snmp", 0, snmp_fields, NULL, NULL, NULL};
