"""keepwatch agent end to end on loopback: a server and two agents in their own state
directories; enrolment, samples attributed to the agents' hosts, an agent-side check's alert
carrying the host, a 15 s server outage bridged by the spool across an agent restart (the
gap's alert history and samples arrive, nothing doubled), agent_silent when an agent dies,
refused and replayed requests, and TLS verification."""
import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import stat
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
from datetime import datetime

from kwtest import BIN, Daemon, DaemonTest, Listener, free_port, run, wait_for
from pgserver import PgServer, bindir


class Service(Listener):
    """kwtest's Listener that also accepts (and closes) what connects, so its backlog never fills."""

    def start(self):
        super().start()
        threading.Thread(target=self._serve, args=(self.sock,), daemon=True).start()

    def _serve(self, s):
        while True:
            try:
                conn, _ = s.accept()
            except OSError:
                return
            conn.close()

    def stop(self):
        if self.sock:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
            except OSError:
                pass
        super().stop()


class TlsDaemon(Daemon):
    """keepwatch serve with HTTPS on (http.tls_cert, http.tls_key), asked over HTTPS."""

    def __init__(self, cert, key):
        self.cert, self.key = cert, key
        super().__init__()

    def write_config(self, body):
        with open(self.config_path, "w") as f:
            f.write(f"daemon: {{state_dir: {self.dir}/var, {self.daemon_extra}}}\n"
                    f"http: {{listen: 127.0.0.1:{self.port}, tls_cert: {self.cert}, tls_key: {self.key}}}\n"
                    "host: {enabled: false}\n" + body)

    def request(self, method, path, body=None, auth=True, token=None):
        req = urllib.request.Request(f"https://127.0.0.1:{self.port}{path}", method=method)
        if auth:
            req.add_header("Authorization", f"Bearer {token or self.token}")
        try:
            with urllib.request.urlopen(req, timeout=10, context=ssl.create_default_context(cafile=self.cert)) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()


class Agent:
    """keepwatch agent run in its own state directory, with one TCP check on check_port."""

    def __init__(self, name, server_port, check_port, scheme="http"):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix=f"kw-agent-{name}-")
        self.config = os.path.join(self.dir, "agent.yaml")
        self.log_path = os.path.join(self.dir, "agent.log")
        self.server = f"{scheme}://127.0.0.1:{server_port}"
        self.check_port = check_port
        self.write_config()
        self.proc = None

    def write_config(self, agent_extra=""):
        with open(self.config, "w") as f:
            f.write(f"daemon: {{state_dir: {self.dir}/var}}\n"
                    f"agent: {{server: '{self.server}', interval: 1s, timeout: 900ms{agent_extra}}}\n"
                    "host: {enabled: true, interval: 1s}\n"
                    "checks:\n"
                    f"  - {{name: svc, type: tcp, host: 127.0.0.1, port: {self.check_port}, interval: 1s,"
                    " timeout: 500ms}\n")

    def enroll(self, port, token, scheme="http"):
        return run("agent", "enroll", f"{scheme}://127.0.0.1:{port}", "--token", token, "-c", self.config)

    @property
    def credential_path(self):
        return os.path.join(self.dir, "var", "agent.credential")

    @property
    def credential(self):
        with open(self.credential_path) as f:
            return f.read().strip()

    def start(self):
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([BIN, "agent", "run", "-c", self.config], stdout=self.log, stderr=self.log)

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.log.close()

    def logs(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def ms(t):
    """An API time (ISO 8601, or milliseconds) in Unix milliseconds."""
    if isinstance(t, str):
        return datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp() * 1000
    return t


def last_seq(d):
    """The last batch number the server took from its first agent."""
    return json.loads(d.cli("agent", "list", "--json")[1])[0].get("last_seq", 0)


def post_batch(port, body, credential=None, gz=True, path="/api/v1/agent/batch"):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method="POST",
                                 data=gzip.compress(data) if gz else data)
    req.add_header("Content-Type", "application/json")
    if gz:
        req.add_header("Content-Encoding", "gzip")
    if credential:
        req.add_header("Authorization", f"Bearer {credential}")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read().decode())
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def post_from(source, port, body, credential=None, path="/api/v1/agent/batch"):
    """POSTs body (JSON) from the loopback address source; (status, headers, text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        hdrs = {"Content-Type": "application/json"}
        if credential:
            hdrs["Authorization"] = f"Bearer {credential}"
        conn.request("POST", path, body=json.dumps(body), headers=hdrs)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read().decode()
    finally:
        conn.close()


class AgentCase(DaemonTest):
    """What the agent tests share: a server with one enrolled agent, the agents' logs on failure."""

    def one_agent(self, name, config="", server="", host="host: {enabled: false}\n"):
        """A server (server: more of its configuration, host: its host sensor's) and one agent
        enrolled with it, config appended to the agent's; the agent is not started."""
        d = self.daemon(host + server)
        rc, token, err = d.cli("agent", "token", "add", "--name", name)
        self.assertEqual(rc, 0, err)
        a = Agent(name, d.port, free_port())
        self.addCleanup(a.cleanup)
        self.addCleanup(lambda: self._agent_logs_on_failure(a))
        with open(a.config, "a") as f:
            f.write(config)
        self.assertEqual(a.enroll(d.port, token.strip())[0], 0)
        self.assertEqual(a.enroll(d.port, token.strip())[0], 1)  # spent
        return d, a

    def login_storm(self, name, end_after, logs_extra=""):
        """A server and agent name (started) whose log rule login_storm (3 lines with FAILED
        LOGIN within 1m, ended end_after the last) watches a file of the test's, with 3 such
        lines written: (server, agent, the file, the alert on the server, carrying the host)."""
        fd, log = tempfile.mkstemp(prefix="kw-agent-app-", suffix=".log")
        os.close(fd)
        self.addCleanup(os.unlink, log)
        d, a = self.one_agent(name, "logs:\n" + logs_extra +
                              f"  inputs: [{{name: app, type: file, paths: ['{log}']}}]\n"
                              "  rules:\n    - {name: login_storm, match: {message|contains: 'FAILED LOGIN'},"
                              f" count: 3, within: 1m, severity: high, end_after: {end_after}}}\n")
        a.start()
        wait_for("the agent's first batch", lambda: last_seq(d) > 0, timeout=20)
        time.sleep(1)  # the input is open
        with open(log, "a") as f:
            f.writelines(f"app: FAILED LOGIN for user{i}\n" for i in range(3))
        alert = d.wait_alert(lambda x: x["rule"] == "login_storm", "login_storm from the agent", timeout=20)
        self.assertEqual(alert["labels"].get("host"), name)
        return d, a, log, alert

    def _agent_logs_on_failure(self, a):
        outcome = getattr(self, "_outcome", None)
        errors = getattr(getattr(outcome, "result", None), "errors", []) + \
            getattr(getattr(outcome, "result", None), "failures", [])
        if any(t is self for t, _ in errors) and os.path.exists(a.log_path):
            print(f"\n--- agent.log of {a.name} ---\n{a.logs()[-4000:]}")


