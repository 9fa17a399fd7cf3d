"""Triage over the API (the browser side is test_console_triage_e2e): 2,000 alerts of one
rule and asset are one group of 2,000, sorted by severity, expandable; a group is acknowledged
and assigned at once, each alert in its history and the duty log; the notifications an alert
caused; silences added, listed and expired, in the duty log; console.timezone; and
`alert list` saying how many it did not show."""
import json
import os
import socket

from kwtest import DaemonTest, Receiver, run, wait_for
from test_console import PW, SignIn, fetch



def triage_config(udp, hook_url, extra=""):
    return (f"host: {{enabled: false}}\n"
            f"people:\n  - {{name: wang.fang, display: 王芳}}\n  - {{name: zhang.wei, display: 张伟}}\n"
            f"assets:\n  - {{name: web, addresses: [10.0.0.9], business: 网上银行}}\n"
            f"logs:\n  inputs: [{{name: net, type: syslog, listen: \"127.0.0.1:{udp}\", protocol: udp}}]\n"
            f"  rules:\n"
            f"    - {{name: flood, match: {{message|contains: flood}}, count: 1, by: [host.hostname, message],"
            f" severity: critical, summary: \"flood {{message}}\"}}\n"
            f"    - {{name: probe, match: {{message|contains: probe}}, count: 1, by: [message], severity: high,"
            f" summary: \"probe {{message}}\"}}\n"
            f"    - {{name: note, match: {{message|contains: note}}, count: 1, by: [message], severity: low}}\n"
            f"notify:\n  group_wait: 0s\n"
            f"  channels: [{{name: hook, type: webhook, url: \"{hook_url}/hook\"}}]\n"
            f"  policies: [{{name: p, levels: [{{notify: [\"person:wang.fang\"], channels: [hook]}}]}}]\n"
            f"  routes: [{{match: {{rule: probe}}, policy: p}}]\n" + extra)


