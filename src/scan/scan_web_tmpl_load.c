/* The Nuclei template loader (pure: parses a buffer with libyaml, no I/O): the YAML document of
 * one template into a web_tmpl, or the one-line reason it is skipped (something keepwatch does
 * not run) or does not load (malformed YAML, wrong types). Every key is known or the template is
 * skipped: a template is never half-run. The supported subset is described in scan_web_tmpl.h;
 * the format is Nuclei's (github.com/projectdiscovery/nuclei, SYNTAX-REFERENCE.md). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "scan/scan_web_tmpl_int.h"

#include <ctype.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/kw_mem.h"

#define TMPL_ITEMS_MAX 4096          /* items of one list (words, paths, matchers, ...) */

typedef struct tl_ctx {
    const char *name;
    yaml_document_t *doc;
    size_t budget;                   /* nodes still allowed (WEB_TMPL_NODES_MAX) */
    kw_rc rc;                        /* KW_OK until the first skip or error */
    char *why;
    size_t whyn;
    web_tmpl *t;
    yaml_node_t *at;                 /* where an error without a node of its own is */
} tl_ctx;

/* ---- reasons ---- */

/* The template is skipped: fmt says why (the first reason wins). */
__attribute__((format(printf, 2, 3))) static void tl_skip(tl_ctx *c, const char *fmt, ...)
{
    if (c->rc != KW_OK)
        return;
    c->rc = KW_ERR_UNSUPPORTED;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, c->whyn, fmt, ap);
    va_end(ap);
}

/* The template does not load: NAME:LINE:COL: fmt (the first error wins over any skip). */
__attribute__((format(printf, 3, 4))) static void tl_error(tl_ctx *c, const yaml_node_t *at, const char *fmt, ...)
{
    if (c->rc == KW_ERR_PARSE)
        return;
    c->rc = KW_ERR_PARSE;
    at = at ? at : c->at;
    char msg[WEB_TMPL_WHY_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(c->why, c->whyn, "%s:%zu:%zu: %s", c->name, at ? at->start_mark.line + 1 : 1,
             at ? at->start_mark.column + 1 : 1, msg);
}

/* ---- reading nodes ---- */

static yaml_node_t *tl_node(tl_ctx *c, int id)
{
    if (c->budget == 0) {
        tl_skip(c, "more than %u YAML nodes (aliases included)", WEB_TMPL_NODES_MAX);
        return NULL;
    }
    c->budget--;
    return yaml_document_get_node(c->doc, id);
}

static const char *tl_key(tl_ctx *c, yaml_node_pair_t *p)
{
    yaml_node_t *k = tl_node(c, p->key);
    return k && k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
}

/* A scalar's text; NULL (with an error) when n is not a scalar or holds a NUL or is too long. */
static const char *tl_str(tl_ctx *c, yaml_node_t *n, const char *what)
{
    if (!n)
        return NULL;
    if (n->type != YAML_SCALAR_NODE) {
        tl_error(c, n, "%s: expected a string", what);
        return NULL;
    }
    size_t len = n->data.scalar.length;
    if (len > WEB_TMPL_STR_MAX || strlen((const char *)n->data.scalar.value) != len) {
        tl_skip(c, "%s: a string longer than %u bytes or holding a NUL byte", what, WEB_TMPL_STR_MAX);
        return NULL;
    }
    return (const char *)n->data.scalar.value;
}

static char *tl_dup(tl_ctx *c, yaml_node_t *n, const char *what)
{
    const char *s = tl_str(c, n, what);
    return s ? kw_strdup(s) : NULL;
}

static bool tl_bool(tl_ctx *c, yaml_node_t *n, const char *what)
{
    const char *s = tl_str(c, n, what);
    if (!s)
        return false;
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "yes"))
        return true;
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "no"))
        return false;
    tl_error(c, n, "%s: expected true or false", what);
    return false;
}

static long tl_int(tl_ctx *c, yaml_node_t *n, const char *what)
{
    const char *s = tl_str(c, n, what);
    if (!s)
        return 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 0 || v > 1000000000L) {
        tl_error(c, n, "%s: expected a whole number", what);
        return 0;
    }
    return v;
}

/* The items of a sequence (or a lone scalar taken as a list of one) into *out (owned). */
static size_t tl_strs(tl_ctx *c, yaml_node_t *n, const char *what, char ***out)
{
    *out = NULL;
    if (!n)
        return 0;
    if (n->type == YAML_SCALAR_NODE) {
        char *s = tl_dup(c, n, what);
        if (!s)
            return 0;
        *out = kw_malloc(sizeof **out);
        (*out)[0] = s;
        return 1;
    }
    if (n->type != YAML_SEQUENCE_NODE) {
        tl_error(c, n, "%s: expected a list", what);
        return 0;
    }
    size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start), k = 0;
    if (cnt > TMPL_ITEMS_MAX) {
        tl_skip(c, "%s: more than %d items", what, TMPL_ITEMS_MAX);
        return 0;
    }
    *out = kw_calloc(cnt ? cnt : 1, sizeof **out);
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top && c->rc == KW_OK; it++) {
        char *s = tl_dup(c, tl_node(c, *it), what);
        if (s)
            (*out)[k++] = s;
    }
    return k;
}

