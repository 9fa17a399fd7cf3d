/* Rule text -> compiled rule: the Suricata rule language as far as keepwatch's buffers go.
 *
 * Supported (everything else makes the rule skipped, the report naming the keyword):
 *  header   alert | pass | drop | reject (rejectsrc, rejectdst, rejectboth); tcp, udp, ip,
 *           icmp, http (http1), dns, tls; addresses and ports with any, $VARIABLES, [lists],
 *           !negation, CIDR, port ranges (1024:, :1023, 80:90); -> and <>.
 *  meta     msg, sid, rev, gid, classtype, reference, metadata, priority, target; threshold,
 *           detection_filter and rawbytes are accepted and ignored (keepwatch dedups alerts
 *           itself); noalert and flowbits:noalert are honoured; flowbits set, unset and
 *           toggle are accepted and ignored; isset and isnotset skip the rule, as keepwatch
 *           keeps no per-flow bits (so no loaded rule reads one, and setting one is moot).
 *  flow     to_server, from_client, to_client, from_server, established, not_established,
 *           stateless; only_stream, no_stream, only_frag, no_frag are accepted and ignored.
 *  content  "..." with |hex| and \" \; \\ \: escapes, !negation, nocase, depth, offset,
 *           distance, within, startswith, endswith, fast_pattern (:only, :off,len), isdataat
 *           (N, !N, N,relative), bsize, urilen (N, <N, >N, N<>M; urilen ,raw (default) or ,norm),
 *           uricontent.
 *  buffers  sticky: http.uri, http.uri.raw, http.method, http.header, http.header.raw,
 *           http.cookie, http.user_agent, http.host, http.host.raw, http.request_body,
 *           http.content_type, http.request_line, dns.query, tls.sni, pkt_data;
 *           legacy modifiers: http_uri, http_raw_uri, http_method, http_header,
 *           http_raw_header, http_cookie, http_user_agent, http_host, http_raw_host,
 *           http_client_body; dns_query and tls_sni, sticky as in Suricata. The dotprefix transform after dns.query,
 *           tls.sni or http.host; any other transform skips the rule.
 *  pcre     "/re/flags" with i s m x A E G, R (relative to the previous match in the same
 *           buffer), O (ignored) and buffer flags U I H D P M C V W; PCRE2 with JIT.
 * A rule is loaded whole or not at all. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_buf.h"
#include "core/kw_ascii.h"
#include "core/kw_map.h"
#include "core/kw_mem.h"
#include "net/net_sig_int.h"

#define SIG_MAX_OPTS 256
#define SIG_MAX_CONTENT 4096
#define SIG_MAX_ELEMS 128
#define SIG_MAX_LIST 4096
#define SIG_VAR_DEPTH 8

/* ---- the report ---- */

void net_sig_report_free(net_sig_report *rep)
{
    if (!rep)
        return;
    free(rep->skips);
    memset(rep, 0, sizeof *rep);
}

static void report_skip(net_sig_report *rep, const char *origin, unsigned line, uint32_t sid,
                        const char *reason)
{
    if (!rep)
        return;
    rep->skipped++;
    if (rep->nskips >= NET_SIG_REPORT_MAX_SKIPS)
        return;
    kw_grow(&rep->skips, &rep->cap, rep->nskips + 1, sizeof *rep->skips);
    net_sig_skip *s = &rep->skips[rep->nskips++];
    kw_strlcpy(s->origin, origin, sizeof s->origin);
    s->line = line;
    s->sid = sid;
    kw_strlcpy(s->reason, reason, sizeof s->reason);
}

/* ---- parser state ---- */

typedef struct sig_opt {
    char kw[48];
    char *val;              /* NULL: the keyword had no value */
} sig_opt;

typedef struct pstate {
    const net_sig_builder *b;
    net_sig_rule *r;
    sig_elem el[SIG_MAX_ELEMS];
    size_t nel;
    int sticky;             /* current sticky buffer, -1: none */
    bool dot;               /* dotprefix applies to the sticky buffer */
    int last;               /* index of the last content in el, -1: none */
    kw_rc rc;               /* KW_ERR_PARSE or KW_ERR_UNSUPPORTED once failed */
    char why[128];
} pstate;

#define SIG_INHERIT 0xff    /* a relative element takes the buffer of the one before it */

static kw_rc fail(pstate *st, kw_rc rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static kw_rc fail(pstate *st, kw_rc rc, const char *fmt, ...)
{
    if (st->rc != KW_OK)
        return st->rc;
    va_list ap;
    va_start(ap, fmt);
    const char *pre = rc == KW_ERR_UNSUPPORTED ? "unsupported " : "parse error: ";
    size_t pl = kw_strlcpy(st->why, pre, sizeof st->why);
    vsnprintf(st->why + pl, sizeof st->why - pl, fmt, ap);
    va_end(ap);
    st->rc = rc;
    return rc;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Integer in [lo, hi] taking the whole of s. */
static bool parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* A quoted string's inside with \" \; \\ \: unescaped; NULL if s is not "...". */
static char *unquote(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        return NULL;
    char *o = kw_malloc(n), *w = o;
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] == '\\' && i + 2 < n)
            i++;
        else if (s[i] == '"') {
            free(o);
            return NULL;
        }
        *w++ = s[i];
    }
    *w = '\0';
    return o;
}

/* ---- addresses and ports ---- */

typedef struct list_ctx {
    pstate *st;
    size_t steps;           /* items visited, variables expanded: bounded */
    bool ports;
    sig_addrs *a;
    sig_ports *p;
} list_ctx;

static kw_rc list_item(list_ctx *c, const char *s, size_t n, bool neg, int depth);

static const char *var_lookup(const net_sig_builder *b, const char *name, size_t n)
{
    for (size_t i = 0; i < b->nvars; i++)
        if (strlen(b->vars[i].name) == n && memcmp(b->vars[i].name, name, n) == 0)
            return b->vars[i].value;
    return "any";
}

/* Splits [a,b,...] at top-level commas. */
static kw_rc list_split(list_ctx *c, const char *s, size_t n, bool neg, int depth)
{
    size_t start = 0;
    int lvl = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] == '[')
            lvl++;
        else if (i < n && s[i] == ']')
            lvl--;
        if (lvl < 0)
            return fail(c->st, KW_ERR_PARSE, "unbalanced ] in list");
        if (i == n || (s[i] == ',' && lvl == 0)) {
            kw_rc rc = list_item(c, s + start, i - start, neg, depth + 1);
            if (rc != KW_OK)
                return rc;
            start = i + 1;
        }
    }
    return lvl ? fail(c->st, KW_ERR_PARSE, "unbalanced [ in list") : KW_OK;
}

