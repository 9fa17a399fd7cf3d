"""A CPU-burning process makes a `cpu > 50% for 5s` rule fire, and the alert names it.
Run alone (RUN_SERIAL in ctest): it loads every core."""
import os
import subprocess
import time
import unittest

from kwtest import BURN, DaemonTest, wait_for


class CpuAlertTest(DaemonTest):
    def test_cpu_burner_is_named_in_the_alert(self):
        d = self.daemon("host: {interval: 1s}\nbuiltin_rules: false\n"
                        "rules:\n  - {name: cpu_busy, expr: \"host_cpu_usage_ratio > 50%\", for: 5s, severity: high}\n")
        time.sleep(2)
        self.assertEqual(d.alerts(), [], "the machine was already busy")
        burner = subprocess.Popen([BURN, str(os.cpu_count()), "40"])
        self.addCleanup(lambda: (burner.kill(), burner.wait()))
        a = d.wait_alert(lambda a: a["rule"] == "cpu_busy", "the CPU alert", timeout=30)
        self.assertIn("kw_burn", a["summary"])
        status, full = d.get(f"/api/v1/alerts/{a['id']}")
        top = full["details"]["top_processes"]
        self.assertEqual(top[0]["name"], "kw_burn")
        self.assertEqual(top[0]["pid"], burner.pid)
        self.assertGreater(top[0]["cpu_pct"], 0.5)
        burner.kill()
        burner.wait()
        wait_for("the CPU alert to resolve", lambda: d.alerts()[0]["state"] == "resolved", timeout=20)


if __name__ == "__main__":
    unittest.main()
