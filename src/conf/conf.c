/* The configuration engine: typed fields, list layering, file:line:col errors, `config show`.
 * One table per section (cf_field rows, see conf_engine.h) drives parsing, showing and
 * freeing, so a new option is one row. The sections themselves live with their subsystems
 * (src/X/X_conf.c) and the top level outside src/conf; this file includes none of them. The
 * YAML is loaded with libyaml's document API, which keeps every node's line and column. */
#include "conf/conf.h"
#include "conf/conf_engine.h"
#include "core/kw_addr.h"
#include "core/kw_url.h"
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <time.h>

#define CONF_MAX_FILE (4u << 20) /* a config larger than 4 MiB is a mistake */
#define CONF_MAX_ERRORS 100

/* ---- diagnostics ---- */

static void cf_error_at(cf_ctx *ctx, size_t line, size_t col, const char *fmt, va_list ap)
{
    if (ctx->errs->n >= CONF_MAX_ERRORS)
        return;
    char msg[768];
    vsnprintf(msg, sizeof msg, fmt, ap);
    kw_buf b;
    kw_buf_init(&b, 4096);
    kw_buf_printf(&b, "%s:%zu:%zu: %s", ctx->file, line, col, msg);
    ctx->errs->v = kw_realloc(ctx->errs->v, (ctx->errs->n + 1) * sizeof(char *));
    ctx->errs->v[ctx->errs->n++] = kw_buf_take(&b);
}

void cf_error(cf_ctx *ctx, const yaml_node_t *node, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cf_error_at(ctx, node ? node->start_mark.line + 1 : 1, node ? node->start_mark.column + 1 : 1,
                fmt, ap);
    va_end(ap);
}

void cf_error_in(cf_ctx *ctx, const yaml_node_t *node, size_t off, const char *fmt, ...)
{
    size_t col = node->start_mark.column + 1;
    if (node->start_mark.line == node->end_mark.line) {
        bool quoted = node->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                      node->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        col += off + (quoted ? 1 : 0);
    }
    va_list ap;
    va_start(ap, fmt);
    cf_error_at(ctx, node->start_mark.line + 1, col, fmt, ap);
    va_end(ap);
}

void conf_errors_free(conf_errors *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->v[i]);
    free(e->v);
    e->v = NULL;
    e->n = 0;
}
/* ---- scalars ---- */

static const char *cf_scalar(cf_ctx *ctx, yaml_node_t *n, const char *what)
{
    if (n->type != YAML_SCALAR_NODE) {
        cf_error(ctx, n, "expected %s, found a %s", what,
                 n->type == YAML_MAPPING_NODE ? "mapping" : "list");
        return NULL;
    }
    if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length) {
        cf_error(ctx, n, "NUL byte in a value");
        return NULL;
    }
    return (const char *)n->data.scalar.value;
}

static bool cf_is_null(yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *s = (const char *)n->data.scalar.value;
    return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0;
}

static bool cf_parse_bool(const char *s, bool *out)
{
    static const char *const t[] = {"true", "yes", "on", "True", "Yes", "On", "TRUE"};
    static const char *const f[] = {"false", "no", "off", "False", "No", "Off", "FALSE"};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (strcmp(s, t[i]) == 0) { *out = true; return true; }
        if (strcmp(s, f[i]) == 0) { *out = false; return true; }
    }
    return false;
}

static bool cf_parse_int(const char *s, int64_t *out)
{
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno)
        return false;
    *out = v;
    return true;
}

static void cf_fmt_num(double v, char *out, size_t n) { kw_fmt_double(out, n, v); }

yaml_node_t *cf_node(cf_ctx *ctx, int id) { return yaml_document_get_node(ctx->doc, id); }

yaml_node_t *cf_find(cf_ctx *ctx, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = cf_node(ctx, p->key);
        if (k && k->type == YAML_SCALAR_NODE && strcmp((char *)k->data.scalar.value, key) == 0)
            return cf_node(ctx, p->value);
    }
    return NULL;
}

yaml_node_t *cf_find_or(cf_ctx *ctx, yaml_node_t *map, const char *key)
{
    yaml_node_t *v = cf_find(ctx, map, key);
    return v ? v : map;
}

yaml_node_t *cf_item_or(cf_ctx *ctx, yaml_node_t *seq, size_t i)
{
    if (seq && seq->type == YAML_SEQUENCE_NODE && i < (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start))
        return cf_node(ctx, seq->data.sequence.items.start[i]);
    return seq;
}

/* A number, or a percentage as a fraction ("80%": 0.8), with spaces around it. */
static bool cf_parse_num(const char *s, double *out)
{
    while (*s == ' ')
        s++;
    char *end;
    double v = *s ? strtod(s, &end) : 0;
    if (!*s || end == s || !isfinite(v))
        return false;
    if (*end == '%') {
        v /= 100.0;
        end++;
    }
    end += strspn(end, " ");
    if (*end)
        return false;
    *out = v;
    return true;
}

/* ---- fields ---- */

static void cf_parse_section(cf_ctx *ctx, const struct cf_section *sec, void *obj, yaml_node_t *n);
static void cf_parse_scalar_item(cf_ctx *ctx, const struct cf_section *sec, void *obj, yaml_node_t *n);

static void cf_strs_free(conf_strs *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

static void cf_match_free(conf_match *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].key);
        cf_strs_free(&m->v[i].values);
    }
    free(m->v);
    m->v = NULL;
    m->n = 0;
}

static void cf_labels_free(conf_labels *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->k[i]);
        free(l->v[i]);
    }
    free(l->k);
    free(l->v);
    memset(l, 0, sizeof *l);
}


