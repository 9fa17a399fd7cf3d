/* The application audit's directive store (app_cf) and its lookups: adding a directive with
 * bounded copies, the last setting of a key, XML attribute and word searches. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/audit_app_int.h"

static char *dup_n(const char *s, size_t n)
{
    if (n > APP_TEXT_MAX)
        n = APP_TEXT_MAX;
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

kw_rc app_cf_add(app_cf *c, const char *file, int line, const char *ctx, const char *key, size_t kl,
                 const char *val, size_t vl)
{
    if (c->n >= APP_KV_MAX) {
        c->full = true;
        return KW_OK;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        app_kv *v = realloc(c->v, cap * sizeof *v);
        if (!v)
            return KW_ERR_NOMEM;
        c->v = v;
        c->cap = cap;
    }
    app_kv *k = &c->v[c->n];
    k->key = dup_n(key, kl);
    k->val = dup_n(val ? val : "", val ? vl : 0);
    k->ctx = dup_n(ctx ? ctx : "", ctx ? strlen(ctx) : 0);
    k->file = file;
    k->line = line;
    if (!k->key || !k->val || !k->ctx) {
        free(k->key);
        free(k->val);
        free(k->ctx);
        return KW_ERR_NOMEM;
    }
    c->n++;
    return KW_OK;
}

const char *app_cf_file(app_cf *c, const char *path)
{
    if (c->nfiles >= sizeof c->files / sizeof c->files[0])
        return NULL;
    char *d = strdup(path);
    if (!d)
        return NULL;
    c->files[c->nfiles++] = d;
    return d;
}

void app_cf_free(app_cf *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].key);
        free(c->v[i].val);
        free(c->v[i].ctx);
    }
    free(c->v);
    for (size_t i = 0; i < c->nfiles; i++)
        free(c->files[i]);
    memset(c, 0, sizeof *c);
}

const app_kv *app_cf_last(const app_cf *c, const char *key, const char *ctx)
{
    size_t cl = ctx ? strlen(ctx) : 0;
    for (size_t i = c->n; i-- > 0;)
        if (strcasecmp(c->v[i].key, key) == 0 && (!ctx || strncmp(c->v[i].ctx, ctx, cl) == 0))
            return &c->v[i];
    return NULL;
}

bool app_attr(const char *val, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    for (const char *p = val; (p = strstr(p, name)) != NULL; p += nl) {
        if ((p != val && p[-1] != ' ') || strncmp(p + nl, "=\"", 2) != 0)
            continue;
        const char *v = p + nl + 2, *e = strchr(v, '"');
        if (!e)
            return false;
        size_t l = (size_t)(e - v);
        if (n == 0)
            return true;
        if (l >= n)
            l = n - 1;
        memcpy(out, v, l);
        out[l] = '\0';
        return true;
    }
    return false;
}

static bool word_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_';
}

bool app_has_word(const char *s, const char *w)
{
    size_t wl = strlen(w);
    if (!wl)
        return false;
    for (const char *p = s; *p; p++)
        if (strncasecmp(p, w, wl) == 0 && (p == s || !word_char(p[-1])) && !word_char(p[wl]))
            return true;
    return false;
}

size_t app_line(const char *b, size_t n, size_t *pos, int *line, bool cont, char *out, size_t outn)
{
    size_t ol = 0;
    int first = *line;
    while (*pos < n) {
        size_t e = *pos;
        while (e < n && b[e] != '\n')
            e++;
        size_t s = *pos, t = e;
        *pos = e < n ? e + 1 : n;
        (*line)++;
        while (s < t && isspace((unsigned char)b[s]))
            s++;
        while (t > s && isspace((unsigned char)b[t - 1]))
            t--;
        bool more = cont && t > s && b[t - 1] == '\\' && b[s] != '#';
        if (more)
            t--;
        for (size_t i = s; i < t && ol + 1 < outn; i++)
            out[ol++] = b[i] == '\0' || b[i] == '\t' ? ' ' : b[i];
        if (!more)
            break;
    }
    out[ol < outn ? ol : outn - 1] = '\0';
    return (size_t)first + 1;
}

void app_unquote(char *s)
{
    size_t l = strlen(s);
    if (l >= 2 && (s[0] == '"' || s[0] == '\'') && s[l - 1] == s[0]) {
        memmove(s, s + 1, l - 2);
        s[l - 2] = '\0';
    }
}

kw_rc app_add_split(app_cf *c, const char *file, int line, const char *ctx, char *s, bool lower)
{
    size_t kl = strcspn(s, " \t");
    if (lower)
        for (size_t i = 0; i < kl; i++)
            s[i] = (char)tolower((unsigned char)s[i]);
    char *v = s + kl;
    while (*v == ' ' || *v == '\t')
        v++;
    app_unquote(v);
    return app_cf_add(c, file, line, ctx, s, kl, v, strlen(v));
}

void app_list_add(char *out, size_t n, const char *sep, const char *w)
{
    size_t l = strlen(out);
    if (l < n)
        snprintf(out + l, n - l, "%s%s", l ? sep : "", w);
}

/* The ctx of the directives inside block k. */
void app_inner(const app_kv *k, char *out, size_t n)
{
    snprintf(out, n, "%s%s%s%s%s@%d", k->ctx, k->ctx[0] ? ">" : "", k->key, k->val[0] ? " " : "", k->val, k->line);
}

bool app_has_token(const char *s, const char *tok, const char *seps)
{
    size_t tl = strlen(tok);
    for (const char *p = s; *p;) {
        size_t l = strcspn(p, seps);
        if (l == tl && strncasecmp(p, tok, tl) == 0)
            return true;
        p += l;
        p += strspn(p, seps);
    }
    return false;
}

/* The weak names listed in v into out (space-separated); for ciphers (sep ":") only the
 * components not excluded with ! or -. */
void app_weak_list(const char *v, const char *const *weak, bool ciphers, char *out, size_t n)
{
    out[0] = '\0';
    for (const char *const *w = weak; *w; w++) {
        bool hit = false;
        if (!ciphers)
            hit = app_has_token(v, *w, " ");
        for (const char *p = v; ciphers && *p && !hit;) {
            size_t l = strcspn(p, ": ,");
            char part[128];
            snprintf(part, sizeof part, "%.*s", (int)(l < 127 ? l : 127), p);
            if (part[0] != '!' && part[0] != '-' && strcasestr(part, *w))
                hit = true;
            p += l;
            p += strspn(p, ": ,");
        }
        if (hit) {
            app_list_add(out, n, " ", *w);
        }
    }
}
