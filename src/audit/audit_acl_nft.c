/* nftables rulesets (nft list ruleset) into the ACL model (audit_acl.h): one list per chain
 * "FAMILY TABLE CHAIN" (base chains of type filter: entry, fall-through from their policy,
 * accept by default; regular chains: return), named sets resolved at @NAME, anonymous sets.
 * nat chains are read and set aside. JSON (nft -j) is audit_acl_nft_json.c's. No I/O. */
#include "audit/audit_acl_int.h"
#include "core/kw_mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NFT_TOKENS_MAX 2000000

/* ---- shared with the JSON reader ---- */

acl_nft_sel acl_nft_selector(const char *proto, const char *field, unsigned *impl)
{
    static const struct {
        const char *p, *f;
        acl_nft_sel s;
        unsigned impl;
    } t[] = {
        {"ip", "saddr", ACL_NFT_SRC, 0}, {"ip", "daddr", ACL_NFT_DST, 0}, {"ip6", "saddr", ACL_NFT_SRC, 0},
        {"ip6", "daddr", ACL_NFT_DST, 0}, {"ip", "protocol", ACL_NFT_PROTO, 0}, {"ip6", "nexthdr", ACL_NFT_PROTO, 0},
        {"meta", "l4proto", ACL_NFT_PROTO, 0}, {"meta", "iif", ACL_NFT_ZIN, 0}, {"meta", "iifname", ACL_NFT_ZIN, 0},
        {"meta", "oif", ACL_NFT_ZOUT, 0}, {"meta", "oifname", ACL_NFT_ZOUT, 0},
        {"tcp", "sport", ACL_NFT_SPORT, 6}, {"tcp", "dport", ACL_NFT_DPORT, 6},
        {"udp", "sport", ACL_NFT_SPORT, 17}, {"udp", "dport", ACL_NFT_DPORT, 17},
        {"sctp", "sport", ACL_NFT_SPORT, 132}, {"sctp", "dport", ACL_NFT_DPORT, 132},
        {"dccp", "sport", ACL_NFT_SPORT, 33}, {"dccp", "dport", ACL_NFT_DPORT, 33},
        {"th", "sport", ACL_NFT_SPORT, ACL_NFT_TH}, {"th", "dport", ACL_NFT_DPORT, ACL_NFT_TH},
    };
    *impl = 0;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(t[i].p, proto) && !strcmp(t[i].f, field)) {
            *impl = t[i].impl;
            return t[i].s;
        }
    return ACL_NFT_NONE;
}

bool acl_nft_value(acl_config *c, acl_nft_sel s, const char *v, acl_dim *d)
{
    unsigned p;
    switch (s) {
    case ACL_NFT_SRC:
    case ACL_NFT_DST:
        return strchr(v, '-') && !strchr(v, '/') ? acl_lt_addr_range(d, v) : acl_lt_addr(d, v);
    case ACL_NFT_PROTO:
        if (!acl_lt_proto(v, &p))
            return false;
        acl_dim_add(d, p, p);
        return true;
    case ACL_NFT_SPORT:
    case ACL_NFT_DPORT:
        return acl_lt_port_range(d, v, '-');
    case ACL_NFT_ZIN:
    case ACL_NFT_ZOUT:
        if (!*v)
            return false;
        acl_lt_zone_add(c, d, v);
        return true;
    default:
        return false;
    }
}

void acl_nft_apply(acl_rule *r, acl_nft_sel s, const acl_dim *d, bool neg, unsigned impl)
{
    acl_dim *dims[] = {NULL, &r->src, &r->dst, &r->proto, &r->sport, &r->dport, &r->zin, &r->zout};
    acl_u128 max[] = {0, ACL_ADDR_MAX, ACL_ADDR_MAX, ACL_PROTO_MAX, ACL_PORT_MAX, ACL_PORT_MAX, ACL_ZONE_MAX, ACL_ZONE_MAX};
    if (s == ACL_NFT_NONE || (unsigned)s >= sizeof dims / sizeof dims[0])
        return;
    acl_dim_copy(dims[s], d);
    if (neg)
        acl_dim_invert(dims[s], max[s]);
    if (impl && acl_dim_is_all(&r->proto, ACL_PROTO_MAX)) {
        acl_dim_clear(&r->proto);
        if (impl == ACL_NFT_TH) {
            static const unsigned th[] = {6, 17, 33, 132};
            for (size_t i = 0; i < 4; i++)
                acl_dim_add(&r->proto, th[i], th[i]);
        } else {
            acl_dim_add(&r->proto, impl, impl);
        }
    }
}

