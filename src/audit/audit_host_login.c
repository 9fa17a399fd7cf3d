/* Host baseline, password ageing and login defaults: /etc/login.defs as a table. */
#include "audit/audit_host_int.h"

#define L(id, en, zh, sev, cis, gb, key, cmp, want, dflt, exp, fix) \
    {id, "login", en, zh, sev, {cis, gb}, HS_LOGIN, key, cmp, want, dflt, exp, fix, NULL, 0}

static const host_check rows[] = {
    L("KW-LOGIN-PASS-MAX-DAYS", "Passwords expire within 90 days", "口令最长使用期不超过 90 天", FINDING_MEDIUM,
      "5.4.1.1", "8.1.4.1 a)", "PASS_MAX_DAYS", HC_RANGE, "1-90", "99999", "1-90",
      "Set PASS_MAX_DAYS 90 in /etc/login.defs (and chage --maxdays 90 for existing users)."),
    L("KW-LOGIN-PASS-MIN-DAYS", "Passwords cannot be changed again within a day", "口令最短使用期至少 1 天",
      FINDING_LOW, "5.4.1.2", "8.1.4.1 a)", "PASS_MIN_DAYS", HC_GE, "1", "0", ">= 1", "Set PASS_MIN_DAYS 1."),
    L("KW-LOGIN-PASS-WARN-AGE", "Users are warned 7 days before expiry", "口令到期前 7 天提醒", FINDING_LOW,
      "5.4.1.3", "8.1.4.1 a)", "PASS_WARN_AGE", HC_GE, "7", "7", ">= 7", "Set PASS_WARN_AGE 7."),
    L("KW-LOGIN-PASS-MIN-LEN", "login.defs minimum password length is 8 or more", "口令最小长度不少于 8 位",
      FINDING_MEDIUM, "5.3.3.2", "8.1.4.1 a)", "PASS_MIN_LEN", HC_GE, "8", "5", ">= 8",
      "Set PASS_MIN_LEN 8 (pam_pwquality minlen governs where PAM is used)."),
    L("KW-LOGIN-ENCRYPT-METHOD", "Passwords are hashed with SHA512 or yescrypt", "口令使用 SHA512 或 yescrypt 加密",
      FINDING_HIGH, "5.4.1.4", "8.1.4.1 a)", "ENCRYPT_METHOD", HC_IN, "SHA512,YESCRYPT", "DES",
      "SHA512 or YESCRYPT", "Set ENCRYPT_METHOD YESCRYPT (or SHA512)."),
    L("KW-LOGIN-UMASK", "Default umask is 027 or stricter", "默认 umask 为 027 或更严格", FINDING_LOW, "5.4.3.3",
      "8.1.4.2 d)", "UMASK", HC_IN, "027,0027,077,0077", "022", "027 or 077", "Set UMASK 027."),
    L("KW-LOGIN-RETRIES", "Login retries are 5 or fewer", "登录重试次数不超过 5 次", FINDING_LOW, "5.4",
      "8.1.4.1 b)", "LOGIN_RETRIES", HC_RANGE, "1-5", "5", "1-5", "Set LOGIN_RETRIES 5."),
    L("KW-LOGIN-TIMEOUT", "Login must complete within 60 s", "登录超时不超过 60 秒", FINDING_LOW, "5.4",
      "8.1.4.1 b)", "LOGIN_TIMEOUT", HC_RANGE, "1-60", "60", "1-60", "Set LOGIN_TIMEOUT 60."),
    L("KW-LOGIN-FAILLOG", "Failed logins are logged (FAILLOG_ENAB)", "记录登录失败（FAILLOG_ENAB）", FINDING_LOW,
      "5.4", "8.1.4.3 a)", "FAILLOG_ENAB", HC_EQ, "yes", "yes", "yes", "Set FAILLOG_ENAB yes."),
    L("KW-LOGIN-LOG-UNKFAIL", "Unknown user names are not logged (passwords typed as names)",
      "不记录未知用户名（防止口令误入日志）", FINDING_LOW, "5.4", "8.1.4.3 c)", "LOG_UNKFAIL_ENAB", HC_EQ, "no", "no",
      "no", "Set LOG_UNKFAIL_ENAB no."),
    L("KW-LOGIN-SU-LOG", "su attempts are logged (SYSLOG_SU_ENAB)", "记录 su 切换（SYSLOG_SU_ENAB）", FINDING_LOW,
      "5.4", "8.1.4.3 a)", "SYSLOG_SU_ENAB", HC_EQ, "yes", "yes", "yes", "Set SYSLOG_SU_ENAB yes."),
    L("KW-LOGIN-CREATE-HOME-PRIVATE", "New home directories are private (HOME_MODE 0750 or stricter)",
      "新建用户目录权限不宽于 0750", FINDING_LOW, "5.4", "8.1.4.2 d)", "HOME_MODE", HC_IN, "0700,0750,700,750",
      "0755", "0750 or 0700", "Set HOME_MODE 0750."),
};

const host_family host_fam_login = {rows, sizeof rows / sizeof rows[0]};
