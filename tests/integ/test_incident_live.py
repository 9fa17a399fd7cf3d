"""The issue's chain on real traffic: keepwatch serve captures on one end of a veth pair in a
network namespace this test creates while tcpreplay replays the labelled SYN flood into the
other end. The flood's syn_flood alert on the critical web asset opens a DDoS incident from
its trigger; the officer on duty and the operations department get their steps at a webhook
receiver in the same namespace; one step is done through the API, one left to go overdue
(escalated by notify); the incident closes with a review; `keepwatch duty verify` covers all
of it. Namespaces, the daemon and the receiver are removed by the test."""
import os
import subprocess
import unittest

from kwtest import BIN, wait_for
from netns_serve import NetnsServeTest
from test_net_analyze import DATA
from test_net_live import NS_A, NS_B, can_run, sh

CONFIG = """host: {{enabled: false}}
net: {{interfaces: [kwva], idle_end: 5s}}
assets: [{{name: web, addresses: [198.18.0.2], criticality: critical, business: 官网, impact: 官网无法访问}}]
departments:
  - {{name: sec, kind: security}}
  - {{name: ops, kind: operations, head: wang.qiang}}
people:
  - {{name: zhang.wei, display: 张伟, departments: [sec]}}
  - {{name: wang.qiang, display: 王强, departments: [ops]}}
schedules:
  - {{name: soc, layers: [{{name: all, rotation: daily, members: [zhang.wei]}}]}}
notify:
  group_wait: 0s
  channels:
    - {{name: sec-hook, type: webhook, url: "http://127.0.0.1:{rx}/sec", department: sec}}
    - {{name: ops-hook, type: webhook, url: "http://127.0.0.1:{rx}/ops", department: ops}}
  policies:
    - name: late
      levels:
        - {{notify: ["schedule:soc"], channels: [sec-hook], escalate_after: 10s}}
        - {{notify: ["head:ops"], channels: [ops-hook]}}
  routes:
    - {{match: {{rule: incident_step_overdue}}, policy: late}}
incident:
  duty_schedule: soc
  triggers:
    - {{name: ddos, match: {{rule: syn_flood, criticality|gt: high}}, playbook: ddos-live, grade: III}}
  playbooks:
    - name: ddos-live
      title: DDoS on the web site
      title_zh: 官网遭受 DDoS 攻击
      category: NA
      phases:
        - phase: confirm
          steps:
            - {{name: verify, title: Confirm the flood, title_zh: 核实攻击流量, owner: duty, within: 10m}}
        - phase: contain
          steps:
            - {{name: scrub, title: Divert to scrubbing, title_zh: 引流清洗, owner: "kind:operations", within: 3s}}
"""


@unittest.skipUnless(can_run(), "needs root, ip netns, tcpreplay and the labelled captures")
class IncidentLiveTest(NetnsServeTest):
    @classmethod
    def setUpClass(cls):
        sh("ip", "netns", "add", NS_A)
        sh("ip", "netns", "add", NS_B)
        sh("ip", "link", "add", "kwva", "netns", NS_A, "type", "veth", "peer", "name", "kwvb", "netns", NS_B)
        for ns, dev in ((NS_A, "kwva"), (NS_B, "kwvb"), (NS_A, "lo")):
            sh("ip", "-n", ns, "link", "set", dev, "up")
        cls.start_serve(NS_A, "kw-inclive-",
                        'daemon: {{state_dir: {dir}/var, user: ""}}\nhttp: {{listen: 127.0.0.1:{port}}}\n' + CONFIG)

    @classmethod
    def tearDownClass(cls):
        cls.stop_serve()
        sh("ip", "netns", "del", NS_A, check=False)
        sh("ip", "netns", "del", NS_B, check=False)

    def hook(self, prefix, kind, step=None):
        return next((m for m in self.hooks(prefix) if m.get("kind") == kind and
                     (step is None or (m.get("incident") or {}).get("step") == step)), None)

    def test_flood_opens_ddos_incident_and_the_chain_runs(self):
        rp = subprocess.Popen(["ip", "netns", "exec", NS_B, "tcpreplay", "-q", "-i", "kwvb", "--multiplier", "2",
                               os.path.join(DATA, "p03_syn_flood.pcap")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: (rp.kill(), rp.wait()))
        inc = wait_for("the DDoS incident from the flood's trigger",
                       lambda: ((self.curl("GET", "/api/v1/incidents")[1] or {}).get("incidents") or [None])[0],
                       timeout=30, every=0.5)
        iid = inc["id"]
        self.assertEqual((inc["playbook"], inc["trigger"], inc["grade"], inc["systems"]), ("ddos-live", "ddos", "III", "web"))
        full = self.curl("GET", f"/api/v1/incidents/{iid}")[1]
        self.assertEqual(full["alerts"][0]["rule"], "syn_flood")
        verify = wait_for("the officer's step", lambda: self.hook("/sec", "incident_step", "verify"), timeout=15)
        self.assertEqual(verify["people"][0]["name"], "zhang.wei")
        scrub = wait_for("operations' step", lambda: self.hook("/ops", "incident_step", "scrub"), timeout=15)
        self.assertEqual(scrub["people"][0]["name"], "wang.qiang")
        status, body = self.curl("POST", f"/api/v1/incidents/{iid}/steps/verify/done", {"note": "SYN 洪泛，源地址伪造"})
        self.assertEqual(status, 200, body)
        wait_for("the late step escalated to the operations head",
                 lambda: any(m.get("kind") == "escalated" for m in self.hooks("/ops")), timeout=40)
        status, body = self.curl("POST", f"/api/v1/incidents/{iid}/close",
                                 {"cause": "SYN flood", "impact": "官网 2 分钟不可用", "lessons": "清洗预案需提前报备"})
        self.assertEqual(status, 200, body)
        rp.wait(timeout=60)
        kinds = [e["kind"] for e in self.curl("GET", f"/api/v1/incidents/{iid}")[1]["timeline"]]
        for k in ("declared", "notified", "step_done", "overdue", "closed"):
            self.assertIn(k, kinds)
        p = subprocess.run([BIN, "duty", "verify", "-c", self.config], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


if __name__ == "__main__":
    unittest.main()