static void tl_strs_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* A list of whole numbers (status codes, sizes). */
static size_t tl_ints(tl_ctx *c, yaml_node_t *n, const char *what, long **out)
{
    char **s;
    size_t k = tl_strs(c, n, what, &s);
    *out = kw_calloc(k ? k : 1, sizeof **out);
    for (size_t i = 0; i < k; i++) {
        char *end;
        long v = strtol(s[i], &end, 10);
        if (end == s[i] || *end || v < 0)
            tl_error(c, n, "%s: '%s' is not a whole number", what, s[i]);
        (*out)[i] = v;
    }
    tl_strs_free(s, k);
    return k;
}

/* The items of sequence n (a mapping each), or an error. */
static size_t tl_seq(tl_ctx *c, yaml_node_t *n, const char *what)
{
    if (!n)
        return 0;
    if (n->type != YAML_SEQUENCE_NODE) {
        tl_error(c, n, "%s: expected a list", what);
        return 0;
    }
    size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (cnt > TMPL_ITEMS_MAX)
        tl_skip(c, "%s: more than %d items", what, TMPL_ITEMS_MAX);
    return c->rc == KW_OK ? cnt : 0;
}

static yaml_node_t *tl_map_item(tl_ctx *c, yaml_node_t *seq, size_t i, const char *what)
{
    yaml_node_t *n = tl_node(c, seq->data.sequence.items.start[i]);
    if (n && n->type != YAML_MAPPING_NODE) {
        tl_error(c, n, "%s: expected a mapping", what);
        return NULL;
    }
    return n;
}

/* Whether mapping n is sound: at most 256 keys, none given twice (a repeat would hide a value). */
static bool tl_map_ok(tl_ctx *c, yaml_node_t *n, const char *what)
{
    if (!n || n->type != YAML_MAPPING_NODE) {
        tl_error(c, n, "%s: expected a mapping", what);
        return false;
    }
    yaml_node_pair_t *a = n->data.mapping.pairs.start, *top = n->data.mapping.pairs.top;
    if (top - a > 256) {
        tl_skip(c, "%s: more than 256 keys", what);
        return false;
    }
    for (yaml_node_pair_t *p = a; p < top && c->rc == KW_OK; p++)
        for (yaml_node_pair_t *q = a; q < p; q++) {
            yaml_node_t *kp = yaml_document_get_node(c->doc, p->key), *kq = yaml_document_get_node(c->doc, q->key);
            const char *k = kp && kp->type == YAML_SCALAR_NODE ? (const char *)kp->data.scalar.value : "";
            if (*k && kq && kq->type == YAML_SCALAR_NODE && !strcmp(k, (const char *)kq->data.scalar.value)) {
                tl_error(c, n, "%s: key '%.40s' given twice", what, k);
                break;
            }
        }
    return c->rc == KW_OK;
}

#define TL_EACH(c, map, p) \
    for (yaml_node_pair_t *p = (map)->data.mapping.pairs.start; p < (map)->data.mapping.pairs.top && (c)->rc == KW_OK; p++)

static bool tl_in(const char *k, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(k, *list))
            return true;
    return false;
}

/* ---- regular expressions ---- */

static pcre2_code *tl_regex(tl_ctx *c, yaml_node_t *at, const char *src, bool nocase)
{
    int ec;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, nocase ? PCRE2_CASELESS : 0, &ec, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[120];
        pcre2_get_error_message(ec, msg, sizeof msg);
        tl_skip(c, "regex '%.60s' does not compile here: %s", src, (const char *)msg);
        return NULL;
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* without JIT it still works, slower */
    return re;
}

static pcre2_code **tl_regexes(tl_ctx *c, yaml_node_t *at, char **src, size_t n, bool nocase)
{
    pcre2_code **re = kw_calloc(n ? n : 1, sizeof *re);
    for (size_t i = 0; i < n && c->rc == KW_OK; i++)
        re[i] = tl_regex(c, at, src[i], nocase);
    return re;
}

/* ---- parts ---- */

/* Data keys nuclei has that keepwatch does not make (or that need more than one answer). */
static const char *const tl_parts_other[] = {
    "request", "raw", "duration", "host", "ip", "matched", "type", "status_code", "content_length",
    "interactsh_protocol", "interactsh_request", "interactsh_response", "interactsh_ip", NULL};

static void tl_part(tl_ctx *c, yaml_node_t *n, web_tmpl_part *part, char **name)
{
    const char *s = tl_str(c, n, "part");
    if (!s)
        return;
    static const struct { const char *k; web_tmpl_part p; } named[] = {
        {"body", WEB_TMPL_BODY}, {"header", WEB_TMPL_HEADER}, {"all_headers", WEB_TMPL_HEADER},
        {"all", WEB_TMPL_ALL}, {"response", WEB_TMPL_RESPONSE}};
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (!strcmp(s, named[i].k)) {
            *part = named[i].p;
            return;
        }
    size_t len = strlen(s);
    bool ok = len > 0 && len < 64 && islower((unsigned char)s[0]) && !tl_in(s, tl_parts_other) &&
              !isdigit((unsigned char)s[len - 1]) && strncmp(s, "template", 8) != 0;
    for (size_t i = 0; ok && i < len; i++)
        ok = islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_';
    if (!ok) {
        tl_skip(c, "part '%.40s'", s);
        return;
    }
    *part = WEB_TMPL_NAMED;
    *name = kw_strdup(s);
}

/* ---- matchers ---- */

static bool tl_hex(const char *s, char **out, size_t *outlen)
{
    size_t n = strlen(s);
    if (n == 0 || n % 2)
        return false;
    char *o = kw_malloc(n / 2 + 1);
    for (size_t i = 0; i < n; i += 2) {
        char b[3] = {s[i], s[i + 1], 0};
        char *end;
        o[i / 2] = (char)strtoul(b, &end, 16);
        if (*end || !isxdigit((unsigned char)b[0])) {
            free(o);
            return false;
        }
    }
    o[n / 2] = '\0';
    *out = o;
    *outlen = n / 2;
    return true;
}

