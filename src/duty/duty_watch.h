/* The daemon's watch over the duty log: the chain checked every duty.verify_interval (in full
 * at start-up and once a day, incrementally between), an hourly checkpoint, a critical
 * duty_log_tampered alert through the alert path on a break, and the gauge
 * keepwatch_duty_log_intact at /metrics. */
#ifndef DUTY_WATCH_H
#define DUTY_WATCH_H

#include "alert/alert.h"
#include "conf/conf.h"
#include "metric/metric.h"
#include "store/store.h"

typedef struct duty_watch {
    store_duty_check check;   /* the incremental state */
    int64_t next_ms;          /* the next check (0: at once) */
    int64_t full_ms;          /* the last full check */
    int64_t interval_ms;      /* duty.verify_interval */
    bool alerted;             /* duty_log_tampered raised for the current break */
    bool shared;              /* the store is PostgreSQL: other servers append too */
} duty_watch;

/* Tells the store where the duty log's keys are and how often to sign (from c->duty); call
 * before the store is written (the daemon at start, the CLI when it opens the store). */
void duty_configure(const conf *c);

/* Configures the store (duty_configure) and w from c; before the daemon opens its store. */
void duty_watch_init(duty_watch *w, const conf *c);

/* Called by the core thread about once a second; w starts with a full check. A break
 * appends a FIRE act for duty_log_tampered to out (once per break) and tells e it is no
 * detector's held alert; the gauge goes to reg as source "duty". */
void duty_watch_tick(duty_watch *w, kw_store *s, alert_engine *e, metric_registry *reg, int64_t now_ms,
                     alert_acts *out);

/* duty_module.c: the daemon's module, this watch run by the core thread. */
struct kw_module;
extern const struct kw_module duty_module;

#endif
