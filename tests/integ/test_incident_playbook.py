"""keepwatch incident playbook check|show|list on the data of tests/data/incident."""
import json
import os
import shutil
import tempfile
import unittest

from kwtest import run

DATA = os.path.join(os.environ.get("KW_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data")),
                    "incident")
CONF = os.path.join(DATA, "conf.yaml")


class PlaybookCli(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kw_pb_cli_")
        self.pbdir = os.path.join(self.dir, "playbooks")
        os.mkdir(self.pbdir)
        shutil.copy(os.path.join(DATA, "good_ddos.yaml"), os.path.join(self.pbdir, "ddos_test.yaml"))
        with open(CONF) as f:
            text = f.read()
        self.conf = os.path.join(self.dir, "kw.yaml")
        with open(self.conf, "w") as f:
            f.write(text.replace("incident:\n", "incident:\n  playbook_dir: playbooks\n"))

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_check_good_and_bad(self):
        rc, out, err = run("incident", "playbook", "check", "-c", self.conf)
        self.assertEqual(rc, 0, err)
        self.assertIn("10 playbooks good", out)  # the nine built-in ones and the file
        # the playbook_dir file given again is checked in its place, not as a duplicate
        rc, out, err = run("incident", "playbook", "check", os.path.join(self.pbdir, "ddos_test.yaml"), "-c", self.conf)
        self.assertEqual(rc, 0, err)
        bad = os.path.join(DATA, "bad_cycle.yaml")
        rc, out, err = run("incident", "playbook", "check", bad, "-c", self.conf)
        self.assertEqual(rc, 2)
        self.assertIn(bad + ':8:41: step "scrub": needs: a cycle: verify -> scrub -> verify', err)
        self.assertIn("2 errors in the playbooks", err)

    def test_bad_dir_file_fails_the_configuration(self):
        shutil.copy(os.path.join(DATA, "bad_refs.yaml"), os.path.join(self.pbdir, "refs.yaml"))
        rc, out, err = run("config", "check", "-c", self.conf)
        self.assertEqual(rc, 2)
        self.assertIn(os.path.join(self.pbdir, "refs.yaml") + ':9:16: step "a": owner: person "carol" is not defined',
                      err)
        rc, out, err = run("incident", "playbook", "list", "-c", self.conf)
        self.assertEqual(rc, 2)

    def test_list_and_show(self):
        rc, out, err = run("incident", "playbook", "list", "--json", "-c", self.conf)
        self.assertEqual(rc, 0, err)
        rows = {r["name"]: r for r in json.loads(out)}
        self.assertEqual(rows["ddos_test"]["category"]["code"], "NA")
        self.assertEqual(rows["ddos_test"]["steps"], 4)
        self.assertEqual(rows["ddos_test"]["grade"], "IV")
        self.assertTrue(rows["ddos_test"]["source"].endswith("/playbooks/ddos_test.yaml"))
        rc, out, err = run("incident", "playbook", "show", "ddos_test", "--json", "-c", self.conf)
        self.assertEqual(rc, 0, err)
        pb = json.loads(out)
        self.assertEqual([p["phase"] for p in pb["phases"]], ["confirm", "contain", "report"])
        rep = pb["phases"][2]["steps"][0]
        self.assertEqual(rep["report"], "regulator")
        self.assertEqual(rep["grades"], ["I", "II", "III"])
        ours = [r for r in rep["regulator"] if r["ours"]]
        self.assertEqual([(r["org_type"], r["within_ms"]) for r in ours], [("other", 4 * 3600 * 1000)])
        rc, out, err = run("incident", "playbook", "show", "ddos_test", "--lang", "en", "-c", self.conf)
        self.assertEqual(rc, 0, err)
        self.assertIn("[ ] verify: Confirm the service is unreachable", out)
        self.assertIn("owner: role:duty_officer   due: +30m   grades: all", out)
        self.assertIn("* other        +4h at grade I, II, III", out)
        rc, out, err = run("incident", "playbook", "show", "nosuch", "-c", self.conf)
        self.assertEqual(rc, 2)

    def test_config_show_reads_back(self):
        rc, out, err = run("config", "show", "-c", self.conf)
        self.assertEqual(rc, 0, err)
        self.assertNotIn("ddos_test", out)  # playbook_dir reads it again
        again = os.path.join(self.dir, "show.yaml")
        with open(again, "w") as f:
            f.write(out)
        rc, out, err = run("incident", "playbook", "list", "--json", "-c", again)
        self.assertEqual(rc, 0, err)
        self.assertIn("ddos_test", [r["name"] for r in json.loads(out)])


if __name__ == "__main__":
    unittest.main()
