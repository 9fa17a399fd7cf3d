/* Security devices a Chinese protection team runs: Topsec (天融信), Qi An Xin / Legendsec
 * SecGate (奇安信网神), Venustech (启明星辰), Sangfor (深信服), NSFOCUS (绿盟), DPtech (迪普)
 * as key=value tables for the one engine (logs_kv.c), and Hillstone (山石), whose
 * "Traffic@FLOW: SESSION: a:p->b:p(TCP), key value, ..." text needs a little C. Formats from
 * the vendors' log references as their users publish them (sources beside each case in
 * tests/data/logs/parsers.txt). */
#include <string.h>

#include "logs/logs.h"
#include "logs/logs_kv.h"

#define LIT(s) s, sizeof(s) - 1

static bool starts(const char *p, size_t n, const char *lit, size_t ln) { return n >= ln && memcmp(p, lit, ln) == 0; }

/* ---- Topsec NGFW: "id=tos time=\"...\" fw=TopsecOS pri=6 type=ac recorder=FW-NAT src= dst= ..." ---- */

static const log_kv_field topsec_fields[] = {
    {"time", 0, KV_TIME},
    {"src", LF_SOURCE_IP, KV_STR},
    {"dst", LF_DEST_IP, KV_STR},
    {"sport", LF_SOURCE_PORT, KV_STR},
    {"dport", LF_DEST_PORT, KV_STR},
    {"proto", LF_NETWORK_TRANSPORT, KV_TRANSPORT},
    {"indev", LF_OBSERVER_INGRESS, KV_STR},
    {"outdev", LF_OBSERVER_EGRESS, KV_STR},
    {"user", LF_USER_NAME, KV_USER},
    {"rule", LF_EVENT_ACTION, KV_ACTION},
    {"action", LF_EVENT_ACTION, KV_ACTION},
    {"policyid", LF_RULE_ID, KV_STR},
    {"policy", LF_RULE_NAME, KV_STR},
    {"type", LF_EVENT_CODE, KV_STR},
    {"result", LF_EVENT_OUTCOME, KV_OUTCOME},
    {"msg", LF_MESSAGE, KV_STR},
    {"attack", LF_RULE_NAME, KV_STR},
    {"url", LF_URL_ORIGINAL, KV_STR},
    {NULL, 0, 0},
};
static const log_kv_table topsec = {"topsec.ngfw", "Topsec", "TopsecOS", "topsec", ' ', '=', topsec_fields};

/* ---- SecGate (Legendsec, now Qi An Xin) and Venustech TianQing share one format:
 * "devid=0 date=\"2018/06/15 02:58:43\" dname=themis logtype=1 pri=5 ver=0.3.0 rule_name=pf1
 * mod=pf sa=... sport=... da=... dport=... proto=IPPROTO_UDP policy=POLICY_PERMIT ..." ---- */

static const log_kv_field secgate_fields[] = {
    {"date", 0, KV_TIME},
    {"rule_name", LF_RULE_NAME, KV_STR},
    {"sa", LF_SOURCE_IP, KV_STR},
    {"da", LF_DEST_IP, KV_STR},
    {"sport", LF_SOURCE_PORT, KV_STR},
    {"dport", LF_DEST_PORT, KV_STR},
    {"proto", LF_NETWORK_TRANSPORT, KV_TRANSPORT},
    {"policy", LF_EVENT_ACTION, KV_ACTION},
    {"user", LF_USER_NAME, KV_USER},
    {"dsp_msg", LF_MESSAGE, KV_STR},
    {"mod", LF_EVENT_CODE, KV_STR},
    {"url", LF_URL_ORIGINAL, KV_STR},
    {"event", LF_RULE_NAME, KV_IFEMPTY},
    {NULL, 0, 0},
};
static const log_kv_table secgate = {"qianxin.secgate", "Qi An Xin", "SecGate", "secgate", ' ', '=', secgate_fields};
static const log_kv_table tianqing = {"venustech.tianqing", "Venustech", "TianQing", "venustech", ' ', '=',
                                      secgate_fields};

/* ---- Venustech USG: "FILTER: SerialNum=... GenTime=\"2019-08-08 16:45:08\" SrcIP=... ..." (the
 * tag names the module) ---- */

