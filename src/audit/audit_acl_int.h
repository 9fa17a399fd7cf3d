/* Inside the ACL family: each vendor parser's entry points (one file each), and the text
 * helpers they share (audit_acl_text.c). */
#ifndef KW_AUDIT_ACL_INT_H
#define KW_AUDIT_ACL_INT_H

#include "audit/audit_acl.h"

/* Huawei VRP and USG (audit_acl_huawei.c), H3C Comware (audit_acl_h3c.c), Cisco IOS and ASA
 * (audit_acl_cisco.c, audit_acl_asa.c), iptables-save (audit_acl_iptables.c), nftables text
 * and JSON (audit_acl_nft.c, audit_acl_nft_json.c), FortiGate (audit_acl_forti.c). */

int acl_iptables_sniff(const char *text, size_t len);
kw_rc acl_iptables_parse(acl_config *c, const char *text, size_t len, char *err, size_t errn);
/* Text (nft list ruleset) or JSON (nft -j list ruleset), told apart by the first non-blank byte. */
int acl_nft_sniff(const char *text, size_t len);
kw_rc acl_nft_parse(acl_config *c, const char *text, size_t len, char *err, size_t errn);
kw_rc acl_nft_json_parse(acl_config *c, const char *text, size_t len, char *err, size_t errn);
/* The text form alone (acl_nft_parse, audit_acl_nft_parse.c, picks text or JSON). */
kw_rc acl_nft_text_parse(acl_config *c, const char *text, size_t len, char *err, size_t errn);
int acl_forti_sniff(const char *text, size_t len);
kw_rc acl_forti_parse(acl_config *c, const char *text, size_t len, char *err, size_t errn);

/* ---- line-oriented text helpers of the iptables, nftables and FortiGate parsers
 *      (audit_acl_ltext.c; the merger may fold them into audit_acl_text.c) ---- */

#define ACL_LT_LINE_MAX 4096   /* longer lines are read up to here (the rest is cut) */
#define ACL_LT_TOK_MAX 256     /* tokens per line; more are dropped */

/* One line of a text: [*line, *line + *n) without its newline (a trailing \r is cut too).
 * *pos is where the next starts; false at the end. */
bool acl_lt_next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n);

/* Splits a line into tokens: blank-separated words, "double" and 'single' quoted strings
 * (quotes removed, backslash escapes the next byte). The tokens point into buf (bufn bytes;
 * the line is cut to fit). Returns how many (at most max); *quoted (may be NULL) gets a bit
 * per token (the first 64) that was quoted. */
size_t acl_lt_split(const char *line, size_t n, char *buf, size_t bufn, char **tok, size_t max, uint64_t *quoted);

/* A port number or service name ("ssh", "https", "domain") into *port. */
bool acl_lt_port(const char *s, unsigned *port);
/* An IP protocol number or name ("tcp", "udp", "icmp", "ipv6-icmp", "gre") into *proto. */
bool acl_lt_proto(const char *s, unsigned *proto);
/* Adds "80", "ssh", "1024:65535" or "1024-65535" (sep: the range separator) to d. */
bool acl_lt_port_range(acl_dim *d, const char *s, char sep);
/* acl_dim_add_text, refusing a dotted netmask ("/255.0.255.0") with more than 8 non-contiguous
 * bits: their ranges (up to 65,536) cost seconds to add from hostile text. */
bool acl_lt_addr(acl_dim *d, const char *s);
/* Adds "lo-hi" (two addresses of one family) to d. */
bool acl_lt_addr_range(acl_dim *d, const char *s);
/* A copy of s into buf[n] lower-cased. */
void acl_lt_lower(char *buf, size_t n, const char *s);
/* Whether two dims hold the same ranges. */
bool acl_lt_dim_eq(const acl_dim *a, const acl_dim *b);
/* Whether every dimension of a and b is equal (the same box). */
bool acl_lt_box_eq(const acl_rule *a, const acl_rule *b);
/* Whether text[0..len) holds needle at the start of a line (after blanks), within the first
 * limit bytes. */
bool acl_lt_has_line(const char *text, size_t len, size_t limit, const char *needle);
/* Adds the zone named name (made in c when new) to d. */
void acl_lt_zone_add(acl_config *c, acl_dim *d, const char *name);

/* What an nftables match tests (audit_acl_nft.c, shared with audit_acl_nft_json.c). */
typedef enum acl_nft_sel {
    ACL_NFT_NONE = 0, ACL_NFT_SRC, ACL_NFT_DST, ACL_NFT_PROTO, ACL_NFT_SPORT, ACL_NFT_DPORT,
    ACL_NFT_ZIN, ACL_NFT_ZOUT,
} acl_nft_sel;

/* The selector of "ip saddr", "tcp dport", "meta l4proto", "iifname" (proto "meta" for the bare
 * interface keys); *impl gets the protocol it implies (6 for tcp; ACL_NFT_TH for th; 0 none). */
