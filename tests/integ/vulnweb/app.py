#!/usr/bin/python3
"""vulnweb: a deliberately vulnerable small shop, for testing `keepwatch scan web` (issue 17).

NEVER expose it: it binds 127.0.0.1 only. Every vulnerability listed in truth.json (beside this
file) is real (real SQLite / PostgreSQL / MariaDB queries built by string concatenation, a real
shell, real file reads, a real Jinja2 template compiled from input), and beside each is a safe
look-alike that a scanner must NOT report (a parameterised query, an escaped echo, a validated
file name, a rejected command argument, a soft-404 page).

    /usr/bin/python3 app.py --port N [--log FILE] [--pg DSN] [--mysql HOST:PORT:USER:DB]
                            [--session-requests N]

--log FILE           one line per request, "METHOD PATH" (PATH as sent, query included).
--pg DSN             enables the /pg/ routes (psycopg2; a libpq conninfo or URL).
--mysql H:P:U:DB     enables the /my/ routes (pymysql; the user has no password).
--session-requests N a signed-in session ends after N requests that carry it (default: never),
                     so a scanner must sign in again.
The app prints "listening on PORT" on stdout when it is ready. Data lives in a temporary
directory (a SQLite file, the docroot) removed at exit.
"""
import argparse
import html
import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    import jinja2
except ImportError:  # the SSTI routes answer 501 without it
    jinja2 = None

BODY_MAX = 1 << 20
SQL_TIME_MAX = 20.0            # a runaway (or heavy time-based) SQLite query is stopped here
GUESTBOOK_MAX = 50


class Shop:
    """The app's state: the SQLite file, the docroot, sessions, guestbook, profiles."""

    def __init__(self, args):
        self.args = args
        self.dir = tempfile.mkdtemp(prefix="kw-vulnweb-")
        self.docroot = os.path.join(self.dir, "docroot")
        self.db = os.path.join(self.dir, "shop.db")
        self.lock = threading.Lock()
        self.sessions = {}       # token -> {"user": name, "left": requests left or None}
        self.guestbook = [("Mia", "Lovely shop, fast delivery!")]
        self.reviews = [("Great shoes, a bit narrow.")]
        self.profiles = {}       # user -> {"display_name", "bio"}
        self.logf = open(args.log, "a", buffering=1) if args.log else None
        self.make_docroot()
        self.make_db()
        self.pg = self.my = None
        if args.pg:
            self.make_pg()
        if args.mysql:
            self.make_my()

    # ---- data ----

    def make_docroot(self):
        files = {
            "files/report.txt": "Quarterly report: sales up 4 %.\n",
            "files/pricelist.txt": "SH-001 Runner 59.90\nSH-002 Trail 89.00\n",
            "uploads/avatar.txt": "(an avatar placeholder)\n",
            "docs/shipping.txt": "We ship within 2 working days.\n",
            "docs/returns.txt": "Returns are free within 30 days.\n",
            "layouts/invoice.txt": "INVOICE\n=======\n(order lines)\n",
            "layouts/receipt.txt": "RECEIPT\n(order lines)\n",
            "hosts": "127.0.0.1 localhost shop.local\n10.0.0.5 db.shop.local\n",
        }
        for name, text in files.items():
            path = os.path.join(self.docroot, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        self.queue = os.path.join(self.dir, "notify-queue.txt")
        open(self.queue, "w").close()

    def make_db(self):
        c = sqlite3.connect(self.db)
        c.executescript("""
            CREATE TABLE products(id INTEGER PRIMARY KEY, sku TEXT, name TEXT, price REAL, stock INTEGER);
            CREATE TABLE users(id INTEGER PRIMARY KEY, username TEXT, password TEXT, email TEXT);
            CREATE TABLE orders(id INTEGER PRIMARY KEY, email TEXT, username TEXT, total REAL, status TEXT);
            CREATE TABLE news(id INTEGER PRIMARY KEY, category TEXT, title TEXT);
            CREATE TABLE coupons(code TEXT, pct INTEGER);
            INSERT INTO products VALUES (1,'SH-001','Runner',59.9,5),(2,'SH-002','Trail',89.0,0),
                                        (3,'SH-003','Sandal',29.5,12);
            INSERT INTO users VALUES (1,'alice','wonderland','alice@shop.test'),
                                     (2,'bob','builder','bob@shop.test');
            INSERT INTO orders VALUES (1001,'alice@shop.test','alice',59.9,'shipped'),
                                      (1002,'alice@shop.test','alice',29.5,'open'),
                                      (1003,'bob@shop.test','bob',89.0,'open');
            INSERT INTO news VALUES (1,'books','Summer reading'),(2,'books','Ten classics'),
                                    (3,'shoes','New trail runners');
            INSERT INTO coupons VALUES ('WELCOME10',10),('VIP20',20);
        """)
        c.commit()
        c.close()

    def make_pg(self):
        import psycopg2
        self.pg_mod = psycopg2
        c = psycopg2.connect(self.args.pg)
        c.autocommit = True
        with c.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS kw_products")
            cur.execute("CREATE TABLE kw_products(id int PRIMARY KEY, name text, price numeric)")
            cur.execute("INSERT INTO kw_products VALUES (1,'Runner',59.90),(2,'Trail',89.00)")
        c.close()
        self.pg = True

    def my_parts(self):
        host, port, user, db = self.args.mysql.split(":", 3)
        return dict(host=host, port=int(port), user=user, database=db)

    def make_my(self):
        import pymysql
        self.my_mod = pymysql
        parts = self.my_parts()
        db = parts.pop("database")
        c = pymysql.connect(**parts, autocommit=True)
        with c.cursor() as cur:
            cur.execute(f"CREATE DATABASE IF NOT EXISTS `{db}`")
            cur.execute(f"USE `{db}`")
            for t in ("kw_articles", "kw_subs", "kw_sessions"):
                cur.execute(f"DROP TABLE IF EXISTS {t}")
            cur.execute("CREATE TABLE kw_articles(id int PRIMARY KEY, title varchar(64), body text)")
            cur.execute("INSERT INTO kw_articles VALUES (1,'Welcome','Our new shop.'),(2,'Sale','Half price.')")
            cur.execute("CREATE TABLE kw_subs(id int PRIMARY KEY, email varchar(64))")
            cur.execute("INSERT INTO kw_subs VALUES (1,'alice@shop.test')")
            cur.execute("CREATE TABLE kw_sessions(id int PRIMARY KEY, sid varchar(64))")
            cur.execute("INSERT INTO kw_sessions VALUES (1,'s-1f2e')")
        c.close()
        self.my = True

    def sql(self):
        """A read-only connection to the shop's SQLite file, stopped past SQL_TIME_MAX."""
        c = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5)
        end = time.monotonic() + SQL_TIME_MAX
        c.set_progress_handler(lambda: 1 if time.monotonic() > end else 0, 10000)
        return c

    def pg_conn(self):
        c = self.pg_mod.connect(self.args.pg, options="-c statement_timeout=20000")
        c.set_session(readonly=True, autocommit=True)
        return c

    def my_conn(self):
        c = self.my_mod.connect(**self.my_parts(), autocommit=True, read_timeout=30)
        with c.cursor() as cur:
            cur.execute("SET SESSION max_statement_time = 20")
            cur.execute("SET SESSION TRANSACTION READ ONLY")
        return c

    def log(self, method, path):
        if self.logf:
            with self.lock:
                self.logf.write(f"{method} {path}\n")

    # ---- sessions ----

    def login(self, user):
        token = secrets.token_hex(16)
        with self.lock:
            self.sessions[token] = {"user": user, "left": self.args.session_requests}
        return token

    def session_user(self, token):
        """The signed-in user of token, counting this request against the session's budget."""
        with self.lock:
            s = self.sessions.get(token)
            if not s:
                return None
            if s["left"] is not None:
                s["left"] -= 1
                if s["left"] < 0:
                    del self.sessions[token]
                    return None
            return s["user"]

    def logout(self, token):
        with self.lock:
            self.sessions.pop(token, None)


