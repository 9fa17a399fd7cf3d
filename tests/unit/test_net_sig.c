/* Unit tests for the Suricata-format signature engine (src/net/net_sig_*.c): parsing and the
 * skip report, content/pcre/position semantics, headers and variables, pass and noalert, the
 * ET-style sample file, the built-in rules against tests/data/net/http_cases.txt, and
 * Hyperscan against the portable prefilter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/kw_buf.h"
#include "core/kw_mem.h"
#include "kw_test.h"
#include "net/net_sig.h"
#include "net/net_sig_int.h"

/* ---- helpers ---- */

static char *slurp(const char *name, size_t *n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/net/%s", KW_TEST_DATA, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = kw_malloc(1 << 20);
    *n = fread(buf, 1, (1 << 20) - 1, f);
    buf[*n] = '\0';
    fclose(f);
    return buf;
}

typedef struct hits {
    uint32_t sid[64];
    char cat[64][32];
    size_t n;
} hits;

static void on_hit(void *arg, const net_sig_rule *r)
{
    hits *h = arg;
    if (h->n < 64) {
        h->sid[h->n] = net_sig_rule_sid(r);
        kw_strlcpy(h->cat[h->n], net_sig_rule_category(r), sizeof h->cat[0]);
        h->n++;
    }
}

static void set_buf(net_sig_input *in, net_buf_id id, const char *s)
{
    in->b[id].p = (const uint8_t *)s;
    in->b[id].n = strlen(s);
}

static void http_input(net_sig_input *in)
{
    memset(in, 0, sizeof *in);
    in->proto = 6;
    in->app = NET_SIG_APP_HTTP;
    in->sport = 50000;
    in->dport = 80;
    in->flags = NET_SIG_TO_SERVER | NET_SIG_ESTABLISHED;
}

static net_sig_set *load(const char *text, net_sig_report *rep)
{
    net_sig_set *s = NULL;
    CHECK(net_sig_set_load(&s, text, strlen(text), "t.rules", rep) == KW_OK);
    return s;
}

/* How many rules of s match in, with the default prefilter. */
static size_t run(const net_sig_set *s, const net_sig_input *in, hits *h)
{
    net_sig_scratch *sc = net_sig_scratch_new(s);
    hits tmp = {0};
    size_t n = net_sig_match(s, sc, in, on_hit, h ? h : &tmp);
    net_sig_scratch_free(sc);
    return n;
}

/* One rule, one payload buffer: does it match? */
static bool one(const char *rule, net_buf_id id, const char *data)
{
    net_sig_report rep = {0};
    net_sig_set *s = load(rule, &rep);
    if (rep.loaded != 1) {
        fprintf(stderr, "  rule did not load: %s\n", rep.nskips ? rep.skips[0].reason : "?");
        CHECK_INT(rep.loaded, 1);
    }
    net_sig_input in;
    http_input(&in);
    set_buf(&in, id, data);
    size_t n = run(s, &in, NULL);
    net_sig_set_free(s);
    net_sig_report_free(&rep);
    return n == 1;
}

#define R(body) "alert http any any -> any any (msg:\"t\"; " body " sid:1;)"

/* ---- parsing ---- */

static void test_parse_fields(void)
{
    net_sig_report rep = {0};
    net_sig_set *s = load("alert http $EXTERNAL_NET any -> $HOME_NET any (msg:\"A \\\"quoted\\\" \\; msg\"; "
                          "http.uri; content:\"/x\"; reference:url,example.com/a; reference:cve,2021-44228; "
                          "classtype:web-application-attack; sid:42; rev:7; gid:3; priority:2; "
                          "metadata: created_at 2024_01_01, kw_category sqli;)\n",
                          &rep);
    CHECK_INT(rep.loaded, 1);
    CHECK_INT(rep.skipped, 0);
    const net_sig_rule *r = net_sig_set_rule(s, 0);
    CHECK(r != NULL);
    if (r) {
        CHECK_INT(net_sig_rule_sid(r), 42);
        CHECK_INT(net_sig_rule_rev(r), 7);
        CHECK_INT(net_sig_rule_gid(r), 3);
        CHECK_INT(net_sig_rule_priority(r), 2);
        CHECK_STR(net_sig_rule_msg(r), "A \"quoted\" ; msg");
        CHECK_STR(net_sig_rule_classtype(r), "web-application-attack");
        CHECK_STR(net_sig_rule_category(r), "sqli");
        CHECK_STR(net_sig_rule_metadata(r), "created_at 2024_01_01, kw_category sqli");
        CHECK_INT(net_sig_rule_nrefs(r), 2);
        CHECK_STR(net_sig_rule_ref(r, 1), "cve,2021-44228");
        CHECK_STR(net_sig_rule_origin(r), "t.rules:1");
        CHECK(net_sig_rule_action(r) == NET_SIG_ALERT);
    }
    net_sig_set_free(s);
    net_sig_report_free(&rep);
}

static const char *skip_reason(const net_sig_report *rep, uint32_t sid)
{
    for (size_t i = 0; i < rep->nskips; i++)
        if (rep->skips[i].sid == sid)
            return rep->skips[i].reason;
    return "(not skipped)";
}

static void test_skip_report(void)
{
    net_sig_report rep = {0};
    net_sig_set *s = load("# a comment\n"
                          "\n"
                          "alert tcp any any -> any any (msg:\"bt\"; content:\"x\"; byte_test:1,>,2,0; sid:5;)\n"
                          "alert http any any -> any any (msg:\"ok\"; content:\"x\"; sid:6;)\n"
                          "alert http any any -> any any (msg:\"bad\"; content:\"|4|\"; sid:7;)\n"
                          "alert http any any -> any any (msg:\"nosid\"; content:\"x\";)\n"
                          "alert http any any -> any any (msg:\"unterminated\"; content:\"x\"; sid:8\n"
                          "alert http any any -> any (msg:\"short header\"; sid:9;)\n",
                          &rep);
    CHECK_INT(rep.loaded, 1);
    CHECK_INT(rep.skipped, 5);
    CHECK_INT(rep.nskips, 5);
    CHECK_STR(skip_reason(&rep, 5), "unsupported keyword: byte_test");
    CHECK_CONTAINS(skip_reason(&rep, 7), "parse error: ");
    CHECK_CONTAINS(skip_reason(&rep, 7), "hex");
    CHECK_CONTAINS(skip_reason(&rep, 9), "header");
    if (rep.nskips >= 3) {
        CHECK_INT(rep.skips[0].line, 3);
        CHECK_STR(rep.skips[0].origin, "t.rules");
        CHECK_INT(rep.skips[2].line, 6);
        CHECK_INT(rep.skips[2].sid, 0);
        CHECK_STR(rep.skips[2].reason, "parse error: no sid");
    }
    CHECK_INT(net_sig_set_count(s), 1);
    net_sig_set_free(s);
    net_sig_report_free(&rep);
}

