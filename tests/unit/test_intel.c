/* Unit tests for src/intel: the three formats (with hostile input), the compiled lookups,
 * and reloading generations while readers hold the old one. Sample files are in
 * tests/data/intel (each names the published format it follows). */
#include "kw_test.h"

#include "conf/conf.h"
#include "intel/intel.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NOW_MS 1796083200000LL /* 2026-12-01T00:00:00Z */

static intel_report parse(const char *text, int fmt, intel_entries *e)
{
    intel_report rep;
    memset(&rep, 0, sizeof rep);
    intel_parse(text, strlen(text), fmt, NOW_MS, e, &rep);
    return rep;
}

static intel_report load(const char *file, int fmt, intel_entries *e)
{
    char path[512];
    intel_report rep;
    memset(&rep, 0, sizeof rep);
    snprintf(path, sizeof path, "%s/intel/%s", KW_TEST_DATA, file);
    kw_rc rc = intel_load_file(path, fmt, NOW_MS, e, &rep);
    CHECK_INT(rc, KW_OK);
    return rep;
}

/* A set of one list holding e. */
static intel_set *one(const intel_entries *e)
{
    intel_list l = {"l", 2, e};
    intel_set *s = NULL;
    CHECK_INT(intel_set_build(&l, 1, &s), KW_OK);
    return s;
}

static uint64_t ip(const intel_set *s, const char *text)
{
    uint8_t a[16];
    if (inet_pton(AF_INET, text, a) == 1)
        return intel_set_lookup_ip(s, a, false);
    if (inet_pton(AF_INET6, text, a) == 1)
        return intel_set_lookup_ip(s, a, true);
    fprintf(stderr, "  bad test address %s\n", text);
    return ~0ull;
}

static uint64_t dom(const intel_set *s, const char *name) { return intel_set_lookup_domain(s, name, strlen(name)); }

/* Lookups as data: each value (an address, else a domain) and the mask expected. */
typedef struct probe { const char *q; long long want; } probe;
#define PROBES(s, ...) check_probes(s, (const probe[]){__VA_ARGS__, {NULL, 0}}, __LINE__)

static void check_probes(const intel_set *s, const probe *p, int line)
{
    for (; p->q; p++) {
        uint8_t a[16];
        bool is_ip = inet_pton(AF_INET, p->q, a) == 1 || inet_pton(AF_INET6, p->q, a) == 1;
        long long got = (long long)(is_ip ? ip(s, p->q) : dom(s, p->q));
        if (got != p->want) {
            fprintf(stderr, "  %s:%d: lookup of %s == %lld, expected %lld\n", __FILE__, line, p->q, got, p->want);
            kwt_failed_checks++;
        }
    }
}

static bool skipped_with(const intel_report *r, size_t line, const char *reason)
{
    for (size_t i = 0; i < r->n_skips; i++)
        if (r->skips[i].line == line && strstr(r->skips[i].reason, reason))
            return true;
    return false;
}

static void test_plain_drop(void)
{
    intel_entries e = {0};
    intel_report r = load("drop.txt", INTEL_FMT_AUTO, &e);
    CHECK_INT(r.format, INTEL_FMT_PLAIN);
    CHECK_INT(r.cidr4, 2);
    CHECK_INT(r.v4, 1);
    CHECK_INT(r.skipped, 0);
    intel_set *s = one(&e);
    PROBES(s,
           {"192.0.2.1", 1},
           {"192.0.2.255", 1},
           {"192.0.3.0", 0},
           {"198.51.100.127", 1},
           {"198.51.100.128", 0}, /* a /25 */
           {"203.0.113.7", 1},
           {"203.0.113.8", 0},
           {"::ffff:192.0.2.9", 1}); /* IPv4-mapped is looked up as IPv4 */
    intel_release(s);
    intel_entries_free(&e);
}

