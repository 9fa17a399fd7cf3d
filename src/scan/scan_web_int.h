/* Inside the web scanner: one scan's shared state and one worker's context, shared by the
 * engine's files (scan_web.c orchestration and reporting, scan_web_http.c requests,
 * scan_web_crawl.c the crawl, scan_web_target.c shapes). Checks see only scan_web.h. */
#ifndef KW_SCAN_WEB_INT_H
#define KW_SCAN_WEB_INT_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>

#include "core/kw_map.h"
#include "scan/scan.h"
#include "scan/scan_web.h"
#include "scan/scan_web_run.h"

/* One site the scan may talk to: a scope prefix, parsed. */
typedef struct web_site {
    char *scheme;                 /* "http" or "https" */
    char *host;                   /* lower-cased, IPv6 without brackets */
    int port;
    char *path;                   /* prefix the path must start with ("/" for the whole site) */
    char *root;                   /* "scheme://host:port/" */
    char ip[64];                  /* the address it resolved to (pinned for every request) */
} web_site;

/* The crawl's pages kept for stored XSS and web_pages_each: bodies cut to WEB_KEEP_BODY, and
 * none past WEB_KEEP_TOTAL in all. */
#define WEB_KEEP_BODY (256u << 10)
#define WEB_KEEP_TOTAL (64u << 20)

#define WEB_STATES_MAX 16
#define WEB_TARGETS_MAX 4096          /* request shapes one scan checks */
#define WEB_QUEUE_MAX 50000           /* URLs and forms one crawl queues */

typedef struct web_kept {
    char *url;
    web_response resp;
} web_kept;

/* One insertion point: parameter `param` of target `target`. */
typedef struct web_point {
    size_t target, param;
} web_point;

typedef struct web_scan {
    const web_scan_opts *o;
    unsigned profile;
    uint64_t max_requests;        /* o's bounds, the defaults applied */
    size_t max_pages;
    int max_depth;
    int64_t timeout_ms;
    web_site *sites;
    size_t nsites;
    struct curl_slist *resolve;   /* "host:port:ip" pins, one per site */
    struct curl_slist *auth_hdrs; /* o->auth.headers, and the cookie as a header */
    char *user_agent;

    CURLSH *share;                /* the session's cookies, shared by every worker */
    pthread_mutex_t share_mu[CURL_LOCK_DATA_LAST];

    /* budget, rate, stop */
    atomic_uint_fast64_t requests, refused, errors, truncated, findings, npages_fetched;
    atomic_int stop;              /* 1: budget spent, 2: deadline, 3: cancelled */
    pthread_mutex_t rate_mu;
    scan_bucket bucket;

    /* login: serialised; generation counts sign-ins so a worker re-signs in only once */
    pthread_mutex_t login_mu;
    atomic_uint login_gen;
    atomic_uint since_check;      /* requests since the session was last confirmed */
    char *login_action;           /* the login form's action URL (its requests go without the
                                     session: a wrong password there must not end it) */
    char *session_url;            /* the page after sign-in, to confirm the session on */
    bool logged_in;

    /* reporting */
    pthread_mutex_t report_mu;
    kw_map reported;              /* "check\x1furl\x1fparam" -> (void *)1 */
    pthread_mutex_t marker_mu;
    uint64_t marker_seq, marker_salt;

    /* crawl results */
    pthread_mutex_t pages_mu;
    web_kept *pages;
    size_t npages, cap_pages, kept_bytes;
    web_target *targets;
    size_t ntargets, cap_targets;
    kw_map shapes;                /* shape key -> (void *)1 */
    bool targets_full;            /* WEB_TARGETS_MAX was reached (noted once) */
    web_point *points;
    size_t npoints, cap_points;
    atomic_uint_fast64_t points_done;
    pthread_mutex_t progress_mu;
    int64_t progress_ms;

    void *check_state[WEB_STATES_MAX + 1]; /* web_check_state slots (the last: overflow) ... */
    char state_names[WEB_STATES_MAX][32];  /* ... by the check's name */
    size_t nstates;
    web_scan_stats *st;
} web_scan;

struct web_ctx {
    web_scan *s;
    CURL *h;                      /* with the session's cookies */
    CURL *anon;                   /* without: login and no_session requests */
    int worker;
};

/* ---- scan_web_http.c ---- */

/* Sets up the worker's handles; KW_ERR_NOMEM or KW_ERR_IO when libcurl refuses. */
kw_rc web_ctx_init(web_ctx *x, web_scan *s, int worker);
void web_ctx_free(web_ctx *x);
/* The scan's shared curl state: the cookie share, the pins and the headers. */
kw_rc web_http_init(web_scan *s);
void web_http_free(web_scan *s);
/* The sites of o->scope (or of each start URL), each resolved once and its address checked
 * against scan.allowed; err says which one failed. */
kw_rc web_sites_init(web_scan *s, char *err, size_t errn);
void web_sites_free(web_scan *s);
/* The site whose scope holds url, or NULL (url out of scope). */
const web_site *web_site_of(const web_scan *s, const char *url);
/* Signs in with o->auth's login form (when there is one); KW_OK when signed in. */
kw_rc web_login(web_ctx *x, char *err, size_t errn);
/* True when url is a logout link (never requested by the crawler). */
bool web_is_logout(const char *url);

/* ---- scan_web_target.c ---- */

/* The shape of a URL with a query: GET, its parameters as query parameters. */
kw_rc web_target_from_url(const char *url, const char *found_on, web_target *out);
/* A seed "METHOD URL [BODY]" (a body starting with '{' is JSON, else form-encoded). */
kw_rc web_target_from_seed(const char *seed, web_target *out, char *err, size_t errn);
/* The shape's key: method, URL, the sorted parameter names and places. */
char *web_target_key(const web_target *t);
void web_target_free(web_target *t);
/* Appends a parameter (copies name and value). */
kw_rc web_target_add(web_target *t, const char *name, const char *value, web_where where, bool hidden);

/* ---- scan_web_openapi.c ---- */

/* The shapes (at most max) an OpenAPI 3 or Swagger 2 JSON document at doc_url lists into *out
 * (the caller frees each and the array): KW_OK, or KW_ERR_PARSE when it is not one (err). */
kw_rc web_openapi_parse(const char *doc_url, const char *buf, size_t len, size_t max, web_target **out, size_t *n,
                        char *err, size_t errn);

/* ---- scan_web_crawl.c ---- */

/* Crawls from the start URLs and seeds on nworkers contexts, running the passive checks on
 * every page; fills s->pages and s->targets. */
kw_rc web_crawl(web_scan *s, web_ctx *ctx, int nworkers);
/* Runs the passive checks (per_page) on one fetched answer. */
void web_passive(web_ctx *x, const char *url, const web_response *r);

/* ---- scan_web.c ---- */

/* Calls o->on_progress when the last call is 250 ms old (on whichever worker gets there). */
void web_tick(web_scan *s);
/* The check a finding's check id comes from (KW-WEB-XSS-STORED: xss; a template's id: the
 * templates), NULL when none (scan_web_checks.c). */
const web_check *web_check_of(const char *check_id);
/* Notes a line through o->on_note. */
void web_note(web_scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
