/* Threat intelligence: indicator lists (IPv4/IPv6 addresses, CIDR prefixes, domain names)
 * read from plain-line, CSV and STIX 2.1 files, compiled into immutable hash tables that
 * answer "which lists hold this address / this name" in a bounded number of probes.
 *
 * Three layers:
 *  - intel_entries + intel_parse (intel_load.c): one file's indicators, parsed from a buffer
 *    with no I/O; intel_load_file reads a file and parses it.
 *  - intel_set (intel_set.c): the compiled, read-only tables of up to INTEL_MAX_LISTS lists.
 *    A lookup returns a bitmask: bit i set means list i matched.
 *  - intel (intel_set.c): the live holder the sensors share. It owns the current generation
 *    and reloads changed files in the caller's thread (intel_watch).
 *
 * Generations, and why readers never wait:
 *  The holder keeps an atomic pointer to the current intel_set. Each set carries an atomic
 *  reference count; the holder owns one reference. intel_acquire announces itself in the
 *  holder's `entering` counter, loads the pointer, takes a reference, and leaves `entering`.
 *  A reload builds the new set completely, swaps the pointer (atomic exchange), waits until
 *  `entering` has been seen at zero once (every reader that could have loaded the old pointer
 *  has taken its reference by then; this is the writer's wait, a few nanoseconds in
 *  practice) and drops the holder's reference. The last intel_release frees the old set, in
 *  whichever thread drops it. Lookups on an acquired set take no lock and write nothing.
 *  The packet and log paths should acquire once per batch (a burst of packets, a read of
 *  lines) and release after it, not once per lookup: four atomic operations on one shared
 *  cache line per lookup would bounce it between cores. */
#ifndef INTEL_H
#define INTEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kw_err.h"

#define INTEL_MAX_LISTS 64
#define INTEL_MAX_DOMAIN 253        /* a DNS name, without the trailing dot */
#define INTEL_MAX_LINE 4096         /* longer lines (plain, CSV) are skipped and reported */
#define INTEL_MAX_FILE ((size_t)512 << 20) /* a larger file is refused as unreadable */
#define INTEL_MAX_ENTRIES 50000000u /* per list; more are skipped as "list full" */
#define INTEL_MAX_SKIPS 8           /* skipped lines remembered (with file:line) per file */

typedef enum { INTEL_FMT_AUTO, INTEL_FMT_PLAIN, INTEL_FMT_CSV, INTEL_FMT_STIX } intel_format;
/* "auto", "plain", "csv", "stix" */
const char *intel_format_name(int fmt);

/* One file's indicators, as parsed. Addresses are in network byte order. */
typedef struct intel_v4 { uint32_t addr; uint8_t plen; } intel_v4;
typedef struct intel_v6 { uint8_t addr[16]; uint8_t plen; } intel_v6;
typedef struct intel_entries {
    intel_v4 *v4; size_t n_v4, cap_v4;
    intel_v6 *v6; size_t n_v6, cap_v6;
    char *names; size_t names_len, names_cap; /* domains: one length byte, then the name */
    size_t n_domains;
} intel_entries;

void intel_entries_free(intel_entries *e);

/* What reading a file found. `skips` keeps the first INTEL_MAX_SKIPS skipped lines. */
typedef struct intel_skip {
    size_t line;                    /* 1-based line, or the object's index when `object` */
    bool object;                    /* STIX: line counts the bundle's objects */
    char reason[96];
    char text[72];                  /* the start of the line (printable bytes only) */
} intel_skip;

typedef struct intel_report {
    int format;                     /* the format used (after auto-detection) */
    uint64_t v4, v6, cidr4, cidr6, domains; /* indicators taken */
    uint64_t skipped;               /* lines or objects that could not be read: bad input */
    uint64_t ignored;               /* well-formed rows of other kinds (hashes, e-mail, non-STIX patterns) */
    uint64_t revoked, expired;      /* STIX indicators revoked or past valid_until */
    intel_skip skips[INTEL_MAX_SKIPS];
    size_t n_skips;
} intel_report;

/* Parses `len` bytes of `data` in format `fmt` (INTEL_FMT_AUTO: detected from the content)
 * into `out` (appended to; the caller frees it with intel_entries_free). STIX validity is
 * judged against now_ms. Bad lines are counted in `rep`, never fatal: always KW_OK. */
kw_rc intel_parse(const char *data, size_t len, int fmt, int64_t now_ms, intel_entries *out, intel_report *rep);

/* Reads the file at `path` (at most INTEL_MAX_FILE bytes) and parses it as intel_parse does
 * (auto-detection also looks at the extension: .csv, .json). KW_ERR_IO (errno set) or
 * KW_ERR_RANGE (too large) when the file cannot be read; *out is then left untouched. */
kw_rc intel_load_file(const char *path, int fmt, int64_t now_ms, intel_entries *out, intel_report *rep);

/* Adds one indicator written as text (an address, a prefix, [v6]:port, v4:port, a domain, a
 * URL whose host is taken) to `e`. KW_ERR_PARSE with a reason in why[whyn] when it is none of
 * these. For the parsers and for the CLI's lookup values. */
