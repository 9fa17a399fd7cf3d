"""snmp against a real snmpd (Debian's) that each test starts on a free loopback port with its own
configuration and persistent directory: interface counters and rates at /metrics, v3 authPriv
with a user the test creates (and a wrong passphrase refused, said clearly), a v2c trap sent
with snmptrap arriving as an event that logs.rules match, device_unreachable when snmpd stops,
and interface_down when the test sets down a veth whose peer is in a network namespace it
created."""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
from datetime import datetime, timezone

from kwtest import DaemonTest, wait_for

SNMPD = shutil.which("snmpd") or ("/usr/sbin/snmpd" if os.path.exists("/usr/sbin/snmpd") else None)
V3_USER, V3_AUTH, V3_PRIV = "kwv3", "authpass123", "privpass123"


def free_udp_port():
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Snmpd:
    """snmpd -f on 127.0.0.1:PORT with its own config, persistent dir and log; stopped by pid."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="kw-snmpd-")
        self.port = free_udp_port()
        self.proc = None
        os.makedirs(os.path.join(self.dir, "persist"))
        with open(os.path.join(self.dir, "snmpd.conf"), "w") as f:
            f.write(f"agentAddress udp:127.0.0.1:{self.port}\n"
                    "rocommunity kwtest 127.0.0.1\n"
                    f'createUser {V3_USER} SHA "{V3_AUTH}" AES "{V3_PRIV}"\n'
                    f"rouser {V3_USER} priv\n")

    def start(self):
        env = dict(os.environ, SNMP_PERSISTENT_DIR=os.path.join(self.dir, "persist"))
        self.proc = subprocess.Popen(
            [SNMPD, "-C", "-c", os.path.join(self.dir, "snmpd.conf"), "-Lf", os.path.join(self.dir, "snmpd.log"),
             "-p", os.path.join(self.dir, "snmpd.pid"), "-f", "-I", "-smux"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for("snmpd to answer", self.answers, timeout=15)
        return self

    def answers(self):
        r = subprocess.run(["snmpget", "-v2c", "-c", "kwtest", "-t", "0.5", "-r", "0", f"127.0.0.1:{self.port}",
                            "1.3.6.1.2.1.1.3.0"], capture_output=True, text=True)
        return r.returncode == 0

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class LossyProxy:
    """A UDP relay to an agent that drops every other request: each is answered on its retry."""

    def __init__(self, agent_port):
        import socket
        import threading
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.agent = ("127.0.0.1", agent_port)
        self.seen = self.dropped = 0
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        import socket
        up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        up.settimeout(2)
        while self.running:
            try:
                req, client = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            self.seen += 1
            if self.seen % 2:
                self.dropped += 1
                continue
            up.sendto(req, self.agent)
            try:
                self.sock.sendto(up.recvfrom(65535)[0], client)
            except socket.timeout:
                pass
        up.close()

    def stop(self):
        self.running = False
        self.thread.join()
        self.sock.close()


def metrics(d):
    status, body = d.get("/metrics")
    assert status == 200, (status, body)
    return body


def series(d, name, **labels):
    """The value of keepwatch_NAME whose labels include these, or None."""
    for line in metrics(d).splitlines():
        if not (line.startswith("keepwatch_" + name + "{") or line.startswith("keepwatch_" + name + " ")):
            continue
        body, value = line.rsplit(" ", 1)
        got = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', body))
        if all(got.get(k) == v for k, v in labels.items()):
            return float(value)
    return None


@unittest.skipUnless(SNMPD and shutil.which("snmptrap") and hasattr(os, "geteuid") and os.geteuid() == 0,
                     "needs root and Debian's snmpd and snmp")
class SnmpTest(DaemonTest):
    def agent(self):
        a = Snmpd()
        self.addCleanup(a.cleanup)
        return a.start()

    def device(self, a, name, extra=""):
        return (f"    - {{name: {name}, address: \"127.0.0.1:{a.port}\", interval: 1s, timeout: 400ms, retries: 0"
                f"{extra}}}\n")

    def test_v2c_counters_trap_and_unreachable(self):
        a = self.agent()
        trap_port = free_udp_port()
        d = self.daemon("host: {enabled: false}\n"
                        "logs:\n"
                        "  rules:\n"
                        "    - name: link_down_trap\n"
                        "      match: {event.dataset: snmp.trap, event.action: linkDown}\n"
                        "      by: [source.ip, observer.name]\n"
                        "      severity: high\n"
                        "      summary: \"linkDown trap from {observer.name}\"\n"
                        "snmp:\n"
                        f"  traps: {{listen: \"127.0.0.1:{trap_port}\", community: kwtrap}}\n"
                        "  devices:\n" +
                        self.device(a, "lo2c", ", community: kwtest, profiles: [system, if, host, ucd], "
                                    "labels: {site: lab}"))
        first = wait_for("lo's counter", lambda: series(d, "snmp_if_in_octets_total", device="lo2c", ifname="lo"))
        # the polls themselves are loopback traffic: the 64-bit counter goes up, and has a rate
        wait_for("lo's counter to increase",
                 lambda: (series(d, "snmp_if_in_octets_total", device="lo2c", ifname="lo") or 0) > first)
        rate = wait_for("lo's rate", lambda: series(d, "snmp_if_in_octets_per_second", device="lo2c", ifname="lo"))
        self.assertGreaterEqual(rate, 0)
        self.assertEqual(series(d, "snmp_if_oper_up", device="lo2c", ifname="lo"), 1)
        self.assertEqual(series(d, "snmp_device_up", device="lo2c"), 1)
        self.assertGreater(series(d, "snmp_device_uptime_seconds", device="lo2c"), 0)
        self.assertIsNotNone(series(d, "snmp_memory_total_bytes", device="lo2c"))
        self.assertIsNotNone(series(d, "snmp_load_average", device="lo2c", period="Load-1"))
        # the device as the fleet view sees it (snmp_api.c)
        st, body = d.get("/api/v1/snmp")
        self.assertEqual(st, 200, body)
        dev = body["devices"][0]
        self.assertEqual((dev["name"], dev["state"]), ("lo2c", "up"))
        self.assertGreater(dev["uptime_seconds"], 0)
        self.assertGreaterEqual(dev["interfaces"]["up"], 1)
        self.assertTrue(0 < dev["memory_ratio"] < 1, dev)
        self.assertTrue(dev.get("sysdescr"), dev)
        self.assertEqual(d.get("/api/v1/snmp", auth=False)[0], 401)

        # a trap with another community is dropped; one with ours is an event and matches the rule
        trap = ["1.3.6.1.6.3.1.1.5.3", "1.3.6.1.2.1.2.2.1.1.7", "i", "7", "1.3.6.1.2.1.2.2.1.2.7", "s", "eth7"]
        subprocess.run(["snmptrap", "-v", "2c", "-c", "wrong", f"127.0.0.1:{trap_port}", ""] + trap, check=True)
        subprocess.run(["snmptrap", "-v", "2c", "-c", "kwtrap", f"127.0.0.1:{trap_port}", ""] + trap, check=True)
        ev = wait_for("the trap event", lambda: next(
            (e for e in d.events() if e.get("event", {}).get("dataset") == "snmp.trap"), None))
        self.assertEqual(ev["event"]["action"], "linkDown")
        self.assertEqual(ev["observer"]["ip"], "127.0.0.1")
        self.assertEqual(ev["observer"]["name"], "lo2c")
        self.assertEqual(ev["snmp"]["trap"]["oid"], "1.3.6.1.6.3.1.1.5.3")
        self.assertEqual(ev["labels"]["1_3_6_1_2_1_2_2_1_2_7"], "eth7")
        self.assertEqual(ev["labels"]["site"], "lab")
        alert = d.wait_alert(lambda x: x["rule"] == "link_down_trap", "the trap's rule to fire")
        self.assertEqual(alert["labels"]["source.ip"], "127.0.0.1")
        self.assertEqual(alert["labels"]["observer.name"], "lo2c")
        self.assertEqual(alert["summary"], "linkDown trap from lo2c")
        time.sleep(1)
        self.assertEqual(len([e for e in d.events() if e.get("event", {}).get("dataset") == "snmp.trap"]), 1)
        wait_for("the trap counters", lambda: series(d, "snmp_traps_dropped_total") == 1)
        self.assertEqual(series(d, "snmp_traps_received_total"), 1)

        # snmpd stops: 3 unanswered polls make device_unreachable
        self.assertFalse([x for x in d.alerts() if x["rule"] == "device_unreachable"])
        a.stop()
        alert = d.wait_alert(lambda x: x["rule"] == "device_unreachable", "device_unreachable", timeout=30)
        self.assertEqual(alert["labels"]["device"], "lo2c")
        self.assertEqual(series(d, "snmp_device_up", device="lo2c"), 0)
        dev = d.get("/api/v1/snmp")[1]["devices"][0]
        self.assertEqual(dev["state"], "unreachable")
        # since when it has been away: its last answer, kept while it does not answer
        last = series(d, "snmp_device_last_answer_timestamp_seconds", device="lo2c")
        self.assertLess(last, time.time() - 2)
        self.assertTrue(dev["last_answer"].startswith(time.strftime("%Y-%m-%dT", time.gmtime(last))), dev)
        self.assertIn("snmp lo2c (127.0.0.1:", d.logs())
        # a reload keeps the device's state: the alert neither resolves nor fires again
        d.send_signal(signal.SIGHUP)
        wait_for("the reload", lambda: d.logs().count("snmp: polling 1 device(s)") == 2)
        time.sleep(3)
        now = [x for x in d.alerts() if x["rule"] == "device_unreachable"]
        self.assertEqual([(x["id"], x["state"]) for x in now], [(alert["id"], "firing")])
        self.assertGreaterEqual(series(d, "snmp_device_failed_polls", device="lo2c"), 3)

    def test_device_page(self):
        """The device's page (GET /api/v1/hosts/NAME and its series): what it is, its interfaces'
        rates and errors, its memory, storage and load, each series the device's alone."""
        a = self.agent()
        d = self.daemon("host: {enabled: true, interval: 1s}\nsnmp:\n  devices:\n" +
                        self.device(a, "lo2c", ", community: kwtest, profiles: [system, if, host, ucd]"))

        def lo_rates():
            st, s = d.get("/api/v1/hosts/lo2c/series?range=1h&metric=snmp_if_in_octets_per_second")
            self.assertEqual(st, 200, s)
            return [x for x in s["series"] if x["labels"].get("ifname") == "lo" and len(x["points"]) >= 2]
        wait_for("lo's in rate in the history", lo_rates, timeout=60)
        st, body = d.get("/api/v1/hosts/lo2c")
        self.assertEqual(st, 200, body)
        host = body["host"]
        self.assertEqual((host["kind"], host["state"], host["address"]), ("snmp", "up", f"127.0.0.1:{a.port}"))
        self.assertTrue(host["sysdescr"] and host["uptime_seconds"] > 0, host)
        # it last reported when it last answered a poll (the fleet showed "-" for every device)
        answered = datetime.fromisoformat(host["last_report"].replace("Z", "+00:00"))
        self.assertLess(abs((datetime.now(timezone.utc) - answered).total_seconds()), 30, host)
        fleet = {h["name"]: h for h in d.get("/api/v1/hosts")[1]["hosts"]}
        self.assertIn("last_report", fleet["lo2c"])
        self.assertEqual(body["alerts"], [])
        st, s = d.get("/api/v1/hosts/lo2c/series?range=6h")
        self.assertEqual((st, s["kind"]), (200, "snmp"), s)
        names = {x["name"] for x in s["series"]}
        for want in ("snmp_if_in_octets_per_second", "snmp_if_out_octets_per_second", "snmp_if_in_errors_per_second",
                     "snmp_if_out_errors_per_second", "snmp_memory_total_bytes", "snmp_memory_available_bytes",
                     "snmp_storage_used_bytes", "snmp_load_average", "snmp_device_up"):
            self.assertIn(want, names)
        self.assertTrue(all(x["labels"].get("device") == "lo2c" for x in s["series"]), s["series"][:3])
        self.assertFalse([x for x in s["series"] if x["name"].startswith("host_")])  # this server's own, not here
        up = next(x for x in s["series"] if x["name"] == "snmp_device_up")
        self.assertTrue(up["points"] and all(p[1] == 1 for p in up["points"]), up)
        # a host chart's metric is not one of a device's
        self.assertEqual(d.get("/api/v1/hosts/lo2c/series?metric=host_cpu_usage_ratio")[0], 400)

    def test_retry_after_loss(self):
        # every first try of a request is lost: the retry (retries: 1) gets the answer
        a = self.agent()
        proxy = LossyProxy(a.port)
        self.addCleanup(proxy.stop)
        d = self.daemon("host: {enabled: false}\nsnmp:\n  devices:\n"
                        f"    - {{name: lossy, address: \"127.0.0.1:{proxy.port}\", community: kwtest, interval: 2s, "
                        "timeout: 300ms, retries: 1}\n")
        wait_for("lo through the lossy path",
                 lambda: series(d, "snmp_if_in_octets_total", device="lossy", ifname="lo"))
        self.assertEqual(series(d, "snmp_device_up", device="lossy"), 1)
        self.assertEqual(series(d, "snmp_device_failed_polls", device="lossy"), 0)
        self.assertGreater(proxy.dropped, 0)
        self.assertNotIn("snmp lossy", d.logs())

    def test_v3_authpriv(self):
        a = self.agent()
        d = self.daemon("host: {enabled: false}\nsnmp:\n  devices:\n" +
                        self.device(a, "lo3", f", version: v3, user: {V3_USER}, security_level: authPriv, "
                                    f"auth_protocol: SHA, auth_pass: {V3_AUTH}, priv_protocol: AES, "
                                    f"priv_pass: {V3_PRIV}"))
        wait_for("lo over v3", lambda: series(d, "snmp_if_in_octets_total", device="lo3", ifname="lo"))
        self.assertEqual(series(d, "snmp_device_up", device="lo3"), 1)
        rc, out, _ = d.cli("config", "show")
        self.assertEqual(rc, 0)
        self.assertNotIn(V3_AUTH, out)
        self.assertNotIn(V3_PRIV, out)

    def test_v3_wrong_pass(self):
        # its own daemon: net-snmp keeps one key set per user and engine in a process
        a = self.agent()
        d = self.daemon("host: {enabled: false}\nsnmp:\n  devices:\n" +
                        self.device(a, "lo3bad", f", version: v3, user: {V3_USER}, auth_pass: wrongpass123, "
                                    f"priv_pass: {V3_PRIV}"))
        wait_for("the failure in the log", lambda: "snmp lo3bad" in d.logs())
        self.assertIn("SNMPv3 authentication failure", d.logs())
        wait_for("snmp_device_up 0", lambda: series(d, "snmp_device_up", device="lo3bad") == 0)
        self.assertIsNone(series(d, "snmp_if_in_octets_total", device="lo3bad", ifname="lo"))
        d.wait_alert(lambda x: x["rule"] == "device_unreachable", "device_unreachable", timeout=30)


