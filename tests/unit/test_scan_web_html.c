/* Unit tests of the web crawler's extraction (scan_web_html.c): URL resolution per RFC 3986 with
 * the corrections browsers make, links and forms out of real-world HTML shapes (unclosed tags,
 * upper-case attributes, entities, base href, forms without action, select and textarea, fields
 * outside their form), robots.txt and sitemap.xml. The robots.txt rules follow RFC 9309's
 * examples; the sitemap shape is the one of sitemaps.org's protocol page. */
#include "kw_test.h"
#include "core/kw_buf.h"
#include "scan/scan_web_html.h"

#include <libxml/globals.h>

#include <pthread.h>
#include <stdlib.h>

static char res[4096];

static const char *resolve(const char *base, const char *ref)
{
    kw_rc rc = web_url_resolve(base, ref, res, sizeof res);
    return rc == KW_OK ? res : rc == KW_ERR_RANGE ? "RANGE" : "PARSE";
}

static void test_resolve_rfc3986(void)
{
    /* RFC 3986 section 5.4.1 normal examples, base http://a/b/c/d;p?q */
    const char *b = "http://a/b/c/d;p?q";
    CHECK_STR(resolve(b, "g"), "http://a/b/c/g");
    CHECK_STR(resolve(b, "./g"), "http://a/b/c/g");
    CHECK_STR(resolve(b, "g/"), "http://a/b/c/g/");
    CHECK_STR(resolve(b, "/g"), "http://a/g");
    CHECK_STR(resolve(b, "//g"), "http://g/");
    CHECK_STR(resolve(b, "?y"), "http://a/b/c/d;p?y");
    CHECK_STR(resolve(b, "g?y"), "http://a/b/c/g?y");
    CHECK_STR(resolve(b, "#s"), "http://a/b/c/d;p?q");
    CHECK_STR(resolve(b, "g#s"), "http://a/b/c/g");
    CHECK_STR(resolve(b, ""), "http://a/b/c/d;p?q");
    CHECK_STR(resolve(b, "."), "http://a/b/c/");
    CHECK_STR(resolve(b, ".."), "http://a/b/");
    CHECK_STR(resolve(b, "../g"), "http://a/b/g");
    CHECK_STR(resolve(b, "../../../g"), "http://a/g");
    CHECK_STR(resolve(b, "/./g"), "http://a/g");
}

static void test_resolve_browser_fixes(void)
{
    const char *b = "HTTP://WWW.Example.COM:80/Dir/Page.php?x=1#top";
    CHECK_STR(resolve(b, ""), "http://www.example.com/Dir/Page.php?x=1");
    CHECK_STR(resolve(b, "  ../Other Page.php?a=1 b  "), "http://www.example.com/Other%20Page.php?a=1%20b");
    CHECK_STR(resolve(b, "a\\b\\c?q=\\"), "http://www.example.com/Dir/a/b/c?q=\\");
    CHECK_STR(resolve(b, "x\n\ty\r.php"), "http://www.example.com/Dir/xy.php");
    CHECK_STR(resolve(b, "/caf\xc3\xa9"), "http://www.example.com/caf%C3%A9");
    CHECK_STR(resolve(b, "http://Other.Example/caf\xc3\xa9 x"), "http://other.example/caf%C3%A9%20x");
    CHECK_STR(resolve(b, "HTTPS://Secure.Example:443/"), "https://secure.example/");
    CHECK_STR(resolve(b, "http://[::1]:8080/x"), "http://[::1]:8080/x");
    CHECK_STR(resolve(b, "javascript:alert(1)"), "PARSE");
    CHECK_STR(resolve(b, "mailto:a@example.com"), "PARSE");
    CHECK_STR(resolve(b, "ftp://example.com/f"), "PARSE");
    CHECK_STR(resolve(b, "data:text/html,<b>x</b>"), "PARSE");
    CHECK_STR(resolve("/relative/base", "x"), "PARSE");
    CHECK_STR(resolve("file:///etc/passwd", "x"), "PARSE");
    char small[16];
    CHECK_INT(web_url_resolve("http://example.com/", "/a-long-path-here", small, sizeof small), KW_ERR_RANGE);
    CHECK_STR(small, "");
    char longref[5000];
    memset(longref, 'a', sizeof longref - 1);
    longref[sizeof longref - 1] = '\0';
    CHECK_STR(resolve(b, longref), "RANGE");
}

