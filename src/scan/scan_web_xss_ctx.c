/* Where an XSS marker lands and whether a probe broke out (pure, no I/O): a small HTML tokenizer
 * after the WHATWG tokenization states that decide where text goes (data, tag and attribute
 * names, the three attribute value states, comments, raw-text elements) plus a JavaScript
 * lexer inside <script> that tells code from strings and comments. One pass over the body,
 * bounded by its length; the visitor it calls records places or looks for a proof. */
#include "scan/scan_web_xss.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/kw_mem.h"

typedef enum tok_state {
    S_DATA = 0, S_TAGOPEN, S_TAGNAME, S_BEFORE_ATTR, S_ATTR_NAME, S_AFTER_ATTR_NAME,
    S_BEFORE_VALUE, S_VALUE_DQ, S_VALUE_SQ, S_VALUE_UQ, S_COMMENT, S_BOGUS, S_RAW,
} tok_state;

typedef enum js_state { J_CODE = 0, J_SQ, J_DQ, J_TPL, J_LINE, J_BLOCK } js_state;

typedef struct xss_tok xss_tok;
typedef struct xss_visit {
    void (*marker)(struct xss_visit *v, const xss_tok *t, size_t at);
    void (*tag)(struct xss_visit *v, const xss_tok *t, size_t at);        /* a start tag's name */
    void (*attr)(struct xss_visit *v, const xss_tok *t, size_t at);       /* an attribute name */
    void (*value)(struct xss_visit *v, const xss_tok *t, size_t end);     /* a value ended */
    bool done;
} xss_visit;

struct xss_tok {
    const char *b;
    size_t len;
    tok_state s;
    js_state js;
    bool endtag;
    char tag[WEB_XSS_NAME_MAX];
    size_t taglen, tagat;
    char attr[WEB_XSS_NAME_MAX];
    size_t attrlen, attrat;
    size_t vstart;                   /* where the current attribute value starts */
    char quote;                      /* of the current value */
    char raw[WEB_XSS_NAME_MAX];      /* the raw-text element we are in */
};

static const char *const xss_raw_tags[] = {"script", "style", "textarea", "title", "xmp",
                                           "iframe", "noembed", "noframes", "noscript"};
static const char *const xss_url_attrs[] = {"href", "src", "action", "formaction", "data",
                                            "poster", "background", "xlink:href", "srcdoc"};

/* The element and attribute pairs whose javascript: URL runs when followed (an <img src> or a
 * <link href> does not run one). */
static const struct {
    const char *tag, *attr;
} xss_js_urls[] = {{"a", "href"},       {"area", "href"},        {"iframe", "src"},  {"frame", "src"},
                   {"form", "action"},  {"button", "formaction"}, {"input", "formaction"}, {"object", "data"},
                   {"embed", "src"}};

static bool xss_js_url(const char *tag, const char *attr)
{
    for (size_t i = 0; i < sizeof xss_js_urls / sizeof *xss_js_urls; i++)
        if (strcmp(tag, xss_js_urls[i].tag) == 0 && strcmp(attr, xss_js_urls[i].attr) == 0)
            return true;
    return false;
}

static bool xss_in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

static bool xss_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static void xss_name_add(char *name, size_t *len, char c)
{
    if (*len + 1 < WEB_XSS_NAME_MAX) {
        name[*len] = (char)tolower((unsigned char)c);
        name[*len + 1] = '\0';
    }
    (*len)++;
}

/* ---- the tokenizer ---- */

static void xss_tag_close(xss_tok *t)
{
    t->s = S_DATA;
    if (!t->endtag && t->taglen < WEB_XSS_NAME_MAX &&
        xss_in_list(t->tag, xss_raw_tags, sizeof xss_raw_tags / sizeof *xss_raw_tags)) {
        memcpy(t->raw, t->tag, sizeof t->raw);
        t->s = S_RAW;
        t->js = J_CODE;
    }
}

static void xss_tag_named(xss_tok *t, xss_visit *v)
{
    if (!t->endtag && v->tag)
        v->tag(v, t, t->tagat);
}

static void xss_attr_start(xss_tok *t, size_t i, char c)
{
    t->s = S_ATTR_NAME;
    t->attrlen = 0;
    t->attr[0] = '\0';
    t->attrat = i;
    xss_name_add(t->attr, &t->attrlen, c);
}

static void xss_attr_named(xss_tok *t, xss_visit *v)
{
    if (!t->endtag && v->attr)
        v->attr(v, t, t->attrat);
}

