/* Device and firewall configurations in one rule model (audit_acl.c), the vendor parsers that
 * fill it (audit_acl_VENDOR.c), and the analysis over it (audit_acl_analyze.c, _path.c).
 *
 * A rule matches a box in the packet space: ingress zone (or interface) x egress zone x source
 * address x destination address x protocol x source port x destination port. Each dimension is
 * an acl_dim: a sorted list of disjoint inclusive ranges. Addresses are 128-bit: IPv6 as is,
 * IPv4 mapped (::ffff:a.b.c.d); "any" is the whole space of the dimension. Zones are ids into
 * the config's zone table. A protocol without ports (icmp, gre, ip) leaves both port
 * dimensions whole, so "permit ip any any" covers "permit tcp any any eq 80" exactly.
 *
 * Parsers do no I/O: they take the text and fill an acl_config; nothing they do not understand
 * is fatal (the statement is kept, counted in unknown, and its first lines listed). */
#ifndef KW_AUDIT_ACL_H
#define KW_AUDIT_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/kw_err.h"

typedef unsigned __int128 acl_u128;

#define ACL_ADDR_MAX (~(acl_u128)0)
#define ACL_V4_BASE ((acl_u128)0xffff << 32)   /* ::ffff:0.0.0.0 */
#define ACL_PORT_MAX 65535u
#define ACL_PROTO_MAX 255u
#define ACL_ZONE_MAX 0xffffffffu

typedef struct acl_range {
    acl_u128 lo, hi;           /* inclusive */
} acl_range;

typedef struct acl_dim {
    acl_range *v;              /* sorted, disjoint, not adjacent (merged) */
    size_t n, cap;
} acl_dim;

typedef enum acl_action {
    ACL_PERMIT = 0,            /* permit, accept, allow */
    ACL_DENY = 1,              /* deny, drop, reject */
    ACL_JUMP = 2,              /* to another list (iptables -j CHAIN, nft jump/goto): target says which */
    ACL_RETURN = 3,            /* back to the calling list */
    ACL_OTHER = 4,             /* not decisive (log, mark, counter): the packet goes on */
} acl_action;

typedef struct acl_rule {
    int line;                  /* 1-based line of the rule's first statement in its file */
    char *text;                /* the rule as written (its lines joined by " ; " when several) */
    char *name;                /* how the vendor names it: "rule 5", "policy 12 (web-in)", "-A INPUT #3" */
    acl_action action;
    char *target;              /* ACL_JUMP: the list jumped to (NULL otherwise) */
    bool go;                   /* ACL_JUMP as nft goto: no return to this list */
    bool log;                  /* it logs what it matches */
    bool disabled;             /* inactive (disable, inactive, time-range never): not matched */
    bool partial;              /* it matches only some packets of its box (conntrack state, flags,
                                  time ranges, users, applications: what the model does not say) */
    acl_dim zin, zout;         /* ingress and egress zones / interfaces (whole: any) */
    acl_dim src, dst;          /* addresses */
    acl_dim proto;             /* IP protocol numbers 0-255 */
    acl_dim sport, dport;      /* 0-65535 */
} acl_rule;

typedef struct acl_list {
    char *name;                /* "3000", "INPUT", "OUTSIDE_IN", "filter INPUT", "security-policy" */
    char *kind;                /* "acl", "chain", "policy" */
    int line;                  /* where it is declared (0: implied) */
    acl_action fallthrough;    /* what an unmatched packet gets: ACL_DENY (implicit deny),
                                  ACL_PERMIT (policy ACCEPT), ACL_RETURN (a user chain), ACL_OTHER (unknown) */
    int fallthrough_line;      /* the statement that sets it (0: the vendor's default) */
    bool egress;               /* it filters what this host sends (iptables OUTPUT, nft hook output): a
                                  default permit there is common practice, a low finding */
    bool entry;                /* packets enter here (a built-in chain, an ACL bound to an interface,
                                  a policy table), not only by a jump */
    char **bound;              /* where it is applied: "GigabitEthernet0/0/1 inbound" */
    size_t nbound;
    acl_rule *v;
    size_t n, cap;
} acl_list;

/* A finding a parser saw that is not about rule order: device management (telnet on vty,
 * SNMP communities, plaintext passwords, banners, timeouts), vendor specifics. */
typedef struct acl_issue {
    const char *id;            /* "KW-DEV-TELNET" (static) */
    const char *title_en;      /* static */
    const char *title_zh;      /* static */
    const char *fix;           /* static */
    finding_sev sev;
    int line;                  /* 0: about something absent */
    char *text;                /* the statement (NULL when absent) */
    char *why;                 /* what was found */
} acl_issue;

typedef struct acl_config {
    const char *vendor;        /* the acl_vendor's name */
    acl_list *lists;
    size_t nlists, caplists;
    char **zones;              /* zone id -> name */
    size_t nzones, capzones;
    acl_issue *issues;
    size_t nissues, capissues;
    size_t statements;         /* statements read */
    size_t unknown;            /* statements not understood (kept, counted) */
    int unknown_lines[16];     /* the first of them */
    size_t nunknown_lines;
} acl_config;

/* ---- sets (audit_acl.c) ---- */

