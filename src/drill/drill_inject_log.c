/* The log injection: lines of a built-in set (or given ones) written the way the real source
 * writes them, appended to a file keepwatch watches (one write per line, O_APPEND) or sent to
 * its syslog listener (RFC 5424 over UDP, or RFC 6587 octet-counted over TCP), at the
 * injection's rate, a poll's worth at a time so the drill thread never waits long.
 *
 * The sets' lines were written for keepwatch after the formats' documentation: OpenSSH's
 * auth.c messages in rsyslog's RFC 3339 file format (Debian 12's default), the Apache/nginx
 * combined log format, FortiOS's traffic log fields (FortiOS log reference), MySQL 8's error
 * log (ER_ACCESS_DENIED_ERROR_WITH_PASSWORD, MY-010926). */
#include "drill/drill_inject_int.h"
#include "drill/drill_lines.h"
#include "drill/drill_pcap.h"
#include "core/kw_mem.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define LOG_POLL_MAX 500       /* lines sent in one poll at most */
#define LOG_CONNECT_MS 2000    /* a syslog listener that does not answer by then is not there */
#define LOG_SEND_MS 1000
#define LOG_DEFAULT_RATE 20.0
#define LOG_HOST "kw-drill"   /* the host name the syslog-style lines carry */

static const char *const ssh_lines[] = {
    "Failed password for root from {src} port {port} ssh2",
    "Failed password for root from {src} port {port} ssh2",
    "Failed password for admin from {src} port {port} ssh2",
};
static const char *const web_lines[] = {
    "{src} - - [{time}] \"GET /products.php?id=1%27%20UNION%20SELECT%20username,password%20FROM%20users--%20- "
    "HTTP/1.1\" 200 1532 \"http://{target}/\" \"Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101\"",
    "{src} - - [{time}] \"GET /search?q=%3Cscript%3Ealert(document.cookie)%3C/script%3E HTTP/1.1\" 200 2210 "
    "\"http://{target}/\" \"Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101\"",
    "{src} - - [{time}] \"GET /download.php?file=../../../../etc/passwd HTTP/1.1\" 404 162 \"-\" "
    "\"Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101\"",
    "{src} - - [{time}] \"GET /item?id=7%20AND%20SLEEP(5) HTTP/1.1\" 200 1532 \"http://{target}/\" "
    "\"Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101\"",
};
static const char *const fw_lines[] = {
    "{time} devname=\"FGT-DRILL\" devid=\"FGT60E0000000000\" logid=\"0000000013\" type=\"traffic\" "
    "subtype=\"forward\" level=\"notice\" vd=\"root\" srcip={src} srcport={port} srcintf=\"wan1\" "
    "dstip={target} dstport={dport} dstintf=\"internal\" sessionid={seq} proto=6 action=\"deny\" policyid=7 "
    "policytype=\"policy\" service=\"tcp/{dport}\" trandisp=\"noop\" duration=0 sentbyte=0 rcvdbyte=0",
};
static const char *const db_lines[] = {
    "{time} {seq} [Note] [MY-010926] [Server] Access denied for user 'root'@'{src}' (using password: YES)",
};

#define N(a) (sizeof a / sizeof a[0])
static const drill_line_set sets[] = {
    {"ssh_brute_force", "failed SSH password logins (auth.log)", "SSH 口令登录失败（auth.log）", DRILL_LINES_SYSLOG,
     "sshd", 4 * 8 + 6, 30, ssh_lines, N(ssh_lines), "ssh_brute_force"},
    {"web_attack", "SQL injection, XSS and path traversal requests (access log)",
     "SQL 注入、XSS 与路径穿越请求（访问日志）", DRILL_LINES_ACCESS, "nginx", 23 * 8 + 6, 12, web_lines,
     N(web_lines), "sql_injection,xss,path_traversal"},
    {"firewall_deny", "a surge of FortiGate deny-rule hits", "FortiGate 拒绝策略命中激增", DRILL_LINES_KV, NULL,
     23 * 8 + 5, 120, fw_lines, N(fw_lines), "rule_hit_surge", "FGT-DRILL"},
    {"db_login_failure", "failed MySQL logins (error log)", "MySQL 登录失败（错误日志）", DRILL_LINES_MYSQL, "mysqld",
     3 * 8 + 4, 30, db_lines, N(db_lines), "db_brute_force"},
};
/* Given lines: as they are in a file, "<PRI>" before them by syslog. */
static const drill_line_set given = {"lines", "the lines given", "给定的日志行", DRILL_LINES_KV, NULL, 1 * 8 + 5, 0,
                                     NULL, 0, NULL};

