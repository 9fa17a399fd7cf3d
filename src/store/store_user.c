/* The console's users and sessions; per-user API tokens and sign-in unlocks (store_token.h). */
#include "store/store_int.h"
#include "core/kw_json.h"
#include "store/store_token.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

static const char *const role_names[] = {NULL, "viewer", "member", "officer", "admin"};

const char *user_role_name(int role) { return role >= ROLE_VIEWER && role <= ROLE_ADMIN ? role_names[role] : "?"; }

int user_role_parse(const char *s)
{
    for (int r = ROLE_VIEWER; r <= ROLE_ADMIN; r++)
        if (strcmp(s, role_names[r]) == 0)
            return r;
    return 0;
}

/* Steps st once and resets it; *changed (when given) gets the rows it changed. A broken
 * constraint (a name taken) is KW_ERR_RANGE. */
static kw_rc step_count(kw_store *s, db_stmt *st, int64_t *changed)
{
    db_step_rc rc = db_step(st);
    kw_rc out = KW_OK;
    if (changed)
        *changed = rc == DB_DONE ? db_changes(st) : 0;
    if (rc != DB_DONE) {
        snprintf(s->err, sizeof s->err, "%s", db_errmsg(s->db));
        out = db_constraint_failed(s->db) ? KW_ERR_RANGE : KW_ERR_STORE;
    }
    db_reset(st);
    return out;
}

static kw_rc step_done(kw_store *s, db_stmt *st) { return step_count(s, st, NULL); }

static void copy_col(char *dst, size_t n, db_stmt *st, int i)
{
    const char *v = db_col_text(st, i);
    snprintf(dst, n, "%s", v ? v : "");
}

static void user_row(db_stmt *st, store_user *u)
{
    memset(u, 0, sizeof *u);
    u->id = db_col_int64(st, 0);
    copy_col(u->name, sizeof u->name, st, 1);
    copy_col(u->display, sizeof u->display, st, 2);
    u->role = user_role_parse(db_col_text(st, 3));
    copy_col(u->department, sizeof u->department, st, 4);
    copy_col(u->pw_hash, sizeof u->pw_hash, st, 5);
    u->created_ms = db_col_int64(st, 6);
    u->updated_ms = db_col_int64(st, 7);
}

#define USER_COLS "u.id, u.name, u.display, u.role, u.department, u.pw_hash, u.created_ms, u.updated_ms"

kw_rc store_user_add(kw_store *s, const store_user *u, int64_t now)
{
    db_stmt *st = store_stmt(s, "INSERT INTO users (name, display, role, department, pw_hash, created_ms, "
                                "updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, u->name);
    db_bind_text(st, 2, u->display[0] ? u->display : NULL);
    db_bind_text(st, 3, user_role_name(u->role));
    db_bind_text(st, 4, u->department[0] ? u->department : NULL);
    db_bind_text(st, 5, u->pw_hash);
    db_bind_int64(st, 6, now);
    db_bind_int64(st, 7, now);
    return step_done(s, st);
}

static kw_rc end_sessions(kw_store *s, const char *name)
{
    db_stmt *st = store_stmt(s, "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?)");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, name);
    return step_done(s, st);
}

