#!/usr/bin/env bash
# bench/net.sh: capture analysis throughput and memory, keepwatch beside its peers (issue 12).
#
# Generates two captures of PACKETS packets each (default 10 million, 100,000 packets per
# second of capture time) with bench/gen_pcap.c:
#   issue 3's: ordinary TCP sessions between 20,000 clients and 64 servers, snap length 128,
#     with a SYN flood from FLOOD_SOURCES random spoofed sources (default 1.5 million) through
#     the middle third;
#   the mixed one (gen_pcap --mix, snap length 1514): interleaved HTTP/1.1, TLS 1.3, SSH, MySQL
#     and DNS sessions with whole payloads, the same SYN flood, an NTP/DNS/memcached
#     reflection flood from 20,000 reflectors, a port scan of 1,000 ports and five HTTP
#     requests carrying attacks (SQL injection, XSS, Log4Shell);
# then reads each with each tool from the page cache, best of 3 runs, printing packets per
# second, time, peak RSS and keepwatch's ratio to tcpdump:
#   tcpdump -n -r FILE -w /dev/null   the plain libpcap read
#   keepwatch net analyze FILE        decoding and every detector
#   softflowd -r FILE                 flow accounting (exports NetFlow to 127.0.0.1)
#   argus -r FILE -w /dev/null        flow auditing
#   tshark -r FILE -q                 on the first million packets only (its packets/s is
#                                     over those): without a tap or filter tshark reads
#                                     but does not dissect, so also
#   tshark -r FILE -q -z io,phs       the protocol hierarchy: every packet dissected
# and what keepwatch found in each, against what the capture holds.
# Then the live path: keepwatch serve captures on one end of a veth pair in a network
# namespace the script creates, while tcpreplay sends issue 3's capture into the other end
# (another namespace) at rising rates; printed: the highest rate with zero kernel drops.
# Peers are installed from Debian by this script; the namespaces are removed at the end.
#
# usage: bench/net.sh [PACKETS] [FLOOD_SOURCES]
#   KEEPWATCH=path/to/keepwatch  use that binary instead of building ./build (make build)
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
if [ -z "${KEEPWATCH:-}" ]; then make -s build >/dev/null; KEEPWATCH=./build/keepwatch; fi
cc -O2 -o "$WORK/gen_pcap" bench/gen_pcap.c
echo "== installing peers from Debian (tcpdump, softflowd, argus-server, tshark, tcpreplay)"
export DEBIAN_FRONTEND=noninteractive
for p in tcpdump softflowd argus-server tshark tcpreplay; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" && continue
  apt-get install -y -q --no-install-recommends "$p" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "$p" >/dev/null 2>&1; } ||
    echo "   ($p could not be installed; skipped)"
done
(systemctl stop softflowd argus-server || service softflowd stop) >/dev/null 2>&1 || true

CAP="$WORK/bench.pcap" MIX="$WORK/mix.pcap" PREFIX="$WORK/prefix.pcap"
TSHARK_PACKETS=$((PACKETS < 1000000 ? PACKETS : 1000000))

# bench PACKETS NAME CMD...: best wall time of 3 runs and the peak RSS of that run, as a row
# of TABLE; BEST holds the time, BEST_RSS the peak RSS in KB
TABLE=() BEST="" BEST_RSS=""
bench() {
  local packets=$1 name=$2; shift 2
  BEST=""
  command -v "$1" >/dev/null 2>&1 || [ -x "$1" ] || { echo "   $name: not installed, skipped"; return; }
  local rss=""
  BEST_RSS=""
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" || true
    read -r t m < <(tail -n 1 "$WORK/time")  # after any "exited with non-zero status" line
    if [ -z "$BEST" ] || [ "$(echo "$t < $BEST" | bc)" = 1 ]; then BEST=$t; rss=$m; fi
  done
  [ "$(echo "$BEST < 0.01" | bc)" = 1 ] && BEST=0.01
  local pps; pps=$(echo "$packets / $BEST" | bc)
  TABLE+=("$(printf '%-40s %12s %9.2f s %9.1f MB' "$name" "$(printf "%'d" "$pps")" "$BEST" "$(echo "$rss/1024" | bc -l)")")
  BEST_RSS=$rss
  echo "   $name: $BEST s, $((rss / 1024)) MB"
}

# expect LABEL REGEX: whether keepwatch's report ($WORK/found) has a line matching REGEX
expect() {
  if grep -Eq "$2" "$WORK/found"; then FOUND+=("   found    $1"); else FOUND+=("   MISSED   $1"); fi
}