const drill_line_set *drill_lines_builtin(const char *name)
{
    for (size_t i = 0; name && i < N(sets); i++)
        if (strcmp(sets[i].name, name) == 0)
            return &sets[i];
    return NULL;
}

/* ---- rendering ---- */

static void tm_local(int64_t ms, struct tm *tm, long *off_min)
{
    time_t t = (time_t)(ms / 1000);
    localtime_r(&t, tm);
    *off_min = tm->tm_gmtoff / 60;
}

/* "2026-12-02T04:25:16.123456+08:00" (local; UTC with Z when utc). */
static void put_iso(kw_buf *out, int64_t ms, bool utc, bool micro)
{
    struct tm tm;
    long off = 0;
    time_t t = (time_t)(ms / 1000);
    if (utc)
        gmtime_r(&t, &tm);
    else
        tm_local(ms, &tm, &off);
    char b[64];
    strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &tm);
    kw_buf_puts(out, b);
    if (micro)
        kw_buf_printf(out, ".%06d", (int)(ms % 1000) * 1000);
    else
        kw_buf_printf(out, ".%03d", (int)(ms % 1000));
    if (utc)
        kw_buf_putc(out, 'Z');
    else
        kw_buf_printf(out, "%c%02ld:%02ld", off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
}

static void put_time(kw_buf *out, drill_lines_form form, int64_t ms)
{
    struct tm tm;
    long off;
    char b[64];
    switch (form) {
    case DRILL_LINES_SYSLOG: put_iso(out, ms, false, true); return;
    case DRILL_LINES_MYSQL: put_iso(out, ms, true, true); return;
    case DRILL_LINES_ACCESS:
        tm_local(ms, &tm, &off);
        strftime(b, sizeof b, "%d/%b/%Y:%H:%M:%S", &tm);
        kw_buf_printf(out, "%s %c%02ld%02ld", b, off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
        return;
    case DRILL_LINES_KV:
        tm_local(ms, &tm, &off);
        strftime(b, sizeof b, "date=%Y-%m-%d time=%H:%M:%S", &tm);
        kw_buf_puts(out, b);
        return;
    }
}

void drill_lines_render(const drill_line_set *set, const char *t, const drill_line_vars *v, kw_buf *out)
{
    drill_lines_form form = set ? set->form : DRILL_LINES_ACCESS;
    for (const char *p = t; *p;) {
        const char *q = strchr(p, '{');
        if (!q) {
            kw_buf_puts(out, p);
            break;
        }
        kw_buf_append(out, p, (size_t)(q - p));
        const char *e = strchr(q, '}');
        size_t k = e ? (size_t)(e - q - 1) : 0;
#define IS(w) (k == sizeof w - 1 && memcmp(q + 1, w, k) == 0)
        if (IS("src"))
            kw_buf_puts(out, v->src ? v->src : "");
        else if (IS("target"))
            kw_buf_puts(out, v->target ? v->target : "");
        else if (IS("port"))
            kw_buf_put_int(out, 40000 + (long long)(v->seq * 7919u % 25000u));
        else if (IS("dport"))
            kw_buf_put_int(out, 1 + (long long)(v->seq * 104729u % 65535u));
        else if (IS("seq"))
            kw_buf_put_int(out, 10000 + (long long)v->seq);
        else if (IS("time"))
            put_time(out, form, v->now_ms);
        else {
            kw_buf_putc(out, '{'); /* not a placeholder: kept */
            p = q + 1;
            continue;
        }
#undef IS
        p = e + 1;
    }
}

void drill_lines_file_line(const drill_line_set *set, const char *t, const drill_line_vars *v, kw_buf *out)
{
    if (set && set->form == DRILL_LINES_SYSLOG) {
        put_time(out, set->form, v->now_ms);
        kw_buf_printf(out, " %s %s[%u]: ", LOG_HOST, set->app, 2000 + v->seq / 3);
    }
    drill_lines_render(set, t, v, out);
}

void drill_lines_syslog_msg(const drill_line_set *set, const char *t, const drill_line_vars *v, kw_buf *out)
{
    if (!set || set->form == DRILL_LINES_KV) {
        kw_buf_printf(out, "<%d>", set ? set->pri : 13);
        drill_lines_render(set, t, v, out);
        return;
    }
    /* RFC 5424: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG */
    kw_buf_printf(out, "<%d>1 ", set->pri);
    put_iso(out, v->now_ms, false, true);
    kw_buf_printf(out, " %s %s %u - - ", LOG_HOST, set->app, 2000 + v->seq / 3);
    drill_lines_render(set, t, v, out);
}

/* ---- where they go ---- */

static bool has_glob(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

/* Whether path is one of the files an enabled file input of c watches. */
static bool file_watched(const conf *c, const char *path)
{
    for (size_t i = 0; i < c->logs.inputs.n; i++) {
        const conf_log_input *in = CONF_AT(c->logs.inputs, conf_log_input, i);
        if (in->type != LOG_INPUT_FILE || !in->enabled)
            continue;
        for (size_t k = 0; k < in->paths.n; k++)
            if (strcmp(in->paths.v[k], path) == 0 || fnmatch(in->paths.v[k], path, FNM_PATHNAME) == 0)
                return true;
    }
    return false;
}

/* "HOST:PORT" or "[V6]:PORT" into d; a wildcard host is the loopback. */
static bool split_hostport(const char *s, drill_log_dest *d)
{
    const char *colon = strrchr(s, ':');
    if (!colon || !colon[1] || strlen(colon + 1) >= sizeof d->port || colon == s)
        return false;
    size_t hn = (size_t)(colon - s);
    if (s[0] == '[' && colon[-1] == ']')
        s++, hn -= 2;
    if (!hn || hn >= sizeof d->host)
        return false;
    memcpy(d->host, s, hn);
    d->host[hn] = 0;
    kw_strlcpy(d->port, colon + 1, sizeof d->port);
    for (const char *p = d->port; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    if (strcmp(d->host, "0.0.0.0") == 0 || strcmp(d->host, "*") == 0)
        kw_strlcpy(d->host, "127.0.0.1", sizeof d->host);
    else if (strcmp(d->host, "::") == 0)
        kw_strlcpy(d->host, "::1", sizeof d->host);
    return true;
}

kw_rc drill_log_dest_of(const conf *c, const conf_drill_inject *x, drill_log_dest *d, char *err, size_t n)
{
    memset(d, 0, sizeof *d);
    if (x->file) {
        if (!file_watched(c, x->file)) {
            snprintf(err, n, "%s is not one of the files logs.inputs watches", x->file);
            return KW_ERR_NOTFOUND;
        }
        kw_strlcpy(d->file, x->file, sizeof d->file);
        return KW_OK;
    }
    if (x->syslog) {
        bool tcp = strncmp(x->syslog, "tcp://", 6) == 0;
        if ((!tcp && strncmp(x->syslog, "udp://", 6) != 0) || !split_hostport(x->syslog + 6, d)) {
            snprintf(err, n, "syslog: \"%s\" is not udp://HOST:PORT or tcp://HOST:PORT", x->syslog);
            return KW_ERR_PARSE;
        }
        d->tcp = tcp;
        return KW_OK;
    }
    for (size_t i = 0; i < c->logs.inputs.n; i++) { /* the first syslog listener ... */
        const conf_log_input *in = CONF_AT(c->logs.inputs, conf_log_input, i);
        if (in->type == LOG_INPUT_SYSLOG && in->enabled && in->listen && split_hostport(in->listen, d)) {
            d->tcp = in->protocol == LOG_PROTO_TCP;
            return KW_OK;
        }
    }
    for (size_t i = 0; i < c->logs.inputs.n; i++) { /* ... else the first file named without a pattern */
        const conf_log_input *in = CONF_AT(c->logs.inputs, conf_log_input, i);
        for (size_t k = 0; in->type == LOG_INPUT_FILE && in->enabled && k < in->paths.n; k++)
            if (!has_glob(in->paths.v[k])) {
                kw_strlcpy(d->file, in->paths.v[k], sizeof d->file);
                return KW_OK;
            }
    }
    snprintf(err, n, "no file: or syslog: given, and logs.inputs has no syslog listener nor a file named "
                     "without a pattern to send the lines to");
    return KW_ERR_NOTFOUND;
}

/* ---- the injection ---- */

typedef struct log_inj {
    const drill_line_set *set;
    const conf_strs *given;     /* the lines given (set is &given) */
    drill_log_dest dest;
    int fd;
    int64_t start_ms, count, sent;
    double rate;
    char src[64], target[64];
    kw_buf line;
} log_inj;

static size_t inj_nlines(const log_inj *l)
{
    return l->given ? l->given->n : l->set->nlines;
}

static const char *inj_template(const log_inj *l, int64_t i)
{
    size_t k = (size_t)i % inj_nlines(l);
    return l->given ? l->given->v[k] : l->set->lines[k];
}

/* Connects fd to ai within ms; a stream socket's writes then give up after LOG_SEND_MS (a
 * listener that stops reading fails the injection instead of holding the drill thread). */
static bool connect_within(int fd, const struct addrinfo *ai, int ms)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
        return false;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS)
            return false;
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int e = 0;
        socklen_t el = sizeof e;
        int r = poll(&p, 1, ms);
        if (r == 0)
            errno = ETIMEDOUT;
        if (r <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0)
            return false;
        if (e) {
            errno = e;
            return false;
        }
    }
    struct timeval tv = {LOG_SEND_MS / 1000, LOG_SEND_MS % 1000 * 1000};
    return fcntl(fd, F_SETFL, fl) == 0 && setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0;
}

