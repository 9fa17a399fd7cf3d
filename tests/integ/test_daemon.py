"""keepwatch serve end to end: API auth, service alerts, reload, stop, crash recovery; each
class runs twice, its store on SQLite and (the *Pg classes) on a throwaway PostgreSQL."""
import json
import os
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import unittest

from kwtest import BURN, Daemon, DaemonTest, Listener, OnPostgres, free_port, wait_for


def tcp_check(name, port, extra=""):
    return (f"  - {{name: {name}, type: tcp, host: 127.0.0.1, port: {port}, interval: 1s, timeout: 1s{extra}}}\n")


class ApiTest(DaemonTest):
    def test_token_required(self):
        d = self.daemon("host: {interval: 1s}\n")
        token_file = os.path.join(d.dir, "var", "api.token")
        self.assertEqual(os.stat(token_file).st_mode & 0o777, 0o600)
        self.assertIn(token_file, d.logs())
        for path in ("/api/v1/alerts", "/api/v1/alerts/1", "/api/v1/host", "/metrics", "/api/v1/session"):
            status, body = d.get(path, auth=False)
            self.assertEqual(status, 401, path)
            self.assertEqual(d.get(path, token="wrong" * 8)[0], 401, path)
        self.assertEqual(d.request("POST", "/api/v1/alerts/1/ack", auth=False)[0], 401)
        self.assertEqual(d.get("/api/v1/alerts")[0], 200)
        status, health = d.get("/api/v1/health", auth=False)
        self.assertEqual((status, health), (200, {"status": "ok"}))  # nothing more for the unknown
        self.assertIn("uptime_seconds", d.get("/api/v1/health")[1])
        status, metrics = d.get("/metrics")
        self.assertEqual(status, 200)
        self.assertIn("# TYPE keepwatch_events_dropped_total counter", metrics)
        host = wait_for("a host reading", lambda: d.get("/api/v1/host")[1] if d.get("/api/v1/host")[0] == 200 else None)
        self.assertEqual(host["event"]["dataset"], "keepwatch.host")
        self.assertEqual(d.get("/api/v1/nothing")[0], 404)
        self.assertEqual(d.get("/api/v1/alerts/999")[0], 404)
        self.assertEqual(d.request("DELETE", "/api/v1/alerts")[0], 405)

    def test_metrics_exposition(self):
        d = self.daemon("host: {interval: 1s}\n")
        text = wait_for("host metrics with rates",
                        lambda: (lambda t: t if "keepwatch_host_cpu_usage_ratio " in t else None)(
                            d.get("/metrics")[1]))
        families = set()
        for line in text.splitlines():
            if line.startswith("# TYPE "):
                name = line.split()[2]
                self.assertNotIn(name, families, "a family is declared twice")
                families.add(name)
            elif line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                float(value)
                self.assertIn(name.split("{")[0], families, "a sample before its TYPE line")
        for want in ("keepwatch_host_memory_available_bytes", "keepwatch_host_filesystem_avail_bytes",
                     "keepwatch_host_network_receive_bytes_total", "keepwatch_host_load1",
                     "keepwatch_host_cpu_seconds_total", "keepwatch_process_resident_memory_bytes"):
            self.assertIn(want, families)


