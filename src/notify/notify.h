/* Notifications: routing alerts to escalation policies, grouping, silences, inhibition,
 * message templates, channels and the persisted outbox.
 *
 * The engine (notify_engine.c) consumes the alerts' history from the store: each fired,
 * reopened, acknowledged and resolved row since its cursor. It files alerts into groups (the
 * alerts of one attack are one message), escalates groups nobody acknowledges, and writes
 * each message to the outbox in the same transaction as its cursor, so a restart neither
 * loses nor repeats one. The sender (notify_send.c) delivers the outbox with retries,
 * backoff and each channel's rate limit. Neither reads the clock: callers pass the time. */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "core/kw_buf.h"
#include "core/kw_err.h"

struct kw_store;
struct json_t;

/* ---- an alert as routing sees it (notify_match.c) ---- */

typedef struct notify_alert {
    int64_t id;
    char *rule, *state, *summary;  /* owned copies */
    int severity;
    int64_t started_ms;
    struct json_t *labels;   /* owned: the labels object */
    const conf_asset *asset; /* the asset it concerns (by label or address), or NULL */
} notify_alert;

/* Fills a view of an alert; labels_json is parsed (a bad one reads as no labels). */
void notify_alert_init(notify_alert *a, const conf *c, int64_t id, const char *rule, const char *state,
                       const char *summary, int severity, int64_t started_ms, const char *labels_json);
void notify_alert_fini(notify_alert *a);
/* The value of a field: rule, severity (its name), state, summary, id, asset, department,
 * business, owner, criticality (the asset's, a severity name), exposure (internet, internal),
 * or a label. NULL when the alert has none. buf holds numbers. */
const char *notify_alert_field(const notify_alert *a, const char *key, char *buf, size_t n);

/* Whether a was raised by a drill: labels.drill present and not false or empty. */
bool notify_alert_is_drill(const notify_alert *a);

/* A compiled set of conditions (a route's, a silence's, an inhibition's). */
typedef struct notify_match notify_match;
/* Compiles conditions that conf_load has validated; NULL for an empty set (matches all). */
notify_match *notify_match_new(const conf_match *m);
void notify_match_free(notify_match *m);
bool notify_match_test(const notify_match *m, const notify_alert *a);
/* Validates one "field|op": value pair for the config loader (same contract as log_cond_check). */
kw_rc notify_cond_check(const char *key, const char *value, char *err, size_t errn, size_t *pos);

/* ---- silences ---- */

/* Is a configured maintenance window in force at now? */
bool notify_silence_active(const conf_silence *s, int64_t now_ms);

/* ---- messages (notify_tmpl.c) ---- */

typedef enum { NMSG_FIRING, NMSG_ESCALATED, NMSG_REPEAT, NMSG_ACKED, NMSG_RESOLVED, NMSG_TEST } notify_kind;
const char *notify_kind_name(notify_kind k);

typedef struct notify_person_ref {
    const conf_person *p;
} notify_person_ref;

/* What a message is about: filled by the engine, rendered per channel. */
typedef struct notify_msg {
    notify_kind kind;
    const char *policy;
    int level;                 /* 1-based escalation level */
    int round;                 /* 0: the first pass */
    const notify_alert *const *alerts;
    size_t nalerts;
    size_t nmore;              /* alerts left out of the message (too many) */
    const conf_person *const *people; /* who is told (mentioned) */
    size_t npeople;
    const char *period;        /* the protection period's name, or NULL */
    const char *console_url;
    int64_t now_ms;
} notify_msg;

/* Renders a message for a channel: its title and text (markdown for chat robots, plain text
 * for e-mail), in the channel's language and for its department's kind. Template errors
 * (unknown placeholders) render as the placeholder itself. */
void notify_render(const conf *c, const conf_channel *ch, const notify_msg *m, kw_buf *title, kw_buf *text);
/* Checks a template for the config loader: unknown placeholders are errors. */
kw_rc notify_tmpl_check(const char *tmpl, bool line, char *err, size_t errn, size_t *pos);

/* ---- messages about incidents (notify_incident.c) ---- */

typedef enum { NINC_STEP, NINC_TELL, NINC_DECLARED, NINC_CLOSED } notify_inc_kind;

/* An incident message: filled by the incident engine, rendered per channel. Texts from a
 * playbook come in both languages (the _zh one NULL: the other serves); the incident's title
 * and summary come from people or alerts and are made inert. */
typedef struct notify_inc_msg {
    notify_inc_kind kind;
    int64_t incident;
    const char *title, *summary;
    int grade;                     /* 1..4, 0: none */
    bool drill;                    /* 【演练】 / [DRILL] before the title */
    const char *playbook_title, *playbook_title_zh;
    const conf_asset *asset;       /* the system concerned (business, impact, advice), or NULL */
    /* the step (NINC_STEP: the owner's; NINC_TELL: the one that tells) */
    const char *step, *step_title, *step_title_zh, *instructions, *instructions_zh;
    const char *message, *message_zh; /* NINC_TELL: the step's own words (NULL: the built-in text) */
    int64_t declared_ms, due_ms;   /* due 0: no deadline */
    const char *report;            /* NINC_STEP: the report the step prepares (regulator, department; NULL: none) */
    int64_t report_due_ms;         /* NINC_TELL to management: the regulator's deadline (0: none) */
    const char *report_to, *report_to_zh;
    const conf_person *const *people; /* who is told (mentioned) */
    size_t npeople;
    const char *console_url;
} notify_inc_msg;

