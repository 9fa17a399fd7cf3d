/* keepwatch's CSV of findings (RFC 4180, a header row naming the columns; the columns and
 * rules are documented in findings_import.h) into findings, for any tool keepwatch does not
 * read natively. No covers. No I/O. */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "findings/findings_import_int.h"

#define MAX_COLS 64
#define FIELD_MAX 65536
#define ROW_MAX 262144

enum col {
    C_ID, C_TITLE, C_HOST, C_IP, C_URL, C_FILE, C_SEVERITY, C_SCORE, C_VECTOR, C_PORT,
    C_TRANSPORT, C_SERVICE, C_CATEGORY, C_DESCRIPTION, C_SOLUTION, C_REFERENCE, C_SCANNER,
    C_PACKAGE, C_INSTALLED, C_FIXED, C_EVIDENCE, C_PARAMETER, C_LINE, C_TEXT, C_COUNT
};

static const char *const col_names[C_COUNT] = {
    "id", "title", "host", "ip", "url", "file", "severity", "score", "vector", "port",
    "transport", "service", "category", "description", "solution", "reference", "scanner",
    "package", "installed", "fixed", "evidence", "parameter", "line", "text",
};

typedef struct csv_reader {
    const char *p;
    size_t n, off, line;
} csv_reader;

typedef struct csv_row {
    const char *f[MAX_COLS]; /* record strings */
    size_t count;
    size_t line;             /* where the row starts */
} csv_row;

/* One quoted field's body (after its opening quote) into b. */
static kw_rc quoted(fimp_ctx *c, csv_reader *r, kw_buf *b)
{
    size_t start = r->line;
    for (;;) {
        if (r->off >= r->n)
            return fimp_fail(c, "line %zu: quoted field not closed", start);
        char ch = r->p[r->off++];
        if (ch == '"') {
            if (r->off < r->n && r->p[r->off] == '"')
                r->off++;
            else
                return KW_OK;
        } else if (ch == '\n') {
            r->line++;
        }
        if (b->len >= FIELD_MAX)
            return fimp_fail(c, "line %zu: a field is longer than %d bytes", start, FIELD_MAX);
        kw_buf_putc(b, ch);
    }
}

/* Reads one field into b; *end tells whether it ended the row. */
static kw_rc field(fimp_ctx *c, csv_reader *r, kw_buf *b, bool *end)
{
    kw_buf_reset(b);
    if (r->off < r->n && r->p[r->off] == '"') {
        r->off++;
        kw_rc rc = quoted(c, r, b);
        if (rc != KW_OK)
            return rc;
        if (r->off < r->n && r->p[r->off] != ',' && r->p[r->off] != '\n' &&
            !(r->p[r->off] == '\r' && r->off + 1 < r->n && r->p[r->off + 1] == '\n'))
            return fimp_fail(c, "line %zu: text after a closing quote", r->line);
    }
    for (;;) {
        if (r->off >= r->n) {
            *end = true;
            return KW_OK;
        }
        char ch = r->p[r->off++];
        if (ch == ',') {
            *end = false;
            return KW_OK;
        }
        if (ch == '\n' || (ch == '\r' && r->off < r->n && r->p[r->off] == '\n')) {
            r->off += ch == '\r';
            r->line++;
            *end = true;
            return KW_OK;
        }
        if (ch == '"')
            return fimp_fail(c, "line %zu: a quote inside a field that is not quoted", r->line);
        if (b->len >= FIELD_MAX)
            return fimp_fail(c, "line %zu: a field is longer than %d bytes", r->line, FIELD_MAX);
        kw_buf_putc(b, ch);
    }
}

/* The next row; row->count 0 at the end of the input. Blank lines are skipped. */
static kw_rc next_row(fimp_ctx *c, csv_reader *r, csv_row *row)
{
    kw_buf b;
    kw_buf_init(&b, FIELD_MAX + 1);
    kw_rc rc = KW_OK;
    do {
        row->count = 0;
        row->line = r->line;
        size_t start = r->off;
        bool end = r->off >= r->n;
        while (!end && rc == KW_OK) {
            if ((rc = field(c, r, &b, &end)) != KW_OK)
                break;
            if (row->count == MAX_COLS)
                rc = fimp_fail(c, "line %zu: more than %d fields", row->line, MAX_COLS);
            else if (r->off - start > ROW_MAX)
                rc = fimp_fail(c, "line %zu: a row is longer than %d bytes", row->line, ROW_MAX);
            else
                row->f[row->count++] = fimp_strndup(c, b.data ? b.data : "", b.len);
        }
    } while (rc == KW_OK && row->count == 1 && !*row->f[0] && r->off < r->n);
    if (rc == KW_OK && row->count == 1 && !*row->f[0])
        row->count = 0; /* a blank last line */
    kw_buf_free(&b);
    return rc;
}

static kw_rc header(fimp_ctx *c, const csv_row *h, int map[MAX_COLS])
{
    bool seen[C_COUNT] = {false};
    for (size_t i = 0; i < h->count; i++) {
        const char *name = fimp_trim(c, h->f[i]);
        map[i] = -1;
        for (int k = 0; k < C_COUNT; k++)
            if (strcasecmp(name, col_names[k]) == 0) {
                if (seen[k])
                    return fimp_fail(c, "line %zu: column \"%s\" named twice", h->line, name);
                seen[k] = true;
                map[i] = k;
            }
    }
    if (!seen[C_ID] || !seen[C_TITLE])
        return fimp_fail(c, "line %zu: the header needs the columns id and title", h->line);
    if (!seen[C_HOST] && !seen[C_IP] && !seen[C_URL] && !seen[C_FILE])
        return fimp_fail(c, "line %zu: the header needs one of the columns host, ip, url, file",
                         h->line);
    return KW_OK;
}

