/* The configuration loader. One table per section (cf_field rows) drives parsing, `config
 * show` and freeing, so a new option is one row. The YAML is loaded with libyaml's document
 * API, which keeps every node's line and column for error messages. */
#include "conf/conf.h"
#include "alert/alert_expr.h"
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "logs/logs.h"
#include "logs/logs_rule.h"
#include "notify/notify.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <strings.h>
#include <time.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <yaml.h>

#define CONF_MAX_FILE (4u << 20) /* a config larger than 4 MiB is a mistake */
#define CONF_MAX_ERRORS 100

typedef enum {
    CF_STR, CF_BOOL, CF_INT, CF_NUM, CF_DURATION, CF_SIZE, CF_ENUM,
    CF_STRS, CF_PORTS, CF_LABELS, CF_SECTION, CF_LIST, CF_COMMAND, CF_MATCH
} cf_kind;

struct cf_section;
typedef struct cf_ctx cf_ctx;

typedef struct cf_field {
    const char *key;
    cf_kind kind;
    size_t off;
    double min, max;            /* CF_INT, CF_NUM, CF_DURATION (ms), CF_SIZE */
    const char *const *names;   /* CF_ENUM: names[i] has value i + base */
    int base;
    const struct cf_section *sub; /* CF_SECTION, CF_LIST */
    kw_rc (*vcheck)(const char *key, const char *value, char *err, size_t errn, size_t *pos); /* CF_MATCH */
    int mask;                   /* show: 1 hides the value (a secret), 2 all but the host of a URL (tokens) */
} cf_field;

typedef struct cf_section {
    const char *name;
    size_t size;                /* of one list element */
    const cf_field *fields;
    void (*init)(void *obj);    /* defaults of a list element */
    void (*check)(cf_ctx *ctx, void *obj, yaml_node_t *node); /* cross-field validation */
    void (*fini)(void *obj);    /* frees what the fields do not describe */
    bool (*applies)(const void *obj, const char *key); /* show: is this option meaningful here */
    bool unnamed;               /* list items without a `name` (never replaced by name) */
    const char *scalar_key;     /* a list item written as a scalar stands for {scalar_key: it} */
} cf_section;

struct cf_ctx {
    const char *file;
    yaml_document_t *doc;
    conf_errors *errs;
    bool user_layer;            /* false while loading the built-in defaults */
};

/* ---- diagnostics ---- */

