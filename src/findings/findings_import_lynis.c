/* Lynis report.dat (key=value lines) into findings: each warning[] (medium) and suggestion[]
 * (low) as a host_config finding on the host the report names (hostname=), each
 * vulnerable_package[] as outdated_software (high); one cover for the host. No I/O. */
#include <string.h>

#include "findings/findings_import_int.h"

#define SCANNER "lynis"
#define LINE_MAX_LEN 65536

typedef struct lynis_report {
    const char *host, *os; /* kept */
    size_t line;
} lynis_report;

/* Splits "ID|text|details|solution|" into at most 4 fields (record strings); "-" is none. */
static int fields(fimp_ctx *c, const char *v, const char *out[4])
{
    int k = 0;
    for (const char *p = v; *p && k < 4;) {
        size_t n = strcspn(p, "|");
        const char *f = fimp_trim(c, fimp_strndup(c, p, n));
        out[k++] = strcmp(f, "-") == 0 || !*f ? NULL : f;
        p += n + (p[n] == '|');
    }
    for (int i = k; i < 4; i++)
        out[i] = NULL;
    return k;
}

static kw_rc item(fimp_ctx *c, const lynis_report *r, const char *v, finding_sev sev,
                  const char *what)
{
    const char *f4[4];
    fields(c, v, f4);
    if (!f4[0] || !f4[1])
        return fimp_fail(c, "line %zu: %s[] needs \"TEST-ID|text|...\"", r->line, what);
    finding f = {.scanner = SCANNER, .score = -1, .severity = sev, .category = "host_config"};
    f.vuln_id = f4[0];
    f.title = f4[1];
    f.text = f4[2];
    f.evidence = f4[2];
    f.solution = f4[3];
    f.description = r->os ? fimp_printf(c, "Lynis %s on %s.", what, r->os) : NULL;
    f.reference = fimp_printf(c, "https://cisofy.com/lynis/controls/%s/", f4[0]);
    f.host = r->host;
    return fimp_emit(c, &f);
}

static kw_rc package(fimp_ctx *c, const lynis_report *r, const char *v)
{
    finding f = {.scanner = SCANNER, .score = -1, .severity = FINDING_HIGH,
                 .category = "outdated_software", .vuln_id = "LYNIS-VULNERABLE-PACKAGE"};
    f.package = fimp_trim(c, v);
    if (!*f.package)
        return fimp_fail(c, "line %zu: vulnerable_package[] without a package", r->line);
    f.title = fimp_printf(c, "package %s has known vulnerabilities (security update pending)",
                          f.package);
    f.host = r->host;
    return fimp_emit(c, &f);
}

/* One line's key and value (value: record string); false for a blank or comment line. */
static kw_rc split(fimp_ctx *c, size_t line, const char *p, size_t n, const char **key,
                   size_t *kn, const char **val)
{
    while (n && (p[n - 1] == '\r' || p[n - 1] == ' '))
        n--;
    *key = NULL;
    if (n == 0 || p[0] == '#')
        return KW_OK;
    if (n > LINE_MAX_LEN)
        return fimp_fail(c, "line %zu: longer than %d bytes", line, LINE_MAX_LEN);
    const char *eq = memchr(p, '=', n);
    if (!eq || eq == p)
        return fimp_fail(c, "line %zu: not key=value", line);
    *key = p;
    *kn = (size_t)(eq - p);
    *val = fimp_strndup(c, eq + 1, n - (size_t)(eq + 1 - p));
    return KW_OK;
}

static bool key_is(const char *k, size_t kn, const char *name)
{
    return kn == strlen(name) && memcmp(k, name, kn) == 0;
}

/* Pass 1 reads hostname= and os_fullname= (they may come after the items); pass 2 emits. */
static kw_rc pass(fimp_ctx *c, const char *buf, size_t n, lynis_report *r, bool emit)
{
    r->line = 0;
    for (size_t off = 0; off < n;) {
        const char *nl = memchr(buf + off, '\n', n - off);
        size_t len = nl ? (size_t)(nl - (buf + off)) : n - off;
        const char *k, *v;
        size_t kn;
        r->line++;
        kw_rc rc = split(c, r->line, buf + off, len, &k, &kn, &v);
        off += len + 1;
        if (rc != KW_OK)
            return rc;
        if (!k)
            continue;
        if (!emit) {
            if (key_is(k, kn, "hostname") && *v)
                r->host = fimp_keep(c, v);
            else if ((key_is(k, kn, "os_fullname") || (key_is(k, kn, "os") && !r->os)) && *v)
                r->os = fimp_keep(c, v);
            kw_arena_reset(&c->a);
            continue;
        }
        bool w = key_is(k, kn, "warning[]"), s = key_is(k, kn, "suggestion[]");
        bool pkg = key_is(k, kn, "vulnerable_package[]");
        if (w || s || pkg)
            c->st->records++;
        rc = w ? item(c, r, v, FINDING_MEDIUM, "warning")
             : s ? item(c, r, v, FINDING_LOW, "suggestion")
             : pkg ? package(c, r, v)
                   : (kw_arena_reset(&c->a), KW_OK);
        if (rc != KW_OK)
            return rc;
    }
    return KW_OK;
}

kw_rc fimp_lynis(fimp_ctx *c, const char *buf, size_t n)
{
    lynis_report r = {0};
    size_t skip = n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    kw_rc rc = pass(c, buf + skip, n - skip, &r, false);
    if (rc != KW_OK)
        return rc;
    if (!r.host)
        return fimp_fail(c, "no hostname= line: the report names no host");
    rc = pass(c, buf + skip, n - skip, &r, true);
    if (rc != KW_OK)
        return rc;
    finding_cover cv = {.scanner = SCANNER, .host = r.host};
    return fimp_cover(c, &cv);
}
