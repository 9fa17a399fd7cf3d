/* Tests for src/scan/scan_pkg*.c and scan_vuln*.c: the installed-package parsers (dpkg, rpm,
 * apk, os-release), the tracker, debsecan and OSV readers, the index round trip, and the
 * check of a host's packages and of a banner's product against it. Data: tests/data/scan_pkg/
 * (hand-made, in the shapes of the real files). */
#include "kw_test.h"
#include "core/kw_mem.h"
#include "scan/scan_pkg.h"
#include "scan/scan_vuln.h"

#include <stdlib.h>
#include <zlib.h>

static char *slurp(const char *name, size_t *n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/scan_pkg/%s", KW_TEST_DATA, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = kw_malloc(1 << 20);
    *n = fread(buf, 1, (1 << 20) - 1, f);
    buf[*n] = '\0';
    fclose(f);
    return buf;
}

static void test_dpkg_status(void)
{
    size_t n;
    char *s = slurp("status", &n);
    CHECK(s != NULL);
    scan_pkg_list l;
    scan_pkg_list_init(&l, SCAN_V_DEB, NULL);
    CHECK_INT(scan_pkg_parse_dpkg(s, n, &l), KW_OK);
    CHECK_INT(l.n, 4);  /* redis is not installed, "broken" has a bad version */
    CHECK_INT(l.skipped, 1);
    CHECK_CONTAINS(l.first_error, "version number does not start with digit");
    CHECK_STR(l.v[0].name, "openssh-server");
    CHECK_STR(l.v[0].source, "openssh");
    CHECK_STR(l.v[0].version, "1:9.2p1-2+deb12u2");
    CHECK_STR(l.v[0].arch, "amd64");
    CHECK_STR(l.v[2].source, "zlib");
    CHECK_STR(l.v[2].source_version, "1:1.2.13.dfsg-1");
    CHECK_STR(l.v[3].name, "nginx");
    CHECK_STR(l.v[3].source, "nginx");
    scan_pkg_list_free(&l);
    free(s);
    /* no trailing newline, CRLF, an over-long field */
    scan_pkg_list_init(&l, SCAN_V_DEB, NULL);
    const char *t = "Package: a\r\nStatus: install ok installed\r\nVersion: 1.0\r\n\r\nPackage: b\nStatus: install ok installed\nVersion: 2";
    CHECK_INT(scan_pkg_parse_dpkg(t, strlen(t), &l), KW_OK);
    CHECK_INT(l.n, 2);
    CHECK_STR(l.v[1].version, "2");
    scan_pkg_list_free(&l);
}

static void test_rpm_apk(void)
{
    scan_pkg_list l;
    scan_pkg_list_init(&l, SCAN_V_RPM, NULL);
    const char *r = "openssl-libs\t1:3.0.7-27.el9\topenssl-3.0.7-27.el9.src.rpm\n"
                    "gpg-pubkey\t0:3228467c-613798eb\t(none)\n"
                    "bash\t0:5.1.8-9.el9\tbash-5.1.8-9.el9.src.rpm\n"
                    "garbage line\n";
    CHECK_INT(scan_pkg_parse_rpm(r, strlen(r), &l), KW_OK);
    CHECK_INT(l.n, 3);
    CHECK_INT(l.skipped, 1);
    CHECK_STR(l.v[0].source, "openssl");
    CHECK_STR(l.v[0].version, "1:3.0.7-27.el9");
    CHECK_STR(l.v[1].source, "gpg-pubkey");
    CHECK_STR(l.manager, "rpm");
    scan_pkg_list_free(&l);
    /* apk's database as /lib/apk/db/installed has it */
    scan_pkg_list_init(&l, SCAN_V_APK, NULL);
    const char *a = "C:Q1abc=\nP:libcrypto3\nV:3.1.4-r1\nA:x86_64\no:openssl\nT:Crypto library\n\n"
                    "P:musl\nV:1.2.4_git20230717-r4\nA:x86_64\no:musl\n";
    CHECK_INT(scan_pkg_parse_apk(a, strlen(a), &l), KW_OK);
    CHECK_INT(l.n, 2);
    CHECK_STR(l.v[0].source, "openssl");
    CHECK_STR(l.v[1].version, "1.2.4_git20230717-r4");
    scan_pkg_list_free(&l);
}

