/* The proofs of the injection checks, pure (bytes in, verdicts out): the signatures of the system
 * files a traversal reads, the computed markers that command and template injection print, where
 * a Location, a refresh or a page's script sends the browser, which parameters look like file
 * names or redirect targets, and whether two timings prove a sleep. Every input is a hostile
 * site's answer: all scans are bounded by the lengths given. */
#include "scan/scan_web_inject.h"

#include <stdio.h>
#include <string.h>

#define INJ_URL_SCAN 2048            /* bytes of a URL, a tag or a script literal examined */

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
    char l = lower(c);
    return is_digit(c) || (l >= 'a' && l <= 'z');
}

/* web_find from offset `from`; (size_t)-1 when absent. */
static size_t ci_find(const char *h, size_t n, size_t from, const char *needle)
{
    size_t at = from <= n ? web_find(h + from, n - from, needle) : (size_t)-1;
    return at == (size_t)-1 ? at : at + from;
}

static bool ci_prefix(const char *s, size_t n, const char *p)
{
    size_t m = strlen(p);
    return n >= m && ci_find(s, m, 0, p) == 0;
}

/* ---- system files ---- */

/* A passwd line "name:pw:uid:gid:" at b[i] (name 1-32 of [A-Za-z0-9_.-], pw up to 64 bytes
 * without ':' or a newline, uid and gid decimal); its length, 0 when there is none. */
static size_t passwd_line(const char *b, size_t n, size_t i)
{
    size_t j = i;
    while (j < n && j - i < 32 && (is_alnum(b[j]) || b[j] == '_' || b[j] == '-' || b[j] == '.'))
        j++;
    if (j == i || j >= n || b[j] != ':')
        return 0;
    size_t pw = ++j;
    while (j < n && j - pw < 64 && b[j] != ':' && b[j] != '\n')
        j++;
    for (int field = 0; field < 2; field++) {
        if (j >= n || b[j] != ':')
            return 0;
        size_t d = ++j;
        while (j < n && j - d < 10 && is_digit(b[j]))
            j++;
        if (j == d)
            return 0;
    }
    return j < n && b[j] == ':' ? j + 1 - i : 0;
}

static bool word_start(const char *b, size_t i)
{
    return i == 0 || !(is_alnum(b[i - 1]) || b[i - 1] == '_' || b[i - 1] == '-' || b[i - 1] == '.');
}

/* "root:<pw>:0:0:" at a word start, and another passwd line within the next 2 KiB (a whole file,
 * not one example line quoted on a page). Only the first 16 root lines are looked after, so that
 * a hostile page of them costs a bounded time. */
static bool passwd_at(const char *b, size_t n, size_t *at)
{
    int roots = 0;
    for (size_t from = 0; from < n && roots < 16;) {
        const char *p = memmem(b + from, n - from, "root:", 5);
        if (!p)
            return false;
        size_t i = (size_t)(p - b), len = word_start(b, i) ? passwd_line(b, n, i) : 0;
        if (len >= 11 && memcmp(b + i + len - 5, ":0:0:", 5) == 0) {
            roots++;
            size_t end = n - (i + len) < 2048 ? n : i + len + 2048;
            for (size_t k = i + len; k < end; k++)
                if (word_start(b, k) && passwd_line(b, n, k)) {
                    *at = i;
                    return true;
                }
        }
        from = i + 1;
    }
    return false;
}

static bool winini_at(const char *b, size_t n, size_t *at)
{
    size_t a = ci_find(b, n, 0, "for 16-bit app support");
    if (a == (size_t)-1) {
        a = ci_find(b, n, 0, "[fonts]");
        if (a == (size_t)-1 || ci_find(b, n, 0, "[extensions]") == (size_t)-1)
            return false;
    }
    *at = a;
    return true;
}

inj_file inj_file_sig(const char *b, size_t n, size_t *at)
{
    if (!b)
        return INJ_FILE_NONE;
    if (passwd_at(b, n, at))
        return INJ_FILE_PASSWD;
    if (winini_at(b, n, at))
        return INJ_FILE_WININI;
    return INJ_FILE_NONE;
}

inj_file inj_php_source_sig(const char *b, size_t n, size_t *at)
{
    for (size_t from = 0; b && from < n;) {
        const char *p = memmem(b + from, n - from, "PD9waHA", 7);
        if (!p)
            break;
        size_t i = (size_t)(p - b);
        if (i == 0 || !(is_alnum(b[i - 1]) || b[i - 1] == '+' || b[i - 1] == '/')) {
            *at = i;
            return INJ_FILE_PHPSRC;
        }
        from = i + 1;
    }
    return INJ_FILE_NONE;
}

