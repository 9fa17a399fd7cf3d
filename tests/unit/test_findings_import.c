/* Unit tests for the report importers (findings_import.h): each format on published example
 * reports and on reports the Debian tools produced (tests/data/findings/README names each
 * source), the format guess, the CSV rules, and malformed input: truncated, wrong types, huge
 * fields, XML entities (XXE) and deep nesting.
 *
 * Also the integration tests' helper: `test_findings_import --dump FILE [FORMAT]` imports FILE
 * and prints one JSON line per finding and cover, then one with the result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_mem.h"
#include "findings/findings_import.h"
#include "kw_test.h"

#define MAXF 512

/* A finding as the test keeps it: its fields copied. */
typedef struct got {
    char *vuln_id, *category, *title, *description, *solution, *reference, *scanner, *vector,
        *score_version, *host, *ip, *transport, *service, *url, *parameter, *file_path, *text,
        *package, *evidence;
    finding_sev severity;
    double score;
    int port, line;
    bool version_based;
    int64_t seen_ms;
} got;

typedef struct sink_state {
    got f[MAXF];
    size_t n;
    finding_cover cv[MAXF];
    char *cv_host[MAXF], *cv_ip[MAXF], *cv_transport[MAXF];
    size_t ncv;
    int fail_after; /* emit returns KW_ERR_STORE after this many (-1: never) */
} sink_state;

static kw_rc emit(void *ctx, const finding *f)
{
    sink_state *s = ctx;
    if (s->fail_after >= 0 && (int)s->n >= s->fail_after)
        return KW_ERR_STORE;
    if (s->n == MAXF)
        return KW_ERR_FULL;
    got *g = &s->f[s->n++];
    *g = (got){
        .vuln_id = kw_strdup_opt(f->vuln_id), .category = kw_strdup_opt(f->category),
        .title = kw_strdup_opt(f->title), .description = kw_strdup_opt(f->description),
        .solution = kw_strdup_opt(f->solution), .reference = kw_strdup_opt(f->reference),
        .scanner = kw_strdup_opt(f->scanner), .vector = kw_strdup_opt(f->vector),
        .score_version = kw_strdup_opt(f->score_version), .host = kw_strdup_opt(f->host),
        .ip = kw_strdup_opt(f->ip), .transport = kw_strdup_opt(f->transport),
        .service = kw_strdup_opt(f->service), .url = kw_strdup_opt(f->url),
        .parameter = kw_strdup_opt(f->parameter), .file_path = kw_strdup_opt(f->file_path),
        .text = kw_strdup_opt(f->text), .package = kw_strdup_opt(f->package),
        .evidence = kw_strdup_opt(f->evidence), .severity = f->severity, .score = f->score,
        .port = f->port, .line = f->line, .version_based = f->version_based,
        .seen_ms = f->seen_ms,
    };
    return KW_OK;
}

static kw_rc cover(void *ctx, const finding_cover *c)
{
    sink_state *s = ctx;
    if (s->ncv == MAXF)
        return KW_ERR_FULL;
    s->cv[s->ncv] = *c;
    s->cv_host[s->ncv] = kw_strdup_opt(c->host);
    s->cv_ip[s->ncv] = kw_strdup_opt(c->ip);
    s->cv_transport[s->ncv] = kw_strdup_opt(c->transport);
    s->ncv++;
    return KW_OK;
}

static void reset(sink_state *s)
{
    for (size_t i = 0; i < s->n; i++) {
        char **fields[] = {&s->f[i].vuln_id, &s->f[i].category, &s->f[i].title,
                           &s->f[i].description, &s->f[i].solution, &s->f[i].reference,
                           &s->f[i].scanner, &s->f[i].vector, &s->f[i].score_version,
                           &s->f[i].host, &s->f[i].ip, &s->f[i].transport, &s->f[i].service,
                           &s->f[i].url, &s->f[i].parameter, &s->f[i].file_path, &s->f[i].text,
                           &s->f[i].package, &s->f[i].evidence};
        for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
            free(*fields[k]);
    }
    for (size_t i = 0; i < s->ncv; i++) {
        free(s->cv_host[i]);
        free(s->cv_ip[i]);
        free(s->cv_transport[i]);
    }
    s->n = s->ncv = 0;
    s->fail_after = -1;
}

static sink_state S;
static char err[512];
static findings_import_stats st;

static kw_rc import_buf(const char *buf, size_t n, findings_format fmt)
{
    reset(&S);
    finding_sink sink = {.emit = emit, .cover = cover, .ctx = &S};
    err[0] = '\0';
    return findings_import(buf, n, fmt, &sink, &st, err, sizeof err);
}

static kw_rc import_str(const char *s, findings_format fmt)
{
    return import_buf(s, strlen(s), fmt);
}

/* The whole of the file at path (the caller frees it); NULL when it cannot be read. */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    *n = 0;
    if (!f)
        return NULL;
    kw_buf b;
    kw_buf_init(&b, FINDINGS_IMPORT_MAX);
    char chunk[65536];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        kw_buf_append(&b, chunk, k);
    fclose(f);
    *n = b.len;
    char *d = kw_buf_take(&b);
    return d ? d : kw_strdup("");
}

/* The whole of tests/data/findings/NAME (the caller frees it). */
static char *data(const char *name, size_t *n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/findings/%s", KW_TEST_DATA, name);
    char *d = slurp(path, n);
    if (!d)
        fprintf(stderr, "  cannot open %s\n", path);
    return d ? d : kw_strdup("");
}

static kw_rc import_file(const char *name, findings_format fmt)
{
    size_t n;
    char *buf = data(name, &n);
    kw_rc rc = import_buf(buf, n, fmt);
    free(buf);
    return rc;
}

/* The first finding with this id (and, port >= 0, on this port). */
static got *find(const char *id, int port)
{
    for (size_t i = 0; i < S.n; i++)
        if (S.f[i].vuln_id && strcmp(S.f[i].vuln_id, id) == 0 && (port < 0 || S.f[i].port == port))
            return &S.f[i];
    return NULL;
}

static size_t count(const char *id)
{
    size_t k = 0;
    for (size_t i = 0; i < S.n; i++)
        k += S.f[i].vuln_id && strcmp(S.f[i].vuln_id, id) == 0;
    return k;
}

