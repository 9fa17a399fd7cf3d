/* Nuclei results (-jsonl / -j: one JSON object per line; also -json-export's array) into
 * findings: template-id and info (name, severity, description, reference, remediation,
 * classification: cve-id, cwe-id, cvss-metrics, cvss-score), where it matched (host,
 * matched-at, ip, port) and what proves it (extracted-results, request, response, cut to
 * fit). Nuclei 2's older names (templateID, matched) are read too. No covers: a result list
 * does not say what was probed without a match. No I/O. */
#include <ctype.h>
#include <string.h>

#include "findings/findings_import_int.h"

#define SCANNER "nuclei"
#define LINE_MAX_LEN ((size_t)16 << 20)
#define REQUEST_MAX 6144

static const char *first_of(json_t *o, const char *a, const char *b)
{
    const char *s = fimp_jstr(o, a);
    return s ? s : fimp_jstr(o, b);
}

/* The first entry of a string or a list of strings. */
static const char *first(json_t *v)
{
    return json_is_array(v) ? json_string_value(json_array_get(v, 0)) : json_string_value(v);
}

static const char *upper(fimp_ctx *c, const char *s)
{
    char *d = fimp_strndup(c, s, strlen(s));
    for (char *p = d; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return d;
}

static const char *evidence(fimp_ctx *c, json_t *o)
{
    kw_buf b;
    kw_buf_init(&b, FINDING_EVIDENCE_MAX);
    const char *ex = fimp_jjoin(c, json_object_get(o, "extracted-results"), ", ");
    const char *req = fimp_jstr(o, "request"), *resp = fimp_jstr(o, "response");
    if (ex) {
        fimp_buf_add(&b, "extracted: ", FINDING_EVIDENCE_MAX);
        fimp_buf_add(&b, ex, FINDING_EVIDENCE_MAX);
    }
    if (req && *req) {
        fimp_buf_add(&b, b.len ? "\n\nrequest:\n" : "request:\n", FINDING_EVIDENCE_MAX);
        fimp_buf_add(&b, req, b.len + REQUEST_MAX);
    } else if ((req = fimp_jstr(o, "curl-command")) && *req) {
        fimp_buf_add(&b, b.len ? "\n\ncurl: " : "curl: ", FINDING_EVIDENCE_MAX);
        fimp_buf_add(&b, req, b.len + REQUEST_MAX);
    }
    if (resp && *resp) {
        fimp_buf_add(&b, b.len ? "\n\nresponse:\n" : "response:\n", FINDING_EVIDENCE_MAX);
        fimp_buf_add(&b, resp, FINDING_EVIDENCE_MAX);
    }
    const char *r = b.len ? fimp_strndup(c, b.data, b.len) : NULL;
    kw_buf_free(&b);
    return r;
}

/* host, ip, port and URL from host, ip, port, matched-at and url. */
static void where(fimp_ctx *c, json_t *o, finding *f)
{
    const char *host = fimp_jstr(o, "host"), *matched = first_of(o, "matched-at", "matched");
    const char *h = NULL;
    int port = 0;
    long p;
    if (matched && strstr(matched, "://"))
        f->url = matched;
    if (host && !fimp_url_host(c, host, &h, &port) && !fimp_hostport(c, host, &h, &port))
        h = host;
    const char *mh = NULL;
    int mp = 0; /* matched-at names the place that answered: its port wins */
    if (matched && (fimp_url_host(c, matched, &mh, &mp) || fimp_hostport(c, matched, &mh, &mp))) {
        h = h ? h : mh;
        port = mp ? mp : port;
    }
    if (fimp_parse_int(fimp_jtext(c, o, "port"), 1, 65535, &p))
        port = (int)p;
    const char *ip = fimp_jstr(o, "ip");
    if (h && *h)
        *(fimp_is_ip(h) ? &f->ip : &f->host) = h;
    if (ip && fimp_is_ip(ip))
        f->ip = ip;
    f->port = port;
    const char *type = fimp_jstr(o, "type");
    f->transport = port ? (type && strcmp(type, "dns") == 0 ? "udp" : "tcp") : NULL;
}

static void classify(fimp_ctx *c, json_t *info, const char *tid, finding *f)
{
    json_t *cl = json_object_get(info, "classification");
    const char *cve = first(json_object_get(cl, "cve-id"));
    f->vuln_id = cve && *cve ? upper(c, cve) : tid;
    json_t *score = json_object_get(cl, "cvss-score");
    double s;
    if (json_is_number(score))
        f->score = json_number_value(score);
    else if (fimp_parse_double(json_string_value(score), &s))
        f->score = s;
    if (f->score < 0 || f->score > 10)
        f->score = -1;
    f->vector = fimp_jstr(cl, "cvss-metrics");
    f->score_version = fimp_cvss_version(f->vector);
    const char *tags = fimp_jjoin(c, json_object_get(info, "tags"), " ");
    int cwe = fimp_cwe_num(first(json_object_get(cl, "cwe-id")));
    f->category = fimp_category(cwe, fimp_printf(c, "%s %s %s", f->title ? f->title : "",
                                                 tags ? tags : "", tid));
}

static kw_rc result(fimp_ctx *c, json_t *o, size_t where_n, const char *unit)
{
    c->st->records++;
    if (!json_is_object(o))
        return fimp_fail(c, "%s %zu: not a JSON object", unit, where_n);
    json_t *info = json_object_get(o, "info");
    const char *tid = first_of(o, "template-id", "templateID");
    if (!tid || !json_is_object(info))
        return fimp_fail(c, "%s %zu: no \"template-id\" or \"info\"", unit, where_n);
    finding f = {.scanner = SCANNER, .score = -1};
    const char *name = fimp_jstr(info, "name"), *matcher = fimp_jstr(o, "matcher-name");
    f.title = name && matcher && *matcher ? fimp_printf(c, "%s (%s)", name, matcher) : name;
    if (!finding_sev_parse(fimp_jstr(info, "severity"), &f.severity))
        f.severity = FINDING_INFO;
    f.description = fimp_jstr(info, "description");
    f.solution = fimp_jstr(info, "remediation");
    f.reference = fimp_jjoin(c, json_object_get(info, "reference"), " ");
    classify(c, info, tid, &f);
    where(c, o, &f);
    f.evidence = evidence(c, o);
    f.seen_ms = fimp_iso_ms(fimp_jstr(o, "timestamp"));
    return fimp_emit(c, &f);
}

static kw_rc array(fimp_ctx *c, const char *buf, size_t n)
{
    json_t *root;
    kw_rc rc = fimp_json_parse(c, buf, n, 1, &root);
    if (rc != KW_OK)
        return rc;
    size_t i;
    json_t *e;
    json_array_foreach(root, i, e) {
        rc = result(c, e, i, "element");
        if (rc != KW_OK)
            break;
    }
    json_decref(root);
    return rc;
}

kw_rc fimp_nuclei(fimp_ctx *c, const char *buf, size_t n)
{
    size_t skip = fimp_skip_bom_ws(buf, n);
    if (skip < n && buf[skip] == '[')
        return array(c, buf + skip, n - skip);
    size_t line = 0;
    for (size_t off = 0; off < n;) {
        const char *nl = memchr(buf + off, '\n', n - off);
        size_t len = nl ? (size_t)(nl - (buf + off)) : n - off;
        const char *p = buf + off;
        line++;
        off += len + 1;
        size_t sp = fimp_skip_bom_ws(p, len);
        if (sp == len)
            continue;
        if (len > LINE_MAX_LEN)
            return fimp_fail(c, "line %zu: longer than %zu bytes", line, LINE_MAX_LEN);
        json_t *o;
        kw_rc rc = fimp_json_parse(c, p + sp, len - sp, line, &o);
        if (rc == KW_OK) {
            rc = result(c, o, line, "line");
            json_decref(o);
        }
        if (rc != KW_OK)
            return rc;
    }
    return KW_OK;
}
