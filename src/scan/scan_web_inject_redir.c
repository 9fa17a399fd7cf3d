/* The open redirect check (KW-WEB-REDIRECT): a parameter that looks like a URL or a redirect
 * target (every parameter in the thorough profile) set to an outside address on a host that
 * cannot resolve (INJ_PROBE_HOST: absolute, scheme-relative, backslashed, and forms that pass a
 * naive "starts with our site" test), sent without following redirects; proved when the answer
 * sends the browser there: a 3xx Location or a Refresh header, a meta refresh or a script
 * assigning the location, whose resolved host is the probe host. It is never followed. */
#include "scan/scan_web_inject.h"

#include <stdio.h>
#include <string.h>

static const inj_spec redirect_spec = {
    .check_id = "KW-WEB-REDIRECT",
    .category = "open_redirect",
    .title = "Open redirect: a parameter sends visitors to any outside site",
    .title_zh = "开放重定向：参数可把访问者转到任意外部网站",
    .cwe = "CWE-601",
    .severity = FINDING_MEDIUM,
    .advice_en = "Redirect only to targets the application chose: keep a list of allowed destinations "
                 "(or take an identifier that maps to one), or accept only a relative path that starts "
                 "with a single '/' and contains no '//' or '\\', and check the host of the resolved URL "
                 "against your own before sending a Location, a refresh or a script redirect.",
    .advice_zh = "只重定向到应用自己确定的目标：使用允许的目标列表（或以编号对应目标），"
                 "或只接受以单个 '/' 开头、且不含 '//' 与 '\\' 的相对路径；在发出 Location、"
                 "refresh 或脚本跳转前，先解析目标 URL 并核对其主机是否为本站。",
};

/* The host[:port] of the absolute URL u, into out; "" when it has none. */
static void site_authority(const char *u, char *out, size_t outn)
{
    const char *a = strstr(u, "://");
    out[0] = '\0';
    if (!a)
        return;
    a += 3;
    size_t n = strcspn(a, "/?#");
    if (n < outn)
        snprintf(out, outn, "%.*s", (int)n, a);
}

/* The probes for parameter p of a shape at url, into v (of at most max): the plain ones always,
 * the ones that dress up as our own site when the value is an absolute URL or in thorough. */
static size_t redirect_payloads(const web_param *p, const char *url, unsigned profile, char v[][320],
                                size_t max)
{
    static const char *const plain[] = {"http://" INJ_PROBE_HOST "/", "//" INJ_PROBE_HOST "/",
                                        "/\\" INJ_PROBE_HOST "/", NULL};
    size_t n = 0;
    for (size_t k = 0; plain[k] && n < max; k++)
        snprintf(v[n++], sizeof v[0], "%s", plain[k]);
    const char *val = p->value ? p->value : "";
    bool absolute = strncmp(val, "http://", 7) == 0 || strncmp(val, "https://", 8) == 0;
    char site[256];
    site_authority(url, site, sizeof site);
    if (site[0] && (absolute || (profile & WEB_THOROUGH)) && n < max)
        snprintf(v[n++], sizeof v[0], "http://%s@" INJ_PROBE_HOST "/", site);
    if (site[0] && (profile & WEB_THOROUGH) && n + 1 < max) {
        snprintf(v[n++], sizeof v[0], "http://%s." INJ_PROBE_HOST "/", site);
        snprintf(v[n++], sizeof v[0], "http://" INJ_PROBE_HOST "\\@%s/", site);
    }
    return n;
}

/* Where p's answer sends the browser to the probe host: the way, in words, and the part of the
 * answer that shows it (a header's value, or *at in the body); NULL when it does not. */
static const char *redirect_proof(const inj_io *io, const inj_probe *p, const char **hv, size_t *hl, size_t *at)
{
    const char *u;
    size_t ul;
    *hv = NULL;
    if (p->r.status >= 300 && p->r.status < 400) {
        *hv = io->header(&p->r, "Location", hl, NULL);
        if (*hv && inj_url_host_is(*hv, *hl, INJ_PROBE_HOST))
            return "Location header";
    }
    *hv = io->header(&p->r, "Refresh", hl, NULL);
    if (*hv && inj_refresh_url(*hv, *hl, &u, &ul) && inj_url_host_is(u, ul, INJ_PROBE_HOST))
        return "Refresh header";
    *hv = NULL;
    return p->r.body ? inj_body_redirect(p->r.body, p->r.len, INJ_PROBE_HOST, at) : NULL;
}

/* Sends one probe; *done once proved or the scan cannot go on. */
static kw_rc redirect_try(const inj_io *io, web_ctx *x, const web_target *t, size_t i, const char *payload,
                          bool *done)
{
    inj_probe p = {0};
    inj_send s = {.i = i, .payload = payload, .mode = WEB_MUT_REPLACE, .follow = false};
    kw_rc rc = inj_probe_send(io, x, t, &s, &p);
    const char *hv = NULL, *how = NULL;
    size_t hl = 0, at = 0;
    if (rc == KW_OK)
        how = redirect_proof(io, &p, &hv, &hl, &at);
    *done = rc == KW_ERR_RANGE || io->stopping(x) || how;
    rc = KW_OK;
    if (how) {
        char detail[768];
        snprintf(detail, sizeof detail, "%s of the HTTP %ld answer sends the browser to %s, the host the "
                 "parameter named (%.320s)", how, p.r.status, INJ_PROBE_HOST, payload);
        rc = inj_probe_report(io, x, &redirect_spec, t, i, &p, hv, hl, at, detail);
    }
    inj_probe_free(io, &p);
    return rc;
}

kw_rc inj_redirect_run(const inj_io *io, web_ctx *x, const web_target *t, size_t i, unsigned profile)
{
    bool urlish = i < t->nparams && inj_param_urlish(&t->params[i]);
    if (inj_skip(io, x, &redirect_spec, t, i, profile, urlish) || (!urlish && !(profile & WEB_THOROUGH)))
        return KW_OK;
    char v[6][320];
    size_t n = redirect_payloads(&t->params[i], t->url, profile, v, 6);
    bool done = false;
    kw_rc rc = KW_OK;
    for (size_t k = 0; k < n && !done && rc == KW_OK; k++)
        rc = redirect_try(io, x, t, i, v[k], &done);
    return rc;
}
