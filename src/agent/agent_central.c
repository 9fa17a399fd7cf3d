/* agent_central.c: the central config, both ends, pure (no I/O). The server's side picks the
 * groups an agent is a member of (agent.groups, in their order) and merges their sections
 * into one JSON document (later groups replace earlier ones' list items by name, and their
 * options), whose SHA-256 is its ETag. The agent's side reads such a document with the
 * configuration engine (every table and bound the local file has) and merges it over the
 * local configuration: the local file's checks, log inputs and log rules stay, the server's
 * are added or replace them by name, and the host options the server names replace the
 * local ones. A document with anything but checks, logs and host is refused whole. */
#include "agent/agent.h"
#include "check/check_conf.h"
#include "conf/conf_engine.h"
#include "core/kw_mem.h"
#include "host/host_conf.h"
#include "logs/logs_conf.h"

#include <fnmatch.h>
#include <jansson.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the server's side ---- */

typedef struct central_group {
    char **members;
    size_t nmembers;
    json_t *doc;
} central_group;

struct agent_central {
    central_group *v;
    size_t n;
};

agent_central *agent_central_new(const conf_list *groups)
{
    agent_central *ac = kw_calloc(1, sizeof *ac);
    ac->v = kw_calloc(groups->n + 1, sizeof *ac->v);
    for (size_t i = 0; i < groups->n; i++) {
        const conf_agent_group *g = CONF_AT(*groups, conf_agent_group, i);
        json_t *doc = g->doc ? json_loads(g->doc, 0, NULL) : NULL;
        if (!doc)
            continue;
        central_group *cg = &ac->v[ac->n++];
        cg->doc = doc;
        cg->nmembers = g->members.n;
        cg->members = kw_calloc(g->members.n + 1, sizeof *cg->members);
        for (size_t k = 0; k < g->members.n; k++)
            cg->members[k] = kw_strdup(g->members.v[k]);
    }
    return ac;
}

void agent_central_free(agent_central *ac)
{
    if (!ac)
        return;
    for (size_t i = 0; i < ac->n; i++) {
        for (size_t k = 0; k < ac->v[i].nmembers; k++)
            free(ac->v[i].members[k]);
        free(ac->v[i].members);
        json_decref(ac->v[i].doc);
    }
    free(ac->v);
    free(ac);
}

static bool central_member(const central_group *g, const char *agent)
{
    for (size_t k = 0; k < g->nmembers; k++)
        if (fnmatch(g->members[k], agent, 0) == 0)
            return true;
    return false;
}

/* The item of array a whose "name" is name, or -1. */
static ssize_t named_index(json_t *a, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        const char *n = json_string_value(json_object_get(v, "name"));
        if (n && strcmp(n, name) == 0)
            return (ssize_t)i;
    }
    return -1;
}

static void merge_into(json_t *dst, json_t *src);

/* src's items into list dst: an item named as one of dst's replaces it, others are added. */
static void merge_list(json_t *dst, json_t *src)
{
    size_t i;
    json_t *v;
    json_array_foreach(src, i, v)
    {
        const char *n = json_string_value(json_object_get(v, "name"));
        ssize_t at = n ? named_index(dst, n) : -1;
        if (at >= 0)
            json_array_set(dst, (size_t)at, v);
        else
            json_array_append(dst, v);
    }
}

/* src's options into mapping dst: lists merged by name, mappings key by key, the rest replaced. */
static void merge_into(json_t *dst, json_t *src)
{
    const char *k;
    json_t *v;
    json_object_foreach(src, k, v)
    {
        json_t *d = json_object_get(dst, k);
        if (json_is_array(d) && json_is_array(v))
            merge_list(d, v);
        else if (json_is_object(d) && json_is_object(v))
            merge_into(d, v);
        else
            json_object_set_new(dst, k, json_deep_copy(v));
    }
}

char *agent_central_for(const agent_central *ac, const char *agent, char etag[65])
{
    json_t *doc = json_object();
    for (size_t i = 0; ac && i < ac->n; i++)
        if (central_member(&ac->v[i], agent))
            merge_into(doc, ac->v[i].doc);
    char *out = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(doc);
    if (!out)
        out = kw_strdup("{}");
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)out, strlen(out), md);
    for (size_t i = 0; i < 32; i++) /* 32 hex digits are plenty for "changed or not" */
        snprintf(etag + 2 * i, 3, "%02x", md[i]);
    etag[32] = '\0';
    return out;
}

