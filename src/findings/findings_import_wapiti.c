/* Wapiti JSON (-f json) into findings: every entry of "vulnerabilities" and "anomalies" (a
 * category name -> a list of {method, path, info, level, parameter, http_request,
 * curl_command, wstg}), on the target that "infos" names; the category's "classifications"
 * entry gives the description, solution and references. Levels are Wapiti 3's: 0 info, 1 low,
 * 2 medium, 3 high, 4 critical. A cover for the target's host and port. No I/O. */
#include <string.h>

#include "findings/findings_import_int.h"

#define SCANNER "wapiti"

typedef struct wapiti_target {
    const char *url, *host, *ip; /* kept */
    int port;
    json_t *classes;
} wapiti_target;

static finding_sev level_sev(json_t *v)
{
    long lv = -1;
    if (json_is_integer(v))
        lv = (long)json_integer_value(v);
    else if (json_is_string(v) && !fimp_parse_int(json_string_value(v), 0, 4, &lv))
        lv = -1;
    return lv >= 0 && lv <= 4 ? (finding_sev)lv : FINDING_MEDIUM;
}

/* The classification's references: {"title": "url", ...} or a list of URLs. */
static const char *class_refs(fimp_ctx *c, json_t *ref)
{
    if (!json_is_object(ref))
        return fimp_jjoin(c, ref, " ");
    json_t *urls = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(ref, k, v) {
        if (json_is_string(v))
            json_array_append(urls, v);
    }
    const char *r = fimp_jjoin(c, urls, " ");
    json_decref(urls);
    return r;
}

/* The target URL joined with a path ("/search" or a full URL). */
static const char *full_url(fimp_ctx *c, const wapiti_target *t, const char *path)
{
    if (!path || strstr(path, "://") || !t->url)
        return path;
    size_t n = strlen(t->url);
    const char *scheme = strstr(t->url, "://");
    const char *slash = scheme ? strchr(scheme + 3, '/') : NULL;
    if (slash)
        n = (size_t)(slash - t->url);
    return fimp_printf(c, "%.*s%s%s", (int)n, t->url, *path == '/' ? "" : "/", path);
}

static kw_rc entry(fimp_ctx *c, const wapiti_target *t, const char *cat, json_t *e, bool anomaly)
{
    c->st->records++;
    if (!json_is_object(e))
        return fimp_fail(c, "%s \"%s\": an entry is not an object",
                         anomaly ? "anomalies" : "vulnerabilities", cat);
    json_t *cls = json_object_get(t->classes, cat);
    finding f = {.scanner = SCANNER, .score = -1, .host = t->host, .ip = t->ip, .port = t->port};
    f.transport = t->port ? "tcp" : NULL;
    f.vuln_id = fimp_printf(c, "WAPITI-%s", fimp_slug(c, cat));
    const char *info = fimp_jstr(e, "info"), *param = fimp_jstr(e, "parameter");
    f.title = info && *info ? fimp_cut(c, info, 512) : cat;
    f.severity = level_sev(json_object_get(e, "level"));
    f.url = full_url(c, t, fimp_jstr(e, "path"));
    f.parameter = param && *param ? param : NULL;
    f.description = fimp_jstr(cls, "desc");
    f.solution = fimp_jstr(cls, "sol");
    f.reference = class_refs(c, json_object_get(cls, "ref"));
    const char *req = fimp_jstr(e, "http_request"), *curl = fimp_jstr(e, "curl_command");
    f.evidence = fimp_cut(c, req && *req ? req : curl, FINDING_EVIDENCE_MAX);
    f.category = fimp_category(0, cat);
    return fimp_emit(c, &f);
}

static kw_rc section(fimp_ctx *c, const wapiti_target *t, json_t *root, const char *name)
{
    json_t *sec = json_object_get(root, name);
    if (!sec || json_is_null(sec))
        return KW_OK;
    if (!json_is_object(sec))
        return fimp_fail(c, "\"%s\" is not an object", name);
    const char *cat;
    json_t *list;
    json_object_foreach(sec, cat, list) {
        if (!json_is_array(list))
            return fimp_fail(c, "%s \"%s\" is not a list", name, cat);
        size_t i;
        json_t *e;
        json_array_foreach(list, i, e) {
            kw_rc rc = entry(c, t, cat, e, strcmp(name, "anomalies") == 0);
            if (rc != KW_OK)
                return rc;
        }
    }
    return KW_OK;
}

static kw_rc target(fimp_ctx *c, json_t *root, wapiti_target *t)
{
    json_t *infos = json_object_get(root, "infos");
    const char *url = fimp_jstr(infos, "target"), *host = NULL;
    if (!url || !fimp_url_host(c, url, &host, &t->port))
        return fimp_fail(c, "\"infos\".\"target\" is not a URL");
    t->url = fimp_keep(c, url);
    *(fimp_is_ip(host) ? &t->ip : &t->host) = fimp_keep(c, host);
    t->classes = json_object_get(root, "classifications");
    kw_arena_reset(&c->a);
    return KW_OK;
}

kw_rc fimp_wapiti(fimp_ctx *c, const char *buf, size_t n)
{
    json_t *root;
    kw_rc rc = fimp_json_parse(c, buf, n, 1, &root);
    if (rc != KW_OK)
        return rc;
    wapiti_target t = {0};
    if (!json_is_object(root))
        rc = fimp_fail(c, "the report is not a JSON object");
    else
        rc = target(c, root, &t);
    if (rc == KW_OK)
        rc = section(c, &t, root, "vulnerabilities");
    if (rc == KW_OK)
        rc = section(c, &t, root, "anomalies");
    if (rc == KW_OK) {
        /* the web application on the target's port: not the host's other ports */
        finding_cover cv = {.scanner = SCANNER, .host = t.host, .ip = t.ip,
                            .transport = t.port ? "tcp" : NULL, .port_lo = t.port,
                            .port_hi = t.port};
        rc = fimp_cover(c, &cv);
    }
    json_decref(root);
    return rc;
}