static void cf_error(cf_ctx *ctx, const yaml_node_t *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

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

static void cf_error(cf_ctx *ctx, const yaml_node_t *node, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cf_error_at(ctx, node ? node->start_mark.line + 1 : 1, node ? node->start_mark.column + 1 : 1,
                fmt, ap);
    va_end(ap);
}

/* An error at byte `off` inside a plain or quoted scalar on one line. */
static void cf_error_in(cf_ctx *ctx, const yaml_node_t *node, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void cf_error_in(cf_ctx *ctx, const yaml_node_t *node, size_t off, const char *fmt, ...)
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

static yaml_node_t *cf_node(cf_ctx *ctx, int id) { return yaml_document_get_node(ctx->doc, id); }

/* The value node of `key` in a mapping, or NULL. */
static yaml_node_t *cf_find(cf_ctx *ctx, yaml_node_t *map, const char *key)
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

/* ---- fields ---- */

static void cf_parse_section(cf_ctx *ctx, const struct cf_section *sec, void *obj, yaml_node_t *n);
static void cf_parse_scalar_item(cf_ctx *ctx, const struct cf_section *sec, void *obj, yaml_node_t *n);
static void cf_free_section(const struct cf_section *sec, void *obj);

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
        if (rule_number_parse(s, &v, NULL) != KW_OK) {
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
                if ((f->vcheck ? f->vcheck : log_cond_check)(k, c->values.v[i], why, sizeof why, &pos) != KW_OK) {
                    yaml_node_t *at = vn;
                    if (vn->type == YAML_SEQUENCE_NODE &&
                        i < (size_t)(vn->data.sequence.items.top - vn->data.sequence.items.start))
                        at = cf_node(ctx, vn->data.sequence.items.start[i]);
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
            if (sec->init)
                sec->init(item);
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

static void cf_free_section(const cf_section *sec, void *obj)
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

/* ---- section checks ---- */

static const char *const severity_names[] = {"low", "medium", "high", "critical", NULL};
static const char *const check_type_names[] = {"process", "tcp", "http", "tls", "systemd", "command", NULL};
static const char *const log_level_names[] = {"error", "warn", "info", "debug", NULL};
static const char *const log_input_types[] = {"file", "syslog", "journal", NULL};
static const char *const log_protocols[] = {"udp", "tcp", "both", NULL};
static const char *const log_events_names[] = {"none", "matched", "all", NULL};

const char *kw_severity_name(int sev)
{
    return sev >= 1 && sev <= 4 ? severity_names[sev - 1] : "unknown";
}

const char *check_type_name(int type)
{
    return type >= 0 && type <= CHECK_COMMAND ? check_type_names[type] : "unknown";
}

/* Checks "host:port" / "[v6]:port"; writes nothing. */
static bool cf_valid_listen(const char *s)
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

/* An IP address or a CIDR prefix. */
static bool cf_valid_prefix(const char *s)
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

static void cf_check_name(cf_ctx *ctx, const char *name, yaml_node_t *map)
{
    if (name && !cf_valid_name(name))
        cf_error(ctx, cf_find(ctx, map, "name"),
                 "name \"%s\": use letters, digits, '_', '-' and '.' (at most 128)", name);
}

static void asset_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_asset *a = obj;
    cf_check_name(ctx, a->name, n);
    yaml_node_t *addrs = cf_find(ctx, n, "addresses");
    for (size_t i = 0; i < a->addresses.n; i++) {
        if (!cf_valid_prefix(a->addresses.v[i])) {
            yaml_node_t *at = addrs;
            if (addrs && addrs->type == YAML_SEQUENCE_NODE &&
                (ptrdiff_t)i < addrs->data.sequence.items.top - addrs->data.sequence.items.start)
                at = cf_node(ctx, addrs->data.sequence.items.start[i]);
            cf_error(ctx, at, "addresses: \"%s\" is not an IP address or CIDR prefix", a->addresses.v[i]);
        }
    }
}

static void asset_init(void *obj)
{
    conf_asset *a = obj;
    a->criticality = KW_SEV_MEDIUM;
}

static void check_init(void *obj)
{
    conf_check *c = obj;
    c->enabled = true;
    c->interval_ms = 30000;
    c->timeout_ms = 10000;
    c->severity = KW_SEV_HIGH;
    c->min_count = 1;
    c->warn_days = 14;
    c->tls_verify = true;
}

/* Parses "200", "2xx", "200-399" into an inclusive range. */
static bool cf_status_range(const char *s, int *lo, int *hi)
{
    int a, b;
    char tail;
    if (strlen(s) == 3 && s[0] >= '1' && s[0] <= '5' && s[1] == 'x' && s[2] == 'x') {
        *lo = (s[0] - '0') * 100;
        *hi = *lo + 99;
        return true;
    }
    if (sscanf(s, "%d-%d%c", &a, &b, &tail) == 2 && a >= 100 && b <= 599 && a <= b) {
        *lo = a;
        *hi = b;
        return true;
    }
    if (sscanf(s, "%d%c", &a, &tail) == 1 && a >= 100 && a <= 599) {
        *lo = *hi = a;
        return true;
    }
    return false;
}

/* Options that apply only to some check types. */
static const struct {
    const char *key;
    unsigned types;
} check_only[] = {
    {"process", 1u << CHECK_PROCESS},       {"pidfile", 1u << CHECK_PROCESS},
    {"min_count", 1u << CHECK_PROCESS},     {"host", 1u << CHECK_TCP | 1u << CHECK_TLS},
    {"port", 1u << CHECK_TCP | 1u << CHECK_TLS}, {"server_name", 1u << CHECK_TLS},
    {"warn_days", 1u << CHECK_TLS | 1u << CHECK_HTTP}, {"url", 1u << CHECK_HTTP},
    {"method", 1u << CHECK_HTTP},           {"expect_status", 1u << CHECK_HTTP},
    {"body_contains", 1u << CHECK_HTTP},    {"tls_verify", 1u << CHECK_HTTP | 1u << CHECK_TLS},
    {"unit", 1u << CHECK_SYSTEMD},          {"command", 1u << CHECK_COMMAND},
};

static bool check_applies(const void *obj, const char *key)
{
    const conf_check *c = obj;
    for (size_t i = 0; i < sizeof check_only / sizeof check_only[0]; i++)
        if (strcmp(check_only[i].key, key) == 0)
            return (check_only[i].types & (1u << c->type)) != 0;
    return true;
}

static void check_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_check *c = obj;
    cf_check_name(ctx, c->name, n);
    if (!cf_find(ctx, n, "type")) {
        cf_error(ctx, n, "check \"%s\": needs a type (process, tcp, http, tls, systemd or command)",
                 c->name ? c->name : "?");
        return;
    }
    for (size_t i = 0; i < sizeof check_only / sizeof check_only[0]; i++) {
        yaml_node_t *v = cf_find(ctx, n, check_only[i].key);
        if (v && !check_applies(c, check_only[i].key))
            cf_error(ctx, v, "%s does not apply to a %s check", check_only[i].key, check_type_name(c->type));
    }
    const char *need = NULL;
    switch (c->type) {
    case CHECK_PROCESS:
        if (!c->process && !c->pidfile)
            need = "process (a name) or pidfile";
        break;
    case CHECK_TCP:
    case CHECK_TLS:
        if (!c->host)
            need = "host";
        else if (!c->port)
            need = "port";
        break;
    case CHECK_HTTP:
        if (!c->url)
            need = "url";
        else if (strncmp(c->url, "http://", 7) != 0 && strncmp(c->url, "https://", 8) != 0)
            cf_error(ctx, cf_find(ctx, n, "url"), "url must start with http:// or https://");
        break;
    case CHECK_SYSTEMD:
        if (!c->unit)
            need = "unit";
        break;
    case CHECK_COMMAND:
        if (!c->command.argv.n)
            need = "command";
        break;
    }
    if (need)
        cf_error(ctx, n, "%s check \"%s\" needs %s", check_type_name(c->type), c->name ? c->name : "?", need);
    c->status_lo = 200;
    c->status_hi = 399;
    if (c->expect_status && !cf_status_range(c->expect_status, &c->status_lo, &c->status_hi))
        cf_error(ctx, cf_find(ctx, n, "expect_status"),
                 "expect_status: \"%s\" is not a status (200), class (2xx) or range (200-399)", c->expect_status);
    if (c->timeout_ms > c->interval_ms) {
        if (cf_find(ctx, n, "timeout"))
            cf_error(ctx, cf_find(ctx, n, "timeout"), "timeout must not be longer than the interval");
        else
            c->timeout_ms = c->interval_ms; /* the default timeout shrinks to a short interval */
    }
}

static void rule_init(void *obj)
{
    conf_rule *r = obj;
    r->enabled = true;
    r->clear = NAN;
    r->severity = KW_SEV_MEDIUM;
}

static void rule_fini(void *obj)
{
    conf_rule *r = obj;
    rule_expr_free(r->parsed);
    r->parsed = NULL;
}

static void rule_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_rule *r = obj;
    cf_check_name(ctx, r->name, n);
    yaml_node_t *en = cf_find(ctx, n, "expr");
    if (!r->expr) {
        if (r->enabled || !ctx->user_layer)
            cf_error(ctx, n, "rule \"%s\" needs an expr, e.g. host_cpu_usage_ratio > 80%%", r->name ? r->name : "?");
        return;
    }
    char err[256];
    size_t pos = 0;
    rule_expr_free(r->parsed);
    r->parsed = NULL;
    if (rule_expr_parse(r->expr, &r->parsed, err, sizeof err, &pos) != KW_OK)
        cf_error_in(ctx, en ? en : n, pos, "expr: %s", err);
}

static bool cf_wall_minutes(const char *s, bool need_time, int64_t *out);
static int32_t cf_zone_offset(int32_t tz);

static const void *list_find(const conf_list *l, size_t size, const char *name);

static const conf_channel *cf_channel_find(const conf *c, const char *name)
{
    for (size_t i = 0; i < c->notify.channels.n; i++) {
        const conf_channel *ch = CONF_AT(c->notify.channels, conf_channel, i);
        if (ch->name && strcmp(ch->name, name) == 0)
            return ch;
    }
    return NULL;
}

/* Names in notify: refer to channels, policies, schedules, people and departments that exist. */
static void notify_check_refs(cf_ctx *ctx, const conf *c, yaml_node_t *nn, yaml_node_t *top)
{
    yaml_node_t *at = nn ? nn : top;
    if (c->notify.language && strcmp(c->notify.language, "zh") && strcmp(c->notify.language, "en"))
        cf_error(ctx, cf_find(ctx, at, "language"), "language: \"%s\" is not zh or en", c->notify.language);
    for (size_t i = 0; i < c->notify.channels.n; i++) {
        const conf_channel *ch = CONF_AT(c->notify.channels, conf_channel, i);
        if (ch->department && !conf_department_find(c, ch->department))
            cf_error(ctx, at, "channel \"%s\": department \"%s\" is not defined under departments", ch->name,
                     ch->department);
    }
    for (size_t i = 0; i < c->notify.policies.n; i++) {
        const conf_policy *p = CONF_AT(c->notify.policies, conf_policy, i);
        for (size_t k = 0; k < p->inform.n; k++)
            if (!cf_channel_find(c, p->inform.v[k]))
                cf_error(ctx, at, "policy \"%s\": inform: channel \"%s\" is not defined under notify.channels",
                         p->name, p->inform.v[k]);
        for (size_t l = 0; l < p->levels.n; l++) {
            const conf_esc_level *lv = CONF_AT(p->levels, conf_esc_level, l);
            for (size_t k = 0; k < lv->channels.n; k++)
                if (!cf_channel_find(c, lv->channels.v[k]))
                    cf_error(ctx, at, "policy \"%s\", level %zu: channel \"%s\" is not defined under notify.channels",
                             p->name, l + 1, lv->channels.v[k]);
            for (size_t k = 0; k < lv->notify.n; k++) {
                const char *t = lv->notify.v[k], *colon = strchr(t, ':');
                const char *what = colon ? colon + 1 : "";
                size_t kl = colon ? (size_t)(colon - t) : 0;
                bool ok = false;
                if (kl == 8 && strncmp(t, "schedule", 8) == 0) {
                    ok = list_find(&c->schedules, sizeof(conf_schedule), what) != NULL;
                } else if (kl == 6 && strncmp(t, "person", 6) == 0) {
                    ok = conf_person_find(c, what) != NULL;
                } else if (kl == 4 && strncmp(t, "head", 4) == 0) {
                    const conf_department *d = conf_department_find(c, what);
                    ok = d && d->head;
                } else if (kl == 4 && strncmp(t, "role", 4) == 0) {
                    ok = *what != 0;
                } else {
                    cf_error(ctx, at, "policy \"%s\", level %zu: \"%s\" is not schedule:NAME, person:NAME, head:DEPARTMENT "
                             "or role:ROLE", p->name, l + 1, t);
                    continue;
                }
                if (!ok)
                    cf_error(ctx, at, "policy \"%s\", level %zu: \"%s\" names nothing defined%s", p->name, l + 1, t,
                             kl == 4 && strncmp(t, "head", 4) == 0 ? " (a department with a head)" : "");
            }
        }
    }
    for (size_t i = 0; i < c->notify.routes.n; i++) {
        const conf_route *r = CONF_AT(c->notify.routes, conf_route, i);
        if (r->policy && !list_find(&c->notify.policies, sizeof(conf_policy), r->policy))
            cf_error(ctx, at, "route %zu: policy \"%s\" is not defined under notify.policies", i + 1, r->policy);
    }
}

/* The standard-time part of a POSIX TZ string ("CST-8", "<+0530>-5:30", "CET-1CEST,..."):
 * its abbreviation and minutes east of UTC (POSIX counts west). */
static bool console_posix_tz(const char *s, const char *end, char *abbr, size_t n, int32_t *east)
{
    size_t k = 0;
    bool quoted = s < end && *s == '<';
    s += quoted;
    while (s < end && (quoted ? *s != '>' : ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))) {
        if (k + 1 >= n || (quoted && !(*s == '+' || *s == '-' || (*s >= '0' && *s <= '9') || ((*s | 32) >= 'a' && (*s | 32) <= 'z'))))
            return false;
        abbr[k++] = *s++;
    }
    abbr[k] = '\0';
    if (quoted && (s >= end || *s++ != '>'))
        return false;
    int sign = -1, part[2] = {0, 0};
    if (s < end && (*s == '+' || *s == '-'))
        sign = *s++ == '-' ? 1 : -1;
    for (int i = 0; i < 2; i++) {
        int digits = 0;
        while (s < end && *s >= '0' && *s <= '9' && digits < 2) {
            part[i] = part[i] * 10 + (*s++ - '0');
            digits++;
        }
        if (!digits && i == 0)
            return false;
        if (i == 0 && s < end && *s == ':')
            s++;
        else
            break;
    }
    if (k < 3 || part[0] > 24 || part[1] > 59)
        return false;
    *east = sign * (part[0] * 60 + part[1]);
    return true;
}

bool conf_tz_footer_parse(const char *data, size_t len, char *abbr, size_t n, int32_t *east)
{
    if (!n || len < 2 || data[len - 1] != '\n')
        return false;
    const char *nl = memrchr(data, '\n', len - 1); /* the footer is between the last two newlines */
    return nl && console_posix_tz(nl + 1, data + len - 1, abbr, n, east);
}

/* An IANA zone's current standard offset, from the footer of its zoneinfo file. Summer time
 * is not followed here (the console, which reads the zone's full rules, does follow it). */
