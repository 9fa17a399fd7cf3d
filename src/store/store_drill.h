/* The drill module's tables (store_drill.c): the runs (requested, running, scored), their
 * stages measured against their targets, the marks people made (tabletop), their weak spots. */
#ifndef KW_STORE_DRILL_H
#define KW_STORE_DRILL_H

#include <stdint.h>

#include "core/kw_buf.h"
#include "store/store.h"

/* The runs started in [from, to) (every run when both are 0), newest first, as a JSON array
 * appended to out; each run as GET /api/v1/drills/runs/ID answers it:
 *   {id, scenario, title, title_zh, state (requested|running|scoring|done|stopped|failed),
 *    tabletop, surprise, requested_by, requested, started, ended, score (0-100 or null),
 *    stages: [{stage, label: {zh, en}, target_s, measured_s (null: never), ok, who}],
 *    responders: [{name, department, acted}], weak: [{text, text_zh, finding}],
 *    incident (id or null), alerts: [id...], injections: [{kind, at_s, state, error}]} */
kw_rc store_drill_runs_json(kw_store *s, int64_t from_ms, int64_t to_ms, kw_buf *out);

#endif
