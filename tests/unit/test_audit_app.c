/* The application audit (audit_app_*.c) over the checked-in roots tests/data/audit/app/weak
 * (every product with seeded problems) and hardened (the same files set right): statuses,
 * files, lines and found values of specific checks, n/a for absent products, the pool
 * arithmetic (1 instance passes, 4 fail), the catalogue, and the parsers on their own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_app.h"
#include "audit/audit_app_int.h"
#include "kw_test.h"

#define MAXR 400

typedef struct got {
    char id[64], file[256], found[400], expected[400], text[400], key[300];
    audit_status st;
    finding_sev sev;
    int line;
} got;

typedef struct coll { got r[MAXR]; size_t n; } coll;

/* audit_status_name lives in audit_out.c (the integrator's): a local copy for printing. */
static const char *st_name(audit_status s) { return s == AUDIT_PASS ? "pass" : s == AUDIT_FAIL ? "fail" : s == AUDIT_NA ? "n/a" : "note"; }

static void cp(char *d, size_t n, const char *s) { snprintf(d, n, "%s", s ? s : ""); }

static kw_rc collect(void *arg, const audit_res *res)
{
    coll *c = arg;
    if (!res->id || !res->title_en || !res->title_zh || strcmp(res->category, "app_config") != 0)
        return KW_ERR_PARSE;
    if (c->n >= MAXR)
        return KW_ERR_FULL;
    got *g = &c->r[c->n++];
    cp(g->id, sizeof g->id, res->id);
    cp(g->file, sizeof g->file, res->file);
    cp(g->found, sizeof g->found, res->found);
    cp(g->expected, sizeof g->expected, res->expected);
    cp(g->text, sizeof g->text, res->text);
    cp(g->key, sizeof g->key, res->key);
    g->st = res->status;
    g->sev = res->severity;
    g->line = res->line;
    if (getenv("KW_AUDIT_PRINT"))
        printf("%-28s %-5s %s:%d found=[%s] key=[%s]\n", g->id, st_name(g->st), g->file, g->line, g->found, g->key);
    return KW_OK;
}

/* The first result of id (with found containing sub when given). */
static const got *find(const coll *c, const char *id, const char *sub)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->r[i].id, id) && (!sub || strstr(c->r[i].found, sub) || strstr(c->r[i].key, sub)))
            return &c->r[i];
    return NULL;
}

static size_t count(const coll *c, const char *id, audit_status st)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++)
        n += !strcmp(c->r[i].id, id) && c->r[i].st == st;
    return n;
}

static coll *run_root(const char *name, int instances, audit_app_stats *st)
{
    char dir[512], err[256];
    snprintf(dir, sizeof dir, "%s/audit/app/%s", KW_TEST_DATA, name);
    audit_root r;
    coll *c = calloc(1, sizeof *c);
    if (!c || audit_root_open(&r, dir, err, sizeof err) != KW_OK) {
        fprintf(stderr, "cannot open %s: %s\n", dir, err);
        free(c);
        return NULL;
    }
    audit_app_opts o = {.instances = instances};
    kw_rc rc = audit_app_run(&r, &o, collect, c, st);
    audit_root_close(&r);
    CHECK_INT(rc, KW_OK);
    return c;
}

#define EXPECT(c, id, sub, st_, file_, line_)                          \
    do {                                                               \
        const got *g_ = find(c, id, sub);                              \
        CHECK(g_ != NULL);                                             \
        if (g_) {                                                      \
            CHECK_INT(g_->st, st_);                                    \
            if (file_)                                                 \
                CHECK_STR(g_->file, (const char *)(file_));            \
            if ((line_) >= 0)                                          \
                CHECK_INT(g_->line, line_);                            \
        }                                                              \
    } while (0)

#define NGX "/etc/nginx/nginx.conf"
#define SHOP "/etc/nginx/conf.d/shop.conf"
#define AP "/etc/apache2/apache2.conf"
#define MY "/etc/mysql/my.cnf"
#define PG "/etc/postgresql/15/main/postgresql.conf"
#define HBA "/etc/postgresql/15/main/pg_hba.conf"
#define RD "/etc/redis/redis.conf"
#define SX "/opt/tomcat/conf/server.xml"