/* Decodes hex words (encoding: hex, or a binary matcher); lower-cases them when nocase. */
static void tl_words_finish(tl_ctx *c, web_tmpl_matcher *m, bool hex)
{
    m->lens = kw_calloc(m->nvals ? m->nvals : 1, sizeof *m->lens);
    for (size_t i = 0; i < m->nvals; i++) {
        char *d;
        size_t dl;
        m->lens[i] = strlen(m->vals[i]);
        if (hex && tl_hex(m->vals[i], &d, &dl)) {
            free(m->vals[i]);
            m->vals[i] = d;
            m->lens[i] = dl;
        } else if (hex && m->type == WEB_TMPL_BINARY) {
            tl_error(c, NULL, "binary '%.40s' is not hexadecimal", m->vals[i]);
        }
        bool in_var = false; /* {{names}} keep their case: they are expanded, then lowered */
        for (size_t j = 0; m->nocase && j < m->lens[i]; j++) {
            char *ch = &m->vals[i][j];
            in_var = in_var ? !(ch[0] == '}' && ch[1] == '}') : ch[0] == '{' && ch[1] == '{';
            *ch = in_var ? *ch : (char)tolower((unsigned char)*ch);
        }
    }
}

/* Compiles a dsl matcher's expressions; one outside the subset skips the template. */
static void tl_dsl(tl_ctx *c, web_tmpl_matcher *m)
{
    m->dsl = kw_calloc(m->nvals, sizeof *m->dsl);
    for (size_t i = 0; i < m->nvals && c->rc == KW_OK; i++) {
        char why[WEB_TMPL_WHY_MAX];
        if (web_tmpl_dsl_compile(m->vals[i], &m->dsl[i], why, sizeof why) != KW_OK)
            tl_skip(c, "%s", why);
    }
}

static bool tl_mtype(tl_ctx *c, yaml_node_t *n, web_tmpl_matcher *m)
{
    const char *s = tl_str(c, n, "matcher type");
    static const char *const names[] = {"word", "status", "regex", "size", "binary", "dsl"};
    for (size_t i = 0; s && i < sizeof names / sizeof *names; i++)
        if (!strcmp(s, names[i])) {
            m->type = (web_tmpl_mtype)i;
            return true;
        }
    if (s)
        tl_skip(c, "%.20s matcher", s);
    return false;
}

static bool tl_cond(tl_ctx *c, yaml_node_t *n, const char *what)
{
    const char *s = tl_str(c, n, what);
    if (s && strcmp(s, "and") && strcmp(s, "or"))
        tl_error(c, n, "%s: expected and or or", what);
    return s && !strcmp(s, "and");
}

static void tl_matcher_key(tl_ctx *c, web_tmpl_matcher *m, const char *k, yaml_node_t *v, const char **enc)
{
    if (!strcmp(k, "type"))
        tl_mtype(c, v, m);
    else if (!strcmp(k, "condition"))
        m->and_ = tl_cond(c, v, "condition");
    else if (!strcmp(k, "part"))
        tl_part(c, v, &m->part, &m->part_name);
    else if (!strcmp(k, "negative"))
        m->negative = tl_bool(c, v, k);
    else if (!strcmp(k, "case-insensitive"))
        m->nocase = tl_bool(c, v, k);
    else if (!strcmp(k, "match-all"))
        m->match_all = tl_bool(c, v, k);
    else if (!strcmp(k, "name") && !m->name)
        m->name = tl_dup(c, v, k);
    else if (!strcmp(k, "encoding"))
        *enc = tl_str(c, v, k);
    else if ((!strcmp(k, "words") || !strcmp(k, "regex") || !strcmp(k, "binary") || !strcmp(k, "dsl")) && m->vals)
        tl_error(c, v, "a matcher with more than one of words, regex, binary, dsl");
    else if (!strcmp(k, "words") || !strcmp(k, "regex") || !strcmp(k, "binary") || !strcmp(k, "dsl"))
        m->nvals = tl_strs(c, v, k, &m->vals);
    else if ((!strcmp(k, "status") || !strcmp(k, "size")) && m->nums)
        tl_error(c, v, "a matcher with both status and size");
    else if (!strcmp(k, "status") || !strcmp(k, "size"))
        m->nnums = tl_ints(c, v, k, &m->nums);
    else if (strcmp(k, "internal"))
        tl_skip(c, "matcher key '%.40s'", k);
}

static void tl_matcher(tl_ctx *c, yaml_node_t *n, web_tmpl_matcher *m)
{
    const char *enc = NULL;
    c->at = n;
    yaml_node_t *type = NULL;
    if (!tl_map_ok(c, n, "matcher"))
        return;
    TL_EACH(c, n, p) {
        const char *k = tl_key(c, p);
        yaml_node_t *v = tl_node(c, p->value);
        if (!strcmp(k, "type"))
            type = v;
        if (v)
            tl_matcher_key(c, m, k, v, &enc);
    }
    if (c->rc != KW_OK)
        return;
    if (!type)
        tl_error(c, n, "a matcher without a type");
    else if (enc && strcmp(enc, "hex"))
        tl_skip(c, "matcher encoding '%.20s'", enc);
    else if (m->nocase && m->type != WEB_TMPL_WORD)
        tl_error(c, n, "case-insensitive is for word matchers only");
    else if ((m->type == WEB_TMPL_STATUS || m->type == WEB_TMPL_SIZE) ? m->nnums == 0 : m->nvals == 0)
        tl_error(c, n, "a matcher with nothing to match");
    else if (m->type == WEB_TMPL_REGEX)
        m->re = (struct pcre2_real_code_8 **)tl_regexes(c, n, m->vals, m->nvals, false);
    else if (m->type == WEB_TMPL_DSL)
        tl_dsl(c, m);
    else if (m->type == WEB_TMPL_WORD || m->type == WEB_TMPL_BINARY)
        tl_words_finish(c, m, m->type == WEB_TMPL_BINARY || enc);
}

