/* Nuclei-format templates (scan_web_tmpl_*.c): the loader accepts the supported subset and skips
 * the rest with a reason, malformed YAML is an error naming the file and line, variables expand
 * (and an unknown one is refused), and the matchers and extractors decide as Nuclei does. The
 * templates here are written for these tests; tests/data/nuclei/ holds a few community ones
 * (see its README). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kw_test.h"
#include "scan/scan_web_tmpl.h"

static web_tmpl *load(const char *yaml)
{
    web_tmpl *t = NULL;
    char id[128], why[WEB_TMPL_WHY_MAX];
    kw_rc rc = web_tmpl_parse("t.yaml", yaml, strlen(yaml), &t, id, sizeof id, why, sizeof why);
    if (rc != KW_OK)
        fprintf(stderr, "  load: %s (%s)\n", why, kw_rc_str(rc));
    return t;
}

/* The reason a template is not loaded ("" when it loads). */
static kw_rc refuse(const char *yaml, char *why, size_t whyn)
{
    web_tmpl *t = NULL;
    char id[128];
    kw_rc rc = web_tmpl_parse("bad.yaml", yaml, strlen(yaml), &t, id, sizeof id, why, whyn);
    web_tmpl_free(t);
    return rc;
}

#define HEAD "id: t1\ninfo:\n  name: T one\n  severity: high\n"
#define BLOCK "http:\n  - path: ['{{BaseURL}}/']\n"
#define WORDM "    matchers:\n      - type: word\n        words: [x]\n"

static void test_load_paths(void)
{
    web_tmpl *t = load(HEAD "  description: finds things\n  reference:\n    - https://a.example/1\n    - https://a.example/2\n"
                            "  classification:\n    cwe-id: cwe-538,CWE-200\n    cvss-score: 7.5\n  tags: exposure,files\n"
                            "http:\n  - method: POST\n    path:\n      - \"{{BaseURL}}/a\"\n      - \"{{RootURL}}/b?x=1\"\n"
                            "    headers:\n      X-Test: one\n      Content-Type: application/json\n"
                            "    body: '{\"k\":\"{{Host}}\"}'\n    redirects: true\n    max-redirects: 3\n"
                            "    matchers-condition: and\n    stop-at-first-match: true\n"
                            "    matchers:\n      - type: word\n        words: [Secret, Key]\n        condition: and\n"
                            "        case-insensitive: true\n      - type: status\n        status: [200, 206]\n");
    CHECK(t != NULL);
    if (!t)
        return;
    CHECK_STR(t->id, "t1");
    CHECK_STR(t->name, "T one");
    CHECK_INT(t->severity, FINDING_HIGH);
    CHECK_STR(t->description, "finds things");
    CHECK_STR(t->reference, "https://a.example/1, https://a.example/2");
    CHECK_STR(t->cwe, "CWE-538");
    CHECK_NEAR(t->cvss_score, 7.5, 1e-9);
    CHECK_STR(t->category, "sensitive_file");
    CHECK_INT(t->nblocks, 1);
    web_tmpl_block *b = &t->blocks[0];
    CHECK_INT(b->nsends, 2);
    CHECK(b->and_ && b->follow && b->stop_first);
    CHECK_STR(b->sends[1].url, "{{RootURL}}/b?x=1");
    CHECK_STR(b->sends[0].method, "POST");
    CHECK_INT(b->sends[0].nheaders, 1);
    CHECK_STR(b->sends[0].headers[0], "X-Test: one");
    CHECK_STR(b->sends[0].content_type, "application/json");
    CHECK_STR(b->sends[0].body, "{\"k\":\"{{Host}}\"}");
    CHECK_INT(b->nm, 2);
    CHECK(b->m[0].and_ && b->m[0].nocase);
    CHECK_STR(b->m[0].vals[0], "secret"); /* lower-cased once, as the corpus will be */
    CHECK_INT(b->m[1].nnums, 2);
    CHECK_INT(b->m[1].nums[1], 206);
    web_tmpl_free(t);
}

static void test_load_raw(void)
{
    web_tmpl *t = load("id: raw1\ninfo:\n  name: raw\n  severity: low\n  tags: sqli,cve\nrequests:\n  - raw:\n      - |\n"
                       "        POST /login.php?a=1 HTTP/1.1\n        Host: {{Hostname}}\n        Content-Length: 9\n"
                       "        Content-Type: application/x-www-form-urlencoded\n        Connection: close\n"
                       "        X-Forwarded-For: 127.0.0.1\n\n        user=a&b=1\n"
                       "      - |\n        GET {{BaseURL}}/x HTTP/1.1\n        Host: {{Hostname}}\n"
                       "    extractors:\n      - type: regex\n        name: tok\n        internal: true\n        group: 1\n"
                       "        regex: ['token=([a-z]+)']\n    matchers:\n      - type: regex\n        regex: ['ok {{tok}}?']\n");
    CHECK(t != NULL);
    if (!t)
        return;
    CHECK_STR(t->category, "sqli");
    web_tmpl_block *b = &t->blocks[0];
    CHECK_INT(b->nsends, 2);
    CHECK_STR(b->sends[0].method, "POST");
    CHECK_STR(b->sends[0].url, "{{BaseURL}}/login.php?a=1");
    CHECK_INT(b->sends[0].nheaders, 1); /* Host, Content-Length, Connection left to libcurl */
    CHECK_STR(b->sends[0].headers[0], "X-Forwarded-For: 127.0.0.1");
    CHECK_STR(b->sends[0].content_type, "application/x-www-form-urlencoded");
    CHECK_STR(b->sends[0].body, "user=a&b=1");
    CHECK_STR(b->sends[1].url, "{{BaseURL}}/x");
    CHECK(b->x[0].internal);
    CHECK_INT(b->x[0].group, 1);
    web_tmpl_free(t);
    t = load(HEAD "http:\n  - raw:\n      - \"GET HTTP/1.1\\nHost: {{Hostname}}\\n\"\n      - \"GET ?q=1 HTTP/1.1\\n\"\n" WORDM);
    CHECK(t != NULL);
    if (!t)
        return;
    b = &t->blocks[0];
    CHECK_STR(b->sends[0].url, "{{BaseURL}}");
    CHECK_STR(b->sends[1].url, "{{BaseURL}}?q=1");
    CHECK(b->sends[1].body == NULL);
    web_tmpl_free(t);
}


