#!/bin/sh
# OS package vulnerability scan, side by side with debsecan (Debian).
#
# bench/gen_vuln.py writes vulnerability data of the real size and shape: the security
# tracker's JSON export for 35,000 source packages (this machine's installed ones first, with
# CVEs fixed before, at and after their versions) and the same data as debsecan's bookworm feed.
# Then, each from the page cache and pinned to one core:
#   keepwatch vuln import     compile the JSON export into the index (once per update)
#   keepwatch scan packages   this machine's /var/lib/dpkg/status against the index
#   debsecan                  the same status file against the same data, read from the feed
#                             through a file:// URL (it parses the whole feed on every run)
# Prints wall time, CPU time and peak RSS (/usr/bin/time -v) and the findings of each.
# Usage: bench/scan_pkg.sh [PACKAGES]   (default 35000). Installs debsecan and time if missing.
set -eu
PACKAGES=${1:-35000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${KEEPWATCH_BIN:-$ROOT/build/keepwatch}
[ -x "$BIN" ] || BIN=$ROOT/build-rel/keepwatch
WORK=$(mktemp -d /tmp/kw-bench-pkg.XXXXXX)
CORE=${KW_BENCH_CORE:-1}
trap 'rm -rf "$WORK"' EXIT INT TERM

need=""
command -v debsecan >/dev/null || need="$need debsecan"
[ -x /usr/bin/time ] || need="$need time"
command -v taskset >/dev/null || need="$need util-linux"
if [ -n "$need" ]; then
    echo "installing$need" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need >/dev/null
fi
[ -x "$BIN" ] || { echo "no keepwatch binary at $BIN (make build first)" >&2; exit 2; }

mkdir -p "$WORK/feed"
t0=$(date +%s.%N)
python3 "$ROOT/bench/gen_vuln.py" --packages "$PACKAGES" --status /var/lib/dpkg/status \
    --out "$WORK/tracker.json" --debsecan "$WORK/feed/bookworm"
t1=$(date +%s.%N)
echo "== data: $PACKAGES source packages; tracker JSON $(du -m "$WORK/tracker.json" | cut -f1) MB," \
     "debsecan feed $(du -k "$WORK/feed/bookworm" | cut -f1) KB (generated in $(echo "$t1 - $t0" | bc) s);" \
     "$(grep -c '^Package:' /var/lib/dpkg/status) installed packages here; $(nproc) CPUs"
cat "$WORK/tracker.json" "$WORK/feed/bookworm" > /dev/null   # into the page cache

# measure NAME OUTFILE CMD...: one run under /usr/bin/time -v, pinned to $CORE; its report
# is kept in OUTFILE.time
measure() {
    name=$1; out=$2; shift 2
    taskset -c "$CORE" /usr/bin/time -v "$@" > "$out" 2> "$out.time" || true
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$out.time" | awk -F: '{ print $(NF-1) * 60 + $NF }')
    user=$(sed -n 's/.*User time (seconds): //p' "$out.time")
    sys=$(sed -n 's/.*System time (seconds): //p' "$out.time")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$out.time")
    printf '%-34s %8.2f s %8.2f s CPU %8.1f MB' "$name" "$wall" "$(echo "$user + $sys" | bc)" "$(echo "$rss / 1024" | bc -l)"
}

echo
printf '%-34s %10s %14s %11s  %s\n' "" "wall" "" "peak RSS" "findings"
measure "keepwatch vuln import" "$WORK/import.out" "$BIN" vuln import --dir "$WORK/idx" "$WORK/tracker.json"
echo "  ($(du -m "$WORK/idx/vuln.idx" | cut -f1) MB index)"
measure "keepwatch scan packages" "$WORK/kw.out" "$BIN" scan packages --db "$WORK/idx/vuln.idx" --release bookworm
echo "  $(wc -l < "$WORK/kw.out") (package, CVE)"
measure "keepwatch scan packages --json" "$WORK/kw.json" "$BIN" scan packages --json --db "$WORK/idx/vuln.idx" --release bookworm
echo "  $(wc -l < "$WORK/kw.json") ECS documents"
measure "debsecan (feed via file://)" "$WORK/debsecan.out" debsecan --suite bookworm --source "file://$WORK/feed/" --format detail
echo "  $(grep -c '^CVE-' "$WORK/debsecan.out" || true) (binary package, CVE)"
[ -s "$WORK/debsecan.out" ] || { echo "debsecan printed nothing:" >&2; head -5 "$WORK/debsecan.out.time" >&2; }

# the same answers: with --unimportant keepwatch reports what debsecan does (it has no such
# filter), per CVE
"$BIN" scan packages --unimportant --json --db "$WORK/idx/vuln.idx" --release bookworm 2>/dev/null |
    python3 -c 'import json, sys; print("\n".join(sorted({json.loads(l)["vulnerability.id"] for l in sys.stdin})))' > "$WORK/kw.cves"
grep -o '^CVE-[0-9-]*' "$WORK/debsecan.out" | sort -u > "$WORK/debsecan.cves"
if cmp -s "$WORK/kw.cves" "$WORK/debsecan.cves"; then
    echo "same CVEs as debsecan: $(wc -l < "$WORK/kw.cves")"
else
    echo "CVEs differ from debsecan's (< keepwatch only, > debsecan only):"
    diff "$WORK/kw.cves" "$WORK/debsecan.cves" | grep '^[<>]' | head -20
fi
