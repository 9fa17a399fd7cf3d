/* agent_pkg.c: an agent's package list: read on its host (the agent), stored and loaded per
 * agent, and checked against the vulnerability data into a findings run (the server's agent
 * module and `keepwatch scan packages --agents`). */
#include "agent/agent_pkg.h"
#include "core/kw_file.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- on the agent's host ---- */

static char *root_path(const char *root, const char *rel)
{
    kw_buf b;
    kw_buf_init(&b, 8192);
    kw_buf_printf(&b, "%s%s", root ? root : "", rel);
    return kw_buf_take(&b);
}

/* root/rel whole into b (bounded); false when it cannot be read. */
static bool read_under(const char *root, const char *rel, kw_buf *b)
{
    char *path = root_path(root, rel);
    kw_rc rc = kw_file_read(path, AGENT_PKG_FILE_MAX, b);
    free(path);
    return rc == KW_OK;
}

/* `rpm -qa` of root into b; false when rpm gave nothing. */
static bool read_rpm(const char *root, kw_buf *b)
{
    char cmd[4200];
    if (root && (strchr(root, '\'') || strlen(root) > 4000))
        return false;
    snprintf(cmd, sizeof cmd, "rpm -qa %s%s%s --qf '%s' 2>/dev/null", root ? "--root '" : "", root ? root : "",
             root ? "'" : "", SCAN_PKG_RPM_QF);
    FILE *p = popen(cmd, "r");
    if (!p) {
        kw_buf_init(b, AGENT_PKG_FILE_MAX);
        return false;
    }
    kw_rc rc = kw_file_read_stream(p, AGENT_PKG_FILE_MAX, b);
    return pclose(p) == 0 && rc == KW_OK && b->len > 0;
}

/* The last end of a stanza (a blank line) in d[0..n): the length up to and with it; 0: none. */
static size_t stanzas_end(const char *d, size_t n)
{
    for (size_t i = n; i >= 2; i--)
        if (d[i - 1] == '\n' && d[i - 2] == '\n')
            return i;
    return 0;
}

/* The dpkg status file under root into list, parsed a window of whole stanzas at a time (each
 * ends at a blank line): an agent holds 64 KiB of it, not the whole file (a megabyte on a
 * small server, several on a desktop). False when there is none or it cannot be read whole
 * (an error, or beyond AGENT_PKG_FILE_MAX); *rc: the parser's (KW_ERR_FULL: the list is full). */
static bool read_dpkg(const char *root, scan_pkg_list *list, kw_rc *rc)
{
    enum { WINDOW = 64 << 10 };
    char *path = root_path(root, "/var/lib/dpkg/status");
    FILE *f = fopen(path, "rb");
    free(path);
    *rc = KW_OK;
    if (!f)
        return false;
    kw_buf b;
    kw_buf_init(&b, AGENT_PKG_FILE_MAX);
    char chunk[16384];
    size_t total = 0;
    bool ok = true, eof = false;
    while (ok && !eof && *rc == KW_OK) {
        size_t n = fread(chunk, 1, sizeof chunk, f);
        eof = n < sizeof chunk;
        total += n;
        ok = total <= AGENT_PKG_FILE_MAX && kw_buf_append(&b, chunk, n) == KW_OK;
        if (!ok || (!eof && b.len < WINDOW))
            continue;
        size_t cut = eof ? b.len : stanzas_end(b.data, b.len);
        if (cut == 0)
            continue; /* one stanza longer than the window: read on */
        *rc = scan_pkg_parse_dpkg(b.data, cut, list);
        memmove(b.data, b.data + cut, b.len - cut);
        b.len -= cut;
        b.data[b.len] = '\0';
    }
    ok = ok && !ferror(f);
    fclose(f);
    kw_buf_free(&b);
    return ok;
}

/* The package list's text under root and its manager (apk, rpm); NULL when there is none. */
static const char *read_list(const char *root, kw_buf *b)
{
    if (read_under(root, "/lib/apk/db/installed", b))
        return "apk";
    kw_buf_free(b);
    if (read_rpm(root, b))
        return "rpm";
    kw_buf_free(b);
    return NULL;
}

kw_rc agent_packages_read(const char *root, agent_packages **out, char *err, size_t errn)
{
    *out = NULL;
    if (root && !*root)
        root = NULL;
    kw_buf b;
    scan_os os;
    bool os_ok = read_under(root, "/etc/os-release", &b) && scan_os_parse(b.data ? b.data : "", b.len, &os) == KW_OK;
    kw_buf_free(&b);
    if (!os_ok) {
        snprintf(err, errn, "%s/etc/os-release: cannot tell the release", root ? root : "");
        return KW_ERR_NOTFOUND;
    }
    kw_rc rc = KW_OK;
    agent_packages *p = agent_packages_new("dpkg");
    if (!read_dpkg(root, &p->list, &rc)) { /* apk's database or rpm's list, read whole */
        agent_packages_free(p);
        const char *mgr = read_list(root, &b);
        if (!mgr) {
            snprintf(err, errn, "%s: no dpkg status file, apk database or rpm list", root ? root : "/");
            return KW_ERR_NOTFOUND;
        }
        p = agent_packages_new(mgr);
        const char *text = b.data ? b.data : "";
        rc = p->list.kind == SCAN_V_RPM ? scan_pkg_parse_rpm(text, b.len, &p->list)
                                        : scan_pkg_parse_apk(text, b.len, &p->list);
        kw_buf_free(&b);
    }
    snprintf(p->os.id, sizeof p->os.id, "%s", os.id);
    snprintf(p->os.version_id, sizeof p->os.version_id, "%s", os.version_id);
    snprintf(p->os.codename, sizeof p->os.codename, "%s", os.codename);
    if (rc == KW_OK && p->list.n == 0)
        rc = KW_ERR_PARSE;
    if (rc != KW_OK && rc != KW_ERR_FULL) {
        snprintf(err, errn, "the %s list holds no installed package", p->manager);
        agent_packages_free(p);
        return rc;
    }
    *out = p;
    return KW_OK;
}

