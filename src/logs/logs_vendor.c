/* Security devices: CEF, LEEF, Cisco ASA/FTD, FortiGate, Palo Alto PAN-OS, Huawei USG, H3C
 * Comware, Suricata EVE. References: ArcSight CEF 25, IBM LEEF 2.0, Cisco's ASA syslog message
 * guide, the FortiOS log reference, the PAN-OS syslog field descriptions, Huawei's and H3C's
 * log references, Suricata's EVE format. */
#include "logs/logs.h"
#include "logs/logs_kv.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIT(s) s, sizeof(s) - 1

static bool starts(const char *p, size_t n, const char *lit, size_t ln) { return n >= ln && memcmp(p, lit, ln) == 0; }
static bool isdig(char c) { return c >= '0' && c <= '9'; }
static bool key_is(const char *k, size_t kn, const char *s) { return strlen(s) == kn && memcmp(k, s, kn) == 0; }

/* Copies p[0..n) into scratch without the backslash escapes CEF uses (\| \\ \= \n \r). */
static log_val unescape(log_rec *r, const char *p, size_t n)
{
    if (!memchr(p, '\\', n))
        return (log_val){p, (uint32_t)n};
    char *d = log_scratch(r, n);
    if (!d)
        return (log_val){p, (uint32_t)n};
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\\' && i + 1 < n) {
            i++;
            d[k++] = p[i] == 'n' ? '\n' : p[i] == 'r' ? '\r' : p[i];
        } else {
            d[k++] = p[i];
        }
    }
    return (log_val){d, (uint32_t)k};
}

/* Splits a '|'-separated header with \| escapes: fills parts[] (at most max), returns the
 * count and where the rest begins. */
static int split_header(const char *p, size_t n, log_val *parts, int max, size_t *rest)
{
    int np = 0;
    size_t start = 0;
    for (size_t i = 0; i < n && np < max; i++) {
        if (p[i] == '\\') {
            i++;
            continue;
        }
        if (p[i] == '|') {
            parts[np++] = (log_val){p + start, (uint32_t)(i - start)};
            start = i + 1;
        }
    }
    *rest = start;
    return np;
}

/* ---- CEF ---- */

/* Extension keys with a plain ECS home; `lower` when the value is lower-cased. */
typedef struct key_map {
    const char *key;
    log_field field;
    bool lower;
} key_map;

/* Sets the field the table gives for key; false if the table has no such key. */
static bool map_key(log_rec *r, const key_map *m, const char *k, size_t kn, log_val v)
{
    for (; m->key; m++)
        if (key_is(k, kn, m->key)) {
            log_set(r, m->field, m->lower ? log_lower(r, v.p, v.n) : v.p, v.n);
            return true;
        }
    return false;
}

static const key_map cef_keys[] = {
    {"src", LF_SOURCE_IP}, {"c6a2", LF_SOURCE_IP}, {"spt", LF_SOURCE_PORT},
    {"dst", LF_DEST_IP}, {"c6a3", LF_DEST_IP}, {"dpt", LF_DEST_PORT},
    {"suser", LF_USER_NAME}, {"app", LF_NETWORK_PROTOCOL, true}, {"request", LF_URL_ORIGINAL},
    {"requestMethod", LF_HTTP_METHOD}, {"requestClientApplication", LF_USER_AGENT}, {"msg", LF_MESSAGE},
    {"dvchost", LF_OBSERVER_NAME}, {"outcome", LF_EVENT_OUTCOME, true}, {"cat", LF_RULE_CATEGORY},
    {"fname", LF_FILE_PATH}, {"filePath", LF_FILE_PATH}, {"deviceInboundInterface", LF_OBSERVER_INGRESS},
    {"deviceOutboundInterface", LF_OBSERVER_EGRESS}, {"sourceTranslatedAddress", LF_SOURCE_NAT_IP},
    {NULL},
};

static const key_map leef_keys[] = {
    {"src", LF_SOURCE_IP}, {"dst", LF_DEST_IP}, {"srcPort", LF_SOURCE_PORT}, {"dstPort", LF_DEST_PORT},
    {"usrName", LF_USER_NAME}, {"accountName", LF_USER_NAME}, {"cat", LF_RULE_CATEGORY},
    {"url", LF_URL_ORIGINAL}, {"identHostName", LF_OBSERVER_NAME}, {"devName", LF_OBSERVER_NAME},
    {"srcPreNAT", LF_SOURCE_NAT_IP}, {"msg", LF_MESSAGE},
    {NULL},
};

static void cef_field(log_rec *r, const char *k, size_t kn, log_val v, const log_parse_opts *o)
{
    if (map_key(r, cef_keys, k, kn, v))
        return;
    if (key_is(k, kn, "duser")) /* the account acted on: the user, unless suser named one */
        log_set(r, log_has(r, LF_USER_NAME) ? LF_USER_TARGET : LF_USER_NAME, v.p, v.n);
    else if (key_is(k, kn, "act"))
        log_set_action(r, v.p, v.n);
    else if (key_is(k, kn, "proto"))
        log_set_transport(r, v.p, v.n);
    else if (key_is(k, kn, "rt") || key_is(k, kn, "end")) {
        int64_t ms;
        if (v.n >= 12 && v.n <= 13 && isdig(v.p[0])) {
            ms = 0;
            for (uint32_t i = 0; i < v.n && isdig(v.p[i]); i++)
                ms = ms * 10 + (v.p[i] - '0');
            r->ts_ms = ms;
            r->ts_from_line = true;
        } else if (log_parse_iso(v.p, v.n, o, &ms)) {
            r->ts_ms = ms;
            r->ts_from_line = true;
        }
        log_extra(r, k, kn, v.p, v.n);
    } else
        log_extra(r, k, kn, v.p, v.n);
}

bool log_parse_cef(log_rec *r, const char *m, size_t n, const log_parse_opts *o)
{
    log_val h[7];
    size_t rest;
    if (split_header(m, n, h, 7, &rest) != 7 || !starts(h[0].p, h[0].n, LIT("CEF:")))
        return false;
    log_set_str(r, LF_EVENT_DATASET, "cef");
    r->extra_ns = "cef";
    log_val v = unescape(r, h[1].p, h[1].n);
    log_set(r, LF_OBSERVER_VENDOR, v.p, v.n);
    v = unescape(r, h[2].p, h[2].n);
    log_set(r, LF_OBSERVER_PRODUCT, v.p, v.n);
    v = unescape(r, h[4].p, h[4].n);
    log_set(r, LF_EVENT_CODE, v.p, v.n);
    log_set(r, LF_RULE_ID, v.p, v.n);
    v = unescape(r, h[5].p, h[5].n);
    log_set(r, LF_RULE_NAME, v.p, v.n);
    log_set(r, LF_MESSAGE, v.p, v.n);
    log_set_severity_word(r, h[6].p, h[6].n);
    /* extension: key=value, a value runs to the space before the next unescaped key= */
    const char *e = m + rest, *end = m + n;
    const char *key = NULL, *val = NULL;
    size_t keyn = 0;
    for (const char *p = e; p < end; p++) {
        if (*p == '\\') {
            p++;
            continue;
        }
        if (*p != '=')
            continue;
        const char *ks = p;
        while (ks > e && ks[-1] != ' ')
            ks--;
        if (key && ks <= val)
            continue; /* an unescaped '=' inside a value */
        if (key) {
            const char *ve = ks;
            while (ve > val && ve[-1] == ' ')
                ve--;
            cef_field(r, key, keyn, unescape(r, val, (size_t)(ve - val)), o);
        }
        key = ks;
        keyn = (size_t)(p - ks);
        val = p + 1;
    }
    if (key) {
        const char *ve = end;
        while (ve > val && (ve[-1] == ' ' || ve[-1] == '\r'))
            ve--;
        cef_field(r, key, keyn, unescape(r, val, (size_t)(ve - val)), o);
    }
    return true;
}

/* ---- LEEF ---- */

bool log_parse_leef(log_rec *r, const char *m, size_t n)
{
    log_val h[6];
    size_t rest;
    int np = split_header(m, n, h, 6, &rest);
    if (np < 5 || !starts(h[0].p, h[0].n, LIT("LEEF:")))
        return false;
    bool v2 = starts(h[0].p, h[0].n, LIT("LEEF:2"));
    char delim = '\t';
    if (v2 && np == 6) { /* LEEF 2.0: the sixth part names the delimiter: "^", "x5E" or "0x5E" */
        const char *d = h[5].p;
        size_t dn = h[5].n;
        if (dn == 1)
            delim = d[0];
        else if (dn >= 2 && (d[0] == 'x' || (d[0] == '0' && (d[1] == 'x' || d[1] == 'X')))) {
            const char *hx = d + (d[0] == 'x' ? 1 : 2);
            delim = (char)strtol((char[5]){hx[0], dn > 2 ? hx[1] : 0, 0}, NULL, 16);
        }
    } else if (np == 6) {
        rest = (size_t)(h[5].p - m); /* LEEF 1.0: the sixth '|' was inside the attributes */
    }
    log_set_str(r, LF_EVENT_DATASET, "leef");
    r->extra_ns = "leef";
    log_set(r, LF_OBSERVER_VENDOR, h[1].p, h[1].n);
    log_set(r, LF_OBSERVER_PRODUCT, h[2].p, h[2].n);
    log_set(r, LF_EVENT_CODE, h[4].p, h[4].n);
    log_set(r, LF_RULE_ID, h[4].p, h[4].n);
    log_set(r, LF_MESSAGE, m, n);
    const char *p = m + rest, *end = m + n;
    while (p < end) {
        const char *e = memchr(p, delim, (size_t)(end - p));
        if (!e)
            e = end;
        const char *eq = memchr(p, '=', (size_t)(e - p));
        if (eq) {
            const char *k = p, *v = eq + 1;
            size_t kn = (size_t)(eq - p), vn = (size_t)(e - v);
            if (map_key(r, leef_keys, k, kn, (log_val){v, (uint32_t)vn}))
                ;
            else if (key_is(k, kn, "proto"))
                log_set_transport(r, v, vn);
            else if (key_is(k, kn, "sev")) {
                int sv = 0;
                for (size_t i = 0; i < vn && i < 2 && isdig(v[i]); i++)
                    sv = sv * 10 + (v[i] - '0');
                log_set_severity10(r, sv);
            } else if (key_is(k, kn, "action") || key_is(k, kn, "act"))
                log_set_action(r, v, vn);
            else
                log_extra(r, k, kn, v, vn);
        }
        p = e + 1;
    }
    return true;
}

