#include "core/kw_log.h"
#include "core/kw_err.h"
#include "core/kw_time.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

static const char *log_ident = "keepwatch";
static kw_log_level log_max = KW_LOG_INFO;
static bool log_syslog;
static const char *const level_names[] = {"error", "warn", "info", "debug"};

void kw_log_init(const char *ident, kw_log_level level, bool use_syslog)
{
    log_ident = ident;
    log_max = level;
    log_syslog = use_syslog;
    if (use_syslog)
        openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void kw_log_set_level(kw_log_level level) { log_max = level; }

const char *kw_log_level_name(kw_log_level level) { return level_names[level]; }

int kw_log_level_parse(const char *s, kw_log_level *out)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, level_names[i]) == 0) {
            *out = (kw_log_level)i;
            return 0;
        }
    return -1;
}

static void log_vemit(kw_log_level level, const char *fmt, va_list ap)
{
    if (level > log_max)
        return;
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (log_syslog) {
        static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
        syslog(prio[level], "%s", msg);
        return;
    }
    char ts[40];
    kw_time_iso8601(kw_now_ms(), ts, sizeof ts);
    /* One fprintf per line: stdio locks the stream, so threads do not interleave. */
    fprintf(stderr, "%s %s[%d]: %s: %s\n", ts, log_ident, (int)getpid(), level_names[level], msg);
}

void kw_log(kw_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vemit(level, fmt, ap);
    va_end(ap);
}

void fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vemit(KW_LOG_ERROR, fmt, ap);
    va_end(ap);
    exit(1);
}

const char *kw_rc_str(kw_rc rc)
{
    switch (rc) {
    case KW_OK: return "ok";
    case KW_ERR_NOMEM: return "out of memory";
    case KW_ERR_IO: return "i/o error";
    case KW_ERR_PARSE: return "parse error";
    case KW_ERR_RANGE: return "value out of range";
    case KW_ERR_NOTFOUND: return "not found";
    case KW_ERR_FULL: return "full";
    case KW_ERR_TIMEOUT: return "timed out";
    case KW_ERR_STORE: return "store error";
    case KW_ERR_CANCELLED: return "cancelled";
    case KW_ERR_UNSUPPORTED: return "unsupported";
    }
    return "unknown error";
}
