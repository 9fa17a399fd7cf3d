/* Internal to audit_app_*: the one directive model every application parser fills (key,
 * value, enclosing block, file:line), the parsers (pure functions over a buffer) and the
 * per-product check functions the engine (audit_app.c) calls. */
#ifndef KW_AUDIT_APP_INT_H
#define KW_AUDIT_APP_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "audit/audit.h"
#include "audit/audit_app.h"
#include "audit/audit_root.h"

#define APP_KV_MAX 20000u   /* directives kept per product */
#define APP_TEXT_MAX 1024u  /* a key, value or block path longer than this is cut */

/* One directive: key (nginx/apache/redis: lower-case name; ini: dashes as underscores),
 * val (its arguments as written, single-spaced, quotes removed), ctx (the enclosing blocks,
 * "http@3>server@10>location /x@14": name, arguments, @line of each), file (borrowed from
 * app_cf.files), line (1-based). */
typedef struct app_kv {
    char *key, *val, *ctx;
    const char *file;
    int line;
} app_kv;

typedef struct app_cf {
    app_kv *v;
    size_t n, cap;
    char *files[64];   /* the files read, owned */
    size_t nfiles;
    size_t unknown;    /* lines the parser could not read (kept counted, never fatal) */
    bool full;         /* APP_KV_MAX reached */
} app_cf;

/* Copies key/val/ctx (lengths kl, vl; ctx NUL-terminated or NULL) into a new directive. */
kw_rc app_cf_add(app_cf *c, const char *file, int line, const char *ctx, const char *key, size_t kl,
                 const char *val, size_t vl);
/* Records a file name (copied) and returns the stored copy, NULL when 64 are held. */
const char *app_cf_file(app_cf *c, const char *path);
void app_cf_free(app_cf *c);

/* The last directive named key (case-insensitive) whose ctx begins with ctx (NULL: any). */
const app_kv *app_cf_last(const app_cf *c, const char *key, const char *ctx);
/* Attribute name of an XML element's val (name="v" ...) into out; false when absent. */
bool app_attr(const char *val, const char *name, char *out, size_t n);
/* Case-insensitive word search: does s contain w not glued to other letters/digits? */
bool app_has_word(const char *s, const char *w);

/* The next logical line of b from *pos (advanced; *line counts lines read): trimmed, tabs
 * and NULs as spaces, cut to outn-1, joined with the following lines while it ends in '\'
 * when cont. Returns the 1-based number of its first line. */
size_t app_line(const char *b, size_t n, size_t *pos, int *line, bool cont, char *out, size_t outn);
/* Removes one pair of surrounding "..." or '...'. */
void app_unquote(char *s);
/* Adds "key rest" (s modified: key lower-cased when lower, rest unquoted). */
kw_rc app_add_split(app_cf *c, const char *file, int line, const char *ctx, char *s, bool lower);

/* Is tok one of the words of s (separated by any of seps), case-insensitive? */
bool app_has_token(const char *s, const char *tok, const char *seps);
/* The names of weak (NULL-terminated) found in v, space-separated into out: protocols as
 * words, ciphers as parts of the ':'-separated components not excluded with ! or -. */
void app_weak_list(const char *v, const char *const *weak, bool ciphers, char *out, size_t n);
/* Appends w to the list in out (bound n), after sep when out is not empty. */
void app_list_add(char *out, size_t n, const char *sep, const char *w);
/* The ctx of the directives inside block k. */
void app_inner(const app_kv *k, char *out, size_t n);

/* Parsers: each adds the directives of buf[0..n) (file name: file, borrowed, stored by the
 * caller with app_cf_file) to c; ctx0 is the block the text sits in (an include's). Never
 * fail on content: unreadable lines count in c->unknown. KW_ERR_NOMEM only. */
kw_rc app_nginx_parse(app_cf *c, const char *file, const char *buf, size_t n, const char *ctx0);
kw_rc app_apache_parse(app_cf *c, const char *file, const char *buf, size_t n, const char *ctx0);
kw_rc app_ini_parse(app_cf *c, const char *file, const char *buf, size_t n);
kw_rc app_pgconf_parse(app_cf *c, const char *file, const char *buf, size_t n);
kw_rc app_pghba_parse(app_cf *c, const char *file, const char *buf, size_t n);
kw_rc app_redis_parse(app_cf *c, const char *file, const char *buf, size_t n);
/* XML (server.xml, tomcat-users.xml, context.xml): one directive per element, key its name,
 * val its attributes (name="value" ...), ctx the parent elements. No network, no DTD, no
 * entity expansion. KW_ERR_PARSE when not well-formed XML. */
kw_rc app_xml_parse(app_cf *c, const char *file, const char *buf, size_t n);
kw_rc app_props_parse(app_cf *c, const char *file, const char *buf, size_t n);
/* YAML flattened to dotted keys (spring: datasource: url -> spring.datasource.url);
 * KW_ERR_PARSE when not YAML. */
kw_rc app_yaml_parse(app_cf *c, const char *file, const char *buf, size_t n);

/* What the checks of one run share. */
typedef struct app_run {
    const audit_app_opts *o;
    audit_emit emit;
    void *arg;
    audit_app_stats st;
    kw_rc rc;                 /* the first error from emit */
    bool sev_set;             /* the next result's severity is sev, not the catalogue's */
    finding_sev sev;
    bool hide;                /* the next result's text shows the key only (a password) */
    app_cf nginx, apache, mysql, pg, pghba, redis, tomcat, tusers, tctx, pool;
    bool have_nginx, have_apache, have_mysql, have_pg, have_pghba, have_redis, have_tomcat;
    char apache_mods[2048];   /* the .load names of mods-enabled, space-separated */
    int mysql_maxconn, pg_maxconn;       /* 0: unknown */
    char mysql_maxconn_at[300], pg_maxconn_at[300];
    int mysql_wait_timeout;               /* seconds, 0 unknown */
} app_run;

/* Emits one result of check id (from the catalogue: titles, severity, refs, fix, expected
 * unless exp is given). */
void app_emit(app_run *r, const char *id, audit_status st, const app_kv *at, const char *file,
              const char *found, const char *exp, const char *key);
/* A yes/1/on/true value (or the empty value of a bare flag such as skip-grant-tables). */
bool app_on(const char *v);

/* Every check of id as n/a with found = why. */
void app_na(app_run *r, const char *id, const char *why);
/* Every check of the group as n/a (the product is absent). */
void app_na_group(app_run *r, const char *group, const char *why);

/* Every product's checks in order (the databases before the pools, which read their limits). */
void app_checks(app_run *r);
void app_check_nginx(app_run *r);
void app_check_nginx_servers(app_run *r); /* per server: headers, status, redirect, alias */
void app_check_apache(app_run *r);
void app_check_mysql(app_run *r);
void app_check_pg(app_run *r);
void app_check_redis(app_run *r);
void app_check_tomcat(app_run *r);
void app_check_pool(app_run *r);

/* The catalogue rows (audit_app_cat.c). */
typedef struct app_cat {
    const char *id, *group, *en, *zh;
    finding_sev sev;
    const char *cis, *gb, *expected, *fix;
} app_cat;
const app_cat *app_cat_find(const char *id);
extern const app_cat app_cat_rows[];
extern const size_t app_cat_n;

#endif
