"""The console's drills page in headless Chromium (tests/e2e/console_drill.mjs), against D1's
drill API: a scenario of one synthetic alert (no capability needed) run once through the API
and left to be scored (its alert never acknowledged: a weak spot), then in the browser: the
list and its score, a second run started from the page and stopped with its button, the first
run's page (stages beside targets, chart, responders, weak spots made into findings), the
scenario's runs over time, English, a viewer without the buttons. What the browser did is
read back from the API. Until the drill module (D1) is in the build, the same browser test
runs against a stand-in for /api/v1/drills in the page (KW_DRILL_FAKE=1: runs shaped as
i20-common's JSON), checking the pages alone."""
import json
import os
import subprocess
import tempfile
import unittest

from kwtest import run, wait_for
from test_console import PW, SignIn
from test_console_e2e import CHROMIUM, CONSOLE, ROOT, assert_shots, ensure_chromium, run_browser

BIN = os.environ.get("KEEPWATCH_BIN", "keepwatch")

CONFIG = """host: {enabled: false}
console: {timezone: Asia/Shanghai}
departments:
  - {name: sec, display: 安全部, kind: security, head: zhang.wei}
people:
  - {name: zhang.wei, display: 张伟, departments: [sec]}
drill:
  linger: 1s
  scenarios:
    - name: synth
      title: A synthetic web attack
      title_zh: 模拟 Web 攻击
      duration: 20s
      inject:
        - {alert: drill_web_attack, at: 1s, severity: 3, summary: 模拟 SQL 注入}
      expect: {rule: drill_web_attack, detected: 30s, acked: 10s}
"""


class ConsoleDrillE2E(SignIn):
    def test_drills_page(self):
        if not ensure_chromium():
            self.fail("chromium or playwright-core missing: run scripts/deps.sh test and build the console")
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as probe:
            probe.write(CONFIG)
            probe.flush()
            real = run("config", "check", "-c", probe.name)[0] == 0
        d = self.daemon(CONFIG if real else "host: {enabled: false}\nconsole: {timezone: Asia/Shanghai}\n")
        real = real and d.get("/api/v1/drills/scenarios")[0] != 404
        for name, role in (("zhang.wei", "officer"), ("li.na", "viewer")):
            subprocess.run([BIN, "user", "add", name, "--role", role, "--password-stdin", "-c", d.config_path],
                           input=PW + "\n", text=True, check=True, capture_output=True)
        rid = 1
        if real:
            rid = self.first_run(d)
        art = os.environ.get("KW_ARTIFACTS", os.path.join(ROOT, "build-test", "e2e-artifacts"))
        env = dict(os.environ, KW_URL=f"http://127.0.0.1:{d.port}", KW_PASS=PW, KW_ARTIFACTS=art,
                   KW_CHROMIUM=CHROMIUM, KW_CONSOLE_DIR=CONSOLE, KW_SCENARIO="synth", KW_RUN=str(rid),
                   KW_DRILL_FAKE="0" if real else "1")
        result = run_browser(self, "console_drill.mjs", env)
        self.shots_kept(art)
        if real:
            self.read_back(d, rid, result["run"])

    def first_run(self, d):
        status, started = d.post("/api/v1/drills/runs", {"scenario": "synth"})
        self.assertIn(status, (200, 201, 202), started)
        rid = started["id"]
        wait_for("the first run scored", lambda: d.get(f"/api/v1/drills/runs/{rid}")[1]["state"] == "done", timeout=90)
        first = d.get(f"/api/v1/drills/runs/{rid}")[1]
        self.assertIsNotNone(first["score"])
        self.assertTrue(any("acked" == s["stage"] and not s["ok"] for s in first["stages"]), first["stages"])
        return rid

    def shots_kept(self, art):
        assert_shots(self, art, ("d1-drills", "d2-run", "d3-trend", "d4-english"))

    def read_back(self, d, rid, run2):
        second = d.get(f"/api/v1/drills/runs/{run2}")[1]
        self.assertEqual(second["state"], "stopped")
        self.assertEqual(second["requested_by"], "zhang.wei")
        self.assertEqual(d.get("/api/v1/alerts?state=firing")[1]["alerts"], [])  # the stop left nothing firing
        weak = d.get(f"/api/v1/drills/runs/{rid}")[1]["weak"]
        self.assertTrue(weak and all(w["finding"] for w in weak), weak)
        finding = d.get(f"/api/v1/findings/{weak[0]['finding']}")[1]
        self.assertIn('"drill"', json.dumps(finding))  # category drill


if __name__ == "__main__":
    unittest.main()
