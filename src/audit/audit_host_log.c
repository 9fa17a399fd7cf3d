/* Host baseline, logging and audit: auditd installed/enabled, auditd.conf actions, audit
 * rules for the events 等保 asks for, syslog or persistent journal, rotation kept >= 26
 * weeks, login record files' modes. */
#include "audit/audit_host_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static kw_rc auditd_pkg(host_ctx *c, const host_check *k);
static kw_rc syslog_any(host_ctx *c, const host_check *k);
static kw_rc rotate_keep(host_ctx *c, const host_check *k);

#define A(id, en, zh, sev, cis, key, cmp, want, dflt, exp, fix) \
    {id, "log", en, zh, sev, {cis, "8.1.4.3 c)"}, HS_AUDITD, key, cmp, want, dflt, exp, fix, NULL, 0}
#define R(id, en, zh, cis, want) \
    {id, "log", en, zh, FINDING_MEDIUM, {cis, "8.1.4.3 a)"}, HS_NONE, "/etc/audit/audit.rules,/etc/audit/rules.d/", \
     HC_EQ, want, NULL, "a rule watching " want, "Add an audit rule (-w ... -p wa -k ...) to /etc/audit/rules.d/50-kw.rules and augenrules --load.", \
     host_fn_grep, 0}
#define P(id, en, zh, cis, path, mode) \
    {id, "log", en, zh, FINDING_LOW, {cis, "8.1.4.3 c)"}, HS_NONE, path, HC_EQ, mode, NULL, "mode " mode " or stricter", \
     "chmod " mode " " path, host_fn_perm, 0}
#define J(id, en, zh, sev, cis, key, cmp, want, dflt, exp, fix) \
    {id, "log", en, zh, sev, {cis, "8.1.4.3 c)"}, HS_JOURNALD, key, cmp, want, dflt, exp, fix, NULL, 0}

