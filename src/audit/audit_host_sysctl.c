/* Host baseline, kernel parameters: one table row per sysctl key. On the live host the value
 * is the running kernel's (/proc/sys) and the file that persists it is named; otherwise the
 * value is what sysctl.conf and the sysctl.d files set (later files and lines win), or the
 * kernel default when nothing sets it. KW-SYSCTL-PERSISTED reports live values the files do
 * not persist (lost at reboot). */
#include "audit/audit_host_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static kw_rc sysctl_one(host_ctx *c, const host_check *k);
static kw_rc sysctl_persisted(host_ctx *c, const host_check *k);

#define K(id, en, zh, sev, cis, gb, key, cmp, want, dflt, fix) \
    {id, "sysctl", en, zh, sev, {cis, gb}, HS_SYSCTL, key, cmp, want, dflt, want, fix, sysctl_one, 0}
#define NET "8.1.4.4 b)"
#define HARD "8.1.4.4 f)"

static const host_check rows[] = {
    K("KW-SYSCTL-IP-FORWARD", "IPv4 forwarding is off", "关闭 IPv4 转发", FINDING_MEDIUM, "3.3.1", NET,
      "net.ipv4.ip_forward", HC_EQ, "0", "0", "Set net.ipv4.ip_forward = 0 in /etc/sysctl.d/60-kw.conf (not on routers)."),
    K("KW-SYSCTL-IP6-FORWARD", "IPv6 forwarding is off", "关闭 IPv6 转发", FINDING_MEDIUM, "3.3.1", NET,
      "net.ipv6.conf.all.forwarding", HC_EQ, "0", "0", "Set net.ipv6.conf.all.forwarding = 0."),
    K("KW-SYSCTL-SEND-REDIRECTS-ALL", "ICMP redirects are not sent (all)", "不发送 ICMP 重定向（all）", FINDING_MEDIUM,
      "3.3.2", NET, "net.ipv4.conf.all.send_redirects", HC_EQ, "0", "1", "Set net.ipv4.conf.all.send_redirects = 0."),
    K("KW-SYSCTL-SEND-REDIRECTS-DEFAULT", "ICMP redirects are not sent (default)", "不发送 ICMP 重定向（default）",
      FINDING_MEDIUM, "3.3.2", NET, "net.ipv4.conf.default.send_redirects", HC_EQ, "0", "1",
      "Set net.ipv4.conf.default.send_redirects = 0."),
    K("KW-SYSCTL-ACCEPT-REDIRECTS-ALL", "ICMP redirects are refused (all)", "不接受 ICMP 重定向（all）", FINDING_MEDIUM,
      "3.3.5", NET, "net.ipv4.conf.all.accept_redirects", HC_EQ, "0", "1", "Set net.ipv4.conf.all.accept_redirects = 0."),
    K("KW-SYSCTL-ACCEPT-REDIRECTS-DEFAULT", "ICMP redirects are refused (default)", "不接受 ICMP 重定向（default）",
      FINDING_MEDIUM, "3.3.5", NET, "net.ipv4.conf.default.accept_redirects", HC_EQ, "0", "1",
      "Set net.ipv4.conf.default.accept_redirects = 0."),
    K("KW-SYSCTL-SECURE-REDIRECTS-ALL", "Secure ICMP redirects are refused (all)", "不接受安全 ICMP 重定向（all）",
      FINDING_LOW, "3.3.6", NET, "net.ipv4.conf.all.secure_redirects", HC_EQ, "0", "1",
      "Set net.ipv4.conf.all.secure_redirects = 0."),
    K("KW-SYSCTL-SECURE-REDIRECTS-DEFAULT", "Secure ICMP redirects are refused (default)",
      "不接受安全 ICMP 重定向（default）", FINDING_LOW, "3.3.6", NET, "net.ipv4.conf.default.secure_redirects", HC_EQ,
      "0", "1", "Set net.ipv4.conf.default.secure_redirects = 0."),
    K("KW-SYSCTL-IP6-ACCEPT-REDIRECTS-ALL", "IPv6 redirects are refused (all)", "不接受 IPv6 重定向（all）",
      FINDING_MEDIUM, "3.3.5", NET, "net.ipv6.conf.all.accept_redirects", HC_EQ, "0", "1",
      "Set net.ipv6.conf.all.accept_redirects = 0."),
    K("KW-SYSCTL-IP6-ACCEPT-REDIRECTS-DEFAULT", "IPv6 redirects are refused (default)", "不接受 IPv6 重定向（default）",
      FINDING_MEDIUM, "3.3.5", NET, "net.ipv6.conf.default.accept_redirects", HC_EQ, "0", "1",
      "Set net.ipv6.conf.default.accept_redirects = 0."),
    K("KW-SYSCTL-SOURCE-ROUTE-ALL", "Source-routed packets are refused (all)", "拒绝源路由报文（all）", FINDING_MEDIUM,
      "3.3.8", NET, "net.ipv4.conf.all.accept_source_route", HC_EQ, "0", "0",
      "Set net.ipv4.conf.all.accept_source_route = 0."),
    K("KW-SYSCTL-SOURCE-ROUTE-DEFAULT", "Source-routed packets are refused (default)", "拒绝源路由报文（default）",
      FINDING_MEDIUM, "3.3.8", NET, "net.ipv4.conf.default.accept_source_route", HC_EQ, "0", "1",
      "Set net.ipv4.conf.default.accept_source_route = 0."),
    K("KW-SYSCTL-IP6-SOURCE-ROUTE-ALL", "IPv6 source-routed packets are refused (all)", "拒绝 IPv6 源路由报文（all）",
      FINDING_MEDIUM, "3.3.8", NET, "net.ipv6.conf.all.accept_source_route", HC_EQ, "0", "0",
      "Set net.ipv6.conf.all.accept_source_route = 0."),
    K("KW-SYSCTL-IP6-SOURCE-ROUTE-DEFAULT", "IPv6 source-routed packets are refused (default)",
      "拒绝 IPv6 源路由报文（default）", FINDING_MEDIUM, "3.3.8", NET, "net.ipv6.conf.default.accept_source_route",
      HC_EQ, "0", "0", "Set net.ipv6.conf.default.accept_source_route = 0."),
    K("KW-SYSCTL-RP-FILTER-ALL", "Reverse-path filtering is on (all)", "启用反向路径过滤（all）", FINDING_MEDIUM,
      "3.3.7", NET, "net.ipv4.conf.all.rp_filter", HC_IN, "1,2", "0", "Set net.ipv4.conf.all.rp_filter = 1."),
    K("KW-SYSCTL-RP-FILTER-DEFAULT", "Reverse-path filtering is on (default)", "启用反向路径过滤（default）",
      FINDING_MEDIUM, "3.3.7", NET, "net.ipv4.conf.default.rp_filter", HC_IN, "1,2", "0",
      "Set net.ipv4.conf.default.rp_filter = 1."),
    K("KW-SYSCTL-LOG-MARTIANS-ALL", "Martian packets are logged (all)", "记录异常地址报文（all）", FINDING_LOW, "3.3.9",
      "8.1.4.3 a)", "net.ipv4.conf.all.log_martians", HC_EQ, "1", "0", "Set net.ipv4.conf.all.log_martians = 1."),
    K("KW-SYSCTL-LOG-MARTIANS-DEFAULT", "Martian packets are logged (default)", "记录异常地址报文（default）",
      FINDING_LOW, "3.3.9", "8.1.4.3 a)", "net.ipv4.conf.default.log_martians", HC_EQ, "1", "0",
      "Set net.ipv4.conf.default.log_martians = 1."),
    K("KW-SYSCTL-ICMP-BROADCAST", "Broadcast ICMP echo is ignored", "忽略广播 ICMP 回显请求", FINDING_LOW, "3.3.3", NET,
      "net.ipv4.icmp_echo_ignore_broadcasts", HC_EQ, "1", "1", "Set net.ipv4.icmp_echo_ignore_broadcasts = 1."),
    K("KW-SYSCTL-ICMP-BOGUS", "Bogus ICMP error responses are ignored", "忽略伪造的 ICMP 错误响应", FINDING_LOW,
      "3.3.4", NET, "net.ipv4.icmp_ignore_bogus_error_responses", HC_EQ, "1", "1",
      "Set net.ipv4.icmp_ignore_bogus_error_responses = 1."),
    K("KW-SYSCTL-TCP-SYNCOOKIES", "TCP SYN cookies are on", "启用 TCP SYN Cookie", FINDING_MEDIUM, "3.3.10", NET,
      "net.ipv4.tcp_syncookies", HC_EQ, "1", "1", "Set net.ipv4.tcp_syncookies = 1."),
    K("KW-SYSCTL-IP6-ACCEPT-RA-ALL", "IPv6 router advertisements are refused (all)", "不接受 IPv6 路由通告（all）",
      FINDING_LOW, "3.3.11", NET, "net.ipv6.conf.all.accept_ra", HC_EQ, "0", "1", "Set net.ipv6.conf.all.accept_ra = 0."),
    K("KW-SYSCTL-IP6-ACCEPT-RA-DEFAULT", "IPv6 router advertisements are refused (default)",
      "不接受 IPv6 路由通告（default）", FINDING_LOW, "3.3.11", NET, "net.ipv6.conf.default.accept_ra", HC_EQ, "0", "1",
      "Set net.ipv6.conf.default.accept_ra = 0."),
    K("KW-SYSCTL-TCP-RFC1337", "TCP TIME-WAIT assassination protection is on", "启用 TCP TIME-WAIT 保护", FINDING_LOW,
      "3.3", NET, "net.ipv4.tcp_rfc1337", HC_EQ, "1", "0", "Set net.ipv4.tcp_rfc1337 = 1."),
    K("KW-SYSCTL-ARP-IGNORE", "ARP replies only for local addresses on the interface", "ARP 仅应答本接口地址",
      FINDING_LOW, "3.3", NET, "net.ipv4.conf.all.arp_ignore", HC_IN, "1,2", "0", "Set net.ipv4.conf.all.arp_ignore = 1."),
    K("KW-SYSCTL-ARP-ANNOUNCE", "ARP announces the best local address", "ARP 通告最佳本地地址", FINDING_LOW, "3.3",
      NET, "net.ipv4.conf.all.arp_announce", HC_EQ, "2", "0", "Set net.ipv4.conf.all.arp_announce = 2."),
    K("KW-SYSCTL-ASLR", "Address space layout randomisation is full (2)", "地址空间随机化为完全模式（2）",
      FINDING_HIGH, "1.5.1", HARD, "kernel.randomize_va_space", HC_EQ, "2", "2", "Set kernel.randomize_va_space = 2."),
    K("KW-SYSCTL-PTRACE-SCOPE", "ptrace is restricted (yama.ptrace_scope >= 1)", "限制 ptrace（ptrace_scope >= 1）",
      FINDING_MEDIUM, "1.5.2", HARD, "kernel.yama.ptrace_scope", HC_IN, "1,2,3", "1", "Set kernel.yama.ptrace_scope = 1."),
    K("KW-SYSCTL-SUID-DUMPABLE", "setuid programs do not dump core", "禁止 setuid 程序生成核心转储", FINDING_MEDIUM,
      "1.5.3", HARD, "fs.suid_dumpable", HC_EQ, "0", "0", "Set fs.suid_dumpable = 0."),
    K("KW-SYSCTL-DMESG-RESTRICT", "Kernel log is root-only (dmesg_restrict)", "内核日志仅限 root 读取", FINDING_LOW,
      "1.5", HARD, "kernel.dmesg_restrict", HC_EQ, "1", "0", "Set kernel.dmesg_restrict = 1."),
    K("KW-SYSCTL-KPTR-RESTRICT", "Kernel pointers are hidden (kptr_restrict)", "隐藏内核指针地址", FINDING_LOW, "1.5",
      HARD, "kernel.kptr_restrict", HC_IN, "1,2", "0", "Set kernel.kptr_restrict = 2."),
    K("KW-SYSCTL-PROTECTED-HARDLINKS", "Hard-link protection is on", "启用硬链接保护", FINDING_MEDIUM, "1.5", HARD,
      "fs.protected_hardlinks", HC_EQ, "1", "1", "Set fs.protected_hardlinks = 1."),
    K("KW-SYSCTL-PROTECTED-SYMLINKS", "Symbolic-link protection is on", "启用符号链接保护", FINDING_MEDIUM, "1.5", HARD,
      "fs.protected_symlinks", HC_EQ, "1", "1", "Set fs.protected_symlinks = 1."),
    K("KW-SYSCTL-PROTECTED-FIFOS", "FIFO protection in sticky directories is on", "启用粘滞目录 FIFO 保护", FINDING_LOW,
      "1.5", HARD, "fs.protected_fifos", HC_IN, "1,2", "1", "Set fs.protected_fifos = 2."),
    K("KW-SYSCTL-PROTECTED-REGULAR", "Regular-file protection in sticky directories is on", "启用粘滞目录普通文件保护",
      FINDING_LOW, "1.5", HARD, "fs.protected_regular", HC_IN, "1,2", "1", "Set fs.protected_regular = 2."),
    K("KW-SYSCTL-UNPRIV-BPF", "Unprivileged BPF is disabled", "禁用非特权 BPF", FINDING_MEDIUM, "1.5", HARD,
      "kernel.unprivileged_bpf_disabled", HC_IN, "1,2", "2", "Set kernel.unprivileged_bpf_disabled = 1."),
    K("KW-SYSCTL-BPF-JIT-HARDEN", "BPF JIT hardening is on", "启用 BPF JIT 加固", FINDING_LOW, "1.5", HARD,
      "net.core.bpf_jit_harden", HC_EQ, "2", "0", "Set net.core.bpf_jit_harden = 2."),
    K("KW-SYSCTL-SYSRQ", "Magic SysRq is disabled", "禁用 SysRq 组合键", FINDING_LOW, "1.5", HARD, "kernel.sysrq", HC_EQ,
      "0", "176", "Set kernel.sysrq = 0."),
    K("KW-SYSCTL-KEXEC", "Loading a new kernel (kexec) is disabled", "禁止 kexec 加载新内核", FINDING_LOW, "1.5", HARD,
      "kernel.kexec_load_disabled", HC_EQ, "1", "0", "Set kernel.kexec_load_disabled = 1."),
    K("KW-SYSCTL-PERF-PARANOID", "perf events are restricted (perf_event_paranoid >= 2)", "限制 perf 事件访问",
      FINDING_LOW, "1.5", HARD, "kernel.perf_event_paranoid", HC_IN, "2,3,4", "2", "Set kernel.perf_event_paranoid = 3."),
    K("KW-SYSCTL-UNPRIV-USERNS-CLONE", "Unprivileged user namespaces are limited", "限制非特权用户命名空间",
      FINDING_LOW, "1.5", HARD, "kernel.unprivileged_userns_clone", HC_EQ, "0", "1",
      "Set kernel.unprivileged_userns_clone = 0 where containers do not need it."),
    K("KW-SYSCTL-TTY-LDISC", "Unprivileged line-discipline autoload is off", "禁止非特权自动加载线路规程",
      FINDING_LOW, "1.5", HARD, "dev.tty.ldisc_autoload", HC_EQ, "0", "1", "Set dev.tty.ldisc_autoload = 0."),
    {"KW-SYSCTL-PERSISTED", "sysctl", "Live kernel settings are persisted in sysctl files",
     "运行中的内核参数已写入配置文件持久化", FINDING_LOW, {"1.5", HARD}, HS_SYSCTL, NULL, HC_EQ, NULL, NULL,
     "every checked live value equals the value the files set",
     "Write each setting changed at runtime into /etc/sysctl.d/*.conf so it survives a reboot.",
     sysctl_persisted, 0},
};
#define NROWS (sizeof rows / sizeof rows[0])