static void test_plain_netset_hosts(void)
{
    intel_entries e = {0};
    intel_report r = load("firehol.netset", INTEL_FMT_AUTO, &e);
    CHECK_INT(r.cidr4, 1);
    CHECK_INT(r.v4, 1);
    CHECK_INT(r.cidr6, 1);
    CHECK_INT(r.v6, 1);
    r = load("hosts.txt", INTEL_FMT_AUTO, &e);
    CHECK_INT(r.domains, 4);
    CHECK_INT(r.skipped, 0);
    intel_set *s = one(&e);
    PROBES(s,
           {"198.19.255.255", 1},
           {"198.20.0.0", 0},
           {"2001:db8:bad:1::5", 1},
           {"2001:db8:bae::1", 0},
           {"2001:db8::dead:beef", 1},
           {"2001:db8::dead:bee0", 0},
           {"0.0.0.0", 0}, /* the sink address of a hosts file is not an indicator */
           {"127.0.0.1", 0},
           {"ads.bad-tracker.example", 1},
           {"login.phish.example.net", 1},
           {"localhost", 0});
    intel_release(s);
    intel_entries_free(&e);
}

static void test_plain_hostile(void)
{
    char *big = malloc(10000);
    memset(big, 'a', 9999);
    big[9999] = '\0';
    memcpy(big, "\xef\xbb\xbf" "10.0.0.1\r\n", 13);
    memcpy(big + 13, "bad.example.org ; trailing\n", 27);
    intel_entries e = {0};
    intel_report r = parse(big, INTEL_FMT_PLAIN, &e); /* line 3: 9959 bytes */
    CHECK_INT(r.v4, 1);
    CHECK_INT(r.domains, 1);
    CHECK_INT(r.skipped, 1);
    CHECK(skipped_with(&r, 3, "longer than"));
    free(big);
    intel_entries_free(&e);

    r = parse("1.2.3.4/33\n1.2.3.4/0\nfe80::1%eth0\n999.1.1.1\n1.2.3.4-1.2.3.9\n"
              "2001:db8::/129\n1.2.3\n# ok\n\n   \n::ffff:10.0.0.0/104\n1.2.3.4/024\nexample\n"
              "-bad-.ex@mple\n[2001:db8::1]:443\n10.9.8.7:8080\n*.wild.example\n"
              "fang[.]evil[.]example\nhxxps://dl(.)fang2[.]example/x\n198.51.100[.]66,a note\n",
              INTEL_FMT_AUTO, &e);
    CHECK(skipped_with(&r, 1, "prefix length"));
    CHECK(skipped_with(&r, 2, "/0"));
    CHECK(skipped_with(&r, 3, "zone id"));
    CHECK(skipped_with(&r, 4, "IPv4"));
    CHECK(skipped_with(&r, 5, ""));
    CHECK(skipped_with(&r, 6, "prefix length"));
    CHECK(skipped_with(&r, 7, "IPv4"));
    CHECK_INT(r.skipped, 10);          /* the 7 above, /024, a single-label name, a bad character */
    CHECK_INT(r.n_skips, INTEL_MAX_SKIPS);
    CHECK_INT(r.cidr4, 1);             /* ::ffff:10.0.0.0/104 is 10.0.0.0/8 */
    static const char nul[] = "192.0.2.1\0junk\n";
    intel_report rn;
    memset(&rn, 0, sizeof rn);
    intel_entries en = {0};
    intel_parse(nul, sizeof nul - 1, INTEL_FMT_PLAIN, NOW_MS, &en, &rn);
    CHECK(skipped_with(&rn, 1, "NUL"));
    CHECK_INT(en.n_v4, 0);
    intel_entries_free(&en);
    CHECK_INT(r.v6, 1);
    CHECK_INT(r.v4, 2);
    CHECK_INT(r.domains, 3);
    intel_set *s = one(&e);
    PROBES(s,
           {"10.200.1.1", 1},
           {"2001:db8::1", 1},
           {"10.9.8.7", 1},
           {"x.wild.example", 1},
           {"fang.evil.example", 1}, /* defanged indicators are undone */
           {"dl.fang2.example", 1},
           {"198.51.100.66", 1});
    intel_release(s);
    intel_entries_free(&e);
}

