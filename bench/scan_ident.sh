#!/usr/bin/env bash
# bench/scan_ident.sh: service identification of 20 local services, keepwatch scan service beside
# nmap -sV (issue 16's target: the same services named, at least 5x faster).
#
# Starts 20 real services on free ports of 127.0.0.1, each with its own files in a temporary
# directory: three sshd, three python http.server, two python https servers (self-signed), two
# openssl s_server (one allowing TLS 1.0), two redis-server (one with requirepass), two memcached,
# two pyftpdlib FTP servers, aiosmtpd, PostgreSQL (initdb, tests/integ/pgserver.py), MariaDB
# (mariadb-install-db) and slapd. Then it times `keepwatch scan service 127.0.0.1:PORTS` and
# `nmap -sV -p PORTS 127.0.0.1` (installed with apt-get when missing) and prints, per port, the
# service each named, whether they agree (nmap's ssl/http counts as https), and the two times.
# Every service is stopped by its pid at the end. Nothing leaves the loopback.
#
# usage: bench/scan_ident.sh
#   BUILD=dir           the CMake build directory holding keepwatch (default ./build)
#   KW_BENCH_NO_NMAP=1  keepwatch alone (its per-port times), without the minute nmap takes
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
KW="$PWD/$BUILD/keepwatch"
[ -x "$KW" ] || { echo "bench/scan_ident.sh: no $KW (make build, or BUILD=dir)" >&2; exit 2; }
missing=""
for p in nmap openssh-server redis-server memcached python3-pyftpdlib python3-aiosmtpd postgresql mariadb-server slapd openssl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "bench/scan_ident.sh: installing$missing" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
# Debian's python3 has python3-pyftpdlib and python3-aiosmtpd
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
exec "$PY" - "$KW" "$PWD/tests/integ" <<'EOF'
import json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time
kw, integ = sys.argv[1], sys.argv[2]
sys.path.insert(0, integ)
from kwtest import free_port, wait_for
from pgserver import PgServer

tmp = tempfile.mkdtemp(prefix="kw-bench-ident-")
procs, services = [], []   # services: (port, what)

def is_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.3):
            return True
    except OSError:
        return False

def start(what, argv, port, **kw):
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, **kw)
    procs.append(p)
    wait_for(what, lambda: p.poll() is not None or is_open(port), timeout=30)
    if p.poll() is not None:
        raise SystemExit(f"bench: {what} exited {p.returncode}")
    services.append((port, what))

def sh(*argv, **kw):
    subprocess.run(argv, check=True, capture_output=True, timeout=120, **kw)

