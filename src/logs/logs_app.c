/* Servers' own logs: nginx and Apache (access and error), MySQL/MariaDB and PostgreSQL error
 * logs, ClamAV and freshclam. */
#include "logs/logs.h"
#include "logs/logs_kv.h"

#include <string.h>

#define LIT(s) s, sizeof(s) - 1

static bool starts(const char *p, size_t n, const char *lit, size_t ln) { return n >= ln && memcmp(p, lit, ln) == 0; }
static bool isdig(char c) { return c >= '0' && c <= '9'; }

/* Are p[i] digits for every i in the list (-1 ends it)? */
static bool digits_at(const char *p, const int *at)
{
    for (; *at >= 0; at++)
        if (!isdig(p[*at]))
            return false;
    return true;
}

static const char *word_end(const char *p, const char *end)
{
    while (p < end && *p != ' ')
        p++;
    return p;
}

static void set_web_auth(log_rec *r, const char *user, size_t un)
{
    log_set_str(r, LF_EVENT_ACTION, "web_login");
    log_set_str(r, LF_EVENT_OUTCOME, "failure");
    log_set_str(r, LF_EVENT_CATEGORY, "authentication");
    if (un)
        log_set(r, LF_USER_NAME, user, un);
}

/* "METHOD URL PROTO" from a request line; sets method, url, decoded url. */
static void set_request(log_rec *r, const char *q, size_t qn)
{
    const char *end = q + qn, *sp = memchr(q, ' ', qn);
    if (!sp) {
        if (qn && !(qn == 1 && q[0] == '-'))
            log_set(r, LF_URL_ORIGINAL, q, qn);
        return;
    }
    log_set(r, LF_HTTP_METHOD, q, (size_t)(sp - q));
    const char *u = sp + 1, *ue = end;
    /* the URL runs to the last space (a URL with a raw space is an attack in itself) */
    for (const char *x = end; x > u; x--)
        if (x[-1] == ' ') {
            if (starts(x, (size_t)(end - x), LIT("HTTP/")))
                ue = x - 1;
            break;
        }
    log_set(r, LF_URL_ORIGINAL, u, (size_t)(ue - u));
    log_val d = log_url_decode(r, u, (size_t)(ue - u));
    log_set(r, LF_URL_DECODED, d.p, d.n); /* rules test this one; the ECS document shows it only if it differs */
}

/* A double-quoted field with backslash escapes; *p is at the opening quote. Returns the
 * contents and moves *p past the closing quote; false if there is none. */
static bool quoted(const char **p, const char *end, log_val *out)
{
    const char *s = *p;
    if (s >= end || *s != '"')
        return false;
    /* the closing quote by memchr; a backslash before it (rare) means walking the escapes */
    const char *q = memchr(s + 1, '"', (size_t)(end - s - 1));
    if (q && memchr(s + 1, '\\', (size_t)(q - s - 1))) {
        q = s + 1;
        while (q < end && *q != '"') {
            if (*q == '\\' && q + 1 < end)
                q++;
            q++;
        }
    }
    if (!q || q >= end)
        return false;
    out->p = s + 1;
    out->n = (uint32_t)(q - s - 1);
    *p = q + 1;
    return true;
}

/* "10/Oct/2024:13:55:36 +0800" */
static bool clf_time(const char *p, size_t n, const log_parse_opts *o, int64_t *ms)
{
    static const int dig[] = {0, 1, 12, 13, 15, 16, 18, 19, -1};
    if (n < 20 || p[2] != '/' || p[6] != '/' || p[11] != ':' || p[14] != ':' || p[17] != ':' || !digits_at(p, dig))
        return false;
    int d = (p[0] - '0') * 10 + (p[1] - '0'), mon = log_month(p + 3);
    int y = 0;
    for (int i = 7; i < 11; i++) {
        if (!isdig(p[i]))
            return false;
        y = y * 10 + (p[i] - '0');
    }
    int h = (p[12] - '0') * 10 + (p[13] - '0'), mi = (p[15] - '0') * 10 + (p[16] - '0'),
        s = (p[18] - '0') * 10 + (p[19] - '0');
    if (!mon || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return false;
    if (n >= 26 && p[20] == ' ' && (p[21] == '+' || p[21] == '-')) {
        int oh = (p[22] - '0') * 10 + (p[23] - '0'), om = (p[24] - '0') * 10 + (p[25] - '0');
        int sign = p[21] == '-' ? -1 : 1;
        *ms = log_civil_ms(y, mon, d, h, mi, s, 0) - sign * ((int64_t)oh * 60 + om) * 60000;
    } else {
        *ms = log_local_ms(o, y, mon, d, h, mi, s, 0);
    }
    return true;
}

/* A private, loopback, link-local or shared address (RFC 1918, 6598, 4193): a proxy's hop or the
 * client's own LAN address, not where a request came from on the Internet. */
static bool private_ip(const char *p, size_t n)
{
    if (memchr(p, ':', n))
        return (n >= 3 && memcmp(p, "::1", 3) == 0 && n == 3) || (n >= 2 && (p[0] | 32) == 'f' &&
                                                                  ((p[1] | 32) == 'c' || (p[1] | 32) == 'd' ||
                                                                   ((p[1] | 32) == 'e' && n >= 3 && (p[2] | 32) >= '8')));
    int a = 0, b = 0;
    size_t i = 0;
    while (i < n && isdig(p[i]))
        a = a * 10 + (p[i++] - '0');
    for (i++; i < n && isdig(p[i]); i++)
        b = b * 10 + (p[i] - '0');
    return a == 10 || a == 127 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168) ||
           (a == 169 && b == 254) || (a == 100 && b >= 64 && b <= 127);
}

