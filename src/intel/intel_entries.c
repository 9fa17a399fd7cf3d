/* intel_entries.c: the indicators a list holds (addresses, prefixes, [v6]:port, host:port,
 * domains, URLs whose host is taken) and the skip report, which every format's parser
 * (intel_load.c, intel_csv.c, intel_stix.c) fills: below them all. No I/O. */
#include "intel/intel.h"
#include "intel/intel_int.h"
#include "core/kw_mem.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t entries_total(const intel_entries *e) { return e->n_v4 + e->n_v6 + e->n_domains; }

/* ---- the skip report ---- */

void intel_skip_note(intel_report *rep, size_t line, const char *reason, const char *text, size_t len)
{
    rep->skipped++;
    if (rep->n_skips >= INTEL_MAX_SKIPS)
        return;
    intel_skip *k = &rep->skips[rep->n_skips++];
    k->line = line;
    k->object = false;
    kw_strlcpy(k->reason, reason, sizeof k->reason);
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < sizeof k->text; i++)
        k->text[o++] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '?';
    k->text[o] = '\0';
}

/* ---- indicators ---- */

static kw_rc add_v4(intel_entries *e, uint32_t addr, unsigned plen)
{
    if (entries_total(e) >= INTEL_MAX_ENTRIES)
        return KW_ERR_FULL;
    uint32_t mask = plen ? htonl(~0u << (32 - plen)) : 0;
    kw_grow(&e->v4, &e->cap_v4, e->n_v4 + 1, sizeof *e->v4);
    e->v4[e->n_v4++] = (intel_v4){addr & mask, (uint8_t)plen};
    return KW_OK;
}

static kw_rc add_v6(intel_entries *e, const uint8_t *a, unsigned plen)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a, mapped, 12) == 0 && plen >= 96) { /* ::ffff:a.b.c.d is looked up as IPv4 */
        uint32_t v4;
        memcpy(&v4, a + 12, 4);
        return add_v4(e, v4, plen - 96);
    }
    if (entries_total(e) >= INTEL_MAX_ENTRIES)
        return KW_ERR_FULL;
    kw_grow(&e->v6, &e->cap_v6, e->n_v6 + 1, sizeof *e->v6);
    intel_v6 *v = &e->v6[e->n_v6++];
    memset(v, 0, sizeof *v);
    for (unsigned i = 0; i < 16; i++) {
        unsigned bits = plen > i * 8 ? plen - i * 8 : 0;
        v->addr[i] = bits >= 8 ? a[i] : (uint8_t)(a[i] & (0xff00u >> bits));
    }
    v->plen = (uint8_t)plen;
    return KW_OK;
}

static kw_rc add_domain(intel_entries *e, const char *name, size_t len)
{
    if (entries_total(e) >= INTEL_MAX_ENTRIES)
        return KW_ERR_FULL;
    kw_grow(&e->names, &e->names_cap, e->names_len + len + 1, 1);
    e->names[e->names_len] = (char)(unsigned char)len;
    memcpy(e->names + e->names_len + 1, name, len);
    e->names_len += len + 1;
    e->n_domains++;
    return KW_OK;
}

bool intel_domain_norm(const char *s, size_t len, char *out, size_t *outlen)
{
    if (len && s[len - 1] == '.')
        len--;
    if (!len || len > INTEL_MAX_DOMAIN)
        return false;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c == '.') {
            if (!label)
                return false;
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
        out[i] = c;
    }
    out[len] = '\0';
    *outlen = len;
    return label > 0;
}

static void why_set(char *why, size_t whyn, const char *reason)
{
    if (why && whyn)
        kw_strlcpy(why, reason, whyn);
}

/* A prefix length: 1 to max decimal digits, no sign, no leading zero. */
static bool parse_plen(const char *s, unsigned max, unsigned *out)
{
    if (!*s || strlen(s) > 3 || (s[0] == '0' && s[1]))
        return false;
    unsigned v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (unsigned)(*s - '0');
    }
    *out = v;
    return v <= max;
}