/* ---- extractors ---- */

/* kval keys as the answer's header keys: lower case, '-' as '_' (Content-Type: content_type). */
static void tl_kval_keys(web_tmpl_extractor *x)
{
    for (size_t i = 0; i < x->nre; i++)
        for (char *p = x->src[i]; *p; p++)
            *p = *p == '-' ? '_' : (char)tolower((unsigned char)*p);
}

static void tl_extractor(tl_ctx *c, yaml_node_t *n, web_tmpl_extractor *x)
{
    bool nocase = false, typed = false;
    if (!tl_map_ok(c, n, "extractor"))
        return;
    TL_EACH(c, n, p) {
        const char *k = tl_key(c, p);
        yaml_node_t *v = tl_node(c, p->value);
        if (!v)
            break;
        if (!strcmp(k, "type")) {
            const char *s = tl_str(c, v, k);
            typed = true;
            x->kval = s && !strcmp(s, "kval");
            if (s && strcmp(s, "regex") && !x->kval)
                tl_skip(c, "%.20s extractor", s);
        } else if ((!strcmp(k, "regex") || !strcmp(k, "kval")) && x->src)
            tl_error(c, v, "an extractor with both regex and kval");
        else if (!strcmp(k, "kval"))
            x->nre = tl_strs(c, v, k, &x->src);
        else if (!strcmp(k, "name"))
            x->name = tl_dup(c, v, k);
        else if (!strcmp(k, "part"))
            tl_part(c, v, &x->part, &x->part_name);
        else if (!strcmp(k, "group"))
            x->group = (unsigned)tl_int(c, v, k);
        else if (!strcmp(k, "internal"))
            x->internal = tl_bool(c, v, k);
        else if (!strcmp(k, "case-insensitive"))
            nocase = tl_bool(c, v, k);
        else if (!strcmp(k, "regex"))
            x->nre = tl_strs(c, v, k, &x->src);
        else
            tl_skip(c, "extractor key '%.40s'", k);
    }
    if (c->rc != KW_OK)
        return;
    if (!typed || x->nre == 0)
        tl_error(c, n, "an extractor without a type or a regex");
    else if (x->kval)
        tl_kval_keys(x);
    else if (x->group > 32)
        tl_error(c, n, "extractor group past 32");
    else if (x->internal && !x->name)
        tl_error(c, n, "an internal extractor without a name");
    else
        x->re = (struct pcre2_real_code_8 **)tl_regexes(c, n, x->src, x->nre, nocase);
}

/* ---- requests ---- */

static web_tmpl_send *tl_send_add(web_tmpl_block *b)
{
    b->sends = kw_realloc(b->sends, (b->nsends + 1) * sizeof *b->sends);
    web_tmpl_send *s = &b->sends[b->nsends++];
    memset(s, 0, sizeof *s);
    return s;
}

static void tl_header_add(web_tmpl_send *s, const char *name, size_t nl, const char *value)
{
    while (*value == ' ' || *value == '\t')
        value++;
    if (nl == 12 && !strncasecmp(name, "Content-Type", 12)) {
        free(s->content_type);
        s->content_type = kw_strdup(value);
        return;
    }
    s->headers = kw_realloc(s->headers, (s->nheaders + 1) * sizeof *s->headers);
    size_t vl = strlen(value);
    char *h = kw_malloc(nl + 2 + vl + 1);
    memcpy(h, name, nl);
    memcpy(h + nl, ": ", 2);
    memcpy(h + nl + 2, value, vl + 1);
    s->headers[s->nheaders++] = h;
}

static bool tl_method_ok(const char *m)
{
    size_t n = strlen(m);
    for (size_t i = 0; i < n; i++)
        if (!isupper((unsigned char)m[i]))
            return false;
    return n > 0 && n < 16;
}

/* A path must start at the site: {{BaseURL}} or {{RootURL}}. */
static bool tl_url_ok(const char *u)
{
    return !strncmp(u, "{{BaseURL}}", 11) || !strncmp(u, "{{RootURL}}", 11);
}

