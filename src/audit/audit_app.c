/* The application audit's engine: finds each product's configuration under the root (or
 * takes the files named), reads it through audit_root with its includes (globs resolved
 * inside the root, bounded depth and count), and runs the per-product checks. */
#include <dirent.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/audit_app_int.h"

#define INC_DEPTH 8
#define WALK_DEPTH 4
#define WALK_MAX 4000

typedef enum app_kind { K_NGINX, K_APACHE, K_MYSQL, K_PGCONF, K_PGHBA, K_REDIS, K_TOMCAT, K_TUSERS, K_TCTX, K_POOL, K_N } app_kind;

static const char *const kind_names[K_N] = {"nginx", "apache", "mysql", "pgconf", "pghba", "redis",
                                            "tomcat", "tomcat-users", "context", "pool"};

static app_cf *kind_cf(app_run *r, app_kind k)
{
    app_cf *t[K_N] = {&r->nginx, &r->apache, &r->mysql, &r->pg, &r->pghba, &r->redis,
                      &r->tomcat, &r->tusers, &r->tctx, &r->pool};
    return t[k];
}

static bool ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcasecmp(s + a - b, suf) == 0;
}

static kw_rc parse_kind(app_cf *c, app_kind k, const char *name, const kw_buf *b, const char *ctx)
{
    const char *d = kw_buf_cstr(b);
    switch (k) {
    case K_NGINX: return app_nginx_parse(c, name, d, b->len, ctx);
    case K_APACHE: return app_apache_parse(c, name, d, b->len, ctx);
    case K_MYSQL: return app_ini_parse(c, name, d, b->len);
    case K_PGCONF: return app_pgconf_parse(c, name, d, b->len);
    case K_PGHBA: return app_pghba_parse(c, name, d, b->len);
    case K_REDIS: return app_redis_parse(c, name, d, b->len);
    case K_POOL:
        if (ends_with(name, ".yml") || ends_with(name, ".yaml"))
            return app_yaml_parse(c, name, d, b->len);
        if (ends_with(name, ".xml"))
            return app_xml_parse(c, name, d, b->len);
        return app_props_parse(c, name, d, b->len);
    default: return app_xml_parse(c, name, d, b->len);
    }
}

static kw_rc load(const audit_root *root, app_run *r, app_kind k, const char *path, const char *ctx, int depth);

typedef struct glob_ctx {
    const audit_root *root;
    app_run *r;
    app_kind k;
    const char *dir, *pat, *ctx;
    int depth;
} glob_ctx;

static kw_rc glob_one(void *arg, const char *name, unsigned char type)
{
    glob_ctx *g = arg;
    (void)type;
    if (fnmatch(g->pat, name, FNM_PERIOD) != 0)
        return KW_OK;
    char p[4096];
    if ((size_t)snprintf(p, sizeof p, "%s/%s", g->dir, name) >= sizeof p)
        return KW_OK;
    kw_rc rc = load(g->root, g->r, g->k, p, g->ctx, g->depth);
    return rc == KW_ERR_NOMEM ? rc : KW_OK;
}

/* An include: relative paths against base; a pattern in the last component is matched in
 * its directory (name order); pat_dir: every file matching pat_dir in the directory. */
static kw_rc include(const audit_root *root, app_run *r, app_kind k, const char *base, const char *arg,
                     const char *pat_dir, const char *ctx, int depth)
{
    char p[4096];
    if ((size_t)snprintf(p, sizeof p, "%s%s%s", arg[0] == '/' ? "" : base, arg[0] == '/' ? "" : "/", arg) >= sizeof p)
        return KW_OK;
    size_t pl = strlen(p);
    while (pl > 1 && p[pl - 1] == '/')
        p[--pl] = '\0';
    char *slash = strrchr(p, '/');
    if (!pat_dir && !strpbrk(slash + 1, "*?[")) { /* a missing or unreadable include is skipped */
        kw_rc rc = load(root, r, k, p, ctx, depth);
        return rc == KW_ERR_NOMEM ? rc : KW_OK;
    }
    glob_ctx g = {root, r, k, p, pat_dir ? pat_dir : slash + 1, ctx, depth};
    if (!pat_dir) {
        g.pat = strdup(slash + 1);
        *slash = '\0';
        if (!g.pat)
            return KW_ERR_NOMEM;
    }
    kw_rc rc = audit_root_list(root, g.dir, 512, glob_one, &g, NULL);
    if (!pat_dir)
        free((char *)g.pat);
    return rc == KW_ERR_NOMEM ? rc : KW_OK;
}

static void dir_of(const char *path, char *out, size_t n)
{
    snprintf(out, n, "%s", path);
    char *s = strrchr(out, '/');
    if (s && s != out)
        *s = '\0';
}

