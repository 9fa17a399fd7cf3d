/* What the injection checks (path traversal, OS commands, open redirect, server-side templates)
 * share inside src/scan/: the pure proofs they apply to answers (scan_web_inject_match.c: file
 * signatures, computed markers, redirect targets, timings, which parameters suit which check),
 * and the few engine calls they make, gathered in one table (inj_io) so that their logic
 * (scan_web_inject_*.c) runs against the real engine in a scan and against a simulated site in
 * the unit tests. Not an interface for other parts of the scanner. */
#ifndef KW_SCAN_WEB_INJECT_H
#define KW_SCAN_WEB_INJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scan/scan_web.h"

/* ---- pure proofs (no I/O) ---- */

/* The host the open-redirect probes point at: reserved (RFC 6761), so it never resolves. */
#define INJ_PROBE_HOST "kw-redirect-probe.invalid"

typedef enum inj_file {
    INJ_FILE_NONE = 0,
    INJ_FILE_PASSWD,                 /* a Unix /etc/passwd: "root:<pw>:0:0:" */
    INJ_FILE_WININI,                 /* a Windows win.ini: "; for 16-bit app support", or both
                                        "[fonts]" and "[extensions]" */
    INJ_FILE_PHPSRC,                 /* a PHP source read through php://filter: base64 of "<?php" */
} inj_file;

/* Which system file's content b[n] holds, if any, and where (*at, the offset of the signature). */
inj_file inj_file_sig(const char *b, size_t n, size_t *at);
/* INJ_FILE_PHPSRC when b[n] holds a base64 text that starts with "<?php" ("PD9waHA", at a word
 * start): what php://filter/convert.base64-encode gives of a PHP file; INJ_FILE_NONE otherwise. */
inj_file inj_php_source_sig(const char *b, size_t n, size_t *at);
/* The file's name in words ("/etc/passwd"). */
const char *inj_file_name(inj_file f);

/* True when b[n] holds marker immediately followed (after at most maxws blanks, CR or LF) by the
 * decimal number product and then a non-digit: the output of a computation, which a reflection
 * of the payload ("kwX$((7*191))") never is. *at is the marker's offset. */
bool inj_marker_product(const char *b, size_t n, const char *marker, long product, size_t maxws, size_t *at);

/* True when the URL u[n], as a browser resolves it against an http(s) page (leading and
 * trailing blanks and controls cut, tabs and newlines dropped, '\' read as '/'), names the host
 * `host` or a subdomain of it. A relative reference (a path, a query) never does: it stays on
 * the page's own host. */
bool inj_url_host_is(const char *u, size_t n, const char *host);

/* The URL of a Refresh header's or meta refresh's content "5; url=..." (quotes cut), as a
 * pointer into v and its length; false when it names none. */
bool inj_refresh_url(const char *v, size_t n, const char **url, size_t *len);

/* How a page sends the browser to host: a <meta http-equiv="refresh"> or a script assigning
 * (location = "...", location.href = "...", location.replace("..."), location.assign("..."))
 * a literal URL on that host. Returns the way ("meta refresh", "script location") and the
 * offset of the construct in *at; NULL when the page does neither. */
const char *inj_body_redirect(const char *b, size_t n, const char *host, size_t *at);

/* True when value v carries one of these checks' payloads (a file path they read, the redirect
 * probe host, a sleep, a shell or template computation): the value a recheck replays, whose page
 * is no baseline. */
bool inj_value_ours(const char *v);

/* Whether parameter p suits a check by its name and value: a file name or path (traversal), a
 * URL or a redirect target (open redirect). */
bool inj_param_fileish(const web_param *p);
bool inj_param_urlish(const web_param *p);

/* True when two delays prove a sleep ran: each answer (t1 for n1 seconds asked, t2 for n2 > n1)
 * took at least 80 % of its seconds over the baseline's base, and t2 exceeded t1 by at least
 * half the difference asked. Microseconds. */
