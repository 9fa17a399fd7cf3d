/* log_parse: the syslog envelope (RFC 3164 and RFC 5424), then the message parser chosen by
 * the program name or by what the message looks like. */
#include "logs/logs.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/kw_mem.h"

const char *const log_format_names[] = {"auto", "syslog", "nginx", "apache", "json", "raw", NULL};

bool log_format_valid(const char *name)
{
    for (int i = 0; log_format_names[i]; i++)
        if (strcmp(log_format_names[i], name) == 0)
            return true;
    return false;
}

#define LIT(s) s, sizeof(s) - 1

static bool starts(const char *p, size_t n, const char *lit, size_t ln) { return n >= ln && memcmp(p, lit, ln) == 0; }
static bool isdig(char c) { return c >= '0' && c <= '9'; }

static bool num2(const char *p, int *v)
{
    if (!isdig(p[0]) || !isdig(p[1]))
        return false;
    *v = (p[0] - '0') * 10 + (p[1] - '0');
    return true;
}

/* "hh:mm:ss" with optional ".fff"; returns bytes used, 0 if none. */
static size_t parse_hms(const char *p, size_t n, int *h, int *m, int *s, int *ms)
{
    if (n < 8 || p[2] != ':' || p[5] != ':' || !num2(p, h) || !num2(p + 3, m) || !num2(p + 6, s) || *h > 23 ||
        *m > 59 || *s > 60)
        return 0;
    size_t i = 8;
    *ms = 0;
    if (i < n && p[i] == '.') {
        size_t j = i + 1;
        int nd = 0;
        while (j < n && isdig(p[j])) {
            if (nd < 3)
                *ms = *ms * 10 + (p[j] - '0');
            nd++;
            j++;
        }
        if (nd) {
            for (; nd < 3; nd++)
                *ms *= 10;
            i = j;
        }
    }
    return i;
}

static bool year4(const char *p, size_t n, int *y)
{
    if (n < 4 || !isdig(p[0]) || !isdig(p[1]) || !isdig(p[2]) || !isdig(p[3]))
        return false;
    *y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
    return *y >= 1970 && *y <= 9999;
}

/* A zone name after a device's stamp (" UTC", " EDT:", as Cisco's "service timestamps ...
 * show-timezone" writes it). Sets the zone in o when the name has one meaning; an ambiguous
 * name (CST is China's and the US Central zone, IST India's and Ireland's) is skipped and the
 * configured zone applies. Returns the bytes used, 0 if no zone follows. */
static size_t stamp_zone(const char *p, size_t n, int32_t *zone)
{
    static const struct {
        const char name[5];
        int16_t min;
    } zones[] = {{"UTC", 0},    {"GMT", 0},    {"EST", -300}, {"EDT", -240}, {"CDT", -300}, {"MST", -420},
                 {"MDT", -360}, {"PST", -480}, {"PDT", -420}, {"CET", 60},   {"CEST", 120}, {"BST", 60},
                 {"EET", 120},  {"EEST", 180}, {"JST", 540},  {"KST", 540},  {"HKT", 480},  {"SGT", 480},
                 {"AEST", 600}, {"AEDT", 660}, {"CST", INT16_MIN}, {"IST", INT16_MIN}};
    if (n < 4 || p[0] != ' ')
        return 0;
    /* a name in lower case only as IOS writes it, before a colon ("... 03:32:04.114 gmt: %"): a
     * host called "est" stays a host (and a host name costs two comparisons) */
    bool lower = p[1] >= 'a' && p[1] <= 'z';
    if (lower && !(n > 4 && p[4] == ':') && !(n > 5 && p[5] == ':'))
        return 0;
    char lo = lower ? 'a' : 'A', hi = lower ? 'z' : 'Z';
    size_t k = 1;
    while (k < n && k < 6 && p[k] >= lo && p[k] <= hi)
        k++;
    if (k < 4 || k > 5 || (k < n && p[k] != ' ' && p[k] != ':') || (lower && (k == n || p[k] != ':')))
        return 0;
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
        if (strlen(zones[i].name) == k - 1 && strncasecmp(zones[i].name, p + 1, k - 1) == 0) {
            *zone = zones[i].min == INT16_MIN ? LOG_TZ_LOCAL : zones[i].min;
            return k;
        }
    return 0;
}

/* The BSD timestamp and its variants: "Mmm dd hh:mm:ss", "Mmm dd hh:mm:ss.fff",
 * "Mmm dd yyyy hh:mm:ss" (Cisco, Huawei), "Mmm dd hh:mm:ss yyyy" (H3C), or an RFC 3339 stamp.
 * Returns the bytes used, 0 if p does not start with a timestamp. */
static size_t parse_bsd_time(const char *p, size_t n, const log_parse_opts *o, int64_t *ms)
{
    if (n >= 19 && isdig(p[0]) && p[4] == '/' && p[7] == '/') { /* Huawei: "2018/10/05 09:52:14" */
        char buf[19];
        memcpy(buf, p, 19);
        buf[4] = buf[7] = '-';
        return log_parse_iso(buf, 19, o, ms) == 19 ? 19 : 0;
    }
    int yf;
    if (n >= 20 && year4(p, n, &yf) && p[4] == ' ' && log_month(p + 5) && p[8] == ' ') {
        /* Cisco FTD: "2024 Aug 07 10:29:42 UTC": read as "Aug 07 2024 10:29:42 UTC" */
        char buf[64];
        size_t k = n < sizeof buf ? n : sizeof buf;
        memcpy(buf, p + 5, 7);     /* "Aug 07 " */
        memcpy(buf + 7, p, 5);     /* "2024 " */
        memcpy(buf + 12, p + 12, k - 12);
        return buf[6] == ' ' ? parse_bsd_time(buf, k, o, ms) : 0;
    }
    if (n >= 19 && isdig(p[0]))
        return log_parse_iso(p, n, o, ms);
    if (n < 15 || p[3] != ' ')
        return 0;
    int mon = log_month(p);
    if (!mon)
        return 0;
    size_t i = 4;
    int day;
    if (p[i] == ' ' && isdig(p[i + 1]))
        day = p[i + 1] - '0';
    else if (isdig(p[i]) && p[i + 1] == ' ') /* unpadded: "Nov 4 14:22:57" (H3C) */
        day = p[i] - '0', i--;
    else if (!num2(p + i, &day))
        return 0;
    if (day < 1 || day > 31 || p[i + 2] != ' ')
        return 0;
    i += 3;
    int year = 0, h, m, s, frac;
    if (year4(p + i, n - i, &year) && i + 4 < n && p[i + 4] == ' ')
        i += 5;
    else
        year = 0;
    size_t k = parse_hms(p + i, n - i, &h, &m, &s, &frac);
    if (!k)
        return 0;
    i += k;
    int y2;
    if (!year && i + 5 <= n && p[i] == ' ' && year4(p + i + 1, n - i - 1, &y2) && (i + 5 == n || p[i + 5] == ' ')) {
        year = y2; /* H3C: "Nov 24 14:22:57 2018"; not a host name that starts with digits */
        i += 5;
    }
    int32_t zone = LOG_TZ_LOCAL;
    size_t zk = stamp_zone(p + i, n - i, &zone);
    log_parse_opts zoned;
    if (zk && zone != LOG_TZ_LOCAL) {
        zoned = *o;
        zoned.tz_offset_min = zone;
        o = &zoned;
    }
    i += zk;
    *ms = year ? log_local_ms(o, year, mon, day, h, m, s, frac) : log_infer_year_ms(o, mon, day, h, m, s, frac);
    return i;
}

static const char *const sev_names[8] = {"emergency", "alert", "critical", "error", "warning", "notice",
                                         "informational", "debug"};

/* ---- message dispatch ---- */

static bool prog_is(const log_val *prog, const char *name)
{
    size_t n = strlen(name);
    return prog->n == n && memcmp(prog->p, name, n) == 0;
}