@unittest.skipUnless(SNMPD and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("ip"),
                     "needs root, ip and Debian's snmpd")
class SnmpInterfaceDownTest(DaemonTest):
    def setUp(self):
        n = os.getpid() % 100000
        self.ns, self.veth, self.peer = f"kwsnmp{n}", f"kwsv{n}a", f"kwsv{n}b"
        subprocess.run(["ip", "netns", "add", self.ns], check=True)
        self.addCleanup(self.cleanup_links)
        subprocess.run(["ip", "link", "add", self.veth, "type", "veth", "peer", "name", self.peer], check=True)
        subprocess.run(["ip", "link", "set", self.peer, "netns", self.ns], check=True)
        subprocess.run(["ip", "link", "set", self.veth, "up"], check=True)
        subprocess.run(["ip", "netns", "exec", self.ns, "ip", "link", "set", self.peer, "up"], check=True)

    def cleanup_links(self):
        subprocess.run(["ip", "link", "del", self.veth], stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "netns", "del", self.ns], stderr=subprocess.DEVNULL)

    def test_interface_down(self):
        a = Snmpd()
        self.addCleanup(a.cleanup)
        a.start()
        d = self.daemon("host: {enabled: false}\nsnmp:\n  devices:\n"
                        f"    - {{name: box, address: \"127.0.0.1:{a.port}\", community: kwtest, interval: 1s, "
                        "timeout: 400ms, retries: 0}\n")
        wait_for("the veth up", lambda: series(d, "snmp_if_oper_up", device="box", ifname=self.veth) == 1,
                 timeout=30)
        self.assertEqual(series(d, "snmp_if_down", device="box", ifname=self.veth), 0)
        self.assertFalse([x for x in d.alerts() if x["rule"] == "interface_down"])
        # the peer goes down in its namespace: ours loses its carrier while still admin up
        subprocess.run(["ip", "netns", "exec", self.ns, "ip", "link", "set", self.peer, "down"], check=True)
        alert = d.wait_alert(lambda x: x["rule"] == "interface_down", "interface_down", timeout=40)
        self.assertEqual(alert["labels"]["ifname"], self.veth)
        self.assertEqual(alert["labels"]["device"], "box")
        self.assertEqual(series(d, "snmp_if_admin_up", device="box", ifname=self.veth), 1)
        # lo, up all along, is not down
        self.assertEqual(series(d, "snmp_if_down", device="box", ifname="lo"), 0)


if __name__ == "__main__":
    unittest.main()
