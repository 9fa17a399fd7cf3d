/* Findings through the store, on either backend (kw_test_store.h): a run's findings stored and
 * deduplicated by fingerprint, the workflow's moves, what a covering run no longer sees
 * (verified, not seen), reopening, expired acceptances, the plan and the stats. */
#include "conf/conf.h"
#include "core/kw_time.h"
#include "findings/findings.h"
#include "findings/findings_report.h"
#include "findings/findings_run.h"
#include "kw_test_store.h"
#include "store/store_findings.h"

#include <jansson.h>
#include <unistd.h>

static const char yaml[] = "assets:\n"
                           "  - name: web-01\n"
                           "    addresses: [10.0.0.5]\n"
                           "    owner: zhang.wei\n"
                           "    department: ops\n"
                           "    criticality: critical\n"
                           "    exposure: internet\n"
                           "people:\n"
                           "  - name: li.na\n"
                           "    departments: [security]\n"
                           "departments:\n"
                           "  - name: ops\n"
                           "  - name: security\n"
                           "findings:\n"
                           "  exploited: [CVE-2024-6387]\n";

typedef struct fixture {
    char dir[64], path[96];
    kw_store *s;
    conf *c;
    findings_kev *kev;
} fixture;

static bool fx_open(fixture *x)
{
    snprintf(x->dir, sizeof x->dir, "/tmp/kw-findings-XXXXXX");
    if (!mkdtemp(x->dir))
        return false;
    snprintf(x->path, sizeof x->path, "%s/kw.db", x->dir);
    char err[256];
    kwt_duty_keys_in(x->dir, 100);
    x->s = kwt_store_open(x->path, err, sizeof err);
    conf_errors errs = {0};
    if (conf_load_buffer("t.yaml", yaml, strlen(yaml), &x->c, &errs) != KW_OK)
        for (size_t i = 0; i < errs.n; i++)
            fprintf(stderr, "  %s\n", errs.v[i]);
    conf_errors_free(&errs);
    if (!x->s || !x->c)
        return false;
    CHECK_INT(store_findings_migrate(x->s), KW_OK);
    CHECK_INT(findings_kev_from_conf(x->c, &x->kev, err, sizeof err), KW_OK);
    return true;
}

static void fx_close(fixture *x)
{
    findings_kev_free(x->kev);
    store_close(x->s);
    conf_free(x->c);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", x->dir);
    CHECK_INT(system(cmd), 0);
}

static const finding ssh_cve = {.vuln_id = "CVE-2024-6387", .title = "OpenSSH regreSSHion", .scanner = "kwtest",
                                .severity = FINDING_HIGH, .score = 8.1, .score_version = "3.1", .ip = "10.0.0.5",
                                .port = 22, .transport = "tcp"};
static const finding redis_open = {.vuln_id = "KW-REDIS-NOAUTH", .title = "Redis without a password",
                                   .scanner = "kwtest", .severity = FINDING_CRITICAL, .score = -1,
                                   .ip = "10.0.0.9", .port = 6379, .transport = "tcp"};
static const finding telnet = {.vuln_id = "KW-TELNET", .title = "telnet exposed", .scanner = "kwtest",
                               .severity = FINDING_MEDIUM, .score = -1, .ip = "10.0.0.5", .port = 23,
                               .transport = "tcp"};

/* One run of the given findings, covering both hosts' TCP ports. */
static findings_counts run(fixture *x, const finding *const *fs, size_t n)
{
    findings_run *r = findings_run_open(x->s, x->c, x->kev, "kwtest", "test", "tester");
    finding_sink sink = findings_run_sink(r);
    for (size_t i = 0; i < n; i++)
        CHECK_INT(finding_emit(&sink, fs[i]), KW_OK);
    finding_cover a = {.scanner = "kwtest", .ip = "10.0.0.5", .transport = "tcp", .port_lo = 1, .port_hi = 65535};
    finding_cover b = {.scanner = "kwtest", .ip = "10.0.0.9", .transport = "tcp", .port_lo = 1, .port_hi = 1024};
    CHECK_INT(finding_covered(&sink, &a), KW_OK);
    CHECK_INT(finding_covered(&sink, &b), KW_OK);
    findings_counts k = {0};
    char err[256];
    CHECK_INT(findings_run_close(r, &k, err, sizeof err), KW_OK);
    return k;
}

static store_finding get(fixture *x, const finding *f)
{
    store_finding out = {0};
    char asset[256];
    findings_asset_key(f, findings_asset_of(x->c, NULL, f), asset, sizeof asset);
    kw_buf place;
    kw_buf_init(&place, 4096);
    findings_place(f, &place);
    char fp[65];
    findings_fingerprint(asset, f->vuln_id, place.data ? place.data : "", fp);
    kw_buf_free(&place);
    CHECK_INT(store_finding_get(x->s, fp, 0, &out), KW_OK);
    return out;
}