static bool prog_starts(const log_val *prog, const char *name)
{
    size_t n = strlen(name);
    return prog->n >= n && memcmp(prog->p, name, n) == 0;
}

/* Palo Alto's CSV: "1,2024/01/01 12:00:00,SERIAL,TRAFFIC|THREAT|...". */
static bool looks_panos(const char *m, size_t n)
{
    if (n < 40 || !isdig(m[0]))
        return false;
    const char *c = memchr(m, ',', n < 16 ? n : 16);
    if (!c || (size_t)(c - m) + 11 > n)
        return false;
    const char *d = c + 1;
    return isdig(d[0]) && isdig(d[1]) && isdig(d[2]) && isdig(d[3]) && (d[4] == '/' || d[4] == '-');
}

/* FortiOS writes date= first by default; with "set format" variants and FortiAnalyzer
 * forwarding, devname=, devid=, eventtime=, itime= or logver= come first. */
static bool looks_fortigate(const char *m, size_t n)
{
    if (!n || (m[0] != 'd' && m[0] != 'l' && m[0] != 't' && m[0] != 'e' && m[0] != 'i'))
        return false;
    if (starts(m, n, LIT("date=")) || starts(m, n, LIT("logver=")) || starts(m, n, LIT("timestamp=")) ||
        starts(m, n, LIT("devname=")) || starts(m, n, LIT("devid=")) || starts(m, n, LIT("eventtime=")) ||
        starts(m, n, LIT("itime=")))
        return log_find(m, n < 1024 ? n : 1024, "logid=") != NULL;
    return false;
}

/* Solaris and illumos syslogd put a message id and the facility before the message:
 * "[ID 800047 auth.notice] ". Returns its length, 0 if none. */
static size_t solaris_msgid(const char *m, size_t n)
{
    if (!starts(m, n, LIT("[ID ")))
        return 0;
    const char *e = memchr(m, ']', n < 48 ? n : 48);
    if (!e || !isdig(m[4]) || !memchr(m, '.', (size_t)(e - m)))
        return 0;
    size_t k = (size_t)(e - m) + 1;
    return k < n && m[k] == ' ' ? k + 1 : k;
}

static void parse_5424(log_rec *r, const char *p, size_t n, const log_parse_opts *o);

/* An RFC 5424 line without its "<PRI>1 " inside a BSD one, as a relay forwards Junos's
 * structured logs: "junos-flow: 2017-09-23T13:54:54.803Z srx RT_FLOW - RT_FLOW_SESSION_DENY
 * [junos@2636.1.1.1.2.39 ...]": the stamp, four header words, then structured data. */
static bool embedded_5424(const char *m, size_t n, const log_parse_opts *o)
{
    int64_t ms;
    size_t k = n > 24 && isdig(m[0]) && m[4] == '-' ? log_parse_iso(m, n, o, &ms) : 0;
    if (!k || k >= n || m[k] != ' ')
        return false;
    const char *p = m + k, *end = m + n;
    for (int w = 0; w < 4; w++) {
        if (p >= end || *p != ' ')
            return false;
        const char *s = ++p;
        while (p < end && p - s < 128 && *p != ' ')
            p++;
        if (p == s)
            return false;
    }
    return end - p > 3 && p[0] == ' ' && p[1] == '[' && memchr(p + 1, '@', (size_t)(end - p - 1) < 64 ? (size_t)(end - p - 1) : 64);
}

/* Dovecot through syslog ("dovecot: imap-login: ..."), or its own log file, whose level
 * stands where the tag would ("Info: imap-login: ...", "Warn: auth(default): ..."). */
static inline bool dovecot_line(const log_val *prog, const char *m, size_t n)
{
    if (prog_is(prog, "dovecot"))
        return true;
    return (prog_is(prog, "Info") || prog_is(prog, "Warn") || prog_is(prog, "Error")) &&
           (log_find(m, n < 40 ? n : 40, "-login: ") || starts(m, n, LIT("auth")));
}

static void parse_msg(log_rec *r, const char *m, size_t n, const log_parse_opts *o, const char *access_ds)
{
    size_t sol = solaris_msgid(m, n);
    m += sol;
    n -= sol;
    log_val prog = r->f[LF_PROCESS_NAME];
    if (!log_has(r, LF_PROCESS_NAME))
        prog.n = 0;
    if (prog.n) {
        /* OpenSSH 9.8 moved authentication into sshd-session (and 10.0 into sshd-auth) */
        if ((prog_is(&prog, "sshd") || prog_is(&prog, "sshd-session") || prog_is(&prog, "sshd-auth")) &&
            log_parse_openssh(r, m, n))
            return;
        if (prog_is(&prog, "sudo") && log_parse_sudo(r, m, n))
            return;
        if (prog_is(&prog, "filterlog") && log_parse_filterlog(r, m, n))
            return;
        if (dovecot_line(&prog, m, n) && log_parse_dovecot(r, m, n))
            return;
        if (prog_is(&prog, "proftpd") && log_parse_proftpd(r, m, n))
            return;
        if (n > 11 && m[8] == ':' && m[10] == ':' && log_parse_f5_daemon(r, m, n))
            return;
        if (prog_is(&prog, "vsftpd") && log_parse_vsftpd(r, m, n))
            return;
        if ((prog_is(&prog, "su") || prog_is(&prog, "su-l")) && log_parse_su(r, m, n))
            return;
        if ((prog_is(&prog, "clamd") || prog_is(&prog, "freshclam") || prog_starts(&prog, "clamav")) &&
            log_parse_clamav(r, m, n, o))
            return;
        if (prog_starts(&prog, "postgres") && log_parse_postgresql(r, m, n, o))
            return;
        if ((prog_is(&prog, "mysqld") || prog_is(&prog, "mariadbd")) && log_parse_mysql(r, m, n, o))
            return;
        if (prog_is(&prog, "nginx") || prog_is(&prog, "httpd") || prog_is(&prog, "apache2")) {
            const char *ds = prog_is(&prog, "nginx") ? "nginx.access" : "apache.access";
            if (log_parse_access(r, m, n, o, ds) || log_parse_nginx_error(r, m, n, o) ||
                log_parse_apache_error(r, m, n, o))
                return;
        }
    }
    if (n == 0)
        goto raw;
    if (prog.n && embedded_5424(m, n, o)) {
        parse_5424(r, m, n, o);
        return;
    }
    if (prog.n == 6 && memcmp(prog.p, "kernel", 6) == 0 && log_parse_iptables(r, m, n))
        return;
    /* whole-file formats (web and database logs) start with an address, a date or '[':
     * they go first, before the vendor markers are looked for */
    if (!prog.n && ((m[0] >= '0' && m[0] <= '9') || m[0] == '[' || (m[0] >= 'a' && m[0] <= 'z')) &&
        (log_parse_access(r, m, n, o, access_ds) || log_parse_nginx_error(r, m, n, o) ||
         log_parse_apache_error(r, m, n, o) || log_parse_mysql(r, m, n, o) || log_parse_postgresql(r, m, n, o)))
        return;
    switch (m[0]) {
    case '[':
    case 'T':
    case 'U':
    case 'I':
        if (log_parse_snort(r, m, n, o))
            return;
        break;
    case '0':
    case '1':
        if (n > 20 && m[2] == '/' && log_parse_snort(r, m, n, o))
            return;
        break;
    case '{':
        if (log_parse_eve(r, m, n, o))
            return;
        break;
    case 'C':
        if (starts(m, n, LIT("CEF:")) && log_parse_cef(r, m, n, o))
            return;
        break;
    case 'L':
        if (starts(m, n, LIT("LEEF:")) && log_parse_leef(r, m, n))
            return;
        break;
    case '%':
        if (n > 4 && m[1] == '%') {
            if (starts(m, n, LIT("%%10")) ? log_parse_h3c(r, m, n) : log_parse_huawei(r, m, n))
                return;
        } else if (log_parse_asa(r, m, n) || log_parse_ios(r, m, n)) {
            return;
        }
        break;
    case 'd':
    case 'e':
    case 'i':
    case 'l':
    case 't':
        if (looks_fortigate(m, n) && log_parse_fortigate(r, m, n, o))
            return;
        break;
    default:
        break;
    }
    if (looks_panos(m, n) && log_parse_panos(r, m, n, o))
        return;
    if (log_parse_cn(r, m, n, o) || log_parse_intl(r, m, n, o))
        return;
    /* CEF and LEEF behind a vendor's own prefix */
    const char *x = log_find(m, n < 256 ? n : 256, "CEF:");
    if (x && log_parse_cef(r, x, n - (size_t)(x - m), o))
        return;
    if ((x = log_find(m, n < 256 ? n : 256, "LEEF:")) && log_parse_leef(r, x, n - (size_t)(x - m)))
        return;
    if ((x = log_find(m, n < 128 ? n : 128, "%ASA-")) && log_parse_asa(r, x, n - (size_t)(x - m)))
        return;
    if ((x = log_find(m, n < 128 ? n : 128, "%%")) && x + 4 < m + n && isdig(x[2]) && isdig(x[3]) && x != m &&
        (x[2] == '1' ? log_parse_h3c(r, x, n - (size_t)(x - m)) : log_parse_huawei(r, x, n - (size_t)(x - m))))
        return; /* behind a prefix the syslog envelope did not account for */
    if (log_find(m, n < 256 ? n : 256, "IN=") && log_parse_iptables(r, m, n))
        return;
    if (!prog.n) {
        /* whole-file formats without a syslog envelope */
        if (log_parse_access(r, m, n, o, access_ds) || log_parse_nginx_error(r, m, n, o) ||
            log_parse_apache_error(r, m, n, o) || log_parse_mysql(r, m, n, o) || log_parse_postgresql(r, m, n, o) ||
            log_parse_clamav(r, m, n, o))
            return;
    }
    if (prog.n && log_parse_account(r, m, n))
        return;
raw:
    if (!log_has(r, LF_EVENT_DATASET))
        log_set_str(r, LF_EVENT_DATASET, prog.n ? "syslog" : "log");
    log_set(r, LF_MESSAGE, m, n);
}

