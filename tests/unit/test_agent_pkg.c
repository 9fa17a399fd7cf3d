/* The agents' package lists: the batch's packages section decoded (what it takes, each
 * malformation refused with its reason), written and read back (through the batch and alone,
 * as the server stores it), its bounds, and the host_packages table: stored, replaced, read
 * back and checked against a small vulnerability index into findings. */
#include "agent/agent.h"
#include "agent/agent_pkg.h"
#include "kw_test.h"
#include "store/store_agent.h"
#include "store/store_findings.h"
#include "core/kw_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[64];

#define PK_HEAD "{\"seq\":3,\"packages\":"
#define PK_OS "\"os\":{\"id\":\"debian\",\"version_id\":\"12\",\"codename\":\"bookworm\"}"

static kw_rc decode(const char *json, agent_batch *b, agent_bad *bad, char *why)
{
    return agent_batch_decode(json, strlen(json), b, bad, why, 160);
}

static void test_decode_valid(void)
{
    const char *json = PK_HEAD "{\"manager\":\"dpkg\"," PK_OS ",\"list\":["
                       "[\"libssl3\",\"3.0.11-1~deb12u2\",\"openssl\",\"3.0.11-1~deb12u2\",\"amd64\"],"
                       "[\"zlib1g\",\"1:1.2.13.dfsg-1\",\"\",\"\",\"\"]]}}";
    agent_batch b;
    agent_bad bad;
    char why[160];
    CHECK_INT(decode(json, &b, &bad, why), KW_OK);
    CHECK(b.packages != NULL);
    if (!b.packages)
        return;
    CHECK_STR(b.packages->manager, "dpkg");
    CHECK_STR(b.packages->os.id, "debian");
    CHECK_STR(b.packages->os.version_id, "12");
    CHECK_STR(b.packages->os.codename, "bookworm");
    CHECK_INT(b.packages->list.n, 2);
    CHECK_INT(b.packages->list.kind, SCAN_V_DEB);
    CHECK_STR(b.packages->list.v[0].source, "openssl");
    CHECK_STR(b.packages->list.v[0].arch, "amd64");
    CHECK_STR(b.packages->list.v[1].source, "zlib1g"); /* none said: the binary's own */
    CHECK_STR(b.packages->list.v[1].source_version, "1:1.2.13.dfsg-1");
    agent_batch_free(&b);
    CHECK_INT(decode("{\"seq\":4}", &b, &bad, why), KW_OK);
    CHECK(b.packages == NULL);
    agent_batch_free(&b);
}

