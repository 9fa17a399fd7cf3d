"""keepwatch scan web against vulnweb (tests/integ/vulnweb/app.py), a deliberately vulnerable shop
on a loopback port, with PostgreSQL (pgserver.py) and MariaDB behind its /pg/ and /my/ routes
when they are installed (skipped with a message when not).

TestTruth proves tests/integ/vulnweb/truth.json against the running app: every seeded
vulnerability is really there (the XSS page echoes raw, the SQLi page errors on a quote, the
blind one sleeps, ...) and every look-alike really is safe. TestScanWeb then runs
`keepwatch scan web URL --json --no-store` with a form login and asserts that every seeded
vulnerability is found and nothing else is reported (misses and false positives listed by name),
that --scope keeps it inside a prefix, that the logout link is never requested, that it signs in
again when the session ends, that --max-requests is honoured, and that a rescan into a store
updates the findings rather than adding new ones.

Packages: scripts/deps.sh test (python3-jinja2, python3-psycopg2, python3-pymysql, postgresql,
mariadb-server)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

from kwtest import run

HERE = os.path.dirname(os.path.abspath(__file__))
VULNWEB = os.path.join(HERE, "vulnweb")
sys.path.insert(0, VULNWEB)
from harness import TRUTH, App, exit_on_term, keepwatch_args, start_databases  # noqa: E402

sys.path.insert(0, os.path.join(HERE, "..", "..", "bench"))
import web_score  # noqa: E402  (the bench's scorer: one matching of findings to the truth)

PASSWD = "root:x:0:0:"
DEEP = "../" * 12 + "etc/passwd"
PROBE_HOST = "kw-redirect-probe.invalid"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **kw):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Answer:
    def __init__(self, status, headers, body, elapsed):
        self.status, self.headers, self.body, self.elapsed = status, headers, body, elapsed


def fetch(url, data=None, ctype=None, cookie=None, timeout=30):
    """One request, redirects not followed; an Answer (status, headers, body text, seconds)."""
    headers = {}
    if ctype:
        headers["Content-Type"] = ctype
    if cookie:
        headers["Cookie"] = cookie
    rq = urllib.request.Request(url, data=data, headers=headers)
    t0 = time.monotonic()
    try:
        r = OPENER.open(rq, timeout=timeout)
        status, hdrs, body = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, hdrs, body = e.code, e.headers, e.read()
    return Answer(status, hdrs, body.decode("utf-8", "replace"), time.monotonic() - t0)


def where(method, path):
    """How a parameter of this route travels: query, form or json."""
    if method == "GET":
        return "query"
    return "json" if "/api/" in path else "form"


class Shop:
    """Requests to a running vulnweb: one parameter set, the way its route takes it."""

    def __init__(self, app):
        self.app = app
        self.cookie = None

    def send(self, method, path, param, value, extra=None):
        fields = dict(extra or {})
        if param:
            fields[param] = value
        url = self.app.base + path
        how = where(method, path)
        if how == "query":
            return fetch(url + "?" + urllib.parse.urlencode(fields), cookie=self.cookie)
        if how == "json":
            return fetch(url, json.dumps(fields).encode(), "application/json", self.cookie)
        return fetch(url, urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded", self.cookie)

    def login(self):
        lg = TRUTH["login"]
        a = fetch(self.app.base + lg["url"], urllib.parse.urlencode(
            {lg["username_field"]: lg["username"], lg["password_field"]: lg["password"]}).encode(),
            "application/x-www-form-urlencoded")
        assert a.status == 303, a.status
        self.cookie = a.headers["Set-Cookie"].split(";")[0]
        return self


def entries(kind, have):
    """The truth's entries of kind (vulns, lookalikes, seeds) the app serves with the databases in have."""
    return [e for e in TRUTH[kind] if not e.get("needs") or e["needs"] in have]


def key(e):
    return f"{e.get('method', '')} {e['path']} {e.get('parameter')}".strip()


# ---- the proofs: what makes each entry true, as a request and what its answer must show ----

def xss(payload, raw):
    """A reflected-XSS proof: payload comes back with `raw` in it unescaped (vuln) or not at all
    (look-alike), in an HTML answer."""
    def prove(t, shop, e, vuln):
        a = shop.send(e.get("method", "GET"), e["path"], e["parameter"], payload)
        html_answer = "text/html" in (a.headers.get("Content-Type") or "")
        t.assertEqual(vuln, html_answer and raw in a.body, f"{key(e)}: {raw!r} in {a.body[:400]!r}")
    return prove


