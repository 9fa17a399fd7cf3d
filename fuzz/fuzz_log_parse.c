/* libFuzzer target: the log parsers. The first byte picks the declared format and the zone;
 * the rest is one line, given to log_parse and to every parser on its own. Every record must
 * serialise to valid JSON (checked with jansson). */
#include "logs/logs.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

/* Every parser with one signature. */
#define P3(name)                                                                        \
    static bool name##_(log_rec *r, const char *m, size_t n, const log_parse_opts *o) \
    {                                                                                   \
        (void)o;                                                                        \
        return name(r, m, n);                                                           \
    }
P3(log_parse_openssh)
P3(log_parse_sudo)
P3(log_parse_su)
P3(log_parse_account)
P3(log_parse_iptables)
P3(log_parse_leef)
P3(log_parse_asa)
P3(log_parse_huawei)
P3(log_parse_h3c)
P3(log_parse_hillstone)
P3(log_parse_ios)
static bool log_parse_access_(log_rec *r, const char *m, size_t n, const log_parse_opts *o)
{
    return log_parse_access(r, m, n, o, NULL);
}

typedef bool (*parser_fn)(log_rec *, const char *, size_t, const log_parse_opts *);
static const parser_fn parsers[] = {
    log_parse_openssh_,  log_parse_sudo_,       log_parse_su_,  log_parse_account_,           log_parse_iptables_,
    log_parse_cef,       log_parse_leef_,       log_parse_asa_,          log_parse_fortigate,
    log_parse_panos,     log_parse_huawei_,     log_parse_h3c_,          log_parse_eve,
    log_parse_access_,   log_parse_nginx_error, log_parse_apache_error,  log_parse_mysql,
    log_parse_postgresql, log_parse_clamav, log_parse_cn, log_parse_hillstone_, log_parse_intl, log_parse_snort, log_parse_ios_,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static log_rec r; /* reused, as the sensor does: scratch space must be reset correctly */
    static const char *formats[] = {"auto", "syslog", "nginx", "apache", "json", "raw"};
    log_parse_opts o = {.now_ms = 1704067200000 + (int64_t)data[0] * 86400000LL * 3,
                        .tz_offset_min = (data[0] & 0x80) ? LOG_TZ_LOCAL : (data[0] & 0x0f) * 60 - 420,
                        .format = formats[data[0] % 6],
                        .input = "fuzz",
                        .sender = "192.0.2.1"};
    const char *line = (const char *)data + 1;
    size_t n = size - 1;
    log_parse(&r, line, n, &o);
    kw_buf b;
    kw_buf_init(&b, 0);
    log_rec_ecs(&r, &b);
    json_error_t err;
    json_t *j = json_loadb(b.data, b.len, JSON_ALLOW_NUL, &err);
    if (!j)
        abort(); /* the writer produced invalid JSON */
    json_decref(j);
    kw_buf_free(&b);
    /* each parser alone: the record is sized by a parse of the same line, then its fields
     * are cleared before every parser */
    log_parse(&r, line, n, &o);
    for (size_t i = 0; i < sizeof parsers / sizeof parsers[0]; i++) {
        r.present = 0, r.nextra = 0, r.slen = 0;
        (void)parsers[i](&r, line, n, &o);
    }
    kw_buf_init(&b, 0);
    log_rec_ecs(&r, &b);
    kw_buf_free(&b);
    return 0;
}
