/* Signatures in Suricata's rule format, matched against the named buffers of one request
 * (HTTP method, URI, headers, body, DNS query name, TLS SNI, raw payload).
 *
 * The engine is pure: rules come in as text, requests as slices, matches go out through a
 * callback; nothing here reads a file or a socket. A set is built once (a builder takes any
 * number of rule texts, then compiles them) and is read-only afterwards, so any number of
 * threads may match against it at once, each with its own scratch.
 *
 * Matching: one multi-pattern prefilter per buffer (Hyperscan when built with KW_HAVE_HS, a
 * memmem loop otherwise: the same results) over each rule's fast pattern; only the rules whose
 * fast pattern hit, plus the few without a content, are verified in full (contents with their
 * positions, PCRE2 JIT expressions, isdataat, bsize, urilen).
 *
 * What is supported and what makes a rule skipped is listed at the top of net_sig_parse.c; a
 * rule with a keyword keepwatch does not know is skipped whole (never half-run) and the report
 * names the keyword. */
#ifndef NET_SIG_H
#define NET_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kw_err.h"
#include "net/net.h"

/* The buffers a request offers. A buffer the caller leaves empty (n == 0) matches no content;
 * HTTP_URI_RAW and HTTP_HEADER_RAW left NULL fall back to HTTP_URI and HTTP_HEADER. */
typedef enum net_buf_id {
    NET_BUF_HTTP_METHOD,
    NET_BUF_HTTP_URI,          /* normalised, percent-decoded */
    NET_BUF_HTTP_URI_RAW,      /* as sent */
    NET_BUF_HTTP_HEADER,       /* request headers but Cookie (as Suricata), "Name: value\r\n" each */
    NET_BUF_HTTP_HEADER_RAW,
    NET_BUF_HTTP_COOKIE,       /* the Cookie header's value */
    NET_BUF_HTTP_USER_AGENT,
    NET_BUF_HTTP_HOST,
    NET_BUF_HTTP_REQUEST_BODY, /* the start of the body, dechunked */
    NET_BUF_HTTP_CONTENT_TYPE,
    NET_BUF_HTTP_REQUEST_LINE, /* "GET /x HTTP/1.1" */
    NET_BUF_DNS_QUERY,
    NET_BUF_TLS_SNI,
    NET_BUF_PAYLOAD,           /* raw stream start or packet payload */
    NET_BUF_COUNT
} net_buf_id;


/* The application protocol of the input, for rules whose header says http, dns or tls. */
enum { NET_SIG_APP_NONE = 0, NET_SIG_APP_HTTP, NET_SIG_APP_DNS, NET_SIG_APP_TLS };

/* flags of an input, for the flow keyword */
enum { NET_SIG_TO_SERVER = 0x1, NET_SIG_TO_CLIENT = 0x2, NET_SIG_ESTABLISHED = 0x4 };

typedef struct net_sig_input {
    net_slice b[NET_BUF_COUNT];
    bool has_addr;          /* false: the rules' address parts are not checked */
    net_addr src, dst;
    uint8_t proto;          /* IP protocol: 6 TCP, 17 UDP */
    uint8_t app;            /* NET_SIG_APP_* */
    uint16_t sport, dport;
    uint32_t flags;         /* NET_SIG_TO_SERVER, ... */
} net_sig_input;

/* ---- loading ---- */

/* A rule-file variable: name without '$' ("HOME_NET"), value as in suricata.yaml
 * ("[10.0.0.0/8,192.168.0.0/16]", "!$HOME_NET", "80", "[80,8080]"). A variable the table
 * lacks is "any". */
typedef struct net_sig_var {
    const char *name, *value;
} net_sig_var;

/* One rule that was not loaded. */
typedef struct net_sig_skip {
    char origin[96];        /* the origin given to the loader ("file.rules") */
    unsigned line;          /* 1-based line where the rule starts */
    uint32_t sid;           /* 0 if the rule had none that could be read */
    char reason[128];       /* "unsupported keyword: byte_test", "parse error: ..." */
} net_sig_skip;

#define NET_SIG_REPORT_MAX_SKIPS 10000

/* What a load did: counts of all rules, details of the first NET_SIG_REPORT_MAX_SKIPS
 * skipped ones. Zero it before the first load; it accumulates over loads. */
typedef struct net_sig_report {
    size_t loaded, skipped;
    size_t nskips, cap;
    net_sig_skip *skips;    /* owned; freed by net_sig_report_free */
} net_sig_report;

void net_sig_report_free(net_sig_report *rep);

