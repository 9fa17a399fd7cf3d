/* The core's backlog of alert changes (daemon_backlog.h). */
#include "daemon/daemon_backlog.h"
#include "core/kw_mem.h"

#include <stdlib.h>
#include <string.h>

static void act_free(alert_act *a, char *reason)
{
    free(a->rule);
    free(a->labels_json);
    free(a->summary);
    free(a->details_json);
    free(reason);
}

void act_backlog_drop(act_backlog *b, size_t i)
{
    act_free(&b->acts.v[i], b->reasons[i]);
    memmove(&b->acts.v[i], &b->acts.v[i + 1], (b->acts.n - i - 1) * sizeof b->acts.v[0]);
    memmove(&b->reasons[i], &b->reasons[i + 1], (b->acts.n - i - 1) * sizeof b->reasons[0]);
    b->acts.n--;
}

/* Gives act i up for room, counted. */
static void remove_at(act_backlog *b, size_t i)
{
    act_backlog_drop(b, i);
    b->dropped++;
}

/* Makes room for one: the oldest update first (its value is superseded), else the oldest. */
static void make_room(act_backlog *b)
{
    for (size_t i = 0; i < b->acts.n; i++)
        if (b->acts.v[i].kind == ALERT_ACT_UPDATE) {
            remove_at(b, i);
            return;
        }
    remove_at(b, 0);
}

void act_backlog_take(act_backlog *b, alert_acts *in)
{
    for (size_t i = 0; i < in->n; i++) {
        if (b->acts.n >= BACKLOG_MAX)
            make_room(b);
        if (b->acts.n == b->acts.cap) {
            size_t cap = b->acts.cap ? b->acts.cap * 2 : 16;
            b->acts.v = kw_realloc(b->acts.v, cap * sizeof b->acts.v[0]);
            b->reasons = kw_realloc(b->reasons, cap * sizeof b->reasons[0]);
            b->acts.cap = cap;
        }
        alert_act *a = &b->acts.v[b->acts.n];
        *a = in->v[i]; /* the strings move with it */
        char *r = in->v[i].reason ? kw_strdup(in->v[i].reason) : NULL;
        b->reasons[b->acts.n++] = r;
        a->reason = r;
    }
    free(in->v);
    memset(in, 0, sizeof *in);
}

void act_backlog_shift(act_backlog *b, size_t n)
{
    if (n > b->acts.n)
        n = b->acts.n;
    if (!n)
        return;
    for (size_t i = 0; i < n; i++)
        act_free(&b->acts.v[i], b->reasons[i]);
    memmove(b->acts.v, b->acts.v + n, (b->acts.n - n) * sizeof b->acts.v[0]);
    memmove(b->reasons, b->reasons + n, (b->acts.n - n) * sizeof b->reasons[0]);
    b->acts.n -= n;
}

void act_backlog_wait(act_backlog *b, int64_t mono_ms)
{
    b->backoff_ms = b->backoff_ms ? (b->backoff_ms * 2 > BACKLOG_BACKOFF_MAX_MS ? BACKLOG_BACKOFF_MAX_MS : b->backoff_ms * 2) : 1000;
    b->retry_mono = mono_ms + b->backoff_ms;
    if (!b->since_mono)
        b->since_mono = mono_ms;
}

void act_backlog_free(act_backlog *b)
{
    act_backlog_shift(b, b->acts.n);
    free(b->acts.v);
    free(b->reasons);
    memset(b, 0, sizeof *b);
}
