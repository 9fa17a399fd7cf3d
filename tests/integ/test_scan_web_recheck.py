"""`scan web` into the findings workflow, with a site that gets fixed: a small real HTTP server on
loopback whose search page echoes its parameter raw (reflected XSS) and whose item page builds
its SQL by concatenation (real SQLite), until the test fixes it (the echo escaped, the query
parameterised). A scan records both findings with the owner of the asset; the owner marks the
XSS fixed while it is still there and `--recheck` reopens it; after the real fix `--recheck`
(replaying only the proof) verifies it, sending a handful of requests, not a scan; a full
rescan of the fixed site verifies the SQL injection the owner marked fixed. Also: a scheduled
`scan.web.jobs` entry validates (a name taken by a scan.net job is refused)."""
import html
import http.server
import json
import os
import shutil
import sqlite3
import tempfile
import threading
import unittest
import urllib.parse

from kwtest import free_port, run


class Site:
    """The site: `fixed` switches both pages to their safe form. Counts the requests."""

    def __init__(self):
        self.fixed = False
        self.requests = 0
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)")
        self.db.execute("INSERT INTO items VALUES (1, 'lamp'), (2, 'desk')")
        self.lock = threading.Lock()
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def answer(self, status, body):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                with site.lock:
                    site.requests += 1
                u = urllib.parse.urlsplit(self.path)
                q = dict(urllib.parse.parse_qsl(u.query))
                if u.path == "/":
                    return self.answer(200, '<html><body><a href="/search?q=lamp">search</a> '
                                            '<a href="/item?id=1">item</a></body></html>')
                if u.path == "/search":
                    shown = html.escape(q.get("q", "")) if site.fixed else q.get("q", "")
                    return self.answer(200, f"<html><body><p>Results for {shown}</p></body></html>")
                if u.path == "/item":
                    try:
                        with site.lock:
                            if site.fixed:
                                rows = site.db.execute("SELECT name FROM items WHERE id = ?", (q.get("id", ""),))
                            else:
                                rows = site.db.execute("SELECT name FROM items WHERE id = " + q.get("id", ""))
                            names = [r[0] for r in rows.fetchall()]
                    except sqlite3.Error as e:
                        return self.answer(500, f"<html><body>sqlite3.OperationalError: {html.escape(str(e))}"
                                                "</body></html>")
                    return self.answer(200, "<html><body>" + "".join(f"<p>{n}</p>" for n in names) + "</body></html>")
                return self.answer(404, "<html><body>not here</body></html>")

        self.port = free_port()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class ScanWebRecheck(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kw-webrecheck-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.cfg = os.path.join(self.dir, "keepwatch.yaml")
        with open(self.cfg, "w") as f:
            f.write(f"daemon: {{state_dir: {self.dir}/var}}\n"
                    "assets:\n  - {name: shop, addresses: [127.0.0.1], owner: li.na, department: 开发部}\n")
        self.site = Site()
        self.addCleanup(self.site.stop)
        self.base = f"http://127.0.0.1:{self.site.port}/"

    def kw(self, *args, timeout=180):
        return run(*args, "-c", self.cfg, timeout=timeout)

    def findings(self):
        rc, out, err = self.kw("findings", "list", "--status", "all", "--scanner", "keepwatch-web", "--json")
        self.assertIn(rc, (0, 1), err)
        return {(f["vulnerability.id"], f.get("keepwatch.finding.parameter")): f for f in json.loads(out)["findings"]}

    def status(self, fid):
        rc, out, err = self.kw("findings", "show", str(fid), "--json")
        self.assertIn(rc, (0, 1), err)
        return json.loads(out)["keepwatch.finding.status"]

    def test_scan_recheck_verify(self):
        rc, out, err = self.kw("scan", "web", self.base)
        self.assertEqual(rc, 1, out + err)
        found = self.findings()
        xss = found.get(("KW-WEB-XSS-REFLECTED", "q"))
        sqli = found.get(("KW-WEB-SQLI-ERROR", "id"))
        self.assertIsNotNone(xss, f"no reflected XSS on q: {sorted(found)}")
        self.assertIsNotNone(sqli, f"no error-based SQL injection on id: {sorted(found)}")
        self.assertEqual(xss["keepwatch.finding.owner"], "li.na")
        self.assertIn("request: GET http://127.0.0.1", xss["keepwatch.finding.evidence"])
        xid, sid = xss["keepwatch.finding.id"], sqli["keepwatch.finding.id"]

        # marked fixed while it is not: the recheck finds it again and reopens it
        self.assertEqual(self.kw("findings", "fix", str(xid), "--note", "deployed")[0], 0)
        rc, out, err = self.kw("scan", "web", "--recheck", str(xid))
        self.assertEqual(rc, 1, out + err)
        self.assertIn("still there", out)
        self.assertEqual(self.status(xid), "reopened")

        # the real fix: the recheck replays the proof only, and verifies it
        self.site.fixed = True
        self.assertEqual(self.kw("findings", "fix", str(xid), "--note", "escaped now")[0], 0)
        before = self.site.requests
        rc, out, err = self.kw("scan", "web", "--recheck", str(xid))
        self.assertEqual(rc, 0, out + err)
        self.assertIn("no longer seen", out)
        self.assertLess(self.site.requests - before, 30, "a recheck is the proof replayed, not a scan")
        self.assertEqual(self.status(xid), "verified")
        self.assertEqual(self.status(sid), "assigned", "a recheck of one finding touches no other")

        # a full rescan of the fixed site verifies the SQL injection marked fixed
        self.assertEqual(self.kw("findings", "fix", str(sid))[0], 0)
        rc, out, err = self.kw("scan", "web", self.base)
        self.assertIn(rc, (0, 1), err)
        self.assertEqual(self.status(sid), "verified")

    def test_scheduled_job(self):
        """scan.web.jobs on the daemon: the leader runs the job, records its findings as
        scan.web NAME, lists it beside the network jobs, and runs it again when asked."""
        from kwtest import Daemon, wait_for
        d = Daemon("assets:\n  - {name: shop, addresses: [127.0.0.1], owner: li.na}\n"
                   f"scan:\n  web:\n    jobs:\n      - {{name: shop, urls: ['{self.base}'], every: 1h}}\n")
        self.addCleanup(d.stop)
        d.start()

        def job():
            status, body = d.get("/api/v1/scan")
            self.assertEqual(status, 200, body)
            return body["jobs"][0]

        first = wait_for("the web job's first run", lambda: job().get("runs_ok") == 1 and job(), timeout=90)
        self.assertEqual(first["kind"], "web")
        self.assertEqual(first["urls"], [self.base])
        self.assertTrue(first["result"].startswith("ok: "), first)
        rc, out, err = run("findings", "list", "--json", "--scanner", "keepwatch-web", "-c", d.config_path)
        ids = {f["vulnerability.id"] for f in json.loads(out)["findings"]}
        self.assertIn("KW-WEB-XSS-REFLECTED", ids, f"{first} {out}")
        self.site.fixed = True
        status, body = d.post("/api/v1/scan/shop/run")
        self.assertEqual(status, 202, body)
        wait_for("the requested run", lambda: job().get("runs_ok") == 2, timeout=90)
        self.assertIn("0 new", job()["result"])

    def test_recheck_of_an_unknown_finding(self):
        rc, out, err = self.kw("scan", "web", "--recheck", "999")
        self.assertEqual(rc, 2)
        self.assertIn("no finding 999", err)

    def test_web_jobs_validate(self):
        good = self.cfg + ".good"
        with open(good, "w") as f:
            f.write(f"daemon: {{state_dir: {self.dir}/var}}\n"
                    "scan:\n  web:\n    jobs:\n"
                    f"      - {{name: shop, urls: ['{self.base}'], every: 1d, login_fields: [user=a], "
                    f"login_url: '{self.base}login', cookie: 'sid=secret-cookie'}}\n")
        rc, out, err = run("config", "check", "-c", good)
        self.assertEqual(rc, 0, out + err)
        rc, out, err = run("config", "show", "-c", good)
        self.assertEqual(rc, 0, err)
        self.assertNotIn("secret-cookie", out)
        bad = self.cfg + ".bad"
        with open(bad, "w") as f:
            f.write(f"daemon: {{state_dir: {self.dir}/var}}\n"
                    "scan:\n  net:\n    - {name: shop, targets: [127.0.0.1]}\n"
                    "  web:\n    jobs:\n      - {name: shop, urls: ['ftp://x/']}\n")
        rc, out, err = run("config", "check", "-c", bad)
        self.assertEqual(rc, 2, out + err)
        self.assertIn("a scan.net job has that name", out + err)
        self.assertIn("is not an http(s) URL", out + err)


if __name__ == "__main__":
    unittest.main()