static bool console_zone_file(const char *name, char *abbr, size_t n, int32_t *east)
{
    if (strlen(name) > 64 || strstr(name, "..") || name[0] == '/' || strspn(name,
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") != strlen(name))
        return false;
    char path[128], buf[4096];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    bool ok = fseek(f, -(long)sizeof buf, SEEK_END) == 0 || fseek(f, 0, SEEK_SET) == 0;
    size_t len = ok ? fread(buf, 1, sizeof buf, f) : 0;
    fclose(f);
    return len >= 6 && conf_tz_footer_parse(buf, len, abbr, n, east);
}

/* console.timezone: an IANA zone, UTC, +08:00 or local; derives its offset and abbreviation. */
static void console_zone_check(cf_ctx *ctx, conf *c, yaml_node_t *cn, yaml_node_t *top)
{
    const char *z = c->console.timezone;
    int32_t tz;
    c->console.tz_abbr[0] = '\0';
    c->console.tz_named = false;
    if (!z || log_tz_parse(z, &tz)) {
        c->console.tz_min = cf_zone_offset(z ? tz : LOG_TZ_LOCAL);
        if (!z || tz == LOG_TZ_LOCAL) {
            time_t t = time(NULL);
            struct tm tm;
            localtime_r(&t, &tm);
            snprintf(c->console.tz_abbr, sizeof c->console.tz_abbr, "%s", tm.tm_zone ? tm.tm_zone : "");
        } else if (tz == 0) {
            snprintf(c->console.tz_abbr, sizeof c->console.tz_abbr, "UTC");
        }
        return;
    }
    c->console.tz_named = true;
    if (!console_zone_file(z, c->console.tz_abbr, sizeof c->console.tz_abbr, &c->console.tz_min))
        cf_error(ctx, cf_find(ctx, cn ? cn : top, "timezone"),
                 "console.timezone: \"%s\" is not local, UTC, an offset like +08:00 or a zone like Asia/Shanghai", z);
}

static void conf_check_all(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf *c = obj;
    yaml_node_t *net = cf_find(ctx, n, "net");
    for (size_t i = 0; i < c->net.allow.n; i++)
        if (!cf_valid_prefix(c->net.allow.v[i]))
            cf_error(ctx, net ? cf_find(ctx, net, "allow") : n, "allow: \"%s\" is not an IP address or CIDR prefix",
                     c->net.allow.v[i]);
    for (size_t i = 0; i < c->net.groups.n; i++) {
        conf_net_group *g = CONF_AT(c->net.groups, conf_net_group, i);
        for (size_t k = 0; k < g->assets.n; k++)
            if (!conf_asset_find(c, g->assets.v[k]))
                cf_error(ctx, net ? cf_find(ctx, net, "groups") : n, "group \"%s\": asset \"%s\" is not defined under assets",
                         g->name, g->assets.v[k]);
    }
    if (c->net.auth_ports.n > 32)
        cf_error(ctx, net ? cf_find(ctx, net, "auth_ports") : n, "auth_ports: at most 32 ports");
    yaml_node_t *http = cf_find(ctx, n, "http");
    if (!c->http.tls_cert != !c->http.tls_key)
        cf_error(ctx, http ? http : n, "http: tls_cert and tls_key go together (PEM files)");
    if (c->http.listen && !cf_valid_listen(c->http.listen))
        cf_error(ctx, http ? cf_find(ctx, http, "listen") : n,
                 "listen: \"%s\" is not ADDRESS:PORT (e.g. 127.0.0.1:8787 or [::1]:8787)", c->http.listen);
    /* people and duty: names refer to what is defined */
    yaml_node_t *pn = cf_find(ctx, n, "people"), *sn = cf_find(ctx, n, "schedules"), *dn = cf_find(ctx, n, "departments");
    for (size_t i = 0; i < c->people.n; i++) {
        const conf_person *p = CONF_AT(c->people, conf_person, i);
        for (size_t k = 0; k < p->departments.n; k++)
            if (!conf_department_find(c, p->departments.v[k]))
                cf_error(ctx, pn ? pn : n, "person \"%s\": department \"%s\" is not defined under departments", p->name,
                         p->departments.v[k]);
    }
    for (size_t i = 0; i < c->departments.n; i++) {
        const conf_department *d = CONF_AT(c->departments, conf_department, i);
        if (d->head && !conf_person_find(c, d->head))
            cf_error(ctx, dn ? dn : n, "department \"%s\": head \"%s\" is not defined under people", d->name, d->head);
    }
    for (size_t i = 0; i < c->schedules.n; i++) {
        const conf_schedule *sc = CONF_AT(c->schedules, conf_schedule, i);
        for (size_t l = 0; l < sc->layers.n; l++) {
            const conf_layer *ly = CONF_AT(sc->layers, conf_layer, l);
            for (size_t k = 0; k < ly->members.n; k++)
                if (!conf_person_find(c, ly->members.v[k]))
                    cf_error(ctx, sn ? sn : n, "schedule \"%s\", layer \"%s\": \"%s\" is not defined under people",
                             sc->name, ly->name, ly->members.v[k]);
            if (ly->period_only && !c->period.start)
                cf_error(ctx, sn ? sn : n, "schedule \"%s\", layer \"%s\": period_only needs period: start and end",
                         sc->name, ly->name);
        }
        for (size_t k = 0; k < sc->overrides.n; k++) {
            const conf_override *o = CONF_AT(sc->overrides, conf_override, k);
            if (o->person && !conf_person_find(c, o->person))
                cf_error(ctx, sn ? sn : n, "schedule \"%s\": override person \"%s\" is not defined under people", sc->name,
                         o->person);
        }
    }
    notify_check_refs(ctx, c, cf_find(ctx, n, "notify"), n);
    console_zone_check(ctx, c, cf_find(ctx, n, "console"), n);
    c->period.start_ms = c->period.end_ms = 0;
    if (c->period.start || c->period.end) {
        int64_t a, b;
        yaml_node_t *per = cf_find(ctx, n, "period");
        if (!cf_wall_minutes(c->period.start, true, &a) || !cf_wall_minutes(c->period.end, true, &b) || b <= a)
            cf_error(ctx, per ? per : n, "period: start and end are YYYY-MM-DDTHH:MM (local time), start before end");
        else {
            int32_t off = cf_zone_offset(LOG_TZ_LOCAL);
            c->period.start_ms = (a - off) * 60000;
            c->period.end_ms = (b - off) * 60000;
        }
    }
    yaml_node_t *checks = cf_find(ctx, n, "checks");
    for (size_t i = 0; i < c->checks.n; i++) {
        conf_check *k = CONF_AT(c->checks, conf_check, i);
        if (k->asset && !conf_asset_find(c, k->asset)) {
            yaml_node_t *at = checks;
            if (checks && checks->type == YAML_SEQUENCE_NODE) {
                for (yaml_node_item_t *it = checks->data.sequence.items.start; it < checks->data.sequence.items.top; it++) {
                    yaml_node_t *nm = cf_find(ctx, cf_node(ctx, *it), "name");
                    if (nm && nm->type == YAML_SCALAR_NODE && k->name && strcmp((char *)nm->data.scalar.value, k->name) == 0)
                        at = cf_find(ctx, cf_node(ctx, *it), "asset");
                }
            }
            cf_error(ctx, at, "check \"%s\": asset \"%s\" is not defined under assets", k->name, k->asset);
        }
    }
}

/* ---- the tables ---- */

#define F(st, key, kind, member, ...) {key, kind, offsetof(st, member), __VA_ARGS__}
#define DAY 86400000.0
#define YEAR (366 * DAY)

static const cf_field asset_fields[] = {
    F(conf_asset, "name", CF_STR, name),
    F(conf_asset, "addresses", CF_STRS, addresses),
    F(conf_asset, "ports", CF_PORTS, ports),
    F(conf_asset, "department", CF_STR, department),
    F(conf_asset, "owner", CF_STR, owner),
    F(conf_asset, "criticality", CF_ENUM, criticality, .names = severity_names, .base = 1),
    F(conf_asset, "description", CF_STR, description),
    F(conf_asset, "business", CF_STR, business),
    F(conf_asset, "impact", CF_STR, impact),
    F(conf_asset, "advice", CF_STR, advice),
    {0},
};
static const cf_section asset_section = {"assets", sizeof(conf_asset), asset_fields, asset_init, asset_check, NULL};

static const cf_field check_fields[] = {
    F(conf_check, "name", CF_STR, name),
    F(conf_check, "type", CF_ENUM, type, .names = check_type_names),
    F(conf_check, "enabled", CF_BOOL, enabled),
    F(conf_check, "interval", CF_DURATION, interval_ms, 1000, DAY),
    F(conf_check, "timeout", CF_DURATION, timeout_ms, 100, 3600000),
    F(conf_check, "for", CF_DURATION, for_ms, 0, DAY),
    F(conf_check, "severity", CF_ENUM, severity, .names = severity_names, .base = 1),
    F(conf_check, "asset", CF_STR, asset),
    F(conf_check, "process", CF_STR, process),
    F(conf_check, "pidfile", CF_STR, pidfile),
    F(conf_check, "min_count", CF_INT, min_count, 1, 100000),
    F(conf_check, "host", CF_STR, host),
    F(conf_check, "port", CF_INT, port, 1, 65535),
    F(conf_check, "server_name", CF_STR, server_name),
    F(conf_check, "warn_days", CF_INT, warn_days, 0, 3650),
    F(conf_check, "url", CF_STR, url),
    F(conf_check, "method", CF_STR, method),
    F(conf_check, "expect_status", CF_STR, expect_status),
    F(conf_check, "body_contains", CF_STR, body_contains),
    F(conf_check, "tls_verify", CF_BOOL, tls_verify),
    F(conf_check, "unit", CF_STR, unit),
    F(conf_check, "command", CF_COMMAND, command),
    {0},
};
static const cf_section check_section = {"checks", sizeof(conf_check), check_fields, check_init, check_check, NULL, check_applies};

static const cf_field rule_fields[] = {
    F(conf_rule, "name", CF_STR, name),
    F(conf_rule, "enabled", CF_BOOL, enabled),
    F(conf_rule, "expr", CF_STR, expr),
    F(conf_rule, "for", CF_DURATION, for_ms, 0, 7 * DAY),
    F(conf_rule, "clear", CF_NUM, clear, -1e18, 1e18),
    F(conf_rule, "clear_for", CF_DURATION, clear_for_ms, 0, 7 * DAY),
    F(conf_rule, "severity", CF_ENUM, severity, .names = severity_names, .base = 1),
    F(conf_rule, "summary", CF_STR, summary),
    F(conf_rule, "description", CF_STR, description),
    F(conf_rule, "labels", CF_LABELS, labels),
    {0},
};
static const cf_section rule_section = {"rules", sizeof(conf_rule), rule_fields, rule_init, rule_check, rule_fini};

static const cf_field daemon_fields[] = {
    F(conf, "state_dir", CF_STR, daemon.state_dir),
    F(conf, "log_level", CF_ENUM, daemon.log_level, .names = log_level_names),
    F(conf, "user", CF_STR, daemon.user),
    F(conf, "group", CF_STR, daemon.group),
    {0},
};
static const cf_field http_fields[] = {
    F(conf, "enabled", CF_BOOL, http.enabled),
    F(conf, "listen", CF_STR, http.listen),
    F(conf, "threads", CF_INT, http.threads, 1, 64),
    F(conf, "max_body", CF_SIZE, http.max_body, 1024, 64 << 20),
    F(conf, "tls_cert", CF_STR, http.tls_cert),
    F(conf, "tls_key", CF_STR, http.tls_key),
    F(conf, "session_idle", CF_DURATION, http.session_idle_ms, 60000, 30 * DAY),
    F(conf, "session_max", CF_DURATION, http.session_max_ms, 60000, 90 * DAY),
    F(conf, "timeout", CF_DURATION, http.timeout_ms, 1000, 3600000),
    F(conf, "per_address", CF_INT, http.per_address, 1, 1024),
    {0},
};
static const cf_field history_fields[] = {
    F(conf, "raw_retention", CF_DURATION, history.raw_retention_ms, 60000, 31 * DAY),
    F(conf, "minute_retention", CF_DURATION, history.minute_retention_ms, 3600000, YEAR),
    F(conf, "hour_retention", CF_DURATION, history.hour_retention_ms, DAY, 10 * YEAR),
    {0},
};
static const cf_field events_fields[] = {
    F(conf, "enabled", CF_BOOL, events.enabled),
    F(conf, "path", CF_STR, events.path),
    F(conf, "max_size", CF_SIZE, events.max_size, 1 << 20, 1e12),
    F(conf, "keep", CF_INT, events.keep, 0, 1000),
    F(conf, "queue_size", CF_INT, events.queue_size, 16, 1 << 24),
    F(conf, "metric_interval", CF_DURATION, events.metric_interval_ms, 0, DAY),
    {0},
};
static const cf_field alerts_fields[] = {
    F(conf, "flap_window", CF_DURATION, alerts.flap_window_ms, 0, DAY),
    F(conf, "stale_after", CF_DURATION, alerts.stale_after_ms, 10000, 7 * DAY),
    {0},
};
static const cf_field host_fields[] = {
    F(conf, "enabled", CF_BOOL, host.enabled),
    F(conf, "interval", CF_DURATION, host.interval_ms, 1000, 3600000),
    F(conf, "top_processes", CF_INT, host.top_processes, 0, 50),
    F(conf, "ignore_fstypes", CF_STRS, host.ignore_fstypes),
    F(conf, "ignore_mountpoints", CF_STRS, host.ignore_mountpoints),
    F(conf, "include_readonly", CF_BOOL, host.include_readonly),
    F(conf, "ignore_interfaces", CF_STRS, host.ignore_interfaces),
    F(conf, "ignore_disks", CF_STRS, host.ignore_disks),
    {0},
};

static void group_init(void *obj)
{
    conf_net_group *g = obj;
    g->flood_pps = g->syn_half_open_pps = g->pps_ceiling = g->bps_ceiling = NAN;
}

static void group_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_net_group *g = obj;
    cf_check_name(ctx, g->name, n);
    if (!g->prefixes.n && !g->assets.n)
        cf_error(ctx, n, "group \"%s\" needs prefixes or assets", g->name ? g->name : "?");
    for (size_t i = 0; i < g->prefixes.n; i++)
        if (!cf_valid_prefix(g->prefixes.v[i]))
            cf_error(ctx, cf_find(ctx, n, "prefixes"), "prefixes: \"%s\" is not an IP address or CIDR prefix",
                     g->prefixes.v[i]);
}

static const cf_field group_fields[] = {
    F(conf_net_group, "name", CF_STR, name),
    F(conf_net_group, "prefixes", CF_STRS, prefixes),
    F(conf_net_group, "assets", CF_STRS, assets),
    F(conf_net_group, "flood_pps", CF_NUM, flood_pps, 1, 1e12),
    F(conf_net_group, "syn_half_open_pps", CF_NUM, syn_half_open_pps, 1, 1e12),
    F(conf_net_group, "pps_ceiling", CF_NUM, pps_ceiling, 1, 1e12),
    F(conf_net_group, "bps_ceiling", CF_NUM, bps_ceiling, 1, 1e15),
    {0},
};
static const cf_section group_section = {"net.groups", sizeof(conf_net_group), group_fields, group_init,
                                         group_check, NULL};

static const cf_field net_inspect_fields[] = {
    F(conf, "enabled", CF_BOOL, net.inspect.enabled),
    F(conf, "builtin_rules", CF_BOOL, net.inspect.builtin_rules),
    F(conf, "rules", CF_STRS, net.inspect.rules),
    F(conf, "vars", CF_STRS, net.inspect.vars),
    F(conf, "home_net", CF_STRS, net.inspect.home_net),
    F(conf, "dns_tunnel", CF_BOOL, net.inspect.dns_tunnel),
    F(conf, "dga", CF_BOOL, net.inspect.dga),
    F(conf, "cleartext", CF_BOOL, net.inspect.cleartext),
    {0},
};

static void net_inspect_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    const conf_net_inspect *in = &((const conf *)obj)->net.inspect;
    for (size_t i = 0; i < in->vars.n; i++) {
        const char *eq = strchr(in->vars.v[i], '=');
        if (!eq || eq == in->vars.v[i])
            cf_error(ctx, cf_find(ctx, n, "vars") ? cf_find(ctx, n, "vars") : n,
                     "net.inspect.vars: \"%s\" is not NAME=VALUE", in->vars.v[i]);
    }
    for (size_t i = 0; i < in->home_net.n; i++)
        if (!cf_valid_prefix(in->home_net.v[i]))
            cf_error(ctx, cf_find(ctx, n, "home_net") ? cf_find(ctx, n, "home_net") : n,
                     "net.inspect.home_net: \"%s\" is not an IP address or CIDR prefix", in->home_net.v[i]);
}

