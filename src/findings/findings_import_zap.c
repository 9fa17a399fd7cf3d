/* ZAP's "traditional-json" report into findings: site[].alerts[], one finding per instance
 * (uri, method, param, attack, evidence), rated by riskcode (0 info .. 3 high); alerts of
 * confidence 0 (false positive) are skipped. The HTML ZAP puts in desc, solution and reference
 * is turned into text. A cover per site (its host and port). No I/O. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "findings/findings_import_int.h"

#define SCANNER "zap"

typedef struct zap_site {
    const char *name, *host; /* borrowed from the document */
    int port;
} zap_site;

/* s without its tags ("<p>a</p><p>b</p>" -> "a b" when sep is " "), with &lt; &gt; &amp;
 * &quot; &#39; decoded. */
static const char *untag(fimp_ctx *c, const char *s, const char *sep)
{
    if (!s)
        return NULL;
    kw_buf b;
    kw_buf_init(&b, FINDING_EVIDENCE_MAX);
    static const struct {
        const char *ent, *ch;
    } ents[] = {{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}, {"&quot;", "\""}, {"&#39;", "'"}};
    for (const char *p = s; *p;) {
        if (*p == '<') {
            const char *gt = strchr(p, '>');
            if (!gt)
                break;
            if (b.len && strncasecmp(p, "</p", 3) == 0)
                fimp_buf_add(&b, sep, FINDING_EVIDENCE_MAX);
            p = gt + 1;
            continue;
        }
        size_t i = 0, k = sizeof ents / sizeof ents[0];
        for (; *p == '&' && i < k; i++)
            if (strncmp(p, ents[i].ent, strlen(ents[i].ent)) == 0)
                break;
        if (*p == '&' && i < k) {
            fimp_buf_add(&b, ents[i].ch, FINDING_EVIDENCE_MAX);
            p += strlen(ents[i].ent);
        } else {
            kw_buf_append(&b, p++, b.len < FINDING_EVIDENCE_MAX ? 1 : 0);
        }
    }
    const char *r = fimp_trim(c, kw_buf_cstr(&b));
    kw_buf_free(&b);
    return r && *r ? r : NULL;
}

static finding_sev risk_sev(fimp_ctx *c, json_t *alert)
{
    long v;
    if (!fimp_parse_int(fimp_jtext(c, alert, "riskcode"), 0, 3, &v))
        return FINDING_MEDIUM;
    return (finding_sev)v;
}

static const char *evidence(fimp_ctx *c, json_t *inst)
{
    const char *method = fimp_jstr(inst, "method"), *attack = fimp_jstr(inst, "attack");
    const char *ev = fimp_jstr(inst, "evidence"), *other = fimp_jstr(inst, "otherinfo");
    kw_buf b;
    kw_buf_init(&b, FINDING_EVIDENCE_MAX);
    const char *parts[][2] = {{"method: ", method}, {"attack: ", attack}, {"evidence: ", ev},
                              {"other: ", other}};
    for (size_t i = 0; i < 4; i++) {
        if (!parts[i][1] || !*parts[i][1])
            continue;
        fimp_buf_add(&b, b.len ? "\n" : "", FINDING_EVIDENCE_MAX);
        fimp_buf_add(&b, parts[i][0], FINDING_EVIDENCE_MAX);
        fimp_buf_add(&b, parts[i][1], FINDING_EVIDENCE_MAX);
    }
    const char *r = b.len ? fimp_strndup(c, b.data, b.len) : NULL;
    kw_buf_free(&b);
    return r;
}

