/* The host baseline's parsers (audit_host_int.h): pure functions over a buffer, no I/O, every
 * field bounded, for key/value files, dpkg status, passwd/shadow/group, fstab and plain line
 * lists. Hostile input is cut or skipped, never fatal. */
#include "audit/audit_host_int.h"
#include "core/kw_mem.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LINE_MAX_KEEP 1024 /* a line longer than this is cut */

/* Next line of buf: [*s, *e) without the newline; returns false at the end. */
static bool next_line(const char *buf, size_t n, size_t *pos, const char **s, const char **e)
{
    if (*pos >= n)
        return false;
    const char *p = buf + *pos, *end = buf + n;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    *s = p;
    *e = nl ? nl : end;
    *pos = (size_t)((nl ? nl + 1 : end) - buf);
    return true;
}

static void trim(const char **s, const char **e)
{
    while (*s < *e && isspace((unsigned char)**s))
        (*s)++;
    while (*e > *s && isspace((unsigned char)(*e)[-1]))
        (*e)--;
}

static const char *intern(char **files, size_t *nfiles, size_t max, const char *file)
{
    if (!file)
        file = "";
    for (size_t i = 0; i < *nfiles; i++)
        if (strcmp(files[i], file) == 0)
            return files[i];
    if (*nfiles == max)
        return files[max - 1];
    files[*nfiles] = kw_strdup(file);
    return files[(*nfiles)++];
}

static void free_files(char **files, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(files[i]);
}

void host_kv_add(host_kvset *set, const char *file, int line, const char *k, size_t kl,
                   const char *v, size_t vl, const char *t, size_t tl)
{
    if (set->n >= HKV_MAX)
        return;
    kw_grow(&set->v, &set->cap, set->n + 1, sizeof *set->v);
    char *m = kw_malloc(kl + vl + tl + 3);
    memcpy(m, k, kl);
    m[kl] = '\0';
    memcpy(m + kl + 1, v, vl);
    m[kl + 1 + vl] = '\0';
    memcpy(m + kl + vl + 2, t, tl);
    m[kl + vl + 2 + tl] = '\0';
    host_kv *e = &set->v[set->n++];
    e->key = m;
    e->val = m + kl + 1;
    e->text = m + kl + vl + 2;
    e->line = line;
    e->file = intern(set->files, &set->nfiles, 64, file);
}

void host_kv_parse(const char *buf, size_t n, const char *file, unsigned flags, host_kvset *set)
{
    size_t pos = 0;
    const char *s, *e;
    int line = 0;
    set->present = true;
    while (next_line(buf, n, &pos, &s, &e)) {
        line++;
        trim(&s, &e);
        if (e - s > LINE_MAX_KEEP)
            e = s + LINE_MAX_KEEP;
        if (s == e || *s == '#' || ((flags & HKV_INI) && *s == ';'))
            continue;
        if ((flags & HKV_INI) && *s == '[')
            continue;
        const char *ts = s, *te = e;
        const char *k = s;
        while (s < e && !isspace((unsigned char)*s) && *s != '=')
            s++;
        size_t kl = (size_t)(s - k);
        if (kl == 0)
            continue;
        if ((flags & HKV_STOP_MATCH) && kl == 5 && strncasecmp(k, "match", 5) == 0)
            break;
        while (s < e && isspace((unsigned char)*s))
            s++;
        if (s < e && *s == '=') {
            s++;
            while (s < e && isspace((unsigned char)*s))
                s++;
        } else if ((flags & HKV_EQ) && s < e) {
            continue; /* "key value" without '=': not a setting (a bare "key" is a flag) */
        }
        const char *v = s, *ve = e;
        if (!(flags & HKV_STOP_MATCH)) { /* an inline comment (sshd takes '#' literally) */
            const char *h = memchr(v, '#', (size_t)(ve - v));
            if (h && h > v && isspace((unsigned char)h[-1]))
                ve = h;
            trim(&v, &ve);
        }
        if (ve - v >= 2 && *v == '"' && ve[-1] == '"') {
            v++;
            ve--;
        }
        if (*k == '-' && (flags & HKV_EQ)) { /* sysctl "-key = v": ignore failures */
            k++;
            kl--;
        }
        host_kv_add(set, file, line, k, kl, v, (size_t)(ve - v), ts, (size_t)(te - ts));
    }
}