/* shares the top-level struct, as the sections do: offsets are into `conf` */
static const cf_section net_inspect_section = {"net.inspect", 0, net_inspect_fields, NULL, net_inspect_check, NULL};

static const cf_field net_fields[] = {
    F(conf, "interfaces", CF_STRS, net.interfaces),
    F(conf, "bpf", CF_STR, net.bpf),
    F(conf, "snaplen", CF_INT, net.snaplen, 64, 262144),
    F(conf, "buffer", CF_SIZE, net.buffer, 1 << 20, 4ull << 30),
    F(conf, "flood_pps", CF_NUM, net.flood_pps, 1, 1e9),
    F(conf, "syn_half_open_pps", CF_NUM, net.syn_half_open_pps, 1, 1e9),
    F(conf, "flood_for", CF_DURATION, net.flood_for_ms, 1000, 3600000),
    F(conf, "flood_end", CF_DURATION, net.flood_end_ms, 1000, 3600000),
    F(conf, "scan_ports", CF_INT, net.scan_ports, 2, 65535),
    F(conf, "sweep_hosts", CF_INT, net.sweep_hosts, 2, 1 << 24),
    F(conf, "scan_window", CF_DURATION, net.scan_window_ms, 1000, DAY),
    F(conf, "brute_sessions", CF_INT, net.brute_sessions, 2, 1 << 24),
    F(conf, "brute_window", CF_DURATION, net.brute_window_ms, 6000, DAY),
    F(conf, "brute_slow_sessions", CF_INT, net.brute_slow_sessions, 2, 1 << 24),
    F(conf, "brute_slow_window", CF_DURATION, net.brute_slow_window_ms, 60000, DAY),
    F(conf, "idle_end", CF_DURATION, net.idle_end_ms, 1000, DAY),
    F(conf, "auth_ports", CF_PORTS, net.auth_ports),
    F(conf, "allow", CF_STRS, net.allow),
    F(conf, "spike_factor", CF_NUM, net.spike_factor, 1.1, 1e6),
    F(conf, "spike_min_pps", CF_NUM, net.spike_min_pps, 1, 1e12),
    F(conf, "spike_for", CF_DURATION, net.spike_for_ms, 1000, 3600000),
    F(conf, "spike_learn", CF_DURATION, net.spike_learn_ms, 0, 7 * DAY),
    F(conf, "groups", CF_LIST, net.groups, .sub = &group_section),
    {"inspect", CF_SECTION, 0, .sub = &net_inspect_section},
    {0},
};

/* ---- logs ---- */

static void log_input_init(void *obj)
{
    conf_log_input *i = obj;
    i->enabled = true;
    i->protocol = LOG_PROTO_BOTH;
}

static void log_input_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_log_input *i = obj;
    cf_check_name(ctx, i->name, n);
    const char *nm = i->name ? i->name : "?";
    if (i->type == LOG_INPUT_FILE && !i->paths.n)
        cf_error(ctx, n, "input \"%s\": a file input needs paths (globs such as /var/log/nginx/*.log)", nm);
    if (i->type != LOG_INPUT_FILE && i->paths.n)
        cf_error(ctx, cf_find(ctx, n, "paths"), "input \"%s\": paths apply to file inputs only", nm);
    if (i->type == LOG_INPUT_SYSLOG && !i->listen)
        i->listen = kw_strdup("0.0.0.0:514");
    if (i->type != LOG_INPUT_SYSLOG && i->listen)
        cf_error(ctx, cf_find(ctx, n, "listen"), "input \"%s\": listen applies to syslog inputs only", nm);
    if (i->listen && !cf_valid_listen(i->listen))
        cf_error(ctx, cf_find(ctx, n, "listen"), "listen: \"%s\" is not ADDRESS:PORT (e.g. 0.0.0.0:514)", i->listen);
    if (i->format && !log_format_valid(i->format))
        cf_error(ctx, cf_find(ctx, n, "format"), "format: \"%s\" is not one of auto, syslog, nginx, apache, json, raw",
                 i->format);
    int32_t tz;
    if (i->timezone && !log_tz_parse(i->timezone, &tz))
        cf_error(ctx, cf_find(ctx, n, "timezone"), "timezone: \"%s\" is not local, UTC or an offset like +08:00",
                 i->timezone);
}

static void log_rule_init(void *obj)
{
    conf_log_rule *r = obj;
    r->enabled = true;
    r->count = 1;
    r->within_ms = 60000;
    r->end_after_ms = 300000;
    r->severity = KW_SEV_MEDIUM;
}