static kw_rc ask(fixture *x, int64_t id, finding_move m, const char *owner, const char *reason, int64_t until)
{
    findings_ask a = {.move = m, .by = "tester", .owner = owner, .reason = reason, .until_ms = until};
    char err[256] = "";
    return findings_apply(x->s, x->c, id, &a, kw_now_ms(), err, sizeof err);
}

static void test_store_workflow(void)
{
    fixture x = {0};
    if (!fx_open(&x)) {
        CHECK(!"fixture");
        return;
    }
    const finding *all[] = {&ssh_cve, &redis_open, &telnet, &ssh_cve};
    findings_counts k = run(&x, all, 4);
    CHECK_INT((int64_t)k.reported, 4);
    CHECK_INT((int64_t)k.added, 3);
    CHECK_INT((int64_t)k.merged, 1);

    store_finding ssh = get(&x, &ssh_cve);
    CHECK_STR(ssh.asset, "web-01"); /* the configured asset, by address */
    CHECK_STR(ssh.status, "assigned"); /* the asset's owner has it */
    CHECK_STR(ssh.owner, "zhang.wei");
    CHECK_STR(ssh.department, "ops");
    CHECK(ssh.kev);
    CHECK_NEAR(ssh.risk, 100.0, 0.01); /* 81 x 1.4 x 1.3 x 1.5, capped */
    CHECK(ssh.due_ms > 0);
    store_finding red = get(&x, &redis_open);
    CHECK_STR(red.asset, "10.0.0.9");
    CHECK_STR(red.status, "open");
    CHECK_NEAR(red.risk, 95.0, 0.01);

    /* moves: the owner fixes ssh; a bad move is refused */
    CHECK_INT(ask(&x, ssh.id, FMOVE_VERIFY, NULL, "looked", 0), KW_ERR_RANGE); /* not fixed yet */
    CHECK_INT(ask(&x, ssh.id, FMOVE_START, NULL, NULL, 0), KW_OK);
    CHECK_INT(ask(&x, ssh.id, FMOVE_FIX, NULL, "upgraded", 0), KW_OK);
    CHECK_INT(ask(&x, red.id, FMOVE_ASSIGN, "li.na", NULL, 0), KW_OK);
    red = get(&x, &redis_open);
    CHECK_STR(red.department, "security"); /* from people: */
    CHECK_INT(ask(&x, red.id, FMOVE_ACCEPT, NULL, NULL, kw_now_ms() + 1000), KW_ERR_RANGE); /* no reason */

    /* the next run sees redis and telnet but not ssh: ssh verified */
    const finding *second[] = {&redis_open, &telnet};
    k = run(&x, second, 2);
    CHECK_INT((int64_t)k.added, 0);
    CHECK_INT((int64_t)k.updated, 2);
    CHECK_INT((int64_t)k.verified, 1);
    CHECK_STR(get(&x, &ssh_cve).status, "verified");

    /* a run that does not see telnet (open): flagged not seen, status kept */
    const finding *third[] = {&redis_open};
    k = run(&x, third, 1);
    CHECK_INT((int64_t)k.not_seen, 1);
    store_finding tel = get(&x, &telnet);
    CHECK_STR(tel.status, "assigned");
    CHECK(tel.not_seen);

    /* ssh seen again after verified: reopened, not_seen of telnet cleared when it is seen */
    const finding *fourth[] = {&ssh_cve, &redis_open, &telnet};
    k = run(&x, fourth, 3);
    CHECK_INT((int64_t)k.reopened, 1);
    CHECK_STR(get(&x, &ssh_cve).status, "reopened");
    CHECK(!get(&x, &telnet).not_seen);

    /* accepted until a moment ago: the sweep reopens it */
    CHECK_INT(ask(&x, red.id, FMOVE_ACCEPT, NULL, "behind the firewall", kw_now_ms() + 50), KW_OK);
    CHECK_STR(get(&x, &redis_open).status, "accepted");
    usleep(100 * 1000);
    int64_t n = 0;
    CHECK_INT(findings_expire_acceptances(x.s, kw_now_ms(), &n), KW_OK);
    CHECK_INT(n, 1);
    CHECK_STR(get(&x, &redis_open).status, "reopened");

    /* a false positive stays closed when seen again */
    CHECK_INT(ask(&x, tel.id, FMOVE_FALSE, NULL, "a honeypot", 0), KW_OK);
    run(&x, fourth, 3);
    CHECK_STR(get(&x, &telnet).status, "false_positive");

    /* listings, plan, stats */
    kw_buf b;
    kw_buf_init(&b, 0);
    store_findings_query q = {.status = "active"};
    CHECK_INT(store_findings_list_json(x.s, &q, &b), KW_OK);
    CHECK_CONTAINS(b.data, "\"total\":2,");
    CHECK_CONTAINS(b.data, "\"keepwatch.finding.status\":\"reopened\"");
    CHECK_CONTAINS(b.data, "\"vulnerability.id\":\"CVE-2024-6387\"");
    kw_buf_free(&b);
    kw_buf_init(&b, 0);
    CHECK_INT(store_finding_get_json(x.s, ssh.id, &b), KW_OK);
    CHECK_CONTAINS(b.data, "\"action\":\"verified by a scan\"");
    CHECK_CONTAINS(b.data, "\"action\":\"seen again\"");
    kw_buf_free(&b);
    kw_buf_init(&b, 0);
    CHECK_INT(findings_plan(x.s, &q, kw_now_ms(), 0, false, 10, &b), KW_OK);
    CHECK_CONTAINS(b.data, "Remediation plan: 2 findings to fix");
    CHECK_CONTAINS(b.data, "== zhang.wei (ops): 1 finding");
    CHECK(strstr(b.data, "zhang.wei") < strstr(b.data, "li.na")); /* the riskiest owner first */
    kw_buf_free(&b);
    kw_buf_init(&b, 0);
    CHECK_INT(findings_stats(x.s, x.c, kw_now_ms(), 7, true, &b), KW_OK);
    CHECK_CONTAINS(b.data, "\"critical\":{\"open\":0,\"assigned\":0,\"fixing\":0,\"fixed\":0,\"verified\":0,\"reopened\":1,");
    CHECK_CONTAINS(b.data, "\"false_positive\":1");
    kw_buf_free(&b);
    kw_buf_init(&b, 0);
    store_findings_query bad = {.status = "open,nonsense"};
    CHECK_INT(store_findings_list_json(x.s, &bad, &b), KW_ERR_STORE);
    kw_buf_free(&b);

    /* every status change went to the duty log, and it verifies */
    int64_t bad_id = 0, entries = 0, after = 0;
    char why[256];
    CHECK_INT(store_duty_verify(x.s, &bad_id, &entries, why, sizeof why), KW_OK);
    CHECK(entries >= 12);
    /* a person's change that keeps the status (a reassignment) is an entry too */
    store_finding now_ssh = get(&x, &ssh_cve);
    CHECK_INT(ask(&x, now_ssh.id, FMOVE_ASSIGN, "li.na", NULL, 0), KW_OK);
    CHECK_INT(ask(&x, now_ssh.id, FMOVE_ASSIGN, "zhang.wei", NULL, 0), KW_OK);
    CHECK_STR(get(&x, &ssh_cve).status, "assigned");
    CHECK_INT(store_duty_verify(x.s, &bad_id, &after, why, sizeof why), KW_OK);
    CHECK_INT(after, entries + 2);
    fx_close(&x);
}

