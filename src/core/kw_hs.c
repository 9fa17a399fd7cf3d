/* Hyperscan's compile through a cache of serialised databases (kw_hs.h says what and why). */
#include "core/kw_hs.h"

#ifdef KW_HAVE_HS
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/kw_file.h"
#include "core/kw_log.h"

#define MAGIC "KWHS\x01\0\0\0"
#define MAGIC_LEN 8
#define DIGEST_LEN 32
#define HEADER_LEN (MAGIC_LEN + DIGEST_LEN)
#define FILE_MAX (256u << 20) /* no database of ours comes near; a bigger file is not read */
#define NAME_LEN (2 * DIGEST_LEN + 3) /* hex key and ".hs" */

static atomic_ulong hits, misses;

void kw_hs_cache_counts(unsigned long *h, unsigned long *m)
{
    *h = atomic_load(&hits);
    *m = atomic_load(&misses);
}

const char *kw_hs_cache_dir(char *buf, size_t n)
{
    const char *v = getenv("KEEPWATCH_CACHE_DIR");
    int w;
    if (v)
        w = (!v[0] || !strcmp(v, "off")) ? snprintf(buf, n, "%s", "") : snprintf(buf, n, "%s/hs", v);
    else if ((v = getenv("CACHE_DIRECTORY")) && v[0] == '/')
        w = snprintf(buf, n, "%.*s/hs", (int)strcspn(v, ":"), v); /* systemd: the first of a list */
    else if ((v = getenv("XDG_CACHE_HOME")) && v[0] == '/')
        w = snprintf(buf, n, "%s/keepwatch/hs", v);
    else if ((v = getenv("HOME")) && v[0] == '/')
        w = snprintf(buf, n, "%s/.cache/keepwatch/hs", v);
    else
        w = snprintf(buf, n, "%s", "");
    if (w < 0 || (size_t)w >= n)
        buf[0] = '\0';
    return buf;
}

static bool digest(const void *p, size_t n, uint8_t out[DIGEST_LEN])
{
    unsigned len = 0;
    return EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) == 1 && len == DIGEST_LEN;
}

static bool feed(EVP_MD_CTX *c, const void *p, size_t n)
{
    return EVP_DigestUpdate(c, p, n) == 1;
}

/* The file name: SHA-256 over all a compile depends on, in hex, then ".hs". */
static bool key_name(const char *const *expr, const size_t *lens, const unsigned *flags, const unsigned *ids,
                     unsigned n, unsigned mode, char name[NAME_LEN + 1])
{
    hs_platform_info_t plat;
    if (hs_populate_platform(&plat) != HS_SUCCESS)
        return false;
    const char *ver = hs_version();
    uint64_t head[5] = {plat.tune, plat.cpu_features, mode, n, lens != NULL};
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    bool ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) && feed(c, "kw-hs-1", 7) &&
              feed(c, ver, strlen(ver) + 1) && feed(c, head, sizeof head);
    for (unsigned i = 0; ok && i < n; i++) {
        uint64_t len = lens ? lens[i] : strlen(expr[i]);
        uint64_t each[3] = {flags ? flags[i] : 0, ids ? ids[i] : 0, len};
        ok = feed(c, each, sizeof each) && feed(c, expr[i], (size_t)len);
    }
    uint8_t d[DIGEST_LEN];
    unsigned dl = 0;
    ok = ok && EVP_DigestFinal_ex(c, d, &dl) && dl == DIGEST_LEN;
    EVP_MD_CTX_free(c);
    for (int i = 0; ok && i < DIGEST_LEN; i++)
        snprintf(name + 2 * i, 3, "%02x", d[i]);
    if (ok)
        memcpy(name + 2 * DIGEST_LEN, ".hs", 4);
    return ok;
}

/* Ours and written by no one else. */
static bool trusted(const struct stat *sb)
{
    return sb->st_uid == geteuid() && !(sb->st_mode & (S_IWGRP | S_IWOTH));
}

/* The cache directory opened (made 0700 when missing), or -1 when there is none to trust. */
static int dir_open(void)
{
    char dir[4096], err[256];
    if (!kw_hs_cache_dir(dir, sizeof dir)[0])
        return -1;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        if (kw_dir_make(dir, 0700, NULL, err, sizeof err) != KW_OK) {
            log_debug("hyperscan cache: %s", err);
            return -1;
        }
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    struct stat sb;
    if (fd >= 0 && (fstat(fd, &sb) != 0 || !trusted(&sb))) {
        log_debug("hyperscan cache: %s is not this user's alone; not used", dir);
        close(fd);
        fd = -1;
    }
    return fd;
}