static kw_rc addr_literal(list_ctx *c, const char *s, size_t n, bool neg)
{
    char tmp[64];
    if (n >= sizeof tmp)
        return fail(c->st, KW_ERR_PARSE, "address too long");
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    sig_addr a = {.neg = neg};
    int bits = 0;
    if (!kw_prefix_parse(tmp, &a.a, &bits))
        return fail(c->st, KW_ERR_PARSE, "bad address '%s'", tmp);
    a.bits = (uint8_t)bits;
    if (c->a->n >= SIG_MAX_LIST)
        return fail(c->st, KW_ERR_PARSE, "address list too long");
    c->a->v = kw_realloc(c->a->v, (c->a->n + 1) * sizeof *c->a->v);
    c->a->v[c->a->n++] = a;
    return KW_OK;
}

static bool port_num(const char *s, size_t n, uint16_t *out)
{
    char tmp[8];
    long v;
    if (n == 0 || n >= sizeof tmp)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (!isdigit((unsigned char)tmp[0]) || !parse_int(tmp, 0, 65535, &v))
        return false;
    *out = (uint16_t)v;
    return true;
}

static kw_rc port_literal(list_ctx *c, const char *s, size_t n, bool neg)
{
    sig_port p = {.lo = 0, .hi = 65535, .neg = neg};
    const char *colon = memchr(s, ':', n);
    bool ok;
    if (!colon)
        ok = port_num(s, n, &p.lo) && (p.hi = p.lo, true);
    else {
        size_t l = (size_t)(colon - s), r = n - l - 1;
        ok = (l == 0 || port_num(s, l, &p.lo)) && (r == 0 || port_num(colon + 1, r, &p.hi)) &&
             (l || r) && p.lo <= p.hi;
    }
    if (!ok)
        return fail(c->st, KW_ERR_PARSE, "bad port '%.*s'", (int)(n > 32 ? 32 : n), s);
    if (c->p->n >= SIG_MAX_LIST)
        return fail(c->st, KW_ERR_PARSE, "port list too long");
    c->p->v = kw_realloc(c->p->v, (c->p->n + 1) * sizeof *c->p->v);
    c->p->v[c->p->n++] = p;
    return KW_OK;
}

static kw_rc list_item(list_ctx *c, const char *s, size_t n, bool neg, int depth)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (depth > SIG_VAR_DEPTH * 2)
        return fail(c->st, KW_ERR_PARSE, "variables or lists nested too deep");
    if (++c->steps > SIG_MAX_LIST * 4)
        return fail(c->st, KW_ERR_PARSE, "address or port list expands too far");
    if (n == 0)
        return fail(c->st, KW_ERR_PARSE, "empty address or port");
    if (s[0] == '!')
        return list_item(c, s + 1, n - 1, !neg, depth + 1);
    if (s[0] == '[') {
        if (s[n - 1] != ']')
            return fail(c->st, KW_ERR_PARSE, "list without ]");
        return list_split(c, s + 1, n - 2, neg, depth);
    }
    if (s[0] == '$') {
        const char *v = var_lookup(c->st->b, s + 1, n - 1);
        return list_item(c, v, strlen(v), neg, depth + 1);
    }
    if (n == 3 && strncasecmp(s, "any", 3) == 0) {
        if (neg)
            return fail(c->st, KW_ERR_PARSE, "!any matches nothing (a variable left as any?)");
        if (c->ports)
            c->p->any = true;
        else
            c->a->any = true;
        return KW_OK;
    }
    return c->ports ? port_literal(c, s, n, neg) : addr_literal(c, s, n, neg);
}

/* Moves the positive single addresses into a sorted array, so that a rule listing
 * thousands of them (ET's tor, ciarmy, compromised rules) costs a binary search. */
static void addrs_index(sig_addrs *l)
{
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        const sig_addr *a = &l->v[i];
        if (!a->neg && a->bits == (a->a.v6 ? 128 : 32)) {
            l->hosts = kw_realloc(l->hosts, (l->nhosts + 1) * sizeof *l->hosts);
            l->hosts[l->nhosts++] = a->a;
        } else
            l->v[k++] = *a;
    }
    l->n = k;
    if (l->nhosts > 1)
        qsort(l->hosts, l->nhosts, sizeof *l->hosts, net_sig_addr_cmp);
}

static kw_rc parse_addrs(pstate *st, const char *s, sig_addrs *out)
{
    list_ctx c = {.st = st, .a = out};
    kw_rc rc = list_item(&c, s, strlen(s), false, 0);
    if (rc == KW_OK)
        addrs_index(out);
    return rc;
}

static kw_rc parse_ports(pstate *st, const char *s, sig_ports *out)
{
    list_ctx c = {.st = st, .ports = true, .p = out};
    return list_item(&c, s, strlen(s), false, 0);
}

/* ---- the header ---- */

static kw_rc parse_action(pstate *st, const char *s)
{
    static const struct {
        const char *name;
        net_sig_action a;
    } t[] = {{"alert", NET_SIG_ALERT},      {"pass", NET_SIG_PASS},
             {"drop", NET_SIG_DROP},        {"reject", NET_SIG_REJECT},
             {"rejectsrc", NET_SIG_REJECT}, {"rejectdst", NET_SIG_REJECT},
             {"rejectboth", NET_SIG_REJECT}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(s, t[i].name) == 0) {
            st->r->action = (uint8_t)t[i].a;
            return KW_OK;
        }
    return fail(st, KW_ERR_UNSUPPORTED, "action: %.32s", s);
}

static kw_rc parse_proto(pstate *st, const char *s)
{
    static const struct {
        const char *name;
        uint8_t proto, app;
    } t[] = {{"ip", 0, 0},           {"tcp", 6, 0},         {"tcp-pkt", 6, 0},
             {"tcp-stream", 6, 0},  {"udp", 17, 0},        {"icmp", 1, 0},
             {"http", 6, NET_SIG_APP_HTTP}, {"http1", 6, NET_SIG_APP_HTTP},
             {"dns", 0, NET_SIG_APP_DNS},   {"tls", 6, NET_SIG_APP_TLS}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(s, t[i].name) == 0) {
            st->r->proto = t[i].proto;
            st->r->app = t[i].app;
            return KW_OK;
        }
    return fail(st, KW_ERR_UNSUPPORTED, "protocol: %.32s", s);
}

/* Next header token: up to whitespace outside [brackets]. */
static char *header_token(char **p)
{
    char *s = *p;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return NULL;
    char *t = s;
    int lvl = 0;
    while (*s && (lvl > 0 || !isspace((unsigned char)*s))) {
        lvl += *s == '[' ? 1 : *s == ']' ? -1 : 0;
        s++;
    }
    if (*s)
        *s++ = '\0';
    *p = s;
    return t;
}

