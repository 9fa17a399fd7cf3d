/* Console sign-in pieces: Argon2id hashes, tokens, and the wrong-password limiter on a clock
 * the test sets. */
#include "kw_test.h"

#include "http/http_auth.h"

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

int main(void)
{
    RUN(test_passwords);
    RUN(test_tokens);
    RUN(test_limiter);
    TEST_MAIN_END();
}
