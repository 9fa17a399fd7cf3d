/* nmap XML (-oX) into findings: every open port as an exposed service (high for the services
 * that should not face a network: telnet, SMB, RDP, databases, SNMP, ...), the CVEs the vulners
 * and vulscan scripts list, weak TLS from ssl-enum-ciphers, weak SSH host keys from ssh-hostkey,
 * and any script of nmap's vulns library whose state is VULNERABLE; a cover per host that was
 * up, per port range in <scaninfo services=...>. No I/O. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "findings/findings_import_int.h"

#define SCANNER "nmap"
#define EVIDENCE_MAX 4096

/* Where one port's findings are. */
typedef struct nmap_where {
    const char *host, *ip, *transport, *service, *product;
    int port;
} nmap_where;

static void base(finding *f, const nmap_where *w)
{
    memset(f, 0, sizeof *f);
    f->scanner = SCANNER;
    f->score = -1;
    f->host = w->host;
    f->ip = w->ip;
    f->port = w->port;
    f->transport = w->port ? w->transport : NULL;
    f->service = w->service;
}

/* Services that should not face a network, by nmap's service name or (unnamed) port. */
static finding_sev exposure(const char *name, int port)
{
    static const struct {
        const char *name;
        int port;
        finding_sev sev;
    } risky[] = {
        {"telnet", 23, FINDING_HIGH},         {"microsoft-ds", 445, FINDING_HIGH},
        {"netbios-ssn", 139, FINDING_HIGH},   {"ms-wbt-server", 3389, FINDING_HIGH},
        {"mysql", 3306, FINDING_HIGH},        {"postgresql", 5432, FINDING_HIGH},
        {"ms-sql-s", 1433, FINDING_HIGH},     {"oracle-tns", 1521, FINDING_HIGH},
        {"mongodb", 27017, FINDING_HIGH},     {"redis", 6379, FINDING_HIGH},
        {"memcache", 11211, FINDING_HIGH},    {"memcached", 11211, FINDING_HIGH},
        {"elasticsearch", 9200, FINDING_HIGH}, {"snmp", 161, FINDING_HIGH},
        {"vnc", 5900, FINDING_HIGH},          {"shell", 514, FINDING_HIGH},
        {"login", 513, FINDING_HIGH},         {"exec", 512, FINDING_HIGH},
        {"tftp", 69, FINDING_HIGH},           {"X11", 6000, FINDING_HIGH},
        {"docker", 2375, FINDING_HIGH},       {"nfs", 2049, FINDING_HIGH},
        {"ftp", 21, FINDING_MEDIUM},          {"rpcbind", 111, FINDING_MEDIUM},
        {"ldap", 389, FINDING_MEDIUM},
    };
    for (size_t i = 0; i < sizeof risky / sizeof risky[0]; i++)
        if (name ? strcasecmp(name, risky[i].name) == 0 : port == risky[i].port)
            return risky[i].sev;
    return FINDING_INFO;
}

/* The text of the <elem key=key> child of a script table. */
static const char *elem(fimp_ctx *c, xmlNode *t, const char *key)
{
    for (xmlNode *e = fimp_xml_child(t, "elem"); e; e = fimp_xml_next(e, "elem")) {
        const char *k = fimp_xml_attr(e, "key");
        if (k && strcmp(k, key) == 0)
            return fimp_xml_text(c, e);
    }
    return NULL;
}

static xmlNode *table(xmlNode *t, const char *key)
{
    for (xmlNode *e = fimp_xml_child(t, "table"); e; e = fimp_xml_next(e, "table")) {
        const char *k = fimp_xml_attr(e, "key");
        if (k && strcmp(k, key) == 0)
            return e;
    }
    return NULL;
}

/* The keyless <elem> texts of a table, joined with sep. */
static const char *elems(fimp_ctx *c, xmlNode *t, const char *sep)
{
    kw_buf b;
    kw_buf_init(&b, EVIDENCE_MAX);
    for (xmlNode *e = fimp_xml_child(t, "elem"); e; e = fimp_xml_next(e, "elem")) {
        if (b.len)
            fimp_buf_add(&b, sep, EVIDENCE_MAX);
        fimp_buf_add(&b, fimp_xml_text(c, e), EVIDENCE_MAX);
    }
    const char *r = b.len ? fimp_strndup(c, b.data, b.len) : NULL;
    kw_buf_free(&b);
    return r;
}

