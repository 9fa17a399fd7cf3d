"""The host baseline through the agent: an agent runs `audit host` on its system root
(agent.packages_root, a root of its own with a weak sshd_config) every agent.audit_interval and
sends the results; the server records the failures as findings on the agent's host name; when
the agent's sshd_config is hardened the next results verify the fixed finding; when somebody
switches a setting back on, the server raises audit_drift (job "agent NAME") with the diff. A
malformed audit section is refused (400) and nothing of it recorded."""
import json
import os
import re

from kwtest import OnPostgres, wait_for
from test_agent import AgentCase, post_batch

WEAK = "PermitRootLogin yes\nPasswordAuthentication yes\nPermitEmptyPasswords no\n"
HARD = "PermitRootLogin no\nPasswordAuthentication no\nPermitEmptyPasswords no\n"


class AgentAudit(AgentCase):
    def findings(self, d):
        rc, out, err = d.cli("findings", "list", "--status", "all", "--json", "--scanner", "keepwatch-audit-host")
        self.assertIn(rc, (0, 1), err)
        return {f["vulnerability.id"]: f for f in json.loads(out)["findings"]}

    def write(self, path, text):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    def test_baseline_to_findings_and_drift(self):
        d, a = self.one_agent("web-01")
        root = os.path.join(a.dir, "root")
        sshd = os.path.join(root, "etc/ssh/sshd_config")
        self.write(sshd, WEAK)
        a.write_config(f", packages_interval: 0s, audit_interval: 1s, packages_root: '{root}'")
        a.start()
        root_login = wait_for("the root-login finding on web-01",
                              lambda: next((f for i, f in self.findings(d).items() if i.startswith("KW-SSH-ROOT")),
                                           None), timeout=30)
        self.assertEqual(root_login["keepwatch.finding.asset"], "web-01")
        self.assertEqual(root_login["file.path"], "/etc/ssh/sshd_config")
        self.assertEqual(root_login["keepwatch.finding.line"], 1)
        self.assertRegex(a.logs(), r"host audit spooled: \d+ results")
        self.assertRegex(d.logs(), r"agent web-01: host audit of \d+ results recorded")

        # hardened: the next results no longer fail, the fixed finding is verified
        self.assertEqual(d.cli("findings", "fix", str(root_login["keepwatch.finding.id"]))[0], 0)
        self.write(sshd, HARD)
        wait_for("verified", lambda: self.findings(d)[root_login["vulnerability.id"]]["keepwatch.finding.status"]
                 == "verified", timeout=30)
        # switched back on: drift on the server, with the diff
        self.write(sshd, WEAK)
        # (hardening was drift too: a change nobody announced, of lower severity)
        alert = d.wait_alert(lambda x: x["rule"] == "audit_drift" and x["labels"].get("job") == "agent web-01"
                             and re.search(r"[1-9]\d* checks? now failing", x["summary"]), "the drift alert",
                             timeout=30)
        self.assertEqual(alert["severity"], 3)
        self.assertRegex(alert["summary"], r"fail KW-SSH-ROOT\S* .*/etc/ssh/sshd_config:1 \(was pass\)")

    def test_malformed_audit_section_refused(self):
        d, a = self.one_agent("web-02")
        bad = {"seq": 1, "audit": {"kind": "host", "results": [{"id": "KW-X", "status": "maybe", "severity": 2,
                                                                "title_en": "x"}]}}
        status, body = post_batch(d.port, bad, credential=a.credential)
        self.assertEqual(status, 400, body)
        self.assertEqual(self.findings(d), {})


class AgentAuditPg(OnPostgres, AgentAudit):
    pass
