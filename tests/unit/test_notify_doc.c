/* Documents through notify (src/notify/notify_doc.c): the outbox rows a report makes per
 * channel (mail: the file named for attachment; robots and webhooks: summary and link, made
 * inert), the mail's multipart/mixed body (base64 lines of at most 76, the Chinese file name
 * in RFC 2231 and 2047 form; the parts read back with Python's email package), and the size
 * bound past which a mail gets the link only and a note. On a real store (SQLite, or
 * PostgreSQL under KW_TEST_PG_URL). */
#include "kw_test.h"
#include "kw_test_store.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kw_test_conf.h"

#include "conf/conf.h"
#include "core/kw_file.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "notify/notify.h"
#include "store/store_int.h" /* reads the outbox directly */
#include "store/store_notify.h"

static const char *YAML = "notify:\n  channels:\n"
                          "    - {name: ml, type: email, url: 'smtp://127.0.0.1:25', from: kw@example.com, to: [soc@example.com]}\n"
                          "    - {name: dt, type: dingtalk, url: 'https://oapi.dingtalk.com/robot/send?access_token=T'}\n"
                          "    - {name: wh, type: webhook, url: 'http://127.0.0.1:1/h', language: en}\n"
                          "    - {name: sl, type: slack, url: 'https://hooks.slack.com/services/x'}\n";

typedef struct bench {
    char dir[64], path[96], file[160], big[160];
    kw_store *s;
    conf *c;
} bench;

static bool bench_open(bench *b)
{
    snprintf(b->dir, sizeof b->dir, "/tmp/kw-ndoc-XXXXXX");
    if (!mkdtemp(b->dir))
        return false;
    snprintf(b->path, sizeof b->path, "%s/kw.db", b->dir);
    snprintf(b->file, sizeof b->file, "%s/值守日报-2026-12-01.pdf", b->dir);
    snprintf(b->big, sizeof b->big, "%s/period.pdf", b->dir);
    char err[256];
    kwt_duty_keys_in(b->dir, 100);
    b->s = kwt_store_open(b->path, err, sizeof err);
    b->c = kwt_conf(YAML);
    FILE *f = fopen(b->file, "wb");
    if (!f)
        return false;
    for (int i = 0; i < 3000; i++) /* bytes of every value, so base64 has all its letters */
        fputc((i * 37 + 11) & 0xff, f);
    fclose(f);
    int fd = open(b->big, O_CREAT | O_WRONLY | O_TRUNC, 0600); /* 21 MB, sparse */
    bool ok = fd >= 0 && ftruncate(fd, (off_t)21 << 20) == 0;
    if (fd >= 0)
        close(fd);
    return ok && b->s && b->c;
}

static void bench_close(bench *b)
{
    store_close(b->s);
    conf_free(b->c);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", b->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "  cannot remove %s\n", b->dir);
}

/* The newest outbox row's id. */
static int64_t last_id(kw_store *s)
{
    db_stmt *st = store_stmt(s, "SELECT MAX(id) FROM notify_outbox");
    int64_t id = st && db_step(st) == DB_ROW ? db_col_int64(st, 0) : 0;
    if (st)
        db_reset(st);
    return id;
}

/* The message of outbox row id (a new JSON object, or NULL). */
static json_t *row_message(kw_store *s, int64_t id, char *kind, size_t n)
{
    db_stmt *st = store_stmt(s, "SELECT message, kind FROM notify_outbox WHERE id = ?");
    db_bind_int64(st, 1, id);
    json_t *m = NULL;
    if (db_step(st) == DB_ROW) {
        m = json_loads(db_col_text(st, 0), 0, NULL);
        snprintf(kind, n, "%s", db_col_text(st, 1));
    }
    db_reset(st);
    return m;
}

static const conf_channel *chan(const conf *c, size_t i) { return CONF_AT(c->notify.channels, conf_channel, i); }

/* Writes m for channel i to the outbox; the row's message (NULL when it failed). */
static json_t *post(bench *b, size_t i, const notify_doc_msg *m, int64_t *id)
{
    char kind[32] = "";
    CHECK_INT(notify_outbox_document(b->s, b->c, chan(b->c, i), m), KW_OK);
    *id = last_id(b->s);
    json_t *msg = row_message(b->s, *id, kind, sizeof kind);
    CHECK_STR(kind, "report");
    return msg;
}

