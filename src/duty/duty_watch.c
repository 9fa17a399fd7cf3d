/* The daemon's watch over the duty log (see duty_watch.h). */
#include "duty/duty_watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "store/store_conf.h"

#define FULL_EVERY_MS (24 * 3600 * 1000LL)
#define CHECKPOINT_MAX_AGE_MS (3600 * 1000LL)

static const metric_desc m_intact = {"duty_log_intact", "1 when the duty log's chain verified at the last check, 0 "
                                     "when it is broken.", METRIC_GAUGE, false};
static const metric_desc m_entries = {"duty_log_entries_verified", "Duty-log entries verified at the last check.",
                                      METRIC_GAUGE, false};
static const metric_desc m_checked = {"duty_log_checked_time_seconds", "When the duty log was last checked (Unix "
                                      "time).", METRIC_GAUGE, false};

static void raise_alert(duty_watch *w, alert_engine *e, int64_t now_ms, const char *why, alert_acts *out)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "log", "duty");
    kw_json_obj_end(&j);
    alert_act *a = alert_acts_push(out, ALERT_ACT_FIRE, "duty", "duty_log_tampered", kw_buf_take(&b));
    a->severity = KW_SEV_CRITICAL;
    kw_buf_printf(&b, "duty log tampered: broken at entry %lld: %s", (long long)w->check.bad_id, why);
    a->summary = kw_buf_take(&b);
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "bad_entry", w->check.bad_id);
    kw_json_kv_int(&j, "entries_verified", w->check.entries);
    kw_json_kv_str(&j, "why", why);
    kw_json_obj_end(&j);
    a->details_json = kw_buf_take(&b);
    a->value = a->peak = (double)w->check.bad_id;
    a->at_ms = a->started_ms = now_ms;
    alert_engine_forget(e, a->fingerprint); /* held from before a restart: it is raised again */
    w->alerted = true;
}

static void put_metrics(const duty_watch *w, metric_registry *reg, int64_t now_ms, bool intact)
{
    metric_set *ms = metric_set_new(now_ms);
    metric_add(ms, &m_intact, intact ? 1 : 0, NULL);
    metric_add(ms, &m_entries, (double)w->check.entries, NULL);
    metric_add(ms, &m_checked, (double)now_ms / 1000.0, NULL);
    metric_registry_put(reg, "duty", ms);
}

void duty_watch_init(duty_watch *w, const conf *c)
{
    memset(w, 0, sizeof *w);
    w->interval_ms = c->duty.verify_interval_ms > 0 ? c->duty.verify_interval_ms : 300000;
    w->shared = store_conf_shared(c);
    duty_configure(c);
}

void duty_watch_tick(duty_watch *w, kw_store *s, alert_engine *e, metric_registry *reg, int64_t now_ms,
                     alert_acts *out)
{
    if (w->next_ms && now_ms < w->next_ms)
        return;
    w->next_ms = now_ms + w->interval_ms;
    if (!w->full_ms || now_ms - w->full_ms >= FULL_EVERY_MS) {
        memset(&w->check, 0, sizeof w->check);
        w->full_ms = now_ms;
    }
    kw_rc rc = store_duty_verify_more(s, &w->check);
    if (rc == KW_ERR_STORE) { /* busy or failing: said elsewhere; try again next time */
        log_warn("duty log: cannot check the chain: %s", store_errmsg(s));
        memset(&w->check, 0, sizeof w->check);
        return;
    }
    const char *why = rc == KW_ERR_PARSE ? w->check.why : store_errmsg(s);
    if (rc != KW_OK && !w->check.bad_id)
        w->check.bad_id = w->check.entries + 1;
    put_metrics(w, reg, now_ms, rc == KW_OK);
    if (rc == KW_OK) {
        w->alerted = false;
        if (store_duty_checkpoint_due(s, now_ms, CHECKPOINT_MAX_AGE_MS) != KW_OK)
            log_warn("duty log: no hourly checkpoint: %s", store_errmsg(s));
        return;
    }
    if (w->alerted)
        return;
    log_error("duty log BROKEN at entry %lld: %s%s", (long long)w->check.bad_id, why,
              w->shared ? " (servers sharing a store must have the same duty keys: copy duty.key and"
                          " duty_sign.key of the first to the others, duty.key_file, duty.sign_key_file)"
                        : "");
    raise_alert(w, e, now_ms, why, out);
}