static void weak_web(const coll *c)
{
    EXPECT(c, "KW-NGINX-SERVER-TOKENS", NULL, AUDIT_FAIL, NGX, 10);
    EXPECT(c, "KW-NGINX-AUTOINDEX", "/files", AUDIT_FAIL, SHOP, 17);
    EXPECT(c, "KW-NGINX-SSL-PROTOCOLS", NULL, AUDIT_FAIL, SHOP, 9);
    CHECK_CONTAINS(find(c, "KW-NGINX-SSL-PROTOCOLS", NULL)->found, "weak: TLSv1 TLSv1.1)");
    EXPECT(c, "KW-NGINX-SSL-CIPHERS", "RC4", AUDIT_FAIL, SHOP, 10);
    EXPECT(c, "KW-NGINX-WORKER-FDS", "2 descriptors", AUDIT_FAIL, NGX, 6);
    EXPECT(c, "KW-NGINX-UPSTREAM-KEEPALIVE", "used by proxy_pass", AUDIT_FAIL, SHOP, 1);
    EXPECT(c, "KW-NGINX-TIMEOUTS", "keepalive_timeout 300s", AUDIT_FAIL, NGX, 11);
    EXPECT(c, "KW-NGINX-CLIENT-MAX-BODY", NULL, AUDIT_FAIL, SHOP, 11);
    EXPECT(c, "KW-NGINX-RATE-LIMIT", NULL, AUDIT_FAIL, NGX, 0);
    EXPECT(c, "KW-NGINX-SECURITY-HEADERS", "Strict-Transport-Security", AUDIT_FAIL, SHOP, 5);
    EXPECT(c, "KW-NGINX-HTTP-REDIRECT", NULL, AUDIT_FAIL, SHOP, 27);
    EXPECT(c, "KW-NGINX-STATUS-OPEN", NULL, AUDIT_FAIL, SHOP, 23);
    EXPECT(c, "KW-NGINX-ALIAS-TRAVERSAL", "location /img without", AUDIT_FAIL, SHOP, 20);
    CHECK_INT(count(c, "KW-NGINX-AUTOINDEX", AUDIT_FAIL), 1);
    EXPECT(c, "KW-APACHE-SERVER-TOKENS", NULL, AUDIT_FAIL, AP, 6);
    EXPECT(c, "KW-APACHE-TRACE", NULL, AUDIT_FAIL, AP, 8);
    EXPECT(c, "KW-APACHE-INDEXES", NULL, AUDIT_FAIL, AP, 11);
    EXPECT(c, "KW-APACHE-SSL-PROTOCOL", "weak: TLSv1 TLSv1.1", AUDIT_FAIL, AP, 19);
    EXPECT(c, "KW-APACHE-SSL-CIPHERS", "RC4 MD5", AUDIT_FAIL, AP, 20);
    EXPECT(c, "KW-APACHE-STATUS-OPEN", NULL, AUDIT_FAIL, AP, 17);
    EXPECT(c, "KW-APACHE-TIMEOUT", "300", AUDIT_FAIL, AP, 3);
    EXPECT(c, "KW-APACHE-RISKY-MODULES", "userdir autoindex", AUDIT_FAIL, AP, 0);
    EXPECT(c, "KW-TOMCAT-SHUTDOWN-PORT", "default word", AUDIT_FAIL, SX, 3);
    EXPECT(c, "KW-TOMCAT-AJP", "secretRequired", AUDIT_FAIL, SX, 7); /* the commented-out one at 6 is not read */
    CHECK_INT(count(c, "KW-TOMCAT-AJP", AUDIT_FAIL), 1);
    CHECK_INT(find(c, "KW-TOMCAT-AJP", NULL)->sev, FINDING_CRITICAL);
    EXPECT(c, "KW-TOMCAT-MANAGER-EXPOSED", "no RemoteAddrValve", AUDIT_FAIL, "/opt/tomcat/webapps/manager/META-INF/context.xml", -1);
    EXPECT(c, "KW-TOMCAT-WEAK-USERS", "\"tomcat\"", AUDIT_FAIL, "/opt/tomcat/conf/tomcat-users.xml", 4);
    CHECK_INT(count(c, "KW-TOMCAT-WEAK-USERS", AUDIT_FAIL), 1); /* deploy's password is strong */
    CHECK(strstr(find(c, "KW-TOMCAT-WEAK-USERS", NULL)->text, "tomcat\" roles") == NULL); /* the password not in text */
    EXPECT(c, "KW-TOMCAT-AUTODEPLOY", NULL, AUDIT_FAIL, SX, 9);
    EXPECT(c, "KW-TOMCAT-LISTINGS", "true", AUDIT_FAIL, "/opt/tomcat/conf/web.xml", 13);
}

