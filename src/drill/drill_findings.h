/* A drill run's weak spots turned into findings of category `drill` (drill_findings.c), so
 * that their improvement is tracked like remediation: owner (the head of the department the
 * weak spot names, else the officer on duty), a due date (findings.sla for medium), the weak
 * spot's finding id recorded in the run. */
#ifndef KW_DRILL_FINDINGS_H
#define KW_DRILL_FINDINGS_H

#include <stdint.h>

#include "conf/conf.h"
#include "core/kw_buf.h"
#include "store/store.h"

/* Makes a finding of each weak spot of run id that has none yet (by: who asked); out gets
 * {"run": ID, "findings": [ids...]} (every weak spot's finding, old and new). KW_ERR_NOTFOUND:
 * no such run; KW_ERR_RANGE: the run is not scored yet. */
kw_rc drill_findings_make(kw_store *s, const conf *c, int64_t id, const char *by, int64_t now_ms, kw_buf *out);

#endif
