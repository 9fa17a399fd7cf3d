/* keepwatch's configuration: one YAML file read into typed structs.
 *
 * Every option has a built-in default (conf_default.c holds the defaults, including the
 * built-in rules, as YAML parsed by the same loader), so no file is needed. A user's file is
 * laid over the defaults: scalars replace, lists append, and a list item with the `name` of
 * a built-in item replaces it. Errors name FILE:LINE:COLUMN. */
#ifndef CONF_H
#define CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kw_err.h"

struct rule_expr;

/* ECS event.severity: 1 (low) to 4 (critical). */
typedef enum { KW_SEV_LOW = 1, KW_SEV_MEDIUM, KW_SEV_HIGH, KW_SEV_CRITICAL } kw_severity;
const char *kw_severity_name(int sev);

typedef enum { CHECK_PROCESS, CHECK_TCP, CHECK_HTTP, CHECK_TLS, CHECK_SYSTEMD, CHECK_COMMAND } check_type;
const char *check_type_name(int type);

typedef struct conf_strs { char **v; size_t n; } conf_strs;
typedef struct conf_ports { uint16_t *v; size_t n; } conf_ports;
typedef struct conf_labels { char **k; char **v; size_t n; } conf_labels;
typedef struct conf_list { void *items; size_t n; } conf_list;
/* A command: written as a list it is argv; as one string, a /bin/sh -c command line. */
typedef struct conf_command { conf_strs argv; bool shell; } conf_command;
#define CONF_AT(list, type, i) (&((type *)(list).items)[i])

typedef struct conf_asset {
    char *name;
    conf_strs addresses; /* IPs or CIDR prefixes */
    conf_ports ports;
    char *department;
    char *owner;
    int criticality;     /* kw_severity */
    char *description;
} conf_asset;

typedef struct conf_check {
    char *name;
    int type;            /* check_type */
    bool enabled;
    int64_t interval_ms;
    int64_t timeout_ms;
    int64_t for_ms;      /* how long it must fail before the alert fires */
    int severity;
    char *asset;
    /* process */
    char *process;       /* process name (comm) */
    char *pidfile;
    int64_t min_count;
    /* tcp, tls */
    char *host;
    int64_t port;
    char *server_name;   /* tls: SNI, default host */
    int64_t warn_days;   /* tls: alert when the certificate expires within this many days */
    /* http */
    char *url;
    char *method;
    char *expect_status; /* "200", "2xx", "200-399" */
    char *body_contains;
    bool tls_verify;
    /* systemd */
    char *unit;
    /* command */
    conf_command command;
    /* derived at load */
    int status_lo, status_hi;
} conf_check;

/* Thresholds for some targets (FastNetMon's host groups): the most specific prefix wins. */
typedef struct conf_net_group {
    char *name;
    conf_strs prefixes;  /* CIDR prefixes of the targets */
    conf_strs assets;    /* and/or assets, by name (their addresses) */
    double flood_pps, syn_half_open_pps; /* NAN: the net: default */
    double pps_ceiling, bps_ceiling;     /* traffic_spike: absolute ceilings (NAN: none) */
} conf_net_group;

typedef struct conf_rule {
    char *name;
    bool enabled;
    char *expr;
    int64_t for_ms;      /* the condition must hold this long before the alert fires */
    double clear;        /* hysteresis: resolve only once past this value (NAN: the threshold) */
    int64_t clear_for_ms;/* ...and only after staying clear this long */
    int severity;
    char *summary;       /* template: {value} {threshold} {LABEL} */
    char *description;
    conf_labels labels;
    /* derived at load */
    struct rule_expr *parsed;
    bool builtin;        /* from the built-in configuration */
} conf_rule;

typedef struct conf {
    char *path;          /* the file read, or NULL for the built-in configuration */
    struct {
        char *state_dir;
        int log_level;
        char *user;      /* started as root: drop to this user once captures are open */
    } daemon;
    struct {
        bool enabled;
        char *listen;    /* host:port */
        int64_t threads;
        uint64_t max_body;
    } http;
    struct {
        int64_t raw_retention_ms;
        int64_t minute_retention_ms;
        int64_t hour_retention_ms;
    } history;
    struct {
        bool enabled;
        char *path;      /* relative to state_dir unless absolute */
        uint64_t max_size;
        int64_t keep;
        int64_t queue_size;
        int64_t metric_interval_ms; /* routine readings (host, unchanged checks) are logged this often */
    } events;
    struct {
        int64_t flap_window_ms; /* a rule that fires again this soon after resolving reopens its alert */
        int64_t stale_after_ms; /* a series not seen this long resolves */
    } alerts;
    struct {
        bool enabled;
        int64_t interval_ms;
        int64_t top_processes;
        conf_strs ignore_fstypes;
        conf_strs ignore_mountpoints; /* prefixes */
        bool include_readonly;        /* read-only mounts are always full: skipped by default */
        conf_strs ignore_interfaces;
        conf_strs ignore_disks;       /* prefixes */
    } host;
    struct {
        conf_strs interfaces;         /* live capture in serve */
        char *bpf;                    /* optional capture filter */
        int64_t snaplen;
        uint64_t buffer;              /* kernel ring per interface */
        double flood_pps, syn_half_open_pps;
        int64_t flood_for_ms, flood_end_ms, scan_ports, sweep_hosts, scan_window_ms;
        int64_t brute_sessions, brute_window_ms, idle_end_ms;
        conf_ports auth_ports;
        conf_strs allow;              /* sources never reported (your own scanners, monitoring) */
        double spike_factor;          /* traffic_spike: this many times the learned baseline... */
        double spike_min_pps;         /* ...and at least this rate */
        int64_t spike_for_ms;
        int64_t spike_learn_ms;       /* the baseline must have learned this long first */
        conf_list groups;             /* conf_net_group */
    } net;
    bool builtin_rules;
    conf_list assets;    /* conf_asset */
    conf_list checks;    /* conf_check */
    conf_list rules;     /* conf_rule */
} conf;

/* Diagnostics collected while loading: each is "FILE:LINE:COLUMN: message". */
typedef struct conf_errors {
    char **v;
    size_t n;
} conf_errors;

/* Loads the built-in defaults, then `path` over them if non-NULL. On KW_OK *out is the
 * caller's (conf_free). On error *out is NULL and errs holds every problem found. */
kw_rc conf_load(const char *path, conf **out, conf_errors *errs);
/* As conf_load, from a buffer (for tests and fuzzing); `name` labels error messages. */
kw_rc conf_load_buffer(const char *name, const char *data, size_t len, conf **out, conf_errors *errs);
void conf_free(conf *c);
void conf_errors_free(conf_errors *e);
/* Writes the effective configuration as YAML. */
char *conf_show(const conf *c);
/* Joins state_dir and a relative path; absolute paths are returned as they are. Caller frees. */
char *conf_state_path(const conf *c, const char *rel);
const conf_asset *conf_asset_find(const conf *c, const char *name);

extern const char conf_default_yaml[];

#endif
