/* Internal to the host baseline (audit_host*.c): the check row, the per-run context with its
 * caches (each file parsed once per run), the pure parsers the fuzz target drives, and the
 * helpers the family files share. */
#ifndef KW_AUDIT_HOST_INT_H
#define KW_AUDIT_HOST_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit_host.h"
#include "core/kw_buf.h"

/* ---- key/value files (sshd_config, login.defs, sysctl.conf, auditd.conf, ini files) ---- */

#define HKV_EQ 1u          /* "key = value" (else "key value"; sshd also takes "key=value") */
#define HKV_STOP_MATCH 2u  /* stop at the first "Match" line (sshd: global settings only) */
#define HKV_INI 4u         /* skip "[section]" lines (journald.conf, coredump.conf) */
#define HKV_MAX 20000      /* entries kept per set */

typedef struct host_kv {
    char *key, *val, *text; /* one allocation: key (as written), value, the trimmed line */
    const char *file;       /* interned in the set */
    int line;
} host_kv;

typedef struct host_kvset {
    host_kv *v;
    size_t n, cap;
    char *files[64];        /* file names the entries point at */
    size_t nfiles;
    bool present;           /* at least one file was read */
    bool first_wins;        /* sshd semantics; else the last setting wins */
} host_kvset;

/* Parses buf[n] (pure: no I/O), appending entries from file to set. Never fails on content. */
void host_kv_parse(const char *buf, size_t n, const char *file, unsigned flags, host_kvset *set);
/* Appends one entry (copies every string). */
void host_kv_add(host_kvset *set, const char *file, int line, const char *k, size_t kl,
                 const char *v, size_t vl, const char *t, size_t tl);
/* The effective entry for key (case-insensitive), NULL when unset. */
const host_kv *host_kv_get(const host_kvset *set, const char *key);
void host_kv_free(host_kvset *set);

/* ---- packages: dpkg status ---- */
typedef struct host_names {
    char **v;
    size_t n, cap;
} host_names;
/* Adds the names of installed packages in a dpkg status buffer (pure). */
void host_dpkg_parse(const char *buf, size_t n, host_names *out);
bool host_names_has(const host_names *s, const char *name);
void host_names_add(host_names *s, const char *name, size_t len);
void host_names_free(host_names *s);

/* ---- accounts: passwd, shadow, group ---- */
typedef struct host_acct {
    char name[64];
    char pw[160];     /* passwd: field 2; shadow: the hash */
    char shell[128];  /* passwd: shell; group: member list (cut) */
    char home[160];
    long id, gid;     /* uid (passwd) / gid (group) ; -1 unparsed */
    long lastchg, maxdays; /* shadow: days; -1 empty */
    int line;
} host_acct;
typedef struct host_accts {
    host_acct *v;
    size_t n, cap;
    bool present;
} host_accts;
/* kind: 'p' passwd, 's' shadow, 'g' group (pure). */
void host_acct_parse(const char *buf, size_t n, int kind, host_accts *out);
void host_accts_free(host_accts *a);

/* ---- fstab / mounts ---- */
typedef struct host_mnt {
    char dev[128], dir[128], type[32], opts[256];
    int line;
} host_mnt;
typedef struct host_mnts {
    host_mnt *v;
    size_t n, cap;
    bool present;
} host_mnts;
void host_fstab_parse(const char *buf, size_t n, host_mnts *out);
void host_mnts_free(host_mnts *m);

/* ---- lines of a file (pam, sudoers, audit rules, modprobe.d, limits.conf) ---- */
typedef struct host_line {
    char *text;       /* trimmed, comments kept out */
    const char *file;
    int line;
} host_line;
typedef struct host_lines {
    host_line *v;
    size_t n, cap;
    char *files[256];
    size_t nfiles;
    bool present;
} host_lines;
/* Splits buf into non-empty, non-comment trimmed lines (pure); '\'-continued lines joined. */
void host_lines_parse(const char *buf, size_t n, const char *file, host_lines *out);
void host_lines_free(host_lines *l);

/* ---- the run ---- */

/* Cached sources, each loaded once per run on first use. */
typedef enum host_src {
    HS_NONE = 0, HS_SSH, HS_LOGIN, HS_SYSCTL, HS_AUDITD, HS_JOURNALD, HS_COREDUMP, HS_PWQ,
    HS_UFW, HS_FAILLOCK, HS_TIMESYNCD, HS_N
} host_src;

typedef enum host_cmp {
    HC_EQ,     /* value equals want (case-insensitive) */
    HC_IN,     /* value is one of want's comma-separated words */
    HC_LE,     /* integer <= want */
    HC_GE,     /* integer >= want */
    HC_RANGE,  /* integer in "lo-hi" */
    HC_NONE_OF,/* none of want's comma words appears in the value's comma list */
    HC_SET,    /* any value set */
} host_cmp;

