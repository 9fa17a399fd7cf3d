#!/usr/bin/env python3
"""Writes vulnerability data of the Debian security tracker's shape for benchmarks and tests:
the JSON export (https://security-tracker.debian.org/tracker/data/json: {source: {CVE:
{description, scope, debianbug, releases: {release: {status, repositories, fixed_version,
urgency}}}}}) and, optionally, debsecan's per-suite feed of the same data (zlib text:
"VERSION 1", NAME,FLAGS,DESC lines, blank, PKG,INDEX,FLAGS,FIXED,OTHER lines, blank,
SOURCE,BINARIES lines). Synthetic: made-up CVE numbers and text, deterministic by --seed.

The source packages of --status (a dpkg status file) are included first, with CVEs fixed
before, at and after their installed versions, so a scan of that host finds something."""
import argparse, json, random, re, zlib

RELEASES = ["bullseye", "bookworm", "trixie", "sid"]
URG = ["not yet assigned", "unimportant", "low", "medium", "high", "low**", "medium**"]
WORDS = ("buffer overflow use-after-free heap out-of-bounds read write integer NULL pointer dereference "
         "in the parser allows remote attackers to cause a denial of service or possibly execute "
         "arbitrary code via a crafted file request certificate packet").split()


def installed_sources(path):
    """{source: version} of the installed packages in a dpkg status file."""
    out = {}
    for stanza in open(path, encoding="utf-8", errors="replace").read().split("\n\n"):
        f = dict(re.findall(r"^([A-Za-z-]+): *(.*)$", stanza, re.M))
        if "installed" not in f.get("Status", "").split() or "Package" not in f:
            continue
        src, ver = f.get("Source", f["Package"]), f.get("Version", "")
        m = re.match(r"(\S+)(?: \((\S+)\))?", src)
        out[m.group(1)] = m.group(2) or ver
    return out


def bump(v, rnd):
    """A version just above v (a later Debian revision)."""
    return v + "+deb12u" + str(rnd.randint(1, 9)) if rnd.random() < 0.5 else v + "." + str(rnd.randint(1, 5))


def release_entry(rnd, ver):
    st = rnd.random()
    urgency = rnd.choice(URG)
    if st < 0.12:
        return {"status": "open", "repositories": {}, "urgency": urgency}
    if st < 0.30:
        return {"status": "resolved", "repositories": {}, "fixed_version": "0", "urgency": "unimportant"}
    if st < 0.34:
        return {"status": "undetermined", "repositories": {}, "urgency": urgency}
    fixed = bump(ver, rnd) if rnd.random() < 0.3 else ver.split("-")[0] if rnd.random() < 0.5 else "0.1-1"
    return {"status": "resolved", "repositories": {"bookworm": ver}, "fixed_version": fixed, "urgency": urgency}


def generate(args):
    rnd = random.Random(args.seed)
    real = installed_sources(args.status) if args.status else {}
    names = list(real) + ["pkg%05d" % i for i in range(max(0, args.packages - len(real)))]
    data, cve = {}, 1000
    for name in names:
        ver = real.get(name, "%d.%d-%d" % (rnd.randint(0, 9), rnd.randint(0, 30), rnd.randint(1, 5)))
        entries = {}
        for _ in range(max(1, int(rnd.expovariate(1 / args.cves)))):
            cve += 1
            desc = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(8, 30)))
            entries["CVE-%d-%05d" % (2015 + cve % 10, cve)] = {
                "description": desc, "scope": rnd.choice(["local", "remote"]), "debianbug": rnd.randint(100000, 1100000),
                "releases": {r: release_entry(rnd, ver) for r in RELEASES if rnd.random() < 0.9}}
        data[name] = entries
    return data


def debsecan_feed(data, release):
    """The feed debsecan reads for `release`, as zlib-compressed bytes."""
    vulns, lines, index = [], [], {}
    flag_urg = {"low": "L", "medium": "M", "high": "H"}
    for pkg, cves in data.items():
        for cve, e in cves.items():
            rel = e["releases"].get(release)
            if not rel or (rel["status"] == "resolved" and rel.get("fixed_version") == "0"):
                continue
            if cve not in index:
                index[cve] = len(vulns)
                vulns.append("%s,,%s" % (cve, e["description"][:100].replace(",", " ")))
            fixed = rel.get("fixed_version", "") if rel["status"] == "resolved" else ""
            urg = flag_urg.get(rel["urgency"].rstrip("*"), " ")
            flags = "S" + urg + ("R" if e["scope"] == "remote" else " ") + ("F" if fixed else " ")
            lines.append("%s,%d,%s,%s," % (pkg, index[cve], flags, fixed))
    text = "VERSION 1\n" + "\n".join(vulns) + "\n\n" + "\n".join(lines) + "\n\n" + "\n".join(
        "%s," % p for p in data) + "\n"
    return zlib.compress(text.encode())


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--packages", type=int, default=35000, help="source packages (default 35000: the real count)")
    ap.add_argument("--cves", type=float, default=4.0, help="mean CVEs per package (4: about the real export's 70 MB)")
    ap.add_argument("--status", help="a dpkg status file whose source packages are included")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True, help="the tracker JSON to write")
    ap.add_argument("--debsecan", help="also write debsecan's feed for --release here")
    ap.add_argument("--release", default="bookworm")
    args = ap.parse_args()
    data = generate(args)
    with open(args.out, "w") as f:
        json.dump(data, f, separators=(",", ":"))
    if args.debsecan:
        with open(args.debsecan, "wb") as f:
            f.write(debsecan_feed(data, args.release))


if __name__ == "__main__":
    main()
