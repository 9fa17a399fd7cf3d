/* The passive checks' pure verdicts on one fetched page: which security headers its header
 * block carries, the cookies it sets and their attributes, the version banners it shows, and
 * whether its body is a directory listing or a stack trace / debug error page (signatures as
 * data). No I/O. */
#include "scan/scan_web_sig.h"

#include <stdio.h>
#include <string.h>

static bool has(const char *h, size_t n, const char *needle)
{
    return web_find(h, n, needle) != (size_t)-1;
}

/* ---- security headers ---- */

static bool max_age_positive(const char *v, size_t n)
{
    size_t at = web_find(v, n, "max-age");
    if (at == (size_t)-1)
        return false;
    for (size_t i = at + 7; i < n && v[i] != ';' && v[i] != ','; i++)
        if (v[i] >= '1' && v[i] <= '9')
            return true;
    return false;
}

void web_hdrs_security(const char *h, size_t n, web_hdr_sum *out)
{
    memset(out, 0, sizeof *out);
    size_t vl, from = 0;
    const char *v;
    while ((v = web_header_in(h, n, "Content-Security-Policy", &vl, &from))) {
        out->csp = true;
        out->frame_ancestors = out->frame_ancestors || has(v, vl, "frame-ancestors");
    }
    if ((v = web_header_in(h, n, "X-Frame-Options", &vl, NULL)))
        out->xfo = has(v, vl, "deny") || has(v, vl, "sameorigin") || has(v, vl, "allow-from");
    if ((v = web_header_in(h, n, "X-Content-Type-Options", &vl, NULL)))
        out->xcto = has(v, vl, "nosniff");
    if ((v = web_header_in(h, n, "Strict-Transport-Security", &vl, NULL)))
        out->hsts = max_age_positive(v, vl);
}

/* ---- cookies ---- */

bool web_cookie_is_session(const char *name)
{
    static const char *const words[] = {"sess", "sid", "auth", "token", "jwt", "login", "remember", "user"};
    size_t n = strlen(name);
    if (has(name, n, "csrf") || has(name, n, "xsrf"))
        return false;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (has(name, n, words[i]))
            return true;
    return false;
}

/* The attribute a[n] (after the first ';'): flags it sets. */
static void cookie_attr(web_cookie *c, const char *a, size_t n)
{
    while (n && (*a == ' ' || *a == '\t'))
        a++, n--;
    while (n && (a[n - 1] == ' ' || a[n - 1] == '\t'))
        n--;
    if (n == 6 && web_find(a, n, "secure") == 0)
        c->secure = true;
    else if (n == 8 && web_find(a, n, "httponly") == 0)
        c->httponly = true;
    else if (n >= 8 && web_find(a, n, "samesite") == 0) {
        c->samesite = true;
        c->samesite_none = has(a + 8, n - 8, "none");
    } else if (n > 8 && web_find(a, n, "max-age=") == 0)
        c->deleting = c->deleting || a[8] == '0' || a[8] == '-';
    else if (n >= 8 && web_find(a, n, "expires=") == 0)
        c->deleting = c->deleting || has(a, n, "1970");
}

static bool cookie_parse(const char *v, size_t vl, web_cookie *c)
{
    memset(c, 0, sizeof *c);
    const char *semi = memchr(v, ';', vl), *eq = memchr(v, '=', semi ? (size_t)(semi - v) : vl);
    if (!eq || eq == v)
        return false;
    size_t nl = (size_t)(eq - v);
    while (nl && (v[nl - 1] == ' ' || v[nl - 1] == '\t'))
        nl--;
    if (nl == 0)
        return false;
    if (nl >= sizeof c->name)
        nl = sizeof c->name - 1;
    for (size_t i = 0; i < nl; i++)
        c->name[i] = (unsigned char)v[i] < 0x21 || (unsigned char)v[i] > 0x7e ? '_' : v[i];
    c->name[nl] = '\0';
    for (const char *p = semi; p && p < v + vl;) {
        const char *q = memchr(p + 1, ';', (size_t)(v + vl - p - 1));
        const char *e = q ? q : v + vl;
        cookie_attr(c, p + 1, (size_t)(e - p - 1));
        p = q;
    }
    c->session = web_cookie_is_session(c->name);
    c->line = v, c->line_len = vl;
    return true;
}

