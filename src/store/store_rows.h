/* Rows staged for one statement that writes many (PostgreSQL): each column is a text array
 * literal ({1,2,NULL}, {"a","b \"c\""}), bound as one parameter and read back in the statement
 * with unnest(?1::BIGINT[], ?2::TEXT[], ...). A batch of changes is then one statement per
 * table instead of one per change: one parse, one plan and one executor start for all of
 * them. Only for the libpq backend: SQLite runs its per-row statements in-process, where a
 * statement costs a few microseconds. Within src/store/ only. */
#ifndef STORE_ROWS_H
#define STORE_ROWS_H

#include "core/kw_buf.h"
#include "store/store_db.h"

#include <stdbool.h>
#include <stdint.h>

enum {
    STORE_ROWS_COLS = 16,            /* columns at most */
    STORE_ROWS_MAX = 1000,           /* rows one statement takes: store_rows_full */
    STORE_ROWS_BYTES = 4 << 20,      /* bytes one column takes before store_rows_full */
};

typedef struct store_rows {
    kw_buf col[STORE_ROWS_COLS];     /* each "{" and its elements so far, comma-separated */
    int ncols;
    size_t n;                        /* rows complete */
} store_rows;

void store_rows_init(store_rows *r, int ncols);
void store_rows_free(store_rows *r);
/* Empties r for the next statement's rows. */
void store_rows_clear(store_rows *r);
/* Column col (from 0) of the row being staged. */
void store_rows_int(store_rows *r, int col, int64_t v);
/* Not finite: NULL (as the store binds a real). */
void store_rows_real(store_rows *r, int col, double v);
/* NULL: SQL NULL. Quoted; invalid UTF-8 becomes U+FFFD when bound, as db_bind_text does. */
void store_rows_text(store_rows *r, int col, const char *v);
void store_rows_null(store_rows *r, int col);
/* The row staged is complete. */
void store_rows_next(store_rows *r);
/* Whether r holds as much as one statement should take (flush it, then clear). */
bool store_rows_full(const store_rows *r);
/* Binds column i as parameter first + i. False when a column overflowed its buffer (not bound). */
bool store_rows_bind(store_rows *r, db_stmt *st, int first);
/* store_rows_stmt (store.c, with the store's other statement helpers) prepares a statement
 * with r's columns bound. */

#endif