static kw_rc open_port(fimp_ctx *c, const nmap_where *w, xmlNode *svc)
{
    finding f;
    base(&f, w);
    const char *version = fimp_xml_attr(svc, "version"), *extra = fimp_xml_attr(svc, "extrainfo");
    const char *tunnel = fimp_xml_attr(svc, "tunnel");
    f.vuln_id = fimp_printf(c, "NMAP-EXPOSED-%s", fimp_slug(c, w->service ? w->service : "unknown"));
    f.category = "exposed_service";
    bool named = w->service && strcmp(w->service, "unknown") != 0;
    f.severity = exposure(named ? w->service : NULL, w->port);
    f.title = fimp_printf(c, "%s%s open on %d/%s%s%s%s%s%s", tunnel ? "ssl/" : "",
                          w->service ? w->service : "unknown service", w->port, w->transport,
                          w->product ? ": " : "", w->product ? w->product : "",
                          version ? " " : "", version ? version : "", extra ? " " : "");
    if (extra)
        f.title = fimp_printf(c, "%s(%s)", f.title, extra);
    f.description = f.severity >= FINDING_MEDIUM
                        ? "A service that should not be reachable from the network answers here."
                        : NULL;
    return fimp_emit(c, &f);
}

static kw_rc vuln_cve(fimp_ctx *c, const nmap_where *w, const char *script, const char *id,
                      double score, const char *ref, const char *evidence)
{
    finding f;
    base(&f, w);
    f.vuln_id = id;
    f.category = "outdated_software";
    f.version_based = true;
    f.score = score;
    f.severity = score >= 0 ? finding_sev_of_score(score) : FINDING_MEDIUM;
    f.title = fimp_printf(c, "%s in %s on %d/%s (%s)", id,
                          w->product ? w->product : w->service ? w->service : "the service",
                          w->port, w->transport, script);
    f.reference = ref;
    f.evidence = evidence;
    return fimp_emit(c, &f);
}

static bool is_cve(const char *id)
{
    return id && strncasecmp(id, "CVE-", 4) == 0;
}

/* vulners: <table key=CPE><table><elem key=id/cvss/type/is_exploit>, or its output lines
 * "\tCVE-2023-38408\t9.8\thttps://vulners.com/cve/CVE-2023-38408". */
static kw_rc vulners_line(fimp_ctx *c, const nmap_where *w, const char *line)
{
    char id[FINDING_ID_MAX], url[512] = "";
    double score = -1;
    if (sscanf(line, " %127s %lf %511s", id, &score, url) < 2 || !is_cve(id))
        return KW_OK;
    return vuln_cve(c, w, "vulners", fimp_keep(c, id), score, url[0] ? fimp_keep(c, url) : NULL,
                    NULL);
}

static kw_rc for_lines(fimp_ctx *c, const nmap_where *w, const char *out,
                       kw_rc (*fn)(fimp_ctx *, const nmap_where *, const char *))
{
    for (const char *p = out; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char line[1024];
        if (n >= sizeof line)
            n = sizeof line - 1;
        memcpy(line, p, n);
        line[n] = '\0';
        kw_rc rc = fn(c, w, line);
        if (rc != KW_OK)
            return rc;
        p = nl ? nl + 1 : p + strlen(p);
    }
    return KW_OK;
}

static kw_rc vulners(fimp_ctx *c, const nmap_where *w, xmlNode *s)
{
    if (!fimp_xml_child(s, "table"))
        return for_lines(c, w, fimp_xml_attr(s, "output"), vulners_line);
    for (xmlNode *cpe = fimp_xml_child(s, "table"); cpe; cpe = fimp_xml_next(cpe, "table"))
        for (xmlNode *t = fimp_xml_child(cpe, "table"); t; t = fimp_xml_next(t, "table")) {
            const char *id = fimp_keep(c, elem(c, t, "id")), *type = elem(c, t, "type");
            if (!id || (!is_cve(id) && !(type && strcmp(type, "cve") == 0)))
                continue;
            double score = -1;
            const char *cvss = elem(c, t, "cvss"), *exploit = elem(c, t, "is_exploit");
            if (!fimp_parse_double(cvss, &score) || score < 0 || score > 10)
                score = -1;
            const char *ev = fimp_keep(
                c, exploit && strcmp(exploit, "true") == 0 ? "vulners: an exploit is published" : NULL);
            const char *ref = fimp_keep(c, fimp_printf(c, "https://vulners.com/cve/%s", id));
            kw_rc rc = vuln_cve(c, w, "vulners", id, score, ref, ev);
            if (rc != KW_OK)
                return rc;
        }
    return KW_OK;
}

