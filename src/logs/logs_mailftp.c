/* Mail and FTP servers' logins, the services a brute force tries after SSH:
 *   Dovecot  "imap-login: Disconnected (auth failed, 7 attempts in 111 secs): user=<u>,
 *            method=PLAIN, rip=A, lip=B, ...", "imap-login: Login: user=<u>, ... rip=A",
 *            "auth-worker(default): sql(u,A): Password mismatch" (passdb lookups);
 *   ProFTPD  "HOST (NAME[A]) - USER u: Login successful.", "... USER u (Login failed): ...";
 *   vsftpd   "[pid 1] [u] FAIL LOGIN: Client "A"", "OK LOGIN: Client "A"".
 * Formats from Dovecot's and ProFTPD's documentation of their log messages and vsftpd's
 * vsftpd.conf(5) (log_ftp_protocol off); samples in tests/data/logs/parsers.txt. */
#include <string.h>

#include "logs/logs.h"
#include "logs/logs_kv.h"

#define LIT(s) s, sizeof(s) - 1

static bool starts(const char *p, size_t n, const char *lit, size_t ln) { return n >= ln && memcmp(p, lit, ln) == 0; }

/* An address, IPv4-mapped IPv6 ("::ffff:1.2.3.4") as its IPv4 form. */
static void set_ip(log_rec *r, log_field f, const char *p, size_t n)
{
    if (n > 7 && starts(p, n, LIT("::ffff:")) && memchr(p + 7, '.', n - 7))
        p += 7, n -= 7;
    if (log_is_ip(p, n))
        log_set(r, f, p, n);
}

static void login(log_rec *r, const char *action, const char *outcome)
{
    log_set_str(r, LF_EVENT_ACTION, action);
    log_set_str(r, LF_EVENT_CATEGORY, "authentication");
    if (outcome)
        log_set_str(r, LF_EVENT_OUTCOME, outcome);
}

/* The value of "key" in Dovecot's "k=v, k=<v>, ..." list. */
static bool dv_value(const char *m, const char *end, const char *key, log_val *out)
{
    size_t kl = strlen(key);
    for (const char *k = m; (k = log_find(k, (size_t)(end - k), key)) != NULL; k += kl) {
        if (k != m && k[-1] != ' ' && k[-1] != ',')
            continue;
        const char *v = k + kl, *e;
        if (v < end && *v == '<') {
            v++;
            e = memchr(v, '>', (size_t)(end - v));
            if (!e)
                return false;
        } else {
            e = v;
            while (e < end && *e != ',' && *e != ' ')
                e++;
        }
        *out = (log_val){v, (uint32_t)(e - v)};
        return true;
    }
    return false;
}

bool log_parse_dovecot(log_rec *r, const char *m, size_t n)
{
    const char *end = m + n;
    static const char *const levels[] = {"Info: ", "Warning: ", "Error: ", "Fatal: ", "Panic: ", NULL};
    for (int i = 0; levels[i]; i++)
        if (starts(m, n, levels[i], strlen(levels[i]))) {
            m += strlen(levels[i]);
            n -= strlen(levels[i]);
            break;
        }
    const char *colon = log_find(m, n < 64 ? n : 64, ": ");
    if (!colon)
        return false;
    log_set_str(r, LF_EVENT_DATASET, "dovecot");
    log_set(r, LF_MESSAGE, m, n);
    const char *t = colon + 2;
    size_t tn = (size_t)(end - t);
    log_val v;
    if (log_find(m, (size_t)(colon - m), "-login")) { /* imap-login, pop3-login, submission-login, ... */
        bool ok = starts(t, tn, LIT("Login: "));
        bool failed = log_find(t, tn < 96 ? tn : 96, "(auth failed") ||
                      log_find(t, tn < 96 ? tn : 96, " authentication attempts") ||
                      log_find(t, tn < 96 ? tn : 96, "authentication failure");
        if (ok || failed)
            login(r, "mail_login", failed ? "failure" : "success");
        if (dv_value(t, end, "user=", &v) && v.n)
            log_set(r, LF_USER_NAME, v.p, v.n);
        if (dv_value(t, end, "rip=", &v))
            set_ip(r, LF_SOURCE_IP, v.p, v.n);
        if (dv_value(t, end, "lip=", &v))
            set_ip(r, LF_DEST_IP, v.p, v.n);
        return true;
    }
    /* passdb and userdb lookups: "sql(user,1.2.3.4[,<session>]): Password mismatch" */
    const char *par = memchr(t, '(', tn), *pe = par ? memchr(par, ')', (size_t)(end - par)) : NULL;
    if (starts(m, (size_t)(colon - m), LIT("auth")) && par && pe && pe + 2 < end && pe[1] == ':') {
        const char *u = par + 1, *c1 = memchr(u, ',', (size_t)(pe - u));
        if (c1) {
            log_set(r, LF_USER_NAME, u, (size_t)(c1 - u));
            const char *a = c1 + 1, *c2 = memchr(a, ',', (size_t)(pe - a));
            set_ip(r, LF_SOURCE_IP, a, (size_t)((c2 ? c2 : pe) - a));
        }
        const char *why = pe + 2;
        size_t wn = (size_t)(end - why);
        if (log_find(why, wn, "mismatch") || log_find(why, wn, "unknown user") || log_find(why, wn, "failed") ||
            log_find(why, wn, "not found"))
            login(r, "mail_login", "failure");
    }
    return true;
}