static kw_rc parse_header(pstate *st, char *h)
{
    char *tok[7];
    for (int i = 0; i < 7; i++)
        if (!(tok[i] = header_token(&h)))
            return fail(st, KW_ERR_PARSE, "rule header has %d of 7 parts", i);
    if (header_token(&h))
        return fail(st, KW_ERR_PARSE, "rule header has more than 7 parts");
    if (parse_action(st, tok[0]) || parse_proto(st, tok[1]))
        return st->rc;
    if (strcmp(tok[4], "<>") == 0)
        st->r->bidir = true;
    else if (strcmp(tok[4], "->") != 0)
        return fail(st, KW_ERR_PARSE, "direction '%.8s'", tok[4]);
    if (parse_addrs(st, tok[2], &st->r->src) || parse_ports(st, tok[3], &st->r->sport) ||
        parse_addrs(st, tok[5], &st->r->dst) || parse_ports(st, tok[6], &st->r->dport))
        return st->rc;
    return KW_OK;
}

/* ---- options: "kw: value;" ---- */

/* Splits the option text into keyword/value pairs. A value ends at the first ';' not escaped
 * with a backslash, quotes or not (as Suricata reads it). */
static kw_rc split_opts(pstate *st, char *s, sig_opt *opts, size_t *nopts)
{
    *nopts = 0;
    for (;;) {
        while (isspace((unsigned char)*s))
            s++;
        if (!*s)
            return KW_OK;
        if (*nopts >= SIG_MAX_OPTS)
            return fail(st, KW_ERR_PARSE, "more than %d options", SIG_MAX_OPTS);
        sig_opt *o = &opts[(*nopts)++];
        size_t k = strcspn(s, ":;");
        if (!s[k])
            return fail(st, KW_ERR_PARSE, "option without ';'");
        char sep = s[k];
        s[k] = '\0';
        char *kw = trim(s);
        if (!*kw || strlen(kw) >= sizeof o->kw)
            return fail(st, KW_ERR_PARSE, "bad keyword '%.32s'", kw);
        memcpy(o->kw, kw, strlen(kw) + 1);
        o->val = NULL;
        s += k + 1;
        if (sep == ';')
            continue;
        char *v = s;
        for (; *s && *s != ';'; s++)
            if (*s == '\\' && s[1])
                s++;
        if (!*s)
            return fail(st, KW_ERR_PARSE, "option %s without ';'", o->kw);
        *s++ = '\0';
        o->val = trim(v);
    }
}

/* The option text between the first '(' and the last ')'. */
static char *opts_text(pstate *st, char *line, char **header)
{
    char *open = strchr(line, '(');
    char *close = strrchr(line, ')');
    if (!open || !close || close < open) {
        fail(st, KW_ERR_PARSE, "no (options)");
        return NULL;
    }
    for (char *t = close + 1; *t; t++)
        if (!isspace((unsigned char)*t)) {
            fail(st, KW_ERR_PARSE, "text after the closing ')'");
            return NULL;
        }
    *open = '\0';
    *close = '\0';
    *header = line;
    return open + 1;
}

/* ---- keyword handlers ---- */

typedef kw_rc (*kw_fn)(pstate *st, const char *val, int arg);

static sig_elem *last_content(pstate *st, const char *kw)
{
    if (st->last < 0) {
        fail(st, KW_ERR_PARSE, "%s without a content before it", kw);
        return NULL;
    }
    return &st->el[st->last];
}

static sig_elem *new_elem(pstate *st, sig_kind kind)
{
    if (st->nel >= SIG_MAX_ELEMS) {
        fail(st, KW_ERR_PARSE, "more than %d contents", SIG_MAX_ELEMS);
        return NULL;
    }
    sig_elem *e = &st->el[st->nel++];
    memset(e, 0, sizeof *e);
    e->kind = (uint8_t)kind;
    e->buf = (uint8_t)(st->sticky >= 0 ? st->sticky : NET_BUF_PAYLOAD);
    e->dot = st->sticky >= 0 && st->dot;
    return e;
}

static kw_rc need_val(pstate *st, const char *val, const char *kw)
{
    return val && *val ? KW_OK : fail(st, KW_ERR_PARSE, "%s needs a value", kw);
}

static kw_rc kw_str(pstate *st, const char *val, int arg)
{
    static const char *const names[] = {"msg", "classtype"};
    if (need_val(st, val, names[arg]))
        return st->rc;
    char **dst = arg == 0 ? &st->r->msg : &st->r->classtype;
    char *s = val[0] == '"' ? unquote(val) : kw_strdup(val);
    if (!s)
        return fail(st, KW_ERR_PARSE, "%s is not a quoted string", names[arg]);
    free(*dst);
    *dst = s;
    return KW_OK;
}

static kw_rc kw_num(pstate *st, const char *val, int arg)
{
    static const char *const names[] = {"sid", "rev", "gid", "priority"};
    long v;
    if (need_val(st, val, names[arg]))
        return st->rc;
    if (!parse_int(val, arg == 0 ? 1 : 0, arg == 3 ? 255 : 4294967295L, &v))
        return fail(st, KW_ERR_PARSE, "bad %s '%.16s'", names[arg], val);
    if (arg == 0)
        st->r->sid = (uint32_t)v;
    else if (arg == 1)
        st->r->rev = (uint32_t)v;
    else if (arg == 2)
        st->r->gid = (uint32_t)v;
    else
        st->r->priority = (int)v;
    return KW_OK;
}

static kw_rc kw_reference(pstate *st, const char *val, int arg)
{
    if (need_val(st, val, "reference"))
        return st->rc;
    if (st->r->nrefs >= 64)
        return fail(st, KW_ERR_PARSE, "more than 64 references");
    st->r->refs = kw_realloc(st->r->refs, (st->r->nrefs + 1) * sizeof *st->r->refs);
    st->r->refs[st->r->nrefs++] = kw_strdup(val);
    return KW_OK;
}

/* "kw_category sqli" among the metadata pairs sets the rule's category. */
static void metadata_category(pstate *st, const char *val)
{
    const char *p = val;
    while ((p = strstr(p, "kw_category")) != NULL) {
        bool start = p == val || p[-1] == ',' || isspace((unsigned char)p[-1]);
        p += strlen("kw_category");
        if (!start || !isspace((unsigned char)*p))
            continue;
        while (isspace((unsigned char)*p))
            p++;
        size_t n = strcspn(p, ", \t");
        free(st->r->category);
        st->r->category = kw_strndup(p, n);
    }
}

static kw_rc kw_metadata(pstate *st, const char *val, int arg)
{
    if (need_val(st, val, "metadata"))
        return st->rc;
    metadata_category(st, val);
    kw_buf b;
    kw_buf_init(&b, 8192);
    if (st->r->metadata && *st->r->metadata)
        kw_buf_printf(&b, "%s, ", st->r->metadata);
    kw_buf_puts(&b, val);
    free(st->r->metadata);
    st->r->metadata = kw_buf_take(&b);
    return KW_OK;
}

static kw_rc kw_ignore(pstate *st, const char *val, int arg) { return KW_OK; }

