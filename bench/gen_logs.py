#!/usr/bin/env python3
"""Writes a realistic mixed log for bench/logs.sh: syslog-file lines of sshd (mostly failed
logins from a few attackers among ordinary traffic), iptables and Cisco ASA firewall denies and
accepts, and nginx access lines (benign, with a few SQL injection and traversal attempts).
Deterministic (seeded), so every run measures the same bytes.

usage: gen_logs.py LINES OUT            (lines from 03:00:00 on, ~20,000 a second)
       gen_logs.py --rules N OUT.yaml   (a configuration with N log rules beyond the built-ins)"""
import random
import sys

MON = "Nov"


def ts(i):
    s = 10800 + i // 20000
    return f"{MON} 24 {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def clf(i):
    s = 10800 + i // 20000
    return f"24/Nov/2026:{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d} +0800"


def gen(n, out):
    r = random.Random(42)
    users = ["root", "admin", "oracle", "test", "ubuntu", "git", "postgres", "deploy"]
    attackers = [f"203.0.113.{k}" for k in range(1, 40)]
    paths = ["/", "/index.html", "/api/v1/items?page=2", "/static/app.js?v=3", "/login", "/products?id=42&sort=name",
             "/search?q=red+shoes", "/img/logo.png", "/api/v1/cart", "/news/2026/11/24/protection-period"]
    attacks = ["/item?id=1%27%20UNION%20SELECT%20username,password%20FROM%20users--", "/../../../../etc/passwd",
               "/q?s=%3Cscript%3Ealert(1)%3C/script%3E", "/api?id=1%20or%201=1"]
    agents = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
              "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
              "curl/7.88.1", "Go-http-client/1.1"]
    w = out.write
    for i in range(n):
        k = r.random()
        if k < 0.25:  # sshd
            src = r.choice(attackers) if r.random() < 0.8 else f"198.51.100.{r.randrange(1, 250)}"
            p = r.randrange(1024, 65535)
            c = r.random()
            if c < 0.6:
                w(f"{ts(i)} web1 sshd[{r.randrange(1000, 9999)}]: Failed password for {'invalid user ' if r.random() < 0.5 else ''}{r.choice(users)} from {src} port {p} ssh2\n")
            elif c < 0.75:
                w(f"{ts(i)} web1 sshd[{r.randrange(1000, 9999)}]: Invalid user {r.choice(users)} from {src} port {p}\n")
            elif c < 0.85:
                w(f"{ts(i)} web1 sshd[{r.randrange(1000, 9999)}]: Accepted publickey for deploy from 10.0.0.{r.randrange(2, 50)} port {p} ssh2: ED25519 SHA256:Xb9v0nq8xYt\n")
            else:
                w(f"{ts(i)} web1 sshd[{r.randrange(1000, 9999)}]: Connection closed by authenticating user root {src} port {p} [preauth]\n")
        elif k < 0.6:  # firewalls
            src = f"{r.choice(['203.0.113', '198.51.100', '192.0.2'])}.{r.randrange(1, 255)}"
            dst = f"10.0.{r.randrange(0, 8)}.{r.randrange(1, 60)}"
            dport = r.choice([22, 80, 443, 3306, 3389, 445, 23, 8080])
            if r.random() < 0.5:
                act = "DROP" if r.random() < 0.8 else "ACCEPT"
                w(f"{ts(i)} fw1 kernel: [{i // 1000}.{i % 1000:06d}] IPTABLES-{act}: IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC={src} DST={dst} LEN=60 TOS=0x00 PREC=0x00 TTL=49 ID={r.randrange(65535)} DF PROTO=TCP SPT={r.randrange(1024, 65535)} DPT={dport} WINDOW=64240 RES=0x00 SYN URGP=0\n")
            else:
                w(f"{ts(i)} asa01 : %ASA-4-106023: Deny tcp src outside:{src}/{r.randrange(1024, 65535)} dst inside:{dst}/{dport} by access-group \"outside_access_in\" [0x0, 0x0]\n")
        else:  # web
            src = f"{r.choice(['198.51.100', '192.0.2', '100.64.3'])}.{r.randrange(1, 255)}"
            path = r.choice(attacks) if r.random() < 0.01 else r.choice(paths)
            st = r.choice([200] * 20 + [304, 404, 401, 500])
            w(f"{src} - - [{clf(i)}] \"GET {path} HTTP/1.1\" {st} {r.randrange(100, 50000)} \"https://shop.example/\" \"{r.choice(agents)}\"\n")


def rules(n, out):
    out.write("logs:\n  rules:\n")
    for k in range(n):
        kind = k % 4
        out.write(f"    - name: bench_rule_{k}\n")
        if kind == 0:  # a watched subnet's denies
            out.write(f"      match: {{event.action: deny, destination.ip|cidr: 10.0.{k % 8}.{(k * 4) % 256}/30}}\n"
                      f"      count: 500\n      within: 1m\n      by: [source.ip]\n")
        elif kind == 1:  # an application path
            out.write(f"      match: {{event.category: web, url.original|re: '^/app{k}/(admin|manage)'}}\n")
        elif kind == 2:  # a user name
            out.write(f"      match: {{event.dataset: openssh, user.name: svc{k}, event.outcome: success}}\n")
        else:  # a scanner's user agent
            out.write(f"      match: {{event.category: web, user_agent.original|contains: scanner-{k}}}\n")


if __name__ == "__main__":
    if sys.argv[1] == "--rules":
        with open(sys.argv[3], "w") as f:
            rules(int(sys.argv[2]), f)
    else:
        with open(sys.argv[2], "w") as f:
            gen(int(sys.argv[1]), f)
