/* The findings subsystem's pure parts: severity words and score bands (finding.c). */
#include "findings/finding.h"
#include "findings/finding_print.h"
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

static void test_ecs(void)
{
    finding f = {.vuln_id = "KW-REDIS-NOAUTH", .title = "Redis answers without a password", .scanner = "keepwatch",
                 .severity = FINDING_HIGH, .score = -1, .ip = "127.0.0.1", .port = 6379, .transport = "tcp",
                 .category = "weak_auth", .seen_ms = 1764547200000};
    kw_buf b;
    kw_buf_init(&b, 1 << 16);
    kw_json j;
    kw_json_init(&j, &b);
    finding_ecs(&j, &f, 0);
    CHECK_CONTAINS(b.data, "\"event.kind\":\"state\"");
    CHECK_CONTAINS(b.data, "\"vulnerability.severity\":\"high\"");
    CHECK_CONTAINS(b.data, "\"destination.port\":6379");
    CHECK_CONTAINS(b.data, "\"@timestamp\":\"2025-12-01T00:00:00.000Z\"");
    CHECK(!strstr(b.data, "vulnerability.score.base")); /* no score given: none written */
    kw_buf_free(&b);
    kw_buf_init(&b, 1 << 16);
    finding_text(&b, &f);
    CHECK_STR(b.data, "high     KW-REDIS-NOAUTH      127.0.0.1:6379/tcp  Redis answers without a password\n");
    kw_buf_free(&b);
}

int main(void)
{
    RUN(test_ecs);
    RUN(test_severity_bands);
    RUN(test_severity_words);
    TEST_MAIN_END();
}
