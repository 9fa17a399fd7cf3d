/* Key=value firewalls and WAFs as tables for the one engine (logs_kv.c): Sophos Firewall
 * (XG, SFOS), SonicWall SonicOS, Check Point (Log Exporter's syslog), F5 BIG-IP ASM and AFM,
 * Juniper SRX (RT_FLOW, RT_IDP, ... as RFC 5424 structured data or as BSD text). Formats from
 * each vendor's log reference (sources beside each case in tests/data/logs/parsers.txt). */
#include <string.h>

#include "logs/logs.h"
#include "logs/logs_kv.h"

#define LIT(s) s, sizeof(s) - 1

static bool starts(const char *p, size_t n, const char *lit, size_t ln) { return n >= ln && memcmp(p, lit, ln) == 0; }

static void observer_from_host(log_rec *r)
{
    if (log_has(r, LF_HOST_NAME) && !log_has(r, LF_OBSERVER_NAME))
        log_set(r, LF_OBSERVER_NAME, r->f[LF_HOST_NAME].p, r->f[LF_HOST_NAME].n);
}

/* A login message's verdict from its words (SonicWall's msg, Sophos' status, Check Point's
 * auth_status): true when the text is about logging in. */
static bool login_words(log_rec *r, const log_val *v)
{
    if (!log_find(v->p, v->n, "ogin") && !log_find(v->p, v->n, "uthenticat"))
        return false;
    bool fail = log_find(v->p, v->n, "fail") || log_find(v->p, v->n, "Fail") || log_find(v->p, v->n, "denied") ||
                log_find(v->p, v->n, "bad ") || log_find(v->p, v->n, "invalid");
    log_set_str(r, LF_EVENT_ACTION, "login");
    log_set_str(r, LF_EVENT_OUTCOME, fail ? "failure" : "success");
    log_set_str(r, LF_EVENT_CATEGORY, "authentication");
    return true;
}

/* ---- Sophos Firewall (SFOS): device="SFW" date=2018-02-27 time=18:13:29 ... log_type="Firewall" ---- */

static const log_kv_field sophos_fields[] = {
    {"timestamp", 0, KV_TIME},
    {"device_name", LF_OBSERVER_NAME, KV_STR},
    {"device_id", LF_OBSERVER_SERIAL, KV_STR},
    {"log_id", LF_EVENT_CODE, KV_STR},
    {"status", LF_EVENT_ACTION, KV_ACTION},
    {"fw_rule_id", LF_RULE_ID, KV_STR},
    {"fw_rule_name", LF_RULE_NAME, KV_STR},
    {"signature_msg", LF_RULE_NAME, KV_IFEMPTY},
    {"classification", LF_RULE_CATEGORY, KV_STR},
    {"user_name", LF_USER_NAME, KV_USER},
    {"src_ip", LF_SOURCE_IP, KV_STR},
    {"dst_ip", LF_DEST_IP, KV_STR},
    {"src_port", LF_SOURCE_PORT, KV_STR},
    {"dst_port", LF_DEST_PORT, KV_STR},
    {"protocol", LF_NETWORK_TRANSPORT, KV_TRANSPORT},
    {"in_interface", LF_OBSERVER_INGRESS, KV_STR},
    {"out_interface", LF_OBSERVER_EGRESS, KV_STR},
    {"tran_src_ip", LF_SOURCE_NAT_IP, KV_STR},
    {"url", LF_URL_ORIGINAL, KV_STR},
    {"user_agent", LF_USER_AGENT, KV_STR},
    {"message", LF_MESSAGE, KV_STR},
    {"priority", LF_LOG_LEVEL, KV_LOWER},
    {"application_name", LF_NETWORK_PROTOCOL, KV_LOWER},
    {"virus", LF_RULE_NAME, KV_IFEMPTY},
    {NULL, 0, 0},
};
static const log_kv_table sophos = {"sophos.xg", "Sophos", "Sophos Firewall", "sophos", ' ', '=', sophos_fields};

