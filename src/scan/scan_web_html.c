/* scan_web_html.c: what the web crawler reads out of the answers it fetched (pure: no I/O):
 * links and forms of an HTML page (libxml2's HTML parser and a walk of its tree), the paths
 * and sitemaps of a robots.txt, the URLs of a sitemap.xml, and URL resolution (libcurl's URL
 * API, with the corrections browsers make to a reference before resolving it).
 *
 * What the crawler follows, and why:
 * - a and area href, frame and iframe src, meta refresh, and link href with a rel that names a
 *   page (alternate, next, prev, canonical, ...): they lead to pages;
 * - script src and link rel=stylesheet/icon/manifest/preload/prefetch only when the URL looks
 *   generated (it has a query, or its last path segment has no static extension such as .js,
 *   .css, .png, .woff): a static resource cannot hold an insertion point and fetching it costs a
 *   request, but a JSONP endpoint or a style.php?theme= can; link rel=dns-prefetch/preconnect
 *   name a host, not a page, and are skipped;
 * - img, object, embed, and the formaction of buttons are not taken.
 * Forms: action (the page itself when absent or empty, the base otherwise), method, enctype
 * (the three HTML values; anything else is the default ""), and every named input, textarea,
 * select and button, in document order, at most WEB_PARAMS_MAX per form. A field with a form="id"
 * attribute belongs to that form wherever it is; radio buttons of one name are one field (the
 * checked one's value, else the first's). A field outside every form is not taken: a browser
 * would not submit it. libxml2 is not an HTML5 parser: a form whose parent element closes before
 * </form> ends there, and the inputs after it are outside it.
 *
 * Bounds: libxml2 keeps its depth limit (no HTML_PARSE_HUGE): a document nested deeper than 256
 * elements stops there and gives what came before (the walk itself is iterative). Encoding: the
 * parser's own detection (BOM, <meta charset>); a page that declares none is read as UTF-8, and
 * libxml2 falls back to ISO-8859-1 at an invalid byte. Errors are silenced per parse on the
 * calling thread (libxml2's handlers are thread-local), so parses run on several threads at once.
 *
 * Sitemaps are read with libxml2's XML reader: nothing fetched, no DTD loaded, no entity
 * substituted (XML_PARSE_NOENT is off; libxml2's amplification check stops a billion-laughs
 * document). Gzip-compressed sitemaps (.xml.gz) are not read (they are not XML: KW_ERR_PARSE).
 *
 * libcurl 7.88's URL API, as found: it keeps the host's case (lower-cased here); it resolves ""
 * and "#f" to the base's directory instead of the base (RFC 3986 5.2.2: the base itself, done
 * here); it percent-encodes spaces and non-ASCII bytes in a relative reference but refuses
 * spaces and keeps raw non-ASCII in an absolute one (both encoded here before resolving, as
 * browsers do); it keeps backslashes (turned into '/' before the query, as browsers do); it
 * normalises dot segments, numeric IPv4 forms (0x7f.1 -> 127.0.0.1) and, asked, drops the
 * default port. */
#include "scan/scan_web_html.h"

#include <curl/curl.h>
#include <libxml/HTMLparser.h>
#include <libxml/globals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/kw_buf.h"
#include "core/kw_map.h"
#include "core/kw_mem.h"
#include "scan/scan_web.h"

/* ---- quiet libxml2 (per thread) ---- */

typedef struct xml_quiet {
    xmlGenericErrorFunc generic;
    void *generic_ctx;
    xmlStructuredErrorFunc structured;
    void *structured_ctx;
} xml_quiet;

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void) { xmlInitParser(); }

