/* Package version order, pure (no I/O): Debian's (dpkg), RPM's (rpmvercmp over
 * epoch:version-release) and Alpine's (apk), so that an installed version can be set against
 * the first version that fixes a vulnerability. Every function takes a length-bounded slice;
 * nothing needs a NUL terminator and nothing is allocated. */
#ifndef KW_SCAN_VERSION_H
#define KW_SCAN_VERSION_H

#include <stdbool.h>
#include <stddef.h>

#include "core/kw_err.h"

/* The longest version any of these accepts (dpkg has no limit; real ones are < 100 bytes). */
#define SCAN_VERSION_LEN_MAX 256

typedef enum scan_vkind {
    SCAN_V_DEB = 0,   /* Debian, Ubuntu: dpkg */
    SCAN_V_RPM = 1,   /* Red Hat, Fedora, SUSE, Rocky, Alma: rpm */
    SCAN_V_APK = 2,   /* Alpine: apk */
} scan_vkind;

/* Checks v[0..n) as dpkg's parseversion would: an optional numeric epoch and ':', an upstream
 * version that starts with a digit and holds only alphanumerics and . + - ~ :, an optional
 * '-' and a revision of alphanumerics and . + ~. KW_OK, or KW_ERR_PARSE with the reason written
 * into why[whyn] (may be NULL). */
kw_rc scan_version_check_deb(const char *v, size_t n, char *why, size_t whyn);

/* dpkg's order of two versions (epoch numerically, then upstream, then revision, each by
 * verrevcmp: '~' before everything, even the end, then letters, then other characters, digit
 * runs numerically): < 0, 0 or > 0. Defined for any bytes; invalid versions compare the way
 * dpkg compares them after warning. */
int scan_version_cmp_deb(const char *a, size_t an, const char *b, size_t bn);

/* rpm's rpmvercmp of two version (or release) strings: alphanumeric segments, digits
 * numerically and newer than letters, '~' older and '^' newer than the end, other characters
 * only separate. -1, 0 or 1. */
int scan_version_rpmvercmp(const char *a, size_t an, const char *b, size_t bn);

/* rpm's order of two [epoch:]version[-release] strings: the epoch (missing: 0), then the
 * version, then the release (as rpm 4.18's rpmverCmp, which rpm.vercmp uses: one that has a
 * release sorts after one that has none). -1, 0 or 1. */
int scan_version_cmp_rpm(const char *a, size_t an, const char *b, size_t bn);

/* Checks an rpm EVR: not empty, no whitespace, a numeric epoch when one is given, a version,
 * a release when '-' is given. KW_ERR_PARSE with the reason in why. */
kw_rc scan_version_check_rpm(const char *v, size_t n, char *why, size_t whyn);

/* Alpine's order (apk-tools' version rules): dot-separated numbers compared numerically, one
 * optional letter, then _alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p
 * suffixes with their numbers, then -rN. Any bytes; -1, 0 or 1. */
int scan_version_cmp_apk(const char *a, size_t an, const char *b, size_t bn);

/* The comparison of `kind` (-1/0/1 or any sign); and its check (apk: a digit first,
 * printable, no blank; KW_ERR_PARSE with the reason in why). */
int scan_version_cmp(scan_vkind kind, const char *a, size_t an, const char *b, size_t bn);
kw_rc scan_version_check(scan_vkind kind, const char *v, size_t n, char *why, size_t whyn);

#endif
