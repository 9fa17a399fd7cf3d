/* Connection-pool settings (pure, no I/O): Java .properties (key=value, key: value or
 * key value; # and ! comments; '\' continuations) and YAML (libyaml events) flattened to
 * dotted keys (spring: datasource: hikari: maximum-pool-size: 60 ->
 * spring.datasource.hikari.maximum-pool-size, line of the value). Keys are kept as written;
 * the checks compare them under relaxed binding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "audit/audit_app_int.h"

kw_rc app_props_parse(app_cf *c, const char *file, const char *b, size_t n)
{
    char s[APP_TEXT_MAX + 1];
    int line = 0;
    for (size_t pos = 0; pos < n;) {
        int ln = (int)app_line(b, n, &pos, &line, true, s, sizeof s);
        if (!s[0] || s[0] == '#' || s[0] == '!')
            continue;
        size_t kl = strcspn(s, "=: ");
        char *v = s + kl;
        while (*v == ' ')
            v++;
        if (*v == '=' || *v == ':')
            v++;
        while (*v == ' ')
            v++;
        kw_rc rc = app_cf_add(c, file, ln, NULL, s, kl, v, strlen(v));
        if (rc != KW_OK)
            return rc;
    }
    return KW_OK;
}

#define YML_DEPTH 32

typedef struct yml_st {
    char key[APP_TEXT_MAX + 1];   /* the dotted path of the current mapping */
    size_t len[YML_DEPTH + 1];    /* key length at each mapping depth */
    bool in_map[YML_DEPTH + 1];   /* the container at each depth is a mapping */
    bool want_key[YML_DEPTH + 1]; /* that mapping expects a key next */
    int depth;
    int lines;                    /* of the input: an implicit value's mark may sit past the end */
} yml_st;

static void path_push(yml_st *y, const char *k)
{
    size_t l = strlen(y->key);
    snprintf(y->key + l, sizeof y->key - l, "%s%s", l ? "." : "", k);
}

/* A scalar: a mapping's key (appended to the path) or a value (added under the path). */
static kw_rc yml_scalar(app_cf *c, const char *file, yml_st *y, const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    int d = y->depth;
    if (d > 0 && d <= YML_DEPTH && y->in_map[d] && y->want_key[d]) {
        y->len[d] = strlen(y->key);
        path_push(y, s);
        y->want_key[d] = false;
        return KW_OK;
    }
    int line = ev->start_mark.line + 1 < (size_t)y->lines ? (int)ev->start_mark.line + 1 : y->lines;
    kw_rc rc = app_cf_add(c, file, line, NULL, y->key, strlen(y->key), s,
                          ev->data.scalar.length);
    if (d > 0 && d <= YML_DEPTH && y->in_map[d]) {
        y->key[y->len[d]] = '\0';
        y->want_key[d] = true;
    }
    return rc;
}

static void yml_open(yml_st *y, bool map)
{
    y->depth++;
    if (y->depth <= YML_DEPTH) {
        y->in_map[y->depth] = map;
        y->want_key[y->depth] = true;
        y->len[y->depth] = strlen(y->key);
    }
}

static void yml_close(yml_st *y)
{
    if (y->depth <= 0)
        return;
    y->depth--;
    int d = y->depth;
    if (d > 0 && d <= YML_DEPTH && y->in_map[d]) { /* the value of d's key ended */
        y->key[y->len[d]] = '\0';
        y->want_key[d] = true;
    }
}

kw_rc app_yaml_parse(app_cf *c, const char *file, const char *b, size_t n)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return KW_ERR_NOMEM;
    yaml_parser_set_input_string(&p, (const unsigned char *)b, n);
    yml_st *y = calloc(1, sizeof *y);
    kw_rc rc = y ? KW_OK : KW_ERR_NOMEM;
    for (size_t i = 0; y && i <= n; i++)
        y->lines += i == n || b[i] == '\n';
    for (bool done = false; rc == KW_OK && !done;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            rc = KW_ERR_PARSE;
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = true; break;
        case YAML_DOCUMENT_START_EVENT: {
            int lines = y->lines;
            memset(y, 0, sizeof *y);
            y->lines = lines;
            break;
        }
        case YAML_SCALAR_EVENT: rc = yml_scalar(c, file, y, &ev); break;
        case YAML_MAPPING_START_EVENT: yml_open(y, true); break;
        case YAML_SEQUENCE_START_EVENT: yml_open(y, false); break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT: yml_close(y); break;
        case YAML_ALIAS_EVENT: c->unknown++; break; /* aliases are not followed */
        default: break;
        }
        yaml_event_delete(&ev);
    }
    free(y);
    yaml_parser_delete(&p);
    return rc;
}
