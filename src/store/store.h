/* The store: SQLite in WAL mode (store_db_sqlite.c, behind store_db.h). Each subsystem owns
 * its tables (store_alert.c, store_metric.c). A handle is used by one thread at a time; every
 * thread opens its own. Committed changes survive a SIGKILL (WAL with synchronous=NORMAL is
 * durable against process crashes). */
#ifndef STORE_H
#define STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert/alert.h"
#include "core/kw_buf.h"
#include "core/kw_err.h"
#include "duty/duty.h"

struct metric_set;

/* A handle on the store; its backend's fields are in store_int.h, for src/store/ only. */
typedef struct kw_store kw_store;

/* Opens (creating and migrating unless readonly) the database at path, a SQLite file, or the
 * PostgreSQL server a postgresql:// URL names (store_conf_where says which). On error returns
 * NULL and writes a reason into err. The caller closes with store_close. */
kw_store *store_open(const char *path, bool readonly, char *err, size_t errn);
void store_close(kw_store *s);
/* Whether s's connection is up (SQLite: always), as of its last statement: after a failure,
 * false says the store was unreachable rather than refusing. */
bool store_reachable(kw_store *s);
/* Whether where names a PostgreSQL server (a postgresql:// URL) rather than a SQLite file. */
bool store_is_url(const char *where);
/* A writing transaction: one at a time, on any connection of any server (SQLite: BEGIN
 * IMMEDIATE; PostgreSQL: an advisory lock held until it ends). */
kw_rc store_begin(kw_store *s);
/* A reading transaction: its statements see one snapshot. */
kw_rc store_begin_read(kw_store *s);
kw_rc store_commit(kw_store *s);
void store_rollback(kw_store *s);
/* A writing transaction, or, when one is open already (the core's group transaction, on its
 * thread), a savepoint inside it: *own says which, for store_end_nested, which commits (or
 * releases) the work when ok, else rolls it back (to the savepoint: the outer work stays). */
kw_rc store_begin_nested(kw_store *s, bool *own);
kw_rc store_end_nested(kw_store *s, bool own, bool ok);
const char *store_errmsg(kw_store *s);
/* Runs a query with one text parameter (or none: NULL) and returns the first column of its first row as an
 * integer, or 0 when there is no row. */
int64_t store_query_int(kw_store *s, const char *sql, const char *param);
/* Resets every cached statement, ending any read snapshot they hold (after each request). */
void store_release(kw_store *s);
/* Where the database stands: both numbers stay the same exactly while nobody, on any
 * connection in any process, commits a change (PRAGMA data_version counts the others'
 * commits, the total changes this connection's; see db_version). For caching answers. */
void store_version(kw_store *s, int64_t v[2]);

/* A step of a module's tables' schema: SQL (several statements allowed) run on both
 * backends, or pg instead on PostgreSQL when the two must differ (NULL: the same). */
typedef struct store_migration {
    const char *sql;
    const char *pg;
} store_migration;

/* Brings the tables of part (a module's name) to version n, running m[v] for each version v
 * from the stored one up to n - 1, each in a transaction with its version. KW_ERR_RANGE (the
 * reason in store_errmsg) when the store is from a newer keepwatch; KW_ERR_STORE on a
 * failed step, which is rolled back. Never edit a released entry: append one. */
kw_rc store_migrate_part(kw_store *s, const char *part, const store_migration *m, size_t n);

/* ---- several servers on one store: who leads (store_lead.c) ---- */

typedef struct store_lead store_lead;
typedef struct store_lead_state {
    bool leads;         /* this server does the work that runs once */
    char leader[64];    /* who leads ("": nobody known yet) */
    int64_t since_ms;   /* since when */
    int64_t epoch;      /* the leadership's number: one more at each change of leader */
} store_lead_state;

/* Leadership on the store at where for this server (its name; started_ms: when it started),
 * on a connection of its own. On SQLite this process always leads. NULL with err set when
 * the store cannot be opened. */
store_lead *store_lead_open(const char *where, const char *server, int64_t started_ms, char *err, size_t errn);
/* One turn, about every second: keeps or tries to take the lead, says the server is alive,
 * reads who leads into *out. Returns out->leads. Blocks at most for a connection attempt. */
bool store_lead_turn(store_lead *l, int64_t now_ms, int64_t mono_ms, store_lead_state *out);
/* Gives the lead up (another server takes it at its next turn) and closes. */
void store_lead_close(store_lead *l);
/* Calls fn(arg, name, started_ms, seen_ms, leads) for each server that has run on the store
 * (PostgreSQL; none on SQLite). */
