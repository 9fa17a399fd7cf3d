"""keepwatch net analyze on crafted captures of the PPP, Cisco HDLC, NFLOG, 802.11, radiotap and
PPI link types: a port scan in each is found, through the classic-pcap reader (both byte
orders) and through libpcap (pcapng)."""
import os
import socket
import struct
import tempfile
import unittest

from kwtest import run


def syn(sport, dport):
    ip = bytearray(40)
    ip[0], ip[3], ip[8], ip[9] = 0x45, 40, 64, 6
    ip[12:16] = socket.inet_aton("198.51.100.66")
    ip[16:20] = socket.inet_aton("10.0.0.5")
    ip[20:24] = struct.pack(">HH", sport, dport)
    ip[32], ip[33] = 0x50, 0x02
    return bytes(ip)


def nflog(pkt):
    def tlv(t, v):
        b = struct.pack("<HH", 4 + len(v), t) + v
        return b + b"\0" * (-len(b) % 4)
    return b"\x02\x00\x00\x01" + tlv(1, b"\x08\x00\x01\x00") + tlv(9, pkt)


SNAP = b"\xaa\xaa\x03\x00\x00\x00\x08\x00"
WLAN = b"\x88\x01" + b"\x11" * 22 + b"\x00\x00"  # QoS data to the DS
LINKS = {
    "ppp": (9, lambda p: b"\xff\x03\x00\x21" + p),
    "ppp_hdlc": (50, lambda p: b"\xff\x03\x00\x21" + p),
    "c_hdlc": (104, lambda p: b"\x0f\x00\x08\x00" + p),
    "nflog": (239, nflog),
    "ieee802_11": (105, lambda p: WLAN + SNAP + p),
    "radiotap": (127, lambda p: b"\x00\x00\x08\x00\x00\x00\x00\x00" + WLAN + SNAP + p),
    "ppi": (192, lambda p: b"\x00\x00\x08\x00" + struct.pack("<I", 105) + WLAN + SNAP + p),
}


def frames(wrap):
    return [wrap(syn(40000 + i, 1 + i)) for i in range(40)]


def pcap(lt, fs, endian):
    out = struct.pack(endian + "IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, lt)
    for i, f in enumerate(fs):
        out += struct.pack(endian + "IIII", 1700000000, i * 1000, len(f), len(f)) + f
    return out


def pcapng(lt, fs):
    def block(t, body):
        body += b"\0" * (-len(body) % 4)
        return struct.pack("<II", t, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack("<HHI", lt, 0, 65535))
    for i, f in enumerate(fs):
        us = 1700000000 * 1000000 + i * 1000
        out += block(6, struct.pack("<IIIII", 0, us >> 32, us & 0xFFFFFFFF, len(f), len(f)) + f)
    return out


class LinkTypesTest(unittest.TestCase):
    def analyze(self, data, suffix):
        f = tempfile.NamedTemporaryFile(suffix=suffix, delete=False)
        f.write(data)
        f.close()
        self.addCleanup(os.unlink, f.name)
        return run("net", "analyze", f.name)

    def test_port_scan_found_in_each(self):
        for name, (lt, wrap) in LINKS.items():
            fs = frames(wrap)
            for label, data, suffix in (("le", pcap(lt, fs, "<"), ".pcap"), ("be", pcap(lt, fs, ">"), ".pcap"),
                                        ("pcapng", pcapng(lt, fs), ".pcapng")):
                with self.subTest(link=name, file=label):
                    rc, out, err = self.analyze(data, suffix)
                    self.assertEqual(rc, 1, err)
                    self.assertIn("port_scan", out)
                    self.assertIn("198.51.100.66", out)
                    self.assertIn("40 packets (40 IP, 0 not IP, 0 malformed)", err)

    def test_hostile_lengths_are_malformed(self):
        bad = [b"\x00\x00\xff\x7f" + b"\x00" * 60]  # radiotap and PPI headers longer than the frame
        for lt in (127, 192):
            rc, _, err = self.analyze(pcap(lt, bad, "<"), ".pcap")
            self.assertEqual(rc, 0, err)
            self.assertIn("1 packets (0 IP, 0 not IP, 1 malformed)", err)


if __name__ == "__main__":
    unittest.main()
