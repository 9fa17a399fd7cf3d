#!/usr/bin/env bash
# bench/store.sh: the store on SQLite and on PostgreSQL, side by side (issue 14).
#
# For each backend, printed beside each other with the issue's targets:
#   alert changes committed per second through the store API (bench/store_bench.c calls
#     store_alert_apply_all as the daemon's core thread does: fire, update, resolve, each update and
#     resolve looking up its open alert), one change per transaction and the daemon's batches
#     (one event's changes in one transaction: 10 and 100), 1.5 s each, best of 5; target:
#     PostgreSQL within 3x of SQLite;
#   GET /api/v1/alerts answers per second from `keepwatch serve` on a store of 200 open and
#     10,000 resolved alerts, with bench/http.sh's load (wrk, 2 threads, 64 connections, 10 s):
#     the default page and a different page each request; target: at least 10,000 a second;
#     beside Prometheus Alertmanager's GET /api/v2/alerts holding 10,000 alerts (bench/http.sh's part).
# PostgreSQL is a throwaway cluster as the tests start it (tests/integ/pgserver.py: initdb in a
# temporary directory as the postgres user, a free loopback port, stopped by its pid), with
# fsync on; its writes run with synchronous_commit on (its default) and off (a power loss may
# lose the last commits, as SQLite's WAL with synchronous=NORMAL, the store's setting).
#   alert changes committed per second through the daemon: 64 agents enrolled with `keepwatch
#     serve` post batches of one alert change each (fire, later resolve) as fast as wrk sends
#     them (1 thread, 16 connections, 8 s); the core commits them as they come, grouped while
#     it is behind; counted from its /metrics until its queue is empty; best of 3.
# Installs wrk, postgresql and prometheus-alertmanager if missing, as root. Takes about 5 min
# (killed at 480 s); every process it started is stopped by its pid at the end.
#
# usage: bench/store.sh
#   BUILD=dir   the CMake build directory holding keepwatch (default ./build, made by make build);
#               store_bench is built there
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
WORK=$(mktemp -d /tmp/kw-bench-store.XXXXXX)
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
command -v wrk >/dev/null || need="$need wrk"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$need postgresql"
command -v prometheus-alertmanager >/dev/null || need="$need prometheus-alertmanager"
if [ -n "$need" ]; then
  echo "== installing$need" >&2
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need >/dev/null ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need >/dev/null; }
  rm -f /usr/sbin/policy-rc.d
fi

echo "== building keepwatch and store_bench ($BUILD)" >&2
[ -x "$BUILD/keepwatch" ] || make -s build BUILD="$BUILD" >/dev/null
cmake --build "$BUILD" --target keepwatch store_bench >/dev/null
BIN=$(cd "$BUILD" && pwd)

# timeout runs the driver in a process group of its own: a signal to this script is passed on,
# and the driver's own cleanup (SIGTERM: its finally blocks) runs before the trap's
KW_BENCH_PIDS="$WORK/pids" TMPDIR="$WORK" timeout 480 python3 bench/store_load.py "$BIN/keepwatch" "$BIN/store_bench" &
DRIVER=$!
trap 'kill -TERM "$DRIVER" 2>/dev/null; wait "$DRIVER"; exit 130' INT TERM
wait "$DRIVER"