HTTPS = """
import http.server, ssl, sys
srv = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), http.server.SimpleHTTPRequestHandler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[2], sys.argv[3])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
"""
FTP = """
import sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer
a = DummyAuthorizer(); a.add_user("kw", "kw-secret", sys.argv[2])
if sys.argv[3] == "anon": a.add_anonymous(sys.argv[2])
FTPHandler.authorizer = a
FTPServer(("127.0.0.1", int(sys.argv[1])), FTPHandler).serve_forever()
"""
pg = None
try:
    sh("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out", "c.pem", "-days", "30",
       "-subj", "/CN=bench.example", cwd=tmp)
    cert, key = os.path.join(tmp, "c.pem"), os.path.join(tmp, "k.pem")
    sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.path.join(tmp, "hostkey"))
    os.makedirs("/run/sshd", exist_ok=True)
    for i in range(3):
        port = free_port()
        conf = os.path.join(tmp, f"sshd{i}.conf")
        with open(conf, "w") as f:
            f.write(f"Port {port}\nListenAddress 127.0.0.1\nHostKey {tmp}/hostkey\nPidFile {tmp}/sshd{i}.pid\nUsePAM no\n")
        start("sshd", ["/usr/sbin/sshd", "-D", "-f", conf], port)
    for i in range(3):
        port = free_port()
        start("http.server", [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"], port, cwd=tmp)
    for i in range(2):
        port = free_port()
        start("https (python)", [sys.executable, "-c", HTTPS, str(port), cert, key], port, cwd=tmp)
    port = free_port()
    start("openssl s_server -tls1", ["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", cert, "-key", key,
                                     "-www", "-quiet", "-tls1", "-cipher", "ALL:@SECLEVEL=0"], port)
    port = free_port()
    start("openssl s_server", ["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", cert, "-key", key,
                               "-www", "-quiet"], port)
    for extra in ([], ["--requirepass", "kw-bench-secret"]):
        port = free_port()
        start("redis-server", ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--protected-mode", "no", "--dir", tmp, *extra], port)
    for i in range(2):
        port = free_port()
        start("memcached", ["memcached", "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-u", "nobody", "-m", "8"], port)
    for mode in ("anon", "users"):
        port = free_port()
        start("pyftpdlib", [sys.executable, "-c", FTP, str(port), tmp, mode], port)
    port = free_port()
    start("aiosmtpd", [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"], port)
    pg = PgServer().start()
    services.append((pg.port, "postgresql"))
    root = ["--user=root"] if os.getuid() == 0 else []
    sh("mariadb-install-db", "--no-defaults", f"--datadir={tmp}/my", "--skip-test-db", *root)
    port = free_port()
    start("mariadbd", ["/usr/sbin/mariadbd", "--no-defaults", f"--datadir={tmp}/my", f"--port={port}",
                       "--bind-address=127.0.0.1", f"--socket={tmp}/my.sock", f"--pid-file={tmp}/my.pid",
                       "--skip-log-bin", *root], port)
    os.makedirs(f"{tmp}/ldap")
    with open(f"{tmp}/slapd.conf", "w") as f:
        f.write(f"include /etc/ldap/schema/core.schema\npidfile {tmp}/slapd.pid\nmodulepath /usr/lib/ldap\n"
                f"moduleload back_mdb\ndatabase mdb\nsuffix \"dc=example,dc=org\"\ndirectory {tmp}/ldap\n")
    port = free_port()
    start("slapd", ["/usr/sbin/slapd", "-f", f"{tmp}/slapd.conf", "-h", f"ldap://127.0.0.1:{port}/", "-d", "0"], port)

    services.sort()
    ports = ",".join(str(p) for p, _ in services)
    print(f"== {len(services)} services on 127.0.0.1 ({os.cpu_count()} CPUs)")

    t0 = time.monotonic()
    out = subprocess.run([kw, "scan", "service", "--no-store", "--json", f"127.0.0.1:{ports}"], capture_output=True, text=True,
                         timeout=300).stdout
    kw_s = time.monotonic() - t0
    ours, took = {}, {}
    for line in out.splitlines():
        doc = json.loads(line)
        if "target" in doc:
            ours[doc["port"]] = doc["service"]["name"]
            took[doc["port"]] = doc["elapsed_ms"]

    t0 = time.monotonic()
    nmap = ["true"] if os.environ.get("KW_BENCH_NO_NMAP") else ["nmap", "-sV", "-Pn", "-n", "-p", ports, "127.0.0.1"]
    out = subprocess.run(nmap, capture_output=True, text=True,
                         timeout=1200).stdout
    nmap_s = time.monotonic() - t0
    theirs = {}
    for line in out.splitlines():
        m = re.match(r"(\d+)/tcp\s+open\s+(\S+)", line)
        if m:
            theirs[int(m.group(1))] = m.group(2)

    def same(a, b):
        b = b.rstrip("?")
        if b.startswith("ssl/"):
            b = "https" if b[4:] in ("http", "https") else b[4:]
        return a == b or (a, b) in {("https", "https-alt"), ("http", "http-alt"), ("http", "http-proxy")}

    agree = unnamed = 0
    print(f"{'port':>6}  {'started':<24} {'keepwatch':<12} {'ms':>5}  {'nmap -sV':<16} same")
    for port, what in services:
        a, b = ours.get(port, "-"), theirs.get(port, "-")
        ok = same(a, b)
        agree += ok
        # nmap's own "I could not tell" is not a disagreement about a service it named
        blank = not ok and b.rstrip("?") in ("unknown", "ssl/unknown", "tcpwrapped", "-")
        unnamed += blank
        print(f"{port:>6}  {what:<24} {a:<12} {took.get(port, -1):>5}  {b:<16} "
              f"{'yes' if ok else 'nmap did not name it' if blank else 'NO'}")
    print(f"same service named: {agree}/{len(services)}" + (f" ({unnamed} that nmap did not name)" if unnamed else ""))
    print(f"keepwatch scan service: {kw_s:.2f} s    nmap -sV: {nmap_s:.2f} s    ({nmap_s / kw_s:.1f}x)")
finally:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
    if pg:
        pg.stop()
    shutil.rmtree(tmp, ignore_errors=True)
EOF
