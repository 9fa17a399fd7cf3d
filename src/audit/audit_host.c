/* What the host baseline's families share (audit_host_int.h): results, each source file read and
 * parsed once per run (the context's caches), the key/value rule every table row without its
 * own function is evaluated by, and the shared row functions. The run and the catalogue walk
 * are audit_host_run.c's (the families call in here, never the other way). */
#include "audit/audit_host_int.h"
#include "core/kw_mem.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

audit_res host_proto(const host_check *k)
{
    audit_res r = {0};
    r.id = k->id;
    r.category = "host_config";
    r.group = k->group;
    r.title_en = k->title_en;
    r.title_zh = k->title_zh;
    r.severity = k->sev;
    r.refs = k->refs;
    r.expected = k->expected;
    r.fix = k->fix;
    return r;
}

kw_rc host_emit(host_ctx *c, const host_check *k, audit_status s, const char *file, int line,
                const char *text, const char *found, const char *key)
{
    audit_res r = host_proto(k);
    r.status = s;
    r.file = file;
    r.line = line;
    r.text = text;
    r.found = found;
    r.key = key;
    if (s == AUDIT_PASS)
        c->st.pass++;
    else if (s == AUDIT_FAIL)
        c->st.fail++;
    else if (s == AUDIT_NA)
        c->st.na++;
    return c->emit ? c->emit(c->arg, &r) : KW_OK;
}

kw_rc host_na(host_ctx *c, const host_check *k, const char *why)
{
    return host_emit(c, k, AUDIT_NA, NULL, 0, NULL, why ? why : "absent", NULL);
}

bool host_read(host_ctx *c, const char *path, kw_buf *out)
{
    kw_buf_init(out, AUDIT_FILE_MAX);
    if (audit_root_read(c->r, path, AUDIT_FILE_MAX, out) != KW_OK) {
        kw_buf_free(out);
        kw_buf_init(out, AUDIT_FILE_MAX);
        return false;
    }
    return true;
}

/* ---- directory listings (sorted by the root) ---- */

static kw_rc dir_add(void *arg, const char *name, unsigned char d_type)
{
    (void)d_type;
    host_names *n = arg;
    if (name[0] != '.')
        host_names_add(n, name, strlen(name));
    return KW_OK;
}

void host_list(host_ctx *c, const char *dir, host_names *out)
{
    (void)audit_root_list(c->r, dir, 4096, dir_add, out, NULL);
}

static bool ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

/* ---- key/value sources ---- */

static void kv_file(host_ctx *c, const char *path, unsigned flags, host_kvset *set)
{
    kw_buf b;
    if (host_read(c, path, &b))
        host_kv_parse(b.data ? b.data : "", b.len, path, flags, set);
    kw_buf_free(&b);
}

/* A file and its drop-in directory (dir/NAME.conf in name order, read after it). */
static void kv_dropin(host_ctx *c, const char *path, const char *dir, unsigned flags, host_kvset *set)
{
    kv_file(c, path, flags, set);
    host_names n = {0};
    host_list(c, dir, &n);
    for (size_t i = 0; i < n.n; i++) {
        if (!ends_with(n.v[i], ".conf"))
            continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, n.v[i]);
        kv_file(c, p, flags, set);
    }
    host_names_free(&n);
}

/* sshd_config with its Include lines expanded in place (first value wins). */
static void ssh_load(host_ctx *c, const char *path, host_kvset *out, int depth)
{
    host_kvset t = {0};
    kv_file(c, path, HKV_STOP_MATCH, &t);
    if (t.present)
        out->present = true;
    for (size_t i = 0; i < t.n; i++) {
        host_kv *e = &t.v[i];
        if (strcasecmp(e->key, "include") != 0 || depth >= 4) {
            host_kv_add(out, e->file, e->line, e->key, strlen(e->key), e->val, strlen(e->val),
                        e->text, strlen(e->text));
            continue;
        }
        char pat[1024];
        if (e->val[0] == '/')
            snprintf(pat, sizeof pat, "%s", e->val);
        else
            snprintf(pat, sizeof pat, "/etc/ssh/%s", e->val);
        char *sl = strrchr(pat, '/');
        if (!strpbrk(sl, "*?[")) {
            ssh_load(c, pat, out, depth + 1);
            continue;
        }
        *sl = '\0';
        host_names n = {0};
        host_list(c, pat[0] ? pat : "/", &n);
        for (size_t j = 0; j < n.n; j++) {
            if (fnmatch(sl + 1, n.v[j], FNM_PERIOD) != 0)
                continue;
            char p[1300];
            snprintf(p, sizeof p, "%s/%s", pat, n.v[j]);
            ssh_load(c, p, out, depth + 1);
        }
        host_names_free(&n);
    }
    host_kv_free(&t);
}

