/* scan_web_html.c: the links and forms of an HTML page for the web crawler (pure: no I/O), read
 * by libxml2's HTML parser as a stream of SAX events (no tree: a 2 MiB page of 100,000 links or
 * 20,000 forms costs what it yields, not a tree ten times its size); also the bounded string
 * lists and the silencing of libxml2's errors that scan_web_sitemap.c shares.
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
 * The first <base href> (looked for before the page is read, up to where <body> starts) is the
 * base of every relative reference; one inside the body applies from where it stands.
 * Forms: action (the page itself when absent or empty, the base otherwise), method, enctype
 * (the three HTML values; anything else is the default ""), and every named input, textarea,
 * select and button, in document order, at most WEB_PARAMS_MAX per form. A field with a form="id"
 * attribute belongs to that form wherever it is (one naming a form further down joins it after
 * the form's own fields); radio buttons of one name are one field (the checked one's value, else
 * the first's). A field outside every form is not taken: a browser would not submit it. libxml2
 * is not an HTML5 parser: a form whose parent element closes before </form> ends there, the
 * inputs after it are outside it; the tags inside a textarea are parsed, its value is their text.
 *
 * Bounds: at most HTML_DEPTH_MAX elements open at once (libxml2's own limit for the trees it
 * builds, kept here without a tree): deeper, the parse stops and gives what came before.
 * Encoding: the parser's own detection (BOM, <meta charset>); a page that declares none is read
 * as UTF-8, and libxml2 falls back to ISO-8859-1 at an invalid byte. libxml2 stops for good at
 * the first byte that does not follow a declared encoding (GB2312 pages holding GBK characters
 * are common): such a page is converted with iconv here, bad bytes made U+FFFD and GB2312/GBK
 * read as GB18030 as browsers do, and read again as UTF-8. libxml2 keeps its error
 * handlers per thread: each parse silences the calling thread's and restores them, so parses
 * run on several threads at once. */
#include "scan/scan_web_html.h"

#include <errno.h>
#include <iconv.h>
#include <libxml/HTMLparser.h>
#include <libxml/globals.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/kw_buf.h"
#include "core/kw_mem.h"
#include "scan/scan_web.h"
#include "scan/scan_web_html_int.h"

/* ---- quiet libxml2 (per thread) ---- */

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void) { xmlInitParser(); }

