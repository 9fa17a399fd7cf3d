/* Host baseline, file permissions: a table of sensitive files (widest mode, owner), SSH host
 * keys, and one bounded walk of the system paths that inventories world-writable files,
 * world-writable directories without the sticky bit, SUID/SGID programs not in the Debian
 * standard set, and files whose owner has no account. */
#include "audit/audit_host_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WALK_MAX 150000  /* entries looked at in one run */
#define WALK_DEPTH 16
#define HITS_MAX 200     /* results listed per inventory check */

static kw_rc perm_hostkeys(host_ctx *c, const host_check *k);
static kw_rc perm_inventory(host_ctx *c, const host_check *k);

#define F(id, path, mode, own, en, zh, sev, cis, gb) \
    {id, "perm", en, zh, sev, {cis, gb}, HS_NONE, path, HC_EQ, mode, own, mode " or stricter, owner root", \
     "chown root " path " && chmod " mode " " path, host_fn_perm, 0}
#define W(id, en, zh, sev, cis, which, exp, fix) \
    {id, "perm", en, zh, sev, {cis, "8.1.4.2 d)"}, HS_NONE, which, HC_EQ, NULL, NULL, exp, fix, perm_inventory, 0}
#define AC "8.1.4.2 d)"

static const host_check rows[] = {
    F("KW-PERM-PASSWD", "/etc/passwd", "0644", "root", "/etc/passwd is 0644 root:root", "/etc/passwd 权限 0644 属主 root", FINDING_MEDIUM, "7.1.1", AC),
    F("KW-PERM-PASSWD-BACKUP", "/etc/passwd-", "0644", "root", "/etc/passwd- is 0644 root:root", "/etc/passwd- 权限 0644 属主 root", FINDING_LOW, "7.1.2", AC),
    F("KW-PERM-GROUP", "/etc/group", "0644", "root", "/etc/group is 0644 root:root", "/etc/group 权限 0644 属主 root", FINDING_MEDIUM, "7.1.3", AC),
    F("KW-PERM-GROUP-BACKUP", "/etc/group-", "0644", "root", "/etc/group- is 0644 root:root", "/etc/group- 权限 0644 属主 root", FINDING_LOW, "7.1.4", AC),
    F("KW-PERM-SHADOW", "/etc/shadow", "0640", "root:any", "/etc/shadow is 0640 or stricter", "/etc/shadow 权限不宽于 0640", FINDING_HIGH, "7.1.5", AC),
    F("KW-PERM-SHADOW-BACKUP", "/etc/shadow-", "0640", "root:any", "/etc/shadow- is 0640 or stricter", "/etc/shadow- 权限不宽于 0640", FINDING_MEDIUM, "7.1.6", AC),
    F("KW-PERM-GSHADOW", "/etc/gshadow", "0640", "root:any", "/etc/gshadow is 0640 or stricter", "/etc/gshadow 权限不宽于 0640", FINDING_HIGH, "7.1.7", AC),
    F("KW-PERM-GSHADOW-BACKUP", "/etc/gshadow-", "0640", "root:any", "/etc/gshadow- is 0640 or stricter", "/etc/gshadow- 权限不宽于 0640", FINDING_MEDIUM, "7.1.8", AC),
    F("KW-PERM-SHELLS", "/etc/shells", "0644", "root", "/etc/shells is 0644 root:root", "/etc/shells 权限 0644 属主 root", FINDING_LOW, "7.1.9", AC),
    F("KW-PERM-OPASSWD", "/etc/security/opasswd", "0600", "root", "/etc/security/opasswd is 0600 root", "opasswd 权限 0600 属主 root", FINDING_MEDIUM, "7.1.10", AC),
    F("KW-PERM-SSHD-CONFIG", "/etc/ssh/sshd_config", "0600", "root", "sshd_config is 0600 root:root", "sshd_config 权限 0600 属主 root", FINDING_MEDIUM, "5.1.1", AC),
    F("KW-PERM-CRONTAB", "/etc/crontab", "0600", "root", "/etc/crontab is 0600 root:root", "/etc/crontab 权限 0600 属主 root", FINDING_MEDIUM, "2.4.1.2", AC),
    F("KW-PERM-CRON-HOURLY", "/etc/cron.hourly", "0700", "root", "/etc/cron.hourly is 0700 root", "/etc/cron.hourly 权限 0700", FINDING_LOW, "2.4.1.3", AC),
    F("KW-PERM-CRON-DAILY", "/etc/cron.daily", "0700", "root", "/etc/cron.daily is 0700 root", "/etc/cron.daily 权限 0700", FINDING_LOW, "2.4.1.4", AC),
    F("KW-PERM-CRON-WEEKLY", "/etc/cron.weekly", "0700", "root", "/etc/cron.weekly is 0700 root", "/etc/cron.weekly 权限 0700", FINDING_LOW, "2.4.1.5", AC),
    F("KW-PERM-CRON-MONTHLY", "/etc/cron.monthly", "0700", "root", "/etc/cron.monthly is 0700 root", "/etc/cron.monthly 权限 0700", FINDING_LOW, "2.4.1.6", AC),
    F("KW-PERM-CRON-D", "/etc/cron.d", "0700", "root", "/etc/cron.d is 0700 root", "/etc/cron.d 权限 0700", FINDING_LOW, "2.4.1.7", AC),
    F("KW-PERM-CRON-ALLOW", "/etc/cron.allow", "0640", "root", "/etc/cron.allow is 0640 root", "/etc/cron.allow 权限 0640", FINDING_LOW, "2.4.1.8", AC),
    F("KW-PERM-AT-ALLOW", "/etc/at.allow", "0640", "root", "/etc/at.allow is 0640 root", "/etc/at.allow 权限 0640", FINDING_LOW, "2.4.2.1", AC),
    F("KW-PERM-SUDOERS", "/etc/sudoers", "0440", "root", "/etc/sudoers is 0440 root:root", "/etc/sudoers 权限 0440 属主 root", FINDING_HIGH, "5.2", AC),
    F("KW-PERM-SUDOERS-D", "/etc/sudoers.d", "0755", "root", "/etc/sudoers.d is root-owned, not group/world-writable", "/etc/sudoers.d 不可被他人写入", FINDING_HIGH, "5.2", AC),
    F("KW-PERM-ISSUE", "/etc/issue", "0644", "root", "/etc/issue is 0644 root:root", "/etc/issue 权限 0644", FINDING_LOW, "1.6.5", AC),
    F("KW-PERM-ISSUE-NET", "/etc/issue.net", "0644", "root", "/etc/issue.net is 0644 root:root", "/etc/issue.net 权限 0644", FINDING_LOW, "1.6.6", AC),
    F("KW-PERM-MOTD", "/etc/motd", "0644", "root", "/etc/motd is 0644 root:root", "/etc/motd 权限 0644", FINDING_LOW, "1.6.4", AC),
    F("KW-PERM-LOGIN-DEFS", "/etc/login.defs", "0644", "root", "/etc/login.defs is 0644 root:root", "/etc/login.defs 权限 0644", FINDING_LOW, "5.4", AC),
    F("KW-PERM-PAM-D", "/etc/pam.d", "0755", "root", "/etc/pam.d is root-owned, not writable by others", "/etc/pam.d 不可被他人写入", FINDING_HIGH, "5.3", AC),
    F("KW-PERM-SYSCTL-D", "/etc/sysctl.d", "0755", "root", "/etc/sysctl.d is root-owned, not writable by others", "/etc/sysctl.d 不可被他人写入", FINDING_MEDIUM, "3.3", AC),
    F("KW-PERM-AUDIT-RULES-D", "/etc/audit/rules.d", "0750", "root", "/etc/audit/rules.d is 0750 root", "/etc/audit/rules.d 权限 0750", FINDING_MEDIUM, "6.2.4.5", "8.1.4.3 c)"),
    F("KW-PERM-ROOT-HOME", "/root", "0750", "root", "/root is 0750 or stricter", "/root 目录权限不宽于 0750", FINDING_MEDIUM, "7.2.9", AC),
    {"KW-PERM-SSH-HOST-KEYS", "perm", "SSH host private keys are 0600 (0640 group ssh_keys) root", "SSH 主机私钥权限 0600 属主 root",
     FINDING_HIGH, {"5.1.2", AC}, HS_NONE, "/etc/ssh", HC_EQ, "0640", NULL, "0600 root (0640 with group ssh_keys)",
     "chown root /etc/ssh/ssh_host_*_key && chmod 0600 /etc/ssh/ssh_host_*_key", perm_hostkeys, 0},
    W("KW-PERM-WORLD-WRITABLE", "No world-writable files in system paths", "系统目录中无全局可写文件", FINDING_HIGH, "7.1.11",
      "ww_files", "none", "chmod o-w on each file listed."),
    W("KW-PERM-WW-DIR-STICKY", "World-writable directories have the sticky bit", "全局可写目录设置粘滞位", FINDING_MEDIUM, "7.1.11",
      "ww_dirs", "none without +t", "chmod +t on each directory listed (or o-w)."),
    W("KW-PERM-SUID-UNKNOWN", "No SUID programs beyond the Debian standard set", "无非标准 SUID 程序", FINDING_HIGH, "7.1.13",
      "suid", "only the standard SUID programs", "Remove the program or chmod u-s it if it need not run as its owner."),
    W("KW-PERM-SGID-UNKNOWN", "No SGID programs beyond the Debian standard set", "无非标准 SGID 程序", FINDING_MEDIUM, "7.1.13",
      "sgid", "only the standard SGID programs", "Remove the program or chmod g-s it."),
    W("KW-PERM-UNOWNED", "Every file in system paths has an owner with an account", "系统目录中无属主不存在的文件", FINDING_MEDIUM,
      "7.1.12", "unowned", "none", "chown each file listed to an existing account (or remove it)."),
};