/* The systemd-sysctl order: every *.conf of the directories by file name (a name in /etc
 * hides the same name in /run and /usr/lib), then /etc/sysctl.conf. Keys written with '/'
 * are normalised to dots. */
static void sysctl_load(host_ctx *c, host_kvset *set)
{
    static const char *const dirs[] = {"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d",
                                       "/usr/lib/sysctl.d", "/lib/sysctl.d"};
    host_names all = {0}, seen = {0};
    for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
        host_names n = {0};
        host_list(c, dirs[d], &n);
        for (size_t i = 0; i < n.n; i++) {
            if (!ends_with(n.v[i], ".conf") || host_names_has(&seen, n.v[i]))
                continue;
            host_names_add(&seen, n.v[i], strlen(n.v[i]));
            char p[1024];
            int l = snprintf(p, sizeof p, "%s/%s", dirs[d], n.v[i]);
            host_names_add(&all, p, (size_t)l);
        }
        host_names_free(&n);
    }
    /* sort by base name */
    for (size_t i = 1; i < all.n; i++)
        for (size_t j = i; j > 0 && strcmp(strrchr(all.v[j - 1], '/'), strrchr(all.v[j], '/')) > 0; j--) {
            char *t = all.v[j];
            all.v[j] = all.v[j - 1];
            all.v[j - 1] = t;
        }
    for (size_t i = 0; i < all.n; i++) {
        char tgt[256];
        if (audit_root_readlink(c->r, all.v[i], tgt, sizeof tgt) == KW_OK && strstr(tgt, "sysctl.conf"))
            continue; /* 99-sysctl.conf -> ../sysctl.conf: read once, below */
        kv_file(c, all.v[i], HKV_EQ, set);
    }
    kv_file(c, "/etc/sysctl.conf", HKV_EQ, set);
    for (size_t i = 0; i < set->n; i++)
        for (char *p = set->v[i].key; *p; p++)
            if (*p == '/')
                *p = '.';
    host_names_free(&all);
    host_names_free(&seen);
}

const host_kvset *host_src_kv(host_ctx *c, host_src s)
{
    if (s <= HS_NONE || s >= HS_N)
        return &c->kv[0];
    host_kvset *set = &c->kv[s];
    if (c->kv_loaded[s])
        return set;
    c->kv_loaded[s] = true;
    switch (s) {
    case HS_SSH:
        set->first_wins = true;
        ssh_load(c, "/etc/ssh/sshd_config", set, 0);
        break;
    case HS_LOGIN: kv_file(c, "/etc/login.defs", 0, set); break;
    case HS_SYSCTL: sysctl_load(c, set); break;
    case HS_AUDITD: kv_file(c, "/etc/audit/auditd.conf", HKV_EQ, set); break;
    case HS_JOURNALD:
        kv_dropin(c, "/etc/systemd/journald.conf", "/etc/systemd/journald.conf.d", HKV_EQ | HKV_INI, set);
        break;
    case HS_COREDUMP:
        kv_dropin(c, "/etc/systemd/coredump.conf", "/etc/systemd/coredump.conf.d", HKV_EQ | HKV_INI, set);
        break;
    case HS_PWQ:
        kv_dropin(c, "/etc/security/pwquality.conf", "/etc/security/pwquality.conf.d", HKV_EQ, set);
        break;
    case HS_UFW: kv_file(c, "/etc/ufw/ufw.conf", HKV_EQ, set); break;
    case HS_FAILLOCK: kv_file(c, "/etc/security/faillock.conf", HKV_EQ, set); break;
    case HS_TIMESYNCD:
        kv_dropin(c, "/etc/systemd/timesyncd.conf", "/etc/systemd/timesyncd.conf.d", HKV_EQ | HKV_INI, set);
        break;
    default: break;
    }
    return set;
}

/* ---- comparisons ---- */

bool host_next_word(const char **p, char *out, size_t n)
{
    if (!*p || !**p)
        return false;
    const char *e = strchr(*p, ',');
    size_t l = e ? (size_t)(e - *p) : strlen(*p);
    snprintf(out, n, "%.*s", (int)l, *p);
    *p = e ? e + 1 : *p + l;
    return true;
}

bool host_word_in(const char *list, const char *w, size_t wl)
{
    const char *p = list;
    while (*p) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        if (l == wl && strncasecmp(p, w, wl) == 0)
            return true;
        if (!c)
            break;
        p = c + 1;
    }
    return false;
}

bool host_has_word(const char *text, const char *word)
{
    size_t wl = strlen(word);
    for (const char *p = text; (p = strstr(p, word)) != NULL; p++) {
        bool l = p == text || isspace((unsigned char)p[-1]);
        bool r = p[wl] == '\0' || isspace((unsigned char)p[wl]);
        if (l && r)
            return true;
    }
    return false;
}

