/* Incident reports (incident_report.c): the document a playbook's report step hands in, made
 * from the incident's own record (the JSON of incident_get_json) and the configuration (the
 * organisation, its contact, the affected system's business and what users notice), ready to
 * render as Markdown, HTML or PDF (src/doc). Pure: no I/O.
 *
 *   regulator    网络安全事件报告: reporting unit and contact, time found, type (GB/T 20986-2023)
 *                and grade, systems affected, impact on users, measures taken, current state,
 *                the next steps, the regulator's deadline;
 *   department   事件通报 for one department kind: security and operations get the technical
 *                record (steps, owners, alerts, timeline); business and customer service what
 *                users notice, what to tell them and when service is expected back; management
 *                the grade, the deadline to report and what is decided. */
#ifndef KW_INCIDENT_REPORT_H
#define KW_INCIDENT_REPORT_H

#include <stddef.h>

#include "conf/conf.h"
#include "core/kw_err.h"
#include "doc/doc.h"

typedef enum { INC_REPORT_REGULATOR, INC_REPORT_DEPARTMENT } incident_report_kind;

typedef struct incident_report_in {
    const conf *c;
    const char *json;           /* incident_get_json's document */
    size_t len;
    incident_report_kind kind;
    int audience;               /* dept_kind, for INC_REPORT_DEPARTMENT */
    doc_lang lang;
    int64_t now_ms;             /* the report's date */
} incident_report_in;

/* Builds the report into *out (the caller frees with doc_free). KW_ERR_PARSE when json is not
 * an incident's document. */
kw_rc incident_report_build(const incident_report_in *in, kw_doc **out);

/* "regulator", "department" -> kind; "security", "operations", "business", "customer_service",
 * "management" -> audience. False when it is neither. */
bool incident_report_parse_for(const char *s, incident_report_kind *kind, int *audience);

#endif