static void weak_db(const coll *c)
{
    EXPECT(c, "KW-MYSQL-BIND-ADDRESS", "0.0.0.0", AUDIT_FAIL, MY, 7);
    EXPECT(c, "KW-MYSQL-LOCAL-INFILE", NULL, AUDIT_FAIL, MY, 8);
    EXPECT(c, "KW-MYSQL-SKIP-GRANT-TABLES", NULL, AUDIT_FAIL, MY, 9);
    EXPECT(c, "KW-MYSQL-SECURE-FILE-PRIV", "empty", AUDIT_FAIL, MY, 10);
    EXPECT(c, "KW-MYSQL-MAX-CONNECTIONS", "151", AUDIT_PASS, MY, 12);
    EXPECT(c, "KW-MYSQL-GENERAL-LOG", NULL, AUDIT_FAIL, "/etc/mysql/conf.d/extra.cnf", 2); /* through !includedir */
    EXPECT(c, "KW-MYSQL-SQL-MODE", NULL, AUDIT_FAIL, "/etc/mysql/conf.d/extra.cnf", 3);
    EXPECT(c, "KW-PG-LISTEN", "*", AUDIT_FAIL, PG, 2);
    EXPECT(c, "KW-PG-HBA-TRUST", "local all postgres", AUDIT_FAIL, HBA, 2);
    CHECK_INT(find(c, "KW-PG-HBA-TRUST", "local")->sev, FINDING_HIGH);
    EXPECT(c, "KW-PG-HBA-TRUST", "0.0.0.0/0", AUDIT_FAIL, HBA, 4);
    CHECK_INT(find(c, "KW-PG-HBA-TRUST", "0.0.0.0/0")->sev, FINDING_CRITICAL);
    EXPECT(c, "KW-PG-HBA-MD5", NULL, AUDIT_FAIL, HBA, 3);
    EXPECT(c, "KW-PG-HBA-PASSWORD", NULL, AUDIT_FAIL, HBA, 5);
    EXPECT(c, "KW-PG-HBA-ANY", NULL, AUDIT_FAIL, HBA, 4);
    EXPECT(c, "KW-PG-SSL", NULL, AUDIT_FAIL, PG, 6);
    EXPECT(c, "KW-PG-PASSWORD-ENCRYPTION", NULL, AUDIT_FAIL, PG, 5);
    EXPECT(c, "KW-REDIS-EXPOSED", NULL, AUDIT_FAIL, RD, 3);
    EXPECT(c, "KW-REDIS-AUTH", "set (8 characters, weak)", AUDIT_FAIL, RD, 6);
    CHECK(strstr(find(c, "KW-REDIS-AUTH", NULL)->text, "foobared") == NULL);
    EXPECT(c, "KW-REDIS-RENAME-COMMANDS", "FLUSHDB CONFIG KEYS DEBUG SHUTDOWN", AUDIT_FAIL, RD, 0);
    EXPECT(c, "KW-REDIS-TIMEOUT", NULL, AUDIT_FAIL, RD, 5);
    EXPECT(c, "KW-REDIS-DEBUG-COMMAND", NULL, AUDIT_FAIL, RD, 8);
}

static void weak_pool(const coll *c)
{
    EXPECT(c, "KW-POOL-SIZE", "4 instances × 60 = 240", AUDIT_FAIL, "/opt/shop/application-prod.properties", 2);
    CHECK_CONTAINS(find(c, "KW-POOL-SIZE", NULL)->expected, "mysql max_connections 151, /etc/mysql/my.cnf:12");
    CHECK_CONTAINS(find(c, "KW-POOL-SIZE", NULL)->expected, "≤ 136");
    EXPECT(c, "KW-POOL-LIFETIME", "wait_timeout 28800", AUDIT_FAIL, "/opt/shop/application-prod.properties", 3);
    EXPECT(c, "KW-POOL-LEAK-DETECTION", NULL, AUDIT_FAIL, NULL, 0);
    EXPECT(c, "KW-POOL-TIMEOUT", "30000", AUDIT_PASS, NULL, -1);
    EXPECT(c, "KW-POOL-MIN-IDLE", NULL, AUDIT_NOTE, "/opt/shop/application.yml", 10);
    EXPECT(c, "KW-POOL-PLAINTEXT-PASSWORD", "set (8 characters)", AUDIT_FAIL, "/opt/shop/application.yml", 8);
    CHECK(strstr(find(c, "KW-POOL-PLAINTEXT-PASSWORD", NULL)->text, "s3cretPw") == NULL);
    CHECK(strstr(find(c, "KW-POOL-PLAINTEXT-PASSWORD", NULL)->found, "s3cretPw") == NULL);
}

