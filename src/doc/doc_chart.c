/* What the renderers share: their fixed words in Chinese and English, number and time
 * formatting, round axis ticks for the charts, and the series colours. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "doc/doc_int.h"

static const doc_words words_zh = {
    .page_fmt = "第 %d 页 / 共 %d 页",
    .time = "时间",
    .value = "数值",
    .label = "项目",
    .truncated = "（文档已达到大小上限，其余内容未收录）",
    .period = "报告期间",
    .org = "单位",
    .nodata = "无数据",
    .colon = "：",
    .note = {"说明", "注意", "紧急"},
};

static const doc_words words_en = {
    .page_fmt = "Page %d of %d",
    .time = "Time",
    .value = "Value",
    .label = "Item",
    .truncated = "(The document reached its size limit; the rest is left out.)",
    .period = "Period",
    .org = "Organisation",
    .nodata = "No data",
    .colon = ": ",
    .note = {"Note", "Warning", "Urgent"},
};

kw_rc doc_lang_parse(const char *s, doc_lang *out)
{
    if (!s)
        return KW_ERR_PARSE;
    if (!strcasecmp(s, "zh") || !strcasecmp(s, "cn") || !strncasecmp(s, "zh-", 3) || !strncasecmp(s, "zh_", 3))
        *out = DOC_LANG_ZH;
    else if (!strcasecmp(s, "en") || !strncasecmp(s, "en-", 3) || !strncasecmp(s, "en_", 3))
        *out = DOC_LANG_EN;
    else
        return KW_ERR_PARSE;
    return KW_OK;
}

const doc_words *doc_words_of(doc_lang lang)
{
    return lang == DOC_LANG_EN ? &words_en : &words_zh;
}

void doc_fmt_num(double v, char *out, size_t n)
{
    if (!isfinite(v))
        v = 0;
    if (fabs(v) < 1e15 && v == floor(v))
        snprintf(out, n, "%.0f", v);
    else if (fabs(v) >= 1e15 || fabs(v) < 1e-3)
        snprintf(out, n, "%.3g", v);
    else
        snprintf(out, n, "%.3f", v);
    /* 1.500 -> 1.5 */
    char *dot = strchr(out, '.');
    if (dot && !strpbrk(out, "eE")) {
        char *e = out + strlen(out) - 1;
        while (e > dot && *e == '0')
            *e-- = '\0';
        if (e == dot)
            *e = '\0';
    }
    if (!strcmp(out, "-0"))
        snprintf(out, n, "0");
}

/* t in local time as broken-down time; false when out of range. */
static bool local_tm(int64_t t_ms, int tz_min, struct tm *tm)
{
    int64_t s = t_ms / 1000 - (t_ms % 1000 < 0) + (int64_t)tz_min * 60;
    time_t tt = (time_t)s;
    return gmtime_r(&tt, tm) != NULL;
}

void doc_fmt_time(int64_t t_ms, int tz_min, bool with_date, char *out, size_t n)
{
    struct tm tm;
    if (!local_tm(t_ms, tz_min, &tm)) {
        snprintf(out, n, "?");
        return;
    }
    if (with_date)
        snprintf(out, n, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min);
    else
        snprintf(out, n, "%02d:%02d", tm.tm_hour, tm.tm_min);
}