static acl_nft_sel nft_set_kind(const char *type)
{
    if (!type)
        return ACL_NFT_NONE;
    if (strstr(type, "_addr") && !strstr(type, "ether"))
        return ACL_NFT_SRC;
    if (strstr(type, "inet_service"))
        return ACL_NFT_DPORT;
    if (strstr(type, "inet_proto"))
        return ACL_NFT_PROTO;
    if (strstr(type, "ifname") || strstr(type, "iface_index"))
        return ACL_NFT_ZIN;
    return ACL_NFT_NONE;
}

acl_nft_setv *acl_nft_set_add(acl_nft_sets *s, const char *family, const char *table, const char *name, const char *type)
{
    char key[400];
    snprintf(key, sizeof key, "%s %s %s", family, table, name);
    kw_grow(&s->v, &s->cap, s->n + 1, sizeof *s->v);
    acl_nft_setv *v = &s->v[s->n++];
    memset(v, 0, sizeof *v);
    v->key = kw_strdup(key);
    v->kind = nft_set_kind(type);
    v->bad = v->kind == ACL_NFT_NONE;
    return v;
}

const acl_nft_setv *acl_nft_set_find(const acl_nft_sets *s, const char *family, const char *table, const char *name)
{
    char key[400];
    snprintf(key, sizeof key, "%s %s %s", family, table, name);
    for (size_t i = s->n; i-- > 0;)
        if (!strcmp(s->v[i].key, key))
            return &s->v[i];
    return NULL;
}

void acl_nft_sets_free(acl_nft_sets *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].key);
        acl_dim_free(&s->v[i].d);
    }
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* ---- tokens ---- */

enum { NT_WORD, NT_LB, NT_RB, NT_SEMI, NT_NL, NT_COMMA };

typedef struct nft_tok {
    int type, line;
    const char *s;           /* NT_WORD: into the context's copy */
} nft_tok;

typedef struct nft_chain {
    char name[128], type[16], hook[16];
    int line, policy_line;
    acl_action policy;
    bool made;
    size_t rules;
} nft_chain;

typedef struct nft_ctx {
    acl_config *c;
    char *buf;
    nft_tok *t;
    size_t n, cap, i;
    acl_nft_sets sets;
    char family[16], table[128];
    nft_chain ch;
    bool any_table;
} nft_ctx;

static void nft_push(nft_ctx *x, int type, int line, const char *s)
{
    if (x->n >= NFT_TOKENS_MAX)
        return;
    kw_grow(&x->t, &x->cap, x->n + 1, sizeof *x->t);
    x->t[x->n++] = (nft_tok){type, line, s};
}

static void nft_lex(nft_ctx *x, const char *text, size_t len)
{
    x->buf = kw_malloc(len * 2 + 1);
    size_t o = 0;
    int line = 1;
    for (size_t i = 0; i < len;) {
        char ch = text[i];
        if (ch == '\n') {
            nft_push(x, NT_NL, line++, NULL);
            i++;
        } else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\\' || ch == '\0') {
            i++;
        } else if (ch == '#') {
            while (i < len && text[i] != '\n')
                i++;
        } else if (ch == '{' || ch == '}' || ch == ';' || ch == ',') {
            nft_push(x, ch == '{' ? NT_LB : ch == '}' ? NT_RB : ch == ';' ? NT_SEMI : NT_COMMA, line, NULL);
            i++;
        } else {
            char *w = x->buf + o;
            if (ch == '"') {
                for (i++; i < len && text[i] != '"' && text[i] != '\n'; i++)
                    x->buf[o++] = text[i];
                i += i < len && text[i] == '"';
            } else {
                for (; i < len && text[i] && !strchr(" \t\r\n{};,#\"", text[i]); i++)
                    x->buf[o++] = text[i];
            }
            x->buf[o++] = '\0';
            nft_push(x, NT_WORD, line, w);
        }
    }
    nft_push(x, NT_NL, line, NULL);
}

