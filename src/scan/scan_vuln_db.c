/* The vulnerability index (scan_vuln.h): its builder, which shares equal strings and sorts the
 * records, its file format, and its reader, which searches a mapping without copying it.
 *
 * Format (little-endian): a 32-byte header ("KWVULN02", u32 records, u32 sources, u32 string
 * table length, u32 keys, u32 key text length, 4 reserved bytes), the records (40 bytes each:
 * u32 string offsets of eco, pkg, id, introduced, fixed, list, desc, vector; u16 score x 10
 * (0xffff: none); u8 severity, status, flags; 3 spare), the sources (24 bytes: u32 name, from,
 * records, spare; i64 when), the keys (12 bytes: u32 offset of "eco\0pkg\0" in the key text,
 * u32 first record, u32 count), the key text and the string table (NUL-terminated strings;
 * offset 0 is the empty string, which stands for none). Records are sorted by eco, pkg, id; the
 * keys, one per (eco, pkg), in the same order. A lookup searches the keys alone (a few MB
 * however many records), so a scan touches few pages of the mapping. */
#include "scan/scan_vuln.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/kw_map.h"
#include "core/kw_mem.h"

#define VDB_MAGIC "KWVULN02"
#define VDB_HDR 32
#define VDB_REC 40
#define VDB_SRC 24
#define VDB_KEY 12
#define VDB_STRTAB_MAX ((size_t)1 << 31)

enum { F_ECO, F_PKG, F_ID, F_INTRO, F_FIXED, F_LIST, F_DESC, F_VECTOR, F_N };

typedef struct vdb_rec {
    uint32_t s[F_N];
    uint16_t score10;
    uint8_t sev, status, flags;
} vdb_rec;

typedef struct vdb_src {
    uint32_t name, from, records;
    int64_t when;
} vdb_src;

struct scan_vuln_builder {
    kw_buf strtab;
    kw_map strings;      /* string -> its offset + 1 */
    vdb_rec *recs;
    size_t n, cap;
    vdb_src *srcs;
    size_t n_srcs, cap_srcs;
    bool full;
    size_t invalid;          /* records refused for a malformed version */
    char invalid_why[200];   /* the first one's reason */
};

scan_vuln_builder *scan_vuln_builder_new(void)
{
    scan_vuln_builder *b = kw_calloc(1, sizeof *b);
    kw_buf_init(&b->strtab, VDB_STRTAB_MAX - 1);
    kw_buf_putc(&b->strtab, '\0');
    kw_map_init(&b->strings);
    return b;
}

void scan_vuln_builder_free(scan_vuln_builder *b)
{
    if (!b)
        return;
    kw_buf_free(&b->strtab);
    kw_map_free(&b->strings);
    free(b->recs);
    free(b->srcs);
    free(b);
}

/* The offset of s in the string table, adding it once; 0 for NULL or "". */
static uint32_t vdb_str(scan_vuln_builder *b, const char *s)
{
    if (!s || !*s)
        return 0;
    void *v = kw_map_get(&b->strings, s);
    if (v)
        return (uint32_t)((uintptr_t)v - 1);
    size_t off = b->strtab.len;
    if (kw_buf_append(&b->strtab, s, strlen(s) + 1) != KW_OK) {
        b->full = true;
        return 0;
    }
    kw_map_put(&b->strings, s, (void *)(uintptr_t)(off + 1));
    return (uint32_t)off;
}

scan_vkind scan_vuln_eco_kind(const char *eco)
{
    if (strncmp(eco, "Alpine:", 7) == 0)
        return SCAN_V_APK;
    if (strncmp(eco, "debian/", 7) == 0 || strncmp(eco, "Debian:", 7) == 0 || strncmp(eco, "Ubuntu:", 7) == 0)
        return SCAN_V_DEB;
    return SCAN_V_RPM;
}

