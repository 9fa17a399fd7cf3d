/* OpenVAS/GVM XML reports (the "XML" report format: <report><report><results><result>) into
 * findings: one per result, with its NVT (OID, name, tags, CVE and URL references), the CVSS
 * vector from <severities> or the tag cvss_base_vector, the result's severity and QoD; a cover
 * per scanned host (<report><host><ip>). No I/O. */
#include <string.h>
#include <strings.h>

#include "findings/findings_import_int.h"

#define SCANNER "openvas"
#define MAX_DEPTH 6

/* The NVT tags this reader uses ("cvss_base_vector=...|summary=...|..."). */
typedef struct ov_tags {
    const char *vector, *summary, *insight, *impact, *solution;
} ov_tags;

static void tags_parse(fimp_ctx *c, const char *s, ov_tags *t)
{
    static const char *const keys[] = {"cvss_base_vector", "summary", "insight", "impact",
                                       "solution"};
    const char **slot[] = {&t->vector, &t->summary, &t->insight, &t->impact, &t->solution};
    for (const char *p = s; p && *p;) {
        size_t n = strcspn(p, "|");
        const char *eq = memchr(p, '=', n);
        for (size_t i = 0; eq && i < sizeof keys / sizeof keys[0]; i++)
            if ((size_t)(eq - p) == strlen(keys[i]) && strncmp(p, keys[i], strlen(keys[i])) == 0)
                *slot[i] = fimp_trim(c, fimp_strndup(c, eq + 1, n - (size_t)(eq + 1 - p)));
        p += n + (p[n] == '|');
    }
    if (t->vector && (!*t->vector || strcmp(t->vector, "None") == 0))
        t->vector = NULL;
}

/* The vector and score of the newest CVSS version in <severities>. */
static void severities(fimp_ctx *c, xmlNode *nvt, finding *f)
{
    static const char *const order[] = {"cvss_base_v4", "cvss_base_v3", "cvss_base_v2"};
    xmlNode *sv = fimp_xml_child(nvt, "severities");
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        for (xmlNode *s = fimp_xml_child(sv, "severity"); s; s = fimp_xml_next(s, "severity")) {
            const char *type = fimp_xml_attr(s, "type");
            if (!type || strcmp(type, order[i]) != 0)
                continue;
            double score;
            f->vector = fimp_xml_ctext(c, s, "value");
            if (fimp_parse_double(fimp_xml_ctext(c, s, "score"), &score) && score >= 0 &&
                score <= 10)
                f->score = score;
            return;
        }
}

/* The URL references, then the CVEs (as NVD links); *one_cve: the CVE when there is exactly one. */
static const char *refs(fimp_ctx *c, xmlNode *nvt, const char **one_cve)
{
    kw_buf b;
    kw_buf_init(&b, FINDING_TEXT_MAX);
    int cves = 0;
    xmlNode *rs = fimp_xml_child(nvt, "refs");
    for (int pass = 0; pass < 2; pass++)
        for (xmlNode *r = fimp_xml_child(rs, "ref"); r; r = fimp_xml_next(r, "ref")) {
            const char *type = fimp_xml_attr(r, "type"), *id = fimp_xml_attr(r, "id");
            if (!type || !id || !*id || strpbrk(id, " \t\n") ||
                strcasecmp(type, pass ? "cve" : "url") != 0)
                continue;
            if (pass && cves++ == 0)
                *one_cve = id;
            fimp_buf_add(&b, b.len ? " " : "", FINDING_TEXT_MAX);
            fimp_buf_add(&b, pass ? "https://nvd.nist.gov/vuln/detail/" : "", FINDING_TEXT_MAX);
            fimp_buf_add(&b, id, FINDING_TEXT_MAX);
        }
    if (cves != 1)
        *one_cve = NULL;
    const char *r = b.len ? fimp_strndup(c, b.data, b.len) : NULL;
    kw_buf_free(&b);
    return r;
}

/* "443/tcp" -> 443, "tcp"; "general/tcp", "package", "" -> 0, NULL. */
static void port_parse(fimp_ctx *c, const char *s, finding *f)
{
    const char *slash = s ? strchr(s, '/') : NULL;
    long port;
    if (!slash || !fimp_parse_int(fimp_strndup(c, s, (size_t)(slash - s)), 1, 65535, &port))
        return;
    f->port = (int)port;
    f->transport = slash[1] ? slash + 1 : "tcp";
}

static bool version_check(const char *qod_type)
{
    static const char *const types[] = {"remote_banner", "remote_banner_unreliable", "package",
                                        "package_unreliable", "registry", "executable_version",
                                        "executable_version_unreliable"};
    for (size_t i = 0; qod_type && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(qod_type, types[i]) == 0)
            return true;
    return false;
}

static const char *describe(fimp_ctx *c, const ov_tags *t)
{
    kw_buf b;
    kw_buf_init(&b, FINDING_EVIDENCE_MAX);
    const char *parts[] = {t->summary, t->insight, t->impact};
    for (size_t i = 0; i < 3; i++) {
        if (!parts[i] || !*parts[i])
            continue;
        fimp_buf_add(&b, b.len ? "\n\n" : "", FINDING_EVIDENCE_MAX);
        fimp_buf_add(&b, parts[i], FINDING_EVIDENCE_MAX);
    }
    const char *r = b.len ? fimp_strndup(c, b.data, b.len) : NULL;
    kw_buf_free(&b);
    return r;
}