/* Renders m for a channel (its language, its department's kind, its markup). */
void notify_render_incident(const conf *c, const conf_channel *ch, const notify_inc_msg *m, kw_buf *title,
                            kw_buf *text);
/* Renders m for ch and writes it to the outbox at now (kind incident_step, incident_tell,
 * incident_declared, incident_closed; the message carries an "incident" object: id, step,
 * grade, drill); *id_out (may be NULL) is the row's id. */
kw_rc notify_outbox_incident(struct kw_store *s, const conf *c, const conf_channel *ch, const notify_inc_msg *m,
                             int64_t now_ms, int64_t *id_out);
/* The channels of a department (those whose department it is) into out (at most max); their
 * number. */
size_t notify_channels_of_department(const conf *c, const char *department, const conf_channel **out, size_t max);
/* Checks a step message for the config loader: placeholders it does not know are errors
 * ({id} {title} {grade} {asset} {business} {impact} {advice} {step} {due} {console_url}). */
kw_rc notify_inc_tmpl_check(const char *tmpl, char *err, size_t errn, size_t *pos);

/* ---- documents: reports sent through the outbox (notify_doc.c) ---- */

/* A mail carries an attachment up to this size; past it the message has the link only and a
 * note that says so. */
#define NOTIFY_DOC_ATTACH_MAX ((int64_t)20 << 20)

/* A document to send (a scheduled report): its words chosen by the caller in the channel's
 * language; mail gets the text and the file attached, robots and webhooks the summary and the
 * link. All borrowed. */
typedef struct notify_doc_msg {
    const char *title;          /* the subject (cut, made inert) */
    const char *summary;        /* plain text, a few lines */
    const char *link;           /* where to download it (NULL: none) */
    const char *path;           /* the file to attach (NULL: none), e.g. report.dir/daily-2026-12-01.pdf */
    const char *filename;       /* its name in the mail (NULL: the path's last part) */
    const char *mime;           /* its type (NULL: application/octet-stream) */
    const char *kind;           /* the outbox row's kind (NULL: "report") */
    bool drill;                 /* 【演练】 / [DRILL] before the title */
    int64_t now_ms;
} notify_doc_msg;

/* Renders m for ch (markdown for the robots that take it, plain text for mail and the others)
 * and writes it to the outbox at m->now_ms, so the leader's sender delivers it with its retries:
 * the stored message is {kind, title, text, link, people: [], alerts: [], document:
 * {filename, mime, size, path (mail only, when it is not over NOTIFY_DOC_ATTACH_MAX)}}. A file
 * that cannot be read or is too big is named in the text instead. */
kw_rc notify_outbox_document(struct kw_store *s, const conf *c, const conf_channel *ch, const notify_doc_msg *m);
/* Appends to b a multipart/mixed body (after the headers' end): a text/plain part (base64)
 * and the attachment (base64 in lines of 76), filename as RFC 2231 (filename*=UTF-8''...)
 * and RFC 2047 (name=) when it is not plain ASCII. boundary must not occur in base64 text
 * (it holds a '='-free run with "_"). No I/O. */
void notify_mime_multipart(kw_buf *b, const char *boundary, const char *text, const char *filename, const char *mime,
                           const void *data, size_t n);
/* The header lines of such a mail's body: MIME-Version, Content-Type with the boundary. */
void notify_mime_multipart_headers(kw_buf *b, const char *boundary);
/* Appends s base64-encoded in lines of 76 characters, each ended by CRLF (RFC 2045). */
void notify_mime_base64(kw_buf *b, const void *data, size_t n);
/* Appends an RFC 2047 encoded word for s (UTF-8, base64; plain ASCII as it is). */
void notify_mime_encoded_word(kw_buf *b, const char *s);

/* ---- channels (notify_chan.c) ---- */

/* One HTTP request or mail to make. */
typedef struct notify_request {
    char *url;                 /* owned */
    kw_buf body;               /* JSON, or the whole mail for e-mail */
    char **headers;            /* owned, NULL-terminated: "Name: value" */
    size_t nheaders;
    char **rcpt;               /* e-mail: envelope recipients */
    size_t nrcpt;
} notify_request;

void notify_request_free(notify_request *r);
/* Builds the request for a stored message (the outbox row's JSON: title, text, mentions,
 * alerts, ...) at now (signatures are made here: DingTalk and Feishu reject old ones). A
 * webhook's body is the message with its id and a delivery id (the message's "delivery", or a
 * random one for a test); with a secret, X-Keepwatch-Timestamp (Unix seconds) and
 * X-Keepwatch-Signature: v0=hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body)).
 * KW_ERR_PARSE when the message cannot be sent on this channel (e.g. mail with no recipient). */
