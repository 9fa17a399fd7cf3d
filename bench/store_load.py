#!/usr/bin/env python3
"""Driver for bench/store.sh (issue 14): the store on SQLite and on PostgreSQL, side by side.

For each backend: bench/store_bench.c fills a store with 200 open and 10,000 resolved alerts
through store_alert_apply_all; `keepwatch serve` on that store answers GET /api/v1/alerts under
wrk (bench/http.sh's load: 2 threads, 64 connections, 10 s), the default page and a different
page each request; then, the daemon stopped, store_bench writes alert changes into the same
store, 1.5 s per transaction size, best of 5 (the machine is shared); then `keepwatch serve`
again takes a storm of agents' batches of one alert change each (wrk), best of 3. PostgreSQL is a throwaway
cluster (tests/integ/pgserver.py) with a real server's settings (fsync, full_page_writes,
128MB shared_buffers) and runs the writes twice: with synchronous_commit on (its default: a
commit waits for its WAL to be flushed) and off (a commit hands its WAL to the writer: a power
loss may lose the last ones, never consistency, as SQLite in WAL mode with synchronous=NORMAL,
the store's setting). Alertmanager's listing is bench/http.sh's part.

    store_load.py KEEPWATCH STORE_BENCH"""
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integ"))
from kwbench import (alertmanager, cpu_busy, free_port, pids_forget, record_pid, size, start_keepwatch,  # noqa: E402
                     table, wrk)
from pgserver import PgServer  # noqa: E402

BIN, HELPER = sys.argv[1], sys.argv[2]
OPEN, RESOLVED = 200, 10000
WRITE_SECONDS, WRITE_RUNS = 1.5, 5
BATCHES = (1, 10, 100)
WRITE_TARGET, LIST_TARGET = 3.0, 10000
STORM_AGENTS, STORM_ALERTS, STORM_SECONDS = 64, 50, 8


class BenchError(Exception):
    """A part that could not be measured; its text says why (no password in it)."""


def on_term(signum, frame):
    raise SystemExit(128 + signum)  # so that every finally stops what it started


def helper(args, where, keys, secret):
    """Runs store_bench VERB WHERE KEYS ARGS...; its output, or BenchError with its last line."""
    p = subprocess.run([HELPER, args[0], where, keys, *map(str, args[1:])], capture_output=True, text=True,
                       timeout=180)
    if p.returncode != 0:
        why = " ".join(line.strip() for line in p.stderr.splitlines() if line.strip()) or f"exit {p.returncode}"
        raise BenchError(why.replace(secret, "***") if secret else why)
    return p.stdout


def writes(where, keys, secret, settings, tune):
    """{setting: {batch: changes committed per second, best of WRITE_RUNS}}: the runs of every
    setting (tune(setting) before each; None: one setting, no tune) take turns."""
    runs = {}
    for _ in range(WRITE_RUNS):
        for setting in settings:
            if tune:
                tune(setting)
            for line in helper(["write", WRITE_SECONDS, *BATCHES], where, keys, secret).splitlines():
                _, batch, n, secs = line.split()
                runs.setdefault(setting, {}).setdefault(int(batch), []).append(int(n) / float(secs))
    for setting, by_batch in runs.items():
        print(f"   writes{f', synchronous_commit = {setting}' if setting else ''} (changes/s, {WRITE_RUNS} runs):")
        for batch, rates in by_batch.items():
            print(f"   {batch:>5} change(s) per transaction: {', '.join(f'{r:,.0f}' for r in rates)}")
    return {setting: {b: max(r) for b, r in by_batch.items()} for setting, by_batch in runs.items()}


def api(port, token, path):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.load(r)


def serve_log_tail(work):
    try:
        with open(os.path.join(work, "serve.log")) as f:
            lines = f.read().strip().splitlines()
        return lines[-1] if lines else "no output"
    except OSError:
        return "no log"


