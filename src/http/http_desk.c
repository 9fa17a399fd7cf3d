/* The console's data: the overview wall, the duty log, who is on duty, metric history. */
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "http/http_int.h"
#include "http/http_reply.h"
#include "notify/notify.h"
#include "oncall/oncall.h"
#include "store/store_notify.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static void json_entry(void *arg, const store_duty_entry *e)
{
    kw_json *j = arg;
    kw_json_obj_begin(j);
    kw_json_kv_int(j, "id", e->id);
    kw_json_key(j, "ts");
    kw_json_time(j, e->ts_ms);
    kw_json_kv_str(j, "kind", e->kind);
    kw_json_kv_str(j, "actor", e->actor);
    if (e->alert_id)
        kw_json_kv_int(j, "alert_id", e->alert_id);
    kw_json_kv_str(j, "text", e->text);
    kw_json_kv_str(j, "hash", e->hash);
    kw_json_obj_end(j);
}

/* The chain's verification: entries added since the last answer are checked as they come
 * (the count always covers what is shown); the whole log is read again every VERIFY_EVERY_MS. */
#define VERIFY_EVERY_MS 30000
static pthread_mutex_t verify_mu = PTHREAD_MUTEX_INITIALIZER;
static store_duty_check verify_state;
static int64_t verify_at; /* the last full check */

static void json_verify(kw_json *j, kw_store *st)
{
    int64_t now = kw_now_ms();
    pthread_mutex_lock(&verify_mu);
    if (!verify_at || now - verify_at >= VERIFY_EVERY_MS) {
        memset(&verify_state, 0, sizeof verify_state);
        verify_at = now;
    }
    const store_duty_check *v = &verify_state;
    bool ok = store_duty_verify_more(st, &verify_state) == KW_OK;
    kw_json_key(j, "verify");
    kw_json_obj_begin(j);
    kw_json_kv_bool(j, "intact", ok);
    kw_json_kv_int(j, "entries", v->entries);
    if (!ok) {
        kw_json_kv_int(j, "bad_entry", v->bad_id);
        kw_json_kv_str(j, "why", v->why[0] ? v->why : "the store could not be read");
    }
    kw_json_key(j, "checked");
    kw_json_time(j, verify_at);
    kw_json_obj_end(j);
    pthread_mutex_unlock(&verify_mu);
}

/* Who is on duty in each schedule now, and who is next. */
static void json_oncall_now(kw_json *j, const conf *c, int64_t now)
{
    kw_json_arr_begin(j);
    for (size_t i = 0; c && i < c->schedules.n; i++) {
        const conf_schedule *sc = CONF_AT(c->schedules, conf_schedule, i);
        oncall_shift cur = {0}, next = {0};
        bool on = oncall_at(c, sc, now, &cur, &next);
        kw_json_obj_begin(j);
        kw_json_kv_str(j, "schedule", sc->name);
        if (on) {
            const conf_person *p = conf_person_find(c, cur.person);
            kw_json_kv_str(j, "person", cur.person);
            kw_json_kv_str(j, "display", p && p->display ? p->display : cur.person);
            if (p && p->phone)
                kw_json_kv_str(j, "phone", p->phone);
            kw_json_key(j, "until");
            kw_json_time(j, cur.end_ms);
        }
        if (next.person) {
            const conf_person *p = conf_person_find(c, next.person);
            kw_json_kv_str(j, "next", p && p->display ? p->display : next.person);
            kw_json_kv_str(j, "next_person", next.person); /* the name a handover goes to */
            kw_json_key(j, "next_from");
            kw_json_time(j, next.start_ms);
        }
        kw_json_obj_end(j);
    }
    kw_json_arr_end(j);
}

/* The open alerts as the wall counts them. */
typedef struct wall {
    const conf *cf;
    size_t nassets;
    int *worst, *count;
    bool *acked_only;
    int64_t by_sev[5], firing, acked;
} wall;

