"""Helpers for keepwatch integration tests: run the real binary, talk to its API.

Everything stays on 127.0.0.1; every wait is bounded and fails the test when it runs out.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

BIN = os.environ.get("KEEPWATCH_BIN", "keepwatch")
BURN = os.environ.get("KW_BURN_BIN", "kw_burn")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args, env=None, timeout=30):
    """Runs keepwatch with args; returns (exit status, stdout, stderr)."""
    p = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout, env=env)
    return p.returncode, p.stdout, p.stderr


def wait_for(what, fn, timeout=20.0, every=0.2):
    """Polls fn until it returns something truthy; fails with `what` after timeout seconds."""
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            last = fn()
            if last:
                return last
        except (OSError, ValueError, urllib.error.URLError) as e:
            last = e
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


class Listener:
    """A TCP service the test starts and stops: accepts and closes connections."""

    def __init__(self, port):
        self.port = port
        self.sock = None

    def start(self):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(16)
        self.sock = s
        # accepted and closed as they come: a backlog nobody takes from fills after 17 checks,
        # and the next connect times out as if the service were down
        threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    @staticmethod
    def _accept(s):
        while True:
            try:
                c, _ = s.accept()
            except OSError:  # closed by stop()
                return
            c.close()

    def stop(self):
        if self.sock:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
            except OSError:
                pass
            self.sock.close()
            self.sock = None


class Daemon:
    """keepwatch serve in a temporary state directory on a free loopback port."""

    def __init__(self, config="", state_dir=None, daemon_extra="", store_url=None):
        self.dir = state_dir or tempfile.mkdtemp(prefix="kw-integ-")
        self.store_url = store_url  # a postgresql:// URL for store.url, or None: the SQLite file
        # more daemon: options, e.g. "user: nobody". Tests that are not about privileges keep
        # root (user: ""): a temporary directory is not reachable by another user, and
        # test_privilege.py tests the drop to keepwatch itself.
        self.daemon_extra = daemon_extra if "user:" in daemon_extra else ", ".join(
            x for x in ('user: ""', daemon_extra) if x)
        self.port = free_port()
        self.config_path = os.path.join(self.dir, "keepwatch.yaml")
        self.log_path = os.path.join(self.dir, "serve.log")
        self.proc = None
        self.write_config(config)

    def write_config(self, body):
        with open(self.config_path, "w") as f:
            extra = f", {self.daemon_extra}" if self.daemon_extra else ""
            f.write(f"daemon: {{state_dir: {self.dir}/var{extra}}}\n")
            f.write(f"http: {{listen: 127.0.0.1:{self.port}}}\n")
            if self.store_url:
                f.write(f"store: {{url: \"{self.store_url}\"}}\n")
            f.write(body)

    def start(self):
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([BIN, "serve", "-c", self.config_path], stdout=self.log, stderr=self.log)
        wait_for("the daemon to answer /api/v1/health", lambda: self.get("/api/v1/health", auth=False)[0] == 200,
                 timeout=20)
        return self

    @property
    def token(self):
        with open(os.path.join(self.dir, "var", "api.token")) as f:
            return f.read().strip()

    def request(self, method, path, body=None, auth=True, token=None):
        """Returns (status, parsed JSON or text)."""
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        if auth:
            req.add_header("Authorization", f"Bearer {token or self.token}")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status, data, ctype = r.status, r.read().decode(), r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            status, data, ctype = e.code, e.read().decode(), e.headers.get("Content-Type", "")
        return status, json.loads(data) if "json" in ctype else data

    def get(self, path, auth=True, token=None):
        return self.request("GET", path, auth=auth, token=token)

    def post(self, path, body=None):
        return self.request("POST", path, body=body)

    def alerts(self, state=None):
        status, body = self.get("/api/v1/alerts" + (f"?state={state}" if state else ""))
        assert status == 200, (status, body)
        return body["alerts"]

    def wait_alert(self, pred, what, timeout=20):
        return wait_for(what, lambda: next((a for a in self.alerts() if pred(a)), None), timeout=timeout)

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Stops the daemon; returns (exit status, seconds it took)."""
        if not self.proc or self.proc.poll() is not None:
            return (self.proc.returncode if self.proc else None), 0.0
        t = time.monotonic()
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.log.close()
        return rc, time.monotonic() - t

    def logs(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def events(self):
        path = os.path.join(self.dir, "var", "events.jsonl")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [json.loads(line) for line in f]

    def cli(self, *args):
        return run(*args, "-c", self.config_path)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class DaemonTest(unittest.TestCase):
    """Base class: self.daemon(config) starts one that is always stopped and removed. Its store
    is the SQLite file in its state directory, or, when the class is on PostgreSQL (OnPostgres,
    or every class with KW_TEST_STORE=pg), a database of its own on a throwaway server that
    the class starts (pgserver.py; skipped when not installed) and stops after its last case.
    On PostgreSQL a case also fails when a statement failed on the server unnoticed."""

    on_postgres = os.environ.get("KW_TEST_STORE") == "pg"
    pg = None  # the class's PgServer
    databases = 0

    # what the server logs as an ERROR while all is well: the first open's look for the
    # schema table, a statement prepared again with a parameter's type given, and a unique
    # key taken (a name in use, an alert opened by another writer first: the store answers it)
    PG_BENIGN = ('relation "keepwatch_schema" does not exist', "could not determine data type of parameter",
                 "duplicate key value violates unique constraint")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.on_postgres:
            return
        from pgserver import PgServer, bindir  # pgserver imports this module
        if not bindir():
            raise unittest.SkipTest("PostgreSQL server not installed (scripts/deps.sh test)")
        cls.pg = PgServer()
        cls.addClassCleanup(cls._pg_stop)
        cls.pg.start()

    @classmethod
    def _pg_stop(cls):
        cls.pg.stop()
        cls.pg = None

    def setUp(self):
        super().setUp()
        if self.pg:  # cleanups run last first: this one after the daemons stopped
            self.addCleanup(self._no_server_errors, len(self.pg.log()))

    def _no_server_errors(self, start):
        lines = self.pg.log()[start:].splitlines()
        errors = [f"{l}\n    {lines[i + 1] if i + 1 < len(lines) else ''}" for i, l in enumerate(lines)
                  if " ERROR: " in l and not any(b in l for b in self.PG_BENIGN)]
        self.assertEqual(errors, [], "statements failed on PostgreSQL")

    def store_url(self):
        """None on SQLite; on PostgreSQL the URL of a new, empty database."""
        if not self.pg:
            return None
        DaemonTest.databases += 1
        return self.pg.new_database(f"kw_daemon_{DaemonTest.databases}")

    def make_daemon(self, config="", **kw):
        """A Daemon on this class's backend, not started; stopped and removed after the test."""
        d = Daemon(config, store_url=self.store_url(), **kw)
        self.addCleanup(d.cleanup)
        self.addCleanup(lambda: self._dump_logs_on_failure(d))
        return d

    def daemon(self, config=""):
        return self.make_daemon(config).start()

    def _dump_logs_on_failure(self, d):
        outcome = getattr(self, "_outcome", None)
        errors = getattr(getattr(outcome, "result", None), "errors", []) + \
            getattr(getattr(outcome, "result", None), "failures", [])
        if any(t is self for t, _ in errors):
            print(f"\n--- serve.log of {self.id()} ---\n{d.logs()[-6000:]}")
            if self.pg:
                print(f"--- postgresql log ---\n{self.pg.log()[-3000:]}")


class OnPostgres:
    """Mixed in before a DaemonTest class (class XPg(OnPostgres, X)): its cases run again with
    every daemon's store on PostgreSQL."""

    on_postgres = True


class Receiver:
    """An HTTP server on 127.0.0.1 that records every request (path, query, headers, body) and
    answers with what the test sets per path prefix: (status, body)."""

    def __init__(self):
        import http.server
        import threading
        self.requests = []
        self.answers = {}  # path prefix -> (status, body)
        self.lock = threading.Lock()
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                path, _, query = self.path.partition("?")
                with outer.lock:
                    outer.requests.append({"path": path, "query": urllib.parse.parse_qs(query), "t": time.monotonic(),
                                           "headers": {k.lower(): v for k, v in self.headers.items()},
                                           "body": body})
                    status, answer = next((v for k, v in outer.answers.items() if path.startswith(k)),
                                          (200, b'{"errcode":0,"errmsg":"ok","code":0}'))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, prefix, status, body=b'{"errcode":0,"errmsg":"ok","code":0}'):
        with self.lock:
            self.answers[prefix] = (status, body)

    def got(self, prefix=""):
        with self.lock:
            return [r for r in self.requests if r["path"].startswith(prefix)]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