bool inj_timing_proof(int64_t base_us, int64_t t1_us, int n1, int64_t t2_us, int n2);

/* ---- the engine calls the checks make (the real ones in a scan) ---- */

typedef struct inj_io {
    kw_rc (*send)(web_ctx *x, const web_request *rq, web_response *out);
    void (*response_free)(web_response *r);
    kw_rc (*build)(const web_target *t, size_t i, const char *payload, web_mut mode, web_built *out);
    void (*built_free)(web_built *b);
    const char *(*header)(const web_response *r, const char *name, size_t *len, const char **from);
    bool (*stopping)(web_ctx *x);
    kw_rc (*report)(web_ctx *x, const web_issue *is);
    bool (*reported)(web_ctx *x, const char *check_id, const char *url, const char *parameter);
    void (*marker)(web_ctx *x, char *out, size_t n);
    void (*excerpt)(const char *h, size_t n, size_t at, size_t ctx, char *out, size_t outn);
} inj_io;

/* The engine's own functions (scan_web_inject.c). */
extern const inj_io inj_io_web;

/* One check's per_param logic on io: parameter i of shape t at profile (web_profile bits). Each
 * returns KW_OK once the insertion point is done (proved, disproved, or the scan stopping); an
 * error only when reporting failed. */
kw_rc inj_traversal_run(const inj_io *io, web_ctx *x, const web_target *t, size_t i, unsigned profile);
kw_rc inj_cmdi_run(const inj_io *io, web_ctx *x, const web_target *t, size_t i, unsigned profile);
kw_rc inj_redirect_run(const inj_io *io, web_ctx *x, const web_target *t, size_t i, unsigned profile);
kw_rc inj_ssti_run(const inj_io *io, web_ctx *x, const web_target *t, size_t i, unsigned profile);

/* ---- helpers the check files share (scan_web_inject_probe.c) ---- */

/* One request sent and its answer (the proof, when it proves). */
typedef struct inj_probe {
    web_built b;
    web_response r;
    bool live;                       /* b and r hold something to free */
} inj_probe;

/* What a check reports, apart from the place and the proof. */
typedef struct inj_spec {
    const char *check_id, *category, *title, *title_zh, *cwe;
    finding_sev severity;
    const char *advice_en, *advice_zh;
} inj_spec;

/* How a probe is sent: parameter i of the shape set to payload (mode), redirects followed or
 * not, timeout_ms (0: the scan's). */
typedef struct inj_send {
    size_t i;                        /* (size_t)-1: the baseline, payload unused */
    const char *payload;
    web_mut mode;
    bool follow;
    int64_t timeout_ms;
} inj_send;

/* Sends shape t as s says into *p, freed first (inj_probe_free). Returns the answer's rc
 * (KW_ERR_RANGE also when the request could not be built). */
kw_rc inj_probe_send(const inj_io *io, web_ctx *x, const web_target *t, const inj_send *s, inj_probe *p);
void inj_probe_free(const inj_io *io, inj_probe *p);

/* Sends the page as seen for parameter i of t into *p (as inj_probe_send): the shape as it is, or
 * with parameter i emptied when its value carries one of our payloads (a recheck replays the
 * proof, which is no baseline). */
kw_rc inj_probe_baseline(const inj_io *io, web_ctx *x, const web_target *t, size_t i, inj_probe *p);

/* Reports spec at parameter i of t, proved by p (the excerpt of its body around at, or of
 * answer[alen] when answer is not NULL), with detail in words. */
kw_rc inj_probe_report(const inj_io *io, web_ctx *x, const inj_spec *spec, const web_target *t, size_t i,
                       const inj_probe *p, const char *answer, size_t alen, size_t at, const char *detail);

/* True when the check should leave parameter i of t alone: the scan stops, it was proved
 * already, or (below thorough) the parameter is hidden and `suits` does not say it fits. */
bool inj_skip(const inj_io *io, web_ctx *x, const inj_spec *spec, const web_target *t, size_t i,
              unsigned profile, bool suits);

#endif
