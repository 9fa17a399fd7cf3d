/* The path traversal / local file read check (KW-WEB-TRAVERSAL): a parameter set to paths that
 * climb out of any directory to /etc/passwd or win.ini (relative, absolute, filter-evading,
 * percent-encoded, Windows; and PHP's php://filter on the value itself), proved when the answer
 * holds that file's signature and the page as seen (the baseline, fetched only then) does not.
 * Few requests: one payload on a parameter that does not look like a file name, the whole set on
 * one that does (or in the thorough profile). */
#include "scan/scan_web_inject.h"

#include <stdio.h>
#include <string.h>

#define INJ_UP "../../../../../../../../"

static const inj_spec traversal_spec = {
    .check_id = "KW-WEB-TRAVERSAL",
    .category = "path_traversal",
    .title = "Path traversal: a parameter reads files outside the application's directory",
    .title_zh = "路径遍历：参数可读取应用目录之外的文件",
    .cwe = "CWE-22",
    .severity = FINDING_HIGH,
    .advice_en = "Never build a file path from request input. Map the input to a fixed list of allowed "
                 "files (an identifier to a name), or reduce it to a bare file name, join it to the one "
                 "directory it may come from, resolve the result (realpath) and refuse it unless it still "
                 "lies inside that directory. Run the application with no read access to system files it "
                 "does not need.",
    .advice_zh = "不要用请求参数直接拼接文件路径。应把参数映射到固定的允许文件列表（以编号对应文件名），"
                 "或只取纯文件名、拼接到唯一允许的目录后解析真实路径（realpath），不在该目录内即拒绝。"
                 "应用进程不应有读取无关系统文件的权限。",
};

/* Tried alone on a parameter that does not look like a file: an absolute path that climbs too,
 * so it reads the file whether the application opens the value as it is, joins it to a
 * directory (os.path.join and path.join take it as absolute, a "dir/" prefix climbs out), or
 * removes "../" once. */
static const char *const trav_any[] = {"/" INJ_UP "etc/passwd", NULL};

/* Tried first on a parameter that looks like a file, and on all in the thorough profile: the
 * plain climb, and the absolute path (for an application that refuses ".." only). */
static const char *const trav_core[] = {INJ_UP "etc/passwd", "/etc/passwd", NULL};

/* Tried on a parameter that looks like a file, and on all in the thorough profile: a climb that
 * survives a single removal of "../", one the application decodes a second time, a URL-reading
 * include, and Windows paths. */
static const char *const trav_more[] = {
    "....//....//....//....//....//....//....//....//etc/passwd",
    "%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "file:///etc/passwd",
    "..\\..\\..\\..\\..\\..\\..\\..\\windows\\win.ini",
    "c:\\windows\\win.ini",
    NULL,
};

/* A PHP include of the value read back through php://filter (an include that adds ".php" to
 * what it is given still reads it); false when the value is empty or already a URL. */
static bool php_filter_payload(const char *value, char *out, size_t outn)
{
    if (!value || !value[0] || strstr(value, "://"))
        return false;
    int n = snprintf(out, outn, "php://filter/convert.base64-encode/resource=%s", value);
    return n > 0 && (size_t)n < outn;
}

/* The climb kept under the value's own directory ("docs/x.txt" -> "docs/../../..."), for an
 * application that checks the prefix; false when the value has no directory part. */
static bool prefixed_payload(const char *value, char *out, size_t outn)
{
    const char *slash = value ? strrchr(value, '/') : NULL;
    if (!slash || slash == value)
        return false;
    int n = snprintf(out, outn, "%.*s/" INJ_UP "etc/passwd", (int)(slash - value), value);
    return n > 0 && (size_t)n < outn;
}

typedef struct trav_run {
    const inj_io *io;
    web_ctx *x;
    const web_target *t;
    size_t i;
    inj_probe base;                  /* fetched when a signature first shows */
    bool have_base;
    bool done;                       /* proved, or the page holds the file anyway, or stopping */
} trav_run;

typedef inj_file (*trav_sig)(const char *b, size_t n, size_t *at);

/* The baseline shows f too: the page holds that text whatever the parameter says. */
static bool baseline_has(trav_run *r, trav_sig sig, inj_file f)
{
    size_t at;
    if (!r->have_base) {
        inj_probe_baseline(r->io, r->x, r->t, r->i, &r->base);
        r->have_base = true;
    }
    return r->base.r.status == 0 || sig(r->base.r.body, r->base.r.len, &at) == f;
}

static kw_rc trav_try(trav_run *r, const char *payload, trav_sig sig)
{
    inj_probe p = {0};
    inj_send s = {.i = r->i, .payload = payload, .mode = WEB_MUT_REPLACE};
    size_t at = 0;
    kw_rc rc = inj_probe_send(r->io, r->x, r->t, &s, &p);
    inj_file f = rc == KW_OK ? sig(p.r.body, p.r.len, &at) : INJ_FILE_NONE;
    if (rc == KW_ERR_RANGE || r->io->stopping(r->x))
        r->done = true;
    rc = KW_OK;
    if (f != INJ_FILE_NONE) {
        r->done = true;
        if (!baseline_has(r, sig, f)) {
            char detail[256];
            snprintf(detail, sizeof detail, "the answer holds %s (its signature is absent from the page as seen)",
                     inj_file_name(f));
            rc = inj_probe_report(r->io, r->x, &traversal_spec, r->t, r->i, &p, NULL, 0, at, detail);
        }
    }
    inj_probe_free(r->io, &p);
    return rc;
}

static kw_rc trav_list(trav_run *r, const char *const *list)
{
    kw_rc rc = KW_OK;
    for (size_t k = 0; list[k] && !r->done && rc == KW_OK; k++)
        rc = trav_try(r, list[k], inj_file_sig);
    return rc;
}

kw_rc inj_traversal_run(const inj_io *io, web_ctx *x, const web_target *t, size_t i, unsigned profile)
{
    bool fileish = i < t->nparams && inj_param_fileish(&t->params[i]);
    if (inj_skip(io, x, &traversal_spec, t, i, profile, fileish))
        return KW_OK;
    trav_run r = {.io = io, .x = x, .t = t, .i = i};
    char pre[WEB_URL_MAX];
    bool all = fileish || (profile & WEB_THOROUGH);
    kw_rc rc = trav_list(&r, all ? trav_core : trav_any);
    if (rc == KW_OK && !r.done && all) {
        if (prefixed_payload(t->params[i].value, pre, sizeof pre))
            rc = trav_try(&r, pre, inj_file_sig);
        if (rc == KW_OK && !r.done)
            rc = trav_list(&r, trav_more);
        if (rc == KW_OK && !r.done && php_filter_payload(t->params[i].value, pre, sizeof pre))
            rc = trav_try(&r, pre, inj_php_source_sig);
    }
    inj_probe_free(io, &r.base);
    return rc;
}
