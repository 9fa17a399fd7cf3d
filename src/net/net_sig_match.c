/* Matching a request against a signature set: the per-buffer prefilter (Hyperscan over each
 * rule's fast pattern, or a portable memmem loop giving the same candidates), then the exact
 * verification of each candidate: header (protocol, addresses, ports, flow) and its contents,
 * expressions and sizes, buffer by buffer, with Suricata's position semantics: offset/depth
 * from the buffer's start, distance/within from the end of the previous match in the same
 * buffer, backtracking over earlier occurrences when a relative match fails (bounded). */
#include <stdlib.h>
#include <string.h>

#ifdef KW_HAVE_HS
#include "core/kw_hs.h" /* Hyperscan, with its compile cache */
#endif

#include "core/kw_mem.h"
#include "net/net_sig_int.h"

#define SIG_BACKTRACK_BUDGET 512   /* occurrences tried per rule and input */
#define SIG_PCRE_MATCH_LIMIT 20000 /* PCRE2 backtracking steps per expression */

struct net_sig_scratch {
    void *hs;                 /* hs_scratch_t * */
    pcre2_match_data *md;
    pcre2_match_context *mc;
    uint64_t *bits;           /* candidate rules of this input, one bit per rule */
    uint32_t *cand;           /* the candidates, in rule order once collected */
    size_t ncand;
    uint8_t *dot;             /* '.' + a buffer, for dotprefix */
    size_t dotcap;
    bool pre_scratch;         /* hs also has room for the prefilters' databases */
};

net_slice net_sig_buf(const net_sig_input *in, int id)
{
    if (id == NET_BUF_HTTP_URI_RAW && !in->b[id].p)
        id = NET_BUF_HTTP_URI;
    else if (id == NET_BUF_HTTP_HEADER_RAW && !in->b[id].p)
        id = NET_BUF_HTTP_HEADER;
    net_slice s = in->b[id];
    if (!s.p)
        s.n = 0;
    return s;
}

static inline uint8_t lc(uint8_t c) { return (uint8_t)((unsigned)c - 'A' < 26u ? c + 32 : c); }

static size_t find_nocase(const uint8_t *h, size_t n, size_t from, const uint8_t *pat, size_t m)
{
    uint8_t c0 = lc(pat[0]);
    for (size_t i = from; i + m <= n; i++) {
        if (lc(h[i]) != c0)
            continue;
        size_t k = 1;
        while (k < m && lc(h[i + k]) == lc(pat[k]))
            k++;
        if (k == m)
            return i;
    }
    return SIZE_MAX;
}

size_t net_sig_find(const uint8_t *h, size_t n, size_t from, const uint8_t *pat, size_t m, bool nocase)
{
    if (m == 0 || from > n || n - from < m)
        return SIZE_MAX;
    if (nocase)
        return find_nocase(h, n, from, pat, m);
    const uint8_t *p = memmem(h + from, n - from, pat, m);
    return p ? (size_t)(p - h) : SIZE_MAX;
}

/* ---- the fast pattern of a rule ---- */

static void fast_pattern(const net_sig_rule *r, const uint8_t **p, size_t *n)
{
    const sig_elem *e = &r->el[r->fp];
    *p = e->pat + e->fp_off;
    *n = e->fp_len ? e->fp_len : e->len;
    if (e->dot && e->fp_off == 0 && (*p)[0] == '.') { /* the buffer has no dot of its own */
        (*p)++;
        (*n)--;
    }
}

/* ---- Hyperscan ---- */

#ifdef KW_HAVE_HS
static hs_database_t *hs_build_buf(const net_sig_set *s, int buf)
{
    size_t n = s->nfp[buf];
    const char **expr = kw_calloc(n, sizeof *expr);
    size_t *lens = kw_calloc(n, sizeof *lens);
    unsigned *flags = kw_calloc(n, sizeof *flags), *ids = kw_calloc(n, sizeof *ids);
    for (size_t j = 0; j < n; j++) {
        const net_sig_rule *r = s->rules[s->fp_rules[buf][j]];
        const uint8_t *p;
        fast_pattern(r, &p, &lens[j]);
        expr[j] = (const char *)p;
        flags[j] = HS_FLAG_SINGLEMATCH | (r->el[r->fp].nocase ? HS_FLAG_CASELESS : 0);
        ids[j] = (unsigned)j;
    }
    hs_database_t *db = NULL;
    hs_compile_error_t *ce = NULL;
    if (kw_hs_compile(expr, lens, flags, ids, (unsigned)n, HS_MODE_BLOCK, &db, &ce) != HS_SUCCESS)
        db = NULL;
    hs_free_compile_error(ce);
    free(expr);
    free(lens);
    free(flags);
    free(ids);
    return db;
}
#endif