/* vulscan: lines "[CVE-2014-9278] The OpenSSH server ..." (no score: medium). */
static kw_rc vulscan_line(fimp_ctx *c, const nmap_where *w, const char *line)
{
    const char *p = line + strspn(line, " \t");
    const char *rb = *p == '[' ? strchr(p, ']') : NULL;
    if (!rb || rb - p - 1 <= 4 || rb - p - 1 >= FINDING_ID_MAX)
        return KW_OK;
    const char *id = fimp_keep(c, fimp_strndup(c, p + 1, (size_t)(rb - p - 1)));
    if (!is_cve(id))
        return KW_OK;
    const char *desc = fimp_keep(c, fimp_trim(c, rb + 1));
    return vuln_cve(c, w, "vulscan", id, -1, NULL, desc);
}

static bool legacy_protocol(const char *p)
{
    return p && (strcmp(p, "SSLv2") == 0 || strcmp(p, "SSLv3") == 0 || strcmp(p, "TLSv1.0") == 0 ||
                 strcmp(p, "TLSv1.1") == 0);
}

/* The ciphers graded below A in one protocol table, into b. */
static void weak_ciphers(fimp_ctx *c, xmlNode *proto, const char *pname, kw_buf *b)
{
    for (xmlNode *t = fimp_xml_child(table(proto, "ciphers"), "table"); t;
         t = fimp_xml_next(t, "table")) {
        const char *grade = elem(c, t, "strength"), *name = elem(c, t, "name");
        if (!grade || !name || strcmp(grade, "A") == 0)
            continue;
        fimp_buf_add(b, fimp_printf(c, "%s %s (%s)\n", pname, name, grade), EVIDENCE_MAX);
    }
    const char *warn = elems(c, table(proto, "warnings"), "; ");
    if (warn)
        fimp_buf_add(b, fimp_printf(c, "%s: %s\n", pname, warn), EVIDENCE_MAX);
}

static kw_rc tls_finding(fimp_ctx *c, const nmap_where *w, const char *id, finding_sev sev,
                         const char *title, const char *evidence)
{
    finding f;
    base(&f, w);
    f.vuln_id = id;
    f.category = "weak_tls";
    f.severity = sev;
    f.title = title;
    f.evidence = evidence;
    return fimp_emit(c, &f);
}

static kw_rc ciphers(fimp_ctx *c, const nmap_where *w, xmlNode *s)
{
    kw_buf legacy, weak;
    kw_buf_init(&legacy, 256);
    kw_buf_init(&weak, EVIDENCE_MAX);
    finding_sev lsev = FINDING_MEDIUM;
    for (xmlNode *t = fimp_xml_child(s, "table"); t; t = fimp_xml_next(t, "table")) {
        const char *pname = fimp_xml_attr(t, "key");
        if (!pname)
            continue;
        if (legacy_protocol(pname)) {
            fimp_buf_add(&legacy, legacy.len ? " " : "", 256);
            fimp_buf_add(&legacy, pname, 256);
            if (strncmp(pname, "SSL", 3) == 0)
                lsev = FINDING_HIGH;
        }
        weak_ciphers(c, t, pname, &weak);
    }
    const char *grade = fimp_keep(c, elem(c, s, "least strength"));
    const char *wev = weak.len ? fimp_keep(c, fimp_trim(c, weak.data)) : NULL;
    const char *lp = legacy.len ? fimp_keep(c, legacy.data) : NULL;
    kw_buf_free(&weak);
    kw_buf_free(&legacy);
    kw_rc rc = KW_OK;
    if (lp)
        rc = tls_finding(c, w, "NMAP-TLS-LEGACY-PROTOCOL", lsev,
                         fimp_printf(c, "legacy protocols offered on %d/%s: %s", w->port,
                                     w->transport, lp), NULL);
    if (rc == KW_OK && grade && *grade && strcmp(grade, "A") != 0) {
        finding_sev sev = strcmp(grade, "B") == 0   ? FINDING_LOW
                          : strcmp(grade, "F") == 0 ? FINDING_HIGH
                                                    : FINDING_MEDIUM;
        rc = tls_finding(c, w, "NMAP-TLS-WEAK-CIPHERS", sev,
                         fimp_printf(c, "weak TLS ciphers offered on %d/%s (least strength %s)",
                                     w->port, w->transport, grade), wev);
    }
    return rc;
}

