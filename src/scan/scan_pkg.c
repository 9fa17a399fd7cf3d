/* Installed OS packages (scan_pkg.h): the list, and the parsers of dpkg's status file, rpm's
 * query output, apk's installed database and os-release. Every record is read from a bounded
 * slice of the buffer; nothing here reads a file. */
#include "scan/scan_pkg.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/kw_mem.h"

void scan_pkg_list_init(scan_pkg_list *l, scan_vkind kind, const char *manager)
{
    static const char *const usual[] = {"dpkg", "rpm", "apk"};
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->manager = manager ? manager : usual[(unsigned)kind < 3 ? kind : 0];
}

void scan_pkg_list_free(scan_pkg_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].name);
        free(l->v[i].version);
        free(l->v[i].source);
        free(l->v[i].source_version);
        free(l->v[i].arch);
    }
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static kw_rc pkg_skip(scan_pkg_list *l, const char *name, const char *why)
{
    if (l->skipped++ == 0)
        snprintf(l->first_error, sizeof l->first_error, "package %.64s: %.80s", name && *name ? name : "(no name)",
                 why);
    return KW_ERR_PARSE;
}

static bool pkg_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > SCAN_PKG_FIELD_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
            return false;
    return true;
}

kw_rc scan_pkg_list_add(scan_pkg_list *l, const char *name, const char *version, const char *source,
                        const char *source_version, const char *arch)
{
    char why[96];
    if (!name || !pkg_name_ok(name))
        return pkg_skip(l, NULL, "package name is empty, too long or not printable");
    if (!version)
        return pkg_skip(l, name, "no version");
    if (scan_version_check(l->kind, version, strlen(version), why, sizeof why) != KW_OK)
        return pkg_skip(l, name, why);
    if (!source || !*source)
        source = name;
    if (!pkg_name_ok(source))
        return pkg_skip(l, name, "source package name is too long or not printable");
    if (!source_version || !*source_version)
        source_version = version;
    if (scan_version_check(l->kind, source_version, strlen(source_version), why, sizeof why) != KW_OK)
        return pkg_skip(l, name, why);
    if (l->n >= SCAN_PKG_MAX)
        return KW_ERR_FULL;
    kw_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v);
    scan_pkg *p = &l->v[l->n++];
    p->name = kw_strdup(name);
    p->version = kw_strdup(version);
    p->source = kw_strdup(source);
    p->source_version = kw_strdup(source_version);
    p->arch = kw_strndup(arch ? arch : "", arch ? strnlen(arch, SCAN_PKG_FIELD_MAX) : 0);
    return KW_OK;
}

/* ---- line reading ------------------------------------------------------------------- */

typedef struct pkg_cur {
    const char *p, *end;
} pkg_cur;

/* The next line (without its newline) into *line, *len; false at the end. */
static bool pkg_line(pkg_cur *c, const char **line, size_t *len)
{
    if (c->p >= c->end)
        return false;
    const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    const char *e = nl ? nl : c->end;
    *line = c->p;
    *len = (size_t)(e - c->p);
    if (*len && (*line)[*len - 1] == '\r')
        (*len)--;
    c->p = nl ? nl + 1 : c->end;
    return true;
}

/* Copies s[0..n) trimmed of blanks into out[outn]; false when it does not fit. */
static bool pkg_copy(char *out, size_t outn, const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n >= outn)
        return false;
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

/* ---- dpkg --------------------------------------------------------------------------- */

typedef struct dpkg_stanza {
    char name[SCAN_PKG_FIELD_MAX + 1], version[SCAN_PKG_FIELD_MAX + 1], status[64];
    char source[2 * SCAN_PKG_FIELD_MAX + 4], arch[64];
    bool any, too_long;
} dpkg_stanza;

