/* Host baseline, the rest: kernel modules not needed (modprobe.d), banners without OS
 * version, default umask and shell idle timeout, Ctrl-Alt-Del masked, MAC (AppArmor)
 * present, automatic security updates, file integrity tool. */
#include "audit/audit_host_int.h"

#include <string.h>

static kw_rc misc_unit_masked(host_ctx *c, const host_check *k);
static kw_rc misc_pkg_present(host_ctx *c, const host_check *k);

#define MOD(id, mod, cis, sev) \
    {id, "misc", "The " mod " module is disabled", "禁用内核模块 " mod, sev, {cis, "8.1.4.4 a)"}, HS_NONE, \
     "/etc/modprobe.d/", HC_EQ, "install " mod " /bin/true,install " mod " /bin/false,install " mod " /usr/bin/true,install " mod " /usr/bin/false", \
     "", "install " mod " /bin/false", "echo 'install " mod " /bin/false' >> /etc/modprobe.d/kw.conf; echo 'blacklist " mod "' >> /etc/modprobe.d/kw.conf", \
     host_fn_grep, 0}
#define BAN(id, file, en, zh, cis) \
    {id, "misc", en, zh, FINDING_LOW, {cis, "8.1.4.4 a)"}, HS_NONE, file, HC_NONE_OF, "\\r,\\m,\\s,\\v,debian,ubuntu,centos,red hat", \
     NULL, "no OS name or version escapes", "Replace " file " with a legal warning that names no OS or version.", host_fn_grep, 0}
#define GREP(id, en, zh, sev, cis, gb, files, want, exp, fix) \
    {id, "misc", en, zh, sev, {cis, gb}, HS_NONE, files, HC_EQ, want, "", exp, fix, host_fn_grep, 0}
#define PKG(id, en, zh, sev, cis, gb, pkgs, fix) \
    {id, "misc", en, zh, sev, {cis, gb}, HS_NONE, pkgs, HC_EQ, NULL, NULL, "installed", fix, misc_pkg_present, 0}

