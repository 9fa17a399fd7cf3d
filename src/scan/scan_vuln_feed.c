/* debsecan's feed and OSV files (scan_vuln.h): the two smaller formats of vulnerability data.
 * debsecan's is line text after zlib; an OSV file describes one vulnerability and is small, so
 * jansson reads it whole. No I/O. */
#include "scan/scan_vuln.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/kw_mem.h"

#define FEED_INFLATE_MAX ((size_t)512 << 20)
#define FEED_VULNS_MAX 2000000

static void feed_skip(scan_vuln_stats *st, size_t line, const char *why)
{
    if (st->skipped++ == 0)
        snprintf(st->first_error, sizeof st->first_error, "line %zu: %s", line, why);
}

static kw_rc feed_fail(char *err, size_t errn, const char *why)
{
    if (err && errn)
        snprintf(err, errn, "%s", why);
    return KW_ERR_PARSE;
}

/* Inflates a zlib stream into *out (the caller frees), at most FEED_INFLATE_MAX bytes. */
static kw_rc feed_inflate(const char *buf, size_t n, char **out, size_t *outn, char *err, size_t errn)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK)
        return feed_fail(err, errn, "zlib: cannot start");
    size_t cap = n * 4 + 4096, len = 0;
    char *o = kw_malloc(cap);
    z.next_in = (Bytef *)(uintptr_t)buf;
    z.avail_in = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
    int zr = Z_OK;
    while (zr == Z_OK) {
        if (len == cap) {
            if (cap >= FEED_INFLATE_MAX)
                break;
            cap = cap * 2 > FEED_INFLATE_MAX ? FEED_INFLATE_MAX : cap * 2;
            o = kw_realloc(o, cap);
        }
        z.next_out = (Bytef *)o + len;
        z.avail_out = (uInt)(cap - len);
        zr = inflate(&z, Z_NO_FLUSH);
        len = cap - z.avail_out;
    }
    inflateEnd(&z);
    if (zr != Z_STREAM_END) {
        free(o);
        return feed_fail(err, errn, zr == Z_OK ? "zlib: inflated data too large" : "zlib: damaged data");
    }
    *out = o;
    *outn = len;
    return KW_OK;
}

typedef struct feed_line {
    const char *p, *end;
    size_t no;
} feed_line;

static bool feed_next(feed_line *c, const char **s, size_t *n)
{
    if (c->p >= c->end)
        return false;
    const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    *s = c->p;
    *n = (size_t)((nl ? nl : c->end) - c->p);
    c->p = nl ? nl + 1 : c->end;
    c->no++;
    return true;
}

/* Splits s[0..n) at commas into at most max fields (the last takes the rest); returns the count. */
static size_t feed_split(const char *s, size_t n, size_t max, const char **f, size_t *fl)
{
    size_t k = 0;
    const char *start = s, *end = s + n;
    while (k + 1 < max) {
        const char *c = memchr(start, ',', (size_t)(end - start));
        if (!c)
            break;
        f[k] = start;
        fl[k++] = (size_t)(c - start);
        start = c + 1;
    }
    f[k] = start;
    fl[k++] = (size_t)(end - start);
    return k;
}

typedef struct feed_vuln {
    char *name, *desc;
} feed_vuln;

static char *feed_dup(const char *s, size_t n, size_t max) { return kw_strndup(s, n < max ? n : max); }