/* A new list item's defaults: its fields' dflt, then the section's init. */
static void cf_item_defaults(const cf_section *sec, void *item)
{
    for (const cf_field *f = sec->fields; f->key; f++) {
        if (f->dflt == 0)
            continue;
        void *p = (char *)item + f->off;
        switch (f->kind) {
        case CF_BOOL: *(bool *)p = f->dflt != 0; break;
        case CF_INT:
        case CF_DURATION: *(int64_t *)p = (int64_t)f->dflt; break;
        case CF_SIZE: *(uint64_t *)p = (uint64_t)f->dflt; break;
        case CF_NUM: *(double *)p = f->dflt; break;
        case CF_ENUM: *(int *)p = (int)f->dflt; break;
        default: break;
        }
    }
    if (sec->init)
        sec->init(item);
}

static void cf_parse_field(cf_ctx *ctx, const cf_field *f, void *obj, yaml_node_t *n)
{
    char *p = (char *)obj + f->off;
    char err[256];
    const char *s;
    switch (f->kind) {
    case CF_STR:
        if (cf_is_null(n)) {
            free(*(char **)p);
            *(char **)p = NULL;
            return;
        }
        if (!(s = cf_scalar(ctx, n, "a string")))
            return;
        free(*(char **)p);
        *(char **)p = kw_strdup(s);
        return;
    case CF_BOOL:
        if (!(s = cf_scalar(ctx, n, "true or false")))
            return;
        if (!cf_parse_bool(s, (bool *)p))
            cf_error(ctx, n, "%s: expected true or false, found \"%s\"", f->key, s);
        return;
    case CF_INT: {
        int64_t v;
        if (!(s = cf_scalar(ctx, n, "a whole number")))
            return;
        if (!cf_parse_int(s, &v)) {
            cf_error(ctx, n, "%s: expected a whole number, found \"%s\"", f->key, s);
            return;
        }
        if (v < f->min || v > f->max) {
            cf_error(ctx, n, "%s: %lld is out of range (%.0f to %.0f)", f->key, (long long)v, f->min, f->max);
            return;
        }
        *(int64_t *)p = v;
        return;
    }
    case CF_NUM: {
        double v;
        if (!(s = cf_scalar(ctx, n, "a number")))
            return;
        if (!cf_parse_num(s, &v)) {
            cf_error(ctx, n, "%s: expected a number (e.g. 0.8 or 80%%), found \"%s\"", f->key, s);
            return;
        }
        if (v < f->min || v > f->max) {
            char lo[32], hi[32];
            cf_fmt_num(f->min, lo, sizeof lo);
            cf_fmt_num(f->max, hi, sizeof hi);
            cf_error(ctx, n, "%s: %s is out of range (%s to %s)", f->key, s, lo, hi);
            return;
        }
        *(double *)p = v;
        return;
    }
    case CF_DURATION: {
        int64_t v;
        if (!(s = cf_scalar(ctx, n, "a duration")))
            return;
        if (kw_duration_parse(s, &v, err, sizeof err) != KW_OK) {
            cf_error(ctx, n, "%s: %s", f->key, err);
            return;
        }
        if (v < f->min || v > f->max) {
            char lo[32], hi[32];
            kw_duration_format((int64_t)f->min, lo, sizeof lo);
            kw_duration_format((int64_t)f->max, hi, sizeof hi);
            cf_error(ctx, n, "%s: %s is out of range (%s to %s)", f->key, s, lo, hi);
            return;
        }
        *(int64_t *)p = v;
        return;
    }
    case CF_SIZE: {
        uint64_t v;
        if (!(s = cf_scalar(ctx, n, "a size")))
            return;
        if (kw_size_parse(s, &v, err, sizeof err) != KW_OK) {
            cf_error(ctx, n, "%s: %s", f->key, err);
            return;
        }
        if ((double)v < f->min || (double)v > f->max) {
            char lo[32], hi[32];
            kw_size_format((uint64_t)f->min, lo, sizeof lo);
            kw_size_format((uint64_t)f->max, hi, sizeof hi);
            cf_error(ctx, n, "%s: %s is out of range (%s to %s)", f->key, s, lo, hi);
            return;
        }
        *(uint64_t *)p = v;
        return;
    }
    case CF_ENUM: {
        if (cf_is_null(n))
            return; /* unset: what `config show` writes for an optional enum left unset */
        if (!(s = cf_scalar(ctx, n, "a name")))
            return;
        for (int i = 0; f->names[i]; i++)
            if (strcmp(s, f->names[i]) == 0) {
                *(int *)p = i + f->base;
                return;
            }
        kw_buf b;
        kw_buf_init(&b, 1024);
        for (int i = 0; f->names[i]; i++)
            kw_buf_printf(&b, "%s%s", i ? ", " : "", f->names[i]);
        cf_error(ctx, n, "%s: unknown value \"%s\" (expected one of: %s)", f->key, s, kw_buf_cstr(&b));
        kw_buf_free(&b);
        return;
    }
    case CF_STRS: {
        conf_strs *l = (conf_strs *)p;
        conf_strs fresh = {0};
        if (n->type == YAML_SCALAR_NODE && !cf_is_null(n)) {
            /* a single string stands for a one-element list */
            fresh.v = kw_malloc(sizeof(char *));
            fresh.v[fresh.n++] = kw_strdup((const char *)n->data.scalar.value);
        } else if (n->type == YAML_SEQUENCE_NODE) {
            size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
            fresh.v = kw_calloc(cnt, sizeof(char *));
            for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
                yaml_node_t *e = cf_node(ctx, *it);
                if ((s = cf_scalar(ctx, e, "a string")))
                    fresh.v[fresh.n++] = kw_strdup(s);
            }
        } else if (!cf_is_null(n)) {
            cf_error(ctx, n, "%s: expected a list of strings", f->key);
            return;
        }
        cf_strs_free(l);
        *l = fresh;
        return;
    }
    case CF_COMMAND: {
        conf_command *cmd = (conf_command *)p;
        if (n->type == YAML_SCALAR_NODE && !*(const char *)n->data.scalar.value) {
            cf_error(ctx, n, "%s: the command is empty", f->key);
            return;
        }
        cf_field strs = *f;
        strs.kind = CF_STRS;
        strs.off = 0;
        cf_parse_field(ctx, &strs, &cmd->argv, n);
        cmd->shell = n->type == YAML_SCALAR_NODE;
        return;
    }
    case CF_PORTS: {
        conf_ports *l = (conf_ports *)p;
        if (n->type != YAML_SEQUENCE_NODE) {
            cf_error(ctx, n, "%s: expected a list of port numbers", f->key);
            return;
        }
        size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
        free(l->v);
        l->v = kw_calloc(cnt, sizeof(uint16_t));
        l->n = 0;
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
            yaml_node_t *e = cf_node(ctx, *it);
            int64_t v;
            if (!(s = cf_scalar(ctx, e, "a port number")))
                continue;
            if (!cf_parse_int(s, &v) || v < 1 || v > 65535)
                cf_error(ctx, e, "%s: \"%s\" is not a port number (1 to 65535)", f->key, s);
            else
                l->v[l->n++] = (uint16_t)v;
        }
        return;
    }
    case CF_LABELS: {
        conf_labels *l = (conf_labels *)p;
        if (n->type != YAML_MAPPING_NODE) {
            cf_error(ctx, n, "%s: expected a mapping of label names to values", f->key);
            return;
        }
        cf_labels_free(l);
        size_t cnt = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
        l->k = kw_calloc(cnt, sizeof(char *));
        l->v = kw_calloc(cnt, sizeof(char *));
        for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
            const char *k = cf_scalar(ctx, cf_node(ctx, pr->key), "a label name");
            const char *v = cf_scalar(ctx, cf_node(ctx, pr->value), "a label value");
            if (!k || !v)
                continue;
            l->k[l->n] = kw_strdup(k);
            l->v[l->n++] = kw_strdup(v);
        }
        return;
    }
    case CF_MATCH: {
        conf_match *m = (conf_match *)p;
        if (n->type != YAML_MAPPING_NODE) {
            cf_error(ctx, n, "%s: expected a mapping of fields to values, e.g. event.outcome: failure", f->key);
            return;
        }
        cf_match_free(m);
        size_t cnt = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
        m->v = kw_calloc(cnt ? cnt : 1, sizeof *m->v);
        for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
            yaml_node_t *kn = cf_node(ctx, pr->key), *vn = cf_node(ctx, pr->value);
            const char *k = cf_scalar(ctx, kn, "a field name");
            if (!k)
                continue;
            conf_cond *c = &m->v[m->n];
            if (vn->type == YAML_SCALAR_NODE) {
                c->values.v = kw_calloc(1, sizeof(char *));
                c->values.v[c->values.n++] = kw_strdup((char *)vn->data.scalar.value);
            } else if (vn->type == YAML_SEQUENCE_NODE) {
                size_t nv = (size_t)(vn->data.sequence.items.top - vn->data.sequence.items.start);
                c->values.v = kw_calloc(nv ? nv : 1, sizeof(char *));
                for (yaml_node_item_t *it = vn->data.sequence.items.start; it < vn->data.sequence.items.top; it++) {
                    const char *v = cf_scalar(ctx, cf_node(ctx, *it), "a value");
                    if (v)
                        c->values.v[c->values.n++] = kw_strdup(v);
                }
            } else {
                cf_error(ctx, vn, "%s: %s: expected a value or a list of values", f->key, k);
                continue;
            }
            c->key = kw_strdup(k);
            m->n++;
            if (!c->values.n) {
                cf_error(ctx, vn, "%s: %s: the list is empty", f->key, k);
                continue;
            }
            for (size_t i = 0; i < c->values.n; i++) {
                char why[256];
                size_t pos = 0;
                if (f->vcheck && f->vcheck(k, c->values.v[i], why, sizeof why, &pos) != KW_OK) {
                    yaml_node_t *at = cf_item_or(ctx, vn, i);
                    if (pos == SIZE_MAX)
                        cf_error(ctx, kn, "%s: %s", f->key, why);
                    else
                        cf_error_in(ctx, at, pos, "%s: %s: %s", f->key, k, why);
                }
            }
        }
        return;
    }
    case CF_SECTION:
        cf_parse_section(ctx, f->sub, p, n);
        return;
    case CF_LIST: {
        conf_list *l = (conf_list *)p;
        if (cf_is_null(n))
            return;
        if (n->type != YAML_SEQUENCE_NODE) {
            cf_error(ctx, n, "%s: expected a list", f->key);
            return;
        }
        const cf_section *sec = f->sub;
        size_t inherited = l->n; /* items from an earlier layer may be replaced by name */
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
            yaml_node_t *e = cf_node(ctx, *it);
            bool scalar = sec->scalar_key && e->type == YAML_SCALAR_NODE;
            if (e->type != YAML_MAPPING_NODE && !scalar) {
                cf_error(ctx, e, "%s: each item must be a mapping", f->key);
                continue;
            }
            void *item = kw_calloc(1, sec->size);
            cf_item_defaults(sec, item);
            size_t before = ctx->errs->n;
            if (scalar)
                cf_parse_scalar_item(ctx, sec, item, e);
            else
                cf_parse_section(ctx, sec, item, e);
            char *name = sec->unnamed ? NULL : *(char **)item; /* named sections start with `name` */
            if (!sec->unnamed && !name && ctx->errs->n == before)
                cf_error(ctx, e, "%s: this item needs a name", f->key);
            ssize_t slot = -1;
            for (size_t i = 0; name && i < l->n; i++) {
                char *other = *(char **)((char *)l->items + i * sec->size);
                if (other && strcmp(other, name) == 0) {
                    if (i < inherited)
                        slot = (ssize_t)i;
                    else
                        cf_error(ctx, e, "%s: the name \"%s\" is used twice", f->key, name);
                }
            }
            if (slot >= 0) {
                void *dst = (char *)l->items + (size_t)slot * sec->size;
                cf_free_section(sec, dst);
                memcpy(dst, item, sec->size);
            } else {
                l->items = kw_realloc(l->items, (l->n + 1) * sec->size);
                memcpy((char *)l->items + l->n * sec->size, item, sec->size);
                l->n++;
            }
            free(item);
        }
        return;
    }
    }
}

