/* Unit tests of the passive checks' pure parts (scan_web_passive_sig.c): security headers,
 * cookies and their attributes, version banners read from raw header blocks, and the
 * directory-listing and stack-trace signatures on page bodies, each beside a look-alike that
 * must not match. Bodies are written here in the shape the servers and frameworks produce
 * (Apache mod_autoindex, nginx autoindex, Python http.server, IIS directory browsing, CPython
 * tracebacks, JVM stack traces, PHP's display_errors, ASP.NET's error page, Node.js Error.stack,
 * Django's technical 500 page). */
#include <string.h>

#include "kw_test.h"
#include "scan/scan_web_sig.h"

static void sum(const char *h, web_hdr_sum *s)
{
    web_hdrs_security(h, strlen(h), s);
}

static void test_security_headers(void)
{
    web_hdr_sum s;
    sum("HTTP/1.1 200 OK\r\nContent-Security-Policy: default-src 'self'; frame-ancestors 'none'\r\n"
        "X-Frame-Options: DENY\r\nx-content-type-options: nosniff\r\n"
        "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n\r\n",
        &s);
    CHECK(s.csp && s.frame_ancestors && s.xfo && s.xcto && s.hsts);
    sum("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n", &s);
    CHECK(!s.csp && !s.frame_ancestors && !s.xfo && !s.xcto && !s.hsts);
    sum("HTTP/1.1 200 OK\r\nContent-Security-Policy-Report-Only: default-src 'self'\r\n"
        "X-Frame-Options: ALLOWALL\r\nX-Content-Type-Options: sniff\r\nStrict-Transport-Security: max-age=0\r\n\r\n",
        &s);
    CHECK(!s.csp && !s.xfo && !s.xcto && !s.hsts);
    sum("HTTP/1.1 200 OK\nContent-Security-Policy: script-src 'self'\nX-Frame-Options: sameorigin\n\n", &s);
    CHECK(s.csp && !s.frame_ancestors && s.xfo);
    web_hdrs_security(NULL, 0, &s);
    CHECK(!s.csp);
}

static void test_cookies(void)
{
    const char *h = "HTTP/1.1 200 OK\r\n"
                    "Set-Cookie: PHPSESSID=abc123; path=/\r\n"
                    "Set-Cookie: csrftoken=x; Path=/; SameSite=Lax\r\n"
                    "set-cookie: sid = v; Secure; HttpOnly; SameSite=Strict\r\n"
                    "Set-Cookie: theme=dark; SameSite=None\r\n"
                    "Set-Cookie: session=; Max-Age=0\r\n"
                    "Set-Cookie: =novalue\r\n"
                    "Set-Cookie: junk\r\n\r\n";
    web_cookie c[8];
    size_t n = web_hdrs_cookies(h, strlen(h), c, 8);
    CHECK_INT(n, 5);
    CHECK_STR(c[0].name, "PHPSESSID");
    CHECK(c[0].session && !c[0].secure && !c[0].httponly && !c[0].samesite);
    CHECK(c[0].line_len == 24 && memcmp(c[0].line, "PHPSESSID=abc123; path=/", 24) == 0);
    CHECK_STR(c[1].name, "csrftoken");
    CHECK(!c[1].session && c[1].samesite && !c[1].samesite_none);
    CHECK_STR(c[2].name, "sid");
    CHECK(c[2].session && c[2].secure && c[2].httponly && c[2].samesite);
    CHECK_STR(c[3].name, "theme");
    CHECK(!c[3].session && c[3].samesite_none && !c[3].secure);
    CHECK_STR(c[4].name, "session");
    CHECK(c[4].deleting);
    CHECK_INT(web_hdrs_cookies(h, strlen(h), c, 2), 2);
    CHECK(web_cookie_is_session("JSESSIONID") && web_cookie_is_session("connect.sid") &&
          web_cookie_is_session("laravel_session") && web_cookie_is_session("auth_token"));
    CHECK(!web_cookie_is_session("XSRF-TOKEN") && !web_cookie_is_session("lang"));
}

static void test_banners(void)
{
    const char *h = "HTTP/1.1 200 OK\r\nServer: Apache/2.4.57 (Debian)\r\nX-Powered-By: PHP/8.2.7\r\n"
                    "X-AspNet-Version: 4.0.30319\r\n\r\n";
    char b[4][WEB_BANNER_MAX];
    CHECK_INT(web_hdrs_banners(h, strlen(h), b, 4), 3);
    CHECK_STR(b[0], "Server: Apache/2.4.57 (Debian)");
    CHECK_STR(b[1], "X-Powered-By: PHP/8.2.7");
    CHECK_STR(b[2], "X-AspNet-Version: 4.0.30319");
    CHECK_INT(web_hdrs_banners(h, strlen(h), b, 1), 1);
    const char *quiet = "HTTP/1.1 200 OK\r\nServer: nginx\r\nX-Powered-By: Express\r\nServer: ECS (dcb/7F83)\r\n\r\n";
    CHECK_INT(web_hdrs_banners(quiet, strlen(quiet), b, 4), 0);
    const char *ctl = "HTTP/1.1 200 OK\r\nServer: x/1.2\x01\x7f\r\n\r\n";
    CHECK_INT(web_hdrs_banners(ctl, strlen(ctl), b, 4), 1);
    CHECK_STR(b[0], "Server: x/1.2..");
}

static bool listing(const char *body)
{
    size_t at;
    const char *what;
    return web_listing_find(body, strlen(body), &at, &what);
}