static kw_rc feed_package(const char *s, size_t n, size_t no, const feed_vuln *v, size_t nv, const char *eco,
                          scan_vuln_rec_fn fn, void *ctx, scan_vuln_stats *st)
{
    const char *f[5];
    size_t fl[5];
    if (feed_split(s, n, 5, f, fl) != 5 || fl[2] < 4 || fl[0] == 0 || fl[0] >= SCAN_VULN_STR_MAX ||
        fl[3] >= SCAN_VULN_STR_MAX || fl[4] >= SCAN_VULN_STR_MAX) {
        feed_skip(st, no, "not PACKAGE,INDEX,FLAGS,VERSION,OTHER-VERSIONS");
        return KW_OK;
    }
    char num[16];
    snprintf(num, sizeof num, "%.*s", (int)(fl[1] < 15 ? fl[1] : 15), f[1]);
    char *e;
    unsigned long idx = strtoul(num, &e, 10);
    if (fl[1] == 0 || *e || idx >= nv) {
        feed_skip(st, no, "vulnerability index out of range");
        return KW_OK;
    }
    char pkg[SCAN_VULN_STR_MAX], fixed[SCAN_VULN_STR_MAX], other[SCAN_VULN_STR_MAX];
    snprintf(pkg, sizeof pkg, "%.*s", (int)fl[0], f[0]);
    snprintf(fixed, sizeof fixed, "%.*s", (int)fl[3], f[3]);
    snprintf(other, sizeof other, "%.*s", (int)fl[4], f[4]);
    static const char urg[] = " LMH";
    const char *u = memchr(urg, f[2][1], 4);
    scan_vuln_rec r = {.eco = eco, .pkg = pkg, .id = v[idx].name, .desc = v[idx].desc, .score = -1,
                       .fixed = fixed[0] ? fixed : NULL, .list = other[0] ? other : NULL,
                       .status = fixed[0] ? SCAN_VS_FIXED : SCAN_VS_OPEN};
    r.sev = !u || *u == ' ' ? FINDING_MEDIUM : *u == 'L' ? FINDING_LOW : *u == 'M' ? FINDING_MEDIUM : FINDING_HIGH;
    r.flags = (f[2][0] == 'B' ? SCAN_VF_BINARY : 0) | (f[2][2] == 'R' ? SCAN_VF_REMOTE : 0);
    st->records++;
    return fn(ctx, &r);
}

static kw_rc feed_text(const char *buf, size_t n, const char *eco, scan_vuln_rec_fn fn, void *ctx,
                       scan_vuln_stats *st, char *err, size_t errn)
{
    feed_line c = {buf, buf + n, 0};
    const char *s;
    size_t len;
    if (!feed_next(&c, &s, &len) || len != 9 || memcmp(s, "VERSION 1", 9) != 0)
        return feed_fail(err, errn, "not a debsecan feed (no \"VERSION 1\" first line)");
    feed_vuln *v = NULL;
    size_t nv = 0, cap = 0;
    kw_rc rc = KW_OK;
    while (feed_next(&c, &s, &len) && len > 0 && nv < FEED_VULNS_MAX) {
        const char *f[3];
        size_t fl[3];
        if (feed_split(s, len, 3, f, fl) != 3 || fl[0] == 0) {
            feed_skip(st, c.no, "not NAME,FLAGS,DESCRIPTION");
            fl[0] = 0;
            f[2] = s, fl[2] = 0;
        }
        kw_grow(&v, &cap, nv + 1, sizeof *v);
        v[nv].name = feed_dup(f[0], fl[0], SCAN_VULN_STR_MAX - 1);
        v[nv++].desc = feed_dup(f[2], fl[2], SCAN_VULN_DESC_MAX - 1);
    }
    st->vulns = nv;
    while (rc == KW_OK && feed_next(&c, &s, &len) && len > 0)
        rc = feed_package(s, len, c.no, v, nv, eco, fn, ctx, st);
    for (size_t i = 0; i < nv; i++) {
        free(v[i].name);
        free(v[i].desc);
    }
    free(v);
    return rc;
}

kw_rc scan_vuln_parse_debsecan(const char *buf, size_t n, const char *release, scan_vuln_rec_fn fn, void *ctx,
                               scan_vuln_stats *st, char *err, size_t errn)
{
    char eco[80];
    snprintf(eco, sizeof eco, "debian/%s", release && *release ? release : "GENERIC");
    if (n >= 2 && (unsigned char)buf[0] == 0x78) {
        char *text;
        size_t tn;
        if (feed_inflate(buf, n, &text, &tn, err, errn) != KW_OK)
            return KW_ERR_PARSE;
        kw_rc rc = feed_text(text, tn, eco, fn, ctx, st, err, errn);
        free(text);
        return rc;
    }
    return feed_text(buf, n, eco, fn, ctx, st, err, errn);
}

