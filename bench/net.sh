#!/usr/bin/env bash
# bench/net.sh: capture analysis throughput and memory, keepwatch beside its peers.
#
# Generates a capture of PACKETS packets (default 10 million: ordinary TCP sessions between
# 20,000 clients and 64 servers, with a SYN flood from FLOOD_SOURCES random spoofed sources,
# default 1.5 million, through the middle third), then reads it with each tool from the page
# cache, best of 3 runs, printing packets per second and peak RSS:
#   tcpdump -n -r FILE -w /dev/null   the plain libpcap read
#   keepwatch net analyze FILE        decoding and every detector
#   softflowd -r FILE                 flow accounting (exports NetFlow to 127.0.0.1)
#   argus -r FILE -w /dev/null        flow auditing
# Then the live path: keepwatch serve captures on one end of a veth pair in a network
# namespace the script creates, while tcpreplay sends the same capture into the other end
# (another namespace) at rising rates; printed: the highest rate with zero kernel drops.
# Peers are installed from Debian by this script; the namespaces are removed at the end.
#
# usage: bench/net.sh [PACKETS] [FLOOD_SOURCES]
set -euo pipefail
cd "$(dirname "$0")/.."
PACKETS=${1:-10000000}
FLOOD=${2:-1500000}
WORK=$(mktemp -d /tmp/kw-bench-net.XXXXXX)
NSA=kwbench-a$$ NSB=kwbench-b$$ KWPID=""
cleanup() {
  [ -n "$KWPID" ] && kill "$KWPID" 2>/dev/null && wait "$KWPID" 2>/dev/null
  ip netns del "$NSA" 2>/dev/null; ip netns del "$NSB" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building keepwatch (release) and the capture generator"
make -s build >/dev/null
cc -O2 -o "$WORK/gen_pcap" bench/gen_pcap.c
echo "== installing peers from Debian (tcpdump, softflowd, argus-server)"
export DEBIAN_FRONTEND=noninteractive
for p in tcpdump softflowd argus-server tcpreplay; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" && continue
  apt-get install -y -q --no-install-recommends "$p" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "$p" >/dev/null 2>&1; } ||
    echo "   ($p could not be installed; skipped)"
done
(systemctl stop softflowd argus-server || service softflowd stop) >/dev/null 2>&1 || true

CAP="$WORK/bench.pcap"
echo "== generating $PACKETS packets ($FLOOD spoofed SYN flood sources)"
"$WORK/gen_pcap" "$CAP" "$PACKETS" "$FLOOD"
cat "$CAP" >/dev/null  # into the page cache: every tool reads from memory

RESULTS=()
# bench NAME CMD...: best wall time of 3 runs and the peak RSS of that run
bench() {
  local name=$1; shift
  command -v "$1" >/dev/null 2>&1 || [ -x "$1" ] || { echo "   $name: not installed, skipped"; return; }
  local best="" rss=""
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" || true
    read -r t m < <(tail -n 1 "$WORK/time")  # after any "exited with non-zero status" line
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; rss=$m; fi
  done
  local pps; pps=$(echo "$PACKETS / $best" | bc)
  RESULTS+=("$(printf '%-34s %12s %9.2f s %9.1f MB' "$name" "$(printf "%'d" "$pps")" "$best" "$(echo "$rss/1024" | bc -l)")")
  echo "   $name: $best s, $((rss / 1024)) MB"
}

echo "== reading"
bench "tcpdump -r -w /dev/null" tcpdump -n -r "$CAP" -w /dev/null
bench "keepwatch net analyze" ./build/keepwatch net analyze "$CAP"
echo "   keepwatch found: $(cat "$WORK/out")"
bench "softflowd -r (NetFlow to loopback)" softflowd -r "$CAP" -n 127.0.0.1:9995
bench "argus -r -w /dev/null" argus -r "$CAP" -w /dev/null

echo "== live: tcpreplay into a veth pair (namespaces $NSA, $NSB)"
LIVE="live: not measured (needs root, ip netns and tcpreplay)"
if [ "$(id -u)" = 0 ] && command -v tcpreplay >/dev/null && ip netns add "$NSA" 2>/dev/null; then
  ip netns add "$NSB"
  ip link add kwbva netns "$NSA" type veth peer name kwbvb netns "$NSB"
  ip -n "$NSA" link set kwbva up; ip -n "$NSB" link set kwbvb up; ip -n "$NSA" link set lo up
  PORT=18799
  printf 'daemon: {state_dir: %s/live}\nhttp: {listen: 127.0.0.1:%s}\nhost: {enabled: false}\nnet: {interfaces: [kwbva]}\n' \
    "$WORK" "$PORT" > "$WORK/live.yaml"
  ip netns exec "$NSA" ./build/keepwatch serve -c "$WORK/live.yaml" 2>"$WORK/live.log" & KWPID=$!
  sleep 2
  counter() { ip netns exec "$NSA" curl -s "127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 ~ m {print $2}'; }
  best=0 best_rated=0
  for rate in 100000 200000 400000 800000 1600000 3200000; do
    d0=$(counter keepwatch_net_kernel_dropped_total); p0=$(counter keepwatch_net_packets_total)
    n=$((rate * 3)); [ "$n" -gt "$PACKETS" ] && n=$PACKETS
    out=$(ip netns exec "$NSB" tcpreplay -i kwbvb --pps="$rate" --limit="$n" "$CAP" 2>&1 || true)
    rated=$(echo "$out" | sed -n 's/.*Rated: [0-9.]* Bps, [0-9.]* Mbps, \([0-9.]*\) pps.*/\1/p' | head -1)
    # wait until keepwatch has drained its ring: the count stops moving
    p1=-1; for _ in $(seq 20); do sleep 1; q=$(counter keepwatch_net_packets_total); [ "$q" = "$p1" ] && break; p1=$q; done
    d1=$(counter keepwatch_net_kernel_dropped_total)
    drops=$(( ${d1%.*} - ${d0%.*} )); got=$(( ${p1%.*} - ${p0%.*} ))
    echo "   asked $rate pps, tcpreplay sent ${rated:-?} pps: keepwatch captured $got of $n, kernel drops $drops"
    if [ "$drops" = 0 ] && [ "$got" -ge "$n" ]; then best=$rate; best_rated=${rated%.*}; else break; fi
  done
  LIVE="live: $(printf "%'d" "${best_rated:-0}") packets/s replayed with zero kernel drops (asked $(printf "%'d" "$best"); the next step dropped or tcpreplay could go no faster)"
fi

echo
echo "capture analysis, $PACKETS packets (SYN flood from $FLOOD spoofed sources), one core, $(nproc)-core $(uname -m)"
printf '%-34s %12s %11s %12s\n' "tool" "packets/s" "time" "peak RSS"
for r in "${RESULTS[@]}"; do echo "$r"; done
echo "$LIVE"
echo "target: keepwatch at least tcpdump's packet rate (aim: twice), peak RSS at most 64 MB"