static const char *link(const web_html *h, size_t i) { return i < h->nlinks ? h->links[i] : "(none)"; }

static bool has_link(const web_html *h, const char *url)
{
    for (size_t i = 0; i < h->nlinks; i++)
        if (strcmp(h->links[i], url) == 0)
            return true;
    return false;
}

static const web_field *field(const web_form *f, const char *name)
{
    for (size_t i = 0; f && i < f->nfields; i++)
        if (strcmp(f->fields[i].name, name) == 0)
            return &f->fields[i];
    return NULL;
}

static kw_rc parse(const char *page, const char *html, size_t max, web_html *h)
{
    return web_html_parse(page, html, strlen(html), max, h);
}

static void test_links_real_shapes(void)
{
    const char *html = "<HTML><BODY><A HREF=\"../up.php?a=1&amp;b=2\">up</A>\n"
                       "<a href='?page=2'>next<a href=sub/x.html#frag>unclosed</a>\n"
                       "<area href=\"/map\"><iframe SRC=\"frame.php\"></iframe><frame src=\"/f2\">\n"
                       "<a href=\"javascript:void(0)\">js</a><a href=\"mailto:x@y\">m</a><a>none</a>\n"
                       "<a href=\"#top\">self</a><a href=\"../up.php?a=1&b=2\">dup</a>\n"
                       "<a href=\"HTTP://Other.Example/\">other</a><img src=\"/img.png\">\n"
                       "<p><table><tr><td><a href=\"/in-table\">t</td></table>";
    web_html h;
    CHECK_INT(parse("http://site.example/app/index.php?id=3", html, 100, &h), KW_OK);
    CHECK_STR(link(&h, 0), "http://site.example/up.php?a=1&b=2");
    CHECK_STR(link(&h, 1), "http://site.example/app/index.php?page=2");
    CHECK_STR(link(&h, 2), "http://site.example/app/sub/x.html");
    CHECK_STR(link(&h, 3), "http://site.example/map");
    CHECK_STR(link(&h, 4), "http://site.example/app/frame.php");
    CHECK_STR(link(&h, 5), "http://site.example/f2");
    CHECK_STR(link(&h, 6), "http://site.example/app/index.php?id=3");
    CHECK_STR(link(&h, 7), "http://other.example/");
    CHECK_STR(link(&h, 8), "http://site.example/in-table");
    CHECK_INT(h.nlinks, 9);
    CHECK_INT(h.nforms, 0);
    CHECK(!h.truncated);
    web_html_free(&h);
    CHECK(h.links == NULL && h.nlinks == 0);
}