static void test_csv_abusech(void)
{
    intel_entries e = {0};
    intel_report r = load("feodo.csv", INTEL_FMT_AUTO, &e);
    CHECK_INT(r.format, INTEL_FMT_CSV);
    CHECK_INT(r.v4, 2);
    CHECK_INT(r.skipped, 0);
    r = load("urlhaus.csv", INTEL_FMT_AUTO, &e);
    CHECK_INT(r.v4, 1);
    CHECK_INT(r.domains, 1);
    CHECK_INT(r.skipped, 0);
    r = load("threatfox.csv", INTEL_FMT_AUTO, &e);
    CHECK_INT(r.v4, 1);
    CHECK_INT(r.domains, 2);
    CHECK_INT(r.ignored, 1); /* the md5_hash row */
    CHECK_INT(r.skipped, 0);
    intel_set *s = one(&e);
    PROBES(s,
           {"192.0.2.77", 1},
           {"198.51.100.200", 1},
           {"203.0.113.50", 1},
           {"192.0.2.99", 1},
           {"dl.badfiles.example", 1},
           {"C2.Evil.Example.", 1},
           {"stage.evil.example", 1},
           {"evil.example", 0}); /* only the listed names and their subdomains */
    intel_release(s);
    intel_entries_free(&e);
}

static void test_csv_quoting(void)
{
    intel_entries e = {0};
    intel_report r = parse("Note,IP_Address,Type\n"
                           "\"a, \"\"quoted\"\" note\",192.0.2.1,ip\n"
                           "\"multi\nline\",192.0.2.2,ip\n"
                           "x,evil.example,domain\n"
                           "x,not an ip,ip\n"
                           "# a comment row\n"
                           "only-one-field\n"
                           "x,\"192.0.2.3\n",
                           INTEL_FMT_AUTO, &e);
    CHECK_INT(r.format, INTEL_FMT_CSV);
    CHECK_INT(r.v4, 2);
    CHECK_INT(r.domains, 1);
    CHECK(skipped_with(&r, 6, "IP"));
    CHECK(skipped_with(&r, 8, "no indicator column"));
    CHECK(skipped_with(&r, 9, "unterminated"));
    CHECK_INT(r.skipped, 3);
    intel_entries_free(&e);

    /* a header naming no indicator column: the first column is taken */
    r = parse("192.0.2.9,foo\n198.51.100.9,bar\n", INTEL_FMT_CSV, &e);
    CHECK_INT(r.v4, 2);
    intel_entries_free(&e);

    /* more than 64 fields (the rest are dropped), then an overlong field */
    char *row = malloc(20000);
    strcpy(row, "ip\n192.0.2.11,");
    for (int i = 0; i < 100; i++)
        strcat(row, "1,");
    strcat(row, "\n\"");
    size_t n = strlen(row);
    memset(row + n, 'x', 8000);
    strcpy(row + n + 8000, "\"\n192.0.2.10\n");
    r = parse(row, INTEL_FMT_CSV, &e);
    CHECK_INT(r.skipped, 1);
    CHECK(skipped_with(&r, 3, "longer than"));
    CHECK_INT(r.v4, 2);
    free(row);
    intel_entries_free(&e);
}