static void log_rule_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_log_rule *r = obj;
    cf_check_name(ctx, r->name, n);
    if (!r->match.n && (r->enabled || !ctx->user_layer))
        cf_error(ctx, n, "log rule \"%s\" needs match conditions, e.g. match: {event.dataset: openssh}",
                 r->name ? r->name : "?");
    for (size_t i = 0; i < r->by.n; i++)
        if (log_field_lookup(r->by.v[i]) < 0 && !strchr(r->by.v[i], '.'))
            cf_error(ctx, cf_find(ctx, n, "by"), "by: \"%s\" is not a field name (source.ip, user.name, ...)",
                     r->by.v[i]);
    if (r->by.n > 4)
        cf_error(ctx, cf_find(ctx, n, "by"), "by: at most 4 fields");
}

static void log_device_init(void *obj)
{
    conf_log_device *d = obj;
    d->surge = true;
}

static void log_device_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_log_device *d = obj;
    cf_check_name(ctx, d->name, n);
    if (!d->match.n)
        cf_error(ctx, n, "device \"%s\" needs match conditions, e.g. match: {log.source.address: 10.0.0.1}",
                 d->name ? d->name : "?");
}

static void log_sig_init(void *obj)
{
    conf_log_signatures *s = obj;
    s->max_age_ms = 7 * 86400000LL;
    s->severity = KW_SEV_HIGH;
}

static void log_sig_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_log_signatures *s = obj;
    cf_check_name(ctx, s->name, n);
    if (!s->path && !s->freshclam)
        cf_error(ctx, n, "signatures \"%s\" needs a path (a rule file or database) or freshclam: true",
                 s->name ? s->name : "?");
    if (s->version_pattern && !s->path)
        cf_error(ctx, cf_find(ctx, n, "version_pattern"), "version_pattern needs a path to read");
    char err[256];
    size_t pos = 0;
    if (s->version_pattern && log_cond_check("message|re", s->version_pattern, err, sizeof err, &pos) != KW_OK)
        cf_error_in(ctx, cf_find(ctx, n, "version_pattern"), pos == SIZE_MAX ? 0 : pos, "version_pattern: %s", err);
}

static const cf_field log_input_fields[] = {
    F(conf_log_input, "name", CF_STR, name),
    F(conf_log_input, "type", CF_ENUM, type, .names = log_input_types),
    F(conf_log_input, "enabled", CF_BOOL, enabled),
    F(conf_log_input, "paths", CF_STRS, paths),
    F(conf_log_input, "format", CF_STR, format),
    F(conf_log_input, "timezone", CF_STR, timezone),
    F(conf_log_input, "from_beginning", CF_BOOL, from_beginning),
    F(conf_log_input, "listen", CF_STR, listen),
    F(conf_log_input, "protocol", CF_ENUM, protocol, .names = log_protocols),
    {0},
};
static const cf_section log_input_section = {"logs.inputs", sizeof(conf_log_input), log_input_fields, log_input_init,
                                             log_input_check, NULL};

static const cf_field log_rule_fields[] = {
    F(conf_log_rule, "name", CF_STR, name),
    F(conf_log_rule, "enabled", CF_BOOL, enabled),
    F(conf_log_rule, "match", CF_MATCH, match),
    F(conf_log_rule, "unless", CF_MATCH, unless),
    F(conf_log_rule, "count", CF_INT, count, 1, 1000000),
    F(conf_log_rule, "within", CF_DURATION, within_ms, 1000, 7 * DAY),
    F(conf_log_rule, "by", CF_STRS, by),
    F(conf_log_rule, "end_after", CF_DURATION, end_after_ms, 1000, 7 * DAY),
    F(conf_log_rule, "severity", CF_ENUM, severity, .names = severity_names, .base = 1),
    F(conf_log_rule, "severity_from_event", CF_BOOL, severity_from_event),
    F(conf_log_rule, "action", CF_STR, action),
    F(conf_log_rule, "technique", CF_STR, technique),
    F(conf_log_rule, "summary", CF_STR, summary),
    F(conf_log_rule, "description", CF_STR, description),
    {0},
};
static const cf_section log_rule_section = {"logs.rules", sizeof(conf_log_rule), log_rule_fields, log_rule_init,
                                            log_rule_check, NULL};

static const cf_field log_device_fields[] = {
    F(conf_log_device, "name", CF_STR, name),
    F(conf_log_device, "match", CF_MATCH, match),
    F(conf_log_device, "heartbeat", CF_DURATION, heartbeat_ms, 0, 30 * DAY),
    F(conf_log_device, "surge", CF_BOOL, surge),
    {0},
};
static const cf_section log_device_section = {"logs.devices", sizeof(conf_log_device), log_device_fields,
                                              log_device_init, log_device_check, NULL};

static const cf_field log_sig_fields[] = {
    F(conf_log_signatures, "name", CF_STR, name),
    F(conf_log_signatures, "path", CF_STR, path),
    F(conf_log_signatures, "version_pattern", CF_STR, version_pattern),
    F(conf_log_signatures, "freshclam", CF_BOOL, freshclam),
    F(conf_log_signatures, "max_age", CF_DURATION, max_age_ms, 60000, 3650 * DAY),
    F(conf_log_signatures, "severity", CF_ENUM, severity, .names = severity_names, .base = 1),
    {0},
};
static const cf_section log_sig_section = {"logs.signatures", sizeof(conf_log_signatures), log_sig_fields,
                                           log_sig_init, log_sig_check, NULL};

static const cf_field logs_fields[] = {
    F(conf, "max_line", CF_SIZE, logs.max_line, 1024, 16 << 20),
    F(conf, "timezone", CF_STR, logs.timezone),
    F(conf, "events", CF_ENUM, logs.events, .names = log_events_names),
    F(conf, "max_groups", CF_INT, logs.max_groups, 100, 100000000),
    F(conf, "max_connections", CF_INT, logs.max_connections, 1, 65536),
    F(conf, "surge_factor", CF_NUM, logs.surge_factor, 1.1, 1e6),
    F(conf, "surge_min", CF_NUM, logs.surge_min, 1, 1e12),
    F(conf, "surge_learn", CF_DURATION, logs.surge_learn_ms, 0, 30 * DAY),
    F(conf, "inputs", CF_LIST, logs.inputs, .sub = &log_input_section),
    F(conf, "rules", CF_LIST, logs.rules, .sub = &log_rule_section),
    F(conf, "devices", CF_LIST, logs.devices, .sub = &log_device_section),
    F(conf, "signatures", CF_LIST, logs.signatures, .sub = &log_sig_section),
    {0},
};

/* ---- threat intelligence (intel) ---- */

static const char *const intel_formats[] = {"auto", "plain", "csv", "stix", NULL};

static void intel_file_init(void *obj) { ((conf_intel_file *)obj)->severity = KW_SEV_MEDIUM; }

static void intel_file_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_intel_file *f = obj;
    if (!f->path || !*f->path)
        cf_error(ctx, n, "intel.files: each file needs a path");
    cf_check_name(ctx, f->name, n);
}

/* The list's name as intel reports it: `name`, else the file's base name without extension. */
static void intel_list_name(const conf_intel_file *f, char *out, size_t n)
{
    const char *b = f->name ? f->name : strrchr(f->path, '/') ? strrchr(f->path, '/') + 1 : f->path;
    const char *dot = f->name ? NULL : strrchr(b, '.');
    snprintf(out, n, "%.*s", (int)(dot && dot != b ? (size_t)(dot - b) : strlen(b)), b);
}

static void intel_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    const conf *c = obj;
    yaml_node_t *at = cf_find(ctx, n, "files");
    if (c->intel.files.n > 64)
        cf_error(ctx, at, "intel.files: at most 64 lists (%zu given)", c->intel.files.n);
    for (size_t i = 0; i < c->intel.files.n; i++)
        for (size_t j = 0; j < i; j++) {
            char a[256], b[256];
            const conf_intel_file *fi = CONF_AT(c->intel.files, conf_intel_file, i);
            const conf_intel_file *fj = CONF_AT(c->intel.files, conf_intel_file, j);
            if (!fi->path || !fj->path)
                continue;
            intel_list_name(fi, a, sizeof a);
            intel_list_name(fj, b, sizeof b);
            if (strcmp(a, b) == 0)
                cf_error(ctx, at, "intel.files: two lists are named \"%s\" (give one a name:)", a);
        }
}

static const cf_field intel_file_fields[] = {
    F(conf_intel_file, "path", CF_STR, path),
    F(conf_intel_file, "name", CF_STR, name),
    F(conf_intel_file, "format", CF_ENUM, format, .names = intel_formats),
    F(conf_intel_file, "severity", CF_ENUM, severity, .names = severity_names, .base = 1),
    {0},
};
static const cf_section intel_file_section = {"intel.files", sizeof(conf_intel_file), intel_file_fields,
                                              intel_file_init, intel_file_check, NULL, NULL, true, "path"};
static const cf_field intel_fields[] = {
    F(conf, "files", CF_LIST, intel.files, .sub = &intel_file_section),
    F(conf, "reload_interval", CF_DURATION, intel.reload_interval_ms, 1000, DAY),
    {0},
};
static const cf_section intel_section = {"intel", 0, intel_fields, NULL, intel_check, NULL};

/* ---- the duty log's integrity (duty) ---- */

static const cf_field duty_fields[] = {
    F(conf, "key_file", CF_STR, duty.key_file),
    F(conf, "checkpoint_every", CF_INT, duty.checkpoint_every, 1, 1000000),
    F(conf, "verify_interval", CF_DURATION, duty.verify_interval_ms, 1000, DAY),
    {0},
};
static const cf_section duty_section = {"duty", 0, duty_fields, NULL, NULL, NULL};

/* ---- people and duty ---- */

static const char *const dept_kinds[] = {"security", "operations", "business", "customer_service", "management",
                                         "other", NULL};