bool net_sig_hs_build(net_sig_set *s)
{
#ifdef KW_HAVE_HS
    for (int b = 0; b < NET_BUF_COUNT; b++) {
        if (!s->nfp[b])
            continue;
        if (!(s->hs[b] = hs_build_buf(s, b))) {
            net_sig_hs_free(s);
            return false;
        }
    }
    s->pre_bufs = sig_prefilter_bufs(s);
    return true;
#else
    return false;
#endif
}

void net_sig_hs_free(net_sig_set *s)
{
#ifdef KW_HAVE_HS
    for (int b = 0; b < NET_BUF_COUNT; b++) {
        hs_free_database(s->hs[b]);
        s->hs[b] = NULL;
    }
    sig_prefilter_release(atomic_exchange(&s->pre, NULL));
    atomic_store(&s->pre_started, false);
    s->pre_bufs = 0;
#endif
}

bool net_sig_set_hyperscan(const net_sig_set *s) { return s->use_hs; }

bool net_sig_set_wait_prefilters(const net_sig_set *s)
{
#ifdef KW_HAVE_HS
    net_sig_set *w = (net_sig_set *)s; /* the prefilters are a cache: they may start here */
    if (s->pre_bufs && !atomic_exchange(&w->pre_started, true))
        atomic_store(&w->pre, sig_prefilter_start(s));
    return sig_prefilter_ready(atomic_load(&w->pre), true) != NULL;
#else
    (void)s;
    return false;
#endif
}

void net_sig_set_use_hyperscan(net_sig_set *s, bool on)
{
    bool have = false;
    for (int b = 0; b < NET_BUF_COUNT; b++)
        have |= s->hs[b] != NULL;
    s->use_hs = on && have;
}

/* ---- scratch ---- */

net_sig_scratch *net_sig_scratch_new(const net_sig_set *s)
{
    net_sig_scratch *sc = kw_calloc(1, sizeof *sc);
    sc->md = pcre2_match_data_create(8, NULL);
    sc->mc = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(sc->mc, SIG_PCRE_MATCH_LIMIT);
    pcre2_set_depth_limit(sc->mc, SIG_PCRE_MATCH_LIMIT);
    sc->bits = kw_calloc(s->n / 64 + 1, sizeof *sc->bits);
    sc->cand = kw_calloc(s->n + 1, sizeof *sc->cand);
#ifdef KW_HAVE_HS
    for (int b = 0; b < NET_BUF_COUNT; b++)
        if (s->hs[b] && hs_alloc_scratch(s->hs[b], (hs_scratch_t **)&sc->hs) != HS_SUCCESS)
            abort(); /* only fails on exhaustion, which kw_mem.h makes fatal */
#endif
    return sc;
}

void net_sig_scratch_free(net_sig_scratch *sc)
{
    if (!sc)
        return;
#ifdef KW_HAVE_HS
    hs_free_scratch(sc->hs);
#endif
    pcre2_match_data_free(sc->md);
    pcre2_match_context_free(sc->mc);
    free(sc->bits);
    free(sc->cand);
    free(sc->dot);
    free(sc);
}

/* ---- prefilter ---- */

static void cand_add(net_sig_scratch *sc, uint32_t rule)
{
    sc->bits[rule / 64] |= (uint64_t)1 << (rule % 64);
}

/* The marked rules into cand, in rule order; clears the marks. */
static void cand_collect(net_sig_scratch *sc, size_t nrules)
{
    sc->ncand = 0;
    for (size_t w = 0; w <= nrules / 64; w++) {
        uint64_t x = sc->bits[w];
        sc->bits[w] = 0;
        while (x) {
            sc->cand[sc->ncand++] = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(x));
            x &= x - 1;
        }
    }
}

typedef struct hs_ctx {
    net_sig_scratch *sc;
    const uint32_t *map;
} hs_ctx;

