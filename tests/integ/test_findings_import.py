"""Report importers on real reports that Debian's nmap, lynis and wapiti produce in the test.

Each tool runs against this machine only (services the test starts on 127.0.0.1, or the local
system for lynis); the report goes through findings_import by way of the unit-test program's
`--dump FILE [FORMAT]` mode (tests/unit/test_findings_import.c), which prints one JSON line per
finding and cover and a closing "result" line. `keepwatch findings import` itself is the
merger's; these tests check what the importers make of the tools' real output.
"""
import http.server
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

import kwtest

DUMP = os.environ.get("KW_IMPORT_DUMP") or os.path.join(
    os.path.dirname(os.path.abspath(kwtest.BIN)), "tests", "test_findings_import")


def dump(path, fmt=None):
    """Imports path; returns (exit status, findings, covers, result line, stderr)."""
    args = [DUMP, "--dump", path] + ([fmt] if fmt else [])
    p = subprocess.run(args, capture_output=True, text=True, timeout=60)
    lines = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    findings = [l for l in lines if l["kind"] == "finding"]
    covers = [l for l in lines if l["kind"] == "cover"]
    result = [l for l in lines if l["kind"] == "result"]
    return p.returncode, findings, covers, result[-1] if result else None, p.stderr


class _Reflect(http.server.BaseHTTPRequestHandler):
    """A deliberately vulnerable page: /search?q= reflects q into the HTML unescaped."""

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        if u.path == "/":
            body = '<html><body><a href="/search?q=hello">search</a></body></html>'
        elif u.path == "/search":
            q = urllib.parse.parse_qs(u.query).get("q", [""])[0]
            body = "<html><body>You searched for: %s</body></html>" % q
        else:
            self.send_error(404)
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class _Banner(threading.Thread):
    """A TCP service that greets like an FTP server and hangs up."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(16)
        self.sock.settimeout(0.5)
        self.stopping = False

    def run(self):
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            try:
                c.sendall(b"220 ProFTPD 1.3.5 Server (keepwatch test) [127.0.0.1]\r\n")
                c.settimeout(2)
                c.recv(256)
            except OSError:
                pass
            c.close()

    def stop(self):
        self.stopping = True
        self.join(5)
        self.sock.close()


class _Files(http.server.SimpleHTTPRequestHandler):
    """python's http.server, quiet, serving an empty directory."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=_Files.root, **kwargs)

    def log_message(self, *args):
        pass


def _serve(handler):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def _stop(srv):
    srv.shutdown()
    srv.server_close()


