/* scan_target.c: what `scan net` is told to scan, parsed without I/O (host names go through the
 * caller's resolver): target specs (addresses, prefixes, ranges, names) expanded into a host
 * list with a width bound, exclusion spans, the scope every host must lie in (scan.allowed, or
 * the built-in loopback + RFC 1918 + ULA), and port lists ("22,80,U:53,T:1000-2000", "-"). */
#include "scan/scan.h"
#include "core/kw_mem.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCAN_SPEC_MAX 512

/* ---- addresses as big-endian integers ---- */

static size_t addr_len(const kw_addr *a)
{
    return a->v6 ? 16 : 4;
}

static int addr_cmp(const kw_addr *a, const kw_addr *b)
{
    if (a->v6 != b->v6)
        return a->v6 < b->v6 ? -1 : 1;
    return memcmp(a->b, b->b, addr_len(a));
}

static void addr_inc(kw_addr *a)
{
    for (size_t i = addr_len(a); i-- > 0;)
        if (++a->b[i] != 0)
            return;
}

/* hi - lo + 1, or UINT64_MAX when it does not fit (lo <= hi, same family). */
static uint64_t span_count(const kw_addr *lo, const kw_addr *hi)
{
    size_t len = addr_len(lo), head = len > 8 ? len - 8 : 0;
    if (memcmp(lo->b, hi->b, head) != 0)
        return UINT64_MAX;
    uint64_t a = 0, b = 0;
    for (size_t i = head; i < len; i++) {
        a = a << 8 | lo->b[i];
        b = b << 8 | hi->b[i];
    }
    return b - a == UINT64_MAX ? UINT64_MAX : b - a + 1;
}

/* The first and last address of prefix/bits. */
static void prefix_span(const kw_addr *p, int bits, scan_span *s)
{
    s->lo = *p;
    s->hi = *p;
    size_t len = addr_len(p);
    for (size_t i = 0; i < len; i++) {
        int keep = bits - (int)i * 8;
        uint8_t mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
        s->lo.b[i] &= mask;
        s->hi.b[i] = (uint8_t)(s->lo.b[i] | (uint8_t)~mask);
    }
}

static bool addr_parse(const char *s, kw_addr *a)
{
    memset(a, 0, sizeof *a);
    a->v6 = strchr(s, ':') != NULL;
    return inet_pton(a->v6 ? AF_INET6 : AF_INET, s, a->b) == 1;
}

/* ---- one spec into a span ---- */

static bool name_valid(const char *s)
{
    size_t n = strlen(s), label = 0;
    bool alpha = false;
    if (n == 0 || n >= SCAN_NAME_LEN || s[0] == '-' || s[0] == '.')
        return false;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (c == '.') {
            if (label == 0)
                return false;
            label = 0;
            continue;
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok || ++label > 63)
            return false;
        alpha |= !(c >= '0' && c <= '9');
    }
    return alpha; /* all digits and dots is a malformed address, not a name */
}

/* "a.b.c.d-N" (last octet) or "A-B" (two addresses of a family) into s. */
static kw_rc range_parse(const char *lo, const char *hi, scan_span *s, char *err, size_t errn)
{
    if (!addr_parse(lo, &s->lo)) {
        snprintf(err, errn, "\"%s\" is not an address", lo);
        return KW_ERR_PARSE;
    }
    char *end;
    if (!s->lo.v6 && *hi && strspn(hi, "0123456789") == strlen(hi)) {
        long last = strtol(hi, &end, 10);
        if (strlen(hi) > 3 || last > 255) {
            snprintf(err, errn, "range end \"%s\" is not an octet (0-255)", hi);
            return KW_ERR_PARSE;
        }
        s->hi = s->lo;
        s->hi.b[3] = (uint8_t)last;
    } else if (!addr_parse(hi, &s->hi) || s->hi.v6 != s->lo.v6) {
        snprintf(err, errn, "range end \"%s\" is not an address of the same family", hi);
        return KW_ERR_PARSE;
    }
    if (addr_cmp(&s->lo, &s->hi) > 0) {
        snprintf(err, errn, "range %s-%s ends before it starts", lo, hi);
        return KW_ERR_PARSE;
    }
    return KW_OK;
}

