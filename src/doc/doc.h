/* The document model every report keepwatch hands in is built with (incident reports to
 * departments and regulators, daily and period reports), and its three renderers: Markdown
 * (GitHub flavour), one self-contained HTML page, and PDF (cairo + pango, A4).
 *
 * A document is built by calls in reading order; it owns copies of all its strings. Text comes
 * from outside (incident notes, alert fields): each string is cleaned on the way in (invalid
 * UTF-8 replaced with U+FFFD, control characters dropped, bounded by DOC_TEXT_MAX bytes), so
 * the renderers only ever see valid, bounded UTF-8. The renderers do no I/O but the PDF file
 * doc_render_pdf may be asked to write. */
#ifndef KW_DOC_H
#define KW_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kw_buf.h"
#include "core/kw_err.h"

/* Ceilings: a string is cut (on a character boundary) past DOC_TEXT_MAX bytes; a builder call
 * past a count ceiling returns KW_ERR_FULL and marks the document truncated. */
#define DOC_TEXT_MAX (16 * 1024)
#define DOC_BLOCKS_MAX 20000
#define DOC_ITEMS_MAX 10000     /* list items, key-value pairs, bars per block */
#define DOC_ROWS_MAX 100000     /* rows per table */
#define DOC_COLS_MAX 24         /* columns per table */
#define DOC_SERIES_MAX 12       /* series per line chart */
#define DOC_POINTS_MAX 20000    /* points per series */
#define DOC_BYTES_MAX ((size_t)64 << 20) /* all the text of one document */

typedef enum doc_lang { DOC_LANG_ZH = 0, DOC_LANG_EN } doc_lang;
typedef enum doc_align { DOC_ALIGN_LEFT = 0, DOC_ALIGN_CENTER, DOC_ALIGN_RIGHT } doc_align;
typedef enum doc_note_kind { DOC_NOTE_INFO = 0, DOC_NOTE_WARN, DOC_NOTE_CRIT } doc_note_kind;

typedef struct kw_doc kw_doc;

/* "zh" (also "zh-CN", "zh_CN", "cn") or "en" (also "en-*"), case aside: KW_ERR_PARSE else. */
kw_rc doc_lang_parse(const char *s, doc_lang *out);

/* A new, empty document titled title (NULL: untitled); the caller frees it with doc_free. */
kw_doc *doc_new(const char *title);
void doc_free(kw_doc *d);

/* The header every page carries: the organisation's name and the period covered (either may
 * be NULL); the footer's own text (NULL: none). Copies the strings. */
void doc_set_header(kw_doc *d, const char *org, const char *period);
void doc_set_footer(kw_doc *d, const char *text);
/* Minutes east of UTC for the times a line chart's axis and table show (default 0). */
void doc_set_tz(kw_doc *d, int tz_min);
/* True when a builder call was refused for a ceiling (the document is still renderable). */
bool doc_truncated(const kw_doc *d);

/* Blocks, appended in reading order. Each returns KW_OK, KW_ERR_RANGE for a bad argument
 * (level outside 1-3, no list/table/chart open), or KW_ERR_FULL past a ceiling. Paragraphs,
 * list items and notes may hold **bold** spans; headings, keys, values and cells are plain.
 * A paragraph or a cell may hold newlines; a heading's become spaces. */
kw_rc doc_heading(kw_doc *d, int level, const char *text);
kw_rc doc_para(kw_doc *d, const char *text);
kw_rc doc_note(kw_doc *d, doc_note_kind kind, const char *text);
kw_rc doc_page_break(kw_doc *d);

/* A bullet list: doc_list_begin, then doc_list_item for each item. */
kw_rc doc_list_begin(kw_doc *d);
kw_rc doc_list_item(kw_doc *d, const char *text);

/* A key-value list ("发现时间: ..."): doc_kv_begin, then doc_kv for each pair. */
kw_rc doc_kv_begin(kw_doc *d);
kw_rc doc_kv(kw_doc *d, const char *key, const char *value);

/* A table of ncols columns (1..DOC_COLS_MAX): headers[ncols] (entries may be NULL); align and
 * weights (relative column widths, > 0) may be NULL for left-aligned columns sized from their
 * content. Then doc_table_row with cells[ncols] (NULL entries are empty) for each row. */
kw_rc doc_table_begin(kw_doc *d, size_t ncols, const char *const *headers, const doc_align *align,
                      const double *weights);
kw_rc doc_table_row(kw_doc *d, const char *const *cells);

/* A bar chart: doc_chart_bar_begin (title and unit may be NULL), then doc_chart_bar per bar
 * (non-finite values are taken as 0). */
kw_rc doc_chart_bar_begin(kw_doc *d, const char *title, const char *unit);
kw_rc doc_chart_bar(kw_doc *d, const char *label, double value);

/* A line chart over time (a burndown is one): doc_chart_line_begin, then doc_chart_series for
 * each series followed by its points in time order (unix ms from year 1970 to 9999, else
 * KW_ERR_RANGE; non-finite values are skipped). */
#define DOC_TIME_MIN 0
#define DOC_TIME_MAX INT64_C(253402300799999)
kw_rc doc_chart_line_begin(kw_doc *d, const char *title, const char *unit);
kw_rc doc_chart_series(kw_doc *d, const char *name);
kw_rc doc_chart_point(kw_doc *d, int64_t t_ms, double value);

/* Renderers: the whole document appended to out in lang's words (the footer's page numbers,
 * the HTML lang attribute, the chart tables' column names). KW_ERR_FULL when out's ceiling is
 * reached (out then holds a partial document). */
kw_rc doc_render_md(const kw_doc *d, doc_lang lang, kw_buf *out);
kw_rc doc_render_html(const kw_doc *d, doc_lang lang, kw_buf *out);
/* A4 PDF: written to the file path when path is non-NULL (a new file, mode 0600, renamed over
 * path once whole), else appended to out. Fonts through fontconfig: Noto Sans CJK SC, else
 * WenQuanYi Micro Hei, else the default sans. KW_ERR_IO when the file cannot be written,
 * KW_ERR_FULL past out's ceiling, KW_ERR_RANGE with neither. pages (may be NULL) receives the
 * page count. */
kw_rc doc_render_pdf(const kw_doc *d, doc_lang lang, const char *path, kw_buf *out, int *pages);

#endif
