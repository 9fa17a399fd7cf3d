#!/usr/bin/env python3
# tests/helpers/snmp_seeds.py DIR: writes the seeds of fuzz/corpus/snmp, captured from the real
# snmptrap, snmpbulkget and an snmpd on 127.0.0.1:16161 (community kwtest).
# Captures a v2c trap and a GETBULK response as raw PDUs (the message without version and community).
import socket, subprocess, sys
def ber_len(b, i):
    l = b[i]; i += 1
    if l < 0x80: return l, i
    n = l & 0x7f; v = int.from_bytes(b[i:i+n], 'big'); return v, i + n
def pdu_of(msg):
    assert msg[0] == 0x30
    _, i = ber_len(msg, 1)
    assert msg[i] == 0x02; l, i = ber_len(msg, i + 1); i += l   # version
    assert msg[i] == 0x04; l, i = ber_len(msg, i + 1); i += l   # community
    return msg[i:]
out = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
s.settimeout(5)
subprocess.run(["snmptrap", "-v", "2c", "-c", "kwtrap", f"127.0.0.1:{port}", "", "1.3.6.1.6.3.1.1.5.3",
                "1.3.6.1.2.1.2.2.1.1.7", "i", "7", "1.3.6.1.2.1.2.2.1.2.7", "s", "eth7",
                "1.3.6.1.2.1.2.2.1.6.7", "x", "001bff102030", "1.3.6.1.2.1.4.20.1.1.10.0.0.1", "a", "10.0.0.1",
                "1.3.6.1.2.1.31.1.1.1.6.7", "C", "123456789012"], check=True)
msg, _ = s.recvfrom(65535); open(f"{out}/trap_linkdown", "wb").write(pdu_of(msg))
# a GETBULK: catch snmpbulkget's request, forward it to snmpd, keep the answer
p = subprocess.Popen(["snmpbulkget", "-v2c", "-c", "kwtest", "-Cr20", "-t", "3", "-r", "0", f"127.0.0.1:{port}",
                      "1.3.6.1.2.1.1.3", "1.3.6.1.2.1.31.1.1.1.1", "1.3.6.1.2.1.2.2.1.8", "1.3.6.1.2.1.31.1.1.1.6"],
                     stdout=subprocess.DEVNULL)
req, cli = s.recvfrom(65535)
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.settimeout(3); a.sendto(req, ("127.0.0.1", 16161))
resp, _ = a.recvfrom(65535); s.sendto(resp, cli); p.wait()
open(f"{out}/getbulk_response", "wb").write(pdu_of(resp))
open(f"{out}/getbulk_request", "wb").write(pdu_of(req))
