/* The web application scanner (`keepwatch scan web`, scan.web jobs): what the checks see and
 * call. A scan crawls its start URLs within scope (scan_web_crawl.c), then runs each check on
 * what it found: the passive ones on every page it fetched, the active ones on every insertion
 * point (a parameter of a request shape: query, form or JSON field), the per-site ones once per
 * site. Checks talk to the site only through web_send (scan_web_http.c), which enforces scope,
 * the request budget and the rate on every request, and report only through web_report, which
 * keeps one finding per (check, page, parameter).
 *
 * Threads: a scan runs its insertion points on several workers at once. A check's functions are
 * called on any worker; each is handed that worker's web_ctx and must keep its own shared state
 * behind a lock (web_check_state gives every check one slot for it). */
#ifndef KW_SCAN_WEB_H
#define KW_SCAN_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kw_err.h"
#include "findings/finding.h"

/* ---- limits (each bounds what a hostile site can make the scanner do) ---- */

#define WEB_URL_MAX 4096             /* a URL, NUL included; longer ones are skipped */
#define WEB_BODY_MAX (2u << 20)      /* bytes of a response body kept; the rest is not read */
#define WEB_HEADERS_MAX (64u << 10)  /* bytes of a response's header block kept */
#define WEB_PARAMS_MAX 64            /* parameters of one request shape */
#define WEB_REDIRECTS_MAX 8          /* hops the crawler follows (each checked against scope) */
#define WEB_LINKS_PER_PAGE 4096      /* links and forms taken from one page */

/* ---- requests and answers ---- */

typedef struct web_request {
    const char *method;              /* "GET", "POST", ...; NULL: GET */
    const char *url;                 /* absolute, query included */
    const char *body;                /* NULL: none */
    size_t body_len;
    const char *content_type;        /* of the body; NULL: none sent */
    const char *const *headers;      /* extra "Name: value" lines (NULL-free array of n) */
    size_t nheaders;
    bool follow;                     /* follow redirects within scope (the crawler does; checks
                                        usually do not, open redirect needs the Location) */
    bool no_session;                 /* send no cookies and no auth header (login, unauth tests) */
    int64_t timeout_ms;              /* 0: the scan's timeout */
} web_request;

typedef struct web_response {
    long status;                     /* 0 when no answer (rc says why) */
    char *body;                      /* NUL-terminated (a NUL inside is possible: len counts) */
    size_t len;
    bool truncated;                  /* the body was longer than WEB_BODY_MAX */
    char *headers;                   /* the final answer's raw header block, NUL-terminated */
    size_t hlen;
    char *url;                       /* the final URL (after followed redirects) */
    char *content_type;              /* lower-cased media type without parameters; "" none */
    int64_t elapsed_us;              /* from sending to the end of the body (final hop) */
    kw_rc rc;                        /* KW_OK, KW_ERR_TIMEOUT, KW_ERR_IO, KW_ERR_RANGE (out of
                                        scope or budget: nothing was sent) */
    char err[160];                   /* why, when rc is not KW_OK */
} web_response;

struct web_ctx;                      /* one worker of a scan: its connection, its scan */
typedef struct web_ctx web_ctx;

/* Sends rq (checked against scope and budget first) and waits for the answer into *out, which
 * the caller frees with web_response_free. Returns out->rc. Thread-safe per ctx. */
kw_rc web_send(web_ctx *x, const web_request *rq, web_response *out);
void web_response_free(web_response *r);

/* The first value of header `name` (case-insensitive) in r's header block, as a pointer into it
 * and its length (trailing blanks cut); NULL when absent. *from (may be NULL) resumes after a
 * previous hit for repeated headers (Set-Cookie): pass a char* set to NULL the first time. */
const char *web_header(const web_response *r, const char *name, size_t *len, const char **from);

/* True when the scan is stopping (cancelled, out of time or out of request budget): long checks
 * return early (KW_OK) when it is. */
bool web_stopping(web_ctx *x);

/* The scan's per-check state slot (NULL until the check sets it; the check frees it in its
 * finish): *web_check_state(x, "xss"). */
void **web_check_state(web_ctx *x, const char *check);

/* ---- request shapes and insertion points ---- */

