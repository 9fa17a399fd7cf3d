/* Unit tests of what the network scanner is told to scan: target specs, exclusions and scope
 * (scan_target.c), port lists and tables (scan_ports.c), and the token bucket. The UDP parsers
 * are test_scan_udp.c, the TCP scan test_scan_net.c. */
#include "conf/conf.h"
#include "kw_test.h"
#include "scan/scan.h"

#include <stdlib.h>

static char err[512];

static kw_rc fake_resolve(const char *name, kw_addr *out, void *arg)
{
    (void)arg;
    if (strcmp(name, "db.example") == 0)
        return kw_prefix_parse("10.1.2.3", out, &(int){0}) ? KW_OK : KW_ERR_PARSE;
    return KW_ERR_NOTFOUND;
}

static const scan_target_opts topts = {.resolve = fake_resolve};

static const char *host_str(const scan_targets *t, size_t i)
{
    static char buf[64];
    kw_addr_str(&t->v[i].addr, buf, sizeof buf);
    return buf;
}

static void test_target_address_prefix(void)
{
    scan_targets t = {0};
    CHECK_INT(scan_targets_add(&t, "192.168.1.7", &topts, err, sizeof err), KW_OK);
    CHECK_INT(scan_targets_add(&t, "10.0.0.0/30", &topts, err, sizeof err), KW_OK);
    CHECK_INT(scan_targets_add(&t, "10.9.9.9/31", &topts, err, sizeof err), KW_OK);
    CHECK_INT(t.n, 1 + 4 + 2);
    CHECK_STR(host_str(&t, 0), "192.168.1.7");
    CHECK_STR(host_str(&t, 1), "10.0.0.0");
    CHECK_STR(host_str(&t, 4), "10.0.0.3");
    CHECK_STR(host_str(&t, 5), "10.9.9.8"); /* host bits of a prefix are cleared */
    CHECK_INT(scan_targets_add(&t, "fd00::10/126", &topts, err, sizeof err), KW_OK);
    CHECK_INT(t.n, 11);
    CHECK_STR(host_str(&t, 10), "fd00::13");
    CHECK_INT(scan_targets_add(&t, "::1", &topts, err, sizeof err), KW_OK);
    CHECK(t.v[11].addr.v6);
    scan_targets_free(&t);
}

static void test_target_ranges(void)
{
    scan_targets t = {0};
    CHECK_INT(scan_targets_add(&t, "10.0.0.1-20", &topts, err, sizeof err), KW_OK);
    CHECK_INT(t.n, 20);
    CHECK_STR(host_str(&t, 19), "10.0.0.20");
    CHECK_INT(scan_targets_add(&t, "10.0.0.250-10.0.1.5", &topts, err, sizeof err), KW_OK);
    CHECK_INT(t.n, 20 + 12);
    CHECK_STR(host_str(&t, 26), "10.0.1.0"); /* carries across the octet */
    CHECK_INT(scan_targets_add(&t, "fd00::fe-fd00::101", &topts, err, sizeof err), KW_OK);
    CHECK_INT(t.n, 32 + 4);
    CHECK_STR(host_str(&t, 34), "fd00::100");
    CHECK_INT(scan_targets_add(&t, "10.0.0.9-3", &topts, err, sizeof err), KW_ERR_PARSE);
    CHECK_CONTAINS(err, "ends before it starts");
    CHECK_INT(scan_targets_add(&t, "10.0.0.1-256", &topts, err, sizeof err), KW_ERR_PARSE);
    CHECK_INT(scan_targets_add(&t, "10.0.0.1-fd00::1", &topts, err, sizeof err), KW_ERR_PARSE);
    CHECK_INT(t.n, 36); /* errors add nothing */
    scan_targets_free(&t);
}

