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

    def test_filters(self):
        """Each host says its asset (by name, else by address), the asset's department and an
        agent's groups; the filters keep only those asked for, through the API and the CLI."""
        server = ("assets:\n"
                  "  - {name: db-01, addresses: [10.9.9.9], department: 数据库组}\n"
                  "  - {name: lo-net, addresses: [127.0.0.0/8], department: 运维部}\n"
                  "agent:\n  groups:\n    - {name: databases, members: ['db-*'], checks: []}\n"
                  "    - {name: web, members: ['web-*'], checks: []}\n")
        d, a = self.one_agent("db-01", server=server)
        rc, token, err = d.cli("agent", "token", "add", "--name", "web-07")
        self.assertEqual(rc, 0, err)
        a.start()
        wait_for("the agent's readings", lambda: "cpu_ratio" in self.hosts(d).get("db-01", {}), timeout=30)
        db = self.hosts(d)["db-01"]
        self.assertEqual((db.get("asset"), db.get("department"), db.get("groups")), ("db-01", "数据库组", ["databases"]))
        pending = self.hosts(d)["web-07"]
        self.assertEqual(pending.get("groups"), ["web"])
        self.assertNotIn("asset", pending)  # no address yet, no asset of its name
        # the agent's address (127.0.0.1) is not what makes db-01 its asset: its name is first
        def names(q):
            status, body = d.get("/api/v1/hosts?" + q)
            self.assertEqual(status, 200, body)
            return sorted(h["name"] for h in body["hosts"])
        self.assertEqual(names("group=databases"), ["db-01"])
        self.assertEqual(names("group=web"), ["web-07"])
        self.assertEqual(names("kind=agent&state=pending"), ["web-07"])
        self.assertEqual(names("department=%E6%95%B0%E6%8D%AE%E5%BA%93%E7%BB%84"), ["db-01"])
        self.assertEqual(names("asset=nothing"), [])
        self.assertEqual(len(names("kind=server")), 1)
        rc, out, err = d.cli("host", "list", "--department", "数据库组", "--json")
        self.assertEqual(rc, 0, err)
        self.assertEqual([h["name"] for h in json.loads(out)["hosts"]], ["db-01"])
        rc, out, err = d.cli("host", "list", "--group", "web")
        self.assertEqual(rc, 0, err)
        self.assertIn("web-07", out)
        self.assertNotIn("db-01", out)

    def test_host_list_without_daemon(self):
        d, a = self.one_agent("db-01")
        d.stop()
        time.sleep(0.2)
        rc, out, err = d.cli("host", "list")
        self.assertEqual(rc, 1)
        self.assertIn("is keepwatch serve running?", err)
