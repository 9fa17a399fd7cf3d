/* A finding as its source reports it, before the store has seen it, and the sink every source
 * reports into: keepwatch's scanners and audits, and the importers of other tools' reports.
 *
 * A source fills a `finding` with borrowed strings (valid for the call only) and hands it to
 * sink->emit; it tells sink->cover which assets (and which ports) it looked at, so that the
 * store can mark what a complete look no longer saw (DESIGN.md, "Findings"). Sources do no
 * store I/O of their own: the sink decides (store it, print it, count it). */
#ifndef KW_FINDING_H
#define KW_FINDING_H

#include <stdbool.h>
#include <stdint.h>

#include "core/kw_err.h"

typedef enum finding_sev {
    FINDING_INFO = 0,
    FINDING_LOW = 1,
    FINDING_MEDIUM = 2,
    FINDING_HIGH = 3,
    FINDING_CRITICAL = 4,
} finding_sev;

/* Field limits the store keeps (longer values are cut at a UTF-8 boundary, never refused). */
#define FINDING_ID_MAX 128           /* vulnerability.id */
#define FINDING_TEXT_MAX 4096        /* title, place fields */
#define FINDING_EVIDENCE_MAX 16384   /* description, evidence */

typedef struct finding {
    /* what */
    const char *vuln_id;       /* "CVE-2024-6387", or a check id "KW-REDIS-NOAUTH"; required */
    const char *category;      /* DESIGN.md's list ("exposed_service", "weak_tls", ...); NULL: none */
    const char *title;         /* one line a person reads first; required */
    const char *description;   /* what it is and why it matters */
    const char *solution;      /* what fixes it ("apt-get install --only-upgrade openssh-server") */
    const char *reference;     /* where to read more: URLs separated by spaces */
    const char *cwe;           /* the weakness class: "CWE-79" (keepwatch.finding.cwe) */
    const char *scanner;       /* vulnerability.scanner.vendor: "keepwatch", "nmap", "nuclei", ... */
    finding_sev severity;      /* as the source rates it; a CVSS vector given below decides instead */
    double score;              /* CVSS base score as the source gives it; < 0 when none */
    const char *score_version; /* "2.0", "3.0", "3.1", "4.0"; NULL when none */
    const char *vector;        /* the CVSS vector string, when the source gives one */
    bool version_based;        /* matched on a version number only, not proven */

    /* where: the asset (host name or address) and the place on it */
    const char *host;          /* host.name */
    const char *ip;            /* host.ip / destination.ip */
    int port;                  /* destination.port; 0 when none */
    const char *transport;     /* "tcp", "udp"; NULL when no port */
    const char *service;       /* the service named on that port ("ssh", "redis") */
    const char *url;           /* url.full, for web findings */
    const char *parameter;     /* keepwatch.finding.parameter */
    const char *file_path;     /* configuration findings: the file ... */
    int line;                  /* ... its 1-based line (0: none) ... */
    const char *text;          /* ... and the statement at fault */
    const char *package;       /* OS package findings: the package ... */
    const char *installed;     /* ... its installed version ... */
    const char *fixed;         /* ... and the first version that fixes it */

    const char *evidence;      /* what proves it: the request and the part of the answer */
    int64_t seen_ms;           /* when the source saw it; 0: now */
} finding;

/* What a source looked at: one asset, and the ports on it when the source scans ports. A
 * finding the store holds from the same scanner on this asset (and, with ports, on a port in
 * the range) that this run did not emit was not seen again. */
typedef struct finding_cover {
    const char *scanner;       /* the same string as the findings' scanner */
    const char *host;          /* the asset, as in the findings: host name ... */
    const char *ip;            /* ... or address */
    const char *transport;     /* with ports: "tcp" or "udp" */
    int port_lo, port_hi;      /* 0, 0: every place on the asset */
    const char *fingerprint;   /* non-NULL: this one finding only (a recheck of it) */
} finding_cover;

typedef struct finding_sink {
    /* One finding. An error stops the source, which returns it. */
    kw_rc (*emit)(void *ctx, const finding *f);
    /* One asset looked at (may be NULL: the sink does not track coverage). */
    kw_rc (*cover)(void *ctx, const finding_cover *c);
    void *ctx;
} finding_sink;

/* Convenience for sources: emit and cover through a sink whose cover may be NULL. */
static inline kw_rc finding_emit(const finding_sink *s, const finding *f)
{
    return s->emit(s->ctx, f);
}

static inline kw_rc finding_covered(const finding_sink *s, const finding_cover *c)
{
    return s->cover ? s->cover(s->ctx, c) : KW_OK;
}

/* "low", "medium", "high", "critical" ("info" for FINDING_INFO). */
const char *finding_sev_name(finding_sev s);

/* The severity a word names (case-insensitive: info/informational/none/log, low, medium/
 * moderate, high/important, critical/urgent); false when none. */
bool finding_sev_parse(const char *word, finding_sev *out);

/* The qualitative severity of a CVSS v3/v4 base score: 0 info (none), 0.1-3.9 low, 4.0-6.9
 * medium, 7.0-8.9 high, 9.0-10.0 critical. */
finding_sev finding_sev_of_score(double score);

#endif
