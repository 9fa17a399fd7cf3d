/* The Redis checks over redis.conf: exposure (bind and protected-mode), authentication
 * (requirepass, the default ACL user), renamed dangerous commands, idle timeout, the DEBUG
 * command and maxclients. A password is never printed: only its length. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "audit/audit_app_int.h"

static const char *const danger[] = {"FLUSHALL", "FLUSHDB", "CONFIG", "KEYS", "DEBUG", "SHUTDOWN", NULL};

static void exposure(app_run *r)
{
    const app_kv *b = app_cf_last(&r->redis, "bind", NULL), *pm = app_cf_last(&r->redis, "protected-mode", NULL);
    bool all = !b || app_has_token(b->val, "0.0.0.0", " ") || app_has_token(b->val, "*", " ") ||
               app_has_token(b->val, "::", " ") || app_has_token(b->val, "-::*", " ") || app_has_token(b->val, "::*", " ");
    bool pm_off = pm && !strcasecmp(pm->val, "no");
    char found[300];
    snprintf(found, sizeof found, "bind %s, protected-mode %s", b ? b->val : "absent (every interface)", pm ? pm->val : "absent (yes)");
    app_emit(r, "KW-REDIS-EXPOSED", all && pm_off ? AUDIT_FAIL : AUDIT_PASS, pm_off ? pm : b, r->redis.files[0], found, NULL, NULL);
    app_emit(r, "KW-REDIS-PROTECTED-MODE", pm_off ? AUDIT_FAIL : AUDIT_PASS, pm, r->redis.files[0], pm ? pm->val : "absent (default yes)",
             NULL, NULL);
}

static bool weak_secret(const char *v)
{
    static const char *const common[] = {"foobared", "redis", "password", "123456", "admin", "changeme", NULL};
    for (const char *const *c = common; *c; c++)
        if (!strcasecmp(v, *c))
            return true;
    return strlen(v) < 16;
}

static void auth(app_run *r)
{
    char found[128];
    for (size_t i = 0; i < r->redis.n; i++) {
        const app_kv *k = &r->redis.v[i];
        if (!strcmp(k->key, "user") && !strncmp(k->val, "default ", 8) && app_has_token(k->val, "on", " ") &&
            app_has_token(k->val, "nopass", " ")) {
            app_emit(r, "KW-REDIS-AUTH", AUDIT_FAIL, k, NULL, "ACL user default on nopass", NULL, NULL);
            return;
        }
    }
    const app_kv *p = app_cf_last(&r->redis, "requirepass", NULL);
    if (!p || !p->val[0]) {
        app_emit(r, "KW-REDIS-AUTH", AUDIT_FAIL, p, r->redis.files[0], "absent (no password)", NULL, NULL);
        return;
    }
    bool weak = weak_secret(p->val);
    snprintf(found, sizeof found, "set (%zu characters%s)", strlen(p->val), weak ? ", weak" : "");
    r->hide = true;
    app_emit(r, "KW-REDIS-AUTH", weak ? AUDIT_FAIL : AUDIT_PASS, p, NULL, found, NULL, NULL);
}

static void renames(app_run *r)
{
    char miss[128] = "";
    for (const char *const *c = danger; *c; c++) {
        bool done = false;
        for (size_t i = 0; i < r->redis.n && !done; i++)
            done = !strcmp(r->redis.v[i].key, "rename-command") && !strncasecmp(r->redis.v[i].val, *c, strlen(*c)) &&
                   r->redis.v[i].val[strlen(*c)] == ' ';
        if (!done) {
            app_list_add(miss, sizeof miss, " ", *c);
        }
    }
    char found[200];
    snprintf(found, sizeof found, "%s%s", miss[0] ? "not renamed: " : "all renamed", miss);
    app_emit(r, "KW-REDIS-RENAME-COMMANDS", miss[0] ? AUDIT_FAIL : AUDIT_PASS, NULL, r->redis.files[0], found, NULL, NULL);
}

void app_check_redis(app_run *r)
{
    if (!r->have_redis) {
        app_na_group(r, "redis", "Redis configuration absent");
        return;
    }
    exposure(r);
    auth(r);
    renames(r);
    const app_kv *k = app_cf_last(&r->redis, "timeout", NULL);
    bool zero = !k || !strcmp(k->val, "0");
    app_emit(r, "KW-REDIS-TIMEOUT", zero ? AUDIT_FAIL : AUDIT_PASS, k, r->redis.files[0], k ? k->val : "absent (default 0: never)", NULL, NULL);
    k = app_cf_last(&r->redis, "enable-debug-command", NULL);
    bool dbg = k && !strcasecmp(k->val, "yes");
    app_emit(r, "KW-REDIS-DEBUG-COMMAND", dbg ? AUDIT_FAIL : AUDIT_PASS, k, r->redis.files[0], k ? k->val : "absent (default no)", NULL, NULL);
    k = app_cf_last(&r->redis, "maxclients", NULL);
    app_emit(r, "KW-REDIS-MAXCLIENTS", k ? AUDIT_PASS : AUDIT_NOTE, k, r->redis.files[0], k ? k->val : "absent (default 10000)", NULL, NULL);
}