static void test_os_release(void)
{
    scan_os os;
    const char *d = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n"
                    "VERSION_CODENAME=bookworm\nID=debian\n";
    CHECK_INT(scan_os_parse(d, strlen(d), &os), KW_OK);
    CHECK_STR(os.pretty, "Debian GNU/Linux 12 (bookworm)");
    char names[4][48];
    scan_vkind kind;
    CHECK_INT(scan_os_ecosystems(&os, NULL, names, 4, &kind), 2);
    CHECK_STR(names[0], "debian/bookworm");
    CHECK_STR(names[1], "Debian:12");
    CHECK_INT(scan_os_ecosystems(&os, "trixie", names, 4, &kind), 2);
    CHECK_STR(names[0], "debian/trixie");
    const char *al = "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n";
    CHECK_INT(scan_os_parse(al, strlen(al), &os), KW_OK);
    CHECK_INT(scan_os_ecosystems(&os, NULL, names, 4, &kind), 1);
    CHECK_STR(names[0], "Alpine:v3.19");
    CHECK_INT(kind, SCAN_V_APK);
    const char *ro = "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.3\"\n";
    CHECK_INT(scan_os_parse(ro, strlen(ro), &os), KW_OK);
    CHECK_INT(scan_os_ecosystems(&os, NULL, names, 4, &kind), 1);
    CHECK_STR(names[0], "Rocky Linux:9");
    CHECK_INT(kind, SCAN_V_RPM);
    const char *ub = "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"22.04\"\nVERSION_CODENAME=jammy\n";
    CHECK_INT(scan_os_parse(ub, strlen(ub), &os), KW_OK);
    CHECK_INT(scan_os_ecosystems(&os, NULL, names, 4, &kind), 1);
    CHECK_STR(names[0], "Ubuntu:22.04");
    CHECK_INT(scan_os_parse("NAME=x\n", 7, &os), KW_ERR_PARSE);
}

/* A sink that keeps what it was given. */
typedef struct got {
    int n, covers;
    char ids[32][64], fixed[32][64], sev[32], pkg[32][32], sol[32][128];
    bool vb[32];
} got;

static kw_rc got_emit(void *ctx, const finding *f)
{
    got *g = ctx;
    if (g->n < 32) {
        snprintf(g->ids[g->n], 64, "%s", f->vuln_id);
        snprintf(g->fixed[g->n], 64, "%s", f->fixed ? f->fixed : "-");
        snprintf(g->pkg[g->n], 32, "%s", f->package ? f->package : "-");
        snprintf(g->sol[g->n], 128, "%s", f->solution ? f->solution : "-");
        g->sev[g->n] = (char)f->severity;
        g->vb[g->n] = f->version_based;
    }
    g->n++;
    return KW_OK;
}

static kw_rc got_cover(void *ctx, const finding_cover *c)
{
    got *g = ctx;
    g->covers += strcmp(c->scanner, "keepwatch-packages") == 0;
    return KW_OK;
}

static int got_find(const got *g, const char *id)
{
    for (int i = 0; i < g->n && i < 32; i++)
        if (strcmp(g->ids[i], id) == 0)
            return i;
    return -1;
}

