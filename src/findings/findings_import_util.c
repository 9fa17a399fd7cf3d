/* The importers' shared pieces: errors, emitting with the checks every finding needs, record
 * strings, categories from CWE numbers and names, strict numbers, CVSS versions, times and URL
 * hosts. No I/O. */
#include "findings/findings_import_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

kw_rc fimp_fail(fimp_ctx *c, const char *fmt, ...)
{
    if (c->err && c->errn) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err, c->errn, fmt, ap);
        va_end(ap);
    }
    return KW_ERR_PARSE;
}

static bool nonempty(const char *s)
{
    return s && *s;
}

kw_rc fimp_emit(fimp_ctx *c, const finding *f)
{
    kw_rc rc = KW_OK;
    if (nonempty(f->vuln_id) && nonempty(f->title) &&
        (nonempty(f->host) || nonempty(f->ip) || nonempty(f->url) || nonempty(f->file_path))) {
        rc = finding_emit(c->sink, f);
        if (rc == KW_OK)
            c->st->findings++;
    } else {
        c->st->skipped++;
    }
    kw_arena_reset(&c->a);
    return rc;
}

kw_rc fimp_cover(fimp_ctx *c, const finding_cover *cv)
{
    kw_rc rc = finding_covered(c->sink, cv);
    if (rc == KW_OK && c->sink->cover)
        c->st->covers++;
    return rc;
}

