/* Per-user API tokens (in store_user.c): only the SHA-256 of each token is kept, with its user,
 * label, times and whether it was revoked. Also the marks `keepwatch user unlock` leaves for
 * the daemon's wrong-password limiter. The table is created on first use (CREATE TABLE IF NOT
 * EXISTS), so it needs no schema version of its own. */
#ifndef STORE_TOKEN_H
#define STORE_TOKEN_H

#include "store/store.h"

#define TOKEN_PREFIX "kw_"
#define TOKEN_LABEL_MAX 64

typedef struct store_token {
    int64_t id;
    char user[64];
    char label[TOKEN_LABEL_MAX];
    int64_t created_ms, expires_ms, last_used_ms, revoked_ms; /* 0: never / none */
} store_token;

/* Adds a token for user `user` (who must exist: else KW_ERR_NOTFOUND) by the hex SHA-256 of
 * its secret; a label the user already has on a live token is KW_ERR_RANGE. *id: the new row. */
kw_rc store_token_add(kw_store *s, const char *user, const char *label, const char *hash_hex, int64_t now_ms,
                      int64_t expires_ms, int64_t *id);
/* The user a token's hash authenticates at now_ms (a constant-time comparison of the hash
 * found). KW_ERR_NOTFOUND: unknown; KW_ERR_RANGE: revoked or expired (why says which).
 * Notes the use (at most once a minute per token). */
kw_rc store_token_auth(kw_store *s, const char *hash_hex, int64_t now_ms, store_user *user, const char **why);
/* Calls fn for each token (of user, or all when user is NULL), newest first. */
kw_rc store_token_each(kw_store *s, const char *user, void (*fn)(void *, const store_token *), void *arg);
/* Revokes a live token by its id ("12") or its label (which must name one live token: else
 * KW_ERR_RANGE). KW_ERR_NOTFOUND when none matches; *out: the token revoked. */
kw_rc store_token_revoke(kw_store *s, const char *id_or_label, int64_t now_ms, store_token *out);

/* `keepwatch user unlock NAME`: wrong passwords for NAME before now_ms are forgiven. */
kw_rc store_user_unlock(kw_store *s, const char *name, int64_t now_ms);
/* When NAME was last unlocked (0: never). */
int64_t store_user_unlocked_ms(kw_store *s, const char *name);

#endif
