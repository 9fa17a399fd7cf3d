/* A scheduled report made and sent (report_deliver.c): rendered in each of report.formats into
 * report.dir, kept as a row of the reports table, and each report.send item's cut given to
 * notify (mail: the PDF attached; robots and webhooks: the summary and the link), all in one
 * transaction with the duty log's entry, so a restart neither loses nor repeats it. */
#ifndef KW_REPORT_DELIVER_H
#define KW_REPORT_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "core/kw_err.h"
#include "report/report.h"
#include "report/report_conf.h"
#include "store/store.h"

/* Makes and sends the report of kind over [from, to) at now, unless the reports table has it
 * sent already (then KW_OK, *made false). cancel (may be NULL) turning non-zero stops it
 * between files (KW_ERR_CANCELLED, nothing kept). result (n bytes) says what was done or what
 * failed, as people read it. */
kw_rc report_deliver(kw_store *st, const conf *c, report_kind kind, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                     volatile int *cancel, bool *made, char *result, size_t n);
/* The file name of a report: daily-2026-12-01, period-2026-11-20-2026-12-10, then -CUT for a
 * department's cut (NULL: the full one), then .EXT; into out (n bytes). */
void report_file_name(const conf *c, report_kind kind, int64_t from_ms, int64_t to_ms, const char *cut,
                      report_fmt fmt, char *out, size_t n);
/* The directory scheduled reports are written to: report.dir, else state_dir/reports, into
 * out (n bytes). */
void report_dir(const conf *c, char *out, size_t n);
/* The cut a report.send item gets: its own (report_conf_refs fills one in), else (-1) its department's kind's. */
int report_send_cut(const conf *c, const conf_report_send *s);

#endif
