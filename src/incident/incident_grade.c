/* incident_grade.c: the grades Ⅰ–Ⅳ (特别重大, 重大, 较大, 一般) and the names of the phases, the
 * report kinds and the organisation types, shared
 * by the configuration's tables, the plans and every message and report. */
#include "incident/incident_conf.h"

#include <string.h>
#include <strings.h>

const char *const incident_grade_names[] = {"I", "II", "III", "IV", NULL};
const char *const incident_phase_names[] = {"confirm", "contain", "eradicate", "recover", "report", NULL};
const char *const incident_report_names[] = {"none", "regulator", "department", NULL};
const char *const incident_org_names[] = {"cii", "state_organ", "other", NULL};

static const char *const grade_roman[] = {"Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ"};
static const char *const grade_zh[] = {"特别重大", "重大", "较大", "一般"};
static const char *const grade_en[] = {"particularly serious", "serious", "relatively serious", "general"};

static bool grade_ok(int g)
{
    return g >= INCIDENT_GRADE_MIN && g <= INCIDENT_GRADE_MAX;
}

const char *incident_grade_name(int grade)
{
    return grade_ok(grade) ? incident_grade_names[grade - 1] : "?";
}

const char *incident_grade_roman(int grade)
{
    return grade_ok(grade) ? grade_roman[grade - 1] : "?";
}

const char *incident_grade_label(int grade, bool zh)
{
    return grade_ok(grade) ? (zh ? grade_zh[grade - 1] : grade_en[grade - 1]) : "?";
}

int incident_grade_parse(const char *s)
{
    if (!s)
        return 0;
    for (int g = INCIDENT_GRADE_MIN; g <= INCIDENT_GRADE_MAX; g++) {
        char digit[2] = {(char)('0' + g), '\0'};
        if (strcasecmp(s, incident_grade_names[g - 1]) == 0 || strcmp(s, grade_roman[g - 1]) == 0 ||
            strcmp(s, grade_zh[g - 1]) == 0 || strcmp(s, digit) == 0)
            return g;
    }
    return 0;
}

const char *incident_phase_label(const char *phase, bool zh)
{
    static const char *const names[][3] = {{"confirm", "confirm and assess", "确认与评估"},
                                           {"contain", "contain", "遏制"},
                                           {"eradicate", "eradicate", "根除"},
                                           {"recover", "recover", "恢复"},
                                           {"report", "report and review", "报告与总结"}};
    for (size_t i = 0; phase && i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(phase, names[i][0]))
            return zh ? names[i][2] : names[i][1];
    return phase;
}
