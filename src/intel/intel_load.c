/* intel_load.c: reading indicator files. Owns the indicator syntax (addresses, prefixes,
 * the plain-line format, format detection, and reading a file into memory; the indicators
 * themselves and the skip report are intel_entries.c, CSV intel_csv.c. STIX is intel_stix.c.
 * Parsers work on length-bounded slices and do no I/O; only intel_load_file reads. */
#include "intel/intel.h"
#include "intel/intel_int.h"
#include "core/kw_mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *intel_format_name(int fmt)
{
    static const char *const names[] = {"auto", "plain", "csv", "stix"};
    return fmt >= 0 && fmt <= INTEL_FMT_STIX ? names[fmt] : "unknown";
}

void intel_entries_free(intel_entries *e)
{
    free(e->v4);
    free(e->v6);
    free(e->names);
    memset(e, 0, sizeof *e);
}

/* ---- lines ---- */

/* Walks the lines of data: *pos is advanced past the line's newline; CR and (on the first
 * line) a UTF-8 BOM are dropped. Returns false at the end. */
bool intel_next_line(const char *data, size_t len, size_t *pos, const char **line, size_t *n)
{
    if (*pos >= len)
        return false;
    if (*pos == 0 && len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        *pos = 3;
    const char *s = data + *pos;
    const char *nl = memchr(s, '\n', len - *pos);
    size_t l = nl ? (size_t)(nl - s) : len - *pos;
    *pos += l + (nl ? 1 : 0);
    if (l && s[l - 1] == '\r')
        l--;
    *line = s;
    *n = l;
    return true;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; }

/* The next whitespace-separated token of [*p, end), or false at the end or a comment. */
static bool next_token(const char **p, const char *end, const char **tok, size_t *tn)
{
    const char *s = *p;
    while (s < end && is_space(*s))
        s++;
    if (s == end || *s == '#' || *s == ';')
        return false;
    const char *t = s;
    while (s < end && !is_space(*s))
        s++;
    *tok = t;
    *tn = (size_t)(s - t);
    if (!intel_has_scheme(t, *tn)) { /* "1.2.3.4;SBL1", "evil.example#x", "1.2.3.4,note": the rest is not ours */
        for (size_t i = 0; i < *tn; i++)
            if (t[i] == '#' || t[i] == ';' || t[i] == ',') {
                *tn = i;
                s = end;
                break;
            }
    }
    *p = s;
    return *tn > 0;
}

static bool hosts_sink(const char *t, size_t n)
{
    static const char *const sinks[] = {"0.0.0.0", "127.0.0.1", "::", "::1", "0", NULL};
    for (int i = 0; sinks[i]; i++)
        if (strlen(sinks[i]) == n && memcmp(sinks[i], t, n) == 0)
            return true;
    return false;
}

static bool hosts_local_name(const char *t, size_t n)
{
    static const char *const names[] = {"localhost", "localhost.localdomain", "local", "broadcasthost",
                                        "ip6-localhost", "ip6-loopback", "0.0.0.0", NULL};
    for (int i = 0; names[i]; i++)
        if (strlen(names[i]) == n && strncasecmp(names[i], t, n) == 0)
            return true;
    return false;
}

static void plain_line(const char *line, size_t n, size_t lineno, intel_entries *out, intel_report *rep)
{
    const char *p = line, *end = line + n, *tok, *tok2;
    size_t tn, tn2;
    char why[96];
    if (!next_token(&p, end, &tok, &tn))
        return;
    if (hosts_sink(tok, tn) && next_token(&p, end, &tok2, &tn2)) { /* hosts file: 0.0.0.0 bad.example */
        do {
            if (!hosts_local_name(tok2, tn2) && intel_value_add(out, tok2, tn2, INTEL_HINT_ANY, why, sizeof why))
                intel_skip_note(rep, lineno, why, line, n);
        } while (next_token(&p, end, &tok2, &tn2));
        return;
    }
    if (intel_value_add(out, tok, tn, INTEL_HINT_ANY, why, sizeof why) != KW_OK)
        intel_skip_note(rep, lineno, why, line, n);
}

static void parse_plain(const char *data, size_t len, intel_entries *out, intel_report *rep)
{
    size_t pos = 0, lineno = 0, n;
    const char *line;
    while (intel_next_line(data, len, &pos, &line, &n)) {
        lineno++;
        if (n > INTEL_MAX_LINE) {
            intel_skip_note(rep, lineno, "line longer than 4096 bytes", line, n);
            continue;
        }
        plain_line(line, n, lineno, out, rep);
    }
}

/* ---- detection ---- */

static int detect_format(const char *data, size_t len)
{
    size_t pos = 0, n;
    const char *line;
    bool csv_header = false;
    while (intel_next_line(data, len, &pos, &line, &n)) {
        size_t i = 0;
        while (i < n && (is_space(line[i]) || line[i] == '\r'))
            i++;
        if (i == n)
            continue;
        if (line[i] == '{' || (line[i] == '[' && (i + 1 == n || line[i + 1] == '{' || is_space(line[i + 1]))))
            return INTEL_FMT_STIX;
        if (line[i] == '#' || line[i] == ';') {
            csv_header = csv_header || intel_csv_is_header(line + i + 1, n - i - 1);
            continue;
        }
        if (line[i] == '"' || (memchr(line, ',', n) && (csv_header || intel_csv_is_header(line, n))))
            return INTEL_FMT_CSV;
        return INTEL_FMT_PLAIN;
    }
    return INTEL_FMT_PLAIN;
}

static void report_counts(const intel_entries *e, size_t v4_0, size_t v6_0, size_t d0, intel_report *rep)
{
    for (size_t i = v4_0; i < e->n_v4; i++)
        (*(e->v4[i].plen == 32 ? &rep->v4 : &rep->cidr4))++;
    for (size_t i = v6_0; i < e->n_v6; i++)
        (*(e->v6[i].plen == 128 ? &rep->v6 : &rep->cidr6))++;
    rep->domains += e->n_domains - d0;
}

kw_rc intel_parse(const char *data, size_t len, int fmt, int64_t now_ms, intel_entries *out, intel_report *rep)
{
    size_t v4_0 = out->n_v4, v6_0 = out->n_v6, d0 = out->n_domains;
    if (fmt == INTEL_FMT_AUTO)
        fmt = detect_format(data, len);
    rep->format = fmt;
    if (fmt == INTEL_FMT_CSV)
        intel_parse_csv(data, len, out, rep);
    else if (fmt == INTEL_FMT_STIX)
        intel_parse_stix(data, len, now_ms, out, rep);
    else
        parse_plain(data, len, out, rep);
    report_counts(out, v4_0, v6_0, d0, rep);
    return KW_OK;
}

/* ---- files ---- */

static kw_rc read_all(const char *path, char **data, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return KW_ERR_IO;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = errno;
        if (e == 0 || S_ISREG(st.st_mode) == 0)
            e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL; /* a directory, a FIFO, a device */
        close(fd);
        errno = e;
        return KW_ERR_IO;
    }
    if ((uint64_t)st.st_size > INTEL_MAX_FILE) {
        close(fd);
        errno = EFBIG;
        return KW_ERR_RANGE;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = kw_malloc(cap);
    for (;;) {
        if (n + 1 == cap) { /* the file grew while read */
            if (cap > INTEL_MAX_FILE) {
                free(buf);
                close(fd);
                errno = EFBIG;
                return KW_ERR_RANGE;
            }
            buf = kw_realloc(buf, cap *= 2);
        }
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            close(fd);
            errno = e;
            return KW_ERR_IO;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return KW_OK;
}

static int format_from_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && strchr(dot, '/') == NULL) {
        if (strcasecmp(dot, ".csv") == 0)
            return INTEL_FMT_CSV;
        if (strcasecmp(dot, ".json") == 0 || strcasecmp(dot, ".stix") == 0)
            return INTEL_FMT_STIX;
    }
    return INTEL_FMT_AUTO;
}

kw_rc intel_load_file(const char *path, int fmt, int64_t now_ms, intel_entries *out, intel_report *rep)
{
    char *data;
    size_t len;
    kw_rc rc = read_all(path, &data, &len);
    if (rc != KW_OK)
        return rc;
    if (fmt == INTEL_FMT_AUTO)
        fmt = format_from_path(path);
    intel_parse(data, len, fmt, now_ms, out, rep);
    free(data);
    return KW_OK;
}
