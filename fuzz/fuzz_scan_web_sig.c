/* libFuzzer target for the web scanner's exposed-files and passive verdicts
 * (scan_web_files_sig.c, scan_web_passive_sig.c): any input is taken as a hostile site's answer
 * (body and header block, as an exact-length copy so a read past the end is caught) and run
 * through every content proof, the soft-404 model, the header, cookie and banner readers, the
 * listing and stack-trace signatures, and, cut at its first NUL, as a URL and a path. Cookie
 * names must come out NUL-terminated and printable, similarity within 0..1. */
#include "scan/scan_web_sig.h"

#include <stdlib.h>
#include <string.h>

#include "scan/scan_web.h"

static void proofs(const char *d, size_t n)
{
    web_answer a = {.status = 200, .body = d, .len = n, .headers = d, .hlen = n, .path = "/admin/",
                    .final_path = "/admin/x"};
    size_t at;
    for (int p = WEB_PROOF_GIT_HEAD; p <= WEB_PROOF_ACTUATOR_ENV; p++) {
        for (long st = 200; st <= 401; st += 201) {
            a.status = st;
            if (web_file_proven((web_proof)p, &a, &at) && at > n)
                abort();
        }
    }
}

static void soft404(const char *d, size_t n)
{
    web_soft404 s, t;
    size_t half = n / 2;
    web_soft404_learn(&s, 200, d, half, "/kwabc.php");
    web_soft404_learn(&t, 200, d + half, n - half, "/.git/HEAD");
    double sim = web_soft404_similarity(&s, &t);
    if (!(sim >= 0.0 && sim <= 1.0) || s.ntok > WEB_SOFT404_TOKENS)
        abort();
    (void)web_soft404_like(&s, 200, d + half, n - half, "/x");
    web_soft404_free(&s);
    web_soft404_free(&t);
}

static void headers(const char *d, size_t n)
{
    web_hdr_sum h;
    web_hdrs_security(d, n, &h);
    web_cookie c[8];
    size_t k = web_hdrs_cookies(d, n, c, 8);
    for (size_t i = 0; i < k; i++) {
        size_t l = strnlen(c[i].name, sizeof c[i].name);
        if (l == 0 || l == sizeof c[i].name || c[i].line < d || c[i].line + c[i].line_len > d + n)
            abort();
        (void)web_cookie_is_session(c[i].name);
    }
    char b[4][WEB_BANNER_MAX];
    k = web_hdrs_banners(d, n, b, 4);
    for (size_t i = 0; i < k; i++)
        if (strnlen(b[i], WEB_BANNER_MAX) == WEB_BANNER_MAX)
            abort();
    char t[64];
    web_sig_title(d, n, t, sizeof t);
}

static void bodies(const char *d, size_t n)
{
    size_t at;
    const char *what;
    if (web_listing_find(d, n, &at, &what) && (at >= n || !what))
        abort();
    if (web_stacktrace_find(d, n, &at, &what) && (at >= n || !what))
        abort();
}

static void strings(const char *d, size_t n)
{
    char *s = malloc(n + 1), site[WEB_URL_MAX], page[256], out[3][512];
    memcpy(s, d, n);
    s[n] = '\0';
    const char *path;
    if (web_sig_site(s, site, sizeof site, &path) && (!path || strlen(site) >= sizeof site))
        abort();
    web_sig_page(s, page, sizeof page);
    (void)web_path_in_vcs(s);
    web_answer a = {.status = 200, .body = d, .len = n, .path = s};
    web_file_probe p;
    size_t at;
    if (web_file_page_proven(s, &a, &p, &at) && (at > n || p.kind >= WEB_FILE_NKINDS))
        abort();
    size_t k = web_file_page_backups(s, out, 3, WEB_THOROUGH);
    for (size_t i = 0; i < k; i++)
        if (strnlen(out[i], 512) == 512)
            abort();
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *d = malloc(size ? size : 1);
    memcpy(d, data, size);
    proofs(d, size);
    soft404(d, size);
    headers(d, size);
    bodies(d, size);
    strings(d, size);
    free(d);
    return 0;
}