/* Builds an index from the tracker file, fed in 7-byte pieces to cross every token boundary. */
static void build_tracker(kw_buf *idx)
{
    size_t n;
    char *s = slurp("tracker.json", &n), err[256] = "";
    scan_vuln_builder *b = scan_vuln_builder_new();
    scan_vuln_tracker *t = scan_vuln_tracker_new(scan_vuln_builder_add, b);
    kw_rc rc = KW_OK;
    for (size_t i = 0; i < n && rc == KW_OK; i += 7)
        rc = scan_vuln_tracker_feed(t, s + i, n - i < 7 ? n - i : 7, err, sizeof err);
    CHECK_INT(rc, KW_OK);
    CHECK_INT(scan_vuln_tracker_finish(t, err, sizeof err), KW_OK);
    CHECK_INT(scan_vuln_tracker_stats(t)->records, 7);  /* bullseye's "0" is never affected */
    CHECK_INT(scan_vuln_tracker_stats(t)->vulns, 7);
    scan_vuln_tracker_free(t);
    size_t o;
    char *osv = slurp("osv-ubuntu.json", &o);
    scan_vuln_stats st = {0};
    CHECK_INT(scan_vuln_parse_osv(osv, o, scan_vuln_builder_add, b, &st, err, sizeof err), KW_OK);
    CHECK_INT(st.records, 2);
    scan_vuln_builder_source(b, "tracker", "tracker.json", 1700000000000LL, 7);
    kw_buf_init(idx, 1 << 24);
    CHECK_INT(scan_vuln_builder_write(b, idx), KW_OK);
    scan_vuln_builder_free(b);
    free(s);
    free(osv);
}