static kw_rc weak_key(fimp_ctx *c, const nmap_where *w, const char *type, long bits)
{
    bool dsa = type && (strcmp(type, "ssh-dss") == 0 || strcasecmp(type, "DSA") == 0);
    bool rsa = type && (strcmp(type, "ssh-rsa") == 0 || strcasecmp(type, "RSA") == 0);
    if (!dsa && !(rsa && bits > 0 && bits < 2048))
        return KW_OK;
    finding f;
    base(&f, w);
    f.vuln_id = dsa ? "NMAP-SSH-DSA-HOSTKEY" : "NMAP-SSH-WEAK-RSA-HOSTKEY";
    f.category = "weak_tls";
    f.severity = rsa && bits < 1024 ? FINDING_HIGH : FINDING_MEDIUM;
    f.title = fimp_printf(c, "weak SSH host key on %d/%s: %s %ld bits", w->port, w->transport,
                          type, bits);
    return fimp_emit(c, &f);
}

/* ssh-hostkey output lines: "1024 d8:6c:... (DSA)". */
static kw_rc hostkey_line(fimp_ctx *c, const nmap_where *w, const char *line)
{
    long bits;
    char fp[200], type[32];
    if (sscanf(line, " %ld %199s (%31[^)])", &bits, fp, type) != 3)
        return KW_OK;
    return weak_key(c, w, fimp_keep(c, type), bits);
}

static kw_rc hostkey(fimp_ctx *c, const nmap_where *w, xmlNode *s)
{
    if (!fimp_xml_child(s, "table"))
        return for_lines(c, w, fimp_xml_attr(s, "output"), hostkey_line);
    for (xmlNode *t = fimp_xml_child(s, "table"); t; t = fimp_xml_next(t, "table")) {
        long bits = 0;
        const char *type = fimp_keep(c, elem(c, t, "type"));
        if (!fimp_parse_int(elem(c, t, "bits"), 1, 1 << 20, &bits))
            bits = 0;
        kw_rc rc = weak_key(c, w, type, bits);
        if (rc != KW_OK)
            return rc;
    }
    return KW_OK;
}

static bool vulnerable(const char *state)
{
    return state && (strncmp(state, "VULNERABLE", 10) == 0 ||
                     strncmp(state, "LIKELY VULNERABLE", 17) == 0);
}

/* The first CVE in an <table key="ids"> ("CVE:CVE-2014-0160"). */
static const char *first_cve(fimp_ctx *c, xmlNode *ids)
{
    for (xmlNode *e = fimp_xml_child(ids, "elem"); e; e = fimp_xml_next(e, "elem")) {
        const char *v = fimp_xml_text(c, e);
        if (v && strncmp(v, "CVE:", 4) == 0 && is_cve(v + 4))
            return v + 4;
    }
    return NULL;
}

static void vuln_severity(fimp_ctx *c, finding *f, xmlNode *t, const char *state)
{
    xmlNode *scores = table(t, "scores");
    const char *v3 = elem(c, scores, "CVSSv3"), *v2 = elem(c, scores, "CVSSv2");
    double s; /* "10.0 (HIGH) (AV:N/AC:L/AU:N/C:C/I:C/A:C)" */
    if ((v3 || v2) && sscanf(v3 ? v3 : v2, "%lf", &s) == 1 && s >= 0 && s <= 10) {
        f->score = s;
        f->score_version = v3 ? "3.0" : "2.0";
    }
    if (finding_sev_parse(elem(c, t, "risk_factor"), &f->severity))
        return;
    f->severity = f->score >= 0                        ? finding_sev_of_score(f->score)
                  : strncmp(state, "LIKELY", 6) == 0 ? FINDING_MEDIUM
                                                       : FINDING_HIGH;
}