kw_rc store_user_set_password(kw_store *s, const char *name, const char *pw_hash, int64_t now)
{
    db_stmt *st = store_stmt(s, "UPDATE users SET pw_hash = ?, updated_ms = ? WHERE name = ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, pw_hash);
    db_bind_int64(st, 2, now);
    db_bind_text(st, 3, name);
    int64_t changed;
    kw_rc rc = step_count(s, st, &changed);
    if (rc != KW_OK)
        return rc;
    if (!changed)
        return KW_ERR_NOTFOUND;
    return end_sessions(s, name);
}

kw_rc store_user_delete(kw_store *s, const char *name)
{
    kw_rc rc = end_sessions(s, name);
    if (rc != KW_OK)
        return rc;
    db_stmt *st = store_stmt(s, "DELETE FROM users WHERE name = ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, name);
    int64_t changed;
    rc = step_count(s, st, &changed);
    return rc == KW_OK && !changed ? KW_ERR_NOTFOUND : rc;
}

kw_rc store_user_get(kw_store *s, const char *name, store_user *out)
{
    db_stmt *st = store_stmt(s, "SELECT " USER_COLS " FROM users u WHERE u.name = ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, name);
    int rc = db_step(st);
    if (rc == DB_ROW)
        user_row(st, out);
    db_reset(st);
    return rc == DB_ROW ? KW_OK : rc == DB_DONE ? KW_ERR_NOTFOUND : KW_ERR_STORE;
}

kw_rc store_user_each(kw_store *s, void (*fn)(void *, const store_user *), void *arg)
{
    db_stmt *st = store_stmt(s, "SELECT " USER_COLS " FROM users u ORDER BY u.name");
    if (!st)
        return KW_ERR_STORE;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        store_user u;
        user_row(st, &u);
        fn(arg, &u);
    }
    db_reset(st);
    return rc == DB_DONE ? KW_OK : KW_ERR_STORE;
}

void store_user_json_fields(kw_json *j, const store_user *u)
{
    kw_json_kv_str(j, "name", u->name);
    if (u->display[0])
        kw_json_kv_str(j, "display", u->display);
    kw_json_kv_str(j, "role", user_role_name(u->role));
    if (u->department[0])
        kw_json_kv_str(j, "department", u->department);
}

int64_t store_user_count(kw_store *s) { return store_query_int(s, "SELECT count(*) FROM users", NULL); }

kw_rc store_session_add(kw_store *s, const char *id_hash, int64_t user_id, const char *csrf, const char *address,
                        int64_t now)
{
    db_stmt *st = store_stmt(s, "INSERT INTO sessions (id_hash, user_id, csrf, created_ms, seen_ms, address) "
                                "VALUES (?, ?, ?, ?, ?, ?)");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, id_hash);
    db_bind_int64(st, 2, user_id);
    db_bind_text(st, 3, csrf);
    db_bind_int64(st, 4, now);
    db_bind_int64(st, 5, now);
    db_bind_text(st, 6, address);
    return step_done(s, st);
}

kw_rc store_session_delete(kw_store *s, const char *id_hash)
{
    db_stmt *st = store_stmt(s, "DELETE FROM sessions WHERE id_hash = ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, id_hash);
    return step_done(s, st);
}

bool store_session_alive(kw_store *s, const char *id_hash, int64_t now, int64_t idle_ms, int64_t max_ms)
{
    db_stmt *st = store_stmt(s, "SELECT s.created_ms, s.seen_ms FROM sessions s "
                                "JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?");
    if (!st)
        return true;
    db_bind_text(st, 1, id_hash);
    int rc = db_step(st);
    bool alive = rc != DB_ROW && rc != DB_DONE; /* an error: say yes */
    if (rc == DB_ROW)
        alive = now - db_col_int64(st, 1) <= idle_ms && now - db_col_int64(st, 0) <= max_ms;
    db_reset(st);
    return alive;
}

kw_rc store_session_get(kw_store *s, const char *id_hash, int64_t now, int64_t idle_ms, int64_t max_ms,
                        store_user *user, char csrf[65])
{
    db_stmt *st = store_stmt(s, "SELECT " USER_COLS ", s.csrf, s.created_ms, s.seen_ms FROM sessions s "
                                "JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, id_hash);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_reset(st);
        return rc == DB_DONE ? KW_ERR_NOTFOUND : KW_ERR_STORE;
    }
    user_row(st, user);
    copy_col(csrf, 65, st, 8);
    int64_t created = db_col_int64(st, 9), seen = db_col_int64(st, 10);
    db_reset(st);
    if (now - seen > idle_ms || now - created > max_ms) {
        store_session_delete(s, id_hash);
        return KW_ERR_NOTFOUND;
    }
    if (now - seen >= 60000 && (st = store_stmt(s, "UPDATE sessions SET seen_ms = ? WHERE id_hash = ?"))) {
        db_bind_int64(st, 1, now);
        db_bind_text(st, 2, id_hash);
        step_done(s, st);
    }
    return KW_OK;
}

/* ---- API tokens (store_token.h) ---- */

/* The table is api_tokens (store.c, schema version 8). */

kw_rc store_token_add(kw_store *s, const char *user, const char *label, const char *hash_hex, int64_t now,
                      int64_t expires_ms, int64_t *id)
{
    int64_t uid = store_query_int(s, "SELECT id FROM users WHERE name = ?", user);
    if (!uid) {
        snprintf(s->err, sizeof s->err, "no user %s", user);
        return KW_ERR_NOTFOUND;
    }
    db_stmt *st = store_stmt(s, "SELECT count(*) FROM api_tokens WHERE user_id = ? AND label = ? AND "
                                "revoked_ms IS NULL AND (expires_ms IS NULL OR expires_ms > ?)");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, uid);
    db_bind_text(st, 2, label);
    db_bind_int64(st, 3, now);
    int64_t taken = db_step(st) == DB_ROW ? db_col_int64(st, 0) : 0;
    db_reset(st);
    if (taken) {
        snprintf(s->err, sizeof s->err, "%s has a live token labelled \"%s\" already", user, label);
        return KW_ERR_RANGE;
    }
    st = store_stmt(s, "INSERT INTO api_tokens (user_id, label, hash, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?)"
                       " RETURNING id");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, uid);
    db_bind_text(st, 2, label);
    db_bind_text(st, 3, hash_hex);
    db_bind_int64(st, 4, now);
    if (expires_ms > 0)
        db_bind_int64(st, 5, expires_ms);
    kw_rc rc = store_step_id(s, st, id);
    return rc != KW_OK && db_constraint_failed(s->db) ? KW_ERR_RANGE : rc;
}