void doc_fmt_tick(const doc_taxis *ax, int64_t t_ms, int tz_min, char *out, size_t n)
{
    struct tm tm;
    if (!local_tm(t_ms, tz_min, &tm))
        snprintf(out, n, "?");
    else if (ax->step_ms < 60000)
        snprintf(out, n, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
    else if (ax->step_ms >= 86400000)
        snprintf(out, n, "%02d-%02d", tm.tm_mon + 1, tm.tm_mday);
    else if (ax->with_date)
        snprintf(out, n, "%02d-%02d %02d:%02d", tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
    else
        snprintf(out, n, "%02d:%02d", tm.tm_hour, tm.tm_min);
}

#define VAL_CLAMP 1e15

void doc_axis_nice(double lo, double hi, int want, doc_axis *ax)
{
    lo = fmax(-VAL_CLAMP, fmin(VAL_CLAMP, lo));
    hi = fmax(-VAL_CLAMP, fmin(VAL_CLAMP, hi));
    if (hi < lo) {
        double t = lo;
        lo = hi, hi = t;
    }
    if (hi - lo < 1e-9)
        hi = lo + (fabs(lo) > 1 ? fabs(lo) * 0.1 : 1);
    want = want < 2 ? 2 : want > 11 ? 11 : want;
    double raw = (hi - lo) / want, mag = pow(10, floor(log10(raw))), step = mag * 10;
    static const double mult[] = {1, 2, 2.5, 5, 10};
    for (size_t i = 0; i < sizeof mult / sizeof *mult; i++)
        if (mag * mult[i] >= raw) {
            step = mag * mult[i];
            break;
        }
    ax->step = step;
    ax->lo = floor(lo / step) * step;
    ax->hi = ceil(hi / step) * step;
    if (ax->hi <= ax->lo)
        ax->hi = ax->lo + step;
    ax->count = (int)floor((ax->hi - ax->lo) / step + 0.5) + 1;
    if (ax->count > 13)
        ax->count = 13;
}

void doc_taxis_nice(int64_t t0, int64_t t1, int tz_min, int want, doc_taxis *ax)
{
    static const int64_t steps[] = {
        1000, 5000, 15000, 30000, 60000, 300000, 600000, 900000, 1800000, 3600000, 7200000, 10800000,
        21600000, 43200000, 86400000, 2 * 86400000LL, 7 * 86400000LL, 14 * 86400000LL, 30 * 86400000LL,
        91 * 86400000LL, 365 * 86400000LL, 3650 * 86400000LL, 36500 * 86400000LL, 365000 * 86400000LL,
    };
    if (t1 <= t0) /* one instant: the hour around it */
        t0 -= 1800000, t1 += 1800000;
    want = want < 2 ? 2 : want;
    int64_t step = steps[sizeof steps / sizeof *steps - 1];
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        if ((t1 - t0) / steps[i] < want) {
            step = steps[i];
            break;
        }
    int64_t tz = (int64_t)tz_min * 60000, local = t0 + tz;
    int64_t first = (local / step + (local % step > 0)) * step - tz;
    struct tm a, b;
    ax->t0 = t0, ax->t1 = t1, ax->step_ms = step, ax->first = first;
    ax->with_date = !local_tm(t0, tz_min, &a) || !local_tm(t1, tz_min, &b) || a.tm_yday != b.tm_yday ||
                    a.tm_year != b.tm_year;
}

bool doc_line_range(const doc_block *b, int64_t *t0, int64_t *t1, double *lo, double *hi)
{
    bool any = false;
    for (size_t i = 0; i < b->nseries; i++) {
        const doc_series *s = &b->series[i];
        for (size_t j = 0; j < s->n; j++) {
            const doc_point *p = &s->pts[j];
            if (!any || p->t < *t0)
                *t0 = p->t;
            if (!any || p->t > *t1)
                *t1 = p->t;
            if (!any || p->v < *lo)
                *lo = p->v;
            if (!any || p->v > *hi)
                *hi = p->v;
            any = true;
        }
    }
    if (any && *lo > 0)
        *lo = 0;
    return any;
}

void doc_bar_range(const doc_block *b, double *lo, double *hi)
{
    *lo = 0, *hi = 0;
    for (size_t i = 0; i < b->nbars; i++) {
        *lo = fmin(*lo, b->bars[i].v);
        *hi = fmax(*hi, b->bars[i].v);
    }
}

const char *doc_color(size_t i)
{
    static const char *const colors[] = {"#1f6fb2", "#d9534f", "#2e9e5b", "#e69a1d",
                                         "#7a4fb5", "#17a2b8", "#8c564b", "#c2185b"};
    return colors[i % (sizeof colors / sizeof *colors)];
}
