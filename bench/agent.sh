#!/usr/bin/env bash
# bench/agent.sh: keepwatch agents, their fan-in into one server and their own footprint,
# side by side (issue 15).
#
# Fan-in, on SQLite and on PostgreSQL (a throwaway cluster as the tests start it,
# tests/integ/pgserver.py, with a real server's settings: fsync, full_page_writes, 128MB
# shared_buffers): simulated agents, enrolled through `keepwatch agent token add` and POST
# /api/v1/agent/enroll, each send a batch of 100 samples every 5 s (bench/agent_load.py);
# a run is 10 s of warm-up then 15 s counted, on one server per backend whose queue is empty
# before each run (what the last run left is in the store). A batch
# counts as stored when its samples are read back from the store (committed), timed from when
# it was sent. Each backend tries the issue's target, 2,000 agents (400 batches/s, 40,000
# samples/s), then up (3,000, then 4,000 or 2,500) or down (1,000, then 1,500 or 500).
# Printed: the most agents held (every batch answered and stored, 99% within 2 s, the server
# under one core) and whether the target is met, the server's CPU (and PostgreSQL's) and RSS.
# Footprint, at 5 s intervals for 60 s after a 5 s warm-up, all at once: `keepwatch
# agent run` (host sensor, a batch every 5 s to its own server; once over HTTP, once over HTTPS
# with a self-signed certificate it verifies), monit (set daemon 5),
# prometheus-node-exporter (its defaults, scraped every 5 s) and zabbix_agentd (passive, the
# host items polled every 5 s), each on loopback with its own config, pid and port: CPU of its
# process tree from /proc/PID/stat, peak RSS from /proc/PID/status; target for the agent:
# <= 0.5% of a core, <= 16 MB, and no batch of the agent's refused by its server (its log read).
# Installs postgresql, monit, prometheus-node-exporter and zabbix-agent if missing (as root;
# their services are not started). About 5.5 minutes (killed at 380 s); every process it started
# is stopped by its pid at the end.
#
# usage: bench/agent.sh [fanin|footprint]     (default: both)
#   BUILD=dir   the CMake build directory holding keepwatch (default ./build, made by make build)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
WORK=$(mktemp -d /tmp/kw-bench-agent.XXXXXX)
chmod 755 "$WORK"  # PostgreSQL's directory inside belongs to the postgres user
DRIVER=""
cleanup() {
  # a driver still running (its timeout killed), then what it started and could not stop
  # itself (it empties the list when it did)
  [ -n "$DRIVER" ] && kill -TERM -- "-$DRIVER" 2>/dev/null && sleep 3
  if [ -s "$WORK/pids" ]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$WORK/pids"
    sleep 2
    while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done < "$WORK/pids"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

need=""
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$need postgresql"
command -v monit >/dev/null || need="$need monit"
command -v prometheus-node-exporter >/dev/null || need="$need prometheus-node-exporter"
command -v zabbix_agentd >/dev/null || need="$need zabbix-agent"
if [ -n "$need" ]; then
  echo "== installing$need (their services are not started)" >&2
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need >/dev/null ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need >/dev/null; } ||
    echo "   (some could not be installed; they are skipped)" >&2
  rm -f /usr/sbin/policy-rc.d
fi

echo "== building keepwatch ($BUILD)" >&2
[ -x "$BUILD/keepwatch" ] || make -s build BUILD="$BUILD" >/dev/null
cmake --build "$BUILD" --target keepwatch >/dev/null
BIN=$(cd "$BUILD" && pwd)/keepwatch
ONLY=()
[ $# -gt 0 ] && ONLY=(--only "$1")

# timeout runs the driver in a process group of its own: a signal to this script is passed on,
# and the driver's own cleanup (SIGTERM: its finally blocks) runs before the trap's
KW_BENCH_PIDS="$WORK/pids" TMPDIR="$WORK" timeout 380 python3 bench/agent_load.py "$BIN" "${ONLY[@]}" &
DRIVER=$!
trap 'kill -TERM "$DRIVER" 2>/dev/null; wait "$DRIVER"; exit 130' INT TERM
wait "$DRIVER"
