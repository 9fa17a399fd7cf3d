/* The alert changes the core could not write yet (daemon_backlog.c): while the store is
 * unreachable they wait here, in order, bounded, and are written when it is back. */
#ifndef DAEMON_BACKLOG_H
#define DAEMON_BACKLOG_H

#include <stddef.h>
#include <stdint.h>

#include "alert/alert.h"

#define BACKLOG_MAX 20000 /* alert changes kept at most */
#define BACKLOG_BACKOFF_MAX_MS 8000 /* the longest wait between tries */

typedef struct act_backlog {
    alert_acts acts;      /* oldest first; reasons point into reasons[] */
    char **reasons;       /* [acts.cap]: each act's reason, owned (the engine's may not last) */
    uint64_t dropped;     /* changes given up because the backlog was full */
    int64_t retry_mono;   /* kw_mono_ms() before which the store is not tried again */
    int64_t backoff_ms;   /* the wait after the next failure (1 s doubling to 8 s) */
    int64_t since_mono;   /* when the store was first found unreachable (0: it is not) */
} act_backlog;

/* Moves every act of in to the end of b (in is left empty). Past BACKLOG_MAX the oldest
 * updates (a later one carries their value) go first, then the oldest changes; each counted. */
void act_backlog_take(act_backlog *b, alert_acts *in);
/* Forgets act i (refused by the store; counted elsewhere). */
void act_backlog_drop(act_backlog *b, size_t i);
/* Forgets the first n acts (written). */
void act_backlog_shift(act_backlog *b, size_t n);
/* After a failed write: when to try again. */
void act_backlog_wait(act_backlog *b, int64_t mono_ms);
void act_backlog_free(act_backlog *b);

#endif
