"""Drill injections through the real binary: each built-in capture, as the replay injection
generates it (tests/helpers/kw_drill_gen), is one attack of the right kind to `keepwatch net
analyze`; each built-in line set, sent to the syslog listener of `keepwatch serve` as the log
injection sends it, and appended to a watched file, raises its alerts, labelled with the
attacking address the drill marks. (The replay through a namespace into the live sensor is
tests/unit/test_drill_live.c; the end-to-end drill run is the drill module's test.)"""
import json
import re
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from kwtest import BIN, DaemonTest, free_port, run, wait_for

GEN = os.environ.get("KW_DRILL_GEN_BIN", "kw_drill_gen")


def have_gen():
    return shutil.which(GEN) is not None or os.path.exists(GEN)


def gen(*args):
    p = subprocess.run([GEN, *args], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError(f"kw_drill_gen {' '.join(args)}: {p.stderr}")
    return p.stdout.splitlines()


@unittest.skipUnless(have_gen(), "kw_drill_gen not built (KW_DRILL_GEN_BIN)")
class BuiltInCaptures(unittest.TestCase):
    CASES = [("syn_flood", "syn_flood", None), ("udp_reflection", "udp_flood", None),
             ("port_scan", "port_scan", "203.0.113.66"), ("brute_force", "brute_force", "203.0.113.77")]

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="kw-drill-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def test_each_capture_is_its_one_attack(self):
        for name, action, src in self.CASES:
            with self.subTest(name):
                path = os.path.join(self.tmp, name + ".pcap")
                seen = gen(name, "192.0.2.10", "0", "6000", path)
                self.assertTrue(seen, "the attacking addresses are said")
                rc, out, err = run("net", "analyze", "--json", path, timeout=120)
                self.assertEqual(rc, 1, err)  # 1: attacks found
                docs = [json.loads(l) for l in out.splitlines() if l.strip()]
                self.assertEqual([d["event"]["action"] for d in docs], [action])
                self.assertEqual(docs[0]["destination"]["ip"], "192.0.2.10")
                if src:
                    self.assertEqual(docs[0]["source"]["ip"], src)
                    self.assertEqual(seen, [src])

    def test_slow_flood_is_no_flood(self):
        path = os.path.join(self.tmp, "slow.pcap")
        gen("syn_flood", "192.0.2.10", "100", "5000", path)
        rc, out, err = run("net", "analyze", "--json", path)
        self.assertEqual((rc, out.strip()), (0, ""), err)


@unittest.skipUnless(have_gen(), "kw_drill_gen not built (KW_DRILL_GEN_BIN)")
class LineSets(DaemonTest):
    # set, the source it claims, the alerts it must raise (rule names)
    SETS = [("ssh_brute_force", "198.51.100.41", {"ssh_brute_force"}),
            ("web_attack", "198.51.100.42", {"sql_injection", "xss", "path_traversal"}),
            ("db_login_failure", "198.51.100.43", {"db_brute_force"}),
            ("firewall_deny", "198.51.100.44", {"rule_hit_surge"})]
    COUNT = {"ssh_brute_force": 30, "web_attack": 12, "db_login_failure": 30, "firewall_deny": 60}

    def config(self, port, watched):
        return ("host: {enabled: false}\n"
                "logs:\n  surge_learn: 0s\n"
                f"  inputs:\n    - {{name: net, type: syslog, listen: '127.0.0.1:{port}', protocol: udp}}\n"
                f"    - {{name: files, type: file, paths: ['{watched}']}}\n")

    def rules_of(self, d, src):
        return {a["rule"] for a in d.alerts() if src in json.dumps(a["labels"]) or src in a.get("summary", "")}

    def test_sets_by_syslog_raise_their_alerts(self):
        port = free_port()
        tmp = tempfile.mkdtemp(prefix="kw-drill-lines-")
        self.addCleanup(shutil.rmtree, tmp, True)
        d = self.daemon(self.config(port, os.path.join(tmp, "*.log")))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for name, src, _ in self.SETS:
                for line in gen("lines", name, src, str(self.COUNT[name]), "syslog"):
                    s.sendto(line.encode(), ("127.0.0.1", port))
                    time.sleep(0.005)
        for name, src, want in self.SETS:
            if name == "firewall_deny":  # the surge's labels are the device's and the rule's
                got = wait_for("the firewall deny surge", lambda: {a["rule"] for a in d.alerts()
                                                                   if "FGT-DRILL" in json.dumps(a["labels"])} or None)
            else:
                got = wait_for(f"the alerts of {name}", lambda: (lambda r: r if want <= r else None)(
                    self.rules_of(d, src)))
            self.assertEqual(got, want, name)

    def test_ssh_set_appended_to_a_watched_file(self):
        port = free_port()
        tmp = tempfile.mkdtemp(prefix="kw-drill-lines-")
        self.addCleanup(shutil.rmtree, tmp, True)
        path = os.path.join(tmp, "auth.log")
        open(path, "w").close()
        d = self.daemon(self.config(port, os.path.join(tmp, "*.log")))
        # the tail has opened the file (at its end) before the lines come
        wait_for("the watched file opened", lambda: re.search(r"^keepwatch_log_files(\{[^}]*\})? [1-9]", d.get("/metrics")[1], re.M))
        with open(path, "a") as f:
            for line in gen("lines", "ssh_brute_force", "198.51.100.51", "15", "file"):
                f.write(line + "\n")
        got = wait_for("ssh_brute_force from the file", lambda: self.rules_of(d, "198.51.100.51") or None)
        self.assertEqual(got, {"ssh_brute_force"})


if __name__ == "__main__":
    unittest.main()
