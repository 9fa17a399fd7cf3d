/* Snort alerts (and Suricata's fast.log, which writes the same line): the fast format, one
 * line per alert
 *   01/05-03:14:07.123456  [**] [1:2010935:3] MSG [**] [Classification: C] [Priority: 2] {TCP} A:P -> B:P
 * the same through syslog ("snort[123]: [1:2010935:3] MSG [Classification: C] [Priority: 2] {TCP} A:P -> B:P"),
 * and the full format, whose alert spans lines: "[**] [1:2010935:3] MSG [**]", then
 * "[Classification: C] [Priority: 2]", then "01/05-03:14:07.123456 A:P -> B:P", then the
 * packet's headers ("TCP TTL:49 TOS:0x0 ..."). Each line yields what it holds. Layout from the
 * Snort 2 manual, "Alert output: fast, full, syslog". */
#include <string.h>

#include "logs/logs.h"
#include "logs/logs_kv.h"

#define LIT(s) s, sizeof(s) - 1

static bool isdig(char c) { return c >= '0' && c <= '9'; }
static bool starts(const char *p, size_t n, const char *lit, size_t ln) { return n >= ln && memcmp(p, lit, ln) == 0; }

static int num(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

/* "MM/DD-hh:mm:ss.uuuuuu" or "MM/DD/YY-hh:mm:ss.uuuuuu" (snort -y); returns the bytes used. */
static size_t snort_time(log_rec *r, const char *p, size_t n, const log_parse_opts *o)
{
    if (n < 14 || !isdig(p[0]) || !isdig(p[1]) || p[2] != '/' || !isdig(p[3]) || !isdig(p[4]))
        return 0;
    size_t i = 5;
    int year = 0;
    if (p[5] == '/' && n > 24 && isdig(p[6]) && isdig(p[7]) && isdig(p[8]) && isdig(p[9]) && p[10] == '-') {
        year = num(p + 6, 4); /* Suricata's fast.log: "01/05/2024-03:14:07.123456" */
        i = 10;
    } else if (p[5] == '/' && n > 22 && isdig(p[6]) && isdig(p[7])) {
        year = 2000 + num(p + 6, 2);
        i = 8;
    }
    if (i + 9 > n || p[i] != '-' || !isdig(p[i + 1]) || !isdig(p[i + 2]) || p[i + 3] != ':' || !isdig(p[i + 4]) ||
        !isdig(p[i + 5]) || p[i + 6] != ':' || !isdig(p[i + 7]) || !isdig(p[i + 8]))
        return 0;
    int mon = num(p, 2), day = num(p + 3, 2), h = num(p + i + 1, 2), mi = num(p + i + 4, 2), s = num(p + i + 7, 2);
    if (mon < 1 || mon > 12 || day < 1 || day > 31 || h > 23 || mi > 59 || s > 60)
        return 0;
    size_t k = i + 9;
    int ms = 0, nd = 0;
    if (k < n && p[k] == '.')
        for (k++; k < n && isdig(p[k]); k++, nd++)
            if (nd < 3)
                ms = ms * 10 + (p[k] - '0');
    for (; nd > 0 && nd < 3; nd++)
        ms *= 10;
    if (!year)
        r->ts_ms = log_infer_year_ms(o, mon, day, h, mi, s, ms);
    else
        r->ts_ms = log_local_ms(o, year, mon, day, h, mi, s, ms);
    r->ts_from_line = true;
    return k;
}

/* "[1:2010935:3] MSG [**]" or "... MSG [Classification: ..." at p: the rule id and message. */
static const char *snort_rule(log_rec *r, const char *p, const char *end)
{
    if (p + 1 >= end || *p != '[' || !isdig(p[1]))
        return NULL;
    const char *c1 = memchr(p, ':', (size_t)(end - p));
    const char *close = memchr(p, ']', (size_t)(end - p));
    if (!c1 || !close || c1 > close)
        return NULL;
    for (const char *x = p + 1; x < close; x++)
        if (!isdig(*x) && *x != ':')
            return NULL; /* "[gid:sid:rev]" is digits and colons only */
    const char *c2 = memchr(c1 + 1, ':', (size_t)(close - c1 - 1));
    const char *sid = c1 + 1, *sid_end = c2 ? c2 : close;
    log_set(r, LF_RULE_ID, sid, (size_t)(sid_end - sid));
    const char *msg = close + 1;
    while (msg < end && *msg == ' ')
        msg++;
    const char *me = log_find(msg, (size_t)(end - msg), " [");
    if (!me)
        me = end;
    while (me > msg && me[-1] == ' ')
        me--;
    log_set(r, LF_RULE_NAME, msg, (size_t)(me - msg));
    return me;
}

/* "[Classification: C] [Priority: N]" anywhere in p..end. */
static void snort_class(log_rec *r, const char *p, const char *end)
{
    const char *c = log_find(p, (size_t)(end - p), "[Classification: ");
    if (c) {
        const char *ce = memchr(c, ']', (size_t)(end - c));
        if (ce)
            log_set(r, LF_RULE_CATEGORY, c + 17, (size_t)(ce - c - 17));
    }
    const char *pr = log_find(p, (size_t)(end - p), "[Priority: ");
    if (pr && pr + 11 < end && isdig(pr[11])) /* 1 is the most severe */
        log_set_str(r, LF_EVENT_SEVERITY, pr[11] == '1' ? "3" : pr[11] == '2' ? "2" : "1");
}

/* "{TCP} A:P -> B:P" */
static void snort_flow(log_rec *r, const char *p, const char *end)
{
    const char *b = log_find(p, (size_t)(end - p), "{");
    if (b) {
        const char *be = memchr(b, '}', (size_t)(end - b));
        if (!be)
            return;
        log_set_transport(r, b + 1, (size_t)(be - b - 1));
        p = be + 1;
    }
    while (p < end && *p == ' ')
        p++;
    log_set_flow(r, p, end);
}

static void snort_common(log_rec *r)
{
    log_set_str(r, LF_EVENT_DATASET, "snort");
    log_set_str(r, LF_OBSERVER_PRODUCT, "Snort");
    log_set_str(r, LF_EVENT_CATEGORY, "intrusion_detection");
    log_set_str(r, LF_EVENT_ACTION, "alert");
}

/* pfSense's Snort alert CSV after the stamp: ",gid,sid,rev,\"msg\",proto,src,sport,dst,dport,
 * ip id,classification,priority,action,disposition" (pfSense's Snort package, alert_csv). */
static bool snort_csv(log_rec *r, const char *p, const char *end)
{
    log_val f[16];
    int nf = log_csv_split(p, (size_t)(end - p), f, 16);
    if (nf < 14 || !f[1].n || !isdig(f[1].p[0]) || !f[2].n || !isdig(f[2].p[0]) || !log_is_ip(f[6].p, f[6].n) ||
        !log_is_ip(f[8].p, f[8].n))
        return false;
    snort_common(r);
    log_set(r, LF_RULE_ID, f[2].p, f[2].n);
    log_val msg = log_csv_unquote(r, f[4]);
    log_set(r, LF_RULE_NAME, msg.p, msg.n);
    log_set_transport(r, f[5].p, f[5].n);
    log_set(r, LF_SOURCE_IP, f[6].p, f[6].n);
    if (log_value_ok(LF_SOURCE_PORT, f[7].p, f[7].n))
        log_set(r, LF_SOURCE_PORT, f[7].p, f[7].n);
    log_set(r, LF_DEST_IP, f[8].p, f[8].n);
    if (log_value_ok(LF_DEST_PORT, f[9].p, f[9].n))
        log_set(r, LF_DEST_PORT, f[9].p, f[9].n);
    if (f[11].n)
        log_set(r, LF_RULE_CATEGORY, f[11].p, f[11].n);
    if (nf > 14 && (log_ieq(f[14].p, f[14].n, "Block") || log_ieq(f[14].p, f[14].n, "Drop")))
        log_set_str(r, LF_EVENT_ACTION, "deny");
    return true;
}

bool log_parse_snort(log_rec *r, const char *m, size_t n, const log_parse_opts *o)
{
    const char *end = m + n, *p = m;
    size_t k = snort_time(r, m, n, o);
    p += k;
    if (k) {
        const char *c = p;
        while (c < end && *c == ' ')
            c++;
        if (c < end && *c == ',' && snort_csv(r, c, end)) {
            log_set(r, LF_MESSAGE, m, n);
            return true;
        }
    }
    while (p < end && *p == ' ')
        p++;
    bool dropped = starts(p, (size_t)(end - p), LIT("[Drop]")) || starts(p, (size_t)(end - p), LIT("[wDrop]"));
    if (dropped)
        p = memchr(p, ']', (size_t)(end - p)) + 1;
    while (p < end && *p == ' ')
        p++;
    if (starts(p, (size_t)(end - p), LIT("[**] ")))
        p += 5;
    const char *after = snort_rule(r, p, end);
    if (after) {
        snort_common(r);
        snort_class(r, after, end);
        snort_flow(r, after, end);
    } else if (starts(p, (size_t)(end - p), LIT("[Classification: ")) || starts(p, (size_t)(end - p), LIT("[Priority: "))) {
        snort_common(r);
        snort_class(r, p, end);
    } else if (k && log_find(p, (size_t)(end - p) < 100 ? (size_t)(end - p) : 100, " -> ") && log_set_flow(r, p, end)) {
        snort_common(r);
    } else if (!k && (starts(p, (size_t)(end - p), LIT("TCP TTL:")) || starts(p, (size_t)(end - p), LIT("UDP TTL:")) ||
                      starts(p, (size_t)(end - p), LIT("ICMP TTL:")) || starts(p, (size_t)(end - p), LIT("IP TTL:")))) {
        log_set_str(r, LF_EVENT_DATASET, "snort"); /* the full format's packet headers */
        log_set_str(r, LF_OBSERVER_PRODUCT, "Snort");
        log_set_str(r, LF_EVENT_ACTION, "packet_header");
        log_set_transport(r, p, (size_t)((const char *)memchr(p, ' ', (size_t)(end - p)) - p));
    } else {
        return false;
    }
    if (dropped)
        log_set_str(r, LF_EVENT_ACTION, "deny");
    log_set(r, LF_MESSAGE, m, n);
    return true;
}
