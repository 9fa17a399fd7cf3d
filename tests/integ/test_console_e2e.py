"""The console end to end in headless Chromium (Debian's chromium, driven by playwright-core
from npm, see tests/e2e/console_e2e.mjs): sign in, watch a firing alert appear live (server-sent
events), acknowledge it, take it, comment on it, find it all in the duty log, hand over; the
calendar and the hosts page; hostile text stays inert; CSRF; sign-out.
Screenshots are kept in build-test/e2e-artifacts/."""
import json
import os
import shutil
import socket
import subprocess
import unittest

from kwtest import DaemonTest, Listener, free_port, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CONSOLE = os.path.join(ROOT, "console")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PW = "correct horse battery"


def ensure_chromium():
    """The test installs what it needs: Debian's chromium (as root), playwright-core is in the
    console's npm dependencies (installed by the build)."""
    if not os.path.exists(CHROMIUM) and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium", "fonts-wqy-microhei"],
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"), capture_output=True, timeout=900)
    return os.path.exists(CHROMIUM) and os.path.exists(os.path.join(CONSOLE, "node_modules", "playwright-core"))


def run_browser(test, script, env):
    """Runs tests/e2e/SCRIPT in node with env; it prints one JSON line last, whose "ok" must be
    true. Returns that line's object."""
    p = subprocess.run(["node", os.path.join(ROOT, "tests", "e2e", script)], env=env,
                       capture_output=True, text=True, timeout=300)
    lines = p.stdout.strip().splitlines()
    test.assertTrue(lines, p.stderr[-3000:])
    result = json.loads(lines[-1])
    test.assertTrue(result["ok"], (result, p.stderr[-3000:]))
    return result


def assert_shots(test, art, pages, sizes=("390x844", "1600x1000")):
    """Each page's screenshot at each size was taken, and is not blank."""
    for page in pages:
        for size in sizes:
            shot = os.path.join(art, f"{page}-{size}.png")
            test.assertGreater(os.path.getsize(shot), 5000, shot)


class ConsoleE2E(DaemonTest):
    def test_sign_in_live_alert_ack_duty_log(self):
        if not ensure_chromium():
            self.fail("chromium or playwright-core missing: run scripts/deps.sh test and build the console")
        db = Listener(free_port())
        db.start()
        self.addCleanup(db.stop)
        udp = free_port()
        d = self.daemon(
            f"host: {{enabled: true, interval: 1s}}\n"
            f"people:\n  - {{name: zhang.wei, display: 张伟}}\n  - {{name: li.na, display: \"<b>李娜</b>\"}}\n"
            f"schedules:\n  - name: security-duty\n    timezone: \"+08:00\"\n    layers:\n"
            f"      - {{name: day, rotation: daily, start: 2026-11-01, handoff: \"09:00\", members: [zhang.wei, li.na]}}\n"
            f"assets:\n  - {{name: portal, addresses: [127.0.0.1], business: \"<script>window.__xss=3</script>网上银行\"}}\n"
            f"checks:\n  - {{name: db, type: tcp, host: 127.0.0.1, port: {db.port}, interval: 1s, timeout: 500ms,"
            f" asset: portal}}\n"
            f"logs:\n  inputs: [{{name: net, type: syslog, listen: \"127.0.0.1:{udp}\", protocol: udp}}]\n"
            f"  rules: [{{name: probe, match: {{message|contains: probe}}, count: 1, by: [message],"
            f" summary: \"probe: {{message}}\"}}]\n")
        rc = subprocess.run([os.environ.get("KEEPWATCH_BIN", "keepwatch"), "user", "add", "zhang.wei", "--role",
                             "officer", "--password-stdin", "-c", d.config_path], input=PW + "\n", text=True,
                            capture_output=True).returncode
        self.assertEqual(rc, 0)
        wait_for("the syslog input", lambda: d.get("/api/v1/logs")[1].get("inputs"))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for i in range(200):  # more than a page of the alerts list
                s.sendto(f"<13>Nov 24 10:00:00 web app: probe number {i}".encode(), ("127.0.0.1", udp))
                if i % 50 == 49:
                    wait_for(f"{i + 1} probe alerts",
                             lambda: len(d.get("/api/v1/alerts?state=firing&limit=1000")[1]["alerts"]) >= i + 1)
            # then an alert whose text carries markup
            s.sendto(b"<13>Nov 24 10:00:00 web app: probe <img src=x onerror=window.__xss=1>", ("127.0.0.1", udp))
        d.wait_alert(lambda a: a["rule"] == "probe" and "<img" in a["summary"], "the probe alert")
        art = os.path.join(os.environ.get("KW_ARTIFACTS", os.path.join(ROOT, "build-test", "e2e-artifacts")))
        env = dict(os.environ, KW_URL=f"http://127.0.0.1:{d.port}", KW_PASS=PW, KW_ARTIFACTS=art,
                   KW_CHROMIUM=CHROMIUM, KW_CONSOLE_DIR=CONSOLE)
        p = subprocess.Popen(["node", os.path.join(ROOT, "tests", "e2e", "console_e2e.mjs")], env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            first = p.stdout.readline().strip()
            self.assertEqual(first, "READY", first)
            db.stop()  # the database goes down while the wall is watched
            d.wait_alert(lambda a: a["rule"] == "service_down", "the service_down alert")
            p.stdin.write("FIRED\n")
            p.stdin.flush()
            out = p.stdout.readline()
            p.wait(timeout=120)
        finally:
            if p.poll() is None:
                p.kill()
        result = json.loads(out)
        self.assertTrue(result["ok"], result)
        alert = d.get(f"/api/v1/alerts/{result['alert']}")[1]
        self.assertEqual((alert["state"], alert["acked_by"]), ("acked", "zhang.wei"))
        self.assertEqual(alert["assignee"], "zhang.wei")
        self.assertEqual(alert["history"][-1]["action"], "commented")
        self.assertIn("<img src=x onerror=window.__xss=2>", alert["history"][-1]["note"])
        entries = d.get("/api/v1/duty?limit=100")[1]["entries"]
        self.assertIn(("handover", "zhang.wei"), [(e["kind"], e["actor"]) for e in entries])
        for shot in ("1-overview.png", "2-alert-live.png", "3-acknowledged.png", "4-duty-log.png", "5-hosts.png"):
            self.assertGreater(os.path.getsize(os.path.join(art, shot)), 5000, shot)


if __name__ == "__main__":
    unittest.main()