/* Every bad shape is refused, with its reason and a message naming it; nothing leaks. */
static void test_decode_refused(void)
{
    static const struct {
        const char *section;
        agent_bad bad;
        const char *why;
    } cases[] = {
        {"[]", AGENT_BAD_SHAPE, "packages"},
        {"{\"os\":{\"id\":\"debian\"},\"list\":[]}", AGENT_BAD_SHAPE, "manager"},
        {"{\"manager\":\"pacman\"," PK_OS ",\"list\":[]}", AGENT_BAD_VALUE, "manager"},
        {"{\"manager\":\"dpkg\",\"list\":[]}", AGENT_BAD_SHAPE, "packages.os"},
        {"{\"manager\":\"dpkg\",\"os\":{\"version_id\":\"12\"},\"list\":[]}", AGENT_BAD_SHAPE, "id"},
        {"{\"manager\":\"dpkg\",\"os\":{\"id\":\"deb ian\"},\"list\":[]}", AGENT_BAD_NAME, "id"},
        {"{\"manager\":\"dpkg\",\"os\":{\"id\":\"debian\",\"codename\":\"x\\\"y\"},\"list\":[]}", AGENT_BAD_NAME,
         "codename"},
        {"{\"manager\":\"dpkg\",\"os\":{\"id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"},\"list\":[]}",
         AGENT_BAD_VALUE, "id"},
        {"{\"manager\":\"dpkg\"," PK_OS "}", AGENT_BAD_SHAPE, "packages.list"},
        {"{\"manager\":\"dpkg\"," PK_OS ",\"list\":{}}", AGENT_BAD_SHAPE, "packages.list"},
        {"{\"manager\":\"dpkg\"," PK_OS ",\"list\":[[\"a\",\"1\",\"a\",\"1\"]]}", AGENT_BAD_SHAPE, "package"},
        {"{\"manager\":\"dpkg\"," PK_OS ",\"list\":[\"a 1\"]}", AGENT_BAD_SHAPE, "package"},
        {"{\"manager\":\"dpkg\"," PK_OS ",\"list\":[[\"a\",1,\"a\",\"1\",\"\"]]}", AGENT_BAD_SHAPE, "not a string"},
        {"{\"manager\":\"dpkg\"," PK_OS ",\"list\":[[\"a b\",\"1\",\"\",\"\",\"\"]]}", AGENT_BAD_VALUE, "printable"},
        {"{\"manager\":\"dpkg\"," PK_OS ",\"list\":[[\"a\\u0000b\",\"1\",\"\",\"\",\"\"]]}", AGENT_BAD_JSON,
         "NUL"}, /* jansson's own refusal */
        {"{\"manager\":\"dpkg\"," PK_OS ",\"list\":[[\"a\\u0001b\",\"1\",\"\",\"\",\"\"]]}", AGENT_BAD_VALUE,
         "printable"},
        {"{\"manager\":\"dpkg\"," PK_OS ",\"list\":[[\"a\",\"1\",\"caf\u00e9\",\"\",\"\"]]}", AGENT_BAD_VALUE,
         "printable"},
        {"{\"manager\":\"dpkg\"," PK_OS ",\"list\":[[\"a\",\"1\",\"\",\"\",\"x\\n\"]]}", AGENT_BAD_VALUE, "printable"},
        {"{\"manager\":\"dpkg\"," PK_OS ",\"list\":[[\"\",\"1\",\"\",\"\",\"\"]]}", AGENT_BAD_VALUE, "package"},
        {"{\"manager\":\"dpkg\"," PK_OS ",\"list\":[[\"a\",\"\",\"\",\"\",\"\"]]}", AGENT_BAD_VALUE, "package a"},
        {"{\"manager\":\"dpkg\"," PK_OS ",\"list\":[[\"a\",\"x:1\",\"\",\"\",\"\"]]}", AGENT_BAD_VALUE, "package a"},
        {"{\"manager\":\"dpkg\",\"manager\":\"rpm\"," PK_OS ",\"list\":[]}", AGENT_BAD_JSON, "duplicate"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[1024], why[160];
        snprintf(json, sizeof json, PK_HEAD "%s}", cases[i].section);
        agent_batch b;
        agent_bad bad;
        kw_rc rc = decode(json, &b, &bad, why);
        if (rc != KW_ERR_PARSE || bad != cases[i].bad || !strstr(why, cases[i].why))
            fprintf(stderr, "  case %zu: rc %d bad %s why \"%s\"\n", i, rc, agent_bad_name(bad), why);
        CHECK_INT(rc, KW_ERR_PARSE);
        CHECK_INT(bad, cases[i].bad);
        CHECK_CONTAINS(why, cases[i].why);
        agent_batch_free(&b);
        /* the section alone (as stored) is refused the same way */
        agent_packages *p = (agent_packages *)1;
        snprintf(json, sizeof json, "%s", cases[i].section);
        CHECK_INT(agent_packages_decode(json, strlen(json), &p, &bad, why, sizeof why), KW_ERR_PARSE);
        CHECK(p == NULL);
    }
}

/* A list of n packages as a packages section. */
static char *big_section(size_t n)
{
    kw_buf b;
    kw_buf_init(&b, 64 << 20);
    kw_buf_puts(&b, "{\"manager\":\"rpm\",\"os\":{\"id\":\"rocky\",\"version_id\":\"9.3\"},\"list\":[");
    for (size_t i = 0; i < n; i++)
        kw_buf_printf(&b, "%s[\"pkg%zu\",\"0:1.%zu-1.el9\",\"src%zu\",\"\",\"x86_64\"]", i ? "," : "", i, i, i % 50);
    kw_buf_puts(&b, "]}");
    return kw_buf_take(&b);
}

