/* The XSS check's pure part: where a marker lands, the probes for each place, and the proof that
 * a probe broke out (which its escaped look-alike must fail). */
#include "scan/scan_web_xss.h"

#include <string.h>

#include "kw_test.h"

#define M "kw7f3a9q"

static web_xss_where one_place(const char *html)
{
    web_xss_where w[4];
    memset(w, 0, sizeof w);
    size_t n = web_xss_contexts(html, strlen(html), M, w, 4);
    CHECK_INT(n, 1);
    return w[0];
}

static void test_contexts_text_and_attrs(void)
{
    web_xss_where w = one_place("<html><body><p>You searched for " M "</p></body></html>");
    CHECK_INT(w.kind, WEB_XSS_TEXT);
    CHECK_STR(w.tag, "");
    w = one_place("<form><input type=text name=q value=\"" M "\"></form>");
    CHECK_INT(w.kind, WEB_XSS_ATTR_DQ);
    CHECK_STR(w.tag, "input");
    CHECK_STR(w.attr, "value");
    w = one_place("<INPUT VALUE='x" M "'>");
    CHECK_INT(w.kind, WEB_XSS_ATTR_SQ);
    CHECK_STR(w.attr, "value");
    w = one_place("<td class=c" M ">x</td>");
    CHECK_INT(w.kind, WEB_XSS_ATTR_UQ);
    CHECK_STR(w.tag, "td");
    w = one_place("<a href=\"" M "\">next</a>");
    CHECK_INT(w.kind, WEB_XSS_URL);
    CHECK_INT(w.quote, '"');
    w = one_place("<a href=\"/page?x=" M "\">next</a>");  /* not at the start: a plain attribute */
    CHECK_INT(w.kind, WEB_XSS_ATTR_DQ);
    w = one_place("<img src=/logo.png width=" M " alt=logo>");
    CHECK_INT(w.kind, WEB_XSS_ATTR_UQ);
    CHECK_STR(w.attr, "width");
    w = one_place("<a title=\"t\" href=" M ">x</a>");
    CHECK_INT(w.kind, WEB_XSS_URL);
    CHECK_INT(w.quote, 0);
    w = one_place("<div " M ">");
    CHECK_INT(w.kind, WEB_XSS_TAG);
}

static void test_contexts_raw_and_script(void)
{
    web_xss_where w = one_place("<title>" M " - shop</title><p>x</p>");
    CHECK_INT(w.kind, WEB_XSS_RCDATA);
    CHECK_STR(w.tag, "title");
    w = one_place("<textarea name=c><b>" M "</b></textarea>");
    CHECK_INT(w.kind, WEB_XSS_RCDATA);
    CHECK_STR(w.tag, "textarea");
    w = one_place("<!-- debug: " M " -->");
    CHECK_INT(w.kind, WEB_XSS_COMMENT);
    w = one_place("<style>.a{color:" M "}</style>");
    CHECK_INT(w.kind, WEB_XSS_STYLE);
    w = one_place("<script>var q = '" M "';</script>");
    CHECK_INT(w.kind, WEB_XSS_JS_SQ);
    w = one_place("<script>var q = \"it\\\"s " M "\";</script>");
    CHECK_INT(w.kind, WEB_XSS_JS_DQ);
    w = one_place("<script>var n = " M ";</script>");
    CHECK_INT(w.kind, WEB_XSS_JS_CODE);
    w = one_place("<script>// '" M "\n</script>");
    CHECK_INT(w.kind, WEB_XSS_JS_COMMENT);
    w = one_place("<script>var s = `a ${b} " M "`;</script>");
    CHECK_INT(w.kind, WEB_XSS_JS_TPL);
    /* a quote inside an HTML attribute does not open a script string after it */
    w = one_place("<p title=\"it's\">" M "</p>");
    CHECK_INT(w.kind, WEB_XSS_TEXT);
    /* the script ends at its end tag even inside a string */
    w = one_place("<script>var a='</script><p>" M "</p>");
    CHECK_INT(w.kind, WEB_XSS_TEXT);
}

static void test_contexts_several(void)
{
    const char *html = "<title>" M "</title><input value=\"" M "\"><script>x='" M "'</script>" M;
    web_xss_where w[8];
    size_t n = web_xss_contexts(html, strlen(html), M, w, 8);
    CHECK_INT(n, 4);
    CHECK_INT(w[0].kind, WEB_XSS_RCDATA);
    CHECK_INT(w[1].kind, WEB_XSS_ATTR_DQ);
    CHECK_INT(w[2].kind, WEB_XSS_JS_SQ);
    CHECK_INT(w[3].kind, WEB_XSS_TEXT);
    CHECK_INT(web_xss_contexts(html, strlen(html), M, w, 2), 2);
    CHECK_INT(web_xss_contexts(html, strlen(html), "absent", w, 8), 0);
    CHECK_INT(web_xss_contexts(html, 0, M, w, 8), 0);
}