/* False (the reason noted) when a version of r is not one its ecosystem's order accepts. */
static bool vdb_versions_ok(scan_vuln_builder *b, const scan_vuln_rec *r)
{
    scan_vkind kind = scan_vuln_eco_kind(r->eco);
    const char *v[2] = {r->introduced, r->fixed};
    char why[96];
    for (int i = 0; i < 2; i++)
        if (v[i] && scan_version_check(kind, v[i], strlen(v[i]), why, sizeof why) != KW_OK) {
            if (b->invalid++ == 0)
                snprintf(b->invalid_why, sizeof b->invalid_why, "%.24s %.40s %.24s: \"%.24s\": %.60s", r->eco, r->pkg,
                         r->id, v[i], why);
            return false;
        }
    return true;
}

size_t scan_vuln_builder_invalid(const scan_vuln_builder *b, const char **why)
{
    *why = b->invalid_why;
    return b->invalid;
}

kw_rc scan_vuln_builder_add(void *ctx, const scan_vuln_rec *r)
{
    scan_vuln_builder *b = ctx;
    if (!r->eco || !*r->eco || !r->pkg || !*r->pkg || !r->id || !*r->id || !vdb_versions_ok(b, r))
        return KW_OK;
    kw_grow(&b->recs, &b->cap, b->n + 1, sizeof *b->recs);
    vdb_rec *o = &b->recs[b->n];
    const char *f[F_N] = {r->eco, r->pkg, r->id, r->introduced, r->fixed, r->list, r->desc, r->vector};
    for (int i = 0; i < F_N; i++)
        o->s[i] = vdb_str(b, f[i]);
    if (b->full)
        return KW_ERR_FULL;
    o->score10 = r->score >= 0 && r->score <= 10 ? (uint16_t)(r->score * 10 + 0.5) : 0xffff;
    o->sev = (uint8_t)r->sev;
    o->status = (uint8_t)r->status;
    o->flags = (uint8_t)r->flags;
    b->n++;
    return KW_OK;
}

void scan_vuln_builder_source(scan_vuln_builder *b, const char *name, const char *from, int64_t when_ms,
                              size_t records)
{
    kw_grow(&b->srcs, &b->cap_srcs, b->n_srcs + 1, sizeof *b->srcs);
    vdb_src *s = &b->srcs[b->n_srcs++];
    s->name = vdb_str(b, name);
    s->from = vdb_str(b, from);
    s->records = records > UINT32_MAX ? UINT32_MAX : (uint32_t)records;
    s->when = when_ms;
}

size_t scan_vuln_builder_records(const scan_vuln_builder *b) { return b->n; }

static const char *vdb_sort_strtab;

