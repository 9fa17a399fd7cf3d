"""Scans into the findings workflow: `scan net` against real services on loopback (a Redis
without a password, an HTTPS server with a self-signed certificate) records what it finds in
the store; the owner fixes Redis and marks it fixed, the next scan verifies it; the TLS
finding a later scan no longer sees (its server stopped) is flagged not seen, its status kept;
a target outside scan.allowed is refused with nothing recorded. `scan packages` records its
CVEs for the host, and an upgraded package's CVE, once fixed, is verified by the next run."""
import http.server
import json
import os
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

from kwtest import BIN, free_port, run, wait_for

DATA = os.path.join(os.environ.get("KW_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data")), "scan_pkg")
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


class ScanFindings(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kw-scanfind-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.cfg = os.path.join(self.dir, "keepwatch.yaml")
        with open(self.cfg, "w") as f:
            f.write(f"daemon: {{state_dir: {self.dir}/var}}\n"
                    "assets:\n  - {name: lab, addresses: [127.0.0.1], owner: zhang.wei, department: 运维部}\n")

    def kw(self, *args, timeout=120):
        return run(*args, "-c", self.cfg, timeout=timeout)

    def findings(self, *args):
        rc, out, err = self.kw("findings", "list", "--status", "all", "--json", *args)
        self.assertIn(rc, (0, 1), err)
        return {f["vulnerability.id"]: f for f in json.loads(out)["findings"]}

    def start_redis(self, port):
        p = subprocess.Popen([REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                              "--protected-mode", "no", "--dir", self.dir], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: (p.terminate(), p.wait(10)))
        wait_for("redis", lambda: subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True,
                                                 text=True).stdout.strip() in ("PONG", "NOAUTH Authentication required."))
        return p

    def start_https(self, port):
        key, crt = os.path.join(self.dir, "s.key"), os.path.join(self.dir, "s.crt")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt,
                        "-days", "30", "-subj", "/CN=selfsigned.example"], check=True, capture_output=True)
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Quiet)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(crt, key)
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        return httpd

    @unittest.skipUnless(os.path.exists(REDIS), "redis-server not installed (scripts/deps.sh test)")
    def test_scan_fix_rescan(self):
        rport, hport = free_port(), free_port()
        self.start_redis(rport)
        httpd = self.start_https(hport)
        ports = f"{rport},{hport}"
        rc, out, err = self.kw("scan", "net", "127.0.0.1", "-p", ports)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("recorded: ", err)
        got = self.findings()
        self.assertIn("KW-REDIS-NOAUTH", got, got.keys())
        self.assertIn("KW-TLS-CERT-SELF-SIGNED", got, got.keys())
        redis = got["KW-REDIS-NOAUTH"]
        self.assertEqual(redis["keepwatch.finding.asset"], "lab")
        self.assertEqual(redis["keepwatch.finding.status"], "assigned")  # the asset's owner
        self.assertEqual(redis["destination.port"], rport)
        self.assertIn("keepwatch.finding.evidence", redis)

        # Redis fixed for real, and said so; the next scan no longer sees it: verified
        subprocess.run(["redis-cli", "-p", str(rport), "config", "set", "requirepass", "s3cret"], check=True,
                       capture_output=True)
        rid = str(redis["keepwatch.finding.id"])
        self.assertEqual(self.kw("findings", "fix", rid, "--note", "requirepass set")[0], 0)
        rc, out, err = self.kw("scan", "net", "127.0.0.1", "-p", ports)
        self.assertIn("1 verified", err)
        got = self.findings()
        self.assertEqual(got["KW-REDIS-NOAUTH"]["keepwatch.finding.status"], "verified")
        self.assertEqual(got["KW-TLS-CERT-SELF-SIGNED"]["keepwatch.finding.status"], "assigned")

        # the TLS server gone: its finding is not seen by a scan of its port, and waits for a person
        httpd.shutdown()
        httpd.server_close()
        rc, out, err = self.kw("scan", "net", "127.0.0.1", "-p", ports)
        tls = self.findings()["KW-TLS-CERT-SELF-SIGNED"]
        self.assertTrue(tls["keepwatch.finding.not_seen"], tls)
        self.assertEqual(tls["keepwatch.finding.status"], "assigned")

        # outside scan.allowed: refused, nothing sent, nothing recorded
        before = len(self.findings())
        rc, out, err = self.kw("scan", "net", "192.0.2.10", "-p", "80")
        self.assertEqual(rc, 2, err)
        self.assertIn("scan.allowed", err)
        rc, out, err = self.kw("scan", "service", "192.0.2.10:80")
        self.assertEqual(rc, 2, err)
        self.assertEqual(len(self.findings()), before)
        # the duty log has every change, and verifies
        rc, out, err = self.kw("duty", "verify")
        self.assertEqual(rc, 0, out + err)

    def test_scan_packages_recorded(self):
        idx = os.path.join(self.dir, "vuln")
        rc, out, err = run("vuln", "import", "--dir", idx, os.path.join(DATA, "tracker.json"))
        self.assertIn(rc, (0, 1), err)
        status = os.path.join(self.dir, "status")
        shutil.copy(os.path.join(DATA, "status"), status)
        args = ("scan", "packages", "--status", status, "--release", "bookworm", "--db",
                os.path.join(idx, "vuln.idx"), "--host", "web-01")
        rc, out, err = self.kw(*args)
        self.assertEqual(rc, 1, out + err)
        got = self.findings("--scanner", "keepwatch-packages")
        self.assertIn("CVE-2024-6387", got)
        ssh = got["CVE-2024-6387"]
        self.assertEqual((ssh["package.name"], ssh["keepwatch.finding.asset"]), ("openssh", "web-01"))
        self.assertEqual(self.kw("findings", "fix", str(ssh["keepwatch.finding.id"]))[0], 0)
        # openssh upgraded past the fix: the next run no longer reports it, so it is verified
        with open(status) as f:
            text = f.read()
        with open(status, "w") as f:
            f.write(text.replace("1:9.2p1-2+deb12u2", "1:9.2p1-2+deb12u3"))
        rc, out, err = self.kw(*args)
        self.assertIn("verified", err)
        self.assertEqual(self.findings("--scanner", "keepwatch-packages")["CVE-2024-6387"]
                         ["keepwatch.finding.status"], "verified")


