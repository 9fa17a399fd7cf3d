/* The web scanner's checks in the order they run (files first: a site's exposed files are the
 * cheapest proof; then the passive checks, then the injections from the cheapest proof up), and
 * which check a finding's id comes from (for --recheck). */
#include "scan/scan_web_int.h"

#include <string.h>

const web_check *const web_checks[] = {
    &web_check_files, &web_check_passive,  &web_check_xss,  &web_check_sqli,      &web_check_traversal,
    &web_check_cmdi,  &web_check_redirect, &web_check_ssti, &web_check_templates,
};
const size_t web_nchecks = sizeof web_checks / sizeof web_checks[0];

static const web_check *by_name(const char *name)
{
    for (size_t i = 0; i < web_nchecks; i++)
        if (strcmp(web_checks[i]->name, name) == 0)
            return web_checks[i];
    return NULL;
}

const web_check *web_check_of(const char *id)
{
    static const struct {
        const char *prefix, *check;
    } by_id[] = {
        {"KW-WEB-XSS-", "xss"},          {"KW-WEB-SQLI-", "sqli"},        {"KW-WEB-TRAVERSAL", "traversal"},
        {"KW-WEB-CMDI", "cmdi"},         {"KW-WEB-REDIRECT", "redirect"}, {"KW-WEB-SSTI", "ssti"},
        {"KW-WEB-GIT", "files"},         {"KW-WEB-SVN", "files"},         {"KW-WEB-ENV", "files"},
        {"KW-WEB-BACKUP", "files"},      {"KW-WEB-PHPINFO", "files"},     {"KW-WEB-ADMIN", "files"},
        {"KW-WEB-DIRLIST", "passive"},   {"KW-WEB-STACKTRACE", "passive"},  {"KW-WEB-HDR-", "passive"},
        {"KW-WEB-COOKIE-", "passive"},   {"KW-WEB-BANNER", "passive"},
    };
    for (size_t i = 0; i < sizeof by_id / sizeof *by_id; i++)
        if (strncmp(id, by_id[i].prefix, strlen(by_id[i].prefix)) == 0)
            return by_name(by_id[i].check);
    return strncmp(id, "KW-WEB-", 7) == 0 ? NULL : by_name("templates");
}