static bool to_int(const char *s, long long *v)
{
    char *e;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return false;
    *v = strtoll(s, &e, 10);
    while (isspace((unsigned char)*e))
        e++;
    return *e == '\0';
}

bool host_cmp_ok(host_cmp cmp, const char *want, const char *val)
{
    long long v, w, hi;
    switch (cmp) {
    case HC_EQ: return strcasecmp(val, want) == 0;
    case HC_IN: return host_word_in(want, val, strlen(val));
    case HC_LE: return to_int(val, &v) && to_int(want, &w) && v <= w;
    case HC_GE: return to_int(val, &v) && to_int(want, &w) && v >= w;
    case HC_RANGE:
        if (!to_int(val, &v) || sscanf(want, "%lld-%lld", &w, &hi) != 2)
            return false;
        return v >= w && v <= hi;
    case HC_NONE_OF: {
        const char *p = val;
        while (*p) {
            const char *c = strchr(p, ',');
            size_t l = c ? (size_t)(c - p) : strlen(p);
            if (host_word_in(want, p, l))
                return false;
            if (!c)
                break;
            p = c + 1;
        }
        return true;
    }
    case HC_SET: return val[0] != '\0';
    }
    return false;
}

kw_rc host_kv_check(host_ctx *c, const host_check *k)
{
    const host_kvset *set = host_src_kv(c, k->src);
    if (!set->present)
        return host_na(c, k, "file absent");
    const host_kv *e = host_kv_get(set, k->key);
    const char *val = e ? e->val : k->dflt;
    if (!val)
        return host_emit(c, k, AUDIT_FAIL, set->nfiles ? set->files[0] : NULL, 0, NULL, "absent", NULL);
    char found[300];
    snprintf(found, sizeof found, "%s%s", val, e ? "" : " (default)");
    audit_status s = host_cmp_ok(k->cmp, k->want, val) ? AUDIT_PASS : AUDIT_FAIL;
    return host_emit(c, k, s, e ? e->file : (set->nfiles ? set->files[0] : NULL), e ? e->line : 0,
                     e ? e->text : NULL, found, NULL);
}

/* ---- packages and units ---- */

int host_pkg(host_ctx *c, const char *names, const char **which)
{
    if (c->pkgdb < 0) {
        kw_buf b;
        kw_buf_init(&b, 64u << 20);
        if (audit_root_read(c->r, "/var/lib/dpkg/status", 64u << 20, &b) == KW_OK) {
            c->pkgdb = 1;
            host_dpkg_parse(b.data ? b.data : "", b.len, &c->pkgs);
        } else {
            struct stat st;
            c->pkgdb = audit_root_stat(c->r, "/var/lib/rpm", true, &st) == KW_OK ? 2 : 0;
        }
        kw_buf_free(&b);
    }
    if (c->pkgdb != 1)
        return -1;
    for (size_t i = 0; i < c->pkgs.n; i++)
        if (host_word_in(names, c->pkgs.v[i], strlen(c->pkgs.v[i]))) {
            if (which)
                *which = c->pkgs.v[i];
            return 1;
        }
    return 0;
}

static void units_load(host_ctx *c)
{
    if (c->units_loaded)
        return;
    c->units_loaded = true;
    host_names top = {0};
    host_list(c, "/etc/systemd/system", &top);
    for (size_t i = 0; i < top.n; i++) {
        char p[1024], tgt[256];
        snprintf(p, sizeof p, "/etc/systemd/system/%s", top.v[i]);
        if (ends_with(top.v[i], ".wants") || ends_with(top.v[i], ".requires"))
            host_list(c, p, &c->units);
        else if (audit_root_readlink(c->r, p, tgt, sizeof tgt) == KW_OK && strcmp(tgt, "/dev/null") == 0)
            host_names_add(&c->masked, top.v[i], strlen(top.v[i]));
    }
    host_names_free(&top);
}

bool host_unit_enabled(host_ctx *c, const char *names, const char **which)
{
    units_load(c);
    for (size_t i = 0; i < c->units.n; i++)
        if (host_word_in(names, c->units.v[i], strlen(c->units.v[i]))) {
            if (which)
                *which = c->units.v[i];
            return !host_names_has(&c->masked, c->units.v[i]);
        }
    return false;
}

bool host_unit_masked(host_ctx *c, const char *name)
{
    units_load(c);
    return host_names_has(&c->masked, name);
}

/* ---- accounts, mounts, line files ---- */