static void cf_parse_section(cf_ctx *ctx, const cf_section *sec, void *obj, yaml_node_t *n)
{
    if (cf_is_null(n))
        return;
    if (n->type != YAML_MAPPING_NODE) {
        cf_error(ctx, n, "%s: expected a mapping of options", sec->name);
        return;
    }
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = cf_node(ctx, p->key);
        yaml_node_t *v = cf_node(ctx, p->value);
        const char *key = cf_scalar(ctx, k, "an option name");
        if (!key)
            continue;
        const cf_field *f = sec->fields;
        while (f->key && strcmp(f->key, key) != 0)
            f++;
        if (!f->key) {
            kw_buf b;
            kw_buf_init(&b, 2048);
            for (const cf_field *g = sec->fields; g->key; g++)
                kw_buf_printf(&b, "%s%s", g == sec->fields ? "" : ", ", g->key);
            cf_error(ctx, k, "unknown key \"%s\" in %s (known: %s)", key, sec->name, kw_buf_cstr(&b));
            kw_buf_free(&b);
            continue;
        }
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
            yaml_node_t *k2 = cf_node(ctx, q->key);
            if (k2->type == YAML_SCALAR_NODE && strcmp((char *)k2->data.scalar.value, key) == 0)
                cf_error(ctx, k, "key \"%s\" appears twice in %s", key, sec->name);
        }
        cf_parse_field(ctx, f, obj, v);
    }
    if (sec->size && !sec->unnamed) /* a named list item: its name comes first */
        cf_check_name(ctx, *(char **)obj, n);
    if (sec->check)
        sec->check(ctx, obj, n);
}