def send_lines(d, udp, lines, want):
    """Sends syslog lines in bursts the socket buffer holds, until `want` alerts are open."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for i, line in enumerate(lines):
            s.sendto(f"<13>Nov 24 10:00:00 web app: {line}".encode(), ("127.0.0.1", udp))
            if i % 250 == 249:
                n = i + 1
                wait_for(f"{n} alerts", lambda: d.get("/api/v1/alert-groups")[1]["alerts"] >= n, timeout=60)
    wait_for(f"{want} alerts", lambda: d.get("/api/v1/alert-groups")[1]["alerts"] >= want, timeout=60)


def free_udp():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Triage(SignIn):
    def setUp(self):
        self.r = Receiver()
        self.addCleanup(self.r.stop)

    def test_groups_bulk_notifications_silences(self):
        udp = free_udp()
        d = self.daemon(triage_config(udp, self.r.url))
        wait_for("the syslog input", lambda: d.get("/api/v1/logs")[1].get("inputs"))
        send_lines(d, udp, [f"flood number {i}" for i in range(2000)] + ["probe one", "probe two", "note x"], 2003)
        st, g = d.get("/api/v1/alert-groups")
        self.assertEqual(st, 200, g)
        self.assertEqual((g["alerts"], g["total_groups"]), (2003, 3))
        top = g["groups"][0]
        self.assertEqual((top["rule"], top["host"], top["severity_name"], top["count"], top["firing"]),
                         ("flood", "web", "critical", 2000, 2000))
        self.assertEqual(top["matchers"], {"rule": "flood", "host.hostname": "web"})
        self.assertEqual([x["rule"] for x in g["groups"]], ["flood", "probe", "note"])  # by severity
        self.assertEqual(g["groups"][1]["count"], 2)
        # the wall's triage: unacknowledged high and critical only
        st, w = d.get("/api/v1/alert-groups?state=firing&severity=high")
        self.assertEqual([(x["rule"], x["count"]) for x in w["groups"]], [("flood", 2000), ("probe", 2)])
        self.assertEqual(d.get("/api/v1/alert-groups?state=resolved")[0], 400)
        self.assertEqual(d.get("/api/v1/alert-groups?severity=urgent")[0], 400)
        # expand: a page of the group's alerts, newest first
        q = "/api/v1/alert-groups/alerts?key=" + __import__("urllib.parse").parse.quote(top["key"])
        st, m = d.get(q + "&limit=5")
        self.assertEqual((st, m["count"], len(m["alerts"])), (200, 2000, 5))
        self.assertEqual(m["alerts"][0]["summary"], "flood flood number 1999")
        self.assertTrue(all(a["rule"] == "flood" for a in m["alerts"]))
        st, m2 = d.get(q + "&limit=5&offset=1995")
        self.assertEqual([a["summary"] for a in m2["alerts"]][-1], "flood flood number 0")
        self.assertEqual(d.get("/api/v1/alert-groups/alerts")[0], 400)

        # bulk: a viewer may not; a member acknowledges the whole group
        vcookie, vcsrf = self.sign_in(d, "wall", "viewer")
        body = json.dumps({"key": top["key"], "note": "上游清洗中"})
        st, _, _ = fetch(d.port, "/api/v1/alert-groups/ack", vcookie, "POST", body, {"X-CSRF-Token": vcsrf})
        self.assertEqual(st, 403)
        cookie, csrf = self.sign_in(d, "zhang.wei", "member")
        st, _, _ = fetch(d.port, "/api/v1/alert-groups/ack", cookie, "POST", body)
        self.assertEqual(st, 403)  # no CSRF token
        st, _, raw = fetch(d.port, "/api/v1/alert-groups/ack", cookie, "POST", body, {"X-CSRF-Token": csrf})
        self.assertEqual((st, json.loads(raw)), (200, {"matched": 2000, "changed": 2000}), raw)
        st, w = d.get("/api/v1/alert-groups?state=firing&severity=high")
        self.assertEqual([x["rule"] for x in w["groups"]], ["probe"])
        a = d.get(f"/api/v1/alerts/{top['newest']}")[1]
        self.assertEqual((a["state"], a["acked_by"], a["ack_note"]), ("acked", "zhang.wei", "上游清洗中"))
        duty = d.get("/api/v1/duty?limit=1000")[1]
        acks = [e for e in duty["entries"] if e["kind"] == "alert.acknowledged"]
        self.assertEqual(len(acks), 1000)  # a page of the 2,000
        self.assertEqual({e["actor"] for e in acks}, {"zhang.wei"})
        self.assertTrue(duty["verify"]["intact"], duty["verify"])
        # again: nothing left to acknowledge
        st, _, raw = fetch(d.port, "/api/v1/alert-groups/ack", cookie, "POST", body, {"X-CSRF-Token": csrf})
        self.assertEqual(json.loads(raw), {"matched": 0, "changed": 0})
        # a member takes the group; giving it to someone else is an officer's
        give = json.dumps({"key": top["key"], "to": "wang.fang"})
        st, _, _ = fetch(d.port, "/api/v1/alert-groups/assign", cookie, "POST", give, {"X-CSRF-Token": csrf})
        self.assertEqual(st, 403)
        take = json.dumps({"key": top["key"], "to": "zhang.wei"})
        st, _, raw = fetch(d.port, "/api/v1/alert-groups/assign", cookie, "POST", take, {"X-CSRF-Token": csrf})
        self.assertEqual(json.loads(raw)["changed"], 2000)
        self.assertEqual(d.get("/api/v1/alert-groups")[1]["groups"][0]["assignee"], "zhang.wei")
        st, _, _ = fetch(d.port, "/api/v1/alert-groups/ack", cookie, "POST", "[1]", {"X-CSRF-Token": csrf})
        self.assertEqual(st, 400)

        # notifications: the probe alerts went to the webhook
        probe = next(x for x in g["groups"] if x["rule"] == "probe")
        wait_for("the webhook", lambda: self.r.got("/hook"))
        wait_for("the message sent", lambda: any(n["state"] == "sent" for n in
                                                 d.get(f"/api/v1/alerts/{probe['newest']}/notifications")[1]["notifications"]))
        n = d.get(f"/api/v1/alerts/{probe['newest']}/notifications")[1]
        sent = next(x for x in n["notifications"] if x["state"] == "sent")
        self.assertEqual((sent["channel"], sent["kind"], sent["level"], sent["people"]), ("hook", "firing", 1, "王芳"))
        self.assertIn("sent", sent)
        self.assertEqual(n["groups"][0]["policy"], "p")
        self.assertGreaterEqual(n["groups"][0]["level"], 1)
        floodn = d.get(f"/api/v1/alerts/{top['newest']}/notifications")[1]
        self.assertEqual((floodn["notifications"], floodn["acked_by"]), ([], "zhang.wei"))
        self.assertNotIn("acked_by", n)
        self.assertEqual(d.get("/api/v1/alerts/999999/notifications")[0], 404)

        # silences: officers add them with a reason, list and expire them
        ocookie, ocsrf = self.sign_in(d, "li.na", "officer")
        sil = {"matchers": probe["matchers"], "minutes": 120, "comment": "演练期间"}
        st, _, _ = fetch(d.port, "/api/v1/silences", cookie, "POST", json.dumps(sil), {"X-CSRF-Token": csrf})
        self.assertEqual(st, 403)
        for bad in ({**sil, "minutes": 0}, {**sil, "comment": ""}, {**sil, "matchers": {}},
                    {**sil, "matchers": {"severity|gt": "urgent"}}):
            st, _, raw = fetch(d.port, "/api/v1/silences", ocookie, "POST", json.dumps(bad), {"X-CSRF-Token": ocsrf})
            self.assertEqual(st, 400, (bad, raw))
        st, _, raw = fetch(d.port, "/api/v1/silences", ocookie, "POST", json.dumps(sil), {"X-CSRF-Token": ocsrf})
        self.assertEqual(st, 201, raw)
        sid = json.loads(raw)["id"]
        lst = d.get("/api/v1/silences")[1]["silences"]
        self.assertEqual([(x["id"], x["state"], x["by"], x["comment"], x["matchers"]) for x in lst],
                         [(sid, "active", "li.na", "演练期间", {"rule": "probe"})])
        rc, out, err = run("silence", "list", "--json", "-c", d.config_path)
        self.assertIn("演练期间", out)  # the CLI sees the console's silence
        one = {"matchers": {"id": str(probe["newest"])}, "minutes": 30, "comment": "只静默这一条"}  # the console's "this alert"
        st, _, raw = fetch(d.port, "/api/v1/silences", ocookie, "POST", json.dumps(one), {"X-CSRF-Token": ocsrf})
        self.assertEqual(st, 201, raw)
        sid1 = json.loads(raw)["id"]
        st, _, _ = fetch(d.port, f"/api/v1/silences/{sid1}", ocookie, "DELETE", None, {"X-CSRF-Token": ocsrf})
        self.assertEqual(st, 200)
        st, _, _ = fetch(d.port, f"/api/v1/silences/{sid}", ocookie, "DELETE", None, {"X-CSRF-Token": ocsrf})
        self.assertEqual(st, 200)
        self.assertEqual(d.get("/api/v1/silences")[1]["silences"], [])
        self.assertEqual([x["state"] for x in d.get("/api/v1/silences?all=1")[1]["silences"]], ["expired", "expired"])
        st, _, _ = fetch(d.port, f"/api/v1/silences/{sid}", ocookie, "DELETE", None, {"X-CSRF-Token": ocsrf})
        self.assertEqual(st, 404)
        kinds = [(e["kind"], e["actor"]) for e in d.get("/api/v1/duty?limit=20")[1]["entries"]]
        self.assertIn(("silence.added", "li.na"), kinds)
        self.assertIn(("silence.expired", "li.na"), kinds)

        # alert list says how many it did not show
        rc, out, err = run("alert", "list", "-c", d.config_path)
        self.assertEqual(rc, 0, err)
        self.assertIn("... 1,953 more; --limit N or --all", out)
        rc, out, err = run("alert", "list", "--limit", "2003", "-c", d.config_path)
        self.assertNotIn("more;", out)
        rc, out, err = run("alert", "list", "--all", "--state", "acked", "-c", d.config_path)
        self.assertEqual(len([l for l in out.splitlines() if " acked " in l]), 2000)
        self.assertNotIn("more;", out)
        rc, out, err = run("alert", "list", "--state", "firing", "--limit", "1", "-c", d.config_path)
        self.assertIn("... 2 more;", out)

    def test_console_timezone(self):
        d = self.daemon("host: {enabled: false}\nconsole: {timezone: Asia/Shanghai}\n")
        self.assertEqual(d.get("/api/v1/console")[1],
                         {"timezone": "Asia/Shanghai", "iana": True, "offset_minutes": 480, "abbreviation": "CST"})
        # no alerts: empty answers, not errors
        self.assertEqual(d.get("/api/v1/alert-groups")[1], {"alerts": 0, "total_groups": 0, "groups": []})
        self.assertEqual(d.get("/api/v1/alert-groups/alerts?key=a%1Fx%1F")[1], {"alerts": [], "count": 0})
        self.assertEqual(d.post("/api/v1/alert-groups/ack", {"key": "a\x1fx\x1f"})[1], {"matched": 0, "changed": 0})
        self.assertEqual(d.get("/api/v1/silences")[1], {"silences": []})
        d2 = self.daemon("host: {enabled: false}\nconsole: {timezone: \"-03:30\"}\n")
        self.assertEqual(d2.get("/api/v1/console")[1]["offset_minutes"], -210)
        for bad in ("Mars/Olympus", "../../etc/passwd", "+25:00"):
            cfg = os.path.join(d.dir, "bad.yaml")
            with open(cfg, "w") as f:
                f.write(f"console: {{timezone: \"{bad}\"}}\n")
            rc, out, err = run("config", "check", "-c", cfg)
            self.assertEqual(rc, 2, (bad, out, err))
            self.assertIn("timezone", err + out)


if __name__ == "__main__":
    import unittest
    unittest.main()