static void test_tracker_check(void)
{
    kw_buf idx;
    build_tracker(&idx);
    scan_vuln_db db;
    CHECK_INT(scan_vuln_db_from_buffer(idx.data, idx.len, &db), KW_OK);
    CHECK_INT(db.n_recs, 9);
    const char *name, *from;
    int64_t when;
    uint32_t recs;
    CHECK(scan_vuln_db_source(&db, 0, &name, &from, &when, &recs));
    CHECK_STR(name, "tracker");
    CHECK_INT(when, 1700000000000LL);
    uint32_t first;
    CHECK_INT(scan_vuln_db_find(&db, "debian/bookworm", "openssh", &first), 3);
    CHECK_INT(scan_vuln_db_find(&db, "Ubuntu:22.04", "openssh", &first), 1);
    CHECK_INT(scan_vuln_db_find(&db, "debian/bookworm", "nope", &first), 0);

    size_t n;
    char *s = slurp("status", &n);
    scan_pkg_list l;
    scan_pkg_list_init(&l, SCAN_V_DEB, NULL);
    scan_pkg_parse_dpkg(s, n, &l);
    const char *ecos[] = {"debian/bookworm", "Debian:12"};
    scan_pkg_opts o = {.host = "web1", .ecos = ecos, .n_ecos = 2};
    got g = {0};
    finding_sink sink = {got_emit, got_cover, &g};
    scan_pkg_result res;
    CHECK_INT(scan_pkg_check(&db, &l, &o, &sink, &res), KW_OK);
    /* openssh deb12u2 < deb12u3: CVE-2024-6387; deb12u2 fixes CVE-2023-51385; the open
     * unimportant one is left out; zlib 1.2.13 is past 1.2.11; nginx 1.22.1-9 < -9+deb12u1 */
    CHECK_INT(g.n, 2);
    CHECK_INT(g.covers, 1);
    int i = got_find(&g, "CVE-2024-6387");
    CHECK(i >= 0);
    if (i >= 0) {
        CHECK_STR(g.fixed[i], "1:9.2p1-2+deb12u3");
        CHECK_INT(g.sev[i], FINDING_HIGH);
        CHECK_STR(g.pkg[i], "openssh");
        CHECK_STR(g.sol[i], "apt-get install --only-upgrade openssh-client openssh-server");
    }
    CHECK(got_find(&g, "CVE-2023-44487") >= 0);
    CHECK_INT(res.sources, 3);
    /* with --unimportant the open one appears, rated info and without a fixed version */
    memset(&g, 0, sizeof g);
    o.unimportant = true;
    scan_pkg_check(&db, &l, &o, &sink, &res);
    CHECK_INT(g.n, 3);
    i = got_find(&g, "CVE-2008-3234");
    CHECK(i >= 0 && g.sev[i] == FINDING_INFO && strcmp(g.fixed[i], "-") == 0);
    CHECK_INT(res.no_fix, 1);
    scan_pkg_list_free(&l);
    free(s);

    /* an open CVE with a high urgency is reported one step lower */
    scan_pkg_list_init(&l, SCAN_V_DEB, NULL);
    scan_pkg_list_add(&l, "redis-server", "5:7.0.15-1~deb12u1", "redis", NULL, "amd64");
    memset(&g, 0, sizeof g);
    scan_pkg_check(&db, &l, &o, &sink, &res);
    CHECK_INT(g.n, 1);
    CHECK_STR(g.ids[0], "CVE-2024-31449");
    CHECK_INT(g.sev[0], FINDING_MEDIUM);
    scan_pkg_list_free(&l);

    /* a banner's product: OpenSSH 9.2p1 with Debian's revision 2+deb12u2 */
    finding tmpl = {.host = "web1", .port = 22, .transport = "tcp", .service = "ssh", .scanner = "keepwatch"};
    size_t found;
    memset(&g, 0, sizeof g);
    o.unimportant = false;
    CHECK_INT(scan_vuln_match_product(&db, &o, "OpenSSH", "9.2p1", "2+deb12u2", &tmpl, &sink, &found), KW_OK);
    CHECK_INT(found, 1);
    CHECK_STR(g.ids[0], "CVE-2024-6387");
    CHECK(g.vb[0]);
    memset(&g, 0, sizeof g);
    CHECK_INT(scan_vuln_match_product(&db, &o, "OpenSSH", "9.2p1", "2+deb12u3", &tmpl, &sink, &found), KW_OK);
    CHECK_INT(found, 0);
    /* without a revision only the upstream version counts: 9.1 is before 9.2p1 */
    CHECK_INT(scan_vuln_match_product(&db, &o, "OpenSSH", "9.1p1", NULL, &tmpl, &sink, &found), KW_OK);
    CHECK_INT(found, 2);
    CHECK_INT(scan_vuln_match_product(&db, &o, "nginx", "1.22.0", NULL, &tmpl, &sink, &found), KW_OK);
    CHECK_INT(found, 1);
    CHECK_INT(scan_vuln_match_product(&db, &o, "Gopher", "1.0", NULL, &tmpl, &sink, &found), KW_ERR_NOTFOUND);
    /* Ubuntu's OSV ecosystem "Ubuntu:22.04:LTS" is found as Ubuntu:22.04 */
    const char *ub[] = {"Ubuntu:22.04"};
    scan_pkg_opts ou = {.host = "u", .ecos = ub, .n_ecos = 1};
    scan_pkg_list_init(&l, SCAN_V_DEB, NULL);
    scan_pkg_list_add(&l, "openssh-server", "1:8.9p1-3ubuntu0.6", "openssh", NULL, NULL);
    memset(&g, 0, sizeof g);
    scan_pkg_check(&db, &l, &ou, &sink, &res);
    CHECK_INT(g.n, 1);
    CHECK_INT(g.sev[0], FINDING_HIGH);
    scan_pkg_list_free(&l);
    kw_buf_free(&idx);
}