static void test_limits(void)
{
    agent_packages *p;
    agent_bad bad;
    char why[160];
    char *s = big_section(AGENT_MAX_PACKAGES);
    CHECK_INT(agent_packages_decode(s, strlen(s), &p, &bad, why, sizeof why), KW_OK);
    CHECK_INT(p ? p->list.n : 0, AGENT_MAX_PACKAGES);
    CHECK_INT(p ? p->list.kind : -1, SCAN_V_RPM);
    agent_packages_free(p);
    free(s);
    s = big_section(AGENT_MAX_PACKAGES + 1);
    CHECK_INT(agent_packages_decode(s, strlen(s), &p, &bad, why, sizeof why), KW_ERR_PARSE);
    CHECK_INT(bad, AGENT_BAD_LIMIT);
    CHECK_CONTAINS(why, "20000");
    free(s);
    /* a field past SCAN_PKG_FIELD_MAX */
    char json[1024], name[SCAN_PKG_FIELD_MAX + 2];
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    snprintf(json, sizeof json, "{\"manager\":\"apk\"," PK_OS ",\"list\":[[\"%s\",\"1.0-r0\",\"\",\"\",\"\"]]}", name);
    CHECK_INT(agent_packages_decode(json, strlen(json), &p, &bad, why, sizeof why), KW_ERR_PARSE);
    CHECK_INT(bad, AGENT_BAD_VALUE);
    name[SCAN_PKG_FIELD_MAX] = '\0';
    snprintf(json, sizeof json, "{\"manager\":\"apk\"," PK_OS ",\"list\":[[\"%s\",\"1.0-r0\",\"\",\"\",\"\"]]}", name);
    CHECK_INT(agent_packages_decode(json, strlen(json), &p, &bad, why, sizeof why), KW_OK);
    CHECK_INT(p ? p->list.kind : -1, SCAN_V_APK);
    agent_packages_free(p);
    /* a host with more than the bound: the writer sends the first AGENT_MAX_PACKAGES */
    p = agent_packages_new("dpkg");
    snprintf(p->os.id, sizeof p->os.id, "debian");
    for (int i = 0; i <= AGENT_MAX_PACKAGES; i++) {
        char n[32];
        snprintf(n, sizeof n, "p%d", i);
        scan_pkg_list_add(&p->list, n, "1.0-1", NULL, NULL, NULL);
    }
    CHECK_INT(p->list.n, AGENT_MAX_PACKAGES + 1);
    kw_buf out;
    kw_buf_init(&out, AGENT_BODY_MAX);
    kw_json j;
    kw_json_init(&j, &out);
    agent_packages_json(&j, p);
    agent_packages *back = NULL;
    CHECK_INT(agent_packages_decode(out.data, out.len, &back, &bad, why, sizeof why), KW_OK);
    CHECK_INT(back ? back->list.n : 0, AGENT_MAX_PACKAGES);
    CHECK_STR(back ? back->list.v[AGENT_MAX_PACKAGES - 1].name : "", "p19999");
    agent_packages_free(back);
    agent_packages_free(p);
    kw_buf_free(&out);
}

static agent_packages *sample_list(const char *openssl_version)
{
    agent_packages *p = agent_packages_new("dpkg");
    snprintf(p->os.id, sizeof p->os.id, "debian");
    snprintf(p->os.version_id, sizeof p->os.version_id, "12");
    snprintf(p->os.codename, sizeof p->os.codename, "bookworm");
    CHECK_INT(scan_pkg_list_add(&p->list, "libssl3", openssl_version, "openssl", openssl_version, "amd64"), KW_OK);
    CHECK_INT(scan_pkg_list_add(&p->list, "bash", "5.2.15-2+b2", "bash", "5.2.15-2", "amd64"), KW_OK);
    return p;
}