static void test_links_base_resources_refresh(void)
{
    const char *html = "<html><head><link rel=canonical href=\"before\">\n"
                       "<base href=\"/root/\"><base href=\"/ignored/\">\n"
                       "<link rel=\"stylesheet\" href=\"s.css\"><link rel=\"Stylesheet\" href=\"theme.php?c=red\">\n"
                       "<link rel=\"alternate\" href=\"feed.xml\"><link rel=\"next\" href=\"p2\">\n"
                       "<link rel=\"shortcut icon\" href=\"/favicon.ico\"><link rel=preconnect href=\"//cdn.example\">\n"
                       "<script src=\"app.js\"></script><script src=\"jsonp.php?callback=cb\"></script>\n"
                       "<script src=\"/v1/config\"></script>\n"
                       "<meta http-equiv=\"Refresh\" content=\"5; URL='moved.php?x=1'\">\n"
                       "<meta http-equiv=\"refresh\" content=\"10\"></head></html>";
    web_html h;
    CHECK_INT(parse("http://site.example/a/b.html", html, 100, &h), KW_OK);
    CHECK_STR(link(&h, 0), "http://site.example/root/before");
    CHECK(has_link(&h, "http://site.example/root/theme.php?c=red"));
    CHECK(has_link(&h, "http://site.example/root/feed.xml"));
    CHECK(has_link(&h, "http://site.example/root/p2"));
    CHECK(has_link(&h, "http://site.example/root/jsonp.php?callback=cb"));
    CHECK(has_link(&h, "http://site.example/v1/config"));
    CHECK(has_link(&h, "http://site.example/root/moved.php?x=1"));
    CHECK(!has_link(&h, "http://site.example/root/s.css"));
    CHECK(!has_link(&h, "http://site.example/favicon.ico"));
    CHECK(!has_link(&h, "http://site.example/root/app.js"));
    CHECK(!has_link(&h, "http://cdn.example/"));
    CHECK_INT(h.nlinks, 7);
    web_html_free(&h);
    /* a base that is not http(s) is ignored */
    CHECK_INT(parse("http://site.example/a/b.html", "<base href=\"javascript:x\"><a href=c>", 10, &h), KW_OK);
    CHECK_STR(link(&h, 0), "http://site.example/a/c");
    web_html_free(&h);
    /* a base inside the body applies from where it stands */
    CHECK_INT(parse("http://site.example/a/b.html", "<p><a href=c></a><base href=/z/><a href=d>", 10, &h), KW_OK);
    CHECK_STR(link(&h, 0), "http://site.example/a/c");
    CHECK_STR(link(&h, 1), "http://site.example/z/d");
    web_html_free(&h);
}

static void test_forms(void)
{
    const char *html =
        "<form name=login method=POST action=\"login.php\">\n"
        " <INPUT TYPE=\"Text\" NAME=\"user\" VALUE=\"a&amp;b\"><input type=password name=pass>\n"
        " <input type=hidden name=csrf value=\"tok\"><input name=\"\" value=x><input value=noname>\n"
        " <input type=weird name=w><input type=radio name=r value=1><input type=radio name=r value=2 checked>\n"
        " <input type=checkbox name=c value=on><textarea name=msg>hello <b>there</b></textarea>\n"
        " <select name=s><optgroup><option value=a>A<option selected>  Bee\n  Two </option></optgroup></select>\n"
        " <select name=s2><option>First</option><option value=2>Second</select><select name=s3></select>\n"
        " <button name=go value=1>Go</button><button type=reset name=rst>R</button>\n"
        " <input type=submit name=Login value=Login>\n"
        "</form>\n"
        "<form><input name=q></form>\n"
        "<form action=\"javascript:go()\"><input name=z></form>\n"
        "<form action=\"/up#x\" method=put enctype=\"MULTIPART/form-data\"><input type=file name=f></form>"
        "<form action=\"/api\" method=post enctype=\"Application/JSON\"><input name=sku></form>";
    web_html h;
    CHECK_INT(parse("http://site.example/dir/page.php?x=1#f", html, 100, &h), KW_OK);
    CHECK_INT(h.nforms, 4);
    CHECK_STR(h.nforms > 3 ? h.forms[3].enctype : NULL, "application/json");
    web_form *f = h.nforms > 0 ? &h.forms[0] : NULL;
    CHECK_STR(f ? f->action : NULL, "http://site.example/dir/login.php");
    CHECK_STR(f ? f->method : NULL, "POST");
    CHECK_STR(f ? f->enctype : NULL, "");
    CHECK_INT(f ? f->nfields : 0, 13);
    CHECK_STR(f && f->nfields ? f->fields[0].name : NULL, "user");
    CHECK_STR(field(f, "user") ? field(f, "user")->value : NULL, "a&b");
    CHECK_STR(field(f, "user") ? field(f, "user")->type : NULL, "text");
    CHECK_STR(field(f, "pass") ? field(f, "pass")->type : NULL, "password");
    CHECK_STR(field(f, "pass") ? field(f, "pass")->value : NULL, "");
    CHECK_STR(field(f, "csrf") ? field(f, "csrf")->value : NULL, "tok");
    CHECK_STR(field(f, "w") ? field(f, "w")->type : NULL, "text");
    CHECK_STR(field(f, "r") ? field(f, "r")->value : NULL, "2");
    /* libxml2 is not HTML5: it parses tags inside a textarea, whose value is then their text */
    CHECK_STR(field(f, "msg") ? field(f, "msg")->value : NULL, "hello there");
    CHECK_STR(field(f, "msg") ? field(f, "msg")->type : NULL, "textarea");
    CHECK_STR(field(f, "s") ? field(f, "s")->value : NULL, "Bee Two");
    CHECK_STR(field(f, "s") ? field(f, "s")->type : NULL, "select");
    CHECK_STR(field(f, "s2") ? field(f, "s2")->value : NULL, "First");
    CHECK_STR(field(f, "s3") ? field(f, "s3")->value : NULL, "");
    CHECK_STR(field(f, "go") ? field(f, "go")->type : NULL, "submit");
    CHECK_STR(field(f, "rst") ? field(f, "rst")->type : NULL, "reset");
    CHECK_STR(field(f, "Login") ? field(f, "Login")->value : NULL, "Login");
    CHECK(field(f, "c") != NULL);
    web_form *g = h.nforms > 1 ? &h.forms[1] : NULL;
    CHECK_STR(g ? g->action : NULL, "http://site.example/dir/page.php?x=1");
    CHECK_STR(g ? g->method : NULL, "GET");
    CHECK_INT(g ? g->nfields : 0, 1);
    web_form *u = h.nforms > 2 ? &h.forms[2] : NULL;
    CHECK_STR(u ? u->action : NULL, "http://site.example/up");
    CHECK_STR(u ? u->method : NULL, "GET");
    CHECK_STR(u ? u->enctype : NULL, "multipart/form-data");
    CHECK_STR(field(u, "f") ? field(u, "f")->type : NULL, "file");
    CHECK_INT(h.nlinks, 0);
    web_html_free(&h);
}

