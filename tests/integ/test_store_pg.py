"""The store's users on a real PostgreSQL: one throwaway cluster (pgserver.py) for the class;
the unit programs of the store, notify, duty log and tokens run with KW_TEST_PG_URL set
(kw_test_store.h gives each store path a schema of its own there), and store.password_file is
taken up by the commands and the daemon, its password never shown."""
import os
import shutil
import subprocess
import tempfile
import unittest
import unittest.mock

from kwtest import BIN, Daemon
from pgserver import PgServer, bindir

UNIT_DIR = os.path.join(os.path.dirname(os.environ.get("KEEPWATCH_BIN", "keepwatch")), "tests")

# program -> (cases that must have run on PostgreSQL, cases that must say they were skipped)
PROGRAMS = {
    "test_alert": (("test_store_lifecycle", "test_store_restart_restore", "test_detector_alert_held_over_restart",
                    "test_store_metric_history", "test_store_metric_host", "test_store_reads_see_other_writers",
                    "test_store_duty_check_grows", "test_store_invalid_utf8",
                    "test_store_fire_adopts_in_transaction", "test_store_apply_all_same",
                    "test_store_metric_many"), ()),
    "test_notify": (("test_escalation", "test_held"), ()),
    "test_duty": (("test_keyed_links", "test_checkpoints", "test_checkpoint_long_stretch", "test_export_with_public_key",
                   "test_watch_raises_alert", "test_verify_while_appending"), ("test_legacy_migration",)),
    "test_auth": (("test_store_tokens",), ()),
    "test_findings_store": (("test_store_workflow", "test_store_bounds"), ()),
    "test_drill_store": (("test_life_and_json", "test_listings"), ()),
}


@unittest.skipUnless(bindir(), "PostgreSQL server not installed (scripts/deps.sh test)")
class StoreOnPostgres(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = PgServer()
        cls.addClassCleanup(cls.pg.stop)
        cls.pg.start()

    def unit(self, name):
        path = os.path.join(UNIT_DIR, name)
        self.assertTrue(os.path.exists(path), f"{path} not built")
        env = dict(os.environ, KW_TEST_PG_URL=self.pg.url)
        p = subprocess.run([path], capture_output=True, text=True, timeout=600, env=env, cwd=tempfile.gettempdir())
        out = p.stdout + p.stderr
        self.assertEqual(p.returncode, 0, out + "\n--- server log ---\n" + self.pg.log()[-4000:])
        if "support is not built in" in out:
            self.skipTest("keepwatch built without libpq")
        ran, skipped = PROGRAMS[name]
        for case in ran:
            self.assertIn(f"ok   {case}", out)
        for case in skipped:
            self.assertIn(f"-- {case}: skipped on postgresql", out)
        # the stores were on the server: a schema was made for each
        self.assertGreaterEqual(out.count(": postgresql schema t_"), 1, out)
        self.assertNotIn("FAIL", out)
        self.assertNotIn(self.pg.password, out)

    def test_alert(self):
        self.unit("test_alert")

    def test_notify(self):
        self.unit("test_notify")

    def test_duty(self):
        self.unit("test_duty")

    def test_auth(self):
        self.unit("test_auth")

    def test_findings(self):
        self.unit("test_findings_store")

    def test_drill(self):
        self.unit("test_drill_store")

    # ---- store.password_file ----

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kw-pgpw-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.pwfile = os.path.join(self.dir, "pg.pass")
        # nothing but the file may supply the password: no ~/.pgpass, no PGPASSWORD
        self.env = {k: v for k, v in os.environ.items() if k not in ("PGPASSWORD", "KEEPWATCH_STORE_URL")}
        self.env["PGPASSFILE"] = os.path.join(self.dir, "no-such-pgpass")

    def config(self, url, password_file=True):
        path = os.path.join(self.dir, "keepwatch.yaml")
        extra = f", password_file: {self.pwfile}" if password_file else ""
        with open(path, "w") as f:
            f.write(f"daemon: {{state_dir: {self.dir}/var, user: \"\"}}\nstore: {{url: \"{url}\"{extra}}}\n")
        return path

    def kw(self, *args, timeout=60):
        p = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout, env=self.env)
        out = p.stdout + p.stderr
        self.assertNotIn(self.pg.password, out)
        return p.returncode, out

    def write_pw(self, text):
        with open(self.pwfile, "w") as f:
            f.write(text)
        os.chmod(self.pwfile, 0o600)

    def test_password_file(self):
        url = self.pg.url_of(self.pg.database, password=False)
        cfg = self.config(url)
        self.write_pw(self.pg.password + "\n")
        rc, out = self.kw("alert", "list", "-c", cfg)
        self.assertEqual(rc, 0, out)
        rc, out = self.kw("silence", "list", "-c", cfg)
        self.assertEqual(rc, 0, out)
        # without the file the server refuses: it was the file that let us in
        rc, out = self.kw("alert", "list", "-c", self.config(url, password_file=False))
        self.assertNotEqual(rc, 0, out)
        self.assertIn(f"127.0.0.1:{self.pg.port}", out)
        # config show names the file, never a password (nor the one in a URL)
        rc, out = self.kw("config", "show", "-c", self.config(self.pg.url))
        self.assertEqual(rc, 0, out)
        self.assertIn(self.pwfile, out)
        self.assertIn("***", out)

    def test_password_file_daemon(self):
        """The daemon and its HTTP threads (a connection each) read the file too."""
        self.write_pw(self.pg.password + "\n")
        url = self.pg.url_of(self.pg.database, password=False)
        d = Daemon(f"store: {{url: \"{url}\", password_file: {self.pwfile}}}\n")
        self.addCleanup(d.cleanup)
        with unittest.mock.patch.dict(os.environ, {"PGPASSFILE": self.env["PGPASSFILE"]}):
            d.start()
        status, body = d.get("/api/v1/alerts")
        self.assertEqual((status, body), (200, {"alerts": []}))
        d.stop()
        self.assertIn(f"store {url}:", d.logs())
        self.assertNotIn(self.pg.password, d.logs())

    def test_password_file_errors(self):
        cfg = self.config(self.pg.url_of(self.pg.database, password=False))
        self.write_pw("")
        rc, out = self.kw("alert", "list", "-c", cfg)
        self.assertNotEqual(rc, 0)
        self.assertIn(f"store.password_file {self.pwfile}: empty", out)
        rc, out = self.kw("serve", "-c", cfg)  # the daemon says the same and stops
        self.assertNotEqual(rc, 0)
        self.assertIn(f"store.password_file {self.pwfile}: empty", out)
        os.unlink(self.pwfile)
        rc, out = self.kw("alert", "list", "-c", cfg)
        self.assertNotEqual(rc, 0)
        self.assertIn(f"store.password_file {self.pwfile}: No such file", out)
        # a wrong password: refused, and neither it nor the right one is printed
        self.write_pw("not-the-password-4711\n")
        rc, out = self.kw("alert", "list", "-c", cfg)
        self.assertNotEqual(rc, 0)
        self.assertIn("password authentication failed", out)
        self.assertNotIn("not-the-password-4711", out)


if __name__ == "__main__":
    unittest.main()
