/* Tests for src/scan/scan_version.c: dpkg's order checked against `dpkg --compare-versions`
 * over thousands of generated pairs, rpm's against rpm's own rpm.vercmp (rpm --eval with
 * Lua), apk's against cases from Alpine's documented order, and the syntax checks. */
#include "kw_test.h"
#include "scan/scan_version.h"

#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/kw_mem.h"

extern char **environ;

static int sgn(int x) { return x < 0 ? -1 : x > 0; }

static int deb(const char *a, const char *b) { return sgn(scan_version_cmp_deb(a, strlen(a), b, strlen(b))); }
static int rpm(const char *a, const char *b) { return sgn(scan_version_cmp_rpm(a, strlen(a), b, strlen(b))); }
static int apk(const char *a, const char *b) { return sgn(scan_version_cmp_apk(a, strlen(a), b, strlen(b))); }

static void test_deb_known(void)
{
    /* Debian Policy 5.6.12's examples and deb-version(7)'s. */
    CHECK_INT(deb("1.0~rc1", "1.0"), -1);
    CHECK_INT(deb("~~", "~~a"), -1);
    CHECK_INT(deb("~~a", "~"), -1);
    CHECK_INT(deb("~", ""), -1);
    CHECK_INT(deb("", "a"), -1);
    CHECK_INT(deb("1:1.0", "2.0"), 1);
    CHECK_INT(deb("1.0-1", "1.0"), 1);
    CHECK_INT(deb("1.0", "1.0-0"), 0);
    CHECK_INT(deb("1.10", "1.9"), 1);
    CHECK_INT(deb("1.001", "1.1"), 0);
    CHECK_INT(deb("0:1.2", "1.2"), 0);
    CHECK_INT(deb("9.2p1-2+deb12u3", "9.2p1-2+deb12u2"), 1);
    CHECK_INT(deb("1.2+dfsg", "1.2.1"), -1);
    CHECK_INT(deb("1.2a", "1.2+"), -1);
    CHECK_INT(deb("2.36-9+deb12u4", "2.36-9+deb12u10"), -1);
}

static void test_deb_check(void)
{
    char why[96];
    CHECK_INT(scan_version_check_deb("1:2.3-4", 7, why, sizeof why), KW_OK);
    CHECK_INT(scan_version_check_deb("", 0, why, sizeof why), KW_ERR_PARSE);
    CHECK_STR(why, "version string is empty");
    CHECK_INT(scan_version_check_deb("a:1", 3, why, sizeof why), KW_ERR_PARSE);
    CHECK_STR(why, "epoch in version is not number");
    CHECK_INT(scan_version_check_deb("1.0-", 4, why, sizeof why), KW_ERR_PARSE);
    CHECK_STR(why, "revision number is empty");
    CHECK_INT(scan_version_check_deb("abc", 3, why, sizeof why), KW_ERR_PARSE);
    CHECK_STR(why, "version number does not start with digit");
    CHECK_INT(scan_version_check_deb("1 2", 3, why, sizeof why), KW_ERR_PARSE);
    CHECK_STR(why, "version string has embedded spaces");
    CHECK_INT(scan_version_check_deb("1.0$", 4, why, sizeof why), KW_ERR_PARSE);
    CHECK_STR(why, "invalid character in version number");
    CHECK_INT(scan_version_check_deb("1.0-a:b", 7, why, sizeof why), KW_ERR_PARSE);
    CHECK_STR(why, "epoch in version is not number");
    CHECK_INT(scan_version_check_deb("99999999999:1", 13, why, sizeof why), KW_ERR_PARSE);
    CHECK_STR(why, "epoch in version is too big");
    CHECK_INT(scan_version_check_deb("1.0-1_2", 7, why, sizeof why), KW_ERR_PARSE);
    CHECK_STR(why, "invalid character in revision number");
}

/* A random version of the alphabet that matters, often derived from `base` by one change so
 * that equal and nearly equal pairs are common. */
static uint64_t rng = 88172645463325252ULL;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static void gen_part(char *out, size_t *k, size_t max, const char *alpha, bool digit_first)
{
    int len = 1 + (int)rnd(7);
    for (int i = 0; i < len && *k + 1 < max; i++) {
        if (i == 0 && digit_first)
            out[(*k)++] = (char)('0' + rnd(10));
        else if (rnd(2))
            out[(*k)++] = (char)('0' + rnd(rnd(3) ? 3 : 10));
        else
            out[(*k)++] = alpha[rnd((unsigned)strlen(alpha))];
    }
}

