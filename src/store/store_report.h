/* The report's reads (store_report.c): the aggregates the daily report and the period summary
 * are made of, each one bounded statement over the store's tables (COUNT and GROUP BY in SQL,
 * top-N with LIMIT), so a day of 100,000 alerts is read as a few hundred rows. The report
 * (src/report/report_gather.c) shapes the rows; it never sees SQL. */
#ifndef KW_STORE_REPORT_H
#define KW_STORE_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

/* What each query's rows hold (columns in order). "drill" is 1 for an alert with labels.drill;
 * "target" is labels.dst, else labels.target; "where" labels.asset, else dst, target, host. */
typedef enum {
    STORE_REP_ALERTS_RULE,     /* rule, drill, count, max severity; top `extra` by count */
    STORE_REP_ALERTS_BUCKET,   /* bucket ((started - from) / extra ms), drill, attack (has src/target), severity,
                                  count: alerts started in [from, to) */
    STORE_REP_NOTABLE,         /* id, rule, severity, state, summary, started, acked, acked_by, resolved, drill,
                                  incident (id or null), src, where; high and critical or in an incident,
                                  real first, in an incident first, then severity, then longest; `extra` rows */
    STORE_REP_TOP_SOURCES,     /* src, count, max severity, rules (distinct): real alerts; `extra` rows */
    STORE_REP_TOP_TARGETS,     /* target, count, max severity, rules (distinct): real alerts; `extra` rows */
    STORE_REP_PEAKS,           /* id, rule, peak (pps), target, started, src: real flood alerts by peak; `extra` */
    STORE_REP_DRIFT,           /* id, summary, started, state, where: audit_drift alerts; `extra` rows */
    STORE_REP_DRIFT_COUNT,     /* count */
    STORE_REP_RESPONSE,        /* where, drill, count, acked, sum(acked - started), resolved,
                                  sum(resolved - started); `extra` groups by count */
    STORE_REP_FINDINGS_OPENED, /* severity, count: findings first seen in [from, to) */
    STORE_REP_FINDINGS_MOVED,  /* status (fixed, verified), severity, findings: moved there in [from, to) */
    STORE_REP_FINDINGS_OPEN,   /* severity, count, overdue (due before to): findings open at to */
    STORE_REP_FINDINGS_SPAN,   /* opened bucket (-1: before from), closed bucket (-1: before from, -2: never),
                                  count; buckets of `extra` ms from from */
    STORE_REP_INCIDENTS,       /* id, title, playbook, grade, state, drill, declared, closed, lessons, cause,
                                  category, contained: declared before to, open or closed after from; `extra` */
    STORE_REP_INCIDENT_COUNTS, /* drill, declared in range, closed in range, open at to */
    STORE_REP_HOST_METRICS,    /* series name, labels, min, avg, max, samples: host CPU, memory and
                                  filesystem use (minute rollups), busiest first; `extra` series */
    STORE_REP_HOST_METRICS_RAW,/* the same from the raw samples (before the rollup ran) */
    STORE_REP_DUTY_KINDS,      /* kind, count: duty-log entries in [from, to) */
    STORE_REP_HANDOVERS,       /* ts, actor, text: handovers in [from, to); `extra` rows */
    STORE_REP_AGENTS,          /* name, last seen, revoked, seen since from (0/1); `extra` rows */
    STORE_REP_OUTAGES,         /* id, summary, started, resolved, where, drill, state: service_down alerts
                                  that overlap [from, to); `extra` rows */
    STORE_REP_HOST_ALERTS,     /* what (labels.host, else device, else asset), kind ("host", "device", "asset"),
                                  count, max severity, still open: real alerts with no src; `extra` rows */
    STORE_REP_QUERIES
} store_report_query;

#define STORE_REP_COLS 16

/* A row: column i as text (NULL for SQL NULL; valid until the callback returns) and as a number. */
typedef struct store_report_row {
    int ncols;
    const char *s[STORE_REP_COLS];
    double v[STORE_REP_COLS];
    bool null[STORE_REP_COLS];
} store_report_row;

/* Runs query q over [from_ms, to_ms) with its `extra` argument (the row limit, or the bucket
 * width in ms) and calls fn for each row. KW_ERR_STORE (store_errmsg says why) when the
 * statement fails, e.g. a module's table that was never made. */
kw_rc store_report_rows(kw_store *s, store_report_query q, int64_t from_ms, int64_t to_ms, int64_t extra,
                        void (*fn)(void *, const store_report_row *), void *arg);

#endif