kw_rc intel_entries_add_text(intel_entries *e, const char *s, size_t len, char *why, size_t whyn);

/* ---- compiled sets ---- */

typedef struct intel_set intel_set;

typedef struct intel_list {
    const char *name;               /* copied by intel_set_build */
    int severity;                   /* kw_severity */
    const intel_entries *entries;   /* read during intel_set_build only */
} intel_list;

/* Compiles up to INTEL_MAX_LISTS lists into one immutable set (reference count 1). Returns
 * the set; the caller drops it with intel_release. KW_ERR_RANGE when n is too large. */
kw_rc intel_set_build(const intel_list *lists, size_t n, intel_set **out);

/* Bitmask of the lists holding `bytes` (4 bytes, or 16 when v6) exactly or in a prefix;
 * 0 when none. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is looked up as IPv4. */
uint64_t intel_set_lookup_ip(const intel_set *s, const uint8_t *bytes, bool v6);
/* Bitmask of the lists holding `name` or one of its parent domains (a.b.evil.example is
 * matched by evil.example). Case and a trailing dot are ignored; 0 for a malformed name. */
uint64_t intel_set_lookup_domain(const intel_set *s, const char *name, size_t len);
size_t intel_set_lists(const intel_set *s);
/* The name of list i (valid while the set is held), or NULL past the end. */
const char *intel_set_list_name(const intel_set *s, size_t i);
int intel_set_list_severity(const intel_set *s, size_t i);
/* The number of indicators of each kind in the set (after duplicates are merged). */
typedef struct intel_set_stats { uint64_t v4, v6, cidr4, cidr6, domains; size_t bytes; } intel_set_stats;
void intel_set_stats_get(const intel_set *s, intel_set_stats *st);

/* Takes another reference on s (it stays valid until the matching intel_release). */
const intel_set *intel_set_ref(const intel_set *s);
/* Drops a reference; the last one frees the set. NULL is ignored. */
void intel_release(const intel_set *s);

/* ---- the live holder ---- */


typedef struct intel intel;

typedef struct intel_file_spec {
    const char *path;
    const char *name;               /* NULL: the file's base name without its extension */
    int format;                     /* intel_format */
    int severity;                   /* kw_severity; 0: medium */
} intel_file_spec;

/* A holder for the files in specs (copied), with an empty set until the first intel_watch.
 * Returns the holder; the caller frees it with intel_free. KW_ERR_RANGE with more than
 * INTEL_MAX_LISTS files. */
kw_rc intel_new(const intel_file_spec *specs, size_t n, intel **out);
/* Frees the holder and drops its reference on the current set (readers keep theirs). */
void intel_free(intel *h);

/* Replaces the files (from the thread that calls intel_watch, never at the same time as
 * it): a file with the same path and format keeps what was read (under its new name and
 * severity); the next intel_watch reads the new ones and publishes a generation even if no
 * file changed. KW_ERR_RANGE with more than INTEL_MAX_LISTS files. */
kw_rc intel_reconfigure(intel *h, const intel_file_spec *specs, size_t n);

/* What one intel_watch did. */
typedef struct intel_watch_result {
    size_t changed;                 /* files re-read (changed, or first seen) */
    size_t failed;                  /* files that could not be read: their previous entries stay */
    bool swapped;                   /* a new generation was published */
} intel_watch_result;
/* Called every few seconds from a background thread (one at a time): stat()s each file
 * (mtime, size, inode) and re-reads those that changed, then builds and publishes a new
 * generation. A file that cannot be read keeps its previous entries (and is retried next
 * time). Reports of the files re-read go to `on_report` when non-NULL. */
typedef void (*intel_report_fn)(void *arg, const char *path, kw_rc rc, const intel_report *rep);
void intel_watch(intel *h, int64_t now_ms, intel_report_fn on_report, void *arg, intel_watch_result *res);

/* The current generation with a reference taken: never NULL; the caller drops it with
 * intel_release. Lock-free for readers. */
const intel_set *intel_acquire(intel *h);
/* Number of generations published so far (tests, metrics). */
uint64_t intel_generation(const intel *h);

/* intel_conf.c: a holder for the configuration's intel.files (paths as written, relative to
 * the working directory). Returns the holder; the caller frees it with intel_free. The files
 * are read by the first intel_watch; call it every intel.reload_interval. */
struct conf;
kw_rc intel_from_conf(const struct conf *c, intel **out);
/* intel_reconfigure with the configuration's intel.files (a reload whose intel section changed). */
kw_rc intel_reconfigure_conf(intel *h, const struct conf *c);

/* intel_module.c: the daemon's module, and the lists it shares with the captures and the log
 * sensor: read now from c's intel.files if they are not yet (NULL when c names none or they
 * cannot be set up). The holder stays the module's; it is freed after every sensor stopped. */
struct kw_core;
struct kw_module;
extern const struct kw_module intel_module;
intel *intel_module_share(struct kw_core *core, const struct conf *c);

#endif
