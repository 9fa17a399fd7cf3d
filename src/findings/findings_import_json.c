/* JSON for the report importers (Nuclei, Wapiti, ZAP): parsing one document with a message
 * that names where it broke, and reading strings out of objects whatever their JSON type. */
#include "findings/findings_import_int.h"

#include <string.h>

kw_rc fimp_json_parse(fimp_ctx *c, const char *buf, size_t n, size_t line, json_t **out)
{
    json_error_t e;
    *out = json_loadb(buf, n, 0, &e);
    if (*out)
        return KW_OK;
    return fimp_fail(c, "line %zu column %d: %s", line + (size_t)(e.line > 0 ? e.line - 1 : 0),
                     e.column, e.text);
}

const char *fimp_jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

const char *fimp_jtext(fimp_ctx *c, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        return fimp_printf(c, "%lld", (long long)json_integer_value(v));
    if (json_is_real(v))
        return fimp_printf(c, "%g", json_real_value(v));
    return NULL;
}

const char *fimp_jjoin(fimp_ctx *c, json_t *v, const char *sep)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (!json_is_array(v))
        return NULL;
    kw_buf b;
    kw_buf_init(&b, FINDING_EVIDENCE_MAX);
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
        const char *s = json_string_value(e);
        if (!s || !*s)
            continue;
        if (b.len)
            fimp_buf_add(&b, sep, FINDING_EVIDENCE_MAX);
        fimp_buf_add(&b, s, FINDING_EVIDENCE_MAX);
    }
    const char *r = b.len ? fimp_strndup(c, b.data, b.len) : NULL;
    kw_buf_free(&b);
    return r;
}