static const nft_tok *nft_peek(const nft_ctx *x)
{
    static const nft_tok eof = {NT_NL, 0, NULL};
    return x->i < x->n ? &x->t[x->i] : &eof;
}

static bool nft_is(const nft_ctx *x, const char *w)
{
    const nft_tok *t = nft_peek(x);
    return t->type == NT_WORD && !strcmp(t->s, w);
}

static const char *nft_word(nft_ctx *x)
{
    const nft_tok *t = nft_peek(x);
    if (t->type != NT_WORD)
        return NULL;
    x->i++;
    return t->s;
}

/* Skips a statement: to the end of its line, a {...} block included; stops before a } that closes
 * the enclosing block. */
static void nft_skip(nft_ctx *x)
{
    int depth = 0;
    for (; x->i < x->n; x->i++) {
        int ty = x->t[x->i].type;
        if (ty == NT_LB)
            depth++;
        else if (ty == NT_RB && depth-- == 0)
            return;
        else if ((ty == NT_NL || ty == NT_SEMI) && depth <= 0) {
            x->i++;
            return;
        }
    }
}

/* Values: one word (and more after commas: "established,related"), or { a, b, ... }. Each goes
 * to d; false when one is not read. */
static bool nft_values(nft_ctx *x, acl_nft_sel s, acl_dim *d)
{
    bool ok = true;
    const char *w;
    if (nft_peek(x)->type == NT_LB) {
        x->i++;
        while (x->i < x->n && x->t[x->i].type != NT_RB) {
            const nft_tok *t = &x->t[x->i++];
            if (t->type == NT_WORD)
                ok = acl_nft_value(x->c, s, t->s, d) && ok;
            else if (t->type == NT_LB)
                ok = false;
        }
        x->i += x->i < x->n;
        return ok;
    }
    do {
        if (!(w = nft_word(x)))
            return false;
        if (w[0] == '@') {
            const acl_nft_setv *v = acl_nft_set_find(&x->sets, x->family, x->table, w + 1);
            for (size_t k = 0; v && k < v->d.n; k++)
                acl_dim_add(d, v->d.v[k].lo, v->d.v[k].hi);
            ok = v && !v->bad && ok;
        } else {
            ok = acl_nft_value(x->c, s, w, d) && ok;
        }
    } while (nft_peek(x)->type == NT_COMMA && (x->i++, true));
    return ok;
}

/* ---- rules ---- */

static bool nft_end(const nft_ctx *x)
{
    int ty = nft_peek(x)->type;
    return ty == NT_NL || ty == NT_SEMI || ty == NT_RB || x->i >= x->n;
}

/* The list of the chain being read, made (with its entry and fall-through) on first use. */
static acl_list *nft_list(nft_ctx *x)
{
    char name[300];
    snprintf(name, sizeof name, "%s %s %s", x->family, x->table, x->ch.name);
    acl_list *l = acl_list_get(x->c, name, "chain");
    if (!x->ch.made) {
        x->ch.made = true;
        l->line = x->ch.line;
        l->entry = x->ch.hook[0] != '\0';
        l->egress = !strcmp(x->ch.hook, "output");
        l->fallthrough = l->entry ? x->ch.policy : ACL_RETURN;
        l->fallthrough_line = l->entry ? x->ch.policy_line : 0;
    }
    return l;
}

