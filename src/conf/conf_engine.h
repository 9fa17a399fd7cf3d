/* The configuration engine's public face, for the files that declare sections (src/X/X_conf.c).
 *
 * A section is a table of cf_field rows (key, kind, offset, bounds) with optional hooks: init
 * (a list item's defaults), check (cross-field validation, right after the item or section is
 * parsed) and fini (frees what the rows do not describe). The engine (conf.c) parses, shows and
 * frees by these tables and reports FILE:LINE:COLUMN errors; it never calls into a subsystem.
 * The top level (which sections there are, in which order) is conf_top_section, defined
 * outside src/conf (src/daemon/daemon_conf.c). */
#ifndef CONF_ENGINE_H
#define CONF_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "conf/conf.h"
#include "core/kw_err.h"

typedef enum {
    CF_STR, CF_BOOL, CF_INT, CF_NUM, CF_DURATION, CF_SIZE, CF_ENUM,
    CF_STRS, CF_PORTS, CF_LABELS, CF_SECTION, CF_LIST, CF_COMMAND, CF_MATCH
} cf_kind;

struct cf_section;

/* Validates one condition "key: value" of a CF_MATCH field; on error `err` says why and *pos
 * is the byte in value (SIZE_MAX: the key is wrong). */
typedef kw_rc (*cf_cond_check)(const char *key, const char *value, char *err, size_t errn, size_t *pos);

typedef struct cf_field {
    const char *key;
    cf_kind kind;
    size_t off;
    double min, max;            /* CF_INT, CF_NUM, CF_DURATION (ms), CF_SIZE */
    const char *const *names;   /* CF_ENUM: names[i] has value i + base */
    int base;
    const struct cf_section *sub; /* CF_SECTION, CF_LIST */
    cf_cond_check vcheck;       /* CF_MATCH: each condition (NULL: any) */
    int mask;                   /* show: 1 hides the value (a secret), 2 all but the host of a URL (tokens),
                                   3 a URL's password */
    double dflt;                /* a list item's default (CF_BOOL, CF_INT, CF_NUM, CF_DURATION, CF_SIZE,
                                   CF_ENUM's stored value), set before it is read; 0 is no default
                                   (items start zeroed); NAN is one */
} cf_field;

typedef struct cf_ctx {
    const char *file;
    yaml_document_t *doc;
    conf_errors *errs;
    bool user_layer;            /* false while loading the built-in defaults */
} cf_ctx;

typedef struct cf_section {
    const char *name;
    size_t size;                /* of one list element (0: a section of its parent's struct) */
    const cf_field *fields;
    void (*init)(void *obj);    /* defaults of a list element beyond its fields' dflt */
    void (*check)(cf_ctx *ctx, void *obj, yaml_node_t *node); /* cross-field validation (a named
                                   list item's name is checked before) */
    void (*fini)(void *obj);    /* frees what the fields do not describe */
    bool (*applies)(const void *obj, const char *key); /* show: is this option meaningful here */
    bool unnamed;               /* list items without a `name` (never replaced by name) */
    const char *scalar_key;     /* a list item written as a scalar stands for {scalar_key: it} */
    size_t builtin;             /* offset of a bool marking items of the built-in layer (0: none);
                                   builtin_rules: false drops them */
    bool (*hidden)(const void *obj); /* show: leave this list item out (it is read from elsewhere,
                                   e.g. a file the configuration names); NULL: show every item */
} cf_section;

/* A row of a table: F(conf_check, "interval", CF_DURATION, interval_ms, 1000, CF_DAY). */
#define F(st, key, kind, member, ...) {key, kind, offsetof(st, member), __VA_ARGS__}
#define CF_DAY 86400000.0
#define CF_YEAR (366 * CF_DAY)

/* The top level, listing every section in order; defined outside src/conf. */
extern const cf_section conf_top_section;

/* low, medium, high, critical (an enum with .base = 1: kw_severity). */
extern const char *const cf_severity_names[];

/* ---- diagnostics: each is "FILE:LINE:COLUMN: message", at most 100 per load ---- */

/* At a node (NULL: line 1, column 1). */
void cf_error(cf_ctx *ctx, const yaml_node_t *node, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* At byte `off` inside a one-line plain or quoted scalar. */
void cf_error_in(cf_ctx *ctx, const yaml_node_t *node, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- the document (nodes stay the document's) ---- */

yaml_node_t *cf_node(cf_ctx *ctx, int id);
/* The value node of `key` in a mapping, or NULL. */
yaml_node_t *cf_find(cf_ctx *ctx, yaml_node_t *map, const char *key);
/* The value of `key` in map if there is one, else `map` itself: where to report about key. */
yaml_node_t *cf_find_or(cf_ctx *ctx, yaml_node_t *map, const char *key);
/* Item i of a sequence node, or the node itself if it is no sequence or too short. */
yaml_node_t *cf_item_or(cf_ctx *ctx, yaml_node_t *seq, size_t i);

/* ---- shared validators ---- */

/* "host:port" / "[v6]:port" (host: an IP address or localhost). */
bool cf_valid_listen(const char *s);
/* An IP address or a CIDR prefix. */
bool cf_valid_prefix(const char *s);
/* Reports a `name` that is not letters, digits, '_', '-' and '.' (at most 128). */
void cf_check_name(cf_ctx *ctx, const char *name, yaml_node_t *map);
/* "HH:MM" into minutes of the day; -1 if it is not one. */
int cf_hhmm(const char *s);
/* The fixed offset (minutes east of UTC) a zone stands for: tz itself, or for INT32_MIN
 * (LOG_TZ_LOCAL) the machine's offset now. */
int32_t cf_zone_offset(int32_t tz);
/* `days` (mon..sun) as a mask, bit 0 = Monday (empty: 0x7f, every day); reports unknown days
 * at the mapping n's "days". */
uint8_t cf_days_mask(cf_ctx *ctx, const conf_strs *days, yaml_node_t *n);
/* The item of a named list (its elements start with `name`) called name, or NULL. */
const void *cf_list_find(const conf_list *l, size_t size, const char *name);
/* Frees what a section's fields and fini hold in obj (not obj itself). */
void cf_free_section(const cf_section *sec, void *obj);

/* Called with a list item read by cf_list_load_text while its document is open, so that it can
 * report at the item's nodes (ctx names the text). */
typedef void (*cf_item_check)(cf_ctx *ctx, void *item, yaml_node_t *node, void *arg);

/* Reads `text` (len bytes, called `name` in its FILE:LINE:COLUMN errors) as ONE item of the
 * list l of named section sec: a YAML mapping, under the bounds of a configuration file (size,
 * depth, aliases, no NUL). The item gets its defaults and the section's hooks, then check (NULL:
 * none). Without new errors it is appended to l, or replaces the item of its name that is of
 * the built-in layer (any other item of its name is an error); l then owns it. user_layer is
 * ctx->user_layer for the hooks. KW_OK when it was added, else KW_ERR_PARSE with the errors in
 * errs (and nothing added). */
kw_rc cf_list_load_text(const cf_section *sec, conf_list *l, const char *name, const char *text, size_t len,
                        bool user_layer, conf_errors *errs, cf_item_check check, void *arg);

#endif