static notify_doc_msg report_msg(const bench *b)
{
    return (notify_doc_msg){.title = "值守日报 2026-12-01",
                            .summary = "告警 12 条（严重 2）\n@all 攻击来自 [x](http://evil)\n事件 1 起未关闭",
                            .link = "https://kw.example.com/api/v1/reports/files/daily-2026-12-01.pdf",
                            .path = b->file,
                            .mime = "application/pdf",
                            .now_ms = 1796083200000LL};
}

/* Runs Python's email package over the mail in path; its output into out. */
static bool python_parts(const char *path, char *out, size_t n)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "python3 -c 'import email,sys,email.policy\n"
             "m=email.message_from_binary_file(open(sys.argv[1],\"rb\"),policy=email.policy.default)\n"
             "print(m.get_content_type(), m[\"subject\"])\n"
             "for p in m.iter_parts():\n"
             "  b=p.get_payload(decode=True)\n"
             "  print(p.get_content_type(), p.get_filename(), len(b), sum(b)%%65521)' %s",
             path);
    FILE *p = popen(cmd, "r");
    if (!p)
        return false;
    size_t k = fread(out, 1, n - 1, p);
    out[k] = 0;
    return pclose(p) == 0;
}

static void test_mail_attached(void)
{
    bench b = {0};
    CHECK(bench_open(&b));
    if (!b.s)
        return;
    notify_doc_msg m = report_msg(&b);
    int64_t id = 0;
    CHECK_INT(notify_outbox_document(b.s, b.c, chan(b.c, 0), &m), KW_OK);
    id = last_id(b.s);
    char kind[32] = "";
    json_t *msg = row_message(b.s, id, kind, sizeof kind);
    CHECK_STR(kind, "report");
    json_t *doc = json_object_get(msg, "document");
    CHECK_STR(json_string_value(json_object_get(doc, "path")), b.file);
    CHECK_STR(json_string_value(json_object_get(doc, "filename")), "值守日报-2026-12-01.pdf");
    CHECK_INT(json_integer_value(json_object_get(doc, "size")), 3000);
    CHECK_CONTAINS(json_string_value(json_object_get(msg, "text")), "下载报告: https://kw.example.com/");
    /* the request, with the file's bytes as the sender reads them */
    kw_buf data;
    CHECK_INT(kw_file_read(b.file, 1 << 20, &data), KW_OK);
    char *js = json_dumps(msg, JSON_COMPACT);
    notify_request r;
    char err[256];
    CHECK_INT(notify_request_build_doc(chan(b.c, 0), js, id, m.now_ms, &data, &r, err, sizeof err), KW_OK);
    const char *body = kw_buf_cstr(&r.body);
    CHECK_CONTAINS(body, "Content-Type: multipart/mixed; boundary=\"");
    CHECK_CONTAINS(body, "filename*0*=UTF-8''%E5%80%BC%E5%AE%88%E6%97%A5%E6%8A%A5-2026-12-01.pdf");
    CHECK_CONTAINS(body, "name=\"=?UTF-8?B?");
    /* every line within RFC 5322's 78 (base64's 76) and CRLF-ended */
    size_t longest = 0, line = 0;
    bool bare_lf = false;
    for (const char *p = body; *p; p++) {
        if (*p == '\n') {
            bare_lf |= p == body || p[-1] != '\r';
            longest = line > longest ? line : longest;
            line = 0;
        } else if (*p != '\r') {
            line++;
        }
    }
    if (longest > 78)
        fprintf(stderr, "  a line of %zu characters\n", longest);
    CHECK(longest <= 78);
    CHECK(!bare_lf);
    char mail[200], out[1024] = "";
    snprintf(mail, sizeof mail, "%s/mail.eml", b.dir);
    FILE *f = fopen(mail, "wb");
    CHECK(f != NULL);
    if (f) {
        fwrite(r.body.data, 1, r.body.len, f);
        fclose(f);
    }
    CHECK(python_parts(mail, out, sizeof out));
    long sum = 0;
    for (size_t i = 0; i < data.len; i++)
        sum += (unsigned char)data.data[i];
    char want[160];
    snprintf(want, sizeof want, "application/pdf 值守日报-2026-12-01.pdf 3000 %ld\n", sum % 65521);
    CHECK_CONTAINS(out, "multipart/mixed 值守日报 2026-12-01\n");
    CHECK_CONTAINS(out, "text/plain None ");
    CHECK_CONTAINS(out, want);
    notify_request_free(&r);
    /* the file gone when it is sent: the mail goes as plain text, the link in it */
    CHECK_INT(notify_request_build_doc(chan(b.c, 0), js, id, m.now_ms, NULL, &r, err, sizeof err), KW_OK);
    CHECK_CONTAINS(kw_buf_cstr(&r.body), "Content-Type: text/plain; charset=UTF-8");
    CHECK(!strstr(kw_buf_cstr(&r.body), "multipart"));
    notify_request_free(&r);
    free(js);
    kw_buf_free(&data);
    json_decref(msg);
    bench_close(&b);
}

