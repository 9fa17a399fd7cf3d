/* The document model (cleaning, ceilings, builder errors), its Markdown and HTML output
 * (escaping, bold spans, tables, charts as tables and as SVG), and the chart axes. */
#include <stdlib.h>
#include <string.h>

#include "doc/doc.h"
#include "doc/doc_int.h"
#include "kw_test.h"

static char *render(const kw_doc *d, bool html, doc_lang lang)
{
    kw_buf b;
    kw_buf_init(&b, 16 << 20);
    kw_rc rc = html ? doc_render_html(d, lang, &b) : doc_render_md(d, lang, &b);
    CHECK_INT(rc, KW_OK);
    return kw_buf_take(&b);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void test_clean_text(void)
{
    kw_doc *d = doc_new("t\x01itle\nnext");
    /* invalid UTF-8 (a lone continuation byte, an overlong '/', a surrogate), controls, a tab,
     * a bidi override, CRLF */
    doc_para(d, "a\x80" "b\xc0\xaf" "c\xed\xa0\x80" "d\x1b[31m\te\xe2\x80\xae" "f\r\ng");
    doc_heading(d, 1, "two\nlines");
    const doc_block *p = &d->blocks[0];
    CHECK_STR(p->text, "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "d[31m ef\ng");
    CHECK_STR(d->blocks[1].text, "two lines");
    CHECK_STR(d->title, "title next");
    doc_free(d);
}

static void test_clean_bounded(void)
{
    size_t n = 20000;
    char *big = malloc(n * 3 + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(big + i * 3, "中", 3);
    big[n * 3] = '\0';
    kw_doc *d = doc_new(big);
    CHECK_INT(strlen(d->title), (DOC_TEXT_MAX / 3) * 3); /* cut on a character boundary */
    CHECK(strncmp(d->title + strlen(d->title) - 3, "中", 3) == 0);
    free(big);
    doc_free(d);
}

static void test_builder_errors(void)
{
    kw_doc *d = doc_new("x");
    CHECK_INT(doc_heading(d, 0, "h"), KW_ERR_RANGE);
    CHECK_INT(doc_heading(d, 4, "h"), KW_ERR_RANGE);
    CHECK_INT(doc_table_row(d, NULL), KW_ERR_RANGE);
    CHECK_INT(doc_list_item(d, "i"), KW_ERR_RANGE);
    CHECK_INT(doc_chart_bar(d, "b", 1), KW_ERR_RANGE);
    CHECK_INT(doc_chart_point(d, 0, 1), KW_ERR_RANGE);
    CHECK_INT(doc_table_begin(d, 0, NULL, NULL, NULL), KW_ERR_RANGE);
    CHECK_INT(doc_table_begin(d, DOC_COLS_MAX + 1, NULL, NULL, NULL), KW_ERR_RANGE);
    double bad[2] = {1, -1};
    CHECK_INT(doc_table_begin(d, 2, NULL, NULL, bad), KW_ERR_RANGE);
    CHECK_INT(doc_chart_line_begin(d, "l", NULL), KW_OK);
    CHECK_INT(doc_chart_point(d, 1000, 1), KW_ERR_RANGE); /* no series yet */
    CHECK_INT(doc_chart_series(d, "s"), KW_OK);
    CHECK_INT(doc_chart_point(d, 2000, 1), KW_OK);
    CHECK_INT(doc_chart_point(d, 1000, 1), KW_ERR_RANGE); /* out of time order */
    CHECK_INT(doc_chart_point(d, -1, 1), KW_ERR_RANGE);
    CHECK_INT(doc_chart_point(d, 3000, 0.0 / 0.0), KW_OK); /* skipped */
    CHECK_INT(d->blocks[d->nblocks - 1].series[0].n, 1);
    CHECK(!doc_truncated(d));
    CHECK_INT(doc_list_begin(d), KW_OK);
    kw_rc rc = KW_OK;
    for (int i = 0; i <= DOC_ITEMS_MAX && rc == KW_OK; i++)
        rc = doc_list_item(d, "item");
    CHECK_INT(rc, KW_ERR_FULL);
    CHECK_INT(d->blocks[d->nblocks - 1].nstrs, DOC_ITEMS_MAX);
    CHECK(doc_truncated(d));
    char *md = render(d, false, DOC_LANG_EN);
    CHECK_CONTAINS(md, "size limit");
    free(md);
    doc_free(d);
}

static void test_md_escape(void)
{
    kw_doc *d = doc_new("Report #7 | x");
    doc_set_header(d, "Org*", "2026-12-01");
    doc_para(d, "a *b* _c_ [x](http://e) <script> `k` ~s~ R&D &amp; &x \\n\n# not a heading\n1. not a list\n    - no");
    doc_heading(d, 2, "Title #");
    char *md = render(d, false, DOC_LANG_EN);
    CHECK_CONTAINS(md, "# Report \\#7 \\| x\n\n");
    CHECK_CONTAINS(md, "Org\\* · 2026-12-01\n\n");
    CHECK_CONTAINS(md, "a \\*b\\* \\_c\\_ \\[x\\](http://e) \\<script\\> \\`k\\` \\~s\\~ R&D \\&amp; &x \\\\n\\\n");
    CHECK_CONTAINS(md, "\\\n\\# not a heading\\\n1\\. not a list\\\n\\- no\n\n");
    CHECK_CONTAINS(md, "### Title \\#\n");
    free(md);
    doc_free(d);
}

static void test_md_bold_lists(void)
{
    kw_doc *d = doc_new("事件报告");
    doc_para(d, "事件等级：** 重大 **，已上报。**未闭合");
    doc_list_begin(d);
    doc_list_item(d, "第一项\n续行");
    doc_list_item(d, "**加粗**项");
    doc_kv_begin(d);
    doc_kv(d, "发现时间", "2026-12-02 08:30");
    doc_kv(d, "影响", "a|b");
    doc_note(d, DOC_NOTE_WARN, "两行\n说明");
    char *md = render(d, false, DOC_LANG_ZH);
    CHECK_CONTAINS(md, "事件等级： **重大** ，已上报。\\*\\*未闭合\n\n");
    CHECK_CONTAINS(md, "- 第一项\\\n  续行\n- **加粗**项\n\n");
    CHECK_CONTAINS(md, "\n\n* **发现时间**：2026-12-02 08:30\n* **影响**：a\\|b\n"); /* a list of its own */
    CHECK_CONTAINS(md, "> **注意**：两行\\\n> 说明\n");
    free(md);
    char *html = render(d, true, DOC_LANG_ZH);
    CHECK_CONTAINS(html, "<p>事件等级：<strong> 重大 </strong>，已上报。**未闭合</p>");
    CHECK_CONTAINS(html, "<li>第一项<br>续行</li>");
    CHECK_CONTAINS(html, "<dt>发现时间</dt>\n<dd>2026-12-02 08:30</dd>");
    CHECK_CONTAINS(html, "<div class=\"kw-note warn\"><strong>注意</strong>：两行<br>说明</div>");
    free(html);
    doc_free(d);
}

static kw_doc *table_doc(void)
{
    kw_doc *d = doc_new("T");
    const char *head[3] = {"主机", "告警|数", NULL};
    const doc_align al[3] = {DOC_ALIGN_LEFT, DOC_ALIGN_RIGHT, DOC_ALIGN_CENTER};
    const double wt[3] = {2, 1, 1};
    CHECK_INT(doc_table_begin(d, 3, head, al, wt), KW_OK);
    const char *r1[3] = {"web-01", "12", "a\nb"};
    const char *r2[3] = {"<db>", NULL, "x|y"};
    CHECK_INT(doc_table_row(d, r1), KW_OK);
    CHECK_INT(doc_table_row(d, r2), KW_OK);
    return d;
}

static void test_md_table(void)
{
    kw_doc *d = table_doc();
    char *md = render(d, false, DOC_LANG_ZH);
    CHECK_CONTAINS(md, "| 主机 | 告警\\|数 |  |\n| --- | ---: | :---: |\n| web-01 | 12 | a<br>b |\n| \\<db\\> |  | x\\|y |\n");
    free(md);
    doc_free(d);
}

static void test_html_table_escape(void)
{
    kw_doc *d = table_doc();
    doc_set_header(d, "<b>org</b>", "\"p\"");
    doc_para(d, "<script>alert('x')</script>");
    doc_set_footer(d, "foot & co");
    doc_page_break(d);
    char *html = render(d, true, DOC_LANG_EN);
    CHECK(strncmp(html, "<!doctype html>\n<html lang=\"en\">", 32) == 0);
    CHECK(!strstr(html, "<script"));
    CHECK(!strstr(html, "<b>org"));
    CHECK_CONTAINS(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    CHECK_CONTAINS(html, "<span>&lt;b&gt;org&lt;/b&gt;</span><span>&quot;p&quot;</span>");
    CHECK_CONTAINS(html, "<col style=\"width:50.0%\"><col style=\"width:25.0%\">");
    CHECK_CONTAINS(html, "<thead><tr><th class=\"l\">主机</th><th class=\"r\">告警|数</th><th class=\"c\"></th></tr>");
    CHECK_CONTAINS(html, "<td class=\"l\">&lt;db&gt;</td><td class=\"r\"></td><td class=\"c\">x|y</td>");
    CHECK_CONTAINS(html, "<td class=\"c\">a<br>b</td>");
    CHECK_CONTAINS(html, "<footer class=\"kw-foot\">foot &amp; co</footer>");
    CHECK_CONTAINS(html, "<div class=\"kw-pb\"></div>");
    CHECK_CONTAINS(html, "@media print");
    CHECK(!strstr(html, "http://") || strstr(html, "http://www.w3.org/2000/svg") == NULL);
    free(html);
    html = render(d, true, DOC_LANG_ZH);
    CHECK_CONTAINS(html, "<html lang=\"zh-CN\">");
    free(html);
    doc_free(d);
}

/* 2026-12-02 00:00 UTC+8 */
#define DAY0 INT64_C(1796140800000)

static kw_doc *chart_doc(void)
{
    kw_doc *d = doc_new("C");
    doc_set_tz(d, 480);
    doc_chart_bar_begin(d, "告警 <按类型>", "条");
    doc_chart_bar(d, "syn_flood", 12);
    doc_chart_bar(d, "web|attack", 3.5);
    doc_chart_bar(d, "scan", 0);
    doc_chart_line_begin(d, "Burndown", NULL);
    doc_chart_series(d, "open");
    doc_chart_point(d, DAY0, 10);
    doc_chart_point(d, DAY0 + 3600000, 8);
    doc_chart_series(d, "fixed");
    doc_chart_point(d, DAY0 + 3600000, 2);
    doc_chart_point(d, DAY0 + 7200000, 5);
    return d;
}

static void test_md_charts(void)
{
    kw_doc *d = chart_doc();
    char *md = render(d, false, DOC_LANG_EN);
    CHECK_CONTAINS(md, "**告警 \\<按类型\\>** (条)\n\n| Item | Value |\n| --- | ---: |\n| syn\\_flood | 12 |\n"
                       "| web\\|attack | 3.5 |\n| scan | 0 |\n");
    CHECK_CONTAINS(md, "**Burndown**\n\n| Time | open | fixed |\n| --- | ---: | ---: |\n"
                       "| 2026-12-02 00:00 | 10 |  |\n| 2026-12-02 01:00 | 8 | 2 |\n| 2026-12-02 02:00 |  | 5 |\n");
    free(md);
    doc_free(d);
}

static void test_html_charts(void)
{
    kw_doc *d = chart_doc();
    char *html = render(d, true, DOC_LANG_EN);
    CHECK_INT(count(html, "<svg "), 2);
    CHECK_CONTAINS(html, "aria-label=\"告警 &lt;按类型&gt;\"");
    CHECK_CONTAINS(html, ">告警 &lt;按类型&gt; (条)</text>");
    CHECK_CONTAINS(html, ">syn_flood</text>");
    CHECK_CONTAINS(html, ">web|attack</text>");
    CHECK_INT(count(html, "<polyline"), 2);
    CHECK_CONTAINS(html, ">open</text>"); /* the legend */
    CHECK_CONTAINS(html, ">fixed</text>");
    CHECK_CONTAINS(html, ">00:00</text>"); /* time ticks in UTC+8 */
    CHECK_CONTAINS(html, ">01:00</text>");
    /* bars: three (the one of 0 is empty) of the first colour */
    CHECK_INT(count(html, "fill=\"#1f6fb2\"/>"), 4); /* 3 bars + the legend's swatch */
    free(html);
    doc_free(d);
}

static void test_render_ceiling(void)
{
    kw_doc *d = table_doc();
    kw_buf b;
    kw_buf_init(&b, 64);
    CHECK_INT(doc_render_md(d, DOC_LANG_ZH, &b), KW_ERR_FULL);
    kw_buf_reset(&b);
    CHECK_INT(doc_render_html(d, DOC_LANG_ZH, &b), KW_ERR_FULL);
    kw_buf_free(&b);
    doc_free(d);
}

static void test_axes(void)
{
    doc_axis ax;
    doc_axis_nice(0, 97, 5, &ax);
    CHECK_NEAR(ax.lo, 0, 1e-9);
    CHECK_NEAR(ax.hi, 100, 1e-9);
    CHECK_NEAR(ax.step, 20, 1e-9);
    CHECK_INT(ax.count, 6);
    doc_axis_nice(5, 5, 5, &ax); /* a flat series */
    CHECK(ax.hi > ax.lo);
    doc_axis_nice(-1e300, 1e300, 5, &ax);
    CHECK(ax.count >= 2 && ax.count <= 13);
    doc_taxis tx;
    doc_taxis_nice(DAY0 + 600000, DAY0 + 6 * 3600000, 480, 6, &tx);
    CHECK_INT(tx.step_ms, 3600000);
    CHECK_INT(tx.first, DAY0 + 3600000);
    CHECK(!tx.with_date);
    doc_taxis_nice(DAY0, DAY0 + 30 * 86400000LL, 480, 6, &tx);
    CHECK_INT(tx.step_ms, 7 * 86400000LL);
    char s[64];
    doc_fmt_tick(&tx, DAY0, 480, s, sizeof s);
    CHECK_STR(s, "12-02");
    doc_taxis_nice(DAY0, DAY0, 480, 6, &tx); /* one instant: the hour around it */
    CHECK_INT(tx.t0, DAY0 - 1800000);
    CHECK_INT(tx.t1, DAY0 + 1800000);
    CHECK_INT(tx.step_ms, 900000);
    doc_taxis_nice(DAY0, DAY0 + 40000, 480, 6, &tx);
    CHECK_INT(tx.step_ms, 15000);
    doc_fmt_tick(&tx, DAY0 + 15000, 480, s, sizeof s);
    CHECK_STR(s, "00:00:15");
    doc_fmt_num(1.5, s, sizeof s);
    CHECK_STR(s, "1.5");
    doc_fmt_num(-0.0, s, sizeof s);
    CHECK_STR(s, "0");
    doc_fmt_num(100000, s, sizeof s);
    CHECK_STR(s, "100000");
    doc_fmt_num(0.0001, s, sizeof s);
    CHECK_STR(s, "0.0001");
}

static void test_lang(void)
{
    doc_lang l = DOC_LANG_EN;
    CHECK_INT(doc_lang_parse("zh-CN", &l), KW_OK);
    CHECK_INT(l, DOC_LANG_ZH);
    CHECK_INT(doc_lang_parse("EN", &l), KW_OK);
    CHECK_INT(l, DOC_LANG_EN);
    CHECK_INT(doc_lang_parse("zh_TW", &l), KW_OK);
    CHECK_INT(l, DOC_LANG_ZH);
    CHECK_INT(doc_lang_parse("fr", &l), KW_ERR_PARSE);
    CHECK_INT(doc_lang_parse("zhx", &l), KW_ERR_PARSE);
    CHECK_INT(doc_lang_parse(NULL, &l), KW_ERR_PARSE);
}

int main(void)
{
    RUN(test_clean_text);
    RUN(test_clean_bounded);
    RUN(test_builder_errors);
    RUN(test_md_escape);
    RUN(test_md_bold_lists);
    RUN(test_md_table);
    RUN(test_html_table_escape);
    RUN(test_md_charts);
    RUN(test_html_charts);
    RUN(test_render_ceiling);
    RUN(test_axes);
    RUN(test_lang);
    TEST_MAIN_END();
}