static kw_rc kw_noalert(pstate *st, const char *val, int arg)
{
    st->r->noalert = true;
    return KW_OK;
}

static kw_rc kw_flowbits(pstate *st, const char *val, int arg)
{
    if (need_val(st, val, "flowbits"))
        return st->rc;
    if (strcmp(val, "noalert") == 0)
        return kw_noalert(st, val, arg);
    size_t n = strcspn(val, ", ");
    static const char *const setters[] = {"set", "unset", "toggle"};
    for (size_t i = 0; i < sizeof setters / sizeof setters[0]; i++)
        if (strlen(setters[i]) == n && strncmp(val, setters[i], n) == 0)
            return KW_OK; /* no rule here reads bits: setting one changes no match */
    return fail(st, KW_ERR_UNSUPPORTED, "keyword: flowbits:%.*s", (int)(n > 16 ? 16 : n), val);
}

static kw_rc flow_word(pstate *st, const char *w)
{
    static const struct {
        const char *name;
        uint32_t need, deny;
    } t[] = {{"to_server", NET_SIG_TO_SERVER, 0},   {"from_client", NET_SIG_TO_SERVER, 0},
             {"to_client", NET_SIG_TO_CLIENT, 0},   {"from_server", NET_SIG_TO_CLIENT, 0},
             {"established", NET_SIG_ESTABLISHED, 0}, {"not_established", 0, NET_SIG_ESTABLISHED},
             {"stateless", 0, 0},   {"only_stream", 0, 0}, {"no_stream", 0, 0},
             {"only_frag", 0, 0},   {"no_frag", 0, 0}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(w, t[i].name) == 0) {
            st->r->flow_need |= t[i].need;
            st->r->flow_deny |= t[i].deny;
            return KW_OK;
        }
    return fail(st, KW_ERR_UNSUPPORTED, "keyword: flow:%.24s", w);
}

static kw_rc kw_flow(pstate *st, const char *val, int arg)
{
    if (need_val(st, val, "flow"))
        return st->rc;
    char tmp[128];
    kw_strlcpy(tmp, val, sizeof tmp);
    for (char *save = NULL, *w = strtok_r(tmp, ",", &save); w; w = strtok_r(NULL, ",", &save))
        if (flow_word(st, trim(w)))
            return st->rc;
    if ((st->r->flow_need & NET_SIG_TO_SERVER) && (st->r->flow_need & NET_SIG_TO_CLIENT))
        return fail(st, KW_ERR_PARSE, "flow both to_server and to_client");
    return KW_OK;
}

/* |41 42| hex inside a content, from s[*i] just past the opening '|'. */
static kw_rc content_hex(pstate *st, const char *s, size_t n, size_t *i, uint8_t *out, size_t *len)
{
    int hi = -1;
    for (; *i < n && s[*i] != '|'; (*i)++) {
        if (isspace((unsigned char)s[*i]))
            continue;
        int v = kw_hexval((unsigned char)s[*i]);
        if (v < 0)
            return fail(st, KW_ERR_PARSE, "bad hex in content");
        if (hi < 0)
            hi = v;
        else {
            if (*len >= SIG_MAX_CONTENT)
                return fail(st, KW_ERR_PARSE, "content too long");
            out[(*len)++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    if (*i >= n || hi >= 0)
        return fail(st, KW_ERR_PARSE, "unterminated or odd hex in content");
    return KW_OK;
}

/* The bytes of a content string "..." (quotes included in s[0..n)). */
static kw_rc content_bytes(pstate *st, const char *s, size_t n, uint8_t *out, size_t *len)
{
    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        return fail(st, KW_ERR_PARSE, "content is not a quoted string");
    *len = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] == '|') {
            i++;
            if (content_hex(st, s, n - 1, &i, out, len))
                return st->rc;
            continue;
        }
        if (s[i] == '"')
            return fail(st, KW_ERR_PARSE, "unescaped '\"' in content");
        if (s[i] == '\\' && i + 2 < n)
            i++;
        if (*len >= SIG_MAX_CONTENT)
            return fail(st, KW_ERR_PARSE, "content too long");
        out[(*len)++] = (uint8_t)s[i];
    }
    return *len ? KW_OK : fail(st, KW_ERR_PARSE, "empty content");
}

static kw_rc kw_content(pstate *st, const char *val, int arg)
{
    if (need_val(st, val, "content"))
        return st->rc;
    bool neg = val[0] == '!';
    if (neg)
        for (val++; isspace((unsigned char)*val); val++)
            ;
    uint8_t tmp[SIG_MAX_CONTENT];
    size_t len = 0;
    if (content_bytes(st, val, strlen(val), tmp, &len))
        return st->rc;
    sig_elem *e = new_elem(st, SIG_CONTENT);
    if (!e)
        return st->rc;
    if (arg >= 0) /* uricontent */
        e->buf = (uint8_t)arg;
    e->neg = neg;
    e->pat = kw_memdup(tmp, len);
    e->len = len;
    st->last = (int)(st->nel - 1);
    return KW_OK;
}

static kw_rc kw_flag(pstate *st, const char *val, int arg)
{
    static const char *const names[] = {"nocase", "startswith", "endswith"};
    sig_elem *e = last_content(st, names[arg]);
    if (!e)
        return st->rc;
    if (arg == 0)
        e->nocase = true;
    else if (arg == 1)
        e->startswith = true;
    else
        e->endswith = true;
    return KW_OK;
}

enum { POS_DEPTH, POS_OFFSET, POS_DISTANCE, POS_WITHIN };

static kw_rc kw_pos(pstate *st, const char *val, int arg)
{
    static const char *const names[] = {"depth", "offset", "distance", "within"};
    sig_elem *e = last_content(st, names[arg]);
    long v;
    if (!e || need_val(st, val, names[arg]))
        return st->rc;
    if (isalpha((unsigned char)val[0]) || val[0] == '_')
        return fail(st, KW_ERR_UNSUPPORTED, "keyword: %s with a byte_extract variable", names[arg]);
    if (!parse_int(val, arg == POS_DISTANCE ? -65535 : 0, 65535, &v) ||
        ((arg == POS_DEPTH || arg == POS_WITHIN) && v == 0))
        return fail(st, KW_ERR_PARSE, "bad %s '%.16s'", names[arg], val);
    if (arg == POS_DEPTH)
        e->depth = (int32_t)v, e->has_depth = true;
    else if (arg == POS_OFFSET)
        e->offset = (int32_t)v;
    else if (arg == POS_DISTANCE)
        e->distance = (int32_t)v, e->has_distance = true, e->relative = true;
    else
        e->within = (int32_t)v, e->has_within = true, e->relative = true;
    return KW_OK;
}

