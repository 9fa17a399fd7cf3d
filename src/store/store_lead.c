/* Which of several servers on one PostgreSQL store leads: the one holding a session advisory
 * lock on a connection of its own. The lock goes with the session, so a leader that dies or
 * loses its connection loses it at once and another takes it at its next turn. Each turn
 * also says the server is alive (keepwatch_servers) and, for a new leader, records it and a
 * new epoch (keepwatch_leader): work done for a leader checks that epoch still stands. On
 * SQLite, a store of one machine, this process always leads and nothing is written. */
#include "store/store_int.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct store_lead {
    kw_store *s;             /* its own connection: the session that holds the lock */
    char where[512];
    char server[64];
    int64_t started_ms;
    bool sqlite;
    store_lead_state st;
    int64_t retry_ms;        /* after a failed reconnection, not before this */
    int64_t backoff_ms;
};

store_lead *store_lead_open(const char *where, const char *server, int64_t started_ms, char *err, size_t errn)
{
    store_lead *l = kw_calloc(1, sizeof *l);
    kw_strlcpy(l->where, where, sizeof l->where);
    kw_strlcpy(l->server, server ? server : "", sizeof l->server);
    l->started_ms = started_ms;
    l->sqlite = !store_is_url(where);
    if (l->sqlite) {
        l->st = (store_lead_state){.leads = true, .epoch = 1, .since_ms = started_ms};
        kw_strlcpy(l->st.leader, l->server, sizeof l->st.leader);
        return l;
    }
    l->s = store_open(where, false, err, errn);
    if (!l->s) {
        free(l);
        return NULL;
    }
    return l;
}

/* Gives the session's lock up. */
static void unlock(store_lead *l)
{
    char sql[64];
    snprintf(sql, sizeof sql, "SELECT pg_advisory_unlock(%d)", STORE_LOCK_LEAD);
    db_exec(l->s->db, sql);
}

void store_lead_close(store_lead *l)
{
    if (!l)
        return;
    if (l->s && l->st.leads) /* hand over now rather than when the connection closes */
        unlock(l);
    store_close(l->s);
    free(l);
}

/* Whether this session still holds the lock (false too when the connection is gone, or was
 * made again: a new session holds nothing). */
static bool still_holds(store_lead *l)
{
    db_stmt *q = store_stmt(l->s, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                                  " AND pid = pg_backend_pid() AND objid = ?");
    if (!q)
        return false;
    db_bind_int64(q, 1, STORE_LOCK_LEAD);
    bool held = db_step(q) == DB_ROW && db_col_int64(q, 0) == 1;
    db_reset(q);
    return held;
}

static bool try_lock(store_lead *l)
{
    db_stmt *q = store_stmt(l->s, "SELECT pg_try_advisory_lock(?)");
    if (!q)
        return false;
    db_bind_int64(q, 1, STORE_LOCK_LEAD);
    bool got = db_step(q) == DB_ROW && db_col_int64(q, 0) != 0;
    db_reset(q);
    return got;
}

/* Records this server as the leader with the next epoch. */
static kw_rc record_leader(store_lead *l, int64_t now)
{
    if (store_begin(l->s) != KW_OK)
        return KW_ERR_STORE;
    db_stmt *q = store_stmt(l->s, "INSERT INTO keepwatch_leader (id, server, since_ms, epoch) VALUES (1, ?, ?, 1)"
                                  " ON CONFLICT (id) DO UPDATE SET server = excluded.server,"
                                  " since_ms = excluded.since_ms, epoch = keepwatch_leader.epoch + 1 RETURNING epoch");
    kw_rc rc = KW_ERR_STORE;
    if (q) {
        db_bind_text(q, 1, l->server);
        db_bind_int64(q, 2, now);
        rc = store_step_id(l->s, q, &l->st.epoch);
    }
    if (rc == KW_OK)
        rc = store_commit(l->s);
    else
        store_rollback(l->s);
    return rc;
}

/* Says this server is alive, and reads who leads. */
static void heartbeat(store_lead *l, int64_t now)
{
    db_stmt *q = store_stmt(l->s, "INSERT INTO keepwatch_servers (name, started_ms, seen_ms, version, leader)"
                                  " VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET"
                                  " started_ms = excluded.started_ms, seen_ms = excluded.seen_ms,"
                                  " version = excluded.version, leader = excluded.leader");
    if (q) {
        db_bind_text(q, 1, l->server);
        db_bind_int64(q, 2, l->started_ms);
        db_bind_int64(q, 3, now);
        db_bind_text(q, 4, KW_VERSION);
        db_bind_int64(q, 5, l->st.leads);
        store_step_done(l->s, q);
        db_reset(q);
    }
    q = store_stmt(l->s, "SELECT server, since_ms, epoch FROM keepwatch_leader WHERE id = 1");
    if (q && db_step(q) == DB_ROW) {
        kw_strlcpy(l->st.leader, db_col_text(q, 0) ? db_col_text(q, 0) : "", sizeof l->st.leader);
        l->st.since_ms = db_col_int64(q, 1);
        if (!l->st.leads)
            l->st.epoch = db_col_int64(q, 2);
    }
    if (q)
        db_reset(q);
}

bool store_lead_turn(store_lead *l, int64_t now_ms, int64_t mono_ms, store_lead_state *out)
{
    if (l->sqlite) {
        *out = l->st;
        return true;
    }
    if (mono_ms < l->retry_ms) {
        *out = l->st;
        return l->st.leads;
    }
    bool was = l->st.leads;
    bool leads = was ? still_holds(l) : try_lock(l);
    if (leads && !was && record_leader(l, now_ms) != KW_OK) {
        unlock(l); /* a leader nobody can see is none: let another take it */
        leads = false;
    }
    l->st.leads = leads;
    heartbeat(l, now_ms);
    if (was != leads) {
        char shown[512];
        kw_url_mask_password(l->where, shown, sizeof shown);
        if (leads)
            log_info("this server (%s) leads on %s now (epoch %lld)", l->server, shown, (long long)l->st.epoch);
        else
            log_warn("this server (%s) no longer leads on %s: %s", l->server, shown, store_errmsg(l->s));
    }
    /* unreachable: back off (1 s doubling to 8 s) rather than hammer the server */
    bool down = !db_connected(l->s->db);
    l->backoff_ms = down ? (l->backoff_ms ? (l->backoff_ms * 2 > 8000 ? 8000 : l->backoff_ms * 2) : 1000) : 0;
    l->retry_ms = down ? mono_ms + l->backoff_ms : 0;
    store_release(l->s);
    *out = l->st;
    return leads;
}

kw_rc store_servers_each(kw_store *s, void (*fn)(void *, const char *, int64_t, int64_t, bool), void *arg)
{
    db_stmt *q = store_stmt(s, "SELECT name, started_ms, seen_ms, leader FROM keepwatch_servers ORDER BY name");
    if (!q)
        return KW_ERR_STORE;
    db_step_rc r;
    while ((r = db_step(q)) == DB_ROW)
        fn(arg, db_col_text(q, 0) ? db_col_text(q, 0) : "", db_col_int64(q, 1), db_col_int64(q, 2),
           db_col_int64(q, 3) != 0);
    db_reset(q);
    return r == DB_DONE ? KW_OK : KW_ERR_STORE;
}
