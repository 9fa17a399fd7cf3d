/* The Apache httpd configuration grammar (pure, no I/O): one directive a line, '\'
 * continuations, # comments, <Section args> ... </Section> nesting (Directory, VirtualHost,
 * Location, IfModule ...) kept in each directive's ctx ("VirtualHost *:443@3>Directory
 * /var/www@7"). Include / IncludeOptional are kept as directives: the engine resolves them. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit_app_int.h"

#define AP_DEPTH 32

static void ctx_pop(char *ctx, size_t *lens, int *depth, app_cf *c)
{
    if (*depth == 0) {
        c->unknown++;
        return;
    }
    (*depth)--;
    if (*depth < AP_DEPTH)
        ctx[lens[*depth]] = '\0';
}

static kw_rc section_open(app_cf *c, const char *file, int ln, char *s, char *ctx, size_t ctxn, size_t *lens,
                          int *depth)
{
    size_t l = strlen(s);
    if (s[l - 1] != '>') {
        c->unknown++;
        return KW_OK;
    }
    s[l - 1] = '\0';
    kw_rc rc = app_add_split(c, file, ln, ctx, s + 1, true);
    if (rc != KW_OK)
        return rc;
    if (*depth < AP_DEPTH) {
        size_t cl = strlen(ctx);
        lens[*depth] = cl;
        const app_kv *k = &c->v[c->n - 1];
        snprintf(ctx + cl, ctxn - cl, "%s%s %s@%d", cl ? ">" : "", k->key, k->val, ln);
    }
    (*depth)++;
    return KW_OK;
}

kw_rc app_apache_parse(app_cf *c, const char *file, const char *b, size_t n, const char *ctx0)
{
    char s[APP_TEXT_MAX + 1], ctx[APP_TEXT_MAX + 1];
    size_t lens[AP_DEPTH];
    int depth = 0, line = 0;
    snprintf(ctx, sizeof ctx, "%s", ctx0 ? ctx0 : "");
    for (size_t pos = 0; pos < n;) {
        int ln = (int)app_line(b, n, &pos, &line, true, s, sizeof s);
        kw_rc rc = KW_OK;
        if (!s[0] || s[0] == '#')
            continue;
        if (s[0] == '<' && s[1] == '/')
            ctx_pop(ctx, lens, &depth, c);
        else if (s[0] == '<')
            rc = section_open(c, file, ln, s, ctx, sizeof ctx, lens, &depth);
        else
            rc = app_add_split(c, file, ln, ctx, s, true);
        if (rc != KW_OK)
            return rc;
    }
    if (depth)
        c->unknown++;
    return KW_OK;
}
