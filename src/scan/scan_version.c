/* Package version order (scan_version.h): dpkg's, rpm's and apk's comparisons over
 * length-bounded slices, and the syntax checks that turn a malformed version into a clear
 * error before it is compared. Written from Debian Policy 5.6.12 (the order of versions), the
 * deb-version(7) manual and rpm's documented rpmvercmp rules; no I/O, no allocation. */
#include "scan/scan_version.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static bool v_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static bool v_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool v_alnum(unsigned char c) { return v_digit(c) || v_alpha(c); }

static kw_rc v_fail(char *why, size_t whyn, const char *msg)
{
    if (why && whyn)
        snprintf(why, whyn, "%s", msg);
    return KW_ERR_PARSE;
}

/* ---- dpkg ---------------------------------------------------------------------------- */

typedef struct deb_parts {
    const char *epoch, *up, *rev;
    size_t epoch_n, up_n, rev_n;
    bool has_epoch, has_rev;
} deb_parts;

/* Splits at the first ':' (the epoch ends there when all before it are digits) and the
 * last '-' (the revision starts after it). */
static void deb_split(const char *v, size_t n, deb_parts *p)
{
    memset(p, 0, sizeof *p);
    p->epoch = p->rev = v;  /* empty slices, never NULL */
    const char *colon = memchr(v, ':', n);
    size_t start = 0;
    if (colon) {
        p->has_epoch = true;
        p->epoch = v;
        p->epoch_n = (size_t)(colon - v);
        start = p->epoch_n + 1;
    }
    size_t end = n;
    for (size_t i = n; i > start; i--)
        if (v[i - 1] == '-') {
            p->has_rev = true;
            p->rev = v + i;
            p->rev_n = n - i;
            end = i - 1;
            break;
        }
    p->up = v + start;
    p->up_n = end - start;
}

static bool v_all(const char *s, size_t n, const char *extra)
{
    for (size_t i = 0; i < n; i++)
        if (!v_alnum((unsigned char)s[i]) && (s[i] == '\0' || !strchr(extra, s[i])))
            return false;
    return true;
}

static kw_rc deb_check_epoch(const deb_parts *p, char *why, size_t whyn)
{
    if (p->epoch_n == 0)
        return v_fail(why, whyn, "epoch in version is empty");
    for (size_t i = 0; i < p->epoch_n; i++)
        if (!v_digit((unsigned char)p->epoch[i]))
            return v_fail(why, whyn, "epoch in version is not number");
    size_t z = 0;
    while (z < p->epoch_n && p->epoch[z] == '0')
        z++;
    if (p->epoch_n - z > 10 || (p->epoch_n - z == 10 && memcmp(p->epoch + z, "2147483647", 10) > 0))
        return v_fail(why, whyn, "epoch in version is too big");
    return KW_OK;
}

