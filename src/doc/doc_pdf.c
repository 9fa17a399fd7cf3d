/* The PDF renderer: A4 portrait through cairo's PDF surface, text laid out by pango (CJK
 * shaping, line breaking; fonts from fontconfig: Noto Sans CJK SC, else WenQuanYi Micro Hei,
 * else the default sans). Pages carry a header (organisation, title, period) and a footer (its
 * text, "第 3 页 / 共 7 页"); the document is laid out once to count the pages, then drawn. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo-pdf.h>

#include "doc/doc_pdf.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DOC_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define DOC_ASAN 1
#endif
#ifdef DOC_ASAN
/* Under the sanitizers, for every program the PDF renderer is linked into: fontconfig, as
 * pango drives it, keeps font patterns it never frees (once per process, bounded by the fonts
 * installed), which LeakSanitizer would report at exit as keepwatch's. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}
#endif

#define LEADING 2.6
#define GAP 7.0
#define GREY "#666666"
#define INK "#1a1a1a"

static const struct {
    double size;
    bool bold;
} font_specs[PDF_F_COUNT] = {
    [PDF_F_BODY] = {10, false}, [PDF_F_BOLD] = {10, true},    [PDF_F_SMALL] = {7.5, false},
    [PDF_F_CELL] = {8.5, false}, [PDF_F_CELL_BOLD] = {8.5, true}, [PDF_F_H1] = {15, true},
    [PDF_F_H2] = {12.5, true},  [PDF_F_H3] = {11, true},      [PDF_F_TITLE] = {19, true},
};

/* Lays l out line by line from p->y at x, breaking pages between lines; a marker layout
 * (a bullet), when given, is drawn at mx beside the first line. */