static void test_format_names(void)
{
    findings_format f;
    CHECK(findings_format_parse("NMAP", &f) && f == FIMP_NMAP);
    CHECK(findings_format_parse("gvm", &f) && f == FIMP_OPENVAS);
    CHECK(findings_format_parse("csv", &f) && f == FIMP_CSV);
    CHECK(!findings_format_parse("nessus", &f));
    CHECK_STR(findings_format_name(FIMP_ZAP), "zap");
    CHECK_STR(findings_format_name(FIMP_WAPITI), "wapiti");
    for (int i = FIMP_AUTO; i <= FIMP_CSV; i++)
        CHECK(findings_format_parse(findings_format_name((findings_format)i), &f) &&
              (int)f == i);
}

static void test_guess(void)
{
    static const struct {
        const char *file;
        findings_format want;
    } files[] = {
        {"nmap_scripts.xml", FIMP_NMAP},        {"nmap_vulners.xml", FIMP_NMAP},
        {"nuclei_many.jsonl", FIMP_NUCLEI},     {"nuclei_many2.jsonl", FIMP_NUCLEI},
        {"nuclei_v3_array.json", FIMP_NUCLEI},  {"openvas_one.xml", FIMP_OPENVAS},
        {"openvas_detail_v2.xml", FIMP_OPENVAS}, {"lynis_report.dat", FIMP_LYNIS},
        {"wapiti_xss.json", FIMP_WAPITI},       {"zap_doc_sample.json", FIMP_ZAP},
        {"zap_basic.json", FIMP_ZAP},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t n;
        char *buf = data(files[i].file, &n);
        findings_format g = findings_format_guess(buf, n);
        if (g != files[i].want)
            fprintf(stderr, "  %s guessed as %s\n", files[i].file, findings_format_name(g));
        CHECK(g == files[i].want);
        free(buf);
    }
    CHECK(findings_format_guess("\xEF\xBB\xBFid,title,host\nX,Y,h\n", 24) == FIMP_CSV);
    CHECK(findings_format_guess("hello world\n", 12) == FIMP_AUTO);
    CHECK(findings_format_guess("", 0) == FIMP_AUTO);
    CHECK(findings_format_guess("<html></html>", 13) == FIMP_AUTO);
    CHECK(import_str("just some text\n", FIMP_AUTO) == KW_ERR_UNSUPPORTED);
    CHECK_CONTAINS(err, "format");
}

static void test_nmap_scripts(void)
{
    CHECK_INT(import_file("nmap_scripts.xml", FIMP_AUTO), KW_OK);
    CHECK(st.format == FIMP_NMAP);
    got *ssh = find("NMAP-EXPOSED-SSH", 22);
    CHECK(ssh != NULL);
    if (ssh) {
        CHECK_STR(ssh->host, "gw"); /* the name the user gave wins over the PTR */
        CHECK_STR(ssh->ip, "192.0.2.10");
        CHECK_STR(ssh->transport, "tcp");
        CHECK_STR(ssh->service, "ssh");
        CHECK_STR(ssh->scanner, "nmap");
        CHECK_STR(ssh->category, "exposed_service");
        CHECK_INT(ssh->severity, FINDING_INFO);
        CHECK_CONTAINS(ssh->title, "OpenSSH 5.3");
    }
    got *smb = find("NMAP-EXPOSED-MICROSOFT-DS", 445);
    CHECK(smb && smb->severity == FINDING_HIGH);
    got *dsa = find("NMAP-SSH-DSA-HOSTKEY", 22);
    CHECK(dsa && dsa->severity == FINDING_MEDIUM && strcmp(dsa->category, "weak_tls") == 0);
    CHECK(find("NMAP-SSH-WEAK-RSA-HOSTKEY", -1) == NULL); /* the RSA key has 2048 bits */
    got *legacy = find("NMAP-TLS-LEGACY-PROTOCOL", 443);
    CHECK(legacy && legacy->severity == FINDING_MEDIUM);
    if (legacy)
        CHECK_CONTAINS(legacy->title, "TLSv1.0");
    got *weak = find("NMAP-TLS-WEAK-CIPHERS", 443);
    CHECK(weak && weak->severity == FINDING_MEDIUM);
    if (weak) {
        CHECK_CONTAINS(weak->title, "least strength C");
        CHECK_CONTAINS(weak->evidence, "TLS_RSA_WITH_3DES_EDE_CBC_SHA (C)");
        CHECK_CONTAINS(weak->evidence, "SWEET32");
        CHECK(!strstr(weak->evidence, "TLS_RSA_WITH_AES_128_CBC_SHA (")); /* grade A */
    }
    got *amt = find("CVE-2017-5689", 16992);
    CHECK(amt != NULL);
    if (amt) {
        CHECK_NEAR(amt->score, 10.0, 1e-9);
        CHECK_STR(amt->score_version, "2.0");
        CHECK_INT(amt->severity, FINDING_CRITICAL);
        CHECK_CONTAINS(amt->title, "Authentication Bypass");
        CHECK_CONTAINS(amt->reference, "https://www.embedi.com/files/white-papers/Silent-Bob-is-Silent.pdf");
        CHECK_CONTAINS(amt->description, "digest authentication");
    }
    got *ms17 = find("CVE-2017-0143", 0);
    CHECK(ms17 && ms17->severity == FINDING_HIGH && ms17->transport == NULL);
    CHECK(find("NMAP-EXPOSED-AMT-SOAP-HTTPS", -1) == NULL); /* filtered, not open */
    CHECK(find("NMAP-EXPOSED-HTTP", 443) != NULL);
    CHECK_INT(S.n, 9);
    CHECK_INT(st.findings, 9);
    CHECK_INT(st.records, 5);
    /* covers: the up host only, one per range of <scaninfo services> */
    CHECK_INT(S.ncv, 4);
    CHECK_INT(st.covers, 4);
    if (S.ncv == 4) {
        CHECK_INT(S.cv[3].port_lo, 16992);
        CHECK_INT(S.cv[3].port_hi, 16993);
        CHECK_INT(S.cv[0].port_lo, 22);
        CHECK_INT(S.cv[0].port_hi, 22);
        CHECK_STR(S.cv_transport[0], "tcp");
        CHECK_STR(S.cv_ip[0], "192.0.2.10");
        CHECK_STR(S.cv_host[0], "gw");
    }
}

