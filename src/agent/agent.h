/* The agent subsystem: `keepwatch agent run` on each server sends its host sensor's and
 * checks' readings to a keepwatch server, and the server's agent module takes them in.
 *
 * A batch is one JSON object (gzip allowed on the wire), numbered by the agent:
 *   {"seq": 17, "spool_dropped": 0,
 *    "sets": [{"source": "host", "ts": 1764590000000,
 *              "samples": [{"n": "cpu_usage_ratio", "v": 0.25, "t": "g", "h": 1, "l": {"cpu": "0"}}]}],
 *    "alerts": [{"kind": "fire", "rule": "service_down", "ts": 1764590000000, "severity": 3,
 *                "summary": "check web is down", "value": 0, "labels": {"check": "web"}}],
 *    (an alert's "kind" is "fire", "update" (still firing: its value, e.g. a log rule's count,
 *    and summary changed) or "resolve")
 *    "events": [{...ECS...}],
 *    "packages": {"manager": "dpkg", "os": {"id": "debian", "version_id": "12", "codename": "bookworm"},
 *                 "list": [["libssl3", "3.0.15-1~deb12u1", "openssl", "3.0.15-1~deb12u1", "amd64"], ...]}}
 * seq counts up from 1 per enrolment; a server takes each number once (a replay is answered
 * 200 without being applied again). Samples carry at most 3 labels of their own: the server
 * adds host=NAME. "t" is "g" (gauge) or "c" (counter), "h" 1 keeps the series' history.
 * "audit": {"kind": "host", "results": [{"id", "status" (pass, fail, n/a, note), "severity" 0-4,
 * "title_en", "title_zh", "category", "group", "file", "line", "text", "found", "expected",
 * "why", "fix", "key", "cis", "gb"}]} (in a batch of its own, sent when the results changed)
 * is the agent host's security baseline (keepwatch audit host on it).
 * "packages" (in a batch of its own, sent when the list changed) is the host's installed OS
 * packages: [name, version, source, source_version, arch] each (source, source_version and
 * arch may be ""), at most AGENT_MAX_PACKAGES, versions valid for the manager's order.
 *
 * agent_batch_decode and agent_gzip_* are pure (no I/O): the unit tests and
 * fuzz/fuzz_agent_batch.c feed them bytes. The spool (agent_spool.c) is the agent's on-disk
 * queue of batches. */
#ifndef AGENT_H
#define AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/kw_buf.h"
#include "core/kw_err.h"
#include "core/kw_json.h"
#include "metric/metric.h"
#include "scan/scan_pkg.h"

#define AGENT_BODY_MAX ((size_t)8 << 20)   /* a batch, decompressed */
#define AGENT_WIRE_BATCH_MAX ((size_t)4 << 20) /* a batch as sent and spooled (gzip) */
#define AGENT_MAX_SETS 512
#define AGENT_MAX_SAMPLES 50000             /* in one batch, all sets together */
#define AGENT_MAX_ALERTS 1000
#define AGENT_MAX_EVENTS 1000
#define AGENT_MAX_LABELS (METRIC_MAX_LABELS - 1) /* a sample's: the server adds host */
#define AGENT_MAX_ALERT_LABELS 8            /* an alert's (keys may hold '.': source.ip) */
#define AGENT_NAME_MAX 128                  /* metric, rule and source names */
#define AGENT_SOURCE_MAX 80                 /* a set's source ("host", "check:web") */
#define AGENT_VALUE_MAX 256                 /* label values */
#define AGENT_TEXT_MAX 1024                 /* summaries */
#define AGENT_MAX_PACKAGES 20000            /* in a packages section */
#define AGENT_MAX_AUDIT_RESULTS 10000       /* in an audit section */
#define AGENT_AUDIT_TEXT_MAX 4096           /* a result's statement, value, reasoning, fix */
#define AGENT_CRED_PREFIX "kwa_"            /* an agent's credential: kwa_ and 64 hex digits */
#define AGENT_ENROL_PREFIX "kwe_"           /* a one-time enrolment token: kwe_ and 64 hex digits */

/* Why a batch was refused: counted apart (agent_batches_refused_total{reason}). */
typedef enum agent_bad {
    AGENT_BAD_NONE,
    AGENT_BAD_GZIP,     /* not gzip, truncated, or larger than AGENT_BODY_MAX inflated */
    AGENT_BAD_JSON,     /* not JSON */
    AGENT_BAD_SHAPE,    /* a member missing or of the wrong type */
    AGENT_BAD_NAME,     /* a metric, label, rule or source name outside its syntax */
    AGENT_BAD_VALUE,    /* a number not finite, a time or number out of range */
    AGENT_BAD_LIMIT,    /* too many sets, samples, labels, alerts or events */
    AGENT_BAD_COUNT
} agent_bad;
const char *agent_bad_name(agent_bad b);

