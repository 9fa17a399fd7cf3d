"""The duty log: notes without a daemon, alert changes from the daemon, and a store edited
behind keepwatch's back failing verify at the right entry -- also when the forger recomputes
every plain SHA-256 link and meta.duty_head (what was enough before the keyed chain), for
`duty verify`, for `duty verify --pubkey` on an export, and for the running daemon."""
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import stat
import unittest

from kwtest import DaemonTest, free_port, run, wait_for


def canonical(row, prev):
    """The canonical form of an entry as keepwatch hashes it (id, ts, kind, actor, alert, text, prev)."""
    return json.dumps({"id": row[0], "ts": row[1], "kind": row[2], "actor": row[3], "alert": row[4],
                       "text": row[5], "prev": prev}, ensure_ascii=False, separators=(",", ":"))


def forge(db, entry_id, text):
    """What a forger who can write the database does: rewrite one entry's text, then recompute
    every plain SHA-256 link from it on and meta.duty_head, exactly as keepwatch did before the
    keyed chain. Returns the forged head as (seq, hash)."""
    c = sqlite3.connect(db)
    c.execute("UPDATE duty_log SET text = ? WHERE id = ?", (text, entry_id))
    rows = c.execute("SELECT id, ts, kind, actor, alert_id, text, prev_hash FROM duty_log ORDER BY id").fetchall()
    prev = "0" * 64
    for row in rows:
        if row[0] >= entry_id:
            h = hashlib.sha256(canonical(row, prev).encode()).hexdigest()
            c.execute("UPDATE duty_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, row[0]))
            prev = h
        else:
            prev = c.execute("SELECT hash FROM duty_log WHERE id = ?", (row[0],)).fetchone()[0]
    head = (rows[-1][0], prev)
    c.execute("UPDATE meta SET value = ? WHERE key = 'duty_head'", (f"{head[0]}:{head[1]}",))
    c.commit()
    c.close()
    return head


class DutyCli(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kw-duty-")
        self.cfg = os.path.join(self.dir, "k.yaml")
        with open(self.cfg, "w") as f:
            f.write(f"daemon: {{state_dir: {self.dir}/var, user: \"\"}}\nduty: {{checkpoint_every: 2}}\n")
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
        rc, out, _ = run("duty", "export", "-c", self.cfg, "--format", "jsonl")
        lines = [json.loads(x) for x in out.splitlines()]
        rows = [r for r in lines if r["type"] == "entry"]
        self.assertEqual([r["text"] for r in rows], [f"note {i}, 值班记录" for i in range(1, 6)])
        self.assertEqual(rows[1]["prev_hash"], rows[0]["hash"])
        self.assertEqual({r["scheme"] for r in rows}, {"hmac-sha256"})
        # the anchor at 0, every 2 entries, and the one the export signed over entry 5
        cps = [r for r in lines if r["type"] == "checkpoint"]
        self.assertEqual([(c["seq"], c["from"]) for c in cps], [(0, 0), (2, 0), (4, 2), (5, 4)])
        self.assertEqual(cps[-1]["head"], rows[-1]["hash"])
        rc, out, _ = run("duty", "export", "-c", self.cfg)
        self.assertEqual(out.splitlines()[0], "id,time,kind,actor,alert_id,text,prev_hash,hash,ts_ms,scheme,from,"
                                              "digest,legacy,signature")
        self.assertIn('"note 3, 值班记录"', out)  # quoted: it holds a comma
        self.assertIn(",checkpoint,keepwatch,", out)

    def test_keys_are_private_files(self):
        var = os.path.join(self.dir, "var")
        for name in ("duty.key", "duty_sign.key"):
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(var, name)).st_mode), 0o600, name)
        self.assertEqual(os.path.getsize(os.path.join(var, "duty.key")), 32)
        rc, out, _ = run("duty", "pubkey", "-c", self.cfg)
        self.assertEqual(rc, 0)
        self.assertTrue(out.startswith("-----BEGIN PUBLIC KEY-----"), out)
        with open(os.path.join(var, "duty_sign.pub")) as f:
            self.assertEqual(f.read(), out)
        rc, out, _ = run("config", "show", "-c", self.cfg)
        with open(os.path.join(var, "duty.key"), "rb") as f:
            self.assertNotIn(f.read().hex(), out)

    def export_and_pubkey(self):
        rc, out, err = run("duty", "export", "-c", self.cfg, "--format", "jsonl")
        self.assertEqual(rc, 0, err)
        path = os.path.join(self.dir, "export.jsonl")
        with open(path, "w") as f:
            f.write(out)
        pub = os.path.join(self.dir, "auditor.pub")
        with open(pub, "w") as f:
            f.write(run("duty", "pubkey", "-c", self.cfg)[1])
        return path, pub

    def test_forger_recomputing_plain_hashes_is_caught(self):
        clean_export, pub = self.export_and_pubkey()  # checkpoint over all 5, as an auditor got it
        rc, out, _ = run("duty", "verify", "--pubkey", pub, "--file", clean_export)
        self.assertEqual(rc, 0, out)
        self.assertIn("duty log export intact: 5 entries", out)
        rc, out, _ = run("duty", "handover", "-c", self.cfg, "--by", "zhang.wei", "--dry-run")
        published = next(l.split()[3] for l in out.splitlines() if l.strip().startswith("duty log head"))
        self.assertRegex(published, r"^5:[0-9a-f]{16}$")
        self.assertEqual(run("duty", "verify", "-c", self.cfg, "--head", published)[0], 0)
        forge(self.db, 3, "note 3, nothing to see")
        rc, out, _ = self.verify()
        self.assertEqual(rc, 1, out)
        self.assertIn("BROKEN at entry 3", out)
        self.assertIn("rewritten without the key", out)
        # the published head contradicts the rewrite
        rc, out, _ = run("duty", "verify", "-c", self.cfg, "--head", published)
        self.assertEqual(rc, 1, out)
        self.assertIn("NOT on the chain", out)
        # an export of the forged log (and a note after it), checked with the public key only:
        # the export signs no checkpoint over the forgery
        self.assertEqual(run("duty", "note", "-c", self.cfg, "--by", "zhang.wei", "after the forgery")[0], 0)
        rc, _, err = run("duty", "export", "-c", self.cfg, "--format", "jsonl")
        self.assertIn("does not verify, no checkpoint signed", err)
        forged_export, _ = self.export_and_pubkey()
        rc, out, _ = run("duty", "verify", "--pubkey", pub, "--file", forged_export)
        self.assertEqual(rc, 1, out)
        self.assertIn("BROKEN at entry 3", out)
        rc, out, _ = run("duty", "verify", "-c", self.cfg, "--pubkey", pub)  # the store's log, as an export
        self.assertEqual(rc, 1, out)

    def test_signed_export_edited(self):
        path, pub = self.export_and_pubkey()
        with open(path) as f:
            lines = f.read().splitlines()
        doc = [json.loads(l) for l in lines]
        i = next(k for k, r in enumerate(doc) if r.get("id") == 2)
        doc[i]["text"] = "edited in the export"
        with open(path, "w") as f:
            f.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in doc))
        rc, out, _ = run("duty", "verify", "--pubkey", pub, "--file", path)
        self.assertEqual(rc, 1, out)
        self.assertIn("BROKEN at entry 1", out)  # the first entry of the signed range (0, 2]
        self.assertIn("signed digest differs", out)
        self.assertEqual(run("duty", "verify", "--pubkey", pub, "--file", os.path.join(self.dir, "none"))[0], 2)
        with open(path, "w") as f:
            f.write("not json\n")
        self.assertEqual(run("duty", "verify", "--pubkey", pub, "--file", path)[0], 2)

    def test_csv_formulas_neutralised(self):
        for text in ("=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3", "@SUM(A1)", "\tx"):
            self.assertEqual(run("duty", "note", "-c", self.cfg, "--by", "=cmd|' /C calc'!A0", "--", text)[0], 0)
        rc, out, _ = run("duty", "export", "-c", self.cfg)
        self.assertIn('"\'=HYPERLINK(""http://x"",""y"")"', out)
        for cell in ("\"'+1\"", "\"'-2+3\"", "\"'@SUM(A1)\"", "\"'\tx\"", "\"'=cmd|' /C calc'!A0\""):
            self.assertIn(cell, out)
        self.assertNotIn(",=", out)
        self.assertNotIn(",+1", out)

    def test_edited_entry(self):
        self.sql("UPDATE duty_log SET text = 'note 3, nothing to see' WHERE id = 3")
        rc, out, _ = self.verify()
        self.assertEqual(rc, 1)
        self.assertIn("BROKEN at entry 3", out)
        self.assertIn("changed", out)

    def test_forged_entry_with_its_hash_recomputed(self):
        # a forger who edits entry 2 and recomputes its plain hash from the canonical form
        # (the algorithm is no secret) is caught at entry 2: its link is keyed
        c = sqlite3.connect(self.db)
        row = list(c.execute("SELECT id, ts, kind, actor, alert_id, text, prev_hash FROM duty_log WHERE id = 2")
                   .fetchone())
        row[3] = "someone.else"
        forged = hashlib.sha256(canonical(row, row[6]).encode()).hexdigest()
        c.execute("UPDATE duty_log SET actor = 'someone.else', hash = ?, scheme = 0 WHERE id = 2", (forged,))
        c.commit()
        c.close()
        rc, out, _ = self.verify()
        self.assertEqual(rc, 1)
        self.assertIn("BROKEN at entry 2", out)
        self.assertIn("sha256 link where the signed checkpoints want hmac-sha256", out)

    def test_checkpoints_removed(self):
        self.sql("DELETE FROM duty_checkpoints")
        rc, out, _ = self.verify()
        self.assertEqual(rc, 1, out)
        self.assertIn("no signed checkpoint anchors the log", out)

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
        self.assertEqual(run("duty", "verify", "-c", self.cfg, "--head", "5")[0], 2)
        self.assertEqual(run("duty", "verify", "-c", self.cfg, "--file", "x.jsonl")[0], 2)
        os.remove(os.path.join(self.dir, "var", "duty.key"))  # signed, but the key is gone: an error, not "intact"
        self.assertEqual(self.verify()[0], 2)
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
        rows = [r for r in map(json.loads, out.splitlines()) if r["type"] == "entry"]
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
        last = [r for r in map(json.loads, out.splitlines()) if r["type"] == "entry"][-1]
        self.assertEqual((last["kind"], last["actor"]), ("handover", "wang.fang"))
        self.assertIn("handover to li.na: 1 open", last["text"])
        self.assertRegex(last["text"], r"; duty log head \d+:[0-9a-f]{16}$")
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

    def test_daemon_raises_duty_log_tampered(self):
        if self.pg:
            self.skipTest("forges the SQLite file (KW_TEST_STORE=pg)")
        d = self.daemon("host: {enabled: false}\nduty: {verify_interval: 1s, checkpoint_every: 3}\n")
        for i in range(1, 6):
            self.assertEqual(d.cli("duty", "note", "--by", "wang.fang", f"round {i}")[0], 0)
        metric = lambda v: f"keepwatch_duty_log_intact {v}" in d.get("/metrics")[1]
        wait_for("keepwatch_duty_log_intact 1", lambda: metric(1), timeout=10)
        forge(os.path.join(d.dir, "var", "keepwatch.db"), 4, "round 4: all quiet")
        a = d.wait_alert(lambda a: a["rule"] == "duty_log_tampered", "the duty_log_tampered alert", timeout=15)
        self.assertEqual(a["severity_name"], "critical")
        self.assertIn("entry 4", a["summary"])
        wait_for("keepwatch_duty_log_intact 0", lambda: metric(0), timeout=10)
        rc, out, _ = d.cli("alert", "list")
        self.assertIn("duty log tampered", out)
        self.assertIn("duty log BROKEN at entry 4", d.logs())


if __name__ == "__main__":
    unittest.main()