/* ---- RFC 3164 ---- */

/* A syslog TAG: [A-Za-z0-9_./-]{1,48}, an optional (module) as old Linux-PAM wrote it, an
 * optional [pid], then ':' (and a space). Sets the program and pid, returns bytes used, 0 if
 * p is no tag. */
static size_t parse_tag(log_rec *r, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && i < 64) {
        char c = p[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isdig(c) || c == '_' || c == '.' || c == '/' ||
            c == '-' || c == '@')
            i++;
        else
            break;
    }
    if (!i || i == n || i >= 64)
        return 0;
    size_t name_end = i, pid_at = 0, pid_n = 0;
    if (p[i] == '(') { /* old Linux-PAM: "su(pam_unix)[23164]:", the module after the program */
        size_t j = i + 1;
        while (j < n && j < i + 33 && ((p[j] >= 'a' && p[j] <= 'z') || isdig(p[j]) || p[j] == '_' || p[j] == '-' || p[j] == ':'))
            j++;
        if (j == n || p[j] != ')' || j == i + 1)
            return 0;
        i = j + 1;
        if (i == n)
            return 0;
    }
    if (p[i] == '[') {
        size_t j = i + 1;
        while (j < n && j < i + 12 && isdig(p[j]))
            j++;
        if (j == n || p[j] != ']' || j == i + 1)
            return 0;
        pid_at = i + 1;
        pid_n = j - i - 1;
        i = j + 1;
    }
    if (i >= n || p[i] != ':')
        return 0;
    i++;
    if (i < n && p[i] == ' ')
        i++;
    log_set(r, LF_PROCESS_NAME, p, name_end);
    if (pid_n)
        log_set(r, LF_PROCESS_PID, p + pid_at, pid_n);
    return i;
}

static bool content_marker(const char *p, size_t n)
{
    return (n && p[0] == '%') || starts(p, n, LIT("CEF:")) || starts(p, n, LIT("LEEF:")) || looks_fortigate(p, n) ||
           looks_panos(p, n) || (n && p[0] == '{');
}

/* RFC 6587 octet counting: "123 <14>..." as a TCP syslog stream frames it. Returns the
 * bytes of the count and its space, 0 if p does not start with one. */
static size_t octet_count(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && i < 7 && isdig(p[i]))
        i++;
    return i && i + 1 < n && p[i] == ' ' && p[i + 1] == '<' ? i + 1 : 0;
}

static void parse_line(log_rec *r, const char *p, size_t n, const log_parse_opts *o, const char *access_ds, int depth);

/* A relay's own header before the original line: "<PRI>", or an octet count and "<PRI>". */
static bool relayed(const char *p, size_t n)
{
    int64_t ms;
    log_parse_opts utc = {.tz_offset_min = 0};
    if (n > 16 && log_month(p) && p[3] == ' ' && parse_bsd_time(p, n, &utc, &ms)) /* a stamp without the PRI */
        return true;
    size_t i = octet_count(p, n);
    if (i + 3 > n || p[i] != '<' || !isdig(p[i + 1]))
        return false;
    i += 2;
    while (i < n && i < 8 && isdig(p[i]))
        i++;
    return i < n && p[i] == '>';
}

/* Cisco IOS and Ruijie number their messages and mark an unsynchronised clock:
 * "226: Mar  5 02:09:10", "000123: *Mar  1 00:00:01.123". Returns the bytes before the stamp. */
static size_t seq_prefix(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && i < 10 && isdig(p[i]))
        i++;
    if (!i || i + 4 >= n || p[i] != ':')
        return 0;
    i++;
    while (i < n && (p[i] == ' ' || p[i] == '*' || p[i] == '.'))
        i++;
    return i + 3 < n && log_month(p + i) ? i : 0;
}

/* IOS without a clock: its uptime ("00:00:46: %LINK-...", "1w2d: %SYS-..."), or only its
 * sequence number ("000123: %SYS-..."). Returns the bytes before the '%', 0 if neither. */
static size_t uptime_stamp(const char *p, size_t n)
{
    size_t j = 0;
    while (j < n && j < 20 &&
           (isdig(p[j]) || p[j] == '.' || (p[j] == ':' && j + 1 < n && isdig(p[j + 1])) || p[j] == 'w' ||
            p[j] == 'd' || p[j] == 'h' || p[j] == 'm' || p[j] == 'y'))
        j++;
    return j && isdig(p[0]) && j + 2 < n && p[j] == ':' && p[j + 1] == ' ' && p[j + 2] == '%' ? j + 2 : 0;
}

/* Could p be IOS's numbered or uptime-stamped line? Its first digits are followed by ':' or
 * an uptime unit (an address, a date or a database's stamp has '.', '-' or ' ' there): a
 * cheap test before seq_prefix and ios_uptime. */
static inline bool ios_lead(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && i < 10 && isdig(p[i]))
        i++;
    return i && i < n && (p[i] == ':' || p[i] == 'w' || p[i] == 'd' || p[i] == 'y' || p[i] == 'h');
}

/* The same after a sequence number: "46: 00:00:46: %LINK-...". */
static size_t ios_uptime(const char *p, size_t n)
{
    size_t k = uptime_stamp(p, n), i = 0;
    if (k)
        return k;
    while (i < n && i < 10 && isdig(p[i]))
        i++;
    if (!i || i + 2 >= n || p[i] != ':' || p[i + 1] != ' ')
        return 0;
    k = uptime_stamp(p + i + 2, n - i - 2);
    return k ? i + 2 + k : 0;
}

/* A severity word between the host and the tag, as F5 BIG-IP writes it ("bigip1 notice
 * mcpd[6203]: 01070417:5: ..."); sets log.level; returns the bytes to skip, 0 if none. */
