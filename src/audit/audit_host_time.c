/* Host baseline, time synchronisation: one of chrony, systemd-timesyncd, ntp installed and
 * enabled, with servers configured. */
#include "audit/audit_host_int.h"

#include <string.h>
#include <strings.h>

static kw_rc time_daemon(host_ctx *c, const host_check *k);
static kw_rc time_servers(host_ctx *c, const host_check *k);
static kw_rc time_single(host_ctx *c, const host_check *k);

#define T(id, en, zh, sev, cis, fn, exp, fix) \
    {id, "time", en, zh, sev, {cis, "8.1.4.3 b)"}, HS_NONE, NULL, HC_EQ, NULL, NULL, exp, fix, fn, 0}

static const host_check rows[] = {
    T("KW-TIME-DAEMON", "A time synchronisation daemon is installed and enabled", "已安装并启用时间同步服务",
      FINDING_MEDIUM, "2.3.1.1", time_daemon, "chrony, systemd-timesyncd or ntp enabled",
      "apt install chrony && systemctl enable --now chrony (audit records need a common clock)."),
    T("KW-TIME-SERVERS", "Time servers are configured", "已配置时间服务器", FINDING_LOW, "2.3.2.1", time_servers,
      "server/pool lines (chrony, ntp) or NTP= (timesyncd)", "Add 'pool ntp.example.org iburst' to /etc/chrony/chrony.conf."),
    T("KW-TIME-SINGLE-DAEMON", "Only one time daemon runs", "仅启用一个时间同步服务", FINDING_LOW, "2.3.1.1",
      time_single, "one of chrony, timesyncd, ntp", "Disable all but one time synchronisation service."),
};

static const char *const units[] = {"chrony.service,chronyd.service", "systemd-timesyncd.service",
                                    "ntp.service,ntpd.service,ntpsec.service"};

static int enabled_count(host_ctx *c, const char **which)
{
    int n = 0;
    for (size_t i = 0; i < 3; i++) {
        const char *w = NULL;
        if (host_unit_enabled(c, units[i], &w)) {
            n++;
            if (which && !*which)
                *which = w;
        }
    }
    return n;
}

static kw_rc time_daemon(host_ctx *c, const host_check *k)
{
    const char *which = NULL;
    if (enabled_count(c, &which))
        return host_emit(c, k, AUDIT_PASS, "/etc/systemd/system", 0, NULL, which, NULL);
    return host_emit(c, k, AUDIT_FAIL, "/etc/systemd/system", 0, NULL, "none enabled", NULL);
}

static kw_rc time_single(host_ctx *c, const host_check *k)
{
    int n = enabled_count(c, NULL);
    if (n == 0)
        return host_na(c, k, "none enabled");
    return host_emit(c, k, n == 1 ? AUDIT_PASS : AUDIT_FAIL, "/etc/systemd/system", 0, NULL,
                     n == 1 ? "one" : "several", NULL);
}

static kw_rc time_servers(host_ctx *c, const host_check *k)
{
    static const char *const files[] = {"/etc/chrony/chrony.conf", "/etc/chrony.conf", "/etc/ntp.conf",
                                        "/etc/ntpsec/ntp.conf", "/etc/chrony/sources.d/"};
    bool any = false;
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        host_lines l = {0};
        any |= host_lines_load(c, files[f], &l);
        for (size_t i = 0; i < l.n; i++)
            if (strncasecmp(l.v[i].text, "server ", 7) == 0 || strncasecmp(l.v[i].text, "pool ", 5) == 0) {
                kw_rc rc = host_emit(c, k, AUDIT_PASS, l.v[i].file, l.v[i].line, l.v[i].text, l.v[i].text, NULL);
                host_lines_free(&l);
                return rc;
            }
        host_lines_free(&l);
    }
    const host_kvset *ts = host_src_kv(c, HS_TIMESYNCD);
    const host_kv *e = host_kv_get(ts, "NTP");
    if (!e)
        e = host_kv_get(ts, "FallbackNTP");
    if (e && e->val[0])
        return host_emit(c, k, AUDIT_PASS, e->file, e->line, e->text, e->val, NULL);
    if (!any && !ts->present)
        return host_na(c, k, "no time daemon configuration");
    return host_emit(c, k, AUDIT_FAIL, NULL, 0, NULL, "no server configured", NULL);
}

const host_family host_fam_time = {rows, sizeof rows / sizeof rows[0]};