/* ---- content semantics ---- */

static void test_content_basic(void)
{
    CHECK(one(R("content:\"abc\";"), NET_BUF_PAYLOAD, "xxabcxx"));
    CHECK(!one(R("content:\"abc\";"), NET_BUF_PAYLOAD, "xxABCxx"));
    CHECK(one(R("content:\"abc\"; nocase;"), NET_BUF_PAYLOAD, "xxABCxx"));
    CHECK(one(R("content:\"a|3b 20|b\";"), NET_BUF_PAYLOAD, "a; b"));
    CHECK(one(R("content:\"a\\;b\\\"c\";"), NET_BUF_PAYLOAD, "a;b\"c"));
    CHECK(!one(R("content:\"|00 ff|\"; content:\"z\";"), NET_BUF_PAYLOAD, "z"));
    CHECK(one(R("content:\"x\"; content:!\"evil\";"), NET_BUF_PAYLOAD, "x good"));
    CHECK(!one(R("content:\"x\"; content:!\"evil\";"), NET_BUF_PAYLOAD, "x evil"));
    /* a buffer other than the one the content is in does not count */
    CHECK(!one(R("http.uri; content:\"abc\";"), NET_BUF_HTTP_HEADER, "abc"));
    CHECK(one(R("http.uri; content:\"abc\";"), NET_BUF_HTTP_URI, "/abc"));
}

static void test_content_positions(void)
{
    CHECK(one(R("content:\"def\"; offset:3; depth:3;"), NET_BUF_PAYLOAD, "abcdefgh"));
    CHECK(!one(R("content:\"def\"; offset:4;"), NET_BUF_PAYLOAD, "abcdefgh"));
    CHECK(!one(R("content:\"def\"; depth:5;"), NET_BUF_PAYLOAD, "abcdefgh"));
    CHECK(one(R("content:\"def\"; depth:6;"), NET_BUF_PAYLOAD, "abcdefgh"));
    CHECK(one(R("content:\"abc\"; startswith;"), NET_BUF_PAYLOAD, "abcdef"));
    CHECK(!one(R("content:\"bcd\"; startswith;"), NET_BUF_PAYLOAD, "abcdef"));
    CHECK(one(R("content:\"def\"; endswith;"), NET_BUF_PAYLOAD, "abcdef"));
    CHECK(!one(R("content:\"abc\"; endswith;"), NET_BUF_PAYLOAD, "abcdef"));
    /* endswith finds the last occurrence, not only the first */
    CHECK(one(R("content:\"ab\"; endswith;"), NET_BUF_PAYLOAD, "abxab"));
    /* distance/within from the end of the previous match */
    CHECK(one(R("content:\"ab\"; content:\"cd\"; distance:2; within:2;"), NET_BUF_PAYLOAD, "abxxcd"));
    CHECK(!one(R("content:\"ab\"; content:\"cd\"; distance:3;"), NET_BUF_PAYLOAD, "abxxcd"));
    CHECK(!one(R("content:\"ab\"; content:\"cd\"; within:3;"), NET_BUF_PAYLOAD, "abxxcd"));
    CHECK(one(R("content:\"cd\"; content:\"ab\"; distance:-6; within:2;"), NET_BUF_PAYLOAD, "abxxcd"));
    /* backtracking: the first "a" is not followed by "b", the second is */
    CHECK(one(R("content:\"a\"; content:\"b\"; within:1;"), NET_BUF_PAYLOAD, "a-ab"));
    CHECK(!one(R("content:\"a\"; content:\"b\"; within:1;"), NET_BUF_PAYLOAD, "a-a-b"));
    CHECK(one(R("content:\"k=\"; content:\"x\"; distance:0; content:\"y\"; within:1;"), NET_BUF_PAYLOAD,
              "k= x- x- xy"));
    /* depth on a relative content counts from the previous match (as Suricata does) */
    CHECK(one(R("content:\"ab\"; content:\"cd\"; distance:0; depth:4;"), NET_BUF_PAYLOAD, "xxxxabxxcd"));
    CHECK(!one(R("content:\"ab\"; content:\"cd\"; distance:0; depth:3;"), NET_BUF_PAYLOAD, "xxxxabxxcd"));
    /* negated relative content */
    CHECK(one(R("content:\"id=\"; content:!\"'\"; within:1;"), NET_BUF_PAYLOAD, "id=5"));
    CHECK(!one(R("content:\"id=\"; content:!\"'\"; within:1;"), NET_BUF_PAYLOAD, "id='"));
}

static void test_isdataat_sizes(void)
{
    CHECK(one(R("content:\"ab\"; isdataat:2,relative;"), NET_BUF_PAYLOAD, "abcd"));
    CHECK(!one(R("content:\"ab\"; isdataat:3,relative;"), NET_BUF_PAYLOAD, "abcd"));
    CHECK(one(R("content:\"ab\"; isdataat:!3,relative;"), NET_BUF_PAYLOAD, "abcd"));
    CHECK(!one(R("content:\"ab\"; isdataat:!2,relative;"), NET_BUF_PAYLOAD, "abcd"));
    CHECK(one(R("content:\"ab\"; isdataat:3;"), NET_BUF_PAYLOAD, "abcd"));
    CHECK(!one(R("content:\"ab\"; isdataat:4;"), NET_BUF_PAYLOAD, "abcd"));
    CHECK(one(R("http.uri; content:\"/a\"; bsize:4;"), NET_BUF_HTTP_URI, "/abc"));
    CHECK(!one(R("http.uri; content:\"/a\"; bsize:<4;"), NET_BUF_HTTP_URI, "/abc"));
    CHECK(one(R("http.uri; content:\"/a\"; bsize:3<>5;"), NET_BUF_HTTP_URI, "/abc"));
    CHECK(one(R("content:\"/a\"; http_uri; urilen:>3;"), NET_BUF_HTTP_URI, "/abc"));
    CHECK(!one(R("content:\"/a\"; http_uri; urilen:>4;"), NET_BUF_HTTP_URI, "/abc"));
}

