/* The store: and history: configuration sections (store_conf.c), and where they put the store. */
#ifndef STORE_CONF_H
#define STORE_CONF_H

#include "conf/conf_engine.h"

/* Their offsets are into `conf`. */
extern const cf_section store_conf_section;
extern const cf_section store_conf_history;

/* Where the store is, for store_open: $KEEPWATCH_STORE_URL, else store.url, else the SQLite
 * file state_dir/keepwatch.db. The caller frees it. A URL may hold a password: print it
 * through kw_url_mask_password. */
char *store_conf_where(const conf *c);

/* Whether the store of c is a PostgreSQL server, which several servers may share. */
bool store_conf_shared(const conf *c);

/* Makes c's store settings (store.password_file; daemon.name, else the host name, as the
 * server of store_set_server) those of every handle opened from now on. */
void store_conf_apply(const conf *c);

/* This server's name among several on one store: daemon.name, else the host name; in buf[n]. */
const char *store_conf_server(const conf *c, char *buf, size_t n);

#endif
