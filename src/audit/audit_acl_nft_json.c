/* nftables rulesets as JSON (nft -j list ruleset, libnftables-json(5)) into the ACL model, the
 * same lists as the text reader (audit_acl_nft.c): "FAMILY TABLE CHAIN", rules named by their
 * handle. A rule's line is the line where its "rule" member begins in the text: compact nft -j
 * output is one line, so every rule is on line 1 there. No I/O. */
#include "audit/audit_acl_int.h"
#include "core/kw_mem.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct nj_ctx {
    acl_config *c;
    acl_nft_sets sets;
    const char *text;
    size_t len, scan;          /* where the search for the next "rule" member starts */
    int scan_line;
} nj_ctx;

static const char *nj_str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* The line of the next "rule": member in the text (1 when there is none). */
static int nj_rule_line(nj_ctx *x)
{
    static const char key[] = "\"rule\"";
    while (x->scan + sizeof key - 1 <= x->len) {
        const char *p = memmem(x->text + x->scan, x->len - x->scan, key, sizeof key - 1);
        if (!p)
            break;
        for (const char *q = x->text + x->scan; q < p; q++)
            x->scan_line += *q == '\n';
        x->scan = (size_t)(p - x->text) + sizeof key - 1;
        const char *q = x->text + x->scan;
        while (q < x->text + x->len && strchr(" \t\r\n", *q))
            q++;
        if (q < x->text + x->len && *q == ':')
            return x->scan_line;
    }
    return 1;
}

/* One JSON value (number, string, {"prefix"}, {"range"}, {"set"}, array of them) into d. */
static bool nj_value(nj_ctx *x, const json_t *fam, acl_nft_sel s, const json_t *v, acl_dim *d, int depth)
{
    char buf[160];
    if (depth > 8)
        return false;
    if (json_is_integer(v)) {
        json_int_t n = json_integer_value(v);
        snprintf(buf, sizeof buf, "%lld", (long long)n);
        return n >= 0 && acl_nft_value(x->c, s, buf, d);
    }
    if (json_is_string(v)) {
        const char *str = json_string_value(v);
        if (str[0] != '@')
            return acl_nft_value(x->c, s, str, d);
        const acl_nft_setv *set = acl_nft_set_find(&x->sets, nj_str(fam, "family"), nj_str(fam, "table"), str + 1);
        for (size_t k = 0; set && k < set->d.n; k++)
            acl_dim_add(d, set->d.v[k].lo, set->d.v[k].hi);
        return set && !set->bad;
    }
    if (json_is_array(v)) {
        bool ok = json_array_size(v) > 0;
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e) ok = nj_value(x, fam, s, e, d, depth + 1) && ok;
        return ok;
    }
    const json_t *p = json_object_get(v, "prefix"), *r = json_object_get(v, "range");
    if (p) {
        snprintf(buf, sizeof buf, "%s/%lld", nj_str(p, "addr"), (long long)json_integer_value(json_object_get(p, "len")));
        return acl_nft_value(x->c, s, buf, d);
    }
    if (json_is_array(r) && json_array_size(r) == 2) {
        acl_dim a = {0}, b = {0};
        bool ok = nj_value(x, fam, s, json_array_get(r, 0), &a, depth + 1) &&
                  nj_value(x, fam, s, json_array_get(r, 1), &b, depth + 1) && a.n && b.n && a.v[0].lo <= b.v[b.n - 1].hi;
        if (ok)
            acl_dim_add(d, a.v[0].lo, b.v[b.n - 1].hi);
        acl_dim_free(&a);
        acl_dim_free(&b);
        return ok;
    }
    if ((p = json_object_get(v, "set")))
        return nj_value(x, fam, s, p, d, depth + 1);
    if ((p = json_object_get(v, "elem")))
        return nj_value(x, fam, s, json_object_get(p, "val"), d, depth + 1);
    return false;
}

/* {"match":{"op","left","right"}} into r. */
static void nj_match(nj_ctx *x, const json_t *rule, acl_rule *r, const json_t *m)
{
    const json_t *left = json_object_get(m, "left");
    const json_t *pl = json_object_get(left, "payload"), *meta = json_object_get(left, "meta");
    const char *op = nj_str(m, "op");
    unsigned impl = 0;
    acl_nft_sel s = ACL_NFT_NONE;
    if (pl)
        s = acl_nft_selector(nj_str(pl, "protocol"), nj_str(pl, "field"), &impl);
    else if (meta)
        s = acl_nft_selector("meta", nj_str(meta, "key"), &impl);
    bool neg = !strcmp(op, "!=");
    acl_dim d = {0};
    if (s != ACL_NFT_NONE && (neg || !strcmp(op, "==") || !strcmp(op, "in")) &&
        nj_value(x, rule, s, json_object_get(m, "right"), &d, 0)) {
        acl_nft_apply(r, s, &d, neg, impl);
    } else {
        r->partial = true;
        const char *proto = nj_str(pl, "protocol");
        unsigned p = !strcmp(proto, "tcp") ? 6 : !strcmp(proto, "udp") ? 17 : !strcmp(proto, "icmp") ? 1
                   : !strcmp(proto, "icmpv6") ? 58 : 0;
        if (p) { /* icmp type, tcp flags: the protocol still holds */
            acl_dim_clear(&d);
            acl_dim_add(&d, p, p);
            acl_nft_apply(r, ACL_NFT_PROTO, &d, false, 0);
        }
    }
    acl_dim_free(&d);
}

