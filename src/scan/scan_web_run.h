/* A web scan as the CLI and the scheduler start it (scan_web.c): its options, its figures, and
 * the recheck of one finding (replaying its proof). The checks' side is scan_web.h. */
#ifndef KW_SCAN_WEB_RUN_H
#define KW_SCAN_WEB_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kw_err.h"
#include "findings/finding.h"

struct scan_scope;
struct web_tmpl_set;

#define WEB_SCANNER "keepwatch-web"      /* the findings' vulnerability.scanner.vendor */

typedef struct web_auth {
    char *const *headers;                /* "Name: value" sent on every request */
    size_t nheaders;
    const char *cookie;                  /* "a=b; c=d" */
    const char *login_url;               /* a login form's page: signed in with ... */
    char *const *login_fields;           /* ... these "name=value" (the form's other fields
                                            keep their values: CSRF tokens) */
    size_t nlogin_fields;
    const char *login_success;           /* text the page after sign-in shows (NULL: no
                                            password field left on it) */
} web_auth;

typedef struct web_progress {
    uint64_t requests, pages, points_done, points, findings;
    bool crawling;
} web_progress;

typedef struct web_scan_opts {
    char *const *urls;                   /* where the crawl starts */
    size_t nurls;
    char *const *scope;                  /* URL prefixes every request must be under (none:
                                            each start URL's site, scheme host and port) */
    size_t nscope;
    char *const *seeds;                  /* "METHOD URL [BODY]" shapes the crawl cannot see */
    size_t nseeds;
    char *const *openapi;                /* URLs of OpenAPI/Swagger JSON documents (besides the
                                            well-known paths each site is asked for) */
    size_t nopenapi;
    web_auth auth;
    unsigned profile;                    /* one web_profile bit; 0: WEB_STANDARD */
    double rate;                         /* requests per second; 0: no bound */
    int concurrency;                     /* requests at once; 0: 4 (at most 32) */
    uint64_t max_requests;               /* the whole scan's budget; 0: the profile's */
    size_t max_pages;                    /* pages the crawl fetches; 0: 1000 */
    int max_depth;                       /* links from a start URL; 0: 10 */
    int64_t timeout_ms;                  /* one request; 0: 10000 */
    int64_t deadline_ms;                 /* the whole scan, monotonic ms (kw_mono_ms); 0: none */
    const char *user_agent;              /* NULL: "keepwatch/VERSION (web scan)" */
    const struct scan_scope *allowed;    /* scan.allowed: every host's address must be in it */
    const struct web_tmpl_set *templates;
    const finding_sink *sink;
    void (*on_progress)(void *arg, const web_progress *p); /* about every 250 ms; may be NULL */
    void *progress_arg;
    void (*on_note)(void *arg, const char *line);          /* what was cut or refused; may be NULL */
    void *note_arg;
    volatile int *cancel;                /* non-zero: stop */
} web_scan_opts;

typedef struct web_scan_stats {
    uint64_t requests;                   /* sent (answered or not) */
    uint64_t refused;                    /* not sent: out of scope */
    uint64_t errors;                     /* sent, no answer (timeouts, resets) */
    uint64_t pages, shapes, points;      /* crawled pages, request shapes, insertion points ... */
    uint64_t points_done;                /* ... and those checked */
    uint64_t findings;
    uint64_t truncated;                  /* bodies cut at WEB_BODY_MAX */
    bool budget_spent;                   /* max_requests was reached: the scan is incomplete */
    bool timed_out;                      /* the deadline passed: incomplete */
    int64_t elapsed_ms;
} web_scan_stats;

/* Crawls and checks the sites of o->urls into o->sink, covering each site as scanned (only when
 * the scan ran whole). KW_OK when it ran to its end; KW_ERR_RANGE (a start URL or scope out of
 * scan.allowed, said in err: nothing was sent), KW_ERR_PARSE (a URL or seed that is not one),
 * KW_ERR_CANCELLED, KW_ERR_TIMEOUT. *st is filled in every case. */
kw_rc web_scan_run(const web_scan_opts *o, web_scan_stats *st, char *err, size_t errn);

/* Replays the proof of one finding (its check id, page, parameter and evidence, as the store
 * holds them) with the check that made it, on that one insertion point, into o->sink (o->urls
 * unused). *seen says whether it was found again. KW_ERR_UNSUPPORTED when the evidence holds no
 * request keepwatch can replay (an imported finding). */
kw_rc web_recheck(const web_scan_opts *o, const char *check_id, const char *url, const char *parameter,
                  const char *evidence, bool *seen, web_scan_stats *st, char *err, size_t errn);

#endif