class ServiceAlertTest(DaemonTest):
    def test_tcp_service_alert_fires_and_resolves(self):
        port = free_port()
        svc = Listener(port)
        svc.start()
        self.addCleanup(svc.stop)
        d = self.daemon("alerts: {flap_window: 0s}\nchecks:\n" + tcp_check("db", port, ", for: 2s, severity: critical"))
        wait_for("the check to pass", lambda: f'keepwatch_check_up{{check="db",type="tcp"}} 1' in d.get("/metrics")[1])
        self.assertEqual(d.alerts(), [])
        svc.stop()
        a = d.wait_alert(lambda a: a["rule"] == "service_down" and a["state"] == "firing", "the alert to fire")
        self.assertEqual(a["labels"]["check"], "db")
        self.assertEqual(a["severity_name"], "critical")
        self.assertIn("Connection refused", a["summary"])
        started = time.time()
        # it lasts as one alert, not one per failed check
        time.sleep(3)
        self.assertEqual(len(d.alerts()), 1)
        svc.start()
        wait_for("the alert to resolve", lambda: d.alerts()[0]["state"] == "resolved", timeout=15)
        self.assertLess(time.time() - started, 15)
        status, full = d.get(f"/api/v1/alerts/{a['id']}")
        self.assertEqual([h["action"] for h in full["history"]], ["fired", "resolved"])
        # routine results are not logged every second: only changes (and one a minute)
        results = [e for e in d.events() if e["event"].get("dataset") == "keepwatch.check"]
        self.assertLessEqual(len(results), 4, [e["keepwatch"]["check"]["up"] for e in results])
        ev = [e for e in d.events() if e["event"]["kind"] == "alert"]
        self.assertEqual([e["keepwatch"]["alert"]["transition"] for e in ev], ["fired", "resolved"])
        self.assertEqual(ev[0]["event"]["action"], "service_down")
        self.assertEqual(ev[1]["event"]["end"] >= ev[1]["event"]["start"], True)

    def test_ack_by_api_and_cli(self):
        d = self.daemon("checks:\n" + tcp_check("gone", free_port()))
        a = d.wait_alert(lambda a: a["state"] == "firing", "the alert to fire")
        status, body = d.post(f"/api/v1/alerts/{a['id']}/ack", {"by": "张伟", "note": "重保值守：正在处理"})
        self.assertEqual(status, 400, body)  # the actor is whoever authenticated, not what the body says
        self.assertIn('"by"', body["error"])
        status, body = d.post(f"/api/v1/alerts/{a['id']}/ack", {"note": "重保值守：正在处理"})
        self.assertEqual(status, 200, body)
        self.assertEqual((body["state"], body["acked_by"], body["ack_note"]), ("acked", "admin", "重保值守：正在处理"))
        self.assertEqual(d.post(f"/api/v1/alerts/{a['id']}/ack")[0], 409)
        self.assertEqual(d.post("/api/v1/alerts/99999/ack")[0], 404)
        self.assertEqual(d.request("POST", f"/api/v1/alerts/{a['id']}/ack", body=[1, 2])[0], 400)
        rc, out, err = d.cli("alert", "show", str(a["id"]), "--json")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["acked_by"], "admin")
        rc, out, err = d.cli("alert", "resolve", str(a["id"]), "--by", "lisi", "--note", "fixed")
        self.assertEqual((rc, out.strip()), (0, f"alert {a['id']} resolved by lisi"))
        self.assertEqual(d.cli("alert", "resolve", str(a["id"]))[0], 1)
        rc, out, _ = d.cli("alert", "list", "--state", "resolved")
        self.assertIn("gone (tcp) is down", out)

    def test_hung_service_does_not_delay_other_checks(self):
        # a server that accepts and never answers: the HTTP check hangs until its timeout
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(64)
        self.addCleanup(srv.close)
        hung = srv.getsockname()[1]
        d = self.daemon("events: {metric_interval: 0s}\nchecks:\n"
                        f"  - {{name: hung, type: http, url: \"http://127.0.0.1:{hung}/\", interval: 4s, timeout: 3s}}\n"
                        "  - {name: quick, type: command, command: \"true\", interval: 1s}\n")
        time.sleep(6)
        quick = [e for e in d.events() if e.get("service", {}).get("name") == "quick"]
        self.assertGreaterEqual(len(quick), 4, "the quick check was held up by the hung one")
        a = d.wait_alert(lambda a: a["labels"].get("check") == "hung", "the hung check's alert")
        self.assertIn("timed out", a["summary"])