static kw_rc kw_fast_pattern(pstate *st, const char *val, int arg)
{
    sig_elem *e = last_content(st, "fast_pattern");
    if (!e)
        return st->rc;
    e->fast = true;
    if (!val || !*val)
        return KW_OK;
    if (strcmp(val, "only") == 0) {
        e->fast_only = true;
        return KW_OK;
    }
    unsigned long off, len;
    char c;
    if (sscanf(val, "%lu , %lu %c", &off, &len, &c) != 2 || len == 0 || off + len > e->len)
        return fail(st, KW_ERR_PARSE, "bad fast_pattern '%.16s'", val);
    e->fp_off = (uint32_t)off;
    e->fp_len = (uint32_t)len;
    return KW_OK;
}

/* http_uri and the other legacy modifiers: move the last content to that buffer. */
static kw_rc kw_legacy(pstate *st, const char *val, int arg)
{
    sig_elem *e = last_content(st, "a content modifier");
    if (!e)
        return st->rc;
    e->buf = (uint8_t)arg;
    e->dot = false;
    return KW_OK;
}

static kw_rc kw_sticky(pstate *st, const char *val, int arg)
{
    st->sticky = arg;
    st->dot = false;
    return KW_OK;
}

/* The dotprefix transform: "example.com" is inspected as ".example.com". */
static kw_rc kw_dotprefix(pstate *st, const char *val, int arg)
{
    if (st->sticky != NET_BUF_DNS_QUERY && st->sticky != NET_BUF_TLS_SNI && st->sticky != NET_BUF_HTTP_HOST)
        return fail(st, KW_ERR_UNSUPPORTED, "keyword: dotprefix outside dns.query, tls.sni, http.host");
    st->dot = true;
    return KW_OK;
}

/* The buffer a non-content element applies to: the sticky one, else (relative) that of the
 * element before it, else the payload. */
static uint8_t elem_buf(pstate *st, bool relative)
{
    if (st->sticky >= 0)
        return (uint8_t)st->sticky;
    return relative ? SIG_INHERIT : NET_BUF_PAYLOAD;
}

static kw_rc pcre_flag(pstate *st, char f, uint32_t *opts, sig_elem *e)
{
    static const struct {
        char f;
        uint32_t opt;
        int buf;
    } t[] = {{'i', PCRE2_CASELESS, -1},       {'s', PCRE2_DOTALL, -1},
             {'m', PCRE2_MULTILINE, -1},      {'x', PCRE2_EXTENDED, -1},
             {'A', PCRE2_ANCHORED, -1},       {'E', PCRE2_DOLLAR_ENDONLY, -1},
             {'G', PCRE2_UNGREEDY, -1},       {'O', 0, -1},
             {'R', 0, -2},                    {'U', 0, NET_BUF_HTTP_URI},
             {'I', 0, NET_BUF_HTTP_URI_RAW},  {'H', 0, NET_BUF_HTTP_HEADER},
             {'D', 0, NET_BUF_HTTP_HEADER_RAW}, {'P', 0, NET_BUF_HTTP_REQUEST_BODY},
             {'M', 0, NET_BUF_HTTP_METHOD},   {'C', 0, NET_BUF_HTTP_COOKIE},
             {'V', 0, NET_BUF_HTTP_USER_AGENT}, {'W', 0, NET_BUF_HTTP_HOST}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (t[i].f != f)
            continue;
        *opts |= t[i].opt;
        if (t[i].buf == -2)
            e->relative = true;
        else if (t[i].buf >= 0)
            e->buf = (uint8_t)t[i].buf, e->num = 1; /* num: buffer given by a flag */
        return KW_OK;
    }
    return fail(st, KW_ERR_UNSUPPORTED, "keyword: pcre flag %c", f);
}

/* An expression's quotes stripped; its escapes stay, PCRE2 reads \; and \" as ; and ". */
static char *pcre_unquote(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        return NULL;
    return kw_strndup(s + 1, n - 2);
}

static kw_rc pcre_compile_elem(pstate *st, sig_elem *e, const char *pat, size_t n, uint32_t opts)
{
    int ec;
    PCRE2_SIZE off;
    e->re = pcre2_compile((PCRE2_SPTR)pat, n, opts, &ec, &off, NULL);
    if (!e->re) {
        PCRE2_UCHAR msg[96];
        pcre2_get_error_message(ec, msg, sizeof msg);
        return fail(st, KW_ERR_PARSE, "pcre at %zu: %s", (size_t)off, (char *)msg);
    }
    pcre2_jit_compile(e->re, PCRE2_JIT_COMPLETE); /* without JIT it still works, slower */
    e->re_src = kw_strndup(pat, n);
    e->re_opts = opts;
    return KW_OK;
}

static kw_rc kw_pcre(pstate *st, const char *val, int arg)
{
    if (need_val(st, val, "pcre"))
        return st->rc;
    bool neg = val[0] == '!';
    char *s = pcre_unquote(neg ? val + 1 : val);
    const char *slash = s ? strrchr(s, '/') : NULL;
    if (!s || s[0] != '/' || slash == s) {
        free(s);
        return fail(st, KW_ERR_PARSE, "pcre is not \"/expression/flags\"");
    }
    sig_elem *e = new_elem(st, SIG_PCRE);
    uint32_t opts = 0;
    for (const char *f = slash + 1; e && *f && st->rc == KW_OK; f++)
        pcre_flag(st, *f, &opts, e);
    if (e && st->rc == KW_OK) {
        e->neg = neg;
        if (!e->num)
            e->buf = elem_buf(st, e->relative);
        e->num = 0;
        pcre_compile_elem(st, e, s + 1, (size_t)(slash - s - 1), opts);
    }
    free(s);
    return st->rc;
}

