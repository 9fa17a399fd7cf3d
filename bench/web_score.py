#!/usr/bin/env python3
"""bench/web_score.py: scores a web scanner's report against tests/integ/vulnweb/truth.json.

    web_score.py TOOL REPORT [--have pg,mysql] [--json]

TOOL is keepwatch (`scan web --json` lines, one ECS document each), wapiti (its -f json
report) or sqlmap (a file of lines "PATH PARAMETER" for the injection points sqlmap confirmed,
written by bench/web.sh from sqlmap's output). Prints one line:
    found=N total=N false=N other=N missed=PLACE,... falsely=PLACE,...
found/total: the seeded vulnerabilities of the truth the tool found (for sqlmap: of the sqli
ones only); false: its findings at a look-alike, or in a category the truth covers but at no
seeded place (nor an allowed one); other: its findings in categories the truth does not cover
(wapiti's CSRF, CRLF, SSRF, XXE, weak credentials, htaccess, ...), shown but not scored.
wapiti's categories are mapped to keepwatch's; wapiti and sqlmap are matched on category, path
and parameter (they have no check ids), keepwatch on its ids too (truth.json's "match")."""
import json
import os
import sys
import urllib.parse

TRUTH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integ", "vulnweb", "truth.json")

# wapiti 3.0.4's vulnerability names -> keepwatch's category (None: a category the truth does not cover)
WAPITI = {
    "Backup file": "sensitive_file", "Potentially dangerous file": "sensitive_file",
    "Blind SQL Injection": "sqli", "SQL Injection": "sqli",
    "Cross Site Scripting": "xss", "Path Traversal": "path_traversal", "Command execution": "command_injection",
    "Open Redirect": "open_redirect",
    "Content Security Policy Configuration": "app_config", "HTTP Secure Headers": "app_config",
    "HttpOnly Flag cookie": "app_config", "Secure Flag cookie": "app_config",
}
WAPITI_HEADERS = {"X-Frame-Options": "KW-WEB-HDR-XFO", "X-Content-Type-Options": "KW-WEB-HDR-XCTO",
                  "Strict-Transport-Security": "KW-WEB-HDR-HSTS", "X-XSS-Protection": None}


class Finding:
    def __init__(self, category, path, parameter, fid=None, name=""):
        self.category, self.path, self.parameter, self.id, self.name = category, path, parameter, fid, name

    def __str__(self):
        return f"{self.id or self.category}@{self.path}" + (f"[{self.parameter}]" if self.parameter else "")


def url_path(u):
    p = urllib.parse.urlsplit(u).path
    return p or "/"


def read_keepwatch(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            d = json.loads(line)
            if "vulnerability.id" not in d:
                continue
            out.append(Finding(d.get("vulnerability.category"), url_path(d.get("url.full", "/")),
                               d.get("keepwatch.finding.parameter"), d["vulnerability.id"]))
    return out


def wapiti_site_id(name, info):
    """The keepwatch id a wapiti site-wide finding stands for, from its name and info text."""
    if name == "Content Security Policy Configuration":
        return "KW-WEB-HDR-CSP"
    if name in ("HttpOnly Flag cookie", "Secure Flag cookie"):
        return "KW-WEB-COOKIE-FLAGS"
    for h, fid in WAPITI_HEADERS.items():
        if h.lower() in info.lower():
            return fid or "other"
    return None


def read_wapiti(path):
    with open(path) as f:
        rep = json.load(f)
    out = []
    for group in ("vulnerabilities", "anomalies"):
        for name, items in (rep.get(group) or {}).items():
            for it in items or []:
                cat = WAPITI.get(name)
                p, param, info = it.get("path") or "/", it.get("parameter") or None, it.get("info") or ""
                fid = None
                if cat == "app_config":
                    fid = wapiti_site_id(name, info)
                    if fid == "other":
                        cat = None
                    if fid == "KW-WEB-COOKIE-FLAGS":
                        param = info.rsplit(" ", 1)[-1] if info else param   # "... cookie : NAME"
                    else:
                        param = None
                    p = "/"
                elif cat == "sensitive_file":
                    param = None
                out.append(Finding(cat, p, param, fid, name))
    return out


def read_sqlmap(path):
    out = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                out.append(Finding("sqli", parts[0], parts[1], None, "sqlmap"))
    return out


def places(e):
    return [e["path"], *e.get("alt_paths", [])]


def satisfies(f, e, by_id):
    if f.category != e.get("category", f.category) or f.parameter != e.get("parameter"):
        return False
    if f.path not in places(e):
        return False
    want = e.get("id")
    if want and (by_id or f.id):
        return f.id == want or (want.startswith("KW-WEB-SQLI-") and (f.id or "").startswith("KW-WEB-SQLI-"))
    return True


def hits_lookalike(f, e):
    if e.get("prefix"):
        at = f.path.startswith(e["path"])
    else:
        at = f.path == e["path"] and f.parameter == e.get("parameter")
    if not at:
        return False
    return "*" in e.get("not", []) or f.category in e.get("not", []) or (f.id or "") in e.get("not_ids", [])


def allowed(f, e):
    return (f.path == e["path"] and f.parameter == e.get("parameter")
            and (e.get("id") == f.id if e.get("id") else e.get("category") == f.category))


def score(findings, truth, have, only=None, by_id=False):
    """(found, total, false, other, missed, falsely) of findings against truth."""
    vulns = [e for e in truth["vulns"] if (not e.get("needs") or e["needs"] in have)
             and (only is None or e["category"] in only)]
    looks = [e for e in truth["lookalikes"] if not e.get("needs") or e["needs"] in have]
    covered = {e["category"] for e in truth["vulns"]}
    found = [e for e in vulns if any(satisfies(f, e, by_id) for f in findings)]
    missed = [e for e in vulns if e not in found]
    falsely, other = [], []
    for f in findings:
        if any(hits_lookalike(f, e) for e in looks):
            falsely.append(f)
        elif f.category not in covered:
            other.append(f)
        elif not any(satisfies(f, e, by_id) for e in truth["vulns"]) and not any(allowed(f, e) for e in truth["allowed"]):
            falsely.append(f)
    return found, vulns, falsely, other, missed


def name(e):
    return f"{e.get('id')}@{e['path']}" + (f"[{e['parameter']}]" if e.get("parameter") else "")


def main(argv):
    if len(argv) < 3 or argv[1] not in ("keepwatch", "wapiti", "sqlmap"):
        print(__doc__, file=sys.stderr)
        return 2
    tool, report = argv[1], argv[2]
    have = set()
    if "--have" in argv:
        have = {x for x in argv[argv.index("--have") + 1].split(",") if x}
    with open(TRUTH) as f:
        truth = json.load(f)
    reader = {"keepwatch": read_keepwatch, "wapiti": read_wapiti, "sqlmap": read_sqlmap}[tool]
    findings = reader(report) if os.path.exists(report) else []
    found, vulns, falsely, other, missed = score(findings, truth, have, only={"sqli"} if tool == "sqlmap" else None,
                                                  by_id=tool == "keepwatch")
    res = {"found": len(found), "total": len(vulns), "false": len(falsely), "other": len(other),
           "missed": [name(e) for e in missed], "falsely": sorted({str(f) for f in falsely}),
           "others": sorted({f"{f.name}@{f.path}" for f in other})}
    if "--json" in argv:
        print(json.dumps(res))
    else:
        print(f"found={res['found']} total={res['total']} false={res['false']} other={res['other']} "
              f"missed={','.join(res['missed'])} falsely={','.join(res['falsely'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
