/* intel_csv.c: indicator lists as CSV. Owns the record reader (RFC 4180 quoting: quoted
 * fields with commas, doubled quotes and newlines; spaces before a quote, as ThreatFox
 * writes), the header search (a header row naming the indicator column, or the last
 * commented header before the data, as abuse.ch's Feodo, URLhaus and ThreatFox exports
 * have), and the optional type column (ip / domain / url; other types are ignored). */
#include "intel/intel_int.h"
#include "core/kw_mem.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CSV_MAX_FIELDS 64
#define CSV_MAX_NAME 32

typedef struct csv_row {
    char buf[INTEL_MAX_LINE + 1];
    size_t off[CSV_MAX_FIELDS], len[CSV_MAX_FIELDS];
    size_t n;          /* fields kept (the first CSV_MAX_FIELDS) */
    size_t used;
    size_t lines;      /* physical lines the record spans */
    bool toolong, unterminated;
} csv_row;

static void row_putc(csv_row *r, char c)
{
    if (r->used >= INTEL_MAX_LINE) {
        r->toolong = true;
        return;
    }
    r->buf[r->used++] = c;
    if (r->n)
        r->len[r->n - 1]++;
}

/* Starts a field; false past CSV_MAX_FIELDS (those fields are read and dropped). */
static bool row_field(csv_row *r)
{
    if (r->n >= CSV_MAX_FIELDS)
        return false;
    r->off[r->n] = r->used;
    r->len[r->n] = 0;
    r->n++;
    return true;
}

/* One quoted field from d[*i] (the opening quote); stops after the closing quote. */
static void row_quoted(const char *d, size_t len, size_t *i, csv_row *r, bool keep)
{
    for ((*i)++; *i < len; (*i)++) {
        char c = d[*i];
        if (c == '"') {
            if (*i + 1 < len && d[*i + 1] == '"') {
                (*i)++;
            } else {
                (*i)++;
                return;
            }
        }
        if (c == '\n')
            r->lines++;
        if (keep && c != '\r')
            row_putc(r, c);
    }
    r->unterminated = true;
}

/* Reads one record of d[*pos, len) into r; false at the end of the data. */
static bool row_read(const char *d, size_t len, size_t *pos, csv_row *r)
{
    size_t i = *pos;
    if (i >= len)
        return false;
    r->n = r->used = 0;
    r->lines = 1;
    r->toolong = r->unterminated = false;
    for (;;) {
        bool keep = row_field(r) && !r->toolong;
        size_t j = i;
        while (j < len && (d[j] == ' ' || d[j] == '\t'))
            j++;
        if (j < len && d[j] == '"') {
            i = j;
            row_quoted(d, len, &i, r, keep);
        }
        while (i < len && d[i] != ',' && d[i] != '\n') { /* unquoted, or what follows a closing quote */
            if (keep && d[i] != '\r')
                row_putc(r, d[i]);
            i++;
        }
        if (i >= len || d[i] == '\n')
            break;
        i++; /* the comma */
    }
    *pos = i < len ? i + 1 : len;
    return true;
}