static void test_probes(void)
{
    web_xss_probe p[4];
    web_xss_where w = {.kind = WEB_XSS_ATTR_DQ, .tag = "input", .attr = "value"};
    size_t n = web_xss_probes(&w, M, p, 4);
    CHECK_INT(n, 2);
    CHECK_STR(p[0].payload, "\" " M "=1 x=");
    CHECK_INT(p[0].proof, WEB_XSS_PROOF_ATTR);
    CHECK_STR(p[1].payload, "\"><" M ">");
    w = (web_xss_where){.kind = WEB_XSS_ATTR_UQ, .tag = "img", .attr = "width"};
    CHECK_INT(web_xss_probes(&w, M, p, 4), 2);
    CHECK_STR(p[0].payload, "x " M "=1");
    CHECK_STR(p[1].payload, "x><" M ">");
    w = (web_xss_where){.kind = WEB_XSS_RCDATA, .tag = "textarea"};
    CHECK_INT(web_xss_probes(&w, M, p, 4), 1);
    CHECK_STR(p[0].payload, "</textarea><" M ">");
    w = (web_xss_where){.kind = WEB_XSS_URL, .quote = '\'', .tag = "a", .attr = "href"};
    n = web_xss_probes(&w, M, p, 4);
    CHECK_INT(n, 3);
    CHECK_STR(p[0].payload, "javascript:" M "()");
    CHECK_INT(p[0].proof, WEB_XSS_PROOF_JSURL);
    CHECK_STR(p[1].payload, "' " M "=1 x=");
    w = (web_xss_where){.kind = WEB_XSS_URL, .quote = '"', .tag = "img", .attr = "src"};
    CHECK_INT(web_xss_probes(&w, M, p, 4), 2); /* no javascript: probe for an image */
    CHECK_STR(p[0].payload, "\" " M "=1 x=");
    w = (web_xss_where){.kind = WEB_XSS_JS_SQ, .tag = "script"};
    n = web_xss_probes(&w, M, p, 4);
    CHECK_INT(n, 2);
    CHECK_STR(p[0].payload, "'-" M "-'");
    CHECK_INT(p[0].proof, WEB_XSS_PROOF_JSCODE);
    CHECK_STR(p[1].payload, "</script><" M ">");
    CHECK_INT(web_xss_probes(&w, "a0123456789012345678901234567890123456789", p, 4), 0);
}

/* Each proof against the answer a vulnerable page gives and the one an escaping page gives. */
static void test_proofs_and_lookalikes(void)
{
    const char *v = "<p>Hello <" M "></p>";
    const char *s = "<p>Hello &lt;" M "&gt;</p>";
    size_t at = 0;
    CHECK(web_xss_proved(v, strlen(v), M, WEB_XSS_PROOF_ELEMENT, &at));
    CHECK_INT(at, 9);
    CHECK(!web_xss_proved(s, strlen(s), M, WEB_XSS_PROOF_ELEMENT, NULL));
    v = "<input name=q value=\"\" " M "=1 x=\"\">";
    s = "<img width= " M "=1 alt=logo>"; /* blanks after '=' start no attribute */
    CHECK(!web_xss_proved(s, strlen(s), M, WEB_XSS_PROOF_ATTR, NULL));
    v = "<img width=x " M "=1 alt=logo>";
    CHECK(web_xss_proved(v, strlen(v), M, WEB_XSS_PROOF_ATTR, NULL));
    v = "<input name=q value=\"\" " M "=1 x=\"\">";
    s = "<input name=q value=\"&quot; " M "=1 x=\">";
    CHECK(web_xss_proved(v, strlen(v), M, WEB_XSS_PROOF_ATTR, NULL));
    CHECK(!web_xss_proved(s, strlen(s), M, WEB_XSS_PROOF_ATTR, NULL));
    v = "<a href=\"javascript:" M "()\">go</a>";
    s = "<a href=\"/r?u=javascript:" M "()\">go</a>";
    CHECK(web_xss_proved(v, strlen(v), M, WEB_XSS_PROOF_JSURL, NULL));
    CHECK(!web_xss_proved(s, strlen(s), M, WEB_XSS_PROOF_JSURL, NULL));
    v = "<a href=' JavaScript:" M "()'>go</a>";
    CHECK(web_xss_proved(v, strlen(v), M, WEB_XSS_PROOF_JSURL, NULL));
    s = "<img src=\"javascript:" M "()\">"; /* an image does not run its URL */
    CHECK(!web_xss_proved(s, strlen(s), M, WEB_XSS_PROOF_JSURL, NULL));
    v = "<script>var q = ''-" M "-'';</script>";
    s = "<script>var q = '\\'-" M "-\\'';</script>";
    CHECK(web_xss_proved(v, strlen(v), M, WEB_XSS_PROOF_JSCODE, NULL));
    CHECK(!web_xss_proved(s, strlen(s), M, WEB_XSS_PROOF_JSCODE, NULL));
    s = "<script>var q = \"'-" M "-'\";</script>";  /* JSON-encoded into a double-quoted string */
    CHECK(!web_xss_proved(s, strlen(s), M, WEB_XSS_PROOF_JSCODE, NULL));
    v = "<textarea></textarea><" M "></textarea>";
    s = "<textarea>&lt;/textarea&gt;<" M "></textarea>";
    CHECK(web_xss_proved(v, strlen(v), M, WEB_XSS_PROOF_ELEMENT, NULL));
    CHECK(!web_xss_proved(s, strlen(s), M, WEB_XSS_PROOF_ELEMENT, NULL));
    s = "<!-- <" M "> -->";
    CHECK(!web_xss_proved(s, strlen(s), M, WEB_XSS_PROOF_ELEMENT, NULL));
    /* the marker as text is not an element, nor as an attribute value */
    s = "<p>" M "</p><b title=" M ">";
    CHECK(!web_xss_proved(s, strlen(s), M, WEB_XSS_PROOF_ELEMENT, NULL));
    CHECK(!web_xss_proved(s, strlen(s), M, WEB_XSS_PROOF_ATTR, NULL));
}