static void test_tracker_bad(void)
{
    const char *bad[] = {"", "[1,2]", "\"x\"", "{\"a\": {\"CVE-1\": {\"releases\": {\"bookworm\": ", "{]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        scan_vuln_builder *b = scan_vuln_builder_new();
        scan_vuln_tracker *t = scan_vuln_tracker_new(scan_vuln_builder_add, b);
        char err[256] = "";
        kw_rc rc = scan_vuln_tracker_feed(t, bad[i], strlen(bad[i]), err, sizeof err);
        if (rc == KW_OK)
            rc = scan_vuln_tracker_finish(t, err, sizeof err);
        CHECK_INT(rc, KW_ERR_PARSE);
        CHECK(err[0] != '\0');
        scan_vuln_tracker_free(t);
        scan_vuln_builder_free(b);
    }
    /* odd versions in the data: left out and counted, the rest kept */
    const char *odd = "{\"p\": {\"CVE-1\": {\"releases\": {\"bookworm\": {\"status\": \"resolved\", \"fixed_version\": \"<unfixed>\"},"
                      "\"trixie\": {\"status\": \"resolved\", \"fixed_version\": \"1.0 beta\"},"
                      "\"sid\": {\"status\": \"resolved\", \"fixed_version\": \"1:2.0-1\"}}}}}";
    scan_vuln_builder *ob = scan_vuln_builder_new();
    scan_vuln_tracker *ot = scan_vuln_tracker_new(scan_vuln_builder_add, ob);
    char oerr[128] = "";
    CHECK_INT(scan_vuln_tracker_feed(ot, odd, strlen(odd), oerr, sizeof oerr), KW_OK);
    CHECK_INT(scan_vuln_tracker_finish(ot, oerr, sizeof oerr), KW_OK);
    const char *why;
    CHECK_INT(scan_vuln_builder_invalid(ob, &why), 2);
    CHECK_CONTAINS(why, "version number does not start with digit");
    CHECK_INT(scan_vuln_builder_records(ob), 1);
    scan_vuln_tracker_free(ot);
    scan_vuln_builder_free(ob);
    scan_vuln_db db;
    CHECK_INT(scan_vuln_db_from_buffer("KWVULN01", 8, &db), KW_ERR_PARSE);
    CHECK_INT(scan_vuln_db_from_buffer("not an index at all, not at all", 32, &db), KW_ERR_PARSE);
}

/* debsecan's feed, as text and zlib-compressed: package lines name the vulnerability by index. */
static void test_debsecan(void)
{
    const char *text = "VERSION 1\n"
                       "CVE-2024-0001,,overflow in foo\n"
                       "CVE-2024-0002,,bar, with a comma\n"
                       "\n"
                       "foo,0,SHRF,1.2-3,1.1-4+deb11u1\n"
                       "libbar1,1,BL  ,,\n"
                       "foo,7,SH F,1.0,\n"
                       "\n"
                       "foo,foo-bin libfoo1\n";
    uLongf zn = compressBound(strlen(text));
    unsigned char *z = kw_malloc(zn);
    CHECK_INT(compress(z, &zn, (const unsigned char *)text, strlen(text)), Z_OK);
    for (int pass = 0; pass < 2; pass++) {
        scan_vuln_builder *b = scan_vuln_builder_new();
        scan_vuln_stats st = {0};
        char err[128] = "";
        kw_rc rc = pass ? scan_vuln_parse_debsecan((const char *)z, zn, "bookworm", scan_vuln_builder_add, b, &st, err, sizeof err)
                        : scan_vuln_parse_debsecan(text, strlen(text), "bookworm", scan_vuln_builder_add, b, &st, err, sizeof err);
        CHECK_INT(rc, KW_OK);
        CHECK_INT(st.records, 2);
        CHECK_INT(st.skipped, 1);
        CHECK_CONTAINS(st.first_error, "line 7");
        kw_buf idx;
        kw_buf_init(&idx, 1 << 20);
        scan_vuln_builder_write(b, &idx);
        scan_vuln_db db;
        CHECK_INT(scan_vuln_db_from_buffer(idx.data, idx.len, &db), KW_OK);
        uint32_t first;
        CHECK_INT(scan_vuln_db_find(&db, "debian/bookworm", "foo", &first), 1);
        scan_vuln_rec r;
        scan_vuln_db_get(&db, first, &r);
        CHECK_STR(r.fixed, "1.2-3");
        CHECK_INT(r.sev, FINDING_HIGH);
        CHECK(r.flags & SCAN_VF_REMOTE);
        CHECK(!scan_vuln_affects(&r, SCAN_V_DEB, "1.1-4+deb11u1"));  /* fixed in another suite */
        CHECK(scan_vuln_affects(&r, SCAN_V_DEB, "1.1-4"));
        CHECK(!scan_vuln_affects(&r, SCAN_V_DEB, "1.2-3"));
        CHECK_INT(scan_vuln_db_find(&db, "debian/bookworm", "libbar1", &first), 1);
        scan_vuln_db_get(&db, first, &r);
        CHECK(r.flags & SCAN_VF_BINARY);
        CHECK_INT(r.status, SCAN_VS_OPEN);
        CHECK_STR(r.desc, "bar, with a comma");
        kw_buf_free(&idx);
        scan_vuln_builder_free(b);
    }
    free(z);
    scan_vuln_stats st = {0};
    char err[128];
    CHECK_INT(scan_vuln_parse_debsecan("VERSION 2\n", 10, NULL, scan_vuln_builder_add, NULL, &st, err, sizeof err),
              KW_ERR_PARSE);
    CHECK_CONTAINS(err, "VERSION 1");
    CHECK_INT(scan_vuln_parse_debsecan("\x78\x9c garbage", 10, NULL, scan_vuln_builder_add, NULL, &st, err, sizeof err),
              KW_ERR_PARSE);
}