static void dpkg_field(dpkg_stanza *s, const char *line, size_t len)
{
    static const struct {
        const char *key;
        size_t off, size;
    } keys[] = {
        {"Package", offsetof(dpkg_stanza, name), sizeof ((dpkg_stanza *)0)->name},
        {"Version", offsetof(dpkg_stanza, version), sizeof ((dpkg_stanza *)0)->version},
        {"Status", offsetof(dpkg_stanza, status), sizeof ((dpkg_stanza *)0)->status},
        {"Source", offsetof(dpkg_stanza, source), sizeof ((dpkg_stanza *)0)->source},
        {"Architecture", offsetof(dpkg_stanza, arch), sizeof ((dpkg_stanza *)0)->arch},
    };
    const char *colon = memchr(line, ':', len);
    if (!colon)
        return;
    size_t kn = (size_t)(colon - line);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strlen(keys[i].key) == kn && strncasecmp(line, keys[i].key, kn) == 0) {
            if (!pkg_copy((char *)s + keys[i].off, keys[i].size, colon + 1, len - kn - 1))
                s->too_long = true;
            return;
        }
}

/* True when the Status field's last word (the package's state) is "installed". */
static bool dpkg_installed(const char *status)
{
    const char *sp = strrchr(status, ' ');
    return strcmp(sp ? sp + 1 : status, "installed") == 0;
}

static kw_rc dpkg_stanza_end(dpkg_stanza *s, scan_pkg_list *out)
{
    if (!s->any)
        return KW_OK;
    kw_rc rc = KW_OK;
    if (s->too_long)
        pkg_skip(out, s->name, "a field is too long");
    else if (!s->name[0])
        pkg_skip(out, NULL, "no Package field");
    else if (!s->status[0])
        pkg_skip(out, s->name, "no Status field");
    else if (dpkg_installed(s->status)) {
        /* Source: name [(version)] */
        char *src = s->source, *sv = NULL;
        char *paren = strchr(src, '(');
        if (paren) {
            char *close = strchr(paren, ')');
            *paren = '\0';
            sv = paren + 1;
            if (close)
                *close = '\0';
            pkg_copy(src, sizeof s->source, src, strlen(src));
        }
        rc = scan_pkg_list_add(out, s->name, s->version[0] ? s->version : NULL, src, sv, s->arch);
        if (rc == KW_ERR_PARSE)
            rc = KW_OK;
    }
    memset(s, 0, sizeof *s);
    return rc;
}

/* Calls line_fn per line of each blank-line separated stanza and end_fn after each; the
 * stanza state is st (size bytes, zeroed by end_fn). */
static kw_rc pkg_stanzas(const char *buf, size_t n, void *st, void (*line_fn)(void *, const char *, size_t),
                         kw_rc (*end_fn)(void *, scan_pkg_list *), scan_pkg_list *out)
{
    pkg_cur c = {buf, buf + n};
    const char *line;
    size_t len;
    while (pkg_line(&c, &line, &len)) {
        if (len == 0) {
            if (end_fn(st, out) != KW_OK)
                return KW_ERR_FULL;
            continue;
        }
        line_fn(st, line, len);
    }
    return end_fn(st, out) != KW_OK ? KW_ERR_FULL : KW_OK;
}

static void dpkg_line(void *st, const char *line, size_t len)
{
    dpkg_stanza *s = st;
    s->any = true;
    if (line[0] != ' ' && line[0] != '\t')
        dpkg_field(s, line, len);
}

static kw_rc dpkg_end(void *st, scan_pkg_list *out) { return dpkg_stanza_end(st, out); }

kw_rc scan_pkg_parse_dpkg(const char *buf, size_t n, scan_pkg_list *out)
{
    dpkg_stanza s;
    memset(&s, 0, sizeof s);
    return pkg_stanzas(buf, n, &s, dpkg_line, dpkg_end, out);
}

/* ---- rpm ---------------------------------------------------------------------------- */

/* The name of a source rpm file: "openssl-3.0.7-27.el9.src.rpm" -> "openssl" (the name is all
 * before the second-last '-'). False when it is not of that form. */
