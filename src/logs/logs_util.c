/* Helpers the parsers share: a record's scratch space, dates, addresses, case and percent
 * decoding. */
#include "logs/logs.h"
#include "core/kw_ascii.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include <time.h>

char *log_scratch(log_rec *r, size_t n)
{
    if (n > r->scap - r->slen)
        return NULL;
    char *p = r->scratch + r->slen;
    r->slen += n;
    return p;
}

/* Howard Hinnant's days_from_civil. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int64_t log_civil_ms(int year, int month, int day, int hour, int min, int sec, int ms)
{
    if (year < 0 || year > 9999 || month < 1 || month > 12) /* callers check; this keeps the arithmetic defined */
        return 0;
    int64_t days = days_from_civil(year, (unsigned)month, (unsigned)day);
    return ((days * 24 + hour) * 60 + min) * 60000 + (int64_t)sec * 1000 + ms;
}

int log_month(const char *p)
{
    /* by the first letter, then the other two: called for every line */
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    int first, last;
    switch (p[0]) {
    case 'J': first = 0, last = 6; break; /* Jan, Jun, Jul */
    case 'F': first = last = 1; break;
    case 'M': first = 2, last = 4; break; /* Mar, May */
    case 'A': first = 3, last = 7; break; /* Apr, Aug */
    case 'S': first = last = 8; break;
    case 'O': first = last = 9; break;
    case 'N': first = last = 10; break;
    case 'D': first = last = 11; break;
    default: return 0;
    }
    for (int i = first; i <= last; i++)
        if (p[0] == months[i * 3] && p[1] == months[i * 3 + 1] && p[2] == months[i * 3 + 2])
            return i + 1;
    return 0;
}

/* The local zone's offset at a given hour, cached per thread: localtime_r takes a lock and
 * reads the zone, far too slow for every line. */
static int64_t local_offset_ms(int64_t as_utc_ms)
{
    static __thread int64_t key = INT64_MIN, off;
    int64_t hour = as_utc_ms / 3600000;
    if (hour == key)
        return off;
    time_t t = (time_t)(as_utc_ms / 1000);
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return 0;
    /* the offset at the wall time read as UTC is right except within an hour of a change */
    t -= tm.tm_gmtoff;
    if (localtime_r(&t, &tm)) {
        key = hour;
        off = (int64_t)tm.tm_gmtoff * 1000;
    }
    return off;
}

int64_t log_local_ms(const log_parse_opts *o, int year, int mon, int day, int h, int m, int s, int ms)
{
    int64_t t = log_civil_ms(year, mon, day, h, m, s, ms);
    if (o && o->tz_offset_min != LOG_TZ_LOCAL)
        return t - (int64_t)o->tz_offset_min * 60000;
    return t - local_offset_ms(t);
}

static int digits(const char *p, size_t n, size_t at, int count, bool *ok)
{
    int v = 0;
    if (at + (size_t)count > n) {
        *ok = false;
        return 0;
    }
    for (int i = 0; i < count; i++) {
        char c = p[at + (size_t)i];
        if (c < '0' || c > '9') {
            *ok = false;
            return 0;
        }
        v = v * 10 + (c - '0');
    }
    return v;
}

size_t log_parse_iso(const char *p, size_t n, const log_parse_opts *o, int64_t *out)
{
    bool ok = true;
    int y = digits(p, n, 0, 4, &ok);
    if (!ok || n < 19 || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != ' ') || p[13] != ':' || p[16] != ':')
        return 0;
    int mo = digits(p, n, 5, 2, &ok), d = digits(p, n, 8, 2, &ok);
    int h = digits(p, n, 11, 2, &ok), mi = digits(p, n, 14, 2, &ok), s = digits(p, n, 17, 2, &ok);
    if (!ok || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return 0;
    size_t i = 19;
    int ms = 0;
    if (i + 1 < n && (p[i] == '.' || p[i] == ',') && p[i + 1] >= '0' && p[i + 1] <= '9') { /* not "12:50:20, text" */
        i++;
        int nd = 0;
        while (i < n && p[i] >= '0' && p[i] <= '9') {
            if (nd < 3)
                ms = ms * 10 + (p[i] - '0');
            nd++;
            i++;
        }
        if (!nd)
            return 0;
        for (; nd < 3; nd++)
            ms *= 10;
    }
    if (i < n && p[i] == 'Z') {
        *out = log_civil_ms(y, mo, d, h, mi, s, ms);
        return i + 1;
    }
    if (i < n && (p[i] == '+' || p[i] == '-')) {
        int sign = p[i] == '-' ? -1 : 1;
        bool ok2 = true;
        int oh = digits(p, n, i + 1, 2, &ok2);
        size_t j = i + 3;
        if (j < n && p[j] == ':')
            j++;
        int om = digits(p, n, j, 2, &ok2);
        if (ok2 && oh <= 23 && om <= 59) {
            *out = log_civil_ms(y, mo, d, h, mi, s, ms) - sign * ((int64_t)oh * 60 + om) * 60000;
            return j + 2;
        }
    }
    *out = log_local_ms(o, y, mo, d, h, mi, s, ms);
    return i;
}