# ---- static content: the exposed files and their look-alikes ----

PHP_INDEX = """<?php
// index.php: front controller of the shop
require __DIR__ . '/config.php';
$db = new PDO('mysql:host=' . DB_HOST . ';dbname=shop', DB_USER, DB_PASSWORD);
$page = $_GET['page'] ?? 'home';
include __DIR__ . "/pages/$page.php";
"""
PHP_CONFIG = """<?php
define('DB_HOST', '127.0.0.1');
define('DB_USER', 'shop');
define('DB_PASSWORD', 'Sh0p-db-pass-2024');
define('SMTP_PASSWORD', 'mail-relay-7781');
"""
DOTENV = """APP_NAME=KWShop
APP_ENV=production
APP_DEBUG=true
APP_KEY=base64:c2hvcC1rZXktbm90LWEtcmVhbC1vbmUtMTIzNDU2Nzg=
DB_CONNECTION=mysql
DB_HOST=127.0.0.1
DB_DATABASE=shop
DB_USERNAME=shop
DB_PASSWORD=Sh0p-db-pass-2024
MAIL_PASSWORD=mail-relay-7781
"""
GIT_HEAD = "ref: refs/heads/main\n"
GIT_CONFIG = """[core]
\trepositoryformatversion = 0
\tfilemode = true
\tbare = false
\tlogallrefupdates = true
[remote "origin"]
\turl = git@git.shop.test:web/shop.git
\tfetch = +refs/heads/*:refs/remotes/origin/*
[branch "main"]
\tremote = origin
\tmerge = refs/heads/main
"""


def vim_swap():
    """A vim swap file of index.php: its block 0 (magic "b0VIM ", version, user, host, file)
    then a data block with the text."""
    b0 = bytearray(4096)
    b0[0:10] = b"b0VIM 8.2\x00"
    b0[28:36] = b"www-data"
    b0[68:72] = b"shop"
    fn = b"/var/www/html/index.php"
    b0[108:108 + len(fn)] = fn
    b0[1006:1008] = b"U\x00"
    data = bytearray(4096)
    data[0:2] = b"ad"
    text = PHP_INDEX.encode()
    data[4096 - len(text):] = text
    return bytes(b0 + data)


def www_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("www/index.php", PHP_INDEX)
        z.writestr("www/config.php", PHP_CONFIG)
    return buf.getvalue()


def svn_wc_db(path):
    """A Subversion 1.7+ working-copy database (a real SQLite file with its main tables)."""
    c = sqlite3.connect(path)
    c.executescript("""
        CREATE TABLE REPOSITORY (id INTEGER PRIMARY KEY AUTOINCREMENT, root TEXT UNIQUE NOT NULL, uuid TEXT NOT NULL);
        CREATE TABLE WCROOT (id INTEGER PRIMARY KEY AUTOINCREMENT, local_abspath TEXT UNIQUE);
        CREATE TABLE NODES (wc_id INTEGER NOT NULL, local_relpath TEXT NOT NULL, op_depth INTEGER NOT NULL,
                            parent_relpath TEXT, repos_id INTEGER, repos_path TEXT, revision INTEGER,
                            presence TEXT NOT NULL, kind TEXT NOT NULL, checksum TEXT,
                            PRIMARY KEY (wc_id, local_relpath, op_depth));
        INSERT INTO REPOSITORY VALUES (1, 'svn://svn.shop.test/web', '5c9e8f2a-1d3b-4c5e-9f70-2a6b8c4d1e3f');
        INSERT INTO WCROOT VALUES (1, NULL);
        INSERT INTO NODES VALUES (1, 'index.php', 0, '', 1, 'trunk/index.php', 42, 'normal', 'file', NULL);
        INSERT INTO NODES VALUES (1, 'config.php', 0, '', 1, 'trunk/config.php', 42, 'normal', 'file', NULL);
        PRAGMA user_version = 31;
    """)
    c.commit()
    c.close()
    with open(path, "rb") as f:
        return f.read()


def phpinfo_page():
    """The look of PHP's phpinfo() page (its table shape), written for this app."""
    rows = [("System", "Linux shop 5.10.0-21-amd64 #1 SMP Debian 5.10.162-1 x86_64"),
            ("Build Date", "Nov 14 2023 10:12:40"), ("Server API", "Apache 2.0 Handler"),
            ("Loaded Configuration File", "/etc/php/7.4/apache2/php.ini"),
            ("PHP API", "20190902"), ("Zend Extension", "320190902")]
    env = [("$_SERVER['DOCUMENT_ROOT']", "/var/www/html"), ("$_SERVER['SERVER_SOFTWARE']", "Apache/2.4.41 (Ubuntu)"),
           ("$_SERVER['DB_PASSWORD']", "Sh0p-db-pass-2024")]

    def table(rs):
        return "<table>\n" + "".join(f'<tr><td class="e">{html.escape(k)} </td><td class="v">{html.escape(v)} </td></tr>\n'
                                     for k, v in rs) + "</table>\n"
    return ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "DTD/xhtml1-transitional.dtd">\n'
            '<html xmlns="http://www.w3.org/1999/xhtml"><head>\n<style type="text/css">body {background-color: #fff;}'
            ' td, th {border: 1px solid #666;} .e {background-color: #ccf;} .v {background-color: #ddd;}</style>\n'
            '<title>PHP 7.4.3 - phpinfo()</title><meta name="ROBOTS" content="NOINDEX,NOFOLLOW,NOARCHIVE" /></head>\n'
            '<body><div class="center">\n<table>\n<tr class="h"><td>\n<h1 class="p">PHP Version 7.4.3</h1>\n'
            '</td></tr>\n</table>\n' + table(rows) + '<h2>Configuration</h2>\n<h2>core</h2>\n'
            + table([("allow_url_fopen", "On"), ("display_errors", "On"), ("memory_limit", "128M")])
            + '<h2>PHP Variables</h2>\n' + table(env) + '</div></body></html>\n')