/* Written by the agent's writer, read back by the server's decoder, field for field. */
static void test_round_trip(void)
{
    agent_packages *p = sample_list("3.0.11-1~deb12u2");
    kw_buf sec, out;
    kw_buf_init(&sec, 1 << 20);
    kw_buf_init(&out, 1 << 20);
    kw_json j;
    kw_json_init(&j, &sec);
    agent_packages_json(&j, p);
    agent_batch_writer *w = agent_batch_begin(&out, 9, 0);
    agent_batch_add_event(w, "{\"event\":{}}", 12);
    agent_batch_add_packages(w, sec.data, sec.len);
    CHECK_INT(agent_batch_end(w), KW_OK);
    agent_batch b;
    agent_bad bad;
    char why[160];
    CHECK_INT(agent_batch_decode(out.data, out.len, &b, &bad, why, sizeof why), KW_OK);
    CHECK_INT(b.nevents, 1);
    CHECK(b.packages != NULL);
    for (size_t i = 0; b.packages && i < p->list.n; i++) {
        CHECK_STR(b.packages->list.v[i].name, p->list.v[i].name);
        CHECK_STR(b.packages->list.v[i].version, p->list.v[i].version);
        CHECK_STR(b.packages->list.v[i].source_version, p->list.v[i].source_version);
        CHECK_STR(b.packages->list.v[i].arch, p->list.v[i].arch);
    }
    CHECK_INT(b.packages ? b.packages->list.n : 0, 2);
    CHECK_STR(b.packages ? b.packages->os.codename : "", "bookworm");
    agent_batch_free(&b);
    agent_packages_free(p);
    kw_buf_free(&sec);
    kw_buf_free(&out);
}

/* tmpdir/name/etc and tmpdir/name/var/lib/dpkg: a system root for the agent's reader. */
static void root_dirs(const char *name)
{
    char path[256], err[256];
    snprintf(path, sizeof path, "%s/%s/etc", tmpdir, name);
    CHECK_INT(kw_dir_make(path, 0700, NULL, err, sizeof err), KW_OK);
    snprintf(path, sizeof path, "%s/%s/var/lib/dpkg", tmpdir, name);
    CHECK_INT(kw_dir_make(path, 0700, NULL, err, sizeof err), KW_OK);
}

/* Debian 12's os-release under tmpdir/name. */
static void os_release(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s/etc/os-release", tmpdir, name);
    FILE *f = fopen(path, "w");
    fputs("ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n", f);
    fclose(f);
}

/* The agent's reader on a system root: os-release and dpkg's status file. */
static void test_read_root(void)
{
    char path[256], err[256];
    root_dirs("root");
    snprintf(path, sizeof path, "%s/root", tmpdir);
    agent_packages *p;
    CHECK_INT(agent_packages_read(path, &p, err, sizeof err), KW_ERR_NOTFOUND); /* no os-release */
    CHECK_CONTAINS(err, "os-release");
    os_release("root");
    snprintf(path, sizeof path, "%s/root/var/lib/dpkg/status", tmpdir);
    FILE *f = fopen(path, "w");
    fputs("Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\n"
          "Version: 3.0.11-1~deb12u2\n\nPackage: gone\nStatus: deinstall ok config-files\nVersion: 1.0-1\n",
          f);
    fclose(f);
    snprintf(path, sizeof path, "%s/root", tmpdir);
    CHECK_INT(agent_packages_read(path, &p, err, sizeof err), KW_OK);
    CHECK_STR(p ? p->manager : "", "dpkg");
    CHECK_STR(p ? p->os.codename : "", "bookworm");
    CHECK_INT(p ? p->list.n : 0, 1);
    CHECK_STR(p ? p->list.v[0].source : "", "openssl");
    agent_packages_free(p);
}

/* A status file many times the agent's 64 KiB window, read a window at a time: the same list
 * as the whole file parsed at once, with stanzas cut across reads, one stanza longer than the
 * window (a long conffiles list) and no blank line after the last. */