/* The SUID/SGID programs Debian and Ubuntu ship (merged /usr: /bin is /usr/bin). */
static const char *const std_suid[] = {
    "/usr/bin/chfn", "/usr/bin/chsh", "/usr/bin/gpasswd", "/usr/bin/mount", "/usr/bin/newgrp", "/usr/bin/passwd",
    "/usr/bin/su", "/usr/bin/sudo", "/usr/bin/umount", "/usr/bin/fusermount", "/usr/bin/fusermount3",
    "/usr/bin/pkexec", "/usr/bin/ntfs-3g", "/usr/bin/newuidmap", "/usr/bin/newgidmap", "/usr/bin/at",
    "/usr/bin/sudoedit", "/usr/sbin/pppd", "/usr/lib/openssh/ssh-keysign", "/usr/sbin/mount.nfs",
    "/usr/lib/dbus-1.0/dbus-daemon-launch-helper", "/usr/libexec/polkit-agent-helper-1",
    "/usr/lib/polkit-1/polkit-agent-helper-1", "/usr/bin/mount.cifs", "/usr/sbin/mount.cifs", "/usr/bin/traceroute6.iputils",
};
static const char *const std_sgid[] = {
    "/usr/bin/chage", "/usr/bin/expiry", "/usr/bin/crontab", "/usr/bin/wall", "/usr/bin/write", "/usr/bin/bsd-write",
    "/usr/bin/ssh-agent", "/usr/bin/dotlockfile", "/usr/sbin/unix_chkpwd", "/usr/bin/mlocate", "/usr/bin/plocate",
    "/usr/sbin/pam_extrausers_chkpwd", "/usr/bin/at", "/usr/lib/x86_64-linux-gnu/utempter/utempter",
    "/usr/libexec/utempter/utempter", "/usr/bin/screen", "/usr/bin/dotlock.mailutils", "/usr/sbin/postdrop", "/usr/sbin/postqueue",
};

