/* The key=value table engine and the value readers the device parsers share (see logs_kv.h). */
#include "logs/logs_kv.h"
#include "core/kw_ascii.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const log_syslog_levels[8] = {"emergency", "alert", "critical", "error", "warning", "notice",
                                          "informational", "debug"};

static bool isdig(char c) { return c >= '0' && c <= '9'; }
static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }

bool log_ieq(const char *p, size_t n, const char *s)
{
    size_t i = 0;
    for (; i < n && s[i]; i++)
        if (lower(p[i]) != lower(s[i]))
            return false;
    return i == n && !s[i];
}

size_t log_norm_key(const char *k, size_t kn, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < kn && o + 1 < cap; i++)
        if (k[i] != '-' && k[i] != '_' && k[i] != ' ')
            out[o++] = lower(k[i]);
    out[o] = 0;
    return o;
}

/* ---- value readers ---- */

static bool empty_user(const char *v, size_t n)
{
    static const char *const none[] = {"-", "n/a", "(null)", "null", "none", "unknown", "unknown-user",
                                       "no authentication required", NULL};
    if (!n)
        return true;
    for (int i = 0; none[i]; i++)
        if (log_ieq(v, n, none[i]))
            return true;
    return false;
}


static const char *proto_name(const char *v, size_t n)
{
    static const struct {
        const char *num, *name;
    } protos[] = {{"6", "tcp"}, {"17", "udp"}, {"1", "icmp"}, {"58", "ipv6-icmp"}, {"47", "gre"}, {"50", "esp"}};
    for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++)
        if (strlen(protos[i].num) == n && memcmp(protos[i].num, v, n) == 0)
            return protos[i].name;
    return NULL;
}

void log_set_transport(log_rec *r, const char *v, size_t n)
{
    if (n > 8 && memcmp(v, "IPPROTO_", 8) == 0) /* SecGate's "IPPROTO_TCP" */
        v += 8, n -= 8;
    const char *sl = memchr(v, '/', n);
    if (sl) /* SonicWall's "tcp/http" */
        n = (size_t)(sl - v);
    const char *p = proto_name(v, n);
    if (p)
        log_set_str(r, LF_NETWORK_TRANSPORT, p);
    else if (n && n < 16 && !isdig(v[0]))
        log_set(r, LF_NETWORK_TRANSPORT, log_lower(r, v, n), n);
}

void log_set_action(log_rec *r, const char *v, size_t n)
{
    const char *verdict = log_verdict(v, n);
    if (verdict)
        log_set_str(r, LF_EVENT_ACTION, verdict);
    else if (n)
        log_set(r, LF_EVENT_ACTION, log_lower(r, v, n), n);
}

void log_set_severity10(log_rec *r, int s)
{
    /* 0-3 low, 4-6 medium, 7-8 high, 9-10 critical (CEF's bands) */
    log_set_str(r, LF_EVENT_SEVERITY, s <= 3 ? "1" : s <= 6 ? "2" : s <= 8 ? "3" : "4");
}

void log_set_severity_word(log_rec *r, const char *v, size_t n)
{
    static const struct {
        const char *word, *sev;
    } words[] = {{"critical", "4"}, {"veryhigh", "4"}, {"emergency", "4"}, {"alert", "4"}, {"high", "3"},
                 {"error", "3"},    {"major", "3"},    {"medium", "2"},    {"warning", "2"}, {"middle", "2"},
                 {"low", "1"},      {"informational", "1"}, {"info", "1"}, {"notice", "1"}, {"minor", "1"},
                 {"高", "3"},       {"中", "2"},       {"低", "1"},        {"严重", "4"},    {"高危", "3"},
                 {"中危", "2"},     {"低危", "1"}};
    char w[24];
    size_t wn = log_norm_key(v, n, w, sizeof w);
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (log_ieq(w, wn, words[i].word)) {
            log_set_str(r, LF_EVENT_SEVERITY, words[i].sev);
            return;
        }
    if (n && n <= 2 && isdig(v[0]) && (n == 1 || isdig(v[1])))
        log_set_severity10(r, n == 1 ? v[0] - '0' : (v[0] - '0') * 10 + (v[1] - '0'));
}

