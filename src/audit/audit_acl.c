/* The rule model's sets and containers (audit_acl.h): sorted disjoint ranges per dimension,
 * lists, rules, zones, the parser's issues. No I/O. */
#include "audit/audit_acl.h"
#include "core/kw_mem.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- sets ---- */

void acl_dim_free(acl_dim *d)
{
    free(d->v);
    memset(d, 0, sizeof *d);
}

void acl_dim_clear(acl_dim *d)
{
    d->n = 0;
}

void acl_dim_add(acl_dim *d, acl_u128 lo, acl_u128 hi)
{
    if (lo > hi)
        return;
    /* first range that ends at or after lo - 1 (touching counts); past the last one: appended
       at once (a non-contiguous wildcard adds its up to 65,536 ranges in ascending order) */
    size_t i = d->n && d->v[d->n - 1].hi < lo && d->v[d->n - 1].hi + 1 < lo ? d->n : 0;
    while (i < d->n && d->v[i].hi < lo && d->v[i].hi + 1 < lo)
        i++;
    size_t j = i;
    while (j < d->n && (d->v[j].lo <= hi || (hi != ACL_ADDR_MAX && d->v[j].lo == hi + 1))) {
        if (d->v[j].lo < lo)
            lo = d->v[j].lo;
        if (d->v[j].hi > hi)
            hi = d->v[j].hi;
        j++;
    }
    if (j == i) { /* insert at i */
        kw_grow(&d->v, &d->cap, d->n + 1, sizeof *d->v);
        memmove(d->v + i + 1, d->v + i, (d->n - i) * sizeof *d->v);
        d->n++;
    } else if (j > i + 1) { /* ranges i..j-1 merge into i */
        memmove(d->v + i + 1, d->v + j, (d->n - j) * sizeof *d->v);
        d->n -= j - i - 1;
    }
    d->v[i].lo = lo;
    d->v[i].hi = hi;
}

void acl_dim_all(acl_dim *d, acl_u128 max)
{
    d->n = 0;
    acl_dim_add(d, 0, max);
}

bool acl_dim_is_all(const acl_dim *d, acl_u128 max)
{
    return d->n == 1 && d->v[0].lo == 0 && d->v[0].hi == max;
}

void acl_dim_invert(acl_dim *d, acl_u128 max)
{
    acl_dim out = {0};
    acl_u128 next = 0;
    bool done = false;
    for (size_t i = 0; i < d->n && !done; i++) {
        if (d->v[i].lo > next)
            acl_dim_add(&out, next, d->v[i].lo - 1);
        if (d->v[i].hi >= max)
            done = true;
        else
            next = d->v[i].hi + 1;
    }
    if (!done && next <= max)
        acl_dim_add(&out, next, max);
    free(d->v);
    *d = out;
}

void acl_dim_copy(acl_dim *out, const acl_dim *a)
{
    out->n = 0;
    kw_grow(&out->v, &out->cap, a->n ? a->n : 1, sizeof *out->v);
    if (a->n) /* an empty dim may hold no array at all */
        memcpy(out->v, a->v, a->n * sizeof *a->v);
    out->n = a->n;
}

void acl_dim_add_prefix(acl_dim *d, acl_u128 addr, int bits, bool v4)
{
    int width = v4 ? 32 : 128;
    if (bits < 0)
        bits = 0;
    if (bits > width)
        bits = width;
    if (v4)
        addr = ACL_V4_BASE | (addr & 0xffffffffu);
    int host = width - bits;
    acl_u128 span = host >= 128 ? ACL_ADDR_MAX : (((acl_u128)1 << host) - 1);
    acl_dim_add(d, addr & ~span, (addr & ~span) | span);
}

/* An address in text: 4 bytes (v4) or 16. */
static bool addr_parse(const char *s, acl_u128 *a, bool *v4)
{
    unsigned char b[16];
    if (inet_pton(AF_INET, s, b) == 1) {
        *a = ((acl_u128)b[0] << 24) | ((acl_u128)b[1] << 16) | ((acl_u128)b[2] << 8) | b[3];
        *v4 = true;
        return true;
    }
    if (inet_pton(AF_INET6, s, b) == 1) {
        acl_u128 x = 0;
        for (int i = 0; i < 16; i++)
            x = (x << 8) | b[i];
        *a = x;
        *v4 = false;
        return true;
    }
    return false;
}

bool acl_dim_add_text(acl_dim *d, const char *s)
{
    if (!strcasecmp(s, "any") || !strcasecmp(s, "all") || !strcmp(s, "0.0.0.0/0") || !strcmp(s, "::/0")) {
        acl_dim_all(d, ACL_ADDR_MAX);
        return true;
    }
    char buf[64];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    acl_u128 a;
    bool v4;
    if (!addr_parse(buf, &a, &v4))
        return false;
    int bits = v4 ? 32 : 128;
    if (slash) {
        char *end;
        long b = strtol(slash + 1, &end, 10);
        if (*end == '.' && v4) { /* 10.0.0.0/255.0.0.0 */
            acl_u128 m;
            bool mv4;
            if (!addr_parse(slash + 1, &m, &mv4) || !mv4)
                return false;
            return acl_dim_add_wildcard(d, (uint32_t)a, (uint32_t)m, true);
        }
        if (end == slash + 1 || *end || b < 0 || b > bits)
            return false;
        bits = (int)b;
    }
    acl_dim_add_prefix(d, a, bits, v4);
    return true;
}

