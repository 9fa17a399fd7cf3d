/* Configuration review (audit): what every audit family reports, one check's result.
 *
 * The three families (audit_acl_*: device and firewall configurations; audit_host_*: the host
 * security baseline; audit_app_*: application parameters) each produce audit_res values and
 * hand them to an audit_emit callback; audit_out.c turns them into text, ECS JSON (one
 * document per result) and findings (a failed result is a finding: vulnerability.id = id,
 * category acl / host_config / app_config, file.path, keepwatch.finding.line and .text).
 * Strings in an audit_res are borrowed for the call only. */
#ifndef KW_AUDIT_H
#define KW_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/kw_err.h"
#include "findings/finding.h"

typedef enum audit_status {
    AUDIT_PASS = 0,       /* the setting is as expected */
    AUDIT_FAIL = 1,       /* it is not: a finding */
    AUDIT_NA = 2,         /* the check does not apply here (the file, the package is absent) */
    AUDIT_NOTE = 3,       /* worth a look, not a failure (an ACL conflict): a finding of info severity */
} audit_status;

/* Where a check's standard is written: CIS Debian Linux benchmark item, GB/T 22239-2019
 * (等保 2.0) control. Either may be NULL. */
typedef struct audit_refs {
    const char *cis;      /* "5.2.10" */
    const char *gb;       /* "8.1.4.1 a)" : GB/T 22239-2019 clause */
} audit_refs;

typedef struct audit_res {
    const char *id;        /* the check id, stable across versions: "KW-SSH-ROOT-LOGIN"; required */
    const char *category;  /* "acl", "host_config", "app_config" */
    const char *group;     /* the family within it: "ssh", "pam", "sysctl", "nginx", "cisco-ios" */
    const char *title_en;  /* one line: "SSH root login is disabled"; required */
    const char *title_zh;  /* the same in Chinese: "禁止 SSH 以 root 登录"; required */
    audit_status status;
    finding_sev severity;  /* what a failure weighs */
    audit_refs refs;
    const char *file;      /* the file read (as the user named it, or under --root: the path in the root) */
    int line;              /* its 1-based line of the setting or rule (0: none, e.g. the setting is absent) */
    const char *text;      /* the statement at fault or read, as written */
    const char *found;     /* the value found ("yes", "absent") */
    const char *expected;  /* the value expected ("no") */
    const char *why;       /* why it matters / for an ACL: the reasoning ("rule 10 (line 4) covers every packet") */
    const char *fix;       /* what to change */
    const char *key;       /* what makes this result unique among results of the same id in one run
                              (the rule, the account, the file); NULL: the id alone */
} audit_res;

/* Receives one result; an error stops the audit, which returns it. */
typedef kw_rc (*audit_emit)(void *arg, const audit_res *r);

/* "pass", "fail", "n/a", "note". */
const char *audit_status_name(audit_status s);

#endif