bool log_set_outcome_word(log_rec *r, const char *v, size_t n)
{
    static const char *const ok[] = {"success", "succeeded", "successful", "succeed", "ok", "成功", NULL};
    static const char *const bad[] = {"fail", "failed", "failure", "error", "denied", "reject", "rejected",
                                      "失败", NULL};
    for (int i = 0; ok[i]; i++)
        if (log_ieq(v, n, ok[i])) {
            log_set_str(r, LF_EVENT_OUTCOME, "success");
            return true;
        }
    for (int i = 0; bad[i]; i++)
        if (log_ieq(v, n, bad[i])) {
            log_set_str(r, LF_EVENT_OUTCOME, "failure");
            return true;
        }
    return false;
}

bool log_set_time_word(log_rec *r, const char *v, size_t n, const log_parse_opts *o)
{
    int64_t ms;
    if (n >= 10 && n <= 13) { /* epoch seconds or milliseconds */
        size_t i = 0;
        int64_t t = 0;
        while (i < n && isdig(v[i]))
            t = t * 10 + (v[i++] - '0');
        if (i == n) {
            r->ts_ms = n == 13 ? t : t * 1000;
            r->ts_from_line = true;
            return true;
        }
    }
    if (n < 19 || n > 40)
        return false;
    char buf[41];
    memcpy(buf, v, n);
    if (buf[4] == '/' && buf[7] == '/')
        buf[4] = buf[7] = '-';
    size_t k = log_parse_iso(buf, n, o, &ms);
    if (!k)
        return false;
    if (n - k == 4 && buf[k] == ' ' && (log_ieq(buf + k + 1, 3, "UTC") || log_ieq(buf + k + 1, 3, "GMT"))) {
        log_parse_opts utc = *o; /* SonicOS 7: time="2022-05-16 15:22:26 UTC" */
        utc.tz_offset_min = 0;
        log_parse_iso(buf, k, &utc, &ms);
    }
    r->ts_ms = ms;
    r->ts_from_line = true;
    return true;
}

/* ---- the engine ---- */

/* An address as it is, or DPtech's "4-C0A8010F" (version, then the address in hex). */
static void kv_addr(log_rec *r, log_field field, log_val v)
{
    if (v.n == 10 && v.p[0] == '4' && v.p[1] == '-') {
        int b[4];
        for (int i = 0; i < 4; i++) {
            int hi = kw_hexval(v.p[2 + 2 * i]), lo = kw_hexval(v.p[3 + 2 * i]);
            if (hi < 0 || lo < 0)
                return;
            b[i] = hi * 16 + lo;
        }
        char buf[16];
        int k = snprintf(buf, sizeof buf, "%d.%d.%d.%d", b[0], b[1], b[2], b[3]);
        log_set_copy(r, field, buf, (size_t)k);
        return;
    }
    log_set(r, field, v.p, v.n);
}

bool log_set_endpoint(log_rec *r, const char *p, size_t n, log_field ip_f, log_field port_f)
{
    while (n && p[0] == ' ')
        p++, n--;
    while (n && p[n - 1] == ' ')
        n--;
    if (n > 2 && p[0] == '[') { /* [v6]:port */
        const char *b = memchr(p, ']', n);
        if (!b || !log_is_ip(p + 1, (size_t)(b - p - 1)))
            return false;
        log_set(r, ip_f, p + 1, (size_t)(b - p - 1));
        if (b + 2 < p + n && (b[1] == ':' || b[1] == '.'))
            log_set(r, port_f, b + 2, (size_t)(p + n - b - 2));
        return true;
    }
    if (log_is_ip(p, n)) {
        log_set(r, ip_f, p, n);
        return true;
    }
    const char *par = memchr(p, '(', n); /* Cisco IOS: "10.1.1.1(1234)" */
    if (par && p[n - 1] == ')' && log_is_ip(p, (size_t)(par - p))) {
        log_set(r, ip_f, p, (size_t)(par - p));
        log_set(r, port_f, par + 1, (size_t)(p + n - par - 2));
        return true;
    }
    /* the address is followed by ':' or '/' and the port, then maybe ":IFACE" (SonicWall) */
    for (size_t i = n; i > 0; i--) {
        if (p[i - 1] != ':' && p[i - 1] != '/')
            continue;
        if (!log_is_ip(p, i - 1))
            continue;
        size_t pe = i;
        while (pe < n && isdig(p[pe]))
            pe++;
        log_set(r, ip_f, p, i - 1);
        if (pe > i)
            log_set(r, port_f, p + i, pe - i);
        return true;
    }
    return false;
}

