/* MySQL / MariaDB option files (my.cnf; pure, no I/O): [section] headers, key[=value] lines,
 * # and ; comments, quoted values, !include FILE and !includedir DIR kept as directives
 * "!include" / "!includedir" for the engine. Keys are lower-cased with dashes as underscores
 * (bind-address = bind_address, as mysqld reads them); ctx is the section name. */
#include <ctype.h>
#include <string.h>

#include "audit/audit_app_int.h"

static void key_norm(char *k, size_t n)
{
    for (size_t i = 0; i < n; i++)
        k[i] = k[i] == '-' ? '_' : (char)tolower((unsigned char)k[i]);
}

static kw_rc ini_kv(app_cf *c, const char *file, int ln, const char *sect, char *s)
{
    char *eq = strchr(s, '=');
    char *v = eq ? eq + 1 : s + strlen(s);
    size_t kl = eq ? (size_t)(eq - s) : strlen(s);
    while (kl && isspace((unsigned char)s[kl - 1]))
        kl--;
    key_norm(s, kl);
    while (*v == ' ')
        v++;
    char *hash = strstr(v, " #"); /* a trailing comment after a value */
    if (hash && v[0] != '"' && v[0] != '\'')
        *hash = '\0';
    size_t vl = strlen(v);
    while (vl && v[vl - 1] == ' ')
        v[--vl] = '\0';
    app_unquote(v);
    if (!kl) {
        c->unknown++;
        return KW_OK;
    }
    return app_cf_add(c, file, ln, sect, s, kl, v, strlen(v));
}

kw_rc app_ini_parse(app_cf *c, const char *file, const char *b, size_t n)
{
    char s[APP_TEXT_MAX + 1], sect[128] = "";
    int line = 0;
    for (size_t pos = 0; pos < n;) {
        int ln = (int)app_line(b, n, &pos, &line, false, s, sizeof s);
        kw_rc rc = KW_OK;
        if (!s[0] || s[0] == '#' || s[0] == ';')
            continue;
        if (s[0] == '[') {
            size_t e = strcspn(s, "]");
            if (!s[e] || e - 1 >= sizeof sect) {
                c->unknown++;
                continue;
            }
            memcpy(sect, s + 1, e - 1);
            sect[e - 1] = '\0';
            key_norm(sect, e - 1);
        } else if (s[0] == '!') {
            rc = app_add_split(c, file, ln, sect, s, true);
        } else {
            rc = ini_kv(c, file, ln, sect, s);
        }
        if (rc != KW_OK)
            return rc;
    }
    return KW_OK;
}