static void test_fields_outside_forms(void)
{
    const char *html = "<input name=before form=late>\n"
                       "<form id=first action=/a><input name=in></form>\n"
                       "<input name=orphan><input name=owned form=first><textarea form=first name=t>x</textarea>\n"
                       "<input name=lost form=nosuch>\n"
                       "<form id=late action=/b method=post><input name=in2 form=first></form>\n"
                       "<table><form action=/t><tr><td><input name=cell></td></tr></form></table>";
    web_html h;
    CHECK_INT(parse("http://site.example/", html, 100, &h), KW_OK);
    CHECK_INT(h.nforms, 3);
    web_form *a = h.nforms > 0 ? &h.forms[0] : NULL;
    CHECK_INT(a ? a->nfields : 0, 4);
    CHECK(field(a, "in") && field(a, "owned") && field(a, "t") && field(a, "in2"));
    CHECK(!field(a, "orphan") && !field(a, "lost"));
    web_form *b = h.nforms > 1 ? &h.forms[1] : NULL;
    CHECK_INT(b ? b->nfields : 0, 1);
    CHECK(field(b, "before") != NULL);
    web_form *t = h.nforms > 2 ? &h.forms[2] : NULL;
    CHECK(field(t, "cell") != NULL);
    web_html_free(&h);
}

static void test_bounds(void)
{
    /* links plus forms stop at max_items, in document order */
    const char *html = "<a href=/1></a><form action=/f></form><a href=/2><a href=/1><a href=/3><form></form>";
    web_html h;
    CHECK_INT(parse("http://site.example/", html, 3, &h), KW_OK);
    CHECK_INT(h.nlinks, 2);
    CHECK_INT(h.nforms, 1);
    CHECK(h.truncated);
    web_html_free(&h);
    CHECK_INT(parse("http://site.example/", html, 4, &h), KW_OK);
    CHECK_INT(h.nlinks + h.nforms, 4);
    CHECK(h.truncated);
    web_html_free(&h);
    CHECK_INT(parse("http://site.example/", html, 5, &h), KW_OK);
    CHECK_INT(h.nlinks + h.nforms, 5);
    CHECK(!h.truncated);
    web_html_free(&h);
    /* at most 64 fields per form */
    kw_buf b;
    kw_buf_init(&b, 1 << 20);
    kw_buf_puts(&b, "<form>");
    for (int i = 0; i < 200; i++)
        kw_buf_printf(&b, "<input name=f%d>", i);
    CHECK_INT(parse("http://site.example/", kw_buf_cstr(&b), 10, &h), KW_OK);
    CHECK_INT(h.nforms ? h.forms[0].nfields : 0, 64);
    web_html_free(&h);
    kw_buf_free(&b);
}