static void test_stix_bundle(void)
{
    intel_entries e = {0};
    intel_report r = load("bundle.json", INTEL_FMT_AUTO, &e);
    CHECK_INT(r.format, INTEL_FMT_STIX);
    CHECK_INT(r.v4, 2);       /* indicator--1, the ipv4-addr SCO */
    CHECK_INT(r.cidr4, 1);
    CHECK_INT(r.v6, 1);
    CHECK_INT(r.domains, 3);  /* evil.example, dl.bad.example, the domain-name SCO */
    CHECK_INT(r.revoked, 1);
    CHECK_INT(r.expired, 1);
    CHECK_INT(r.ignored, 2);  /* the snort pattern, the file hash */
    CHECK_INT(r.skipped, 1);  /* AND */
    CHECK(skipped_with(&r, 8, "AND"));
    intel_set *s = one(&e);
    PROBES(s,
           {"198.51.100.7", 1},
           {"203.0.113.99", 1},
           {"2001:db8:c2::1", 1},
           {"192.0.2.200", 0}, /* revoked */
           {"192.0.2.201", 0}, /* expired */
           {"192.0.2.5", 0}, /* AND: not taken at all */
           {"192.0.2.44", 1},
           {"a.b.evil.example", 1},
           {"notevil.example", 0},
           {"evil.example.com", 0},
           {"sco.bad.example", 1});
    intel_release(s);
    intel_entries_free(&e);
}