static void test_listings(void)
{
    CHECK(listing("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<html>\n <head>\n"
                  "  <title>Index of /uploads</title>\n </head>\n <body>\n<h1>Index of /uploads</h1>\n"
                  "<table><tr><td><a href=\"/\">Parent Directory</a></td></tr></table></body></html>"));
    CHECK(listing("<html>\r\n<head><title>Index of /files/</title></head>\r\n<body>\r\n"
                  "<h1>Index of /files/</h1><hr><pre><a href=\"../\">../</a>\r\n</pre><hr></body>\r\n</html>"));
    CHECK(listing("<html>\n<head>\n<title>Directory listing for /</title>\n</head>\n<body>\n"
                  "<h1>Directory listing for /</h1>\n<hr>\n<ul>\n<li><a href=\"a.txt\">a.txt</a></li>\n"));
    CHECK(listing("<html><head><title>h - /docs/</title></head><body><H1>h - /docs/</H1><hr>\r\n\r\n"
                  "<pre><A HREF=\"/\">[To Parent Directory]</A><br><br></pre>"));
    CHECK(listing("<html><head><title>Index of /pub/</title></head><body><h2>Index of /pub/</h2>"
                  "<table><tr><td><a href=\"../\">Parent Directory</a>/</td></tr></table>"));
    CHECK(!listing("<html><title>Our docs</title><p>The Index of /docs is below.</p><a href=x>x</a></html>"));
    CHECK(!listing("<title>Index of /</title><h1>Index of /</h1> no links at all"));
    CHECK(!listing(""));
    CHECK(web_path_in_vcs("/.git/hooks/") && web_path_in_vcs("/app/.svn/pristine/ab/?C=M"));
    CHECK(!web_path_in_vcs("/.git/") && !web_path_in_vcs("/files/") && !web_path_in_vcs("/.github/x/"));
}

static bool trace(const char *body, const char **what)
{
    size_t at;
    return web_stacktrace_find(body, strlen(body), &at, what);
}

static void test_stack_traces(void)
{
    const char *w = NULL;
    CHECK(trace("<pre>Traceback (most recent call last):\n  File \"/srv/app.py\", line 12, in view\n"
                "    return q(x)\nKeyError: 'id'</pre>", &w));
    CHECK_STR(w, "Python traceback");
    CHECK(trace("<pre>Traceback (most recent call last):\n  File &quot;/srv/app.py&quot;, line 12, in view\n"
                "ZeroDivisionError: division by zero</pre>", &w));
    CHECK(trace("<pre>java.lang.NullPointerException: id\n\tat com.shop.web.Cart.add(Cart.java:57)\n"
                "\tat javax.servlet.http.HttpServlet.service(HttpServlet.java:764)\n</pre>", &w));
    CHECK_STR(w, "Java exception stack trace");
    CHECK(trace("<br />\n<b>Fatal error</b>:  Uncaught Error: Call to undefined function f() in "
                "/var/www/html/a.php:3\nStack trace:\n#0 {main}\n  thrown in <b>/var/www/html/a.php</b> "
                "on line <b>3</b><br />", &w));
    CHECK_STR(w, "PHP fatal error");
    CHECK(trace("<br />\n<b>Warning</b>:  Undefined variable $x in <b>/var/www/html/b.php</b> on line "
                "<b>7</b><br />", &w));
    CHECK_STR(w, "PHP warning");
    CHECK(trace("\nWarning: include(x.php): Failed to open stream in /var/www/html/page.php on line 9\n", &w));
    CHECK_STR(w, "PHP warning");
    CHECK(!trace("<p>Warning: our shop on line 5 of the high street is closed.</p>", &w));
    CHECK(trace("<title>Runtime Error</title><h1>Server Error in '/' Application.</h1>"
                "<b> Exception Details: </b>System.NullReferenceException", &w));
    CHECK_STR(w, "ASP.NET error page");
    CHECK(trace("<pre>TypeError: Cannot read properties of undefined (reading 'id')\n"
                "    at Object.<anonymous> (/app/index.js:10:15)\n    at Module._compile</pre>", &w));
    CHECK_STR(w, "Node.js stack trace");
    CHECK(trace("<title>Error: Unexpected path: /api</title><h2><em>500</em> Error: Unexpected path</h2>"
                "<ul id=\"stacktrace\"><li> &nbsp; &nbsp;at /app/build/routes/angular.js:15:18</li></ul>", &w));
    CHECK_STR(w, "Node.js stack trace");
    CHECK(!trace("<h1>Error</h1>\n    at our shop nothing went wrong.\n", &w));
    CHECK(trace("<p>You're seeing this error because you have <code>DEBUG = True</code> in your Django "
                "settings file.</p>", &w));
    CHECK_STR(w, "Django debug page");
    CHECK(trace("panic: runtime error: index out of range\n\ngoroutine 1 [running]:\nmain.main()\n", &w));
    CHECK(!trace("<html><h1>Exception handling in Java</h1><p>Use try and catch; at least log it.</p></html>",
                 &w));
    CHECK(!trace("<h1>Exception</h1>\n\tat the moment nothing is wrong\n", &w));
    CHECK(!trace("<title>Error</title><p>Something went wrong, we are at it.</p>", &w));
    CHECK(!trace("<p>Our guide to reading a Traceback (most recent call last): see below.</p>", &w));
    CHECK(!trace("", &w));
}

int main(void)
{
    RUN(test_security_headers);
    RUN(test_cookies);
    RUN(test_banners);
    RUN(test_listings);
    RUN(test_stack_traces);
    TEST_MAIN_END();
}
