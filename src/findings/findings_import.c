/* findings_import: the format names, the guess from a report's first kilobytes, and the
 * dispatch to each format's reader (findings_import_<format>.c). No I/O. */
#include "findings/findings_import.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "findings/findings_import_int.h"

static const char *const format_names[] = {"auto",   "nmap",   "nuclei", "openvas",
                                           "lynis",  "wapiti", "zap",    "csv"};

const char *findings_format_name(findings_format f)
{
    return (unsigned)f < sizeof format_names / sizeof format_names[0] ? format_names[f] : "auto";
}

bool findings_format_parse(const char *name, findings_format *out)
{
    if (!name)
        return false;
    if (strcasecmp(name, "gvm") == 0) {
        *out = FIMP_OPENVAS;
        return true;
    }
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
        if (strcasecmp(name, format_names[i]) == 0) {
            *out = (findings_format)i;
            return true;
        }
    return false;
}

static bool has(const char *p, size_t n, const char *s)
{
    return memmem(p, n, s, strlen(s)) != NULL;
}

static findings_format guess_xml(const char *p, size_t n)
{
    if (has(p, n, "<nmaprun"))
        return FIMP_NMAP;
    if (has(p, n, "<get_reports_response") || (has(p, n, "<report") && has(p, n, "<results")) ||
        has(p, n, "format_id=\"a994b278"))
        return FIMP_OPENVAS;
    return FIMP_AUTO;
}

static findings_format guess_json(const char *p, size_t n)
{
    if (has(p, n, "\"site\"") && (has(p, n, "\"alerts\"") || has(p, n, "\"@version\"")))
        return FIMP_ZAP;
    if (has(p, n, "\"vulnerabilities\"") &&
        (has(p, n, "\"classifications\"") || has(p, n, "\"infos\"") || has(p, n, "\"anomalies\"")))
        return FIMP_WAPITI;
    if (has(p, n, "\"template-id\"") || has(p, n, "\"templateID\"") || has(p, n, "\"matched-at\""))
        return FIMP_NUCLEI;
    return FIMP_AUTO;
}

/* A header row naming at least the columns id and title. */
static bool csv_header(const char *p, size_t n)
{
    const char *nl = memchr(p, '\n', n);
    size_t len = nl ? (size_t)(nl - p) : n;
    char low[1024];
    if (len >= sizeof low)
        len = sizeof low - 1;
    for (size_t i = 0; i < len; i++)
        low[i] = (char)tolower((unsigned char)p[i]);
    low[len] = '\0';
    bool id = false, title = false;
    for (char *save, *f = strtok_r(low, ",\r", &save); f; f = strtok_r(NULL, ",\r", &save)) {
        f += strspn(f, " \t\"");
        size_t k = strcspn(f, " \t\"");
        id |= k == 2 && strncmp(f, "id", 2) == 0;
        title |= k == 5 && strncmp(f, "title", 5) == 0;
    }
    return id && title;
}

findings_format findings_format_guess(const char *buf, size_t n)
{
    size_t i = fimp_skip_bom_ws(buf, n);
    const char *p = buf + i;
    size_t k = n - i < 65536 ? n - i : 65536;
    if (k == 0)
        return FIMP_AUTO;
    if (p[0] == '<')
        return guess_xml(p, k);
    if (p[0] == '{' || p[0] == '[')
        return guess_json(p, k);
    if (has(p, k, "# Lynis Report") || has(p, k, "\nlynis_version=") ||
        has(p, k, "report_version_major="))
        return FIMP_LYNIS;
    return csv_header(p, k) ? FIMP_CSV : FIMP_AUTO;
}

static kw_rc run(fimp_ctx *c, findings_format fmt, const char *buf, size_t n)
{
    switch (fmt) {
    case FIMP_NMAP: return fimp_nmap(c, buf, n);
    case FIMP_NUCLEI: return fimp_nuclei(c, buf, n);
    case FIMP_OPENVAS: return fimp_openvas(c, buf, n);
    case FIMP_LYNIS: return fimp_lynis(c, buf, n);
    case FIMP_WAPITI: return fimp_wapiti(c, buf, n);
    case FIMP_ZAP: return fimp_zap(c, buf, n);
    case FIMP_CSV: return fimp_csv(c, buf, n);
    case FIMP_AUTO: break;
    }
    return KW_ERR_UNSUPPORTED;
}

kw_rc findings_import(const char *buf, size_t n, findings_format fmt, const finding_sink *sink,
                      findings_import_stats *st, char *err, size_t errn)
{
    findings_import_stats local;
    if (!st)
        st = &local;
    memset(st, 0, sizeof *st);
    if (err && errn)
        err[0] = '\0';
    fimp_ctx c = {.sink = sink, .st = st, .err = err, .errn = errn};
    if (n > FINDINGS_IMPORT_MAX) {
        fimp_fail(&c, "report of %zu bytes is over the %zu-byte limit", n, FINDINGS_IMPORT_MAX);
        return KW_ERR_RANGE;
    }
    if (fmt == FIMP_AUTO)
        fmt = findings_format_guess(buf, n);
    st->format = fmt;
    if (fmt == FIMP_AUTO) {
        fimp_fail(&c, "the report's format is none of nmap, nuclei, openvas, lynis, wapiti, "
                      "zap, csv (name it)");
        return KW_ERR_UNSUPPORTED;
    }
    kw_rc rc = run(&c, fmt, buf, n);
    kw_arena_free(&c.a);
    kw_arena_free(&c.keep);
    return rc;
}
