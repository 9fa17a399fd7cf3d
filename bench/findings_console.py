#!/usr/bin/env python3
"""The findings page's answers with 100,000 findings across 1,000 assets in the store (issue
16's target: the console's findings page answers in under 200 ms). Seeds the SQLite store of a
keepwatch serve as the findings module writes it (tests/integ/test_console_findings_e2e.py's
seed_findings), then times, on one kept-alive connection to 127.0.0.1:
  - GET /api/v1/findings?limit=50, the page's first answer (active, riskiest first), after a
    store change and again without one;
  - other pages, sorts and filters, each a new URL (built from the store);
  - GET /api/v1/findings/stats (the counts and the 30-day burndown the page draws);
and, when Debian's chromium and playwright-core are there, the page's table drawn in headless
Chromium (tests/e2e/console_findings.mjs with KW_TIMING). Prints figures; asserts nothing.
Usage: bench/findings_console.py [--findings N] [--assets N]   (KEEPWATCH_BIN: the binary)"""
import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integ"))
os.environ.setdefault("KEEPWATCH_BIN", os.path.join(ROOT, "build", "keepwatch"))

from kwtest import Daemon  # noqa: E402
from test_console_findings_e2e import DAY, finding_row, seed_findings, store_path, wait_tables  # noqa: E402

PW = "bench findings password"
STATUSES = ["open"] * 4 + ["assigned"] * 2 + ["fixing", "reopened", "fixed", "verified", "accepted", "false_positive"]
DEPTS = ["运维部", "security", "网络部", "应用开发部", "数据库组"]


def rows(n, assets, now):
    """n findings, n / assets per asset: every severity and status, five departments, one in
    nine overdue, one in fifty not seen, first seen over the last 30 days."""
    out = []
    per = max(1, n // assets)
    for i in range(n):
        a = i // per
        st = STATUSES[i % len(STATUSES)]
        sev = ("critical", "high", "high", "medium", "medium", "medium", "low", "low", "info")[i % 9]
        out.append(finding_row(i, now, sev, st, asset=f"asset-{a:04d}", port=1 + i % per + 1000 * (i % 7),
                               owner=f"user{i % 40}" if st != "open" else None,
                               department=DEPTS[a % len(DEPTS)] if st != "open" else None,
                               due_ms=now - DAY if i % 9 == 0 else now + (i % 30) * DAY, not_seen=i % 50 == 0,
                               first_ms=now - (i % 30) * DAY - 60000,
                               resolved_ms=now - (i % 10) * DAY if st in ("fixed", "verified", "accepted") else 0,
                               vuln_id=f"CVE-2024-{i % 5000:05d}", scanner=("nmap", "openvas", "nuclei")[i % 3]))
    return out


class Client:
    def __init__(self, port, token):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.h = {"Authorization": f"Bearer {token}"}

    def ms(self, path):
        """(milliseconds to the whole answer, its size in bytes)."""
        t = time.perf_counter()
        self.c.request("GET", path, headers=self.h)
        r = self.c.getresponse()
        body = r.read()
        if r.status != 200:
            raise RuntimeError(f"{path}: {r.status} {body[:200]!r}")
        return (time.perf_counter() - t) * 1000, len(body)

    def touch(self, d):
        """A store change (a duty note), so the next answer is built from the store."""
        self.c.request("POST", "/api/v1/duty/notes", body='{"text": "bench"}',
                       headers=dict(self.h, **{"Content-Type": "application/json"}))
        self.c.getresponse().read()


def line(label, times, size):
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"  {label:<58} median {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms  max {times[-1]:7.1f} ms"
          f"  ({len(times)} answers, {size / 1024:.0f} KiB)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--findings", type=int, default=100000)
    ap.add_argument("--assets", type=int, default=1000)
    args = ap.parse_args()
    d = Daemon("host: {enabled: false}\nfindings: {alert_overdue: false, alert_severity: none}\n")
    try:
        d.start()
        wait_tables(d)
        now = int(time.time() * 1000)
        t = time.perf_counter()
        seed_findings(store_path(d), rows(args.findings, args.assets, now))
        print(f"seeded {args.findings} findings on {args.assets} assets in {time.perf_counter() - t:.1f} s")
        c = Client(d.port, d.token)
        first, again = [], []
        for _ in range(10):
            c.touch(d)
            ms, size = c.ms("/api/v1/findings?limit=50")
            first.append(ms)
            again.append(c.ms("/api/v1/findings?limit=50")[0])
        c.c.request("GET", "/api/v1/findings?limit=1", headers=c.h)
        total = json.loads(c.c.getresponse().read())["total"]
        print(f"GET /api/v1/findings?limit=50 ({total} active of {args.findings}):")
        line("first page, after a store change (built from the store)", first, size)
        line("first page again, no change between", again, size)
        cases = {
            "pages 2-21 (offset 50..1000)": [f"/api/v1/findings?limit=50&offset={50 * i}" for i in range(1, 21)],
            "deep pages (offset 40,000..49,500)": [f"/api/v1/findings?limit=50&offset={40000 + 500 * i}" for i in range(20)],
            "sort by due, by last seen, by severity": [f"/api/v1/findings?limit=50&sort={s}&offset={50 * i}"
                                                       for s in ("due", "last_seen", "severity") for i in range(5)],
            "severity=high, department, owner, asset": [f"/api/v1/findings?limit=50&{q}" for q in (
                "severity=high", "severity=critical", "department=%E8%BF%90%E7%BB%B4%E9%83%A8", "owner=user7",
                "asset=asset-0500", "scanner=openvas", "overdue=1", "not_seen=1", "status=all", "status=closed")],
            "text search (title, id, asset)": [f"/api/v1/findings?limit=50&text={q}" for q in (
                "CVE-2024-0123", "asset-09", "port%20443", "Weakness%20number%2099", "nothing-like-this")],
        }
        for label, paths in cases.items():
            res = [c.ms(p) for p in paths]
            line(label, [r[0] for r in res], max(r[1] for r in res))
        st = []
        for _ in range(5):
            c.touch(d)
            ms, size = c.ms("/api/v1/findings/stats")
            st.append(ms)
        line("GET /api/v1/findings/stats, after a store change", st, size)
        browser_timing(d)
    finally:
        d.cleanup()


def browser_timing(d):
    chromium = shutil.which("chromium")
    console = os.path.join(ROOT, "console")
    if not chromium or not os.path.isdir(os.path.join(console, "node_modules", "playwright-core")):
        print("(no chromium or playwright-core: the page in the browser not timed)")
        return
    subprocess.run([os.environ["KEEPWATCH_BIN"], "user", "add", "bench", "--role", "officer", "--password-stdin", "-c",
                    d.config_path], input=PW + "\n", text=True, check=True, capture_output=True)
    env = dict(os.environ, KW_URL=f"http://127.0.0.1:{d.port}", KW_PASS=PW, KW_USER="bench", KW_TIMING="1",
               KW_CHROMIUM=chromium, KW_CONSOLE_DIR=console)
    p = subprocess.run(["node", os.path.join(ROOT, "tests", "e2e", "console_findings.mjs")], env=env,
                       capture_output=True, text=True, timeout=300)
    print(p.stdout.strip() or p.stderr[-2000:])


if __name__ == "__main__":
    main()
