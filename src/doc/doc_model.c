/* The document builder: doc_new/doc_free, the block calls, and the cleaning every string
 * from outside goes through (valid UTF-8, no control characters but newlines, bounded). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_mem.h"
#include "doc/doc_int.h"

/* The code point of the UTF-8 sequence at s[0..n) and its length in *len; -1 (with *len 1)
 * for a byte that starts no valid sequence. */
static long utf8_decode(const unsigned char *s, size_t n, size_t *len)
{
    unsigned char c = s[0];
    size_t k;
    long cp;
    *len = 1;
    if (c < 0x80)
        return c;
    if (c >= 0xc2 && c <= 0xdf)
        k = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        k = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        k = 4, cp = c & 0x07;
    else
        return -1;
    if (k > n)
        return -1;
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return -1;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (k == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return -1;
    *len = k;
    return cp;
}

/* Whether code point cp is dropped: C0 controls (but '\n' when keep_nl; '\t' becomes a
 * space elsewhere), DEL, C1 controls, and the bidirectional overrides that would make text
 * read otherwise than it is stored. */
static bool cp_dropped(long cp, bool keep_nl)
{
    if (cp == '\n')
        return !keep_nl;
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

/* Cleans s[0..n) into out (NULL: only measures): returns the bytes written, at most
 * DOC_TEXT_MAX, cut on a character boundary. Newlines kept when keep_nl, else spaces. */
static size_t text_clean(const unsigned char *p, size_t n, bool keep_nl, char *out)
{
    size_t o = 0;
    for (size_t i = 0, len; i < n; i += len) {
        long cp = utf8_decode(p + i, n - i, &len);
        const char *put = (const char *)p + i;
        size_t k = len;
        if (cp == '\t' || (cp == '\n' && !keep_nl))
            put = " ", k = 1;
        else if (cp < 0)
            put = "\xef\xbf\xbd", k = 3;
        else if (cp_dropped(cp, keep_nl))
            continue;
        if (o + k > DOC_TEXT_MAX)
            break;
        if (out)
            memcpy(out + o, put, k);
        o += k;
    }
    return o;
}

/* s cleaned into the document's arena ("" for NULL). */
static const char *doc_text(kw_doc *d, const char *s, bool keep_nl)
{
    if (!s || !*s)
        return "";
    size_t n = strnlen(s, DOC_TEXT_MAX * 4);
    const unsigned char *p = (const unsigned char *)s;
    size_t len = text_clean(p, n, keep_nl, NULL);
    char *out = kw_arena_alloc(&d->arena, len + 1);
    text_clean(p, n, keep_nl, out);
    out[len] = '\0';
    d->bytes += len;
    return out;
}

kw_doc *doc_new(const char *title)
{
    kw_doc *d = kw_calloc(1, sizeof *d);
    d->title = doc_text(d, title, false);
    d->org = d->period = d->footer = "";
    return d;
}

static void block_free(doc_block *b)
{
    free(b->strs);
    free(b->align);
    free(b->weights);
    free(b->bars);
    for (size_t i = 0; i < b->nseries; i++)
        free(b->series[i].pts);
    free(b->series);
}

void doc_free(kw_doc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nblocks; i++)
        block_free(&d->blocks[i]);
    free(d->blocks);
    kw_arena_free(&d->arena);
    free(d);
}

void doc_set_header(kw_doc *d, const char *org, const char *period)
{
    d->org = doc_text(d, org, false);
    d->period = doc_text(d, period, false);
}

void doc_set_footer(kw_doc *d, const char *text)
{
    d->footer = doc_text(d, text, false);
}

void doc_set_tz(kw_doc *d, int tz_min)
{
    d->tz_min = tz_min < -18 * 60 || tz_min > 18 * 60 ? 0 : tz_min;
}

bool doc_truncated(const kw_doc *d)
{
    return d->truncated;
}

/* KW_ERR_FULL (and the document marked truncated) when the document holds as much text as
 * it may, or when count has reached max. */
static kw_rc doc_room(kw_doc *d, size_t count, size_t max)
{
    if (count < max && d->bytes < DOC_BYTES_MAX)
        return KW_OK;
    d->truncated = true;
    return KW_ERR_FULL;
}

/* A new block of kind at the end, or NULL past the ceiling. */
static doc_block *doc_push(kw_doc *d, doc_kind kind)
{
    if (doc_room(d, d->nblocks, DOC_BLOCKS_MAX) != KW_OK)
        return NULL;
    kw_grow(&d->blocks, &d->cap_blocks, d->nblocks + 1, sizeof *d->blocks);
    doc_block *b = &d->blocks[d->nblocks++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->text = b->unit = "";
    return b;
}

/* The last block when it is of kind, else NULL. */
static doc_block *doc_last(kw_doc *d, doc_kind kind)
{
    doc_block *b = d->nblocks ? &d->blocks[d->nblocks - 1] : NULL;
    return b && b->kind == kind ? b : NULL;
}

static kw_rc doc_text_block(kw_doc *d, doc_kind kind, int level, const char *text, bool keep_nl)
{
    doc_block *b = doc_push(d, kind);
    if (!b)
        return KW_ERR_FULL;
    b->level = level;
    b->text = doc_text(d, text, keep_nl);
    return KW_OK;
}

kw_rc doc_heading(kw_doc *d, int level, const char *text)
{
    if (level < 1 || level > 3)
        return KW_ERR_RANGE;
    return doc_text_block(d, DOC_B_HEADING, level, text, false);
}

kw_rc doc_para(kw_doc *d, const char *text)
{
    return doc_text_block(d, DOC_B_PARA, 0, text, true);
}

kw_rc doc_note(kw_doc *d, doc_note_kind kind, const char *text)
{
    if ((unsigned)kind > DOC_NOTE_CRIT)
        return KW_ERR_RANGE;
    return doc_text_block(d, DOC_B_NOTE, (int)kind, text, true);
}

kw_rc doc_page_break(kw_doc *d)
{
    return doc_push(d, DOC_B_BREAK) ? KW_OK : KW_ERR_FULL;
}

/* Appends n strings (cleaned) to b's strs. */
static void block_strs(kw_doc *d, doc_block *b, const char *const *s, size_t n, bool keep_nl)
{
    kw_grow(&b->strs, &b->cap_strs, b->nstrs + n, sizeof *b->strs);
    for (size_t i = 0; i < n; i++)
        b->strs[b->nstrs++] = doc_text(d, s ? s[i] : NULL, keep_nl);
}

static kw_rc doc_rows_begin(kw_doc *d, doc_kind kind, size_t ncols)
{
    doc_block *b = doc_push(d, kind);
    if (!b)
        return KW_ERR_FULL;
    b->ncols = ncols;
    return KW_OK;
}

/* One more row of b->ncols strings on the open block of kind. */
static kw_rc doc_rows_add(kw_doc *d, doc_kind kind, const char *const *s, size_t max, bool keep_nl)
{
    doc_block *b = doc_last(d, kind);
    if (!b)
        return KW_ERR_RANGE;
    kw_rc rc = doc_room(d, doc_rows(b), max);
    if (rc == KW_OK)
        block_strs(d, b, s, b->ncols, keep_nl);
    return rc;
}

kw_rc doc_list_begin(kw_doc *d)
{
    return doc_rows_begin(d, DOC_B_LIST, 1);
}

kw_rc doc_list_item(kw_doc *d, const char *text)
{
    return doc_rows_add(d, DOC_B_LIST, &text, DOC_ITEMS_MAX, true);
}

kw_rc doc_kv_begin(kw_doc *d)
{
    return doc_rows_begin(d, DOC_B_KV, 2);
}

kw_rc doc_kv(kw_doc *d, const char *key, const char *value)
{
    const char *kv[2] = {key, value};
    return doc_rows_add(d, DOC_B_KV, kv, DOC_ITEMS_MAX, true);
}

kw_rc doc_table_begin(kw_doc *d, size_t ncols, const char *const *headers, const doc_align *align,
                      const double *weights)
{
    if (ncols < 1 || ncols > DOC_COLS_MAX)
        return KW_ERR_RANGE;
    for (size_t i = 0; weights && i < ncols; i++)
        if (!(weights[i] > 0 && weights[i] < 1e6))
            return KW_ERR_RANGE;
    kw_rc rc = doc_rows_begin(d, DOC_B_TABLE, ncols);
    if (rc != KW_OK)
        return rc;
    doc_block *b = &d->blocks[d->nblocks - 1];
    block_strs(d, b, headers, ncols, false);
    b->align = kw_calloc(ncols, sizeof *b->align);
    for (size_t i = 0; align && i < ncols; i++)
        b->align[i] = align[i] <= DOC_ALIGN_RIGHT ? align[i] : DOC_ALIGN_LEFT;
    if (weights)
        b->weights = kw_memdup(weights, ncols * sizeof *weights);
    return KW_OK;
}

kw_rc doc_table_row(kw_doc *d, const char *const *cells)
{
    return doc_rows_add(d, DOC_B_TABLE, cells, DOC_ROWS_MAX, true);
}

static kw_rc doc_chart_begin(kw_doc *d, doc_kind kind, const char *title, const char *unit)
{
    doc_block *b = doc_push(d, kind);
    if (!b)
        return KW_ERR_FULL;
    b->text = doc_text(d, title, false);
    b->unit = doc_text(d, unit, false);
    return KW_OK;
}

kw_rc doc_chart_bar_begin(kw_doc *d, const char *title, const char *unit)
{
    return doc_chart_begin(d, DOC_B_BAR, title, unit);
}

kw_rc doc_chart_bar(kw_doc *d, const char *label, double value)
{
    doc_block *b = doc_last(d, DOC_B_BAR);
    if (!b)
        return KW_ERR_RANGE;
    kw_rc rc = doc_room(d, b->nbars, DOC_ITEMS_MAX);
    if (rc != KW_OK)
        return rc;
    kw_grow(&b->bars, &b->cap_bars, b->nbars + 1, sizeof *b->bars);
    b->bars[b->nbars++] = (doc_bar){doc_text(d, label, false), isfinite(value) ? value : 0};
    return KW_OK;
}

kw_rc doc_chart_line_begin(kw_doc *d, const char *title, const char *unit)
{
    return doc_chart_begin(d, DOC_B_LINE, title, unit);
}

kw_rc doc_chart_series(kw_doc *d, const char *name)
{
    doc_block *b = doc_last(d, DOC_B_LINE);
    if (!b)
        return KW_ERR_RANGE;
    kw_rc rc = doc_room(d, b->nseries, DOC_SERIES_MAX);
    if (rc != KW_OK)
        return rc;
    b->series = kw_realloc(b->series, (b->nseries + 1) * sizeof *b->series);
    b->series[b->nseries++] = (doc_series){.name = doc_text(d, name, false)};
    return KW_OK;
}

kw_rc doc_chart_point(kw_doc *d, int64_t t_ms, double value)
{
    doc_block *b = doc_last(d, DOC_B_LINE);
    if (!b || !b->nseries)
        return KW_ERR_RANGE;
    doc_series *s = &b->series[b->nseries - 1];
    if (t_ms < DOC_TIME_MIN || t_ms > DOC_TIME_MAX || (s->n && t_ms < s->pts[s->n - 1].t))
        return KW_ERR_RANGE;
    kw_rc rc = doc_room(d, s->n, DOC_POINTS_MAX);
    if (rc != KW_OK || !isfinite(value))
        return rc;
    kw_grow(&s->pts, &s->cap, s->n + 1, sizeof *s->pts);
    s->pts[s->n++] = (doc_point){t_ms, value};
    return KW_OK;
}

bool doc_span_next(const char *text, size_t *pos, const char **s, size_t *n, bool *bold)
{
    const char *p = text + *pos;
    if (!*p)
        return false;
    const char *open = strstr(p, "**");
    const char *close = open ? strstr(open + 2, "**") : NULL;
    if (open == p && close) { /* a bold run */
        *s = p + 2, *n = (size_t)(close - p - 2), *bold = true;
        *pos += (size_t)(close + 2 - p);
        return true;
    }
    size_t len = open && close ? (size_t)(open - p) : strlen(p);
    *s = p, *n = len, *bold = false;
    *pos += len;
    return true;
}

size_t doc_text_cut(const char *s, size_t max)
{
    size_t n = strnlen(s, max + 1);
    if (n <= max)
        return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}

size_t doc_text_cut_chars(const char *s, size_t max)
{
    size_t i = 0, chars = 0;
    for (; s[i]; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80 && chars++ == max)
            break;
    return i;
}
