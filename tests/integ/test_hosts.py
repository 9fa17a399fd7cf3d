"""The fleet: GET /api/v1/hosts and `keepwatch host list` show this server and an enrolled
agent with their readings and open alerts, the agent's state following it (up, then silent
when it stops; revoked), and refuse anyone without a token."""
import json
import time

from kwtest import wait_for
from test_agent import AgentCase


class FleetTest(AgentCase):
    def hosts(self, d):
        status, body = d.get("/api/v1/hosts")
        self.assertEqual(status, 200, body)
        return {h["name"]: h for h in body["hosts"]}

    def test_server_and_agent(self):
        d, a = self.one_agent("web-01", server="agent: {silent_after: 3s}\n")
        a.start()
        wait_for("the agent's readings", lambda: "cpu_ratio" in self.hosts(d).get("web-01", {}), timeout=30)
        # its check's port is closed: service_down on the agent's host counts as its alert
        wait_for("the agent's alert counted", lambda: self.hosts(d)["web-01"]["alerts"] >= 1, timeout=30)
        hosts = self.hosts(d)
        agent = hosts["web-01"]
        self.assertEqual((agent["kind"], agent["state"]), ("agent", "up"))
        self.assertTrue(0 <= agent["cpu_ratio"] <= 1 and 0 < agent["memory_ratio"] < 1, agent)
        self.assertTrue(0 < agent["disk_ratio"] <= 1, agent)
        self.assertIn("last_report", agent)
        servers = [h for h in hosts.values() if h["kind"] == "server"]
        self.assertEqual(len(servers), 1, hosts)
        self.assertEqual(servers[0]["state"], "up")
        self.assertEqual(d.get("/api/v1/hosts", auth=False)[0], 401)

        # the CLI asks the daemon the same
        rc, out, err = d.cli("host", "list", "--json")
        self.assertEqual(rc, 0, err)
        self.assertIn("web-01", {h["name"] for h in json.loads(out)["hosts"]})
        rc, out, err = d.cli("host", "list")
        self.assertEqual(rc, 0, err)
        line = next(x for x in out.splitlines() if x.startswith("web-01"))
        self.assertIn("agent", line)
        self.assertIn("%", line)

        a.stop()
        wait_for("the agent silent", lambda: self.hosts(d)["web-01"]["state"] == "silent", timeout=30)
        self.assertEqual(d.cli("agent", "revoke", "web-01")[0], 0)
        self.assertEqual(self.hosts(d)["web-01"]["state"], "revoked")

    def test_host_list_without_daemon(self):
        d, a = self.one_agent("db-01")
        d.stop()
        time.sleep(0.2)
        rc, out, err = d.cli("host", "list")
        self.assertEqual(rc, 1)
        self.assertIn("is keepwatch serve running?", err)