#define ACL_NFT_TH 1000u
acl_nft_sel acl_nft_selector(const char *proto, const char *field, unsigned *impl);
/* Adds one value ("10.0.0.0/8", "10.0.0.1-10.0.0.9", "80-90", "ssh", "tcp", "eth0") to d. */
bool acl_nft_value(acl_config *c, acl_nft_sel s, const char *v, acl_dim *d);
/* Sets r's dimension s to d (inverted when neg), and the protocol impl implies. */
void acl_nft_apply(acl_rule *r, acl_nft_sel s, const acl_dim *d, bool neg, unsigned impl);

/* Named sets of a ruleset, by "FAMILY TABLE NAME"; kind: how its elements read (from its type). */
typedef struct acl_nft_setv {
    char *key;
    acl_nft_sel kind;
    acl_dim d;
    bool bad;                  /* an element not read: a rule using it is partial */
} acl_nft_setv;
typedef struct acl_nft_sets {
    acl_nft_setv *v;
    size_t n, cap;
} acl_nft_sets;
/* A new set (borrowed from s, valid until the next add); kind from its type ("ipv4_addr"). */
acl_nft_setv *acl_nft_set_add(acl_nft_sets *s, const char *family, const char *table, const char *name, const char *type);
/* The set @name refers to in that table, NULL when none. */
const acl_nft_setv *acl_nft_set_find(const acl_nft_sets *s, const char *family, const char *table, const char *name);
void acl_nft_sets_free(acl_nft_sets *s);

/* ---- end of the line-oriented helpers ---- */

/* ==== network devices (Huawei, H3C, Cisco IOS, ASA): entry points and shared text helpers
 * (audit_acl_text.c, audit_acl_vrp.c) ==== */

int acl_huawei_sniff(const char *text, size_t len);
kw_rc acl_huawei_parse(acl_config *c, const char *text, size_t len, char *err, size_t errn);
int acl_h3c_sniff(const char *text, size_t len);
kw_rc acl_h3c_parse(acl_config *c, const char *text, size_t len, char *err, size_t errn);
int acl_cisco_sniff(const char *text, size_t len);
kw_rc acl_cisco_parse(acl_config *c, const char *text, size_t len, char *err, size_t errn);
int acl_asa_sniff(const char *text, size_t len);
kw_rc acl_asa_parse(acl_config *c, const char *text, size_t len, char *err, size_t errn);

#define ACL_LINE_MAX 1024      /* longer lines are cut (and counted unknown when they matter) */
#define ACL_TOK_MAX 64

/* The lines of a configuration, one statement each. */
typedef struct acl_text {
    const char *p, *end;
    int line;                  /* of the statement last returned */
} acl_text;

typedef struct acl_stmt {
    int line;                  /* 1-based */
    int indent;                /* leading blanks (a tab counts one) */
    bool cut;                  /* the line did not fit: text and tokens are its start */
    char text[ACL_LINE_MAX];   /* trimmed, control bytes as spaces */
    char buf[ACL_LINE_MAX];    /* the tokens, NUL-separated */
    const char *tok[ACL_TOK_MAX];
    size_t ntok;
} acl_stmt;

void acl_text_init(acl_text *t, const char *text, size_t len);
/* The next non-blank line into s; false at the end. */
bool acl_text_next(acl_text *t, acl_stmt *s);
/* Skips lines up to and including the next one holding delim (a banner's body); from the line
 * after s. The opening line itself is not read again. */
void acl_text_skip_to(acl_text *t, const char *delim);
/* Token i of s, "" beyond the end (never NULL). */
const char *acl_tok(const acl_stmt *s, size_t i);
/* Token i is w (case-insensitive). */
bool acl_tok_is(const acl_stmt *s, size_t i, const char *w);
/* The text starts with these words (case-insensitive, space-separated in words). */
bool acl_stmt_starts(const acl_stmt *s, const char *words);
/* A decimal number of at most max. */
bool acl_num(const char *s, unsigned long max, unsigned long *out);
bool acl_ipv4(const char *s, uint32_t *out);
/* An IP protocol: a number or a name; -1 for "ip"/"ipv6" (every protocol), -2 when not one. */
int acl_proto(const char *s);
/* A port: a number or a service name (www, ssh, domain, ...) for the protocol (6 or 17; 0:
 * either); -1 when not one. */
long acl_port(const char *s, int proto);
/* At s->tok[*i] one of eq/neq/lt/gt/range: its ports into d (cleared first), *i past them.
 * multi: "eq" may name several ports (IOS). false (nothing consumed) when not a port clause. */
bool acl_ports(const acl_stmt *s, size_t *i, int proto, bool multi, acl_dim *d);
/* An address with its mask at tokens *i, *i+1: wildcard (or, netmask true, a netmask); "any";
 * "host A"; A alone when lone is true (a host). d is cleared first; *i moved past. *approx
 * (may be NULL) is set when the mask was approximated (acl_wildcard). */
