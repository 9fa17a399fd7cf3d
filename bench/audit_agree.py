#!/usr/bin/env python3
"""Agreement between keepwatch's host baseline and Lynis (and OpenSCAP, where its results are
given) on the items both cover, for bench/audit.sh.

    audit_agree.py KW_JSON KW_CATALOGUE LYNIS_REPORT LYNIS_PROFILE [OSCAP_RESULTS_XML]

Lynis's verdicts: its sysctl comparisons (default.prf's config-data=sysctl keys, a failing key
listed as details[]=KRNL-6000 ... field:KEY) and a fixed table of its tests whose suggestion or
warning names the same weakness as one keepwatch check (present: Lynis says it is weak). A
keepwatch item is failed when any of its results failed; n/a items are left out. Prints the
items both cover and how many verdicts agree, then the ones that differ."""
import json
import re
import sys
import xml.etree.ElementTree as ET

# Lynis test (and the text its suggestion carries) -> the keepwatch check naming the same weakness
LYNIS_ITEMS = [
    ("AUTH-9286", "maximum password age", "KW-LOGIN-PASS-MAX-DAYS"),
    ("AUTH-9286", "minimum password age", "KW-LOGIN-PASS-MIN-DAYS"),
    ("AUTH-9262", "", "KW-PAM-PWQUALITY"),
    ("AUTH-9328", "", "KW-LOGIN-UMASK"),
    ("KRNL-5820", "", "KW-CORE-LIMITS"),
    ("USB-1000", "", "KW-MISC-MOD-USB-STORAGE"),
    ("STRG-1846", "", "KW-MISC-MOD-FIREWIRE"),
    ("BANN-7126", "", "KW-MISC-BANNER-ISSUE"),
    ("BANN-7130", "", "KW-MISC-BANNER-ISSUE-NET"),
    ("FIRE-4512", "", "KW-FW-ACTIVE"),
    ("ACCT-9628", "", "KW-LOG-AUDITD-ENABLED"),
    ("FILE-6310", "/tmp", "KW-MOUNT-TMP-SEPARATE"),
    ("FILE-6310", "/var ", "KW-MOUNT-VAR-SEPARATE"),
    ("NETW-3200", "'dccp'", "KW-MISC-MOD-DCCP"),
    ("NETW-3200", "'sctp'", "KW-MISC-MOD-SCTP"),
    ("NETW-3200", "'rds'", "KW-MISC-MOD-RDS"),
    ("NETW-3200", "'tipc'", "KW-MISC-MOD-TIPC"),
    ("SSH-7408", "PermitRootLogin", "KW-SSH-ROOT-LOGIN"),
    ("SSH-7408", "X11Forwarding", "KW-SSH-X11-FORWARDING"),
    ("SSH-7408", "MaxAuthTries", "KW-SSH-MAX-AUTH-TRIES"),
    ("SSH-7408", "AllowTcpForwarding", "KW-SSH-TCP-FORWARDING"),
    ("SSH-7408", "AllowAgentForwarding", "KW-SSH-AGENT-FORWARDING"),
    ("HRDN-7230", "", "KW-MISC-ANTIMALWARE"),
    ("PKGS-7420", "", "KW-MISC-UNATTENDED-UPGRADES"),
]


def kw_verdicts(path):
    out = {}
    with open(path) as f:
        for line in f:
            d = json.loads(line)
            ev = d["result.evaluation"]
            if ev == "not_applicable":
                continue
            failed = ev == "failed"
            out[d["rule.id"]] = out.get(d["rule.id"], False) or failed
    return out


def sysctl_keys(catalogue):
    """keepwatch sysctl check id -> the key its fix sets."""
    keys = {}
    for row in json.load(open(catalogue)):
        if row["id"].startswith("KW-SYSCTL-"):
            m = re.search(r"\b((?:net|kernel|fs|dev|vm)\.[A-Za-z0-9_.\-/]+)\s*=", row["fix"])
            if m:
                keys[row["id"]] = m.group(1).replace("/", ".")
    return keys


def lynis(report, profile):
    covered = set()
    for line in open(profile, errors="replace"):
        m = re.match(r"config-data=sysctl;((?:net|kernel|fs|dev)\.[^;]+);", line)
        if m:
            covered.add(m.group(1))
    failing = set()
    texts = []
    ran = set()
    for line in open(report, errors="replace"):
        m = re.match(r"details\[\]=KRNL-6000\|sysctl\|.*field:([^;]+);", line)
        if m:
            failing.add(m.group(1))
        m = re.match(r"(suggestion|warning)\[\]=([A-Z0-9-]+)\|(.*)", line)
        if m:
            texts.append((m.group(2), m.group(3)))
        m = re.match(r"tests_executed=(.*)", line)
        if m:
            ran |= set(m.group(1).split("|"))
    return covered, failing, texts, ran