const char *log_set_flow(log_rec *r, const char *p, const char *end)
{
    const char *arrow = log_find(p, (size_t)(end - p) < 120 ? (size_t)(end - p) : 120, "->");
    if (!arrow)
        return NULL;
    const char *b = arrow + 2;
    while (b < end && *b == ' ')
        b++;
    const char *be = b;
    while (be < end && *be != ' ' && *be != ',' && *be != '(' && *be != ';')
        be++;
    if (be < end && *be == '(') { /* "10.2.2.2(80)" (IOS); not "(TCP)" */
        const char *d = be + 1;
        while (d < end && isdig(*d))
            d++;
        if (d > be + 1 && d < end && *d == ')')
            be = d + 1;
    }
    if (!log_set_endpoint(r, p, (size_t)(arrow - p), LF_SOURCE_IP, LF_SOURCE_PORT))
        return NULL;
    log_set_endpoint(r, b, (size_t)(be - b), LF_DEST_IP, LF_DEST_PORT);
    return be;
}

void log_kv_set(log_rec *r, log_field field, log_kv_kind kind, log_val v, const log_parse_opts *o)
{
    switch (kind) {
    case KV_STR:
        if (v.n)
            log_set(r, field, v.p, v.n);
        break;
    case KV_IFEMPTY:
        if (v.n && !log_has(r, field))
            log_set(r, field, v.p, v.n);
        break;
    case KV_LOWER: /* names of protocols and applications: "UNKNOWN", "N/A" say none */
        if (v.n && !empty_user(v.p, v.n))
            log_set(r, field, log_lower(r, v.p, v.n), v.n);
        break;
    case KV_TRANSPORT:
        log_set_transport(r, v.p, v.n);
        break;
    case KV_ACTION:
        log_set_action(r, v.p, v.n);
        break;
    case KV_SEVERITY:
        log_set_severity_word(r, v.p, v.n);
        break;
    case KV_OUTCOME:
        log_set_outcome_word(r, v.p, v.n);
        break;
    case KV_USER:
    case KV_IFEMPTY_USER:
        if (!empty_user(v.p, v.n) && !(kind == KV_IFEMPTY_USER && log_has(r, field)))
            log_set(r, field, v.p, v.n);
        break;
    case KV_TIME:
        log_set_time_word(r, v.p, v.n, o);
        break;
    case KV_ADDR:
        kv_addr(r, field, v);
        break;
    case KV_ADDR_PORT:
        log_set_endpoint(r, v.p, v.n, field, field == LF_SOURCE_IP ? LF_SOURCE_PORT : LF_DEST_PORT);
        break;
    }
}

static void kv_one(log_rec *r, const log_kv_table *t, const char *k, size_t kn, log_val v, const log_parse_opts *o)
{
    const log_kv_field *f = t->fields;
    while (f->key && !log_ieq(k, kn, f->key))
        f++;
    if (f->key)
        log_kv_set(r, f->field, f->kind, v, o);
    else
        log_extra(r, k, kn, v.p, v.n);
}

static bool key_char(char c, char eq) { return c != ' ' && c != eq && c != '"' && c != ',' && c != ';'; }

