#!/bin/sh
# Makes release-v7.db: a SQLite store written by the release before schema 8 (commit 2f1b4bf,
# schema 7), driven through its own daemon and CLI, with its duty keys beside it. See README.md.
#
#   tests/data/store/make-fixture.sh [KEEPWATCH_BINARY_OF_THE_RELEASE]
#
# Without an argument the release is built from git (git archive 2f1b4bf, RelWithDebInfo, no
# console) in a temporary directory. Needs python3 and sqlite3. Takes about two minutes: the
# host sensor runs for a minute so there is metric history, and the webhook (to a loopback port
# nobody listens on) is retried past notify.retry_for so the outbox has failed rows too.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
RELEASE=2f1b4bf
WORK=$(mktemp -d /tmp/kw-fixture.XXXXXX)
DAEMON_PID=
LISTEN_PID=
cleanup() {
    [ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null || true
    [ -n "$LISTEN_PID" ] && kill "$LISTEN_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

if [ $# -ge 1 ]; then
    KW=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
else
    mkdir "$WORK/src"
    git -C "$REPO" archive "$RELEASE" | tar -x -C "$WORK/src"
    cmake -S "$WORK/src" -B "$WORK/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKW_CONSOLE=OFF >/dev/null
    ninja -C "$WORK/build" -j1 keepwatch >/dev/null
    KW=$WORK/build/keepwatch
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HTTP=$(free_port); HOOK=$(free_port)
P1=$(free_port); P2=$(free_port); P3=$(free_port); P4=$(free_port); P5=$(free_port); P6=$(free_port)
CFG=$WORK/keepwatch.yaml
cat >"$CFG" <<YAML
daemon: {state_dir: $WORK/var, user: ""}
http: {listen: 127.0.0.1:$HTTP}
host: {interval: 2s}
checks:
  - {name: db, type: tcp, host: 127.0.0.1, port: $P1, interval: 1s, timeout: 500ms, asset: db01}
  - {name: web, type: tcp, host: 127.0.0.1, port: $P2, interval: 1s, timeout: 500ms, asset: web01}
  - {name: cache, type: tcp, host: 127.0.0.1, port: $P3, interval: 1s, timeout: 500ms, asset: db01}
  - {name: mq, type: tcp, host: 127.0.0.1, port: $P4, interval: 1s, timeout: 500ms}
  - {name: ldap, type: tcp, host: 127.0.0.1, port: $P5, interval: 1s, timeout: 500ms}
  - {name: dns, type: tcp, host: 127.0.0.1, port: $P6, interval: 1s, timeout: 500ms}
departments:
  - {name: security, display: 安全部, kind: security, head: li.na}
people:
  - {name: wang.fang, display: 王芳, phone: "13800000001", email: wang.fang@example.com, departments: [security]}
  - {name: li.na, display: 李娜, phone: "13800000002", departments: [security]}
schedules:
  - name: soc
    layers: [{name: all, rotation: daily, members: [wang.fang, li.na]}]
assets:
  - {name: db01, addresses: [127.0.0.1], business: 网上银行, impact: 用户可能无法查询余额}
  - {name: web01, addresses: [127.0.0.1], business: 门户网站}
notify:
  group_wait: 0s
  retry_for: 60s
  channels:
    - {name: hook, type: webhook, url: "http://127.0.0.1:$HOOK/hook"}
  policies:
    - {name: p, levels: [{notify: ["schedule:soc"], channels: [hook]}]}
  routes:
    - {policy: p, group_by: [check]}
logs:
  inputs: [{name: app, type: file, paths: [$WORK/logs/*.log]}]
YAML
mkdir "$WORK/logs"
printf '%s\n' "Dec  1 10:00:00 web01 sshd[811]: Failed password for root from 203.0.113.7 port 52144 ssh2" \
    "Dec  1 10:00:01 web01 sshd[811]: Accepted publickey for deploy from 198.51.100.4 port 40022 ssh2" \
    >"$WORK/logs/auth.log"
kw() { "$KW" "$@" -c "$CFG"; }
"$KW" config check -c "$CFG" >/dev/null

# users and an API token before the daemon (the CLI makes the store)
echo "correct horse battery staple" | kw user add wang.fang --role officer --display 王芳 --department security
echo "another long password 42" | kw user add li.na --role admin --display 李娜
echo "a viewer's password here" | kw user add wall --role viewer
kw token add li.na --name ci-export --expires 30d >/dev/null

"$KW" serve -c "$CFG" >"$WORK/serve.log" 2>&1 &
DAEMON_PID=$!
json_count() { # the number of alerts `alert list --json` shows in state $1 (any: all)
    kw alert list --all --json 2>/dev/null | python3 -c '
import json, sys
a = json.load(sys.stdin)
a = a["alerts"] if isinstance(a, dict) else a
print(sum(1 for x in a if sys.argv[1] == "any" or x["state"] == sys.argv[1]))' "$1"
}
wait_until() { # wait_until WHAT SECONDS COMMAND...: polls COMMAND until it succeeds
    what=$1; n=$2; shift 2
    while ! "$@" >/dev/null 2>&1; do
        n=$((n - 1))
        [ "$n" -gt 0 ] || { echo "make-fixture: timed out waiting for $what" >&2; tail -20 "$WORK/serve.log" >&2; exit 1; }
        sleep 1
    done
}
six_firing() { [ "$(json_count firing)" -ge 6 ]; }
wait_until "six alerts" 30 six_firing

id_of() { # the id of the alert of check $1
    kw alert list --all --json | python3 -c '
import json, sys
a = json.load(sys.stdin)
a = a["alerts"] if isinstance(a, dict) else a
print(next(x["id"] for x in a if x["labels"].get("check") == sys.argv[1] and x["state"] != "resolved"))' "$1"
}
DB=$(id_of db); WEB=$(id_of web); CACHE=$(id_of cache); MQ=$(id_of mq); LDAP=$(id_of ldap)
kw alert ack "$DB" --by wang.fang --note "上游链路抖动, 已联系运营商"
kw alert assign "$DB" li.na --by wang.fang
kw alert comment "$DB" "carrier ticket 8841 opened" --by li.na
kw alert ack "$WEB" --by li.na --note "looking"
kw alert comment "$WEB" "restart scheduled" --by li.na
kw alert resolve "$WEB" --by li.na --note "restarted the service"
kw alert assign "$CACHE" wang.fang --by li.na
kw alert resolve "$MQ" --by wang.fang --note "decommissioned"
kw duty note --by wang.fang "shift started, 6 checks red"
kw silence add --for 12h --by li.na --comment "ldap maintenance window" check=ldap >/dev/null

# the ldap service comes back: its alert resolves by itself
python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
while True:
    c, _ = s.accept(); c.close()' "$P5" &
LISTEN_PID=$!
ldap_resolved() { kw alert show "$LDAP" --json | grep -q '"state": *"resolved"'; }
wait_until "the ldap alert to resolve" 30 ldap_resolved

# a console session (POST /api/v1/session)
python3 -c 'import json, sys, urllib.request
r = urllib.request.Request("http://127.0.0.1:%s/api/v1/session" % sys.argv[1], method="POST",
    data=json.dumps({"name": "wang.fang", "password": "correct horse battery staple"}).encode())
urllib.request.urlopen(r, timeout=10).read()' "$HTTP"

# a minute of host history; the webhook's first messages run past retry_for (failed)
sleep 60
one_failed() { [ "$(sqlite3 "$WORK/var/keepwatch.db" "SELECT count(*) FROM notify_outbox WHERE state = 'failed'")" -gt 0 ]; }
wait_until "a message to give up on" 120 one_failed
kw duty note --by li.na "carrier confirmed the fault"
kw duty handover --by wang.fang --to li.na >/dev/null
kill "$DAEMON_PID"
wait "$DAEMON_PID" || true
DAEMON_PID=

OUT=$HERE/release-v7.db
rm -f "$OUT"
sqlite3 "$WORK/var/keepwatch.db" "PRAGMA wal_checkpoint(TRUNCATE);" "VACUUM INTO '$OUT';" >/dev/null
for f in duty.key duty_sign.key duty_sign.pub; do
    cp "$WORK/var/$f" "$HERE/$f"
    chmod 0600 "$HERE/$f"
done
chmod 0600 "$OUT"
echo "wrote $OUT ($(wc -c <"$OUT") bytes, schema $(sqlite3 "$OUT" 'PRAGMA user_version'))"
for t in alerts alert_history duty_log duty_checkpoints users sessions api_tokens notify_groups notify_members \
    notify_outbox silences metric_series metric_raw metric_1m meta log_offsets; do
    printf '  %-16s %s\n' "$t" "$(sqlite3 "$OUT" "SELECT count(*) FROM $t" 2>/dev/null || echo -)"
done
