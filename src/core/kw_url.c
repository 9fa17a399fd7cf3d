/* URLs in messages and in `config show`: a password in one is never printed. */
#include "core/kw_url.h"

#include <stdio.h>
#include <string.h>

/* Appends n bytes of s to out[cap] at *len, truncating, always terminated. */
static void put(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
    if (*len + 1 >= cap)
        return;
    size_t room = cap - 1 - *len;
    if (n > room)
        n = room;
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = '\0';
}

/* The userinfo's password runs from the first ':' after the scheme to the last '@' (a raw '@'
 * or '/' in it masks more, never less); a password= parameter runs to the next '&'. */
char *kw_url_mask_password(const char *url, char *out, size_t n)
{
    if (!out || n == 0)
        return out;
    out[0] = '\0';
    if (!url)
        return out;
    size_t len = 0;
    const char *rest = strstr(url, "://");
    rest = rest ? rest + 3 : url;
    const char *at = strrchr(rest, '@');
    const char *colon = at ? memchr(rest, ':', (size_t)(at - rest)) : NULL;
    const char *p = url;
    if (colon) {
        put(out, n, &len, url, (size_t)(colon + 1 - url));
        put(out, n, &len, "***", 3);
        p = at;
    }
    for (const char *q; (q = strstr(p, "password=")) != NULL;) {
        q += 9;
        put(out, n, &len, p, (size_t)(q - p));
        put(out, n, &len, "***", 3);
        p = q + strcspn(q, "&");
    }
    put(out, n, &len, p, strlen(p));
    return out;
}

/* Replaces each occurrence of pw in s (terminated, in s[n]) by "***". */
void kw_scrub_secret(char *s, size_t n, const char *pw)
{
    size_t pl = pw ? strlen(pw) : 0;
    if (pl == 0)
        return;
    char out[512];
    size_t len = 0;
    out[0] = '\0';
    for (const char *p = s, *q; *p; p = q + pl) {
        q = strstr(p, pw);
        if (!q) {
            put(out, sizeof out, &len, p, strlen(p));
            break;
        }
        put(out, sizeof out, &len, p, (size_t)(q - p));
        put(out, sizeof out, &len, "***", 3);
    }
    snprintf(s, n, "%s", out);
}
