/* The report's reads (store_report.h): one bounded statement per aggregate, in the SQL both
 * backends speak (json_extract is a function keepwatch defines on PostgreSQL). Each statement
 * takes [from, to) and one more argument, bound by a small table of which goes where. */
#include "store/store_report.h"
#include "store/store_int.h"

#include <stdio.h>

/* labels is canonical JSON text: instr() passes over the rows that cannot hold the key before
 * json_extract (which parses the text each time) decides; SQLite stops at a false AND, and
 * the answer is the same whichever side a backend looks at first. */
#define DRILL                                                                                                          \
    "(CASE WHEN instr(labels, '\"drill\"') > 0 AND json_extract(labels, '$.drill') IS NOT NULL THEN 1 ELSE 0 END)"
#define SRC "json_extract(labels, '$.src')"
#define TARGET "COALESCE(json_extract(labels, '$.dst'), json_extract(labels, '$.target'))"
#define HAS_SRC "(instr(labels, '\"src\"') > 0 AND " SRC " IS NOT NULL)"
#define HAS_TARGET "((instr(labels, '\"dst\"') > 0 OR instr(labels, '\"target\"') > 0) AND " TARGET " IS NOT NULL)"
#define WHERE_AT                                                                                                       \
    "COALESCE(json_extract(labels, '$.asset'), json_extract(labels, '$.dst'), json_extract(labels, '$.target'),"       \
    " json_extract(labels, '$.host'), '')"
#define IN_RANGE " started_at >= ?1 AND started_at < ?2 "
#define REAL " AND " DRILL " = 0 "

enum { A_FROM = 1, A_TO, A_EXTRA };

typedef struct rep_sql {
    const char *sql;
    int args[3]; /* what ?1, ?2, ?3 are (0: unused) */
    int ncols;
} rep_sql;

#define RANGE_X {A_FROM, A_TO, A_EXTRA}
#define RANGE {A_FROM, A_TO, 0}

