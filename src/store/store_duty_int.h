/* Shared between store_duty.c (entries, verification) and store_duty_sign.c (keys and
 * checkpoints): not for other subsystems. */
#ifndef STORE_DUTY_INT_H
#define STORE_DUTY_INT_H

#include "duty/duty.h"
#include "store/store_int.h"

#define DUTY_ENTRY_COLS "id, ts, kind, actor, alert_id, text, prev_hash, hash, scheme"
#define DUTY_CP_COLS "seq, ts, from_seq, head, digest, legacy, reason, sig"

/* The keys for s's log (cached for the process; never freed while it runs). With create,
 * the missing key files are made. NULL with s->err set when they cannot be had. */
const duty_keys *duty_keys_for(kw_store *s, bool create, kw_rc *rc);
/* Whether the HMAC key file of s's log exists. */
bool duty_key_exists(kw_store *s);
int64_t duty_checkpoint_every(void);

/* The caller's transaction, or one of its own when none is open: begin sets *own; end commits
 * or rolls back its own by rc and returns the result. */
kw_rc duty_tx_begin(kw_store *s, bool *own);
kw_rc duty_tx_end(kw_store *s, bool own, kw_rc rc);

/* The entries after an id in id order, DUTY_READ_CHUNK at a time: a LIMIT keeps PostgreSQL's
 * plan on the primary key whatever its statistics say (a prepared `id > $1` alone was planned
 * as a scan and sort of the whole log, 12 ms a checkpoint at 85,000 entries and growing) and a
 * long stretch out of memory. duty_entries_stmt's statement; duty_entries_next steps it to the
 * entry after `after` (the last one read; the next read starts there, in the same snapshot
 * inside a transaction), DB_ROW with st on it. *got counts this read's rows: -1 to start. */
#define DUTY_READ_CHUNK 1000
db_stmt *duty_entries_stmt(kw_store *s);
db_step_rc duty_entries_next(db_stmt *st, int64_t after, int *got);

/* A row of `SELECT DUTY_ENTRY_COLS` / `SELECT DUTY_CP_COLS`. */
duty_entry duty_row_entry(db_stmt *st);
void duty_row_checkpoint(db_stmt *st, duty_checkpoint *c);
/* The newest checkpoint: KW_OK, KW_ERR_NOTFOUND when there is none. */
kw_rc duty_last_checkpoint(kw_store *s, duty_checkpoint *c);
/* A checkpoint was written: the transaction's cache of the last one is out of date (store_duty.c). */
void duty_cache_forget_checkpoint(kw_store *s);
/* Whether e is entry expect_id, follows the link prev and carries its own right link (plain
 * up to entry `legacy`, keyed after; k NULL: keyed links cannot be checked and fail). When not,
 * why says so. */
bool duty_entry_ok(const duty_keys *k, int64_t legacy, int64_t expect_id, const char *prev, const duty_entry *e,
                   char *why, size_t whyn);

#endif
