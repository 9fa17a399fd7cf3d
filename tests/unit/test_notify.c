/* Notifications: conditions, maintenance windows, messages made inert, channel requests and
 * their signatures, and the engine (routing, grouping, escalation, repeat, acknowledgement,
 * resolution, silences, inhibition) on a real store (SQLite, or PostgreSQL under
 * KW_TEST_PG_URL: kw_test_store.h) driven by a clock the test sets. */
#include "kw_test.h"
#include "kw_test_store.h"

#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

#include "alert/alert.h"
#include "conf/conf.h"
#include "core/kw_mem.h"
#include "notify/notify.h"
#include "store/store_int.h" /* looks at the tables directly */

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

static size_t load_errors(const char *yaml, char *first, size_t n)
{
    conf *c = NULL;
    conf_errors errs = {0};
    conf_load_buffer("t.yaml", yaml, strlen(yaml), &c, &errs);
    size_t k = errs.n;
    snprintf(first, n, "%s", k ? errs.v[0] : "");
    conf_errors_free(&errs);
    conf_free(c);
    return k;
}

static notify_match *match_of(const char *yaml_map)
{
    char y[512];
    snprintf(y, sizeof y, "notify:\n  routes:\n    - {policy: p, match: %s}\n  policies:\n    - {name: p, inform: [c]}\n"
                          "  channels:\n    - {name: c, type: webhook, url: http://127.0.0.1:1/}\n", yaml_map);
    conf *c = load(y);
    if (!c)
        return NULL;
    notify_match *m = notify_match_new(&CONF_AT(c->notify.routes, conf_route, 0)->match);
    conf_free(c);
    return m;
}