static const log_kv_field venus_fields[] = {
    {"GenTime", 0, KV_TIME},
    {"SrcIP", LF_SOURCE_IP, KV_STR},
    {"DstIP", LF_DEST_IP, KV_STR},
    {"SrcPort", LF_SOURCE_PORT, KV_STR},
    {"DstPort", LF_DEST_PORT, KV_STR},
    {"Protocol", LF_NETWORK_TRANSPORT, KV_TRANSPORT},
    {"InInterface", LF_OBSERVER_INGRESS, KV_STR},
    {"OutInterface", LF_OBSERVER_EGRESS, KV_STR},
    {"PolicyID", LF_RULE_ID, KV_STR},
    {"PolicyName", LF_RULE_NAME, KV_STR},
    {"Action", LF_EVENT_ACTION, KV_ACTION},
    {"UserName", LF_USER_NAME, KV_USER},
    {"AuthResult", LF_EVENT_OUTCOME, KV_OUTCOME},
    {"Content", LF_MESSAGE, KV_STR},
    {"SerialNum", LF_OBSERVER_SERIAL, KV_STR},
    {"EventName", LF_RULE_NAME, KV_IFEMPTY},
    {NULL, 0, 0},
};
static const log_kv_table venus = {"venustech.usg", "Venustech", "USG", "venustech", ' ', '=', venus_fields};

/* ---- Sangfor NGAF: "fwlog: 日志类型:IPS防护日志, 源IP:..., 源端口:..., 目的IP:..., ..." ---- */

static const log_kv_field sangfor_fields[] = {
    {"日志类型", LF_EVENT_CODE, KV_STR},
    {"用户", LF_USER_NAME, KV_USER},
    {"用户名", LF_USER_NAME, KV_USER},
    {"源IP", LF_SOURCE_IP, KV_STR},
    {"源端口", LF_SOURCE_PORT, KV_STR},
    {"目的IP", LF_DEST_IP, KV_STR},
    {"目的端口", LF_DEST_PORT, KV_STR},
    {"协议", LF_NETWORK_TRANSPORT, KV_TRANSPORT},
    {"应用名称", LF_NETWORK_PROTOCOL, KV_LOWER},
    {"系统动作", LF_EVENT_ACTION, KV_ACTION},
    {"动作", LF_EVENT_ACTION, KV_ACTION},
    {"策略名称", LF_RULE_NAME, KV_STR},
    {"规则名称", LF_RULE_NAME, KV_IFEMPTY},
    {"漏洞名称", LF_RULE_NAME, KV_IFEMPTY},
    {"攻击名称", LF_RULE_NAME, KV_IFEMPTY},
    {"规则ID", LF_RULE_ID, KV_STR},
    {"漏洞ID", LF_RULE_ID, KV_IFEMPTY},
    {"攻击类型", LF_RULE_CATEGORY, KV_STR},
    {"严重等级", LF_EVENT_SEVERITY, KV_SEVERITY},
    {"危险等级", LF_EVENT_SEVERITY, KV_SEVERITY},
    {"URL", LF_URL_ORIGINAL, KV_STR},
    {"结果", LF_EVENT_OUTCOME, KV_OUTCOME},
    {"IP地址", LF_SOURCE_IP, KV_IFEMPTY},
    {NULL, 0, 0},
};
static const log_kv_table sangfor = {"sangfor.ngaf", "Sangfor", "NGAF", "sangfor", ',', ':', sangfor_fields};

/* ---- NSFOCUS WAF and NIPS: "tag:waf_log_websec site_id:1 ... src_ip:... dst_ip:... ..." ---- */

