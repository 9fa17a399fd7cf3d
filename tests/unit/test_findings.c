/* The findings subsystem's pure parts: severity words and score bands (finding.c). */
#include "findings/finding.h"
#include "findings/finding_print.h"
#include "findings/findings.h"

#include <stdlib.h>
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

static void test_rate(void)
{
    finding_sev sev;
    double score;
    char ver[8];
    /* the vector decides, whatever the source said */
    finding f = {.severity = FINDING_LOW, .score = 2.0, .score_version = "3.1",
                 .vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"};
    findings_rate(&f, &sev, &score, ver);
    CHECK_NEAR(score, 9.8, 1e-9);
    CHECK_INT(sev, FINDING_CRITICAL);
    CHECK_STR(ver, "3.1");
    /* a v2 vector: its own bands (10.0 is high, there is no critical) */
    finding v2 = {.severity = FINDING_INFO, .score = -1, .vector = "AV:N/AC:L/Au:N/C:C/I:C/A:C"};
    findings_rate(&v2, &sev, &score, ver);
    CHECK_NEAR(score, 10.0, 1e-9);
    CHECK_INT(sev, FINDING_HIGH);
    CHECK_STR(ver, "2.0");
    /* a bad vector: the score given, in its band */
    finding bad = {.severity = FINDING_LOW, .score = 7.5, .score_version = "3.1", .vector = "CVSS:3.1/AV:X"};
    findings_rate(&bad, &sev, &score, ver);
    CHECK_NEAR(score, 7.5, 1e-9);
    CHECK_INT(sev, FINDING_HIGH);
    /* nothing numeric: the source's rating */
    finding none = {.severity = FINDING_MEDIUM, .score = -1};
    findings_rate(&none, &sev, &score, ver);
    CHECK(score < 0);
    CHECK_INT(sev, FINDING_MEDIUM);
    CHECK_STR(ver, "");
}

static void test_risk(void)
{
    CHECK_NEAR(findings_risk(9.8, FINDING_CRITICAL, KW_SEV_MEDIUM, CONF_EXPOSURE_INTERNAL, false), 98.0, 1e-9);
    CHECK_NEAR(findings_risk(5.0, FINDING_MEDIUM, KW_SEV_LOW, CONF_EXPOSURE_INTERNAL, false), 40.0, 1e-9);
    CHECK_NEAR(findings_risk(5.0, FINDING_MEDIUM, KW_SEV_HIGH, CONF_EXPOSURE_INTERNET, false), 78.0, 1e-9);
    CHECK_NEAR(findings_risk(5.0, FINDING_MEDIUM, KW_SEV_MEDIUM, CONF_EXPOSURE_INTERNAL, true), 75.0, 1e-9);
    CHECK_NEAR(findings_risk(-1, FINDING_HIGH, KW_SEV_MEDIUM, CONF_EXPOSURE_INTERNAL, false), 80.0, 1e-9);
    CHECK_NEAR(findings_risk(9.0, FINDING_CRITICAL, KW_SEV_CRITICAL, CONF_EXPOSURE_INTERNET, true), 100.0, 1e-9);
    CHECK_NEAR(findings_risk(0.0, FINDING_INFO, KW_SEV_CRITICAL, CONF_EXPOSURE_INTERNET, true), 0.0, 1e-9);
}

static conf *load(const char *yaml)
{
    conf *c = NULL;
    conf_errors errs = {0};
    if (conf_load_buffer("t.yaml", yaml, strlen(yaml), &c, &errs) != KW_OK)
        for (size_t i = 0; i < errs.n; i++)
            fprintf(stderr, "  %s\n", errs.v[i]);
    conf_errors_free(&errs);
    return c;
}

static void test_due(void)
{
    const int64_t day = 86400000;
    conf *c = load("findings: {sla: {normal: {high: 30d}, period: {high: 3d}}}\n");
    CHECK(c != NULL);
    if (!c)
        return;
    int64_t t0 = 1767225600000; /* 2026-01-01 */
    CHECK_INT(findings_due(c, FINDING_HIGH, t0), t0 + 30 * day); /* no period */
    CHECK_INT(findings_due(c, FINDING_INFO, t0), 0);
    CHECK_INT(findings_due(c, FINDING_CRITICAL, t0), t0 + 7 * day); /* the default */
    c->period.start_ms = t0 + 10 * day;
    c->period.end_ms = t0 + 40 * day;
    /* found before the period: the period's deadline from its start, being sooner */
    CHECK_INT(findings_due(c, FINDING_HIGH, t0), t0 + 13 * day);
    /* found during it */
    CHECK_INT(findings_due(c, FINDING_HIGH, t0 + 20 * day), t0 + 23 * day);
    /* found after it: the normal deadline */
    CHECK_INT(findings_due(c, FINDING_HIGH, t0 + 50 * day), t0 + 80 * day);
    /* found long before: its normal deadline passes before the period begins */
    CHECK_INT(findings_due(c, FINDING_HIGH, t0 - 40 * day), t0 - 10 * day);
    conf_free(c);
}

static void test_place_and_fingerprint(void)
{
    kw_buf a, b;
    kw_buf_init(&a, 4096);
    kw_buf_init(&b, 4096);
    finding w1 = {.url = "https://shop.example/search?q=1&page=2#top", .parameter = "q"};
    finding w2 = {.url = "https://shop.example/search?page=9&q=%3Cscript%3E&q=2", .parameter = "q"};
    findings_place(&w1, &a);
    findings_place(&w2, &b);
    CHECK_STR(a.data, "url https://shop.example/search?page=&q= | param q");
    CHECK_STR(a.data, b.data); /* the values do not make another place */
    kw_buf_free(&a);
    kw_buf_free(&b);
    kw_buf_init(&a, 4096);
    finding cf = {.file_path = "/etc/ssh/sshd_config", .line = 33, .text = "PermitRootLogin yes", .port = 0};
    findings_place(&cf, &a);
    CHECK_STR(a.data, "file /etc/ssh/sshd_config PermitRootLogin yes"); /* not its line: edits above move it */
    kw_buf_free(&a);
    kw_buf_init(&a, 4096);
    finding pk = {.port = 5432, .transport = "tcp", .package = "postgresql-15"};
    findings_place(&pk, &a);
    CHECK_STR(a.data, "tcp/5432 | pkg postgresql-15");
    kw_buf_free(&a);
    char f1[65], f2[65], f3[65];
    findings_fingerprint("web-01", "CVE-2024-6387", "tcp/22", f1);
    findings_fingerprint("web-01", "CVE-2024-6387", "tcp/22", f2);
    findings_fingerprint("web-0", "1CVE-2024-6387", "tcp/22", f3);
    CHECK_STR(f1, f2);
    CHECK(strcmp(f1, f3) != 0);
    CHECK_INT((int64_t)strlen(f1), 64);
}

static void test_asset(void)
{
    conf *c = load("assets:\n  - {name: web-01, addresses: [10.0.0.0/29]}\n  - {name: shop.example, addresses: []}\n");
    CHECK(c != NULL);
    if (!c)
        return;
    char key[256];
    finding byip = {.ip = "10.0.0.6"};
    findings_asset_key(&byip, findings_asset_of(c, NULL, &byip), key, sizeof key);
    CHECK_STR(key, "web-01");
    finding byurl = {.url = "https://shop.example:8443/login"};
    findings_asset_key(&byurl, findings_asset_of(c, NULL, &byurl), key, sizeof key);
    CHECK_STR(key, "shop.example");
    finding stranger = {.ip = "10.0.0.9", .host = "x"};
    findings_asset_key(&stranger, findings_asset_of(c, NULL, &stranger), key, sizeof key);
    CHECK_STR(key, "10.0.0.9");
    finding nowhere = {0};
    findings_asset_key(&nowhere, NULL, key, sizeof key);
    CHECK_STR(key, "-");
    conf_free(c);
}

/* Every status against every move: what is allowed leads where the workflow says. */
static void test_moves(void)
{
    /* expected[status][move]: the status it leads to, or -1 when refused */
    static const int expected[FST_COUNT][7] = {
        /*                 assign        start       fix        accept        false_pos           reopen        verify */
        [FST_OPEN] = {FST_ASSIGNED, FST_FIXING, FST_FIXED, FST_ACCEPTED, FST_FALSE_POSITIVE, -1, -1},
        [FST_ASSIGNED] = {FST_ASSIGNED, FST_FIXING, FST_FIXED, FST_ACCEPTED, FST_FALSE_POSITIVE, -1, -1},
        [FST_FIXING] = {FST_FIXING, -1, FST_FIXED, FST_ACCEPTED, FST_FALSE_POSITIVE, -1, -1},
        [FST_FIXED] = {-1, -1, -1, FST_ACCEPTED, FST_FALSE_POSITIVE, FST_REOPENED, FST_VERIFIED},
        [FST_VERIFIED] = {-1, -1, -1, -1, FST_FALSE_POSITIVE, FST_REOPENED, -1},
        [FST_REOPENED] = {FST_ASSIGNED, FST_FIXING, FST_FIXED, FST_ACCEPTED, FST_FALSE_POSITIVE, -1, -1},
        [FST_ACCEPTED] = {-1, -1, -1, FST_ACCEPTED, FST_FALSE_POSITIVE, FST_REOPENED, -1},
        [FST_FALSE_POSITIVE] = {-1, -1, -1, -1, -1, FST_REOPENED, -1},
    };
    for (int st = 0; st < FST_COUNT; st++)
        for (int m = 0; m < 7; m++) {
            finding_status to = FST_COUNT;
            const char *why = NULL;
            bool ok = finding_move_to((finding_status)st, (finding_move)m, &to, &why);
            if (ok != (expected[st][m] >= 0) || (ok && (int)to != expected[st][m]) || (!ok && !why)) {
                fprintf(stderr, "  %s + %s: %s %s\n", finding_status_name((finding_status)st),
                        finding_move_name((finding_move)m), ok ? "->" : "refused", ok ? finding_status_name(to) : "");
                CHECK(!"move");
            }
        }
    /* what scans do */
    bool ns;
    CHECK_INT(finding_after_scan(FST_FIXED, FSEEN_MISSING, &ns), FST_VERIFIED);
    CHECK(!ns);
    CHECK_INT(finding_after_scan(FST_OPEN, FSEEN_MISSING, &ns), FST_OPEN);
    CHECK(ns);
    CHECK_INT(finding_after_scan(FST_ACCEPTED, FSEEN_MISSING, &ns), FST_ACCEPTED);
    CHECK(!ns);
    CHECK_INT(finding_after_scan(FST_VERIFIED, FSEEN_AGAIN, &ns), FST_REOPENED);
    CHECK_INT(finding_after_scan(FST_FIXED, FSEEN_AGAIN, &ns), FST_REOPENED);
    CHECK_INT(finding_after_scan(FST_FALSE_POSITIVE, FSEEN_AGAIN, &ns), FST_FALSE_POSITIVE);
    CHECK_INT(finding_after_scan(FST_FIXING, FSEEN_AGAIN, &ns), FST_FIXING);
    CHECK(!ns);
    /* names both ways */
    for (int st = 0; st < FST_COUNT; st++) {
        finding_status back;
        CHECK(finding_status_parse(finding_status_name((finding_status)st), &back) && (int)back == st);
    }
    finding_status fp;
    CHECK(finding_status_parse("false-positive", &fp) && fp == FST_FALSE_POSITIVE);
    CHECK(!finding_status_parse("done", &fp));
}

static void test_kev(void)
{
    findings_kev *k = NULL;
    char err[256];
    /* CISA's JSON, as published (shape: catalogVersion, vulnerabilities[].cveID) */
    const char *json = "{\"title\":\"CISA Catalog of Known Exploited Vulnerabilities\",\"catalogVersion\":\"2026.11.30\","
                       "\"vulnerabilities\":[{\"cveID\":\"CVE-2021-44228\",\"vendorProject\":\"Apache\"},"
                       "{\"cveID\":\"CVE-2024-3400\"}]}";
    CHECK_INT(findings_kev_load(&k, json, strlen(json), err, sizeof err), KW_OK);
    const char *csv = "cveID,vendorProject,product\nCVE-2023-4966,Citrix,NetScaler\n\"CVE-2019-0708\",Microsoft,RDP\n";
    CHECK_INT(findings_kev_load(&k, csv, strlen(csv), err, sizeof err), KW_OK);
    CHECK(findings_kev_has(k, "cve-2021-44228"));
    CHECK(findings_kev_has(k, "CVE-2024-3400"));
    CHECK(findings_kev_has(k, "CVE-2023-4966"));
    CHECK(findings_kev_has(k, "CVE-2019-0708"));
    CHECK(!findings_kev_has(k, "CVE-2000-0001"));
    CHECK_INT((int64_t)findings_kev_count(k), 4);
    CHECK_INT(findings_kev_load(&k, "{\"x\":1}", 7, err, sizeof err), KW_ERR_PARSE);
    CHECK_INT(findings_kev_load(&k, "hello\nworld\n", 12, err, sizeof err), KW_ERR_PARSE);
    CHECK_INT(findings_kev_load(&k, "{\"vulnerabilities\": [", 20, err, sizeof err), KW_ERR_PARSE);
    findings_kev_free(k);
}

int main(void)
{
    RUN(test_rate);
    RUN(test_risk);
    RUN(test_due);
    RUN(test_place_and_fingerprint);
    RUN(test_asset);
    RUN(test_moves);
    RUN(test_kev);
    RUN(test_ecs);
    RUN(test_severity_bands);
    RUN(test_severity_words);
    TEST_MAIN_END();
}
