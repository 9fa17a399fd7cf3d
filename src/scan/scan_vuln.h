/* OS package vulnerability data: the records the parsers of the Debian security tracker's JSON
 * export, debsecan's feed and OSV files produce, the compact index `keepwatch vuln update` and
 * `vuln import` compile them into once (var/vuln/vuln.idx), and the reader `scan packages`
 * maps and searches (a sorted array of fixed-size records and a string table: a lookup is a
 * binary search, and only the pages it touches are read, so a scan stays far under 64 MB
 * whatever the size of the data).
 *
 * Parsers do no I/O: they are fed bytes and call back with one record per (ecosystem, source
 * package, vulnerability, affected range). Everything they read is hostile: lengths are bounded
 * and malformed entries are skipped and counted. */
#ifndef KW_SCAN_VULN_H
#define KW_SCAN_VULN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kw_buf.h"
#include "core/kw_err.h"
#include "findings/finding.h"
#include "scan/scan_pkg.h"
#include "scan/scan_version.h"

#define SCAN_VULN_STR_MAX 1024     /* a name, id or version; longer ones make the entry skipped */
#define SCAN_VULN_DESC_MAX 4096    /* a description is cut there */

typedef enum scan_vstatus {
    SCAN_VS_FIXED = 0,      /* affected from `introduced` (NULL: always) until `fixed` */
    SCAN_VS_OPEN = 1,       /* affected from `introduced`, no fix yet */
    SCAN_VS_LAST = 2,       /* affected from `introduced` up to and including `fixed` (OSV last_affected) */
    SCAN_VS_LISTED = 3,     /* affected in exactly the versions of `list` (OSV versions[]) */
} scan_vstatus;

#define SCAN_VF_BINARY 0x01       /* `pkg` names a binary package, not a source (debsecan's 'B') */
#define SCAN_VF_UNIMPORTANT 0x02  /* the tracker rates it unimportant (no security impact here) */
#define SCAN_VF_REMOTE 0x04       /* remotely exploitable, as the data says */
#define SCAN_VF_EOL 0x08          /* the package is out of security support in the release */

typedef struct scan_vuln_rec {
    const char *eco;          /* "debian/bookworm", "Debian:12", "Ubuntu:22.04", "Alpine:v3.19" */
    const char *pkg;          /* the source package */
    const char *id;           /* "CVE-2024-6387" */
    const char *introduced;   /* NULL: from the first version */
    const char *fixed;        /* the first fixed version (the last affected for SCAN_VS_LAST) */
    const char *list;         /* space-separated versions: affected (LISTED) or not affected
                                 despite the range (debsecan's other suites' fixes) */
    const char *desc;         /* may be NULL */
    const char *vector;       /* a CVSS vector the data gives, or NULL */
    finding_sev sev;          /* as the data rates it */
    double score;             /* CVSS base score, < 0 when none */
    scan_vstatus status;
    unsigned flags;           /* SCAN_VF_* */
} scan_vuln_rec;

typedef kw_rc (*scan_vuln_rec_fn)(void *ctx, const scan_vuln_rec *r);

/* What a parser read: records made and entries skipped, with the first reason. */
typedef struct scan_vuln_stats {
    size_t records, skipped, packages, vulns;
    char first_error[160];
} scan_vuln_stats;

/* ---- the Debian security tracker's JSON export ---------------------------------------- */

/* A streaming reader of https://security-tracker.debian.org/tracker/data/json:
 * {source-package: {CVE: {description, scope, releases: {release: {status, fixed_version,
 * urgency, repositories}}}}}; records get eco "debian/RELEASE". resolved with fixed_version "0"
 * (never affected) gives no record. It keeps one CVE in memory at a time. */
typedef struct scan_vuln_tracker scan_vuln_tracker;

/* A reader that calls fn(ctx, rec) per record; freed with scan_vuln_tracker_free. */
scan_vuln_tracker *scan_vuln_tracker_new(scan_vuln_rec_fn fn, void *ctx);
/* Feeds n more bytes. KW_ERR_PARSE when it is not JSON of that shape (err says where), or
 * the error fn returned. */