/* The database in dfd/name, or NULL when it is missing, not trusted or damaged. */
static hs_database_t *load(int dfd, const char *name)
{
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat sb;
    hs_database_t *db = NULL;
    uint8_t *buf = NULL;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || !trusted(&sb) || sb.st_size < HEADER_LEN ||
        (uint64_t)sb.st_size > FILE_MAX)
        goto out;
    size_t len = (size_t)sb.st_size, got = 0;
    buf = malloc(len);
    while (buf && got < len) {
        ssize_t r = read(fd, buf + got, len - got);
        if (r <= 0 && !(r < 0 && errno == EINTR))
            goto out;
        got += r > 0 ? (size_t)r : 0;
    }
    uint8_t d[DIGEST_LEN];
    if (!buf || memcmp(buf, MAGIC, MAGIC_LEN) || !digest(buf + HEADER_LEN, len - HEADER_LEN, d) ||
        memcmp(d, buf + MAGIC_LEN, DIGEST_LEN))
        goto out;
    if (hs_deserialize_database((const char *)buf + HEADER_LEN, len - HEADER_LEN, &db) != HS_SUCCESS)
        db = NULL;
    else
        futimens(fd, NULL); /* used now: the last to be pruned */
out:
    if (!db)
        log_debug("hyperscan cache: %s is damaged or not ours; compiled again", name);
    free(buf);
    close(fd);
    return db;
}

static bool write_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        b += w, n -= (size_t)w;
    }
    return true;
}

/* Removes the least recently used databases past KW_HS_CACHE_FILES. */
static void prune(int dfd)
{
    int fd = dup(dfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    struct old {
        char name[NAME_LEN + 1];
        struct timespec t;
    } v[KW_HS_CACHE_FILES + 1];
    size_t nv = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        struct stat sb;
        size_t l = strlen(e->d_name);
        if (l != NAME_LEN || strcmp(e->d_name + l - 3, ".hs") ||
            fstatat(dfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        /* keep the newest KW_HS_CACHE_FILES: v sorted newest first, one past the bound */
        size_t at = nv;
        while (at > 0 && (v[at - 1].t.tv_sec < sb.st_mtim.tv_sec ||
                          (v[at - 1].t.tv_sec == sb.st_mtim.tv_sec && v[at - 1].t.tv_nsec < sb.st_mtim.tv_nsec)))
            at--;
        if (nv == KW_HS_CACHE_FILES + 1) { /* full: the oldest goes now */
            if (at == nv) {
                unlinkat(dfd, e->d_name, 0);
                continue;
            }
            unlinkat(dfd, v[nv - 1].name, 0);
            nv--;
        }
        memmove(&v[at + 1], &v[at], (nv - at) * sizeof *v);
        memcpy(v[at].name, e->d_name, l + 1);
        v[at].t = sb.st_mtim;
        nv++;
    }
    if (nv > KW_HS_CACHE_FILES)
        unlinkat(dfd, v[nv - 1].name, 0);
    closedir(d);
}

static void store(int dfd, const char *name, const hs_database_t *db)
{
    char *ser = NULL;
    size_t len = 0;
    uint8_t head[HEADER_LEN];
    if (hs_serialize_database(db, &ser, &len) != HS_SUCCESS || !ser)
        return;
    memcpy(head, MAGIC, MAGIC_LEN);
    char tmp[NAME_LEN + 32];
    snprintf(tmp, sizeof tmp, ".%s.%ld.%lx", name, (long)getpid(), (unsigned long)random());
    int fd = -1;
    bool ok = len + HEADER_LEN <= FILE_MAX && digest(ser, len, head + MAGIC_LEN) &&
              (fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) >= 0 &&
              write_all(fd, head, sizeof head) && write_all(fd, ser, len);
    if (fd >= 0 && close(fd) != 0)
        ok = false;
    if (ok && renameat(dfd, tmp, dfd, name) == 0)
        prune(dfd);
    else if (fd >= 0)
        unlinkat(dfd, tmp, 0);
    free(ser); /* hs's default allocator is malloc */
}

hs_error_t kw_hs_compile(const char *const *expr, const size_t *lens, const unsigned *flags, const unsigned *ids,
                         unsigned n, unsigned mode, hs_database_t **db, hs_compile_error_t **err)
{
    char name[NAME_LEN + 1];
    int dfd = key_name(expr, lens, flags, ids, n, mode, name) ? dir_open() : -1;
    if (dfd >= 0 && (*db = load(dfd, name))) {
        *err = NULL;
        close(dfd);
        atomic_fetch_add(&hits, 1);
        return HS_SUCCESS;
    }
    hs_error_t rc = lens ? hs_compile_lit_multi(expr, flags, ids, lens, n, mode, NULL, db, err)
                         : hs_compile_multi(expr, flags, ids, n, mode, NULL, db, err);
    atomic_fetch_add(&misses, 1);
    if (rc == HS_SUCCESS && dfd >= 0)
        store(dfd, name, *db);
    if (dfd >= 0)
        close(dfd);
    return rc;
}
#endif
