"""keepwatch vuln update|import|info and scan packages: the real binary against hand-made data
in the Debian security tracker's, debsecan's and OSV's formats (tests/data/scan_pkg), served
for `vuln update` by a local http.server on 127.0.0.1."""
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
import zipfile
import zlib

from kwtest import run

DATA = os.path.join(os.environ.get("KW_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data")), "scan_pkg")

DEBSECAN = ("VERSION 1\n"
            "CVE-2024-6387,,regreSSHion\n"
            "CVE-2021-0001,,an old open one\n"
            "\n"
            "openssh,0,SHRF,1:9.2p1-2+deb12u3,\n"
            "zlib,1,SL  ,,\n"
            "\n"
            "openssh,openssh-server openssh-client\n")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass   # a client that closes its connection early is no failure here


class ScanPackages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="kw-scanpkg-")
        srv = os.path.join(cls.work, "srv")
        os.makedirs(os.path.join(srv, "debsecan"))
        shutil.copy(os.path.join(DATA, "tracker.json"), srv)
        with open(os.path.join(srv, "debsecan", "bookworm"), "wb") as f:
            f.write(zlib.compress(DEBSECAN.encode()))
        cls.httpd = QuietServer(("127.0.0.1", 0), functools.partial(Quiet, directory=srv))
        cls.base = "http://127.0.0.1:%d" % cls.httpd.server_address[1]
        cls.thread = threading.Thread(target=cls.httpd.serve_forever, daemon=True)
        cls.thread.start()
        # a system root: os-release and dpkg's status file
        cls.root = os.path.join(cls.work, "root")
        os.makedirs(os.path.join(cls.root, "etc"))
        os.makedirs(os.path.join(cls.root, "var/lib/dpkg"))
        with open(os.path.join(cls.root, "etc/os-release"), "w") as f:
            f.write('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n')
        shutil.copy(os.path.join(DATA, "status"), os.path.join(cls.root, "var/lib/dpkg/status"))

    @classmethod
    def tearDownClass(cls):
        cls.httpd.shutdown()
        cls.httpd.server_close()
        shutil.rmtree(cls.work, ignore_errors=True)

    def dir(self, name):
        return os.path.join(self.work, name)

    def test_update_info_scan(self):
        d = self.dir("idx-update")
        rc, out, err = run("vuln", "update", "--dir", d, "--url", self.base + "/tracker.json")
        self.assertEqual(rc, 0, err)
        self.assertIn("7 records", err)
        rc, out, err = run("vuln", "info", "--dir", d, "--json")
        self.assertEqual(rc, 0, err)
        info = json.loads(out)
        self.assertEqual(info["records"], 7)
        self.assertEqual(info["sources"][0]["name"], "tracker")
        self.assertEqual(info["sources"][0]["records"], 7)
        self.assertTrue(info["sources"][0]["imported"].startswith("20"))
        rc, out, err = run("scan", "packages", "--no-store", "--json", "--root", self.root, "--db", os.path.join(d, "vuln.idx"))
        self.assertEqual(rc, 1, err)
        docs = [json.loads(line) for line in out.splitlines()]
        ids = sorted(doc["vulnerability.id"] for doc in docs)
        self.assertEqual(ids, ["CVE-2023-44487", "CVE-2024-6387"])
        ssh = next(doc for doc in docs if doc["vulnerability.id"] == "CVE-2024-6387")
        self.assertEqual(ssh["vulnerability.category"], "outdated_software")
        self.assertEqual(ssh["vulnerability.severity"], "high")
        self.assertIn("security-tracker.debian.org/tracker/CVE-2024-6387", ssh["vulnerability.reference"])
        self.assertIn("keepwatch-packages", json.dumps(ssh))
        self.assertIn("1:9.2p1-2+deb12u3", json.dumps(ssh))
        # text lines, and --unimportant adds the open unimportant one
        rc, out, err = run("scan", "packages", "--no-store", "--root", self.root, "--db", os.path.join(d, "vuln.idx"), "--unimportant")
        self.assertEqual(rc, 1, err)
        self.assertEqual(len(out.splitlines()), 3)
        self.assertIn("CVE-2008-3234", out)
        self.assertIn("3 findings, 1 without a fix yet", err)

    def test_debsecan_feed_update(self):
        d = self.dir("idx-debsecan")
        rc, out, err = run("vuln", "update", "--dir", d, "--url", self.base + "/debsecan/bookworm")
        self.assertEqual(rc, 0, err)
        self.assertIn("debsecan: 2 records", err)
        rc, out, err = run("scan", "packages", "--no-store", "--json", "--status", os.path.join(DATA, "status"),
                           "--release", "bookworm", "--root", self.root, "--db", os.path.join(d, "vuln.idx"))
        self.assertEqual(rc, 1, err)
        docs = [json.loads(line) for line in out.splitlines()]
        self.assertEqual(sorted(doc["vulnerability.id"] for doc in docs), ["CVE-2021-0001", "CVE-2024-6387"])
        zlib_doc = next(doc for doc in docs if doc["vulnerability.id"] == "CVE-2021-0001")
        self.assertEqual(zlib_doc["vulnerability.severity"], "info")   # low, no fix yet: one step lower

    def test_import_osv_dir_and_clean_host(self):
        d = self.dir("idx-osv")
        osv = self.dir("osv")
        os.makedirs(osv, exist_ok=True)
        shutil.copy(os.path.join(DATA, "osv-ubuntu.json"), osv)
        shutil.copy(os.path.join(DATA, "osv-alpine.json"), osv)
        rc, out, err = run("vuln", "import", "--dir", d, osv)
        self.assertEqual(rc, 0, err)
        self.assertIn("2 OSV files", err)
        # an Alpine root whose openssl is fixed, then one that is not
        root = self.dir("alpine")
        os.makedirs(os.path.join(root, "etc"), exist_ok=True)
        os.makedirs(os.path.join(root, "lib/apk/db"), exist_ok=True)
        with open(os.path.join(root, "etc/os-release"), "w") as f:
            f.write("ID=alpine\nVERSION_ID=3.19.1\n")
        for ver, want in (("3.1.4-r1", 0), ("3.1.3-r0", 1)):
            with open(os.path.join(root, "lib/apk/db/installed"), "w") as f:
                f.write("P:libcrypto3\nV:%s\nA:x86_64\no:openssl\n\n" % ver)
            rc, out, err = run("scan", "packages", "--no-store", "--root", root, "--db", os.path.join(d, "vuln.idx"))
            self.assertEqual(rc, want, (ver, out, err))
            self.assertEqual("CVE-2023-5363" in out, want == 1)
            if want:
                self.assertIn("apk upgrade libcrypto3", run("scan", "packages", "--no-store", "--json", "--root", root,
                                                            "--db", os.path.join(d, "vuln.idx"))[1])

    @unittest.skipUnless(shutil.which("debsecan"), "debsecan is not installed (scripts/deps.sh test installs it)")
    def test_same_cves_as_debsecan(self):
        """Generated data in both formats: keepwatch (with --unimportant: debsecan has no such
        filter) must report exactly the CVEs debsecan reports for the same status file."""
        gen = os.path.join(os.path.dirname(__file__), "..", "..", "bench", "gen_vuln.py")
        w = self.dir("gen")
        os.makedirs(os.path.join(w, "feed"), exist_ok=True)
        # a status file with more packages than the hand-made one: this machine's when it has one
        status = "/var/lib/dpkg/status" if os.path.exists("/var/lib/dpkg/status") else os.path.join(DATA, "status")
        subprocess.run([sys.executable, gen, "--packages", "2000", "--seed", "7", "--status", status,
                        "--out", os.path.join(w, "t.json"), "--debsecan", os.path.join(w, "feed", "bookworm")], check=True)
        rc, out, err = run("vuln", "import", "--dir", os.path.join(w, "idx"), os.path.join(w, "t.json"), timeout=120)
        self.assertEqual(rc, 0, err)
        rc, out, err = run("scan", "packages", "--no-store", "--json", "--unimportant", "--status", status, "--release", "bookworm",
                           "--db", os.path.join(w, "idx", "vuln.idx"), "--root", self.root, timeout=120)
        self.assertIn(rc, (0, 1), err)
        mine = {json.loads(line)["vulnerability.id"] for line in out.splitlines()}
        p = subprocess.run(["debsecan", "--suite", "bookworm", "--source", "file://%s/feed/" % w, "--status", status,
                            "--format", "detail"], capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        theirs = set(re.findall(r"^(CVE-[0-9-]+)", p.stdout, re.M))
        self.assertGreater(len(theirs), 20)
        self.assertEqual(mine, theirs)

    def test_import_osv_zip(self):
        """osv.dev's archives (ECOSYSTEM/all.zip): every .json member is a record; a damaged member
        is skipped and counted (exit 1), the others are kept."""
        z = self.dir("all.zip")
        with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as f:
            f.write(os.path.join(DATA, "osv-ubuntu.json"), "UBUNTU-CVE-2024-6387.json")
            f.write(os.path.join(DATA, "osv-alpine.json"), "ALPINE-CVE-2023-5363.json")
            f.writestr("broken.json", '{"id": ')
            f.writestr("README.txt", "not a record")
        d = self.dir("idx-zip")
        rc, out, err = run("vuln", "import", "--dir", d, z)
        self.assertEqual(rc, 1, err)
        self.assertIn("osv archive: 3 records from 2 vulnerabilities, 1 skipped (first: broken.json", err)
        rc, out, err = run("vuln", "info", "--json", "--dir", d)
        self.assertEqual(json.loads(out)["records"], 3)
        rc, out, err = run("scan", "packages", "--no-store", "--json", "--release", "x", "--status", self.dir("ubuntu-status"),
                           "--root", self.dir("no-root"), "--db", os.path.join(d, "vuln.idx"))
        self.assertEqual(rc, 2)   # no such status file
        with open(self.dir("ubuntu-status"), "w") as f:
            f.write("Package: openssh-server\nStatus: install ok installed\nSource: openssh\nVersion: 1:8.9p1-3ubuntu0.6\n")
        root = self.dir("ubuntu")
        os.makedirs(os.path.join(root, "etc"), exist_ok=True)
        with open(os.path.join(root, "etc/os-release"), "w") as f:
            f.write('ID=ubuntu\nID_LIKE=debian\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\n')
        rc, out, err = run("scan", "packages", "--no-store", "--json", "--status", self.dir("ubuntu-status"), "--root", root,
                           "--db", os.path.join(d, "vuln.idx"))
        self.assertEqual(rc, 1, err)
        doc = json.loads(out.splitlines()[0])
        self.assertEqual(doc["vulnerability.id"], "CVE-2024-6387")
        self.assertEqual(doc["vulnerability.severity"], "high")
        self.assertIn("ubuntu.com/security/CVE-2024-6387", doc["vulnerability.reference"])
        self.assertIn("CVSS:3.1/", json.dumps(doc))

    def test_bad_input(self):
        d = self.dir("idx-bad")
        rc, out, err = run("vuln", "update", "--dir", d, "--url", self.base + "/missing.json")
        self.assertEqual(rc, 2)
        self.assertIn("404", err)
        self.assertFalse(os.path.exists(os.path.join(d, "vuln.idx")))
        rc, out, err = run("vuln", "info", "--dir", d)
        self.assertEqual(rc, 2)
        self.assertIn("vuln update", err)
        bad = self.dir("bad.json")
        with open(bad, "w") as f:
            f.write('{"openssh": {"CVE-1": [')
        rc, out, err = run("vuln", "import", "--dir", d, bad)
        self.assertEqual(rc, 2)
        self.assertIn("bad.json", err)
        rc, out, err = run("scan", "packages", "--no-store", "--root", self.root, "--db", os.path.join(d, "vuln.idx"))
        self.assertEqual(rc, 2)
        self.assertIn("no vulnerability data", err)
        junk = self.dir("junk.idx")
        with open(junk, "wb") as f:
            f.write(b"KWVULN01" + b"\xff" * 100)
        rc, out, err = run("scan", "packages", "--no-store", "--root", self.root, "--db", junk)
        self.assertEqual(rc, 2)
        self.assertIn("not a keepwatch vulnerability index", err)
        rc, out, err = run("scan", "packages", "--no-store", "--status", self.dir("nonexistent"), "--root", self.root, "--db", junk)
        self.assertEqual(rc, 2)
        self.assertIn("No such file", err)
        rc, out, err = run("scan", "packages", "--no-store", "--manager", "pacman")
        self.assertEqual(rc, 2)
        rc, out, err = run("scan", "packages", "--no-store", "--help")
        self.assertEqual(rc, 0)
        self.assertIn("--status FILE", out)
        rc, out, err = run("vuln", "--help")
        self.assertEqual(rc, 0)
        self.assertIn("vuln import", out)


if __name__ == "__main__":
    unittest.main()
