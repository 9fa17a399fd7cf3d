/* STUB, to be deleted by the merger: stands for D2's injections (drill_inject*.c) until they
 * land, so the drill core builds and runs. Every start fails "injections not built"; a plan
 * says "—". The `alert:` injection does not come here (drill_run.c raises it itself). */
#include "drill/drill_inject.h"

#include <stdio.h>

kw_rc drill_inject_start(const drill_inject_env *env, const conf_drill_inject *x, int64_t now_ms, drill_seen *seen,
                         drill_inj **out, char *err, size_t n)
{
    (void)env, (void)x, (void)now_ms, (void)seen;
    *out = NULL;
    snprintf(err, n, "injections not built");
    return KW_ERR_UNSUPPORTED;
}

bool drill_inject_done(drill_inj *j, int64_t now_ms, bool *failed, char *err, size_t n)
{
    (void)j, (void)now_ms, (void)err, (void)n;
    if (failed)
        *failed = false;
    return true;
}

void drill_inject_stop(drill_inj *j) { (void)j; }

kw_rc drill_inject_plan(const conf *c, const conf_drill_inject *x, const char *lang, kw_buf *out, char *err, size_t n)
{
    (void)c, (void)x, (void)lang, (void)err, (void)n;
    return kw_buf_puts(out, "—");
}