/* An event handler's script is read after its character references are decoded: an escaped
 * quote there still ends the string. */
static void test_event_handlers(void)
{
    web_xss_where w = one_place("<button onclick=\"go('" M "')\">Go</button>");
    CHECK_INT(w.kind, WEB_XSS_ATTR_DQ);
    CHECK_INT(w.js, WEB_XSS_JS_SQ);
    web_xss_probe p[4];
    size_t n = web_xss_probes(&w, M, p, 4);
    CHECK_INT(n, 3);
    CHECK_STR(p[0].payload, "'-" M "-'");
    CHECK_INT(p[0].proof, WEB_XSS_PROOF_JSATTR);
    const char *v = "<button onclick=\"go('&#39;-" M "-&#39;')\">Go</button>";
    const char *s = "<button onclick=\"go('\\&#39;-" M "-\\&#39;')\">Go</button>";
    CHECK(web_xss_proved(v, strlen(v), M, WEB_XSS_PROOF_JSATTR, NULL));
    CHECK(!web_xss_proved(s, strlen(s), M, WEB_XSS_PROOF_JSATTR, NULL));
    s = "<button title=\"go('&#39;-" M "-&#39;')\">Go</button>"; /* not a handler */
    CHECK(!web_xss_proved(s, strlen(s), M, WEB_XSS_PROOF_JSATTR, NULL));
    w = one_place("<input value=\"" M "\">");
    CHECK_INT(w.js, WEB_XSS_TEXT);
    char d[32];
    CHECK_INT(web_xss_decode("a&#x27;&quot;&amp;&bogus;", 25, d), 11);
    CHECK(memcmp(d, "a'\"&&bogus;", 11) == 0);
}

static void test_hostile_bytes(void)
{
    const char bin[] = "<\0<a\0 href=\"\0kw7f3a9q<script>'\\";
    web_xss_where w[4];
    CHECK(web_xss_contexts(bin, sizeof bin - 1, M, w, 4) <= 4);
    CHECK(!web_xss_proved(bin, sizeof bin - 1, M, WEB_XSS_PROOF_ELEMENT, NULL));
    CHECK(!web_xss_proved("<", 1, M, WEB_XSS_PROOF_JSURL, NULL));
    CHECK(!web_xss_proved("</", 2, M, WEB_XSS_PROOF_ELEMENT, NULL));
    CHECK(!web_xss_proved("<!-", 3, M, WEB_XSS_PROOF_ELEMENT, NULL));
}

static void test_describe_and_types(void)
{
    char buf[128];
    web_xss_where w = {.kind = WEB_XSS_ATTR_DQ, .tag = "input", .attr = "value"};
    web_xss_describe(&w, buf, sizeof buf);
    CHECK_STR(buf, "a double-quoted attribute of <input value>");
    w = (web_xss_where){.kind = WEB_XSS_RCDATA, .tag = "title"};
    web_xss_describe(&w, buf, sizeof buf);
    CHECK_STR(buf, "the raw text of <title>");
    CHECK(web_xss_is_html("text/html"));
    CHECK(web_xss_is_html(""));
    CHECK(!web_xss_is_html("application/json"));
    CHECK(!web_xss_is_html("text/plain"));
}

int main(void)
{
    RUN(test_contexts_text_and_attrs);
    RUN(test_contexts_raw_and_script);
    RUN(test_contexts_several);
    RUN(test_probes);
    RUN(test_proofs_and_lookalikes);
    RUN(test_event_handlers);
    RUN(test_hostile_bytes);
    RUN(test_describe_and_types);
    TEST_MAIN_END();
}