static bool in_table(const char *const *t, size_t n, const char *path)
{
    char norm[1100];
    if (strncmp(path, "/bin/", 5) == 0 || strncmp(path, "/sbin/", 6) == 0)
        snprintf(norm, sizeof norm, "/usr%s", path);
    else
        snprintf(norm, sizeof norm, "%s", path);
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i], norm) == 0)
            return true;
    return false;
}

static bool has_uid(host_ctx *c, unsigned uid)
{
    for (size_t i = 0; i < c->passwd.n; i++)
        if (c->passwd.v[i].id == (long)uid)
            return true;
    return false;
}

static void hit(host_names *n, const char *path, const struct stat *st)
{
    char t[1200];
    int l = snprintf(t, sizeof t, "%s %04o %u:%u", path, (unsigned)(st->st_mode & 07777), (unsigned)st->st_uid,
                     (unsigned)st->st_gid);
    if (n->n < HITS_MAX)
        host_names_add(n, t, (size_t)l < sizeof t ? (size_t)l : sizeof t - 1);
}

static void walk(host_ctx *c, const char *dir, int depth)
{
    host_names ents = {0};
    host_list(c, dir, &ents);
    for (size_t i = 0; i < ents.n && c->walked_n < WALK_MAX; i++) {
        char p[1024];
        if (snprintf(p, sizeof p, "%s/%s", strcmp(dir, "/") ? dir : "", ents.v[i]) >= (int)sizeof p)
            continue;
        struct stat st;
        c->walked_n++;
        if (audit_root_stat(c->r, p, false, &st) != KW_OK)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))
                hit(&c->ww_dirs, p, &st);
            if (depth < WALK_DEPTH)
                walk(c, p, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            if (st.st_mode & S_IWOTH)
                hit(&c->ww_files, p, &st);
            if ((st.st_mode & S_ISUID) && !in_table(std_suid, sizeof std_suid / sizeof *std_suid, p))
                hit(&c->suid, p, &st);
            if ((st.st_mode & S_ISGID) && !in_table(std_sgid, sizeof std_sgid / sizeof *std_sgid, p))
                hit(&c->sgid, p, &st);
        }
        if (!S_ISLNK(st.st_mode) && c->passwd.present && !has_uid(c, (unsigned)st.st_uid))
            hit(&c->unowned, p, &st);
    }
    if (c->walked_n >= WALK_MAX)
        c->walk_cut = true;
    host_names_free(&ents);
}