static void xml_drop_generic(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static void xml_drop_structured(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    (void)e;
}

/* libxml2 keeps its error handlers per thread: this silences the calling thread's until
 * xml_quiet_end puts back what was there. */
static void xml_quiet_begin(xml_quiet *q)
{
    pthread_once(&xml_once, xml_init);
    q->generic = xmlGenericError;
    q->generic_ctx = xmlGenericErrorContext;
    q->structured = xmlStructuredError;
    q->structured_ctx = xmlStructuredErrorContext;
    xmlSetGenericErrorFunc(NULL, xml_drop_generic);
    xmlSetStructuredErrorFunc(NULL, xml_drop_structured);
}

static void xml_quiet_end(const xml_quiet *q)
{
    xmlSetGenericErrorFunc(q->generic_ctx, q->generic);
    xmlSetStructuredErrorFunc(q->structured_ctx, q->structured);
}

/* ---- URLs ---- */

static bool url_keep_byte(unsigned char c)
{
    return c > 0x20 && c < 0x7f && c != '"' && c != '<' && c != '>' && c != '`';
}

/* ref as a browser hands it to its URL parser: blanks around it cut, tabs and newlines inside
 * removed, backslashes before the query turned into '/', spaces, controls, quotes and non-ASCII
 * bytes percent-encoded. Returns false when it does not fit out[n]. */
static bool url_clean(const char *ref, char *out, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t a = 0, b = strlen(ref), k = 0;
    bool query = false;
    while (a < b && (unsigned char)ref[a] <= 0x20)
        a++;
    while (b > a && (unsigned char)ref[b - 1] <= 0x20)
        b--;
    for (size_t i = a; i < b; i++) {
        unsigned char c = (unsigned char)ref[i];
        if (c == '\t' || c == '\n' || c == '\r')
            continue;
        query = query || c == '?' || c == '#';
        if (c == '\\' && !query)
            c = '/';
        if (k + 4 > n)
            return false;
        if (url_keep_byte(c)) {
            out[k++] = (char)c;
            continue;
        }
        out[k++] = '%';
        out[k++] = hex[c >> 4];
        out[k++] = hex[c & 15];
    }
    out[k] = '\0';
    return true;
}

static bool url_scheme_web(CURLU *h)
{
    char *s = NULL;
    if (curl_url_get(h, CURLUPART_SCHEME, &s, 0) != CURLUE_OK)
        return false;
    bool ok = strcmp(s, "http") == 0 || strcmp(s, "https") == 0;
    curl_free(s);
    return ok;
}

static kw_rc url_lower_host(CURLU *h)
{
    char *host = NULL;
    if (curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK)
        return KW_ERR_PARSE;
    for (char *p = host; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    CURLUcode uc = curl_url_set(h, CURLUPART_HOST, host, 0);
    curl_free(host);
    return uc == CURLUE_OK ? KW_OK : KW_ERR_PARSE;
}

static kw_rc url_join(CURLU *h, const char *base, const char *ref)
{
    if (curl_url_set(h, CURLUPART_URL, base, 0) != CURLUE_OK || !url_scheme_web(h))
        return KW_ERR_PARSE;
    if (ref[0] && ref[0] != '#' && curl_url_set(h, CURLUPART_URL, ref, 0) != CURLUE_OK)
        return KW_ERR_PARSE;
    if (!url_scheme_web(h) || curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK)
        return KW_ERR_PARSE;
    return url_lower_host(h);
}

kw_rc web_url_resolve(const char *base, const char *ref, char *out, size_t outn)
{
    char b[WEB_URL_MAX], r[WEB_URL_MAX];
    if (!base || !ref || !out || !outn)
        return KW_ERR_PARSE;
    out[0] = '\0';
    if (!url_clean(base, b, sizeof b) || !url_clean(ref, r, sizeof r))
        return KW_ERR_RANGE;
    CURLU *h = curl_url();
    if (!h)
        return KW_ERR_NOMEM;
    kw_rc rc = url_join(h, b, r);
    char *u = NULL;
    if (rc == KW_OK && curl_url_get(h, CURLUPART_URL, &u, CURLU_NO_DEFAULT_PORT) != CURLUE_OK)
        rc = KW_ERR_PARSE;
    if (rc == KW_OK && kw_strlcpy(out, u, outn) >= outn) {
        out[0] = '\0';
        rc = KW_ERR_RANGE;
    }
    curl_free(u);
    curl_url_cleanup(h);
    return rc;
}

/* ---- bounded, de-duplicated string lists ---- */

typedef struct str_list {
    char ***v;
    size_t *n;
    size_t cap;
    kw_map seen;
} str_list;

static void list_init(str_list *l, char ***v, size_t *n)
{
    l->v = v;
    l->n = n;
    l->cap = 0;
    kw_map_init(&l->seen);
}

/* Adds a copy of s unless it is there already; false when it is new but there are max already. */
static bool list_add(str_list *l, const char *s, size_t max)
{
    if (kw_map_get(&l->seen, s))
        return true;
    if (*l->n >= max)
        return false;
    kw_grow(l->v, &l->cap, *l->n + 1, sizeof(char *));
    (*l->v)[(*l->n)++] = kw_strdup(s);
    kw_map_put(&l->seen, s, (void *)1);
    return true;
}

void web_strs_free(web_strs *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

/* ---- the HTML tree ---- */

typedef struct html_walk {
    char page[WEB_URL_MAX];          /* the document's URL (empty form actions) */
    char base[WEB_URL_MAX];          /* what relative references resolve against */
    size_t max;
    web_html *out;
    str_list links;
    size_t fcap;
    kw_map form_ids;                 /* id -> form index + 1 */
} html_walk;

/* The node after n in document order (an element's children first) inside root's subtree, NULL
 * after its last; iterative, whatever the depth. */
static xmlNode *html_next(xmlNode *n, const xmlNode *root)
{
    if (n->type == XML_ELEMENT_NODE && n->children)
        return n->children;
    for (; n && n != root; n = n->parent) {
        if (n->next)
            return n->next;
        if (n->parent == root)
            return NULL;
    }
    return NULL;
}

static bool html_is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->name && strcmp((const char *)n->name, name) == 0;
}

/* The value of attribute name of n as the tree holds it (entities decoded), NULL when absent. */
static const char *html_attr(const xmlNode *n, const char *name)
{
    for (const xmlAttr *a = n->properties; a; a = a->next)
        if (a->name && strcmp((const char *)a->name, name) == 0) {
            const xmlNode *t = a->children;
            return t && t->type == XML_TEXT_NODE && t->content ? (const char *)t->content : "";
        }
    return NULL;
}

static bool html_resolve(const html_walk *w, const char *ref, char *out)
{
    return ref && web_url_resolve(w->base, ref, out, WEB_URL_MAX) == KW_OK;
}

static void html_find_base(html_walk *w, xmlNode *doc)
{
    for (xmlNode *n = doc->children; n; n = html_next(n, doc))
        if (html_is(n, "base") && html_attr(n, "href")) {
            char b[WEB_URL_MAX];
            if (web_url_resolve(w->page, html_attr(n, "href"), b, sizeof b) == KW_OK)
                memcpy(w->base, b, sizeof b);
            return;
        }
}

/* True when url (resolved) names a static file: no query and a last path segment with one of
 * the extensions of scripts, styles, images and fonts. */
static bool html_static(const char *url)
{
    static const char *const ext[] = {"js", "mjs", "css", "ico", "png", "jpg", "jpeg", "gif", "svg",
                                      "webp", "avif", "bmp", "woff", "woff2", "ttf", "otf", "eot", "map"};
    if (strchr(url, '?'))
        return false;
    const char *slash = strrchr(url, '/'), *dot = strrchr(url, '.');
    if (!dot || (slash && dot < slash))
        return false;
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (strcasecmp(dot + 1, ext[i]) == 0)
            return true;
    return false;
}

/* 0: a page, 1: a resource (taken when generated), 2: not a URL to fetch (a host hint). */
static int html_link_rel(const char *rel)
{
    static const char *const res[] = {"stylesheet", "icon", "shortcut", "apple-touch-icon",
                                      "apple-touch-icon-precomposed", "mask-icon", "manifest",
                                      "preload", "modulepreload", "prefetch", "prerender"};
    int kind = 0;
    char tok[64];
    for (const char *p = rel ? rel : ""; *p;) {
        size_t k = 0;
        while (*p && (unsigned char)*p <= 0x20)
            p++;
        while (*p && (unsigned char)*p > 0x20)
            if (k + 1 < sizeof tok)
                tok[k++] = *p++;
            else
                p++;
        tok[k] = '\0';
        if (strcasecmp(tok, "dns-prefetch") == 0 || strcasecmp(tok, "preconnect") == 0)
            return 2;
        for (size_t i = 0; i < sizeof res / sizeof res[0]; i++)
            if (strcasecmp(tok, res[i]) == 0)
                kind = 1;
    }
    return kind;
}

/* The URL of <meta http-equiv=refresh content="5; url='x'">, NULL when there is none. */
static const char *html_refresh_url(const char *c, char *buf, size_t n)
{
    while (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r' || (*c >= '0' && *c <= '9') || *c == '.')
        c++;
    if (*c != ';' && *c != ',')
        return NULL;
    for (c++; *c == ' ' || *c == '\t' || *c == '\n' || *c == '\r';)
        c++;
    if (strncasecmp(c, "url", 3) == 0) {
        const char *e = c + 3;
        while (*e == ' ' || *e == '\t')
            e++;
        if (*e == '=')
            for (c = e + 1; *c == ' ' || *c == '\t';)
                c++;
    }
    char quote = *c == '\'' || *c == '"' ? *c++ : 0;
    size_t k = 0;
    while (c[k] && c[k] != quote && k + 1 < n)
        k++;
    memcpy(buf, c, k);
    buf[k] = '\0';
    return k ? buf : NULL;
}

/* The reference element n carries to a page, NULL when it carries none the crawler follows;
 * *resource says it is a script or style (taken only when generated). */
static const char *html_link_ref(const xmlNode *n, bool *resource, char *buf, size_t bn)
{
    *resource = false;
    if (html_is(n, "a") || html_is(n, "area"))
        return html_attr(n, "href");
    if (html_is(n, "frame") || html_is(n, "iframe"))
        return html_attr(n, "src");
    if (html_is(n, "script"))
        return *resource = true, html_attr(n, "src");
    if (html_is(n, "link")) {
        int kind = html_link_rel(html_attr(n, "rel"));
        *resource = kind == 1;
        return kind == 2 ? NULL : html_attr(n, "href");
    }
    if (html_is(n, "meta") && html_attr(n, "http-equiv") && strcasecmp(html_attr(n, "http-equiv"), "refresh") == 0 &&
        html_attr(n, "content"))
        return html_refresh_url(html_attr(n, "content"), buf, bn);
    return NULL;
}

static size_t html_items(const html_walk *w) { return w->out->nlinks + w->out->nforms; }

static void html_take_link(html_walk *w, const xmlNode *n)
{
    char buf[WEB_URL_MAX], url[WEB_URL_MAX];
    bool resource;
    const char *ref = html_link_ref(n, &resource, buf, sizeof buf);
    if (!html_resolve(w, ref, url) || (resource && html_static(url)))
        return;
    size_t room = w->max > w->out->nforms ? w->max - w->out->nforms : 0;
    if (!list_add(&w->links, url, room))
        w->out->truncated = true;
}

static const char *html_enctype(const char *e)
{
    if (e && strcasecmp(e, "multipart/form-data") == 0)
        return "multipart/form-data";
    if (e && strcasecmp(e, "text/plain") == 0)
        return "text/plain";
    return "";
}

static void html_take_form(html_walk *w, xmlNode *n)
{
    const char *action = html_attr(n, "action");
    char url[WEB_URL_MAX];
    if (!action || !action[0])
        memcpy(url, w->page, sizeof url);
    else if (!html_resolve(w, action, url))
        return;
    if (html_items(w) >= w->max) {
        w->out->truncated = true;
        return;
    }
    const char *method = html_attr(n, "method");
    kw_grow(&w->out->forms, &w->fcap, w->out->nforms + 1, sizeof(web_form));
    web_form *f = &w->out->forms[w->out->nforms++];
    memset(f, 0, sizeof *f);
    f->action = kw_strdup(url);
    f->method = kw_strdup(method && strcasecmp(method, "post") == 0 ? "POST" : "GET");
    f->enctype = kw_strdup(html_enctype(html_attr(n, "enctype")));
    n->_private = (void *)(uintptr_t)w->out->nforms;
    const char *id = html_attr(n, "id");
    if (id && id[0] && !kw_map_get(&w->form_ids, id))
        kw_map_put(&w->form_ids, id, (void *)(uintptr_t)w->out->nforms);
}

/* ---- form fields ---- */

static bool html_is_field(const xmlNode *n)
{
    return html_is(n, "input") || html_is(n, "textarea") || html_is(n, "select") || html_is(n, "button");
}

/* The form a field belongs to: the one its form="id" names, else its nearest form ancestor. */
static web_form *html_field_owner(const html_walk *w, const xmlNode *n)
{
    const char *id = html_attr(n, "form");
    uintptr_t k = 0;
    if (id)
        k = (uintptr_t)kw_map_get(&w->form_ids, id);
    else
        for (const xmlNode *p = n->parent; p && !k; p = p->parent)
            if (html_is(p, "form"))
                k = p->_private ? (uintptr_t)p->_private : UINTPTR_MAX;
    return k && k != UINTPTR_MAX ? &w->out->forms[k - 1] : NULL;
}

static char *html_text(const xmlNode *n)
{
    xmlChar *t = xmlNodeGetContent(n);
    char *s = kw_strdup(t ? (const char *)t : "");
    xmlFree(t);
    return s;
}

/* An option's value: its value attribute, else its text with blanks cut and runs of them made one. */
static char *html_option_value(const xmlNode *o)
{
    const char *v = html_attr(o, "value");
    if (v)
        return kw_strdup(v);
    char *t = html_text(o), *d = t;
    for (const char *s = t; *s; s++) {
        bool blank = *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f';
        if (!blank)
            *d++ = *s;
        else if (d > t && d[-1] != ' ' && s[1])
            *d++ = ' ';
    }
    while (d > t && d[-1] == ' ')
        d--;
    *d = '\0';
    return t;
}

static char *html_select_value(const xmlNode *sel)
{
    const xmlNode *first = NULL, *chosen = NULL;
    for (const xmlNode *o = html_next((xmlNode *)sel, sel); o; o = html_next((xmlNode *)o, sel)) {
        if (!html_is(o, "option"))
            continue;
        first = first ? first : o;
        if (html_attr(o, "selected")) {
            chosen = o;
            break;
        }
    }
    chosen = chosen ? chosen : first;
    return chosen ? html_option_value(chosen) : kw_strdup("");
}

static const char *html_input_type(const char *t)
{
    static const char *const known[] = {"text", "hidden", "password", "submit", "checkbox", "radio", "file",
                                        "email", "number", "search", "tel", "url", "date", "datetime-local",
                                        "month", "week", "time", "color", "range", "image", "reset", "button"};
    for (size_t i = 0; t && i < sizeof known / sizeof known[0]; i++)
        if (strcasecmp(t, known[i]) == 0)
            return known[i];
    return "text";
}

static const char *html_field_type(const xmlNode *n)
{
    if (html_is(n, "textarea"))
        return "textarea";
    if (html_is(n, "select"))
        return "select";
    if (html_is(n, "button")) {
        const char *t = html_attr(n, "type");
        if (t && strcasecmp(t, "reset") == 0)
            return "reset";
        return t && strcasecmp(t, "button") == 0 ? "button" : "submit";
    }
    return html_input_type(html_attr(n, "type"));
}

static char *html_field_value(const xmlNode *n)
{
    if (html_is(n, "textarea"))
        return html_text(n);
    if (html_is(n, "select"))
        return html_select_value(n);
    const char *v = html_attr(n, "value");
    return kw_strdup(v ? v : "");
}

/* A radio button of a name the form has already: the checked one gives the value. */
static bool html_radio_merge(web_form *f, const xmlNode *n, const char *name, const char *type)
{
    if (strcmp(type, "radio") != 0)
        return false;
    for (size_t i = 0; i < f->nfields; i++)
        if (strcmp(f->fields[i].type, "radio") == 0 && strcmp(f->fields[i].name, name) == 0) {
            if (html_attr(n, "checked")) {
                free(f->fields[i].value);
                f->fields[i].value = html_field_value(n);
            }
            return true;
        }
    return false;
}

static void html_take_field(html_walk *w, const xmlNode *n)
{
    const char *name = html_attr(n, "name");
    web_form *f = name && name[0] ? html_field_owner(w, n) : NULL;
    if (!f)
        return;
    const char *type = html_field_type(n);
    if (html_radio_merge(f, n, name, type) || f->nfields >= WEB_PARAMS_MAX)
        return;
    /* the array holds 4, then doubles each time it is full (at each power of two) */
    if (f->nfields == 0 || (f->nfields >= 4 && (f->nfields & (f->nfields - 1)) == 0))
        f->fields = kw_realloc(f->fields, (f->nfields ? 2 * f->nfields : 4) * sizeof(web_field));
    web_field *fd = &f->fields[f->nfields++];
    fd->name = kw_strdup(name);
    fd->value = html_field_value(n);
    fd->type = kw_strdup(type);
}

/* ---- the parse ---- */

/* True when the first KiB of the page names its encoding (a BOM, or a charset declaration the
 * parser will read); the page is then left to libxml2's detection. */
static bool html_declares_charset(const char *buf, size_t len)
{
    const unsigned char *u = (const unsigned char *)buf;
    if (len >= 2 && ((u[0] == 0xfe && u[1] == 0xff) || (u[0] == 0xff && u[1] == 0xfe)))
        return true;
    if (len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
        return true;
    size_t n = len < 1024 ? len : 1024;
    for (size_t i = 0; i + 7 <= n; i++)
        if (strncasecmp(buf + i, "charset", 7) == 0)
            return true;
    return false;
}

static xmlDoc *html_read(const char *page, const char *buf, size_t len)
{
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    if (!ctxt)
        return NULL;
    int n = len > INT_MAX ? INT_MAX : (int)len;
    const char *enc = html_declares_charset(buf, len) ? NULL : "UTF-8";
    xmlDoc *doc = htmlCtxtReadMemory(ctxt, buf, n, page, enc,
                                     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                         HTML_PARSE_NONET | HTML_PARSE_COMPACT);
    htmlFreeParserCtxt(ctxt);
    return doc;
}

static void html_walk_doc(html_walk *w, xmlNode *doc)
{
    html_find_base(w, doc);
    for (xmlNode *n = doc->children; n && !w->out->truncated; n = html_next(n, doc))
        if (html_is(n, "form"))
            html_take_form(w, n);
        else if (n->type == XML_ELEMENT_NODE)
            html_take_link(w, n);
    for (xmlNode *n = doc->children; n; n = html_next(n, doc))
        if (html_is_field(n))
            html_take_field(w, n);
}

kw_rc web_html_parse(const char *page_url, const char *buf, size_t len, size_t max_items, web_html *out)
{
    memset(out, 0, sizeof *out);
    html_walk *w = kw_calloc(1, sizeof *w);
    if (!page_url || web_url_resolve(page_url, "", w->page, sizeof w->page) != KW_OK) {
        free(w);
        return KW_ERR_PARSE;
    }
    memcpy(w->base, w->page, sizeof w->base);
    w->max = max_items;
    w->out = out;
    list_init(&w->links, &out->links, &out->nlinks);
    kw_map_init(&w->form_ids);
    xml_quiet q;
    xml_quiet_begin(&q);
    xmlDoc *doc = buf && len ? html_read(w->page, buf, len) : NULL;
    if (doc)
        html_walk_doc(w, (xmlNode *)doc);
    xmlFreeDoc(doc);
    xml_quiet_end(&q);
    kw_map_free(&w->links.seen);
    kw_map_free(&w->form_ids);
    free(w);
    return KW_OK;
}

void web_html_free(web_html *h)
{
    if (!h)
        return;
    web_strs links = {h->links, h->nlinks};
    web_strs_free(&links);
    for (size_t i = 0; i < h->nforms; i++) {
        web_form *f = &h->forms[i];
        for (size_t j = 0; j < f->nfields; j++) {
            free(f->fields[j].name);
            free(f->fields[j].value);
            free(f->fields[j].type);
        }
        free(f->fields);
        free(f->action);
        free(f->method);
        free(f->enctype);
    }
    free(h->forms);
    memset(h, 0, sizeof *h);
}

/* ---- robots.txt ---- */

typedef struct robots_ctx {
    char site[WEB_URL_MAX];
    size_t max;
    str_list paths, maps;
} robots_ctx;

static void robots_value(robots_ctx *r, const char *key, char *v)
{
    char path[WEB_URL_MAX + 1], url[WEB_URL_MAX];
    bool rule = strcasecmp(key, "disallow") == 0 || strcasecmp(key, "allow") == 0;
    if (rule) {
        v[strcspn(v, "*$")] = '\0';
        if (!v[0])
            return;
        path[0] = '/';
        kw_strlcpy(path + (v[0] != '/'), v, sizeof path - 1);
        /* a path, never another host: "//evil.example/" resolves to one and is dropped */
        if (web_url_resolve(r->site, path, url, sizeof url) == KW_OK && strncmp(url, r->site, strlen(r->site)) == 0)
            list_add(&r->paths, url, r->max);
    } else if (strcasecmp(key, "sitemap") == 0 && web_url_resolve(r->site, v, url, sizeof url) == KW_OK)
        list_add(&r->maps, url, r->max);
}

/* One line of a robots.txt (p[n], no line end): "Key: value # comment". */
static void robots_line(robots_ctx *r, const char *p, size_t n)
{
    char line[WEB_URL_MAX];
    if (n >= sizeof line)
        return;
    memcpy(line, p, n);
    line[n] = '\0';
    line[strcspn(line, "#")] = '\0';
    char *colon = strchr(line, ':');
    if (!colon)
        return;
    *colon = '\0';
    char *key = line, *v = colon + 1, *e;
    while (*key == ' ' || *key == '\t')
        key++;
    for (e = colon; e > key && (e[-1] == ' ' || e[-1] == '\t'); e--)
        e[-1] = '\0';
    while (*v == ' ' || *v == '\t')
        v++;
    for (e = v + strlen(v); e > v && (unsigned char)e[-1] <= 0x20; e--)
        e[-1] = '\0';
    robots_value(r, key, v);
}

kw_rc web_robots_parse(const char *site, const char *buf, size_t len, size_t max_items, web_strs *paths,
                       web_strs *sitemaps)
{
    memset(paths, 0, sizeof *paths);
    memset(sitemaps, 0, sizeof *sitemaps);
    robots_ctx *r = kw_calloc(1, sizeof *r);
    if (!site || web_url_resolve(site, "/", r->site, sizeof r->site) != KW_OK) {
        free(r);
        return KW_ERR_PARSE;
    }
    r->max = max_items;
    list_init(&r->paths, &paths->v, &paths->n);
    list_init(&r->maps, &sitemaps->v, &sitemaps->n);
    size_t i = len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    while (i < len) {
        size_t e = i;
        while (e < len && buf[e] != '\n' && buf[e] != '\r')
            e++;
        robots_line(r, buf + i, e - i);
        i = e + 1;
    }
    kw_map_free(&r->paths.seen);
    kw_map_free(&r->maps.seen);
    free(r);
    return KW_OK;
}

/* ---- sitemap.xml ---- */

typedef struct sitemap_ctx {
    size_t max;
    str_list urls, maps;
    int parent;                      /* 0 none, 1 <url>, 2 <sitemap> */
    int parent_depth;
    bool in_loc;
    kw_buf loc;
} sitemap_ctx;

static void sitemap_loc_end(sitemap_ctx *s)
{
    char url[WEB_URL_MAX];
    s->in_loc = false;
    if (!s->loc.overflow && web_url_resolve(kw_buf_cstr(&s->loc), "", url, sizeof url) == KW_OK)
        list_add(s->parent == 1 ? &s->urls : &s->maps, url, s->max);
    kw_buf_reset(&s->loc);
}

static void sitemap_element(sitemap_ctx *s, xmlTextReaderPtr rd)
{
    const char *name = (const char *)xmlTextReaderConstLocalName(rd);
    int depth = xmlTextReaderDepth(rd);
    if (!name || xmlTextReaderIsEmptyElement(rd) == 1)
        return;
    if (strcmp(name, "url") == 0 || strcmp(name, "sitemap") == 0) {
        s->parent = name[0] == 'u' ? 1 : 2;
        s->parent_depth = depth;
    } else if (strcmp(name, "loc") == 0 && s->parent && depth == s->parent_depth + 1) {
        s->in_loc = true;
        kw_buf_reset(&s->loc);
    }
}

static void sitemap_node(sitemap_ctx *s, xmlTextReaderPtr rd)
{
    int type = xmlTextReaderNodeType(rd);
    if (type == XML_READER_TYPE_ELEMENT)
        sitemap_element(s, rd);
    else if (s->in_loc && (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA)) {
        const char *v = (const char *)xmlTextReaderConstValue(rd);
        if (v)
            kw_buf_puts(&s->loc, v);
    } else if (type == XML_READER_TYPE_END_ELEMENT) {
        if (s->in_loc)
            sitemap_loc_end(s);
        else if (s->parent && xmlTextReaderDepth(rd) == s->parent_depth)
            s->parent = 0;
    }
}

kw_rc web_sitemap_parse(const char *buf, size_t len, size_t max_items, web_strs *urls, web_strs *sitemaps)
{
    memset(urls, 0, sizeof *urls);
    memset(sitemaps, 0, sizeof *sitemaps);
    if (!buf || !len || len > INT_MAX)
        return KW_ERR_PARSE;
    xml_quiet q;
    xml_quiet_begin(&q);
    xmlTextReaderPtr rd = xmlReaderForMemory(buf, (int)len, NULL, NULL,
                                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!rd) {
        xml_quiet_end(&q);
        return KW_ERR_PARSE;
    }
    xmlTextReaderSetStructuredErrorHandler(rd, xml_drop_structured, NULL);
    sitemap_ctx *s = kw_calloc(1, sizeof *s);
    s->max = max_items;
    list_init(&s->urls, &urls->v, &urls->n);
    list_init(&s->maps, &sitemaps->v, &sitemaps->n);
    kw_buf_init(&s->loc, WEB_URL_MAX);
    bool any = false;
    while (xmlTextReaderRead(rd) == 1) {
        any = true;
        sitemap_node(s, rd);
    }
    xmlFreeTextReader(rd);
    xml_quiet_end(&q);
    kw_buf_free(&s->loc);
    kw_map_free(&s->urls.seen);
    kw_map_free(&s->maps.seen);
    free(s);
    return any ? KW_OK : KW_ERR_PARSE;
}