static void xss_value_end(xss_tok *t, xss_visit *v, size_t end)
{
    if (!t->endtag && v->value)
        v->value(v, t, end);
}

/* '<' seen: what follows decides. Returns how many extra bytes were used. */
static size_t xss_step_tagopen(xss_tok *t, size_t i)
{
    char c = t->b[i];
    if (c == '!') {
        bool dash = i + 2 < t->len && t->b[i + 1] == '-' && t->b[i + 2] == '-';
        t->s = dash ? S_COMMENT : S_BOGUS;
        return dash ? 2 : 0;
    }
    if (c == '?') {
        t->s = S_BOGUS;
        return 0;
    }
    bool end = c == '/';
    char first = end ? (i + 1 < t->len ? t->b[i + 1] : '\0') : c;
    if (!isalpha((unsigned char)first)) {
        t->s = end ? S_BOGUS : S_DATA;
        return 0;
    }
    t->s = S_TAGNAME;
    t->endtag = end;
    t->taglen = 0;
    t->tag[0] = '\0';
    t->tagat = i - 1;
    xss_name_add(t->tag, &t->taglen, first);
    return end ? 1 : 0;
}

static void xss_step_tagname(xss_tok *t, xss_visit *v, char c)
{
    if (xss_ws(c) || c == '/' || c == '>') {
        xss_tag_named(t, v);
        if (c == '>')
            xss_tag_close(t);
        else
            t->s = S_BEFORE_ATTR;
        return;
    }
    xss_name_add(t->tag, &t->taglen, c);
}

static void xss_step_attrs(xss_tok *t, xss_visit *v, size_t i, char c)
{
    switch (t->s) {
    case S_BEFORE_ATTR:
        if (c == '>')
            xss_tag_close(t);
        else if (!xss_ws(c) && c != '/')
            xss_attr_start(t, i, c);
        break;
    case S_ATTR_NAME:
        if (xss_ws(c) || c == '/' || c == '=' || c == '>') {
            xss_attr_named(t, v);
            t->s = c == '=' ? S_BEFORE_VALUE : xss_ws(c) ? S_AFTER_ATTR_NAME : S_BEFORE_ATTR;
            if (c == '>')
                xss_tag_close(t);
        } else {
            xss_name_add(t->attr, &t->attrlen, c);
        }
        break;
    case S_AFTER_ATTR_NAME:
        if (c == '=')
            t->s = S_BEFORE_VALUE;
        else if (c == '>')
            xss_tag_close(t);
        else if (c == '/')
            t->s = S_BEFORE_ATTR;
        else if (!xss_ws(c))
            xss_attr_start(t, i, c);
        break;
    default:
        break;
    }
}

static void xss_step_values(xss_tok *t, xss_visit *v, size_t i, char c)
{
    switch (t->s) {
    case S_BEFORE_VALUE:
        if (xss_ws(c))
            break;
        if (c == '>') {
            xss_tag_close(t);
            break;
        }
        t->quote = c == '"' || c == '\'' ? c : '\0';
        t->s = c == '"' ? S_VALUE_DQ : c == '\'' ? S_VALUE_SQ : S_VALUE_UQ;
        t->vstart = t->quote ? i + 1 : i;
        break;
    case S_VALUE_DQ:
    case S_VALUE_SQ:
        if (c == t->quote) {
            xss_value_end(t, v, i);
            t->s = S_BEFORE_ATTR;
        }
        break;
    case S_VALUE_UQ:
        if (xss_ws(c) || c == '>') {
            xss_value_end(t, v, i);
            if (c == '>')
                xss_tag_close(t);
            else
                t->s = S_BEFORE_ATTR;
        }
        break;
    default:
        break;
    }
}

/* Inside a script: strings, comments and code. Returns extra bytes used. */
static size_t xss_step_js(xss_tok *t, size_t i, char c)
{
    char next = i + 1 < t->len ? t->b[i + 1] : '\0';
    switch (t->js) {
    case J_CODE:
        if (c == '\'' || c == '"' || c == '`')
            t->js = c == '\'' ? J_SQ : c == '"' ? J_DQ : J_TPL;
        else if (c == '/' && (next == '/' || next == '*')) {
            t->js = next == '/' ? J_LINE : J_BLOCK;
            return 1;
        }
        return 0;
    case J_SQ:
    case J_DQ:
    case J_TPL:
        if (c == '\\')
            return 1;
        if ((t->js == J_SQ && c == '\'') || (t->js == J_DQ && c == '"') || (t->js == J_TPL && c == '`') ||
            (t->js != J_TPL && c == '\n'))
            t->js = J_CODE;
        return 0;
    case J_LINE:
        if (c == '\n')
            t->js = J_CODE;
        return 0;
    case J_BLOCK:
        if (c == '*' && next == '/') {
            t->js = J_CODE;
            return 1;
        }
        return 0;
    }
    return 0;
}