class AgentTest(AgentCase):
    def test_agents_end_to_end(self):
        d = self.daemon("agent: {silent_after: 5s}\nhost: {enabled: false}\n")
        ports = [free_port(), free_port()]
        services = [Service(p) for p in ports]
        for s in services:
            s.start()
            self.addCleanup(s.stop)
        agents = [Agent("web-01", d.port, ports[0]), Agent("web-02", d.port, ports[1])]
        for a in agents:
            self.addCleanup(a.cleanup)
            self.addCleanup(lambda a=a: self._agent_logs_on_failure(a))

        # enrolment: a one-time token each; the credential file is the agent's alone
        tokens = {}
        for a in agents:
            rc, out, err = d.cli("agent", "token", "add", "--name", a.name, "--ttl", "10m")
            self.assertEqual(rc, 0, err)
            tokens[a.name] = out.strip()
            self.assertRegex(tokens[a.name], r"^kwe_[0-9a-f]{64}$")
            rc, out, err = a.enroll(d.port, tokens[a.name])
            self.assertEqual(rc, 0, err)
            self.assertEqual(stat.S_IMODE(os.stat(a.credential_path).st_mode), 0o600)
            self.assertRegex(a.credential, r"^kwa_[0-9a-f]{64}$")
        rc, out, err = agents[0].enroll(d.port, tokens["web-01"])  # spent
        self.assertEqual(rc, 1)
        self.assertIn("used", err)
        rc, out, err = d.cli("agent", "list", "--json")
        self.assertEqual(rc, 0, err)
        listed = {x["name"]: x for x in json.loads(out)}
        self.assertEqual(listed["web-01"]["state"], "enrolled")
        self.assertEqual(listed["web-02"]["state"], "enrolled")

        for a in agents:
            a.start()
        # each host's samples at /metrics, labelled with the agent's name
        for a in agents:
            wait_for(f"{a.name}'s samples at /metrics",
                     lambda a=a: f'host="{a.name}"' in d.get("/metrics")[1]
                     and "keepwatch_host_cpu_usage_ratio{host=\"" + a.name + "\"}" in d.get("/metrics")[1],
                     timeout=30)

        # the agents in the API, with their last report (the store is told about once a second:
        # a batch at /metrics may not be there yet)
        def in_api():
            st, body = d.get("/api/v1/agents")
            self.assertEqual(st, 200, body)
            return body["agents"]
        wait_for("both agents' batches noted", lambda: all(x["last_seq"] > 0 for x in in_api()), timeout=10)
        byname = {x["name"]: x for x in in_api()}
        self.assertEqual(set(byname), {"web-01", "web-02"})
        self.assertTrue(all(x["state"] == "enrolled" and x["last_seq"] > 0 and "last_seen" in x
                            for x in byname.values()), byname)
        self.assertEqual(d.get("/api/v1/agents", auth=False)[0], 401)

        def service_down(host):
            return [x for x in d.alerts() if x["rule"] == "service_down" and x["labels"].get("host") == host]

        # an agent-side failing check raises an alert carrying the host; its recovery resolves it
        services[0].stop()
        first = d.wait_alert(lambda x: x["rule"] == "service_down" and x["labels"].get("host") == "web-01"
                             and x["state"] == "firing", "service_down on web-01", timeout=30)
        self.assertEqual(first["labels"].get("check"), "svc")
        self.assertIn("web-01", first["summary"])
        self.assertEqual(service_down("web-02"), [])
        # the check's event, attributed by the server (host.name, agent.id)
        ev = wait_for("web-01's check event in events.jsonl",
                      lambda: next((e for e in d.events() if e.get("agent", {}).get("name") == "web-01"
                                    and e.get("event", {}).get("dataset") == "keepwatch.check"), None))
        self.assertEqual(ev["host"]["name"], "web-01")
        self.assertEqual(ev["agent"]["id"], str(listed["web-01"]["id"]))
        services[0].start()
        wait_for("web-01's service_down resolved",
                 lambda: all(x["state"] == "resolved" for x in service_down("web-01")), timeout=30)

        # the server is away ~15 s; meanwhile web-01's check fails and recovers
        d.stop()
        gap_start = time.time() * 1000
        time.sleep(3)
        services[0].stop()
        time.sleep(3)
        agents[0].stop()  # the agent restarts too: its spool is kept
        agents[0].start()
        time.sleep(2)
        services[0].start()
        time.sleep(7)
        gap_end = time.time() * 1000
        d.start()
        wait_for("the gap's service_down of web-01", lambda: len(service_down("web-01")) >= 2, timeout=40)
        wait_for("every service_down of web-01 resolved",
                 lambda: all(x["state"] == "resolved" for x in service_down("web-01")), timeout=40)
        time.sleep(3)  # whatever else would come, comes now
        alerts = service_down("web-01")
        self.assertEqual(len(alerts), 2, alerts)  # nothing doubled
        gap = [x for x in alerts if x["id"] != first["id"]][0]
        started = ms(gap.get("started_at"))
        self.assertTrue(gap_start < started < gap_end, (gap_start, started, gap_end))
        # the gap's samples arrived in the history
        status, series = d.get("/api/v1/series?name="
                               + urllib.request.quote('check_up{check="svc",type="tcp",host="web-01"}')
                               + "&minutes=10")
        self.assertEqual(status, 200, series)
        points = [p for p in series["points"] if gap_start + 1000 < p[0] < gap_end - 1000]
        self.assertTrue(points, series)
        self.assertTrue(any(p[2] == 0 for p in points), points)  # the failure is in it

        # an agent killed: agent_silent for its host, resolved when it is back
        agents[1].stop(signal.SIGKILL)
        silent = d.wait_alert(lambda x: x["rule"] == "agent_silent" and x["labels"].get("host") == "web-02"
                              and x["state"] == "firing", "agent_silent on web-02", timeout=30)
        wait_for("web-02 silent in /api/v1/agents",
                 lambda: [x for x in d.get("/api/v1/agents")[1]["agents"] if x["name"] == "web-02"][0]["silent"])
        agents[1].start()
        wait_for("agent_silent on web-02 resolved",
                 lambda: [x for x in d.alerts() if x["id"] == silent["id"]][0]["state"] == "resolved", timeout=30)
        self.assertFalse([x for x in d.alerts() if x["rule"] == "agent_silent" and x["labels"].get("host") == "web-01"])

        # refused: unknown credential, no credential, malformed, revoked
        batch = {"seq": 1, "sets": []}
        self.assertEqual(post_batch(d.port, batch, "kwa_" + "0" * 64)[0], 401)
        self.assertEqual(post_batch(d.port, batch)[0], 401)
        self.assertEqual(post_batch(d.port, b"not gzip at all", agents[0].credential, gz=False)[0], 400)
        st, body = post_batch(d.port, {"seq": 1, "sets": [{"source": "x", "ts": 5, "samples": []}]},
                              agents[0].credential)
        self.assertEqual(st, 400)
        self.assertIn("value", body)
        self.assertEqual(post_batch(d.port, {"token": "kwe_" + "1" * 64}, path="/api/v1/agent/enroll", gz=False)[0],
                         401)
        rc, out, err = d.cli("agent", "revoke", "web-02")
        self.assertEqual(rc, 0, err)
        self.assertEqual(post_batch(d.port, {"seq": 10 ** 12}, agents[1].credential)[0], 401)
        wait_for("the revoked agent's refusal in the log", lambda: "agent web-02 is revoked" in d.logs(), timeout=10)
        wait_for("the revoked agent's series gone from /metrics", lambda: 'host="web-02"' not in d.get("/metrics")[1],
                 timeout=20)

        # a replayed batch is taken once
        agents[0].stop()
        now = int(time.time() * 1000)
        replay = {"seq": 10 ** 12, "alerts": [{"kind": "fire", "rule": "replay_probe", "ts": now, "severity": 2,
                                                "summary": "probe", "labels": {"probe": "1"}}]}
        st1, b1 = post_batch(d.port, replay, agents[0].credential)
        st2, b2 = post_batch(d.port, replay, agents[0].credential)
        self.assertEqual((st1, st2), (200, 200), (b1, b2))
        self.assertTrue(b1.get("accepted"), b1)
        self.assertTrue(b2.get("duplicate"), b2)
        probe = d.wait_alert(lambda x: x["rule"] == "replay_probe", "the replayed batch's alert")
        self.assertEqual(probe["labels"], {"host": "web-01", "probe": "1"})
        # the same alert fired again in a new batch (an agent restarted while its check was down)
        # is the same alert, without an error
        again = dict(replay, seq=10 ** 12 + 1)
        self.assertTrue(post_batch(d.port, again, agents[0].credential)[1].get("accepted"))
        time.sleep(1.5)
        self.assertEqual(len([x for x in d.alerts() if x["rule"] == "replay_probe"]), 1)
        self.assertNotIn("cannot record alert", d.logs())

        # an agent whose clock is a year ahead: its times are taken as the server's now
        ahead = {"seq": 10 ** 12 + 2, "alerts": [{"kind": "fire", "rule": "clock_probe", "severity": 2,
                                                   "ts": now + 365 * 86400 * 1000, "labels": {"probe": "2"}}]}
        self.assertTrue(post_batch(d.port, ahead, agents[0].credential)[1].get("accepted"))
        probe = d.wait_alert(lambda x: x["rule"] == "clock_probe", "the clock probe's alert")
        self.assertLess(abs(ms(probe["started_at"]) - time.time() * 1000), 60000, probe)

    def test_run_is_keepwatch_agent(self):
        """agent run becomes keepwatch-agent from beside keepwatch (the same pid) and reports;
        KEEPWATCH_AGENT_INPROC=1 keeps the agent in keepwatch. (Which libraries it leaves out
        shows in a release build, bench/agent.sh: the sanitizers' coverage tables keep every
        function of the test build alive.)"""
        agent_bin = os.path.join(os.path.dirname(os.path.realpath(BIN)), "keepwatch-agent")
        r = subprocess.run([agent_bin, "--help"], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("keepwatch-agent [-c FILE]", r.stdout)
        self.assertEqual(subprocess.run([agent_bin, "extra"], capture_output=True, timeout=10).returncode, 2)
        d, a = self.one_agent("slim-01")
        a.start()
        wait_for("slim-01's first batch", lambda: last_seq(d) > 0, timeout=20)
        self.assertEqual(os.path.realpath(f"/proc/{a.proc.pid}/exe"), os.path.realpath(agent_bin))
        a.stop()
        os.environ["KEEPWATCH_AGENT_INPROC"] = "1"
        try:
            seq = last_seq(d)
            a.start()
        finally:
            del os.environ["KEEPWATCH_AGENT_INPROC"]
        wait_for("slim-01's batch from keepwatch itself", lambda: last_seq(d) > seq, timeout=20)
        self.assertEqual(os.path.realpath(f"/proc/{a.proc.pid}/exe"), os.path.realpath(BIN))

    def test_tls_verified(self):
        """Over HTTPS the agent verifies the server: refused without the private CA (the token is
        not spent), enrolled and reporting with agent.ca_file."""
        tmp = tempfile.mkdtemp(prefix="kw-agent-tls-")
        self.addCleanup(shutil.rmtree, tmp, True)
        cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, capture_output=True)
        d = TlsDaemon(cert, key)
        self.addCleanup(d.cleanup)
        self.addCleanup(lambda: self._dump_logs_on_failure(d))
        d.start()
        rc, token, err = d.cli("agent", "token", "add", "--name", "db-01")
        self.assertEqual(rc, 0, err)
        a = Agent("db-01", d.port, free_port(), scheme="https")
        self.addCleanup(a.cleanup)
        rc, out, err = a.enroll(d.port, token.strip(), scheme="https")
        self.assertEqual(rc, 1)
        self.assertRegex(err.lower(), "certificate|ssl")
        a.write_config(f", ca_file: {cert}")
        rc, out, err = a.enroll(d.port, token.strip(), scheme="https")
        self.assertEqual(rc, 0, err)
        a.start()
        wait_for("a batch from db-01 over TLS", lambda: last_seq(d) > 0, timeout=30)

    def test_alert_changes_grouped_while_the_core_is_behind(self):
        """Alert changes that queue up while a commit waits (here the test holds the SQLite
        write lock for 1.5 s, under the store's 5 s busy wait) are committed together, not one
        transaction each; every one of them is stored."""
        d, a = self.one_agent("burst-01")
        cred = a.credential

        def counter(name):
            m = re.search(rf"^keepwatch_{name} (\S+)$", d.get("/metrics")[1], re.M)
            return float(m.group(1)) if m else None
        wait_for("the core's first self metrics", lambda: counter("store_commits_total") is not None, timeout=10)
        commits0, changes0 = counter("store_commits_total"), counter("alert_changes_total")
        db = sqlite3.connect(os.path.join(d.dir, "var", "keepwatch.db"), timeout=10, isolation_level=None)
        self.addCleanup(db.close)
        db.execute("BEGIN IMMEDIATE")
        held = time.monotonic()
        n, now = 200, int(time.time() * 1000)
        conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
        for i in range(n):
            body = {"seq": i + 1, "alerts": [{"kind": "fire", "rule": "burst_probe", "ts": now + i, "severity": 2,
                                              "labels": {"n": str(i)}}]}
            conn.request("POST", "/api/v1/agent/batch", json.dumps(body),
                         {"Content-Type": "application/json", "Authorization": f"Bearer {cred}"})
            r = conn.getresponse()
            self.assertEqual((r.status, json.loads(r.read()).get("accepted")), (200, True))
        conn.close()
        self.assertLess(time.monotonic() - held, 1.5, "the batches took too long to post to test the grouping")
        time.sleep(1.5 - (time.monotonic() - held))
        db.execute("ROLLBACK")
        wait_for("the burst's changes committed", lambda: counter("alert_changes_total") - changes0 >= n, timeout=30)
        commits = counter("store_commits_total") - commits0
        self.assertLessEqual(commits, n // 4, f"{commits:.0f} commits for {n} changes")
        listed = d.get("/api/v1/alerts?limit=1000")[1]["alerts"]
        self.assertEqual(len({x["labels"]["n"] for x in listed if x["rule"] == "burst_probe"}), n)
        self.assertNotIn("cannot record alert", d.logs())

    def test_slow_check_does_not_hold_up_batches(self):
        """A check that takes seconds runs on its own thread: the batches keep their interval."""
        d, a = self.one_agent("slow-01", "  - {name: slow, type: command, command: \"sleep 30\", interval: 2s,"
                                         " timeout: 1900ms}\n")
        a.start()
        first = wait_for("a first batch", lambda: last_seq(d), timeout=20)
        time.sleep(8)  # the slow check runs nearly all the time: batches go on every second
        self.assertGreaterEqual(last_seq(d) - first, 6)

    def test_certificate_expiry_on_agent(self):
        """An agent's TLS check of a certificate expiring within warn_days raises
        certificate_expiry on the server, with the agent's host, as the server's own rule does;
        a renewed certificate ends it."""
        tmp = tempfile.mkdtemp(prefix="kw-agent-cert-")
        self.addCleanup(shutil.rmtree, tmp, True)

        def cert(days):
            key, crt = os.path.join(tmp, f"{days}.key"), os.path.join(tmp, f"{days}.crt")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt,
                            "-days", str(days), "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
            return crt, key

        port = free_port()
        ctx = {"c": ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)}
        ctx["c"].load_cert_chain(*cert(5))
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", port))
        srv.listen(8)
        self.addCleanup(srv.close)

        def serve():
            while True:
                try:
                    conn, _ = srv.accept()
                except OSError:
                    return
                try:
                    with ctx["c"].wrap_socket(conn, server_side=True) as t:
                        t.recv(1)
                except (OSError, ssl.SSLError):
                    conn.close()
        threading.Thread(target=serve, daemon=True).start()
        d, a = self.one_agent("tls-01", f"  - {{name: site, type: tls, host: 127.0.0.1, port: {port}, interval: 1s,"
                                        " timeout: 900ms, tls_verify: false, warn_days: 30}\n")
        a.start()
        alert = d.wait_alert(lambda x: x["rule"] == "certificate_expiry" and x["state"] == "firing",
                             "certificate_expiry from the agent", timeout=30)
        self.assertEqual(alert["labels"].get("host"), "tls-01")
        self.assertEqual(alert["labels"].get("check"), "site")
        renewed = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        renewed.load_cert_chain(*cert(365))
        ctx["c"] = renewed
        wait_for("certificate_expiry ended by the renewed certificate",
                 lambda: [x for x in d.alerts() if x["id"] == alert["id"]][0]["state"] == "resolved", timeout=30)

    def test_log_rule_on_agent(self):
        """The agent's log inputs and rules (the daemon's logs: section): a detection on the agent
        is an alert on the server carrying the host, ended when the rule says so; the matched
        lines reach the server's event log with the agent's host.name and agent.id; lines written
        while the agent is stopped are read when it is back (its positions are kept)."""
        d, a, log, alert = self.login_storm("app-01", "3s", "  events: matched\n")
        wait_for("login_storm ended", lambda: [x for x in d.alerts() if x["id"] == alert["id"]][0]["state"]
                 == "resolved", timeout=20)
        wait_for("the alert in the server's event log",
                 lambda: any(e.get("rule", {}).get("name") == "login_storm" and e.get("labels", {}).get("host") == "app-01"
                             for e in d.events()))
        wait_for("the agent's matched lines in the server's event log",
                 lambda: any(e.get("agent", {}).get("name") == "app-01" and "FAILED LOGIN" in json.dumps(e)
                             for e in d.events()))
        # lines written while the agent is stopped are read when it is back, from where it was
        a.stop()
        with open(log, "a") as f:
            f.writelines(f"app: FAILED LOGIN while away {i}\n" for i in range(3))
        a.start()
        wait_for("the lines written while the agent was away",
                 lambda: sum("while away" in json.dumps(e) for e in d.events()) >= 3, timeout=20)

    def test_refused_credentials_limited_per_address(self):
        """Past 20 refused credentials or tokens from one address it waits: 429 with Retry-After
        even for a good credential (before any look in the store), on every agent route; a good
        credential before that clears the count; another loopback address is unaffected; the
        agent on the waiting address keeps its batches and they arrive once the wait is over."""
        d, a = self.one_agent("lim-01")  # its second enrolment (a spent token): refused once
        rc, token, err = d.cli("agent", "token", "add", "--name", "lim-02")
        self.assertEqual(rc, 0, err)
        st, _, body = post_from("127.0.0.1", d.port, {"token": token.strip()}, path="/api/v1/agent/enroll")
        self.assertEqual(st, 200, body)  # a good token: forgives the one before
        good, bad = json.loads(body)["credential"], "kwa_" + "0" * 64
        seq = iter(range(1, 1000))

        def batch(src, cred):
            return post_from(src, d.port, {"seq": next(seq)}, cred)[0]

        self.assertEqual([batch("127.0.0.1", bad) for _ in range(19)], [401] * 19)
        self.assertEqual(batch("127.0.0.1", good), 200)  # forgives the 19
        self.assertEqual([batch("127.0.0.1", bad) for _ in range(19)], [401] * 19)
        self.assertEqual(post_from("127.0.0.1", d.port, {"token": "kwe_" + "1" * 64},
                                   path="/api/v1/agent/enroll")[0], 401)  # the 20th: a token
        st, hdrs, body = post_from("127.0.0.1", d.port, {"seq": next(seq)}, good)
        self.assertEqual(st, 429, body)
        wait = int(hdrs.get("Retry-After", "0"))
        self.assertTrue(0 < wait <= 60, hdrs)
        self.assertEqual(json.loads(body)["retry_after"], wait)
        self.assertEqual(post_from("127.0.0.1", d.port, {"token": "kwe_" + "1" * 64},
                                   path="/api/v1/agent/enroll")[0], 429)
        req = urllib.request.Request(f"http://127.0.0.1:{d.port}/api/v1/agent/config")
        req.add_header("Authorization", f"Bearer {good}")
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=10)
        self.assertEqual(e.exception.code, 429)
        # another address: unaffected, its refusals its own
        self.assertEqual(batch("127.0.0.2", good), 200)
        self.assertEqual(batch("127.0.0.2", bad), 401)
        self.assertIn("127.0.0.1 was refused 20 times", d.logs())
        wait_for("the waits counted at /metrics", lambda: re.search(
            r'keepwatch_agent_batches_total\{result="limited"\} [1-9]', d.get("/metrics")[1]), timeout=10)

        # the agent on the waiting address: its batches wait in its spool, then all arrive
        def lim01_seq():
            return next(x for x in json.loads(d.cli("agent", "list", "--json")[1]) if x["name"] == "lim-01") \
                .get("last_seq", 0)

        a.start()
        wait_for("the agent told to wait", lambda: "HTTP 429" in a.logs(), timeout=20)
        self.assertEqual(lim01_seq(), 0)
        wait_for("the agent's batches once the wait is over", lambda: lim01_seq() > 0, timeout=wait + 20)
        self.assertEqual(a.logs().count("HTTP 429"), 1)  # said once
        wait_for("the agent's spool emptied", lambda: 'keepwatch_agent_spool_batches{host="lim-01"} 0'
                 in d.get("/metrics")[1], timeout=20)

    def test_server_check_named_like_agents(self):
        """The server's own check "svc" judges the server's samples only: the agent's failing
        check of the same name is one service_down, the agent's, on its host (the server's
        rule, matching check_up{check="svc"} by name, raised a second one on the agent's
        samples); the server's own check still raises its own, without a host."""
        svc = Service(free_port())
        svc.start()
        self.addCleanup(svc.stop)
        d, a = self.one_agent("web-07", server="checks:\n"
                              f"  - {{name: svc, type: tcp, host: 127.0.0.1, port: {svc.port}, interval: 1s,"
                              " timeout: 500ms, for: 0s}\n")
        a.start()  # its svc checks a closed port: down
        agents = d.wait_alert(lambda x: x["rule"] == "service_down" and x["labels"].get("host") == "web-07",
                              "the agent's service_down", timeout=30)
        self.assertTrue(agents["summary"].startswith("web-07: "), agents)
        wait_for("the agent's samples of svc at /metrics",
                 lambda: re.search(r'check_up\{check="svc",type="tcp",host="web-07"\} 0\b', d.get("/metrics")[1]),
                 timeout=10)
        time.sleep(4)  # the server's rule (for: 0s) has had the agent's samples for seconds
        downs = [x for x in d.alerts() if x["rule"] == "service_down"]
        self.assertEqual([x["id"] for x in downs], [agents["id"]], downs)
        svc.stop()
        own = d.wait_alert(lambda x: x["rule"] == "service_down" and x["id"] != agents["id"],
                           "the server's own service_down", timeout=20)
        self.assertNotIn("host", own["labels"])
        self.assertEqual(own["labels"].get("check"), "svc")

    def test_log_rule_update_from_agent(self):
        """A log rule's alert on the agent that grows while it fires (more lines: its count, its
        summary) is updated on the server too, on the agent's host, with an "updated" history
        row (the agent forwarded fires and ends only)."""
        d, a, log, fired = self.login_storm("app-02", "50s")
        self.assertEqual(fired["value"], 3, fired)
        with open(log, "a") as f:  # the count grows: the rule updates its alert every 30 s at most
            f.writelines(f"app: FAILED LOGIN again {i}\n" for i in range(4))

        def current():
            return next(x for x in d.alerts() if x["id"] == fired["id"])

        grown = wait_for("the grown count on the server", lambda: (lambda x: x if x["value"] == 7 else None)(current()),
                         timeout=50)
        self.assertEqual(grown["state"], "firing")
        self.assertEqual(grown["peak"], 7)
        self.assertEqual(grown["labels"], fired["labels"])
        self.assertIn("(7 lines)", grown["summary"])
        self.assertTrue(grown["summary"].startswith("app-02: "), grown)
        self.assertEqual(len([x for x in d.alerts() if x["rule"] == "login_storm"]), 1)
        st, one = d.get(f"/api/v1/alerts/{fired['id']}")
        self.assertEqual(st, 200, one)
        updated = [h for h in one["history"] if h["action"] == "updated"]
        self.assertEqual([h.get("value") for h in updated], [7], one["history"])

    def test_central_config(self):
        """Central config: a group in the server's configuration gives the agent a tcp check
        against a closed loopback port: its alert arrives carrying the agent's host; GET
        /api/v1/agent/config answers the agent's credential only, 304 for the ETag it has; the
        server's config edited and SIGHUP: the agent takes the change within its
        config_interval; the server away, a restarted agent starts with its last good copy."""
        closed, closed2 = free_port(), free_port()  # nothing listens on either

        def groups(check, port):
            return ("host: {enabled: false}\nagent:\n  groups:\n"
                    "    - {name: web, members: ['cen-*'], checks: [{name: " + check + ", type: tcp,"
                    f" host: 127.0.0.1, port: {port}, interval: 1s, timeout: 500ms}}]}}\n"
                    "    - {name: other, members: [db-01], checks: [{name: db_only, type: tcp, host: 127.0.0.1,"
                    " port: 1}]}\n")

        d, a = self.one_agent("cen-01", server=groups("central", closed)[len("host: {enabled: false}\n"):])
        a.write_config(", config_interval: 2s")
        a.start()

        def down(check):
            return d.wait_alert(lambda x: x["rule"] == "service_down" and x["labels"].get("check") == check
                                and x["state"] == "firing", f"service_down of the central check {check}",
                                timeout=30)

        first = down("central")
        self.assertEqual(first["labels"].get("host"), "cen-01")
        self.assertIn("cen-01", first["summary"])
        self.assertFalse([x for x in d.alerts() if x["labels"].get("check") == "db_only"])  # not its group

        # the route: the agent's credential only; its document and ETag; 304 when it has it
        url = f"http://127.0.0.1:{d.port}/api/v1/agent/config"

        def ask(cred, etag=None):
            req = urllib.request.Request(url)
            if cred:
                req.add_header("Authorization", f"Bearer {cred}")
            if etag:
                req.add_header("If-None-Match", etag)
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    return r.status, r.headers.get("ETag"), r.read().decode()
            except urllib.error.HTTPError as e:
                return e.code, e.headers.get("ETag"), e.read().decode()

        st, etag, body = ask(a.credential)
        self.assertEqual(st, 200, body)
        self.assertRegex(etag, r'^"[0-9a-f]{32}"$')
        self.assertEqual([c["name"] for c in json.loads(body)["checks"]], ["central"])
        self.assertEqual(ask(a.credential, etag)[0], 304)
        self.assertEqual(ask(None)[0], 401)
        self.assertEqual(ask("kwa_" + "0" * 64)[0], 401)

        # the server's configuration edited, SIGHUP: the agent takes the new set within its interval
        d.write_config(groups("central2", closed2))
        d.send_signal(signal.SIGHUP)
        wait_for("the new document at the server", lambda: ask(a.credential, etag)[0] == 200, timeout=10)
        t = time.monotonic()
        second = down("central2")
        self.assertLess(time.monotonic() - t, 2 + 1 + 3 + 5)  # interval, the check's run, a batch, slack
        self.assertEqual(second["labels"].get("host"), "cen-01")
        wait_for("the removed check's service_down ended", lambda: [x for x in d.alerts() if x["id"] == first["id"]][0]
                 ["state"] == "resolved", timeout=10)
        wait_for("the agent's log of the change", lambda: a.logs().count("central config") >= 2, timeout=10)
        copy = os.path.join(a.dir, "var", "agent.central")
        self.assertEqual(stat.S_IMODE(os.stat(copy).st_mode), 0o600)
        with open(copy) as f:
            self.assertIn("central2", f.read())

        # the server away: a restarted agent runs the last good copy
        d.stop()
        a.stop()
        a.start()
        wait_for("the agent starting from its copy",
                 lambda: "starting with the last central config" in a.logs(), timeout=20)
        self.assertIn("central config", a.logs().split("starting with the last central config")[1])
        self.assertIn("applied: 2 checks", a.logs().split("starting with the last central config")[1])