if __name__ == "__main__":
    unittest.main()


class ScheduledScan(unittest.TestCase):
    """A scan.net job on the daemon (the leader of its store): it runs after the start delay,
    its findings are recorded under the job's name, GET /api/v1/scan says how it went, POST
    .../run runs it again; after a restart the job's last run is known from the store (it does
    not run again before its time)."""

    @unittest.skipUnless(os.path.exists(REDIS), "redis-server not installed (scripts/deps.sh test)")
    def test_job(self):
        from kwtest import Daemon
        rport = free_port()
        tmp = tempfile.mkdtemp(prefix="kw-scanjob-")
        self.addCleanup(shutil.rmtree, tmp, True)
        p = subprocess.Popen([REDIS, "--port", str(rport), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                              "--protected-mode", "no", "--dir", tmp], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: (p.terminate(), p.wait(10)))
        d = Daemon(f"scan:\n  net:\n    - {{name: lab, targets: [127.0.0.1], ports: '{rport}', every: 1h}}\n")
        self.addCleanup(d.stop)
        d.start()

        def job():
            status, body = d.get("/api/v1/scan")
            self.assertEqual(status, 200, body)
            return body["jobs"][0]

        first = wait_for("the job's first run", lambda: job().get("runs_ok") == 1 and job(), timeout=60)
        self.assertTrue(first["result"].startswith("ok: 1 host"), first)
        self.assertEqual(first["targets"], ["127.0.0.1"])
        rc, out, err = run("findings", "list", "--json", "--scanner", "keepwatch", "-c", d.config_path)
        found = {f["vulnerability.id"]: f for f in json.loads(out)["findings"]}
        self.assertIn("KW-REDIS-NOAUTH", found, out)
        # run now, by hand: the second run sees it again
        status, body = d.post("/api/v1/scan/lab/run")
        self.assertEqual(status, 202, body)
        self.assertEqual(d.post("/api/v1/scan/nothing/run")[0], 404)
        wait_for("the requested run", lambda: job().get("runs_ok") == 2, timeout=60)
        # restarted: the last run is known, the next is an hour after it
        d.stop()
        d.start()
        time.sleep(12)  # past the start delay: a job never run would have begun by now
        again = job()
        self.assertEqual(again["runs_ok"], 0)
        self.assertFalse(again["running"])
        self.assertIn("last_start", again)