/* In a raw-text element: only its own end tag ends it. Returns extra bytes used. */
static size_t xss_step_raw(xss_tok *t, size_t i, char c)
{
    size_t n = strlen(t->raw);
    if (c == '<' && i + 2 + n <= t->len && t->b[i + 1] == '/' && strncasecmp(t->b + i + 2, t->raw, n) == 0) {
        char after = i + 2 + n < t->len ? t->b[i + 2 + n] : '>';
        if (xss_ws(after) || after == '/' || after == '>') {
            t->s = S_TAGOPEN;
            return 0;
        }
    }
    return strcmp(t->raw, "script") == 0 ? xss_step_js(t, i, c) : 0;
}

static size_t xss_step(xss_tok *t, xss_visit *v, size_t i)
{
    char c = t->b[i];
    switch (t->s) {
    case S_DATA:
        if (c == '<')
            t->s = S_TAGOPEN;
        return 0;
    case S_TAGOPEN:
        return xss_step_tagopen(t, i);
    case S_TAGNAME:
        xss_step_tagname(t, v, c);
        return 0;
    case S_COMMENT:
        if (c == '-' && i + 2 < t->len && t->b[i + 1] == '-' && t->b[i + 2] == '>') {
            t->s = S_DATA;
            return 2;
        }
        return 0;
    case S_BOGUS:
        if (c == '>')
            t->s = S_DATA;
        return 0;
    case S_RAW:
        return xss_step_raw(t, i, c);
    case S_BEFORE_ATTR:
    case S_ATTR_NAME:
    case S_AFTER_ATTR_NAME:
        xss_step_attrs(t, v, i, c);
        return 0;
    default:
        xss_step_values(t, v, i, c);
        return 0;
    }
}

static void xss_scan(const char *b, size_t len, const char *marker, xss_visit *v)
{
    xss_tok t;
    memset(&t, 0, sizeof t);
    t.b = b;
    t.len = len;
    size_t mlen = strlen(marker);
    for (size_t i = 0; i < len && !v->done; i++) {
        if (v->marker && mlen && len - i >= mlen && strncasecmp(b + i, marker, mlen) == 0)
            v->marker(v, &t, i);
        i += xss_step(&t, v, i);
    }
}

/* ---- character references ---- */

static int xss_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

char web_xss_charref(const char *s, size_t n, size_t *used)
{
    static const struct { const char *name; char c; } named[] = {
        {"&quot;", '"'}, {"&apos;", '\''}, {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}};
    *used = 0;
    for (size_t k = 0; k < sizeof named / sizeof *named; k++) {
        size_t l = strlen(named[k].name);
        if (n >= l && strncasecmp(s, named[k].name, l) == 0) {
            *used = l;
            return named[k].c;
        }
    }
    if (n < 4 || s[1] != '#')
        return 0;
    bool hex = s[2] == 'x' || s[2] == 'X';
    size_t i = hex ? 3 : 2;
    int v = 0;
    for (; i < n && i < 10 && s[i] != ';'; i++) {
        int d = hex ? xss_hex(s[i]) : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
        if (d < 0)
            return 0;
        v = v * (hex ? 16 : 10) + d;
    }
    if (i >= n || s[i] != ';' || v <= 0 || v > 0x7e)
        return 0;
    *used = i + 1;
    return (char)v;
}

size_t web_xss_decode(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        size_t used = 0;
        char c = s[i] == '&' ? web_xss_charref(s + i, n - i, &used) : 0;
        out[o++] = used ? c : s[i];
        if (used)
            i += used - 1;
    }
    return o;
}

/* Lexes script s[n] (an event handler's decoded value); true when marker starts somewhere in
 * code, outside strings and comments. *end (may be NULL) gets the place at the end. */