static const host_check rows[] = {
    MOD("KW-MISC-MOD-CRAMFS", "cramfs", "1.1.1.1", FINDING_LOW),
    MOD("KW-MISC-MOD-FREEVXFS", "freevxfs", "1.1.1.2", FINDING_LOW),
    MOD("KW-MISC-MOD-HFS", "hfs", "1.1.1.3", FINDING_LOW),
    MOD("KW-MISC-MOD-HFSPLUS", "hfsplus", "1.1.1.4", FINDING_LOW),
    MOD("KW-MISC-MOD-JFFS2", "jffs2", "1.1.1.5", FINDING_LOW),
    MOD("KW-MISC-MOD-UDF", "udf", "1.1.1.7", FINDING_LOW),
    MOD("KW-MISC-MOD-USB-STORAGE", "usb-storage", "1.1.1.8", FINDING_MEDIUM),
    MOD("KW-MISC-MOD-DCCP", "dccp", "3.2.1", FINDING_LOW),
    MOD("KW-MISC-MOD-SCTP", "sctp", "3.2.3", FINDING_LOW),
    MOD("KW-MISC-MOD-RDS", "rds", "3.2.4", FINDING_LOW),
    MOD("KW-MISC-MOD-TIPC", "tipc", "3.2.2", FINDING_LOW),
    MOD("KW-MISC-MOD-FIREWIRE", "firewire-core", "1.1.1", FINDING_LOW),
    BAN("KW-MISC-BANNER-ISSUE", "/etc/issue", "The local login banner names no OS or version", "本地登录横幅不含系统版本", "1.6.2"),
    BAN("KW-MISC-BANNER-ISSUE-NET", "/etc/issue.net", "The remote login banner names no OS or version", "远程登录横幅不含系统版本", "1.6.3"),
    BAN("KW-MISC-BANNER-MOTD", "/etc/motd", "The message of the day names no OS or version", "motd 不含系统版本", "1.6.1"),
    GREP("KW-MISC-UMASK-PROFILE", "Shells set umask 027 or stricter", "shell 默认 umask 为 027 或更严格", FINDING_LOW, "5.4.3.3",
         "8.1.4.2 d)", "/etc/profile,/etc/profile.d/,/etc/bash.bashrc", "umask 027,umask 0027,umask 077,umask 0077",
         "umask 027 in /etc/profile", "Add 'umask 027' to /etc/profile.d/kw-umask.sh."),
    GREP("KW-MISC-TMOUT", "Idle shells time out (TMOUT)", "空闲 shell 自动超时（TMOUT）", FINDING_MEDIUM, "5.4.3.2", "8.1.4.1 b)",
         "/etc/profile,/etc/profile.d/,/etc/bash.bashrc", "TMOUT=", "TMOUT=900 readonly",
         "Add 'readonly TMOUT=900; export TMOUT' to /etc/profile.d/kw-tmout.sh."),
    {"KW-MISC-CTRL-ALT-DEL", "misc", "Ctrl-Alt-Del does not reboot (masked)", "禁用 Ctrl-Alt-Del 重启", FINDING_LOW,
     {"1.4", "8.1.4.4 a)"}, HS_NONE, "ctrl-alt-del.target", HC_EQ, NULL, NULL, "masked",
     "systemctl mask ctrl-alt-del.target", misc_unit_masked, 0},
    PKG("KW-MISC-APPARMOR", "AppArmor is installed", "已安装 AppArmor 强制访问控制", FINDING_MEDIUM, "1.3.1.1", "8.1.4.2 f)",
        "apparmor,selinux-basics,selinux-policy", "apt install apparmor apparmor-utils"),
    PKG("KW-MISC-UNATTENDED-UPGRADES", "Security updates are installed automatically", "自动安装安全更新", FINDING_LOW, "1.2",
        "8.1.4.4 e)", "unattended-upgrades,dnf-automatic", "apt install unattended-upgrades"),
    PKG("KW-MISC-AIDE", "A file integrity checker is installed (AIDE)", "已安装文件完整性检查工具 AIDE", FINDING_MEDIUM, "6.3.1",
        "8.1.4.6", "aide,tripwire", "apt install aide && aideinit"),
    PKG("KW-MISC-SUDO", "sudo is installed", "已安装 sudo", FINDING_LOW, "5.2.1", "8.1.4.2 d)", "sudo,sudo-ldap",
        "apt install sudo"),
    PKG("KW-MISC-PAM-PWQUALITY-PKG", "The password quality module is installed", "已安装口令复杂度模块", FINDING_MEDIUM, "5.3.1.3",
        "8.1.4.1 a)", "libpam-pwquality,libpwquality", "apt install libpam-pwquality"),
    PKG("KW-MISC-ANTIMALWARE", "A malware scanner is installed (ClamAV)", "已安装恶意代码防范软件", FINDING_LOW, "6",
        "8.1.4.5", "clamav,clamav-daemon", "apt install clamav clamav-daemon (or the site's endpoint protection)."),
    GREP("KW-MISC-APT-AUTO-UPGRADE", "APT runs unattended-upgrade periodically", "APT 定期执行自动升级", FINDING_LOW, "1.2",
         "8.1.4.4 e)", "/etc/apt/apt.conf.d/", "Unattended-Upgrade \"1\",Unattended-Upgrade \"true\"",
         "APT::Periodic::Unattended-Upgrade \"1\"", "dpkg-reconfigure -plow unattended-upgrades"),
};

static kw_rc misc_unit_masked(host_ctx *c, const host_check *k)
{
    bool m = host_unit_masked(c, k->key);
    return host_emit(c, k, m ? AUDIT_PASS : AUDIT_FAIL, "/etc/systemd/system", 0, NULL, m ? "masked" : "not masked", NULL);
}

static kw_rc misc_pkg_present(host_ctx *c, const host_check *k)
{
    const char *which = NULL;
    int p = host_pkg(c, k->key, &which);
    if (p < 0)
        return host_na(c, k, "no dpkg database");
    return host_emit(c, k, p ? AUDIT_PASS : AUDIT_FAIL, "/var/lib/dpkg/status", 0, NULL, p ? which : "not installed", NULL);
}

const host_family host_fam_misc = {rows, sizeof rows / sizeof rows[0]};