static bool rpm_source_name(const char *srpm, size_t n, char *out, size_t outn)
{
    int dashes = 0;
    for (size_t i = n; i > 0; i--)
        if (srpm[i - 1] == '-' && ++dashes == 2)
            return i - 1 > 0 && pkg_copy(out, outn, srpm, i - 1);
    return false;
}

static void rpm_line(const char *line, size_t len, scan_pkg_list *out, kw_rc *rc)
{
    const char *t1 = memchr(line, '\t', len);
    const char *t2 = t1 ? memchr(t1 + 1, '\t', len - (size_t)(t1 + 1 - line)) : NULL;
    char name[SCAN_PKG_FIELD_MAX + 1], evr[SCAN_PKG_FIELD_MAX + 1], src[SCAN_PKG_FIELD_MAX + 1] = "";
    if (!t2 || !pkg_copy(name, sizeof name, line, (size_t)(t1 - line)) ||
        !pkg_copy(evr, sizeof evr, t1 + 1, (size_t)(t2 - t1 - 1))) {
        pkg_skip(out, NULL, "not NAME TAB EPOCH:VERSION-RELEASE TAB SOURCERPM");
        return;
    }
    const char *srpm = t2 + 1;
    size_t sn = len - (size_t)(srpm - line);
    if (!(sn == 6 && memcmp(srpm, "(none)", 6) == 0))
        rpm_source_name(srpm, sn, src, sizeof src);
    if (scan_pkg_list_add(out, name, evr, src, NULL, NULL) == KW_ERR_FULL)
        *rc = KW_ERR_FULL;
}

kw_rc scan_pkg_parse_rpm(const char *buf, size_t n, scan_pkg_list *out)
{
    pkg_cur c = {buf, buf + n};
    const char *line;
    size_t len;
    kw_rc rc = KW_OK;
    while (rc == KW_OK && pkg_line(&c, &line, &len))
        if (len)
            rpm_line(line, len, out, &rc);
    return rc;
}

/* ---- apk ---------------------------------------------------------------------------- */

typedef struct apk_stanza {
    char name[SCAN_PKG_FIELD_MAX + 1], version[SCAN_PKG_FIELD_MAX + 1];
    char origin[SCAN_PKG_FIELD_MAX + 1], arch[64];
    bool any, too_long;
} apk_stanza;

static kw_rc apk_stanza_end(apk_stanza *s, scan_pkg_list *out)
{
    kw_rc rc = KW_OK;
    if (s->any && s->too_long)
        pkg_skip(out, s->name, "a field is too long");
    else if (s->any)
        rc = scan_pkg_list_add(out, s->name, s->version[0] ? s->version : NULL, s->origin, NULL, s->arch);
    memset(s, 0, sizeof *s);
    return rc == KW_ERR_FULL ? rc : KW_OK;
}

static void apk_line(void *st, const char *line, size_t len)
{
    apk_stanza *s = st;
    s->any = true;
    if (len < 2 || line[1] != ':')
        return;
    char *dst = line[0] == 'P' ? s->name : line[0] == 'V' ? s->version : line[0] == 'o' ? s->origin : NULL;
    size_t dn = sizeof s->name;
    if (line[0] == 'A')
        dst = s->arch, dn = sizeof s->arch;
    if (dst && !pkg_copy(dst, dn, line + 2, len - 2))
        s->too_long = true;
}

static kw_rc apk_end(void *st, scan_pkg_list *out) { return apk_stanza_end(st, out); }

kw_rc scan_pkg_parse_apk(const char *buf, size_t n, scan_pkg_list *out)
{
    apk_stanza s;
    memset(&s, 0, sizeof s);
    return pkg_stanzas(buf, n, &s, apk_line, apk_end, out);
}

/* ---- os-release --------------------------------------------------------------------- */

/* The value after '=': unquoted, escapes undone in double quotes. */
static void os_value(const char *v, size_t n, char *out, size_t outn)
{
    size_t k = 0;
    char q = n && (v[0] == '"' || v[0] == '\'') ? v[0] : 0;
    size_t i = q ? 1 : 0;
    for (; i < n && k + 1 < outn; i++) {
        if (q && v[i] == q)
            break;
        if (q == '"' && v[i] == '\\' && i + 1 < n)
            i++;
        out[k++] = v[i];
    }
    out[k] = '\0';
}

