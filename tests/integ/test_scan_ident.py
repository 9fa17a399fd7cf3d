"""keepwatch scan service against real services on 127.0.0.1: sshd with its own config and host
key, python's http.server over TLS, openssl s_server allowing TLS 1.0, redis-server, PostgreSQL
(initdb, pgserver.py), MariaDB (mariadb-install-db), slapd, pyftpdlib, aiosmtpd and memcached,
each on a free port. Each finding the
service's answers prove is checked, then the service is fixed and the finding must be gone.
Hostile servers (endless banner, slow drip, binary garbage, a TLS handshake that never
finishes, silence) must end as "unknown" within the budget.

Packages: scripts/deps.sh test (openssh-server, redis-server, memcached, python3-pyftpdlib,
python3-aiosmtpd, postgresql, mariadb-server, slapd, openssl). A test whose server is not installed is skipped."""
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from kwtest import free_port, run, wait_for

# Debian's python3 runs the servers: python3-pyftpdlib and python3-aiosmtpd install for it
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else (sys.executable or "python3")


def has_module(name):
    return subprocess.run([PYTHON, "-c", f"import {name}"], capture_output=True, timeout=30).returncode == 0


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.3):
            return True
    except OSError:
        return False


class Procs:
    """Processes a test started, each stopped by its own pid."""

    def __init__(self):
        self.procs = []

    def start(self, argv, port, **kw):
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
        self.procs.append(p)
        try:
            wait_for(f"{argv[0]} on port {port}", lambda: p.poll() is not None or port_open(port), timeout=20)
        except AssertionError:
            self.stop(p)
            raise
        if p.poll() is not None:
            raise AssertionError(f"{argv[0]} exited {p.returncode}: {p.stderr.read().decode(errors='replace')}")
        return p

    def stop(self, p):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
        if p.stderr:
            p.stderr.close()
        if p in self.procs:
            self.procs.remove(p)

    def stop_all(self):
        for p in list(self.procs):
            self.stop(p)


def scan(*targets, args=(), timeout=120):
    """Runs scan service --json; returns (exit status, {target: port record}, {target: [finding]})."""
    rc, out, err = run("scan", "service", "--no-store", "--json", *args, *targets, timeout=timeout)
    ports, findings, last = {}, {}, None
    for line in out.splitlines():
        doc = json.loads(line)
        if "target" in doc:
            last = doc["target"]
            ports[last] = doc
            findings[last] = []
        else:
            findings[last].append(doc)
    if rc not in (0, 1):
        raise AssertionError(f"scan service exited {rc}: {err}")
    return rc, ports, findings


def ids(findings):
    return {f["vulnerability.id"] for f in findings}


def need(prog):
    path = shutil.which(prog) or (prog if os.path.exists(prog) else None)
    if not path:
        raise unittest.SkipTest(f"{prog} is not installed (scripts/deps.sh test)")
    return path


class Tmp:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="kw-ident-")

    def path(self, name):
        return os.path.join(self.dir, name)

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def self_signed(tmp, name="selfsigned.example"):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ss.key", "-out", "ss.crt", "-days", "30",
            "-subj", f"/CN={name}", cwd=tmp.dir)
    return tmp.path("ss.crt"), tmp.path("ss.key")