static void test_pcre(void)
{
    CHECK(one(R("pcre:\"/^GET\\s+\\/a/\";"), NET_BUF_PAYLOAD, "GET /a HTTP/1.1"));
    CHECK(one(R("pcre:\"/union\\s+select/Ui\";"), NET_BUF_HTTP_URI, "/x?id=1 UNION  SELECT"));
    CHECK(!one(R("pcre:\"/union\\s+select/Ui\";"), NET_BUF_HTTP_HEADER, "union select"));
    CHECK(one(R("pcre:\"/^X-Evil:/mH\";"), NET_BUF_HTTP_HEADER, "Host: a\r\nX-Evil: 1\r\n"));
    CHECK(!one(R("pcre:\"/^X-Evil:/H\";"), NET_BUF_HTTP_HEADER, "Host: a\r\nX-Evil: 1\r\n"));
    /* R: relative to the previous match; ^ anchors there */
    CHECK(one(R("http.uri; content:\"file=\"; pcre:\"/^\\.\\.\\//R\";"), NET_BUF_HTTP_URI, "/?file=../x"));
    CHECK(!one(R("http.uri; content:\"file=\"; pcre:\"/^\\.\\.\\//R\";"), NET_BUF_HTTP_URI, "/?file=a../x"));
    CHECK(one(R("content:\"a\"; pcre:!\"/evil/\";"), NET_BUF_PAYLOAD, "a good"));
    CHECK(!one(R("content:\"a\"; pcre:!\"/evil/\";"), NET_BUF_PAYLOAD, "a evil"));
    /* ; inside an expression, escaped */
    CHECK(one(R("pcre:\"/a\\;b/\";"), NET_BUF_PAYLOAD, "a;b"));
}

static void test_legacy_and_sticky(void)
{
    const char *rule = "alert http any any -> any any (msg:\"m\"; content:\"POST\"; http_method; "
                       "content:\"/up\"; http_uri; content:\"evil\"; http_user_agent; nocase; sid:1;)";
    net_sig_set *s = load(rule, NULL);
    net_sig_input in;
    http_input(&in);
    set_buf(&in, NET_BUF_HTTP_METHOD, "POST");
    set_buf(&in, NET_BUF_HTTP_URI, "/upload");
    set_buf(&in, NET_BUF_HTTP_USER_AGENT, "EvilBot");
    CHECK_INT(run(s, &in, NULL), 1);
    set_buf(&in, NET_BUF_HTTP_METHOD, "GET");
    CHECK_INT(run(s, &in, NULL), 0);
    net_sig_set_free(s);
    /* raw buffers fall back to the normalised ones when the caller leaves them empty */
    CHECK(one(R("http.uri.raw; content:\"%2e\";"), NET_BUF_HTTP_URI, "/%2e"));
    CHECK(one(R("http.header.raw; content:\"X-A\";"), NET_BUF_HTTP_HEADER, "X-A: 1\r\n"));
}

/* ---- header, variables, flow ---- */

static void test_header_vars(void)
{
    net_sig_var vars[] = {{"HOME_NET", "[10.0.0.0/8,192.168.1.0/24]"},
                          {"EXTERNAL_NET", "!$HOME_NET"},
                          {"HTTP_PORTS", "[80,8000:8099,!8081]"}};
    const char *text = "alert tcp $EXTERNAL_NET any -> $HOME_NET $HTTP_PORTS (msg:\"v\"; content:\"x\"; sid:1;)\n"
                       "alert tcp any any <> 10.1.1.1 22 (msg:\"bi\"; content:\"y\"; sid:2;)\n"
                       "alert tcp any any -> any any (msg:\"to client\"; flow:to_client; content:\"z\"; sid:3;)\n";
    net_sig_builder *b = net_sig_builder_new(vars, 3);
    net_sig_report rep = {0};
    CHECK(net_sig_builder_add(b, text, strlen(text), "v.rules", &rep) == KW_OK);
    CHECK_INT(rep.loaded, 3);
    net_sig_set *s = NULL;
    CHECK(net_sig_builder_compile(b, &s, NULL, 0) == KW_OK);
    net_sig_input in;
    http_input(&in);
    in.app = NET_SIG_APP_NONE;
    in.has_addr = true;
    kw_prefix_parse("203.0.113.5", &in.src, &(int){0});
    kw_prefix_parse("10.2.3.4", &in.dst, &(int){0});
    set_buf(&in, NET_BUF_PAYLOAD, "x");
    CHECK_INT(run(s, &in, NULL), 1);
    in.dport = 8081;
    CHECK_INT(run(s, &in, NULL), 0);
    in.dport = 8050;
    CHECK_INT(run(s, &in, NULL), 1);
    kw_prefix_parse("192.168.1.9", &in.src, &(int){0}); /* source inside HOME_NET */
    CHECK_INT(run(s, &in, NULL), 0);
    /* bidirectional: the server's answer from 10.1.1.1:22 matches too */
    set_buf(&in, NET_BUF_PAYLOAD, "y");
    kw_prefix_parse("10.1.1.1", &in.src, &(int){0});
    in.sport = 22;
    in.dport = 40000;
    CHECK_INT(run(s, &in, NULL), 1);
    in.sport = 23;
    CHECK_INT(run(s, &in, NULL), 0);
    /* flow */
    set_buf(&in, NET_BUF_PAYLOAD, "z");
    CHECK_INT(run(s, &in, NULL), 0);
    in.flags = NET_SIG_TO_CLIENT;
    CHECK_INT(run(s, &in, NULL), 1);
    /* a udp input does not meet a tcp rule */
    in.proto = 17;
    CHECK_INT(run(s, &in, NULL), 0);
    net_sig_set_free(s);
    net_sig_report_free(&rep);
}

static void test_pass_noalert(void)
{
    net_sig_set *s = load("alert http any any -> any any (msg:\"a\"; http.uri; content:\"/admin\"; sid:1;)\n"
                          "pass http any any -> any any (msg:\"p\"; http.uri; content:\"/admin/health\"; sid:2;)\n"
                          "alert http any any -> any any (msg:\"q\"; http.uri; content:\"/quiet\"; noalert; sid:3;)\n",
                          NULL);
    net_sig_input in;
    http_input(&in);
    set_buf(&in, NET_BUF_HTTP_URI, "/admin/x");
    CHECK_INT(run(s, &in, NULL), 1);
    set_buf(&in, NET_BUF_HTTP_URI, "/admin/health");
    CHECK_INT(run(s, &in, NULL), 0);
    set_buf(&in, NET_BUF_HTTP_URI, "/quiet");
    CHECK_INT(run(s, &in, NULL), 0);
    /* an http rule does not meet a DNS input */
    in.app = NET_SIG_APP_DNS;
    set_buf(&in, NET_BUF_HTTP_URI, "/admin/x");
    CHECK_INT(run(s, &in, NULL), 0);
    net_sig_set_free(s);
}