#ifdef KW_HAVE_HS
static int on_hs(unsigned id, unsigned long long from, unsigned long long to, unsigned fl, void *arg)
{
    hs_ctx *c = arg;
    cand_add(c->sc, c->map[id]);
    return 0;
}
#endif

static void prefilter_portable(const net_sig_set *s, net_sig_scratch *sc, int b, net_slice v)
{
    for (size_t j = 0; j < s->nfp[b]; j++) {
        uint32_t ri = s->fp_rules[b][j];
        const net_sig_rule *r = s->rules[ri];
        const uint8_t *p;
        size_t n;
        fast_pattern(r, &p, &n);
        if (net_sig_find(v.p, v.n, 0, p, n, r->el[r->fp].nocase) != SIZE_MAX)
            cand_add(sc, ri);
    }
}

#ifdef KW_HAVE_HS
/* The set's prefilters for rules with only expressions, once compiled, with room for them in
 * this thread's scratch; NULL until then. */
static const sig_prefilter *prefilters(const net_sig_set *s, net_sig_scratch *sc)
{
    const sig_prefilter *p = sig_prefilter_ready(atomic_load_explicit(&((net_sig_set *)s)->pre, memory_order_acquire), false);
    if (p && !sc->pre_scratch) {
        for (int b = 0; b < NET_BUF_COUNT; b++)
            if (sig_prefilter_db(p, b) && hs_alloc_scratch(sig_prefilter_db(p, b), (hs_scratch_t **)&sc->hs) != HS_SUCCESS)
                abort(); /* only fails on exhaustion, which kw_mem.h makes fatal */
        sc->pre_scratch = true;
    }
    return p;
}

/* The first input that reads a buffer some prefilter is for starts compiling them all:
 * captures and hosts that never carry such contents never pay for it. */
static void prefilters_start(const net_sig_set *s, const net_sig_input *in)
{
    bool wanted = false;
    for (int b = 0; b < NET_BUF_COUNT && !wanted; b++)
        wanted = (s->pre_bufs >> b & 1) && net_sig_buf(in, b).n > 0;
    net_sig_set *w = (net_sig_set *)s; /* a cache of the set's, shared by its threads */
    if (wanted && !atomic_exchange(&w->pre_started, true))
        atomic_store_explicit(&w->pre, sig_prefilter_start(s), memory_order_release);
}

static bool hs_scan_buf(const void *db, net_sig_scratch *sc, const uint32_t *map, net_slice v)
{
    hs_ctx c = {sc, map};
    return hs_scan(db, (const char *)v.p, (unsigned)v.n, 0, sc->hs, on_hs, &c) == HS_SUCCESS;
}
#endif

static void prefilter(const net_sig_set *s, net_sig_scratch *sc, const net_sig_input *in)
{
    const uint32_t *always = s->always;
    size_t nalways = s->nalways;
#ifdef KW_HAVE_HS
    if (s->use_hs && s->pre_bufs && !atomic_load_explicit(&s->pre_started, memory_order_relaxed))
        prefilters_start(s, in);
    const sig_prefilter *pre = s->use_hs ? prefilters(s, sc) : NULL;
    bool pre_all = pre != NULL; /* every buffer's expressions were prefiltered */
#endif
    for (int b = 0; b < NET_BUF_COUNT; b++) {
        net_slice v = net_sig_buf(in, b);
        if (v.n == 0)
            continue;
#ifdef KW_HAVE_HS
        if (pre && sig_prefilter_db(pre, b) && (v.n > 0xffffffffu || !hs_scan_buf(sig_prefilter_db(pre, b), sc, sig_prefilter_map(pre, b), v)))
            pre_all = false;
        if (!s->nfp[b])
            continue;
        if (s->use_hs && v.n <= 0xffffffffu && hs_scan_buf(s->hs[b], sc, s->fp_rules[b], v))
            continue; /* else (a scratch shared by two threads) the portable way, same result */
#else
        if (!s->nfp[b])
            continue;
#endif
        prefilter_portable(s, sc, b, v);
    }
#ifdef KW_HAVE_HS
    if (pre_all)
        always = sig_prefilter_always(pre, &nalways);
#endif
    for (size_t i = 0; i < nalways; i++)
        cand_add(sc, always[i]);
}

/* ---- header ---- */

