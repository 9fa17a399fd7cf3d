/* The document model's insides, shared by the builder (doc_model.c), the chart geometry
 * (doc_chart.c) and the three renderers (doc_md.c, doc_html.c, doc_pdf*.c). Every string in
 * it is valid UTF-8 without control characters other than '\n', bounded by DOC_TEXT_MAX. */
#ifndef KW_DOC_INT_H
#define KW_DOC_INT_H

#include "core/kw_arena.h"
#include "doc/doc.h"

typedef enum doc_kind {
    DOC_B_HEADING,
    DOC_B_PARA,
    DOC_B_NOTE,
    DOC_B_BREAK,
    DOC_B_LIST,
    DOC_B_KV,
    DOC_B_TABLE,
    DOC_B_BAR,
    DOC_B_LINE,
} doc_kind;

typedef struct doc_point {
    int64_t t;
    double v;
} doc_point;

typedef struct doc_series {
    const char *name;
    doc_point *pts;
    size_t n, cap;
} doc_series;

typedef struct doc_bar {
    const char *label;
    double v;
} doc_bar;

typedef struct doc_block {
    doc_kind kind;
    int level;          /* heading: 1-3; note: its doc_note_kind */
    const char *text;   /* heading, paragraph, note; a chart's title ("" when none) */
    const char *unit;   /* a chart's unit ("" when none) */
    /* list: items; key-value: key, value pairs; table: headers then the rows, row-major */
    const char **strs;
    size_t nstrs, cap_strs;
    size_t ncols;       /* table: columns; key-value: 2; list: 1 */
    doc_align *align;   /* table: per column */
    double *weights;    /* table: per column, > 0; NULL: from the content */
    doc_bar *bars;
    size_t nbars, cap_bars;
    doc_series *series;
    size_t nseries;
} doc_block;

struct kw_doc {
    kw_arena arena;     /* every string */
    const char *title, *org, *period, *footer;
    int tz_min;
    bool truncated;
    size_t bytes;       /* text taken in so far, against DOC_BYTES_MAX */
    doc_block *blocks;
    size_t nblocks, cap_blocks;
};

/* A table's (or key-value list's) rows below its header: a list's items are rows of one. */
static inline size_t doc_rows(const doc_block *b)
{
    size_t head = b->kind == DOC_B_TABLE ? 1 : 0;
    return b->ncols ? b->nstrs / b->ncols - head : 0;
}
static inline const char *doc_cell(const doc_block *b, size_t row, size_t col)
{
    size_t head = b->kind == DOC_B_TABLE ? 1 : 0;
    return b->strs[(row + head) * b->ncols + col];
}

/* The length of s cut to at most max bytes on a character boundary (what a renderer hands
 * its layout engine when no more can be seen: a one-line header, a narrow cell). */
size_t doc_text_cut(const char *s, size_t max);
/* The same for at most max characters. */
size_t doc_text_cut_chars(const char *s, size_t max);

/* Bold spans: walks text split at "**" marks (an unpaired last mark is literal text). Call
 * with *pos = 0; each call gives the next run [*s, *s + *n) and whether it is bold; false at
 * the end. */
bool doc_span_next(const char *text, size_t *pos, const char **s, size_t *n, bool *bold);

/* s[0..n) escaped for XML text and attribute values (HTML, SVG, pango markup), its newlines
 * kept, as <br>, or as spaces. */
typedef enum doc_nl { DOC_NL_KEEP, DOC_NL_BR, DOC_NL_SPACE } doc_nl;
void doc_xml_text(kw_buf *b, const char *s, size_t n, doc_nl nl);
/* text's **bold** spans as <bold_tag>...</bold_tag>, the rest escaped as doc_xml_text does. */
void doc_xml_rich(kw_buf *b, const char *text, const char *bold_tag, doc_nl nl);

/* The words a renderer puts around the document's own text, in lang. */
typedef struct doc_words {
    const char *page_fmt;   /* "第 %d 页 / 共 %d 页": page, pages */
    const char *time, *value, *label, *truncated, *period, *org, *nodata;
    const char *colon; /* after a label: "：" or ": " */
    const char *note[3];
} doc_words;
const doc_words *doc_words_of(doc_lang lang);

/* A value as the charts and their tables print it: integers without decimals, else up to
 * three significant decimals. */
void doc_fmt_num(double v, char *out, size_t n);
/* t (unix ms) in local time tz_min east of UTC: "2026-12-02 08:30" (with_date) or "08:30". */
void doc_fmt_time(int64_t t_ms, int tz_min, bool with_date, char *out, size_t n);

/* A numeric axis: lo..hi widened to round ticks, step apart (count ticks, at most 12). */
typedef struct doc_axis {
    double lo, hi, step;
    int count;
} doc_axis;
void doc_axis_nice(double lo, double hi, int want, doc_axis *ax);
/* A time axis over [t0, t1]: ticks at round local times step_ms apart starting at first;
 * with_date when the labels need the day. */
typedef struct doc_taxis {
    int64_t t0, t1, first, step_ms;
    bool with_date;
} doc_taxis;
void doc_taxis_nice(int64_t t0, int64_t t1, int tz_min, int want, doc_taxis *ax);
/* A tick's label on ax: "12-02" for steps of days, "12-02 08:30" over several days,
 * "08:30:15" for steps of seconds, else "08:30". */
void doc_fmt_tick(const doc_taxis *ax, int64_t t_ms, int tz_min, char *out, size_t n);
/* The value and time ranges of a line chart's points (false: no points), and of a bar
 * chart's bars (always including 0). */
bool doc_line_range(const doc_block *b, int64_t *t0, int64_t *t1, double *lo, double *hi);
void doc_bar_range(const doc_block *b, double *lo, double *hi);
/* The series colours, as "#rrggbb", cycling. */
const char *doc_color(size_t i);

/* The chart painter (doc_paint.c) draws a chart block through these primitives, so the SVG
 * of the HTML page and the cairo drawing of the PDF are the same picture. Coordinates from
 * the chart's top left; a text's y is its vertical middle, anchor -1 left, 0 centre, 1 right. */
typedef struct doc_paint {
    void *ctx;
    void (*line)(void *ctx, double x0, double y0, double x1, double y1, const char *color, double width);
    void (*rect)(void *ctx, double x, double y, double w, double h, const char *color);
    void (*text)(void *ctx, double x, double y, const char *s, size_t n, double size, int anchor, bool bold,
                 const char *color);
    /* a polyline of n points xy[2n] */
    void (*path)(void *ctx, const double *xy, size_t n, const char *color, double width);
} doc_paint;
void doc_chart_paint(const doc_block *b, double w, double h, int tz_min, const doc_words *words,
                     const doc_paint *p);
/* The estimated width of s[0..n) at size (CJK characters a full size, others about half). */
double doc_text_width(const char *s, size_t n, double size);

#endif