/* ---- Cisco ASA / FTD / PIX ---- */

/* "[IF:]IP/PORT" at p; returns true and sets the pair. */
static bool asa_endpoint(const char *p, const char *end, log_val *ip, log_val *port, log_val *iface)
{
    const char *e = p;
    while (e < end && *e != ' ' && *e != ',' && *e != ')' && *e != '(')
        e++;
    const char *colon = memchr(p, ':', (size_t)(e - p));
    const char *slash = NULL;
    for (const char *q = e; q > p; q--)
        if (q[-1] == '/') {
            slash = q - 1;
            break;
        }
    const char *ipb = p;
    if (colon && (!slash || colon < slash) && !log_is_ip(p, (size_t)((slash ? slash : e) - p))) {
        iface->p = p;
        iface->n = (uint32_t)(colon - p);
        ipb = colon + 1;
    } else {
        iface->n = 0;
    }
    const char *ipe = slash ? slash : e;
    if (!log_is_ip(ipb, (size_t)(ipe - ipb)))
        return false;
    ip->p = ipb;
    ip->n = (uint32_t)(ipe - ipb);
    port->n = 0;
    if (slash) {
        const char *pe = slash + 1;
        while (pe < e && isdig(*pe))
            pe++;
        port->p = slash + 1;
        port->n = (uint32_t)(pe - slash - 1);
    }
    return true;
}

/* The identity firewall's user after an endpoint: "IF:IP/PORT(DOMAIN\\USER)"; the user. */
static bool asa_endpoint_user(const char *p, const char *end, log_val *user)
{
    const char *e = p;
    while (e < end && *e != ' ' && *e != ',' && *e != '(')
        e++;
    if (e >= end || *e != '(')
        return false;
    const char *close = memchr(e, ')', (size_t)(end - e)), *bs = NULL;
    for (const char *q = e + 1; close && q < close && !bs; q++)
        bs = *q == '\\' ? q : NULL;
    if (!bs || close - bs < 2)
        return false;
    *user = (log_val){bs + 1, (uint32_t)(close - bs - 1)};
    return true;
}

static void asa_pair(log_rec *r, const char *a, const char *b, const char *end, bool swap)
{
    log_val ip1, p1, if1, ip2, p2, if2, user;
    bool ok1 = asa_endpoint(a, end, &ip1, &p1, &if1), ok2 = asa_endpoint(b, end, &ip2, &p2, &if2);
    if (ok1 != ok2 && !swap) { /* an object name at one end ("dst FE_xUI:Server_Windows/15000"): the other */
        log_val ip = ok1 ? ip1 : ip2, port = ok1 ? p1 : p2;
        log_set(r, ok1 ? LF_SOURCE_IP : LF_DEST_IP, ip.p, ip.n);
        if (port.n && isdig(port.p[0]))
            log_set(r, ok1 ? LF_SOURCE_PORT : LF_DEST_PORT, port.p, port.n);
        return;
    }
    if (!ok1 || !ok2)
        return;
    if (asa_endpoint_user(a, end, &user) || asa_endpoint_user(b, end, &user))
        log_set(r, LF_USER_NAME, user.p, user.n);
    if (swap) {
        log_val t = ip1;
        ip1 = ip2, ip2 = t;
        t = p1, p1 = p2, p2 = t;
        t = if1, if1 = if2, if2 = t;
    }
    log_set(r, LF_SOURCE_IP, ip1.p, ip1.n);
    if (p1.n)
        log_set(r, LF_SOURCE_PORT, p1.p, p1.n);
    log_set(r, LF_DEST_IP, ip2.p, ip2.n);
    if (p2.n && isdig(p2.p[0]))
        log_set(r, LF_DEST_PORT, p2.p, p2.n);
    if (if1.n)
        log_set(r, LF_OBSERVER_INGRESS, if1.p, if1.n);
    if (if2.n)
        log_set(r, LF_OBSERVER_EGRESS, if2.p, if2.n);
}

/* 106100: "IF/IP(PORT) -> IF/IP(PORT)" around the arrow at x. */
static void asa_arrow(log_rec *r, const char *t, const char *x, const char *end)
{
    const char *a = x;
    while (a > t && a[-1] != ' ')
        a--;
    const char *b = x + 4;
    log_val ips[2], ports[2], ifs[2];
    const char *ends[2] = {x, end};
    const char *starts_[2] = {a, b};
    int ok = 0;
    for (int i = 0; i < 2; i++) {
        const char *s = starts_[i], *e = ends[i];
        const char *sl = memchr(s, '/', (size_t)(e - s));
        const char *par = sl ? memchr(sl, '(', (size_t)(e - sl)) : NULL;
        const char *cp = par ? memchr(par, ')', (size_t)(e - par)) : NULL;
        if (!cp)
            break;
        ifs[i] = (log_val){s, (uint32_t)(sl - s)};
        ips[i] = (log_val){sl + 1, (uint32_t)(par - sl - 1)};
        ports[i] = (log_val){par + 1, (uint32_t)(cp - par - 1)};
        if (log_is_ip(ips[i].p, ips[i].n))
            ok++;
    }
    if (ok == 2) {
        log_set(r, LF_SOURCE_IP, ips[0].p, ips[0].n);
        log_set(r, LF_SOURCE_PORT, ports[0].p, ports[0].n);
        log_set(r, LF_DEST_IP, ips[1].p, ips[1].n);
        log_set(r, LF_DEST_PORT, ports[1].p, ports[1].n);
        log_set(r, LF_OBSERVER_INGRESS, ifs[0].p, ifs[0].n);
        log_set(r, LF_OBSERVER_EGRESS, ifs[1].p, ifs[1].n);
    }
}

/* "%ASA-6-302013:", "%ASA-session-5-106100:" (the message class, when logging is set to show
 * it), "%FTD-1-430002:". Sets the product, level and code; returns where the text starts. */
static const char *asa_header(log_rec *r, const char *m, size_t n, log_val *id)
{
    static const char *const prods[] = {"ASA", "FTD", "PIX", "FWSM"};
    const char *end = m + n, *p = NULL, *prod = NULL;
    for (size_t i = 0; i < sizeof prods / sizeof prods[0] && !p; i++) {
        size_t pl = strlen(prods[i]);
        if (n > pl + 1 && m[0] == '%' && memcmp(m + 1, prods[i], pl) == 0 && m[pl + 1] == '-')
            p = m + pl + 2, prod = prods[i];
    }
    if (!p)
        return NULL;
    const char *c = p;
    while (c < end && c - p < 24 && ((*c >= 'a' && *c <= 'z') || *c == '_'))
        c++;
    if (c > p && c < end && *c == '-')
        p = c + 1;
    if (p + 3 > end || !isdig(p[0]) || p[1] != '-')
        return NULL;
    const char *ide = p + 2;
    while (ide < end && isdig(*ide))
        ide++;
    if (ide == p + 2 || ide >= end || (*ide != ':' && !(*ide == ' ' && ide - p - 2 == 6))) /* "...-401004 Shunned" */
        return NULL;
    *id = (log_val){p + 2, (uint32_t)(ide - p - 2)};
    log_set_str(r, LF_EVENT_DATASET, "cisco.asa");
    log_set_str(r, LF_OBSERVER_VENDOR, "Cisco");
    log_set_str(r, LF_OBSERVER_PRODUCT, prod);
    log_set_str(r, LF_LOG_LEVEL, log_syslog_levels[(p[0] - '0') & 7]);
    log_set(r, LF_EVENT_CODE, id->p, id->n);
    if (log_has(r, LF_HOST_NAME))
        log_set(r, LF_OBSERVER_NAME, r->f[LF_HOST_NAME].p, r->f[LF_HOST_NAME].n);
    const char *t = ide + 1;
    while (t < end && *t == ' ')
        t++;
    return t;
}

/* FTD's connection, intrusion, file and malware events (430001-430005): "Key: value, ...".
 * rule.name is the access control rule (the policy) when the event names one, else the
 * intrusion signature (Cisco's FTD syslog guide, "Connection and Security Event Fields"). */
static const log_kv_field ftd_fields[] = {
    {"SrcIP", LF_SOURCE_IP, KV_STR},
    {"DstIP", LF_DEST_IP, KV_STR},
    {"SrcPort", LF_SOURCE_PORT, KV_STR},
    {"DstPort", LF_DEST_PORT, KV_STR},
    {"Protocol", LF_NETWORK_TRANSPORT, KV_TRANSPORT},
    {"IngressInterface", LF_OBSERVER_INGRESS, KV_STR},
    {"EgressInterface", LF_OBSERVER_EGRESS, KV_STR},
    {"AccessControlRuleAction", LF_EVENT_ACTION, KV_ACTION},
    {"AccessControlRuleName", LF_RULE_NAME, KV_STR},
    {"Message", LF_RULE_NAME, KV_IFEMPTY},
    {"ThreatName", LF_RULE_NAME, KV_IFEMPTY},
    {"SID", LF_RULE_ID, KV_STR},
    {"Classification", LF_RULE_CATEGORY, KV_STR},
    {"User", LF_USER_NAME, KV_USER},
    {"URL", LF_URL_ORIGINAL, KV_STR},
    {"UserAgent", LF_USER_AGENT, KV_STR},
    {"HTTPResponse", LF_HTTP_STATUS, KV_STR},
    {"ApplicationProtocol", LF_NETWORK_PROTOCOL, KV_LOWER},
    {"FileName", LF_FILE_PATH, KV_STR},
    {"AccessControlRuleReason", LF_EVENT_REASON, KV_STR},
    {NULL, 0, 0},
};
static const log_kv_table ftd_table = {NULL, NULL, NULL, "cisco", ',', ':', ftd_fields};