static void field(const csv_row *r, size_t k, const char **s, size_t *n)
{
    *s = r->buf + r->off[k];
    *n = r->len[k];
    while (*n && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

/* Lower case, ' ' and '-' as '_'; false when too long to be a column name. */
static bool col_norm(const char *s, size_t n, char *out)
{
    if (n >= CSV_MAX_NAME)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        out[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c == ' ' || c == '-' ? '_' : c;
    }
    out[n] = '\0';
    return true;
}

/* The indicator column names, best first, with the hint their values get. */
static const struct {
    const char *name;
    int hint;
} ind_cols[] = {
    {"indicator", INTEL_HINT_ANY}, {"ioc_value", INTEL_HINT_ANY}, {"ioc", INTEL_HINT_ANY},
    {"value", INTEL_HINT_ANY}, {"ip", INTEL_HINT_IP}, {"ip_address", INTEL_HINT_IP},
    {"ipaddress", INTEL_HINT_IP}, {"ipv4", INTEL_HINT_IP}, {"ipv6", INTEL_HINT_IP},
    {"dst_ip", INTEL_HINT_IP}, {"src_ip", INTEL_HINT_IP}, {"address", INTEL_HINT_ANY},
    {"cidr", INTEL_HINT_IP}, {"network", INTEL_HINT_IP}, {"prefix", INTEL_HINT_IP},
    {"netblock", INTEL_HINT_IP}, {"domain", INTEL_HINT_ANY}, {"domain_name", INTEL_HINT_ANY},
    {"fqdn", INTEL_HINT_ANY}, {"hostname", INTEL_HINT_ANY}, {"host", INTEL_HINT_ANY},
    {"url", INTEL_HINT_URL},
};
static const char *const type_cols[] = {"type", "ioc_type", "indicator_type", "kind", NULL};

typedef struct csv_cols {
    int ind, rank, type; /* column indexes (-1: none) and the indicator column's rank */
} csv_cols;

static csv_cols row_columns(const csv_row *r)
{
    csv_cols c = {-1, -1, -1};
    int nrank = (int)(sizeof ind_cols / sizeof ind_cols[0]);
    for (size_t k = 0; k < r->n; k++) {
        const char *s;
        size_t n;
        char name[CSV_MAX_NAME];
        field(r, k, &s, &n);
        if (!col_norm(s, n, name))
            continue;
        for (int i = 0; i < nrank; i++)
            if (strcmp(name, ind_cols[i].name) == 0 && (c.ind < 0 || i < c.rank)) {
                c.ind = (int)k;
                c.rank = i;
            }
        for (int i = 0; type_cols[i]; i++)
            if (strcmp(name, type_cols[i]) == 0 && c.type < 0)
                c.type = (int)k;
    }
    return c;
}

bool intel_csv_is_header(const char *line, size_t n)
{
    csv_row *r = kw_malloc(sizeof *r);
    size_t pos = 0;
    const char *nl = memchr(line, '\n', n);
    bool yes = row_read(line, nl ? (size_t)(nl - line) : n, &pos, r) && row_columns(r).ind >= 0;
    free(r);
    return yes;
}

/* The hint a type column's value gives; -1 for kinds that are not ours (hashes, e-mail). */
static int type_hint(const char *s, size_t n)
{
    char t[CSV_MAX_NAME];
    if (!col_norm(s, n, t))
        return -1;
    if (strstr(t, "url") || strstr(t, "uri"))
        return INTEL_HINT_URL;
    if (strstr(t, "domain") || strstr(t, "host") || strstr(t, "fqdn"))
        return INTEL_HINT_ANY;
    if (strncmp(t, "ip", 2) == 0 || strncmp(t, "cidr", 4) == 0 || strncmp(t, "net", 3) == 0)
        return INTEL_HINT_IP;
    return -1;
}

static bool row_blank(const csv_row *r)
{
    for (size_t k = 0; k < r->n; k++) {
        const char *s;
        size_t n;
        field(r, k, &s, &n);
        if (n)
            return false;
    }
    return true;
}

static void csv_data_row(const csv_row *r, const csv_cols *c, size_t lineno, const char *raw, size_t rawn,
                         intel_entries *out, intel_report *rep)
{
    char why[96];
    if (r->toolong || r->unterminated) {
        intel_skip_note(rep, lineno, r->toolong ? "row longer than 4096 bytes" : "unterminated quote",
                        raw, rawn);
        return;
    }
    if (row_blank(r))
        return;
    if ((size_t)c->ind >= r->n) {
        intel_skip_note(rep, lineno, "the row has no indicator column", raw, rawn);
        return;
    }
    int hint = ind_cols[c->rank].hint;
    const char *s;
    size_t n;
    if (c->type >= 0 && (size_t)c->type < r->n) {
        field(r, (size_t)c->type, &s, &n);
        if ((hint = type_hint(s, n)) < 0) {
            rep->ignored++;
            return;
        }
    }
    field(r, (size_t)c->ind, &s, &n);
    if (intel_value_add(out, s, n, hint, why, sizeof why) != KW_OK)
        intel_skip_note(rep, lineno, why, raw, rawn);
}

/* A comment line (# ...): remembered as the header when it is one. */
static void csv_comment(const char *d, size_t start, size_t end, csv_row *r, csv_cols *candidate)
{
    size_t pos = 0;
    const char *s = d + start;
    size_t n = end - start;
    while (n && (*s == '#' || *s == ' '))
        s++, n--;
    if (n && row_read(s, n, &pos, r)) {
        csv_cols c = row_columns(r);
        if (c.ind >= 0)
            *candidate = c;
    }
}

static bool line_is_comment(const char *d, size_t len, size_t pos, size_t *eol)
{
    size_t i = pos;
    while (i < len && (d[i] == ' ' || d[i] == '\t'))
        i++;
    const char *nl = memchr(d + pos, '\n', len - pos);
    *eol = nl ? (size_t)(nl - d) : len;
    return i < len && d[i] == '#';
}

void intel_parse_csv(const char *data, size_t len, intel_entries *out, intel_report *rep)
{
    csv_row *r = kw_malloc(sizeof *r);
    csv_cols cols = {-1, -1, -1}, candidate = {-1, -1, -1};
    size_t pos = len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0, lineno = 1, eol;
    bool have_header = false;
    while (pos < len) {
        if (line_is_comment(data, len, pos, &eol)) {
            if (!have_header && eol - pos <= INTEL_MAX_LINE)
                csv_comment(data, pos, eol, r, &candidate);
            pos = eol + 1;
            lineno++;
            continue;
        }
        size_t start = pos;
        if (!row_read(data, len, &pos, r))
            break;
        size_t rawn = pos - start;
        if (!have_header) {
            have_header = true;
            csv_cols c = row_columns(r);
            if (c.ind >= 0) { /* this row is the header */
                cols = c;
                lineno += r->lines;
                continue;
            }
            cols = candidate.ind >= 0 ? candidate : (csv_cols){0, 0, -1}; /* no header: the first column */
        }
        csv_data_row(r, &cols, lineno, data + start, rawn, out, rep);
        lineno += r->lines;
    }
    free(r);
}
