/* What the message parsers share and no one of them owns: the year of a syslog stamp that
 * has none, and the verdict word of a firewall line. Below logs_parse.c (the envelope and
 * the choice of parser) and the vendor, key=value and Snort parsers it calls, so none of them
 * calls back up into it. */
#include "logs/logs.h"

#include <stdint.h>
#include <string.h>

/* ---- the year of a timestamp without one ---- */

/* The civil year and month of a Unix time (Howard Hinnant's civil_from_days). */
static int year_of(int64_t ms, int *month)
{
    int64_t z = (ms >= 0 ? ms : ms - 86399999) / 86400000 + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    *month = (int)m;
    return (int)(y + (m <= 2));
}
int64_t log_infer_year_ms(const log_parse_opts *o, int mon, int day, int h, int m, int s, int ms)
{
    /* the receive time's year and month, kept while the receive time and zone stay the same */
    static __thread int64_t key_now = INT64_MIN;
    static __thread int32_t key_tz;
    static __thread int now_y, now_mon;
    /* and the last stamp's answer, for the same receive time and zone: the lines of one
     * second carry the same stamp */
    static __thread int last_stamp[6] = {-1, -1, -1, -1, -1, -1};
    static __thread int64_t last_t;
    if (o->now_ms != key_now || o->tz_offset_min != key_tz) {
        now_y = year_of(o->now_ms + (o->tz_offset_min != LOG_TZ_LOCAL ? (int64_t)o->tz_offset_min * 60000 : 0),
                        &now_mon);
        key_now = o->now_ms;
        key_tz = o->tz_offset_min;
        last_stamp[0] = -1;
    }
    const int stamp[6] = {mon, day, h, m, s, ms};
    if (memcmp(stamp, last_stamp, sizeof stamp) == 0)
        return last_t;
    const int64_t ahead = 7LL * 86400000;
    int64_t t = 0;
    /* next year only for a January line read in December */
    for (int cand = now_y + (now_mon == 12 && mon == 1); cand >= now_y - 1; cand--) {
        t = log_local_ms(o, cand, mon, day, h, m, s, ms);
        if (t <= o->now_ms + ahead)
            break;
    }
    memcpy(last_stamp, stamp, sizeof stamp);
    last_t = t;
    return t;
}

/* ---- verdicts ---- */

const char *log_verdict(const char *p, size_t n)
{
    /* the English words, and the Chinese ones (Sangfor, Venustech, ...) only for a non-ASCII value */
    static const char *const deny[] = {"drop", "deny", "reject", "block", "denied", "dropped", "blocked", "refuse",
                                       "reset", NULL, "拒绝", "阻断", "丢弃", "拦截", "阻止", "禁止", NULL};
    static const char *const allow[] = {"accept", "permit", "allow", "pass", "close", "start", "built", NULL,
                                        "允许", "放行", "通过", NULL};
    char low[48];
    bool ascii = true;
    if (n >= sizeof low)
        n = sizeof low - 1;
    for (size_t i = 0; i < n; i++) {
        low[i] = (p[i] >= 'A' && p[i] <= 'Z') ? (char)(p[i] + 32) : p[i];
        ascii &= (unsigned char)p[i] < 0x80;
    }
    low[n] = 0;
    for (int list = 0; list < 2; list++) {
        const char *const *w = list ? allow : deny;
        for (int part = 0; part < (ascii ? 1 : 2); part++, w++)
            for (; *w; w++)
                if (strstr(low, *w))
                    return list ? "allow" : "deny";
    }
    return NULL;
}
