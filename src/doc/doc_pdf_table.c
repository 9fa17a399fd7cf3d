/* Tables and key-value lists in the PDF: columns sized from their weights or their content,
 * cells wrapping (a cell taller than most of a page is cut with "…"), rows that do not fit
 * moving to the next page, where a table's header row is drawn again. */
#include <math.h>
#include <string.h>

#include "doc/doc_pdf.h"

#define PAD_X 3.5
#define PAD_Y 2.6
#define SAMPLE_ROWS 300 /* rows read to size the columns */

typedef struct tbl {
    size_t ncols;
    double x[DOC_COLS_MAX + 1];  /* column edges */
    size_t cut[DOC_COLS_MAX];    /* characters of a cell that its height can show, at most */
    PangoLayout *head[DOC_COLS_MAX], *cell[DOC_COLS_MAX];
    double head_h;
    bool grid;                   /* borders and shading: a table; none: a key-value list */
} tbl;

/* The widest line of s, estimated at size. */
static double text_natural(const char *s, double size)
{
    double w = 0;
    for (const char *nl; s; s = nl ? nl + 1 : NULL) {
        nl = strchr(s, '\n');
        w = fmax(w, doc_text_width(s, nl ? (size_t)(nl - s) : strlen(s), size));
    }
    return w;
}

/* Column edges from the block's weights, else from the widest text of its first rows. */
static void tbl_columns(tbl *t, const doc_block *b, double size, double max_col)
{
    double want[DOC_COLS_MAX], sum = 0;
    size_t rows = doc_rows(b) + (b->kind == DOC_B_TABLE);
    for (size_t c = 0; c < t->ncols; c++) {
        want[c] = b->weights ? b->weights[c] : 0;
        for (size_t r = 0; !b->weights && r < rows && r < SAMPLE_ROWS; r++)
            want[c] = fmax(want[c], text_natural(b->strs[r * b->ncols + c], size));
        if (!b->weights)
            want[c] = fmin(fmax(want[c], size * 2), max_col) + 2 * PAD_X;
        sum += want[c];
    }
    t->x[0] = PDF_ML;
    for (size_t c = 0; c < t->ncols; c++)
        t->x[c + 1] = t->x[c] + PDF_TEXT_W * want[c] / sum;
}

static void tbl_layouts(pdf *p, tbl *t, PangoLayout **ls, const pdf_font *f, const doc_align *align)
{
    double maxh = (PDF_BOTTOM - PDF_TOP) * 0.7, size = 8.5;
    static const PangoAlignment pa[] = {PANGO_ALIGN_LEFT, PANGO_ALIGN_CENTER, PANGO_ALIGN_RIGHT};
    for (size_t c = 0; c < t->ncols; c++) {
        double w = fmax(t->x[c + 1] - t->x[c] - 2 * PAD_X, 4); /* a sliver still wraps */
        /* lines that fit times the narrowest characters a line holds */
        t->cut[c] = (size_t)(maxh / size + 1) * (size_t)(w / (size * 0.25) + 1);
        ls[c] = pdf_layout(p, f[c], w);
        pango_layout_set_height(ls[c], (int)(maxh * PANGO_SCALE));
        pango_layout_set_ellipsize(ls[c], PANGO_ELLIPSIZE_END);
        pango_layout_set_alignment(ls[c], pa[align ? align[c] : DOC_ALIGN_LEFT]);
    }
}

/* Sets a row's text into ls and returns its height. */
static double tbl_measure(pdf *p, tbl *t, PangoLayout **ls, const char *const *cells)
{
    double h = 0;
    for (size_t c = 0; c < t->ncols; c++) {
        pdf_set_text(p, ls[c], cells[c], doc_text_cut_chars(cells[c], t->cut[c]));
        h = fmax(h, pdf_layout_h(ls[c]));
    }
    return h + 2 * PAD_Y;
}

/* Draws the row held in ls at p->y, h high, and moves below it. */
static void tbl_draw(pdf *p, tbl *t, PangoLayout **ls, double h, const char *shade)
{
    if (p->draw) {
        cairo_t *cr = p->cr;
        double x0 = t->x[0], x1 = t->x[t->ncols];
        if (shade) {
            pdf_color(p, shade);
            cairo_rectangle(cr, x0, p->y, x1 - x0, h);
            cairo_fill(cr);
        }
        if (t->grid) {
            pdf_color(p, "#b0b0b0");
            cairo_set_line_width(cr, 0.5);
            cairo_rectangle(cr, x0, p->y, x1 - x0, h);
            for (size_t c = 1; c < t->ncols; c++) {
                cairo_move_to(cr, t->x[c], p->y);
                cairo_line_to(cr, t->x[c], p->y + h);
            }
            cairo_stroke(cr);
        }
        pdf_color(p, "#1a1a1a");
        for (size_t c = 0; c < t->ncols; c++)
            pdf_show(p, ls[c], t->x[c] + PAD_X, p->y + PAD_Y);
    }
    p->y += h;
}

static void tbl_free(tbl *t)
{
    for (size_t c = 0; c < t->ncols; c++) {
        if (t->head[c])
            g_object_unref(t->head[c]);
        g_object_unref(t->cell[c]);
    }
}

/* The rows of b from its first body row on: each moved whole to the next page when it does
 * not fit, the header (when t has one) drawn again at the top of that page. */
static void tbl_rows(pdf *p, tbl *t, const doc_block *b)
{
    size_t rows = doc_rows(b), head = b->kind == DOC_B_TABLE;
    for (size_t r = 0; r < rows; r++) {
        double h = tbl_measure(p, t, t->cell, &b->strs[(r + head) * b->ncols]);
        if (pdf_need(p, h) && head)
            tbl_draw(p, t, t->head, t->head_h, "#e3eaf2");
        tbl_draw(p, t, t->cell, h, t->grid && r % 2 ? "#f6f6f6" : NULL);
    }
    p->y += 8;
}

void pdf_table(pdf *p, const doc_block *b)
{
    tbl t = {.ncols = b->ncols, .grid = true};
    pdf_font body[DOC_COLS_MAX], bold[DOC_COLS_MAX];
    for (size_t c = 0; c < t.ncols; c++)
        body[c] = PDF_F_CELL, bold[c] = PDF_F_CELL_BOLD;
    tbl_columns(&t, b, 8.5, 200);
    tbl_layouts(p, &t, t.head, bold, b->align);
    tbl_layouts(p, &t, t.cell, body, b->align);
    t.head_h = tbl_measure(p, &t, t.head, b->strs);
    double first = doc_rows(b) ? tbl_measure(p, &t, t.cell, &b->strs[b->ncols]) : 0;
    pdf_need(p, t.head_h + first); /* never a header alone at the foot of a page */
    tbl_draw(p, &t, t.head, t.head_h, "#e3eaf2");
    tbl_rows(p, &t, b);
    tbl_free(&t);
}

void pdf_kv(pdf *p, const doc_block *b)
{
    tbl t = {.ncols = 2};
    static const pdf_font f[2] = {PDF_F_BOLD, PDF_F_BODY};
    double key = 0;
    for (size_t r = 0; r < doc_rows(b) && r < SAMPLE_ROWS; r++)
        key = fmax(key, text_natural(doc_cell(b, r, 0), 10));
    t.x[0] = PDF_ML;
    t.x[1] = PDF_ML + fmin(key + 2 * PAD_X + 8, PDF_TEXT_W * 0.3);
    t.x[2] = PDF_ML + PDF_TEXT_W;
    tbl_layouts(p, &t, t.cell, f, NULL);
    tbl_rows(p, &t, b);
    tbl_free(&t);
}