static void ftd_event(log_rec *r, const char *t, size_t tn, int code)
{
    log_kv_apply(r, &ftd_table, t, tn, NULL);
    if (code == 430001) {
        log_set_str(r, LF_EVENT_CATEGORY, "intrusion_detection");
        if (!log_has(r, LF_EVENT_ACTION))
            log_set_str(r, LF_EVENT_ACTION, "alert");
    } else if (code == 430004 || code == 430005) {
        log_set_str(r, LF_EVENT_CATEGORY, code == 430005 ? "malware" : "file");
    }
}

/* "IP/PORT" or "IF:IP/PORT" words after faddr and laddr (302020/302021 ICMP); an inbound
 * connection's foreign end started it. */
static bool asa_icmp(log_rec *r, const char *t, size_t tn, bool outbound)
{
    const char *f = log_find(t, tn, "faddr "), *l = log_find(t, tn, "laddr ");
    if (!f || !l)
        return false;
    const char *end = t + tn;
    asa_pair(r, outbound ? l + 6 : f + 6, outbound ? f + 6 : l + 6, end, false);
    return true;
}

/* "from A on interface IF": who sent what was denied, and where it came in. */
static void asa_from_interface(log_rec *r, const char *a, const char *on, const char *end)
{
    log_val ip, port, iface;
    if (!asa_endpoint(a, on, &ip, &port, &iface))
        return;
    log_set(r, LF_SOURCE_IP, ip.p, ip.n);
    const char *ifn = on + 14, *e = ifn;
    while (e < end && *e != ' ' && *e != ',')
        e++;
    if (e > ifn)
        log_set(r, LF_OBSERVER_INGRESS, ifn, (size_t)(e - ifn));
}

/* 111002-111007: "A Erase configuration", "A end configuration: OK", "Begin configuration: A
 * reading from ...". */
static bool code_is_config(const char *t, size_t tn)
{
    return starts(t, tn, LIT("Begin configuration: ")) || log_find(t, tn < 48 ? tn : 48, " Erase configuration") ||
           log_find(t, tn < 48 ? tn : 48, " end configuration");
}

/* The two ends, in the message shapes the guide uses. */
static void asa_endpoints(log_rec *r, const char *t, size_t tn)
{
    const char *end = t + tn, *x, *d;
    bool outbound = log_find(t, tn < 40 ? tn : 40, "outbound") != NULL;
    if ((x = log_find(t, tn, "src ")) && (d = log_find(x, (size_t)(end - x), " dst "))) {
        asa_pair(r, x + 4, d + 5, end, false);
    } else if ((x = log_find(t, tn, " -> "))) {
        asa_arrow(r, t, x, end);
    } else if (tn && (t[0] == 'B' || t[0] == 'T') && log_find(t, tn < 48 ? tn : 48, "ICMP connection for faddr") &&
               asa_icmp(r, t, tn, outbound)) {
    } else if ((x = log_find(t, tn, " for ")) && (d = log_find(x + 5, (size_t)(end - x - 5), " to ")) &&
               (starts(t, tn, LIT("Built ")) || starts(t, tn, LIT("Teardown ")))) {
        asa_pair(r, x + 5, d + 4, end, outbound);
    } else if ((x = log_find(t, tn, " for ")) && (d = log_find(x + 5, (size_t)(end - x - 5), " to ")) &&
               starts(t, tn, LIT("Denied "))) {
        asa_pair(r, x + 5, d + 4, end, false); /* 313009 */
    } else if ((x = log_find(t, tn, " from ")) && (d = log_find(x + 6, (size_t)(end - x - 6), " to "))) {
        const char *a = x + 6; /* 313004: "from laddr A on interface IF to B" */
        if (starts(a, (size_t)(end - a), LIT("laddr ")) || starts(a, (size_t)(end - a), LIT("faddr ")))
            a += 6;
        asa_pair(r, a, d + 4, end, false);
    } else if ((x = log_find(t, tn, " from ")) && (d = log_find(x + 6, (size_t)(end - x - 6), " on interface "))) {
        asa_from_interface(r, x + 6, d, end); /* 313001, 313008: ICMP denied at an interface */
    } else if ((x = log_find(t, tn, "SRC ")) && (d = log_find(x, (size_t)(end - x), " DEST "))) {
        asa_pair(r, x + 4, d + 6, end, false); /* 304002 */
    } else if ((x = log_find(t, tn, "src = ")) && (d = log_find(x, (size_t)(end - x), "dest = "))) {
        asa_pair(r, x + 6, d + 7, end, false); /* 209005: "src = A, dest = B, proto = UDP" */
    } else if (starts(t, tn, LIT("Shunned packet: ")) && (d = log_find(t, tn, " = "))) {
        asa_pair(r, t + 16, d + 3, end, false); /* 401004: "Shunned packet: A = B on interface IF" */
    } else if ((x = log_find(t, tn, "remote-peer = "))) { /* 603xxx PPTP/L2TP/PPPoE: the peer connects */
        log_val ip, port, iface;
        if (asa_endpoint(x + 14, end, &ip, &port, &iface))
            log_set(r, LF_SOURCE_IP, ip.p, ip.n);
    } else if ((x = log_find(t, tn, "(from "))) { /* 308001: "... incorrect for N tries (from A)" */
        log_val ip, port, iface;
        if (asa_endpoint(x + 6, end, &ip, &port, &iface))
            log_set(r, LF_SOURCE_IP, ip.p, ip.n);
    } else if (code_is_config(t, tn)) {
        /* 111002-111007: the admin's address first, or after "Begin configuration: " */
        const char *a = starts(t, tn, LIT("Begin configuration: ")) ? t + 21 : t, *ae = a;
        while (ae < end && *ae != ' ')
            ae++;
        if (log_is_ip(a, (size_t)(ae - a)))
            log_set(r, LF_SOURCE_IP, a, (size_t)(ae - a));
    }
}

/* The value after a literal up to one of the stop bytes. */
static bool word_after(const char *t, size_t tn, const char *lit, const char *stops, log_val *out)
{
    const char *x = log_find(t, tn, lit);
    if (!x)
        return false;
    const char *v = x + strlen(lit), *end = t + tn, *e = v;
    while (e < end && !strchr(stops, *e))
        e++;
    *out = (log_val){v, (uint32_t)(e - v)};
    return e > v;
}

/* 716xxx: "Group G User U IP A ...": the word after "User " when " IP " follows it. */
static bool asa_user_ip(const char *t, size_t tn, log_val *out)
{
    const char *x = log_find(t, tn, " User ");
    if (!x)
        return false;
    const char *u = x + 6, *end = t + tn, *e = u;
    while (e < end && *e != ' ')
        e++;
    if (!starts(e, (size_t)(end - e), LIT(" IP ")) || e == u)
        return false;
    *out = (log_val){u, (uint32_t)(e - u)};
    return true;
}

/* Who: "user = U" (113004/5), "Username = U" (113019), "User <U>" (716xxx, 722xxx, 113039),
 * "Uname: U" (611101), 'for user "U"' (605004); and where from: "user IP = A", "IP = A",
 * "IP <A>". */
static void asa_user(log_rec *r, const char *t, size_t tn)
{
    log_val v;
    if (word_after(t, tn, "Username = ", ",", &v) || word_after(t, tn, "user = ", " ,", &v) ||
        word_after(t, tn, "User <", ">", &v) || word_after(t, tn, "Uname: ", " ,", &v) ||
        word_after(t, tn, "Username:", " ,", &v) || word_after(t, tn, "for user \"", "\"", &v) ||
        word_after(t, tn, "for user '", "'", &v) || word_after(t, tn, "User '", "'", &v) || asa_user_ip(t, tn, &v))
        if (!(v.n == 5 && memcmp(v.p, "*****", 5) == 0))
            log_set(r, LF_USER_NAME, v.p, v.n);
    if (!log_has(r, LF_SOURCE_IP) &&
        (word_after(t, tn, "user IP = ", " ,", &v) || word_after(t, tn, "IP = ", " ,", &v) ||
         word_after(t, tn, "IP <", ">", &v) || word_after(t, tn, "IP address: ", " ,", &v) ||
         word_after(t, tn, " IP ", " ,", &v)))
        log_set(r, LF_SOURCE_IP, v.p, v.n);
    /* 750xxx (IKEv2): "Local:A:P Remote:B:P Username:U": the remote peer is the source */
    if (!log_has(r, LF_SOURCE_IP) && word_after(t, tn, "Remote:", " ", &v))
        log_set_endpoint(r, v.p, v.n, LF_SOURCE_IP, LF_SOURCE_PORT);
    if (!log_has(r, LF_DEST_IP) && word_after(t, tn, "Local:", " ", &v))
        log_set_endpoint(r, v.p, v.n, LF_DEST_IP, LF_DEST_PORT);
}

/* The message classes whose text names a user or a VPN peer (AAA 109/113, login 605/611,
 * commands 111/502, IPsec 602/713/750/751, WebVPN and AnyConnect 716/722/734); connection and
 * ACL messages (106, 302, 305, ...) do not, and are most of the volume. */
static bool asa_has_user(int code)
{
    static const int16_t classes[] = {109, 111, 113, 502, 602, 605, 611, 713, 716, 722, 734, 750, 751};
    int cls = code / 1000;
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (classes[i] == cls)
            return true;
    return false;
}

