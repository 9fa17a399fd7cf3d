"""Incidents run by the daemon: a trigger opens one from an alert (a failing service check), a
second alert of the same system joins it instead of opening another, the owners (the officer
on duty, the operations department) and the business department told through a real webhook
receiver on 127.0.0.1, a step done through the API (twice: refused), one left to go overdue
(an incident_step_overdue alert that notify escalates from the officer to the operations head,
and that resolves once the step is done), the close with its review (refused without lessons,
refused twice), and `keepwatch duty verify` over all of it."""
import json
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.request

from kwtest import DaemonTest, Receiver, free_port, wait_for

ORG = """departments:
  - {name: sec, display: 安全部, kind: security, head: li.na}
  - {name: ops, display: 运维部, kind: operations, head: wang.qiang}
  - {name: biz, display: 业务部, kind: business}
people:
  - {name: wang.fang, display: 王芳, departments: [sec]}
  - {name: li.na, display: 李娜, departments: [sec]}
  - {name: wang.qiang, display: 王强, departments: [ops]}
  - {name: zhao.min, display: 赵敏, departments: [biz]}
schedules:
  - name: soc
    layers: [{name: all, rotation: daily, members: [wang.fang]}]
assets:
  - {name: db01, addresses: [127.0.0.1], criticality: critical, business: 网上银行, impact: 用户可能无法查询余额}
"""

PLAYBOOK = """incident:
  duty_schedule: soc
  organisation: 测试单位
  triggers:
    - {name: outage, match: {rule: service_down, criticality|gt: high}, playbook: outage, grade: II}
  playbooks:
    - name: outage
      title: A critical service is down
      title_zh: 关键服务中断
      category: DE
      phases:
        - phase: confirm
          steps:
            - {name: confirm, title: Confirm the outage, title_zh: 核实中断, owner: duty, within: 10m,
               do_zh: 查看检查结果与日志, tell: [kind:business]}
        - phase: recover
          steps:
            - {name: restore, title: Restore the service, title_zh: 恢复服务, owner: "kind:operations", within: 4s}
        - phase: report
          steps:
            - {name: regulator, title: Report to the regulator, title_zh: 向主管部门报告, owner: duty,
               report: regulator, grades: [I, II, III], needs: [confirm]}
"""


def notify_config(url):
    return f"""notify:
  group_wait: 0s
  channels:
    - {{name: sec-hook, type: webhook, url: "{url}/sec", department: sec}}
    - {{name: ops-hook, type: webhook, url: "{url}/ops", department: ops}}
    - {{name: biz-hook, type: webhook, url: "{url}/biz", department: biz}}
  policies:
    - name: late
      levels:
        - {{notify: ["schedule:soc"], channels: [sec-hook], escalate_after: 10s}}
        - {{notify: ["head:ops"], channels: [ops-hook]}}
  routes:
    - {{match: {{rule: incident_step_overdue}}, policy: late}}
"""