/* Where the client is in what comes before "ident user [time]": "IP", "vhost IP" (nginx's
 * $host first, Apache's vhost_combined "host:port IP"), an X-Forwarded-For list first
 * ("IP, IP, IP", maybe quoted, maybe then $remote_addr) or a host name (Apache's
 * HostnameLookups). Of a list, the first public address is the client (a private one is the
 * client's own LAN or a proxy of ours), else the first. Sets source.ip or source.domain. */
static void access_client(log_rec *r, const char *p, const char *e)
{
    /* a lone unquoted word before a space is the vhost when addresses follow it */
    const char *w = word_end(p, e);
    if (w < e && p < e && *p != '"' && w[-1] != ',' && memchr(w, '.', (size_t)(e - w)) &&
        !(w + 1 < e && w[1] == ',')) {
        const char *q = w + 1;
        if (q < e && (*q == '"' || isdig(*q) || *q == '[' || memchr(q, ':', (size_t)(e - q))))
            p = q;
    }
    log_val first = {NULL, 0}, pub = {NULL, 0};
    while (p < e && !pub.p) {
        while (p < e && (*p == ' ' || *p == ',' || *p == '"'))
            p++;
        const char *t = p;
        while (p < e && *p != ' ' && *p != ',' && *p != '"')
            p++;
        if (p == t || !log_is_ip(t, (size_t)(p - t))) {
            if (p > t && !first.p && p == e)
                log_set(r, LF_SOURCE_DOMAIN, t, (size_t)(p - t)); /* a name, no address at all */
            continue;
        }
        if (!first.p)
            first = (log_val){t, (uint32_t)(p - t)};
        if (!private_ip(t, (size_t)(p - t)))
            pub = (log_val){t, (uint32_t)(p - t)};
    }
    const log_val *c = pub.p ? &pub : &first;
    if (c->p)
        log_set(r, LF_SOURCE_IP, c->p, c->n);
}

/* The "[10/Oct/2024:13:55:36 +0800]" after the client, ident and user; returns the '[' or NULL. */
static const char *access_stamp(const char *m, size_t n, const log_parse_opts *o, int64_t *ms)
{
    const char *end = m + n, *b = m;
    size_t lim = n < 600 ? n : 600;
    while ((b = memchr(b, '[', lim - (size_t)(b - m))) != NULL) {
        const char *tse = memchr(b, ']', (size_t)(end - b));
        if (b > m + 4 && b[-1] == ' ' && tse && clf_time(b + 1, (size_t)(tse - b - 1), o, ms))
            return b;
        b++;
    }
    return NULL;
}

/* What every access line sets: dataset, category, message, its time. */
static void access_common(log_rec *r, const char *m, size_t n, int64_t ms, const char *dataset)
{
    log_set_str(r, LF_EVENT_DATASET, dataset ? dataset : "web.access");
    log_set_str(r, LF_EVENT_CATEGORY, "web");
    log_set(r, LF_MESSAGE, m, n);
    r->ts_ms = ms;
    r->ts_from_line = true;
}

/* mod_ssl's request log (Debian's ssl_request_log, LogFormat "%t %h %{SSL_PROTOCOL}x
 * %{SSL_CIPHER}x \"%r\" %b"): "[10/Aug/2018:09:45:56 +0200] 172.30.0.119 TLSv1.2 CIPHER
 * \"GET / HTTP/1.1\" 1375". No status in it. */
static bool ssl_request(log_rec *r, const char *m, size_t n, const log_parse_opts *o, const char *dataset)
{
    const char *end = m + n, *tse = memchr(m, ']', n < 40 ? n : 40);
    int64_t ms;
    if (!tse || tse + 2 >= end || tse[1] != ' ' || !clf_time(m + 1, (size_t)(tse - m - 1), o, &ms))
        return false;
    const char *h = tse + 2, *he = word_end(h, end);
    if (!log_is_ip(h, (size_t)(he - h)))
        return false;
    const char *q = memchr(he, '"', (size_t)(end - he));
    log_val req;
    if (!q || q - he > 96 || !quoted(&q, end, &req))
        return false;
    access_common(r, m, n, ms, dataset);
    log_set(r, LF_SOURCE_IP, h, (size_t)(he - h));
    set_request(r, req.p, req.n);
    while (q < end && *q == ' ')
        q++;
    const char *be = word_end(q, end);
    if (be > q && isdig(q[0]))
        log_set(r, LF_HTTP_BYTES, q, (size_t)(be - q));
    return true;
}

