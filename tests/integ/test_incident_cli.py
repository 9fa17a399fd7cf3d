"""keepwatch incident end to end, without a daemon: declare from a playbook written inline in
the configuration (owners resolved from the duty rota and departments, a fallback to the duty
officer recorded), the refusals with their exit codes, re-grade, assign, attach an alert,
close with a review and a proposal, the listing, the stats, the playbook history, the Chinese
output, and `duty verify` over all of it. The same again on a throwaway PostgreSQL
(pgserver.py) when one is installed."""
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import unittest

from kwtest import DaemonTest, OnPostgres, run
from pgserver import PgServer, bindir

PLAYBOOK = """
people:
  - {name: ann, departments: [sec]}
  - {name: bob, departments: [sec]}
  - {name: dan, departments: [ops]}
departments:
  - {name: sec, kind: security, head: bob}
  - {name: ops, kind: operations}
schedules:
  - name: duty
    timezone: '+08:00'
    layers:
      - {name: main, rotation: weekly, start: 2026-01-05, handoff: '09:00', members: [ann]}
incident:
  org_type: state_organ
  playbooks:
    - name: ddos
      title: DDoS makes a service unreachable
      title_zh: DDoS 攻击导致服务不可用
      category: NA
      subcategory: NADOS
      grade: IV
      phases:
        - phase: confirm
          steps:
            - {name: verify, title: Confirm the attack, title_zh: 核实攻击, owner: duty, within: 15m}
        - phase: contain
          steps:
            - {name: scrub, title: Start scrubbing, owner: 'kind:operations', needs: [verify], within: 1h}
            - {name: cdn, title: Switch to the CDN, owner: 'department:ops', within: 2h, grades: [I, II, III]}
        - phase: report
          steps:
            - {name: regulator, title: Report to the regulator, owner: 'head:sec', report: regulator}
            - {name: tell_cs, title: Tell customer service, owner: 'kind:customer_service'}
"""

MIN = 60000