class IncidentEngineTest(DaemonTest):
    def setUp(self):
        self.rx = Receiver()
        self.addCleanup(self.rx.stop)
        closed = free_port()
        checks = "".join(f"  - {{name: {n}, type: tcp, host: 127.0.0.1, port: {closed}, interval: 1s, timeout: 500ms,"
                         f" asset: db01}}\n" for n in ("db", "db-replica"))
        self.d = self.daemon("host: {enabled: false}\nchecks:\n" + checks + ORG + PLAYBOOK + notify_config(self.rx.url))

    def messages(self, prefix):
        return [json.loads(r["body"]) for r in self.rx.got(prefix)]

    def message(self, prefix, kind, step=None):
        return next((m for m in self.messages(prefix) if m.get("kind") == kind
                     and (step is None or m.get("incident", {}).get("step") == step)), None)

    def fetch_bytes(self, path):
        req = urllib.request.Request(f"http://127.0.0.1:{self.d.port}{path}",
                                     headers={"Authorization": f"Bearer {self.d.token}"})
        with urllib.request.urlopen(req, timeout=30) as r:
            self.assertEqual(r.headers.get("Content-Type"), "application/pdf")
            return r.read()

    def incident(self, iid):
        status, body = self.d.get(f"/api/v1/incidents/{iid}")
        self.assertEqual(status, 200, body)
        return body

    def test_trigger_tell_overdue_escalate_close(self):
        d = self.d
        first = wait_for("an incident from the trigger",
                         lambda: (d.get("/api/v1/incidents")[1].get("incidents") or [None])[-1], timeout=20)
        iid = first["id"]
        self.assertEqual((first["playbook"], first["trigger"], first["grade"], first["systems"], first["state"]),
                         ("outage", "outage", "II", "db01", "open"))
        # the replica's alert is the same system: it joins, no second incident
        wait_for("both alerts attached", lambda: len(self.incident(iid)["alerts"]) >= 2, timeout=20)
        self.assertEqual(len(d.get("/api/v1/incidents")[1]["incidents"]), 1)
        # the owners and the business department told, each on their department's channel
        sec = wait_for("the officer's step", lambda: self.message("/sec", "incident_step", "confirm"), timeout=15)
        self.assertEqual(sec["people"][0]["name"], "wang.fang")
        self.assertIn("查看检查结果与日志", sec["text"])
        self.assertIn(f"keepwatch incident step done {iid} confirm", sec["text"])
        ops = wait_for("operations' step", lambda: self.message("/ops", "incident_step", "restore"), timeout=15)
        self.assertEqual(ops["people"][0]["name"], "wang.qiang")
        biz = wait_for("the business notice", lambda: self.message("/biz", "incident_tell"), timeout=15)
        self.assertIn("网上银行", biz["text"])
        # the regulator step waits for confirm: not told yet
        self.assertIsNone(self.message("/sec", "incident_step", "regulator"))
        status, body = d.post(f"/api/v1/incidents/{iid}/steps/confirm/done", {"note": "确认端口不通"})
        self.assertEqual(status, 200, body)
        status, body = d.post(f"/api/v1/incidents/{iid}/steps/confirm/done", {})
        self.assertEqual(status, 409, body)
        reg = wait_for("the regulator step, once confirm is done",
                       lambda: self.message("/sec", "incident_step", "regulator"), timeout=15)
        self.assertGreater(reg["incident"]["due_ms"], 0)
        self.assertIn(f"keepwatch incident report {iid} --for regulator", reg["text"])
        # restore was due 4 s after the declaration: overdue, told to the officer, then escalated
        late = d.wait_alert(lambda a: a["rule"] == "incident_step_overdue" and a["labels"].get("step") == "restore",
                            "the overdue alert", timeout=20)
        self.assertEqual(late["labels"]["incident"], iid)
        wait_for("the overdue alert told to the officer",
                 lambda: any(m.get("kind") == "firing" and "restore" in m.get("text", "") for m in self.messages("/sec")),
                 timeout=20)
        wait_for("escalated to the operations head",
                 lambda: any(m.get("kind") == "escalated" for m in self.messages("/ops")), timeout=40)
        status, body = d.post(f"/api/v1/incidents/{iid}/steps/restore/done", {"note": "服务已恢复"})
        self.assertEqual(status, 200, body)
        d.wait_alert(lambda a: a["id"] == late["id"] and a["state"] == "resolved", "the overdue alert resolved",
                     timeout=20)
        # the regulator's report and customer service's notice, from the record
        status, md = d.get(f"/api/v1/incidents/{iid}/report?for=regulator&format=md")
        self.assertEqual(status, 200, md)
        for want in ("网络安全事件报告", "测试单位", "设备设施故障事件", "Ⅱ级（重大）", "网上银行", "核实中断", "确认端口不通"):
            self.assertIn(want, md)
        self.assertEqual(d.get(f"/api/v1/incidents/{iid}/report?for=press")[0], 400)
        pdf = self.fetch_bytes(f"/api/v1/incidents/{iid}/report?for=business&format=pdf")
        self.assertTrue(pdf.startswith(b"%PDF-"), pdf[:40])
        if shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, timeout=30).stdout.decode()
            self.assertIn("网络安全事件通报", text)
            self.assertIn("用户可能无法查询余额", text)
        # the close asks for the review, once
        status, body = d.post(f"/api/v1/incidents/{iid}/close", {"cause": "端口被防火墙误封", "impact": "查询中断 3 分钟"})
        self.assertEqual(status, 400, body)
        review = {"cause": "端口被防火墙误封", "impact": "查询中断 3 分钟", "lessons": "变更前核对端口",
                  "proposal": "restore 的时限改为 15 分钟"}
        status, body = d.post(f"/api/v1/incidents/{iid}/close", review)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["incident"]["state"], "closed")
        status, body = d.post(f"/api/v1/incidents/{iid}/close", review)
        self.assertEqual(status, 409, body)
        kinds = [e["kind"] for e in self.incident(iid)["timeline"]]
        for k in ("declared", "alert_attached", "notified", "step_done", "overdue", "closed"):
            self.assertIn(k, kinds)
        status, hist = d.get("/api/v1/playbooks/outage/history")
        self.assertEqual(status, 200, hist)
        self.assertIn("15 分钟", json.dumps(hist, ensure_ascii=False))
        rc, out, err = d.cli("duty", "verify")
        self.assertEqual(rc, 0, out + err)
        rc, out, err = d.cli("duty", "export", "--format", "jsonl")
        self.assertEqual(rc, 0, err)
        self.assertGreaterEqual(out.count(f"incident #{iid}:"), 6, out[-3000:])


