"""The console's findings page in headless Chromium (tests/e2e/console_findings.mjs): the
counts and the burndown, the table's server-side filters, sort and pages kept in the URL
hash, a finding's evidence (hostile text stays text), references (only http/https become
links) and history; assigning it and marking it fixed from the page, a refused move's
message shown, and a member's moves in English. The findings are written into the daemon's
SQLite store as the findings module writes them (seed_findings: the columns of
src/store/store_findings.c, the document of finding_ecs), since no importer feeds the store
yet. Screenshots at 390x844 and 1600x1000 are kept in build-test/e2e-artifacts/."""
import datetime
import hashlib
import json
import os
import sqlite3
import subprocess
import time
import unittest

from test_console import PW, SignIn
from test_console_e2e import CHROMIUM, CONSOLE, ROOT, assert_shots, ensure_chromium, run_browser

BIN = os.environ.get("KEEPWATCH_BIN", "keepwatch")
DAY = 86400000
SEV = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
BAND = {"info": 0.0, "low": 2.5, "medium": 5.5, "high": 8.0, "critical": 9.5}
COLS = ("fingerprint", "asset", "vuln_id", "scanner", "title", "category", "place", "severity", "score", "risk", "kev",
        "status", "not_seen", "owner", "department", "due_ms", "due_manual", "first_ms", "last_ms", "status_ms",
        "resolved_ms", "accepted_until_ms", "reason", "by_user", "transport", "port", "run_id", "active")
ACTIVE = ("open", "assigned", "fixing", "reopened")
HOSTILE_TITLE = "Banner <img src=x onerror=window.__xss=1> disclosure"
HOSTILE_EVIDENCE = "HTTP/1.1 200 OK\nServer: <script>window.__xss=2</script>\n\n<b>not bold</b> & more"
HOSTILE_REFS = "javascript:window.__xss=3 https://nvd.nist.gov/vuln/detail/CVE-2024-6387 data:text/html,<b>x</b>"


def fingerprint(asset, vuln_id, place):
    """findings_fingerprint: SHA-256 of the asset, the id and the place, each with its NUL."""
    return hashlib.sha256(b"".join(x.encode() + b"\0" for x in (asset, vuln_id, place))).hexdigest()


def finding_row(i, now_ms, severity="high", status="open", asset=None, port=None, owner=None, department=None,
                due_ms=0, not_seen=False, title=None, evidence=None, refs=None, first_ms=None, resolved_ms=0,
                vuln_id=None, scanner="nmap", description=None, solution=None):
    """One finding: its row of the findings table and its ECS document (finding_ecs's keys), which
    the store keeps in finding_docs."""
    asset = asset or f"10.0.{i // 250 % 250}.{i % 250 + 1}"
    port = port or (22, 80, 443, 3306, 6379, 8080)[i % 6]
    place = f"tcp/{port}"
    vuln_id = vuln_id or f"CVE-2024-{1000 + i}"
    score = BAND[severity] + (i % 5) / 10 if severity != "info" else None
    risk = min(100.0, (score or 0) * 10)
    first_ms = first_ms if first_ms is not None else now_ms - (i % 20) * DAY - 3600000
    title = title or f"Weakness number {i} in the service on port {port}"
    doc = {"@timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now_ms / 1000)), "event.kind": "state",
           "vulnerability.id": vuln_id, "vulnerability.category": "network", "vulnerability.severity": severity}
    if score is not None:
        doc.update({"vulnerability.score.base": score, "vulnerability.score.version": "3.1"})
    doc["message"] = title
    doc["vulnerability.description"] = description or f"The service on port {port} answers with weakness {i}."
    doc["keepwatch.finding.solution"] = solution or "Upgrade the package and restart the service."
    doc["vulnerability.reference"] = refs or f"https://nvd.nist.gov/vuln/detail/{vuln_id}"
    doc["vulnerability.scanner.vendor"] = scanner
    doc.update({"host.ip": asset, "destination.port": port, "network.transport": "tcp"})
    doc["keepwatch.finding.evidence"] = evidence or f"port {port}/tcp open\nbanner: service-{i}"
    values = (fingerprint(asset, vuln_id, place), asset, vuln_id, scanner, title, "network", place, SEV[severity], score,
              risk, 0, status, int(not_seen), owner, department, due_ms, 0, first_ms, now_ms, first_ms, resolved_ms, 0,
              None, None, "tcp", port, 0, int(status in ACTIVE))
    return values, json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def seed_findings(db_path, rows, history=()):
    """Writes finding rows (finding_row's tuples) and history lines (finding id, at, actor,
    action, from, to, note) into the store's tables in one transaction."""
    con = sqlite3.connect(db_path, timeout=30)
    try:
        with con:
            for values, doc in rows:
                cur = con.execute(f"INSERT INTO findings ({', '.join(COLS)}) VALUES ({', '.join('?' * len(COLS))})",
                                  values)
                con.execute("INSERT INTO finding_docs (id, doc) VALUES (?, ?)", (cur.lastrowid, doc))
            con.executemany("INSERT INTO finding_history (finding_id, at_ms, actor, action, from_status, to_status, note)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?)", history)
    finally:
        con.close()


