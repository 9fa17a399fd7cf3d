/* What handlers answer with (http_reply.c): responses, errors, the request's body and
 * query, this thread's store handle and its cached answers. For the router and every handler
 * file; it includes no handler. */
#ifndef HTTP_REPLY_H
#define HTTP_REPLY_H

#include "http/http_int.h"

struct json_t;

/* Makes the per-thread state (store handle, cached answers) of s's threads; close_each: every
 * answer says Connection: close. Once, before the server starts. */
void http_reply_init(http_server *s, bool close_each);
/* Resets this thread's store statements, ending their read snapshot (after each request). */
void http_thread_release(http_server *s);
/* Queues r (adding what every answer carries) and drops this reference to it. */
enum MHD_Result http_queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r);

/* This thread's store handle, opened on first use; NULL (logged) if the store cannot open. */
kw_store *http_store(http_server *s);
/* Responds with body (taken) and extra headers (name, value pairs, NULL-terminated). */
enum MHD_Result http_respond_hdr(struct MHD_Connection *c, unsigned status, const char *type, kw_buf *body,
                                 const char *const *hdrs);
enum MHD_Result http_respond(struct MHD_Connection *c, unsigned status, const char *type, kw_buf *body);
enum MHD_Result http_json(struct MHD_Connection *c, unsigned status, kw_buf *body);
enum MHD_Result http_error(struct MHD_Connection *c, unsigned status, const char *msg);
/* 429 with Retry-After: wait_s (seconds, from auth_limiter_wait): {"error": why, "status",
 * "retry_after"}. */
enum MHD_Result http_too_many(struct MHD_Connection *c, int64_t wait_s, const char *why);
/* The store failed st's last statement: 503 with Retry-After when it is unreachable, else 500. */
enum MHD_Result http_store_error(struct MHD_Connection *c, kw_store *st);
/* A query argument as an integer in [lo, hi]; def when absent or out of range. */
int64_t http_query_int(struct MHD_Connection *c, const char *key, int64_t def, int64_t lo, int64_t hi);
/* A JSON answer built by fn from the store, kept per thread under key and served again while
 * the store has not changed (by anyone). fn returns false (having responded) on an error. */
typedef bool (*http_build_fn)(http_server *s, struct MHD_Connection *c, kw_store *st, kw_buf *out, void *arg);
/* Appends to out what fn builds, or built before under key while the store is unchanged;
 * false (having responded) on an error. */
bool http_cached(http_server *s, struct MHD_Connection *c, const char *key, http_build_fn fn, void *arg, kw_buf *out);
enum MHD_Result http_cached_json(http_server *s, struct MHD_Connection *c, const char *key, http_build_fn fn,
                                 void *arg);
/* The request's body as a JSON object; NULL (having responded 400/413) if it is not one. */
struct json_t *http_body_object(struct MHD_Connection *c, http_req *req, const char *usage, enum MHD_Result *ret);

/* What asking a module to run one of its jobs now found (http_job_run). */
typedef enum http_job_ask {
    HTTP_JOB_REQUESTED,   /* it will run at the module's next tick */
    HTTP_JOB_UNKNOWN,     /* no job by that name */
    HTTP_JOB_NOT_LEADER,  /* another server runs the jobs */
} http_job_ask;

/* POST PREFIXNAME/run (a job the leading server runs, e.g. prefix "/api/v1/scan/"): checks the
 * method, the path and that the caller is an officer, then asks request(name, n) to mark the
 * job, and answers 202, 404 or 409; noun names the jobs in the answers ("scan", "audit"). */
int http_job_run(const http_call *q, const char *prefix, const char *noun,
                 http_job_ask (*request)(const char *name, size_t n));

#endif
