/* What the audit commands and jobs do with results (audit_out.c): a result as an ECS document
 * or a text line, a failure as a finding, and an audit_emit that prints, counts, records the
 * failures into a finding sink and keeps the canonical lines drift compares. */
#ifndef KW_AUDIT_OUT_H
#define KW_AUDIT_OUT_H

#include <stdio.h>

#include "audit/audit.h"
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "findings/finding.h"

/* The scanner name each family's findings carry (and their coverage is kept apart by). */
#define AUDIT_SCANNER_CONFIG "keepwatch-audit-config"
#define AUDIT_SCANNER_HOST "keepwatch-audit-host"
#define AUDIT_SCANNER_APP "keepwatch-audit-app"

typedef struct audit_out {
    FILE *out;                 /* NULL: print nothing */
    bool json;                 /* one ECS document per result, a line each */
    bool all;                  /* text: passes and n/a too (failures and notes always) */
    bool zh;                   /* text: the Chinese titles */
    const char *host;          /* the asset: host.name */
    const char *scanner;       /* AUDIT_SCANNER_* */
    const finding_sink *sink;  /* failures and notes as findings (NULL: none) */
    kw_buf *lines;             /* NULL, or the canonical lines (audit_out_line) appended */
    int64_t now_ms;
    size_t status[4];          /* per audit_status */
    size_t failed[5];          /* failures per finding_sev */
} audit_out;

/* An audit_emit over an audit_out. */
kw_rc audit_out_emit(void *arg, const audit_res *r);

/* r as one ECS object into j (event.kind state, event.category configuration,
 * result.evaluation passed|failed|not_applicable, rule.*, file.path, keepwatch.audit.*). */
void audit_res_ecs(kw_json *j, const audit_res *r, const char *host, int64_t now_ms);

/* Appends one text line for r (status, severity, id, file:line, title). */
void audit_res_text(kw_buf *b, const audit_res *r, bool zh);

/* Fills f from r (strings borrowed from r and from scratch, which the caller frees after f is
 * used): vulnerability.id = id, the place file + text + key. */
void audit_res_finding(const audit_res *r, const char *host, const char *scanner, finding *f, kw_buf *scratch);

/* The line drift compares for r: "id\tkey\tstatus\tfile:line\ttext\tfound\n". */
void audit_out_line(kw_buf *b, const audit_res *r);

/* The summary line: "212 checks: 180 pass, 20 fail (3 high ...), 12 n/a". */
void audit_out_summary(const audit_out *o, kw_buf *b);

/* True when the locale asks for Chinese (LANG/LC_ALL/LC_MESSAGES zh*). */
bool audit_locale_zh(void);

#endif