/* One table of nmap's vulns library (state, title, ids, description, refs, scores). */
static kw_rc vuln_table(fimp_ctx *c, const nmap_where *w, const char *script, xmlNode *t,
                        const char *output)
{
    const char *state = elem(c, t, "state");
    if (!vulnerable(state))
        return KW_OK;
    finding f;
    base(&f, w);
    const char *cve = first_cve(c, table(t, "ids"));
    f.vuln_id = cve ? cve : fimp_printf(c, "NMAP-%s", fimp_slug(c, script));
    f.title = elem(c, t, "title");
    if (!f.title || !*f.title)
        f.title = fimp_printf(c, "%s: %s", script, state);
    xmlNode *d = table(t, "description");
    f.description = d ? elems(c, d, "\n") : elem(c, t, "description");
    f.reference = elems(c, table(t, "refs"), " ");
    vuln_severity(c, &f, t, state);
    f.category = fimp_category(0, f.title);
    f.evidence = fimp_cut(c, output, EVIDENCE_MAX);
    return fimp_emit(c, &f);
}

/* A vulns-library script without tables (older nmap): its output says "State: VULNERABLE". */
static kw_rc vuln_output(fimp_ctx *c, const nmap_where *w, const char *script, const char *out)
{
    const char *st = out ? strstr(out, "State: ") : NULL;
    if (!st || !vulnerable(st + 7))
        return KW_OK;
    finding f;
    base(&f, w);
    f.vuln_id = fimp_printf(c, "NMAP-%s", fimp_slug(c, script));
    f.title = fimp_printf(c, "%s: %s", script, strncmp(st + 7, "LIKELY", 6) == 0
                                                     ? "LIKELY VULNERABLE" : "VULNERABLE");
    f.severity = strncmp(st + 7, "LIKELY", 6) == 0 ? FINDING_MEDIUM : FINDING_HIGH;
    f.category = fimp_category(0, script);
    f.evidence = fimp_cut(c, out, EVIDENCE_MAX);
    return fimp_emit(c, &f);
}

static kw_rc vulns(fimp_ctx *c, const nmap_where *w, xmlNode *s, const char *id)
{
    const char *out = fimp_keep(c, fimp_xml_attr(s, "output"));
    if (!fimp_xml_child(s, "table"))
        return vuln_output(c, w, id, out);
    for (xmlNode *t = fimp_xml_child(s, "table"); t; t = fimp_xml_next(t, "table")) {
        kw_rc rc = vuln_table(c, w, id, t, out);
        if (rc != KW_OK)
            return rc;
    }
    return KW_OK;
}

static kw_rc script(fimp_ctx *c, const nmap_where *w, xmlNode *s)
{
    const char *id = fimp_xml_attr(s, "id");
    if (!id)
        return KW_OK;
    if (strcmp(id, "vulners") == 0)
        return vulners(c, w, s);
    if (strcmp(id, "vulscan") == 0)
        return for_lines(c, w, fimp_xml_attr(s, "output"), vulscan_line);
    if (strcmp(id, "ssl-enum-ciphers") == 0)
        return ciphers(c, w, s);
    if (strcmp(id, "ssh-hostkey") == 0)
        return hostkey(c, w, s);
    return vulns(c, w, s, id);
}

static kw_rc scripts(fimp_ctx *c, const nmap_where *w, xmlNode *parent)
{
    for (xmlNode *s = fimp_xml_child(parent, "script"); s; s = fimp_xml_next(s, "script")) {
        kw_rc rc = script(c, w, s);
        if (rc != KW_OK)
            return rc;
    }
    return KW_OK;
}

static kw_rc port(fimp_ctx *c, nmap_where w, xmlNode *p)
{
    c->st->records++;
    const char *state = fimp_xml_attr(fimp_xml_child(p, "state"), "state");
    if (!state || strcmp(state, "open") != 0)
        return KW_OK;
    long num;
    const char *pid = fimp_xml_attr(p, "portid"), *proto = fimp_xml_attr(p, "protocol");
    if (!fimp_parse_int(pid, 0, 65535, &num) || !proto)
        return fimp_fail(c, "host %s: <port> with portid \"%s\" protocol \"%s\"",
                         w.ip ? w.ip : "?", pid ? pid : "", proto ? proto : "");
    xmlNode *svc = fimp_xml_child(p, "service");
    w.port = (int)num;
    w.transport = proto;
    w.service = fimp_xml_attr(svc, "name");
    w.product = fimp_xml_attr(svc, "product");
    kw_rc rc = open_port(c, &w, svc);
    return rc == KW_OK ? scripts(c, &w, p) : rc;
}

