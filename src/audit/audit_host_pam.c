/* Host baseline, PAM: password quality (pam_pwquality / pam_cracklib + pwquality.conf),
 * lockout (pam_faillock / pam_tally2 + faillock.conf), history and hashing (pam_unix,
 * pam_pwhistory), su restricted to wheel. Debian's common-* files, RHEL's system-auth and
 * password-auth. A module argument wins over the .conf file, as the modules read them. */
#include "audit/audit_host_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static kw_rc pam_module(host_ctx *c, const host_check *k);
static kw_rc pam_setting(host_ctx *c, const host_check *k);

/* key "family:setting": pwquality (pam_pwquality/cracklib; pwquality.conf), faillock
 * (pam_faillock/tally2; faillock.conf), unix (pam_unix/pam_pwhistory). */
#define P(id, key, en, zh, sev, cis, gb, cmp, want, dflt, exp, fix) \
    {id, "pam", en, zh, sev, {cis, gb}, HS_NONE, key, cmp, want, dflt, exp, fix, pam_setting, 0}
#define MODROW(id, key, want, en, zh, sev, cis, gb, exp, fix) \
    {id, "pam", en, zh, sev, {cis, gb}, HS_NONE, key, HC_EQ, want, NULL, exp, fix, pam_module, 0}
#define PW "8.1.4.1 a)"
#define LOCK "8.1.4.1 b)"