size_t web_hdrs_cookies(const char *h, size_t n, web_cookie *out, size_t max)
{
    size_t k = 0, vl, from = 0;
    const char *v;
    while (k < max && (v = web_header_in(h, n, "Set-Cookie", &vl, &from)))
        if (cookie_parse(v, vl, &out[k]))
            k++;
    return k;
}

/* ---- banners ---- */

static bool has_version(const char *v, size_t n)
{
    for (size_t i = 0; i + 2 < n; i++)
        if (v[i] >= '0' && v[i] <= '9' && v[i + 1] == '.' && v[i + 2] >= '0' && v[i + 2] <= '9')
            return true;
    return false;
}

size_t web_hdrs_banners(const char *h, size_t n, char out[][WEB_BANNER_MAX], size_t max)
{
    static const char *const names[] = {"Server", "X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version",
                                        "X-Generator", "X-Runtime-Version"};
    size_t k = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && k < max; i++) {
        size_t vl, from = 0;
        const char *v;
        while (k < max && (v = web_header_in(h, n, names[i], &vl, &from)))
            if (has_version(v, vl)) {
                int m = (int)(vl < 120 ? vl : 120);
                snprintf(out[k], WEB_BANNER_MAX, "%s: %.*s", names[i], m, v);
                for (char *p = out[k]; *p; p++)
                    if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
                        *p = '.';
                k++;
            }
    }
    return k;
}

/* ---- body signatures ---- */

/* A signature: `first` must appear; `then`, when set, must follow it within `within` bytes
 * (0: anywhere after it). */
typedef struct body_sig {
    const char *what;
    const char *first;
    const char *then;
    size_t within;
} body_sig;

static bool sig_match(const body_sig *s, const char *b, size_t n, size_t *at)
{
    size_t a = web_find(b, n, s->first);
    if (a == (size_t)-1)
        return false;
    *at = a;
    if (!s->then)
        return true;
    size_t from = a + strlen(s->first), span = n - from;
    if (s->within && s->within < span)
        span = s->within;
    return has(b + from, span, s->then);
}

static bool sigs_find(const body_sig *sigs, size_t nsigs, const char *b, size_t n, size_t *at,
                      const char **what)
{
    for (size_t i = 0; i < nsigs; i++)
        if (sig_match(&sigs[i], b, n, at)) {
            *what = sigs[i].what;
            return true;
        }
    return false;
}

static const body_sig listing_sigs[] = {
    {"Apache/nginx/lighttpd autoindex", "<title>Index of /", ">Index of /", 4096},
    {"Python http.server listing", "<title>Directory listing for /", ">Directory listing for /", 4096},
    {"IIS directory browsing", "[To Parent Directory]", NULL, 0},
    {"IIS directory browsing", "<pre>", "&lt;dir&gt;", 2048},
    {"Tomcat directory listing", "<title>Directory Listing For [/", NULL, 0},
    {"Node serve-index listing", "<title>listing directory /", NULL, 0},
    {"Jetty directory listing", "<title>Directory: /", ">Directory: /", 4096},
};

bool web_listing_find(const char *body, size_t len, size_t *at, const char **what)
{
    size_t n = len < 65536 ? len : 65536;
    if (!body || !sigs_find(listing_sigs, sizeof listing_sigs / sizeof listing_sigs[0], body, n, at, what))
        return false;
    return has(body, n, "<a href") || has(body, n, "<a  href") || has(body, n, "<a\thref");
}

bool web_path_in_vcs(const char *path)
{
    static const char *const dirs[] = {"/.git/", "/.svn/", "/.hg/", "/.bzr/"};
    size_t n = strcspn(path, "?#");
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        size_t at = web_find(path, n, dirs[i]);
        if (at != (size_t)-1 && at + strlen(dirs[i]) < n)
            return true;
    }
    return false;
}

