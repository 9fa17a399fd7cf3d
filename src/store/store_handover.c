/* Shift handovers: a duty-log entry with where things stand (open alerts, entries since the
 * last handover, the log's head), then a signed checkpoint. Above both the alerts
 * (store_alert.c) and the duty log (store_duty.c), which never call back up here. */
#include "store/store_duty_int.h"

#include <stdio.h>

kw_rc store_duty_handover(kw_store *s, int64_t now_ms, int64_t since_ms, const char *by, const char *to,
                          const char *note)
{
    if (since_ms <= 0) {
        int64_t last = store_query_int(s, "SELECT max(ts) FROM duty_log WHERE kind = ?", "handover");
        since_ms = last > 0 ? last + 1 : now_ms - 12 * 3600000LL; /* after the last handover itself */
    }
    db_stmt *st = store_stmt(s, "SELECT count(*) FROM duty_log WHERE ts >= ? AND ts <= ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, since_ms);
    db_bind_int64(st, 2, now_ms);
    int64_t entries = db_step(st) == DB_ROW ? db_col_int64(st, 0) : 0;
    db_reset(st);
    int64_t counts[4] = {0};
    if (store_alert_counts(s, counts) != KW_OK)
        return KW_ERR_STORE;
    kw_buf t;
    kw_buf_init(&t, 20000);
    kw_buf_printf(&t, "handover%s%s: %lld open (%lld not acknowledged), %lld log entries since the last",
                  to ? " to " : "", to ? to : "", (long long)(counts[ALERT_FIRING] + counts[ALERT_ACKED]),
                  (long long)counts[ALERT_FIRING], (long long)entries);
    if (note && *note)
        kw_buf_printf(&t, "; %s", note);
    kw_buf_puts(&t, "; duty log head ");
    store_duty_head_text(s, &t);
    bool own = false;
    kw_rc rc = t.overflow ? KW_ERR_FULL : duty_tx_begin(s, &own);
    if (rc == KW_OK) {
        rc = store_duty_append(s, now_ms, "handover", by, 0, kw_buf_cstr(&t));
        if (rc == KW_OK) /* every handover is signed (not over a broken chain: verify says where) */
            rc = store_duty_checkpoint(s, now_ms, "handover", NULL);
        rc = duty_tx_end(s, own, rc == KW_ERR_PARSE ? KW_OK : rc);
    }
    kw_buf_free(&t);
    return rc;
}
