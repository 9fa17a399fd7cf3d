"""Findings end to end: reports imported (keepwatch's CSV, and nmap's XML from a real nmap run
against listeners on loopback), deduplicated on re-import, driven through the workflow by the
CLI and the API, the plan and the stats; a fixed finding that a later nmap run no longer sees
is verified, one seen again reopens; finding_critical and finding_overdue alerts raised by the
daemon carry the department and end when the finding is fixed; a malformed report stores
nothing; every change is on the duty log, which verifies."""
import csv
import io
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from kwtest import BIN, DaemonTest, free_port, wait_for

CONFIG = """\
assets:
  - {name: web-01, addresses: [10.0.0.5], owner: zhang.wei, department: 运维部, criticality: critical,
     exposure: internet}
  - {name: lo, addresses: [127.0.0.0/8], department: 安全部}
people:
  - {name: li.na, departments: [安全部]}
departments:
  - {name: 运维部}
  - {name: 安全部}
findings:
  exploited: [CVE-2024-6387]
  sweep_interval: 1s
"""


def rows_csv(rows):
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["id", "title", "ip", "port", "transport", "severity", "vector", "category", "solution", "evidence"])
    w.writerows(rows)
    return out.getvalue()


SSH = ["CVE-2024-6387", "OpenSSH regreSSHion", "10.0.0.5", "22", "tcp", "high",
       "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", "outdated_software",
       "apt-get install --only-upgrade openssh-server", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2"]
REDIS = ["KW-REDIS-NOAUTH", "Redis answers without a password", "10.0.0.9", "6379", "tcp", "critical", "",
         "weak_auth", "requirepass", "+PONG"]
TELNET = ["KW-TELNET-EXPOSED", "telnet reachable", "10.0.0.5", "23", "tcp", "medium", "", "exposed_service", "", ""]


class FindingsTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="kw-findings-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def listing(self, d, *args):
        rc, out, err = d.cli("findings", "list", "--json", *args)
        self.assertIn(rc, (0, 1), err)
        return json.loads(out)

    def by_id(self, d, vuln):
        return next(f for f in self.listing(d, "--status", "all")["findings"] if f["vulnerability.id"] == vuln)

    def test_import_workflow_plan_stats(self):
        d = self.daemon(CONFIG)
        report = self.write("a.csv", rows_csv([SSH, REDIS, TELNET]))
        rc, out, err = d.cli("findings", "import", report)
        self.assertEqual(rc, 1, err)  # findings were imported
        self.assertIn("3 findings: 3 new", out)
        listing = self.listing(d)
        self.assertEqual(listing["total"], 3)
        ssh = self.by_id(d, "CVE-2024-6387")
        # the vector decides: AV:N/AC:H/... is 8.1, high; the asset is web-01 by address, owned
        self.assertEqual((ssh["vulnerability.score.base"], ssh["vulnerability.severity"]), (8.1, "high"))
        self.assertEqual(ssh["keepwatch.finding.asset"], "web-01")
        self.assertEqual(ssh["keepwatch.finding.status"], "assigned")
        self.assertEqual(ssh["keepwatch.finding.owner"], "zhang.wei")
        self.assertEqual(ssh["keepwatch.finding.department"], "运维部")
        self.assertTrue(ssh["keepwatch.finding.known_exploited"])
        self.assertEqual(ssh["keepwatch.finding.risk"], 100.0)
        self.assertIn("keepwatch.finding.due", ssh)
        # the same report again: nothing new
        rc, out, err = d.cli("findings", "import", report)
        self.assertIn("3 findings: 0 new, 3 seen again", out)
        self.assertEqual(self.listing(d)["total"], 3)

        # moves
        redis = self.by_id(d, "KW-REDIS-NOAUTH")
        rid, sid, tid = (str(x["keepwatch.finding.id"]) for x in (redis, ssh, self.by_id(d, "KW-TELNET-EXPOSED")))
        rc, out, err = d.cli("findings", "assign", rid, "li.na")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.by_id(d, "KW-REDIS-NOAUTH")["keepwatch.finding.department"], "安全部")
        self.assertEqual(d.cli("findings", "verify", sid, "--note", "looked")[0], 1)  # not fixed yet
        self.assertEqual(d.cli("findings", "accept", tid, "--reason", "x")[0], 2)     # no --until
        self.assertEqual(d.cli("findings", "fix", sid, "--note", "upgraded")[0], 0)
        self.assertEqual(d.cli("findings", "accept", tid, "--reason", "lab only", "--until", "+30d")[0], 0)
        self.assertEqual(self.by_id(d, "KW-TELNET-EXPOSED")["keepwatch.finding.status"], "accepted")
        rc, out, err = d.cli("findings", "show", sid, "--json")
        shown = json.loads(out)
        self.assertEqual([h["action"] for h in shown["keepwatch.finding.history"]][-1], "fix")
        self.assertEqual(shown["keepwatch.finding.evidence"], "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2")

        # the plan: only the active one (redis), li.na's
        rc, out, err = d.cli("findings", "plan")
        self.assertEqual(rc, 0, err)
        self.assertIn("Remediation plan: 1 finding to fix", out)
        self.assertIn("== li.na (安全部)", out)
        rc, out, err = d.cli("findings", "stats", "--json")
        stats = json.loads(out)
        self.assertEqual(stats["by_severity"]["critical"]["assigned"], 1)
        self.assertEqual(stats["by_severity"]["high"]["fixed"], 1)
        self.assertEqual(stats["by_severity"]["medium"]["accepted"], 1)
        self.assertEqual(stats["burndown"][-1]["found"], 3)

        # a malformed report: a clear error, exit 2, nothing of it stored
        bad = self.write("bad.csv", rows_csv([["CVE-2030-0001", "new one", "10.0.0.7", "99999", "tcp", "high", "",
                                               "", "", ""]]))
        rc, out, err = d.cli("findings", "import", bad)
        self.assertEqual(rc, 2)
        self.assertIn("nothing imported", err)
        self.assertEqual(self.listing(d, "--status", "all")["total"], 3)
        rc, out, err = d.cli("duty", "verify")
        self.assertEqual(rc, 0, out + err)

    def test_alerts_and_api(self):
        d = self.daemon(CONFIG)
        rc, out, err = d.cli("findings", "import", self.write("a.csv", rows_csv([REDIS, TELNET])))
        self.assertEqual(rc, 1, err)
        crit = d.wait_alert(lambda a: a["rule"] == "finding_critical" and a["state"] == "firing",
                            "finding_critical for the new critical finding")
        self.assertEqual(crit["labels"]["vulnerability"], "KW-REDIS-NOAUTH")
        self.assertEqual(crit["labels"]["asset"], "10.0.0.9")
        tel = self.by_id(d, "KW-TELNET-EXPOSED")
        tid = tel["keepwatch.finding.id"]
        self.assertEqual(tel["keepwatch.finding.department"], "运维部")
        # a deadline set by hand, already past: finding_overdue, labelled with the department
        self.assertEqual(d.cli("findings", "assign", str(tid), "zhang.wei", "--due", "2026-01-01")[0], 0)
        over = d.wait_alert(lambda a: a["rule"] == "finding_overdue" and a["state"] == "firing",
                            "finding_overdue for the past deadline")
        self.assertEqual((over["labels"]["finding"], over["labels"]["department"]), (tid, "运维部"))

        # the API: the list, one finding, a move refused then made
        status, body = d.get("/api/v1/findings?severity=critical")
        self.assertEqual((status, body["total"]), (200, 1), body)
        rid = body["findings"][0]["keepwatch.finding.id"]
        status, one = d.get(f"/api/v1/findings/{rid}")
        self.assertEqual(status, 200)
        self.assertEqual(one["keepwatch.finding.history"][0]["action"], "found")
        status, err = d.post(f"/api/v1/findings/{rid}/verify", {"note": "looked"})
        self.assertEqual(status, 409, err)
        status, after = d.post(f"/api/v1/findings/{rid}/fix", {"note": "requirepass set"})
        self.assertEqual(status, 200, after)
        self.assertEqual(after["keepwatch.finding.status"], "fixed")
        status, after = d.post(f"/api/v1/findings/{tid}/fix", {"note": "telnetd removed"})
        self.assertEqual(status, 200, after)
        self.assertEqual(d.get("/api/v1/findings?status=nonsense")[0], 400)
        self.assertEqual(d.get("/api/v1/findings/999999")[0], 404)
        status, plan = d.get("/api/v1/findings/plan")
        self.assertEqual((status, plan["total"]), (200, 0))
        # fixed: both alerts end
        for a in (crit, over):
            wait_for(f"{a['rule']} resolved", lambda a=a: [x for x in d.alerts() if x["id"] == a["id"]][0]["state"]
                     == "resolved")

    @unittest.skipUnless(shutil.which("nmap"), "nmap not installed (scripts/deps.sh test)")
    def test_nmap_rescan_verifies_and_reopens(self):
        """A real nmap -sT report of two listeners: each open port a finding on the asset `lo`;
        one fixed and its listener closed, the next nmap run (covering its port) verifies it;
        listening again, the run after reopens it."""
        d = self.daemon(CONFIG)
        ports = [free_port(), free_port()]
        socks = {}

        def listen(p):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", p))
            s.listen(4)
            socks[p] = s

        for p in ports:
            listen(p)
        self.addCleanup(lambda: [s.close() for s in socks.values()])

        def nmap_import(n):
            xml = os.path.join(self.tmp, f"scan{n}.xml")
            subprocess.run(["nmap", "-sT", "-Pn", "-n", "-p", ",".join(map(str, ports)), "-oX", xml, "127.0.0.1"],
                           check=True, capture_output=True, timeout=120)
            rc, out, err = d.cli("findings", "import", xml)
            self.assertIn(rc, (0, 1), err)
            return out

        out = nmap_import(1)
        self.assertIn("2 new", out)
        found = {f["destination.port"]: f for f in self.listing(d, "--scanner", "nmap")["findings"]}
        self.assertEqual(sorted(found), sorted(ports))
        self.assertEqual({f["keepwatch.finding.asset"] for f in found.values()}, {"lo"})
        fixed = found[ports[0]]["keepwatch.finding.id"]
        self.assertEqual(d.cli("findings", "fix", str(fixed))[0], 0)
        socks.pop(ports[0]).close()
        out = nmap_import(2)
        self.assertIn("1 verified", out)
        self.assertEqual(self.by_port(d, ports[0])["keepwatch.finding.status"], "verified")
        self.assertEqual(self.by_port(d, ports[1])["keepwatch.finding.status"], "open")
        listen(ports[0])
        out = nmap_import(3)
        self.assertIn("1 reopened", out)
        self.assertEqual(self.by_port(d, ports[0])["keepwatch.finding.status"], "reopened")

    def by_port(self, d, port):
        return next(f for f in self.listing(d, "--status", "all", "--scanner", "nmap")["findings"]
                    if f.get("destination.port") == port)


if __name__ == "__main__":
    unittest.main()