static size_t level_word(log_rec *r, const char *p, size_t n)
{
    int lv; /* by the first letter, one candidate (a host name costs a comparison or two) */
    switch (n > 6 ? p[0] : 0) {
    case 'e':
        lv = p[1] == 'm' ? 0 : 3;
        break;
    case 'a':
        lv = 1;
        break;
    case 'c':
        lv = 2;
        break;
    case 'w':
        lv = 4;
        break;
    case 'n':
        lv = 5;
        break;
    case 'i':
        lv = 6;
        break;
    case 'd':
        lv = 7;
        break;
    default:
        return 0;
    }
    static const char *const words[] = {"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};
    size_t l = strlen(words[lv]);
    if (n <= l + 2 || p[l] != ' ' || p[l + 1] == ' ' || memcmp(p, words[lv], l) != 0 ||
        !parse_tag(r, p + l + 1, n - l - 1)) /* (the tag is set again by the caller) */
        return 0;
    log_set_str(r, LF_LOG_LEVEL, sev_names[lv]);
    return l + 1;
}

/* A line whose stamp (k bytes, 0: none) has been read into ms. */
static void parse_3164_stamped(log_rec *r, const char *p, size_t n, size_t k, int64_t ms, const log_parse_opts *o,
                               const char *access_ds, int depth)
{
    if (k) {
        r->ts_ms = ms;
        r->ts_from_line = true;
        p += k;
        n -= k;
        if (n && p[0] == ':') { /* Cisco without a hostname: "...12:00:00: %ASA-..." */
            p++;
            n--;
        }
        while (n && p[0] == ' ') {
            p++;
            n--;
        }
    }
    if (!content_marker(p, n)) {
        size_t t = parse_tag(r, p, n);
        if (!t && k) {
            /* HOSTNAME, then a TAG or the message */
            size_t h = 0;
            while (h < n && p[h] != ' ' && h < 256)
                h++;
            if (h && h < n && p[h - 1] != ':') {
                log_set(r, LF_HOST_NAME, p, h);
                p += h + 1;
                n -= h + 1;
                while (n && p[0] == ' ') {
                    p++;
                    n--;
                }
                if (starts(p, n, LIT(": "))) { /* Cisco: "host : %ASA-..." */
                    p += 2;
                    n -= 2;
                }
                if (n > 4 && p[0] == '[' && isdig(p[1]) && p[2] == ']' && p[3] == ' ') { /* "[5] ": the level */
                    p += 4;
                    n -= 4;
                }
                size_t lv = level_word(r, p, n); /* F5 BIG-IP: "bigip1 notice mcpd[6203]: ..." */
                p += lv;
                n -= lv;
                if (depth == 0 && (relayed(p, n) || (ios_lead(p, n) && (seq_prefix(p, n) || ios_uptime(p, n))))) {
                    parse_line(r, p, n, o, access_ds, 1); /* the device's own line, relayed */
                    return;
                }
                if (!content_marker(p, n))
                    t = parse_tag(r, p, n);
            }
        }
        p += t;
        n -= t;
        /* Cisco's "host: %ASA-...": a tag without a pid before a device message is the host */
        if (t && !log_has(r, LF_HOST_NAME) && !log_has(r, LF_PROCESS_PID) && n > 1 && p[0] == '%' && p[1] != '%') {
            log_set(r, LF_HOST_NAME, r->f[LF_PROCESS_NAME].p, r->f[LF_PROCESS_NAME].n);
            r->present &= ~((uint64_t)1 << LF_PROCESS_NAME);
        }
    }
    parse_msg(r, p, n, o, access_ds);
}

static void parse_3164(log_rec *r, const char *p, size_t n, const log_parse_opts *o, const char *access_ds, int depth)
{
    int64_t ms = 0;
    size_t sq = seq_prefix(p, n);
    size_t k = parse_bsd_time(p + sq, n - sq, o, &ms);
    parse_3164_stamped(r, p + sq, n - sq, k, ms, o, access_ds, depth);
}

/* ---- RFC 5424 ---- */

static bool next_token(const char **p, size_t *n, log_val *tok)
{
    size_t i = 0;
    while (i < *n && (*p)[i] != ' ')
        i++;
    if (!i)
        return false;
    tok->p = *p;
    tok->n = (uint32_t)i;
    *p += i;
    *n -= i;
    if (*n) {
        (*p)++;
        (*n)--;
    }
    return true;
}

static bool nil(const log_val *v) { return v->n == 1 && v->p[0] == '-'; }

/* RFC 5424 SD-NAME: printable US-ASCII except '=', ' ', ']' and '"', 1 to 32 of them. */
static bool sd_name_char(char c) { return c > 32 && c < 127 && c != '=' && c != ']' && c != '"'; }

/* Structured data: [id k="v" ...][...]. Params become extras "id.k". Returns bytes used, or 0
 * when malformed (the rest is then taken as the message). */
static size_t parse_sd(log_rec *r, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && p[i] == '[') {
        size_t id = ++i;
        while (i < n && sd_name_char(p[i]))
            i++;
        if (i >= n || (p[i] != ' ' && p[i] != ']') || i == id || i - id > 32)
            return 0;
        size_t idn = i - id;
        while (i < n && p[i] == ' ') {
            i++;
            if (i < n && (p[i] == ']' || p[i] == ' ')) /* a space before the ']' (Check Point) */
                continue;
            size_t k = i;
            while (i < n && sd_name_char(p[i]))
                i++;
            if (i + 1 >= n || p[i] != '=' || p[i + 1] != '"' || i == k || i - k > 32)
                return 0;
            size_t kn = i - k;
            i += 2;
            size_t close = i; /* the value's end, to reserve no more scratch than it needs */
            while (close < n && p[close] != '"')
                close += (p[close] == '\\' && close + 1 < n) ? 2 : 1;
            char *v = log_scratch(r, close - i);
            size_t vn = 0;
            while (i < n && p[i] != '"') {
                if (p[i] == '\\' && i + 1 < n && (p[i + 1] == '"' || p[i + 1] == '\\' || p[i + 1] == ']'))
                    i++;
                if (v)
                    v[vn++] = p[i];
                i++;
            }
            if (i >= n)
                return 0;
            i++; /* closing quote */
            char *key = log_scratch(r, idn + 1 + kn);
            if (key && v) {
                memcpy(key, p + id, idn);
                key[idn] = '.';
                memcpy(key + idn + 1, p + k, kn);
                log_extra(r, key, idn + 1 + kn, v, vn);
            }
        }
        if (i >= n || p[i] != ']')
            return 0;
        i++;
    }
    return i;
}

static void parse_5424(log_rec *r, const char *p, size_t n, const log_parse_opts *o)
{
    log_val ts, host, app, pid, msgid;
    if (!next_token(&p, &n, &ts) || !next_token(&p, &n, &host) || !next_token(&p, &n, &app) ||
        !next_token(&p, &n, &pid) || !next_token(&p, &n, &msgid)) {
        parse_msg(r, p, n, o, NULL);
        return;
    }
    int64_t ms;
    if (!nil(&ts) && log_parse_iso(ts.p, ts.n, o, &ms) == ts.n) {
        r->ts_ms = ms;
        r->ts_from_line = true;
    }
    if (!nil(&host))
        log_set(r, LF_HOST_NAME, host.p, host.n);
    if (!nil(&app))
        log_set(r, LF_PROCESS_NAME, app.p, app.n);
    if (!nil(&pid))
        log_set(r, LF_PROCESS_PID, pid.p, pid.n);
    if (!nil(&msgid))
        log_set(r, LF_EVENT_CODE, msgid.p, msgid.n);
    if (n && p[0] == '-') {
        p++;
        n--;
    } else if (n && p[0] == '[') {
        r->extra_ns = "log.syslog.structured_data";
        size_t k = parse_sd(r, p, n);
        p += k;
        n -= k;
        if (k > 7 && (memcmp(p - k, "[junos@", 7) == 0 || memcmp(p - k, "[Fields@", 8) == 0)) /* Juniper, Check Point */
            log_junos_sd(r, nil(&msgid) ? "" : msgid.p, nil(&msgid) ? 0 : msgid.n, o);
    }
    if (n && p[0] == ' ') {
        p++;
        n--;
    }
    if (n >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb && (unsigned char)p[2] == 0xbf) {
        p += 3;
        n -= 3;
    }
    parse_msg(r, p, n, o, NULL);
}