static const rep_sql rep_sqls[STORE_REP_QUERIES] = {
    [STORE_REP_ALERTS_RULE] = {"SELECT rule, " DRILL ", count(*), max(severity) FROM alerts WHERE" IN_RANGE
                               "GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT ?3",
                               RANGE_X, 4},
    [STORE_REP_ALERTS_BUCKET] = {"SELECT (started_at - ?1) / CAST(?3 AS BIGINT), " DRILL ", (CASE WHEN " HAS_SRC
                                 " OR " HAS_TARGET " THEN 1 ELSE 0 END), severity, count(*) FROM alerts WHERE" IN_RANGE
                                 "GROUP BY 1, 2, 3, 4 ORDER BY 1",
                                 RANGE_X, 5},
    [STORE_REP_NOTABLE] =
        {"SELECT a.id, rule, severity, state, summary, started_at, acked_at, acked_by, resolved_at, " DRILL
         ", (SELECT min(i.incident) FROM incident_alerts i WHERE i.alert_id = a.id), " SRC ", " WHERE_AT
         " FROM alerts a WHERE" IN_RANGE
         "AND (severity >= 3 OR EXISTS (SELECT 1 FROM incident_alerts i WHERE i.alert_id = a.id))"
         " ORDER BY 10, (CASE WHEN EXISTS (SELECT 1 FROM incident_alerts i"
         " WHERE i.alert_id = a.id) THEN 0 ELSE 1 END), severity DESC,"
         " (COALESCE(resolved_at, ?2) - started_at) DESC, a.id LIMIT ?3",
         RANGE_X, 13},
    [STORE_REP_TOP_SOURCES] = {"SELECT " SRC
                               ", count(*), max(severity), count(DISTINCT rule) FROM alerts WHERE" IN_RANGE REAL
                               "AND " HAS_SRC " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?3",
                               RANGE_X, 4},
    [STORE_REP_TOP_TARGETS] = {"SELECT " TARGET
                               ", count(*), max(severity), count(DISTINCT rule) FROM alerts WHERE" IN_RANGE REAL
                               "AND " HAS_TARGET " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?3",
                               RANGE_X, 4},
    [STORE_REP_PEAKS] = {"SELECT id, rule, peak, " TARGET ", started_at, " SRC " FROM alerts WHERE" IN_RANGE REAL
                         "AND peak IS NOT NULL AND (rule LIKE '%flood%' OR rule LIKE '%reflection%')"
                         " ORDER BY peak DESC, id LIMIT ?3",
                         RANGE_X, 6},
    [STORE_REP_DRIFT] = {"SELECT id, summary, started_at, state, " WHERE_AT " FROM alerts WHERE" IN_RANGE
                         "AND rule = 'audit_drift' ORDER BY started_at, id LIMIT ?3",
                         RANGE_X, 5},
    [STORE_REP_DRIFT_COUNT] = {"SELECT count(*) FROM alerts WHERE" IN_RANGE "AND rule = 'audit_drift'", RANGE, 1},
    [STORE_REP_RESPONSE] =
        {"SELECT " WHERE_AT ", " DRILL ", count(*),"
         " sum(CASE WHEN acked_at IS NULL THEN 0 ELSE 1 END), sum(COALESCE(acked_at - started_at, 0)),"
         " sum(CASE WHEN resolved_at IS NULL THEN 0 ELSE 1 END),"
         " sum(COALESCE(resolved_at - started_at, 0)) FROM alerts WHERE" IN_RANGE
         "GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT ?3",
         RANGE_X, 7},
    [STORE_REP_FINDINGS_OPENED] = {"SELECT severity, count(*) FROM findings WHERE first_ms >= ?1 AND first_ms < ?2"
                                   " GROUP BY 1",
                                   RANGE, 2},
    [STORE_REP_FINDINGS_MOVED] = {"SELECT h.to_status, f.severity, count(DISTINCT h.finding_id) FROM finding_history h"
                                  " JOIN findings f ON f.id = h.finding_id WHERE h.at_ms >= ?1 AND h.at_ms < ?2"
                                  " AND h.to_status IN ('fixed', 'verified') GROUP BY 1, 2",
                                  RANGE, 3},
    [STORE_REP_FINDINGS_OPEN] =
        {"SELECT severity, count(*), sum(CASE WHEN due_ms > 0 AND due_ms < ?1 THEN 1 ELSE 0 END)"
         " FROM findings WHERE first_ms < ?1 AND (resolved_ms = 0 OR resolved_ms > ?1)"
         " GROUP BY 1",
         {A_TO, 0, 0},
         3},
    [STORE_REP_FINDINGS_SPAN] =
        {"SELECT (CASE WHEN first_ms < ?1 THEN -1 ELSE (first_ms - ?1) / CAST(?3 AS BIGINT) END),"
         " (CASE WHEN resolved_ms = 0 THEN -2 WHEN resolved_ms < ?1 THEN -1"
         " ELSE (resolved_ms - ?1) / CAST(?3 AS BIGINT) END), count(*) FROM findings"
         " WHERE first_ms < ?2 GROUP BY 1, 2",
         RANGE_X, 3},
    [STORE_REP_INCIDENTS] = {"SELECT id, title, playbook, grade, state, drill, declared_ms, closed_ms, lessons, cause,"
                             " category, contained_ms FROM incidents WHERE declared_ms < ?2"
                             " AND (state = 'open' OR closed_ms >= ?1) ORDER BY id LIMIT ?3",
                             RANGE_X, 12},
    [STORE_REP_INCIDENT_COUNTS] =
        {"SELECT drill, sum(CASE WHEN declared_ms >= ?1 THEN 1 ELSE 0 END),"
         " sum(CASE WHEN state = 'closed' AND closed_ms >= ?1 AND closed_ms < ?2 THEN 1 ELSE 0 END),"
         " sum(CASE WHEN state = 'open' OR closed_ms >= ?2 THEN 1 ELSE 0 END)"
         " FROM incidents WHERE declared_ms < ?2 GROUP BY 1",
         RANGE, 4},
    [STORE_REP_HOST_METRICS] = {"SELECT s.name, s.labels, min(m.min), sum(m.avg * m.n) / sum(m.n), max(m.max), sum(m.n)"
                                " FROM metric_1m m JOIN metric_series s ON s.id = m.series WHERE m.ts >= ?1"
                                " AND m.ts < ?2 AND s.name IN ('host_cpu_usage_ratio', 'host_memory_used_ratio',"
                                " 'host_filesystem_used_ratio') GROUP BY s.id, s.name, s.labels"
                                " ORDER BY 5 DESC, 1 LIMIT ?3",
                                RANGE_X, 6},
    [STORE_REP_HOST_METRICS_RAW] = {"SELECT s.name, s.labels, min(m.value), avg(m.value), max(m.value), count(*)"
                                    " FROM metric_raw m JOIN metric_series s ON s.id = m.series WHERE m.ts >= ?1"
                                    " AND m.ts < ?2 AND s.name IN ('host_cpu_usage_ratio', 'host_memory_used_ratio',"
                                    " 'host_filesystem_used_ratio') GROUP BY s.id, s.name, s.labels"
                                    " ORDER BY 5 DESC, 1 LIMIT ?3",
                                    RANGE_X, 6},
    [STORE_REP_DUTY_KINDS] = {"SELECT kind, count(*) FROM duty_log WHERE ts >= ?1 AND ts < ?2 GROUP BY 1 ORDER BY 1",
                              RANGE, 2},
    [STORE_REP_HANDOVERS] = {"SELECT ts, actor, text FROM duty_log WHERE ts >= ?1 AND ts < ?2 AND kind = 'handover'"
                             " ORDER BY ts, id LIMIT ?3",
                             RANGE_X, 3},
    [STORE_REP_AGENTS] = {"SELECT name, last_seen_ms, revoked_ms, (CASE WHEN last_seen_ms >= ?1 THEN 1 ELSE 0 END)"
                          " FROM agents ORDER BY name LIMIT ?2",
                          {A_FROM, A_EXTRA, 0},
                          4},
    [STORE_REP_OUTAGES] = {"SELECT id, summary, started_at, resolved_at, " WHERE_AT ", " DRILL ", state FROM alerts"
                           " WHERE started_at < ?2 AND (resolved_at IS NULL OR resolved_at >= ?1)"
                           " AND rule = 'service_down' ORDER BY started_at, id LIMIT ?3",
                           RANGE_X, 7},
    [STORE_REP_HOST_ALERTS] =
        {"SELECT COALESCE(json_extract(labels, '$.host'), json_extract(labels, '$.device'),"
         " json_extract(labels, '$.asset')), (CASE WHEN json_extract(labels, '$.host') IS NOT NULL"
         " THEN 'host' WHEN json_extract(labels, '$.device') IS NOT NULL THEN 'device'"
         " ELSE 'asset' END), count(*), max(severity),"
         " sum(CASE WHEN state = 'resolved' THEN 0 ELSE 1 END) FROM alerts WHERE" IN_RANGE REAL "AND " SRC
         " IS NULL AND COALESCE(json_extract(labels, '$.host'),"
         " json_extract(labels, '$.device'), json_extract(labels, '$.asset')) IS NOT NULL"
         " GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT ?3",
         RANGE_X, 5},
};