static kw_rc name_resolve(const char *spec, scan_span *s, const scan_target_opts *o, char *err, size_t errn)
{
    if (!name_valid(spec)) {
        snprintf(err, errn, "\"%s\" is not an address, prefix, range or host name", spec);
        return KW_ERR_PARSE;
    }
    if (!o || !o->resolve) {
        snprintf(err, errn, "\"%s\": host names are not accepted here", spec);
        return KW_ERR_PARSE;
    }
    if (o->resolve(spec, &s->lo, o->resolve_arg) != KW_OK) {
        snprintf(err, errn, "\"%s\" does not resolve to an address", spec);
        return KW_ERR_NOTFOUND;
    }
    s->hi = s->lo;
    return KW_OK;
}

/* A spec into its span; *is_name says it was a host name. */
static kw_rc spec_parse(const char *spec, scan_span *s, bool *is_name, const scan_target_opts *o, char *err,
                        size_t errn)
{
    char buf[SCAN_SPEC_MAX];
    *is_name = false;
    if (strlen(spec) >= sizeof buf || !*spec) {
        snprintf(err, errn, "a target is empty or longer than %d bytes", SCAN_SPEC_MAX - 1);
        return KW_ERR_PARSE;
    }
    strcpy(buf, spec);
    char *slash = strchr(buf, '/'), *dash = strchr(buf, '-');
    if (slash) {
        kw_addr p;
        int bits;
        if (!kw_prefix_parse(buf, &p, &bits)) {
            snprintf(err, errn, "\"%s\" is not a prefix (address/bits)", spec);
            return KW_ERR_PARSE;
        }
        prefix_span(&p, bits, s);
        return KW_OK;
    }
    if (dash) {
        *dash = '\0';
        kw_addr probe;
        if (addr_parse(buf, &probe))
            return range_parse(buf, dash + 1, s, err, errn);
        *dash = '-';
    }
    if (addr_parse(buf, &s->lo)) {
        s->hi = s->lo;
        return KW_OK;
    }
    *is_name = true;
    return name_resolve(buf, s, o, err, errn);
}

/* ---- host lists ---- */

static void targets_push(scan_targets *t, const kw_addr *a, const char *name)
{
    kw_grow(&t->v, &t->cap, t->n + 1, sizeof *t->v);
    t->v[t->n].addr = *a;
    t->v[t->n].name = name ? kw_strdup(name) : NULL;
    t->n++;
}

kw_rc scan_targets_add(scan_targets *t, const char *spec, const scan_target_opts *opts, char *err, size_t errn)
{
    scan_span s;
    bool is_name;
    kw_rc rc = spec_parse(spec, &s, &is_name, opts, err, errn);
    if (rc != KW_OK)
        return rc;
    uint64_t n = span_count(&s.lo, &s.hi);
    uint64_t wide = (uint64_t)1 << (s.lo.v6 ? 128 - SCAN_CIDR_MIN_V6 : 32 - SCAN_CIDR_MIN_V4);
    if (n > wide && !(opts && opts->large)) {
        snprintf(err, errn, "\"%s\" holds more than %llu addresses (/%d); say --large to scan it", spec,
                 (unsigned long long)wide, s.lo.v6 ? SCAN_CIDR_MIN_V6 : SCAN_CIDR_MIN_V4);
        return KW_ERR_RANGE;
    }
    if (n > SCAN_HOSTS_MAX || t->n + n > SCAN_HOSTS_MAX) {
        snprintf(err, errn, "\"%s\": a scan holds at most %u hosts", spec, SCAN_HOSTS_MAX);
        return KW_ERR_RANGE;
    }
    kw_addr a = s.lo;
    for (uint64_t i = 0; i < n; i++, addr_inc(&a))
        targets_push(t, &a, is_name ? spec : NULL);
    return KW_OK;
}