static const log_kv_field nsfocus_fields[] = {
    {"stat_time", 0, KV_TIME},
    {"src_ip", LF_SOURCE_IP, KV_STR},
    {"dst_ip", LF_DEST_IP, KV_STR},
    {"src_port", LF_SOURCE_PORT, KV_STR},
    {"dst_port", LF_DEST_PORT, KV_STR},
    {"protocol", LF_NETWORK_TRANSPORT, KV_TRANSPORT},
    {"proto", LF_NETWORK_TRANSPORT, KV_TRANSPORT},
    {"method", LF_HTTP_METHOD, KV_STR},
    {"uri", LF_URL_ORIGINAL, KV_STR},
    {"url", LF_URL_ORIGINAL, KV_STR},
    {"event_type", LF_RULE_CATEGORY, KV_STR},
    {"rule_id", LF_RULE_ID, KV_STR},
    {"rule_name", LF_RULE_NAME, KV_STR},
    {"policy_name", LF_RULE_NAME, KV_IFEMPTY},
    {"event_name", LF_RULE_NAME, KV_IFEMPTY},
    {"action", LF_EVENT_ACTION, KV_ACTION},
    {"alertlevel", LF_EVENT_SEVERITY, KV_SEVERITY},
    {"severity", LF_EVENT_SEVERITY, KV_SEVERITY},
    {"user", LF_USER_NAME, KV_USER},
    {"username", LF_USER_NAME, KV_USER},
    {"tag", LF_EVENT_CODE, KV_STR},
    {NULL, 0, 0},
};
static const log_kv_table nsfocus = {"nsfocus", "NSFOCUS", NULL, "nsfocus", ' ', ':', nsfocus_fields};

/* ---- DPtech: "%%GUARD/BASIC_ATTACK/0/SRVLOG(l): log-type:basic-attack;event:alert;attack-name:...;
 * source-ip:4-C0A8010F;..." (addresses in hex) ---- */

static const log_kv_field dptech_fields[] = {
    {"log-type", LF_EVENT_CODE, KV_STR},
    {"event", LF_EVENT_ACTION, KV_ACTION},
    {"action", LF_EVENT_ACTION, KV_ACTION},
    {"attack-name", LF_RULE_NAME, KV_STR},
    {"rule-name", LF_RULE_NAME, KV_IFEMPTY},
    {"policy-name", LF_RULE_NAME, KV_IFEMPTY},
    {"source-ip", LF_SOURCE_IP, KV_ADDR},
    {"destination-ip", LF_DEST_IP, KV_ADDR},
    {"source-port", LF_SOURCE_PORT, KV_STR},
    {"destination-port", LF_DEST_PORT, KV_STR},
    {"protocol-name", LF_NETWORK_TRANSPORT, KV_TRANSPORT},
    {"protocol", LF_NETWORK_TRANSPORT, KV_TRANSPORT},
    {"ifname-inside", LF_OBSERVER_INGRESS, KV_STR},
    {"user-name", LF_USER_NAME, KV_USER},
    {"severity", LF_EVENT_SEVERITY, KV_SEVERITY},
    {NULL, 0, 0},
};
static const log_kv_table dptech = {"dptech", "DPtech", NULL, "dptech", ';', ':', dptech_fields};

static bool cn_table(log_rec *r, const log_kv_table *t, const char *m, size_t n, const log_parse_opts *o);

/* Sangfor lines written with full-width punctuation ("日志类型：..., 源IP：..."): a copy with
 * ASCII ':' and ',' for the table (the values point into the copy). */
static bool sangfor_fullwidth(log_rec *r, const char *m, size_t n, const log_parse_opts *o)
{
    char *d = log_scratch(r, n);
    if (!d)
        return false;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 2 < n && (unsigned char)m[i] == 0xef && (unsigned char)m[i + 1] == 0xbc &&
            ((unsigned char)m[i + 2] == 0x9a || (unsigned char)m[i + 2] == 0x8c)) {
            d[k++] = (unsigned char)m[i + 2] == 0x9a ? ':' : ',';
            i += 2;
        } else {
            d[k++] = m[i];
        }
    }
    if (!cn_table(r, &sangfor, d, k, o))
        return false;
    log_set(r, LF_MESSAGE, m, n);
    return true;
}

/* The category a vendor's log type or module name says. */
static void cn_category(log_rec *r)
{
    static const struct {
        const char *word, *category;
    } words[] = {{"IPS", "intrusion_detection"}, {"ips", "intrusion_detection"}, {"attack", "intrusion_detection"},
                 {"ATTACK", "intrusion_detection"}, {"FLOOD", "intrusion_detection"}, {"SCAN", "intrusion_detection"},
                 {"DDOS", "intrusion_detection"}, {"防护", "intrusion_detection"}, {"攻击", "intrusion_detection"},
                 {"AV", "malware"}, {"病毒", "malware"}, {"WEB", "web"}, {"waf", "web"}, {"URL", "web"},
                 {"AUTH", "authentication"}, {"登录", "authentication"}};
    const log_val *c = &r->f[LF_EVENT_CODE];
    if (!log_has(r, LF_EVENT_CATEGORY) && log_has(r, LF_EVENT_CODE))
        for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
            if (log_find(c->p, c->n, words[i].word)) {
                log_set_str(r, LF_EVENT_CATEGORY, words[i].category);
                return;
            }
    if (!log_has(r, LF_EVENT_CATEGORY))
        log_set_str(r, LF_EVENT_CATEGORY, "network");
}

