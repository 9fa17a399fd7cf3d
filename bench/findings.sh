#!/usr/bin/env bash
# bench/findings.sh: the findings store at scale (issue 16, "Performance"): N findings (default
# 100,000) across ASSETS assets (default 1,000) imported from keepwatch's CSV, then
#   keepwatch findings plan (text and --json), findings stats, findings list --limit 50;
#   GET /api/v1/findings?limit=50 (what the console's findings page asks first), filtered by
#   severity and department, sorted by deadline, a later page; /plan and /stats;
# each RUNS times (default 5), the median and the slowest printed. Target: plan and the page
# under 200 ms. No peer ships in Debian (DefectDojo is a Django service): the figures stand alone.
#
# usage: bench/findings.sh [N] [ASSETS] [RUNS]
#   BUILD=dir   the build directory (default build, configured RelWithDebInfo)
#   STORE_URL=postgresql://...   the store on PostgreSQL instead of SQLite
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
ASSETS=${2:-1000}
RUNS=${3:-5}
BUILD=${BUILD:-build}
BIN=$BUILD/keepwatch
[ -x "$BIN" ] || { echo "bench/findings.sh: build $BIN first (cmake -B $BUILD -DCMAKE_BUILD_TYPE=RelWithDebInfo && ninja -C $BUILD keepwatch)" >&2; exit 2; }
WORK=$(mktemp -d /tmp/kw-bench-findings.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
python3 bench/gen_findings.py "$WORK" "$N" "$ASSETS"
exec python3 - "$BIN" "$WORK" "$RUNS" "${STORE_URL:-}" <<'PY'
import json, os, statistics, subprocess, sys, time, urllib.request
sys.path.insert(0, "bench")
from kwbench import free_port, record_pid

binary, work, runs, store_url = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
port = free_port()
cfg = os.path.join(work, "keepwatch.yaml")
with open(cfg, "w") as f:
    f.write(f"daemon: {{state_dir: {work}/var, user: \"\"}}\nhttp: {{listen: 127.0.0.1:{port}}}\n")
    f.write("host: {enabled: false}\nnet: {interfaces: []}\n")
    if store_url:
        f.write(f"store: {{url: \"{store_url}\"}}\n")
    f.write(open(os.path.join(work, "assets.yaml")).read())

def timed(argv):
    t = time.perf_counter()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(argv)}: exit {p.returncode}: {p.stderr.decode()[-400:]}")
    return dt, len(p.stdout)

rows = []
dt, _ = timed([binary, "findings", "import", "-c", cfg, os.path.join(work, "findings.csv")])
rows.append(("findings import (first, all new)", dt * 1000, dt * 1000, ""))
dt, _ = timed([binary, "findings", "import", "-c", cfg, os.path.join(work, "findings.csv")])
rows.append(("findings import (again, all seen)", dt * 1000, dt * 1000, ""))

def series(name, fn):
    v = [fn() for _ in range(runs)]
    ms = [x[0] * 1000 for x in v]
    rows.append((name, statistics.median(ms), max(ms), f"{v[0][1]:,} bytes"))

for argv, name in (((binary, "findings", "plan", "-c", cfg), "findings plan"),
                   ((binary, "findings", "plan", "--json", "-c", cfg), "findings plan --json"),
                   ((binary, "findings", "stats", "-c", cfg), "findings stats"),
                   ((binary, "findings", "list", "--limit", "50", "-c", cfg), "findings list --limit 50")):
    series(name, lambda argv=argv: timed(list(argv)))

log = open(os.path.join(work, "serve.log"), "w")
d = subprocess.Popen([binary, "serve", "-c", cfg], stdout=log, stderr=log)
record_pid(d.pid)
try:
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
            break
        except Exception:
            time.sleep(0.1)
    token = open(os.path.join(work, "var", "api.token")).read().strip()

    def get(path):
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"})
        t = time.perf_counter()
        with urllib.request.urlopen(req, timeout=30) as r:
            body = r.read()
        return time.perf_counter() - t, len(body)

    for path in ("/api/v1/findings?limit=50", "/api/v1/findings?limit=50&severity=high&department=%E8%BF%90%E7%BB%B4%E9%83%A8",
                 "/api/v1/findings?limit=50&sort=due", "/api/v1/findings?limit=50&offset=5000",
                 "/api/v1/findings?limit=50&text=openssl", "/api/v1/findings/plan", "/api/v1/findings/stats"):
        series("GET " + path, lambda path=path: get(path))
finally:
    d.terminate()
    d.wait(timeout=20)

n = sum(1 for _ in open(os.path.join(work, "findings.csv"))) - 1
print(f"\nfindings: {n:,} across the assets of {os.path.basename(cfg)}, store {'PostgreSQL' if store_url else 'SQLite'};"
      f" {runs} runs each (target: plan and the page under 200 ms)\n")
w = max(len(r[0]) for r in rows)
print(f"{'what':<{w}}  {'median ms':>10}  {'slowest ms':>10}  answer")
for name, med, worst, extra in rows:
    print(f"{name:<{w}}  {med:10.1f}  {worst:10.1f}  {extra}")
PY