/* ---- the ET-style sample ---- */

static void test_et_style_file(void)
{
    size_t n = 0;
    char *text = slurp("et_style.rules", &n);
    CHECK(text != NULL);
    if (!text)
        return;
    net_sig_report rep = {0};
    net_sig_set *s = NULL;
    CHECK(net_sig_set_load(&s, text, n, "et_style.rules", &rep) == KW_OK);
    CHECK_INT(rep.loaded, 14);
    CHECK_INT(rep.skipped, 12);
    CHECK_STR(skip_reason(&rep, 1000110), "unsupported keyword: to_lowercase");
    CHECK_STR(skip_reason(&rep, 1000101), "unsupported keyword: byte_test");
    CHECK_STR(skip_reason(&rep, 1000102), "unsupported keyword: lua");
    CHECK_STR(skip_reason(&rep, 1000103), "unsupported keyword: dataset");
    CHECK_STR(skip_reason(&rep, 1000104), "unsupported keyword: flowbits:isset");
    CHECK_STR(skip_reason(&rep, 1000105), "unsupported protocol: smb");
    CHECK_STR(skip_reason(&rep, 1000106), "unsupported keyword: file.data");
    CHECK_STR(skip_reason(&rep, 1000107), "unsupported keyword: pcre flag B");
    CHECK_CONTAINS(skip_reason(&rep, 1000108), "parse error");
    CHECK_CONTAINS(skip_reason(&rep, 1000109), "nocase without a content");
    CHECK_STR(skip_reason(&rep, 1000001), "duplicate sid");
    /* the continued rule starts on its first line */
    bool found = false;
    for (size_t i = 0; i < net_sig_set_count(s); i++)
        if (net_sig_rule_sid(net_sig_set_rule(s, i)) == 1000013) {
            found = true;
            CHECK_CONTAINS(net_sig_rule_origin(net_sig_set_rule(s, i)), "et_style.rules:");
        }
    CHECK(found);

    net_sig_input in;
    hits h = {0};
    http_input(&in);
    set_buf(&in, NET_BUF_HTTP_METHOD, "POST");
    set_buf(&in, NET_BUF_HTTP_URI, "/ADMIN/upload.cgi");
    CHECK_INT(run(s, &in, &h), 1);
    CHECK_INT(h.sid[0], 1000001);

    http_input(&in);
    set_buf(&in, NET_BUF_HTTP_METHOD, "GET");
    set_buf(&in, NET_BUF_HTTP_URI, "/cgi-bin/test.sh");
    set_buf(&in, NET_BUF_HTTP_HEADER, "Host: x\r\nUser-Agent: () { :; }; /bin/id\r\n");
    h.n = 0;
    CHECK_INT(run(s, &in, &h), 1);
    CHECK_INT(h.sid[0], 1000002);

    http_input(&in);
    set_buf(&in, NET_BUF_HTTP_URI, "/p?id=1 union select 1&file=a/../../x");
    h.n = 0;
    CHECK_INT(run(s, &in, &h), 2);
    CHECK_INT(h.sid[0], 1000003);
    CHECK_INT(h.sid[1], 1000004);

    http_input(&in);
    set_buf(&in, NET_BUF_HTTP_USER_AGENT, "curl/8.0");
    CHECK_INT(run(s, &in, NULL), 1);
    set_buf(&in, NET_BUF_HTTP_USER_AGENT, "curl/8.0 keepwatch-probe");
    CHECK_INT(run(s, &in, NULL), 0);

    http_input(&in);
    set_buf(&in, NET_BUF_HTTP_URI, "/healthz");
    CHECK_INT(run(s, &in, NULL), 0);
    set_buf(&in, NET_BUF_HTTP_URI, "/quiet");
    CHECK_INT(run(s, &in, NULL), 0);
    set_buf(&in, NET_BUF_HTTP_URI, "/continued");
    CHECK_INT(run(s, &in, NULL), 1);

    memset(&in, 0, sizeof in);
    in.proto = 17;
    in.app = NET_SIG_APP_DNS;
    set_buf(&in, NET_BUF_DNS_QUERY, "c2.EVIL.example");
    h.n = 0;
    CHECK_INT(run(s, &in, &h), 1);
    CHECK_INT(h.sid[0], 1000008);
    /* dotprefix */
    set_buf(&in, NET_BUF_DNS_QUERY, "bad.example");
    h.n = 0;
    CHECK_INT(run(s, &in, &h), 1);
    CHECK_INT(h.sid[0], 1000014);
    set_buf(&in, NET_BUF_DNS_QUERY, "www.Bad.Example");
    CHECK_INT(run(s, &in, NULL), 1);
    set_buf(&in, NET_BUF_DNS_QUERY, "notbad.example");
    CHECK_INT(run(s, &in, NULL), 0);

    memset(&in, 0, sizeof in);
    in.proto = 6;
    in.app = NET_SIG_APP_TLS;
    in.flags = NET_SIG_TO_SERVER | NET_SIG_ESTABLISHED;
    set_buf(&in, NET_BUF_TLS_SNI, "www.bad.example");
    CHECK_INT(run(s, &in, NULL), 1);
    set_buf(&in, NET_BUF_TLS_SNI, "www.bad.example.org");
    CHECK_INT(run(s, &in, NULL), 0);

    net_sig_set_free(s);
    net_sig_report_free(&rep);
    free(text);
}

/* ---- the built-in rules ---- */

static void test_builtin_loads(void)
{
    net_sig_builder *b = net_sig_builder_new(NULL, 0);
    net_sig_report rep = {0};
    CHECK(net_sig_builder_add_builtin(b, &rep) == KW_OK);
    CHECK_INT(rep.skipped, 0);
    for (size_t i = 0; i < rep.nskips; i++)
        fprintf(stderr, "  skipped %s:%u sid %u: %s\n", rep.skips[i].origin, rep.skips[i].line,
                rep.skips[i].sid, rep.skips[i].reason);
    CHECK(rep.loaded >= 100);
    net_sig_set *s = NULL;
    CHECK(net_sig_builder_compile(b, &s, NULL, 0) == KW_OK);
    for (size_t i = 0; i < net_sig_set_count(s); i++) {
        const net_sig_rule *r = net_sig_set_rule(s, i);
        CHECK(net_sig_rule_sid(r) >= 9100000 && net_sig_rule_sid(r) <= 9199999);
        CHECK(net_sig_rule_category(r)[0] != '\0');
        CHECK(net_sig_rule_classtype(r)[0] != '\0');
    }
    net_sig_set_free(s);
    net_sig_report_free(&rep);
}