static void test_mail_too_big(void)
{
    bench b = {0};
    CHECK(bench_open(&b));
    if (!b.s)
        return;
    notify_doc_msg m = report_msg(&b);
    m.path = b.big;
    int64_t id = 0;
    CHECK_INT(notify_outbox_document(b.s, b.c, chan(b.c, 0), &m), KW_OK);
    id = last_id(b.s);
    char kind[32];
    json_t *msg = row_message(b.s, id, kind, sizeof kind);
    json_t *doc = json_object_get(msg, "document");
    CHECK(json_object_get(doc, "path") == NULL); /* not attached */
    CHECK_INT(json_integer_value(json_object_get(doc, "size")), (int64_t)21 << 20);
    const char *text = json_string_value(json_object_get(msg, "text"));
    CHECK_CONTAINS(text, "超过邮件附件上限 20 MB");
    CHECK_CONTAINS(text, "https://kw.example.com/api/v1/reports/files/daily-2026-12-01.pdf");
    json_decref(msg);
    /* a file that is not there: said so */
    m.path = "/nonexistent/daily.pdf";
    msg = post(&b, 0, &m, &id);
    CHECK_CONTAINS(json_string_value(json_object_get(msg, "text")), "报告文件不可读");
    json_decref(msg);
    bench_close(&b);
}

static void test_robots_summary_and_link(void)
{
    bench b = {0};
    CHECK(bench_open(&b));
    if (!b.s)
        return;
    notify_doc_msg m = report_msg(&b);
    int64_t id = 0;
    char err[256];
    /* DingTalk: markdown, the summary made inert, the link as markdown; no file named */
    json_t *msg = post(&b, 1, &m, &id);
    const char *text = json_string_value(json_object_get(msg, "text"));
    CHECK_CONTAINS(text, "**值守日报 2026-12-01**");
    CHECK_CONTAINS(text, "＠all 攻击来自 ［x］(http://evil)");
    CHECK_CONTAINS(text, "[下载报告](https://kw.example.com/api/v1/reports/files/daily-2026-12-01.pdf)");
    CHECK(json_object_get(json_object_get(msg, "document"), "path") == NULL);
    char *js = json_dumps(msg, JSON_COMPACT);
    notify_request r;
    CHECK_INT(notify_request_build(chan(b.c, 1), js, id, m.now_ms, &r, err, sizeof err), KW_OK);
    CHECK_CONTAINS(kw_buf_cstr(&r.body), "\"msgtype\":\"markdown\"");
    notify_request_free(&r);
    free(js);
    json_decref(msg);
    /* a webhook in English: plain text, the link named, the document described */
    msg = post(&b, 2, &m, &id);
    CHECK_CONTAINS(json_string_value(json_object_get(msg, "text")), "Download the report: https://");
    CHECK_STR(json_string_value(json_object_get(msg, "link")), m.link);
    CHECK_STR(json_string_value(json_object_get(json_object_get(msg, "document"), "mime")), "application/pdf");
    json_decref(msg);
    /* Slack: its own link form; a link with spaces or brackets is left out */
    msg = post(&b, 3, &m, &id);
    CHECK_CONTAINS(json_string_value(json_object_get(msg, "text")), "<https://kw.example.com/api/v1/reports/files/");
    json_decref(msg);
    m.link = "https://x/a b](javascript:1)";
    msg = post(&b, 1, &m, &id);
    CHECK(!strstr(json_string_value(json_object_get(msg, "text")), "javascript"));
    json_decref(msg);
    bench_close(&b);
}

