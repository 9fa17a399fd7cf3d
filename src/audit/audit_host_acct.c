/* Host baseline, accounts: /etc/passwd, /etc/shadow and /etc/group read once; one FAIL per
 * offending account (key = the account), one PASS when there is none. */
#include "audit/audit_host_int.h"

#include <stdio.h>
#include <string.h>

static kw_rc acct_fn(host_ctx *c, const host_check *k);

#define U(id, code, en, zh, sev, cis, gb, exp, fix) \
    {id, "acct", en, zh, sev, {cis, gb}, HS_NONE, code, HC_EQ, NULL, NULL, exp, fix, acct_fn, 0}

static const host_check rows[] = {
    U("KW-ACCT-UID0", "uid0", "root is the only UID 0 account", "仅 root 账户 UID 为 0", FINDING_CRITICAL, "7.2.5", "8.1.4.2 b)",
      "only root", "Give the account another UID or remove it (userdel)."),
    U("KW-ACCT-EMPTY-PASSWORD", "empty", "No account has an empty password", "无空口令账户", FINDING_CRITICAL, "7.2.2", "8.1.4.1 a)",
      "a hash or a locked field (! or *)", "passwd -l ACCOUNT (or set a password)."),
    U("KW-ACCT-NO-SHADOW", "noshadow", "Every account has a shadow entry", "所有账户均有 shadow 条目", FINDING_HIGH, "7.2.1", "8.1.4.1 a)",
      "a shadow line per passwd line", "Run pwconv, or remove the account."),
    U("KW-ACCT-PASSWD-HASH", "notx", "No password hash sits in /etc/passwd", "/etc/passwd 中无口令散列", FINDING_HIGH, "7.2.1", "8.1.4.1 a)",
      "x", "Run pwconv so the hash moves to /etc/shadow."),
    U("KW-ACCT-DUP-UID", "dupuid", "No two accounts share a UID", "无重复 UID", FINDING_HIGH, "7.2.6", "8.1.4.1 a)", "unique UIDs",
      "Give each account its own UID (usermod -u)."),
    U("KW-ACCT-DUP-GID", "dupgid", "No two groups share a GID", "无重复 GID", FINDING_MEDIUM, "7.2.7", "8.1.4.1 a)", "unique GIDs",
      "Give each group its own GID (groupmod -g)."),
    U("KW-ACCT-DUP-NAME", "dupname", "No two accounts share a name", "无重复用户名", FINDING_HIGH, "7.2.8", "8.1.4.1 a)", "unique names",
      "Remove or rename the duplicate line."),
    U("KW-ACCT-DUP-GROUP", "dupgroup", "No two groups share a name", "无重复组名", FINDING_MEDIUM, "7.2.9", "8.1.4.1 a)", "unique names",
      "Remove or rename the duplicate group line."),
    U("KW-ACCT-SYSTEM-SHELL", "sysshell", "System accounts have no login shell", "系统账户不可交互登录", FINDING_MEDIUM, "5.4.2.7",
      "8.1.4.2 c)", "nologin or false for UIDs below 1000 (root, sync, shutdown, halt aside)",
      "usermod -s /usr/sbin/nologin ACCOUNT"),
    U("KW-ACCT-ROOT-GID", "rootgid", "root's primary group is GID 0", "root 主组 GID 为 0", FINDING_LOW, "5.4.2.3", "8.1.4.2 a)",
      "0", "usermod -g 0 root"),
    U("KW-ACCT-GROUP-EXISTS", "grpexists", "Every account's primary group exists", "账户主组均存在", FINDING_LOW, "7.2.3", "8.1.4.2 a)",
      "a group line per GID used", "Create the group or change the account's GID."),
    U("KW-ACCT-PASS-MAX-AGE", "maxage", "Each password account expires within 365 days", "各账户口令有效期不超过 365 天",
      FINDING_MEDIUM, "5.4.1.1", "8.1.4.1 a)", "shadow max days 1-365", "chage --maxdays 90 ACCOUNT"),
    U("KW-ACCT-PASS-CHANGE-FUTURE", "future", "No password was last changed in the future", "口令最近修改日期不在未来",
      FINDING_LOW, "5.4.1.5", "8.1.4.1 a)", "last change <= today", "chage -d today ACCOUNT (and check the clock)."),
    U("KW-ACCT-SHADOW-GROUP-EMPTY", "shadowgrp", "The shadow group has no members", "shadow 组无成员", FINDING_MEDIUM, "7.2.4",
      "8.1.4.2 d)", "no members", "gpasswd -d USER shadow"),
    U("KW-ACCT-HOME-EXISTS", "home", "Interactive users' home directories exist", "交互用户的主目录存在", FINDING_LOW, "7.2.9",
      "8.1.4.2 a)", "the home directory exists", "mkhomedir_helper ACCOUNT, or fix the passwd entry."),
};

static bool nologin(const char *sh)
{
    const char *b = strrchr(sh, '/');
    b = b ? b + 1 : sh;
    return strcmp(b, "nologin") == 0 || strcmp(b, "false") == 0 || sh[0] == '\0';
}