# read_capture TITLE FILE: every tool on FILE; the table in REPORT, keepwatch's findings in
# $WORK/found
REPORT=()
read_capture() {
  local title=$1 file=$2 t_tcpdump="" t_kw="" rss_kw=""
  TABLE=()
  echo "== reading $title"
  bench "$PACKETS" "tcpdump -r -w /dev/null" tcpdump -n -r "$file" -w /dev/null; t_tcpdump=$BEST
  bench "$PACKETS" "keepwatch net analyze" "$KEEPWATCH" net analyze "$file"; t_kw=$BEST rss_kw=$BEST_RSS
  cp "$WORK/out" "$WORK/found"; tail -n 1 "$WORK/err" | sed 's/^/   /'
  bench "$PACKETS" "softflowd -r (NetFlow to loopback)" softflowd -r "$file" -n 127.0.0.1:9995
  bench "$PACKETS" "argus -r -w /dev/null" argus -r "$file" -w /dev/null
  if command -v tshark >/dev/null; then
    tcpdump -r "$file" -c "$TSHARK_PACKETS" -w "$PREFIX" 2>/dev/null
    local first; first="first $(printf "%'d" "$TSHARK_PACKETS")"
    bench "$TSHARK_PACKETS" "tshark -r -q ($first; no dissection)" tshark -n -r "$PREFIX" -q
    bench "$TSHARK_PACKETS" "tshark -r -q -z io,phs ($first)" tshark -n -r "$PREFIX" -q -z io,phs
  fi
  REPORT+=("" "capture analysis, $title, page cache, $(nproc)-core $(uname -m) (keepwatch reads contents on a second thread)")
  REPORT+=("$(printf '%-40s %12s %11s %12s' "tool" "packets/s" "time" "peak RSS")" "${TABLE[@]}")
  if [ -n "$t_tcpdump" ] && [ -n "$t_kw" ]; then
    REPORT+=("keepwatch: $(printf '%.2f' "$(echo "$t_tcpdump / $t_kw" | bc -l)") x tcpdump's packet rate (target: at least 2), peak RSS $((rss_kw / 1024)) MB (target: at most 64)")
  fi
  REPORT+=("keepwatch found:")
  while IFS= read -r l; do REPORT+=("   $l"); done < "$WORK/found"
}

echo "== generating $PACKETS packets ($FLOOD spoofed SYN flood sources), and the mixed capture"
"$WORK/gen_pcap" "$CAP" "$PACKETS" "$FLOOD"
"$WORK/gen_pcap" "$MIX" "$PACKETS" "$FLOOD" --mix
cat "$CAP" "$MIX" >/dev/null  # into the page cache: every tool reads from memory

read_capture "issue 3's capture: $PACKETS packets, TCP sessions and a SYN flood from $FLOOD spoofed sources" "$CAP"
FOUND=()
expect "the SYN flood on 192.0.2.10:80" 'syn_flood .*-> 192\.0\.2\.10:80/'
REPORT+=("${FOUND[@]}")

read_capture "mixed capture: $PACKETS packets, sessions with payloads, SYN flood, reflection flood, port scan, web attacks" "$MIX"
FOUND=()
expect "the SYN flood on 192.0.2.10:80" 'syn_flood .*-> 192\.0\.2\.10:80/'
expect "the reflection flood on 192.0.2.99 (NTP, DNS, memcached)" 'udp_flood .*-> 192\.0\.2\.99/.*reflection'
expect "the port scan 198.51.100.66 -> 192.0.2.30 (1000 ports)" 'port_scan 198\.51\.100\.66 -> 192\.0\.2\.30/'
# the five attack requests come from 203.0.113.45: a report naming it, or an attack class, is
# content inspection's
WEB='203\.0\.113\.45|sqli|sql.injection|xss|cross.site|log4shell|jndi|sid[: =]'
web=$(grep -Eic "$WEB" "$WORK/found" || true)
if [ "$web" -gt 0 ]; then FOUND+=("   found    $web report(s) of the 5 web attacks from 203.0.113.45");
else FOUND+=("   MISSED   the 5 web attacks from 203.0.113.45 (SQL injection x2, XSS, Log4Shell x2): no content detection in net analyze's report"); fi
other=$(grep -Ev 'syn_flood .*-> 192\.0\.2\.10:80/|udp_flood .*-> 192\.0\.2\.99/|port_scan 198\.51\.100\.66 ' "$WORK/found" |
  grep -Eiv "$WEB" || true)
[ -n "$other" ] && FOUND+=("   also reported (not in the capture's plan):") && while IFS= read -r l; do FOUND+=("      $l"); done <<< "$other"
REPORT+=("${FOUND[@]}")

echo "== live: tcpreplay into a veth pair (namespaces $NSA, $NSB)"
LIVE="live: not measured (needs root, ip netns and tcpreplay)"
if [ "$(id -u)" = 0 ] && command -v tcpreplay >/dev/null && ip netns add "$NSA" 2>/dev/null; then
  ip netns add "$NSB"
  ip link add kwbva netns "$NSA" type veth peer name kwbvb netns "$NSB"
  ip -n "$NSA" link set kwbva up; ip -n "$NSB" link set kwbvb up; ip -n "$NSA" link set lo up
  PORT=18799
  printf 'daemon: {state_dir: %s/live, user: ""}\nhttp: {listen: 127.0.0.1:%s}\nhost: {enabled: false}\nnet: {interfaces: [kwbva]}\n' \
    "$WORK" "$PORT" > "$WORK/live.yaml"
  ip netns exec "$NSA" "$KEEPWATCH" serve -c "$WORK/live.yaml" 2>"$WORK/live.log" & KWPID=$!
  sleep 2
  # /metrics wants the API token keepwatch created in its state directory; 0 when unreadable
  counter() {
    local v; v=$(ip netns exec "$NSA" curl -s -H "Authorization: Bearer $(cat "$WORK/live/api.token" 2>/dev/null)" \
      "127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 ~ m {s += $2} END {print s + 0}')
    echo "${v:-0}"
  }
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

for r in "${REPORT[@]}"; do echo "$r"; done
echo
echo "$LIVE"
echo "target (issue 12): keepwatch at least twice tcpdump's packet rate on both captures, peak RSS at most 64 MB"