static void weak_root(void)
{
    audit_app_stats st;
    coll *c = run_root("weak", 4, &st);
    CHECK(c != NULL);
    if (!c)
        return;
    weak_web(c);
    weak_db(c);
    weak_pool(c);
    CHECK_INT(st.files, 18); /* nginx 2, apache 1 + 3 .load, mysql 2, pg 2, redis 1, tomcat 4, pool 2 + the manager's context.xml */
    CHECK_INT(st.checks, c->n);
    CHECK_INT(st.pass + st.fail + st.na + (st.checks - st.pass - st.fail - st.na), st.checks);
    CHECK(st.fail >= 60);
    CHECK_INT(st.na, 0);
    free(c);
}

static void hardened_root(void)
{
    audit_app_stats st;
    coll *c = run_root("hardened", 4, &st);
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK_INT(st.fail, 0);
    for (size_t i = 0; i < c->n; i++)
        if (c->r[i].st == AUDIT_FAIL)
            fprintf(stderr, "  hardened fails %s at %s:%d: %s\n", c->r[i].id, c->r[i].file, c->r[i].line, c->r[i].found);
    CHECK(st.pass >= 60);
    EXPECT(c, "KW-POOL-SIZE", "4 instances × 60 = 240", AUDIT_PASS, NULL, -1);
    CHECK_CONTAINS(find(c, "KW-POOL-SIZE", NULL)->expected, "≤ 450 (mysql max_connections 500, /etc/mysql/my.cnf:13");
    EXPECT(c, "KW-NGINX-WORKER-FDS", "8192 descriptors", AUDIT_PASS, NGX, 4);
    EXPECT(c, "KW-MYSQL-SQL-MODE", NULL, AUDIT_PASS, "/etc/mysql/conf.d/extra.cnf", 2);
    EXPECT(c, "KW-TOMCAT-MANAGER-EXPOSED", NULL, AUDIT_PASS, NULL, -1);
    EXPECT(c, "KW-TOMCAT-LISTINGS", "false", AUDIT_PASS, "/opt/tomcat/conf/web.xml", 13);
    /* every catalogue id reported at least once, as pass or n/a */
    for (size_t i = 0; i < app_cat_n; i++)
        CHECK(find(c, app_cat_rows[i].id, NULL) != NULL);
    free(c);
}

static void pool_arithmetic(void)
{
    audit_app_stats st;
    coll *c = run_root("weak", 1, &st); /* one instance: 60 ≤ 136 */
    if (!c)
        return;
    EXPECT(c, "KW-POOL-SIZE", "1 instance × 60 = 60", AUDIT_PASS, NULL, -1);
    free(c);
    /* the application alone (its directory as the only root): the database is unknown */
    char dir[512], err[256];
    snprintf(dir, sizeof dir, "%s/audit/app/weak/opt", KW_TEST_DATA);
    audit_root r;
    CHECK_INT(audit_root_open(&r, dir, err, sizeof err), KW_OK);
    static const char *const dirs[] = {"/"};
    audit_app_opts o = {.dirs = dirs, .ndirs = 1, .instances = 4};
    c = calloc(1, sizeof *c);
    CHECK_INT(audit_app_run(&r, &o, collect, c, &st), KW_OK);
    EXPECT(c, "KW-POOL-SIZE", "max_connections is unknown", AUDIT_NA, NULL, -1);
    EXPECT(c, "KW-MYSQL-BIND-ADDRESS", "absent", AUDIT_NA, NULL, 0);
    EXPECT(c, "KW-NGINX-SERVER-TOKENS", "absent", AUDIT_NA, NULL, 0);
    EXPECT(c, "KW-PG-HBA-TRUST", "absent", AUDIT_NA, NULL, 0);
    EXPECT(c, "KW-REDIS-AUTH", "absent", AUDIT_NA, NULL, 0);
    EXPECT(c, "KW-TOMCAT-AJP", "absent", AUDIT_NA, NULL, 0);
    EXPECT(c, "KW-APACHE-TRACE", "absent", AUDIT_NA, NULL, 0);
    free(c);
    /* the database's limit given with the audit: 4 × 60 = 240 > 200 - 20 */
    o.db_max_connections = 200;
    c = calloc(1, sizeof *c);
    CHECK_INT(audit_app_run(&r, &o, collect, c, &st), KW_OK);
    EXPECT(c, "KW-POOL-SIZE", "240", AUDIT_FAIL, NULL, -1);
    CHECK_CONTAINS(find(c, "KW-POOL-SIZE", NULL)->expected, "≤ 180");
    free(c);
    audit_root_close(&r);
}

