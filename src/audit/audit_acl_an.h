/* Inside the ACL analysis: the state one acl_analyze run shares between its order analysis
 * (audit_acl_analyze.c) and its per-rule checks (audit_acl_check.c), and how results are
 * emitted. */
#ifndef KW_AUDIT_ACL_AN_H
#define KW_AUDIT_ACL_AN_H

#include "audit/audit_acl.h"

typedef struct acl_an {
    const acl_config *c;
    const char *file;
    audit_emit emit;
    void *arg;
    acl_stats *st;
    size_t conflicts;          /* conflict notes emitted so far (capped per config) */
} acl_an;

/* GB/T 22239-2019 clauses (安全区域边界, level 3): access control a) default deny, b) no
 * redundant or ineffective rules, c) checks on addresses, ports and protocols; audit a). */
#define ACL_GB_DEFAULT_DENY "8.1.3.2 a)"
#define ACL_GB_MINIMAL "8.1.3.2 b)"
#define ACL_GB_CHECKS "8.1.3.2 c)"
#define ACL_GB_AUDIT "8.1.3.5 a)"

/* "rule 10 (line 12)" into buf (n bytes); returns buf. */
const char *acl_an_label(char *buf, size_t n, const acl_rule *r);
/* "LIST: STATEMENT" (the list's name alone without r) into buf: a result's key, stable when
 * lines move; returns buf. */
const char *acl_an_key(char *buf, size_t n, const acl_list *l, const acl_rule *r);
/* Fills the fields every ACL result shares (category, group, file; line, text from r when
 * given) and emits res; counts it in stats.findings. */
kw_rc acl_an_emit(acl_an *a, audit_res *res, const acl_rule *r);
/* The per-rule and per-list checks of l (audit_acl_check.c): over-broad and high-risk
 * permits, no final deny, denies without logging. */
kw_rc acl_check_list(acl_an *a, const acl_list *l);
/* The list of c named name (NULL: none). */
const acl_list *acl_an_list(const acl_config *c, const char *name);
/* The whole packet space in every dimension but the zones. */
bool acl_rule_is_all(const acl_rule *r);

/* A rule that only takes packets on loopback interfaces (lo, LoopBack*, InLoopBack*): the host
 * talking to itself (audit_acl_check.c). */
bool acl_an_loopback_only(const acl_config *c, const acl_rule *r);

#endif