static kw_rc cover_range(fimp_ctx *c, const nmap_where *w, const char *proto, const char *r)
{
    long lo, hi;
    const char *dash = strchr(r, '-');
    char a[8] = "", b[8] = "";
    size_t an = dash ? (size_t)(dash - r) : strlen(r);
    if (an == 0 || an >= sizeof a || (dash && strlen(dash + 1) >= sizeof b))
        return fimp_fail(c, "<scaninfo services>: bad range \"%s\"", r);
    memcpy(a, r, an);
    strcpy(b, dash ? dash + 1 : a);
    if (!fimp_parse_int(a, 0, 65535, &lo) || !fimp_parse_int(b, lo, 65535, &hi))
        return fimp_fail(c, "<scaninfo services>: bad range \"%s\"", r);
    if (hi == 0)
        return KW_OK; /* port 0 alone: 0-0 would mean the whole asset */
    finding_cover cv = {.scanner = SCANNER, .host = w->host, .ip = w->ip, .transport = proto,
                        .port_lo = lo ? (int)lo : 1, .port_hi = (int)hi};
    return fimp_cover(c, &cv);
}

static kw_rc covers(fimp_ctx *c, const nmap_where *w, xmlNode *root)
{
    for (xmlNode *si = fimp_xml_child(root, "scaninfo"); si; si = fimp_xml_next(si, "scaninfo")) {
        const char *proto = fimp_xml_attr(si, "protocol"), *svc = fimp_xml_attr(si, "services");
        if (!proto || !svc)
            continue;
        for (const char *p = svc; *p;) {
            size_t n = strcspn(p, ",");
            char r[32];
            if (n >= sizeof r)
                return fimp_fail(c, "<scaninfo services>: bad range at offset %zu",
                                 (size_t)(p - svc));
            memcpy(r, p, n);
            r[n] = '\0';
            kw_rc rc = n ? cover_range(c, w, proto, r) : KW_OK;
            if (rc != KW_OK)
                return rc;
            p += n + (p[n] == ',');
        }
    }
    return KW_OK;
}

/* The host's address (ipv4 or ipv6, not mac) and its name (the one the user gave, else the
 * first). */
static void host_names(xmlNode *h, nmap_where *w)
{
    for (xmlNode *a = fimp_xml_child(h, "address"); a; a = fimp_xml_next(a, "address")) {
        const char *t = fimp_xml_attr(a, "addrtype");
        if (!w->ip && t && (strcmp(t, "ipv4") == 0 || strcmp(t, "ipv6") == 0))
            w->ip = fimp_xml_attr(a, "addr");
    }
    xmlNode *names = fimp_xml_child(h, "hostnames");
    for (xmlNode *n = fimp_xml_child(names, "hostname"); n; n = fimp_xml_next(n, "hostname")) {
        const char *t = fimp_xml_attr(n, "type");
        if (!w->host || (t && strcmp(t, "user") == 0))
            w->host = fimp_xml_attr(n, "name");
    }
}

static kw_rc host(fimp_ctx *c, xmlNode *root, xmlNode *h)
{
    const char *state = fimp_xml_attr(fimp_xml_child(h, "status"), "state");
    if (state && strcmp(state, "up") != 0)
        return KW_OK;
    nmap_where w = {0};
    host_names(h, &w);
    if (!w.ip && !w.host)
        return fimp_fail(c, "line %d: <host> without an address", (int)xmlGetLineNo(h));
    kw_rc rc = KW_OK;
    xmlNode *ports = fimp_xml_child(h, "ports");
    for (xmlNode *p = fimp_xml_child(ports, "port"); p && rc == KW_OK; p = fimp_xml_next(p, "port"))
        rc = port(c, w, p);
    if (rc == KW_OK)
        rc = scripts(c, &w, fimp_xml_child(h, "hostscript"));
    return rc == KW_OK ? covers(c, &w, root) : rc;
}

kw_rc fimp_nmap(fimp_ctx *c, const char *buf, size_t n)
{
    xmlDoc *doc = NULL;
    xmlNode *root = NULL;
    kw_rc rc = fimp_xml_parse(c, buf, n, "nmaprun", NULL, &doc, &root);
    for (xmlNode *h = fimp_xml_child(root, "host"); h && rc == KW_OK; h = fimp_xml_next(h, "host"))
        rc = host(c, root, h);
    xmlFreeDoc(doc);
    return rc;
}