static const host_check rows[] = {
    MODROW("KW-PAM-PWQUALITY", "password", "pam_pwquality.so,pam_cracklib.so", "Password quality is enforced (pam_pwquality)",
           "启用口令复杂度检查（pam_pwquality）", FINDING_HIGH, "5.3.3.2", PW, "a password line with pam_pwquality.so",
           "apt install libpam-pwquality (pam-auth-update adds it to common-password)."),
    P("KW-PAM-MINLEN", "pwquality:minlen", "Passwords have 8 or more characters (minlen)", "口令长度不少于 8 位（minlen）",
      FINDING_HIGH, "5.3.3.2.2", PW, HC_GE, "8", "8", ">= 8 (14 for CIS)", "Set minlen = 14 in /etc/security/pwquality.conf."),
    P("KW-PAM-MINCLASS", "pwquality:minclass", "Passwords mix 3 or more character classes (minclass)",
      "口令至少包含 3 类字符（minclass）", FINDING_MEDIUM, "5.3.3.2.3", PW, HC_GE, "3", "0", ">= 3",
      "Set minclass = 3 in /etc/security/pwquality.conf."),
    P("KW-PAM-DCREDIT", "pwquality:dcredit", "Passwords need a digit (dcredit <= -1) or minclass", "口令需包含数字",
      FINDING_LOW, "5.3.3.2.3", PW, HC_LE, "-1", "0", "<= -1", "Set dcredit = -1 (or minclass = 3)."),
    P("KW-PAM-UCREDIT", "pwquality:ucredit", "Passwords need an upper-case letter (ucredit <= -1)", "口令需包含大写字母",
      FINDING_LOW, "5.3.3.2.3", PW, HC_LE, "-1", "0", "<= -1", "Set ucredit = -1 (or minclass = 3)."),
    P("KW-PAM-LCREDIT", "pwquality:lcredit", "Passwords need a lower-case letter (lcredit <= -1)", "口令需包含小写字母",
      FINDING_LOW, "5.3.3.2.3", PW, HC_LE, "-1", "0", "<= -1", "Set lcredit = -1 (or minclass = 3)."),
    P("KW-PAM-OCREDIT", "pwquality:ocredit", "Passwords need a symbol (ocredit <= -1)", "口令需包含特殊字符",
      FINDING_LOW, "5.3.3.2.3", PW, HC_LE, "-1", "0", "<= -1", "Set ocredit = -1 (or minclass = 3)."),
    P("KW-PAM-DIFOK", "pwquality:difok", "A new password differs from the old in 2+ characters (difok)", "新旧口令至少 2 个字符不同",
      FINDING_LOW, "5.3.3.2.1", PW, HC_GE, "2", "1", ">= 2", "Set difok = 2."),
    P("KW-PAM-MAXREPEAT", "pwquality:maxrepeat", "No character repeats more than 3 times (maxrepeat)", "同一字符连续不超过 3 次",
      FINDING_LOW, "5.3.3.2.4", PW, HC_RANGE, "1-3", "0", "1-3", "Set maxrepeat = 3."),
    P("KW-PAM-DICTCHECK", "pwquality:dictcheck", "Dictionary words are refused (dictcheck)", "拒绝字典口令",
      FINDING_LOW, "5.3.3.2.6", PW, HC_GE, "1", "1", "1", "Set dictcheck = 1."),
    P("KW-PAM-ENFORCE-ROOT", "pwquality:enforce_for_root", "Quality rules apply to root too (enforce_for_root)",
      "口令规则对 root 同样生效", FINDING_LOW, "5.3.3.2.7", PW, HC_SET, "", NULL, "enforce_for_root set",
      "Add enforce_for_root to /etc/security/pwquality.conf."),
    MODROW("KW-PAM-FAILLOCK", "auth", "pam_faillock.so,pam_tally2.so", "Failed logins lock the account (pam_faillock)",
           "登录失败锁定账户（pam_faillock）", FINDING_HIGH, "5.3.3.1", LOCK, "an auth line with pam_faillock.so",
           "Enable faillock: pam-auth-update --enable faillock (Debian 12) or authselect enable-feature with-faillock."),
    P("KW-PAM-FAILLOCK-DENY", "faillock:deny", "An account locks after 5 or fewer failures (deny)", "连续失败 5 次以内锁定（deny）",
      FINDING_MEDIUM, "5.3.3.1.1", LOCK, HC_RANGE, "1-5", "3", "1-5", "Set deny = 5 in /etc/security/faillock.conf."),
    P("KW-PAM-FAILLOCK-UNLOCK", "faillock:unlock_time", "A locked account stays locked 15 minutes or more (unlock_time)",
      "锁定时间不少于 15 分钟（unlock_time）", FINDING_MEDIUM, "5.3.3.1.2", LOCK, HC_GE, "900", "600", ">= 900 (0: until unlocked)",
      "Set unlock_time = 900 in /etc/security/faillock.conf."),
    P("KW-PAM-REMEMBER", "unix:remember", "The last 5 passwords cannot be reused (remember)", "不可重复使用最近 5 次口令",
      FINDING_MEDIUM, "5.3.3.3.1", PW, HC_GE, "5", "0", ">= 5", "Add remember=5 to pam_pwhistory.so (or pam_unix.so) in common-password."),
    MODROW("KW-PAM-UNIX-HASH", "password", "sha512,yescrypt", "pam_unix hashes with SHA512 or yescrypt", "pam_unix 使用 SHA512/yescrypt",
           FINDING_HIGH, "5.3.3.4.3", PW, "sha512 or yescrypt on the pam_unix.so password line",
           "Add yescrypt (or sha512) to the pam_unix.so password line."),
    {"KW-PAM-NULLOK", "pam", "pam_unix does not accept empty passwords (nullok)", "pam_unix 不接受空口令（nullok）", FINDING_HIGH,
     {"5.3.3.4.1", PW}, HS_NONE, "/etc/pam.d/common-auth,/etc/pam.d/common-password,/etc/pam.d/system-auth,/etc/pam.d/password-auth",
     HC_NONE_OF, "nullok", NULL, "no nullok", "Remove nullok from the pam_unix.so lines.", host_fn_grep, 0},
    {"KW-PAM-SU-WHEEL", "pam", "su is limited to a group (pam_wheel)", "su 限定特定组使用（pam_wheel）", FINDING_MEDIUM,
     {"5.2.7", "8.1.4.2 d)"}, HS_NONE, "/etc/pam.d/su", HC_EQ, "pam_wheel.so", NULL, "auth required pam_wheel.so use_uid group=sugroup",
     "Add 'auth required pam_wheel.so use_uid group=sugroup' to /etc/pam.d/su.", host_fn_grep, 0},
};

static const char *const files[] = {"/etc/pam.d/common-password", "/etc/pam.d/common-auth", "/etc/pam.d/system-auth",
                                    "/etc/pam.d/password-auth"};

static bool pam_load(host_ctx *c, host_lines *l)
{
    bool any = false;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        any |= host_lines_load(c, files[i], l);
    return any;
}