typedef struct http_case {
    char name[96], expect[256];
    char method[16];
    char uri[2048], uri_dec[2048];
    char hdr[8192], cookie[2048], ua[1024], host[256], ctype[1024];
    char body[8192], line[4096], payload[16384], dns[512];
    size_t body_n, payload_n;
    int lineno;
} http_case;

static int hexd(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Unescapes \r \n \t \\ \xNN of s into o (cap bytes); returns the length. */
static size_t unescape(const char *s, char *o, size_t cap)
{
    size_t n = 0;
    for (; *s && n + 1 < cap; s++) {
        char c = *s;
        if (c == '\\' && s[1]) {
            s++;
            if (*s == 'r') c = '\r';
            else if (*s == 'n') c = '\n';
            else if (*s == 't') c = '\t';
            else if (*s == 'x' && hexd(s[1]) >= 0 && hexd(s[2]) >= 0) {
                c = (char)(hexd(s[1]) << 4 | hexd(s[2]));
                s += 2;
            } else c = *s;
        }
        o[n++] = c;
    }
    o[n] = '\0';
    return n;
}

static void pct_decode(const char *s, char *o, size_t cap)
{
    size_t n = 0;
    for (; *s && n + 1 < cap; s++) {
        if (*s == '%' && hexd(s[1]) >= 0 && hexd(s[2]) >= 0) {
            o[n++] = (char)(hexd(s[1]) << 4 | hexd(s[2]));
            s += 2;
        } else
            o[n++] = *s;
    }
    o[n] = '\0';
}

static void case_header(http_case *c, const char *v)
{
    char tmp[4096];
    unescape(v, tmp, sizeof tmp);
    const char *colon = strchr(tmp, ':');
    size_t used = strlen(c->hdr);
    if (strncasecmp(tmp, "Cookie:", 7) != 0) /* as Suricata's http.header: Cookie is apart */
        snprintf(c->hdr + used, sizeof c->hdr - used, "%s\r\n", tmp);
    if (!colon)
        return;
    const char *val = colon + 1 + (colon[1] == ' ');
    size_t kl = (size_t)(colon - tmp);
    static const struct {
        const char *k;
        size_t off, cap;
    } t[] = {{"Cookie", offsetof(http_case, cookie), sizeof((http_case *)0)->cookie},
             {"User-Agent", offsetof(http_case, ua), sizeof((http_case *)0)->ua},
             {"Host", offsetof(http_case, host), sizeof((http_case *)0)->host},
             {"Content-Type", offsetof(http_case, ctype), sizeof((http_case *)0)->ctype}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strlen(t[i].k) == kl && strncasecmp(tmp, t[i].k, kl) == 0)
            kw_strlcpy((char *)c + t[i].off, val, t[i].cap);
}

static void case_line(http_case *c, const char *l)
{
    if (strncmp(l, "expect ", 7) == 0)
        kw_strlcpy(c->expect, l + 7, sizeof c->expect);
    else if (strncmp(l, "method ", 7) == 0)
        kw_strlcpy(c->method, l + 7, sizeof c->method);
    else if (strncmp(l, "uri ", 4) == 0)
        unescape(l + 4, c->uri, sizeof c->uri);
    else if (strncmp(l, "header ", 7) == 0)
        case_header(c, l + 7);
    else if (strncmp(l, "body ", 5) == 0)
        c->body_n += unescape(l + 5, c->body + c->body_n, sizeof c->body - c->body_n);
    else if (strncmp(l, "dns ", 4) == 0)
        kw_strlcpy(c->dns, l + 4, sizeof c->dns);
    else {
        fprintf(stderr, "  http_cases.txt:%d: unknown line '%s'\n", c->lineno, l);
        CHECK(0);
    }
}

static void case_input(http_case *c, net_sig_input *in)
{
    memset(in, 0, sizeof *in);
    if (c->dns[0]) {
        in->proto = 17;
        in->app = NET_SIG_APP_DNS;
        in->sport = 40000;
        in->dport = 53;
        in->flags = NET_SIG_TO_SERVER;
        set_buf(in, NET_BUF_DNS_QUERY, c->dns);
        return;
    }
    http_input(in);
    pct_decode(c->uri, c->uri_dec, sizeof c->uri_dec);
    snprintf(c->line, sizeof c->line, "%s %s HTTP/1.1", c->method, c->uri);
    int n = snprintf(c->payload, sizeof c->payload, "%s\r\n%s\r\n", c->line, c->hdr);
    size_t pn = (size_t)n < sizeof c->payload ? (size_t)n : sizeof c->payload - 1;
    size_t bn = c->body_n < sizeof c->payload - pn ? c->body_n : sizeof c->payload - pn;
    memcpy(c->payload + pn, c->body, bn);
    c->payload_n = pn + bn;
    set_buf(in, NET_BUF_HTTP_METHOD, c->method);
    set_buf(in, NET_BUF_HTTP_URI, c->uri_dec);
    set_buf(in, NET_BUF_HTTP_URI_RAW, c->uri);
    set_buf(in, NET_BUF_HTTP_HEADER, c->hdr);
    set_buf(in, NET_BUF_HTTP_COOKIE, c->cookie);
    set_buf(in, NET_BUF_HTTP_USER_AGENT, c->ua);
    set_buf(in, NET_BUF_HTTP_HOST, c->host);
    set_buf(in, NET_BUF_HTTP_CONTENT_TYPE, c->ctype);
    set_buf(in, NET_BUF_HTTP_REQUEST_LINE, c->line);
    in->b[NET_BUF_HTTP_REQUEST_BODY].p = (const uint8_t *)c->body;
    in->b[NET_BUF_HTTP_REQUEST_BODY].n = c->body_n;
    in->b[NET_BUF_PAYLOAD].p = (const uint8_t *)c->payload;
    in->b[NET_BUF_PAYLOAD].n = c->payload_n;
}

/* The matched categories, sorted and space-separated, "none" when nothing matched. */
static void cats_of(const hits *h, char *out, size_t cap)
{
    const char *uniq[64];
    size_t nu = 0;
    for (size_t i = 0; i < h->n; i++) {
        size_t k = 0;
        while (k < nu && strcmp(uniq[k], h->cat[i]) != 0)
            k++;
        if (k == nu)
            uniq[nu++] = h->cat[i];
    }
    for (size_t i = 1; i < nu; i++) /* insertion sort */
        for (size_t k = i; k > 0 && strcmp(uniq[k - 1], uniq[k]) > 0; k--) {
            const char *t = uniq[k];
            uniq[k] = uniq[k - 1];
            uniq[k - 1] = t;
        }
    out[0] = '\0';
    for (size_t i = 0; i < nu; i++)
        snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? " " : "", uniq[i]);
    if (!nu)
        kw_strlcpy(out, "none", cap);
}

