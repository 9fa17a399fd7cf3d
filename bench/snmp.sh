#!/usr/bin/env bash
# bench/snmp.sh: SNMP devices polled per second on one thread (issue 15), keepwatch's poller
# beside snmpbulkwalk.
#
# Creates a network namespace with IFACES interfaces (default 100: 50 veth pairs) and starts DEVICES
# snmpd instances in it (default 10, at most 50), each on its own port of the namespace's
# 127.0.0.1 with its own configuration and persistent directory: every "device" exposes the
# namespace's IFACES + 1 interfaces. Then, inside the namespace (all traffic on its loopback):
#   snmp_bench (bench/snmp_bench.c, -O2): keepwatch's poller on one thread walks every device
#     with the system and if profiles (11 IF-MIB columns, GETBULK, all devices in flight at
#     once), ROUNDS rounds (default 10); printed: devices polled per second and samples per poll;
#   snmpbulkwalk -v2c of ifTable and ifXTable, run once per device one after another (what a
#     person or a script would run); printed: the time for all devices and devices per second.
# The snmpd instances and the namespace (with its interfaces) are removed at the end.
#
# usage: bench/snmp.sh [DEVICES] [IFACES] [ROUNDS]     (as root)
#   BUILD=dir   the build directory for snmp_bench (default build, configured RelWithDebInfo)
set -euo pipefail
cd "$(dirname "$0")/.."
DEVICES=${1:-10}
IFACES=${2:-100}
ROUNDS=${3:-10}
[ "$DEVICES" -ge 1 ] && [ "$DEVICES" -le 50 ] || { echo "DEVICES: 1 to 50" >&2; exit 2; }
[ "$IFACES" -ge 0 ] && [ "$IFACES" -le 1000 ] || { echo "IFACES: 0 to 1000" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "bench/snmp.sh: run as root (network namespace, dummy links)" >&2; exit 2; }
if ! { command -v snmpbulkwalk && { command -v snmpd || [ -x /usr/sbin/snmpd ]; }; } >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends snmpd snmp libsnmp-dev >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends snmpd snmp libsnmp-dev >/dev/null; }
fi
SNMPD=$(command -v snmpd || echo /usr/sbin/snmpd)
BUILD=${BUILD:-build}
NS=kwsnmpbench$$
WORK=$(mktemp -d /tmp/kw-bench-snmp.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKW_CONSOLE=OFF >/dev/null
ninja -C "$BUILD" -j1 snmp_bench >/dev/null

ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
# veth pairs inside the namespace (both ends there; no dummy driver needed): IFACES interfaces
for i in $(seq 1 $(((IFACES + 1) / 2))); do
  ip netns exec "$NS" ip link add "kwb${i}a" type veth peer name "kwb${i}b"
  ip netns exec "$NS" ip link set "kwb${i}a" up
  ip netns exec "$NS" ip link set "kwb${i}b" up
done
IFACES=$(( (IFACES + 1) / 2 * 2 ))

echo "snmp:" > "$WORK/kw.yaml"
echo "  devices:" >> "$WORK/kw.yaml"
for d in $(seq 1 "$DEVICES"); do
  port=$((20160 + d))
  mkdir -p "$WORK/d$d/persist"
  printf 'agentAddress udp:127.0.0.1:%s\nrocommunity kwbench 127.0.0.1\n' "$port" > "$WORK/d$d/snmpd.conf"
  SNMP_PERSISTENT_DIR="$WORK/d$d/persist" ip netns exec "$NS" "$SNMPD" -C -c "$WORK/d$d/snmpd.conf" \
    -Lf "$WORK/d$d/snmpd.log" -f -I -smux &
  PIDS+=($!)
  printf '    - {name: d%s, address: "127.0.0.1:%s", community: kwbench, interval: 1m, timeout: 5s, retries: 0}\n' \
    "$d" "$port" >> "$WORK/kw.yaml"
done
for d in $(seq 1 "$DEVICES"); do  # every agent answers (and has its interface cache warm) before timing
  for _ in $(seq 1 50); do
    ip netns exec "$NS" snmpget -v2c -c kwbench -t 1 -r 0 "127.0.0.1:$((20160 + d))" 1.3.6.1.2.1.1.3.0 \
      >/dev/null 2>&1 && break
    sleep 0.2
  done
  ip netns exec "$NS" snmpbulkwalk -v2c -c kwbench "127.0.0.1:$((20160 + d))" 1.3.6.1.2.1.2.2 >/dev/null
done

echo "== $DEVICES snmpd instances with $((IFACES + 1)) interfaces each ($(nproc) CPUs, $(uname -m))"
kw=$(ip netns exec "$NS" "$BUILD/snmp_bench" "$WORK/kw.yaml" "$ROUNDS")
kw_rate=$(echo "$kw" | sed -n 's/.*: \([0-9.]*\) devices\/s.*/\1/p')
walk_start=$(date +%s.%N)
for r in $(seq 1 "$ROUNDS"); do
  for d in $(seq 1 "$DEVICES"); do
    for t in 1.3.6.1.2.1.2.2 1.3.6.1.2.1.31.1.1; do
      ip netns exec "$NS" snmpbulkwalk -v2c -c kwbench -Cr25 "127.0.0.1:$((20160 + d))" "$t" >/dev/null
    done
  done
done
walk_end=$(date +%s.%N)
walk_secs=$(echo "$walk_end - $walk_start" | bc -l)
walk_rate=$(echo "$DEVICES * $ROUNDS / $walk_secs" | bc -l)
printf '%-44s %12s %14s\n' "tool" "devices/s" "time/round"
printf '%-44s %12.1f %13.3fs   (%s)\n' "keepwatch poller (1 thread, all in flight)" "$kw_rate" \
  "$(echo "$DEVICES / $kw_rate" | bc -l)" "$(echo "$kw" | sed 's/^polls [0-9]* //')"
printf '%-44s %12.1f %13.3fs\n' "snmpbulkwalk ifTable+ifXTable, per device" "$walk_rate" \
  "$(echo "$walk_secs / $ROUNDS" | bc -l)"
printf 'keepwatch / snmpbulkwalk: %.2fx\n' "$(echo "$kw_rate / $walk_rate" | bc -l)"