/* A line "type control module args" of the given type naming one of mods. */
static bool line_uses(const char *t, const char *type, const char *mods)
{
    size_t tl = strlen(type);
    if (strncmp(t, type, tl) != 0 || (t[tl] != ' ' && t[tl] != '\t'))
        return false;
    char m[64];
    for (const char *p = mods; host_next_word(&p, m, sizeof m);)
        if (strstr(t, m))
            return true;
    return false;
}

static kw_rc pam_module(host_ctx *c, const host_check *k)
{
    host_lines l = {0};
    if (!pam_load(c, &l))
        return host_na(c, k, "no PAM configuration");
    bool hash = strcmp(k->id, "KW-PAM-UNIX-HASH") == 0;
    kw_rc rc = KW_OK;
    const host_line *at = NULL;
    for (size_t i = 0; i < l.n && !at; i++) {
        const char *t = l.v[i].text;
        if (hash ? line_uses(t, k->key, "pam_unix.so") && (host_has_word(t, "sha512") || host_has_word(t, "yescrypt"))
                 : line_uses(t, k->key, k->want))
            at = &l.v[i];
    }
    if (at)
        rc = host_emit(c, k, AUDIT_PASS, at->file, at->line, at->text, at->text, NULL);
    else
        rc = host_emit(c, k, AUDIT_FAIL, l.nfiles ? l.files[0] : NULL, 0, NULL, "absent", NULL);
    host_lines_free(&l);
    return rc;
}

/* The value of arg name on a line ("name=value"; a bare "name" gives "1"). */
static bool arg_value(const char *t, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    for (const char *p = t; (p = strstr(p, name)) != NULL; p++) {
        if (p != t && p[-1] != ' ' && p[-1] != '\t')
            continue;
        if (p[nl] == '=') {
            size_t i = 0;
            for (const char *v = p + nl + 1; *v && *v != ' ' && *v != '\t' && i + 1 < n; v++)
                out[i++] = *v;
            out[i] = '\0';
            return true;
        }
        if (p[nl] == '\0' || p[nl] == ' ' || p[nl] == '\t') {
            snprintf(out, n, "1");
            return true;
        }
    }
    return false;
}

static kw_rc pam_setting(host_ctx *c, const host_check *k)
{
    const char *colon = strchr(k->key, ':');
    const char *name = colon + 1;
    const char *mods = strncmp(k->key, "pwq", 3) == 0   ? "pam_pwquality.so,pam_cracklib.so"
                     : strncmp(k->key, "fail", 4) == 0 ? "pam_faillock.so,pam_tally2.so"
                                                       : "pam_unix.so,pam_pwhistory.so";
    host_src src = strncmp(k->key, "pwq", 3) == 0 ? HS_PWQ : strncmp(k->key, "fail", 4) == 0 ? HS_FAILLOCK : HS_NONE;
    host_lines l = {0};
    bool any = pam_load(c, &l);
    char val[128];
    const host_line *at = NULL;
    bool module = false;
    for (size_t i = 0; i < l.n; i++) {
        const char *t = l.v[i].text;
        if (!line_uses(t, "password", mods) && !line_uses(t, "auth", mods))
            continue;
        module = true;
        if (!at && arg_value(t, name, val, sizeof val))
            at = &l.v[i];
    }
    kw_rc rc;
    if (!any)
        rc = host_na(c, k, "no PAM configuration");
    else if (at)
        rc = host_emit(c, k, host_cmp_ok(k->cmp, k->want, val) ? AUDIT_PASS : AUDIT_FAIL, at->file, at->line, at->text, val, NULL);
    else if (!module)
        rc = host_emit(c, k, AUDIT_FAIL, l.nfiles ? l.files[0] : NULL, 0, NULL, "module not used", NULL);
    else {
        const host_kv *e = src ? host_kv_get(host_src_kv(c, src), name) : NULL;
        const char *v = e ? (e->val[0] ? e->val : "1") : k->dflt;
        char found[160];
        snprintf(found, sizeof found, "%s%s", v ? v : "absent", e || !v ? "" : " (default)");
        audit_status s = v && host_cmp_ok(k->cmp, k->want, v) ? AUDIT_PASS : AUDIT_FAIL;
        rc = host_emit(c, k, s, e ? e->file : NULL, e ? e->line : 0, e ? e->text : NULL, found, NULL);
    }
    host_lines_free(&l);
    return rc;
}

const host_family host_fam_pam = {rows, sizeof rows / sizeof rows[0]};
