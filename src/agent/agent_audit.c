/* An agent host's security baseline (agent.h, "audit"): the agent runs keepwatch audit host on
 * its system and sends the results as a section; the server records the failures as findings
 * on the agent's host and compares the results with the last ones (drift: audit_drift alerts,
 * job "agent HOST"). */
#include "agent/agent_int.h"
#include "audit/audit_conf.h"
#include "audit/audit_host.h"
#include "audit/audit_out.h"
#include "audit/audit_root.h"
#include "findings/findings_run.h"

#include <stdio.h>
#include <string.h>

static kw_rc write_res(void *arg, const audit_res *r)
{
    kw_json *j = arg;
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "id", r->id);
    kw_json_kv_str(j, "status", audit_status_name(r->status));
    kw_json_kv_int(j, "severity", r->severity);
    kw_json_kv_str(j, "title_en", r->title_en);
    kw_json_kv_str_opt(j, "title_zh", r->title_zh);
    kw_json_kv_str_opt(j, "category", r->category);
    kw_json_kv_str_opt(j, "group", r->group);
    kw_json_kv_str_opt(j, "file", r->file);
    if (r->line > 0)
        kw_json_kv_int(j, "line", r->line);
    kw_json_kv_str_opt(j, "text", r->text);
    kw_json_kv_str_opt(j, "found", r->found);
    kw_json_kv_str_opt(j, "expected", r->expected);
    kw_json_kv_str_opt(j, "why", r->why);
    kw_json_kv_str_opt(j, "fix", r->fix);
    kw_json_kv_str_opt(j, "key", r->key);
    kw_json_kv_str_opt(j, "cis", r->refs.cis);
    kw_json_kv_str_opt(j, "gb", r->refs.gb);
    kw_json_obj_end(j);
    return KW_OK;
}

kw_rc agent_audit_section(const char *root, kw_buf *sec, size_t *nres, char *err, size_t errn)
{
    audit_root r;
    kw_rc rc = audit_root_open(&r, root, err, errn);
    if (rc != KW_OK)
        return rc;
    kw_json j;
    kw_json_init(&j, sec);
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "kind", "host");
    kw_json_key(&j, "results");
    kw_json_arr_begin(&j);
    audit_host_opts o = {0};
    audit_host_stats st = {0};
    rc = audit_host_run(&r, &o, write_res, &j, &st);
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
    audit_root_close(&r);
    *nres = st.checks;
    if (rc != KW_OK)
        snprintf(err, errn, "the host audit stopped: %s", kw_rc_str(rc));
    else if (sec->overflow)
        snprintf(err, errn, "the results are larger than a batch");
    return rc != KW_OK ? rc : sec->overflow ? KW_ERR_FULL : KW_OK;
}

kw_rc agent_audit_record(kw_store *st, const conf *c, const findings_kev *kev, const char *host, const agent_audit *au,
                         findings_counts *k, char *note, size_t noten, char *err, size_t errn)
{
    char source[160];
    snprintf(source, sizeof source, "agent %s", host);
    findings_run *run = findings_run_open(st, c, kev, AUDIT_SCANNER_HOST, source, "keepwatch");
    finding_sink sink = findings_run_sink(run);
    finding_cover cv = {.scanner = AUDIT_SCANNER_HOST, .host = host};
    kw_rc rc = finding_covered(&sink, &cv);
    kw_buf lines;
    kw_buf_init(&lines, (size_t)32 << 20);
    audit_out o = {.host = host, .scanner = AUDIT_SCANNER_HOST, .sink = &sink, .lines = &lines};
    for (size_t i = 0; rc == KW_OK && i < au->n; i++)
        rc = audit_out_emit(&o, &au->v[i]);
    if (rc == KW_OK) {
        rc = findings_run_close(run, k, err, errn);
        run = NULL;
    } else {
        snprintf(err, errn, "a result was refused: %s", kw_rc_str(rc));
    }
    findings_run_abort(run);
    if (rc == KW_OK) {
        char job[160];
        snprintf(job, sizeof job, "agent %s", host);
        audit_drift_take(st, job, &lines, note, noten);
    }
    kw_buf_free(&lines);
    return rc;
}
