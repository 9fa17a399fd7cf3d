/* Request shapes (web_target): made from a URL's query, a seed line or a form, keyed so that a
 * shape is tried once, and built into requests with one parameter changed (web_target_build):
 * percent-encoding for query and form values, JSON for JSON bodies, a Cookie header for
 * cookies, the last path segment for path parameters. And which URLs are logout links. */
#include "scan/scan_web_int.h"

#include "core/kw_buf.h"
#include "core/kw_mem.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

kw_rc web_target_add(web_target *t, const char *name, const char *value, web_where where, bool hidden)
{
    if (t->nparams >= WEB_PARAMS_MAX)
        return KW_ERR_FULL;
    t->params = kw_realloc(t->params, (t->nparams + 1) * sizeof *t->params);
    t->params[t->nparams++] = (web_param){kw_strdup(name), kw_strdup(value ? value : ""), where, hidden, false};
    return KW_OK;
}

void web_target_free(web_target *t)
{
    for (size_t i = 0; i < t->nparams; i++) {
        free(t->params[i].name);
        free(t->params[i].value);
    }
    free(t->params);
    free(t->method);
    free(t->url);
    free(t->found_on);
    *t = (web_target){0};
}

/* Decodes a percent-encoded query or form component s[n] ('+' is a space) into a new string. */
static char *pct_decode(const char *s, size_t n)
{
    char *out = kw_malloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2])) {
            char hx[3] = {s[i + 1], s[i + 2], 0};
            out[o++] = (char)strtol(hx, NULL, 16);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = 0;
    return out;
}

/* Adds the pairs of an encoded "a=1&b=2" list s[n] as parameters of place w. */
static void add_pairs(web_target *t, const char *s, size_t n, web_where w)
{
    const char *end = s + n;
    while (s < end) {
        const char *amp = memchr(s, '&', (size_t)(end - s));
        const char *e = amp ? amp : end;
        const char *eq = memchr(s, '=', (size_t)(e - s));
        if (e > s && (!eq || eq > s)) {
            char *name = pct_decode(s, (size_t)((eq ? eq : e) - s));
            char *value = eq ? pct_decode(eq + 1, (size_t)(e - eq - 1)) : kw_strdup("");
            (void)web_target_add(t, name, value, w, false);
            free(name);
            free(value);
        }
        s = e + 1;
    }
}

kw_rc web_target_from_url(const char *url, const char *found_on, web_target *out)
{
    *out = (web_target){0};
    size_t n = strcspn(url, "#");
    const char *q = memchr(url, '?', n);
    out->method = kw_strdup("GET");
    out->url = kw_strndup(url, q ? (size_t)(q - url) : n);
    out->found_on = kw_strdup_opt(found_on);
    if (q)
        add_pairs(out, q + 1, n - (size_t)(q + 1 - url), WEB_IN_QUERY);
    return KW_OK;
}

/* Adds the top-level fields of the JSON object text s as JSON parameters. */
static kw_rc add_json(web_target *t, const char *s, char *err, size_t errn)
{
    json_error_t je;
    json_t *root = json_loads(s, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(root)) {
        snprintf(err, errn, "the JSON body is not an object: %s", root ? "another value" : je.text);
        json_decref(root);
        return KW_ERR_PARSE;
    }
    const char *k;
    json_t *v;
    json_object_foreach(root, k, v)
    {
        if (json_is_string(v)) {
            (void)web_target_add(t, k, json_string_value(v), WEB_IN_JSON, false);
            continue;
        }
        char *raw = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (raw && web_target_add(t, k, raw, WEB_IN_JSON, false) == KW_OK)
            t->params[t->nparams - 1].raw = true;
        free(raw);
    }
    json_decref(root);
    return KW_OK;
}

