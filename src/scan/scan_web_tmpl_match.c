/* Nuclei templates, the pure half of running one (no I/O): the {{variables}} (which a template
 * may name, their values for a site, their expansion), the category a template's findings get,
 * and the matchers and extractors applied to one answer, with Nuclei's semantics (conditions,
 * negative, parts, case-insensitive words, match-all; an AND fails on the first miss). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "scan/scan_web_tmpl_int.h"

#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_mem.h"

#define TM_MATCH_LIMIT 1000000       /* PCRE2 steps per regex and answer (hostile bodies) */
#define TM_DEPTH_LIMIT 10000
#define TM_EXTRACT_MAX 32            /* values one extractor keeps */
#define TM_EXCERPT_CTX 160           /* bytes of the answer kept around a match */

/* ---- variables ---- */

/* The variables every template may name (their values come from the site). DN, RDN, SD and TLD
 * (parts of a domain name) are known but get no value: a request naming one is not sent, as
 * Nuclei does not send it to an address. */
static const char *const tm_builtin[] = {
    "BaseURL", "RootURL", "Hostname", "Host", "Port", "Path", "File", "Scheme", "Input", "FQDN", "randstr",
    "DN", "RDN", "SD", "TLD", NULL};

bool web_tmpl_vars_set(web_tmpl_vars *vs, const char *name, const char *value)
{
    for (size_t i = 0; i < vs->n; i++)
        if (!strcmp(vs->v[i].name, name)) {
            vs->v[i].value = (char *)value;
            return true;
        }
    if (vs->n == sizeof vs->v / sizeof *vs->v)
        return false;
    vs->v[vs->n++] = (web_tmpl_var){(char *)name, (char *)value};
    return true;
}

static const char *tm_var(const web_tmpl_vars *vs, const char *name, size_t n)
{
    for (size_t i = vs->n; i-- > 0;)
        if (strlen(vs->v[i].name) == n && !memcmp(vs->v[i].name, name, n))
            return vs->v[i].value;
    return NULL;
}

/* Writes s[n] NUL-terminated at *at in store; NULL when it does not fit. */
static const char *tm_store(char **at, char *end, const char *s, size_t n)
{
    if ((size_t)(end - *at) < n + 1)
        return NULL;
    char *p = *at;
    memcpy(p, s, n);
    p[n] = '\0';
    *at += n + 1;
    return p;
}

kw_rc web_tmpl_vars_url(web_tmpl_vars *vs, const char *base, char *store, size_t storen)
{
    size_t sl = !strncmp(base, "http://", 7) ? 4 : !strncmp(base, "https://", 8) ? 5 : 0;
    if (!sl)
        return KW_ERR_PARSE;
    const char *auth = base + sl + 3, *path = auth + strcspn(auth, "/?#");
    const char *at_sign = memchr(auth, '@', (size_t)(path - auth));
    auth = at_sign ? at_sign + 1 : auth; /* user:password@ is not part of the host */
    const char *colon = memchr(auth, ':', (size_t)(path - auth));
    if (auth[0] == '[') { /* [v6]:port */
        const char *rb = memchr(auth, ']', (size_t)(path - auth));
        colon = rb && rb + 1 < path && rb[1] == ':' ? rb + 1 : NULL;
    }
    size_t plen = strcspn(path, "?#");
    while (plen && path[plen - 1] == '/')
        plen--;
    const char *slash = plen ? (const char *)memrchr(path, '/', plen) : NULL;
    size_t dir = slash ? (size_t)(slash - path) : 0;
    char *at = store, *end = store + storen;
    const char *hp = tm_store(&at, end, auth, (size_t)(path - auth));
    const char *h = tm_store(&at, end, auth, (size_t)((colon ? colon : path) - auth));
    const char *port = colon ? tm_store(&at, end, colon + 1, (size_t)(path - colon - 1)) : sl == 4 ? "80" : "443";
    const char *baseurl = tm_store(&at, end, base, (size_t)(path - base) + plen);
    const char *root = tm_store(&at, end, base, (size_t)(path - base));
    const char *p = tm_store(&at, end, path, dir);
    const char *file = tm_store(&at, end, path + (slash ? dir + 1 : 0), slash ? plen - dir - 1 : 0);
    const char *scheme = tm_store(&at, end, base, sl);
    if (!hp || !h || !port || !baseurl || !root || !p || !file || !scheme)
        return KW_ERR_FULL;
    const char *kv[][2] = {{"BaseURL", baseurl}, {"RootURL", root}, {"Hostname", hp}, {"Host", h}, {"Port", port},
                           {"Path", p}, {"File", file}, {"Scheme", scheme}, {"Input", baseurl}, {"FQDN", h}};
    for (size_t i = 0; i < sizeof kv / sizeof *kv; i++)
        if (!web_tmpl_vars_set(vs, kv[i][0], kv[i][1]))
            return KW_ERR_FULL;
    return KW_OK;
}

