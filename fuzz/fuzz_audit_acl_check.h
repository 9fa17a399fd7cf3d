/* What the network-device fuzz targets check on one parse (fuzz_audit_acl_vrp.c, _cisco.c):
 * abort() on a broken model. */
#ifndef KW_FUZZ_AUDIT_ACL_CHECK_H
#define KW_FUZZ_AUDIT_ACL_CHECK_H

#include "audit/audit_acl.h"

#include <stdlib.h>
#include <string.h>

static void fuzz_acl_dim(const acl_dim *d, acl_u128 max)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].lo > d->v[i].hi || d->v[i].hi > max || (i && d->v[i].lo <= d->v[i - 1].hi + 1))
            abort();
}

static void fuzz_acl_vendor(const char *text, size_t size, const char *vendor)
{
    const acl_vendor *v = acl_vendor_find(vendor);
    int s = v->sniff(text, size);
    if (s < 0 || s > 100)
        abort();
    acl_config *c = NULL;
    char err[128];
    if (acl_parse(text, size, vendor, &c, err, sizeof err) != KW_OK)
        abort(); /* nothing is fatal */
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += text[i] == '\n';
    for (size_t i = 0; i < c->nlists; i++) {
        const acl_list *l = &c->lists[i];
        for (size_t k = 0; k < l->n; k++) {
            const acl_rule *r = &l->v[k];
            if (r->line < 1 || (size_t)r->line > lines || !r->text || !r->name)
                abort();
            fuzz_acl_dim(&r->src, ACL_ADDR_MAX);
            fuzz_acl_dim(&r->dst, ACL_ADDR_MAX);
            fuzz_acl_dim(&r->proto, ACL_PROTO_MAX);
            fuzz_acl_dim(&r->sport, ACL_PORT_MAX);
            fuzz_acl_dim(&r->dport, ACL_PORT_MAX);
            fuzz_acl_dim(&r->zin, ACL_ZONE_MAX);
            fuzz_acl_dim(&r->zout, ACL_ZONE_MAX);
        }
    }
    for (size_t i = 0; i < c->nissues; i++)
        if (c->issues[i].line < 0 || (size_t)c->issues[i].line > lines)
            abort();
    acl_config_free(c);
}

#endif