kw_rc scan_os_parse(const char *buf, size_t n, scan_os *out)
{
    memset(out, 0, sizeof *out);
    pkg_cur c = {buf, buf + n};
    const char *line;
    size_t len;
    while (pkg_line(&c, &line, &len)) {
        const char *eq = memchr(line, '=', len);
        if (!eq || line[0] == '#')
            continue;
        size_t kn = (size_t)(eq - line), vn = len - kn - 1;
        struct { const char *k; char *dst; size_t n; } keys[] = {
            {"ID", out->id, sizeof out->id}, {"ID_LIKE", out->id_like, sizeof out->id_like},
            {"VERSION_ID", out->version_id, sizeof out->version_id},
            {"VERSION_CODENAME", out->codename, sizeof out->codename},
            {"PRETTY_NAME", out->pretty, sizeof out->pretty},
        };
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (strlen(keys[i].k) == kn && memcmp(line, keys[i].k, kn) == 0)
                os_value(eq + 1, vn, keys[i].dst, keys[i].n);
    }
    return out->id[0] ? KW_OK : KW_ERR_PARSE;
}

static bool os_is(const scan_os *os, const char *id)
{
    if (strcmp(os->id, id) == 0)
        return true;
    const char *p = strstr(os->id_like, id);
    return p && (p == os->id_like || p[-1] == ' ') && (p[strlen(id)] == '\0' || p[strlen(id)] == ' ');
}

/* "3.19.1" -> "3.19"; "9.3" -> "9" (major only when major_only). */
static void os_short(const char *v, bool major_only, char *out, size_t outn)
{
    size_t k = 0;
    int dots = 0;
    for (; v[k] && k + 1 < outn; k++) {
        if (v[k] == '.' && (major_only || ++dots == 2))
            break;
        out[k] = v[k];
    }
    out[k] = '\0';
}

size_t scan_os_ecosystems(const scan_os *os, const char *release, char names[][48], size_t max, scan_vkind *kind)
{
    size_t k = 0;
    char ver[32];
    *kind = SCAN_V_DEB;
    const char *code = release && *release ? release : os->codename;
    if (strcmp(os->id, "ubuntu") == 0) {
        if (k < max)
            snprintf(names[k++], 48, "Ubuntu:%s", os->version_id);
    } else if (os_is(os, "debian")) {
        if (*code && k < max)
            snprintf(names[k++], 48, "debian/%s", code);
        if (os->version_id[0] && k < max)
            snprintf(names[k++], 48, "Debian:%s", os->version_id);
    } else if (strcmp(os->id, "alpine") == 0) {
        *kind = SCAN_V_APK;
        os_short(os->version_id, false, ver, sizeof ver);
        if (k < max)
            snprintf(names[k++], 48, "Alpine:v%s", ver);
    } else if (os_is(os, "rhel") || os_is(os, "fedora") || os_is(os, "suse")) {
        static const struct { const char *id, *eco; } rpm[] = {
            {"rocky", "Rocky Linux"}, {"almalinux", "AlmaLinux"}, {"rhel", "Red Hat"},
            {"centos", "Red Hat"}, {"fedora", "Fedora"}, {"opensuse-leap", "openSUSE"}, {"sles", "SUSE"},
        };
        *kind = SCAN_V_RPM;
        os_short(os->version_id, strcmp(os->id, "opensuse-leap") != 0, ver, sizeof ver);
        for (size_t i = 0; i < sizeof rpm / sizeof rpm[0] && k < max; i++)
            if (strcmp(os->id, rpm[i].id) == 0)
                snprintf(names[k++], 48, "%s:%s", rpm[i].eco, ver);
    }
    if (release && *release && k == 0 && k < max)
        snprintf(names[k++], 48, "%s", release);
    return k;
}
