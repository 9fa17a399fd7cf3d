/* What the extraction files of the web crawler share (scan_web_html.c, scan_web_sitemap.c):
 * bounded, de-duplicated string lists and the silencing of libxml2's error output. */
#ifndef KW_SCAN_WEB_HTML_INT_H
#define KW_SCAN_WEB_HTML_INT_H

#include <libxml/xmlerror.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/kw_map.h"

/* A list (*v, *n) the caller owns, filled with copies of strings, each once. */
typedef struct web_list {
    char ***v;
    size_t *n;
    size_t cap;
    kw_map seen;
} web_list;

/* Points l at the caller's (*v, *n) (both zeroed already). */
void web_list_init(web_list *l, char ***v, size_t *n);
/* Adds a copy of s unless it is there already; false when it is new but there are max already. */
bool web_list_add(web_list *l, const char *s, size_t max);
/* Frees the list's index, not the strings (they are the caller's). */
void web_list_done(web_list *l);

/* The calling thread's libxml2 error handlers, put aside by web_xml_quiet_begin (which silences
 * them, libxml2 keeping them per thread) and restored by web_xml_quiet_end. */
typedef struct web_xml_quiet {
    xmlGenericErrorFunc generic;
    void *generic_ctx;
    xmlStructuredErrorFunc structured;
    void *structured_ctx;
} web_xml_quiet;

void web_xml_quiet_begin(web_xml_quiet *q);
void web_xml_quiet_end(const web_xml_quiet *q);
/* A structured-error handler that drops what it is given (for a reader's own handler). */
void web_xml_drop(void *ctx, xmlErrorPtr e);

#endif
