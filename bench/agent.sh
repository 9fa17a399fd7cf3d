#!/usr/bin/env bash
# bench/agent.sh: fan-in, many agents reporting to one keepwatch server (SQLite store).
#
# Enrols AGENTS simulated agents (agent token add + POST /api/v1/agent/enroll), then
# bench/agent_load.py sends each one's batch of 100 samples every 5 s for DURATION seconds.
# Printed: batches and samples per second taken, the answer times (a batch answered is in the
# core's queue; its samples are in the store within the 500 ms group commit after), how many
# took over 2 s, and the server's CPU (% of one core) and peak RSS over the run.
# The agent's own footprint at a 5 s interval is printed too (CPU, RSS of keepwatch agent run);
# the host sensor's cost beside monit, node_exporter and netdata is bench/host.sh's.
# Everything it starts is stopped by PID; all of it on 127.0.0.1.
#
# usage: bench/agent.sh [AGENTS] [DURATION_SECONDS]      (default 500 60)
set -euo pipefail
cd "$(dirname "$0")/.."
AGENTS=${1:-500}
DURATION=${2:-60}
BIN=${KEEPWATCH_BIN:-build/keepwatch}
WORK=$(mktemp -d /tmp/kw-bench-agent.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  rm -rf "$WORK"
}
trap cleanup EXIT
[ -x "$BIN" ] || { echo "== building keepwatch (release)"; make -s build >/dev/null; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
PORT=$(free_port)
cat > "$WORK/server.yaml" <<YAML
daemon: {state_dir: $WORK/server, user: ""}
http: {listen: 127.0.0.1:$PORT, threads: 4, per_address: 256}
host: {enabled: false}
agent: {silent_after: 1h}
YAML
"$BIN" serve -c "$WORK/server.yaml" >"$WORK/server.log" 2>&1 & SERVER=$!; PIDS+=($SERVER)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/api/v1/health" >/dev/null && break; sleep 0.1; done

echo "== enrolling $AGENTS agents"
: > "$WORK/creds"
for i in $(seq "$AGENTS"); do
  tok=$("$BIN" agent token add --name "sim-$i" -c "$WORK/server.yaml" 2>/dev/null)
  curl -sf -X POST -H 'Content-Type: application/json' -d "{\"token\":\"$tok\"}" \
    "http://127.0.0.1:$PORT/api/v1/agent/enroll" | python3 -c 'import json,sys; print(json.load(sys.stdin)["credential"])' \
    >> "$WORK/creds"
done

echo "== $AGENTS agents, a batch of 100 samples each every 5 s, for $DURATION s"
t0=$(cpu_ticks "$SERVER")
python3 bench/agent_load.py "$PORT" "$WORK/creds" --interval 5 --duration "$DURATION" --samples 100
t1=$(cpu_ticks "$SERVER")
hz=$(getconf CLK_TCK)
awk -v d="$((t1 - t0))" -v hz="$hz" -v s="$DURATION" -v rss="$(hwm_kb "$SERVER")" \
  'BEGIN {printf "server: CPU %.1f%% of one core, peak RSS %.1f MB\n", 100 * d / hz / s, rss / 1024}'
sleep 1
curl -s -H "Authorization: Bearer $(cat "$WORK/server/api.token")" "http://127.0.0.1:$PORT/metrics" |
  awk '/^keepwatch_(events_dropped_total|agent_samples_total|store_errors_total) / {printf "server: %s %s\n", $1, $2}'

echo "== the agent's own footprint: keepwatch agent run, host sensor every 5 s, for $DURATION s"
tok=$("$BIN" agent token add --name footprint -c "$WORK/server.yaml" 2>/dev/null)
cat > "$WORK/agent.yaml" <<YAML
daemon: {state_dir: $WORK/agent}
agent: {server: "http://127.0.0.1:$PORT", interval: 5s, timeout: 2s}
host: {enabled: true}
YAML
"$BIN" agent enroll "http://127.0.0.1:$PORT" --token "$tok" -c "$WORK/agent.yaml" >/dev/null
"$BIN" agent run -c "$WORK/agent.yaml" >"$WORK/agent.log" 2>&1 & AGENT=$!; PIDS+=($AGENT)
sleep 2
a0=$(cpu_ticks "$AGENT")
sleep "$DURATION"
a1=$(cpu_ticks "$AGENT")
awk -v d="$((a1 - a0))" -v hz="$hz" -v s="$DURATION" -v rss="$(hwm_kb "$AGENT")" \
  'BEGIN {printf "agent: CPU %.2f%% of one core, peak RSS %.1f MB\n", 100 * d / hz / s, rss / 1024}'