class PlaybookReloadTest(DaemonTest):
    """A playbook file broken on disk: the reload is refused with FILE:LINE:COL and the running
    playbooks stay; mended and improved, the next reload takes it, and the playbook's history
    records each version that came into use."""

    GOOD = ("name: outage\ntitle: A service is down\ncategory: DE\nphases:\n  - phase: confirm\n"
            "    steps:\n      - {name: confirm, title: Confirm, owner: duty, within: 10m}\n")

    def test_bad_playbook_file_keeps_the_running_ones(self):
        import os
        import signal
        pdir = tempfile.mkdtemp(prefix="kw-pb-")
        self.addCleanup(shutil.rmtree, pdir, True)
        with open(os.path.join(pdir, "outage.yaml"), "w") as f:
            f.write(self.GOOD)
        d = self.daemon(ORG + f"incident:\n  duty_schedule: soc\n  playbook_dir: {pdir}\n")
        names = lambda: sorted(p["name"] for p in d.get("/api/v1/playbooks")[1]["playbooks"])
        self.assertIn("outage", names())
        self.assertIn("ddos", names())  # the built-ins beside it
        with open(os.path.join(pdir, "outage.yaml"), "w") as f:
            f.write(self.GOOD.replace("needs: []", "").replace("owner: duty", "owner: duty, needs: [ghost]"))
        with open(os.path.join(pdir, "second.yaml"), "w") as f:
            f.write(self.GOOD.replace("outage", "second"))
        d.send_signal(signal.SIGHUP)
        wait_for("the reload refused", lambda: "reload rejected" in d.logs(), timeout=15)
        self.assertRegex(d.logs(), r"outage\.yaml:7:\d+: .*ghost")
        self.assertIn("outage", names())
        self.assertNotIn("second", names())  # nothing of the refused configuration is taken
        adopted = lambda: [h for h in d.get("/api/v1/playbooks/outage/history")[1]["history"] if h["kind"] == "adopted"]
        wait_for("the version in use recorded", lambda: len(adopted()) == 1, timeout=15)
        with open(os.path.join(pdir, "outage.yaml"), "w") as f:
            f.write(self.GOOD.replace("within: 10m", "within: 20m"))  # mended, and improved
        d.send_signal(signal.SIGHUP)
        wait_for("the mended reload", lambda: "second" in names(), timeout=15)
        versions = wait_for("the new version recorded", lambda: (lambda a: a if len(a) == 2 else None)(adopted()),
                            timeout=15)
        self.assertNotEqual(versions[0]["text"], versions[1]["text"])
        self.assertIn("outage.yaml", versions[0]["text"])


if __name__ == "__main__":
    unittest.main()
