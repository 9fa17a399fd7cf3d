/* The pure part of the XSS check (scan_web_xss_ctx.c, no I/O): where a marker lands in an HTML
 * answer (text, attribute value by its quoting, the start of a URL attribute, script code or a
 * script string, a comment, RCDATA, a style block, inside a tag), the breakout probes worth
 * sending for each place, and whether an answer proves one: the marker as an element or
 * attribute name that did not exist, as script code outside any string, or after a javascript:
 * scheme at the start of a URL attribute. A small HTML tokenizer (the WHATWG states that matter
 * here, bounded by the body's length) does both, so an escaped look-alike never proves. */
#ifndef KW_SCAN_WEB_XSS_H
#define KW_SCAN_WEB_XSS_H

#include <stdbool.h>
#include <stddef.h>

#define WEB_XSS_NAME_MAX 40          /* element and attribute names kept (longer: cut) */
#define WEB_XSS_PAYLOAD_MAX 96       /* a probe's payload, NUL included */

typedef enum web_xss_kind {
    WEB_XSS_TEXT = 0,                /* element content */
    WEB_XSS_ATTR_DQ,                 /* a double-quoted attribute value */
    WEB_XSS_ATTR_SQ,                 /* a single-quoted attribute value */
    WEB_XSS_ATTR_UQ,                 /* an unquoted attribute value */
    WEB_XSS_URL,                     /* the start of a URL attribute's value (href, src, ...) */
    WEB_XSS_JS_CODE,                 /* script code, outside strings and comments */
    WEB_XSS_JS_SQ,                   /* a '...' string in a script */
    WEB_XSS_JS_DQ,                   /* a "..." string in a script */
    WEB_XSS_JS_TPL,                  /* a `...` template in a script */
    WEB_XSS_JS_COMMENT,              /* a comment in a script */
    WEB_XSS_COMMENT,                 /* an HTML comment (or <!...> / <?...>) */
    WEB_XSS_RCDATA,                  /* textarea, title, and other raw-text elements */
    WEB_XSS_STYLE,                   /* a <style> block */
    WEB_XSS_TAG,                     /* inside a tag, outside any value (a name) */
    WEB_XSS_NKINDS
} web_xss_kind;

/* One place the marker was seen. */
typedef struct web_xss_where {
    web_xss_kind kind;
    char quote;                      /* for WEB_XSS_URL: '"', '\'' or 0 (unquoted) */
    char tag[WEB_XSS_NAME_MAX];      /* the element it is in (lower-cased) */
    char attr[WEB_XSS_NAME_MAX];     /* the attribute, for the attribute and URL kinds */
    web_xss_kind js;                 /* in an event handler (on*): where in its script, its
                                        character references decoded (WEB_XSS_JS_*);
                                        WEB_XSS_TEXT otherwise */
    size_t at;                       /* offset of the marker in the body */
} web_xss_where;

/* What an answer must show for a probe to prove the injection. */
typedef enum web_xss_proof {
    WEB_XSS_PROOF_ELEMENT = 0,       /* a start tag named as the marker */
    WEB_XSS_PROOF_ATTR,              /* an attribute named as the marker */
    WEB_XSS_PROOF_JSURL,             /* a URL attribute that runs a javascript: URL (a href,
                                        iframe src, form action, ...) whose value starts
                                        "javascript:" and holds the marker */
    WEB_XSS_PROOF_JSCODE,            /* the marker in script code, outside strings and comments */
    WEB_XSS_PROOF_JSATTR,            /* the same in an event handler attribute's script */
} web_xss_proof;

typedef struct web_xss_probe {
    char payload[WEB_XSS_PAYLOAD_MAX];
    web_xss_proof proof;
} web_xss_probe;

/* True when an answer of media type ct (lower-cased, without parameters, "" when none) can run
 * script as a page: HTML or XHTML, or no type at all (browsers sniff). */
bool web_xss_is_html(const char *ct);

/* The places marker (letters and digits) lands in body[len], at most max of them in document
 * order, into out; returns how many. */
size_t web_xss_contexts(const char *body, size_t len, const char *marker, web_xss_where *out, size_t max);

/* The breakout probes for place w, each carrying marker, at most max into out; returns how
 * many (0 when marker is too long for a payload). */
size_t web_xss_probes(const web_xss_where *w, const char *marker, web_xss_probe *out, size_t max);

/* True when body[len] shows marker in the executable position proof asks for; *at (may be NULL)
 * gets the offset of what shows it. */
bool web_xss_proved(const char *body, size_t len, const char *marker, web_xss_proof proof, size_t *at);

/* The character reference at s[n] ("&#39;", "&#x27;", "&quot;", "&amp;", ...) when it stands
 * for a printable ASCII byte: that byte, its length in *used; otherwise 0 and *used 0. */
char web_xss_charref(const char *s, size_t n, size_t *used);

/* s[n] with those character references decoded into out (of at least n bytes, not
 * NUL-terminated); returns the decoded length. */
size_t web_xss_decode(const char *s, size_t n, char *out);

/* Place w in words into out (of n bytes): "a double-quoted attribute of <input value>". */
void web_xss_describe(const web_xss_where *w, char *out, size_t n);

#endif
