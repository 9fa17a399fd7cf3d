"""The console's sign-in: users made with keepwatch user, Argon2id passwords, session cookies
(HttpOnly, SameSite=Strict, Secure under TLS), CSRF on every change, roles, the wrong-password
limit, sign-out, and HTTPS."""
import http.client
import json
import os
import ssl
import subprocess
import tempfile

from kwtest import DaemonTest, free_port, run, wait_for

PW = "correct horse battery"


class Client:
    """A browser's view: a cookie jar of one cookie, the CSRF token, an Origin."""

    def __init__(self, d, tls=False):
        self.d, self.tls = d, tls
        self.cookie = None
        self.csrf = None
        self.set_cookie = None

    def req(self, method, path, body=None, csrf=True, origin=None, cookie=True):
        if self.tls:
            conn = http.client.HTTPSConnection("127.0.0.1", self.d.port, timeout=20,
                                               context=ssl._create_unverified_context())
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.d.port, timeout=20)
        h = {"Content-Type": "application/json"}
        if cookie and self.cookie:
            h["Cookie"] = f"kw_session={self.cookie}"
        if csrf and self.csrf:
            h["X-CSRF-Token"] = self.csrf
        if origin:
            h["Origin"] = origin
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
        r = conn.getresponse()
        data = r.read().decode()
        sc = r.getheader("Set-Cookie")
        if sc:
            self.set_cookie = sc
            v = sc.split(";")[0].split("=", 1)[1]
            self.cookie = v or None
        conn.close()
        try:
            return r.status, json.loads(data), r
        except ValueError:
            return r.status, data, r

    def sign_in(self, name, pw):
        st, body, r = self.req("POST", "/api/v1/session", {"name": name, "password": pw}, csrf=False)
        if st == 200:
            self.csrf = body["csrf"]
        return st, body, r


