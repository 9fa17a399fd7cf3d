"""Triage in headless Chromium (tests/e2e/console_triage.mjs): the wall's triage list, one
group of 2,000 alerts expanded and acknowledged at once, a group silenced and the silence
expired, an alert's evidence and notifications, console.timezone (Asia/Shanghai in a browser
set to New York), Chinese labels, no emoji, a favicon, and every page (the sign-in page too) at 390x844 without
horizontal overflow. Screenshots at 390x844 and 1600x1000 are kept in build-test/e2e-artifacts/."""
import os
import subprocess

from kwtest import Receiver, wait_for
from test_console import PW, SignIn
from test_console_e2e import CHROMIUM, CONSOLE, ROOT, assert_shots, ensure_chromium, run_browser
from test_console_triage import free_udp, send_lines, triage_config

BIN = os.environ.get("KEEPWATCH_BIN", "keepwatch")


class ConsoleTriageE2E(SignIn):
    def test_triage_groups_silences_phone(self):
        if not ensure_chromium():
            self.fail("chromium or playwright-core missing: run scripts/deps.sh test and build the console")
        r = Receiver()
        self.addCleanup(r.stop)
        udp = free_udp()
        d = self.daemon(triage_config(udp, r.url, "console: {timezone: Asia/Shanghai}\n"))
        subprocess.run([BIN, "user", "add", "zhang.wei", "--role", "officer", "--password-stdin", "-c", d.config_path],
                       input=PW + "\n", text=True, check=True, capture_output=True)
        wait_for("the syslog input", lambda: d.get("/api/v1/logs")[1].get("inputs"))
        send_lines(d, udp, [f"flood number {i}" for i in range(2000)] + ["probe one", "probe two", "note x"], 2003)
        art = os.environ.get("KW_ARTIFACTS", os.path.join(ROOT, "build-test", "e2e-artifacts"))
        env = dict(os.environ, KW_URL=f"http://127.0.0.1:{d.port}", KW_PASS=PW, KW_ARTIFACTS=art,
                   KW_CHROMIUM=CHROMIUM, KW_CONSOLE_DIR=CONSOLE)
        run_browser(self, "console_triage.mjs", env)
        # what the browser did is in the store
        groups = d.get("/api/v1/alert-groups")[1]["groups"]
        flood = next(g for g in groups if g["rule"] == "flood")
        self.assertEqual((flood["count"], flood["firing"]), (2000, 0))
        a = d.get(f"/api/v1/alerts/{flood['newest']}")[1]
        self.assertEqual((a["state"], a["acked_by"]), ("acked", "zhang.wei"))
        sil = d.get("/api/v1/silences?all=1")[1]["silences"]
        self.assertEqual([(s["state"], s["matchers"], s["comment"]) for s in sil],
                         [("expired", {"rule": "probe"}, "演练：已知扫描")])
        assert_shots(self, art, ("1-overview", "2-alert-groups", "3-silences", "4-alert-evidence", "5-duty", "6-hosts", "7-alert-list"))


if __name__ == "__main__":
    import unittest
    unittest.main()