static const char *const rotations[] = {"daily", "weekly", "custom", NULL};

/* "HH:MM" into minutes of the day; -1 if it is not one. */
static int cf_hhmm(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
        !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
        return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    return h < 24 && m < 60 ? h * 60 + m : -1;
}

/* "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM" as wall-clock minutes since the epoch (no zone). */
static bool cf_wall_minutes(const char *s, bool need_time, int64_t *out)
{
    char buf[32];
    size_t n = s ? strlen(s) : 0;
    if (n == 10 && !need_time)
        snprintf(buf, sizeof buf, "%sT00:00:00Z", s);
    else if (n == 16 && (s[10] == 'T' || s[10] == ' '))
        snprintf(buf, sizeof buf, "%.10sT%.5s:00Z", s, s + 11);
    else
        return false;
    log_parse_opts o = {.tz_offset_min = 0};
    int64_t ms;
    if (log_parse_iso(buf, strlen(buf), &o, &ms) != strlen(buf))
        return false;
    *out = ms / 60000;
    return true;
}

/* The fixed offset a zone name stands for (local: the machine's offset now). */
static int32_t cf_zone_offset(int32_t tz)
{
    if (tz != LOG_TZ_LOCAL)
        return tz;
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    return (int32_t)(tm.tm_gmtoff / 60);
}

static void person_check(cf_ctx *ctx, void *obj, yaml_node_t *n) { cf_check_name(ctx, ((conf_person *)obj)->name, n); }

static void dept_init(void *obj) { ((conf_department *)obj)->kind = DEPT_OTHER; }
static void dept_check(cf_ctx *ctx, void *obj, yaml_node_t *n) { cf_check_name(ctx, ((conf_department *)obj)->name, n); }

static void layer_init(void *obj)
{
    conf_layer *l = obj;
    l->rotation = ROTATION_WEEKLY;
}

static void layer_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_layer *l = obj;
    cf_check_name(ctx, l->name, n);
    if (!l->members.n)
        cf_error(ctx, n, "layer \"%s\" needs members (people, in turn order)", l->name ? l->name : "?");
    if (l->rotation == ROTATION_CUSTOM && l->shift_ms < 3600000)
        cf_error(ctx, n, "layer \"%s\": a custom rotation needs shift_length (1h or more)", l->name ? l->name : "?");
    int handoff = l->handoff ? cf_hhmm(l->handoff) : 9 * 60;
    if (handoff < 0)
        cf_error(ctx, cf_find(ctx, n, "handoff"), "handoff: \"%s\" is not HH:MM", l->handoff);
    int64_t day;
    if (!cf_wall_minutes(l->start ? l->start : "2024-01-01", false, &day))
        cf_error(ctx, cf_find(ctx, n, "start"), "start: \"%s\" is not a date (YYYY-MM-DD)", l->start);
    else
        l->anchor_min = day + (handoff < 0 ? 0 : handoff);
    l->from_min = l->to_min = -1;
    if (l->from || l->to) {
        l->from_min = cf_hhmm(l->from);
        l->to_min = cf_hhmm(l->to);
        if (l->from_min < 0 || l->to_min < 0 || l->from_min == l->to_min)
            cf_error(ctx, cf_find(ctx, n, l->from ? "from" : "to"),
                     "layer \"%s\": a time restriction needs from and to as HH:MM (20:00 to 08:00 runs past midnight)",
                     l->name ? l->name : "?");
    }
    static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    l->day_mask = l->days.n ? 0 : 0x7f;
    for (size_t i = 0; i < l->days.n; i++) {
        int d = -1;
        for (int k = 0; k < 7; k++)
            if (strcasecmp(l->days.v[i], days[k]) == 0)
                d = k;
        if (d < 0)
            cf_error(ctx, cf_find(ctx, n, "days"), "days: \"%s\" is not one of mon, tue, wed, thu, fri, sat, sun",
                     l->days.v[i]);
        else
            l->day_mask |= (uint8_t)(1u << d);
    }
}

static bool layer_applies(const void *obj, const char *key)
{
    return strcmp(key, "shift_length") != 0 || ((const conf_layer *)obj)->rotation == ROTATION_CUSTOM;
}

static void override_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_override *o = obj;
    int64_t a = 0, b = 0;
    if (!o->person)
        cf_error(ctx, n, "an override needs a person");
    if (!cf_wall_minutes(o->from, true, &a) || !cf_wall_minutes(o->to, true, &b) || b <= a)
        cf_error(ctx, n, "an override needs from and to (YYYY-MM-DDTHH:MM), from before to");
    o->from_ms = a * 60000; /* wall time: the schedule's zone is applied in schedule_check */
    o->to_ms = b * 60000;
}

static void schedule_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_schedule *s = obj;
    cf_check_name(ctx, s->name, n);
    s->tz_min = LOG_TZ_LOCAL;
    if (s->timezone && !log_tz_parse(s->timezone, &s->tz_min))
        cf_error(ctx, cf_find(ctx, n, "timezone"), "timezone: \"%s\" is not local, UTC or an offset like +08:00",
                 s->timezone);
    s->tz_min = cf_zone_offset(s->tz_min);
    if (!s->layers.n)
        cf_error(ctx, n, "schedule \"%s\" needs layers", s->name ? s->name : "?");
    for (size_t i = 0; i < s->overrides.n; i++) {
        conf_override *o = CONF_AT(s->overrides, conf_override, i);
        o->from_ms -= (int64_t)s->tz_min * 60000;
        o->to_ms -= (int64_t)s->tz_min * 60000;
    }
}

static const cf_field dept_fields[] = {
    F(conf_department, "name", CF_STR, name),
    F(conf_department, "display", CF_STR, display),
    F(conf_department, "kind", CF_ENUM, kind, .names = dept_kinds),
    F(conf_department, "head", CF_STR, head),
    {0},
};
static const cf_section dept_section = {"departments", sizeof(conf_department), dept_fields, dept_init, dept_check,
                                        NULL};

static const cf_field person_fields[] = {
    F(conf_person, "name", CF_STR, name),
    F(conf_person, "display", CF_STR, display),
    F(conf_person, "phone", CF_STR, phone),
    F(conf_person, "email", CF_STR, email),
    F(conf_person, "dingtalk", CF_STR, dingtalk),
    F(conf_person, "wecom", CF_STR, wecom),
    F(conf_person, "feishu", CF_STR, feishu),
    F(conf_person, "slack", CF_STR, slack),
    F(conf_person, "departments", CF_STRS, departments),
    F(conf_person, "roles", CF_STRS, roles),
    {0},
};
static const cf_section person_section = {"people", sizeof(conf_person), person_fields, NULL, person_check, NULL};

static const cf_field layer_fields[] = {
    F(conf_layer, "name", CF_STR, name),
    F(conf_layer, "rotation", CF_ENUM, rotation, .names = rotations),
    F(conf_layer, "shift_length", CF_DURATION, shift_ms, 3600000, 366 * DAY),
    F(conf_layer, "start", CF_STR, start),
    F(conf_layer, "handoff", CF_STR, handoff),
    F(conf_layer, "members", CF_STRS, members),
    F(conf_layer, "days", CF_STRS, days),
    F(conf_layer, "from", CF_STR, from),
    F(conf_layer, "to", CF_STR, to),
    F(conf_layer, "period_only", CF_BOOL, period_only),
    {0},
};
static const cf_section layer_section = {"layers", sizeof(conf_layer), layer_fields, layer_init, layer_check, NULL,
                                         layer_applies};

static const cf_field override_fields[] = {
    F(conf_override, "person", CF_STR, person),
    F(conf_override, "from", CF_STR, from),
    F(conf_override, "to", CF_STR, to),
    F(conf_override, "reason", CF_STR, reason),
    {0},
};
static const cf_section override_section = {"overrides", sizeof(conf_override), override_fields, NULL,
                                            override_check, NULL, NULL, true};

static const cf_field schedule_fields[] = {
    F(conf_schedule, "name", CF_STR, name),
    F(conf_schedule, "description", CF_STR, description),
    F(conf_schedule, "timezone", CF_STR, timezone),
    F(conf_schedule, "layers", CF_LIST, layers, .sub = &layer_section),
    F(conf_schedule, "overrides", CF_LIST, overrides, .sub = &override_section),
    {0},
};
static const cf_section schedule_section = {"schedules", sizeof(conf_schedule), schedule_fields, NULL,
                                            schedule_check, NULL};

/* ---- notifications ---- */

static const char *const chan_types[] = {"webhook", "dingtalk", "wecom", "feishu", "slack", "email", NULL};
static const char *const smtp_tls_names[] = {"starttls", "try", "smtps", "none", NULL};

static void channel_init(void *obj)
{
    conf_channel *ch = obj;
    ch->rate_limit = -1; /* the type's own, set in channel_check */
    ch->rate_window_ms = 60000;
    ch->timeout_ms = 10000;
    ch->mention = true;
    ch->tls_verify = true;
}

static bool cf_language_ok(const char *l) { return !l || strcmp(l, "zh") == 0 || strcmp(l, "en") == 0; }

static void cf_check_tmpl(cf_ctx *ctx, yaml_node_t *n, const char *key, const char *t, bool line)
{
    char err[256];
    size_t pos = 0;
    if (t && notify_tmpl_check(t, line, err, sizeof err, &pos) != KW_OK)
        cf_error_in(ctx, cf_find(ctx, n, key), pos, "%s: %s", key, err);
}

#define SECRET_FILE_MAX 4096

