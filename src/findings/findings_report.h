/* The remediation plan and the progress figures (findings_report.c), as text or JSON, for
 * `keepwatch findings plan|stats` and GET /api/v1/findings/plan|stats. */
#ifndef KW_FINDINGS_REPORT_H
#define KW_FINDINGS_REPORT_H

#include "findings/findings.h"
#include "store/store_findings.h"

/* The findings of q (its status, severity, department... filters; its limit ignored) grouped
 * by owner, the owner of the riskiest first, each with its count and how many are overdue,
 * and its per_owner riskiest findings (<= 0: all) with their deadlines; tz_min: minutes east
 * of UTC for the times of the text. */
kw_rc findings_plan(kw_store *s, const store_findings_query *q, int64_t now_ms, int tz_min, bool json, int per_owner,
                    kw_buf *out);

/* Counts per severity and per department in each status (and overdue), and the burndown: per
 * day of the protection period so far (else of the last `days` days), how many findings were
 * still to fix at its end, found that day, and resolved that day. */
kw_rc findings_stats(kw_store *s, const conf *c, int64_t now_ms, int days, bool json, kw_buf *out);

#endif