static void gen_deb(char *out, size_t max, const char *base)
{
    size_t k = 0;
    if (base && rnd(4)) {
        k = kw_strlcpy(out, base, max);
        if (k >= max)
            k = max - 1;
        if (rnd(3) && k > 1) {
            size_t at = 1 + rnd((unsigned)(k - 1));
            const char *swap = "0123456789~.+ab";
            char c = swap[rnd((unsigned)strlen(swap))];
            if (out[at] != ':' && out[at] != '-' && !(c == '.' && at == 0))
                out[at] = c;
        } else if (k + 2 < max) {
            out[k++] = "~0a.+1"[rnd(6)];
            out[k] = '\0';
        }
        char why[64];
        if (scan_version_check_deb(out, k, why, sizeof why) == KW_OK)
            return;
        k = 0;
    }
    if (rnd(5) == 0) {
        out[k++] = (char)('0' + rnd(3));
        out[k++] = ':';
    }
    gen_part(out, &k, max - 20, "~.+abzA", true);
    if (rnd(3)) {
        out[k++] = '-';
        size_t before = k;
        gen_part(out, &k, max - 2, "~.+abz", false);
        if (k == before)
            out[k++] = '1';
    }
    out[k] = '\0';
}

/* Runs `dpkg --compare-versions a op b`; true when dpkg says so. */
static int dpkg_says(const char *a, const char *op, const char *b)
{
    char *argv[] = {"dpkg", "--compare-versions", (char *)a, (char *)op, (char *)b, NULL};
    pid_t pid;
    if (posix_spawnp(&pid, "dpkg", NULL, NULL, argv, environ) != 0)
        return -1;
    int st;
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st) == 0;
}

static bool have(const char *prog)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", prog);
    return system(cmd) == 0;
}

static void test_deb_vs_dpkg(void)
{
    if (!have("dpkg")) {
        fprintf(stderr, "  dpkg not installed: the comparison with dpkg is not run\n");
        return;
    }
    char prev[64] = "1.0";
    int seen[3] = {0}, bad = 0;
    for (int n = 0; n < 2500 && bad < 10; n++) {
        char a[64], b[64];
        gen_deb(a, sizeof a, prev);
        gen_deb(b, sizeof b, rnd(2) ? a : prev);
        kw_strlcpy(prev, a, sizeof prev);
        int mine = deb(a, b);
        int lt = dpkg_says(a, "lt", b);
        int theirs = lt == 1 ? -1 : dpkg_says(a, "eq", b) == 1 ? 0 : 1;
        CHECK(lt >= 0);
        seen[theirs + 1]++;
        if (mine != theirs) {
            fprintf(stderr, "  dpkg: %s vs %s: dpkg %d, keepwatch %d\n", a, b, theirs, mine);
            bad++;
        }
    }
    CHECK_INT(bad, 0);
    /* the generator must really produce all three outcomes */
    CHECK(seen[0] > 200 && seen[1] > 100 && seen[2] > 200);
    fprintf(stderr, "  dpkg agreed on %d lt, %d eq, %d gt\n", seen[0], seen[1], seen[2]);
}

static void gen_rpm(char *out, size_t max, const char *base)
{
    size_t k = 0;
    if (base && rnd(3)) {
        k = kw_strlcpy(out, base, max);
        if (k > 1 && rnd(2)) {
            size_t at = rnd((unsigned)k);
            if (out[at] != ':' && out[at] != '-')
                out[at] = "0123456789~^._+ab"[rnd(17)];
        } else if (k + 2 < max) {
            out[k++] = "~^.0a1_"[rnd(7)];
            out[k] = '\0';
        }
        return;
    }
    if (rnd(5) == 0) {
        out[k++] = (char)('0' + rnd(3));
        out[k++] = ':';
    }
    gen_part(out, &k, max - 20, "~^._+abZ", rnd(4) != 0);
    if (rnd(3)) {
        out[k++] = '-';
        gen_part(out, &k, max - 2, "~^._abel", false);
    }
    out[k] = '\0';
}

static void test_rpm_known(void)
{
    /* From rpm's documentation of version comparison (docs/manual/dependencies.md) and its
     * test suite's rpmvercmp cases (tests/rpmvercmp.at), values only. */
    CHECK_INT(rpm("1.0", "1.0"), 0);
    CHECK_INT(rpm("1.0", "2.0"), -1);
    CHECK_INT(rpm("2.0.1", "2.0"), 1);
    CHECK_INT(rpm("5.5p1", "5.5p10"), -1);
    CHECK_INT(rpm("10xyz", "10.1xyz"), -1);
    CHECK_INT(rpm("xyz10", "xyz10.1"), -1);
    CHECK_INT(rpm("1.0aa", "1.0a"), 1);
    CHECK_INT(rpm("2_0", "2.0"), 0);
    CHECK_INT(rpm("1.0~rc1", "1.0"), -1);
    CHECK_INT(rpm("1.0~rc1", "1.0~rc1~git123"), 1);
    CHECK_INT(rpm("1.0^", "1.0"), 1);
    CHECK_INT(rpm("1.0^git1", "1.0^git1~pre"), 1);
    CHECK_INT(rpm("1.0^git1", "1.01"), -1);
    CHECK_INT(rpm("1:1.0-1", "2.0-1"), 1);
    CHECK_INT(rpm("1.0-1", "1.0"), 1);
    CHECK_INT(rpm("a+", "a_"), 0);
    char why[96];
    CHECK_INT(scan_version_check_rpm("1:2.3-4.el9", 11, why, sizeof why), KW_OK);
    CHECK_INT(scan_version_check_rpm("1.0-", 4, why, sizeof why), KW_ERR_PARSE);
    CHECK_STR(why, "release is empty");
    CHECK_INT(scan_version_check_rpm(":1.0", 4, why, sizeof why), KW_ERR_PARSE);
}