def compare(rows, title):
    both = [r for r in rows if r[1] is not None and r[2] is not None]
    agree = [r for r in both if r[1] == r[2]]
    print(f"{title}: {len(both)} items both cover, {len(agree)} agree ({100 * len(agree) / max(len(both), 1):.0f}%)")
    for item, kw, peer in both:
        if kw != peer:
            print(f"  differs: {item}: keepwatch {'fail' if kw else 'pass'}, peer {'fail' if peer else 'pass'}")


def main():
    kw_json, catalogue, report, profile = sys.argv[1:5]
    kw = kw_verdicts(kw_json)
    covered, failing, texts, ran = lynis(report, profile)
    rows = []
    for cid, key in sorted(sysctl_keys(catalogue).items()):
        if key in covered and cid in kw:
            rows.append((f"{cid} ({key})", kw[cid], key in failing))
    for test, words, cid in LYNIS_ITEMS:
        if cid not in kw or (ran and test not in ran):
            continue
        said = any(t == test and words in text for t, text in texts)
        rows.append((f"{cid} ~ Lynis {test} {words}".rstrip(), kw[cid], said))
    compare(rows, "keepwatch vs Lynis")
    if len(sys.argv) > 5:
        oscap(sys.argv[5], kw)


# OpenSCAP rule (its id's tail) -> keepwatch check
OSCAP_ITEMS = {
    "sshd_disable_root_login": "KW-SSH-ROOT-LOGIN", "sshd_disable_empty_passwords": "KW-SSH-EMPTY-PASSWORDS",
    "sshd_set_max_auth_tries": "KW-SSH-MAX-AUTH-TRIES", "sshd_disable_x11_forwarding": "KW-SSH-X11-FORWARDING",
    "accounts_maximum_age_login_defs": "KW-LOGIN-PASS-MAX-DAYS", "accounts_minimum_age_login_defs": "KW-LOGIN-PASS-MIN-DAYS",
    "accounts_password_warn_age_login_defs": "KW-LOGIN-PASS-WARN-AGE",
    "sysctl_net_ipv4_ip_forward": "KW-SYSCTL-IP-FORWARD", "sysctl_net_ipv4_tcp_syncookies": "KW-SYSCTL-TCP-SYNCOOKIES",
    "sysctl_kernel_randomize_va_space": "KW-SYSCTL-ASLR", "sysctl_fs_suid_dumpable": "KW-SYSCTL-SUID-DUMPABLE",
    "sysctl_kernel_dmesg_restrict": "KW-SYSCTL-DMESG-RESTRICT", "sysctl_kernel_kptr_restrict": "KW-SYSCTL-KPTR-RESTRICT",
    "sysctl_net_ipv4_conf_all_accept_redirects": "KW-SYSCTL-ACCEPT-REDIRECTS-ALL",
    "sysctl_net_ipv4_conf_all_send_redirects": "KW-SYSCTL-SEND-REDIRECTS-ALL",
    "sysctl_net_ipv4_conf_all_rp_filter": "KW-SYSCTL-RP-FILTER-ALL", "sysctl_net_ipv4_conf_all_log_martians": "KW-SYSCTL-LOG-MARTIANS-ALL",
    "sysctl_net_ipv4_conf_default_accept_source_route": "KW-SYSCTL-SOURCE-ROUTE-DEFAULT",
    "package_telnetd_removed": "KW-SVC-TELNETD", "package_rsh-server_removed": "KW-SVC-RSH", "package_xinetd_removed": "KW-SVC-XINETD",
    "package_nis_removed": "KW-SVC-NIS", "package_tftp-server_removed": "KW-SVC-TFTPD",
    "file_permissions_etc_shadow": "KW-PERM-SHADOW", "file_permissions_etc_passwd": "KW-PERM-PASSWD",
    "file_permissions_etc_group": "KW-PERM-GROUP", "file_permissions_etc_gshadow": "KW-PERM-GSHADOW",
    "no_empty_passwords_etc_shadow": "KW-ACCT-EMPTY-PASSWORD", "accounts_no_uid_except_zero": "KW-ACCT-UID0",
    "service_auditd_enabled": "KW-LOG-AUDITD-ENABLED", "package_audit_installed": "KW-LOG-AUDITD-INSTALLED",
    "partition_for_tmp": "KW-MOUNT-TMP-SEPARATE", "partition_for_var": "KW-MOUNT-VAR-SEPARATE",
}


def oscap(path, kw):
    ns = {"x": "http://checklists.nist.gov/xccdf/1.2"}
    root = ET.parse(path).getroot()
    rows, counts = [], {}
    for rr in root.iter("{http://checklists.nist.gov/xccdf/1.2}rule-result"):
        res = rr.find("x:result", ns).text
        counts[res] = counts.get(res, 0) + 1
        tail = rr.get("idref").split("_rule_", 1)[-1]
        cid = OSCAP_ITEMS.get(tail)
        if cid and cid in kw and res in ("pass", "fail"):
            rows.append((f"{cid} ~ OpenSCAP {tail}", kw[cid], res == "fail"))
    print("OpenSCAP results: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    compare(rows, "keepwatch vs OpenSCAP")


if __name__ == "__main__":
    main()