def stored(form_path, show_path, extra):
    def prove(t, shop, e, vuln):
        marker = f"kws{time.monotonic_ns() % 10**9}"
        a = shop.send("POST", form_path, e["parameter"], f"<{marker}>", extra)
        t.assertEqual(a.status, 303)
        shown = fetch(shop.app.base + show_path, cookie=shop.cookie).body
        t.assertEqual(vuln, f"<{marker}>" in shown, f"{key(e)}: <{marker}> raw on {show_path}")
        t.assertIn(marker, shown)  # shown either way: escaped when safe
    return prove


SQL_ERRORS = ("sqlite3.OperationalError", "unterminated quoted string", "You have an error in your SQL syntax")


def sqli_error(base):
    def prove(t, shop, e, vuln):
        m = e.get("method", "GET")
        t.assertFalse(any(s in shop.send(m, e["path"], e["parameter"], base).body for s in SQL_ERRORS))
        a = shop.send(m, e["path"], e["parameter"], base + "'")
        t.assertEqual(vuln, any(s in a.body for s in SQL_ERRORS), f"{key(e)}: {a.body[:400]!r}")
    return prove


def sqli_boolean(true, false, base):
    def prove(t, shop, e, vuln):
        m = e.get("method", "GET")
        b, yes, no = (shop.send(m, e["path"], e["parameter"], v).body for v in (base, true, false))
        if vuln:
            t.assertEqual(b, yes, f"{key(e)}: the true condition answers as the baseline")
        t.assertEqual(vuln, yes != no, f"{key(e)}: true and false conditions differ")
    return prove


def slow(payload, base, delay, extra=None):
    """A time proof: payload takes `delay` seconds longer than base (vuln) or not (look-alike),
    and the answer is the same as base's (blind)."""
    def prove(t, shop, e, vuln):
        m = e.get("method", "GET")
        b = shop.send(m, e["path"], e["parameter"], base, extra)
        a = shop.send(m, e["path"], e["parameter"], payload, extra)
        t.assertEqual(vuln, a.elapsed >= b.elapsed + delay * 0.8, f"{key(e)}: {a.elapsed:.2f} s against {b.elapsed:.2f} s")
        if a.status == 200:
            t.assertEqual(a.body, b.body, f"{key(e)}: blind")
    return prove


def contains(payload, signature):
    def prove(t, shop, e, vuln):
        a = shop.send(e.get("method", "GET"), e["path"], e["parameter"], payload)
        t.assertEqual(vuln, signature in a.body, f"{key(e)}: {signature!r} in {a.body[:300]!r}")
    return prove


def redirects(payload):
    def prove(t, shop, e, vuln):
        a = shop.send(e.get("method", "GET"), e["path"], e["parameter"], payload)
        loc = a.headers.get("Location") or ""
        refresh = f'content="0;url={payload}"' in a.body
        t.assertEqual(vuln, PROBE_HOST in loc or refresh, f"{key(e)}: Location {loc!r}")
    return prove


def file_with(signature, status=200):
    def prove(t, shop, e, vuln):
        for p in [e["path"]] if not e.get("prefix") else [e["path"] + x for x in (".env", ".git/HEAD", "x.php.bak", "admin/")]:
            a = fetch(shop.app.base + p)
            t.assertEqual(a.status, status, p)
            t.assertEqual(vuln, signature in a.body, f"{p}: {signature!r}")
    return prove