/* All pairs in one `rpm --eval` of a Lua file that prints rpm.vercmp of each. */
static void test_rpm_vs_rpm(void)
{
    if (!have("rpm")) {
        fprintf(stderr, "  rpm not installed: the comparison with rpm is not run\n");
        return;
    }
    enum { N = 3000 };
    static char a[N][48], b[N][48];
    char lua[] = "/tmp/kw_rpmvercmp_XXXXXX";
    int fd = mkstemp(lua);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "w");
    char prev[48] = "1.0-1";
    for (int i = 0; i < N; i++) {
        gen_rpm(a[i], sizeof a[i], prev);
        gen_rpm(b[i], sizeof b[i], rnd(2) ? a[i] : prev);
        kw_strlcpy(prev, a[i], sizeof prev);
        fprintf(f, "io.write(rpm.vercmp('%s', '%s'), '\\n')\n", a[i], b[i]);
    }
    fclose(f);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rpm --eval \"%%{lua: dofile('%s')}\"", lua);
    FILE *p = popen(cmd, "r");
    int seen[3] = {0}, bad = 0, got = 0;
    char line[32];
    for (int i = 0; i < N && fgets(line, sizeof line, p); i++, got++) {
        int theirs = sgn(atoi(line)), mine = rpm(a[i], b[i]);
        seen[theirs + 1]++;
        if (mine != theirs && bad++ < 10)
            fprintf(stderr, "  rpm: %s vs %s: rpm %d, keepwatch %d\n", a[i], b[i], theirs, mine);
    }
    pclose(p);
    if (getenv("KW_KEEP_LUA"))
        fprintf(stderr, "  kept %s\n", lua);
    else
        unlink(lua);
    CHECK_INT(got, N);
    CHECK_INT(bad, 0);
    CHECK(seen[0] > 300 && seen[1] > 100 && seen[2] > 300);
    fprintf(stderr, "  rpm agreed on %d lt, %d eq, %d gt\n", seen[0], seen[1], seen[2]);
}

static void test_apk(void)
{
    /* The order Alpine's APKBUILD reference documents for pkgver suffixes. */
    CHECK_INT(apk("1.2.3_alpha1", "1.2.3_beta"), -1);
    CHECK_INT(apk("1.2.3_rc2", "1.2.3"), -1);
    CHECK_INT(apk("1.2.3", "1.2.3_p1"), -1);
    CHECK_INT(apk("1.2.3-r0", "1.2.3-r1"), -1);
    CHECK_INT(apk("1.2.3-r10", "1.2.3-r9"), 1);
    CHECK_INT(apk("1.2.10", "1.2.9"), 1);
    CHECK_INT(apk("1.2.3a", "1.2.3"), 1);
    CHECK_INT(apk("1.2.3b", "1.2.3a"), 1);
    CHECK_INT(apk("3.0.13-r0", "3.0.13-r0"), 0);
    CHECK_INT(apk("1.2.3_p1-r0", "1.2.3-r5"), 1);
    char why[96];
    CHECK_INT(scan_version_check(SCAN_V_APK, "r1.2", 4, why, sizeof why), KW_ERR_PARSE);
}

/* Antisymmetry on every generated pair: cmp(a, b) == -cmp(b, a), whatever the kind. */
static void test_antisymmetric(void)
{
    int bad = 0;
    for (int i = 0; i < 5000; i++) {
        char a[48], b[48];
        gen_rpm(a, sizeof a, NULL);
        gen_rpm(b, sizeof b, a);
        for (int k = 0; k < 3; k++) {
            int x = sgn(scan_version_cmp((scan_vkind)k, a, strlen(a), b, strlen(b)));
            int y = sgn(scan_version_cmp((scan_vkind)k, b, strlen(b), a, strlen(a)));
            if (x != -y && bad++ < 5)
                fprintf(stderr, "  kind %d: %s vs %s: %d and %d\n", k, a, b, x, y);
        }
    }
    CHECK_INT(bad, 0);
}

int main(void)
{
    RUN(test_deb_known);
    RUN(test_deb_check);
    RUN(test_deb_vs_dpkg);
    RUN(test_rpm_known);
    RUN(test_rpm_vs_rpm);
    RUN(test_apk);
    RUN(test_antisymmetric);
    TEST_MAIN_END();
}