static void explicit_files(void)
{
    char dir[512], err[256];
    snprintf(dir, sizeof dir, "%s/audit/app/weak", KW_TEST_DATA);
    audit_root r;
    CHECK_INT(audit_root_open(&r, dir, err, sizeof err), KW_OK);
    static const char *const files[] = {"redis:/etc/redis/redis.conf", "/etc/postgresql/15/main/pg_hba.conf"};
    audit_app_opts o = {.files = files, .nfiles = 2};
    coll *c = calloc(1, sizeof *c);
    audit_app_stats st;
    CHECK_INT(audit_app_run(&r, &o, collect, c, &st), KW_OK);
    CHECK_INT(st.files, 2);
    EXPECT(c, "KW-REDIS-PROTECTED-MODE", NULL, AUDIT_FAIL, RD, 3);
    EXPECT(c, "KW-PG-HBA-MD5", NULL, AUDIT_FAIL, HBA, 3);
    EXPECT(c, "KW-NGINX-AUTOINDEX", NULL, AUDIT_NA, NULL, 0);
    free(c);
    audit_root_close(&r);
}

static kw_rc cat_row(void *arg, const audit_res *p)
{
    coll *c = arg;
    if (getenv("KW_AUDIT_PRINT"))
        printf("row %s\n", p->id);
    if (!p->id || !p->title_en[0] || !p->title_zh[0] || !p->fix || !p->fix[0] || !p->refs.gb || !p->expected)
        return KW_ERR_PARSE;
    if (strncmp(p->id, "KW-", 3) != 0 || strspn(p->id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != strlen(p->id))
        return KW_ERR_PARSE;
    if (find(c, p->id, NULL))
        return KW_ERR_RANGE; /* a duplicate id */
    return collect(arg, p);
}

static void catalogue(void)
{
    coll *c = calloc(1, sizeof *c);
    CHECK_INT(audit_app_each(cat_row, c), KW_OK);
    CHECK_INT(c->n, app_cat_n);
    CHECK(c->n >= 60);
    size_t with_cis = 0;
    for (size_t i = 0; i < app_cat_n; i++)
        with_cis += app_cat_rows[i].cis != NULL;
    CHECK(with_cis >= 20);
    free(c);
}

static void nginx_grammar(void)
{
    app_cf c = {0};
    const char *t = "http {\n  # comment ; {\n  server {\n    listen 443 ssl;\n    add_header X \"a; b{}\";\n"
                    "    location /x { alias '/y/' ; }\n  }\n}\nevents{worker_connections 10;}";
    CHECK_INT(app_nginx_parse(&c, "f", t, strlen(t), NULL), KW_OK);
    const app_kv *k = app_cf_last(&c, "add_header", NULL);
    CHECK(k != NULL);
    if (k) {
        CHECK_STR(k->val, "X a; b{}");
        CHECK_INT(k->line, 5);
        CHECK_STR(k->ctx, "http@1>server@3");
    }
    k = app_cf_last(&c, "alias", NULL);
    CHECK(k && !strcmp(k->val, "/y/") && !strcmp(k->ctx, "http@1>server@3>location /x@6") && k->line == 6);
    k = app_cf_last(&c, "worker_connections", "events");
    CHECK(k && k->line == 9 && !strcmp(k->val, "10"));
    CHECK_INT(c.unknown, 0);
    app_cf_free(&c);
    const char *bad = "a b } } c {";
    CHECK_INT(app_nginx_parse(&c, "f", bad, strlen(bad), NULL), KW_OK);
    CHECK(c.unknown >= 2);
    app_cf_free(&c);
}

static void other_grammars(void)
{
    app_cf c = {0};
    const char *y = "spring:\n  datasource:\n    url: jdbc:mysql://h/db\n    hikari:\n      maximum-pool-size: 60\n"
                    "  list: [a, b]\nother: 1\n";
    CHECK_INT(app_yaml_parse(&c, "y", y, strlen(y)), KW_OK);
    const app_kv *k = app_cf_last(&c, "spring.datasource.hikari.maximum-pool-size", NULL);
    CHECK(k && !strcmp(k->val, "60") && k->line == 5);
    CHECK(app_cf_last(&c, "spring.list", NULL) != NULL);
    k = app_cf_last(&c, "other", NULL);
    CHECK(k && !strcmp(k->val, "1") && k->line == 7);
    app_cf_free(&c);
    CHECK_INT(app_yaml_parse(&c, "y", "a: [", 4), KW_ERR_PARSE);
    app_cf_free(&c);

    const char *pr = "# c\n! c\na.b = 1\nc.d: two \\\n   three\ne f\n";
    CHECK_INT(app_props_parse(&c, "p", pr, strlen(pr)), KW_OK);
    k = app_cf_last(&c, "c.d", NULL);
    CHECK(k && !strcmp(k->val, "two three") && k->line == 4);
    k = app_cf_last(&c, "e", NULL);
    CHECK(k && !strcmp(k->val, "f") && k->line == 6);
    CHECK_INT(c.n, 3);
    app_cf_free(&c);

    const char *my = "[mysqld]\nbind-address = 10.0.0.1 # the LAN\nskip-name-resolve\n[client]\nbind-address=x\n";
    CHECK_INT(app_ini_parse(&c, "m", my, strlen(my)), KW_OK);
    k = app_cf_last(&c, "bind_address", "mysqld");
    CHECK(k && !strcmp(k->val, "10.0.0.1") && k->line == 2);
    CHECK(app_cf_last(&c, "skip_name_resolve", NULL) != NULL);
    app_cf_free(&c);

    const char *hba = "host all all 0.0.0.0 0.0.0.0 md5 # any\n";
    CHECK_INT(app_pghba_parse(&c, "h", hba, strlen(hba)), KW_OK);
    CHECK(c.n == 1 && !strcmp(c.v[0].key, "host") && !strcmp(c.v[0].val, "all all 0.0.0.0 0.0.0.0 md5"));
    app_cf_free(&c);
}

static void xml_hostile(void)
{
    app_cf c = {0};
    const char *x = "<?xml version=\"1.0\"?>\n<!DOCTYPE S [<!ENTITY e SYSTEM \"file:///etc/hostname\">]>\n"
                    "<Server port=\"1\" shutdown='a\"b'>&e;\n<Service><Connector port=\"8009\"/></Service></Server>";
    CHECK_INT(app_xml_parse(&c, "x", x, strlen(x)), KW_OK);
    const app_kv *k = app_cf_last(&c, "Server", "");
    char v[64] = "";
    CHECK(k && app_attr(k->val, "shutdown", v, sizeof v) && !strcmp(v, "a'b"));
    CHECK_INT(c.n, 3); /* the external entity is neither loaded nor expanded into elements */
    k = app_cf_last(&c, "Connector", NULL);
    CHECK(k && !strcmp(k->ctx, "Server>Service") && k->line == 4);
    app_cf_free(&c);
    /* an internal entity in an attribute is kept as a reference, never expanded (no billion laughs) */
    const char *lol = "<!DOCTYPE a [<!ENTITY l \"lol\"><!ENTITY l2 \"&l;&l;&l;&l;\">]><a v=\"&l2;\"/>";
    CHECK_INT(app_xml_parse(&c, "x", lol, strlen(lol)), KW_OK);
    CHECK(c.n == 1 && app_attr(c.v[0].val, "v", v, sizeof v));
    CHECK(strstr(v, "lollol") == NULL);
    app_cf_free(&c);
    CHECK_INT(app_xml_parse(&c, "x", "<a><b></a>", 10), KW_ERR_PARSE);
    app_cf_free(&c);
}

/* nginx.conf including itself and a glob of itself: bounded by depth and file count. */
static void include_loop(void)
{
    audit_app_stats st;
    coll *c = run_root("loop", 1, &st);
    if (!c)
        return;
    CHECK(st.files >= 9 && st.files <= 64);
    EXPECT(c, "KW-NGINX-SERVER-TOKENS", "off", AUDIT_PASS, NGX, 3);
    EXPECT(c, "KW-MYSQL-BIND-ADDRESS", "absent", AUDIT_NA, NULL, 0);
    free(c);
}

/* RHEL's httpd layout: includes relative to ServerRoot, modules by LoadModule. */
static void apache_rhel(void)
{
    audit_app_stats st;
    coll *c = run_root("rhel", 1, &st);
    if (!c)
        return;
    CHECK_INT(st.files, 3);
    EXPECT(c, "KW-APACHE-SERVER-TOKENS", "Prod", AUDIT_PASS, "/etc/httpd/conf/httpd.conf", 5);
    EXPECT(c, "KW-APACHE-RISKY-MODULES", "enabled: dav", AUDIT_FAIL, NULL, -1);
    EXPECT(c, "KW-APACHE-SSL-PROTOCOL", "weak: TLSv1.1", AUDIT_FAIL, "/etc/httpd/conf.d/ssl.conf", 2);
    free(c);
}

/* Druid, c3p0 and a DBCP2 Resource against PostgreSQL's 100 (less 10): 2 × 50 fits (90), the
 * others too; Druid without maxWait and removeAbandoned fails both, c3p0 passes them. */
static void other_pools(void)
{
    audit_app_stats st;
    coll *c = run_root("pools", 2, &st);
    if (!c)
        return;
    EXPECT(c, "KW-POOL-SIZE", "2 instances × 50 = 100", AUDIT_FAIL, "/opt/legacy/druid.properties", 5);
    CHECK_CONTAINS(find(c, "KW-POOL-SIZE", "× 50")->expected, "≤ 90 (postgresql max_connections 100");
    EXPECT(c, "KW-POOL-SIZE", "2 instances × 20 = 40", AUDIT_PASS, "/opt/batch/c3p0.properties", 3);
    EXPECT(c, "KW-POOL-SIZE", "2 instances × 40 = 80", AUDIT_PASS, "/srv/web/META-INF/context.xml", -1);
    CHECK_CONTAINS(find(c, "KW-POOL-SIZE", "× 40")->text, "password=\"***\" driverClassName");
    EXPECT(c, "KW-POOL-TIMEOUT", "maxwait -1 ms (default)", AUDIT_FAIL, NULL, -1);
    EXPECT(c, "KW-POOL-TIMEOUT", "checkouttimeout 5000", AUDIT_PASS, "/opt/batch/c3p0.properties", 4);
    EXPECT(c, "KW-POOL-TIMEOUT", "maxWaitMillis -1", AUDIT_FAIL, "/srv/web/META-INF/context.xml", -1);
    EXPECT(c, "KW-POOL-LEAK-DETECTION", "removeabandoned absent", AUDIT_FAIL, NULL, -1);
    EXPECT(c, "KW-POOL-LEAK-DETECTION", "unreturnedconnectiontimeout 600", AUDIT_PASS, NULL, -1);
    EXPECT(c, "KW-POOL-PLAINTEXT-PASSWORD", "druid.password", AUDIT_PASS, NULL, -1);
    EXPECT(c, "KW-POOL-PLAINTEXT-PASSWORD", "c3p0.password", AUDIT_FAIL, "/opt/batch/c3p0.properties", 7);
    EXPECT(c, "KW-POOL-PLAINTEXT-PASSWORD", "8 characters", AUDIT_FAIL, "/srv/web/META-INF/context.xml", -1);
    for (size_t i = 0; i < c->n; i++)
        CHECK(strstr(c->r[i].found, "webpass1") == NULL && strstr(c->r[i].text, "webpass1") == NULL &&
              strstr(c->r[i].text, "batchpass") == NULL);
    free(c);
}

int main(void)
{
    RUN(weak_root);
    RUN(hardened_root);
    RUN(pool_arithmetic);
    RUN(explicit_files);
    RUN(catalogue);
    RUN(nginx_grammar);
    RUN(other_grammars);
    RUN(xml_hostile);
    RUN(include_loop);
    RUN(apache_rhel);
    RUN(other_pools);
    TEST_MAIN_END();
}