/* ---- entry ---- */

/* Resets r for a line of len bytes: scratch space, fields, the receive time. */
static void rec_reset(log_rec *r, const char *line, size_t len, const log_parse_opts *o)
{
    /* every decoded value fits in three times the line (see log_scratch's callers) */
    size_t need = len * 3 + 4096;
    if (r->scap < need) {
        free(r->scratch);
        r->scratch = kw_malloc(need);
        r->scap = need;
    }
    r->slen = 0;
    log_is_ip_forget();
    r->present = 0;
    r->nextra = 0;
    r->extra_ns = NULL;
    r->line = line;
    r->len = len;
    r->ts_ms = o->now_ms;
    r->ts_from_line = false;
    if (o->input)
        log_set_str(r, LF_INPUT, o->input);
    if (o->sender)
        log_set_str(r, LF_SENDER, o->sender);
}

void log_parse_message(log_rec *r, const char *msg, size_t n, const char *prog, const char *host, const char *pid,
                       int64_t ts_ms, const log_parse_opts *o)
{
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        n--;
    rec_reset(r, msg, n, o);
    if (ts_ms > 0) {
        r->ts_ms = ts_ms;
        r->ts_from_line = true;
    }
    if (prog && *prog)
        log_set_str(r, LF_PROCESS_NAME, prog);
    if (host && *host)
        log_set_str(r, LF_HOST_NAME, host);
    if (pid && *pid)
        log_set_str(r, LF_PROCESS_PID, pid);
    parse_msg(r, msg, n, o, NULL);
}

/* A whole line (or, at depth 1, the line a relay wrapped in its own header). */
static void parse_line(log_rec *r, const char *p, size_t n, const log_parse_opts *o, const char *access_ds, int depth)
{
    size_t oc = octet_count(p, n);
    p += oc;
    n -= oc;
    if (n >= 3 && p[0] == '<') {
        size_t i = 1;
        int pri = 0;
        while (i < n && i < 5 && isdig(p[i]))
            pri = pri * 10 + (p[i++] - '0');
        if (i > 1 && i < n && p[i] == '>' && pri <= 191) {
            log_set_str(r, LF_LOG_LEVEL, sev_names[pri & 7]);
            p += i + 1;
            n -= i + 1;
            while (n && (p[0] == ' ' || p[0] == ':')) { /* H3C: "<134> Nov 24 ..."; Cisco: "<166>:Jan 05 ..." */
                p++;
                n--;
            }
            if (n >= 2 && p[0] == '1' && p[1] == ' ') {
                parse_5424(r, p + 2, n - 2, o);
                return;
            }
            parse_3164(r, p, n, o, access_ds, depth);
            return;
        }
    }
    if (n && p[0] == '{') {
        parse_msg(r, p, n, o, access_ds);
        return;
    }
    int64_t ms;
    size_t k;
    /* RFC 5424 whose "<PRI>" a relay or a file writer left out: "1 2019-05-15T16:25:50Z HOST ..." */
    if (n > 22 && p[0] == '1' && p[1] == ' ' && isdig(p[2]) && p[6] == '-' && log_parse_iso(p + 2, n - 2, o, &ms)) {
        parse_5424(r, p + 2, n - 2, o);
        return;
    }
    /* the stamp read once, here (a month name or a digit: no sequence number before it) */
    if (n >= 15 && log_month(p) && p[3] == ' ' && (k = parse_bsd_time(p, n, o, &ms)) != 0) {
        parse_3164_stamped(r, p, n, k, ms, o, access_ds, depth);
        return;
    }
    /* Cisco IOS without a PRI: "3924923: *Oct  6 03:32:04.114 UTC: %SEC-...", "00:00:46: %LINK-..." */
    size_t sq;
    if (ios_lead(p, n)) {
        if ((sq = seq_prefix(p, n)) != 0 && (k = parse_bsd_time(p + sq, n - sq, o, &ms)) != 0) {
            parse_3164_stamped(r, p + sq, n - sq, k, ms, o, access_ds, depth);
            return;
        }
        if ((sq = ios_uptime(p, n)) != 0) {
            parse_msg(r, p + sq, n - sq, o, access_ds);
            return;
        }
    }
    /* a device's "2018/10/05 09:52:14 HOST ..." (not nginx's "2018/10/05 09:52:14 [error]") */
    if (n >= 21 && isdig(p[0]) && p[4] == '/' && p[19] == ' ' && p[20] != '[' && (k = parse_bsd_time(p, n, o, &ms)) != 0) {
        parse_3164_stamped(r, p, n, k, ms, o, access_ds, depth);
        return;
    }
    /* an RFC 3339 stamp then HOSTNAME TAG: (rsyslog's high-precision file format); database
     * logs also start with a stamp, so they are tried first */
    if (n >= 20 && isdig(p[0]) && log_parse_iso(p, n, o, &ms)) {
        if (log_parse_mysql(r, p, n, o) || log_parse_postgresql(r, p, n, o))
            return;
        k = log_parse_iso(p, n, o, &ms);
        if (k < n && p[k] == ' ') {
            parse_3164(r, p, n, o, access_ds, depth);
            return;
        }
        if (k + 2 < n && p[k] == ',' && p[k + 1] == ' ') { /* Hillstone's "2019-07-30 12:50:20, WARNING@MGMT: ..." */
            r->ts_ms = ms;
            r->ts_from_line = true;
            parse_msg(r, p + k + 2, n - k - 2, o, access_ds);
            return;
        }
    }
    parse_msg(r, p, n, o, access_ds);
}


void log_parse(log_rec *r, const char *line, size_t len, const log_parse_opts *o)
{
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    rec_reset(r, line, len, o);
    while (len && (line[0] == ' ' || line[0] == '\t')) { /* a relay's leading blanks */
        line++;
        len--;
    }
    const char *fmt = o->format ? o->format : "auto";
    const char *access_ds = strcmp(fmt, "nginx") == 0 ? "nginx.access"
                            : strcmp(fmt, "apache") == 0 ? "apache.access"
                                                         : "web.access";
    if (strcmp(fmt, "raw") == 0) {
        log_set_str(r, LF_EVENT_DATASET, "log");
        log_set(r, LF_MESSAGE, line, len);
        return;
    }
    parse_line(r, line, len, o, access_ds, 0);
}

/* ---- Linux: OpenSSH, sudo, su, netfilter ---- */

/* The value after "key=" up to the next space (PAM's "rhost=1.2.3.4  user=root"). */
static bool kv_word(const char *m, size_t n, const char *key, log_val *out)
{
    const char *k = m;
    size_t kl = strlen(key);
    for (;;) {
        k = log_find(k, n - (size_t)(k - m), key);
        if (!k)
            return false;
        if (k == m || k[-1] == ' ' || k[-1] == ';')
            break;
        k += kl;
    }
    const char *v = k + kl, *e = v;
    while (e < m + n && *e != ' ' && *e != ';')
        e++;
    out->p = v;
    out->n = (uint32_t)(e - v);
    return out->n > 0;
}

/* "... from IP port N": the LAST " from " (a user name is the attacker's to choose and may
 * itself contain " from 1.2.3.4"). Sets source.ip/port; returns where " from " starts. */
static const char *from_ip_port(log_rec *r, const char *m, size_t n)
{
    const char *last = n >= 6 ? log_rfind(m, n, " from ") : NULL;
    if (!last)
        return NULL;
    const char *ip = last + 6, *e = ip;
    while (e < m + n && *e != ' ')
        e++;
    if (!log_is_ip(ip, (size_t)(e - ip)))
        return NULL;
    log_set(r, LF_SOURCE_IP, ip, (size_t)(e - ip));
    if (starts(e, (size_t)(m + n - e), LIT(" port "))) {
        const char *pt = e + 6, *pe = pt;
        while (pe < m + n && isdig(*pe))
            pe++;
        if (pe > pt)
            log_set(r, LF_SOURCE_PORT, pt, (size_t)(pe - pt));
    }
    return last;
}