const host_kv *host_kv_get(const host_kvset *set, const char *key)
{
    const host_kv *hit = NULL;
    for (size_t i = 0; i < set->n; i++) {
        if (strcasecmp(set->v[i].key, key) != 0)
            continue;
        if (set->first_wins)
            return &set->v[i];
        hit = &set->v[i];
    }
    return hit;
}

void host_kv_free(host_kvset *set)
{
    for (size_t i = 0; i < set->n; i++)
        free(set->v[i].key);
    free(set->v);
    free_files(set->files, set->nfiles);
    memset(set, 0, sizeof *set);
}

/* ---- names ---- */

void host_names_add(host_names *s, const char *name, size_t len)
{
    if (s->n >= 100000 || len == 0)
        return;
    kw_grow(&s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = kw_strndup(name, len);
}

bool host_names_has(const host_names *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], name) == 0)
            return true;
    return false;
}

void host_names_free(host_names *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

static bool field_is(const char *s, const char *e, const char *name, const char **val)
{
    size_t l = strlen(name);
    if ((size_t)(e - s) < l || strncasecmp(s, name, l) != 0)
        return false;
    s += l;
    while (s < e && isspace((unsigned char)*s))
        s++;
    *val = s;
    return true;
}

void host_dpkg_parse(const char *buf, size_t n, host_names *out)
{
    size_t pos = 0;
    const char *s, *e, *pkg = NULL, *pkge = NULL, *v;
    bool installed = false, more = true;
    while (more) {
        more = next_line(buf, n, &pos, &s, &e);
        const char *ts = s, *te = e;
        if (more)
            trim(&ts, &te);
        if (!more || ts == te) { /* a stanza ends */
            if (pkg && installed)
                host_names_add(out, pkg, (size_t)(pkge - pkg) > 128 ? 128 : (size_t)(pkge - pkg));
            pkg = NULL;
            installed = false;
            continue;
        }
        if (isspace((unsigned char)*s))
            continue; /* a continuation line */
        if (field_is(s, e, "Package:", &v)) {
            pkg = v;
            pkge = e;
            trim(&pkg, &pkge);
        } else if (field_is(s, e, "Status:", &v)) {
            const char *ve = e;
            trim(&v, &ve);
            installed = (size_t)(ve - v) >= 9 && memcmp(ve - 9, "installed", 9) == 0 &&
                        (size_t)(ve - v) >= 20 && memcmp(v, "install ok installed", 20) == 0;
        }
    }
}

/* ---- passwd / shadow / group ---- */

static long num_field(const char *s, size_t l)
{
    if (l == 0 || l > 12)
        return -1;
    long v = 0;
    for (size_t i = 0; i < l; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static void copy_field(char *dst, size_t dn, const char *s, size_t l)
{
    if (l >= dn)
        l = dn - 1;
    memcpy(dst, s, l);
    dst[l] = '\0';
}

void host_acct_parse(const char *buf, size_t n, int kind, host_accts *out)
{
    size_t pos = 0;
    const char *s, *e;
    int line = 0;
    out->present = true;
    while (next_line(buf, n, &pos, &s, &e)) {
        line++;
        if (s == e || *s == '#' || *s == '+' || *s == '-' || memchr(s, '\0', (size_t)(e - s)))
            continue; /* NIS compat lines, and no NUL inside a field */
        const char *f[9];
        size_t fl[9], nf = 0;
        const char *p = s;
        while (nf < 9) {
            const char *c = memchr(p, ':', (size_t)(e - p));
            f[nf] = p;
            fl[nf] = (size_t)((c ? c : e) - p);
            nf++;
            if (!c)
                break;
            p = c + 1;
        }
        if (nf < 3 || fl[0] == 0 || out->n >= 100000)
            continue;
        kw_grow(&out->v, &out->cap, out->n + 1, sizeof *out->v);
        host_acct *a = &out->v[out->n++];
        memset(a, 0, sizeof *a);
        a->line = line;
        a->id = a->gid = a->lastchg = a->maxdays = -1;
        copy_field(a->name, sizeof a->name, f[0], fl[0]);
        copy_field(a->pw, sizeof a->pw, f[1], fl[1]);
        if (kind == 'p') {
            a->id = num_field(f[2], fl[2]);
            if (nf > 3)
                a->gid = num_field(f[3], fl[3]);
            if (nf > 5)
                copy_field(a->home, sizeof a->home, f[5], fl[5]);
            if (nf > 6)
                copy_field(a->shell, sizeof a->shell, f[6], fl[6]);
        } else if (kind == 's') {
            a->lastchg = num_field(f[2], fl[2]);
            if (nf > 4)
                a->maxdays = num_field(f[4], fl[4]);
        } else {
            a->id = num_field(f[2], fl[2]);
            if (nf > 3)
                copy_field(a->shell, sizeof a->shell, f[3], fl[3]);
        }
    }
}

void host_accts_free(host_accts *a)
{
    free(a->v);
    memset(a, 0, sizeof *a);
}

/* ---- fstab ---- */

static const char *word(const char **p, const char *e, size_t *l)
{
    while (*p < e && isspace((unsigned char)**p))
        (*p)++;
    const char *w = *p;
    while (*p < e && !isspace((unsigned char)**p))
        (*p)++;
    *l = (size_t)(*p - w);
    return w;
}

void host_fstab_parse(const char *buf, size_t n, host_mnts *out)
{
    size_t pos = 0;
    const char *s, *e;
    int line = 0;
    out->present = true;
    while (next_line(buf, n, &pos, &s, &e)) {
        line++;
        trim(&s, &e);
        if (s == e || *s == '#' || out->n >= 10000 || memchr(s, '\0', (size_t)(e - s)))
            continue;
        size_t l[4];
        const char *w[4];
        for (int i = 0; i < 4; i++)
            w[i] = word(&s, e, &l[i]);
        if (l[1] == 0 || l[2] == 0)
            continue;
        kw_grow(&out->v, &out->cap, out->n + 1, sizeof *out->v);
        host_mnt *m = &out->v[out->n++];
        copy_field(m->dev, sizeof m->dev, w[0], l[0]);
        copy_field(m->dir, sizeof m->dir, w[1], l[1]);
        copy_field(m->type, sizeof m->type, w[2], l[2]);
        copy_field(m->opts, sizeof m->opts, w[3], l[3]);
        m->line = line;
    }
}

void host_mnts_free(host_mnts *m)
{
    free(m->v);
    memset(m, 0, sizeof *m);
}

/* ---- lines ---- */

static void line_add(host_lines *out, const char *file, int line, const char *s, size_t l)
{
    if (out->n >= 50000)
        return;
    kw_grow(&out->v, &out->cap, out->n + 1, sizeof *out->v);
    host_line *h = &out->v[out->n++];
    h->text = kw_strndup(s, l > LINE_MAX_KEEP ? LINE_MAX_KEEP : l);
    h->line = line;
    h->file = intern(out->files, &out->nfiles, 256, file);
}

void host_lines_parse(const char *buf, size_t n, const char *file, host_lines *out)
{
    size_t pos = 0;
    const char *s, *e;
    int line = 0;
    out->present = true;
    kw_buf joined;
    kw_buf_init(&joined, 4 * LINE_MAX_KEEP);
    int first = 0;
    while (next_line(buf, n, &pos, &s, &e)) {
        line++;
        trim(&s, &e);
        bool cont = e > s && e[-1] == '\\';
        if (joined.len == 0)
            first = line;
        if (joined.len == 0 && (s == e || *s == '#') && !cont)
            continue;
        (void)kw_buf_append(&joined, s, (size_t)(e - s) - (cont ? 1 : 0));
        if (cont) {
            (void)kw_buf_putc(&joined, ' ');
            continue;
        }
        if (joined.len && joined.data[0] != '#')
            line_add(out, file, first, joined.data, joined.len);
        kw_buf_reset(&joined);
    }
    if (joined.len && joined.data[0] != '#')
        line_add(out, file, first, joined.data, joined.len);
    kw_buf_free(&joined);
}

void host_lines_free(host_lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].text);
    free(l->v);
    free_files(l->files, l->nfiles);
    memset(l, 0, sizeof *l);
}