static void pdf_flow(pdf *p, PangoLayout *l, double x, PangoLayout *marker, double mx)
{
    PangoLayoutIter *it = pango_layout_get_iter(l);
    bool first = true;
    do {
        PangoRectangle r;
        pango_layout_iter_get_line_extents(it, NULL, &r);
        double h = r.height / (double)PANGO_SCALE;
        pdf_need(p, h);
        if (first && marker)
            pdf_show(p, marker, mx, p->y);
        if (p->draw) {
            double base = (pango_layout_iter_get_baseline(it) - r.y) / (double)PANGO_SCALE;
            cairo_move_to(p->cr, x + r.x / (double)PANGO_SCALE, p->y + base);
            pango_cairo_show_layout_line(p->cr, pango_layout_iter_get_line_readonly(it));
        }
        p->y += h + LEADING;
        first = false;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
}

/* text (with **bold** spans) into l, after label in bold when label is given. */
static void pdf_set_rich(pdf *p, PangoLayout *l, const char *label, const char *text)
{
    if (!label && !strstr(text, "**")) {
        pdf_set_text(p, l, text, strlen(text));
        return;
    }
    size_t len;
    text = pdf_breakable(p, text, strlen(text), &len); /* NUL-terminated either way */
    kw_buf_reset(&p->scratch);
    if (label)
        kw_buf_printf(&p->scratch, "<b>%s%s</b>", label, p->w->colon);
    doc_xml_rich(&p->scratch, text, "b", DOC_NL_KEEP);
    pango_layout_set_markup(l, kw_buf_cstr(&p->scratch), -1);
}

static void pdf_para(pdf *p, const char *text, pdf_font f)
{
    PangoLayout *l = pdf_layout(p, f, PDF_TEXT_W);
    pdf_set_rich(p, l, NULL, text);
    pdf_color(p, INK);
    pdf_flow(p, l, PDF_ML, NULL, 0);
    p->y += GAP - LEADING;
    g_object_unref(l);
}

static void pdf_heading(pdf *p, const doc_block *b)
{
    static const pdf_font f[] = {PDF_F_H1, PDF_F_H2, PDF_F_H3};
    if (p->y > PDF_TOP)
        p->y += b->level == 1 ? 8 : 5;
    pdf_need(p, 60); /* keep it with what follows */
    pdf_para(p, b->text, f[b->level - 1]);
}

static void pdf_list(pdf *p, const doc_block *b)
{
    PangoLayout *bullet = pdf_layout(p, PDF_F_BODY, 0), *l = pdf_layout(p, PDF_F_BODY, PDF_TEXT_W - 14);
    pango_layout_set_text(bullet, "•", -1);
    pdf_color(p, INK);
    for (size_t i = 0; i < b->nstrs; i++) {
        pdf_set_rich(p, l, NULL, b->strs[i]);
        pdf_flow(p, l, PDF_ML + 14, bullet, PDF_ML + 3);
        p->y += 1.5;
    }
    p->y += GAP - LEADING;
    g_object_unref(bullet);
    g_object_unref(l);
}

static void pdf_note(pdf *p, const doc_block *b)
{
    static const char *const bar[] = {"#1f6fb2", "#e69a1d", "#d9534f"}, *const bg[] = {"#eef5fb", "#fdf6e8", "#fbeeee"};
    const double pad = 6, maxh = (PDF_BOTTOM - PDF_TOP) * 0.8;
    PangoLayout *l = pdf_layout(p, PDF_F_BODY, PDF_TEXT_W - 2 * pad - 4);
    pango_layout_set_height(l, (int)(maxh * PANGO_SCALE));
    pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
    pdf_set_rich(p, l, p->w->note[b->level], b->text);
    double h = pdf_layout_h(l) + 2 * pad;
    pdf_need(p, h);
    if (p->draw) {
        pdf_color(p, bg[b->level]);
        cairo_rectangle(p->cr, PDF_ML, p->y, PDF_TEXT_W, h);
        cairo_fill(p->cr);
        pdf_color(p, bar[b->level]);
        cairo_rectangle(p->cr, PDF_ML, p->y, 3, h);
        cairo_fill(p->cr);
        pdf_color(p, INK);
    }
    pdf_show(p, l, PDF_ML + pad + 4, p->y + pad);
    p->y += h + GAP;
    g_object_unref(l);
}

static void pdf_block(pdf *p, const doc_block *b)
{
    switch (b->kind) {
    case DOC_B_HEADING: pdf_heading(p, b); break;
    case DOC_B_PARA: pdf_para(p, b->text, PDF_F_BODY); break;
    case DOC_B_NOTE: pdf_note(p, b); break;
    case DOC_B_BREAK:
        if (p->y > PDF_TOP + 0.01) {
            pdf_page_end(p);
            pdf_page_begin(p);
        }
        break;
    case DOC_B_LIST: pdf_list(p, b); break;
    case DOC_B_KV: pdf_kv(p, b); break;
    case DOC_B_TABLE: pdf_table(p, b); break;
    case DOC_B_BAR:
    case DOC_B_LINE: pdf_chart(p, b); break;
    }
}

/* The first page's title and, under it, the organisation and period. */
static void pdf_title(pdf *p)
{
    const kw_doc *d = p->d;
    if (*d->title)
        pdf_para(p, d->title, PDF_F_TITLE);
    if (!*d->org && !*d->period)
        return;
    kw_buf line;
    kw_buf_init(&line, DOC_TEXT_MAX * 2 + 16);
    kw_buf_printf(&line, "%s%s%s", d->org, *d->org && *d->period ? " · " : "", d->period);
    PangoLayout *l = pdf_layout(p, PDF_F_BODY, PDF_TEXT_W);
    pdf_set_text(p, l, line.data, line.len);
    pdf_color(p, GREY);
    pdf_flow(p, l, PDF_ML, NULL, 0);
    p->y += GAP + 4;
    g_object_unref(l);
    kw_buf_free(&line);
}

/* One pass over the document on cr: counting (p->draw false) or drawing. */
static void pdf_pass(pdf *p)
{
    p->page = 0;
    pdf_page_begin(p);
    pdf_title(p);
    for (size_t i = 0; i < p->d->nblocks; i++)
        pdf_block(p, &p->d->blocks[i]);
    if (p->d->truncated)
        pdf_para(p, p->w->truncated, PDF_F_BODY);
    pdf_page_end(p);
}

static void pdf_open(pdf *p, cairo_surface_t *s, doc_lang lang)
{
    p->cr = cairo_create(s);
    p->pc = pango_cairo_create_context(p->cr);
    pango_cairo_context_set_resolution(p->pc, 72);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(p->pc, fo);
    cairo_font_options_destroy(fo);
    pango_context_set_language(p->pc, pango_language_from_string(lang == DOC_LANG_EN ? "en" : "zh-cn"));
    for (int f = 0; f < PDF_F_COUNT; f++) {
        p->font[f] = pango_font_description_from_string(PDF_FONTS);
        pango_font_description_set_size(p->font[f], (int)(font_specs[f].size * PANGO_SCALE));
        if (font_specs[f].bold)
            pango_font_description_set_weight(p->font[f], PANGO_WEIGHT_BOLD);
    }
}

static void pdf_close(pdf *p)
{
    for (int f = 0; f < PDF_F_COUNT; f++)
        pango_font_description_free(p->font[f]);
    g_object_unref(p->pc);
    cairo_destroy(p->cr);
}

static cairo_status_t write_none(void *c, const unsigned char *data, unsigned int n)
{
    return CAIRO_STATUS_SUCCESS;
}

static cairo_status_t write_buf(void *c, const unsigned char *data, unsigned int n)
{
    return kw_buf_append(c, data, n) == KW_OK ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static cairo_status_t write_file(void *c, const unsigned char *data, unsigned int n)
{
    return fwrite(data, 1, n, c) == n ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* Lays d out on a surface writing through fn(ctx): counting first, then drawing. */
static cairo_status_t pdf_run(pdf *p, doc_lang lang, cairo_write_func_t fn, void *ctx)
{
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(write_none, NULL, PDF_W, PDF_H);
    pdf_open(p, s, lang);
    pdf_pass(p);
    p->pages = p->page;
    pdf_close(p);
    cairo_surface_destroy(s);
    s = cairo_pdf_surface_create_for_stream(fn, ctx, PDF_W, PDF_H);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, p->d->title);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "keepwatch");
    pdf_open(p, s, lang);
    p->draw = true;
    pdf_pass(p);
    pdf_close(p);
    cairo_surface_finish(s);
    cairo_status_t st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    return st;
}

/* Renders into a new file beside path (mode 0600), renamed over path once whole, so that no
 * reader ever sees half a PDF. */
static kw_rc pdf_to_file(pdf *p, doc_lang lang, const char *path)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp)
        return KW_ERR_RANGE;
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return KW_ERR_IO;
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        unlink(tmp);
        return KW_ERR_IO;
    }
    kw_rc rc = pdf_run(p, lang, write_file, f) == CAIRO_STATUS_SUCCESS ? KW_OK : KW_ERR_IO;
    if (fclose(f) != 0)
        rc = KW_ERR_IO;
    if (rc == KW_OK && rename(tmp, path) != 0)
        rc = KW_ERR_IO;
    if (rc != KW_OK)
        unlink(tmp);
    return rc;
}

kw_rc doc_render_pdf(const kw_doc *d, doc_lang lang, const char *path, kw_buf *out, int *pages)
{
    if (!path && !out)
        return KW_ERR_RANGE;
    pdf p = {.d = d, .w = doc_words_of(lang)};
    kw_buf_init(&p.scratch, DOC_TEXT_MAX * 8);
    kw_buf_init(&p.brk, DOC_TEXT_MAX * 2);
    kw_rc rc = KW_OK;
    if (path)
        rc = pdf_to_file(&p, lang, path);
    else if (pdf_run(&p, lang, write_buf, out) != CAIRO_STATUS_SUCCESS)
        rc = KW_ERR_FULL;
    kw_buf_free(&p.scratch);
    kw_buf_free(&p.brk);
    if (pages)
        *pages = p.pages;
    return rc;
}
