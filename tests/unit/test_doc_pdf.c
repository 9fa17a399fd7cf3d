/* The PDF renderer, read back as a person would: a Chinese + English report with a table of
 * 300 rows is rendered, pdftotext (poppler-utils) extracts its text to check the Chinese, the
 * figures, the header row repeated on every page of the table and "共 N 页"; pdftoppm draws
 * page 1 and the picture must not be blank. Then the timing of a 2,000-row, 10-chart
 * document, and the renderer's errors. */
#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "doc/doc.h"
#include "kw_test.h"

/* 2026-12-02 00:00 UTC+8 */
#define DAY0 INT64_C(1796140800000)

static void add_charts(kw_doc *d, int n)
{
    for (int c = 0; c < n; c++) {
        doc_chart_bar_begin(d, "告警（按类型）Alerts by kind", "条");
        static const char *const kinds[] = {"syn_flood", "web_attack", "port_scan", "brute_force", "暴力破解"};
        for (int i = 0; i < 5; i++)
            doc_chart_bar(d, kinds[i], 100 * (i + 1) + c);
        doc_chart_line_begin(d, "整改燃尽图 Burndown", NULL);
        doc_chart_series(d, "待整改 open");
        for (int h = 0; h <= 48; h++)
            doc_chart_point(d, DAY0 + h * 3600000LL, 480 - h * 7);
        doc_chart_series(d, "已验证 verified");
        for (int h = 0; h <= 48; h++)
            doc_chart_point(d, DAY0 + h * 3600000LL, h * 5);
    }
}

static void add_table(kw_doc *d, int rows)
{
    const char *head[4] = {"序号", "主机 Host", "告警数量", "说明 Description"};
    const doc_align al[4] = {DOC_ALIGN_RIGHT, DOC_ALIGN_LEFT, DOC_ALIGN_RIGHT, DOC_ALIGN_LEFT};
    doc_table_begin(d, 4, head, al, NULL);
    for (int r = 0; r < rows; r++) {
        char no[16], host[32], cnt[16], desc[160];
        snprintf(no, sizeof no, "%d", r + 1);
        snprintf(host, sizeof host, "web-%03d.example", r);
        snprintf(cnt, sizeof cnt, "%d", 1000 + r * 7);
        if (r % 50 == 7) /* a long cell that wraps over several lines */
            snprintf(desc, sizeof desc, "row-%03d SYN 洪泛攻击导致网站无法访问，已切换至备用线路并启动流量清洗; "
                                        "customer service told what to say", r);
        else
            snprintf(desc, sizeof desc, "row-%03d 正常", r);
        const char *row[4] = {no, host, cnt, desc};
        doc_table_row(d, row);
    }
}

static kw_doc *report_doc(int rows, int charts)
{
    kw_doc *d = doc_new("网络安全事件报告 Incident report");
    doc_set_header(d, "示例单位信息中心", "2026-12-01 至 2026-12-02");
    doc_set_footer(d, "keepwatch 值守报告");
    doc_set_tz(d, 480);
    doc_heading(d, 1, "一、事件概况 Summary");
    doc_para(d, "2026年12月2日 08:30，监测发现针对门户网站的 **SYN 洪泛攻击**，峰值 1.2 Gbps。"
                "The portal was unreachable for 14 minutes.");
    doc_kv_begin(d);
    doc_kv(d, "发现时间", "2026-12-02 08:30");
    doc_kv(d, "事件分级", "较大（Ⅲ级）");
    doc_list_begin(d);
    doc_list_item(d, "启动流量清洗 traffic scrubbing");
    doc_list_item(d, "切换至备用线路");
    doc_note(d, DOC_NOTE_WARN, "请于 **1 小时内** 上报。");
    doc_heading(d, 2, "二、受影响主机");
    add_table(d, rows);
    add_charts(d, charts);
    return d;
}

/* The output of cmd, or NULL when it fails. */
static char *run(const char *cmd)
{
    FILE *f = popen(cmd, "r");
    if (!f)
        return NULL;
    kw_buf b;
    kw_buf_init(&b, 64 << 20);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        kw_buf_append(&b, chunk, n);
    int st = pclose(f);
    if (st != 0) {
        fprintf(stderr, "  %s: exit status %d\n", cmd, st);
        kw_buf_free(&b);
        return NULL;
    }
    return kw_buf_take(&b);
}

/* s without its white space: pdftotext spaces CJK text as it guesses, not as it was drawn. */
static char *squeeze(const char *s)
{
    char *o = malloc(strlen(s) + 1), *q = o;
    for (; *s; s++)
        if (*s != ' ' && *s != '\n' && *s != '\t')
            *q++ = *s;
    *q = '\0';
    return o;
}

static char tmpdir[] = "/tmp/kw_doc_pdf_XXXXXX";

