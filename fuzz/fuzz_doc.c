/* Arbitrary bytes as a document's text (title, header, headings, paragraphs with bold marks,
 * list items, key-value pairs, table cells, notes, chart labels) through the Markdown, HTML
 * and PDF renderers (the PDF to memory). Pieces are split at 0xff bytes; the first byte picks
 * the language, the table's alignment and whether to add a chart. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doc/doc.h"

#define PIECES 16

static void build(kw_doc *d, char **p, unsigned flags)
{
    doc_set_header(d, p[1], p[2]);
    doc_set_footer(d, p[3]);
    doc_heading(d, 1 + (int)(flags % 3), p[4]);
    doc_para(d, p[5]);
    doc_list_begin(d);
    doc_list_item(d, p[6]);
    doc_list_item(d, p[7]);
    doc_kv_begin(d);
    doc_kv(d, p[8], p[9]);
    doc_note(d, (doc_note_kind)(flags % 3), p[10]);
    const char *head[3] = {p[11], p[12], NULL};
    const doc_align al[3] = {(doc_align)(flags % 3), (doc_align)((flags >> 2) % 3), DOC_ALIGN_RIGHT};
    doc_table_begin(d, 3, head, al, flags & 0x40 ? (const double[]){1, 2, 3} : NULL);
    for (int r = 0; r < 4; r++) {
        const char *row[3] = {p[13 + r % 3], p[(5 + r) % PIECES], p[15]};
        doc_table_row(d, row);
    }
    if (flags & 0x80) {
        doc_chart_bar_begin(d, p[4], p[5]);
        doc_chart_bar(d, p[6], (double)strlen(p[6]));
        doc_chart_bar(d, p[7], -(double)strlen(p[7]));
        doc_chart_line_begin(d, p[8], NULL);
        doc_chart_series(d, p[9]);
        for (size_t i = 0; i < strlen(p[10]) && i < 64; i++)
            doc_chart_point(d, (int64_t)i * 60000 + (int64_t)(unsigned char)p[10][0] * 86400000LL,
                            (double)(signed char)p[10][i]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned flags = data[0];
    char *copy = malloc(size), *p[PIECES];
    memcpy(copy, data + 1, size - 1);
    copy[size - 1] = '\0';
    size_t k = 0;
    p[k++] = copy;
    for (size_t i = 0; i + 1 < size && k < PIECES; i++)
        if ((unsigned char)copy[i] == 0xff) {
            copy[i] = '\0';
            p[k++] = copy + i + 1;
        }
    while (k < PIECES)
        p[k++] = "";
    kw_doc *d = doc_new(p[0]);
    build(d, p, flags);
    doc_lang lang = flags & 0x20 ? DOC_LANG_EN : DOC_LANG_ZH;
    kw_buf b;
    kw_buf_init(&b, 16 << 20);
    doc_render_md(d, lang, &b);
    kw_buf_reset(&b);
    doc_render_html(d, lang, &b);
    kw_buf_reset(&b);
    doc_render_pdf(d, lang, NULL, &b, NULL);
    kw_buf_free(&b);
    doc_free(d);
    free(copy);
    return 0;
}
