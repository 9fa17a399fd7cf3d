/* store_drill: a run's life in the tables (requested, running, stopped or scored), its JSON as
 * i20-common specifies it (the reports and the console read it), the weak spots' findings, the
 * marks, the rows the module reads; on SQLite, and on PostgreSQL with KW_TEST_PG_URL. */
#include "kw_test_store.h"
#include "store/store_drill.h"

#include <jansson.h>
#include <unistd.h>

typedef struct fixture {
    char dir[64], path[96];
    kw_store *s;
} fixture;

static bool fx_open(fixture *x)
{
    snprintf(x->dir, sizeof x->dir, "/tmp/kw-drill-XXXXXX");
    if (!mkdtemp(x->dir))
        return false;
    snprintf(x->path, sizeof x->path, "%s/kw.db", x->dir);
    char err[256];
    kwt_duty_keys_in(x->dir, 100);
    x->s = kwt_store_open(x->path, err, sizeof err);
    if (!x->s) {
        fprintf(stderr, "  %s\n", err);
        return false;
    }
    CHECK_INT(store_migrate_part(x->s, "drill", store_drill_migrations, STORE_DRILL_VERSIONS), KW_OK);
    return true;
}

static void fx_close(fixture *x)
{
    store_close(x->s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", x->dir);
    CHECK(system(cmd) == 0);
}

static json_t *run_json(kw_store *s, int64_t id)
{
    kw_buf b;
    kw_buf_init(&b, 1 << 20);
    json_t *r = store_drill_run_json(s, id, &b) == KW_OK ? json_loads(kw_buf_cstr(&b), 0, NULL) : NULL;
    kw_buf_free(&b);
    return r;
}

static void test_life_and_json(void)
{
    fixture x;
    if (!fx_open(&x))
        return;
    int64_t id = 0, other = 0;
    CHECK_INT(store_drill_request(x.s, "ddos", "DDoS", "拒绝服务", false, true, "li.na", 1000, &id), KW_OK);
    CHECK_INT(store_drill_request(x.s, "table", NULL, NULL, true, false, NULL, 1001, &other), KW_OK);
    CHECK(id > 0 && other > id);
    store_drill_row row;
    CHECK_INT(store_drill_next_requested(x.s, &row), KW_OK);
    CHECK_INT(row.id, id);
    CHECK_STR(row.scenario, "ddos");
    free(row.seen_json);
    free(row.injections_json);
    CHECK_INT(store_drill_start(x.s, id, 2000), KW_OK);
    CHECK_INT(store_drill_start(x.s, id, 2000), KW_ERR_NOTFOUND);
    CHECK_INT(store_drill_progress(x.s, id, "[{\"kind\":\"replay\",\"at_s\":0,\"state\":\"running\",\"error\":null}]",
                                   "{\"values\":[\"kwd1a\"],\"check\":\"\",\"check_until\":0}"), KW_OK);
    int64_t cur = 0;
    CHECK_INT(store_drill_current(x.s, &cur), KW_OK);
    CHECK_INT(cur, other); /* the newest in progress: the requested one */
    store_drill_row rows[8];
    size_t n = 0;
    CHECK_INT(store_drill_active(x.s, 0, rows, 8, &n), KW_OK);
    CHECK_INT(n, 1);
    CHECK_STR(rows[0].seen_json, "{\"values\":[\"kwd1a\"],\"check\":\"\",\"check_until\":0}");
    CHECK(!rows[0].stop_requested);
    store_drill_rows_free(rows, n);
    CHECK_INT(store_drill_mark(x.s, id, "acked", "wang", "ok", 2500), KW_OK);
    CHECK_INT(store_drill_mark(x.s, other, "acked", "wang", NULL, 2500), KW_ERR_NOTFOUND); /* not running */
    CHECK_INT(store_drill_stop(x.s, id, 2600), KW_OK);
    CHECK_INT(store_drill_active(x.s, 0, rows, 8, &n), KW_OK);
    CHECK(n == 1 && rows[0].stop_requested);
    store_drill_rows_free(rows, n);
    CHECK_INT(store_drill_stop(x.s, other, 2600), KW_OK); /* a requested one: stopped at once */
    CHECK_INT(store_drill_stop(x.s, other, 2600), KW_ERR_NOTFOUND);
    const char *en[] = {"the alert was never acknowledged (target 5 min)", "step scrub (ops) done 6 min late"};
    const char *zh[] = {"告警始终无人确认（目标 5 分钟）", "步骤 scrub (ops) 晚 6 分钟 完成"};
    store_drill_result res = {.state = "stopped", .score = 72,
                              .stages_json = "[{\"stage\":\"acked\",\"label\":{\"zh\":\"确认\",\"en\":\"acknowledged\"},"
                                             "\"target_s\":300,\"measured_s\":null,\"ok\":false,\"who\":null}]",
                              .responders_json = "[{\"name\":\"wang\",\"department\":\"ops\",\"acted\":true}]",
                              .alerts_json = "[3,4]", .incident = 9, .weak_en = en, .weak_zh = zh, .nweak = 2};
    CHECK_INT(store_drill_finish(x.s, id, 3000, &res), KW_OK);
    CHECK_INT(store_drill_weak_finding(x.s, id, 1, 77), KW_OK);
    CHECK_INT(store_drill_weak_finding(x.s, id, 5, 77), KW_ERR_NOTFOUND);
    json_t *r = run_json(x.s, id);
    CHECK(r != NULL);
    static const char *const keys[] = {"id", "scenario", "title", "title_zh", "state", "tabletop", "surprise",
                                       "requested_by", "requested", "started", "ended", "score", "stages",
                                       "responders", "weak", "incident", "alerts", "injections", NULL};
    for (size_t i = 0; r && keys[i]; i++)
        CHECK_STR(json_object_get(r, keys[i]) ? keys[i] : "(missing)", keys[i]);
    if (r) {
        CHECK_STR(json_string_value(json_object_get(r, "state")), "stopped");
        CHECK_STR(json_string_value(json_object_get(r, "title_zh")), "拒绝服务");
        CHECK(json_is_true(json_object_get(r, "surprise")));
        CHECK_STR(json_string_value(json_object_get(r, "started")), "1970-01-01T00:00:02.000Z");
        CHECK_STR(json_string_value(json_object_get(r, "ended")), "1970-01-01T00:00:03.000Z");
        CHECK_INT(json_integer_value(json_object_get(r, "score")), 72);
        CHECK_INT(json_integer_value(json_object_get(r, "incident")), 9);
        CHECK_INT(json_array_size(json_object_get(r, "alerts")), 2);
        json_t *w = json_object_get(r, "weak");
        CHECK_INT(json_array_size(w), 2);
        CHECK(json_is_null(json_object_get(json_array_get(w, 0), "finding")));
        CHECK_INT(json_integer_value(json_object_get(json_array_get(w, 1), "finding")), 77);
        CHECK_STR(json_string_value(json_object_get(json_array_get(w, 1), "text_zh")), zh[1]);
        CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(r, "injections"), 0), "state")),
                  "running");
    }
    json_decref(r);
    r = run_json(x.s, other);
    CHECK(r && json_is_null(json_object_get(r, "started")) && json_is_null(json_object_get(r, "score")) &&
          json_is_null(json_object_get(r, "incident")));
    json_decref(r);
    CHECK(run_json(x.s, 999) == NULL);
    fx_close(&x);
}

