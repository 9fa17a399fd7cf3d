"""The exposed-files and passive checks of `scan web` against real HTTP servers on loopback
(the fake-engine unit test they replace could not see the engine): a catch-all site that
answers 200 with the same login page (echoing the path) for every URL yields no file, console,
listing or trace finding, however many probes it answers; a site that serves a real .git and
.env beside its pages has each reported once, proven by its content; a page that sets 300
cookies gives one cookie finding per name, once per site, not per page."""
import html
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import unittest
import urllib.parse

from kwtest import free_port, run

LOGIN = ('<html><head><title>Welcome</title></head><body><p>You asked for {path}</p>'
         '<form method="post" action="/login"><input name="user"><input type="password" name="pw"></form>'
         '<a href="/a">a</a> <a href="/b?x=1">b</a></body></html>')


def serve(handler):
    port = free_port()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{port}/"


class Base(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def answer(self, status, body, ctype="text/html; charset=utf-8", headers=()):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class CatchAll(Base):
    def do_GET(self):
        self.answer(200, LOGIN.format(path=html.escape(urllib.parse.unquote(self.path))))

    do_POST = do_GET


class Exposed(Base):
    files = {"/.git/HEAD": ("ref: refs/heads/main\n", "text/plain"),
             "/.git/config": ("[core]\n\trepositoryformatversion = 0\n\tbare = false\n", "text/plain"),
             "/.env": ("APP_KEY=base64:3f9a\nDB_PASSWORD=s3cret\nDB_HOST=10.0.0.5\n", "text/plain")}

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if path == "/":
            cookies = [("Set-Cookie", f"c{i}=v{i}; Path=/") for i in range(300)]
            return self.answer(200, '<html><body><a href="/about">about</a></body></html>', headers=cookies)
        if path == "/about":
            return self.answer(200, '<html><body>about us</body></html>',
                               headers=[("Set-Cookie", "c1=again; Path=/")])
        if path in self.files:
            body, ctype = self.files[path]
            return self.answer(200, body, ctype)
        self.answer(404, "<html><body>Not found</body></html>")


class ScanWebFiles(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kw-webfiles-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.cfg = os.path.join(self.dir, "keepwatch.yaml")
        with open(self.cfg, "w") as f:
            f.write(f"daemon: {{state_dir: {self.dir}/var}}\n")

    def scan(self, handler, *extra):
        httpd, base = serve(handler)
        self.addCleanup(httpd.server_close)
        self.addCleanup(httpd.shutdown)
        rc, out, err = run("scan", "web", base, "--json", "--no-store", "-c", self.cfg, *extra, timeout=300)
        self.assertIn(rc, (0, 1), err)
        return [json.loads(line) for line in out.split("\n") if line.startswith("{")]

    def test_catch_all_site_has_no_file_findings(self):
        found = self.scan(CatchAll)
        wrong = [(f["vulnerability.id"], f["url.full"]) for f in found
                 if f["vulnerability.category"] in ("sensitive_file", "exposed_service")
                 or f["vulnerability.id"] == "KW-WEB-STACKTRACE"]
        self.assertEqual(wrong, [], "a site answering 200 to everything proves no file")

    def test_exposed_files_once_each_and_cookies_per_name(self):
        found = self.scan(Exposed)
        ids = [f["vulnerability.id"] for f in found]
        self.assertEqual(ids.count("KW-WEB-GIT"), 1, ids)
        self.assertEqual(ids.count("KW-WEB-ENV"), 1, ids)
        env = next(f for f in found if f["vulnerability.id"] == "KW-WEB-ENV")
        self.assertEqual(env["vulnerability.severity"], "high")
        self.assertIn("request: GET http://127.0.0.1", env["keepwatch.finding.evidence"])
        cookies = [f["keepwatch.finding.parameter"] for f in found if f["vulnerability.id"] == "KW-WEB-COOKIE-FLAGS"]
        self.assertEqual(len(cookies), len(set(cookies)), "one finding per cookie name")
        self.assertIn("c1", cookies)
        self.assertGreater(len(cookies), 10)
        self.assertLessEqual(len(cookies), 300)


if __name__ == "__main__":
    unittest.main()
