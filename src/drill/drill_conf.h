/* The drill: section of the configuration (drill_conf.c): the scenarios a team rehearses,
 * built in (drills/NAME.yaml, embedded at build time) and its own (drill.scenarios, *.yaml files
 * in drill.scenario_dir), each made of injections that go through the real sensors and of
 * expectations with targets the run is scored against.
 *
 * An injection is one of (the key given says which):
 *   replay: a capture (a built-in one, or a pcap path) replayed by tcpreplay into a veth pair in
 *           a network namespace keepwatch creates, or into a configured interface;
 *   log:    lines (a built-in set, or given) appended to a watched file or sent to the syslog
 *           listener;
 *   check:  a service check forced down for a time;
 *   alert:  a synthetic alert of a given rule.
 * A tabletop scenario has no injection: people mark what they did. */
#ifndef KW_DRILL_CONF_H
#define KW_DRILL_CONF_H

#include "conf/conf_engine.h"
#include "core/kw_buf.h"

typedef enum { DRILL_INJ_REPLAY = 1, DRILL_INJ_LOG, DRILL_INJ_CHECK, DRILL_INJ_ALERT } drill_inj_kind;

typedef struct conf_drill_inject {
    int kind;                   /* drill_inj_kind: which of replay, log, check, alert was given */
    int64_t at_ms;              /* after the run's start (`at: 30s`) */
    int64_t for_ms;             /* replay: at most this long; check: down this long (0: the capture's length; 5 min) */
    /* replay */
    char *replay;               /* a built-in capture (syn_flood, udp_reflection, port_scan, brute_force) or a pcap path */
    char *interface;            /* into this interface (NULL: a veth pair in a namespace keepwatch creates) */
    double pps;                 /* packets per second (0: the capture's own timing) */
    int64_t loop;               /* times the capture is replayed (0: until for) */
    char *target;               /* built-in captures: the address attacked (default 192.0.2.10) */
    /* log */
    char *log;                  /* a built-in set (ssh_brute_force, web_attack, firewall_deny, db_login_failure) or "lines" */
    conf_strs lines;            /* the lines themselves (log: lines) */
    char *file;                 /* appended to this watched file, or */
    char *syslog;               /* sent to the syslog listener: udp://HOST:PORT or tcp://HOST:PORT */
    int64_t count;              /* lines sent (default: the set's own) */
    double rate;                /* lines per second (default 20) */
    char *source;               /* the attacking address the lines carry (default: from 198.51.100.0/24) */
    /* check */
    char *check;                /* the check forced down */
    /* alert */
    char *rule;                 /* the synthetic alert's rule */
    int severity;               /* 1..4 (default 3) */
    conf_labels labels;         /* its labels (drill is added) */
    char *summary;
} conf_drill_inject;

/* What the run is scored against: each _ms a target after the first injection (0: not
 * expected). */
typedef struct conf_drill_expect {
    char *rule;                 /* the alert that counts as the detection (NULL: any the drill caused) */
    int64_t detected_ms;        /* the alert fired */
    int64_t notified_ms;        /* its first notification delivered */
    int64_t acked_ms;           /* acknowledged by a person */
    int64_t declared_ms;        /* an incident declared ... */
    char *playbook;             /* ... from this playbook (NULL: any) */
    int grade;                  /* ... at this grade (0: any) */
    bool steps_on_time;         /* each playbook step done within its deadline (default true with declared) */
    conf_strs told;             /* departments told: names or kind:KIND */
} conf_drill_expect;

typedef struct conf_drill_scenario {
    char *name;                 /* ddos, ssh_brute_force, ... */
    char *title, *title_zh;
    char *description, *description_zh;
    bool tabletop;              /* no injection: the timeline is what people mark */
    bool surprise;              /* unannounced: participants are not told before it starts */
    conf_strs participants;     /* targets (as incident owners) told when it is announced */
    conf_strs at;               /* scheduled runs: YYYY-MM-DDTHH:MM (local time) */
    int64_t duration_ms;        /* the run ends (and is scored) after this (default 30m) */
    conf_list inject;           /* conf_drill_inject */
    conf_drill_expect expect;
    /* derived at load */
    const char *origin;         /* "built-in", or the file it came from */
    unsigned line;
} conf_drill_scenario;

extern const cf_section drill_conf_section;
/* Cross-checks against the rest of the configuration (checks, rules, playbooks, departments,
 * targets, watched files): run by the loader after every section is read. */
void drill_conf_refs(cf_ctx *ctx, conf *c, yaml_node_t *top);
/* The scenario named name in c, or NULL (c's). */
const conf_drill_scenario *drill_conf_find(const conf *c, const char *name);
/* The scenarios of c as a JSON array appended to out: {name, title, title_zh, description,
 * description_zh, tabletop, surprise, duration_s, injections, origin} (the API's and
 * `drill list --json`'s). */
void drill_conf_scenarios_json(const conf *c, kw_buf *out);
/* Frees what s holds (not s itself). */
void drill_conf_scenario_free(conf_drill_scenario *s);
/* Reads text (len bytes, called name in its errors) as one scenario into c->drill.scenarios
 * (builtin: of the built-in layer; a user one replaces the built-in of its name). KW_OK when
 * added, else KW_ERR_PARSE with the errors in errs (for `drill check FILE` and the fuzzer). */
kw_rc drill_conf_load_text(conf *c, const char *name, const char *text, size_t len, bool builtin, conf_errors *errs);

#endif