char *fimp_strndup(fimp_ctx *c, const char *s, size_t n)
{
    char *d = kw_arena_alloc(&c->a, n + 1);
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *fimp_printf(fimp_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *d = kw_arena_alloc(&c->a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

/* The longest prefix of s[0..n) of at most max bytes that does not split a UTF-8 sequence. */
static size_t utf8_cut_len(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

const char *fimp_cut(fimp_ctx *c, const char *s, size_t max)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    return n <= max ? s : fimp_strndup(c, s, utf8_cut_len(s, n, max));
}

const char *fimp_trim(fimp_ctx *c, const char *s)
{
    if (!s)
        return NULL;
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return fimp_strndup(c, s, n);
}

const char *fimp_keep(fimp_ctx *c, const char *s)
{
    return s ? kw_arena_strdup(&c->keep, s) : NULL;
}

char *fimp_slug(fimp_ctx *c, const char *s)
{
    size_t n = strlen(s);
    if (n > 96)
        n = 96;
    char *d = fimp_strndup(c, s, n);
    for (size_t i = 0; i < n; i++)
        d[i] = isalnum((unsigned char)d[i]) ? (char)toupper((unsigned char)d[i]) : '-';
    return d;
}

void fimp_buf_add(kw_buf *b, const char *s, size_t max)
{
    if (!s || b->len >= max)
        return;
    size_t n = strlen(s);
    kw_buf_append(b, s, utf8_cut_len(s, n, max - b->len));
}

static const char *const categories[] = {
    "sqli",         "xss",       "path_traversal", "command_injection", "open_redirect",
    "sensitive_file", "outdated_software", "exposed_service", "weak_auth", "weak_tls",
    "acl",          "host_config", "app_config", "drill",
};

bool fimp_category_known(const char *cat)
{
    for (size_t i = 0; cat && i < sizeof categories / sizeof categories[0]; i++)
        if (strcmp(cat, categories[i]) == 0)
            return true;
    return false;
}

static const char *category_of_cwe(int cwe)
{
    static const struct {
        int cwe;
        const char *cat;
    } map[] = {
        {79, "xss"},           {80, "xss"},           {89, "sqli"},          {564, "sqli"},
        {943, "sqli"},         {22, "path_traversal"}, {23, "path_traversal"}, {35, "path_traversal"},
        {98, "path_traversal"}, {77, "command_injection"}, {78, "command_injection"},
        {94, "command_injection"}, {601, "open_redirect"}, {530, "sensitive_file"},
        {538, "sensitive_file"}, {548, "sensitive_file"}, {552, "sensitive_file"},
        {287, "weak_auth"},    {306, "weak_auth"},    {521, "weak_auth"},    {798, "weak_auth"},
        {1391, "weak_auth"},   {1392, "weak_auth"},   {295, "weak_tls"},     {310, "weak_tls"},
        {319, "weak_tls"},     {326, "weak_tls"},     {327, "weak_tls"},     {1104, "outdated_software"},
        {937, "outdated_software"}, {1035, "outdated_software"}, {16, "app_config"},
        {352, "app_config"},   {614, "app_config"},   {693, "app_config"},   {1004, "app_config"},
        {1021, "app_config"},  {525, "app_config"},   {942, "app_config"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].cwe == cwe)
            return map[i].cat;
    return NULL;
}

static const char *category_of_text(const char *text)
{
    /* lower-case words, most specific first */
    static const struct {
        const char *word;
        const char *cat;
    } map[] = {
        {"sql injection", "sqli"}, {"sqli", "sqli"}, {"cross site scripting", "xss"},
        {"cross-site scripting", "xss"}, {"xss", "xss"}, {"path traversal", "path_traversal"},
        {"directory traversal", "path_traversal"}, {"file inclusion", "path_traversal"},
        {"lfi", "path_traversal"}, {"traversal", "path_traversal"},
        {"command injection", "command_injection"}, {"command execution", "command_injection"},
        {"commands execution", "command_injection"}, {"os command", "command_injection"},
        {"shellshock", "command_injection"}, {"open redirect", "open_redirect"},
        {"redirect", "open_redirect"}, {"backup file", "sensitive_file"},
        {"dangerous file", "sensitive_file"}, {"sensitive file", "sensitive_file"},
        {"exposed file", "sensitive_file"}, {"default login", "weak_auth"},
        {"default-login", "weak_auth"}, {"default credential", "weak_auth"},
        {"weak credential", "weak_auth"}, {"weak password", "weak_auth"},
        {"anonymous login", "weak_auth"}, {"unauthenticated", "weak_auth"},
        {"ssl", "weak_tls"}, {"tls", "weak_tls"}, {"cipher", "weak_tls"},
        {"certificate", "weak_tls"}, {"outdated", "outdated_software"},
        {"end of life", "outdated_software"}, {"end-of-life", "outdated_software"},
        {"security update", "outdated_software"}, {"content security policy", "app_config"},
        {"header", "app_config"}, {"cookie", "app_config"}, {"clickjacking", "app_config"},
        {"cors", "app_config"}, {"misconfig", "app_config"}, {"csrf", "app_config"},
        {"request forgery", "app_config"},
    };
    if (!text)
        return NULL;
    char low[512];
    size_t n = 0;
    for (; text[n] && n + 1 < sizeof low; n++)
        low[n] = (char)tolower((unsigned char)text[n]);
    low[n] = '\0';
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strstr(low, map[i].word))
            return map[i].cat;
    return NULL;
}

const char *fimp_category(int cwe, const char *text)
{
    const char *cat = category_of_text(text);
    return cat ? cat : category_of_cwe(cwe);
}

int fimp_cwe_num(const char *s)
{
    if (!s)
        return 0;
    if (strncasecmp(s, "cwe-", 4) == 0)
        s += 4;
    long v;
    return fimp_parse_int(s, 1, 100000, &v) ? (int)v : 0;
}

bool fimp_parse_double(const char *s, double *out)
{
    if (!s)
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno)
        return false;
    while (isspace((unsigned char)*end))
        end++;
    if (*end || v != v)
        return false;
    *out = v;
    return true;
}

bool fimp_parse_int(const char *s, long lo, long hi, long *out)
{
    if (!s)
        return false;
    while (isspace((unsigned char)*s))
        s++;
    if (!isdigit((unsigned char)*s) && *s != '-')
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || errno)
        return false;
    while (isspace((unsigned char)*end))
        end++;
    if (*end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

const char *fimp_cvss_version(const char *vector)
{
    if (!vector || !*vector)
        return NULL;
    if (strncmp(vector, "CVSS:3.1/", 9) == 0)
        return "3.1";
    if (strncmp(vector, "CVSS:3.0/", 9) == 0)
        return "3.0";
    if (strncmp(vector, "CVSS:4.0/", 9) == 0)
        return "4.0";
    if (strncmp(vector, "AV:", 3) == 0 || strncmp(vector, "(AV:", 4) == 0)
        return "2.0";
    return NULL;
}

/* Reads exactly `digits` digits at *p. */
static bool read_num(const char **p, int digits, int *out)
{
    int v = 0;
    for (int i = 0; i < digits; i++, (*p)++) {
        if (!isdigit((unsigned char)**p))
            return false;
        v = v * 10 + (**p - '0');
    }
    *out = v;
    return true;
}

/* "Z", "+HH:MM", "-HHMM" or nothing (UTC) at p: the offset in seconds. */
static bool read_zone(const char *p, long *off)
{
    *off = 0;
    if (*p == '\0' || ((*p == 'Z' || *p == 'z') && p[1] == '\0'))
        return true;
    if (*p != '+' && *p != '-')
        return false;
    int sign = *p++ == '-' ? -1 : 1, hh, mm = 0;
    if (!read_num(&p, 2, &hh))
        return false;
    if (*p == ':')
        p++;
    if (*p && !read_num(&p, 2, &mm))
        return false;
    if (*p || hh > 23 || mm > 59)
        return false;
    *off = sign * (hh * 3600L + mm * 60L);
    return true;
}

int64_t fimp_iso_ms(const char *s)
{
    if (!s)
        return 0;
    struct tm tm = {0};
    const char *p = s;
    int y, mo, d, h, mi, se;
    if (!read_num(&p, 4, &y) || *p++ != '-' || !read_num(&p, 2, &mo) || *p++ != '-' ||
        !read_num(&p, 2, &d) || (*p != 'T' && *p != ' '))
        return 0;
    p++;
    if (!read_num(&p, 2, &h) || *p++ != ':' || !read_num(&p, 2, &mi) || *p++ != ':' ||
        !read_num(&p, 2, &se))
        return 0;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return 0;
    int ms = 0, scale = 100;
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p); p++, scale /= 10)
            ms += scale ? (*p - '0') * scale : 0;
    long off;
    if (!read_zone(p, &off))
        return 0;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return 0;
    return ((int64_t)t - off) * 1000 + ms;
}