static void test_load_payloads(void)
{
    web_tmpl *t = load(HEAD "http:\n  - path: ['{{BaseURL}}{{paths}}', '{{RootURL}}/x{{ paths }}']\n    headers:\n"
                            "      X-P: '{{paths}}'\n    payloads:\n      paths: ['/a', '/b.php', '/.env.{{DN}}']\n" WORDM);
    CHECK(t != NULL);
    if (!t)
        return;
    web_tmpl_block *b = &t->blocks[0];
    CHECK_INT(b->nsends, 6);
    CHECK_STR(b->sends[0].url, "{{BaseURL}}/a");
    CHECK_STR(b->sends[1].url, "{{BaseURL}}/b.php");
    CHECK_STR(b->sends[2].url, "{{BaseURL}}/.env.{{DN}}"); /* DN has no value here: never sent */
    CHECK_STR(b->sends[3].url, "{{RootURL}}/x/a");
    CHECK_STR(b->sends[1].headers[0], "X-P: /b.php");
    web_tmpl_free(t);
    const char *two = HEAD "http:\n  - attack: %s\n    path: ['{{BaseURL}}/?u={{user}}&p={{pass}}']\n"
                           "    payloads:\n      user: [admin, root]\n      pass: [x, y, z]\n" WORDM;
    char y[1024];
    snprintf(y, sizeof y, two, "clusterbomb");
    t = load(y);
    CHECK(t && t->blocks[0].nsends == 6);
    if (t) {
        CHECK_STR(t->blocks[0].sends[0].url, "{{BaseURL}}/?u=admin&p=x");
        CHECK_STR(t->blocks[0].sends[5].url, "{{BaseURL}}/?u=root&p=z");
    }
    web_tmpl_free(t);
    snprintf(y, sizeof y, two, "pitchfork");
    t = load(y);
    CHECK(t && t->blocks[0].nsends == 2);
    if (t)
        CHECK_STR(t->blocks[0].sends[1].url, "{{BaseURL}}/?u=root&p=y");
    web_tmpl_free(t);
    char why[WEB_TMPL_WHY_MAX];
    snprintf(y, sizeof y, two, "batteringram");
    CHECK_INT(refuse(y, why, sizeof why), KW_ERR_PARSE);
}