/* ProFTPD: "HOST (NAME[A]) - TEXT" or "HOST (NAME[A]): TEXT". */
bool log_parse_proftpd(log_rec *r, const char *m, size_t n)
{
    const char *end = m + n;
    log_set_str(r, LF_EVENT_DATASET, "proftpd");
    log_set(r, LF_MESSAGE, m, n);
    const char *o = memchr(m, '(', n < 300 ? n : 300);
    const char *b = o ? memchr(o, '[', (size_t)(end - o)) : NULL, *be = b ? memchr(b, ']', (size_t)(end - b)) : NULL;
    const char *t = m;
    if (be && be + 1 < end && be[1] == ')') {
        set_ip(r, LF_SOURCE_IP, b + 1, (size_t)(be - b - 1));
        t = be + 2;
        if (starts(t, (size_t)(end - t), LIT(" - ")))
            t += 3;
        else if (starts(t, (size_t)(end - t), LIT(": ")))
            t += 2;
    }
    size_t tn = (size_t)(end - t);
    if (starts(t, tn, LIT("USER ")) || starts(t, tn, LIT("ANON "))) {
        const char *u = t + 5, *ue = u;
        while (ue < end && *ue != ' ' && *ue != ':')
            ue++;
        log_set(r, LF_USER_NAME, u, (size_t)(ue - u));
        if (log_find(ue, (size_t)(end - ue), "Login successful"))
            login(r, "ftp_login", "success");
        else if (log_find(ue, (size_t)(end - ue), "Login failed") || log_find(ue, (size_t)(end - ue), "no such user"))
            login(r, "ftp_login", "failure");
    } else if (starts(t, tn, LIT("refused connect from "))) {
        const char *a = t + 21, *ae = a;
        while (ae < end && *ae != ' ')
            ae++;
        set_ip(r, LF_SOURCE_IP, a, (size_t)(ae - a));
        log_set_str(r, LF_EVENT_ACTION, "deny");
        log_set_str(r, LF_EVENT_CATEGORY, "network");
    } else if (starts(t, tn, LIT("Connection from ")) && log_find(t, tn, " denied")) {
        const char *a = memchr(t, '[', tn), *ae = a ? memchr(a, ']', (size_t)(end - a)) : NULL;
        if (ae)
            set_ip(r, LF_SOURCE_IP, a + 1, (size_t)(ae - a - 1));
        log_set_str(r, LF_EVENT_ACTION, "deny");
        log_set_str(r, LF_EVENT_CATEGORY, "network");
    }
    return true;
}

/* vsftpd through syslog: "[pid 1] [user] FAIL LOGIN: Client "A"". */
bool log_parse_vsftpd(log_rec *r, const char *m, size_t n)
{
    const char *end = m + n, *t = m;
    log_set_str(r, LF_EVENT_DATASET, "vsftpd");
    log_set(r, LF_MESSAGE, m, n);
    if (starts(t, n, LIT("[pid "))) {
        const char *e = memchr(t, ']', n);
        t = e ? e + 1 : t;
        while (t < end && *t == ' ')
            t++;
    }
    log_val user = {0};
    if (t < end && *t == '[') {
        const char *e = memchr(t, ']', (size_t)(end - t));
        if (e) {
            user = (log_val){t + 1, (uint32_t)(e - t - 1)};
            t = e + 1;
            while (t < end && *t == ' ')
                t++;
        }
    }
    const char *c = log_find(t, (size_t)(end - t), "Client \"");
    if (c) {
        const char *a = c + 8, *ae = memchr(a, '"', (size_t)(end - a));
        if (ae)
            set_ip(r, LF_SOURCE_IP, a, (size_t)(ae - a));
    }
    bool fail = starts(t, (size_t)(end - t), LIT("FAIL LOGIN:")), ok = starts(t, (size_t)(end - t), LIT("OK LOGIN:"));
    if (fail || ok) {
        login(r, "ftp_login", fail ? "failure" : "success");
        if (user.n)
            log_set(r, LF_USER_NAME, user.p, user.n);
    }
    return true;
}