static const host_check rows[] = {
    {"KW-LOG-AUDITD-INSTALLED", "log", "auditd is installed", "已安装 auditd 审计服务", FINDING_HIGH, {"6.2.1.1", "8.1.4.3 a)"},
     HS_NONE, "auditd,audit", HC_EQ, NULL, NULL, "installed", "apt install auditd audispd-plugins", auditd_pkg, 0},
    {"KW-LOG-AUDITD-ENABLED", "log", "auditd is enabled", "auditd 已设置开机启动", FINDING_HIGH, {"6.2.1.2", "8.1.4.3 d)"},
     HS_NONE, "auditd.service", HC_EQ, NULL, NULL, "enabled", "systemctl enable --now auditd", auditd_pkg, 0},
    A("KW-LOG-AUDITD-MAX-LOG-ACTION", "Audit logs are kept, not rotated away (max_log_file_action keep_logs)",
      "审计日志满时保留（keep_logs）", FINDING_MEDIUM, "6.2.2.2", "max_log_file_action", HC_IN, "keep_logs,rotate",
      "rotate", "keep_logs", "Set max_log_file_action = keep_logs in /etc/audit/auditd.conf."),
    A("KW-LOG-AUDITD-MAX-LOG-FILE", "Audit log file size is set (max_log_file >= 8 MB)", "审计日志文件大小不小于 8 MB",
      FINDING_LOW, "6.2.2.1", "max_log_file", HC_GE, "8", "8", ">= 8", "Set max_log_file = 32."),
    A("KW-LOG-AUDITD-SPACE-LEFT", "Low disk space for audit logs is acted on (space_left_action)",
      "审计磁盘空间不足时告警", FINDING_MEDIUM, "6.2.2.3", "space_left_action", HC_IN, "email,exec,single,halt",
      "SYSLOG", "email, exec, single or halt", "Set space_left_action = email."),
    A("KW-LOG-AUDITD-ADMIN-SPACE-LEFT", "Critically low audit space stops the system (admin_space_left_action)",
      "审计磁盘空间严重不足时停机或单用户", FINDING_MEDIUM, "6.2.2.3", "admin_space_left_action", HC_IN, "single,halt",
      "SUSPEND", "single or halt", "Set admin_space_left_action = single."),
    A("KW-LOG-AUDITD-DISK-FULL", "A full audit disk halts or goes single-user", "审计磁盘写满时停机或单用户",
      FINDING_MEDIUM, "6.2.2.4", "disk_full_action", HC_IN, "single,halt", "SUSPEND", "single or halt",
      "Set disk_full_action = single."),
    A("KW-LOG-AUDITD-DISK-ERROR", "An audit disk error halts or goes single-user", "审计磁盘错误时停机或单用户",
      FINDING_LOW, "6.2.2.4", "disk_error_action", HC_IN, "single,halt", "SUSPEND", "single or halt",
      "Set disk_error_action = single."),
    A("KW-LOG-AUDITD-FLUSH", "Audit records are flushed to disk (flush incremental_async/data/sync)",
      "审计记录及时写盘", FINDING_LOW, "6.2.2", "flush", HC_IN, "incremental_async,incremental,data,sync",
      "incremental_async", "incremental_async, data or sync", "Set flush = incremental_async."),
    R("KW-LOG-AUDIT-IDENTITY", "Changes to users and groups are audited", "审计用户和组变更", "6.2.3.8", "/etc/passwd,/etc/shadow,/etc/group"),
    R("KW-LOG-AUDIT-SUDOERS", "Changes to sudoers are audited", "审计 sudoers 变更", "6.2.3.1", "/etc/sudoers"),
    R("KW-LOG-AUDIT-TIME-CHANGE", "Changes to the clock are audited", "审计系统时间变更", "6.2.3.4", "adjtimex,settimeofday,clock_settime,/etc/localtime"),
    R("KW-LOG-AUDIT-LOGINS", "Login and logout events are audited", "审计登录与注销事件", "6.2.3.12", "/var/log/lastlog,/var/run/faillock,/var/log/faillog"),
    R("KW-LOG-AUDIT-SESSION", "Session initiation is audited", "审计会话建立", "6.2.3.11", "/var/run/utmp,/var/log/wtmp,/var/log/btmp"),
    R("KW-LOG-AUDIT-PERM-MOD", "Permission changes are audited", "审计权限修改", "6.2.3.9", "chmod,fchmod,chown,setxattr"),
    R("KW-LOG-AUDIT-MOUNTS", "Mounts are audited", "审计文件系统挂载", "6.2.3.10", "-S mount"),
    R("KW-LOG-AUDIT-DELETE", "File deletions are audited", "审计文件删除", "6.2.3.13", "unlink,rename"),
    R("KW-LOG-AUDIT-MODULES", "Kernel module loading is audited", "审计内核模块加载", "6.2.3.19", "init_module,finit_module,delete_module,/sbin/insmod,/usr/bin/kmod"),
    R("KW-LOG-AUDIT-NETWORK", "Changes to the network environment are audited", "审计网络配置变更", "6.2.3.5", "sethostname,/etc/hosts,/etc/issue"),
    R("KW-LOG-AUDIT-MAC-POLICY", "Changes to the MAC policy are audited", "审计强制访问控制策略变更", "6.2.3.14", "/etc/apparmor,/etc/selinux"),
    R("KW-LOG-AUDIT-SUDO-LOG", "The sudo log is audited", "审计 sudo 日志", "6.2.3.3", "/var/log/sudo.log"),
    R("KW-LOG-AUDIT-IMMUTABLE", "Audit configuration is immutable (-e 2)", "审计配置不可更改（-e 2）", "6.2.3.20", "-e 2"),
    {"KW-LOG-SYSLOG", "log", "A system logger runs (rsyslog, syslog-ng or a persistent journal)",
     "系统日志服务运行（rsyslog/syslog-ng/持久化 journal）", FINDING_HIGH, {"6.1.3.1", "8.1.4.3 a)"}, HS_NONE, NULL, HC_EQ,
     NULL, NULL, "rsyslog or syslog-ng enabled, or journald Storage=persistent",
     "apt install rsyslog, or set Storage=persistent in /etc/systemd/journald.conf.", syslog_any, 0},
    J("KW-LOG-JOURNALD-STORAGE", "journald keeps logs on disk (Storage=persistent or auto with /var/log/journal)",
      "journald 日志持久化保存", FINDING_MEDIUM, "6.1.2.4", "Storage", HC_IN, "persistent,auto", "auto",
      "persistent", "Set Storage=persistent in /etc/systemd/journald.conf."),
    J("KW-LOG-JOURNALD-COMPRESS", "journald compresses large entries", "journald 压缩大日志", FINDING_INFO, "6.1.2.3",
      "Compress", HC_EQ, "yes", "yes", "yes", "Set Compress=yes."),
    J("KW-LOG-JOURNALD-FORWARD", "journald forwards to syslog where rsyslog is used", "journald 转发至 syslog", FINDING_INFO,
      "6.1.2.2", "ForwardToSyslog", HC_EQ, "yes", "no", "yes", "Set ForwardToSyslog=yes when rsyslog keeps the files."),
    {"KW-LOG-ROTATE-RETENTION", "log", "Rotated logs are kept 26 weeks or more (等保: six months)",
     "日志保存不少于六个月（轮转保留 >= 26 周）", FINDING_MEDIUM, {"6.1.4", "8.1.4.3 c)"}, HS_NONE,
     "/etc/logrotate.conf", HC_GE, "182", NULL, ">= 182 days (e.g. weekly + rotate 26)",
     "Set 'weekly' and 'rotate 26' (or monthly + rotate 6) in /etc/logrotate.conf.", rotate_keep, 0},
    P("KW-LOG-WTMP-MODE", "wtmp is not world-writable", "wtmp 文件权限不宽于 0664", "6.1", "/var/log/wtmp", "0664"),
    P("KW-LOG-BTMP-MODE", "btmp is readable by root and utmp only", "btmp 文件权限不宽于 0660", "6.1", "/var/log/btmp", "0660"),
    P("KW-LOG-LASTLOG-MODE", "lastlog is not world-writable", "lastlog 文件权限不宽于 0664", "6.1", "/var/log/lastlog", "0664"),
    P("KW-LOG-AUDIT-LOG-DIR", "The audit log directory is private", "审计日志目录权限不宽于 0750", "6.2.4.4", "/var/log/audit", "0750"),
    P("KW-LOG-AUDITD-CONF-MODE", "auditd.conf is not writable by others", "auditd.conf 权限不宽于 0640", "6.2.4.5", "/etc/audit/auditd.conf", "0640"),
};