static void wall_alert(void *arg, const store_alert_view *v)
{
    wall *w = arg;
    int sev = v->severity;
    bool is_firing = !strcmp(v->state, "firing");
    if (sev >= 1 && sev <= 4)
        w->by_sev[sev]++;
    if (is_firing)
        w->firing++;
    else
        w->acked++;
    if (!w->nassets)
        return;
    notify_alert a;
    notify_alert_init(&a, w->cf, v->id, v->rule, v->state, NULL, sev, v->started_ms, v->labels_json);
    if (a.asset) {
        size_t k = (size_t)(a.asset - (const conf_asset *)w->cf->assets.items);
        if (sev > w->worst[k])
            w->worst[k] = sev;
        w->count[k]++;
        if (is_firing)
            w->acked_only[k] = false;
    }
    notify_alert_fini(&a);
}

/* GET /api/v1/overview: what the wall shows, in one answer. */
/* The wall's answer but for who asks and when: kept per thread while the store and the
 * configuration are unchanged, for at most OVERVIEW_KEEP_MS (who is on duty moves with the
 * clock alone). */
#define OVERVIEW_KEEP_MS 10000
static bool build_overview(http_server *s, struct MHD_Connection *c, kw_store *st, kw_buf *out, void *arg)
{
    int64_t now = *(const int64_t *)arg;
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    pthread_rwlock_rdlock(&s->sh->cfg_lock);
    const conf *cf = s->sh->cfg;
    kw_json_key(&j, "period");
    if (cf && cf->period.start_ms) {
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "name", cf->period.name ? cf->period.name : "");
        kw_json_key(&j, "start");
        kw_json_time(&j, cf->period.start_ms);
        kw_json_key(&j, "end");
        kw_json_time(&j, cf->period.end_ms);
        kw_json_obj_end(&j);
    } else {
        kw_json_null(&j);
    }
    /* open alerts: counts by state and severity, and each asset's worst */
    size_t nassets = cf ? cf->assets.n : 0;
    wall w = {.cf = cf, .nassets = nassets, .worst = kw_calloc(nassets + 1, sizeof(int)),
              .count = kw_calloc(nassets + 1, sizeof(int)), .acked_only = kw_calloc(nassets + 1, sizeof(bool))};
    for (size_t i = 0; i < nassets; i++)
        w.acked_only[i] = true;
    store_alert_each_open_view(st, wall_alert, &w);
    int *worst = w.worst, *count = w.count;
    bool *acked_only = w.acked_only;
    int64_t *by_sev = w.by_sev, firing = w.firing, acked = w.acked;
    kw_json_key(&j, "alerts");
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "firing", firing);
    kw_json_kv_int(&j, "acked", acked);
    kw_json_key(&j, "by_severity");
    kw_json_obj_begin(&j);
    for (int sv = 4; sv >= 1; sv--)
        kw_json_kv_int(&j, kw_severity_name(sv), by_sev[sv]);
    kw_json_obj_end(&j);
    kw_json_obj_end(&j);
    kw_json_key(&j, "assets");
    kw_json_arr_begin(&j);
    for (size_t i = 0; i < nassets; i++) {
        const conf_asset *as = CONF_AT(cf->assets, conf_asset, i);
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "name", as->name);
        if (as->business)
            kw_json_kv_str(&j, "business", as->business);
        if (as->department)
            kw_json_kv_str(&j, "department", as->department);
        kw_json_kv_str(&j, "criticality", kw_severity_name(as->criticality));
        kw_json_kv_str(&j, "state", !count[i] ? "ok" : acked_only[i] ? "acked" : "firing");
        if (count[i])
            kw_json_kv_str(&j, "severity", kw_severity_name(worst[i]));
        kw_json_kv_int(&j, "alerts", count[i]);
        kw_json_obj_end(&j);
    }
    kw_json_arr_end(&j);
    free(worst);
    free(count);
    free(acked_only);
    kw_json_key(&j, "oncall");
    json_oncall_now(&j, cf, now);
    pthread_rwlock_unlock(&s->sh->cfg_lock);
    kw_json_key(&j, "duty");
    kw_json_obj_begin(&j);
    kw_json_key(&j, "entries");
    kw_json_arr_begin(&j);
    store_duty_latest(st, 12, 0, json_entry, &j);
    kw_json_arr_end(&j);
    json_verify(&j, st);
    kw_json_obj_end(&j);
    kw_json_obj_end(&j);
    return true;
}