/* An address with an optional /prefix, NUL-terminated in buf. */
static kw_rc add_ip(intel_entries *e, char *buf, bool v6, char *why, size_t whyn)
{
    unsigned max = v6 ? 128 : 32, plen = max;
    char *slash = strchr(buf, '/');
    if (slash) {
        *slash = '\0';
        if (!parse_plen(slash + 1, max, &plen)) {
            why_set(why, whyn, v6 ? "bad IPv6 prefix length (1 to 128)" : "bad IPv4 prefix length (1 to 32)");
            return KW_ERR_PARSE;
        }
        if (plen == 0) {
            why_set(why, whyn, "a /0 prefix would match every address");
            return KW_ERR_PARSE;
        }
    }
    uint8_t a[16];
    if (v6 && strchr(buf, '%')) {
        why_set(why, whyn, "IPv6 address with a zone id");
        return KW_ERR_PARSE;
    }
    if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, a) != 1) {
        why_set(why, whyn, v6 ? "not an IPv6 address" : "not an IPv4 address");
        return KW_ERR_PARSE;
    }
    kw_rc rc;
    if (v6) {
        rc = add_v6(e, a, plen);
    } else {
        uint32_t v;
        memcpy(&v, a, 4);
        rc = add_v4(e, v, plen);
    }
    if (rc == KW_ERR_FULL)
        why_set(why, whyn, "the list is full");
    return rc;
}

static bool all_digits(const char *s, size_t n)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* True if s looks like a dotted number (so it is a bad address, not a domain). */
static bool dotted_numeric(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '/'))
            return false;
    return true;
}

static kw_rc add_name(intel_entries *e, const char *s, size_t n, char *why, size_t whyn)
{
    while (n >= 2 && s[0] == '*' && s[1] == '.') { /* *.evil.example: subdomains match anyway */
        s += 2;
        n -= 2;
    }
    if (n && s[0] == '.') {
        s++;
        n--;
    }
    char dom[INTEL_MAX_DOMAIN + 1];
    size_t dl;
    if (!intel_domain_norm(s, n, dom, &dl) || !memchr(dom, '.', dl)) {
        why_set(why, whyn, "not an IP address, prefix, domain name or URL");
        return KW_ERR_PARSE;
    }
    const char *last = strrchr(dom, '.') + 1;
    if (all_digits(last, strlen(last))) {
        why_set(why, whyn, "not an IPv4 address");
        return KW_ERR_PARSE;
    }
    kw_rc rc = add_domain(e, dom, dl);
    if (rc == KW_ERR_FULL)
        why_set(why, whyn, "the list is full");
    return rc;
}

/* add_ip on a slice: copied into a bounded buffer first. */
static kw_rc add_ip_slice(intel_entries *e, const char *s, size_t n, bool v6, char *why, size_t whyn)
{
    char buf[64];
    if (n >= sizeof buf) {
        why_set(why, whyn, v6 ? "not an IPv6 address" : "not an IPv4 address");
        return KW_ERR_PARSE;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    return add_ip(e, buf, v6, why, whyn);
}

/* A host as written in a URL or a list: [v6][:port], v6[/len], v4[/len][:port], name[:port]. */
static kw_rc add_host(intel_entries *e, const char *s, size_t n, int hint, char *why, size_t whyn)
{
    if (n && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        size_t rest = close ? n - (size_t)(close + 1 - s) : 0;
        if (!close || (rest && (close[1] != ':' || !all_digits(close + 2, rest - 1)))) {
            why_set(why, whyn, "not an IPv6 address");
            return KW_ERR_PARSE;
        }
        return add_ip_slice(e, s + 1, (size_t)(close - s - 1), true, why, whyn);
    }
    const char *c1 = memchr(s, ':', n);
    if (c1 && memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - s))) /* two colons: IPv6 */
        return add_ip_slice(e, s, n, true, why, whyn);
    if (c1) { /* host:port */
        if (!all_digits(c1 + 1, n - (size_t)(c1 + 1 - s))) {
            why_set(why, whyn, "bad port after ':'");
            return KW_ERR_PARSE;
        }
        n = (size_t)(c1 - s);
    }
    if (dotted_numeric(s, n))
        return add_ip_slice(e, s, n, false, why, whyn);
    if (hint == INTEL_HINT_IP) {
        why_set(why, whyn, "not an IP address");
        return KW_ERR_PARSE;
    }
    return add_name(e, s, n, why, whyn);
}