class IncidentCli(unittest.TestCase):
    """On SQLite; IncidentCliPg runs the same cases with the store on PostgreSQL."""

    store = ""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kw-incident-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.cfg = self.config("en")
        self.cfg_zh = self.config("zh", "kz.yaml")

    def config(self, language, name="k.yaml"):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(f'daemon: {{state_dir: {self.dir}/var, user: ""}}\n{self.store}'
                    f"notify: {{language: {language}}}\n{PLAYBOOK}")
        return path

    def kw(self, *args, cfg=None):
        return run("incident", *args, "-c", cfg or self.cfg, "--by", "ann")

    def ok(self, *args, cfg=None):
        rc, out, err = self.kw(*args, cfg=cfg)
        self.assertEqual(rc, 0, f"{args}: {err}")
        return out

    def refused(self, code, needle, *args):
        rc, out, err = self.kw(*args)
        self.assertEqual(rc, code, f"{args}: {out}{err}")
        self.assertIn(needle, err)

    def show(self, iid):
        return json.loads(self.ok("show", str(iid), "--json"))

    def step(self, doc, name):
        return next(s for s in doc["steps"] if s["name"] == name)

    def add_alert(self, started_ms):
        """An alert in the store, as the daemon would have written it; returns its id."""
        sql = ("INSERT INTO alerts (fingerprint, rule, state, severity, summary, labels, started_at, updated_at)"
               f" VALUES ('fp{started_ms}', 'syn_flood', 'firing', 4, 'SYN flood on portal', '{{}}',"
               f" {started_ms}, {started_ms}) RETURNING id")
        db = sqlite3.connect(os.path.join(self.dir, "var", "keepwatch.db"))
        aid = db.execute(sql).fetchone()[0]
        db.commit()
        db.close()
        return aid

    def test_lifecycle(self):
        now = int(time.time() * 1000)
        self.assertIn("incident #1 declared", self.ok("open", "--playbook", "ddos", "--title", "portal down",
                                                       "--summary", "the portal does not answer"))
        doc = self.show(1)
        inc = doc["incident"]
        self.assertEqual((inc["grade"], inc["state"], inc["declared_by"], inc["category"]), ("IV", "open", "ann", "NA"))
        self.assertEqual(len(inc["playbook_digest"]), 64)
        self.assertEqual(self.step(doc, "verify")["owner"], "ann")          # on duty
        self.assertEqual(self.step(doc, "scrub")["owner"], "dan")           # ops: its first person
        self.assertEqual(self.step(doc, "scrub")["owner_department"], "ops")
        self.assertEqual(self.step(doc, "cdn")["state"], "na")              # Ⅲ and above only
        self.assertEqual(self.step(doc, "regulator")["state"], "na")        # Ⅳ: not reported
        self.assertEqual(self.step(doc, "tell_cs")["fallback"],
                         "no department of kind customer_service: the duty officer")
        self.assertAlmostEqual(self.step(doc, "verify")["due_ms"] - inc["declared_ms"], 15 * MIN)
        # the listing names the pending step due first (verify, 15 min, before scrub's hour)
        listed = json.loads(self.ok("list", "--json"))["incidents"][0]
        self.assertEqual((listed["next_step"]["name"], listed["next_step"]["due_ms"]),
                         ("verify", self.step(doc, "verify")["due_ms"]))
        self.assertEqual(inc["category_name"]["zh"], "网络攻击事件")

        # refusals: exit 1 for what the command found, 2 for bad input
        self.refused(1, "needs verify first", "step", "done", "1", "scrub")
        self.refused(1, "does not apply at grade IV", "step", "done", "1", "cdn")
        self.refused(1, "no incident #9", "step", "done", "9", "verify")
        self.refused(1, 'has no step "nope"', "step", "done", "1", "nope")
        self.refused(2, "--reason", "step", "skip", "1", "scrub")
        self.refused(2, "no playbook", "open", "--playbook", "nope")
        self.refused(2, "--grade takes", "open", "--playbook", "ddos", "--grade", "V")
        self.refused(2, "a grade is", "grade", "1", "9")

        self.assertIn("step verify done", self.ok("step", "done", "1", "verify", "--note", "2 Mpps SYN"))
        self.refused(1, "done already", "step", "done", "1", "verify")

        # an alert found 30 minutes ago: attached once, the second time a no-op
        aid = self.add_alert(now - 30 * MIN) if not self.store else self.add_alert_pg(now - 30 * MIN)
        self.assertIn("attached", self.ok("attach", "1", str(aid)))
        self.assertIn("already", self.ok("attach", "1", str(aid)))
        self.refused(1, f"no alert 777", "attach", "1", "777")

        self.ok("grade", "1", "III", "--reason", "two services down")
        doc = self.show(1)
        self.assertEqual(doc["incident"]["grade"], "III")
        self.assertEqual(self.step(doc, "cdn")["state"], "pending")
        reg = self.step(doc, "regulator")
        self.assertEqual(reg["state"], "pending")
        self.assertEqual(reg["owner"], "bob")
        # found when declared (no --found, no alert then): a state organ reports within 2 h
        self.assertEqual(reg["due_ms"] - doc["incident"]["found_ms"], 120 * MIN)

        self.refused(2, "no person zoe", "assign", "1", "cdn", "zoe")
        self.ok("assign", "1", "cdn", "bob")
        self.assertEqual(self.step(self.show(1), "cdn")["owner"], "bob")
        self.ok("step", "done", "1", "scrub")
        self.ok("step", "skip", "1", "cdn", "--reason", "no CDN contract")
        self.assertGreater(self.show(1)["incident"]["contained_ms"], 0)
        self.ok("note", "1", "ISP scrubbing is on")

        self.refused(2, "the lessons is required", "close", "1", "--cause", "botnet", "--impact", "40 min down")
        self.ok("close", "1", "--cause", "botnet SYN flood", "--impact", "portal down 40 minutes",
                "--lessons", "pre-arrange scrubbing", "--proposal", "call the ISP's scrubbing desk within 10m")
        self.refused(1, "closed already", "close", "1", "--cause", "a", "--impact", "b", "--lessons", "c")
        self.refused(1, "is closed", "step", "done", "1", "tell_cs")
        self.ok("note", "1", "report filed")
        doc = self.show(1)
        self.assertEqual(doc["incident"]["state"], "closed")
        self.assertEqual(self.step(doc, "tell_cs")["note"], "closed with the incident")
        kinds = [e["kind"] for e in doc["timeline"]]
        self.assertEqual(kinds, ["declared", "step_done", "alert_attached", "graded", "assigned", "step_done",
                                 "step_skipped", "note", "closed", "review", "note"])

        # the review record, the listing, the stats, the playbook's history
        text = self.ok("show", "1", "--timeline")
        self.assertIn("graded", text)
        self.assertIn("grade IV -> III (two services down)", text)
        self.assertIn("no department of kind customer_service", text)
        self.ok("open", "--playbook", "ddos", "--drill", "--title", "drill 1")
        listing = json.loads(self.ok("list", "--state", "all", "--json"))["incidents"]
        self.assertEqual([(i["id"], i["state"], i["drill"]) for i in listing], [(2, "open", True), (1, "closed", False)])
        self.assertIn("drill 1", self.ok("list"))
        self.assertNotIn("portal down", self.ok("list"))
        stats = json.loads(self.ok("stats", "--json"))
        real = stats["incidents"]
        self.assertEqual(real["count"], 1)
        self.assertEqual(real["by_category"], {"NA": 1})
        self.assertEqual(real["by_grade"], {"III": 1})
        self.assertEqual(real["time_to_contain"]["count"], 1)
        self.assertEqual(real["steps_on_time"]["ops"], {"on_time": 1, "with_due": 1})  # scrub
        self.assertEqual(real["steps_on_time"]["-"], {"on_time": 1, "with_due": 2})    # verify; cdn skipped (bob)
        self.assertEqual(stats["drills"]["count"], 1)
        self.assertIn("steps on time per department", self.ok("stats"))
        hist = json.loads(self.ok("playbook", "history", "ddos", "--json"))["history"]
        self.assertEqual([(h["kind"], h["incident"], h["actor"]) for h in hist], [("proposal", 1, "ann")])
        self.assertIn("scrubbing desk", self.ok("playbook", "history"))

        # Chinese output from notify.language: zh
        zh = self.ok("show", "2", cfg=self.cfg_zh)
        self.assertIn("确认与评估", zh)
        self.assertIn("核实攻击", zh)
        self.assertIn("级别 Ⅳ 一般", zh)

        # the record as the regulator's report and a department's notice
        md = self.ok("report", "1", cfg=self.cfg_zh)
        for want in ("网络安全事件报告", "网络攻击事件 / 拒绝服务事件 (NA / NADOS)", "核实攻击", "已关闭"):
            self.assertIn(want, md)
        self.assertIn("Cybersecurity incident notice", self.ok("report", "1", "--for", "operations", "--lang", "en"))
        self.assertIn("<html", self.ok("report", "1", "--format", "html"))
        pdf = os.path.join(self.dir, "r.pdf")
        self.ok("report", "1", "--format", "pdf", "-o", pdf)
        with open(pdf, "rb") as f:
            self.assertEqual(f.read(5), b"%PDF-")
        self.refused(2, "-o FILE", "report", "1", "--format", "pdf")
        self.refused(2, "--for takes", "report", "1", "--for", "press")
        self.refused(1, "", "report", "99")

        # every change is in the duty log, and the log verifies
        rc, out, err = run("duty", "verify", "-c", self.cfg)
        self.assertEqual(rc, 0, out + err)
        rc, out, err = run("duty", "export", "-c", self.cfg)
        self.assertEqual(rc, 0, err)
        self.assertIn("incident #1: step verify done: 2 Mpps SYN", out)
        self.assertIn("incident #1: closed", out)

    def test_help_and_usage(self):
        rc, out, _ = run("incident", "--help")
        self.assertEqual(rc, 0)
        self.assertIn("keepwatch incident open --playbook NAME", out)
        self.assertEqual(run("incident")[0], 2)
        self.assertEqual(run("incident", "frobnicate")[0], 2)
        self.assertEqual(self.kw("show", "x")[0], 2)
        self.assertEqual(self.kw("list", "--state", "weird")[0], 2)