@contextlib.contextmanager
def serving(work, url, secret, extra=""):
    """`keepwatch serve` on the store (url: PostgreSQL, None: state_dir's SQLite file), on a
    free port, 2 HTTP threads, per_address 128 (wrk's connections all come from 127.0.0.1),
    extra more of its configuration: yields (port, API token, config path); stopped after."""
    port = free_port()
    config = f"""daemon: {{state_dir: {work}/var, log_level: warn, user: ""}}
http: {{listen: 127.0.0.1:{port}, threads: 2, per_address: 128}}
host: {{enabled: false}}
""" + extra + (f'store: {{url: "{url}"}}\n' if url else "")
    p, cfg, log = start_keepwatch(BIN, work, config, port, port)
    try:
        if p.poll() is not None:
            why = serve_log_tail(work)
            raise BenchError(f"keepwatch serve exited: {why.replace(secret, '***') if secret else why}")
        yield port, open(os.path.join(work, "var", "api.token")).read().strip(), cfg
    finally:
        p.terminate()
        p.wait(timeout=30)
        log.close()


def listing(work, url, secret):
    """keepwatch serve on the filled store: (answers/s, p99) of the default page and of
    random pages, and the default page's KiB."""
    with serving(work, url, secret) as (port, token, _):
        firing = api(port, token, "/api/v1/health")["alerts"]["firing"]
        if firing != OPEN:  # the daemon must read the store that was filled
            raise BenchError(f"keepwatch serve sees {firing} firing alerts, not the {OPEN} written")
        auth = [f"Authorization: Bearer {token}"]
        kb = size(f"http://127.0.0.1:{port}/api/v1/alerts", {"Authorization": f"Bearer {token}"}) / 1024
        first, p99a, bad_a = wrk(f"http://127.0.0.1:{port}/api/v1/alerts", auth)
        lua = os.path.join(work, "pages.lua")
        with open(lua, "w") as f:
            f.write('request = function() return wrk.format(nil, "/api/v1/alerts?before=" .. math.random(%d, %d)) end\n'
                    % (OPEN, OPEN + RESOLVED))
        pages, p99b, bad_b = wrk(f"http://127.0.0.1:{port}/api/v1/alerts", auth, lua)
        if bad_a or bad_b:
            raise BenchError(f"{bad_a + bad_b} errors or non-2xx answers under load")
        print(f"   newest 100 ({kb:.0f} KiB): {first:,.0f} answers/s, p99 {p99a}; "
              f"?before=RANDOM: {pages:,.0f} answers/s, p99 {p99b}")
        return {"first": (first, p99a), "pages": (pages, p99b), "kb": kb}


STORM_LUA = """-- bench/store_load.py's alert storm: batches of one alert change each, the agents in turn
local creds = {%s}
local n, base = 0, %d
request = function()
  local i = n %% #creds
  local k = math.floor(n / #creds)
  n = n + 1
  local kind = math.floor(k / %d) %% 2 == 0 and "fire" or "resolve"
  local body = string.format('{"seq":%%d,"alerts":[{"kind":"%%s","rule":"bench_storm","ts":%%d,"severity":3,' ..
    '"value":1,"labels":{"n":"%%d"}}]}', base + k, kind, base + k, k %% %d)
  return wrk.format("POST", "/api/v1/agent/batch",
    {["Authorization"] = "Bearer " .. creds[i + 1], ["Content-Type"] = "application/json"}, body)
end
"""


def metric(port, token, name):
    """A value of keepwatch's /metrics (name with its labels as printed)."""
    req = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(f"keepwatch_{name} "):
                return float(line.split()[-1])
    raise BenchError(f"/metrics has no keepwatch_{name}")


