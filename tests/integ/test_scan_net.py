"""keepwatch scan net against real listeners, with every packet it sends watched.

The scanner runs in a network namespace of its own (lo and one end of a veth pair, IPv6 off),
the target host in another (the veth's other end, 10.200.N.2/30): whatever tcpdump sees on the
scanner's interfaces is the scan's. Checked: listeners found open, closed ports closed, a port
dropped by iptables filtered in bounded time, fake SNMP and NTP services reported as findings,
no packet to or from an address outside the targets, and a target outside scan.allowed refused
before a single packet. Namespaces and processes are removed by name and pid at the end.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from kwtest import BIN

PID = os.getpid()
NS_S, NS_T = f"kwsS{PID}", f"kwsT{PID}"
VETH_S, VETH_T = f"kvs{PID % 100000}", f"kvt{PID % 100000}"
NET = 200 + PID % 50  # 10.200.x .. 10.249.x: one /30 per test run
ADDR_S, ADDR_T = f"10.{NET}.{PID % 250}.1", f"10.{NET}.{PID % 250}.2"

# A listener in the target namespace: TCP ports from argv, UDP fakes of SNMP (161) and NTP (123)
# that answer the probes the way those services do (request id and origin echoed).
SERVICE = r"""
import socket, sys, threading, struct
socks = []
for p in sys.argv[1:]:
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(p))); s.listen(64); socks.append(s)
def snmp():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 161))
    while True:
        q, a = u.recvfrom(2048)
        rid = q[17:21]
        d = b"Linux fakeswitch 6.1.0"
        oid = bytes([6, 8, 0x2b, 6, 1, 2, 1, 1, 1, 0])
        vb = bytes([0x30, len(oid) + 2 + len(d)]) + oid + bytes([4, len(d)]) + d
        pdu = bytes([2, 4]) + rid + bytes([2, 1, 0, 2, 1, 0, 0x30, len(vb)]) + vb
        msg = bytes([2, 1, 1, 4, 6]) + b"public" + bytes([0xa2, len(pdu)]) + pdu
        u.sendto(bytes([0x30, len(msg)]) + msg, a)
def ntp():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 123))
    while True:
        q, a = u.recvfrom(2048)
        r = bytearray(48); r[0] = 0x24; r[1] = 2; r[12:16] = bytes([10, 0, 0, 1]); r[24:32] = q[40:48]
        u.sendto(bytes(r), a)
for f in (snmp, ntp):
    threading.Thread(target=f, daemon=True).start()
print("ready", flush=True)
sys.stdin.read()
"""

LOOP_SERVICE = r"""
import socket, sys
socks = []
for p in sys.argv[1:]:
    s = socket.socket(); s.bind(("127.0.0.1", int(p))); s.listen(64); socks.append(s)