static void test_page_url_and_broken_input(void)
{
    web_html h;
    CHECK_INT(parse("not a url", "<a href=/x>", 10, &h), KW_ERR_PARSE);
    CHECK_INT(h.nlinks, 0);
    web_html_free(&h);
    CHECK_INT(parse("ftp://site.example/", "<a href=/x>", 10, &h), KW_ERR_PARSE);
    web_html_free(&h);
    CHECK_INT(web_html_parse("http://site.example/", NULL, 0, 10, &h), KW_OK);
    CHECK_INT(h.nlinks, 0);
    web_html_free(&h);
    /* invalid UTF-8 and NUL bytes: what was recovered, no crash */
    static const char bad[] = "<a href=\"/caf\xe9\">x</a>\xff\xfe\x00<a href=\"/\xc3\">y</a><a href=/z>";
    CHECK_INT(web_html_parse("http://site.example/", bad, sizeof bad - 1, 10, &h), KW_OK);
    CHECK(h.nlinks >= 1);
    CHECK_STR(link(&h, 0), "http://site.example/caf%C3%A9");
    web_html_free(&h);
    /* a declared charset is honoured: Shift_JIS hiragana A (0x82 0xa0) is U+3042 */
    CHECK_INT(parse("http://site.example/", "<meta charset=shift_jis><a href=\"/\x82\xa0\">", 10, &h), KW_OK);
    CHECK_STR(link(&h, 0), "http://site.example/%E3%81%82");
    web_html_free(&h);
    /* GB2312 declared, a GBK-only character (0xE946, U+9555) inside, then more links and a form:
     * all read, the character right */
    static const char gbk[] = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">"
                              "<a href=\"/a\">\xca\xd7\xd2\xb3</a> \xe9\x46 <a href=\"/\xe9\x46\">b</a>"
                              "<form action=/s><input name=q value=\"\xe9\x46\"></form>";
    CHECK_INT(web_html_parse("http://site.example/", gbk, sizeof gbk - 1, 10, &h), KW_OK);
    CHECK_INT(h.nlinks, 2);
    CHECK_STR(link(&h, 1), "http://site.example/%E9%95%95");
    CHECK_INT(h.nforms, 1);
    CHECK_STR(h.nforms && h.forms[0].nfields ? h.forms[0].fields[0].value : NULL, "\xe9\x95\x95");
    web_html_free(&h);
    /* a byte that is no Shift_JIS: U+FFFD in its place, what follows kept */
    static const char sj[] = "<meta charset=shift_jis><a href=\"/x\x82\xa0\">a</a>\x82\xff<a href=\"/y\x80\">b</a>";
    CHECK_INT(web_html_parse("http://site.example/", sj, sizeof sj - 1, 10, &h), KW_OK);
    CHECK_STR(link(&h, 0), "http://site.example/x%E3%81%82");
    CHECK_STR(link(&h, 1), "http://site.example/y%EF%BF%BD");
    web_html_free(&h);
    /* the bad byte inside a tag (0x81 is no windows-1252 character) */
    static const char w[] = "<meta charset=\"windows-1252\"><a href=\"/a\x81\">x</a><a href=\"/b\x80\">y</a>";
    CHECK_INT(web_html_parse("http://site.example/", w, sizeof w - 1, 10, &h), KW_OK);
    CHECK_STR(link(&h, 0), "http://site.example/a%EF%BF%BD");
    CHECK_STR(link(&h, 1), "http://site.example/b%E2%82%AC");
    web_html_free(&h);
}

