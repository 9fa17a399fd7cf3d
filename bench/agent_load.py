#!/usr/bin/env python3
"""Driver for bench/agent.sh (issue 15): agents' fan-in into one server on SQLite and on
PostgreSQL, and the agent's own footprint beside monit, node_exporter and zabbix_agentd.

Fan-in: simulated agents (enrolled through the real path: `keepwatch agent token add`, then
POST /api/v1/agent/enroll) each send a batch of SAMPLES samples every INTERVAL seconds
(gzip, kept-alive connections, WORKERS threads). A run is WARM s (the server's series cache
filling, not counted) then MEASURE s whose batches are counted: answered 200, and stored: a
poller reads the store itself (SQLite read-only, PostgreSQL through psql) every POLL_MS for
each batch's probe sample (host_cpu_usage_ratio{host=NAME} at the batch's time), so "stored"
is committed and visible, not merely answered. Held: every counted batch answered and stored,
99% of them within 2 s of being sent, the client sent at least 95% of what it meant to, and
the server under one core (utime + stime from /proc/PID/stat over the counted window).
Each backend tries the target (2,000 agents), then up or down (at most MAX_AGENTS, 3 runs),
one server per backend, its core's queue empty before each run (/metrics: queue_length).

Footprint: `keepwatch agent run` (host sensor and batches every 5 s, to its own server), twice:
over HTTP and over HTTPS (the server's http.tls_cert, a self-signed certificate the agent
verifies with agent.ca_file),
monit (set daemon 5: system and root filesystem), prometheus-node-exporter (its defaults,
scraped every 5 s here) and zabbix_agentd (passive checks polled every 5 s here, the host
items keepwatch's sensor reads), side by side over FOOT_SECONDS after a warm-up: CPU of each
process tree (utime+stime+cutime+cstime), its peak RSS (VmHWM) and the tree's peak RSS
(VmRSS summed, sampled every 5 s). The scrapers' own cost is not counted.

Everything runs on 127.0.0.1; each process started here is recorded ($KW_BENCH_PIDS) and
stopped by its pid.

    agent_load.py KEEPWATCH [--only fanin|footprint] [--backends sqlite,postgresql]
"""
import argparse
import gzip
import heapq
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integ"))
from kwbench import cpu_busy, free_port, pids_forget, record_pid, table  # noqa: E402
from pgserver import PgServer  # noqa: E402

INTERVAL, SAMPLES, WORKERS = 5.0, 100, 48
WARM, MEASURE, DRAIN, IDLE_MAX = 10.0, 15.0, 6.0, 20.0
TARGET, MAX_AGENTS = 2000, 4000
STORED_WITHIN, POLL_MS = 2.0, 200
FOOT_WARM, FOOT_SECONDS = 5, 60
FOOT_CPU_TARGET, FOOT_RSS_TARGET = 0.5, 16.0
PROBE = "host_cpu_usage_ratio"
HZ = os.sysconf("SC_CLK_TCK")


class BenchError(Exception):
    """A part that could not be measured; its text says why (no password in it)."""


def on_term(signum, frame):
    raise SystemExit(128 + signum)  # so that every finally stops what it started


# ---- /proc ----

def tree_pids(pid):
    """pid and all its descendants (those alive now)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


def ticks(pid, tree=True):
    """CPU ticks of pid (utime+stime, and with tree its children's, reaped or alive)."""
    total = 0
    for p in tree_pids(pid) if tree else [pid]:
        try:
            with open(f"/proc/{p}/stat") as f:
                v = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone between listing and reading
        total += int(v[11]) + int(v[12]) + ((int(v[13]) + int(v[14])) if tree else 0)
    return total


def status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(pid):
    return sum(status_kb(p, "VmRSS") for p in tree_pids(pid))


class Watch:
    """CPU (% of one core) of a process (tree) between start() and stop(), its peak RSS."""

    def __init__(self, pid, tree=True):
        self.pid, self.tree, self.peak_tree = pid, tree, 0

    def start(self):
        self.t0, self.c0 = time.monotonic(), ticks(self.pid, self.tree)

    def sample(self):
        self.peak_tree = max(self.peak_tree, tree_rss_kb(self.pid) if self.tree else status_kb(self.pid, "VmRSS"))

    def stop(self):
        self.sample()
        secs = time.monotonic() - self.t0
        self.cpu = 100.0 * (ticks(self.pid, self.tree) - self.c0) / HZ / secs
        self.hwm = status_kb(self.pid, "VmHWM") / 1024
        self.peak_tree /= 1024
        return self


def spawn(cmd, log, **kw):
    p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, **kw)
    record_pid(p.pid)
    return p


