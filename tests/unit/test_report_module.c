/* The scheduled reports (src/report/report_deliver.c, store_report.c): a daily report made
 * into report.dir in each format (whole files, the names the console links to), its row kept,
 * each report.send item's cut given to notify (mail: the PDF of its cut attached; a webhook:
 * the summary and the link), the duty log's entry, nothing made twice, a cancelled run keeping
 * nothing; and the table's listing and file check. On a real store (SQLite, or PostgreSQL under
 * KW_TEST_PG_URL). Until R1's report.c lands the documents are report_stub.c's. */
#include "kw_test.h"
#include "kw_test_conf.h"
#include "kw_test_store.h"

#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/kw_mem.h"
#include "report/report_conf.h"
#include "report/report_deliver.h"
#include "report/report_files_api.h"
#include "store/store_int.h"
#include "store/store_agent.h"
#include "store/store_drill.h"
#include "store/store_findings.h"
#include "store/store_incident.h"
#include "store/store_reports.h"

#define DAY INT64_C(86400000)
/* 2026-12-01T00:00:00+08:00 */
#define DEC1 (INT64_C(1796083200000) - 8 * 3600 * 1000)

static const char *YAML = "console: {timezone: '+08:00'}\n"
                          "departments:\n"
                          "  - {name: ops, kind: operations, display: 运维部}\n"
                          "notify:\n  channels:\n"
                          "    - {name: ops-mail, type: email, department: ops, url: 'smtp://127.0.0.1:25',"
                          " from: kw@example.com, to: [ops@example.com]}\n"
                          "    - {name: soc-hook, type: webhook, url: 'http://127.0.0.1:1/h', language: en}\n";

typedef struct bench {
    char dir[64], path[96], reports[96];
    kw_store *s;
    conf *c;
    conf_report_send send[2];
    char *soc[1];
} bench;

static bool bench_open(bench *b)
{
    snprintf(b->dir, sizeof b->dir, "/tmp/kw-rmod-XXXXXX");
    if (!mkdtemp(b->dir))
        return false;
    snprintf(b->path, sizeof b->path, "%s/kw.db", b->dir);
    snprintf(b->reports, sizeof b->reports, "%s/reports", b->dir);
    char err[256];
    kwt_duty_keys_in(b->dir, 100);
    b->s = kwt_store_open(b->path, err, sizeof err);
    b->c = kwt_conf(YAML);
    if (!b->s || !b->c || store_report_migrate(b->s) != KW_OK || store_findings_migrate(b->s) != KW_OK ||
        store_incident_migrate(b->s) != KW_OK || store_agent_migrate(b->s) != KW_OK || store_drill_migrate(b->s) != KW_OK)
        return false;
    /* report.send set by hand here (its dir is this test's); cut -1: none given, as the loader leaves it */
    b->soc[0] = "soc-hook";
    b->send[0] = (conf_report_send){.department = "ops", .cut = -1, .attach = true};                /* ops' cut, by mail */
    b->send[1] = (conf_report_send){.channels = {.v = b->soc, .n = 1}, .cut = -1, .attach = true}; /* the full one */
    b->c->report.dir = b->reports;
    b->c->report.link = "https://kw.example.com/";
    b->c->report.send = (conf_list){.items = b->send, .n = 2};
    return true;
}

static void bench_close(bench *b)
{
    if (b->c)
        b->c->report.dir = b->c->report.link = NULL, b->c->report.send = (conf_list){0}; /* the test's, not the loader's */
    store_close(b->s);
    conf_free(b->c);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", b->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "  cannot remove %s\n", b->dir);
}

