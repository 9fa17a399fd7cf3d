/* acl_path (audit_acl.h): which rule decides one packet in each entry list, following jumps
 * and returns as the device would. Pure. */
#include "audit/audit_acl_an.h"
#include "audit/audit_acl_box.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PATH_DEPTH 8

typedef enum step { DECIDED, RETURNED, UNKNOWN } step;

/* The packet's zone in the rule's dimension: a whole dimension matches any; a name the config
 * does not know, or no name (the packet's interface not given), matches nothing narrower. */
static bool zone_match(const acl_config *c, const acl_dim *d, const char *name)
{
    if (acl_dim_is_all(d, ACL_ZONE_MAX))
        return true;
    if (!name)
        return false;
    for (size_t z = 0; z < c->nzones; z++)
        if (!strcasecmp(c->zones[z], name))
            return acl_dim_has(d, z);
    return false;
}

static bool match(const acl_config *c, const acl_rule *r, const acl_packet *p)
{
    return acl_dim_has(&r->src, p->src) && acl_dim_has(&r->dst, p->dst) && acl_dim_has(&r->proto, p->proto) &&
           acl_dim_has(&r->sport, p->sport) && acl_dim_has(&r->dport, p->dport) && zone_match(c, &r->zin, p->zin) &&
           zone_match(c, &r->zout, p->zout);
}

static void via_add(acl_verdict *v, const char *name)
{
    size_t at = strlen(v->via);
    snprintf(v->via + at, sizeof v->via - at, " -> %s", name);
}

static step walk(const acl_config *c, const acl_list *l, const acl_packet *p, int depth, acl_verdict *v);

/* Rule r jumps: DECIDED / UNKNOWN end the walk, RETURNED goes on after r (or, for a goto,
 * returns from l too). */
static step jump(const acl_config *c, const acl_rule *r, const acl_packet *p, int depth, acl_verdict *v)
{
    const acl_list *t = acl_an_list(c, r->target);
    if (!t || depth >= PATH_DEPTH) {
        v->rule = r;
        v->action = ACL_OTHER;
        v->uncertain = true;
        return UNKNOWN;
    }
    via_add(v, t->name);
    return walk(c, t, p, depth + 1, v);
}

static step walk(const acl_config *c, const acl_list *l, const acl_packet *p, int depth, acl_verdict *v)
{
    for (size_t i = 0; i < l->n; i++) {
        const acl_rule *r = &l->v[i];
        if (r->disabled || r->action == ACL_OTHER || !match(c, r, p))
            continue;
        if (r->partial) { /* it decides only some such packets (established ones, in a time range): the
                             answer is for the others, and says so */
            v->uncertain = true;
            if (!v->partial)
                v->partial = r;
            continue;
        }
        if (r->action == ACL_PERMIT || r->action == ACL_DENY) {
            v->rule = r;
            v->action = r->action;
            return DECIDED;
        }
        if (r->action == ACL_RETURN)
            return RETURNED;
        step s = jump(c, r, p, depth, v);
        if (s != RETURNED || r->go)
            return s;
    }
    if (l->fallthrough == ACL_PERMIT || l->fallthrough == ACL_DENY) {
        v->rule = NULL;
        v->action = l->fallthrough;
        return DECIDED;
    }
    if (l->fallthrough == ACL_RETURN)
        return RETURNED;
    v->rule = NULL;
    v->action = ACL_OTHER;
    return UNKNOWN;
}

static void decide(const acl_config *c, const acl_list *l, const acl_packet *p, acl_verdict *v)
{
    memset(v, 0, sizeof *v);
    v->list = l;
    snprintf(v->via, sizeof v->via, "%s", l->name);
    if (walk(c, l, p, 0, v) != RETURNED)
        return;
    /* returned out of the entry list: its default decides */
    v->rule = NULL;
    v->action = l->fallthrough == ACL_PERMIT || l->fallthrough == ACL_DENY ? l->fallthrough : ACL_OTHER;
}

kw_rc acl_path(const acl_config *c, const acl_packet *p, const char *list, acl_verdict *out, size_t max, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < c->nlists && *n < max; i++) {
        const acl_list *l = &c->lists[i];
        if (list ? strcmp(l->name, list) != 0 : !l->entry)
            continue;
        decide(c, l, p, &out[(*n)++]);
    }
    if (list && !*n)
        return KW_ERR_NOTFOUND;
    return KW_OK;
}
