/* PostgreSQL configuration (pure, no I/O): postgresql.conf "name = value" or "name value"
 * lines with # comments and '...' values (include, include_dir, include_if_exists kept as
 * directives for the engine), and pg_hba.conf records: key the connection type (local, host,
 * hostssl, hostnossl, hostgssenc ...), val the rest single-spaced ("all all 0.0.0.0/0 trust"). */
#include <ctype.h>
#include <string.h>

#include "audit/audit_app_int.h"

static void cut_comment(char *v)
{
    bool q = false;
    for (char *p = v; *p; p++) {
        if (*p == '\'')
            q = !q;
        else if (*p == '#' && !q) {
            *p = '\0';
            break;
        }
    }
    size_t l = strlen(v);
    while (l && isspace((unsigned char)v[l - 1]))
        v[--l] = '\0';
}

kw_rc app_pgconf_parse(app_cf *c, const char *file, const char *b, size_t n)
{
    char s[APP_TEXT_MAX + 1];
    int line = 0;
    for (size_t pos = 0; pos < n;) {
        int ln = (int)app_line(b, n, &pos, &line, false, s, sizeof s);
        if (!s[0] || s[0] == '#')
            continue;
        size_t kl = 0;
        while (s[kl] && (isalnum((unsigned char)s[kl]) || s[kl] == '_' || s[kl] == '.'))
            kl++;
        char *v = s + kl;
        while (*v == ' ')
            v++;
        if (*v == '=')
            v++;
        while (*v == ' ')
            v++;
        cut_comment(v);
        app_unquote(v);
        if (!kl) {
            c->unknown++;
            continue;
        }
        for (size_t i = 0; i < kl; i++)
            s[i] = (char)tolower((unsigned char)s[i]);
        kw_rc rc = app_cf_add(c, file, ln, NULL, s, kl, v, strlen(v));
        if (rc != KW_OK)
            return rc;
    }
    return KW_OK;
}

/* Collapses runs of blanks into one space. */
static void squeeze(char *s)
{
    char *d = s;
    for (char *p = s; *p; p++)
        if (*p != ' ' || (d > s && d[-1] != ' '))
            *d++ = *p;
    if (d > s && d[-1] == ' ')
        d--;
    *d = '\0';
}

kw_rc app_pghba_parse(app_cf *c, const char *file, const char *b, size_t n)
{
    char s[APP_TEXT_MAX + 1];
    int line = 0;
    for (size_t pos = 0; pos < n;) {
        int ln = (int)app_line(b, n, &pos, &line, true, s, sizeof s);
        if (!s[0] || s[0] == '#')
            continue;
        char *h = strchr(s, '#');
        if (h)
            *h = '\0';
        squeeze(s);
        if (!s[0])
            continue;
        kw_rc rc = app_add_split(c, file, ln, NULL, s, true);
        if (rc != KW_OK)
            return rc;
    }
    return KW_OK;
}