int net_sig_addr_cmp(const void *pa, const void *pb)
{
    const net_addr *a = pa, *b = pb;
    if (a->v6 != b->v6)
        return a->v6 < b->v6 ? -1 : 1;
    return memcmp(a->b, b->b, a->v6 ? 16 : 4);
}

static bool addrs_match(const sig_addrs *l, const net_addr *a)
{
    bool havepos = l->nhosts > 0, hit = false;
    for (size_t i = 0; i < l->n; i++) {
        bool in = l->v[i].a.v6 == a->v6 && kw_addr_in(a, &l->v[i].a, l->v[i].bits);
        if (l->v[i].neg && in)
            return false;
        if (!l->v[i].neg)
            havepos = true, hit |= in;
    }
    if (!hit && l->nhosts)
        hit = bsearch(a, l->hosts, l->nhosts, sizeof *l->hosts, net_sig_addr_cmp) != NULL;
    return l->any || !havepos || hit;
}

static bool ports_match(const sig_ports *l, uint16_t p)
{
    bool havepos = false, hit = false;
    for (size_t i = 0; i < l->n; i++) {
        bool in = p >= l->v[i].lo && p <= l->v[i].hi;
        if (l->v[i].neg && in)
            return false;
        if (!l->v[i].neg)
            havepos = true, hit |= in;
    }
    return l->any || !havepos || hit;
}

static bool ends_match(const net_sig_rule *r, const net_sig_input *in, bool swap)
{
    const net_addr *sa = swap ? &in->dst : &in->src, *da = swap ? &in->src : &in->dst;
    uint16_t sp = swap ? in->dport : in->sport, dp = swap ? in->sport : in->dport;
    if (in->has_addr && (!addrs_match(&r->src, sa) || !addrs_match(&r->dst, da)))
        return false;
    return ports_match(&r->sport, sp) && ports_match(&r->dport, dp);
}

static bool header_match(const net_sig_rule *r, const net_sig_input *in)
{
    if ((r->proto && r->proto != in->proto) || (r->app && r->app != in->app))
        return false;
    if ((in->flags & r->flow_need) != r->flow_need || (in->flags & r->flow_deny))
        return false;
    return ends_match(r, in, false) || (r->bidir && ends_match(r, in, true));
}

/* ---- elements of one buffer ---- */

typedef struct chain {
    const sig_elem *el;
    size_t n;
    const uint8_t *h;
    size_t hn;
    net_sig_scratch *sc;
    int budget;
} chain;

static bool chain_from(chain *c, size_t i, size_t prev);

/* The window [lo, hi) a content must lie in; false when it cannot fit. */
static bool content_window(const sig_elem *e, size_t hn, size_t prev, size_t *lo, size_t *hi)
{
    int64_t l = 0, h = (int64_t)hn;
    if (e->relative) {
        int64_t base = (int64_t)prev + e->distance;
        l = base < 0 ? 0 : base;
        if (e->has_within && base + e->within < h)
            h = base + e->within;
    }
    if (e->offset > l)
        l = e->offset;
    /* depth counts from offset; for a relative content from the previous match too */
    int64_t end = (int64_t)e->offset + e->depth + (e->relative ? (int64_t)prev : 0);
    if (e->has_depth && end < h)
        h = end;
    if (e->endswith && (int64_t)hn - (int64_t)e->len > l)
        l = (int64_t)hn - (int64_t)e->len;
    if (h - l < (int64_t)e->len)
        return false;
    *lo = (size_t)l;
    *hi = (size_t)h;
    return true;
}

/* Does the element after i depend on where element i matched? */
static bool next_relative(const chain *c, size_t i)
{
    return i + 1 < c->n && c->el[i + 1].relative;
}

static bool content_step(chain *c, size_t i, size_t prev)
{
    const sig_elem *e = &c->el[i];
    size_t lo, hi;
    bool fits = content_window(e, c->hn, prev, &lo, &hi);
    size_t pos = fits ? net_sig_find(c->h, hi, lo, e->pat, e->len, e->nocase) : SIZE_MAX;
    if (e->neg)
        return pos == SIZE_MAX && chain_from(c, i + 1, prev);
    for (; pos != SIZE_MAX; pos = net_sig_find(c->h, hi, pos + 1, e->pat, e->len, e->nocase)) {
        if (e->endswith && pos + e->len != c->hn)
            continue;
        if (chain_from(c, i + 1, pos + e->len))
            return true;
        if (!next_relative(c, i) || --c->budget <= 0)
            return false;
    }
    return false;
}

