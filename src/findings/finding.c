/* Severity words and the score bands of finding.h; no I/O. */
#include "findings/finding.h"

#include <strings.h>

const char *finding_sev_name(finding_sev s)
{
    static const char *const names[] = {"info", "low", "medium", "high", "critical"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "info";
}

bool finding_sev_parse(const char *word, finding_sev *out)
{
    static const struct {
        const char *word;
        finding_sev sev;
    } words[] = {
        {"info", FINDING_INFO},      {"informational", FINDING_INFO}, {"none", FINDING_INFO},
        {"log", FINDING_INFO},       {"low", FINDING_LOW},            {"medium", FINDING_MEDIUM},
        {"moderate", FINDING_MEDIUM}, {"high", FINDING_HIGH},         {"important", FINDING_HIGH},
        {"critical", FINDING_CRITICAL}, {"urgent", FINDING_CRITICAL},
    };
    if (!word)
        return false;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcasecmp(word, words[i].word) == 0) {
            *out = words[i].sev;
            return true;
        }
    return false;
}

finding_sev finding_sev_of_score(double score)
{
    if (score >= 9.0)
        return FINDING_CRITICAL;
    if (score >= 7.0)
        return FINDING_HIGH;
    if (score >= 4.0)
        return FINDING_MEDIUM;
    if (score > 0.0)
        return FINDING_LOW;
    return FINDING_INFO;
}
