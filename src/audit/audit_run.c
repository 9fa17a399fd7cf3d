/* One audit run (audit_run.h): the configuration files each read, recognised, parsed and
 * analysed; the host baseline and the application parameters on their root. */
#include "audit/audit_run.h"
#include "audit/audit_acl.h"
#include "audit/audit_app.h"
#include "audit/audit_host.h"
#include "audit/audit_root.h"
#include "core/kw_file.h"
#include "core/kw_mem.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* The word after `key` at the start of a line (quotes dropped). */
static bool line_value(const char *p, const char *end, const char *key, char *out, size_t n)
{
    size_t kl = strlen(key);
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if ((size_t)(end - p) <= kl || strncasecmp(p, key, kl) != 0 || (p[kl] != ' ' && p[kl] != '\t'))
        return false;
    p += kl;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '"'))
        p++;
    size_t k = 0;
    while (p < end && k + 1 < n && !isspace((unsigned char)*p) && *p != '"')
        out[k++] = *p++;
    out[k] = '\0';
    return k > 0;
}

bool audit_config_device(const char *text, size_t len, char *out, size_t n)
{
    static const char *const keys[] = {"sysname", "hostname", "set hostname"};
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (line_value(p, e, keys[i], out, n))
                return true;
        p = nl ? nl + 1 : end;
    }
    return false;
}

/* The file's name without its directory and its last extension. */
static void file_stem(const char *path, char *out, size_t n)
{
    const char *b = strrchr(path, '/');
    snprintf(out, n, "%s", b ? b + 1 : path);
    char *dot = strrchr(out, '.');
    if (dot && dot != out)
        *dot = '\0';
}

