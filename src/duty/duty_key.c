/* The duty log's keys: the HMAC secret (32 random bytes) and the Ed25519 pair that signs
 * checkpoints, each in its own file outside the store. Secret files are created 0600 with
 * O_CREAT|O_EXCL, whatever the umask; a file that exists is read, never replaced. */
#include "duty/duty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/kw_ascii.h"
#include "core/kw_mem.h"

#define PEM_MAX 4096

struct duty_keys {
    unsigned char hmac[32];
    EVP_PKEY *sign;
};

struct duty_pub {
    EVP_PKEY *key;
};

/* Reads at most cap bytes of path into buf; -1 with errno when it cannot. */
static ssize_t read_small(const char *path, void *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    size_t got = 0;
    while (got < cap) {
        ssize_t n = read(fd, (char *)buf + got, cap - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    return (ssize_t)got;
}

/* Writes a new file (it must not exist) with exactly `mode`. */
static kw_rc write_new(const char *path, const void *p, size_t n, mode_t mode, char *err, size_t errn)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) {
        snprintf(err, errn, "cannot create %s: %s", path, strerror(errno));
        return errno == EEXIST ? KW_ERR_FULL : KW_ERR_IO;
    }
    bool ok = fchmod(fd, mode) == 0 && write(fd, p, n) == (ssize_t)n && fsync(fd) == 0;
    if (!ok)
        snprintf(err, errn, "cannot write %s: %s", path, strerror(errno));
    close(fd);
    if (!ok)
        unlink(path);
    return ok ? KW_OK : KW_ERR_IO;
}

static kw_rc load_hmac(const char *path, bool create, unsigned char key[32], char *err, size_t errn)
{
    unsigned char buf[33];
    ssize_t n = read_small(path, buf, sizeof buf);
    if (n < 0 && errno == ENOENT && create) {
        if (getrandom(key, 32, 0) != 32) {
            snprintf(err, errn, "getrandom: %s", strerror(errno));
            return KW_ERR_IO;
        }
        kw_rc rc = write_new(path, key, 32, 0600, err, errn);
        if (rc != KW_ERR_FULL) /* FULL: another process made it first: read theirs */
            return rc;
        n = read_small(path, buf, sizeof buf);
    }
    if (n < 0) {
        snprintf(err, errn, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? KW_ERR_NOTFOUND : KW_ERR_IO;
    }
    if (n != 32) {
        snprintf(err, errn, "%s: the duty-log key must be exactly 32 bytes (it has %zd)", path, n);
        return KW_ERR_PARSE;
    }
    memcpy(key, buf, 32);
    return KW_OK;
}

static kw_rc pem_of(EVP_PKEY *k, bool private_part, kw_buf *out)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (!b)
        return KW_ERR_NOMEM;
    int ok = private_part ? PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) : PEM_write_bio_PUBKEY(b, k);
    char *p = NULL;
    long n = BIO_get_mem_data(b, &p);
    kw_rc rc = ok && n > 0 ? kw_buf_append(out, p, (size_t)n) : KW_ERR_IO;
    BIO_free(b);
    return rc;
}

static EVP_PKEY *ed25519_new(void)
{
    EVP_PKEY *k = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    if (ctx && EVP_PKEY_keygen_init(ctx) == 1)
        EVP_PKEY_keygen(ctx, &k);
    EVP_PKEY_CTX_free(ctx);
    return k;
}

/* The public file follows the private key: written when missing or different. */
static kw_rc write_pub(EVP_PKEY *k, const char *path, char *err, size_t errn)
{
    kw_buf want;
    kw_buf_init(&want, PEM_MAX);
    kw_rc rc = pem_of(k, false, &want);
    char have[PEM_MAX];
    ssize_t n = rc == KW_OK ? read_small(path, have, sizeof have) : -1;
    if (rc == KW_OK && !(n == (ssize_t)want.len && memcmp(have, want.data, want.len) == 0)) {
        unlink(path);
        rc = write_new(path, want.data, want.len, 0644, err, errn);
    }
    kw_buf_free(&want);
    return rc;
}