static void test_deep_nesting(void)
{
    kw_buf b;
    kw_buf_init(&b, 4 << 20);
    kw_buf_puts(&b, "<a href=/top></a>");
    for (int i = 0; i < 100000; i++)
        kw_buf_puts(&b, "<div>");
    kw_buf_puts(&b, "<a href=/deep>");
    web_html h;
    CHECK_INT(web_html_parse("http://site.example/", b.data, b.len, 10, &h), KW_OK);
    CHECK_STR(link(&h, 0), "http://site.example/top");
    web_html_free(&h);
    kw_buf_free(&b);
}

static void test_robots(void)
{
    const char *txt = "\xef\xbb\xbf# robots\r\nUser-agent: *\r\nDisallow: /admin/ # staff\r\n"
                      "disallow:/private*.php$\nAllow: /admin/public.html\nDisallow:\n"
                      "User-Agent: Googlebot\nDisallow: /search?q=*\nDISALLOW: relative\nDisallow: /admin/\n"
                      "Sitemap: https://site.example/sitemap.xml\nsitemap: /s2.xml\nSitemap: ftp://x/y\n"
                      "Crawl-delay: 10\nnonsense line\nDisallow: //evil.example/x\nDisallow: /a b\n";
    web_strs p, s;
    CHECK_INT(web_robots_parse("https://site.example/", txt, strlen(txt), 100, &p, &s), KW_OK);
    CHECK_INT(p.n, 6);
    CHECK_STR(p.n > 0 ? p.v[0] : NULL, "https://site.example/admin/");
    CHECK_STR(p.n > 1 ? p.v[1] : NULL, "https://site.example/private");
    CHECK_STR(p.n > 2 ? p.v[2] : NULL, "https://site.example/admin/public.html");
    CHECK_STR(p.n > 3 ? p.v[3] : NULL, "https://site.example/search?q=");
    CHECK_STR(p.n > 4 ? p.v[4] : NULL, "https://site.example/relative");
    CHECK_STR(p.n > 5 ? p.v[5] : NULL, "https://site.example/a%20b");
    CHECK_INT(s.n, 2);
    CHECK_STR(s.n > 0 ? s.v[0] : NULL, "https://site.example/sitemap.xml");
    CHECK_STR(s.n > 1 ? s.v[1] : NULL, "https://site.example/s2.xml");
    web_strs_free(&p);
    web_strs_free(&s);
    CHECK_INT(web_robots_parse("https://site.example/", txt, strlen(txt), 2, &p, &s), KW_OK);
    CHECK_INT(p.n, 2);
    CHECK_INT(s.n, 2); /* the Sitemap lines after the paths filled up are still read */
    web_strs_free(&p);
    web_strs_free(&s);
    CHECK_INT(web_robots_parse("nope", txt, strlen(txt), 2, &p, &s), KW_ERR_PARSE);
}

static void test_sitemap(void)
{
    const char *xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
                      " <url><loc>http://www.example.com/</loc><lastmod>2005-01-01</lastmod></url>\n"
                      " <url><loc>\n  http://www.example.com/catalog?item=12&amp;desc=vacation_hawaii\n </loc></url>\n"
                      " <url><loc><![CDATA[http://www.example.com/cdata]]></loc></url>\n"
                      " <url><loc>javascript:x</loc></url><url><loc>http://www.example.com/</loc></url>\n"
                      " <loc>http://www.example.com/stray</loc>\n"
                      "</urlset>";
    web_strs u, s;
    CHECK_INT(web_sitemap_parse(xml, strlen(xml), 100, &u, &s), KW_OK);
    CHECK_INT(u.n, 3);
    CHECK_STR(u.n > 0 ? u.v[0] : NULL, "http://www.example.com/");
    CHECK_STR(u.n > 1 ? u.v[1] : NULL, "http://www.example.com/catalog?item=12&desc=vacation_hawaii");
    CHECK_STR(u.n > 2 ? u.v[2] : NULL, "http://www.example.com/cdata");
    CHECK_INT(s.n, 0);
    web_strs_free(&u);
    web_strs_free(&s);
    const char *idx = "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
                      "<sitemap><loc>http://www.example.com/sitemap1.xml.gz</loc></sitemap>"
                      "<sitemap><loc>http://www.example.com/sitemap2.xml</loc></sitemap></sitemapindex>";
    CHECK_INT(web_sitemap_parse(idx, strlen(idx), 1, &u, &s), KW_OK);
    CHECK_INT(u.n, 0);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.n ? s.v[0] : NULL, "http://www.example.com/sitemap1.xml.gz");
    web_strs_free(&u);
    web_strs_free(&s);
    CHECK_INT(web_sitemap_parse("just text", 9, 10, &u, &s), KW_ERR_PARSE);
    CHECK_INT(web_sitemap_parse("\x1f\x8b\x08\x00", 4, 10, &u, &s), KW_ERR_PARSE);
}

