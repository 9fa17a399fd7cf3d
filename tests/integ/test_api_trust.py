"""Who may do what through the API: per-user tokens (their user is the actor; revoked and
expired ones get 401; the bootstrap token rotates), a free-text "by" refused, names checked,
sign-in throttled per name and address, bodies refused from the headers (413, 401), slow
connections closed, and signed webhooks a receiver can verify and refuse when replayed."""
import hashlib
import hmac
import http.client
import http.server
import json
import os
import socket
import subprocess
import threading
import time

from kwtest import BIN, Daemon, DaemonTest, free_port, wait_for

PW = "correct horse battery"


def tcp_check(name, port):
    return f"  - {{name: {name}, type: tcp, host: 127.0.0.1, port: {port}, interval: 1s, timeout: 1s}}\n"


def add_user(d, name, role):
    return subprocess.run([BIN, "user", "add", name, "--role", role, "-c", d.config_path], input=PW + "\n",
                          capture_output=True, text=True)


def sign_in(d, name, pw, source="127.0.0.1"):
    """POST /api/v1/session from a given loopback address (127/8 is all ours)."""
    conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=20, source_address=(source, 0))
    conn.request("POST", "/api/v1/session", body=json.dumps({"name": name, "password": pw}),
                 headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    r.read()
    conn.close()
    return r.status


def raw(port, data, wait=5.0):
    """Sends data on a raw socket and returns what comes back before the server stops."""
    s = socket.create_connection(("127.0.0.1", port), timeout=wait)
    s.sendall(data)
    got = b""
    try:
        while b"\r\n\r\n" not in got:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
    finally:
        s.close()
    return got


class Tokens(DaemonTest):
    def test_token_user_is_actor_and_names_are_checked(self):
        d = self.daemon("host: {enabled: false}\npeople:\n  - {name: li.na}\nchecks:\n" + tcp_check("gone", free_port()))
        self.assertEqual(add_user(d, "zhang.wei", "officer").returncode, 0)
        rc, out, err = d.cli("token", "add", "zhang.wei", "--name", "laptop")
        self.assertEqual(rc, 0, err)
        tok = out.strip()
        self.assertRegex(tok, r"^kw_[0-9a-f]{64}$")
        a = d.wait_alert(lambda a: a["state"] == "firing", "the alert to fire")
        ack = f"/api/v1/alerts/{a['id']}/ack"
        st, body = d.request("POST", ack, {"by": "someone.else"}, token=tok)
        self.assertEqual(st, 400, body)
        self.assertIn('"by"', body["error"])
        st, body = d.request("POST", ack, {"note": "on it"}, token=tok)
        self.assertEqual((st, body.get("acked_by")), (200, "zhang.wei"), body)
        rc, out, _ = d.cli("duty", "export", "--format", "json")
        rows = [json.loads(x) for x in out.splitlines()]
        self.assertIn(("alert.acknowledged", "zhang.wei"), [(r["kind"], r["actor"]) for r in rows])
        # names: in people: or a user, else 400 with the reason
        assign = f"/api/v1/alerts/{a['id']}/assign"
        st, body = d.request("POST", assign, {"to": "nobody.here"}, token=tok)
        self.assertEqual(st, 400, body)
        self.assertEqual(body["error"], "unknown person 'nobody.here': not in people: or users")
        self.assertEqual(d.request("POST", assign, {"to": "li.na"}, token=tok)[0], 200)        # people:
        self.assertEqual(d.request("POST", assign, {"to": "zhang.wei"}, token=tok)[0], 200)    # a user
        st, body = d.request("POST", "/api/v1/duty/handover", {"to": "ghost"}, token=tok)
        self.assertEqual(st, 400, body)
        self.assertIn("unknown person 'ghost'", body["error"])
        self.assertEqual(d.request("POST", "/api/v1/duty/handover", {"to": "li.na"}, token=tok)[0], 201)
        # the list never shows a secret; a revoked token is refused
        rc, out, _ = d.cli("token", "list", "--json")
        listed = json.loads(out)
        self.assertEqual([(t["user"], t["label"], t["state"]) for t in listed], [("zhang.wei", "laptop", "live")])
        self.assertIn("last_used", listed[0])
        self.assertNotIn(tok[3:], out)
        self.assertEqual(d.cli("token", "revoke", "laptop")[0], 0)
        st, body = d.get("/api/v1/alerts", token=tok)
        self.assertEqual(st, 401)
        self.assertIn("revoked", body["error"])
        # an expired one too
        rc, out, err = d.cli("token", "add", "zhang.wei", "--expires", "1s")
        self.assertEqual(rc, 0, err)
        short = out.strip()
        self.assertEqual(d.get("/api/v1/alerts", token=short)[0], 200)
        time.sleep(1.5)
        st, body = d.get("/api/v1/alerts", token=short)
        self.assertEqual(st, 401)
        self.assertIn("expired", body["error"])

    def test_rotate_and_401_names_the_token_path(self):
        d = self.daemon("host: {enabled: false}\n")
        old = d.token
        path = os.path.join(d.dir, "var", "api.token")
        st, body = d.get("/api/v1/alerts", auth=False)
        self.assertEqual(st, 401)
        self.assertIn(path, body["error"])
        self.assertIn("keepwatch token add USER", body["error"])
        rc, out, err = d.cli("token", "rotate")
        self.assertEqual((rc, out.strip()), (0, path), err)
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        self.assertNotEqual(d.token, old)
        self.assertEqual(d.get("/api/v1/alerts", token=old)[0], 401)
        self.assertEqual(d.get("/api/v1/alerts")[0], 200)

    def test_user_add_reads_stdin_or_says_why_not(self):
        d = self.daemon("host: {enabled: false}\n")
        p = subprocess.run([BIN, "user", "add", "a.b", "--role", "viewer", "-c", d.config_path], input="",
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("standard input is not a terminal", p.stderr)
        self.assertEqual(add_user(d, "a.b", "viewer").returncode, 0)


class Throttle(DaemonTest):
    def test_failures_from_one_address_do_not_lock_out_another(self):
        d = self.daemon("host: {enabled: false}\n")
        self.assertEqual(add_user(d, "duty.officer", "officer").returncode, 0)
        for i in range(6):
            self.assertIn(sign_in(d, "duty.officer", f"guess {i}", source="127.0.0.2"), (401, 429))
        self.assertEqual(sign_in(d, "duty.officer", PW, source="127.0.0.2"), 429)
        self.assertEqual(sign_in(d, "duty.officer", PW, source="127.0.0.1"), 200)
        rc, out, err = d.cli("user", "unlock", "duty.officer")
        self.assertEqual(rc, 0, err)
        self.assertEqual(sign_in(d, "duty.officer", PW, source="127.0.0.2"), 200)
        self.assertEqual(d.cli("user", "unlock", "no.such")[0], 1)


class Hardening(DaemonTest):
    def short_timeout_daemon(self):
        d = Daemon("host: {enabled: false}\n")
        with open(d.config_path) as f:
            text = f.read()
        with open(d.config_path, "w") as f:
            f.write(text.replace(f"listen: 127.0.0.1:{d.port}}}",
                                 f"listen: 127.0.0.1:{d.port}, timeout: 2s, per_address: 4}}"))
        self.addCleanup(d.cleanup)
        self.addCleanup(lambda: self._dump_logs_on_failure(d))
        return d.start()

    def test_bodies_refused_from_the_headers(self):
        d = self.short_timeout_daemon()
        auth = f"Authorization: Bearer {d.token}\r\n".encode()
        # 10 MB declared, nothing sent: 413 at once
        t = time.monotonic()
        got = raw(d.port, b"POST /api/v1/alerts/1/ack HTTP/1.1\r\nHost: x\r\n" + auth +
                  b"Content-Type: application/json\r\nContent-Length: 10485760\r\n\r\n")
        self.assertTrue(got.startswith(b"HTTP/1.1 413"), got[:200])
        self.assertLess(time.monotonic() - t, 1.5)
        # the sign-in route takes little
        got = raw(d.port, b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
        self.assertTrue(got.startswith(b"HTTP/1.1 413"), got[:200])
        # nobody known, with a body: 401 before it is sent
        got = raw(d.port, b"POST /api/v1/alerts/1/ack HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n")
        self.assertTrue(got.startswith(b"HTTP/1.1 401"), got[:200])
        # not HTTP at all: 400
        got = raw(d.port, b"HELLO THERE\r\n\r\n")
        self.assertTrue(got.startswith(b"HTTP/1.1 400"), got[:200])

    def test_slow_connection_closed(self):
        d = self.short_timeout_daemon()
        # idle after part of the headers: closed by the idle timeout
        s = socket.create_connection(("127.0.0.1", d.port), timeout=10)
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")  # and never the end of the headers
        t = time.monotonic()
        try:
            rest = s.recv(4096)
        except ConnectionResetError:
            rest = b""
        s.close()
        self.assertFalse(rest.startswith(b"HTTP/1.1 200"))
        self.assertLess(time.monotonic() - t, 6)
        # slowloris: a header byte every 0.3 s is never idle, yet the request is not whole
        # after the 2 s allowed, so it is closed
        s = socket.create_connection(("127.0.0.1", d.port), timeout=10)
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
        t, closed = time.monotonic(), False
        while time.monotonic() - t < 8 and not closed:
            try:
                s.sendall(b"X")
                time.sleep(0.3)
            except (BrokenPipeError, ConnectionResetError):
                closed = True
        s.close()
        self.assertTrue(closed, "the slow request was let through")
        self.assertLess(time.monotonic() - t, 5)
        # a request answered in time on a kept-alive connection is not cut
        conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
        for _ in range(3):
            conn.request("GET", "/api/v1/health")
            self.assertEqual(conn.getresponse().read(), b'{"status":"ok"}\n')
            time.sleep(0.5)
        conn.close()
        wait_for("the slow request logged", lambda: "no whole request within 2s" in d.logs(), timeout=15)


    def test_connections_per_address_bounded(self):
        d = self.short_timeout_daemon()
        held = [socket.create_connection(("127.0.0.1", d.port), timeout=5, source_address=("127.0.0.5", 0))
                for _ in range(4)]
        self.addCleanup(lambda: [s.close() for s in held])
        time.sleep(0.2)
        extra = socket.create_connection(("127.0.0.1", d.port), timeout=5, source_address=("127.0.0.5", 0))
        extra.settimeout(1.5)
        try:
            extra.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
            got = extra.recv(4096)
        except (ConnectionResetError, BrokenPipeError):
            got = b""
        extra.close()
        self.assertEqual(got, b"")  # the fifth from one address is closed unanswered
        # another address is not held back
        conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=5, source_address=("127.0.0.6", 0))
        conn.request("GET", "/api/v1/health")
        self.assertEqual(conn.getresponse().status, 200)
        conn.close()


class SignedReceiver:
    """A webhook receiver that verifies X-Keepwatch-Signature over the timestamp and the body
    and refuses timestamps older than five minutes or a delivery seen before."""

    def __init__(self, secret):
        self.secret, self.accepted, self.refused, self.seen = secret, [], [], set()
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                why = outer.verify(self.headers, body)
                (outer.refused if why else outer.accepted).append((dict(self.headers), body, why))
                self.send_response(401 if why else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def verify(self, headers, body):
        ts, sig = headers.get("X-Keepwatch-Timestamp"), headers.get("X-Keepwatch-Signature", "")
        if not ts or not ts.isdigit():
            return "no timestamp"
        want = "v0=" + hmac.new(self.secret, b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, sig):
            return "bad signature"
        if abs(time.time() - int(ts)) > 300:
            return "too old: a replay"
        delivery = headers.get("X-Keepwatch-Delivery")
        if delivery in self.seen:
            return "delivery seen before"
        self.seen.add(delivery)
        return None

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Webhook(DaemonTest):
    def test_signed_webhook_with_every_alert_id_and_replay_refused(self):
        r = SignedReceiver(b"s3cret-hook")
        self.addCleanup(r.stop)
        secret_file = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".hook-secret-%d" % os.getpid())
        with open(secret_file, "w") as f:
            f.write("s3cret-hook\n")
        self.addCleanup(os.unlink, secret_file)
        ports = [free_port() for _ in range(3)]
        d = self.daemon(f"""host: {{enabled: false}}
people:
  - {{name: wang.fang}}
notify:
  group_wait: 3s  # the three checks fail within moments of each other: one message for all
  channels:
    - {{name: hook, type: webhook, url: "{r.url}/hook", secret_file: {secret_file}}}
  policies:
    - {{name: p, levels: [{{notify: ["person:wang.fang"], channels: [hook]}}]}}
  routes:
    - {{policy: p, group_by: [rule]}}
checks:
""" + "".join(tcp_check(f"c{i}", p) for i, p in enumerate(ports)))
        wait_for("three alerts", lambda: len(d.alerts("firing")) == 3)
        wait_for("a delivery with all three ids",
                 lambda: any(len(json.loads(b).get("alert_ids", [])) == 3 for _, b, _ in r.accepted), timeout=30)
        h, body, _ = next(x for x in r.accepted if len(json.loads(x[1])["alert_ids"]) == 3)
        msg = json.loads(body)
        self.assertEqual(sorted(msg["alert_ids"]), sorted(a["id"] for a in d.alerts()))
        self.assertEqual(msg["alerts_total"], 3)
        self.assertNotIn("alerts_truncated", msg)
        self.assertEqual(h["X-Keepwatch-Delivery"], msg["delivery"])
        self.assertEqual(r.refused, [])
        st, ga = d.get(f"/api/v1/notify/groups/{msg['group']}/alerts?offset=1&limit=5")
        self.assertEqual((st, ga["total"], ga["alert_ids"]), (200, 3, sorted(msg["alert_ids"])[1:]))
        # the same request again, as an attacker who recorded it would send it
        conn = http.client.HTTPConnection("127.0.0.1", r.server.server_address[1], timeout=10)
        conn.request("POST", "/hook", body=body, headers={k: v for k, v in h.items()
                                                          if k.startswith("X-Keepwatch") or k == "Content-Type"})
        self.assertEqual(conn.getresponse().status, 401)
        self.assertEqual(r.refused[-1][2], "delivery seen before")
        # a recorded one from ten minutes ago, even with a fresh delivery id, fails: the
        # signature covers the timestamp and the body, and the old timestamp is refused
        old = str(int(time.time()) - 600)
        sig = "v0=" + hmac.new(b"s3cret-hook", b"v0:" + old.encode() + b":" + body, hashlib.sha256).hexdigest()
        conn.request("POST", "/hook", body=body, headers={"X-Keepwatch-Timestamp": old, "X-Keepwatch-Signature": sig,
                                                          "X-Keepwatch-Delivery": "other"})
        self.assertEqual(conn.getresponse().status, 401)
        self.assertEqual(r.refused[-1][2], "too old: a replay")
        conn.close()
        # notify test: signed, with a delivery id of its own
        rc, out, err = d.cli("notify", "test", "hook")
        self.assertEqual(rc, 0, err + out)
        h2, body2, _ = r.accepted[-1]
        self.assertTrue(json.loads(body2)["delivery"].startswith("kw-test-"))
        self.assertNotEqual(h2["X-Keepwatch-Delivery"], h["X-Keepwatch-Delivery"])