static bool pcre_step(chain *c, size_t i, size_t prev)
{
    const sig_elem *e = &c->el[i];
    size_t start = e->relative ? (prev < c->hn ? prev : c->hn) : 0;
    static const uint8_t empty[1];
    const uint8_t *subj = c->hn ? c->h + start : empty;
    int rc = pcre2_match(e->re, subj, c->hn - start, 0, 0, c->sc->md, c->sc->mc);
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
        return false; /* a limit hit: neither a match nor a proven absence */
    if (e->neg)
        return rc < 0 && chain_from(c, i + 1, prev);
    if (rc < 0)
        return false;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->sc->md);
    return chain_from(c, i + 1, start + ov[1]);
}

static bool size_ok(const sig_elem *e, size_t n)
{
    switch (e->cmp) {
    case SIG_CMP_LT: return n < e->num;
    case SIG_CMP_GT: return n > e->num;
    case SIG_CMP_RANGE: return n > e->num && n < e->num2;
    default: return n == e->num;
    }
}

static bool chain_from(chain *c, size_t i, size_t prev)
{
    if (i == c->n)
        return true;
    const sig_elem *e = &c->el[i];
    bool ok;
    switch (e->kind) {
    case SIG_CONTENT:
        return content_step(c, i, prev);
    case SIG_PCRE:
        return pcre_step(c, i, prev);
    case SIG_ISDATAAT:
        ok = e->relative ? (uint64_t)prev + e->num <= c->hn : e->num < c->hn;
        return ok != e->neg && chain_from(c, i + 1, prev);
    default: /* bsize, urilen */
        return size_ok(e, c->hn) && chain_from(c, i + 1, prev);
    }
}

/* v with a '.' before it, in the scratch. */
static net_slice dot_prefixed(net_sig_scratch *sc, net_slice v)
{
    kw_grow(&sc->dot, &sc->dotcap, v.n + 1, 1);
    sc->dot[0] = '.';
    if (v.n)
        memcpy(sc->dot + 1, v.p, v.n);
    return (net_slice){sc->dot, v.n + 1};
}

static bool elems_match(const net_sig_rule *r, net_sig_scratch *sc, const net_sig_input *in)
{
    int budget = SIG_BACKTRACK_BUDGET;
    for (size_t i = 0; i < r->nel;) {
        size_t j = i;
        while (j < r->nel && r->el[j].buf == r->el[i].buf && r->el[j].dot == r->el[i].dot)
            j++;
        net_slice v = net_sig_buf(in, r->el[i].buf);
        if (r->el[i].dot)
            v = dot_prefixed(sc, v);
        chain c = {r->el + i, j - i, v.p, v.n, sc, budget};
        if (!chain_from(&c, 0, 0))
            return false;
        budget = c.budget > 0 ? c.budget : 1;
        i = j;
    }
    return true;
}

static bool rule_match(const net_sig_rule *r, net_sig_scratch *sc, const net_sig_input *in)
{
    return header_match(r, in) && elems_match(r, sc, in);
}

/* ---- the whole set ---- */

static bool pass_matches(const net_sig_set *s, net_sig_scratch *sc, const net_sig_input *in)
{
    for (size_t k = 0; k < sc->ncand; k++) {
        const net_sig_rule *r = s->rules[sc->cand[k]];
        if (r->action == NET_SIG_PASS && rule_match(r, sc, in))
            return true;
    }
    return false;
}

size_t net_sig_match(const net_sig_set *s, net_sig_scratch *sc, const net_sig_input *in,
                     net_sig_match_fn on_match, void *arg)
{
    prefilter(s, sc, in);
    cand_collect(sc, s->n);
    if (sc->ncand == 0)
        return 0;
    if (pass_matches(s, sc, in))
        return 0;
    size_t hits = 0;
    for (size_t k = 0; k < sc->ncand; k++) {
        const net_sig_rule *r = s->rules[sc->cand[k]];
        if (r->action == NET_SIG_PASS || r->noalert || !rule_match(r, sc, in))
            continue;
        hits++;
        if (on_match)
            on_match(arg, r);
    }
    return hits;
}