/* The include directives among c->v[from..]: resolved in order. */
static kw_rc includes(const audit_root *root, app_run *r, app_kind k, const char *path, size_t from, int depth)
{
    app_cf *c = kind_cf(r, k);
    char base[4096];
    dir_of(path, base, sizeof base);
    if (k == K_NGINX || k == K_APACHE) { /* relative to the prefix / ServerRoot: the main file's directory */
        const app_kv *sr = k == K_APACHE ? app_cf_last(c, "serverroot", NULL) : NULL;
        if (sr && sr->val[0] == '/')
            snprintf(base, sizeof base, "%s", sr->val);
        else if (c->nfiles)
            dir_of(c->files[0], base, sizeof base);
    }
    for (size_t i = from; i < c->n && i < APP_KV_MAX; i++) {
        const char *key = c->v[i].key;
        char arg[APP_TEXT_MAX + 1], ctx[APP_TEXT_MAX + 1];
        snprintf(arg, sizeof arg, "%s", c->v[i].val);
        snprintf(ctx, sizeof ctx, "%s", c->v[i].ctx);
        kw_rc rc = KW_OK;
        if (!strcmp(key, "include") || !strcmp(key, "includeoptional") || !strcmp(key, "include_if_exists") ||
            !strcmp(key, "!include"))
            rc = include(root, r, k, base, arg, NULL, ctx, depth + 1);
        else if (!strcmp(key, "!includedir"))
            rc = include(root, r, k, base, arg, "*.cnf", ctx, depth + 1);
        else if (!strcmp(key, "include_dir"))
            rc = include(root, r, k, base, arg, "*.conf", ctx, depth + 1);
        if (rc != KW_OK)
            return rc;
    }
    return KW_OK;
}

static kw_rc load(const audit_root *root, app_run *r, app_kind k, const char *path, const char *ctx, int depth)
{
    app_cf *c = kind_cf(r, k);
    if (depth > INC_DEPTH)
        return KW_OK;
    kw_buf b;
    kw_rc rc = audit_root_read(root, path, AUDIT_FILE_MAX, &b);
    if (rc != KW_OK)
        return rc;
    const char *name = app_cf_file(c, path);
    if (!name) {
        kw_buf_free(&b);
        return KW_ERR_FULL;
    }
    r->st.files++;
    size_t from = c->n;
    rc = parse_kind(c, k, name, &b, ctx);
    kw_buf_free(&b);
    if (rc == KW_OK && k != K_POOL && k < K_TOMCAT)
        rc = includes(root, r, k, path, from, depth);
    return rc == KW_ERR_PARSE ? KW_OK : rc;
}

/* The first of the candidates that reads. */
static bool load_first(const audit_root *root, app_run *r, app_kind k, const char *const *cand)
{
    for (; *cand; cand++) {
        kw_rc rc = load(root, r, k, *cand, NULL, 0);
        if (rc == KW_OK)
            return true;
        if (rc == KW_ERR_NOMEM)
            return false;
    }
    return false;
}

typedef struct first_ctx { const char *pat; char name[256]; } first_ctx;

static kw_rc match_last(void *arg, const char *name, unsigned char type)
{
    first_ctx *f = arg;
    (void)type;
    if (fnmatch(f->pat, name, 0) == 0)
        snprintf(f->name, sizeof f->name, "%s", name);
    return KW_OK;
}

/* dir/<last entry matching pat>/rest into out; false when none. */
static bool glob_path(const audit_root *root, const char *dir, const char *pat, const char *rest, char *out, size_t n)
{
    first_ctx f = {pat, ""};
    if (audit_root_list(root, dir, 256, match_last, &f, NULL) != KW_OK || !f.name[0])
        return false;
    return (size_t)snprintf(out, n, "%s/%s%s", dir, f.name, rest) < n;
}

static void discover_pg(const audit_root *root, app_run *r)
{
    char conf[4096], hba[4096];
    if (glob_path(root, "/etc/postgresql", "[0-9]*", "/main/postgresql.conf", conf, sizeof conf)) {
        r->have_pg = load(root, r, K_PGCONF, conf, NULL, 0) == KW_OK;
        dir_of(conf, hba, sizeof hba);
        strncat(hba, "/pg_hba.conf", sizeof hba - strlen(hba) - 1);
    } else {
        r->have_pg = load(root, r, K_PGCONF, "/var/lib/pgsql/data/postgresql.conf", NULL, 0) == KW_OK;
        snprintf(hba, sizeof hba, "/var/lib/pgsql/data/pg_hba.conf");
    }
    const app_kv *h = app_cf_last(&r->pg, "hba_file", NULL);
    if (h && h->val[0] == '/')
        snprintf(hba, sizeof hba, "%s", h->val);
    if (r->have_pg)
        r->have_pghba = load(root, r, K_PGHBA, hba, NULL, 0) == KW_OK;
}