def page(title, body, head=""):
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title} - KW Shop</title>'
            f'<link rel="stylesheet" href="/static/style.css">{head}</head>\n<body>\n'
            f'<header><a href="/">KW Shop</a> | <a href="/catalog?q=">Catalog</a> | <a href="/login">Sign in</a></header>\n'
            f'<main>\n<h1>{title}</h1>\n{body}\n</main>\n<footer>KW Shop - a test application</footer>\n</body></html>\n')


JSON_FORMS_JS = """<script>
document.querySelectorAll('form[data-json]').forEach(function (f) {
  f.addEventListener('submit', function (e) {
    e.preventDefault();
    fetch(f.action, {method: 'POST', headers: {'Content-Type': 'application/json'},
                     body: JSON.stringify(Object.fromEntries(new FormData(f)))})
      .then(function (r) { return r.text(); }).then(function (t) { f.querySelector('output').textContent = t; });
  });
});
</script>"""


def json_form(action, name, value, label):
    return (f'<form method="post" action="{action}" enctype="application/json" data-json>{label} '
            f'<input name="{name}" value="{value}"> <button>Check</button> <output></output></form>\n')


def form(action, method, fields, label, extra=""):
    inputs = " ".join(f'<input name="{n}" value="{html.escape(v, quote=True)}">' for n, v in fields)
    return f'<form method="{method}" action="{action}">{label} {inputs}{extra} <button>Send</button></form>\n'


class NotJson(Exception):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    shop = None      # set by main
    routes = {}      # (method, path) -> function(self, params) -> (status, headers, body)

    def version_string(self):
        return "Apache/2.4.41 (Ubuntu)"

    def log_message(self, fmt, *args):
        pass

    # ---- plumbing ----

    def do_GET(self):
        self.handle_one("GET")

    def do_POST(self):
        self.handle_one("POST")

    def do_HEAD(self):
        self.handle_one("HEAD")

    def handle_one(self, method):
        self.shop.log(method, self.path)
        u = urllib.parse.urlsplit(self.path)
        self.url_path = u.path
        self.query = urllib.parse.parse_qs(u.query, keep_blank_values=True)
        self.body = b""
        self._form = None
        n = self.headers.get("Content-Length")
        if n:
            try:
                n = int(n)
            except ValueError:
                self.close_connection = True
                return self.reply(400, "text/plain", "bad Content-Length\n")
            if n < 0 or n > BODY_MAX:
                self.close_connection = True   # the body is not read: the connection cannot go on
                return self.reply(413, "text/plain", "too large\n")
            self.body = self.rfile.read(n)
        self.cookies = {}
        for part in (self.headers.get("Cookie") or "").split(";"):
            k, _, v = part.strip().partition("=")
            if k:
                self.cookies[k] = v
        self.extra = []
        self.user = None
        tok = self.cookies.get("shop_session")
        if tok:
            self.user = self.shop.session_user(tok)
        fn = self.routes.get(("GET" if method == "HEAD" else method, u.path)) or prefix_route(u.path)
        try:
            out = fn(self) if fn else not_found(self)
        except NotJson:
            out = (415, "application/json", '{"error": "send a JSON object (application/json)"}')
        except Exception:  # an unplanned error: a plain 500, no trace (the trace pages are planned)
            traceback.print_exc(file=sys.stderr)
            out = (500, "text/html", page("Error", "<p>Internal error.</p>"))
        self.reply(*out, head=method == "HEAD")

    def reply(self, status, ctype, body, head=False):
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype + ("; charset=utf-8" if ctype.startswith("text/") else ""))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Powered-By", "PHP/7.4.3")
        for k, v in self.extra:
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def arg(self, name, default=""):
        return self.query.get(name, [default])[0]

    def form(self, name, default=""):
        if self._form is None:
            self._form = urllib.parse.parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return self._form.get(name, [default])[0]

    def json_field(self, name):
        """The field of a JSON object body as a string; NotJson (a 415 answer) when the body is
        not a JSON object."""
        if "application/json" not in (self.headers.get("Content-Type") or ""):
            raise NotJson()
        try:
            obj = json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise NotJson() from None
        if not isinstance(obj, dict):
            raise NotJson()
        v = obj.get(name, "")
        return v if isinstance(v, str) else json.dumps(v)

    def redirect(self, where, status=302):
        where = where.replace("\r", "").replace("\n", "")   # an open redirect, not response splitting
        self.extra.append(("Location", where))
        return status, "text/html", page("Moved", "<p>Moved.</p>")


def route(method, path, needs=None):
    """Registers fn for method and path; needs: "pg" or "my", a route that exists only when that
    database was given."""
    def deco(fn):
        Handler.routes[(method, path)] = (lambda h: fn(h) if getattr(h.shop, needs) else not_found(h)) if needs else fn
        return fn
    return deco


def not_found(h):
    return 404, "text/html", page("Not found", "<p>The page you asked for does not exist.</p>")


def soft_404(h):
    """Look-alike: every unknown path under /static/ and /pages/ answers 200 with a friendly page."""
    return 200, "text/html", page("Oops", f"<p>We could not find <code>{html.escape(h.url_path)}</code>.</p>"
                                          '<p>Try the <a href="/catalog?q=">catalog</a>.</p>')


STATIC = {"/static/style.css": ("text/css", "body{font-family:sans-serif} header{background:#eee}\n")}
PAGES = {"/pages/about": ("About us", "<p>We sell shoes since 2004.</p>"),
         "/pages/terms": ("Terms", "<p>Be nice.</p>")}


def prefix_route(path):
    if path in STATIC:
        return lambda h: (200, *STATIC[path])
    if path in PAGES:
        return lambda h: (200, "text/html", page(*PAGES[path]))
    if path.startswith("/static/") or path.startswith("/pages/"):
        return soft_404
    for d in ("/files/", "/uploads/"):
        if path.startswith(d) and len(path) > len(d):
            return lambda h, d=d: serve_listed(h, d)
    return None


# ---- home, robots, sitemap ----