static void nft_verdict(nft_ctx *x, acl_rule *r, const char *w)
{
    if (!strcmp(w, "accept"))
        r->action = ACL_PERMIT;
    else if (!strcmp(w, "drop") || !strcmp(w, "reject"))
        r->action = ACL_DENY;
    else if (!strcmp(w, "return"))
        r->action = ACL_RETURN;
    else if ((!strcmp(w, "jump") || !strcmp(w, "goto")) && nft_peek(x)->type == NT_WORD) {
        char t[400];
        snprintf(t, sizeof t, "%s %s %s", x->family, x->table, nft_word(x));
        r->action = ACL_JUMP;
        r->go = w[0] == 'g';
        free(r->target);
        r->target = kw_strdup(t);
    }
}

/* A match "SEL [op] VALUES" at x->i (proto and field read). */
static void nft_match(nft_ctx *x, acl_rule *r, acl_nft_sel s, unsigned impl)
{
    bool neg = false;
    if (nft_is(x, "!=") || nft_is(x, "ne"))
        neg = (x->i++, true);
    else if (nft_is(x, "==") || nft_is(x, "eq"))
        x->i++;
    else if (nft_peek(x)->type == NT_WORD && strchr("<>&|", nft_peek(x)->s[0]))
        r->partial = true; /* a comparison the model does not hold: the value is skipped below */
    acl_dim d = {0};
    if (nft_values(x, s, &d) && !r->partial)
        acl_nft_apply(r, s, &d, neg, impl);
    else
        r->partial = true;
    acl_dim_free(&d);
}

static void nft_word_in_rule(nft_ctx *x, acl_rule *r, const char *w, char *comment, size_t cn)
{
    static const char *const verdicts[] = {"accept", "drop", "reject", "return", "jump", "goto", NULL};
    static const char *const others[] = {"masquerade", "snat", "dnat", "redirect", "notrack", "queue", "continue", NULL};
    unsigned impl;
    acl_nft_sel s;
    for (const char *const *v = verdicts; *v; v++)
        if (!strcmp(*v, w))
            return nft_verdict(x, r, w);
    for (const char *const *v = others; *v; v++)
        if (!strcmp(*v, w)) {
            r->action = ACL_OTHER;
            return;
        }
    if (!strcmp(w, "comment") && nft_peek(x)->type == NT_WORD) {
        snprintf(comment, cn, "%s", nft_word(x));
    } else if (!strcmp(w, "log")) {
        r->log = true;
        while (nft_peek(x)->type == NT_WORD && strstr(" prefix level group snaplen queue-threshold flags ",
                                                      nft_peek(x)->s) && strlen(nft_peek(x)->s) > 3)
            x->i += 2;
    } else if (!strcmp(w, "with")) { /* reject with icmp type ..., with tcp reset */
        while (nft_peek(x)->type == NT_WORD && !nft_is(x, "comment"))
            x->i++;
    } else if (!strcmp(w, "counter")) {
        while (nft_is(x, "packets") || nft_is(x, "bytes"))
            x->i += 2;
    } else if (nft_peek(x)->type == NT_WORD &&
               (s = acl_nft_selector(w, nft_peek(x)->s, &impl)) != ACL_NFT_NONE) {
        x->i++;
        nft_match(x, r, s, impl);
    } else if ((s = acl_nft_selector("meta", w, &impl)) != ACL_NFT_NONE) {
        nft_match(x, r, s, impl);
    } else if (!strcmp(w, "icmp") || !strcmp(w, "icmpv6") || !strcmp(w, "tcp") || !strcmp(w, "udp")) {
        unsigned p = w[0] == 't' ? 6 : w[0] == 'u' ? 17 : w[4] ? 58 : 1;
        acl_dim d = {0};
        acl_dim_add(&d, p, p);
        acl_nft_apply(r, ACL_NFT_PROTO, &d, false, 0);
        acl_dim_free(&d);
        r->partial = true; /* icmp type, tcp flags: what the model does not hold */
    } else {
        r->partial = true; /* ct state, limit, meta mark, values of those */
    }
}

