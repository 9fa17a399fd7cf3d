/* Small pure helpers the web checks share: a case-insensitive search, a header block's lookup,
 * percent-encoding, and a printable excerpt of a hostile answer. */
#include "scan/scan_web.h"

#include <ctype.h>
#include <string.h>

size_t web_find(const char *h, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    if (m == 0)
        return 0;
    if (!h || m > n)
        return (size_t)-1;
    int c0 = tolower((unsigned char)needle[0]);
    for (size_t i = 0; i + m <= n; i++) {
        if (tolower((unsigned char)h[i]) != c0)
            continue;
        size_t k = 1;
        while (k < m && tolower((unsigned char)h[i + k]) == tolower((unsigned char)needle[k]))
            k++;
        if (k == m)
            return i;
    }
    return (size_t)-1;
}

static bool hdr_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* One header line of h starting at *pos: name and value (trimmed); false at the end. */
static bool header_line(const char *h, size_t n, size_t *pos, const char **name, size_t *nl, const char **v,
                        size_t *vl)
{
    while (*pos < n) {
        size_t s = *pos, e = s;
        while (e < n && h[e] != '\n')
            e++;
        *pos = e < n ? e + 1 : n;
        const char *colon = memchr(h + s, ':', e - s);
        if (!colon || colon == h + s)
            continue;
        size_t a = (size_t)(colon - h) + 1;
        while (a < e && hdr_blank(h[a]))
            a++;
        size_t b = e;
        while (b > a && hdr_blank(h[b - 1]))
            b--;
        *name = h + s, *nl = (size_t)(colon - (h + s));
        *v = h + a, *vl = b - a;
        return true;
    }
    return false;
}

const char *web_header_in(const char *h, size_t n, const char *name, size_t *len, size_t *from)
{
    size_t pos = from ? *from : 0, k = strlen(name), nl, vl;
    const char *nm, *v;
    while (h && header_line(h, n, &pos, &nm, &nl, &v, &vl)) {
        if (nl == k && web_find(nm, nl, name) == 0) {
            if (from)
                *from = pos;
            *len = vl;
            return v;
        }
    }
    if (from)
        *from = n;
    return NULL;
}

bool web_pct_encode(const char *s, char *out, size_t outn)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool keep = isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~';
        size_t need = keep ? 1 : 3;
        if (o + need >= outn)
            return false;
        if (keep) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    if (o >= outn)
        return false;
    out[o] = 0;
    return true;
}

/* The length of a valid UTF-8 sequence at p (of n bytes), 0 when it is not one. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    size_t len = *p >= 0xf0 && *p <= 0xf4 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc2 && *p < 0xe0 ? 2 : 0;
    if (len == 0 || len > n || *p > 0xf4)
        return 0;
    for (size_t k = 1; k < len; k++)
        if ((p[k] & 0xc0) != 0x80)
            return 0;
    return len;
}

void web_excerpt(const char *h, size_t n, size_t at, size_t ctx, char *out, size_t outn)
{
    if (outn == 0)
        return;
    out[0] = 0;
    if (!h || n == 0)
        return;
    if (at > n)
        at = n;
    size_t lo = at > ctx ? at - ctx : 0, hi = at + ctx < n ? at + ctx : n;
    while (lo > 0 && lo < n && ((unsigned char)h[lo] & 0xc0) == 0x80)
        lo--;
    size_t o = 0;
    for (size_t i = lo; i < hi && o + 5 < outn;) {
        const unsigned char *p = (const unsigned char *)h + i;
        size_t u = *p >= 0x80 ? utf8_len(p, n - i) : 0;
        if (u > 0) {
            memcpy(out + o, p, u);
            o += u;
            i += u;
            continue;
        }
        out[o++] = *p == '\n' || *p == '\t' || (*p >= 0x20 && *p < 0x7f) ? (char)*p : '.';
        i++;
    }
    out[o] = 0;
}
