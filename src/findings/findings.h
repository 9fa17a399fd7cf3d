/* The findings subsystem: one store of weaknesses from every source, deduplicated by
 * fingerprint, ranked by risk, and driven through the remediation workflow until verified
 * (DESIGN.md, "Findings"; issue 16).
 *
 * The pure parts are here (no I/O): the workflow's states and which moves a person may make
 * (findings_state.c), a finding's asset, place and fingerprint, its risk and its deadline
 * (findings_risk.c). Sources report into a finding_sink (finding.h); the store's sink
 * (findings_sink.c) resolves the asset against the configuration, ranks, stores, and at the end
 * of a run marks what the run covered and no longer saw. The tables are src/store/
 * store_findings.c; the commands src/cli/cli_findings.c; the API findings_api.c; the sweeps
 * that raise finding_overdue and finding_critical alerts and reopen expired acceptances,
 * findings_module.c. */
#ifndef KW_FINDINGS_H
#define KW_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "core/kw_buf.h"
#include "findings/finding.h"

/* ---- the workflow (findings_state.c) ---- */

typedef enum finding_status {
    FST_OPEN,           /* found, nobody on it yet */
    FST_ASSIGNED,       /* an owner (and department) has it */
    FST_FIXING,         /* the owner is working on it */
    FST_FIXED,          /* the owner says it is fixed: the next scan that covers it verifies */
    FST_VERIFIED,       /* a scan covering its place no longer saw it (closed) */
    FST_REOPENED,       /* seen again after fixed or verified, or an acceptance expired */
    FST_ACCEPTED,       /* risk accepted by someone, for a reason, until a date (closed until then) */
    FST_FALSE_POSITIVE, /* not a weakness: the same fingerprint stays closed */
    FST_COUNT
} finding_status;

/* "open", "assigned", "fixing", "fixed", "verified", "reopened", "accepted", "false_positive". */
const char *finding_status_name(finding_status s);
/* The status a word names (also "false-positive", "fp"); false when none. */
bool finding_status_parse(const char *word, finding_status *out);
/* Still to be worked on: open, assigned, fixing, reopened (fixed waits for its verification). */
bool finding_status_active(finding_status s);
/* Closed: verified, accepted, false_positive. */
bool finding_status_closed(finding_status s);

/* What a person does to a finding (the commands and the API's buttons). */
typedef enum finding_move {
    FMOVE_ASSIGN,   /* to an owner: open/reopened/assigned/fixing -> assigned */
    FMOVE_START,    /* the owner starts: assigned/open/reopened -> fixing */
    FMOVE_FIX,      /* the owner says fixed: any active -> fixed */
    FMOVE_ACCEPT,   /* accept the risk (reason and expiry required): any but false_positive -> accepted */
    FMOVE_FALSE,    /* not a weakness (reason required): any -> false_positive */
    FMOVE_REOPEN,   /* by hand: fixed/verified/accepted/false_positive -> reopened */
    FMOVE_VERIFY,   /* by hand, when no scan can look (a person checked): fixed -> verified */
} finding_move;

/* The status a move leads to from `from`; false (and *why says why) when it is not allowed. */
bool finding_move_to(finding_status from, finding_move m, finding_status *to, const char **why);
/* "assign", "start", "fix", "accept", "false_positive", "reopen", "verify"; and back. */
const char *finding_move_name(finding_move m);
bool finding_move_parse(const char *word, finding_move *out);

/* What a scan seeing (or not seeing) a finding does to it. */
typedef enum finding_seen {
    FSEEN_AGAIN,    /* reported again: fixed/verified -> reopened; the others keep their status */
    FSEEN_MISSING,  /* a run covered its place and did not report it: fixed -> verified; the
                     * active ones are flagged not seen (a person confirms); closed ones stay */
} finding_seen;

/* The status after a scan's look, and whether the not-seen flag is set afterwards. */
finding_status finding_after_scan(finding_status from, finding_seen seen, bool *not_seen);

/* ---- asset, place, fingerprint, risk, deadline (findings_risk.c) ---- */

/* The configured asset a finding is on: by host name (equal to the asset's name, also the
 * URL's host), else by address (inside one of its addresses; idx: c's assets indexed, NULL to
 * index them for this call); NULL when none. */
const conf_asset *findings_asset_of(const conf *c, const conf_asset_index *idx, const finding *f);

/* The asset's key in the store: the configured asset's name, else the address, else the host
 * name, else the URL's host, else the file's ("-" when nothing says where). */
void findings_asset_key(const finding *f, const conf_asset *a, char *out, size_t n);

/* The place on the asset, canonical: "tcp/443", "url https://h/p?a=&b= param q",
 * "file /etc/ssh/sshd_config PermitRootLogin yes", "pkg openssl" (joined with " | " when
 * several apply). A URL's query values and fragment are left out; its names are sorted. */
void findings_place(const finding *f, kw_buf *out);

/* The fingerprint: SHA-256 (hex) of the asset key, the vulnerability id and the place. */
void findings_fingerprint(const char *asset, const char *vuln_id, const char *place, char out[65]);

/* Known exploited vulnerabilities (CISA's KEV catalogue and the configured list). */
typedef struct findings_kev findings_kev;
/* Reads the catalogue from CISA's JSON ({"vulnerabilities": [{"cveID": ...}]}) or CSV (a header
 * with cveID) in data[0..len), adding to *kev (created when NULL). KW_ERR_PARSE with err. */
kw_rc findings_kev_load(findings_kev **kev, const char *data, size_t len, char *err, size_t errn);
kw_rc findings_kev_add(findings_kev **kev, const char *cve);
bool findings_kev_has(const findings_kev *kev, const char *cve);
size_t findings_kev_count(const findings_kev *kev);
void findings_kev_free(findings_kev *kev);

/* The severity, score and its CVSS version ("" when none) a stored finding takes: a CVSS
 * vector's score when it parses (the vector decides: 4.0 with its threat and environmental
 * metrics when given), else the score given (with a v3/v4 version: its band), else the
 * source's severity. */
void findings_rate(const finding *f, finding_sev *sev, double *score, char version[8]);

/* The ranked risk, 0-100: the score (or the severity's middle) x 10, weighed by the asset's
 * criticality (low 0.8, medium 1, high 1.2, critical 1.4), its exposure (internet 1.3) and a
 * known exploited vulnerability (1.5); at most 100. */
double findings_risk(double score, finding_sev sev, int criticality, int exposure, bool kev);

/* The deadline of a finding first seen at first_ms with severity sev: first_ms + the normal
 * SLA days, tightened by the protection period's SLA from the later of first_ms and the
 * period's start when that lies within the period. 0 (none) for info. */
int64_t findings_due(const conf *c, finding_sev sev, int64_t first_ms);

/* The module (findings_module.c). */
struct kw_module;
extern const struct kw_module findings_module;

#endif
