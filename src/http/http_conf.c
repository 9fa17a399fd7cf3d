/* http_conf.c: the http: and console: sections of the configuration (the API's listener and
 * sessions; the console's time zone, with its offset and abbreviation derived at load). */
#include "http/http_conf.h"
#include "logs/logs.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const cf_field http_fields[] = {
    F(conf, "enabled", CF_BOOL, http.enabled),
    F(conf, "listen", CF_STR, http.listen),
    F(conf, "threads", CF_INT, http.threads, 1, 64),
    F(conf, "max_body", CF_SIZE, http.max_body, 1024, 64 << 20),
    F(conf, "tls_cert", CF_STR, http.tls_cert),
    F(conf, "tls_key", CF_STR, http.tls_key),
    F(conf, "session_idle", CF_DURATION, http.session_idle_ms, 60000, 30 * CF_DAY),
    F(conf, "session_max", CF_DURATION, http.session_max_ms, 60000, 90 * CF_DAY),
    F(conf, "timeout", CF_DURATION, http.timeout_ms, 1000, 3600000),
    F(conf, "per_address", CF_INT, http.per_address, 1, 1024),
    {0},
};
const cf_section http_conf_section = {"http", 0, http_fields, NULL, NULL, NULL};

static const cf_field console_fields[] = {
    F(conf, "timezone", CF_STR, console.timezone),
    {0},
};
const cf_section http_conf_console_section = {"console", 0, console_fields, NULL, NULL, NULL};

/* The standard-time part of a POSIX TZ string ("CST-8", "<+0530>-5:30", "CET-1CEST,..."):
 * its abbreviation and minutes east of UTC (POSIX counts west). */
static bool console_posix_tz(const char *s, const char *end, char *abbr, size_t n, int32_t *east)
{
    size_t k = 0;
    bool quoted = s < end && *s == '<';
    s += quoted;
    while (s < end && (quoted ? *s != '>' : ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))) {
        if (k + 1 >= n || (quoted && !(*s == '+' || *s == '-' || (*s >= '0' && *s <= '9') || ((*s | 32) >= 'a' && (*s | 32) <= 'z'))))
            return false;
        abbr[k++] = *s++;
    }
    abbr[k] = '\0';
    if (quoted && (s >= end || *s++ != '>'))
        return false;
    int sign = -1, part[2] = {0, 0};
    if (s < end && (*s == '+' || *s == '-'))
        sign = *s++ == '-' ? 1 : -1;
    for (int i = 0; i < 2; i++) {
        int digits = 0;
        while (s < end && *s >= '0' && *s <= '9' && digits < 2) {
            part[i] = part[i] * 10 + (*s++ - '0');
            digits++;
        }
        if (!digits && i == 0)
            return false;
        if (i == 0 && s < end && *s == ':')
            s++;
        else
            break;
    }
    if (k < 3 || part[0] > 24 || part[1] > 59)
        return false;
    *east = sign * (part[0] * 60 + part[1]);
    return true;
}

bool conf_tz_footer_parse(const char *data, size_t len, char *abbr, size_t n, int32_t *east)
{
    if (!n || len < 2 || data[len - 1] != '\n')
        return false;
    const char *nl = memrchr(data, '\n', len - 1); /* the footer is between the last two newlines */
    return nl && console_posix_tz(nl + 1, data + len - 1, abbr, n, east);
}

/* An IANA zone's current standard offset, from the footer of its zoneinfo file. Summer time
 * is not followed here (the console, which reads the zone's full rules, does follow it). */
static bool console_zone_file(const char *name, char *abbr, size_t n, int32_t *east)
{
    if (strlen(name) > 64 || strstr(name, "..") || name[0] == '/' || strspn(name,
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") != strlen(name))
        return false;
    char path[128], buf[4096];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    bool ok = fseek(f, -(long)sizeof buf, SEEK_END) == 0 || fseek(f, 0, SEEK_SET) == 0;
    size_t len = ok ? fread(buf, 1, sizeof buf, f) : 0;
    fclose(f);
    return len >= 6 && conf_tz_footer_parse(buf, len, abbr, n, east);
}

/* console.timezone: an IANA zone, UTC, +08:00 or local; derives its offset and abbreviation. */
static void console_zone_check(cf_ctx *ctx, conf *c, yaml_node_t *cn, yaml_node_t *top)
{
    const char *z = c->console.timezone;
    int32_t tz;
    c->console.tz_abbr[0] = '\0';
    c->console.tz_named = false;
    if (!z || log_tz_parse(z, &tz)) {
        c->console.tz_min = cf_zone_offset(z ? tz : LOG_TZ_LOCAL);
        if (!z || tz == LOG_TZ_LOCAL) {
            time_t t = time(NULL);
            struct tm tm;
            localtime_r(&t, &tm);
            snprintf(c->console.tz_abbr, sizeof c->console.tz_abbr, "%s", tm.tm_zone ? tm.tm_zone : "");
        } else if (tz == 0) {
            snprintf(c->console.tz_abbr, sizeof c->console.tz_abbr, "UTC");
        }
        return;
    }
    c->console.tz_named = true;
    if (!console_zone_file(z, c->console.tz_abbr, sizeof c->console.tz_abbr, &c->console.tz_min))
        cf_error(ctx, cf_find(ctx, cn ? cn : top, "timezone"),
                 "console.timezone: \"%s\" is not local, UTC, an offset like +08:00 or a zone like Asia/Shanghai", z);
}

/* http: tls_cert with tls_key, and listen. */
void http_conf_refs(cf_ctx *ctx, conf *c, yaml_node_t *n)
{
    yaml_node_t *http = cf_find(ctx, n, "http");
    if (!c->http.tls_cert != !c->http.tls_key)
        cf_error(ctx, http ? http : n, "http: tls_cert and tls_key go together (PEM files)");
    if (c->http.listen && !cf_valid_listen(c->http.listen))
        cf_error(ctx, http ? cf_find(ctx, http, "listen") : n,
                 "listen: \"%s\" is not ADDRESS:PORT (e.g. 127.0.0.1:8787 or [::1]:8787)", c->http.listen);
}

void http_conf_console(cf_ctx *ctx, conf *c, yaml_node_t *n)
{
    console_zone_check(ctx, c, cf_find(ctx, n, "console"), n);
}