static void test_listings(void)
{
    fixture x;
    if (!fx_open(&x))
        return;
    int64_t ids[3];
    for (int i = 0; i < 3; i++) {
        CHECK_INT(store_drill_request(x.s, i == 1 ? "table" : "ddos", NULL, NULL, false, false, "t", 1000 + i, &ids[i]),
                  KW_OK);
        CHECK_INT(store_drill_start(x.s, ids[i], 10000 * (i + 1)), KW_OK);
    }
    kw_buf b;
    kw_buf_init(&b, 1 << 20);
    CHECK_INT(store_drill_runs_json(x.s, 0, 0, &b), KW_OK);
    json_t *all = json_loads(kw_buf_cstr(&b), 0, NULL);
    CHECK_INT(json_array_size(all), 3);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(all, 0), "id")), ids[2]); /* newest first */
    json_decref(all);
    kw_buf_reset(&b);
    CHECK_INT(store_drill_runs_json(x.s, 15000, 30000, &b), KW_OK); /* started in [15 s, 30 s) */
    all = json_loads(kw_buf_cstr(&b), 0, NULL);
    CHECK_INT(json_array_size(all), 1);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(all, 0), "id")), ids[1]);
    json_decref(all);
    kw_buf_reset(&b);
    CHECK_INT(store_drill_runs_query(x.s, "ddos", 1, &b), KW_OK);
    all = json_loads(kw_buf_cstr(&b), 0, NULL);
    CHECK_INT(json_array_size(all), 1);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(all, 0), "id")), ids[2]);
    json_decref(all);
    kw_buf_free(&b);
    bool found = false;
    CHECK_INT(store_drill_requested_since(x.s, "table", 1001, &found), KW_OK);
    CHECK(found);
    CHECK_INT(store_drill_requested_since(x.s, "table", 1002, &found), KW_OK);
    CHECK(!found);
    fx_close(&x);
}

int main(void)
{
    RUN(test_life_and_json);
    RUN(test_listings);
    TEST_MAIN_END();
}
