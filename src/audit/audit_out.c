/* Results out (audit_out.h): ECS documents, text lines, findings, drift lines, counts. */
#include "audit/audit_out.h"

#include <stdlib.h>
#include <string.h>

static bool set(const char *s)
{
    return s && *s;
}

const char *audit_status_name(audit_status s)
{
    static const char *const names[] = {"pass", "fail", "n/a", "note"};
    return (unsigned)s < 4 ? names[s] : "?";
}

static const char *evaluation(audit_status s)
{
    static const char *const names[] = {"passed", "failed", "not_applicable", "note"};
    return (unsigned)s < 4 ? names[s] : "unknown";
}

void audit_res_ecs(kw_json *j, const audit_res *r, const char *host, int64_t now_ms)
{
    kw_json_obj_begin(j);
    kw_json_kv_time(j, "@timestamp", now_ms);
    kw_json_kv_str(j, "event.kind", "state");
    kw_json_kv_str(j, "event.category", "configuration");
    kw_json_kv_str(j, "event.outcome", r->status == AUDIT_PASS ? "success" : r->status == AUDIT_FAIL ? "failure" : "unknown");
    kw_json_kv_str(j, "result.evaluation", evaluation(r->status));
    kw_json_kv_str(j, "rule.id", r->id);
    kw_json_kv_str(j, "rule.name", r->title_en);
    kw_json_kv_str_opt(j, "rule.category", r->category);
    kw_json_kv_str_opt(j, "rule.ruleset", r->group);
    kw_json_kv_str_opt(j, "rule.description", r->why);
    kw_json_kv_str(j, "message", r->title_en);
    kw_json_kv_str_opt(j, "host.name", host);
    kw_json_kv_str_opt(j, "file.path", r->file);
    if (r->line > 0)
        kw_json_kv_int(j, "keepwatch.finding.line", r->line);
    kw_json_kv_str_opt(j, "keepwatch.finding.text", r->text);
    if (r->status == AUDIT_FAIL || r->status == AUDIT_NOTE) {
        kw_json_kv_str(j, "vulnerability.id", r->id);
        kw_json_kv_str_opt(j, "vulnerability.category", r->category);
        kw_json_kv_str(j, "vulnerability.severity", finding_sev_name(r->status == AUDIT_NOTE ? FINDING_INFO : r->severity));
        kw_json_kv_str(j, "vulnerability.scanner.vendor", "keepwatch");
    }
    kw_json_kv_str(j, "keepwatch.audit.status", audit_status_name(r->status));
    kw_json_kv_str(j, "keepwatch.audit.severity", finding_sev_name(r->severity));
    kw_json_kv_str_opt(j, "keepwatch.audit.title_zh", r->title_zh);
    kw_json_kv_str_opt(j, "keepwatch.audit.found", r->found);
    kw_json_kv_str_opt(j, "keepwatch.audit.expected", r->expected);
    kw_json_kv_str_opt(j, "keepwatch.audit.fix", r->fix);
    kw_json_kv_str_opt(j, "keepwatch.audit.key", r->key);
    kw_json_kv_str_opt(j, "keepwatch.audit.cis", r->refs.cis);
    kw_json_kv_str_opt(j, "keepwatch.audit.gb", r->refs.gb);
    kw_json_obj_end(j);
}

void audit_res_text(kw_buf *b, const audit_res *r, bool zh)
{
    const char *sev = r->status == AUDIT_FAIL ? finding_sev_name(r->severity) : r->status == AUDIT_NOTE ? "info" : "";
    kw_buf_printf(b, "%-4s %-8s %-28s ", r->status == AUDIT_NA ? "n/a" : audit_status_name(r->status), sev, r->id);
    if (set(r->file)) {
        kw_buf_puts(b, r->file);
        if (r->line > 0)
            kw_buf_printf(b, ":%d", r->line);
        kw_buf_puts(b, "  ");
    }
    kw_buf_puts(b, zh && set(r->title_zh) ? r->title_zh : r->title_en);
    if (r->status == AUDIT_FAIL || r->status == AUDIT_NOTE) {
        if (set(r->found) || set(r->expected))
            kw_buf_printf(b, " (found %s, expected %s)", set(r->found) ? r->found : "-", set(r->expected) ? r->expected : "-");
        if (set(r->why))
            kw_buf_printf(b, "\n     %s", r->why);
    }
    kw_buf_putc(b, '\n');
}