/* Opens the file or connects the socket. */
static kw_rc inj_open(log_inj *l, char *err, size_t n)
{
    if (l->dest.file[0]) {
        l->fd = open(l->dest.file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0640);
        if (l->fd < 0) {
            snprintf(err, n, "%s: %s", l->dest.file, strerror(errno));
            return KW_ERR_IO;
        }
        return KW_OK;
    }
    struct addrinfo hints = {.ai_socktype = l->dest.tcp ? SOCK_STREAM : SOCK_DGRAM}, *ai = NULL;
    int rc = getaddrinfo(l->dest.host, l->dest.port, &hints, &ai);
    if (rc != 0) {
        snprintf(err, n, "%s: %s", l->dest.host, gai_strerror(rc));
        return KW_ERR_NOTFOUND;
    }
    l->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
    if (l->fd >= 0 && !connect_within(l->fd, ai, LOG_CONNECT_MS)) {
        snprintf(err, n, "%s://%s:%s: %s", l->dest.tcp ? "tcp" : "udp", l->dest.host, l->dest.port, strerror(errno));
        close(l->fd);
        l->fd = -1;
        freeaddrinfo(ai);
        return KW_ERR_IO;
    }
    freeaddrinfo(ai);
    if (l->fd < 0) {
        snprintf(err, n, "socket: %s", strerror(errno));
        return KW_ERR_IO;
    }
    return KW_OK;
}

