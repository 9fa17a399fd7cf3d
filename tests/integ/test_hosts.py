"""The fleet: GET /api/v1/hosts and `keepwatch host list` show this server and an enrolled
agent with their readings and open alerts, the agent's state following it (up, then silent
when it stops; revoked), and refuse anyone without a token. A host's page: GET
/api/v1/hosts/NAME (what it is and its open alerts) and /api/v1/hosts/NAME/series (its
charts' history, bounded, hostile query strings refused), on SQLite and on PostgreSQL."""
import json
import time
import unittest
import urllib.parse

from kwtest import OnPostgres, wait_for
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
        # a host is its name in the fleet: no agent may be named like the server, in any case
        for name in (servers[0]["name"], servers[0]["name"].upper()):
            rc, out, err = d.cli("agent", "token", "add", "--name", name)
            self.assertEqual((rc, out), (2, ""), err)
            self.assertIn("is the name of a keepwatch server", err)
        self.assertNotIn(servers[0]["name"], {x["name"] for x in json.loads(d.cli("agent", "list", "--json")[1])})

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


class HostPage(AgentCase):
    """A server with its own host sensor and an agent whose check fails: each host's page."""

    def series(self, d, name, q="range=1h"):
        status, body = d.get(f"/api/v1/hosts/{name}/series?{q}")
        self.assertEqual(status, 200, body)
        return body

    def test_host_page(self):
        d, a = self.one_agent("web-01", host="host: {enabled: true, interval: 1s}\n")
        a.start()
        # a few seconds of each host's samples in the history, and the agent's alert
        wait_for("the agent's history", lambda: sum(len(x["points"]) for x in self.series(d, "web-01")["series"]
                                                    if x["name"] == "host_cpu_usage_ratio") >= 3, timeout=40)
        down = d.wait_alert(lambda x: x["rule"] == "service_down" and x["labels"].get("host") == "web-01",
                            "the agent's check down", timeout=30)

        # the agent's page: what it is, its open alerts (only its own)
        status, body = d.get("/api/v1/hosts/web-01")
        self.assertEqual(status, 200, body)
        host = body["host"]
        self.assertEqual((host["name"], host["kind"], host["state"]), ("web-01", "agent", "up"), host)
        self.assertIsInstance(host["agent_id"], int)
        self.assertIn("enrolled", host)
        self.assertIn("last_report", host)
        self.assertEqual(host["address"], "127.0.0.1")
        # the keepwatch it runs, as its batches' User-Agent says (keepwatch-agent/VERSION)
        version = d.get("/api/v1/health")[1]["version"]
        wait_for("the agent's version", lambda: d.get("/api/v1/hosts/web-01")[1]["host"].get("version") == version)
        rc, out, err = d.cli("agent", "list", "--json")
        self.assertEqual(json.loads(out)[0].get("version"), version, out)
        self.assertIn(down["id"], [x["id"] for x in body["alerts"]])
        self.assertTrue(all(x["labels"].get("host") == "web-01" and x["state"] in ("firing", "acked")
                            for x in body["alerts"]), body["alerts"])
        self.assertEqual(host["alerts"], len(body["alerts"]))

        # its charts: CPU, memory, each mount point, load, network, its own labels only
        s = self.series(d, "web-01")
        self.assertEqual((s["host"], s["kind"], s["truncated"]), ("web-01", "agent", False))
        self.assertEqual(s["to_ms"] - s["from_ms"], 3600000)
        self.assertEqual(s["step_ms"], 15000)  # an hour in 240 points
        names = {x["name"] for x in s["series"]}
        for want in ("host_cpu_usage_ratio", "host_memory_used_ratio", "host_filesystem_used_ratio", "host_load1",
                     "host_network_receive_bytes_per_second"):
            self.assertIn(want, names)
        self.assertTrue(all(x["labels"].get("host") == "web-01" for x in s["series"]), s["series"][:3])
        self.assertTrue(all(x["labels"].get("mountpoint") for x in s["series"] if x["name"] == "host_filesystem_used_ratio"))
        cpu = next(x for x in s["series"] if x["name"] == "host_cpu_usage_ratio")
        self.assertEqual(cpu["resolution"], "raw")
        for ts, avg, lo, hi in cpu["points"]:
            self.assertTrue(s["from_ms"] - 15000 <= ts <= s["to_ms"] and ts % 15000 == 0, ts)
            self.assertTrue(0 <= lo <= avg <= hi <= 1, (avg, lo, hi))
        # one metric, fewer points: buckets of six minutes, at most 11 in the hour
        one = self.series(d, "web-01", "range=1h&points=10&metric=host_cpu_usage_ratio")
        self.assertEqual({x["name"] for x in one["series"]}, {"host_cpu_usage_ratio"})
        self.assertEqual(one["step_ms"], 360000)
        self.assertLessEqual(len(one["series"][0]["points"]), 11)
        for r, hours in (("6h", 6), ("24h", 24), ("7d", 168)):
            x = self.series(d, "web-01", f"range={r}")
            self.assertEqual(x["to_ms"] - x["from_ms"], hours * 3600000)
            self.assertTrue(x["series"] and all(len(y["points"]) <= 241 for y in x["series"]))
        self.assertEqual(self.series(d, "web-01", "minutes=30&points=1000")["step_ms"], 1800)

        # this server's page: its own series, none of the agent's
        status, fleet = d.get("/api/v1/hosts?kind=server")
        me = urllib.parse.quote(fleet["hosts"][0]["name"])
        status, body = d.get(f"/api/v1/hosts/{me}")
        self.assertEqual(status, 200, body)
        self.assertEqual((body["host"]["kind"], body["host"].get("self")), ("server", True), body["host"])
        self.assertRegex(body["host"]["version"], r"^\d+\.\d+")
        self.assertNotIn(down["id"], [x["id"] for x in body["alerts"]])
        mine = wait_for("this server's history", lambda: [x for x in self.series(d, me)["series"]
                                                         if x["name"] == "host_cpu_usage_ratio" and x["points"]],
                        timeout=30)
        self.assertEqual(mine[0]["labels"], {})
        self.assertFalse([x for x in self.series(d, me)["series"] if "host" in x["labels"]])

        # what is refused: ranges, points and parameters not offered, names no host can have
        for q in ("range=2h", "range=", "points=5", "points=1001", "points=100000000000", "points=-1", "minutes=4",
                  "minutes=abc", "minutes=129601", "metric=nope", "metric=snmp_if_in_octets_per_second", "foo=1",
                  "range=1h%00x", "points=10%27%3B--", "range=1h&" + "x" * 3000 + "=1"):
            status, body = d.get(f"/api/v1/hosts/web-01/series?{q}")
            self.assertEqual(status, 400, (q, body))
            self.assertIn("error", body)
        for path in ("a%20b", "a%22b", "x" * 129, "a%2Fb", "%00", "web-01%0A", "%E4%B8%AD'%3B--"):
            status, body = d.get(f"/api/v1/hosts/{path}")
            self.assertIn(status, (400, 404), (path, body))
            self.assertNotIn("host", body if isinstance(body, dict) else {})
        self.assertEqual(d.get("/api/v1/hosts/" + "x" * 129)[0], 400)
        self.assertEqual(d.get("/api/v1/hosts/a%20b/series")[0], 400)
        self.assertEqual(d.get("/api/v1/hosts/nosuch")[0], 404)
        self.assertEqual(d.get("/api/v1/hosts/nosuch/series")[0], 404)
        self.assertEqual(d.get("/api/v1/hosts/web-01/other")[0], 404)
        self.assertEqual(d.get("/api/v1/hosts/web-01", auth=False)[0], 401)
        self.assertEqual(d.get("/api/v1/hosts/web-01/series", auth=False)[0], 401)
        self.assertEqual(d.request("DELETE", "/api/v1/hosts/web-01")[0], 405)


class HostPagePg(OnPostgres, HostPage):
    pass


if __name__ == "__main__":
    unittest.main()
