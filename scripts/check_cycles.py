#!/usr/bin/env python3
"""No source file calls back into a file that calls it (issue 14, ../shared/DESIGN.md "Layout").

Reads a static library's members with nm: each member's defined functions and data, and the
symbols it uses; a pair of members that use each other's symbols is a cycle. Prints each one
with the symbols on both sides and exits 1; exits 0 when there is none.

    check_cycles.py libkwcore.a
"""
import collections
import subprocess
import sys


def members(archive):
    out = subprocess.run(["nm", "-A", archive], capture_output=True, text=True, check=True).stdout
    defs, uses = {}, collections.defaultdict(set)
    for line in out.splitlines():  # ARCHIVE:MEMBER:VALUE TYPE NAME, or ARCHIVE:MEMBER:   U NAME
        fields = line.split(":", 2)
        if len(fields) != 3:
            continue
        member, parts = fields[1], fields[2].split()
        if len(parts) == 3 and parts[1] in "TDBR":
            defs[parts[2]] = member
        elif len(parts) == 2 and parts[0] == "U":
            uses[member].add(parts[1])
    return defs, uses


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    defs, uses = members(argv[1])
    calls = collections.defaultdict(lambda: collections.defaultdict(set))
    for m, syms in uses.items():
        for s in syms:
            if s in defs and defs[s] != m:
                calls[m][defs[s]].add(s)
    found = 0
    for a in sorted(calls):
        for b in sorted(calls[a]):
            if a < b and a in calls.get(b, {}):
                found += 1
                print(f"{a} -> {b}: {', '.join(sorted(calls[a][b])[:5])}\n{b} -> {a}: {', '.join(sorted(calls[b][a])[:5])}")
    print(f"{found} cycles among {len(set(defs.values()) | set(uses))} files")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