static bool cn_table(log_rec *r, const log_kv_table *t, const char *m, size_t n, const log_parse_opts *o)
{
    if (log_kv_apply(r, t, m, n, o) < 3)
        return false;
    if (!log_has(r, LF_MESSAGE) || (r->f[LF_MESSAGE].n == 4 && memcmp(r->f[LF_MESSAGE].p, "null", 4) == 0))
        log_set(r, LF_MESSAGE, m, n);
    if (log_has(r, LF_HOST_NAME) && !log_has(r, LF_OBSERVER_NAME))
        log_set(r, LF_OBSERVER_NAME, r->f[LF_HOST_NAME].p, r->f[LF_HOST_NAME].n);
    cn_category(r);
    return true;
}

/* ---- Hillstone StoneOS ---- */

/* "key value" and "key: value" parts after the 5-tuple, by key. */
static const struct hs_key {
    const char *key;
    log_field field;
    log_kv_kind kind;
} hs_keys[] = {
    {"application", LF_NETWORK_PROTOCOL, KV_LOWER},
    {"interface", LF_OBSERVER_INGRESS, KV_STR},
    {"policy", LF_RULE_ID, KV_STR},
    {"policyid", LF_RULE_ID, KV_STR},
    {"rule", LF_RULE_ID, KV_STR},
    {"ruleid", LF_RULE_ID, KV_STR},
    {"threat name", LF_RULE_NAME, KV_STR},
    {"threat type", LF_RULE_CATEGORY, KV_STR},
    {"action", LF_EVENT_ACTION, KV_ACTION},
    {"severity", LF_EVENT_SEVERITY, KV_SEVERITY},
    {"srcip", LF_SOURCE_IP, KV_STR},
    {"dstip", LF_DEST_IP, KV_STR},
    {"srcport", LF_SOURCE_PORT, KV_STR},
    {"dstport", LF_DEST_PORT, KV_STR},
    {"protocol", LF_NETWORK_TRANSPORT, KV_TRANSPORT},
    {"Protocol", LF_NETWORK_TRANSPORT, KV_TRANSPORT},
    {"transip", LF_SOURCE_NAT_IP, KV_STR},
    {"snat to", LF_SOURCE_NAT_IP, KV_ADDR_PORT},
};

static void hs_part(log_rec *r, const char *p, const char *e)
{
    if (starts(p, (size_t)(e - p), LIT("policy deny"))) {
        log_set_str(r, LF_EVENT_ACTION, "deny");
        return;
    }
    for (size_t i = 0; i < sizeof hs_keys / sizeof hs_keys[0]; i++) {
        size_t kl = strlen(hs_keys[i].key);
        if ((size_t)(e - p) <= kl + 1 || memcmp(p, hs_keys[i].key, kl) != 0 || (p[kl] != ' ' && p[kl] != ':'))
            continue;
        const char *v = p + kl + 1;
        while (v < e && *v == ' ')
            v++;
        if (hs_keys[i].kind == KV_ADDR_PORT) { /* the NAT address: its port is not the source port */
            const char *c = memchr(v, ':', (size_t)(e - v));
            log_set(r, LF_SOURCE_NAT_IP, v, (size_t)((c ? c : e) - v));
        } else {
            log_kv_set(r, hs_keys[i].field, hs_keys[i].kind, (log_val){v, (uint32_t)(e - v)}, NULL);
        }
        return;
    }
    if (starts(p, (size_t)(e - p), LIT("user ")) && e - p > 5 && p[5] != '-') { /* "user alice@local" */
        const char *at = memchr(p + 5, '@', (size_t)(e - p - 5));
        log_set(r, LF_USER_NAME, p + 5, (size_t)((at ? at : e) - p - 5));
    }
}