/* The live value of key from /proc/sys (whitespace runs cut to one space). */
static bool live_value(host_ctx *c, const char *key, char *out, size_t n)
{
    char p[256];
    int l = snprintf(p, sizeof p, "/proc/sys/%s", key);
    for (int i = 10; i < l; i++)
        if (p[i] == '.')
            p[i] = '/';
    kw_buf b;
    kw_buf_init(&b, 4096);
    bool ok = audit_root_read(c->r, p, 4096, &b) == KW_OK;
    size_t o = 0;
    for (size_t i = 0; ok && i < b.len && o + 1 < n; i++) {
        char ch = b.data[i];
        if (isspace((unsigned char)ch)) {
            if (o && out[o - 1] != ' ')
                out[o++] = ' ';
        } else {
            out[o++] = ch;
        }
    }
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    kw_buf_free(&b);
    return ok;
}

static kw_rc sysctl_one(host_ctx *c, const host_check *k)
{
    const host_kvset *set = host_src_kv(c, HS_SYSCTL);
    const host_kv *e = host_kv_get(set, k->key);
    char val[256], found[400];
    if (c->r->live) {
        if (!live_value(c, k->key, val, sizeof val))
            return host_na(c, k, "not in this kernel");
        snprintf(found, sizeof found, "%s (running)%s", val, e ? "" : ", not persisted");
    } else if (e) {
        snprintf(val, sizeof val, "%s", e->val);
        snprintf(found, sizeof found, "%s", val);
    } else {
        snprintf(val, sizeof val, "%s", k->dflt);
        snprintf(found, sizeof found, "%s (kernel default)", val);
    }
    audit_status s = host_cmp_ok(k->cmp, k->want, val) ? AUDIT_PASS : AUDIT_FAIL;
    return host_emit(c, k, s, e ? e->file : NULL, e ? e->line : 0, e ? e->text : NULL, found, NULL);
}

static kw_rc sysctl_persisted(host_ctx *c, const host_check *k)
{
    if (!c->r->live)
        return host_na(c, k, "not the live host");
    const host_kvset *set = host_src_kv(c, HS_SYSCTL);
    size_t bad = 0;
    for (size_t i = 0; i < NROWS; i++) {
        const host_check *r = &rows[i];
        char val[256], found[400];
        if (!r->key || !live_value(c, r->key, val, sizeof val))
            continue;
        const host_kv *e = host_kv_get(set, r->key);
        const char *want = e ? e->val : r->dflt;
        if (strcmp(want, val) == 0)
            continue;
        bad++;
        snprintf(found, sizeof found, "%s = %s running, %s %s", r->key, val, want, e ? "in file" : "at boot (default)");
        kw_rc rc = host_emit(c, k, AUDIT_FAIL, e ? e->file : NULL, e ? e->line : 0, e ? e->text : NULL, found, r->key);
        if (rc != KW_OK)
            return rc;
    }
    return bad ? KW_OK : host_emit(c, k, AUDIT_PASS, NULL, 0, NULL, "all persisted", NULL);
}

const host_family host_fam_sysctl = {rows, NROWS};
