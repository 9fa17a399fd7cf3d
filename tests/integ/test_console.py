"""The console's files and data over HTTP (the browser test is test_console_e2e): the
sign-in page for strangers, the console only with a session, security headers, embedded
files cached and compressed, the wall's data, duty notes by role."""
import glob
import gzip
import http.client
import json
import os
import re
import socket
import subprocess
import time

from kwtest import DaemonTest, free_port, wait_for

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


class SignIn(DaemonTest):
    def sign_in(self, d, name, role):
        subprocess.run([os.environ.get("KEEPWATCH_BIN", "keepwatch"), "user", "add", name, "--role", role,
                        "--password-stdin", "-c", d.config_path], input=PW + "\n", text=True, check=True,
                       capture_output=True)
        st, h, body = fetch(d.port, "/api/v1/session", method="POST",
                            body=json.dumps({"name": name, "password": PW}))
        self.assertEqual(st, 200, body)
        return re.search(r"kw_session=([0-9a-f]{64})", h["set-cookie"]).group(1), json.loads(body)["csrf"]


class Console(SignIn):
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
        duty = json.loads(body)
        first = next(e for e in duty["entries"] if e["kind"] == "note")
        self.assertEqual((first["kind"], first["actor"], first["text"]), ("note", "zhang.wei", "14:05 运维已切换备用线路"))
        # the verification covers every entry shown, new ones included (not the count of 30 s ago)
        self.assertEqual(duty["verify"], {"intact": True, "entries": duty["entries"][0]["id"],
                                          "checked": duty["verify"]["checked"]})
        self.assertGreater(duty["entries"][0]["id"], o["duty"]["verify"]["entries"])
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


