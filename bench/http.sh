#!/bin/sh
# The API and the console under load, with 10,000 alerts in the store:
#   GET /api/v1/alerts (100 newest, the default page) with wrk, 2 threads, 64 connections,
#   10 s, beside Prometheus Alertmanager's GET /api/v2/alerts holding the same 10,000 alerts;
#   the console's overview page in headless Chromium: time from navigation to the wall drawn.
# Usage: bench/http.sh   Installs wrk, chromium and prometheus-alertmanager if missing, as root.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/keepwatch
[ -x "$BIN" ] || { echo "build keepwatch first: make" >&2; exit 1; }
need=""
command -v wrk >/dev/null || need="$need wrk"
command -v chromium >/dev/null || need="$need chromium fonts-wqy-microhei"
command -v prometheus-alertmanager >/dev/null || need="$need prometheus-alertmanager"
if [ -n "$need" ]; then
    echo "installing$need" >&2
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need >/dev/null
    rm -f /usr/sbin/policy-rc.d
fi
[ -d "$ROOT/console/node_modules/playwright-core" ] || (cd "$ROOT/console" && npm ci --no-audit --no-fund --loglevel=error)
exec python3 "$ROOT/bench/http_load.py" "$BIN"