/* method/path/headers/body requests: one send per path. */
static void tl_paths(tl_ctx *c, yaml_node_t *blk, web_tmpl_block *b, yaml_node_t *paths)
{
    char **pv;
    size_t np = tl_strs(c, paths, "path", &pv);
    const char *method = "GET", *body = NULL;
    yaml_node_t *headers = NULL;
    TL_EACH(c, blk, p) {
        const char *k = tl_key(c, p);
        yaml_node_t *v = tl_node(c, p->value);
        if (!strcmp(k, "method"))
            method = tl_str(c, v, k);
        else if (!strcmp(k, "body"))
            body = tl_str(c, v, k);
        else if (!strcmp(k, "headers"))
            headers = v;
    }
    if (headers)
        tl_map_ok(c, headers, "headers");
    if (c->rc == KW_OK && method && !tl_method_ok(method))
        tl_error(c, blk, "method '%.20s'", method);
    for (size_t i = 0; i < np && c->rc == KW_OK && method; i++) {
        if (!tl_url_ok(pv[i])) {
            tl_skip(c, "path '%.60s' does not start with {{BaseURL}} or {{RootURL}}", pv[i]);
            break;
        }
        web_tmpl_send *s = tl_send_add(b);
        s->method = kw_strdup(method);
        s->url = kw_strdup(pv[i]);
        s->body = kw_strdup_opt(body);
        if (headers)
            TL_EACH(c, headers, h) {
                const char *k = tl_key(c, h), *v = tl_str(c, tl_node(c, h->value), "header");
                if (v)
                    tl_header_add(s, k, strlen(k), v);
            }
    }
    tl_strs_free(pv, np);
}

/* Whether a raw request's Host header is the site's own (then libcurl sends it). */
static bool tl_raw_host_ok(const char *v)
{
    while (*v == ' ')
        v++;
    return !strcmp(v, "{{Hostname}}") || !strcmp(v, "{{Host}}") || !strcmp(v, "{{Host}}:{{Port}}");
}

/* One header line of a raw request (line[n]). */
static void tl_raw_header(tl_ctx *c, web_tmpl_send *s, const char *line, size_t n)
{
    char buf[8192];
    const char *colon = memchr(line, ':', n);
    if (!colon || colon == line || n >= sizeof buf) {
        tl_error(c, NULL, "raw request: header line '%.*s' without a name", (int)(n < 40 ? n : 40), line);
        return;
    }
    memcpy(buf, line, n);
    buf[n] = '\0';
    size_t nl = (size_t)(colon - line);
    const char *v = buf + nl + 1;
    if (nl == 4 && !strncasecmp(line, "Host", 4)) {
        if (!tl_raw_host_ok(v))
            tl_skip(c, "raw request with its own Host header");
        return;
    }
    if ((nl == 14 && !strncasecmp(line, "Content-Length", 14)) || (nl == 10 && !strncasecmp(line, "Connection", 10)))
        return;
    tl_header_add(s, buf, nl, v);
}

/* The request line "METHOD PATH HTTP/x" (PATH may be empty: the site's base): s's method and URL. */
static void tl_raw_line(tl_ctx *c, web_tmpl_send *s, const char *line, size_t n)
{
    int shown = (int)(n < 40 ? n : 40);
    const char *sp = memchr(line, ' ', n), *end = line + n;
    while (end > line && end[-1] == ' ')
        end--;
    const char *ver = end;
    while (ver > line && ver[-1] != ' ')
        ver--;
    if (!sp || sp == line || ver <= sp || strncmp(ver, "HTTP/", 5) != 0) {
        tl_error(c, NULL, "raw request: first line '%.*s' is not METHOD PATH HTTP/x", shown, line);
        return;
    }
    s->method = kw_strndup(line, (size_t)(sp - line));
    const char *path = sp + 1;
    size_t pl = ver > path ? (size_t)(ver - 1 - path) : 0;
    if (!tl_method_ok(s->method))
        tl_error(c, NULL, "raw request: method '%.20s'", s->method);
    else if (pl >= 11 && tl_url_ok(path))
        s->url = kw_strndup(path, pl);
    else if (pl == 0 || path[0] == '/' || path[0] == '?') {
        s->url = kw_malloc(11 + pl + 1);
        memcpy(s->url, "{{BaseURL}}", 11);
        memcpy(s->url + 11, path, pl);
        s->url[11 + pl] = '\0';
    } else
        tl_skip(c, "raw request path '%.*s'", (int)(pl < 40 ? pl : 40), path);
}

static void tl_raw(tl_ctx *c, web_tmpl_block *b, const char *raw)
{
    while (*raw == '\n' || *raw == '\r' || *raw == ' ')
        raw++;
    if (*raw == '@') {
        tl_skip(c, "raw request annotation (@...)");
        return;
    }
    web_tmpl_send *s = tl_send_add(b);
    const char *p = raw;
    for (bool first = true; *p && c->rc == KW_OK; first = false) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        size_t len = n && p[n - 1] == '\r' ? n - 1 : n;
        const char *next = nl ? nl + 1 : p + n;
        if (!first && len == 0) {
            p = next;
            break;
        }
        if (first)
            tl_raw_line(c, s, p, len);
        else
            tl_raw_header(c, s, p, len);
        p = next;
    }
    size_t bl = strlen(p);
    while (bl && (p[bl - 1] == '\n' || p[bl - 1] == '\r'))
        bl--;
    if (bl)
        s->body = kw_strndup(p, bl);
    if (c->rc == KW_OK && !s->url)
        tl_error(c, NULL, "raw request without a request line");
}

/* ---- blocks ---- */

/* Block keys that change nothing here (libcurl and the scan decide connections, threads, size). */
static const char *const tl_block_ignored[] = {
    "id", "name", "threads", "max-size", "read-all", "pipeline", "pipeline-concurrent-connections",
    "pipeline-requests-per-connection", "cookie-reuse", "disable-cookie", "skip-variables-check",
    "disable-path-automerge", "max-redirects", "unsafe", "method", "body", "headers", "path", "raw",
    "matchers", "extractors", "payloads", "attack", NULL};