static void sort_words(char *s)
{
    hits h = {0};
    for (char *save = NULL, *w = strtok_r(s, " ", &save); w && h.n < 64; w = strtok_r(NULL, " ", &save))
        kw_strlcpy(h.cat[h.n++], strcmp(w, "none") ? w : "", sizeof h.cat[0]);
    char tmp[256];
    cats_of(&h, tmp, sizeof tmp);
    if (h.n == 1 && !h.cat[0][0])
        kw_strlcpy(tmp, "none", sizeof tmp);
    strcpy(s, tmp);
}

static size_t ncases_run, nbenign;
static char cats_seen[4096]; /* " cat cat ..." of the malicious cases that matched as expected */

static void case_check(http_case *c, const net_sig_set *s, net_sig_scratch *sc)
{
    net_sig_input in;
    case_input(c, &in);
    hits h = {0}, h2 = {0};
    net_sig_match(s, sc, &in, on_hit, &h);
    net_sig_set_use_hyperscan((net_sig_set *)s, false);
    net_sig_match(s, sc, &in, on_hit, &h2);
    net_sig_set_use_hyperscan((net_sig_set *)s, true);
    char got[256], want[256];
    cats_of(&h, got, sizeof got);
    kw_strlcpy(want, c->expect, sizeof want);
    sort_words(want);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "  http_cases.txt:%d %s: matched [%s], expected [%s]; sids", c->lineno, c->name, got, want);
        for (size_t i = 0; i < h.n; i++)
            fprintf(stderr, " %u", h.sid[i]);
        fprintf(stderr, "\n");
        CHECK(0);
    } else if (strcmp(want, "none") != 0 && strlen(cats_seen) + strlen(want) + 2 < sizeof cats_seen) {
        strcat(cats_seen, " ");
        strcat(cats_seen, want);
    }
    CHECK_INT(h2.n, h.n);
    for (size_t i = 0; i < h.n && i < h2.n; i++)
        CHECK_INT(h2.sid[i], h.sid[i]);
    ncases_run++;
    nbenign += strcmp(want, "none") == 0;
}

static void test_http_cases(void)
{
    size_t n = 0;
    char *text = slurp("http_cases.txt", &n);
    CHECK(text != NULL);
    if (!text)
        return;
    net_sig_builder *b = net_sig_builder_new(NULL, 0);
    CHECK(net_sig_builder_add_builtin(b, NULL) == KW_OK);
    net_sig_set *s = NULL;
    CHECK(net_sig_builder_compile(b, &s, NULL, 0) == KW_OK);
    net_sig_scratch *sc = net_sig_scratch_new(s);
    http_case *c = kw_calloc(1, sizeof *c);
    bool open = false;
    int lineno = 0;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        lineno++; /* blank lines are skipped by strtok: numbers are close, names are exact */
        if (l[0] == '#' || !l[0])
            continue;
        if (strncmp(l, "case ", 5) == 0) {
            memset(c, 0, sizeof *c);
            kw_strlcpy(c->name, l + 5, sizeof c->name);
            c->lineno = lineno;
            open = true;
        } else if (strcmp(l, "end") == 0) {
            CHECK(open && c->expect[0]);
            case_check(c, s, sc);
            open = false;
        } else if (open)
            case_line(c, l);
    }
    CHECK(!open);
    CHECK(ncases_run >= 60);
    CHECK(nbenign >= 10);
    /* every category has at least one malicious case */
    static const char *const cats[] = {"sqli", "xss", "path_traversal", "command_injection",
                                       "template_injection", "log4shell", "ognl", "deserialization",
                                       "webshell", "scanner", "dns_tunnel"};
    for (size_t i = 0; i < sizeof cats / sizeof cats[0]; i++) {
        char needle[64];
        snprintf(needle, sizeof needle, " %s", cats[i]);
        if (!strstr(cats_seen, needle))
            fprintf(stderr, "  no malicious case matched category %s\n", cats[i]);
        CHECK(strstr(cats_seen, needle) != NULL);
    }
    free(c);
    net_sig_scratch_free(sc);
    net_sig_set_free(s);
    free(text);
}

/* ---- Hyperscan and the portable prefilter agree ---- */

/* Prefilters loosen large counted repeats (never small ones, nor braces in classes or
 * escaped) so that they match at least what the rule's expression matches. */
