/* Installed OS packages, pure (no I/O): the parsers of dpkg's status file, of the list rpm
 * prints with SCAN_PKG_RPM_QF, of apk's installed database and of /etc/os-release, into one
 * package list (binary package -> source package and their versions), and the check of such a
 * list against the vulnerability data (scan_vuln.h) that reports a finding per source package
 * and vulnerability the installed version is not fixed in.
 *
 * A list an agent sends is built with scan_pkg_list_add and checked with scan_pkg_check, as
 * `keepwatch scan packages` does for the packages of this host. */
#ifndef KW_SCAN_PKG_H
#define KW_SCAN_PKG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/kw_err.h"
#include "findings/finding.h"
#include "scan/scan_version.h"

/* The query format whose output scan_pkg_parse_rpm reads. */
#define SCAN_PKG_RPM_QF "%{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\t%{SOURCERPM}\\n"

#define SCAN_PKG_MAX 200000      /* packages in one list */
#define SCAN_PKG_FIELD_MAX 256   /* a name, a version, an architecture */

typedef struct scan_pkg {
    char *name;            /* the binary package ("libssl3") */
    char *version;         /* its installed version ("3.0.15-1~deb12u1") */
    char *source;          /* its source package ("openssl"; the name when none is said) */
    char *source_version;  /* the source's version (the binary's when none is said) */
    char *arch;            /* "amd64", "x86_64"; "" when not said */
} scan_pkg;

typedef struct scan_pkg_list {
    scan_pkg *v;
    size_t n, cap;
    scan_vkind kind;       /* the version order of these packages */
    const char *manager;   /* "dpkg", "rpm", "apk" */
    size_t skipped;        /* records left out as malformed (first_error says why) */
    char first_error[192]; /* "package foo: version number is empty" */
} scan_pkg_list;

/* An empty list of packages whose versions are ordered by kind (manager: "dpkg", "rpm",
 * "apk" or NULL for the kind's usual one). */
void scan_pkg_list_init(scan_pkg_list *l, scan_vkind kind, const char *manager);
/* Frees what the list holds (the struct itself is the caller's). */
void scan_pkg_list_free(scan_pkg_list *l);

/* Adds one package (source, source_version and arch may be NULL or ""). The strings are copied.
 * KW_ERR_PARSE (counted in skipped, the reason in first_error) when the name is empty or too
 * long or a version is not valid for the list's kind; KW_ERR_FULL past SCAN_PKG_MAX. */
kw_rc scan_pkg_list_add(scan_pkg_list *l, const char *name, const char *version, const char *source,
                        const char *source_version, const char *arch);

/* dpkg's status file (/var/lib/dpkg/status): every stanza whose Status says "installed"
 * ("install ok installed", "hold ok installed"); Source: "name (version)" gives the source and
 * its version. Malformed stanzas are skipped and counted. KW_OK when the buffer was read
 * (even if it held no package); KW_ERR_FULL past SCAN_PKG_MAX. */
kw_rc scan_pkg_parse_dpkg(const char *buf, size_t n, scan_pkg_list *out);

/* `rpm -qa --qf SCAN_PKG_RPM_QF` output: NAME TAB EPOCH:VERSION-RELEASE TAB SOURCERPM; the source
 * package is the source rpm's name ("openssl-3.0.7-27.el9.src.rpm" -> "openssl"). Lines that
 * do not have the three fields are skipped and counted. */
kw_rc scan_pkg_parse_rpm(const char *buf, size_t n, scan_pkg_list *out);

/* apk's installed database (/lib/apk/db/installed): stanzas of "X:value" lines, P: the name,
 * V: the version, A: the architecture, o: the origin (the source package). */
kw_rc scan_pkg_parse_apk(const char *buf, size_t n, scan_pkg_list *out);

/* What /etc/os-release says (values unquoted; "" when a key is absent). */
typedef struct scan_os {
    char id[32];           /* "debian", "ubuntu", "alpine", "rhel", "rocky", ... */
    char id_like[64];      /* "debian", "rhel fedora" */
    char version_id[32];   /* "12", "22.04", "3.19.1", "9.3" */
    char codename[32];     /* VERSION_CODENAME: "bookworm", "jammy" */
    char pretty[128];      /* PRETTY_NAME */
} scan_os;

/* Parses os-release text (KEY=value lines, values optionally in single or double quotes with
 * backslash escapes). KW_ERR_PARSE when it holds no ID. */
kw_rc scan_os_parse(const char *buf, size_t n, scan_os *out);

/* The ecosystems (the names the vulnerability data files packages under) that apply to os, most
 * specific first: for Debian 12 "debian/bookworm" (the security tracker's) and "Debian:12"
 * (OSV's); "Ubuntu:22.04"; "Alpine:v3.19"; "Rocky Linux:9", "AlmaLinux:9", "Red Hat:9".
 * release (may be NULL) overrides the codename. Writes up to max names of up to 48 bytes into
 * names; returns how many. The version order is written to *kind. */
size_t scan_os_ecosystems(const scan_os *os, const char *release, char names[][48], size_t max, scan_vkind *kind);

#endif
