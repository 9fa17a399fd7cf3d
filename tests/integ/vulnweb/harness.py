"""vulnweb for the test and the bench: App runs app.py on a free loopback port with its request
log; Postgres and MariaDB are the throwaway databases behind its /pg/ and /my/ routes (a
PostgreSQL cluster by tests/integ/pgserver.py; MariaDB by mariadb-install-db into a temporary
directory, root without a password, on a free 127.0.0.1 port). Each start() returns what
app.py's --pg / --mysql take, or raises Unavailable with the reason when not installed. Every
process is stopped by its own pid and its directory removed."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "truth.json")) as f:
    TRUTH = json.load(f)
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else (sys.executable or "python3")

sys.path.insert(0, os.path.join(HERE, ".."))
from kwtest import free_port, wait_for  # noqa: E402
import pgserver  # noqa: E402


class Unavailable(Exception):
    pass


class Postgres:
    def __init__(self):
        self.pg = None

    def start(self):
        if not pgserver.bindir():
            raise Unavailable("PostgreSQL is not installed (scripts/deps.sh test)")
        self.pg = pgserver.PgServer(database="kwshop").start()
        return self.pg.url

    def stop(self):
        if self.pg:
            self.pg.stop()
            self.pg = None


class MariaDB:
    def __init__(self):
        self.proc = None
        self.dir = None

    def start(self):
        mariadbd = "/usr/sbin/mariadbd"
        install = shutil.which("mariadb-install-db")
        if not os.path.exists(mariadbd) or not install:
            raise Unavailable("MariaDB is not installed (scripts/deps.sh test)")
        self.dir = tempfile.mkdtemp(prefix="kw-vulnweb-my-")
        data = os.path.join(self.dir, "data")
        as_root = ["--user=root"] if os.getuid() == 0 else []
        subprocess.run([install, "--no-defaults", f"--datadir={data}", "--auth-root-authentication-method=normal",
                        "--skip-test-db", *as_root], check=True, capture_output=True, timeout=120)
        port = free_port()
        self.proc = subprocess.Popen([mariadbd, "--no-defaults", f"--datadir={data}", f"--port={port}",
                                      "--bind-address=127.0.0.1", f"--socket={self.dir}/my.sock",
                                      f"--pid-file={self.dir}/my.pid", "--skip-log-bin", *as_root],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        def listening():
            if self.proc.poll() is not None:
                raise Unavailable(f"mariadbd exited {self.proc.returncode}")
            socket.create_connection(("127.0.0.1", port), timeout=0.3).close()
            return True
        try:
            wait_for(f"mariadbd on port {port}", listening, timeout=30)
        except (Unavailable, AssertionError):
            self.stop()
            raise
        return f"127.0.0.1:{port}:root:kwshop"

    def stop(self):
        if self.proc:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(20)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(5)
            self.proc = None
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


class App:
    """vulnweb on a free loopback port, its request log in a temporary file."""

    def __init__(self, *extra):
        self.dir = tempfile.mkdtemp(prefix="kw-vulnweb-test-")
        self.logfile = os.path.join(self.dir, "requests.log")
        self.port = free_port()
        self.proc = subprocess.Popen([PYTHON, os.path.join(HERE, "app.py"), "--port", str(self.port),
                                      "--log", self.logfile, *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening on"):
            self.proc.kill()  # the reason is on its stderr: read it before stop() closes it
            why = self.proc.stderr.read()
            self.stop()
            raise AssertionError(f"vulnweb did not start: {line}{why}")
        self.base = f"http://127.0.0.1:{self.port}"

    def log(self):
        """The requests so far: [(method, path with query)]."""
        with open(self.logfile) as f:
            return [tuple(line.rstrip("\n").split(" ", 1)) for line in f if " " in line]

    def reset_log(self):
        open(self.logfile, "w").close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc.stdout.close()
        self.proc.stderr.close()


def start_databases(servers, who):
    """Starts PostgreSQL and MariaDB when installed (each appended to servers, for the caller to
    stop); returns app.py's arguments for them and the set of those given ("pg", "mysql")."""
    extra, have = [], set()
    for name, cls, flag in (("pg", Postgres, "--pg"), ("mysql", MariaDB, "--mysql")):
        srv = cls()
        try:
            dsn = srv.start()
        except Unavailable as e:
            print(f"\n{who}: without {name}: {e}", file=sys.stderr)
            continue
        servers.append(srv)
        extra += [flag, dsn]
        have.add(name)
    return extra, have


def keepwatch_args(app, have, *extra):
    """keepwatch scan web's arguments for vulnweb: its root, the JSON APIs as seeds, the login."""
    lg = TRUTH["login"]
    args = [app.base + "/"]
    for s in TRUTH["seeds"]:
        if not s.get("needs") or s["needs"] in have:
            args += ["--seed", f"{s['method']} {app.base}{s['path']} {s['body']}"]
    args += ["--login", app.base + lg["url"], "--login-field", f"{lg['username_field']}={lg['username']}",
             "--login-field", f"{lg['password_field']}={lg['password']}", "--login-success", lg["success"]]
    return args + list(extra)


def exit_on_term():
    """SIGTERM as SystemExit, so that a stopped run's finally blocks stop the servers it started."""
    import signal

    def on_term(*_):
        raise SystemExit(143)
    signal.signal(signal.SIGTERM, on_term)
