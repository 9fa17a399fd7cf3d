#!/usr/bin/env bash
# bench/scan.sh: TCP ports 1-65535 scanned by `keepwatch scan net` beside `nmap -sT` and
# `nmap -sS` (issue 16, Performance), on two targets:
#   loopback:  127.0.0.1 of a network namespace of the bench's own (so no other program's
#              ports are in the count), with OPEN listeners on random ports;
#   namespace: a host in a second namespace behind a veth pair (10.250.N.2/30), the scanner in
#              the first, with OPEN listeners there.
# Each tool runs RUNS times per target (after one warm-up); printed: the median, min and max
# wall time, the ratio of nmap's median to keepwatch's, and whether each tool found exactly the
# listeners' ports open. nmap is installed from Debian when it is missing. The listeners and the
# namespaces are removed at the end.
#
# usage: bench/scan.sh [RUNS] [OPEN]     (as root; RUNS default 5, OPEN default 10)
#   BUILD=dir   the build directory for keepwatch (default build, configured RelWithDebInfo)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
OPEN=${2:-10}
[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 50 ] || { echo "RUNS: 1 to 50" >&2; exit 2; }
[ "$OPEN" -ge 1 ] && [ "$OPEN" -le 200 ] || { echo "OPEN: 1 to 200" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "bench/scan.sh: run as root (network namespaces, nmap -sS)" >&2; exit 2; }
if ! command -v nmap >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends nmap >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends nmap >/dev/null; }
fi
BUILD=${BUILD:-build}
NS_S=kwscanbs$$ NS_T=kwscanbt$$
VS=kwsb$$ VT=kwtb$$
NET=$((250 - $$ % 5)) SUB=$(($$ % 250))
ADDR_S=10.$NET.$SUB.1 ADDR_T=10.$NET.$SUB.2
WORK=$(mktemp -d /tmp/kw-bench-scan.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  ip netns del "$NS_S" 2>/dev/null || true
  ip netns del "$NS_T" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKW_CONSOLE=OFF >/dev/null
ninja -C "$BUILD" -j1 keepwatch >/dev/null
KW=$(realpath "$BUILD/keepwatch")

for ns in "$NS_S" "$NS_T"; do
  ip netns add "$ns"
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip netns exec "$ns" ip link set lo up
done
ip link add "$VS" netns "$NS_S" type veth peer name "$VT" netns "$NS_T"
ip netns exec "$NS_S" ip addr add "$ADDR_S/30" dev "$VS"
ip netns exec "$NS_T" ip addr add "$ADDR_T/30" dev "$VT"
ip netns exec "$NS_S" ip link set "$VS" up
ip netns exec "$NS_T" ip link set "$VT" up

# OPEN listeners on random ports of addr in namespace ns; their ports, sorted, into file.
listen() {
  local ns=$1 addr=$2 file=$3
  ip netns exec "$ns" python3 -c '
import random, socket, sys, time
socks, ports = [], set()
while len(ports) < int(sys.argv[2]):
    s = socket.socket()
    try:
        s.bind((sys.argv[1], random.randint(1025, 65535)))
    except OSError:
        continue
    s.listen(128); socks.append(s); ports.add(s.getsockname()[1])
open(sys.argv[3], "w").write("\n".join(map(str, sorted(ports))) + "\n")
time.sleep(86400)' "$addr" "$OPEN" "$file" &
  PIDS+=($!)
  for _ in $(seq 100); do [ -s "$file" ] && return; sleep 0.1; done
  echo "bench/scan.sh: the listeners did not start" >&2; exit 1
}
listen "$NS_S" 127.0.0.1 "$WORK/open-loopback"
listen "$NS_T" "$ADDR_T" "$WORK/open-namespace"

# The open ports a tool's output names, sorted.
ports_of() {
  case $1 in
    keepwatch) awk '$3 == "open" { split($2, p, "/"); print p[1] }' "$2" | sort -n ;;
    *) grep -o '[0-9]*/open/tcp' "$2" | cut -d/ -f1 | sort -n ;;
  esac
}

# Runs one tool RUNS times against target; prints its row and leaves its median in $MEDIAN.
bench_tool() {
  local tool=$1 target=$2 case=$3 out="$WORK/out" times="$WORK/times" i t0 t1
  local cmd
  case $tool in
    keepwatch) cmd=("$KW" scan net "$target" -p- --open --no-ident --no-store) ;;  # ports only, as nmap -sT/-sS
    "nmap -sT") cmd=(nmap -sT -n -Pn -p- -oG - "$target") ;;
    "nmap -sS") cmd=(nmap -sS -n -Pn -p- -oG - "$target") ;;
  esac
  : > "$times"
  for i in $(seq 0 "$RUNS"); do
    t0=$(date +%s.%N)
    ip netns exec "$NS_S" "${cmd[@]}" > "$out" 2>/dev/null || true
    t1=$(date +%s.%N)
    [ "$i" -gt 0 ] && echo "$t1 - $t0" | bc -l >> "$times" # run 0 is the warm-up
  done
  local same=no
  [ "$(ports_of "$tool" "$out")" = "$(cat "$WORK/open-$case")" ] && same=yes
  MEDIAN=$(sort -n "$times" | sed -n "$(( (RUNS + 1) / 2 ))p")
  printf '  %-10s %-9s %8.3f %8.3f %8.3f   %s\n' "$case" "$tool" "$MEDIAN" "$(sort -n "$times" | head -1)" \
    "$(sort -n "$times" | tail -1)" "$same"
}

echo "TCP ports 1-65535, $RUNS runs after a warm-up, $OPEN listeners; wall seconds"
printf '  %-10s %-9s %8s %8s %8s   %s\n' target tool median min max "same open ports as the listeners"
for case in loopback namespace; do
  target=127.0.0.1
  [ "$case" = namespace ] && target=$ADDR_T
  bench_tool keepwatch "$target" "$case"; kw=$MEDIAN
  bench_tool "nmap -sT" "$target" "$case"; st=$MEDIAN
  bench_tool "nmap -sS" "$target" "$case"; ss=$MEDIAN
  printf '  %-10s nmap -sT / keepwatch %.2fx, nmap -sS / keepwatch %.2fx\n' "$case" \
    "$(echo "$st / $kw" | bc -l)" "$(echo "$ss / $kw" | bc -l)"
done

# ---- service identification of 20 services beside nmap -sV ----
# bench/scan_ident.sh starts 20 local services and times `keepwatch scan service` (the same
# identification `scan net` runs on every open port) beside `nmap -sV`.
echo "service identification beside nmap -sV: bench/scan_ident.sh"
