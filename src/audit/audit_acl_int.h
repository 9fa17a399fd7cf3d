/* Inside the ACL family: each vendor parser's entry points (one file each), and the text
 * helpers they share (audit_acl_text.c). */
#ifndef KW_AUDIT_ACL_INT_H
#define KW_AUDIT_ACL_INT_H

#include "audit/audit_acl.h"

/* Huawei VRP and USG (audit_acl_huawei.c), H3C Comware (audit_acl_h3c.c), Cisco IOS and ASA
 * (audit_acl_cisco.c, audit_acl_asa.c), iptables-save (audit_acl_iptables.c), nftables text
 * and JSON (audit_acl_nft.c), FortiGate (audit_acl_forti.c). */

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