static bool xss_js_scan(const char *s, size_t n, const char *marker, web_xss_kind *end)
{
    xss_tok t;
    memset(&t, 0, sizeof t);
    t.b = s;
    t.len = n;
    size_t ml = marker ? strlen(marker) : 0;
    bool hit = false;
    for (size_t i = 0; i < n; i++) {
        if (ml && t.js == J_CODE && n - i >= ml && strncasecmp(s + i, marker, ml) == 0)
            hit = true;
        i += xss_step_js(&t, i, s[i]);
    }
    static const web_xss_kind js[] = {WEB_XSS_JS_CODE, WEB_XSS_JS_SQ, WEB_XSS_JS_DQ,
                                      WEB_XSS_JS_TPL, WEB_XSS_JS_COMMENT, WEB_XSS_JS_COMMENT};
    if (end)
        *end = js[t.js];
    return hit;
}

static bool xss_is_handler(const char *attr)
{
    return attr[0] == 'o' && attr[1] == 'n' && attr[2];
}

/* The script of an event handler's value s[n], decoded; true when marker is in its code, and
 * *end the place at its end. */
static bool xss_handler_scan(const char *s, size_t n, const char *marker, web_xss_kind *end)
{
    char *d = kw_malloc(n + 1);
    bool hit = xss_js_scan(d, web_xss_decode(s, n, d), marker, end);
    free(d);
    return hit;
}

/* ---- places ---- */

typedef struct xss_places {
    xss_visit v;
    web_xss_where *out;
    size_t n, max;
} xss_places;

static web_xss_kind xss_kind_raw(const xss_tok *t)
{
    if (strcmp(t->raw, "style") == 0)
        return WEB_XSS_STYLE;
    if (strcmp(t->raw, "script") != 0)
        return WEB_XSS_RCDATA;
    static const web_xss_kind js[] = {WEB_XSS_JS_CODE, WEB_XSS_JS_SQ, WEB_XSS_JS_DQ,
                                      WEB_XSS_JS_TPL, WEB_XSS_JS_COMMENT, WEB_XSS_JS_COMMENT};
    return js[t->js];
}

static web_xss_kind xss_kind_of(const xss_tok *t, size_t at)
{
    switch (t->s) {
    case S_DATA:
    case S_TAGOPEN:
        return WEB_XSS_TEXT;
    case S_BEFORE_VALUE:             /* the marker starts an unquoted value */
        return xss_in_list(t->attr, xss_url_attrs, sizeof xss_url_attrs / sizeof *xss_url_attrs) ? WEB_XSS_URL
                                                                                                   : WEB_XSS_ATTR_UQ;
    case S_VALUE_DQ:
    case S_VALUE_SQ:
    case S_VALUE_UQ:
        if (at == t->vstart && xss_in_list(t->attr, xss_url_attrs, sizeof xss_url_attrs / sizeof *xss_url_attrs))
            return WEB_XSS_URL;
        return t->s == S_VALUE_DQ ? WEB_XSS_ATTR_DQ : t->s == S_VALUE_SQ ? WEB_XSS_ATTR_SQ : WEB_XSS_ATTR_UQ;
    case S_COMMENT:
    case S_BOGUS:
        return WEB_XSS_COMMENT;
    case S_RAW:
        return xss_kind_raw(t);
    default:
        return WEB_XSS_TAG;
    }
}

static void xss_place(xss_visit *v, const xss_tok *t, size_t at)
{
    xss_places *p = (xss_places *)v;
    if (p->n >= p->max) {
        v->done = true;
        return;
    }
    web_xss_where *w = &p->out[p->n++];
    memset(w, 0, sizeof *w);
    w->kind = xss_kind_of(t, at);
    w->at = at;
    w->quote = w->kind == WEB_XSS_URL && t->s != S_BEFORE_VALUE ? t->quote : '\0';
    bool in_tag = t->s >= S_TAGNAME && t->s <= S_VALUE_UQ;
    snprintf(w->tag, sizeof w->tag, "%s", in_tag ? t->tag : t->s == S_RAW ? t->raw : "");
    if (t->s >= S_BEFORE_VALUE && t->s <= S_VALUE_UQ)
        snprintf(w->attr, sizeof w->attr, "%s", t->attr);
    if (t->s >= S_VALUE_DQ && t->s <= S_VALUE_UQ && xss_is_handler(t->attr) && at >= t->vstart)
        xss_handler_scan(t->b + t->vstart, at - t->vstart, NULL, &w->js);
}

bool web_xss_is_html(const char *ct)
{
    return !ct || !*ct || strcmp(ct, "text/html") == 0 || strcmp(ct, "application/xhtml+xml") == 0;
}

size_t web_xss_contexts(const char *body, size_t len, const char *marker, web_xss_where *out, size_t max)
{
    if (!body || !marker || !*marker || max == 0)
        return 0;
    xss_places p = {.v = {.marker = xss_place}, .out = out, .max = max};
    xss_scan(body, len, marker, &p.v);
    return p.n;
}

