"""Every service check type against real services on 127.0.0.1, as the daemon runs them."""
import http.server
import os
import re
import ssl
import subprocess
import tempfile
import threading
import unittest

from kwtest import DaemonTest, free_port, wait_for


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        code, body = {"/ok": (200, b"status: ok"), "/broken": (503, b"down for maintenance")}.get(
            self.path, (404, b"no"))
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(httpd):
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    return t


class ChecksTest(DaemonTest):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kw-checks-")
        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        serve(self.http)
        self.addCleanup(self.http.server_close)
        self.addCleanup(self.http.shutdown)
        # a TLS server with a certificate that expires in 5 days
        cert, key = os.path.join(self.tmp, "cert.pem"), os.path.join(self.tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "5", "-subj", "/CN=localhost"], check=True, capture_output=True)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.https = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.https.socket = ctx.wrap_socket(self.https.socket, server_side=True)
        serve(self.https)
        self.addCleanup(self.https.server_close)
        self.addCleanup(self.https.shutdown)
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", self.tmp]))
        self.pidfile = os.path.join(self.tmp, "me.pid")
        with open(self.pidfile, "w") as f:
            f.write(f"{os.getpid()}\n")
        self.deadpid = os.path.join(self.tmp, "dead.pid")
        with open(self.deadpid, "w") as f:
            f.write("4194000\n")

    def test_every_type(self):
        hp, sp = self.http.server_address[1], self.https.server_address[1]
        d = self.daemon(
            "checks:\n"
            f"  - {{name: web-ok, type: http, url: \"http://127.0.0.1:{hp}/ok\", body_contains: \"status: ok\", interval: 1s}}\n"
            f"  - {{name: web-503, type: http, url: \"http://127.0.0.1:{hp}/broken\", interval: 1s}}\n"
            f"  - {{name: web-body, type: http, url: \"http://127.0.0.1:{hp}/ok\", body_contains: healthy, interval: 1s}}\n"
            f"  - {{name: web-404-ok, type: http, url: \"http://127.0.0.1:{hp}/none\", expect_status: 4xx, interval: 1s}}\n"
            f"  - {{name: tls, type: tls, host: 127.0.0.1, port: {sp}, server_name: localhost, tls_verify: false, interval: 1s}}\n"
            f"  - {{name: tls-verify, type: tls, host: 127.0.0.1, port: {sp}, server_name: localhost, interval: 1s}}\n"
            f"  - {{name: https, type: http, url: \"https://127.0.0.1:{sp}/ok\", tls_verify: false, interval: 1s}}\n"
            f"  - {{name: me, type: process, pidfile: {self.pidfile}, interval: 1s}}\n"
            f"  - {{name: gone, type: process, pidfile: {self.deadpid}, interval: 1s}}\n"
            "  - {name: python, type: process, process: python3, interval: 1s}\n"
            "  - {name: ghost, type: process, process: no-such-daemon, interval: 1s}\n"
            "  - {name: cmd-ok, type: command, command: [\"/bin/sh\", \"-c\", \"echo fine\"], interval: 1s}\n"
            "  - {name: cmd-fail, type: command, command: \"echo disk almost full; exit 2\", interval: 1s}\n"
            "  - {name: cmd-hang, type: command, command: \"sleep 60\", interval: 2s, timeout: 1s}\n"
            "  - {name: unit, type: systemd, unit: keepwatch-test.service, interval: 1s}\n")
        want_up = {"web-ok": 1, "web-503": 0, "web-body": 0, "web-404-ok": 1, "tls": 1, "tls-verify": 0,
                   "https": 1, "me": 1, "gone": 0, "python": 1, "ghost": 0, "cmd-ok": 1, "cmd-fail": 0,
                   "cmd-hang": 0}

        def up_values():
            text = d.get("/metrics")[1]
            got = {m.group(1): int(m.group(2)) for m in
                   re.finditer(r'^keepwatch_check_up\{check="([^"]+)"[^}]*\} (\d)$', text, re.M)}
            return got if all(k in got for k in want_up) else None

        got = wait_for("every check to report", up_values, timeout=20)
        self.assertEqual({k: got[k] for k in want_up}, want_up)
        text = d.get("/metrics")[1]
        days = float(re.search(r'keepwatch_check_tls_cert_expiry_days\{check="tls"\} ([\d.]+)', text).group(1))
        self.assertTrue(4 < days <= 5, days)
        self.assertIn('keepwatch_check_http_status_code{check="web-503"} 503', text)
        self.assertIn('keepwatch_check_command_exit_code{check="cmd-fail"} 2', text)

        alerts = wait_for("the alerts", lambda: (lambda a: a if len(a) >= 8 else None)(d.alerts()))
        summary = {a["labels"]["check"]: a["summary"] for a in alerts if a["rule"] == "service_down"}
        self.assertIn("HTTP 503 (expected 200-399)", summary["web-503"])
        self.assertIn('does not contain "healthy"', summary["web-body"])
        self.assertIn("does not verify", summary["tls-verify"])
        self.assertIn("is not running", summary["gone"])
        self.assertIn("no process named no-such-daemon", summary["ghost"])
        self.assertIn("exit status 2: disk almost full", summary["cmd-fail"])
        self.assertIn("killed after the timeout", summary["cmd-hang"])
        self.assertIn("unit", summary)  # systemd absent here, or the unit does not exist: down either way
        expiring = [a for a in alerts if a["rule"] == "certificate_expiry"]
        self.assertEqual(sorted(a["labels"]["check"] for a in expiring), ["https", "tls", "tls-verify"])
        self.assertIn("expires in", expiring[0]["summary"])
        # the hung command was killed with its process group: no sleep 60 left behind
        out = subprocess.run(["pgrep", "-f", "^sleep 60$"], capture_output=True, text=True).stdout.split()
        self.assertLessEqual(len(out), 1, "more than the one current run of the hung command is alive")


if __name__ == "__main__":
    unittest.main()