static void test_read_root_large(void)
{
    char path[256], err[256];
    root_dirs("big");
    os_release("big");
    kw_buf all;
    kw_buf_init(&all, 64 << 20);
    for (int i = 0; i < 3000; i++) {
        kw_buf_printf(&all, "Package: pkg%d\nStatus: %s\nArchitecture: amd64\nVersion: 1.%d-%d\n", i,
                      i % 7 ? "install ok installed" : "deinstall ok config-files", i, i % 13);
        if (i % 5 == 0)
            kw_buf_printf(&all, "Source: src%d (2.%d)\n", i / 5, i);
        kw_buf_puts(&all, "Description: a package of the test\n a longer line of its description, to fill "
                          "the window a little faster\n .\n and one more\n");
        if (i == 1500)
            for (int k = 0; k < 3000; k++)
                kw_buf_printf(&all, " /etc/pkg1500/conf.d/file-%04d.conf 0123456789abcdef0123456789abcdef\n", k);
        kw_buf_puts(&all, i == 2999 ? "" : "\n");
    }
    CHECK(all.len > 8 * 65536);
    snprintf(path, sizeof path, "%s/big/var/lib/dpkg/status", tmpdir);
    FILE *f = fopen(path, "w");
    fwrite(all.data, 1, all.len, f);
    fclose(f);
    scan_pkg_list whole;
    scan_pkg_list_init(&whole, SCAN_V_DEB, "dpkg");
    CHECK_INT(scan_pkg_parse_dpkg(all.data, all.len, &whole), KW_OK);
    snprintf(path, sizeof path, "%s/big", tmpdir);
    agent_packages *p = NULL;
    CHECK_INT(agent_packages_read(path, &p, err, sizeof err), KW_OK);
    CHECK_INT(whole.n, 3000 - 3000 / 7 - 1);
    CHECK_INT(p ? p->list.n : 0, whole.n);
    size_t same = 0;
    for (size_t i = 0; p && i < p->list.n && i < whole.n; i++)
        same += strcmp(p->list.v[i].name, whole.v[i].name) == 0 &&
                strcmp(p->list.v[i].version, whole.v[i].version) == 0 &&
                strcmp(p->list.v[i].source, whole.v[i].source) == 0 &&
                strcmp(p->list.v[i].source_version, whole.v[i].source_version) == 0;
    CHECK_INT(same, whole.n);
    agent_packages_free(p);
    scan_pkg_list_free(&whole);
    kw_buf_free(&all);
}

/* A small index (the security tracker's JSON, compiled) into idx and db. */
static void tracker_db(kw_buf *idx, scan_vuln_db *db)
{
    static const char tracker[] =
        "{\"openssl\":{\"CVE-2024-0001\":{\"description\":\"a test flaw\",\"releases\":{\"bookworm\":"
        "{\"status\":\"resolved\",\"fixed_version\":\"3.0.13-1~deb12u1\",\"urgency\":\"high\"}}}}}";
    char err[256] = "";
    scan_vuln_builder *b = scan_vuln_builder_new();
    scan_vuln_tracker *t = scan_vuln_tracker_new(scan_vuln_builder_add, b);
    CHECK_INT(scan_vuln_tracker_feed(t, tracker, sizeof tracker - 1, err, sizeof err), KW_OK);
    CHECK_INT(scan_vuln_tracker_finish(t, err, sizeof err), KW_OK);
    kw_buf_init(idx, 1 << 20);
    CHECK_INT(scan_vuln_builder_write(b, idx), KW_OK);
    scan_vuln_tracker_free(t);
    scan_vuln_builder_free(b);
    CHECK_INT(scan_vuln_db_from_buffer(idx->data, idx->len, db), KW_OK);
}

/* Checks web-01's stored list into the findings; the outcome's counts into *o. */
static kw_rc check_web(kw_store *s, const conf *c, const scan_vuln_db *db, agent_pkg_outcome *o)
{
    char err[256] = "";
    kw_rc rc = agent_packages_record(s, c, NULL, db, "web-01", "test", NULL, true, o, err, sizeof err);
    if (rc != KW_OK)
        fprintf(stderr, "  record: %s\n", err);
    return rc;
}

/* host_packages on one store (SQLite, or the PostgreSQL of KW_TEST_PG_URL): stored, replaced,
 * read back; checked into the findings (a CVE on the agent's host, flagged not seen once the
 * upgraded list no longer has it). */