static const host_acct *by_name(const host_accts *a, const char *name)
{
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i].name, name) == 0)
            return &a->v[i];
    return NULL;
}

static bool has_password(const char *pw)
{
    return pw[0] && pw[0] != '!' && pw[0] != '*';
}

/* Whether entry i of a offends check code (the text of found written into f). */
static bool offends(host_ctx *c, const char *code, const host_accts *a, size_t i, char *f, size_t fn)
{
    const host_acct *e = &a->v[i];
    snprintf(f, fn, "%s", e->name);
    if (strcmp(code, "uid0") == 0)
        return e->id == 0 && strcmp(e->name, "root") != 0;
    if (strcmp(code, "empty") == 0)
        return e->pw[0] == '\0';
    if (strcmp(code, "noshadow") == 0)
        return !by_name(&c->shadow, e->name);
    if (strcmp(code, "notx") == 0)
        return strcmp(e->pw, "x") != 0 && e->pw[0] != '\0';
    if (strcmp(code, "dupuid") == 0 || strcmp(code, "dupgid") == 0) {
        for (size_t j = 0; j < i; j++)
            if (e->id >= 0 && a->v[j].id == e->id) {
                snprintf(f, fn, "%s and %s share %ld", a->v[j].name, e->name, e->id);
                return true;
            }
        return false;
    }
    if (strcmp(code, "dupname") == 0 || strcmp(code, "dupgroup") == 0) {
        for (size_t j = 0; j < i; j++)
            if (strcmp(a->v[j].name, e->name) == 0)
                return true;
        return false;
    }
    if (strcmp(code, "sysshell") == 0) {
        static const char *const ok[] = {"root", "sync", "shutdown", "halt"};
        for (size_t j = 0; j < 4; j++)
            if (strcmp(e->name, ok[j]) == 0)
                return false;
        snprintf(f, fn, "%s (uid %ld) %s", e->name, e->id, e->shell);
        return e->id >= 0 && e->id < 1000 && !nologin(e->shell);
    }
    if (strcmp(code, "rootgid") == 0) {
        snprintf(f, fn, "%ld", e->gid);
        return strcmp(e->name, "root") == 0 && e->gid != 0;
    }
    if (strcmp(code, "grpexists") == 0) {
        for (size_t j = 0; j < c->group.n; j++)
            if (c->group.v[j].id == e->gid)
                return false;
        snprintf(f, fn, "%s gid %ld", e->name, e->gid);
        return e->gid >= 0;
    }
    int64_t today = c->now_ms / 86400000;
    if (strcmp(code, "maxage") == 0) {
        snprintf(f, fn, "%s max %ld", e->name, e->maxdays);
        return has_password(e->pw) && (e->maxdays < 1 || e->maxdays > 365);
    }
    if (strcmp(code, "future") == 0) {
        snprintf(f, fn, "%s last change day %ld", e->name, e->lastchg);
        return e->lastchg > today + 1;
    }
    if (strcmp(code, "shadowgrp") == 0) {
        snprintf(f, fn, "%s", e->shell);
        return strcmp(e->name, "shadow") == 0 && e->shell[0] != '\0';
    }
    if (strcmp(code, "home") == 0) {
        struct stat st;
        snprintf(f, fn, "%s %s", e->name, e->home);
        return e->id >= 1000 && e->id < 60000 && !nologin(e->shell) && e->home[0] == '/' &&
               audit_root_stat(c->r, e->home, true, &st) != KW_OK;
    }
    return false;
}

static kw_rc acct_fn(host_ctx *c, const host_check *k)
{
    host_acct_load(c);
    const char *code = k->key, *file = "/etc/passwd";
    const host_accts *a = &c->passwd;
    if (strcmp(code, "empty") == 0 || strcmp(code, "maxage") == 0 || strcmp(code, "future") == 0) {
        a = &c->shadow;
        file = "/etc/shadow";
    } else if (strcmp(code, "dupgid") == 0 || strcmp(code, "dupgroup") == 0 || strcmp(code, "shadowgrp") == 0) {
        a = &c->group;
        file = "/etc/group";
    }
    if (!a->present || (strcmp(code, "noshadow") == 0 && !c->shadow.present))
        return host_na(c, k, "file absent");
    size_t bad = 0;
    for (size_t i = 0; i < a->n; i++) {
        char f[400];
        if (!offends(c, code, a, i, f, sizeof f))
            continue;
        bad++;
        char text[400];
        snprintf(text, sizeof text, "%s:%s", a->v[i].name, strcmp(code, "empty") == 0 ? "" : "...");
        kw_rc rc = host_emit(c, k, AUDIT_FAIL, file, a->v[i].line, text, f, a->v[i].name);
        if (rc != KW_OK)
            return rc;
    }
    return bad ? KW_OK : host_emit(c, k, AUDIT_PASS, file, 0, NULL, "none", NULL);
}

const host_family host_fam_acct = {rows, sizeof rows / sizeof rows[0]};