bool log_parse_access(log_rec *r, const char *m, size_t n, const log_parse_opts *o, const char *dataset)
{
    const char *end = m + n, *p;
    int64_t ms;
    if (n > 30 && m[0] == '[' && ssl_request(r, m, n, o, dataset))
        return true;
    const char *b = access_stamp(m, n, o, &ms);
    if (!b)
        return false;
    /* "client ident user [": the user and ident are the two words before the stamp */
    const char *ue = b - 1, *u = ue;
    while (u > m && u[-1] != ' ')
        u--;
    const char *ide = u > m ? u - 1 : u, *id = ide;
    while (id > m && id[-1] != ' ')
        id--;
    if (id <= m || ide <= id)
        return false;
    const char *ce = id - 1;
    const char *tse = memchr(b, ']', (size_t)(end - b));
    p = tse + 1;
    if (p + 1 >= end || *p != ' ')
        return false;
    p++;
    log_val req;
    if (!quoted(&p, end, &req))
        return false;
    access_common(r, m, n, ms, dataset);
    access_client(r, m, ce);
    if (!(ue - u == 1 && u[0] == '-'))
        log_set(r, LF_USER_NAME, u, (size_t)(ue - u));
    set_request(r, req.p, req.n);
    /* status, bytes */
    while (p < end && *p == ' ')
        p++;
    const char *st = p, *ste = word_end(st, end);
    if (ste - st == 3 && isdig(st[0]) && isdig(st[1]) && isdig(st[2])) {
        log_set(r, LF_HTTP_STATUS, st, 3);
        log_set_str(r, LF_EVENT_OUTCOME, st[0] >= '4' ? "failure" : "success");
    }
    p = ste;
    while (p < end && *p == ' ')
        p++;
    const char *bs = p, *be = word_end(bs, end);
    if (be > bs && isdig(bs[0]))
        log_set(r, LF_HTTP_BYTES, bs, (size_t)(be - bs));
    p = be;
    while (p < end && *p == ' ')
        p++;
    log_val ref, ua;
    if (quoted(&p, end, &ref)) {
        if (!(ref.n == 1 && ref.p[0] == '-'))
            log_set(r, LF_HTTP_REFERRER, ref.p, ref.n);
        while (p < end && *p == ' ')
            p++;
        if (quoted(&p, end, &ua) && !(ua.n == 1 && ua.p[0] == '-'))
            log_set(r, LF_USER_AGENT, ua.p, ua.n);
    }
    if (log_has(r, LF_HTTP_STATUS) && r->f[LF_HTTP_STATUS].p[0] == '4' && r->f[LF_HTTP_STATUS].p[1] == '0' &&
        r->f[LF_HTTP_STATUS].p[2] == '1') {
        log_set_str(r, LF_EVENT_ACTION, "web_login");
        log_set_str(r, LF_EVENT_CATEGORY, "authentication");
    }
    return true;
}

static const char *error_levels[] = {"emerg", "alert", "crit", "error", "warn", "notice", "info", "debug", NULL};

static bool is_level(const char *p, size_t n)
{
    for (int i = 0; error_levels[i]; i++)
        if (strlen(error_levels[i]) == n && memcmp(error_levels[i], p, n) == 0)
            return true;
    return false;
}

/* Web-server auth failures in error messages (nginx and Apache). */
static void web_auth(log_rec *r, const char *t, const char *end)
{
    size_t tn = (size_t)(end - t);
    const char *x;
    if ((x = log_find(t, tn, "user \""))) { /* nginx: user "admin": password mismatch / was not found */
        const char *q = memchr(x + 6, '"', (size_t)(end - x - 6));
        if (q && (log_find(q, (size_t)(end - q), "password mismatch") || log_find(q, (size_t)(end - q), "was not found")))
            set_web_auth(r, x + 6, (size_t)(q - x - 6));
    } else if ((x = log_find(t, tn, "user ")) && (log_find(t, tn, "authentication failure") || log_find(t, tn, "not found:"))) {
        /* Apache: "AH01617: user admin: authentication failure for "/": Password Mismatch" */
        const char *u = x + 5, *e = u;
        while (e < end && *e != ':' && *e != ' ')
            e++;
        set_web_auth(r, u, (size_t)(e - u));
    } else if (log_find(t, tn, "client denied by server configuration") || log_find(t, tn, "access forbidden by rule")) {
        log_set_str(r, LF_EVENT_ACTION, "deny");
    } else if (log_find(t, tn, "limiting requests") || log_find(t, tn, "limiting connections")) {
        log_set_str(r, LF_EVENT_ACTION, "rate_limited");
    }
}

/* "2024/01/01 12:00:00 [error] 1234#1234: *5 message, client: IP, server: S, request: "..."" */
bool log_parse_nginx_error(log_rec *r, const char *m, size_t n, const log_parse_opts *o)
{
    if (n < 24 || m[4] != '/' || m[7] != '/' || m[10] != ' ' || m[19] != ' ' || m[20] != '[')
        return false;
    char buf[19];
    memcpy(buf, m, 19);
    buf[4] = buf[7] = '-';
    int64_t ms;
    if (log_parse_iso(buf, 19, o, &ms) != 19)
        return false;
    const char *end = m + n, *lv = m + 21, *lve = memchr(lv, ']', (size_t)(end - lv));
    if (!lve || !is_level(lv, (size_t)(lve - lv)))
        return false;
    log_set_str(r, LF_EVENT_DATASET, "nginx.error");
    log_set_str(r, LF_EVENT_CATEGORY, "web");
    r->ts_ms = ms;
    r->ts_from_line = true;
    log_set(r, LF_LOG_LEVEL, lv, (size_t)(lve - lv));
    const char *p = lve + 1;
    while (p < end && *p == ' ')
        p++;
    const char *pid = p;
    while (p < end && isdig(*p))
        p++;
    if (p > pid && p < end && *p == '#')
        log_set(r, LF_PROCESS_PID, pid, (size_t)(p - pid));
    const char *colon = memchr(p, ':', (size_t)(end - p));
    const char *t = colon ? colon + 1 : p;
    while (t < end && *t == ' ')
        t++;
    if (t < end && *t == '*') { /* connection number */
        t = word_end(t, end);
        while (t < end && *t == ' ')
            t++;
    }
    const char *cl = log_find(t, (size_t)(end - t), ", client: ");
    log_set(r, LF_MESSAGE, t, (size_t)((cl ? cl : end) - t));
    if (cl) {
        const char *ip = cl + 10, *ipe = ip;
        while (ipe < end && *ipe != ',')
            ipe++;
        if (log_is_ip(ip, (size_t)(ipe - ip)))
            log_set(r, LF_SOURCE_IP, ip, (size_t)(ipe - ip));
        const char *rq = log_find(ipe, (size_t)(end - ipe), ", request: \"");
        if (rq) {
            const char *q = rq + 11;
            log_val req;
            if (quoted(&q, end, &req))
                set_request(r, req.p, req.n);
        }
    }
    web_auth(r, t, cl ? cl : end);
    return true;
}

