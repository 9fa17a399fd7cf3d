/* Importers of other tools' reports: nmap XML, Nuclei JSONL, OpenVAS/GVM XML, Lynis report.dat,
 * Wapiti JSON, ZAP traditional JSON and keepwatch's documented CSV. Each parses a buffer its
 * caller read (no I/O here) and reports every finding and every covered asset into a
 * finding_sink (finding.h), as keepwatch's own scanners do.
 *
 * What a caller should do with the result: findings_import emits as it reads, so on an error
 * the findings (and covers) before it have reached the sink already. A caller that stores
 * should import inside one transaction and roll it back unless findings_import returned KW_OK;
 * above all it must not act on the covers of a failed import (marking findings "not seen"
 * from a report that was cut short would close real findings).
 *
 * The CSV format ("csv"), for any tool keepwatch does not read natively:
 *   - UTF-8, an optional byte-order mark, RFC 4180: fields separated by commas, a field with a
 *     comma, a quote or a line break is quoted with '"' and a quote inside it doubled; lines end
 *     with LF or CRLF. Blank lines are skipped.
 *   - The first row is the header: column names, case-insensitive, in any order; unknown
 *     columns are ignored, a column named twice is an error.
 *   - Required columns: id (CVE or the tool's check id), title, and at least one of host, ip,
 *     url, file. A row needs id, title and one of those four non-empty, else it is skipped and
 *     counted (findings_import_stats.skipped).
 *   - Optional columns: severity (info, low, medium, high, critical; also the words
 *     finding_sev_parse knows), score (CVSS base score 0-10; sets the severity when severity is
 *     empty; with neither, the severity is medium), vector (CVSS vector string), port (1-65535), transport (tcp, udp; tcp when a port
 *     is given without one), service, category (one of DESIGN.md's list: sqli, xss,
 *     path_traversal, command_injection, open_redirect, sensitive_file, outdated_software,
 *     exposed_service, weak_auth, weak_tls, acl, host_config, app_config), description,
 *     solution, reference (URLs separated by spaces), scanner (default "csv"), package,
 *     installed, fixed, evidence, parameter, line (with file: 1-based line), text (with file:
 *     the statement at fault).
 *   - A value that is not what its column takes (a severity word, a number, a category from
 *     the list) is an error naming the line and the column.
 *   - Bounds: at most 64 columns, 65536 bytes in a field and 262144 bytes in a row.
 *   - A CSV import gives no covers: it cannot tell what the other tool looked at. */
#ifndef KW_FINDINGS_IMPORT_H
#define KW_FINDINGS_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/kw_err.h"
#include "findings/finding.h"

typedef enum {
    FIMP_AUTO,
    FIMP_NMAP,
    FIMP_NUCLEI,
    FIMP_OPENVAS,
    FIMP_LYNIS,
    FIMP_WAPITI,
    FIMP_ZAP,
    FIMP_CSV
} findings_format;

/* The largest report findings_import reads (a larger one is KW_ERR_RANGE). */
#define FINDINGS_IMPORT_MAX ((size_t)128 << 20)

typedef struct findings_import_stats {
    findings_format format; /* the format read (the guess when asked for FIMP_AUTO) */
    size_t records;         /* records read: ports, results, lines, instances, rows */
    size_t findings;        /* findings emitted */
    size_t covers;          /* covers given */
    size_t skipped;         /* records without what a finding needs (id, title, an asset) */
} findings_import_stats;

/* "auto", "nmap", "nuclei", "openvas", "lynis", "wapiti", "zap", "csv". */
const char *findings_format_name(findings_format f);

/* The format a name (case-insensitive, as findings_format_name gives; also "gvm") names;
 * false when none. */
bool findings_format_parse(const char *name, findings_format *out);

/* The format buf[0..n) holds, from its content (its first kilobytes), not from a file name;
 * FIMP_AUTO when it looks like none of them. */
findings_format findings_format_guess(const char *buf, size_t n);

/* Reads the report buf[0..n) (need not be terminated) in format fmt (FIMP_AUTO: guessed) and
 * emits its findings and covers into sink. Ownership: buf stays the caller's and is only read;
 * the strings of each finding and cover are the importer's and valid during that one sink call
 * only (the sink copies what it keeps); err[errn] (may be NULL, 0) receives the message.
 * st (may be NULL) is zeroed and filled. Returns
 * KW_OK; KW_ERR_PARSE for a malformed report, with a message in err naming where (line,
 * offset or element); KW_ERR_UNSUPPORTED when the format cannot be told; KW_ERR_RANGE for a
 * report over FINDINGS_IMPORT_MAX; or the error a sink callback returned. Findings emitted
 * before an error stay emitted: see the top of this file for what a caller does then. */
kw_rc findings_import(const char *buf, size_t n, findings_format fmt, const finding_sink *sink,
                      findings_import_stats *st, char *err, size_t errn);

#endif
