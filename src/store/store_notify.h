/* The notification tables (store_notify.c): the engine's groups and their members, the
 * outbox the sender delivers from, the silences people add, and the engine's cursor. The
 * callers speak in ids, names and JSON text; no statement leaves src/store/. */
#ifndef STORE_NOTIFY_H
#define STORE_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* ---- the engine's cursor (meta) ---- */

/* The integer under key in meta; *found false (and 0) when there is none. */
int64_t store_meta_int(kw_store *s, const char *key, bool *found);
/* Sets key in meta to v. */
kw_rc store_meta_put_int(kw_store *s, const char *key, int64_t v);

/* ---- alerts as notify reads them ---- */

/* One change in the alert history with its alert; the strings live until fn returns. */
typedef struct store_alert_change {
    int64_t id, alert_id;
    const char *action;      /* fired, reopened, acknowledged, resolved */
    const char *rule, *summary, *labels_json;
    int severity;
    int64_t started_ms;
} store_alert_change;
/* Calls fn for the first `limit` history rows after after_id that fire, reopen, acknowledge
 * or resolve an alert, oldest first. */
kw_rc store_alert_changes_each(kw_store *s, int64_t after_id, int limit, void (*fn)(void *, const store_alert_change *),
                               void *arg);
/* Calls fn for each open (firing or acknowledged) alert, in the table's order; the view's
 * assignee is NULL. */
kw_rc store_alert_each_open_view(kw_store *s, void (*fn)(void *, const store_alert_view *), void *arg);

/* ---- silences ---- */

typedef enum { STORE_SIL_IN_FORCE, STORE_SIL_NOT_OVER, STORE_SIL_ALL } store_silence_which;
/* One silence; the strings live until fn returns (by and comment may be NULL). */
typedef struct store_silence {
    int64_t id;
    const char *matchers_json;
    int64_t starts_ms, ends_ms;
    const char *by, *comment;
} store_silence;
/* Calls fn for the silences in force at now, those not over at now, or all, oldest first. */
kw_rc store_silence_each(kw_store *s, store_silence_which which, int64_t now_ms,
                         void (*fn)(void *, const store_silence *), void *arg);

/* ---- groups and their members ---- */

/* The open group for key, created (with policy, flushing after wait_ms) when there is none;
 * an existing one without a flush due gets one at its last flush + interval_ms (not before
 * now). *gid is its id. */
kw_rc store_notify_group_touch(kw_store *s, const char *key, const char *policy, int64_t wait_ms, int64_t interval_ms,
                               int64_t now_ms, int64_t *gid);
/* Puts alert aid in group gid as firing, to be told as fired. */
kw_rc store_notify_member_fire(kw_store *s, int64_t gid, int64_t aid);

/* A group an alert belongs to; policy is the caller's (free it). */
typedef struct store_notify_membership {
    int64_t group_id;
    bool notified;
    char *policy;
} store_notify_membership;
/* Fills out (at most max) with the open groups alert_id is in; *n how many. */
kw_rc store_notify_memberships(kw_store *s, int64_t alert_id, store_notify_membership *out, size_t max, size_t *n);
/* Marks alert aid in group gid acknowledged or resolved (state), to be told as pending (NULL:
 * nothing to tell), no longer held. */
kw_rc store_notify_member_state(kw_store *s, int64_t gid, int64_t aid, const char *state, const char *pending);
/* Gives group gid, if no flush is due, one at max(now, its last flush + delay_ms). */
kw_rc store_notify_group_flush_soon(kw_store *s, int64_t gid, int64_t now_ms, int64_t delay_ms);
/* The ids of the first `max` open groups whose flush or escalation is due at now, by id, into
 * a new array *ids (the caller frees it) of *n. */
kw_rc store_notify_groups_due(kw_store *s, int64_t now_ms, size_t max, int64_t **ids, size_t *n);

/* A group's row; policy is the caller's (free it). Times 0: none. */
typedef struct store_notify_group {
    int64_t id;
    char *policy;
    int64_t flush_ms, escalate_ms;
    int level, round;
} store_notify_group;
/* KW_ERR_NOTFOUND: no group id. */
kw_rc store_notify_group_get(kw_store *s, int64_t id, store_notify_group *g);
/* A member of a group with its alert; the strings live until fn returns (pending NULL:
 * nothing to tell). */