static int vdb_rec_cmp(const void *x, const void *y)
{
    const vdb_rec *a = x, *b = y;
    for (int f = F_ECO; f <= F_FIXED; f++) {
        if (a->s[f] == b->s[f])
            continue;
        int c = strcmp(vdb_sort_strtab + a->s[f], vdb_sort_strtab + b->s[f]);
        if (c)
            return c;
    }
    return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void vdb_put_rec(uint8_t *p, const vdb_rec *r)
{
    memset(p, 0, VDB_REC);
    for (int i = 0; i < F_N; i++)
        put32(p + 4 * i, r->s[i]);
    p[32] = (uint8_t)r->score10;
    p[33] = (uint8_t)(r->score10 >> 8);
    p[34] = r->sev;
    p[35] = r->status;
    p[36] = r->flags;
}

/* The keys of the sorted records: for each (eco, pkg) run, "eco\0pkg\0" in text and its
 * offset, first record and count in keys (12 bytes each). */
static void vdb_keys(const scan_vuln_builder *b, kw_buf *text, kw_buf *keys)
{
    for (size_t i = 0; i < b->n;) {
        size_t j = i + 1;
        while (j < b->n && b->recs[j].s[F_ECO] == b->recs[i].s[F_ECO] && b->recs[j].s[F_PKG] == b->recs[i].s[F_PKG])
            j++;
        uint8_t k[VDB_KEY];
        put32(k, (uint32_t)text->len);
        put32(k + 4, (uint32_t)i);
        put32(k + 8, (uint32_t)(j - i));
        kw_buf_append(keys, k, sizeof k);
        const char *eco = b->strtab.data + b->recs[i].s[F_ECO], *pkg = b->strtab.data + b->recs[i].s[F_PKG];
        kw_buf_append(text, eco, strlen(eco) + 1);
        kw_buf_append(text, pkg, strlen(pkg) + 1);
        i = j;
    }
}

kw_rc scan_vuln_builder_write(scan_vuln_builder *b, kw_buf *out)
{
    if (b->full)
        return KW_ERR_FULL;
    vdb_sort_strtab = b->strtab.data;
    if (b->n)
        qsort(b->recs, b->n, sizeof *b->recs, vdb_rec_cmp);
    kw_buf text, keys;
    kw_buf_init(&text, VDB_STRTAB_MAX - 1);
    kw_buf_init(&keys, VDB_STRTAB_MAX - 1);
    vdb_keys(b, &text, &keys);
    size_t total = VDB_HDR + b->n * VDB_REC + b->n_srcs * VDB_SRC + keys.len + text.len + b->strtab.len;
    kw_rc rc = KW_OK;
    if (b->n > UINT32_MAX || total > out->max || text.overflow || keys.overflow)
        rc = KW_ERR_FULL;
    uint8_t *p = rc == KW_OK ? kw_calloc(1, total) : NULL;
    if (p) {
        memcpy(p, VDB_MAGIC, 8);
        put32(p + 8, (uint32_t)b->n);
        put32(p + 12, (uint32_t)b->n_srcs);
        put32(p + 16, (uint32_t)b->strtab.len);
        put32(p + 20, (uint32_t)(keys.len / VDB_KEY));
        put32(p + 24, (uint32_t)text.len);
        uint8_t *q = p + VDB_HDR;
        for (size_t i = 0; i < b->n; i++, q += VDB_REC)
            vdb_put_rec(q, &b->recs[i]);
        for (size_t i = 0; i < b->n_srcs; i++, q += VDB_SRC) {
            put32(q, b->srcs[i].name);
            put32(q + 4, b->srcs[i].from);
            put32(q + 8, b->srcs[i].records);
            put32(q + 16, (uint32_t)((uint64_t)b->srcs[i].when & 0xffffffffu));
            put32(q + 20, (uint32_t)((uint64_t)b->srcs[i].when >> 32));
        }
        if (keys.len) {
            memcpy(q, keys.data, keys.len);
            memcpy(q + keys.len, text.data, text.len);
        }
        memcpy(q + keys.len + text.len, b->strtab.data, b->strtab.len);
        kw_buf_reset(out);
        rc = kw_buf_append(out, p, total);
        free(p);
    }
    kw_buf_free(&text);
    kw_buf_free(&keys);
    return rc;
}

/* ---- reading -------------------------------------------------------------------------- */

kw_rc scan_vuln_db_from_buffer(const void *buf, size_t n, scan_vuln_db *db)
{
    memset(db, 0, sizeof *db);
    const uint8_t *p = buf;
    if (n < VDB_HDR || memcmp(p, VDB_MAGIC, 8) != 0)
        return KW_ERR_PARSE;
    uint64_t nr = get32(p + 8), ns = get32(p + 12), sl = get32(p + 16), nk = get32(p + 20), kl = get32(p + 24);
    if (sl == 0 || (uint64_t)VDB_HDR + nr * VDB_REC + ns * VDB_SRC + nk * VDB_KEY + kl + sl != n)
        return KW_ERR_PARSE;
    db->base = p;
    db->size = n;
    db->n_recs = (uint32_t)nr;
    db->n_sources = (uint32_t)ns;
    db->strtab_len = (uint32_t)sl;
    db->n_keys = (uint32_t)nk;
    db->keytext_len = (uint32_t)kl;
    db->recs = p + VDB_HDR;
    db->sources = db->recs + nr * VDB_REC;
    db->keys = db->sources + ns * VDB_SRC;
    db->keytext = (const char *)(db->keys + nk * VDB_KEY);
    db->strtab = db->keytext + kl;
    if (db->strtab[sl - 1] != '\0' || (kl && db->keytext[kl - 1] != '\0'))
        return KW_ERR_PARSE;
    return KW_OK;
}

/* The string at off, or "" when off is outside the table (a damaged index stays readable). */
static const char *vdb_s(const scan_vuln_db *db, uint32_t off)
{
    return off < db->strtab_len ? db->strtab + off : "";
}

static const char *vdb_opt(const scan_vuln_db *db, uint32_t off)
{
    const char *s = vdb_s(db, off);
    return *s ? s : NULL;
}

void scan_vuln_db_get(const scan_vuln_db *db, uint32_t i, scan_vuln_rec *out)
{
    memset(out, 0, sizeof *out);
    if (i >= db->n_recs)
        return;
    const uint8_t *p = db->recs + (size_t)i * VDB_REC;
    out->eco = vdb_s(db, get32(p));
    out->pkg = vdb_s(db, get32(p + 4));
    out->id = vdb_s(db, get32(p + 8));
    out->introduced = vdb_opt(db, get32(p + 12));
    out->fixed = vdb_opt(db, get32(p + 16));
    out->list = vdb_opt(db, get32(p + 20));
    out->desc = vdb_opt(db, get32(p + 24));
    out->vector = vdb_opt(db, get32(p + 28));
    unsigned s10 = p[32] | (unsigned)p[33] << 8;
    out->score = s10 == 0xffff ? -1.0 : s10 / 10.0;
    out->sev = p[34] <= FINDING_CRITICAL ? (finding_sev)p[34] : FINDING_MEDIUM;
    out->status = p[35] <= SCAN_VS_LISTED ? (scan_vstatus)p[35] : SCAN_VS_OPEN;
    out->flags = p[36];
}

/* Key i against (eco, pkg); its text is checked to lie inside the key text. */
static int vdb_key_cmp(const scan_vuln_db *db, uint32_t i, const char *eco, const char *pkg)
{
    uint32_t off = get32(db->keys + (size_t)i * VDB_KEY);
    if (off >= db->keytext_len)
        return -1;
    const char *k = db->keytext + off;
    size_t en = strnlen(k, db->keytext_len - off);
    int c = strcmp(k, eco);
    if (c || off + en + 1 >= db->keytext_len)
        return c ? c : -1;
    return strcmp(k + en + 1, pkg);
}

uint32_t scan_vuln_db_find(const scan_vuln_db *db, const char *eco, const char *pkg, uint32_t *first)
{
    uint32_t lo = 0, hi = db->n_keys;
    *first = 0;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (vdb_key_cmp(db, mid, eco, pkg) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo >= db->n_keys || vdb_key_cmp(db, lo, eco, pkg) != 0)
        return 0;
    const uint8_t *k = db->keys + (size_t)lo * VDB_KEY;
    uint32_t f = get32(k + 4), n = get32(k + 8);
    if (f > db->n_recs || n > db->n_recs - f)
        return 0;
    *first = f;
    return n;
}

bool scan_vuln_db_source(const scan_vuln_db *db, uint32_t i, const char **name, const char **from,
                         int64_t *when_ms, uint32_t *records)
{
    if (i >= db->n_sources)
        return false;
    const uint8_t *p = db->sources + (size_t)i * VDB_SRC;
    *name = vdb_s(db, get32(p));
    *from = vdb_s(db, get32(p + 4));
    *records = get32(p + 8);
    *when_ms = (int64_t)((uint64_t)get32(p + 16) | (uint64_t)get32(p + 20) << 32);
    return true;
}

kw_rc scan_vuln_db_open(const char *path, scan_vuln_db *db)
{
    memset(db, 0, sizeof *db);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? KW_ERR_NOTFOUND : KW_ERR_IO;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < VDB_HDR) {
        close(fd);
        return KW_ERR_PARSE;
    }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
        return KW_ERR_IO;
    kw_rc rc = scan_vuln_db_from_buffer(m, (size_t)st.st_size, db);
    if (rc != KW_OK) {
        munmap(m, (size_t)st.st_size);
        memset(db, 0, sizeof *db);
        return rc;
    }
    db->map = m;
    return KW_OK;
}

void scan_vuln_db_close(scan_vuln_db *db)
{
    if (db->map)
        munmap(db->map, db->size);
    memset(db, 0, sizeof *db);
}