static bool word_after_lit(const char *m, size_t n, const char *lit, log_val *out);

/* "IP port N" at p (sshd's "Connection closed by 1.2.3.4 port 22"). */
static void ip_port_at(log_rec *r, const char *p, const char *end)
{
    const char *e = p;
    while (e < end && *e != ' ')
        e++;
    size_t an = (size_t)(e - p);
    if (an && p[an - 1] == ':') /* "Received disconnect from 1.2.3.4: 11: ..." */
        an--;
    if (!log_is_ip(p, an))
        return;
    log_set(r, LF_SOURCE_IP, p, an);
    if (starts(e, (size_t)(end - e), LIT(" port "))) {
        const char *pt = e + 6, *pe = pt;
        while (pe < end && isdig(*pe))
            pe++;
        if (pe > pt)
            log_set(r, LF_SOURCE_PORT, pt, (size_t)(pe - pt));
    }
}

/* PAM's "pam_unix(svc:auth): authentication failure; logname= uid=0 ... rhost=H  user=U";
 * sshd's summary "PAM 4 more authentication failures; logname= ..."; and both without their
 * prefix, as old Linux-PAM wrote them under a "svc(pam_unix)" tag. */
static bool pam_failure_line(const char *m, size_t n)
{
    size_t lim = n < 64 ? n : 64;
    if (log_find(m, lim, "): authentication failure;") || starts(m, n, LIT("authentication failure; logname=")))
        return true;
    if (starts(m, n, LIT("PAM ")))
        m += 4, n -= 4;
    size_t d = 0;
    while (d < n && d < 4 && isdig(m[d]))
        d++;
    return d && starts(m + d, n - d, LIT(" more authentication failure"));
}

/* Such a line: the address (rhost=), the user and a failed outcome, named action. */
static bool pam_failure(log_rec *r, const char *m, size_t n, const char *action)
{
    if (!pam_failure_line(m, n))
        return false;
    log_val v;
    if (kv_word(m, n, "rhost=", &v) && log_is_ip(v.p, v.n))
        log_set(r, LF_SOURCE_IP, v.p, v.n);
    if (kv_word(m, n, "user=", &v))
        log_set(r, LF_USER_NAME, v.p, v.n);
    log_set_str(r, LF_EVENT_ACTION, action);
    log_set_str(r, LF_EVENT_OUTCOME, "failure");
    log_set_str(r, LF_EVENT_CATEGORY, "authentication");
    return true;
}

static void set_user_before(log_rec *r, const char *u, const char *end)
{
    if (end > u)
        log_set(r, LF_USER_NAME, u, (size_t)(end - u));
}

/* "User U from A not allowed because ...": a refused login; "Bad protocol version
 * identification '...' from A port P": a probe; "reverse mapping checking getaddrinfo for H
 * [A] failed - POSSIBLE BREAK-IN ATTEMPT!" and "Address A maps to H, but this does not map
 * back": a warning about the source. */
static bool ssh_refusals(log_rec *r, const char *m, size_t n)
{
    const char *end = m + n, *x;
    if (starts(m, n, LIT("User ")) && (x = log_find(m, n, " not allowed because "))) {
        const char *from = log_rfind(m, (size_t)(x - m), " from ");
        if (from) {
            set_user_before(r, m + 5, from);
            ip_port_at(r, from + 6, x);
        }
        log_set_str(r, LF_EVENT_ACTION, "ssh_login");
        log_set_str(r, LF_EVENT_OUTCOME, "failure");
        log_set_str(r, LF_EVENT_CATEGORY, "authentication");
        return true;
    }
    if (starts(m, n, LIT("Bad protocol version identification ")) && from_ip_port(r, m, n)) {
        log_set_str(r, LF_EVENT_ACTION, "ssh_probe");
        log_set_str(r, LF_EVENT_OUTCOME, "failure");
        log_set_str(r, LF_EVENT_CATEGORY, "authentication");
        return true;
    }
    if (log_find(m, n, "POSSIBLE BREAK-IN ATTEMPT")) {
        const char *b = memchr(m, '[', n), *be = b ? memchr(b, ']', (size_t)(end - b)) : NULL;
        if (be)
            log_set(r, LF_SOURCE_IP, b + 1, (size_t)(be - b - 1));
        else if (starts(m, n, LIT("Address ")))
            ip_port_at(r, m + 8, end);
        log_set_str(r, LF_EVENT_ACTION, "ssh_reverse_mapping");
        log_set_str(r, LF_EVENT_CATEGORY, "network");
        return true;
    }
    return false;
}

bool log_parse_openssh(log_rec *r, const char *m, size_t n)
{
    log_set_str(r, LF_EVENT_DATASET, "openssh");
    log_set(r, LF_MESSAGE, m, n);
    const char *end = m + n;
    bool failed = starts(m, n, LIT("Failed ")), ok = starts(m, n, LIT("Accepted "));
    bool later = starts(m, n, LIT("Postponed ")); /* a step of keyboard-interactive or publickey: no verdict yet */
    if (failed || ok || later) {
        const char *f = log_find(m, n < 64 ? n : 64, " for ");
        const char *from = from_ip_port(r, m, n);
        if (!f || !from || from < f)
            return true;
        const char *u = f + 5;
        if (starts(u, (size_t)(end - u), LIT("invalid user ")))
            u += 13;
        set_user_before(r, u, from);
        const char *meth = m + (failed ? 7 : later ? 10 : 9);
        log_extra(r, LIT("method"), meth, (size_t)(f - meth));
        r->extra_ns = "openssh";
        log_set_str(r, LF_EVENT_ACTION, "ssh_login");
        log_set_str(r, LF_EVENT_OUTCOME, failed ? "failure" : later ? "unknown" : "success");
        log_set_str(r, LF_EVENT_CATEGORY, "authentication");
        return true;
    }
    if (starts(m, n, LIT("Invalid user ")) || starts(m, n, LIT("error: maximum authentication attempts exceeded for "))) {
        bool inv = m[0] == 'I';
        const char *from = from_ip_port(r, m, n);
        const char *u = m + (inv ? sizeof "Invalid user " : sizeof "error: maximum authentication attempts exceeded for ") - 1;
        if (starts(u, (size_t)(end - u), LIT("invalid user ")))
            u += 13;
        if (from && from >= u)
            set_user_before(r, u, from);
        log_set_str(r, LF_EVENT_ACTION, inv ? "ssh_invalid_user" : "ssh_max_auth_tries");
        log_set_str(r, LF_EVENT_OUTCOME, "failure");
        log_set_str(r, LF_EVENT_CATEGORY, "authentication");
        return true;
    }
    if (pam_failure(r, m, n, "ssh_pam_failure"))
        return true;
    const char *nb;
    if (starts(m, n, LIT("pam_succeed_if(")) && (nb = log_find(m, n, " by user \""))) { /* the account it refused */
        const char *u = nb + 10, *ue = memchr(u, '"', (size_t)(end - u));
        if (ue)
            log_set(r, LF_USER_NAME, u, (size_t)(ue - u));
        return true;
    }
    if (ssh_refusals(r, m, n))
        return true;
    static const struct {
        const char *lit;
        const char *action;
    } probes[] = {
        {"Did not receive identification string from ", "ssh_probe"},
        {"banner exchange: Connection from ", "ssh_probe"},
        {"Timeout before authentication for ", "ssh_probe"},
        {"Connection from ", "ssh_connect"},
        {"Unable to negotiate with ", "ssh_negotiation_failed"},
        {"Connection closed by authenticating user ", "ssh_preauth_close"},
        {"Disconnected from authenticating user ", "ssh_preauth_close"},
        {"Connection closed by invalid user ", "ssh_preauth_close"},
        {"Disconnected from invalid user ", "ssh_preauth_close"},
        {"Connection closed by ", "ssh_disconnect"},
        {"Connection reset by ", "ssh_disconnect"},
        {"Received disconnect from ", "ssh_disconnect"},
        {"Disconnected from user ", "ssh_disconnect"},
        {"Disconnected from ", "ssh_disconnect"},
        {"Read error from remote host ", "ssh_disconnect"},
    };
    /* sshd's level before some of them: "fatal: Unable to negotiate with ..." */
    const char *bare = starts(m, n, LIT("fatal: ")) || starts(m, n, LIT("error: ")) ? m + 7 : m;
    size_t bn = (size_t)(end - bare);
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        size_t ln = strlen(probes[i].lit);
        if (!starts(bare, bn, probes[i].lit, ln))
            continue;
        const char *p = bare + ln;
        if (strstr(probes[i].lit, " user ")) { /* "... user NAME IP port N" */
            const char *sp = end;
            /* the address is the word before " port " */
            const char *port = log_find(p, (size_t)(end - p), " port ");
            if (port) {
                sp = port;
                while (sp > p && sp[-1] != ' ')
                    sp--;
                if (sp > p)
                    set_user_before(r, p, sp - 1);
                p = sp;
            }
        }
        ip_port_at(r, p, end);
        log_set_str(r, LF_EVENT_ACTION, probes[i].action);
        bool session = !strcmp(probes[i].action, "ssh_disconnect") || !strcmp(probes[i].action, "ssh_connect");
        if (!session)
            log_set_str(r, LF_EVENT_OUTCOME, "failure");
        log_set_str(r, LF_EVENT_CATEGORY, session ? "session" : "authentication");
        return true;
    }
    if (log_parse_account(r, m, n)) {
        log_set_str(r, LF_EVENT_DATASET, "openssh");
        return true;
    }
    log_val u;
    if (starts(m, n, LIT("subsystem request for ")) && word_after_lit(m, n, " by user ", &u)) {
        log_set(r, LF_USER_NAME, u.p, u.n); /* "subsystem request for sftp by user vagrant" */
        log_set_str(r, LF_EVENT_ACTION, "ssh_subsystem");
        log_set_str(r, LF_EVENT_CATEGORY, "session");
    }
    /* any other line naming its peer: "... from A [port N]", "... [A] ..." */
    if (!log_has(r, LF_SOURCE_IP) && !from_ip_port(r, m, n)) {
        const char *b = memchr(m, '[', n), *be = b ? memchr(b, ']', (size_t)(end - b)) : NULL;
        if (be && log_is_ip(b + 1, (size_t)(be - b - 1)))
            log_set(r, LF_SOURCE_IP, b + 1, (size_t)(be - b - 1));
    }
    return true; /* an sshd line all the same */
}

