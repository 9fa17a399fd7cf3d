/* redis.conf (pure, no I/O): "directive args..." lines, # comments, "..." quoted arguments;
 * the key lower-cased, the arguments single-spaced. include is kept for the engine. */
#include <string.h>

#include "audit/audit_app_int.h"

kw_rc app_redis_parse(app_cf *c, const char *file, const char *b, size_t n)
{
    char s[APP_TEXT_MAX + 1];
    int line = 0;
    for (size_t pos = 0; pos < n;) {
        int ln = (int)app_line(b, n, &pos, &line, false, s, sizeof s);
        if (!s[0] || s[0] == '#')
            continue;
        char *d = s; /* drop the quotes around each argument, single spaces */
        for (char *p = s; *p; p++)
            if (*p != '"' && (*p != ' ' || (d > s && d[-1] != ' ')))
                *d++ = *p;
        *d = '\0';
        kw_rc rc = app_add_split(c, file, ln, NULL, s, true);
        if (rc != KW_OK)
            return rc;
    }
    return KW_OK;
}
