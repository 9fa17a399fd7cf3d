#!/usr/bin/env python3
"""Writes N findings across A assets as keepwatch's findings CSV (README, "Findings import"),
and the assets: section that names them, for bench/findings.sh.

usage: gen_findings.py OUT_DIR [N] [ASSETS]
  OUT_DIR/findings.csv   N rows: CVE ids on ports and packages, keepwatch check ids, severities
                         and CVSS 3.1 vectors in realistic proportions (seeded: the same each run)
  OUT_DIR/assets.yaml    ASSETS assets 10.1.X.Y with owners and departments (10 departments)
"""
import csv
import os
import random
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
assets = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
rng = random.Random(16)
depts = ["运维部", "网络部", "应用开发部", "数据库组", "安全部", "客服系统组", "财务系统组", "办公网", "研发测试", "云平台组"]
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "assets.yaml"), "w") as f:
    f.write("assets:\n")
    for a in range(assets):
        d = depts[a % len(depts)]
        f.write(f"  - {{name: host-{a:04d}, addresses: [10.1.{a // 250}.{a % 250 + 1}], owner: owner{a % 97},"
                f" department: {d}, criticality: {['low', 'medium', 'high', 'critical'][a % 4]},"
                f" exposure: {'internet' if a % 7 == 0 else 'internal'}}}\n")
vectors = [  # (vector, severity word) a spread of real-looking CVSS 3.1 base vectors
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "critical"),
    ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", "high"),
    ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", "medium"),
    ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", "high"),
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", "medium"),
    ("CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", "low"),
]
checks = [("KW-REDIS-NOAUTH", "Redis answers without a password", "critical", 6379, "weak_auth"),
          ("KW-TLS-OLD-PROTOCOL", "TLS 1.0 accepted", "medium", 443, "weak_tls"),
          ("KW-TELNET-EXPOSED", "telnet reachable", "high", 23, "exposed_service"),
          ("KW-SMB1", "SMBv1 accepted", "high", 445, "exposed_service")]
pkgs = ["openssl", "openssh", "nginx", "glibc", "curl", "libxml2", "sudo", "systemd", "zlib", "expat"]
with open(os.path.join(out, "findings.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "title", "ip", "port", "transport", "package", "installed", "fixed", "severity", "vector",
                "category", "scanner", "description", "solution"])
    for i in range(n):
        a = rng.randrange(assets)
        ip = f"10.1.{a // 250}.{a % 250 + 1}"
        r = rng.random()
        if r < 0.6:  # a package CVE
            vec, sev = rng.choice(vectors)
            p = rng.choice(pkgs)
            w.writerow([f"CVE-20{rng.randrange(15, 26)}-{rng.randrange(1000, 60000)}", f"{p}: a known vulnerability",
                        ip, "", "", p, "1.0-1", "1.0-2", sev, vec, "outdated_software", "bench",
                        "generated for bench/findings.sh", f"apt-get install --only-upgrade {p}"])
        elif r < 0.9:  # a version-based CVE on a port
            vec, sev = rng.choice(vectors)
            port = rng.choice([22, 80, 443, 3306, 5432, 8080, 8443])
            w.writerow([f"CVE-20{rng.randrange(15, 26)}-{rng.randrange(1000, 60000)}", "service version vulnerable",
                        ip, port, "tcp", "", "", "", sev, vec, "outdated_software", "bench", "", ""])
        else:
            cid, title, sev, port, cat = rng.choice(checks)
            w.writerow([cid, title, ip, port + rng.randrange(0, 3), "tcp", "", "", "", sev, "", cat, "bench", "", ""])
