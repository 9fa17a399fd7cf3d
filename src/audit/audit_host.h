/* The host security baseline (`keepwatch audit host`): the engine that runs the check tables
 * of every host family (audit_host_<family>.c) against an audit_root and reports one or more
 * audit_res per check through audit_emit. Nothing is executed: every value is read from files
 * inside the root (and /proc/sys, /proc/self/mounts when the root is the live host). */
#ifndef KW_AUDIT_HOST_H
#define KW_AUDIT_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"
#include "audit/audit_root.h"
#include "core/kw_err.h"

typedef struct audit_host_opts {
    const char *profile;         /* "server" (default) or "workstation"; NULL: server */
    const char *const *only;     /* check id globs (fnmatch) to run; NULL: all */
    size_t nonly;
    int64_t now_ms;              /* for ages (password last change); 0: now */
} audit_host_opts;

typedef struct audit_host_stats {
    size_t checks, pass, fail, na;  /* checks run; results by status (a check may give several) */
} audit_host_stats;

/* Runs the checks on root r, calling emit per result (strings borrowed for the call). o and
 * st may be NULL. KW_ERR_RANGE for an unknown profile; emit's error stops the run and is
 * returned. The caller keeps ownership of r, o and st. */
kw_rc audit_host_run(const audit_root *r, const audit_host_opts *o, audit_emit emit, void *arg,
                     audit_host_stats *st);

/* The catalogue (for `audit host --list`): calls fn once per check with a prototype result
 * (id, group, titles, refs, severity, expected, fix; status PASS, no file). fn's error stops
 * the walk and is returned. */
kw_rc audit_host_each(kw_rc (*fn)(void *arg, const audit_res *proto), void *arg);

#endif