static void test_osv(void)
{
    size_t n;
    char *s = slurp("osv-alpine.json", &n), err[128] = "";
    scan_vuln_builder *b = scan_vuln_builder_new();
    scan_vuln_stats st = {0};
    CHECK_INT(scan_vuln_parse_osv(s, n, scan_vuln_builder_add, b, &st, err, sizeof err), KW_OK);
    CHECK_INT(st.records, 1);
    const char *ev = "{\"id\":\"DSA-1-1\",\"aliases\":[\"CVE-2020-1\"],\"affected\":[{\"package\":{\"ecosystem\":\"Debian:12\","
                     "\"name\":\"foo\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"1.0\"},"
                     "{\"last_affected\":\"1.4\"},{\"introduced\":\"2.0\"}]}]},{\"package\":{\"ecosystem\":\"Debian:12\","
                     "\"name\":\"bar\"},\"versions\":[\"1.0-1\",\"1.0-2\"]}]}";
    CHECK_INT(scan_vuln_parse_osv(ev, strlen(ev), scan_vuln_builder_add, b, &st, err, sizeof err), KW_OK);
    CHECK_INT(st.records, 4);
    kw_buf idx;
    kw_buf_init(&idx, 1 << 20);
    scan_vuln_builder_write(b, &idx);
    scan_vuln_db db;
    scan_vuln_db_from_buffer(idx.data, idx.len, &db);
    uint32_t first;
    CHECK_INT(scan_vuln_db_find(&db, "Alpine:v3.19", "openssl", &first), 1);
    scan_vuln_rec r;
    scan_vuln_db_get(&db, first, &r);
    CHECK_STR(r.id, "CVE-2023-5363");
    CHECK(scan_vuln_affects(&r, SCAN_V_APK, "3.1.4_rc1-r0"));
    CHECK(!scan_vuln_affects(&r, SCAN_V_APK, "3.1.4-r0"));
    CHECK_INT(scan_vuln_db_find(&db, "Debian:12", "foo", &first), 2);
    scan_vuln_rec a, c;
    scan_vuln_db_get(&db, first, &a);
    scan_vuln_db_get(&db, first + 1, &c);
    CHECK_STR(a.id, "CVE-2020-1");
    bool in_last = scan_vuln_affects(&a, SCAN_V_DEB, "1.4") || scan_vuln_affects(&c, SCAN_V_DEB, "1.4");
    bool gap = scan_vuln_affects(&a, SCAN_V_DEB, "1.5") || scan_vuln_affects(&c, SCAN_V_DEB, "1.5");
    bool second = scan_vuln_affects(&a, SCAN_V_DEB, "2.1") || scan_vuln_affects(&c, SCAN_V_DEB, "2.1");
    CHECK(in_last && !gap && second);
    CHECK_INT(scan_vuln_db_find(&db, "Debian:12", "bar", &first), 1);
    scan_vuln_db_get(&db, first, &r);
    CHECK(scan_vuln_affects(&r, SCAN_V_DEB, "1.0-2"));
    CHECK(!scan_vuln_affects(&r, SCAN_V_DEB, "1.0-3"));
    /* an advisory covering two CVEs keeps its id; one covering one CVE (twice named) is that CVE */
    const char *dsa = "{\"id\":\"DSA-5678-1\",\"upstream\":[\"CVE-2024-1\",\"CVE-2024-2\"],\"affected\":[{\"package\":"
                      "{\"ecosystem\":\"Debian:12\",\"name\":\"adv\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":"
                      "[{\"introduced\":\"0\"},{\"fixed\":\"2.0\"}]}]}]}";
    const char *dla = "{\"id\":\"DLA-1-1\",\"aliases\":[\"CVE-2024-3\"],\"upstream\":[\"CVE-2024-3\"],\"affected\":[{\"package\":"
                      "{\"ecosystem\":\"Debian:12\",\"name\":\"adv\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":"
                      "[{\"introduced\":\"0\"},{\"fixed\":\"2.0\"}]}]}]}";
    CHECK_INT(scan_vuln_parse_osv(dsa, strlen(dsa), scan_vuln_builder_add, b, &st, err, sizeof err), KW_OK);
    CHECK_INT(scan_vuln_parse_osv(dla, strlen(dla), scan_vuln_builder_add, b, &st, err, sizeof err), KW_OK);
    kw_buf_reset(&idx);
    scan_vuln_builder_write(b, &idx);
    scan_vuln_db_from_buffer(idx.data, idx.len, &db);
    CHECK_INT(scan_vuln_db_find(&db, "Debian:12", "adv", &first), 2);
    scan_vuln_db_get(&db, first, &a);
    scan_vuln_db_get(&db, first + 1, &c);
    CHECK_STR(a.id, "CVE-2024-3");
    CHECK_STR(c.id, "DSA-5678-1");
    CHECK_INT(scan_vuln_parse_osv("{\"id\":1}", 8, scan_vuln_builder_add, b, &st, err, sizeof err), KW_ERR_PARSE);
    CHECK_INT(scan_vuln_parse_osv("{", 1, scan_vuln_builder_add, b, &st, err, sizeof err), KW_ERR_PARSE);
    kw_buf_free(&idx);
    scan_vuln_builder_free(b);
    free(s);
}