kw_rc store_token_auth(kw_store *s, const char *hash_hex, int64_t now, store_user *u, const char **why)
{
    *why = "unknown token";
    db_stmt *st = store_stmt(s, "SELECT " USER_COLS ", t.id, t.hash, t.expires_ms, t.revoked_ms, t.last_used_ms "
                                "FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, hash_hex);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_reset(st);
        return rc == DB_DONE ? KW_ERR_NOTFOUND : KW_ERR_STORE;
    }
    char found[65];
    copy_col(found, sizeof found, st, 9);
    bool same = strlen(found) == strlen(hash_hex) && CRYPTO_memcmp(found, hash_hex, strlen(found)) == 0;
    user_row(st, u);
    memset(u->pw_hash, 0, sizeof u->pw_hash); /* a token's holder has no business with it */
    int64_t tid = db_col_int64(st, 8), expires = db_col_int64(st, 10);
    bool revoked = !db_col_null(st, 11);
    int64_t used = db_col_int64(st, 12);
    db_reset(st);
    if (!same)
        return KW_ERR_NOTFOUND;
    if (revoked || (expires && expires <= now)) {
        *why = revoked ? "the token was revoked" : "the token has expired";
        return KW_ERR_RANGE;
    }
    *why = NULL;
    if (now - used >= 60000 && (st = store_stmt(s, "UPDATE api_tokens SET last_used_ms = ? WHERE id = ?"))) {
        db_bind_int64(st, 1, now);
        db_bind_int64(st, 2, tid);
        step_done(s, st); /* a busy store only loses the note */
    }
    return KW_OK;
}

static void token_row(db_stmt *st, store_token *t)
{
    memset(t, 0, sizeof *t);
    t->id = db_col_int64(st, 0);
    copy_col(t->user, sizeof t->user, st, 1);
    copy_col(t->label, sizeof t->label, st, 2);
    t->created_ms = db_col_int64(st, 3);
    t->expires_ms = db_col_int64(st, 4);
    t->last_used_ms = db_col_int64(st, 5);
    t->revoked_ms = db_col_int64(st, 6);
}

#define TOKEN_COLS "t.id, u.name, t.label, t.created_ms, t.expires_ms, t.last_used_ms, t.revoked_ms"

kw_rc store_token_each(kw_store *s, const char *user, void (*fn)(void *, const store_token *), void *arg)
{
    db_stmt *st = store_stmt(s, "SELECT " TOKEN_COLS " FROM api_tokens t JOIN users u ON u.id = t.user_id "
                                "WHERE ?1 IS NULL OR u.name = ?1 ORDER BY t.id DESC");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, user);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        store_token t;
        token_row(st, &t);
        fn(arg, &t);
    }
    db_reset(st);
    return rc == DB_DONE ? KW_OK : KW_ERR_STORE;
}

/* Is s a whole decimal number? */
static bool all_digits(const char *s)
{
    if (!*s || strlen(s) > 18)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

kw_rc store_token_revoke(kw_store *s, const char *id_or_label, int64_t now, store_token *out)
{
    bool by_id = all_digits(id_or_label);
    db_stmt *st = store_stmt(s, by_id ? "SELECT " TOKEN_COLS " FROM api_tokens t JOIN users u ON u.id = "
                                        "t.user_id WHERE t.revoked_ms IS NULL AND t.id = CAST(? AS BIGINT)"
                                           : "SELECT " TOKEN_COLS " FROM api_tokens t JOIN users u ON u.id = "
                                             "t.user_id WHERE t.revoked_ms IS NULL AND t.label = ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, id_or_label);
    int n = 0;
    while (db_step(st) == DB_ROW && n < 2)
        if (n++ == 0)
            token_row(st, out);
    db_reset(st);
    if (n != 1) {
        snprintf(s->err, sizeof s->err, n ? "several live tokens are labelled \"%s\": give the id (token list)"
                                          : "no live token %s",
                 id_or_label);
        return n ? KW_ERR_RANGE : KW_ERR_NOTFOUND;
    }
    st = store_stmt(s, "UPDATE api_tokens SET revoked_ms = ? WHERE id = ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, now);
    db_bind_int64(st, 2, out->id);
    out->revoked_ms = now;
    return step_done(s, st);
}

kw_rc store_user_unlock(kw_store *s, const char *name, int64_t now)
{
    char key[96];
    snprintf(key, sizeof key, "auth_unlock:%s", name);
    db_stmt *st = store_stmt(s, "INSERT INTO meta (key, value) VALUES (?, ?)"
                                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    if (!st)
        return KW_ERR_STORE;
    db_bind_text(st, 1, key);
    db_bind_int64(st, 2, now);
    return step_done(s, st);
}

int64_t store_user_unlocked_ms(kw_store *s, const char *name)
{
    char key[96];
    snprintf(key, sizeof key, "auth_unlock:%s", name);
    return store_query_int(s, "SELECT CAST(value AS BIGINT) FROM meta WHERE key = ?", key);
}