class LifecycleTest(DaemonTest):
    def test_sigterm_stops_within_two_seconds(self):
        d = self.daemon("host: {interval: 1s}\nchecks:\n" + tcp_check("x", free_port()) +
                        "  - {name: slow, type: command, command: \"sleep 30\", interval: 20s, timeout: 15s}\n")
        time.sleep(2)
        rc, took = d.stop(signal.SIGTERM)
        self.assertEqual(rc, 0)
        self.assertLess(took, 2.0)
        self.assertIn("stopped", d.logs())

    def test_sighup_reload(self):
        port = free_port()
        d = self.daemon("checks:\n" + tcp_check("one", port))
        wait_for("check one", lambda: 'check="one"' in d.get("/metrics")[1])
        # a bad file is rejected with its position; the running configuration stays
        with open(d.config_path) as f:
            line = len(f.readlines()) + 1
        with open(d.config_path, "a") as f:
            f.write("host: {interval: 5x}\n")
        d.send_signal(signal.SIGHUP)
        wait_for("the rejection", lambda: "reload rejected" in d.logs())
        self.assertIn(f"{d.config_path}:{line}:18: interval: bad duration", d.logs())
        self.assertIsNone(d.proc.poll())
        self.assertEqual(d.get("/api/v1/health", auth=False)[0], 200)
        # a good file takes effect: check one is gone, check two appears
        d.write_config("checks:\n" + tcp_check("two", port))
        d.send_signal(signal.SIGHUP)
        wait_for("check two", lambda: 'check="two"' in d.get("/metrics")[1])
        self.assertNotIn('check="one"', d.get("/metrics")[1])
        wait_for("the alert of the removed check to resolve",
                 lambda: any(a["labels"].get("check") == "one" and a["state"] == "resolved" for a in d.alerts()))

    def test_sigkill_loses_nothing_committed(self):
        d = self.daemon("host: {interval: 1s}\nchecks:\n" + tcp_check("a", free_port()) + tcp_check("b", free_port()) +
                        "  - {name: c, type: command, command: \"exit 1\", interval: 1s}\n")
        wait_for("three alerts", lambda: len(d.alerts("firing")) == 3)
        before = {a["fingerprint"]: a["id"] for a in d.alerts()}
        acked = d.alerts()[0]["id"]
        self.assertEqual(d.post(f"/api/v1/alerts/{acked}/ack", {"note": "ops"})[0], 200)
        time.sleep(1.5)  # the daemon keeps writing: kill it in the middle of that
        d.stop(signal.SIGKILL)
        if not self.pg:  # PostgreSQL keeps its own files whole
            db = sqlite3.connect(os.path.join(d.dir, "var", "keepwatch.db"))
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            db.close()
        for e in d.events():  # every line in the log is a whole JSON document
            self.assertIn("@timestamp", e)
        d.start()
        time.sleep(3)
        after = d.alerts()
        self.assertEqual(len(after), 3, "a restart must not duplicate alerts")
        self.assertEqual({a["fingerprint"]: a["id"] for a in after}, before)
        self.assertEqual(next(a for a in after if a["id"] == acked)["state"], "acked")
        self.assertIn("3 alerts open (2 firing, 1 acknowledged)", d.logs())

    @unittest.skipUnless(os.geteuid() == 0, "needs root to drop privileges")
    def test_drops_privileges_and_keeps_working(self):
        d = self.make_daemon("checks:\n" + tcp_check("gone", free_port()), daemon_extra="user: nobody")
        os.chmod(d.dir, 0o755)  # nobody must reach the state directory below it
        d.start()
        wait_for("the drop", lambda: "running as nobody" in d.logs())
        with open(f"/proc/{d.proc.pid}/status") as f:
            uids = next(l for l in f if l.startswith("Uid:")).split()[1:]
        nobody = __import__("pwd").getpwnam("nobody").pw_uid
        self.assertEqual({int(u) for u in uids}, {nobody})
        a = d.wait_alert(lambda a: a["state"] == "firing", "an alert written as nobody")
        self.assertEqual(d.post(f"/api/v1/alerts/{a['id']}/ack", {"note": "ops"})[0], 200)
        rc, took = d.stop()
        self.assertEqual(rc, 0)

    def test_port_in_use_is_a_clear_error(self):
        if self.pg:
            self.skipTest("not about the store: run once, on SQLite")
        blocker = socket.socket()
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        self.addCleanup(blocker.close)
        d = Daemon()
        self.addCleanup(d.cleanup)
        d.port = blocker.getsockname()[1]
        d.write_config("")
        p = subprocess.run([os.environ.get("KEEPWATCH_BIN"), "serve", "-c", d.config_path], capture_output=True,
                           text=True, timeout=20)
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"cannot listen on 127.0.0.1:{d.port}", p.stderr)


class ApiTestPg(OnPostgres, ApiTest):
    pass


class ServiceAlertTestPg(OnPostgres, ServiceAlertTest):
    pass


class LifecycleTestPg(OnPostgres, LifecycleTest):
    pass


if __name__ == "__main__":
    unittest.main()