/* The name inside "{{ name }}" at s (s points at "{{"): its start and length, and where the
 * reference ends; false when s holds no closing "}}". */
static bool tm_ref(const char *s, const char **name, size_t *n, const char **after)
{
    const char *close = strstr(s + 2, "}}");
    if (!close)
        return false;
    const char *a = s + 2, *b = close;
    while (a < b && (*a == ' ' || *a == '\t'))
        a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
        b--;
    *name = a;
    *n = (size_t)(b - a);
    *after = close + 2;
    return true;
}

static bool tm_name_ok(const char *name, size_t n);

/* A name of vs for an expression in a request ({{base64(user + ':' + pass)}}). */
static bool tm_vs_get(void *arg, const char *name, const char **s, size_t *n, double *num, bool *is_num)
{
    *is_num = false;
    *s = tm_var(arg, name, strlen(name));
    *n = *s ? strlen(*s) : 0;
    return *s != NULL;
}

static kw_rc tm_vs_expand(void *arg, const char *s, kw_buf *out)
{
    return web_tmpl_expand(s, arg, out);
}

/* The value of the expression name[n] with vs's names. */
static kw_rc tm_expr(const char *name, size_t n, const web_tmpl_vars *vs, kw_buf *out)
{
    char src[1024], why[WEB_TMPL_WHY_MAX];
    web_tmpl_dsl *d;
    if (n >= sizeof src)
        return KW_ERR_NOTFOUND;
    memcpy(src, name, n);
    src[n] = '\0';
    if (web_tmpl_dsl_compile(src, &d, why, sizeof why) != KW_OK)
        return KW_ERR_NOTFOUND;
    web_tmpl_dsl_io io = {tm_vs_get, tm_vs_expand, (void *)vs, pcre2_match_data_create(1, NULL), NULL,
                          tm_var(vs, "randstr", 7)};
    kw_rc rc = web_tmpl_dsl_value(d, &io, out);
    pcre2_match_data_free(io.md);
    web_tmpl_dsl_free(d);
    return rc;
}

static kw_rc tm_expand(const char *s, const web_tmpl_vars *vs, kw_buf *out, int depth);

/* A variable's value; one that holds {{...}} itself (a payload "https://{{rand_base(5)}}.com")
 * is expanded too, at most 4 levels deep. */
static kw_rc tm_value(const char *v, const web_tmpl_vars *vs, kw_buf *out, int depth)
{
    if (!strstr(v, "{{"))
        return kw_buf_puts(out, v);
    return depth < 4 ? tm_expand(v, vs, out, depth + 1) : KW_ERR_NOTFOUND;
}

kw_rc web_tmpl_expand(const char *s, const web_tmpl_vars *vs, kw_buf *out)
{
    return tm_expand(s, vs, out, 0);
}

static kw_rc tm_expand(const char *s, const web_tmpl_vars *vs, kw_buf *out, int depth)
{
    for (;;) {
        const char *open = strstr(s, "{{"), *name, *after;
        size_t n;
        if (!open || !tm_ref(open, &name, &n, &after))
            return kw_buf_puts(out, s) == KW_OK ? KW_OK : KW_ERR_FULL;
        if (kw_buf_append(out, s, (size_t)(open - s)) != KW_OK)
            return KW_ERR_FULL;
        const char *v = tm_var(vs, name, n);
        kw_rc rc = v ? tm_value(v, vs, out, depth) : tm_name_ok(name, n) ? KW_ERR_NOTFOUND : tm_expr(name, n, vs, out);
        if (rc != KW_OK)
            return rc == KW_ERR_NOTFOUND ? rc : KW_ERR_FULL;
        if (out->overflow)
            return KW_ERR_FULL;
        s = after;
    }
}

/* ---- which variables a template names (checked when it loads) ---- */