/* d rendered in lang to tmpdir/name, and the text pdftotext reads from it (NULL when it
 * fails; poppler-utils is in scripts/deps.sh's test packages). */
static char *render_text(const kw_doc *d, doc_lang lang, const char *name, int *pages)
{
    char path[256], cmd[600];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    CHECK_INT(doc_render_pdf(d, lang, path, NULL, pages), KW_OK);
    snprintf(cmd, sizeof cmd, "pdftotext -layout '%s' - 2>&1", path);
    char *txt = run(cmd);
    CHECK(txt != NULL);
    return txt;
}

/* With KW_DOC_KEEP, the same document as HTML and Markdown beside the PDF, to look at. */
static void keep_html_md(const kw_doc *d)
{
    kw_buf b;
    kw_buf_init(&b, 64 << 20);
    for (int html = 0; html < 2; html++) {
        char path[256];
        snprintf(path, sizeof path, "%s/report.%s", tmpdir, html ? "html" : "md");
        kw_buf_reset(&b);
        CHECK_INT(html ? doc_render_html(d, DOC_LANG_ZH, &b) : doc_render_md(d, DOC_LANG_ZH, &b), KW_OK);
        FILE *f = fopen(path, "w");
        if (f) {
            fwrite(b.data, 1, b.len, f);
            fclose(f);
        }
    }
    kw_buf_free(&b);
}

static void test_pdf_text(void)
{
    kw_doc *d = report_doc(300, 1);
    char path[256], cmd[600];
    int pages = 0;
    char *txt = render_text(d, DOC_LANG_ZH, "report.pdf", &pages);
    CHECK(pages >= 5 && pages <= 20);
    if (txt) {
        CHECK_CONTAINS(txt, "网络安全事件报告");
        CHECK_CONTAINS(txt, "示例单位信息中心");
        CHECK_CONTAINS(txt, "2026-12-01 至 2026-12-02");
        CHECK_CONTAINS(txt, "SYN 洪泛攻击");
        CHECK_CONTAINS(txt, "The portal was unreachable");
        CHECK_CONTAINS(txt, "较大（Ⅲ级）");
        CHECK_CONTAINS(txt, "row-000");
        CHECK_CONTAINS(txt, "row-299");
        CHECK_CONTAINS(txt, "3093"); /* row 299's count: 1000 + 299 * 7 */
        CHECK_CONTAINS(txt, "web-299.example");
        CHECK_CONTAINS(txt, "brute_force"); /* the chart's labels */
        CHECK_CONTAINS(txt, "已验证 verified");
        /* every page the table runs over starts with its header row */
        size_t table_pages = 0;
        char *flat = squeeze(txt);
        for (int pg = 1; pg <= pages; pg++) {
            char want[64];
            snprintf(want, sizeof want, "第%d页/共%d页", pg, pages);
            CHECK_CONTAINS(flat, want);
        }
        free(flat);
        char *p = txt;
        for (int pg = 1; pg <= pages; pg++) { /* pages are split by form feeds */
            char *end = strchr(p, '\f');
            if (end)
                *end = '\0';
            if (strstr(p, "row-")) {
                table_pages++;
                CHECK(strstr(p, "说明 Description") != NULL);
            }
            p = end ? end + 1 : p + strlen(p);
        }
        CHECK(table_pages >= 4);
        free(txt);
    }
    /* page 1 drawn, not blank */
    snprintf(path, sizeof path, "%s/report.pdf", tmpdir);
    snprintf(cmd, sizeof cmd, "pdftoppm -r 40 -f 1 -l 1 -png -singlefile '%s' '%s/page1' 2>&1", path, tmpdir);
    char *out = run(cmd);
    CHECK(out != NULL);
    free(out);
    snprintf(path, sizeof path, "%s/page1.png", tmpdir);
    cairo_surface_t *img = cairo_image_surface_create_from_png(path);
    CHECK_INT(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
    if (cairo_surface_status(img) == CAIRO_STATUS_SUCCESS) {
        int w = cairo_image_surface_get_width(img), h = cairo_image_surface_get_height(img);
        int stride = cairo_image_surface_get_stride(img);
        const unsigned char *px = cairo_image_surface_get_data(img);
        long ink = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                const unsigned char *q = px + y * stride + x * 4; /* B, G, R, A */
                ink += q[0] < 0xe0 || q[1] < 0xe0 || q[2] < 0xe0;
            }
        CHECK(w > 300 && h > 400);
        CHECK(ink > (long)w * h / 50); /* more than 2% of it inked */
        fprintf(stderr, "  page 1: %dx%d, %ld pixels inked\n", w, h, ink);
    }
    cairo_surface_destroy(img);
    if (getenv("KW_DOC_KEEP"))
        keep_html_md(d);
    doc_free(d);
}

