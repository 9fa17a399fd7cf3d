/* Duty schedules: layers, rotations, restrictions, overrides. */
#include "oncall/oncall.h"

#include <stdlib.h>
#include <string.h>

#include "core/kw_mem.h"

#define DAY_MIN 1440
#define MAX_PIECES 100000   /* a bound on the work one query may do (years of hourly shifts) */

typedef struct piece {
    int64_t a, b;           /* UTC ms */
    int prio;               /* layer index; overrides above all layers */
    const char *person, *layer;
} piece;

typedef struct pieces {
    piece *v;
    size_t n, cap;
} pieces;

static int64_t floordiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

static void piece_add(pieces *p, int64_t a, int64_t b, int prio, const char *person, const char *layer)
{
    if (b <= a || p->n >= MAX_PIECES)
        return;
    kw_grow(&p->v, &p->cap, p->n + 1, sizeof *p->v);
    p->v[p->n++] = (piece){a, b, prio, person, layer};
}

/* Adds [a, b) (wall minutes) of one member, cut to the layer's restriction windows. */
static void add_restricted(pieces *p, const conf_layer *l, int64_t a, int64_t b, int32_t tz, int prio,
                           const char *person)
{
    if (l->day_mask == 0x7f && l->from_min < 0) {
        piece_add(p, (a - tz) * 60000, (b - tz) * 60000, prio, person, l->name);
        return;
    }
    for (int64_t d = floordiv(a, DAY_MIN) - 1; d * DAY_MIN < b; d++) {
        int wd = (int)(((d + 3) % 7 + 7) % 7); /* 1970-01-01 was a Thursday; Monday is 0 */
        if (!(l->day_mask & (1u << wd)))
            continue;
        int64_t wa = d * DAY_MIN, wb = wa + DAY_MIN;
        if (l->from_min >= 0) {
            wa = d * DAY_MIN + l->from_min;
            wb = d * DAY_MIN + l->to_min + (l->to_min <= l->from_min ? DAY_MIN : 0);
        }
        int64_t x = a > wa ? a : wa, y = b < wb ? b : wb;
        if (x < y)
            piece_add(p, (x - tz) * 60000, (y - tz) * 60000, prio, person, l->name);
    }
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

void oncall_schedule_shifts(const conf *c, const conf_schedule *s, int64_t from, int64_t to, oncall_shifts *out)
{
    if (to <= from)
        return;
    pieces p = {0};
    int32_t tz = s->tz_min;
    int64_t wf = floordiv(from, 60000) + tz, wt = floordiv(to + 59999, 60000) + tz;
    for (size_t li = 0; li < s->layers.n; li++) {
        const conf_layer *l = CONF_AT(s->layers, conf_layer, li);
        int64_t len = l->rotation == ROTATION_DAILY ? DAY_MIN : l->rotation == ROTATION_WEEKLY ? 7 * DAY_MIN
                                                                                               : l->shift_ms / 60000;
        if (len <= 0 || !l->members.n)
            continue;
        size_t before = p.n;
        for (int64_t k = floordiv(wf - l->anchor_min, len); l->anchor_min + k * len < wt && p.n < MAX_PIECES; k++) {
            int64_t m = ((k % (int64_t)l->members.n) + (int64_t)l->members.n) % (int64_t)l->members.n;
            int64_t a = l->anchor_min + k * len, b = a + len;
            add_restricted(&p, l, a > wf ? a : wf, b < wt ? b : wt, tz, (int)li, l->members.v[m]);
        }
        if (l->period_only) /* the temporary schedule: only inside the protection period */
            for (size_t i = before; i < p.n; i++) {
                if (p.v[i].a < c->period.start_ms)
                    p.v[i].a = c->period.start_ms;
                if (p.v[i].b > c->period.end_ms)
                    p.v[i].b = c->period.end_ms;
            }
    }
    for (size_t i = 0; i < s->overrides.n; i++) {
        const conf_override *o = CONF_AT(s->overrides, conf_override, i);
        piece_add(&p, o->from_ms, o->to_ms, (int)s->layers.n, o->person, "override");
    }
    /* the timeline: between consecutive boundaries, the highest-priority piece is on duty */
    int64_t *bounds = kw_malloc((2 * p.n + 2) * sizeof *bounds);
    size_t nb = 0;
    bounds[nb++] = from;
    bounds[nb++] = to;
    for (size_t i = 0; i < p.n; i++) {
        if (p.v[i].a > from && p.v[i].a < to)
            bounds[nb++] = p.v[i].a;
        if (p.v[i].b > from && p.v[i].b < to)
            bounds[nb++] = p.v[i].b;
    }
    qsort(bounds, nb, sizeof *bounds, cmp_i64);
    for (size_t i = 0; i + 1 < nb; i++) {
        int64_t a = bounds[i], b = bounds[i + 1];
        if (a == b)
            continue;
        const piece *best = NULL;
        for (size_t k = 0; k < p.n; k++)
            if (p.v[k].a <= a && p.v[k].b >= b && p.v[k].b > p.v[k].a && (!best || p.v[k].prio > best->prio))
                best = &p.v[k];
        if (!best)
            continue; /* a gap: nobody on duty */
        oncall_shift *last = out->n ? &out->v[out->n - 1] : NULL;
        if (last && last->end_ms == a && strcmp(last->person, best->person) == 0 && strcmp(last->layer, best->layer) == 0) {
            last->end_ms = b;
            continue;
        }
        kw_grow(&out->v, &out->cap, out->n + 1, sizeof *out->v);
        out->v[out->n++] = (oncall_shift){best->person, best->layer, a, b};
    }
    free(bounds);
    free(p.v);
}

bool oncall_at(const conf *c, const conf_schedule *s, int64_t t, oncall_shift *now, oncall_shift *next)
{
    oncall_shifts sh = {0};
    oncall_schedule_shifts(c, s, t, t + 31LL * 86400000, &sh);
    bool on = sh.n && sh.v[0].start_ms == t;
    if (now)
        *now = on ? sh.v[0] : (oncall_shift){0};
    if (next) {
        size_t i = on ? 1 : 0;
        *next = i < sh.n ? sh.v[i] : (oncall_shift){0};
    }
    oncall_shifts_free(&sh);
    return on;
}

void oncall_shifts_free(oncall_shifts *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}
