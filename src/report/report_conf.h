/* The report: section of the configuration (report_conf.c): when the daily report is made,
 * where scheduled reports are kept, and who gets which cut of them through notify. */
#ifndef KW_REPORT_CONF_H
#define KW_REPORT_CONF_H

#include "conf/conf_engine.h"

/* A department's cut: what of the report it gets. */
typedef enum {
    REPORT_CUT_FULL = 0,        /* everything */
    REPORT_CUT_OPERATIONS,      /* hosts and devices, outages, incidents, findings to fix */
    REPORT_CUT_BUSINESS,        /* incidents and outages of the business systems, findings' progress */
    REPORT_CUT_CUSTOMER_SERVICE,/* incidents and outages users noticed: no scans, no findings */
    REPORT_CUT_MANAGEMENT,      /* the summary, incidents, drills, remediation achieved */
} report_cut;

/* One item of report.send. */
typedef struct conf_report_send {
    char *department;           /* whose cut (NULL: channels given) */
    conf_strs channels;         /* where (empty: the department's channels) */
    int cut;                    /* report_cut (default: from the department's kind) */
    conf_strs kinds;            /* daily, period (default both) */
    bool attach;                /* mail: the PDF attached (default true); robots get a summary and the link */
} conf_report_send;

extern const cf_section report_conf_section;
/* Cross-checks (departments, channels): run by the loader after every section is read. */
void report_conf_refs(cf_ctx *ctx, conf *c, yaml_node_t *top);

#endif