const char *log_rfind(const char *p, size_t n, const char *lit)
{
    size_t ln = strlen(lit);
    if (!ln || ln > n)
        return NULL;
    /* the first two bytes compared here: a literal starting with a space (" from ") would
     * otherwise call memcmp at every space of the line */
    for (const char *q = p + n - ln;; q--) {
        if (q[0] == lit[0] && (ln == 1 || (q[1] == lit[1] && memcmp(q + 2, lit + 2, ln - 2) == 0)))
            return q;
        if (q == p)
            return NULL;
    }
}

const char *log_lower(log_rec *r, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && !(p[i] >= 'A' && p[i] <= 'Z'))
        i++;
    if (i == n)
        return p;
    char *d = log_scratch(r, n);
    if (!d)
        return p;
    for (size_t k = 0; k < n; k++)
        d[k] = (p[k] >= 'A' && p[k] <= 'Z') ? (char)(p[k] + 32) : p[k];
    return d;
}

/* Decodes twice-encoded input too (%2527 -> %27 -> '), as attackers use it to slip past
 * filters that decode once. */
log_val log_url_decode(log_rec *r, const char *p, size_t n)
{
    log_val v = {p, (uint32_t)n};
    for (int round = 0; round < 2; round++) {
        if (!memchr(v.p, '%', v.n) && !memchr(v.p, '+', v.n))
            return v;
        char *d = log_scratch(r, v.n);
        if (!d)
            return v;
        size_t k = 0;
        for (size_t i = 0; i < v.n; i++) {
            char c = v.p[i];
            int hi, lo;
            if (c == '%' && i + 2 < v.n && (hi = kw_hexval(v.p[i + 1])) >= 0 &&
                (lo = kw_hexval(v.p[i + 2])) >= 0) {
                d[k++] = (char)(hi * 16 + lo);
                i += 2;
            } else if (c == '+') {
                d[k++] = ' ';
            } else {
                d[k++] = c;
            }
        }
        v.p = d;
        v.n = (uint32_t)k;
    }
    return v;
}

static bool log_is_ip_check(const char *p, size_t n);

/* Dotted-quad IPv4 as inet_pton reads it (four decimal parts 0..255, no leading zeros beyond
 * one digit), without the copy: most addresses on the hot path are IPv4. */
static bool is_ipv4(const char *p, size_t n)
{
    unsigned parts = 0, v = 0, digits = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned)(unsigned char)p[i] - '0';
        if (c <= 9) {
            if (digits && !v) /* "01" */
                return false;
            v = v * 10 + c;
            if (++digits > 3 || v > 255)
                return false;
        } else if (p[i] == '.' && digits && parts < 3) {
            parts++;
            v = digits = 0;
        } else {
            return false;
        }
    }
    return parts == 3 && digits;
}

/* The last address found valid: log_set checks every address it is given, and most parsers
 * checked the same bytes a moment before. Reset for each line (log_is_ip_forget). */
static __thread const char *last_ip[2];
static __thread size_t last_ip_n[2];

void log_is_ip_forget(void) { last_ip[0] = last_ip[1] = NULL; }

bool log_is_ip(const char *p, size_t n)
{
    if (p && ((p == last_ip[0] && n == last_ip_n[0]) || (p == last_ip[1] && n == last_ip_n[1])))
        return true; /* the two ends of a connection, checked by the parser and again by log_set */
    bool ok = log_is_ip_check(p, n);
    if (ok) {
        last_ip[1] = last_ip[0], last_ip_n[1] = last_ip_n[0];
        last_ip[0] = p, last_ip_n[0] = n;
    }
    return ok;
}

static bool log_is_ip_check(const char *p, size_t n)
{
    char buf[64];
    unsigned char a[16];
    if (n >= 7 && n <= 15 && p[0] >= '0' && p[0] <= '9' && p[1] != ':' && p[2] != ':' && p[3] != ':' &&
        p[4] != ':')
        return is_ipv4(p, n); /* an IPv6 address has a ':' among its first five bytes */
    if (n < 2 || n >= sizeof buf)
        return false;
    memcpy(buf, p, n);
    buf[n] = 0;
    return inet_pton(memchr(buf, ':', n) ? AF_INET6 : AF_INET, buf, a) == 1;
}

bool log_tz_parse(const char *s, int32_t *out)
{
    if (!strcmp(s, "local")) {
        *out = LOG_TZ_LOCAL;
        return true;
    }
    if (!strcmp(s, "UTC") || !strcmp(s, "utc") || !strcmp(s, "Z")) {
        *out = 0;
        return true;
    }
    if ((s[0] != '+' && s[0] != '-') || !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[2]))
        return false;
    int h = (s[1] - '0') * 10 + (s[2] - '0'), m = 0;
    const char *p = s + 3;
    if (*p == ':')
        p++;
    if (*p) {
        if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) || p[2])
            return false;
        m = (p[0] - '0') * 10 + (p[1] - '0');
    }
    if (h > 14 || m > 59)
        return false;
    *out = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
    return true;
}