/* The first ecosystem that has an id decides it: the tracker's "fixed" is not overruled by a
 * later OSV range; an id only the later one has is reported from it. */
static void test_eco_precedence(void)
{
    scan_vuln_builder *b = scan_vuln_builder_new();
    scan_vuln_rec recs[] = {
        {.eco = "debian/bookworm", .pkg = "foo", .id = "CVE-1", .fixed = "1.0-2", .sev = FINDING_HIGH, .score = -1},
        {.eco = "Debian:12", .pkg = "foo", .id = "CVE-1", .fixed = "1.0-9", .sev = FINDING_HIGH, .score = -1},
        {.eco = "Debian:12", .pkg = "foo", .id = "CVE-2", .fixed = "1.0-9", .sev = FINDING_LOW, .score = 5.3},
        {.eco = "debian/bookworm", .pkg = "foo", .id = "CVE-3", .introduced = "1.0-5", .fixed = "1.0-6", .score = -1},
        {.eco = "debian/bookworm", .pkg = "foo", .id = "CVE-3", .introduced = "0.5", .fixed = "0.9", .score = -1},
    };
    for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++)
        CHECK_INT(scan_vuln_builder_add(b, &recs[i]), KW_OK);
    kw_buf idx;
    kw_buf_init(&idx, 1 << 20);
    CHECK_INT(scan_vuln_builder_write(b, &idx), KW_OK);
    scan_vuln_db db;
    CHECK_INT(scan_vuln_db_from_buffer(idx.data, idx.len, &db), KW_OK);
    scan_vuln_rec r;
    uint32_t first;
    CHECK_INT(scan_vuln_db_find(&db, "Debian:12", "foo", &first), 2);
    scan_vuln_db_get(&db, first + 1, &r);
    CHECK_NEAR(r.score, 5.3, 1e-9);
    scan_pkg_list l;
    scan_pkg_list_init(&l, SCAN_V_DEB, NULL);
    scan_pkg_list_add(&l, "libfoo1", "1.0-3", "foo", NULL, NULL);
    const char *ecos[] = {"debian/bookworm", "Debian:12"};
    scan_pkg_opts o = {.host = "h", .ecos = ecos, .n_ecos = 2};
    got g = {0};
    finding_sink sink = {got_emit, got_cover, &g};
    scan_pkg_result res;
    CHECK_INT(scan_pkg_check(&db, &l, &o, &sink, &res), KW_OK);
    CHECK_INT(g.n, 1);
    CHECK_STR(g.ids[0], "CVE-2");
    CHECK_STR(g.sol[0], "apt-get install --only-upgrade libfoo1");
    scan_pkg_list_free(&l);
    /* 1.0-5 is inside CVE-3's second range */
    scan_pkg_list_init(&l, SCAN_V_DEB, NULL);
    scan_pkg_list_add(&l, "libfoo1", "1.0-5", "foo", NULL, NULL);
    memset(&g, 0, sizeof g);
    scan_pkg_check(&db, &l, &o, &sink, &res);
    CHECK_INT(g.n, 2);
    CHECK(got_find(&g, "CVE-3") >= 0 && got_find(&g, "CVE-2") >= 0);
    scan_pkg_list_free(&l);
    kw_buf_free(&idx);
    scan_vuln_builder_free(b);
}

