/* Network scans as the daemon runs them and the CLI shares: identification of an open port
 * (scan_ident_tcp, then the banner's product and version against the vulnerability data), the
 * hosts of a scan built from targets, exclusions and the scope, the ports looked at as covers
 * of the findings sink, and one scheduled `scan.net` job run whole into a sink (scan_job.c). */
#ifndef KW_SCAN_JOB_H
#define KW_SCAN_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/conf.h"
#include "findings/finding.h"
#include "scan/scan.h"
#include "scan/scan_pkg.h"
#include "scan/scan_vuln.h"

/* The network scanner's identification of an open port: scan_ident_tcp, then the product and
 * version it named against the vulnerability data in state_dir/vuln/vuln.idx, when there is
 * one (version-based findings). */
typedef struct scan_ident_ctx {
    const finding_sink *sink;
    scan_ident_opts opts;
    scan_vuln_db db;
    bool have_db;
    char eco_names[8][48];
    const char *ecos[8];
    size_t n_ecos;
} scan_ident_ctx;

void scan_ident_ctx_init(scan_ident_ctx *x, const conf *c, const finding_sink *sink, bool credentials,
                         int64_t deadline_ms);
void scan_ident_ctx_free(scan_ident_ctx *x);
/* The scan_ident_fn to give scan_opts.ident, with a scan_ident_ctx as its argument. */
scan_ident_fn scan_ident_port_fn(void);

/* The hosts of specs[n] (targets as scan_targets_add reads them) less c->scan.exclude and
 * excl[nexcl], each in c->scan.allowed: KW_OK, else an error said in err (nothing was sent). */
kw_rc scan_targets_build(scan_targets *t, char *const *specs, size_t n, char *const *excl, size_t nexcl, const conf *c,
                         bool large, char *err, size_t errn);

/* The ports of bits as runs of consecutive ports into *runs (the caller frees it). */
size_t scan_port_runs(const uint8_t *bits, uint16_t (**runs)[2]);

/* Tells sink which ports of host (its address ip) were looked at, as covers of scanner. */
kw_rc scan_cover_host(const finding_sink *sink, const char *scanner, const scan_host *host, const char *ip, bool udp,
                      uint16_t (*runs)[2], size_t nruns);

/* One scheduled network scan (scan.net in the configuration). */
typedef struct conf_scan_job {
    char *name;
    conf_strs targets;
    char *ports;               /* as -p takes them (NULL: the default list) */
    conf_strs exclude;
    bool udp;                  /* the UDP probes too */
    bool identify;             /* identify open ports (default true) */
    int credentials;           /* 1: `credentials: check`: identification tries default passwords */
    bool large;                /* prefixes wider than /16 */
    int64_t every_ms;          /* how often */
} conf_scan_job;

/* One scheduled web scan (scan.web.jobs in the configuration). */
typedef struct conf_web_job {
    char *name;
    conf_strs urls;            /* where the crawl starts */
    conf_strs scope;           /* URL prefixes (none: each URL's site) */
    conf_strs seeds;           /* "METHOD URL [BODY]" */
    int profile;               /* 0 quick, 1 standard, 2 thorough */
    int64_t max_requests;      /* 0: the profile's */
    int64_t max_pages;         /* 0: 1000 */
    char *cookie;              /* a secret */
    conf_strs headers;         /* "Name: value" (secrets) */
    char *login_url;
    conf_strs login_fields;    /* "name=value" (secrets) */
    char *login_success;
    int64_t every_ms;
} conf_web_job;

typedef struct scan_job_stats {
    size_t hosts, open, findings;
} scan_job_stats;

/* Runs job j of configuration c whole: its hosts (refused outside c->scan.allowed), ports,
 * identification, findings and covers into sink (thread-safe: identification emits from its
 * threads). cancel stops it (KW_ERR_CANCELLED). */
kw_rc scan_job_run(const conf *c, const conf_scan_job *j, const finding_sink *sink, volatile int *cancel,
                   scan_job_stats *st, char *err, size_t errn);

/* Runs web job j of configuration c whole (scan.web's templates, rate, concurrency and timeout;
 * its sites refused outside c->scan.allowed) into sink; cancel stops it. st->hosts counts the
 * pages crawled, st->findings the findings (scan_web_job.c). */
kw_rc scan_web_job_run(const conf *c, const conf_web_job *j, const finding_sink *sink, volatile int *cancel,
                       scan_job_stats *st, char *err, size_t errn);

#endif
