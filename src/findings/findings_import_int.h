/* What the report importers share (findings_import_util.c, _json.c, _xml.c) and the entry
 * point of each format's file; private to src/findings/findings_import*. */
#ifndef KW_FINDINGS_IMPORT_INT_H
#define KW_FINDINGS_IMPORT_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libxml/tree.h>

#include "core/kw_arena.h"
#include "core/kw_buf.h"
#include "findings/findings_import.h"

typedef struct fimp_ctx {
    const finding_sink *sink;
    findings_import_stats *st;
    char *err;
    size_t errn;
    kw_arena a;    /* strings of the record being read; reset after each one */
    kw_arena keep; /* strings that live for the whole import */
} fimp_ctx;

/* Each format's reader: buf[0..n) is the whole report. */
kw_rc fimp_nmap(fimp_ctx *c, const char *buf, size_t n);
kw_rc fimp_nuclei(fimp_ctx *c, const char *buf, size_t n);
kw_rc fimp_openvas(fimp_ctx *c, const char *buf, size_t n);
kw_rc fimp_lynis(fimp_ctx *c, const char *buf, size_t n);
kw_rc fimp_wapiti(fimp_ctx *c, const char *buf, size_t n);
kw_rc fimp_zap(fimp_ctx *c, const char *buf, size_t n);
kw_rc fimp_csv(fimp_ctx *c, const char *buf, size_t n);

/* Writes the message into c->err and returns KW_ERR_PARSE. */
kw_rc fimp_fail(fimp_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Emits f when it has an id, a title and an asset (host, ip, url or file), else counts it
 * skipped; counts it; resets the record's strings. */
kw_rc fimp_emit(fimp_ctx *c, const finding *f);
/* Gives one cover and counts it. */
kw_rc fimp_cover(fimp_ctx *c, const finding_cover *cv);

/* Record strings (in c->a): a copy of s[0..n); a printf; s cut to at most max bytes at a UTF-8
 * boundary (NULL stays NULL); s with leading and trailing white space removed. */
char *fimp_strndup(fimp_ctx *c, const char *s, size_t n);
char *fimp_printf(fimp_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *fimp_cut(fimp_ctx *c, const char *s, size_t max);
const char *fimp_trim(fimp_ctx *c, const char *s);
/* s upper-cased, each byte that is not a letter or digit turned into '-' (an id part). */
/* A copy of s (NULL stays NULL) that lives for the whole import. */
const char *fimp_keep(fimp_ctx *c, const char *s);
char *fimp_slug(fimp_ctx *c, const char *s);

/* Appends s (NULL: nothing) to b, as much as fits below max bytes, cut at a UTF-8 boundary. */
void fimp_buf_add(kw_buf *b, const char *s, size_t max);

/* DESIGN.md's category for a CWE number (0: none) or a name/tag text; NULL when neither says. */
const char *fimp_category(int cwe, const char *text);
/* True for a category DESIGN.md lists. */
bool fimp_category_known(const char *cat);
/* The number in "CWE-79", "cwe-79" or "79"; 0 when none. */
int fimp_cwe_num(const char *s);

/* Strict numbers: the whole of s (white space around allowed). */
bool fimp_parse_double(const char *s, double *out);
bool fimp_parse_int(const char *s, long lo, long hi, long *out);
/* "CVSS:3.1/..." -> "3.1", "CVSS:4.0/..." -> "4.0", "AV:N/AC:L/Au:N/..." -> "2.0"; NULL. */
const char *fimp_cvss_version(const char *vector);
/* An ISO 8601 time ("2022-03-20T22:43:31.23-03:00", "...Z") as Unix ms; 0 when not one. */
int64_t fimp_iso_ms(const char *s);
/* The host and port of a URL ("https://h:8443/x" -> "h", 8443; default port by scheme, 0
 * when unknown); false when s is not scheme://host... . host is a record string. */
bool fimp_url_host(fimp_ctx *c, const char *s, const char **host, int *port);
/* "host:port" (also "[v6]:port") -> host (record string) and port; false when not that form. */
bool fimp_hostport(fimp_ctx *c, const char *s, const char **host, int *port);
/* True when s is an IPv4 or IPv6 address literal. */
bool fimp_is_ip(const char *s);

/* JSON (findings_import_json.c). One document in buf[0..n), whose first line is line
 * `line` of the report (for the message); KW_ERR_PARSE naming line and column. */
kw_rc fimp_json_parse(fimp_ctx *c, const char *buf, size_t n, size_t line, json_t **out);
/* o[key] when it is a string; NULL otherwise (missing, another type, o not an object). */
const char *fimp_jstr(json_t *o, const char *key);
/* o[key] as text: a string, or a number written out (a record string); NULL otherwise. */
const char *fimp_jtext(fimp_ctx *c, json_t *o, const char *key);
/* v as text: a string, or the strings of an array joined with sep (a record string). */
const char *fimp_jjoin(fimp_ctx *c, json_t *v, const char *sep);

/* XML (findings_import_xml.c), read safely: no entities (a document declaring one is
 * refused), no DTD, no network, libxml2's default depth and size bounds; the root element
 * must be named root or alt (alt may be NULL). On KW_OK the caller frees *out with
 * xmlFreeDoc; *root is its root element. */
kw_rc fimp_xml_parse(fimp_ctx *c, const char *buf, size_t n, const char *root, const char *alt,
                     xmlDoc **out, xmlNode **top);
/* The first element child of n named name (NULL: any); the next element sibling so named. */
xmlNode *fimp_xml_child(xmlNode *n, const char *name);
xmlNode *fimp_xml_next(xmlNode *n, const char *name);
/* An attribute's value (borrowed; NULL when absent). */
const char *fimp_xml_attr(xmlNode *n, const char *name);
/* The text directly inside n (its text and CDATA children, trimmed; a record string; NULL
 * when n is NULL); the same for n's first child named name. */
const char *fimp_xml_text(fimp_ctx *c, xmlNode *n);
const char *fimp_xml_ctext(fimp_ctx *c, xmlNode *n, const char *name);
/* True when n is an element named name. */
bool fimp_xml_is(xmlNode *n, const char *name);

/* Skips a UTF-8 byte-order mark and leading white space; returns the offset of the rest. */
size_t fimp_skip_bom_ws(const char *buf, size_t n);

#endif
