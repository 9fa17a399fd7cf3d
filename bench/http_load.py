#!/usr/bin/env python3
"""Driver for bench/http.sh: fills a store with 10,000 alerts through the real pipeline (a
syslog storm), then measures the API with wrk and the overview page in Chromium, and the
same listing on Alertmanager."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

from kwbench import alertmanager, free_port, size, ssh_storm, ssh_storm_logs, start_keepwatch, wrk

BIN = sys.argv[1]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = 10000
PW = "correct horse battery"


def keepwatch():
    work = tempfile.mkdtemp(prefix="kw-bench-http-")
    port, tcp = free_port(), free_port()
    p, cfg, log = start_keepwatch(BIN, work, f"""daemon: {{state_dir: {work}/var, log_level: warn, user: ""}}
http: {{listen: 127.0.0.1:{port}, threads: 2}}
host: {{enabled: false}}
events: {{queue_size: 65536}}
assets: [{{name: portal, addresses: [10.0.0.0/8], business: 网上银行}}]
""" + ssh_storm_logs(tcp), tcp, port)
    try:
        ssh_storm(tcp, N)
        token = open(os.path.join(work, "var", "api.token")).read().strip()
        auth = {"Authorization": f"Bearer {token}"}

        def count():
            req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/health", headers=auth)
            return json.load(urllib.request.urlopen(req))["alerts"]["firing"]
        deadline = time.time() + 120
        while count() < N and time.time() < deadline:
            time.sleep(0.5)
        url = f"http://127.0.0.1:{port}/api/v1/alerts"
        kb = size(url, auth) / 1024
        rps, p99, bad = wrk(url, [f"Authorization: Bearer {token}"])
        print(f"keepwatch GET /api/v1/alerts (the newest 100 of {count():,} alerts, {kb:.0f} KiB of JSON): "
              f"{rps:,.0f} answers/s, p99 {p99}, {bad} errors or non-2xx")
        # every request a different page (?before=random id): no answer comes from the cache
        lua = os.path.join(work, "pages.lua")
        with open(lua, "w") as f:
            f.write('request = function() return wrk.format(nil, "/api/v1/alerts?before=" .. math.random(200, %d)) end\n' % N)
        rps, p99, bad = wrk(url, [f"Authorization: Bearer {token}"], lua)
        print(f"keepwatch GET /api/v1/alerts?before=RANDOM (every answer built from the store): "
              f"{rps:,.0f} answers/s, p99 {p99}, {bad} errors or non-2xx")
        subprocess.run([BIN, "user", "add", "bench", "--role", "viewer", "--password-stdin", "-c", cfg],
                       input=PW + "\n", text=True, check=True, capture_output=True)
        node = subprocess.run(["node", os.path.join(ROOT, "bench", "overview_ready.mjs")], capture_output=True,
                              text=True, timeout=120,
                              env=dict(os.environ, KW_URL=f"http://127.0.0.1:{port}", KW_PASS=PW,
                                       KW_CONSOLE_DIR=os.path.join(ROOT, "console"),
                                       KW_CHROMIUM=shutil.which("chromium") or "/usr/bin/chromium"))
        print(node.stdout.strip() or node.stderr.strip())
    finally:
        p.terminate()
        p.wait()
        log.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    keepwatch()
    alertmanager(N)