class ConsoleAuth(DaemonTest):
    def add_user(self, d, name, role, pw=PW, extra=()):
        p = subprocess.run([os.environ.get("KEEPWATCH_BIN", "keepwatch"), "user", "add", name, "--role", role,
                            "--password-stdin", "-c", d.config_path, *extra], input=pw + "\n",
                           capture_output=True, text=True, timeout=30)
        return p.returncode, p.stdout, p.stderr

    def failing_check(self):
        return (f"host: {{enabled: false}}\nchecks:\n  - {{name: db, type: tcp, host: 127.0.0.1, port: {free_port()},"
                f" interval: 1s, timeout: 500ms}}\n")

    def test_sign_in_csrf_roles_and_sign_out(self):
        d = self.daemon(self.failing_check())
        self.assertEqual(self.add_user(d, "zhang.wei", "officer", extra=("--display", "张伟"))[0], 0)
        self.assertEqual(self.add_user(d, "wall", "viewer")[0], 0)
        self.assertEqual(self.add_user(d, "biz", "member")[0], 0)
        self.assertEqual(self.add_user(d, "zhang.wei", "officer")[0], 1)  # taken
        self.assertEqual(self.add_user(d, "short", "officer", pw="tiny")[0], 2)
        self.assertEqual(self.add_user(d, "Bad Name", "officer")[0], 2)
        self.assertEqual(self.add_user(d, "x", "king")[0], 2)
        rc, out, err = d.cli("user", "list", "--json")
        self.assertEqual([u["name"] for u in json.loads(out)], ["biz", "wall", "zhang.wei"])
        if not self.pg:  # the SQLite file (KW_TEST_STORE=pg: the server's)
            with open(os.path.join(d.dir, "var", "keepwatch.db"), "rb") as f:
                self.assertNotIn(PW.encode(), f.read())  # only the Argon2id hash is kept

        a = d.wait_alert(lambda a: a["rule"] == "service_down", "the service_down alert")
        c = Client(d)
        self.assertEqual(c.req("GET", "/api/v1/alerts")[0], 401)
        # no page or API answers a stranger, nor a wrong token or a made-up cookie
        routes = [("GET", p) for p in ("/api/v1/alerts", f"/api/v1/alerts/{a['id']}", "/api/v1/overview",
                                        "/api/v1/stream", "/api/v1/duty", "/api/v1/oncall", "/api/v1/net",
                                        "/api/v1/host", "/api/v1/logs", "/api/v1/series?prefix=host", "/metrics",
                                        "/api/v1/session")]
        routes += [("POST", p) for p in (f"/api/v1/alerts/{a['id']}/ack", f"/api/v1/alerts/{a['id']}/resolve",
                                         f"/api/v1/alerts/{a['id']}/assign", f"/api/v1/alerts/{a['id']}/comments",
                                         "/api/v1/duty/notes", "/api/v1/duty/handover")]
        for method, path in routes:
            for headers in ({}, {"Authorization": "Bearer " + "0" * 64}, {"Cookie": "kw_session=" + "a" * 64}):
                conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
                conn.request(method, path, body="{}" if method == "POST" else None, headers=headers)
                r = conn.getresponse()
                r.read()
                conn.close()
                self.assertEqual(r.status, 401, (method, path, headers))
        self.assertEqual(c.sign_in("zhang.wei", "wrong password!")[0], 401)
        self.assertEqual(c.sign_in("nobody", PW)[0], 401)
        st, body, r = c.sign_in("zhang.wei", PW)
        self.assertEqual(st, 200, body)
        self.assertEqual(body["user"], {"name": "zhang.wei", "display": "张伟", "role": "officer"})
        flags = [f.strip() for f in c.set_cookie.split(";")]
        self.assertIn("HttpOnly", flags)
        self.assertIn("SameSite=Strict", flags)
        self.assertNotIn("Secure", flags)  # plain HTTP here
        self.assertEqual(len(c.cookie), 64)
        self.assertEqual(c.req("GET", "/api/v1/alerts")[0], 200)
        self.assertEqual(c.req("GET", "/api/v1/session")[1]["csrf"], c.csrf)
        # a change needs the CSRF token, from this origin
        ack = f"/api/v1/alerts/{a['id']}/ack"
        st, body, _ = c.req("POST", ack, {"note": "on it"}, csrf=False)
        self.assertEqual(st, 403, body)
        self.assertIn("CSRF", body["error"])
        self.assertEqual(c.req("POST", ack, {"note": "x"}, origin="http://evil.example")[0], 403)
        st, body, _ = c.req("POST", ack, {"by": "someone.else", "note": "on it"},
                            origin=f"http://127.0.0.1:{d.port}")
        self.assertEqual(st, 400, body)  # a free-text actor is refused
        st, body, _ = c.req("POST", ack, {"note": "on it"}, origin=f"http://127.0.0.1:{d.port}")
        self.assertEqual(st, 200, body)
        self.assertEqual(body["acked_by"], "zhang.wei")  # who is signed in, not what the body says
        # roles: a viewer sees but cannot act; a member acknowledges but does not resolve
        v = Client(d)
        self.assertEqual(v.sign_in("wall", PW)[0], 200)
        self.assertEqual(v.req("GET", f"/api/v1/alerts/{a['id']}")[0], 200)
        self.assertEqual(v.req("POST", f"/api/v1/alerts/{a['id']}/resolve", {})[0], 403)
        m = Client(d)
        self.assertEqual(m.sign_in("biz", PW)[0], 200)
        st, body, _ = m.req("POST", f"/api/v1/alerts/{a['id']}/resolve", {})
        self.assertEqual(st, 403, body)
        # the duty log has who did what
        rc, out, err = d.cli("duty", "export", "--format", "json")
        rows = [json.loads(x) for x in out.splitlines()]
        self.assertIn(("user.login", "zhang.wei"), [(r["kind"], r["actor"]) for r in rows])
        self.assertIn(("alert.acknowledged", "zhang.wei", a["id"]),
                      [(r["kind"], r["actor"], r.get("alert_id")) for r in rows])
        # sign out: the cookie is cleared and the old one is dead
        old = c.cookie
        self.assertEqual(c.req("DELETE", "/api/v1/session", csrf=False)[0], 403)
        st, body, _ = c.req("DELETE", "/api/v1/session")
        self.assertEqual(st, 200, body)
        self.assertIsNone(c.cookie)
        c.cookie = old
        self.assertEqual(c.req("GET", "/api/v1/alerts")[0], 401)
        # a new password ends the user's sessions
        self.assertEqual(m.req("GET", "/api/v1/alerts")[0], 200)
        p = subprocess.run([os.environ.get("KEEPWATCH_BIN", "keepwatch"), "user", "passwd", "biz", "--password-stdin",
                            "-c", d.config_path], input="another long password\n", capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(m.req("GET", "/api/v1/alerts")[0], 401)
        self.assertEqual(d.cli("user", "del", "wall")[0], 0)
        self.assertEqual(v.req("GET", "/api/v1/alerts")[0], 401)
        self.assertEqual(d.cli("user", "del", "wall")[0], 1)
        self.assertEqual(d.cli("duty", "verify")[0], 0)

    def test_wrong_passwords_are_limited(self):
        d = self.daemon("host: {enabled: false}\n")
        self.assertEqual(self.add_user(d, "li.na", "admin")[0], 0)
        c = Client(d)
        for i in range(5):
            self.assertEqual(c.sign_in("li.na", f"guess number {i}")[0], 401)
        st, body, r = c.sign_in("li.na", PW)  # even the right one waits now
        self.assertEqual(st, 429, body)
        self.assertGreaterEqual(int(r.getheader("Retry-After")), 1)
        # the limit is per name and address: another name from the same address may still try
        self.assertEqual(self.add_user(d, "wang.fang", "viewer")[0], 0)
        self.assertEqual(c.sign_in("wang.fang", PW)[0], 200)
        self.assertIn("wrong name or password", d.logs())

    def test_https(self):
        tmp = tempfile.mkdtemp(prefix="kw-tls-")
        cert, key = os.path.join(tmp, "c.pem"), os.path.join(tmp, "k.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "2", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
        from kwtest import Daemon
        d = Daemon(f"host: {{enabled: false}}\n")
        self.addCleanup(d.cleanup)
        with open(d.config_path) as f:
            cfg = f.read().replace("http: {listen:", f"http: {{tls_cert: {cert}, tls_key: {key}, listen:")
        with open(d.config_path, "w") as f:
            f.write(cfg)
        d.log = open(d.log_path, "a")
        d.proc = subprocess.Popen([os.environ.get("KEEPWATCH_BIN", "keepwatch"), "serve", "-c", d.config_path],
                                  stdout=d.log, stderr=d.log)
        c = Client(d, tls=True)
        wait_for("HTTPS", lambda: c.req("GET", "/api/v1/health")[0] == 200)
        self.assertEqual(self.add_user(d, "ops", "officer")[0], 0)
        st, body, r = c.sign_in("ops", PW)
        self.assertEqual(st, 200, body)
        self.assertIn("Secure", [f.strip() for f in c.set_cookie.split(";")])
        with self.assertRaises(Exception):  # plain HTTP is not spoken on that port
            Client(d).req("GET", "/api/v1/health")
        self.assertEqual(run("config", "check", "-c", d.config_path)[0], 0)
        with open(d.config_path, "w") as f:
            f.write(cfg.replace(f"tls_key: {key}, ", ""))
        rc, out, err = run("config", "check", "-c", d.config_path)
        self.assertEqual(rc, 2)
        self.assertIn("tls_cert and tls_key go together", err)