static void test_target_width_bound(void)
{
    scan_targets t = {0};
    CHECK_INT(scan_targets_add(&t, "10.0.0.0/15", &topts, err, sizeof err), KW_ERR_RANGE);
    CHECK_CONTAINS(err, "--large");
    CHECK_INT(t.n, 0);
    CHECK_INT(scan_targets_add(&t, "fd00::/111", &topts, err, sizeof err), KW_ERR_RANGE);
    CHECK_INT(scan_targets_add(&t, "10.0.0.0-10.2.0.0", &topts, err, sizeof err), KW_ERR_RANGE);
    CHECK_INT(scan_targets_add(&t, "10.0.0.0/16", &topts, err, sizeof err), KW_OK);
    CHECK_INT(t.n, 65536);
    scan_target_opts large = topts;
    large.large = true;
    CHECK_INT(scan_targets_add(&t, "10.2.0.0/15", &large, err, sizeof err), KW_OK);
    CHECK_INT(t.n, 65536 + 131072);
    CHECK_INT(scan_targets_add(&t, "10.0.0.0/8", &large, err, sizeof err), KW_ERR_RANGE); /* SCAN_HOSTS_MAX */
    CHECK_INT(scan_targets_add(&t, "fd00::/64", &large, err, sizeof err), KW_ERR_RANGE);
    scan_targets_free(&t);
}

static void test_target_names_and_garbage(void)
{
    scan_targets t = {0};
    CHECK_INT(scan_targets_add(&t, "db.example", &topts, err, sizeof err), KW_OK);
    CHECK_INT(t.n, 1);
    CHECK_STR(t.v[0].name, "db.example");
    CHECK_STR(host_str(&t, 0), "10.1.2.3");
    CHECK_INT(scan_targets_add(&t, "no-such.example", &topts, err, sizeof err), KW_ERR_NOTFOUND);
    CHECK_CONTAINS(err, "does not resolve");
    const char *bad[] = {"", "10.0.0.256", "1.2.3", "a..b", "-x", "10.0.0.0/33", "bad host", "x/24", "::g", "a_b!c"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(scan_targets_add(&t, bad[i], &topts, err, sizeof err), KW_ERR_PARSE);
    scan_target_opts noname = {0};
    CHECK_INT(scan_targets_add(&t, "db.example", &noname, err, sizeof err), KW_ERR_PARSE);
    CHECK_INT(t.n, 1);
    scan_targets_free(&t);
}

static void test_target_uniq_exclude(void)
{
    scan_targets t = {0};
    scan_spans ex = {0};
    scan_targets_add(&t, "10.0.0.5", &topts, err, sizeof err);
    scan_targets_add(&t, "10.0.0.0/29", &topts, err, sizeof err);
    scan_targets_add(&t, "10.0.0.3", &topts, err, sizeof err);
    scan_targets_uniq(&t);
    CHECK_INT(t.n, 8);
    CHECK_STR(host_str(&t, 0), "10.0.0.0");
    CHECK_STR(host_str(&t, 7), "10.0.0.7");
    CHECK_INT(scan_spans_add(&ex, "10.0.0.0/30", &topts, err, sizeof err), KW_OK);
    CHECK_INT(scan_spans_add(&ex, "10.0.0.6-7", &topts, err, sizeof err), KW_OK);
    CHECK_INT(scan_spans_add(&ex, "0.0.0.0/0", &topts, err, sizeof err), KW_OK); /* spans are never expanded */
    kw_addr v6;
    int bits;
    kw_prefix_parse("fd00::1", &v6, &bits);
    CHECK(scan_spans_has(&ex, &v6) == false);
    ex.n = 2; /* leave the /0 out again */
    CHECK_INT(scan_targets_exclude(&t, &ex), 6);
    CHECK_INT(t.n, 2);
    CHECK_STR(host_str(&t, 0), "10.0.0.4");
    CHECK_STR(host_str(&t, 1), "10.0.0.5");
    scan_spans_free(&ex);
    scan_targets_free(&t);
}

static void test_scope(void)
{
    scan_scope s;
    size_t outside;
    CHECK_INT(scan_scope_init(&s, NULL, 0, err, sizeof err), KW_OK);
    const char *in[] = {"127.0.0.1", "127.9.9.9", "::1", "10.200.1.2", "172.31.255.1", "192.168.0.1", "fd12::1"};
    const char *out[] = {"8.8.8.8", "172.32.0.1", "192.0.2.1", "2001:db8::1", "224.0.0.1", "0.0.0.0", "::", "ff02::1"};
    kw_addr a;
    int bits;
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        kw_prefix_parse(in[i], &a, &bits);
        CHECK(scan_scope_has(&s, &a));
    }
    for (size_t i = 0; i < sizeof out / sizeof out[0]; i++) {
        kw_prefix_parse(out[i], &a, &bits);
        CHECK(!scan_scope_has(&s, &a));
    }
    scan_targets t = {0};
    scan_targets_add(&t, "10.0.0.1", &topts, err, sizeof err);
    CHECK_INT(scan_targets_in_scope(&t, &s, &outside, err, sizeof err), KW_OK);
    scan_targets_add(&t, "192.0.2.0/30", &topts, err, sizeof err);
    CHECK_INT(scan_targets_in_scope(&t, &s, &outside, err, sizeof err), KW_ERR_RANGE);
    CHECK_INT(outside, 4);
    CHECK_CONTAINS(err, "192.0.2.0 is outside scan.allowed");
    scan_scope_free(&s);
    char *mine[] = {"192.0.2.0/30", "10.0.0.1"};
    CHECK_INT(scan_scope_init(&s, mine, 2, err, sizeof err), KW_OK);
    CHECK_INT(scan_targets_in_scope(&t, &s, &outside, err, sizeof err), KW_OK);
    scan_scope_free(&s);
    char *only_lo[] = {"127.0.0.0/8"};
    CHECK_INT(scan_scope_init(&s, only_lo, 1, err, sizeof err), KW_OK);
    CHECK_INT(scan_targets_in_scope(&t, &s, &outside, err, sizeof err), KW_ERR_RANGE);
    CHECK_INT(outside, 5);
    scan_scope_free(&s);
    char *broken[] = {"10.0.0.0/99"};
    CHECK_INT(scan_scope_init(&s, broken, 1, err, sizeof err), KW_ERR_PARSE);
    scan_targets_free(&t);
}