static bool file_there(const bench *b, const char *name)
{
    char p[256];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", b->reports, name);
    return stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

static int64_t count(kw_store *s, const char *sql)
{
    db_stmt *q = store_stmt(s, sql);
    int64_t n = -1;
    if (q && db_step(q) == DB_ROW)
        n = db_col_int64(q, 0);
    if (q)
        db_reset(q);
    return n;
}

/* The message of the outbox row for channel (a new object, or NULL). */
static json_t *outbox_of(kw_store *s, const char *channel)
{
    db_stmt *q = store_stmt(s, "SELECT message FROM notify_outbox WHERE channel = ? AND kind = 'report'");
    db_bind_text(q, 1, channel);
    json_t *m = db_step(q) == DB_ROW ? json_loads(db_col_text(q, 0), 0, NULL) : NULL;
    db_reset(q);
    return m;
}

static void test_names(void)
{
    conf *c = kwt_conf(YAML);
    CHECK(c != NULL);
    if (!c)
        return;
    char n[128];
    report_file_name(c, REPORT_DAILY, DEC1, DEC1 + DAY, NULL, REPORT_FMT_PDF, n, sizeof n);
    CHECK_STR(n, "daily-2026-12-01.pdf");
    report_file_name(c, REPORT_PERIOD, DEC1 - 10 * DAY, DEC1 + DAY, "customer_service", REPORT_FMT_HTML, n, sizeof n);
    CHECK_STR(n, "period-2026-11-21-2026-12-01-customer_service.html");
    CHECK(report_file_name_ok("daily-2026-12-01.pdf"));
    CHECK(!report_file_name_ok("../keepwatch.db"));
    CHECK(!report_file_name_ok(".hidden"));
    CHECK(!report_file_name_ok("a/b.pdf"));
    CHECK(!report_file_name_ok(""));
    conf_report_send s = {.department = "ops", .cut = -1}; /* none given: the department's kind's */
    CHECK_INT(report_send_cut(c, &s), REPORT_CUT_OPERATIONS);
    s.cut = REPORT_CUT_MANAGEMENT;
    CHECK_INT(report_send_cut(c, &s), REPORT_CUT_MANAGEMENT);
    s.cut = REPORT_CUT_FULL; /* an explicit full cut stays full, whatever the department */
    CHECK_INT(report_send_cut(c, &s), REPORT_CUT_FULL);
    conf_report_send none = {.cut = -1};
    CHECK_INT(report_send_cut(c, &none), REPORT_CUT_FULL);
    conf_free(c);
}

static void test_daily_made_and_sent(void)
{
    bench b = {0};
    CHECK(bench_open(&b));
    if (!b.s || !b.c)
        return bench_close(&b);
    int64_t now = DEC1 + DAY + 30 * 60000 + 8 * 3600000; /* 2026-12-02 08:30 */
    bool made = false;
    char result[320];
    CHECK_INT(report_deliver(b.s, b.c, REPORT_DAILY, DEC1, DEC1 + DAY, now, NULL, &made, result, sizeof result), KW_OK);
    CHECK(made);
    CHECK_STR(result, "ok: daily report made: 3 files, 2 messages to send");
    CHECK(file_there(&b, "daily-2026-12-01.pdf"));
    CHECK(file_there(&b, "daily-2026-12-01.html"));
    CHECK(file_there(&b, "daily-2026-12-01-operations.pdf")); /* ops' own cut for its mail */
    CHECK(!file_there(&b, "daily-2026-12-01.pdf.tmp"));
    /* the row, the files it lists, the duty log */
    store_report_row r;
    CHECK_INT(store_report_find(b.s, "daily", DEC1, DEC1 + DAY, &r), KW_OK);
    CHECK_STR(r.label, "2026-12-01");
    CHECK_INT(r.sent_ms, now);
    CHECK(store_report_has_file(b.s, "daily-2026-12-01.pdf"));
    CHECK(store_report_has_file(b.s, "daily-2026-12-01-operations.pdf"));
    CHECK(!store_report_has_file(b.s, "daily-2026-12-02.pdf"));
    CHECK(!store_report_has_file(b.s, "daily-%"));
    CHECK_INT(count(b.s, "SELECT COUNT(*) FROM duty_log WHERE kind = 'report.made'"), 1);
    /* ops' mail: its cut attached, its department in the title */
    json_t *m = outbox_of(b.s, "ops-mail");
    CHECK(m != NULL);
    const char *path = json_string_value(json_object_get(json_object_get(m, "document"), "path"));
    CHECK_CONTAINS(path, "/reports/daily-2026-12-01-operations.pdf");
    CHECK_CONTAINS(json_string_value(json_object_get(m, "title")), "值守日报 2026-12-01（ops）");
    CHECK_STR(json_string_value(json_object_get(m, "link")),
              "https://kw.example.com/api/v1/reports/files/daily-2026-12-01-operations.pdf");
    json_decref(m);
    /* the SOC's webhook (English): the full report's summary and its link, nothing attached */
    m = outbox_of(b.s, "soc-hook");
    CHECK(m != NULL);
    CHECK_STR(json_string_value(json_object_get(m, "title")), "Daily report 2026-12-01");
    CHECK_CONTAINS(json_string_value(json_object_get(m, "text")),
                   "Download the report: https://kw.example.com/api/v1/reports/files/daily-2026-12-01.pdf");
    CHECK(json_object_get(json_object_get(m, "document"), "path") == NULL);
    json_decref(m);
    /* made again (a restart, another leader): nothing new */
    made = true;
    CHECK_INT(report_deliver(b.s, b.c, REPORT_DAILY, DEC1, DEC1 + DAY, now + 60000, NULL, &made, result, sizeof result),
              KW_OK);
    CHECK(!made);
    CHECK_CONTAINS(result, "made already");
    CHECK_INT(count(b.s, "SELECT COUNT(*) FROM notify_outbox WHERE kind = 'report'"), 2);
    int64_t last = 0;
    CHECK_INT(store_report_last_made(b.s, "daily", &last), KW_OK);
    CHECK_INT(last, now);
    kw_buf out;
    kw_buf_init(&out, 1 << 20);
    CHECK_INT(store_report_list_json(b.s, 10, &out), KW_OK);
    json_t *list = json_loads(kw_buf_cstr(&out), 0, NULL);
    CHECK_INT(json_array_size(list), 1);
    json_t *one = json_array_get(list, 0);
    CHECK_STR(json_string_value(json_object_get(one, "kind")), "daily");
    CHECK_INT(json_array_size(json_object_get(one, "files")), 3);
    CHECK_STR(json_string_value(json_object_get(one, "sent")), "2026-12-02T00:30:00.000Z");
    json_decref(list);
    kw_buf_free(&out);
    bench_close(&b);
}

static void test_html_only_links_it(void)
{
    bench b = {0};
    CHECK(bench_open(&b));
    if (!b.s || !b.c)
        return bench_close(&b);
    char *html[] = {"html"};
    conf_strs formats = b.c->report.formats; /* the loader's, put back before it is freed */
    b.c->report.formats = (conf_strs){.v = html, .n = 1};
    b.send[0].cut = REPORT_CUT_FULL; /* not ops' cut here: the full report's html */
    b.send[0].department = NULL;
    b.send[0].channels = (conf_strs){.v = (char *[]){"ops-mail"}, .n = 1};
    bool made = false;
    char result[320];
    CHECK_INT(report_deliver(b.s, b.c, REPORT_DAILY, DEC1, DEC1 + DAY, DEC1 + DAY, NULL, &made, result, sizeof result),
              KW_OK);
    CHECK_STR(result, "ok: daily report made: 1 file, 2 messages to send");
    json_t *m = outbox_of(b.s, "ops-mail");
    CHECK(json_object_get(json_object_get(m, "document"), "path") == NULL); /* only PDFs are attached */
    CHECK_STR(json_string_value(json_object_get(m, "link")),
              "https://kw.example.com/api/v1/reports/files/daily-2026-12-01.html");
    json_decref(m);
    b.c->report.formats = formats;
    bench_close(&b);
}

static void test_cancelled_keeps_nothing(void)
{
    bench b = {0};
    CHECK(bench_open(&b));
    if (!b.s || !b.c)
        return bench_close(&b);
    volatile int cancel = 1;
    bool made = true;
    char result[320];
    CHECK_INT(report_deliver(b.s, b.c, REPORT_PERIOD, DEC1 - 9 * DAY, DEC1 + DAY, DEC1 + DAY, &cancel, &made, result,
                             sizeof result),
              KW_ERR_CANCELLED);
    CHECK(!made);
    CHECK_CONTAINS(result, "stopped");
    CHECK_INT(count(b.s, "SELECT COUNT(*) FROM reports"), 0);
    CHECK_INT(count(b.s, "SELECT COUNT(*) FROM notify_outbox"), 0);
    /* a directory that cannot be made: failed, said why, nothing kept */
    b.c->report.dir = "/proc/kw-no/such";
    cancel = 0;
    CHECK_INT(report_deliver(b.s, b.c, REPORT_PERIOD, DEC1 - 9 * DAY, DEC1 + DAY, DEC1 + DAY, &cancel, &made, result,
                             sizeof result) != KW_OK,
              1);
    CHECK_CONTAINS(result, "failed: ");
    CHECK_INT(count(b.s, "SELECT COUNT(*) FROM reports"), 0);
    bench_close(&b);
}

int main(void)
{
    RUN(test_names);
    RUN(test_daily_made_and_sent);
    RUN(test_html_only_links_it);
    RUN(test_cancelled_keeps_nothing);
    TEST_MAIN_END();
}