/* A source's huge texts are cut to their bounds: the stored document stays whole JSON. */
static void test_store_bounds(void)
{
    fixture x = {0};
    if (!fx_open(&x)) {
        CHECK(!"fixture");
        return;
    }
    size_t big = 1 << 20;
    char *evidence = malloc(big + 1), *title = malloc(10001);
    for (size_t i = 0; i < big; i++)
        evidence[i] = (char)(i % 31 == 0 ? '\x01' : 'a' + (int)(i % 26)); /* control bytes: escaped 6 wide */
    evidence[big] = '\0';
    memset(title, 'T', 10000);
    title[10000] = '\0';
    finding f = {.vuln_id = "KW-BIG", .title = title, .scanner = "kwtest", .severity = FINDING_LOW, .score = -1,
                 .ip = "10.0.0.77", .evidence = evidence, .description = evidence};
    findings_run *r = findings_run_open(x.s, x.c, NULL, "kwtest", "bounds", "tester");
    finding_sink sink = findings_run_sink(r);
    CHECK_INT(finding_emit(&sink, &f), KW_OK);
    char err[256];
    CHECK_INT(findings_run_close(r, NULL, err, sizeof err), KW_OK);
    kw_buf b;
    kw_buf_init(&b, 0);
    store_findings_query q = {.status = "all"};
    CHECK_INT(store_findings_list_json(x.s, &q, &b), KW_OK);
    json_error_t je;
    json_t *doc = json_loads(b.data ? b.data : "", 0, &je);
    CHECK(doc != NULL);
    json_t *one = json_array_get(json_object_get(doc, "findings"), 0);
    const char *ev = json_string_value(json_object_get(one, "keepwatch.finding.evidence"));
    CHECK(ev && strlen(ev) < FINDING_EVIDENCE_MAX);
    const char *t = json_string_value(json_object_get(one, "message"));
    CHECK(t && strlen(t) < FINDING_TEXT_MAX);
    json_decref(doc);
    kw_buf_free(&b);
    free(evidence);
    free(title);
    fx_close(&x);
}

int main(void)
{
    RUN(test_store_workflow);
    RUN(test_store_bounds);
    TEST_MAIN_END();
}