static bool parse_sophos(log_rec *r, const char *m, size_t n, const log_parse_opts *o)
{
    if (log_kv_apply(r, &sophos, m, n, o) < 4)
        return false;
    log_val d, t, v;
    if (!r->ts_from_line && log_kv_get(&sophos, m, n, "date", &d) && log_kv_get(&sophos, m, n, "time", &t) &&
        d.n == 10 && t.n == 8) {
        char buf[20];
        memcpy(buf, d.p, 10);
        buf[10] = ' ';
        memcpy(buf + 11, t.p, 8);
        log_set_time_word(r, buf, 19, o);
    }
    bool auth = log_kv_get(&sophos, m, n, "log_component", &v) && log_find(v.p, v.n, "Authentication");
    if (auth && log_kv_get(&sophos, m, n, "status", &v)) {
        log_set_str(r, LF_EVENT_ACTION, "login");
        log_set_str(r, LF_EVENT_CATEGORY, "authentication");
        log_set_outcome_word(r, v.p, v.n);
        if (log_find(v.p, v.n, "Fail"))
            log_set_str(r, LF_EVENT_OUTCOME, "failure");
    } else if (log_kv_get(&sophos, m, n, "log_type", &v)) {
        log_set_str(r, LF_EVENT_CATEGORY, log_ieq(v.p, v.n, "IDP") ? "intrusion_detection"
                                          : log_ieq(v.p, v.n, "Anti-Virus") ? "malware"
                                          : log_ieq(v.p, v.n, "Content Filtering") ? "web"
                                                                                   : "network");
    }
    if (!log_has(r, LF_MESSAGE) || !r->f[LF_MESSAGE].n)
        log_set(r, LF_MESSAGE, m, n);
    return true;
}

/* ---- SonicWall SonicOS: id=firewall sn=... time="2019-01-02 10:11:12 UTC" fw=... pri=6 c=262144
 * m=98 msg="Connection Opened" src=192.168.1.2:55555:X0 dst=8.8.8.8:53:X1 proto=udp/dns ... ---- */

static const log_kv_field sonicwall_fields[] = {
    {"sn", LF_OBSERVER_SERIAL, KV_STR},
    {"time", 0, KV_TIME},
    {"m", LF_EVENT_CODE, KV_STR},
    {"msg", LF_MESSAGE, KV_STR},
    {"src", LF_SOURCE_IP, KV_ADDR_PORT},
    {"dst", LF_DEST_IP, KV_ADDR_PORT},
    {"srcV6", LF_SOURCE_IP, KV_IFEMPTY},
    {"dstV6", LF_DEST_IP, KV_IFEMPTY},
    {"ipscat", LF_RULE_NAME, KV_IFEMPTY},
    {"sid", LF_RULE_ID, KV_STR},
    {"proto", LF_NETWORK_TRANSPORT, KV_TRANSPORT},
    {"usr", LF_USER_NAME, KV_USER},
    {"user", LF_USER_NAME, KV_USER},
    {"fw_action", LF_EVENT_ACTION, KV_ACTION},
    {"rule", LF_RULE_NAME, KV_STR},
    {"natSrc", LF_SOURCE_NAT_IP, KV_ADDR},
    {"dstname", LF_URL_ORIGINAL, KV_IFEMPTY},
    {"arg", LF_URL_ORIGINAL, KV_STR},
    {"Category", LF_RULE_CATEGORY, KV_STR},
    {NULL, 0, 0},
};
static const log_kv_table sonicwall = {"sonicwall.firewall", "SonicWall", "SonicOS", "sonicwall", ' ', '=',
                                       sonicwall_fields};

static bool parse_sonicwall(log_rec *r, const char *m, size_t n, const log_parse_opts *o)
{
    if (log_kv_apply(r, &sonicwall, m, n, o) < 4)
        return false;
    observer_from_host(r);
    log_val v;
    if (log_kv_get(&sonicwall, m, n, "msg", &v) && !login_words(r, &v)) {
        if (!log_has(r, LF_EVENT_ACTION))
            log_set_action(r, v.p, v.n); /* "Connection Opened", "Web site access denied" */
        log_set_str(r, LF_EVENT_CATEGORY, log_find(v.p, v.n, "ttack") || log_find(v.p, v.n, "IPS") ? "intrusion_detection"
                                                                                                : "network");
    }
    return true;
}

/* ---- Check Point Log Exporter (syslog): [action:"Accept"; ifdir:"outbound"; src:"..."; ...] ---- */

