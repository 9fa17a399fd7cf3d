/* Host baseline, boot loader: GRUB superuser password, grub.cfg mode, single-user mode asks
 * for root's password, AppArmor/SELinux and audit=1 on the kernel command line. */
#include "audit/audit_host_int.h"

#define G(id, en, zh, sev, cis, gb, key, cmp, want, dflt, exp, fix) \
    {id, "boot", en, zh, sev, {cis, gb}, HS_NONE, key, cmp, want, dflt, exp, fix, host_fn_grep, 0}
#define GRUB "/boot/grub/grub.cfg,/boot/grub2/grub.cfg"

static const host_check rows[] = {
    G("KW-BOOT-GRUB-PASSWORD", "GRUB has a superuser password", "GRUB 设置超级用户口令", FINDING_MEDIUM, "1.4.1", "8.1.4.1 a)",
      GRUB, HC_EQ, "password_pbkdf2", NULL, "set superusers + password_pbkdf2",
      "grub-mkpasswd-pbkdf2; add 'set superusers' and 'password_pbkdf2' to /etc/grub.d/40_custom; update-grub."),
    {"KW-BOOT-GRUB-CFG-MODE", "boot", "grub.cfg is root-only (0600)", "grub.cfg 权限为 0600 且属主 root", FINDING_MEDIUM,
     {"1.4.2", "8.1.4.2 d)"}, HS_NONE, "/boot/grub/grub.cfg", HC_EQ, "0600", "root", "0600 root:root",
     "chown root:root /boot/grub/grub.cfg && chmod 0600 /boot/grub/grub.cfg", host_fn_perm, 0},
    G("KW-BOOT-GRUB-AUDIT", "Processes before auditd are audited (audit=1)", "内核启动参数启用审计（audit=1）", FINDING_LOW,
      "6.2.1.3", "8.1.4.3 a)", "/etc/default/grub," GRUB, HC_EQ, "audit=1", NULL, "audit=1 on the kernel command line",
      "Add audit=1 to GRUB_CMDLINE_LINUX in /etc/default/grub; update-grub."),
    G("KW-BOOT-GRUB-AUDIT-BACKLOG", "The audit backlog is large enough (audit_backlog_limit)", "审计缓冲队列足够（audit_backlog_limit）",
      FINDING_LOW, "6.2.1.4", "8.1.4.3 a)", "/etc/default/grub," GRUB, HC_EQ, "audit_backlog_limit=", NULL,
      "audit_backlog_limit=8192", "Add audit_backlog_limit=8192 to GRUB_CMDLINE_LINUX."),
    G("KW-BOOT-APPARMOR-DISABLED", "AppArmor/SELinux is not disabled on the kernel command line", "未在启动参数中禁用 AppArmor/SELinux",
      FINDING_HIGH, "1.3.1.2", "8.1.4.2 f)", "/etc/default/grub," GRUB, HC_NONE_OF, "apparmor=0,selinux=0,enforcing=0", "",
      "no apparmor=0 / selinux=0", "Remove apparmor=0 / selinux=0 from GRUB_CMDLINE_LINUX; update-grub."),
    G("KW-BOOT-SINGLE-USER-AUTH", "Single-user mode asks for root's password", "单用户模式需要 root 口令", FINDING_MEDIUM,
      "1.4.3", "8.1.4.1 a)", "/etc/systemd/system/rescue.service.d/,/etc/systemd/system/emergency.service.d/", HC_NONE_OF,
      "--force,sulogin-shell -f,SYSTEMD_SULOGIN_FORCE=1", "", "no forced (password-less) sulogin",
      "Remove drop-ins that run sulogin --force or set SYSTEMD_SULOGIN_FORCE=1; give root a password."),
};

const host_family host_fam_boot = {rows, sizeof rows / sizeof rows[0]};
