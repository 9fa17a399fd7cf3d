"""A hostile web site for the bad-input tests of `keepwatch scan web` (python3 stdlib only).

    python3 hostileweb.py PORT --log FILE [--out-host 127.0.0.2]

Listens on 127.0.0.1:PORT, and on OUT-HOST:PORT as the "other site" that redirects and links
point to (a scan must never reach it), prints "ready" once both listen, and appends one line per
request to FILE: "LISTENER HOST-HEADER METHOD PATH" (LISTENER is "in" or "out"), written before
the answer starts, so a test can count requests even for answers that never end.

Routes (the index / links to all of them):
  /r/N            302 to /r/N+1, forever;            /loop  302 to itself
  /out            302 to http://OUT-HOST:PORT/stolen (out of scope)
  /huge           a 1 GiB text/html body streamed from a generator (never held in memory)
  /chunked        an endless chunked text/html body
  /slow           headers, then one byte a second
  /hang           reads the request, never answers
  /lie            claims 100000 bytes, sends 10 and closes
  /badutf8        invalid UTF-8 in a page declared UTF-8, links with invalid bytes inside
  /mixed          header says ISO-8859-1, meta says Shift_JIS, bytes of UTF-8, Latin-1 and UTF-16
  /binary         256 KiB of random bytes as text/html
  /links          100,000 links (to /l/N, small pages)
  /forms          20,000 POST forms of 30 inputs each
  /deep           100,000 nested divs, a link at the bottom
  /bigheaders     2,000 headers of 500 bytes (1 MB of header block)
  /longheader     one header line of 1 MB
  /robots.txt     three Sitemap lines, a million Disallow lines, one more Sitemap (streamed)
  /sitemap.xml    a sitemap of a million URLs (streamed)
  /laughs.xml     a billion-laughs sitemap
  /index.xml      a sitemap index that lists itself and the others
  /ok             an ordinary page with an ordinary form
Anything else is a small 404 page.
"""
import argparse
import http.server
import random
import socketserver
import sys
import threading
import time

MIB = 1 << 20
LOG_LOCK = threading.Lock()
ARGS = None

# the hostile routes, linked from the index (the robots.txt and sitemaps are found by convention)
ROUTES = ["/r/1", "/loop", "/out", "/huge", "/chunked", "/slow", "/hang", "/lie", "/badutf8", "/mixed",
          "/binary", "/links", "/forms", "/deep", "/bigheaders", "/longheader", "/ok", "/laughs.xml",
          "/index.xml"]


def log_request(listener, handler):
    with LOG_LOCK, open(ARGS.log, "a") as f:
        f.write(f"{listener} {handler.headers.get('Host', '-')} {handler.command} {handler.path}\n")


def index_page(port):
    links = "".join(f'<a href="{r}">{r}</a>\n' for r in ROUTES)
    other = f"http://{ARGS.out_host}:{port}"
    return (f"<html><head><title>hostile</title></head><body>\n{links}"
            f'<a href="{other}/linked">elsewhere</a>\n'
            f'<a href="http://localhost:{port}/by-name">same port, other name</a>\n'
            f'<iframe src="{other}/framed"></iframe>\n'
            f'<form action="{other}/steal" method="post"><input name="q"></form>\n'
            "</body></html>\n").encode()


def gen_links():
    yield b"<html><body>\n"
    for i in range(0, 100000, 1000):
        yield "".join(f'<a href="/l/{j}?p={j}">link {j}</a>\n' for j in range(i, i + 1000)).encode()
    yield b"</body></html>\n"


def gen_forms():
    yield b"<html><body>\n"
    inputs = "".join(f'<input name="f{k}" value="v{k}">' for k in range(30))
    for i in range(20000):
        yield f'<form method="post" action="/f/{i}">{inputs}<textarea name="t">x</textarea></form>\n'.encode()
    yield b"</body></html>\n"


def gen_deep():
    yield b"<html><body>"
    for _ in range(100):
        yield b"<div>" * 1000
    yield b'<a href="/deep-link">bottom</a>'
    for _ in range(100):
        yield b"</div>" * 1000
    yield b"</body></html>\n"


def gen_robots():
    yield b"Sitemap: /index.xml\nSitemap: /laughs.xml\nSitemap: /sitemap.xml\nUser-agent: *\n"
    for i in range(0, 1000000, 10000):
        yield "".join(f"Disallow: /hidden/{j}/\n" for j in range(i, i + 10000)).encode()
    yield b"Sitemap: /sitemap-at-the-end.xml\n"


def gen_sitemap(port):
    yield b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    for i in range(0, 1000000, 10000):
        yield "".join(f"<url><loc>http://127.0.0.1:{port}/s/{j}</loc></url>\n"
                      for j in range(i, i + 10000)).encode()
    yield b"</urlset>\n"


