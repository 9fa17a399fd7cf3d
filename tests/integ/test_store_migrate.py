"""keepwatch store migrate: a SQLite store written by the release before schema 8
(tests/data/store/release-v7.db, made by make-fixture.sh with that release) is copied into a
throwaway PostgreSQL (pgserver.py) with every row of every table, the same values, a duty log
that verifies with the release's keys, the same alert listing, id sequences past the copied
ids (a new alert after the copy), and a second copy into the now full database refused; and
today's daemon opens the release's store itself (schema 7 -> SCHEMA) keeping every row."""

import json
import os
import shutil
import sqlite3
import unittest

from kwtest import Daemon, DaemonTest, free_port, run, wait_for
from pgserver import PgServer, bindir

SCHEMA = 9  # the store's schema version today (src/store/store.c)

DATA = os.environ.get("KW_TEST_DATA") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
FIXTURE = os.path.join(DATA, "store")
KEYS = ("duty.key", "duty_sign.key", "duty_sign.pub")

# every table of the store, with the columns that order its rows
TABLES = {
    "alerts": "id", "alert_history": "id", "metric_series": "id", "metric_raw": "series, ts",
    "metric_1m": "series, ts", "metric_1h": "series, ts", "meta": "key", "log_offsets": "key",
    "duty_log": "id", "duty_checkpoints": "seq", "notify_groups": "id", "notify_members": "group_id, alert_id",
    "notify_outbox": "id", "silences": "id", "users": "id", "sessions": "id_hash", "api_tokens": "id",
}
# tables only appended to: a daemon running on the store leaves their rows as they were
APPEND_ONLY = ("alert_history", "metric_series", "metric_raw", "duty_log", "duty_checkpoints", "users",
               "api_tokens", "silences")


def sqlite_rows(path, table):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute(f"SELECT * FROM {table} ORDER BY {TABLES[table]}")]
    finally:
        db.close()


