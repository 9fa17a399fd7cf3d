/* The agent subsystem: the batch decoder (what it takes, each malformation named), the writer
 * read back by the decoder, bounded gzip, the spool (order, bound, drop policy, restart), the
 * canonical labels, and the agent tables (one-time tokens, revocation, batch numbers). */
#include "agent/agent.h"
#include "agent/agent_int.h"
#include "kw_test.h"
#include "store/store_agent.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[64];

static kw_rc decode(const char *json, agent_batch *b, agent_bad *bad)
{
    char why[128];
    return agent_batch_decode(json, strlen(json), b, bad, why, sizeof why);
}

static void test_decode_valid(void)
{
    const char *json = "{\"seq\":7,\"spool_dropped\":2,\"sets\":[{\"source\":\"check:web\",\"ts\":1764590000000,"
                       "\"samples\":[{\"n\":\"check_up\",\"v\":0,\"h\":1,\"l\":{\"check\":\"web\",\"type\":\"tcp\"}},"
                       "{\"n\":\"bytes_total\",\"v\":1.5e9,\"t\":\"c\"}]}],"
                       "\"alerts\":[{\"kind\":\"fire\",\"rule\":\"service_down\",\"ts\":1764590000001,\"severity\":4,"
                       "\"summary\":\"web is down\",\"value\":0,\"labels\":{\"check\":\"web\",\"source.ip\":\"10.0.0.1\"}}],"
                       "\"events\":[{\"event\":{\"kind\":\"event\"},\"host\":{\"name\":\"forged\"}}]}";
    agent_batch b;
    agent_bad bad;
    CHECK_INT(decode(json, &b, &bad), KW_OK);
    CHECK_INT(b.seq, 7);
    CHECK_INT(b.spool_dropped, 2);
    CHECK_INT(b.nsets, 1);
    CHECK_STR(b.sets[0].source, "check:web");
    CHECK_INT(b.sets[0].ts_ms, 1764590000000LL);
    CHECK_INT(b.sets[0].n, 2);
    CHECK_STR(b.sets[0].v[0].name, "check_up");
    CHECK(b.sets[0].v[0].history);
    CHECK_INT(b.sets[0].v[0].nlabels, 2);
    CHECK_STR(b.sets[0].v[0].lv[1], "tcp");
    CHECK_INT(b.sets[0].v[1].type, METRIC_COUNTER);
    CHECK_NEAR(b.sets[0].v[1].value, 1.5e9, 1);
    CHECK_INT(b.nalerts, 1);
    CHECK_INT(b.alerts[0].kind, AGENT_ALERT_FIRE);
    CHECK_INT(b.alerts[0].severity, 4);
    CHECK_STR(b.alerts[0].rule, "service_down");
    CHECK_STR(b.alerts[0].lv[0], "web");
    CHECK_INT(b.alerts[0].nlabels, 2);
    CHECK_STR(b.alerts[0].lk[1], "source.ip");
    CHECK_INT(b.nevents, 1);
    CHECK_STR(b.events[0], "{\"event\":{\"kind\":\"event\"}}"); /* the forged host is gone */
    agent_batch_free(&b);
}