static kw_rc instance(fimp_ctx *c, const zap_site *s, json_t *alert, json_t *inst)
{
    c->st->records++;
    finding f = {.scanner = SCANNER, .score = -1, .port = s->port};
    *(fimp_is_ip(s->host) ? &f.ip : &f.host) = s->host;
    f.transport = s->port ? "tcp" : NULL;
    const char *ref = fimp_jtext(c, alert, "alertRef");
    if (!ref)
        ref = fimp_jtext(c, alert, "pluginid");
    f.vuln_id = ref ? fimp_printf(c, "ZAP-%s", ref) : NULL;
    f.title = fimp_jstr(alert, "alert");
    if (!f.title)
        f.title = fimp_jstr(alert, "name");
    f.severity = risk_sev(c, alert);
    f.description = untag(c, fimp_jstr(alert, "desc"), "\n");
    f.solution = untag(c, fimp_jstr(alert, "solution"), "\n");
    f.reference = untag(c, fimp_jstr(alert, "reference"), " ");
    const char *uri = fimp_jstr(inst, "uri"), *param = fimp_jstr(inst, "param");
    f.url = uri && *uri ? uri : s->name;
    f.parameter = param && *param ? param : NULL;
    f.evidence = inst ? evidence(c, inst) : NULL;
    f.category = fimp_category(fimp_cwe_num(fimp_jtext(c, alert, "cweid")), f.title);
    return fimp_emit(c, &f);
}

static kw_rc alert(fimp_ctx *c, const zap_site *s, json_t *a, size_t idx)
{
    if (!json_is_object(a))
        return fimp_fail(c, "site \"%s\" alert %zu is not an object", s->name, idx);
    long conf;
    if (fimp_parse_int(fimp_jtext(c, a, "confidence"), 0, 4, &conf) && conf == 0) {
        c->st->skipped++;
        kw_arena_reset(&c->a);
        return KW_OK;
    }
    json_t *insts = json_object_get(a, "instances");
    if (insts && !json_is_array(insts))
        return fimp_fail(c, "site \"%s\" alert %zu: \"instances\" is not a list", s->name, idx);
    if (json_array_size(insts) == 0)
        return instance(c, s, a, NULL);
    size_t i;
    json_t *inst;
    json_array_foreach(insts, i, inst) {
        if (!json_is_object(inst))
            return fimp_fail(c, "site \"%s\" alert %zu instance %zu is not an object", s->name,
                             idx, i);
        kw_rc rc = instance(c, s, a, inst);
        if (rc != KW_OK)
            return rc;
    }
    return KW_OK;
}

static kw_rc site(fimp_ctx *c, json_t *js, size_t idx)
{
    if (!json_is_object(js))
        return fimp_fail(c, "site %zu is not an object", idx);
    zap_site s = {.name = fimp_jstr(js, "@name"), .host = fimp_jstr(js, "@host")};
    long port = 0;
    if (!s.name)
        return fimp_fail(c, "site %zu has no \"@name\"", idx);
    const char *uhost = NULL;
    int uport = 0;
    if (fimp_url_host(c, s.name, &uhost, &uport)) {
        s.host = s.host ? s.host : fimp_keep(c, uhost);
        port = uport;
    }
    fimp_parse_int(fimp_jtext(c, js, "@port"), 1, 65535, &port); /* else the URL's */
    s.port = (int)port;
    json_t *alerts = json_object_get(js, "alerts");
    if (alerts && !json_is_array(alerts))
        return fimp_fail(c, "site \"%s\": \"alerts\" is not a list", s.name);
    size_t i;
    json_t *a;
    json_array_foreach(alerts, i, a) {
        kw_rc rc = alert(c, &s, a, i);
        if (rc != KW_OK)
            return rc;
    }
    finding_cover cv = {.scanner = SCANNER, .transport = s.port ? "tcp" : NULL,
                        .port_lo = s.port, .port_hi = s.port};
    *(fimp_is_ip(s.host) ? &cv.ip : &cv.host) = s.host;
    return s.host ? fimp_cover(c, &cv) : KW_OK;
}

kw_rc fimp_zap(fimp_ctx *c, const char *buf, size_t n)
{
    json_t *root;
    kw_rc rc = fimp_json_parse(c, buf, n, 1, &root);
    if (rc != KW_OK)
        return rc;
    json_t *sites = json_object_get(root, "site");
    if (!json_is_object(root) || !json_is_array(sites))
        rc = fimp_fail(c, "not a ZAP traditional-json report: no \"site\" list");
    size_t i;
    json_t *s;
    if (rc == KW_OK)
        json_array_foreach(sites, i, s) {
            rc = site(c, s, i);
            if (rc != KW_OK)
                break;
        }
    json_decref(root);
    return rc;
}