struct host_ctx;
typedef struct host_check host_check;
typedef kw_rc (*host_fn)(struct host_ctx *c, const host_check *k);

struct host_check {
    const char *id, *group, *title_en, *title_zh;
    finding_sev sev;
    audit_refs refs;
    host_src src;       /* for table rows evaluated by the engine (fn NULL) */
    const char *key;    /* setting name / path / package list: the row's parameter */
    host_cmp cmp;
    const char *want;   /* comparison operand */
    const char *dflt;   /* value when unset (a program default); NULL: unset fails */
    const char *expected;
    const char *fix;
    host_fn fn;         /* custom evaluation (NULL: the engine's key/value rule) */
    unsigned flags;     /* HK_* */
};
#define HK_SERVER 1u    /* only in the server profile */

typedef struct host_family {
    const host_check *rows;
    size_t n;
} host_family;

typedef struct host_ctx {
    const audit_root *r;
    audit_emit emit;
    void *arg;
    audit_host_stats st;
    int64_t now_ms;
    bool server;
    host_kvset kv[HS_N];
    bool kv_loaded[HS_N];
    host_names pkgs, units, masked;
    int pkgdb;               /* -1 not loaded, 0 none, 1 dpkg, 2 rpm (names unknown) */
    bool units_loaded;
    host_accts passwd, shadow, group;
    bool acct_loaded;
    host_mnts fstab, mounts;
    bool mnt_loaded;
    /* the file-system walk (audit_host_perm.c): "path mode uid gid" per hit */
    host_names ww_files, ww_dirs, suid, sgid, unowned;
    size_t walked_n;
    bool walked, walk_cut;
} host_ctx;

/* Results. found/text/file/key may be NULL. */
kw_rc host_emit(host_ctx *c, const host_check *k, audit_status s, const char *file, int line,
                const char *text, const char *found, const char *key);
/* NA with found "absent" and the file named. */
kw_rc host_na(host_ctx *c, const host_check *k, const char *why);

/* Sources (loaded on first use). */
const host_kvset *host_src_kv(host_ctx *c, host_src s);
/* The engine's row evaluation, also callable from a custom fn with another value. */
bool host_cmp_ok(host_cmp cmp, const char *want, const char *val);
kw_rc host_kv_check(host_ctx *c, const host_check *k);
/* Packages: 1 installed, 0 not, -1 unknown (no dpkg database). names: comma list. */
int host_pkg(host_ctx *c, const char *names, const char **which);
/* Units: enabled (a *.wants symlink) / masked (-> /dev/null). names: comma list. */
bool host_unit_enabled(host_ctx *c, const char *names, const char **which);
bool host_unit_masked(host_ctx *c, const char *name);
void host_acct_load(host_ctx *c);
void host_mnt_load(host_ctx *c);
/* Reads the lines of path, or of every *.conf-ish file in a directory (when path ends in '/'),
 * appending to out. false when nothing was read. */
bool host_lines_load(host_ctx *c, const char *path, host_lines *out);
/* The names in directory dir (name order, bounded, no dot files); nothing when absent. */
void host_list(struct host_ctx *c, const char *dir, host_names *out);
/* Small string helpers. host_next_word: the next word of comma list *p copied into out
 * (cut at n), *p moved past it; false at the end. */
bool host_next_word(const char **p, char *out, size_t n);
bool host_word_in(const char *list, const char *w, size_t wl); /* w in comma list, nocase */
bool host_has_word(const char *text, const char *word);        /* whitespace-separated token */
/* The whole file, bounded; NULL-safe kw_buf; false when absent. */
bool host_read(host_ctx *c, const char *path, kw_buf *out);

/* Shared row functions: host_fn_grep (key: files, want: substrings; HC_EQ must appear,
 * HC_NONE_OF must not; dflt non-NULL: an absent file is judged like an empty one) and
 * host_fn_perm (key: path, want: widest octal mode, dflt: "root" owner+group / "root:any"). */
kw_rc host_fn_grep(struct host_ctx *c, const host_check *k);
kw_rc host_fn_perm(struct host_ctx *c, const host_check *k);

/* The families (one table each). */
/* A row's result with nothing found yet: id, titles, refs, severity, expected, fix. */
audit_res host_proto(const host_check *k);

extern const host_family host_fam_ssh, host_fam_login, host_fam_pam, host_fam_acct,
    host_fam_sudo, host_fam_perm, host_fam_sysctl, host_fam_svc, host_fam_fw, host_fam_log,
    host_fam_time, host_fam_core, host_fam_mount, host_fam_boot, host_fam_misc;

#endif