static void acct_file(host_ctx *c, const char *path, int kind, host_accts *out)
{
    kw_buf b;
    if (host_read(c, path, &b))
        host_acct_parse(b.data ? b.data : "", b.len, kind, out);
    kw_buf_free(&b);
}

void host_acct_load(host_ctx *c)
{
    if (c->acct_loaded)
        return;
    c->acct_loaded = true;
    acct_file(c, "/etc/passwd", 'p', &c->passwd);
    acct_file(c, "/etc/shadow", 's', &c->shadow);
    acct_file(c, "/etc/group", 'g', &c->group);
}

void host_mnt_load(host_ctx *c)
{
    if (c->mnt_loaded)
        return;
    c->mnt_loaded = true;
    kw_buf b;
    if (host_read(c, "/etc/fstab", &b))
        host_fstab_parse(b.data ? b.data : "", b.len, &c->fstab);
    kw_buf_free(&b);
    if (c->r->live && host_read(c, "/proc/self/mounts", &b))
        host_fstab_parse(b.data ? b.data : "", b.len, &c->mounts);
    kw_buf_free(&b);
}

bool host_lines_load(host_ctx *c, const char *path, host_lines *out)
{
    size_t l = strlen(path);
    bool any = false;
    kw_buf b;
    if (l && path[l - 1] != '/') {
        if (host_read(c, path, &b)) {
            host_lines_parse(b.data ? b.data : "", b.len, path, out);
            any = true;
        }
        kw_buf_free(&b);
        return any;
    }
    host_names n = {0};
    host_list(c, path, &n);
    for (size_t i = 0; i < n.n; i++) {
        if (ends_with(n.v[i], "~"))
            continue;
        char p[1024];
        snprintf(p, sizeof p, "%s%s", path, n.v[i]);
        if (host_read(c, p, &b)) {
            host_lines_parse(b.data ? b.data : "", b.len, p, out);
            any = true;
        }
        kw_buf_free(&b);
    }
    host_names_free(&n);
    return any;
}

/* ---- shared row functions ---- */

/* key: comma list of files or directories ("dir/"); want: comma list of substrings. HC_EQ:
 * a line holding one must exist (pass on it); HC_NONE_OF: no line may hold one (fail per
 * line). NA when no file exists. */
kw_rc host_fn_grep(host_ctx *c, const host_check *k)
{
    host_lines l = {0};
    char path[512];
    bool any = false;
    for (const char *p = k->key; host_next_word(&p, path, sizeof path);)
        any |= host_lines_load(c, path, &l);
    kw_rc rc = KW_OK;
    size_t hits = 0;
    for (size_t i = 0; i < l.n && rc == KW_OK; i++) {
        bool hit = false;
        char w[256];
        for (const char *p = k->want; !hit && host_next_word(&p, w, sizeof w);)
            hit = strcasestr(l.v[i].text, w) != NULL;
        if (!hit)
            continue;
        hits++;
        if (k->cmp == HC_EQ) {
            rc = host_emit(c, k, AUDIT_PASS, l.v[i].file, l.v[i].line, l.v[i].text, l.v[i].text, NULL);
            break;
        }
        rc = host_emit(c, k, AUDIT_FAIL, l.v[i].file, l.v[i].line, l.v[i].text, l.v[i].text, l.v[i].text);
    }
    if (rc == KW_OK && hits == 0) {
        if (!any && !k->dflt)
            rc = host_na(c, k, "file absent");
        else
            rc = host_emit(c, k, k->cmp == HC_EQ ? AUDIT_FAIL : AUDIT_PASS, l.nfiles ? l.files[0] : path, 0, NULL,
                           k->cmp == HC_EQ ? "absent" : "none", NULL);
    }
    host_lines_free(&l);
    return rc;
}

/* key: path; want: the widest mode allowed (octal); dflt: "root" when owner and group must be
 * root (uid 0, gid 0), "root:any" uid 0 only. NA when absent. */
kw_rc host_fn_perm(host_ctx *c, const host_check *k)
{
    struct stat st;
    if (audit_root_stat(c->r, k->key, true, &st) != KW_OK)
        return host_na(c, k, "absent");
    unsigned max = (unsigned)strtoul(k->want, NULL, 8);
    unsigned mode = st.st_mode & 07777;
    bool ok = (mode & ~max) == 0;
    if (k->dflt && st.st_uid != 0)
        ok = false;
    if (k->dflt && strcmp(k->dflt, "root") == 0 && st.st_gid != 0)
        ok = false;
    char found[96];
    snprintf(found, sizeof found, "%04o %u:%u", mode, (unsigned)st.st_uid, (unsigned)st.st_gid);
    return host_emit(c, k, ok ? AUDIT_PASS : AUDIT_FAIL, k->key, 0, NULL, found, NULL);
}
