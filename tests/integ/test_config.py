"""keepwatch config check|show and command-line usage, on the real binary."""
import os
import tempfile
import unittest

from kwtest import run


class ConfigTest(unittest.TestCase):
    def write(self, text):
        fd, path = tempfile.mkstemp(suffix=".yaml")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        self.addCleanup(os.unlink, path)
        return path

    def test_builtin_is_valid(self):
        rc, out, err = run("config", "check")
        self.assertEqual(rc, 0, err)
        self.assertIn("configuration ok", out)

    def test_good_file(self):
        path = self.write("host: {interval: 2s}\n"
                          "assets:\n  - {name: portal, addresses: [10.0.0.5, 10.0.1.0/24], ports: [443],"
                          " department: operations, criticality: critical}\n"
                          "checks:\n  - {name: web, type: http, url: \"https://portal.example/\", asset: portal}\n"
                          "rules:\n  - {name: busy, expr: \"host_cpu_usage_ratio > 80%\", for: 5m, clear: 70%}\n")
        rc, out, err = run("config", "check", "-c", path)
        self.assertEqual((rc, err), (0, ""))
        rc, out, err = run("config", "show", "-c", path)
        self.assertEqual(rc, 0)
        self.assertIn('name: "portal"', out)
        self.assertIn("interval: 2s", out)
        # what show prints is itself a valid configuration
        again = self.write(out)
        self.assertEqual(run("config", "check", "-c", again)[0], 0)

    def test_every_error_with_position(self):
        path = self.write("host:\n"
                          "  interval: 5x\n"
                          "  top_processes: 500\n"
                          "  colour: blue\n"
                          "http:\n"
                          "  threads: many\n"
                          "rules:\n"
                          "  - name: r\n"
                          "    expr: host_load1 >> 3\n")
        rc, out, err = run("config", "check", "-c", path)
        self.assertEqual(rc, 2)
        lines = err.splitlines()
        self.assertIn(f'{path}:2:13: interval: bad duration "5x": unknown unit "x" (use ms, s, m, h, d or w)', lines)
        self.assertIn(f"{path}:3:18: top_processes: 500 is out of range (0 to 50)", lines)
        self.assertTrue(any(l.startswith(f'{path}:4:3: unknown key "colour" in host') for l in lines), err)
        self.assertIn(f'{path}:6:12: threads: expected a whole number, found "many"', lines)
        self.assertIn(f"{path}:9:23: expr: expected a number (optionally with %) to end the expression", lines)
        self.assertEqual(lines[-1], "keepwatch: 5 errors in the configuration")

    def test_shipped_example_is_valid(self):
        example = os.path.join(os.path.dirname(__file__), "..", "..", "dist", "keepwatch.example.yaml")
        rc, out, err = run("config", "check", "-c", example)
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("1 assets, 6 checks", out)

    def test_yaml_syntax_error(self):
        path = self.write("checks: [\n  {name: a\n")
        rc, _, err = run("config", "check", "-c", path)
        self.assertEqual(rc, 2)
        self.assertRegex(err, rf"^{path}:\d+:\d+: YAML syntax: ")

    def test_binary_garbage_and_missing_file(self):
        path = self.write("\x00\x01\x02garbage")
        rc, _, err = run("config", "check", "-c", path)
        self.assertEqual(rc, 2)
        self.assertIn("NUL byte", err)
        rc, _, err = run("config", "check", "-c", "/nonexistent/keepwatch.yaml")
        self.assertEqual(rc, 2)
        self.assertIn("/nonexistent/keepwatch.yaml:1:1: cannot open: No such file or directory", err)

    def test_serve_refuses_a_bad_config(self):
        path = self.write("host: {interval: 0s}\n")
        rc, _, err = run("serve", "-c", path)
        self.assertEqual(rc, 2)
        self.assertIn(f"{path}:1:18: interval: 0s is out of range (1s to 1h)", err)

    def test_usage(self):
        self.assertEqual(run()[0], 2)
        self.assertEqual(run("frobnicate")[0], 2)
        for cmd in (["--help"], ["serve", "--help"], ["config", "--help"], ["host", "--help"], ["alert", "--help"]):
            rc, out, _ = run(*cmd)
            self.assertEqual(rc, 0, cmd)
            self.assertIn("usage: keepwatch", out)
        self.assertEqual(run("alert", "ack")[0], 2)
        self.assertEqual(run("alert", "ack", "x")[0], 2)

    def test_host_status(self):
        rc, out, err = run("host", "status", "--interval", "200ms")
        self.assertEqual(rc, 0, err)
        self.assertIn("cpu ", out)
        self.assertIn("filesystem", out)
        rc, out, _ = run("host", "status", "--json", "--interval", "200ms")
        import json
        doc = json.loads(out)
        self.assertEqual(doc["event"]["kind"], "metric")
        self.assertGreater(doc["system"]["memory"]["total"], 0)
        self.assertEqual(run("host", "status", "--interval", "5x")[0], 2)


if __name__ == "__main__":
    unittest.main()