/* 304001 "A Accessed URL B:http://..." and 304002 "Access denied URL http://... SRC A DEST B". */
static void asa_url(log_rec *r, const char *t, size_t tn, int code)
{
    const char *end = t + tn, *x;
    if (code == 304001 && (x = log_find(t, tn, " URL "))) {
        const char *u = x + 5, *c = u;
        while (c < end && *c != ' ' && !(*c == ':' && log_is_ip(u, (size_t)(c - u))))
            c++;
        const char *ip = t, *ipe = t;
        while (ipe < end && *ipe != ' ' && *ipe != '(')
            ipe++;
        const char *at = memchr(ip, '@', (size_t)(ipe - ip));
        if (at) { /* "user@address" */
            log_set(r, LF_USER_NAME, ip, (size_t)(at - ip));
            ip = at + 1;
        }
        log_set(r, LF_SOURCE_IP, ip, (size_t)(ipe - ip));
        const char *at2 = memchr(u, '@', (size_t)(end - u));
        if (at2 && at2 < c + 1 && !log_has(r, LF_USER_NAME)) { /* "user@dest:url" */
            log_set(r, LF_USER_NAME, u, (size_t)(at2 - u));
            u = at2 + 1;
            for (c = u; c < end && *c != ' ' && !(*c == ':' && log_is_ip(u, (size_t)(c - u))); c++)
                ;
        }
        if (c < end && *c == ':') {
            log_set(r, LF_DEST_IP, u, (size_t)(c - u));
            u = c + 1;
        }
        log_set(r, LF_URL_ORIGINAL, u, (size_t)(end - u));
        log_set_str(r, LF_EVENT_ACTION, "allow");
        log_set_str(r, LF_EVENT_CATEGORY, "web");
    } else if (code == 304002 && (x = log_find(t, tn, "URL "))) {
        const char *u = x + 4, *e = log_find(u, (size_t)(end - u), " SRC ");
        if (e)
            log_set(r, LF_URL_ORIGINAL, u, (size_t)(e - u));
        log_set_str(r, LF_EVENT_ACTION, "deny");
        log_set_str(r, LF_EVENT_CATEGORY, "web");
    }
}

/* The access list: 'access-group "NAME"' or "access-list NAME". */
static void asa_acl(log_rec *r, const char *t, size_t tn)
{
    log_val v;
    if (word_after(t, tn, "access-group \"", "\"", &v) || word_after(t, tn, "access-list ", " ", &v))
        log_set(r, LF_RULE_NAME, v.p, v.n);
}

/* The transport: the first protocol word among the first few. */
static void asa_transport(log_rec *r, const char *t, const char *end)
{
    const char *q = t;
    for (int words = 0; words < 8 && q < end; words++) {
        const char *we = memchr(q, ' ', (size_t)(end - q));
        size_t wn = (size_t)((we ? we : end) - q);
        if (log_ieq(q, wn, "ipv6-icmp") || log_ieq(q, wn, "icmpv6")) {
            log_set_str(r, LF_NETWORK_TRANSPORT, "ipv6-icmp");
            return;
        }
        if (wn >= 3 && wn <= 5 && (q[0] | 32) != 'x' &&
            (log_ieq(q, wn, "tcp") || log_ieq(q, wn, "udp") || log_ieq(q, wn, "icmp") || log_ieq(q, wn, "icmp6"))) {
            log_set(r, LF_NETWORK_TRANSPORT, log_lower(r, q, wn), wn);
            return;
        }
        if (!we)
            return;
        q = we + 1;
    }
}

/* What happened: the message id's class says where to look. */
static void asa_action(log_rec *r, const char *t, size_t tn, int code)
{
    int cls = code / 1000;
    bool auth = cls == 113 || cls == 605 || cls == 611 || cls == 716 || cls == 722 || cls == 109 || cls == 315;
    if (auth && (log_find(t, tn, "Rejected") || log_find(t, tn, "denied") || log_find(t, tn, "failed"))) {
        log_set_str(r, LF_EVENT_ACTION, "login");
        log_set_str(r, LF_EVENT_OUTCOME, "failure");
        log_set_str(r, LF_EVENT_CATEGORY, "authentication");
    } else if (auth && (log_find(t, tn, "Successful") || log_find(t, tn, "accepted") || log_find(t, tn, "succeeded") ||
                        log_find(t, tn, "permitted") || log_find(t, tn, "session started"))) {
        log_set_str(r, LF_EVENT_ACTION, "login");
        log_set_str(r, LF_EVENT_OUTCOME, "success");
        log_set_str(r, LF_EVENT_CATEGORY, "authentication");
    } else if (starts(t, tn, LIT("Deny")) || starts(t, tn, LIT("Denied")) || starts(t, tn, LIT("Drop")) ||
               (cls == 106 && log_find(t, tn < 80 ? tn : 80, "denied")) ||
               (cls != 302 && log_find(t, tn < 40 ? tn : 40, "Dropping"))) {
        log_set_str(r, LF_EVENT_ACTION, "deny");
    } else if (cls == 106 && log_find(t, tn < 80 ? tn : 80, "permitted")) {
        log_set_str(r, LF_EVENT_ACTION, "allow");
    } else if (starts(t, tn, LIT("Built "))) {
        log_set_str(r, LF_EVENT_ACTION, "allow");
    } else if (starts(t, tn, LIT("Teardown "))) {
        log_set_str(r, LF_EVENT_ACTION, "teardown");
    } else if (cls == 733 || cls == 400 || log_find(t, tn < 24 ? tn : 24, "[Scanning]")) {
        log_set_str(r, LF_EVENT_ACTION, "threat_detected");
        log_set_str(r, LF_EVENT_CATEGORY, "intrusion_detection");
    }
}

bool log_parse_asa(log_rec *r, const char *m, size_t n)
{
    log_val id;
    const char *t = asa_header(r, m, n, &id);
    if (!t)
        return false;
    const char *end = m + n;
    size_t tn = (size_t)(end - t);
    int code = 0;
    for (uint32_t i = 0; i < id.n && i < 7; i++)
        code = code * 10 + (id.p[i] - '0');
    log_set(r, LF_MESSAGE, t, tn);
    log_set_str(r, LF_EVENT_CATEGORY, "network");
    if (code >= 430001 && code <= 430005) {
        ftd_event(r, t, tn, code);
        return true;
    }
    if (code == 304001 || code == 304002)
        asa_url(r, t, tn, code);
    if (!log_has(r, LF_SOURCE_IP))
        asa_endpoints(r, t, tn);
    if (asa_has_user(code))
        asa_user(r, t, tn);
    asa_acl(r, t, tn);
    asa_transport(r, t, end);
    if (!log_has(r, LF_EVENT_ACTION))
        asa_action(r, t, tn, code);
    return true;
}

/* ---- key=value devices: FortiGate, Huawei, H3C ---- */

typedef void (*kv_fn)(log_rec *r, const char *k, size_t kn, log_val v, void *arg);

/* FortiGate: key=value or key="quoted value", separated by spaces. */
static void kv_spaces(log_rec *r, const char *p, size_t n, kv_fn fn, void *arg)
{
    const char *end = p + n;
    while (p < end) {
        while (p < end && *p == ' ')
            p++;
        const char *k = p;
        while (p < end && *p != '=' && *p != ' ')
            p++;
        if (p >= end || *p != '=') {
            while (p < end && *p != ' ')
                p++;
            continue;
        }
        size_t kn = (size_t)(p - k);
        p++;
        log_val v;
        if (p < end && *p == '"') {
            const char *vs = ++p;
            while (p < end && !(*p == '"' && p[-1] != '\\'))
                p++;
            v = (log_val){vs, (uint32_t)(p - vs)};
            if (p < end)
                p++;
        } else {
            const char *vs = p;
            while (p < end && *p != ' ')
                p++;
            v = (log_val){vs, (uint32_t)(p - vs)};
        }
        if (kn)
            fn(r, k, kn, v, arg);
    }
}

typedef struct {
    const char *date, *time, *tz;
    size_t daten, timen, tzn;
    int64_t eventtime;
    const char *type;
    size_t typen;
    bool utm, login, failed;
} forti_state;

static void forti_kv(log_rec *r, const char *k, size_t kn, log_val v, void *arg)
{
    forti_state *s = arg;
    char key[32];
    log_norm_key(k, kn, key, sizeof key);
#define K(x) (strcmp(key, x) == 0)
    if (K("srcip"))
        log_set(r, LF_SOURCE_IP, v.p, v.n);
    else if (K("srcport"))
        log_set(r, LF_SOURCE_PORT, v.p, v.n);
    else if (K("dstip"))
        log_set(r, LF_DEST_IP, v.p, v.n);
    else if (K("remip")) /* VPN events: the peer is the one that connects */
        log_set(r, LF_SOURCE_IP, v.p, v.n);
    else if (K("locip"))
        log_set(r, LF_DEST_IP, v.p, v.n);
    else if (K("remport"))
        log_set(r, LF_SOURCE_PORT, v.p, v.n);
    else if (K("locport"))
        log_set(r, LF_DEST_PORT, v.p, v.n);
    else if (K("dstport"))
        log_set(r, LF_DEST_PORT, v.p, v.n);
    else if (K("proto"))
        log_set_transport(r, v.p, v.n);
    else if (K("action")) {
        if (v.n == 5 && memcmp(v.p, "login", 5) == 0)
            s->login = true;
        log_set_action(r, v.p, v.n);
    } else if (K("status") || K("result")) {
        if (log_set_outcome_word(r, v.p, v.n) && log_eq(r, LF_EVENT_OUTCOME, "failure"))
            s->failed = true;
        log_extra(r, k, kn, v.p, v.n);
    } else if (K("policyid"))
        log_set(r, LF_RULE_ID, v.p, v.n);
    else if (K("policyname")) {
        if (!log_has(r, LF_RULE_NAME))
            log_set(r, LF_RULE_NAME, v.p, v.n);
    } else if (K("attack") || K("virus")) {
        log_set(r, LF_RULE_NAME, v.p, v.n); /* the signature matters more than the policy */
        s->utm = true;
    } else if (K("attackid") || K("virusid")) {
        log_set(r, LF_RULE_ID, v.p, v.n);
    } else if (K("devname"))
        log_set(r, LF_OBSERVER_NAME, v.p, v.n);
    else if (K("devid"))
        log_set(r, LF_OBSERVER_SERIAL, v.p, v.n);
    else if (K("user") || K("srcuser") || K("xauthuser"))
        log_kv_set(r, LF_USER_NAME, KV_IFEMPTY_USER, v, NULL);
    else if (K("ui")) { /* an admin's session: "https(4.3.5.253)", "GUI(10.42.8.253)", "ssh(IP)" */
        const char *o = memchr(v.p, '(', v.n);
        if (o && v.n > 2 && v.p[v.n - 1] == ')' && !log_has(r, LF_SOURCE_IP) &&
            log_is_ip(o + 1, (size_t)(v.p + v.n - 1 - o - 1)))
            log_set(r, LF_SOURCE_IP, o + 1, (size_t)(v.p + v.n - 1 - o - 1));
    } else if (K("srcintf"))
        log_set(r, LF_OBSERVER_INGRESS, v.p, v.n);
    else if (K("dstintf"))
        log_set(r, LF_OBSERVER_EGRESS, v.p, v.n);
    else if (K("logid"))
        log_set(r, LF_EVENT_CODE, v.p, v.n);
    else if (K("level"))
        log_set(r, LF_LOG_LEVEL, v.p, v.n);
    else if (K("severity") || K("crlevel"))
        log_set_severity_word(r, v.p, v.n);
    else if (K("msg") || K("logdesc")) {
        if (!log_has(r, LF_MESSAGE) || K("msg"))
            log_set(r, LF_MESSAGE, v.p, v.n);
    } else if (K("service"))
        log_set(r, LF_NETWORK_PROTOCOL, log_lower(r, v.p, v.n), v.n);
    else if (K("url"))
        log_set(r, LF_URL_ORIGINAL, v.p, v.n);
    else if (K("transip"))
        log_set(r, LF_SOURCE_NAT_IP, v.p, v.n);
    else if (K("date"))
        s->date = v.p, s->daten = v.n;
    else if (K("time"))
        s->time = v.p, s->timen = v.n;
    else if (K("tz"))
        s->tz = v.p, s->tzn = v.n;
    else if (K("eventtime")) {
        /* seconds, milliseconds, microseconds or nanoseconds, by the number of digits */
        uint64_t t = 0;
        uint32_t nd = 0;
        while (nd < v.n && nd < 19 && isdig(v.p[nd]))
            t = t * 10 + (uint64_t)(v.p[nd++] - '0');
        if (nd == v.n && nd >= 9)
            s->eventtime = (int64_t)(nd >= 19 ? t / 1000000 : nd >= 16 ? t / 1000 : nd >= 13 ? t : t * 1000);
    } else if (K("type")) {
        s->type = v.p, s->typen = v.n;
        log_extra(r, k, kn, v.p, v.n);
    } else
        log_extra(r, k, kn, v.p, v.n);
#undef K
}