kw_rc scan_version_check_deb(const char *v, size_t n, char *why, size_t whyn)
{
    if (n == 0)
        return v_fail(why, whyn, "version string is empty");
    if (n > SCAN_VERSION_LEN_MAX)
        return v_fail(why, whyn, "version string is too long");
    for (size_t i = 0; i < n; i++)
        if (v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r' || v[i] == '\0')
            return v_fail(why, whyn, "version string has embedded spaces");
    deb_parts p;
    deb_split(v, n, &p);
    if (p.has_epoch && deb_check_epoch(&p, why, whyn) != KW_OK)
        return KW_ERR_PARSE;
    if (p.has_rev && p.rev_n == 0)
        return v_fail(why, whyn, "revision number is empty");
    if (p.up_n == 0)
        return v_fail(why, whyn, "version number is empty");
    if (!v_digit((unsigned char)p.up[0]))
        return v_fail(why, whyn, "version number does not start with digit");
    if (!v_all(p.up, p.up_n, ".-+~:"))
        return v_fail(why, whyn, "invalid character in version number");
    if (!v_all(p.rev, p.rev_n, ".+~"))
        return v_fail(why, whyn, "invalid character in revision number");
    return KW_OK;
}

/* The weight of one character in verrevcmp's non-digit runs; 0 stands for the end. */
static int deb_order(const char *s, size_t n, size_t i)
{
    if (i >= n)
        return 0;
    unsigned char c = (unsigned char)s[i];
    if (v_digit(c))
        return 0;
    if (v_alpha(c))
        return c;
    if (c == '~')
        return -1;
    return c + 256;
}

static int deb_verrev(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i = 0, j = 0;
    while (i < an || j < bn) {
        while ((i < an && !v_digit((unsigned char)a[i])) || (j < bn && !v_digit((unsigned char)b[j]))) {
            int ac = deb_order(a, an, i), bc = deb_order(b, bn, j);
            if (ac != bc)
                return ac - bc;
            i++;
            j++;
        }
        while (i < an && a[i] == '0')
            i++;
        while (j < bn && b[j] == '0')
            j++;
        int first = 0;
        while (i < an && j < bn && v_digit((unsigned char)a[i]) && v_digit((unsigned char)b[j])) {
            if (!first)
                first = a[i] - b[j];
            i++;
            j++;
        }
        if (i < an && v_digit((unsigned char)a[i]))
            return 1;
        if (j < bn && v_digit((unsigned char)b[j]))
            return -1;
        if (first)
            return first;
    }
    return 0;
}

/* Two digit strings by value, without overflow (leading zeros skipped, then length, then
 * the digits). A non-digit stops each. */
static int v_numcmp(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i = 0, j = 0;
    while (i < an && a[i] == '0')
        i++;
    while (j < bn && b[j] == '0')
        j++;
    size_t la = 0, lb = 0;
    while (i + la < an && v_digit((unsigned char)a[i + la]))
        la++;
    while (j + lb < bn && v_digit((unsigned char)b[j + lb]))
        lb++;
    if (la != lb)
        return la < lb ? -1 : 1;
    if (la == 0)
        return 0;
    int c = memcmp(a + i, b + j, la);
    return c < 0 ? -1 : c > 0;
}

int scan_version_cmp_deb(const char *a, size_t an, const char *b, size_t bn)
{
    deb_parts pa, pb;
    deb_split(a, an, &pa);
    deb_split(b, bn, &pb);
    int c = v_numcmp(pa.epoch, pa.epoch_n, pb.epoch, pb.epoch_n);
    if (c)
        return c;
    c = deb_verrev(pa.up, pa.up_n, pb.up, pb.up_n);
    if (c)
        return c;
    return deb_verrev(pa.rev, pa.rev_n, pb.rev, pb.rev_n);
}

/* ---- rpm ----------------------------------------------------------------------------- */

static bool rpm_sep(unsigned char c) { return !v_alnum(c) && c != '~' && c != '^'; }

/* One alphanumeric segment starting at s[*i]: digits or letters, by the first. */
static size_t rpm_seg(const char *s, size_t n, size_t i, bool num)
{
    size_t k = i;
    while (k < n && (num ? v_digit((unsigned char)s[k]) : v_alpha((unsigned char)s[k])))
        k++;
    return k - i;
}

static int rpm_segcmp(const char *a, size_t la, const char *b, size_t lb, bool num)
{
    if (num) {
        while (la && *a == '0')
            a++, la--;
        while (lb && *b == '0')
            b++, lb--;
        if (la != lb)
            return la > lb ? 1 : -1;
    }
    int c = memcmp(a, b, la < lb ? la : lb);
    if (c)
        return c < 0 ? -1 : 1;
    return la == lb ? 0 : la < lb ? -1 : 1;
}

/* The '~' and '^' rules at i, j: 2 when neither is there, else the answer or 0 to go on. */
static int rpm_mark(const char *a, size_t an, size_t *i, const char *b, size_t bn, size_t *j)
{
    char ca = *i < an ? a[*i] : '\0', cb = *j < bn ? b[*j] : '\0';
    if (ca == '~' || cb == '~') {
        if (ca != '~')
            return 1;
        if (cb != '~')
            return -1;
    } else if (ca == '^' || cb == '^') {
        if (*i >= an)
            return -1;
        if (*j >= bn)
            return 1;
        if (ca != '^')
            return 1;
        if (cb != '^')
            return -1;
    } else {
        return 2;
    }
    (*i)++;
    (*j)++;
    return 0;
}

int scan_version_rpmvercmp(const char *a, size_t an, const char *b, size_t bn)
{
    if (an == bn && memcmp(a, b, an) == 0)
        return 0;
    size_t i = 0, j = 0;
    while (i < an || j < bn) {
        while (i < an && rpm_sep((unsigned char)a[i]))
            i++;
        while (j < bn && rpm_sep((unsigned char)b[j]))
            j++;
        int m = rpm_mark(a, an, &i, b, bn, &j);
        if (m == 0)
            continue;
        if (m != 2)
            return m;
        if (i >= an || j >= bn)
            break;
        bool num = v_digit((unsigned char)a[i]);
        size_t la = rpm_seg(a, an, i, num), lb = rpm_seg(b, bn, j, num);
        if (lb == 0)
            return num ? 1 : -1;
        int c = rpm_segcmp(a + i, la, b + j, lb, num);
        if (c)
            return c;
        i += la;
        j += lb;
    }
    if (i >= an && j >= bn)
        return 0;
    return i < an ? 1 : -1;
}

typedef struct rpm_evr {
    const char *e, *v, *r;
    size_t en, vn, rn;
    bool has_e, has_r;
} rpm_evr;

static void rpm_split(const char *s, size_t n, rpm_evr *p)
{
    memset(p, 0, sizeof *p);
    p->e = p->r = s;  /* empty slices, never NULL */
    size_t k = 0;
    while (k < n && v_digit((unsigned char)s[k]))
        k++;
    size_t vstart = 0;
    if (k < n && s[k] == ':') {
        p->has_e = true;
        p->e = s;
        p->en = k;
        vstart = k + 1;
    }
    size_t vend = n;
    for (size_t i = n; i > k; i--)
        if (s[i - 1] == '-') {
            p->has_r = true;
            p->r = s + i;
            p->rn = n - i;
            vend = i - 1;
            break;
        }
    if (vend < vstart)
        vend = vstart;
    p->v = s + vstart;
    p->vn = vend - vstart;
}

int scan_version_cmp_rpm(const char *a, size_t an, const char *b, size_t bn)
{
    rpm_evr pa, pb;
    rpm_split(a, an, &pa);
    rpm_split(b, bn, &pb);
    const char *ea = pa.has_e && pa.en ? pa.e : "0", *eb = pb.has_e && pb.en ? pb.e : "0";
    size_t ean = pa.has_e && pa.en ? pa.en : 1, ebn = pb.has_e && pb.en ? pb.en : 1;
    int c = scan_version_rpmvercmp(ea, ean, eb, ebn);
    if (c == 0)
        c = scan_version_rpmvercmp(pa.v, pa.vn, pb.v, pb.vn);
    if (c == 0 && pa.has_r && pb.has_r)
        c = scan_version_rpmvercmp(pa.r, pa.rn, pb.r, pb.rn);
    else if (c == 0 && pa.has_r != pb.has_r)
        c = pa.has_r ? 1 : -1;  /* rpm 4.18's rpmverCmp: a release sorts after none */
    return c;
}

static kw_rc v_check_common(const char *v, size_t n, char *why, size_t whyn)
{
    if (n == 0)
        return v_fail(why, whyn, "version string is empty");
    if (n > SCAN_VERSION_LEN_MAX)
        return v_fail(why, whyn, "version string is too long");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] >= 0x7f)
            return v_fail(why, whyn, "version string holds a blank or a non-printable character");
    return KW_OK;
}