kw_rc store_servers_each(kw_store *s, void (*fn)(void *, const char *, int64_t, int64_t, bool), void *arg);

/* ---- alerts ---- */

/* Applies one engine act. FIRE inserts and writes the new id into act->alert_id; UPDATE and
 * RESOLVE without an id (a detector's) find this server's open alert by fingerprint. UPDATE,
 * RESOLVE and REOPEN of an alert a person has already resolved return KW_ERR_NOTFOUND (the
 * engine should forget it). Each act adds a history row (UPDATE only when act->history). */
kw_rc store_alert_apply(kw_store *s, alert_act *act);
/* Applies acts v[0..n) in order, inside the caller's transaction, as store_alert_apply one
 * after another would, each one's outcome in rc[i] (KW_OK, or KW_ERR_NOTFOUND as above).
 * KW_OK when every act was taken; else the first failure, and the caller rolls back (on
 * PostgreSQL a write sent ahead may fail only at the commit: find the one refused alone). On
 * PostgreSQL a run of changes to different alerts is one statement per table (the fires, the
 * updates and resolves, their history rows, their duty-log entries) instead of one per change. */
kw_rc store_alert_apply_all(kw_store *s, alert_act *v, size_t n, kw_rc *rc);

/* The newest alert history row's id (0: none): it moves with every change of any alert. */
int64_t store_alert_history_max(kw_store *s);

/* Makes s write its alerts and metric series as server's, and see only server's in
 * store_alert_open_id, store_alert_each_open and the metric history: for several servers on
 * one PostgreSQL (at most 63 bytes kept). On SQLite, a store of one machine, a no-op. */
void store_set_server(kw_store *s, const char *server);
/* The server of every PostgreSQL handle store_open makes from now on (copied). */
void store_default_server(const char *server);
/* That server's name into buf[n] ("" when none was given): who this process is on the store. */
const char *store_default_server_name(char *buf, size_t n);

/* Makes the open alerts of no server (those of a store that was one machine's, before it was
 * moved to PostgreSQL) this handle's server's; *n says how many. */
kw_rc store_alert_adopt_orphans(kw_store *s, int64_t *n);

/* Resolves the open alerts of the other servers not seen (keepwatch_servers) since
 * seen_before_ms, with history rows and duty-log entries; *n says how many. */
kw_rc store_alert_resolve_gone(kw_store *s, int64_t now_ms, int64_t seen_before_ms, int64_t *n);

/* The id of this server's open (firing or acknowledged) alert with this fingerprint, or 0. */
int64_t store_alert_open_id(kw_store *s, const char *fingerprint);

/* Calls fn for each of this server's alerts that is firing or acknowledged. */
kw_rc store_alert_each_open(kw_store *s, void (*fn)(void *, const alert_open *), void *arg);

/* Acknowledges a firing alert. KW_ERR_NOTFOUND: no such alert; KW_ERR_RANGE: it is not
 * firing (already acknowledged or resolved): *state_out says which. */
kw_rc store_alert_ack(kw_store *s, int64_t id, const char *by, const char *note, int64_t now_ms, int *state_out);
/* Resolves an open alert by hand. Same errors as ack. */
kw_rc store_alert_resolve(kw_store *s, int64_t id, const char *by, const char *note, int64_t now_ms,
                          int *state_out);

typedef struct store_alert_query {
    int state;       /* 0: any; else alert_state; -1: open (firing or acked) */
    int64_t limit;   /* 0: default 100 */
    int64_t before_id; /* paging: only ids below this (0: none) */
    int min_severity;  /* 0: any */
    const char *text;  /* in the summary or the rule's name (case-insensitive for ASCII); NULL: any */
    const char *assignee; /* "": unassigned; NULL: anyone or nobody */
} store_alert_query;

/* Assigns an open alert to a person (NULL or "": nobody), with a history row and a duty-log
 * entry. KW_ERR_RANGE if the alert is resolved (state_out says so). */
kw_rc store_alert_assign(kw_store *s, int64_t id, const char *assignee, const char *by, int64_t now_ms,
                         int *state_out);