/* event.outcome on every line: the status when there is one, else what the verdict means for
 * the traffic (a session let through succeeded, a blocked one failed), else unknown. */
static void forti_outcome(log_rec *r, const forti_state *s)
{
    if (log_has(r, LF_EVENT_OUTCOME))
        return;
    bool traffic = s->type && s->typen == 7 && memcmp(s->type, "traffic", 7) == 0;
    if (log_eq(r, LF_EVENT_ACTION, "deny"))
        log_set_str(r, LF_EVENT_OUTCOME, "failure");
    else if (log_eq(r, LF_EVENT_ACTION, "allow") || (traffic && log_has(r, LF_EVENT_ACTION)))
        log_set_str(r, LF_EVENT_OUTCOME, "success"); /* server-rst, client-rst, timeout: it was let through */
    else
        log_set_str(r, LF_EVENT_OUTCOME, "unknown");
}

bool log_parse_fortigate(log_rec *r, const char *m, size_t n, const log_parse_opts *o)
{
    forti_state s = {0};
    log_set_str(r, LF_EVENT_DATASET, "fortinet.fortigate");
    log_set_str(r, LF_OBSERVER_VENDOR, "Fortinet");
    log_set_str(r, LF_OBSERVER_PRODUCT, "FortiGate");
    r->extra_ns = "fortinet";
    kv_spaces(r, m, n, forti_kv, &s);
    if (!log_has(r, LF_MESSAGE))
        log_set(r, LF_MESSAGE, m, n);
    if (s.eventtime > 0) {
        r->ts_ms = s.eventtime;
        r->ts_from_line = true;
    } else if (s.date && s.time && s.daten == 10 && s.timen >= 8) {
        char buf[40];
        snprintf(buf, sizeof buf, "%.10sT%.8s%.*s", s.date, s.time, s.tzn == 5 ? 5 : 0, s.tz ? s.tz : "");
        int64_t ms;
        if (log_parse_iso(buf, strlen(buf), o, &ms)) {
            r->ts_ms = ms;
            r->ts_from_line = true;
        }
    }
    forti_outcome(r, &s);
    if (s.login) {
        log_set_str(r, LF_EVENT_ACTION, "login");
        log_set_str(r, LF_EVENT_OUTCOME, s.failed ? "failure" : "success");
        log_set_str(r, LF_EVENT_CATEGORY, "authentication");
    } else if (s.utm) {
        log_set_str(r, LF_EVENT_CATEGORY, s.type && log_find(m, n, "subtype=\"virus\"") ? "malware" : "intrusion_detection");
    } else {
        log_set_str(r, LF_EVENT_CATEGORY, "network");
    }
    return true;
}

/* Huawei and H3C: "%%VVMODULE/SEV/MNEMONIC(x)[n]: k=v, k=v" or "Key(1003)=v;Key(1004)=v". */
typedef struct {
    bool deny, permit;
} vrp_state;

static void vrp_kv(log_rec *r, const char *k, size_t kn, log_val v, void *arg)
{
    vrp_state *s = arg;
    char key[40];
    /* H3C's "SrcIPAddr(1003)": drop the field number */
    const char *par = memchr(k, '(', kn);
    log_norm_key(k, par ? (size_t)(par - k) : kn, key, sizeof key);
    while (v.n && (v.p[v.n - 1] == '.' || v.p[v.n - 1] == ' ' || v.p[v.n - 1] == ')'))
        v.n--;
#define K(x) (strcmp(key, x) == 0)
    if (K("sourceip") || K("srcip") || K("srcipaddr") || K("srcaddr") || K("sourceaddress"))
        log_set(r, LF_SOURCE_IP, v.p, v.n);
    else if (K("destinationip") || K("dstip") || K("dstipaddr") || K("dstaddr") || K("destinationaddress") ||
             K("destip"))
        log_set(r, LF_DEST_IP, v.p, v.n);
    else if (K("sourceport") || K("srcport"))
        log_set(r, LF_SOURCE_PORT, v.p, v.n);
    else if (K("destinationport") || K("dstport") || K("destport"))
        log_set(r, LF_DEST_PORT, v.p, v.n);
    else if (K("protocol") || K("proto"))
        log_set_transport(r, v.p, v.n);
    else if (K("rulename") || K("policyname") || K("securitypolicy") || K("policy") || K("aclname") || K("acl"))
        log_set(r, LF_RULE_NAME, v.p, v.n);
    else if (K("ruleid") || K("policyid") || K("aclnumber"))
        log_set(r, LF_RULE_ID, v.p, v.n);
    else if (K("username") || K("user"))
        log_set(r, LF_USER_NAME, v.p, v.n);
    else if (K("ipaddress") || K("userip") || K("ip") || K("ipaddr") || K("sourceipaddress"))
        log_set(r, LF_SOURCE_IP, v.p, v.n);
    else if (K("application") || K("app"))
        log_set(r, LF_NETWORK_PROTOCOL, log_lower(r, v.p, v.n), v.n);
    else if (K("signname") || K("attackname") || K("threatname") || K("virusname"))
        log_set(r, LF_RULE_NAME, v.p, v.n);
    else if (K("event") || K("action")) {
        const char *vd = log_verdict(v.p, v.n);
        if (vd && vd[0] == 'd')
            s->deny = true;
        else if (vd)
            s->permit = true;
        log_extra(r, k, par ? (size_t)(par - k) : kn, v.p, v.n);
    } else if (K("srczonename") || K("sourcezone"))
        log_set(r, LF_OBSERVER_INGRESS, v.p, v.n);
    else if (K("dstzonename") || K("destinationzone"))
        log_set(r, LF_OBSERVER_EGRESS, v.p, v.n);
    else
        log_extra(r, k, par ? (size_t)(par - k) : kn, v.p, v.n);
#undef K
}

/* k=v pairs separated by ',' or ';' (values may hold spaces: "time=2019/1/12 16:10:32"). */
static void kv_commas(log_rec *r, const char *p, size_t n, kv_fn fn, void *arg)
{
    const char *end = p + n;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == ',' || *p == ';'))
            p++;
        const char *k = p;
        while (p < end && *p != '=' && *p != ',' && *p != ';')
            p++;
        if (p >= end || *p != '=')
            continue;
        const char *ke = p;
        while (ke > k && ke[-1] == ' ')
            ke--;
        for (const char *q = ke; q > k; q--) /* "The user succeeded. (UserName=admin, ...": the last word */
            if (q[-1] == ' ') {
                k = q;
                break;
            }
        if (k < ke && *k == '(')
            k++;
        const char *vs = ++p;
        while (p < end && *p != ',' && *p != ';')
            p++;
        if (ke > k && memchr(k, ' ', (size_t)(ke - k)) == NULL)
            fn(r, k, (size_t)(ke - k), (log_val){vs, (uint32_t)(p - vs)}, arg);
    }
}

/* The address after a literal: "from 10.1.1.1.", "from 10.1.1.1:51234", "IP: 10.1.1.1)". */
static void vrp_ip_after(log_rec *r, const char *t, const char *end, const char *lit)
{
    const char *x = log_find(t, (size_t)(end - t), lit);
    if (!x || log_has(r, LF_SOURCE_IP))
        return;
    x += strlen(lit);
    const char *e = x;
    while (e < end && *e != ' ' && *e != ')' && *e != ',' && *e != ';' && *e != ']' &&
           !(*e == '.' && (e + 1 == end || e[1] == ' ')))
        e++;
    const char *c = memchr(x, ':', (size_t)(e - x));
    if (c && memchr(c + 1, ':', (size_t)(e - c - 1)) == NULL && memchr(x, '.', (size_t)(c - x)))
        e = c; /* IPv4 with ":port" */
    log_set(r, LF_SOURCE_IP, x, (size_t)(e - x));
}