static void test_prefilter_loosening(void)
{
    static const char *const cases[][2] = {
        {"a{1,300}?b", "a{1,}?b"},       {"[a-z0-9]{52,63}\\.", "[a-z0-9]{16,}\\."},
        {"x{200,}", "x{16,}"},           {"x{17}", "x{16,}"},
        {"x{2,5}y{16}", "x{2,5}y{16}"},  {"[{1,300}]", "[{1,300}]"},
        {"[]{}]{40}", "[]{}]{16,}"},     {"\\{1,300}", "\\{1,300}"},
        {"a{,300}", "a{,300}"},          {"a{", "a{"},
        {"(?:ab){0,99}c", "(?:ab){0,}c"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *x = sig_prefilter_expr(cases[i][0]);
        CHECK_STR(x, cases[i][1]);
        free(x);
    }
}

static net_sig_set *equivalence_set(void)
{
    net_sig_builder *b = net_sig_builder_new(NULL, 0);
    CHECK(net_sig_builder_add_builtin(b, NULL) == KW_OK);
    const char *extra = "alert http any any -> any any (msg:\"chop\"; http.uri; content:\"abcdefgh\"; fast_pattern:2,3; sid:1;)\n"
                        "alert http any any -> any any (msg:\"nc\"; http.header; content:\"X-MiXeD\"; nocase; sid:2;)\n";
    CHECK(net_sig_builder_add(b, extra, strlen(extra), "x", NULL) == KW_OK);
    net_sig_set *s = NULL;
    CHECK(net_sig_builder_compile(b, &s, NULL, 0) == KW_OK);
    return s;
}

static void test_prefilter_equivalence(void)
{
    net_sig_set *s = equivalence_set();
#ifdef KW_HAVE_HS
    CHECK(net_sig_set_hyperscan(s));
    /* the rules with only expressions are prefiltered too (a set made while the earlier
     * tests' sets still compile theirs may go without: made again then) */
    for (int tries = 0; !net_sig_set_wait_prefilters(s) && tries < 50; tries++) {
        net_sig_set_free(s);
        usleep(100000);
        s = equivalence_set();
    }
    CHECK(net_sig_set_wait_prefilters(s));
#endif
    net_sig_scratch *sc = net_sig_scratch_new(s);
    static const char *const frags[] = {"union", " select ", "'", "=", "1", "or", "sleep(", "<script", "../",
                                        "${jndi:", "${", "lower:", "%{(#", "@type", "rO0AB", "cmd=", "whoami",
                                        ";", "|", "{{7*7}}", "sqlmap", "/etc/passwd", "abcdefgh", "cde", "x-mixed",
                                        "\r\n", "%2e%2e%2f", "AAAA", "eval(", "filename=\"a.php\"",
                                        /* for the rules that only have expressions (Hyperscan prefilters them) */
                                        "<svg", "%3ciframe", " onload=", "document.cookie", "wget ", "http://x/a",
                                        "|sh", "nc -e ", "${7*7}", "#{7*7}", "/.git/HEAD", "/.env", "?cmd=",
                                        "id", ".jsp", "pass=", "ognl"};
    uint32_t seed = 12345;
    size_t mismatches = 0, total = 0;
    char buf[4][512];
    for (int iter = 0; iter < 3000; iter++) {
        for (int k = 0; k < 4; k++) {
            buf[k][0] = '\0';
            int parts = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 8;
            for (int p = 0; p < parts; p++) {
                seed = seed * 1103515245u + 12345u;
                strncat(buf[k], frags[(seed >> 16) % (sizeof frags / sizeof frags[0])], 60);
            }
        }
        net_sig_input in;
        http_input(&in);
        set_buf(&in, NET_BUF_HTTP_URI, buf[0]);
        set_buf(&in, NET_BUF_HTTP_HEADER, buf[1]);
        set_buf(&in, NET_BUF_HTTP_REQUEST_BODY, buf[2]);
        set_buf(&in, NET_BUF_HTTP_USER_AGENT, buf[3]);
        hits h1 = {0}, h2 = {0};
        net_sig_set_use_hyperscan(s, true);
        size_t n1 = net_sig_match(s, sc, &in, on_hit, &h1);
        net_sig_set_use_hyperscan(s, false);
        size_t n2 = net_sig_match(s, sc, &in, on_hit, &h2);
        total += n1;
        if (n1 != n2 || memcmp(h1.sid, h2.sid, h1.n * sizeof h1.sid[0]) != 0)
            mismatches++;
    }
    CHECK_INT(mismatches, 0);
    CHECK(total > 100); /* the inputs do hit rules: the comparison means something */
    net_sig_scratch_free(sc);
    net_sig_set_free(s);
}

/* ---- hostile rule text does not crash, long lines are refused ---- */

static void test_hostile_rules(void)
{
    static const char *const bad[] = {
        "alert", "alert http", "alert http any any -> any any (", "alert http any any -> any any ()",
        "alert http [[[[ any -> any any (sid:1;)", "alert http any any -> any any (content:\"\"; sid:1;)",
        "alert http any any -> any any (content:\"a\"; depth:0; sid:1;)",
        "alert http any any -> any any (pcre:\"/(/\"; sid:1;)", "alert http !any any -> any any (sid:1;)",
        "alert http any 99999 -> any any (sid:1;)", "alert http $A any -> any any (sid:1;)",
        "alert http any any -> any any (content:\"a\"; within:-1; sid:1;)",
        "alert http any any -> any any (content:\"abc\"; depth:2; sid:1;)",
        "alert http $V any -> any any (content:\"a\"; sid:1;)"};
    net_sig_var loop[] = {{"A", "$B"}, {"B", "$A"}, {"V", "[$W,$W,$W,$W,$W,$W,$W,$W,$W,$W]"},
                          {"W", "[$X,$X,$X,$X,$X,$X,$X,$X,$X,$X]"},
                          {"X", "[$Y,$Y,$Y,$Y,$Y,$Y,$Y,$Y,$Y,$Y]"}, {"Y", "[$Z,$Z,$Z,$Z,$Z,$Z,$Z,$Z,$Z,$Z]"},
                          {"Z", "[any,any,any,any,any,any,any,any,any,any]"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        net_sig_builder *b = net_sig_builder_new(loop, sizeof loop / sizeof loop[0]);
        net_sig_report rep = {0};
        CHECK(net_sig_builder_add(b, bad[i], strlen(bad[i]), "bad", &rep) == KW_OK);
        if (rep.loaded != 0)
            fprintf(stderr, "  loaded: %s\n", bad[i]);
        CHECK_INT(rep.loaded, 0);
        CHECK_INT(rep.skipped, 1);
        net_sig_builder_free(b);
        net_sig_report_free(&rep);
    }
    size_t n = NET_SIG_MAX_LINE + 100;
    char *big = kw_malloc(n + 1);
    memset(big, 'a', n);
    big[n] = '\0';
    net_sig_report rep = {0};
    net_sig_set *s = NULL;
    CHECK(net_sig_set_load(&s, big, n, "big", &rep) == KW_OK);
    CHECK_INT(rep.skipped, 1);
    CHECK_CONTAINS(rep.nskips ? rep.skips[0].reason : "", "64 KiB");
    net_sig_set_free(s);
    net_sig_report_free(&rep);
    free(big);
}

/* ---- keepwatch net rules check|list ---- */

/* Runs cli_net_rules with stdout in a temporary file (returned in out), stderr discarded. */
static int cli_run(int argc, char **argv, char *out, size_t cap)
{
    char path[] = "/tmp/kw_test_rules_XXXXXX";
    int fd = mkstemp(path), null = open("/dev/null", O_WRONLY);
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    dup2(fd, 1);
    dup2(getenv("KW_TEST_VERBOSE") ? 2 : null, 2);
    int rc = cli_net_rules(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    close(null);
    ssize_t n = pread(fd, out, cap - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    return rc;
}

static void test_cli_rules(void)
{
    static char out[1 << 16];
    char file[512];
    snprintf(file, sizeof file, "%s/net/et_style.rules", KW_TEST_DATA);
    char *check[] = {"rules", "check", file, NULL};
    CHECK_INT(cli_run(3, check, out, sizeof out), KW_EXIT_PROBLEM);
    CHECK_CONTAINS(out, "et_style.rules:");
    CHECK_CONTAINS(out, "sid 1000101: unsupported keyword: byte_test");
    char *json[] = {"rules", "check", "--json", "--var", "HOME_NET=[10.0.0.0/8]", file, NULL};
    CHECK_INT(cli_run(6, json, out, sizeof out), KW_EXIT_PROBLEM);
    CHECK_CONTAINS(out, "\"loaded\":14,\"skipped\":12");
    CHECK_CONTAINS(out, "\"reason\":\"unsupported keyword: lua\"");
    char *builtin[] = {"rules", "check", NULL};
    CHECK_INT(cli_run(2, builtin, out, sizeof out), KW_EXIT_OK);
    char *list[] = {"rules", "list", "--builtin", NULL};
    CHECK_INT(cli_run(3, list, out, sizeof out), KW_EXIT_OK);
    CHECK_CONTAINS(out, "9105000   log4shell");
    char *missing[] = {"rules", "check", "/nonexistent/x.rules", NULL};
    CHECK_INT(cli_run(3, missing, out, sizeof out), KW_EXIT_USAGE);
    char *bad[] = {"rules", "frobnicate", NULL};
    CHECK_INT(cli_run(2, bad, out, sizeof out), KW_EXIT_USAGE);
}

/* ---- forms found in ET Open ---- */

static void test_et_forms(void)
{
    /* a '"' inside a pcre, unescaped: the option ends at the ';' */
    CHECK(one(R("http.request_body; content:\"method=\"; pcre:\"/^[\"']?post/Ri\";"), NET_BUF_HTTP_REQUEST_BODY,
              "method=\"POST"));
    /* dns_query and tls_sni are sticky buffers */
    const char *dns = "alert dns any any -> any any (msg:\"d\"; dns_query; content:\"evil.example\"; "
                      "isdataat:!1,relative; sid:1;)";
    net_sig_report rep = {0};
    net_sig_set *s = load(dns, &rep);
    CHECK_INT(rep.loaded, 1);
    net_sig_input in;
    memset(&in, 0, sizeof in);
    in.app = NET_SIG_APP_DNS;
    in.proto = 17;
    set_buf(&in, NET_BUF_DNS_QUERY, "www.evil.example");
    CHECK_INT(run(s, &in, NULL), 1);
    set_buf(&in, NET_BUF_DNS_QUERY, "www.evil.example.org");
    CHECK_INT(run(s, &in, NULL), 0);
    net_sig_set_free(s);
    net_sig_report_free(&rep);
    /* flowbits:set is accepted (nothing loaded reads it); the rule alerts as usual */
    CHECK(one(R("http.uri; content:\"/a\"; flowbits:set,ET.x;"), NET_BUF_HTTP_URI, "/a"));
}

/* A list of many single addresses (ET's tor and ciarmy rules) with prefixes and negations. */
static void test_address_lists(void)
{
    kw_buf b;
    kw_buf_init(&b, 1 << 20);
    kw_buf_puts(&b, "alert ip [");
    for (int i = 0; i < 1000; i++)
        kw_buf_printf(&b, "203.0.%d.%d,", i / 200, (i * 7) % 250 + 1);
    kw_buf_puts(&b, "2001:db8::5,198.51.100.0/24,!198.51.100.7] any -> any any (msg:\"l\"; sid:1;)");
    net_sig_report rep = {0};
    net_sig_set *s = load(kw_buf_cstr(&b), &rep);
    CHECK_INT(rep.loaded, 1);
    net_sig_input in;
    http_input(&in);
    in.has_addr = true;
    static const struct {
        const char *ip;
        int want;
    } t[] = {{"203.0.0.1", 1},     {"203.0.4.251", 0}, {"203.0.3.36", 1},      {"203.0.2.2", 0},
             {"2001:db8::5", 1},   {"2001:db8::6", 0}, {"198.51.100.9", 1},    {"198.51.100.7", 0},
             {"192.0.2.1", 0}};
    kw_prefix_parse("10.0.0.1", &in.dst, &(int){0});
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        kw_prefix_parse(t[i].ip, &in.src, &(int){0});
        size_t n = run(s, &in, NULL);
        if ((int)n != t[i].want)
            fprintf(stderr, "  %s: %zu matches, expected %d\n", t[i].ip, n, t[i].want);
        CHECK_INT(n, t[i].want);
    }
    net_sig_set_free(s);
    net_sig_report_free(&rep);
    kw_buf_free(&b);
}

/* ---- one set, several threads, each with its scratch ---- */

typedef struct thr_arg {
    const net_sig_set *s;
    size_t total;
} thr_arg;

static void *thr_run(void *p)
{
    thr_arg *a = p;
    net_sig_scratch *sc = net_sig_scratch_new(a->s);
    static const char *const uris[] = {"/?id=1+union+select+1", "/ok", "/x?f=../../etc/passwd", "/?q=${jndi:ldap://a/b}"};
    for (int i = 0; i < 2000; i++) {
        net_sig_input in;
        http_input(&in);
        set_buf(&in, NET_BUF_HTTP_URI, uris[i % 4]);
        a->total += net_sig_match(a->s, sc, &in, NULL, NULL);
    }
    net_sig_scratch_free(sc);
    return NULL;
}

static void test_threads(void)
{
    net_sig_builder *b = net_sig_builder_new(NULL, 0);
    CHECK(net_sig_builder_add_builtin(b, NULL) == KW_OK);
    net_sig_set *s = NULL;
    CHECK(net_sig_builder_compile(b, &s, NULL, 0) == KW_OK);
    thr_arg one_thread = {s, 0};
    thr_run(&one_thread);
    CHECK(one_thread.total >= 1500); /* three of the four URIs are attacks */
    pthread_t t[4];
    thr_arg a[4];
    for (int i = 0; i < 4; i++) {
        a[i] = (thr_arg){s, 0};
        CHECK(pthread_create(&t[i], NULL, thr_run, &a[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        CHECK_INT(a[i].total, one_thread.total);
    }
    net_sig_set_free(s);
}

int main(void)
{
    RUN(test_parse_fields);
    RUN(test_skip_report);
    RUN(test_content_basic);
    RUN(test_content_positions);
    RUN(test_isdataat_sizes);
    RUN(test_pcre);
    RUN(test_legacy_and_sticky);
    RUN(test_header_vars);
    RUN(test_pass_noalert);
    RUN(test_et_style_file);
    RUN(test_builtin_loads);
    RUN(test_http_cases);
    RUN(test_prefilter_loosening);
    RUN(test_prefilter_equivalence);
    RUN(test_hostile_rules);
    RUN(test_cli_rules);
    RUN(test_et_forms);
    RUN(test_address_lists);
    RUN(test_threads);
    TEST_MAIN_END();
}
