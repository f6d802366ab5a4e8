#!/usr/bin/env python3
"""invstage migrate SOURCE TARGET: pull, verify against the target and push
in one command, with the same refusals: success (SQLite and PostgreSQL
targets); a verify error stops it with the target untouched and the stage
kept and named; a non-empty target is refused untouched; -c clears it;
a stage asked for with -o is kept either way."""
import glob
import os
import re
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(__file__))
import dbcompare  # noqa: E402
from harness import Pg, TempDirTest, main, make_db, run, sha256  # noqa: E402

SOURCE = """
CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE invoice (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customer(id),
                      total NUMERIC(10,2));
INSERT INTO customer VALUES (1, 'Ann'), (2, 'Bob');
INSERT INTO invoice VALUES (1, 1, 9.99), (2, 2, 10), (3, 1, 0.5);
"""


class Migrate(TempDirTest):
    def setUp(self):
        super().setUp()
        self.src = self.path("src.db")
        make_db(self.src, SOURCE)
        self.env = {"TMPDIR": self.dir}

    def temporaries(self):
        return glob.glob(self.path("invstage-migrate-*"))

    def test_sqlite_to_sqlite(self):
        dst = self.path("dst.db")
        r = run("migrate", "sqlite:" + self.src, "sqlite:" + dst, env=self.env)
        self.assertExit(r, 0)
        self.assertIn("migrated", r.out)
        self.assertEqual(dbcompare.differences(self.src, dst), [])
        self.assertEqual(self.temporaries(), [])  # the temporary stage is gone

    def test_sqlite_to_postgres_and_the_stage_kept_with_o(self):
        pg = Pg()
        db = pg.createdb("migrate_pg")
        stage = self.path("kept.stage")
        r = run("migrate", "-o", stage, "sqlite:" + self.src, pg.uri(db))
        self.assertExit(r, 0)
        self.assertEqual(pg.psql(db, "SELECT id, customer_id, total FROM invoice ORDER BY id"),
                         "1|1|9.99\n2|2|10.00\n3|1|0.50\n")
        self.assertExit(run("verify", "--against", pg.uri(db), stage), 0)

    def test_a_verify_error_stops_it_before_the_target(self):
        con = sqlite3.connect(self.src)
        con.execute("INSERT INTO invoice VALUES (4, 99, 1)")  # an orphan
        con.commit()
        con.close()
        dst = self.path("dst.db")
        make_db(dst, "CREATE TABLE other (a); INSERT INTO other VALUES (1);")
        before = sha256(dst)
        r = run("migrate", "sqlite:" + self.src, "sqlite:" + dst, env=self.env)
        self.assertExit(r, 1)
        self.assertIn("verify: 1 error(s)", r.err)
        self.assertEqual(sha256(dst), before)
        m = re.search(r"the stage is kept at (\S+):", r.err)
        self.assertTrue(m, r.err)
        self.assertTrue(os.path.exists(m.group(1)))
        r = run("info", m.group(1))
        self.assertIn("fk-orphan", run("verify", m.group(1)).out)
        # --force pushes despite the error; SQLite then refuses the orphan itself
        r = run("migrate", "--force", "sqlite:" + self.src, "sqlite:" + dst, env=self.env)
        self.assertExit(r, 1)
        self.assertIn("foreign keys", r.err)
        self.assertEqual(sha256(dst), before)

    def test_a_non_empty_target_is_refused_untouched_then_cleared(self):
        dst = self.path("dst.db")
        self.assertExit(run("migrate", "-q", "sqlite:" + self.src, "sqlite:" + dst,
                            env=self.env), 0)
        con = sqlite3.connect(dst)
        con.execute("UPDATE customer SET name = 'changed' WHERE id = 1")
        con.commit()
        con.close()
        before = sha256(dst)
        r = run("migrate", "sqlite:" + self.src, "sqlite:" + dst, env=self.env)
        self.assertExit(r, 1)
        self.assertIn("is not empty", r.err)
        self.assertEqual(sha256(dst), before)
        self.assertEqual(len(self.temporaries()), 1)  # kept, and named
        r = run("migrate", "-q", "-c", "sqlite:" + self.src, "sqlite:" + dst, env=self.env)
        self.assertExit(r, 0)
        self.assertEqual(dbcompare.differences(self.src, dst), [])

    def test_usage(self):
        self.assertExit(run("migrate", "sqlite:" + self.src), 2)
        r = run("migrate", "--help")
        self.assertExit(r, 0)
        self.assertIn("Usage: invstage migrate", r.out)


if __name__ == "__main__":
    main()