static int host_cmp(const void *x, const void *y)
{
    return addr_cmp(&((const scan_host *)x)->addr, &((const scan_host *)y)->addr);
}

void scan_targets_uniq(scan_targets *t)
{
    if (t->n < 2)
        return;
    qsort(t->v, t->n, sizeof *t->v, host_cmp);
    size_t w = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (w > 0 && addr_cmp(&t->v[w - 1].addr, &t->v[i].addr) == 0) {
            if (!t->v[w - 1].name) {
                t->v[w - 1].name = t->v[i].name;
                t->v[i].name = NULL;
            }
            free(t->v[i].name);
            continue;
        }
        t->v[w++] = t->v[i];
    }
    t->n = w;
}

void scan_targets_free(scan_targets *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].name);
    free(t->v);
    memset(t, 0, sizeof *t);
}

/* ---- exclusions ---- */

kw_rc scan_spans_add(scan_spans *s, const char *spec, const scan_target_opts *opts, char *err, size_t errn)
{
    scan_span sp;
    bool is_name;
    kw_rc rc = spec_parse(spec, &sp, &is_name, opts, err, errn);
    if (rc != KW_OK)
        return rc;
    kw_grow(&s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = sp;
    return KW_OK;
}

void scan_spans_free(scan_spans *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}

bool scan_spans_has(const scan_spans *s, const kw_addr *a)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].lo.v6 == a->v6 && addr_cmp(&s->v[i].lo, a) <= 0 && addr_cmp(a, &s->v[i].hi) <= 0)
            return true;
    return false;
}

size_t scan_targets_exclude(scan_targets *t, const scan_spans *ex)
{
    size_t w = 0, gone = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (scan_spans_has(ex, &t->v[i].addr)) {
            free(t->v[i].name);
            gone++;
            continue;
        }
        t->v[w++] = t->v[i];
    }
    t->n = w;
    return gone;
}

/* ---- scope ---- */

static const char *const scan_scope_builtin[] = {
    "127.0.0.0/8", "::1/128",                          /* loopback */
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",   /* RFC 1918 */
    "fc00::/7",                                        /* RFC 4193 unique local */
};

kw_rc scan_scope_init(scan_scope *s, char *const *allowed, size_t n, char *err, size_t errn)
{
    const char *const *v = (const char *const *)allowed;
    if (n == 0) {
        v = scan_scope_builtin;
        n = sizeof scan_scope_builtin / sizeof scan_scope_builtin[0];
    }
    s->pfx = kw_calloc(n, sizeof *s->pfx);
    s->bits = kw_calloc(n, sizeof *s->bits);
    s->n = n;
    for (size_t i = 0; i < n; i++)
        if (!kw_prefix_parse(v[i], &s->pfx[i], &s->bits[i])) {
            snprintf(err, errn, "scan.allowed: \"%s\" is not an address or prefix", v[i]);
            scan_scope_free(s);
            return KW_ERR_PARSE;
        }
    return KW_OK;
}

void scan_scope_free(scan_scope *s)
{
    free(s->pfx);
    free(s->bits);
    memset(s, 0, sizeof *s);
}

/* Multicast, broadcast and unspecified addresses: never a scan target. */
static bool addr_never(const kw_addr *a)
{
    static const uint8_t zero[16];
    if (a->v6)
        return a->b[0] == 0xff || memcmp(a->b, zero, 16) == 0;
    return a->b[0] >= 224 || a->b[0] == 0;
}

bool scan_scope_has(const scan_scope *s, const kw_addr *a)
{
    if (addr_never(a))
        return false;
    for (size_t i = 0; i < s->n; i++)
        if (kw_addr_in(a, &s->pfx[i], s->bits[i]))
            return true;
    return false;
}

