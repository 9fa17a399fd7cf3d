/* Where a unit test's store lives, on either backend: the SQLite path the test gave, or, when
 * KW_TEST_PG_URL names a PostgreSQL server (tests/integ/test_store_pg.py starts a throwaway
 * one), that server with a schema of its own named after the path (t_ and a hash of it). The
 * schema is made empty the first time this process asks for a path, so a test that reopens
 * the same path sees its data again, and one that asks for a new path starts from nothing.
 * Cases that are inherently SQLite (file modes, WAL, user_version fixtures) skip themselves
 * under PostgreSQL with KWT_SQLITE_ONLY, which prints why. A store on a URL has no directory
 * for its duty-log keys (they would go to the working directory): kwt_duty_keys_in puts them
 * in the test's. */
#ifndef KW_TEST_STORE_H
#define KW_TEST_STORE_H

#include "kw_test.h"
#include "store/store.h"
#include "store/store_db.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { KWT_STORES = 64, KWT_WHERE = 1200 };

typedef struct {
    char path[256];
    char where[KWT_WHERE];
} kwt_store_slot;

static kwt_store_slot kwt_stores[KWT_STORES];
static int kwt_nstores;

/* KW_TEST_PG_URL, or NULL when unset or empty (the tests run on SQLite). */
static inline const char *kwt_pg_url(void)
{
    const char *u = getenv("KW_TEST_PG_URL");
    return u && *u ? u : NULL;
}

static inline bool kwt_store_pg(void) { return kwt_pg_url() != NULL; }

/* The schema for path: "t_" and the 64-bit FNV-1a hash of it in hex. */
static inline void kwt_schema_of(const char *path, char out[20])
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    snprintf(out, 20, "t_%016llx", (unsigned long long)h);
}

/* Drops and creates schema on the server at url; false (printed) when it could not. */
static inline bool kwt_schema_fresh(const char *url, const char *schema)
{
    char err[256], sql[128];
    db_conn *c = db_open(url, true, err, sizeof err);
    if (!c) {
        fprintf(stderr, "  kw_test_store: %s\n", err);
        return false;
    }
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema, schema);
    bool ok = db_exec(c, sql) == KW_OK;
    if (!ok)
        fprintf(stderr, "  kw_test_store: %s: %s\n", schema, db_errmsg(c));
    db_close(c);
    return ok;
}

/* What to give store_open for path: path itself on SQLite; on PostgreSQL the server's URL with
 * search_path set to path's own schema (made empty on the first call for path in this
 * process). The string lives until the process ends. A failure to make the schema counts as
 * a failed check (store_open then fails too). */
static inline const char *kwt_store_where(const char *path)
{
    const char *url = kwt_pg_url();
    if (!url)
        return path;
    for (int i = 0; i < kwt_nstores; i++)
        if (strcmp(kwt_stores[i].path, path) == 0)
            return kwt_stores[i].where;
    if (kwt_nstores == KWT_STORES || strlen(path) >= sizeof kwt_stores[0].path ||
        strlen(url) + 64 >= KWT_WHERE) {
        fprintf(stderr, "  kw_test_store: no room for %s\n", path);
        kwt_failed_checks++;
        return path;
    }
    kwt_store_slot *slot = &kwt_stores[kwt_nstores++];
    char schema[20];
    kwt_schema_of(path, schema);
    snprintf(slot->path, sizeof slot->path, "%s", path);
    snprintf(slot->where, sizeof slot->where, "%s%coptions=-csearch_path%%3D%s", url,
             strchr(url, '?') ? '&' : '?', schema);
    if (!kwt_schema_fresh(url, schema))
        kwt_failed_checks++;
    else
        fprintf(stderr, "-- store %s: postgresql schema %s\n", path, schema);
    return slot->where;
}

/* store_open(kwt_store_where(path)), read/write. */
#define kwt_store_open(path, err, errn) store_open(kwt_store_where(path), false, (err), (errn))

/* The duty log's keys: beside the store on SQLite (the default), in dir on PostgreSQL; a
 * checkpoint every `every` entries. */
static inline void kwt_duty_keys_in(const char *dir, int64_t every)
{
    if (!kwt_store_pg()) {
        store_duty_configure(NULL, NULL, NULL, every);
        return;
    }
    char key[300], sign[300], pub[300];
    snprintf(key, sizeof key, "%s/duty.key", dir);
    snprintf(sign, sizeof sign, "%s/duty_sign.key", dir);
    snprintf(pub, sizeof pub, "%s/duty_sign.pub", dir);
    store_duty_configure(key, sign, pub, every);
}

/* Ends the calling case under PostgreSQL, saying why it is SQLite's alone. */
#define KWT_SQLITE_ONLY(why)                                                          \
    do {                                                                             \
        if (kwt_store_pg()) {                                                        \
            fprintf(stderr, "-- %s: skipped on postgresql (%s)\n", __func__, (why)); \
            return;                                                                  \
        }                                                                            \
    } while (0)

#endif