/* "a:p->b:p(TCP)" or "From a:p(if) to b:p(if)", then ", "-separated parts. */
static void hs_body(log_rec *r, const char *t, const char *end)
{
    const char *p = t;
    if (starts(p, (size_t)(end - p), LIT("From "))) {
        const char *to = log_find(p, (size_t)(end - p), " to ");
        const char *a = p + 5, *ae = a, *b = to ? to + 4 : end, *be = b;
        while (ae < end && *ae != '(' && *ae != ',' && *ae != ' ')
            ae++;
        while (be < end && *be != '(' && *be != ',' && *be != ' ')
            be++;
        if (to) {
            log_set_endpoint(r, a, (size_t)(ae - a), LF_SOURCE_IP, LF_SOURCE_PORT);
            log_set_endpoint(r, b, (size_t)(be - b), LF_DEST_IP, LF_DEST_PORT);
        }
        p = be;
    } else if (log_find(p, (size_t)(end - p) < 100 ? (size_t)(end - p) : 100, "->")) {
        const char *fe = log_set_flow(r, p, end);
        if (fe && fe < end && *fe == '(') { /* "(TCP)", not an interface "(ethernet0/0)" */
            const char *c = memchr(fe, ')', (size_t)(end - fe));
            if (c && c - fe <= 7 && !memchr(fe, '/', (size_t)(c - fe)))
                log_set_transport(r, fe + 1, (size_t)(c - fe - 1));
        }
        p = fe ? fe : p;
    }
    while (p < end) {
        while (p < end && (*p == ',' || *p == ' ' || *p == ')'))
            p++;
        const char *e = memchr(p, ',', (size_t)(end - p));
        if (!e)
            e = end;
        hs_part(r, p, e);
        p = e;
    }
}

/* "Admin user \"hillstone\" logined through SSH, from 172.16.30.4:62434 to ...", "The IP
 * 10.45.0.67 has failed 3 times to login through HTTPS ...". */
static void hs_mgmt(log_rec *r, const char *t, const char *end)
{
    size_t tn = (size_t)(end - t);
    const char *x;
    bool fail = log_find(t, tn, "fail") != NULL;
    if (!fail && !log_find(t, tn, "login"))
        return;
    if ((x = log_find(t, tn, "user \""))) {
        const char *u = x + 6, *ue = memchr(u, '"', (size_t)(end - u));
        if (ue)
            log_set(r, LF_USER_NAME, u, (size_t)(ue - u));
    }
    if ((x = log_find(t, tn, " from ")) || (x = log_find(t, tn, "The IP ")) || (x = log_find(t, tn, "the IP is "))) {
        const char *a = x + (x[1] == 'f' ? 6 : x[0] == 'T' ? 7 : 10), *ae = a;
        while (ae < end && *ae != ' ' && *ae != ',' && !(*ae == '.' && (ae + 1 == end || ae[1] == ' ')))
            ae++;
        log_set_endpoint(r, a, (size_t)(ae - a), LF_SOURCE_IP, LF_SOURCE_PORT);
    }
    log_set_str(r, LF_EVENT_ACTION, "login");
    log_set_str(r, LF_EVENT_OUTCOME, fail ? "failure" : "success");
    log_set_str(r, LF_EVENT_CATEGORY, "authentication");
}

/* "[HillstoneNetworks#]Traffic@FLOW: SESSION: ...": the type and module before the colon.
 * Returns where the text starts, NULL if m has none within its first words. */
static const char *hs_header(const char *m, size_t n, log_val *type, log_val *module)
{
    const char *at = memchr(m, '@', n < 64 ? n : 64);
    if (!at)
        return NULL;
    const char *mb = at + 1, *me = mb, *end = m + n;
    while (me < end && *me >= 'A' && *me <= 'Z')
        me++;
    if (me == mb || me >= end || *me != ':')
        return NULL;
    /* the log type: a word that starts with a capital ("Traffic", "Threat", "Event", "Security",
     * "Network", "WARNING", ...), at the start or after a space or '#' ("HillstoneNetworks#") */
    const char *tb = at;
    while (tb > m && at - tb < 16 && ((tb[-1] >= 'A' && tb[-1] <= 'Z') || (tb[-1] >= 'a' && tb[-1] <= 'z')))
        tb--;
    if (at - tb < 2 || tb[0] < 'A' || tb[0] > 'Z' || me - mb < 2 || (tb > m && tb[-1] != ' ' && tb[-1] != '#'))
        return NULL;
    *type = (log_val){tb, (uint32_t)(at - tb)};
    *module = (log_val){mb, (uint32_t)(me - mb)};
    const char *t = me + 1;
    while (t < end && *t == ' ')
        t++;
    return t;
}

