/* What the checks call besides web_send: reporting (one finding per check, page and parameter;
 * its evidence the replayable proof request, what was seen and the answer's excerpt), markers,
 * per-check state slots, the templates, and the pages the crawl kept. */
#include "scan/scan_web_int.h"

#include "core/kw_buf.h"
#include "core/kw_mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void web_marker(web_ctx *x, char *out, size_t n)
{
    static const char abc[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    web_scan *s = x->s;
    if (n > 33)
        n = 33;
    if (n < 2) {
        if (n)
            out[0] = 0;
        return;
    }
    pthread_mutex_lock(&s->marker_mu);
    uint64_t v = ++s->marker_seq * 0x9e3779b97f4a7c15ull ^ s->marker_salt;
    pthread_mutex_unlock(&s->marker_mu);
    out[0] = 'k', out[1] = 'w';
    for (size_t i = 2; i + 1 < n; i++) {
        v ^= v >> 29, v *= 0xbf58476d1ce4e5b9ull, v ^= v >> 32;
        out[i] = abc[v % 36];
    }
    out[n - 1] = 0;
}

void **web_check_state(web_ctx *x, const char *check)
{
    web_scan *s = x->s;
    pthread_mutex_lock(&s->report_mu);
    size_t i = 0;
    while (i < s->nstates && strcmp(s->state_names[i], check) != 0)
        i++;
    if (i == s->nstates && i < WEB_STATES_MAX)
        snprintf(s->state_names[s->nstates++], sizeof s->state_names[0], "%s", check);
    pthread_mutex_unlock(&s->report_mu);
    return &s->check_state[i < WEB_STATES_MAX ? i : WEB_STATES_MAX];
}

const struct web_tmpl_set *web_templates(web_ctx *x)
{
    return x->s->o->templates;
}

/* ---- reporting ---- */

static char *report_key(const char *check_id, const char *url, const char *parameter)
{
    size_t n = strlen(check_id) + strlen(url ? url : "") + strlen(parameter ? parameter : "") + 3;
    char *k = kw_malloc(n);
    snprintf(k, n, "%s\x1f%s\x1f%s", check_id, url ? url : "", parameter ? parameter : "");
    return k;
}

bool web_reported(web_ctx *x, const char *check_id, const char *url, const char *parameter)
{
    char *k = report_key(check_id, url, parameter);
    pthread_mutex_lock(&x->s->report_mu);
    bool seen = kw_map_get(&x->s->reported, k) != NULL;
    pthread_mutex_unlock(&x->s->report_mu);
    free(k);
    return seen;
}

/* Appends s to b with line breaks and other control bytes escaped (one evidence line). */
static void put_line(kw_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            kw_buf_puts(b, "\\n");
        else if (c == '\r')
            kw_buf_puts(b, "\\r");
        else if (c == '\\')
            kw_buf_puts(b, "\\\\");
        else if (c < 0x20 || c == 0x7f)
            kw_buf_printf(b, "\\x%02x", c);
        else
            kw_buf_putc(b, (char)c);
    }
}

/* The evidence: the proof request (replayable: request, content-type, body lines), what was
 * seen, and the answer's excerpt. */
static char *evidence_of(const web_issue *is)
{
    kw_buf b;
    kw_buf_init(&b, FINDING_EVIDENCE_MAX - 1);
    const web_request *rq = is->proof;
    if (rq) {
        kw_buf_printf(&b, "request: %s ", rq->method ? rq->method : "GET");
        put_line(&b, rq->url, strlen(rq->url));
        kw_buf_putc(&b, '\n');
        if (rq->content_type)
            kw_buf_printf(&b, "content-type: %s\n", rq->content_type);
        for (size_t i = 0; i < rq->nheaders; i++) {
            kw_buf_puts(&b, "header: ");
            put_line(&b, rq->headers[i], strlen(rq->headers[i]));
            kw_buf_putc(&b, '\n');
        }
        if (rq->body) {
            kw_buf_puts(&b, "body: ");
            put_line(&b, rq->body, rq->body_len < 4096 ? rq->body_len : 4096);
            kw_buf_putc(&b, '\n');
        }
    }
    if (is->detail)
        kw_buf_printf(&b, "proof: %s\n", is->detail);
    if (is->answer && is->answer_len) {
        char ex[2048];
        web_excerpt(is->answer, is->answer_len, 0, is->answer_len < 1024 ? is->answer_len : 1024, ex, sizeof ex);
        kw_buf_printf(&b, "answer: %s\n", ex);
    }
    char *s = kw_buf_take(&b);
    return s ? s : kw_strdup("");
}

