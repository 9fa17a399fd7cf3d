"""Several servers on one PostgreSQL: one leads (notify runs there only), another takes over
within 10 s when the leader is SIGKILLed, and the webhook receiver gets every message exactly
once; the alerts of the dead server are resolved by the new leader once it is gone for
alerts.stale_after. A throwaway cluster (pgserver.py) and a local HTTP receiver."""
import json
import signal
import subprocess
import time
import unittest

from kwtest import BIN, Daemon, Listener, Receiver, free_port, wait_for
from pgserver import PgServer, bindir

ORG = """people:
  - {name: wang.fang, display: 王芳, phone: "13800000001"}
"""


def server_config(name, url, receiver, ports):
    checks = "".join(f"  - {{name: {name}-{i}, type: tcp, host: 127.0.0.1, port: {p}, interval: 1s, timeout: 300ms}}\n"
                     for i, p in enumerate(ports))
    return f"""store: {{url: "{url}"}}
host: {{enabled: false}}
alerts: {{stale_after: 10s}}
checks:
{checks}{ORG}notify:
  group_wait: 0s
  channels:
    - {{name: hook, type: webhook, url: "{receiver.url}/hook"}}
  policies:
    - {{name: p, levels: [{{notify: ["person:wang.fang"], channels: [hook]}}]}}
  routes:
    - {{policy: p, group_by: [check]}}
"""


@unittest.skipUnless(bindir(), "PostgreSQL server not installed (scripts/deps.sh test)")
class Takeover(unittest.TestCase):
    def setUp(self):
        self.pg = PgServer().start()
        self.addCleanup(self.pg.stop)
        self.r = Receiver()
        self.addCleanup(self.r.stop)
        self.daemons = {}

    def start(self, name, ports, keys=None):
        """keys: the state dir whose duty keys this server shares (servers on one store sign one log)."""
        cfg = server_config(name, self.pg.url, self.r, ports)
        if keys:
            cfg += f"duty: {{key_file: {keys}/duty.key, sign_key_file: {keys}/duty_sign.key}}\n"
        d = Daemon(cfg, daemon_extra=f"name: {name}")
        self.addCleanup(d.cleanup)
        self.addCleanup(lambda: self._dump(d, name))
        self.daemons[name] = d
        return d.start()

    def _dump(self, d, name):
        outcome = getattr(self, "_outcome", None)
        result = getattr(outcome, "result", None)
        bad = getattr(result, "errors", []) + getattr(result, "failures", [])
        if any(t is self for t, _ in bad):
            print(f"\n--- serve.log of {name} ---\n{d.logs()[-5000:]}")

    def health(self, d):
        status, body = d.get("/api/v1/health")
        return body if status == 200 else {}

    def messages(self):
        return [json.loads(q["body"]) for q in self.r.got("/hook")]

    def test_takeover_sends_everything_once(self):
        a = self.start("a", [free_port() for _ in range(3)])
        wait_for("a to lead", lambda: self.health(a).get("leader") is True)
        b_ports = [free_port() for _ in range(3)]
        b = self.start("b", b_ports, keys=f"{a.dir}/var")
        time.sleep(1.5)
        hb = self.health(b)
        self.assertEqual((hb.get("server"), hb.get("leader"), hb.get("leader_server"), hb.get("shared_store")),
                         ("b", False, "a", True))
        self.assertIn('keepwatch_leader{server="b"} 0', b.get("/metrics")[1])
        self.assertIn('keepwatch_leader{server="a"} 1', a.get("/metrics")[1])

        # each server's own three checks fail: six alerts, each its server's, all sent by a
        wait_for("six alerts", lambda: len(a.alerts(state="firing")) == 6, timeout=30)
        self.assertEqual(sorted(x.get("server") for x in a.alerts()), ["a"] * 3 + ["b"] * 3)
        wait_for("six messages", lambda: len(self.messages()) >= 6, timeout=30)

        # two of b's checks recover just as a is killed: their resolutions are queued or due
        listeners = [Listener(p) for p in b_ports[:2]]
        for x in listeners:
            x.start()
            self.addCleanup(x.stop)
        time.sleep(0.8)
        a.proc.send_signal(signal.SIGKILL)
        a.proc.wait()
        a.log.close()
        killed = time.monotonic()
        wait_for("b to take over", lambda: self.health(b).get("leader") is True, timeout=15)
        took = time.monotonic() - killed
        self.assertLess(took, 10.0, f"takeover took {took:.1f} s")
        print(f"\n    takeover after SIGKILL: {took:.1f} s", flush=True)
        self.assertIn('keepwatch_leader{server="b"} 1', b.get("/metrics")[1])

        # the resolutions of b's two checks arrive (sent by a before it died, or by b after)
        def resolved_checks():
            return {al["labels"]["check"] for m in self.messages() if m.get("kind") == "resolved"
                    for al in m.get("alerts", [])}
        wait_for("the two resolutions", lambda: {"b-0", "b-1"} <= resolved_checks(), timeout=40)

        # a is gone: after alerts.stale_after the new leader resolves a's three alerts
        wait_for("a's alerts resolved as gone", lambda: all(
            x["state"] == "resolved" for x in b.alerts() if x.get("server") == "a"), timeout=60)
        gone = [x for x in b.alerts() if x.get("server") == "a"]
        self.assertEqual(len(gone), 3)
        self.assertTrue(all("its server a stopped reporting" in (x.get("resolve_reason") or "") for x in gone), gone)

        # every message is in the receiver exactly once, and nothing is left in the outbox
        def settled():
            out = self.pg.psql("SELECT state, count(*) FROM notify_outbox GROUP BY state ORDER BY state",
                               database="kwtest")
            return "pending" not in out
        wait_for("the outbox to drain", settled, timeout=60)
        time.sleep(1.0)
        ids = [m["id"] for m in self.messages()]
        self.assertEqual(len(ids), len(set(ids)), f"a message came twice: {sorted(ids)}")
        sent = int(self.pg.psql("SELECT count(*) FROM notify_outbox WHERE state = 'sent'", database="kwtest"))
        self.assertEqual(sent, len(set(ids)))
        fired = [al["labels"]["check"] for m in self.messages() if m.get("kind") == "firing"
                 for al in m.get("alerts", [])]
        self.assertEqual(sorted(set(fired)), ["a-0", "a-1", "a-2", "b-0", "b-1", "b-2"])