bool log_parse_hillstone(log_rec *r, const char *m, size_t n)
{
    log_val type, module;
    const char *t = hs_header(m, n, &type, &module);
    if (!t)
        return false;
    const char *end = m + n;
    log_set_str(r, LF_EVENT_DATASET, "hillstone.stoneos");
    log_set_str(r, LF_OBSERVER_VENDOR, "Hillstone");
    log_set_str(r, LF_OBSERVER_PRODUCT, "StoneOS");
    log_set(r, LF_EVENT_CODE, type.p, (size_t)(module.p + module.n - type.p));
    log_set(r, LF_MESSAGE, t, (size_t)(end - t));
    if (log_has(r, LF_HOST_NAME))
        log_set(r, LF_OBSERVER_NAME, r->f[LF_HOST_NAME].p, r->f[LF_HOST_NAME].n);
    if (module.n == 4 && memcmp(module.p, "MGMT", 4) == 0) {
        log_set_str(r, LF_EVENT_CATEGORY, "host");
        hs_mgmt(r, t, end);
        return true;
    }
    if (starts(t, (size_t)(end - t), LIT("SESSION: ")) || starts(t, (size_t)(end - t), LIT("NAT: ")))
        t = memchr(t, ' ', (size_t)(end - t)) + 1;
    hs_body(r, t, end);
    bool threat = type.n == 6 && memcmp(type.p, "Threat", 6) == 0;
    log_set_str(r, LF_EVENT_CATEGORY, threat ? "intrusion_detection" : "network");
    if (!log_has(r, LF_EVENT_ACTION) && log_has(r, LF_SOURCE_IP))
        log_set_str(r, LF_EVENT_ACTION, threat ? "alert" : "allow");
    return true;
}

/* ---- dispatch: cheap byte tests, then the vendor's table ---- */

bool log_parse_cn(log_rec *r, const char *m, size_t n, const log_parse_opts *o)
{
    while (n && m[0] == ' ')
        m++, n--;
    if (n < 16)
        return false;
    const log_val *prog = &r->f[LF_PROCESS_NAME];
    bool has_prog = log_has(r, LF_PROCESS_NAME);
    if (starts(m, n, LIT("id=tos ")))
        return cn_table(r, &topsec, m, n, o);
    if (starts(m, n, LIT("devid=")) && log_find(m, n < 160 ? n : 160, " dname=")) {
        log_val dn;
        bool is_venus = log_kv_get(&secgate, m, n < 200 ? n : 200, "dname", &dn) && dn.n == 5 && !memcmp(dn.p, "venus", 5);
        return cn_table(r, is_venus ? &tianqing : &secgate, m, n, o);
    }
    if (starts(m, n, LIT("SerialNum=")) && log_find(m, n < 96 ? n : 96, "GenTime=")) {
        if (!cn_table(r, &venus, m, n, o))
            return false;
        if (has_prog)
            log_set(r, LF_EVENT_CODE, prog->p, prog->n);
        r->present &= ~((uint64_t)1 << LF_EVENT_CATEGORY);
        cn_category(r);
        return true;
    }
    if (starts(m, n, LIT("日志类型：")))
        return sangfor_fullwidth(r, m, n, o);
    if (starts(m, n, LIT("日志类型:")) || (has_prog && prog->n == 5 && memcmp(prog->p, "fwlog", 5) == 0))
        return cn_table(r, &sangfor, m, n, o);
    if (starts(m, n, LIT("tag:waf_log")) || starts(m, n, LIT("tag:ips_log")) || starts(m, n, LIT("tag:nf_log")))
        return cn_table(r, &nsfocus, m, n, o);
    if (m[0] == '%' && m[1] == '%') {
        const char *c = log_find(m, n < 96 ? n : 96, "): ");
        if (c && log_find(c, (size_t)(m + n - c) < 32 ? (size_t)(m + n - c) : 32, "log-type:"))
            return cn_table(r, &dptech, c + 3, (size_t)(m + n - c - 3), o);
        return false;
    }
    return log_parse_hillstone(r, m, n);
}