static void test_nmap_vulners(void)
{
    CHECK_INT(import_file("nmap_vulners.xml", FIMP_NMAP), KW_OK);
    CHECK_INT(S.n, 3);
    got *v = find("CVE-2018-15919", 5022);
    CHECK(v != NULL);
    if (v) {
        CHECK_NEAR(v->score, 5.0, 1e-9);
        CHECK_INT(v->severity, FINDING_MEDIUM);
        CHECK(v->version_based);
        CHECK_STR(v->category, "outdated_software");
        CHECK_STR(v->ip, "192.168.0.1");
        CHECK(v->host == NULL);
        CHECK_CONTAINS(v->title, "OpenSSH");
        CHECK_STR(v->reference, "https://vulners.com/cve/CVE-2018-15919");
    }
    CHECK(find("CVE-2017-15906", 5022) != NULL);
    CHECK_INT(S.ncv, 1);
    /* the report with every port: only CVE entries of vulners become findings */
    CHECK_INT(import_file("nmap_vulners_all_ports.xml", FIMP_NMAP), KW_OK);
    CHECK(find("CVE-2019-6111", 22) != NULL);
    CHECK(find("EDB-ID:46516", -1) == NULL);
    CHECK_INT(count("CVE-2018-15919"), 1);
    CHECK_INT(S.ncv, 1);
    if (S.ncv == 1) {
        CHECK_INT(S.cv[0].port_lo, 1);
        CHECK_INT(S.cv[0].port_hi, 65535);
    }
}

static void test_nmap_text_output(void)
{
    /* scripts without structured tables (nmap before 6.x): their output lines */
    const char *x =
        "<?xml version=\"1.0\"?><nmaprun scanner=\"nmap\"><host><status state=\"up\"/>"
        "<address addr=\"::1\" addrtype=\"ipv6\"/><ports><port protocol=\"tcp\" portid=\"2222\">"
        "<state state=\"open\"/><service name=\"ssh\"/>"
        "<script id=\"ssh-hostkey\" output=\"&#xa;  768 aa:bb (RSA)&#xa;  1024 cc:dd (DSA)\"/>"
        "<script id=\"vulscan\" output=\"cve.csv:&#xa;[CVE-2014-9278] The OpenSSH server, as used"
        " in Fedora, might allow remote attackers.&#xa;[BID-1234] not a CVE\"/>"
        "<script id=\"http-old-vuln\" output=\"x&#xa;  State: LIKELY VULNERABLE&#xa;\"/>"
        "</port><port protocol=\"tcp\" portid=\"6379\"><state state=\"open\"/><service "
        "name=\"unknown\"/></port></ports></host></nmaprun>";
    CHECK_INT(import_str(x, FIMP_NMAP), KW_OK);
    got *unk = find("NMAP-EXPOSED-UNKNOWN", 6379); /* unnamed: the port says redis */
    CHECK(unk && unk->severity == FINDING_HIGH);
    got *rsa = find("NMAP-SSH-WEAK-RSA-HOSTKEY", 2222);
    CHECK(rsa && rsa->severity == FINDING_HIGH && strcmp(rsa->ip, "::1") == 0);
    CHECK(find("NMAP-SSH-DSA-HOSTKEY", 2222) != NULL);
    got *vs = find("CVE-2014-9278", 2222);
    CHECK(vs && vs->version_based && vs->score < 0);
    if (vs)
        CHECK_CONTAINS(vs->evidence, "Fedora");
    CHECK(find("BID-1234", -1) == NULL);
    got *old = find("NMAP-HTTP-OLD-VULN", 2222);
    CHECK(old && old->severity == FINDING_MEDIUM);
    CHECK_INT(S.ncv, 0); /* no <scaninfo>: nothing said what was scanned */
}

static void test_nmap_malformed(void)
{
    CHECK_INT(import_str("<?xml version=\"1.0\"?><nmaprun><host>", FIMP_NMAP), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "line 1");
    CHECK_INT(import_str("<nmaprun><host><status state=\"up\"/><address addr=\"10.0.0.1\" "
                         "addrtype=\"ipv4\"/><ports><port protocol=\"tcp\" portid=\"http\">"
                         "<state state=\"open\"/></port></ports></host></nmaprun>", FIMP_NMAP),
              KW_ERR_PARSE);
    CHECK_CONTAINS(err, "portid");
    CHECK_INT(import_str("<report/>", FIMP_NMAP), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "nmaprun");
    CHECK_INT(import_str("<nmaprun><scaninfo protocol=\"tcp\" services=\"9-3\"/><host><status "
                         "state=\"up\"/><address addr=\"10.0.0.1\" addrtype=\"ipv4\"/></host>"
                         "</nmaprun>", FIMP_NMAP), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "9-3");
    /* truncated real report: an error, and what was before it stays emitted */
    size_t n;
    char *buf = data("nmap_scripts.xml", &n);
    CHECK_INT(import_buf(buf, n * 2 / 3, FIMP_NMAP), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "line");
    free(buf);
}

