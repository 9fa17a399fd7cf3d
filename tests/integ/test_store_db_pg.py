"""The store's SQL interface against a real PostgreSQL: starts a throwaway cluster
(pgserver.py) and runs the unit conformance program test_store_db with KW_TEST_PG_URL set."""
import os
import subprocess
import unittest

from pgserver import PgServer, bindir

BIN = os.environ.get("KW_TEST_STORE_DB_BIN") or os.path.join(
    os.path.dirname(os.environ.get("KEEPWATCH_BIN", "keepwatch")), "tests", "test_store_db")


class StoreDbPostgres(unittest.TestCase):
    @unittest.skipUnless(bindir(), "PostgreSQL server not installed (scripts/deps.sh test)")
    def test_conformance(self):
        self.assertTrue(os.path.exists(BIN), f"{BIN} not built")
        with PgServer() as pg:
            env = dict(os.environ, KW_TEST_PG_URL=pg.url)
            p = subprocess.run([BIN], capture_output=True, text=True, timeout=300, env=env)
            out = p.stdout + p.stderr
            self.assertEqual(p.returncode, 0, out + "\n--- server log ---\n" + pg.log())
            if "support is not built in" in out:
                self.skipTest("keepwatch built without libpq")
            # the PostgreSQL cases ran (not skipped) and none failed
            for case in ("c_returning", "c_blobs", "c_question_mark_literal", "c_statement_cache", "c_prepare_in_transaction",
                         "pg_bad_password", "pg_connection_lost",
                         "c_begin_write", "pg_begin_write_lock", "pg_begin_write_lost"):
                self.assertIn(f"ok   {case}", out)
            self.assertNotIn("FAIL", out)
            self.assertNotIn(pg.password, out)


if __name__ == "__main__":
    unittest.main()