bool fimp_is_ip(const char *s)
{
    unsigned char a[16];
    return s && (inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1);
}

/* Splits "host", "host:port", "[v6]" or "[v6]:port" in s[0..n). */
static bool split_hostport(fimp_ctx *c, const char *s, size_t n, const char **host, int *port)
{
    const char *colon = NULL, *h = s;
    size_t hn = n;
    if (n && s[0] == '[') {
        const char *rb = memchr(s, ']', n);
        if (!rb)
            return false;
        h = s + 1;
        hn = (size_t)(rb - h);
        if ((size_t)(rb + 1 - s) < n) {
            if (rb[1] != ':')
                return false;
            colon = rb + 1;
        }
    } else {
        colon = memchr(s, ':', n);
        if (colon && memchr(colon + 1, ':', n - (size_t)(colon + 1 - s)))
            colon = NULL; /* a bare IPv6 address */
        if (colon)
            hn = (size_t)(colon - s);
    }
    if (hn == 0)
        return false;
    if (colon) {
        char digits[8];
        size_t dn = n - (size_t)(colon + 1 - s);
        long v;
        if (dn == 0 || dn >= sizeof digits)
            return false;
        memcpy(digits, colon + 1, dn);
        digits[dn] = '\0';
        if (!fimp_parse_int(digits, 1, 65535, &v))
            return false;
        *port = (int)v;
    }
    *host = fimp_strndup(c, h, hn);
    return true;
}

bool fimp_hostport(fimp_ctx *c, const char *s, const char **host, int *port)
{
    if (!s || strstr(s, "://") || strpbrk(s, "/ \t"))
        return false;
    int p = 0;
    if (!split_hostport(c, s, strlen(s), host, &p) || p == 0)
        return false;
    *port = p;
    return true;
}

bool fimp_url_host(fimp_ctx *c, const char *s, const char **host, int *port)
{
    const char *sep = s ? strstr(s, "://") : NULL;
    if (!sep || sep == s)
        return false;
    const char *h = sep + 3, *end = h + strcspn(h, "/?#");
    const char *at = memchr(h, '@', (size_t)(end - h));
    if (at)
        h = at + 1;
    int p = 0;
    if (!split_hostport(c, h, (size_t)(end - h), host, &p))
        return false;
    if (p == 0) {
        size_t sn = (size_t)(sep - s);
        if (sn == 5 && strncasecmp(s, "https", 5) == 0)
            p = 443;
        else if (sn == 4 && strncasecmp(s, "http", 4) == 0)
            p = 80;
    }
    *port = p;
    return true;
}

size_t fimp_skip_bom_ws(const char *buf, size_t n)
{
    size_t i = 0;
    if (n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < n && isspace((unsigned char)buf[i]))
        i++;
    return i;
}