print("ready", flush=True)
sys.stdin.read()
"""


def sh(*args, check=True):
    return subprocess.run(args, capture_output=True, text=True, check=check, timeout=30)


def can_run():
    if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("tcpdump"):
        return False
    probe = sh("ip", "netns", "add", f"kwsprobe{PID}", check=False)
    sh("ip", "netns", "del", f"kwsprobe{PID}", check=False)
    return probe.returncode == 0


def in_ns(ns, *args):
    return ["ip", "netns", "exec", ns, *args]


class Capture:
    """tcpdump on one interface of a namespace, started before and stopped after a scan."""

    def __init__(self, ns, iface):
        self.file = tempfile.mktemp(prefix=f"kwscan-{iface}-", suffix=".pcap")
        self.p = subprocess.Popen(in_ns(ns, "tcpdump", "-i", iface, "-n", "-U", "--immediate-mode", "-w", self.file),
                                  stderr=subprocess.PIPE, text=True)
        line = self.p.stderr.readline()  # "listening on ..." once the capture is open
        if "listening" not in line:
            raise AssertionError(f"tcpdump did not start on {iface}: {line!r}")

    def stop(self):
        time.sleep(0.3)
        self.p.send_signal(signal.SIGINT)
        self.p.wait(timeout=10)
        self.p.stderr.close()
        out = sh("tcpdump", "-n", "-r", self.file, check=False).stdout
        os.unlink(self.file)
        return [l for l in out.splitlines() if l.strip()]


def addresses(line):
    """The addresses a tcpdump line names (IPv4 packets and ARP); None for anything else."""
    m = re.search(r" IP (\d+\.\d+\.\d+\.\d+)(?:\.\d+)? > (\d+\.\d+\.\d+\.\d+)(?:\.\d+)?:", line)
    if m:
        return {m.group(1), m.group(2)}
    m = re.search(r"ARP, (?:Request who-has (\S+) tell (\S+)|Reply (\S+) is-at)", line)
    if m:
        return {a.rstrip(",") for a in m.groups() if a}
    return None


def free_ports(n):
    """n TCP ports free on this machine now (the namespaces start empty; any unused port will do)."""
    out = []
    while len(out) < n:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            p = s.getsockname()[1]
        if p not in out and p not in (123, 161):
            out.append(p)
    return out


@unittest.skipUnless(can_run(), "needs root, ip netns and tcpdump")
class ScanNet(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.procs = []
        for ns in (NS_S, NS_T):
            sh("ip", "netns", "add", ns)
            sh(*in_ns(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"))
            sh(*in_ns(ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"))
            sh(*in_ns(ns, "ip", "link", "set", "lo", "up"))
        sh("ip", "link", "add", VETH_S, "netns", NS_S, "type", "veth", "peer", "name", VETH_T, "netns", NS_T)
        for ns, dev, addr in ((NS_S, VETH_S, ADDR_S), (NS_T, VETH_T, ADDR_T)):
            sh(*in_ns(ns, "ip", "addr", "add", f"{addr}/30", "dev", dev))
            sh(*in_ns(ns, "ip", "link", "set", dev, "up"))
        cls.open_ports = free_ports(3)
        cls.dropped = free_ports(4)[3]
        cls.start(NS_T, SERVICE, cls.open_ports + [cls.dropped])
        cls.has_iptables = shutil.which("iptables") is not None
        if cls.has_iptables:
            sh(*in_ns(NS_T, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", str(cls.dropped), "-j", "DROP"))
        cls.loop_ports = free_ports(2)
        cls.start(NS_S, LOOP_SERVICE, cls.loop_ports)

    @classmethod
    def start(cls, ns, script, ports):
        p = subprocess.Popen(in_ns(ns, "python3", "-c", script, *map(str, ports)), stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
        cls.procs.append(p)
        if p.stdout.readline().strip() != "ready":
            raise AssertionError("the listeners did not start")

    @classmethod
    def tearDownClass(cls):
        for p in cls.procs:
            os.kill(p.pid, signal.SIGTERM)
            p.wait(timeout=10)
            p.stdin.close()
            p.stdout.close()
        for ns in (NS_S, NS_T):
            sh("ip", "netns", "del", ns, check=False)

    def scan(self, *args, config=None):
        env = dict(os.environ)
        if config is not None:
            path = tempfile.mktemp(prefix="kwscan-", suffix=".yml")
            with open(path, "w") as f:
                f.write(config)
            args = ("-c", path, *args)
        p = subprocess.run(in_ns(NS_S, BIN, "scan", "net", "--no-store", *args), capture_output=True, text=True, timeout=60,
                           env=env)
        if config is not None:
            os.unlink(path)
        return p.returncode, p.stdout, p.stderr

    def rows(self, out):
        """{(port, proto): (state, service)} from the table."""
        got = {}
        for line in out.splitlines():
            f = line.split()
            if len(f) >= 4 and "/" in f[1]:
                port, proto = f[1].split("/")
                got[(int(port), proto)] = (f[2], f[3])
        return got

    def assert_only(self, lines, allowed):
        self.assertTrue(lines, "the capture saw nothing")
        for l in lines:
            a = addresses(l)
            self.assertIsNotNone(a, f"a packet that is neither IPv4 nor ARP: {l}")
            self.assertTrue(a <= allowed, f"a packet outside {allowed}: {l}")

    def test_loopback_open_closed(self):
        cap = Capture(NS_S, "lo")
        ports = ",".join(map(str, self.loop_ports)) + ",1-1000"
        rc, out, err = self.scan("127.0.0.1", "-p", ports)
        lines = cap.stop()
        self.assertEqual(rc, 0, err)
        got = self.rows(out)
        for p in self.loop_ports:
            self.assertEqual(got.get((p, "tcp"), ("?",))[0], "open", out)
        self.assertEqual(len(got), len(self.loop_ports), out)  # 1-1000 are closed: not listed
        self.assertIn(f"127.0.0.1: {len(self.loop_ports)} open, 1000 closed, 0 filtered", err)
        self.assert_only(lines, {"127.0.0.1"})

    def test_namespace_host_all_ports(self):
        cap_veth, cap_lo = Capture(NS_S, VETH_S), Capture(NS_S, "lo")
        t0 = time.monotonic()
        rc, out, err = self.scan(ADDR_T, "-p-", "--timeout", "300", "--json")
        took = time.monotonic() - t0
        veth, lo = cap_veth.stop(), cap_lo.stop()
        self.assertEqual(rc, 0, err)
        import json
        docs = [json.loads(l) for l in out.splitlines()]
        opened = {d["destination"]["port"] for d in docs if d["event"]["action"] == "port_state"
                  and d["keepwatch"]["scan"]["state"] == "open"}
        # without iptables the port meant to be dropped listens like the others
        self.assertEqual(opened, set(self.open_ports) | (set() if self.has_iptables else {self.dropped}))
        host = [d for d in docs if d["event"]["action"] == "host_scanned"]
        self.assertEqual(len(host), 1)
        s = host[0]["keepwatch"]["scan"]
        self.assertEqual(s["open"] + s["closed"] + s["filtered"], 65535)
        if self.has_iptables:
            self.assertEqual(s["filtered"], 1)
            filt = [d for d in docs if d.get("keepwatch", {}).get("scan", {}).get("state") == "filtered"]
            self.assertEqual([d["destination"]["port"] for d in filt], [self.dropped])
        self.assertLess(took, 20, "a filtered port must be settled in bounded time")
        self.assert_only(veth, {ADDR_S, ADDR_T})
        self.assertEqual(lo, [], "nothing went over lo for a scan of another host")

    def test_filtered_port_bounded(self):
        if not self.has_iptables:
            self.skipTest("iptables is not installed")
        t0 = time.monotonic()
        # ports only: identifying the open one (a silent listener) would take its own budget
        rc, out, err = self.scan(ADDR_T, "-p", f"{self.dropped},{self.open_ports[0]}", "--timeout", "400", "--no-ident")
        took = time.monotonic() - t0
        self.assertEqual(rc, 0, err)
        got = self.rows(out)
        self.assertEqual(got[(self.dropped, "tcp")][0], "filtered")
        self.assertEqual(got[(self.open_ports[0], "tcp")][0], "open")
        self.assertLess(took, 0.4 * 2 + 3, "one probe and one retry of at most --timeout each")

    def test_udp_findings(self):
        cap = Capture(NS_S, VETH_S)
        rc, out, err = self.scan(ADDR_T, "-p", "U:123,161,11211", "--timeout", "300")
        lines = cap.stop()
        self.assertEqual(rc, 1, err)  # findings
        got = self.rows(out)
        self.assertEqual(got[(161, "udp")], ("open", "snmp"))
        self.assertEqual(got[(123, "udp")], ("open", "ntp"))
        self.assertIn("sysDescr Linux fakeswitch 6.1.0", out)
        self.assertRegex(out, r"high\s+KW-SNMP-PUBLIC\s+" + re.escape(ADDR_T) + r":161/udp")
        self.assertRegex(out, r"low\s+KW-UDP-NTP-EXPOSED")
        self.assertNotIn("KW-MEMCACHED-UDP", out)  # nothing answered there
        self.assert_only(lines, {ADDR_S, ADDR_T})

    def test_outside_scope_refused_nothing_sent(self):
        cap = Capture(NS_S, VETH_S)
        rc, out, err = self.scan(ADDR_T, "-p", "1-100", config="scan:\n  allowed: [127.0.0.0/8]\n")
        rc2, out2, err2 = self.scan("192.0.2.1", "-p", "80")  # TEST-NET-1: outside the built-in scope
        rc3, _, err3 = self.scan(f"{ADDR_T}/8", "-p", "80")   # too wide without --large
        lines = cap.stop()
        self.assertEqual(rc, 2)
        self.assertIn(f"{ADDR_T} is outside scan.allowed", err)
        self.assertIn("nothing sent", err)
        self.assertEqual(out, "")
        self.assertEqual(rc2, 2)
        self.assertIn("192.0.2.1 is outside scan.allowed", err2)
        self.assertEqual(rc3, 2)
        self.assertIn("--large", err3)
        self.assertEqual(lines, [], "a refused scan sent something")

    def test_target_file_and_exclude(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
            f.write(f"# the two ends of the veth\n{ADDR_S}\n{ADDR_T}-{ADDR_T.rsplit('.', 1)[1]}  {ADDR_T}\n")
            f.flush()
            rc, out, err = self.scan("-iL", f.name, "-p", str(self.open_ports[0]), "--exclude", ADDR_S)
        self.assertEqual(rc, 0, err)
        self.assertEqual({k: v[0] for k, v in self.rows(out).items()}, {(self.open_ports[0], "tcp"): "open"})
        self.assertIn("1 host,", err)  # ADDR_T given twice, ADDR_S excluded
        self.assertNotIn(ADDR_S + ":", err)

    def test_usage(self):
        rc, out, _ = self.scan("--help")
        self.assertEqual(rc, 0)
        self.assertIn("usage: keepwatch scan net", out)
        for bad in (["-p", "0", ADDR_T], ["-p", "22,", ADDR_T], [], ["nonexistent.invalid"], ["--rate", "x", ADDR_T]):
            rc, _, err = self.scan(*bad)
            self.assertEqual(rc, 2, f"{bad}: {err}")


if __name__ == "__main__":
    unittest.main()
