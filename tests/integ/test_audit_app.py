"""`keepwatch audit app` as a user runs it: the e-commerce example of the issue (tests/data/audit/app:
a weak root with nginx, Apache, MySQL, PostgreSQL, Redis, Tomcat and a Spring Boot shop whose
HikariCP pool of 60, run as 4 instances, does not fit under MySQL's max_connections of 151) and
its hardened twin; a pool file named on the command line with the database's limit given; the
failures recorded as findings on the root's host, never a password in them."""
import json
import os
import shutil
import tempfile
import unittest

from kwtest import run

DATA = os.path.join(os.environ.get("KW_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data")),
                    "audit", "app")


class AuditApp(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kw-audit-app-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.cfg = os.path.join(self.dir, "keepwatch.yaml")
        with open(self.cfg, "w") as f:
            f.write(f"daemon: {{state_dir: {self.dir}/var}}\n")

    def kw(self, *args):
        return run(*args, "-c", self.cfg, timeout=60)

    def results(self, *args):
        rc, out, err = self.kw("audit", "app", "--json", *args)
        self.assertIn(rc, (0, 1), err)
        return rc, [json.loads(l) for l in out.splitlines()]

    def test_the_shop_pool_against_mysql(self):
        rc, docs = self.results("--root", os.path.join(DATA, "weak"), "--instances", "4", "--host", "shop-01")
        self.assertEqual(rc, 1)
        pool = next(d for d in docs if d["rule.id"] == "KW-POOL-SIZE")
        self.assertEqual(pool["result.evaluation"], "failed")
        self.assertRegex(pool["keepwatch.audit.found"], r"^4 instances × 60 = 240 \(HikariCP ")
        self.assertIn("mysql max_connections 151, /etc/mysql/my.cnf:12", pool["keepwatch.audit.expected"])
        self.assertEqual((pool["file.path"], pool["keepwatch.finding.line"]), ("/opt/shop/application-prod.properties", 2))
        failed = {d["rule.id"] for d in docs if d["result.evaluation"] == "failed"}
        for want in ("KW-NGINX-SERVER-TOKENS", "KW-MYSQL-LOCAL-INFILE", "KW-PG-HBA-TRUST", "KW-REDIS-PROTECTED-MODE",
                     "KW-TOMCAT-AJP", "KW-TOMCAT-SHUTDOWN-PORT", "KW-POOL-LEAK-DETECTION"):
            self.assertIn(want, failed)
        for d in docs:
            self.assertEqual(d["rule.category"], "app_config")
            self.assertTrue(d["keepwatch.audit.title_zh"])
        text = json.dumps(docs)
        with open(os.path.join(DATA, "weak", "opt", "shop", "application.yml")) as f:
            secret = next(l.split(":", 1)[1].strip() for l in f if l.strip().startswith("password:"))
        self.assertNotIn(secret, text)
        self.assertIn("KW-POOL-PLAINTEXT-PASSWORD", failed)
        # one instance fits
        rc, docs = self.results("--root", os.path.join(DATA, "weak"), "--instances", "1")
        pool = next(d for d in docs if d["rule.id"] == "KW-POOL-SIZE")
        self.assertEqual(pool["result.evaluation"], "passed")
        # recorded on the asset
        rc, out, err = self.kw("findings", "list", "--json")
        found = json.loads(out)["findings"]
        self.assertTrue(any(f["vulnerability.id"] == "KW-POOL-SIZE" and f["keepwatch.finding.asset"] == "shop-01"
                            for f in found), [f["vulnerability.id"] for f in found])

    def test_hardened_twin_passes(self):
        rc, docs = self.results("--root", os.path.join(DATA, "hardened"), "--instances", "4")
        self.assertEqual([d["rule.id"] for d in docs if d["result.evaluation"] == "failed"], [])
        self.assertEqual(rc, 0)
        self.assertGreaterEqual(len({d["rule.id"] for d in docs}), 60)

    def test_a_pool_file_given_with_the_database_limit(self):
        pool = os.path.join(DATA, "weak", "opt", "shop", "application-prod.properties")
        rc, docs = self.results("--no-store", "--instances", "3", "--db-max-connections", "150", "pool:" + pool)
        size = next(d for d in docs if d["rule.id"] == "KW-POOL-SIZE")
        self.assertEqual(size["result.evaluation"], "failed")
        self.assertRegex(size["keepwatch.audit.found"], r"^3 instances × 60 = 180 \(HikariCP ")
        # products not given are not applicable
        self.assertTrue(all(d["result.evaluation"] == "not_applicable" for d in docs if d["rule.id"].startswith("KW-NGINX")))


if __name__ == "__main__":
    unittest.main()