PROOFS = {
    "GET /search q": xss("<kwq>", "<kwq>"),
    "GET /catalog q": xss("<kwq>", "<kwq>"),
    "GET /profile/preview name": xss('"><kwq>', '"><kwq>'),
    "GET /newsletter email": xss('"><kwq>', '"><kwq>'),
    "GET /gallery size": xss("1 onkwq=1", "width=1 onkwq=1 "),
    "GET /track ref": xss("';kwq;//", "'';kwq;//'"),
    "GET /stats ref": xss("';kwq;//</script><kwq>", "<kwq>"),
    "GET /outbound site": xss("javascript:kwq", 'href="javascript:kwq"'),
    "GET /partner site": xss("javascript:kwq", "javascript:kwq"),
    "GET /api/echo msg": xss("<kwq>", "<kwq>"),
    "POST /contact name": xss("<kwq>", "<kwq>"),
    "POST /feedback name": xss("<kwq>", "<kwq>"),
    "POST /guestbook message": stored("/guestbook/sign", "/guestbook", {"author": "Ann"}),
    "POST /guestbook author": stored("/guestbook/sign", "/guestbook", {"message": "hi"}),
    "POST /guestbook/sign author": stored("/guestbook/sign", "/guestbook", {"message": "hi"}),
    "POST /reviews text": stored("/reviews/add", "/reviews", {}),
    "POST /reviews/add text": stored("/reviews/add", "/reviews", {}),
    "POST /account bio": stored("/account/profile", "/account", {"display_name": "Al"}),
    "POST /account display_name": stored("/account/profile", "/account", {"bio": "hi"}),
    "POST /account/profile display_name": stored("/account/profile", "/account", {"bio": "hi"}),
    "GET /product id": sqli_error("1"),
    "GET /item id": sqli_error("1"),
    "POST /orders/lookup email": sqli_error("alice@shop.test"),
    "POST /orders/track email": sqli_error("alice@shop.test"),
    "POST /api/stock sku": sqli_error("SH-001"),
    "POST /api/price sku": sqli_error("SH-001"),
    "GET /account/orders order": sqli_error("1001"),
    "GET /pg/product id": sqli_error("1"),
    "GET /pg/item id": sqli_error("1"),
    "GET /my/article id": sqli_error("1"),
    "GET /my/item id": sqli_error("1"),
    "POST /login username": sqli_error("alice"),
    "POST /login password": sqli_error("x"),
    "GET /news category": sqli_boolean("books' AND '1'='1", "books' AND '1'='2", "books"),
    "GET /blog tag": sqli_boolean("sale' AND '1'='1", "sale' AND '1'='2", "sale"),
    "POST /members/check username": sqli_boolean("alice' AND '1'='1", "alice' AND '1'='2", "alice"),
    "POST /members/exists username": sqli_boolean("alice' AND '1'='1", "alice' AND '1'='2", "alice"),
    "POST /api/availability id": sqli_boolean("1 AND 1=1", "1 AND 1=2", "1"),
    "GET /coupon code": slow("WELCOME10' AND 1=like('ABCDEFG',upper(hex(randomblob(150000000))))--", "WELCOME10", 0.5),
    "GET /voucher code": slow("WELCOME10' AND 1=like('ABCDEFG',upper(hex(randomblob(150000000))))--", "WELCOME10", 0.5),
    "POST /pg/api/search name": slow("x' OR 1=(SELECT 1 FROM pg_sleep(1.5))--", "Runner", 1.5),
    "GET /my/track sid": slow("x' OR SLEEP(1.5)-- ", "s-1f2e", 1.5),
    "POST /my/subscribe email": slow("x' OR SLEEP(1.5)-- ", "alice@shop.test", 1.5),
    "POST /my/unsubscribe email": slow("x' OR SLEEP(1.5)-- ", "alice@shop.test", 1.5),
    "GET /download file": contains(DEEP, PASSWD),
    "GET /docs/view page": contains(DEEP, PASSWD),
    "POST /print layout": contains(DEEP, PASSWD),
    "GET /attachment name": contains(DEEP, PASSWD),
    "GET /docs/read page": contains(DEEP, PASSWD),
    "GET /tools/dns host": contains("x;echo kwq$((7*191))", "kwq1337"),
    "GET /tools/whois host": contains("x;echo kwq$((7*191))", "kwq1337"),
    "POST /tools/notify email": slow("x;sleep 1.5", "ops@shop.test", 1.5),
    "POST /tools/subscribe email": slow("x;sleep 1.5", "ops@shop.test", 1.5),
    "GET /redirect url": redirects(f"http://{PROBE_HOST}/"),
    "GET /continue next": redirects(f"http://{PROBE_HOST}/"),
    "POST /lang redirect": redirects(f"http://{PROBE_HOST}/"),
    "GET /goto url": redirects(f"http://{PROBE_HOST}/"),
    "GET /greeting name": contains("{{7*191}}", "1337"),
    "POST /cards/preview message": contains("{{7*191}}", "1337"),
    "GET /welcome name": contains("{{7*191}}", "1337"),
    "GET /.git/HEAD None": file_with("ref: refs/heads/"),
    "GET /.svn/wc.db None": file_with("SQLite format 3"),
    "GET /.env None": file_with("DB_PASSWORD="),
    "GET /index.php.bak None": file_with("<?php"),
    "GET /config.php.bak None": file_with("<?php"),
    "GET /.index.php.swp None": file_with("b0VIM"),
    "GET /www.zip None": file_with("PK\x03\x04"),
    "GET /phpinfo.php None": file_with("PHP Version 7.4.3"),
    "GET /files/ None": file_with("<title>Index of /files</title>"),
    "GET /uploads/ None": file_with("<title>Directory listing for /uploads/</title>"),
    "GET /admin/ None": file_with('type="password"'),
    "GET /status None": file_with("Traceback (most recent call last):", 500),
    "GET /legacy/export None": file_with("Stack trace:", 500),
    "GET /static/ None": file_with("DB_PASSWORD="),
    "GET /pages/ None": file_with("DB_PASSWORD="),
    "GET /backup.html None": file_with("<?php"),
}