def store_path(d):
    return os.path.join(d.dir, "var", "keepwatch.db")


def wait_tables(d, timeout=20):
    """Until the daemon has made the findings tables (its migrations run at start)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if d.get("/api/v1/findings?limit=1")[0] == 200:
            return
        time.sleep(0.2)
    raise AssertionError("the findings API never answered")


def e2e_rows(now_ms):
    """120 findings: every severity and status, two departments, overdue ones, one not seen,
    one with hostile text, one to assign and fix, one to be refused."""
    rows = []
    statuses = ["open", "assigned", "fixing", "reopened", "fixed", "verified", "accepted", "false_positive"]
    for i in range(110):
        sev = ("critical", "high", "medium", "low", "info")[i % 5]
        st = statuses[i % 8] if i % 3 else "open"
        dept = ("运维部", "security")[i % 2] if st != "open" else None
        rows.append(finding_row(i, now_ms, sev, st, owner="wang.fang" if dept else None, department=dept,
                                due_ms=now_ms - DAY if i % 7 == 0 or i % 40 == 10 else now_ms + 5 * DAY,
                                resolved_ms=now_ms - (i % 10) * DAY if st in ("fixed", "verified", "accepted") else 0))
    rows.append(finding_row(200, now_ms, "critical", "open", asset="web-01", port=8443, title=HOSTILE_TITLE,
                            evidence=HOSTILE_EVIDENCE, refs=HOSTILE_REFS, vuln_id="KW-HOSTILE-1",
                            description="Line one\n<i>line two</i>", due_ms=now_ms + DAY))
    rows.append(finding_row(201, now_ms, "high", "open", asset="db-01", port=5432, vuln_id="CVE-2024-6387",
                            title="OpenSSH regreSSHion on the database host", scanner="openvas", due_ms=now_ms + 3 * DAY))
    rows.append(finding_row(202, now_ms, "medium", "open", asset="db-01", port=6379, vuln_id="KW-REDIS-NOAUTH",
                            title="Redis without a password", scanner="openvas", not_seen=True))
    return rows


class ConsoleFindingsE2E(SignIn):
    def test_findings_page_filters_detail_moves(self):
        if self.pg:
            self.skipTest("the findings are seeded into the SQLite store")
        if not ensure_chromium():
            self.fail("chromium or playwright-core missing: run scripts/deps.sh test and build the console")
        d = self.daemon("host: {enabled: false}\nconsole: {timezone: Asia/Shanghai}\n"
                        "findings: {alert_overdue: false, alert_severity: none}\n"
                        "people:\n  - {name: zhang.wei, display: 张伟}\n  - {name: li.na, display: 李娜}\n"
                        "  - {name: wang.fang, display: 王芳}\n")
        subprocess.run([BIN, "user", "add", "zhang.wei", "--role", "officer", "--password-stdin", "-c", d.config_path],
                       input=PW + "\n", text=True, check=True, capture_output=True)
        subprocess.run([BIN, "user", "add", "wang.fang", "--role", "member", "--password-stdin", "-c", d.config_path],
                       input=PW + "\n", text=True, check=True, capture_output=True)
        wait_tables(d)
        now = int(time.time() * 1000)
        rows = e2e_rows(now)
        seed_findings(store_path(d), rows)
        with sqlite3.connect(store_path(d)) as con:
            ids = dict(con.execute("SELECT vuln_id, id FROM findings WHERE vuln_id IN"
                                   " ('KW-HOSTILE-1', 'CVE-2024-6387', 'KW-REDIS-NOAUTH')").fetchall())
        seed_findings(store_path(d), [], [(ids["KW-HOSTILE-1"], now - 3600000, "scanner", "found", None, "open",
                                           "<u>nmap</u> run 7")])
        total = d.get("/api/v1/findings")[1]["total"]
        self.assertGreater(total, 50)  # more than a page of active ones
        art = os.environ.get("KW_ARTIFACTS", os.path.join(ROOT, "build-test", "e2e-artifacts"))
        env = dict(os.environ, KW_URL=f"http://127.0.0.1:{d.port}", KW_PASS=PW, KW_ARTIFACTS=art,
                   KW_CHROMIUM=CHROMIUM, KW_CONSOLE_DIR=CONSOLE, KW_HOSTILE=str(ids["KW-HOSTILE-1"]),
                   KW_FIX=str(ids["CVE-2024-6387"]), KW_REFUSE=str(ids["KW-REDIS-NOAUTH"]),
                   KW_HOSTILE_EVIDENCE=HOSTILE_EVIDENCE)
        result = run_browser(self, "console_findings.mjs", env)
        # what the browser did is in the store, as the API says
        st, f = d.get(f"/api/v1/findings/{ids['CVE-2024-6387']}")
        self.assertEqual(st, 200)
        self.assertEqual((f["keepwatch.finding.status"], f["keepwatch.finding.owner"],
                          f["keepwatch.finding.department"]), ("fixed", "li.na", "运维部"))
        # the due date picked in the form is midnight of that day in console.timezone (+08:00)
        want = datetime.datetime.fromisoformat(result["due"] + "T00:00:00+08:00")
        got = datetime.datetime.fromisoformat(f["keepwatch.finding.due"].replace("Z", "+00:00"))
        self.assertEqual(got, want)
        hist = [(x["action"], x.get("actor"), x.get("to"), x.get("note")) for x in f["keepwatch.finding.history"]]
        self.assertEqual(hist, [("assign", "zhang.wei", "assigned", "to li.na (运维部)"),
                                ("fix", "zhang.wei", "fixed", "升级到 1:9.2p1-2+deb12u3")])
        refused = d.get(f"/api/v1/findings/{ids['KW-REDIS-NOAUTH']}")[1]
        self.assertEqual(refused["keepwatch.finding.status"], "false_positive")
        self.assertEqual([x["action"] for x in refused["keepwatch.finding.history"]], ["false_positive"])
        entries = d.get("/api/v1/duty?limit=100")[1]["entries"]
        self.assertIn(f"finding #{ids['CVE-2024-6387']} CVE-2024-6387 on db-01 tcp/5432: fix: assigned -> fixed: "
                      "升级到 1:9.2p1-2+deb12u3", [e.get("text") for e in entries if e["kind"] == "finding"])
        assert_shots(self, art, ("f1-findings", "f2-filtered", "f3-finding", "f4-fixed", "f5-refused"))


if __name__ == "__main__":
    unittest.main()
