/* The HTML renderer: one self-contained page (a small embedded stylesheet with print rules for
 * A4 and page breaks, no script, nothing loaded from elsewhere), all of the document's text
 * escaped, charts as inline SVG drawn by the chart painter. */
#include <stdio.h>
#include <string.h>

#include "doc/doc_int.h"

#define CHART_W 640.0
#define CHART_H 240.0

static const char html_style[] =
    "body{font-family:\"Noto Sans CJK SC\",\"WenQuanYi Micro Hei\",\"PingFang SC\",\"Microsoft YaHei\",sans-serif;"
    "color:#222;max-width:60rem;margin:1.5rem auto;padding:0 1rem;line-height:1.55;font-size:15px}"
    "header.kw-head{display:flex;justify-content:space-between;border-bottom:1px solid #999;color:#555;"
    "font-size:13px;padding-bottom:.3rem}"
    "footer.kw-foot{border-top:1px solid #999;color:#555;font-size:13px;margin-top:2rem;padding-top:.3rem}"
    "h1{font-size:1.6rem;margin:.8rem 0 .2rem}h2{font-size:1.3rem}h3{font-size:1.12rem}h4{font-size:1rem}"
    "table{border-collapse:collapse;width:100%;margin:.6rem 0;font-size:13px}"
    "th,td{border:1px solid #bbb;padding:.25rem .45rem;vertical-align:top;overflow-wrap:anywhere}"
    "th{background:#eef2f6}tr:nth-child(even) td{background:#fafafa}"
    ".l{text-align:left}.c{text-align:center}.r{text-align:right}"
    "dl.kw-kv{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dl.kw-kv dt{font-weight:bold}"
    "dl.kw-kv dd{margin:0}"
    ".kw-note{border-left:4px solid #1f6fb2;background:#eef5fb;padding:.4rem .8rem;margin:.6rem 0}"
    ".kw-note.warn{border-color:#e69a1d;background:#fdf6e8}.kw-note.crit{border-color:#d9534f;background:#fbeeee}"
    "figure.kw-chart{margin:.8rem 0}figure.kw-chart svg{width:100%;height:auto;max-width:" "640px}"
    ".kw-pb{height:0}"
    "@page{size:A4;margin:18mm 16mm}"
    "@media print{body{max-width:none;margin:0;padding:0;font-size:10.5pt}.kw-pb{break-after:page}"
    "thead{display:table-header-group}tr,figure.kw-chart,.kw-note{break-inside:avoid}"
    "h2,h3,h4{break-after:avoid}}";

void doc_xml_text(kw_buf *b, const char *s, size_t n, doc_nl nl)
{
    static const char *const nls[] = {"\n", "<br>", " "};
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        case '\n': rep = nls[nl]; break;
        default: continue;
        }
        kw_buf_append(b, s + run, i - run);
        kw_buf_puts(b, rep);
        run = i + 1;
    }
    kw_buf_append(b, s + run, n - run);
}

void doc_xml_rich(kw_buf *b, const char *text, const char *bold_tag, doc_nl nl)
{
    size_t pos = 0, n;
    const char *s;
    bool bold;
    while (doc_span_next(text, &pos, &s, &n, &bold)) {
        if (bold)
            kw_buf_printf(b, "<%s>", bold_tag);
        doc_xml_text(b, s, n, nl);
        if (bold)
            kw_buf_printf(b, "</%s>", bold_tag);
    }
}

static void html_str(kw_buf *b, const char *s)
{
    doc_xml_text(b, s, strlen(s), DOC_NL_BR);
}

static void html_rich(kw_buf *b, const char *text)
{
    doc_xml_rich(b, text, "strong", DOC_NL_BR);
}

/* <tag>text</tag> with the text escaped. */
static void html_elem(kw_buf *b, const char *tag, const char *text, bool rich)
{
    kw_buf_printf(b, "<%s>", tag);
    if (rich)
        html_rich(b, text);
    else
        html_str(b, text);
    kw_buf_printf(b, "</%s>\n", tag);
}

/* The SVG painter's primitives. */
static void svg_line(void *ctx, double x0, double y0, double x1, double y1, const char *color, double width)
{
    kw_buf_printf(ctx, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"/>",
                  x0, y0, x1, y1, color, width);
}

static void svg_rect(void *ctx, double x, double y, double w, double h, const char *color)
{
    kw_buf_printf(ctx, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>", x, y, w, h,
                  color);
}

static void svg_text(void *ctx, double x, double y, const char *s, size_t n, double size, int anchor, bool bold,
                     const char *color)
{
    static const char *const anchors[] = {"start", "middle", "end"};
    kw_buf_printf(ctx, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.1f\" text-anchor=\"%s\" "
                       "dominant-baseline=\"central\" fill=\"%s\"%s>",
                  x, y, size, anchors[anchor + 1], color, bold ? " font-weight=\"bold\"" : "");
    doc_xml_text(ctx, s, n, DOC_NL_SPACE);
    kw_buf_puts(ctx, "</text>");
}

static void svg_path(void *ctx, const double *xy, size_t n, const char *color, double width)
{
    kw_buf_puts(ctx, "<polyline fill=\"none\" points=\"");
    for (size_t i = 0; i < n; i++)
        kw_buf_printf(ctx, "%s%.1f,%.1f", i ? " " : "", xy[2 * i], xy[2 * i + 1]);
    kw_buf_printf(ctx, "\" stroke=\"%s\" stroke-width=\"%.1f\" stroke-linejoin=\"round\"/>", color, width);
}