@route("GET", "/")
def home(h):
    h.extra.append(("Set-Cookie", "cart=empty; Path=/"))
    h.extra.append(("Set-Cookie", "consent=necessary; Path=/; HttpOnly; Secure; SameSite=Strict"))
    links = [("/search?q=shoes", "Search"), ("/catalog?q=shoes", "Catalog search"), ("/product?id=1", "Runner"),
             ("/item?id=2", "Trail"), ("/news?category=books", "Book news"), ("/blog?tag=sale", "Blog"),
             ("/profile/preview?name=guest", "Profile preview"), ("/newsletter?email=you%40shop.test", "Newsletter"),
             ("/gallery?size=200", "Gallery"), ("/track?ref=home", "Tracking"),
             ("/outbound?site=https%3A%2F%2Fwww.example.com%2F", "Our partner"),
             ("/partner?site=https%3A%2F%2Fwww.example.com%2F", "Another partner"), ("/api/echo?msg=hello", "API echo"),
             ("/download?file=report.txt", "Report"), ("/docs/view?page=shipping.txt", "Shipping"),
             ("/attachment?name=pricelist.txt", "Price list"), ("/docs/read?page=returns.txt", "Returns"),
             ("/redirect?url=%2Fcatalog%3Fq%3D", "Go to catalog"), ("/continue?next=%2Fpages%2Fabout", "Continue"),
             ("/goto?url=%2Fpages%2Fterms", "Terms"), ("/greeting?name=guest", "Greeting"), ("/welcome?name=guest", "Welcome"),
             ("/guestbook", "Guestbook"), ("/reviews", "Reviews"), ("/contact", "Contact"), ("/orders", "Orders"),
             ("/members", "Members"), ("/cards", "Gift cards"), ("/print", "Print"), ("/coupon", "Coupons"),
             ("/settings", "Settings"), ("/files/", "Files"), ("/uploads/", "Uploads"), ("/status", "Status"), ("/backup.html", "Backups"),
             ("/pages/about", "About"), ("/login", "Sign in")]
    if h.shop.pg:
        links += [("/pg/product?id=1", "PG product"), ("/pg/item?id=1", "PG item")]
    if h.shop.my:
        links += [("/my/article?id=1", "Article"), ("/my/item?id=1", "MySQL item"), ("/my/track?sid=s-1f2e", "Track"),
                  ("/my/newsletter", "MySQL newsletter")]
    body = "<ul>\n" + "".join(f'<li><a href="{html.escape(u, quote=True)}">{t}</a></li>\n' for u, t in links) + "</ul>\n"
    body += "<h2>Stock and prices</h2>\n" + json_form("/api/stock", "sku", "SH-001", "Stock of")
    body += json_form("/api/price", "sku", "SH-001", "Price of")
    body += json_form("/api/availability", "id", "1", "Available? product")
    if h.shop.pg:
        body += json_form("/pg/api/search", "name", "Runner", "PG search")
    body += JSON_FORMS_JS
    return 200, "text/html", page("Welcome", body)


@route("GET", "/robots.txt")
def robots(h):
    host = h.headers.get("Host") or "127.0.0.1"
    return 200, "text/plain", ("User-agent: *\nDisallow: /admin/\nDisallow: /tools/\nDisallow: /legacy/export\n"
                               f"Disallow: /voucher\nSitemap: http://{host}/sitemap.xml\n")


