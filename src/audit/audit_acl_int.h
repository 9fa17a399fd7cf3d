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

#endif
