"""Drills run by the daemon (keepwatch serve on loopback, a webhook receiver on 127.0.0.1): a
synthetic-alert scenario requested with `keepwatch drill run`, its alert marked as the drill's,
the drill-only incident trigger opening a drill incident from a playbook, the 【演练】
announcement and notifications at the receiver, one step done through the API and the other
left, no acknowledgement: the score names exactly the unacknowledged stage, the step not done
and the department no channel reaches. A real alert during the run is not marked; `drill stop`
mid-run leaves no drill alert firing; a tabletop run is scored from its marks; results --json
lists the runs. Run again on PostgreSQL."""
import json
import time
import unittest

from kwtest import DaemonTest, OnPostgres, Receiver, free_port, wait_for

ORG = """departments:
  - {name: sec, display: 安全部, kind: security, head: li.na}
  - {name: ops, display: 运维部, kind: operations, head: wang.qiang}
  - {name: cs, display: 客服部, kind: customer_service}
people:
  - {name: li.na, display: 李娜, departments: [sec]}
  - {name: wang.qiang, display: 王强, departments: [ops]}
schedules:
  - name: soc
    layers: [{name: all, rotation: daily, members: [li.na]}]
"""

INCIDENT = """incident:
  duty_schedule: soc
  triggers:
    - {name: drill-web, match: {rule: web_attack}, playbook: webpb, drill_only: true}
  playbooks:
    - name: webpb
      title: Web attack
      title_zh: 网站攻击
      category: NA
      phases:
        - phase: confirm
          steps:
            - {name: confirm, title: Confirm the attack, title_zh: 核实攻击, owner: duty, within: 10m}
        - phase: contain
          steps:
            - {name: block, title: Block the source, title_zh: 封禁来源, owner: "kind:operations", within: 3s}
"""

DRILL = """drill:
  linger: 2s
  scenarios:
    - name: web_drill
      title: Web attack drill
      title_zh: 网站攻击演练
      duration: 20s
      participants: ["kind:operations"]
      inject:
        - {alert: web_attack, severity: high, labels: {source.ip: 198.51.100.7}, summary: "drill: SQL injection"}
      expect:
        rule: web_attack
        detected: 30s
        notified: 1m
        acked: 15s
        declared: 1m
        playbook: webpb
        told: [kind:operations, kind:customer_service]
    - name: long_drill
      duration: 10m
      surprise: true
      participants: ["kind:operations"]
      inject:
        - {alert: web_attack, labels: {source.ip: 198.51.100.8}}
      expect: {detected: 30s}
    - name: table
      tabletop: true
      duration: 12s
      expect: {detected: 1m, acked: 1m}
    - name: quick
      tabletop: true
      duration: 10m
      expect: {detected: 1m}
    - name: scheduled
      tabletop: true
      duration: 10m
      at: ["{at}"]
      expect: {detected: 1m}
"""


def notify_config(url):
    return f"""notify:
  group_wait: 0s
  channels:
    - {{name: sec-hook, type: webhook, url: "{url}/sec", department: sec}}
    - {{name: ops-hook, type: webhook, url: "{url}/ops", department: ops}}
  policies:
    - name: web
      levels:
        - {{notify: ["schedule:soc"], channels: [sec-hook, ops-hook]}}
  routes:
    - {{match: {{rule: web_attack}}, policy: web}}
    - {{match: {{rule: service_down}}, policy: web}}
"""


class DrillTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.rx = Receiver()
        self.addCleanup(self.rx.stop)
        closed = free_port()
        checks = (f"checks:\n  - {{name: dead, type: tcp, host: 127.0.0.1, port: {closed}, interval: 1s,"
                  f" timeout: 500ms}}\n")
        self.d = self.daemon(self.config(checks, "2000-01-01T00:00"))  # long past: not run

    def config(self, checks, at):
        return "host: {enabled: false}\n" + checks + ORG + INCIDENT + DRILL.replace("{at}", at) + notify_config(self.rx.url)

    def run_of(self, rid):
        status, body = self.d.get(f"/api/v1/drills/runs/{rid}")
        self.assertEqual(status, 200, body)
        return body

    def start(self, scenario):
        rc, out, err = self.d.cli("drill", "run", scenario, "--no-wait", "--by", "tester")
        self.assertEqual(rc, 0, err)
        return int(out.strip())

    def drill_alerts(self, rid, open_only=True):
        return [a for a in self.d.alerts() if a.get("labels", {}).get("drill") == str(rid)
                and (not open_only or a["state"] != "resolved")]

    def test_synthetic_run_scored(self):
        d = self.d
        rc, out, _ = d.cli("drill", "run", "web_drill", "--dry-run")
        self.assertEqual(rc, 0)
        self.assertIn("a synthetic web_attack alert", out)
        self.assertIn("acked     within 15 s", out)
        rid = self.start("web_drill")
        alert = wait_for("the drill's alert", lambda: (self.drill_alerts(rid) or [None])[0], timeout=20)
        self.assertEqual(alert["rule"], "web_attack")
        # a real alert raised meanwhile is not the drill's
        real = d.wait_alert(lambda a: a["rule"] == "service_down", "the real service_down alert", timeout=20)
        self.assertNotIn("drill", real.get("labels", {}))
        inc = wait_for("the drill incident", lambda: (d.get("/api/v1/incidents?drill=1")[1].get("incidents")
                                                      or [None])[-1], timeout=20)
        self.assertTrue(inc["drill"])
        status, body = d.post(f"/api/v1/incidents/{inc['id']}/steps/confirm/done", {"note": "已核实"})
        self.assertEqual(status, 200, body)
        run = wait_for("the run scored", lambda: (lambda r: r if r["state"] == "done" else None)(self.run_of(rid)),
                       timeout=45)
        weak = sorted(w["text"] for w in run["weak"])
        self.assertEqual(weak, sorted([
            "the alert was never acknowledged (target 15 s)",
            "step block (kind:operations) was not done",
            "customer service was never told: no route for department kind customer_service"]), run)
        stages = {s["stage"]: s for s in run["stages"]}
        self.assertTrue(stages["detected"]["ok"])
        self.assertTrue(stages["notified"]["ok"], stages["notified"])
        self.assertTrue(stages["declared"]["ok"])
        self.assertTrue(stages["step:confirm"]["ok"])
        self.assertFalse(stages["acked"]["ok"])
        self.assertIsNone(stages["acked"]["measured_s"])
        self.assertTrue(stages["told:kind:operations"]["ok"])
        self.assertEqual(run["incident"], inc["id"])
        self.assertIn(alert["id"], run["alerts"])
        self.assertLess(run["score"], 100)
        self.assertGreater(run["score"], 0)
        self.assertEqual([r["name"] for r in run["responders"]], ["wang.qiang"])
        # the drill's messages at the receiver say so first
        bodies = [json.loads(r["body"]) for r in self.rx.got("/")]
        self.assertTrue(any(b.get("kind") == "drill" and b["title"].startswith("【演练】") for b in bodies), bodies)
        announced = [r["path"] for r in self.rx.got("/") if json.loads(r["body"]).get("kind") == "drill"]
        self.assertEqual(announced, ["/ops"])  # the participants' department's channel only
        self.assertTrue(any(b.get("kind") != "drill" and "【演练】" in (b.get("title", "") + b.get("text", ""))
                            for b in bodies), bodies)
        # the alert it raised is resolved at the end
        self.assertEqual(self.drill_alerts(rid), [])
        self.assertEqual([a["resolve_reason"] for a in self.drill_alerts(rid, False)], ["drill over"])
        # the duty log tells this run's start, end and score, and of no run that was not requested
        rc, out, err = d.cli("duty", "export", "--format", "jsonl")
        self.assertEqual(rc, 0, err)
        drill_lines = [x for x in out.splitlines() if '"drill.' in x]
        self.assertTrue(drill_lines and all(f"drill #{rid} " in x for x in drill_lines), drill_lines)
        rc, out, _ = d.cli("drill", "show", str(rid))
        self.assertEqual(rc, 1)
        self.assertIn("step block (kind:operations) was not done", out)
        rc, out, _ = d.cli("drill", "results", "--scenario", "web_drill")
        self.assertEqual(rc, 0)
        head, row = out.splitlines()
        self.assertIn("acked(15 s)", head)
        self.assertTrue(row.startswith(f"#{rid} "), out)
        self.assertIn("never", row)
        rc, out, _ = d.cli("drill", "results", "--json")
        self.assertEqual(rc, 0)
        self.assertEqual([r["id"] for r in json.loads(out)], [rid])
        # each weak spot a finding of category drill, with an owner and a due date; asked again, the same ones
        rc, out, err = d.cli("drill", "findings", str(rid))
        self.assertEqual(rc, 0, err)
        made = json.loads(out)["findings"]
        self.assertEqual(len(made), 3)
        status, again = d.post(f"/api/v1/drills/runs/{rid}/findings", {})
        self.assertEqual((status, again["findings"]), (200, made), again)
        status, body = d.get("/api/v1/findings?category=drill")
        self.assertEqual(status, 200, body)
        found = {f["message"]: f for f in body["findings"]}
        self.assertEqual(sorted(found), weak)
        self.assertEqual(found["step block (kind:operations) was not done"]["keepwatch.finding.owner"], "wang.qiang")
        self.assertEqual(found["the alert was never acknowledged (target 15 s)"]["keepwatch.finding.owner"], "li.na")
        self.assertTrue(all(f["keepwatch.finding.due"] and f["vulnerability.category"] == "drill"
                            for f in found.values()), found)
        self.assertTrue(all(w["finding"] in made for w in self.run_of(rid)["weak"]))

    def test_stop_mid_run(self):
        rid = self.start("long_drill")
        wait_for("the drill's alert", lambda: self.drill_alerts(rid), timeout=20)
        rc, out, err = self.d.cli("drill", "stop")
        self.assertEqual(rc, 0, err)
        run = wait_for("the run stopped", lambda: (lambda r: r if r["state"] == "stopped" else None)(self.run_of(rid)),
                       timeout=20)
        self.assertEqual(self.drill_alerts(rid), [])
        self.assertEqual(run["score"], 100, run)
        # a surprise: nobody was told it would start
        self.assertEqual([r for r in self.rx.got("/") if json.loads(r["body"]).get("kind") == "drill"], [])
        rc, _, _ = self.d.cli("drill", "stop", str(rid))
        self.assertEqual(rc, 2)

    def test_tabletop_marks(self):
        rid = self.start("table")
        wait_for("the run running", lambda: self.run_of(rid)["state"] == "running", timeout=20)
        rc, out, err = self.d.cli("drill", "mark", str(rid), "detected", "--by", "li.na", "--note", "报告")
        self.assertEqual(rc, 0, err)
        status, body = self.d.post(f"/api/v1/drills/runs/{rid}/marks", {"stage": "notified", "by": "wang.qiang"})
        self.assertEqual(status, 201, body)
        status, body = self.d.post(f"/api/v1/drills/runs/{rid}/marks", {"stage": "lunch"})
        self.assertEqual(status, 400, body)
        run = wait_for("the run scored", lambda: (lambda r: r if r["state"] == "done" else None)(self.run_of(rid)),
                       timeout=30)
        stages = {s["stage"]: s for s in run["stages"]}
        self.assertTrue(stages["detected"]["ok"])
        self.assertFalse(stages["acked"]["ok"])
        self.assertEqual([w["text"] for w in run["weak"]], ["the alert was never acknowledged (target 1 min)"])
        self.assertEqual(run["score"], 50)

    def test_all_met_ends_early_and_schedule(self):
        rid = self.start("quick")
        wait_for("the run running", lambda: self.run_of(rid)["state"] == "running", timeout=20)
        rc, _, err = self.d.cli("drill", "mark", str(rid), "detected")
        self.assertEqual(rc, 0, err)
        run = wait_for("the run ended with every expectation met",
                       lambda: (lambda r: r if r["state"] == "done" else None)(self.run_of(rid)), timeout=20)
        self.assertEqual((run["score"], run["weak"]), (100, []))
        status, runs = self.d.get("/api/v1/drills/runs?scenario=scheduled")
        self.assertEqual((status, runs), (200, []))
        # a daemon whose scheduled scenario's time came a minute ago requests it, once
        d = self.make_daemon(self.config("", time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() - 60))))
        d.start()
        runs = wait_for("the scheduled run", lambda: d.get("/api/v1/drills/runs?scenario=scheduled")[1], timeout=20)
        time.sleep(11)  # the schedule looked at again
        runs = d.get("/api/v1/drills/runs?scenario=scheduled")[1]
        self.assertEqual([(r["requested_by"], r["state"]) for r in runs], [("schedule", "running")])

    def test_api(self):
        status, body = self.d.get("/api/v1/drills/scenarios")
        self.assertEqual(status, 200)
        names = [s["name"] for s in body]
        self.assertIn("ddos", names)
        self.assertIn("web_drill", names)
        status, body = self.d.post("/api/v1/drills/runs", {"scenario": "nope"})
        self.assertEqual(status, 404)
        status, body = self.d.post("/api/v1/drills/runs", {"scenario": "table"})
        self.assertEqual(status, 201)
        status, runs = self.d.get("/api/v1/drills/runs?scenario=table")
        self.assertEqual([r["id"] for r in runs], [body["id"]])
        status, _ = self.d.get("/api/v1/drills/runs/99999")
        self.assertEqual(status, 404)


class DrillPgTest(OnPostgres, DrillTest):
    pass


if __name__ == "__main__":
    unittest.main()
