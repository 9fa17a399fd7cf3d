"""The reports end to end: a store filled with a known day (kw_report_fill: alerts through the
store API, findings, incidents, metric history, a handover), the daily and period PDFs rendered
with `keepwatch report`, their text extracted with pdftotext (poppler-utils) and the figures
checked, page 1 rendered to an image with pdftoppm and checked not blank (pixel variance); the
HTML report fetched from `keepwatch serve` (GET /api/v1/reports/daily) and loaded in headless
Chromium (no console errors, its headings and figures in the DOM); the JSON's figures; the
customer-service cut without scans; the refusals (a bad date, a PDF to a terminal)."""
import json
import os
import pty
import re
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.request

from kwtest import BIN, DaemonTest, OnPostgres

FILL = os.environ.get("KW_REPORT_FILL_BIN", "kw_report_fill")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TZ_MIN = 480
DAY_S = 86400

# What kw_report_fill puts into the day (see tests/helpers/kw_report_fill.c).
ALERTS, FINDINGS, METRIC_DAYS = 40, 50, 3


def local_day(offset_days):
    """The local date (+08:00) offset_days from today's, as YYYY-MM-DD."""
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + TZ_MIN * 60 + offset_days * DAY_S))


def words(text):
    return re.sub(r"\s+", " ", text)


def pgm_stats(path):
    """(pixels, mean, variance, share darker than near-white) of a binary PGM (P5) file."""
    with open(path, "rb") as f:
        data = f.read()
    parts = data.split(maxsplit=4)
    assert parts[0] == b"P5", parts[0]
    w, h, px = int(parts[1]), int(parts[2]), parts[4]
    px = px[: w * h]
    n = len(px)
    mean = sum(px) / n
    var = sum((p - mean) ** 2 for p in px) / n
    return n, mean, var, sum(1 for p in px if p < 200) / n


class ReportTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.day = local_day(-1)  # yesterday: what `report daily` makes by default
        start, end = local_day(-6), local_day(10)
        self.d = self.make_daemon(
            "builtin_rules: false\n"
            "console: {timezone: \"+08:00\"}\n"
            f"period: {{name: 2026 重保, start: \"{start}T00:00\", end: \"{end}T00:00\"}}\n"
            "incident: {organisation: 示例单位网络安全保障组}\n"
            "departments:\n  - {name: ops, display: 运维部, kind: operations}\n"
            "  - {name: cs, display: 客服部, kind: customer_service}\n"
            "people:\n  - {name: ann, display: 安妮, departments: [ops]}\n  - {name: bob, departments: [ops]}\n"
            "schedules:\n  - name: duty\n    timezone: \"+08:00\"\n    layers:\n"
            f"      - {{name: main, rotation: daily, start: \"{start}\", handoff: \"09:00\", members: [ann, bob]}}\n"
            "assets:\n  - {name: web, addresses: [10.0.0.80, 10.0.0.81, 10.0.0.82], department: ops}\n")
        var = os.path.join(self.d.dir, "var")
        os.makedirs(var, exist_ok=True)
        where = self.d.store_url or os.path.join(var, "keepwatch.db")
        p = subprocess.run([FILL, where, self.day, str(TZ_MIN), str(ALERTS), str(FINDINGS), str(METRIC_DAYS)],
                           cwd=var, capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.tmp = tempfile.mkdtemp(prefix="kw-report-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def report(self, *args):
        p = subprocess.run([BIN, "report", *args, "-c", self.d.config_path], capture_output=True, timeout=120)
        return p.returncode, p.stdout, p.stderr.decode(errors="replace")

    def pdf_text(self, path):
        p = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return words(p.stdout)

    def assert_not_blank(self, path):
        base = os.path.join(self.tmp, "page")
        p = subprocess.run(["pdftoppm", "-gray", "-r", "40", "-f", "1", "-l", "1", path, base],
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        pgm = next(os.path.join(self.tmp, f) for f in os.listdir(self.tmp) if f.startswith("page") and f.endswith(".pgm"))
        n, mean, var, ink = pgm_stats(pgm)
        os.unlink(pgm)
        self.assertGreater(n, 100000)
        self.assertGreater(var, 200, f"page 1 looks blank (mean {mean:.1f}, variance {var:.1f})")
        self.assertGreater(ink, 0.02, f"page 1 has almost no ink ({ink:.3%})")

    def test_daily_and_period_pdf(self):
        daily = os.path.join(self.tmp, "daily.pdf")
        rc, _, err = self.report("daily", "--format", "pdf", "-o", daily, "--lang", "en")
        self.assertEqual(rc, 0, err)
        t = self.pdf_text(daily)
        self.assertIn(f"Daily duty report {self.day}", t)
        self.assertIn("示例单位网络安全保障组", t)  # the header
        self.assertIn("42 alerts in all: 40 real, 2 raised by drills", t)
        self.assertRegex(t, r"Critical and high alerts 20\b")
        self.assertRegex(t, r"syn_flood real 10 critical")
        self.assertRegex(t, r"udp_flood drill 2 medium")
        self.assertIn("10.0.0.80", t)
        self.assertIn("198.51.100.0", t)
        self.assertRegex(t, r"Total 5 8 0 ")  # findings: opened 5, fixed 8, verified 0
        self.assertIn("1 declared, 0 closed, 1 still open", t)
        self.assertIn("Website DDoS", t)
        self.assertIn("handover to bob", t)
        self.assertIn("The hash chain is intact", t)
        self.assertRegex(t, r"Page 1 of \d+ ")  # page numbers
        self.assert_not_blank(daily)

        period = os.path.join(self.tmp, "period.pdf")
        rc, _, err = self.report("period", "--format", "pdf", "-o", period)
        self.assertEqual(rc, 0, err)
        t = self.pdf_text(period)
        self.assertIn("重保期总结报告", t)
        self.assertIn("各部门响应时间", t)
        self.assertIn("运维部", t)
        self.assertIn("switch to the scrubbing centre sooner", t)  # the lessons of the review
        self.assertIn("整改成效", t)
        self.assert_not_blank(period)

    def test_json_figures_and_cut(self):
        rc, out, err = self.report("daily", "--date", self.day, "--format", "json")
        self.assertEqual(rc, 0, err)
        g = json.loads(out)
        self.assertEqual(g["alerts"]["real"], ALERTS)
        self.assertEqual(g["alerts"]["by_severity"], {"critical": 10, "high": 10, "medium": 10, "low": 10,
                                                      "total": 40})
        self.assertEqual(g["alerts"]["drill"], 2)
        self.assertEqual(g["findings"]["opened"]["total"], 5)
        self.assertEqual(g["findings"]["fixed"]["total"], 8)
        self.assertEqual(g["incidents"]["drill"]["closed"], 1)
        self.assertEqual(g["hosts"]["metrics"][0]["host"], "web1")
        self.assertTrue(g["duty"]["verify"]["ok"])
        self.assertEqual(g["unavailable"], [])
        # the period: MTTA 60 s, MTTR 600 s for ops (every 10th alert acknowledged, on web's addresses)
        rc, out, err = self.report("period", "--format", "json")
        self.assertEqual(rc, 0, err)
        ops = next(r for r in json.loads(out)["response"] if r["department"] == "ops")
        self.assertAlmostEqual(ops["mtta_s"], 60.0)
        self.assertAlmostEqual(ops["mttr_s"], 600.0)
        rc, out, err = self.report("daily", "--date", self.day, "--format", "md", "--cut", "customer_service",
                                   "--department", "cs")
        self.assertEqual(rc, 0, err)
        md = out.decode()
        self.assertIn("客服部", md)
        self.assertIn("Website DDoS", md)
        self.assertNotIn("port_scan", md)
        self.assertNotIn("198.51.100.", md)

    def test_refusals(self):
        rc, _, err = self.report("daily", "--date", "2026-02-30")
        self.assertEqual(rc, 2)
        self.assertIn("--date", err)
        rc, _, err = self.report("daily", "--cut", "everyone")
        self.assertEqual(rc, 2)
        master, slave = pty.openpty()
        try:
            p = subprocess.run([BIN, "report", "daily", "--format", "pdf", "-c", self.d.config_path], stdout=slave,
                               stderr=subprocess.PIPE, timeout=60)
        finally:
            os.close(slave)
            os.close(master)
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"not written to a terminal", p.stderr)

    def test_html_in_chromium(self):
        self.d.start()
        status, body = self.d.get(f"/api/v1/reports/daily?date={self.day}&lang=zh")
        self.assertEqual(status, 200, body)
        self.assertIn("<html", body)
        status, js = self.d.get("/api/v1/reports/period?format=json")
        self.assertEqual(status, 200)
        self.assertEqual(js["kind"], "period")
        req = urllib.request.Request(f"http://127.0.0.1:{self.d.port}/api/v1/reports/daily?date={self.day}&format=pdf",
                                     headers={"Authorization": f"Bearer {self.d.token}"})
        with urllib.request.urlopen(req, timeout=60) as r:
            self.assertEqual(r.headers["Content-Type"], "application/pdf")
            self.assertEqual(r.headers["Content-Disposition"], f'attachment; filename="keepwatch-daily-{self.day}.pdf"')
            self.assertEqual(r.read(5), b"%PDF-")
        status, _ = self.d.get("/api/v1/reports/daily?date=yesterday")
        self.assertEqual(status, 400)
        if not os.path.exists(CHROMIUM):
            self.fail("chromium missing: run scripts/deps.sh test")
        page = os.path.join(self.tmp, "daily.html")
        with open(page, "w") as f:
            f.write(body)
        p = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                            "--v=0", f"--user-data-dir={self.tmp}/chromium", "--dump-dom", "file://" + page],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        console = [l for l in p.stderr.splitlines() if "CONSOLE" in l or "Uncaught" in l]
        self.assertEqual(console, [], "console errors")
        dom = p.stdout
        for h in ("值守日报", "概况", "告警", "攻击态势", "漏洞与整改", "安全事件", "值班日志校验"):
            self.assertRegex(dom, f"<h[1-3][^>]*>[^<]*{h}", h)
        self.assertIn("示例单位网络安全保障组", dom)
        # the daemon's own findings module may have raised more alerts since: the drill's are fixed
        self.assertRegex(dom, r"本期共 \d+ 条告警，其中真实告警 \d+ 条，演练告警 2 条")
        self.assertIn("安妮 (ann)", dom)
        self.assertIn("<svg", dom)  # the charts


class ReportPgTest(OnPostgres, ReportTest):
    pass


if __name__ == "__main__":
    unittest.main()
