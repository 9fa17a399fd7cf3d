/* scan_web_url.c: URL resolution for the web crawler (web_url_resolve), on libcurl's URL API
 * with the corrections browsers make to a reference before they resolve it.
 *
 * libcurl 7.88's URL API, as found: it keeps the host's case (lower-cased here); it resolves ""
 * and "#f" to the base's directory instead of the base (RFC 3986 5.2.2: the base itself, done
 * here); it percent-encodes spaces and non-ASCII bytes in a relative reference but refuses
 * spaces and keeps raw non-ASCII in an absolute one (both encoded here before resolving, as
 * browsers do); it keeps backslashes (turned into '/' before the query, as browsers do); it
 * refuses "http:foo" and "//" and reads "///x" as host x; it normalises dot segments, numeric
 * IPv4 forms (0x7f.1 -> 127.0.0.1) and, asked, drops the default port. */
#include "scan/scan_web_html.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <string.h>

#include "core/kw_mem.h"
#include "scan/scan_web.h"


static bool url_keep_byte(unsigned char c)
{
    return c > 0x20 && c < 0x7f && c != '"' && c != '<' && c != '>' && c != '`';
}

/* ref as a browser hands it to its URL parser: blanks around it cut, tabs and newlines inside
 * removed, backslashes before the query turned into '/', spaces, controls, quotes and non-ASCII
 * bytes percent-encoded. Returns false when it does not fit out[n]. */
static bool url_clean(const char *ref, char *out, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t a = 0, b = strlen(ref), k = 0;
    bool query = false;
    while (a < b && (unsigned char)ref[a] <= 0x20)
        a++;
    while (b > a && (unsigned char)ref[b - 1] <= 0x20)
        b--;
    for (size_t i = a; i < b; i++) {
        unsigned char c = (unsigned char)ref[i];
        if (c == '\t' || c == '\n' || c == '\r')
            continue;
        query = query || c == '?' || c == '#';
        if (c == '\\' && !query)
            c = '/';
        if (k + 4 > n)
            return false;
        if (url_keep_byte(c)) {
            out[k++] = (char)c;
            continue;
        }
        out[k++] = '%';
        out[k++] = hex[c >> 4];
        out[k++] = hex[c & 15];
    }
    out[k] = '\0';
    return true;
}

static bool url_scheme_web(CURLU *h)
{
    char *s = NULL;
    if (curl_url_get(h, CURLUPART_SCHEME, &s, 0) != CURLUE_OK)
        return false;
    bool ok = strcmp(s, "http") == 0 || strcmp(s, "https") == 0;
    curl_free(s);
    return ok;
}

static kw_rc url_lower_host(CURLU *h)
{
    char *host = NULL;
    if (curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK)
        return KW_ERR_PARSE;
    for (char *p = host; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    CURLUcode uc = curl_url_set(h, CURLUPART_HOST, host, 0);
    curl_free(host);
    return uc == CURLUE_OK ? KW_OK : KW_ERR_PARSE;
}

static kw_rc url_join(CURLU *h, const char *base, const char *ref)
{
    if (curl_url_set(h, CURLUPART_URL, base, 0) != CURLUE_OK || !url_scheme_web(h))
        return KW_ERR_PARSE;
    if (ref[0] && ref[0] != '#' && curl_url_set(h, CURLUPART_URL, ref, 0) != CURLUE_OK)
        return KW_ERR_PARSE;
    if (!url_scheme_web(h) || curl_url_set(h, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK)
        return KW_ERR_PARSE;
    return url_lower_host(h);
}

kw_rc web_url_resolve(const char *base, const char *ref, char *out, size_t outn)
{
    char b[WEB_URL_MAX], r[WEB_URL_MAX];
    if (!base || !ref || !out || !outn)
        return KW_ERR_PARSE;
    out[0] = '\0';
    if (!url_clean(base, b, sizeof b) || !url_clean(ref, r, sizeof r))
        return KW_ERR_RANGE;
    CURLU *h = curl_url();
    if (!h)
        return KW_ERR_NOMEM;
    kw_rc rc = url_join(h, b, r);
    char *u = NULL;
    if (rc == KW_OK && curl_url_get(h, CURLUPART_URL, &u, CURLU_NO_DEFAULT_PORT) != CURLUE_OK)
        rc = KW_ERR_PARSE;
    if (rc == KW_OK && kw_strlcpy(out, u, outn) >= outn) {
        out[0] = '\0';
        rc = KW_ERR_RANGE;
    }
    curl_free(u);
    curl_url_cleanup(h);
    return rc;
}

