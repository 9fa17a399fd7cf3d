/* Host baseline, sudo: /etc/sudoers and /etc/sudoers.d (files sudo reads: no '.' or '~' in
 * the name): NOPASSWD for everything, full rights for non-admin users, include files others
 * can write, use_pty, a log file, authentication switched off, the credential cache. */
#include "audit/audit_host_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static kw_rc sudo_fn(host_ctx *c, const host_check *k);

#define D(id, code, en, zh, sev, cis, gb, exp, fix) \
    {id, "sudo", en, zh, sev, {cis, gb}, HS_NONE, code, HC_EQ, NULL, NULL, exp, fix, sudo_fn, 0}

static const host_check rows[] = {
    D("KW-SUDO-NOPASSWD-ALL", "nopasswd", "No sudo rule grants everything without a password", "sudo 无免密全部权限规则",
      FINDING_HIGH, "5.2.4", "8.1.4.1 a)", "no NOPASSWD: ALL", "Remove NOPASSWD from the rule or narrow it to named commands."),
    D("KW-SUDO-ALL-NON-ADMIN", "allall", "Only admin groups get ALL=(ALL) ALL", "仅管理员组拥有全部 sudo 权限", FINDING_MEDIUM,
      "5.2", "8.1.4.2 d)", "ALL only for root, %sudo, %wheel, %admin", "Grant the user the commands it needs, or add it to the admin group."),
    D("KW-SUDO-WW-INCLUDE", "wwinc", "sudoers include files are root-owned and not writable by others", "sudoers 包含文件仅 root 可写",
      FINDING_CRITICAL, "5.2", "8.1.4.2 d)", "owner root, mode 0440", "chown root:root FILE && chmod 0440 FILE"),
    D("KW-SUDO-USE-PTY", "use_pty", "sudo runs commands in a pseudo-terminal (Defaults use_pty)", "sudo 使用伪终端（use_pty）",
      FINDING_LOW, "5.2.2", "8.1.4.3 a)", "Defaults use_pty", "Add 'Defaults use_pty' with visudo."),
    D("KW-SUDO-LOGFILE", "logfile", "sudo writes its own log (Defaults logfile)", "sudo 记录独立日志（logfile）", FINDING_LOW,
      "5.2.3", "8.1.4.3 a)", "Defaults logfile=\"/var/log/sudo.log\"", "Add 'Defaults logfile=\"/var/log/sudo.log\"' with visudo."),
    D("KW-SUDO-AUTHENTICATE", "noauth", "sudo authentication is not switched off (!authenticate)", "sudo 未关闭认证（!authenticate）",
      FINDING_HIGH, "5.2.5", "8.1.4.1 a)", "no !authenticate", "Remove '!authenticate' from the Defaults lines."),
    D("KW-SUDO-TIMESTAMP", "timeout", "sudo credentials expire within 15 minutes", "sudo 凭据缓存不超过 15 分钟", FINDING_LOW,
      "5.2.6", "8.1.4.1 b)", "timestamp_timeout <= 15", "Set 'Defaults timestamp_timeout=15'."),
};

/* Reads sudoers and the sudoers.d files sudo would read; false when no sudoers. */
static bool sudo_load(host_ctx *c, host_lines *l, host_names *incs)
{
    bool any = host_lines_load(c, "/etc/sudoers", l);
    host_names n = {0};
    host_list(c, "/etc/sudoers.d", &n);
    for (size_t i = 0; i < n.n; i++) {
        if (strchr(n.v[i], '.') || strchr(n.v[i], '~'))
            continue;
        char p[600];
        int pl = snprintf(p, sizeof p, "/etc/sudoers.d/%s", n.v[i]);
        host_names_add(incs, p, (size_t)pl);
        any |= host_lines_load(c, p, l);
    }
    host_names_free(&n);
    return any;
}

static bool is_admin(const char *t)
{
    static const char *const admins[] = {"root", "%sudo", "%wheel", "%admin"};
    size_t n = strcspn(t, " \t");
    for (size_t i = 0; i < 4; i++)
        if (strlen(admins[i]) == n && strncmp(t, admins[i], n) == 0)
            return true;
    return false;
}