static void nft_rule(nft_ctx *x)
{
    size_t start = x->i;
    int line = nft_peek(x)->line;
    if (!strcmp(x->ch.type, "nat") || !strcmp(x->ch.type, "route")) {
        x->c->statements++;
        return nft_skip(x);
    }
    acl_list *l = nft_list(x);
    char name[300], comment[256] = "";
    snprintf(name, sizeof name, "chain %s #%zu", x->ch.name, ++x->ch.rules);
    acl_rule *r = acl_rule_add(l, line, "", name);
    r->action = ACL_OTHER;
    x->c->statements++;
    int depth = 0;
    while (x->i < x->n && (depth > 0 || !nft_end(x))) {
        const nft_tok *t = &x->t[x->i++];
        if (t->type == NT_LB)
            depth++;
        else if (t->type == NT_RB)
            depth--;
        else if (t->type == NT_WORD)
            nft_word_in_rule(x, r, t->s, comment, sizeof comment);
    }
    /* the text: the rule's words joined by blanks */
    char text[ACL_LT_LINE_MAX];
    size_t o = 0;
    for (size_t k = start; k < x->i && o + 2 < sizeof text; k++) {
        const nft_tok *t = &x->t[k];
        const char *s = t->type == NT_WORD ? t->s : t->type == NT_LB ? "{" : t->type == NT_RB ? "}" : t->type == NT_COMMA ? "," : "";
        if (*s)
            o += (size_t)snprintf(text + o, sizeof text - o, "%s%s", o ? " " : "", s);
        if (o >= sizeof text)
            o = sizeof text - 1;
    }
    free(r->text);
    r->text = kw_strdup(text);
    if (*comment) {
        snprintf(name + strlen(name), sizeof name - strlen(name), " (%s)", comment);
        free(r->name);
        r->name = kw_strdup(name);
    }
}

/* "type filter hook input priority 0", "policy drop", "comment ..." or a rule. */
static void nft_chain_stmt(nft_ctx *x)
{
    if (nft_is(x, "type")) {
        x->i++;
        const char *ty = nft_word(x);
        snprintf(x->ch.type, sizeof x->ch.type, "%s", ty ? ty : "");
        if (nft_is(x, "hook") && (x->i++, nft_peek(x)->type == NT_WORD))
            snprintf(x->ch.hook, sizeof x->ch.hook, "%s", nft_word(x));
        x->c->statements++;
        return nft_skip(x);
    }
    if (nft_is(x, "policy")) {
        x->ch.policy_line = nft_peek(x)->line;
        x->i++;
        x->ch.policy = nft_is(x, "drop") ? ACL_DENY : nft_is(x, "accept") ? ACL_PERMIT : ACL_OTHER;
        x->c->statements++;
        return nft_skip(x);
    }
    if (nft_is(x, "comment") || nft_is(x, "devices") || nft_is(x, "device")) {
        x->c->statements++;
        return nft_skip(x);
    }
    nft_rule(x);
}

/* Skips separators; false at a closing } (consumed) or the end. */
static bool nft_next_stmt(nft_ctx *x)
{
    while (x->i < x->n && (x->t[x->i].type == NT_NL || x->t[x->i].type == NT_SEMI || x->t[x->i].type == NT_COMMA))
        x->i++;
    if (x->i >= x->n)
        return false;
    if (x->t[x->i].type == NT_RB) {
        x->i++;
        return false;
    }
    return true;
}

static void nft_chain_body(nft_ctx *x, const char *name, int line)
{
    memset(&x->ch, 0, sizeof x->ch);
    snprintf(x->ch.name, sizeof x->ch.name, "%s", name);
    x->ch.line = line;
    x->ch.policy = ACL_PERMIT; /* nftables' default policy */
    while (nft_next_stmt(x))
        nft_chain_stmt(x);
    if (!x->ch.made && strcmp(x->ch.type, "nat") && strcmp(x->ch.type, "route"))
        nft_list(x);
}