/* The word after a literal, up to a space, '(' , ',' or ']' ("for user root(uid=0)"). */
static bool word_after_lit(const char *m, size_t n, const char *lit, log_val *out)
{
    const char *x = log_find(m, n, lit);
    if (!x)
        return false;
    const char *v = x + strlen(lit), *end = m + n, *e = v;
    while (e < end && *e != ' ' && *e != '(' && *e != ',' && *e != ']' && *e != '\'')
        e++;
    if (e == end && e > v && e[-1] == '.') /* "... of user alice." */
        e--;
    *out = (log_val){v, (uint32_t)(e - v)};
    return e > v;
}

/* Sessions and accounts, whatever the program: PAM's "pam_unix(SVC:session): session opened
 * for user U(uid=0) by (uid=0)", sftp's "session opened for local user U from [IP]",
 * systemd-logind's "New session 3 of user U.", shadow's useradd "new user: name=U, UID=...",
 * userdel "delete user 'U'", usermod "change user 'U' password", passwd "password changed
 * for U". False when the message is none of them. */
bool log_parse_account(log_rec *r, const char *m, size_t n)
{
    static const struct {
        const char *lit, *user, *action, *category, *dataset;
    } forms[] = {
        {"session opened for local user ", "local user ", "session_opened", "session", "sftp"},
        {"session closed for local user ", "local user ", "session_closed", "session", "sftp"},
        {"session opened for user ", "for user ", "session_opened", "session", "pam"},
        {"session closed for user ", "for user ", "session_closed", "session", "pam"},
        {"New session ", " of user ", "session_opened", "session", "systemd.logind"},
        {"new user: ", "name=", "user_created", "iam", "shadow"},
        {"new group: ", "name=", "group_created", "iam", "shadow"},
        {"delete user ", "delete user '", "user_deleted", "iam", "shadow"},
        {"change user ", "change user '", "user_changed", "iam", "shadow"},
        {"password changed for ", "password changed for ", "password_changed", "iam", "shadow"},
    };
    size_t lim = n < 96 ? n : 96;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        if (!log_find(m, lim, forms[i].lit))
            continue;
        log_val u;
        if (word_after_lit(m, n, forms[i].user, &u))
            log_set(r, LF_USER_NAME, u.p, u.n);
        if (word_after_lit(m, n, " from [", &u))
            log_set(r, LF_SOURCE_IP, u.p, u.n);
        if (!log_has(r, LF_EVENT_DATASET))
            log_set_str(r, LF_EVENT_DATASET, forms[i].dataset);
        log_set_str(r, LF_EVENT_ACTION, forms[i].action);
        log_set_str(r, LF_EVENT_CATEGORY, forms[i].category);
        if (forms[i].category[0] == 'i')
            log_set_str(r, LF_EVENT_OUTCOME, "success");
        log_set(r, LF_MESSAGE, m, n);
        return true;
    }
    return false;
}

bool log_parse_sudo(log_rec *r, const char *m, size_t n)
{
    log_set_str(r, LF_EVENT_DATASET, "sudo");
    log_set(r, LF_MESSAGE, m, n);
    log_set_str(r, LF_EVENT_CATEGORY, "process");
    if (pam_failure(r, m, n, "sudo_auth_failure"))
        return true;
    const char *p = m, *end = m + n;
    while (p < end && *p == ' ')
        p++;
    const char *colon = log_find(p, (size_t)(end - p), " : ");
    if (!colon || !log_find(colon, (size_t)(end - colon), "COMMAND=")) {
        log_parse_account(r, m, n);
        return true;
    }
    log_set(r, LF_USER_NAME, p, (size_t)(colon - p));
    log_set_str(r, LF_EVENT_ACTION, "sudo");
    bool failed = false;
    const char *s = colon + 3;
    while (s < end) {
        const char *sep = log_find(s, (size_t)(end - s), " ; ");
        if (starts(s, (size_t)(end - s), LIT("COMMAND=")))
            sep = NULL; /* the command is last and may itself hold " ; " */
        const char *se = sep ? sep : end;
        if (starts(s, (size_t)(se - s), LIT("USER=")))
            log_set(r, LF_USER_TARGET, s + 5, (size_t)(se - s - 5));
        else if (starts(s, (size_t)(se - s), LIT("COMMAND=")))
            log_set(r, LF_PROCESS_COMMAND, s + 8, (size_t)(se - s - 8));
        else if (!memchr(s, '=', (size_t)(se - s))) {
            failed = true;
            log_set(r, LF_EVENT_REASON, s, (size_t)(se - s));
        }
        if (!sep)
            break;
        s = sep + 3;
    }
    log_set_str(r, LF_EVENT_OUTCOME, failed ? "failure" : "success");
    return true;
}