@unittest.skipUnless(os.path.exists(DUMP), "the test_findings_import program is not built")
class ImportTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kw-import-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    @unittest.skipUnless(shutil.which("nmap"), "nmap is not installed (scripts/deps.sh test)")
    def test_nmap_connect_scan(self):
        _Files.root = self.tmp
        web = _serve(_Files)
        ftp_port = kwtest.free_port()
        ftp = _Banner(ftp_port)
        ftp.start()
        closed = kwtest.free_port()
        web_port = web.server_address[1]
        out = os.path.join(self.tmp, "nmap.xml")
        try:
            ports = ",".join(str(p) for p in (web_port, ftp_port, closed))
            p = subprocess.run(["nmap", "-sT", "-Pn", "-n", "-sV", "--version-light", "-p", ports,
                                "-oX", out, "127.0.0.1"], capture_output=True, text=True,
                               timeout=180)
            self.assertEqual(p.returncode, 0, p.stderr)
        finally:
            _stop(web)
            ftp.stop()
        rc, findings, covers, result, err = dump(out)
        self.assertEqual(rc, 0, err)
        self.assertEqual(result["format"], "nmap")
        by_port = {f["port"]: f for f in findings}
        self.assertEqual(sorted(by_port), sorted([web_port, ftp_port]), findings)
        http_f = by_port[web_port]
        self.assertEqual(http_f["vuln_id"], "NMAP-EXPOSED-HTTP")
        self.assertEqual(http_f["service"], "http")
        self.assertEqual(http_f["severity"], "info")
        self.assertEqual(http_f["ip"], "127.0.0.1")
        self.assertEqual(http_f["transport"], "tcp")
        self.assertIn("Python", http_f["title"])
        ftp_f = by_port[ftp_port]
        self.assertEqual(ftp_f["vuln_id"], "NMAP-EXPOSED-FTP")
        self.assertEqual(ftp_f["severity"], "medium")
        self.assertIn("ProFTPD", ftp_f["title"])
        for f in findings:
            self.assertEqual(f["scanner"], "nmap")
            self.assertEqual(f["category"], "exposed_service")
        # the cover spans every port asked for, the closed one too
        covered = set()
        for c in covers:
            self.assertEqual((c["ip"], c["transport"], c["scanner"]), ("127.0.0.1", "tcp", "nmap"))
            covered.update(range(c["port_lo"], c["port_hi"] + 1))
        self.assertTrue({web_port, ftp_port, closed} <= covered, covers)
        self.assertEqual(result["covers"], len(covers))
        # the same report cut short is an error naming where
        with open(out, "rb") as f:
            data = f.read()
        cut = os.path.join(self.tmp, "cut.xml")
        with open(cut, "wb") as f:
            f.write(data[: len(data) // 2])
        rc, _, _, result, err = dump(cut, "nmap")
        self.assertEqual(rc, 1)
        self.assertEqual(result["rc"], "parse error")
        self.assertIn("line", err)

    @unittest.skipUnless(shutil.which("nmap") and shutil.which("openssl"),
                         "nmap or openssl is not installed (scripts/deps.sh test)")
    def test_nmap_ssl_enum_ciphers(self):
        key, cert = os.path.join(self.tmp, "k.pem"), os.path.join(self.tmp, "c.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                        "-out", cert, "-days", "2", "-subj", "/CN=localhost"],
                       check=True, capture_output=True, timeout=60)
        # a TLS server that still offers TLS 1.0 and every cipher its OpenSSL has
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.set_ciphers("ALL:@SECLEVEL=0")
        ctx.load_cert_chain(cert, key)
        _Files.root = self.tmp
        web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Files)
        web.socket = ctx.wrap_socket(web.socket, server_side=True)
        threading.Thread(target=web.serve_forever, daemon=True).start()
        port = web.server_address[1]
        out = os.path.join(self.tmp, "tls.xml")
        try:
            p = subprocess.run(["nmap", "-sT", "-Pn", "-n", "-p", str(port), "--script",
                                "ssl-enum-ciphers", "-oX", out, "127.0.0.1"],
                               capture_output=True, text=True, timeout=180)
            self.assertEqual(p.returncode, 0, p.stderr)
        finally:
            _stop(web)
        # what nmap said, read here independently of the importer
        root = ET.parse(out).getroot()
        script = root.find(".//script[@id='ssl-enum-ciphers']")
        self.assertIsNotNone(script, "nmap ran no ssl-enum-ciphers")
        protocols = [t.get("key") for t in script.findall("table")]
        legacy = [p for p in protocols if p in ("SSLv3", "TLSv1.0", "TLSv1.1")]
        grade = script.find("elem[@key='least strength']").text
        rc, findings, covers, result, err = dump(out, "nmap")
        self.assertEqual(rc, 0, err)
        ids = {f["vuln_id"]: f for f in findings if f["port"] == port}
        self.assertTrue(any(i.startswith("NMAP-EXPOSED-") for i in ids), ids)  # no -sV: no name
        if legacy:
            f = ids["NMAP-TLS-LEGACY-PROTOCOL"]
            self.assertEqual(f["category"], "weak_tls")
            for p in legacy:
                self.assertIn(p, f["title"])
        else:
            self.assertNotIn("NMAP-TLS-LEGACY-PROTOCOL", ids)
        if grade != "A":
            f = ids["NMAP-TLS-WEAK-CIPHERS"]
            want = {"B": "low", "F": "high"}.get(grade, "medium")
            self.assertEqual(f["severity"], want)
            self.assertIn(f"least strength {grade}", f["title"])
        else:
            self.assertNotIn("NMAP-TLS-WEAK-CIPHERS", ids)
        self.assertTrue(legacy or grade != "A",
                        "the test server offered nothing weak: TLS 1.0 and weak ciphers expected")

    @unittest.skipUnless(shutil.which("lynis"), "lynis is not installed (scripts/deps.sh test)")
    def test_lynis_report(self):
        report = os.path.join(self.tmp, "report.dat")
        p = subprocess.run(["lynis", "audit", "system", "--quick", "--no-colors", "--no-log",
                            "--tests-from-group", "ssh,authentication,file_permissions",
                            "--report-file", report], capture_output=True, text=True,
                           timeout=240, cwd=self.tmp)
        self.assertTrue(os.path.exists(report), p.stdout[-2000:] + p.stderr[-2000:])
        with open(report, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
        host = [l.split("=", 1)[1] for l in lines if l.startswith("hostname=")][0]
        items = [l for l in lines if l.split("=", 1)[0] in
                 ("warning[]", "suggestion[]", "vulnerable_package[]")]
        rc, findings, covers, result, err = dump(report)
        self.assertEqual(rc, 0, err)
        self.assertEqual(result["format"], "lynis")
        self.assertEqual(len(findings), len(items))
        self.assertGreater(len(findings), 0, "lynis gave no warning or suggestion at all")
        want = []
        for l in items:
            key, value = l.split("=", 1)
            if key == "vulnerable_package[]":
                want.append(("LYNIS-VULNERABLE-PACKAGE", "high"))
            else:
                want.append((value.split("|")[0], "medium" if key == "warning[]" else "low"))
        self.assertEqual([(f["vuln_id"], f["severity"]) for f in findings], want)
        for f in findings:
            self.assertEqual(f["host"], host)
            self.assertEqual(f["scanner"], "lynis")
        self.assertEqual(covers, [{"kind": "cover", "scanner": "lynis", "host": host,
                                   "port_lo": 0, "port_hi": 0}])

    @unittest.skipUnless(shutil.which("wapiti"), "wapiti is not installed (scripts/deps.sh test)")
    def test_wapiti_reflected_xss(self):
        srv = _serve(_Reflect)
        port = srv.server_address[1]
        out = os.path.join(self.tmp, "wapiti.json")
        cfg = os.path.join(self.tmp, "cfg")
        os.makedirs(cfg)
        # wapiti downloads its technology database when it has none: give it an empty one,
        # and a dead proxy for anything that is not loopback
        with open(os.path.join(cfg, "apps.json"), "w") as f:
            f.write("{}")
        env = dict(os.environ, HOME=self.tmp, http_proxy="http://127.0.0.1:9",
                   https_proxy="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9",
                   HTTPS_PROXY="http://127.0.0.1:9", no_proxy="127.0.0.1", NO_PROXY="127.0.0.1")
        try:
            p = subprocess.run(["wapiti", "-u", f"http://127.0.0.1:{port}/", "-m", "xss",
                                "--scope", "folder", "-d", "2", "--max-scan-time", "60",
                                "--flush-session", "--no-bugreport",
                                "--store-session", os.path.join(self.tmp, "sess"),
                                "--store-config", cfg, "-f", "json", "-o", out],
                               capture_output=True, text=True, timeout=180, env=env)
            self.assertEqual(p.returncode, 0, p.stdout[-2000:] + p.stderr[-2000:])
        finally:
            _stop(srv)
        rc, findings, covers, result, err = dump(out)
        self.assertEqual(rc, 0, err)
        self.assertEqual(result["format"], "wapiti")
        xss = [f for f in findings if f["vuln_id"] == "WAPITI-CROSS-SITE-SCRIPTING"]
        self.assertEqual(len(xss), 1, findings)
        x = xss[0]
        self.assertEqual(x["category"], "xss")
        self.assertEqual(x["parameter"], "q")
        self.assertEqual(x["url"], f"http://127.0.0.1:{port}/search")
        self.assertEqual((x["ip"], x["port"]), ("127.0.0.1", port))
        self.assertIn("GET /search?q=", x["evidence"])
        self.assertIn(x["severity"], ("medium", "high"))
        self.assertEqual(covers, [{"kind": "cover", "scanner": "wapiti", "ip": "127.0.0.1",
                                   "transport": "tcp", "port_lo": port, "port_hi": port}])


if __name__ == "__main__":
    unittest.main()