/* A list item written as one scalar: the value of the section's scalar_key field. */
static void cf_parse_scalar_item(cf_ctx *ctx, const cf_section *sec, void *obj, yaml_node_t *n)
{
    for (const cf_field *f = sec->fields; f->key; f++)
        if (strcmp(f->key, sec->scalar_key) == 0)
            cf_parse_field(ctx, f, obj, n);
    if (sec->check)
        sec->check(ctx, obj, n);
}

void cf_free_section(const cf_section *sec, void *obj)
{
    if (sec->fini)
        sec->fini(obj);
    for (const cf_field *f = sec->fields; f->key; f++) {
        char *p = (char *)obj + f->off;
        switch (f->kind) {
        case CF_STR: free(*(char **)p); break;
        case CF_STRS: cf_strs_free((conf_strs *)p); break;
        case CF_COMMAND: cf_strs_free(&((conf_command *)p)->argv); break;
        case CF_PORTS: free(((conf_ports *)p)->v); break;
        case CF_LABELS: cf_labels_free((conf_labels *)p); break;
        case CF_MATCH: cf_match_free((conf_match *)p); break;
        case CF_SECTION: cf_free_section(f->sub, p); break;
        case CF_LIST: {
            conf_list *l = (conf_list *)p;
            for (size_t i = 0; i < l->n; i++)
                cf_free_section(f->sub, (char *)l->items + i * f->sub->size);
            free(l->items);
            break;
        }
        default: break;
        }
    }
}
/* ---- shared validators ---- */

const char *const cf_severity_names[] = {"low", "medium", "high", "critical", NULL};

const char *kw_severity_name(int sev)
{
    return sev >= 1 && sev <= 4 ? cf_severity_names[sev - 1] : "unknown";
}

bool cf_valid_listen(const char *s)
{
    const char *colon = strrchr(s, ':');
    if (!colon || !colon[1])
        return false;
    int64_t port;
    if (!cf_parse_int(colon + 1, &port) || port < 1 || port > 65535)
        return false;
    size_t hl = (size_t)(colon - s);
    char host[64];
    if (hl == 0 || hl >= sizeof host)
        return false;
    memcpy(host, s, hl);
    host[hl] = '\0';
    unsigned char a[16];
    if (host[0] == '[' && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        return inet_pton(AF_INET6, host + 1, a) == 1;
    }
    return inet_pton(AF_INET, host, a) == 1 || strcmp(host, "localhost") == 0;
}

bool cf_valid_prefix(const char *s)
{
    char buf[64];
    if (kw_strlcpy(buf, s, sizeof buf) >= sizeof buf)
        return false;
    char *slash = strchr(buf, '/');
    int maxbits = strchr(buf, ':') ? 128 : 32;
    if (slash) {
        int64_t bits;
        *slash = '\0';
        if (!cf_parse_int(slash + 1, &bits) || bits < 0 || bits > maxbits)
            return false;
    }
    unsigned char a[16];
    return inet_pton(maxbits == 128 ? AF_INET6 : AF_INET, buf, a) == 1;
}