static void test_mime_pieces(void)
{
    kw_buf b;
    kw_buf_init(&b, 1 << 16);
    notify_mime_base64(&b, "", 0);
    CHECK_INT(b.len, 0);
    notify_mime_base64(&b, "hello", 5);
    CHECK_STR(kw_buf_cstr(&b), "aGVsbG8=\r\n");
    kw_buf_reset(&b);
    notify_mime_encoded_word(&b, "plain subject");
    CHECK_STR(kw_buf_cstr(&b), "plain subject");
    kw_buf_reset(&b);
    notify_mime_encoded_word(&b, "日报");
    CHECK_STR(kw_buf_cstr(&b), "=?UTF-8?B?5pel5oql?=");
    kw_buf_reset(&b);
    /* a hostile file name and type: no header injection, a safe type */
    notify_mime_multipart(&b, "=_kw_1", "t", "../x\r\nBcc: a@b\".pdf", "text/html\r\nX: y", "ab", 2);
    CHECK(!strstr(kw_buf_cstr(&b), "\r\nBcc"));
    CHECK(!strstr(kw_buf_cstr(&b), "\r\nX: y"));
    CHECK_CONTAINS(kw_buf_cstr(&b), "Content-Type: application/octet-stream;\r\n name=\"=?UTF-8?B?");
    CHECK_CONTAINS(kw_buf_cstr(&b), "\r\n--=_kw_1--\r\n");
    kw_buf_free(&b);
}

/* Through the real sender (notify_send.c) to real receivers: run by
 * tests/integ/test_report_send.py, which starts an SMTP server (STARTTLS) and a webhook sink,
 * passes their addresses in KW_TEST_DOC_SMTP, KW_TEST_DOC_CA and KW_TEST_DOC_HOOK and the
 * file to attach in KW_TEST_DOC_FILE, and reads what they took. Skipped without them. */
static void test_through_sender(void)
{
    const char *smtp = getenv("KW_TEST_DOC_SMTP"), *ca = getenv("KW_TEST_DOC_CA");
    const char *hook = getenv("KW_TEST_DOC_HOOK"), *file = getenv("KW_TEST_DOC_FILE");
    if (!smtp || !ca || !hook || !file) {
        fprintf(stderr, "  skipped: run by tests/integ/test_report_send.py\n");
        return;
    }
    char yaml[2048], dir[64] = "/tmp/kw-ndoc-XXXXXX", path[128], err[256];
    snprintf(yaml, sizeof yaml,
             "notify:\n  channels:\n"
             "    - {name: ml, type: email, url: '%s', from: kw@example.com, to: [ops@example.com], ca_file: '%s'}\n"
             "    - {name: wh, type: webhook, url: '%s'}\n",
             smtp, ca, hook);
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/kw.db", dir);
    kwt_duty_keys_in(dir, 100);
    kw_store *st = kwt_store_open(path, err, sizeof err);
    conf *c = kwt_conf(yaml);
    CHECK(st && c);
    if (!st || !c) {
        if (st)
            store_close(st);
        conf_free(c);
        return;
    }
    notify_doc_msg m = {.title = "值守日报 2026-12-01", .summary = "告警 12 条\n事件 1 起",
                        .link = "http://127.0.0.1:1/api/v1/reports/files/daily-2026-12-01.pdf", .path = file,
                        .filename = "值守日报-2026-12-01.pdf", .mime = "application/pdf", .now_ms = kw_now_ms()};
    CHECK_INT(notify_outbox_document(st, c, chan(c, 0), &m), KW_OK);
    CHECK_INT(notify_outbox_document(st, c, chan(c, 1), &m), KW_OK);
    notify_sender *snd = notify_sender_new(c);
    int64_t by[4] = {0};
    for (int i = 0; i < 150 && by[1] < 2; i++) {
        CHECK_INT(notify_sender_pump(snd, st, kw_now_ms(), 100, 1), KW_OK);
        store_outbox_counts(st, by);
    }
    while (notify_sender_busy(snd))
        notify_sender_pump(snd, st, kw_now_ms(), 100, 1);
    CHECK_INT(by[1], 2); /* both sent */
    db_stmt *q = store_stmt(st, "SELECT COUNT(*) FROM duty_log WHERE kind = 'report.sent'");
    CHECK(q && db_step(q) == DB_ROW && db_col_int64(q, 0) == 2);
    if (q)
        db_reset(q);
    notify_sender_free(snd);
    store_close(st);
    conf_free(c);
}

int main(void)
{
    RUN(test_mime_pieces);
    RUN(test_mail_attached);
    RUN(test_mail_too_big);
    RUN(test_robots_summary_and_link);
    RUN(test_through_sender);
    TEST_MAIN_END();
}
