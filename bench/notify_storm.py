#!/usr/bin/env python3
"""An alert storm through keepwatch's notifications, and the same storm through Prometheus
Alertmanager (Debian's prometheus-alertmanager) when it is installed.

keepwatch: 10,000 failed SSH logins from 10,000 sources arrive over syslog/TCP within the
minute; a log rule (count 1, by source.ip) makes each an alert; one route groups them by rule
to a policy that tells a DingTalk robot (20 messages a minute, its real limit) and a webhook.
Both receivers are a local HTTP server. Printed: alerts/s from the first alert fired until
the notification engine had routed all of them, duty-log appends/s, the messages each
channel got, and the most the robot got in any 60 s.

Alertmanager: the same 10,000 alerts POSTed to /api/v2/alerts, grouped by alertname, to a
webhook: alerts/s taken in, and the time until the webhook had a message for all of them."""
import http.server
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from kwbench import free_port, ssh_storm, ssh_storm_logs, start_alertmanager, start_keepwatch

N = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
BIN = sys.argv[1]


class Rx:
    def __init__(self):
        self.got = []
        self.lock = threading.Lock()
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                with outer.lock:
                    outer.got.append((time.monotonic(), self.path.split("?")[0], body))
                out = b'{"errcode":0,"errmsg":"ok"}'
                self.send_response(200)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *a):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.srv.server_address[1]}"
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def on(self, path):
        with self.lock:
            return [g for g in self.got if g[1] == path]


def metric(port, token, name):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=5) as r:
        text = r.read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name):
            total += float(line.rsplit(" ", 1)[1])
    return total


def max_in_window(times, w):
    best = 0
    for i, t in enumerate(times):
        best = max(best, sum(1 for u in times[i:] if u - t < w))
    return best


def keepwatch():
    work = tempfile.mkdtemp(prefix="kw-bench-notify-")
    rx = Rx()
    http_port, tcp = free_port(), free_port()
    p, cfg, log = start_keepwatch(BIN, work, f"""daemon: {{state_dir: {work}/var, log_level: warn, user: ""}}
http: {{listen: 127.0.0.1:{http_port}}}
host: {{enabled: false}}
events: {{queue_size: 65536}}
people: [{{name: duty, display: 值班员, phone: "13800000000"}}]
schedules: [{{name: soc, layers: [{{name: all, rotation: daily, members: [duty]}}]}}]
notify:
  group_wait: 5s
  group_interval: 10s
  channels:
    - {{name: ding, type: dingtalk, url: "{rx.url}/ding", secret: SECbench}}
    - {{name: hook, type: webhook, url: "{rx.url}/hook"}}
  policies:
    - {{name: soc, levels: [{{notify: ["schedule:soc"], channels: [ding, hook], escalate_after: 10m}}]}}
  routes:
    - {{match: {{rule: ssh_fail}}, policy: soc, group_by: [rule]}}
""" + ssh_storm_logs(tcp), tcp, http_port)
    try:
        token = open(os.path.join(work, "var", "api.token")).read().strip()
        t0 = time.monotonic()
        ssh_storm(tcp, N)
        sent = time.monotonic() - t0
        # the store says when every alert is in a notification group (read-only, beside the daemon)
        db = sqlite3.connect(f"file:{work}/var/keepwatch.db?mode=ro", uri=True, timeout=10)
        deadline = time.monotonic() + 120
        first = None
        while time.monotonic() < deadline:
            fired = db.execute("SELECT count(*) FROM alerts").fetchone()[0]
            if fired and first is None:
                first = time.monotonic()
            if db.execute("SELECT count(*) FROM notify_members").fetchone()[0] >= N:
                break
            time.sleep(0.02)
        routed_at = time.monotonic()
        db.close()
        time.sleep(11)  # the last group interval
        rc = subprocess.run([BIN, "duty", "export", "--format", "json", "-c", cfg], capture_output=True, text=True)
        rows = [json.loads(x) for x in rc.stdout.splitlines()]
        fired = [r for r in rows if r["kind"] == "alert.fired"]
        ts = lambda r: time.mktime(time.strptime(r["@timestamp"][:19], "%Y-%m-%dT%H:%M:%S")) + \
            int(r["@timestamp"][20:23]) / 1000
        span = ts(fired[-1]) - ts(fired[0]) if len(fired) > 1 else 0
        ding, hook = rx.on("/ding"), rx.on("/hook")
        told = set()
        for _, _, b in hook:
            m = json.loads(b)
            told.update(a["id"] for a in m["alerts"])
            told.add(("more", m.get("more", 0)))
        time.sleep(5)  # the thread publishes its counters every 5 s
        routed = metric(http_port, token, "keepwatch_notify_alert_changes_total")
        print(f"keepwatch: {N} alerts sent in {sent:.1f}s over syslog/TCP; {len(fired)} fired, {int(routed)} routed")
        print(f"  alerts/s through routing (first alert in the store .. all {N} in notification groups): "
              f"{N / max(routed_at - first, 1e-9):,.0f} ({routed_at - t0:.2f}s from the first line sent)")
        print(f"  duty-log appends/s (alert.fired entries, first .. last): "
              f"{(len(fired) - 1) / span if span else float('nan'):,.0f}")
        full = next((t for t, _, b in hook if len(json.loads(b)["alerts"]) + json.loads(b).get("more", 0) >= N), None)
        print(f"  a webhook message counting all {N} after " + (f"{full - t0:.1f}s" if full else "never") +
              " (group_wait 5s)")
        print(f"  messages: dingtalk {len(ding)} (most in any 60 s: {max_in_window([g[0] for g in ding], 60)}, "
              f"limit 20), webhook {len(hook)}; duty log verify: "
              f"{'ok' if subprocess.run([BIN, 'duty', 'verify', '-c', cfg], capture_output=True).returncode == 0 else 'BROKEN'}")
    finally:
        p.terminate()
        p.wait()
        log.close()
        rx.srv.shutdown()
        shutil.rmtree(work, ignore_errors=True)


def alertmanager():
    am = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    if not am:
        print("alertmanager: not installed (apt-get install prometheus-alertmanager)")
        return
    work = tempfile.mkdtemp(prefix="kw-bench-am-")
    rx = Rx()
    p, port = start_alertmanager(am, work, f"""route:
  receiver: hook
  group_by: [alertname]
  group_wait: 5s
  group_interval: 10s
receivers:
  - name: hook
    webhook_configs: [{{url: "{rx.url}/am", max_alerts: 0}}]
""")
    try:
        t0 = time.monotonic()
        for k in range(0, N, 500):
            batch = [{"labels": {"alertname": "ssh_fail", "source_ip": f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}",
                                 "severity": "high"}, "annotations": {"summary": "failed SSH login"}}
                     for i in range(k, min(N, k + 500))]
            req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v2/alerts", data=json.dumps(batch).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
            urllib.request.urlopen(req, timeout=30).read()
        took = time.monotonic() - t0
        deadline = time.monotonic() + 60
        done = None
        while time.monotonic() < deadline and done is None:
            for t, _, b in rx.on("/am"):
                if len(json.loads(b)["alerts"]) >= N:
                    done = t
            time.sleep(0.2)
        print(f"alertmanager: {N} alerts POSTed in {took:.1f}s: {N / took:,.0f} alerts/s taken in; "
              f"a message with all of them after {('%.1fs' % (done - t0)) if done else 'more than 60s'}; "
              f"{len(rx.on('/am'))} webhook messages; no duty log, no rate limit")
    finally:
        p.terminate()
        p.wait()
        rx.srv.shutdown()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    keepwatch()
    alertmanager()
