/* A reported finding as an ECS document (DESIGN.md, "Findings") and the print sink the scan
 * and import commands use: one JSON line per finding, or one text line. No store I/O. */
#include "findings/finding.h"
#include "findings/finding_print.h"

#include <stdio.h>
#include <string.h>

static bool set(const char *s)
{
    return s && *s;
}

void finding_ecs(kw_json *j, const finding *f, int64_t now_ms)
{
    kw_json_obj_begin(j);
    kw_json_kv_time(j, "@timestamp", f->seen_ms ? f->seen_ms : now_ms);
    kw_json_kv_str(j, "event.kind", "state");
    kw_json_kv_str(j, "vulnerability.id", f->vuln_id);
    kw_json_kv_str_opt(j, "vulnerability.category", f->category);
    kw_json_kv_str(j, "vulnerability.severity", finding_sev_name(f->severity));
    if (f->score >= 0) {
        kw_json_kv_num(j, "vulnerability.score.base", f->score);
        kw_json_kv_str_opt(j, "vulnerability.score.version", f->score_version);
    }
    kw_json_kv_str_opt(j, "vulnerability.classification", f->vector ? "CVSS" : NULL);
    kw_json_kv_str_opt(j, "keepwatch.finding.vector", f->vector);
    kw_json_kv_str_opt(j, "message", f->title);
    kw_json_kv_str_opt(j, "vulnerability.description", f->description);
    kw_json_kv_str_opt(j, "keepwatch.finding.solution", f->solution);
    kw_json_kv_str_opt(j, "vulnerability.reference", f->reference);
    kw_json_kv_str_opt(j, "keepwatch.finding.cwe", f->cwe);
    kw_json_kv_str_opt(j, "vulnerability.scanner.vendor", f->scanner);
    if (f->version_based)
        kw_json_kv_bool(j, "keepwatch.finding.version_based", true);
    kw_json_kv_str_opt(j, "host.name", f->host);
    kw_json_kv_str_opt(j, "host.ip", f->ip);
    if (f->port > 0) {
        kw_json_kv_int(j, "destination.port", f->port);
        kw_json_kv_str_opt(j, "network.transport", f->transport);
    }
    kw_json_kv_str_opt(j, "service.name", f->service);
    kw_json_kv_str_opt(j, "url.full", f->url);
    kw_json_kv_str_opt(j, "keepwatch.finding.parameter", f->parameter);
    kw_json_kv_str_opt(j, "file.path", f->file_path);
    if (f->line > 0)
        kw_json_kv_int(j, "keepwatch.finding.line", f->line);
    kw_json_kv_str_opt(j, "keepwatch.finding.text", f->text);
    kw_json_kv_str_opt(j, "package.name", f->package);
    kw_json_kv_str_opt(j, "package.version", f->installed);
    kw_json_kv_str_opt(j, "keepwatch.finding.fixed_version", f->fixed);
    kw_json_kv_str_opt(j, "keepwatch.finding.evidence", f->evidence);
    kw_json_obj_end(j);
}

void finding_text(kw_buf *b, const finding *f)
{
    kw_buf_printf(b, "%-8s %-20s ", finding_sev_name(f->severity), f->vuln_id);
    if (set(f->ip) || set(f->host))
        kw_buf_printf(b, "%s", set(f->host) ? f->host : f->ip);
    if (f->port > 0)
        kw_buf_printf(b, ":%d/%s", f->port, set(f->transport) ? f->transport : "tcp");
    if (set(f->url))
        kw_buf_printf(b, " %s", f->url);
    if (set(f->parameter))
        kw_buf_printf(b, " [%s]", f->parameter);
    if (set(f->file_path))
        kw_buf_printf(b, " %s:%d", f->file_path, f->line);
    if (set(f->package))
        kw_buf_printf(b, " %s %s", f->package, set(f->installed) ? f->installed : "");
    kw_buf_printf(b, "  %s", f->title);
    if (set(f->fixed))
        kw_buf_printf(b, " (fixed in %s)", f->fixed);
    kw_buf_append(b, "\n", 1);
}

static kw_rc print_emit(void *ctx, const finding *f)
{
    finding_printer *p = ctx;
    kw_buf b;
    kw_buf_init(&b, 1 << 20);
    if (p->json) {
        kw_json j;
        kw_json_init(&j, &b);
        finding_ecs(&j, f, p->now_ms);
        kw_buf_append(&b, "\n", 1);
    } else {
        finding_text(&b, f);
    }
    fwrite(b.data, 1, b.len, p->out);
    kw_buf_free(&b);
    p->count[f->severity <= FINDING_CRITICAL ? f->severity : FINDING_INFO]++;
    p->total++;
    return KW_OK;
}

finding_sink finding_printer_sink(finding_printer *p)
{
    return (finding_sink){.emit = print_emit, .cover = NULL, .ctx = p};
}