DATABASES = {"servers": [], "extra": [], "have": set()}


def setUpModule():
    """PostgreSQL and MariaDB, when installed, once for every class."""
    exit_on_term()
    try:
        DATABASES["extra"], DATABASES["have"] = start_databases(DATABASES["servers"], "test_scan_web")
    except BaseException:
        tearDownModule()
        raise


def tearDownModule():
    for s in DATABASES["servers"]:
        s.stop()
    DATABASES["servers"].clear()


class VulnwebCase(unittest.TestCase):
    """vulnweb for the whole class: with the databases (have: which) unless databases is False."""
    app_args = ()
    databases = True

    @classmethod
    def setUpClass(cls):
        cls.have = DATABASES["have"] if cls.databases else set()
        cls.app = App(*(DATABASES["extra"] if cls.databases else []), *cls.app_args)

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "app", None):
            cls.app.stop()


class TestTruth(VulnwebCase):
    """truth.json is true: each seeded vulnerability is there, each look-alike is safe."""

    def prove_all(self, kind, vuln):
        shop, signed = Shop(self.app), Shop(self.app).login()
        for e in entries(kind, self.have):
            k = key(e)
            with self.subTest(k):
                if e["path"] == "/" or e["path"] == "/logout":
                    continue  # site-wide: test_site_wide; /logout: the scanner's log
                self.assertIn(k, PROOFS, "an entry of truth.json without a proof here")
                PROOFS[k](self, signed if e.get("login") else shop, e, vuln)

    def test_seeded_vulnerabilities_are_there(self):
        self.prove_all("vulns", True)

    def test_lookalikes_are_safe(self):
        self.prove_all("lookalikes", False)

    def test_site_wide(self):
        a = fetch(self.app.base + "/")
        for h in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Strict-Transport-Security"):
            self.assertIsNone(a.headers.get(h), h)
        self.assertRegex(a.headers["Server"], r"/\d+\.\d+")
        cookies = {c.split("=")[0]: c for c in a.headers.get_all("Set-Cookie")}
        self.assertEqual(cookies["cart"], "cart=empty; Path=/")
        for flag in ("HttpOnly", "Secure", "SameSite=Strict"):
            self.assertIn(flag, cookies["consent"])

    def test_links_only_in_robots_sitemap_forms_and_after_login(self):
        home = fetch(self.app.base + "/").body
        robots = fetch(self.app.base + "/robots.txt").body
        sitemap = fetch(self.app.base + "/sitemap.xml").body
        for p in ("/tools/", "/legacy/export", "/voucher"):
            self.assertIn(f"Disallow: {p}", robots)
            self.assertNotIn(f'href="{p}', home)
        self.assertIn("/coupon?code=", sitemap)
        self.assertNotIn("/coupon?", home)
        self.assertIn('action="/orders/lookup"', fetch(self.app.base + "/orders").body)
        self.assertIn('enctype="application/json"', home)
        for seed in entries("seeds", self.have):
            a = fetch(self.app.base + seed["path"], seed["body"].encode(), "application/json")
            self.assertEqual((a.status, a.headers["Content-Type"]), (200, "application/json"), seed)
            self.assertEqual(fetch(self.app.base + seed["path"], b"x=1", "application/x-www-form-urlencoded").status, 415)
        self.assertEqual(fetch(self.app.base + "/account").headers["Location"], "/login")
        self.assertIn('href="/logout"', fetch(self.app.base + "/account", cookie=Shop(self.app).login().cookie).body)

    def test_unknown_paths(self):
        self.assertEqual(fetch(self.app.base + "/no-such-page").status, 404)
        soft = fetch(self.app.base + "/static/no-such-page")
        self.assertEqual(soft.status, 200)
        self.assertIn("We could not find", soft.body)

    def test_every_truth_entry_is_well_formed(self):
        cats = {"xss", "sqli", "path_traversal", "command_injection", "open_redirect", "sensitive_file",
                "exposed_service", "app_config"}
        for e in TRUTH["vulns"]:
            self.assertTrue(e["id"].startswith("KW-WEB-") and e["category"] in cats and e["path"].startswith("/"), e)
        for e in TRUTH["lookalikes"]:
            self.assertTrue(e.get("not") or e.get("not_ids"), e)
        places = [(e["id"], e["path"], e["parameter"]) for e in TRUTH["vulns"]]
        self.assertEqual(len(places), len(set(places)), "a vulnerability listed twice")

    def test_logout_ends_the_session(self):
        shop = Shop(self.app).login()
        self.assertEqual(fetch(self.app.base + "/account", cookie=shop.cookie).status, 200)
        fetch(self.app.base + "/logout", cookie=shop.cookie)
        self.assertEqual(fetch(self.app.base + "/account", cookie=shop.cookie).status, 302)