/* ---- OSV ---------------------------------------------------------------------------- */

static const char *osv_str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && strlen(s) < SCAN_VULN_STR_MAX ? s : NULL;
}

/* The CVE the record is about: the one its id carries (UBUNTU-CVE-…), else its only CVE alias
 * (aliases, upstream); an advisory that covers several (DSA-…, USN-…) keeps its own id. */
static const char *osv_cve(json_t *doc, const char *id, char *buf, size_t n)
{
    const char *c = strstr(id, "CVE-");
    if (c) {
        snprintf(buf, n, "%s", c);
        return buf;
    }
    static const char *const lists[] = {"aliases", "upstream"};
    size_t found = 0;
    for (int l = 0; l < 2; l++) {
        json_t *x;
        size_t i;
        json_array_foreach(json_object_get(doc, lists[l]), i, x) {
            const char *s = json_string_value(x);
            if (!s || strncmp(s, "CVE-", 4) != 0 || strlen(s) >= n || (found && strcmp(s, buf) == 0))
                continue;
            if (found++ == 0)
                snprintf(buf, n, "%s", s);
        }
    }
    return found == 1 ? buf : id;
}

static bool osv_os_ecosystem(const char *eco)
{
    static const char *const os[] = {"Debian", "Ubuntu", "Alpine", "Rocky Linux", "AlmaLinux",
                                     "Red Hat", "SUSE", "openSUSE"};
    for (size_t i = 0; i < sizeof os / sizeof os[0]; i++) {
        size_t k = strlen(os[i]);
        if (strncmp(eco, os[i], k) == 0 && eco[k] == ':')
            return true;
    }
    return false;
}

/* The document's own rating: severity[] (an Ubuntu priority word, or a CVSS vector). */
static void osv_severity(json_t *doc, scan_vuln_rec *r)
{
    json_t *sv = json_object_get(doc, "severity"), *x;
    size_t i;
    json_array_foreach(sv, i, x) {
        const char *type = osv_str(x, "type"), *score = osv_str(x, "score");
        if (!type || !score)
            continue;
        if (strncmp(type, "CVSS_", 5) == 0)
            r->vector = score;
        else
            finding_sev_parse(score, &r->sev);
    }
    const char *word = osv_str(json_object_get(doc, "database_specific"), "severity");
    if (word)
        finding_sev_parse(word, &r->sev);
}

static kw_rc osv_ranges(json_t *aff, scan_vuln_rec *r, scan_vuln_rec_fn fn, void *ctx, scan_vuln_stats *st)
{
    json_t *ranges = json_object_get(aff, "ranges"), *rg, *ev;
    size_t i, j;
    size_t made = 0;
    kw_rc rc = KW_OK;
    json_array_foreach(ranges, i, rg) {
        const char *type = osv_str(rg, "type");
        if (!type || strcmp(type, "ECOSYSTEM") != 0)
            continue;
        r->introduced = NULL;
        bool open = false;
        json_array_foreach(json_object_get(rg, "events"), j, ev) {
            const char *in = osv_str(ev, "introduced"), *fx = osv_str(ev, "fixed"), *la = osv_str(ev, "last_affected");
            if (in) {
                r->introduced = strcmp(in, "0") == 0 ? NULL : in;
                open = true;
            } else if ((fx || la) && open && rc == KW_OK) {
                r->fixed = fx ? fx : la;
                r->status = fx ? SCAN_VS_FIXED : SCAN_VS_LAST;
                rc = fn(ctx, r);
                made++, open = false;
            }
        }
        if (open && rc == KW_OK) {
            r->fixed = NULL;
            r->status = SCAN_VS_OPEN;
            rc = fn(ctx, r);
            made++;
        }
    }
    st->records += made;
    return made || rc != KW_OK ? rc : KW_ERR_NOTFOUND;
}

