#!/bin/sh
# An alert storm through notifications: keepwatch (10,000 alerts within the minute, grouped,
# to a DingTalk robot at its 20-a-minute limit and a webhook) side by side with Prometheus
# Alertmanager taking the same 10,000 alerts. Prints alerts/s through routing, duty-log
# appends/s and the messages each channel got. Usage: bench/notify.sh [ALERTS]
# Installs prometheus-alertmanager if missing (its service kept from starting), as root.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/keepwatch
[ -x "$BIN" ] || { echo "build keepwatch first: make" >&2; exit 1; }
if ! command -v prometheus-alertmanager >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "installing prometheus-alertmanager" >&2
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus-alertmanager >/dev/null || true
    rm -f /usr/sbin/policy-rc.d
fi
exec python3 "$ROOT/bench/notify_storm.py" "$BIN" "${1:-10000}"
