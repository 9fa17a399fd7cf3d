/* intel_set.c: the compiled indicator tables and their lookups. Owns:
 *  - IPv4 and IPv6 prefixes: one open-addressing hash set per prefix length present (an
 *    exact address is a /32 or /128), keyed by the masked network; a bitmask of the lengths
 *    present, so a lookup probes only those (at most 33 / 129, in practice a handful).
 *  - domains: one open-addressing set of names; a lookup walks the suffixes of the queried
 *    name at label boundaries, one probe for each suffix whose number of labels some listed
 *    name has (a bitmask, as for prefix lengths: a TLD is not probed unless one is listed). The hash is FNV-1a over the name's bytes from
 *    the last to the first, so every suffix's hash falls out of one right-to-left pass.
 *  - the list masks: each slot holds an index into a table of distinct 64-bit masks (one
 *    bit per list), so a slot is 8 bytes for IPv4 and the masks cost nothing per entry.
 * A set never changes after intel_set_build; its reference count decides when it is freed. */
#include "intel/intel.h"
#include "core/kw_hash.h"
#include "intel/intel_int.h"
#include "core/kw_mem.h"

#include <arpa/inet.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct v4_slot { uint32_t key, mi; } v4_slot;              /* mi 0: empty */
typedef struct v6_slot { uint64_t hi, lo; uint32_t mi; } v6_slot;
typedef struct dom_slot { uint32_t tag, off, mi; } dom_slot;       /* off into names */

typedef struct v4_table { v4_slot *s; unsigned shift; uint32_t mask; } v4_table;
typedef struct v6_table { v6_slot *s; unsigned shift; uint32_t mask; } v6_table;

struct intel_set {
    atomic_long refs;
    size_t n_lists;
    uint64_t all;                   /* the mask of every list: a lookup that has it can stop */
    char *names[INTEL_MAX_LISTS];
    int sev[INTEL_MAX_LISTS];
    uint64_t *masks;                /* masks[0] == 0: the empty slot */
    size_t n_masks, cap_masks;
    uint32_t *mask_idx;             /* build only: open-addressing index of masks */
    size_t mask_idx_cap;
    uint64_t v4_lens;               /* bit p: a table for /p */
    uint64_t v6_lens[3];            /* bits 0..128 */
    v4_table v4[33];
    v6_table v6[129];
    dom_slot *dom;
    uint64_t dom_labels;            /* bit k: a listed name has k labels (63: 63 or more) */
    unsigned dom_shift;
    uint32_t dom_mask;
    char *blob;                     /* domains: length byte, then the name */
    size_t blob_len, blob_cap;
    intel_set_stats st;
};

#define FNV_OFF 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
#define FIB 0x9E3779B97F4A7C15ull

/* ---- masks ---- */

static void mask_index_grow(intel_set *s)
{
    free(s->mask_idx);
    s->mask_idx_cap = s->mask_idx_cap ? s->mask_idx_cap * 2 : 64;
    s->mask_idx = kw_calloc(s->mask_idx_cap, sizeof *s->mask_idx);
    for (uint32_t i = 1; i < s->n_masks; i++) {
        size_t j = kw_mix64(s->masks[i]) & (s->mask_idx_cap - 1);
        while (s->mask_idx[j])
            j = (j + 1) & (s->mask_idx_cap - 1);
        s->mask_idx[j] = i;
    }
}

/* The index of mask m in s->masks, adding it if new. */
static uint32_t mask_intern(intel_set *s, uint64_t m)
{
    if ((s->n_masks + 1) * 2 > s->mask_idx_cap)
        mask_index_grow(s);
    size_t j = kw_mix64(m) & (s->mask_idx_cap - 1);
    for (; s->mask_idx[j]; j = (j + 1) & (s->mask_idx_cap - 1))
        if (s->masks[s->mask_idx[j]] == m)
            return s->mask_idx[j];
    kw_grow(&s->masks, &s->cap_masks, s->n_masks + 1, sizeof *s->masks);
    s->masks[s->n_masks] = m;
    s->mask_idx[j] = (uint32_t)s->n_masks;
    return (uint32_t)s->n_masks++;
}

static uint32_t mask_add(intel_set *s, uint32_t mi, unsigned list)
{
    return mask_intern(s, s->masks[mi] | (1ull << list));
}

/* ---- sizing ---- */

/* Slots for n entries at a load factor of at most one half: a power of two, as bits. */
static unsigned table_bits(size_t n)
{
    unsigned bits = 3;
    while (((size_t)1 << bits) < n * 2)
        bits++;
    return bits;
}