static bool cf_valid_name(const char *s)
{
    if (!*s || strlen(s) > 128)
        return false;
    for (const char *p = s; *p; p++)
        if (!(((unsigned char)*p >= 0x80) || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
            return false;
    return true;
}

void cf_check_name(cf_ctx *ctx, const char *name, yaml_node_t *map)
{
    if (name && !cf_valid_name(name))
        cf_error(ctx, cf_find(ctx, map, "name"),
                 "name \"%s\": use letters, digits, '_', '-' and '.' (at most 128)", name);
}

int cf_hhmm(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
        !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
        return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    return h < 24 && m < 60 ? h * 60 + m : -1;
}

int32_t cf_zone_offset(int32_t tz)
{
    if (tz != INT32_MIN)
        return tz;
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    return (int32_t)(tm.tm_gmtoff / 60);
}

uint8_t cf_days_mask(cf_ctx *ctx, const conf_strs *days, yaml_node_t *n)
{
    static const char *const names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    uint8_t mask = days->n ? 0 : 0x7f;
    for (size_t i = 0; i < days->n; i++) {
        int d = -1;
        for (int k = 0; k < 7; k++)
            if (strcasecmp(days->v[i], names[k]) == 0)
                d = k;
        if (d < 0)
            cf_error(ctx, cf_find(ctx, n, "days"), "days: \"%s\" is not one of mon, tue, wed, thu, fri, sat, sun",
                     days->v[i]);
        else
            mask |= (uint8_t)(1u << d);
    }
    return mask;
}

/* ---- loading ---- */

/* Bounds on a document beside its size (CONF_MAX_FILE): how deep it nests, and how many
 * nodes it has once its aliases are expanded (the walk over the tree visits an aliased node
 * at each alias: "billion laughs"). */
#define CONF_MAX_DEPTH 64
#define CONF_MAX_NODES 1000000u
#define CONF_MAX_ANCHORS 1000

typedef struct cf_anchor {
    char *name;
    uint64_t nodes;
} cf_anchor;

typedef struct cf_scan {
    uint64_t nodes;
    uint64_t start[CONF_MAX_DEPTH + 1]; /* nodes when each open collection began */
    char *anchor[CONF_MAX_DEPTH + 1];
    int depth;
    cf_anchor *anchors;
    size_t nanchors;
} cf_scan;

static uint64_t cf_scan_alias(const cf_scan *sc, const char *name)
{
    for (size_t i = sc->nanchors; i-- > 0;) /* the latest of a name counts */
        if (strcmp(sc->anchors[i].name, name) == 0)
            return sc->anchors[i].nodes;
    return 1;
}

/* Records an anchored node's size; false past CONF_MAX_ANCHORS. */
static bool cf_scan_anchor(cf_scan *sc, const char *name, uint64_t nodes)
{
    if (!name)
        return true;
    if (sc->nanchors == CONF_MAX_ANCHORS)
        return false;
    sc->anchors = kw_realloc(sc->anchors, (sc->nanchors + 1) * sizeof *sc->anchors);
    sc->anchors[sc->nanchors++] = (cf_anchor){kw_strdup(name), nodes};
    return true;
}

/* One event; NULL if it is within bounds, else what is wrong. */
static const char *cf_scan_event(cf_scan *sc, const yaml_event_t *ev)
{
    const char *anchor = NULL;
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        sc->nodes += cf_scan_alias(sc, (const char *)ev->data.alias.anchor);
        break;
    case YAML_SCALAR_EVENT:
        sc->nodes++;
        if (!cf_scan_anchor(sc, (const char *)ev->data.scalar.anchor, 1))
            return "more than 1000 anchors (&name)";
        break;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        anchor = (const char *)(ev->type == YAML_SEQUENCE_START_EVENT ? ev->data.sequence_start.anchor
                                                                       : ev->data.mapping_start.anchor);
        if (sc->depth == CONF_MAX_DEPTH)
            return "nested deeper than 64 levels";
        sc->start[sc->depth] = sc->nodes++;
        sc->anchor[sc->depth++] = anchor ? kw_strdup(anchor) : NULL;
        break;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        if (sc->depth > 0) {
            sc->depth--;
            bool ok = cf_scan_anchor(sc, sc->anchor[sc->depth], sc->nodes - sc->start[sc->depth]);
            free(sc->anchor[sc->depth]);
            sc->anchor[sc->depth] = NULL;
            if (!ok)
                return "more than 1000 anchors (&name)";
        }
        break;
    default:
        break;
    }
    return sc->nodes > CONF_MAX_NODES ? "more than a million nodes once its aliases (*name) are expanded" : NULL;
}

/* Walks the document's events before it is loaded: false (with an error at the place) when
 * it is out of bounds. A syntax error is left for the loader to report. */
static bool cf_prescan(cf_ctx *ctx, const char *data, size_t len)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        fatal("cannot initialise the YAML parser");
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    cf_scan sc = {0};
    const char *bad = NULL;
    yaml_event_t ev;
    bool more = true;
    while (more && !bad && yaml_parser_parse(&parser, &ev)) {
        more = ev.type != YAML_STREAM_END_EVENT;
        bad = cf_scan_event(&sc, &ev);
        if (bad) {
            yaml_node_t at = {.start_mark = ev.start_mark};
            cf_error(ctx, &at, "YAML: %s", bad);
        }
        yaml_event_delete(&ev);
    }
    for (int i = 0; i < sc.depth; i++)
        free(sc.anchor[i]);
    for (size_t i = 0; i < sc.nanchors; i++)
        free(sc.anchors[i].name);
    free(sc.anchors);
    yaml_parser_delete(&parser);
    return !bad;
}

/* Opens the YAML document of data after its bounds are checked; false (with an error) when it
 * is out of bounds or not YAML. The caller deletes doc and parser after a true. */
static bool cf_doc_open(cf_ctx *ctx, const char *data, size_t len, yaml_parser_t *parser, yaml_document_t *doc)
{
    if (!cf_prescan(ctx, data, len))
        return false;
    if (!yaml_parser_initialize(parser))
        fatal("cannot initialise the YAML parser");
    yaml_parser_set_input_string(parser, (const unsigned char *)data, len);
    if (!yaml_parser_load(parser, doc)) {
        yaml_mark_t m = parser->problem_mark;
        yaml_node_t at = {.start_mark = m};
        cf_error(ctx, &at, "YAML syntax: %s%s%s", parser->problem ? parser->problem : "error",
                 parser->context ? " " : "", parser->context ? parser->context : "");
        yaml_parser_delete(parser);
        return false;
    }
    ctx->doc = doc;
    return true;
}