/* Line n (1-based) of text, trimmed, into out; false when there is none. */
static bool file_line(const char *text, size_t len, int n, char *out, size_t outn)
{
    const char *p = text, *end = text + len;
    for (int k = 1; k < n && p < end; k++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    if (p >= end)
        return false;
    const char *e = memchr(p, '\n', (size_t)(end - p));
    e = e ? e : end;
    while (p < e && isspace((unsigned char)*p))
        p++;
    while (e > p && isspace((unsigned char)e[-1]))
        e--;
    snprintf(out, outn, "%.*s", (int)(e - p), p);
    return e > p;
}

/* The analysis' results, each with the statement at its line when it names a line but no text
 * (a list's default policy, a management statement): every finding shows what is at fault. */
typedef struct cfg_emit {
    audit_out *o;
    const char *text;
    size_t len;
} cfg_emit;

static kw_rc cfg_emit_one(void *arg, const audit_res *r)
{
    cfg_emit *x = arg;
    char line[1024];
    if (r->line > 0 && (!r->text || !*r->text) && file_line(x->text, x->len, r->line, line, sizeof line)) {
        audit_res with = *r;
        with.text = line;
        return audit_out_emit(x->o, &with);
    }
    return audit_out_emit(x->o, r);
}

static kw_rc config_one(const audit_spec *s, const char *file, audit_out *o, audit_file_fn on_file, void *arg,
                        audit_run_stats *st, char *err, size_t errn)
{
    kw_buf b;
    kw_rc rc = kw_file_read(file, AUDIT_CONFIG_MAX, &b);
    if (rc != KW_OK) {
        snprintf(err, errn, "%s: %s", file, rc == KW_ERR_FULL ? "larger than 64 MiB" : "cannot be read");
        kw_buf_free(&b);
        return rc == KW_ERR_FULL ? KW_ERR_RANGE : KW_ERR_IO;
    }
    const char *text = b.data ? b.data : "";
    acl_config *c = NULL;
    char why[512] = "";
    rc = acl_parse(text, b.len, s->vendor, &c, why, sizeof why);
    if (rc != KW_OK) {
        snprintf(err, errn, "%s: %s", file, why);
        kw_buf_free(&b);
        return rc;
    }
    char asset[256];
    if (s->host)
        snprintf(asset, sizeof asset, "%s", s->host);
    else if (!audit_config_device(text, b.len, asset, sizeof asset))
        file_stem(file, asset, sizeof asset);
    o->host = asset;
    if (on_file)
        on_file(arg, file, c->vendor, asset, c->unknown);
    if (o->lines) /* drift sees every rule and statement, not only the ones at fault */
        for (const char *p = text, *end = text + b.len; p < end;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *e = nl ? nl : end;
            while (p < e && isspace((unsigned char)*p))
                p++;
            while (e > p && isspace((unsigned char)e[-1]))
                e--;
            if (e > p)
                kw_buf_printf(o->lines, "config\t%s\t%.*s\n", file, (int)(e - p), p);
            p = nl ? nl + 1 : end;
        }
    acl_stats as = {0};
    cfg_emit ce = {.o = o, .text = text, .len = b.len};
    rc = acl_analyze(c, file, cfg_emit_one, &ce, &as);
    st->files++;
    st->rules += as.rules;
    st->lists += as.lists;
    st->unknown += c->unknown;
    st->checks += as.findings;
    acl_config_free(c);
    kw_buf_free(&b);
    o->host = NULL;
    if (rc != KW_OK)
        snprintf(err, errn, "%s: the analysis stopped: %s", file, kw_rc_str(rc));
    return rc;
}

/* This host's name, or for another root the root's /etc/hostname (else the root's path). */
static void root_host(const audit_root *r, char *out, size_t n)
{
    if (!r->live) {
        kw_buf b;
        if (audit_root_read(r, "/etc/hostname", 256, &b) == KW_OK && b.len) {
            size_t k = strcspn(b.data, " \t\r\n");
            snprintf(out, n, "%.*s", (int)k, b.data);
            kw_buf_free(&b);
            if (out[0])
                return;
        }
        kw_buf_free(&b);
        kw_strlcpy(out, r->path, n); /* a long path cut: a name, not a path to open */
        return;
    }
    if (gethostname(out, n) != 0 || !out[0])
        snprintf(out, n, "localhost");
    out[n - 1] = '\0';
}

kw_rc audit_spec_run(const audit_spec *s, audit_out *o, audit_file_fn on_file, void *arg, audit_run_stats *st,
                     char *err, size_t errn)
{
    audit_run_stats local;
    if (!st)
        st = &local;
    memset(st, 0, sizeof *st);
    if (s->kind == AUDIT_KIND_CONFIG) {
        for (size_t i = 0; i < s->nfiles; i++) {
            kw_rc rc = config_one(s, s->files[i], o, on_file, arg, st, err, errn);
            if (rc != KW_OK)
                return rc;
        }
        return KW_OK;
    }
    audit_root r;
    kw_rc rc = audit_root_open(&r, s->root, err, errn);
    if (rc != KW_OK)
        return rc;
    char host[256];
    if (s->host)
        snprintf(host, sizeof host, "%s", s->host);
    else
        root_host(&r, host, sizeof host);
    o->host = host;
    if (on_file)
        on_file(arg, r.path, s->kind == AUDIT_KIND_HOST ? "host" : "app", host, 0);
    if (s->kind == AUDIT_KIND_HOST) {
        audit_host_opts ho = {.profile = s->profile, .only = s->only, .nonly = s->nonly};
        audit_host_stats hs = {0};
        rc = audit_host_run(&r, &ho, audit_out_emit, o, &hs);
        st->checks = hs.checks;
    } else {
        audit_app_opts ao = {.files = s->files, .nfiles = s->nfiles, .dirs = s->dirs, .ndirs = s->ndirs,
                             .instances = s->instances, .db_max_connections = s->db_max_connections};
        audit_app_stats as = {0};
        rc = audit_app_run(&r, &ao, audit_out_emit, o, &as);
        st->checks = as.checks;
        st->files = as.files;
    }
    if (rc != KW_OK)
        snprintf(err, errn, "%s: the audit stopped: %s", r.path, kw_rc_str(rc));
    o->host = NULL;
    audit_root_close(&r);
    return rc;
}
