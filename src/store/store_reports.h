/* The report module's table (store_reports.c): one row per scheduled report made (its kind,
 * the range it covers, the files it was written as, when it was made and sent), so a restart
 * or another server taking over does not make it twice, and GET /api/v1/reports lists them. */
#ifndef KW_STORE_REPORTS_H
#define KW_STORE_REPORTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/kw_buf.h"
#include "store/store.h"

#define STORE_REPORT_VERSIONS 1
extern const store_migration store_report_migrations[STORE_REPORT_VERSIONS];
/* Brings the table to its version (the daemon does it through report_module's migrations;
 * for tests and the CLI). */
kw_rc store_report_migrate(kw_store *s);

typedef struct store_report_row {
    int64_t id;
    char kind[16];              /* daily, period */
    int64_t from_ms, to_ms;     /* what it covers: [from, to) */
    char label[64];             /* "2026-12-01", "2026-11-20..2026-12-10" */
    const char *files;          /* a JSON array of file names in report.dir (borrowed) */
    int64_t made_ms, sent_ms;   /* sent 0: not yet given to notify */
} store_report_row;

/* Adds r (its id, files and sent_ms ignored on a conflict): the row of kind over [from, to)
 * is unique; *id_out is the new row's id, or the existing one's with *existed set. */
kw_rc store_report_add(kw_store *s, const store_report_row *r, int64_t *id_out, bool *existed);
/* The row of kind over [from, to): KW_ERR_NOTFOUND when none. files in *r is not filled. */
kw_rc store_report_find(kw_store *s, const char *kind, int64_t from_ms, int64_t to_ms, store_report_row *r);
/* Marks row id sent (its messages are in the outbox) at sent_ms. */
kw_rc store_report_sent(kw_store *s, int64_t id, int64_t sent_ms);
/* When the last report of kind was made (0: never). */
kw_rc store_report_last_made(kw_store *s, const char *kind, int64_t *made_ms);
/* Whether name is one of the files a kept report lists (the only ones the API serves). */
bool store_report_has_file(kw_store *s, const char *name);
/* The kept reports, newest first, at most limit, as a JSON array appended to out:
 * [{id, kind, label, from, to, files: [...], made, sent (ISO-8601 or null)}]. */
kw_rc store_report_list_json(kw_store *s, int limit, kw_buf *out);

#endif
