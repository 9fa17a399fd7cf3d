/* kw_hs_compile: Hyperscan databases kept in a cache directory and read back. A second compile
 * of the same expressions is answered from the file and matches the same; a change of
 * expression, flag or id is a new key; a damaged, foreign-writable or linked file is compiled
 * again (and a damaged one replaced); an expression that does not compile is an error and
 * leaves nothing behind; the directory keeps at most KW_HS_CACHE_FILES databases. */
#include "core/kw_hs.h"
#include "kw_test.h"

#ifdef KW_HAVE_HS
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64], hsdir[96];

static unsigned long hits_now(void)
{
    unsigned long h, m;
    kw_hs_cache_counts(&h, &m);
    return h;
}

static unsigned long misses_now(void)
{
    unsigned long h, m;
    kw_hs_cache_counts(&h, &m);
    return m;
}

/* How many .hs files the cache holds; each (when given) is called with every one's path. */
static int files(void (*each)(const char *path))
{
    DIR *d = opendir(hsdir);
    int k = 0;
    struct dirent *e;
    char p[200];
    while (d && (e = readdir(d)))
        if (strlen(e->d_name) > 3 && !strcmp(e->d_name + strlen(e->d_name) - 3, ".hs")) {
            snprintf(p, sizeof p, "%s/%s", hsdir, e->d_name);
            if (each)
                each(p);
            k++;
        }
    if (d)
        closedir(d);
    return k;
}

static char last[200];

static void remember(const char *p)
{
    snprintf(last, sizeof last, "%s", p);
}

static void group_writable(const char *p)
{
    CHECK_INT(chmod(p, 0620), 0);
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned fl, void *ctx)
{
    *(unsigned *)ctx |= 1u << id;
    return 0;
}

/* The ids of the expressions db finds in text, as bits. */
static unsigned matches(const hs_database_t *db, const char *text)
{
    hs_scratch_t *s = NULL;
    unsigned got = 0;
    if (hs_alloc_scratch(db, &s) != HS_SUCCESS)
        return 0xffffffffu;
    hs_scan(db, text, (unsigned)strlen(text), 0, s, on_match, &got);
    hs_free_scratch(s);
    return got;
}

static const char *const expr[] = {"union\\s+select", "\\.\\./\\.\\./", "\\$\\{jndi:"};
static const unsigned flags[] = {HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH, HS_FLAG_SINGLEMATCH, HS_FLAG_SINGLEMATCH};
static const unsigned ids[] = {0, 1, 2};

static hs_database_t *compile3(const unsigned *fl, const unsigned *id)
{
    hs_database_t *db = NULL;
    hs_compile_error_t *ce = NULL;
    hs_error_t rc = kw_hs_compile(expr, NULL, fl, id, 3, HS_MODE_BLOCK, &db, &ce);
    CHECK_INT(rc, HS_SUCCESS);
    CHECK(ce == NULL);
    hs_free_compile_error(ce);
    return db;
}

