/* Nuclei payloads (pure): a block's `payloads` lists turned into requests, one per request and
 * combination of values (each value of a single list; pitchfork: the i-th of every list;
 * clusterbomb: every combination), by replacing {{name}} in the requests' strings. Bounded by
 * WEB_TMPL_SENDS_MAX requests a block. */
#include "scan/scan_web_tmpl_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_mem.h"

/* s with every {{name}} (blanks allowed inside the braces) of the combination replaced (the
 * values are kept with the request too, for its matchers and {{expressions}}). */
static char *tp_subst(const char *s, const web_tmpl_payloads *p, const size_t *pick)
{
    if (!s)
        return NULL;
    kw_buf b;
    kw_buf_init(&b, (size_t)8 << 20);
    for (const char *open; (open = strstr(s, "{{"));) {
        const char *a = open + 2, *close = strstr(a, "}}");
        if (!close)
            break;
        while (a < close && *a == ' ')
            a++;
        const char *z = close;
        while (z > a && z[-1] == ' ')
            z--;
        size_t k = 0;
        while (k < p->nkeys && !(strlen(p->names[k]) == (size_t)(z - a) && !memcmp(p->names[k], a, (size_t)(z - a))))
            k++;
        kw_buf_append(&b, s, (size_t)(open - s));
        if (k < p->nkeys)
            kw_buf_puts(&b, p->vals[k][pick[k]]);
        else
            kw_buf_append(&b, open, (size_t)(close + 2 - open));
        s = close + 2;
    }
    kw_buf_puts(&b, s);
    return kw_buf_take(&b);
}

static void tp_send(web_tmpl_send *out, const web_tmpl_send *in, const web_tmpl_payloads *p, const size_t *pick)
{
    out->method = kw_strdup(in->method);
    out->url = tp_subst(in->url, p, pick);
    out->body = tp_subst(in->body, p, pick);
    out->content_type = tp_subst(in->content_type, p, pick);
    out->nheaders = in->nheaders;
    out->headers = kw_calloc(in->nheaders ? in->nheaders : 1, sizeof *out->headers);
    for (size_t i = 0; i < in->nheaders; i++)
        out->headers[i] = tp_subst(in->headers[i], p, pick);
    out->npayload = p->nkeys;
    out->payload = kw_calloc(p->nkeys + 1, sizeof *out->payload);
    for (size_t k = 0; k < p->nkeys; k++)
        out->payload[k] = (web_tmpl_var){kw_strdup(p->names[k]), kw_strdup(p->vals[k][pick[k]])};
}

/* The number of combinations; 0 when one list is empty, SIZE_MAX past the bound. */
static size_t tp_count(const web_tmpl_payloads *p)
{
    size_t n = p->zip ? SIZE_MAX : 1;
    for (size_t k = 0; k < p->nkeys; k++) {
        if (p->zip)
            n = p->nvals[k] < n ? p->nvals[k] : n;
        else if (p->nvals[k] && n > WEB_TMPL_SENDS_MAX / p->nvals[k])
            return SIZE_MAX;
        else
            n *= p->nvals[k];
    }
    return p->nkeys ? n : 0;
}

/* The next combination after pick (clusterbomb: the last list turns fastest). */
static void tp_next(const web_tmpl_payloads *p, size_t *pick)
{
    for (size_t k = p->nkeys; k-- > 0;) {
        if (p->zip) {
            pick[k]++;
            continue;
        }
        if (++pick[k] < p->nvals[k])
            return;
        pick[k] = 0;
    }
}

void web_tmpl_send_free(web_tmpl_send *s)
{
    free(s->method);
    free(s->url);
    for (size_t i = 0; i < s->nheaders; i++)
        free(s->headers[i]);
    free(s->headers);
    free(s->content_type);
    free(s->body);
    for (size_t i = 0; i < s->npayload; i++) {
        free(s->payload[i].name);
        free(s->payload[i].value);
    }
    free(s->payload);
}

kw_rc web_tmpl_payloads_apply(web_tmpl_block *b, const web_tmpl_payloads *p, char *why, size_t whyn)
{
    size_t combos = tp_count(p);
    if (combos == SIZE_MAX || (combos && b->nsends > WEB_TMPL_SENDS_MAX / combos)) {
        snprintf(why, whyn, "payloads making more than %d requests", WEB_TMPL_SENDS_MAX);
        return KW_ERR_RANGE;
    }
    web_tmpl_send *out = kw_calloc(b->nsends * combos + 1, sizeof *out);
    size_t *pick = kw_calloc(p->nkeys + 1, sizeof *pick), n = 0;
    for (size_t i = 0; i < b->nsends; i++) {
        memset(pick, 0, (p->nkeys + 1) * sizeof *pick);
        for (size_t c = 0; c < combos; c++, tp_next(p, pick))
            tp_send(&out[n++], &b->sends[i], p, pick);
        web_tmpl_send_free(&b->sends[i]);
    }
    free(pick);
    free(b->sends);
    b->sends = out;
    b->nsends = n;
    b->pnames = kw_calloc(p->nkeys + 1, sizeof *b->pnames);
    for (size_t k = 0; k < p->nkeys; k++)
        b->pnames[b->npnames++] = kw_strdup(p->names[k]);
    return KW_OK;
}