static kw_rc kw_isdataat(pstate *st, const char *val, int arg)
{
    if (need_val(st, val, "isdataat"))
        return st->rc;
    bool neg = val[0] == '!';
    char tmp[64];
    kw_strlcpy(tmp, neg ? val + 1 : val, sizeof tmp);
    char *comma = strchr(tmp, ',');
    bool rel = false;
    if (comma) {
        *comma = '\0';
        for (char *save = NULL, *w = strtok_r(comma + 1, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
            w = trim(w);
            if (strcmp(w, "relative") == 0)
                rel = true;
            else if (strcmp(w, "rawbytes") != 0)
                return fail(st, KW_ERR_PARSE, "isdataat option '%.16s'", w);
        }
    }
    long v;
    if (!parse_int(trim(tmp), 0, 65535, &v))
        return fail(st, KW_ERR_UNSUPPORTED, "keyword: isdataat with '%.16s'", tmp);
    sig_elem *e = new_elem(st, SIG_ISDATAAT);
    if (!e)
        return st->rc;
    e->neg = neg;
    e->relative = rel;
    e->num = (uint32_t)v;
    e->buf = elem_buf(st, rel);
    return KW_OK;
}

/* "N", "<N", ">N", "N<>M" into e->cmp, num, num2. */
static bool parse_cmp(const char *s, sig_elem *e)
{
    long a, b;
    char tmp[48];
    kw_strlcpy(tmp, s, sizeof tmp);
    char *t = trim(tmp), *r = strstr(t, "<>");
    if (r) {
        *r = '\0';
        if (!parse_int(t, 0, 1 << 24, &a) || !parse_int(r + 2, 0, 1 << 24, &b) || a >= b)
            return false;
        e->cmp = SIG_CMP_RANGE, e->num = (uint32_t)a, e->num2 = (uint32_t)b;
        return true;
    }
    e->cmp = *t == '<' ? SIG_CMP_LT : *t == '>' ? SIG_CMP_GT : SIG_CMP_EQ;
    if (e->cmp != SIG_CMP_EQ)
        t++;
    if (!parse_int(t, 0, 1 << 24, &a))
        return false;
    e->num = (uint32_t)a;
    return true;
}

static kw_rc kw_size(pstate *st, const char *val, int arg)
{
    const char *name = arg == SIG_BSIZE ? "bsize" : "urilen";
    if (need_val(st, val, name))
        return st->rc;
    char tmp[64];
    kw_strlcpy(tmp, val, sizeof tmp);
    char *comma = strchr(tmp, ',');
    int buf = NET_BUF_HTTP_URI_RAW;
    if (comma) {
        *comma = '\0';
        char *w = trim(comma + 1);
        if (arg != SIG_URILEN || (strcmp(w, "norm") && strcmp(w, "raw")))
            return fail(st, KW_ERR_PARSE, "%s option '%.16s'", name, w);
        buf = strcmp(w, "norm") == 0 ? NET_BUF_HTTP_URI : NET_BUF_HTTP_URI_RAW;
    }
    if (arg == SIG_BSIZE && st->sticky < 0)
        return fail(st, KW_ERR_PARSE, "bsize without a sticky buffer");
    sig_elem *e = new_elem(st, (sig_kind)arg);
    if (!e)
        return st->rc;
    if (!parse_cmp(tmp, e))
        return fail(st, KW_ERR_PARSE, "bad %s '%.16s'", name, val);
    if (arg == SIG_URILEN)
        e->buf = (uint8_t)buf;
    return KW_OK;
}

typedef struct kw_entry {
    const char *name;
    kw_fn fn;
    int arg;
} kw_entry;

static const kw_entry kw_table[] = {
    {"msg", kw_str, 0},             {"classtype", kw_str, 1},
    {"sid", kw_num, 0},             {"rev", kw_num, 1},
    {"gid", kw_num, 2},             {"priority", kw_num, 3},
    {"reference", kw_reference, 0}, {"metadata", kw_metadata, 0},
    {"target", kw_ignore, 0},       {"threshold", kw_ignore, 0},
    {"detection_filter", kw_ignore, 0}, {"rawbytes", kw_ignore, 0},
    {"noalert", kw_noalert, 0},     {"flowbits", kw_flowbits, 0},
    {"flow", kw_flow, 0},
    {"content", kw_content, -1},    {"uricontent", kw_content, NET_BUF_HTTP_URI},
    {"nocase", kw_flag, 0},         {"startswith", kw_flag, 1},
    {"endswith", kw_flag, 2},       {"depth", kw_pos, POS_DEPTH},
    {"offset", kw_pos, POS_OFFSET}, {"distance", kw_pos, POS_DISTANCE},
    {"within", kw_pos, POS_WITHIN}, {"fast_pattern", kw_fast_pattern, 0},
    {"pcre", kw_pcre, 0},           {"isdataat", kw_isdataat, 0},
    {"bsize", kw_size, SIG_BSIZE},  {"urilen", kw_size, SIG_URILEN},
    {"http_uri", kw_legacy, NET_BUF_HTTP_URI},
    {"http_raw_uri", kw_legacy, NET_BUF_HTTP_URI_RAW},
    {"http_method", kw_legacy, NET_BUF_HTTP_METHOD},
    {"http_header", kw_legacy, NET_BUF_HTTP_HEADER},
    {"http_raw_header", kw_legacy, NET_BUF_HTTP_HEADER_RAW},
    {"http_cookie", kw_legacy, NET_BUF_HTTP_COOKIE},
    {"http_user_agent", kw_legacy, NET_BUF_HTTP_USER_AGENT},
    {"http_host", kw_legacy, NET_BUF_HTTP_HOST},
    {"http_raw_host", kw_legacy, NET_BUF_HTTP_HOST},
    {"http_client_body", kw_legacy, NET_BUF_HTTP_REQUEST_BODY},
    {"dns_query", kw_sticky, NET_BUF_DNS_QUERY}, /* sticky in Suricata since it exists */
    {"tls_sni", kw_sticky, NET_BUF_TLS_SNI},
    {"http.uri", kw_sticky, NET_BUF_HTTP_URI},
    {"http.uri.raw", kw_sticky, NET_BUF_HTTP_URI_RAW},
    {"http.method", kw_sticky, NET_BUF_HTTP_METHOD},
    {"http.header", kw_sticky, NET_BUF_HTTP_HEADER},
    {"http.header.raw", kw_sticky, NET_BUF_HTTP_HEADER_RAW},
    {"http.cookie", kw_sticky, NET_BUF_HTTP_COOKIE},
    {"http.user_agent", kw_sticky, NET_BUF_HTTP_USER_AGENT},
    {"http.host", kw_sticky, NET_BUF_HTTP_HOST},
    {"http.host.raw", kw_sticky, NET_BUF_HTTP_HOST},
    {"http.request_body", kw_sticky, NET_BUF_HTTP_REQUEST_BODY},
    {"http_client_body.sticky", kw_sticky, NET_BUF_HTTP_REQUEST_BODY},
    {"http.content_type", kw_sticky, NET_BUF_HTTP_CONTENT_TYPE},
    {"http.request_line", kw_sticky, NET_BUF_HTTP_REQUEST_LINE},
    {"dns.query", kw_sticky, NET_BUF_DNS_QUERY},
    {"tls.sni", kw_sticky, NET_BUF_TLS_SNI},
    {"pkt_data", kw_sticky, NET_BUF_PAYLOAD},
    {"dotprefix", kw_dotprefix, 0},
};

static kw_rc apply_opt(pstate *st, const sig_opt *o)
{
    for (size_t i = 0; i < sizeof kw_table / sizeof kw_table[0]; i++)
        if (strcmp(o->kw, kw_table[i].name) == 0)
            return kw_table[i].fn(st, o->val, kw_table[i].arg);
    return fail(st, KW_ERR_UNSUPPORTED, "keyword: %.40s", o->kw);
}

/* ---- finishing a rule ---- */

/* Relative elements without a buffer of their own take that of the element before. */
static kw_rc resolve_inherit(pstate *st)
{
    for (size_t i = 0; i < st->nel; i++) {
        if (st->el[i].buf != SIG_INHERIT)
            continue;
        if (i == 0)
            return fail(st, KW_ERR_PARSE, "relative match without a match before it");
        st->el[i].buf = st->el[i - 1].buf;
        st->el[i].dot = st->el[i - 1].dot;
    }
    return KW_OK;
}

/* startswith / endswith / depth checks. */
static kw_rc check_contents(pstate *st)
{
    for (size_t i = 0; i < st->nel; i++) {
        sig_elem *e = &st->el[i];
        if (e->kind != SIG_CONTENT)
            continue;
        if (e->startswith) {
            if (e->has_depth || e->offset || e->relative)
                return fail(st, KW_ERR_PARSE, "startswith with depth, offset or distance");
            e->depth = (int32_t)e->len, e->has_depth = true;
        }
        if (e->has_depth && (size_t)e->depth < e->len)
            return fail(st, KW_ERR_PARSE, "depth smaller than its content");
        if (e->dot && e->fp_len == 1 && e->fp_off == 0 && e->pat[0] == '.')
            return fail(st, KW_ERR_PARSE, "fast_pattern on dotprefix's dot alone");
        if (e->fast_only && (e->relative || e->has_depth || e->offset || e->neg))
            return fail(st, KW_ERR_PARSE, "fast_pattern:only with position modifiers");
    }
    return KW_OK;
}

/* The fast pattern: the positive content marked fast_pattern, else the longest one. */
static int pick_fast(const sig_elem *el, size_t n)
{
    int best = -1;
    for (size_t i = 0; i < n; i++) {
        if (el[i].kind != SIG_CONTENT || el[i].neg || (el[i].dot && el[i].len == 1 && el[i].pat[0] == '.'))
            continue;
        if (el[i].fast)
            return (int)i;
        if (best < 0 || el[i].len > el[best].len)
            best = (int)i;
    }
    return best;
}

/* Groups the elements by buffer and transform (stable) into the rule and sets its fast pattern. */
static void finish_elems(pstate *st)
{
    net_sig_rule *r = st->r;
    r->el = st->nel ? kw_calloc(st->nel, sizeof *r->el) : NULL;
    int fp = pick_fast(st->el, st->nel);
    r->fp = -1;
    for (int k = 0; k < 2 * NET_BUF_COUNT; k++)
        for (size_t i = 0; i < st->nel; i++)
            if (st->el[i].buf * 2 + st->el[i].dot == k) {
                if ((int)i == fp)
                    r->fp = (int)r->nel;
                r->el[r->nel++] = st->el[i];
            }
    st->nel = 0; /* the rule owns the patterns now */
}

static void elems_free(sig_elem *el, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(el[i].pat);
        if (el[i].re)
            pcre2_code_free(el[i].re);
        free(el[i].re_src);
    }
}

