/* snmp: counter deltas (wraps, resets), reboot detection, interfaces that went down, the
 * profiles' rows into samples, device addresses, the snmp: configuration section, and traps
 * into ECS and into records logs.rules match. */
#include "conf/conf.h"
#include "alert/alert_expr.h"
#include "core/kw_buf.h"
#include "core/kw_mem.h"
#include "logs/logs.h"
#include "logs/logs_rule.h"
#include "snmp/snmp.h"
#include "kw_test.h"

#include <math.h>
#include <stdlib.h>

/* ---- helpers ---- */

/* The value of series name whose label key is val (NULL: any), or NAN when absent. */
static double sample(const metric_set *s, const char *name, const char *key, const char *val)
{
    for (size_t i = 0; i < s->n; i++) {
        const metric_sample *m = &s->v[i];
        if (strcmp(m->desc->name, name) != 0)
            continue;
        const char *v = key ? metric_label(m, key) : NULL;
        if (!key || (v && strcmp(v, val) == 0))
            return m->value;
    }
    return NAN;
}

static snmp_val num(const char *idx, double v)
{
    snmp_val x = {.num = v, .raw = (uint64_t)v};
    kw_strlcpy(x.index, idx, sizeof x.index);
    return x;
}

static snmp_val ctr(const char *idx, uint64_t v, int bits)
{
    snmp_val x = num(idx, (double)v);
    x.raw = v;
    x.bits = (uint8_t)bits;
    return x;
}

static snmp_val str(const char *idx, const char *s)
{
    snmp_val x = {.num = NAN};
    kw_strlcpy(x.index, idx, sizeof x.index);
    kw_strlcpy(x.str, s, sizeof x.str);
    return x;
}

/* The column of profile p whose MIB object is `object` (its place in the result array). */
static size_t col_of(const snmp_profile *p, const char *object)
{
    size_t at = 0;
    for (size_t t = 0; t < p->ntables; t++)
        for (size_t c = 0; c < p->tables[t].ncols; c++, at++)
            if (strcmp(p->tables[t].cols[c].object, object) == 0)
                return at;
    fprintf(stderr, "  no column %s in profile %s\n", object, p->name);
    abort();
}

static const snmp_column *column(const char *profile, const char *object)
{
    const snmp_profile *p = snmp_profile_find(profile);
    size_t at = col_of(p, object), k = 0;
    for (size_t t = 0; t < p->ntables; t++)
        for (size_t c = 0; c < p->tables[t].ncols; c++, k++)
            if (k == at)
                return &p->tables[t].cols[c];
    return NULL;
}

static void res_free(snmp_colres *res, size_t n)
{
    for (size_t i = 0; i < n; i++)
        snmp_colres_free(&res[i]);
    free(res);
}

/* A profile's empty rows and a device's state. */
typedef struct fixture {
    const snmp_profile *p;
    size_t n;
    snmp_colres *res;
    snmp_dev_state st;
} fixture;

static void fixture_init(fixture *f, const char *profile)
{
    f->p = snmp_profile_find(profile);
    f->n = snmp_profile_ncols(f->p);
    f->res = calloc(f->n, sizeof *f->res);
    snmp_dev_state_init(&f->st);
}

static void fixture_free(fixture *f)
{
    res_free(f->res, f->n);
    snmp_dev_state_free(&f->st);
}

/* ---- counters, uptime, interfaces ---- */

static void test_counter_delta(void)
{
    uint64_t d = 0;
    CHECK(snmp_counter_delta(100, 250, 32, &d));
    CHECK_INT(d, 150);
    /* a 32-bit counter that went round: 2^32 - 100 + 50 */
    CHECK(snmp_counter_delta(UINT32_MAX - 99, 50, 32, &d));
    CHECK_INT(d, 150);
    /* a 32-bit counter that fell from small to smaller: a reset, not a wrap of ~4 G */
    CHECK(!snmp_counter_delta(5000000, 10, 32, &d));
    /* a 64-bit counter never wraps: any decrease is a reset */
    CHECK(!snmp_counter_delta(UINT64_C(1) << 40, 7, 64, &d));
    CHECK(!snmp_counter_delta(UINT64_MAX, 0, 64, &d));
    CHECK(snmp_counter_delta(5, 5, 64, &d));
    CHECK_INT(d, 0);
}