/* "[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1234:tid 5678] [client 1.2.3.4:5678] AH00126: ..." */
bool log_parse_apache_error(log_rec *r, const char *m, size_t n, const log_parse_opts *o)
{
    if (n < 28 || m[0] != '[' || m[4] != ' ' || m[8] != ' ')
        return false;
    const char *end = m + n, *te = memchr(m, ']', n < 48 ? n : 48);
    int mon = log_month(m + 5);
    if (!te || !mon)
        return false;
    /* "Wed Oct 11 14:32:52[.us] 2000" */
    const char *d = m + 9;
    int day = (d[0] == ' ' ? 0 : d[0] - '0') * 10 + (d[1] - '0');
    const char *hms = d + 3;
    if (te - hms < 13 || hms[2] != ':' || hms[5] != ':' || !isdig(d[1]) || (!isdig(d[0]) && d[0] != ' '))
        return false;
    for (int i = 0; i < 8; i++)
        if (i != 2 && i != 5 && !isdig(hms[i]))
            return false;
    int h = (hms[0] - '0') * 10 + (hms[1] - '0'), mi = (hms[3] - '0') * 10 + (hms[4] - '0'),
        s = (hms[6] - '0') * 10 + (hms[7] - '0');
    int ms = 0;
    const char *q = hms + 8;
    if (*q == '.') {
        int nd = 0;
        for (q++; q < te && isdig(*q); q++, nd++)
            if (nd < 3)
                ms = ms * 10 + (*q - '0');
        for (; nd < 3; nd++)
            ms *= 10;
    }
    int y = 0;
    if (te - q < 5)
        return false;
    int nd = 0;
    for (q++; q < te && isdig(*q) && nd < 4; q++, nd++)
        y = y * 10 + (*q - '0');
    if (q != te)
        return false;
    if (y < 1970 || day < 1 || day > 31 || h > 23 || mi > 59 || s > 60)
        return false;
    log_set_str(r, LF_EVENT_DATASET, "apache.error");
    log_set_str(r, LF_EVENT_CATEGORY, "web");
    r->ts_ms = log_local_ms(o, y, mon, day, h, mi, s, ms);
    r->ts_from_line = true;
    const char *p = te + 1;
    /* the bracketed parts: [module:level] or [level], [pid N...], [client IP:PORT] */
    while (p + 1 < end && p[0] == ' ' && p[1] == '[') {
        const char *b = p + 2, *be = memchr(b, ']', (size_t)(end - b));
        if (!be)
            break;
        size_t bn = (size_t)(be - b);
        if (starts(b, bn, LIT("pid "))) {
            const char *pe = b + 4;
            while (pe < be && isdig(*pe))
                pe++;
            log_set(r, LF_PROCESS_PID, b + 4, (size_t)(pe - b - 4));
        } else if (starts(b, bn, LIT("client ")) || starts(b, bn, LIT("remote "))) {
            const char *ip = b + 7, *ipe = be;
            if (!log_is_ip(ip, (size_t)(ipe - ip))) { /* IP:PORT */
                const char *c = ipe;
                while (c > ip && c[-1] != ':')
                    c--;
                if (c > ip && log_is_ip(ip, (size_t)(c - 1 - ip))) {
                    log_set(r, LF_SOURCE_PORT, c, (size_t)(ipe - c));
                    ipe = c - 1;
                }
            }
            if (log_is_ip(ip, (size_t)(ipe - ip)))
                log_set(r, LF_SOURCE_IP, ip, (size_t)(ipe - ip));
        } else {
            const char *c = memchr(b, ':', bn);
            const char *lv = c ? c + 1 : b;
            if (is_level(lv, (size_t)(be - lv)) || (be - lv > 5 && starts(lv, (size_t)(be - lv), LIT("trace"))))
                log_set(r, LF_LOG_LEVEL, lv, (size_t)(be - lv));
        }
        p = be + 1;
    }
    while (p < end && *p == ' ')
        p++;
    if (starts(p, (size_t)(end - p), LIT("AH")) && end - p > 8 && p[7] == ':') {
        log_set(r, LF_EVENT_CODE, p, 7);
        p += 8;
        while (p < end && *p == ' ')
            p++;
    }
    log_set(r, LF_MESSAGE, p, (size_t)(end - p));
    web_auth(r, p, end);
    return true;
}

/* The quoted words of "Access denied for user 'root'@'10.0.0.5' (using password: YES)". */
static void mysql_user_host(log_rec *r, const char *x, const char *end)
{
    if (x >= end || *x != '\'')
        return;
    const char *ue = memchr(x + 1, '\'', (size_t)(end - x - 1));
    if (!ue)
        return;
    log_set(r, LF_USER_NAME, x + 1, (size_t)(ue - x - 1));
    if (ue + 3 < end && ue[1] == '@' && ue[2] == '\'') {
        const char *h = ue + 3, *he = memchr(h, '\'', (size_t)(end - h));
        if (he && log_is_ip(h, (size_t)(he - h)))
            log_set(r, LF_SOURCE_IP, h, (size_t)(he - h));
        else if (he)
            log_extra(r, LIT("client_host"), h, (size_t)(he - h));
    }
}