static const char *cwe_link(const char *cwe, char *out, size_t n)
{
    const char *num = cwe ? strchr(cwe, '-') : NULL;
    if (!num)
        return NULL;
    snprintf(out, n, "https://cwe.mitre.org/data/definitions/%d.html", atoi(num + 1));
    return out;
}

kw_rc web_report(web_ctx *x, const web_issue *is)
{
    web_scan *s = x->s;
    const char *place = is->url ? is->url : is->proof ? is->proof->url : NULL;
    const web_site *w = place ? web_site_of(s, place) : NULL;
    if (!w)
        w = &s->sites[0];
    const char *url = is->url ? is->url : w->root;
    char *k = report_key(is->check_id, url, is->parameter);
    pthread_mutex_lock(&s->report_mu);
    bool fresh = kw_map_get(&s->reported, k) == NULL;
    if (fresh)
        kw_map_put(&s->reported, k, (void *)1);
    pthread_mutex_unlock(&s->report_mu);
    free(k);
    if (!fresh)
        return KW_OK;
    char title[600], solution[2048], ref[128], desc[1200];
    snprintf(title, sizeof title, "%s%s%s", is->title, is->title_zh ? " / " : "", is->title_zh ? is->title_zh : "");
    snprintf(solution, sizeof solution, "%s%s%s", is->advice_en ? is->advice_en : "",
             is->advice_en && is->advice_zh ? "\n" : "", is->advice_zh ? is->advice_zh : "");
    snprintf(desc, sizeof desc, "%s%s%s%s", is->detail ? is->detail : "", is->detail && is->cwe ? " (" : "",
             is->cwe ? is->cwe : "", is->detail && is->cwe ? ")" : "");
    char *ev = evidence_of(is);
    finding f = {.vuln_id = is->check_id, .category = is->category, .title = title, .description = desc,
                 .solution = solution[0] ? solution : NULL, .reference = cwe_link(is->cwe, ref, sizeof ref),
                 .cwe = is->cwe, .scanner = WEB_SCANNER, .severity = is->severity, .score = -1, .host = w->host,
                 .ip = w->ip, .port = w->port, .transport = "tcp", .service = w->scheme, .url = url,
                 .parameter = is->parameter, .evidence = ev};
    kw_rc rc = finding_emit(s->o->sink, &f);
    free(ev);
    atomic_fetch_add(&s->findings, 1);
    return rc;
}

/* ---- pages ---- */

kw_rc web_pages_each(web_ctx *x, kw_rc (*fn)(web_ctx *x, const web_page *pg, void *arg), void *arg)
{
    web_scan *s = x->s;
    for (size_t i = 0;; i++) {
        pthread_mutex_lock(&s->pages_mu);
        bool more = i < s->npages;
        web_page pg = more ? (web_page){s->pages[i].url, &s->pages[i].resp} : (web_page){0};
        pthread_mutex_unlock(&s->pages_mu);
        if (!more)
            return KW_OK;
        kw_rc rc = fn(x, &pg, arg);
        if (rc != KW_OK)
            return rc;
    }
}

kw_rc web_refetch(web_ctx *x, const char *url, web_response *out)
{
    web_request rq = {.url = url, .follow = true};
    return web_send(x, &rq, out);
}