class Stream:
    """A reader of /api/v1/stream (server-sent events) on its own connection."""

    def __init__(self, port, cookie):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(f"GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: kw_session={cookie}\r\n"
                          f"Accept: text/event-stream\r\n\r\n".encode())
        self.buf = b""
        head = self._until(b"\r\n\r\n")
        self.status = int(head.split(b" ")[1])
        self.headers = head.decode().lower()

    def _until(self, sep):
        while sep not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("the stream ended")
            self.buf += chunk
        head, self.buf = self.buf.split(sep, 1)
        return head

    def event(self, want, timeout=15):
        """The next event named want (chunked framing is skipped: events are found by their
        "event:" lines), as (name, data)."""
        deadline = time.time() + timeout
        text = b""
        while time.time() < deadline:
            m = re.search(rb"event: (\w+)\r?\ndata: ([^\r\n]*)\r?\n", text)
            while m:
                text = text[m.end():]
                if m.group(1).decode() == want:
                    self.buf = text + self.buf
                    return json.loads(m.group(2))
                m = re.search(rb"event: (\w+)\r?\ndata: ([^\r\n]*)\r?\n", text)
            self.sock.settimeout(max(0.1, deadline - time.time()))
            try:
                chunk = self.buf or self.sock.recv(65536)
            except socket.timeout:
                break
            self.buf = b""
            if not chunk:
                break
            text += chunk
            if re.search(rb"(^|\r\n)0\r\n\r\n", text):  # the last chunk: the server ended the stream
                raise EOFError("the stream ended")
        raise AssertionError(f"no {want} event within {timeout}s")

    def until(self, want, pred, timeout=20):
        """The first event named want whose data satisfies pred."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            data = self.event(want, max(0.5, deadline - time.time()))
            if pred(data):
                return data
        raise AssertionError(f"no {want} event as wanted within {timeout}s")

    def close(self):
        self.sock.close()


class ConsoleWork(SignIn):
    """Alerts worked from the console: filters, assign, comment; the live stream; handover;
    the answer cache sees changes made by other processes."""

    def fire(self, d, port, text):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(f"<13>Nov 24 10:00:00 web app: {text}".encode(), ("127.0.0.1", port))

    def test_alert_work_stream_and_handover(self):
        udp = free_port()
        d = self.daemon("host: {enabled: false}\n"
                        f"logs:\n  inputs: [{{name: n, type: syslog, listen: \"127.0.0.1:{udp}\", protocol: udp}}]\n"
                        "  rules:\n"
                        "    - {name: probe, match: {message|contains: probe}, count: 1, by: [message], severity: high,"
                        " summary: \"probe: {message}\"}\n"
                        "    - {name: scan, match: {message|contains: scan}, count: 1, by: [message], severity: low,"
                        " summary: \"scan: {message}\"}\n")
        officer, ocsrf = self.sign_in(d, "zhang.wei", "officer")
        member, mcsrf = self.sign_in(d, "li.na", "member")
        viewer, vcsrf = self.sign_in(d, "wall", "viewer")
        wait_for("the syslog input", lambda: d.get("/api/v1/logs")[1].get("inputs"))
        # the stream needs a session, and starts with where things stand
        self.assertEqual(fetch(d.port, "/api/v1/stream")[0], 401)
        st = Stream(d.port, viewer)
        self.addCleanup(st.close)
        self.assertEqual(st.status, 200)
        self.assertIn("content-type: text/event-stream", st.headers)
        self.assertEqual(st.event("hello")["firing"], 0)
        # an alert fires: the stream says so without anyone asking
        self.fire(d, udp, "probe one")
        st.until("alerts", lambda e: e["firing"] == 1)
        self.assertGreater(st.event("duty")["last"], 0)
        self.fire(d, udp, "scan two")
        d.wait_alert(lambda a: a["rule"] == "scan", "the scan alert")
        # filters: severity (the least shown), text, assignee
        def listing(q, cookie=officer):
            st_, h, body = fetch(d.port, "/api/v1/alerts?" + q, cookie)
            self.assertEqual(st_, 200, body)
            return [a["rule"] for a in json.loads(body)["alerts"]]
        self.assertEqual(sorted(listing("")), ["probe", "scan"])
        self.assertEqual(listing("severity=high"), ["probe"])
        self.assertEqual(listing("q=SCAN"), ["scan"])
        self.assertEqual(listing("q=nothing+like+it"), [])
        self.assertEqual(fetch(d.port, "/api/v1/alerts?severity=urgent", officer)[0], 400)
        probe = next(a for a in d.alerts() if a["rule"] == "probe")["id"]
        post = lambda path, body, cookie, csrf: fetch(d.port, path, cookie, "POST", json.dumps(body),
                                                      {"X-CSRF-Token": csrf})
        # assign: a member takes it, but cannot give it to someone else; a viewer neither
        self.assertEqual(post(f"/api/v1/alerts/{probe}/assign", {"to": "li.na"}, viewer, vcsrf)[0], 403)
        self.assertEqual(post(f"/api/v1/alerts/{probe}/assign", {"to": "zhang.wei"}, member, mcsrf)[0], 403)
        self.assertEqual(post(f"/api/v1/alerts/{probe}/assign", {"to": 5}, member, mcsrf)[0], 400)
        self.assertEqual(fetch(d.port, f"/api/v1/alerts/{probe}/assign", member, "POST", '{"to":"li.na"}')[0], 403)
        s_, h, body = post(f"/api/v1/alerts/{probe}/assign", {"to": "li.na"}, member, mcsrf)
        self.assertEqual((s_, json.loads(body)["assignee"]), (200, "li.na"), body)
        self.assertEqual(listing("assignee=li.na"), ["probe"])
        self.assertEqual(listing("assignee=none"), ["scan"])
        # comments: members and up, any text, kept as text
        hostile = "<script>alert(1)</script> 已联系业务方"
        self.assertEqual(post(f"/api/v1/alerts/{probe}/comments", {"text": "x"}, viewer, vcsrf)[0], 403)
        self.assertEqual(post(f"/api/v1/alerts/{probe}/comments", {"text": ""}, member, mcsrf)[0], 400)
        self.assertEqual(post(f"/api/v1/alerts/999999/comments", {"text": "x"}, member, mcsrf)[0], 404)
        s_, h, body = post(f"/api/v1/alerts/{probe}/comments", {"text": hostile}, member, mcsrf)
        self.assertEqual(s_, 201, body)
        hist = json.loads(body)["history"]
        self.assertEqual([(x["action"], x["actor"]) for x in hist[-2:]], [("assigned", "li.na"), ("commented", "li.na")])
        self.assertEqual(hist[-1]["note"], hostile)
        # an officer gives it back to nobody; the duty log has every step by name
        s_, h, body = post(f"/api/v1/alerts/{probe}/assign", {"to": None}, officer, ocsrf)
        self.assertNotIn("assignee", json.loads(body))
        st_, h, body = fetch(d.port, "/api/v1/duty?limit=50", officer)
        kinds = [(e["kind"], e["actor"], e.get("alert_id")) for e in json.loads(body)["entries"]]
        for k in (("alert.assigned", "li.na", probe), ("alert.commented", "li.na", probe),
                  ("alert.unassigned", "zhang.wei", probe)):
            self.assertIn(k, kinds)
        # the list answer is cached per thread, yet a change by another process shows at once
        before = listing("state=firing")
        self.assertIn("probe", before)
        for _ in range(4):  # every server thread has it cached
            listing("state=firing")
        d.cli("alert", "ack", str(probe), "--by", "cli.user")
        self.assertNotIn("probe", listing("state=firing"))
        # the same work from the command line
        self.assertEqual(d.cli("alert", "assign", str(probe), "wang.fang", "--by", "cli.user")[0], 0)
        self.assertEqual(d.cli("alert", "comment", str(probe), "DBA 已介入", "--by", "cli.user")[0], 0)
        self.assertEqual(d.cli("alert", "comment", str(probe))[0], 2)
        rc, out, err = d.cli("alert", "list", "--assignee", "wang.fang", "--severity", "high", "--json")
        self.assertEqual([a["rule"] for a in json.loads(out)["alerts"]], ["probe"])
        rc, out, err = d.cli("alert", "show", str(probe))
        self.assertIn("assignee   wang.fang", out)
        self.assertIn("DBA 已介入", out)
        self.assertEqual(listing("assignee=wang.fang"), ["probe"])
        st.until("alerts", lambda e: e["acked"] == 1)
        # handover: officers only; in the duty log with where things stand
        self.assertEqual(post("/api/v1/duty/handover", {"to": "li.na"}, member, mcsrf)[0], 403)
        s_, h, body = post("/api/v1/duty/handover", {"to": "li.na", "note": "watch the scan"}, officer, ocsrf)
        self.assertEqual(s_, 201, body)
        st_, h, body = fetch(d.port, "/api/v1/duty?limit=1", officer)
        e = json.loads(body)["entries"][0]
        self.assertEqual((e["kind"], e["actor"]), ("handover", "zhang.wei"))
        self.assertIn("handover to li.na: 2 open (1 not acknowledged)", e["text"])
        self.assertRegex(e["text"], r"; watch the scan; duty log head \d+:[0-9a-f]{16}$")  # the head, published
        # hosts and network: no capture here; series by prefix; an unknown series is a 404
        self.assertEqual(json.loads(fetch(d.port, "/api/v1/net", viewer)[2]), {"interfaces": []})
        self.assertEqual(json.loads(fetch(d.port, "/api/v1/series?prefix=nothing_", viewer)[2]), {"series": []})
        self.assertEqual(fetch(d.port, "/api/v1/series?name=nothing_at_all", viewer)[0], 404)
        # signing out ends the session's stream at once, and the next one is refused
        other = Stream(d.port, member)  # another session's stream goes on
        self.addCleanup(other.close)
        other.event("hello")
        fetch(d.port, "/api/v1/session", viewer, "DELETE", None, {"X-CSRF-Token": vcsrf})
        with self.assertRaises(EOFError):
            st.event("never", 10)
        self.fire(d, udp, "probe three")
        other.until("alerts", lambda e: e["firing"] >= 2)
        again = Stream(d.port, viewer)
        again.close()
        self.assertEqual(again.status, 401)
        # a user deleted by the CLI (another process): their streams end within seconds
        self.assertEqual(d.cli("user", "del", "li.na")[0], 0)
        t0 = time.monotonic()
        with self.assertRaises(EOFError):
            other.event("never", 15)
        self.assertLess(time.monotonic() - t0, 10)
