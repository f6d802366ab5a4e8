#!/usr/bin/env python3
"""invstage migrate SOURCE TARGET: pull, verify against the target and push
in one command, with the same refusals: success (SQLite and PostgreSQL
targets); a verify error stops it with the target untouched and the stage
kept and named; a non-empty target is refused untouched; -c clears it;
a stage asked for with -o is kept either way. Into an existing PostgreSQL
database the rows go in while the source is read (Overlap): the same
target as --sequential, rolled back when verify refuses or changes a value
or the load fails, with the three commands' outcome and messages."""
import glob
import os
import re
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import dbcompare  # noqa: E402
import gen_hostile_sqlite  # noqa: E402
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


OVERLAP = "while the source is read"


class Overlap(TempDirTest):
    def setUp(self):
        super().setUp()
        self.pg = Pg()
        self.env = {"TMPDIR": self.dir}

    def dump(self, db):
        """Schema and rows as pg_dump prints them, less its random \\restrict key."""
        p = subprocess.run(["pg_dump", "--no-owner", self.pg.uri(db)], capture_output=True,
                           text=True, env=self.pg.penv)
        self.assertEqual(p.returncode, 0, p.stderr)
        return [l for l in p.stdout.split("\n") if not re.match(r"\\(un)?restrict ", l)]

    def test_the_same_target_as_sequential_for_the_hostile_database(self):
        src = self.path("hostile.db")
        gen_hostile_sqlite.main(src)
        con = sqlite3.connect(src)
        con.executescript("""
            DELETE FROM "select" WHERE id IN (6, 7, 8, 9, 10);  -- what PostgreSQL cannot hold
            DROP TABLE "таблица";
            DROP TABLE "strict";
        """)
        con.execute('UPDATE "select" SET "any thing" = NULL')  # text there (test_postgres)
        con.commit()
        con.close()
        a, b = self.pg.createdb("overlap_a"), self.pg.createdb("overlap_b")
        r = run("migrate", "-v", "--force", "sqlite:" + src, self.pg.uri(a), env=self.env)
        self.assertExit(r, 0)
        self.assertIn(OVERLAP, r.err)
        self.assertNotIn("pushing from the stage", r.err)
        r = run("migrate", "-v", "--force", "--sequential", "sqlite:" + src, self.pg.uri(b),
                env=self.env)
        self.assertExit(r, 0)
        self.assertNotIn(OVERLAP, r.err)
        self.assertGreater(len(self.pg.tables(a)), 5)
        self.assertEqual(self.pg.differences(a, b), [])
        self.assertEqual(self.pg.sequences(a), self.pg.sequences(b))
        self.assertEqual(self.dump(a), self.dump(b))
        # -c: the same again over the rows already there, in one transaction
        r = run("migrate", "-v", "--force", "-c", "sqlite:" + src, self.pg.uri(a), env=self.env)
        self.assertExit(r, 0)
        self.assertIn(OVERLAP, r.err)
        self.assertEqual(self.dump(a), self.dump(b))

    def test_a_verify_error_rolls_the_load_back(self):
        src = self.path("src.db")
        make_db(src, SOURCE + "INSERT INTO invoice VALUES (4, 99, 1);")  # an orphan
        db = self.pg.createdb("overlap_refused")
        self.pg.psql(db, "CREATE TABLE other (a int); INSERT INTO other VALUES (1)")
        before = self.dump(db)
        r = run("migrate", "-v", "sqlite:" + src, self.pg.uri(db), env=self.env)
        self.assertExit(r, 1)
        self.assertIn(OVERLAP, r.err)  # loaded beside the pull...
        self.assertIn("verify: 1 error(s)", r.err)
        self.assertEqual(self.dump(db), before)  # ...and rolled back
        self.assertTrue(re.search(r"the stage is kept at (\S+):", r.err), r.err)

    def test_values_verify_changes_are_pushed_from_the_stage(self):
        src = self.path("src.db")
        make_db(src, SOURCE + "UPDATE customer SET name = 'Rene\u0301e' WHERE id = 2;")
        db = self.pg.createdb("overlap_nfc")
        r = run("migrate", "-v", "--nfc", "sqlite:" + src, self.pg.uri(db), env=self.env)
        self.assertExit(r, 0)
        self.assertIn(OVERLAP, r.err)
        self.assertIn("verify changed 1 value(s)", r.err)
        self.assertIn("pushing from the stage", r.err)
        self.assertEqual(self.pg.psql(db, "SELECT name FROM customer ORDER BY id"),
                         "Ann\nRen\u00e9e\n")  # NFC, as verify made it

    def test_a_load_the_target_refuses_ends_as_push_ends(self):
        src = self.path("src.db")
        make_db(src, SOURCE)
        db = self.pg.createdb("overlap_check")
        # the application's own table, with a rule verify cannot know
        self.pg.psql(db, "CREATE TABLE customer (id bigint PRIMARY KEY, name text NOT NULL "
                         "CONSTRAINT no_bob CHECK (name <> 'Bob'))")
        before = self.dump(db)
        r = run("migrate", "-v", "sqlite:" + src, self.pg.uri(db), env=self.env)
        self.assertExit(r, 1)
        self.assertIn("loading beside the pull stopped", r.err)
        self.assertIn("no_bob", r.err.split("pushing from the stage")[-1])  # push's own refusal
        self.assertEqual(self.dump(db), before)


if __name__ == "__main__":
    main()