static void xml_drop_generic(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

void web_xml_drop(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    (void)e;
}

void web_xml_quiet_begin(web_xml_quiet *q)
{
    pthread_once(&xml_once, xml_init);
    q->generic = xmlGenericError;
    q->generic_ctx = xmlGenericErrorContext;
    q->structured = xmlStructuredError;
    q->structured_ctx = xmlStructuredErrorContext;
    xmlSetGenericErrorFunc(NULL, xml_drop_generic);
    xmlSetStructuredErrorFunc(NULL, web_xml_drop);
}

void web_xml_quiet_end(const web_xml_quiet *q)
{
    xmlSetGenericErrorFunc(q->generic_ctx, q->generic);
    xmlSetStructuredErrorFunc(q->structured_ctx, q->structured);
}

/* ---- bounded, de-duplicated string lists ---- */

void web_list_init(web_list *l, char ***v, size_t *n)
{
    l->v = v;
    l->n = n;
    l->cap = 0;
    kw_map_init(&l->seen);
}

bool web_list_add(web_list *l, const char *s, size_t max)
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

void web_list_done(web_list *l) { kw_map_free(&l->seen); }

/* ---- what elements carry ---- */

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

static const char *html_enctype(const char *e)
{
    if (e && strcasecmp(e, "multipart/form-data") == 0)
        return "multipart/form-data";
    if (e && strcasecmp(e, "text/plain") == 0)
        return "text/plain";
    /* not a browser's encoding, but what the W3C JSON-forms draft names and what a page's own
     * script then sends: the scanner sends the fields as a JSON object */
    if (e && strcasecmp(e, "application/json") == 0)
        return "application/json";
    return "";
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


/* ---- the reader's state ---- */

#define HTML_DEPTH_MAX 256           /* elements open at once; deeper, the parse stops */
#define HTML_TEXT_MAX (256u << 10)   /* bytes kept of a textarea's or an option's text */

enum { FIELD_NONE, FIELD_TEXTAREA, FIELD_SELECT };

typedef struct html_open_form {
    int depth;                       /* of the <form> element */
    size_t form;                     /* index + 1 in out->forms; 0: the form was not taken */
} html_open_form;

typedef struct html_pending {        /* a field whose form="id" names a form not seen yet */
    char *id;
    web_field f;
    bool checked;
} html_pending;

typedef struct html_sax {
    htmlParserCtxtPtr ctxt;
    char page[WEB_URL_MAX];          /* the document's URL (empty form actions) */
    char base[WEB_URL_MAX];          /* what relative references resolve against */
    bool base_seen;
    size_t max;
    web_html *out;
    web_list links;
    size_t fcap;
    kw_map form_ids;                 /* id -> form index + 1 */
    int depth;
    html_open_form open[HTML_DEPTH_MAX + 1];
    int nopen;
    html_pending *pend;
    size_t npend, pcap;
    int field;                       /* the textarea or select being read: FIELD_* */
    int field_depth;
    size_t field_form, field_index;  /* form index + 1 and field index; form 0: pend[index] */
    kw_buf text;                     /* the textarea's text, or the option's */
    bool in_option, option_selected;
    int option_depth;
    char *option_value;              /* its value attribute, NULL when it has none */
    char *first, *chosen;            /* the select's first option's value, its selected one's */
    bool encoding_error;             /* the parse met a byte its encoding does not have */
    char bad_encoding[64];           /* the declared encoding the parser stopped on, "" none */
} html_sax;

/* Attribute name of a start tag's atts (name, value pairs; names lower-cased by the parser):
 * its value, "" for one without a value (selected), NULL when absent. */
static const char *html_attr(const xmlChar **atts, const char *name)
{
    for (size_t i = 0; atts && atts[i]; i += 2)
        if (strcmp((const char *)atts[i], name) == 0)
            return atts[i + 1] ? (const char *)atts[i + 1] : "";
    return NULL;
}

static bool html_resolve(const html_sax *s, const char *ref, char *out)
{
    return ref && web_url_resolve(s->base, ref, out, WEB_URL_MAX) == KW_OK;
}

static void html_base(html_sax *s, const xmlChar **atts)
{
    const char *href = html_attr(atts, "href");
    char b[WEB_URL_MAX];
    if (s->base_seen || !href)
        return;
    s->base_seen = true;
    if (web_url_resolve(s->page, href, b, sizeof b) == KW_OK)
        memcpy(s->base, b, sizeof b);
}

/* ---- links ---- */

/* The reference element n carries to a page, NULL when it carries none the crawler follows;
 * *resource says it is a script or style (taken only when generated). */
static const char *html_link_ref(const char *n, const xmlChar **atts, bool *resource, char *buf, size_t bn)
{
    *resource = false;
    if (strcmp(n, "a") == 0 || strcmp(n, "area") == 0)
        return html_attr(atts, "href");
    if (strcmp(n, "frame") == 0 || strcmp(n, "iframe") == 0)
        return html_attr(atts, "src");
    if (strcmp(n, "script") == 0)
        return *resource = true, html_attr(atts, "src");
    if (strcmp(n, "link") == 0) {
        int kind = html_link_rel(html_attr(atts, "rel"));
        *resource = kind == 1;
        return kind == 2 ? NULL : html_attr(atts, "href");
    }
    const char *equiv = html_attr(atts, "http-equiv"), *content = html_attr(atts, "content");
    if (strcmp(n, "meta") == 0 && equiv && strcasecmp(equiv, "refresh") == 0 && content)
        return html_refresh_url(content, buf, bn);
    return NULL;
}

static void html_link(html_sax *s, const char *n, const xmlChar **atts)
{
    char buf[WEB_URL_MAX], url[WEB_URL_MAX];
    bool resource;
    if (s->out->truncated)
        return;
    const char *ref = html_link_ref(n, atts, &resource, buf, sizeof buf);
    if (!html_resolve(s, ref, url) || (resource && html_static(url)))
        return;
    size_t room = s->max > s->out->nforms ? s->max - s->out->nforms : 0;
    if (!web_list_add(&s->links, url, room))
        s->out->truncated = true;
}

/* ---- forms ---- */

/* The form of a <form> start tag into out->forms: its index + 1, 0 when it is not taken. */
static size_t html_form_take(html_sax *s, const xmlChar **atts)
{
    const char *action = html_attr(atts, "action"), *method = html_attr(atts, "method");
    char url[WEB_URL_MAX];
    if (!action || !action[0])
        memcpy(url, s->page, sizeof url);
    else if (!html_resolve(s, action, url))
        return 0;
    if (s->out->nlinks + s->out->nforms >= s->max) {
        s->out->truncated = true;
        return 0;
    }
    kw_grow(&s->out->forms, &s->fcap, s->out->nforms + 1, sizeof(web_form));
    web_form *f = &s->out->forms[s->out->nforms++];
    memset(f, 0, sizeof *f);
    f->action = kw_strdup(url);
    f->method = kw_strdup(method && strcasecmp(method, "post") == 0 ? "POST" : "GET");
    f->enctype = kw_strdup(html_enctype(html_attr(atts, "enctype")));
    const char *id = html_attr(atts, "id");
    if (id && id[0] && !kw_map_get(&s->form_ids, id))
        kw_map_put(&s->form_ids, id, (void *)(uintptr_t)s->out->nforms);
    return s->out->nforms;
}

static void html_form_start(html_sax *s, const xmlChar **atts)
{
    size_t k = html_form_take(s, atts);
    if (s->nopen < HTML_DEPTH_MAX + 1)
        s->open[s->nopen++] = (html_open_form){s->depth, k};
}

static void html_field_free(web_field *f)
{
    free(f->name);
    free(f->value);
    free(f->type);
}

/* A radio button of a name the form has already: the checked one gives the value. */
static bool html_radio_merge(web_form *form, web_field *f, bool checked)
{
    if (strcmp(f->type, "radio") != 0)
        return false;
    for (size_t i = 0; i < form->nfields; i++)
        if (strcmp(form->fields[i].type, "radio") == 0 && strcmp(form->fields[i].name, f->name) == 0) {
            if (checked) {
                free(form->fields[i].value);
                form->fields[i].value = f->value;
                f->value = NULL;
            }
            return true;
        }
    return false;
}

/* Moves *f into form (the form owns it after, or it is freed): its index there, SIZE_MAX when
 * it was merged into another radio button or the form is full. */
static size_t html_form_add(web_form *form, web_field *f, bool checked)
{
    if (html_radio_merge(form, f, checked) || form->nfields >= WEB_PARAMS_MAX) {
        html_field_free(f);
        return SIZE_MAX;
    }
    /* the array holds 4, then doubles each time it is full (at each power of two) */
    if (form->nfields == 0 || (form->nfields >= 4 && (form->nfields & (form->nfields - 1)) == 0))
        form->fields = kw_realloc(form->fields, (form->nfields ? 2 * form->nfields : 4) * sizeof(web_field));
    form->fields[form->nfields] = *f;
    return form->nfields++;
}

/* ---- fields ---- */

static const char *html_field_type(const char *n, const xmlChar **atts)
{
    const char *t = html_attr(atts, "type");
    if (strcmp(n, "textarea") == 0 || strcmp(n, "select") == 0)
        return n;
    if (strcmp(n, "button") == 0) {
        if (t && strcasecmp(t, "reset") == 0)
            return "reset";
        return t && strcasecmp(t, "button") == 0 ? "button" : "submit";
    }
    return html_input_type(t);
}

static web_field *html_field_at(html_sax *s, size_t form, size_t index)
{
    return form ? &s->out->forms[form - 1].fields[index] : &s->pend[index].f;
}

/* Puts f where it belongs; false when it is dropped (no form, a full form, a merged radio). */
static bool html_field_place(html_sax *s, web_field *f, bool checked, const char *id, size_t *form, size_t *index)
{
    *form = id ? (size_t)(uintptr_t)kw_map_get(&s->form_ids, id) : s->nopen ? s->open[s->nopen - 1].form : 0;
    if (*form)
        return (*index = html_form_add(&s->out->forms[*form - 1], f, checked)) != SIZE_MAX;
    if (!id || !id[0] || s->npend >= WEB_LINKS_PER_PAGE) {
        html_field_free(f);
        return false;
    }
    kw_grow(&s->pend, &s->pcap, s->npend + 1, sizeof *s->pend);
    s->pend[s->npend] = (html_pending){kw_strdup(id), *f, checked};
    *index = s->npend++;
    return true;
}

static void html_field_start(html_sax *s, const char *n, const xmlChar **atts)
{
    const char *name = html_attr(atts, "name"), *value = html_attr(atts, "value");
    if (!name || !name[0])
        return;
    const char *type = html_field_type(n, atts);
    bool text = strcmp(type, "textarea") == 0, select = strcmp(type, "select") == 0;
    web_field f = {kw_strdup(name), kw_strdup(value && !text && !select ? value : ""), kw_strdup(type)};
    size_t form, index;
    if (!html_field_place(s, &f, html_attr(atts, "checked") != NULL, html_attr(atts, "form"), &form, &index))
        return;
    if ((text || select) && s->field == FIELD_NONE) {
        s->field = text ? FIELD_TEXTAREA : FIELD_SELECT;
        s->field_depth = s->depth;
        s->field_form = form;
        s->field_index = index;
        kw_buf_reset(&s->text);
    }
}

/* The option's text with blanks cut and runs of them made one (HTML's option label). */
static char *html_collapse(const char *t)
{
    char *r = kw_strdup(t), *d = r;
    for (const char *p = t; *p; p++) {
        bool blank = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f';
        if (!blank)
            *d++ = *p;
        else if (d > r && d[-1] != ' ')
            *d++ = ' ';
    }
    while (d > r && d[-1] == ' ')
        d--;
    *d = '\0';
    return r;
}

static void html_option_start(html_sax *s, const xmlChar **atts)
{
    const char *v = html_attr(atts, "value");
    s->in_option = true;
    s->option_depth = s->depth;
    s->option_value = v ? kw_strdup(v) : NULL;
    s->option_selected = html_attr(atts, "selected") != NULL;
    kw_buf_reset(&s->text);
}

static void html_option_end(html_sax *s)
{
    char *v = s->option_value ? s->option_value : html_collapse(kw_buf_cstr(&s->text));
    s->option_value = NULL;
    s->in_option = false;
    if (s->option_selected && !s->chosen) {
        s->chosen = v;
        if (!s->first)
            s->first = kw_strdup(v);
    } else if (!s->first)
        s->first = v;
    else
        free(v);
}

static void html_field_end(html_sax *s)
{
    web_field *f = html_field_at(s, s->field_form, s->field_index);
    free(f->value);
    if (s->field == FIELD_TEXTAREA)
        f->value = kw_strdup(kw_buf_cstr(&s->text));
    else
        f->value = kw_strdup(s->chosen ? s->chosen : s->first ? s->first : "");
    free(s->first);
    free(s->chosen);
    s->first = s->chosen = NULL;
    s->field = FIELD_NONE;
    kw_buf_reset(&s->text);
}

/* The fields whose form="id" named a form further down: into it now, or dropped. */
static void html_pending_place(html_sax *s)
{
    for (size_t i = 0; i < s->npend; i++) {
        size_t k = (size_t)(uintptr_t)kw_map_get(&s->form_ids, s->pend[i].id);
        if (k)
            html_form_add(&s->out->forms[k - 1], &s->pend[i].f, s->pend[i].checked);
        else
            html_field_free(&s->pend[i].f);
        free(s->pend[i].id);
    }
    free(s->pend);
}

/* ---- SAX events ---- */

static bool html_is_field(const char *n)
{
    return strcmp(n, "input") == 0 || strcmp(n, "textarea") == 0 || strcmp(n, "select") == 0 ||
           strcmp(n, "button") == 0;
}

static void html_sax_start(void *ud, const xmlChar *name, const xmlChar **atts)
{
    html_sax *s = ud;
    const char *n = (const char *)name;
    if (++s->depth > HTML_DEPTH_MAX) {
        xmlStopParser(s->ctxt);
        return;
    }
    if (!n)
        return;
    if (s->field == FIELD_SELECT && strcmp(n, "option") == 0) {
        if (s->in_option)
            html_option_end(s);
        html_option_start(s, atts);
    } else if (strcmp(n, "base") == 0)
        html_base(s, atts);
    else if (strcmp(n, "form") == 0)
        html_form_start(s, atts);
    else if (html_is_field(n))
        html_field_start(s, n, atts);
    else
        html_link(s, n, atts);
}

static void html_sax_end(void *ud, const xmlChar *name)
{
    html_sax *s = ud;
    (void)name;
    if (s->in_option && s->depth <= s->option_depth)
        html_option_end(s);
    if (s->field != FIELD_NONE && s->depth <= s->field_depth) {
        if (s->in_option)
            html_option_end(s);
        html_field_end(s);
    }
    while (s->nopen && s->open[s->nopen - 1].depth >= s->depth)
        s->nopen--;
    s->depth--;
}

static void html_sax_text(void *ud, const xmlChar *ch, int len)
{
    html_sax *s = ud;
    if ((s->in_option || s->field == FIELD_TEXTAREA) && len > 0)
        kw_buf_append(&s->text, ch, (size_t)len);
}

static void html_sax_skip(void *ud, const xmlChar *ch, int len)
{
    (void)ud;
    (void)ch;
    (void)len;
}

/* The first pass: the first <base href> among the first HTML_DEPTH_MAX elements before <body>
 * (or <frameset>) starts. */
static void html_base_start(void *ud, const xmlChar *name, const xmlChar **atts)
{
    html_sax *s = ud;
    const char *n = (const char *)name;
    if (n && strcmp(n, "base") == 0)
        html_base(s, atts);
    if (s->base_seen || (n && (strcmp(n, "body") == 0 || strcmp(n, "frameset") == 0)) || ++s->depth > HTML_DEPTH_MAX)
        xmlStopParser(s->ctxt);
}

/* ---- the parse ---- */

/* The errors of a parse (the calling thread's handler while it runs): notes an encoding one. */
static void html_sax_error(void *ud, xmlErrorPtr e)
{
    html_sax *s = ud;
    if (e && (e->code == XML_ERR_INVALID_ENCODING || e->code == XML_I18N_CONV_FAILED))
        s->encoding_error = true;
}

/* Runs the parser over buf[len] with handlers h; enc NULL: its own detection. Notes in
 * s->bad_encoding the encoding it stopped on (a declared one the bytes do not follow). */
static void html_run(html_sax *s, const xmlSAXHandler *h, const char *buf, size_t len, const char *enc)
{
    s->ctxt = htmlNewParserCtxt();
    if (!s->ctxt)
        return;
    memcpy(s->ctxt->sax, h, sizeof *h);
    s->ctxt->userData = s;
    s->depth = 0;
    s->encoding_error = false;
    int n = len > INT_MAX ? INT_MAX : (int)len;
    xmlSetStructuredErrorFunc(s, html_sax_error);
    xmlDoc *doc = htmlCtxtReadMemory(s->ctxt, buf, n, s->page, enc,
                                     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    xmlSetStructuredErrorFunc(NULL, web_xml_drop);
    xmlFreeDoc(doc); /* none: the handlers build nothing */
    const char *used = s->ctxt->input ? (const char *)s->ctxt->input->encoding : NULL;
    if (s->encoding_error && used && strcasecmp(used, "UTF-8") != 0)
        kw_strlcpy(s->bad_encoding, used, sizeof s->bad_encoding);
    htmlFreeParserCtxt(s->ctxt);
    s->ctxt = NULL;
}

static void html_read(html_sax *s, const char *buf, size_t len, const char *enc)
{
    xmlSAXHandler h;
    memset(&h, 0, sizeof h);
    h.startElement = html_base_start;
    html_run(s, &h, buf, len, enc);
    s->bad_encoding[0] = '\0';
    memset(&h, 0, sizeof h);
    h.startElement = html_sax_start;
    h.endElement = html_sax_end;
    h.characters = html_sax_text;
    h.ignorableWhitespace = html_sax_text;
    h.cdataBlock = html_sax_skip;
    html_run(s, &h, buf, len, enc);
    if (s->in_option)
        html_option_end(s);
    if (s->field != FIELD_NONE)
        html_field_end(s);
    html_pending_place(s);
}

/* buf[len] from encoding `from` into UTF-8 (returned; the caller frees it; *outlen its length),
 * each byte that does not decode made U+FFFD, as browsers do; GB2312 and GBK are read as their
 * superset GB18030 (browsers read GB2312 as GBK), and a page that says it is UTF-16 in its own
 * ASCII-compatible bytes as UTF-8 (HTML's rule). NULL when iconv does not know `from`. */
static char *html_transcode(const char *from, const char *buf, size_t len, size_t *outlen)
{
    bool gb = strncasecmp(from, "gb", 2) == 0 || strcasecmp(from, "x-gbk") == 0;
    bool wide = strncasecmp(from, "utf-16", 6) == 0 || strncasecmp(from, "utf-32", 6) == 0;
    iconv_t cd = iconv_open("UTF-8", gb ? "GB18030" : wide ? "UTF-8" : from);
    if (cd == (iconv_t)-1)
        return NULL;
    size_t cap = 3 * len + 16, left = cap - 1; /* a byte gives at most 3 (U+FFFD) */
    char *out = kw_malloc(cap), *o = out, *in = (char *)buf;
    size_t inleft = len;
    while (inleft && iconv(cd, &in, &inleft, &o, &left) == (size_t)-1 && errno != E2BIG) {
        if (left < 3)
            break;
        memcpy(o, "\xef\xbf\xbd", 3);
        o += 3;
        left -= 3;
        in++;
        inleft--;
    }
    iconv_close(cd);
    *o = '\0';
    *outlen = (size_t)(o - out);
    return out;
}

static void html_sax_init(html_sax *s, size_t max_items, web_html *out)
{
    memcpy(s->base, s->page, sizeof s->base);
    s->max = max_items;
    s->out = out;
    web_list_init(&s->links, &out->links, &out->nlinks);
    kw_map_init(&s->form_ids);
    kw_buf_init(&s->text, HTML_TEXT_MAX);
}

static void html_sax_done(html_sax *s)
{
    free(s->option_value);
    kw_buf_free(&s->text);
    web_list_done(&s->links);
    kw_map_free(&s->form_ids);
}

/* A page whose declared encoding libxml2 stopped on (GB2312 holding GBK characters, a stray
 * byte in Shift_JIS): everything after that byte would be lost, so the page is converted to
 * UTF-8 here (bad bytes made U+FFFD) and read again from the start as UTF-8. */
static void html_reread(html_sax *s, const char *buf, size_t len, size_t max_items, web_html *out)
{
    size_t n;
    char *u = html_transcode(s->bad_encoding, buf, len, &n);
    if (!u)
        return;
    html_sax_done(s);
    web_html_free(out);
    char page[WEB_URL_MAX];
    memcpy(page, s->page, sizeof page);
    memset(s, 0, sizeof *s);
    memcpy(s->page, page, sizeof page);
    html_sax_init(s, max_items, out);
    html_read(s, u, n, "UTF-8");
    free(u);
}

kw_rc web_html_parse(const char *page_url, const char *buf, size_t len, size_t max_items, web_html *out)
{
    memset(out, 0, sizeof *out);
    html_sax *s = kw_calloc(1, sizeof *s);
    if (!page_url || web_url_resolve(page_url, "", s->page, sizeof s->page) != KW_OK) {
        free(s);
        return KW_ERR_PARSE;
    }
    html_sax_init(s, max_items, out);
    web_xml_quiet q;
    web_xml_quiet_begin(&q);
    if (buf && len) {
        html_read(s, buf, len, html_declares_charset(buf, len) ? NULL : "UTF-8");
        if (s->bad_encoding[0])
            html_reread(s, buf, len, max_items, out);
    }
    web_xml_quiet_end(&q);
    html_sax_done(s);
    free(s);
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
        for (size_t j = 0; j < f->nfields; j++)
            html_field_free(&f->fields[j]);
        free(f->fields);
        free(f->action);
        free(f->method);
        free(f->enctype);
    }
    free(h->forms);
    memset(h, 0, sizeof *h);
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
