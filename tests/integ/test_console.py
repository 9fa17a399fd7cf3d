"""The console's files and data over HTTP (the browser test is test_console_e2e): the
sign-in page for strangers, the console only with a session, security headers, embedded
files cached and compressed, the wall's data, duty notes by role."""
import glob
import gzip
import http.client
import json
import os
import re
import subprocess

from kwtest import DaemonTest, free_port

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PW = "correct horse battery"


def fetch(port, path, cookie=None, method="GET", body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    h = dict(headers or {})
    if cookie:
        h["Cookie"] = f"kw_session={cookie}"
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


class Console(DaemonTest):
    def sign_in(self, d, name, role):
        subprocess.run([os.environ.get("KEEPWATCH_BIN", "keepwatch"), "user", "add", name, "--role", role,
                        "--password-stdin", "-c", d.config_path], input=PW + "\n", text=True, check=True,
                       capture_output=True)
        st, h, body = fetch(d.port, "/api/v1/session", method="POST",
                            body=json.dumps({"name": name, "password": PW}))
        self.assertEqual(st, 200, body)
        return re.search(r"kw_session=([0-9a-f]{64})", h["set-cookie"]).group(1), json.loads(body)["csrf"]

    def test_pages_headers_assets_and_data(self):
        d = self.daemon("host: {enabled: false}\nperiod: {name: 重保, start: \"2026-01-01T00:00\", end: \"2036-01-01T00:00\"}\n"
                        "assets: [{name: portal, addresses: [10.0.0.5], business: 网上银行}]\n")
        st, h, page = fetch(d.port, "/")
        self.assertEqual(st, 200)
        self.assertIn(b"/assets/login-", page)  # a stranger gets the sign-in page, nothing else
        self.assertNotIn(b"/assets/index-", page)
        csp = h["content-security-policy"]
        for part in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"):
            self.assertIn(part, csp)
        self.assertEqual(h["x-frame-options"], "DENY")
        self.assertEqual(h["cache-control"], "no-store")
        cookie, csrf = self.sign_in(d, "zhang.wei", "officer")
        st, h, page = fetch(d.port, "/", cookie)
        self.assertIn(b"/assets/index-", page)
        script = re.search(rb'src="(/assets/index-[^"]+\.js)"', page).group(1).decode()
        st, h, raw = fetch(d.port, script)
        self.assertEqual((st, h["content-type"]), (200, "text/javascript; charset=utf-8"))
        self.assertIn("immutable", h["cache-control"])
        st, h, gz = fetch(d.port, script, headers={"Accept-Encoding": "gzip"})
        self.assertEqual(h["content-encoding"], "gzip")
        self.assertEqual(gzip.decompress(gz), raw)
        self.assertLess(len(gz), len(raw) / 2)
        self.assertEqual(fetch(d.port, "/assets/none.js")[0], 404)
        self.assertEqual(fetch(d.port, "/etc/passwd")[0], 404)
        self.assertEqual(fetch(d.port, "/assets/../../etc/passwd")[0], 404)
        # the wall's data, one answer
        self.assertEqual(fetch(d.port, "/api/v1/overview")[0], 401)
        st, h, body = fetch(d.port, "/api/v1/overview", cookie)
        o = json.loads(body)
        self.assertEqual(o["period"]["name"], "重保")
        self.assertEqual(o["assets"][0], {"name": "portal", "business": "网上银行", "criticality": "medium",
                                          "state": "ok", "alerts": 0})
        self.assertTrue(o["duty"]["verify"]["intact"])
        self.assertEqual(o["duty"]["entries"][0]["kind"], "user.login")
        # notes: officers write, with the CSRF token; viewers do not
        note = json.dumps({"text": "14:05 运维已切换备用线路"})
        self.assertEqual(fetch(d.port, "/api/v1/duty/notes", cookie, "POST", note)[0], 403)
        st, h, body = fetch(d.port, "/api/v1/duty/notes", cookie, "POST", note, {"X-CSRF-Token": csrf})
        self.assertEqual(st, 201, body)
        vcookie, vcsrf = self.sign_in(d, "wall", "viewer")
        self.assertEqual(fetch(d.port, "/api/v1/duty/notes", vcookie, "POST", note, {"X-CSRF-Token": vcsrf})[0], 403)
        st, h, body = fetch(d.port, "/api/v1/duty?limit=5", vcookie)
        first = next(e for e in json.loads(body)["entries"] if e["kind"] == "note")
        self.assertEqual((first["kind"], first["actor"], first["text"]), ("note", "zhang.wei", "14:05 运维已切换备用线路"))
        st, h, body = fetch(d.port, "/api/v1/oncall", vcookie)
        self.assertEqual(json.loads(body), {"now": [], "shifts": []})
        self.assertEqual(fetch(d.port, "/api/v1/series", vcookie)[0], 400)

    def test_console_code_never_writes_html(self):
        """Values reach the page as text only: no innerHTML, outerHTML, insertAdjacentHTML or
        document.write in the console's own code."""
        for f in glob.glob(os.path.join(ROOT, "console", "src", "*.ts")):
            with open(f) as fh:
                src = fh.read()
            for bad in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
                self.assertNotIn(bad, src, f)
