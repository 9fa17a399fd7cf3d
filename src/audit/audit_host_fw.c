/* Host baseline, host firewall: one of nftables (enabled unit + a ruleset file with rules),
 * iptables-persistent rules, ufw (ENABLED=yes) or firewalld enabled. */
#include "audit/audit_host_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static kw_rc fw_active(host_ctx *c, const host_check *k);
static kw_rc fw_one(host_ctx *c, const host_check *k);

#define F(id, en, zh, sev, cis, fn, key, want, exp, fix) \
    {id, "fw", en, zh, sev, {cis, "8.1.4.4 b)"}, HS_NONE, key, HC_EQ, want, NULL, exp, fix, fn, 0}

static const host_check rows[] = {
    F("KW-FW-ACTIVE", "A host firewall is active", "主机防火墙已启用", FINDING_HIGH, "4.1.1", fw_active, NULL, NULL,
      "nftables, iptables-persistent, ufw or firewalld enabled", "apt install nftables && systemctl enable --now nftables (or ufw enable)."),
    F("KW-FW-SINGLE", "Only one firewall front-end is enabled", "仅启用一个防火墙管理工具", FINDING_LOW, "4.1.1", fw_one,
      NULL, NULL, "one of nftables, ufw, firewalld", "Disable all but one firewall front-end."),
    {"KW-FW-NFT-DROP-POLICY", "fw", "nftables input chain drops by default", "nftables 入站链默认丢弃", FINDING_MEDIUM,
     {"4.3.8", "8.1.4.4 b)"}, HS_NONE, "/etc/nftables.conf", HC_EQ, "policy drop", NULL, "policy drop;",
     "Give the input hook chain 'policy drop;' in /etc/nftables.conf.", host_fn_grep, 0},
    {"KW-FW-UFW-DEFAULT-DENY", "fw", "ufw denies incoming by default", "ufw 默认拒绝入站", FINDING_MEDIUM,
     {"4.2.7", "8.1.4.4 b)"}, HS_NONE, "/etc/default/ufw", HC_EQ, "DEFAULT_INPUT_POLICY=\"DROP\",DEFAULT_INPUT_POLICY=\"REJECT\"",
     NULL, "DEFAULT_INPUT_POLICY=\"DROP\"", "ufw default deny incoming", host_fn_grep, 0},
};

/* How many firewalls are on; *which the first. */
static int fw_count(host_ctx *c, const char **which, int *line, const char **file)
{
    int n = 0;
    const char *w = NULL;
    if (host_unit_enabled(c, "nftables.service", &w)) {
        n++;
        *which = w;
    }
    if (host_unit_enabled(c, "netfilter-persistent.service,iptables.service", &w)) {
        struct stat st;
        if (audit_root_stat(c->r, "/etc/iptables/rules.v4", true, &st) == KW_OK ||
            audit_root_stat(c->r, "/etc/sysconfig/iptables", true, &st) == KW_OK) {
            n++;
            if (!*which)
                *which = w;
        }
    }
    const host_kv *e = host_kv_get(host_src_kv(c, HS_UFW), "ENABLED");
    if (e && strcasecmp(e->val, "yes") == 0) {
        n++;
        if (!*which) {
            *which = "ufw ENABLED=yes";
            *line = e->line;
            *file = e->file;
        }
    }
    if (host_unit_enabled(c, "firewalld.service", &w)) {
        n++;
        if (!*which)
            *which = w;
    }
    return n;
}

static kw_rc fw_active(host_ctx *c, const host_check *k)
{
    const char *which = NULL, *file = "/etc/systemd/system";
    int line = 0;
    int n = fw_count(c, &which, &line, &file);
    return host_emit(c, k, n ? AUDIT_PASS : AUDIT_FAIL, file, line, NULL, n ? which : "none", NULL);
}

static kw_rc fw_one(host_ctx *c, const host_check *k)
{
    const char *which = NULL, *file = "/etc/systemd/system";
    int line = 0;
    int n = fw_count(c, &which, &line, &file);
    if (!n)
        return host_na(c, k, "no firewall");
    char found[32];
    snprintf(found, sizeof found, "%d enabled", n);
    return host_emit(c, k, n == 1 ? AUDIT_PASS : AUDIT_FAIL, file, line, NULL, found, NULL);
}

const host_family host_fam_fw = {rows, sizeof rows / sizeof rows[0]};