static void test_sitemap_hostile(void)
{
    /* billion laughs: bounded (libxml2 stops the amplification), nothing expanded */
    kw_buf b;
    kw_buf_init(&b, 1 << 20);
    kw_buf_puts(&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for (int i = 1; i < 10; i++) {
        kw_buf_printf(&b, "<!ENTITY lol%d \"", i);
        for (int j = 0; j < 10; j++)
            kw_buf_printf(&b, i == 1 ? "&lol;" : "&lol%d;", i - 1);
        kw_buf_puts(&b, "\">\n");
    }
    kw_buf_puts(&b, "]>\n<urlset><url><loc>http://x.example/&lol9;</loc></url>"
                    "<url><loc>http://x.example/ok</loc></url></urlset>");
    web_strs u, s;
    kw_rc rc = web_sitemap_parse(b.data, b.len, 10, &u, &s);
    CHECK(rc == KW_OK || rc == KW_ERR_PARSE);
    for (size_t i = 0; i < u.n; i++)
        CHECK(strlen(u.v[i]) < 4096);
    web_strs_free(&u);
    web_strs_free(&s);
    kw_buf_free(&b);
    /* an external entity is not loaded */
    const char *xxe = "<?xml version=\"1.0\"?><!DOCTYPE u [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                      "<urlset><url><loc>http://x.example/&x;</loc></url></urlset>";
    rc = web_sitemap_parse(xxe, strlen(xxe), 10, &u, &s);
    for (size_t i = 0; i < u.n; i++)
        CHECK(!strstr(u.v[i], "root"));
    web_strs_free(&u);
    web_strs_free(&s);
}

/* Several workers parse at once (the scanner does): each gets the same answer, and libxml2's
 * error handlers, silenced per thread, are back as they were after. */
static void *parse_many(void *arg)
{
    const char *html = "<form action=x><input name=a><select name=s><option>1</select></form>"
                       "<a href=\"/caf\xe9\">x</a>\xff<div><p><a href=../y>y";
    long bad = 0;
    for (int i = 0; i < 200; i++) {
        web_html h;
        if (web_html_parse("http://site.example/d/p", html, strlen(html), 10, &h) != KW_OK || h.nlinks != 2 ||
            h.nforms != 1 || h.forms[0].nfields != 2 || strcmp(h.links[1], "http://site.example/y") != 0)
            bad++;
        web_html_free(&h);
    }
    *(long *)arg = bad;
    return NULL;
}

static void test_threads(void)
{
    xmlGenericErrorFunc before = xmlGenericError;
    pthread_t t[4];
    long bad[4] = {-1, -1, -1, -1};
    for (int i = 0; i < 4; i++)
        CHECK_INT(pthread_create(&t[i], NULL, parse_many, &bad[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        CHECK_INT(bad[i], 0);
    }
    web_html h;
    parse("http://site.example/", "<a href=x>\xff", 10, &h);
    web_html_free(&h);
    CHECK(xmlGenericError == before);
}

int main(void)
{
    RUN(test_resolve_rfc3986);
    RUN(test_resolve_browser_fixes);
    RUN(test_links_real_shapes);
    RUN(test_links_base_resources_refresh);
    RUN(test_forms);
    RUN(test_fields_outside_forms);
    RUN(test_bounds);
    RUN(test_page_url_and_broken_input);
    RUN(test_deep_nesting);
    RUN(test_robots);
    RUN(test_sitemap);
    RUN(test_sitemap_hostile);
    RUN(test_threads);
    TEST_MAIN_END();
}