static void test_uptime(void)
{
    /* went from 1000 s to 5 s: a reboot */
    CHECK(snmp_uptime_went_back(100000, 500, 60000));
    CHECK(!snmp_uptime_went_back(100000, 106000, 60000));
    /* TimeTicks wrap after 497 days: 60 s later the value is 6000 past 2^32 */
    uint64_t before = UINT32_MAX - 999;
    CHECK(!snmp_uptime_went_back(before, 5000, 60000));
    /* ...but a value far from where the wrap would land is a reboot */
    CHECK(snmp_uptime_went_back(before, 3000000, 60000));

    snmp_dev_state st;
    snmp_dev_state_init(&st);
    CHECK(!snmp_state_uptime(&st, 500000, 1000));
    CHECK(!snmp_state_uptime(&st, 506000, 61000));
    CHECK(snmp_state_uptime(&st, 300, 121000));
    CHECK(!snmp_state_uptime(&st, 6300, 181000));
    snmp_dev_state_free(&st);
}

static void test_rate(void)
{
    snmp_dev_state st;
    snmp_dev_state_init(&st);
    double r = -1;
    CHECK(!snmp_state_rate(&st, "k", 1000, 64, 10000, &r)); /* the first reading: no rate */
    CHECK(snmp_state_rate(&st, "k", 11000, 64, 20000, &r));
    CHECK_NEAR(r, 1000.0, 1e-9);
    CHECK(!snmp_state_rate(&st, "k", 10, 64, 30000, &r)); /* reset */
    CHECK(snmp_state_rate(&st, "k", 510, 64, 35000, &r)); /* counts from the reset on */
    CHECK_NEAR(r, 100.0, 1e-9);
    CHECK(!snmp_state_rate(&st, "k", 600, 64, 35000, &r)); /* no time passed */
    CHECK(!snmp_state_rate(&st, "other", 1, 32, 35000, &r));
    /* a poll that reports "k" but no longer "other": "other" is forgotten, "k" kept */
    snmp_state_sweep(&st);
    CHECK(snmp_state_rate(&st, "k", 700, 64, 36000, &r));
    snmp_state_sweep(&st);
    CHECK_INT(st.counters.n, 1);
    CHECK(!snmp_state_rate(&st, "other", 2, 32, 37000, &r)); /* a first reading again */
    snmp_dev_state_free(&st);
}

static void test_if_down(void)
{
    snmp_dev_state st;
    snmp_dev_state_init(&st);
    CHECK(!snmp_state_if_down(&st, "if/3", false, true)); /* never seen up: an unused port */
    CHECK(!snmp_state_if_down(&st, "if/3", true, true));
    CHECK(snmp_state_if_down(&st, "if/3", false, true));  /* went down while admin up */
    CHECK(snmp_state_if_down(&st, "if/3", false, true));  /* stays down */
    CHECK(!snmp_state_if_down(&st, "if/3", false, false)); /* the admin set it down */
    CHECK(!snmp_state_if_down(&st, "if/3", false, true));  /* and it has not been up since */
    CHECK(!snmp_state_if_down(&st, "if/4", false, true));
    /* an interface seen up, then gone from a poll, is forgotten */
    CHECK(!snmp_state_if_down(&st, "if/5", true, true));
    snmp_state_sweep(&st);
    CHECK(snmp_state_if_down(&st, "if/5", false, true));
    snmp_state_sweep(&st);
    snmp_state_sweep(&st);
    CHECK(!snmp_state_if_down(&st, "if/5", false, true));
    snmp_dev_state_free(&st);
}