static void test_ports_parse(void)
{
    scan_ports p;
    memset(&p, 0, sizeof p);
    CHECK_INT(scan_ports_parse(&p, "22,80,443,1000-2000,U:53,161,T:80,8080", err, sizeof err), KW_OK);
    CHECK_INT(p.ntcp, 3 + 1001 + 1);
    CHECK_INT(p.nudp, 2);
    CHECK(scan_port_has(p.tcp, 1000) && scan_port_has(p.tcp, 2000) && !scan_port_has(p.tcp, 2001));
    CHECK(scan_port_has(p.udp, 53) && scan_port_has(p.udp, 161) && !scan_port_has(p.udp, 80));
    CHECK(scan_port_has(p.tcp, 8080));
    memset(&p, 0, sizeof p);
    CHECK_INT(scan_ports_parse(&p, "-", err, sizeof err), KW_OK);
    CHECK_INT(p.ntcp, 65535);
    CHECK(!scan_port_has(p.tcp, 0));
    memset(&p, 0, sizeof p);
    CHECK_INT(scan_ports_parse(&p, "-10,65530-", err, sizeof err), KW_OK);
    CHECK_INT(p.ntcp, 10 + 6);
    uint16_t *list = calloc(SCAN_PORT_LIST, sizeof *list);
    CHECK_INT(scan_ports_list(p.tcp, list), 16);
    CHECK_INT(list[0], 1);
    CHECK_INT(list[15], 65535);
    free(list);
    const char *bad[] = {"", "0", "65536", "22,", ",22", "20-10", "abc", "U:", "S:22", "1-2-3", "999999", "22 80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&p, 0, sizeof p);
        CHECK_INT(scan_ports_parse(&p, bad[i], err, sizeof err), KW_ERR_PARSE);
    }
}

static void test_ports_tables(void)
{
    scan_ports p;
    memset(&p, 0, sizeof p);
    scan_ports_default_tcp(&p);
    CHECK(p.ntcp > 1000 && p.ntcp < 1400);
    CHECK(scan_port_has(p.tcp, 1) && scan_port_has(p.tcp, 1024) && scan_port_has(p.tcp, 3306));
    CHECK(scan_port_has(p.tcp, 6379) && scan_port_has(p.tcp, 27017) && !scan_port_has(p.tcp, 1025));
    scan_ports_default_udp(&p);
    CHECK_INT(p.nudp, 6);
    CHECK_STR(scan_port_service(22, false), "ssh");
    CHECK_STR(scan_port_service(7, false), "echo");
    CHECK_STR(scan_port_service(6379, false), "redis");
    CHECK_STR(scan_port_service(61616, false), "activemq");
    CHECK_STR(scan_port_service(123, true), "ntp");
    CHECK_STR(scan_port_service(11211, true), "memcache");
    CHECK(scan_port_service(12345, false) == NULL);
    /* every name the table has is found: the binary search needs it sorted */
    unsigned named = 0;
    for (unsigned q = 1; q <= 65535; q++)
        named += scan_port_service(q, false) != NULL;
    CHECK(named > 150);
}