typedef enum web_where {
    WEB_IN_QUERY = 0,                /* ?name=value */
    WEB_IN_FORM,                     /* application/x-www-form-urlencoded body */
    WEB_IN_JSON,                     /* a top-level field of a JSON object body */
    WEB_IN_COOKIE,                   /* a cookie (thorough profile) */
    WEB_IN_PATH,                     /* the last path segment (thorough profile) */
} web_where;

typedef struct web_param {
    char *name;
    char *value;                     /* the value seen (form default, link's value, "" none) */
    web_where where;
    bool hidden;                     /* a hidden or submit input: sent, tried in thorough only */
    bool raw;                        /* JSON: value is JSON text (a number, an object), sent as
                                        it is while not the one changed */
} web_param;

/* A request shape: a method, a URL without its query, and its parameters. Two shapes with the
 * same method, URL and parameter names are the same (tried once). */
typedef struct web_target {
    char *method;                    /* "GET" or "POST" */
    char *url;                       /* absolute, without query or fragment */
    web_param *params;
    size_t nparams;
    char *found_on;                  /* the page it was found on (for stored XSS and evidence) */
    bool no_session;                 /* a form with a password field (a login or a password
                                        change): tried without the session, which it could end */
} web_target;

typedef enum web_mut {
    WEB_MUT_REPLACE = 0,             /* the parameter's value becomes the payload */
    WEB_MUT_APPEND,                  /* the payload is appended to the value seen */
} web_mut;

/* A request built from a shape: what web_send takes, and its owned strings. */
typedef struct web_built {
    web_request rq;
    char *url, *body;
    char *cookie_header;             /* "Cookie: ..." when a cookie parameter was changed */
    const char *hdrs[1];
} web_built;

/* Builds t's request with parameter i set to payload (mode says how); every other parameter
 * keeps its value, encoded as its place wants (percent-encoding for query and form, a JSON
 * string for JSON). i == (size_t)-1: the shape as seen (the baseline). KW_ERR_RANGE when the
 * URL would pass WEB_URL_MAX. The caller frees with web_built_free. */
kw_rc web_target_build(const web_target *t, size_t i, const char *payload, web_mut mode, web_built *out);
void web_built_free(web_built *b);

/* ---- reporting ---- */

typedef struct web_issue {
    const char *check_id;            /* "KW-WEB-XSS-REFLECTED", "KW-WEB-SQLI-ERROR", ... */
    const char *category;            /* DESIGN.md's: "xss", "sqli", "path_traversal",
                                        "command_injection", "open_redirect", "sensitive_file",
                                        "app_config" (headers, cookies, banners); SSTI is
                                        "command_injection" (CWE-1336) */
    const char *title;               /* one line, English */
    const char *title_zh;            /* the same in Chinese */
    const char *cwe;                 /* "CWE-79" */
    finding_sev severity;
    const char *url;                 /* the page (no query); NULL: the site (grouped findings) */
    const char *parameter;           /* NULL for page- and site-wide findings */
    const char *method;              /* of the proving request */
    const web_request *proof;        /* the request that proves it (its text goes in evidence) */
    const char *answer;              /* the part of the answer that shows it (an excerpt) */
    size_t answer_len;
    const char *detail;              /* what was seen, in words: "marker lands in a <script>
                                        block unescaped", "MySQL error signature 'You have an
                                        error in your SQL syntax'", "+5.0 s and +10.0 s against a
                                        0.02 s baseline" */
    const char *advice_en;           /* how to fix it */
    const char *advice_zh;
} web_issue;

/* Reports one issue (kept once per check id, URL and parameter: a repeat is ignored and
 * returns KW_OK). The evidence is the proof request's text, then detail, then the answer's
 * excerpt (bounded). Thread-safe. */
kw_rc web_report(web_ctx *x, const web_issue *is);

/* True when an issue of check_id at url (and parameter) was already reported: a check stops
 * trying payloads on an insertion point once it has one. */
bool web_reported(web_ctx *x, const char *check_id, const char *url, const char *parameter);

/* ---- pages the crawler fetched (for passive checks and stored XSS) ---- */

typedef struct web_page {
    const char *url;                 /* as fetched (query included) */
    const web_response *resp;
} web_page;

/* Calls fn on every page the crawl kept (their bodies, bounded), in crawl order; used by the
 * stored-XSS pass to look for markers after the forms were submitted. Stops at an error. */
