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
const char *check_type_name(int type); /* src/check/check_conf.c */

typedef struct conf_strs { char **v; size_t n; } conf_strs;
typedef struct conf_ports { uint16_t *v; size_t n; } conf_ports;
typedef struct conf_labels { char **k; char **v; size_t n; } conf_labels;
typedef struct conf_list { void *items; size_t n; } conf_list;
/* A command: written as a list it is argv; as one string, a /bin/sh -c command line. */
typedef struct conf_command { conf_strs argv; bool shell; } conf_command;
#define CONF_AT(list, type, i) (&((type *)(list).items)[i])

enum { CONF_EXPOSURE_INTERNAL, CONF_EXPOSURE_INTERNET };

typedef struct conf_asset {
    char *name;
    conf_strs addresses; /* IPs or CIDR prefixes */
    conf_ports ports;
    char *department;
    char *owner;
    int criticality;     /* kw_severity */
    int exposure;        /* CONF_EXPOSURE_*: reachable from the internet or only inside */
    char *description;
    char *business;      /* the service it carries, as users know it: 网上银行 */
    char *impact;        /* what users notice when it is attacked or down */
    char *advice;        /* what customer service tells users meanwhile */
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

/* A log rule's conditions: "field" or "field|op" to one value or a list (any of them). */
typedef struct conf_cond {
    char *key;
    conf_strs values;
} conf_cond;
typedef struct conf_match { conf_cond *v; size_t n; } conf_match;

typedef enum { LOG_INPUT_FILE, LOG_INPUT_SYSLOG, LOG_INPUT_JOURNAL } log_input_type;
typedef enum { LOG_PROTO_UDP, LOG_PROTO_TCP, LOG_PROTO_BOTH } log_input_proto;
typedef enum { LOG_EVENTS_NONE, LOG_EVENTS_MATCHED, LOG_EVENTS_ALL } log_events_mode;

typedef struct conf_log_input {
    char *name;
    int type;            /* log_input_type */
    bool enabled;
    conf_strs paths;     /* file: globs */
    char *format;        /* auto, syslog, nginx, apache, json, raw */
    char *timezone;      /* for stamps without a zone; NULL: logs.timezone */
    bool from_beginning; /* file: read a file first seen from its start (default: its end) */
    char *listen;        /* syslog: ADDRESS:PORT */
    int protocol;        /* syslog: log_input_proto */
} conf_log_input;

typedef struct conf_log_rule {
    char *name;
    bool enabled;
    conf_match match;    /* every condition must hold */
    conf_match unless;   /* ...and not all of these */
    int64_t count;       /* this many matching lines... */
    int64_t within_ms;   /* ...within this window... */
    conf_strs by;        /* ...with the same values of these fields */
    int64_t end_after_ms;/* the detection ends after this long without a matching line */
    int severity;
    bool severity_from_event; /* take event.severity from the line (IDS alerts) */
    char *action;        /* event.action of the detection; default: the rule's name */
    char *technique;     /* MITRE ATT&CK id */
    char *summary;       /* template: {count} {within} {FIELD} */
    char *description;
    bool builtin;
} conf_log_rule;

typedef struct conf_log_device {
    char *name;
    conf_match match;    /* which lines are this device's */
    int64_t heartbeat_ms;/* device_silent when it sends nothing this long (0: not watched) */
    bool surge;          /* watch its firewall rules' hit counts (rule_hit_surge) */
} conf_log_device;

typedef struct conf_log_signatures {
    char *name;
    char *path;          /* a rule file, database or version file (its age: the newest of the glob) */
    char *version_pattern; /* PCRE2 with one group: a date (YYYYMMDD, YYYY-MM-DD) or a version in the file */
    bool freshclam;      /* the age of the last successful freshclam run seen in the logs */
    int64_t max_age_ms;
    int severity;
} conf_log_signatures;

/* What the network sensor reads in protocol contents (net.inspect). */
typedef struct conf_net_inspect {
    bool enabled;
    bool builtin_rules;           /* keepwatch's own web-attack signatures */
    conf_strs rules;              /* Suricata-format rule files, in this order */
    conf_strs vars;               /* rule variables, "NAME=VALUE" ("HTTP_PORTS=[80,8080]") */
    conf_strs home_net;           /* HOME_NET's prefixes (EXTERNAL_NET is the rest); empty: any */
    bool dns_tunnel, dga, cleartext;
} conf_net_inspect;

/* A threat-intelligence list (intel): written as a mapping, or as its path alone. */
typedef struct conf_intel_file {
    char *path;
    char *name;          /* NULL: the file's base name without its extension */
    int format;          /* intel_format: auto, plain, csv, stix */
    int severity;        /* of its intel_match alerts (default medium) */
} conf_intel_file;

/* ---- people and duty (oncall) ---- */

typedef enum { DEPT_SECURITY, DEPT_OPERATIONS, DEPT_BUSINESS, DEPT_CUSTOMER_SERVICE, DEPT_MANAGEMENT, DEPT_OTHER } dept_kind;

typedef struct conf_department {
    char *name;
    char *display;       /* 安全部 */
    int kind;            /* dept_kind: what the department is told (technical detail, user impact, ...) */
    char *head;          /* a person: the last escalation level */
} conf_department;

typedef struct conf_person {
    char *name;          /* the id used everywhere: zhang.wei */
    char *display;       /* 张伟 */
    char *phone, *email;
    char *dingtalk, *wecom, *feishu, *slack; /* chat ids, for @mentions */
    conf_strs departments;
    conf_strs roles;     /* duty_officer, expert, team_lead, ... */
} conf_person;

typedef enum { ROTATION_DAILY, ROTATION_WEEKLY, ROTATION_CUSTOM } rotation_kind;

/* A layer: members take turns, shift after shift, from an anchor (start date + handoff time).
 * Later layers take precedence where they have someone on duty. */
typedef struct conf_layer {
    char *name;
    int rotation;        /* rotation_kind */
    int64_t shift_ms;    /* custom: the shift length */
    char *start;         /* YYYY-MM-DD: the first shift's day (default 2024-01-01) */
    char *handoff;       /* HH:MM: when shifts change (default 09:00) */
    conf_strs members;   /* people, in turn order */
    conf_strs days;      /* restriction: mon..sun (empty: every day) */
    char *from, *to;     /* restriction: HH:MM-HH:MM each day (to < from: past midnight) */
    bool period_only;    /* only during the protection period (the temporary schedule) */
    /* derived at load */
    int64_t anchor_min;  /* the first shift's start, minutes since the epoch in the schedule's zone */
    int from_min, to_min;/* -1: no time restriction */
    uint8_t day_mask;    /* bit 0 = Monday; 0x7f: every day */
} conf_layer;

typedef struct conf_override {
    char *person;
    char *from, *to;     /* YYYY-MM-DDTHH:MM in the schedule's zone */
    char *reason;
    int64_t from_ms, to_ms; /* derived */
} conf_override;

typedef struct conf_schedule {
    char *name;
    char *description;
    char *timezone;      /* +08:00, UTC, local (default: local) */
    conf_list layers;    /* conf_layer */
    conf_list overrides; /* conf_override */
    int32_t tz_min;      /* derived: minutes east of UTC, or INT32_MIN for local */
} conf_schedule;

/* ---- notifications (notify) ---- */

typedef enum { CHAN_WEBHOOK, CHAN_DINGTALK, CHAN_WECOM, CHAN_FEISHU, CHAN_SLACK, CHAN_EMAIL } chan_type;
typedef enum { SMTP_TLS_STARTTLS, SMTP_TLS_TRY, SMTP_TLS_SMTPS, SMTP_TLS_NONE } smtp_tls;

typedef struct conf_channel {
    char *name;
    int type;            /* chan_type */
    char *url;           /* the robot's webhook, or smtp://host:port for e-mail */
    char *secret;        /* DingTalk, Feishu and webhooks: the signing secret */
    char *secret_file;   /* or a file that holds it (its first line), read at load */
    char *department;    /* whose channel: the department's kind picks the message (technical, user impact) */
    char *language;      /* zh or en; NULL: notify.language */
    int64_t rate_limit;  /* at most this many messages per rate_window (0: no limit) */
    int64_t rate_window_ms;
    int64_t timeout_ms;
    bool mention;        /* @ the people notified (chat robots) */
    conf_labels headers; /* webhook: extra HTTP headers */
    char *title, *body, *line; /* templates (NULL: the built-in ones) */
    /* e-mail */
    char *from;
    conf_strs to;        /* always written to, besides the people notified */
    char *username, *password;
    int tls;             /* smtp_tls */
    char *ca_file;       /* a CA bundle for the server's certificate (NULL: the system's) */
    bool tls_verify;
} conf_channel;

/* One step of an escalation policy: after `after` without an acknowledgement, these are told. */
typedef struct conf_esc_level {
    int64_t escalate_after_ms; /* nobody acknowledged this long after this level was told: the next level */
    conf_strs notify;    /* schedule:NAME (on duty now), person:NAME, head:DEPT, role:ROLE */
    conf_strs channels;
} conf_esc_level;

typedef struct conf_policy {
    char *name;
    conf_list levels;    /* conf_esc_level */
    int64_t repeat;      /* run the levels again this many times while nobody acknowledges */
    conf_strs inform;    /* channels told when alerts fire and resolve, never escalated (departments) */
    bool announce_ack, announce_resolved;
} conf_policy;

typedef struct conf_route {
    conf_match match;    /* every condition holds (empty: every alert) */
    char *policy;
    conf_strs group_by;  /* alerts with the same values are one message (default: rule) */
    int64_t group_wait_ms, group_interval_ms; /* -1: notify's */
    bool cont;           /* `continue`: later routes may take the alert too */
} conf_route;

/* A maintenance window: alerts it matches are not notified while it lasts. */
typedef struct conf_silence {
    char *name;
    conf_match match;
    char *start, *end;   /* one-off: YYYY-MM-DDTHH:MM in the window's zone */
    conf_strs days;      /* recurring: mon..sun (empty: every day)... */
    char *from, *to;     /* ...from HH:MM to HH:MM (to < from: past midnight) */
    char *timezone;
    char *reason;
    /* derived at load */
    int64_t start_ms, end_ms;
    int from_min, to_min;
    uint8_t day_mask;
    int32_t tz_min;
} conf_silence;

/* While an alert matching `source` is open, alerts matching `target` with the same `equal`
 * labels are not notified (a host that is down mutes its services' alerts). */
typedef struct conf_inhibit {
    conf_match source, target;
    conf_strs equal;
} conf_inhibit;

/* One device of snmp.devices (src/snmp/snmp_conf.c). */
typedef struct conf_snmp_device {
    char *name;
    char *address;       /* host[:port], [v6]:port (port 161 when none) */
    bool enabled;
    int version;         /* SNMP_CONF_V2C, SNMP_CONF_V3 */
    char *community;     /* v2c (a secret) */
    char *user;          /* v3 */
    int security_level;  /* SNMP_CONF_NOAUTH, SNMP_CONF_AUTHNOPRIV, SNMP_CONF_AUTHPRIV */
    int auth_protocol;   /* SNMP_CONF_SHA, SNMP_CONF_SHA256 */
    char *auth_pass;     /* a secret */
    int priv_protocol;   /* SNMP_CONF_AES */
    char *priv_pass;     /* a secret */
    int64_t interval_ms, timeout_ms, retries;
    conf_strs profiles;  /* snmp_profile names: if, host, system, ucd, huawei, h3c, cisco */
    conf_labels labels;  /* added to the labels of the device's trap events (site, rack, owner...) */
} conf_snmp_device;

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
        char *user;      /* started as root: drop to this user once captures are open ("", root: stay root) */
        char *group;     /* its primary group instead of the user's own (NULL: the user's) */
        char *name;      /* this server among several on one store (NULL: the host name) */
    } daemon;
    struct {
        bool enabled;
        char *listen;    /* host:port */
        int64_t threads;
        uint64_t max_body;
        char *tls_cert, *tls_key;     /* PEM files: HTTPS when both are set */
        int64_t session_idle_ms;      /* a console session ends after this long unused... */
        int64_t session_max_ms;       /* ...or this long after sign-in */
        int64_t timeout_ms;           /* an idle connection is closed after this (0: 30 s) */
        int64_t per_address;          /* connections at once from one address (0: 32) */
    } http;
    struct {
        char *url;           /* postgresql://... (NULL: the SQLite file state_dir/keepwatch.db) */
        char *password_file; /* the PostgreSQL password, its first line (NULL: the URL's, or ~/.pgpass) */
    } store;
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
        int64_t brute_sessions, brute_window_ms, brute_slow_sessions, brute_slow_window_ms, idle_end_ms;
        conf_ports auth_ports;
        conf_strs allow;              /* sources never reported (your own scanners, monitoring) */
        double spike_factor;          /* traffic_spike: this many times the learned baseline... */
        double spike_min_pps;         /* ...and at least this rate */
        int64_t spike_for_ms;
        int64_t spike_learn_ms;       /* the baseline must have learned this long first */
        conf_list groups;             /* conf_net_group */
        conf_net_inspect inspect;
    } net;
    struct {
        uint64_t max_line;            /* longer lines are cut here and counted */
        char *timezone;               /* of stamps that carry none: local, UTC, +08:00 */
        int events;                   /* log_events_mode: parsed lines written to the event log */
        int64_t max_groups;           /* frequency state kept per rule (source addresses, ...) */
        int64_t max_connections;      /* syslog over TCP */
        double surge_factor;          /* rule_hit_surge: this many times the learned rate... */
        double surge_min;             /* ...and at least this many hits per minute */
        int64_t surge_learn_ms;       /* learning before a rule's surges are reported */
        conf_list inputs;             /* conf_log_input */
        conf_list rules;              /* conf_log_rule */
        conf_list devices;            /* conf_log_device */
        conf_list signatures;         /* conf_log_signatures */
    } logs;
    struct {
        conf_list files;              /* conf_intel_file, at most 64 */
        int64_t reload_interval_ms;   /* how often the files are stat()ed for changes */
    } intel;
    struct {
        char *key_file;               /* the HMAC key (NULL: state_dir/duty.key); never the key itself */
        char *sign_key_file;          /* the Ed25519 key (NULL: state_dir/duty_sign.key); its public
                                         half beside it, .key replaced by .pub */
        int64_t checkpoint_every;     /* entries per signed checkpoint, at most */
        int64_t verify_interval_ms;   /* how often the daemon checks the chain */
    } duty;
    struct {
        /* how the console and chat messages write times: an IANA zone (Asia/Shanghai), UTC,
         * +08:00 or local (default: local, the zone of the protection period) */
        char *timezone;
        int32_t tz_min;               /* derived: minutes east of UTC (now, for an IANA zone) */
        char tz_abbr[16];             /* derived: CST, UTC, ... ("" when the zone has none) */
        bool tz_named;                /* derived: an IANA zone (the console follows its rules) */
    } console;
    struct {
        char *name;                   /* the protection period: 2026 两会重保 */
        char *start, *end;            /* YYYY-MM-DDTHH:MM (local time) */
        int64_t start_ms, end_ms;     /* derived; 0 when unset */
    } period;
    struct {
        bool enabled;
        char *language;               /* zh or en: the messages' default language */
        int64_t group_wait_ms;        /* a new group waits this long for more alerts of the same attack */
        int64_t group_interval_ms;    /* then changes to a group go out at most this often */
        int64_t retry_for_ms;         /* a delivery is retried this long before it is given up */
        char *console_url;            /* links in messages (NULL: none) */
        conf_list channels;           /* conf_channel */
        conf_list policies;           /* conf_policy */
        conf_list routes;             /* conf_route */
        conf_list silences;           /* conf_silence */
        conf_list inhibit;            /* conf_inhibit */
    } notify;
    struct {
        conf_list devices;            /* conf_snmp_device */
        int64_t bulk_rows;            /* max_repetitions: GETBULK max-repetitions (rows per column and request) */
        struct {
            char *listen;             /* host:port of the v2c trap listener (NULL: none) */
            char *community;          /* traps with another community are counted and dropped (a secret) */
        } traps;
    } snmp;
    struct {                          /* src/scan/scan_conf.c */
        conf_strs allowed;            /* prefixes a scan may reach (empty: loopback, RFC 1918, ULA) */
        conf_strs exclude;            /* addresses, prefixes and ranges never scanned */
        int64_t rate;                 /* connection attempts per second over all hosts (0: no bound) */
        int64_t host_rate;            /* per host (0: no bound) */
        int64_t timeout_ms;           /* a probe's longest wait; the adaptive wait stays below it */
        conf_list net;                /* conf_scan_job (src/scan/scan_job.h): scheduled network scans */
        struct {
            conf_strs templates;      /* directories of Nuclei-format HTTP templates */
            int64_t rate;             /* requests per second (0: no bound) */
            int64_t concurrency;      /* requests at once */
            int64_t timeout_ms;       /* one request's longest wait */
            conf_list jobs;           /* conf_web_job (src/scan/scan_job.h): scheduled web scans */
        } web;
    } scan;
    struct {                          /* src/audit/audit_conf.c */
        conf_list jobs;               /* conf_audit_job (src/audit/audit_conf.h): scheduled audits */
    } audit;
    struct {                          /* src/agent/agent_conf.c */
        char *server;                 /* the agent's: the keepwatch server (https://kw:8787) */
        char *ca_file;                /* the agent's: a private CA for the server's certificate (NULL: the system's) */
        char *credential_file;        /* the agent's: written by `agent enroll` (relative: under state_dir) */
        char *spool_dir;              /* the agent's: batches waiting for the server (relative: under state_dir) */
        uint64_t spool_max;           /* the agent's: the spool's bound in bytes */
        int64_t interval_ms;          /* the agent's: how often it samples and sends */
        int64_t timeout_ms;           /* the agent's: one request to the server, at most */
        int64_t silent_after_ms;      /* the server's: agent_silent after this long without a batch */
        int64_t config_interval_ms;   /* the agent's: how often it asks the server for its central config */
        int64_t packages_interval_ms; /* the agent's: how often it reads its package list (0: never) */
        char *packages_root;          /* the agent's: the system whose packages it reads (NULL: /) */
        int64_t audit_interval_ms;    /* the agent's: how often it runs the host audit on that system (0: never) */
        conf_list groups;             /* the server's: conf_agent_group, the central config agents fetch */
    } agent;
    struct {                          /* src/findings/findings_conf.c */
        int64_t sla_period_ms[5];     /* per finding_sev: the deadline during the protection period */
        int64_t sla_normal_ms[5];     /* ... and outside it (0: no deadline) */
        char *kev_file;               /* CISA's known exploited vulnerabilities (JSON or CSV) */
        conf_strs exploited;          /* more vulnerability ids known exploited here */
        bool alert_overdue;           /* finding_overdue alerts for findings past their deadline */
        int alert_min_severity;       /* finding_critical alerts for new findings of this severity and up (0: none) */
        int64_t sweep_interval_ms;    /* how often the leader looks for overdue findings and expired acceptances */
    } findings;
    struct {                          /* src/incident/incident_conf.c */
        char *organisation;           /* the reports' 报告单位 */
        int org_type;                 /* inc_org_type: which regulator deadline applies */
        char *contact;                /* the reports' contact (name, phone) */
        char *duty_schedule;          /* whose officer "duty" is (NULL: the first schedule) */
        char *playbook_dir;           /* more playbooks, one per *.yaml file */
        conf_strs channels;           /* told of every incident besides the owners' channels */
        int overdue_severity;         /* of incident_step_overdue alerts */
        conf_list reporting;          /* conf_inc_reporting: the regulator deadlines */
        conf_list triggers;           /* conf_inc_trigger */
        conf_list playbooks;          /* conf_playbook (src/incident/incident_conf.h) */
    } incident;
    struct {                          /* src/drill/drill_conf.c */
        conf_list scenarios;          /* conf_drill_scenario (src/drill/drill_conf.h) */
        char *scenario_dir;           /* more scenarios, one per *.yaml file */
        char *netns;                  /* the namespace replays go through (default keepwatch-drill) */
        int64_t linger_ms;            /* after a run ends its alerts are still marked this long (default 10m) */
        conf_strs channels;           /* announcements go here besides the participants' channels */
    } drill;
    struct {                          /* src/report/report_conf.c */
        char *daily_at;               /* "08:30": the day before's report, local time (NULL: not scheduled) */
        int32_t daily_at_min;         /* derived: minutes after local midnight (-1: none) */
        char *dir;                    /* where scheduled reports are kept (default state_dir/reports) */
        char *language;               /* zh or en (default notify.language) */
        conf_strs formats;            /* what a scheduled report is written as: pdf, html, md, json (default pdf, html) */
        conf_list send;               /* conf_report_send (src/report/report_conf.h): who gets which cut */
        char *link;                   /* the console's address, for the robots' links (NULL: none) */
        int64_t notable_max;          /* notable alerts told in a sentence each (default 10) */
        int64_t top_n;                /* rows of each top-N table (default 10) */
    } report;
    conf_list departments;            /* conf_department */
    conf_list people;                 /* conf_person */
    conf_list schedules;              /* conf_schedule */
    bool builtin_rules;
    conf_list assets;    /* conf_asset */
    conf_list checks;    /* conf_check */
    conf_list rules;     /* conf_rule */
} conf;

