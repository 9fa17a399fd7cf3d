/* Duty schedules: who is on duty when. Pure functions of the configuration and the time.
 *
 * A schedule is layers of rotations. In a layer, members take turns, one shift each (a day, a
 * week, or a custom length), counted from an anchor (the layer's start day at its handoff
 * time, in the schedule's zone); a restriction keeps the layer to some days and hours (nights
 * only, weekdays only); a period_only layer applies only during the protection period (the
 * temporary schedule). Where several layers have someone, the later layer wins; overrides win
 * over every layer. Where nobody is on duty there is a gap. */
#ifndef ONCALL_H
#define ONCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"

typedef struct oncall_shift {
    const char *person;     /* the configuration's */
    const char *layer;      /* the layer's name, or "override" */
    int64_t start_ms, end_ms;
} oncall_shift;

typedef struct oncall_shifts {
    oncall_shift *v;
    size_t n, cap;
} oncall_shifts;

void oncall_shifts_free(oncall_shifts *s);

/* Appends the final shifts of schedule s that overlap [from_ms, to_ms), clipped to it, in
 * time order; adjacent pieces of the same person from the same source are one shift. */
void oncall_schedule_shifts(const conf *c, const conf_schedule *s, int64_t from_ms, int64_t to_ms, oncall_shifts *out);

/* Who is on duty at t: the shift (its end is the real end, looked for up to 31 days ahead)
 * and the next one; false when nobody is. */
bool oncall_at(const conf *c, const conf_schedule *s, int64_t t, oncall_shift *now, oncall_shift *next);

#endif
