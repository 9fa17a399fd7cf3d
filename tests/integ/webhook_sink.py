"""A webhook receiver for tests that run the daemon inside a network namespace: run it there
(`ip netns exec NS python3 webhook_sink.py PORT FILE`); it answers every POST with 200 and
appends {"path", "body"} as one JSON line to FILE. Stopped by its process id (SIGTERM)."""
import http.server
import json
import signal
import sys

PORT, OUT = int(sys.argv[1]), sys.argv[2]


class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(n, 1 << 20)).decode("utf-8", "replace")
        with open(OUT, "a") as f:
            f.write(json.dumps({"path": self.path, "body": body}) + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *a):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Sink)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
print("listening", flush=True)
server.serve_forever()
