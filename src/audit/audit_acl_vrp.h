/* The statements Huawei VRP/USG and H3C Comware share (audit_acl_vrp.c): ACL views and their
 * rules, vty lines, SNMP, local users, banners; and the policy-rule builder both vendors'
 * security policies use. Each vendor file adds its own statements through a callback. */
#ifndef KW_AUDIT_ACL_VRP_H
#define KW_AUDIT_ACL_VRP_H

#include "audit/audit_acl_int.h"

typedef enum vrp_mode {
    VRP_TOP, VRP_ACL, VRP_IFACE, VRP_VTY, VRP_USER, VRP_POLICY, VRP_OBJ, VRP_SKIP,
} vrp_mode;

/* One security-policy rule being read (its lines accumulate until the next rule). */
typedef struct vrp_pol {
    bool open;
    int line;
    char name[96];
    char text[1024];
    acl_action action;
    bool disabled, log, partial, has_src, has_dst, has_svc;
    acl_dim src, dst, zin, zout;
    acl_svc svc;
} vrp_pol;

typedef struct vrp_ctx {
    acl_config *c;
    vrp_mode mode;
    char list[96];             /* the ACL or policy list being read */
    bool basic, l2;            /* a basic ACL (source only), a layer-2 one (not modelled) */
    unsigned long step, last;  /* rule numbering */
    char iface[128];
    char obj[128];             /* the object being read */
    bool banner, snmp_any, snmp_v3;
    bool approx;               /* vrp_addr approximated a mask (acl_wildcard): the rule is partial */
    int user_line;             /* the local-user view being read */
    vrp_pol pol;
    acl_objs objs;
    acl_keys keys;
    /* the vendor's own statements: true when it took s */
    bool (*own)(struct vrp_ctx *x, const acl_stmt *s);
} vrp_ctx;

/* Reads text into c, the vendor's statements first through own. */
void vrp_parse(acl_config *c, const char *text, size_t len, bool (*own)(vrp_ctx *, const acl_stmt *));
/* An address "A W" (wildcard), "A M" (netmask true), "A LEN", "any", "address-set X" /
 * an object's name at tokens *i..: into d (added). */
bool vrp_addr(vrp_ctx *x, const acl_stmt *s, size_t *i, bool netmask, acl_dim *d);
/* The list an interface's filter statement names, bound "IF inbound", entry, fallthrough
 * fall (line: the statement setting it, 0 the default). */
void vrp_bind(vrp_ctx *x, const char *acl, const char *dir, acl_action fall);
/* Policy rules: open (closing the one before), the closing one into list, accumulate. */
void vrp_pol_open(vrp_ctx *x, const acl_stmt *s, const char *name);
void vrp_pol_close(vrp_ctx *x);
void vrp_pol_line(vrp_ctx *x, const acl_stmt *s);
void vrp_pol_zone(vrp_ctx *x, const char *zone, bool in);
void vrp_pol_addr(vrp_ctx *x, const acl_dim *d, bool src);
bool vrp_pol_service(vrp_ctx *x, const char *name);

#endif