/* One item of agent.groups (src/agent/agent_conf.c): the checks, logs and host sections the
 * agents in members (names or globs) take from the server. body holds them as the engine
 * read them (only its checks, logs and host are set); doc is the group's sections as the
 * YAML said them, as compact JSON (what the server hands agents). */
typedef struct conf_agent_group {
    char *name;
    conf_strs members;
    char *doc;
    conf body;
} conf_agent_group;

/* Diagnostics collected while loading: each is "FILE:LINE:COLUMN: message". */
typedef struct conf_errors {
    char **v;
    size_t n;
} conf_errors;

/* Reads a zoneinfo file's last bytes (data[0..len), ending with its POSIX TZ footer line,
 * e.g. "...\nCST-8\n"): the standard time's abbreviation (into abbr[n]) and minutes east of
 * UTC. False when there is no such footer. No I/O. (In src/http/http_conf.c, with console:.) */
bool conf_tz_footer_parse(const char *data, size_t len, char *abbr, size_t n, int32_t *east);

/* Loads the built-in defaults, then `path` over them if non-NULL. On KW_OK *out is the
 * caller's (conf_free). On error *out is NULL and errs holds every problem found. */
kw_rc conf_load(const char *path, conf **out, conf_errors *errs);
/* As conf_load, from a buffer (for tests and fuzzing); `name` labels error messages. */
kw_rc conf_load_buffer(const char *name, const char *data, size_t len, conf **out, conf_errors *errs);
void conf_free(conf *c);
void conf_errors_free(conf_errors *e);
/* Writes the effective configuration as YAML. */
char *conf_show(const conf *c);
/* One top-level section ("logs") as YAML: to tell whether a reload changed it. */
char *conf_show_section(const conf *c, const char *key);
/* Joins state_dir and a relative path; absolute paths are returned as they are. Caller frees. */
char *conf_state_path(const conf *c, const char *rel);
const conf_asset *conf_asset_find(const conf *c, const char *name);
/* The assets' addresses parsed once, to find which asset an address is in (the first in the
 * configuration's order); it borrows c's assets. conf_asset_by_address is the one-off form. */
typedef struct conf_asset_index conf_asset_index;
conf_asset_index *conf_asset_index_new(const conf *c);
const conf_asset *conf_asset_index_find(const conf_asset_index *x, const char *ip);
void conf_asset_index_free(conf_asset_index *x);
const conf_asset *conf_asset_by_address(const conf *c, const char *ip);
const conf_person *conf_person_find(const conf *c, const char *name);
const conf_department *conf_department_find(const conf *c, const char *name);

extern const char conf_default_yaml[];

#endif
