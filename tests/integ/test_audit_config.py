"""`keepwatch audit config` and `audit path` as a user runs them, on the vendor samples of
tests/data/audit (written for the tests from the vendors' command references; the iptables and
nftables ones are real iptables-save and nft output, see its README): every seeded problem is
reported on its line with the statement at fault, as text and as ECS JSON; the failures are
recorded as findings on the device (its sysname or hostname) and a fixed configuration's
finding is verified by the next run; a file that is no configuration, or an unknown vendor,
is a clear error (exit 2) with nothing recorded. `audit path` names the rule that decides a
packet, the list's default when none does, and follows jumps."""
import json
import os
import shutil
import tempfile
import unittest

from kwtest import run

DATA = os.path.join(os.environ.get("KW_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data")), "audit")
SAMPLES = {"huawei": "bad.cfg", "h3c": "bad.cfg", "cisco-ios": "bad.cfg", "cisco-asa": "bad.cfg",
           "iptables": "bad.rules", "nftables": "bad.nft", "fortigate": "bad.conf"}


def expected(vendor):
    with open(os.path.join(DATA, vendor, "expected")) as f:
        return {(p[0], int(p[1])) for p in (l.split() for l in f if l.strip() and not l.startswith("#"))}


class AuditConfig(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kw-audit-config-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.cfg = os.path.join(self.dir, "keepwatch.yaml")
        with open(self.cfg, "w") as f:
            f.write(f"daemon: {{state_dir: {self.dir}/var}}\n")

    def kw(self, *args):
        return run(*args, "-c", self.cfg, timeout=60)

    def test_every_vendor_sample_as_json(self):
        for vendor, name in SAMPLES.items():
            with self.subTest(vendor=vendor):
                rc, out, err = self.kw("audit", "config", "--json", "--no-store", os.path.join(DATA, vendor, name))
                self.assertEqual(rc, 1, err)
                docs = [json.loads(l) for l in out.splitlines()]
                got = {(d["rule.id"], d.get("keepwatch.finding.line", 0)) for d in docs
                       if d["result.evaluation"] == "failed"}
                self.assertEqual(expected(vendor) - got, set())
                for d in docs:
                    self.assertEqual(d["event.kind"], "state")
                    self.assertEqual(d["file.path"], os.path.join(DATA, vendor, name))
                    if d.get("keepwatch.finding.line", 0) > 0:
                        self.assertTrue(d.get("keepwatch.finding.text"), d)
                    self.assertTrue(d["keepwatch.audit.title_zh"], d)

    def test_text_names_the_line_the_statement_and_why(self):
        rules = os.path.join(DATA, "iptables", "bad.rules")
        rc, out, err = self.kw("audit", "config", "--no-store", rules)
        self.assertEqual(rc, 1, err)
        self.assertRegex(out, r"fail critical KW-ACL-ANY-ANY +\S+bad.rules:18 ")
        line = next(l for l in out.splitlines() if "KW-ACL-RISKY-SERVICE" in l and ":10 " in l)
        self.assertIn("MySQL (3306/tcp)", out[out.index(line):out.index(line) + 400])
        self.assertRegex(out, r"KW-ACL-REDUNDANT +\S+bad.rules:12 .*\n +covered by -A INPUT #5 \(line 11\)")
        self.assertRegex(out, r"\d+ results: \d+ pass, \d+ fail \(\d+ critical")
        self.assertRegex(out, r"1 file, 4 lists, 15 rules")
        # a list's default names its statement
        self.assertRegex(out, r"KW-ACL-NO-FINAL-DENY +\S+bad.rules:3 ")

    def test_recorded_on_the_device_and_verified_when_fixed(self):
        cfg = os.path.join(self.dir, "core-sw.cfg")
        shutil.copy(os.path.join(DATA, "cisco-ios", "bad.cfg"), cfg)
        rc, out, err = self.kw("audit", "config", cfg)
        self.assertEqual(rc, 1, err)
        self.assertIn("recorded:", err)
        rc, out, err = self.kw("findings", "list", "--json")
        found = json.loads(out)["findings"]
        telnet = [f for f in found if f["vulnerability.id"] == "KW-DEV-TELNET"]
        self.assertEqual(len(telnet), 2)
        with open(cfg) as f:
            host = next(l.split()[1] for l in f if l.startswith("hostname "))
        self.assertTrue(all(f["keepwatch.finding.asset"] == host for f in telnet), telnet)
        self.assertEqual({f["keepwatch.finding.line"] for f in telnet}, {68, 69})
        self.assertEqual(telnet[0]["vulnerability.category"], "acl")
        # the device fixed: ssh only on the vty lines, the next run verifies what it fixed
        for f in telnet:
            self.assertEqual(self.kw("findings", "fix", str(f["keepwatch.finding.id"]))[0], 0)
        with open(cfg) as f:
            text = f.read()
        with open(cfg, "w") as f:
            f.write(text.replace("transport input telnet ssh", "transport input ssh")
                    .replace(" login local\n", " login local\n transport input ssh\n"))
        rc, out, err = self.kw("audit", "config", cfg)
        rc, out, err = self.kw("findings", "list", "--status", "all", "--json")
        telnet = [f for f in json.loads(out)["findings"] if f["vulnerability.id"] == "KW-DEV-TELNET"]
        self.assertEqual({f["keepwatch.finding.status"] for f in telnet}, {"verified"}, telnet)

    def test_not_a_configuration(self):
        junk = os.path.join(self.dir, "photo.jpg")
        with open(junk, "wb") as f:
            f.write(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8)
        rc, out, err = self.kw("audit", "config", junk)
        self.assertEqual(rc, 2)
        self.assertIn("not a device or firewall configuration", err)
        rc, out, err = self.kw("audit", "config", "--vendor", "juniper", junk)
        self.assertEqual(rc, 2)
        self.assertIn("--vendor", err)
        rc, out, err = self.kw("audit", "config", os.path.join(self.dir, "missing.cfg"))
        self.assertEqual(rc, 2)
        self.assertIn("cannot be read", err)
        rc, out, err = self.kw("findings", "list", "--json")
        self.assertEqual(json.loads(out)["findings"] if rc == 0 else [], [])

    def test_path(self):
        rules = os.path.join(DATA, "iptables", "bad.rules")
        rc, out, err = self.kw("audit", "path", rules, "--from", "203.0.113.9", "--to", "10.0.0.5:3306/tcp",
                               "--list", "filter INPUT")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"^permit +filter INPUT: -A INPUT #4 .*\(line 10\)")
        # telnet: the LOG rule goes on, the DROP after it decides
        rc, out, err = self.kw("audit", "path", rules, "--from", "203.0.113.9", "--to", "10.0.0.5:23/tcp",
                               "--list", "filter INPUT", "--json")
        self.assertEqual(rc, 1, err)
        v = json.loads(out)[0]
        self.assertEqual((v["action"], v["line"]), ("deny", 17))
        # through the jump: 192.168.10.5 to ssh is accepted in ssh_in
        rc, out, err = self.kw("audit", "path", rules, "--from", "192.168.10.5", "--to", "10.0.0.5:22/tcp",
                               "--list", "filter INPUT", "--json")
        v = json.loads(out)[0]
        self.assertEqual(v["action"], "permit")
        # FORWARD: nothing matches a packet not from eth1: its default (DROP, line 4)
        rc, out, err = self.kw("audit", "path", rules, "--from", "10.0.0.9", "--to", "10.9.9.9:80/tcp",
                               "--in", "eth0", "--list", "filter FORWARD", "--json")
        self.assertEqual(rc, 1, err)
        v = json.loads(out)[0]
        self.assertEqual((v["action"], v.get("line")), ("deny", 4))
        rc, out, err = self.kw("audit", "path", rules, "--from", "nonsense", "--to", "10.0.0.5:22/tcp")
        self.assertEqual(rc, 2)


if __name__ == "__main__":
    unittest.main()
