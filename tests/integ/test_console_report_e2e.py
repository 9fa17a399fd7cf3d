"""The console's reports page in headless Chromium (tests/e2e/console_report.mjs): a period
report made through the API's run-now (the scheduled path: its files kept in report.dir and
listed), then in the browser: the daily report of a date in a sandboxed frame, its
downloads as the API serves them, another date through the picker, the period report, the
kept files downloaded (and a file no report lists refused), the jobs, the page in English.
Screenshots at 390x844 and 1600x1000 in build-test/e2e-artifacts/. Until R1's report.c
lands the documents are report_stub.c's one line: the page is checked, not their figures."""
import os
import subprocess
import unittest

from kwtest import wait_for
from test_console import PW, SignIn
from test_console_e2e import CHROMIUM, CONSOLE, ROOT, assert_shots, ensure_chromium, run_browser

BIN = os.environ.get("KEEPWATCH_BIN", "keepwatch")

CONFIG = """host: {enabled: false}
console: {timezone: Asia/Shanghai}
period: {name: 重保, start: "2026-11-20T00:00", end: "2026-12-01T00:00"}  # times in the machine's zone
"""


class ConsoleReportE2E(SignIn):
    def test_reports_page(self):
        if not ensure_chromium():
            self.fail("chromium or playwright-core missing: run scripts/deps.sh test and build the console")
        d = self.daemon(CONFIG)
        subprocess.run([BIN, "user", "add", "zhang.wei", "--role", "officer", "--password-stdin", "-c", d.config_path],
                       input=PW + "\n", text=True, check=True, capture_output=True)
        wait_for("the period job", lambda: any(j["name"] == "period" for j in d.get("/api/v1/reports")[1]["jobs"]))
        wait_for("the leader", lambda: d.post("/api/v1/reports/jobs/period/run")[0] == 202, timeout=30)
        wait_for("the period report kept", lambda: d.get("/api/v1/reports")[1]["reports"], timeout=60)
        kept = d.get("/api/v1/reports")[1]["reports"][0]
        self.assertEqual(kept["kind"], "period")
        self.assertEqual(sorted(kept["files"]), ["period-2026-11-20-2026-12-01.html", "period-2026-11-20-2026-12-01.pdf"])
        art = os.environ.get("KW_ARTIFACTS", os.path.join(ROOT, "build-test", "e2e-artifacts"))
        env = dict(os.environ, KW_URL=f"http://127.0.0.1:{d.port}", KW_PASS=PW, KW_ARTIFACTS=art,
                   KW_CHROMIUM=CHROMIUM, KW_CONSOLE_DIR=CONSOLE, KW_DATE="2026-12-01", KW_JOB="period",
                   KW_KEPT=",".join(kept["files"]))
        run_browser(self, "console_report.mjs", env)
        rc, out, err = d.cli("duty", "verify")
        self.assertEqual(rc, 0, out + err)
        assert_shots(self, art, ("r1-daily", "r2-kept", "r3-english"))


if __name__ == "__main__":
    unittest.main()
