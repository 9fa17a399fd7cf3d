/* Sign-in for the console: passwords (Argon2id), session tokens, CSRF tokens, and a limit on
 * wrong passwords per address and per user name. No I/O but the random source. */
#ifndef HTTP_AUTH_H
#define HTTP_AUTH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kw_err.h"

#define AUTH_HASH_MAX 256
#define AUTH_PASSWORD_MIN 10   /* characters (bytes) */
#define AUTH_PASSWORD_MAX 1024

/* Hashes a password with Argon2id (t=2, m=19 MiB, p=1: OWASP's first choice) and a random
 * 16-byte salt into its encoded form. KW_ERR_RANGE with a reason for an unacceptable one. */
kw_rc auth_hash_password(const char *pw, char out[AUTH_HASH_MAX], char *err, size_t errn);
/* Checks a password against an encoded hash; false for a malformed hash too. */
bool auth_verify_password(const char *pw, const char *encoded);
/* Spends the time a verification takes (for unknown users: no timing oracle on names). */
void auth_verify_dummy(const char *pw);
/* n random bytes as 2n hex characters (out holds 2n+1). */
void auth_random_hex(char *out, size_t n);
/* Hex SHA-256 of s. */
void auth_sha256_hex(const char *s, char out[65]);
/* Constant-time equality of two strings. */
bool auth_equal(const char *a, const char *b);

/* Wrong passwords: after LIMIT_FAILS (or the caller's count) within LIMIT_WINDOW for one key
 * (a user name at an address, an address), the key waits, doubling from LIMIT_BLOCK up to an
 * hour. Bounded in memory. */
typedef struct auth_limiter auth_limiter;
auth_limiter *auth_limiter_new(void);
void auth_limiter_free(auth_limiter *l);
/* 0 if key may try now, else the seconds to wait. */
int64_t auth_limiter_wait(auth_limiter *l, const char *key, int64_t now_ms);
void auth_limiter_fail(auth_limiter *l, const char *key, int64_t now_ms);
/* The same, the key waiting after `fails` wrong passwords. */
void auth_limiter_fail_after(auth_limiter *l, const char *key, int64_t now_ms, int fails);
/* Forgets the wrong passwords of every key that starts with prefix, made before before_ms
 * (keepwatch user unlock). */
void auth_limiter_forgive(auth_limiter *l, const char *prefix, int64_t before_ms);
void auth_limiter_clear(auth_limiter *l, const char *key);

#endif