const char *inj_file_name(inj_file f)
{
    switch (f) {
    case INJ_FILE_PASSWD: return "/etc/passwd";
    case INJ_FILE_WININI: return "win.ini";
    case INJ_FILE_PHPSRC: return "a PHP source in base64 (php://filter read the file named)";
    default: return "";
    }
}

/* ---- computed markers ---- */

bool inj_marker_product(const char *b, size_t n, const char *marker, long product, size_t maxws, size_t *at)
{
    char num[24];
    size_t ml = strlen(marker);
    int nl = snprintf(num, sizeof num, "%ld", product);
    if (!b || !ml || nl <= 0)
        return false;
    for (size_t from = 0; from < n;) {
        const char *p = memmem(b + from, n - from, marker, ml);
        if (!p)
            return false;
        size_t i = (size_t)(p - b), j = i + ml, ws = 0;
        while (j < n && ws < maxws && (b[j] == ' ' || b[j] == '\t' || b[j] == '\r' || b[j] == '\n'))
            j++, ws++;
        if (j + (size_t)nl <= n && memcmp(b + j, num, (size_t)nl) == 0 &&
            (j + (size_t)nl == n || !is_digit(b[j + (size_t)nl]))) {
            *at = i;
            return true;
        }
        from = i + 1;
    }
    return false;
}

/* ---- redirect targets ---- */

/* u[n] as a browser reads it: outer blanks and controls cut, tab/CR/LF dropped, '\' as '/'. */
static size_t url_clean(const char *u, size_t n, char *out, size_t outn)
{
    size_t a = 0, z = n, k = 0;
    while (a < z && (unsigned char)u[a] <= ' ')
        a++;
    while (z > a && (unsigned char)u[z - 1] <= ' ')
        z--;
    for (size_t i = a; i < z && k + 1 < outn; i++) {
        if (u[i] == '\t' || u[i] == '\r' || u[i] == '\n')
            continue;
        out[k++] = u[i] == '\\' ? '/' : u[i];
    }
    out[k] = '\0';
    return k;
}

static int hexval(char c)
{
    char l = lower(c);
    return is_digit(c) ? c - '0' : l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
}

/* The host of authority a[n] (userinfo, port cut; percent-decoded, lower-cased, a final dot cut)
 * into out; false for an IPv6 literal or one that does not fit. */
static bool authority_host(const char *a, size_t n, char *out, size_t outn)
{
    for (size_t i = n; i > 0; i--)
        if (a[i - 1] == '@') {
            a += i, n -= i;
            break;
        }
    if (n && a[0] == '[')
        return false;
    const char *colon = memchr(a, ':', n);
    if (colon)
        n = (size_t)(colon - a);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = a[i];
        if (c == '%' && i + 2 < n && hexval(a[i + 1]) >= 0 && hexval(a[i + 2]) >= 0) {
            c = (char)(hexval(a[i + 1]) * 16 + hexval(a[i + 2]));
            i += 2;
        }
        if (k + 1 >= outn)
            return false;
        out[k++] = lower(c);
    }
    if (k && out[k - 1] == '.')
        k--;
    out[k] = '\0';
    return true;
}

/* Where the authority of the cleaned URL s[n] starts (after "http(s):" and two or more slashes,
 * or after two or more slashes alone); (size_t)-1 when s is relative or of another scheme. */