def stop(p, timeout=10):
    if p and p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def wait_port(port, p, secs=15):
    end = time.monotonic() + secs
    while time.monotonic() < end and p.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


# ---- a keepwatch server ----

class Server:
    """`keepwatch serve` on work/var (SQLite) or url (PostgreSQL), its agents enrolled as sim-N."""

    def __init__(self, binary, work, url=None, secret="", tls=None):
        self.bin, self.work, self.url, self.secret = binary, work, url, secret
        self.port, self.p, self.creds = free_port(), None, []
        self.scheme = "https" if tls else "http"
        os.makedirs(work, exist_ok=True)
        self.cfg = os.path.join(work, "server.yaml")
        https = f", tls_cert: {tls[0]}, tls_key: {tls[1]}" if tls else ""
        with open(self.cfg, "w") as f:
            f.write(f"""daemon: {{state_dir: {work}/var, log_level: warn, user: ""}}
http: {{listen: 127.0.0.1:{self.port}, threads: 4, per_address: 256{https}}}
host: {{enabled: false}}
agent: {{silent_after: 1h}}
""" + (f'store: {{url: "{url}"}}\n' if url else ""))

    def start(self):
        self.log = open(os.path.join(self.work, "serve.log"), "a")
        self.p = spawn([self.bin, "serve", "-c", self.cfg], self.log)
        if not wait_port(self.port, self.p):
            raise BenchError(f"keepwatch serve did not start: {self.log_tail()}")

    def stop(self):
        stop(self.p)
        self.p = None

    def log_tail(self):
        with open(os.path.join(self.work, "serve.log")) as f:
            lines = [x for x in f.read().strip().splitlines() if x.strip()]
        why = lines[-1] if lines else "no output"
        return why.replace(self.secret, "***") if self.secret else why

    def queue_len(self):
        """The core's queue length from /metrics (None: not read)."""
        import urllib.request
        try:
            with open(os.path.join(self.work, "var", "api.token")) as f:
                tok = f.read().strip()
            req = urllib.request.Request(f"http://127.0.0.1:{self.port}/metrics",
                                         headers={"Authorization": f"Bearer {tok}"})
            with urllib.request.urlopen(req, timeout=5) as r:
                m = re.search(r'^keepwatch_queue_length\{queue="sensors"\} (\S+)', r.read().decode(), re.M)
            return float(m.group(1)) if m else None
        except OSError:
            return None

    def idle(self, secs):
        """Waits (at most secs) until the core's queue is empty: what the last run left is in."""
        end = time.monotonic() + secs
        while time.monotonic() < end:
            if self.queue_len() == 0:
                return True
            time.sleep(0.5)
        return False

    def token(self, name):
        r = subprocess.run([self.bin, "agent", "token", "add", "--name", name, "-c", self.cfg],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            why = r.stderr.strip().splitlines()[-1:] or [f"exit {r.returncode}"]
            raise BenchError(f"agent token add: {why[0].replace(self.secret, '***') if self.secret else why[0]}")
        return r.stdout.strip()

    def enroll(self, n):
        """Enrols agents until there are n (tokens made two at a time: the machine has 2 cores)."""
        first = len(self.creds)
        if n <= first:
            return 0.0
        t0 = time.monotonic()
        with ThreadPoolExecutor(2) as ex:
            tokens = list(ex.map(self.token, [f"sim-{i}" for i in range(first, n)]))
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        for tok in tokens:
            conn.request("POST", "/api/v1/agent/enroll", json.dumps({"token": tok}),
                         {"Content-Type": "application/json"})
            r = conn.getresponse()
            body = r.read()
            if r.status != 200:
                raise BenchError(f"enrolment answered {r.status}: {body[:200]!r}")
            self.creds.append(json.loads(body)["credential"])
        conn.close()
        return time.monotonic() - t0


# ---- the store, read while the server writes it ----

class SqliteReader:
    def __init__(self, path):
        import sqlite3
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5, check_same_thread=False)

    def rows(self, sql):
        return self.db.execute(sql).fetchall()

    def close(self):
        self.db.close()