/* ---- IPv4 ---- */

static inline uint32_t v4_hash(uint32_t key, unsigned shift) { return (uint32_t)(((uint64_t)key * FIB) >> shift); }

static void v4_insert(intel_set *s, v4_table *t, uint32_t key, unsigned list)
{
    uint32_t j = v4_hash(key, t->shift);
    for (; t->s[j].mi; j = (j + 1) & t->mask)
        if (t->s[j].key == key) {
            t->s[j].mi = mask_add(s, t->s[j].mi, list);
            return;
        }
    t->s[j] = (v4_slot){key, mask_add(s, 0, list)};
    (*(t == &s->v4[32] ? &s->st.v4 : &s->st.cidr4))++;
}

static uint32_t v4_find(const v4_table *t, uint32_t key)
{
    for (uint32_t j = v4_hash(key, t->shift);; j = (j + 1) & t->mask) {
        if (!t->s[j].mi)
            return 0;
        if (t->s[j].key == key)
            return t->s[j].mi;
    }
}

static uint32_t v4_host(uint32_t be) { return ntohl(be); }

static void v4_build(intel_set *s, const intel_list *lists, size_t n)
{
    size_t count[33] = {0};
    for (size_t l = 0; l < n; l++)
        for (size_t i = 0; i < lists[l].entries->n_v4; i++)
            if (lists[l].entries->v4[i].plen <= 32)
                count[lists[l].entries->v4[i].plen]++;
    for (unsigned p = 1; p <= 32; p++) {
        if (!count[p])
            continue;
        unsigned bits = table_bits(count[p]);
        s->v4[p] = (v4_table){kw_calloc((size_t)1 << bits, sizeof(v4_slot)), 64 - bits, ((uint32_t)1 << bits) - 1};
        s->v4_lens |= 1ull << p;
        s->st.bytes += ((size_t)1 << bits) * sizeof(v4_slot);
    }
    for (size_t l = 0; l < n; l++)
        for (size_t i = 0; i < lists[l].entries->n_v4; i++) {
            const intel_v4 *e = &lists[l].entries->v4[i];
            if (e->plen >= 1 && e->plen <= 32)
                v4_insert(s, &s->v4[e->plen], v4_host(e->addr), (unsigned)l);
        }
}

static uint64_t v4_lookup(const intel_set *s, uint32_t host)
{
    uint64_t m = 0;
    for (uint64_t lens = s->v4_lens; lens; lens &= lens - 1) {
        unsigned p = (unsigned)__builtin_ctzll(lens);
        uint32_t key = host & (uint32_t)(~0ull << (32 - p));
        if ((m |= s->masks[v4_find(&s->v4[p], key)]) == s->all)
            break;
    }
    return m;
}

/* ---- IPv6 ---- */

static void v6_split(const uint8_t *a, uint64_t *hi, uint64_t *lo)
{
    uint64_t h = 0, l = 0;
    for (int i = 0; i < 8; i++) {
        h = h << 8 | a[i];
        l = l << 8 | a[8 + i];
    }
    *hi = h;
    *lo = l;
}

static void v6_mask(unsigned p, uint64_t *hi, uint64_t *lo)
{
    if (p < 64) {
        *hi &= p ? ~0ull << (64 - p) : 0;
        *lo = 0;
    } else if (p < 128) {
        *lo &= p > 64 ? ~0ull << (128 - p) : 0;
    }
}

static inline uint32_t v6_hash(uint64_t hi, uint64_t lo, unsigned shift)
{
    return (uint32_t)(((hi * FIB) ^ kw_mix64(lo)) * FIB >> shift);
}

static void v6_insert(intel_set *s, v6_table *t, uint64_t hi, uint64_t lo, unsigned list)
{
    uint32_t j = v6_hash(hi, lo, t->shift);
    for (; t->s[j].mi; j = (j + 1) & t->mask)
        if (t->s[j].hi == hi && t->s[j].lo == lo) {
            t->s[j].mi = mask_add(s, t->s[j].mi, list);
            return;
        }
    t->s[j] = (v6_slot){hi, lo, mask_add(s, 0, list)};
    (*(t == &s->v6[128] ? &s->st.v6 : &s->st.cidr6))++;
}

static uint32_t v6_find(const v6_table *t, uint64_t hi, uint64_t lo)
{
    for (uint32_t j = v6_hash(hi, lo, t->shift);; j = (j + 1) & t->mask) {
        if (!t->s[j].mi)
            return 0;
        if (t->s[j].hi == hi && t->s[j].lo == lo)
            return t->s[j].mi;
    }
}