/* False (with an error at line 1) for a text that is no configuration file: too large, or
 * with a NUL byte. */
static bool cf_text_ok(cf_ctx *ctx, const char *data, size_t len)
{
    if (len > CONF_MAX_FILE) {
        cf_error(ctx, NULL, "file is larger than 4 MiB");
        return false;
    }
    if (memchr(data, '\0', len)) {
        cf_error(ctx, NULL, "file contains a NUL byte: not a YAML text file");
        return false;
    }
    return true;
}

static void conf_load_layer(const char *name, const char *data, size_t len, conf *c, conf_errors *errs,
                            bool user_layer)
{
    cf_ctx ctx = {name, NULL, errs, user_layer};
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!cf_doc_open(&ctx, data, len, &parser, &doc))
        return;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root && !cf_is_null(root))
        cf_parse_section(&ctx, &conf_top_section, c, root);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
}

/* Where item (named name) goes in l: the index of the built-in item it replaces, l->n to
 * append, or -1 (after an error at node) when another item has its name. */
static ssize_t cf_list_slot(cf_ctx *ctx, const cf_section *sec, const conf_list *l, const char *name,
                            yaml_node_t *node)
{
    for (size_t i = 0; i < l->n; i++) {
        const char *item = (const char *)l->items + i * sec->size;
        const char *other = *(char *const *)item;
        if (!other || strcmp(other, name) != 0)
            continue;
        if (sec->builtin && *(const bool *)(item + sec->builtin))
            return (ssize_t)i;
        cf_error(ctx, cf_find_or(ctx, node, "name"), "%s: the name \"%s\" is used twice", sec->name, name);
        return -1;
    }
    return (ssize_t)l->n;
}

kw_rc cf_list_load_text(const cf_section *sec, conf_list *l, const char *name, const char *text, size_t len,
                        bool user_layer, conf_errors *errs, cf_item_check check, void *arg)
{
    cf_ctx ctx = {name, NULL, errs, user_layer};
    size_t before = errs->n;
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!cf_text_ok(&ctx, text, len) || !cf_doc_open(&ctx, text, len, &parser, &doc))
        return KW_ERR_PARSE;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    void *item = kw_calloc(1, sec->size);
    if (!root || root->type != YAML_MAPPING_NODE) {
        cf_error(&ctx, root, "expected a mapping: one item of %s", sec->name);
    } else {
        cf_item_defaults(sec, item);
        cf_parse_section(&ctx, sec, item, root);
        const char *iname = *(char **)item;
        if (!iname)
            cf_error(&ctx, root, "%s: this item needs a name", sec->name);
        if (check && errs->n == before)
            check(&ctx, item, root, arg);
        ssize_t slot = errs->n == before ? cf_list_slot(&ctx, sec, l, iname, root) : -1;
        if (slot >= 0 && (size_t)slot < l->n) {
            void *dst = (char *)l->items + (size_t)slot * sec->size;
            cf_free_section(sec, dst);
            memcpy(dst, item, sec->size);
        } else if (slot >= 0) {
            l->items = kw_realloc(l->items, (l->n + 1) * sec->size);
            memcpy((char *)l->items + l->n * sec->size, item, sec->size);
            l->n++;
        }
    }
    if (errs->n != before)
        cf_free_section(sec, item);
    free(item);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return errs->n == before ? KW_OK : KW_ERR_PARSE;
}

/* Marks (drop false) or drops (drop true) the items of the built-in layer in every list
 * whose section has a `builtin` flag, in the sections below sec. */
static void cf_builtin_walk(const cf_section *sec, void *obj, bool drop)
{
    for (const cf_field *f = sec->fields; f->key; f++) {
        char *p = (char *)obj + f->off;
        if (f->kind == CF_SECTION)
            cf_builtin_walk(f->sub, p, drop);
        if (f->kind != CF_LIST || !f->sub->builtin)
            continue;
        conf_list *l = (conf_list *)p;
        size_t keep = 0, size = f->sub->size;
        for (size_t i = 0; i < l->n; i++) {
            char *item = (char *)l->items + i * size;
            bool *mark = (bool *)(item + f->sub->builtin);
            if (!drop) {
                *mark = true;
                continue;
            }
            if (*mark) {
                cf_free_section(f->sub, item);
                continue;
            }
            memmove((char *)l->items + keep * size, item, size);
            keep++;
        }
        if (drop)
            l->n = keep;
    }
}

kw_rc conf_load_buffer(const char *name, const char *data, size_t len, conf **out, conf_errors *errs)
{
    *out = NULL;
    conf *c = kw_calloc(1, sizeof *c);
    conf_load_layer("<built-in>", conf_default_yaml, strlen(conf_default_yaml), c, errs, false);
    if (errs->n)
        fatal("the built-in configuration is invalid: %s", errs->v[0]);
    cf_builtin_walk(&conf_top_section, c, false);
    if (data) {
        cf_ctx ctx = {name, NULL, errs, true};
        if (cf_text_ok(&ctx, data, len))
            conf_load_layer(name, data, len, c, errs, true);
        c->path = kw_strdup(name);
    }
    if (!c->builtin_rules)
        cf_builtin_walk(&conf_top_section, c, true); /* those a user did not replace by name */
    if (errs->n) {
        conf_free(c);
        return KW_ERR_PARSE;
    }
    *out = c;
    return KW_OK;
}