static void test_load_skips(void)
{
    static const struct { const char *yaml, *why; } cases[] = {
        {HEAD "dns:\n  - name: '{{FQDN}}'\n", "protocol dns"},
        {HEAD "flow: http(1)\n" BLOCK WORDM, "uses flow"},
        {HEAD "workflows:\n  - template: a.yaml\n", "uses workflows"},
        {HEAD BLOCK "    matchers:\n      - type: dsl\n        dsl: ['md5(body) == \"x\"']\n", "dsl function 'md5'"},
        {HEAD BLOCK "    matchers:\n      - type: dsl\n        dsl: ['status_code_2 == 200']\n", "dsl variable 'status_code_2'"},
        {HEAD BLOCK "    matchers:\n      - type: dsl\n        dsl: ['duration >= 5']\n", "dsl variable 'duration'"},
        {HEAD BLOCK "    matchers:\n      - type: dsl\n        dsl: ['a ? b : c']\n", "dsl syntax"},
        {HEAD BLOCK "    extractors:\n      - type: regex\n        name: version\n        regex: ['v[0-9]']\n"
              "    matchers:\n      - type: dsl\n        dsl: ['contains(body, version)']\n", "dsl variable 'version'"},
        {HEAD BLOCK "    matchers:\n      - type: dsl\n        dsl: ['contains(body, Nope)']\n", "dsl variable 'Nope'"},
        {HEAD BLOCK "    matchers:\n      - type: xpath\n        xpath: ['/a']\n", "xpath matcher"},
        {HEAD BLOCK "    payloads:\n      p: /usr/share/wordlists/x.txt\n" WORDM, "payloads from a file"},
        {HEAD BLOCK "    attack: sniper\n    payloads:\n      p: [a]\n" WORDM, "attack 'sniper'"},

        {HEAD BLOCK "    req-condition: true\n" WORDM, "req-condition"},
        {HEAD BLOCK "    fuzzing:\n      - part: query\n" WORDM, "fuzzing"},
        {HEAD BLOCK "    extractors:\n      - type: json\n        json: ['.a']\n", "json extractor"},
        {HEAD "http:\n  - path: ['{{BaseURL}}/{{interactsh-url}}']\n" WORDM, "unknown variable {{interactsh-url}}"},
        {HEAD "http:\n  - path: [\"{{BaseURL}}/{{md5('a')}}\"]\n" WORDM, "expression {{md5('a')}}"},
        {HEAD "http:\n  - path: [\"{{BaseURL}}/{{base64(nope)}}\"]\n" WORDM, "dsl variable 'nope'"},
        {HEAD "http:\n  - path: ['/admin']\n" WORDM, "does not start with {{BaseURL}}"},
        {HEAD "http:\n  - raw:\n      - |\n        @timeout: 10s\n        GET / HTTP/1.1\n" WORDM, "annotation"},
        {HEAD "http:\n  - raw:\n      - |\n        GET / HTTP/1.1\n        Host: evil.example\n" WORDM, "own Host header"},
        {HEAD "http:\n  - unsafe: true\n    raw:\n      - |\n        GET / HTTP/1.1\n" WORDM, "unsafe"},
        {HEAD BLOCK "    matchers:\n      - type: word\n        part: interactsh_protocol\n        words: [dns]\n",
         "part 'interactsh_protocol'"},
        {HEAD BLOCK "    matchers:\n      - type: word\n        part: body_2\n        words: [dns]\n", "part 'body_2'"},
        {HEAD "variables:\n  v: \"{{date_time('%Y')}}\"\n" BLOCK WORDM, "expression {{date_time('%Y')}}"},
        {HEAD BLOCK "    matchers:\n      - type: regex\n        regex: ['(?<=a']\n", "does not compile"},
        {HEAD "info2: x\n" BLOCK WORDM, "key 'info2'"},
        {HEAD, "no http requests"},
        {HEAD BLOCK "    headers: {h1: a, h2: a, h3: a, h4: a, h5: a, h6: a, h7: a, h8: a, h9: a, h10: a, h11: a, h12: a, h13: a,"
              " h14: a, h15: a, h16: a, h17: a, h18: a, h19: a, h20: a, h21: a, h22: a, h23: a, h24: a, h25: a, h26: a,"
              " h27: a, h28: a, h29: a, h30: a, h31: a, h32: a, h33: a, h34: a, h35: a, h36: a, h37: a, h38: a, h39: a,"
              " h40: a, h41: a, h42: a, h43: a, h44: a, h45: a, h46: a, h47: a, h48: a, h49: a, h50: a, h51: a, h52: a,"
              " h53: a, h54: a, h55: a, h56: a, h57: a, h58: a, h59: a, h60: a, h61: a, h62: a, h63: a, h64: a, h65: a}\n" WORDM,
         "more than 64 headers"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char why[WEB_TMPL_WHY_MAX];
        kw_rc rc = refuse(cases[i].yaml, why, sizeof why);
        if (rc != KW_ERR_UNSUPPORTED)
            fprintf(stderr, "  case %zu: rc %s (%s)\n", i, kw_rc_str(rc), why);
        CHECK_INT(rc, KW_ERR_UNSUPPORTED);
        CHECK_CONTAINS(why, cases[i].why);
    }
}

static void test_load_errors(void)
{
    char why[WEB_TMPL_WHY_MAX];
    CHECK_INT(refuse("id: a\ninfo:\n  name: [unclosed\n", why, sizeof why), KW_ERR_PARSE);
    CHECK_CONTAINS(why, "bad.yaml:4:"); /* file and line */
    CHECK_CONTAINS(why, "YAML syntax");
    CHECK_INT(refuse("id: a\nhttp:\n\t- path: x\n", why, sizeof why), KW_ERR_PARSE);
    CHECK_CONTAINS(why, "bad.yaml:3:");
    CHECK_INT(refuse("info:\n  name: x\n" BLOCK WORDM, why, sizeof why), KW_ERR_PARSE);
    CHECK_CONTAINS(why, "no id");
    CHECK_INT(refuse("id: 'a b'\n" BLOCK WORDM, why, sizeof why), KW_ERR_PARSE);
    CHECK_INT(refuse(HEAD BLOCK "    matchers:\n      - type: status\n        status: [abc]\n", why, sizeof why), KW_ERR_PARSE);
    CHECK_CONTAINS(why, "not a whole number");
    CHECK_INT(refuse(HEAD BLOCK "    matchers:\n      - words: [x]\n", why, sizeof why), KW_ERR_PARSE);
    CHECK_CONTAINS(why, "bad.yaml:8:"); /* the matcher's line */
    CHECK_INT(refuse(HEAD "http:\n  - path: ['{{BaseURL}}/']\n", why, sizeof why), KW_ERR_UNSUPPORTED);
    CHECK_CONTAINS(why, "without matchers or extractors");
    CHECK_INT(refuse(HEAD "http:\n  - raw: ['GET']\n" WORDM, why, sizeof why), KW_ERR_PARSE);
    CHECK_CONTAINS(why, "is not METHOD PATH HTTP/x");
    CHECK_INT(refuse("- a\n- b\n", why, sizeof why), KW_ERR_PARSE);
    CHECK_INT(refuse("", why, sizeof why), KW_ERR_PARSE);
    /* an alias bomb: each level names the one below ten times */
    char bomb[4096];
    int n = snprintf(bomb, sizeof bomb, HEAD "http:\n  - path: ['{{BaseURL}}/']\n    matchers:\n"
                                            "      - type: word\n        words: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 8; i++)
        n += snprintf(bomb + n, sizeof bomb - (size_t)n, "      - type: word\n        words: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
                      i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    CHECK(refuse(bomb, why, sizeof why) != KW_OK);
}

static void test_vars(void)
{
    web_tmpl_vars vs = {0};
    char store[1024];
    CHECK_INT(web_tmpl_vars_url(&vs, "http://127.0.0.1:8080/app/index.php?x=1", store, sizeof store), KW_OK);
    kw_buf b;
    kw_buf_init(&b, 4096);
    CHECK_INT(web_tmpl_expand("{{BaseURL}}|{{RootURL}}|{{Hostname}}|{{ Host }}|{{Port}}|{{Path}}|{{File}}|{{Scheme}}", &vs, &b), KW_OK);
    CHECK_STR(kw_buf_cstr(&b), "http://127.0.0.1:8080/app/index.php|http://127.0.0.1:8080|127.0.0.1:8080|127.0.0.1|8080|/app|index.php|http");
    web_tmpl_vars v2 = {0};
    CHECK_INT(web_tmpl_vars_url(&v2, "https://[::1]/", store, sizeof store), KW_OK);
    kw_buf_reset(&b);
    CHECK_INT(web_tmpl_expand("{{BaseURL}}/x {{Hostname}} {{Host}} {{Port}} [{{Path}}]", &v2, &b), KW_OK);
    CHECK_STR(kw_buf_cstr(&b), "https://[::1]/x [::1] [::1] 443 []");
    kw_buf_reset(&b);
    CHECK_INT(web_tmpl_expand("a {{nope}} b", &v2, &b), KW_ERR_NOTFOUND);
    kw_buf_reset(&b);
    CHECK_INT(web_tmpl_expand("{{to_upper(Scheme)}}:{{base64(Host + ':' + Port)}}|{{url_encode('a/b c')}}", &v2, &b), KW_OK);
    CHECK_STR(kw_buf_cstr(&b), "HTTPS:Wzo6MV06NDQz|a%2Fb%20c");
    kw_buf_reset(&b);
    CHECK_INT(web_tmpl_expand("{{replace(Host, ':', '-')}} {{replace('aXbXc', 'X', '')}}", &v2, &b), KW_OK);
    CHECK_STR(kw_buf_cstr(&b), "[--1] abc");
    kw_buf_reset(&b);
    CHECK_INT(web_tmpl_expand("{{base64(nope)}}", &v2, &b), KW_ERR_NOTFOUND);
    /* rand_*: the same call gives the same value in one run (seeded by randstr), another run another */
    web_tmpl_vars_set(&v2, "randstr", "seedone");
    kw_buf_reset(&b);
    CHECK_INT(web_tmpl_expand("{{rand_base(8)}}|{{rand_base(8)}}|{{rand_text_numeric(4)}}|{{rand_int(10, 12)}}|{{rand_base(3, 'ab')}}", &v2, &b), KW_OK);
    char one[128];
    snprintf(one, sizeof one, "%s", kw_buf_cstr(&b));
    CHECK_INT(strlen(one), 8 + 1 + 8 + 1 + 4 + 1 + 2 + 1 + 3);
    CHECK(!strncmp(one, one + 9, 8));
    CHECK(strspn(one + 18, "0123456789") == 4);
    CHECK(atoi(one + 23) >= 10 && atoi(one + 23) <= 12);
    CHECK(strspn(one + 26, "ab") == 3);
    web_tmpl_vars_set(&v2, "randstr", "seedtwo");
    kw_buf_reset(&b);
    CHECK_INT(web_tmpl_expand("{{rand_base(8)}}", &v2, &b), KW_OK);
    CHECK(strncmp(kw_buf_cstr(&b), one, 8) != 0);
    kw_buf_reset(&b);
    CHECK_INT(web_tmpl_expand("no braces {{ here", &v2, &b), KW_OK);
    CHECK_STR(kw_buf_cstr(&b), "no braces {{ here");
    web_tmpl_vars v3 = {0};
    CHECK_INT(web_tmpl_vars_url(&v3, "http://u:p@h.example:81", store, sizeof store), KW_OK);
    kw_buf_reset(&b);
    CHECK_INT(web_tmpl_expand("{{Hostname}} {{Host}} {{Port}} {{BaseURL}}", &v3, &b), KW_OK);
    CHECK_STR(kw_buf_cstr(&b), "h.example:81 h.example 81 http://u:p@h.example:81");
    CHECK_INT(web_tmpl_vars_url(&v2, "ftp://h/", store, sizeof store), KW_ERR_PARSE);
    CHECK_INT(web_tmpl_vars_url(&v2, "http://h/", store, 8), KW_ERR_FULL);
    kw_buf_free(&b);
}

/* Evaluates template yaml's first block on an answer; the result's detail in *detail. */
static bool eval(const char *yaml, long status, const char *headers, const char *body, char *detail, size_t dn)
{
    web_tmpl *t = load(yaml);
    if (!t)
        return false;
    web_tmpl_vars vs = {0};
    char store[1024];
    web_tmpl_vars_url(&vs, "http://h.example:81/", store, sizeof store);
    for (size_t i = 0; i < t->nvars; i++) /* plain ones: the runner expands them first */
        web_tmpl_vars_set(&vs, t->vars[i].name, t->vars[i].value);
    web_tmpl_answer a = {status, headers, strlen(headers), body, strlen(body)};
    web_tmpl_result r;
    web_tmpl_result_init(&r);
    web_tmpl_eval(&t->blocks[0], &a, &vs, &r);
    bool m = r.matched;
    if (detail)
        snprintf(detail, dn, "%s|%s", kw_buf_cstr(&r.detail), kw_buf_cstr(&r.excerpt));
    web_tmpl_result_free(&r);
    web_tmpl_free(t);
    return m;
}

#define HDRS "HTTP/1.1 200 OK\r\nServer: Apache/2.4.1\r\nContent-Type: text/plain\r\nX-A: 1\r\nx-a: 2\r\n"
#define M(body) HEAD BLOCK "    matchers:\n" body

static void test_match_word(void)
{
    char d[1024];
    CHECK(eval(M("      - type: word\n        words: [alpha, beta]\n"), 200, HDRS, "xx beta yy", d, sizeof d));
    CHECK_CONTAINS(d, "word 'beta' in body");
    CHECK_CONTAINS(d, "|xx beta yy");
    CHECK(!eval(M("      - type: word\n        words: [alpha, beta]\n        condition: and\n"), 200, HDRS, "beta", NULL, 0));
    CHECK(eval(M("      - type: word\n        words: [alpha, beta]\n        condition: and\n"), 200, HDRS, "beta alpha", NULL, 0));
    CHECK(!eval(M("      - type: word\n        words: [ALPHA]\n"), 200, HDRS, "alpha", NULL, 0));
    CHECK(eval(M("      - type: word\n        words: [ALPHA]\n        case-insensitive: true\n"), 200, HDRS, "xAlPhA", NULL, 0));
    CHECK(eval(M("      - type: word\n        words: [alpha]\n        negative: true\n"), 200, HDRS, "gamma", d, sizeof d));
    CHECK_CONTAINS(d, "not word 'alpha' in body");
    CHECK(!eval(M("      - type: word\n        words: [alpha]\n        negative: true\n"), 200, HDRS, "alpha", NULL, 0));
    CHECK(eval(M("      - type: word\n        encoding: hex\n        words: ['414243']\n"), 200, HDRS, "xABCx", NULL, 0));
    CHECK(eval(M("      - type: binary\n        binary: ['00ff']\n"), 200, HDRS, "", NULL, 0) == false);
    CHECK(eval(M("      - type: word\n        words: ['{{Hostname}}']\n"), 200, HDRS, "at h.example:81 ok", NULL, 0));
    CHECK(eval(M("      - type: word\n        case-insensitive: true\n        words: ['X{{Host}}']\n"), 200, HDRS, "at xH.EXAMPLE ok", NULL, 0));
    CHECK(eval(M("      - type: word\n        match-all: true\n        words: [a1, b2, c3]\n"), 200, HDRS, "c3 a1", d, sizeof d));
    CHECK_CONTAINS(d, "word 'a1', word 'c3'");
}

static void test_match_parts(void)
{
    CHECK(eval(M("      - type: word\n        part: header\n        words: [Apache/2]\n"), 200, HDRS, "", NULL, 0));
    CHECK(!eval(M("      - type: word\n        words: [Apache/2]\n"), 200, HDRS, "", NULL, 0)); /* body by default */
    CHECK(eval(M("      - type: word\n        part: all\n        words: [Apache/2]\n"), 200, HDRS, "", NULL, 0));
    CHECK(eval(M("      - type: word\n        part: response\n        words: ['HTTP/1.1 200']\n"), 200, HDRS, "", NULL, 0));
    CHECK(eval(M("      - type: word\n        part: content_type\n        words: [text/plain]\n"), 200, HDRS, "", NULL, 0));
    CHECK(eval(M("      - type: regex\n        part: x_a\n        regex: ['^1 2$']\n"), 200, HDRS, "", NULL, 0)); /* repeats joined */
    /* a header that is absent: no match, even negated (as Nuclei) */
    CHECK(!eval(M("      - type: word\n        part: location\n        negative: true\n        words: [x]\n"), 200, HDRS, "", NULL, 0));
}

static void test_match_status_size_regex(void)
{
    char d[1024];
    CHECK(eval(M("      - type: status\n        status: [301, 302]\n"), 302, HDRS, "moved here", d, sizeof d));
    CHECK_CONTAINS(d, "status 302|moved here"); /* no place matched: the body's start is the excerpt */
    CHECK(!eval(M("      - type: status\n        status: [200]\n"), 404, HDRS, "", NULL, 0));
    CHECK(eval(M("      - type: size\n        size: [5]\n"), 200, HDRS, "12345", NULL, 0));
    CHECK(!eval(M("      - type: size\n        size: [5]\n"), 200, HDRS, "1234", NULL, 0));
    CHECK(eval(M("      - type: regex\n        regex: ['root:.*:0:0:']\n"), 200, HDRS, "x\nroot:x:0:0:root:/root\n", d, sizeof d));
    CHECK_CONTAINS(d, "regex 'root:.*:0:0:' in body");
    CHECK(!eval(M("      - type: regex\n        regex: ['a', 'zz']\n        condition: and\n"), 200, HDRS, "a", NULL, 0));
    CHECK(eval(M("      - type: regex\n        regex: ['(?i)PHP Version']\n"), 200, HDRS, "php version 8", NULL, 0));
}

static void test_match_conditions(void)
{
    const char *and_ = HEAD BLOCK "    matchers-condition: and\n    matchers:\n      - type: word\n        words: [secret]\n"
                                  "      - type: status\n        status: [200]\n";
    CHECK(eval(and_, 200, HDRS, "a secret", NULL, 0));
    CHECK(!eval(and_, 404, HDRS, "a secret", NULL, 0));
    CHECK(!eval(and_, 200, HDRS, "nothing", NULL, 0));
    const char *or_ = HEAD BLOCK "    matchers:\n      - type: word\n        words: [secret]\n"
                                 "      - type: status\n        status: [200]\n";
    CHECK(eval(or_, 404, HDRS, "a secret", NULL, 0));
    CHECK(eval(or_, 200, HDRS, "nothing", NULL, 0));
    CHECK(!eval(or_, 404, HDRS, "nothing", NULL, 0));
}

#define DSL(e) M("      - type: dsl\n        dsl:\n          - '" e "'\n")

static void test_match_dsl(void)
{
    char d[1024];
    CHECK(eval(DSL("status_code == 200 && contains(body, \"[core]\")"), 200, HDRS, "x [core] y", d, sizeof d));
    CHECK_CONTAINS(d, "dsl 'status_code == 200 && contains(body, \"[core]\")'");
    CHECK(!eval(DSL("status_code == 200 && contains(body, \"[core]\")"), 404, HDRS, "[core]", NULL, 0));
    CHECK(eval(DSL("!contains(tolower(body), \"<html\")"), 200, HDRS, "plain", NULL, 0));
    CHECK(!eval(DSL("!contains(tolower(body), \"<html\")"), 200, HDRS, "<HTML>", NULL, 0));
    CHECK(eval(DSL("contains_all(body, \"a\", \"b\") || status_code == 500"), 200, HDRS, "b a", NULL, 0));
    CHECK(!eval(DSL("contains_all(body, \"a\", \"z\") || status_code == 500"), 200, HDRS, "b a", NULL, 0));
    CHECK(eval(DSL("contains_any(header, \"nginx\", \"Apache\")"), 200, HDRS, "", NULL, 0));
    CHECK(eval(DSL("contains(server, \"Apache\") && content_type == \"text/plain\""), 200, HDRS, "", NULL, 0));
    CHECK(!eval(DSL("contains(location, \"x\")"), 200, HDRS, "", NULL, 0)); /* absent header */
    CHECK(!eval(DSL("!contains(location, \"x\")"), 200, HDRS, "", NULL, 0)); /* ... an error, not a "no" */
    CHECK(eval(DSL("len(body) > 3 && len(body) <= 5"), 200, HDRS, "12345", NULL, 0));
    CHECK(!eval(DSL("len(body) > 3 && len(body) <= 5"), 200, HDRS, "123456", NULL, 0));
    CHECK(eval(DSL("regex(\"ver=[0-9]+\", body) && starts_with(body, \"#\") && ends_with(body, \"!\")"), 200, HDRS,
               "# ver=12 !", NULL, 0));
    CHECK(eval(DSL("(status_code == 301 || status_code == 302) && contains(toupper(body), \"MOVED\")"), 302, HDRS, "moved", NULL, 0));
    CHECK(eval(DSL("content_length == 0 == false || true"), 200, HDRS, "", NULL, 0) == false); /* not the subset: skipped */
    CHECK(eval(M("      - type: dsl\n        condition: and\n        dsl: ['status_code == 200', 'contains(body, \"x\")']\n"),
               200, HDRS, "x", NULL, 0));
    CHECK(eval(DSL("contains(body, \"at {{Hostname}}\")"), 200, HDRS, "at h.example:81", NULL, 0)); /* {{...}} in a string */
    CHECK(eval(DSL("contains(body, base64(\"kw\" + \":\" + 7))"), 200, HDRS, "x a3c6Nw== y", NULL, 0));
    CHECK(eval(DSL("contains(body, url_encode(\"a b&\")) && len(concat(\"ab\", 1 + 2)) == 3"), 200, HDRS, "a%20b%26", NULL, 0));
    CHECK(eval(HEAD "variables:\n  user: admin\n" BLOCK "    matchers:\n      - type: dsl\n        dsl: ['contains(body, user)']\n",
               200, HDRS, "hello admin", NULL, 0));
    CHECK(!eval(M("      - type: dsl\n        condition: and\n        dsl: ['status_code == 200', 'contains(body, \"x\")']\n"),
                200, HDRS, "y", NULL, 0));
}

static void test_extract(void)
{
    char d[1024];
    const char *x = HEAD BLOCK "    extractors:\n      - type: regex\n        group: 1\n        regex: ['ver=([0-9.]+)']\n";
    CHECK(eval(x, 200, HDRS, "ver=1.2 ver=3.4 ver=1.2", d, sizeof d)); /* extractors alone report */
    CHECK_CONTAINS(d, "extracted: 1.2, 3.4|");
    CHECK(!eval(x, 200, HDRS, "nothing here", NULL, 0));
    const char *both = HEAD BLOCK "    matchers:\n      - type: status\n        status: [200]\n"
                                  "    extractors:\n      - type: regex\n        part: header\n        regex: ['Apache/[0-9.]+']\n";
    CHECK(eval(both, 200, HDRS, "", d, sizeof d));
    CHECK_CONTAINS(d, "status 200; extracted: Apache/2.4.1");
    CHECK(!eval(both, 500, HDRS, "", NULL, 0));
    /* an internal extractor's value goes to the result, not the detail */
    web_tmpl *t = load(HEAD BLOCK "    extractors:\n      - type: regex\n        name: tok\n        internal: true\n"
                                  "        group: 1\n        regex: ['t=(\\w+)']\n    matchers:\n      - type: status\n        status: [200]\n");
    CHECK(t != NULL);
    if (!t)
        return;
    web_tmpl_vars vs = {0};
    web_tmpl_answer a = {200, "", 0, "t=abc t=def", 11};
    web_tmpl_result r;
    web_tmpl_result_init(&r);
    CHECK_INT(web_tmpl_eval(&t->blocks[0], &a, &vs, &r), KW_OK);
    CHECK(r.matched);
    CHECK_STR(r.internal.data, "tok");
    CHECK_STR(r.internal.data + 4, "abc");
    CHECK(strstr(kw_buf_cstr(&r.detail), "abc") == NULL);
    web_tmpl_result_free(&r);
    web_tmpl_free(t);
}

static void test_category(void)
{
    static const struct { const char *tags, *cat; } cases[] = {
        {"tags: default-login,tomcat\n", "weak_auth"}, {"tags: cve,lfi,wordpress\n", "path_traversal"},
        {"tags: xss\n", "xss"}, {"tags: rce,oast\n", "command_injection"}, {"tags: redirect\n", "open_redirect"},
        {"tags: backup\n", "sensitive_file"}, {"tags: tech\n", "app_config"}, {"tags: panel,detect\n", "exposed_service"}, {"tags: [sqli, cve]\n", "sqli"},
        {"classification:\n    cwe-id: CWE-79\n", "xss"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char y[512];
        snprintf(y, sizeof y, HEAD "  %s" BLOCK WORDM, cases[i].tags);
        web_tmpl *t = load(y);
        CHECK(t != NULL);
        if (t)
            CHECK_STR(t->category, cases[i].cat);
        web_tmpl_free(t);
    }
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

typedef struct skips {
    int n;
    char all[2048];
} skips;

static void on_skip(void *arg, const char *path, const char *id, const char *why)
{
    skips *s = arg;
    s->n++;
    size_t l = strlen(s->all);
    snprintf(s->all + l, sizeof s->all - l, "[%s|%s|%s]", strrchr(path, '/') + 1, id ? id : "-", why);
}

static void test_load_dirs(void)
{
    char dir[] = "/tmp/kw_tmpl_XXXXXX", p[512];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(p, sizeof p, "%s/sub", dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/sub/a.yaml", dir);
    put(p, HEAD BLOCK WORDM);
    snprintf(p, sizeof p, "%s/b.yml", dir);
    put(p, "id: t2\n" BLOCK WORDM);
    snprintf(p, sizeof p, "%s/c.yaml", dir);
    put(p, "id: t3\ndns:\n  - name: x\n");
    snprintf(p, sizeof p, "%s/d.yaml", dir);
    put(p, "id: [\n");
    snprintf(p, sizeof p, "%s/e.yaml", dir);
    put(p, HEAD BLOCK WORDM); /* t1 again */
    snprintf(p, sizeof p, "%s/notes.txt", dir);
    put(p, "not a template");
    skips s = {0};
    web_tmpl_set *set = NULL;
    char err[256];
    char *dirs[] = {dir};
    CHECK_INT(web_tmpl_load_dirs(dirs, 1, &set, on_skip, &s, err, sizeof err), KW_OK);
    CHECK_INT(web_tmpl_count(set), 2);
    CHECK_INT(s.n, 3);
    CHECK_CONTAINS(s.all, "[c.yaml|t3|protocol dns]");
    CHECK_CONTAINS(s.all, "[d.yaml|-|");
    CHECK_CONTAINS(s.all, "d.yaml:2:1: YAML syntax");
    CHECK_CONTAINS(s.all, "[a.yaml|t1|the same id as"); /* e.yaml loads first (name order: b, c, d, e, sub/) */
    if (set && set->n == 2) {
        CHECK_STR(set->t[0]->id, "t2");
        CHECK_STR(set->t[1]->id, "t1");
    }
    web_tmpl_set_free(set);
    char *missing[] = {"/nonexistent/kw-templates"};
    CHECK_INT(web_tmpl_load_dirs(missing, 1, &set, NULL, NULL, err, sizeof err), KW_ERR_IO);
    CHECK_CONTAINS(err, "/nonexistent/kw-templates");
    CHECK(set == NULL);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

static void test_community(void)
{
    /* community templates kept as test data (tests/data/nuclei/README.md) */
    skips s = {0};
    web_tmpl_set *set = NULL;
    char err[256];
    char *dirs[] = {KW_TEST_DATA "/nuclei"};
    CHECK_INT(web_tmpl_load_dirs(dirs, 1, &set, on_skip, &s, err, sizeof err), KW_OK);
    CHECK_INT(web_tmpl_count(set), 9);
    CHECK_INT(s.n, 1);
    CHECK_CONTAINS(s.all, "[ds-store-file.yaml|ds-store-file|dsl: a string longer than 65536 bytes or holding a NUL byte]");
    for (size_t i = 0; set && i < set->n; i++) {
        const web_tmpl *t = set->t[i];
        if (!strcmp(t->id, "exposed-svn")) {
            CHECK_STR(t->category, "sensitive_file");
            CHECK_STR(t->cwe, "CWE-200");
            CHECK_INT(t->severity, FINDING_MEDIUM);
            CHECK_INT(t->blocks[0].nm, 3);
        } else if (!strcmp(t->id, "phpinfo-files")) {
            CHECK_INT(t->blocks[0].nsends, 26); /* one per payload */
            CHECK_STR(t->blocks[0].sends[25].url, "{{BaseURL}}/l.php?act=phpinfo");
        } else if (!strcmp(t->id, "tomcat-default-login")) {
            const web_tmpl_send *last = &t->blocks[0].sends[t->blocks[0].nsends - 1];
            CHECK_INT(t->blocks[0].nsends, 15 * 27); /* clusterbomb */
            CHECK_STR(t->category, "weak_auth");
            web_tmpl_vars vs = {0};
            for (size_t k = 0; k < last->npayload; k++)
                web_tmpl_vars_set(&vs, last->payload[k].name, last->payload[k].value);
            kw_buf b;
            kw_buf_init(&b, 1024);
            CHECK_INT(web_tmpl_expand(last->headers[0], &vs, &b), KW_OK);
            CHECK_STR(kw_buf_cstr(&b), "Authorization: Basic eGFtcHA6eGFtcHA="); /* xampp:xampp */
            kw_buf_free(&b);
        } else if (!strcmp(t->id, "CVE-2021-41773")) {
            CHECK_STR(t->category, "path_traversal");
            CHECK_STR(t->cve, "CVE-2021-41773");
            CHECK_INT(t->blocks[0].nsends, 3);
            CHECK_STR(t->blocks[0].sends[2].body, "echo Content-Type: text/plain; echo; {{cmd}}");
        }
    }
    /* the real git-config template on a real-looking answer, and on an HTML page that mentions it */
    for (size_t i = 0; set && i < set->n; i++)
        if (!strcmp(set->t[i]->id, "git-config")) {
            web_tmpl_vars vs = {0};
            const char *cfg = "[core]\n\trepositoryformatversion = 0\n[remote \"origin\"]\n\turl = https://u:pw@git.example/r.git\n";
            web_tmpl_answer a = {200, "HTTP/1.1 200 OK\r\n", 17, cfg, strlen(cfg)};
            web_tmpl_result r;
            web_tmpl_result_init(&r);
            web_tmpl_eval(&set->t[i]->blocks[0], &a, &vs, &r);
            CHECK(r.matched);
            CHECK_CONTAINS(kw_buf_cstr(&r.detail), "extracted: u:pw");
            const char *page = "<html><body>Put [core] in your .git/config</body></html>";
            web_tmpl_answer b = {200, "HTTP/1.1 200 OK\r\n", 17, page, strlen(page)};
            web_tmpl_eval(&set->t[i]->blocks[0], &b, &vs, &r);
            CHECK(!r.matched);
            web_tmpl_result_free(&r);
        }
    web_tmpl_set_free(set);
}

/* ---- the runner, through a fake site ---- */

typedef struct fake_page {
    const char *url;
    long status;
    const char *headers, *body;
    const char *later;               /* the body from the second request on (NULL: the same) */
} fake_page;

typedef struct fake_site {
    const fake_page *pages;
    size_t npages;
    char sent[16][256];              /* the URLs asked for, in order */
    char sent_hdr[16][256];          /* the first extra header of each */
    size_t nsent;
    char reports[8][1024];           /* "id|url|detail|answer" */
    size_t nreports;
    int hits[8];                     /* requests per page */
    int budget;                      /* requests before the scan is "stopping" */
} fake_site;

static kw_rc fake_send(void *arg, const web_request *rq, web_response *out)
{
    fake_site *f = arg;
    if (f->nsent < 16) {
        snprintf(f->sent[f->nsent], sizeof f->sent[0], "%s %s", rq->method ? rq->method : "GET", rq->url);
        snprintf(f->sent_hdr[f->nsent], sizeof f->sent_hdr[0], "%s", rq->nheaders ? rq->headers[0] : "");
        f->nsent++;
    }
    f->budget--;
    memset(out, 0, sizeof *out);
    const fake_page *pg = NULL;
    for (size_t i = 0; i < f->npages; i++)
        if (!strcmp(f->pages[i].url, rq->url))
            pg = &f->pages[i];
    bool later = pg && pg->later && f->hits[pg - f->pages]++ > 0;
    out->status = pg ? pg->status : 404;
    out->headers = strdup(pg ? pg->headers : "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n");
    out->hlen = strlen(out->headers);
    out->body = strdup(pg ? (later ? pg->later : pg->body) : "<html>not found</html>");
    out->len = strlen(out->body);
    return KW_OK;
}

static void fake_free(web_response *r)
{
    free(r->headers);
    free(r->body);
}

static kw_rc fake_report(void *arg, const web_issue *is)
{
    fake_site *f = arg;
    if (f->nreports < 8)
        snprintf(f->reports[f->nreports++], sizeof f->reports[0], "%s|%s|%s|%s|%s|%s", is->check_id, is->url,
                 is->category, finding_sev_name(is->severity), is->detail, is->answer);
    return KW_OK;
}

static void fake_marker(void *arg, char *out, size_t n)
{
    snprintf(out, n + 1, "%.*s", (int)n, "kwrand0123456789");
}

static bool fake_stopping(void *arg)
{
    return ((fake_site *)arg)->budget <= 0;
}

static void run_on(const char *yaml, fake_site *f)
{
    web_tmpl *t = load(yaml);
    CHECK(t != NULL);
    if (!t)
        return;
    if (!f->budget)
        f->budget = 100;
    web_tmpl_io io = {fake_send, fake_free, fake_report, fake_marker, fake_stopping, f};
    web_tmpl_run(t, "http://127.0.0.1:8080/", &io);
    web_tmpl_free(t);
}

static void test_run_payloads_stop(void)
{
    static const fake_page pages[] = {
        {"http://127.0.0.1:8080/b.php", 200, "HTTP/1.1 200 OK\r\n", "<td>PHP Version 8.2</td> PHP Extension"},
        {"http://127.0.0.1:8080/c.php", 200, "HTTP/1.1 200 OK\r\n", "PHP Version PHP Extension"}};
    fake_site f = {pages, 2};
    run_on("id: kw-phpinfo\ninfo:\n  name: phpinfo\n  severity: low\n  tags: config,exposure\nhttp:\n"
           "  - path: ['{{BaseURL}}{{p}}']\n    payloads:\n      p: [/a.php, /b.php?x=1, /b.php, /c.php, '/{{DN}}.php']\n"
           "    stop-at-first-match: true\n    matchers-condition: and\n    matchers:\n"
           "      - type: word\n        words: [PHP Version, PHP Extension]\n        condition: and\n"
           "      - type: status\n        status: [200]\n",
           &f);
    CHECK_INT(f.nsent, 4); /* /a.php, /b.php?x=1 (404), /b.php: a match, again to confirm it, and it stops */
    CHECK_STR(f.sent[0], "GET http://127.0.0.1:8080/a.php");
    CHECK_STR(f.sent[2], "GET http://127.0.0.1:8080/b.php");
    CHECK_STR(f.sent[3], "GET http://127.0.0.1:8080/b.php");
    CHECK_INT(f.nreports, 1);
    CHECK_CONTAINS(f.reports[0], "kw-phpinfo|http://127.0.0.1:8080/b.php|sensitive_file|low|");
    CHECK_CONTAINS(f.reports[0], "word 'PHP Version', word 'PHP Extension' in body; status 200");
    CHECK_CONTAINS(f.reports[0], "|<td>PHP Version 8.2</td>");
    /* without stop-at-first-match every page is asked, and {{DN}} (no value) is never sent */
    fake_site g = {pages, 2};
    run_on("id: kw-phpinfo2\ninfo:\n  name: phpinfo\n  severity: low\nhttp:\n"
           "  - path: ['{{BaseURL}}{{p}}']\n    payloads:\n      p: [/b.php, /c.php, '/{{DN}}.php']\n"
           "    matchers:\n      - type: word\n        words: [PHP Extension]\n",
           &g);
    CHECK_INT(g.nsent, 4);
    CHECK_INT(g.nreports, 2);
    CHECK_CONTAINS(g.reports[1], "kw-phpinfo2|http://127.0.0.1:8080/c.php|app_config|low|");
}

static void test_run_chain_vars(void)
{
    static const fake_page pages[] = {
        {"http://127.0.0.1:8080/login", 200, "HTTP/1.1 200 OK\r\nSet-Cookie: s=1\r\n", "csrf=tok42;"},
        {"http://127.0.0.1:8080/admin?t=tok42", 200, "HTTP/1.1 200 OK\r\n", "Welcome admin"}};
    fake_site f = {pages, 2};
    run_on("id: kw-chain\ninfo:\n  name: chain\n  severity: high\nvariables:\n  who: admin\n  hdr: '{{who}}@{{Host}}'\n"
           "http:\n  - raw:\n      - |\n        GET /login HTTP/1.1\n        Host: {{Hostname}}\n        X-Who: {{hdr}}\n\n"
           "      - |\n        GET /admin?t={{csrf}} HTTP/1.1\n        Host: {{Hostname}}\n        X-R: {{randstr}}\n"
           "    extractors:\n      - type: regex\n        name: csrf\n        internal: true\n        group: 1\n"
           "        regex: ['csrf=(\\w+);']\n    matchers:\n      - type: word\n        words: ['Welcome {{who}}']\n",
           &f);
    CHECK_INT(f.nsent, 3);
    CHECK_STR(f.sent_hdr[0], "X-Who: admin@127.0.0.1");
    CHECK_STR(f.sent[1], "GET http://127.0.0.1:8080/admin?t=tok42");
    CHECK(strncmp(f.sent_hdr[1], "X-R: kwrand", 11) == 0);
    CHECK_INT(f.nreports, 1);
    CHECK_CONTAINS(f.reports[0], "kw-chain|http://127.0.0.1:8080/admin|"); /* the page: no query */
    /* when the extractor finds nothing, the request naming it is not sent */
    static const fake_page none[] = {{"http://127.0.0.1:8080/login", 200, "HTTP/1.1 200 OK\r\n", "no token"}};
    fake_site g = {none, 1};
    run_on("id: kw-chain2\ninfo:\n  name: chain\nhttp:\n  - raw:\n      - 'GET /login HTTP/1.1'\n"
           "      - 'GET /admin?t={{csrf}} HTTP/1.1'\n    extractors:\n      - type: regex\n        name: csrf\n"
           "        internal: true\n        group: 1\n        regex: ['csrf=(\\w+);']\n    matchers:\n"
           "      - type: status\n        status: [200]\n",
           &g);
    CHECK_INT(g.nsent, 2);
    CHECK_INT(g.nreports, 1); /* /login itself answered 200 (twice) */
}

static void test_run_payload_in_matcher(void)
{
    /* a payload value in a matcher is the value of the request being matched */
    static const fake_page pages[] = {
        {"http://127.0.0.1:8080/?q=k1", 200, "HTTP/1.1 200 OK\r\n", "echo k2"},
        {"http://127.0.0.1:8080/?q=k2", 200, "HTTP/1.1 200 OK\r\n", "echo k2"}};
    fake_site f = {pages, 2};
    run_on("id: kw-echo\ninfo:\n  name: echo\nhttp:\n  - path: ['{{BaseURL}}/?q={{p}}']\n    payloads:\n      p: [k1, k2]\n"
           "    matchers:\n      - type: word\n        words: ['echo {{p}}']\n",
           &f);
    CHECK_INT(f.nsent, 3);
    CHECK_INT(f.nreports, 1);
    CHECK_CONTAINS(f.reports[0], "kw-echo|http://127.0.0.1:8080/|");
    CHECK_CONTAINS(f.reports[0], "word 'echo {{p}}' in body");
}

static void test_run_confirm(void)
{
    /* a page that shows the words once and not again is not reported */
    static const fake_page pages[] = {{"http://127.0.0.1:8080/x", 200, "HTTP/1.1 200 OK\r\n", "DB_PASSWORD=1", "nothing"}};
    fake_site f = {pages, 1};
    run_on("id: kw-once\ninfo:\n  name: once\nhttp:\n  - path: ['{{BaseURL}}/x']\n    matchers:\n"
           "      - type: word\n        words: [DB_PASSWORD=]\n",
           &f);
    CHECK_INT(f.nsent, 2);
    CHECK_INT(f.nreports, 0);
}

static void test_run_stopping(void)
{
    fake_site f = {NULL, 0};
    f.budget = 2;
    run_on("id: kw-many\ninfo:\n  name: many\nhttp:\n  - path: ['{{BaseURL}}/1', '{{BaseURL}}/2', '{{BaseURL}}/3']\n"
           "    matchers:\n      - type: status\n        status: [200]\n  - path: ['{{BaseURL}}/4']\n"
           "    matchers:\n      - type: status\n        status: [200]\n",
           &f);
    CHECK_INT(f.nsent, 2); /* the scan stopped: nothing more is sent */
    CHECK_INT(f.nreports, 0);
}

int main(void)
{
    RUN(test_load_paths);
    RUN(test_load_raw);
    RUN(test_load_payloads);
    RUN(test_load_skips);
    RUN(test_load_errors);
    RUN(test_vars);
    RUN(test_match_word);
    RUN(test_match_parts);
    RUN(test_match_status_size_regex);
    RUN(test_match_conditions);
    RUN(test_match_dsl);
    RUN(test_extract);
    RUN(test_category);
    RUN(test_load_dirs);
    RUN(test_community);
    RUN(test_run_payloads_stop);
    RUN(test_run_chain_vars);
    RUN(test_run_payload_in_matcher);
    RUN(test_run_confirm);
    RUN(test_run_stopping);
    TEST_MAIN_END();
}
