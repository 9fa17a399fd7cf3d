/* Copying a whole store into another (keepwatch store migrate: a SQLite file into PostgreSQL)
 * and what a store holds, table by table (keepwatch store info): store_copy.c. */
#ifndef STORE_COPY_H
#define STORE_COPY_H

#include "store/store.h"

/* The store's own tables, in the order a copy writes them (each after those it refers to);
 * NULL-terminated. */
extern const char *const store_copy_tables[];

/* Told of a copy's progress: after each batch of a table's rows and once when the table is
 * done (copied == total; an empty table is told once, 0 of 0). */
typedef void (*store_copy_progress)(void *arg, const char *table, int64_t copied, int64_t total);

/* Copies every row of every table of `from` (a SQLite store) into `to` (a store at the same
 * schema version with empty tables, in practice PostgreSQL): `from` is read in one snapshot,
 * `to` written in one transaction (all or nothing), ids kept, and on PostgreSQL each identity
 * sequence set past the highest id copied. KW_ERR_RANGE when `to` already holds rows or the
 * schema versions differ; KW_ERR_UNSUPPORTED when `from` is not SQLite or holds tables this
 * copy does not know (a module's); KW_ERR_STORE when a statement fails. On error err says
 * why (which table, which store). progress may be NULL. */
kw_rc store_copy(kw_store *from, kw_store *to, store_copy_progress progress, void *arg, char *err, size_t errn);

/* The number of rows of table (one of store_copy_tables) into *n. */
kw_rc store_table_rows(kw_store *s, const char *table, int64_t *n);
/* The schema version of the store's own tables (0: none yet). */
int64_t store_schema_version(kw_store *s);
/* "sqlite" or "postgresql". */
const char *store_backend_name(kw_store *s);

#endif
