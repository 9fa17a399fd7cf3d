"""keepwatch net analyze on the labelled captures (scored by ../shared/tools/netmon-score) and
on damaged capture files."""
import json
import os
import struct
import subprocess
import tempfile
import unittest

from kwtest import run

SHARED = os.environ.get("KW_SHARED", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))
DATA = os.path.join(SHARED, "data", "netmon")
SCORE = os.path.join(SHARED, "tools", "netmon-score")


def have_data():
    return os.path.isdir(DATA) and os.path.exists(SCORE)


@unittest.skipUnless(have_data(), f"the labelled captures are not at {DATA}")
class LabelledCapturesTest(unittest.TestCase):
    def check(self, name):
        rc, out, err = run("net", "analyze", "--json", os.path.join(DATA, name + ".pcap"), timeout=120)
        self.assertIn(rc, (0, 1), err)
        score = subprocess.run([SCORE, os.path.join(DATA, name + ".json")], input=out, capture_output=True,
                               text=True, timeout=60)
        self.assertEqual(score.returncode, 0, score.stdout + score.stderr)
        self.assertTrue(score.stdout.strip().splitlines()[-1].startswith("PASS"), score.stdout)
        return out

    def test_p01_benign(self):
        self.assertEqual(self.check("p01_benign"), "")

    def test_p02_syn_scan(self):
        self.check("p02_syn_scan")

    def test_p03_syn_flood(self):
        det = json.loads(self.check("p03_syn_flood").splitlines()[0])
        self.assertNotIn("ip", det.get("source", {}))  # spoofed: no source address
        self.assertEqual(det["threat"]["technique"]["id"], "T1498")
        self.assertGreater(det["keepwatch"]["net"]["distinct_sources"], 10000)

    def test_p04_host_sweep(self):
        det = json.loads(self.check("p04_host_sweep").splitlines()[0])
        self.assertNotIn("ip", det.get("destination", {}))
        self.assertEqual(det["keepwatch"]["net"]["hosts"], 40)

    def test_p05_ssh_brute_force(self):
        det = json.loads(self.check("p05_ssh_brute_force").splitlines()[0])
        self.assertEqual(det["threat"]["technique"]["id"], "T1110")

    def test_p06_udp_flood(self):
        self.check("p06_udp_flood")

    def test_several_files_one_stream_and_text(self):
        files = [os.path.join(DATA, n) for n in ("p02_syn_scan.pcap", "p05_ssh_brute_force.pcap")]
        rc, out, err = run("net", "analyze", *files)
        self.assertEqual(rc, 1)
        self.assertRegex(out, r"port_scan 198\.18\.0\.10 -> 198\.18\.0\.2/tcp")
        self.assertRegex(out, r"brute_force 198\.18\.0\.12 -> 198\.18\.0\.2:22/tcp, .*200 sessions")
        self.assertIn("2 attacks", err)

    def test_files_out_of_time_order_are_read_in_order(self):
        files = [os.path.join(DATA, n) for n in ("p05_ssh_brute_force.pcap", "p02_syn_scan.pcap")]
        rc, out, err = run("net", "analyze", *files)
        self.assertEqual(rc, 1)
        self.assertIn("in time order", err)
        self.assertRegex(out, r"port_scan 198\.18\.0\.10 -> 198\.18\.0\.2/tcp, .*1000 ports")
        self.assertRegex(out, r"brute_force 198\.18\.0\.12 ")
        self.assertIn("2 attacks", err)

    def records(self, name):
        b = open(os.path.join(DATA, name), "rb").read()
        off = 24
        while off + 16 <= len(b):
            sec, us, incl, orig = struct.unpack("<IIII", b[off:off + 16])
            yield sec, us, orig, b[off + 16:off + 16 + incl]
            off += 16 + incl

    def analyze_bytes(self, data):
        with tempfile.NamedTemporaryFile(suffix=".cap") as f:
            f.write(data)
            f.flush()
            return run("net", "analyze", "--json", f.name)

    def test_pcapng_and_big_endian_give_the_same_answer(self):
        want = run("net", "analyze", "--json", os.path.join(DATA, "p05_ssh_brute_force.pcap"))[1]
        self.assertIn("brute_force", want)
        # pcapng (read through libpcap): section header, interface description, enhanced packets
        def block(btype, body):
            body += b"\0" * (-len(body) % 4)
            return struct.pack("<II", btype, len(body) + 12) + body + struct.pack("<I", len(body) + 12)
        ng = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
        ng += block(1, struct.pack("<HHI", 1, 0, 256))
        for sec, us, orig, data in self.records("p05_ssh_brute_force.pcap"):
            t = sec * 1000000 + us
            ng += block(6, struct.pack("<IIIII", 0, t >> 32, t & 0xFFFFFFFF, len(data), orig) + data)
        rc, out, err = self.analyze_bytes(ng)
        self.assertEqual((rc, out), (1, want), err)
        # big-endian classic pcap (keepwatch's own reader, byte-swapped)
        be = struct.pack(">IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 256, 1)
        for sec, us, orig, data in self.records("p05_ssh_brute_force.pcap"):
            be += struct.pack(">IIII", sec, us, len(data), orig) + data
        rc, out, err = self.analyze_bytes(be)
        self.assertEqual((rc, out), (1, want), err)

    def test_nanosecond_capture_gives_the_same_answer(self):
        b = bytearray(open(os.path.join(DATA, "p02_syn_scan.pcap"), "rb").read())
        b[0:4] = struct.pack("<I", 0xA1B23C4D)
        off = 24
        while off + 16 <= len(b):
            s, us, incl, orig = struct.unpack("<IIII", b[off:off + 16])
            b[off + 4:off + 8] = struct.pack("<I", us * 1000)
            off += 16 + incl
        with tempfile.NamedTemporaryFile(suffix=".pcap") as f:
            f.write(b)
            f.flush()
            a = run("net", "analyze", "--json", f.name)[1]
        want = run("net", "analyze", "--json", os.path.join(DATA, "p02_syn_scan.pcap"))[1]
        self.assertEqual(a, want)


class DamagedInputTest(unittest.TestCase):
    def write(self, data):
        f = tempfile.NamedTemporaryFile(suffix=".pcap", delete=False)
        f.write(data)
        f.close()
        self.addCleanup(os.unlink, f.name)
        return f.name

    def header(self, linktype=1):
        return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 256, linktype)

    def frame(self, t, payload):
        return struct.pack("<IIII", t, 0, len(payload), len(payload)) + payload

    def test_garbage(self):
        path = self.write(os.urandom(4096))
        rc, out, err = run("net", "analyze", path)
        self.assertEqual(rc, 2)
        self.assertIn(path, err)

    def test_unknown_link_type(self):
        path = self.write(self.header(linktype=147) + self.frame(1, b"x" * 60))
        rc, _, err = run("net", "analyze", path)
        self.assertEqual(rc, 2)
        self.assertIn("link type 147", err)

    def test_lying_length_and_truncation(self):
        good = self.frame(1, b"\xaa" * 12 + b"\x08\x00" + b"\x45" + b"\x00" * 50)
        lying = struct.pack("<IIII", 2, 0, 0xFFFFFFF0, 0xFFFFFFF0) + b"\x00" * 32
        path = self.write(self.header() + good + lying)
        rc, _, err = run("net", "analyze", path)
        self.assertEqual(rc, 2)
        self.assertIn("1 packets", err)  # what came before the damage was read
        if have_data():
            whole = open(os.path.join(DATA, "p02_syn_scan.pcap"), "rb").read()
            path = self.write(whole[: len(whole) * 3 // 4 + 7])  # cut inside a record, after the scan
            rc, out, err = run("net", "analyze", path)
            self.assertEqual(rc, 2)
            self.assertIn("port_scan 198.18.0.10", out)  # nothing already read is lost
            self.assertIn("truncated", err)

    def test_malformed_frames_are_counted(self):
        frames = b"".join(self.frame(1 + i, b"\xaa" * 12 + b"\x08\x00" + b"\x4f\x00") for i in range(5))
        path = self.write(self.header() + frames)
        rc, _, err = run("net", "analyze", path)
        self.assertEqual(rc, 0)
        self.assertIn("5 malformed", err)

    def test_missing_file_and_usage(self):
        self.assertEqual(run("net", "analyze", "/nonexistent.pcap")[0], 2)
        self.assertEqual(run("net", "analyze")[0], 2)
        self.assertEqual(run("net", "frobnicate")[0], 2)


if __name__ == "__main__":
    unittest.main()