typedef struct store_notify_member {
    int64_t alert_id;
    const char *state, *pending;
    bool notified;
    const char *rule, *summary, *labels_json;
    int severity;
    int64_t started_ms;
} store_notify_member;
/* Calls fn for each member of group gid, by alert id. */
kw_rc store_notify_members_each(kw_store *s, int64_t gid, void (*fn)(void *, const store_notify_member *), void *arg);
/* Sets a member's pending change (NULL or "": none), whether it was told, and why it is held
 * (NULL: it is not). */
kw_rc store_notify_member_set(kw_store *s, int64_t gid, int64_t aid, const char *pending, bool notified,
                              const char *held);
/* Ends group gid untold. */
kw_rc store_notify_group_close(kw_store *s, int64_t gid);
/* Writes a processed group's times (flush_ms and escalate_ms 0: none; last_flush_ms 0: kept),
 * level, round and whether it is closed. */
kw_rc store_notify_group_update(kw_store *s, int64_t gid, int64_t flush_ms, int64_t last_flush_ms,
                                int64_t escalate_ms, int level, int round, bool closed);
/* The alert ids of group gid from offset on (at most max, by id) into ids, *n of them;
 * *total counts them all. */
kw_rc store_notify_group_alert_ids(kw_store *s, int64_t gid, int64_t offset, size_t max, int64_t *ids, size_t *n,
                                   int64_t *total);

/* ---- the outbox ---- */

/* A message to write: ids 0 are stored as none; alerts (ids, comma-separated) and people
 * (names) may be NULL. */
typedef struct store_outbox_msg {
    int64_t created_ms, next_ms;
    const char *channel, *kind;
    int64_t group_id, alert_id;
    const char *alerts, *people, *message;
} store_outbox_msg;
/* Adds m as pending; *id_out (may be NULL) is its id. */
kw_rc store_outbox_add(kw_store *s, const store_outbox_msg *m, int64_t *id_out);

/* A pending message as the sender reads it; the strings live until fn returns (ids 0: none). */
typedef struct store_outbox_row {
    int64_t id, created_ms, alert_id, group_id;
    int attempts;
    const char *message, *alerts, *people, *kind;
} store_outbox_row;
/* Calls fn for the first `limit` pending messages of channel due at now, by id. */
kw_rc store_outbox_due_each(kw_store *s, const char *channel, int64_t now_ms, int limit,
                            void (*fn)(void *, const store_outbox_row *), void *arg);
/* How many pending messages of channel are due at now, into *n. */
kw_rc store_outbox_due_count(kw_store *s, const char *channel, int64_t now_ms, int64_t *n);
/* Marks the messages ids (n of them) merged into the digest `into`. */
kw_rc store_outbox_merge(kw_store *s, int64_t into, const int64_t *ids, size_t n);
/* Message id was delivered at now on attempt `attempts`. */
/* Takes a due pending message for one delivery attempt: not due again before until_ms, so a
 * server that takes over from one that died mid-delivery sends it only after that. Only
 * while epoch is the leadership's (no leader recorded: a store of one machine).
 * KW_ERR_NOTFOUND: it is not this server's to send (taken, sent, or another leads). */
kw_rc store_outbox_claim(kw_store *s, int64_t id, int64_t now_ms, int64_t until_ms, int64_t epoch);
kw_rc store_outbox_sent(kw_store *s, int64_t id, int64_t now_ms, int attempts);
/* Message id failed (attempt `attempts`, why): tried again at next_ms, or given up (final). */
kw_rc store_outbox_failed(kw_store *s, int64_t id, int attempts, int64_t next_ms, bool final, const char *why);
/* Counts the outbox by state into by[4]: pending, sent, failed, merged. */
kw_rc store_outbox_counts(kw_store *s, int64_t by[4]);

/* One channel's outbox, for `keepwatch notify status`; last_error may be NULL, last_sent_ms
 * 0: never. */
typedef struct store_outbox_channel {
    const char *channel, *last_error;
    int64_t pending, sent, failed, merged, last_sent_ms;
} store_outbox_channel;
/* Calls fn for each channel in the outbox, by name. */
kw_rc store_outbox_channels_each(kw_store *s, void (*fn)(void *, const store_outbox_channel *), void *arg);

/* Deletes delivered (or given-up) messages and closed groups opened before before_ms, and
 * silences over before it. */
kw_rc store_notify_prune(kw_store *s, int64_t before_ms);

#endif