typedef struct agent_sample {
    const char *name;
    metric_type type;
    bool history;
    uint8_t nlabels;
    const char *lk[AGENT_MAX_LABELS], *lv[AGENT_MAX_LABELS];
    double value;
} agent_sample;

typedef struct agent_set {
    const char *source;      /* "host", "check:web" */
    int64_t ts_ms;
    agent_sample *v;
    size_t n;
} agent_set;

/* What an alert change from an agent says (its "kind"). */
typedef enum agent_alert_kind { AGENT_ALERT_FIRE, AGENT_ALERT_UPDATE, AGENT_ALERT_RESOLVE } agent_alert_kind;
/* "fire", "update", "resolve". */
const char *agent_alert_kind_name(agent_alert_kind k);

typedef struct agent_alert {
    agent_alert_kind kind;
    const char *rule;
    const char *summary;     /* may be NULL */
    int severity;            /* 1..4 */
    int64_t ts_ms;
    double value;
    uint8_t nlabels;
    const char *lk[AGENT_MAX_ALERT_LABELS], *lv[AGENT_MAX_ALERT_LABELS];
} agent_alert;

/* A host's package list as an agent sends it (its "packages" section). */
typedef struct agent_packages {
    char manager[8];         /* "dpkg", "rpm", "apk" */
    scan_os os;              /* id, version_id and codename (the rest empty) */
    scan_pkg_list list;      /* list.manager points at manager */
} agent_packages;

/* A host's baseline as an agent sends it (its "audit" section): strings point into the
 * batch's document. */
typedef struct agent_audit {
    audit_res *v;
    size_t n;
} agent_audit;
void agent_audit_free(agent_audit *a);

/* A decoded batch: its strings point into the parsed document, freed with agent_batch_free. */
typedef struct agent_batch {
    int64_t seq;
    int64_t spool_dropped;   /* batches the agent's spool has dropped so far */
    agent_set *sets;
    size_t nsets;
    agent_alert *alerts;
    size_t nalerts;
    char **events;           /* compact ECS JSON objects, owned */
    size_t nevents;
    agent_packages *packages; /* its "packages" section, owned; NULL: none */
    agent_audit *audit;       /* its "audit" section, owned; NULL: none */
    void *doc;               /* the parsed document (jansson), owned */
} agent_batch;

/* Decodes and checks a batch from json[0..len). KW_OK fills *out (the caller frees it with
 * agent_batch_free, on any return); KW_ERR_PARSE sets *bad and why[n]. */
kw_rc agent_batch_decode(const char *json, size_t len, agent_batch *out, agent_bad *bad, char *why, size_t n);
void agent_batch_free(agent_batch *b);

/* Decodes and checks a packages section alone, json[0..len) (as agent_packages_json wrote it:
 * what the server stores). KW_OK: *out is the caller's (agent_packages_free); KW_ERR_PARSE
 * sets *bad and why[n]. */
kw_rc agent_packages_decode(const char *json, size_t len, agent_packages **out, agent_bad *bad, char *why, size_t n);
/* An empty list for manager ("dpkg", "rpm" or "apk"; NULL for anything else), the caller's. */
agent_packages *agent_packages_new(const char *manager);
void agent_packages_free(agent_packages *p);
/* Writes p as the packages section (an object; its first AGENT_MAX_PACKAGES packages). */
void agent_packages_json(kw_json *j, const agent_packages *p);
/* Its os object and its list array alone (what the server stores). */
void agent_packages_os_json(kw_json *j, const agent_packages *p);
void agent_packages_list_json(kw_json *j, const agent_packages *p);

/* Writes a batch as the agent sends it: begin, then its sets, its alerts, its events, its
 * packages, then end. */
typedef struct agent_batch_writer agent_batch_writer;
/* Returns a writer for batch seq into out (the caller's, at most AGENT_BODY_MAX); freed by
 * agent_batch_end. */
agent_batch_writer *agent_batch_begin(kw_buf *out, int64_t seq, int64_t spool_dropped);
/* Adds a set of samples from source (labels past AGENT_MAX_LABELS and "host" are left out). */
void agent_batch_add_set(agent_batch_writer *w, const char *source, const metric_set *ms);
/* Adds an alert change; labels: key/value pairs, nlabels of them. */
void agent_batch_add_alert(agent_batch_writer *w, const agent_alert *a);
/* Adds an event: one JSON object ecs[0..n) (the caller vouches for it: keepwatch's own ECS). */
void agent_batch_add_event(agent_batch_writer *w, const char *ecs, size_t n);
/* Adds the packages section: section[0..n), an object agent_packages_json wrote (after the
 * sets, alerts and events). */
void agent_batch_add_packages(agent_batch_writer *w, const char *section, size_t n);
/* The agent's side of the host baseline (agent_audit.c): runs the host audit on root (NULL: /)
 * and writes the audit section into sec (bounded by the caller); *nres the results.
 * KW_ERR_FULL when it does not fit. */