static kw_rc load_sign(const char *path, const char *pub_path, bool create, EVP_PKEY **out, char *err, size_t errn)
{
    char pem[PEM_MAX];
    ssize_t n = read_small(path, pem, sizeof pem);
    if (n < 0 && errno == ENOENT && create) {
        EVP_PKEY *k = ed25519_new();
        kw_buf b;
        kw_buf_init(&b, PEM_MAX);
        kw_rc rc = k ? pem_of(k, true, &b) : KW_ERR_IO;
        if (rc == KW_OK)
            rc = write_new(path, b.data, b.len, 0600, err, errn);
        kw_buf_free(&b);
        EVP_PKEY_free(k);
        if (rc != KW_OK && rc != KW_ERR_FULL) {
            if (!k)
                snprintf(err, errn, "cannot make an Ed25519 key");
            return rc;
        }
        n = read_small(path, pem, sizeof pem);
    }
    if (n < 0) {
        snprintf(err, errn, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? KW_ERR_NOTFOUND : KW_ERR_IO;
    }
    BIO *b = BIO_new_mem_buf(pem, (int)n);
    EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    if (!k || EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(k);
        snprintf(err, errn, "%s: not an Ed25519 private key (PEM)", path);
        return KW_ERR_PARSE;
    }
    kw_rc rc = pub_path ? write_pub(k, pub_path, err, errn) : KW_OK;
    if (rc != KW_OK) {
        EVP_PKEY_free(k);
        return rc;
    }
    *out = k;
    return KW_OK;
}

kw_rc duty_keys_load(const char *key_path, const char *sign_path, const char *pub_path, bool create,
                     duty_keys **out, char *err, size_t errn)
{
    duty_keys *k = kw_calloc(1, sizeof *k);
    kw_rc rc = load_hmac(key_path, create, k->hmac, err, errn);
    if (rc == KW_OK)
        rc = load_sign(sign_path, pub_path, create, &k->sign, err, errn);
    if (rc != KW_OK) {
        duty_keys_free(k);
        return rc;
    }
    *out = k;
    return KW_OK;
}

void duty_keys_free(duty_keys *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->sign);
    OPENSSL_cleanse(k->hmac, sizeof k->hmac);
    free(k);
}

const unsigned char *duty_keys_hmac(const duty_keys *k) { return k->hmac; }

kw_rc duty_keys_pub_pem(const duty_keys *k, kw_buf *out) { return pem_of(k->sign, false, out); }

kw_rc duty_keys_sign(const duty_keys *k, duty_checkpoint *c)
{
    kw_buf m;
    kw_buf_init(&m, 0);
    duty_checkpoint_message(c, &m);
    unsigned char sig[64];
    size_t n = sizeof sig;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->sign) == 1 &&
              EVP_DigestSign(ctx, sig, &n, (const unsigned char *)kw_buf_cstr(&m), m.len) == 1 && n == 64;
    EVP_MD_CTX_free(ctx);
    kw_buf_free(&m);
    if (ok)
        duty_hex(sig, 64, c->sig);
    return ok ? KW_OK : KW_ERR_IO;
}

static bool verify_with(EVP_PKEY *key, const duty_checkpoint *c)
{
    unsigned char sig[64];
    for (size_t i = 0; i < 64; i++) {
        int hi = kw_hexval(c->sig[2 * i]), lo = hi < 0 ? -1 : kw_hexval(c->sig[2 * i + 1]);
        if (lo < 0)
            return false;
        sig[i] = (unsigned char)(hi << 4 | lo);
    }
    if (c->sig[128])
        return false;
    kw_buf m;
    kw_buf_init(&m, 0);
    duty_checkpoint_message(c, &m);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1 &&
              EVP_DigestVerify(ctx, sig, 64, (const unsigned char *)kw_buf_cstr(&m), m.len) == 1;
    EVP_MD_CTX_free(ctx);
    kw_buf_free(&m);
    return ok;
}

bool duty_keys_verify(const duty_keys *k, const duty_checkpoint *c) { return verify_with(k->sign, c); }

duty_pub *duty_pub_from_pem(const char *pem, size_t len)
{
    if (!pem || len == 0 || len > PEM_MAX)
        return NULL;
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *k = b ? PEM_read_bio_PUBKEY(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    if (!k || EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(k);
        return NULL;
    }
    duty_pub *p = kw_calloc(1, sizeof *p);
    p->key = k;
    return p;
}

void duty_pub_free(duty_pub *p)
{
    if (!p)
        return;
    EVP_PKEY_free(p->key);
    free(p);
}

bool duty_pub_verify(const duty_pub *p, const duty_checkpoint *c) { return verify_with(p->key, c); }