void acl_dim_free(acl_dim *d);
void acl_dim_clear(acl_dim *d);
/* Adds [lo, hi] (lo <= hi), merging overlapping and adjacent ranges. */
void acl_dim_add(acl_dim *d, acl_u128 lo, acl_u128 hi);
/* The whole dimension up to max. */
void acl_dim_all(acl_dim *d, acl_u128 max);
bool acl_dim_is_all(const acl_dim *d, acl_u128 max);
/* Replaces d by its complement in [0, max]. */
void acl_dim_invert(acl_dim *d, acl_u128 max);
/* out = a (copied; out is cleared first). */
void acl_dim_copy(acl_dim *out, const acl_dim *a);
/* Adds an address prefix; v4 true: addr holds an IPv4 address in its low 32 bits. */
void acl_dim_add_prefix(acl_dim *d, acl_u128 addr, int bits, bool v4);
/* Parses "10.1.0.0/16", "10.1.2.3", "2001:db8::/32", "any" into d (added); "10.0.0.0
 * 0.0.0.255" style wildcard masks are acl_dim_add_wildcard's. false when not an address. */
bool acl_dim_add_text(acl_dim *d, const char *s);
/* An address with a Cisco/Huawei wildcard (inverse) mask ("0.0.0.255") or, mask true, a
 * netmask ("255.255.255.0"); a non-contiguous wildcard adds every matching address range
 * (at most 65,536 ranges: false beyond, nothing added). */
bool acl_dim_add_wildcard(acl_dim *d, uint32_t addr, uint32_t mask, bool netmask);
/* The number of points, saturated at ACL_ADDR_MAX. */
acl_u128 acl_dim_size(const acl_dim *d);

/* ---- the configuration (audit_acl.c) ---- */

acl_config *acl_config_new(const char *vendor);
/* Frees c and all it holds; NULL is fine. */
void acl_config_free(acl_config *c);
/* The list named name (kind is set when it is made), made when absent; borrowed from c. The
 * pointer is valid until the next acl_list_get on c. */
acl_list *acl_list_get(acl_config *c, const char *name, const char *kind);
/* A new rule at the end of l, every dimension whole, action ACL_PERMIT; borrowed from l (valid
 * until the next acl_rule_add on l). text and name are copied. */
acl_rule *acl_rule_add(acl_list *l, int line, const char *text, const char *name);
/* The id of zone name (case-insensitive), added when absent. */
uint32_t acl_zone_id(acl_config *c, const char *name);
/* Records an issue (text and why copied; either may be NULL). */
void acl_issue_add(acl_config *c, const char *id, const char *title_en, const char *title_zh, const char *fix,
                   finding_sev sev, int line, const char *text, const char *why);
/* Counts a statement not understood at line. */
void acl_unknown(acl_config *c, int line);
/* Adds a binding ("Gi0/1 in") to l (copied). */
void acl_list_bind(acl_list *l, const char *where);

/* ---- vendors (audit_acl_vendor.c) ---- */

typedef struct acl_vendor {
    const char *name;          /* "huawei", "h3c", "cisco-ios", "cisco-asa", "iptables", "nftables", "fortigate" */
    const char *title;         /* "Huawei VRP / USG" */
    /* How sure the text is of this vendor, 0 (not) to 100 (certain), from its first bytes. */
    int (*sniff)(const char *text, size_t len);
    /* Fills c from the text. KW_ERR_PARSE with err when it is not this vendor's
       configuration at all; unknown statements are counted, never fatal. */
    kw_rc (*parse)(acl_config *c, const char *text, size_t len, char *err, size_t errn);
} acl_vendor;

extern const acl_vendor acl_vendors[];  /* ends with {0} */
const acl_vendor *acl_vendor_find(const char *name);
/* The best sniff over 30 (NULL: none says so). */
const acl_vendor *acl_vendor_guess(const char *text, size_t len);

/* Parses text as vendor (NULL: guessed). Returns the config, which the caller frees with
 * acl_config_free, or NULL with err (KW_ERR_PARSE: not a configuration keepwatch reads). */
kw_rc acl_parse(const char *text, size_t len, const char *vendor, acl_config **out, char *err, size_t errn);

/* ---- analysis (audit_acl_analyze.c) ---- */

typedef struct acl_stats {
    size_t rules, lists, shadowed, redundant, conflicts, findings;
    size_t inexact;            /* rules whose exact analysis hit the box bound (reported as notes) */
} acl_stats;

/* Emits every finding of c (file: the path as the user named it): over-broad and high-risk
 * permits, shadowed and redundant rules (exact over the packet space), conflicts (notes),
 * no final deny, denies without logging where the vendor logs, and the parser's issues. */
kw_rc acl_analyze(const acl_config *c, const char *file, audit_emit emit, void *arg, acl_stats *st);

/* ---- one packet (audit_acl_path.c) ---- */

typedef struct acl_packet {
    acl_u128 src, dst;         /* mapped as in the model */
    unsigned proto;            /* 6, 17, 1, ... */
    unsigned sport, dport;     /* 0 when the protocol has none */
    const char *zin, *zout;    /* ingress / egress zone or interface (NULL: not given: only rules
                                  for any zone match) */
} acl_packet;

typedef struct acl_verdict {
    const acl_list *list;      /* the list it was decided in (the entry list it entered) */
    const acl_rule *rule;      /* the rule that decided (NULL: the list's fall-through) */
    acl_action action;         /* ACL_PERMIT or ACL_DENY, ACL_OTHER when not known */
    bool uncertain;            /* a partial rule matched on the way: the answer depends on state */
    const acl_rule *partial;   /* the first of them: it decides only some such packets (established
                                  connections, a time range); the verdict is for the others */
    char via[512];             /* the jumps followed: "INPUT -> ssh_in" */
} acl_verdict;

/* Decides p in every entry list of c (or only the list named list): out[0..*n) (at most max).
 * KW_ERR_NOTFOUND when list is given and c has no list of that name. */
kw_rc acl_path(const acl_config *c, const acl_packet *p, const char *list, acl_verdict *out, size_t max, size_t *n);

#endif