kw_rc scan_version_check_rpm(const char *v, size_t n, char *why, size_t whyn)
{
    if (v_check_common(v, n, why, whyn) != KW_OK)
        return KW_ERR_PARSE;
    rpm_evr p;
    rpm_split(v, n, &p);
    if (p.has_e && p.en == 0)
        return v_fail(why, whyn, "epoch in version is empty");
    if (p.vn == 0)
        return v_fail(why, whyn, "version number is empty");
    if (p.has_r && p.rn == 0)
        return v_fail(why, whyn, "release is empty");
    if (memchr(p.v, ':', p.vn))
        return v_fail(why, whyn, "epoch in version is not number");
    return KW_OK;
}

/* ---- apk ----------------------------------------------------------------------------- */

enum { APK_PRE = 0, APK_END = 1, APK_REV = 2, APK_POST = 3, APK_LETTER = 4, APK_NUM = 5 };

typedef struct apk_tok {
    int cls;
    int rank;            /* suffixes: their order among themselves */
    const char *num;     /* the digits of a number, a suffix's or a revision's */
    size_t num_n;
} apk_tok;

static int apk_suffix_rank(const char *s, size_t n, int *cls)
{
    static const char *const pre[] = {"alpha", "beta", "pre", "rc"};
    static const char *const post[] = {"cvs", "svn", "git", "hg", "p"};
    for (int k = 0; k < 4; k++)
        if (strlen(pre[k]) == n && memcmp(pre[k], s, n) == 0)
            return *cls = APK_PRE, k;
    for (int k = 0; k < 5; k++)
        if (strlen(post[k]) == n && memcmp(post[k], s, n) == 0)
            return *cls = APK_POST, k;
    *cls = APK_POST;
    return 5;  /* an unknown suffix sorts after the known ones */
}