kw_rc notify_request_build(const conf_channel *ch, const char *message_json, int64_t outbox_id, int64_t now_ms,
                           notify_request *out, char *err, size_t errn);
/* The same for a message that may carry a document: attach (NULL: none, or it could not be
 * read) holds the file's bytes the stored message's document.path names (the caller reads
 * them: this does no I/O); a mail then goes as multipart/mixed. */
kw_rc notify_request_build_doc(const conf_channel *ch, const char *message_json, int64_t outbox_id, int64_t now_ms,
                               const kw_buf *attach, notify_request *out, char *err, size_t errn);
/* A webhook carries at most this many alert ids of its group; past it, a link to the rest. */
#define NOTIFY_WEBHOOK_IDS_MAX 1000
/* A webhook's message (the outbox row's JSON) with what its receiver needs besides the text:
 * alert_ids (the group's ids given, at most NOTIFY_WEBHOOK_IDS_MAX; without a group, those
 * the message lists), alerts_total, group, and past the bound alerts_truncated with
 * alerts_url (console_url + the API path for the rest); and delivery. A new string. */
char *notify_webhook_message(const char *message_json, int64_t group_id, const int64_t *ids, size_t n, int64_t total,
                             const char *console_url, const char *delivery);
/* HMAC-SHA256(key, data) in base64 (DingTalk, Feishu). */
void notify_hmac_b64(const char *key, size_t keylen, const char *data, size_t datalen, char out[64]);
/* Did a channel's answer say the message was taken? (robots answer 200 with an error code) */
bool notify_response_ok(int type, long http_status, const char *body, char *why, size_t whyn);

/* ---- the engine (notify_engine.c) ---- */

typedef struct notify_engine notify_engine;

/* The configuration must outlive the engine. */
notify_engine *notify_engine_new(const conf *c);
void notify_engine_free(notify_engine *e);
/* Marks where a store's first notifications start: alerts already in its history are not
 * news. Call before the alerts' producers start; a no-op once done. */
kw_rc notify_engine_begin(struct kw_store *s);
/* One step at now: takes in the alert history since the cursor, flushes groups that are due,
 * escalates the unacknowledged and writes messages to the outbox, in one transaction.
 * *worked says whether anything changed. */
kw_rc notify_engine_tick(notify_engine *e, struct kw_store *s, int64_t now_ms, bool *worked);

/* The routes an alert takes (indexes into notify.routes, in order, honouring continue). */
size_t notify_engine_routes(const notify_engine *e, const notify_alert *a, size_t *out, size_t max);
/* Why the alert would be held back at now (a silence, an inhibition), or NULL. s may be NULL
 * (then only the configuration's silences count). */
const char *notify_engine_held(notify_engine *e, struct kw_store *s, const notify_alert *a, int64_t now, char *buf,
                               size_t n);
/* The people a level's targets name at now; the caller frees *v. */
void notify_level_people(const conf *c, const conf_esc_level *lv, int64_t now, const conf_person ***v, size_t *n);

typedef struct notify_stats {
    uint64_t history_rows, routed, unrouted, silenced, inhibited, messages, escalations;
} notify_stats;
const notify_stats *notify_engine_stats(const notify_engine *e);

/* ---- the sender (notify_send.c) ---- */

typedef struct notify_sender notify_sender;

notify_sender *notify_sender_new(const conf *c);
void notify_sender_free(notify_sender *s);
/* Starts deliveries that are due, each claimed for the leadership epoch (0: starts none,
 * this server does not lead), and takes in finished ones (waits up to wait_ms for them). */
kw_rc notify_sender_pump(notify_sender *s, struct kw_store *st, int64_t now_ms, int wait_ms, int64_t epoch);
/* Deliveries under way. */
size_t notify_sender_busy(const notify_sender *s);

/* The alert ids of a notification group (ascending, from offset, at most max into ids) and
 * how many it has in all. */
kw_rc notify_group_alert_ids(struct kw_store *st, int64_t group_id, int64_t offset, size_t max, int64_t *ids,
                             size_t *n, int64_t *total);

/* Sends one message now, outside the outbox (keepwatch notify test). */
kw_rc notify_send_now(const conf_channel *ch, const char *message_json, char *err, size_t errn);

/* notify_module.c: the daemon's module, the notification thread. */
struct kw_module;
extern const struct kw_module notify_module;

#endif

/* ---- the daemon's notification thread (notify_run.c) ---- */

struct metric_registry;
typedef struct notify_runner notify_runner;

/* Starts the thread: its own store handle on store_path, the engine and the sender. It routes
 * and delivers only while *lead_epoch is not 0 (this server leads; NULL: always), finishing
 * deliveries under way when the lead goes. The configuration and lead_epoch must outlive
 * it. NULL (and a reason in err) when it cannot start. */
notify_runner *notify_runner_start(const conf *c, const char *store_path, struct metric_registry *reg,
                                   const _Atomic int_fast64_t *lead_epoch, char *err, size_t errn);
/* Stops it: deliveries under way get up to budget_ms to finish (the rest stay pending). */
void notify_runner_stop(notify_runner *r, int64_t budget_ms);