static void store_and_check_on(const char *path)
{
    char err[256];
    kw_store *s = store_open(path, false, err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_INT(store_agent_migrate(s), KW_OK);
    agent_packages *p = sample_list("3.0.11-1~deb12u2"), *back;
    int64_t when;
    CHECK_INT(agent_packages_load(s, "web-01", &back, &when, err, sizeof err), KW_ERR_NOTFOUND);
    CHECK_INT(agent_packages_store(s, "web-01", p, 5000), KW_OK);
    CHECK_INT(agent_packages_load(s, "web-01", &back, &when, err, sizeof err), KW_OK);
    CHECK_INT(when, 5000);
    CHECK_INT(back ? back->list.n : 0, 2);
    CHECK_STR(back ? back->list.v[0].version : "", "3.0.11-1~deb12u2");
    agent_packages_free(back);
    store_agent_packages row;
    CHECK_INT(store_agent_packages_get(s, "web-01", &row), KW_OK);
    CHECK_INT(row.packages, 2);
    CHECK_STR(row.manager, "dpkg");
    store_agent_packages_free(&row);
    agent_packages_free(p);
    /* checked: the CVE on web-01; the upgraded list no longer has it */
    conf *c = NULL;
    conf_errors e = {0};
    CHECK_INT(conf_load(NULL, &c, &e), KW_OK);
    CHECK_INT(store_findings_migrate(s), KW_OK);
    kw_buf idx;
    scan_vuln_db db;
    tracker_db(&idx, &db);
    agent_pkg_outcome o;
    CHECK_INT(check_web(s, c, &db, &o), KW_OK);
    CHECK_INT(o.res.packages, 2);
    CHECK_INT(o.res.findings, 1);
    CHECK_INT(o.counts.added, 1);
    CHECK_INT(o.received_ms, 5000);
    kw_buf list;
    kw_buf_init(&list, 1 << 20);
    store_findings_query q = {0};
    CHECK_INT(store_findings_list_json(s, &q, &list), KW_OK);
    CHECK_CONTAINS(kw_buf_cstr(&list), "CVE-2024-0001");
    CHECK_CONTAINS(kw_buf_cstr(&list), "web-01");
    CHECK_CONTAINS(kw_buf_cstr(&list), AGENT_PKG_SCANNER);
    kw_buf_free(&list);
    p = sample_list("3.0.13-1~deb12u1");
    CHECK_INT(agent_packages_store(s, "web-01", p, 6000), KW_OK); /* replaced */
    agent_packages_free(p);
    CHECK_INT(check_web(s, c, &db, &o), KW_OK);
    CHECK_INT(o.res.findings, 0);
    CHECK_INT(o.counts.not_seen, 1); /* open, no longer seen: flagged */
    CHECK_INT(o.received_ms, 6000);
    /* an agent without a list */
    char err2[256];
    CHECK_INT(agent_packages_record(s, c, NULL, &db, "db-02", "test", NULL, true, &o, err2, sizeof err2),
              KW_ERR_NOTFOUND);
    scan_vuln_db_close(&db);
    kw_buf_free(&idx);
    conf_free(c);
    conf_errors_free(&e);
    store_close(s);
}

static void test_store_and_check(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/pkg.db", tmpdir);
    store_and_check_on(path);
}

/* The same on PostgreSQL (python3 tests/integ/pgserver.py build-dev/tests/test_agent_pkg). */
static void test_store_and_check_pg(void)
{
    const char *url = getenv("KW_TEST_PG_URL");
    if (!url || !*url) {
        fprintf(stderr, "  (no KW_TEST_PG_URL: the PostgreSQL run is skipped)\n");
        return;
    }
    store_and_check_on(url);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kw-test-agentpkg-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    RUN(test_decode_valid);
    RUN(test_decode_refused);
    RUN(test_limits);
    RUN(test_round_trip);
    RUN(test_read_root);
    RUN(test_read_root_large);
    RUN(test_store_and_check);
    RUN(test_store_and_check_pg);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        return 1;
    TEST_MAIN_END();
}