static void test_addr_split(void)
{
    char h[64];
    bool v6;
    uint16_t port;
    CHECK(snmp_addr_split("192.0.2.1", h, sizeof h, &v6, &port));
    CHECK_STR(h, "192.0.2.1");
    CHECK_INT(port, 161);
    CHECK(!v6);
    CHECK(snmp_addr_split("sw1.example.net:1161", h, sizeof h, &v6, &port));
    CHECK_STR(h, "sw1.example.net");
    CHECK_INT(port, 1161);
    CHECK(snmp_addr_split("[2001:db8::1]:16100", h, sizeof h, &v6, &port));
    CHECK_STR(h, "2001:db8::1");
    CHECK_INT(port, 16100);
    CHECK(v6);
    CHECK(snmp_addr_split("::1", h, sizeof h, &v6, &port));
    CHECK_STR(h, "::1");
    CHECK_INT(port, 161);
    CHECK(!snmp_addr_split("", h, sizeof h, &v6, &port));
    CHECK(!snmp_addr_split("host:0", h, sizeof h, &v6, &port));
    CHECK(!snmp_addr_split("host:65536", h, sizeof h, &v6, &port));
    CHECK(!snmp_addr_split("host:", h, sizeof h, &v6, &port));
    CHECK(!snmp_addr_split("[::1]x", h, sizeof h, &v6, &port));
    CHECK(!snmp_addr_split("[zz::1]:161", h, sizeof h, &v6, &port));
    CHECK(!snmp_addr_split("a b", h, sizeof h, &v6, &port));
    CHECK(!snmp_addr_split("a;rm", h, sizeof h, &v6, &port));
}

/* ---- profiles ---- */

