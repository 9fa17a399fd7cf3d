/* The findings module's tables (store_findings.c): findings, each one's history, and the
 * runs (scans, imports) that reported them. The workflow's logic is src/findings/; this file
 * stores and reads what it decided, in the SQL both backends speak. Statuses are the workflow's
 * names ("open", "fixed", ...), kept as text. */
#ifndef STORE_FINDINGS_H
#define STORE_FINDINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/kw_buf.h"
#include "store/store.h"

#define STORE_FINDINGS_VERSIONS 1
extern const store_migration store_findings_migrations[STORE_FINDINGS_VERSIONS];

/* Brings the tables up to date (the CLI's way in; the daemon's module does it as it opens). */
kw_rc store_findings_migrate(kw_store *s);

#define SF_ASSET_MAX 256
#define SF_ID_MAX 128
#define SF_TITLE_MAX 512
#define SF_NAME_MAX 128

/* A stored finding as the workflow and the listings read it. */
typedef struct store_finding {
    int64_t id;
    char fingerprint[65];
    char asset[SF_ASSET_MAX];
    char vuln_id[SF_ID_MAX];
    char scanner[64];
    char title[SF_TITLE_MAX];
    char category[32];
    char place[SF_TITLE_MAX];
    int severity;               /* finding_sev */
    double score;               /* < 0: none */
    double risk;
    bool kev;
    char status[24];
    bool not_seen;              /* a run covering it did not see it: a person confirms */
    char owner[SF_NAME_MAX];
    char department[SF_NAME_MAX];
    int64_t due_ms;             /* 0: none */
    bool due_manual;            /* set by a person: rescans keep it */
    int64_t first_ms, last_ms, status_ms;
    int64_t resolved_ms;        /* when it last stopped being active (0: active) */
    int64_t accepted_until_ms;  /* accepted: when it reopens */
    char reason[SF_TITLE_MAX];  /* accepted / false positive: why */
    char by[SF_NAME_MAX];       /* ... and who said so */
    char transport[8];
    int port;
    int64_t run_id;             /* the last run that reported it */
} store_finding;

/* One finding as a run reports it. */
typedef struct store_finding_put {
    const char *fingerprint, *asset, *vuln_id, *scanner, *title, *category, *place;
    int severity;
    double score;               /* < 0: none */
    double risk;
    bool kev;
    const char *transport;
    int port;
    const char *doc;            /* its ECS document (a JSON object) */
    int64_t now_ms, run_id;
} store_finding_put;

/* What the workflow changes of a stored finding: every field is written as given. */
typedef struct store_finding_change {
    const char *status;
    bool not_seen;
    const char *owner, *department; /* NULL or "": none */
    int64_t due_ms;
    bool due_manual;
    int64_t status_ms, resolved_ms, accepted_until_ms;
    const char *reason, *by;
    int severity;
    double risk;
} store_finding_change;

/* One finding by fingerprint (id 0) or by id: KW_ERR_NOTFOUND when none. */
kw_rc store_finding_get(kw_store *s, const char *fingerprint, int64_t id, store_finding *out);
/* A new finding (status, owner, department, due from ch; ch->severity and risk ignored). */
kw_rc store_finding_insert(kw_store *s, const store_finding_put *p, const store_finding_change *ch, int64_t *id);
/* A finding reported again: its report (title, severity, score, risk, doc, last seen, run)
 * and the workflow's fields from ch. */
kw_rc store_finding_report(kw_store *s, int64_t id, const store_finding_put *p, const store_finding_change *ch);
/* The workflow's fields only. */
kw_rc store_finding_set(kw_store *s, int64_t id, const store_finding_change *ch);
/* One line of a finding's history. */
kw_rc store_finding_history_add(kw_store *s, int64_t id, int64_t at_ms, const char *actor, const char *action,
                                const char *from, const char *to, const char *note);

/* The findings of `scanner` on `asset` (with transport, on ports lo..hi; lo 0: any place) that
 * run_id did not report and that are not closed (verified, accepted, false_positive) nor
 * flagged not seen already: what a run that covered them no longer saw. */
kw_rc store_findings_unseen_each(kw_store *s, const char *scanner, const char *asset, const char *transport, int lo,
                                 int hi, int64_t run_id, void (*fn)(void *, const store_finding *), void *arg);

/* A run begins (its id into *run_id) and ends with what it did (a JSON object of counts). */
kw_rc store_findings_run_begin(kw_store *s, const char *scanner, const char *source, int64_t now_ms, int64_t *run_id);
kw_rc store_findings_run_end(kw_store *s, int64_t run_id, int64_t now_ms, const char *counts_json);
/* When the last run from source began and ended (0: not ended); KW_ERR_NOTFOUND when none. */
kw_rc store_findings_last_run(kw_store *s, const char *source, int64_t *started_ms, int64_t *ended_ms);

/* A selection of findings. Strings NULL or "": any. */
typedef struct store_findings_query {
    const char *status;         /* "active" (default), "all", "closed", or a comma list of statuses */
    int min_severity;           /* 0: any */
    const char *department, *owner, *asset, *scanner, *vuln_id, *category;
    const char *text;           /* a substring of the title, id or asset */
    bool overdue;               /* past due at now_ms, and active */
    bool not_seen;              /* flagged not seen */
    int64_t now_ms;
    const char *sort;           /* "risk" (default), "due", "last_seen", "severity", "id" */
    int64_t limit, offset;      /* limit 0: 100 (the listings); < 0: all (each) */
} store_findings_query;

/* The selection as {"total": N, "findings": [ECS documents with keepwatch.finding.*]}. */
kw_rc store_findings_list_json(kw_store *s, const store_findings_query *q, kw_buf *out);
/* One finding's document with its history ("keepwatch.finding.history"). */
kw_rc store_finding_get_json(kw_store *s, int64_t id, kw_buf *out);
/* Every finding of the selection, in its order. */
kw_rc store_findings_each(kw_store *s, const store_findings_query *q, void (*fn)(void *, const store_finding *),
                          void *arg);
/* The owners of the selection's findings (NULL for none), each with how many findings and
 * how many of them overdue at q->now_ms, the owner of the riskiest first. */
kw_rc store_findings_owners_each(kw_store *s, const store_findings_query *q,
                                 void (*fn)(void *, const char *owner, int64_t n, int64_t overdue), void *arg);
/* The selection's per_owner riskiest findings of each owner (<= 0: all), riskiest first. */
kw_rc store_findings_top_each(kw_store *s, const store_findings_query *q, int per_owner,
                              void (*fn)(void *, const store_finding *), void *arg);
/* How many findings there are of each severity, status and department (NULL: none), and how
 * many of them are active and past their deadline at now_ms. */
kw_rc store_findings_counts_each(kw_store *s, int64_t now_ms,
                                 void (*fn)(void *, int severity, const char *status, const char *department,
                                            int64_t n, int64_t overdue),
                                 void *arg);
/* For the burndown: every finding's severity, first seen and resolved times (0: active). */
kw_rc store_findings_times_each(kw_store *s, void (*fn)(void *, int severity, int64_t first_ms, int64_t resolved_ms),
                                void *arg);

#endif