/* The user of a login message: "SSH user U", "for U from", "U failed to log in", "U logged in". */
static void vrp_user(log_rec *r, const char *t, const char *end)
{
    static const char *const after[] = {"[user: ", "SSH user ", "User ", "user ", "for user ", "password for ",
                                        "failed for ", "publickey for ", NULL};
    static const char *const before[] = {" failed to log in", " logged in", " logged out", " login", NULL};
    size_t tn = (size_t)(end - t);
    const char *x;
    for (int i = 0; after[i] && !log_has(r, LF_USER_NAME); i++)
        if ((x = log_find(t, tn, after[i]))) {
            const char *u = x + strlen(after[i]), *e = u;
            while (e < end && *e != ' ' && *e != ',' && *e != ';' && *e != '.' && *e != ']')
                e++;
            if (e > u)
                log_set(r, LF_USER_NAME, u, (size_t)(e - u));
        }
    for (int i = 0; before[i] && !log_has(r, LF_USER_NAME); i++)
        if ((x = log_find(t, tn, before[i]))) {
            const char *u = x;
            while (u > t && u[-1] != ' ' && u[-1] != ';')
                u--;
            if (x > u)
                log_set(r, LF_USER_NAME, u, (size_t)(x - u));
        }
}

/* Login and logout messages (H3C SHELL_LOGIN, SHELL_LOGINFAIL, SSHS_LOG, SSHS_AUTH_FAIL,
 * WEB LOGIN; Huawei SHELL/5/LOGIN, LINE/5/VTYUSERLOGIN): who, from where, and whether it
 * worked. False when the text says none of that. */
static bool vrp_login(log_rec *r, const char *t, const char *end, const char *mnem)
{
    size_t tn = (size_t)(end - t);
    bool out = strstr(mnem, "logout") || log_find(t, tn, "logged out");
    bool fail = strstr(mnem, "fail") || log_find(t, tn, "failed") || log_find(t, tn, "Failed") ||
                log_find(t, tn, " fail") || log_find(t, tn, "didn't pass") || log_find(t, tn, "wrong");
    bool ok = !fail && (log_find(t, tn, "Accepted ") || log_find(t, tn, "logged in") || log_find(t, tn, "succeeded") ||
                        log_find(t, tn, "successfully") || log_find(t, tn, "A user login") ||
                        (strlen(mnem) >= 5 && !strcmp(mnem + strlen(mnem) - 5, "login")));
    if (!out && !fail && !ok)
        return false;
    vrp_ip_after(r, t, end, "IP: ");
    vrp_ip_after(r, t, end, " from ");
    vrp_ip_after(r, t, end, "IPAddr=");
    vrp_ip_after(r, t, end, "[Source: ");
    vrp_user(r, t, end);
    log_set_str(r, LF_EVENT_ACTION, out ? "logout" : "login");
    log_set_str(r, LF_EVENT_OUTCOME, fail ? "failure" : "success");
    log_set_str(r, LF_EVENT_CATEGORY, "authentication");
    return true;
}

static bool parse_vrp(log_rec *r, const char *m, size_t n, const char *dataset, const char *vendor)
{
    const char *end = m + n;
    if (n < 8 || m[0] != '%' || m[1] != '%' || !isdig(m[2]) || !isdig(m[3]))
        return false;
    const char *mod = m + 4, *s1 = memchr(mod, '/', (size_t)(end - mod));
    if (!s1 || s1 + 3 > end || !isdig(s1[1]) || s1[2] != '/')
        return false;
    int sev = s1[1] - '0';
    const char *mn = s1 + 3, *mne = mn;
    while (mne < end && *mne != '(' && *mne != ':' && *mne != '[' && *mne != ' ')
        mne++;
    const char *colon = memchr(mne, ':', (size_t)(end - mne));
    if (!colon || colon - mne > 16)
        return false;
    log_set_str(r, LF_EVENT_DATASET, dataset);
    log_set_str(r, LF_OBSERVER_VENDOR, vendor);
    log_set_str(r, LF_LOG_LEVEL, log_syslog_levels[sev & 7]);
    log_set(r, LF_EVENT_CODE, mod, (size_t)(mne - mod));
    if (log_has(r, LF_HOST_NAME))
        log_set(r, LF_OBSERVER_NAME, r->f[LF_HOST_NAME].p, r->f[LF_HOST_NAME].n);
    r->extra_ns = strcmp(vendor, "H3C") == 0 ? "h3c" : "huawei";
    const char *t = colon + 1;
    while (t < end && *t == ' ')
        t++;
    log_set(r, LF_MESSAGE, t, (size_t)(end - t));
    vrp_state s = {0};
    if (memchr(t, '=', (size_t)(end - t)))
        kv_commas(r, t, (size_t)(end - t), vrp_kv, &s);
    char mnem[48];
    log_norm_key(mn, (size_t)(mne - mn), mnem, sizeof mnem);
    char module[24];
    log_norm_key(mod, (size_t)(s1 - mod), module, sizeof module);
    bool login = strstr(mnem, "login") || strstr(mnem, "logout") || strstr(mnem, "auth") || !strcmp(module, "sshs") ||
                 !strcmp(module, "shell") || !strcmp(module, "line");
    if (login && vrp_login(r, t, end, mnem)) {
    } else if (strstr(mnem, "deny") || strstr(mnem, "drop") || strstr(mnem, "block") || s.deny) {
        log_set_str(r, LF_EVENT_ACTION, "deny");
        log_set_str(r, LF_EVENT_CATEGORY, "network");
    } else if (strstr(mnem, "permit") || s.permit) {
        log_set_str(r, LF_EVENT_ACTION, "allow");
        log_set_str(r, LF_EVENT_CATEGORY, "network");
    } else if (!strcmp(module, "atk") || strstr(mnem, "attack") || strstr(mnem, "flood") || !strcmp(module, "ips") ||
               strstr(mnem, "atk")) {
        log_set_str(r, LF_EVENT_ACTION, "threat_detected");
        log_set_str(r, LF_EVENT_CATEGORY, "intrusion_detection");
        if (!log_has(r, LF_RULE_NAME))
            log_set(r, LF_RULE_NAME, mn, (size_t)(mne - mn));
    } else if (!strcmp(module, "av") || strstr(mnem, "virus")) {
        log_set_str(r, LF_EVENT_ACTION, "malware_detected");
        log_set_str(r, LF_EVENT_CATEGORY, "malware");
    }
    return true;
}

bool log_parse_huawei(log_rec *r, const char *m, size_t n)
{
    if (!parse_vrp(r, m, n, "huawei.usg", "Huawei"))
        return false;
    log_set_str(r, LF_OBSERVER_PRODUCT, "USG");
    return true;
}

bool log_parse_h3c(log_rec *r, const char *m, size_t n)
{
    if (!parse_vrp(r, m, n, "h3c.comware", "H3C"))
        return false;
    log_set_str(r, LF_OBSERVER_PRODUCT, "Comware");
    return true;
}

/* ---- Cisco IOS and Ruijie: "%SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: admin] [Source: ...]" ---- */

/* "%MODULE-N-MNEMONIC:": the code and level; returns where the text starts, NULL if none. */
static const char *ios_header(log_rec *r, const char *m, size_t n, log_val *mnem)
{
    const char *end = m + n, *p = m + 1;
    while (p < end && ((*p >= 'A' && *p <= 'Z') || isdig(*p) || *p == '_'))
        p++;
    if (p == m + 1 || p + 3 >= end || p[0] != '-' || !isdig(p[1]) || p[2] != '-')
        return NULL;
    const char *mn = p + 3, *mne = mn;
    while (mne < end && ((*mne >= 'A' && *mne <= 'Z') || isdig(*mne) || *mne == '_'))
        mne++;
    if (mne == mn || mne >= end || *mne != ':')
        return NULL;
    *mnem = (log_val){mn, (uint32_t)(mne - mn)};
    log_set(r, LF_EVENT_CODE, m + 1, (size_t)(mne - m - 1));
    log_set_str(r, LF_LOG_LEVEL, log_syslog_levels[(p[1] - '0') & 7]);
    const char *t = mne + 1;
    while (t < end && *t == ' ')
        t++;
    return t;
}

/* "list 101 denied tcp 10.1.1.1(1234) -> 10.2.2.2(80), 1 packet" (IOS ACL logging). */
static void ios_acl(log_rec *r, const char *t, const char *end)
{
    const char *x = log_find(t, (size_t)(end - t), "list ");
    if (!x)
        return;
    const char *nm = x + 5, *nme = nm;
    while (nme < end && *nme != ' ')
        nme++;
    log_set(r, LF_RULE_NAME, nm, (size_t)(nme - nm));
    const char *v = nme + 1, *ve = v;
    while (ve < end && *ve != ' ')
        ve++;
    log_set_action(r, v, (size_t)(ve - v));
    const char *pr = ve + 1, *pre = pr;
    while (pre < end && *pre != ' ')
        pre++;
    log_set_transport(r, pr, (size_t)(pre - pr));
    if (pre < end)
        log_set_flow(r, pre + 1, end);
    log_set_str(r, LF_EVENT_CATEGORY, "network");
}

/* IOS IPS: "Sig:3051 Subsig:1 Sev:4 TCP Connection Window Size DoS [192.168.100.11:51654 ->
 * 10.10.10.10:4444]" (%IPS-4-SIGNATURE, Cisco IOS IPS's alert message). */