static const char *const tl_block_skipped[] = {
    "fuzzing", "analyzer", "pre-condition", "pre-condition-operator", "req-condition",
    "race", "race_count", "digest-username", "digest-password", "self-contained", "global-matchers",
    "iterate-all", "signature", "protocol-redirects", NULL};

static void tl_block_key(tl_ctx *c, web_tmpl_block *b, const char *k, yaml_node_t *v)
{
    if (!strcmp(k, "matchers-condition"))
        b->and_ = tl_cond(c, v, k);
    else if (!strcmp(k, "redirects") || !strcmp(k, "host-redirects"))
        b->follow = b->follow || tl_bool(c, v, k);
    else if (!strcmp(k, "stop-at-first-match"))
        b->stop_first = tl_bool(c, v, k);
    else if (!strcmp(k, "unsafe") && tl_bool(c, v, k))
        tl_skip(c, "unsafe raw requests");
    else if (tl_in(k, tl_block_skipped))
        tl_skip(c, "%s", k);
    else if (!tl_in(k, tl_block_ignored))
        tl_skip(c, "http key '%.40s'", k);
}

static void tl_block_ops(tl_ctx *c, web_tmpl_block *b, yaml_node_t *ms, yaml_node_t *xs)
{
    size_t nm = tl_seq(c, ms, "matchers"), nx = tl_seq(c, xs, "extractors");
    b->m = kw_calloc(nm ? nm : 1, sizeof *b->m);
    for (size_t i = 0; i < nm && c->rc == KW_OK; i++) {
        yaml_node_t *n = tl_map_item(c, ms, i, "matchers");
        b->nm++;
        if (n)
            tl_matcher(c, n, &b->m[i]);
    }
    b->x = kw_calloc(nx ? nx : 1, sizeof *b->x);
    for (size_t i = 0; i < nx && c->rc == KW_OK; i++) {
        yaml_node_t *n = tl_map_item(c, xs, i, "extractors");
        b->nx++;
        if (n)
            tl_extractor(c, n, &b->x[i]);
    }
    if (c->rc == KW_OK && nm == 0 && nx == 0)
        tl_skip(c, "an http request without matchers or extractors");
}

/* payloads: lists of plain values (a file of values is not read), and attack. */
static void tl_payloads(tl_ctx *c, web_tmpl_block *b, yaml_node_t *n, yaml_node_t *attack)
{
    const char *at = attack ? tl_str(c, attack, "attack") : "batteringram";
    if (!tl_map_ok(c, n, "payloads") || !at)
        return;
    size_t nk = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start), k = 0;
    if (strcmp(at, "batteringram") && strcmp(at, "pitchfork") && strcmp(at, "clusterbomb"))
        return (void)tl_skip(c, "attack '%.20s'", at);
    if (nk != 1 && !strcmp(at, "batteringram"))
        return (void)tl_error(c, n, "batteringram needs a single payload list");
    const char **names = kw_calloc(nk + 1, sizeof *names);
    char ***vals = kw_calloc(nk + 1, sizeof *vals);
    size_t *nv = kw_calloc(nk + 1, sizeof *nv);
    TL_EACH(c, n, p) {
        yaml_node_t *v = tl_node(c, p->value);
        names[k] = tl_key(c, p);
        if (v && v->type != YAML_SEQUENCE_NODE)
            tl_skip(c, "payloads from a file");
        else
            nv[k] = tl_strs(c, v, "payloads", &vals[k]);
        k++;
    }
    web_tmpl_payloads pl = {names, vals, nv, k, !strcmp(at, "pitchfork")};
    char why[WEB_TMPL_WHY_MAX];
    if (c->rc == KW_OK && web_tmpl_payloads_apply(b, &pl, why, sizeof why) != KW_OK)
        tl_skip(c, "%s", why);
    for (size_t i = 0; i < k; i++)
        tl_strs_free(vals[i], nv[i]);
    free(names);
    free(vals);
    free(nv);
}

static void tl_block(tl_ctx *c, yaml_node_t *n, web_tmpl_block *b)
{
    yaml_node_t *paths = NULL, *raws = NULL, *ms = NULL, *xs = NULL, *pls = NULL, *attack = NULL;
    c->at = n;
    if (!tl_map_ok(c, n, "http"))
        return;
    TL_EACH(c, n, p) {
        const char *k = tl_key(c, p);
        yaml_node_t *v = tl_node(c, p->value);
        if (!v)
            break;
        paths = !strcmp(k, "path") ? v : paths;
        raws = !strcmp(k, "raw") ? v : raws;
        ms = !strcmp(k, "matchers") ? v : ms;
        xs = !strcmp(k, "extractors") ? v : xs;
        pls = !strcmp(k, "payloads") ? v : pls;
        attack = !strcmp(k, "attack") ? v : attack;
        tl_block_key(c, b, k, v);
    }
    if (c->rc != KW_OK)
        return;
    if (!paths == !raws) {
        tl_error(c, n, "an http request needs either path or raw");
        return;
    }
    if (paths)
        tl_paths(c, n, b, paths);
    char **rv;
    size_t nr = tl_strs(c, raws, "raw", &rv);
    for (size_t i = 0; i < nr && c->rc == KW_OK; i++)
        tl_raw(c, b, rv[i]);
    tl_strs_free(rv, nr);
    for (size_t i = 0; i < b->nsends && c->rc == KW_OK; i++)
        if (b->sends[i].nheaders > WEB_TMPL_HEADERS_MAX)
            tl_skip(c, "a request with more than %d headers", WEB_TMPL_HEADERS_MAX);
    if (pls && c->rc == KW_OK)
        tl_payloads(c, b, pls, attack);
    tl_block_ops(c, b, ms, xs);
}

