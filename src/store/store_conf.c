/* store_conf.c: the store: section (where the store is: the SQLite file in the state
 * directory, or a PostgreSQL server) and the history: section (how long the store keeps
 * metric readings at each resolution). */
#include "store/store_conf.h"
#include "core/kw_mem.h"
#include "store/store.h"
#include "store/store_db.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void store_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    const conf *c = obj;
    if (c->store.url && !db_pg_is_url(c->store.url))
        cf_error(ctx, cf_find_or(ctx, n, "url"),
                 "store.url: a postgresql://USER@HOST[:PORT]/DB URL (leave it out for the SQLite file)");
    if (c->store.password_file && !*c->store.password_file)
        cf_error(ctx, cf_find_or(ctx, n, "password_file"), "store.password_file: a file's path");
}

static const cf_field store_fields[] = {
    F(conf, "url", CF_STR, store.url, .mask = 3),
    F(conf, "password_file", CF_STR, store.password_file),
    {0},
};
const cf_section store_conf_section = {"store", 0, store_fields, NULL, store_check, NULL};

static const cf_field history_fields[] = {
    F(conf, "raw_retention", CF_DURATION, history.raw_retention_ms, 60000, 31 * CF_DAY),
    F(conf, "minute_retention", CF_DURATION, history.minute_retention_ms, 3600000, CF_YEAR),
    F(conf, "hour_retention", CF_DURATION, history.hour_retention_ms, CF_DAY, 10 * CF_YEAR),
    {0},
};
const cf_section store_conf_history = {"history", 0, history_fields, NULL, NULL, NULL};

char *store_conf_where(const conf *c)
{
    const char *env = getenv("KEEPWATCH_STORE_URL");
    if (env && *env)
        return kw_strdup(env);
    if (c->store.url)
        return kw_strdup(c->store.url);
    return conf_state_path(c, "keepwatch.db");
}

bool store_conf_shared(const conf *c)
{
    char *where = store_conf_where(c);
    bool url = store_is_url(where);
    free(where);
    return url;
}

void store_conf_apply(const conf *c)
{
    db_pg_set_password_file(c->store.password_file);
    char name[64];
    store_default_server(store_conf_server(c, name, sizeof name));
}

const char *store_conf_server(const conf *c, char *buf, size_t n)
{
    char host[256] = "";
    if (!c->daemon.name && gethostname(host, sizeof host - 1) != 0)
        snprintf(host, sizeof host, "keepwatch");
    snprintf(buf, n, "%s", c->daemon.name ? c->daemon.name : host);
    return buf;
}
