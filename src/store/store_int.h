/* The SQLite backend's handle and statement helpers, shared by the files of src/store/ (and
 * the unit tests that look at the tables directly): no other subsystem includes this. */
#ifndef STORE_INT_H
#define STORE_INT_H

#include <sqlite3.h>

#include "core/kw_map.h"
#include "store/store.h"

struct kw_store {
    sqlite3 *db;
    char *path;
    kw_map series_ids;       /* "name{labels}" -> (void *)(intptr_t)id, for metric history */
    kw_map stmts;            /* SQL text -> prepared statement, kept for the handle's life */
    char err[256];
};

/* A prepared statement for sql, reset and with bindings cleared; cached per handle. NULL on a
 * prepare error (store_errmsg says why). A statement left stepped holds its connection's read
 * snapshot: reset it when done (store_release does so for all). */
sqlite3_stmt *store_stmt(kw_store *s, const char *sql);
/* Binds a C string, or NULL as SQL NULL (the value is copied). */
void store_bind_text(sqlite3_stmt *st, int i, const char *v);
/* Steps st once: KW_OK on a row or the end, else KW_ERR_STORE with s->err set. */
kw_rc store_step_done(kw_store *s, sqlite3_stmt *st);
/* Steps an UPDATE or DELETE: KW_ERR_NOTFOUND when it matched no row. */
kw_rc store_step_changed(kw_store *s, sqlite3_stmt *st);

#endif