static void discover_tomcat(const audit_root *root, app_run *r)
{
    static const char *const dirs[][2] = {{"/opt", "tomcat*"}, {"/usr/share", "tomcat*"}, {"/etc", "tomcat*"}};
    char conf[4096], p[4200];
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0] && !r->have_tomcat; i++) {
        const char *rest = i == 2 ? "" : "/conf";
        if (!glob_path(root, dirs[i][0], dirs[i][1], rest, conf, sizeof conf))
            continue;
        snprintf(p, sizeof p, "%s/server.xml", conf);
        if (load(root, r, K_TOMCAT, p, NULL, 0) != KW_OK)
            continue;
        r->have_tomcat = true;
        snprintf(p, sizeof p, "%s/web.xml", conf);
        load(root, r, K_TOMCAT, p, NULL, 0);
        snprintf(p, sizeof p, "%s/tomcat-users.xml", conf);
        load(root, r, K_TUSERS, p, NULL, 0);
        char base[4096];
        dir_of(conf, base, sizeof base);
        static const char *const apps[] = {"manager", "host-manager"};
        for (size_t a = 0; a < 2; a++) {
            snprintf(p, sizeof p, "%s/webapps/%s/META-INF/context.xml", i == 2 ? "/var/lib/tomcat" : base, apps[a]);
            if (load(root, r, K_TCTX, p, apps[a], 0) == KW_OK)
                continue;
            snprintf(p, sizeof p, "%s/webapps/%s", i == 2 ? "/var/lib/tomcat" : base, apps[a]);
            struct stat st;
            if (audit_root_stat(root, p, true, &st) == KW_OK) /* deployed, no context.xml */
                app_cf_add(&r->tctx, NULL, 0, apps[a], "none", 4, "", 0);
        }
    }
}

static kw_rc list_mod(void *arg, const char *name, unsigned char type)
{
    app_run *r = arg;
    (void)type;
    size_t l = strlen(r->apache_mods);
    if (ends_with(name, ".load") && l + strlen(name) + 2 < sizeof r->apache_mods)
        snprintf(r->apache_mods + l, sizeof r->apache_mods - l, " %.*s", (int)(strlen(name) - 5), name);
    return KW_OK;
}

/* ---- pool settings: a bounded walk of the application directories ---- */

typedef struct walk_ctx {
    const audit_root *root;
    app_run *r;
    const char *dir;
    int depth;
    size_t seen;
} walk_ctx;

static bool pool_file(const char *name)
{
    if (!strncmp(name, "application", 11) || !strncmp(name, "bootstrap", 9))
        return ends_with(name, ".properties") || ends_with(name, ".yml") || ends_with(name, ".yaml");
    return ends_with(name, ".properties") || !strcmp(name, "context.xml");
}

static kw_rc walk_dir(const audit_root *root, app_run *r, const char *dir, int depth, size_t *seen);

static kw_rc walk_one(void *arg, const char *name, unsigned char type)
{
    walk_ctx *w = arg;
    char p[4096];
    if (++w->seen > WALK_MAX || (size_t)snprintf(p, sizeof p, "%s/%s", strcmp(w->dir, "/") ? w->dir : "", name) >= sizeof p)
        return KW_OK;
    if (type == DT_DIR && name[0] != '.' && w->depth < WALK_DEPTH)
        return walk_dir(w->root, w->r, p, w->depth + 1, &w->seen);
    if ((type == DT_REG || type == DT_UNKNOWN) && pool_file(name) && strcmp(name, "context.xml") != 0) {
        kw_rc rc = load(w->root, w->r, K_POOL, p, NULL, 0);
        return rc == KW_ERR_NOMEM ? rc : KW_OK;
    }
    if (type == DT_REG && !strcmp(name, "context.xml") && strstr(p, "/META-INF/")) {
        kw_rc rc = load(w->root, w->r, K_POOL, p, NULL, 0);
        return rc == KW_ERR_NOMEM ? rc : KW_OK;
    }
    return KW_OK;
}

static kw_rc walk_dir(const audit_root *root, app_run *r, const char *dir, int depth, size_t *seen)
{
    walk_ctx w = {root, r, dir, depth, *seen};
    kw_rc rc = audit_root_list(root, dir, 1024, walk_one, &w, NULL);
    *seen = w.seen;
    return rc == KW_ERR_NOMEM ? rc : KW_OK;
}

