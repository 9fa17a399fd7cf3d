"""Builds small classic pcap files for the integration tests (stdlib only): Ethernet, IPv4,
TCP sessions with their handshakes and payloads, UDP datagrams. Checksums are left zero:
keepwatch does not verify them, as a passive sensor behind a SPAN port must not."""
import struct


class Pcap:
    def __init__(self, t0=1_790_000_000.0):
        self.t = t0
        self.records = []

    def _frame(self, src, dst, proto, l4):
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0x4000, 64, proto, 0,
                         bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))))
        eth = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00"
        return eth + ip + l4

    def add(self, frame, gap=0.001):
        self.t += gap
        self.records.append((self.t, frame))

    def tcp(self, src, sport, dst, dport, flags, seq, ack=0, data=b"", gap=0.001):
        hdr = struct.pack(">HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff, 5 << 4, flags, 65535, 0, 0)
        self.add(self._frame(src, dst, 6, hdr + data), gap)

    def udp(self, src, sport, dst, dport, data, gap=0.001):
        hdr = struct.pack(">HHHH", sport, dport, 8 + len(data), 0)
        self.add(self._frame(src, dst, 17, hdr + data), gap)

    def session(self, client, cport, server, sport, requests, responses=(), mss=1400):
        """A whole TCP session: handshake, each request (split at mss) and its response, FIN."""
        SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
        cs, ss = 1000, 5000
        self.tcp(client, cport, server, sport, SYN, cs)
        self.tcp(server, sport, client, cport, SYN | ACK, ss, cs + 1)
        cs += 1
        ss += 1
        self.tcp(client, cport, server, sport, ACK, cs, ss)
        for i, req in enumerate(requests):
            for off in range(0, len(req), mss):
                part = req[off:off + mss]
                self.tcp(client, cport, server, sport, ACK | PSH, cs, ss, part)
                cs += len(part)
            resp = responses[i] if i < len(responses) else b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
            self.tcp(server, sport, client, cport, ACK | PSH, ss, cs, resp)
            ss += len(resp)
        self.tcp(client, cport, server, sport, FIN | ACK, cs, ss)
        self.tcp(server, sport, client, cport, FIN | ACK, ss, cs + 1)
        self.tcp(client, cport, server, sport, ACK, cs + 1, ss + 1)

    def bytes(self):
        out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
        for t, frame in self.records:
            sec = int(t)
            usec = int(round((t - sec) * 1e6))
            out.append(struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame)
        return b"".join(out)

    def write(self, path):
        with open(path, "wb") as f:
            f.write(self.bytes())


def dns_query(qid, name, qtype=1):
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\x00"
    return struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + struct.pack(">HH", qtype, 1)