/* With pairs separated by spaces: does a "key=" start at p? */
static bool key_at(const char *p, const char *end, char eq)
{
    if (p < end && eq == ':' && (unsigned char)*p < 0x80 && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
        return false; /* "stat_time:2019-01-01 00:00:00": the "00:" is no key */
    const char *k = p;
    while (p < end && key_char(*p, eq))
        p++;
    return p > k && p < end && *p == eq;
}

typedef void (*kv_pair_fn)(const char *k, size_t kn, log_val v, void *arg);

/* Where a value that starts at p ends (quotes dropped into *v). */
static const char *kv_value(const log_kv_table *t, const char *p, const char *end, log_val *v)
{
    if (p < end && *p == '"') {
        const char *s = ++p;
        while (p < end && !(*p == '"' && p[-1] != '\\'))
            p++;
        *v = (log_val){s, (uint32_t)(p - s)};
        return p < end ? p + 1 : end;
    }
    const char *s = p;
    if (t->pair == ' ') {
        while (p < end && !(*p == ' ' && key_at(p + 1, end, t->eq)))
            p++;
    } else {
        while (p < end && *p != t->pair)
            p++;
    }
    const char *e = p;
    while (e > s && (e[-1] == ' ' || e[-1] == '\r'))
        e--;
    *v = (log_val){s, (uint32_t)(e - s)};
    return p;
}

static int kv_split(const log_kv_table *t, const char *p, size_t n, kv_pair_fn fn, void *arg)
{
    const char *end = p + n;
    int pairs = 0;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == t->pair))
            p++;
        const char *k = p, *ke;
        if (p < end && *p == '"' && t->eq == ':') { /* a JSON object's "key": */
            k = ++p;
            while (p < end && *p != '"')
                p++;
            ke = p;
            if (p < end)
                p++;
            while (p < end && *p == ' ')
                p++;
        } else {
            while (p < end && *p != t->eq && *p != t->pair && (t->pair != ' ' || *p != ' '))
                p++;
            ke = p;
            while (ke > k && ke[-1] == ' ')
                ke--;
        }
        if (p >= end || *p != t->eq)
            continue;
        p++;
        while (t->eq == ':' && p < end && *p == ' ')
            p++;
        log_val v;
        p = kv_value(t, p, end, &v);
        if (ke > k) {
            fn(k, (size_t)(ke - k), v, arg);
            pairs++;
        }
    }
    return pairs;
}

typedef struct {
    log_rec *r;
    const log_kv_table *t;
    const log_parse_opts *o;
} kv_apply_arg;

static void kv_apply_pair(const char *k, size_t kn, log_val v, void *arg)
{
    kv_apply_arg *a = arg;
    kv_one(a->r, a->t, k, kn, v, a->o);
}

int log_kv_apply(log_rec *r, const log_kv_table *t, const char *p, size_t n, const log_parse_opts *o)
{
    if (t->dataset)
        log_set_str(r, LF_EVENT_DATASET, t->dataset);
    if (t->vendor)
        log_set_str(r, LF_OBSERVER_VENDOR, t->vendor);
    if (t->product)
        log_set_str(r, LF_OBSERVER_PRODUCT, t->product);
    if (t->ns)
        r->extra_ns = t->ns;
    kv_apply_arg a = {r, t, o};
    return kv_split(t, p, n, kv_apply_pair, &a);
}

typedef struct {
    const char *key;
    log_val *out;
    bool found;
} kv_get_arg;

static void kv_get_pair(const char *k, size_t kn, log_val v, void *arg)
{
    kv_get_arg *a = arg;
    if (!a->found && log_ieq(k, kn, a->key)) {
        *a->out = v;
        a->found = true;
    }
}

bool log_kv_get(const log_kv_table *t, const char *p, size_t n, const char *key, log_val *out)
{
    kv_get_arg a = {key, out, false};
    kv_split(t, p, n, kv_get_pair, &a);
    return a.found;
}

/* ---- CSV ---- */

int log_csv_split(const char *m, size_t n, log_val *f, int max)
{
    int nf = 0;
    const char *p = m, *end = m + n;
    while (p <= end && nf < max) {
        if (p < end && *p == '"') {
            const char *s = ++p;
            while (p < end && !(*p == '"' && (p + 1 >= end || p[1] != '"')))
                p += (*p == '"') ? 2 : 1;
            f[nf++] = (log_val){s, (uint32_t)((p < end ? p : end) - s)};
            p++;
            if (p < end && *p == ',')
                p++;
            else if (p >= end)
                break;
            continue;
        }
        const char *c = memchr(p, ',', (size_t)(end - p));
        const char *e = c ? c : end;
        f[nf++] = (log_val){p, (uint32_t)(e - p)};
        if (!c)
            break;
        p = c + 1;
    }
    return nf;
}

log_val log_csv_unquote(log_rec *r, log_val v)
{
    if (!v.n || !memchr(v.p, '"', v.n))
        return v;
    char *d = log_scratch(r, v.n);
    if (!d)
        return v;
    size_t k = 0;
    for (uint32_t i = 0; i < v.n; i++) {
        d[k++] = v.p[i];
        if (v.p[i] == '"' && i + 1 < v.n && v.p[i + 1] == '"')
            i++;
    }
    return (log_val){d, (uint32_t)k};
}