static void html_chart(kw_buf *b, const doc_block *k, int tz_min, const doc_words *w)
{
    const doc_paint p = {b, svg_line, svg_rect, svg_text, svg_path};
    kw_buf_printf(b, "<figure class=\"kw-chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"-4 -4 %.0f %.0f\" "
                     "role=\"img\" aria-label=\"",
                  CHART_W + 8, CHART_H + 8);
    html_str(b, k->text);
    kw_buf_puts(b, "\" font-family=\"Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif\">");
    doc_chart_paint(k, CHART_W, CHART_H, tz_min, w, &p);
    kw_buf_puts(b, "</svg></figure>\n");
}

static void html_row(kw_buf *b, const doc_block *t, size_t row, const char *tag)
{
    static const char *const cls[] = {"l", "c", "r"};
    kw_buf_puts(b, "<tr>");
    for (size_t c = 0; c < t->ncols; c++) {
        kw_buf_printf(b, "<%s class=\"%s\">", tag, cls[t->align[c]]);
        html_str(b, t->strs[row * t->ncols + c]);
        kw_buf_printf(b, "</%s>", tag);
    }
    kw_buf_puts(b, "</tr>\n");
}

static void html_table(kw_buf *b, const doc_block *t)
{
    kw_buf_puts(b, "<table>");
    if (t->weights) {
        double sum = 0;
        for (size_t c = 0; c < t->ncols; c++)
            sum += t->weights[c];
        kw_buf_puts(b, "<colgroup>");
        for (size_t c = 0; c < t->ncols; c++)
            kw_buf_printf(b, "<col style=\"width:%.1f%%\">", 100.0 * t->weights[c] / sum);
        kw_buf_puts(b, "</colgroup>");
    }
    kw_buf_puts(b, "\n<thead>");
    html_row(b, t, 0, "th");
    kw_buf_puts(b, "</thead>\n<tbody>\n");
    for (size_t r = 0; r < doc_rows(t) && !b->overflow; r++)
        html_row(b, t, r + 1, "td");
    kw_buf_puts(b, "</tbody></table>\n");
}

static void html_list(kw_buf *b, const doc_block *l)
{
    kw_buf_puts(b, "<ul>\n");
    for (size_t i = 0; i < l->nstrs; i++)
        html_elem(b, "li", l->strs[i], true);
    kw_buf_puts(b, "</ul>\n");
}

static void html_kv(kw_buf *b, const doc_block *l)
{
    kw_buf_puts(b, "<dl class=\"kw-kv\">\n");
    for (size_t i = 0; i + 1 < l->nstrs; i += 2) {
        html_elem(b, "dt", l->strs[i], false);
        html_elem(b, "dd", l->strs[i + 1], false);
    }
    kw_buf_puts(b, "</dl>\n");
}

static void html_note(kw_buf *b, const doc_block *n, const doc_words *w)
{
    static const char *const cls[] = {"info", "warn", "crit"};
    kw_buf_printf(b, "<div class=\"kw-note %s\"><strong>%s</strong>%s", cls[n->level], w->note[n->level], w->colon);
    html_rich(b, n->text);
    kw_buf_puts(b, "</div>\n");
}

static void html_block(kw_buf *b, const doc_block *k, const doc_words *w, int tz_min)
{
    static const char *const h[] = {"h2", "h3", "h4"};
    switch (k->kind) {
    case DOC_B_HEADING: html_elem(b, h[k->level - 1], k->text, false); break;
    case DOC_B_PARA: html_elem(b, "p", k->text, true); break;
    case DOC_B_NOTE: html_note(b, k, w); break;
    case DOC_B_BREAK: kw_buf_puts(b, "<div class=\"kw-pb\"></div>\n"); break;
    case DOC_B_LIST: html_list(b, k); break;
    case DOC_B_KV: html_kv(b, k); break;
    case DOC_B_TABLE: html_table(b, k); break;
    case DOC_B_BAR:
    case DOC_B_LINE: html_chart(b, k, tz_min, w); break;
    }
}

static void html_head(kw_buf *b, const kw_doc *d, doc_lang lang)
{
    kw_buf_printf(b, "<!doctype html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
                  lang == DOC_LANG_EN ? "en" : "zh-CN");
    html_elem(b, "title", d->title, false);
    kw_buf_printf(b, "<style>%s</style>\n</head>\n<body>\n<header class=\"kw-head\"><span>", html_style);
    html_str(b, d->org);
    kw_buf_puts(b, "</span><span>");
    html_str(b, d->period);
    kw_buf_puts(b, "</span></header>\n<main>\n");
    if (*d->title)
        html_elem(b, "h1", d->title, false);
}

kw_rc doc_render_html(const kw_doc *d, doc_lang lang, kw_buf *out)
{
    const doc_words *w = doc_words_of(lang);
    html_head(out, d, lang);
    for (size_t i = 0; i < d->nblocks && !out->overflow; i++)
        html_block(out, &d->blocks[i], w, d->tz_min);
    if (d->truncated)
        html_elem(out, "p", w->truncated, false);
    kw_buf_puts(out, "</main>\n");
    if (*d->footer) {
        kw_buf_puts(out, "<footer class=\"kw-foot\">");
        html_str(out, d->footer);
        kw_buf_puts(out, "</footer>\n");
    }
    kw_buf_puts(out, "</body>\n</html>\n");
    return out->overflow ? KW_ERR_FULL : KW_OK;
}