/* versions[] as one LISTED record (space-separated, bounded). */
static kw_rc osv_versions(json_t *aff, scan_vuln_rec *r, scan_vuln_rec_fn fn, void *ctx, scan_vuln_stats *st)
{
    kw_buf b;
    kw_buf_init(&b, 64 * 1024);
    json_t *x;
    size_t i;
    json_array_foreach(json_object_get(aff, "versions"), i, x) {
        const char *v = json_string_value(x);
        if (v && *v && !strchr(v, ' '))
            kw_buf_printf(&b, "%s%s", b.len ? " " : "", v);
    }
    kw_rc rc = KW_OK;
    if (b.len && !b.overflow) {
        r->introduced = r->fixed = NULL;
        r->list = b.data;
        r->status = SCAN_VS_LISTED;
        rc = fn(ctx, r);
        st->records++;
        r->list = NULL;
    }
    kw_buf_free(&b);
    return rc;
}

static kw_rc osv_affected(json_t *doc, json_t *aff, scan_vuln_rec base, scan_vuln_rec_fn fn, void *ctx,
                          scan_vuln_stats *st)
{
    json_t *pkg = json_object_get(aff, "package");
    const char *eco = osv_str(pkg, "ecosystem"), *name = osv_str(pkg, "name");
    if (!eco || !name || !*name || !osv_os_ecosystem(eco))
        return KW_OK;
    char ubuntu[64];
    if (strncmp(eco, "Ubuntu:", 7) == 0) {  /* "Ubuntu:22.04:LTS", "Ubuntu:Pro:18.04:LTS" -> "Ubuntu:22.04" */
        const char *v = strncmp(eco + 7, "Pro:", 4) == 0 ? eco + 11 : eco + 7;
        snprintf(ubuntu, sizeof ubuntu, "Ubuntu:%.*s", (int)strcspn(v, ":"), v);
        eco = ubuntu;
    }
    base.eco = eco;
    base.pkg = name;
    const char *urg = osv_str(json_object_get(aff, "ecosystem_specific"), "urgency");
    if (urg && !finding_sev_parse(urg, &base.sev) && strcmp(urg, "unimportant") == 0) {
        base.sev = FINDING_INFO;
        base.flags |= SCAN_VF_UNIMPORTANT;
    }
    const char *sev = osv_str(json_object_get(aff, "database_specific"), "severity");
    if (sev)
        finding_sev_parse(sev, &base.sev);
    st->packages++;
    kw_rc rc = osv_ranges(aff, &base, fn, ctx, st);
    return rc == KW_ERR_NOTFOUND ? osv_versions(aff, &base, fn, ctx, st) : rc;
}

kw_rc scan_vuln_parse_osv(const char *buf, size_t n, scan_vuln_rec_fn fn, void *ctx, scan_vuln_stats *st,
                          char *err, size_t errn)
{
    json_error_t je;
    json_t *doc = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        if (err && errn)
            snprintf(err, errn, "line %d column %d: %s", je.line, je.column, je.text);
        return KW_ERR_PARSE;
    }
    const char *id = osv_str(doc, "id");
    json_t *affected = json_object_get(doc, "affected");
    if (!id || !json_is_array(affected)) {
        json_decref(doc);
        return feed_fail(err, errn, "not an OSV record (no id or no affected list)");
    }
    char cve[128];
    const char *desc = osv_str(doc, "summary");
    if (!desc) {
        const char *d = json_string_value(json_object_get(doc, "details"));
        desc = d;
    }
    char short_desc[SCAN_VULN_DESC_MAX];
    snprintf(short_desc, sizeof short_desc, "%s", desc ? desc : "");
    scan_vuln_rec base = {.id = osv_cve(doc, id, cve, sizeof cve), .desc = short_desc[0] ? short_desc : NULL,
                          .sev = FINDING_MEDIUM, .score = -1};
    osv_severity(doc, &base);
    st->vulns++;
    json_t *aff;
    size_t i;
    kw_rc rc = KW_OK;
    json_array_foreach(affected, i, aff) {
        if (rc == KW_OK)
            rc = osv_affected(doc, aff, base, fn, ctx, st);
    }
    json_decref(doc);
    return rc;
}
