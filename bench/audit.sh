#!/bin/sh
# Configuration review, side by side with Lynis and OpenSCAP (Debian packages).
#
# Host baseline on this machine, each tool as root, page cache warm:
#   keepwatch audit host --json     every check of the catalogue (ssh, login.defs, PAM, accounts,
#                                   sudo, permissions and file walks, sysctl, services, firewall,
#                                   audit and logs, time, core dumps, mounts, boot, misc)
#   lynis audit system --quick      its default profile, no pauses
#   oscap xccdf eval                scap-security-guide's Debian 11 data stream (the newest Debian
#                                   ships, ssg-debian 0.1.65), its standard profile
# Prints checks run, wall time and peak RSS of each (a shell tool's peak is its largest process),
# then how far keepwatch and each peer agree on the items both cover (bench/audit_agree.py).
# ACL analysis: a generated iptables-save of 5,000 rules (bench/audit_acl_gen.py), exact
# shadowing, redundancy and conflicts, three runs, the best and the median.
# Usage: bench/audit.sh [RULES]   (default 5000). Installs lynis, openscap-scanner and ssg-debian
# if missing, as root.
set -eu
RULES=${1:-5000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/keepwatch
WORK=$(mktemp -d /tmp/kw-bench-audit.XXXXXX)
trap 'rm -rf "$WORK"' EXIT INT TERM

need=""
command -v lynis >/dev/null || need="$need lynis"
command -v oscap >/dev/null || need="$need openscap-scanner"
[ -d /usr/share/xml/scap/ssg/content ] || need="$need ssg-debian"
if [ -n "$need" ]; then
    echo "installing$need" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need >/dev/null
fi
[ -x "$BIN" ] || { echo "build keepwatch first: make" >&2; exit 1; }
DS=$(ls /usr/share/xml/scap/ssg/content/ssg-debian*-ds.xml 2>/dev/null | sort -V | tail -1)

timed() { # OUT TIME CMD...: the command's stdout into OUT, "seconds KB" into TIME
    out=$1 t=$2; shift 2
    /usr/bin/time -f "%e %M" -o "$t" "$@" > "$out" 2> "$out.err" || true
}
mb() { echo "$1 / 1024" | bc -l | awk '{printf "%.1f", $1}'; }

# --- keepwatch
printf 'daemon: {state_dir: %s/var}\n' "$WORK" > "$WORK/kw.yaml"
"$BIN" audit host --json --no-store -c "$WORK/kw.yaml" > /dev/null 2>&1 || true  # warm the cache
timed "$WORK/kw.json" "$WORK/kw.time" "$BIN" audit host --json --no-store -c "$WORK/kw.yaml"
"$BIN" audit checks host --json > "$WORK/kw.cat"
KW_N=$(python3 -c "import json;print(len(json.load(open('$WORK/kw.cat'))))")
KW_R=$(wc -l < "$WORK/kw.json")
KW_S=$(tail -1 "$WORK/kw.time" | cut -d" " -f1); KW_M=$(tail -1 "$WORK/kw.time" | cut -d" " -f2)

# --- lynis
timed "$WORK/lynis.out" "$WORK/lynis.time" lynis audit system --quick --no-colors --no-log \
    --report-file "$WORK/lynis.dat"
LY_S=$(tail -1 "$WORK/lynis.time" | cut -d" " -f1); LY_M=$(tail -1 "$WORK/lynis.time" | cut -d" " -f2)
LY_N=$(sed -n 's/^lynis_tests_done=//p' "$WORK/lynis.dat")

# --- OpenSCAP
OS_S=0 OS_M=0 OS_N="?"
if [ -n "$DS" ]; then
    timed "$WORK/oscap.out" "$WORK/oscap.time" oscap xccdf eval --profile xccdf_org.ssgproject.content_profile_standard \
        --results "$WORK/oscap.xml" "$DS"
    OS_S=$(tail -1 "$WORK/oscap.time" | cut -d" " -f1); OS_M=$(tail -1 "$WORK/oscap.time" | cut -d" " -f2)
    OS_N=$(grep -c '^Result' "$WORK/oscap.out" || true)
    OS_APPLIED=$(grep -c '^Result.*\(pass\|fail\)$' "$WORK/oscap.out" || true)
fi

echo
echo "Host baseline on this machine ($(. /etc/os-release; echo "$PRETTY_NAME"), $(nproc) cores)"
printf '%-56s %8s %10s %12s\n' "tool" "checks" "seconds" "peak RSS MB"
printf '%-56s %8s %10s %12s\n' "keepwatch audit host ($KW_R results)" "$KW_N" "$KW_S" "$(mb "$KW_M")"
printf '%-56s %8s %10s %12s\n' "lynis audit system --quick (tests performed)" "$LY_N" "$LY_S" "$(mb "$LY_M")"
[ -n "$DS" ] && printf '%-56s %8s %10s %12s\n' "oscap xccdf eval, $(basename "$DS") standard (rules)" "$OS_N" "$OS_S" "$(mb "$OS_M")"
[ -n "$DS" ] && [ "${OS_APPLIED:-0}" = 0 ] && echo "  (OpenSCAP: none of its rules applied here: Debian ships no content for this release, and the" \
    "Debian 11 data stream's platform check leaves every rule not applicable)"
echo
if [ -n "$DS" ] && [ -s "$WORK/oscap.xml" ]; then
    python3 "$ROOT/bench/audit_agree.py" "$WORK/kw.json" "$WORK/kw.cat" "$WORK/lynis.dat" /etc/lynis/default.prf "$WORK/oscap.xml"
else
    python3 "$ROOT/bench/audit_agree.py" "$WORK/kw.json" "$WORK/kw.cat" "$WORK/lynis.dat" /etc/lynis/default.prf
fi

# --- ACL analysis
python3 "$ROOT/bench/audit_acl_gen.py" "$RULES" 1 > "$WORK/fw.rules"
for i in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$WORK/acl.$i" "$BIN" audit config --no-store -c "$WORK/kw.yaml" "$WORK/fw.rules" \
        > "$WORK/acl.out" 2> "$WORK/acl.err" || true
done
SUM=$(tail -1 "$WORK/acl.out")
for i in 1 2 3; do tail -1 "$WORK/acl.$i"; done | sort -n | awk 'NR==1 {b=$1; m=$2} NR==2 {med=$1} END {print b, med, m}' > "$WORK/acl.s"
echo
echo "ACL analysis: a generated iptables-save of $RULES rules in INPUT (exact shadowing, redundancy, conflicts)"
printf '%-56s %10s %10s %12s\n' "tool" "best s" "median s" "peak RSS MB"
printf '%-56s %10s %10s %12s\n' "keepwatch audit config" "$(cut -d' ' -f1 "$WORK/acl.s")" "$(cut -d' ' -f2 "$WORK/acl.s")" \
    "$(mb "$(cut -d' ' -f3 "$WORK/acl.s")")"
echo "  $SUM"
