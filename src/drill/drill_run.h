/* The leader's drill runs (drill_run.c): a requested run picked up from the store, made
 * running, its injections started at their offsets and polled, ended (duration over, or a stop
 * asked for), its injections stopped, what it raised resolved ("drill over"), scored and
 * written back; and on every server the marks rebuilt from the store's runs. All of it on the
 * core thread's tick, never blocking longer than a poll. */
#ifndef KW_DRILL_RUN_H
#define KW_DRILL_RUN_H

#include <stdint.h>

#include "alert/alert.h"
#include "conf/conf.h"

struct kw_core;
typedef struct drill_runner drill_runner;

/* A runner for core (the caller's: drill_runner_free). */
drill_runner *drill_runner_new(struct kw_core *core);
/* One turn at now with the configuration c: acts appended are committed by the core. */
void drill_runner_tick(drill_runner *r, const conf *c, int64_t now_ms, alert_acts *acts);
/* Stops what is still injecting (the run stays running in the store for the next leader). */
void drill_runner_free(drill_runner *r);

#endif
