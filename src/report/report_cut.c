/* report_cut.c: the departments' cuts of a report (report_int.h): their names, and which
 * sections each holds (doc/report.md and keepwatch(1) say the same). The gather and the build
 * both ask it; it asks nothing. */
#include "report/report_int.h"

#include <stdio.h>
#include <string.h>

const char *const report_cut_names[] = {"full", "operations", "business", "customer_service", "management", NULL};

kw_rc report_cut_parse(const char *s, int *cut)
{
    for (int i = 0; s && i < 5; i++)
        if (strcmp(s, report_cut_names[i]) == 0) {
            *cut = i;
            return KW_OK;
        }
    return KW_ERR_PARSE;
}

const char *report_cut_name(int cut)
{
    return cut >= 0 && cut < 5 ? report_cut_names[cut] : "full";
}

/* Which sections each cut holds (doc/report.md and the man page say the same). */
bool report_cut_has(int cut, const char *section)
{
    static const char *const held[5] = {
        [REPORT_CUT_FULL] = " duty alerts notable attacks hosts findings drift outages incidents drills verify"
                            " response remediation drill_trend lessons ",
        [REPORT_CUT_OPERATIONS] = " duty alerts notable attacks hosts findings drift outages incidents drills verify"
                                  " response remediation ",
        [REPORT_CUT_BUSINESS] = " alerts outages incidents findings remediation ",
        [REPORT_CUT_CUSTOMER_SERVICE] = " outages incidents ",
        [REPORT_CUT_MANAGEMENT] =
            " alerts incidents drills findings remediation response drill_trend lessons verify duty ",
    };
    char key[40];
    if (cut < 0 || cut > 4 || snprintf(key, sizeof key, " %s ", section) >= (int)sizeof key)
        return false;
    return strstr(held[cut], key) != NULL;
}
