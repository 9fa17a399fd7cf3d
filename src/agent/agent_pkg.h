/* An agent's installed OS packages (agent_pkg.c): read on the agent's host (dpkg's status
 * file, apk's database or `rpm -qa`, and os-release), kept by the server per agent
 * (host_packages) and checked against the vulnerability data into findings on the agent's
 * host name: when a list arrives, when the data changes (the agent module's tick), and on
 * `keepwatch scan packages --agents`. */
#ifndef AGENT_PKG_H
#define AGENT_PKG_H

#include "agent/agent.h"
#include "findings/findings_run.h"
#include "scan/scan_vuln.h"
#include "store/store_agent.h"

#define AGENT_PKG_SCANNER "keepwatch-packages"
#define AGENT_PKG_FILE_MAX ((size_t)64 << 20) /* a status file, a database, rpm's output */

/* Reads the packages installed under root (NULL or "": /) and its os-release into *out (the
 * caller's, agent_packages_free). KW_ERR_NOTFOUND (err says why) when no package manager's
 * list or no os-release is there; KW_ERR_PARSE when it holds no package. */
kw_rc agent_packages_read(const char *root, agent_packages **out, char *err, size_t errn);

/* Stores p as host's list, received at now_ms. */
kw_rc agent_packages_store(kw_store *s, const char *host, const agent_packages *p, int64_t now_ms);
/* host's stored list into *out (the caller's) and when it came; KW_ERR_NOTFOUND when there is
 * none, KW_ERR_PARSE (err) when the stored text does not decode. */
kw_rc agent_packages_load(kw_store *s, const char *host, agent_packages **out, int64_t *received_ms, char *err,
                          size_t errn);

/* What checking one agent's list did. */
typedef struct agent_pkg_outcome {
    scan_pkg_result res;
    findings_counts counts;  /* recorded (zero when not) */
    int64_t received_ms;     /* when the list came */
    double ms;               /* how long the check and the recording took */
} agent_pkg_outcome;

/* Checks host's stored list against db into a findings run of AGENT_PKG_SCANNER, source
 * "agent HOST", by actor on store s (c, kev: findings_run_open's), written at once; also
 * (may be NULL) is given every finding too. record false: nothing is written, only also
 * sees them. KW_ERR_NOTFOUND: no list stored for host; other errors with err. */
kw_rc agent_packages_record(kw_store *s, const conf *c, const findings_kev *kev, const scan_vuln_db *db,
                            const char *host, const char *actor, const finding_sink *also, bool record,
                            agent_pkg_outcome *out, char *err, size_t errn);

#endif