/* XXE and entity expansion: refused before parsing; an external DTD is never loaded. */
static void test_xml_entities(void)
{
    const char *xxe = "<?xml version=\"1.0\"?><!DOCTYPE nmaprun [<!ENTITY x SYSTEM "
                      "\"file:///etc/passwd\">]><nmaprun><host><status state=\"up\"/><address "
                      "addr=\"10.0.0.1\" addrtype=\"ipv4\"/><ports><port protocol=\"tcp\" "
                      "portid=\"1\"><state state=\"open\"/><service name=\"&x;\"/></port></ports>"
                      "</host></nmaprun>";
    CHECK_INT(import_str(xxe, FIMP_NMAP), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "entity");
    CHECK_INT(S.n, 0);
    const char *laughs = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\">"
                         "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;"
                         "&b;&b;&b;&b;&b;&b;\">]><report><results><result><name>&c;</name>"
                         "</result></results></report>";
    CHECK_INT(import_str(laughs, FIMP_OPENVAS), KW_ERR_PARSE);
    const char *pe = "<?xml version=\"1.0\"?><!DOCTYPE report [<!ENTITY % p SYSTEM "
                     "\"http://127.0.0.1:9/x.dtd\"> %p;]><report/>";
    CHECK_INT(import_str(pe, FIMP_OPENVAS), KW_ERR_PARSE);
    /* UTF-16 cannot hide a declaration: the document is read as UTF-8 whatever it says */
    const char u16[] = "\xff\xfe<\0?\0x\0m\0l\0 \0";
    CHECK_INT(import_buf(u16, sizeof u16 - 1, FIMP_OPENVAS), KW_ERR_PARSE);
    const char *ext = "<?xml version=\"1.0\"?><!DOCTYPE nmaprun SYSTEM \"file:///etc/passwd\">"
                      "<nmaprun><host><status state=\"up\"/><address addr=\"10.0.0.1\" "
                      "addrtype=\"ipv4\"/></host></nmaprun>";
    CHECK_INT(import_str(ext, FIMP_NMAP), KW_OK);
    CHECK_INT(S.n, 0);
    /* nesting deeper than libxml2's limit */
    kw_buf b;
    kw_buf_init(&b, (size_t)4 << 20);
    kw_buf_puts(&b, "<nmaprun>");
    for (int i = 0; i < 5000; i++)
        kw_buf_puts(&b, "<a>");
    CHECK_INT(import_buf(b.data, b.len, FIMP_NMAP), KW_ERR_PARSE);
    kw_buf_free(&b);
}

static void test_nuclei(void)
{
    CHECK_INT(import_file("nuclei_many.jsonl", FIMP_AUTO), KW_OK);
    CHECK(st.format == FIMP_NUCLEI);
    CHECK_INT(S.n, 2);
    got *cve = find("CVE-2018-15473", -1);
    CHECK(cve != NULL);
    if (cve) {
        CHECK_STR(cve->scanner, "nuclei");
        CHECK_INT(cve->severity, FINDING_MEDIUM);
        CHECK_NEAR(cve->score, 5.3, 1e-9);
        CHECK_STR(cve->vector, "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N");
        CHECK_STR(cve->score_version, "3.0");
        CHECK_STR(cve->host, "nuclei-example.com");
        CHECK_STR(cve->ip, "127.0.0.1");
        CHECK_INT(cve->port, 22);
        CHECK_STR(cve->transport, "tcp");
        CHECK_CONTAINS(cve->evidence, "SSH-2.0-OpenSSH_7.4p1");
        CHECK_STR(cve->reference, "https://nvd.nist.gov/vuln/detail/cve-2018-15473");
        CHECK(cve->seen_ms == 1647827011231LL); /* 2022-03-20T22:43:31.231-03:00 */
    }
    got *prom = find("prometheus-metrics", -1);
    CHECK(prom != NULL);
    if (prom) {
        CHECK_INT(prom->severity, FINDING_LOW);
        CHECK_STR(prom->url, "https://nuclei-example.com/metrics");
        CHECK_INT(prom->port, 443);
        CHECK_CONTAINS(prom->evidence, "curl -X 'GET'");
        CHECK_STR(prom->reference,
                  "https://github.com/prometheus/prometheus https://hackerone.com/reports/1026196");
    }
    CHECK_INT(S.ncv, 0);
    /* nuclei 2's field names */
    CHECK_INT(import_file("nuclei_many2.jsonl", FIMP_AUTO), KW_OK);
    got *old = find("openssh5.3-detect", -1);
    CHECK(old && old->severity == FINDING_LOW && old->port == 22);
    CHECK_INT(st.records, S.n);
    /* -json-export's array */
    CHECK_INT(import_file("nuclei_v3_array.json", FIMP_AUTO), KW_OK);
    got *dns = find("dns-saas-service-detection", -1);
    CHECK(dns != NULL);
    if (dns) {
        CHECK_STR(dns->host, "www.asdf.de");
        CHECK_CONTAINS(dns->title, "(wix)");
        CHECK_CONTAINS(dns->evidence, "extracted: pointing.wixdns.net");
        CHECK_CONTAINS(dns->evidence, "ANSWER SECTION");
    }
}

static void test_nuclei_malformed(void)
{
    size_t n;
    char *buf = data("nuclei_many.jsonl", &n);
    /* two good lines, then a truncated one: the two stay emitted, the error names line 3 */
    kw_buf b;
    kw_buf_init(&b, (size_t)8 << 20);
    kw_buf_append(&b, buf, n);
    kw_buf_append(&b, buf, 100);
    CHECK_INT(import_buf(b.data, b.len, FIMP_NUCLEI), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "line 3");
    CHECK_INT(S.n, 2);
    free(buf);
    CHECK_INT(import_str("{\"template-id\":\"x\",\"info\":5,\"host\":\"h\"}\n", FIMP_NUCLEI),
              KW_ERR_PARSE);
    CHECK_CONTAINS(err, "line 1");
    CHECK_INT(import_str("\n\n[1,2]\n", FIMP_NUCLEI), KW_ERR_PARSE);
    CHECK_INT(import_str("[{\"template-id\":\"a\",\"info\":{\"name\":\"n\"},\"host\":\"h\"},7]",
                         FIMP_NUCLEI), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "element 1");
    CHECK_INT(S.n, 1);
    /* wrong types inside a result are not taken: a numeric name, a list as severity */
    CHECK_INT(import_str("{\"template-id\":\"t\",\"info\":{\"name\":3,\"severity\":[1]},"
                         "\"host\":\"h\"}", FIMP_NUCLEI), KW_OK);
    CHECK_INT(S.n, 0);
    CHECK_INT(st.skipped, 1);
    /* a huge response is cut to the evidence limit */
    kw_buf_reset(&b);
    kw_buf_puts(&b, "{\"template-id\":\"big\",\"info\":{\"name\":\"Big\",\"severity\":\"high\"},"
                    "\"host\":\"10.1.1.1\",\"matched-at\":\"http://10.1.1.1:8080/x\",\"response\":\"");
    for (int i = 0; i < 200000; i++)
        kw_buf_puts(&b, "\\u00e9x");
    kw_buf_puts(&b, "\"}");
    CHECK_INT(import_buf(b.data, b.len, FIMP_NUCLEI), KW_OK);
    got *big = find("big", 8080);
    CHECK(big && big->evidence && strlen(big->evidence) <= FINDING_EVIDENCE_MAX);
    CHECK(big && strcmp(big->ip, "10.1.1.1") == 0 && big->severity == FINDING_HIGH);
    /* deep nesting is refused by the JSON parser, not by the stack */
    kw_buf_reset(&b);
    for (int i = 0; i < 100000; i++)
        kw_buf_putc(&b, '[');
    CHECK_INT(import_buf(b.data, b.len, FIMP_NUCLEI), KW_ERR_PARSE);
    kw_buf_free(&b);
}

