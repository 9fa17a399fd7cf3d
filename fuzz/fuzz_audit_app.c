/* libFuzzer target: the application audit's parsers (audit_app_nginx/apache/ini/pg/redis/
 * tomcat/pool.c) over any bytes; the first byte picks the parser (nginx, apache, ini, pgconf,
 * pg_hba, redis, tomcat xml, properties, yaml). Every directive must come out with its strings
 * bounded and a line inside the input; then the checks of the product run over them (results
 * must carry an id and titles). Seeds: the test roots' files (tests/data/audit/app),
 * one per parser, prefixed with their selector byte. KW_FUZZ_APP_KIND=0..8 in the environment
 * pins the parser (to give each one its own run). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_app_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

static size_t lines_of(const char *b, size_t n)
{
    size_t l = 1;
    for (size_t i = 0; i < n; i++)
        l += b[i] == '\n';
    return l;
}

static kw_rc sink(void *arg, const audit_res *r)
{
    (void)arg;
    if (!r->id || !r->title_en || !r->title_zh || !r->category)
        abort();
    return KW_OK;
}

/* The parsed directives as product kind's configuration; its checks run. */
static void run_checks(int kind, app_cf *c)
{
    static const audit_app_opts o = {.instances = 3, .db_max_connections = 100};
    app_run *r = calloc(1, sizeof *r);
    if (!r)
        return;
    r->o = &o;
    r->emit = sink;
    app_cf *slot[9] = {&r->nginx, &r->apache, &r->mysql, &r->pg, &r->pghba, &r->redis, &r->tomcat, &r->pool, &r->pool};
    *slot[kind] = *c;
    memset(c, 0, sizeof *c);
    bool *have[9] = {&r->have_nginx, &r->have_apache, &r->have_mysql, &r->have_pg, &r->have_pghba, &r->have_redis, &r->have_tomcat, NULL, NULL};
    if (have[kind]) /* as in a real run: a product is present when its file was read */
        *have[kind] = true;
    app_checks(r);
    app_cf_free(slot[kind]);
    free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
    if (n < 1)
        return 0;
    const char *b = (const char *)p + 1;
    size_t bl = n - 1;
    app_cf c;
    memset(&c, 0, sizeof c);
    const char *f = app_cf_file(&c, "/app/fuzz.conf");
    kw_rc rc;
    static int pinned = -2;
    if (pinned == -2) {
        const char *e = getenv("KW_FUZZ_APP_KIND");
        pinned = e ? atoi(e) % 9 : -1;
    }
    int kind = pinned >= 0 ? pinned : p[0] % 9;
    switch (kind) {
    case 0: rc = app_nginx_parse(&c, f, b, bl, NULL); break;
    case 1: rc = app_apache_parse(&c, f, b, bl, "VirtualHost *:80@1"); break;
    case 2: rc = app_ini_parse(&c, f, b, bl); break;
    case 3: rc = app_pgconf_parse(&c, f, b, bl); break;
    case 4: rc = app_pghba_parse(&c, f, b, bl); break;
    case 5: rc = app_redis_parse(&c, f, b, bl); break;
    case 6: rc = app_xml_parse(&c, f, b, bl); break;
    case 7: rc = app_props_parse(&c, f, b, bl); break;
    default: rc = app_yaml_parse(&c, f, b, bl); break;
    }
    if (rc != KW_OK && rc != KW_ERR_PARSE && rc != KW_ERR_NOMEM && rc != KW_ERR_RANGE)
        abort();
    size_t maxl = lines_of(b, bl);
    for (size_t i = 0; i < c.n; i++) {
        const app_kv *k = &c.v[i];
        if (!k->key || !k->val || !k->ctx || strlen(k->key) > APP_TEXT_MAX || strlen(k->val) > APP_TEXT_MAX ||
            strlen(k->ctx) > APP_TEXT_MAX || k->file != f)
            abort();
        if (k->line < 0 || (size_t)k->line > maxl)
            abort();
        char out[64];
        app_attr(k->val, "port", out, sizeof out);
        app_has_word(k->val, "on");
    }
    run_checks(kind, &c);
    app_cf_free(&c);
    return 0;
}
