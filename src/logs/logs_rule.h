/* Log rules: match conditions over parsed fields, frequency conditions (N lines within T
 * grouped by fields), and the detections they make.
 *
 * A ruleset is compiled once from the configuration and is read-only afterwards. Rules are
 * routed by event.dataset, event.action or event.category (a line meets only the rules filed
 * under its values plus the rules that name none; the engine keeps the merged list of each
 * combination it sees), cheap conditions are tested before expensive ones, and all regular
 * expressions and literals on a field are prefiltered in one pass (Hyperscan, when built with
 * it) before PCRE2 JIT confirms the few candidates. A rule with a gate (a required condition
 * wholly in that pass, else a required eq or cidr condition) is looked at only when the
 * line's scan hits it or its value finds it. An engine holds the per-group counting state of
 * one thread, and the intel_match detections of the lists it is given.
 *
 * A detection is one attack or condition, however many lines it takes: it fires once when the
 * rule's count is reached, is updated while matching lines keep coming, and ends after the
 * rule's end_after without one. */
#ifndef LOGS_RULE_H
#define LOGS_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "core/kw_buf.h"
#include "core/kw_err.h"
#include "logs/logs.h"

/* Checks one condition ("field|op" and a value) as the configuration loader reads it. On
 * error *pos is the byte in value the message refers to, or SIZE_MAX for the key. */
kw_rc log_cond_check(const char *key, const char *value, char *err, size_t errn, size_t *pos);

/* Conditions alone, without counting (device membership): all must hold. */
typedef struct log_matcher log_matcher;
log_matcher *log_matcher_new(const conf_match *m, char *err, size_t errn);
bool log_matcher_test(log_matcher *m, const log_rec *r);
void log_matcher_free(log_matcher *m);

typedef struct log_ruleset log_ruleset;

/* Compiles the enabled logs.rules of the configuration. NULL with err set on failure. */
log_ruleset *log_ruleset_from_conf(const conf *c, char *err, size_t errn);
void log_ruleset_free(log_ruleset *rs);
size_t log_ruleset_count(const log_ruleset *rs);
/* True when the ruleset prefilters regular expressions with Hyperscan. */
bool log_ruleset_prefiltered(const log_ruleset *rs);

typedef enum { LOG_DET_FIRE, LOG_DET_UPDATE, LOG_DET_END } log_det_phase;

#define LOG_DET_MAX_BY 4
#define LOG_DET_MAX_CTX 10

typedef struct log_detection {
    log_det_phase phase;
    const char *rule;
    const char *action;          /* event.action of the detection */
    const char *technique;       /* MITRE ATT&CK id, may be NULL */
    const char *description;     /* may be NULL */
    int severity;
    size_t nby;
    const char *by_field[LOG_DET_MAX_BY];
    const char *by_value[LOG_DET_MAX_BY]; /* "" when the line lacked the field */
    uint64_t count;              /* matching lines since it began */
    int64_t threshold, within_ms;
    int64_t first_ms, fire_ms, last_ms, end_ms;
    const char *summary;         /* rendered from the rule's template */
    /* fields of the line that made it fire */
    size_t nctx;
    const char *ctx_field[LOG_DET_MAX_CTX];
    const char *ctx_value[LOG_DET_MAX_CTX];
    const char *sample;          /* that line's message (cut at 512 bytes); intel_match: the whole line */
    /* intel_match (a listed address or domain in a line): rule is the list's name */
    const char *indicator;       /* the listed address or domain as the line has it, else NULL */
    const char *indicator_type;  /* "ipv4-addr", "ipv6-addr" or "domain-name" */
} log_detection;

typedef void (*log_det_fn)(void *arg, const log_detection *d);

typedef struct log_engine log_engine;

/* The engine reads rs, which must outlive it. */
log_engine *log_engine_new(const log_ruleset *rs, log_det_fn fn, void *arg);
void log_engine_free(log_engine *e);
log_ruleset *log_engine_ruleset(log_engine *e);
/* Looks the lines' source.ip, destination.ip, source.nat.ip and domain (the host of an
 * absolute url.original, source.domain) up in s from now on; NULL stops it. The caller keeps
 * its reference on s (intel_acquire) until it sets another or NULL. A hit is an intel_match
 * detection (rule = the list's name, severity = the list's), one per (list, listed
 * indicator, other end), ended after 5 quiet minutes. */
struct intel_set;
void log_engine_set_intel(log_engine *e, const struct intel_set *s);
/* Runs a parsed line through the rules at time at_ms (the receive time live, the line's own
 * time offline; time never goes backwards inside the engine). Returns how many rules matched. */
int log_engine_line_at(log_engine *e, const log_rec *r, int64_t at_ms);
/* As log_engine_line_at with the line's own time (offline analysis). */
int log_engine_line(log_engine *e, const log_rec *r);
/* Lets time pass: ends quiet detections, sends updates, forgets idle groups. */
void log_engine_tick(log_engine *e, int64_t now_ms);
/* Ends every detection under way. */
void log_engine_finish(log_engine *e);

typedef struct log_rule_stats {
    const char *name;
    uint64_t matches;       /* lines that met the rule's conditions */
    uint64_t detections;    /* detections fired */
    uint64_t active;        /* detections under way */
    uint64_t groups;        /* groups being counted */
    uint64_t groups_dropped;/* new groups refused because max_groups was reached */
} log_rule_stats;
/* Fills out[] with per-rule counts; returns the number of rules. */
size_t log_engine_rule_stats(const log_engine *e, log_rule_stats *out, size_t max);

/* Appends the detection to out as the alert change of detector `source` (labels: its group's
 * fields, keys sorted; details: its ECS document). */
struct alert_acts;
void log_detection_act(const log_detection *x, const char *source, struct alert_acts *out);

/* The detection as one ECS document (event.kind: alert) and as one line for people. */
void log_detection_ecs(const log_detection *d, kw_buf *out);
void log_detection_text(const log_detection *d, kw_buf *out);

#endif
