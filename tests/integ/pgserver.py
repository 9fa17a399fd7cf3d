"""A throwaway PostgreSQL cluster for tests: initdb in a temporary directory (as the postgres
user when run as root), listening on 127.0.0.1 on a free port, one database and one user with
a password; stopped by its postmaster's pid and removed afterwards. Nothing depends on a
server already running.

    with PgServer() as pg:
        os.environ["KW_TEST_PG_URL"] = pg.url      # postgresql://kwtest:...@127.0.0.1:PORT/kwtest

    python3 pgserver.py CMD ARGS...                # runs CMD with KW_TEST_PG_URL set, then stops
"""
import glob
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from kwtest import free_port, wait_for


def bindir():
    """The newest /usr/lib/postgresql/N/bin holding initdb, or None."""
    found = [d for d in glob.glob("/usr/lib/postgresql/*/bin") if os.path.exists(os.path.join(d, "initdb"))]
    found.sort(key=lambda d: int(d.split("/")[-2]) if d.split("/")[-2].isdigit() else 0)
    return found[-1] if found else None


class PgServer:
    """settings: more postgresql.conf lines ({name: value}), after the tests' own, which trade
    durability for speed (fsync and synchronous_commit off) and memory (shared_buffers 16MB)."""

    def __init__(self, user="kwtest", database="kwtest", settings=None):
        self.user, self.database = user, database
        self.settings = settings or {}
        self.password = "pw-" + secrets.token_hex(8)
        self.port = None
        self.dir = None
        self.pid = None
        self.bin = bindir()

    @property
    def url(self):
        return self.url_of(self.database)

    def url_of(self, database, password=True):
        """The URL of database on this server, with the user's password in it or not."""
        secret = f":{self.password}" if password else ""
        return f"postgresql://{self.user}{secret}@127.0.0.1:{self.port}/{database}"

    def new_database(self, name):
        """Creates an empty database name owned by the user; returns its URL."""
        self.psql(f"CREATE DATABASE {name} OWNER {self.user}")
        return self.url_of(name)

    def _as_owner(self, args, **kw):
        """Runs a PostgreSQL program as the cluster's owner (postgres when we are root)."""
        cmd = [os.path.join(self.bin, args[0]), *args[1:]]
        if os.getuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=kw.pop("timeout", 60), **kw)

    def _check(self, what, p):
        if p.returncode != 0:
            raise RuntimeError(f"pgserver: {what} failed ({p.returncode}): {p.stdout}{p.stderr}")

    def start(self):
        if not self.bin:
            raise RuntimeError("pgserver: no /usr/lib/postgresql/*/bin/initdb (scripts/deps.sh test)")
        self.dir = tempfile.mkdtemp(prefix="kw-pg-")
        if os.getuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        data = os.path.join(self.dir, "data")
        pwfile = os.path.join(self.dir, "superuser.pw")
        with open(pwfile, "w") as f:
            f.write(secrets.token_hex(12) + "\n")
        if os.getuid() == 0:
            os.chown(pwfile, pw.pw_uid, pw.pw_gid)
        self._check("initdb", self._as_owner(
            ["initdb", "-D", data, "-U", "postgres", "--pwfile", pwfile, "-E", "UTF8", "--locale=C",
             "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"]))
        self.port = free_port()
        with open(os.path.join(data, "postgresql.conf"), "a") as f:
            f.write(f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                    f"unix_socket_directories = '{self.dir}'\nfsync = off\nsynchronous_commit = off\n"
                    "full_page_writes = off\nmax_connections = 40\nshared_buffers = 16MB\n")
            f.writelines(f"{k} = '{v}'\n" for k, v in self.settings.items())
        self._check("pg_ctl start", self._as_owner(
            ["pg_ctl", "-D", data, "-l", os.path.join(self.dir, "server.log"), "-w", "-t", "60", "start"],
            timeout=90))
        with open(os.path.join(data, "postmaster.pid")) as f:
            self.pid = int(f.readline())
        self.psql(f"CREATE ROLE {self.user} LOGIN PASSWORD '{self.password}'")
        self.psql(f"CREATE DATABASE {self.database} OWNER {self.user}")
        return self

    def psql(self, sql, database="postgres"):
        """Runs sql as the superuser over the cluster's socket; returns its output."""
        p = self._as_owner(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.dir, "-p", str(self.port),
                            "-U", "postgres", "-d", database, "-At", "-c", sql])
        self._check(f"psql {sql!r}", p)
        return p.stdout

    def pause(self):
        """Stops the server (fast shutdown), keeping its data and port, until resume()."""
        self._check("pg_ctl stop", self._as_owner(
            ["pg_ctl", "-D", os.path.join(self.dir, "data"), "-m", "fast", "-w", "-t", "30", "stop"], timeout=40))
        self.pid = None

    def resume(self):
        """Starts the paused server again on the same port."""
        data = os.path.join(self.dir, "data")
        self._check("pg_ctl start", self._as_owner(
            ["pg_ctl", "-D", data, "-l", os.path.join(self.dir, "server.log"), "-w", "-t", "60", "start"],
            timeout=90))
        with open(os.path.join(data, "postmaster.pid")) as f:
            self.pid = int(f.readline())

    def log(self):
        try:
            with open(os.path.join(self.dir, "server.log")) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        """Stops the postmaster by its pid (SIGINT: fast shutdown, SIGKILL after 20 s), removes the dir."""
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGINT)

                def gone():
                    try:
                        os.kill(self.pid, 0)
                        return False
                    except ProcessLookupError:
                        return True
                try:
                    wait_for("postgres to stop", gone, timeout=20)
                except AssertionError:
                    os.kill(self.pid, signal.SIGKILL)
                    time.sleep(0.5)
            except ProcessLookupError:
                pass
            self.pid = None
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()


def main(argv):
    if not argv:
        print("usage: pgserver.py CMD [ARGS...]", file=sys.stderr)
        return 2
    with PgServer() as pg:
        env = dict(os.environ, KW_TEST_PG_URL=pg.url)
        return subprocess.run(argv, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