static bool tm_name_ok(const char *name, size_t n)
{
    if (n == 0 || !(isalpha((unsigned char)name[0]) || name[0] == '_'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '-')
            return false;
    return true;
}

static bool tm_known(const web_tmpl *t, const web_tmpl_block *b, const char *name, size_t n)
{
    for (const char *const *k = tm_builtin; *k; k++)
        if (strlen(*k) == n && !memcmp(*k, name, n))
            return true;
    for (size_t i = 0; i < t->nvars; i++)
        if (strlen(t->vars[i].name) == n && !memcmp(t->vars[i].name, name, n))
            return true;
    for (size_t i = 0; b && i < b->nx; i++)
        if (b->x[i].internal && strlen(b->x[i].name) == n && !memcmp(b->x[i].name, name, n))
            return true;
    for (size_t i = 0; b && i < b->npnames; i++)
        if (strlen(b->pnames[i]) == n && !memcmp(b->pnames[i], name, n))
            return true;
    return false;
}

static bool tm_dsl_vars_known(const web_tmpl *t, const web_tmpl_block *b, const web_tmpl_dsl *d, bool answer,
                              char *why, size_t whyn);

/* An expression in {{...}}: compiled (the subset), and naming only what has a value. */
static bool tm_expr_ok(const web_tmpl *t, const web_tmpl_block *b, const char *name, size_t n, char *why, size_t whyn)
{
    char src[1024], dwhy[WEB_TMPL_WHY_MAX];
    web_tmpl_dsl *d = NULL;
    bool ok = n < sizeof src;
    if (ok) {
        memcpy(src, name, n);
        src[n] = '\0';
        ok = web_tmpl_dsl_compile(src, &d, dwhy, sizeof dwhy) == KW_OK;
    }
    if (!ok)
        snprintf(why, whyn, "expression {{%.*s}}", (int)(n > 40 ? 40 : n), name);
    ok = ok && tm_dsl_vars_known(t, b, d, false, why, whyn);
    web_tmpl_dsl_free(d);
    return ok;
}

/* True when every {{...}} in s names a known variable or is an expression of the subset over
 * them; else false with the reason in why. */
static bool tm_refs_ok(const web_tmpl *t, const web_tmpl_block *b, const char *s, char *why, size_t whyn)
{
    for (const char *open; s && (open = strstr(s, "{{"));) {
        const char *name, *after;
        size_t n;
        if (!tm_ref(open, &name, &n, &after))
            return true;
        if (!tm_name_ok(name, n) && !tm_expr_ok(t, b, name, n, why, whyn))
            return false;
        if (tm_name_ok(name, n) && !tm_known(t, b, name, n)) {
            snprintf(why, whyn, "unknown variable {{%.*s}}", (int)(n > 40 ? 40 : n), name);
            return false;
        }
        s = after;
    }
    return true;
}

static bool tm_send_ok(const web_tmpl *t, const web_tmpl_block *b, const web_tmpl_send *s, char *why, size_t whyn)
{
    if (!tm_refs_ok(t, b, s->url, why, whyn) || !tm_refs_ok(t, b, s->body, why, whyn) ||
        !tm_refs_ok(t, b, s->content_type, why, whyn))
        return false;
    for (size_t i = 0; i < s->nheaders; i++)
        if (!tm_refs_ok(t, b, s->headers[i], why, whyn))
            return false;
    return true;
}

/* The answer's values a dsl matcher may name (a header by its key among them). */
static bool tm_answer_name(const char *v)
{
    static const char *const known[] = {"body", "header", "all_headers", "response", "status_code", "content_length", NULL};
    for (const char *const *k = known; *k; k++)
        if (!strcmp(*k, v))
            return true;
    for (const char *p = v; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
            return false;
    return true;
}

/* Every name d reads has a value: a variable, a payload, an internal extractor's, or (answer:
 * in a matcher) the answer's; a non-internal extractor's value is another request's data. */
static bool tm_dsl_vars_known(const web_tmpl *t, const web_tmpl_block *b, const web_tmpl_dsl *d, bool answer,
                              char *why, size_t whyn)
{
    for (size_t k = 0; web_tmpl_dsl_var(d, k); k++) {
        const char *v = web_tmpl_dsl_var(d, k);
        bool extracted = false;
        for (size_t j = 0; b && j < b->nx; j++)
            extracted = extracted || (b->x[j].name && !b->x[j].internal && !strcmp(b->x[j].name, v));
        if (extracted || !(tm_known(t, b, v, strlen(v)) || (answer && tm_answer_name(v)))) {
            snprintf(why, whyn, "dsl variable '%.40s'", v);
            return false;
        }
    }
    return true;
}

static bool tm_dsl_names_ok(const web_tmpl *t, const web_tmpl_block *b, const web_tmpl_matcher *m, char *why, size_t whyn)
{
    for (size_t i = 0; m->type == WEB_TMPL_DSL && i < m->nvals; i++)
        if (!tm_refs_ok(t, b, m->vals[i], why, whyn) || !tm_dsl_vars_known(t, b, m->dsl[i], true, why, whyn))
            return false;
    return true;
}

static bool tm_block_ok(const web_tmpl *t, const web_tmpl_block *b, char *why, size_t whyn)
{
    for (size_t i = 0; i < b->nm; i++)
        if (!tm_dsl_names_ok(t, b, &b->m[i], why, whyn))
            return false;
    for (size_t i = 0; i < b->nsends; i++)
        if (!tm_send_ok(t, b, &b->sends[i], why, whyn))
            return false;
    for (size_t i = 0; i < b->nm; i++)
        for (size_t j = 0; b->m[i].type == WEB_TMPL_WORD && j < b->m[i].nvals; j++)
            if (!tm_refs_ok(t, b, b->m[i].vals[j], why, whyn))
                return false;
    return true;
}

/* Never send a literal "{{...}}": a template naming what has no value here is skipped. */
void web_tmpl_check_vars(web_tmpl *t, char *why, size_t whyn, kw_rc *rc)
{
    for (size_t i = 0; i < t->nvars; i++)
        if (!tm_refs_ok(t, NULL, t->vars[i].value, why, whyn)) {
            *rc = KW_ERR_UNSUPPORTED;
            return;
        }
    for (size_t i = 0; i < t->nblocks; i++)
        if (!tm_block_ok(t, &t->blocks[i], why, whyn)) {
            *rc = KW_ERR_UNSUPPORTED;
            return;
        }
}

/* ---- the category of a template's findings ---- */

static bool tm_tag(const char *tags, const char *tag)
{
    size_t n = strlen(tag);
    for (const char *p = tags; *p;) {
        size_t len = strcspn(p, ",");
        const char *a = p, *b = p + len;
        while (a < b && *a == ' ')
            a++;
        while (b > a && b[-1] == ' ')
            b--;
        if ((size_t)(b - a) == n && !strncasecmp(a, tag, n))
            return true;
        p += len + (p[len] == ',');
    }
    return false;
}

const char *web_tmpl_category(const web_tmpl *t)
{
    static const struct { const char *tag, *cwe, *cat; } map[] = {
        {"default-login", "CWE-1391", "weak_auth"}, {"sqli", "CWE-89", "sqli"},
        {"xss", "CWE-79", "xss"}, {"lfi", "CWE-22", "path_traversal"},
        {"traversal", "CWE-23", "path_traversal"}, {"rce", "CWE-78", "command_injection"},
        {"cmdi", "CWE-77", "command_injection"}, {"ssti", "CWE-1336", "command_injection"},
        {"redirect", "CWE-601", "open_redirect"}, {"panel", "CWE-284", "exposed_service"},
        {"exposure", "CWE-538", "sensitive_file"},
        {"config", "CWE-16", "sensitive_file"}, {"backup", "CWE-530", "sensitive_file"}};
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (tm_tag(t->tags, map[i].tag) || (t->cwe && !strcmp(t->cwe, map[i].cwe)))
            return map[i].cat;
    return "app_config";
}

/* ---- the parts of an answer ---- */

typedef struct tm_parts {
    const web_tmpl_answer *a;
    kw_buf all, resp, named;         /* built when a matcher wants them */
    bool have_all, have_resp;
    char *low[4];                    /* body, header, all, response lower-cased, when asked */
} tm_parts;

/* The value of the header whose nuclei key is key ("content_type": Content-Type), repeated
 * ones joined by a space; false when absent. */
static bool tm_named(tm_parts *ps, const char *key, const char **p, size_t *n)
{
    kw_buf_reset(&ps->named);
    bool found = false;
    size_t kl = strlen(key);
    for (const char *l = ps->a->headers, *end = l + ps->a->hlen; l < end;) {
        const char *eol = memchr(l, '\n', (size_t)(end - l));
        const char *le = eol ? eol : end, *colon = memchr(l, ':', (size_t)(le - l));
        bool same = colon && (size_t)(colon - l) == kl;
        for (size_t i = 0; same && i < kl; i++)
            same = (l[i] == '-' ? '_' : tolower((unsigned char)l[i])) == key[i];
        if (same) {
            const char *v = colon + 1, *ve = le > v && le[-1] == '\r' ? le - 1 : le;
            while (v < ve && (*v == ' ' || *v == '\t'))
                v++;
            if (found)
                kw_buf_putc(&ps->named, ' ');
            kw_buf_append(&ps->named, v, (size_t)(ve - v));
            found = true;
        }
        l = le + 1;
    }
    *p = kw_buf_cstr(&ps->named);
    *n = ps->named.len;
    return found;
}

static void tm_join(kw_buf *b, const char *x, size_t xn, const char *y, size_t yn)
{
    kw_buf_append(b, x, xn);
    kw_buf_append(b, y, yn);
}

/* Part `part` of the answer as p[n]; false when the answer has no such part. */
static bool tm_part(tm_parts *ps, web_tmpl_part part, const char *name, const char **p, size_t *n)
{
    const web_tmpl_answer *a = ps->a;
    switch (part) {
    case WEB_TMPL_HEADER:
        *p = a->headers ? a->headers : "", *n = a->hlen;
        return true;
    case WEB_TMPL_ALL:
        if (!ps->have_all)
            tm_join(&ps->all, a->body, a->blen, a->headers, a->hlen), ps->have_all = true;
        *p = kw_buf_cstr(&ps->all), *n = ps->all.len;
        return true;
    case WEB_TMPL_RESPONSE:
        if (!ps->have_resp)
            tm_join(&ps->resp, a->headers, a->hlen, a->body, a->blen), ps->have_resp = true;
        *p = kw_buf_cstr(&ps->resp), *n = ps->resp.len;
        return true;
    case WEB_TMPL_NAMED:
        return tm_named(ps, name, p, n);
    case WEB_TMPL_BODY:
    default:
        *p = a->body ? a->body : "", *n = a->blen;
        return true;
    }
}

static const char *tm_part_word(web_tmpl_part part, const char *name)
{
    static const char *const w[] = {"body", "header", "all", "response"};
    return part == WEB_TMPL_NAMED ? name : w[part];
}

/* ---- matchers ---- */

typedef struct tm_hit {
    bool have;                       /* a place in the answer shows it */
    const char *p;                   /* the part */
    size_t n, at, len;               /* its size, the match's offset and length */
} tm_hit;

static size_t tm_memfind(const char *h, size_t hn, const char *nd, size_t nn)
{
    if (nn == 0)
        return 0;
    const char *f = nn <= hn ? memmem(h, hn, nd, nn) : NULL;
    return f ? (size_t)(f - h) : (size_t)-1;
}

static char *tm_lower(const char *p, size_t n)
{
    char *l = kw_malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        l[i] = (char)tolower((unsigned char)p[i]);
    l[n] = '\0';
    return l;
}

/* One word (expanded with vs) against p[n]: its offset or (size_t)-1; *bad on an unknown var. */
static size_t tm_word(const web_tmpl_matcher *m, size_t i, const char *p, size_t n, const web_tmpl_vars *vs, bool *bad)
{
    if (m->type == WEB_TMPL_BINARY || !strstr(m->vals[i], "{{"))
        return tm_memfind(p, n, m->vals[i], m->lens[i]);
    kw_buf w;
    kw_buf_init(&w, WEB_TMPL_STR_MAX);
    size_t at = (size_t)-1;
    if (web_tmpl_expand(m->vals[i], vs, &w) != KW_OK)
        *bad = true;
    for (size_t k = 0; m->nocase && k < w.len; k++) /* the corpus is lower-cased too */
        w.data[k] = (char)tolower((unsigned char)w.data[k]);
    if (!*bad)
        at = tm_memfind(p, n, kw_buf_cstr(&w), w.len);
    kw_buf_free(&w);
    return at;
}

/* One regex against p[n]: the offset and length of its first match, or false. */
static bool tm_regex(const web_tmpl_matcher *m, size_t i, const char *p, size_t n, pcre2_match_data *md,
                     pcre2_match_context *mc, size_t *at, size_t *len)
{
    int rc = pcre2_match((const pcre2_code *)m->re[i], (PCRE2_SPTR)p, n, 0, 0, md, mc);
    if (rc < 0)
        return false;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    *at = ov[0];
    *len = ov[1] > ov[0] ? ov[1] - ov[0] : 0;
    return true;
}

typedef struct tm_env {
    const web_tmpl_vars *vs;
    pcre2_match_data *md;
    pcre2_match_context *mc;
    bool bad;                        /* a word named an unknown variable */
} tm_env;

/* Words, binary or regex items of m against p[n] with m's condition; the first hit in *h. */
static bool tm_items(const web_tmpl_matcher *m, const char *p, size_t n, tm_env *e, tm_hit *h, kw_buf *why)
{
    bool any = false;
    for (size_t i = 0; i < m->nvals; i++) {
        size_t at = (size_t)-1, len = m->lens ? m->lens[i] : 0;
        bool ok = m->type == WEB_TMPL_REGEX ? tm_regex(m, i, p, n, e->md, e->mc, &at, &len)
                                            : (at = tm_word(m, i, p, n, e->vs, &e->bad)) != (size_t)-1;
        if (!ok && m->and_)
            return false;
        if (!ok)
            continue;
        if (!any)
            *h = (tm_hit){true, p, n, at, len};
        kw_buf_printf(why, "%s%s '%.80s'", any ? ", " : "", m->type == WEB_TMPL_REGEX ? "regex" : "word", m->vals[i]);
        any = true;
        if (!m->and_ && !m->match_all)
            return true;
    }
    return any;
}

static bool tm_nums(const web_tmpl_matcher *m, long v)
{
    for (size_t i = 0; i < m->nnums; i++)
        if (m->nums[i] == v)
            return true;
    return false;
}

/* The DSL's view of an answer: its parts by name, a header by its key (each in its own buffer,
 * as one expression may hold several at once). */
typedef struct tm_dslget {
    tm_parts *ps;
    const web_tmpl_vars *vs;
    kw_buf hdr[8];
    size_t nhdr;
} tm_dslget;

static bool tm_dsl_get(void *arg, const char *name, const char **s, size_t *n, double *num, bool *is_num)
{
    tm_dslget *g = arg;
    const web_tmpl_answer *a = g->ps->a;
    if (g->vs && tm_vs_get((void *)g->vs, name, s, n, num, is_num)) /* a variable first, as Nuclei merges */
        return true;
    *is_num = !strcmp(name, "status_code") || !strcmp(name, "content_length");
    if (*is_num) {
        *num = !strcmp(name, "status_code") ? (double)a->status : (double)a->blen;
        return true;
    }
    static const struct { const char *k; web_tmpl_part p; } parts[] = {
        {"body", WEB_TMPL_BODY}, {"header", WEB_TMPL_HEADER}, {"all_headers", WEB_TMPL_HEADER}, {"response", WEB_TMPL_RESPONSE}};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
        if (!strcmp(name, parts[i].k))
            return tm_part(g->ps, parts[i].p, NULL, s, n);
    if (g->nhdr == sizeof g->hdr / sizeof *g->hdr || !tm_named(g->ps, name, s, n))
        return false;
    kw_buf *h = &g->hdr[g->nhdr++];
    kw_buf_init(h, 64u << 10);
    kw_buf_append(h, *s, *n);
    *s = kw_buf_cstr(h);
    return true;
}

static kw_rc tm_dsl_expand(void *arg, const char *s, kw_buf *out)
{
    return web_tmpl_expand(s, ((tm_dslget *)arg)->vs, out);
}

/* A dsl matcher's expressions with its condition. */
static bool tm_dsl(const web_tmpl_matcher *m, tm_parts *ps, tm_env *e, kw_buf *why)
{
    bool any = false;
    for (size_t i = 0; i < m->nvals; i++) {
        tm_dslget g = {.ps = ps, .vs = e->vs};
        web_tmpl_dsl_io io = {tm_dsl_get, tm_dsl_expand, &g, e->md, e->mc, tm_var(e->vs, "randstr", 7)};
        bool ok = web_tmpl_dsl_eval(m->dsl[i], &io);
        for (size_t k = 0; k < g.nhdr; k++)
            kw_buf_free(&g.hdr[k]);
        if (!ok && m->and_)
            return false;
        if (ok)
            kw_buf_printf(why, "%sdsl '%.120s'", any ? ", " : "", m->vals[i]);
        any = any || ok;
        if (ok && !m->and_)
            return true;
    }
    return any;
}

/* One matcher: whether it holds (negative applied); what it saw appended to why. */
static bool tm_matcher(const web_tmpl_matcher *m, tm_parts *ps, tm_env *e, tm_hit *h, kw_buf *why)
{
    const char *p;
    size_t n;
    if (!tm_part(ps, m->part, m->part_name, &p, &n))
        return false;
    kw_buf seen;
    kw_buf_init(&seen, 1024);
    bool ok;
    tm_hit mine = {0};
    if (m->type == WEB_TMPL_DSL) {
        ok = tm_dsl(m, ps, e, &seen);
    } else if (m->type == WEB_TMPL_STATUS || m->type == WEB_TMPL_SIZE) {
        long v = m->type == WEB_TMPL_STATUS ? ps->a->status : (long)n;
        ok = tm_nums(m, v);
        kw_buf_printf(&seen, "%s %ld", m->type == WEB_TMPL_STATUS ? "status" : "size", v);
    } else {
        char *low = NULL, **cached = m->part == WEB_TMPL_NAMED ? &low : &ps->low[m->part];
        if (m->nocase && !*cached)
            *cached = tm_lower(p, n);
        ok = tm_items(m, m->nocase ? *cached : p, n, e, &mine, &seen);
        mine.p = p; /* the excerpt shows the answer as it is, not lower-cased */
        free(low);
        kw_buf_printf(&seen, " in %s", tm_part_word(m->part, m->part_name));
    }
    if (m->negative && !ok && m->nvals && m->type != WEB_TMPL_DSL) { /* what was absent */
        kw_buf_reset(&seen);
        kw_buf_printf(&seen, "%s '%.80s'%s in %s", m->type == WEB_TMPL_REGEX ? "regex" : "word", m->vals[0],
                      m->nvals > 1 ? " (or another)" : "", tm_part_word(m->part, m->part_name));
    }
    ok = m->negative ? !ok : ok;
    if (ok) {
        kw_buf_printf(why, "%s%s%s", why->len ? "; " : "", m->negative ? "not " : "", kw_buf_cstr(&seen));
        if (!m->negative && mine.have && !h->have)
            *h = mine;
    }
    kw_buf_free(&seen);
    return ok;
}

/* ---- extractors ---- */

static bool tm_has(const kw_buf *vals, const char *v, size_t n)
{
    for (size_t off = 0; off < vals->len;) {
        const char *s = vals->data + off;
        size_t l = strlen(s);
        if (l == n && !memcmp(s, v, n))
            return true;
        off += l + 1;
    }
    return false;
}

/* A kval extractor: the value of each header it names. */
static size_t tm_extract_kval(const web_tmpl_extractor *x, tm_parts *ps, kw_buf *vals)
{
    size_t cnt = 0;
    for (size_t i = 0; i < x->nre && cnt < TM_EXTRACT_MAX; i++) {
        const char *p;
        size_t n;
        if (tm_named(ps, x->src[i], &p, &n) && n < 4096 && !memchr(p, '\0', n) && !tm_has(vals, p, n)) {
            kw_buf_append(vals, p, n);
            kw_buf_putc(vals, '\0');
            cnt++;
        }
    }
    return cnt;
}

/* Every value of x's regexes (its group) on the answer into vals ("v\0v\0", deduplicated). */
static size_t tm_extract(const web_tmpl_extractor *x, tm_parts *ps, tm_env *e, kw_buf *vals)
{
    const char *p;
    size_t n, cnt = 0;
    if (x->kval)
        return tm_extract_kval(x, ps, vals);
    if (!tm_part(ps, x->part, x->part_name, &p, &n))
        return 0;
    for (size_t i = 0; i < x->nre && cnt < TM_EXTRACT_MAX; i++) {
        for (size_t off = 0; off <= n && cnt < TM_EXTRACT_MAX;) {
            int rc = pcre2_match((const pcre2_code *)x->re[i], (PCRE2_SPTR)p, n, off, 0, e->md, e->mc);
            if (rc < 0)
                break;
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(e->md);
            size_t a = rc > (int)x->group ? ov[2 * x->group] : PCRE2_UNSET, b = ov[2 * x->group + 1];
            if (a != PCRE2_UNSET && b >= a && b - a < 4096 && !memchr(p + a, '\0', b - a) && !tm_has(vals, p + a, b - a)) {
                kw_buf_append(vals, p + a, b - a);
                kw_buf_putc(vals, '\0');
                cnt++;
            }
            off = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
        }
    }
    return cnt;
}

/* Runs the extractors: internal values into r->internal ("name\0value\0", the first value),
 * the others listed in *shown; the count of shown values. */
static size_t tm_extractors(const web_tmpl_block *b, tm_parts *ps, tm_env *e, web_tmpl_result *r, kw_buf *shown)
{
    size_t shown_n = 0;
    for (size_t i = 0; i < b->nx; i++) {
        const web_tmpl_extractor *x = &b->x[i];
        kw_buf vals;
        kw_buf_init(&vals, 64u << 10);
        if (tm_extract(x, ps, e, &vals) && x->internal) {
            kw_buf_append(&r->internal, x->name, strlen(x->name) + 1);
            kw_buf_append(&r->internal, vals.data, strlen(vals.data) + 1);
        }
        for (size_t off = 0; !x->internal && off < vals.len; off += strlen(vals.data + off) + 1)
            if (!tm_has(shown, vals.data + off, strlen(vals.data + off))) {
                kw_buf_append(shown, vals.data + off, strlen(vals.data + off) + 1);
                shown_n++;
            }
        kw_buf_free(&vals);
    }
    return shown_n;
}

/* ---- a block on one answer ---- */

void web_tmpl_result_init(web_tmpl_result *r)
{
    memset(r, 0, sizeof *r);
    kw_buf_init(&r->detail, 4096);
    kw_buf_init(&r->excerpt, 2 * TM_EXCERPT_CTX + 64);
    kw_buf_init(&r->internal, 64u << 10);
}

void web_tmpl_result_free(web_tmpl_result *r)
{
    kw_buf_free(&r->detail);
    kw_buf_free(&r->excerpt);
    kw_buf_free(&r->internal);
}

/* The answer around the hit, printable (control bytes as '.'). */
static void tm_excerpt(const tm_hit *h, kw_buf *out)
{
    size_t from = h->at > TM_EXCERPT_CTX ? h->at - TM_EXCERPT_CTX : 0;
    size_t to = h->at + h->len + TM_EXCERPT_CTX;
    to = to > h->n ? h->n : to;
    for (size_t i = from; i < to; i++) {
        unsigned char ch = (unsigned char)h->p[i];
        kw_buf_putc(out, ch < 0x20 && ch != '\n' && ch != '\t' ? '.' : ch == 0x7f ? '.' : (char)ch);
    }
}

/* The matchers with the block's condition; what held into r->detail, where into *h. */
static bool tm_matchers(const web_tmpl_block *b, tm_parts *ps, tm_env *e, web_tmpl_result *r, tm_hit *h)
{
    bool any = false;
    for (size_t i = 0; i < b->nm; i++) {
        bool ok = tm_matcher(&b->m[i], ps, e, h, &r->detail);
        if (!ok && b->and_)
            return false;
        any = any || ok;
    }
    return any;
}

static void tm_shown(kw_buf *detail, const kw_buf *shown)
{
    kw_buf_printf(detail, "%sextracted: ", detail->len ? "; " : "");
    for (size_t off = 0, k = 0; off < shown->len; off += strlen(shown->data + off) + 1, k++)
        kw_buf_printf(detail, "%s%.200s", k ? ", " : "", shown->data + off);
}

kw_rc web_tmpl_eval(const web_tmpl_block *b, const web_tmpl_answer *a, const web_tmpl_vars *vs, web_tmpl_result *r)
{
    kw_buf_reset(&r->detail);
    kw_buf_reset(&r->excerpt);
    kw_buf_reset(&r->internal);
    r->matched = false;
    tm_parts ps = {.a = a};
    kw_buf_init(&ps.all, WEB_TMPL_FILE_MAX * 8);
    kw_buf_init(&ps.resp, WEB_TMPL_FILE_MAX * 8);
    kw_buf_init(&ps.named, 64u << 10);
    kw_buf shown;
    kw_buf_init(&shown, 64u << 10);
    tm_env e = {.vs = vs, .md = pcre2_match_data_create(34, NULL), .mc = pcre2_match_context_create(NULL)};
    pcre2_set_match_limit(e.mc, TM_MATCH_LIMIT);
    pcre2_set_depth_limit(e.mc, TM_DEPTH_LIMIT);
    size_t nshown = tm_extractors(b, &ps, &e, r, &shown);
    tm_hit h = {0};
    bool held = tm_matchers(b, &ps, &e, r, &h);
    r->matched = !e.bad && (b->nm ? held : nshown > 0);
    if (r->matched && nshown)
        tm_shown(&r->detail, &shown);
    if (r->matched && !h.have) /* a status, size or dsl match: the start of the body shows it */
        h = (tm_hit){true, a->body ? a->body : "", a->blen, 0, 0};
    if (r->matched)
        tm_excerpt(&h, &r->excerpt);
    pcre2_match_data_free(e.md);
    pcre2_match_context_free(e.mc);
    kw_buf_free(&shown);
    kw_buf_free(&ps.all);
    kw_buf_free(&ps.resp);
    kw_buf_free(&ps.named);
    for (size_t i = 0; i < 4; i++)
        free(ps.low[i]);
    return e.bad ? KW_ERR_NOTFOUND : KW_OK;
}