def laughs(port):
    ents = '<!ENTITY lol "lol">\n' + "".join(
        f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">\n' for i in range(1, 10))
    return (f'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n{ents}]>\n'
            f"<urlset><url><loc>http://127.0.0.1:{port}/&lol9;</loc></url></urlset>\n").encode()


def sitemap_index(port):
    locs = "".join(f"<sitemap><loc>http://127.0.0.1:{port}{p}</loc></sitemap>"
                   for p in ("/index.xml", "/sitemap.xml", "/laughs.xml"))
    return f'<?xml version="1.0"?><sitemapindex>{locs}</sitemapindex>\n'.encode()


BAD_UTF8 = (b'<html><head><meta charset="utf-8"></head><body>\xc3\x28 \xa0\xa1 \xe2\x82 \xf0\x28\x8c\xbc '
            b'\xed\xa0\x80 \xc0\xaf <a href="/u/\xff\xfe">bad</a> <a href="/u/caf\xe9">latin</a> '
            b'<a href="/u/\xc3\xa9">good</a> \x00\x01\x02 <form action="/u/\xc3"><input name="\xff"></form>'
            b"</body></html>\n")

MIXED = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=shift_jis"></head><body>'
         .encode() + "caf\u00e9 \u3042".encode("utf-8") + " caf\u00e9".encode("latin-1") +
         "\u3042".encode("utf-16") + b'<a href="/m/\x82\xa0">sjis</a></body></html>\n')


class Hostile(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hostile/1.0"
    listener = "in"

    def log_message(self, fmt, *a):
        pass

    def send(self, status, body, ctype="text/html", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def stream(self, chunks, ctype="text/html", length=None):
        """Streams a generator's chunks, closing the connection after (or when the client goes)."""
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Connection", "close")
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        for c in chunks:
            self.wfile.write(c)

    def redirect(self, where):
        self.send(302, b"moved\n", headers=[("Location", where)])

    def do_HEAD(self):
        self.do_GET()

    def do_POST(self):
        n = min(int(self.headers.get("Content-Length") or 0), MIB)
        self.rfile.read(n)
        self.do_GET()

    def do_GET(self):
        log_request(self.listener, self)
        if self.listener == "out":
            return self.send(200, b"<html><body>you should not be here</body></html>\n")
        path = self.path.split("?", 1)[0]
        port = self.server.server_address[1]
        try:
            self.route(path, port)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True

    def route(self, path, port):
        fixed = {
            "/": lambda: self.send(200, index_page(port)),
            "/loop": lambda: self.redirect("/loop"),
            "/out": lambda: self.redirect(f"http://{ARGS.out_host}:{port}/stolen"),
            "/huge": lambda: self.stream(gen_huge(), length=1 << 30),
            "/chunked": self.chunked,
            "/slow": self.slow,
            "/hang": self.hang,
            "/lie": self.lie,
            "/badutf8": lambda: self.send(200, BAD_UTF8, "text/html; charset=utf-8"),
            "/mixed": lambda: self.send(200, MIXED, "text/html; charset=iso-8859-1"),
            "/binary": lambda: self.send(200, random.Random(17).randbytes(256 << 10)),
            "/links": lambda: self.stream(gen_links()),
            "/forms": lambda: self.stream(gen_forms()),
            "/deep": lambda: self.stream(gen_deep()),
            "/bigheaders": lambda: self.send(200, b"<html>headers</html>\n",
                                             headers=[(f"X-Pad-{i}", "p" * 500) for i in range(2000)]),
            "/longheader": lambda: self.send(200, b"<html>header</html>\n", headers=[("X-Long", "l" * MIB)]),
            "/robots.txt": lambda: self.stream(gen_robots(), "text/plain"),
            "/sitemap.xml": lambda: self.stream(gen_sitemap(port), "application/xml"),
            "/laughs.xml": lambda: self.send(200, laughs(port), "application/xml"),
            "/index.xml": lambda: self.send(200, sitemap_index(port), "application/xml"),
            "/ok": lambda: self.send(200, b'<html><body><p>fine</p><form action="/ok"><input name="q">'
                                          b"</form></body></html>\n"),
        }
        if path in fixed:
            return fixed[path]()
        if path.startswith("/r/") and path[3:].isdigit():
            return self.redirect(f"/r/{int(path[3:]) + 1}")
        self.send(404, b"<html><body>not here</body></html>\n")

    def chunked(self):
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        piece = b"<p>more</p>" * 5000
        while True:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))

    def slow(self):
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "600")
        self.end_headers()
        for _ in range(600):
            self.wfile.write(b"x")
            self.wfile.flush()
            time.sleep(1)

    def hang(self):
        self.close_connection = True
        time.sleep(600)

    def lie(self):
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b"<html>shor")


def gen_huge():
    piece = b"<p>" + b"A" * (64 << 10) + b"</p>\n"
    sent = 0
    while sent < (1 << 30):
        chunk = piece[:(1 << 30) - sent]
        yield chunk
        sent += len(chunk)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        """A client that goes away mid-answer is what this site is for: no traceback for it."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def serve(host, port, listener):
    handler = type(f"Hostile_{listener}", (Hostile,), {"listener": listener})
    srv = Server((host, port), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def main():
    global ARGS
    p = argparse.ArgumentParser(description="a hostile web site on loopback")
    p.add_argument("port", type=int)
    p.add_argument("--log", required=True, help="file that gets one line per request")
    p.add_argument("--out-host", default="127.0.0.2", help="loopback address of the out-of-scope site")
    ARGS = p.parse_args()
    serve("127.0.0.1", ARGS.port, "in")
    serve(ARGS.out_host, ARGS.port, "out")
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