@unittest.skipUnless(bindir(), "PostgreSQL server not installed (scripts/deps.sh test)")
class Outage(unittest.TestCase):
    def _dump(self, d):
        result = getattr(getattr(self, "_outcome", None), "result", None)
        if any(t is self for t, _ in getattr(result, "errors", []) + getattr(result, "failures", [])):
            print(f"\n--- serve.log ---\n{d.logs()[-5000:]}")

    """PostgreSQL stopped for 20 s while a check fails and recovers: the alert changes wait in
    memory and are written when it is back, its fired and resolved history complete; and a
    store that cannot be reached at start is a clear error naming the URL, password masked."""

    def test_unreachable_at_start(self):
        port = free_port()
        url = f"postgresql://kw:hunter2secret@127.0.0.1:{port}/kw"
        d = Daemon(f'store: {{url: "{url}"}}\nhost: {{enabled: false}}\n')
        self.addCleanup(d.cleanup)
        with open(d.log_path, "a") as log:
            p = subprocess.run([BIN, "serve", "-c", d.config_path], stdout=log, stderr=log, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        out = d.logs()
        self.assertIn(f"postgresql://kw:***@127.0.0.1:{port}/kw", out)
        self.assertIn("store:", out)
        self.assertNotIn("hunter2secret", out)

    def test_outage_keeps_the_history(self):
        pg = PgServer().start()
        self.addCleanup(pg.stop)
        port = free_port()
        d = Daemon(f"""store: {{url: "{pg.url}"}}
host: {{enabled: false}}
checks:
  - {{name: web, type: tcp, host: 127.0.0.1, port: {port}, interval: 1s, timeout: 300ms}}
""")
        self.addCleanup(d.cleanup)
        self.addCleanup(lambda: self._dump(d))
        lst = Listener(port)
        lst.start()
        self.addCleanup(lst.stop)
        d.start()
        time.sleep(2.5)
        self.assertEqual([a for a in d.alerts() if a["rule"] == "service_down"], [])
        pg.pause()
        stopped = time.monotonic()
        lst.stop()  # the check fails while the store is away...
        time.sleep(6)
        lst = Listener(port)
        lst.start()  # ...and recovers
        self.addCleanup(lst.stop)
        time.sleep(max(0.0, 20 - (time.monotonic() - stopped)))
        _, away = d.get("/metrics")
        self.assertIn("keepwatch_store_up 0", away)
        st, err = d.get("/api/v1/alerts")
        self.assertEqual(st, 503, err)  # away for now, not broken: ask again later
        pg.resume()
        back = time.monotonic()
        wait_for("the daemon's history of the outage in the store", lambda: any(
            a["rule"] == "service_down" and a["state"] == "resolved" for a in d.alerts()), timeout=30)
        self.assertLess(time.monotonic() - back, 12, "written within the longest backoff (8 s) after the store is back")
        al = min((a for a in d.alerts() if a["rule"] == "service_down"), key=lambda a: a["id"])
        st, one = d.get(f"/api/v1/alerts/{al['id']}")
        self.assertEqual(st, 200, one)
        actions = [h["action"] for h in one["history"]]
        self.assertEqual(actions[:1], ["fired"], actions)
        self.assertIn("resolved", actions, d.logs()[-4000:])
        logs = d.logs()
        self.assertIn("unreachable", logs)
        self.assertIn("reachable again", logs)
        wait_for("the metrics to say the store is back", lambda: all(
            x in d.get("/metrics")[1] for x in ("keepwatch_store_up 1", "keepwatch_store_backlog 0")), timeout=20)


if __name__ == "__main__":
    unittest.main()
