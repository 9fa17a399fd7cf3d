/* The nginx configuration grammar (pure, no I/O): words separated by blanks, "..." and '...'
 * quoting with backslash escapes, # comments, directives ended by ';', blocks by '{' '}'.
 * Each directive becomes an app_kv whose ctx names the enclosing blocks with their lines;
 * a block header is itself a directive (so `server`, `location /x` are found with their
 * lines). `include` is kept as a directive: the engine resolves it. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_app_int.h"

#define NGX_DEPTH 32

typedef struct ngx_st {
    app_cf *c;
    const char *file;
    char stmt[APP_TEXT_MAX + 1]; /* the words so far, single-spaced */
    size_t sl;
    int sline;                   /* line of the first word */
    char ctx[APP_TEXT_MAX + 1];
    size_t ctxl[NGX_DEPTH + 1];  /* ctx length at each depth */
    int depth;
} ngx_st;

static void word_add(ngx_st *s, const char *w, size_t n, int line)
{
    if (s->sl == 0)
        s->sline = line;
    else if (s->sl < APP_TEXT_MAX)
        s->stmt[s->sl++] = ' ';
    size_t room = APP_TEXT_MAX - s->sl;
    if (n > room)
        n = room;
    memcpy(s->stmt + s->sl, w, n);
    s->sl += n;
    s->stmt[s->sl] = '\0';
}

static kw_rc stmt_end(ngx_st *s, bool block)
{
    if (s->sl == 0) {
        if (block)
            s->c->unknown++;
        return KW_OK;
    }
    size_t kl = strcspn(s->stmt, " ");
    for (size_t i = 0; i < kl; i++)
        s->stmt[i] = (char)tolower((unsigned char)s->stmt[i]);
    const char *val = s->stmt + kl + (s->stmt[kl] == ' ');
    kw_rc rc = app_cf_add(s->c, s->file, s->sline, s->ctx, s->stmt, kl, val, strlen(val));
    if (rc == KW_OK && block) {
        if (s->depth < NGX_DEPTH) {
            size_t l = strlen(s->ctx);
            s->ctxl[s->depth] = l;
            snprintf(s->ctx + l, sizeof s->ctx - l, "%s%s@%d", l ? ">" : "", s->stmt, s->sline);
        }
        s->depth++;
    }
    s->sl = 0;
    s->stmt[0] = '\0';
    return rc;
}

static void block_close(ngx_st *s)
{
    if (s->sl) { /* words before '}' without ';' */
        s->c->unknown++;
        s->sl = 0;
    }
    if (s->depth == 0) {
        s->c->unknown++;
        return;
    }
    s->depth--;
    if (s->depth < NGX_DEPTH)
        s->ctx[s->ctxl[s->depth]] = '\0';
}

/* A quoted word from p (at the quote); returns the end (past the closing quote). */
static size_t quoted(const char *b, size_t n, size_t i, char *out, size_t *ol, int *line)
{
    char q = b[i++];
    *ol = 0;
    while (i < n && b[i] != q) {
        if (b[i] == '\\' && i + 1 < n)
            i++;
        if (b[i] == '\n')
            (*line)++;
        if (*ol < APP_TEXT_MAX)
            out[(*ol)++] = b[i];
        i++;
    }
    return i < n ? i + 1 : n;
}

static kw_rc ngx_run(ngx_st *s, const char *b, size_t n)
{
    char w[APP_TEXT_MAX + 1];
    int line = 1;
    size_t i = 0;
    while (i < n) {
        char ch = b[i];
        if (ch == '\n') {
            line++;
            i++;
        } else if (isspace((unsigned char)ch) || ch == '\0') {
            i++;
        } else if (ch == '#') {
            while (i < n && b[i] != '\n')
                i++;
        } else if (ch == ';' || ch == '{') {
            kw_rc rc = stmt_end(s, ch == '{');
            if (rc != KW_OK)
                return rc;
            i++;
        } else if (ch == '}') {
            block_close(s);
            i++;
        } else if (ch == '"' || ch == '\'') {
            size_t wl;
            int l0 = line;
            i = quoted(b, n, i, w, &wl, &line);
            word_add(s, w, wl, l0);
        } else {
            size_t st = i;
            while (i < n && !isspace((unsigned char)b[i]) && b[i] != ';' && b[i] != '{' && b[i] != '}' &&
                   b[i] != '\0' && !(b[i] == '#' && i == st))
                i++;
            word_add(s, b + st, i - st, line);
        }
    }
    if (s->sl || s->depth)
        s->c->unknown++;
    return KW_OK;
}

kw_rc app_nginx_parse(app_cf *c, const char *file, const char *b, size_t n, const char *ctx0)
{
    ngx_st *s = calloc(1, sizeof *s);
    if (!s)
        return KW_ERR_NOMEM;
    s->c = c;
    s->file = file;
    if (ctx0)
        snprintf(s->ctx, sizeof s->ctx, "%s", ctx0);
    kw_rc rc = ngx_run(s, b, n);
    free(s);
    return rc;
}