/* The host of scheme://[userinfo@]host[:port][/path...]. */
static kw_rc add_url(intel_entries *e, const char *s, size_t n, char *why, size_t whyn)
{
    const char *p = s, *end = s + n;
    const char *sep = NULL;
    for (const char *q = s; q + 2 < end; q++)
        if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
            sep = q;
            break;
        }
    if (sep)
        p = sep + 3;
    const char *h = p;
    while (p < end && *p != '/' && *p != '?' && *p != '#' && *p != '\\')
        p++;
    const char *at = NULL;
    for (const char *q = h; q < p; q++)
        if (*q == '@')
            at = q;
    if (at)
        h = at + 1;
    if (h == p) {
        why_set(why, whyn, "a URL without a host");
        return KW_ERR_PARSE;
    }
    return add_host(e, h, (size_t)(p - h), INTEL_HINT_ANY, why, whyn);
}

bool intel_has_scheme(const char *s, size_t n)
{
    for (size_t i = 0; i + 2 < n && i < 16; i++) {
        if (s[i] == ':')
            return s[i + 1] == '/' && s[i + 2] == '/' && i > 0;
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '+' || s[i] == '-' || s[i] == '.'))
            return false;
    }
    return false;
}

/* Defanged indicators as reports write them: evil[.]example, 1.2.3[.]4, hxxp://, [:]//.
 * Copies s into out[INTEL_MAX_LINE] with the brackets undone; false if nothing was defanged. */
static bool refang(const char *s, size_t n, char *out, size_t *outn)
{
    static const struct {
        const char *from, *to;
    } subs[] = {{"[.]", "."}, {"(.)", "."}, {"{.}", "."}, {"[dot]", "."}, {"[:]", ":"}, /* anywhere */
                {"hxxp", "http"}, {"fxp", "ftp"}};                                    /* at the start */
    bool maybe = n >= 3 && (s[1] | 0x20) == 'x'; /* hxxp, fxp */
    for (size_t i = 0; i < n && !maybe; i++)
        maybe = s[i] == '[' || s[i] == '(' || s[i] == '{';
    if (!maybe)
        return false; /* the common case: nothing to undo, nothing copied */
    size_t o = 0;
    bool changed = false;
    for (size_t i = 0; i < n && o < INTEL_MAX_LINE;) {
        size_t k = 0, nsubs = sizeof subs / sizeof subs[0];
        for (; k < nsubs; k++) {
            size_t fl = strlen(subs[k].from);
            if (n - i >= fl && strncasecmp(s + i, subs[k].from, fl) == 0 && (k < 5 || i == 0))
                break;
        }
        if (k < nsubs) {
            o += (size_t)snprintf(out + o, INTEL_MAX_LINE - o, "%s", subs[k].to);
            i += strlen(subs[k].from);
            changed = true;
        } else {
            out[o++] = s[i++];
        }
    }
    *outn = o < INTEL_MAX_LINE ? o : INTEL_MAX_LINE;
    return changed;
}

kw_rc intel_value_add(intel_entries *e, const char *s, size_t n, int hint, char *why, size_t whyn)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (!n) {
        why_set(why, whyn, "empty indicator");
        return KW_ERR_PARSE;
    }
    if (memchr(s, '\0', n)) {
        why_set(why, whyn, "a NUL byte in the indicator");
        return KW_ERR_PARSE;
    }
    char plain[INTEL_MAX_LINE + 1];
    size_t pn;
    if (n <= INTEL_MAX_LINE && refang(s, n, plain, &pn)) {
        s = plain;
        n = pn;
    }
    if (hint == INTEL_HINT_URL || intel_has_scheme(s, n))
        return add_url(e, s, n, why, whyn);
    return add_host(e, s, n, hint, why, whyn);
}

kw_rc intel_entries_add_text(intel_entries *e, const char *s, size_t len, char *why, size_t whyn)
{
    return intel_value_add(e, s, len, INTEL_HINT_ANY, why, whyn);
}