/* A comment on an alert, in its history and the duty log. */
kw_rc store_alert_comment(kw_store *s, int64_t id, const char *by, const char *text, int64_t now_ms);
/* Writes {"alerts":[...]} newest first. */
kw_rc store_alert_list_json(kw_store *s, const store_alert_query *q, kw_buf *out);
/* How many alerts q's filters match, all pages together (q's limit aside). */
kw_rc store_alert_count_matching(kw_store *s, const store_alert_query *q, int64_t *n);
/* Writes one alert with its history; KW_ERR_NOTFOUND if there is none. */
kw_rc store_alert_get_json(kw_store *s, int64_t id, kw_buf *out);
/* The response times of alerts that started in [from_ms, to_ms): fn gets each one's
 * severity, who acknowledged it (NULL: nobody) and its start, ack and resolve times (0:
 * not yet). */
typedef struct store_alert_times {
    int severity;
    const char *acked_by;
    int64_t started_ms, acked_ms, resolved_ms;
} store_alert_times;
kw_rc store_alert_times_each(kw_store *s, int64_t from_ms, int64_t to_ms,
                             void (*fn)(void *, const store_alert_times *), void *arg);
/* Counts alerts per state into counts[4] (index = alert_state). */
kw_rc store_alert_counts(kw_store *s, int64_t counts[4]);

/* One alert as triage sees it; the strings live until the next row. */
typedef struct store_alert_view {
    int64_t id;
    const char *rule, *state, *summary;
    int severity;
    int64_t started_ms;
    const char *labels_json, *assignee; /* assignee NULL: nobody */
} store_alert_view;
/* Calls fn for each alert in state (alert_state; -1: open; 0: any) of at least min_severity,
 * newest first. */
kw_rc store_alert_each_view(kw_store *s, int state, int min_severity, void (*fn)(void *, const store_alert_view *),
                            void *arg);
/* Acknowledges (ack: arg is the note, may be NULL) or assigns (arg: the assignee, NULL or "":
 * nobody) each of ids in one transaction, with the history rows and duty-log entries a single
 * change makes. Alerts no longer in a state that allows it are passed over; *changed counts
 * the others. */
kw_rc store_alert_bulk(kw_store *s, const int64_t *ids, size_t n, bool ack, const char *by, const char *arg,
                       int64_t now_ms, size_t *changed);
/* Writes {"alerts":[...]} for ids, in their order (ids that do not exist are left out). */
kw_rc store_alert_rows_json(kw_store *s, const int64_t *ids, size_t n, kw_buf *out);
/* Writes {"alert": id, "notifications": [...], "groups": [...], "acked_by", "acked_at"}: the
 * messages that told of the alert (channel, kind, state, when, who, escalation level), its
 * notification groups' escalation, and who acknowledged it. KW_ERR_NOTFOUND: no such alert. */
kw_rc store_alert_notifications_json(kw_store *s, int64_t id, kw_buf *out);

/* ---- silences (the notify engine reads them) ---- */

/* Adds a silence (matchers: a JSON object of conditions, validated by the caller) with its
 * duty-log entry; *id_out is its id. */
kw_rc store_silence_add(kw_store *s, const char *matchers_json, int64_t from_ms, int64_t until_ms, const char *by,
                        const char *comment, int64_t now_ms, int64_t *id_out);
/* Ends a silence in force now, with its duty-log entry. KW_ERR_NOTFOUND: none in force. */
kw_rc store_silence_expire(kw_store *s, int64_t id, const char *by, int64_t now_ms);
/* Writes {"silences":[...]} newest first: those not yet over, or all (at most 1,000). */
kw_rc store_silences_json(kw_store *s, bool all, int64_t now_ms, kw_buf *out);

/* ---- metric history ---- */

/* Appends the history samples of a set at its timestamp (raw resolution). */
kw_rc store_metric_write(kw_store *s, const struct metric_set *ms);
/* Rolls raw samples up into 1-minute and 1-hour rows and deletes what is past retention. */
kw_rc store_metric_maintain(kw_store *s, int64_t now_ms, int64_t raw_keep_ms, int64_t minute_keep_ms,
                            int64_t hour_keep_ms);
/* Writes {"series":..., "resolution":..., "points":[[ts,avg,min,max],...]} for one series
 * ("name" or "name{k=\"v\"}") from the finest resolution that covers [from, to]. */
kw_rc store_metric_query_json(kw_store *s, const char *series, int64_t from_ms, int64_t to_ms, kw_buf *out);
/* Whose series a host's are: a server's own (no host label, written by that server), an
 * agent's (its last label host=NAME, written by whichever server it reported to), an SNMP
 * device's (its first label device=NAME). */