bool acl_dim_add_wildcard(acl_dim *d, uint32_t addr, uint32_t mask, bool netmask)
{
    uint32_t wild = netmask ? ~mask : mask;
    /* the trailing run of ones is one range; every other "don't care" bit doubles the ranges */
    int run = 0;
    while (run < 32 && (wild >> run) & 1u)
        run++;
    uint32_t rest = run >= 32 ? 0 : wild & ~((run ? (1u << run) - 1 : 0));
    int holes = __builtin_popcount(rest);
    if (holes > 16)
        return false;
    uint32_t base = addr & ~wild;
    uint32_t span = run >= 32 ? 0xffffffffu : (run ? (1u << run) - 1 : 0);
    for (uint32_t k = 0; k < (1u << holes); k++) {
        uint32_t x = base, bit = 0;
        for (int i = 0; i < 32; i++)
            if ((rest >> i) & 1u) {
                if ((k >> bit) & 1u)
                    x |= 1u << i;
                bit++;
            }
        acl_dim_add(d, ACL_V4_BASE | x, ACL_V4_BASE | (x | span));
    }
    return true;
}

acl_u128 acl_dim_size(const acl_dim *d)
{
    acl_u128 s = 0;
    for (size_t i = 0; i < d->n; i++) {
        acl_u128 w = d->v[i].hi - d->v[i].lo;
        if (w == ACL_ADDR_MAX || s > ACL_ADDR_MAX - w - 1)
            return ACL_ADDR_MAX;
        s += w + 1;
    }
    return s;
}

/* ---- the configuration ---- */

acl_config *acl_config_new(const char *vendor)
{
    acl_config *c = kw_calloc(1, sizeof *c);
    c->vendor = vendor;
    return c;
}

static void rule_free(acl_rule *r)
{
    free(r->text);
    free(r->name);
    free(r->target);
    acl_dim *dims[] = {&r->zin, &r->zout, &r->src, &r->dst, &r->proto, &r->sport, &r->dport};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++)
        acl_dim_free(dims[i]);
}

void acl_config_free(acl_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nlists; i++) {
        acl_list *l = &c->lists[i];
        for (size_t k = 0; k < l->n; k++)
            rule_free(&l->v[k]);
        for (size_t k = 0; k < l->nbound; k++)
            free(l->bound[k]);
        free(l->bound);
        free(l->v);
        free(l->name);
        free(l->kind);
    }
    free(c->lists);
    for (size_t i = 0; i < c->nzones; i++)
        free(c->zones[i]);
    free(c->zones);
    for (size_t i = 0; i < c->nissues; i++) {
        free(c->issues[i].text);
        free(c->issues[i].why);
    }
    free(c->issues);
    free(c);
}

acl_list *acl_list_get(acl_config *c, const char *name, const char *kind)
{
    for (size_t i = 0; i < c->nlists; i++)
        if (!strcmp(c->lists[i].name, name))
            return &c->lists[i];
    kw_grow(&c->lists, &c->caplists, c->nlists + 1, sizeof *c->lists);
    acl_list *l = &c->lists[c->nlists++];
    memset(l, 0, sizeof *l);
    l->name = kw_strdup(name);
    l->kind = kw_strdup(kind ? kind : "acl");
    l->fallthrough = ACL_OTHER;
    return l;
}

acl_rule *acl_rule_add(acl_list *l, int line, const char *text, const char *name)
{
    kw_grow(&l->v, &l->cap, l->n + 1, sizeof *l->v);
    acl_rule *r = &l->v[l->n++];
    memset(r, 0, sizeof *r);
    r->line = line;
    r->text = kw_strdup(text ? text : "");
    r->name = kw_strdup(name ? name : "");
    r->action = ACL_PERMIT;
    acl_dim_all(&r->zin, ACL_ZONE_MAX);
    acl_dim_all(&r->zout, ACL_ZONE_MAX);
    acl_dim_all(&r->src, ACL_ADDR_MAX);
    acl_dim_all(&r->dst, ACL_ADDR_MAX);
    acl_dim_all(&r->proto, ACL_PROTO_MAX);
    acl_dim_all(&r->sport, ACL_PORT_MAX);
    acl_dim_all(&r->dport, ACL_PORT_MAX);
    return r;
}

uint32_t acl_zone_id(acl_config *c, const char *name)
{
    for (size_t i = 0; i < c->nzones; i++)
        if (!strcasecmp(c->zones[i], name))
            return (uint32_t)i;
    kw_grow(&c->zones, &c->capzones, c->nzones + 1, sizeof *c->zones);
    c->zones[c->nzones] = kw_strdup(name);
    return (uint32_t)c->nzones++;
}

void acl_issue_add(acl_config *c, const char *id, const char *title_en, const char *title_zh, const char *fix,
                   finding_sev sev, int line, const char *text, const char *why)
{
    kw_grow(&c->issues, &c->capissues, c->nissues + 1, sizeof *c->issues);
    c->issues[c->nissues++] = (acl_issue){.id = id, .title_en = title_en, .title_zh = title_zh, .fix = fix,
                                          .sev = sev, .line = line, .text = kw_strdup_opt(text),
                                          .why = kw_strdup_opt(why)};
}

void acl_unknown(acl_config *c, int line)
{
    c->unknown++;
    if (c->nunknown_lines < sizeof c->unknown_lines / sizeof c->unknown_lines[0])
        c->unknown_lines[c->nunknown_lines++] = line;
}

void acl_list_bind(acl_list *l, const char *where)
{
    l->bound = kw_realloc(l->bound, (l->nbound + 1) * sizeof *l->bound);
    l->bound[l->nbound++] = kw_strdup(where);
}