/* Writes all of p[0..len) (a line, a frame); false with err on failure. */
static bool write_all(int fd, const char *p, size_t len, bool dgram, char *err, size_t n)
{
    while (len) {
        ssize_t w = dgram ? send(fd, p, len, MSG_NOSIGNAL) : write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            snprintf(err, n, "%s", strerror(errno));
            return false;
        }
        if (dgram)
            return true;
        p += w;
        len -= (size_t)w;
    }
    return true;
}

static bool inj_send(log_inj *l, int64_t now, char *err, size_t n)
{
    drill_line_vars v = {l->src, l->target, now, (uint32_t)l->sent};
    const char *t = inj_template(l, l->sent);
    kw_buf_reset(&l->line);
    if (l->dest.file[0]) {
        drill_lines_file_line(l->set, t, &v, &l->line);
        kw_buf_putc(&l->line, '\n');
        return write_all(l->fd, l->line.data, l->line.len, false, err, n);
    }
    drill_lines_syslog_msg(l->set, t, &v, &l->line);
    if (!l->dest.tcp)
        return write_all(l->fd, l->line.data, l->line.len, true, err, n);
    char head[32];
    int hn = snprintf(head, sizeof head, "%zu ", l->line.len); /* RFC 6587 octet counting */
    return write_all(l->fd, head, (size_t)hn, false, err, n) && write_all(l->fd, l->line.data, l->line.len, false, err, n);
}

static bool log_done(void *st, int64_t now, bool *failed, char *err, size_t n)
{
    log_inj *l = st;
    if (failed)
        *failed = false;
    double elapsed = (double)(now - l->start_ms) / 1000.0;
    int64_t due = elapsed < 0 ? 1 : (int64_t)(elapsed * l->rate) + 1;
    if (due > l->count)
        due = l->count;
    for (int k = 0; l->sent < due && k < LOG_POLL_MAX; k++) {
        if (!inj_send(l, now, err, n)) {
            if (failed)
                *failed = true;
            return true;
        }
        l->sent++;
    }
    return l->sent >= l->count;
}

