/* Drift between two runs of one scheduled audit (audit_drift.c): their canonical lines
 * (audit_out_line for results, "config\tFILE\tSTATEMENT" for every statement of a
 * configuration read) compared as sets, so an edit above a rule that moves its line is no
 * change, and a rule added or a setting switched is. No I/O. */
#ifndef KW_AUDIT_DRIFT_H
#define KW_AUDIT_DRIFT_H

#include <stddef.h>

#include "core/kw_buf.h"

typedef struct audit_drift {
    size_t added, removed;      /* configuration statements */
    size_t worse, better;       /* results that began or stopped failing */
    size_t changed;             /* results whose value changed otherwise */
} audit_drift;

/* Compares the snapshots before and after (text of lines; either may be empty), appending to
 * out at most max_lines lines a person reads ("+ /etc/fw.rules: -A INPUT -p tcp --dport 3306
 * -j ACCEPT", "fail KW-SSH-ROOT-LOGIN /etc/ssh/sshd_config:32 (was pass): found yes") and
 * "... and N more" past them. Returns the number of differences. */
size_t audit_drift_diff(const char *before, const char *after, kw_buf *out, size_t max_lines, audit_drift *d);

/* Sorts the lines of snapshot s in place and drops duplicates (the stored form). */
void audit_drift_normalise(kw_buf *s);

#endif
