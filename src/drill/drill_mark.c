/* drill_mark.c: the marks of the runs in progress, the core's mark hook and the checks'
 * question whether a drill forces them down (drill_mark.h, drill.h). */
#include "drill/drill_mark.h"
#include "core/kw_json.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "daemon/kw_core.h"
#include "drill/drill.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool run_in_force(const drill_mark_run *r, int64_t now)
{
    return !r->until_ms || now < r->until_ms;
}

static bool seen_has(const drill_seen *s, const char *v)
{
    for (size_t i = 0; i < s->n && i < DRILL_SEEN_MAX; i++)
        if (s->values[i][0] && strcmp(s->values[i], v) == 0)
            return true;
    return false;
}

/* The run of m whose seen values one of labels' string values is, or NULL. */
static const drill_mark_run *match(const struct drill_marks *m, int64_t now, json_t *labels)
{
    const char *k;
    json_t *v;
    json_object_foreach(labels, k, v) {
        if (!json_is_string(v))
            continue;
        for (size_t i = 0; i < m->n && i < DRILL_MARK_RUNS_MAX; i++)
            if (run_in_force(&m->v[i], now) && seen_has(&m->v[i].seen, json_string_value(v)))
                return &m->v[i];
    }
    return NULL;
}

int64_t drill_mark_act(const struct drill_marks *m, int64_t now_ms, alert_act *a)
{
    if (!a->labels_json)
        return 0;
    json_t *labels = json_loads(a->labels_json, 0, NULL);
    if (!json_is_object(labels)) {
        json_decref(labels);
        return 0;
    }
    int64_t id = 0;
    json_t *d = json_object_get(labels, "drill");
    if (json_is_string(d)) {
        id = strtoll(json_string_value(d), NULL, 10);
    } else if (m) {
        const drill_mark_run *r = match(m, now_ms, labels);
        char *out;
        char ids[24];
        if (r && (snprintf(ids, sizeof ids, "%lld", (long long)r->id),
                  json_object_set_new(labels, "drill", json_string(ids)) == 0) &&
            (out = json_dumps(labels, JSON_COMPACT | JSON_SORT_KEYS)) != NULL) {
            char fp[17];
            alert_fingerprint(a->fingerprint, "drill", ids, fp);
            memcpy(a->fingerprint, fp, sizeof fp);
            free(a->labels_json);
            a->labels_json = kw_strdup(out);
            free(out);
            id = r->id;
        }
    }
    json_decref(labels);
    return id;
}

void drill_mark_hook(kw_core *core, alert_acts *acts)
{
    pthread_mutex_lock(&core->drill.mu);
    const struct drill_marks *m = core->drill.marks;
    if (m && m->n) {
        int64_t now = kw_now_ms();
        for (size_t i = 0; i < acts->n; i++)
            (void)drill_mark_act(m, now, &acts->v[i]);
    }
    pthread_mutex_unlock(&core->drill.mu);
}

void drill_marks_publish(kw_core *core, const struct drill_marks *next)
{
    struct drill_marks *copy = NULL;
    if (next && next->n) {
        copy = kw_calloc(1, sizeof *copy);
        memcpy(copy, next, sizeof *copy);
    }
    pthread_mutex_lock(&core->drill.mu);
    struct drill_marks *old = core->drill.marks;
    core->drill.marks = copy;
    pthread_mutex_unlock(&core->drill.mu);
    free(old);
}

bool drill_check_forced(kw_core *core, const char *check, int64_t now_ms, char *why, size_t n)
{
    bool forced = false;
    pthread_mutex_lock(&core->drill.mu);
    const struct drill_marks *m = core->drill.marks;
    for (size_t i = 0; m && check && i < m->n && !forced; i++) {
        const drill_mark_run *r = &m->v[i];
        if (r->seen.check[0] && strcmp(r->seen.check, check) == 0 && now_ms < r->seen.check_until_ms &&
            run_in_force(r, now_ms)) {
            forced = true;
            if (why && n)
                snprintf(why, n, "drill #%lld (%s): forced down", (long long)r->id, r->scenario);
        }
    }
    pthread_mutex_unlock(&core->drill.mu);
    return forced;
}

void drill_seen_json(const drill_seen *seen, kw_buf *out)
{
    kw_json j;
    kw_json_init(&j, out);
    kw_json_obj_begin(&j);
    kw_json_key(&j, "values");
    kw_json_arr_begin(&j);
    for (size_t i = 0; i < seen->n && i < DRILL_SEEN_MAX; i++)
        kw_json_str(&j, seen->values[i]);
    kw_json_arr_end(&j);
    kw_json_kv_str(&j, "check", seen->check);
    kw_json_kv_int(&j, "check_until", seen->check_until_ms);
    kw_json_obj_end(&j);
}

kw_rc drill_seen_parse(const char *json, drill_seen *seen)
{
    memset(seen, 0, sizeof *seen);
    json_t *o = json ? json_loads(json, 0, NULL) : NULL, *vals = json_object_get(o, "values");
    if (!json_is_object(o) || (vals && !json_is_array(vals))) {
        json_decref(o);
        return KW_ERR_PARSE;
    }
    size_t i;
    json_t *v;
    json_array_foreach(vals, i, v) {
        const char *s = json_string_value(v);
        if (s && seen->n < DRILL_SEEN_MAX && strlen(s) < sizeof seen->values[0])
            snprintf(seen->values[seen->n++], sizeof seen->values[0], "%s", s);
    }
    const char *ck = json_string_value(json_object_get(o, "check"));
    if (ck && strlen(ck) < sizeof seen->check)
        snprintf(seen->check, sizeof seen->check, "%s", ck);
    json_t *until = json_object_get(o, "check_until");
    seen->check_until_ms = json_is_integer(until) ? (int64_t)json_integer_value(until) : 0;
    json_decref(o);
    return KW_OK;
}

bool drill_mark_stage_ok(const char *stage)
{
    static const char *const main_stages[] = {"detected", "notified", "acked", "declared", NULL};
    if (!stage)
        return false;
    for (size_t i = 0; main_stages[i]; i++)
        if (strcmp(stage, main_stages[i]) == 0)
            return true;
    if (strncmp(stage, "step:", 5) != 0)
        return false;
    size_t n = strlen(stage + 5);
    if (!n || n > 127)
        return false;
    for (const char *p = stage + 5; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
              *p == '-' || *p == '.'))
            return false;
    return true;
}