/* ---- on the server ---- */

kw_rc agent_packages_store(kw_store *s, const char *host, const agent_packages *p, int64_t now_ms)
{
    kw_buf os, list;
    kw_buf_init(&os, 4096);
    kw_buf_init(&list, AGENT_BODY_MAX);
    kw_json j;
    kw_json_init(&j, &os);
    agent_packages_os_json(&j, p);
    kw_json_init(&j, &list);
    agent_packages_list_json(&j, p);
    store_agent_packages row = {.manager = (char *)p->manager, .os_json = (char *)kw_buf_cstr(&os),
                                .list_json = (char *)kw_buf_cstr(&list),
                                .packages = (int64_t)(p->list.n < AGENT_MAX_PACKAGES ? p->list.n : AGENT_MAX_PACKAGES),
                                .received_ms = now_ms};
    snprintf(row.host, sizeof row.host, "%s", host);
    kw_rc rc = os.overflow || list.overflow ? KW_ERR_FULL : store_agent_packages_put(s, &row);
    kw_buf_free(&os);
    kw_buf_free(&list);
    return rc;
}

kw_rc agent_packages_load(kw_store *s, const char *host, agent_packages **out, int64_t *received_ms, char *err,
                          size_t errn)
{
    store_agent_packages row;
    *out = NULL;
    kw_rc rc = store_agent_packages_get(s, host, &row);
    if (rc != KW_OK) {
        snprintf(err, errn, "%s", rc == KW_ERR_NOTFOUND ? "no package list stored" : store_errmsg(s));
        return rc;
    }
    kw_buf doc;
    kw_buf_init(&doc, 2 * AGENT_BODY_MAX);
    kw_buf_puts(&doc, "{\"manager\":");
    kw_json_escape(&doc, row.manager, strlen(row.manager));
    kw_buf_puts(&doc, ",\"os\":");
    kw_buf_puts(&doc, row.os_json);
    kw_buf_puts(&doc, ",\"list\":");
    kw_buf_puts(&doc, row.list_json);
    kw_buf_puts(&doc, "}");
    *received_ms = row.received_ms;
    store_agent_packages_free(&row);
    agent_bad bad;
    char why[256] = "too large";
    bool over = doc.overflow;
    rc = over ? KW_ERR_PARSE : agent_packages_decode(doc.data, doc.len, out, &bad, why, sizeof why);
    kw_buf_free(&doc);
    if (rc != KW_OK)
        snprintf(err, errn, "the stored list does not decode: %s", why);
    return rc;
}

/* ---- checking ---- */

typedef struct tee {
    finding_sink run;   /* the run's (emit NULL: none) */
    const finding_sink *also;
} tee;

static kw_rc tee_emit(void *ctx, const finding *f)
{
    tee *t = ctx;
    kw_rc rc = t->run.emit ? finding_emit(&t->run, f) : KW_OK;
    return rc == KW_OK && t->also ? finding_emit(t->also, f) : rc;
}

static kw_rc tee_cover(void *ctx, const finding_cover *c)
{
    tee *t = ctx;
    kw_rc rc = t->run.emit ? finding_covered(&t->run, c) : KW_OK;
    return rc == KW_OK && t->also ? finding_covered(t->also, c) : rc;
}

/* p against db into sink, its findings on host. */
static kw_rc check_list(const scan_vuln_db *db, const agent_packages *p, const char *host, const finding_sink *sink,
                        scan_pkg_result *res)
{
    char names[8][48];
    const char *ecos[8];
    scan_vkind kind;
    size_t ne = scan_os_ecosystems(&p->os, NULL, names, 8, &kind);
    for (size_t i = 0; i < ne; i++)
        ecos[i] = names[i];
    scan_pkg_opts o = {.host = host, .ecos = ecos, .n_ecos = ne};
    return scan_pkg_check(db, &p->list, &o, sink, res);
}

kw_rc agent_packages_record(kw_store *s, const conf *c, const findings_kev *kev, const scan_vuln_db *db,
                            const char *host, const char *actor, const finding_sink *also, bool record,
                            agent_pkg_outcome *out, char *err, size_t errn)
{
    memset(out, 0, sizeof *out);
    int64_t t0 = kw_mono_ms();
    agent_packages *p;
    kw_rc rc = agent_packages_load(s, host, &p, &out->received_ms, err, errn);
    if (rc != KW_OK)
        return rc;
    char source[STORE_AGENT_NAME_MAX + 8];
    snprintf(source, sizeof source, "agent %s", host);
    findings_run *run = record ? findings_run_open(s, c, kev, AGENT_PKG_SCANNER, source, actor) : NULL;
    tee t = {.run = run ? findings_run_sink(run) : (finding_sink){0}, .also = also};
    finding_sink sink = {.emit = tee_emit, .cover = tee_cover, .ctx = &t};
    rc = check_list(db, p, host, &sink, &out->res);
    agent_packages_free(p);
    if (rc != KW_OK) {
        snprintf(err, errn, "the check failed: %s", kw_rc_str(rc));
        if (run)
            findings_run_abort(run);
        return rc;
    }
    if (run)
        rc = findings_run_close(run, &out->counts, err, errn);
    out->ms = (double)(kw_mono_ms() - t0);
    return rc;
}
