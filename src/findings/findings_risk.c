/* A finding's asset, place and fingerprint, its severity and ranked risk, its deadline, and
 * the list of known exploited vulnerabilities (findings.h). No I/O. */
#include "findings/findings.h"
#include "findings/findings_cvss.h"
#include "core/kw_map.h"
#include "core/kw_mem.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool set(const char *s)
{
    return s && *s;
}

/* The host part of a URL ("https://user@h:8443/p" -> "h:8443"), into out. */
static void url_host(const char *url, char *out, size_t n)
{
    out[0] = '\0';
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    const char *at = NULL, *end = p + strcspn(p, "/?#");
    for (const char *q = p; q < end; q++)
        if (*q == '@')
            at = q;
    if (at)
        p = at + 1;
    snprintf(out, n, "%.*s", (int)(end - p), p);
}

const conf_asset *findings_asset_of(const conf *c, const conf_asset_index *idx, const finding *f)
{
    char uh[256] = "";
    if (set(f->url))
        url_host(f->url, uh, sizeof uh);
    char *colon = strrchr(uh, ':');
    if (colon && !strchr(uh, ']'))
        *colon = '\0'; /* h:8443 -> h */
    const conf_asset *a = NULL;
    for (size_t i = 0; c && !a && i < c->assets.n; i++) { /* names: case does not matter */
        const conf_asset *as = CONF_AT(c->assets, conf_asset, i);
        if (as->name && ((set(f->host) && strcasecmp(f->host, as->name) == 0) || (uh[0] && strcasecmp(uh, as->name) == 0)))
            a = as;
    }
    conf_asset_index *own = idx ? NULL : conf_asset_index_new(c);
    const conf_asset_index *x = idx ? idx : own;
    if (!a && set(f->ip))
        a = conf_asset_index_find(x, f->ip);
    if (!a && uh[0])
        a = conf_asset_index_find(x, uh);
    conf_asset_index_free(own);
    return a;
}

void findings_asset_key(const finding *f, const conf_asset *a, char *out, size_t n)
{
    char uh[256];
    if (a && a->name)
        snprintf(out, n, "%s", a->name);
    else if (set(f->ip))
        snprintf(out, n, "%s", f->ip);
    else if (set(f->host))
        snprintf(out, n, "%s", f->host);
    else if (set(f->url) && (url_host(f->url, uh, sizeof uh), uh[0]))
        snprintf(out, n, "%s", uh);
    else
        snprintf(out, n, "-");
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The URL without its query's values and its fragment, the parameter names sorted:
 * "https://h/p?b=2&a=1#x" -> "https://h/p?a=&b=". */
static void place_url(kw_buf *out, const char *url)
{
    size_t base = strcspn(url, "?#");
    kw_buf_append(out, url, base);
    if (url[base] != '?')
        return;
    const char *q = url + base + 1;
    size_t qn = strcspn(q, "#");
    char *copy = kw_strndup(q, qn);
    char *names[64];
    size_t nn = 0;
    for (char *save = NULL, *tok = strtok_r(copy, "&;", &save); tok && nn < 64; tok = strtok_r(NULL, "&;", &save)) {
        tok[strcspn(tok, "=")] = '\0';
        names[nn++] = tok;
    }
    qsort(names, nn, sizeof names[0], name_cmp);
    for (size_t i = 0; i < nn; i++)
        if (i == 0 || strcmp(names[i], names[i - 1]) != 0) /* a=1&a=2 is one name */
            kw_buf_printf(out, "%c%s=", i ? '&' : '?', names[i]);
    free(copy);
}

static void place_sep(kw_buf *out)
{
    if (out->len)
        kw_buf_append(out, " | ", 3);
}

void findings_place(const finding *f, kw_buf *out)
{
    if (f->port > 0) {
        place_sep(out);
        kw_buf_printf(out, "%s/%d", set(f->transport) ? f->transport : "tcp", f->port);
    }
    if (set(f->url)) {
        place_sep(out);
        kw_buf_append(out, "url ", 4);
        place_url(out, f->url);
    }
    if (set(f->parameter)) {
        place_sep(out);
        kw_buf_printf(out, "param %s", f->parameter);
    }
    if (set(f->file_path)) {
        place_sep(out);
        /* the statement, not its line number: an edit above it must not make it new */
        kw_buf_printf(out, "file %s", f->file_path);
        if (set(f->text))
            kw_buf_printf(out, " %s", f->text);
        else if (f->line > 0)
            kw_buf_printf(out, ":%d", f->line);
    }
    if (set(f->package)) {
        place_sep(out);
        kw_buf_printf(out, "pkg %s", f->package);
    }
}

void findings_fingerprint(const char *asset, const char *vuln_id, const char *place, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdn = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
    const char *parts[3] = {asset, vuln_id, place};
    for (int i = 0; ok && i < 3; i++) /* each part with its NUL: ("ab","c") is not ("a","bc") */
        ok = EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]) + 1) == 1;
    ok = ok && EVP_DigestFinal_ex(ctx, md, &mdn) == 1;
    EVP_MD_CTX_free(ctx);
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = ok ? hex[md[i] >> 4] : '0';
        out[2 * i + 1] = ok ? hex[md[i] & 15] : '0';
    }
    out[64] = '\0';
}

