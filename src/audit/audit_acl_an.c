/* What every ACL result shares (audit_acl_an.h): labels, keys, the common fields, the lists by
 * name. The analysis and the checks both call in here (never the other way). */
#include "audit/audit_acl_an.h"

#include <stdio.h>
#include <string.h>

/* ---- what every result shares ---- */

const char *acl_an_label(char *buf, size_t n, const acl_rule *r)
{
    if (r->name && *r->name)
        snprintf(buf, n, "%s (line %d)", r->name, r->line);
    else
        snprintf(buf, n, "the rule at line %d", r->line);
    return buf;
}

const char *acl_an_key(char *buf, size_t n, const acl_list *l, const acl_rule *r)
{
    if (r) /* the statement, not its line or position: a rule added above it must not make it new */
        snprintf(buf, n, "%s: %s", l->name, r->text ? r->text : r->name ? r->name : "");
    else
        snprintf(buf, n, "%s", l->name);
    return buf;
}

kw_rc acl_an_emit(acl_an *a, audit_res *res, const acl_rule *r)
{
    res->category = "acl";
    res->group = a->c->vendor;
    res->file = a->file;
    if (r) {
        res->line = r->line;
        res->text = r->text;
    }
    a->st->findings++;
    return a->emit(a->arg, res);
}


const acl_list *acl_an_list(const acl_config *c, const char *name)
{
    for (size_t i = 0; name && i < c->nlists; i++)
        if (!strcmp(c->lists[i].name, name))
            return &c->lists[i];
    return NULL;
}
