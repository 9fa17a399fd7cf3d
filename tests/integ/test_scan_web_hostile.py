"""keepwatch scan web against a hostile site (hostileweb.py): endless redirects, a gigabyte body,
slow and silent answers, invalid encodings, binary pages, 100,000 links, 20,000 forms, deep
nesting, huge headers, a robots.txt and a sitemap of a million URLs, a billion-laughs sitemap.

Checked: the scan ends within 120 s with exit 0 or 1, its peak memory (wait4's rusage of the
scan alone) stays under 300 MB (600 MB for a build with AddressSanitizer, run with a small
quarantine), it never asks the out-of-scope site (the same port on 127.0.0.2, and the site under
another host name), it sends no more requests than --max-requests, it follows a redirect chain 8
hops at most, its output is JSON lines, it says on stderr what it cut, and a sanitizer build
reports no error or leak. Two scans: the site from its root as a user would scan it, and every
hostile route as a start URL (so each is fetched whatever order the crawl takes). Skipped, with
the reason, while the binary has no `scan web`.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from kwtest import BIN, free_port

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_REQUESTS = 300
SCAN_SECONDS = 120
SANITIZED_MB = 600  # the bound under AddressSanitizer (shadow memory, redzones): twice the real one


def scan_web_missing():
    """Why `scan web` cannot be tested with this binary, or None when it can."""
    try:
        p = subprocess.run([BIN, "scan", "web", "--help"], capture_output=True, text=True, timeout=30)
    except OSError as e:
        return f"cannot run {BIN}: {e}"
    if p.returncode == 2 and "unknown" in (p.stdout + p.stderr).lower():
        return f"{BIN} has no `scan web` yet: {(p.stderr or p.stdout).strip().splitlines()[0]}"
    return None


class HostileSite:
    """hostileweb.py on a free loopback port, its request log in a temporary directory."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="kw-hostile-")
        self.log = os.path.join(self.dir, "requests.log")
        self.port = free_port()
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "hostileweb.py"), str(self.port),
                                      "--log", self.log], stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if line.strip() != "ready":
            self.stop()
            raise AssertionError(f"hostileweb.py did not start: {line!r}")
        return self

    def stop(self):
        """Kills the server (it keeps nothing worth a clean exit) and removes its directory."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def requests(self):
        """The logged requests as (listener, host, method, path)."""
        if not os.path.exists(self.log):
            return []
        with open(self.log, errors="replace") as f:
            return [tuple(line.rstrip("\n").split(" ", 3)) for line in f if line.count(" ") >= 3]


def run_measured(argv, tmp, timeout):
    """Runs argv; returns (exit status or None when it was killed at timeout seconds, stdout,
    stderr, its own peak RSS in KiB, from wait4's rusage of that one child)."""
    with open(os.path.join(tmp, "out"), "w+b") as out, open(os.path.join(tmp, "err"), "w+b") as err:
        p = subprocess.Popen(argv, stdout=out, stderr=err, env=scan_env())
        end = time.monotonic() + timeout
        pid = 0
        while pid == 0 and time.monotonic() < end:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            time.sleep(0.05 if pid == 0 else 0)
        rc = os.waitstatus_to_exitcode(status) if pid else None
        if not pid:
            p.kill()
            _, _, usage = os.wait4(p.pid, 0)
        p.returncode = rc if rc is not None else -9  # reaped here: Popen must not wait again
        out.seek(0)
        err.seek(0)
        return rc, out.read().decode(errors="replace"), err.read().decode(errors="replace"), usage.ru_maxrss


def sanitized():
    """True when BIN is built with AddressSanitizer (its shadow memory and quarantine are not the
    scan's: the memory bound is checked on builds without it)."""
    try:
        with open(shutil.which(BIN) or BIN, "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


def scan_env():
    env = dict(os.environ)
    if sanitized():  # a small quarantine, so that ASan's own keeping of freed memory stays small
        env["ASAN_OPTIONS"] = ":".join(x for x in (env.get("ASAN_OPTIONS", ""), "quarantine_size_mb=16") if x)
    return env


class HostileScan:
    """One scan of a fresh hostile site (the mixin of the two cases below): start_paths are its
    start URLs. The assertions hold for any scan of the site."""

    start_paths = ["/"]

    @classmethod
    def setUpClass(cls):
        why = scan_web_missing()
        if why:
            raise unittest.SkipTest(why)
        cls.site = HostileSite().start()
        cls.base = f"http://127.0.0.1:{cls.site.port}"
        cls.cfg = os.path.join(cls.site.dir, "keepwatch.yaml")
        with open(cls.cfg, "w") as f:
            f.write(f"daemon: {{state_dir: {cls.site.dir}/var}}\n")
        urls = [cls.base + p for p in cls.start_paths]
        t = time.monotonic()
        cls.rc, cls.out, cls.err, cls.peak_kb = run_measured(
            [BIN, "scan", "web", *urls, "--json", "--no-store", "--max-requests", str(MAX_REQUESTS), "-c", cls.cfg],
            cls.site.dir, SCAN_SECONDS)
        cls.seconds = time.monotonic() - t
        time.sleep(0.5)  # requests logged by answers still streaming when the scan ended
        cls.reqs = cls.site.requests()

    @classmethod
    def tearDownClass(cls):
        cls.site.stop()

    def explain(self):
        return f"exit {self.rc} after {self.seconds:.1f}s, {len(self.reqs)} requests; stderr: {self.err[-2000:]}"

    def test_ends_in_bounded_time(self):
        self.assertIsNotNone(self.rc, "the scan did not end within 120 s; " + self.explain())
        self.assertIn(self.rc, (0, 1), self.explain())

    def test_memory_bounded(self):
        limit = (SANITIZED_MB if sanitized() else 300) * 1024
        self.assertLess(self.peak_kb, limit, f"peak RSS {self.peak_kb // 1024} MB; " + self.explain())

    def test_no_sanitizer_report(self):
        self.assertNotRegex(self.err, r"ERROR: (Address|Leak)Sanitizer|runtime error:", self.explain())

    def test_reached_the_site(self):
        paths = {r[3] for r in self.reqs}
        for p in self.start_paths:
            self.assertIn(p, paths, self.explain())

    def test_never_out_of_scope(self):
        outside = [r for r in self.reqs if r[0] != "in" or r[1] != f"127.0.0.1:{self.site.port}"]
        self.assertEqual(outside, [], "requests outside the scope")

    def test_request_budget(self):
        self.assertLessEqual(len(self.reqs), MAX_REQUESTS, self.explain())

    def test_redirects_cut_at_8_hops(self):
        hops = [int(r[3][3:].split("?")[0]) for r in self.reqs if re.fullmatch(r"/r/\d+(\?.*)?", r[3])]
        # /r/1 asked, and 8 redirects followed from it, make /r/9 the last one asked
        self.assertLessEqual(max(hops, default=0), 1 + 8, sorted(set(hops)))
        loops = sum(1 for r in self.reqs if r[3] == "/loop")
        self.assertLessEqual(loops, 1 + 8, "a redirect to itself was followed on and on")

    def test_output_is_json_lines(self):
        for line in self.out.splitlines():
            if line.strip():
                self.assertIn("vulnerability.id", json.loads(line))

    def test_says_what_it_cut(self):
        self.assertRegex(self.err, re.compile(r"redirect|truncat|too (many|large|long|big)|budget|limit|cut|"
                                              r"max|timed? ?out|skipp|stopped", re.I), self.explain())


class ScanWebHostileSite(HostileScan, unittest.TestCase):
    """The site from its root, as a user would scan it: the robots.txt, the sitemaps and the
    index's links compete for the 300 requests."""

    start_paths = ["/"]

    def test_read_robots_and_sitemaps(self):
        paths = {r[3] for r in self.reqs}
        self.assertIn("/robots.txt", paths)
        self.assertIn("/index.xml", paths, "the Sitemap lines of robots.txt were not followed")


class ScanWebHostileRoutes(HostileScan, unittest.TestCase):
    """Every hostile route as a start URL, so that each is fetched whatever the crawl's order."""

    start_paths = ["/", "/r/1", "/loop", "/out", "/huge", "/chunked", "/slow", "/hang", "/lie", "/badutf8",
                   "/mixed", "/binary", "/links", "/forms", "/deep", "/bigheaders", "/longheader"]

    def test_redirect_chain_followed_then_cut(self):
        hops = {int(r[3][3:]) for r in self.reqs if re.fullmatch(r"/r/\d+", r[3])}
        self.assertIn(2, hops, "the redirect chain was not followed at all")
        self.assertLessEqual(max(hops), 1 + 8, sorted(hops))


if __name__ == "__main__":
    unittest.main()
