"""The live path: keepwatch serve captures on one end of a veth pair while tcpreplay replays a
labelled capture into the other end. Both ends live in network namespaces this test creates
(and removes), so no replayed packet reaches any other network. The flood and scan alerts
must appear through the API while the attack lasts and resolve after it ends."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from kwtest import BIN, free_port, wait_for
from pcapgen import Pcap
from test_net_analyze import DATA, have_data

NS_A, NS_B = f"kwa{os.getpid()}", f"kwb{os.getpid()}"


def sh(*args, check=True):
    return subprocess.run(list(args), capture_output=True, text=True, check=check, timeout=60)


def can_run():
    if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("tcpreplay") or not have_data():
        return False
    probe = sh("ip", "netns", "add", f"kwprobe{os.getpid()}", check=False)
    sh("ip", "netns", "del", f"kwprobe{os.getpid()}", check=False)
    return probe.returncode == 0


@unittest.skipUnless(can_run(), "needs root, ip netns, tcpreplay and the labelled captures")
class LiveCaptureTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sh("ip", "netns", "add", NS_A)
        sh("ip", "netns", "add", NS_B)
        sh("ip", "link", "add", "kwva", "netns", NS_A, "type", "veth", "peer", "name", "kwvb", "netns", NS_B)
        for ns, dev in ((NS_A, "kwva"), (NS_B, "kwvb"), (NS_A, "lo")):
            sh("ip", "-n", ns, "link", "set", dev, "up")
        cls.dir = tempfile.mkdtemp(prefix="kw-live-")
        cls.port = free_port()
        cls.config = os.path.join(cls.dir, "keepwatch.yaml")
        with open(cls.config, "w") as f:
            f.write(f"daemon: {{state_dir: {cls.dir}/var, user: \"\"}}\nhttp: {{listen: 127.0.0.1:{cls.port}}}\n"
                    "host: {enabled: false}\nnet: {interfaces: [kwva], idle_end: 5s}\n"
                    "assets: [{name: web, addresses: [198.18.0.2]}]\n")
        cls.log = open(os.path.join(cls.dir, "serve.log"), "w")
        cls.proc = subprocess.Popen(["ip", "netns", "exec", NS_A, BIN, "serve", "-c", cls.config],
                                    stdout=cls.log, stderr=cls.log)
        wait_for("the daemon", lambda: cls.api("/api/v1/health", auth=False) is not None, timeout=20)

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        try:
            cls.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            cls.proc.kill()
        cls.log.close()
        sh("ip", "netns", "del", NS_A, check=False)
        sh("ip", "netns", "del", NS_B, check=False)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def run(self, result=None):
        # on a failure, show what the daemon said: these tests depend on timing
        before = len(result.failures) + len(result.errors) if result else 0
        out = super().run(result)
        if result and len(result.failures) + len(result.errors) > before:
            self.log.flush()
            with open(os.path.join(self.dir, "serve.log"), errors="replace") as f:
                print(f"\n--- serve.log ---\n{f.read()[-8000:]}")
            print("--- alerts ---\n", json.dumps(self.api("/api/v1/alerts"), indent=1)[:4000])
        return out

    @classmethod
    def api(cls, path, auth=True):
        cmd = ["ip", "netns", "exec", NS_A, "curl", "-sf", f"http://127.0.0.1:{cls.port}{path}"]
        if auth:
            with open(os.path.join(cls.dir, "var", "api.token")) as f:
                cmd[5:5] = ["-H", f"Authorization: Bearer {f.read().strip()}"]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        if p.returncode != 0:
            return None
        return json.loads(p.stdout) if path.startswith("/api/") else p.stdout

    def alert(self, action):
        alerts = (self.api("/api/v1/alerts") or {}).get("alerts", [])
        return next((a for a in alerts if a["rule"] == action), None)

    def replay(self, name):
        return subprocess.Popen(["ip", "netns", "exec", NS_B, "tcpreplay", "-q", "-i", "kwvb", "--multiplier", "2",
                                 os.path.join(DATA, name)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def test_1_flood_fires_while_it_lasts_and_resolves(self):
        rp = self.replay("p03_syn_flood.pcap")
        self.addCleanup(lambda: (rp.kill(), rp.wait()))
        a = wait_for("the syn_flood alert", lambda: self.alert("syn_flood"), timeout=20, every=0.5)
        self.assertIsNone(rp.poll(), "the alert must appear while the flood is still being replayed")
        self.assertEqual((a["state"], a["labels"]["dst"], a["labels"]["dport"]), ("firing", "198.18.0.2", 80))
        self.assertNotIn("src", a["labels"])  # spoofed
        # what the console shows meanwhile: the flooded host is the heaviest destination, and
        # the live stream's ticks carry the traffic to the watched asset
        def top_destination():
            ifs = (self.api("/api/v1/net") or {}).get("interfaces", [])
            dst = ifs[0]["destinations"] if ifs and ifs[0]["destinations"] else None
            return dst[0] if dst and dst[0]["address"] == "198.18.0.2" else None
        top = wait_for("the flooded host among the talkers", top_destination, timeout=15, every=0.5)
        self.assertGreater(top["packets_per_second"], 100)
        with open(os.path.join(self.dir, "var", "api.token")) as f:
            token = f.read().strip()
        p = subprocess.run(["ip", "netns", "exec", NS_A, "curl", "-sN", "--max-time", "3", "-H",
                            f"Authorization: Bearer {token}", f"http://127.0.0.1:{self.port}/api/v1/stream"],
                           capture_output=True, text=True, timeout=10)
        ticks = [json.loads(line[6:]) for line in p.stdout.splitlines() if line.startswith("data: {\"ts\"")]
        self.assertTrue(ticks, p.stdout[:500])
        self.assertTrue(any(x["target"] == "web" and x["interface"] == "kwva" and x["value"] > 0
                            for t in ticks for x in t["pps"]), ticks)
        rp.wait(timeout=30)
        done = wait_for("the flood alert to resolve",
                        lambda: (lambda x: x if x and x["state"] == "resolved" else None)(self.alert("syn_flood")),
                        timeout=20, every=0.5)
        self.assertEqual(done["id"], a["id"])  # one alert for the attack
        self.assertGreater(done["peak"], 1000)
        full = self.api(f"/api/v1/alerts/{a['id']}")
        self.assertEqual(full["history"][0]["action"], "fired")
        self.assertEqual(full["history"][-1]["action"], "resolved")
        metrics = self.api("/metrics")
        self.assertIn('keepwatch_net_kernel_dropped_total{interface="kwva"} 0', metrics)

    def test_2_scan_fires_and_resolves(self):
        rp = self.replay("p02_syn_scan.pcap")
        self.addCleanup(lambda: (rp.kill(), rp.wait()))
        a = wait_for("the port_scan alert", lambda: self.alert("port_scan"), timeout=20, every=0.5)
        self.assertEqual((a["labels"]["src"], a["labels"]["dst"]), ("198.18.0.10", "198.18.0.2"))
        wait_for("the scan alert to resolve",
                 lambda: (self.alert("port_scan") or {}).get("state") == "resolved", timeout=30, every=0.5)
        self.assertEqual(sum(1 for x in self.api("/api/v1/alerts")["alerts"] if x["rule"] == "port_scan"), 1)

    def test_3_web_attack_read_in_contents(self):
        cap = Pcap()
        cap.session("203.0.113.66", 40002, "198.18.0.2", 80, [
            b"GET /item.php?id=1%27%20union%20select%201,2,3--%20- HTTP/1.1\r\nHost: shop\r\n\r\n"])
        path = os.path.join(self.dir, "content.pcap")
        cap.write(path)
        sh("ip", "netns", "exec", NS_B, "tcpreplay", "-q", "-i", "kwvb", path)
        a = wait_for("the web_attack alert", lambda: self.alert("web_attack"), timeout=20, every=0.5)
        self.assertEqual((a["labels"]["src"], a["labels"]["dst"], a["labels"]["dport"], a["labels"]["rule"]),
                         ("203.0.113.66", "198.18.0.2", 80, "9100000"))
        self.assertIn("union", json.dumps(self.api(f"/api/v1/alerts/{a['id']}")))
        metrics = self.api("/metrics") or ""
        self.assertRegex(metrics, r'keepwatch_net_inspected_total\{interface="kwva",protocol="http"\} [1-9]')
        self.assertIn('keepwatch_net_flows_active{interface="kwva"}', metrics)


if __name__ == "__main__":
    unittest.main()