/* secret_file: its first line becomes the secret (a regular file, at most 4 KiB). */
static void channel_secret_file(cf_ctx *ctx, conf_channel *ch, yaml_node_t *n)
{
    yaml_node_t *at = cf_find(ctx, n, "secret_file");
    if (ch->secret) {
        cf_error(ctx, at, "give secret or secret_file, not both");
        return;
    }
    int fd = open(ch->secret_file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat sb;
    char buf[SECRET_FILE_MAX + 1];
    ssize_t len = -1;
    if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size <= SECRET_FILE_MAX)
        len = read(fd, buf, SECRET_FILE_MAX);
    int e = errno;
    if (fd >= 0)
        close(fd);
    if (len < 0) {
        cf_error(ctx, at, "secret_file: cannot read %s: %s", ch->secret_file,
                 fd < 0 ? strerror(e) : "not a regular file of at most 4 KiB");
        return;
    }
    buf[len] = 0;
    buf[strcspn(buf, "\r\n")] = 0;
    if (!buf[0])
        cf_error(ctx, at, "secret_file: %s is empty", ch->secret_file);
    else
        ch->secret = kw_strdup(buf);
    memset(buf, 0, sizeof buf);
}

static void channel_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_channel *ch = obj;
    cf_check_name(ctx, ch->name, n);
    if (ch->secret_file)
        channel_secret_file(ctx, ch, n);
    if (ch->rate_limit < 0) /* the robots' documented limits */
        ch->rate_limit = ch->type == CHAN_DINGTALK || ch->type == CHAN_WECOM ? 20
                         : ch->type == CHAN_FEISHU                          ? 100
                         : ch->type == CHAN_SLACK                           ? 60
                                                                             : 0;
    if (!ch->url)
        cf_error(ctx, n, "channel \"%s\" needs a url (%s)", ch->name ? ch->name : "?",
                 ch->type == CHAN_EMAIL ? "smtp://mail.example.com:587" : "the robot's webhook address");
    else if (ch->type == CHAN_EMAIL ? strncmp(ch->url, "smtp://", 7) && strncmp(ch->url, "smtps://", 8)
                                    : strncmp(ch->url, "http://", 7) && strncmp(ch->url, "https://", 8))
        cf_error(ctx, cf_find(ctx, n, "url"), "url: \"%s\" must start with %s", ch->url,
                 ch->type == CHAN_EMAIL ? "smtp:// or smtps://" : "http:// or https://");
    if (ch->type == CHAN_EMAIL && !ch->from)
        cf_error(ctx, n, "channel \"%s\": e-mail needs from (the sender's address)", ch->name ? ch->name : "?");
    if (!cf_language_ok(ch->language))
        cf_error(ctx, cf_find(ctx, n, "language"), "language: \"%s\" is not zh or en", ch->language);
    cf_check_tmpl(ctx, n, "title", ch->title, false);
    cf_check_tmpl(ctx, n, "body", ch->body, false);
    cf_check_tmpl(ctx, n, "line", ch->line, true);
}

static bool channel_applies(const void *obj, const char *key)
{
    const conf_channel *ch = obj;
    static const char *const mail_only[] = {"from", "to", "username", "password", "tls", "ca_file", NULL};
    for (size_t i = 0; mail_only[i]; i++)
        if (strcmp(key, mail_only[i]) == 0)
            return ch->type == CHAN_EMAIL;
    if (strcmp(key, "secret") == 0 || strcmp(key, "secret_file") == 0)
        return ch->type == CHAN_DINGTALK || ch->type == CHAN_FEISHU || ch->type == CHAN_WEBHOOK;
    if (strcmp(key, "headers") == 0)
        return ch->type == CHAN_WEBHOOK;
    return true;
}

static const cf_field channel_fields[] = {
    F(conf_channel, "name", CF_STR, name),
    F(conf_channel, "type", CF_ENUM, type, .names = chan_types),
    F(conf_channel, "url", CF_STR, url, .mask = 2),
    F(conf_channel, "secret", CF_STR, secret, .mask = 1),
    F(conf_channel, "secret_file", CF_STR, secret_file),
    F(conf_channel, "department", CF_STR, department),
    F(conf_channel, "language", CF_STR, language),
    F(conf_channel, "rate_limit", CF_INT, rate_limit, 0, 100000),
    F(conf_channel, "rate_window", CF_DURATION, rate_window_ms, 1000, DAY),
    F(conf_channel, "timeout", CF_DURATION, timeout_ms, 500, 300000),
    F(conf_channel, "mention", CF_BOOL, mention),
    F(conf_channel, "headers", CF_LABELS, headers),
    F(conf_channel, "title", CF_STR, title),
    F(conf_channel, "body", CF_STR, body),
    F(conf_channel, "line", CF_STR, line),
    F(conf_channel, "from", CF_STR, from),
    F(conf_channel, "to", CF_STRS, to),
    F(conf_channel, "username", CF_STR, username),
    F(conf_channel, "password", CF_STR, password, .mask = 1),
    F(conf_channel, "tls", CF_ENUM, tls, .names = smtp_tls_names),
    F(conf_channel, "ca_file", CF_STR, ca_file),
    F(conf_channel, "tls_verify", CF_BOOL, tls_verify),
    {0},
};
static const cf_section channel_section = {"notify.channels", sizeof(conf_channel), channel_fields, channel_init,
                                           channel_check, NULL, channel_applies};

static const cf_field level_fields[] = {
    F(conf_esc_level, "escalate_after", CF_DURATION, escalate_after_ms, 10000, 7 * DAY),
    F(conf_esc_level, "notify", CF_STRS, notify),
    F(conf_esc_level, "channels", CF_STRS, channels),
    {0},
};
static void level_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_esc_level *l = obj;
    if (!l->channels.n)
        cf_error(ctx, n, "an escalation level needs channels to tell its people through");
}
static void level_init(void *obj) { ((conf_esc_level *)obj)->escalate_after_ms = 600000; }
static const cf_section level_section = {"levels", sizeof(conf_esc_level), level_fields, level_init, level_check,
                                         NULL, NULL, true};

static void policy_init(void *obj)
{
    conf_policy *p = obj;
    p->announce_ack = true;
    p->announce_resolved = true;
}
static void policy_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_policy *p = obj;
    cf_check_name(ctx, p->name, n);
    if (!p->levels.n && !p->inform.n)
        cf_error(ctx, n, "policy \"%s\" needs levels (who is told, and after how long the next ones are)",
                 p->name ? p->name : "?");
}
static const cf_field policy_fields[] = {
    F(conf_policy, "name", CF_STR, name),
    F(conf_policy, "levels", CF_LIST, levels, .sub = &level_section),
    F(conf_policy, "repeat", CF_INT, repeat, 0, 100),
    F(conf_policy, "inform", CF_STRS, inform),
    F(conf_policy, "announce_ack", CF_BOOL, announce_ack),
    F(conf_policy, "announce_resolved", CF_BOOL, announce_resolved),
    {0},
};
static const cf_section policy_section = {"notify.policies", sizeof(conf_policy), policy_fields, policy_init,
                                          policy_check, NULL};

static void route_init(void *obj)
{
    conf_route *r = obj;
    r->group_wait_ms = r->group_interval_ms = -1;
}
static void route_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_route *r = obj;
    if (!r->policy)
        cf_error(ctx, n, "a route needs a policy");
    if (r->group_by.n > 8)
        cf_error(ctx, cf_find(ctx, n, "group_by"), "group_by: at most 8 fields");
}
static const cf_field route_fields[] = {
    F(conf_route, "match", CF_MATCH, match, .vcheck = notify_cond_check),
    F(conf_route, "policy", CF_STR, policy),
    F(conf_route, "group_by", CF_STRS, group_by),
    F(conf_route, "group_wait", CF_DURATION, group_wait_ms, 0, DAY),
    F(conf_route, "group_interval", CF_DURATION, group_interval_ms, 0, DAY),
    F(conf_route, "continue", CF_BOOL, cont),
    {0},
};
static const cf_section route_section = {"notify.routes", sizeof(conf_route), route_fields, route_init, route_check,
                                         NULL, NULL, true};

static void silence_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_silence *s = obj;
    cf_check_name(ctx, s->name, n);
    int32_t tz = LOG_TZ_LOCAL;
    if (s->timezone && !log_tz_parse(s->timezone, &tz))
        cf_error(ctx, cf_find(ctx, n, "timezone"), "timezone: \"%s\" is not local, UTC or an offset like +08:00",
                 s->timezone);
    s->tz_min = cf_zone_offset(tz);
    s->start_ms = s->end_ms = 0;
    s->from_min = s->to_min = -1;
    bool oneoff = s->start || s->end, recurring = s->from || s->to || s->days.n;
    if (oneoff == recurring) {
        cf_error(ctx, n, "silence \"%s\" needs either start and end (one-off) or from and to (every day, or on days)",
                 s->name ? s->name : "?");
        return;
    }
    if (oneoff) {
        int64_t a, b;
        if (!cf_wall_minutes(s->start, true, &a) || !cf_wall_minutes(s->end, true, &b) || b <= a)
            cf_error(ctx, n, "silence \"%s\": start and end are YYYY-MM-DDTHH:MM, start before end",
                     s->name ? s->name : "?");
        else {
            s->start_ms = (a - s->tz_min) * 60000;
            s->end_ms = (b - s->tz_min) * 60000;
        }
        return;
    }
    s->from_min = cf_hhmm(s->from);
    s->to_min = cf_hhmm(s->to);
    if (s->from_min < 0 || s->to_min < 0 || s->from_min == s->to_min)
        cf_error(ctx, n, "silence \"%s\": from and to are HH:MM (22:00 to 06:00 runs past midnight)",
                 s->name ? s->name : "?");
    static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    s->day_mask = s->days.n ? 0 : 0x7f;
    for (size_t i = 0; i < s->days.n; i++) {
        int d = -1;
        for (int k = 0; k < 7; k++)
            if (strcasecmp(s->days.v[i], days[k]) == 0)
                d = k;
        if (d < 0)
            cf_error(ctx, cf_find(ctx, n, "days"), "days: \"%s\" is not one of mon, tue, wed, thu, fri, sat, sun",
                     s->days.v[i]);
        else
            s->day_mask |= (uint8_t)(1u << d);
    }
}
static const cf_field silence_fields[] = {
    F(conf_silence, "name", CF_STR, name),
    F(conf_silence, "match", CF_MATCH, match, .vcheck = notify_cond_check),
    F(conf_silence, "start", CF_STR, start),
    F(conf_silence, "end", CF_STR, end),
    F(conf_silence, "days", CF_STRS, days),
    F(conf_silence, "from", CF_STR, from),
    F(conf_silence, "to", CF_STR, to),
    F(conf_silence, "timezone", CF_STR, timezone),
    F(conf_silence, "reason", CF_STR, reason),
    {0},
};
static const cf_section silence_section = {"notify.silences", sizeof(conf_silence), silence_fields, NULL,
                                           silence_check, NULL};

