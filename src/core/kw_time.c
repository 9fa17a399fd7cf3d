#include "core/kw_time.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t kw_now_ms(void) { return clock_ms(CLOCK_REALTIME); }
int64_t kw_mono_ms(void) { return clock_ms(CLOCK_MONOTONIC); }

static const struct {
    const char *name;
    int64_t ms;
} duration_units[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}, {"w", 604800000},
};

kw_rc kw_duration_parse(const char *s, int64_t *ms, char *err, size_t errn)
{
    if (strcmp(s, "0") == 0) {
        *ms = 0;
        return KW_OK;
    }
    const char *p = s;
    int64_t total = 0;
    if (!*p) {
        snprintf(err, errn, "empty duration");
        return KW_ERR_PARSE;
    }
    while (*p) {
        if (!isdigit((unsigned char)*p)) {
            snprintf(err, errn, "bad duration \"%s\": expected a number followed by ms, s, m, h, d or w", s);
            return KW_ERR_PARSE;
        }
        int64_t n = 0;
        while (isdigit((unsigned char)*p)) {
            if (n > INT64_MAX / 10 - 10) {
                snprintf(err, errn, "duration \"%s\" is too long", s);
                return KW_ERR_RANGE;
            }
            n = n * 10 + (*p++ - '0');
        }
        size_t ul = 0;
        while (isalpha((unsigned char)p[ul]))
            ul++;
        int64_t unit = 0;
        for (size_t i = 0; i < sizeof duration_units / sizeof duration_units[0]; i++)
            if (strlen(duration_units[i].name) == ul && strncmp(p, duration_units[i].name, ul) == 0)
                unit = duration_units[i].ms;
        if (!unit) {
            if (ul == 0)
                snprintf(err, errn, "bad duration \"%s\": a number needs a unit (ms, s, m, h, d or w)", s);
            else
                snprintf(err, errn, "bad duration \"%s\": unknown unit \"%.*s\" (use ms, s, m, h, d or w)",
                         s, (int)ul, p);
            return KW_ERR_PARSE;
        }
        if (n > (INT64_MAX - total) / unit) {
            snprintf(err, errn, "duration \"%s\" is too long", s);
            return KW_ERR_RANGE;
        }
        total += n * unit;
        p += ul;
    }
    *ms = total;
    return KW_OK;
}

void kw_duration_format(int64_t ms, char *out, size_t n)
{
    if (ms <= 0) {
        snprintf(out, n, "0s");
        return;
    }
    size_t off = 0;
    out[0] = '\0';
    static const struct {
        const char *name;
        int64_t ms;
    } parts[] = {{"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}};
    for (size_t i = 0; i < 5 && off < n; i++) {
        int64_t q = ms / parts[i].ms;
        if (q) {
            int w = snprintf(out + off, n - off, "%" PRId64 "%s", q, parts[i].name);
            if (w < 0)
                return;
            off += (size_t)w;
            ms -= q * parts[i].ms;
        }
    }
}

kw_rc kw_size_parse(const char *s, uint64_t *bytes, char *err, size_t errn)
{
    const char *p = s;
    uint64_t n = 0;
    if (!isdigit((unsigned char)*p)) {
        snprintf(err, errn, "bad size \"%s\": expected a number such as 100MB", s);
        return KW_ERR_PARSE;
    }
    while (isdigit((unsigned char)*p)) {
        if (n > UINT64_MAX / 10 - 10) {
            snprintf(err, errn, "size \"%s\" is too large", s);
            return KW_ERR_RANGE;
        }
        n = n * 10 + (uint64_t)(*p++ - '0');
    }
    while (*p == ' ')
        p++;
    static const struct {
        const char *name;
        uint64_t mult;
    } units[] = {{"", 1},         {"B", 1},          {"KB", 1000},       {"MB", 1000000},
                 {"GB", 1000000000}, {"KiB", 1024},  {"MiB", 1048576},   {"GiB", 1073741824},
                 {"K", 1024},     {"M", 1048576},    {"G", 1073741824}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(p, units[i].name) == 0) {
            if (units[i].mult > 1 && n > UINT64_MAX / units[i].mult) {
                snprintf(err, errn, "size \"%s\" is too large", s);
                return KW_ERR_RANGE;
            }
            *bytes = n * units[i].mult;
            return KW_OK;
        }
    }
    snprintf(err, errn, "bad size \"%s\": unknown unit (use B, KB, MB, GB, KiB, MiB or GiB)", s);
    return KW_ERR_PARSE;
}

void kw_size_format(uint64_t bytes, char *out, size_t n)
{
    static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int i = 0;
    while (i < 4 && bytes >= 1024 && bytes % 1024 == 0) {
        bytes /= 1024;
        i++;
    }
    snprintf(out, n, "%" PRIu64 "%s", bytes, u[i]);
}

/* Writes v as exactly `width` digits. */
static char *put_digits(char *p, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
    return p + width;
}

void kw_time_iso8601(int64_t unix_ms, char *out, size_t n)
{
    int64_t secs = unix_ms / 1000;
    int ms = (int)(unix_ms % 1000);
    if (ms < 0) {
        ms += 1000;
        secs -= 1;
    }
    int64_t days = secs / 86400, sod = secs % 86400;
    if (sod < 0) {
        sod += 86400;
        days -= 1;
    }
    /* the proleptic Gregorian date of a day count (H. Hinnant's civil_from_days) */
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    if (y < 0 || y > 9999 || n < 25) { /* outside what four digits say: let printf say it */
        snprintf(out, n, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", (long long)y, m, d, (int)(sod / 3600),
                 (int)(sod / 60 % 60), (int)(sod % 60), ms);
        return;
    }
    char *p = put_digits(out, (unsigned)y, 4);
    *p++ = '-';
    p = put_digits(p, m, 2);
    *p++ = '-';
    p = put_digits(p, d, 2);
    *p++ = 'T';
    p = put_digits(p, (unsigned)(sod / 3600), 2);
    *p++ = ':';
    p = put_digits(p, (unsigned)(sod / 60 % 60), 2);
    *p++ = ':';
    p = put_digits(p, (unsigned)(sod % 60), 2);
    *p++ = '.';
    p = put_digits(p, (unsigned)ms, 3);
    *p++ = 'Z';
    *p = '\0';
}
