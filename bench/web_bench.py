#!/usr/bin/python3
"""bench/web_bench.py KEEPWATCH: the runs behind bench/web.sh (see there). Starts PostgreSQL and
MariaDB when installed, then for each tool a fresh vulnweb (tests/integ/vulnweb/app.py) on a
free loopback port, runs the tool against it, counts the requests in the app's log, and scores
the tool's report with web_score.py against truth.json. Prints the table and, per tool, what
it missed and what it reported falsely. Every run is bounded by a timeout; all on 127.0.0.1."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integ", "vulnweb"))
sys.path.insert(0, HERE)
from harness import TRUTH, App, exit_on_term, keepwatch_args, start_databases  # noqa: E402
import web_score  # noqa: E402

KW = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="kw-bench-web-")
# wapiti's bounds: WAPITI_MAX seconds in all (then interrupted: it writes the report of what it
# found), WAPITI_MODULE_MAX per module (its --max-attack-time, which it checks only between two
# directories in buster: on a site answering 200 to every unknown path, buster recurses on)
WAPITI_MAX = int(os.environ.get("WAPITI_MAX", "900"))
WAPITI_MODULE_MAX = int(os.environ.get("WAPITI_MODULE_MAX", "120"))
SQLMAP_MAX = int(os.environ.get("SQLMAP_MAX", "600"))        # seconds per sqlmap run
# Every wapiti 3.0.4 attack module but wapp, which fingerprints technologies (no attack) and
# downloads its database from the internet when it has none: nothing may leave the loopback.
WAPITI_MODULES = ("backup,blindsql,brute_login_form,buster,cookieflags,crlf,csp,csrf,exec,file,htaccess,"
                  "http_headers,methods,nikto,permanentxss,redirect,shellshock,sql,ssrf,xss,xxe")
# WAPITI_MODULES=default: wapiti's own default set (no -m); or a list of its modules
WAPITI_MODULES = os.environ.get("WAPITI_MODULES", WAPITI_MODULES)


def timed(argv, out, timeout, interrupt=None):
    """Runs argv (stdout into file out, stderr into out.err) within timeout seconds; returns
    its seconds. interrupt: after that many seconds, a SIGINT every 10 s for at most timeout
    seconds more, with "r" lines on its standard input (wapiti then asks what to do; in 3.0.4
    "r" only moves on to the next module, so each remaining module is cut short so, until it
    writes its report and exits)."""
    t0 = time.monotonic()
    with open(out, "w") as f, open(out + ".err", "w") as e:
        p = subprocess.Popen(argv, stdout=f, stderr=e, stdin=subprocess.PIPE if interrupt else subprocess.DEVNULL)
        if interrupt:
            p.stdin.write(b"r\n" * 64)
            p.stdin.flush()
        try:
            p.wait(interrupt or timeout)
        except subprocess.TimeoutExpired:
            end = time.monotonic() + timeout
            while interrupt and p.poll() is None and time.monotonic() < end:
                e.write(f"\nbench: interrupted after {time.monotonic() - t0:.0f} s\n")
                e.flush()
                p.send_signal(signal.SIGINT)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    pass
        if p.poll() is None:
            e.write(f"\nbench: stopped after {timeout} s more\n")
            p.kill()
            p.wait()
    return time.monotonic() - t0


def login_cookie(app):
    lg = TRUTH["login"]
    body = urllib.parse.urlencode({lg["username_field"]: lg["username"], lg["password_field"]: lg["password"]})

    class Keep(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **kw):
            return None
    try:
        urllib.request.build_opener(Keep).open(app.base + lg["url"], body.encode(), timeout=10)
    except urllib.error.HTTPError as e:   # the 303 after signing in
        return e.headers["Set-Cookie"].split(";")[0]
    raise SystemExit("bench: vulnweb's login did not answer 303")


def run_keepwatch(app, have):
    out = os.path.join(TMP, "keepwatch.json")
    secs = timed([KW, "scan", "web", *keepwatch_args(app, have), "--json", "--no-store"], out, 1800)
    return out, secs


def run_wapiti(app, have):
    out = os.path.join(TMP, "wapiti.json")
    lg = TRUTH["login"]
    modules = [] if WAPITI_MODULES == "default" else ["-m", WAPITI_MODULES]
    argv = ["wapiti", "-u", app.base + "/", "--scope", "folder", *modules, "-f", "json", "-o", out,
            "--flush-session", "--store-session", os.path.join(TMP, "wapiti-session"),
            "--store-config", os.path.join(TMP, "wapiti-config"), "--no-bugreport", "-v", "0",
            "--max-scan-time", str(WAPITI_MAX), "--max-attack-time", str(WAPITI_MODULE_MAX),
            # ssrf and xxe ask an endpoint whether the target called it: a closed local port
            "--endpoint", "http://127.0.0.1:9/",
            # its form login (the login page as its first start URL). The logout link cannot be
            # excluded: 3.0.4's -x fails on Python 3.11 ("global flags not at the start")
            "--auth-type", "post", "-a", f"{lg['username']}%{lg['password']}", "-s", app.base + lg["url"]]
    secs = timed(argv, os.path.join(TMP, "wapiti.out"), 300, interrupt=WAPITI_MAX)
    return out, secs


def sqlmap_targets(have):
    """Every SQL injection page of the truth, seeded or look-alike (not the login form)."""
    for e in TRUTH["vulns"] + TRUTH["lookalikes"]:
        if e.get("needs") and e["needs"] not in have:
            continue
        if e.get("category") == "sqli" or "sqli" in e.get("not", []):
            if "value" in e:
                yield e


def run_sqlmap(app, have):
    """sqlmap --batch (default level and risk) on each SQL injection page, one parameter each;
    the injection points it confirmed into a file of "PATH PARAMETER" lines."""
    found, secs, cookie = [], 0.0, login_cookie(app)
    for n, e in enumerate(sqlmap_targets(have)):
        out = os.path.join(TMP, f"sqlmap-{n}.out")
        argv = ["sqlmap", "--batch", "--flush-session", "--disable-coloring", "--output-dir", os.path.join(TMP, "sqlmap"),
                "-p", e["parameter"]]
        url, p, v = app.base + e["path"], e["parameter"], e["value"]
        if e["method"] == "GET":
            argv += ["-u", f"{url}?{urllib.parse.urlencode({p: v})}"]
        elif "/api/" in e["path"]:
            argv += ["-u", url, "--data", json.dumps({p: v})]
        else:
            argv += ["-u", url, "--data", urllib.parse.urlencode({p: v})]
        if e.get("login"):
            argv += ["--cookie", cookie]
        secs += timed(argv, out, SQLMAP_MAX)
        with open(out, errors="replace") as f:
            text = f.read()
        if "identified the following injection point" in text:
            found.append(f"{e['path']} {p}\n")
    path = os.path.join(TMP, "sqlmap.found")
    with open(path, "w") as f:
        f.writelines(found)
    return path, secs


def main():
    exit_on_term()
    servers = []
    try:
        extra, have = ([], set()) if os.environ.get("KW_BENCH_NO_DB") else start_databases(servers, "bench/web.sh")
        tools = [("keepwatch", run_keepwatch, None)]
        if not os.environ.get("KW_BENCH_NO_WAPITI"):
            tools.append(("wapiti", run_wapiti, None))
        if not os.environ.get("KW_BENCH_NO_SQLMAP"):
            tools.append(("sqlmap", run_sqlmap, {"sqli"}))
        rows, notes = [], []
        for name, fn, only in tools:
            app = App(*extra)
            try:
                report, secs = fn(app, have)
                requests = len(app.log())
            finally:
                app.stop()
            reader = {"keepwatch": web_score.read_keepwatch, "wapiti": web_score.read_wapiti,
                      "sqlmap": web_score.read_sqlmap}[name]
            findings = reader(report) if os.path.exists(report) else []
            found, vulns, falsely, other, missed = web_score.score(findings, TRUTH, have, only=only,
                                                                    by_id=name == "keepwatch")
            scope = " (sqli)" if only else ""
            rows.append((name, f"{len(found)}/{len(vulns)}{scope}", str(len(falsely)), str(len(other)), str(requests),
                         f"{secs:.1f}"))
            notes.append(f"{name} missed: " + (", ".join(web_score.name(e) for e in missed) or "nothing"))
            notes.append(f"{name} false: " + (", ".join(sorted({str(f) for f in falsely})) or "none"))
            if other:
                notes.append(f"{name} other: " + ", ".join(sorted({f"{f.name}@{f.path}" for f in other})))
        dbs = ", ".join(sorted(have)) or "none"
        print(f"\nvulnweb: {len([e for e in TRUTH['vulns'] if not e.get('needs') or e['needs'] in have])} seeded "
              f"vulnerabilities, databases: SQLite + {dbs}")
        head = ("tool", "seeded found", "false pos.", "other", "requests", "wall s")
        widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
        for r in [head] + rows:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
        print("\n" + "\n".join(notes))
        print(f"\n(reports in {TMP})" if os.environ.get("KW_BENCH_KEEP") else "")
    finally:
        for s in servers:
            s.stop()
        if not os.environ.get("KW_BENCH_KEEP"):
            shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