bool log_parse_su(log_rec *r, const char *m, size_t n)
{
    log_set_str(r, LF_EVENT_DATASET, "su");
    log_set(r, LF_MESSAGE, m, n);
    log_set_str(r, LF_EVENT_CATEGORY, "authentication");
    const char *end = m + n;
    if ((starts(m, n, LIT("pam_unix(su")) || starts(m, n, LIT("authentication failure;"))) && pam_failure(r, m, n, "su")) {
        log_val v;
        /* the one who tried is ruser; user= is the account they wanted */
        if (log_has(r, LF_USER_NAME))
            log_set(r, LF_USER_TARGET, r->f[LF_USER_NAME].p, r->f[LF_USER_NAME].n);
        if (kv_word(m, n, "ruser=", &v))
            log_set(r, LF_USER_NAME, v.p, v.n);
        else
            r->present &= ~((uint64_t)1 << LF_USER_NAME);
        return true;
    }
    bool failed = starts(m, n, LIT("FAILED SU ")) || starts(m, n, LIT("FAILED su"));
    const char *to = log_find(m, n < 32 ? n : 32, "(to ");
    if (to) { /* util-linux: "(to root) alice on pts/0" */
        const char *te = memchr(to, ')', (size_t)(end - to));
        if (!te)
            return true;
        log_set(r, LF_USER_TARGET, to + 4, (size_t)(te - to - 4));
        const char *u = te + 1;
        while (u < end && *u == ' ')
            u++;
        const char *ue = log_find(u, (size_t)(end - u), " on ");
        set_user_before(r, u, ue ? ue : end);
        log_set_str(r, LF_EVENT_ACTION, "su");
        log_set_str(r, LF_EVENT_OUTCOME, failed ? "failure" : "success");
        return true;
    }
    const char *by;
    if ((starts(m, n, LIT("Successful su for ")) || starts(m, n, LIT("FAILED su for "))) &&
        (by = log_find(m, n, " by "))) {
        const char *t = m + (m[0] == 'S' ? 18 : 14);
        if (by > t)
            log_set(r, LF_USER_TARGET, t, (size_t)(by - t));
        log_set(r, LF_USER_NAME, by + 4, (size_t)(end - by - 4));
        log_set_str(r, LF_EVENT_ACTION, "su");
        log_set_str(r, LF_EVENT_OUTCOME, m[0] == 'S' ? "success" : "failure");
        return true;
    }
    if (n > 4 && (m[0] == '+' || m[0] == '-') && m[1] == ' ') { /* shadow: "+ pts/0 alice:root" */
        const char *sp = memchr(m + 2, ' ', n - 2);
        const char *c = sp ? memchr(sp, ':', (size_t)(end - sp)) : NULL;
        if (c) {
            log_set(r, LF_USER_NAME, sp + 1, (size_t)(c - sp - 1));
            log_set(r, LF_USER_TARGET, c + 1, (size_t)(end - c - 1));
            log_set_str(r, LF_EVENT_ACTION, "su");
            log_set_str(r, LF_EVENT_OUTCOME, m[0] == '+' ? "success" : "failure");
        }
    }
    if (!log_has(r, LF_EVENT_ACTION)) /* "pam_unix(su:session): session opened for user root ..." */
        log_parse_account(r, m, n);
    return true;
}

/* The log prefix as rule.name, and its verdict: a word ("DROP", "reject") or EdgeOS's
 * "[WAN_LOCAL-default-D]" (-D drop, -R reject, -A accept). */
static void iptables_prefix(log_rec *r, const char *pf, const char *pe)
{
    if (pf < pe && *pf == '[' && pe[-1] == ']') {
        pf++;
        pe--;
    }
    if (pe <= pf) {
        log_set_str(r, LF_EVENT_ACTION, "log");
        return;
    }
    const char *v = log_verdict(pf, (size_t)(pe - pf));
    if (!v && pe - pf > 2 && pe[-2] == '-')
        v = pe[-1] == 'A' ? "allow" : (pe[-1] == 'D' || pe[-1] == 'R') ? "deny" : NULL;
    /* EdgeOS/VyOS: "[RULESET-RULE-V]", RULE a number or "default": the rule set is the name */
    const char *dash = NULL;
    if (v && pe - pf > 4 && pe[-2] == '-')
        for (const char *q = pe - 3; q > pf; q--)
            if (*q == '-') {
                dash = q;
                break;
            }
    bool numbered = dash && dash + 1 < pe - 2;
    for (const char *q = dash ? dash + 1 : pe; numbered && q < pe - 2; q++)
        numbered = isdig(*q);
    if (dash && (numbered || (pe - 2 - (dash + 1) == 7 && !memcmp(dash + 1, "default", 7)))) {
        log_set(r, LF_RULE_NAME, pf, (size_t)(dash - pf));
        log_set(r, LF_RULE_ID, dash + 1, (size_t)(pe - 2 - (dash + 1)));
    } else {
        log_set(r, LF_RULE_NAME, pf, (size_t)(pe - pf));
    }
    log_set_str(r, LF_EVENT_ACTION, v ? v : "log");
}

bool log_parse_iptables(log_rec *r, const char *m, size_t n)
{
    const char *end = m + n;
    const char *in = m;
    for (;;) { /* "IN=" not inside another word: a prefix may be glued to it ("DROP(src wan)IN=") */
        in = log_find(in, (size_t)(end - in), "IN=");
        if (!in)
            return false;
        if (in == m || !(isdig(in[-1]) || (in[-1] >= 'A' && in[-1] <= 'Z') || (in[-1] >= 'a' && in[-1] <= 'z') ||
                         in[-1] == '_'))
            break;
        in += 3;
    }
    if (!log_find(in, (size_t)(end - in), " SRC="))
        return false;
    log_set_str(r, LF_EVENT_DATASET, "iptables");
    log_set_str(r, LF_OBSERVER_VENDOR, "Linux");
    log_set_str(r, LF_OBSERVER_PRODUCT, "netfilter");
    log_set_str(r, LF_EVENT_CATEGORY, "network");
    log_set(r, LF_MESSAGE, m, n);
    /* the log prefix: what comes before IN=, minus the kernel's "[12345.678901] " */
    const char *pf = m, *pe = in;
    if (pf < pe && *pf == '[') {
        const char *b = pf + 1;
        while (b < pe && (*b == ' ' || *b == '.' || isdig(*b)))
            b++;
        if (b < pe && *b == ']')
            pf = b + 1;
    }
    while (pf < pe && *pf == ' ')
        pf++;
    while (pe > pf && (pe[-1] == ' ' || pe[-1] == ':'))
        pe--;
    iptables_prefix(r, pf, pe);
    r->extra_ns = "iptables";
    const char *p = in;
    while (p < end && *p != '[') { /* an ICMP error quotes the packet it answers in [...]: not ours */
        const char *e = memchr(p, ' ', (size_t)(end - p));
        if (!e)
            e = end;
        const char *eq = memchr(p, '=', (size_t)(e - p));
        if (eq) {
            size_t kn = (size_t)(eq - p), vn = (size_t)(e - eq - 1);
            const char *v = eq + 1;
#define KEY(s) (kn == sizeof(s) - 1 && memcmp(p, s, kn) == 0)
            if (KEY("IN")) {
                if (vn)
                    log_set(r, LF_OBSERVER_INGRESS, v, vn);
            } else if (KEY("OUT")) {
                if (vn)
                    log_set(r, LF_OBSERVER_EGRESS, v, vn);
            } else if (KEY("SRC")) {
                log_set(r, LF_SOURCE_IP, v, vn);
            } else if (KEY("DST")) {
                log_set(r, LF_DEST_IP, v, vn);
            } else if (KEY("SPT")) {
                log_set(r, LF_SOURCE_PORT, v, vn);
            } else if (KEY("DPT")) {
                log_set(r, LF_DEST_PORT, v, vn);
            } else if (KEY("PROTO")) {
                log_set(r, LF_NETWORK_TRANSPORT, log_lower(r, v, vn), vn);
            } else if (KEY("LEN")) {
                log_set(r, LF_NETWORK_BYTES, v, vn);
            } else if (KEY("MAC") || KEY("TYPE") || KEY("CODE") || KEY("TTL") || KEY("ID") || KEY("WINDOW")) {
                log_extra(r, p, kn, v, vn);
            }
#undef KEY
        } else if (e - p == 3 && memcmp(p, "SYN", 3) == 0) {
            log_extra(r, LIT("flags"), p, 3);
        }
        p = e + 1;
    }
    return true;
}