static kw_rc bad(fimp_ctx *c, const csv_row *row, enum col k, const char *v, const char *want)
{
    return fimp_fail(c, "line %zu column %s: \"%.60s\" is not %s", row->line, col_names[k], v,
                     want);
}

/* The typed columns: severity, score, port, line, category, transport. */
static kw_rc typed(fimp_ctx *c, const csv_row *row, const char *v[C_COUNT], finding *f)
{
    long n;
    if (v[C_SCORE] && !(fimp_parse_double(v[C_SCORE], &f->score) && f->score >= 0 &&
                        f->score <= 10))
        return bad(c, row, C_SCORE, v[C_SCORE], "a score from 0 to 10");
    if (v[C_SEVERITY] && !finding_sev_parse(v[C_SEVERITY], &f->severity))
        return bad(c, row, C_SEVERITY, v[C_SEVERITY], "a severity (info, low, medium, high, critical)");
    if (!v[C_SEVERITY])
        f->severity = f->score >= 0 ? finding_sev_of_score(f->score) : FINDING_MEDIUM;
    if (v[C_PORT]) {
        if (!fimp_parse_int(v[C_PORT], 1, 65535, &n))
            return bad(c, row, C_PORT, v[C_PORT], "a port from 1 to 65535");
        f->port = (int)n;
        f->transport = "tcp";
    }
    if (v[C_TRANSPORT] && strcmp(v[C_TRANSPORT], "tcp") && strcmp(v[C_TRANSPORT], "udp"))
        return bad(c, row, C_TRANSPORT, v[C_TRANSPORT], "tcp or udp");
    if (v[C_TRANSPORT] && f->port)
        f->transport = v[C_TRANSPORT];
    if (v[C_LINE]) {
        if (!fimp_parse_int(v[C_LINE], 1, 1L << 30, &n))
            return bad(c, row, C_LINE, v[C_LINE], "a line number");
        f->line = (int)n;
    }
    if (v[C_CATEGORY] && !fimp_category_known(v[C_CATEGORY]))
        return bad(c, row, C_CATEGORY, v[C_CATEGORY], "a category keepwatch knows");
    f->category = v[C_CATEGORY];
    return KW_OK;
}

static kw_rc row_finding(fimp_ctx *c, const csv_row *row, const int map[MAX_COLS])
{
    const char *v[C_COUNT] = {NULL};
    for (size_t i = 0; i < row->count; i++)
        if (map[i] >= 0) {
            const char *t = fimp_trim(c, row->f[i]);
            v[map[i]] = *t ? t : NULL;
        }
    finding f = {.score = -1};
    kw_rc rc = typed(c, row, v, &f);
    if (rc != KW_OK)
        return rc;
    static const struct {
        enum col col;
        size_t off;
    } text_cols[] = {
        {C_ID, offsetof(finding, vuln_id)},        {C_TITLE, offsetof(finding, title)},
        {C_HOST, offsetof(finding, host)},         {C_IP, offsetof(finding, ip)},
        {C_URL, offsetof(finding, url)},           {C_FILE, offsetof(finding, file_path)},
        {C_VECTOR, offsetof(finding, vector)},     {C_SERVICE, offsetof(finding, service)},
        {C_DESCRIPTION, offsetof(finding, description)},
        {C_SOLUTION, offsetof(finding, solution)}, {C_REFERENCE, offsetof(finding, reference)},
        {C_PACKAGE, offsetof(finding, package)},   {C_INSTALLED, offsetof(finding, installed)},
        {C_FIXED, offsetof(finding, fixed)},       {C_EVIDENCE, offsetof(finding, evidence)},
        {C_PARAMETER, offsetof(finding, parameter)}, {C_TEXT, offsetof(finding, text)},
    };
    for (size_t i = 0; i < sizeof text_cols / sizeof text_cols[0]; i++)
        *(const char **)((char *)&f + text_cols[i].off) = v[text_cols[i].col];
    f.score_version = fimp_cvss_version(f.vector);
    f.scanner = v[C_SCANNER] ? v[C_SCANNER] : "csv";
    return fimp_emit(c, &f);
}

kw_rc fimp_csv(fimp_ctx *c, const char *buf, size_t n)
{
    size_t bom = n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    csv_reader r = {.p = buf + bom, .n = n - bom, .line = 1};
    csv_row row;
    int map[MAX_COLS];
    kw_rc rc = next_row(c, &r, &row);
    if (rc == KW_OK && row.count == 0)
        rc = fimp_fail(c, "line 1: no header row");
    if (rc == KW_OK)
        rc = header(c, &row, map);
    size_t cols = row.count;
    kw_arena_reset(&c->a);
    while (rc == KW_OK) {
        if ((rc = next_row(c, &r, &row)) != KW_OK || row.count == 0)
            break;
        c->st->records++;
        if (row.count != cols)
            rc = fimp_fail(c, "line %zu: %zu fields, the header has %zu", row.line, row.count,
                           cols);
        else
            rc = row_finding(c, &row, map);
    }
    return rc;
}