kw_rc conf_load(const char *path, conf **out, conf_errors *errs)
{
    if (!path)
        return conf_load_buffer(NULL, NULL, 0, out, errs);
    FILE *f = fopen(path, "rb");
    if (!f) {
        cf_ctx ctx = {path, NULL, errs, true};
        cf_error(&ctx, NULL, "cannot open: %s", strerror(errno));
        *out = NULL;
        return KW_ERR_IO;
    }
    kw_buf b;
    kw_buf_init(&b, CONF_MAX_FILE + 1);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (kw_buf_append(&b, chunk, n) != KW_OK)
            break;
    bool rerr = ferror(f);
    fclose(f);
    kw_rc rc;
    if (rerr) {
        cf_ctx ctx = {path, NULL, errs, true};
        cf_error(&ctx, NULL, "cannot read: %s", strerror(errno));
        *out = NULL;
        rc = KW_ERR_IO;
    } else {
        rc = conf_load_buffer(path, b.data ? b.data : "", b.len, out, errs);
    }
    kw_buf_free(&b);
    return rc;
}

void conf_free(conf *c)
{
    if (!c)
        return;
    cf_free_section(&conf_top_section, c);
    free(c->path);
    free(c);
}

const void *cf_list_find(const conf_list *l, size_t size, const char *name)
{
    for (size_t i = 0; i < l->n; i++) {
        const void *item = (const char *)l->items + i * size;
        const char *n = *(char *const *)item;
        if (n && strcmp(n, name) == 0)
            return item;
    }
    return NULL;
}

const conf_asset *conf_asset_find(const conf *c, const char *name)
{
    return cf_list_find(&c->assets, sizeof(conf_asset), name);
}

struct conf_asset_index {
    struct {
        kw_addr prefix;
        int bits;
        const conf_asset *asset;
    } *v;
    size_t n;
};

conf_asset_index *conf_asset_index_new(const conf *c)
{
    conf_asset_index *x = kw_calloc(1, sizeof *x);
    size_t cap = 0;
    for (size_t i = 0; c && i < c->assets.n; i++) {
        const conf_asset *as = CONF_AT(c->assets, conf_asset, i);
        for (size_t k = 0; k < as->addresses.n; k++) {
            kw_grow(&x->v, &cap, x->n + 1, sizeof *x->v);
            if (kw_prefix_parse(as->addresses.v[k], &x->v[x->n].prefix, &x->v[x->n].bits)) /* checked at load */
                x->v[x->n++].asset = as;
        }
    }
    return x;
}

const conf_asset *conf_asset_index_find(const conf_asset_index *x, const char *ip)
{
    kw_addr a;
    int bits;
    if (!x || !ip || !kw_prefix_parse(ip, &a, &bits))
        return NULL;
    for (size_t i = 0; i < x->n; i++)
        if (kw_addr_in(&a, &x->v[i].prefix, x->v[i].bits))
            return x->v[i].asset;
    return NULL;
}

void conf_asset_index_free(conf_asset_index *x)
{
    if (!x)
        return;
    free(x->v);
    free(x);
}

const conf_asset *conf_asset_by_address(const conf *c, const char *ip)
{
    conf_asset_index *x = conf_asset_index_new(c);
    const conf_asset *as = conf_asset_index_find(x, ip);
    conf_asset_index_free(x);
    return as;
}

const conf_person *conf_person_find(const conf *c, const char *name)
{
    return cf_list_find(&c->people, sizeof(conf_person), name);
}

const conf_department *conf_department_find(const conf *c, const char *name)
{
    return cf_list_find(&c->departments, sizeof(conf_department), name);
}

char *conf_state_path(const conf *c, const char *rel)
{
    if (rel[0] == '/')
        return kw_strdup(rel);
    kw_buf b;
    kw_buf_init(&b, 8192);
    kw_buf_printf(&b, "%s/%s", c->daemon.state_dir ? c->daemon.state_dir : ".", rel);
    return kw_buf_take(&b);
}

/* ---- show ---- */

static void show_scalar_str(kw_buf *b, const char *s)
{
    /* JSON strings are valid YAML double-quoted scalars */
    kw_json_escape(b, s, strlen(s));
}

static void show_section(kw_buf *b, const cf_section *sec, const void *obj, int indent, bool first_dash);