/* ---- the agent's side ---- */

/* Moves src's items of a named list into dst: replacing dst's of the same name, or added.
 * Items of the built-in layer in src (the defaults its load started from) stay in src. */
static void move_named(conf_list *dst, conf_list *src, const cf_section *sec)
{
    size_t size = sec->size, keep = 0;
    for (size_t i = 0; i < src->n; i++) {
        char *item = (char *)src->items + i * size;
        if (sec->builtin && *(bool *)(item + sec->builtin)) {
            memmove((char *)src->items + keep++ * size, item, size);
            continue;
        }
        const char *name = *(char **)item;
        void *slot = name ? (void *)cf_list_find(dst, size, name) : NULL;
        if (slot) {
            cf_free_section(sec, slot);
            memcpy(slot, item, size);
        } else {
            dst->items = kw_realloc(dst->items, (dst->n + 1) * size);
            memcpy((char *)dst->items + dst->n * size, item, size);
            dst->n++;
        }
    }
    src->n = keep;
}

/* The bytes a scalar field of kind k takes (0: not a scalar this merge swaps). */
static size_t scalar_size(cf_kind k)
{
    switch (k) {
    case CF_STR: return sizeof(char *);
    case CF_BOOL: return sizeof(bool);
    case CF_INT: case CF_DURATION: return sizeof(int64_t);
    case CF_SIZE: return sizeof(uint64_t);
    case CF_NUM: return sizeof(double);
    case CF_ENUM: return sizeof(int);
    case CF_STRS: return sizeof(conf_strs);
    default: return 0;
    }
}

/* The options of section sec (offsets into conf) that the document's mapping says: lists
 * moved by name, the others swapped (src, freed after, takes dst's old values). */
static void merge_section(conf *dst, conf *src, const cf_section *sec, json_t *said)
{
    for (const cf_field *f = sec->fields; f->key; f++) {
        if (!json_object_get(said, f->key))
            continue;
        char *d = (char *)dst + f->off, *s = (char *)src + f->off;
        size_t z = scalar_size(f->kind);
        if (f->kind == CF_LIST) {
            move_named((conf_list *)d, (conf_list *)s, f->sub);
        } else if (z) {
            char tmp[sizeof(conf_strs) > 8 ? sizeof(conf_strs) : 8];
            memcpy(tmp, d, z);
            memcpy(d, s, z);
            memcpy(s, tmp, z);
        }
    }
}

kw_rc agent_central_merge(conf *local, const char *doc, size_t len, char *err, size_t errn)
{
    json_error_t je;
    json_t *root = json_loadb(doc, len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(root)) {
        snprintf(err, errn, "not a JSON object: %s", root ? "another value" : je.text);
        json_decref(root);
        return KW_ERR_PARSE;
    }
    const char *k;
    json_t *v;
    json_object_foreach(root, k, v)
    {
        if (strcmp(k, "checks") != 0 && strcmp(k, "logs") != 0 && strcmp(k, "host") != 0) {
            snprintf(err, errn, "\"%.64s\": the server may set only checks, logs and host", k);
            json_decref(root);
            return KW_ERR_PARSE;
        }
    }
    conf_errors errs = {0};
    conf *server = NULL;
    kw_rc rc = conf_load_buffer("<server config>", doc, len, &server, &errs);
    if (rc != KW_OK) {
        snprintf(err, errn, "%s%s", errs.n ? errs.v[0] : "refused", errs.n > 1 ? " (and more)" : "");
        conf_errors_free(&errs);
        json_decref(root);
        return KW_ERR_PARSE;
    }
    if (json_object_get(root, "checks"))
        move_named(&local->checks, &server->checks, &check_conf_section);
    merge_section(local, server, &logs_conf_section, json_object_get(root, "logs"));
    merge_section(local, server, &host_conf_section, json_object_get(root, "host"));
    conf_free(server);
    json_decref(root);
    return KW_OK;
}