static void where(fimp_ctx *c, xmlNode *r, finding *f)
{
    xmlNode *h = fimp_xml_child(r, "host");
    const char *addr = fimp_xml_text(c, h), *name = fimp_xml_ctext(c, h, "hostname");
    if (addr && *addr)
        *(fimp_is_ip(addr) ? &f->ip : &f->host) = addr;
    if (name && *name)
        f->host = name;
    port_parse(c, fimp_xml_ctext(c, r, "port"), f);
}

/* The result's own severity (after overrides) decides; else the NVT's score, else the threat. */
static void rate(fimp_ctx *c, xmlNode *r, xmlNode *nvt, finding *f)
{
    double s;
    if (f->score < 0 && fimp_parse_double(fimp_xml_ctext(c, nvt, "cvss_base"), &s) && s >= 0 &&
        s <= 10)
        f->score = s;
    if (fimp_parse_double(fimp_xml_ctext(c, r, "severity"), &s) && s >= 0 && s <= 10)
        f->severity = finding_sev_of_score(s);
    else if (!finding_sev_parse(fimp_xml_ctext(c, r, "threat"), &f->severity))
        f->severity = f->score >= 0 ? finding_sev_of_score(f->score) : FINDING_INFO;
}

static kw_rc result(fimp_ctx *c, xmlNode *r)
{
    c->st->records++;
    const char *threat = fimp_xml_ctext(c, r, "threat");
    double sev;
    if ((threat && strcasecmp(threat, "False Positive") == 0) ||
        (fimp_parse_double(fimp_xml_ctext(c, r, "severity"), &sev) && sev < 0)) {
        c->st->skipped++;
        kw_arena_reset(&c->a);
        return KW_OK;
    }
    finding f = {.scanner = SCANNER, .score = -1};
    xmlNode *nvt = fimp_xml_child(r, "nvt");
    ov_tags t = {0};
    tags_parse(c, fimp_xml_ctext(c, nvt, "tags"), &t);
    where(c, r, &f);
    severities(c, nvt, &f);
    if (!f.vector)
        f.vector = t.vector;
    f.score_version = fimp_cvss_version(f.vector);
    rate(c, r, nvt, &f);
    const char *cve = NULL;
    f.reference = refs(c, nvt, &cve);
    const char *oid = fimp_xml_attr(nvt, "oid");
    f.vuln_id = cve ? cve : oid;
    f.title = fimp_xml_ctext(c, nvt, "name");
    if (!f.title || !*f.title)
        f.title = fimp_xml_ctext(c, r, "name");
    f.description = describe(c, &t);
    f.solution = fimp_xml_ctext(c, nvt, "solution");
    if (!f.solution || !*f.solution)
        f.solution = t.solution;
    xmlNode *qod = fimp_xml_child(r, "qod");
    const char *qv = fimp_xml_ctext(c, qod, "value"), *qt = fimp_xml_ctext(c, qod, "type");
    f.version_based = version_check(qt);
    const char *desc = fimp_xml_ctext(c, r, "description");
    const char *q = fimp_printf(c, "QoD %s%%%s%s%s", qv && *qv ? qv : "?", qt && *qt ? " (" : "",
                                qt && *qt ? qt : "", qt && *qt ? ")" : "");
    f.evidence = desc && *desc ? fimp_printf(c, "%s\n%s", q,
                                             fimp_cut(c, desc, FINDING_EVIDENCE_MAX - 64))
                               : q;
    f.category = fimp_category(0, f.title);
    return fimp_emit(c, &f);
}

/* The first <results> below n, at most MAX_DEPTH levels down. */
static xmlNode *find_results(xmlNode *n, int depth)
{
    if (depth > MAX_DEPTH)
        return NULL;
    for (xmlNode *k = fimp_xml_child(n, NULL); k; k = fimp_xml_next(k, NULL)) {
        if (fimp_xml_is(k, "results"))
            return k;
        xmlNode *r = find_results(k, depth + 1);
        if (r)
            return r;
    }
    return NULL;
}

static const char *host_detail(fimp_ctx *c, xmlNode *h, const char *name)
{
    for (xmlNode *d = fimp_xml_child(h, "detail"); d; d = fimp_xml_next(d, "detail")) {
        const char *n = fimp_xml_ctext(c, d, "name");
        if (n && strcmp(n, name) == 0)
            return fimp_xml_ctext(c, d, "value");
    }
    return NULL;
}

static kw_rc covers(fimp_ctx *c, xmlNode *report)
{
    for (xmlNode *h = fimp_xml_child(report, "host"); h; h = fimp_xml_next(h, "host")) {
        const char *ip = fimp_xml_ctext(c, h, "ip");
        if (!ip || !*ip)
            continue;
        const char *name = host_detail(c, h, "hostname");
        finding_cover cv = {.scanner = SCANNER, .ip = fimp_is_ip(ip) ? ip : NULL,
                            .host = name && *name ? name : fimp_is_ip(ip) ? NULL : ip};
        kw_rc rc = fimp_cover(c, &cv);
        kw_arena_reset(&c->a);
        if (rc != KW_OK)
            return rc;
    }
    return KW_OK;
}

kw_rc fimp_openvas(fimp_ctx *c, const char *buf, size_t n)
{
    xmlDoc *doc = NULL;
    xmlNode *root = NULL, *results = NULL;
    kw_rc rc = fimp_xml_parse(c, buf, n, "report", "get_reports_response", &doc, &root);
    if (rc == KW_OK && !(results = find_results(root, 0)))
        rc = fimp_fail(c, "no <results> element in the report");
    for (xmlNode *r = fimp_xml_child(results, "result"); r && rc == KW_OK;
         r = fimp_xml_next(r, "result"))
        rc = result(c, r);
    if (rc == KW_OK)
        rc = covers(c, results->parent);
    xmlFreeDoc(doc);
    return rc;
}
