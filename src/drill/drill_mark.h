/* The marks of the drill runs in progress (drill_mark.c): what each run makes the sensors see
 * (its interface, its attacking addresses, the check it forces down), kept on every server in
 * kw_core.drill.marks under kw_core.drill.mu and rebuilt from the store's runs every second.
 * The core's mark hook gives an alert act whose labels hold one of those values the run's
 * `drill` label and a fingerprint of its own; a real alert (no such value) is left as it is. */
#ifndef KW_DRILL_MARK_H
#define KW_DRILL_MARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert/alert.h"
#include "drill/drill_inject.h"

struct kw_core;

typedef struct drill_mark_run {
    int64_t id;
    char scenario[64];
    drill_seen seen;
    int64_t until_ms;           /* 0: running; else marked until then (the end + drill.linger) */
} drill_mark_run;

#define DRILL_MARK_RUNS_MAX 32

struct drill_marks {
    drill_mark_run v[DRILL_MARK_RUNS_MAX];
    size_t n;
};

/* Whether a's labels hold one of the seen values of a run of m in force at now; if so (and a
 * has no drill label yet) a gets labels.drill = the run's id and the fingerprint
 * alert_fingerprint(old fingerprint, "drill", id). Returns the run's id, 0 when not marked.
 * A synthetic alert that carries labels.drill already is left as it is (its id returned). */
int64_t drill_mark_act(const struct drill_marks *m, int64_t now_ms, alert_act *a);

/* The core's mark hook (kw_core.drill.mark): drill_mark_act on every act under mu. */
void drill_mark_hook(struct kw_core *core, alert_acts *acts);

/* Replaces the core's marks by next (copied; NULL or empty: no drill in progress). */
void drill_marks_publish(struct kw_core *core, const struct drill_marks *next);

/* Whether stage is one a tabletop mark may name: detected, notified, acked, declared, or
 * step:NAME (NAME 1..127 letters, digits, _ - .). */
bool drill_mark_stage_ok(const char *stage);

/* seen as JSON {"values":[...],"check":"...","check_until":MS} appended to out, and back
 * (KW_ERR_PARSE on anything else; values past DRILL_SEEN_MAX or longer than 63 bytes are left
 * out). */
void drill_seen_json(const drill_seen *seen, kw_buf *out);
kw_rc drill_seen_parse(const char *json, drill_seen *seen);

#endif