kw_rc scan_targets_in_scope(const scan_targets *t, const scan_scope *s, size_t *outside, char *err, size_t errn)
{
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < t->n; i++)
        if (!scan_scope_has(s, &t->v[i].addr) && bad++ == 0)
            first = i;
    *outside = bad;
    if (!bad)
        return KW_OK;
    char a[INET6_ADDRSTRLEN];
    kw_addr_str(&t->v[first].addr, a, sizeof a);
    const char *name = t->v[first].name;
    snprintf(err, errn, "%s%s%s%s is outside scan.allowed%s%zu target%s refused, nothing sent", a, name ? " (" : "",
             name ? name : "", name ? ")" : "", addr_never(&t->v[first].addr) ? " (a multicast, broadcast or unspecified address); " : "; ",
             bad, bad == 1 ? "" : "s");
    return KW_ERR_RANGE;
}

/* ---- ports ---- */

static void port_set(uint8_t *bits, size_t *count, unsigned p)
{
    if (!scan_port_has(bits, p)) {
        bits[p >> 3] |= (uint8_t)(1u << (p & 7));
        (*count)++;
    }
}

/* "N" (1..65535) of len bytes into *v. */
static bool port_num(const char *s, size_t len, unsigned *v)
{
    if (len == 0 || len > 5)
        return false;
    unsigned x = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        x = x * 10 + (unsigned)(s[i] - '0');
    }
    *v = x;
    return x >= 1 && x <= 65535;
}

/* One item "N", "N-M", "-M", "N-", "-" into [*lo, *hi]. */
static bool port_item(const char *s, size_t len, unsigned *lo, unsigned *hi)
{
    const char *dash = memchr(s, '-', len);
    if (!dash)
        return port_num(s, len, lo) && (*hi = *lo, true);
    size_t a = (size_t)(dash - s), b = len - a - 1;
    *lo = 1;
    *hi = 65535;
    if (a && !port_num(s, a, lo))
        return false;
    if (b && !port_num(dash + 1, b, hi))
        return false;
    return *lo <= *hi;
}

kw_rc scan_ports_parse(scan_ports *p, const char *spec, char *err, size_t errn)
{
    bool udp = false;
    const char *s = spec;
    for (;;) {
        size_t len = strcspn(s, ",");
        const char *item = s;
        if (len >= 2 && item[1] == ':' && strchr("TtUu", item[0]) && item[0]) {
            udp = item[0] == 'U' || item[0] == 'u';
            item += 2;
            len -= 2;
        }
        unsigned lo, hi;
        if (!port_item(item, len, &lo, &hi)) {
            snprintf(err, errn, "ports: \"%.*s\" is not a port (1-65535) or range", (int)(len > 40 ? 40 : len), item);
            return KW_ERR_PARSE;
        }
        for (unsigned q = lo; q <= hi; q++)
            port_set(udp ? p->udp : p->tcp, udp ? &p->nudp : &p->ntcp, q);
        if (item[len] != ',')
            return KW_OK;
        s = item + len + 1;
    }
}

size_t scan_ports_list(const uint8_t *bits, uint16_t *out)
{
    size_t n = 0;
    for (unsigned q = 1; q <= 65535; q++)
        if (scan_port_has(bits, q))
            out[n++] = (uint16_t)q;
    return n;
}

void scan_ports_add_list(scan_ports *p, bool udp, const uint16_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i])
            port_set(udp ? p->udp : p->tcp, udp ? &p->nudp : &p->ntcp, v[i]);
}

/* ---- name resolution (the one piece of I/O, behind the resolver pointer) ---- */

kw_rc scan_resolve_system(const char *name, kw_addr *out, void *arg)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(name, NULL, &hints, &res) != 0 || !res)
        return KW_ERR_NOTFOUND;
    kw_rc rc = KW_ERR_NOTFOUND;
    memset(out, 0, sizeof *out);
    for (struct addrinfo *ai = res; ai && rc != KW_OK; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET) {
            memcpy(out->b, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
            rc = KW_OK;
        } else if (ai->ai_family == AF_INET6) {
            memcpy(out->b, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
            out->v6 = 1;
            rc = KW_OK;
        }
    }
    freeaddrinfo(res);
    return rc;
}