kw_rc web_target_from_seed(const char *seed, web_target *out, char *err, size_t errn)
{
    *out = (web_target){0};
    while (*seed == ' ')
        seed++;
    size_t ml = strcspn(seed, " ");
    const char *u = seed + ml;
    while (*u == ' ')
        u++;
    size_t ul = strcspn(u, " ");
    if (ml == 0 || ml > 10 || ul == 0 || (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)) {
        snprintf(err, errn, "a seed is METHOD URL [BODY]: \"%.80s\"", seed);
        return KW_ERR_PARSE;
    }
    char *url = kw_strndup(u, ul);
    web_target_from_url(url, NULL, out);
    free(url);
    free(out->method);
    out->method = kw_strndup(seed, ml);
    for (char *p = out->method; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    const char *body = u + ul;
    while (*body == ' ')
        body++;
    if (*body == '{' || *body == '[')
        return add_json(out, body, err, errn);
    if (*body)
        add_pairs(out, body, strlen(body), WEB_IN_FORM);
    return KW_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *web_target_key(const web_target *t)
{
    char *names[WEB_PARAMS_MAX];
    kw_buf b;
    kw_buf_init(&b, 2 * WEB_URL_MAX);
    for (size_t i = 0; i < t->nparams; i++) {
        size_t n = strlen(t->params[i].name) + 3;
        names[i] = kw_malloc(n);
        snprintf(names[i], n, "%c:%s", '0' + (int)t->params[i].where, t->params[i].name);
    }
    qsort(names, t->nparams, sizeof *names, cmp_str);
    kw_buf_printf(&b, "%s %s", t->method, t->url);
    for (size_t i = 0; i < t->nparams; i++) {
        kw_buf_printf(&b, "\x1f%s", names[i]);
        free(names[i]);
    }
    return kw_buf_take(&b);
}

/* Appends the encoded value v to b; false when it does not fit. */
static bool put_pct(kw_buf *b, const char *v)
{
    size_t cap = strlen(v) * 3 + 1;
    char *enc = kw_malloc(cap);
    bool ok = web_pct_encode(v, enc, cap) && kw_buf_puts(b, enc) == KW_OK;
    free(enc);
    return ok;
}

/* A cookie value as servers read it: raw (they rarely decode it), but for what would end it or
 * the header (';', line breaks, NUL: percent-encoded). */
static void put_cookie(kw_buf *b, const char *v)
{
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p == ';' || *p < 0x20 || *p == 0x7f)
            kw_buf_printf(b, "%%%02X", *p);
        else
            kw_buf_putc(b, (char)*p);
}

/* The value parameter k takes in the request changing parameter i (NULL i: none). */
static char *value_of(const web_target *t, size_t k, size_t i, const char *payload, web_mut mode)
{
    const web_param *p = &t->params[k];
    if (k != i)
        return kw_strdup(p->value);
    if (mode == WEB_MUT_REPLACE)
        return kw_strdup(payload);
    size_t n = strlen(p->value) + strlen(payload) + 1;
    char *v = kw_malloc(n);
    snprintf(v, n, "%s%s", p->value, payload);
    return v;
}

/* The pairs of place w as "a=1&b=2" into b. */
static bool put_pairs(kw_buf *b, const web_target *t, web_where w, size_t i, const char *payload, web_mut mode)
{
    bool first = true, ok = true;
    for (size_t k = 0; k < t->nparams && ok; k++) {
        if (t->params[k].where != w)
            continue;
        char *v = value_of(t, k, i, payload, mode);
        ok = (first || kw_buf_putc(b, '&') == KW_OK) && put_pct(b, t->params[k].name) &&
             kw_buf_putc(b, '=') == KW_OK && put_pct(b, v);
        free(v);
        first = false;
    }
    return ok && !b->overflow;
}

static bool has_place(const web_target *t, web_where w)
{
    for (size_t k = 0; k < t->nparams; k++)
        if (t->params[k].where == w)
            return true;
    return false;
}

static char *json_body(const web_target *t, size_t i, const char *payload, web_mut mode)
{
    json_t *o = json_object();
    for (size_t k = 0; k < t->nparams; k++) {
        const web_param *p = &t->params[k];
        if (p->where != WEB_IN_JSON)
            continue;
        json_t *v = NULL;
        if (p->raw && k != i)
            v = json_loads(p->value, JSON_DECODE_ANY, NULL);
        if (!v) {
            char *s = value_of(t, k, i, payload, mode);
            v = json_string(s);   /* NULL for invalid UTF-8: the field is left out */
            free(s);
        }
        if (v)
            json_object_set_new(o, p->name, v);
    }
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

/* The URL with the path parameter (its last segment) set, into b. */
static bool put_url(kw_buf *b, const web_target *t, size_t i, const char *payload, web_mut mode)
{
    for (size_t k = 0; k < t->nparams; k++) {
        if (t->params[k].where != WEB_IN_PATH)
            continue;
        const char *slash = strrchr(t->url, '/');
        if (!slash)
            break;
        char *v = value_of(t, k, i, payload, mode);
        bool ok = kw_buf_append(b, t->url, (size_t)(slash + 1 - t->url)) == KW_OK && put_pct(b, v);
        free(v);
        return ok;
    }
    return kw_buf_puts(b, t->url) == KW_OK;
}

kw_rc web_target_build(const web_target *t, size_t i, const char *payload, web_mut mode, web_built *out)
{
    *out = (web_built){0};
    if (i != (size_t)-1 && (i >= t->nparams || !payload))
        return KW_ERR_RANGE;
    kw_buf u;
    kw_buf_init(&u, WEB_URL_MAX - 1);
    bool ok = put_url(&u, t, i, payload, mode);
    if (ok && has_place(t, WEB_IN_QUERY))
        ok = kw_buf_putc(&u, '?') == KW_OK && put_pairs(&u, t, WEB_IN_QUERY, i, payload, mode);
    if (!ok || u.overflow) {
        kw_buf_free(&u);
        return KW_ERR_RANGE;
    }
    out->url = kw_buf_take(&u);
    out->rq = (web_request){.method = t->method, .url = out->url, .no_session = t->no_session};
    if (has_place(t, WEB_IN_JSON)) {
        out->body = json_body(t, i, payload, mode);
        out->rq.content_type = "application/json";
    } else if (has_place(t, WEB_IN_FORM) || strcmp(t->method, "POST") == 0) {
        kw_buf b;
        kw_buf_init(&b, WEB_BODY_MAX);
        if (!put_pairs(&b, t, WEB_IN_FORM, i, payload, mode)) {
            kw_buf_free(&b);
            web_built_free(out);
            return KW_ERR_RANGE;
        }
        out->body = kw_buf_take(&b);
        if (!out->body)
            out->body = kw_strdup("");
        out->rq.content_type = "application/x-www-form-urlencoded";
    }
    if (out->body) {
        out->rq.body = out->body;
        out->rq.body_len = strlen(out->body);
    }
    if (has_place(t, WEB_IN_COOKIE)) {
        kw_buf c;
        kw_buf_init(&c, WEB_URL_MAX);
        kw_buf_puts(&c, "Cookie: ");
        bool first = true;
        for (size_t k = 0; k < t->nparams; k++) {
            if (t->params[k].where != WEB_IN_COOKIE)
                continue;
            char *v = value_of(t, k, i, payload, mode);
            kw_buf_printf(&c, "%s%s=", first ? "" : "; ", t->params[k].name);
            put_cookie(&c, v);
            free(v);
            first = false;
        }
        out->cookie_header = kw_buf_take(&c);
        out->rq.no_session = true; /* these cookies stand for the jar's: only they are sent */
        out->hdrs[0] = out->cookie_header;
        out->rq.headers = out->hdrs;
        out->rq.nheaders = 1;
    }
    return KW_OK;
}

void web_built_free(web_built *b)
{
    free(b->url);
    free(b->body);
    free(b->cookie_header);
    *b = (web_built){0};
}

bool web_is_logout(const char *url)
{
    static const char *const words[] = {"logout", "logoff", "log-out", "log_out", "signout",
                                        "sign-out", "sign_out", "signoff", "sign-off"};
    const char *path = strstr(url, "://");
    path = path ? strchr(path + 3, '/') : NULL;
    if (!path)
        return false;
    size_t n = strcspn(path, "#");
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (web_find(path, n, words[i]) != (size_t)-1)
            return true;
    return false;
}
