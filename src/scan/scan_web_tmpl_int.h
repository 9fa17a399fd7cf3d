/* What the files of the Nuclei template loader share among themselves (not for the checks). */
#ifndef KW_SCAN_WEB_TMPL_INT_H
#define KW_SCAN_WEB_TMPL_INT_H

#include "scan/scan_web_tmpl.h"

#define WEB_TMPL_SENDS_MAX 4096      /* requests one block may make once its payloads are applied */
#define WEB_TMPL_HEADERS_MAX 64      /* extra headers of one request */

/* Skips t (KW_ERR_UNSUPPORTED in *rc, the reason in why) when it names a variable or an
 * expression keepwatch cannot give a value to (scan_web_tmpl_match.c). */
void web_tmpl_check_vars(web_tmpl *t, char *why, size_t whyn, kw_rc *rc);
/* DESIGN.md's category for t's findings, from its tags and CWE (scan_web_tmpl_match.c). */
const char *web_tmpl_category(const web_tmpl *t);

/* A block's payloads: nkeys named lists of values (borrowed). */
typedef struct web_tmpl_payloads {
    const char *const *names;
    char **const *vals;              /* vals[k][0..nvals[k]) */
    const size_t *nvals;
    size_t nkeys;
    bool zip;                        /* pitchfork: the i-th of every list together; else every
                                        combination (clusterbomb; one list: each value) */
} web_tmpl_payloads;

/* Replaces b's requests by one per request and payload combination, {{name}} replaced by the
 * value in the URL, headers and body (scan_web_tmpl_payload.c). KW_ERR_RANGE (why says so) when
 * that would pass WEB_TMPL_SENDS_MAX requests. */
kw_rc web_tmpl_payloads_apply(web_tmpl_block *b, const web_tmpl_payloads *p, char *why, size_t whyn);
/* Frees one request's strings. */
void web_tmpl_send_free(web_tmpl_send *s);

#endif
