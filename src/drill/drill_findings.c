/* drill_findings.c: a run's weak spots into findings (drill_findings.h). */
#include "drill/drill_findings.h"
#include "core/kw_json.h"
#include "findings/findings.h"
#include "incident/incident_pb.h"
#include "oncall/oncall.h"
#include "store/store_drill.h"
#include "store/store_findings.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_words[] = {"security", "operations", "business", "customer service", "management", NULL};

/* The head of the first department whose kind the text names, else the officer on duty now;
 * *dept its department (NULL: none). */
static const char *owner_of(const conf *c, const char *text, int64_t now, const char **dept)
{
    *dept = NULL;
    for (int k = 0; kind_words[k]; k++) {
        if (!strstr(text, kind_words[k]))
            continue;
        for (size_t i = 0; i < c->departments.n; i++) {
            const conf_department *d = CONF_AT(c->departments, conf_department, i);
            if (d->kind == k && d->head) {
                *dept = d->name;
                return d->head;
            }
        }
    }
    const conf_schedule *sch = c->incident.duty_schedule
                                   ? cf_list_find(&c->schedules, sizeof(conf_schedule), c->incident.duty_schedule)
                                   : (c->schedules.n ? CONF_AT(c->schedules, conf_schedule, 0) : NULL);
    oncall_shift cur, next;
    return sch && oncall_at(c, sch, now, &cur, &next) ? cur.person : NULL;
}

/* The finding's ECS document: what the weak spot says, in both languages. */
static void finding_doc(kw_buf *b, int64_t id, const char *scenario, const char *text, const char *text_zh)
{
    kw_json j;
    kw_json_init(&j, b);
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "event.kind", "state");
    kw_json_kv_str(&j, "vulnerability.id", "KW-DRILL-WEAK");
    kw_json_kv_str(&j, "vulnerability.category", "drill");
    kw_json_kv_str(&j, "vulnerability.severity", "medium");
    kw_json_kv_str(&j, "message", text);
    kw_json_kv_str(&j, "vulnerability.description", text_zh ? text_zh : text);
    kw_json_kv_str(&j, "vulnerability.scanner.vendor", "keepwatch");
    kw_json_kv_int(&j, "keepwatch.drill.run", id);
    kw_json_kv_str(&j, "keepwatch.drill.scenario", scenario);
    kw_json_obj_end(&j);
}

static kw_rc one_finding(kw_store *s, const conf *c, int64_t id, const char *scenario, size_t pos, const char *text,
                         const char *text_zh, const char *by, int64_t now, int64_t *fid)
{
    char asset[160], place[64], fp[65];
    snprintf(asset, sizeof asset, "drill:%s", scenario);
    snprintf(place, sizeof place, "drill #%lld", (long long)id);
    findings_fingerprint(asset, "KW-DRILL-WEAK", text, fp);
    store_finding f;
    if (store_finding_get(s, fp, 0, &f) == KW_OK) { /* the same weak spot of an earlier run */
        *fid = f.id;
        return store_drill_weak_finding(s, id, (int64_t)pos, f.id);
    }
    const char *dept, *owner = owner_of(c, text, now, &dept);
    kw_buf doc;
    kw_buf_init(&doc, 65536);
    finding_doc(&doc, id, scenario, text, text_zh);
    store_finding_put put = {.fingerprint = fp, .asset = asset, .vuln_id = "KW-DRILL-WEAK", .scanner = "keepwatch",
                             .title = text, .category = "drill", .place = place, .severity = FINDING_MEDIUM,
                             .score = -1, .risk = 5, .transport = "", .doc = kw_buf_cstr(&doc), .now_ms = now};
    store_finding_change ch = {.status = owner ? "assigned" : "open", .owner = owner, .department = dept,
                               .due_ms = findings_due(c, FINDING_MEDIUM, now), .status_ms = now, .by = by,
                               .severity = FINDING_MEDIUM, .risk = 5};
    kw_rc rc = store_finding_insert(s, &put, &ch, fid);
    if (rc == KW_OK)
        rc = store_finding_history_add(s, *fid, now, by, "found", NULL, ch.status, place);
    if (rc == KW_OK)
        rc = store_drill_weak_finding(s, id, (int64_t)pos, *fid);
    kw_buf_free(&doc);
    return rc;
}

kw_rc drill_findings_make(kw_store *s, const conf *c, int64_t id, const char *by, int64_t now, kw_buf *out)
{
    kw_buf b;
    kw_buf_init(&b, (size_t)16 << 20);
    kw_rc rc = store_drill_run_json(s, id, &b);
    json_t *run = rc == KW_OK ? json_loads(kw_buf_cstr(&b), 0, NULL) : NULL;
    kw_buf_free(&b);
    if (rc != KW_OK)
        return rc;
    if (!json_is_integer(json_object_get(run, "score"))) {
        json_decref(run);
        return KW_ERR_RANGE;
    }
    const char *scenario = json_string_value(json_object_get(run, "scenario"));
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "run", id);
    kw_json_key(&j, "findings");
    kw_json_arr_begin(&j);
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(run, "weak"), i, w) {
        json_t *f = json_object_get(w, "finding");
        int64_t fid = json_is_integer(f) ? (int64_t)json_integer_value(f) : 0;
        const char *text = json_string_value(json_object_get(w, "text"));
        if (!fid && text && rc == KW_OK)
            rc = one_finding(s, c, id, scenario ? scenario : "?", i, text,
                             json_string_value(json_object_get(w, "text_zh")), by, now, &fid);
        if (fid)
            kw_json_int(&j, fid);
    }
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
    json_decref(run);
    return rc;
}
