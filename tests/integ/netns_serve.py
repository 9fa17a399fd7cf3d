"""A `keepwatch serve` run as root inside a network namespace a test made, with a webhook
receiver (webhook_sink.py) beside it: the base of the tests that drive the live chain through
real traffic (test_incident_live.py, test_drill_ddos.py). The subclass makes its namespaces in
setUpClass, then calls start_serve(NS, prefix, config_body) where config_body is a format
string with {dir}, {port} and {rx}; stop_serve() in tearDownClass stops the daemon and the
receiver by their process ids and removes the state directory (not the namespaces)."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from kwtest import BIN, free_port, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))


class NetnsServeTest(unittest.TestCase):
    ns = None

    @classmethod
    def start_serve(cls, ns, prefix, config_body):
        cls.ns = ns
        cls.dir = tempfile.mkdtemp(prefix=prefix)
        cls.port, rx = free_port(), free_port()
        cls.sink_file = os.path.join(cls.dir, "webhooks.jsonl")
        cls.sink = subprocess.Popen(["ip", "netns", "exec", ns, "python3", os.path.join(HERE, "webhook_sink.py"),
                                     str(rx), cls.sink_file], stdout=subprocess.PIPE, text=True)
        assert cls.sink.stdout.readline().startswith("listening")
        cls.config = os.path.join(cls.dir, "keepwatch.yaml")
        with open(cls.config, "w") as f:
            f.write(config_body.format(dir=cls.dir, port=cls.port, rx=rx))
        cls.log = open(os.path.join(cls.dir, "serve.log"), "w")
        cls.proc = subprocess.Popen(["ip", "netns", "exec", ns, BIN, "serve", "-c", cls.config],
                                    stdout=cls.log, stderr=cls.log)
        wait_for("the daemon", lambda: cls.curl("GET", "/api/v1/health", auth=False)[0] == 200, timeout=20)

    @classmethod
    def stop_serve(cls):
        for p in (getattr(cls, "proc", None), getattr(cls, "sink", None)):
            if p is None:
                continue
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        if getattr(cls, "log", None):
            cls.log.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def run(self, result=None):
        """On a failure, shows what the daemon said: these tests depend on timing."""
        before = len(result.failures) + len(result.errors) if result else 0
        out = super().run(result)
        if result and len(result.failures) + len(result.errors) > before and getattr(self, "log", None):
            self.log.flush()
            with open(os.path.join(self.dir, "serve.log"), errors="replace") as f:
                print(f"\n--- serve.log ---\n{f.read()[-8000:]}")
        return out

    @classmethod
    def curl(cls, method, path, body=None, auth=True):
        """(HTTP status, parsed JSON) from inside the daemon's namespace."""
        cmd = ["ip", "netns", "exec", cls.ns, "curl", "-s", "-o", "-", "-w", "\n%{http_code}", "-X", method,
               f"http://127.0.0.1:{cls.port}{path}"]
        if auth:
            with open(os.path.join(cls.dir, "var", "api.token")) as f:
                cmd += ["-H", f"Authorization: Bearer {f.read().strip()}"]
        if body is not None:
            cmd += ["-H", "Content-Type: application/json", "--data-binary", json.dumps(body)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=15)
        text, _, code = p.stdout.rpartition("\n")
        try:
            return int(code or 0), json.loads(text) if text.strip() else None
        except ValueError:
            return int(code or 0), text

    def hooks(self, prefix):
        """The JSON bodies the receiver got at paths under prefix, in order."""
        if not os.path.exists(self.sink_file):
            return []
        with open(self.sink_file) as f:
            rows = [json.loads(line) for line in f]
        return [json.loads(r["body"]) for r in rows if r["path"].startswith(prefix)]
