"""A JSON API the HTML does not show, found through its OpenAPI description: a real HTTP server
on loopback publishes /v3/api-docs (as Spring does) for a POST /api/find whose JSON field goes
into an SQLite query by concatenation (real SQLite, its error answered as JSON) beside a
parameterised twin, POST /api/find-safe. `scan web` with no seed finds the injection in the
JSON field and not the twin; `--openapi URL` reads a description at another path."""
import http.server
import json
import os
import shutil
import sqlite3
import tempfile
import threading
import unittest

from kwtest import free_port, run

SPEC = {
    "openapi": "3.0.1", "servers": [{"url": "/api"}],
    "paths": {
        "/find": {"post": {"requestBody": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Find"}}}}}},
        "/find-safe": {"post": {"requestBody": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Find"}}}}}},
    },
    "components": {"schemas": {"Find": {"properties": {"name": {"type": "string", "example": "lamp"}}}}},
}


class Api:
    def __init__(self, spec_path):
        db = sqlite3.connect(":memory:", check_same_thread=False)
        db.execute("CREATE TABLE items (name TEXT, price INTEGER)")
        db.execute("INSERT INTO items VALUES ('lamp', 12), ('desk', 80)")
        lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def answer(self, status, obj):
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == spec_path:
                    return self.answer(200, SPEC)
                if self.path == "/":
                    data = b"<html><body><h1>API</h1></body></html>"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    return self.wfile.write(data)
                self.answer(404, {"error": "not found"})

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                try:
                    name = str(json.loads(self.rfile.read(n) or b"{}").get("name", ""))
                except (ValueError, AttributeError):
                    return self.answer(400, {"error": "bad json"})
                try:
                    with lock:
                        if self.path == "/api/find":
                            rows = db.execute("SELECT name, price FROM items WHERE name = '" + name + "'").fetchall()
                        elif self.path == "/api/find-safe":
                            rows = db.execute("SELECT name, price FROM items WHERE name = ?", (name,)).fetchall()
                        else:
                            return self.answer(404, {"error": "not found"})
                except sqlite3.Error as e:
                    return self.answer(500, {"error": "sqlite3.OperationalError: " + str(e)})
                self.answer(200, {"items": rows})

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class ScanWebApi(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kw-webapi-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.cfg = os.path.join(self.dir, "keepwatch.yaml")
        with open(self.cfg, "w") as f:
            f.write(f"daemon: {{state_dir: {self.dir}/var}}\n")

    def scan(self, api, *extra):
        rc, out, err = run("scan", "web", api.base, "--json", "--no-store", "-c", self.cfg, *extra, timeout=300)
        self.assertIn(rc, (0, 1), err)
        return {(f["vulnerability.category"], f["url.full"].split("/", 3)[3], f.get("keepwatch.finding.parameter"))
                for f in (json.loads(x) for x in out.split("\n") if x.startswith("{"))}, err

    def test_found_through_its_description(self):
        api = Api("/v3/api-docs")
        self.addCleanup(api.stop)
        found, err = self.scan(api)
        self.assertIn(("sqli", "api/find", "name"), found, err)
        self.assertNotIn(("sqli", "api/find-safe", "name"), found)
        self.assertIn("an API description", err)

    def test_description_at_another_path(self):
        api = Api("/docs/spec.json")
        self.addCleanup(api.stop)
        found, _ = self.scan(api)
        self.assertNotIn(("sqli", "api/find", "name"), found, "not published where frameworks put it")
        found, err = self.scan(api, "--openapi", api.base + "docs/spec.json")
        self.assertIn(("sqli", "api/find", "name"), found, err)


if __name__ == "__main__":
    unittest.main()