static void ios_ips(log_rec *r, const char *t, const char *end)
{
    if (starts(t, (size_t)(end - t), LIT("Sig:"))) {
        const char *id = t + 4, *ie = id;
        while (ie < end && isdig(*ie))
            ie++;
        if (ie > id)
            log_set(r, LF_RULE_ID, id, (size_t)(ie - id));
    }
    const char *sev = log_find(t, (size_t)(end - t), "Sev:"), *name = sev, *b = NULL;
    if (sev && sev + 5 < end && isdig(sev[4])) { /* 0 information .. 5 high (IOS IPS severities) */
        log_set_str(r, LF_EVENT_SEVERITY, sev[4] >= '5' ? "3" : sev[4] >= '4' ? "2" : "1");
        name = sev + 5;
        while (name < end && (isdig(*name) || *name == ' '))
            name++;
    }
    for (const char *q = end; q > t; q--) /* the last [A:p -> B:q] */
        if (q[-1] == '[') {
            b = q - 1;
            break;
        }
    if (name && b && b > name)
        log_set(r, LF_RULE_NAME, name, (size_t)(b - name - (b[-1] == ' ')));
    if (b) {
        const char *be = memchr(b, ']', (size_t)(end - b));
        log_set_flow(r, b + 1, be ? be : end);
    }
    log_set_str(r, LF_EVENT_ACTION, "threat_detected");
    log_set_str(r, LF_EVENT_CATEGORY, "intrusion_detection");
}

bool log_parse_ios(log_rec *r, const char *m, size_t n)
{
    log_val mnem;
    if (n < 8 || m[0] != '%')
        return false;
    const char *t = ios_header(r, m, n, &mnem);
    if (!t)
        return false;
    const char *end = m + n;
    const log_val *h = &r->f[LF_HOST_NAME];
    bool ruijie = log_has(r, LF_HOST_NAME) && (log_find(h->p, h->n, "uijie") || log_find(h->p, h->n, "RG-"));
    log_set_str(r, LF_EVENT_DATASET, ruijie ? "ruijie" : "cisco.ios");
    log_set_str(r, LF_OBSERVER_VENDOR, ruijie ? "Ruijie" : "Cisco");
    if (log_has(r, LF_HOST_NAME))
        log_set(r, LF_OBSERVER_NAME, h->p, h->n);
    log_set(r, LF_MESSAGE, t, (size_t)(end - t));
    char mn[40];
    log_norm_key(mnem.p, mnem.n, mn, sizeof mn);
    if (strstr(mn, "accesslog"))
        ios_acl(r, t, end);
    else if (!strcmp(mn, "signature") && log_find(m, 5, "IPS"))
        ios_ips(r, t, end);
    else if (strstr(mn, "login") || strstr(mn, "logout") || strstr(mn, "auth"))
        vrp_login(r, t, end, mn);
    return true;
}

/* ---- Palo Alto PAN-OS CSV ---- */

/* Each log type's own columns (PAN-OS syslog field descriptions, 0-based: 0 is FUTURE_USE,
 * 1 receive time, 2 serial, 3 type, 4 subtype, 6 generated time for every type). */
typedef struct pan_col {
    uint8_t col;
    log_field field;
    log_kv_kind kind;
} pan_col;

/* TRAFFIC, THREAT and DECRYPTION share their first 31 columns. */
#define PAN_SESSION_COLS                                                                                          \
    {7, LF_SOURCE_IP, KV_STR}, {8, LF_DEST_IP, KV_STR}, {11, LF_RULE_NAME, KV_STR}, {12, LF_USER_NAME, KV_USER},    \
        {14, LF_NETWORK_PROTOCOL, KV_LOWER}, {18, LF_OBSERVER_INGRESS, KV_STR}, {19, LF_OBSERVER_EGRESS, KV_STR},  \
        {24, LF_SOURCE_PORT, KV_STR}, {25, LF_DEST_PORT, KV_STR}, {29, LF_NETWORK_TRANSPORT, KV_TRANSPORT},        \
        {30, LF_EVENT_ACTION, KV_ACTION}
static const pan_col pan_traffic[] = {PAN_SESSION_COLS, {31, LF_NETWORK_BYTES, KV_STR}, {34, LF_NETWORK_PACKETS, KV_STR}, {0}};
static const pan_col pan_threat[] = {PAN_SESSION_COLS, {31, LF_URL_ORIGINAL, KV_STR}, {34, LF_EVENT_SEVERITY, KV_SEVERITY}, {0}};
static const pan_col pan_decrypt[] = {PAN_SESSION_COLS, {0}};
static const pan_col pan_system[] = {{8, LF_EVENT_ACTION, KV_STR}, {13, LF_EVENT_SEVERITY, KV_SEVERITY},
                                     {14, LF_MESSAGE, KV_STR}, {0}};
static const pan_col pan_config[] = {{7, LF_SOURCE_IP, KV_STR}, {9, LF_EVENT_ACTION, KV_STR}, {10, LF_USER_NAME, KV_USER},
                                     {12, LF_EVENT_OUTCOME, KV_OUTCOME}, {13, LF_EVENT_REASON, KV_STR}, {0}};
static const pan_col pan_gp[] = {{8, LF_EVENT_ACTION, KV_STR}, {12, LF_USER_NAME, KV_USER}, {15, LF_SOURCE_IP, KV_STR},
                                 {16, LF_SOURCE_IP, KV_IFEMPTY}, {17, LF_SOURCE_NAT_IP, KV_STR},
                                 {18, LF_SOURCE_NAT_IP, KV_IFEMPTY}, {25, LF_EVENT_REASON, KV_STR},
                                 {27, LF_MESSAGE, KV_STR}, {28, LF_EVENT_OUTCOME, KV_OUTCOME}, {0}};
static const pan_col pan_userid[] = {{4, LF_EVENT_ACTION, KV_STR}, {8, LF_SOURCE_IP, KV_STR}, {9, LF_USER_NAME, KV_USER}, {0}};
static const pan_col pan_hip[] = {{7, LF_USER_NAME, KV_USER}, {11, LF_SOURCE_IP, KV_STR}, {12, LF_RULE_NAME, KV_STR}, {0}};
static const pan_col pan_auth[] = {{8, LF_SOURCE_IP, KV_STR}, {9, LF_USER_NAME, KV_USER}, {12, LF_RULE_NAME, KV_STR},
                                   {18, LF_MESSAGE, KV_STR}, {20, LF_EVENT_ACTION, KV_STR}, {0}};
static const pan_col pan_none[] = {{0}};

static const struct pan_type {
    const char *type, *category;
    const pan_col *cols;
    int min_cols;
} pan_types[] = {
    {"TRAFFIC", "network", pan_traffic, 31},
    {"THREAT", "intrusion_detection", pan_threat, 33},
    {"DECRYPTION", "network", pan_decrypt, 31},
    {"SYSTEM", "host", pan_system, 15},
    {"CONFIG", "configuration", pan_config, 13},
    {"GLOBALPROTECT", "authentication", pan_gp, 29},
    {"USERID", "iam", pan_userid, 12},
    {"HIPMATCH", "host", pan_hip, 13},
    {"AUTHENTICATION", "authentication", pan_auth, 21},
    {"CORRELATION", "threat", pan_none, 7},
    {"IPTAG", "iam", pan_none, 7},
    {"SCTP", "network", pan_none, 7},
    {"TUNNEL", "network", pan_none, 7},
    {"GTP", "network", pan_none, 7},
};

#define PAN_MAX 48

static void pan_apply(log_rec *r, const pan_col *c, const log_val *f, int nf, const log_parse_opts *o)
{
    for (; c->col; c++) {
        if (c->col >= nf || !f[c->col].n)
            continue;
        if (c->field == LF_SOURCE_NAT_IP && f[c->col].n == 7 && memcmp(f[c->col].p, "0.0.0.0", 7) == 0)
            continue;
        log_kv_set(r, c->field, c->kind, f[c->col], o);
    }
}

/* The threat column "Name(12345)": the signature, kept apart from rule.name (the policy). */
static void pan_threat_id(log_rec *r, const log_val *t)
{
    const char *par = NULL;
    for (uint32_t i = t->n; i > 0 && !par; i--)
        if (t->p[i - 1] == '(')
            par = t->p + i - 1;
    size_t nn = par && t->p[t->n - 1] == ')' ? (size_t)(par - t->p) : t->n;
    while (nn && t->p[nn - 1] == ' ')
        nn--;
    log_extra(r, LIT("threat_name"), t->p, nn);
    if (nn < t->n && par)
        log_extra(r, LIT("threat_id"), par + 1, (size_t)(t->p + t->n - par - 2));
}

/* PAN-OS before 9.1 logs GlobalProtect and admin logins as SYSTEM events whose description
 * names them: "GlobalProtect gateway user authentication failed. Login from: 1.2.3.4, User name: u, ..." */
static void pan_system_auth(log_rec *r)
{
    if (!log_has(r, LF_MESSAGE))
        return;
    const log_val d = r->f[LF_MESSAGE];
    const char *end = d.p + d.n, *x;
    if ((x = log_find(d.p, d.n, "Login from: "))) {
        const char *a = x + 12, *ae = a;
        while (ae < end && *ae != ',' && *ae != ' ')
            ae++;
        log_set(r, LF_SOURCE_IP, a, (size_t)(ae - a));
    }
    if ((x = log_find(d.p, d.n, "User name: ")) || (x = log_find(d.p, d.n, "user '"))) {
        const char *u = x + (x[0] == 'U' ? 11 : 6), *ue = u;
        while (ue < end && *ue != ',' && *ue != '\'' && *ue != '.')
            ue++;
        log_kv_set(r, LF_USER_NAME, KV_USER, (log_val){u, (uint32_t)(ue - u)}, NULL);
    }
    if (log_find(d.p, d.n, "authentication failed") || log_find(d.p, d.n, "failed authentication") ||
        log_find(d.p, d.n, "login failed")) {
        log_set_str(r, LF_EVENT_ACTION, "login");
        log_set_str(r, LF_EVENT_OUTCOME, "failure");
        log_set_str(r, LF_EVENT_CATEGORY, "authentication");
    } else if (log_find(d.p, d.n, "authentication succeeded") || log_find(d.p, d.n, "logged in")) {
        log_set_str(r, LF_EVENT_ACTION, "login");
        log_set_str(r, LF_EVENT_OUTCOME, "success");
        log_set_str(r, LF_EVENT_CATEGORY, "authentication");
    }
}