static kw_rc auditd_pkg(host_ctx *c, const host_check *k)
{
    const char *which = NULL;
    if (strchr(k->key, '.')) { /* the unit */
        bool on = host_unit_enabled(c, k->key, &which);
        if (!on && host_pkg(c, "auditd,audit", NULL) <= 0)
            return host_emit(c, k, AUDIT_FAIL, "/etc/systemd/system", 0, NULL, "not installed", NULL);
        return host_emit(c, k, on ? AUDIT_PASS : AUDIT_FAIL, "/etc/systemd/system", 0, NULL,
                         on ? "enabled" : "disabled", NULL);
    }
    int p = host_pkg(c, k->key, &which);
    if (p < 0)
        return host_na(c, k, "no dpkg database");
    return host_emit(c, k, p ? AUDIT_PASS : AUDIT_FAIL, "/var/lib/dpkg/status", 0, NULL,
                     p ? which : "not installed", NULL);
}

static kw_rc syslog_any(host_ctx *c, const host_check *k)
{
    const char *which = NULL;
    if (host_unit_enabled(c, "rsyslog.service,syslog-ng.service,syslog.service", &which))
        return host_emit(c, k, AUDIT_PASS, "/etc/systemd/system", 0, NULL, which, NULL);
    const host_kv *e = host_kv_get(host_src_kv(c, HS_JOURNALD), "Storage");
    struct stat st;
    bool dir = audit_root_stat(c->r, "/var/log/journal", true, &st) == KW_OK && S_ISDIR(st.st_mode);
    if ((e && strcasecmp(e->val, "persistent") == 0) || (dir && (!e || strcasecmp(e->val, "auto") == 0)))
        return host_emit(c, k, AUDIT_PASS, e ? e->file : "/var/log/journal", e ? e->line : 0, e ? e->text : NULL,
                         "persistent journal", NULL);
    return host_emit(c, k, AUDIT_FAIL, NULL, 0, NULL, "no syslog, volatile journal", NULL);
}

/* The global period and count of logrotate.conf (before any "{" block). */
static kw_rc rotate_keep(host_ctx *c, const host_check *k)
{
    host_lines l = {0};
    if (!host_lines_load(c, k->key, &l))
        return host_na(c, k, "logrotate not configured");
    long days = 7, count = -1;
    int depth = 0;
    const host_line *at = NULL;
    for (size_t i = 0; i < l.n; i++) {
        const char *t = l.v[i].text;
        if (strchr(t, '{'))
            depth++;
        if (strchr(t, '}') && depth > 0)
            depth--;
        if (depth)
            continue;
        if (strcmp(t, "daily") == 0)
            days = 1;
        else if (strcmp(t, "weekly") == 0)
            days = 7;
        else if (strcmp(t, "monthly") == 0)
            days = 30;
        else if (strcmp(t, "yearly") == 0)
            days = 365;
        else if (strncmp(t, "rotate ", 7) == 0) {
            count = strtol(t + 7, NULL, 10);
            at = &l.v[i];
        }
    }
    char found[96];
    long keep = count < 0 ? 0 : count * days;
    snprintf(found, sizeof found, "%ld days (rotate %ld x %ld d)", keep, count < 0 ? 0 : count, days);
    kw_rc rc = host_emit(c, k, keep >= 182 ? AUDIT_PASS : AUDIT_FAIL, at ? at->file : k->key, at ? at->line : 0,
                         at ? at->text : NULL, found, NULL);
    host_lines_free(&l);
    return rc;
}

const host_family host_fam_log = {rows, sizeof rows / sizeof rows[0]};
