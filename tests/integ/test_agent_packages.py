"""Agents' package lists end to end on loopback: an agent reads a system root of its own
(agent.packages_root: os-release and dpkg's status file from tests/data/scan_pkg) and sends the
list; the server, with a small vulnerability index (`vuln import` of tests/data/scan_pkg's
tracker.json), records the CVEs on the agent's host name; the package upgraded, the agent
sends the list again and the fixed finding is verified; new vulnerability data is checked
against the stored list without the agent; `scan packages --agents` checks the stored lists;
a malformed packages section is refused (400, counted) and nothing of it stored."""
import json
import os
import re
import shutil
import signal
import time

from kwtest import OnPostgres, run, wait_for
from test_agent import AgentCase, post_batch

DATA = os.path.join(os.environ.get("KW_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data")), "scan_pkg")

# one more CVE, for zlib, in a second import: found in the stored list by the server itself
EXTRA = {"zlib": {"CVE-2099-0001": {"description": "a test flaw for the re-check",
                                     "releases": {"bookworm": {"status": "resolved", "repositories": {},
                                                               "fixed_version": "1:1.2.13.dfsg-2",
                                                               "urgency": "high"}}}}}


class AgentPackages(AgentCase):
    def findings(self, d):
        rc, out, err = d.cli("findings", "list", "--status", "all", "--json", "--scanner", "keepwatch-packages")
        self.assertIn(rc, (0, 1), err)
        return {f["vulnerability.id"]: f for f in json.loads(out)["findings"]}

    def refused(self, d, reason):
        m = re.search(r'keepwatch_agent_batches_refused_total\{reason="%s"\} (\d+)' % reason, d.get("/metrics")[1])
        return int(m.group(1)) if m else -1

    def test_packages_to_findings(self):
        d, a = self.one_agent("web-01")
        root = os.path.join(a.dir, "root")
        os.makedirs(os.path.join(root, "etc"))
        os.makedirs(os.path.join(root, "var/lib/dpkg"))
        with open(os.path.join(root, "etc/os-release"), "w") as f:
            f.write('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'
                    'VERSION_CODENAME=bookworm\n')
        status = os.path.join(root, "var/lib/dpkg/status")
        shutil.copy(os.path.join(DATA, "status"), status)
        a.write_config(f", packages_interval: 1s, packages_root: '{root}'")
        vuln = os.path.join(d.dir, "var", "vuln")
        rc, out, err = run("vuln", "import", "--dir", vuln, os.path.join(DATA, "tracker.json"))
        self.assertEqual(rc, 0, err)

        # the list arrives: the CVEs of its packages are findings on the agent's host
        a.start()
        ssh = wait_for("CVE-2024-6387 on web-01", lambda: self.findings(d).get("CVE-2024-6387"), timeout=30)
        self.assertEqual(ssh["keepwatch.finding.asset"], "web-01")
        self.assertEqual(ssh["package.name"], "openssh")
        self.assertEqual(ssh["keepwatch.finding.status"], "open")
        self.assertIn("package list spooled: 4 dpkg packages", a.logs())
        checked = re.search(r"agent web-01: (\d+) packages checked in (\d+) ms", d.logs())
        self.assertIsNotNone(checked, d.logs()[-2000:])
        self.assertEqual(checked.group(1), "4")
        # an unchanged list is not sent again
        time.sleep(3)  # a few more package turns
        self.assertEqual(a.logs().count("package list spooled"), 1)

        # a reload (the package thread takes the new configuration), then fixed by a person and
        # upgraded: the agent sends the new list, the finding is verified
        d.send_signal(signal.SIGHUP)
        wait_for("the reload", lambda: "configuration reloaded" in d.logs(), timeout=10)
        self.assertEqual(d.cli("findings", "fix", str(ssh["keepwatch.finding.id"]))[0], 0)
        with open(status) as f:
            text = f.read()
        with open(status, "w") as f:
            f.write(text.replace("1:9.2p1-2+deb12u2", "1:9.2p1-2+deb12u3"))
        wait_for("CVE-2024-6387 verified", lambda: self.findings(d)["CVE-2024-6387"]["keepwatch.finding.status"]
                 == "verified", timeout=30)
        self.assertEqual(a.logs().count("package list spooled"), 2)

        # new data: the stored list is checked again by the server, the agent sends nothing
        with open(os.path.join(DATA, "tracker.json")) as f:
            data = json.load(f)
        data["zlib"].update(EXTRA["zlib"])
        extra = os.path.join(d.dir, "tracker2.json")
        with open(extra, "w") as f:
            json.dump(data, f)
        rc, out, err = run("vuln", "import", "--dir", vuln, extra)
        self.assertEqual(rc, 0, err)
        new = wait_for("CVE-2099-0001 found by the re-check", lambda: self.findings(d).get("CVE-2099-0001"),
                       timeout=40)
        self.assertEqual(new["keepwatch.finding.asset"], "web-01")
        self.assertEqual(a.logs().count("package list spooled"), 2)
        self.assertIn("the vulnerability data changed", d.logs())

        # scan packages --agents: the stored lists now, and a name without one
        rc, out, err = d.cli("scan", "packages", "--agents")
        self.assertEqual(rc, 1, err)
        self.assertIn("CVE-2099-0001", out)
        self.assertRegex(err, r"agent web-01: 4 packages .*findings")
        self.assertNotIn("CVE-2024-6387", out)
        rc, out, err = d.cli("scan", "packages", "--agents", "web-01", "--json", "--no-store")
        self.assertEqual(rc, 1, err)
        docs = [json.loads(l) for l in out.splitlines() if l.strip()]
        self.assertTrue(docs and all(x.get("host.name", x.get("host", {}).get("name")) == "web-01" for x in docs), out)
        rc, out, err = d.cli("scan", "packages", "--agents", "db-02")
        self.assertEqual(rc, 2)
        self.assertIn("no package list stored", err)
        self.assertEqual(d.cli("scan", "packages", "--agents", "bad name")[0], 2)
        self.assertEqual(d.cli("scan", "packages", "--agents", "--root", root)[0], 2)  # this host's option

        # a malformed section: refused, counted, nothing stored (the finding stays as it was)
        a.stop()
        before, before_shape = self.refused(d, "value"), self.refused(d, "shape")
        bad = {"seq": 1000000, "packages": {"manager": "dpkg", "os": {"id": "debian", "codename": "bookworm"},
                                            "list": [["zlib1g", "x:1", "zlib", "", "amd64"]]}}
        code, body = post_batch(d.port, bad, credential=a.credential)
        self.assertEqual(code, 400, body)
        self.assertIn("package zlib1g", body)
        bad["seq"] += 1
        bad["packages"]["list"] = [["zlib1g", "1:1.2.13.dfsg-2", "zlib", "", ""]] * 3 + [["x"] * 4]
        code, body = post_batch(d.port, bad, credential=a.credential)
        self.assertEqual(code, 400, body)
        wait_for("the refusals counted", lambda: (self.refused(d, "value"), self.refused(d, "shape"))
                 == (before + 1, before_shape + 1), timeout=5)
        rc, out, err = d.cli("scan", "packages", "--agents", "web-01", "--no-store")
        self.assertIn("CVE-2099-0001", out)  # still the agent's list: the bad ones stored nothing
        self.assertIn("4 packages", err)


class AgentPackagesPg(OnPostgres, AgentPackages):
    """The same with the server's store on PostgreSQL (the package thread's own connection)."""