static void nft_set(nft_ctx *x, const char *name)
{
    acl_nft_setv *v = NULL;
    size_t vi = 0;
    while (nft_next_stmt(x)) {
        x->c->statements++;
        if ((nft_is(x, "type") || nft_is(x, "typeof")) && !v) {
            x->i++;
            char type[128] = "";
            while (nft_peek(x)->type == NT_WORD && strlen(type) < 100)
                snprintf(type + strlen(type), sizeof type - strlen(type), "%s_", nft_word(x));
            v = acl_nft_set_add(&x->sets, x->family, x->table, name,
                                !strcmp(type, "ip_saddr_") || !strcmp(type, "ip_daddr_") ? "ipv4_addr" : type);
            vi = x->sets.n - 1;
            nft_skip(x);
        } else if (nft_is(x, "elements") && v) {
            x->i++;
            if (nft_is(x, "="))
                x->i++;
            v = &x->sets.v[vi];
            if (!nft_values(x, v->kind, &v->d))
                v->bad = true;
            nft_skip(x);
        } else {
            nft_skip(x);
        }
    }
}

static void nft_table_body(nft_ctx *x)
{
    while (nft_next_stmt(x)) {
        int line = nft_peek(x)->line;
        const char *w = nft_word(x);
        const char *name = w ? nft_word(x) : NULL;
        bool block = nft_peek(x)->type == NT_LB;
        if (w && name && block && (!strcmp(w, "chain") || !strcmp(w, "set"))) {
            x->i++;
            x->c->statements++;
            if (w[0] == 'c')
                nft_chain_body(x, name, line);
            else
                nft_set(x, name);
        } else {
            static const char *const kept[] = {"map", "flowtable", "counter", "quota", "ct", "limit", "secmark",
                                               "synproxy", "flags", "comment", NULL};
            bool known = false;
            for (const char *const *k = kept; w && *k; k++)
                known = known || !strcmp(*k, w);
            x->c->statements++;
            if (!known)
                acl_unknown(x->c, line);
            nft_skip(x);
        }
    }
}

kw_rc acl_nft_text_parse(acl_config *c, const char *text, size_t len, char *err, size_t errn)
{
    nft_ctx x = {.c = c};
    nft_lex(&x, text, len);
    while (nft_next_stmt(&x) || x.i < x.n) {
        if (x.i < x.n && x.t[x.i].type == NT_RB) { /* a stray } */
            acl_unknown(c, x.t[x.i++].line);
            continue;
        }
        int line = nft_peek(&x)->line;
        const char *w = nft_word(&x);
        const char *fam = w ? nft_word(&x) : NULL;
        const char *name = fam ? nft_word(&x) : NULL;
        if (w && !strcmp(w, "table") && name && nft_peek(&x)->type == NT_LB) {
            x.i++;
            x.any_table = true;
            c->statements++;
            snprintf(x.family, sizeof x.family, "%s", fam);
            snprintf(x.table, sizeof x.table, "%s", name);
            nft_table_body(&x);
        } else {
            c->statements++;
            acl_unknown(c, line);
            nft_skip(&x);
        }
    }
    acl_nft_sets_free(&x.sets);
    free(x.t);
    free(x.buf);
    if (!x.any_table) {
        snprintf(err, errn, "not an nftables ruleset: no table block");
        return KW_ERR_PARSE;
    }
    return KW_OK;
}

int acl_nft_sniff(const char *text, size_t len)
{
    size_t k = 0;
    while (k < len && strchr(" \t\r\n", text[k]))
        k++;
    if (len - k >= 11 && text[k] == '{') {
        const char *p = text + k + 1;
        size_t n = len - k - 1;
        while (n && strchr(" \t\r\n", *p))
            p++, n--;
        return n >= 10 && !memcmp(p, "\"nftables\"", 10) ? 95 : 0;
    }
    static const char *const fams[] = {"table inet ", "table ip ", "table ip6 ", "table arp ", "table bridge ",
                                       "table netdev ", NULL};
    bool table = false;
    for (const char *const *f = fams; *f && !table; f++)
        table = acl_lt_has_line(text, len, 1 << 20, *f);
    if (!table)
        return 0;
    return acl_lt_has_line(text, len, 1 << 20, "chain ") ? 90 : 40;
}