void audit_res_finding(const audit_res *r, const char *host, const char *scanner, finding *f, kw_buf *scratch)
{
    memset(f, 0, sizeof *f);
    f->vuln_id = r->id;
    f->category = r->category;
    f->title = r->title_en;
    f->solution = r->fix;
    f->scanner = scanner;
    f->severity = r->status == AUDIT_NOTE ? FINDING_INFO : r->severity;
    f->score = -1;
    f->host = host;
    f->file_path = r->file;
    f->line = r->line;
    f->text = r->text;
    f->parameter = r->key;
    /* the description says what was found against what is expected, and why; the references
     * are the benchmark items */
    size_t d0 = scratch->len;
    if (set(r->title_zh))
        kw_buf_printf(scratch, "%s. ", r->title_zh);
    if (set(r->why))
        kw_buf_printf(scratch, "%s. ", r->why);
    if (set(r->found) || set(r->expected))
        kw_buf_printf(scratch, "Found: %s; expected: %s.", set(r->found) ? r->found : "-", set(r->expected) ? r->expected : "-");
    kw_buf_putc(scratch, '\0');
    size_t d1 = scratch->len;
    if (set(r->refs.cis))
        kw_buf_printf(scratch, "CIS %s", r->refs.cis);
    if (set(r->refs.gb))
        kw_buf_printf(scratch, "%sGB/T 22239-2019 %s", set(r->refs.cis) ? "; " : "", r->refs.gb);
    kw_buf_putc(scratch, '\0');
    if (!scratch->overflow && scratch->data) {
        f->description = scratch->data + d0;
        f->reference = scratch->data + d1;
        f->evidence = f->description;
    }
}

/* Tabs and newlines would break a line: they become spaces. */
static void put_field(kw_buf *b, const char *s)
{
    for (; s && *s; s++)
        kw_buf_putc(b, *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

void audit_out_line(kw_buf *b, const audit_res *r)
{
    put_field(b, r->id);
    kw_buf_putc(b, '\t');
    put_field(b, r->key);
    kw_buf_printf(b, "\t%s\t", audit_status_name(r->status));
    put_field(b, r->file);
    kw_buf_printf(b, ":%d\t", r->line);
    put_field(b, r->text);
    kw_buf_putc(b, '\t');
    put_field(b, r->found);
    kw_buf_putc(b, '\n');
}

kw_rc audit_out_emit(void *arg, const audit_res *r)
{
    audit_out *o = arg;
    if ((unsigned)r->status < 4)
        o->status[r->status]++;
    if (r->status == AUDIT_FAIL && (unsigned)r->severity <= FINDING_CRITICAL)
        o->failed[r->severity]++;
    if (o->lines)
        audit_out_line(o->lines, r);
    if (o->out && (o->json || o->all || r->status == AUDIT_FAIL || r->status == AUDIT_NOTE)) {
        kw_buf b;
        kw_buf_init(&b, 1 << 20);
        if (o->json) {
            kw_json j;
            kw_json_init(&j, &b);
            audit_res_ecs(&j, r, o->host, o->now_ms);
            kw_buf_putc(&b, '\n');
        } else {
            audit_res_text(&b, r, o->zh);
        }
        fwrite(b.data, 1, b.len, o->out);
        kw_buf_free(&b);
    }
    if (!o->sink || (r->status != AUDIT_FAIL && r->status != AUDIT_NOTE))
        return KW_OK;
    kw_buf scratch;
    kw_buf_init(&scratch, 64 << 10);
    finding f;
    audit_res_finding(r, o->host, o->scanner, &f, &scratch);
    kw_rc rc = finding_emit(o->sink, &f);
    kw_buf_free(&scratch);
    return rc;
}

void audit_out_summary(const audit_out *o, kw_buf *b)
{
    size_t total = o->status[0] + o->status[1] + o->status[2] + o->status[3];
    kw_buf_printf(b, "%zu result%s: %zu pass, %zu fail", total, total == 1 ? "" : "s", o->status[AUDIT_PASS],
                  o->status[AUDIT_FAIL]);
    if (o->status[AUDIT_FAIL]) {
        const char *sep = " (";
        for (int s = FINDING_CRITICAL; s >= FINDING_INFO; s--)
            if (o->failed[s]) {
                kw_buf_printf(b, "%s%zu %s", sep, o->failed[s], finding_sev_name((finding_sev)s));
                sep = ", ";
            }
        kw_buf_putc(b, ')');
    }
    kw_buf_printf(b, ", %zu n/a, %zu note%s", o->status[AUDIT_NA], o->status[AUDIT_NOTE], o->status[AUDIT_NOTE] == 1 ? "" : "s");
}

bool audit_locale_zh(void)
{
    const char *vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < 3; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strncmp(v, "zh", 2) == 0;
    }
    return false;
}