static void addrs_free(sig_addrs *a)
{
    free(a->v);
    free(a->hosts);
}
static void ports_free(sig_ports *p) { free(p->v); }

void net_sig_rule_free(net_sig_rule *r)
{
    if (!r)
        return;
    elems_free(r->el, r->nel);
    free(r->el);
    addrs_free(&r->src);
    addrs_free(&r->dst);
    ports_free(&r->sport);
    ports_free(&r->dport);
    for (size_t i = 0; i < r->nrefs; i++)
        free(r->refs[i]);
    free(r->refs);
    free(r->msg);
    free(r->classtype);
    free(r->category);
    free(r->metadata);
    free(r->origin);
    free(r);
}

/* sid first, so a rule skipped for another reason still has it in the report. */
static void find_sid(pstate *st, const sig_opt *opts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(opts[i].kw, "sid") == 0 && opts[i].val)
            kw_num(st, opts[i].val, 0);
    st->rc = KW_OK;
    st->why[0] = '\0';
}

static kw_rc parse_body(pstate *st, char *line)
{
    char *header = NULL;
    char *otext = opts_text(st, line, &header);
    sig_opt *opts = kw_calloc(SIG_MAX_OPTS, sizeof *opts);
    size_t nopts = 0;
    if (otext && split_opts(st, otext, opts, &nopts) == KW_OK) {
        find_sid(st, opts, nopts);
        if (parse_header(st, header) == KW_OK)
            for (size_t i = 0; i < nopts && st->rc == KW_OK; i++)
                apply_opt(st, &opts[i]);
    }
    free(opts);
    if (st->rc == KW_OK && st->r->sid == 0)
        fail(st, KW_ERR_PARSE, "no sid");
    if (st->rc == KW_OK && resolve_inherit(st) == KW_OK && check_contents(st) == KW_OK)
        finish_elems(st);
    return st->rc;
}

/* Parses one rule (a NUL-terminated logical line). On success *out is the rule; otherwise
 * why says what made it skipped and *sid is its sid if one could be read. */
static kw_rc rule_parse(const net_sig_builder *b, char *line, net_sig_rule **out, uint32_t *sid,
                        char *why, size_t whyn)
{
    pstate *st = kw_calloc(1, sizeof *st);
    st->b = b;
    st->sticky = -1;
    st->last = -1;
    st->r = kw_calloc(1, sizeof *st->r);
    st->r->gid = 1;
    kw_rc rc = parse_body(st, line);
    *sid = st->r->sid;
    if (rc == KW_OK) {
        *out = st->r;
    } else {
        kw_strlcpy(why, st->why, whyn);
        elems_free(st->el, st->nel);
        net_sig_rule_free(st->r);
        *out = NULL;
    }
    free(st);
    return rc;
}

/* ---- the builder ---- */

net_sig_builder *net_sig_builder_new(const net_sig_var *vars, size_t nvars)
{
    net_sig_builder *b = kw_calloc(1, sizeof *b);
    b->vars = nvars ? kw_calloc(nvars, sizeof *b->vars) : NULL;
    for (size_t i = 0; i < nvars; i++) {
        b->vars[i].name = kw_strdup(vars[i].name);
        b->vars[i].value = kw_strdup(vars[i].value);
    }
    b->nvars = nvars;
    kw_map_init(&b->sids);
    return b;
}

static void builder_release(net_sig_builder *b)
{
    for (size_t i = 0; i < b->nvars; i++) {
        free((char *)b->vars[i].name);
        free((char *)b->vars[i].value);
    }
    free(b->vars);
    kw_map_free(&b->sids);
    free(b);
}

void net_sig_builder_free(net_sig_builder *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++)
        net_sig_rule_free(b->rules[i]);
    free(b->rules);
    builder_release(b);
}

/* gid:sid seen before in this builder (the first one wins). */
static bool sid_taken(net_sig_builder *b, const net_sig_rule *r)
{
    char key[32];
    snprintf(key, sizeof key, "%u:%u", r->gid, r->sid);
    if (kw_map_get(&b->sids, key))
        return true;
    kw_map_put(&b->sids, key, (void *)r);
    return false;
}