static void test_second_compile_read_back(void)
{
    unsigned long h0 = hits_now(), m0 = misses_now();
    hs_database_t *a = compile3(flags, ids);
    CHECK_INT(misses_now() - m0, 1);
    CHECK_INT(files(NULL), 1);
    hs_database_t *b = compile3(flags, ids);
    CHECK_INT(hits_now() - h0, 1);
    CHECK_INT(misses_now() - m0, 1);
    const char *text = "GET /a?q=1 UNION  SELECT x&f=../../etc/passwd ${jndi:ldap://x}";
    CHECK_INT(matches(a, text), 7);
    CHECK_INT(matches(b, text), 7);
    CHECK_INT(matches(b, "GET /index.html"), 0);
    hs_free_database(a);
    hs_free_database(b);
    files(remember);
    struct stat sb;
    CHECK(stat(last, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    CHECK(stat(hsdir, &sb) == 0 && (sb.st_mode & 0777) == 0700);
}

static void test_key_covers_flags_ids_and_literals(void)
{
    int before = files(NULL);
    unsigned long m0 = misses_now();
    const unsigned other_flags[] = {HS_FLAG_SINGLEMATCH, HS_FLAG_SINGLEMATCH, HS_FLAG_SINGLEMATCH};
    hs_database_t *a = compile3(other_flags, ids);
    CHECK_INT(matches(a, "union select"), 1);
    CHECK_INT(matches(a, "UNION SELECT"), 0); /* not the caseless database read back */
    const unsigned other_ids[] = {2, 1, 0};
    hs_database_t *b = compile3(flags, other_ids);
    CHECK_INT(matches(b, "UNION SELECT"), 4);
    CHECK_INT(misses_now() - m0, 2);
    /* the same bytes as literals (lengths given) are another database */
    const size_t lens[] = {strlen(expr[0]), strlen(expr[1]), strlen(expr[2])};
    hs_database_t *c = NULL;
    hs_compile_error_t *ce = NULL;
    CHECK_INT(kw_hs_compile(expr, lens, flags, ids, 3, HS_MODE_BLOCK, &c, &ce), HS_SUCCESS);
    CHECK_INT(matches(c, "x ${jndi: y"), 0);
    CHECK_INT(matches(c, "x \\$\\{jndi: y"), 4);
    CHECK_INT(misses_now() - m0, 3);
    CHECK_INT(files(NULL), before + 3);
    hs_free_database(a);
    hs_free_database(b);
    hs_free_database(c);
}

/* Rewrites one byte near the end of the file (inside Hyperscan's bytes). */
static void damage(const char *p)
{
    int fd = open(p, O_RDWR);
    CHECK(fd >= 0);
    off_t end = lseek(fd, 0, SEEK_END);
    unsigned char b = 0;
    CHECK(pread(fd, &b, 1, end - 9) == 1);
    b ^= 0x5a;
    CHECK(pwrite(fd, &b, 1, end - 9) == 1);
    close(fd);
}

static void test_damaged_or_foreign_files_compiled_again(void)
{
    const char *const one[] = {"cmd\\.exe"};
    const unsigned f1[] = {HS_FLAG_SINGLEMATCH}, i1[] = {0};
    hs_database_t *db = NULL;
    hs_compile_error_t *ce = NULL;
    int n0 = files(NULL);
    CHECK_INT(kw_hs_compile(one, NULL, f1, i1, 1, HS_MODE_BLOCK, &db, &ce), HS_SUCCESS);
    hs_free_database(db);
    CHECK_INT(files(NULL), n0 + 1);
    files(damage); /* every file, the one that would answer among them */
    unsigned long h0 = hits_now(), m0 = misses_now();
    CHECK_INT(kw_hs_compile(one, NULL, f1, i1, 1, HS_MODE_BLOCK, &db, &ce), HS_SUCCESS);
    CHECK_INT(hits_now() - h0, 0);
    CHECK_INT(misses_now() - m0, 1);
    CHECK_INT(matches(db, "c:\\cmd.exe /c"), 1);
    hs_free_database(db);
    /* replaced by a good one: read back now */
    CHECK_INT(kw_hs_compile(one, NULL, f1, i1, 1, HS_MODE_BLOCK, &db, &ce), HS_SUCCESS);
    CHECK_INT(hits_now() - h0, 1);
    hs_free_database(db);
    /* writable by the group: not trusted */
    files(group_writable);
    m0 = misses_now();
    CHECK_INT(kw_hs_compile(one, NULL, f1, i1, 1, HS_MODE_BLOCK, &db, &ce), HS_SUCCESS);
    CHECK_INT(misses_now() - m0, 1);
    hs_free_database(db);
}

static void test_a_link_is_not_followed(void)
{
    const char *const one[] = {"eval\\("};
    const unsigned f1[] = {HS_FLAG_SINGLEMATCH}, i1[] = {0};
    hs_database_t *db = NULL;
    hs_compile_error_t *ce = NULL;
    /* the cache directory itself a link: no cache at all */
    char real[128], env[160];
    snprintf(real, sizeof real, "%s/real", dir);
    CHECK_INT(mkdir(real, 0700), 0);
    snprintf(env, sizeof env, "%s/linked", dir);
    CHECK_INT(mkdir(env, 0700), 0);
    char link[200];
    snprintf(link, sizeof link, "%s/hs", env);
    CHECK_INT(symlink(real, link), 0);
    setenv("KEEPWATCH_CACHE_DIR", env, 1);
    unsigned long m0 = misses_now();
    for (int i = 0; i < 2; i++) {
        CHECK_INT(kw_hs_compile(one, NULL, f1, i1, 1, HS_MODE_BLOCK, &db, &ce), HS_SUCCESS);
        hs_free_database(db);
    }
    CHECK_INT(misses_now() - m0, 2);
    DIR *d = opendir(real);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    CHECK_INT(n, 0);
    setenv("KEEPWATCH_CACHE_DIR", dir, 1);
}

static void test_errors_and_off(void)
{
    const char *const bad[] = {"ok", "(unclosed"};
    const unsigned f2[] = {0, 0}, i2[] = {0, 1};
    hs_database_t *db = NULL;
    hs_compile_error_t *ce = NULL;
    int n0 = files(NULL);
    CHECK(kw_hs_compile(bad, NULL, f2, i2, 2, HS_MODE_BLOCK, &db, &ce) != HS_SUCCESS);
    CHECK(db == NULL);
    CHECK(ce != NULL && ce->expression == 1);
    hs_free_compile_error(ce);
    CHECK_INT(files(NULL), n0);
    /* off: compiles, writes nothing */
    char buf[256];
    setenv("KEEPWATCH_CACHE_DIR", "off", 1);
    CHECK_STR(kw_hs_cache_dir(buf, sizeof buf), "");
    const char *const one[] = {"wget\\s+http"};
    const unsigned f1[] = {0}, i1[] = {0};
    ce = NULL;
    CHECK_INT(kw_hs_compile(one, NULL, f1, i1, 1, HS_MODE_BLOCK, &db, &ce), HS_SUCCESS);
    hs_free_database(db);
    setenv("KEEPWATCH_CACHE_DIR", dir, 1);
    CHECK_INT(files(NULL), n0);
    /* where it is without the variable */
    unsetenv("KEEPWATCH_CACHE_DIR");
    setenv("CACHE_DIRECTORY", "/var/cache/kw:/other", 1);
    CHECK_STR(kw_hs_cache_dir(buf, sizeof buf), "/var/cache/kw/hs");
    unsetenv("CACHE_DIRECTORY");
    setenv("XDG_CACHE_HOME", "/x/cache", 1);
    CHECK_STR(kw_hs_cache_dir(buf, sizeof buf), "/x/cache/keepwatch/hs");
    unsetenv("XDG_CACHE_HOME");
    setenv("HOME", "/home/duty", 1);
    CHECK_STR(kw_hs_cache_dir(buf, sizeof buf), "/home/duty/.cache/keepwatch/hs");
    setenv("HOME", "relative", 1);
    CHECK_STR(kw_hs_cache_dir(buf, sizeof buf), "");
    setenv("KEEPWATCH_CACHE_DIR", dir, 1);
}

static void test_bounded(void)
{
    char e[32];
    const char *const one[] = {e};
    const unsigned f1[] = {HS_FLAG_SINGLEMATCH}, i1[] = {0};
    for (int i = 0; i < KW_HS_CACHE_FILES + 10; i++) {
        snprintf(e, sizeof e, "bounded%d", i);
        hs_database_t *db = NULL;
        hs_compile_error_t *ce = NULL;
        CHECK_INT(kw_hs_compile(one, NULL, f1, i1, 1, HS_MODE_BLOCK, &db, &ce), HS_SUCCESS);
        hs_free_database(db);
    }
    CHECK_INT(files(NULL), KW_HS_CACHE_FILES);
    /* the newest stayed: read back */
    unsigned long h0 = hits_now();
    hs_database_t *db = NULL;
    hs_compile_error_t *ce = NULL;
    CHECK_INT(kw_hs_compile(one, NULL, f1, i1, 1, HS_MODE_BLOCK, &db, &ce), HS_SUCCESS);
    CHECK_INT(hits_now() - h0, 1);
    hs_free_database(db);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/kw-test-hs-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    snprintf(hsdir, sizeof hsdir, "%s/hs", dir);
    setenv("KEEPWATCH_CACHE_DIR", dir, 1);
    RUN(test_second_compile_read_back);
    RUN(test_key_covers_flags_ids_and_literals);
    RUN(test_damaged_or_foreign_files_compiled_again);
    RUN(test_a_link_is_not_followed);
    RUN(test_errors_and_off);
    RUN(test_bounded);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
    TEST_MAIN_END();
}
#else
int main(void)
{
    fprintf(stderr, "built without Hyperscan: nothing to test\n");
    return 0;
}
#endif
