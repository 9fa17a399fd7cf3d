#!/usr/bin/env bash
# bench/intel.sh: threat-intelligence lists at a million entries (src/intel).
#
# Builds bench/intel_bench.c against the intel sources with -O2 and runs it: for a million
# random IPv4 addresses, a hundred thousand IPv4/IPv6 prefixes of mixed lengths and a
# million domain names it prints the time to read and parse the file, the time to compile
# the tables, the tables' memory, and the mean cost of one lookup (half listed, half not),
# then the peak RSS of the whole run. Nothing leaves the machine; files go to a temporary
# directory that is removed at the end.
#
# usage: bench/intel.sh [ENTRIES]     (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
WORK=$(mktemp -d /tmp/kw-bench-intel.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
CC=${CC:-cc}
$CC -O2 -std=c17 -D_GNU_SOURCE -Isrc -o "$WORK/intel_bench" bench/intel_bench.c \
    src/intel/intel_load.c src/intel/intel_csv.c src/intel/intel_stix.c src/intel/intel_set.c \
    src/intel/intel_watch.c src/core/kw_mem.c src/core/kw_log.c src/core/kw_time.c $(pkg-config --cflags --libs jansson) -lpthread
echo "== $N entries per list ($(nproc) CPUs, $(uname -m))"
/usr/bin/time -f "peak RSS %M KB, %e s in all" "$WORK/intel_bench" "$WORK" "$N"
