/* The request shapes an API description lists (web_openapi_parse, pure): OpenAPI 3 and Swagger 2
 * documents in JSON, as frameworks publish them (/openapi.json, /v3/api-docs, /swagger.json).
 * Each operation (get, post, put, patch, delete) of each path becomes a shape: its query
 * parameters, its path parameters filled with an example, and its body's top-level properties
 * (JSON, or form-encoded) with their examples, defaults or a value of their type. Local $refs
 * are followed a few levels; anything else is skipped. The document is hostile: bounded shapes,
 * bounded parameters, a clear error when it is not one. */
#include "scan/scan_web_int.h"
#include "scan/scan_web_html.h"

#include "core/kw_buf.h"
#include "core/kw_mem.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define REF_DEPTH 4

/* The object a local "$ref" ("#/components/schemas/X", "#/definitions/X") names, or v. */
static json_t *deref(json_t *root, json_t *v)
{
    for (int d = 0; d < REF_DEPTH && json_is_object(v); d++) {
        const char *ref = json_string_value(json_object_get(v, "$ref"));
        if (!ref || strncmp(ref, "#/", 2) != 0)
            return v;
        json_t *at = root;
        char part[256];
        for (const char *p = ref + 2; *p && at;) {
            size_t n = strcspn(p, "/");
            if (n >= sizeof part)
                return NULL;
            memcpy(part, p, n);
            part[n] = 0;
            at = json_object_get(at, part);
            p += n + (p[n] == '/');
        }
        v = at;
    }
    return v;
}

/* A value for a parameter or property: its example, default or first enum, else one of its type. */
static void value_of(json_t *root, json_t *schema, json_t *holder, char *out, size_t n)
{
    schema = deref(root, schema);
    json_t *pick = NULL;
    json_t *srcs[] = {holder, schema};
    for (size_t i = 0; i < 2 && !pick; i++) {
        if (!json_is_object(srcs[i]))
            continue;
        pick = json_object_get(srcs[i], "example");
        if (!pick)
            pick = json_object_get(srcs[i], "default");
        if (!pick && json_is_array(json_object_get(srcs[i], "enum")))
            pick = json_array_get(json_object_get(srcs[i], "enum"), 0);
    }
    if (json_is_string(pick)) {
        snprintf(out, n, "%s", json_string_value(pick));
        return;
    }
    if (json_is_integer(pick)) {
        snprintf(out, n, "%lld", (long long)json_integer_value(pick));
        return;
    }
    const char *type = json_string_value(json_object_get(schema, "type"));
    snprintf(out, n, "%s", type && (!strcmp(type, "integer") || !strcmp(type, "number")) ? "1"
                           : type && !strcmp(type, "boolean")                          ? "true"
                                                                                       : "keepwatch");
}

/* The properties of a body schema as parameters of place w. */
static void add_body(web_target *t, json_t *root, json_t *schema, web_where w)
{
    json_t *props = json_object_get(deref(root, schema), "properties");
    const char *k;
    json_t *v;
    json_object_foreach(props, k, v)
    {
        json_t *s = deref(root, v);
        const char *type = json_string_value(json_object_get(s, "type"));
        if (type && (!strcmp(type, "object") || !strcmp(type, "array")))
            continue; /* nested: only top-level fields are insertion points */
        char val[256];
        value_of(root, s, NULL, val, sizeof val);
        if (web_target_add(t, k, val, w, false) != KW_OK)
            return;
        if (w == WEB_IN_JSON && type && strcmp(type, "string") != 0)
            t->params[t->nparams - 1].raw = strcmp(type, "integer") == 0 || strcmp(type, "number") == 0 ||
                                           strcmp(type, "boolean") == 0;
    }
}

/* The path with its {name} parameters filled, into b. */
static void fill_path(kw_buf *b, json_t *root, const char *path, json_t *params)
{
    for (const char *p = path; *p;) {
        const char *open = strchr(p, '{'), *close = open ? strchr(open, '}') : NULL;
        if (!open || !close) {
            kw_buf_puts(b, p);
            return;
        }
        kw_buf_append(b, p, (size_t)(open - p));
        char val[128] = "1";
        size_t i;
        json_t *prm;
        json_array_foreach(params, i, prm)
        {
            prm = deref(root, prm);
            const char *name = json_string_value(json_object_get(prm, "name"));
            if (name && strlen(name) == (size_t)(close - open - 1) && !strncmp(name, open + 1, strlen(name)))
                value_of(root, json_object_get(prm, "schema") ? json_object_get(prm, "schema") : prm, prm, val,
                         sizeof val);
        }
        char enc[400];
        if (!web_pct_encode(val, enc, sizeof enc))
            snprintf(enc, sizeof enc, "1");
        kw_buf_puts(b, enc);
        p = close + 1;
    }
}