@unittest.skipUnless(bindir(), "PostgreSQL server not installed (scripts/deps.sh test)")
class AgentOnPostgresTest(AgentCase):
    """The agent tables and statements on PostgreSQL: enrolment, batches and their numbers
    (written by the core thread), an agent's alert, agent_silent, revocation."""

    def test_on_postgres(self):
        pg = PgServer().start()
        self.addCleanup(pg.stop)
        d, a = self.one_agent("pg-01", server=f"store: {{url: \"{pg.url}\"}}\nagent: {{silent_after: 3s}}\n")
        a.start()
        down = d.wait_alert(lambda x: x["rule"] == "service_down" and x["labels"].get("host") == "pg-01",
                            "service_down from the agent (its check's port is closed)", timeout=30)
        self.assertEqual(down["state"], "firing")
        wait_for("the batch numbers in the store", lambda: last_seq(d) >= 2, timeout=20)
        a.stop(signal.SIGKILL)
        silent = d.wait_alert(lambda x: x["rule"] == "agent_silent" and x["labels"].get("host") == "pg-01",
                              "agent_silent on PostgreSQL", timeout=30)
        a.start()
        wait_for("agent_silent resolved", lambda: [x for x in d.alerts() if x["id"] == silent["id"]][0]["state"]
                 == "resolved", timeout=30)
        self.assertEqual(d.cli("agent", "revoke", "pg-01")[0], 0)
        self.assertEqual(post_batch(d.port, {"seq": 10 ** 12}, a.credential)[0], 401)

    def test_stop_while_the_core_writes(self):
        """SIGTERM while the core waits for the store (the test holds the writing transactions'
        advisory lock for 4 s): the daemon stops once the lock is free, and the batch numbers it
        took are stored through a connection of the agent module's own (it once used the core's
        from the main thread: the two threads read one socket and hung), so after a restart the
        last batch sent again is refused as a duplicate."""
        pg = PgServer().start()
        self.addCleanup(pg.stop)
        d, a = self.one_agent("pg-02", server=f"store: {{url: \"{pg.url}\"}}\n")
        cred, now = a.credential, int(time.time() * 1000)

        def fire(seq):
            return post_batch(d.port, {"seq": seq, "alerts": [{"kind": "fire", "rule": "stop_probe", "ts": now + seq,
                                                               "severity": 2, "labels": {"n": str(seq)}}]}, cred)
        self.assertTrue(fire(5)[1].get("accepted"))
        d.wait_alert(lambda x: x["rule"] == "stop_probe", "the first batch's alert")
        psql = [os.path.join(pg.bin, "psql"), "-X", "-q", "-h", pg.dir, "-p", str(pg.port), "-U", "postgres", "-d",
                pg.database, "-c", "BEGIN; SELECT pg_advisory_xact_lock(x'6b770002'::int); SELECT pg_sleep(4); COMMIT"]
        holder = subprocess.Popen(["runuser", "-u", "postgres", "--", *psql] if os.getuid() == 0 else psql,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: holder.poll() is None and holder.kill())
        wait_for("the test holding the write lock", lambda: pg.psql(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = x'6b770002'::int AND granted",
            database=pg.database).strip() == "1", timeout=10)
        self.assertTrue(fire(9)[1].get("accepted"))
        time.sleep(0.5)  # the core takes it and waits for the lock
        rc, secs = d.stop(timeout=20)
        self.assertEqual(rc, 0, d.logs()[-2000:])
        self.assertLess(secs, 15)
        holder.wait(10)
        d.start()
        self.assertTrue(fire(9)[1].get("duplicate"), "the last batch number was not stored at the stop")
        listed = d.get("/api/v1/alerts?limit=1000")[1]["alerts"]
        self.assertEqual({x["labels"]["n"] for x in listed if x["rule"] == "stop_probe"}, {"5", "9"})


if __name__ == "__main__":
    unittest.main()