def sqlite_version(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()


def same_value(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(a - b) <= 1e-9 * max(1.0, abs(a))
    return a == b


def release_columns(rows, like):
    """rows with only the columns the release's rows (like) have: later versions add some."""
    keys = list(like[0].keys()) if like else []
    return [{k: r[k] for k in keys} for r in rows]


class ReleaseStore(DaemonTest):
    def state_dir(self, config=""):
        """A Daemon (not started) whose state_dir holds the release's store and its keys."""
        d = Daemon(config)
        self.addCleanup(d.cleanup)
        self.addCleanup(lambda: os.path.exists(d.log_path) and self._dump_logs_on_failure(d))
        var = os.path.join(d.dir, "var")
        os.makedirs(var, mode=0o750)
        shutil.copy(os.path.join(FIXTURE, "release-v7.db"), os.path.join(var, "keepwatch.db"))
        for k in KEYS:
            shutil.copy(os.path.join(FIXTURE, k), os.path.join(var, k))
        for f in os.listdir(var):
            os.chmod(os.path.join(var, f), 0o600)
        return d, os.path.join(var, "keepwatch.db")

    def test_fixture_is_the_release(self):
        path = os.path.join(FIXTURE, "release-v7.db")
        self.assertEqual(sqlite_version(path), 7)
        self.assertLess(os.path.getsize(path), 1 << 20)
        kinds = {r["kind"] for r in sqlite_rows(path, "duty_log")}
        self.assertTrue({"alert.fired", "alert.acknowledged", "alert.assigned", "alert.commented",
                         "alert.resolved", "note", "handover"} <= kinds, kinds)
        self.assertEqual({r["state"] for r in sqlite_rows(path, "notify_outbox")}, {"pending", "failed"})
        self.assertEqual({r["state"] for r in sqlite_rows(path, "alerts")}, {"firing", "acked", "resolved"})
        for t in ("users", "sessions", "api_tokens", "silences", "metric_raw", "log_offsets", "duty_checkpoints"):
            self.assertTrue(sqlite_rows(path, t), f"the fixture has no {t}")

    def test_todays_daemon_migrates_it_keeping_every_row(self):
        d, path = self.state_dir("host: {enabled: false}\n")
        before = {t: sqlite_rows(path, t) for t in TABLES}
        d.start()
        self.assertEqual(d.stop()[0], 0, d.logs()[-3000:])
        self.assertEqual(sqlite_version(path), SCHEMA)
        for t in TABLES:
            after = sqlite_rows(path, t)
            keys = [c.strip() for c in TABLES[t].split(",")]
            have = {tuple(r[k] for k in keys) for r in after}
            for r in before[t]:
                self.assertIn(tuple(r[k] for k in keys), have, f"{t}: a row of the release is gone")
            if t in APPEND_ONLY:
                self.assertEqual(release_columns(after[:len(before[t])], before[t]), before[t],
                                 f"{t}: rows of the release changed")
        rc, out, err = d.cli("duty", "verify")
        self.assertEqual(rc, 0, out + err)
        self.assertIn("duty log intact", out)

    def test_unreachable_target_is_named_with_its_password_masked(self):
        d, path = self.state_dir()
        url = f"postgresql://kw:s3cret-pw@127.0.0.1:{free_port()}/kw"
        rc, out, err = d.cli("store", "migrate", "--to", url)
        self.assertEqual(rc, 2, out + err)
        self.assertIn("postgresql://kw:***@127.0.0.1", err)
        self.assertNotIn("s3cret-pw", out + err)
        self.assertEqual(sqlite_version(path), 7)  # the target first: the source is left as it was

    @unittest.skipUnless(bindir(), "PostgreSQL server not installed (scripts/deps.sh test)")
    def test_migrate_into_postgresql(self):
        check_port = free_port()
        body = ("host: {enabled: false}\n"
                f"checks:\n  - {{name: smtp, type: tcp, host: 127.0.0.1, port: {check_port}, interval: 1s,"
                " timeout: 500ms}\n")
        d, path = self.state_dir(body)
        source = {t: sqlite_rows(path, t) for t in TABLES}
        pg = PgServer().start()
        self.addCleanup(pg.stop)
        rc, out, err = d.cli("store", "migrate", "--to", pg.url)
        self.assertEqual(rc, 0, out + err + pg.log()[-2000:])
        self.assertNotIn(pg.password, out + err)
        self.assertIn("postgresql://kwtest:***@127.0.0.1", out)
        self.assertIn(f"the source was at schema 7: brought to {SCHEMA}", out)
        total = sum(len(v) for v in source.values())
        self.assertIn(f"copied {total} rows of {len(TABLES)} tables", out)
        for t, rows in source.items():
            self.assertRegex(out, rf"\n  {t} +{len(rows)}\n")

        # the source, migrated to today's schema, kept every row
        self.assertEqual(sqlite_version(path), SCHEMA)
        for t in TABLES:
            self.assertEqual(release_columns(sqlite_rows(path, t), source[t]), source[t], t)

        rc, listed_sqlite, err = d.cli("alert", "list", "--all", "--json")
        self.assertEqual(rc, 0, err)

        # every table, row by row and field by field, on the server
        for t, rows in source.items():
            got = json.loads(pg.psql(f"SELECT coalesce(json_agg(x ORDER BY {TABLES[t]}), '[]') FROM {t} x",
                                     database=pg.database))
            self.assertEqual(len(got), len(rows), t)
            for a, b in zip(rows, got):
                for col, v in a.items():
                    self.assertTrue(same_value(v, b.get(col)), f"{t}.{col}: {v!r} != {b.get(col)!r}")

        env_pg = dict(os.environ, KEEPWATCH_STORE_URL=pg.url)
        rc, out, err = run("duty", "verify", "-c", d.config_path, env=env_pg)
        self.assertEqual(rc, 0, out + err)
        self.assertIn(f"duty log intact: {len(source['duty_log'])} entries", out)
        rc, listed_pg, err = run("alert", "list", "--all", "--json", "-c", d.config_path, env=env_pg)
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(listed_pg), json.loads(listed_sqlite))
        rc, out, err = run("store", "info", "--json", "-c", d.config_path, env=env_pg)
        self.assertEqual(rc, 0, err)
        info = json.loads(out)
        self.assertEqual((info["backend"], info["schema"]), ("postgresql", SCHEMA))
        self.assertEqual(info["tables"], {t: len(r) for t, r in source.items()})
        self.assertNotIn(pg.password, out)

        # a second copy into the now full database is refused, naming a table; nothing changed
        rc, out, err = d.cli("store", "migrate", "--to", pg.url)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("the target is not empty: table alerts holds", err)
        self.assertNotIn(pg.password, out + err)
        self.assertEqual(int(pg.psql("SELECT count(*) FROM alerts", database=pg.database)), len(source["alerts"]))

        # the daemon on the server: a new alert's id (and its history's) come after the copied ones
        d.write_config(body + f"store: {{url: \"{pg.url}\"}}\n")
        d.start()
        top = max(r["id"] for r in source["alerts"])
        new = d.wait_alert(lambda a: a["labels"].get("check") == "smtp", "the new check's alert")
        self.assertGreater(new["id"], top)
        ids = {a["id"] for a in d.alerts()}
        self.assertTrue({r["id"] for r in source["alerts"]} <= ids)
        hist = int(pg.psql(f"SELECT min(id) FROM alert_history WHERE alert_id = {new['id']}", database=pg.database))
        self.assertGreater(hist, max(r["id"] for r in source["alert_history"]))
        self.assertEqual(d.stop()[0], 0, d.logs()[-3000:])
        rc, out, err = d.cli("duty", "verify")  # with the new entries, keyed as before
        self.assertEqual(rc, 0, out + err)
        self.assertGreater(int(out.split("intact: ")[1].split()[0]), len(source["duty_log"]))


if __name__ == "__main__":
    unittest.main()