/* ---- known exploited ---- */

struct findings_kev {
    kw_map ids; /* upper-cased id -> (void *)1 */
};

/* An id as the list keeps it: upper-cased (cve-2021-44228 is CVE-2021-44228), cut to its bound. */
static void kev_key(const char *id, char up[FINDING_ID_MAX])
{
    size_t i = 0;
    for (; id[i] && i + 1 < FINDING_ID_MAX; i++)
        up[i] = id[i] >= 'a' && id[i] <= 'z' ? (char)(id[i] - 'a' + 'A') : id[i]; /* not the locale's */
    up[i] = '\0';
}

kw_rc findings_kev_add(findings_kev **kev, const char *cve)
{
    if (!*kev) {
        *kev = kw_calloc(1, sizeof **kev);
        kw_map_init(&(*kev)->ids);
    }
    char up[FINDING_ID_MAX];
    kev_key(cve, up);
    if (!up[0])
        return KW_ERR_PARSE;
    kw_map_put(&(*kev)->ids, up, (void *)1);
    return KW_OK;
}

/* CISA's CSV: a header naming the cveID column, then rows; the id is the first field that
 * looks like one in that column. */
static kw_rc kev_csv(findings_kev **kev, const char *data, size_t len, char *err, size_t errn)
{
    const char *end = data + len, *p = data;
    const char *nl = memchr(p, '\n', len);
    if (!nl || !memmem(p, (size_t)(nl - p), "cveID", 5)) {
        snprintf(err, errn, "neither CISA's KEV JSON nor its CSV (no cveID column)");
        return KW_ERR_PARSE;
    }
    int col = 0; /* which column is cveID */
    for (const char *q = p; q < nl && strncmp(q, "cveID", 5) != 0; q++)
        col += *q == ',';
    for (p = nl + 1; p < end; p = nl + 1) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end;
        const char *f = p;
        for (int c = 0; c < col && f < nl; f++) /* plain fields: CVE ids never hold commas */
            c += *f == ',';
        if (f < nl && *f == '"')
            f++;
        char id[FINDING_ID_MAX];
        size_t n = 0; /* to the field's end, within the line (data need not end in a NUL) */
        while (f + n < nl && f[n] != ',' && f[n] != '"' && f[n] != '\r')
            n++;
        if (n > 0 && n < sizeof id) {
            memcpy(id, f, n);
            id[n] = '\0';
            findings_kev_add(kev, id);
        }
    }
    return KW_OK;
}