/* Each malformation is refused and counted under its own reason. */
static void test_decode_refused(void)
{
    static const struct {
        const char *json;
        agent_bad bad;
    } cases[] = {
        {"not json", AGENT_BAD_JSON},
        {"[1,2]", AGENT_BAD_SHAPE},
        {"{\"sets\":[]}", AGENT_BAD_SHAPE},                         /* no seq */
        {"{\"seq\":0}", AGENT_BAD_VALUE},                           /* numbers start at 1 */
        {"{\"seq\":1.5}", AGENT_BAD_SHAPE},
        {"{\"seq\":1,\"seq\":2}", AGENT_BAD_JSON},                  /* duplicate keys */
        {"{\"seq\":1,\"sets\":{}}", AGENT_BAD_SHAPE},
        {"{\"seq\":1,\"sets\":[{\"source\":\"host\",\"ts\":5,\"samples\":[]}]}", AGENT_BAD_VALUE}, /* 1970 */
        {"{\"seq\":1,\"sets\":[{\"source\":\"a b\",\"ts\":1764590000000,\"samples\":[]}]}", AGENT_BAD_NAME},
        {"{\"seq\":1,\"sets\":[{\"source\":\"h\",\"ts\":1764590000000,\"samples\":[{\"n\":\"9x\",\"v\":1}]}]}",
         AGENT_BAD_NAME},
        {"{\"seq\":1,\"sets\":[{\"source\":\"h\",\"ts\":1764590000000,\"samples\":[{\"n\":\"x\",\"v\":\"1\"}]}]}",
         AGENT_BAD_SHAPE},
        {"{\"seq\":1,\"sets\":[{\"source\":\"h\",\"ts\":1764590000000,\"samples\":[{\"n\":\"x\",\"v\":1,"
         "\"l\":{\"host\":\"forged\"}}]}]}",
         AGENT_BAD_NAME}, /* host is the server's to say */
        {"{\"seq\":1,\"sets\":[{\"source\":\"h\",\"ts\":1764590000000,\"samples\":[{\"n\":\"x\",\"v\":1,"
         "\"l\":{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\",\"d\":\"4\"}}]}]}",
         AGENT_BAD_LIMIT},
        {"{\"seq\":1,\"sets\":[{\"source\":\"h\",\"ts\":1764590000000,\"samples\":[{\"n\":\"x\",\"v\":1,\"t\":\"q\"}]}]}",
         AGENT_BAD_VALUE},
        {"{\"seq\":1,\"alerts\":[{\"kind\":\"maybe\",\"rule\":\"r\",\"ts\":1764590000000}]}", AGENT_BAD_VALUE},
        {"{\"seq\":1,\"alerts\":[{\"kind\":\"updated\",\"rule\":\"r\",\"ts\":1764590000000}]}", AGENT_BAD_VALUE},
        {"{\"seq\":1,\"alerts\":[{\"kind\":\"update\",\"rule\":\"r\",\"ts\":1764590000000,\"value\":\"7\"}]}",
         AGENT_BAD_SHAPE},
        {"{\"seq\":1,\"alerts\":[{\"kind\":\"fire\",\"rule\":\"r\",\"ts\":1764590000000,\"severity\":9}]}",
         AGENT_BAD_VALUE},
        {"{\"seq\":1,\"alerts\":[{\"kind\":\"fire\",\"rule\":\"r\",\"ts\":1764590000000,\"summary\":\"a\\u0001b\"}]}",
         AGENT_BAD_VALUE},
        {"{\"seq\":1,\"events\":[1]}", AGENT_BAD_SHAPE},
        {"{\"seq\":1,\"sets\":[{\"source\":\"h\",\"ts\":1764590000000,\"samples\":[{\"n\":\"x\",\"v\":1,"
         "\"l\":{\"source.ip\":\"1\"}}]}]}",
         AGENT_BAD_NAME}, /* dots: in an alert's label names only */
        {"{\"seq\":1,\"alerts\":[{\"kind\":\"fire\",\"rule\":\"r\",\"ts\":1764590000000,\"labels\":{\"a\":\"1\","
         "\"b\":\"1\",\"c\":\"1\",\"d\":\"1\",\"e\":\"1\",\"f\":\"1\",\"g\":\"1\",\"h\":\"1\",\"i\":\"1\"}}]}",
         AGENT_BAD_LIMIT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        agent_batch b;
        agent_bad bad = AGENT_BAD_NONE;
        kw_rc rc = decode(cases[i].json, &b, &bad);
        if (rc != KW_ERR_PARSE || bad != cases[i].bad)
            fprintf(stderr, "  case %zu: %s\n", i, cases[i].json);
        CHECK_INT(rc, KW_ERR_PARSE);
        CHECK_STR(agent_bad_name(bad), agent_bad_name(cases[i].bad));
        agent_batch_free(&b);
    }
}

/* A host baseline's results quote configuration lines, and those carry tabs (Debian's own
 * /etc/login.defs: "PASS_MAX_DAYS\t99999"): taken in what a line says, refused in names, and
 * other control characters refused everywhere. */
#define AUDIT_RES(id, text) "{\"seq\":1,\"audit\":{\"kind\":\"host\",\"results\":[{\"id\":\"" id "\"," \
    "\"status\":\"fail\",\"severity\":2,\"title_en\":\"Passwords never expire\",\"file\":\"/etc/login.defs\"," \
    "\"line\":165,\"text\":\"" text "\",\"found\":\"" text "\",\"key\":\"" text "\"}]}}"

static void test_decode_audit_text(void)
{
    agent_batch b;
    agent_bad bad = AGENT_BAD_NONE;
    CHECK_INT(decode(AUDIT_RES("host-login-pass-max-days", "PASS_MAX_DAYS\\t99999"), &b, &bad), KW_OK);
    CHECK(b.audit && b.audit->n == 1);
    if (b.audit && b.audit->n == 1) {
        CHECK_STR(b.audit->v[0].text, "PASS_MAX_DAYS\t99999");
        CHECK_STR(b.audit->v[0].found, "PASS_MAX_DAYS\t99999");
        CHECK_INT(b.audit->v[0].line, 165);
    }
    agent_batch_free(&b);
    CHECK_INT(decode(AUDIT_RES("host-login\\tpass", "PASS_MAX_DAYS 99999"), &b, &bad), KW_ERR_PARSE);
    CHECK_INT(bad, AGENT_BAD_VALUE);
    agent_batch_free(&b);
    CHECK_INT(decode(AUDIT_RES("host-login-pass-max-days", "PASS_MAX_DAYS\\n99999"), &b, &bad), KW_ERR_PARSE);
    CHECK_INT(bad, AGENT_BAD_VALUE);
    agent_batch_free(&b);
}

/* Too many samples in one batch: refused as a limit, not a crash or a huge allocation. */
static void test_decode_limits(void)
{
    kw_buf j;
    kw_buf_init(&j, 0);
    kw_buf_puts(&j, "{\"seq\":1,\"sets\":[{\"source\":\"h\",\"ts\":1764590000000,\"samples\":[");
    for (int i = 0; i <= AGENT_MAX_SAMPLES; i++)
        kw_buf_printf(&j, "%s{\"n\":\"x\",\"v\":%d}", i ? "," : "", i);
    kw_buf_puts(&j, "]}]}");
    agent_batch b;
    agent_bad bad;
    char why[64];
    CHECK_INT(agent_batch_decode(j.data, j.len, &b, &bad, why, sizeof why), KW_ERR_PARSE);
    CHECK_INT(bad, AGENT_BAD_LIMIT);
    agent_batch_free(&b);
    kw_buf_free(&j);
}

static const metric_desc d_up = {"check_up", "", METRIC_GAUGE, true};
static const metric_desc d_bytes = {"net_bytes_total", "", METRIC_COUNTER, false};

/* What the agent writes, the server reads back the same (host labels left out). */
static void test_writer_round_trip(void)
{
    metric_set *ms = metric_set_new(1764590000000LL);
    metric_add(ms, &d_up, 1, "check", "web", "host", "me", NULL);
    metric_add(ms, &d_bytes, 12345, "device", "eth0", NULL);
    kw_buf out;
    kw_buf_init(&out, AGENT_BODY_MAX);
    agent_batch_writer *w = agent_batch_begin(&out, 42, 3);
    agent_batch_add_set(w, "host", ms);
    agent_alert a = {.kind = AGENT_ALERT_RESOLVE, .rule = "service_down", .summary = "web \"up\"", .severity = 2,
                     .ts_ms = 1764590000500LL, .value = 1, .nlabels = 1, .lk = {"check"}, .lv = {"web"}};
    agent_batch_add_alert(w, &a);
    agent_alert u = {.kind = AGENT_ALERT_UPDATE, .rule = "login_storm", .summary = "7 failed logins", .severity = 3,
                     .ts_ms = 1764590000600LL, .value = 7, .nlabels = 1, .lk = {"source.ip"}, .lv = {"10.0.0.9"}};
    agent_batch_add_alert(w, &u);
    const char ev[] = "{\"event\":{\"kind\":\"event\"}}";
    agent_batch_add_event(w, ev, strlen(ev));
    CHECK_INT(agent_batch_end(w), KW_OK);
    agent_batch b;
    agent_bad bad;
    char why[128];
    CHECK_INT(agent_batch_decode(out.data, out.len, &b, &bad, why, sizeof why), KW_OK);
    CHECK_INT(b.seq, 42);
    CHECK_INT(b.spool_dropped, 3);
    CHECK_INT(b.nsets, 1);
    if (b.nsets) {
        CHECK_INT(b.sets[0].n, 2);
        CHECK_INT(b.sets[0].v[0].nlabels, 1); /* host=me left out */
        CHECK_STR(b.sets[0].v[0].lk[0], "check");
        CHECK(b.sets[0].v[0].history);
        CHECK_INT(b.sets[0].v[1].type, METRIC_COUNTER);
    }
    CHECK_INT(b.nalerts, 2);
    if (b.nalerts == 2) {
        CHECK_INT(b.alerts[0].kind, AGENT_ALERT_RESOLVE);
        CHECK_INT(b.alerts[1].kind, AGENT_ALERT_UPDATE);
        CHECK_STR(b.alerts[1].summary, "7 failed logins");
        CHECK(b.alerts[1].value == 7);
        CHECK_STR(b.alerts[1].lv[0], "10.0.0.9");
        CHECK_STR(b.alerts[0].summary, "web \"up\"");
        CHECK_INT(b.alerts[0].ts_ms, 1764590000500LL);
    }
    CHECK_INT(b.nevents, 1);
    agent_batch_free(&b);
    kw_buf_free(&out);
    metric_set_free(ms);
}

static void test_gzip(void)
{
    kw_buf big, gz, back;
    kw_buf_init(&big, 0);
    kw_buf_init(&gz, 0);
    kw_buf_init(&back, 0);
    for (int i = 0; i < 100000; i++)
        kw_buf_puts(&big, "aaaaaaaaaa");
    CHECK_INT(agent_gzip_deflate(big.data, big.len, &gz), KW_OK);
    CHECK(gz.len < big.len / 50);
    CHECK_INT(agent_gzip_inflate(gz.data, gz.len, big.len, &back), KW_OK);
    CHECK_INT(back.len, big.len);
    CHECK(back.len == big.len && memcmp(back.data, big.data, big.len) == 0);
    /* a bomb: refused past the bound */
    CHECK_INT(agent_gzip_inflate(gz.data, gz.len, 4096, &back), KW_ERR_FULL);
    /* truncated, trailing bytes, not gzip */
    CHECK_INT(agent_gzip_inflate(gz.data, gz.len / 2, big.len, &back), KW_ERR_PARSE);
    kw_buf_putc(&gz, 'x');
    CHECK_INT(agent_gzip_inflate(gz.data, gz.len, big.len, &back), KW_ERR_PARSE);
    CHECK_INT(agent_gzip_inflate("hello", 5, 100, &back), KW_ERR_PARSE);
    CHECK_INT(agent_gzip_inflate("", 0, 100, &back), KW_ERR_PARSE);
    kw_buf_free(&big);
    kw_buf_free(&gz);
    kw_buf_free(&back);
}

/* Batches come out oldest first; past the bound the oldest metrics-only ones go, never those
 * with alert changes; a reopened spool keeps what waits and its numbering. */
static void test_spool(void)
{
    char dir[128], err[256];
    snprintf(dir, sizeof dir, "%s/spool", tmpdir);
    agent_spool *sp = agent_spool_open(dir, 1000, err, sizeof err);
    CHECK(sp != NULL);
    if (!sp)
        return;
    char data[300];
    memset(data, 'm', sizeof data);
    CHECK_INT(agent_spool_next_seq(sp), 1);
    CHECK_INT(agent_spool_put(sp, data, sizeof data, true), KW_OK);   /* 1: alerts */
    CHECK_INT(agent_spool_put(sp, data, sizeof data, false), KW_OK);  /* 2 */
    CHECK_INT(agent_spool_put(sp, data, sizeof data, false), KW_OK);  /* 3 */
    CHECK_INT(agent_spool_dropped(sp), 0);
    CHECK_INT(agent_spool_put(sp, data, sizeof data, true), KW_OK);   /* 4: 1200 bytes: 2 goes */
    CHECK_INT(agent_spool_dropped(sp), 1);
    CHECK_INT(agent_spool_count(sp), 3);
    CHECK_INT(agent_spool_bytes(sp), 900);
    CHECK_INT(agent_spool_put(sp, data, sizeof data, true), KW_OK);   /* 5: 3 goes */
    CHECK_INT(agent_spool_put(sp, data, sizeof data, true), KW_OK);   /* 6: only alerts left: all stay */
    CHECK_INT(agent_spool_dropped(sp), 2);
    CHECK_INT(agent_spool_count(sp), 4);
    agent_spool_close(sp);

    sp = agent_spool_open(dir, 1000, err, sizeof err);
    CHECK(sp != NULL);
    if (!sp)
        return;
    CHECK_INT(agent_spool_count(sp), 4);
    CHECK_INT(agent_spool_next_seq(sp), 7);
    kw_buf b;
    kw_buf_init(&b, 1 << 20);
    int64_t want[] = {1, 4, 5, 6}, seq = 0;
    for (size_t i = 0; i < 4; i++) {
        CHECK_INT(agent_spool_peek(sp, &seq, &b), KW_OK);
        CHECK_INT(seq, want[i]);
        CHECK_INT(b.len, sizeof data);
        CHECK_INT(agent_spool_remove(sp, seq), KW_OK);
    }
    CHECK_INT(agent_spool_peek(sp, &seq, &b), KW_ERR_NOTFOUND);
    agent_spool_close(sp);
    /* empty now, the numbers still go on after a restart */
    sp = agent_spool_open(dir, 1000, err, sizeof err);
    CHECK(sp != NULL);
    if (sp)
        CHECK_INT(agent_spool_next_seq(sp), 7);
    agent_spool_close(sp);
    kw_buf_free(&b);
}

static void test_labels_json(void)
{
    const char *lk[] = {"type", "check", "zone"}, *lv[] = {"tcp", "web", "a\"b"};
    char *j = agent_labels_json(lk, lv, 3, "web-01");
    CHECK_STR(j, "{\"check\":\"web\",\"host\":\"web-01\",\"type\":\"tcp\",\"zone\":\"a\\\"b\"}");
    free(j);
    j = agent_labels_json(NULL, NULL, 0, "h");
    CHECK_STR(j, "{\"host\":\"h\"}");
    free(j);
}

/* The agent tables on one store: SQLite, or the PostgreSQL of KW_TEST_PG_URL. */
static void store_agents_on(const char *path)
{
    char err[256];
    kw_store *s = store_open(path, false, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_INT(store_agent_migrate(s), KW_OK);
    CHECK(store_agent_name_ok("web-01"));
    CHECK(!store_agent_name_ok("-x"));
    CHECK(!store_agent_name_ok("a b"));
    CHECK(!store_agent_name_ok(""));
    char tok1[65], tok2[65], old[65];
    memset(tok1, 'a', 64), tok1[64] = 0;
    memset(tok2, 'b', 64), tok2[64] = 0;
    memset(old, 'c', 64), old[64] = 0;
    CHECK_INT(store_agent_token_add(s, "web-01", tok1, 1000, 5000), KW_OK);
    CHECK_INT(store_agent_token_add(s, "web-01", old, 1000, 1500), KW_OK);
    store_agent a;
    CHECK_INT(store_agent_enroll(s, "f00d", "cred1", "127.0.0.1", 2000, &a), KW_ERR_NOTFOUND);
    CHECK_INT(store_agent_enroll(s, old, "cred1", "127.0.0.1", 2000, &a), KW_ERR_RANGE); /* expired */
    CHECK_INT(store_agent_enroll(s, tok1, "cred1", "127.0.0.1", 2000, &a), KW_OK);
    CHECK_STR(a.name, "web-01");
    CHECK_INT(a.enrolled_ms, 2000);
    CHECK_INT(store_agent_enroll(s, tok1, "cred2", "127.0.0.1", 2100, &a), KW_ERR_RANGE); /* used */
    CHECK_INT(store_agent_auth(s, "cred1", &a), KW_OK);
    CHECK_INT(store_agent_auth(s, "cred2", &a), KW_ERR_NOTFOUND);
    /* the numbers the server took, noted: they only move forward, and only for this enrolment */
    CHECK_STR(a.version, ""); /* not known before a batch says it */
    CHECK_INT(store_agent_note(s, a.id, a.enrolled_ms, 3, 3400, "127.0.0.2", "0.1.0"), KW_OK);
    CHECK_INT(store_agent_note(s, a.id, a.enrolled_ms, 2, 3300, "127.0.0.3", NULL), KW_OK); /* not said: kept */
    CHECK_INT(store_agent_note(s, a.id, 1, 99, 9999, "127.0.0.4", "9.9"), KW_OK); /* another enrolment's: nothing */
    CHECK_INT(store_agent_auth(s, "cred1", &a), KW_OK);
    CHECK_INT(a.last_seq, 3);
    CHECK_INT(a.last_seen_ms, 3400);
    CHECK_STR(a.address, "127.0.0.3");
    CHECK_STR(a.version, "0.1.0");
    /* revoked: refused, its unused tokens too; a new token enrols it again from 0 */
    CHECK_INT(store_agent_token_add(s, "web-01", tok2, 3500, 9000), KW_OK);
    CHECK_INT(store_agent_revoke(s, "web-01", 3600), KW_OK);
    CHECK_INT(store_agent_revoke(s, "web-01", 3700), KW_ERR_RANGE);
    CHECK_INT(store_agent_revoke(s, "nobody", 3700), KW_ERR_NOTFOUND);
    CHECK_INT(store_agent_auth(s, "cred1", &a), KW_ERR_RANGE);
    CHECK_INT(store_agent_enroll(s, tok2, "cred3", "x", 3900, &a), KW_ERR_RANGE);
    char tok3[65];
    memset(tok3, 'd', 64), tok3[64] = 0;
    CHECK_INT(store_agent_token_add(s, "web-01", tok3, 4000, 9000), KW_OK);
    CHECK_INT(store_agent_enroll(s, tok3, "cred3", "x", 4100, &a), KW_OK);
    CHECK_INT(a.revoked_ms, 0);
    CHECK_INT(a.last_seq, 0);
    CHECK_INT(store_agent_auth(s, "cred1", &a), KW_ERR_NOTFOUND); /* the old credential is gone */
    store_close(s);
}

static void test_store_agents(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/agents.db", tmpdir);
    store_agents_on(path);
}

/* The same statements on PostgreSQL (python3 tests/integ/pgserver.py build-dev/tests/test_agent). */
static void test_store_agents_pg(void)
{
    const char *url = getenv("KW_TEST_PG_URL");
    if (!url || !*url) {
        fprintf(stderr, "  (no KW_TEST_PG_URL: the PostgreSQL run is skipped)\n");
        return;
    }
    store_agents_on(url);
}

/* Batch numbers as the server takes them: each once, never an older one; given back when not
 * handed on; counted again from the store's after a new enrolment. */
static void test_hub_claim(void)
{
    agent_hub h = {.mu = PTHREAD_MUTEX_INITIALIZER};
    store_agent a = {.id = 5, .name = "web-01", .enrolled_ms = 1000, .last_seq = 10};
    int64_t prev;
    CHECK(!agent_hub_claim_locked(&h, &a, 10, 2000, "127.0.0.1", &prev)); /* the store's last: a replay */
    CHECK(agent_hub_claim_locked(&h, &a, 11, 2001, "127.0.0.1", &prev));
    CHECK_INT(prev, 10);
    CHECK(!agent_hub_claim_locked(&h, &a, 11, 2002, "127.0.0.1", &prev));
    CHECK(agent_hub_claim_locked(&h, &a, 15, 2003, "127.0.0.1", &prev));
    CHECK(!agent_hub_claim_locked(&h, &a, 12, 2004, "127.0.0.1", &prev)); /* older than the last */
    agent_hub_unclaim_locked(&h, 5, 15, 11);
    CHECK(agent_hub_claim_locked(&h, &a, 15, 2005, "127.0.0.9", &prev)); /* given back: taken again */
    CHECK_INT(h.n, 1);
    CHECK_INT(h.v[0].last_seq, 15);
    CHECK_INT(h.v[0].last_ms, 2005);
    CHECK_STR(h.v[0].address, "127.0.0.9");
    CHECK(h.v[0].dirty);
    store_agent again = a;
    again.enrolled_ms = 3000, again.last_seq = 0; /* enrolled again: from 1 */
    CHECK(agent_hub_claim_locked(&h, &again, 1, 3001, "127.0.0.1", &prev));
    CHECK_INT(prev, 0);
    store_agent other = {.id = 6, .name = "web-02", .enrolled_ms = 1000, .last_seq = 0};
    CHECK(agent_hub_claim_locked(&h, &other, 1, 3002, "127.0.0.2", &prev));
    CHECK_INT(h.n, 2);
    free(h.v);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kw-test-agent-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    RUN(test_decode_valid);
    RUN(test_decode_refused);
    RUN(test_decode_audit_text);
    RUN(test_decode_limits);
    RUN(test_writer_round_trip);
    RUN(test_gzip);
    RUN(test_spool);
    RUN(test_labels_json);
    RUN(test_hub_claim);
    RUN(test_store_agents);
    RUN(test_store_agents_pg);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        return 1;
    TEST_MAIN_END();
}