static const log_kv_field checkpoint_fields[] = {
    {"time", 0, KV_TIME},
    {"action", LF_EVENT_ACTION, KV_ACTION},
    {"src", LF_SOURCE_IP, KV_STR},
    {"dst", LF_DEST_IP, KV_STR},
    {"s_port", LF_SOURCE_PORT, KV_STR},
    {"service", LF_DEST_PORT, KV_STR},
    {"proto", LF_NETWORK_TRANSPORT, KV_TRANSPORT},
    {"rule_name", LF_RULE_NAME, KV_STR},
    {"protection_name", LF_RULE_NAME, KV_IFEMPTY},
    {"rule", LF_RULE_ID, KV_STR},
    {"rule_uid", LF_RULE_ID, KV_IFEMPTY},
    {"ifname", LF_OBSERVER_INGRESS, KV_STR},
    {"origin", LF_OBSERVER_NAME, KV_IFEMPTY},
    {"originsicname", LF_OBSERVER_NAME, KV_IFEMPTY},
    {"product", LF_OBSERVER_PRODUCT, KV_STR},
    {"user", LF_USER_NAME, KV_USER},
    {"src_user_name", LF_USER_NAME, KV_IFEMPTY_USER},
    {"administrator", LF_USER_NAME, KV_IFEMPTY_USER},
    {"client_ip", LF_SOURCE_IP, KV_IFEMPTY},
    {"audit_status", LF_EVENT_OUTCOME, KV_OUTCOME},
    {"xlatesrc", LF_SOURCE_NAT_IP, KV_STR},
    {"severity", LF_EVENT_SEVERITY, KV_SEVERITY},
    {"attack", LF_RULE_CATEGORY, KV_STR},
    {"resource", LF_URL_ORIGINAL, KV_STR},
    {"reason", LF_EVENT_REASON, KV_STR},
    {"malware_action", LF_EVENT_REASON, KV_IFEMPTY},
    {NULL, 0, 0},
};
static const log_kv_table checkpoint = {"checkpoint.firewall", "Check Point", NULL, "checkpoint", ';', ':',
                                        checkpoint_fields};

static bool parse_checkpoint(log_rec *r, const char *m, size_t n, const log_parse_opts *o)
{
    if (n < 4 || m[0] != '[')
        return false;
    size_t k = n;
    while (k && (m[k - 1] == ']' || m[k - 1] == ' '))
        k--;
    if (log_kv_apply(r, &checkpoint, m + 1, k - 1, o) < 3)
        return false;
    log_val v;
    if (log_kv_get(&checkpoint, m + 1, k - 1, "operation", &v) && (log_ieq(v.p, v.n, "Log In") || log_ieq(v.p, v.n, "Log Out"))) {
        log_set_str(r, LF_EVENT_ACTION, v.p[4] == 'I' ? "login" : "logout");
        log_set_str(r, LF_EVENT_CATEGORY, "authentication");
        if (!log_has(r, LF_EVENT_OUTCOME))
            log_set_str(r, LF_EVENT_OUTCOME, "success");
    } else if (log_kv_get(&checkpoint, m + 1, k - 1, "auth_status", &v))
        login_words(r, &v);
    else if (log_kv_get(&checkpoint, m + 1, k - 1, "protection_name", &v) ||
             log_kv_get(&checkpoint, m + 1, k - 1, "attack", &v))
        log_set_str(r, LF_EVENT_CATEGORY, "intrusion_detection");
    else
        log_set_str(r, LF_EVENT_CATEGORY, "network");
    if (!log_has(r, LF_OBSERVER_PRODUCT))
        log_set_str(r, LF_OBSERVER_PRODUCT, "Quantum");
    log_set(r, LF_MESSAGE, m, n);
    return true;
}

/* ---- F5 BIG-IP's own daemons: "mcpd[6203]: 01070417:5: AUDIT - user admin - ...",
 * "tmm1[1234]: 01260013:4: SSL Handshake failed for TCP A:p -> B:q": the message id (8 hex
 * digits, then the level) as event.code, a flow when the text has one, an audited user. ---- */