@route("GET", "/sitemap.xml")
def sitemap(h):
    host = h.headers.get("Host") or "127.0.0.1"
    urls = ["/", "/pages/about", "/pages/terms", "/coupon?code=WELCOME10", "/stats?ref=home"]
    locs = "".join(f"  <url><loc>http://{host}{html.escape(u)}</loc></url>\n" for u in urls)
    return 200, "application/xml", ('<?xml version="1.0" encoding="UTF-8"?>\n'
                                    f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{locs}</urlset>\n')


# ---- reflected XSS and look-alikes ----

@route("GET", "/search")
def search(h):  # VULN xss: HTML body
    return 200, "text/html", page("Search", f"<p>Results for: {h.arg('q')}</p><p>No products found.</p>")


@route("GET", "/catalog")
def catalog(h):  # SAFE: escaped body
    return 200, "text/html", page("Catalog", f"<p>Catalog matches for: {html.escape(h.arg('q'))}</p>")


@route("GET", "/profile/preview")
def profile_preview(h):  # VULN xss: double-quoted attribute
    return 200, "text/html", page("Preview", f'<form><input name="name" value="{h.arg("name")}"></form>')


@route("GET", "/newsletter")
def newsletter(h):  # SAFE: escaped attribute
    e = html.escape(h.arg("email"), quote=True)
    return 200, "text/html", page("Newsletter", f'<form><input name="email" value="{e}"> <button>Join</button></form>')


@route("GET", "/gallery")
def gallery(h):  # VULN xss: unquoted attribute
    return 200, "text/html", page("Gallery", f"<img src=/static/logo.png width={h.arg('size')} alt=logo>")


@route("GET", "/track")
def track(h):  # VULN xss: JavaScript string
    return 200, "text/html", page("Tracking", f"<script>var ref = '{h.arg('ref')}'; console.log(ref);</script><p>Thanks.</p>")


@route("GET", "/stats")
def stats(h):  # SAFE: JSON-encoded into the script, < > & escaped
    v = json.dumps(h.arg("ref")).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return 200, "text/html", page("Stats", f"<script>var ref = {v}; console.log(ref);</script><p>Counted.</p>")


@route("GET", "/outbound")
def outbound(h):  # VULN xss: URL attribute (HTML-escaped, but any scheme: javascript:)
    s = html.escape(h.arg("site"), quote=True)
    return 200, "text/html", page("Leaving", f'<p>You are leaving the shop. <a href="{s}">Continue</a></p>')


@route("GET", "/partner")
def partner(h):  # SAFE: only http(s) URLs, escaped
    s = h.arg("site")
    s = s if re.match(r"^https?://", s, re.I) else "#"
    return 200, "text/html", page("Partner", f'<p><a href="{html.escape(s, quote=True)}">Visit our partner</a></p>')


@route("GET", "/api/echo")
def api_echo(h):  # SAFE: JSON, not HTML
    return 200, "application/json", json.dumps({"msg": h.arg("msg")}, ensure_ascii=False)


@route("GET", "/contact")
def contact_form(h):
    return 200, "text/html", page("Contact", form("/contact", "post", [("name", "Ann"), ("message", "Hello")], "Write to us")
                                  + form("/feedback", "post", [("name", "Ann"), ("rating", "5")], "Rate us"))


@route("POST", "/contact")
def contact(h):  # VULN xss: POST form field, HTML body
    return 200, "text/html", page("Contact", f"<p>Thanks, {h.form('name')}! We will answer soon.</p>")


@route("POST", "/feedback")
def feedback(h):  # SAFE: escaped
    return 200, "text/html", page("Feedback", f"<p>Thanks, {html.escape(h.form('name'))}, for rating us.</p>")


# ---- stored XSS ----

@route("GET", "/guestbook")
def guestbook(h):  # VULN xss stored: message shown raw; SAFE: author escaped
    with h.shop.lock:
        entries = list(h.shop.guestbook)
    items = "".join(f"<li><b>{html.escape(a)}</b>: {m}</li>\n" for a, m in entries)
    return 200, "text/html", page("Guestbook", f"<ul>{items}</ul>\n"
                                  + form("/guestbook/sign", "post", [("author", "Ann")], "Sign",
                                         ' <textarea name="message">Nice shop</textarea>'))


@route("POST", "/guestbook/sign")
def guestbook_sign(h):
    with h.shop.lock:
        h.shop.guestbook.append((h.form("author")[:200], h.form("message")[:2000]))
        del h.shop.guestbook[:-GUESTBOOK_MAX]
    return h.redirect("/guestbook", 303)


@route("GET", "/reviews")
def reviews(h):  # SAFE stored: shown escaped
    with h.shop.lock:
        items = "".join(f"<li>{html.escape(t)}</li>\n" for t in h.shop.reviews)
    return 200, "text/html", page("Reviews", f"<ul>{items}</ul>\n" + form("/reviews/add", "post", [("text", "Good")], "Review"))


@route("POST", "/reviews/add")
def reviews_add(h):
    with h.shop.lock:
        h.shop.reviews.append(h.form("text")[:2000])
        del h.shop.reviews[:-GUESTBOOK_MAX]
    return h.redirect("/reviews", 303)


# ---- SQL injection: SQLite always, PostgreSQL (/pg/) and MariaDB (/my/) when given ----

def query(h, db, sql, params=()):
    """Runs sql on db ("sqlite", "pg" or "my"); returns (rows, None) or ([], the driver's error
    message, as a debug-mode app shows it)."""
    if db == "sqlite":
        c, errors = h.shop.sql(), sqlite3.Error
    elif db == "pg":
        c, errors = h.shop.pg_conn(), h.shop.pg_mod.Error
    else:
        c, errors = h.shop.my_conn(), h.shop.my_mod.Error
    try:
        cur = c.cursor()
        if params:
            cur.execute(sql, params)
        else:   # no parameters: a '%' in the SQL is text, not a placeholder, for every driver
            cur.execute(sql)
        return (cur.fetchall() if cur.description else []), None
    except errors as e:
        if db == "sqlite":
            return [], f"sqlite3.{type(e).__name__}: {e}"
        return [], str(e.args[1] if db == "my" and len(e.args) > 1 else e)
    finally:
        c.close()


def sql_page(title, err, sql=None):
    """The debug-mode error page: the driver's message (and the query when given), escaped."""
    q = f"<pre>{html.escape(sql)}</pre>" if sql else ""
    return 500, "text/html", page(title, f'<div class="error">Database error: {html.escape(err)}</div>{q}')


def products_html(rows):
    return "".join(f"<p>{html.escape(str(n))}: {float(p):.2f} EUR</p>" for n, p in rows) or "<p>No such product.</p>"


@route("GET", "/product")
def product(h):  # VULN sqli error: query, numeric
    sql = "SELECT name, price FROM products WHERE id = " + h.arg("id")
    rows, err = query(h, "sqlite", sql)
    return sql_page("Product", err, sql) if err else (200, "text/html", page("Product", products_html(rows)))


@route("GET", "/item")
def item(h):  # SAFE: parameterised
    rows, _ = query(h, "sqlite", "SELECT name, price FROM products WHERE id = ?", (h.arg("id"),))
    return 200, "text/html", page("Item", products_html(rows))


@route("GET", "/orders")
def orders_page(h):
    return 200, "text/html", page("Orders", form("/orders/lookup", "post", [("email", "alice@shop.test")], "Find my orders")
                                  + form("/orders/track", "post", [("email", "alice@shop.test")], "Track my orders"))


def order_list(rows):
    return "".join(f"<li>#{i}: {t:.2f} EUR, {html.escape(s)}</li>" for i, t, s in rows) or "<li>No orders.</li>"


@route("POST", "/orders/lookup")
def orders_lookup(h):  # VULN sqli error: form, string
    sql = "SELECT id, total, status FROM orders WHERE email = '" + h.form("email") + "'"
    rows, err = query(h, "sqlite", sql)
    return sql_page("Orders", err, sql) if err else (200, "text/html", page("Orders", f"<ul>{order_list(rows)}</ul>"))


@route("POST", "/orders/track")
def orders_track(h):  # SAFE: parameterised
    rows, _ = query(h, "sqlite", "SELECT id, total, status FROM orders WHERE email = ?", (h.form("email"),))
    return 200, "text/html", page("Orders", f"<ul>{order_list(rows)}</ul>")


@route("POST", "/api/stock")
def api_stock(h):  # VULN sqli error: JSON, string
    sql = "SELECT name, stock FROM products WHERE sku = '" + h.json_field("sku") + "'"
    rows, err = query(h, "sqlite", sql)
    if err:
        return 500, "application/json", json.dumps({"error": err, "query": sql})
    return 200, "application/json", json.dumps({"items": [{"name": n, "stock": s} for n, s in rows]})


@route("POST", "/api/price")
def api_price(h):  # SAFE: parameterised
    rows, _ = query(h, "sqlite", "SELECT name, price FROM products WHERE sku = ?", (h.json_field("sku"),))
    return 200, "application/json", json.dumps({"items": [{"name": n, "price": p} for n, p in rows]})


@route("POST", "/api/availability")
def api_availability(h):  # VULN sqli boolean: JSON, numeric (errors hidden)
    rows, _ = query(h, "sqlite", "SELECT stock FROM products WHERE id = " + h.json_field("id"))
    return 200, "application/json", json.dumps({"available": bool(rows and rows[0][0] > 0)})


def titles_html(rows, none):
    return "<ul>" + ("".join(f"<li>{html.escape(t)}</li>" for (t,) in rows) or f"<li>{none}</li>") + "</ul>"


@route("GET", "/news")
def news(h):  # VULN sqli boolean: query, string (errors hidden)
    rows, _ = query(h, "sqlite", "SELECT title FROM news WHERE category = '" + h.arg("category") + "' ORDER BY id")
    return 200, "text/html", page("News", titles_html(rows, "No articles in this category."))


@route("GET", "/blog")
def blog(h):  # SAFE: parameterised (results vary with the input, never with SQL in it)
    tag = h.arg("tag")
    rows, _ = query(h, "sqlite", "SELECT title FROM news WHERE category = ? OR ? = 'sale' ORDER BY id", (tag, tag))
    return 200, "text/html", page("Blog", titles_html(rows, "Nothing tagged so."))


@route("GET", "/members")
def members_page(h):
    return 200, "text/html", page("Members", form("/members/check", "post", [("username", "alice")], "Is this name taken?")
                                  + form("/members/exists", "post", [("username", "alice")], "Does this member exist?"))


@route("POST", "/members/check")
def members_check(h):  # VULN sqli boolean: form, string (errors hidden)
    rows, _ = query(h, "sqlite", "SELECT 1 FROM users WHERE username = '" + h.form("username") + "'")
    return 200, "text/html", page("Members", "<p>That name is taken.</p>" if rows else "<p>That name is available.</p>")


@route("POST", "/members/exists")
def members_exists(h):  # SAFE: parameterised
    rows, _ = query(h, "sqlite", "SELECT 1 FROM users WHERE username = ?", (h.form("username"),))
    return 200, "text/html", page("Members", "<p>Yes, a member.</p>" if rows else "<p>No such member.</p>")


COUPON_FORM = '<form action="{0}"><input name="code" value="WELCOME10"> <button>Redeem</button></form>'
COUPON_DONE = "<p>Thanks! If the code is valid, the discount shows at checkout.</p>"


def coupon_page(h, action, sql, params=()):
    """The same answer whatever the query did: only its duration can tell."""
    code = h.arg("code")
    if code:
        query(h, "sqlite", sql, params)
    return 200, "text/html", page("Coupons", COUPON_FORM.format(action) + (COUPON_DONE if code else ""))


@route("GET", "/coupon")
def coupon(h):  # VULN sqli time (SQLite, blind): only a heavy expression (randomblob) shows
    return coupon_page(h, "/coupon", "SELECT pct FROM coupons WHERE code = '" + h.arg("code") + "'")


@route("GET", "/voucher")
def voucher(h):  # SAFE: parameterised, same constant answer
    return coupon_page(h, "/voucher", "SELECT pct FROM coupons WHERE code = ?", (h.arg("code"),))


@route("GET", "/pg/product", needs="pg")
def pg_product(h):  # VULN sqli error (PostgreSQL): query, numeric
    rows, err = query(h, "pg", "SELECT name, price FROM kw_products WHERE id = " + h.arg("id"))
    return sql_page("Product", err) if err else (200, "text/html", page("Product", products_html(rows)))


@route("GET", "/pg/item", needs="pg")
def pg_item(h):  # SAFE: parameterised
    rows, _ = query(h, "pg", "SELECT name, price FROM kw_products WHERE id::text = %s", (h.arg("id"),))
    return 200, "text/html", page("Item", products_html(rows))


@route("POST", "/pg/api/search", needs="pg")
def pg_search(h):  # VULN sqli time (PostgreSQL, blind): JSON, string; the answer never changes
    query(h, "pg", "SELECT count(*) FROM kw_products WHERE name = '" + h.json_field("name") + "'")
    return 200, "application/json", '{"status": "queued"}'


def articles_html(rows):
    return "".join(f"<h2>{html.escape(t)}</h2><p>{html.escape(b)}</p>" for t, b in rows) or "<p>None.</p>"


@route("GET", "/my/article", needs="my")
def my_article(h):  # VULN sqli error (MariaDB): query, numeric
    rows, err = query(h, "my", "SELECT title, body FROM kw_articles WHERE id = " + h.arg("id"))
    return sql_page("Article", err) if err else (200, "text/html", page("Article", articles_html(rows)))


@route("GET", "/my/item", needs="my")
def my_item(h):  # SAFE: parameterised
    rows, _ = query(h, "my", "SELECT title, body FROM kw_articles WHERE id = %s", (h.arg("id"),))
    return 200, "text/html", page("Item", articles_html(rows))


@route("GET", "/my/track", needs="my")
def my_track(h):  # VULN sqli time (MariaDB, blind): query, string
    query(h, "my", "SELECT id FROM kw_sessions WHERE sid = '" + h.arg("sid") + "'")
    return 200, "text/html", page("Tracking", "<p>ok</p>")


@route("GET", "/my/newsletter", needs="my")
def my_newsletter(h):
    return 200, "text/html", page("Newsletter", form("/my/subscribe", "post", [("email", "alice@shop.test")], "Subscribe")
                                  + form("/my/unsubscribe", "post", [("email", "alice@shop.test")], "Unsubscribe"))


SUBSCRIBED = "<p>Thanks, we will confirm by mail.</p>"


@route("POST", "/my/subscribe", needs="my")
def my_subscribe(h):  # VULN sqli time (MariaDB, blind): form, string
    query(h, "my", "SELECT id FROM kw_subs WHERE email = '" + h.form("email") + "'")
    return 200, "text/html", page("Newsletter", SUBSCRIBED)


@route("POST", "/my/unsubscribe", needs="my")
def my_unsubscribe(h):  # SAFE: parameterised
    query(h, "my", "SELECT id FROM kw_subs WHERE email = %s", (h.form("email"),))
    return 200, "text/html", page("Newsletter", SUBSCRIBED)


# ---- path traversal ----

def read_text(path):
    try:
        with open(path, "rb") as f:
            return f.read(65536).decode("utf-8", "replace")
    except OSError:
        return None


def show_file(title, text):
    if text is None:
        return 404, "text/html", page(title, "<p>No such file.</p>")
    return 200, "text/html", page(title, f"<pre>{html.escape(text)}</pre>")


@route("GET", "/download")
def download(h):  # VULN traversal: plain join (an absolute path or ../ escapes)
    return show_file("Download", read_text(os.path.join(h.shop.docroot, "files", h.arg("file"))))


@route("GET", "/docs/view")
def docs_view(h):  # VULN traversal: prefix directory + user path
    return show_file("Document", read_text(h.shop.docroot + "/docs/" + h.arg("page")))


@route("GET", "/print")
def print_page(h):
    return 200, "text/html", page("Print", form("/print", "post", [("layout", "invoice.txt")], "Layout"))


@route("POST", "/print")
def print_post(h):  # VULN traversal: POST form field, prefix directory
    return show_file("Print", read_text(h.shop.docroot + "/layouts/" + h.form("layout")))


VALID_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@route("GET", "/attachment")
def attachment(h):  # SAFE: the name must be a plain file name
    name = h.arg("name")
    if os.path.basename(name) != name or not VALID_NAME.match(name) or ".." in name:
        return 400, "text/html", page("Attachment", "<p>Invalid file name.</p>")
    return show_file("Attachment", read_text(os.path.join(h.shop.docroot, "files", name)))


@route("GET", "/docs/read")
def docs_read(h):  # SAFE: resolved path must stay inside docs/
    base = os.path.realpath(os.path.join(h.shop.docroot, "docs"))
    path = os.path.realpath(os.path.join(base, h.arg("page")))
    if os.path.dirname(path) != base:
        return 400, "text/html", page("Document", "<p>Invalid document.</p>")
    return show_file("Document", read_text(path))


# ---- OS command injection ----

def shell(cmd, timeout=30):
    try:
        p = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=timeout, cwd=tempfile.gettempdir())
        return p.stdout + p.stderr
    except subprocess.TimeoutExpired:
        return "timed out\n"