static void db_events(log_rec *r, const char *t, const char *end, bool mysql)
{
    size_t tn = (size_t)(end - t);
    const char *x;
    if ((x = log_find(t, tn, "Access denied for user "))) {
        log_set_str(r, LF_EVENT_ACTION, "db_login");
        log_set_str(r, LF_EVENT_OUTCOME, "failure");
        log_set_str(r, LF_EVENT_CATEGORY, "authentication");
        mysql_user_host(r, x + 23, end);
    } else if ((x = log_find(t, tn, "password authentication failed for user \"")) ||
               (x = log_find(t, tn, "authentication failed for user \""))) {
        const char *u = memchr(x, '"', (size_t)(end - x)) + 1, *ue = memchr(u, '"', (size_t)(end - u));
        log_set_str(r, LF_EVENT_ACTION, "db_login");
        log_set_str(r, LF_EVENT_OUTCOME, "failure");
        log_set_str(r, LF_EVENT_CATEGORY, "authentication");
        if (ue && !log_has(r, LF_USER_NAME))
            log_set(r, LF_USER_NAME, u, (size_t)(ue - u));
    } else if ((x = log_find(t, tn, "no pg_hba.conf entry for host \""))) {
        const char *h = x + 31, *he = memchr(h, '"', (size_t)(end - h));
        if (he && log_is_ip(h, (size_t)(he - h)))
            log_set(r, LF_SOURCE_IP, h, (size_t)(he - h));
        const char *u = he ? log_find(he, (size_t)(end - he), "user \"") : NULL;
        const char *ue = u ? memchr(u + 6, '"', (size_t)(end - u - 6)) : NULL;
        if (ue)
            log_set(r, LF_USER_NAME, u + 6, (size_t)(ue - u - 6));
        log_set_str(r, LF_EVENT_ACTION, "db_login");
        log_set_str(r, LF_EVENT_OUTCOME, "failure");
        log_set_str(r, LF_EVENT_CATEGORY, "authentication");
    } else if (log_find(t, tn, "Too many connections") || log_find(t, tn, "too many clients already") ||
               log_find(t, tn, "remaining connection slots are reserved") ||
               log_find(t, tn, "is blocked because of many connection errors") ||
               log_find(t, tn, "Got an error reading communication packets") ||
               log_find(t, tn, "could not accept new connection") || log_find(t, tn, "Can't create a new thread") ||
               log_find(t, tn, "could not receive data from client") ||
               log_find(t, tn, "terminating connection because of crash of another server process")) {
        log_set_str(r, LF_EVENT_ACTION, "db_connection_error");
        log_set_str(r, LF_EVENT_OUTCOME, "failure");
        if ((x = log_find(t, tn, " user: '")))
            mysql_user_host(r, x + 7, end);
        if ((x = log_find(t, tn, " host: '"))) {
            const char *h = x + 8, *he = memchr(h, '\'', (size_t)(end - h));
            if (he && log_is_ip(h, (size_t)(he - h)))
                log_set(r, LF_SOURCE_IP, h, (size_t)(he - h));
        }
    } else if (!mysql && (x = log_find(t, tn, "connection received: host="))) {
        const char *h = x + 26, *he = h;
        while (he < end && *he != ' ')
            he++;
        if (log_is_ip(h, (size_t)(he - h)))
            log_set(r, LF_SOURCE_IP, h, (size_t)(he - h));
        log_set_str(r, LF_EVENT_ACTION, "db_connect");
    } else if (!mysql && (x = log_find(t, tn, "connection authorized: user="))) {
        const char *u = x + 28, *ue = u;
        while (ue < end && *ue != ' ')
            ue++;
        log_set(r, LF_USER_NAME, u, (size_t)(ue - u));
        log_set_str(r, LF_EVENT_ACTION, "db_login");
        log_set_str(r, LF_EVENT_OUTCOME, "success");
        log_set_str(r, LF_EVENT_CATEGORY, "authentication");
    }
}

/* "161209 13:08:33 InnoDB: ...", "161209 13:08:33 mysqld_safe ...": the old stamp, no level.
 * ms < 0: a line with no stamp at all, InnoDB's continuation lines ("InnoDB: Doublewrite buffer
 * created"), which keep the receive time. */
static bool mysql_unlevelled(log_rec *r, const char *p, const char *end, int64_t ms)
{
    bool innodb = starts(p, (size_t)(end - p), LIT("InnoDB: "));
    if (!innodb && (ms < 0 || (!starts(p, (size_t)(end - p), LIT("mysqld_safe ")) &&
                               !starts(p, (size_t)(end - p), LIT("mysqld")))))
        return false;
    log_set_str(r, LF_EVENT_DATASET, "mysql.error");
    log_set_str(r, LF_EVENT_CATEGORY, "database");
    if (ms >= 0) {
        r->ts_ms = ms;
        r->ts_from_line = true;
    }
    log_set(r, LF_MESSAGE, p, (size_t)(end - p));
    db_events(r, p, end, true);
    return true;
}

/* MySQL 5.7/8: "2024-01-01T12:00:00.123456Z 8 [Warning] [MY-010055] [Server] msg";
 * MariaDB: "2024-01-01 12:00:00 8 [Warning] msg"; old: "240101 12:00:00 [ERROR] msg". */
