#!/usr/bin/env bash
# bench/web.sh: web application scanning (issue 17, Performance), keepwatch scan web beside
# Debian's wapiti (every attack module of 3.0.4 but wapp, which only fingerprints and downloads
# its database from the internet) and sqlmap (--batch, default level and risk, on each SQL
# injection page: the seeded ones and their look-alikes), on the deliberately vulnerable shop
# tests/integ/vulnweb/app.py with PostgreSQL and MariaDB behind it when installed.
#
# Each tool gets a fresh app on a free 127.0.0.1 port; printed side by side: the seeded
# vulnerabilities it found (of truth.json's), its false positives (a look-alike reported, or a
# covered category at no seeded place), its findings in categories the truth does not cover
# (shown, not scored), the requests it sent (the app's log of that run; sqlmap: all its runs)
# and its wall time; then what each missed and reported falsely. Scored by bench/web_score.py.
# Target: every seeded vulnerability found, none falsely, in fewer requests and less time than
# wapiti. Installs wapiti, sqlmap and the app's Python packages with apt-get when missing.
#
# usage: bench/web.sh
#   BUILD=dir             the CMake build directory for keepwatch (default build, RelWithDebInfo)
#   WAPITI_MAX=s          wapiti's time in all (default 900; then interrupted, it writes the
#                         report of what it found: its buster never ends on a soft-404 site),
#                         WAPITI_MODULE_MAX=s its --max-attack-time per module (default 120);
#                         SQLMAP_MAX=s per sqlmap run (default 600)
#   WAPITI_MODULES=list   wapiti's modules (default: every attack module but wapp; "default":
#                         wapiti's own default set)
#   KW_BENCH_NO_WAPITI=1, KW_BENCH_NO_SQLMAP=1, KW_BENCH_NO_DB=1   leave those out
#   KW_BENCH_KEEP=1       keep the reports (the directory is printed)
set -euo pipefail
cd "$(dirname "$0")/.."
missing=""
for p in wapiti sqlmap python3-jinja2 python3-psycopg2 python3-pymysql; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "bench/web.sh: installing$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $missing >/dev/null; }
fi
BUILD=${BUILD:-build}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKW_CONSOLE=OFF >/dev/null
ninja -C "$BUILD" -j1 keepwatch >/dev/null
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
exec "$PY" bench/web_bench.py "$(realpath "$BUILD/keepwatch")"