static void test_profiles_data(void)
{
    const char *names[] = {"system", "if", "host", "ucd", "huawei", "h3c", "cisco"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        CHECK(snmp_profile_find(names[i]) != NULL);
    CHECK(snmp_profile_find("juniper") == NULL);
    /* the OIDs of the MIBs (IF-MIB, HOST-RESOURCES-MIB, UCD-SNMP-MIB, the vendors') */
    CHECK_STR(column("if", "ifHCInOctets")->oid, "1.3.6.1.2.1.31.1.1.1.6");
    CHECK_STR(column("if", "ifHCOutOctets")->oid, "1.3.6.1.2.1.31.1.1.1.10");
    CHECK_STR(column("if", "ifOperStatus")->oid, "1.3.6.1.2.1.2.2.1.8");
    CHECK_STR(column("if", "ifInErrors")->oid, "1.3.6.1.2.1.2.2.1.14");
    CHECK_STR(column("host", "hrProcessorLoad")->oid, "1.3.6.1.2.1.25.3.3.1.2");
    CHECK_STR(column("ucd", "memAvailReal")->oid, "1.3.6.1.4.1.2021.4.6");
    CHECK_STR(column("huawei", "hwEntityCpuUsage")->oid, "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5");
    CHECK_STR(column("huawei", "hwEntityMemUsage")->oid, "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.7");
    CHECK_STR(column("h3c", "hh3cEntityExtCpuUsage")->oid, "1.3.6.1.4.1.25506.2.6.1.1.1.1.6");
    CHECK_STR(column("h3c", "hh3cEntityExtMemUsage")->oid, "1.3.6.1.4.1.25506.2.6.1.1.1.1.8");
    CHECK_STR(column("cisco", "cpmCPUTotal5minRev")->oid, "1.3.6.1.4.1.9.9.109.1.1.1.1.8");
    CHECK_STR(column("cisco", "ciscoMemoryPoolUsed")->oid, "1.3.6.1.4.1.9.9.48.1.1.1.5");
    CHECK_STR(column("cisco", "ciscoMemoryPoolFree")->oid, "1.3.6.1.4.1.9.9.48.1.1.1.6");
    /* every series a profile names is declared for /metrics */
    for (size_t i = 0; snmp_profiles[i]; i++)
        for (size_t t = 0; t < snmp_profiles[i]->ntables; t++)
            for (size_t c = 0; c < snmp_profiles[i]->tables[t].ncols; c++) {
                const metric_desc *m = snmp_profiles[i]->tables[t].cols[c].metric;
                bool found = !m;
                for (size_t k = 0; snmp_metrics[k] && !found; k++)
                    found = snmp_metrics[k] == m;
                CHECK(found);
            }
    char all[256];
    snmp_profile_names(all, sizeof all);
    CHECK_CONTAINS(all, "huawei");
}

/* Two interfaces of the if profile, polled at t (s), with the counters and statuses given. */
static void if_poll(snmp_colres *res, uint64_t in1, uint64_t in2, uint32_t err1, int oper2)
{
    const snmp_profile *p = snmp_profile_find("if");
    for (size_t i = 0; i < snmp_profile_ncols(p); i++)
        res[i].n = 0;
    snmp_val v;
    snmp_colres_add(&res[col_of(p, "ifName")], (v = str("1", "lo"), &v));
    snmp_colres_add(&res[col_of(p, "ifName")], (v = str("2", "eth0"), &v));
    snmp_colres_add(&res[col_of(p, "ifAlias")], (v = str("2", "uplink"), &v));
    snmp_colres_add(&res[col_of(p, "ifAdminStatus")], (v = num("1", 1), &v));
    snmp_colres_add(&res[col_of(p, "ifAdminStatus")], (v = num("2", 1), &v));
    snmp_colres_add(&res[col_of(p, "ifOperStatus")], (v = num("1", 1), &v));
    snmp_colres_add(&res[col_of(p, "ifOperStatus")], (v = num("2", oper2), &v));
    snmp_colres_add(&res[col_of(p, "ifHCInOctets")], (v = ctr("1", in1, 64), &v));
    snmp_colres_add(&res[col_of(p, "ifHCInOctets")], (v = ctr("2", in2, 64), &v));
    snmp_colres_add(&res[col_of(p, "ifInErrors")], (v = ctr("1", err1, 32), &v));
    /* a device that answers a Counter64 column with an INTEGER: no series from it */
    snmp_colres_add(&res[col_of(p, "ifHCOutOctets")], (v = num("1", 5), &v));
}

static void test_if_profile(void)
{
    fixture f;
    fixture_init(&f, "if");
    const snmp_profile *p = f.p;
    snmp_colres *res = f.res;

    if_poll(res, 1000, 5000, UINT32_MAX - 9, 1);
    metric_set *s = metric_set_new(0);
    snmp_profile_samples(p, res, "sw1", &f.st, 10000, s);
    CHECK_NEAR(sample(s, "snmp_if_in_octets_total", "ifname", "eth0"), 5000, 0);
    CHECK_NEAR(sample(s, "snmp_if_oper_up", "ifname", "lo"), 1, 0);
    CHECK_NEAR(sample(s, "snmp_if_down", "ifname", "eth0"), 0, 0);
    CHECK(isnan(sample(s, "snmp_if_in_octets_per_second", NULL, NULL))); /* first poll: no rate */
    CHECK(isnan(sample(s, "snmp_if_out_octets_total", NULL, NULL)));
    /* labels: the device, the ifName, the ifAlias where there is one */
    for (size_t i = 0; i < s->n; i++)
        CHECK_STR(metric_label(&s->v[i], "device"), "sw1");
    CHECK(sample(s, "snmp_if_admin_up", "ifalias", "uplink") == 1);
    metric_set_free(s);

    /* 10 s later: eth0 took 20 kB, lo's 32-bit error counter wrapped by 20; eth0 went down */
    if_poll(res, 1000, 25000, 10, 2);
    s = metric_set_new(0);
    snmp_profile_samples(p, res, "sw1", &f.st, 20000, s);
    CHECK_NEAR(sample(s, "snmp_if_in_octets_per_second", "ifname", "eth0"), 2000, 1e-9);
    CHECK_NEAR(sample(s, "snmp_if_in_octets_per_second", "ifname", "lo"), 0, 1e-9);
    CHECK_NEAR(sample(s, "snmp_if_in_errors_per_second", "ifname", "lo"), 2, 1e-9);
    CHECK_NEAR(sample(s, "snmp_if_oper_up", "ifname", "eth0"), 0, 0);
    CHECK_NEAR(sample(s, "snmp_if_down", "ifname", "eth0"), 1, 0);
    CHECK_NEAR(sample(s, "snmp_if_down", "ifname", "lo"), 0, 0);
    metric_set_free(s);

    fixture_free(&f);
}

/* The ifName missing: the row is named by its ifIndex. */
static void test_if_without_name(void)
{
    fixture f;
    fixture_init(&f, "if");
    const snmp_profile *p = f.p;
    snmp_colres *res = f.res;
    snmp_val v = num("7", 1);
    snmp_colres_add(&res[col_of(p, "ifOperStatus")], &v);
    metric_set *s = metric_set_new(0);
    snmp_profile_samples(p, res, "sw1", &f.st, 0, s);
    CHECK_NEAR(sample(s, "snmp_if_oper_up", "ifname", "7"), 1, 0);
    CHECK(isnan(sample(s, "snmp_if_down", NULL, NULL))); /* no ifAdminStatus: no judgement */
    metric_set_free(s);
    fixture_free(&f);
}

static void test_reboot_and_unreachable(void)
{
    fixture f;
    fixture_init(&f, "system");
    const snmp_profile *p = f.p;
    snmp_colres *res = f.res;
    snmp_val v = num("0", 8640000); /* a day */
    v.is_ticks = true;
    snmp_colres_add(&res[col_of(p, "sysUpTime")], &v);
    snmp_val d = str("0", "Linux sw1 6.1");
    snmp_colres_add(&res[col_of(p, "sysDescr")], &d);
    metric_set *s = metric_set_new(0);
    snmp_profile_samples(p, res, "sw1", &f.st, 1000, s);
    snmp_device_samples(&f.st, "sw1", true, 0.01, 1000, s);
    CHECK_NEAR(sample(s, "snmp_device_uptime_seconds", "device", "sw1"), 86400, 1e-6);
    CHECK_NEAR(sample(s, "snmp_device_info", "descr", "Linux sw1 6.1"), 1, 0);
    CHECK(metric_label(&s->v[0], "descr") == NULL); /* the uptime carries the device only */
    CHECK_NEAR(sample(s, "snmp_device_rebooted", NULL, NULL), 0, 0);
    CHECK_NEAR(sample(s, "snmp_device_up", NULL, NULL), 1, 0);
    metric_set_free(s);

    /* three polls unanswered */
    for (int i = 1; i <= 3; i++) {
        s = metric_set_new(0);
        snmp_device_samples(&f.st, "sw1", false, 0, 1000 + i * 60000, s);
        CHECK_NEAR(sample(s, "snmp_device_failed_polls", NULL, NULL), i, 0);
        CHECK_NEAR(sample(s, "snmp_device_up", NULL, NULL), 0, 0);
        metric_set_free(s);
    }
    /* back, with an uptime of 30 s: it rebooted */
    res[0].v[0] = num("0", 3000);
    res[0].v[0].is_ticks = true;
    s = metric_set_new(0);
    snmp_profile_samples(p, res, "sw1", &f.st, 241000, s);
    snmp_device_samples(&f.st, "sw1", true, 0.01, 241000, s);
    CHECK_NEAR(sample(s, "snmp_device_rebooted", NULL, NULL), 1, 0);
    CHECK_NEAR(sample(s, "snmp_device_failed_polls", NULL, NULL), 0, 0);
    metric_set_free(s);
    /* and the flag goes after SNMP_REBOOT_HOLD_MS */
    s = metric_set_new(0);
    snmp_device_samples(&f.st, "sw1", true, 0.01, 241000 + SNMP_REBOOT_HOLD_MS, s);
    CHECK_NEAR(sample(s, "snmp_device_rebooted", NULL, NULL), 0, 0);
    metric_set_free(s);
    fixture_free(&f);
}

static void test_host_ucd_vendor(void)
{
    snmp_dev_state st;
    snmp_dev_state_init(&st);
    const snmp_profile *h = snmp_profile_find("host");
    snmp_colres *res = calloc(snmp_profile_ncols(h), sizeof *res);
    snmp_val v;
    snmp_colres_add(&res[col_of(h, "hrProcessorLoad")], (v = num("196608", 37), &v));
    snmp_colres_add(&res[col_of(h, "hrStorageDescr")], (v = str("31", "/"), &v));
    snmp_colres_add(&res[col_of(h, "hrStorageAllocationUnits")], (v = num("31", 4096), &v));
    snmp_colres_add(&res[col_of(h, "hrStorageSize")], (v = num("31", 1000), &v));
    snmp_colres_add(&res[col_of(h, "hrStorageUsed")], (v = num("31", 250), &v));
    metric_set *s = metric_set_new(0);
    snmp_profile_samples(h, res, "srv", &st, 0, s);
    CHECK_NEAR(sample(s, "snmp_cpu_load_ratio", "cpu", "196608"), 0.37, 1e-9);
    CHECK_NEAR(sample(s, "snmp_storage_size_bytes", "storage", "/"), 4096000, 0);
    CHECK_NEAR(sample(s, "snmp_storage_used_bytes", "storage", "/"), 1024000, 0);
    metric_set_free(s);
    res_free(res, snmp_profile_ncols(h));

    const snmp_profile *u = snmp_profile_find("ucd");
    res = calloc(snmp_profile_ncols(u), sizeof *res);
    snmp_colres_add(&res[col_of(u, "laNames")], (v = str("2", "Load-5"), &v));
    snmp_colres_add(&res[col_of(u, "laLoad")], (v = str("2", "0.42"), &v));
    snmp_colres_add(&res[col_of(u, "laLoad")], (v = str("3", "busy"), &v)); /* not a number: skipped */
    snmp_colres_add(&res[col_of(u, "memTotalReal")], (v = num("0", 2048), &v));
    s = metric_set_new(0);
    snmp_profile_samples(u, res, "srv", &st, 0, s);
    CHECK_NEAR(sample(s, "snmp_load_average", "period", "Load-5"), 0.42, 1e-9);
    CHECK(isnan(sample(s, "snmp_load_average", "period", "3")));
    CHECK_NEAR(sample(s, "snmp_memory_total_bytes", "device", "srv"), 2048 * 1024, 0);
    metric_set_free(s);
    res_free(res, snmp_profile_ncols(u));

    /* Huawei: entPhysicalName names far more entities than have a CPU */
    const snmp_profile *hw = snmp_profile_find("huawei");
    res = calloc(snmp_profile_ncols(hw), sizeof *res);
    snmp_colres_add(&res[col_of(hw, "entPhysicalName")], (v = str("1", "chassis"), &v));
    snmp_colres_add(&res[col_of(hw, "entPhysicalName")], (v = str("16842753", "MPU Board 1"), &v));
    snmp_colres_add(&res[col_of(hw, "hwEntityCpuUsage")], (v = num("16842753", 12), &v));
    snmp_colres_add(&res[col_of(hw, "hwEntityMemUsage")], (v = num("16842753", 55), &v));
    s = metric_set_new(0);
    snmp_profile_samples(hw, res, "core1", &st, 0, s);
    CHECK_NEAR(sample(s, "snmp_cpu_usage_ratio", "entity", "MPU Board 1"), 0.12, 1e-9);
    CHECK_NEAR(sample(s, "snmp_memory_usage_ratio", "entity", "MPU Board 1"), 0.55, 1e-9);
    CHECK_INT(s->n, 2);
    metric_set_free(s);
    res_free(res, snmp_profile_ncols(hw));
    snmp_dev_state_free(&st);
}

static void test_rows_bounded(void)
{
    snmp_colres c = {0};
    snmp_val v = num("1", 1);
    size_t added = 0;
    for (size_t i = 0; i < SNMP_ROWS_MAX + 10; i++)
        added += snmp_colres_add(&c, &v);
    CHECK_INT(added, SNMP_ROWS_MAX);
    CHECK_INT(c.n, SNMP_ROWS_MAX);
    snmp_colres_free(&c);
}

/* ---- configuration ---- */

static conf *load(const char *yaml, conf_errors *e)
{
    conf *c = NULL;
    conf_load_buffer("t.yaml", yaml, strlen(yaml), &c, e);
    return c;
}

static bool has_error(const conf_errors *e, const char *want)
{
    for (size_t i = 0; i < e->n; i++)
        if (strstr(e->v[i], want))
            return true;
    for (size_t i = 0; i < e->n; i++)
        fprintf(stderr, "    got: %s\n", e->v[i]);
    return false;
}

static void test_conf_ok(void)
{
    conf_errors e = {0};
    conf *c = load("snmp:\n"
                   "  traps: {listen: \"127.0.0.1:1162\", community: trapsecret}\n"
                   "  devices:\n"
                   "    - {name: sw1, address: \"192.0.2.1\", community: s3cret, interval: 30s, labels: {site: bj}}\n"
                   "    - name: fw1\n"
                   "      address: \"[2001:db8::2]:1161\"\n"
                   "      version: v3\n"
                   "      user: kw\n"
                   "      auth_protocol: SHA-256\n"
                   "      auth_pass: authsecret1\n"
                   "      priv_pass: privsecret1\n"
                   "      profiles: [system, if, huawei]\n",
                   &e);
    CHECK(c != NULL);
    if (!c) {
        has_error(&e, "-");
        conf_errors_free(&e);
        return;
    }
    CHECK_INT(c->snmp.devices.n, 2);
    conf_snmp_device *d = CONF_AT(c->snmp.devices, conf_snmp_device, 0);
    CHECK_INT(d->version, SNMP_CONF_V2C);
    CHECK_INT(d->interval_ms, 30000);
    CHECK_INT(d->profiles.n, 2); /* the default: system and if */
    CHECK_STR(d->profiles.v[1], "if");
    d = CONF_AT(c->snmp.devices, conf_snmp_device, 1);
    CHECK_INT(d->version, SNMP_CONF_V3);
    CHECK_INT(d->security_level, SNMP_CONF_AUTHPRIV);
    CHECK_INT(d->auth_protocol, SNMP_CONF_SHA256);
    CHECK_INT(d->profiles.n, 3);
    CHECK_STR(c->snmp.traps.listen, "127.0.0.1:1162");
    /* config show masks every secret */
    char *shown = conf_show(c);
    CHECK(!strstr(shown, "s3cret"));
    CHECK(!strstr(shown, "authsecret1"));
    CHECK(!strstr(shown, "privsecret1"));
    CHECK(!strstr(shown, "trapsecret"));
    CHECK_CONTAINS(shown, "auth_protocol: SHA-256");
    free(shown);
    /* the built-in rules */
    bool down = false, unreach = false, reboot = false;
    for (size_t i = 0; i < c->rules.n; i++) {
        const conf_rule *r = CONF_AT(c->rules, conf_rule, i);
        down |= strcmp(r->name, "interface_down") == 0 && strcmp(r->parsed->metric, "snmp_if_down") == 0;
        unreach |= strcmp(r->name, "device_unreachable") == 0 && strcmp(r->parsed->metric, "snmp_device_failed_polls") == 0;
        reboot |= strcmp(r->name, "device_rebooted") == 0;
    }
    CHECK(down && unreach && reboot);
    conf_free(c);
    conf_errors_free(&e);
}

static void test_conf_errors(void)
{
    conf_errors e = {0};
    conf *c = load("snmp:\n"
                   "  traps: {listen: \"nowhere\"}\n"
                   "  devices:\n"
                   "    - {name: a, address: \"192.0.2.1\"}\n"
                   "    - {name: b, address: \"host:99999\", community: x}\n"
                   "    - {name: c, address: \"192.0.2.3\", version: v3, user: u, auth_pass: short, priv_pass: longenough}\n"
                   "    - {name: d, address: \"192.0.2.4\", community: x, profiles: [juniper]}\n"
                   "    - {name: e, address: \"192.0.2.5\", community: x, interval: 2s, timeout: 2s}\n"
                   "    - {name: f, address: \"192.0.2.6\", version: v4, community: x}\n",
                   &e);
    CHECK(c == NULL);
    CHECK(has_error(&e, "snmp device \"a\": v2c needs a community"));
    CHECK(has_error(&e, "t.yaml:5:"));
    CHECK(has_error(&e, "address: \"host:99999\" is not host, host:port or [IPv6]:port"));
    CHECK(has_error(&e, "authPriv needs an auth_pass of 8 characters or more"));
    CHECK(has_error(&e, "profiles: no profile \"juniper\""));
    CHECK(has_error(&e, "timeout x (retries + 1) must fit in the interval"));
    CHECK(has_error(&e, "snmp.traps.listen: \"nowhere\" is not address:port"));
    CHECK(has_error(&e, "v4"));
    conf_free(c);
    conf_errors_free(&e);
}

/* ---- traps ---- */

static void trap_fill(snmp_trap *t)
{
    memset(t, 0, sizeof *t);
    t->ts_ms = 1700000000000;
    strcpy(t->sender, "192.0.2.9");
    t->port = 40000;
    strcpy(t->trap_oid, "1.3.6.1.6.3.1.1.5.3");
    strcpy(t->device, "sw1");
    t->uptime_ticks = 12345;
    t->nvb = 2;
    strcpy(t->vb[0].oid, "1.3.6.1.2.1.2.2.1.1.7");
    strcpy(t->vb[0].value, "7");
    strcpy(t->vb[1].oid, "1.3.6.1.2.1.2.2.1.2.7");
    strcpy(t->vb[1].value, "eth\"7");
}

static void test_trap_ecs(void)
{
    snmp_trap t;
    trap_fill(&t);
    char *lk[] = {"site"}, *lv[] = {"bj"};
    conf_labels labels = {lk, lv, 1};
    t.labels = &labels;
    kw_buf b;
    kw_buf_init(&b, 0);
    snmp_trap_ecs(&t, &b);
    const char *j = kw_buf_cstr(&b);
    CHECK_CONTAINS(j, "\"dataset\":\"snmp.trap\"");
    CHECK_CONTAINS(j, "\"action\":\"linkDown\"");
    CHECK_CONTAINS(j, "\"observer\":{\"ip\":\"192.0.2.9\",\"name\":\"sw1\"}");
    CHECK_CONTAINS(j, "\"oid\":\"1.3.6.1.6.3.1.1.5.3\"");
    CHECK_CONTAINS(j, "\"1_3_6_1_2_1_2_2_1_2_7\":\"eth\\\"7\"");
    CHECK_CONTAINS(j, "\"uptime\":123");
    CHECK_CONTAINS(j, "\"labels\":{\"site\":\"bj\",\"1_3_6");
    kw_buf_free(&b);

    char out[16];
    const uint8_t bin[] = {0x00, 0x1b, 0xff, 0x10, 0x20, 0x30};
    snmp_trap_value_str(bin, sizeof bin, out, sizeof out);
    CHECK_STR(out, "00:1b:ff:10:20"); /* cut to what fits, whole bytes only */
    snmp_trap_value_str((const uint8_t *)"up", 2, out, sizeof out);
    CHECK_STR(out, "up");
    CHECK_STR(snmp_trap_name("1.3.6.1.6.3.1.1.5.1"), "coldStart");
    CHECK(snmp_trap_name("1.3.6.1.4.1.9") == NULL);
}

static int matched;
static void on_det(void *arg, const log_detection *d)
{
    if (d->phase == LOG_DET_FIRE)
        matched++;
}

/* A logs rule on the trap's fields fires on it (and not on another trap). */
static void test_trap_rule(void)
{
    conf_errors e = {0};
    conf *c = load("logs:\n"
                   "  rules:\n"
                   "    - name: uplink_down\n"
                   "      match: {event.dataset: snmp.trap, event.action: linkDown, snmp.1.3.6.1.2.1.2.2.1.1.7: \"7\"}\n"
                   "      severity: high\n"
                   "      summary: \"link down on {observer.name}\"\n",
                   &e);
    CHECK(c != NULL);
    if (!c) {
        has_error(&e, "-");
        conf_errors_free(&e);
        return;
    }
    char err[256];
    log_ruleset *rs = log_ruleset_from_conf(c, err, sizeof err);
    CHECK(rs != NULL);
    log_engine *eng = log_engine_new(rs, on_det, NULL);
    log_rec r;
    log_rec_init(&r);
    snmp_trap t;
    trap_fill(&t);
    matched = 0;
    snmp_trap_rec(&t, &r);
    CHECK(log_eq(&r, LF_SOURCE_IP, "192.0.2.9"));
    CHECK(log_eq(&r, LF_OBSERVER_NAME, "sw1"));
    CHECK(log_engine_line_at(eng, &r, t.ts_ms) >= 1);
    CHECK_INT(matched, 1);
    strcpy(t.trap_oid, "1.3.6.1.6.3.1.1.5.4"); /* linkUp */
    snmp_trap_rec(&t, &r);
    int before = matched;
    log_engine_line_at(eng, &r, t.ts_ms + 1000);
    CHECK_INT(matched, before);
    log_rec_free(&r);
    log_engine_free(eng);
    log_ruleset_free(rs);
    conf_free(c);
    conf_errors_free(&e);
}

int main(void)
{
    RUN(test_counter_delta);
    RUN(test_uptime);
    RUN(test_rate);
    RUN(test_if_down);
    RUN(test_addr_split);
    RUN(test_profiles_data);
    RUN(test_if_profile);
    RUN(test_if_without_name);
    RUN(test_reboot_and_unreachable);
    RUN(test_host_ucd_vendor);
    RUN(test_rows_bounded);
    RUN(test_conf_ok);
    RUN(test_conf_errors);
    RUN(test_trap_ecs);
    RUN(test_trap_rule);
    TEST_MAIN_END();
}
