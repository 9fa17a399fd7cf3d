/* What the crawler reads out of a page (scan_web_html.c, pure: no I/O): the links and forms of
 * an HTML document as libxml2's HTML parser builds it (never regular expressions), the paths
 * and sitemaps of a robots.txt, the URLs of a sitemap.xml (or a sitemap index), and URL
 * resolution against a base. Every input is hostile: output is bounded by max_items, and a
 * document the parser cannot read yields what it recovered. */
#ifndef KW_SCAN_WEB_HTML_H
#define KW_SCAN_WEB_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "core/kw_err.h"

typedef struct web_field {
    char *name;
    char *value;                     /* value attribute, textarea text, the selected (or first)
                                        option of a select; "" none */
    char *type;                      /* lower-cased: "text", "hidden", "password", "submit",
                                        "checkbox", "radio", "file", "textarea", "select", ... */
} web_field;

typedef struct web_form {
    char *action;                    /* absolute, fragment removed (the page itself when empty) */
    char *method;                    /* "GET" or "POST" (upper-cased; anything else: GET) */
    char *enctype;                   /* "multipart/form-data", "text/plain", "application/json"
                                        (a form its script sends as JSON); "" the default */
    web_field *fields;               /* named fields only, in document order */
    size_t nfields;
} web_form;

typedef struct web_html {
    char **links;                    /* absolute URLs (fragments removed), duplicates dropped:
                                        a/area href, frame/iframe src, link href, script src,
                                        meta refresh, form actions are in forms */
    size_t nlinks;
    web_form *forms;
    size_t nforms;
    bool truncated;                  /* max_items was reached */
} web_html;

/* Parses buf[len] as the HTML of the page at page_url (a <base href> inside changes the base)
 * into *out (zeroed first; the caller frees with web_html_free even on error). At most
 * max_items links plus forms are taken. Links to other schemes than http and https
 * (javascript:, mailto:, data:) are dropped. KW_ERR_PARSE only when page_url is not an absolute
 * http(s) URL; a broken document gives what the parser recovered. */
kw_rc web_html_parse(const char *page_url, const char *buf, size_t len, size_t max_items, web_html *out);
void web_html_free(web_html *h);

/* Resolves ref against the absolute URL base (RFC 3986) into out (of outn bytes), the fragment
 * removed and the scheme and host lower-cased. KW_ERR_PARSE when it does not resolve to an
 * http(s) URL, KW_ERR_RANGE when it does not fit. */
kw_rc web_url_resolve(const char *base, const char *ref, char *out, size_t outn);

/* A list of strings the parsers return (the caller frees with web_strs_free). */
typedef struct web_strs {
    char **v;
    size_t n;
} web_strs;
void web_strs_free(web_strs *s);

/* A robots.txt's Disallow and Allow paths (of every user-agent group; wildcards cut at the first
 * '*' or '$') resolved against site (its root URL) into paths, and its Sitemap lines into
 * sitemaps; at most max_items of each. */
kw_rc web_robots_parse(const char *site, const char *buf, size_t len, size_t max_items, web_strs *paths,
                       web_strs *sitemaps);

/* A sitemap.xml's <url><loc> URLs into urls and, for a sitemap index, its <sitemap><loc> URLs
 * into sitemaps; at most max_items of each. KW_ERR_PARSE when the text is not XML. The XML
 * parser loads no external entity and no DTD. */
kw_rc web_sitemap_parse(const char *buf, size_t len, size_t max_items, web_strs *urls, web_strs *sitemaps);

#endif