static bool hex8(const char *p)
{
    for (int i = 0; i < 8; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
            return false;
    return true;
}

bool log_parse_f5_daemon(log_rec *r, const char *m, size_t n)
{
    if (n < 12 || m[8] != ':' || m[9] < '0' || m[9] > '7' || m[10] != ':' || !hex8(m))
        return false;
    const char *end = m + n, *t = m + 11;
    while (t < end && *t == ' ')
        t++;
    log_set_str(r, LF_EVENT_DATASET, "f5.bigip");
    log_set_str(r, LF_OBSERVER_VENDOR, "F5");
    log_set_str(r, LF_OBSERVER_PRODUCT, "BIG-IP");
    log_set(r, LF_EVENT_CODE, m, 8);
    log_set(r, LF_MESSAGE, t, (size_t)(end - t));
    observer_from_host(r);
    const char *arrow = log_find(t, (size_t)(end - t), " -> ");
    if (arrow) { /* the word before the arrow starts the flow */
        const char *a = arrow;
        while (a > t && a[-1] != ' ')
            a--;
        log_set_flow(r, a, end);
    }
    if (starts(t, (size_t)(end - t), LIT("AUDIT - user "))) {
        const char *u = t + 13, *ue = u;
        while (ue < end && *ue != ' ')
            ue++;
        log_set(r, LF_USER_NAME, u, (size_t)(ue - u));
        log_set_str(r, LF_EVENT_CATEGORY, "configuration");
    }
    return true;
}

/* ---- F5 BIG-IP ASM and AFM: unit_hostname="...",management_ip_address="...",...,ip_client="..." ---- */

static const log_kv_field f5_fields[] = {
    {"date_time", 0, KV_TIME},
    {"unit_hostname", LF_OBSERVER_NAME, KV_STR},
    {"hostname", LF_OBSERVER_NAME, KV_IFEMPTY},
    {"ip_client", LF_SOURCE_IP, KV_STR},
    {"source_ip", LF_SOURCE_IP, KV_STR},
    {"src_port", LF_SOURCE_PORT, KV_STR},
    {"source_port", LF_SOURCE_PORT, KV_STR},
    {"dest_ip", LF_DEST_IP, KV_STR},
    {"dest_port", LF_DEST_PORT, KV_STR},
    {"ip_protocol", LF_NETWORK_TRANSPORT, KV_TRANSPORT},
    {"method", LF_HTTP_METHOD, KV_STR},
    {"uri", LF_URL_ORIGINAL, KV_STR},
    {"response_code", LF_HTTP_STATUS, KV_STR},
    {"request_status", LF_EVENT_ACTION, KV_ACTION},
    {"action", LF_EVENT_ACTION, KV_ACTION},
    {"policy_name", LF_RULE_NAME, KV_STR},
    {"acl_rule_name", LF_RULE_NAME, KV_STR},
    {"attack_type", LF_RULE_CATEGORY, KV_STR},
    {"severity", LF_EVENT_SEVERITY, KV_SEVERITY},
    {"username", LF_USER_NAME, KV_USER},
    {"violations", LF_EVENT_REASON, KV_STR},
    {"drop_reason", LF_EVENT_REASON, KV_IFEMPTY},
    {"support_id", LF_EVENT_CODE, KV_STR},
    {NULL, 0, 0},
};
static const log_kv_table f5 = {"f5.bigip", "F5", "BIG-IP", "f5", ',', '=', f5_fields};
/* The same names as one JSON object a line (Telemetry Streaming's output, F5's "Telemetry
 * Streaming" guide): {"hostname":"...","ip_client":"...",...,"telemetryEventCategory":"ASM"}. */
static const log_kv_table f5_json = {"f5.bigip", "F5", "BIG-IP", "f5", ',', ':', f5_fields};

static bool parse_f5(log_rec *r, const char *m, size_t n, const log_parse_opts *o)
{
    const log_kv_table *t = &f5;
    const char *line = m;
    size_t line_n = n;
    if (n > 2 && m[0] == '{' && m[n - 1] == '}') {
        t = &f5_json;
        m++, n -= 2;
    }
    if (log_kv_apply(r, t, m, n, o) < 4)
        return false;
    log_val v;
    bool asm_ = log_kv_get(t, m, n, "ip_client", &v);
    log_set_str(r, LF_OBSERVER_PRODUCT, asm_ ? "BIG-IP ASM" : "BIG-IP AFM");
    log_set_str(r, LF_EVENT_CATEGORY, asm_ ? "web" : "network");
    if (asm_ && log_kv_get(t, m, n, "sig_names", &v) && v.n)
        log_extra(r, LIT("sig_names"), v.p, v.n);
    if (log_eq(r, LF_EVENT_ACTION, "passed") || log_eq(r, LF_EVENT_ACTION, "alerted"))
        log_set_str(r, LF_EVENT_ACTION, "allow");
    log_set(r, LF_MESSAGE, line, line_n);
    return true;
}

/* ---- Juniper SRX: RT_FLOW, RT_IDP, RT_SCREEN, RT_UTM, login events ---- */

static const log_kv_field junos_fields[] = {
    {"source-address", LF_SOURCE_IP, KV_STR},
    {"destination-address", LF_DEST_IP, KV_STR},
    {"source-port", LF_SOURCE_PORT, KV_STR},
    {"destination-port", LF_DEST_PORT, KV_STR},
    {"nat-source-address", LF_SOURCE_NAT_IP, KV_STR},
    {"protocol-id", LF_NETWORK_TRANSPORT, KV_TRANSPORT},
    {"protocol-name", LF_NETWORK_TRANSPORT, KV_TRANSPORT},
    {"protocol", LF_NETWORK_TRANSPORT, KV_TRANSPORT},
    {"policy-name", LF_RULE_NAME, KV_STR},
    {"attack-name", LF_RULE_NAME, KV_IFEMPTY},
    {"rule-name", LF_RULE_ID, KV_STR},
    {"username", LF_USER_NAME, KV_USER},
    {"packet-incoming-interface", LF_OBSERVER_INGRESS, KV_STR},
    {"interface-name", LF_OBSERVER_INGRESS, KV_IFEMPTY},
    {"application", LF_NETWORK_PROTOCOL, KV_LOWER},
    {"action", LF_EVENT_ACTION, KV_ACTION},
    {"threat-severity", LF_EVENT_SEVERITY, KV_SEVERITY},
    {"url", LF_URL_ORIGINAL, KV_STR},
    {"reason", LF_EVENT_REASON, KV_STR},
    {NULL, 0, 0},
};
static const log_kv_table junos = {"juniper.srx", "Juniper", "SRX", "juniper", ' ', '=', junos_fields};

/* What the event id says: RT_FLOW_SESSION_CREATE / _DENY / _CLOSE, RT_IDP_ATTACK_LOG_EVENT, a login. */
static void junos_event(log_rec *r, const char *id, size_t idn)
{
    log_set(r, LF_EVENT_CODE, id, idn);
    if (log_find(id, idn, "LOGIN_FAILED") || log_find(id, idn, "AUTH_FAIL")) {
        log_set_str(r, LF_EVENT_ACTION, "login");
        log_set_str(r, LF_EVENT_OUTCOME, "failure");
        log_set_str(r, LF_EVENT_CATEGORY, "authentication");
    } else if (log_find(id, idn, "LOGIN_EVENT") || log_find(id, idn, "ACCEPTED") || log_find(id, idn, "AUTH_SUCC")) {
        log_set_str(r, LF_EVENT_ACTION, "login");
        log_set_str(r, LF_EVENT_OUTCOME, "success");
        log_set_str(r, LF_EVENT_CATEGORY, "authentication");
    } else if (log_find(id, idn, "IDP_") || log_find(id, idn, "_SCREEN") || log_find(id, idn, "ANTIVIRUS")) {
        log_set_str(r, LF_EVENT_CATEGORY, log_find(id, idn, "ANTIVIRUS") ? "malware" : "intrusion_detection");
        if (!log_has(r, LF_EVENT_ACTION))
            log_set_str(r, LF_EVENT_ACTION, "alert");
    } else {
        log_set_str(r, LF_EVENT_CATEGORY, "network");
        if (log_find(id, idn, "_DENY") || log_find(id, idn, "_REJECT") || log_find(id, idn, "_DROP"))
            log_set_str(r, LF_EVENT_ACTION, "deny");
        else if (log_find(id, idn, "_CREATE"))
            log_set_str(r, LF_EVENT_ACTION, "allow");
        else if (log_find(id, idn, "_CLOSE"))
            log_set_str(r, LF_EVENT_ACTION, "teardown");
    }
}

/* Params of one SD-ID in r's extras ("ID.key", see parse_sd) that the table knows become fields;
 * returns whether there was any. */
static bool sd_apply(log_rec *r, const char *id, size_t idn, const log_kv_field *fields, const log_parse_opts *o)
{
    bool any = false;
    for (uint32_t i = 0; i < r->nextra; i++) {
        const log_val *k = &r->extra[i].k;
        if (!starts(k->p, k->n, id, idn))
            continue;
        const char *dot = k->p + k->n;
        while (dot > k->p && dot[-1] != '.')
            dot--;
        size_t kn = (size_t)(k->p + k->n - dot);
        for (const log_kv_field *f = fields; f->key; f++)
            if (log_ieq(dot, kn, f->key)) {
                const log_val *v = &r->extra[i].v;
                if (!(f->field == LF_SOURCE_NAT_IP && v->n == 7 && memcmp(v->p, "0.0.0.0", 7) == 0))
                    log_kv_set(r, f->field, f->kind, *v, o);
                break;
            }
        any = true;
    }
    return any;
}

/* Check Point's syslog export with RFC 5424 structured data: [Fields@1.3.6.1.4.1.2620 src="..." ...]. */
static const log_kv_field cp_sd_fields[] = {
    {"src", LF_SOURCE_IP, KV_STR},
    {"dst", LF_DEST_IP, KV_STR},
    {"sport_svc", LF_SOURCE_PORT, KV_STR},
    {"s_port", LF_SOURCE_PORT, KV_STR},
    {"svc", LF_DEST_PORT, KV_STR},
    {"service", LF_DEST_PORT, KV_STR},
    {"proto", LF_NETWORK_TRANSPORT, KV_TRANSPORT},
    {"xlatesrc", LF_SOURCE_NAT_IP, KV_STR},
    {"rule_name", LF_RULE_NAME, KV_STR},
    {"rule_uid", LF_RULE_ID, KV_STR},
    {"action", LF_EVENT_ACTION, KV_ACTION},
    {"user", LF_USER_NAME, KV_USER},
    {"src_user_name", LF_USER_NAME, KV_IFEMPTY_USER},
    {"ProductName", LF_OBSERVER_PRODUCT, KV_STR},
    {NULL, 0, 0},
};

void log_junos_sd(log_rec *r, const char *msgid, size_t idn, const log_parse_opts *o)
{
    if (sd_apply(r, LIT("junos@"), junos_fields, o)) {
        log_set_str(r, LF_EVENT_DATASET, junos.dataset);
        log_set_str(r, LF_OBSERVER_VENDOR, junos.vendor);
        log_set_str(r, LF_OBSERVER_PRODUCT, junos.product);
        observer_from_host(r);
        if (idn)
            junos_event(r, msgid, idn);
    } else if (sd_apply(r, LIT("Fields@1.3.6.1.4.1.2620."), cp_sd_fields, o)) {
        log_set_str(r, LF_EVENT_DATASET, checkpoint.dataset);
        log_set_str(r, LF_OBSERVER_VENDOR, checkpoint.vendor);
        log_set_str(r, LF_EVENT_CATEGORY, "network");
        if (!log_has(r, LF_EVENT_ACTION))
            log_set_str(r, LF_EVENT_ACTION, "allow"); /* the export logs accepted connections */
        observer_from_host(r);
    }
}

/* After the flows: "... 17 allow-dns trust untrust 12345 ..." (created, closed) or "... 17(0)
 * default-deny trust untrust ..." (denied): the protocol number, then the policy. */
static void junos_proto_policy(log_rec *r, const char *p, const char *end)
{
    log_val tok[24];
    int nt = 0;
    while (p < end && nt < 24) {
        while (p < end && *p == ' ')
            p++;
        const char *e = p;
        while (e < end && *e != ' ')
            e++;
        if (e > p)
            tok[nt++] = (log_val){p, (uint32_t)(e - p)};
        p = e;
    }
    for (int i = 0; i + 1 < nt; i++) {
        uint32_t d = 0;
        while (d < tok[i].n && tok[i].p[d] >= '0' && tok[i].p[d] <= '9')
            d++;
        bool paren = d && d < tok[i].n && tok[i].p[d] == '(';
        bool plain = d && d == tok[i].n && i + 4 < nt && tok[i + 4].n && tok[i + 4].p[0] >= '0' && tok[i + 4].p[0] <= '9';
        if (d > 3 || (!paren && !plain))
            continue;
        log_set_transport(r, tok[i].p, d);
        log_set(r, LF_RULE_NAME, tok[i + 1].p, tok[i + 1].n);
        return;
    }
}

/* BSD syslog: "RT_FLOW_SESSION_CREATE: session created A/P->B/P svc NAT/P->NAT/P type rule
 * type rule PROTO POLICY from to id ..." or the brief structured form "ID [junos@... k="v" ...]". */
static void junos_vendor(log_rec *r)
{
    log_set_str(r, LF_EVENT_DATASET, junos.dataset);
    log_set_str(r, LF_OBSERVER_VENDOR, junos.vendor);
    log_set_str(r, LF_OBSERVER_PRODUCT, junos.product);
}

/* A firewall filter's syslog action (Junos "Firewall Filter" syslog, as the PFE writes it):
 * "FW: ge-0/0/0.0 A udp 10.0.0.1 10.0.0.2 49153 53 (1 packets)", A accepted, D discarded,
 * R rejected. */
static bool parse_junos_fw(log_rec *r, const char *m, size_t n)
{
    log_val w[8];
    const char *p = m + 4, *end = m + n; /* after "FW: " */
    int nw = 0;
    while (nw < 8) {
        while (p < end && *p == ' ')
            p++;
        const char *s = p;
        while (p < end && *p != ' ')
            p++;
        if (p == s)
            break;
        w[nw++] = (log_val){s, (uint32_t)(p - s)};
    }
    if (nw < 7 || w[1].n != 1 || !strchr("ADR", w[1].p[0]) || !log_is_ip(w[3].p, w[3].n) || !log_is_ip(w[4].p, w[4].n))
        return false;
    junos_vendor(r);
    log_set_str(r, LF_EVENT_CATEGORY, "network");
    log_set_str(r, LF_EVENT_ACTION, w[1].p[0] == 'A' ? "allow" : "deny");
    log_set(r, LF_OBSERVER_INGRESS, w[0].p, w[0].n);
    log_set_transport(r, w[2].p, w[2].n);
    log_set(r, LF_SOURCE_IP, w[3].p, w[3].n);
    log_set(r, LF_DEST_IP, w[4].p, w[4].n);
    if (log_value_ok(LF_SOURCE_PORT, w[5].p, w[5].n))
        log_set(r, LF_SOURCE_PORT, w[5].p, w[5].n);
    if (log_value_ok(LF_DEST_PORT, w[6].p, w[6].n))
        log_set(r, LF_DEST_PORT, w[6].p, w[6].n);
    if (nw == 8 && w[7].n > 1 && w[7].p[0] == '(')
        log_set(r, LF_NETWORK_PACKETS, w[7].p + 1, w[7].n - 1);
    observer_from_host(r);
    log_set(r, LF_MESSAGE, m, n);
    return true;
}

/* The length of the "IP/port" at p: up to a comma or space. */
static size_t word_len(const char *p, const char *end)
{
    const char *e = p;
    while (e < end && *e != ',' && *e != ' ')
        e++;
    return (size_t)(e - p);
}

/* Junos daemons known by name: kmd (IKE) "IKE negotiation failed with error: Timed out. ...,
 * Local: 192.0.2.1/500, Remote: 198.51.100.2/500, ..." (the remote peer is source.ip, as for
 * every VPN event) and rmopd (probes) "PING_TEST_COMPLETED: ...". */
static bool parse_junos_daemon(log_rec *r, const char *m, size_t n, bool kmd)
{
    const char *end = m + n;
    if (kmd) {
        if (!log_find(m, n < 64 ? n : 64, "IKE "))
            return false;
        const char *rem = log_find(m, n, "Remote: "), *loc = log_find(m, n, "Local: ");
        if (rem)
            log_set_endpoint(r, rem + 8, word_len(rem + 8, end), LF_SOURCE_IP, LF_SOURCE_PORT);
        if (loc)
            log_set_endpoint(r, loc + 7, word_len(loc + 7, end), LF_DEST_IP, LF_DEST_PORT);
        log_set_str(r, LF_EVENT_ACTION, "vpn_negotiation");
        log_set_str(r, LF_EVENT_OUTCOME, log_find(m, n < 64 ? n : 64, " failed") ? "failure" : "success");
    } else {
        const char *ide = m;
        while (ide < end && ((*ide >= 'A' && *ide <= 'Z') || *ide == '_'))
            ide++;
        if (ide - m < 6 || ide >= end || *ide != ':')
            return false;
        log_set(r, LF_EVENT_CODE, m, (size_t)(ide - m));
    }
    junos_vendor(r);
    log_set_str(r, LF_EVENT_CATEGORY, "network");
    observer_from_host(r);
    log_set(r, LF_MESSAGE, m, n);
    return true;
}

/* rt_prog: the syslog program is an RT_ daemon (RT_SYSTEM, RT_FLOW): Junos whatever follows. */
static bool parse_junos_text(log_rec *r, const char *m, size_t n, const log_parse_opts *o, bool rt_prog)
{
    const char *end = m + n, *ide = m;
    while (ide < end && ((*ide >= 'A' && *ide <= 'Z') || *ide == '_' || (*ide >= '0' && *ide <= '9')))
        ide++;
    if (ide - m < 6 || ide >= end || (*ide != ':' && *ide != ' '))
        return false;
    const char *t = ide + 1;
    while (t < end && *t == ' ')
        t++;
    if (t < end && *t == '[' && starts(t + 1, (size_t)(end - t - 1), LIT("junos@"))) {
        const char *sp = memchr(t, ' ', (size_t)(end - t));
        const char *close = sp ? log_rfind(sp, (size_t)(end - sp), "]") : NULL;
        if (!close)
            return false;
        log_kv_apply(r, &junos, sp + 1, (size_t)(close - sp - 1), o);
    } else {
        const char *flow = log_find(t, (size_t)(end - t) < 40 ? (size_t)(end - t) : 40, "session ");
        const char *sp = flow ? memchr(flow + 8, ' ', (size_t)(end - flow - 8)) : NULL;
        const char *fe = sp ? log_set_flow(r, sp + 1, end) : NULL;
        if (fe)
            junos_proto_policy(r, fe, end);
        else if (!rt_prog) /* "RT_SYSTEM: RTLOG_CONN_ERROR: ..." is Junos's, flow or not */
            return false;
        junos_vendor(r);
    }
    observer_from_host(r);
    junos_event(r, m, (size_t)(ide - m));
    log_set(r, LF_MESSAGE, t, (size_t)(end - t));
    return true;
}

/* ---- dispatch ---- */

bool log_parse_intl(log_rec *r, const char *m, size_t n, const log_parse_opts *o)
{
    if (n < 16)
        return false;
    const log_val *prog = &r->f[LF_PROCESS_NAME];
    bool has_prog = log_has(r, LF_PROCESS_NAME);
    if (starts(m, n, LIT("device=\"SFW\"")) || starts(m, n, LIT("device_name=")) ||
        (starts(m, n, LIT("timestamp=")) && log_find(m, n < 200 ? n : 200, "log_type=")))
        return parse_sophos(r, m, n, o);
    if (starts(m, n, LIT("id=")) && log_find(m, n < 80 ? n : 80, " sn=") && log_find(m, n < 160 ? n : 160, " m="))
        return parse_sonicwall(r, m, n, o);
    if (m[0] == '[' && log_find(m, n < 48 ? n : 48, ":\""))
        return parse_checkpoint(r, m, n, o);
    if (starts(m, n, LIT("unit_hostname=")) || starts(m, n, LIT("acl_policy_name=")) ||
        (m[0] == '{' && m[n - 1] == '}' && log_find(m, n, "\"telemetryEventCategory\":\"A")) ||
        (has_prog && (prog->n == 3) && (!memcmp(prog->p, "ASM", 3) || !memcmp(prog->p, "AFM", 3))))
        return parse_f5(r, m, n, o);
    bool rt_prog = has_prog && starts(prog->p, prog->n, LIT("RT_"));
    if (starts(m, n, LIT("RT_")) || rt_prog || log_find(m, n < 64 ? n : 64, " [junos@"))
        return parse_junos_text(r, m, n, o, rt_prog);
    const char *fw = starts(m, n, LIT("FW: ")) ? m : log_find(m, n < 80 ? n : 80, "PFE_FW_SYSLOG_IP: FW: ");
    if (fw && fw != m)
        fw += 18; /* past "PFE_FW_SYSLOG_IP: " */
    if (fw)
        return parse_junos_fw(r, fw, n - (size_t)(fw - m));
    if (has_prog && ((prog->n == 3 && !memcmp(prog->p, "kmd", 3)) || (prog->n == 5 && !memcmp(prog->p, "rmopd", 5))))
        return parse_junos_daemon(r, m, n, prog->n == 3);
    return false;
}