static void tl_http(tl_ctx *c, yaml_node_t *n)
{
    size_t cnt = tl_seq(c, n, "http");
    web_tmpl *t = c->t;
    t->blocks = kw_calloc(cnt ? cnt : 1, sizeof *t->blocks);
    for (size_t i = 0; i < cnt && c->rc == KW_OK; i++) {
        yaml_node_t *b = tl_map_item(c, n, i, "http");
        t->nblocks++;
        if (b)
            tl_block(c, b, &t->blocks[i]);
    }
    if (c->rc == KW_OK && t->nblocks == 0)
        tl_error(c, n, "http: no requests");
}

/* ---- info ---- */

static char *tl_joined(tl_ctx *c, yaml_node_t *n, const char *what, const char *sep)
{
    char **v;
    size_t k = tl_strs(c, n, what, &v);
    kw_buf b;
    kw_buf_init(&b, WEB_TMPL_STR_MAX);
    for (size_t i = 0; i < k; i++) {
        if (i)
            kw_buf_puts(&b, sep);
        kw_buf_puts(&b, v[i]);
    }
    tl_strs_free(v, k);
    return k ? kw_buf_take(&b) : (kw_buf_free(&b), NULL);
}

static char *tl_first(tl_ctx *c, yaml_node_t *n, const char *what)
{
    char **v;
    size_t k = tl_strs(c, n, what, &v);
    char *s = k ? kw_strdup(v[0]) : NULL;
    tl_strs_free(v, k);
    return s;
}

static void tl_classification(tl_ctx *c, yaml_node_t *n)
{
    if (!tl_map_ok(c, n, "classification"))
        return;
    web_tmpl *t = c->t;
    TL_EACH(c, n, p) {
        const char *k = tl_key(c, p);
        yaml_node_t *v = tl_node(c, p->value);
        if (!v || (v->type == YAML_SCALAR_NODE && v->data.scalar.length == 0))
            continue;
        if (!strcmp(k, "cwe-id") && !t->cwe)
            t->cwe = tl_first(c, v, k);
        else if (!strcmp(k, "cve-id") && !t->cve)
            t->cve = tl_first(c, v, k);
        else if (!strcmp(k, "cvss-metrics") && !t->cvss_vector)
            t->cvss_vector = tl_dup(c, v, k);
        else if (!strcmp(k, "cvss-score") && v->type == YAML_SCALAR_NODE)
            t->cvss_score = strtod((const char *)v->data.scalar.value, NULL);
    }
    if (t->cwe)
        t->cwe[strcspn(t->cwe, ", ")] = '\0'; /* "CWE-20,CWE-917": the first */
    for (char *p = t->cwe; p && *p; p++)
        *p = (char)toupper((unsigned char)*p);
}

static void tl_info_key(tl_ctx *c, const char *k, yaml_node_t *v)
{
    web_tmpl *t = c->t;
    if (!strcmp(k, "name") && !t->name)
        t->name = tl_dup(c, v, k);
    else if (!strcmp(k, "severity")) {
        const char *s = tl_str(c, v, k);
        if (s && !finding_sev_parse(s, &t->severity))
            t->severity = FINDING_INFO;
    } else if (!strcmp(k, "description") && !t->description)
        t->description = tl_dup(c, v, k);
    else if (!strcmp(k, "remediation") && !t->remediation)
        t->remediation = tl_dup(c, v, k);
    else if (!strcmp(k, "reference") && !t->reference)
        t->reference = tl_joined(c, v, k, ", ");
    else if (!strcmp(k, "tags") && !t->tags)
        t->tags = tl_joined(c, v, k, ",");
    else if (!strcmp(k, "classification"))
        tl_classification(c, v);
}

static void tl_info(tl_ctx *c, yaml_node_t *n)
{
    if (!tl_map_ok(c, n, "info"))
        return;
    TL_EACH(c, n, p) {
        const char *k = tl_key(c, p);
        yaml_node_t *v = tl_node(c, p->value);
        if (v && !(v->type == YAML_SCALAR_NODE && v->data.scalar.length == 0 && strcmp(k, "name")))
            tl_info_key(c, k, v);
    }
}

/* ---- variables ---- */

static void tl_vars(tl_ctx *c, yaml_node_t *n)
{
    if (!tl_map_ok(c, n, "variables"))
        return;
    web_tmpl *t = c->t;
    TL_EACH(c, n, p) {
        const char *k = tl_key(c, p);
        yaml_node_t *v = tl_node(c, p->value);
        if (!v || v->type != YAML_SCALAR_NODE) {
            tl_skip(c, "variable '%.40s' is not a plain string", k);
            break;
        }
        if (t->nvars == 32) {
            tl_skip(c, "more than 32 variables");
            break;
        }
        t->vars = kw_realloc(t->vars, (t->nvars + 1) * sizeof *t->vars);
        t->vars[t->nvars++] = (web_tmpl_var){kw_strdup(k), tl_dup(c, v, k)};
    }
}

/* ---- the top level ---- */

static const char *const tl_protocols[] = {
    "dns", "file", "network", "tcp", "headless", "ssl", "websocket", "whois", "code", "javascript",
    "workflows", "flow", "self-contained", "multiprotocol", NULL};