typedef enum { STORE_HOST_SERVER, STORE_HOST_AGENT, STORE_HOST_DEVICE } store_host_kind;
/* Writes {"from_ms", "to_ms", "step_ms", "truncated", "series": [{"name", "labels": {...},
 * "resolution", "points": [[ts, avg, min, max], ...]}]}: the host's series of names[nnames] (in
 * that order, then by labels; at most max_series, truncated says when there were more), each
 * as buckets of step_ms ((to - from) / max_points, at least a second) over [from, to] read
 * from the finest resolution that covers from; a series several servers hold is one. host:
 * the agent's or device's name, the server's (NULL: this handle's own). KW_ERR_RANGE: a host
 * name with '"', '\' or a newline, or bounds out of order. */
kw_rc store_metric_host_json(kw_store *s, store_host_kind kind, const char *host, const char *const *names,
                             size_t nnames, int64_t from_ms, int64_t to_ms, int max_points, size_t max_series,
                             kw_buf *out);
/* Writes {"series": ["name{labels}", ...]}: the series with history whose name starts with
 * prefix, sorted. */
kw_rc store_metric_names_json(kw_store *s, const char *prefix, kw_buf *out);

/* ---- log input positions (store_logs.c) ---- */

struct kw_offset;
/* Records where an input stopped (inside the caller's transaction). */
kw_rc store_log_offset_put(kw_store *s, const struct kw_offset *o, int64_t now_ms);
/* Calls fn for every recorded position. */
kw_rc store_log_offsets_each(kw_store *s, void (*fn)(void *, const struct kw_offset *), void *arg);

/* ---- the duty log (store_duty.c, store_duty_sign.c) ----
 *
 * Append-only and linked: entry N carries the link of entry N-1 (prev_hash) and its own link
 * (hash) over its canonical form (id, time, kind, actor, alert, text and prev_hash as one JSON
 * object with keys in a fixed order): HMAC-SHA256 with the key in duty.key (outside the store)
 * for entries written since the key exists, plain SHA-256 for those written before (anchored
 * by the first checkpoint). Signed checkpoints (Ed25519) cover the entries in between, so an
 * export can be checked with the public key alone. The newest entry's id and link are also
 * kept in meta (duty_head). The whole design is in src/duty/duty.h. */

typedef duty_entry store_duty_entry;

/* Where the key files are (NULL: beside the store: duty.key, duty_sign.key, duty_sign.pub)
 * and how many entries a checkpoint covers at most (<= 0: 100). For the whole process; call
 * before opening stores. The strings are copied. */
void store_duty_configure(const char *key_file, const char *sign_file, const char *pub_file, int64_t checkpoint_every);
/* Appends an entry inside the caller's transaction (or its own, if none is open); creates the
 * keys on first use and writes the checkpoints that are due. */
kw_rc store_duty_append(kw_store *s, int64_t ts_ms, const char *kind, const char *actor, int64_t alert_id,
                        const char *text);
/* Records a shift handover by `by` (to `to`, NULL: whoever is next) with where things stand:
 * alerts open and not acknowledged, duty-log entries since the last handover (or since
 * `since_ms` when positive), and the log's head before it (SEQ:HEX16); then a checkpoint. A
 * note is added when given. */
kw_rc store_duty_handover(kw_store *s, int64_t now_ms, int64_t since_ms, const char *by, const char *to,
                          const char *note);
/* Writes a signed checkpoint over the entries since the last one (none new: nothing, *written
 * false), after checking them with the key: KW_ERR_PARSE (s->err says why) when they do not
 * verify, nothing signed. `reason` is recorded (handover, export, hourly). written may be NULL. */
kw_rc store_duty_checkpoint(kw_store *s, int64_t now_ms, const char *reason, bool *written);
/* A checkpoint when the last is older than max_age_ms and entries came since (or none anchors
 * the log yet). */
kw_rc store_duty_checkpoint_due(kw_store *s, int64_t now_ms, int64_t max_age_ms);
/* Calls fn for each checkpoint with from_seq <= seq <= to_seq, in order. */
kw_rc store_duty_checkpoints_each(kw_store *s, int64_t from_seq, int64_t to_seq,
                                  void (*fn)(void *, const duty_checkpoint *), void *arg);