static void builder_take(net_sig_builder *b, net_sig_rule *r, const char *origin, unsigned line)
{
    char where[128];
    snprintf(where, sizeof where, "%s:%u", origin, line);
    r->origin = kw_strdup(where);
    if (!r->msg)
        r->msg = kw_strdup("");
    if (!r->classtype)
        r->classtype = kw_strdup("");
    if (!r->category)
        r->category = kw_strdup("");
    if (!r->metadata)
        r->metadata = kw_strdup("");
    kw_grow(&b->rules, &b->cap, b->n + 1, sizeof *b->rules);
    b->rules[b->n++] = r;
}

static kw_rc builder_line(net_sig_builder *b, char *line, const char *origin, unsigned lineno,
                          net_sig_report *rep)
{
    char *s = trim(line);
    if (!*s || *s == '#')
        return KW_OK;
    if (b->n >= NET_SIG_MAX_RULES)
        return KW_ERR_RANGE;
    net_sig_rule *r = NULL;
    uint32_t sid = 0;
    char why[128];
    if (rule_parse(b, s, &r, &sid, why, sizeof why) != KW_OK) {
        report_skip(rep, origin, lineno, sid, why);
        return KW_OK;
    }
    if (sid_taken(b, r)) {
        report_skip(rep, origin, lineno, sid, "duplicate sid");
        net_sig_rule_free(r);
        return KW_OK;
    }
    builder_take(b, r, origin, lineno);
    if (rep)
        rep->loaded++;
    return KW_OK;
}

kw_rc net_sig_builder_add(net_sig_builder *b, const char *text, size_t n, const char *origin,
                          net_sig_report *rep)
{
    kw_buf line;
    kw_buf_init(&line, NET_SIG_MAX_LINE);
    unsigned lineno = 1, start = 1;
    kw_rc rc = KW_OK;
    for (size_t i = 0; i <= n && rc == KW_OK; i++) {
        char c = i < n ? text[i] : '\n';
        if (c != '\n') {
            if (c != '\r' && c != '\0')
                kw_buf_putc(&line, c);
            continue;
        }
        bool more = line.len && line.data[line.len - 1] == '\\' && i < n;
        if (more) {
            line.data[--line.len] = '\0';
        } else {
            if (line.overflow)
                report_skip(rep, origin, start, 0, "parse error: rule longer than 64 KiB");
            else if (line.len)
                rc = builder_line(b, line.data, origin, start, rep);
            kw_buf_reset(&line);
            start = lineno + 1;
        }
        lineno++;
    }
    kw_buf_free(&line);
    return rc;
}

kw_rc net_sig_builder_compile(net_sig_builder *b, net_sig_set **out, char *err, size_t errn)
{
    net_sig_set *s = kw_calloc(1, sizeof *s);
    s->rules = b->rules;
    s->n = b->n;
    b->rules = NULL;
    b->n = 0;
    builder_release(b);
    size_t cnt[NET_BUF_COUNT] = {0};
    for (size_t i = 0; i < s->n; i++) {
        const net_sig_rule *r = s->rules[i];
        if (r->fp < 0)
            s->nalways++;
        else
            cnt[r->el[r->fp].buf]++;
    }
    s->always = kw_calloc(s->nalways + 1, sizeof *s->always);
    for (int k = 0; k < NET_BUF_COUNT; k++)
        s->fp_rules[k] = kw_calloc(cnt[k] + 1, sizeof *s->fp_rules[k]);
    s->nalways = 0;
    for (size_t i = 0; i < s->n; i++) {
        const net_sig_rule *r = s->rules[i];
        if (r->fp < 0)
            s->always[s->nalways++] = (uint32_t)i;
        else {
            int k = r->el[r->fp].buf;
            s->fp_rules[k][s->nfp[k]++] = (uint32_t)i;
        }
    }
    s->use_hs = net_sig_hs_build(s);
    if (err && errn)
        err[0] = '\0';
    *out = s;
    return KW_OK;
}

kw_rc net_sig_set_load(net_sig_set **out, const char *text, size_t n, const char *origin,
                       net_sig_report *rep)
{
    net_sig_builder *b = net_sig_builder_new(NULL, 0);
    kw_rc rc = net_sig_builder_add(b, text, n, origin, rep);
    if (rc != KW_OK) {
        net_sig_builder_free(b);
        *out = NULL;
        return rc;
    }
    return net_sig_builder_compile(b, out, NULL, 0);
}

/* The rules files embedded at build time (net_sig_rules.c, generated from the rules directory). */
extern const char *const net_sig_builtin_names[];
extern const char *const net_sig_builtin_texts[];
extern const size_t net_sig_builtin_lens[];
extern const size_t net_sig_builtin_count;

kw_rc net_sig_builder_add_builtin(net_sig_builder *b, net_sig_report *rep)
{
    for (size_t i = 0; i < net_sig_builtin_count; i++) {
        kw_rc rc = net_sig_builder_add(b, net_sig_builtin_texts[i], net_sig_builtin_lens[i],
                                       net_sig_builtin_names[i], rep);
        if (rc != KW_OK)
            return rc;
    }
    return KW_OK;
}

void net_sig_set_free(net_sig_set *s)
{
    if (!s)
        return;
    net_sig_hs_free(s);
    for (size_t i = 0; i < s->n; i++)
        net_sig_rule_free(s->rules[i]);
    free(s->rules);
    free(s->always);
    for (int b = 0; b < NET_BUF_COUNT; b++)
        free(s->fp_rules[b]);
    free(s);
}

/* ---- accessors ---- */

size_t net_sig_set_count(const net_sig_set *s) { return s->n; }
const net_sig_rule *net_sig_set_rule(const net_sig_set *s, size_t i) { return i < s->n ? s->rules[i] : NULL; }
uint32_t net_sig_rule_sid(const net_sig_rule *r) { return r->sid; }
uint32_t net_sig_rule_gid(const net_sig_rule *r) { return r->gid; }
uint32_t net_sig_rule_rev(const net_sig_rule *r) { return r->rev; }
int net_sig_rule_priority(const net_sig_rule *r) { return r->priority; }
net_sig_action net_sig_rule_action(const net_sig_rule *r) { return (net_sig_action)r->action; }
const char *net_sig_rule_msg(const net_sig_rule *r) { return r->msg; }
const char *net_sig_rule_classtype(const net_sig_rule *r) { return r->classtype; }
const char *net_sig_rule_category(const net_sig_rule *r) { return r->category; }
const char *net_sig_rule_metadata(const net_sig_rule *r) { return r->metadata; }
size_t net_sig_rule_nrefs(const net_sig_rule *r) { return r->nrefs; }
const char *net_sig_rule_ref(const net_sig_rule *r, size_t i) { return i < r->nrefs ? r->refs[i] : ""; }
const char *net_sig_rule_origin(const net_sig_rule *r) { return r->origin; }