kw_rc agent_audit_section(const char *root, kw_buf *sec, size_t *nres, char *err, size_t errn);
/* Adds the audit section: section[0..n), an object agent_audit_section wrote. */
void agent_batch_add_audit(agent_batch_writer *w, const char *section, size_t n);
/* Closes the JSON and frees w; KW_ERR_FULL if out overflowed. */
kw_rc agent_batch_end(agent_batch_writer *w);

/* Inflates gzip in[0..n) into out (emptied first), at most max bytes: KW_ERR_FULL past it,
 * KW_ERR_PARSE when it is not whole gzip. */
kw_rc agent_gzip_inflate(const void *in, size_t n, size_t max, kw_buf *out);
/* Compresses in[0..n) as gzip into out (emptied first). */
kw_rc agent_gzip_deflate(const void *in, size_t n, kw_buf *out);

/* ---- the agent's on-disk spool (agent_spool.c) ----
 * One file per batch in dir, named by its number and kind: 00000000000000000017.a (it holds
 * alert changes or a package list: never dropped) or .m (metrics only). Written to a temporary name, fsynced
 * and renamed, so a batch is whole or absent after a crash; the next number is the highest on
 * disk + 1, so a restart goes on where it stopped. Past max bytes the oldest .m files go first
 * (counted); .a files stay even past the bound. */
typedef struct agent_spool agent_spool;

/* Opens (creating, 0700) the spool in dir. NULL with err set. */
agent_spool *agent_spool_open(const char *dir, uint64_t max_bytes, char *err, size_t errn);
void agent_spool_close(agent_spool *sp);
/* The number the next batch gets. */
int64_t agent_spool_next_seq(const agent_spool *sp);
/* Adds batch data[0..n) as the next number (alerts: it holds alert changes or a package list:
 * kept), then drops
 * what is past the bound. */
kw_rc agent_spool_put(agent_spool *sp, const void *data, size_t n, bool alerts);
/* The oldest batch: its number and bytes (into out, emptied first). KW_ERR_NOTFOUND: empty. */
kw_rc agent_spool_peek(agent_spool *sp, int64_t *seq, kw_buf *out);
/* Removes batch seq (sent). */
kw_rc agent_spool_remove(agent_spool *sp, int64_t seq);
/* How many batches and bytes are waiting; how many were dropped since the spool was opened. */
size_t agent_spool_count(const agent_spool *sp);
uint64_t agent_spool_bytes(const agent_spool *sp);
int64_t agent_spool_dropped(const agent_spool *sp);

/* ---- the central config (agent_central.c, pure) ----
 * GET /api/v1/agent/config answers an agent with the sections of the agent.groups it is a
 * member of, merged in order into one JSON object {"checks": [...], "logs": {...}, "host":
 * {...}} (each as the YAML said it), with its ETag. */
struct conf;
struct conf_list;
typedef struct agent_central agent_central;
/* A copy of groups (conf_agent_group), the caller's to free with agent_central_free. */
agent_central *agent_central_new(const struct conf_list *groups);
void agent_central_free(agent_central *ac);
/* The document for agent (never NULL, "{}" when it is in no group; the caller frees it) and
 * its ETag (32 hex digits) into etag. ac may be NULL (no groups). */
char *agent_central_for(const agent_central *ac, const char *agent, char etag[65]);
/* Reads doc[0..len) (a document agent_central_for wrote) with the configuration engine and
 * merges it over local: the server's checks, log inputs and rules (and other logs lists) are
 * added or replace local ones by name; the host and logs options it names replace local ones.
 * KW_ERR_PARSE with err set (local untouched) when the document is not one or fails the
 * configuration's checks. */
kw_rc agent_central_merge(struct conf *local, const char *doc, size_t len, char *err, size_t errn);

/* ---- the server's module (agent_module.c) and HTTP routes (agent_http.c) ---- */
struct kw_json;
struct store_agent;
/* "pending" (a token waits), "enrolled" or "revoked". */
const char *agent_state_name(const struct store_agent *a);
/* Whether the enrolled agent id is silent now (agent_silent firing): 1, 0, or -1 when this
 * server does not watch it (not leading, or not seen since it started). */
int agent_silent(int64_t id);
/* Writes one agent as a JSON object (id, name, state, times, address, last_seq); silent >= 0
 * adds whether agent_silent is open for it. For agent list --json and GET /api/v1/agents. */
void agent_json(struct kw_json *j, const struct store_agent *a, int silent);
struct kw_module;
extern const struct kw_module agent_module;

/* ---- the agent process (agent_run.c): `keepwatch agent run` ---- */
struct conf;
/* Runs the agent on c until SIGINT or SIGTERM: host sensor and checks every agent.interval,
 * batches spooled and sent in order. Returns the exit status. */
int agent_run(const struct conf *c);
/* Enrols with the server at url by token; writes the credential to path (0600). KW_OK or an
 * error with err set. */
kw_rc agent_enroll(const char *url, const char *token, const char *ca_file, const char *path, char *err, size_t errn);

#endif