static kw_rc discover_pools(const audit_root *root, app_run *r)
{
    static const char *const defs[] = {"/opt", "/srv", "/var/lib/tomcat9/webapps", "/var/lib/tomcat10/webapps"};
    bool given = r->o->dirs && r->o->ndirs; /* an empty list is none given: the defaults */
    const char *const *d = given ? r->o->dirs : defs;
    size_t n = given ? r->o->ndirs : sizeof defs / sizeof defs[0];
    size_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        kw_rc rc = walk_dir(root, r, d[i], 0, &seen);
        if (rc != KW_OK)
            return rc;
    }
    return KW_OK;
}

static void discover(const audit_root *root, app_run *r)
{
    static const char *const ngx[] = {"/etc/nginx/nginx.conf", "/usr/local/nginx/conf/nginx.conf", NULL};
    static const char *const ap[] = {"/etc/apache2/apache2.conf", "/etc/httpd/conf/httpd.conf", NULL};
    static const char *const my[] = {"/etc/mysql/my.cnf", "/etc/my.cnf", NULL};
    static const char *const rd[] = {"/etc/redis/redis.conf", "/etc/redis.conf", NULL};
    r->have_nginx = load_first(root, r, K_NGINX, ngx);
    r->have_apache = load_first(root, r, K_APACHE, ap);
    if (r->have_apache)
        audit_root_list(root, "/etc/apache2/mods-enabled", 512, list_mod, r, NULL);
    r->have_mysql = load_first(root, r, K_MYSQL, my);
    discover_pg(root, r);
    r->have_redis = load_first(root, r, K_REDIS, rd);
    discover_tomcat(root, r);
}

static app_kind guess(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    if (strstr(b, "nginx"))
        return K_NGINX;
    if (strstr(b, "apache") || strstr(b, "httpd"))
        return K_APACHE;
    if (ends_with(b, ".cnf"))
        return K_MYSQL;
    if (!strcmp(b, "pg_hba.conf"))
        return K_PGHBA;
    if (!strcmp(b, "postgresql.conf"))
        return K_PGCONF;
    if (strstr(b, "redis"))
        return K_REDIS;
    if (!strcmp(b, "server.xml"))
        return K_TOMCAT;
    if (!strcmp(b, "tomcat-users.xml"))
        return K_TUSERS;
    if (!strcmp(b, "context.xml") && strstr(path, "/manager/"))
        return K_TCTX;
    return K_POOL;
}

static kw_rc explicit_files(const audit_root *root, app_run *r)
{
    for (size_t i = 0; i < r->o->nfiles; i++) {
        const char *f = r->o->files[i], *colon = strchr(f, ':');
        app_kind k = K_N;
        for (int j = 0; colon && j < K_N; j++)
            if ((size_t)(colon - f) == strlen(kind_names[j]) && !strncmp(f, kind_names[j], (size_t)(colon - f)))
                k = (app_kind)j;
        const char *path = k != K_N ? colon + 1 : f;
        if (k == K_N)
            k = guess(path);
        kw_rc rc = load(root, r, k, path, k == K_TCTX ? (strstr(path, "host-manager") ? "host-manager" : "manager") : NULL, 0);
        if (rc == KW_ERR_NOMEM)
            return rc;
        bool ok = rc == KW_OK;
        bool *have[K_N] = {&r->have_nginx, &r->have_apache, &r->have_mysql, &r->have_pg, &r->have_pghba,
                           &r->have_redis, &r->have_tomcat, NULL, NULL, NULL};
        if (have[k] && ok)
            *have[k] = true;
    }
    return KW_OK;
}

void app_checks(app_run *r)
{
    app_check_nginx(r);
    app_check_apache(r);
    app_check_mysql(r);
    app_check_pg(r); /* records max_connections before the pools */
    app_check_redis(r);
    app_check_tomcat(r);
    app_check_pool(r);
}

kw_rc audit_app_run(const audit_root *root, const audit_app_opts *o, audit_emit emit, void *arg, audit_app_stats *st)
{
    static const audit_app_opts none = {0};
    app_run *r = calloc(1, sizeof *r);
    if (!r)
        return KW_ERR_NOMEM;
    r->o = o ? o : &none;
    r->emit = emit;
    r->arg = arg;
    kw_rc rc = KW_OK;
    if (r->o->nfiles)
        rc = explicit_files(root, r);
    else {
        discover(root, r);
        rc = discover_pools(root, r);
    }
    if (rc == KW_OK) {
        app_checks(r);
        rc = r->rc;
    }
    if (st)
        *st = r->st;
    for (int k = 0; k < K_N; k++)
        app_cf_free(kind_cf(r, (app_kind)k));
    free(r);
    return rc;
}