kw_rc scan_vuln_tracker_feed(scan_vuln_tracker *t, const char *p, size_t n, char *err, size_t errn);
/* The end of the input: KW_ERR_PARSE when the document is incomplete. */
kw_rc scan_vuln_tracker_finish(scan_vuln_tracker *t, char *err, size_t errn);
/* What the reader has read so far; owned by t. */
const scan_vuln_stats *scan_vuln_tracker_stats(const scan_vuln_tracker *t);
/* Frees t (NULL: nothing). */
void scan_vuln_tracker_free(scan_vuln_tracker *t);

/* ---- debsecan's feed ---------------------------------------------------------------- */

/* debsecan's per-suite feed (…/tracker/debsecan/release/1/SUITE): zlib-compressed (inflated
 * here when buf starts with a zlib header, up to 512 MiB) text of "VERSION 1", the
 * vulnerability lines NAME,FLAGS,DESCRIPTION, a blank line, the package lines
 * PACKAGE,VULN-INDEX,FLAGS,FIXED-VERSION,OTHER-FIXED-VERSIONS (flags: B/S binary or source,
 * urgency ' '/L/M/H, remote ?/R/' ', F fix available), a blank line, SOURCE,BINARIES lines.
 * Records get eco "debian/RELEASE". KW_ERR_PARSE (err says why) when it is not that format. */
kw_rc scan_vuln_parse_debsecan(const char *buf, size_t n, const char *release, scan_vuln_rec_fn fn, void *ctx,
                               scan_vuln_stats *st, char *err, size_t errn);

/* ---- OSV ----------------------------------------------------------------------------- */

/* One OSV vulnerability (https://ossf.github.io/osv-schema/) as JSON: a record per
 * affected[] entry of an OS ecosystem (Debian, Ubuntu, Alpine, Rocky Linux, AlmaLinux, Red Hat,
 * SUSE, openSUSE) and ECOSYSTEM range (introduced/fixed/last_affected event pairs), or its
 * versions[] when it has no range. The id is the CVE the OSV id carries (UBUNTU-CVE-…) or an
 * alias, else the OSV id. Severity: an Ubuntu priority, ecosystem_specific urgency or
 * database_specific severity word; a CVSS vector is passed on. */
kw_rc scan_vuln_parse_osv(const char *buf, size_t n, scan_vuln_rec_fn fn, void *ctx, scan_vuln_stats *st,
                          char *err, size_t errn);

#define SCAN_VULN_ZIP_MEMBER_MAX ((size_t)16 << 20)   /* one OSV record */
#define SCAN_VULN_ZIP_TOTAL_MAX ((size_t)4 << 30)     /* one archive, inflated */

/* An osv.dev archive (a zip of OSV JSON records, as .../ECOSYSTEM/all.zip) in buf[n] (a mapped
 * file, which must stay mapped for the call): each *.json member through scan_vuln_parse_osv.
 * Malformed or oversized members are skipped and counted in st; *files says how many were
 * read. KW_ERR_PARSE (err says why) when it is not a zip archive, KW_ERR_FULL past
 * SCAN_VULN_ZIP_TOTAL_MAX, or the error fn returned. */
kw_rc scan_vuln_parse_osv_zip(const void *buf, size_t n, scan_vuln_rec_fn fn, void *ctx, scan_vuln_stats *st,
                              size_t *files, char *err, size_t errn);

/* ---- the index ----------------------------------------------------------------------- */

typedef struct scan_vuln_builder scan_vuln_builder;

/* An empty index under construction; scan_vuln_builder_free frees it (NULL: nothing). */
scan_vuln_builder *scan_vuln_builder_new(void);
void scan_vuln_builder_free(scan_vuln_builder *b);
/* Adds a record (strings copied, shared when equal): a scan_vuln_rec_fn with b as ctx. A
 * record whose introduced or fixed version its ecosystem's order does not accept ("<unfixed>",
 * "1.0 beta") is left out and counted (scan_vuln_builder_invalid), so it never compares. */
kw_rc scan_vuln_builder_add(void *b, const scan_vuln_rec *r);
/* How many records were left out for a malformed version; *why: the first one's reason (owned
 * by b). */
size_t scan_vuln_builder_invalid(const scan_vuln_builder *b, const char **why);
/* The version order of an ecosystem: dpkg's for debian/…, Debian:, Ubuntu:; apk's for
 * Alpine:; rpm's for the others. */
scan_vkind scan_vuln_eco_kind(const char *eco);
/* Notes a source the index was built from: name ("tracker", "debsecan", "osv"), where from (a
 * URL or a path), when (ms), how many records. */
