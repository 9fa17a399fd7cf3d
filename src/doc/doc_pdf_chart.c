/* Charts in the PDF: the chart painter (doc_paint.c) drawn with cairo, its texts through
 * pango, each chart kept whole on one page. */
#include <math.h>

#include "doc/doc_pdf.h"

#define CHART_H 215.0

typedef struct pdf_chart_ctx {
    pdf *p;
    double ox, oy; /* the chart's top left on the page */
    PangoLayout *text[2]; /* regular, bold */
    PangoFontDescription *font;
} pdf_chart_ctx;

static void cairo_line(void *ctx, double x0, double y0, double x1, double y1, const char *color, double width)
{
    pdf_chart_ctx *c = ctx;
    pdf_color(c->p, color);
    cairo_set_line_width(c->p->cr, width);
    cairo_move_to(c->p->cr, c->ox + x0, c->oy + y0);
    cairo_line_to(c->p->cr, c->ox + x1, c->oy + y1);
    cairo_stroke(c->p->cr);
}

static void cairo_box(void *ctx, double x, double y, double w, double h, const char *color)
{
    pdf_chart_ctx *c = ctx;
    pdf_color(c->p, color);
    cairo_rectangle(c->p->cr, c->ox + x, c->oy + y, w, h);
    cairo_fill(c->p->cr);
}

static void cairo_label(void *ctx, double x, double y, const char *s, size_t n, double size, int anchor, bool bold,
                        const char *color)
{
    pdf_chart_ctx *c = ctx;
    PangoLayout *l = c->text[bold];
    pango_font_description_set_size(c->font, (int)(size * PANGO_SCALE));
    pango_font_description_set_weight(c->font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l, c->font);
    pango_layout_set_text(l, s, (int)n);
    int w, h;
    pango_layout_get_size(l, &w, &h);
    double lw = w / (double)PANGO_SCALE, lh = h / (double)PANGO_SCALE;
    double lx = anchor < 0 ? x : anchor > 0 ? x - lw : x - lw / 2;
    pdf_color(c->p, color);
    pdf_show(c->p, l, c->ox + lx, c->oy + y - lh / 2);
}

static void cairo_poly(void *ctx, const double *xy, size_t n, const char *color, double width)
{
    pdf_chart_ctx *c = ctx;
    cairo_t *cr = c->p->cr;
    pdf_color(c->p, color);
    cairo_set_line_width(cr, width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_new_path(cr); /* a label shown before leaves its point current: the line would start there */
    for (size_t i = 0; i < n; i++)
        cairo_line_to(cr, c->ox + xy[2 * i], c->oy + xy[2 * i + 1]);
    cairo_stroke(cr);
}

void pdf_chart(pdf *p, const doc_block *b)
{
    pdf_need(p, CHART_H + 6);
    if (p->draw) {
        pdf_chart_ctx c = {.p = p, .ox = PDF_ML, .oy = p->y + 4};
        c.font = pango_font_description_copy(p->font[PDF_F_CELL]);
        c.text[0] = pdf_layout(p, PDF_F_CELL, 0);
        c.text[1] = pdf_layout(p, PDF_F_CELL_BOLD, 0);
        const doc_paint paint = {&c, cairo_line, cairo_box, cairo_label, cairo_poly};
        cairo_save(p->cr);
        cairo_new_path(p->cr);
        doc_chart_paint(b, PDF_TEXT_W, CHART_H - 8, p->d->tz_min, p->w, &paint);
        cairo_restore(p->cr);
        g_object_unref(c.text[0]);
        g_object_unref(c.text[1]);
        pango_font_description_free(c.font);
    }
    p->y += CHART_H + 6;
}
