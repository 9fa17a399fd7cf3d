/* Console sign-in pieces: Argon2id hashes, tokens (in a store on SQLite, or on PostgreSQL
 * under KW_TEST_PG_URL: kw_test_store.h), and the wrong-password limiter on a clock the test
 * sets. */
#include "kw_test.h"
#include "kw_test_store.h"

#include "http/http_auth.h"
#include "store/store_token.h"

#include <stdlib.h>
#include <unistd.h>

static void test_passwords(void)
{
    char h[AUTH_HASH_MAX], h2[AUTH_HASH_MAX], err[128];
    CHECK_INT(auth_hash_password("correct horse battery", h, err, sizeof err), KW_OK);
    CHECK(strncmp(h, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
    CHECK(auth_verify_password("correct horse battery", h));
    CHECK(!auth_verify_password("correct horse batterY", h));
    CHECK(!auth_verify_password("correct horse battery", "$2y$10$notargon"));
    CHECK(!auth_verify_password("correct horse battery", ""));
    CHECK_INT(auth_hash_password("correct horse battery", h2, err, sizeof err), KW_OK);
    CHECK(strcmp(h, h2) != 0); /* salted */
    CHECK_INT(auth_hash_password("short", h, err, sizeof err), KW_ERR_RANGE);
    CHECK_CONTAINS(err, "10 to 1024");
    auth_verify_dummy("anything"); /* takes the time, says nothing */
}

static void test_tokens(void)
{
    char a[65], b[65], d[65];
    auth_random_hex(a, 32);
    auth_random_hex(b, 32);
    CHECK_INT((int64_t)strlen(a), 64);
    CHECK(strcmp(a, b) != 0);
    auth_sha256_hex("abc", d);
    CHECK_STR(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(auth_equal("abc", "abc"));
    CHECK(!auth_equal("abc", "abd"));
    CHECK(!auth_equal("abc", "abcd"));
}

static void test_limiter(void)
{
    auth_limiter *l = auth_limiter_new();
    int64_t t = 1000000;
    for (int i = 0; i < 4; i++)
        auth_limiter_fail(l, "ip:192.0.2.1", t + i * 1000);
    CHECK_INT(auth_limiter_wait(l, "ip:192.0.2.1", t + 4000), 0);
    auth_limiter_fail(l, "ip:192.0.2.1", t + 4000); /* the fifth: a minute's wait */
    CHECK_INT(auth_limiter_wait(l, "ip:192.0.2.1", t + 4000), 60);
    CHECK_INT(auth_limiter_wait(l, "ip:192.0.2.2", t + 4000), 0); /* others are not held */
    CHECK_INT(auth_limiter_wait(l, "ip:192.0.2.1", t + 64000), 0);
    for (int i = 0; i < 5; i++) /* five more: twice as long */
        auth_limiter_fail(l, "ip:192.0.2.1", t + 70000 + i);
    CHECK_INT(auth_limiter_wait(l, "ip:192.0.2.1", t + 70004), 120);
    auth_limiter_clear(l, "ip:192.0.2.1");
    CHECK_INT(auth_limiter_wait(l, "ip:192.0.2.1", t + 70005), 0);
    /* failures spread wider than the window do not add up */
    for (int i = 0; i < 10; i++)
        auth_limiter_fail(l, "user:x", t + (int64_t)i * 6 * 60000);
    CHECK_INT(auth_limiter_wait(l, "user:x", t + 9 * 6 * 60000), 0);
    /* bounded: many addresses do not grow it, and a blocked one is not evicted first */
    for (int i = 0; i < 5; i++)
        auth_limiter_fail(l, "ip:198.51.100.7", t + i);
    char k[64];
    for (int i = 0; i < 10000; i++) {
        snprintf(k, sizeof k, "ip:10.%d.%d.1", i / 250, i % 250);
        auth_limiter_fail(l, k, t + 10);
    }
    CHECK(auth_limiter_wait(l, "ip:198.51.100.7", t + 20) > 0);
    auth_limiter_free(l);
}

/* Per name and address: one address's failures hold that pair, not the name elsewhere; unlock
 * forgives what came before it only. */
static void test_limiter_per_address(void)
{
    auth_limiter *l = auth_limiter_new();
    int64_t t = 1700000000000LL;
    for (int i = 0; i < 5; i++)
        auth_limiter_fail(l, "u:duty@127.0.0.2", t + i);
    CHECK(auth_limiter_wait(l, "u:duty@127.0.0.2", t + 10) > 0);
    CHECK_INT(auth_limiter_wait(l, "u:duty@127.0.0.1", t + 10), 0);
    /* an address with its own, higher count */
    for (int i = 0; i < 19; i++)
        auth_limiter_fail_after(l, "ip:127.0.0.2", t + i, 20);
    CHECK_INT(auth_limiter_wait(l, "ip:127.0.0.2", t + 20), 0);
    auth_limiter_fail_after(l, "ip:127.0.0.2", t + 20, 20);
    CHECK_INT(auth_limiter_wait(l, "ip:127.0.0.2", t + 21), 60);
    /* unlock at t+100 forgives the name's keys failed before it, not another name's */
    auth_limiter_fail(l, "u:other@127.0.0.2", t + 30);
    for (int i = 0; i < 5; i++)
        auth_limiter_fail(l, "u:other@127.0.0.2", t + 30 + i);
    auth_limiter_forgive(l, "u:duty@", t + 100);
    CHECK_INT(auth_limiter_wait(l, "u:duty@127.0.0.2", t + 101), 0);
    CHECK(auth_limiter_wait(l, "u:other@127.0.0.2", t + 101) > 0);
    /* ... and a failure after the unlock counts again */
    for (int i = 0; i < 5; i++)
        auth_limiter_fail(l, "u:duty@127.0.0.2", t + 200 + i);
    auth_limiter_forgive(l, "u:duty@", t + 100);
    CHECK(auth_limiter_wait(l, "u:duty@127.0.0.2", t + 210) > 0);
    auth_limiter_free(l);
}

typedef struct {
    int n;
    char first[TOKEN_LABEL_MAX];
} token_list;

static void list_token(void *arg, const store_token *t)
{
    token_list *l = arg;
    if (l->n++ == 0)
        snprintf(l->first, sizeof l->first, "%s", t->label);
}

/* Tokens in a store: only the hash is kept; expired and revoked ones fail; labels revoke. */
static void test_store_tokens(void)
{
    char dir[] = "/tmp/kw-auth-XXXXXX", path[64], err[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/kw.db", dir);
    kw_store *s = kwt_store_open(path, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    store_user u = {0}, got;
    snprintf(u.name, sizeof u.name, "zhang.wei");
    u.role = ROLE_OFFICER;
    snprintf(u.pw_hash, sizeof u.pw_hash, "$argon2id$x");
    int64_t now = 1700000000000LL, id = 0, id2 = 0;
    CHECK_INT(store_user_add(s, &u, now), KW_OK);
    const char *why;
    char h1[65], h2[65];
    auth_sha256_hex("kw_one", h1);
    auth_sha256_hex("kw_two", h2);
    CHECK_INT(store_token_add(s, "nobody", "x", h1, now, 0, &id), KW_ERR_NOTFOUND);
    CHECK_INT(store_token_add(s, "zhang.wei", "laptop", h1, now, 0, &id), KW_OK);
    CHECK_INT(store_token_add(s, "zhang.wei", "laptop", h2, now, 0, &id2), KW_ERR_RANGE); /* a live label */
    CHECK_INT(store_token_add(s, "zhang.wei", "ci", h2, now, now + 1000, &id2), KW_OK);
    /* listed newest first, one user's or everyone's (`?1 IS NULL OR ...`) */
    token_list l = {0};
    CHECK_INT(store_token_each(s, "zhang.wei", list_token, &l), KW_OK);
    CHECK_INT(l.n, 2);
    CHECK_STR(l.first, "ci");
    l.n = 0;
    CHECK_INT(store_token_each(s, NULL, list_token, &l), KW_OK);
    CHECK_INT(l.n, 2);
    l.n = 0;
    CHECK_INT(store_token_each(s, "nobody", list_token, &l), KW_OK);
    CHECK_INT(l.n, 0);
    CHECK_INT(store_token_auth(s, h1, now + 5, &got, &why), KW_OK);
    CHECK_STR(got.name, "zhang.wei");
    CHECK_INT(got.role, ROLE_OFFICER);
    CHECK_STR(got.pw_hash, "");
    CHECK_INT(store_token_auth(s, h2, now + 999, &got, &why), KW_OK);
    CHECK_INT(store_token_auth(s, h2, now + 1000, &got, &why), KW_ERR_RANGE);
    CHECK_CONTAINS(why, "expired");
    char h3[65];
    auth_sha256_hex("kw_three", h3);
    CHECK_INT(store_token_auth(s, h3, now, &got, &why), KW_ERR_NOTFOUND);
    /* the hash is what the table holds, never the token */
    CHECK_INT(store_query_int(s, "SELECT count(*) FROM api_tokens WHERE hash = ?", h1), 1);
    CHECK_INT(store_query_int(s, "SELECT count(*) FROM api_tokens WHERE hash = ?", "kw_one"), 0);
    store_token t;
    CHECK_INT(store_token_revoke(s, "laptop", now + 10, &t), KW_OK);
    CHECK_INT(t.id, id);
    CHECK_INT(store_token_auth(s, h1, now + 11, &got, &why), KW_ERR_RANGE);
    CHECK_CONTAINS(why, "revoked");
    CHECK_INT(store_token_revoke(s, "laptop", now + 12, &t), KW_ERR_NOTFOUND);
    char ids[24];
    snprintf(ids, sizeof ids, "%lld", (long long)id2);
    CHECK_INT(store_token_revoke(s, ids, now + 12, &t), KW_OK);
    /* unlock marks */
    CHECK_INT(store_user_unlocked_ms(s, "zhang.wei"), 0);
    CHECK_INT(store_user_unlock(s, "zhang.wei", now + 50), KW_OK);
    CHECK_INT(store_user_unlocked_ms(s, "zhang.wei"), now + 50);
    /* a deleted user takes their tokens along */
    CHECK_INT(store_user_delete(s, "zhang.wei"), KW_OK);
    CHECK_INT(store_query_int(s, "SELECT count(*) FROM api_tokens", NULL), 0);
    store_close(s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_INT(system(cmd), 0);
}

int main(void)
{
    RUN(test_passwords);
    RUN(test_tokens);
    RUN(test_limiter);
    RUN(test_limiter_per_address);
    RUN(test_store_tokens);
    TEST_MAIN_END();
}