@route("GET", "/tools/")
def tools(h):
    return 200, "text/html", page("Tools", form("/tools/dns", "get", [("host", "localhost")], "Look up a host")
                                  + form("/tools/whois", "get", [("host", "localhost")], "Who is")
                                  + form("/tools/notify", "post", [("email", "ops@shop.test")], "Notify")
                                  + form("/tools/subscribe", "post", [("email", "ops@shop.test")], "Subscribe"))


@route("GET", "/tools/dns")
def tools_dns(h):  # VULN cmdi: output shown (shell with the input)
    hosts = os.path.join(h.shop.docroot, "hosts")
    out = shell(f"grep -i -- {h.arg('host')} {hosts} || echo no entry")
    return 200, "text/html", page("Lookup", f"<pre>{html.escape(out)}</pre>")


HOST_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9._+-]{1,64}@[A-Za-z0-9.-]{1,64}$")


@route("GET", "/tools/whois")
def tools_whois(h):  # SAFE: validated, argument list
    host = h.arg("host")
    if not HOST_RE.match(host):
        return 400, "text/html", page("Who is", "<p>Invalid host name.</p>")
    p = subprocess.run(["grep", "-i", "-F", "--", host, os.path.join(h.shop.docroot, "hosts")],
                       capture_output=True, text=True, timeout=10)
    return 200, "text/html", page("Who is", f"<pre>{html.escape(p.stdout or 'no entry')}</pre>")