enum MHD_Result api_overview(http_server *s, struct MHD_Connection *c, const principal *p)
{
    int64_t now = kw_now_ms();
    kw_buf rest;
    kw_buf_init(&rest, 0);
    char key[96];
    pthread_rwlock_rdlock(&s->sh->cfg_lock);
    snprintf(key, sizeof key, "overview %p %lld", (const void *)s->sh->cfg, (long long)(now / OVERVIEW_KEEP_MS));
    pthread_rwlock_unlock(&s->sh->cfg_lock);
    if (!http_cached(s, c, key, build_overview, &now, &rest)) {
        kw_buf_free(&rest);
        return MHD_YES;
    }
    /* {"user": ..., "now": ..., and the rest (after its opening brace) */
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    http_json_user(&j, &p->user);
    kw_json_key(&j, "now");
    kw_json_time(&j, now);
    kw_buf_putc(&b, ',');
    kw_buf_append(&b, rest.data + 1, rest.len - 1);
    kw_buf_free(&rest);
    return http_json(c, MHD_HTTP_OK, &b);
}

/* GET /api/v1/duty?limit=N&before=ID: the duty log, newest first, with the chain's state. */
enum MHD_Result api_duty(http_server *s, struct MHD_Connection *c)
{
    kw_store *st = http_store(s);
    if (!st)
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "store unavailable");
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_key(&j, "entries");
    kw_json_arr_begin(&j);
    kw_rc rc = store_duty_latest(st, http_query_int(c, "limit", 100, 1, 1000), http_query_int(c, "before", 0, 1, INT64_MAX),
                                 json_entry, &j);
    kw_json_arr_end(&j);
    json_verify(&j, st);
    kw_json_obj_end(&j);
    if (rc != KW_OK) {
        kw_buf_free(&b);
        return http_store_error(c, st);
    }
    return http_json(c, MHD_HTTP_OK, &b);
}

/* POST /api/v1/duty/notes {"text"}: a note in the duty log by the officer signed in. */
enum MHD_Result api_duty_note(http_server *s, struct MHD_Connection *c, http_req *req, const principal *p)
{
    if (req->too_large)
        return http_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
    if (p->user.role < ROLE_OFFICER)
        return http_error(c, MHD_HTTP_FORBIDDEN, "only duty officers and admins write the duty log");
    json_t *root = json_loadb(req->body.data ? req->body.data : "", req->body.len, JSON_REJECT_DUPLICATES, NULL);
    const char *text = json_string_value(json_object_get(root, "text"));
    if (!text || !*text || strlen(text) > 16384) {
        json_decref(root);
        return http_error(c, MHD_HTTP_BAD_REQUEST, "send {\"text\": ...} (at most 16 KiB)");
    }
    kw_store *st = http_store(s);
    kw_rc rc = st ? store_duty_append(st, kw_now_ms(), "note", p->user.name, 0, text) : KW_ERR_STORE;
    json_decref(root);
    if (rc != KW_OK)
        return http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, st ? store_errmsg(st) : "store unavailable");
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_buf_puts(&b, "{\"noted\":true}");
    return http_json(c, MHD_HTTP_CREATED, &b);
}

