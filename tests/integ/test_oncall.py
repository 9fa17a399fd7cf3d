"""keepwatch oncall now|shifts on a real configuration file."""
import json
import os
import tempfile
import unittest

from kwtest import run

CONFIG = """
period: {name: drill, start: '2026-12-01T00:00', end: '2026-12-02T00:00'}
departments:
  - {name: security, display: 安全部, kind: security, head: li.na}
people:
  - {name: zhang.wei, display: 张伟, phone: "+86 138 0000 0001", departments: [security]}
  - {name: wang.fang, display: 王芳, phone: "+86 138 0000 0002", departments: [security]}
  - {name: li.na, display: 李娜, departments: [security]}
schedules:
  - name: security-duty
    timezone: "+08:00"
    layers:
      - {name: day, rotation: daily, start: 2026-11-23, handoff: "09:00", members: [zhang.wei, wang.fang]}
      - {name: nights, rotation: weekly, members: [li.na], from: "22:00", to: "07:00"}
    overrides:
      - {person: li.na, from: "2026-11-26T12:00", to: "2026-11-26T13:00"}
  - name: weekends
    timezone: UTC
    layers:
      - {name: w, rotation: weekly, members: [zhang.wei], days: [sat, sun]}
"""


class Oncall(unittest.TestCase):
    def setUp(self):
        fd, self.cfg = tempfile.mkstemp(suffix=".yaml")
        with os.fdopen(fd, "w") as f:
            f.write(CONFIG)
        self.addCleanup(os.unlink, self.cfg)

    def test_now(self):
        rc, out, err = run("oncall", "now", "--json", "--at", "2026-11-24T23:00:00+08:00", "-c", self.cfg)
        self.assertEqual(rc, 1, err)  # the weekend schedule has nobody on a Tuesday
        got = {s["schedule"]: s for s in json.loads(out)}
        self.assertEqual(got["security-duty"]["on_duty"]["person"], "li.na")
        self.assertEqual(got["security-duty"]["on_duty"]["end"], "2026-11-24T23:00:00.000Z")  # 07:00 +08:00
        self.assertEqual(got["security-duty"]["next"]["person"], "wang.fang")
        self.assertIsNone(got["weekends"]["on_duty"])
        self.assertEqual(got["weekends"]["next"]["start"], "2026-11-28T00:00:00.000Z")
        rc, out, err = run("oncall", "now", "--at", "2026-11-28T12:00:00Z", "-c", self.cfg)
        self.assertEqual(rc, 0, err)
        self.assertIn("张伟", out)

    def test_shifts(self):
        rc, out, err = run("oncall", "shifts", "--json", "--schedule", "security-duty", "--from",
                           "2026-11-26T09:00:00+08:00", "--to", "2026-11-27T09:00:00+08:00", "-c", self.cfg)
        self.assertEqual(rc, 0, err)
        shifts = [(s["person"], s["layer"], s["start"]) for s in json.loads(out)]
        self.assertEqual(shifts, [
            ("wang.fang", "day", "2026-11-26T01:00:00.000Z"),   # 23 zhang, 24 wang, 25 zhang, 26 wang
            ("li.na", "override", "2026-11-26T04:00:00.000Z"),
            ("wang.fang", "day", "2026-11-26T05:00:00.000Z"),
            ("li.na", "nights", "2026-11-26T14:00:00.000Z"),
            ("wang.fang", "day", "2026-11-26T23:00:00.000Z"),
        ])

    def test_config_show_round_trips(self):
        rc, out, err = run("config", "show", "-c", self.cfg)
        self.assertEqual(rc, 0, err)
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write(out)
        self.addCleanup(os.unlink, f.name)
        rc, out2, err = run("oncall", "shifts", "--json", "--from", "2026-11-26", "--to", "2026-11-28", "-c", f.name)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out2, run("oncall", "shifts", "--json", "--from", "2026-11-26", "--to", "2026-11-28",
                                   "-c", self.cfg)[1])

    def test_bad_usage(self):
        self.assertEqual(run("oncall", "shifts", "--schedule", "nope", "-c", self.cfg)[0], 2)
        self.assertEqual(run("oncall", "now", "--at", "yesterday", "-c", self.cfg)[0], 2)
        self.assertEqual(run("oncall", "now")[0], 2)  # the built-in configuration has no schedules
        self.assertEqual(run("oncall", "bogus", "-c", self.cfg)[0], 2)


if __name__ == "__main__":
    unittest.main()
