/* What the injection checks do alike around their payloads: send one probe and keep its request
 * and answer for the proof, report a proved issue at its insertion point with an excerpt of the
 * answer, and decide whether an insertion point is worth trying at all. Engine calls go through
 * the inj_io table only. */
#include "scan/scan_web_inject.h"

#include <string.h>

#define INJ_EXCERPT 640              /* bytes of answer excerpt handed to web_report */

void inj_probe_free(const inj_io *io, inj_probe *p)
{
    if (p->live) {
        io->response_free(&p->r);
        io->built_free(&p->b);
    }
    memset(p, 0, sizeof *p);
}

kw_rc inj_probe_send(const inj_io *io, web_ctx *x, const web_target *t, const inj_send *s, inj_probe *p)
{
    inj_probe_free(io, p);
    if (io->build(t, s->i, s->payload ? s->payload : "", s->mode, &p->b) != KW_OK) {
        memset(p, 0, sizeof *p);
        return KW_ERR_RANGE;
    }
    p->live = true;
    p->b.rq.follow = s->follow;
    if (s->timeout_ms > 0)
        p->b.rq.timeout_ms = s->timeout_ms;
    return io->send(x, &p->b.rq, &p->r);
}

kw_rc inj_probe_baseline(const inj_io *io, web_ctx *x, const web_target *t, size_t i, inj_probe *p)
{
    bool ours = i < t->nparams && inj_value_ours(t->params[i].value);
    inj_send s = {.i = ours ? i : (size_t)-1, .payload = "", .mode = WEB_MUT_REPLACE};
    return inj_probe_send(io, x, t, &s, p);
}

kw_rc inj_probe_report(const inj_io *io, web_ctx *x, const inj_spec *spec, const web_target *t, size_t i,
                       const inj_probe *p, const char *answer, size_t alen, size_t at, const char *detail)
{
    char ex[INJ_EXCERPT];
    ex[0] = '\0';
    if (answer)
        io->excerpt(answer, alen, 0, sizeof ex, ex, sizeof ex);
    else if (p->r.body)
        io->excerpt(p->r.body, p->r.len, at, sizeof ex / 4, ex, sizeof ex);
    web_issue is = {
        .check_id = spec->check_id,
        .category = spec->category,
        .title = spec->title,
        .title_zh = spec->title_zh,
        .cwe = spec->cwe,
        .severity = spec->severity,
        .url = t->url,
        .parameter = t->params[i].name,
        .method = p->b.rq.method ? p->b.rq.method : "GET",
        .proof = &p->b.rq,
        .answer = ex,
        .answer_len = strlen(ex),
        .detail = detail,
        .advice_en = spec->advice_en,
        .advice_zh = spec->advice_zh,
    };
    return io->report(x, &is);
}

bool inj_skip(const inj_io *io, web_ctx *x, const inj_spec *spec, const web_target *t, size_t i,
              unsigned profile, bool suits)
{
    if (i >= t->nparams || io->stopping(x))
        return true;
    if (t->params[i].hidden && !(profile & WEB_THOROUGH) && !suits)
        return true;
    return io->reported(x, spec->check_id, t->url, t->params[i].name);
}