static void test_pdf_buffer_and_errors(void)
{
    kw_doc *d = report_doc(20, 1);
    kw_buf b;
    kw_buf_init(&b, 32 << 20);
    int pages = 0;
    CHECK_INT(doc_render_pdf(d, DOC_LANG_EN, NULL, &b, &pages), KW_OK);
    CHECK(b.len > 1000 && memcmp(b.data, "%PDF-", 5) == 0);
    CHECK_CONTAINS(b.data + b.len - 8, "%%EOF");
    CHECK_INT(pages, 2);
    kw_buf small;
    kw_buf_init(&small, 4096);
    CHECK_INT(doc_render_pdf(d, DOC_LANG_EN, NULL, &small, NULL), KW_ERR_FULL);
    CHECK_INT(doc_render_pdf(d, DOC_LANG_EN, "/nonexistent-dir/x.pdf", NULL, NULL), KW_ERR_IO);
    /* a file replaced whole, mode 0600, no temporary left beside it */
    char path[256], cmd[600];
    snprintf(path, sizeof path, "%s/replace.pdf", tmpdir);
    FILE *old = fopen(path, "w");
    CHECK(old != NULL);
    if (old)
        fclose(old);
    CHECK_INT(doc_render_pdf(d, DOC_LANG_EN, path, NULL, NULL), KW_OK);
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size > 1000 && (st.st_mode & 0777) == 0600);
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -c replace", tmpdir);
    char *n = run(cmd);
    CHECK_STR(n, "1\n");
    free(n);
    CHECK_INT(doc_render_pdf(d, DOC_LANG_EN, NULL, NULL, NULL), KW_ERR_RANGE);
    kw_buf_free(&small);
    kw_buf_free(&b);
    doc_free(d);
}

static void test_pdf_english_pages(void)
{
    kw_doc *d = report_doc(120, 0);
    int pages = 0;
    char *txt = render_text(d, DOC_LANG_EN, "en.pdf", &pages), want[64];
    snprintf(want, sizeof want, "Page %d of %d", pages, pages);
    CHECK_CONTAINS(txt, want);
    free(txt);
    doc_free(d);
}

/* Milliseconds to render d to memory, printed with what and the page count. */
static double render_ms(const kw_doc *d, doc_lang lang, const char *what, int *pages)
{
    kw_buf b;
    kw_buf_init(&b, 64 << 20);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_INT(doc_render_pdf(d, lang, NULL, &b, pages), KW_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    fprintf(stderr, "  pdf %s: %d pages, %zu bytes, %.0f ms\n", what, *pages, b.len, ms);
    kw_buf_free(&b);
    return ms;
}

/* The figure issue 20's "PDF in under 2 s" starts from: 2,000 rows and 10 charts. */
static void test_pdf_timing(void)
{
    kw_doc *d = report_doc(2000, 5); /* 5 x (a bar chart + a line chart) */
    int pages = 0;
    double ms = render_ms(d, DOC_LANG_ZH, "2000 rows + 10 charts", &pages);
    CHECK(pages >= 30);
    CHECK(ms < 60000); /* a hang guard only: the figure is printed, the sanitizers slow it */
    doc_free(d);
}

/* Everything at its ceiling where it hurts most: 16 KiB strings without a space as the title,
 * the header, a chart's title and labels, and the cells of 24 narrow columns. */
static void test_pdf_hostile_sizes(void)
{
    char *big = malloc(DOC_TEXT_MAX + 1);
    for (size_t i = 0; i < DOC_TEXT_MAX; i++)
        big[i] = (char)('a' + i % 26);
    big[DOC_TEXT_MAX] = '\0';
    kw_doc *d = doc_new(big);
    doc_set_header(d, big, big);
    doc_set_footer(d, big);
    doc_heading(d, 1, big);
    doc_note(d, DOC_NOTE_CRIT, big);
    const char *cells[DOC_COLS_MAX];
    for (size_t c = 0; c < DOC_COLS_MAX; c++)
        cells[c] = big;
    doc_table_begin(d, DOC_COLS_MAX, cells, NULL, NULL);
    for (int r = 0; r < 3; r++)
        doc_table_row(d, cells);
    doc_chart_bar_begin(d, big, big);
    doc_chart_bar(d, big, 1);
    doc_chart_bar(d, big, 2);
    int pages = 0;
    double ms = render_ms(d, DOC_LANG_EN, "at the ceilings", &pages);
    CHECK(pages >= 2 && pages < 40);
    CHECK(ms < 30000); /* a hang guard: at -O2 it takes well under 1 s */
    doc_free(d);
    free(big);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_pdf_text);
    RUN(test_pdf_buffer_and_errors);
    RUN(test_pdf_english_pages);
    RUN(test_pdf_timing);
    RUN(test_pdf_hostile_sizes);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (getenv("KW_DOC_KEEP")) /* to look at the PDFs */
        fprintf(stderr, "kept %s\n", tmpdir);
    else if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    TEST_MAIN_END();
}