static void inhibit_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_inhibit *i = obj;
    if (!i->source.n || !i->target.n)
        cf_error(ctx, n, "an inhibition needs source and target conditions, e.g. source: {rule: host_down}");
}
static const cf_field inhibit_fields[] = {
    F(conf_inhibit, "source", CF_MATCH, source, .vcheck = notify_cond_check),
    F(conf_inhibit, "target", CF_MATCH, target, .vcheck = notify_cond_check),
    F(conf_inhibit, "equal", CF_STRS, equal),
    {0},
};
static const cf_section inhibit_section = {"notify.inhibit", sizeof(conf_inhibit), inhibit_fields, NULL,
                                           inhibit_check, NULL, NULL, true};

static const cf_field notify_fields[] = {
    F(conf, "enabled", CF_BOOL, notify.enabled),
    F(conf, "language", CF_STR, notify.language),
    F(conf, "group_wait", CF_DURATION, notify.group_wait_ms, 0, DAY),
    F(conf, "group_interval", CF_DURATION, notify.group_interval_ms, 0, DAY),
    F(conf, "retry_for", CF_DURATION, notify.retry_for_ms, 60000, 30 * DAY),
    F(conf, "console_url", CF_STR, notify.console_url),
    F(conf, "channels", CF_LIST, notify.channels, .sub = &channel_section),
    F(conf, "policies", CF_LIST, notify.policies, .sub = &policy_section),
    F(conf, "routes", CF_LIST, notify.routes, .sub = &route_section),
    F(conf, "silences", CF_LIST, notify.silences, .sub = &silence_section),
    F(conf, "inhibit", CF_LIST, notify.inhibit, .sub = &inhibit_section),
    {0},
};

static const cf_field console_fields[] = {
    F(conf, "timezone", CF_STR, console.timezone),
    {0},
};

static const cf_field period_fields[] = {
    F(conf, "name", CF_STR, period.name),
    F(conf, "start", CF_STR, period.start),
    F(conf, "end", CF_STR, period.end),
    {0},
};

/* Sub-sections of the top level share the top-level struct: their offsets are into `conf`. */
static const cf_section daemon_section = {"daemon", 0, daemon_fields, NULL, NULL, NULL};
static const cf_section http_section = {"http", 0, http_fields, NULL, NULL, NULL};
static const cf_section history_section = {"history", 0, history_fields, NULL, NULL, NULL};
static const cf_section events_section = {"events", 0, events_fields, NULL, NULL, NULL};
static const cf_section alerts_section = {"alerts", 0, alerts_fields, NULL, NULL, NULL};
static const cf_section host_section = {"host", 0, host_fields, NULL, NULL, NULL};
static const cf_section net_section = {"net", 0, net_fields, NULL, NULL, NULL};
static const cf_section logs_section = {"logs", 0, logs_fields, NULL, NULL, NULL};
static const cf_section period_section = {"period", 0, period_fields, NULL, NULL, NULL};
static const cf_section console_section = {"console", 0, console_fields, NULL, NULL, NULL};
static const cf_section notify_section = {"notify", 0, notify_fields, NULL, NULL, NULL};

static const cf_field top_fields[] = {
    {"daemon", CF_SECTION, 0, .sub = &daemon_section},
    {"http", CF_SECTION, 0, .sub = &http_section},
    {"history", CF_SECTION, 0, .sub = &history_section},
    {"events", CF_SECTION, 0, .sub = &events_section},
    {"alerts", CF_SECTION, 0, .sub = &alerts_section},
    {"host", CF_SECTION, 0, .sub = &host_section},
    {"net", CF_SECTION, 0, .sub = &net_section},
    {"logs", CF_SECTION, 0, .sub = &logs_section},
    {"intel", CF_SECTION, 0, .sub = &intel_section},
    {"duty", CF_SECTION, 0, .sub = &duty_section},
    {"period", CF_SECTION, 0, .sub = &period_section},
    {"console", CF_SECTION, 0, .sub = &console_section},
    {"notify", CF_SECTION, 0, .sub = &notify_section},
    F(conf, "departments", CF_LIST, departments, .sub = &dept_section),
    F(conf, "people", CF_LIST, people, .sub = &person_section),
    F(conf, "schedules", CF_LIST, schedules, .sub = &schedule_section),
    F(conf, "builtin_rules", CF_BOOL, builtin_rules),
    F(conf, "assets", CF_LIST, assets, .sub = &asset_section),
    F(conf, "checks", CF_LIST, checks, .sub = &check_section),
    F(conf, "rules", CF_LIST, rules, .sub = &rule_section),
    {0},
};
static const cf_section top_section = {"the top level", sizeof(conf), top_fields, NULL, conf_check_all, NULL};

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

static void conf_load_layer(const char *name, const char *data, size_t len, conf *c, conf_errors *errs,
                            bool user_layer)
{
    cf_ctx ctx = {name, NULL, errs, user_layer};
    if (!cf_prescan(&ctx, data, len))
        return;
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        fatal("cannot initialise the YAML parser");
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    if (!yaml_parser_load(&parser, &doc)) {
        yaml_mark_t m = parser.problem_mark;
        yaml_node_t at = {.start_mark = m};
        cf_error(&ctx, &at, "YAML syntax: %s%s%s", parser.problem ? parser.problem : "error",
                 parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return;
    }
    ctx.doc = &doc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root && !cf_is_null(root))
        cf_parse_section(&ctx, &top_section, c, root);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
}

/* Drops the built-in rules (those a user did not replace by name) for builtin_rules: false. */
static void conf_drop_builtin_rules(conf *c)
{
    size_t keep = 0;
    for (size_t i = 0; i < c->rules.n; i++) {
        conf_rule *r = CONF_AT(c->rules, conf_rule, i);
        if (r->builtin) {
            cf_free_section(&rule_section, r);
            continue;
        }
        memmove(CONF_AT(c->rules, conf_rule, keep), r, sizeof *r);
        keep++;
    }
    c->rules.n = keep;
    keep = 0;
    for (size_t i = 0; i < c->logs.rules.n; i++) {
        conf_log_rule *r = CONF_AT(c->logs.rules, conf_log_rule, i);
        if (r->builtin) {
            cf_free_section(&log_rule_section, r);
            continue;
        }
        memmove(CONF_AT(c->logs.rules, conf_log_rule, keep), r, sizeof *r);
        keep++;
    }
    c->logs.rules.n = keep;
}

kw_rc conf_load_buffer(const char *name, const char *data, size_t len, conf **out, conf_errors *errs)
{
    *out = NULL;
    conf *c = kw_calloc(1, sizeof *c);
    conf_load_layer("<built-in>", conf_default_yaml, strlen(conf_default_yaml), c, errs, false);
    if (errs->n)
        fatal("the built-in configuration is invalid: %s", errs->v[0]);
    for (size_t i = 0; i < c->rules.n; i++)
        CONF_AT(c->rules, conf_rule, i)->builtin = true;
    for (size_t i = 0; i < c->logs.rules.n; i++)
        CONF_AT(c->logs.rules, conf_log_rule, i)->builtin = true;
    if (data) {
        if (len > CONF_MAX_FILE) {
            cf_ctx ctx = {name, NULL, errs, true};
            cf_error(&ctx, NULL, "file is larger than 4 MiB");
        } else if (memchr(data, '\0', len)) {
            cf_ctx ctx = {name, NULL, errs, true};
            cf_error(&ctx, NULL, "file contains a NUL byte: not a YAML text file");
        } else {
            conf_load_layer(name, data, len, c, errs, true);
        }
        c->path = kw_strdup(name);
    }
    if (!c->builtin_rules)
        conf_drop_builtin_rules(c);
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
    cf_free_section(&top_section, c);
    free(c->path);
    free(c);
}

/* The item of a named list (its elements start with `name`) called name, or NULL. */
static const void *list_find(const conf_list *l, size_t size, const char *name)
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
    return list_find(&c->assets, sizeof(conf_asset), name);
}

const conf_person *conf_person_find(const conf *c, const char *name)
{
    return list_find(&c->people, sizeof(conf_person), name);
}

const conf_department *conf_department_find(const conf *c, const char *name)
{
    return list_find(&c->departments, sizeof(conf_department), name);
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
    case CF_ENUM: kw_buf_printf(b, " %s", f->names[*(const int *)p - f->base]); break;
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
    case CF_SECTION:
        kw_buf_putc(b, '\n');
        show_section(b, f->sub, obj, indent + 2, false);
        return;
    case CF_LIST: {
        const conf_list *l = (const conf_list *)p;
        if (!l->n) {
            kw_buf_puts(b, " []\n");
            return;
        }
        kw_buf_putc(b, '\n');
        for (size_t i = 0; i < l->n; i++) {
            kw_buf_printf(b, "%*s- ", indent + 2, "");
            show_section(b, f->sub, (const char *)l->items + i * f->sub->size, indent + 4, true);
        }
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
        if (sec->size && sec != &top_section &&
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
    for (const cf_field *f = top_section.fields; f->key; f++)
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
    show_section(&b, &top_section, c, 0, false);
    return kw_buf_take(&b);
}