@route("POST", "/tools/notify")
def tools_notify(h):  # VULN cmdi blind: the output goes to a file, only a delay shows
    shell(f"echo {h.form('email')} >> {h.shop.queue} 2>/dev/null")
    return 200, "text/html", page("Notify", "<p>Queued.</p>")


@route("POST", "/tools/subscribe")
def tools_subscribe(h):  # SAFE: validated, argument list
    email = h.form("email")
    if not EMAIL_RE.match(email):
        return 400, "text/html", page("Subscribe", "<p>Invalid address.</p>")
    subprocess.run(["grep", "-c", "-F", "--", email, h.shop.queue], capture_output=True, timeout=10)
    return 200, "text/html", page("Subscribe", "<p>Queued.</p>")


# ---- open redirect ----

@route("GET", "/redirect")
def redirect(h):  # VULN redirect: 302 to anything
    return h.redirect(h.arg("url", "/"))


@route("GET", "/continue")
def cont(h):  # VULN redirect: meta refresh and JS location to anything
    n = h.arg("next", "/")
    js = json.dumps(n).replace("<", "\\u003c").replace(">", "\\u003e")
    return 200, "text/html", page("Continue", f"<p>Redirecting...</p><script>window.location = {js};</script>",
                                  head=f'<meta http-equiv="refresh" content="0;url={html.escape(n, quote=True)}">')


@route("GET", "/goto")
def goto(h):  # SAFE: relative paths only
    u = h.arg("url", "/")
    if not u.startswith("/") or u.startswith("//") or "\\" in u:
        u = "/"
    return h.redirect(u)


@route("GET", "/settings")
def settings(h):
    return 200, "text/html", page("Settings", form("/lang", "post", [("lang", "en"), ("redirect", "/")], "Language"))


@route("POST", "/lang")
def lang(h):  # VULN redirect: POST form field, 303 to anything
    h.extra.append(("Set-Cookie", f"lang={urllib.parse.quote(h.form('lang', 'en')[:8])}; Path=/"))
    return h.redirect(h.form("redirect", "/"), 303)


# ---- SSTI ----

def render(src, **kw):
    if jinja2 is None:
        return "(templates unavailable)"
    try:
        return jinja2.Environment(autoescape=True).from_string(src).render(**kw)
    except jinja2.TemplateError as e:
        return f"Template error: {html.escape(str(e))}"


@route("GET", "/greeting")
def greeting(h):  # VULN ssti: the input is part of the template's source
    return 200, "text/html", page("Greeting", render("<p>Hello " + h.arg("name") + "!</p>"))


@route("GET", "/welcome")
def welcome(h):  # SAFE: constant template, the input a variable (escaped)
    return 200, "text/html", page("Welcome", render("<p>Welcome {{ name }}!</p>", name=h.arg("name")))


@route("GET", "/cards")
def cards(h):
    return 200, "text/html", page("Gift cards", form("/cards/preview", "post", [("message", "Happy birthday")], "Card text"))


@route("POST", "/cards/preview")
def cards_preview(h):  # VULN ssti: POST form field compiled as a template
    return 200, "text/html", page("Card preview", '<div class="card">' + render(h.form("message")) + "</div>")


# ---- exposed files, listings, traces ----

def bytes_route(path, ctype, data):
    Handler.routes[("GET", path)] = lambda h: (200, ctype, data)


def listing_apache(h, d, names):
    rows = "".join(f'<tr><td><a href="{urllib.parse.quote(n)}">{html.escape(n)}</a></td><td align="right">2024-03-01 10:00  </td>'
                   f'<td align="right">1.2K</td></tr>\n' for n in names)
    return ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<html>\n <head>\n  <title>Index of ' + d.rstrip("/")
            + '</title>\n </head>\n <body>\n<h1>Index of ' + d.rstrip("/") + '</h1>\n  <table>\n'
            '   <tr><th>Name</th><th>Last modified</th><th>Size</th></tr>\n'
            '<tr><td><a href="/">Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td></tr>\n'
            + rows + '</table>\n<address>Apache/2.4.41 (Ubuntu) Server at 127.0.0.1 Port 80</address>\n</body></html>\n')


def listing_python(h, d, names):
    items = "".join(f'<li><a href="{urllib.parse.quote(n)}">{html.escape(n)}</a></li>\n' for n in names)
    return ('<!DOCTYPE HTML>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Directory listing for ' + d
            + '</title>\n</head>\n<body>\n<h1>Directory listing for ' + d + '</h1>\n<hr>\n<ul>\n' + items
            + '</ul>\n<hr>\n</body>\n</html>\n')


def dir_names(h, d):
    return sorted(os.listdir(os.path.join(h.shop.docroot, d.strip("/"))))


@route("GET", "/files/")
def files_index(h):  # VULN dirlist: Apache autoindex style
    return 200, "text/html", listing_apache(h, "/files/", dir_names(h, "/files/"))