static void test_stix_hostile(void)
{
    intel_entries e = {0};
    intel_report r = parse("{\"type\":\"indicator\",\"pattern\":\"[domain-name:value = 'x.example']\"}", INTEL_FMT_AUTO, &e);
    CHECK_INT(r.domains, 1); /* a single object; pattern_type absent means stix */
    r = parse("[{\"type\":\"ipv6-addr\",\"value\":\"2001:db8::77\"}, 5, {\"type\":\"url\",\"value\":\"https://[2001:db8::88]:8443/x\"}]",
              INTEL_FMT_AUTO, &e);
    CHECK_INT(r.v6, 2);
    CHECK(skipped_with(&r, 2, "no type"));
    static const struct {
        const char *pattern;
        const char *reason;
    } bad[] = {
        {"[domain-name:value = 'it\\\\'s.example']", "not an IP"},        /* it's.example: not a name */
        {"[url:value = 'http://a.example/\\\\x']", "escape"},
        {"[ipv4-addr:value = '1.2.3.4'", "']'"},
        {"[ipv4-addr:value = '1.2.3.4]", "unterminated"},
        {"[ipv4-addr:value = '1.2.3.4'] AND [ipv4-addr:value = '5.6.7.8']", "AND"},
        {"[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [ipv4-addr:value = '5.6.7.8']", "FOLLOWEDBY"},
        {"[ipv4-addr:value = '1.2.3.4'] WITHIN 5 SECONDS", "qualifiers"},
        {"[ipv4-addr:value != '1.2.3.4']", "other than"},
        {"[domain-name:value LIKE '%.example']", "other than"},
        {"[ipv4-addr:value = '1.2.3.4/33']", "prefix length"},
        {"[ipv6-addr:value = 'fe80::1%eth0']", "zone id"},
        {"((((((((((((((((((([ipv4-addr:value = '1.2.3.4'])))))))))))))))))))", "deeply"},
        {"[ipv4-addr:value = '1.2.3.4'] junk", "unexpected text"},
        {"ipv4-addr:value = '1.2.3.4'", "'['"},
        {"[ = '1.2.3.4']", "object path"},
        {"[ipv4-addr:value[*", "unterminated ["},
        {"[file:name[0] = 'a'] OR [ipv4-addr:value ", "operator"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char doc[512];
        snprintf(doc, sizeof doc, "{\"type\":\"indicator\",\"pattern_type\":\"stix\",\"pattern\":\"%s\"}", bad[i].pattern);
        intel_entries one_e = {0};
        intel_report rr = parse(doc, INTEL_FMT_STIX, &one_e);
        if (rr.skipped != 1 || !skipped_with(&rr, 1, bad[i].reason) || one_e.n_v4 + one_e.n_v6 + one_e.n_domains)
            fprintf(stderr, "  pattern %s: skipped %llu, reason \"%s\"\n", bad[i].pattern,
                    (unsigned long long)rr.skipped, rr.n_skips ? rr.skips[0].reason : "");
        CHECK_INT(rr.skipped, 1);
        CHECK(skipped_with(&rr, 1, bad[i].reason));
        CHECK_INT(one_e.n_v4 + one_e.n_v6 + one_e.n_domains, 0);
        intel_entries_free(&one_e);
    }
    /* good ones with odd spacing, quoting and grouping */
    r = parse("{\"type\":\"indicator\",\"pattern\":\"[ipv4-addr:value='192.0.2.1' OR (domain-name:value = 'q\\\\'.x' OR "
              "ipv4-addr:value ISSUBSET '10.1.0.0/16')]\"}", INTEL_FMT_STIX, &e);
    CHECK_INT(r.skipped, 1); /* q'.x is not a domain: the whole indicator goes */
    r = parse("{\"type\":\"indicator\",\"pattern\":\"([ipv4-addr:value='192.0.2.1'] OR ([network-traffic:dst_ref.value = "
              "'10.1.0.0/16' OR file:hashes.'SHA-256' = 'ab\\\\'cd']))\"}", INTEL_FMT_STIX, &e);
    CHECK_INT(r.skipped, 0);
    CHECK_INT(r.v4, 1);
    CHECK_INT(r.cidr4, 1);
    /* deep JSON nesting, broken JSON, a bundle without an array */
    char deep[20000];
    memset(deep, '[', 10000);
    memset(deep + 10000, ']', 9999);
    deep[19999] = '\0';
    r = parse(deep, INTEL_FMT_STIX, &e);
    CHECK_INT(r.skipped, 1);
    CHECK(r.n_skips == 1 && strstr(r.skips[0].reason, "JSON"));
    r = parse("{\"type\":\"bundle\",\"objects\":{}}", INTEL_FMT_STIX, &e);
    CHECK_INT(r.skipped, 1);
    r = parse("{\"type\":\"indicator\",\"pattern\":\"[ipv4-addr:value='192.0.2.1']\",\"valid_until\":\"soon\"}",
              INTEL_FMT_STIX, &e);
    CHECK(skipped_with(&r, 1, "valid_until"));
    intel_entries_free(&e);
}

static void test_lookup_lists(void)
{
    intel_entries a = {0}, b = {0};
    parse("192.0.2.0/24\nevil.example\n2001:db8::/32\n", INTEL_FMT_PLAIN, &a);
    parse("192.0.2.7\nsub.evil.example\nother.example\n", INTEL_FMT_PLAIN, &b);
    intel_list ls[2] = {{"drop", 3, &a}, {"feodo", 4, &b}};
    intel_set *s = NULL;
    CHECK_INT(intel_set_build(ls, 2, &s), KW_OK);
    PROBES(s,
           {"192.0.2.7", 3}, /* both lists */
           {"192.0.2.8", 1},
           {"2001:db8:ffff::1", 1},
           {"2001:db9::1", 0},
           {"x.sub.evil.example", 3},
           {"evil.example", 1},
           {"notevil.example", 0},
           {"example", 0},
           {".evil.example", 1}, /* an empty first label: its suffix still matches */
           {"", 0},
           {"OTHER.EXAMPLE.", 2});
    CHECK_STR(intel_set_list_name(s, 1), "feodo");
    CHECK_INT(intel_set_list_severity(s, 0), 3);
    CHECK(intel_set_list_name(s, 2) == NULL);
    intel_set_stats st;
    intel_set_stats_get(s, &st);
    CHECK_INT(st.v4, 1);
    CHECK_INT(st.cidr4, 1);
    CHECK_INT(st.domains, 3);
    intel_release(s);
    intel_list many[INTEL_MAX_LISTS + 1] = {{0}};
    CHECK_INT(intel_set_build(many, INTEL_MAX_LISTS + 1, &s), KW_ERR_RANGE);
    intel_entries_free(&a);
    intel_entries_free(&b);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_reload(void)
{
    char dir[] = "/tmp/kw_intel_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char p1[64], p2[64];
    snprintf(p1, sizeof p1, "%s/c2.txt", dir);
    snprintf(p2, sizeof p2, "%s/missing.csv", dir);
    write_file(p1, "192.0.2.1\n");
    intel_file_spec specs[2] = {{p1, NULL, INTEL_FMT_AUTO, 0}, {p2, "later", INTEL_FMT_AUTO, 4}};
    intel *h = NULL;
    CHECK_INT(intel_new(specs, 2, &h), KW_OK);
    const intel_set *s0 = intel_acquire(h);
    CHECK_INT(ip(s0, "192.0.2.1"), 0);
    CHECK_STR(intel_set_list_name(s0, 0), "c2");
    intel_watch_result res;
    intel_watch(h, NOW_MS, NULL, NULL, &res);
    CHECK_INT(res.changed, 1);
    CHECK_INT(res.failed, 1);
    CHECK(res.swapped);
    CHECK_INT(intel_generation(h), 1);
    const intel_set *s1 = intel_acquire(h);
    CHECK_INT(ip(s1, "192.0.2.1"), 1);
    intel_watch(h, NOW_MS, NULL, NULL, &res); /* nothing changed */
    CHECK(!res.swapped);
    CHECK_INT(res.changed, 0);
    write_file(p1, "198.51.100.1\n198.51.100.2\n");
    write_file(p2, "ip\n203.0.113.1\n");
    intel_watch(h, NOW_MS, NULL, NULL, &res);
    CHECK_INT(res.changed, 2);
    CHECK(res.swapped);
    const intel_set *s2 = intel_acquire(h);
    PROBES(s2,
           {"192.0.2.1", 0},
           {"198.51.100.2", 1},
           {"203.0.113.1", 2});
    CHECK_INT(ip(s1, "192.0.2.1"), 1);  /* the old generation is still whole for its reader */
    CHECK_INT(ip(s0, "192.0.2.1"), 0);
    intel_release(s0);
    intel_release(s1);
    unlink(p1); /* unreadable now: its previous entries stay */
    intel_watch(h, NOW_MS, NULL, NULL, &res);
    CHECK_INT(res.failed, 1);
    CHECK(!res.swapped);
    const intel_set *s3 = intel_acquire(h);
    CHECK_INT(ip(s3, "198.51.100.1"), 1);
    intel_release(s3);
    /* reconfigured: the CSV list stays (renamed, not re-read), a new file comes first */
    char p3[64];
    snprintf(p3, sizeof p3, "%s/new.txt", dir);
    write_file(p3, "192.0.2.3\n");
    intel_file_spec next[2] = {{p3, NULL, INTEL_FMT_AUTO, 3}, {p2, "renamed", INTEL_FMT_AUTO, 1}};
    CHECK_INT(intel_reconfigure(h, next, 2), KW_OK);
    intel_watch(h, NOW_MS, NULL, NULL, &res);
    CHECK_INT(res.changed, 1);
    CHECK(res.swapped);
    const intel_set *s4 = intel_acquire(h);
    PROBES(s4, {"192.0.2.3", 1}, {"203.0.113.1", 2}, {"198.51.100.1", 0});
    CHECK_STR(intel_set_list_name(s4, 1), "renamed");
    CHECK_INT(intel_set_list_severity(s4, 1), 1);
    CHECK_STR(intel_set_list_name(s4, 0), "new");
    intel_release(s4);
    CHECK_INT(intel_reconfigure(h, NULL, 0), KW_OK); /* no lists: an empty generation */
    intel_watch(h, NOW_MS, NULL, NULL, &res);
    CHECK(res.swapped);
    s4 = intel_acquire(h);
    CHECK_INT(intel_set_lists(s4), 0);
    PROBES(s4, {"203.0.113.1", 0});
    intel_release(s4);
    unlink(p3);
    intel_free(h);
    CHECK_INT(ip(s2, "203.0.113.1"), 2); /* a reader outlives the holder */
    intel_release(s2);
    unlink(p2);
    rmdir(dir);
}

typedef struct reader_arg {
    intel *h;
    atomic_bool *stop;
    uint64_t lookups, hits;   /* this reader's own */
} reader_arg;

static void *reader(void *arg)
{
    reader_arg *ra = arg;
    uint8_t a[4] = {192, 0, 2, 1};
    while (!atomic_load(ra->stop)) {
        const intel_set *s = intel_acquire(ra->h);
        for (int i = 0; i < 64; i++, ra->lookups++)
            ra->hits += intel_set_lookup_ip(s, a, false) != 0;
        intel_release(s);
    }
    return NULL;
}

static void test_reload_threads(void)
{
    char path[] = "/tmp/kw_intel_thr_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    write_file(path, "192.0.2.1\n");
    intel_file_spec spec = {path, "t", INTEL_FMT_PLAIN, 0};
    intel *h = NULL;
    intel_new(&spec, 1, &h);
    atomic_bool stop = false;
    reader_arg ra[2] = {{h, &stop, 0, 0}, {h, &stop, 0, 0}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, reader, &ra[i]);
    intel_watch_result res;
    int swaps = 0;
    for (int round = 0; round < 40; round++) {
        char text[64];
        snprintf(text, sizeof text, "192.0.2.1\n10.0.%d.0/24\n", round); /* the size changes too */
        write_file(path, round % 2 ? text : "192.0.2.1\n");
        intel_watch(h, NOW_MS, NULL, NULL, &res);
        swaps += res.swapped;
    }
    atomic_store(&stop, true);
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        CHECK(ra[i].lookups > 0);
        CHECK(ra[i].hits <= ra[i].lookups);
    }
    CHECK(swaps >= 39);
    CHECK_INT(intel_generation(h), swaps);
    intel_free(h);
    unlink(path);
}

static void test_many(void)
{
    /* 400 000 random addresses and names: every one found, strangers not */
    enum { N = 400000 }; /* a million takes 3.5 s under ASan: bench/intel.sh has it */
    intel_entries e = {0};
    char line[64];
    uint32_t seed = 12345;
    for (int i = 0; i < N; i++) {
        seed = seed * 1103515245 + 12345;
        uint32_t x = seed;
        snprintf(line, sizeof line, "%u.%u.%u.%u", x >> 24, (x >> 16) & 255, (x >> 8) & 255, (i & 127) + 1);
        CHECK_INT(intel_entries_add_text(&e, line, strlen(line), NULL, 0), KW_OK);
        snprintf(line, sizeof line, "h%d-%u.example", i, x % 1000);
        CHECK_INT(intel_entries_add_text(&e, line, strlen(line), NULL, 0), KW_OK);
    }
    intel_set *s = one(&e);
    intel_set_stats st;
    intel_set_stats_get(s, &st);
    CHECK(st.v4 > N * 99 / 100);
    CHECK_INT(st.domains, N);
    CHECK(st.bytes < (size_t)N * 120);
    size_t found = 0, strangers = 0;
    for (size_t i = 0; i < e.n_v4; i++) {
        uint8_t a[4];
        memcpy(a, &e.v4[i].addr, 4);
        found += intel_set_lookup_ip(s, a, false) == 1;
        a[3] = 200; /* never generated: last octet 1..128 */
        strangers += intel_set_lookup_ip(s, a, false) != 0;
    }
    CHECK_INT(found, e.n_v4);
    CHECK_INT(strangers, 0);
    CHECK_INT(dom(s, "www.h77-1.example") | dom(s, "h199999-0.example.org"), 0);
    intel_release(s);
    intel_entries_free(&e);
}

static bool conf_errs_have(const char *yaml, const char *want)
{
    conf *c = NULL;
    conf_errors errs = {0};
    kw_rc rc = conf_load_buffer("t.yaml", yaml, strlen(yaml), &c, &errs);
    bool found = false;
    for (size_t i = 0; i < errs.n; i++) {
        found = found || strstr(errs.v[i], want);
        if (!strstr(errs.v[i], want))
            fprintf(stderr, "  (other error: %s)\n", errs.v[i]);
    }
    conf_errors_free(&errs);
    conf_free(c);
    return rc != KW_OK && found;
}

static void test_conf(void)
{
    static const char yaml[] = "intel:\n"
                               "  reload_interval: 10s\n"
                               "  files:\n"
                               "    - /etc/keepwatch/intel/drop.txt\n"
                               "    - {path: feodo.csv, name: feodo, format: csv, severity: high}\n";
    conf *c = NULL;
    conf_errors errs = {0};
    CHECK_INT(conf_load_buffer("t.yaml", yaml, strlen(yaml), &c, &errs), KW_OK);
    for (size_t i = 0; i < errs.n; i++)
        fprintf(stderr, "  %s\n", errs.v[i]);
    conf_errors_free(&errs);
    if (!c)
        return;
    CHECK_INT(c->intel.reload_interval_ms, 10000);
    CHECK_INT(c->intel.files.n, 2);
    const conf_intel_file *f0 = CONF_AT(c->intel.files, conf_intel_file, 0);
    const conf_intel_file *f1 = CONF_AT(c->intel.files, conf_intel_file, 1);
    CHECK_STR(f0->path, "/etc/keepwatch/intel/drop.txt");
    CHECK(f0->name == NULL);
    CHECK_INT(f0->format, INTEL_FMT_AUTO);
    CHECK_INT(f0->severity, 2);
    CHECK_STR(f1->name, "feodo");
    CHECK_INT(f1->format, INTEL_FMT_CSV);
    CHECK_INT(f1->severity, 3);
    char *shown = conf_show_section(c, "intel");
    CHECK_CONTAINS(shown, "drop.txt");
    CHECK_CONTAINS(shown, "severity: high");
    free(shown);
    intel *h = NULL;
    CHECK_INT(intel_from_conf(c, &h), KW_OK);
    const intel_set *s = intel_acquire(h);
    CHECK_STR(intel_set_list_name(s, 0), "drop");
    CHECK_STR(intel_set_list_name(s, 1), "feodo");
    CHECK_INT(intel_set_list_severity(s, 1), 3);
    intel_release(s);
    intel_free(h);
    conf_free(c);

    conf *d = NULL;
    CHECK_INT(conf_load_buffer("d.yaml", "", 0, &d, &errs), KW_OK); /* the default: no lists, 1m */
    if (d) {
        CHECK_INT(d->intel.files.n, 0);
        CHECK_INT(d->intel.reload_interval_ms, 60000);
        conf_free(d);
    }
    conf_errors_free(&errs);
    CHECK(conf_errs_have("intel: {files: [{path: a.txt, format: xml}]}", "format: unknown value"));
    CHECK(conf_errs_have("intel: {files: [{name: x}]}", "needs a path"));
    CHECK(conf_errs_have("intel: {files: [a/drop.txt, b/drop.csv]}", "two lists are named \"drop\""));
    CHECK(conf_errs_have("intel: {files: [{path: a, name: \"bad name\"}]}", "name \"bad name\""));
    CHECK(conf_errs_have("intel: {files: [[x]]}", "must be a mapping"));
    CHECK(conf_errs_have("intel: {reload_interval: 10ms}", "out of range"));
    char big[4096] = "intel: {files: [";
    for (int i = 0; i < 65; i++)
        snprintf(big + strlen(big), sizeof big - strlen(big), "%sl%d.txt", i ? ", " : "", i);
    strcat(big, "]}");
    CHECK(conf_errs_have(big, "at most 64"));
}

int main(void)
{
    RUN(test_plain_drop);
    RUN(test_plain_netset_hosts);
    RUN(test_plain_hostile);
    RUN(test_csv_abusech);
    RUN(test_csv_quoting);
    RUN(test_stix_bundle);
    RUN(test_stix_hostile);
    RUN(test_lookup_lists);
    RUN(test_reload);
    RUN(test_reload_threads);
    RUN(test_many);
    RUN(test_conf);
    TEST_MAIN_END();
}
