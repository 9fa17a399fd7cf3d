/* The injections' one face (drill_inject.h): each kind's start behind one handle, its poll
 * and its stop, and the plan's words (what each would do, and whether it could run here).
 * Alert injections are the drill module's own (it raises them through the core). */
#include "drill/drill_inject_int.h"
#include "core/kw_mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

kw_rc drill_inject_start(const drill_inject_env *env, const conf_drill_inject *x, int64_t now_ms, drill_seen *seen,
                         drill_inj **out, char *err, size_t n)
{
    void *st = NULL;
    const drill_inj_ops *ops = NULL;
    kw_rc rc;
    err[0] = 0;
    switch (x->kind) {
    case DRILL_INJ_REPLAY: rc = drill_replay_start(env, x, now_ms, seen, &st, &ops, err, n); break;
    case DRILL_INJ_LOG: rc = drill_log_start(env, x, now_ms, seen, &st, &ops, err, n); break;
    case DRILL_INJ_CHECK: rc = drill_check_start(env, x, now_ms, seen, &st, &ops, err, n); break;
    case DRILL_INJ_ALERT:
        snprintf(err, n, "alert injections are raised by the drill module, not here");
        return KW_ERR_UNSUPPORTED;
    default: snprintf(err, n, "unknown injection kind %d", x->kind); return KW_ERR_UNSUPPORTED;
    }
    if (rc != KW_OK)
        return rc;
    drill_inj *j = kw_calloc(1, sizeof *j);
    j->kind = x->kind;
    j->ops = ops;
    j->st = st;
    *out = j;
    return KW_OK;
}

bool drill_inject_done(drill_inj *j, int64_t now_ms, bool *failed, char *err, size_t n)
{
    if (failed)
        *failed = false;
    return !j || j->ops->done(j->st, now_ms, failed, err, n);
}

void drill_inject_stop(drill_inj *j)
{
    if (!j)
        return;
    j->ops->stop(j->st);
    free(j);
}

static kw_rc alert_plan(const conf_drill_inject *x, bool zh, kw_buf *out, char *err, size_t n)
{
    int sev = x->severity ? x->severity : 3;
    if (zh)
        kw_buf_printf(out, "产生规则 %s 的模拟告警（级别 %d）", x->rule ? x->rule : "?", sev);
    else
        kw_buf_printf(out, "raise a synthetic alert of rule %s (severity %d)", x->rule ? x->rule : "?", sev);
    if (x->rule)
        return KW_OK;
    snprintf(err, n, "an alert injection names no rule");
    return KW_ERR_PARSE;
}

kw_rc drill_inject_plan(const conf *c, const conf_drill_inject *x, const char *lang, kw_buf *out, char *err, size_t n)
{
    bool zh = lang && strncmp(lang, "zh", 2) == 0;
    err[0] = 0;
    long long at = (long long)(x->at_ms / 1000);
    kw_buf_printf(out, zh ? "第 %lld 秒：" : "at +%llds: ", at);
    switch (x->kind) {
    case DRILL_INJ_REPLAY: return drill_replay_plan(c, x, zh, out, err, n);
    case DRILL_INJ_LOG: return drill_log_plan(c, x, zh, out, err, n);
    case DRILL_INJ_CHECK: return drill_check_plan(c, x, zh, out, err, n);
    case DRILL_INJ_ALERT: return alert_plan(x, zh, out, err, n);
    default: snprintf(err, n, "unknown injection kind %d", x->kind); return KW_ERR_UNSUPPORTED;
    }
}