static void test_bucket(void)
{
    scan_bucket b;
    scan_bucket_init(&b, 100, 0); /* 100/s, burst 2 */
    CHECK(scan_bucket_take(&b, 0));
    CHECK(scan_bucket_take(&b, 0));
    CHECK(!scan_bucket_take(&b, 0));
    CHECK(scan_bucket_wait_us(&b, 0) > 9000 && scan_bucket_wait_us(&b, 0) <= 10001);
    CHECK(scan_bucket_take(&b, 10001));
    CHECK(!scan_bucket_take(&b, 10002));
    scan_bucket_init(&b, 0, 0);
    for (int i = 0; i < 1000; i++)
        CHECK(scan_bucket_take(&b, 0));
}

static bool conf_has_error(const conf_errors *e, const char *want)
{
    for (size_t i = 0; i < e->n; i++)
        if (strstr(e->v[i], want))
            return true;
    for (size_t i = 0; i < e->n; i++)
        fprintf(stderr, "    got: %s\n", e->v[i]);
    return false;
}

static void test_conf_section(void)
{
    conf *c = NULL;
    conf_errors e = {0};
    CHECK_INT(conf_load_buffer("t.yaml", "", 0, &c, &e), KW_OK);
    CHECK_INT(c->scan.allowed.n, 0); /* the built-in scope */
    CHECK_INT(c->scan.timeout_ms, 1000);
    CHECK_INT(c->scan.rate, 0);
    conf_free(c);
    c = NULL;
    const char *ok = "scan:\n  allowed: [10.20.0.0/16, \"::1\"]\n  exclude: [10.20.0.1, 10.20.9.0/24, 10.20.1.1-9]\n"
                     "  rate: 5000\n  host_rate: 100\n  timeout: 250ms\n";
    CHECK_INT(conf_load_buffer("t.yaml", ok, strlen(ok), &c, &e), KW_OK);
    CHECK_INT(e.n, 0);
    if (c) {
        CHECK_INT(c->scan.allowed.n, 2);
        CHECK_INT(c->scan.exclude.n, 3);
        CHECK_INT(c->scan.rate, 5000);
        CHECK_INT(c->scan.host_rate, 100);
        CHECK_INT(c->scan.timeout_ms, 250);
        scan_scope sc;
        CHECK_INT(scan_scope_init(&sc, c->scan.allowed.v, c->scan.allowed.n, err, sizeof err), KW_OK);
        CHECK_INT(sc.n, 2);
        scan_scope_free(&sc);
        conf_free(c);
    }
    c = NULL;
    const char *bad = "scan:\n  allowed: [10.0.0.0/33]\n  exclude: [db.example]\n  timeout: 5ms\n  rate: -1\n";
    CHECK(conf_load_buffer("t.yaml", bad, strlen(bad), &c, &e) != KW_OK);
    CHECK(conf_has_error(&e, "t.yaml:2:13: scan.allowed: \"10.0.0.0/33\" is not an address or prefix"));
    CHECK(conf_has_error(&e, "t.yaml:3:13: scan.exclude: \"db.example\": host names are not accepted here"));
    CHECK(conf_has_error(&e, "timeout: 5ms is out of range"));
    CHECK(conf_has_error(&e, "rate"));
    conf_errors_free(&e);
    if (c)
        conf_free(c);
}

int main(void)
{
    RUN(test_target_address_prefix);
    RUN(test_target_ranges);
    RUN(test_target_width_bound);
    RUN(test_target_names_and_garbage);
    RUN(test_target_uniq_exclude);
    RUN(test_scope);
    RUN(test_ports_parse);
    RUN(test_ports_tables);
    RUN(test_bucket);
    RUN(test_conf_section);
    TEST_MAIN_END();
}