def enroll(port, cfg, n):
    """n agents enrolled with the daemon on port (tokens from the CLI): their credentials."""
    creds = []
    for i in range(n):
        tok = subprocess.run([BIN, "agent", "token", "add", "--name", f"storm-{i}", "-c", cfg], capture_output=True,
                             text=True, timeout=60)
        if tok.returncode != 0:
            raise BenchError(f"agent token add: {tok.stderr.strip().splitlines()[-1:]}")
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/agent/enroll",
                                     data=json.dumps({"token": tok.stdout.strip()}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            creds.append(json.load(r)["credential"])
    return creds


def storm(work, url, secret, creds=None):
    """Alert changes through the daemon, as agents' batches bring them: STORM_AGENTS agents post
    batches of one change each (a fire, later its resolve, STORM_ALERTS alerts each) as fast as
    wrk sends them (1 thread, 16 connections) for STORM_SECONDS; the core commits them as they
    come, grouped while it is behind. Returns (changes committed per second: the core's
    events_processed over the time until its queue is empty, credentials)."""
    with serving(work, url, secret, "agent: {silent_after: 1h}\n") as (port, token, cfg):
        creds = creds or enroll(port, cfg, STORM_AGENTS)
        lua = os.path.join(work, "storm.lua")
        with open(lua, "w") as f:
            f.write(STORM_LUA % (", ".join(f'"{c}"' for c in creds), int(time.time() * 1000), STORM_ALERTS,
                                 STORM_ALERTS))
        before = metric(port, token, "events_processed_total")
        t0 = time.monotonic()
        out = subprocess.run(["wrk", "-t1", "-c16", f"-d{STORM_SECONDS}s", "-s", lua,
                              f"http://127.0.0.1:{port}/api/v1/agent/batch"], capture_output=True, text=True,
                             timeout=STORM_SECONDS + 60).stdout
        m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)  # the core's queue stayed full for 2 s: 503
        refused = int(m.group(1)) if m else 0
        while metric(port, token, 'queue_length{queue="sensors"}') > 0 and time.monotonic() - t0 < STORM_SECONDS + 60:
            time.sleep(0.05)
        secs = time.monotonic() - t0
        n = metric(port, token, "events_processed_total") - before
        print(f"   alert storm through the daemon: {n:,.0f} changes committed in {secs:.1f} s: {n / secs:,.0f}/s"
              + (f" ({refused:,} batches answered 503: the queue full)" if refused else ""))
        return n / secs, creds


def storms(work, url, secret, settings, tune):
    """{setting: the storm's changes/s, best of 3}, the settings taking turns."""
    best, creds = {}, None
    for _ in range(3):
        for setting in settings:
            if tune:
                tune(setting)
            rate, creds = storm(work, url, secret, creds)
            best[setting] = max(best.get(setting, 0.0), rate)
    return best


def backend(name, where, work, secret="", tune=None):
    """Fills the store at where (None: work/var/keepwatch.db), measures the listing, then the
    writes (tune(setting) before each PostgreSQL run). A part that fails gets its reason."""
    var = os.path.join(work, "var")
    os.makedirs(var, exist_ok=True)
    store = where or os.path.join(var, "keepwatch.db")
    res = {"write": {}, "errors": []}
    print(f"== {name}")
    try:
        n, secs = helper(["fill", OPEN, RESOLVED], store, var, secret).split()[1:]
        print(f"   filled: {OPEN} open + {RESOLVED:,} resolved alerts ({int(n):,} changes) in {float(secs):.1f} s")
    except BenchError as e:
        res["errors"].append(f"fill: {e}")
        return res
    try:
        res["list"] = listing(work, where, secret)
    except BenchError as e:
        res["errors"].append(f"GET /api/v1/alerts: {e}")
    try:
        res["write"] = writes(store, var, secret, ["on", "off"] if tune else [None], tune)
    except BenchError as e:
        res["errors"].append(f"writes: {e}")
    try:
        res["storm"] = storms(work, where, secret, ["on", "off"] if tune else [None], tune)
    except (BenchError, OSError, subprocess.SubprocessError) as e:
        res["errors"].append(f"alert storm: {e}")
    return res