static void log_stop(void *st)
{
    log_inj *l = st;
    if (l->fd >= 0)
        close(l->fd);
    kw_buf_free(&l->line);
    free(l);
}

static const drill_inj_ops log_ops = {log_done, log_stop};

/* The set x names, or the given lines (set = &given); NULL with err when neither. */
static const drill_line_set *set_of(const conf_drill_inject *x, char *err, size_t n)
{
    if (x->log && strcmp(x->log, "lines") != 0) {
        const drill_line_set *s = drill_lines_builtin(x->log);
        if (!s)
            snprintf(err, n, "no built-in line set \"%s\" (ssh_brute_force, web_attack, firewall_deny, "
                             "db_login_failure)", x->log);
        return s;
    }
    if (!x->lines.n) {
        snprintf(err, n, "log: lines with no lines given");
        return NULL;
    }
    return &given;
}

/* The attacking address: the injection's, else one of 198.51.100.0/24 picked by the run. */
static void source_of(const conf_drill_inject *x, int64_t run_id, char *out, size_t n)
{
    if (x->source)
        kw_strlcpy(out, x->source, n);
    else
        snprintf(out, n, "198.51.100.%d", (int)(20 + (run_id < 0 ? 0 : run_id) % 200));
}

kw_rc drill_log_start(const drill_inject_env *env, const conf_drill_inject *x, int64_t now, drill_seen *seen,
                      void **st, const drill_inj_ops **ops, char *err, size_t n)
{
    const drill_line_set *set = set_of(x, err, n);
    if (!set)
        return KW_ERR_NOTFOUND;
    log_inj *l = kw_calloc(1, sizeof *l);
    l->fd = -1;
    l->set = set;
    l->given = set == &given ? &x->lines : NULL;
    kw_rc rc = drill_log_dest_of(env->conf, x, &l->dest, err, n);
    if (rc == KW_OK)
        rc = inj_open(l, err, n);
    if (rc != KW_OK) {
        log_stop(l);
        return rc;
    }
    l->start_ms = now;
    l->count = x->count > 0 ? x->count : set->count > 0 ? set->count : (int64_t)x->lines.n;
    l->rate = x->rate > 0 ? x->rate : LOG_DEFAULT_RATE;
    source_of(x, env->run_id, l->src, sizeof l->src);
    kw_strlcpy(l->target, x->target ? x->target : "192.0.2.10", sizeof l->target);
    kw_buf_init(&l->line, 0);
    drill_seen_add(seen, l->src);
    if (set->marks) /* the surge's labels are the device's and its rule's */
        drill_seen_add(seen, set->marks);
    *st = l;
    *ops = &log_ops;
    return KW_OK;
}

kw_rc drill_log_plan(const conf *c, const conf_drill_inject *x, bool zh, kw_buf *out, char *err, size_t n)
{
    const drill_line_set *set = set_of(x, err, n);
    if (!set)
        return KW_ERR_NOTFOUND;
    drill_log_dest d;
    kw_rc rc = drill_log_dest_of(c, x, &d, err, n);
    int64_t count = x->count > 0 ? x->count : set->count > 0 ? set->count : (int64_t)x->lines.n;
    double rate = x->rate > 0 ? x->rate : LOG_DEFAULT_RATE;
    char src[64];
    source_of(x, 0, src, sizeof src);
    char to[600];
    if (rc != KW_OK)
        snprintf(to, sizeof to, "?");
    else if (d.file[0])
        snprintf(to, sizeof to, "%s", d.file);
    else
        snprintf(to, sizeof to, "%s://%s:%s", d.tcp ? "tcp" : "udp", d.host, d.port);
    const char *from = x->source ? src : zh ? "198.51.100.0/24 中的一个地址" : "an address of 198.51.100.0/24";
    if (zh)
        kw_buf_printf(out, "向 %s%s %lld 行%s（来源 %s），每秒 %g 行", to, d.file[0] ? " 追加" : " 发送", (long long)count,
                      set->zh, from, rate);
    else
        kw_buf_printf(out, "%s %lld lines of %s (from %s) at %g lines/s to %s", d.file[0] ? "append" : "send",
                      (long long)count, set->en, from, rate, to);
    if (rc == KW_OK && d.file[0] && access(d.file, W_OK) != 0 && errno != ENOENT) {
        snprintf(err, n, "%s: %s", d.file, strerror(errno));
        return KW_ERR_IO;
    }
    return rc;
}