/* This machine's own dpkg status file, where it has one: the same installed packages and
 * versions as dpkg-query lists. */
static void test_dpkg_real(void)
{
    size_t n = 0;
    FILE *f = fopen("/var/lib/dpkg/status", "rb");
    FILE *q = popen("dpkg-query -W -f='${db:Status-Status} ${Package} ${Version}\\n' 2>/dev/null", "r");
    if (!f || !q) {
        fprintf(stderr, "  no dpkg here: not run\n");
        if (f)
            fclose(f);
        if (q)
            pclose(q);
        return;
    }
    kw_buf b;
    kw_buf_init(&b, 256 << 20);
    char tmp[65536];
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        kw_buf_append(&b, tmp, n);
    fclose(f);
    scan_pkg_list l;
    scan_pkg_list_init(&l, SCAN_V_DEB, NULL);
    CHECK_INT(scan_pkg_parse_dpkg(b.data, b.len, &l), KW_OK);
    CHECK_INT(l.skipped, 0);
    char line[1024];
    size_t installed = 0, matched = 0;
    while (fgets(line, sizeof line, q)) {
        char st[64], name[256], ver[256];
        if (sscanf(line, "%63s %255s %255s", st, name, ver) != 3 || strcmp(st, "installed") != 0)
            continue;
        installed++;
        for (size_t i = 0; i < l.n; i++)
            if (strcmp(l.v[i].name, name) == 0 && strcmp(l.v[i].version, ver) == 0) {
                matched++;
                break;
            }
    }
    pclose(q);
    CHECK(installed > 0);
    CHECK_INT(l.n, installed);
    CHECK_INT(matched, installed);
    fprintf(stderr, "  %zu installed packages, as dpkg-query lists them\n", l.n);
    scan_pkg_list_free(&l);
    kw_buf_free(&b);
}

int main(void)
{
    RUN(test_dpkg_status);
    RUN(test_dpkg_real);
    RUN(test_rpm_apk);
    RUN(test_os_release);
    RUN(test_tracker_check);
    RUN(test_tracker_bad);
    RUN(test_debsecan);
    RUN(test_osv);
    RUN(test_eco_precedence);
    TEST_MAIN_END();
}