static bool ends_all(const char *t)
{
    size_t l = strlen(t);
    return l >= 3 && strcmp(t + l - 3, "ALL") == 0 && (l == 3 || !isalnum((unsigned char)t[l - 4]));
}

/* Whether a line offends code (rule lines) / satisfies it (Defaults lines). */
static bool line_hit(const char *code, const char *t)
{
    bool defaults = strncmp(t, "Defaults", 8) == 0;
    if (strcmp(code, "nopasswd") == 0)
        return !defaults && strstr(t, "NOPASSWD:") && ends_all(t);
    if (strcmp(code, "allall") == 0)
        return !defaults && !is_admin(t) && (strstr(t, "=(ALL) ALL") || strstr(t, "=(ALL:ALL) ALL") || strstr(t, "= (ALL) ALL") ||
                                             strstr(t, "= (ALL:ALL) ALL"));
    if (strcmp(code, "use_pty") == 0)
        return defaults && strstr(t, "use_pty") && !strstr(t, "!use_pty");
    if (strcmp(code, "logfile") == 0)
        return defaults && strstr(t, "logfile");
    if (strcmp(code, "noauth") == 0)
        return defaults && strstr(t, "!authenticate");
    if (strcmp(code, "timeout") == 0) {
        const char *p = defaults ? strstr(t, "timestamp_timeout") : NULL;
        const char *eq = p ? strchr(p, '=') : NULL;
        return eq && atof(eq + 1) > 15;
    }
    return false;
}

static kw_rc sudo_wwinc(host_ctx *c, const host_check *k, const host_names *incs)
{
    size_t bad = 0;
    for (size_t i = 0; i < incs->n; i++) {
        struct stat st;
        if (audit_root_stat(c->r, incs->v[i], true, &st) != KW_OK)
            continue;
        if (st.st_uid == 0 && !(st.st_mode & (S_IWGRP | S_IWOTH)))
            continue;
        char found[64];
        snprintf(found, sizeof found, "%04o %u:%u", (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, (unsigned)st.st_gid);
        bad++;
        kw_rc rc = host_emit(c, k, AUDIT_FAIL, incs->v[i], 0, NULL, found, incs->v[i]);
        if (rc != KW_OK)
            return rc;
    }
    return bad ? KW_OK : host_emit(c, k, AUDIT_PASS, "/etc/sudoers.d", 0, NULL, "none", NULL);
}

static kw_rc sudo_fn(host_ctx *c, const host_check *k)
{
    host_lines l = {0};
    host_names incs = {0};
    kw_rc rc = KW_OK;
    if (!sudo_load(c, &l, &incs)) {
        rc = host_na(c, k, "sudo not configured");
    } else if (strcmp(k->key, "wwinc") == 0) {
        rc = sudo_wwinc(c, k, &incs);
    } else {
        bool wanted = strcmp(k->key, "use_pty") == 0 || strcmp(k->key, "logfile") == 0;
        size_t hits = 0;
        for (size_t i = 0; i < l.n && rc == KW_OK; i++) {
            const host_line *h = &l.v[i];
            if (!line_hit(k->key, h->text))
                continue;
            hits++;
            if (wanted) {
                rc = host_emit(c, k, AUDIT_PASS, h->file, h->line, h->text, h->text, NULL);
                break;
            }
            char key[300];
            snprintf(key, sizeof key, "%s:%d", h->file, h->line);
            rc = host_emit(c, k, AUDIT_FAIL, h->file, h->line, h->text, h->text, key);
        }
        if (rc == KW_OK && hits == 0)
            rc = host_emit(c, k, wanted ? AUDIT_FAIL : AUDIT_PASS, "/etc/sudoers", 0, NULL, wanted ? "absent" : "none", NULL);
    }
    host_lines_free(&l);
    host_names_free(&incs);
    return rc;
}

const host_family host_fam_sudo = {rows, sizeof rows / sizeof rows[0]};