static void nj_stmt(nj_ctx *x, const json_t *rule, acl_rule *r, const json_t *st)
{
    const json_t *v;
    char t[400];
    if ((v = json_object_get(st, "match")))
        nj_match(x, rule, r, v);
    else if (json_object_get(st, "accept"))
        r->action = ACL_PERMIT;
    else if (json_object_get(st, "drop") || json_object_get(st, "reject"))
        r->action = ACL_DENY;
    else if (json_object_get(st, "return"))
        r->action = ACL_RETURN;
    else if ((v = json_object_get(st, "jump")) || (v = json_object_get(st, "goto"))) {
        snprintf(t, sizeof t, "%s %s %s", nj_str(rule, "family"), nj_str(rule, "table"), nj_str(v, "target"));
        r->action = ACL_JUMP;
        r->go = json_object_get(st, "goto") != NULL;
        free(r->target);
        r->target = kw_strdup(t);
    } else if (json_object_get(st, "log"))
        r->log = true;
    else if (json_object_get(st, "counter"))
        ;
    else if (json_object_get(st, "masquerade") || json_object_get(st, "snat") || json_object_get(st, "dnat") ||
             json_object_get(st, "redirect") || json_object_get(st, "queue") || json_object_get(st, "notrack"))
        r->action = ACL_OTHER;
    else
        r->partial = true; /* limit, mangle, ct ...: what the model does not hold */
}

/* The chains' headers: "FAMILY TABLE NAME" -> its list. nat and route chains make none. */
static void nj_chain(nj_ctx *x, const json_t *ch)
{
    char name[400];
    const char *type = nj_str(ch, "type"), *hook = nj_str(ch, "hook"), *pol = nj_str(ch, "policy");
    if (!strcmp(type, "nat") || !strcmp(type, "route"))
        return;
    snprintf(name, sizeof name, "%s %s %s", nj_str(ch, "family"), nj_str(ch, "table"), nj_str(ch, "name"));
    acl_list *l = acl_list_get(x->c, name, "chain");
    l->entry = *hook != '\0';
    l->egress = !strcmp(hook, "output");
    l->fallthrough = !l->entry ? ACL_RETURN : !strcmp(pol, "drop") ? ACL_DENY : ACL_PERMIT;
}

static bool nj_chain_ignored(const json_t *root, const json_t *rule)
{
    size_t i;
    const json_t *o;
    json_array_foreach(root, i, o) {
        const json_t *ch = json_object_get(o, "chain");
        if (ch && !strcmp(nj_str(ch, "family"), nj_str(rule, "family")) && !strcmp(nj_str(ch, "table"), nj_str(rule, "table")) &&
            !strcmp(nj_str(ch, "name"), nj_str(rule, "chain")))
            return !strcmp(nj_str(ch, "type"), "nat") || !strcmp(nj_str(ch, "type"), "route");
    }
    return false;
}

static void nj_rule(nj_ctx *x, const json_t *root, const json_t *rule)
{
    int line = nj_rule_line(x);
    x->c->statements++;
    if (nj_chain_ignored(root, rule))
        return;
    char lname[400], rname[400];
    snprintf(lname, sizeof lname, "%s %s %s", nj_str(rule, "family"), nj_str(rule, "table"), nj_str(rule, "chain"));
    acl_list *l = acl_list_get(x->c, lname, "chain");
    if (!l->n && l->fallthrough == ACL_OTHER)
        l->fallthrough = ACL_RETURN;
    const char *comment = nj_str(rule, "comment");
    snprintf(rname, sizeof rname, "chain %s handle %lld%s%s%s", nj_str(rule, "chain"),
             (long long)json_integer_value(json_object_get(rule, "handle")), *comment ? " (" : "", comment, *comment ? ")" : "");
    char *text = json_dumps(json_object_get(rule, "expr"), JSON_COMPACT);
    acl_rule *r = acl_rule_add(l, line, text ? text : "", rname);
    free(text);
    r->action = ACL_OTHER;
    size_t i;
    const json_t *st;
    json_array_foreach(json_object_get(rule, "expr"), i, st) nj_stmt(x, rule, r, st);
}

static void nj_set(nj_ctx *x, const json_t *set)
{
    acl_nft_setv *v = acl_nft_set_add(&x->sets, nj_str(set, "family"), nj_str(set, "table"), nj_str(set, "name"),
                                      json_is_string(json_object_get(set, "type")) ? nj_str(set, "type") : "concat");
    const json_t *elem = json_object_get(set, "elem");
    if (elem && !nj_value(x, set, v->kind, elem, &v->d, 0))
        v->bad = true;
}

kw_rc acl_nft_json_parse(acl_config *c, const char *text, size_t len, char *err, size_t errn)
{
    json_error_t je;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    json_t *root = json_object_get(doc, "nftables");
    if (!json_is_array(root)) {
        snprintf(err, errn, "not nft -j output: %s", doc ? "no \"nftables\" array" : je.text);
        json_decref(doc);
        return KW_ERR_PARSE;
    }
    nj_ctx x = {.c = c, .text = text, .len = len, .scan_line = 1};
    size_t i;
    const json_t *o, *v;
    json_array_foreach(root, i, o) {
        if ((v = json_object_get(o, "chain")))
            nj_chain(&x, v);
        else if ((v = json_object_get(o, "set")))
            nj_set(&x, v);
    }
    json_array_foreach(root, i, o) {
        if ((v = json_object_get(o, "rule")))
            nj_rule(&x, root, v);
        else if (json_object_get(o, "chain") || json_object_get(o, "set") || json_object_get(o, "table") ||
                 json_object_get(o, "metainfo") || json_object_get(o, "map") || json_object_get(o, "flowtable"))
            c->statements++;
        else {
            c->statements++;
            acl_unknown(c, 1);
        }
    }
    acl_nft_sets_free(&x.sets);
    json_decref(doc);
    return KW_OK;
}
