"""Least privilege: the daemon started as root under a permissive umask becomes daemon.user
(keepwatch), keeps no capability, sets NoNewPrivs, narrows a wide state directory and creates
its files 0600/0640; command checks run as that user. Needs root (skipped otherwise)."""
import grp
import os
import pwd
import shutil
import subprocess
import tempfile
import unittest

from kwtest import BIN, Daemon, wait_for

USER = "keepwatch"
CAP_NET_ADMIN, CAP_NET_RAW = 12, 13


def ensure_user():
    """The system user `make install` and `make run` create, created the same way here."""
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", USER], check=True)
        return pwd.getpwnam(USER)


def status_fields(path):
    with open(path) as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


def mode(path):
    return os.stat(path).st_mode & 0o7777


@unittest.skipUnless(os.geteuid() == 0, "needs root to start the daemon as root")
class PrivilegeTest(unittest.TestCase):
    def setUp(self):
        self.pw = ensure_user()
        self.base = tempfile.mkdtemp(prefix="kw-priv-")
        os.chmod(self.base, 0o755)  # keepwatch must reach the state directory below it
        self.addCleanup(shutil.rmtree, self.base, True)
        self.var = os.path.join(self.base, "var")

    def start(self, config="", extra=f"user: {USER}"):
        d = Daemon(config, state_dir=self.base, daemon_extra=extra)
        self.addCleanup(d.cleanup)
        old = os.umask(0)  # the daemon inherits it: nothing it creates may depend on it
        try:
            d.start()
        finally:
            os.umask(old)
        return d

    def test_drop_modes_and_checks(self):
        os.mkdir(self.var, 0o755)
        os.chmod(self.var, 0o755)  # a state directory left open by hand or by an older keepwatch
        d = self.start("checks:\n"
                       "  - {name: whoami, type: command, command: \"echo uid=$(id -u) gid=$(id -g); exit 3\", "
                       "interval: 1s}\n")
        wait_for("the drop", lambda: f"running as {USER}" in d.logs())
        self.assertIn(f"the state directory {self.var} had mode 0755: narrowed to 0750", d.logs())
        self.assertEqual(mode(self.var), 0o750)
        self.assertEqual(os.stat(self.var).st_uid, self.pw.pw_uid)

        # every thread: the same uid everywhere, no capability, NoNewPrivs
        tasks = os.listdir(f"/proc/{d.proc.pid}/task")
        self.assertGreater(len(tasks), 2)
        allowed = (1 << CAP_NET_ADMIN) | (1 << CAP_NET_RAW)
        try:
            adm = grp.getgrnam("adm").gr_gid
        except KeyError:
            adm = None
        for t in tasks:
            st = status_fields(f"/proc/{d.proc.pid}/task/{t}/status")
            self.assertEqual({int(u) for u in st["Uid"].split()}, {self.pw.pw_uid}, t)
            self.assertEqual({int(g) for g in st["Gid"].split()}, {self.pw.pw_gid}, t)
            self.assertEqual(st["NoNewPrivs"].strip(), "1", t)
            if adm is not None:  # rotated logs are reopened as keepwatch: Debian's log readers' group
                self.assertIn(adm, {int(g) for g in st["Groups"].split()}, t)
            for k in ("CapEff", "CapPrm", "CapAmb"):
                self.assertEqual(int(st[k], 16) & ~allowed, 0, (t, k, st[k]))
            self.assertEqual(int(st["CapEff"], 16), 0, "nothing is reopened after the drop: no capability kept")

        # the API still answers, and writes (the store is the user's)
        self.assertEqual(d.get("/api/v1/health", auth=False)[0], 200)
        a = d.wait_alert(lambda a: a["labels"].get("check") == "whoami", "the command check's alert")
        self.assertIn(f"exit status 3: uid={self.pw.pw_uid} gid={self.pw.pw_gid}", a["summary"])
        self.assertEqual(d.post(f"/api/v1/alerts/{a['id']}/ack", {})[0], 200)

        # file modes under umask 000; -wal and -shm exist while the daemon runs
        want = {"keepwatch.db": 0o600, "keepwatch.db-wal": 0o600, "keepwatch.db-shm": 0o600,
                "api.token": 0o600, "events.jsonl": 0o640}
        wait_for("the event log", lambda: os.path.exists(os.path.join(self.var, "events.jsonl")))
        got = {n: mode(os.path.join(self.var, n)) for n in want}
        self.assertEqual({n: oct(m) for n, m in got.items()}, {n: oct(m) for n, m in want.items()})
        for n in want:
            self.assertEqual(os.stat(os.path.join(self.var, n)).st_uid, self.pw.pw_uid, n)
        rc, _ = d.stop()
        self.assertEqual(rc, 0)

    def test_wide_files_of_an_older_version_are_narrowed(self):
        os.mkdir(self.var, 0o777)
        os.chmod(self.var, 0o777)
        token = os.path.join(self.var, "api.token")
        with open(token, "w") as f:
            f.write("0123456789abcdef0123456789abcdef\n")
        os.chmod(token, 0o644)
        d = self.start()
        wait_for("the drop", lambda: f"running as {USER}" in d.logs())
        self.assertEqual(mode(self.var), 0o750)
        self.assertEqual(mode(token), 0o600)
        self.assertEqual(d.get("/api/v1/alerts", token="0123456789abcdef0123456789abcdef")[0], 200)

    def test_symlink_in_state_dir_not_followed(self):
        os.mkdir(self.var, 0o750)
        victim = os.path.join(self.base, "victim")
        with open(victim, "w") as f:
            f.write("root's\n")
        os.chmod(victim, 0o600)
        os.symlink(victim, os.path.join(self.var, "planted"))
        d = self.start()
        wait_for("the drop", lambda: f"running as {USER}" in d.logs())
        st = os.stat(victim)
        self.assertEqual((st.st_uid, mode(victim)), (0, 0o600), "the drop gave a file away through a link")
        self.assertIn("planted is neither a file nor a directory", d.logs())

    def test_state_dir_of_another_user_is_refused(self):
        os.mkdir(self.var, 0o755)
        nobody = pwd.getpwnam("nobody")
        os.chown(self.var, nobody.pw_uid, grp.getgrnam("nogroup").gr_gid)
        d = Daemon("", state_dir=self.base, daemon_extra=f"user: {USER}")
        self.addCleanup(d.cleanup)
        p = subprocess.run([BIN, "serve", "-c", d.config_path], capture_output=True, text=True, timeout=20)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn(f"{self.var} belongs to uid {nobody.pw_uid}", p.stderr)
        self.assertIn("chown it", p.stderr)
        self.assertEqual(mode(self.var), 0o755, "a refused directory is left as it was")

    def test_missing_user_names_the_fix(self):
        d = Daemon("", state_dir=self.base, daemon_extra="user: kw-no-such-user")
        self.addCleanup(d.cleanup)
        p = subprocess.run([BIN, "serve", "-c", d.config_path], capture_output=True, text=True, timeout=20)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn('there is no user "kw-no-such-user"', p.stderr)
        self.assertIn("useradd --system", p.stderr)
        self.assertFalse(os.path.exists(self.var), "nothing is created before the user is known")

    @unittest.skipUnless(shutil.which("setpriv"), "needs setpriv (util-linux)")
    def test_started_as_the_user_with_ambient_caps(self):
        """As the systemd unit starts it: already keepwatch, CAP_NET_RAW and CAP_NET_ADMIN ambient."""
        os.chown(self.base, self.pw.pw_uid, self.pw.pw_gid)
        d = Daemon("net: {interfaces: [lo]}\n"
                   "checks:\n"
                   "  - {name: caps, type: command, interval: 1s,\n"
                   "     command: \"awk '/^Cap(Eff|Amb)/ {printf \\\"%s%s \\\", $1, $2}' /proc/self/status; exit 3\"}\n",
                   state_dir=self.base, daemon_extra=f"user: {USER}")
        self.addCleanup(d.cleanup)
        os.chmod(d.config_path, 0o644)
        d.log = open(d.log_path, "a")
        caps = "+net_raw,+net_admin"
        d.proc = subprocess.Popen(["setpriv", f"--reuid={USER}", f"--regid={self.pw.pw_gid}", "--init-groups",
                                   f"--inh-caps={caps}", f"--ambient-caps={caps}", f"--bounding-set=-all,{caps}",
                                   "--no-new-privs", BIN, "serve", "-c", d.config_path],
                                  stdout=d.log, stderr=d.log, preexec_fn=lambda: os.umask(0))
        wait_for("the daemon to answer", lambda: d.get("/api/v1/health", auth=False)[0] == 200)
        wait_for("the capture on lo", lambda: "capturing on lo" in d.logs())
        st = status_fields(f"/proc/{d.proc.pid}/status")
        self.assertEqual(int(st["CapEff"], 16), (1 << CAP_NET_ADMIN) | (1 << CAP_NET_RAW))
        self.assertEqual({int(u) for u in st["Uid"].split()}, {self.pw.pw_uid})
        self.assertNotIn("running as", d.logs(), "nothing to drop")
        self.assertEqual(mode(self.var), 0o750)
        self.assertEqual(mode(os.path.join(self.var, "keepwatch.db")), 0o600)
        self.assertEqual(d.get("/api/v1/alerts")[0], 200)
        # the capabilities are the captures', not the checks' commands'
        a = d.wait_alert(lambda a: a["labels"].get("check") == "caps", "the command check's alert")
        self.assertIn("exit status 3: CapEff:0000000000000000 CapAmb:0000000000000000", a["summary"])

    def test_empty_user_keeps_root(self):
        d = self.start(extra='user: ""')
        st = status_fields(f"/proc/{d.proc.pid}/status")
        self.assertEqual(st["Uid"].split()[0], "0")
        self.assertEqual(st["NoNewPrivs"].strip(), "1")
        self.assertEqual(mode(self.var), 0o750)
        self.assertEqual(mode(os.path.join(self.var, "keepwatch.db")), 0o600)


if __name__ == "__main__":
    unittest.main()