bool log_parse_mysql(log_rec *r, const char *m, size_t n, const log_parse_opts *o)
{
    const char *end = m + n, *p;
    int64_t ms;
    size_t k = log_parse_iso(m, n, o, &ms);
    if (k) {
        p = m + k;
        if (p >= end || *p != ' ')
            return false;
        p++;
        const char *th = p;
        while (p < end && isdig(*p))
            p++;
        if (p == th || p + 2 >= end || p[0] != ' ' || p[1] != '[')
            return false;
        p++;
    } else if (n > 17 && m[6] == ' ' && m[9] == ':' && m[12] == ':' &&
               digits_at(m, (const int[]){0, 1, 2, 3, 4, 5, 8, 10, 11, 13, 14, -1}) && (m[7] == ' ' || isdig(m[7]))) {
        int y = 2000 + (m[0] - '0') * 10 + (m[1] - '0'), mo = (m[2] - '0') * 10 + (m[3] - '0'),
            d = (m[4] - '0') * 10 + (m[5] - '0');
        const char *hh = m + 7;
        if (*hh == ' ')
            hh++;
        int h = (hh[0] - '0') * (hh[1] == ':' ? 1 : 10) + (hh[1] == ':' ? 0 : hh[1] - '0');
        int mi = (m[10] - '0') * 10 + (m[11] - '0'), s = (m[13] - '0') * 10 + (m[14] - '0');
        if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || m[15] != ' ')
            return false;
        ms = log_local_ms(o, y, mo, d, h, mi, s, 0);
        p = m + 16;
        while (p < end && *p == ' ') /* "161209 14:18:50  InnoDB: Starting shutdown..." */
            p++;
        if (p < end && *p != '[') /* MySQL 5.5 and MariaDB 10.0 write some lines without a level */
            return mysql_unlevelled(r, p, end, ms);
    } else {
        return mysql_unlevelled(r, m, end, -1);
    }
    const char *lv = p + 1, *lve = memchr(lv, ']', (size_t)(end - lv));
    if (!lve || lve - lv > 12)
        return false;
    log_set_str(r, LF_EVENT_DATASET, "mysql.error");
    log_set_str(r, LF_EVENT_CATEGORY, "database");
    r->ts_ms = ms;
    r->ts_from_line = true;
    log_set(r, LF_LOG_LEVEL, log_lower(r, lv, (size_t)(lve - lv)), (size_t)(lve - lv));
    p = lve + 1;
    while (p + 1 < end && p[0] == ' ' && p[1] == '[') { /* [MY-010055] [Server] */
        const char *b = p + 2, *be = memchr(b, ']', (size_t)(end - b));
        if (!be || be - b > 24)
            break;
        if (starts(b, (size_t)(be - b), LIT("MY-")))
            log_set(r, LF_EVENT_CODE, b, (size_t)(be - b));
        p = be + 1;
    }
    while (p < end && *p == ' ')
        p++;
    log_set(r, LF_MESSAGE, p, (size_t)(end - p));
    db_events(r, p, end, true);
    return true;
}

static const char *const pg_levels[] = {"LOG", "FATAL", "ERROR", "WARNING", "PANIC", "DETAIL", "HINT", "STATEMENT",
                                        "NOTICE", "INFO", "CONTEXT", "QUERY", "LOCATION", "DEBUG1", "DEBUG2",
                                        "DEBUG3", "DEBUG4", "DEBUG5", NULL};

/* "2024-01-01 12:00:00.123 UTC [1234] user@db LEVEL:  message" (Debian's default prefix
 * '%m [%p] %q%u@%d '), and prefixes with user=,db=,client= parts. */
/* The stamp and its zone: "2024-01-01 12:00:00.123 UTC"; UTC/GMT and "+08" are known, other
 * names (CST, EST, ...) are ambiguous and the input's zone applies. Returns where the rest
 * starts, NULL if m does not start with one. */
static const char *pg_stamp(const char *m, size_t n, const log_parse_opts *o, int64_t *ms)
{
    const char *end = m + n;
    size_t k = log_parse_iso(m, n, o, ms);
    if (!k || m[10] != ' ')
        return NULL;
    const char *p = m + k;
    if (p >= end || *p != ' ')
        return p;
    const char *z = p + 1, *ze = z;
    while (ze < end && *ze != ' ' && *ze != ',' && *ze != ':') /* ':' ends it in '%t:%r:%u@%d:[%p]:' */
        ze++;
    size_t zn = (size_t)(ze - z);
    log_parse_opts fixed = *o;
    if (zn == 3 && (memcmp(z, "UTC", 3) == 0 || memcmp(z, "GMT", 3) == 0)) {
        fixed.tz_offset_min = 0;
        log_parse_iso(m, k, &fixed, ms);
        return ze;
    }
    if (zn >= 3 && zn <= 6 && (z[0] == '+' || z[0] == '-') && isdig(z[1]) && isdig(z[2])) {
        fixed.tz_offset_min = (z[0] == '-' ? -1 : 1) * ((z[1] - '0') * 10 + (z[2] - '0')) * 60;
        log_parse_iso(m, k, &fixed, ms);
        return ze;
    }
    if (zn >= 2 && zn <= 5 && z[0] >= 'A' && z[0] <= 'Z' && z[1] >= 'A' && z[1] <= 'Z')
        return ze;
    return p;
}

/* csvlog (log_destination = 'csvlog'): log_time, user_name, database_name, process_id,
 * connection_from, session_id, session_line_num, command_tag, session_start_time,
 * virtual_transaction_id, transaction_id, error_severity, sql_state_code, message, ...
 * (PostgreSQL manual, "Using CSV-Format Log Output"). p is after the first comma. */