static void test_openvas(void)
{
    CHECK_INT(import_file("openvas_detail_v2.xml", FIMP_AUTO), KW_OK);
    CHECK(st.format == FIMP_OPENVAS);
    CHECK_INT(S.n, 1);
    got *w = find("1.3.6.1.4.1.25623.1.0.836484", 42); /* many CVEs: the NVT's OID */
    CHECK(w != NULL);
    if (w) {
        CHECK_STR(w->scanner, "openvas");
        CHECK_STR(w->ip, "10.99.99.99");
        CHECK_STR(w->host, "server99");
        CHECK_STR(w->transport, "tcp");
        CHECK_NEAR(w->score, 9.8, 1e-9);
        CHECK_STR(w->vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        CHECK_STR(w->score_version, "3.1");
        CHECK_INT(w->severity, FINDING_CRITICAL);
        CHECK_STR(w->title, "Microsoft Windows Multiple Vulnerabilities (KB5062557)");
        CHECK_CONTAINS(w->reference, "https://nvd.nist.gov/vuln/detail/CVE-2025-49659");
        CHECK_CONTAINS(w->reference, "https://support.microsoft.com/en-us/help/5062557");
        CHECK_CONTAINS(w->solution, "The vendor has released updates");
        CHECK_CONTAINS(w->description, "missing an important security");
        CHECK_CONTAINS(w->evidence, "File version:      10.0.17763.7434");
        CHECK(strncmp(w->evidence, "QoD 80%\n", 8) == 0);
    }
    CHECK_INT(import_file("openvas_one.xml", FIMP_OPENVAS), KW_OK);
    CHECK_INT(S.n, 1);
    got *ff = S.n ? &S.f[0] : NULL;
    if (ff) {
        CHECK_STR(ff->vuln_id, "1.3.6.1.4.1.25623.1.0.832260");
        CHECK_INT(ff->port, 0); /* general/tcp */
        CHECK(ff->transport == NULL);
        CHECK_NEAR(ff->score, 10.0, 1e-9);
        CHECK_INT(ff->severity, FINDING_CRITICAL);
        CHECK(ff->version_based); /* QoD type registry */
        CHECK_CONTAINS(ff->solution, "Upgrade to version 117");
        CHECK(ff->vector == NULL);
    }
    CHECK_INT(S.ncv, 1);
    if (S.ncv)
        CHECK_STR(S.cv_ip[0], "10.0.101.2");
    CHECK_INT(import_file("openvas_many.xml", FIMP_AUTO), KW_OK);
    CHECK_INT(st.records, 44);
    CHECK_INT(S.n + st.skipped, 44);
    CHECK(S.n >= 40);
    size_t cves = 0;
    for (size_t i = 0; i < S.n; i++)
        cves += strncmp(S.f[i].vuln_id, "CVE-", 4) == 0;
    CHECK(cves > 0); /* results with one CVE carry it as their id */
}

static void test_openvas_malformed(void)
{
    CHECK_INT(import_str("<report><name>x</name></report>", FIMP_OPENVAS), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "results");
    CHECK_INT(import_str("<nmaprun/>", FIMP_OPENVAS), KW_ERR_PARSE);
    size_t n;
    char *buf = data("openvas_many.xml", &n);
    CHECK_INT(import_buf(buf, n / 2, FIMP_OPENVAS), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "line");
    free(buf);
    /* wrong types: text where numbers go, a port that is not one; still no crash, no finding
     * without an id */
    CHECK_INT(import_str("<report><results><result><host>10.0.0.9</host><port>x/tcp</port>"
                         "<severity>high</severity><threat>Medium</threat><nvt oid=\"1.2.3\">"
                         "<name>N</name><cvss_base>eleven</cvss_base></nvt></result><result>"
                         "<host>10.0.0.9</host><nvt><name>no oid</name></nvt></result>"
                         "<result><threat>False Positive</threat></result></results></report>",
                         FIMP_OPENVAS), KW_OK);
    CHECK_INT(S.n, 1);
    CHECK_INT(st.skipped, 2);
    if (S.n) {
        CHECK_INT(S.f[0].severity, FINDING_MEDIUM);
        CHECK_INT(S.f[0].port, 0);
        CHECK(S.f[0].score < 0);
    }
    /* a huge description: the evidence is cut, the QoD kept */
    kw_buf b;
    kw_buf_init(&b, (size_t)4 << 20);
    kw_buf_puts(&b, "<report><results><result><host>10.0.0.9</host><nvt oid=\"1.2.3\"><name>N"
                    "</name></nvt><qod><value>70</value></qod><description>");
    for (int i = 0; i < 100000; i++)
        kw_buf_puts(&b, "line &amp; \xc3\xa9\n");
    kw_buf_puts(&b, "</description></result></results></report>");
    CHECK_INT(import_buf(b.data, b.len, FIMP_OPENVAS), KW_OK);
    CHECK(S.n == 1 && strlen(S.f[0].evidence) <= FINDING_EVIDENCE_MAX);
    if (S.n)
        CHECK_CONTAINS(S.f[0].evidence, "QoD 70%");
    kw_buf_free(&b);
}

static void test_lynis(void)
{
    CHECK_INT(import_file("lynis_report.dat", FIMP_AUTO), KW_OK);
    CHECK(st.format == FIMP_LYNIS);
    got *w = find("SSH-7408", -1);
    CHECK(w != NULL);
    if (w) {
        CHECK_INT(w->severity, FINDING_MEDIUM);
        CHECK_STR(w->category, "host_config");
        CHECK_STR(w->host, "web01");
        CHECK_STR(w->title, "SSH option PermitRootLogin is not hardened");
        CHECK_STR(w->text, "path:/etc/ssh/sshd_config");
        CHECK_STR(w->solution, "Set PermitRootLogin to no");
        CHECK_STR(w->reference, "https://cisofy.com/lynis/controls/SSH-7408/");
        CHECK_CONTAINS(w->description, "Debian GNU/Linux 12");
    }
    got *s = find("DEB-0280", -1);
    CHECK(s && s->severity == FINDING_LOW && s->solution == NULL && s->text == NULL);
    got *p = find("LYNIS-VULNERABLE-PACKAGE", -1);
    CHECK(p && strcmp(p->package, "openssl") == 0 && strcmp(p->category, "outdated_software") == 0);
    CHECK_INT(count("LYNIS"), 1);
    CHECK_INT(S.n, 8); /* 6 suggestions, 1 warning, 1 vulnerable package */
    CHECK_INT(st.records, 8);
    CHECK_INT(S.ncv, 1);
    if (S.ncv)
        CHECK(strcmp(S.cv_host[0], "web01") == 0 && S.cv[0].port_lo == 0);
}

static void test_lynis_malformed(void)
{
    CHECK_INT(import_str("# Lynis Report\nhostname=h\nwarning[]=|no id|\n", FIMP_LYNIS),
              KW_ERR_PARSE);
    CHECK_CONTAINS(err, "line 3");
    CHECK_INT(import_str("# Lynis Report\nhostname=h\nthis line has no equals sign\n", FIMP_LYNIS),
              KW_ERR_PARSE);
    CHECK_CONTAINS(err, "line 3");
    CHECK_INT(import_str("# Lynis Report\nwarning[]=A-1|x|-|-|\n", FIMP_LYNIS), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "hostname");
    CHECK_INT(S.n, 0);
    kw_buf b;
    kw_buf_init(&b, (size_t)1 << 20);
    kw_buf_puts(&b, "hostname=h\nsuggestion[]=X-1|");
    for (int i = 0; i < 70000; i++)
        kw_buf_putc(&b, 'a');
    CHECK_INT(import_buf(b.data, b.len, FIMP_LYNIS), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "line 2");
    kw_buf_free(&b);
    CHECK_INT(import_str("\r\nhostname=h\r\nsuggestion[]=X-1|words|-|-|\r\n", FIMP_LYNIS), KW_OK);
    CHECK(S.n == 1 && strcmp(S.f[0].title, "words") == 0);
}

static void test_wapiti(void)
{
    CHECK_INT(import_file("wapiti_xss.json", FIMP_AUTO), KW_OK);
    CHECK(st.format == FIMP_WAPITI);
    CHECK_INT(S.n, 1);
    got *x = find("WAPITI-CROSS-SITE-SCRIPTING", -1);
    CHECK(x != NULL);
    if (x) {
        CHECK_STR(x->category, "xss");
        CHECK_INT(x->severity, FINDING_MEDIUM);
        CHECK_STR(x->ip, "127.0.0.1");
        CHECK_INT(x->port, 18765);
        CHECK_STR(x->url, "http://127.0.0.1:18765/search");
        CHECK_STR(x->parameter, "q");
        CHECK_CONTAINS(x->evidence, "GET /search?q=");
        CHECK_CONTAINS(x->title, "parameter q");
        CHECK_CONTAINS(x->description, "Cross-site scripting");
        CHECK_CONTAINS(x->reference, "https://");
    }
    CHECK_INT(S.ncv, 1);
    if (S.ncv)
        CHECK(S.cv[0].port_lo == 18765 && S.cv[0].port_hi == 18765);
    CHECK_INT(import_str("{\"infos\":{\"target\":\"https://shop.example/app/\"},"
                         "\"vulnerabilities\":{\"SQL Injection\":[{\"method\":\"POST\",\"path\":"
                         "\"/app/login\",\"info\":\"SQL error\",\"level\":\"3\",\"parameter\":"
                         "\"user\"}]},\"anomalies\":{\"Internal Server Error\":[{\"path\":\"/x\","
                         "\"level\":1,\"info\":\"500\"}]}}", FIMP_AUTO), KW_OK);
    got *sq = find("WAPITI-SQL-INJECTION", -1);
    CHECK(sq && sq->severity == FINDING_HIGH && strcmp(sq->category, "sqli") == 0 &&
          sq->port == 443 && strcmp(sq->host, "shop.example") == 0 &&
          strcmp(sq->url, "https://shop.example/app/login") == 0);
    got *an = find("WAPITI-INTERNAL-SERVER-ERROR", -1);
    CHECK(an && an->severity == FINDING_LOW);
}

static void test_wapiti_malformed(void)
{
    CHECK_INT(import_str("{\"infos\":{\"target\":\"http://h/\"},\"vulnerabilities\":[]}",
                         FIMP_WAPITI), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "vulnerabilities");
    CHECK_INT(import_str("{\"infos\":{},\"vulnerabilities\":{}}", FIMP_WAPITI), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "target");
    CHECK_INT(import_str("{\"infos\":{\"target\":\"http://h/\"},\"vulnerabilities\":{\"XSS\":"
                         "[\"nope\"]}}", FIMP_WAPITI), KW_ERR_PARSE);
    CHECK_INT(import_str("{\"infos\":{\"target\":\"http://h/\"},\"vulnerabilities\":{\"XSS\":"
                         "[{\"path\":7,\"level\":{}}]}}", FIMP_WAPITI), KW_OK);
    CHECK(S.n == 1 && S.f[0].severity == FINDING_MEDIUM && S.f[0].url == NULL);
    size_t n;
    char *buf = data("wapiti_xss.json", &n);
    CHECK_INT(import_buf(buf, n - 10, FIMP_WAPITI), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "line");
    free(buf);
}

static void test_zap(void)
{
    CHECK_INT(import_file("zap_doc_sample.json", FIMP_AUTO), KW_OK);
    CHECK(st.format == FIMP_ZAP);
    CHECK_INT(S.n, 2);
    if (S.n == 2) {
        got *a = &S.f[0], *b = &S.f[1];
        CHECK_STR(a->vuln_id, "ZAP-40012");
        CHECK_STR(a->scanner, "zap");
        CHECK_INT(a->severity, FINDING_HIGH);
        CHECK_STR(a->category, "xss");
        CHECK_STR(a->host, "localhost");
        CHECK_INT(a->port, 8080);
        CHECK_STR(a->parameter, "q");
        CHECK_CONTAINS(a->url, "/bodgeit/search.jsp?q=");
        CHECK_CONTAINS(a->evidence, "attack: </font><scrIpt>alert(1);</scRipt><font>");
        CHECK_STR(a->reference, "http://projects.webappsec.org/Cross-Site-Scripting "
                                "http://cwe.mitre.org/data/definitions/79.html");
        CHECK_STR(a->description, "Cross-site Scripting (XSS) is an attack technique that involves ...");
        CHECK_CONTAINS(a->solution, "Phase: Architecture and Design\nUse a vetted");
        CHECK_STR(b->parameter, "comments");
        CHECK_CONTAINS(b->evidence, "method: POST");
    }
    CHECK_INT(S.ncv, 1);
    CHECK_INT(import_file("zap_basic.json", FIMP_AUTO), KW_OK);
    CHECK_INT(S.n, 2);
    if (S.n) {
        CHECK_STR(S.f[0].vuln_id, "ZAP-1");
        CHECK_STR(S.f[0].category, "xss");
        CHECK_STR(S.f[0].host, "example.com");
        CHECK_INT(S.f[0].port, 80);
        CHECK_CONTAINS(S.f[0].evidence, "attack: Test \"Attack\\\"");
        CHECK_STR(S.f[0].solution, "Test Solution");
    }
}

static void test_zap_malformed(void)
{
    CHECK_INT(import_str("{\"site\":{}}", FIMP_ZAP), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "site");
    CHECK_INT(import_str("{\"site\":[{\"@name\":\"http://h\",\"alerts\":[{\"alert\":\"A\","
                         "\"pluginid\":\"7\",\"instances\":[\"x\"]}]}]}", FIMP_ZAP), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "instance 0");
    CHECK_INT(import_str("{\"site\":[{\"@name\":\"http://h\",\"alerts\":[{\"alert\":\"A\","
                         "\"pluginid\":7,\"riskcode\":\"9\",\"confidence\":\"0\"},{\"alert\":"
                         "\"B\",\"pluginid\":8,\"riskcode\":1}]}]}", FIMP_ZAP), KW_OK);
    CHECK_INT(S.n, 1); /* confidence 0 is a false positive */
    if (S.n) {
        CHECK_STR(S.f[0].vuln_id, "ZAP-8");
        CHECK_INT(S.f[0].severity, FINDING_LOW);
        CHECK_STR(S.f[0].url, "http://h");
    }
    CHECK_INT(import_str("{\"site\":[{\"@name\":\"http://h\",\"alerts\":[{\"alert\":\"A\"", FIMP_ZAP),
              KW_ERR_PARSE);
    CHECK_CONTAINS(err, "line 1");
}

static void test_csv(void)
{
    const char *csv = "\xEF\xBB\xBFID,Title,Host,Port,Severity,Score,Category,Description,Ignored\r\n"
                      "CVE-2024-6387,\"regreSSHion, a race\",db1,22,,8.1,outdated_software,"
                      "\"multi\r\nline \"\"quoted\"\"\",x\r\n"
                      "\r\n"
                      "KW-X,Something,web2,,low,,,,\r\n";
    CHECK_INT(import_str(csv, FIMP_AUTO), KW_OK);
    CHECK(st.format == FIMP_CSV);
    CHECK_INT(S.n, 2);
    got *a = find("CVE-2024-6387", 22);
    CHECK(a != NULL);
    if (a) {
        CHECK_STR(a->title, "regreSSHion, a race");
        CHECK_STR(a->description, "multi\r\nline \"quoted\"");
        CHECK_INT(a->severity, FINDING_HIGH); /* from the score */
        CHECK_STR(a->transport, "tcp");
        CHECK_STR(a->scanner, "csv");
        CHECK_STR(a->category, "outdated_software");
    }
    got *b = find("KW-X", -1);
    CHECK(b && b->severity == FINDING_LOW && b->port == 0 && b->transport == NULL);
    CHECK_INT(S.ncv, 0);
    CHECK_INT(import_str("id,title,file,line,text,scanner\nKW-SSH-ROOT,root login,"
                         "/etc/ssh/sshd_config,12,PermitRootLogin yes,audit\nK2,no asset,,,,\n",
                         FIMP_CSV), KW_OK);
    CHECK_INT(S.n, 1);
    CHECK_INT(st.skipped, 1);
    if (S.n) {
        CHECK_INT(S.f[0].line, 12);
        CHECK_STR(S.f[0].file_path, "/etc/ssh/sshd_config");
        CHECK_STR(S.f[0].scanner, "audit");
        CHECK_INT(S.f[0].severity, FINDING_MEDIUM); /* neither severity nor score */
    }
}

static void test_csv_malformed(void)
{
    CHECK_INT(import_str("id,host\nX,h\n", FIMP_CSV), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "id and title");
    CHECK_INT(import_str("id,title,port\nX,T,22\n", FIMP_CSV), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "host, ip, url, file");
    CHECK_INT(import_str("id,title,host,id\n", FIMP_CSV), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "twice");
    CHECK_INT(import_str("id,title,host,severity\nA,B,h,low\nA,B,h,severe\n", FIMP_CSV),
              KW_ERR_PARSE);
    CHECK_CONTAINS(err, "line 3 column severity");
    CHECK_INT(S.n, 1); /* the row before stays emitted */
    CHECK_INT(import_str("id,title,host,port\nA,B,h,70000\n", FIMP_CSV), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "column port");
    CHECK_INT(import_str("id,title,host,score\nA,B,h,11\n", FIMP_CSV), KW_ERR_PARSE);
    CHECK_INT(import_str("id,title,host,category\nA,B,h,xxs\n", FIMP_CSV), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "category");
    CHECK_INT(import_str("id,title,host\nA,\"B,h\n", FIMP_CSV), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "not closed");
    CHECK_INT(import_str("id,title,host\nA,B\n", FIMP_CSV), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "line 2: 2 fields");
    CHECK_INT(import_str("id,title,host\nA,B\"x,h\n", FIMP_CSV), KW_ERR_PARSE);
    CHECK_INT(import_str("id,title,host\nA,\"B\"x,h\n", FIMP_CSV), KW_ERR_PARSE);
    CHECK_INT(import_str("", FIMP_CSV), KW_ERR_PARSE);
    kw_buf b;
    kw_buf_init(&b, (size_t)1 << 20);
    kw_buf_puts(&b, "id,title,host\nA,");
    for (int i = 0; i < 70000; i++)
        kw_buf_putc(&b, 'x');
    kw_buf_puts(&b, ",h\n");
    CHECK_INT(import_buf(b.data, b.len, FIMP_CSV), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "longer than");
    kw_buf_reset(&b);
    for (int i = 0; i < 70; i++)
        kw_buf_puts(&b, i ? ",c" : "id");
    CHECK_INT(import_buf(b.data, b.len, FIMP_CSV), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "more than 64");
    kw_buf_free(&b);
}

static void test_sink_error_and_limits(void)
{
    reset(&S);
    S.fail_after = 1;
    finding_sink sink = {.emit = emit, .cover = NULL, .ctx = &S};
    size_t n;
    char *buf = data("zap_doc_sample.json", &n);
    CHECK_INT(findings_import(buf, n, FIMP_ZAP, &sink, NULL, NULL, 0), KW_ERR_STORE);
    CHECK_INT(S.n, 1);
    S.fail_after = -1;
    /* no cover callback: fine */
    CHECK_INT(findings_import(buf, n, FIMP_ZAP, &sink, &st, err, sizeof err), KW_OK);
    CHECK_INT(st.covers, 0);
    free(buf);
    CHECK_INT(findings_import("", FINDINGS_IMPORT_MAX + 1, FIMP_CSV, &sink, &st, err, sizeof err),
              KW_ERR_RANGE);
}

/* --dump FILE [FORMAT]: the integration tests' view of an import. */
static void dump_str(kw_json *j, const char *k, const char *v)
{
    if (v)
        kw_json_kv_str(j, k, v);
}

static kw_rc dump_emit(void *ctx, const finding *f)
{
    kw_buf b;
    kw_buf_init(&b, KW_BUF_DEFAULT_MAX);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "kind", "finding");
    const char *keys[] = {"vuln_id", "category", "title", "description", "solution", "reference",
                          "scanner", "vector", "score_version", "host", "ip", "transport",
                          "service", "url", "parameter", "file_path", "text", "package",
                          "installed", "fixed", "evidence"};
    const char *vals[] = {f->vuln_id, f->category, f->title, f->description, f->solution,
                          f->reference, f->scanner, f->vector, f->score_version, f->host, f->ip,
                          f->transport, f->service, f->url, f->parameter, f->file_path, f->text,
                          f->package, f->installed, f->fixed, f->evidence};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        dump_str(&j, keys[i], vals[i]);
    kw_json_kv_str(&j, "severity", finding_sev_name(f->severity));
    kw_json_kv_num(&j, "score", f->score);
    kw_json_kv_int(&j, "port", f->port);
    kw_json_kv_int(&j, "line", f->line);
    kw_json_kv_bool(&j, "version_based", f->version_based);
    kw_json_obj_end(&j);
    printf("%s\n", kw_buf_cstr(&b));
    kw_buf_free(&b);
    (void)ctx;
    return KW_OK;
}