def ca_signed(tmp):
    """A CA and a leaf for localhost and 127.0.0.1 signed by it: neither self-signed nor mismatched."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "30",
            "-subj", "/CN=keepwatch test CA", cwd=tmp.dir)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost",
            cwd=tmp.dir)
    with open(tmp.path("san.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out",
            "leaf.crt", "-days", "30", "-extfile", "san.ext", cwd=tmp.dir)
    return tmp.path("leaf.crt"), tmp.path("leaf.key")


HTTPS_SERVER = """
import http.server, ssl, sys
port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
srv = http.server.HTTPServer(("127.0.0.1", port), http.server.SimpleHTTPRequestHandler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
"""

FTP_SERVER = """
import sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer
port, root, anon = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "anon"
a = DummyAuthorizer()
a.add_user("kwuser", "kw-secret-pw", root)
if anon:
    a.add_anonymous(root)
FTPHandler.authorizer = a
FTPServer(("127.0.0.1", port), FTPHandler).serve_forever()
"""


class ScanServiceTest(unittest.TestCase):
    def setUp(self):
        self.procs = Procs()
        self.tmp = Tmp()
        self.addCleanup(self.tmp.remove)
        self.addCleanup(self.procs.stop_all)

    def test_ssh_named_with_its_version(self):
        sshd = need("/usr/sbin/sshd")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", self.tmp.path("hostkey")], check=True,
                       timeout=30)
        os.makedirs("/run/sshd", exist_ok=True)
        port = free_port()
        with open(self.tmp.path("sshd_config"), "w") as f:
            f.write(f"Port {port}\nListenAddress 127.0.0.1\nHostKey {self.tmp.path('hostkey')}\n"
                    f"PidFile {self.tmp.path('sshd.pid')}\nUsePAM no\n")
        self.procs.start([sshd, "-D", "-e", "-f", self.tmp.path("sshd_config")], port)
        # the package's version, "1:9.2p1-2+deb12u3", is what the banner says: OpenSSH_9.2p1 Debian-2+deb12u3
        deb = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "openssh-server"], capture_output=True,
                             text=True).stdout
        rc, ports, findings = scan(f"127.0.0.1:{port}")
        svc = ports[f"127.0.0.1:{port}"]["service"]
        self.assertEqual(svc["name"], "ssh")
        self.assertEqual(svc["product"], "OpenSSH")
        if deb:
            upstream, debian = deb.split(":")[-1].split("-", 1)
            self.assertEqual(svc["version"], upstream)
            self.assertEqual(svc["info"], f"Debian-{debian}; protocol 2.0")
        self.assertIn("protocol 2.0", svc["info"])
        self.assertTrue(svc["banner"].startswith("SSH-2.0-OpenSSH_"))
        self.assertEqual(findings[f"127.0.0.1:{port}"], [])
        self.assertEqual(rc, 0)

    def test_ssh_on_an_http_port_still_named(self):
        sshd = need("/usr/sbin/sshd")
        port = 8080
        if port_open(port):
            self.skipTest("port 8080 is in use here")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", self.tmp.path("hostkey")], check=True,
                       timeout=30)
        os.makedirs("/run/sshd", exist_ok=True)
        with open(self.tmp.path("sshd_config"), "w") as f:
            f.write(f"Port {port}\nListenAddress 127.0.0.1\nHostKey {self.tmp.path('hostkey')}\n"
                    f"PidFile {self.tmp.path('sshd.pid')}\nUsePAM no\n")
        self.procs.start([sshd, "-D", "-e", "-f", self.tmp.path("sshd_config")], port)
        _, ports, _ = scan(f"127.0.0.1:{port}")
        self.assertEqual(ports[f"127.0.0.1:{port}"]["service"]["name"], "ssh")
        self.assertEqual(ports[f"127.0.0.1:{port}"]["service"]["product"], "OpenSSH")

    def test_https_self_signed_then_a_proper_certificate(self):
        port = free_port()
        cert, key = self_signed(self.tmp)
        p = self.procs.start([PYTHON, "-c", HTTPS_SERVER, str(port), cert, key], port, cwd=self.tmp.dir)
        _, ports, findings = scan(f"127.0.0.1:{port}")
        t = f"127.0.0.1:{port}"
        svc = ports[t]["service"]
        self.assertEqual(svc["name"], "https")
        self.assertTrue(svc["tls"])
        self.assertEqual(svc["product"], "SimpleHTTP")
        self.assertIn("cert CN=selfsigned.example", svc["info"])
        got = ids(findings[t])
        self.assertIn("KW-TLS-CERT-SELF-SIGNED", got)
        self.assertIn("KW-TLS-CERT-NAME-MISMATCH", got)
        self.assertNotIn("KW-TLS-TLS10", got)  # python's ssl refuses TLS 1.0 by default
        mismatch = [f for f in findings[t] if f["vulnerability.id"] == "KW-TLS-CERT-NAME-MISMATCH"][0]
        self.assertIn("subject CN=selfsigned.example", mismatch["keepwatch.finding.evidence"])
        self.assertEqual(mismatch["vulnerability.category"], "weak_tls")
        self.assertEqual(mismatch["destination.port"], port)
        # fixed: a CA-signed certificate for the name scanned
        self.procs.stop(p)
        cert, key = ca_signed(self.tmp)
        self.procs.start([PYTHON, "-c", HTTPS_SERVER, str(port), cert, key], port, cwd=self.tmp.dir)
        _, ports, findings = scan(f"localhost:{port}")
        t = f"localhost:{port}"
        self.assertEqual(ports[t]["service"]["name"], "https")
        self.assertEqual(ids(findings[t]) & {"KW-TLS-CERT-SELF-SIGNED", "KW-TLS-CERT-NAME-MISMATCH"}, set())
        # and the address, which the certificate names too
        _, _, findings = scan(f"127.0.0.1:{port}")
        self.assertNotIn("KW-TLS-CERT-NAME-MISMATCH", ids(findings[f"127.0.0.1:{port}"]))

    def s_server(self, port, cert, key, *args):
        return self.procs.start(["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert", cert, "-key", key,
                                 "-www", "-quiet", *args], port, stdin=subprocess.DEVNULL)

    def test_tls10_and_anonymous_suites_then_tls12_only(self):
        need("openssl")
        port = free_port()
        cert, key = self_signed(self.tmp)
        p = self.s_server(port, cert, key, "-tls1", "-cipher", "ALL:@SECLEVEL=0")
        _, ports, findings = scan(f"127.0.0.1:{port}")
        t = f"127.0.0.1:{port}"
        got = ids(findings[t])
        self.assertIn("KW-TLS-TLS10", got)
        self.assertIn("KW-TLS-CIPHER-ANON", got)  # ALL includes ADH/AECDH suites at level 0
        self.assertNotIn("KW-TLS-TLS11", got)     # -tls1 allows TLS 1.0 alone
        anon = [f for f in findings[t] if f["vulnerability.id"] == "KW-TLS-CIPHER-ANON"][0]
        self.assertIn("ServerHello chose suite 0x", anon["keepwatch.finding.evidence"])
        self.assertEqual(ports[t]["service"]["name"], "https")
        self.assertIn("TLSv1 ", ports[t]["service"]["info"])
        # fixed: TLS 1.2 and 1.3 only, default ciphers, a proper certificate
        self.procs.stop(p)
        cert, key = ca_signed(self.tmp)
        self.s_server(port, cert, key, "-no_tls1", "-no_tls1_1")
        _, ports, findings = scan(f"localhost:{port}")
        got = ids(findings[f"localhost:{port}"])
        self.assertEqual(got & {"KW-TLS-TLS10", "KW-TLS-TLS11", "KW-TLS-CIPHER-ANON", "KW-TLS-CIPHER-NULL",
                                "KW-TLS-CERT-SELF-SIGNED", "KW-TLS-CERT-NAME-MISMATCH"}, set())

    def test_expired_short_key_certificate_then_renewed(self):
        need("openssl")
        d = self.tmp.path("ca")
        os.makedirs(os.path.join(d, "certs"))
        open(os.path.join(d, "index.txt"), "w").close()
        with open(os.path.join(d, "serial"), "w") as f:
            f.write("1000\n")
        with open(os.path.join(d, "ca.cnf"), "w") as f:
            f.write("[ca]\ndefault_ca = kw\n[kw]\ndir = .\ndatabase = ./index.txt\nnew_certs_dir = ./certs\n"
                    "serial = ./serial\ndefault_md = sha256\npolicy = any\n[any]\ncommonName = supplied\n")
        # RSA 1024, valid through 2020 only (openssl ca sets past dates; req -x509 cannot)
        openssl("req", "-newkey", "rsa:1024", "-nodes", "-keyout", "old.key", "-out", "old.csr", "-subj", "/CN=localhost",
                cwd=d)
        openssl("ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile", "old.key", "-in", "old.csr", "-startdate",
                "20200101000000Z", "-enddate", "20210101000000Z", "-out", "old.crt", cwd=d)
        port = free_port()
        p = self.s_server(port, os.path.join(d, "old.crt"), os.path.join(d, "old.key"), "-cipher", "ALL:@SECLEVEL=0")
        t = f"localhost:{port}"
        _, ports, findings = scan(t)
        got = {f["vulnerability.id"]: f for f in findings[t]}
        self.assertIn("KW-TLS-CERT-EXPIRED", got)
        self.assertIn("2021-01-01T00:00:00Z", got["KW-TLS-CERT-EXPIRED"]["vulnerability.description"])
        self.assertIn("KW-TLS-CERT-WEAK-KEY", got)
        self.assertIn("RSA key has 1024 bits", got["KW-TLS-CERT-WEAK-KEY"]["vulnerability.description"])
        self.assertNotIn("KW-TLS-CERT-NAME-MISMATCH", got)  # CN=localhost, scanned as localhost
        self.procs.stop(p)
        cert, key = ca_signed(self.tmp)
        self.s_server(port, cert, key)
        _, _, findings = scan(t)
        self.assertEqual(ids(findings[t]) & {"KW-TLS-CERT-EXPIRED", "KW-TLS-CERT-WEAK-KEY"}, set())

    def redis(self, port, *extra):
        return self.procs.start([need("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no", "--protected-mode", "no", "--dir", self.tmp.dir, *extra], port)

    def test_redis_without_password_then_requirepass(self):
        port = free_port()
        p = self.redis(port)
        version = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout
        rc, ports, findings = scan(f"127.0.0.1:{port}")
        t = f"127.0.0.1:{port}"
        svc = ports[t]["service"]
        self.assertEqual(svc["name"], "redis")
        self.assertIn(f"v={svc['version']} ", version)
        noauth = [f for f in findings[t] if f["vulnerability.id"] == "KW-REDIS-NOAUTH"]
        self.assertEqual(len(noauth), 1)
        self.assertEqual(noauth[0]["vulnerability.severity"], "high")
        self.assertIn("redis_version:", noauth[0]["keepwatch.finding.evidence"])
        self.assertEqual(rc, 1)
        # internet-facing: one level higher
        _, _, findings = scan(t, args=["--internet-facing"])
        self.assertEqual([f["vulnerability.severity"] for f in findings[t] if f["vulnerability.id"] == "KW-REDIS-NOAUTH"],
                         ["critical"])
        self.procs.stop(p)
        self.redis(port, "--requirepass", "kw-long-secret-password")
        _, ports, findings = scan(t)
        self.assertEqual(ports[t]["service"]["name"], "redis")
        self.assertIn("password required", ports[t]["service"]["info"])
        self.assertNotIn("KW-REDIS-NOAUTH", ids(findings[t]))

    def test_postgres_trust_then_scram(self):
        try:
            from pgserver import PgServer, bindir
        except ImportError:
            self.skipTest("pgserver.py")
        if not bindir():
            self.skipTest("PostgreSQL is not installed (scripts/deps.sh test)")
        with PgServer() as pg:
            hba = os.path.join(pg.dir, "data", "pg_hba.conf")
            with open(hba) as f:
                original = f.read()

            def set_hba(first_line):
                with open(hba, "w") as f:
                    f.write(first_line + "\n" + original)
                pg.psql("SELECT pg_reload_conf()")
                time.sleep(0.5)

            set_hba("host all all 127.0.0.1/32 trust")
            server_version = pg.psql("SHOW server_version").strip().split()[0]
            rc, ports, findings = scan(f"127.0.0.1:{pg.port}")
            t = f"127.0.0.1:{pg.port}"
            svc = ports[t]["service"]
            self.assertEqual(svc["name"], "postgresql")
            self.assertEqual(svc["version"], server_version)
            trust = [f for f in findings[t] if f["vulnerability.id"] == "KW-PG-TRUST"]
            self.assertEqual(len(trust), 1)
            self.assertEqual(trust[0]["vulnerability.severity"], "critical")
            self.assertIn("server_version", trust[0]["keepwatch.finding.evidence"])
            self.assertEqual(rc, 1)
            set_hba("host all all 127.0.0.1/32 scram-sha-256")
            _, ports, findings = scan(t)
            self.assertEqual(ports[t]["service"]["name"], "postgresql")
            self.assertIn("SCRAM-SHA-256", ports[t]["service"]["info"])
            self.assertNotIn("KW-PG-TRUST", ids(findings[t]))
            # the superuser's password is the well-known default: found by a SCRAM-SHA-256 login,
            # and only when asked to try credentials
            pg.psql("ALTER USER postgres PASSWORD 'postgres'")
            _, ports, findings = scan(t)
            self.assertNotIn("KW-PG-DEFAULT-PASSWORD", ids(findings[t]))
            _, ports, findings = scan(t, args=("--credentials",))
            self.assertIn("KW-PG-DEFAULT-PASSWORD", ids(findings[t]))
            pg.psql("ALTER USER postgres PASSWORD 'kw-Zq9-not-a-default'")
            _, ports, findings = scan(t, args=("--credentials",))
            self.assertNotIn("KW-PG-DEFAULT-PASSWORD", ids(findings[t]))

    def ftp(self, port, mode):
        if not has_module("pyftpdlib"):
            self.skipTest("python3-pyftpdlib is not installed (scripts/deps.sh test)")
        return self.procs.start([PYTHON, "-c", FTP_SERVER, str(port), self.tmp.dir, mode], port)

    def test_ftp_anonymous_then_refused(self):
        port = free_port()
        p = self.ftp(port, "anon")
        _, ports, findings = scan(f"127.0.0.1:{port}")
        t = f"127.0.0.1:{port}"
        self.assertEqual(ports[t]["service"]["name"], "ftp")
        self.assertEqual(ports[t]["service"]["product"], "pyftpdlib")
        anon = [f for f in findings[t] if f["vulnerability.id"] == "KW-FTP-ANON"]
        self.assertEqual(len(anon), 1)
        self.assertIn("230", anon[0]["keepwatch.finding.evidence"])
        self.procs.stop(p)
        self.ftp(port, "users")
        _, ports, findings = scan(t)
        self.assertEqual(ports[t]["service"]["name"], "ftp")
        self.assertNotIn("KW-FTP-ANON", ids(findings[t]))

    def test_smtp_named(self):
        if not has_module("aiosmtpd"):
            self.skipTest("python3-aiosmtpd is not installed (scripts/deps.sh test)")
        port = free_port()
        self.procs.start([PYTHON, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"], port)
        _, ports, findings = scan(f"127.0.0.1:{port}")
        svc = ports[f"127.0.0.1:{port}"]["service"]
        self.assertEqual(svc["name"], "smtp")
        self.assertEqual(svc["product"], "aiosmtpd")

    def test_memcached_unauthenticated(self):
        mc = need("memcached")
        port = free_port()
        self.procs.start([mc, "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-u", "nobody", "-m", "8"], port)
        version = subprocess.run([mc, "-V"], capture_output=True, text=True).stdout.split()[-1]
        _, ports, findings = scan(f"127.0.0.1:{port}")
        t = f"127.0.0.1:{port}"
        self.assertEqual(ports[t]["service"]["name"], "memcached")
        self.assertEqual(ports[t]["service"]["version"], version)
        noauth = [f for f in findings[t] if f["vulnerability.id"] == "KW-MEMCACHED-NOAUTH"]
        self.assertEqual(len(noauth), 1)
        self.assertIn("STAT pid", noauth[0]["keepwatch.finding.evidence"])

    def test_mariadb_root_without_password_then_one_set(self):
        mariadbd = need("/usr/sbin/mariadbd")
        install = need("mariadb-install-db")
        client = shutil.which("mariadb") or need("mysql")
        datadir, sock = self.tmp.path("my"), self.tmp.path("my.sock")
        as_root = ["--user=root"] if os.getuid() == 0 else []
        subprocess.run([install, "--no-defaults", f"--datadir={datadir}", "--auth-root-authentication-method=normal",
                        "--skip-test-db", *as_root], check=True, capture_output=True, timeout=120)
        port = free_port()
        self.procs.start([mariadbd, "--no-defaults", f"--datadir={datadir}", f"--port={port}", "--bind-address=127.0.0.1",
                          f"--socket={sock}", f"--pid-file={self.tmp.path('my.pid')}", "--skip-log-bin", *as_root], port)
        version = subprocess.run([mariadbd, "--version"], capture_output=True, text=True).stdout  # "Ver 10.11.6-MariaDB-0+deb12u1 ..."
        t = f"127.0.0.1:{port}"
        _, ports, findings = scan(t)
        svc = ports[t]["service"]
        self.assertEqual((svc["name"], svc["product"]), ("mysql", "MariaDB"))
        self.assertIn(f"Ver {svc['version']}-MariaDB-{svc['info']} ", version)
        self.assertEqual(ids(findings[t]), {"KW-DB-EXPOSED"})  # no password tried without --credentials
        _, _, findings = scan(t, args=["--credentials"])
        root = [f for f in findings[t] if f["vulnerability.id"] == "KW-MYSQL-ROOT-NOPASS"]
        self.assertEqual(len(root), 1)
        self.assertEqual(root[0]["vulnerability.severity"], "critical")
        self.assertIn("password empty", root[0]["keepwatch.finding.evidence"])
        # fixed: root gets a password no list holds
        subprocess.run([client, "-S", sock, "-uroot", "-e",
                        "ALTER USER IF EXISTS 'root'@'localhost' IDENTIFIED BY 'kw-Zq9-unlisted';"
                        "ALTER USER IF EXISTS 'root'@'127.0.0.1' IDENTIFIED BY 'kw-Zq9-unlisted';"],
                       check=True, capture_output=True, timeout=30)
        _, _, findings = scan(t, args=["--credentials"])
        self.assertNotIn("KW-MYSQL-ROOT-NOPASS", ids(findings[t]))

    def slapd(self, port, *extra):
        slapd = need("/usr/sbin/slapd")
        db = self.tmp.path("ldapdb")
        os.makedirs(db, exist_ok=True)
        conf = self.tmp.path("slapd.conf")
        with open(conf, "w") as f:
            f.write("include /etc/ldap/schema/core.schema\n" + "".join(line + "\n" for line in extra) +
                    f"pidfile {self.tmp.path('slapd.pid')}\nmodulepath /usr/lib/ldap\nmoduleload back_mdb\n"
                    f"database mdb\nsuffix \"dc=example,dc=org\"\nrootdn \"cn=admin,dc=example,dc=org\"\n"
                    f"rootpw kw-secret\ndirectory {db}\n")
        return self.procs.start([slapd, "-f", conf, "-h", f"ldap://127.0.0.1:{port}/", "-d", "0"], port)

    def test_ldap_anonymous_then_refused(self):
        port = free_port()
        p = self.slapd(port)
        t = f"127.0.0.1:{port}"
        _, ports, findings = scan(t)
        self.assertEqual(ports[t]["service"]["name"], "ldap")
        self.assertIn("dc=example,dc=org", ports[t]["service"]["info"])
        anon = [f for f in findings[t] if f["vulnerability.id"] == "KW-LDAP-ANON"]
        self.assertEqual(len(anon), 1)
        self.assertIn("namingContexts", anon[0]["keepwatch.finding.evidence"])
        self.procs.stop(p)
        self.slapd(port, "disallow bind_anon", "require authc")
        _, ports, findings = scan(t)
        self.assertEqual(ports[t]["service"]["name"], "ldap")
        self.assertNotIn("KW-LDAP-ANON", ids(findings[t]))

    def test_closed_port(self):
        port = free_port()
        _, ports, findings = scan(f"127.0.0.1:{port}")
        self.assertEqual(ports[f"127.0.0.1:{port}"]["status"], "closed")
        self.assertEqual(ports[f"127.0.0.1:{port}"]["service"]["name"], "unknown")

    def test_bad_usage(self):
        for args in (["nocolon"], ["127.0.0.1:0"], ["127.0.0.1:70000"], ["127.0.0.1:22", "--timeout", "x"], []):
            rc, _, err = run("scan", "service", "--no-store", *args)
            self.assertEqual(rc, 2, args)


class Hostile:
    """A listening socket whose every connection gets `behave(conn, stop)` on its own thread."""

    def __init__(self, behave):
        self.behave = behave
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self.serve, args=(c,), daemon=True).start()

    def serve(self, c):
        try:
            self.behave(c, self.stop)
        except OSError:
            pass
        finally:
            c.close()

    def close(self):
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


def endless(c, stop):
    while not stop.is_set():
        c.sendall(b"A" * 4096)


def drip(c, stop):
    while not stop.is_set():
        c.sendall(b"2")
        time.sleep(0.1)


def garbage(c, stop):
    c.sendall(bytes(range(256)) * 4)
    stop.wait(30)


def tls_stall(c, stop):
    c.settimeout(0.5)
    try:
        c.recv(4096)  # the ClientHello, never answered
    except OSError:
        pass
    c.sendall(b"\x16\x03\x03\x00\x40\x02")  # the start of a ServerHello whose rest never comes
    stop.wait(30)


def silent(c, stop):
    stop.wait(30)


class HostileTest(unittest.TestCase):
    def test_hostile_services_end_unknown_within_the_budget(self):
        servers = {name: Hostile(fn) for name, fn in
                   (("endless", endless), ("drip", drip), ("garbage", garbage), ("tls", tls_stall), ("silent", silent))}
        try:
            targets = [f"127.0.0.1:{s.port}" for s in servers.values()]
            budget_ms = 3000
            t0 = time.monotonic()
            _, ports, findings = scan(*targets, args=["--timeout", str(budget_ms)], timeout=30)
            elapsed = time.monotonic() - t0
            # ports run in parallel: the whole command within one budget and some slack
            self.assertLess(elapsed, budget_ms / 1000 + 2.5)
            for name, s in servers.items():
                rec = ports[f"127.0.0.1:{s.port}"]
                self.assertEqual(rec["service"]["name"], "unknown", (name, rec))
                self.assertEqual(findings[f"127.0.0.1:{s.port}"], [])
                if name in ("endless", "drip", "garbage"):
                    self.assertNotEqual(rec["service"]["banner"], "", name)
                    self.assertLessEqual(len(rec["service"]["banner"]), 255)
            self.assertTrue(ports[f"127.0.0.1:{servers['garbage'].port}"]["service"]["banner"].startswith("\\x00\\x01"))
        finally:
            for s in servers.values():
                s.close()


# ---- emulated services: the protocols' published layouts, for the servers Debian does not ship
# (or that need a machine of their own): each answers its own protocol and closes on anything else


def bson(doc):
    """A BSON document of str, int (int32), float, bool and list-of-dict values (bsonspec.org)."""
    out = b""
    for k, v in doc.items():
        key = k.encode() + b"\0"
        if isinstance(v, bool):
            out += b"\x08" + key + (b"\x01" if v else b"\x00")
        elif isinstance(v, int):
            out += b"\x10" + key + struct.pack("<i", v)
        elif isinstance(v, float):
            out += b"\x01" + key + struct.pack("<d", v)
        elif isinstance(v, str):
            b = v.encode() + b"\0"
            out += b"\x02" + key + struct.pack("<i", len(b)) + b
        elif isinstance(v, list):
            out += b"\x04" + key + bson({str(i): x for i, x in enumerate(v)})
        elif isinstance(v, dict):
            out += b"\x03" + key + bson(v)
    return struct.pack("<i", len(out) + 5) + out + b"\0"


def recv_some(c, n=65536, wait=2.0):
    c.settimeout(wait)
    try:
        return c.recv(n)
    except OSError:
        return b""


def mongo(auth):
    """MongoDB's OP_MSG (opcode 2013): hello, buildInfo, listDatabases (refused with code 13 when auth)."""
    def serve(c, stop):
        while not stop.is_set():
            req = recv_some(c)
            if len(req) < 21 or struct.unpack("<i", req[12:16])[0] != 2013:
                return
            cmd = req[26:req.index(b"\0", 26)].decode()
            rid = struct.unpack("<i", req[4:8])[0]
            if cmd in ("hello", "isMaster"):
                doc = {"isWritablePrimary": True, "maxWireVersion": 17, "ok": 1.0}
            elif cmd == "buildInfo":
                doc = {"version": "6.0.5", "ok": 1.0}
            elif cmd == "listDatabases" and not auth:
                doc = {"databases": [{"name": "admin"}], "totalSize": 40960, "ok": 1.0}
            else:
                doc = {"ok": 0.0, "errmsg": f"command {cmd} requires authentication", "code": 13}
            body = struct.pack("<i", 0) + b"\0" + bson(doc)
            c.sendall(struct.pack("<iiii", 16 + len(body), 99, rid, 2013) + body)
    return serve


def telnet(c, stop):
    c.sendall(b"\xff\xfd\x18\xff\xfd\x20\xff\xfd\x23\xff\xfd\x27")  # DO TTYPE, TSPEED, XDISPLOC, NEW-ENVIRON
    recv_some(c, wait=1.0)
    c.sendall(b"\r\nDebian GNU/Linux 12\r\nlogin: ")
    stop.wait(5)


def vnc(types):
    """RFC 6143 7.1: ProtocolVersion, then the security types offered (1 None, 2 VNC Authentication)."""
    def serve(c, stop):
        c.sendall(b"RFB 003.008\n")
        if recv_some(c).startswith(b"RFB 003.00"):
            c.sendall(bytes([len(types), *types]))
            stop.wait(2)
    return serve


def rdp(c, stop):
    """[MS-RDPBCGR] 2.2.1.2: an X.224 Connection Confirm selecting CredSSP."""
    req = recv_some(c)
    if req[:2] == b"\x03\x00" and len(req) >= 11 and req[5] == 0xE0:
        c.sendall(bytes.fromhex("030000130ed000001234000200080002000000"))


def smb(v1):
    """[MS-SMB] 2.2.4.5.2 and [MS-SMB2] 2.2.4: the negotiate answers; SMB1 only when v1."""
    def serve(c, stop):
        req = recv_some(c)
        if req[4:9] != b"\xffSMB\x72":
            return
        if b"SMB 2.???" in req:
            body = struct.pack("<HHH", 65, 1, 0x02FF) + bytes(58)
            hdr = b"\xfeSMB" + struct.pack("<HHIHH", 64, 0, 0, 0, 1) + bytes(48)
            msg = hdr + body
        elif v1:
            msg = b"\xffSMB\x72" + bytes(4) + b"\x98\x53\xc8" + bytes(20) + b"\xff\xfe" + bytes(2) + \
                bytes([17]) + struct.pack("<H", 0) + bytes(32)
        else:
            return
        c.sendall(struct.pack(">I", len(msg)) + msg)
    return serve


def http_api(routes):
    """An HTTP/1.0 server answering GET path with routes[path] = (status, headers, body)."""
    def serve(c, stop):
        req = recv_some(c)
        if not req.startswith(b"GET "):
            return
        path = req.split(b" ")[1].decode()
        status, headers, body = routes.get(path, (404, routes.get("*", {}), '{"message":"page not found"}'))
        head = f"HTTP/1.0 {status} X\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        c.sendall((head + "\r\n" + body).encode())
    return serve


ES = (200, {}, '{"name":"n1","cluster_name":"kw","version":{"number":"8.11.1"},"tagline":"You Know, for Search"}')
ES_SECURED = (401, {"WWW-Authenticate": 'Basic realm="security" charset="UTF-8"'}, '{"error":"unauthorized"}')
DOCKER_VERSION = (200, {"Api-Version": "1.43", "Server": "Docker/24.0.7 (linux)"},
                  '{"Version":"24.0.7","ApiVersion":"1.43","MinAPIVersion":"1.12","Os":"linux"}')
K8S_VERSION = (200, {}, '{"major":"1","minor":"28","gitVersion":"v1.28.2","platform":"linux/amd64"}')
K8S_API = (200, {}, '{"kind":"APIVersions","versions":["v1"]}')
K8S_FORBIDDEN = (403, {}, '{"kind":"Status","status":"Failure","reason":"Forbidden","code":403}')


class EmulatedTest(unittest.TestCase):
    """Each case: the finding with the weak service, none once it is fixed."""

    def check(self, weak, fixed, name, finding, product=None, version=None):
        servers = [Hostile(weak), Hostile(fixed)]
        try:
            a, b = (f"127.0.0.1:{s.port}" for s in servers)
            _, ports, findings = scan(a, b)
            self.assertEqual(ports[a]["service"]["name"], name, ports[a])
            self.assertEqual(ports[b]["service"]["name"], name, ports[b])
            if product:
                self.assertEqual(ports[a]["service"]["product"], product)
            if version:
                self.assertEqual(ports[a]["service"]["version"], version)
            self.assertIn(finding, ids(findings[a]))
            self.assertNotIn(finding, ids(findings[b]))
            return ports, findings
        finally:
            for s in servers:
                s.close()

    def test_mongodb(self):
        self.check(mongo(False), mongo(True), "mongodb", "KW-MONGODB-NOAUTH", "MongoDB", "6.0.5")

    def test_elasticsearch(self):
        self.check(http_api({"/": ES}), http_api({"/": ES_SECURED}), "elasticsearch", "KW-ES-NOAUTH", "Elasticsearch", "8.11.1")

    def test_docker_api(self):
        # the daemon sends Api-Version and Server on every answer, its 404s too; "fixed": /version refused
        docker_headers = DOCKER_VERSION[1]
        refused = (403, docker_headers, '{"message":"authorization denied by plugin"}')
        ports, findings = self.check(http_api({"/version": DOCKER_VERSION, "*": docker_headers}),
                                     http_api({"/version": refused, "*": docker_headers}), "docker", "KW-DOCKER-API-NOAUTH",
                                     "Docker", "24.0.7")
        weak = next(t for t in findings if "KW-DOCKER-API-NOAUTH" in ids(findings[t]))
        self.assertEqual(ports[weak]["service"]["name"], "docker")
        self.assertEqual(ports[weak]["service"]["version"], "24.0.7")
        self.assertEqual([f["vulnerability.severity"] for f in findings[weak]], ["critical"])

    def test_kubernetes_api(self):
        self.check(http_api({"/version": K8S_VERSION, "/api": K8S_API, "/": K8S_FORBIDDEN}),
                   http_api({"/version": K8S_VERSION, "/api": K8S_FORBIDDEN, "/": K8S_FORBIDDEN}),
                   "kubernetes", "KW-K8S-API-NOAUTH", "Kubernetes", "1.28.2")

    def test_vnc(self):
        self.check(vnc([1]), vnc([2]), "vnc", "KW-VNC-NOAUTH", version="3.8")

    def test_smb(self):
        self.check(smb(True), smb(False), "smb", "KW-SMB1-ENABLED")

    def test_imap_inside_tls_on_an_unusual_port(self):
        import ssl
        tmp = Tmp()
        self.addCleanup(tmp.remove)
        cert, key = self_signed(tmp)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)

        def imaps(c, stop):
            c.settimeout(3)
            try:
                t = ctx.wrap_socket(c, server_side=True)
            except (OSError, ssl.SSLError):
                return
            t.sendall(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Dovecot (Debian) ready.\r\n")
            recv_some(t, wait=2)
            t.close()
        server = Hostile(imaps)
        try:
            t = f"127.0.0.1:{server.port}"
            _, ports, findings = scan(t)
            svc = ports[t]["service"]
            self.assertEqual((svc["name"], svc["product"], svc["tls"]), ("imap", "Dovecot", True))
            self.assertIn("KW-TLS-CERT-SELF-SIGNED", ids(findings[t]))
        finally:
            server.close()

    def test_telnet_and_rdp(self):
        servers = [Hostile(telnet), Hostile(rdp)]
        try:
            t, r = (f"127.0.0.1:{s.port}" for s in servers)
            _, ports, findings = scan(t, r, args=["--internet-facing"])
            self.assertEqual(ports[t]["service"]["name"], "telnet")
            self.assertEqual(ports[r]["service"]["name"], "rdp")
            self.assertIn("CredSSP", ports[r]["service"]["info"])
            sev = {f["vulnerability.id"]: f["vulnerability.severity"] for f in findings[t] + findings[r]}
            self.assertEqual(sev, {"KW-TELNET-EXPOSED": "critical", "KW-RDP-EXPOSED": "high"})
        finally:
            for s in servers:
                s.close()


if __name__ == "__main__":
    unittest.main()