class TestSessionExpiry(VulnwebCase):
    app_args = ("--session-requests", "3")
    databases = False

    def test_session_ends_after_n_requests(self):
        shop = Shop(self.app).login()
        got = [fetch(self.app.base + "/account", cookie=shop.cookie) for _ in range(4)]
        self.assertEqual([a.status for a in got], [200, 200, 200, 302])
        self.assertEqual(got[3].headers["Location"], "/login?expired=1")
        self.assertIn("Signed in as alice", fetch(self.app.base + "/account", cookie=Shop(self.app).login().cookie).body)


def has_scan_web():
    try:
        rc, out, _ = run("scan", "web", "--help", timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return rc == 0 and "--login" in out


def scan(app, have, *extra, store=None, timeout=900):
    """Runs keepwatch scan web on app; returns (exit status, [ECS documents], stderr)."""
    where = ["-c", store] if store else ["--no-store"]
    rc, out, err = run("scan", "web", *keepwatch_args(app, have, *extra), "--json", *where, timeout=timeout)
    if rc not in (0, 1):
        raise AssertionError(f"scan web exited {rc}: {err[-3000:]}")
    return rc, [json.loads(x) for x in out.split("\n") if x.startswith("{")], err


def findings_of(docs):
    return [web_score.Finding(d.get("vulnerability.category"), web_score.url_path(d.get("url.full", "/")),
                              d.get("keepwatch.finding.parameter"), d.get("vulnerability.id")) for d in docs]


@unittest.skipUnless(has_scan_web(), "keepwatch scan web is not built yet")
class TestScanWeb(VulnwebCase):
    """One full scan (standard profile, signed in, the JSON APIs seeded) of vulnweb."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            t0 = time.monotonic()
            cls.rc, cls.docs, cls.err = scan(cls.app, cls.have)
            cls.seconds = time.monotonic() - t0
            cls.log = cls.app.log()
            print(f"\n{cls.__name__}: {len(cls.docs)} findings, {len(cls.log)} requests, {cls.seconds:.1f} s",
                  file=sys.stderr)
        except BaseException:
            cls.tearDownClass()
            raise

    def test_every_seeded_vulnerability_found_and_no_lookalike(self):
        found, vulns, falsely, other, missed = web_score.score(findings_of(self.docs), TRUTH, self.have, by_id=True)
        problems = [f"missed: {web_score.name(e)} ({e.get('context', '')})" for e in missed]
        problems += [f"false positive: {f}" for f in falsely] + [f"outside the truth's categories: {f}" for f in other]
        self.assertEqual(problems, [], f"{len(found)}/{len(vulns)} found\n" + "\n".join(problems))
        self.assertEqual(self.rc, 1)

    def test_each_finding_has_its_proof(self):
        for d in self.docs:
            with self.subTest(f"{d.get('vulnerability.id')} {d.get('url.full')} {d.get('keepwatch.finding.parameter')}"):
                for k in ("vulnerability.id", "vulnerability.category", "url.full", "keepwatch.finding.evidence",
                          "vulnerability.severity"):
                    self.assertTrue(d.get(k), k)
                self.assertTrue(d["url.full"].startswith(self.app.base + "/"))
                self.assertNotIn("?", d["url.full"])

    def test_one_finding_per_place(self):
        places = [(d["vulnerability.id"], d["url.full"], d.get("keepwatch.finding.parameter")) for d in self.docs]
        self.assertEqual(len(places), len(set(places)))

    def test_logout_never_requested_and_signed_in(self):
        self.assertFalse([p for _, p in self.log if p.startswith("/logout")])
        self.assertIn(("POST", "/login"), self.log)
        self.assertTrue([p for _, p in self.log if p.startswith("/account/orders")], "the signed-in area was crawled")


@unittest.skipUnless(has_scan_web(), "keepwatch scan web is not built yet")
class TestScanWebLimits(VulnwebCase):
    """Scope, request budget, re-sign-in and a rescan into a store, each on its own scan (SQLite
    routes only: no databases needed). Sessions end after 25 requests."""
    app_args = ("--session-requests", "25")
    databases = False

    def setUp(self):
        self.app.reset_log()

    def test_scope_keeps_it_inside_a_prefix(self):
        rc, out, err = run("scan", "web", self.app.base + "/tools/", "--scope", self.app.base + "/tools/", "--json",
                           "--no-store", timeout=600)
        self.assertIn(rc, (0, 1), err)
        log = self.app.log()
        self.assertTrue(log, "nothing was requested")
        self.assertEqual([p for _, p in log if not p.startswith("/tools/")], [])
        docs = [json.loads(x) for x in out.split("\n") if x.startswith("{")]
        self.assertIn(("KW-WEB-CMDI", "/tools/dns", "host"),
                      {(d["vulnerability.id"], web_score.url_path(d["url.full"]), d.get("keepwatch.finding.parameter"))
                       for d in docs})

    def test_max_requests_is_honoured(self):
        rc, docs, err = scan(self.app, self.have, "--max-requests", "60")
        self.assertLessEqual(len(self.app.log()), 60)
        self.assertGreater(len(self.app.log()), 10)

    def test_signs_in_again_when_the_session_ends(self):
        rc, docs, err = scan(self.app, self.have, "--profile", "quick")
        log = self.app.log()
        logins = [x for x in log if x == ("POST", "/login")]
        self.assertGreater(len(logins), 1, "signed in once only, though sessions end after 25 requests")
        self.assertFalse([p for _, p in log if p.startswith("/logout")])
        got = {(d["vulnerability.id"], web_score.url_path(d["url.full"]), d.get("keepwatch.finding.parameter"))
               for d in docs}
        self.assertIn(("KW-WEB-SQLI-ERROR", "/account/orders", "order"), got)

    def test_rescan_into_a_store_updates(self):
        tmp = tempfile.mkdtemp(prefix="kw-scanweb-")
        self.addCleanup(shutil.rmtree, tmp, True)
        cfg = os.path.join(tmp, "keepwatch.yaml")
        with open(cfg, "w") as f:
            f.write(f"daemon: {{state_dir: {tmp}/var}}\n"
                    "assets:\n  - {name: shop, addresses: [127.0.0.1], owner: li.na, department: 开发部}\n")

        def stored():
            rc, out, err = run("findings", "list", "--status", "all", "--json", "-c", cfg)
            self.assertIn(rc, (0, 1), err)
            return sorted((f["vulnerability.id"], f.get("url.full"), f.get("keepwatch.finding.parameter"))
                          for f in json.loads(out)["findings"] if f["vulnerability.id"].startswith("KW-WEB-"))
        _, docs, err = scan(self.app, self.have, "--profile", "quick", store=cfg)
        first = stored()
        self.assertTrue(first, err)
        self.assertEqual(len(first), len(set(first)))
        _, _, err = scan(self.app, self.have, "--profile", "quick", store=cfg)
        self.assertEqual(stored(), first, "the rescan added findings instead of updating them")


if __name__ == "__main__":
    unittest.main()
