/* The chart painter: a bar chart or a line chart laid out once (title, legend, value axis with
 * grid lines, time or label axis, bars, polylines thinned to the plot's width) and drawn
 * through a doc_paint's primitives, for SVG and for cairo alike. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_mem.h"
#include "doc/doc_int.h"

#define FONT 8.0        /* tick and label size */
#define TITLE 10.0
#define GRID "#dddddd"
#define AXIS "#555555"
#define INK "#222222"

typedef struct plot {
    double x0, y0, x1, y1; /* the plotting area */
    doc_axis ay;
} plot;

double doc_text_width(const char *s, size_t n, double size)
{
    double w = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80)
            w += size * 0.56;
        else if (c >= 0xe0) /* a three- or four-byte sequence: CJK and the like */
            w += size;
        else if (c >= 0xc0)
            w += size * 0.6;
    }
    return w;
}

/* How many bytes of s fit in width w at size, whole characters. */
static size_t text_fit(const char *s, double w, double size)
{
    size_t n = 0, len = strlen(s);
    double used = 0;
    while (n < len) {
        size_t k = 1;
        while (n + k < len && ((unsigned char)s[n + k] & 0xc0) == 0x80)
            k++;
        used += doc_text_width(s + n, k, size);
        if (used > w)
            break;
        n += k;
    }
    return n;
}

static double plot_y(const plot *p, double v)
{
    double f = (v - p->ay.lo) / (p->ay.hi - p->ay.lo);
    return p->y1 - fmax(0, fmin(1, f)) * (p->y1 - p->y0);
}

/* The title (and unit) at the top left, cut to the chart's width. */
static void paint_title(const doc_block *b, double w, const doc_paint *p)
{
    char t[DOC_TEXT_MAX * 2 + 8];
    if (snprintf(t, sizeof t, *b->unit ? "%s (%s)" : "%s", b->text, b->unit) > 0)
        p->text(p->ctx, 0, TITLE * 0.7, t, text_fit(t, w, TITLE), TITLE, -1, true, INK);
}

/* The value axis: grid lines and their labels, and the plot's left edge from the widest. */
static void paint_value_axis(plot *pl, double lo, double hi, double w, const doc_paint *p)
{
    doc_axis_nice(lo, hi, 5, &pl->ay);
    char num[64];
    double lw = 0;
    for (int i = 0; i < pl->ay.count; i++) {
        doc_fmt_num(pl->ay.lo + i * pl->ay.step, num, sizeof num);
        lw = fmax(lw, doc_text_width(num, strlen(num), FONT));
    }
    pl->x0 = lw + 6;
    pl->x1 = w - 6;
    for (int i = 0; i < pl->ay.count; i++) {
        double v = pl->ay.lo + i * pl->ay.step, y = plot_y(pl, v);
        doc_fmt_num(v, num, sizeof num);
        p->line(p->ctx, pl->x0, y, pl->x1, y, GRID, 0.5);
        p->text(p->ctx, pl->x0 - 3, y, num, strlen(num), FONT, 1, false, AXIS);
    }
    p->line(p->ctx, pl->x0, pl->y0, pl->x0, pl->y1, AXIS, 0.8);
}

static void paint_nodata(const plot *pl, const doc_words *words, const doc_paint *p)
{
    p->text(p->ctx, (pl->x0 + pl->x1) / 2, (pl->y0 + pl->y1) / 2, words->nodata, strlen(words->nodata), TITLE, 0,
            false, AXIS);
}

static void paint_bars(const doc_block *b, double w, double h, const doc_words *words, const doc_paint *p)
{
    plot pl = {.y0 = TITLE * 2 + FONT, .y1 = h - FONT * 2.2}; /* room for the values above */
    double lo, hi;
    doc_bar_range(b, &lo, &hi);
    paint_value_axis(&pl, lo, hi, w, p);
    double zero = plot_y(&pl, 0);
    p->line(p->ctx, pl.x0, zero, pl.x1, zero, AXIS, 0.8);
    if (!b->nbars) {
        paint_nodata(&pl, words, p);
        return;
    }
    double slot = (pl.x1 - pl.x0) / (double)b->nbars, widest = 0;
    for (size_t i = 0; i < b->nbars; i++)
        widest = fmax(widest, doc_text_width(b->bars[i].label, strlen(b->bars[i].label), FONT));
    size_t every = widest > slot ? (size_t)ceil(fmin(widest, slot * 8) / slot) : 1;
    bool values = slot >= FONT * 3.5;
    for (size_t i = 0; i < b->nbars; i++) {
        double x = pl.x0 + slot * (double)i, y = plot_y(&pl, b->bars[i].v);
        p->rect(p->ctx, x + slot * 0.15, fmin(y, zero), slot * 0.7, fabs(zero - y), doc_color(0));
        char num[64];
        doc_fmt_num(b->bars[i].v, num, sizeof num);
        if (values)
            p->text(p->ctx, x + slot / 2, fmin(y, zero) - FONT * 0.7, num, strlen(num), FONT * 0.9, 0, false, INK);
        if (i % every == 0)
            p->text(p->ctx, x + slot / 2, pl.y1 + FONT * 1.2, b->bars[i].label,
                    text_fit(b->bars[i].label, slot * (double)every - 2, FONT), FONT, 0, false, INK);
    }
}