static const struct pan_type *pan_type_of(const log_val *type)
{
    for (size_t i = 0; i < sizeof pan_types / sizeof pan_types[0]; i++)
        if (strlen(pan_types[i].type) == type->n && memcmp(pan_types[i].type, type->p, type->n) == 0)
            return &pan_types[i];
    return NULL;
}

/* Generated time "2024/01/01 12:00:00" in the device's zone, or RFC 3339 (PAN-OS 9.1 and later). */
static void pan_time(log_rec *r, const log_val *f, const log_parse_opts *o)
{
    log_set_time_word(r, f->p, f->n, o);
}

bool log_parse_panos(log_rec *r, const char *m, size_t n, const log_parse_opts *o)
{
    log_val f[PAN_MAX];
    int nf = log_csv_split(m, n, f, PAN_MAX);
    if (nf < 7)
        return false;
    const struct pan_type *pt = pan_type_of(&f[3]);
    if (!pt || nf < pt->min_cols)
        return false;
    char ds[32];
    size_t dn = (size_t)snprintf(ds, sizeof ds, "panos.%s", pt->type);
    for (char *q = ds; *q; q++)
        if (*q >= 'A' && *q <= 'Z')
            *q = (char)(*q + 32);
    log_set_copy(r, LF_EVENT_DATASET, ds, dn < sizeof ds ? dn : sizeof ds - 1);
    log_set_str(r, LF_OBSERVER_VENDOR, "Palo Alto Networks");
    log_set_str(r, LF_OBSERVER_PRODUCT, "PAN-OS");
    if (f[2].n)
        log_set(r, LF_OBSERVER_SERIAL, f[2].p, f[2].n);
    log_set(r, LF_MESSAGE, m, n);
    log_set_str(r, LF_EVENT_CATEGORY, pt->category);
    if (log_has(r, LF_HOST_NAME))
        log_set(r, LF_OBSERVER_NAME, r->f[LF_HOST_NAME].p, r->f[LF_HOST_NAME].n);
    r->extra_ns = "panos";
    pan_time(r, &f[6], o);
    log_extra(r, LIT("subtype"), f[4].p, f[4].n);
    pan_apply(r, pt->cols, f, nf, o);
    if (pt->cols == pan_traffic || pt->cols == pan_threat || pt->cols == pan_decrypt) {
        pan_apply(r, (const pan_col[]){{9, LF_SOURCE_NAT_IP, KV_STR}, {0}}, f, nf, o);
        log_extra(r, LIT("from_zone"), f[16].p, f[16].n);
        log_extra(r, LIT("to_zone"), f[17].p, f[17].n);
        log_extra(r, LIT("session_id"), f[22].p, f[22].n);
    }
    if (pt->cols == pan_system)
        pan_system_auth(r);
    if (pt->cols == pan_threat) {
        if (f[30].n == 5 && memcmp(f[30].p, "alert", 5) == 0)
            log_set_str(r, LF_EVENT_ACTION, "alert");
        pan_threat_id(r, &f[32]);
        if (nf > 33 && f[33].n)
            log_set(r, LF_RULE_CATEGORY, f[33].p, f[33].n);
        if (f[4].n == 3 && memcmp(f[4].p, "url", 3) == 0)
            log_set_str(r, LF_EVENT_CATEGORY, "web");
        else if (f[4].n == 5 && (memcmp(f[4].p, "virus", 5) == 0 || memcmp(f[4].p, "wildf", 5) == 0))
            log_set_str(r, LF_EVENT_CATEGORY, "malware");
    }
    return true;
}

/* ---- Suricata EVE JSON ---- */

static void eve_str(log_rec *r, log_field f, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_string(v))
        log_set_copy(r, f, json_string_value(v), json_string_length(v));
    else if (json_is_integer(v)) {
        char b[24];
        int k = snprintf(b, sizeof b, "%lld", (long long)json_integer_value(v));
        log_set_copy(r, f, b, (size_t)k);
    }
}

static void eve_extra_int(log_rec *r, json_t *o, const char *path, const char *name)
{
    /* path: "capture.kernel_drops" */
    char buf[64];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *cur = o;
    for (char *s = buf, *dot; cur && s; s = dot ? dot + 1 : NULL) {
        dot = strchr(s, '.');
        if (dot)
            *dot = 0;
        cur = json_object_get(cur, s);
    }
    if (!json_is_integer(cur))
        return;
    char v[24];
    int k = snprintf(v, sizeof v, "%lld", (long long)json_integer_value(cur));
    char *d = log_scratch(r, (size_t)k);
    if (d) {
        memcpy(d, v, (size_t)k);
        log_extra(r, name, strlen(name), d, (size_t)k);
    }
}

bool log_parse_eve(log_rec *r, const char *m, size_t n, const log_parse_opts *o)
{
    json_error_t err;
    json_t *root = json_loadb(m, n, JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK, &err);
    if (!json_is_object(root)) {
        json_decref(root);
        return false;
    }
    json_t *et = json_object_get(root, "event_type");
    if (!json_is_string(et)) {
        json_decref(root);
        return false;
    }
    log_set_str(r, LF_EVENT_DATASET, "suricata.eve");
    log_set_str(r, LF_OBSERVER_VENDOR, "OISF");
    log_set_str(r, LF_OBSERVER_PRODUCT, "Suricata");
    log_set(r, LF_MESSAGE, m, n);
    r->extra_ns = "suricata";
    const char *type = json_string_value(et);
    log_set_copy(r, LF_EVENT_ACTION, type, json_string_length(et));
    json_t *ts = json_object_get(root, "timestamp");
    int64_t ms;
    if (json_is_string(ts) && log_parse_iso(json_string_value(ts), json_string_length(ts), o, &ms)) {
        r->ts_ms = ms;
        r->ts_from_line = true;
    }
    eve_str(r, LF_SOURCE_IP, root, "src_ip");
    eve_str(r, LF_SOURCE_PORT, root, "src_port");
    eve_str(r, LF_DEST_IP, root, "dest_ip");
    eve_str(r, LF_DEST_PORT, root, "dest_port");
    eve_str(r, LF_OBSERVER_INGRESS, root, "in_iface");
    eve_str(r, LF_OBSERVER_NAME, root, "host");
    eve_str(r, LF_NETWORK_PROTOCOL, root, "app_proto");
    json_t *proto = json_object_get(root, "proto");
    if (json_is_string(proto))
        log_set_transport(r, json_string_value(proto), json_string_length(proto));
    if (log_has(r, LF_NETWORK_TRANSPORT)) /* the value may point into the JSON object: copy */
        log_set_copy(r, LF_NETWORK_TRANSPORT, r->f[LF_NETWORK_TRANSPORT].p, r->f[LF_NETWORK_TRANSPORT].n);
    json_t *al = json_object_get(root, "alert");
    if (strcmp(type, "alert") == 0 && json_is_object(al)) {
        log_set_str(r, LF_EVENT_CATEGORY, "intrusion_detection");
        eve_str(r, LF_RULE_ID, al, "signature_id");
        eve_str(r, LF_RULE_NAME, al, "signature");
        eve_str(r, LF_RULE_CATEGORY, al, "category");
        if (log_has(r, LF_RULE_NAME))
            log_set(r, LF_MESSAGE, r->f[LF_RULE_NAME].p, r->f[LF_RULE_NAME].n);
        json_t *sev = json_object_get(al, "severity");
        if (json_is_integer(sev)) { /* Suricata: 1 is the most severe */
            json_int_t s = json_integer_value(sev);
            log_set_str(r, LF_EVENT_SEVERITY, s <= 1 ? "3" : s == 2 ? "2" : "1");
        }
        json_t *act = json_object_get(al, "action");
        if (json_is_string(act)) {
            bool blocked = strcmp(json_string_value(act), "blocked") == 0;
            log_set_str(r, LF_EVENT_OUTCOME, blocked ? "success" : "unknown");
            log_extra(r, LIT("alert.action"), blocked ? "blocked" : "allowed", blocked ? 7 : 7);
        }
    } else if (strcmp(type, "stats") == 0) {
        eve_extra_int(r, json_object_get(root, "stats"), "capture.kernel_packets", "capture.kernel_packets");
        eve_extra_int(r, json_object_get(root, "stats"), "capture.kernel_drops", "capture.kernel_drops");
        eve_extra_int(r, json_object_get(root, "stats"), "detect.alert", "detect.alert");
        eve_extra_int(r, json_object_get(root, "stats"), "uptime", "uptime");
    } else if (strcmp(type, "flow") == 0) {
        log_set_str(r, LF_EVENT_CATEGORY, "network");
        json_t *fl = json_object_get(root, "flow");
        json_t *a = json_object_get(fl, "bytes_toserver"), *b = json_object_get(fl, "bytes_toclient");
        json_t *c = json_object_get(fl, "pkts_toserver"), *d = json_object_get(fl, "pkts_toclient");
        char num[24];
        int k;
        if (json_is_integer(a) && json_is_integer(b)) {
            k = snprintf(num, sizeof num, "%lld", (long long)(json_integer_value(a) + json_integer_value(b)));
            log_set_copy(r, LF_NETWORK_BYTES, num, (size_t)k);
        }
        if (json_is_integer(c) && json_is_integer(d)) {
            k = snprintf(num, sizeof num, "%lld", (long long)(json_integer_value(c) + json_integer_value(d)));
            log_set_copy(r, LF_NETWORK_PACKETS, num, (size_t)k);
        }
        json_t *st = json_object_get(fl, "state");
        if (json_is_string(st))
            log_set_copy(r, LF_EVENT_REASON, json_string_value(st), json_string_length(st));
    } else if (strcmp(type, "http") == 0) {
        log_set_str(r, LF_EVENT_CATEGORY, "web");
        json_t *h = json_object_get(root, "http");
        eve_str(r, LF_URL_ORIGINAL, h, "url");
        eve_str(r, LF_HTTP_METHOD, h, "http_method");
        eve_str(r, LF_HTTP_STATUS, h, "status");
        eve_str(r, LF_USER_AGENT, h, "http_user_agent");
    }
    json_decref(root);
    return true;
}