static kw_rc dump_cover(void *ctx, const finding_cover *c)
{
    kw_buf b;
    kw_buf_init(&b, 1 << 16);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "kind", "cover");
    dump_str(&j, "scanner", c->scanner);
    dump_str(&j, "host", c->host);
    dump_str(&j, "ip", c->ip);
    dump_str(&j, "transport", c->transport);
    kw_json_kv_int(&j, "port_lo", c->port_lo);
    kw_json_kv_int(&j, "port_hi", c->port_hi);
    kw_json_obj_end(&j);
    printf("%s\n", kw_buf_cstr(&b));
    kw_buf_free(&b);
    (void)ctx;
    return KW_OK;
}

static int dump(const char *path, const char *fmt_name)
{
    findings_format fmt = FIMP_AUTO;
    if (fmt_name && !findings_format_parse(fmt_name, &fmt)) {
        fprintf(stderr, "unknown format %s\n", fmt_name);
        return 2;
    }
    size_t n;
    char *buf = slurp(path, &n);
    if (!buf) {
        perror(path);
        return 2;
    }
    finding_sink sink = {.emit = dump_emit, .cover = dump_cover};
    findings_import_stats s;
    char e[512];
    kw_rc rc = findings_import(buf, n, fmt, &sink, &s, e, sizeof e);
    printf("{\"kind\":\"result\",\"rc\":\"%s\",\"format\":\"%s\",\"findings\":%zu,\"covers\":%zu,"
           "\"records\":%zu,\"skipped\":%zu}\n", kw_rc_str(rc), findings_format_name(s.format),
           s.findings, s.covers, s.records, s.skipped);
    if (rc != KW_OK)
        fprintf(stderr, "import: %s\n", e);
    free(buf);
    return rc == KW_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--dump") == 0)
        return dump(argv[2], argc > 3 ? argv[3] : NULL);
    S.fail_after = -1;
    RUN(test_format_names);
    RUN(test_guess);
    RUN(test_nmap_scripts);
    RUN(test_nmap_vulners);
    RUN(test_nmap_text_output);
    RUN(test_nmap_malformed);
    RUN(test_xml_entities);
    RUN(test_nuclei);
    RUN(test_nuclei_malformed);
    RUN(test_openvas);
    RUN(test_openvas_malformed);
    RUN(test_lynis);
    RUN(test_lynis_malformed);
    RUN(test_wapiti);
    RUN(test_wapiti_malformed);
    RUN(test_zap);
    RUN(test_zap_malformed);
    RUN(test_csv);
    RUN(test_csv_malformed);
    RUN(test_sink_error_and_limits);
    reset(&S);
    TEST_MAIN_END();
}