/* Legend entries in one row under the title; returns the height it took. */
static double paint_legend(const doc_block *b, double w, const doc_paint *p)
{
    if (b->nseries < 2 && (b->nseries == 0 || !*b->series[0].name))
        return 0;
    double x = 0, y = TITLE * 1.9;
    for (size_t i = 0; i < b->nseries; i++) {
        const char *name = b->series[i].name;
        size_t n = text_fit(name, w / 3, FONT);
        double tw = doc_text_width(name, n, FONT);
        if (x > 0 && x + tw + 16 > w)
            break;
        p->rect(p->ctx, x, y - 3, 10, 6, doc_color(i));
        p->text(p->ctx, x + 13, y, name, n, FONT, -1, false, INK);
        x += tw + 26;
    }
    return FONT * 1.6;
}

/* Polyline of series s, thinned to the first, lowest, highest and last point per unit of x. */
static void paint_series(const doc_series *s, const plot *pl, const doc_taxis *ax, size_t color, const doc_paint *p)
{
    double *xy = kw_malloc(sizeof *xy * 2 * (s->n < 4096 ? s->n * 2 + 2 : 8192));
    size_t m = 0, cap = s->n < 4096 ? s->n * 2 + 1 : 4095;
    double span = (double)(ax->t1 - ax->t0), col = -1, lo = 0, hi = 0;
    for (size_t j = 0; j < s->n; j++) {
        double x = pl->x0 + (double)(s->pts[j].t - ax->t0) / span * (pl->x1 - pl->x0);
        double y = plot_y(pl, s->pts[j].v), c = floor(x);
        if (c == col && j + 1 < s->n) {
            lo = fmin(lo, y), hi = fmax(hi, y);
            continue;
        }
        if (col >= 0 && lo != hi && m + 2 <= cap) { /* the column just left: its range */
            xy[2 * m] = col, xy[2 * m + 1] = lo, m++;
            xy[2 * m] = col, xy[2 * m + 1] = hi, m++;
        }
        if (m < cap)
            xy[2 * m] = x, xy[2 * m + 1] = y, m++;
        col = c, lo = hi = y;
    }
    if (m == 1)
        p->rect(p->ctx, xy[0] - 1.5, xy[1] - 1.5, 3, 3, doc_color(color));
    else if (m > 1)
        p->path(p->ctx, xy, m, doc_color(color), 1.4);
    free(xy);
}

static void paint_time_axis(const plot *pl, const doc_taxis *ax, int tz_min, const doc_paint *p)
{
    char ts[64];
    p->line(p->ctx, pl->x0, pl->y1, pl->x1, pl->y1, AXIS, 0.8);
    double span = (double)(ax->t1 - ax->t0), last = -1e9;
    int64_t t = ax->first;
    for (int i = 0; i < 64 && t <= ax->t1; i++, t += ax->step_ms) {
        double x = pl->x0 + (double)(t - ax->t0) / span * (pl->x1 - pl->x0);
        doc_fmt_tick(ax, t, tz_min, ts, sizeof ts);
        double tw = doc_text_width(ts, strlen(ts), FONT);
        p->line(p->ctx, x, pl->y1, x, pl->y1 + 3, AXIS, 0.8);
        if (x - tw / 2 < last + 4 || x + tw / 2 > pl->x1 + 6)
            continue;
        p->text(p->ctx, x, pl->y1 + FONT * 1.2, ts, strlen(ts), FONT, 0, false, INK);
        last = x + tw / 2;
    }
}

static void paint_lines(const doc_block *b, double w, double h, int tz_min, const doc_words *words,
                        const doc_paint *p)
{
    plot pl = {.y0 = TITLE * 2 + paint_legend(b, w, p), .y1 = h - FONT * 2.2};
    int64_t t0 = 0, t1 = 0;
    double lo = 0, hi = 0;
    bool any = doc_line_range(b, &t0, &t1, &lo, &hi);
    paint_value_axis(&pl, lo, hi, w, p);
    if (!any) {
        p->line(p->ctx, pl.x0, pl.y1, pl.x1, pl.y1, AXIS, 0.8);
        paint_nodata(&pl, words, p);
        return;
    }
    doc_taxis ax;
    doc_taxis_nice(t0, t1, tz_min, (int)((pl.x1 - pl.x0) / 70) + 1, &ax);
    paint_time_axis(&pl, &ax, tz_min, p);
    for (size_t i = 0; i < b->nseries; i++)
        paint_series(&b->series[i], &pl, &ax, i, p);
}

void doc_chart_paint(const doc_block *b, double w, double h, int tz_min, const doc_words *words,
                     const doc_paint *p)
{
    paint_title(b, w, p);
    if (b->kind == DOC_B_BAR)
        paint_bars(b, w, h, words, p);
    else
        paint_lines(b, w, h, tz_min, words, p);
}
