#!/usr/bin/env bash
# bench/host.sh: the cost of watching one machine, keepwatch beside its peers.
#
# Each tool collects host metrics once a second and runs 10 service checks against services
# this script starts on 127.0.0.1 (3 TCP ports, 3 HTTP URLs, 1 TLS certificate, 2 processes,
# 1 command), for DURATION seconds after a warm-up. Printed per tool: CPU as % of one core
# (user + system of the tool's whole process tree, children included) and peak RSS.
#   monit                     set daemon 1, the same 10 checks
#   prometheus-node-exporter  scraped once a second (the exporter's cost, not the scraper's)
#   netdata                   its defaults (1 s collection, every plugin it starts)
# Peers are installed from Debian by this script; everything it starts is stopped by PID.
#
# usage: bench/host.sh [DURATION_SECONDS]     (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-60}
WARMUP=5
WORK=$(mktemp -d /tmp/kw-bench-host.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
exec 3>&2  # keep the shell's own job messages ("Killed") out of the figures

echo "== building keepwatch (release)"
make -s build >/dev/null

echo "== installing peers from Debian (monit, prometheus-node-exporter, netdata)"
export DEBIAN_FRONTEND=noninteractive
have() { command -v "$1" >/dev/null 2>&1; }
if ! have monit || ! have prometheus-node-exporter || ! [ -x /usr/sbin/netdata ]; then
  apt-get install -y -q --no-install-recommends monit prometheus-node-exporter netdata >/dev/null 2>&1 || {
    apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends monit prometheus-node-exporter netdata >/dev/null 2>&1
  } || echo "   (some peers could not be installed; they are skipped)"
fi
# the packages start their services on install where an init system runs: stop them
for s in monit prometheus-node-exporter netdata; do
  (systemctl stop "$s" || service "$s" stop) >/dev/null 2>&1 || true
done
pkill -x monit 2>/dev/null || true; pkill -f prometheus-node-exporter 2>/dev/null || true; pkill -x netdata 2>/dev/null || true

echo "== starting the services the checks watch (127.0.0.1 only)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
TCP=() HTTP=()
for i in 1 2 3; do
  p=$(free_port); TCP+=("$p")
  python3 -c "import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind(('127.0.0.1',$p)); s.listen(128)
while True:
    c,_=s.accept(); c.close()" & PIDS+=($!)
done
mkdir -p "$WORK/www" && echo "keepwatch bench ok" > "$WORK/www/index.html"
for i in 1 2 3; do
  p=$(free_port); HTTP+=("$p")
  python3 -m http.server "$p" --bind 127.0.0.1 --directory "$WORK/www" >/dev/null 2>&1 & PIDS+=($!)
done
TLS=$(free_port)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 90 \
  -subj "/CN=localhost" >/dev/null 2>&1
openssl s_server -quiet -accept "127.0.0.1:$TLS" -cert "$WORK/cert.pem" -key "$WORK/key.pem" -www >/dev/null 2>&1 &
PIDS+=($!)
sleep 1

# CPU ticks (utime+stime+cutime+cstime) of a process and all its descendants
tree_pids() { local p=$1; echo "$p"; for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do tree_pids "$c"; done; }
# (a child may exit between being listed and being read: count it as 0)
tree_ticks() { local t=0 v; for p in $(tree_pids "$1"); do
    v=$(sed 's/.*) //' /proc/"$p"/stat 2>/dev/null | awk '{print $12+$13+$14+$15}'); t=$((t + ${v:-0})); done; echo $t; }
tree_rss_kb() { local t=0 v; for p in $(tree_pids "$1"); do
    v=$(awk '/^VmRSS/{print $2}' /proc/"$p"/status 2>/dev/null); t=$((t + ${v:-0})); done; echo $t; }
hwm_kb() { awk '/^VmHWM/{print $2}' /proc/"$1"/status; }
HZ=$(getconf CLK_TCK)
RESULTS=()

# measure NAME PID: samples peak tree RSS every second during the run
measure() {
  local name=$1 pid=$2 peak=0
  sleep "$WARMUP"
  if ! kill -0 "$pid" 2>/dev/null; then echo "   $name exited early; skipped"; return; fi
  local t0 ticks0; t0=$(date +%s.%N); ticks0=$(tree_ticks "$pid")
  for _ in $(seq "$DURATION"); do
    sleep 1
    if [ -n "${SCRAPE:-}" ]; then curl -s -o /dev/null "$SCRAPE" || true; fi
    local r; r=$(tree_rss_kb "$pid"); [ "$r" -gt "$peak" ] && peak=$r
  done
  local t1 ticks1; t1=$(date +%s.%N); ticks1=$(tree_ticks "$pid")
  local cpu; cpu=$(echo "scale=3; ($ticks1 - $ticks0) * 100 / $HZ / ($t1 - $t0)" | bc)
  local hwm; hwm=$(hwm_kb "$pid")
  RESULTS+=("$(printf '%-26s %8s%% %10.1f MB %12.1f MB' "$name" "$cpu" "$(echo "$hwm/1024" | bc -l)" "$(echo "$peak/1024" | bc -l)")")
  echo "   $name: ${cpu}% of a core, peak RSS $((hwm / 1024)) MB (tree $((peak / 1024)) MB)"
}

echo "== keepwatch ($DURATION s)"
cat > "$WORK/kw.yaml" <<EOF
daemon: {state_dir: $WORK/kw, user: ""}  # root, as the script runs: its temporary directory is root's
http: {listen: 127.0.0.1:$(free_port)}
host: {interval: 1s}
checks:
  - {name: tcp1, type: tcp, host: 127.0.0.1, port: ${TCP[0]}, interval: 1s}
  - {name: tcp2, type: tcp, host: 127.0.0.1, port: ${TCP[1]}, interval: 1s}
  - {name: tcp3, type: tcp, host: 127.0.0.1, port: ${TCP[2]}, interval: 1s}
  - {name: web1, type: http, url: "http://127.0.0.1:${HTTP[0]}/", body_contains: ok, interval: 1s}
  - {name: web2, type: http, url: "http://127.0.0.1:${HTTP[1]}/", interval: 1s}
  - {name: web3, type: http, url: "http://127.0.0.1:${HTTP[2]}/", interval: 1s}
  - {name: cert, type: tls, host: 127.0.0.1, port: $TLS, server_name: localhost, tls_verify: false, interval: 1s}
  - {name: sshd, type: process, process: python3, interval: 1s}
  - {name: opensslsrv, type: process, process: openssl, interval: 1s}
  - {name: job, type: command, command: ["/bin/true"], interval: 1s}
EOF
./build/keepwatch config check -c "$WORK/kw.yaml" >/dev/null
./build/keepwatch serve -c "$WORK/kw.yaml" 2>"$WORK/kw.log" & KW=$!; PIDS+=($KW)
measure "keepwatch" "$KW"
kill "$KW"; wait "$KW" 2>/dev/null || true
if grep -q "is down" "$WORK/kw.log"; then echo "   note: some keepwatch checks failed:"; grep "is down" "$WORK/kw.log" | head -3; fi

if have monit; then
  echo "== monit ($DURATION s, set daemon 1)"
  cat > "$WORK/monitrc" <<EOF
set daemon 1
set logfile $WORK/monit.log
set idfile $WORK/monit.id
set statefile $WORK/monit.state
check system localhost
  if cpu usage > 95% then alert
  if memory usage > 95% then alert
check filesystem root with path /
  if space usage > 95% then alert
check host tcp1 with address 127.0.0.1
  if failed port ${TCP[0]} then alert
  if failed port ${TCP[1]} then alert
  if failed port ${TCP[2]} then alert
  if failed port ${HTTP[0]} protocol http request "/" content = "ok" then alert
  if failed port ${HTTP[1]} protocol http then alert
  if failed port ${HTTP[2]} protocol http then alert
  if failed port $TLS certificate valid > 14 days then alert
check process py matching "python3"
check process ossl matching "openssl s_server"
check program job with path /bin/true
  if status != 0 then alert
EOF
  chmod 600 "$WORK/monitrc"
  monit -t -c "$WORK/monitrc" >/dev/null || { echo "   the monit control file is invalid"; exit 1; }
  monit -I -c "$WORK/monitrc" >/dev/null 2>&1 & M=$!; PIDS+=($M)
  measure "monit 5 (set daemon 1)" "$M"
  kill "$M" 2>/dev/null || true
fi

if have prometheus-node-exporter; then
  echo "== prometheus-node-exporter ($DURATION s, scraped every second)"
  NP=$(free_port)
  prometheus-node-exporter --web.listen-address="127.0.0.1:$NP" >/dev/null 2>&1 & N=$!; PIDS+=($N)
  SCRAPE="http://127.0.0.1:$NP/metrics" measure "node_exporter (1 s scrape)" "$N"
  kill "$N" 2>/dev/null || true
fi

if [ -x /usr/sbin/netdata ]; then
  echo "== netdata ($DURATION s, defaults)"
  NDP=$(free_port)
  /usr/sbin/netdata -D -i 127.0.0.1 -p "$NDP" >/dev/null 2>&1 & ND=$!; PIDS+=($ND)
  measure "netdata (defaults)" "$ND"
  kill "$ND" 2>/dev/null || true
fi

echo
echo "host monitoring, 1 s collection + 10 service checks, ${DURATION} s on $(nproc) cores ($(uname -r))"
printf '%-26s %9s %13s %15s\n' "tool" "CPU" "peak RSS" "peak tree RSS"
for r in "${RESULTS[@]}"; do echo "$r"; done
echo "target: keepwatch <= 0.5% of a core and <= 16 MB RSS"