class PsqlReader:
    """One psql kept open: a query's rows (space-separated) until the marker line."""

    def __init__(self, pg):
        env = dict(os.environ, PGPASSWORD=pg.password)
        self.p = subprocess.Popen(["psql", "-X", "-q", "-At", "-F", " ", "-v", "ON_ERROR_STOP=0",
                                   pg.url_of(pg.database, password=False)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  text=True, env=env)
        record_pid(self.p.pid)

    def rows(self, sql):
        self.p.stdin.write(sql.rstrip(";") + ";\n\\echo __end__\n")
        self.p.stdin.flush()
        out = []
        for line in self.p.stdout:
            line = line.rstrip("\n")
            if line == "__end__":
                return out
            if line:
                out.append(tuple(line.split(" ")))
        raise BenchError("psql ended")

    def close(self):
        stop(self.p)


class Poller(threading.Thread):
    """Every POLL_MS: the probe rows of the agents' batches now in the store; seen[(agent, ts)] is
    the wall-clock ms of the first poll (its start) that saw it."""
    HOST = re.compile(r'host="sim-(\d+)"')

    def __init__(self, reader, since_ms):
        super().__init__(daemon=True)
        self.reader, self.since, self.series = reader, since_ms, {}
        self.seen, self.max_id, self.halt, self.error = {}, 0, threading.Event(), None

    def run(self):
        try:
            while not self.halt.wait(POLL_MS / 1000):
                self.poll()
        except Exception as e:  # shown with the figures; the run is then not held
            self.error = str(e)

    def poll(self):
        t = int(time.time() * 1000)
        for sid, labels in self.reader.rows(
                f"SELECT id, labels FROM metric_series WHERE name = '{PROBE}' AND id > {self.max_id}"):
            m = self.HOST.search(labels)
            if m:
                self.series[int(sid)] = int(m.group(1))
            self.max_id = max(self.max_id, int(sid))
        if not self.series:
            return
        ids = ",".join(map(str, self.series))
        for sid, ts in self.reader.rows(f"SELECT series, ts FROM metric_raw WHERE series IN ({ids}) "
                                        f"AND ts >= {self.since}"):
            self.seen.setdefault((self.series[int(sid)], int(ts)), t)


# ---- simulated agents ----

def samples_json():
    s = [{"n": PROBE, "v": 0.25, "h": 1}]
    s += [{"n": "host_fs_used_ratio", "v": round(random.random(), 4), "h": 1, "l": {"mountpoint": f"/m{i}"}}
          for i in range(SAMPLES - 1)]
    return json.dumps(s, separators=(",", ":"))


def send_all(port, creds, start, count_from, end):
    """Each agent's batch every INTERVAL from a random point of the first interval after start
    until end; returns the batches: (agent, ts, counted, answer seconds, ok)."""
    body = samples_json()
    due = [(start + random.random() * INTERVAL, i) for i in range(len(creds))]
    heapq.heapify(due)
    lock, sent = threading.Lock(), []

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if not due or due[0][0] >= end:
                    break
                t, i = heapq.heappop(due)
                heapq.heappush(due, (t + INTERVAL, i))
            if t - time.monotonic() > 0:
                time.sleep(t - time.monotonic())
            ts = int(time.time() * 1000)  # also the batch's number: above the last run's
            data = gzip.compress(f'{{"seq":{ts},"sets":[{{"source":"host","ts":{ts},"samples":{body}}}]}}'.encode(),
                                 compresslevel=6)
            t0 = time.monotonic()
            try:
                conn.request("POST", "/api/v1/agent/batch", data, {
                    "Authorization": "Bearer " + creds[i], "Content-Encoding": "gzip",
                    "Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            with lock:
                sent.append((i, ts, t >= count_from, time.monotonic() - t0, ok))
        conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(WORKERS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return sent


def pct(v, q):
    return v[min(len(v) - 1, int(len(v) * q))] if v else float("nan")


def fanin_run(server, reader_of, n, also=None):
    """One run of n agents on the running server: its figures."""
    reader = None
    try:
        reader = reader_of()
        start = time.monotonic() + 0.5
        poller = Poller(reader, int(time.time() * 1000))
        poller.start()
        watch = Watch(server.p.pid, tree=False)
        other = Watch(also) if also else None  # PostgreSQL's postmaster and its backends
        count_from, end = start + WARM, start + WARM + MEASURE
        out = {}

        def watcher():  # the counted window's CPU, RSS sampled every second
            time.sleep(max(0, count_from - time.monotonic()))
            watch.start()
            if other:
                other.start()
            while time.monotonic() < end:
                time.sleep(1)
                watch.sample()
            watch.stop()
            out["watch"] = watch
            if other:
                out["pg_cpu"] = other.stop().cpu
        wt = threading.Thread(target=watcher, daemon=True)
        wt.start()
        c0 = os.times()
        sent = send_all(server.port, server.creds[:n], start, count_from, end)
        c1 = os.times()
        wt.join()
        counted = [b for b in sent if b[2]]
        deadline = time.monotonic() + DRAIN
        while time.monotonic() < deadline and not all((b[0], b[1]) in poller.seen for b in counted):
            time.sleep(0.2)
        poller.halt.set()
        poller.join()
    finally:
        if reader:
            reader.close()
    stored = sorted((poller.seen[(b[0], b[1])] - b[1]) / 1000 for b in counted if (b[0], b[1]) in poller.seen)
    answers = sorted(b[3] for b in counted)
    w = out.get("watch")
    res = {
        "agents": n, "planned": n * MEASURE / INTERVAL, "counted": len(counted),
        "refused": sum(1 for b in counted if not b[4]), "stored": len(stored),
        "late": sum(1 for x in stored if x > STORED_WITHIN), "p50": pct(stored, 0.5), "p99": pct(stored, 0.99),
        "max": stored[-1] if stored else float("nan"), "answer_p99": pct(answers, 0.99),
        "cpu": w.cpu if w else float("nan"), "rss": w.peak_tree if w else float("nan"),
        "client_cpu": 100 * (c1.user + c1.system - c0.user - c0.system) / (WARM + MEASURE),
        "poll_error": poller.error,
    }
    if "pg_cpu" in out:
        res["pg_cpu"] = out["pg_cpu"]
    lost = res["counted"] - res["stored"]
    res["held"] = (not res["refused"] and not lost and res["counted"] >= 0.95 * res["planned"] and
                   res["p99"] <= STORED_WITHIN and res["cpu"] < 100 and not poller.error)
    why = []
    if res["counted"] < 0.95 * res["planned"]:
        why.append(f"the client sent {res['counted']} of {res['planned']:.0f}")
    if res["refused"]:
        why.append(f"{res['refused']} refused")
    if lost:
        why.append(f"{lost} not stored within {DRAIN:.0f} s of the end")
    if res["p99"] > STORED_WITHIN:
        why.append(f"p99 stored {res['p99']:.1f} s")
    if res["cpu"] >= 100:
        why.append("server over one core")
    if poller.error:
        why.append(f"store read: {poller.error}")
    res["why"] = "; ".join(why)
    print(f"   {n:>5} agents: {res['counted'] / MEASURE:,.0f} batches/s ({res['counted'] * SAMPLES / MEASURE:,.0f} "
          f"samples/s), answer p99 {res['answer_p99'] * 1000:.0f} ms; stored p50 {res['p50']:.2f} s p99 "
          f"{res['p99']:.2f} s max {res['max']:.2f} s, {res['late']} over {STORED_WITHIN:.0f} s, {lost} not stored; "
          f"server CPU {res['cpu']:.0f}% RSS {res['rss']:.0f} MB"
          + (f", PostgreSQL CPU {res['pg_cpu']:.0f}%" if "pg_cpu" in res else "")
          + f"; load client CPU {res['client_cpu']:.0f}%"
          f" -> {'held' if res['held'] else 'NOT held: ' + res['why']}", flush=True)
    return res


def ladder(server, reader_of, also=None):
    """Three runs: the target, then up (x1.5, then x2 or x1.25) or down (/2, then x0.75 or /4):
    the runs' figures by agent count."""
    runs = {}

    def run(n):
        secs = server.enroll(n)
        if secs:
            print(f"   enrolled {len(server.creds)} agents ({secs:.0f} s)", flush=True)
        if not server.idle(IDLE_MAX):
            print(f"   (the core's queue still not empty after {IDLE_MAX:.0f} s)", flush=True)
        runs[n] = fanin_run(server, reader_of, n, also)
        return runs[n]["held"]
    up = min(MAX_AGENTS, TARGET * 3 // 2)
    server.start()
    try:
        if run(TARGET):
            run(MAX_AGENTS if run(up) else (TARGET + up) // 2)
        elif run(TARGET // 2):
            run(TARGET * 3 // 4)
        else:
            run(TARGET // 4)
    finally:
        server.stop()
    return runs


def fanin_sqlite(binary, work):
    print("== fan-in, SQLite (WAL, synchronous=NORMAL; every sample kept in the history)", flush=True)
    s = Server(binary, os.path.join(work, "sqlite"))
    db = os.path.join(s.work, "var", "keepwatch.db")
    return "SQLite", ladder(s, lambda: SqliteReader(db))


def fanin_postgresql(binary, work):
    pg = PgServer(settings={"fsync": "on", "full_page_writes": "on", "shared_buffers": "128MB"})
    try:
        pg.start()
        record_pid(pg.pid)
        version = pg.psql("SHOW server_version").split()[0]
        print(f"== fan-in, PostgreSQL {version} (throwaway cluster on 127.0.0.1, fsync on)", flush=True)
        s = Server(binary, os.path.join(work, "pg"), pg.url, pg.password)
        runs = ladder(s, lambda: PsqlReader(pg), pg.pid)
        return f"PostgreSQL {version}", runs
    finally:
        pg.stop()


# ---- footprints ----

ZABBIX_KEYS = ["system.cpu.util[,user]", "system.cpu.util[,system]", "system.cpu.util[,iowait]",
               "system.cpu.util[,idle]", "system.cpu.load[all,avg1]", "system.cpu.switches", "system.cpu.num",
               "vm.memory.size[total]", "vm.memory.size[available]", "vm.memory.size[buffers]",
               "vm.memory.size[cached]", "system.swap.size[,free]", "system.swap.size[,total]",
               "vfs.fs.size[/,used]", "vfs.fs.size[/,pused]", "vfs.fs.inode[/,pfree]",
               "vfs.dev.read[,ops]", "vfs.dev.write[,ops]"]


def zabbix_get(port, key):
    """One passive check (the agent protocol: "ZBXD", flags 1, 8-byte length, the key)."""
    with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
        k = key.encode()
        s.sendall(b"ZBXD\x01" + struct.pack("<Q", len(k)) + k)
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    return data[13:].decode(errors="replace") if data.startswith(b"ZBXD") else ""


def interfaces():
    with open("/proc/net/dev") as f:
        return [line.split(":")[0].strip() for line in f.readlines()[2:]]


def self_signed(work):
    """A certificate for 127.0.0.1 and its key, made with openssl: (cert, key)."""
    cert, key = os.path.join(work, "server.crt"), os.path.join(work, "server.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def start_agent(binary, work, name, tls=False):
    """A light server (SQLite, over HTTPS when tls) and `keepwatch agent run` reporting to it
    every 5 s, its state and log under work/name: (agent, server)."""
    home = os.path.join(work, name)
    os.makedirs(home, exist_ok=True)
    cert = self_signed(home) if tls else None
    srv = Server(binary, os.path.join(home, "server"), tls=cert)
    srv.start()
    tok = srv.token(name)
    cfg = os.path.join(home, "agent.yaml")
    ca = f", ca_file: {cert[0]}" if tls else ""
    url = f"{srv.scheme}://127.0.0.1:{srv.port}"
    with open(cfg, "w") as f:
        f.write(f"""daemon: {{state_dir: {home}/agent}}
agent: {{server: "{url}", interval: 5s, timeout: 2s{ca}}}
host: {{enabled: true, interval: 5s}}
""")
    r = subprocess.run([binary, "agent", "enroll", url, "--token", tok, "-c", cfg],
                       capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise BenchError(f"agent enroll ({url}): {r.stderr.strip()}")
    p = spawn([binary, "agent", "run", "-c", cfg], open(os.path.join(home, "agent.log"), "w"))
    p.kw_log = os.path.join(home, "agent.log")
    return p, srv


def start_monit(work):
    rc = os.path.join(work, "monitrc")
    with open(rc, "w") as f:
        f.write(f"""set daemon 5
set logfile {work}/monit.log
set idfile {work}/monit.id
set statefile {work}/monit.state
check system localhost
  if cpu usage > 95% then alert
  if memory usage > 95% then alert
  if loadavg (1min) > 64 then alert
check filesystem rootfs with path /
  if space usage > 95% then alert
  if inode usage > 95% then alert
""")
    os.chmod(rc, 0o600)
    return spawn(["monit", "-I", "-c", rc], subprocess.DEVNULL)


def low_free_port():
    """A free loopback port below 32768 (zabbix_agentd's ListenPort takes no higher)."""
    for _ in range(200):
        port = random.randint(20000, 32767)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise BenchError("no free port below 32768")


def start_zabbix(work):
    port = low_free_port()
    conf = os.path.join(work, "zabbix_agentd.conf")
    with open(conf, "w") as f:
        f.write(f"""PidFile={work}/zabbix_agentd.pid
LogType=file
LogFile={work}/zabbix_agentd.log
Server=127.0.0.1
ListenIP=127.0.0.1
ListenPort={port}
StartAgents=1
ServerActive=
Hostname=kw-bench
AllowRoot=1
""")
    p = spawn(["zabbix_agentd", "-f", "-c", conf], subprocess.DEVNULL)
    if not wait_port(port, p, 10):
        stop(p)
        raise BenchError(f"zabbix_agentd did not start (exit {p.poll()})")
    keys = ZABBIX_KEYS + [f"net.if.{d}[{i}]" for i in interfaces() for d in ("in", "out")]
    return p, (lambda: [zabbix_get(port, k) for k in keys]), len(keys)


def start_tools(binary, work, tools, polls, started):
    """Starts the agent and each peer installed: tools gets (name, process or why not), polls
    (name, what its scraper asks: a list of answers), started what to stop."""
    for name, tls in (("plain", False), ("tls", True)):
        agent, srv = start_agent(binary, work, name, tls)
        started += [agent, srv]
        tools.append((f"keepwatch agent run (host sensor, batch every 5 s, {srv.scheme.upper()})", agent))
    if shutil.which("monit"):
        started.append(start_monit(work))
        tools.append(("monit (set daemon 5: system, root fs)", started[-1]))
    else:
        tools.append(("monit", "not installed"))
    ne = shutil.which("prometheus-node-exporter")
    if ne:
        port = free_port()
        started.append(spawn([ne, f"--web.listen-address=127.0.0.1:{port}"], subprocess.DEVNULL))
        tools.append(("prometheus-node-exporter (defaults, scraped every 5 s)", started[-1]))
        polls.append((tools[-1][0], lambda: [urlget(f"http://127.0.0.1:{port}/metrics")]))
    else:
        tools.append(("prometheus-node-exporter", "not installed"))
    if shutil.which("zabbix_agentd"):
        z, zpoll, nkeys = start_zabbix(work)
        started.append(z)
        tools.append((f"zabbix_agentd (passive, {nkeys} host items every 5 s)", z))
        polls.append((tools[-1][0], zpoll))
    else:
        tools.append(("zabbix_agentd", "not installed"))


def agent_refusals(log):
    """The agent's log lines saying the server refused a batch (its work was lost)."""
    try:
        with open(log, errors="replace") as f:
            return [line.strip() for line in f if "server refused batch" in line]
    except OSError:
        return ["no agent.log"]


def footprint(binary, work):
    """The agents and the peers side by side over FOOT_SECONDS: [(name, Watch or reason)]."""
    print(f"== footprints at 5 s intervals, {FOOT_SECONDS} s after {FOOT_WARM} s (all at once)", flush=True)
    tools, polls, started = [], [], []
    os.makedirs(work, exist_ok=True)
    try:
        start_tools(binary, work, tools, polls, started)
        time.sleep(FOOT_WARM)
        watches = []
        for name, p in tools:
            if isinstance(p, str):
                watches.append((name, p))
            elif p.poll() is not None:
                watches.append((name, f"exited ({p.returncode})"))
            else:
                w = Watch(p.pid)
                w.kw_log = getattr(p, "kw_log", None)
                w.start()
                watches.append((name, w))
        answered = {}
        t0 = time.monotonic()
        for k in range(FOOT_SECONDS // 5):
            for name, poll in polls:  # what a scraper or a Zabbix server would ask
                try:
                    ok = all(x and not str(x).startswith("ZBX_NOTSUPPORTED") for x in poll())
                    answered[name] = answered.get(name, 0) + ok
                except OSError:
                    pass
            time.sleep(max(0, t0 + 5 * (k + 1) - time.monotonic()))
            for _, w in watches:
                if isinstance(w, Watch):
                    w.sample()
        out = []
        for name, w in watches:
            if isinstance(w, Watch):
                w.stop()
                note = f"; answered {answered[name]} of {FOOT_SECONDS // 5} polls" if name in answered else ""
                if name.startswith("keepwatch"):  # what it sent must have been taken
                    w.refused = agent_refusals(w.kw_log)
                    note += f"; the server refused {len(w.refused)} batches: {w.refused[0]}" if w.refused else ""
                print(f"   {name}: {w.cpu:.2f}% of a core, peak RSS {w.hwm:.1f} MB (tree {w.peak_tree:.1f} MB){note}")
            else:
                print(f"   {name}: {w}")
            out.append((name, w))
        return out
    finally:
        for p in reversed(started):
            p.stop() if isinstance(p, Server) else stop(p)


def urlget(url):
    import urllib.request
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read()


# ---- the report ----

def report(fanins, foot):
    if fanins:
        print(f"\n== fan-in: agents reporting every {INTERVAL:.0f} s, {SAMPLES} samples a batch; {WARM:.0f} s warm-up, "
              f"then {MEASURE:.0f} s counted; held = every batch answered and stored, 99% within "
              f"{STORED_WITHIN:.0f} s, server under one core")
        rows = [["agents", *[name for name, _ in fanins]]]
        counts = sorted({n for _, runs in fanins for n in runs})
        for n in counts:
            row = [f"{n:,} ({n / INTERVAL:,.0f} batches/s, {n * SAMPLES / INTERVAL:,.0f} samples/s)"]
            for _, runs in fanins:
                r = runs.get(n)
                row.append("" if not r else
                           f"stored p99 {r['p99']:.2f} s, CPU {r['cpu']:.0f}%"
                           + (f" (+PG {r['pg_cpu']:.0f}%)" if "pg_cpu" in r else "")
                           + f", {r['rss']:.0f} MB: {'held' if r['held'] else 'NOT held'}")
            rows.append(row)
        most = ["most agents held (of those tried)"]
        met = [f"target {TARGET:,} agents"]
        for _, runs in fanins:
            held = [n for n, r in runs.items() if r["held"]]
            most.append(f"{max(held):,}" if held else f"fewer than {min(runs):,}")
            met.append("met" if TARGET in held else "NOT met")
        table(rows + [most, met])
    if foot:
        print(f"\n== footprint at 5 s intervals over {FOOT_SECONDS} s (target for the agent: <= {FOOT_CPU_TARGET}% "
              f"of a core, <= {FOOT_RSS_TARGET:.0f} MB RSS)")
        rows = [["tool", "CPU % of a core", "peak RSS MB", "peak tree RSS MB"]]
        for name, w in foot:
            rows.append([name, f"{w.cpu:.2f}", f"{w.hwm:.1f}", f"{w.peak_tree:.1f}"] if isinstance(w, Watch)
                        else [name, w, "", ""])
        table(rows)
        for name, w in foot:
            if name.startswith("keepwatch") and isinstance(w, Watch):
                ok = w.cpu <= FOOT_CPU_TARGET and w.hwm <= FOOT_RSS_TARGET and not getattr(w, "refused", [])
                why = f", {len(w.refused)} batches refused" if getattr(w, "refused", []) else ""
                print(f"target: {'met' if ok else 'NOT met'} (agent {w.cpu:.2f}%, {w.hwm:.1f} MB{why})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("keepwatch")
    ap.add_argument("--only", choices=["fanin", "footprint"])
    ap.add_argument("--backends", default="sqlite,postgresql")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, on_term)
    os.environ.pop("KEEPWATCH_STORE_URL", None)
    work = tempfile.mkdtemp(prefix="kw-bench-agent-")
    os.chmod(work, 0o755)  # the cluster's directory inside is the postgres user's
    fanins, foot = [], []
    try:
        print(f"== {os.cpu_count()} CPUs, {cpu_busy():.0%} busy before the bench started; keepwatch {a.keepwatch}",
              flush=True)
        if a.only != "fanin":
            try:
                foot = footprint(a.keepwatch, os.path.join(work, "foot"))
            except BenchError as e:
                print(f"   footprint not measured: {e}")
        if a.only != "footprint":
            for b in a.backends.split(","):
                try:
                    fanins.append((fanin_sqlite if b == "sqlite" else fanin_postgresql)(a.keepwatch, work))
                except (BenchError, RuntimeError, OSError, subprocess.SubprocessError) as e:
                    print(f"   {b}: not measured: {e}")
        report(fanins, foot)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        pids_forget()


if __name__ == "__main__":
    main()