static void test_conditions(void)
{
    conf *c = load("assets:\n  - {name: web01, addresses: [10.0.0.0/24], department: ops, business: 网上银行}\n");
    CHECK(c != NULL);
    if (!c)
        return;
    notify_alert a;
    notify_alert_init(&a, c, 7, "syn_flood", "firing", "SYN flood on 10.0.0.5", 4, 0,
                      "{\"destination.ip\":\"10.0.0.5\",\"source.ip\":\"203.0.113.9\"}");
    char nb[64];
    CHECK_STR(notify_alert_field(&a, "asset", nb, sizeof nb), "web01");
    CHECK_STR(notify_alert_field(&a, "department", nb, sizeof nb), "ops");
    CHECK_STR(notify_alert_field(&a, "business", nb, sizeof nb), "网上银行");
    static const struct {
        const char *m;
        bool want;
    } cases[] = {
        {"{rule: syn_flood}", true},
        {"{rule: [udp_flood, syn_flood]}", true},
        {"{rule|ne: syn_flood}", false},
        {"{severity: critical}", true},
        {"{severity|gt: high}", true},
        {"{severity|lt: high}", false},
        {"{source.ip|cidr: 203.0.113.0/24}", true},
        {"{source.ip|cidr: 198.51.100.0/24}", false},
        {"{summary|re: '^SYN flood on 10\\.'}", true},
        {"{department: ops, asset|startswith: web}", true},
        {"{user.name|exists: true}", false},
        {"{user.name|exists: false}", true},
        {"{destination.ip|endswith: \".5\"}", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        notify_match *m = match_of(cases[i].m);
        CHECK(m != NULL);
        if (notify_match_test(m, &a) != cases[i].want)
            fprintf(stderr, "  case %s: expected %d\n", cases[i].m, cases[i].want);
        CHECK(notify_match_test(m, &a) == cases[i].want);
        notify_match_free(m);
    }
    notify_alert_fini(&a);
    /* the traffic sensor's alerts name the asset they hit as target, its address as dst */
    notify_alert_init(&a, c, 8, "syn_flood", "firing", "flood", 4, 0, "{\"target\":\"web01\"}");
    CHECK(a.asset && strcmp(a.asset->name, "web01") == 0);
    notify_alert_fini(&a);
    notify_alert_init(&a, c, 9, "syn_flood", "firing", "flood", 4, 0, "{\"dst\":\"10.0.0.7\",\"dport\":80}");
    CHECK(a.asset && strcmp(a.asset->name, "web01") == 0);
    notify_alert_fini(&a);
    conf_free(c);
    char err[512];
    CHECK_INT(load_errors("notify:\n  routes:\n    - {policy: nope}\n", err, sizeof err), 1);
    CHECK_CONTAINS(err, "policy \"nope\" is not defined");
    CHECK(load_errors("notify:\n  routes:\n    - {policy: p, match: {severity|gt: huge}}\n", err, sizeof err) >= 1);
    CHECK_CONTAINS(err, "not a number or a severity");
    CHECK(load_errors("notify:\n  channels:\n    - {name: d, type: dingtalk, url: 'http://x/', title: '{nope}'}\n", err,
                      sizeof err) >= 1);
    CHECK_CONTAINS(err, "unknown placeholder {nope}");
    CHECK(load_errors("notify:\n  policies:\n    - {name: p, levels: [{notify: ['boss:x'], channels: [c]}]}\n", err,
                      sizeof err) >= 1);
}

static void test_windows(void)
{
    conf *c = load("notify:\n  silences:\n"
                   "    - {name: backup, match: {rule: disk_io_busy}, days: [sat], from: '23:00', to: '01:00', timezone: '+08:00'}\n"
                   "    - {name: change, match: {asset: db01}, start: '2026-11-24T20:00', end: '2026-11-24T22:00', timezone: UTC}\n");
    CHECK(c != NULL);
    if (!c)
        return;
    const conf_silence *rec = CONF_AT(c->notify.silences, conf_silence, 0), *one = CONF_AT(c->notify.silences, conf_silence, 1);
    /* 2026-11-28 is a Saturday; the window is in +08:00 */
    int64_t base = 1795824000000LL; /* 2026-11-28T00:00:00Z */
    int64_t h = 3600000;
    CHECK(notify_silence_active(rec, base - 8 * h + 23 * h + 30 * 60000));  /* Sat 23:30 local */
    CHECK(notify_silence_active(rec, base - 8 * h + 24 * h + 30 * 60000));  /* Sun 00:30 local: past midnight */
    CHECK(!notify_silence_active(rec, base - 8 * h + 25 * h + 30 * 60000)); /* Sun 01:30 */
    CHECK(!notify_silence_active(rec, base - 8 * h + 22 * h + 30 * 60000)); /* Sat 22:30 */
    CHECK(!notify_silence_active(rec, base - 8 * h - 30 * 60000));          /* Fri 23:30 */
    int64_t nov24_20 = 1795550400000LL; /* 2026-11-24T20:00Z */
    CHECK(notify_silence_active(one, nov24_20));
    CHECK(notify_silence_active(one, nov24_20 + 2 * h - 1));
    CHECK(!notify_silence_active(one, nov24_20 + 2 * h));
    CHECK(!notify_silence_active(one, nov24_20 - 1));
    conf_free(c);
}

static const char org[] =
    "departments:\n"
    "  - {name: security, kind: security, head: b}\n"
    "  - {name: biz, kind: business}\n"
    "  - {name: cs, kind: customer_service}\n"
    "people:\n"
    "  - {name: a, display: 张伟, phone: '13800000001', feishu: ou_a, departments: [security]}\n"
    "  - {name: b, display: 李娜, phone: '13800000002', departments: [security]}\n"
    "assets:\n"
    "  - {name: web01, addresses: [10.0.0.5], business: 网上银行, impact: 用户可能无法登录, advice: 请用户稍后再试}\n";

static void test_render_inert(void)
{
    char y[4096];
    snprintf(y, sizeof y, "%snotify:\n  channels:\n"
                          "    - {name: fs, type: feishu, url: 'http://127.0.0.1:1/'}\n"
                          "    - {name: dt, type: dingtalk, url: 'http://127.0.0.1:1/'}\n"
                          "    - {name: sl, type: slack, url: 'http://127.0.0.1:1/', language: en}\n"
                          "    - {name: bz, type: wecom, url: 'http://127.0.0.1:1/', department: biz}\n"
                          "    - {name: cs, type: wecom, url: 'http://127.0.0.1:1/', department: cs, language: en}\n"
                          "    - {name: own, type: webhook, url: 'http://127.0.0.1:1/', title: '{event}: {count} x {severity}',"
                          " line: '{id}|{rule}|{source.ip}'}\n",
             org);
    conf *c = load(y);
    CHECK(c != NULL);
    if (!c)
        return;
    notify_alert a;
    notify_alert_init(&a, c, 42, "ssh_brute_force", "firing",
                      "brute force by <at user_id=\"all\">所有人</at> @all [click](http://evil.example)\n### fake", 3, 0,
                      "{\"destination.ip\":\"10.0.0.5\",\"source.ip\":\"203.0.113.9\"}");
    const notify_alert *list[] = {&a};
    const conf_person *ppl[] = {conf_person_find(c, "a")};
    notify_msg m = {.kind = NMSG_FIRING, .policy = "sec", .level = 1, .alerts = list, .nalerts = 1, .people = ppl,
                    .npeople = 1, .now_ms = 1795520000000LL};
    struct {
        const char *ch;
        const char *want, *bad1, *bad2;
    } cases[] = {
        {"fs", "<at user_id=\"ou_a\">张伟</at>", "<at user_id=\"all\"", "](http"},
        {"dt", "@13800000001", "@all", "\n###"},
        {"sl", "&lt;at user_id", "<at", NULL},
        {"bz", "网上银行：用户可能无法登录", "ssh_brute_force", "203.0.113.9"},
        {"cs", "What to tell users", "ssh_brute_force", "keepwatch alert ack"},
        {"own", "42|ssh_brute_force|203.0.113.9", "\n###", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const conf_channel *ch = NULL;
        for (size_t k = 0; k < c->notify.channels.n; k++)
            if (!strcmp(CONF_AT(c->notify.channels, conf_channel, k)->name, cases[i].ch))
                ch = CONF_AT(c->notify.channels, conf_channel, k);
        kw_buf t, x;
        kw_buf_init(&t, 0);
        kw_buf_init(&x, 0);
        notify_render(c, ch, &m, &t, &x);
        CHECK_CONTAINS(kw_buf_cstr(&x), cases[i].want);
        if (strstr(kw_buf_cstr(&x), cases[i].bad1) || (cases[i].bad2 && strstr(kw_buf_cstr(&x), cases[i].bad2)))
            fprintf(stderr, "  %s rendered something live:\n%s\n", cases[i].ch, kw_buf_cstr(&x));
        CHECK(!strstr(kw_buf_cstr(&x), cases[i].bad1));
        CHECK(!cases[i].bad2 || !strstr(kw_buf_cstr(&x), cases[i].bad2));
        if (!strcmp(cases[i].ch, "own"))
            CHECK_STR(kw_buf_cstr(&t), "告警: 1 x 高");
        if (!strcmp(cases[i].ch, "cs"))
            CHECK_CONTAINS(kw_buf_cstr(&x), "请用户稍后再试");
        kw_buf_free(&t);
        kw_buf_free(&x);
    }
    notify_alert_fini(&a);
    conf_free(c);
}

/* Chat messages write times in console.timezone, with the zone: 2026-11-28T00:00:00Z is
 * 08:00 in Shanghai (CST, +08:00), 20:30 the day before at -03:30. */
static void test_render_timezone(void)
{
    static const struct {
        const char *zone, *want;
    } cases[] = {{"Asia/Shanghai", "2026-11-28 08:00:00 +08:00"}, {"\"-03:30\"", "2026-11-27 20:30:00 -03:30"},
                 {"UTC", "2026-11-28 00:00:00 +00:00"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char y[512];
        snprintf(y, sizeof y, "console: {timezone: %s}\nnotify:\n  channels:\n"
                              "    - {name: own, type: webhook, url: 'http://127.0.0.1:1/', line: '{rule} {time}'}\n",
                 cases[i].zone);
        conf *c = load(y);
        CHECK(c != NULL);
        if (!c)
            continue;
        notify_alert a;
        notify_alert_init(&a, c, 7, "port_scan", "firing", "scan", 3, 1795824000000LL, "{}");
        const notify_alert *list[] = {&a};
        notify_msg m = {.kind = NMSG_FIRING, .level = 1, .alerts = list, .nalerts = 1, .now_ms = 1795824000000LL};
        kw_buf t, x;
        kw_buf_init(&t, 0);
        kw_buf_init(&x, 0);
        notify_render(c, CONF_AT(c->notify.channels, conf_channel, 0), &m, &t, &x);
        CHECK_CONTAINS(kw_buf_cstr(&x), cases[i].want);
        kw_buf_free(&t);
        kw_buf_free(&x);
        notify_alert_fini(&a);
        conf_free(c);
    }
    conf *c = load("console: {timezone: Asia/Shanghai}\n");
    CHECK(c && c->console.tz_min == 480 && !strcmp(c->console.tz_abbr, "CST"));
    conf_free(c);
    /* zoneinfo footers: quoted abbreviations, minutes, summer-time rules after the standard part */
    static const struct {
        const char *in, *abbr;
        int32_t east;
        bool ok;
    } f[] = {{"TZif\x01\nCST-8\n", "CST", 480, true}, {"\nIST-5:30\n", "IST", 330, true},
             {"\n<+0545>-5:45\n", "+0545", 345, true}, {"\nCET-1CEST,M3.5.0,M10.5.0/3\n", "CET", 60, true},
             {"\nEST5EDT,M3.2.0,M11.1.0\n", "EST", -300, true}, {"\nUTC0\n", "UTC", 0, true},
             {"\nCST-8", "", 0, false}, {"\nX-8\n", "", 0, false}, {"\n<+08-8\n", "", 0, false},
             {"\nCST-99\n", "", 0, false}, {"\nCST\n", "", 0, false}, {"\n\n", "", 0, false}};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        char abbr[16] = "";
        int32_t east = 12345;
        bool ok = conf_tz_footer_parse(f[i].in, strlen(f[i].in), abbr, sizeof abbr, &east);
        CHECK(ok == f[i].ok);
        if (ok && f[i].ok) {
            CHECK_STR(abbr, f[i].abbr);
            CHECK(east == f[i].east);
        }
    }
}

#define WEBHOOK_SIG "5c6e74a79b42049c5c18818c4c28a0c974499c78b940dd963be972c50cb988c3"

static void test_requests(void)
{
    conf *c = load("notify:\n  channels:\n"
                   "    - {name: dt, type: dingtalk, url: 'https://oapi.dingtalk.com/robot/send?access_token=T', secret: SECtest}\n"
                   "    - {name: fs, type: feishu, url: 'https://open.feishu.cn/open-apis/bot/v2/hook/x', secret: SECtest}\n"
                   "    - {name: wh, type: webhook, url: 'http://127.0.0.1:1/h', secret: k, headers: {X-Team: soc}}\n"
                   "    - {name: ml, type: email, url: 'smtp://127.0.0.1:25', from: kw@example.com, to: [soc@example.com]}\n");
    CHECK(c != NULL);
    if (!c)
        return;
    const char *msg = "{\"kind\":\"firing\",\"title\":\"【告警】x\",\"text\":\"body\",\"alerts\":[],"
                      "\"people\":[{\"name\":\"a\",\"phone\":\"13800000001\",\"email\":\"a@example.com\"}]}";
    notify_request r;
    char err[256];
    int64_t now = 1700000000000LL;
    /* the signatures were computed independently (Python's hmac) for these inputs */
    CHECK_INT(notify_request_build(CONF_AT(c->notify.channels, conf_channel, 0), msg, 5, now, &r, err, sizeof err), KW_OK);
    CHECK_STR(r.url, "https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1700000000000"
                     "&sign=aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g%3D");
    CHECK_CONTAINS(kw_buf_cstr(&r.body), "\"atMobiles\":[\"13800000001\"]");
    notify_request_free(&r);
    CHECK_INT(notify_request_build(CONF_AT(c->notify.channels, conf_channel, 1), msg, 5, now, &r, err, sizeof err), KW_OK);
    CHECK_CONTAINS(kw_buf_cstr(&r.body), "\"sign\":\"G7XpBpG8NgG02fJOAhX6FRAObIljmFoxVReo8I62pEk=\"");
    CHECK_CONTAINS(kw_buf_cstr(&r.body), "\"timestamp\":\"1700000000\"");
    notify_request_free(&r);
    /* webhook: Slack's v0 scheme over the timestamp and the exact body (the expected HMAC from
     * Python: hmac.new(b"k", b"v0:1700000000:" + body, sha256)) */
    const char *hook = "{\"kind\":\"firing\",\"title\":\"t\",\"text\":\"x\",\"alert_ids\":[3,4],\"delivery\":\"kw-1-5\"}";
    CHECK_INT(notify_request_build(CONF_AT(c->notify.channels, conf_channel, 2), hook, 5, now, &r, err, sizeof err), KW_OK);
    CHECK_STR(kw_buf_cstr(&r.body), "{\"kind\":\"firing\",\"title\":\"t\",\"text\":\"x\",\"alert_ids\":[3,4],"
                                    "\"delivery\":\"kw-1-5\",\"id\":5,\"source\":\"keepwatch\"}");
    bool sig = false, team = false, id = false, ts = false;
    for (size_t i = 0; i < r.nheaders; i++) {
        sig |= !strcmp(r.headers[i], "X-Keepwatch-Signature: v0=" WEBHOOK_SIG);
        ts |= !strcmp(r.headers[i], "X-Keepwatch-Timestamp: 1700000000");
        team |= !strcmp(r.headers[i], "X-Team: soc");
        id |= !strcmp(r.headers[i], "X-Keepwatch-Delivery: kw-1-5");
    }
    CHECK(sig && ts && team && id);
    notify_request_free(&r);
    /* a test message has no delivery id of its own: each build makes a new random one */
    char first[64] = "";
    for (int k = 0; k < 2; k++) {
        CHECK_INT(notify_request_build(CONF_AT(c->notify.channels, conf_channel, 2), msg, 0, now, &r, err, sizeof err),
                  KW_OK);
        const char *d = NULL;
        for (size_t i = 0; i < r.nheaders; i++)
            if (!strncmp(r.headers[i], "X-Keepwatch-Delivery: kw-test-", 30))
                d = r.headers[i] + 22;
        CHECK(d && strlen(d) == 8 + 32);
        if (d && k == 0)
            snprintf(first, sizeof first, "%s", d);
        else if (d)
            CHECK(strcmp(first, d) != 0);
        notify_request_free(&r);
    }
    CHECK_INT(notify_request_build(CONF_AT(c->notify.channels, conf_channel, 3), msg, 5, now, &r, err, sizeof err), KW_OK);
    CHECK_INT(r.nrcpt, 2);
    CHECK_CONTAINS(kw_buf_cstr(&r.body), "Subject: =?UTF-8?B?");
    CHECK_CONTAINS(kw_buf_cstr(&r.body), "To: a@example.com, soc@example.com\r\n");
    notify_request_free(&r);
    /* a robot's "200 but no" is a failure */
    CHECK(!notify_response_ok(CHAN_DINGTALK, 200, "{\"errcode\":130101,\"errmsg\":\"send too fast\"}", err, sizeof err));
    CHECK_CONTAINS(err, "send too fast");
    CHECK(notify_response_ok(CHAN_FEISHU, 200, "{\"code\":0,\"msg\":\"success\"}", err, sizeof err));
    CHECK(!notify_response_ok(CHAN_SLACK, 500, "", err, sizeof err));
    conf_free(c);
}

/* A webhook's body: every id of the group up to 1,000, then a link to the rest. */
static void test_webhook_ids(void)
{
    const char *msg = "{\"kind\":\"firing\",\"alerts\":[{\"id\":7},{\"id\":9}]}";
    int64_t ids[1500];
    for (int i = 0; i < 1500; i++)
        ids[i] = 100 + i;
    char *m = notify_webhook_message(msg, 42, ids, 3, 3, "https://kw.example.com/", "kw-1-2");
    CHECK_STR(m, "{\"kind\":\"firing\",\"alerts\":[{\"id\":7},{\"id\":9}],\"group\":42,\"alert_ids\":[100,101,102],"
                 "\"alerts_total\":3,\"delivery\":\"kw-1-2\"}");
    free(m);
    /* more than the bound: 1,000 ids, the total, and where the rest are */
    m = notify_webhook_message(msg, 42, ids, 1500, 1500, "https://kw.example.com/", "kw-1-2");
    json_t *j = json_loads(m, 0, NULL);
    CHECK_INT(json_array_size(json_object_get(j, "alert_ids")), 1000);
    CHECK_INT(json_integer_value(json_array_get(json_object_get(j, "alert_ids"), 999)), 1099);
    CHECK_INT(json_integer_value(json_object_get(j, "alerts_total")), 1500);
    CHECK(json_is_true(json_object_get(j, "alerts_truncated")));
    CHECK_STR(json_string_value(json_object_get(j, "alerts_url")),
              "https://kw.example.com/api/v1/notify/groups/42/alerts?offset=1000");
    json_decref(j);
    free(m);
    /* a digest has no group: the ids its messages listed */
    m = notify_webhook_message(msg, 0, NULL, 0, 0, NULL, "kw-1-3");
    CHECK_CONTAINS(m, "\"alert_ids\":[7,9],\"alerts_total\":2,");
    CHECK(!strstr(m, "truncated"));
    free(m);
    /* not an object: passed on as it is */
    m = notify_webhook_message("[1]", 42, ids, 3, 3, NULL, "x");
    CHECK_STR(m, "[1]");
    free(m);
}

/* ---- the engine on a store ---- */

typedef struct bench {
    char dir[64], path[96];
    kw_store *s;
    conf *c;
    notify_engine *e;
} bench;

static bool bench_open(bench *b, const char *yaml)
{
    snprintf(b->dir, sizeof b->dir, "/tmp/kw-notify-XXXXXX");
    if (!mkdtemp(b->dir))
        return false;
    snprintf(b->path, sizeof b->path, "%s/kw.db", b->dir);
    char err[256];
    kwt_duty_keys_in(b->dir, 100);
    b->s = kwt_store_open(b->path, err, sizeof err);
    b->c = load(yaml);
    if (!b->s || !b->c)
        return false;
    CHECK_INT(notify_engine_begin(b->s), KW_OK);
    b->e = notify_engine_new(b->c);
    return true;
}

static void bench_close(bench *b)
{
    notify_engine_free(b->e);
    store_close(b->s);
    conf_free(b->c);
    unlink(b->path);
    static const char *const left[] = {"kw.db-wal", "kw.db-shm", "duty.key", "duty_sign.key", "duty_sign.pub"};
    char p[128];
    for (size_t i = 0; i < sizeof left / sizeof left[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", b->dir, left[i]);
        unlink(p);
    }
    CHECK(rmdir(b->dir) == 0);
}

static int64_t fire(bench *b, const char *rule, const char *labels, int64_t at)
{
    alert_acts acts = {0};
    alert_act *a = alert_acts_push(&acts, ALERT_ACT_FIRE, "test", rule, kw_strdup(labels));
    a->severity = 3;
    a->summary = kw_strdup(rule);
    a->at_ms = a->started_ms = at;
    CHECK_INT(store_alert_apply(b->s, a), KW_OK);
    int64_t id = a->alert_id;
    alert_acts_free(&acts);
    return id;
}

static void tick(bench *b, int64_t now)
{
    bool worked;
    CHECK_INT(notify_engine_tick(b->e, b->s, now, &worked), KW_OK);
}

/* Outbox rows as "channel:kind:alerts" lines, after id `after`. */
static void outbox(bench *b, int64_t after, char *out, size_t n)
{
    db_stmt *st = store_stmt(b->s, "SELECT channel, kind, alerts FROM notify_outbox WHERE id > ? ORDER BY id");
    out[0] = 0;
    size_t len = 0;
    db_bind_int64(st, 1, after);
    while (db_step(st) == DB_ROW)
        len += (size_t)snprintf(out + len, len < n ? n - len : 0, "%s:%s:%s\n", db_col_text(st, 0),
                                db_col_text(st, 1), db_col_text(st, 2));
    db_reset(st);
}

static int64_t last_outbox(bench *b) { return store_query_int(b->s, "SELECT coalesce(max(id), 0) FROM notify_outbox", NULL); }

static void test_escalation(void)
{
    char y[4096];
    snprintf(y, sizeof y,
             "%snotify:\n  group_wait: 30s\n  group_interval: 1m\n  channels:\n"
             "    - {name: c1, type: webhook, url: 'http://127.0.0.1:1/1'}\n"
             "    - {name: c2, type: webhook, url: 'http://127.0.0.1:1/2'}\n"
             "    - {name: biz, type: wecom, url: 'http://127.0.0.1:1/b', department: biz}\n"
             "  policies:\n"
             "    - name: sec\n"
             "      repeat: 1\n"
             "      inform: [biz]\n"
             "      levels:\n"
             "        - {notify: ['person:a'], channels: [c1], escalate_after: 10m}\n"
             "        - {notify: ['head:security', 'person:b'], channels: [c2], escalate_after: 10m}\n"
             "  routes:\n"
             "    - {match: {severity|gt: medium}, policy: sec, group_by: [rule]}\n",
             org);
    bench b = {0};
    if (!bench_open(&b, y)) {
        CHECK(!"bench");
        return;
    }
    int64_t t0 = 1795520000000LL, m = 60000;
    char out[4096];
    int64_t a1 = fire(&b, "ssh_brute_force", "{\"source.ip\":\"203.0.113.1\"}", t0);
    int64_t a2 = fire(&b, "ssh_brute_force", "{\"source.ip\":\"203.0.113.2\"}", t0 + 1000);
    tick(&b, t0 + 1000);
    CHECK_INT(last_outbox(&b), 0); /* the group waits for more of the same attack */
    tick(&b, t0 + 30000);
    CHECK_INT(last_outbox(&b), 0);
    tick(&b, t0 + 31000);
    outbox(&b, 0, out, sizeof out);
    char want[256];
    snprintf(want, sizeof want, "c1:firing:%lld,%lld\nbiz:firing:%lld,%lld\n", (long long)a1, (long long)a2,
             (long long)a1, (long long)a2);
    CHECK_STR(out, want); /* one message for both, to level 1 and the informed department */
    int64_t seen = last_outbox(&b);
    tick(&b, t0 + 31000 + 9 * m);
    CHECK_INT(last_outbox(&b), seen);
    tick(&b, t0 + 31000 + 10 * m); /* nobody acknowledged: level 2 */
    outbox(&b, seen, out, sizeof out);
    snprintf(want, sizeof want, "c2:escalated:%lld,%lld\n", (long long)a1, (long long)a2);
    CHECK_STR(out, want);
    CHECK_INT(store_query_int(b.s, "SELECT count(*) FROM duty_log WHERE kind = 'alert.escalated' AND text LIKE "
                                   "'escalated to level 2 of policy sec (round 1): 李娜;%'", NULL), 1);
    seen = last_outbox(&b);
    tick(&b, t0 + 31000 + 20 * m); /* still nobody: the levels again (repeat: 1) */
    outbox(&b, seen, out, sizeof out);
    snprintf(want, sizeof want, "c1:repeat:%lld,%lld\n", (long long)a1, (long long)a2);
    CHECK_STR(out, want);
    tick(&b, t0 + 31000 + 30 * m);
    seen = last_outbox(&b);
    tick(&b, t0 + 31000 + 40 * m); /* every level told twice: no more */
    tick(&b, t0 + 31000 + 50 * m);
    CHECK_INT(last_outbox(&b), seen);
    /* acknowledged: announced to the levels told, not to the department */
    int prev;
    CHECK_INT(store_alert_ack(b.s, a1, "a", NULL, t0 + 51 * m, &prev), KW_OK);
    tick(&b, t0 + 51 * m);
    tick(&b, t0 + 51 * m + 6000);
    outbox(&b, seen, out, sizeof out);
    snprintf(want, sizeof want, "c1:acknowledged:%lld\nc2:acknowledged:%lld\n", (long long)a1, (long long)a1);
    CHECK_STR(out, want);
    /* resolved: to the levels and the department; the group then ends */
    seen = last_outbox(&b);
    CHECK_INT(store_alert_resolve(b.s, a1, "a", NULL, t0 + 52 * m, &prev), KW_OK);
    CHECK_INT(store_alert_resolve(b.s, a2, "a", NULL, t0 + 52 * m, &prev), KW_OK);
    tick(&b, t0 + 52 * m);
    tick(&b, t0 + 53 * m);
    outbox(&b, seen, out, sizeof out);
    snprintf(want, sizeof want, "c1:resolved:%lld,%lld\nc2:resolved:%lld,%lld\nbiz:resolved:%lld,%lld\n", (long long)a1,
             (long long)a2, (long long)a1, (long long)a2, (long long)a1, (long long)a2);
    CHECK_STR(out, want);
    CHECK_INT(store_query_int(b.s, "SELECT count(*) FROM notify_groups WHERE closed = 0", NULL), 0);
    /* a medium alert matches no route */
    seen = last_outbox(&b);
    alert_acts acts = {0};
    alert_act *x = alert_acts_push(&acts, ALERT_ACT_FIRE, "test", "cpu", kw_strdup("{}"));
    x->severity = 2;
    x->summary = kw_strdup("cpu");
    CHECK_INT(store_alert_apply(b.s, x), KW_OK);
    alert_acts_free(&acts);
    tick(&b, t0 + 60 * m);
    tick(&b, t0 + 61 * m);
    CHECK_INT(last_outbox(&b), seen);
    CHECK_INT((int64_t)notify_engine_stats(b.e)->unrouted, 1);
    bench_close(&b);
}

static void test_held(void)
{
    char y[4096];
    snprintf(y, sizeof y,
             "%snotify:\n  group_wait: 0s\n  channels:\n"
             "    - {name: c1, type: webhook, url: 'http://127.0.0.1:1/1'}\n"
             "  policies:\n"
             "    - {name: p, levels: [{notify: ['person:a'], channels: [c1]}]}\n"
             "  routes:\n"
             "    - {policy: p, group_by: [rule, host]}\n"
             "  silences:\n"
             "    - {name: change, match: {rule: disk_full}, start: '2026-11-24T08:00', end: '2026-11-24T09:00', timezone: UTC}\n"
             "  inhibit:\n"
             "    - {source: {rule: host_down}, target: {rule: service_down}, equal: [host]}\n",
             org);
    bench b = {0};
    if (!bench_open(&b, y)) {
        CHECK(!"bench");
        return;
    }
    int64_t t8 = 1795478400000LL + 8 * 3600000LL; /* 2026-11-24T08:00Z */
    char out[2048], want[256];
    int64_t disk = fire(&b, "disk_full", "{\"host\":\"h1\"}", t8 + 60000);
    int64_t down = fire(&b, "host_down", "{\"host\":\"h1\"}", t8 + 60000);
    int64_t svc1 = fire(&b, "service_down", "{\"host\":\"h1\"}", t8 + 60000);
    int64_t svc2 = fire(&b, "service_down", "{\"host\":\"h2\"}", t8 + 60000);
    tick(&b, t8 + 60000);
    outbox(&b, 0, out, sizeof out);
    snprintf(want, sizeof want, "c1:firing:%lld\nc1:firing:%lld\n", (long long)down, (long long)svc2);
    CHECK_STR(out, want); /* the silenced disk and the inhibited service wait */
    CHECK_INT((int64_t)notify_engine_stats(b.e)->silenced, 1);
    CHECK_INT((int64_t)notify_engine_stats(b.e)->inhibited, 1);
    int64_t seen = last_outbox(&b);
    /* the host comes back: its service alert (still firing) is told */
    int prev;
    CHECK_INT(store_alert_resolve(b.s, down, "ops", NULL, t8 + 120000, &prev), KW_OK);
    tick(&b, t8 + 120000);
    tick(&b, t8 + 200000);
    outbox(&b, seen, out, sizeof out);
    snprintf(want, sizeof want, "c1:resolved:%lld\nc1:firing:%lld\n", (long long)down, (long long)svc1);
    CHECK_STR(out, want);
    seen = last_outbox(&b);
    /* the window ends with the disk still full: told then */
    tick(&b, t8 + 3600000 + 20000);
    outbox(&b, seen, out, sizeof out);
    snprintf(want, sizeof want, "c1:firing:%lld\n", (long long)disk);
    CHECK_STR(out, want);
    /* a silence added at run time (keepwatch silence add) holds a new alert */
    seen = last_outbox(&b);
    db_stmt *st = store_stmt(b.s, "INSERT INTO silences (matchers, starts_ms, ends_ms, created_by, created_ms) "
                                  "VALUES ('{\"host|startswith\":\"h9\"}', ?, ?, 't', ?)");
    db_bind_int64(st, 1, t8);
    db_bind_int64(st, 2, t8 + 2 * 3600000LL);
    db_bind_int64(st, 3, t8);
    CHECK(db_step(st) == DB_DONE);
    db_reset(st);
    fire(&b, "service_down", "{\"host\":\"h90\"}", t8 + 3700000);
    tick(&b, t8 + 3700000);
    CHECK_INT(last_outbox(&b), seen);
    bench_close(&b);
}

/* A drill's alerts are marked before anything else, built-in title or the channel's own. */
static void test_render_drill(void)
{
    conf *c = load("notify:\n  channels:\n"
                   "    - {name: zh, type: dingtalk, url: 'http://127.0.0.1:1/'}\n"
                   "    - {name: en, type: webhook, url: 'http://127.0.0.1:1/', language: en, title: '{headline}'}\n");
    CHECK(c != NULL);
    if (!c)
        return;
    static const struct {
        const char *labels;
        size_t chan;
        const char *want;
        bool drill;
    } cases[] = {{"{\"drill\":\"ddos-3\"}", 0, "【演练】", true}, {"{\"drill\":true}", 1, "[DRILL] ", true},
                 {"{\"drill\":false}", 0, "【演练】", false}, {"{}", 1, "[DRILL]", false}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        notify_alert a;
        notify_alert_init(&a, c, 7, "syn_flood", "firing", "SYN flood", 4, 1795824000000LL, cases[i].labels);
        const notify_alert *list[] = {&a};
        notify_msg m = {.kind = NMSG_FIRING, .level = 1, .alerts = list, .nalerts = 1, .now_ms = 1795824000000LL};
        kw_buf t, x;
        kw_buf_init(&t, 0);
        kw_buf_init(&x, 0);
        notify_render(c, CONF_AT(c->notify.channels, conf_channel, cases[i].chan), &m, &t, &x);
        const char *title = kw_buf_cstr(&t);
        CHECK((strncmp(title, cases[i].want, strlen(cases[i].want)) == 0) == cases[i].drill);
        kw_buf_free(&t);
        kw_buf_free(&x);
        notify_alert_fini(&a);
    }
    conf_free(c);
}

int main(void)
{
    RUN(test_conditions);
    RUN(test_windows);
    RUN(test_render_inert);
    RUN(test_render_timezone);
    RUN(test_render_drill);
    RUN(test_requests);
    RUN(test_webhook_ids);
    RUN(test_escalation);
    RUN(test_held);
    TEST_MAIN_END();
}
