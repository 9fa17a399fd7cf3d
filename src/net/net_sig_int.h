/* Internals shared by the signature parser (net_sig_parse.c) and matcher (net_sig_match.c):
 * the compiled form of a rule and of a set. Nothing outside those two files includes it. */
#ifndef NET_SIG_INT_H
#define NET_SIG_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/kw_map.h"
#include "net/net_sig.h"

#include <stdatomic.h>

typedef enum { SIG_CONTENT, SIG_PCRE, SIG_ISDATAAT, SIG_BSIZE, SIG_URILEN } sig_kind;
typedef enum { SIG_CMP_EQ, SIG_CMP_LT, SIG_CMP_GT, SIG_CMP_RANGE } sig_cmp;

/* One detection element, inspected in one buffer. */
typedef struct sig_elem {
    uint8_t kind, buf;
    bool neg, nocase, relative, startswith, endswith, has_depth, has_within, has_distance;
    bool fast, fast_only;
    bool dot;               /* the buffer is seen with a '.' before it (dotprefix) */
    int32_t offset, depth, distance, within;
    uint8_t *pat;           /* content bytes */
    size_t len;
    uint32_t fp_off, fp_len; /* fast_pattern:off,len chop */
    pcre2_code *re;
    char *re_src;           /* the expression as written, and its PCRE2 options: for Hyperscan */
    uint32_t re_opts;
    uint32_t num, num2;     /* isdataat position; bsize/urilen bounds */
    uint8_t cmp;            /* sig_cmp */
} sig_elem;

/* An address or port list: positives (empty: any) and negatives. */
typedef struct sig_addr {
    net_addr a;
    uint8_t bits;
    bool neg;
} sig_addr;
typedef struct sig_port {
    uint16_t lo, hi;
    bool neg;
} sig_port;
typedef struct sig_addrs {
    sig_addr *v;            /* negatives and positive prefixes */
    size_t n;
    net_addr *hosts;        /* positive single addresses, sorted (sig_addr_cmp) */
    size_t nhosts;
    bool any;
} sig_addrs;
typedef struct sig_ports {
    sig_port *v;
    size_t n;
    bool any;
} sig_ports;

struct net_sig_rule {
    uint8_t action;         /* net_sig_action */
    uint8_t proto;          /* 0 any IP, else the IP protocol */
    uint8_t app;            /* NET_SIG_APP_* or NONE */
    bool bidir, noalert;
    uint32_t flow_need, flow_deny; /* NET_SIG_* flags the input must have / must lack */
    sig_addrs src, dst;
    sig_ports sport, dport;
    uint32_t sid, gid, rev;
    int priority;
    char *msg, *classtype, *category, *metadata, *origin;
    char **refs;
    size_t nrefs;
    sig_elem *el;           /* grouped by buffer, in rule order within a buffer */
    size_t nel;
    int fp;                 /* index in el of the fast pattern, -1: none (always verified) */
};

struct net_sig_builder {
    net_sig_var *vars;
    size_t nvars;
    net_sig_rule **rules;
    size_t n, cap;
    kw_map sids;            /* "gid:sid" of the rules taken */
};

struct net_sig_set {
    net_sig_rule **rules;
    size_t n;
    uint32_t *always;       /* rules without a fast pattern */
    size_t nalways;
    /* per buffer: the rules whose fast pattern is in it */
    uint32_t *fp_rules[NET_BUF_COUNT];
    size_t nfp[NET_BUF_COUNT];
    void *hs[NET_BUF_COUNT]; /* hs_database_t *, NULL without Hyperscan */
    /* the expressions of rules in always, prefiltered: started by the first input with a
     * buffer in pre_bufs (one such rule reads it), ready some milliseconds later */
    _Atomic(struct sig_prefilter *) pre;
    atomic_bool pre_started;
    uint32_t pre_bufs;
    bool use_hs;
};

/* Order of single addresses: IPv4 before IPv6, then by their bytes. */
int net_sig_addr_cmp(const void *a, const void *b);
/* The slice of buffer id in in, with the raw buffers' fallbacks. */
net_slice net_sig_buf(const net_sig_input *in, int id);
/* Position of pat[0..m) in h[0..n) at or after from, optionally caseless; SIZE_MAX if none. */
size_t net_sig_find(const uint8_t *h, size_t n, size_t from, const uint8_t *pat, size_t m, bool nocase);
/* Builds the per-buffer Hyperscan databases of s; false when it could not (s falls back). */
bool net_sig_hs_build(net_sig_set *s);
void net_sig_hs_free(net_sig_set *s);

/* ---- Hyperscan prefilters for rules with only expressions (net_sig_prefilter.c) ---- */
typedef struct sig_prefilter sig_prefilter;
/* Starts compiling, on a thread of its own, the prefilters of s's rules without a fast
 * pattern; NULL when none can be (or without Hyperscan). Released with sig_prefilter_release. */
sig_prefilter *sig_prefilter_start(const net_sig_set *s);
/* The buffers (bit b: buffer b) some rule without a fast pattern has a prefilter for. */
uint32_t sig_prefilter_bufs(const net_sig_set *s);
/* p once its prefilters are compiled, else NULL (at once, or when `wait`, once it is done). */
const sig_prefilter *sig_prefilter_ready(const sig_prefilter *p, bool wait);
/* Of a ready p: buffer buf's database (hs_database_t *, NULL: none) and its ids' rules; the
 * rules still candidates on every input. */
void *sig_prefilter_db(const sig_prefilter *p, int buf);
const uint32_t *sig_prefilter_map(const sig_prefilter *p, int buf);
const uint32_t *sig_prefilter_always(const sig_prefilter *p, size_t *n);
void sig_prefilter_release(sig_prefilter *p);
/* An expression loosened for prefiltering: large counted repeats made open ({1,300} ->
 * {1,}), so it matches at least what re matches. The caller frees it. */
char *sig_prefilter_expr(const char *re);
void net_sig_rule_free(net_sig_rule *r);

#endif