static void walk_all(host_ctx *c)
{
    static const char *const roots[] = {"/etc", "/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local", "/usr/libexec",
                                        "/usr/lib/openssh", "/usr/lib/dbus-1.0", "/boot"};
    if (c->walked)
        return;
    c->walked = true;
    host_acct_load(c);
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        struct stat st;
        if (audit_root_stat(c->r, roots[i], false, &st) == KW_OK && S_ISDIR(st.st_mode))
            walk(c, roots[i], 0);
    }
}

static kw_rc perm_inventory(host_ctx *c, const host_check *k)
{
    walk_all(c);
    const host_names *n = strcmp(k->key, "ww_files") == 0 ? &c->ww_files
                        : strcmp(k->key, "ww_dirs") == 0  ? &c->ww_dirs
                        : strcmp(k->key, "suid") == 0     ? &c->suid
                        : strcmp(k->key, "sgid") == 0     ? &c->sgid
                                                          : &c->unowned;
    if (n == &c->unowned && !c->passwd.present)
        return host_na(c, k, "no /etc/passwd");
    for (size_t i = 0; i < n->n; i++) {
        char file[1100];
        snprintf(file, sizeof file, "%s", n->v[i]);
        char *sp = strchr(file, ' ');
        if (sp)
            *sp = '\0';
        kw_rc rc = host_emit(c, k, AUDIT_FAIL, file, 0, NULL, n->v[i], file);
        if (rc != KW_OK)
            return rc;
    }
    if (n->n)
        return KW_OK;
    return host_emit(c, k, AUDIT_PASS, NULL, 0, NULL, c->walk_cut ? "none (walk cut at its bound)" : "none", NULL);
}

/* Every /etc/ssh/ssh_host_*_key: 0600 root, or 0640 when the group is not root (ssh_keys). */
static kw_rc perm_hostkeys(host_ctx *c, const host_check *k)
{
    host_names n = {0};
    host_list(c, k->key, &n);
    size_t seen = 0;
    kw_rc rc = KW_OK;
    for (size_t i = 0; i < n.n && rc == KW_OK; i++) {
        size_t l = strlen(n.v[i]);
        if (strncmp(n.v[i], "ssh_host_", 9) != 0 || l < 4 || strcmp(n.v[i] + l - 4, "_key") != 0)
            continue;
        char p[600], found[64];
        snprintf(p, sizeof p, "%s/%s", k->key, n.v[i]);
        struct stat st;
        if (audit_root_stat(c->r, p, true, &st) != KW_OK)
            continue;
        seen++;
        unsigned mode = st.st_mode & 07777, max = st.st_gid ? 0640u : 0600u;
        snprintf(found, sizeof found, "%04o %u:%u", mode, (unsigned)st.st_uid, (unsigned)st.st_gid);
        bool ok = (mode & ~max) == 0 && st.st_uid == 0;
        rc = host_emit(c, k, ok ? AUDIT_PASS : AUDIT_FAIL, p, 0, NULL, found, p);
    }
    host_names_free(&n);
    if (rc == KW_OK && seen == 0)
        rc = host_na(c, k, "no host keys");
    return rc;
}

const host_family host_fam_perm = {rows, sizeof rows / sizeof rows[0]};