typedef struct net_sig_builder net_sig_builder;
typedef struct net_sig_set net_sig_set;
typedef struct net_sig_rule net_sig_rule;

/* A builder using the variables vars[0..nvars) (copied). Returns a builder the caller
 * compiles with net_sig_builder_compile or frees with net_sig_builder_free. */
net_sig_builder *net_sig_builder_new(const net_sig_var *vars, size_t nvars);
void net_sig_builder_free(net_sig_builder *b);

/* Parses the rules in text[0..n) (one per line, '\' continues a line, '#' comments) into the
 * builder; origin names them in the report. Rules that do not load are counted in rep (which
 * may be NULL). Returns KW_OK, or KW_ERR_RANGE once the builder holds NET_SIG_MAX_RULES. */
#define NET_SIG_MAX_RULES 200000
#define NET_SIG_MAX_LINE 65536
kw_rc net_sig_builder_add(net_sig_builder *b, const char *text, size_t n, const char *origin,
                          net_sig_report *rep);
/* Adds keepwatch's built-in rules (the rules directory, embedded at build time). */
kw_rc net_sig_builder_add_builtin(net_sig_builder *b, net_sig_report *rep);

/* Compiles the builder's rules into a set and frees the builder. Returns KW_OK with *out a
 * set the caller frees with net_sig_set_free, or an error (err says why) and *out NULL. */
kw_rc net_sig_builder_compile(net_sig_builder *b, net_sig_set **out, char *err, size_t errn);

/* One text, no variables: builder_new, add, compile. */
kw_rc net_sig_set_load(net_sig_set **out, const char *text, size_t n, const char *origin,
                       net_sig_report *rep);
void net_sig_set_free(net_sig_set *s);
size_t net_sig_set_count(const net_sig_set *s);
/* The set's i-th rule (in load order); it lives as long as the set. */
const net_sig_rule *net_sig_set_rule(const net_sig_set *s, size_t i);
/* True when matching prefilters with Hyperscan. */
bool net_sig_set_hyperscan(const net_sig_set *s);
/* Internal, for tests and benchmarks: false makes matching use the portable prefilter. */
void net_sig_set_use_hyperscan(net_sig_set *s, bool on);
/* Internal, for tests: waits until the rules with only expressions have their Hyperscan
 * prefilters (compiled on a thread of their own); true if some do. */
bool net_sig_set_wait_prefilters(const net_sig_set *s);

/* ---- matching ---- */

typedef struct net_sig_scratch net_sig_scratch;

/* Per-thread matching state for s (which must outlive it). Returns a scratch the caller
 * frees with net_sig_scratch_free. */
net_sig_scratch *net_sig_scratch_new(const net_sig_set *s);
void net_sig_scratch_free(net_sig_scratch *sc);

typedef void (*net_sig_match_fn)(void *arg, const net_sig_rule *r);

/* Runs in through the set. A matching pass rule suppresses every alert for this input;
 * otherwise each matching alert/drop/reject rule without noalert is reported to on_match
 * (may be NULL) in load order. Returns how many were reported. */
size_t net_sig_match(const net_sig_set *s, net_sig_scratch *sc, const net_sig_input *in,
                     net_sig_match_fn on_match, void *arg);

/* ---- a rule's fields; strings live as long as the set, "" when the rule had none ---- */

typedef enum { NET_SIG_ALERT, NET_SIG_PASS, NET_SIG_DROP, NET_SIG_REJECT } net_sig_action;

uint32_t net_sig_rule_sid(const net_sig_rule *r);
uint32_t net_sig_rule_gid(const net_sig_rule *r);
uint32_t net_sig_rule_rev(const net_sig_rule *r);
int net_sig_rule_priority(const net_sig_rule *r);       /* 0 when the rule set none */
net_sig_action net_sig_rule_action(const net_sig_rule *r);
const char *net_sig_rule_msg(const net_sig_rule *r);
const char *net_sig_rule_classtype(const net_sig_rule *r);
/* keepwatch's category, from "metadata: kw_category sqli" (built-in rules carry one) */
const char *net_sig_rule_category(const net_sig_rule *r);
/* all metadata as written, "key value, key value" */
const char *net_sig_rule_metadata(const net_sig_rule *r);
size_t net_sig_rule_nrefs(const net_sig_rule *r);
/* the i-th reference as written, "url,example.com/x" or "cve,2021-44228" */
const char *net_sig_rule_ref(const net_sig_rule *r, size_t i);
const char *net_sig_rule_origin(const net_sig_rule *r);  /* "file.rules:12" */

#endif
