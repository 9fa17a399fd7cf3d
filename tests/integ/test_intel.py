"""keepwatch intel check and intel lookup: counts, skipped lines with file:line, exit codes,
and lookups through the configuration's intel.files."""
import json
import os
import tempfile
import unittest

from kwtest import run

DATA = os.path.join(os.environ.get("KW_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data")), "intel")


class IntelCheckTest(unittest.TestCase):
    def test_clean_files(self):
        rc, out, err = run("intel", "check", os.path.join(DATA, "drop.txt"), os.path.join(DATA, "feodo.csv"))
        self.assertEqual(rc, 0, err)
        self.assertIn("drop.txt: plain: 1 IPv4, 2 IPv4 prefixes", out)
        self.assertIn("feodo.csv: csv: 2 IPv4", out)

    def test_skipped_lines_and_json(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
            f.write("192.0.2.1\n1.2.3.4/33\nfe80::1%eth0\n")
            f.flush()
            rc, out, _ = run("intel", "check", f.name)
            self.assertEqual(rc, 1)
            self.assertIn(f"{f.name}:2: bad IPv4 prefix length", out)
            self.assertIn(f"{f.name}:3: IPv6 address with a zone id", out)
            rc, out, _ = run("intel", "check", "--json", f.name)
            self.assertEqual(rc, 1)
            doc = json.loads(out)[0]
            self.assertEqual((doc["ipv4"], doc["skipped"]), (1, 2))
            self.assertEqual(doc["skips"][0]["line"], 2)

    def test_stix_objects(self):
        rc, out, _ = run("intel", "check", os.path.join(DATA, "bundle.json"))
        self.assertEqual(rc, 1)
        self.assertIn("1 revoked, 1 expired", out)
        self.assertIn("bundle.json: object 8: comparisons joined with AND", out)

    def test_unreadable(self):
        rc, _, err = run("intel", "check", "/nonexistent/intel.txt")
        self.assertEqual(rc, 2)
        self.assertIn("No such file", err)
        self.assertEqual(run("intel", "check", "-f", "xml", "x")[0], 2)


class IntelLookupTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.cfg = os.path.join(self.dir.name, "kw.yaml")
        with open(self.cfg, "w") as f:
            f.write("intel:\n  files:\n"
                    f"    - {os.path.join(DATA, 'drop.txt')}\n"
                    f"    - {{path: {os.path.join(DATA, 'feodo.csv')}, name: feodo-c2, severity: high}}\n"
                    f"    - {os.path.join(DATA, 'bundle.json')}\n")

    def tearDown(self):
        self.dir.cleanup()

    def test_matches(self):
        rc, out, err = run("intel", "lookup", "-c", self.cfg, "192.0.2.77", "x.evil.example", "notevil.example")
        self.assertEqual(rc, 1, err)
        self.assertIn("192.0.2.77: drop (medium), feodo-c2 (high)\n", out)
        self.assertIn("x.evil.example: bundle (medium)\n", out)
        self.assertIn("notevil.example: no match\n", out)

    def test_no_match_and_json(self):
        rc, out, err = run("intel", "lookup", "--json", "-c", self.cfg, "198.18.0.1")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out), [{"value": "198.18.0.1", "lists": []}])

    def test_bad_value(self):
        rc, _, err = run("intel", "lookup", "-c", self.cfg, "not a value")
        self.assertEqual(rc, 2)
        self.assertIn("is not an IP address", err)


if __name__ == "__main__":
    unittest.main()