@route("GET", "/uploads/")
def uploads_index(h):  # VULN dirlist: Python http.server style
    return 200, "text/html", listing_python(h, "/uploads/", dir_names(h, "/uploads/"))


def serve_listed(h, d):
    name = h.url_path[len(d):]
    if not VALID_NAME.match(name):
        return not_found(h)
    text = read_text(os.path.join(h.shop.docroot, d.strip("/"), name))
    return (200, "text/plain", text) if text is not None else not_found(h)


@route("GET", "/status")
def status(h):  # VULN stacktrace: a Python traceback shown (a debug-mode app)
    try:
        orders = query(h, "sqlite", "SELECT count(*) FROM orders WHERE status = 'open'")[0][0][0]
        shipped = 0
        ratio = orders / shipped
        body = f"<p>{ratio}</p>"
    except ZeroDivisionError:
        body = f"<h2>Internal Server Error</h2><pre>{html.escape(traceback.format_exc())}</pre>"
    return 500, "text/html", page("Status", body)


@route("GET", "/legacy/export")
def legacy_export(h):  # VULN stacktrace: a PHP fatal error with its stack trace
    body = ("<br />\n<b>Fatal error</b>:  Uncaught PDOException: SQLSTATE[HY000] [2002] Connection refused in "
            "/var/www/html/legacy/export.php:14\nStack trace:\n#0 /var/www/html/legacy/export.php(14): "
            "PDO-&gt;__construct('mysql:host=127....', 'shop', 'Sh0p-db-pass-20...')\n#1 {main}\n  thrown in "
            "<b>/var/www/html/legacy/export.php</b> on line <b>14</b><br />\n")
    return 500, "text/html", body


@route("GET", "/backup.html")
def backup_page(h):  # SAFE: an ordinary page that happens to be called backup
    return 200, "text/html", page("Backups", "<p>Your orders are backed up every night. Ask us for a copy.</p>")


@route("GET", "/admin/")
def admin(h):  # VULN admin: an administration console's login, open to all
    return 200, "text/html", page("Administration console", form("/admin/login", "post", [("username", "")], "Administrator sign-in",
                                  ' <input type="password" name="password">'))


@route("GET", "/admin")
def admin_noslash(h):
    return h.redirect("/admin/", 301)


@route("POST", "/admin/login")
def admin_login(h):
    return 200, "text/html", page("Administration console", "<p>Invalid credentials.</p>")


# ---- sign-in and the account area ----

LOGIN_FORM = form("/login", "post", [("username", "")], "Sign in",
                  ' <input type="password" name="password" value="">')


@route("GET", "/login")
def login_page(h):
    note = "<p>Your session has ended; please sign in again.</p>" if h.arg("expired") else ""
    return 200, "text/html", page("Sign in", note + LOGIN_FORM)


@route("POST", "/login")
def login(h):
    rows, _ = query(h, "sqlite", "SELECT username FROM users WHERE username = ? AND password = ?",
                    (h.form("username"), h.form("password")))
    if not rows:
        return 200, "text/html", page("Sign in", "<p>Invalid username or password.</p>" + LOGIN_FORM)
    token = h.shop.login(rows[0][0])
    h.extra.append(("Set-Cookie", f"shop_session={token}; Path=/"))
    return h.redirect("/account", 303)


def signed_in(fn):
    def wrap(h):
        if not h.user:
            return h.redirect("/login?expired=1" if h.cookies.get("shop_session") else "/login")
        return fn(h)
    return wrap


@route("GET", "/account")
@signed_in
def account(h):  # VULN xss stored: the bio is shown raw; SAFE: the display name escaped
    p = h.shop.profiles.get(h.user, {"display_name": h.user, "bio": "No bio yet."})
    return 200, "text/html", page("Your account", f"<p>Signed in as {html.escape(h.user)}</p>"
                                  f'<p class="name">{html.escape(p["display_name"])}</p><div class="bio">{p["bio"]}</div>'
                                  '<ul><li><a href="/account/orders?order=1001">Order 1001</a></li>'
                                  '<li><a href="/account/profile">Edit profile</a></li>'
                                  '<li><a href="/logout">Sign out</a></li></ul>')


@route("GET", "/account/profile")
@signed_in
def profile_form(h):
    p = h.shop.profiles.get(h.user, {"display_name": h.user, "bio": "No bio yet."})
    return 200, "text/html", page("Profile", form("/account/profile", "post", [("display_name", p["display_name"])], "Profile",
                                                  ' <textarea name="bio">About me</textarea>'))


@route("POST", "/account/profile")
@signed_in
def profile_save(h):
    with h.shop.lock:
        h.shop.profiles[h.user] = {"display_name": h.form("display_name")[:200], "bio": h.form("bio")[:2000]}
    return h.redirect("/account", 303)


@route("GET", "/account/orders")
@signed_in
def account_orders(h):  # VULN sqli error: only reachable signed in
    sql = "SELECT id, total, status FROM orders WHERE username = '" + h.user + "' AND id = " + h.arg("order")
    rows, err = query(h, "sqlite", sql)
    return sql_page("Order", err, sql) if err else (200, "text/html", page("Order", f"<ul>{order_list(rows)}</ul>"))


@route("GET", "/logout")
def logout(h):
    tok = h.cookies.get("shop_session")
    if tok:
        h.shop.logout(tok)
    h.extra.append(("Set-Cookie", "shop_session=; Path=/; Max-Age=0"))
    return h.redirect("/")


def add_files(shop):
    bytes_route("/.git/HEAD", "text/plain", GIT_HEAD)
    bytes_route("/.git/config", "text/plain", GIT_CONFIG)
    bytes_route("/.svn/entries", "text/plain", "12\n")
    bytes_route("/.svn/wc.db", "application/octet-stream", svn_wc_db(os.path.join(shop.dir, "wc.db")))
    bytes_route("/.env", "text/plain", DOTENV)
    bytes_route("/index.php.bak", "application/octet-stream", PHP_INDEX)
    bytes_route("/config.php.bak", "application/octet-stream", PHP_CONFIG)
    bytes_route("/.index.php.swp", "application/octet-stream", vim_swap())
    bytes_route("/www.zip", "application/zip", www_zip())
    bytes_route("/phpinfo.php", "text/html", phpinfo_page())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log")
    ap.add_argument("--pg")
    ap.add_argument("--mysql")
    ap.add_argument("--session-requests", type=int, default=None)
    args = ap.parse_args()
    shop = Shop(args)
    add_files(shop)
    Handler.shop = shop
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    print(f"listening on {srv.server_address[1]}", flush=True)
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
        shutil.rmtree(shop.dir, ignore_errors=True)


def on_term(*_):
    raise KeyboardInterrupt


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGTERM, on_term)
    main()