static void v6_build(intel_set *s, const intel_list *lists, size_t n)
{
    size_t count[129] = {0};
    for (size_t l = 0; l < n; l++)
        for (size_t i = 0; i < lists[l].entries->n_v6; i++)
            if (lists[l].entries->v6[i].plen <= 128)
                count[lists[l].entries->v6[i].plen]++;
    for (unsigned p = 1; p <= 128; p++) {
        if (!count[p])
            continue;
        unsigned bits = table_bits(count[p]);
        s->v6[p] = (v6_table){kw_calloc((size_t)1 << bits, sizeof(v6_slot)), 64 - bits, ((uint32_t)1 << bits) - 1};
        s->v6_lens[p / 64] |= 1ull << (p % 64);
        s->st.bytes += ((size_t)1 << bits) * sizeof(v6_slot);
    }
    for (size_t l = 0; l < n; l++)
        for (size_t i = 0; i < lists[l].entries->n_v6; i++) {
            const intel_v6 *e = &lists[l].entries->v6[i];
            uint64_t hi, lo;
            v6_split(e->addr, &hi, &lo);
            if (e->plen >= 1 && e->plen <= 128)
                v6_insert(s, &s->v6[e->plen], hi, lo, (unsigned)l);
        }
}

static uint64_t v6_lookup(const intel_set *s, const uint8_t *a)
{
    uint64_t m = 0, hi0, lo0;
    v6_split(a, &hi0, &lo0);
    for (unsigned w = 0; w < 3; w++)
        for (uint64_t lens = s->v6_lens[w]; lens; lens &= lens - 1) {
            unsigned p = w * 64 + (unsigned)__builtin_ctzll(lens);
            uint64_t hi = hi0, lo = lo0;
            v6_mask(p, &hi, &lo);
            if ((m |= s->masks[v6_find(&s->v6[p], hi, lo)]) == s->all)
                return m;
        }
    return m;
}

/* ---- domains ---- */

/* FNV-1a over s[0, n) from the last byte to the first. */
static uint64_t dom_hash(const char *s, size_t n)
{
    uint64_t h = FNV_OFF;
    while (n)
        h = (h ^ (unsigned char)s[--n]) * FNV_PRIME;
    return h;
}

static uint32_t dom_find(const intel_set *s, uint64_t h, const char *name, size_t n)
{
    uint32_t tag = (uint32_t)h;
    for (uint32_t j = (uint32_t)((h * FIB) >> s->dom_shift);; j = (j + 1) & s->dom_mask) {
        const dom_slot *d = &s->dom[j];
        if (!d->mi)
            return 0;
        if (d->tag == tag && (unsigned char)s->blob[d->off] == n && memcmp(s->blob + d->off + 1, name, n) == 0)
            return d->mi;
    }
}

static void dom_insert(intel_set *s, const char *name, size_t n, unsigned list)
{
    uint64_t h = dom_hash(name, n);
    uint32_t j = (uint32_t)((h * FIB) >> s->dom_shift);
    for (; s->dom[j].mi; j = (j + 1) & s->dom_mask) {
        dom_slot *d = &s->dom[j];
        if (d->tag == (uint32_t)h && (unsigned char)s->blob[d->off] == n && memcmp(s->blob + d->off + 1, name, n) == 0) {
            d->mi = mask_add(s, d->mi, list);
            return;
        }
    }
    if (s->blob_len + n + 1 > UINT32_MAX)
        return; /* 4 GiB of names: the rest is dropped */
    kw_grow(&s->blob, &s->blob_cap, s->blob_len + n + 1, 1);
    s->dom[j] = (dom_slot){(uint32_t)h, (uint32_t)s->blob_len, mask_add(s, 0, list)};
    s->blob[s->blob_len] = (char)n;
    memcpy(s->blob + s->blob_len + 1, name, n);
    s->blob_len += n + 1;
    s->st.domains++;
    unsigned labels = 1;
    for (size_t i = 0; i < n; i++)
        labels += name[i] == '.';
    s->dom_labels |= 1ull << (labels < 63 ? labels : 63);
}

