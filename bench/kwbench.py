"""What the benchmark drivers share: ports, a keepwatch fed by a syslog/TCP input whose rule
makes one alert per failed SSH login source, and the storm of those logins; wrk's figures, and
Alertmanager holding the same alerts. With KW_BENCH_PIDS set, the pid of every process started
here is appended to that file (for a shell's trap to stop what an interrupted driver left)."""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request


def record_pid(pid):
    """Appends pid to $KW_BENCH_PIDS, when set."""
    path = os.environ.get("KW_BENCH_PIDS")
    if path:
        with open(path, "a") as f:
            f.write(f"{pid}\n")


def pids_forget():
    """Empties $KW_BENCH_PIDS: everything the driver started is stopped, nothing for the shell's trap."""
    try:
        open(os.environ["KW_BENCH_PIDS"], "w").close()
    except (KeyError, OSError):
        pass


def cpu_busy(seconds=1.0):
    """The share of the machine's CPU time busy over the next seconds (others' work, before ours)."""
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return v[3] + v[4], sum(v)  # idle + iowait, all
    i0, t0 = sample()
    time.sleep(seconds)
    i1, t1 = sample()
    return 1 - (i1 - i0) / max(t1 - t0, 1)


def table(rows):
    """rows (lists of strings, the first the header) in aligned columns, the first left-aligned."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip())


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ssh_storm_logs(tcp):
    """The logs section: a syslog/TCP input on tcp, one high alert per failed-login source."""
    return f"""logs:
  max_groups: 100000
  inputs: [{{name: net, type: syslog, listen: "127.0.0.1:{tcp}", protocol: tcp}}]
  rules:
    - {{name: ssh_fail, match: {{event.dataset: openssh, event.outcome: failure}}, count: 1, by: [source.ip],
       severity: high, end_after: 1h}}
"""


def ssh_storm(tcp, n, batch=500):
    """n failed SSH logins from n sources, sent over syslog/TCP in batches."""
    with socket.create_connection(("127.0.0.1", tcp)) as s:
        buf = []
        for i in range(n):
            ip = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
            buf.append(f"<38>Nov 24 10:00:00 web sshd[1]: Failed password for root from {ip} port 22 ssh2\n")
            if len(buf) == batch:
                s.sendall("".join(buf).encode())
                buf = []
        s.sendall("".join(buf).encode())


def start_keepwatch(binary, work, config, tcp, api):
    """Writes config to work/keepwatch.yaml, starts `keepwatch serve` and waits until port tcp
    takes connections and the API on port api says it has started (health 200, not 503
    "starting"). Returns (process, config path, log file)."""
    cfg = os.path.join(work, "keepwatch.yaml")
    with open(cfg, "w") as f:
        f.write(config)
    log = open(os.path.join(work, "serve.log"), "w")
    p = subprocess.Popen([binary, "serve", "-c", cfg], stdout=log, stderr=log)
    record_pid(p.pid)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", tcp), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{api}/api/v1/health", timeout=1).close()
            break
        except OSError:  # refused, or 503 while it starts (HTTPError is an OSError)
            time.sleep(0.1)
    return p, cfg, log


def start_alertmanager(binary, work, config):
    """Writes config to work/am.yml, starts Prometheus Alertmanager on a free loopback port
    (no cluster) and waits until it is ready. Returns (process, port)."""
    with open(os.path.join(work, "am.yml"), "w") as f:
        f.write(config)
    port = free_port()
    p = subprocess.Popen([binary, f"--config.file={work}/am.yml", f"--storage.path={work}/data",
                          f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    record_pid(p.pid)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    return p, port


def size(url, headers={}):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as r:
        return len(r.read())


def wrk(url, headers=(), script=None):
    cmd = ["wrk", "-t2", "-c64", "-d10s", "--latency"]
    for h in headers:
        cmd += ["-H", h]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=60).stdout
    m = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
    total, secs = int(m.group(1)), float(m.group(2)) / (1000 if m.group(3) == "ms" else 1)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)  # the latency distribution, not a "+/- Stdev" ending in 99%
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    bad = int(non2xx.group(1)) if non2xx else 0
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    bad += sum(int(x) for x in errors.groups()) if errors else 0
    return (total - (int(non2xx.group(1)) if non2xx else 0)) / secs, p99, bad  # answered with 2xx, per second


def alertmanager(n, status=True):
    """Alertmanager holding n alerts: prints GET /api/v2/alerts with wrk (and /api/v2/status
    unless not status) and returns the listing's answers/s (None: not installed)."""
    am = shutil.which("prometheus-alertmanager")
    if not am:
        print("alertmanager: not installed")
        return None
    work = tempfile.mkdtemp(prefix="kw-bench-am-")
    p, port = start_alertmanager(am, work, "route: {receiver: none}\nreceivers: [{name: none}]\n")
    try:
        for k in range(0, n, 1000):
            batch = [{"labels": {"alertname": "ssh_fail", "source_ip": f"10.0.{i >> 8 & 255}.{i & 255}"},
                      "annotations": {"summary": "failed SSH login"}} for i in range(k, min(k + 1000, n))]
            urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/api/v2/alerts",
                                                          data=json.dumps(batch).encode(),
                                                          headers={"Content-Type": "application/json"})).read()
        url = f"http://127.0.0.1:{port}/api/v2/alerts"
        kb = size(url) / 1024
        listing, p99, bad = wrk(url)
        print(f"alertmanager GET /api/v2/alerts (all {n:,} alerts, {kb:.0f} KiB: it has no paging): "
              f"{listing:,.0f} answers/s, p99 {p99}, {bad} errors or non-2xx (503 beyond its --web.get-concurrency, 8)")
        if status:
            rps, p99, bad = wrk(f"http://127.0.0.1:{port}/api/v2/status")
            print(f"alertmanager GET /api/v2/status (small JSON): {rps:,.0f} answers/s, p99 {p99}, {bad} errors or non-2xx")
        return listing
    finally:
        p.terminate()
        p.wait()
        shutil.rmtree(work, ignore_errors=True)