static void rep_row_read(db_stmt *st, int ncols, store_report_row *r)
{
    r->ncols = ncols;
    for (int i = 0; i < ncols; i++) {
        r->null[i] = db_col_null(st, i);
        r->v[i] = r->null[i] ? 0 : db_col_double(st, i);
        r->s[i] = db_col_text(st, i);
    }
}

kw_rc store_report_rows(kw_store *s, store_report_query q, int64_t from_ms, int64_t to_ms, int64_t extra,
                        void (*fn)(void *, const store_report_row *), void *arg)
{
    if ((unsigned)q >= STORE_REP_QUERIES)
        return KW_ERR_RANGE;
    db_stmt *st = store_stmt(s, rep_sqls[q].sql);
    if (!st)
        return KW_ERR_STORE;
    const int64_t vals[] = {0, from_ms, to_ms, extra};
    for (int i = 0; i < 3; i++)
        if (rep_sqls[q].args[i])
            db_bind_int64(st, i + 1, vals[rep_sqls[q].args[i]]);
    kw_rc rc = KW_OK;
    for (;;) {
        db_step_rc r = db_step(st);
        if (r == DB_DONE)
            break;
        if (r != DB_ROW) {
            snprintf(s->err, sizeof s->err, "%s", db_errmsg(s->db));
            rc = KW_ERR_STORE;
            break;
        }
        store_report_row row;
        rep_row_read(st, rep_sqls[q].ncols, &row);
        fn(arg, &row);
    }
    db_reset(st);
    return rc;
}