/* ---- probes ---- */

static size_t xss_probe_add(web_xss_probe *out, size_t n, size_t max, web_xss_proof proof, const char *fmt,
                            const char *a, const char *b)
{
    if (n >= max)
        return n;
    int w = snprintf(out[n].payload, sizeof out[n].payload, fmt, a, b);
    if (w < 0 || (size_t)w >= sizeof out[n].payload)
        return n;
    out[n].proof = proof;
    return n + 1;
}

/* The probes that close what the place is in and then open an element. */
static size_t xss_probes_closing(const web_xss_where *w, const char *m, web_xss_probe *out, size_t max)
{
    switch (w->kind) {
    case WEB_XSS_COMMENT:
        return xss_probe_add(out, 0, max, WEB_XSS_PROOF_ELEMENT, "--><%s%s>", m, "");
    case WEB_XSS_RCDATA:
    case WEB_XSS_STYLE:
        return xss_probe_add(out, 0, max, WEB_XSS_PROOF_ELEMENT, "</%s><%s>", w->tag, m);
    case WEB_XSS_TAG:
        return xss_probe_add(out, 0, max, WEB_XSS_PROOF_ATTR, " %s=1 %s", m, "");
    default:
        return xss_probe_add(out, 0, max, WEB_XSS_PROOF_ELEMENT, "<%s%s>", m, "");
    }
}

/* What leaves each script place for code. */
static const char *const xss_js_wrap[] = {[WEB_XSS_JS_CODE] = ";%s%s;", [WEB_XSS_JS_SQ] = "'-%s%s-'",
                                          [WEB_XSS_JS_DQ] = "\"-%s%s-\"", [WEB_XSS_JS_TPL] = "`-%s%s-`"};

static size_t xss_probes_attr(const web_xss_where *w, const char *m, web_xss_probe *out, size_t max)
{
    size_t n = 0;
    char q = w->kind == WEB_XSS_URL ? w->quote : w->kind == WEB_XSS_ATTR_DQ ? '"' : w->kind == WEB_XSS_ATTR_SQ ? '\'' : 0;
    if (w->kind == WEB_XSS_URL && xss_js_url(w->tag, w->attr))
        n = xss_probe_add(out, n, max, WEB_XSS_PROOF_JSURL, "javascript:%s()%s", m, "");
    if (w->js >= WEB_XSS_JS_CODE && w->js <= WEB_XSS_JS_TPL)
        n = xss_probe_add(out, n, max, WEB_XSS_PROOF_JSATTR, xss_js_wrap[w->js], m, "");
    /* an unquoted value needs a byte of its own first: blanks after '=' are skipped */
    const char *qs = q == '"' ? "\"" : q == '\'' ? "'" : "x";
    n = xss_probe_add(out, n, max, WEB_XSS_PROOF_ATTR, q ? "%s %s=1 x=" : "%s %s=1", qs, m);
    return xss_probe_add(out, n, max, WEB_XSS_PROOF_ELEMENT, "%s><%s>", qs, m);
}

static size_t xss_probes_js(const web_xss_where *w, const char *m, web_xss_probe *out, size_t max)
{
    size_t n = 0;
    if (w->kind != WEB_XSS_JS_COMMENT)
        n = xss_probe_add(out, n, max, WEB_XSS_PROOF_JSCODE, xss_js_wrap[w->kind], m, "");
    return xss_probe_add(out, n, max, WEB_XSS_PROOF_ELEMENT, "</script><%s%s>", m, "");
}

size_t web_xss_probes(const web_xss_where *w, const char *marker, web_xss_probe *out, size_t max)
{
    if (!w || !marker || strlen(marker) > 32)
        return 0;
    switch (w->kind) {
    case WEB_XSS_ATTR_DQ:
    case WEB_XSS_ATTR_SQ:
    case WEB_XSS_ATTR_UQ:
    case WEB_XSS_URL:
        return xss_probes_attr(w, marker, out, max);
    case WEB_XSS_JS_CODE:
    case WEB_XSS_JS_SQ:
    case WEB_XSS_JS_DQ:
    case WEB_XSS_JS_TPL:
    case WEB_XSS_JS_COMMENT:
        return xss_probes_js(w, marker, out, max);
    default:
        return xss_probes_closing(w, marker, out, max);
    }
}

/* ---- proofs ---- */

typedef struct xss_proof_v {
    xss_visit v;
    const char *marker;
    web_xss_proof want;
    size_t at;
} xss_proof_v;