class IncidentBesideDaemon(DaemonTest):
    """The daemon migrates the incident tables as the store opens (the module's migrations);
    the CLI declares and works an incident on the store the daemon is running on."""

    def test_daemon_migrates_and_cli_works_beside_it(self):
        d = self.daemon(PLAYBOOK)
        db = os.path.join(d.dir, "var", "keepwatch.db")
        if not self.pg:
            c = sqlite3.connect(db)
            part = c.execute("SELECT version FROM keepwatch_schema WHERE part = 'incident'").fetchone()
            tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            c.close()
            self.assertEqual(part, (1,))
            self.assertTrue({"incidents", "incident_steps", "incident_events", "incident_alerts",
                             "playbook_history"} <= tables, tables)
        rc, out, err = d.cli("incident", "open", "--playbook", "ddos", "--by", "ann")
        self.assertEqual(rc, 0, err)
        rc, out, err = d.cli("incident", "step", "done", "1", "verify", "--by", "ann")
        self.assertEqual(rc, 0, err)
        rc, out, err = d.cli("duty", "verify")
        self.assertEqual(rc, 0, out + err)


class IncidentBesideDaemonPg(OnPostgres, IncidentBesideDaemon):
    pass


@unittest.skipUnless(bindir(), "PostgreSQL server not installed (scripts/deps.sh test)")
class IncidentCliPg(IncidentCli):
    @classmethod
    def setUpClass(cls):
        cls.pg = PgServer()
        cls.addClassCleanup(cls.pg.stop)
        cls.pg.start()
        cls.n = 0

    def setUp(self):
        IncidentCliPg.n += 1
        self.db = f"kw_incident_{IncidentCliPg.n}"
        self.url = self.pg.new_database(self.db)
        self.store = f"store: {{url: '{self.url}'}}\n"
        super().setUp()
        rc, out, err = run("incident", "list", "-c", self.cfg)
        if "support is not built in" in err:
            self.skipTest("keepwatch built without libpq")

    def test_unit_operations_on_postgres(self):
        """The operations' unit program (tests/unit/test_incident_ops.c) with its stores on this server."""
        path = os.path.join(os.path.dirname(os.environ.get("KEEPWATCH_BIN", "keepwatch")), "tests", "test_incident_ops")
        if not os.path.exists(path):
            self.skipTest(f"{path} not built")
        p = subprocess.run([path], capture_output=True, text=True, timeout=600, cwd=self.dir,
                           env=dict(os.environ, KW_TEST_PG_URL=self.pg.url))
        out = p.stdout + p.stderr
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("ok   test_incident_lifecycle", out)
        self.assertIn(": postgresql schema t_", out)
        self.assertNotIn(self.pg.password, out)

    def add_alert_pg(self, started_ms):
        out = self.pg.psql("INSERT INTO alerts (fingerprint, rule, state, severity, summary, labels, started_at,"
                           f" updated_at) VALUES ('fp{started_ms}', 'syn_flood', 'firing', 4, 'SYN flood', '{{}}',"
                           f" {started_ms}, {started_ms}) RETURNING id", database=self.db)
        return int(out.split()[0])


if __name__ == "__main__":
    unittest.main()
