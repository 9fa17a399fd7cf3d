/* The alert engine: rules over metric samples, with durations, hysteresis and flap damping.
 *
 * A rule that holds for a series (rule + labels) for `for` fires ONE alert, identified by a
 * fingerprint (hash of the rule name and the labels). While it lasts the alert is updated
 * (value, peak); it resolves once the value is past the clear threshold for `clear_for`, or
 * when the series stops reporting (stale). A rule that fires again within flap_window of
 * resolving reopens the same alert instead of opening a new one.
 *
 * Detectors (net, logs) decide their alerts themselves and keep their state in memory. When
 * one restarts (keepwatch restarted, or a reload restarted its inputs) the engine holds its
 * open alerts: one the detector reports again stays the same alert, acknowledgement and all;
 * one it does not report within stale_after resolves as "not seen since restart".
 *
 * The engine does no I/O and reads no clock: callers pass the time. It answers with
 * alert_act records that the daemon applies to the store, the event log and notifications. */
#ifndef ALERT_H
#define ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert/alert_expr.h"
#include "conf/conf.h"
#include "core/kw_map.h"

struct metric_set;

typedef enum { ALERT_FIRING = 1, ALERT_ACKED, ALERT_RESOLVED } alert_state;
const char *alert_state_name(int st);
int alert_state_parse(const char *s); /* 0 if unknown */

/* What extra context a firing alert carries. */
typedef enum { ALERT_CTX_NONE, ALERT_CTX_TOP_CPU, ALERT_CTX_TOP_MEM } alert_ctx;

typedef struct alert_rule {
    char *name;
    rule_expr *expr;         /* owned */
    int64_t for_ms, clear_for_ms;
    double clear;            /* NAN: the threshold itself */
    int severity;
    char *summary;           /* template, or NULL for the default */
    char *description;
    conf_labels labels;      /* owned copies */
    alert_ctx ctx;
} alert_rule;

typedef struct alert_rules {
    alert_rule *v;
    size_t n;
} alert_rules;

/* Builds the rule set from the configuration: its rules (enabled ones), plus one
 * `service_down` rule per check and one `certificate_expiry` rule per TLS/HTTPS check. */
void alert_rules_from_conf(const conf *c, alert_rules *out);
void alert_rules_free(alert_rules *r);

typedef enum { ALERT_ACT_FIRE, ALERT_ACT_UPDATE, ALERT_ACT_RESOLVE, ALERT_ACT_REOPEN } alert_act_kind;
const char *alert_act_name(alert_act_kind k);

typedef struct alert_act {
    alert_act_kind kind;
    int64_t alert_id;        /* 0 for FIRE: the store assigns it (see alert_engine_bind) */
    char fingerprint[17];
    char *rule;
    int severity;
    char *labels_json;       /* canonical: keys sorted */
    char *summary;
    double value, peak, threshold;
    bool percent;            /* show value/peak/threshold as percent */
    int64_t at_ms;           /* when this happened (input time) */
    int64_t started_ms;      /* when the alert first fired */
    bool history;            /* UPDATE: worth a history row (the peak rose) */
    const char *reason;      /* RESOLVE: "cleared", "no data", "rule removed" */
    alert_ctx ctx;
    char *details_json;      /* filled in by the daemon (top processes), may be NULL */
} alert_act;

typedef struct alert_acts {
    alert_act *v;
    size_t n, cap;
} alert_acts;

void alert_acts_free(alert_acts *a);
/* The fingerprint of an alert: the hash of "rule\nlabels" for the engine's rules (source
 * NULL), of "source\nrule\nlabels" for a detector's. 16 hex digits. */
void alert_fingerprint(const char *source, const char *rule, const char *labels_json, char out[17]);
/* Appends a detector's act (net, logs): kind, rule and labels (canonical JSON, taken over),
 * the fingerprint alert_fingerprint(source, ...). The rest is zero; threshold NAN. */
alert_act *alert_acts_push(alert_acts *a, alert_act_kind kind, const char *source, const char *rule,
                           char *labels_json);

/* An alert open in the store (firing or acknowledged), as the engine takes it up. */
typedef struct alert_open {
    int64_t id;
    char fingerprint[17];
    char rule[128];
    const char *labels_json;
    int severity;
    double peak;
    int64_t started_ms;
} alert_open;

typedef struct alert_engine alert_engine;

alert_engine *alert_engine_new(int64_t flap_window_ms, int64_t stale_after_ms);
void alert_engine_free(alert_engine *e);
/* Changes the flap window and the staleness limit (on reload). */
void alert_engine_configure(alert_engine *e, int64_t flap_window_ms, int64_t stale_after_ms);
/* Replaces the rules (the engine takes ownership). Series of rules that no longer exist
 * resolve with reason "rule removed"; others keep their state. */
void alert_engine_set_rules(alert_engine *e, alert_rules *rules, int64_t now_ms, alert_acts *out);
/* Tells the engine of an alert already open in the store (at start-up, after set_rules).
 * One of the engine's rules that no longer exists resolves at once ("rule removed"); a
 * detector's is held (alert_engine_hold). */
void alert_engine_restore(alert_engine *e, const alert_open *a, int64_t now_ms, alert_acts *out);
/* Holds a detector's open alert whose detector restarted: it resolves at the sweep after
 * stale_after ("not seen since restart") unless alert_engine_forget (the detector reported
 * it again) or a person resolves it first. */
void alert_engine_hold(alert_engine *e, const alert_open *a, int64_t now_ms);
/* Evaluates every rule against the samples of one source. */
void alert_engine_eval(alert_engine *e, const struct metric_set *ms, int64_t now_ms, alert_acts *out);
/* Resolves firing series not seen for stale_after; drops idle state. Call about once a second. */
void alert_engine_sweep(alert_engine *e, int64_t now_ms, alert_acts *out);
/* Records the id the store gave a fired alert. */
void alert_engine_bind(alert_engine *e, const char *fingerprint, int64_t alert_id);
/* Forgets an alert a person resolved (if the condition persists, it fires anew after `for`),
 * or a held one its detector reported again. */
void alert_engine_forget(alert_engine *e, const char *fingerprint);
size_t alert_engine_series(const alert_engine *e);

/* Writes the ECS document for an act (event.kind: alert). */
struct kw_buf;
void alert_act_ecs(const alert_act *a, struct kw_buf *out);

#endif
