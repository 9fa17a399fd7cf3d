/* The PDF renderer's state, shared by its files: doc_pdf.c (the surface, pages, header and
 * footer, text blocks), doc_pdf_table.c (tables and key-value lists that break across
 * pages) and doc_pdf_chart.c (the chart painter's cairo primitives). A document is laid out
 * twice with the same code: once without drawing to count the pages, then drawn, so every
 * footer can say "Page 3 of 7". doc_pdf_page.c holds the primitives and the pages the others
 * draw on. */
#ifndef KW_DOC_PDF_H
#define KW_DOC_PDF_H

#include <cairo.h>
#include <pango/pangocairo.h>

#include "doc/doc_int.h"

#define PDF_W 595.276 /* A4 in points */
#define PDF_H 841.89
#define PDF_ML 50.0
#define PDF_MR 50.0
#define PDF_TOP 66.0  /* where the body starts */
#define PDF_BOTTOM (PDF_H - 58.0)
#define PDF_TEXT_W (PDF_W - PDF_ML - PDF_MR)
#define PDF_FONTS "Noto Sans CJK SC,WenQuanYi Micro Hei,sans-serif"

typedef enum pdf_font { PDF_F_BODY, PDF_F_BOLD, PDF_F_SMALL, PDF_F_CELL, PDF_F_CELL_BOLD, PDF_F_H1, PDF_F_H2,
                        PDF_F_H3, PDF_F_TITLE, PDF_F_COUNT } pdf_font;

typedef struct pdf {
    const kw_doc *d;
    const doc_words *w;
    cairo_t *cr;
    PangoContext *pc;
    PangoFontDescription *font[PDF_F_COUNT];
    bool draw;     /* false: the counting pass */
    int page;      /* the page being laid out, from 1 */
    int pages;     /* the count the counting pass found */
    double y;      /* the next free line on the page */
    kw_buf scratch; /* markup being built */
    kw_buf brk;     /* text with break opportunities added (pdf_breakable) */
} pdf;

/* A new layout in font f, width w (points; <= 0: unbounded), wrapping words then characters;
 * the caller frees it with g_object_unref. */
PangoLayout *pdf_layout(pdf *p, pdf_font f, double w);
/* s[0..n), or a copy in p->brk with a zero-width space after every 32 characters of a run of
 * more than 64 without a space or a CJK character: pango's breaking inside one long word
 * costs the square of its length, so a hostile blob would take seconds (a long URL in a PDF
 * so carries invisible break points). *len: the length. */
const char *pdf_breakable(pdf *p, const char *s, size_t n, size_t *len);
/* s[0..n) as l's plain text, made breakable. */
void pdf_set_text(pdf *p, PangoLayout *l, const char *s, size_t n);
/* The layout's height in points. */
double pdf_layout_h(PangoLayout *l);
/* Draws l with its top left at (x, y) when drawing. */
void pdf_show(pdf *p, PangoLayout *l, double x, double y);
/* Starts a new page when h more points do not fit below p->y (and the page holds something);
 * true when it did. */
bool pdf_need(pdf *p, double h);
/* Colour "#rrggbb" as the source. */
void pdf_color(pdf *p, const char *hex);
/* A page's start (its header drawn) and end (its footer drawn, the page shown). */
void pdf_page_begin(pdf *p);
void pdf_page_end(pdf *p);

void pdf_table(pdf *p, const doc_block *b);
void pdf_kv(pdf *p, const doc_block *b);
void pdf_chart(pdf *p, const doc_block *b);

#endif
