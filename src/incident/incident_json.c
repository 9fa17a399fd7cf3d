/* incident_json.c: a playbook as canonical JSON, and its SHA-256: the digest an incident keeps
 * so that a later review knows which version of the plan ran. The JSON has every field of the
 * playbook in the order of the YAML shape (incident_conf.h), absent strings as null. */
#include "core/kw_json.h"
#include "incident/incident_ops.h"
#include "incident/incident_plan.h"

#include <openssl/evp.h>
#include <stdio.h>

static void kv_strs(kw_json *j, const char *k, const conf_strs *v)
{
    kw_json_key(j, k);
    kw_json_arr_begin(j);
    for (size_t i = 0; i < v->n; i++)
        kw_json_str(j, v->v[i]);
    kw_json_arr_end(j);
}

static void step_json(kw_json *j, const conf_pb_step *s)
{
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "name", s->name);
    kw_json_kv_str(j, "title", s->title);
    kw_json_kv_str(j, "title_zh", s->title_zh);
    kw_json_kv_str(j, "do", s->instructions);
    kw_json_kv_str(j, "do_zh", s->instructions_zh);
    kw_json_kv_str(j, "owner", s->owner ? s->owner : "duty");
    kw_json_kv_int(j, "within_ms", s->within_ms);
    kv_strs(j, "needs", &s->needs);
    kv_strs(j, "tell", &s->tell);
    kw_json_kv_str(j, "message", s->message);
    kw_json_kv_str(j, "message_zh", s->message_zh);
    kw_json_kv_str(j, "report", incident_report_name(s->report));
    kv_strs(j, "grades", &s->grades);
    kw_json_obj_end(j);
}

static void phases_json(kw_json *j, const conf_playbook *pb)
{
    const conf_pb_phase *ph = pb->phases.items;
    kw_json_key(j, "phases");
    kw_json_arr_begin(j);
    for (size_t i = 0; i < pb->phases.n; i++) {
        kw_json_obj_begin(j);
        kw_json_kv_str(j, "phase", incident_phase_name(ph[i].phase));
        kw_json_key(j, "steps");
        kw_json_arr_begin(j);
        const conf_pb_step *s = ph[i].steps.items;
        for (size_t k = 0; k < ph[i].steps.n; k++)
            step_json(j, &s[k]);
        kw_json_arr_end(j);
        kw_json_obj_end(j);
    }
    kw_json_arr_end(j);
}

void incident_playbook_json(const conf_playbook *pb, kw_buf *out)
{
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "name", pb->name);
    kw_json_kv_str(&j, "title", pb->title);
    kw_json_kv_str(&j, "title_zh", pb->title_zh);
    kw_json_kv_str(&j, "description", pb->description);
    kw_json_kv_str(&j, "description_zh", pb->description_zh);
    kw_json_kv_str(&j, "category", pb->category);
    kw_json_kv_str(&j, "subcategory", pb->subcategory);
    kw_json_kv_str(&j, "grade", incident_grade_name(pb->grade));
    const conf_pb_grade *g = pb->grades.items;
    kw_json_key(&j, "grades");
    kw_json_arr_begin(&j);
    for (size_t i = 0; i < pb->grades.n; i++) {
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "grade", incident_grade_name(g[i].grade));
        kw_json_kv_str(&j, "criteria", g[i].criteria);
        kw_json_kv_str(&j, "criteria_zh", g[i].criteria_zh);
        kw_json_obj_end(&j);
    }
    kw_json_arr_end(&j);
    phases_json(&j, pb);
    kw_json_obj_end(&j);
}

void incident_playbook_digest(const conf_playbook *pb, char hex[65])
{
    kw_buf b;
    kw_buf_init(&b, 16 << 20);
    incident_playbook_json(pb, &b);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(b.data, b.len, md, &n, EVP_sha256(), NULL);
    for (unsigned int i = 0; i < n && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    hex[64] = '\0';
    kw_buf_free(&b);
}
