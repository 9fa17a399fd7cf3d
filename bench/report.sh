#!/usr/bin/env bash
# bench/report.sh: the reports at scale (issue 20, "Performance"): a store with ALERTS alerts
# (default 100,000, a tenth acknowledged and resolved, with their history), FINDINGS findings
# (default 10,000) and DAYS days (default 30) of minute metric history, filled fast by
# tests/helpers/kw_report_fill (the store API for the alerts, SQL for the rest), then
#   keepwatch report daily --format pdf (target: under 2 s), html, json; report period pdf;
# each RUNS times (default 3), the median and the slowest; beside them the time the console
# takes for its overview: the API calls console/src/overview.ts makes (/api/v1/overview, the
# firing high alert groups, the traffic series), timed with curl against keepwatch serve on the
# same store. No peer ships in Debian: the figures stand beside the console's own.
#
# usage: bench/report.sh [ALERTS] [FINDINGS] [DAYS] [RUNS]
#   BUILD=dir   the build directory (default build, configured RelWithDebInfo; needs the
#               keepwatch and kw_report_fill targets)
set -euo pipefail
cd "$(dirname "$0")/.."
ALERTS=${1:-100000}
FINDINGS=${2:-10000}
DAYS=${3:-30}
RUNS=${4:-3}
BUILD=${BUILD:-build}
BIN=$BUILD/keepwatch
FILL=$BUILD/tests/kw_report_fill
for b in "$BIN" "$FILL"; do
    [ -x "$b" ] || { echo "bench/report.sh: build $b first (cmake -B $BUILD -DCMAKE_BUILD_TYPE=RelWithDebInfo && ninja -C $BUILD keepwatch kw_report_fill)" >&2; exit 2; }
done
command -v curl >/dev/null || { echo "bench/report.sh: curl is needed" >&2; exit 2; }
WORK=$(mktemp -d /tmp/kw-bench-report.XXXXXX)
SERVE=""
trap '[ -n "$SERVE" ] && kill "$SERVE" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DAY=$(TZ=Asia/Shanghai date -d yesterday +%F)
START=$(TZ=Asia/Shanghai date -d '-40 days' +%F)
END=$(TZ=Asia/Shanghai date -d '+10 days' +%F)
mkdir -p "$WORK/var"
cat > "$WORK/keepwatch.yaml" <<YAML
daemon: {state_dir: $WORK/var, user: ""}
http: {listen: 127.0.0.1:$PORT}
host: {enabled: false}
net: {interfaces: []}
builtin_rules: false
findings: {alert_overdue: false, alert_severity: none}
console: {timezone: "+08:00"}
period: {name: 2026 重保, start: "${START}T00:00", end: "${END}T00:00"}
incident: {organisation: 示例单位}
assets:
  - {name: web, addresses: [10.0.0.80, 10.0.0.81, 10.0.0.82]}
YAML

now_ms() { date +%s%3N; }
ROWS=()
# row NAME MS... : the median and the slowest of the runs
row() {
    local name=$1; shift
    local sorted; sorted=$(printf '%s\n' "$@" | sort -n)
    local n=$#; local med; med=$(echo "$sorted" | sed -n "$(( (n + 1) / 2 ))p"); local max; max=$(echo "$sorted" | tail -1)
    ROWS+=("$(printf '%-52s %10s %10s  %s' "$name" "$med" "$max" "${EXTRA:-}")")
}

t0=$(now_ms)
(cd "$WORK/var" && "$OLDPWD/$FILL" "$WORK/var/keepwatch.db" "$DAY" 480 "$ALERTS" "$FINDINGS" "$DAYS")
t1=$(now_ms)
EXTRA="" row "fill the store (kw_report_fill)" $((t1 - t0))

report() { # FORMAT KIND: runs the report RUNS times, a row of its times
    local fmt=$1 kind=$2 out="$WORK/report.$1" times=()
    for _ in $(seq "$RUNS"); do
        local a; a=$(now_ms)
        "$BIN" report "$kind" -c "$WORK/keepwatch.yaml" --format "$fmt" -o "$out" $([ "$kind" = daily ] && echo --date "$DAY") 2>/dev/null
        times+=($(( $(now_ms) - a )))
    done
    EXTRA="$(stat -c %s "$out") bytes" row "keepwatch report $kind --format $fmt" "${times[@]}"
}
report pdf daily
report html daily
report json daily
report md daily
report pdf period

"$BIN" serve -c "$WORK/keepwatch.yaml" > "$WORK/serve.log" 2>&1 &
SERVE=$!
for _ in $(seq 300); do
    curl -fs "http://127.0.0.1:$PORT/api/v1/health" >/dev/null 2>&1 && break
    sleep 0.1
done
TOKEN=$(cat "$WORK/var/api.token")
get() { curl -fs -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$1"; }
ms() { python3 -c "print(round($1 * 1000, 1))"; }
for path in "/api/v1/overview" "/api/v1/alert-groups?state=firing&limit=12&severity=high" \
            "/api/v1/series?prefix=net_target_packets_per_second" "/api/v1/reports/daily?date=$DAY&format=pdf"; do
    times=()
    for _ in $(seq "$RUNS"); do times+=("$(ms "$(get "$path")")"); done
    EXTRA="" row "GET $path" "${times[@]}"
done
kill "$SERVE"; wait "$SERVE" 2>/dev/null || true; SERVE=""

echo
echo "reports: $ALERTS alerts, $FINDINGS findings, $DAYS days of metric history; store SQLite; $RUNS runs each"
echo "(target: the daily PDF under 2 s; the console's overview is the first three GETs, sent at once)"
echo
printf '%-52s %10s %10s  %s\n' "what" "median ms" "slowest ms" "answer"
printf '%s\n' "${ROWS[@]}"