static void tl_top_key(tl_ctx *c, const char *k, yaml_node_t *v, yaml_node_t **http)
{
    web_tmpl *t = c->t;
    if (!strcmp(k, "id") && !t->id)
        t->id = tl_dup(c, v, k);
    else if (!strcmp(k, "info"))
        tl_info(c, v);
    else if (!strcmp(k, "http") || !strcmp(k, "requests"))
        *http = v;
    else if (!strcmp(k, "variables") || !strcmp(k, "constants"))
        tl_vars(c, v);
    else if (tl_in(k, tl_protocols))
        tl_skip(c, "%s %s", !strcmp(k, "flow") || !strcmp(k, "workflows") || !strcmp(k, "self-contained") ? "uses" : "protocol", k);
    else if (strcmp(k, "signature") && strcmp(k, "stop-at-first-match"))
        tl_skip(c, "key '%.40s'", k);
}

static bool tl_id_ok(const char *id)
{
    size_t n = strlen(id);
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)id[i]) && id[i] != '-' && id[i] != '_' && id[i] != '.')
            return false;
    return n > 0 && n < FINDING_ID_MAX;
}


static void tl_root(tl_ctx *c, yaml_node_t *root)
{
    if (!root || root->type != YAML_MAPPING_NODE) {
        tl_error(c, root, "a template is a mapping (id, info, http)");
        return;
    }
    if (!tl_map_ok(c, root, "template"))
        return;
    yaml_node_t *http = NULL;
    TL_EACH(c, root, p) {
        yaml_node_t *v = tl_node(c, p->value);
        if (v)
            tl_top_key(c, tl_key(c, p), v, &http);
    }
    web_tmpl *t = c->t;
    if (c->rc == KW_ERR_PARSE)
        return;
    if (!t->id || !tl_id_ok(t->id)) {
        c->rc = KW_OK;
        tl_error(c, root, t->id ? "id '%.40s': letters, digits, '-', '_' and '.' only" : "no id%s", t->id ? t->id : "");
    } else if (c->rc == KW_OK && !http)
        tl_skip(c, "no http requests");
    else if (c->rc == KW_OK)
        tl_http(c, http);
}

static void tl_finish(tl_ctx *c)
{
    web_tmpl *t = c->t;
    if (!t->name)
        t->name = kw_strdup(t->id);
    if (!t->tags)
        t->tags = kw_strdup("");
    if (c->rc == KW_OK)
        web_tmpl_check_vars(t, c->why, c->whyn, &c->rc);
    t->category = web_tmpl_category(t);
}

kw_rc web_tmpl_parse(const char *name, const char *data, size_t len, web_tmpl **out, char *id, size_t idn,
                     char *why, size_t whyn)
{
    *out = NULL;
    if (idn)
        id[0] = '\0';
    if (whyn)
        why[0] = '\0';
    tl_ctx c = {.name = name, .budget = WEB_TMPL_NODES_MAX, .why = why, .whyn = whyn};
    if (len > WEB_TMPL_FILE_MAX) {
        tl_skip(&c, "larger than %u bytes", WEB_TMPL_FILE_MAX);
        return c.rc;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        return KW_ERR_NOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    if (!yaml_parser_load(&parser, &doc)) {
        yaml_node_t at = {.start_mark = parser.problem_mark};
        tl_error(&c, &at, "YAML syntax: %s%s%s", parser.problem ? parser.problem : "error",
                 parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return c.rc;
    }
    c.doc = &doc;
    c.t = kw_calloc(1, sizeof *c.t);
    c.t->file = kw_strdup(name);
    c.t->cvss_score = -1;
    tl_root(&c, yaml_document_get_root_node(&doc));
    if (c.t->id && idn)
        kw_strlcpy(id, c.t->id, idn);
    if (c.t->id)
        tl_finish(&c);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (c.rc == KW_OK)
        *out = c.t;
    else
        web_tmpl_free(c.t);
    return c.rc;
}

/* ---- freeing ---- */

static void tl_free_res(struct pcre2_real_code_8 **re, size_t n)
{
    for (size_t i = 0; re && i < n; i++)
        pcre2_code_free((pcre2_code *)re[i]);
    free(re);
}

static void tl_free_block(web_tmpl_block *b)
{
    for (size_t i = 0; i < b->nsends; i++)
        web_tmpl_send_free(&b->sends[i]);
    tl_strs_free(b->pnames, b->npnames);
    free(b->sends);
    for (size_t i = 0; i < b->nm; i++) {
        web_tmpl_matcher *m = &b->m[i];
        tl_free_res(m->re, m->nvals);
        for (size_t j = 0; m->dsl && j < m->nvals; j++)
            web_tmpl_dsl_free(m->dsl[j]);
        free(m->dsl);
        tl_strs_free(m->vals, m->nvals);
        free(m->lens);
        free(m->nums);
        free(m->part_name);
        free(m->name);
    }
    free(b->m);
    for (size_t i = 0; i < b->nx; i++) {
        web_tmpl_extractor *x = &b->x[i];
        tl_free_res(x->re, x->nre);
        tl_strs_free(x->src, x->nre);
        free(x->name);
        free(x->part_name);
    }
    free(b->x);
}

void web_tmpl_free(web_tmpl *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nblocks; i++)
        tl_free_block(&t->blocks[i]);
    free(t->blocks);
    for (size_t i = 0; i < t->nvars; i++) {
        free(t->vars[i].name);
        free(t->vars[i].value);
    }
    free(t->vars);
    char *strs[] = {t->file, t->id, t->name, t->description, t->reference, t->cwe, t->cve, t->cvss_vector,
                    t->tags, t->remediation};
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        free(strs[i]);
    free(t);
}