static void show_field(kw_buf *b, const cf_field *f, const void *obj, int indent, bool *first_dash)
{
    const char *p = (const char *)obj + f->off;
    char tmp[64];
    /* a list item's first key goes after its "- " */
    if (*first_dash) {
        *first_dash = false;
        kw_buf_printf(b, "%s:", f->key);
    } else {
        kw_buf_printf(b, "%*s%s:", indent, "", f->key);
    }
    switch (f->kind) {
    case CF_STR: {
        const char *v = *(char *const *)p;
        kw_buf_putc(b, ' ');
        /* a robot's token is in its path (Feishu, Slack) or query (DingTalk, WeCom): show the host only */
        const char *sch = v && f->mask == 2 ? strstr(v, "://") : NULL;
        const char *q = sch ? strchr(sch + 3, '/') : NULL;
        if (v && f->mask == 1) {
            kw_buf_puts(b, "\"********\"");
        } else if (v && f->mask == 3) { /* a database URL: all but its password */
            char m[1024];
            show_scalar_str(b, kw_url_mask_password(v, m, sizeof m));
        } else if (q) {
            kw_buf b2;
            kw_buf_init(&b2, 0);
            kw_buf_printf(&b2, "%.*s/********", (int)(q - v), v);
            show_scalar_str(b, kw_buf_cstr(&b2));
            kw_buf_free(&b2);
        } else if (v) {
            show_scalar_str(b, v);
        } else {
            kw_buf_puts(b, "null");
        }
        break;
    }
    case CF_BOOL: kw_buf_printf(b, " %s", *(const bool *)p ? "true" : "false"); break;
    case CF_INT: kw_buf_printf(b, " %lld", (long long)*(const int64_t *)p); break;
    case CF_NUM:
        if (isnan(*(const double *)p))
            kw_buf_puts(b, " null");
        else {
            kw_fmt_double(tmp, sizeof tmp, *(const double *)p);
            kw_buf_printf(b, " %s", tmp);
        }
        break;
    case CF_DURATION:
        kw_duration_format(*(const int64_t *)p, tmp, sizeof tmp);
        kw_buf_printf(b, " %s", tmp);
        break;
    case CF_SIZE:
        kw_size_format(*(const uint64_t *)p, tmp, sizeof tmp);
        kw_buf_printf(b, " %s", tmp);
        break;
    case CF_ENUM: { /* a value below the names (an optional enum left unset) shows as null */
        int v = *(const int *)p - f->base, n = 0;
        while (f->names[n])
            n++;
        kw_buf_printf(b, " %s", v >= 0 && v < n ? f->names[v] : "null");
        break;
    }
    case CF_STRS: {
        const conf_strs *l = (const conf_strs *)p;
        kw_buf_puts(b, " [");
        for (size_t i = 0; i < l->n; i++) {
            if (i)
                kw_buf_puts(b, ", ");
            show_scalar_str(b, l->v[i]);
        }
        kw_buf_putc(b, ']');
        break;
    }
    case CF_COMMAND: {
        const conf_command *cmd = (const conf_command *)p;
        if (cmd->shell && cmd->argv.n == 1) {
            kw_buf_putc(b, ' ');
            show_scalar_str(b, cmd->argv.v[0]);
            break;
        }
        kw_buf_puts(b, " [");
        for (size_t i = 0; i < cmd->argv.n; i++) {
            if (i)
                kw_buf_puts(b, ", ");
            show_scalar_str(b, cmd->argv.v[i]);
        }
        kw_buf_putc(b, ']');
        break;
    }
    case CF_PORTS: {
        const conf_ports *l = (const conf_ports *)p;
        kw_buf_puts(b, " [");
        for (size_t i = 0; i < l->n; i++)
            kw_buf_printf(b, "%s%u", i ? ", " : "", l->v[i]);
        kw_buf_putc(b, ']');
        break;
    }
    case CF_LABELS: {
        const conf_labels *l = (const conf_labels *)p;
        kw_buf_puts(b, " {");
        for (size_t i = 0; i < l->n; i++) {
            if (i)
                kw_buf_puts(b, ", ");
            show_scalar_str(b, l->k[i]);
            kw_buf_puts(b, ": ");
            show_scalar_str(b, l->v[i]);
        }
        kw_buf_putc(b, '}');
        break;
    }
    case CF_MATCH: {
        const conf_match *m = (const conf_match *)p;
        kw_buf_puts(b, " {");
        for (size_t i = 0; i < m->n; i++) {
            kw_buf_puts(b, i ? ", " : "");
            show_scalar_str(b, m->v[i].key);
            kw_buf_puts(b, ": ");
            if (m->v[i].values.n == 1) {
                show_scalar_str(b, m->v[i].values.v[0]);
                continue;
            }
            kw_buf_putc(b, '[');
            for (size_t k = 0; k < m->v[i].values.n; k++) {
                kw_buf_puts(b, k ? ", " : "");
                show_scalar_str(b, m->v[i].values.v[k]);
            }
            kw_buf_putc(b, ']');
        }
        kw_buf_putc(b, '}');
        break;
    }
    case CF_SECTION: /* at its offset, as parsing and freeing have it (agent.groups' logs, host) */
        kw_buf_putc(b, '\n');
        show_section(b, f->sub, p, indent + 2, false);
        return;
    case CF_LIST: {
        const conf_list *l = (const conf_list *)p;
        size_t shown = 0;
        for (size_t i = 0; i < l->n; i++) {
            const char *item = (const char *)l->items + i * f->sub->size;
            if (f->sub->hidden && f->sub->hidden(item))
                continue;
            kw_buf_printf(b, "%s%*s- ", shown++ ? "" : "\n", indent + 2, "");
            show_section(b, f->sub, item, indent + 4, true);
        }
        if (!shown)
            kw_buf_puts(b, " []\n");
        return;
    }
    }
    kw_buf_putc(b, '\n');
}

static void show_section(kw_buf *b, const cf_section *sec, const void *obj, int indent, bool first_dash)
{
    for (const cf_field *f = sec->fields; f->key; f++) {
        /* leave out what is unset in list items, to keep the output readable */
        const char *p = (const char *)obj + f->off;
        if (sec->size &&
            ((f->kind == CF_STR && !*(char *const *)p) || (f->kind == CF_STRS && !((const conf_strs *)p)->n) ||
             (f->kind == CF_PORTS && !((const conf_ports *)p)->n) ||
             (f->kind == CF_COMMAND && !((const conf_command *)p)->argv.n) ||
             (f->kind == CF_LABELS && !((const conf_labels *)p)->n) ||
             (f->kind == CF_MATCH && !((const conf_match *)p)->n) ||
             (f->kind == CF_NUM && isnan(*(const double *)p)) || (sec->applies && !sec->applies(obj, f->key))))
            continue;
        show_field(b, f, obj, indent, &first_dash);
    }
}

char *conf_show_section(const conf *c, const char *key)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    for (const cf_field *f = conf_top_section.fields; f->key; f++)
        if (strcmp(f->key, key) == 0) {
            bool first = false;
            show_field(&b, f, c, 0, &first);
        }
    return kw_buf_take(&b);
}

char *conf_show(const conf *c)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_buf_printf(&b, "# keepwatch effective configuration (%s over the built-in defaults)\n",
                  c->path ? c->path : "no file");
    show_section(&b, &conf_top_section, c, 0, false);
    return kw_buf_take(&b);
}
