/* The findings subsystem's pure parts: severity words and score bands (finding.c). */
#include "findings/finding.h"
#include "kw_test.h"

static void test_severity_bands(void)
{
    CHECK_INT(finding_sev_of_score(0.0), FINDING_INFO);
    CHECK_INT(finding_sev_of_score(0.1), FINDING_LOW);
    CHECK_INT(finding_sev_of_score(3.9), FINDING_LOW);
    CHECK_INT(finding_sev_of_score(4.0), FINDING_MEDIUM);
    CHECK_INT(finding_sev_of_score(6.9), FINDING_MEDIUM);
    CHECK_INT(finding_sev_of_score(7.0), FINDING_HIGH);
    CHECK_INT(finding_sev_of_score(8.9), FINDING_HIGH);
    CHECK_INT(finding_sev_of_score(9.0), FINDING_CRITICAL);
    CHECK_INT(finding_sev_of_score(10.0), FINDING_CRITICAL);
}

static void test_severity_words(void)
{
    finding_sev s = FINDING_INFO;
    CHECK(finding_sev_parse("Critical", &s) && s == FINDING_CRITICAL);
    CHECK(finding_sev_parse("moderate", &s) && s == FINDING_MEDIUM);
    CHECK(finding_sev_parse("Informational", &s) && s == FINDING_INFO);
    CHECK(!finding_sev_parse("severe-ish", &s));
    CHECK(!finding_sev_parse(NULL, &s));
    CHECK_STR(finding_sev_name(FINDING_HIGH), "high");
    CHECK_STR(finding_sev_name((finding_sev)42), "info");
}

int main(void)
{
    RUN(test_severity_bands);
    RUN(test_severity_words);
    TEST_MAIN_END();
}