static size_t apk_digits(const char *s, size_t n, size_t i)
{
    size_t k = i;
    while (k < n && v_digit((unsigned char)s[k]))
        k++;
    return k - i;
}

/* The token at s[*i], advancing *i; APK_END at the end. */
static apk_tok apk_next(const char *s, size_t n, size_t *i)
{
    apk_tok t = {APK_END, 0, NULL, 0};
    while (*i < n && s[*i] == '.')
        (*i)++;
    if (*i >= n)
        return t;
    unsigned char c = (unsigned char)s[*i];
    if (v_digit(c)) {
        t.cls = APK_NUM;
    } else if (c == '_') {
        size_t k = ++(*i);
        while (*i < n && v_alpha((unsigned char)s[*i]))
            (*i)++;
        t.rank = apk_suffix_rank(s + k, *i - k, &t.cls);
    } else if (c == '-' && *i + 1 < n && s[*i + 1] == 'r') {
        *i += 2;
        t.cls = APK_REV;
    } else {
        t.cls = APK_LETTER;
        t.rank = c;
        (*i)++;
        return t;
    }
    t.num = s + *i;
    t.num_n = apk_digits(s, n, *i);
    *i += t.num_n;
    return t;
}

int scan_version_cmp_apk(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i = 0, j = 0;
    for (;;) {
        apk_tok x = apk_next(a, an, &i), y = apk_next(b, bn, &j);
        if (x.cls != y.cls)
            return x.cls < y.cls ? -1 : 1;
        if (x.cls == APK_END)
            return 0;
        if (x.rank != y.rank)
            return x.rank < y.rank ? -1 : 1;
        int c = v_numcmp(x.num, x.num_n, y.num, y.num_n);
        if (c)
            return c;
    }
}

int scan_version_cmp(scan_vkind kind, const char *a, size_t an, const char *b, size_t bn)
{
    switch (kind) {
    case SCAN_V_RPM: return scan_version_cmp_rpm(a, an, b, bn);
    case SCAN_V_APK: return scan_version_cmp_apk(a, an, b, bn);
    default: return scan_version_cmp_deb(a, an, b, bn);
    }
}

kw_rc scan_version_check(scan_vkind kind, const char *v, size_t n, char *why, size_t whyn)
{
    switch (kind) {
    case SCAN_V_RPM: return scan_version_check_rpm(v, n, why, whyn);
    case SCAN_V_APK:
        if (v_check_common(v, n, why, whyn) != KW_OK)
            return KW_ERR_PARSE;
        return v_digit((unsigned char)v[0]) ? KW_OK : v_fail(why, whyn, "version number does not start with digit");
    default: return scan_version_check_deb(v, n, why, whyn);
    }
}
