/* Rows staged as PostgreSQL array literals (store_rows.h). */
#include "store/store_rows.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void store_rows_init(store_rows *r, int ncols)
{
    memset(r, 0, sizeof *r);
    r->ncols = ncols < STORE_ROWS_COLS ? ncols : STORE_ROWS_COLS;
    for (int i = 0; i < r->ncols; i++) {
        kw_buf_init(&r->col[i], (size_t)STORE_ROWS_BYTES * 4); /* a last row past the mark still fits */
        kw_buf_putc(&r->col[i], '{');
    }
}

void store_rows_free(store_rows *r)
{
    for (int i = 0; i < r->ncols; i++)
        kw_buf_free(&r->col[i]);
    r->ncols = 0;
    r->n = 0;
}

void store_rows_clear(store_rows *r)
{
    for (int i = 0; i < r->ncols; i++) {
        kw_buf_reset(&r->col[i]);
        r->col[i].overflow = false;
        kw_buf_putc(&r->col[i], '{');
    }
    r->n = 0;
}

/* The column's buffer, with the comma before a row's element after the first. */
static kw_buf *elem(store_rows *r, int col)
{
    if (col < 0 || col >= r->ncols)
        return NULL;
    kw_buf *b = &r->col[col];
    if (r->n)
        kw_buf_putc(b, ',');
    return b;
}

void store_rows_int(store_rows *r, int col, int64_t v)
{
    kw_buf *b = elem(r, col);
    if (b)
        kw_buf_put_int(b, (long long)v);
}

void store_rows_real(store_rows *r, int col, double v)
{
    kw_buf *b = elem(r, col);
    if (!b)
        return;
    if (isfinite(v))
        kw_buf_printf(b, "%.17g", v);
    else
        kw_buf_puts(b, "NULL");
}

void store_rows_text(store_rows *r, int col, const char *v)
{
    kw_buf *b = elem(r, col);
    if (!b)
        return;
    if (!v) {
        kw_buf_puts(b, "NULL");
        return;
    }
    kw_buf_putc(b, '"');
    for (const char *p = v; *p;) {
        size_t run = strcspn(p, "\"\\");
        kw_buf_append(b, p, run);
        p += run;
        if (*p) {
            kw_buf_putc(b, '\\');
            kw_buf_putc(b, *p++);
        }
    }
    kw_buf_putc(b, '"');
}

void store_rows_null(store_rows *r, int col)
{
    kw_buf *b = elem(r, col);
    if (b)
        kw_buf_puts(b, "NULL");
}

/* The elements of a row go in column by column with the comma decided by r->n, so the row
 * count moves only once every column has its element. */
void store_rows_next(store_rows *r) { r->n++; }

bool store_rows_full(const store_rows *r)
{
    if (r->n >= STORE_ROWS_MAX)
        return true;
    for (int i = 0; i < r->ncols; i++)
        if (r->col[i].len >= STORE_ROWS_BYTES)
            return true;
    return false;
}

bool store_rows_bind(store_rows *r, db_stmt *st, int first)
{
    for (int i = 0; i < r->ncols; i++)
        if (r->col[i].overflow)
            return false;
    for (int i = 0; i < r->ncols; i++) {
        kw_buf *b = &r->col[i];
        size_t len = b->len;
        kw_buf_putc(b, '}');
        bool ok = !b->overflow;
        if (ok)
            db_bind_text(st, first + i, kw_buf_cstr(b));
        b->len = len; /* the closing brace goes again: more rows may follow */
        b->data[len] = '\0';
        if (!ok)
            return false;
    }
    return true;
}