kw_rc web_pages_each(web_ctx *x, kw_rc (*fn)(web_ctx *x, const web_page *pg, void *arg), void *arg);

/* Fetches url again now (GET, following redirects in scope), as the crawler would. */
kw_rc web_refetch(web_ctx *x, const char *url, web_response *out);

/* A unique marker for this scan into out, a buffer of n bytes: n - 1 letters and digits (at
 * most 32), "kw" first: "kw7f3a9q". Thread-safe. */
void web_marker(web_ctx *x, char *out, size_t n);

/* ---- checks ---- */

typedef enum web_profile {
    WEB_QUICK = 1,                   /* passive, exposed files, reflected XSS, error SQLi */
    WEB_STANDARD = 2,                /* + boolean and time SQLi, traversal, commands, redirect,
                                        SSTI, stored XSS (the default) */
    WEB_THOROUGH = 4,                /* + more payloads, hidden fields, cookies, path segments */
} web_profile;

typedef struct web_check {
    const char *name;                /* "xss", "sqli", ...: also its state slot's key */
    unsigned profiles;               /* the profiles (web_profile bits) it runs in */
    /* Once per site, first (exposed files): base is the site's root URL "http://h:p/". */
    kw_rc (*per_site)(web_ctx *x, const char *base, unsigned profile);
    /* On every fetched page (headers, cookies, banners, listings, stack traces). */
    kw_rc (*per_page)(web_ctx *x, const web_page *pg, unsigned profile);
    /* On every insertion point: parameter i of shape t (the active checks). */
    kw_rc (*per_param)(web_ctx *x, const web_target *t, size_t i, unsigned profile);
    /* Once at the end, on one worker, after every other call (stored XSS, grouped site
     * findings; frees the state slot). */
    kw_rc (*finish)(web_ctx *x, unsigned profile);
} web_check;

/* The built-in checks (each in its own file), and their table in the order they run
 * (scan_web_checks.c). */
extern const web_check web_check_files;      /* scan_web_files.c: exposed files and pages */
extern const web_check web_check_passive;    /* scan_web_passive.c: headers, cookies, banners,
                                                listings, stack traces */
extern const web_check web_check_xss;        /* scan_web_xss.c: reflected and stored XSS */
extern const web_check web_check_sqli;       /* scan_web_sqli.c: error, boolean, time */
extern const web_check web_check_traversal;  /* scan_web_inject.c: path traversal / file read */
extern const web_check web_check_cmdi;       /* scan_web_inject.c: OS command injection */
extern const web_check web_check_redirect;   /* scan_web_inject.c: open redirect */
extern const web_check web_check_ssti;       /* scan_web_inject.c: server-side templates */
extern const web_check web_check_templates;  /* scan_web_tmpl.c: Nuclei-format templates */
extern const web_check *const web_checks[];
extern const size_t web_nchecks;

/* The templates the scan was given (scan.web.templates, loaded before the scan starts; NULL
 * when none). */
struct web_tmpl_set;
const struct web_tmpl_set *web_templates(web_ctx *x);

/* One delay measurement at a time in the process (scan_web_timing.c): a check confirming a
 * time-based proof holds it while it measures, so no other check's sleep passes for its own. */
void web_timing_lock(void);
void web_timing_unlock(void);

/* ---- small pure helpers the checks share (scan_web_util.c) ---- */

/* Case-insensitive search of needle in h[n]; returns the offset or (size_t)-1. */
size_t web_find(const char *h, size_t n, const char *needle);
/* The value of header `name` (case-insensitive) in the raw header block h[n], at or after
 * offset *from (may be NULL; 0 the first time; moved past the hit, for repeated headers): a
 * pointer into h and its length, blanks trimmed; NULL when there is no further one. */
const char *web_header_in(const char *h, size_t n, const char *name, size_t *len, size_t *from);
/* Percent-encodes s into out (of outn bytes) as a query or form value wants (RFC 3986
 * unreserved kept, space as %20); false when it does not fit. */
bool web_pct_encode(const char *s, char *out, size_t outn);
/* An excerpt of h[n] around offset at (ctx bytes each side), printable: control bytes and
 * invalid UTF-8 shown as '.', into out (of outn). */
void web_excerpt(const char *h, size_t n, size_t at, size_t ctx, char *out, size_t outn);

#endif
