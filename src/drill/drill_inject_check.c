/* The check injection: a configured service check forced down for a time. Starting it only
 * says so in seen (check, check_until_ms); the drill module keeps that among the run's marks,
 * and each check asks drill_check_forced before it runs (check_module.c), so the failure takes
 * the path a real one takes and service_down fires as it would. */
#include "drill/drill_inject_int.h"
#include "core/kw_mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_DEFAULT_FOR_MS (5 * 60 * 1000)

typedef struct check_inj {
    int64_t until_ms;
} check_inj;

/* The configured check called name, or NULL. */
static const conf_check *check_of(const conf *c, const char *name)
{
    for (size_t i = 0; name && i < c->checks.n; i++) {
        const conf_check *k = CONF_AT(c->checks, conf_check, i);
        if (strcmp(k->name, name) == 0)
            return k;
    }
    return NULL;
}

static kw_rc check_known(const conf *c, const conf_drill_inject *x, char *err, size_t n)
{
    const conf_check *k = check_of(c, x->check);
    if (!k) {
        snprintf(err, n, "no check \"%s\" in checks:", x->check ? x->check : "");
        return KW_ERR_NOTFOUND;
    }
    if (!k->enabled) {
        snprintf(err, n, "check \"%s\" is disabled: forcing it down would show nothing", x->check);
        return KW_ERR_UNSUPPORTED;
    }
    if (strlen(x->check) >= sizeof ((drill_seen *)0)->check) {
        snprintf(err, n, "check name \"%s\" is too long", x->check);
        return KW_ERR_RANGE;
    }
    return KW_OK;
}

static int64_t check_for(const conf_drill_inject *x)
{
    return x->for_ms > 0 ? x->for_ms : CHECK_DEFAULT_FOR_MS;
}

static bool check_done(void *st, int64_t now, bool *failed, char *err, size_t n)
{
    if (failed)
        *failed = false;
    return now >= ((check_inj *)st)->until_ms;
}

static void check_stop(void *st)
{
    free(st); /* the drill module drops the run's marks: the check runs for real again */
}

static const drill_inj_ops check_ops = {check_done, check_stop};

kw_rc drill_check_start(const drill_inject_env *env, const conf_drill_inject *x, int64_t now, drill_seen *seen,
                        void **st, const drill_inj_ops **ops, char *err, size_t n)
{
    kw_rc rc = check_known(env->conf, x, err, n);
    if (rc != KW_OK)
        return rc;
    check_inj *k = kw_calloc(1, sizeof *k);
    k->until_ms = now + check_for(x);
    kw_strlcpy(seen->check, x->check, sizeof seen->check);
    seen->check_until_ms = k->until_ms;
    *st = k;
    *ops = &check_ops;
    return KW_OK;
}

kw_rc drill_check_plan(const conf *c, const conf_drill_inject *x, bool zh, kw_buf *out, char *err, size_t n)
{
    double secs = (double)check_for(x) / 1000.0;
    if (zh)
        kw_buf_printf(out, "强制服务检查 %s 失败 %g 秒（service_down 照常告警）", x->check ? x->check : "?", secs);
    else
        kw_buf_printf(out, "force the check %s down for %g s (service_down fires as it would)",
                      x->check ? x->check : "?", secs);
    return check_known(c, x, err, n);
}