void scan_vuln_builder_source(scan_vuln_builder *b, const char *name, const char *from, int64_t when_ms,
                              size_t records);
/* How many records b holds. */
size_t scan_vuln_builder_records(const scan_vuln_builder *b);
/* Serialises the index (records sorted by ecosystem, package, id) into out (cleared first). */
kw_rc scan_vuln_builder_write(scan_vuln_builder *b, kw_buf *out);

typedef struct scan_vuln_db {
    const uint8_t *base;
    size_t size;
    uint32_t n_recs, n_sources, strtab_len, n_keys, keytext_len;
    const uint8_t *recs, *sources, *keys;
    const char *strtab, *keytext;
    void *map;            /* scan_vuln_db_open's mapping, NULL for a buffer */
} scan_vuln_db;

/* Reads an index from buf[n] (which must outlive db). KW_ERR_PARSE when it is not one
 * (bad magic, a size that does not add up); every offset is checked when it is used. */
kw_rc scan_vuln_db_from_buffer(const void *buf, size_t n, scan_vuln_db *db);
/* Maps the index file at path read-only; scan_vuln_db_close unmaps it. KW_ERR_NOTFOUND when
 * there is none (nothing was imported), KW_ERR_IO, KW_ERR_PARSE. */
kw_rc scan_vuln_db_open(const char *path, scan_vuln_db *db);
/* Unmaps what scan_vuln_db_open mapped (a db from a buffer: forgets it); db may be closed twice. */
void scan_vuln_db_close(scan_vuln_db *db);

/* Record i of the index, its strings pointing into the index (valid while it is open). */
void scan_vuln_db_get(const scan_vuln_db *db, uint32_t i, scan_vuln_rec *out);
/* The first record of (eco, pkg) and how many there are (0: none; a damaged key: none). */
uint32_t scan_vuln_db_find(const scan_vuln_db *db, const char *eco, const char *pkg, uint32_t *first);
/* Source i: its name, where from, when, how many records. false past the last. */
bool scan_vuln_db_source(const scan_vuln_db *db, uint32_t i, const char **name, const char **from,
                         int64_t *when_ms, uint32_t *records);

/* ---- checking installed packages ----------------------------------------------------- */

typedef struct scan_pkg_opts {
    const char *host;          /* host.name of the findings */
    const char *ip;            /* host.ip, may be NULL */
    const char *const *ecos;   /* the ecosystems to look in, most specific first (scan_os_ecosystems) */
    size_t n_ecos;
    bool unimportant;          /* also report what the tracker rates unimportant */
    int64_t seen_ms;           /* 0: now */
} scan_pkg_opts;

typedef struct scan_pkg_result {
    size_t packages;           /* installed packages looked at */
    size_t sources;            /* distinct source packages */
    size_t findings;           /* emitted */
    size_t no_fix;             /* of which have no fix yet */
} scan_pkg_result;

/* True when the installed version v (ordered by kind) is affected by r. */
bool scan_vuln_affects(const scan_vuln_rec *r, scan_vkind kind, const char *v);

/* Checks the packages of list against db: one finding per (source package, vulnerability)
 * the installed source version is affected by, and one finding_cover for the host (scanner
 * "keepwatch-packages"). A vulnerability found in several ecosystems is reported once, from
 * the first that has it. The call the merger makes with a package list an agent sent. */
kw_rc scan_pkg_check(const scan_vuln_db *db, const scan_pkg_list *list, const scan_pkg_opts *opts,
                     const finding_sink *sink, scan_pkg_result *res);

/* A product and version a network banner named ("OpenSSH" "9.2p1", Debian revision
 * "2+deb12u3"; "nginx" "1.22.1"; "Redis" "7.0.15"), matched against db through a small table
 * of product -> source packages: one finding per vulnerability fixed after that version in the
 * ecosystems of opts (version_based set; the port and service fields of tmpl are copied into
 * each). revision (may be NULL) is the distribution's revision the banner gave; without it the
 * upstream version alone is compared, so a backported fix is not seen. KW_ERR_NOTFOUND when
 * the product is not in the table. */
kw_rc scan_vuln_match_product(const scan_vuln_db *db, const scan_pkg_opts *opts, const char *product,
                              const char *version, const char *revision, const finding *tmpl,
                              const finding_sink *sink, size_t *found);

#endif