static bool pg_csv(log_rec *r, const char *p, const char *end, int64_t ms)
{
    log_val f[16];
    int nf = log_csv_split(p, (size_t)(end - p), f, 16);
    if (nf < 13 || !f[10].n || !f[2].n || !isdig(f[2].p[0]))
        return false;
    log_set_str(r, LF_EVENT_DATASET, "postgresql.log");
    log_set_str(r, LF_EVENT_CATEGORY, "database");
    r->ts_ms = ms;
    r->ts_from_line = true;
    if (f[0].n)
        log_set(r, LF_USER_NAME, f[0].p, f[0].n);
    if (f[1].n)
        log_set(r, LF_DB_NAME, f[1].p, f[1].n);
    log_set(r, LF_PROCESS_PID, f[2].p, f[2].n);
    const char *c = memchr(f[3].p, ':', f[3].n);
    log_set(r, LF_SOURCE_IP, f[3].p, c && !memchr(c + 1, ':', (size_t)(f[3].p + f[3].n - c - 1)) ? (size_t)(c - f[3].p) : f[3].n);
    log_set(r, LF_LOG_LEVEL, log_lower(r, f[10].p, f[10].n), f[10].n);
    log_set(r, LF_EVENT_CODE, f[11].p, f[11].n);
    log_val msg = log_csv_unquote(r, f[12]);
    log_set(r, LF_MESSAGE, msg.p, msg.n);
    db_events(r, msg.p, msg.p + msg.n, false);
    return true;
}

/* One part of a stderr log_line_prefix starting at w: parts are separated by spaces, or by ':'
 * in prefixes like RDS's '%t:%r:%u@%d:[%p]:'. A part with '=' (user=x,db=y,client=z), an
 * address, or an address with its port "host(port)" runs to the space, ':' in it included. */
static const char *pg_part_end(const char *w, const char *end)
{
    const char *sp = word_end(w, end), *te = sp;
    if (te > w && te[-1] == ':')
        te--;
    const char *par = memchr(w, '(', (size_t)(sp - w));
    if (par && log_is_ip(w, (size_t)(par - w))) {
        const char *cl = memchr(par, ')', (size_t)(sp - par));
        return cl ? cl + 1 : sp;
    }
    if (memchr(w, '=', (size_t)(sp - w)) || log_is_ip(w, (size_t)(te - w)))
        return te;
    const char *c = memchr(w, ':', (size_t)(sp - w));
    return c ? c : sp;
}

bool log_parse_postgresql(log_rec *r, const char *m, size_t n, const log_parse_opts *o)
{
    const char *end = m + n;
    int64_t ms;
    const char *p = pg_stamp(m, n, o, &ms);
    if (!p)
        return false;
    if (p < end && *p == ',')
        return pg_csv(r, p + 1, end, ms);
    /* find the level word: "LEVEL:  " */
    const char *lvl = NULL, *msg = NULL;
    const char *q = p;
    while (q < end && q - p < 256) {
        while (q < end && (*q == ' ' || *q == ':'))
            q++;
        const char *w = q, *we = pg_part_end(w, end);
        for (int i = 0; pg_levels[i]; i++) {
            size_t ln = strlen(pg_levels[i]);
            if ((size_t)(we - w) == ln && we < end && *we == ':' && memcmp(w, pg_levels[i], ln) == 0) {
                lvl = w;
                msg = we + 1;
                break;
            }
        }
        if (lvl)
            break;
        /* a prefix part: [pid], user@db, user=x,db=y,client=z, host(port) */
        size_t wn = (size_t)(we - w);
        if (wn > 2 && w[0] == '[') {
            const char *pe = w + 1;
            while (pe < we && isdig(*pe))
                pe++;
            if (pe > w + 1)
                log_set(r, LF_PROCESS_PID, w + 1, (size_t)(pe - w - 1));
        } else if (memchr(w, '=', wn)) {
            const char *s = w;
            while (s < we) {
                const char *c = memchr(s, ',', (size_t)(we - s));
                const char *ce = c ? c : we;
                const char *eq = memchr(s, '=', (size_t)(ce - s));
                if (eq) {
                    size_t kn = (size_t)(eq - s), vn = (size_t)(ce - eq - 1);
                    const char *v = eq + 1;
                    if (vn && v[vn - 1] == ':')
                        vn--;
                    if (kn == 4 && memcmp(s, "user", 4) == 0 && vn && !(vn == 1 && v[0] == '['))
                        log_set(r, LF_USER_NAME, v, vn);
                    else if ((kn == 2 && memcmp(s, "db", 2) == 0) || (kn == 8 && memcmp(s, "database", 8) == 0))
                        log_set(r, LF_DB_NAME, v, vn);
                    else if ((kn == 6 && memcmp(s, "client", 6) == 0) || (kn == 4 && memcmp(s, "host", 4) == 0)) {
                        const char *par = memchr(v, '(', vn);
                        size_t in = par ? (size_t)(par - v) : vn;
                        if (log_is_ip(v, in))
                            log_set(r, LF_SOURCE_IP, v, in);
                    }
                }
                s = ce + 1;
            }
        } else if (memchr(w, '@', wn)) {
            const char *at = memchr(w, '@', wn);
            if (at > w && w[0] != '[') /* "[unknown]": no user yet */
                log_set(r, LF_USER_NAME, w, (size_t)(at - w));
            if (we > at + 1)
                log_set(r, LF_DB_NAME, at + 1, (size_t)(we - at - 1));
        } else {
            const char *par = memchr(w, '(', wn);
            size_t in = par ? (size_t)(par - w) : wn;
            if (log_is_ip(w, in))
                log_set(r, LF_SOURCE_IP, w, in);
        }
        q = we;
    }
    if (!lvl)
        return false;
    log_set_str(r, LF_EVENT_DATASET, "postgresql.log");
    log_set_str(r, LF_EVENT_CATEGORY, "database");
    r->ts_ms = ms;
    r->ts_from_line = true;
    log_set(r, LF_LOG_LEVEL, log_lower(r, lvl, (size_t)(msg - lvl - 1)), (size_t)(msg - lvl - 1));
    while (msg < end && *msg == ' ')
        msg++;
    log_set(r, LF_MESSAGE, msg, (size_t)(end - msg));
    db_events(r, msg, end, false);
    return true;
}