kw_rc findings_kev_load(findings_kev **kev, const char *data, size_t len, char *err, size_t errn)
{
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
        i++;
    if (i == len || data[i] != '{')
        return kev_csv(kev, data, len, err, errn);
    json_error_t je;
    json_t *root = json_loadb(data, len, 0, &je);
    json_t *v = root ? json_object_get(root, "vulnerabilities") : NULL;
    if (!json_is_array(v)) {
        snprintf(err, errn, root ? "no \"vulnerabilities\" array (not CISA's KEV catalogue)" : "line %d: %s", je.line,
                 je.text);
        json_decref(root);
        return KW_ERR_PARSE;
    }
    size_t k;
    json_t *e;
    json_array_foreach(v, k, e) {
        const char *id = json_string_value(json_object_get(e, "cveID"));
        if (id)
            findings_kev_add(kev, id);
    }
    json_decref(root);
    if (!*kev) /* an empty catalogue is still one */
        findings_kev_add(kev, "-");
    return KW_OK;
}

bool findings_kev_has(const findings_kev *kev, const char *cve)
{
    if (!kev || !cve)
        return false;
    char up[FINDING_ID_MAX];
    kev_key(cve, up);
    return kw_map_get(&kev->ids, up) != NULL;
}

size_t findings_kev_count(const findings_kev *kev)
{
    return kev ? kev->ids.n : 0;
}

void findings_kev_free(findings_kev *kev)
{
    if (!kev)
        return;
    kw_map_free(&kev->ids);
    free(kev);
}

/* ---- rating, risk, deadline ---- */

void findings_rate(const finding *f, finding_sev *sev, double *score, char version[8])
{
    char err[160];
    if (f->vector && *f->vector && cvss_score(f->vector, score, version, 8, err, sizeof err) == KW_OK) {
        /* v2's bands are not v3's (7.0 is high in both, but 4.0-6.9 medium, 0-3.9 low, no critical) */
        *sev = strcmp(version, "2.0") == 0 ? (*score >= 7.0 ? FINDING_HIGH : *score >= 4.0 ? FINDING_MEDIUM
                                                                                           : FINDING_LOW)
                                           : finding_sev_of_score(*score);
        return;
    }
    *score = f->score >= 0 && f->score <= 10 ? f->score : -1;
    snprintf(version, 8, "%s", *score >= 0 && f->score_version ? f->score_version : "");
    bool v2 = strcmp(version, "2.0") == 0;
    *sev = *score >= 0 && version[0] && !v2 ? finding_sev_of_score(*score) : f->severity;
}

double findings_risk(double score, finding_sev sev, int criticality, int exposure, bool kev)
{
    static const double middle[] = {0.0, 2.5, 5.5, 8.0, 9.5}; /* the bands' middles */
    static const double crit_w[] = {1.0, 0.8, 1.0, 1.2, 1.4}; /* kw_severity 1..4; 0: unset */
    double base = score >= 0 ? score : middle[(unsigned)sev <= FINDING_CRITICAL ? sev : 0];
    double w = crit_w[criticality >= 1 && criticality <= 4 ? criticality : 0];
    if (exposure == CONF_EXPOSURE_INTERNET)
        w *= 1.3;
    if (kev)
        w *= 1.5;
    double r = base * 10.0 * w;
    r = r > 100.0 ? 100.0 : r;
    return (double)(int64_t)(r * 10.0 + 0.5) / 10.0; /* one decimal */
}

int64_t findings_due(const conf *c, finding_sev sev, int64_t first_ms)
{
    if (sev <= FINDING_INFO || sev > FINDING_CRITICAL)
        return 0;
    int64_t normal = c->findings.sla_normal_ms[sev], period = c->findings.sla_period_ms[sev];
    int64_t due = normal > 0 ? first_ms + normal : 0;
    int64_t ps = c->period.start_ms, pe = c->period.end_ms;
    int64_t from = first_ms > ps ? first_ms : ps;
    if (period > 0 && ps > 0 && (pe <= 0 || from < pe) && (due == 0 || from + period < due))
        due = from + period;
    return due;
}
