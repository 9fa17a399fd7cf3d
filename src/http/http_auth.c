/* Passwords, tokens and the wrong-password limiter. */
#include "http/http_auth.h"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/kw_mem.h"

#define ARGON_T 2
#define ARGON_M 19456 /* KiB */
#define ARGON_P 1
#define SALT_LEN 16
#define HASH_LEN 32

#define LIMIT_FAILS 5
#define LIMIT_WINDOW_MS (5 * 60000)
#define LIMIT_BLOCK_MS 60000
#define LIMIT_BLOCK_MAX_MS 3600000
#define LIMIT_KEYS 4096

static void fill_random(void *p, size_t n)
{
    unsigned char *b = p;
    while (n) {
        ssize_t k = getrandom(b, n, 0);
        if (k <= 0)
            abort(); /* no randomness: no safe tokens; never happens on Linux >= 3.17 */
        b += k;
        n -= (size_t)k;
    }
}

void auth_random_hex(char *out, size_t n)
{
    unsigned char *b = kw_malloc(n ? n : 1);
    fill_random(b, n);
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    out[2 * n] = 0;
    OPENSSL_cleanse(b, n);
    free(b);
}

void auth_sha256_hex(const char *s, char out[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

bool auth_equal(const char *a, const char *b)
{
    size_t n = strlen(a);
    return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}

kw_rc auth_hash_password(const char *pw, char out[AUTH_HASH_MAX], char *err, size_t errn)
{
    size_t n = strlen(pw);
    if (n < AUTH_PASSWORD_MIN || n > AUTH_PASSWORD_MAX) {
        snprintf(err, errn, "a password has %d to %d characters", AUTH_PASSWORD_MIN, AUTH_PASSWORD_MAX);
        return KW_ERR_RANGE;
    }
    unsigned char salt[SALT_LEN];
    fill_random(salt, sizeof salt);
    int rc = argon2id_hash_encoded(ARGON_T, ARGON_M, ARGON_P, pw, n, salt, sizeof salt, HASH_LEN, out, AUTH_HASH_MAX);
    if (rc != ARGON2_OK) {
        snprintf(err, errn, "argon2: %s", argon2_error_message(rc));
        return KW_ERR_IO;
    }
    return KW_OK;
}

bool auth_verify_password(const char *pw, const char *encoded)
{
    if (strncmp(encoded, "$argon2id$", 10) != 0 || strlen(pw) > AUTH_PASSWORD_MAX)
        return false;
    return argon2id_verify(encoded, pw, strlen(pw)) == ARGON2_OK;
}

static char dummy_hash[AUTH_HASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_make(void)
{
    char pw[33], err[128];
    auth_random_hex(pw, 16);
    if (auth_hash_password(pw, dummy_hash, err, sizeof err) != KW_OK)
        dummy_hash[0] = 0;
}

void auth_verify_dummy(const char *pw)
{
    pthread_once(&dummy_once, dummy_make); /* a real hash, so the work is the same as for a real user */
    auth_verify_password(pw, dummy_hash);
}

/* ---- the limiter ---- */

typedef struct lkey {
    char key[128];       /* "u:NAME@ADDRESS", "ip:ADDRESS" */
    int fails;
    int64_t first_ms, last_ms, blocked_until, block_ms;
} lkey;

struct auth_limiter {
    pthread_mutex_t mu;
    lkey *v;
    size_t n;
};

auth_limiter *auth_limiter_new(void)
{
    auth_limiter *l = kw_calloc(1, sizeof *l);
    pthread_mutex_init(&l->mu, NULL);
    l->v = kw_calloc(LIMIT_KEYS, sizeof *l->v);
    return l;
}

void auth_limiter_free(auth_limiter *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->mu);
    free(l->v);
    free(l);
}

static lkey *find(auth_limiter *l, const char *key, bool add, int64_t now)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].key, key) == 0)
            return &l->v[i];
    if (!add)
        return NULL;
    size_t slot = l->n;
    if (l->n == LIMIT_KEYS) { /* full: reuse the entry that matters least (not blocked, oldest) */
        slot = 0;
        for (size_t i = 1; i < l->n; i++) {
            bool bi = l->v[i].blocked_until > now, bs = l->v[slot].blocked_until > now;
            if ((bs && !bi) || (bs == bi && l->v[i].first_ms < l->v[slot].first_ms))
                slot = i;
        }
    } else {
        l->n++;
    }
    lkey *k = &l->v[slot];
    memset(k, 0, sizeof *k);
    snprintf(k->key, sizeof k->key, "%s", key);
    return k;
}

int64_t auth_limiter_wait(auth_limiter *l, const char *key, int64_t now)
{
    pthread_mutex_lock(&l->mu);
    lkey *k = find(l, key, false, now);
    int64_t wait = k && k->blocked_until > now ? (k->blocked_until - now + 999) / 1000 : 0;
    pthread_mutex_unlock(&l->mu);
    return wait;
}

void auth_limiter_fail(auth_limiter *l, const char *key, int64_t now) { auth_limiter_fail_after(l, key, now, LIMIT_FAILS); }

void auth_limiter_fail_after(auth_limiter *l, const char *key, int64_t now, int fails)
{
    pthread_mutex_lock(&l->mu);
    lkey *k = find(l, key, true, now);
    if (now - k->first_ms > LIMIT_WINDOW_MS) {
        k->first_ms = now;
        k->fails = 0;
    }
    k->last_ms = now;
    if (++k->fails >= fails) {
        k->block_ms = k->block_ms ? k->block_ms * 2 : LIMIT_BLOCK_MS;
        if (k->block_ms > LIMIT_BLOCK_MAX_MS)
            k->block_ms = LIMIT_BLOCK_MAX_MS;
        k->blocked_until = now + k->block_ms;
        k->fails = 0;
        k->first_ms = now;
    }
    pthread_mutex_unlock(&l->mu);
}

void auth_limiter_clear(auth_limiter *l, const char *key)
{
    pthread_mutex_lock(&l->mu);
    lkey *k = find(l, key, false, 0);
    if (k) {
        k->fails = 0;
        k->blocked_until = k->block_ms = 0;
    }
    pthread_mutex_unlock(&l->mu);
}

void auth_limiter_forgive(auth_limiter *l, const char *prefix, int64_t before_ms)
{
    size_t n = strlen(prefix);
    pthread_mutex_lock(&l->mu);
    for (size_t i = 0; i < l->n; i++) {
        lkey *k = &l->v[i];
        if (strncmp(k->key, prefix, n) == 0 && k->last_ms < before_ms) {
            k->fails = 0;
            k->blocked_until = k->block_ms = 0;
        }
    }
    pthread_mutex_unlock(&l->mu);
}