static const body_sig trace_sigs[] = {
    {"Python traceback", "Traceback (most recent call last):", "File \"", 2048},
    {"Python traceback", "Traceback (most recent call last):", "File &quot;", 2048},
    {"Python traceback", "Traceback (most recent call last):", "File &#34;", 2048},
    {"Java exception stack trace", "Exception", "\tat ", 4096},
    {"Java exception stack trace", "Exception", "\n    at ", 4096},
    {"Java exception stack trace", "Exception", "<br>\tat ", 4096},
    {"PHP fatal error", "Fatal error</b>:", " on line <b>", 4096},
    {"PHP fatal error", "PHP Fatal error:", " on line ", 4096},
    {"PHP fatal error", "Fatal error: ", "Stack trace:\n#0", 4096},
    {"PHP fatal error", "Fatal error: ", ".php on line ", 1024},
    {"PHP warning", "Warning: ", ".php on line ", 1024},
    {"PHP notice", "Notice: ", ".php on line ", 1024},
    {"PHP parse error", "Parse error</b>:", " on line <b>", 4096},
    {"PHP warning", "Warning</b>:", " on line <b>", 4096},
    {"PHP notice", "Notice</b>:", " on line <b>", 4096},
    {"PHP deprecation", "Deprecated</b>:", " on line <b>", 4096},
    {"ASP.NET error page", "Server Error in '", "Stack Trace:", 0},
    {"ASP.NET error page", "Server Error in '", "Exception Details:", 0},
    {"ASP.NET Core developer exception page", "An unhandled exception occurred while processing the request",
     NULL, 0},
    {"Node.js stack trace", "Error", "\n    at Object.<anonymous> (", 4096},
    {"Node.js stack trace", "Error", "\n    at Layer.handle [as handle_request] (", 4096},
    {"Node.js stack trace", "Error", "&nbsp; &nbsp;at ", 4096},
    {"Node.js stack trace", "Error", "\n    at ", 4096},
    {"Go panic", "panic: ", "goroutine ", 4096},
    {"Ruby on Rails error page", "Action Controller: Exception caught", NULL, 0},
    {"Django debug page", "You're seeing this error because you have <code>DEBUG = True</code>", NULL, 0},
    {"Django debug page", "You&#x27;re seeing this error because you have <code>DEBUG = True</code>", NULL, 0},
    {"Django debug page", "Using the URLconf defined in", NULL, 0},
    {"Werkzeug debugger", "The debugger caught an exception in your WSGI application", NULL, 0},
    {"Laravel error page", "Whoops, looks like something went wrong", NULL, 0},
    {"Whoops error page", "Whoops! There was an error.", NULL, 0},
    {"Laravel/Symfony stack trace", "Illuminate\\", "Stack trace", 0},
    {"Symfony exception page", "Symfony\\Component\\", "Stack Trace", 0},
};

/* A stack frame's file and line: `ext` (".java:", ".js:") followed by a digit, somewhere in b[n]
 * (besides the exception line the table already found). */
static bool frame(const char *b, size_t n, const char *ext)
{
    size_t k = strlen(ext);
    for (size_t from = 0, at; (at = web_find(b + from, n - from, ext)) != (size_t)-1; from += at + k)
        if (from + at + k < n && b[from + at + k] >= '0' && b[from + at + k] <= '9')
            return true;
    return false;
}

bool web_stacktrace_find(const char *body, size_t len, size_t *at, const char **what)
{
    if (!body)
        return false;
    size_t n = len < (512u << 10) ? len : (512u << 10);   /* traces and debug pages start early */
    for (size_t i = 0; i < sizeof trace_sigs / sizeof trace_sigs[0]; i++) {
        if (!sig_match(&trace_sigs[i], body, n, at))
            continue;
        if (strncmp(trace_sigs[i].what, "Java", 4) == 0 && !frame(body + *at, n - *at, ".java:"))
            continue;
        if (strncmp(trace_sigs[i].what, "Node", 4) == 0 && !frame(body + *at, n - *at, ".js:"))
            continue;
        *what = trace_sigs[i].what;
        return true;
    }
    return false;
}