static bool xss_name_is(const char *name, size_t len, const char *marker)
{
    return len < WEB_XSS_NAME_MAX && strcasecmp(name, marker) == 0;
}

static void xss_proof_found(xss_proof_v *p, size_t at)
{
    p->at = at;
    p->v.done = true;
}

static void xss_proof_tag(xss_visit *v, const xss_tok *t, size_t at)
{
    xss_proof_v *p = (xss_proof_v *)v;
    if (p->want == WEB_XSS_PROOF_ELEMENT && xss_name_is(t->tag, t->taglen, p->marker))
        xss_proof_found(p, at);
}

static void xss_proof_attr(xss_visit *v, const xss_tok *t, size_t at)
{
    xss_proof_v *p = (xss_proof_v *)v;
    if (p->want == WEB_XSS_PROOF_ATTR && xss_name_is(t->attr, t->attrlen, p->marker))
        xss_proof_found(p, at);
}

static bool xss_has(const char *b, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n <= len && i <= len - n; i++)
        if (strncasecmp(b + i, needle, n) == 0)
            return true;
    return false;
}

static void xss_proof_value(xss_visit *v, const xss_tok *t, size_t end)
{
    xss_proof_v *p = (xss_proof_v *)v;
    if (p->want == WEB_XSS_PROOF_JSATTR && xss_is_handler(t->attr) && end >= t->vstart &&
        xss_handler_scan(t->b + t->vstart, end - t->vstart, p->marker, NULL)) {
        xss_proof_found(p, t->vstart);
        return;
    }
    if (p->want != WEB_XSS_PROOF_JSURL || t->taglen >= WEB_XSS_NAME_MAX || !xss_js_url(t->tag, t->attr))
        return;
    size_t s = t->vstart;
    while (s < end && (xss_ws(t->b[s]) || (unsigned char)t->b[s] < 0x20))
        s++;
    if (end - s >= 11 && strncasecmp(t->b + s, "javascript:", 11) == 0 && xss_has(t->b + s, end - s, p->marker))
        xss_proof_found(p, s);
}

static void xss_proof_marker(xss_visit *v, const xss_tok *t, size_t at)
{
    xss_proof_v *p = (xss_proof_v *)v;
    if (p->want == WEB_XSS_PROOF_JSCODE && t->s == S_RAW && strcmp(t->raw, "script") == 0 && t->js == J_CODE)
        xss_proof_found(p, at);
}

bool web_xss_proved(const char *body, size_t len, const char *marker, web_xss_proof proof, size_t *at)
{
    if (!body || !marker || !*marker)
        return false;
    xss_proof_v p = {.v = {.marker = xss_proof_marker, .tag = xss_proof_tag, .attr = xss_proof_attr,
                           .value = xss_proof_value},
                     .marker = marker, .want = proof, .at = (size_t)-1};
    xss_scan(body, len, marker, &p.v);
    if (at)
        *at = p.at;
    return p.v.done;
}

void web_xss_describe(const web_xss_where *w, char *out, size_t n)
{
    static const char *const what[WEB_XSS_NKINDS] = {
        [WEB_XSS_TEXT] = "the text of the page",
        [WEB_XSS_ATTR_DQ] = "a double-quoted attribute",
        [WEB_XSS_ATTR_SQ] = "a single-quoted attribute",
        [WEB_XSS_ATTR_UQ] = "an unquoted attribute",
        [WEB_XSS_URL] = "the start of the URL attribute",
        [WEB_XSS_JS_CODE] = "script code",
        [WEB_XSS_JS_SQ] = "a single-quoted string in a script",
        [WEB_XSS_JS_DQ] = "a double-quoted string in a script",
        [WEB_XSS_JS_TPL] = "a template string in a script",
        [WEB_XSS_JS_COMMENT] = "a comment in a script",
        [WEB_XSS_COMMENT] = "an HTML comment",
        [WEB_XSS_RCDATA] = "the raw text of",
        [WEB_XSS_STYLE] = "a style block",
        [WEB_XSS_TAG] = "the inside of the tag",
    };
    const char *s = w && w->kind < WEB_XSS_NKINDS ? what[w->kind] : "an unknown place";
    if (w && w->attr[0])
        snprintf(out, n, "%s of <%s %s>", s, w->tag, w->attr);
    else if (w && w->tag[0])
        snprintf(out, n, "%s <%s>", s, w->tag);
    else
        snprintf(out, n, "%s", s);
}
