/* The PDF's drawing primitives and its pages: pango layouts in the document's fonts, colours,
 * the header (organisation, title, period) and footer (its text, "第 3 页 / 共 7 页") each page
 * carries, and the page break when what comes next does not fit. */
#include <stdio.h>

#include "doc/doc_pdf.h"

#define GREY "#666666"

PangoLayout *pdf_layout(pdf *p, pdf_font f, double w)
{
    PangoLayout *l = pango_layout_new(p->pc);
    pango_layout_set_font_description(l, p->font[f]);
    if (w > 0) {
        pango_layout_set_width(l, (int)(w * PANGO_SCALE));
        pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    }
    return l;
}

#define RUN_LONG 64
#define RUN_STEP 32

/* Whether the character at c (its first byte) ends a run: a space, a newline, or the lead
 * byte of U+3000..U+DFFF (CJK, Yi, Hangul: lines may break between any two). Punctuation,
 * U+FFFD and the rest count: a run of em dashes has no break in it. */
static bool run_breaker(unsigned char c)
{
    return c == ' ' || c == '\n' || (c >= 0xe3 && c <= 0xed);
}

static bool has_long_run(const char *s, size_t n)
{
    for (size_t i = 0, run = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (run_breaker(c))
            run = 0;
        else if ((c & 0xc0) != 0x80 && ++run > RUN_LONG)
            return true;
    }
    return false;
}

const char *pdf_breakable(pdf *p, const char *s, size_t n, size_t *len)
{
    *len = n;
    if (!has_long_run(s, n))
        return s;
    kw_buf_reset(&p->brk);
    for (size_t i = 0, run = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (run_breaker(c))
            run = 0;
        else if ((c & 0xc0) != 0x80 && ++run % RUN_STEP == 0)
            kw_buf_puts(&p->brk, "\xe2\x80\x8b"); /* U+200B before this character */
        kw_buf_putc(&p->brk, (char)c);
    }
    *len = p->brk.len;
    return kw_buf_cstr(&p->brk);
}

void pdf_set_text(pdf *p, PangoLayout *l, const char *s, size_t n)
{
    size_t len;
    const char *t = pdf_breakable(p, s, n, &len);
    pango_layout_set_text(l, t, (int)len);
}

double pdf_layout_h(PangoLayout *l)
{
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return h / (double)PANGO_SCALE;
}

void pdf_show(pdf *p, PangoLayout *l, double x, double y)
{
    if (!p->draw)
        return;
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, l);
}

void pdf_color(pdf *p, const char *hex)
{
    unsigned v = 0;
    sscanf(hex, "#%6x", &v);
    cairo_set_source_rgb(p->cr, ((v >> 16) & 255) / 255.0, ((v >> 8) & 255) / 255.0, (v & 255) / 255.0);
}

/* One line of text in font f, cut with "…" to width w, anchored left (-1), centre or right
 * (1) at x, its top at y. */
static void pdf_line_text(pdf *p, pdf_font f, const char *s, double x, double y, double w, int anchor)
{
    PangoLayout *l = pdf_layout(p, f, 0);
    pango_layout_set_width(l, (int)(w * PANGO_SCALE));
    pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
    pango_layout_set_alignment(l, anchor < 0 ? PANGO_ALIGN_LEFT : anchor > 0 ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_CENTER);
    pango_layout_set_text(l, s, (int)doc_text_cut(s, 1024)); /* more than one line can show */
    pdf_show(p, l, anchor < 0 ? x : anchor > 0 ? x - w : x - w / 2, y);
    g_object_unref(l);
}

static void pdf_rule(pdf *p, double y)
{
    pdf_color(p, "#999999");
    cairo_set_line_width(p->cr, 0.6);
    cairo_move_to(p->cr, PDF_ML, y);
    cairo_line_to(p->cr, PDF_W - PDF_MR, y);
    cairo_stroke(p->cr);
}

void pdf_page_begin(pdf *p)
{
    p->page++;
    p->y = PDF_TOP;
    if (!p->draw)
        return;
    const kw_doc *d = p->d;
    pdf_color(p, GREY);
    double third = PDF_TEXT_W / 3 - 6;
    pdf_line_text(p, PDF_F_SMALL, d->org, PDF_ML, 30, third, -1);
    pdf_line_text(p, PDF_F_SMALL, d->title, PDF_W / 2, 30, third, 0);
    pdf_line_text(p, PDF_F_SMALL, d->period, PDF_W - PDF_MR, 30, third, 1);
    pdf_rule(p, 44);
}

void pdf_page_end(pdf *p)
{
    if (!p->draw)
        return;
    char num[128];
    snprintf(num, sizeof num, p->w->page_fmt, p->page, p->pages);
    pdf_rule(p, PDF_H - 46);
    pdf_color(p, GREY);
    pdf_line_text(p, PDF_F_SMALL, p->d->footer, PDF_ML, PDF_H - 40, PDF_TEXT_W * 0.65, -1);
    pdf_line_text(p, PDF_F_SMALL, num, PDF_W - PDF_MR, PDF_H - 40, PDF_TEXT_W * 0.3, 1);
    cairo_show_page(p->cr);
}

bool pdf_need(pdf *p, double h)
{
    if (p->y + h <= PDF_BOTTOM || p->y <= PDF_TOP + 0.01)
        return false;
    pdf_page_end(p);
    pdf_page_begin(p);
    return true;
}

