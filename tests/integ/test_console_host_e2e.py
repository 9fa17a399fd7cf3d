"""The fleet's filters and a host's page in headless Chromium (tests/e2e/console_host.mjs): a server with its own host
sensor, an enrolled agent whose check fails and an SNMP device (Debian's snmpd on a loopback
port); the fleet filtered by department and by group (only the matching host's row left, the
filter in the hash and kept by a reload); from the fleet a click opens the agent's page with its name, kind, state, its open
alert and its charts drawn from the history (the lines' SVG paths checked, not only that a
chart is there), another range, this server's page, the device's interfaces' traffic and
errors, a name no host has, English. Screenshots at 390x844 and 1600x1000 in build-test/e2e-artifacts/."""
import os
import subprocess
import unittest

from kwtest import wait_for
from test_agent import AgentCase
from test_console_e2e import CHROMIUM, CONSOLE, PW, ROOT, assert_shots, ensure_chromium, run_browser
from test_snmp import SNMPD, Snmpd

BIN = os.environ.get("KEEPWATCH_BIN", "keepwatch")


class ConsoleHostE2E(AgentCase):
    def test_fleet_and_host_page(self):
        if not ensure_chromium():
            self.fail("chromium or playwright-core missing: run scripts/deps.sh test and build the console")
        if not SNMPD:
            self.fail("snmpd missing: run scripts/deps.sh test")
        snmpd = Snmpd()
        self.addCleanup(snmpd.cleanup)
        snmpd.start()
        d, a = self.one_agent("web-01", host="host: {enabled: true, interval: 1s}\n",
                              server="snmp:\n  devices:\n"
                                     f"    - {{name: core-sw, address: \"127.0.0.1:{snmpd.port}\", community: kwtest,"
                                     " interval: 1s, timeout: 400ms, retries: 0, profiles: [system, if, host, ucd]}\n"
                                     "assets:\n"
                                     "  - {name: web-01, addresses: [10.9.8.1], department: 运维部}\n"
                                     "  - {name: db-01, addresses: [10.9.9.9], department: 数据库组}\n"
                                     "agent:\n  groups:\n    - {name: web, members: ['web-*'], checks: []}\n"
                                     "    - {name: databases, members: ['db-*'], checks: []}\n")
        # a second host, in another group and department: an agent not enrolled yet
        rc, _, err = d.cli("agent", "token", "add", "--name", "db-01")
        self.assertEqual(rc, 0, err)
        subprocess.run([BIN, "user", "add", "zhang.wei", "--role", "officer", "--password-stdin", "-c", d.config_path],
                       input=PW + "\n", text=True, check=True, capture_output=True)
        a.start()
        down = d.wait_alert(lambda x: x["rule"] == "service_down" and x["labels"].get("host") == "web-01",
                            "the agent's check down", timeout=30)
        me = d.get("/api/v1/hosts?kind=server")[1]["hosts"][0]["name"]
        fleet = {x["name"]: x for x in d.get("/api/v1/hosts")[1]["hosts"]}
        self.assertEqual((fleet["web-01"].get("department"), fleet["web-01"].get("groups")), ("运维部", ["web"]))
        self.assertEqual((fleet["db-01"].get("department"), fleet["db-01"].get("groups")), ("数据库组", ["databases"]))

        def points(name, metric="host_cpu_usage_ratio"):
            s = d.get(f"/api/v1/hosts/{name}/series?range=1h&metric={metric}")[1]
            return max([len(x["points"]) for x in s["series"]] or [0])
        # four buckets of 15 s in each host's last hour: a line of several points to draw
        wait_for("the agent's history", lambda: points("web-01") >= 4, timeout=90)
        wait_for("this server's history", lambda: points(me) >= 4, timeout=30)
        wait_for("the device's history", lambda: points("core-sw", "snmp_if_in_octets_per_second") >= 4, timeout=30)
        art = os.environ.get("KW_ARTIFACTS", os.path.join(ROOT, "build-test", "e2e-artifacts"))
        env = dict(os.environ, KW_URL=f"http://127.0.0.1:{d.port}", KW_PASS=PW, KW_ARTIFACTS=art,
                   KW_CHROMIUM=CHROMIUM, KW_CONSOLE_DIR=CONSOLE, KW_HOST="web-01", KW_ALERT=str(down["id"]),
                   KW_SELF=me, KW_DEVICE="core-sw", KW_OTHER="db-01", KW_OTHER_DEPT="数据库组",
                   KW_HOST_GROUP="web")
        run_browser(self, "console_host.mjs", env)
        assert_shots(self, art, ("h0-fleet-filtered", "h1-agent", "h2-agent-en"))


if __name__ == "__main__":
    unittest.main()