/* POST /api/v1/duty/handover {"to": NAME, "note": TEXT}: the officer signed in hands over. */
enum MHD_Result api_duty_handover(http_server *s, struct MHD_Connection *c, http_req *req, const principal *p)
{
    if (p->user.role < ROLE_OFFICER)
        return http_error(c, MHD_HTTP_FORBIDDEN, "only duty officers and admins hand over");
    enum MHD_Result ret;
    json_t *root = http_body_object(c, req, "send {\"to\": NAME, \"note\": TEXT} (both optional)", &ret);
    if (!root)
        return ret;
    const char *to = json_string_value(json_object_get(root, "to"));
    const char *note = json_string_value(json_object_get(root, "note"));
    if ((to && strlen(to) > 64) || (note && strlen(note) > 16384)) {
        json_decref(root);
        return http_error(c, MHD_HTTP_BAD_REQUEST, "\"to\" is at most 64 bytes, \"note\" 16 KiB");
    }
    kw_store *st = http_store(s);
    char why[160];
    if (st && to && *to && !http_person_known(s, st, to, why, sizeof why)) {
        json_decref(root);
        return http_error(c, MHD_HTTP_BAD_REQUEST, why);
    }
    kw_rc rc = st ? store_duty_handover(st, kw_now_ms(), 0, p->user.name, to && *to ? to : NULL, note)
                  : KW_ERR_STORE;
    json_decref(root);
    if (rc != KW_OK)
        return http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, st ? store_errmsg(st) : "store unavailable");
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_buf_puts(&b, "{\"handed_over\":true}");
    return http_json(c, MHD_HTTP_CREATED, &b);
}

/* GET /api/v1/oncall?days=N: who is on duty now, and every schedule's shifts for N days (7). */
enum MHD_Result api_oncall(http_server *s, struct MHD_Connection *c)
{
    int64_t now = kw_now_ms(), days = http_query_int(c, "days", 7, 1, 62);
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    pthread_rwlock_rdlock(&s->sh->cfg_lock);
    const conf *cf = s->sh->cfg;
    kw_json_key(&j, "now");
    json_oncall_now(&j, cf, now);
    kw_json_key(&j, "shifts");
    kw_json_arr_begin(&j);
    for (size_t i = 0; cf && i < cf->schedules.n; i++) {
        const conf_schedule *sc = CONF_AT(cf->schedules, conf_schedule, i);
        oncall_shifts sh = {0};
        oncall_schedule_shifts(cf, sc, now - now % 86400000, now + days * 86400000, &sh);
        for (size_t k = 0; k < sh.n; k++) {
            const conf_person *pp = conf_person_find(cf, sh.v[k].person);
            kw_json_obj_begin(&j);
            kw_json_kv_str(&j, "schedule", sc->name);
            kw_json_kv_str(&j, "person", sh.v[k].person);
            kw_json_kv_str(&j, "display", pp && pp->display ? pp->display : sh.v[k].person);
            kw_json_kv_str(&j, "layer", sh.v[k].layer);
            kw_json_key(&j, "start");
            kw_json_time(&j, sh.v[k].start_ms);
            kw_json_key(&j, "end");
            kw_json_time(&j, sh.v[k].end_ms);
            kw_json_obj_end(&j);
        }
        oncall_shifts_free(&sh);
    }
    kw_json_arr_end(&j);
    pthread_rwlock_unlock(&s->sh->cfg_lock);
    kw_json_obj_end(&j);
    return http_json(c, MHD_HTTP_OK, &b);
}

/* GET /api/v1/series?name=SERIES&minutes=N: a metric's history (avg, min, max per point);
 * GET /api/v1/series?prefix=P: the names of the series kept, for choosing. */
enum MHD_Result api_series(http_server *s, struct MHD_Connection *c)
{
    const char *name = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "name");
    const char *prefix = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "prefix");
    if ((!name || !*name || strlen(name) > 512) && (!prefix || strlen(prefix) > 128))
        return http_error(c, MHD_HTTP_BAD_REQUEST, "name=SERIES (e.g. host_cpu_usage_ratio) or prefix=P");
    kw_store *st = http_store(s);
    if (!st)
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "store unavailable");
    int64_t now = kw_now_ms(), minutes = http_query_int(c, "minutes", 60, 1, 60 * 24 * 90);
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_rc rc = name && *name ? store_metric_query_json(st, name, now - minutes * 60000, now, &b)
                             : store_metric_names_json(st, prefix, &b);
    if (rc != KW_OK) {
        kw_buf_free(&b);
        return rc == KW_ERR_NOTFOUND || rc == KW_ERR_RANGE ? http_error(c, MHD_HTTP_NOT_FOUND, "no such series")
                                                           : http_store_error(c, st);
    }
    return http_json(c, MHD_HTTP_OK, &b);
}