/* The API's base URL: OpenAPI 3's first server, Swagger 2's host and basePath, resolved
 * against the document's own URL; its path without a trailing slash. */
static void api_base(json_t *root, const char *doc_url, char *out, size_t n)
{
    const char *server = json_string_value(json_object_get(json_array_get(json_object_get(root, "servers"), 0), "url"));
    const char *base_path = json_string_value(json_object_get(root, "basePath"));
    char ref[WEB_URL_MAX];
    snprintf(ref, sizeof ref, "%s", server ? server : base_path ? base_path : "/");
    if (web_url_resolve(doc_url, ref, out, n) != KW_OK)
        snprintf(out, n, "%s", doc_url);
    size_t len = strlen(out);
    while (len > 0 && out[len - 1] == '/')
        out[--len] = 0;
}

kw_rc web_openapi_parse(const char *doc_url, const char *buf, size_t len, size_t max, web_target **out, size_t *n,
                        char *err, size_t errn)
{
    *out = NULL;
    *n = 0;
    json_error_t je;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    json_t *paths = json_object_get(root, "paths");
    if (!json_is_object(paths) || (!json_object_get(root, "openapi") && !json_object_get(root, "swagger"))) {
        snprintf(err, errn, "%s: not an OpenAPI or Swagger document%s%s", doc_url, root ? "" : ": ",
                 root ? "" : je.text);
        json_decref(root);
        return KW_ERR_PARSE;
    }
    static const char *const methods[] = {"get", "post", "put", "patch", "delete"};
    char base[WEB_URL_MAX];
    api_base(root, doc_url, base, sizeof base);
    size_t cap = 0;
    const char *path;
    json_t *item;
    json_object_foreach(paths, path, item)
    {
        for (size_t m = 0; m < sizeof methods / sizeof *methods && *n < max; m++) {
            json_t *op = json_object_get(item, methods[m]);
            if (!json_is_object(op))
                continue;
            json_t *params = json_array();
            json_array_extend(params, json_object_get(item, "parameters"));
            json_array_extend(params, json_object_get(op, "parameters"));
            kw_buf u;
            kw_buf_init(&u, WEB_URL_MAX - 1);
            kw_buf_puts(&u, base);
            fill_path(&u, root, path, params);
            web_target t = {.url = u.overflow ? NULL : kw_buf_take(&u), .found_on = kw_strdup(doc_url)};
            kw_buf_free(&u);
            char method[8];
            snprintf(method, sizeof method, "%s", methods[m]);
            for (char *c = method; *c; c++)
                *c = (char)(*c - 'a' + 'A');
            t.method = kw_strdup(method);
            size_t i;
            json_t *prm;
            json_array_foreach(params, i, prm)
            {
                prm = deref(root, prm);
                const char *in = json_string_value(json_object_get(prm, "in"));
                const char *name = json_string_value(json_object_get(prm, "name"));
                char val[256];
                if (!in || !name)
                    continue;
                if (!strcmp(in, "query") || !strcmp(in, "formData")) {
                    value_of(root, json_object_get(prm, "schema") ? json_object_get(prm, "schema") : prm, prm, val,
                             sizeof val);
                    (void)web_target_add(&t, name, val, !strcmp(in, "query") ? WEB_IN_QUERY : WEB_IN_FORM, false);
                } else if (!strcmp(in, "body")) {
                    add_body(&t, root, json_object_get(prm, "schema"), WEB_IN_JSON);
                }
            }
            json_t *content = json_object_get(deref(root, json_object_get(op, "requestBody")), "content");
            json_t *js = json_object_get(content, "application/json");
            json_t *fm = json_object_get(content, "application/x-www-form-urlencoded");
            if (js)
                add_body(&t, root, json_object_get(js, "schema"), WEB_IN_JSON);
            else if (fm)
                add_body(&t, root, json_object_get(fm, "schema"), WEB_IN_FORM);
            json_decref(params);
            if (!t.url || t.nparams == 0) {
                web_target_free(&t);
                continue;
            }
            kw_grow(out, &cap, *n + 1, sizeof **out);
            (*out)[(*n)++] = t;
        }
    }
    json_decref(root);
    return KW_OK;
}