static void dom_build(intel_set *s, const intel_list *lists, size_t n)
{
    size_t count = 0;
    for (size_t l = 0; l < n; l++)
        count += lists[l].entries->n_domains;
    unsigned bits = table_bits(count);
    s->dom = kw_calloc((size_t)1 << bits, sizeof *s->dom);
    s->dom_shift = 64 - bits;
    s->dom_mask = ((uint32_t)1 << bits) - 1;
    for (size_t l = 0; l < n; l++) {
        const intel_entries *e = lists[l].entries;
        for (size_t off = 0, i = 0; i < e->n_domains && off < e->names_len; i++) {
            size_t len = (unsigned char)e->names[off];
            dom_insert(s, e->names + off + 1, len, (unsigned)l);
            off += len + 1;
        }
    }
    if (s->blob_len) { /* the names are read-only from here: give back the doubling's slack */
        s->blob = kw_realloc(s->blob, s->blob_len);
        s->blob_cap = s->blob_len;
    }
    s->st.bytes += ((size_t)1 << bits) * sizeof *s->dom + s->blob_cap;
}

uint64_t intel_set_lookup_domain(const intel_set *s, const char *name, size_t len)
{
    char buf[INTEL_MAX_DOMAIN + 1];
    if (len && name[len - 1] == '.')
        len--;
    if (!len || len > INTEL_MAX_DOMAIN || !s->st.domains)
        return 0;
    for (size_t i = 0; i < len; i++)
        buf[i] = name[i] >= 'A' && name[i] <= 'Z' ? (char)(name[i] - 'A' + 'a') : name[i];
    uint64_t h = FNV_OFF, m = 0;
    unsigned labels = 0;
    for (size_t i = len; i-- > 0;) {
        h = (h ^ (unsigned char)buf[i]) * FNV_PRIME;
        if (i > 0 && buf[i - 1] != '.')
            continue;
        labels++;
        if (s->dom_labels >> (labels < 63 ? labels : 63) & 1)
            m |= s->masks[dom_find(s, h, buf + i, len - i)];
    }
    return m;
}

/* ---- the set ---- */

uint64_t intel_set_lookup_ip(const intel_set *s, const uint8_t *bytes, bool v6)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (v6 && memcmp(bytes, mapped, 12) == 0)
        bytes += 12, v6 = false;
    if (!v6) {
        uint32_t be;
        memcpy(&be, bytes, 4);
        return v4_lookup(s, v4_host(be));
    }
    return v6_lookup(s, bytes);
}

kw_rc intel_set_build(const intel_list *lists, size_t n, intel_set **out)
{
    if (n > INTEL_MAX_LISTS)
        return KW_ERR_RANGE;
    intel_set *s = kw_calloc(1, sizeof *s);
    atomic_init(&s->refs, 1);
    s->n_lists = n;
    s->all = n >= 64 ? ~0ull : (1ull << n) - 1;
    mask_intern(s, 0); /* index 0: no list, the empty slot */
    for (size_t l = 0; l < n; l++) {
        s->names[l] = kw_strdup(lists[l].name ? lists[l].name : "intel");
        s->sev[l] = lists[l].severity;
    }
    static const intel_entries none;
    intel_list *ls = kw_calloc(n ? n : 1, sizeof *ls);
    for (size_t l = 0; l < n; l++) {
        ls[l] = lists[l];
        if (!ls[l].entries)
            ls[l].entries = &none;
    }
    v4_build(s, ls, n);
    v6_build(s, ls, n);
    dom_build(s, ls, n);
    free(ls);
    free(s->mask_idx);
    s->mask_idx = NULL;
    s->st.bytes += sizeof *s + s->cap_masks * sizeof *s->masks;
    *out = s;
    return KW_OK;
}

static void set_free(intel_set *s)
{
    for (size_t l = 0; l < s->n_lists; l++)
        free(s->names[l]);
    for (unsigned p = 0; p <= 32; p++)
        free(s->v4[p].s);
    for (unsigned p = 0; p <= 128; p++)
        free(s->v6[p].s);
    free(s->dom);
    free(s->blob);
    free(s->masks);
    free(s);
}

const intel_set *intel_set_ref(const intel_set *s)
{
    atomic_fetch_add(&((intel_set *)s)->refs, 1);
    return s;
}

void intel_release(const intel_set *s)
{
    if (s && atomic_fetch_sub(&((intel_set *)s)->refs, 1) == 1)
        set_free((intel_set *)s);
}

size_t intel_set_lists(const intel_set *s) { return s->n_lists; }

const char *intel_set_list_name(const intel_set *s, size_t i) { return i < s->n_lists ? s->names[i] : NULL; }

int intel_set_list_severity(const intel_set *s, size_t i) { return i < s->n_lists ? s->sev[i] : 0; }

void intel_set_stats_get(const intel_set *s, intel_set_stats *st) { *st = s->st; }