/* "Mon Jan  1 12:00:00 2024 -> " (clamd's and freshclam's LogTime). Returns bytes used. */
static size_t clam_time(const char *p, size_t n, const log_parse_opts *o, int64_t *ms)
{
    if (n < 28 || p[3] != ' ' || p[7] != ' ' || p[10] != ' ' || p[13] != ':' || p[16] != ':' || p[19] != ' ' ||
        memcmp(p + 24, " -> ", 4) != 0 || !digits_at(p, (const int[]){9, 11, 12, 14, 15, 17, 18, -1}) ||
        (p[8] != ' ' && !isdig(p[8])))
        return 0;
    int mon = log_month(p + 4);
    int d = (p[8] == ' ' ? 0 : p[8] - '0') * 10 + (p[9] - '0');
    int h = (p[11] - '0') * 10 + (p[12] - '0'), mi = (p[14] - '0') * 10 + (p[15] - '0'),
        s = (p[17] - '0') * 10 + (p[18] - '0');
    int y = 0;
    for (int i = 20; i < 24; i++) {
        if (!isdig(p[i]))
            return 0;
        y = y * 10 + (p[i] - '0');
    }
    if (!mon || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return 0;
    *ms = log_local_ms(o, y, mon, d, h, mi, s, 0);
    return 28;
}

bool log_parse_clamav(log_rec *r, const char *m, size_t n, const log_parse_opts *o)
{
    int64_t ms;
    size_t k = clam_time(m, n, o, &ms);
    const char *t = m + k, *end = m + n;
    size_t tn = n - k;
    bool fresh = false, ok = k > 0;
    const char *x;
    if (tn > 6 && memcmp(end - 6, " FOUND", 6) == 0) {
        /* "PATH: SIGNATURE FOUND"; the path may itself hold ": " */
        const char *sig_end = end - 6, *sig = sig_end;
        while (sig > t && sig[-1] != ' ')
            sig--;
        if (sig - t < 3 || sig[-2] != ':')
            return false;
        const char *se = sig;
        while (se < sig_end && *se != '(') /* "Sig(md5:size)" with ExtendedDetectionInfo */
            se++;
        log_set(r, LF_FILE_PATH, t, (size_t)(sig - 2 - t));
        log_set(r, LF_RULE_NAME, sig, (size_t)(se - sig));
        log_set_str(r, LF_EVENT_ACTION, "malware_detected");
        log_set_str(r, LF_EVENT_CATEGORY, "malware");
        log_set_str(r, LF_EVENT_SEVERITY, "3");
        ok = true;
    } else if ((x = log_find(t, tn, ".cvd updated (version: ")) ||
               (x = log_find(t, tn, ".cld updated (version: ")) ||
               (x = log_find(t, tn, ".cvd database is up-to-date (version: ")) ||
               (x = log_find(t, tn, ".cld database is up-to-date (version: ")) ||
               (x = log_find(t, tn, " database is up-to-date (version: ")) ||
               (x = log_find(t, tn, " updated (version: "))) {
        fresh = true;
        const char *name_end = x;
        log_set(r, LF_SIG_NAME, t, (size_t)(name_end - t));
        const char *v = log_find(x, (size_t)(end - x), "(version: ") + 10, *ve = v;
        while (ve < end && isdig(*ve))
            ve++;
        log_set(r, LF_SIG_VERSION, v, (size_t)(ve - v));
        log_set_str(r, LF_EVENT_ACTION, log_find(x, (size_t)(end - x), "up-to-date") ? "signatures_current" : "signatures_updated");
        log_set_str(r, LF_EVENT_OUTCOME, "success");
        ok = true;
    } else if (starts(t, tn, LIT("ClamAV update process started at"))) {
        fresh = true;
        log_set_str(r, LF_EVENT_ACTION, "update_started");
        ok = true;
    } else if (log_find(t, tn, "Can't download") || log_find(t, tn, "Update failed") ||
               log_find(t, tn, "Can't connect to port") || starts(t, tn, LIT("ERROR: Database update"))) {
        fresh = true;
        log_set_str(r, LF_EVENT_ACTION, "update_failed");
        log_set_str(r, LF_EVENT_OUTCOME, "failure");
        ok = true;
    } else if (log_find(t, tn, "Your ClamAV installation is OUTDATED")) {
        fresh = true;
        log_set_str(r, LF_EVENT_ACTION, "engine_outdated");
        ok = true;
    } else if (starts(t, tn, LIT("SelfCheck: "))) {
        log_set_str(r, LF_EVENT_ACTION, "self_check");
        ok = true;
    } else if (starts(t, tn, LIT("Database correctly reloaded"))) {
        log_set_str(r, LF_EVENT_ACTION, "database_reloaded");
        ok = true;
    }
    if (!ok)
        return false;
    log_set_str(r, LF_EVENT_DATASET, fresh ? "clamav.freshclam" : "clamav");
    log_set_str(r, LF_OBSERVER_VENDOR, "Cisco Talos");
    log_set_str(r, LF_OBSERVER_PRODUCT, "ClamAV");
    if (!log_has(r, LF_EVENT_CATEGORY))
        log_set_str(r, LF_EVENT_CATEGORY, "malware");
    if (k) {
        r->ts_ms = ms;
        r->ts_from_line = true;
    }
    log_set(r, LF_MESSAGE, t, tn);
    return true;
}
