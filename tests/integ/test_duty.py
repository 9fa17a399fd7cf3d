"""The duty log: notes without a daemon, alert changes from the daemon, and a store edited
behind keepwatch's back failing verify at the right entry."""
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import unittest

from kwtest import DaemonTest, free_port, run, wait_for


class DutyCli(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kw-duty-")
        self.cfg = os.path.join(self.dir, "k.yaml")
        with open(self.cfg, "w") as f:
            f.write(f"daemon: {{state_dir: {self.dir}/var, user: \"\"}}\n")
        self.addCleanup(shutil.rmtree, self.dir, True)
        for i in range(1, 6):
            rc, out, err = run("duty", "note", "-c", self.cfg, "--by", "zhang.wei", f"note {i}, 值班记录")
            self.assertEqual(rc, 0, err)
        self.db = os.path.join(self.dir, "var", "keepwatch.db")

    def verify(self):
        return run("duty", "verify", "-c", self.cfg)

    def sql(self, *stmts):
        c = sqlite3.connect(self.db)
        for s in stmts:
            c.execute(s)
        c.commit()
        c.close()

    def test_intact_and_export(self):
        rc, out, _ = self.verify()
        self.assertEqual((rc, out.strip()), (0, "duty log intact: 5 entries"))
        rc, out, _ = run("duty", "export", "-c", self.cfg, "--format", "json")
        rows = [json.loads(x) for x in out.splitlines()]
        self.assertEqual([r["text"] for r in rows], [f"note {i}, 值班记录" for i in range(1, 6)])
        self.assertEqual(rows[1]["prev_hash"], rows[0]["hash"])
        rc, out, _ = run("duty", "export", "-c", self.cfg)
        self.assertEqual(out.splitlines()[0], "id,time,kind,actor,alert_id,text,prev_hash,hash")
        self.assertIn('"note 3, 值班记录"', out)  # quoted: it holds a comma

    def test_edited_entry(self):
        self.sql("UPDATE duty_log SET text = 'note 3, nothing to see' WHERE id = 3")
        rc, out, _ = self.verify()
        self.assertEqual(rc, 1)
        self.assertIn("BROKEN at entry 3", out)
        self.assertIn("changed", out)

    def test_forged_entry_with_its_hash_recomputed(self):
        # a forger who edits entry 2 and recomputes its hash from the canonical form (the
        # algorithm is no secret) is caught at entry 3, which names entry 2's old hash
        c = sqlite3.connect(self.db)
        row = c.execute("SELECT id, ts, kind, actor, alert_id, text, prev_hash FROM duty_log WHERE id = 2").fetchone()
        canon = json.dumps({"id": row[0], "ts": row[1], "kind": row[2], "actor": "someone.else", "alert": row[4],
                            "text": row[5], "prev": row[6]}, ensure_ascii=False, separators=(",", ":"))
        forged = hashlib.sha256(canon.encode()).hexdigest()
        c.execute("UPDATE duty_log SET actor = 'someone.else', hash = ? WHERE id = 2", (forged,))
        c.commit()
        c.close()
        rc, out, _ = self.verify()
        self.assertEqual(rc, 1)
        self.assertIn("BROKEN at entry 3", out)
        self.assertIn("does not follow entry 2", out)

    def test_deleted_entry(self):
        self.sql("DELETE FROM duty_log WHERE id = 2")
        rc, out, _ = self.verify()
        self.assertEqual(rc, 1)
        self.assertIn("entry 2 is missing", out)

    def test_reordered_entries(self):
        self.sql("UPDATE duty_log SET id = 100 WHERE id = 2", "UPDATE duty_log SET id = 2 WHERE id = 3",
                 "UPDATE duty_log SET id = 3 WHERE id = 100")
        rc, out, _ = self.verify()
        self.assertEqual(rc, 1)
        self.assertIn("BROKEN at entry 2", out)

    def test_truncated_log(self):
        self.sql("DELETE FROM duty_log WHERE id = 5")
        rc, out, _ = self.verify()
        self.assertEqual(rc, 1)
        self.assertIn("removed from the end", out)

    def test_usage(self):
        self.assertEqual(run("duty", "note", "-c", self.cfg)[0], 2)
        self.assertEqual(run("duty", "export", "-c", self.cfg, "--format", "xml")[0], 2)
        self.assertEqual(run("duty", "verify", "-c", os.path.join(self.dir, "none.yaml"))[0], 2)


class DutyDaemon(DaemonTest):
    def test_alert_changes_are_logged_with_who(self):
        port = free_port()  # nothing listens: the check fails
        d = self.daemon(f"host: {{enabled: false}}\nchecks:\n  - {{name: db, type: tcp, host: 127.0.0.1, port: {port},"
                        f" interval: 1s, timeout: 500ms}}\n"
                        f"departments: [{{name: security, display: 安全部, kind: security}}]\n"
                        f"people: [{{name: wang.fang, display: 王芳, departments: [security]}}]\n")
        a = d.wait_alert(lambda a: a["rule"] == "service_down", "the service_down alert")
        rc, out, err = d.cli("alert", "ack", str(a["id"]), "--by", "wang.fang", "--note", "checking the database")
        self.assertEqual(rc, 0, err)
        rc, out, err = d.cli("duty", "note", "--by", "wang.fang", "db restarted by ops")
        self.assertEqual(rc, 0, err)
        rc, out, err = d.cli("duty", "export", "--format", "json")
        rows = [json.loads(x) for x in out.splitlines()]
        kinds = [(r["kind"], r["actor"], r.get("alert_id")) for r in rows]
        self.assertEqual(kinds[0], ("alert.fired", "keepwatch", a["id"]))
        self.assertIn(("alert.acknowledged", "wang.fang", a["id"]), kinds)
        self.assertEqual(kinds[-1], ("note", "wang.fang", None))
        rc, out, err = d.cli("duty", "handover", "--by", "wang.fang", "--to", "li.na")
        self.assertEqual(rc, 0, err)
        self.assertIn("OPEN ALERTS (1)", out)
        self.assertIn(f"#{a['id']} acked", out)
        self.assertIn("(acknowledged by wang.fang)", out)
        self.assertIn("1 alerts fired, 1 acknowledged, 0 resolved, 1 notes", out)
        self.assertIn("0 firing alerts not acknowledged; 1 acknowledged, not resolved", out)
        rc, out, err = d.cli("duty", "export", "--format", "json")
        last = json.loads(out.splitlines()[-1])
        self.assertEqual((last["kind"], last["actor"]), ("handover", "wang.fang"))
        self.assertIn("handover to li.na: 1 open", last["text"])
        rc, out, err = d.cli("duty", "handover", "--dry-run")  # since the last handover: nothing new
        self.assertIn("nothing in the duty log", out)
        rc, out, err = d.cli("duty", "verify")
        self.assertEqual(rc, 0, out + err)
        # response times: acknowledged by wang.fang (security), then resolved by hand
        rc, out, err = d.cli("alert", "resolve", str(a["id"]), "--by", "wang.fang")
        self.assertEqual(rc, 0, err)
        rc, out, err = d.cli("oncall", "stats", "--json")
        self.assertEqual(rc, 0, err)
        rows = {(r["by"], r["name"]): r for r in json.loads(out)}
        for key in [("all", "-"), ("severity", "high"), ("person", "wang.fang"), ("department", "security")]:
            self.assertEqual((rows[key]["alerts"], rows[key]["acknowledged"], rows[key]["resolved"]), (1, 1, 1), key)
        r = rows[("person", "wang.fang")]
        self.assertGreater(r["mtta_seconds"], 0)
        self.assertGreaterEqual(r["mttr_seconds"], r["mtta_seconds"])


if __name__ == "__main__":
    unittest.main()
