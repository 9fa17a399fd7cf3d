"""The console's incident page in headless Chromium (tests/e2e/console_incident.mjs): a data
leak declared through the API from an inline playbook (people, departments, a duty schedule;
a step that needs another, one whose department has nobody and falls back to the duty
officer), then in the browser: the list, the incident's checklist with owners and running
clocks, a step refused while what it needs is pending (the API's message shown), a step
ticked (done, step_done in the timeline), one skipped, a note, the close with its review,
a drill declared from the page, the page in English. What the browser did is then read back
from the API, and `keepwatch duty verify` covers it. Screenshots at 390x844 and 1600x1000
are kept in build-test/e2e-artifacts/."""
import os
import subprocess
import unittest

from test_console import PW, SignIn
from test_console_e2e import CHROMIUM, CONSOLE, ROOT, assert_shots, ensure_chromium, run_browser

BIN = os.environ.get("KEEPWATCH_BIN", "keepwatch")
HOSTILE = "旧事件 <img src=x onerror=window.__xss=1>"

CONFIG = """host: {enabled: false}
console: {timezone: Asia/Shanghai}
departments:
  - {name: sec, display: 安全部, kind: security, head: li.na}
  - {name: ops, display: 运维部, kind: operations, head: wang.qiang}
  - {name: cs, display: 客服部, kind: customer_service}
people:
  - {name: zhang.wei, display: 张伟, departments: [sec]}
  - {name: wang.fang, display: 王芳, departments: [sec]}
  - {name: li.na, display: 李娜, departments: [sec]}
  - {name: wang.qiang, display: 王强, departments: [ops]}
schedules:
  - name: soc
    layers: [{name: all, rotation: daily, members: [wang.fang]}]
incident:
  duty_schedule: soc
  organisation: 测试单位
  playbooks:
    - name: leak
      title: Customer data leak
      title_zh: 客户数据泄露
      category: DS
      grade: III
      phases:
        - phase: confirm
          steps:
            - {name: confirm, title: Confirm the leak, title_zh: 核实疑似泄露, owner: duty, within: 9m,
               do: Check the outbound traffic and the database audit log, do_zh: 查看外发流量与数据库审计日志}
        - phase: contain
          steps:
            - {name: contain, title: Block the leaking interface, title_zh: 封堵泄露接口, owner: "head:ops", within: 30m}
            - {name: preserve, title: Preserve the evidence, title_zh: 固定证据, owner: duty, within: 1s}
        - phase: report
          steps:
            - {name: regulator, title: Report to the regulator, title_zh: 向主管部门报告, owner: duty,
               report: regulator, needs: [confirm]}
            - {name: tell_users, title: Tell the customers, title_zh: 告知受影响用户, owner: "department:cs", within: 2h}
            - {name: summary, title: Write the summary, title_zh: 编写总结报告, owner: duty, within: 24h,
               report: department, needs: [contain]}
"""


class ConsoleIncidentE2E(SignIn):
    def test_incident_page_checklist_tick_close(self):
        if not ensure_chromium():
            self.fail("chromium or playwright-core missing: run scripts/deps.sh test and build the console")
        d = self.daemon(CONFIG)
        for name, role in (("zhang.wei", "officer"), ("wang.fang", "member")):
            subprocess.run([BIN, "user", "add", name, "--role", role, "--password-stdin", "-c", d.config_path],
                           input=PW + "\n", text=True, check=True, capture_output=True)
        status, body = d.post("/api/v1/incidents", {"playbook": "leak", "grade": "II", "title": "CRM 客户数据疑似外泄",
                                                    "summary": "外发流量异常", "systems": "crm-db"})
        self.assertEqual(status, 201, body)
        iid = body["incident"]["id"]
        self.assertEqual([s["state"] for s in body["steps"]], ["pending"] * 6)
        # a closed one, for the list's second part
        status, old = d.post("/api/v1/incidents", {"playbook": "leak", "grade": "IV", "title": HOSTILE})
        self.assertEqual(status, 201, old)
        status, _ = d.post(f"/api/v1/incidents/{old['incident']['id']}/close",
                           {"cause": "误报", "impact": "无", "lessons": "无"})
        self.assertEqual(status, 200)
        art = os.environ.get("KW_ARTIFACTS", os.path.join(ROOT, "build-test", "e2e-artifacts"))
        env = dict(os.environ, KW_URL=f"http://127.0.0.1:{d.port}", KW_PASS=PW, KW_ARTIFACTS=art,
                   KW_CHROMIUM=CHROMIUM, KW_CONSOLE_DIR=CONSOLE, KW_INCIDENT=str(iid),
                   KW_HOSTILE=HOSTILE)
        result = run_browser(self, "console_incident.mjs", env)
        # what the browser did is in the store, as the API says
        status, inc = d.get(f"/api/v1/incidents/{iid}")
        self.assertEqual(status, 200)
        steps = {s["name"]: s for s in inc["steps"]}
        self.assertEqual((steps["confirm"]["state"], steps["confirm"]["done_by"], steps["confirm"]["note"]),
                         ("done", "zhang.wei", "确认 3 万条客户记录外发"))
        self.assertEqual((steps["tell_users"]["state"], steps["tell_users"]["note"]), ("skipped", "用户尚未受影响"))
        # refused while confirm was pending, left, and skipped by the close with the other open ones
        self.assertEqual((steps["regulator"]["state"], steps["regulator"]["done_by"]), ("skipped", "zhang.wei"))
        self.assertEqual(steps["contain"]["state"], "skipped")
        self.assertIn("closed (4 open steps skipped)", next(e["text"] for e in inc["timeline"] if e["kind"] == "closed"))
        self.assertIn("nobody in department cs", steps["tell_users"]["fallback"])
        self.assertEqual((steps["summary"]["owner_spec"], steps["summary"]["owner"]), ("person:li.na", "li.na"))
        self.assertEqual(inc["incident"]["grade"], "I")
        kinds = [e["kind"] for e in inc["timeline"]]
        for k in ("declared", "step_done", "step_skipped", "assigned", "graded", "note", "review", "closed"):
            self.assertIn(k, kinds)
        self.assertEqual(kinds.count("step_done"), 1)  # the refused tick left no trace
        i = inc["incident"]
        self.assertEqual((i["state"], i["closed_by"], i["cause"], i["impact"], i["lessons"]),
                         ("closed", "zhang.wei", "接口未鉴权", "3 万条客户记录外泄", "上线前做接口鉴权检查"))
        history = d.get("/api/v1/playbooks/leak/history")[1]["history"]
        self.assertTrue(any("confirm 的时限改为 10 分钟" in (x.get("text") or "") for x in history), history)
        # the drill declared from the page
        status, drill = d.get(f"/api/v1/incidents/{result['drill']}")
        self.assertEqual(status, 200)
        self.assertEqual((drill["incident"]["drill"], drill["incident"]["grade"], drill["incident"]["title"],
                          drill["incident"]["declared_by"]), (True, "IV", "演练：测试库外泄", "zhang.wei"))
        rc, out, err = d.cli("duty", "verify")
        self.assertEqual(rc, 0, out + err)
        assert_shots(self, art, ("i1-incidents", "i2-incident", "i3-refused", "i4-closed", "i5-english", "i6-declare"))


if __name__ == "__main__":
    unittest.main()