static size_t authority_start(const char *s, size_t n)
{
    size_t i = 0;
    if (n && is_alnum(s[0]) && !is_digit(s[0])) {
        while (i < n && (is_alnum(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
            i++;
        if (i < n && s[i] == ':') {
            if (!ci_prefix(s, n, "http:") && !ci_prefix(s, n, "https:"))
                return (size_t)-1;
            i++;
        } else {
            i = 0;
        }
    }
    size_t slashes = 0;
    while (i < n && s[i] == '/')
        i++, slashes++;
    return slashes >= 2 ? i : (size_t)-1;
}

bool inj_url_host_is(const char *u, size_t n, const char *host)
{
    char s[INJ_URL_SCAN], h[256];
    if (!u || !host)
        return false;
    size_t len = url_clean(u, n < INJ_URL_SCAN ? n : INJ_URL_SCAN, s, sizeof s);
    size_t a = authority_start(s, len);
    if (a == (size_t)-1)
        return false;
    size_t e = a;
    while (e < len && s[e] != '/' && s[e] != '?' && s[e] != '#')
        e++;
    if (!authority_host(s + a, e - a, h, sizeof h))
        return false;
    size_t hl = strlen(h), pl = strlen(host);
    if (hl == pl)
        return ci_prefix(h, hl, host);
    return hl > pl && h[hl - pl - 1] == '.' && ci_prefix(h + hl - pl, pl, host);
}

static size_t skip_blank(const char *v, size_t i, size_t n)
{
    while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n'))
        i++;
    return i;
}

bool inj_refresh_url(const char *v, size_t n, const char **url, size_t *len)
{
    size_t i = skip_blank(v, 0, n);
    while (i < n && (is_digit(v[i]) || v[i] == '.'))
        i++;
    i = skip_blank(v, i, n);
    if (i < n && (v[i] == ';' || v[i] == ','))
        i = skip_blank(v, i + 1, n);
    if (ci_prefix(v + i, n - i, "url")) {
        size_t j = skip_blank(v, i + 3, n);
        if (j < n && v[j] == '=')
            i = skip_blank(v, j + 1, n);
    }
    size_t e = n;
    if (i < n && (v[i] == '\'' || v[i] == '"')) {
        const char *q = memchr(v + i + 1, v[i], n - i - 1);
        e = q ? (size_t)(q - v) : n;
        i++;
    }
    while (e > i && (unsigned char)v[e - 1] <= ' ')
        e--;
    if (e <= i)
        return false;
    *url = v + i;
    *len = e - i;
    return true;
}

/* The value of attribute name in the tag t[n] (quoted or bare), into *v and *vl. */
static bool tag_attr(const char *t, size_t n, const char *name, const char **v, size_t *vl)
{
    size_t nl = strlen(name);
    for (size_t i = ci_find(t, n, 0, name); i != (size_t)-1; i = ci_find(t, n, i + 1, name)) {
        if (i == 0 || is_alnum(t[i - 1]) || t[i - 1] == '-')
            continue;
        size_t j = skip_blank(t, i + nl, n);
        if (j >= n || t[j] != '=')
            continue;
        j = skip_blank(t, j + 1, n);
        char q = j < n && (t[j] == '"' || t[j] == '\'') ? t[j] : 0;
        size_t s = q ? j + 1 : j, e = s;
        while (e < n && (q ? t[e] != q : (unsigned char)t[e] > ' ' && t[e] != '>'))
            e++;
        *v = t + s;
        *vl = e - s;
        return true;
    }
    return false;
}

/* The length of the tag at b[i] ("<meta ..."), up to its '>' or the next '<', within the bound. */
static size_t tag_len(const char *b, size_t n, size_t i)
{
    size_t lim = n - i < INJ_URL_SCAN ? n - i : INJ_URL_SCAN, k = 1;
    while (k < lim && b[i + k] != '>' && b[i + k] != '<')
        k++;
    return k;
}

/* A <meta http-equiv="refresh" content="..."> whose URL is on host; its offset in *at. The first
 * 256 meta tags are read (a page has a handful; a hostile one millions). */
static bool meta_refresh_to(const char *b, size_t n, const char *host, size_t *at)
{
    int tags = 0;
    for (size_t i = ci_find(b, n, 0, "<meta"); i != (size_t)-1 && tags++ < 256; i = ci_find(b, n, i + 5, "<meta")) {
        size_t tl = tag_len(b, n, i);
        const char *v, *u;
        size_t vl, ul;
        if (!tag_attr(b + i, tl, "http-equiv", &v, &vl) || !ci_prefix(v, vl, "refresh"))
            continue;
        if (tag_attr(b + i, tl, "content", &v, &vl) && inj_refresh_url(v, vl, &u, &ul) &&
            inj_url_host_is(u, ul, host)) {
            *at = i;
            return true;
        }
    }
    return false;
}

/* A script string literal starting with its quote at s[0], JavaScript escapes of '/' undone
 * ("\/", "\x2f", "\u002f"), into out; false when it does not close within the bound. */
static bool js_literal(const char *s, size_t n, char *out, size_t outn, size_t *outl)
{
    char q = s[0];
    size_t k = 0;
    for (size_t i = 1; i < n && i < INJ_URL_SCAN && k + 1 < outn; i++) {
        if (s[i] == q) {
            out[k] = '\0';
            *outl = k;
            return true;
        }
        if (s[i] == '\\' && i + 1 < n) {
            size_t skip = ci_prefix(s + i, n - i, "\\x2f") ? 3 : ci_prefix(s + i, n - i, "\\u002f") ? 5 : 0;
            out[k++] = skip ? '/' : s[i + 1];
            i += skip ? skip : 1;
            continue;
        }
        out[k++] = s[i];
    }
    return false;
}

/* After "location" at b[i]: the offset of the quote of a literal it is assigned or handed to
 * (= "...", .href = "...", .replace("..."), .assign("...")); (size_t)-1 otherwise. */
static size_t location_literal(const char *b, size_t n, size_t i)
{
    size_t j = i + 8;
    if (ci_prefix(b + j, n - j, ".href"))
        j += 5;
    j = skip_blank(b, j, n);
    if (j < n && b[j] == '=' && (j + 1 >= n || b[j + 1] != '=')) {
        j = skip_blank(b, j + 1, n);
    } else if (ci_prefix(b + j, n - j, ".replace(") || ci_prefix(b + j, n - j, ".assign(")) {
        j = skip_blank(b, j + (b[j + 1] == 'r' || b[j + 1] == 'R' ? 9 : 8), n);
    } else {
        return (size_t)-1;
    }
    return j < n && (b[j] == '"' || b[j] == '\'' || b[j] == '`') ? j : (size_t)-1;
}

static bool script_location_to(const char *b, size_t n, const char *host, size_t *at)
{
    char lit[INJ_URL_SCAN];
    for (size_t i = ci_find(b, n, 0, "location"); i != (size_t)-1; i = ci_find(b, n, i + 8, "location")) {
        if (i > 0 && (is_alnum(b[i - 1]) || b[i - 1] == '_' || b[i - 1] == '$'))
            continue;
        size_t q = location_literal(b, n, i), ll;
        if (q != (size_t)-1 && js_literal(b + q, n - q, lit, sizeof lit, &ll) && inj_url_host_is(lit, ll, host)) {
            *at = i;
            return true;
        }
    }
    return false;
}

const char *inj_body_redirect(const char *b, size_t n, const char *host, size_t *at)
{
    if (!b || !host)
        return NULL;
    if (meta_refresh_to(b, n, host, at))
        return "meta refresh";
    if (script_location_to(b, n, host, at))
        return "script location";
    return NULL;
}

/* ---- which parameters suit which check ---- */

bool inj_value_ours(const char *v)
{
    static const char *const traces[] = {"etc/passwd", "win.ini", "php://filter", INJ_PROBE_HOST, "sleep ",
                                         "$((", "set /a", "{{", "${", "<%=", "#{", NULL};
    size_t n = v ? strlen(v) : 0;
    for (size_t k = 0; n && traces[k]; k++)
        if (ci_find(v, n, 0, traces[k]) != (size_t)-1)
            return true;
    return false;
}

static bool name_has(const char *name, const char *const *words, bool whole)
{
    size_t nl = strlen(name);
    for (size_t k = 0; words[k]; k++) {
        size_t wl = strlen(words[k]);
        if (whole ? nl == wl && ci_prefix(name, nl, words[k]) : ci_find(name, nl, 0, words[k]) != (size_t)-1)
            return true;
    }
    return false;
}

/* A value ending in ".ext" (2 to 5 letters or digits, one letter at least), as file names do. */
static bool has_extension(const char *v)
{
    const char *dot = strrchr(v, '.');
    if (!dot)
        return false;
    size_t el = strlen(dot + 1);
    bool letter = false;
    for (const char *c = dot + 1; *c; c++) {
        if (!is_alnum(*c))
            return false;
        letter |= !is_digit(*c);
    }
    return el >= 2 && el <= 5 && letter;
}

bool inj_param_fileish(const web_param *p)
{
    static const char *const parts[] = {"file", "path", "folder", "template", "include", "download",
                                        "document", "image", "resource", "attach", "theme", "layout",
                                        "module", "lang", NULL};
    static const char *const whole[] = {"page", "doc", "dir", "tpl", "inc", "load", "read", "view", "show",
                                        "img", "src", "style", "report", "log", NULL};
    const char *n = p->name ? p->name : "", *v = p->value ? p->value : "";
    return name_has(n, parts, false) || name_has(n, whole, true) || strchr(v, '/') || strchr(v, '\\') ||
           (has_extension(v) && !strchr(v, '@'));
}

bool inj_param_urlish(const web_param *p)
{
    static const char *const parts[] = {"redir", "url", "uri", "next", "return", "goto", "dest",
                                        "continue", "callback", "forward", "target", "location",
                                        "success", "origin", "backto", NULL};
    static const char *const whole[] = {"to", "r", "u", "go", "out", "back", "ref", "link", "site",
                                        "from", "path", NULL};
    const char *n = p->name ? p->name : "", *v = p->value ? p->value : "";
    size_t vl = strlen(v);
    return name_has(n, parts, false) || name_has(n, whole, true) || ci_prefix(v, vl, "http://") ||
           ci_prefix(v, vl, "https://") || v[0] == '/';
}

/* ---- timings ---- */

bool inj_timing_proof(int64_t base_us, int64_t t1_us, int n1, int64_t t2_us, int n2)
{
    if (n1 <= 0 || n2 <= n1 || base_us < 0)
        return false;
    return t1_us - base_us >= (int64_t)n1 * 800000 && t2_us - base_us >= (int64_t)n2 * 800000 &&
           t2_us - t1_us >= (int64_t)(n2 - n1) * 500000;
}