/* The checkpoints' public key as PEM (the keys are made if missing). */
kw_rc store_duty_pubkey(kw_store *s, kw_buf *out);
/* The newest entry's id (0: empty log) and link. */
kw_rc store_duty_head(kw_store *s, int64_t *seq, char hash[65]);
/* "SEQ:HEX16", the head as published in handovers and (issue 20) the daily report. */
void store_duty_head_text(kw_store *s, kw_buf *out);
/* Entry id's link: KW_ERR_NOTFOUND when there is no such entry. */
kw_rc store_duty_link(kw_store *s, int64_t id, char hash[65]);
/* Checks the whole chain with the key: *entries verified. KW_OK when intact; KW_ERR_PARSE
 * with *bad_id (one past the last entry: entries removed from the end) and a reason in why
 * when not; KW_ERR_IO when the key files cannot be read (store_errmsg). */
kw_rc store_duty_verify(kw_store *s, int64_t *bad_id, int64_t *entries, char *why, size_t whyn);
/* The same, carried on from where c left off: only entries (and checkpoints) added since are
 * read (a zeroed c checks the whole log). c->entries are verified; on KW_ERR_PARSE c->bad_id
 * and c->why say where and why, and stay until a full check. */
typedef struct store_duty_check {
    int64_t entries;
    char last_hash[65];      /* of entry `entries` */
    int64_t bad_id;
    char why[256];
    /* carried between calls */
    bool started, keyed;     /* keyed: the key file exists */
    int64_t legacy;          /* plain-hash entries, from the first checkpoint (none: all) */
    int64_t cp_seq;          /* the last checkpoint checked, -1: none */
    unsigned char digest[32]; /* of the entries after cp_seq */
} store_duty_check;
kw_rc store_duty_verify_more(kw_store *s, store_duty_check *c);
/* Calls fn for the newest `limit` entries with an id below before_id (0: any), newest first. */
kw_rc store_duty_latest(kw_store *s, int64_t limit, int64_t before_id, void (*fn)(void *, const store_duty_entry *),
                        void *arg);
/* Calls fn for each entry with from_ms <= ts < to_ms, oldest first. */
kw_rc store_duty_each(kw_store *s, int64_t from_ms, int64_t to_ms, void (*fn)(void *, const store_duty_entry *),
                      void *arg);

/* ---- console users and sessions (store_user.c) ----
 *
 * A session is known by the SHA-256 of its cookie, never the cookie itself: a copy of the
 * database opens no session. */

typedef enum { ROLE_VIEWER = 1, ROLE_MEMBER, ROLE_OFFICER, ROLE_ADMIN } user_role;
const char *user_role_name(int role);
int user_role_parse(const char *s); /* 0 if unknown */

typedef struct store_user {
    int64_t id;
    char name[64], display[128], department[64];
    int role;                  /* user_role */
    char pw_hash[256];         /* Argon2id, encoded ($argon2id$v=19$m=...,t=...,p=...$salt$hash) */
    int64_t created_ms, updated_ms;
} store_user;

/* KW_ERR_RANGE: the name is taken. */
kw_rc store_user_add(kw_store *s, const store_user *u, int64_t now_ms);
/* KW_ERR_NOTFOUND: no such user. Ends the user's sessions. */
kw_rc store_user_set_password(kw_store *s, const char *name, const char *pw_hash, int64_t now_ms);
/* KW_ERR_NOTFOUND: no such user. Ends the user's sessions. */
kw_rc store_user_delete(kw_store *s, const char *name);
kw_rc store_user_get(kw_store *s, const char *name, store_user *out);
kw_rc store_user_each(kw_store *s, void (*fn)(void *, const store_user *), void *arg);
/* Writes the user's public fields (name, display, role, department) into an open object. */
struct kw_json;
void store_user_json_fields(struct kw_json *j, const store_user *u);
int64_t store_user_count(kw_store *s);

/* Records a session (id_hash: hex SHA-256 of the cookie). */
kw_rc store_session_add(kw_store *s, const char *id_hash, int64_t user_id, const char *csrf, const char *address,
                        int64_t now_ms);
/* The session's user and CSRF token if it exists, was seen within idle_ms and began within
 * max_ms; its seen time moves to now (at most once a minute, to spare the disk).
 * KW_ERR_NOTFOUND otherwise (an expired session is deleted). */
kw_rc store_session_get(kw_store *s, const char *id_hash, int64_t now_ms, int64_t idle_ms, int64_t max_ms,
                        store_user *user, char csrf[65]);
kw_rc store_session_delete(kw_store *s, const char *id_hash);
/* Whether the session still stands (it exists, its user too, within the limits), without
 * moving its seen time: for what watches sessions rather than acts on them. True when the
 * store cannot be read (nothing is ended on a passing error). */
bool store_session_alive(kw_store *s, const char *id_hash, int64_t now_ms, int64_t idle_ms, int64_t max_ms);

#endif