def postgresql(work):
    """The PostgreSQL figures on a throwaway cluster, with its version."""
    pg = PgServer(settings={"fsync": "on", "full_page_writes": "on", "shared_buffers": "128MB"})
    try:
        try:
            pg.start()
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            return "PostgreSQL", {"write": {}, "errors": [f"cluster: {e}"]}
        record_pid(pg.pid)
        version = pg.psql("SHOW server_version").split()[0]

        def tune(setting):
            pg.psql(f"ALTER SYSTEM SET synchronous_commit = {setting}")
            pg.psql("SELECT pg_reload_conf()")
            time.sleep(0.1)
        return f"PostgreSQL {version}", backend(f"PostgreSQL {version} (127.0.0.1, fsync on)", pg.url,
                                                os.path.join(work, "pg"), pg.password, tune)
    finally:
        pg.stop()


def cell(v):
    return f"{v:,.0f}" if isinstance(v, (int, float)) else v


def ratio(lite, pg):
    if not isinstance(lite, float) or not isinstance(pg, float) or pg <= 0:
        return "n/a"
    x = lite / pg
    return f"{x:.1f}x {'(met)' if x <= WRITE_TARGET else '(NOT met)'}"


def report(lite, pgname, pg, am):
    print(f"\n== alert changes committed per second, best of {WRITE_RUNS} (store_alert_apply_all; fire, update with a "
          f"history row, update, resolve; {OPEN} open at once; target: PostgreSQL within {WRITE_TARGET:.0f}x of SQLite)")
    pw = pg["write"]
    rows = [["changes per transaction", "SQLite (WAL)", f"{pgname} sync on", "SQLite/PG",
             f"{pgname} sync off", "SQLite/PG"]]
    for b in BATCHES:
        s, on, off = (lite["write"].get(None, {}).get(b), pw.get("on", {}).get(b), pw.get("off", {}).get(b))
        label = "1 (each change its own)" if b == 1 else f"{b} (one event's changes)"
        rows.append([label, cell(s or "n/a"), cell(on or "n/a"), ratio(s, on), cell(off or "n/a"), ratio(s, off)])
    s, on, off = (lite.get("storm", {}).get(None), pg.get("storm", {}).get("on"), pg.get("storm", {}).get("off"))
    rows.append(["the daemon, agents' batches of 1 (grouped as it falls behind)", cell(s or "n/a"), cell(on or "n/a"),
                 ratio(s, on), cell(off or "n/a"), ratio(s, off)])
    table(rows)
    print(f"\n== GET /api/v1/alerts answers per second (wrk -t2 -c64 -d10s; {OPEN} open + {RESOLVED:,} resolved "
          f"alerts; target: at least {LIST_TARGET:,})")

    def answers(res, key):
        if "list" not in res:
            return "n/a"
        v, p99 = res["list"][key]
        return f"{v:,.0f} (p99 {p99}){'' if v >= LIST_TARGET else ' below'}"
    rows = [["request", "SQLite", pgname],
            ["keepwatch, newest 100 (the default page)", answers(lite, "first"), answers(pg, "first")],
            ["keepwatch, ?before=RANDOM (built from the store)", answers(lite, "pages"), answers(pg, "pages")],
            [f"Alertmanager GET /api/v2/alerts (all {RESOLVED:,}: no paging)", cell(am if am is not None else "n/a"),
             ""]]
    table(rows)
    for name, res in (("SQLite", lite), (pgname, pg)):
        for e in res["errors"]:
            print(f"{name}: not measured: {e}")


def main():
    signal.signal(signal.SIGTERM, on_term)
    os.environ.pop("KEEPWATCH_STORE_URL", None)  # it would take the SQLite run's daemon elsewhere
    work = tempfile.mkdtemp(prefix="kw-bench-store-")
    os.chmod(work, 0o755)  # the cluster's directory inside is the postgres user's
    try:
        print(f"== {os.cpu_count()} CPUs, {cpu_busy():.0%} busy before the bench started; keepwatch {BIN}")
        lite = backend("SQLite (WAL, synchronous=NORMAL)", None, os.path.join(work, "sqlite"))
        pgname, pg = postgresql(work)
        print("== Alertmanager (bench/http.sh's part)")
        am = alertmanager(RESOLVED, status=False)
        report(lite, pgname, pg, am)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        pids_forget()


if __name__ == "__main__":
    main()