bool acl_addr_mask(const acl_stmt *s, size_t *i, bool netmask, bool lone, acl_dim *d, bool *approx);
/* ip with a wildcard (or netmask) into d. A mask with more than 8 non-trailing "don't care"
 * bits would be hundreds of ranges per rule (a hostile text could ask gigabytes): its covering
 * range is added instead and false returned (the caller marks the rule partial). */
bool acl_wildcard(acl_dim *d, uint32_t ip, uint32_t m, bool netmask);

/* What a set of services matches: TCP ports, UDP ports, other protocols (whole ports). */
typedef struct acl_svc {
    acl_dim tcp, udp, other;
} acl_svc;
void acl_svc_free(acl_svc *v);
/* Adds proto (-1: every protocol) with destination ports d (NULL: all) to v. */
void acl_svc_add(acl_svc *v, int proto, const acl_dim *d);
void acl_svc_merge(acl_svc *v, const acl_svc *w);
/* A predefined service name (http, https, ssh, telnet, dns, ...) into v; false when unknown. */
bool acl_svc_named(acl_svc *v, const char *name);
/* Sets the last rule of l to match v's services, adding copies of it (same line, text, name)
 * when v spans several protocol groups; keys (may be NULL) gets the copies' key too. */
struct acl_keys;
void acl_rule_set_svc(acl_list *l, const acl_svc *v, struct acl_keys *keys, acl_config *c);

/* Named address and service objects (address-set, object-group, object network). */
typedef struct acl_obj {
    char *name;
    bool svc;
    acl_dim addr;
    acl_svc s;
} acl_obj;
typedef struct acl_objs {
    acl_obj *v;
    size_t n, cap;
} acl_objs;
/* The object named name of that kind, made when absent (make true); NULL when absent. Valid
 * until the next make. */
acl_obj *acl_obj_get(acl_objs *o, const char *name, bool svc, bool make);
void acl_objs_free(acl_objs *o);

/* Rule order by number (VRP rule ids, IOS sequence numbers): a key per rule, sorted at the end. */
typedef struct acl_keys {
    struct acl_key { size_t list, rule; unsigned long key; } *v;
    size_t n, cap;
} acl_keys;
/* The last rule of l has key. */
void acl_keys_set(acl_keys *k, const acl_config *c, const acl_list *l, unsigned long key);
/* Orders the rules of every keyed list by key (equal keys: file order); frees k's store. */
void acl_keys_sort(acl_keys *k, acl_config *c);

/* The statements l's rules come from (copies made for several services share a line). */
size_t acl_list_entries(const acl_list *l);

/* Device management findings the network parsers share. */
typedef enum acl_dev {
    ACL_DEV_TELNET, ACL_DEV_AUTH_NONE, ACL_DEV_NO_TIMEOUT, ACL_DEV_SNMP_COMMUNITY, ACL_DEV_SNMP_V2C,
    ACL_DEV_SNMP_NO_ACL, ACL_DEV_PLAINTEXT, ACL_DEV_NO_BANNER, ACL_DEV_HTTP, ACL_DEV_SSH_ANY,
    ACL_DEV_NO_PW_ENCRYPTION,
} acl_dev;
/* Records the issue of kind at line (0: absent) with s's text (NULL: none). */
void acl_dev_issue(acl_config *c, acl_dev kind, finding_sev sev, const acl_stmt *s, const char *why);
/* A community string anyone guesses (public, private, community, snmp, ...). */
bool acl_weak_community(const char *s);
/* Counts lines starting with these words (case-insensitive) in the first len bytes, bounded;
 * for the sniffers. */
int acl_sniff_count(const char *text, size_t len, const char *words, bool indented);
/* The text looks like text at all (no NUL bytes, mostly printable) in its first bytes. */
bool acl_sniff_texty(const char *text, size_t len);
/* Cisco IOS and ASA share their access-list entries (audit_acl_cisco.c). */
#define ACL_CISCO_ASA 1u       /* masks are netmasks; any4/any6/interface/object addresses */
#define ACL_CISCO_STD 2u       /* a standard list: one address (IOS: source; ASA: destination) */
/* An address at tokens *i..: any, any4, any6, host A, A W (A M when ASA), A/len (IPv6),
 * object X / object-group X (from o), interface IF; added to d. */
bool acl_cisco_addr(const acl_objs *o, const acl_stmt *s, size_t *i, unsigned flags, acl_dim *d, bool *partial);
/* The last rule of l from an entry "permit|deny PROTO SRC [PORTS] DST [PORTS] [options]" whose
 * action is at token i. false when it is not one (the rule is left as made). */
bool acl_cisco_ace(acl_config *c, const acl_objs *o, acl_list *l, acl_keys *k, const acl_stmt *s, size_t i,
                   unsigned flags);
/* ==== end of network devices ==== */

#endif
