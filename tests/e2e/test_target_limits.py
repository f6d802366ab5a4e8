#!/usr/bin/env python3
"""Limits a target has are found before the push: verify --target URI
reads the server's settings (a lock table too small for one transaction
over every table, rows wider than a page); names that are one after the
target's case folding, and empty names, are verify errors. Each limit is
real: the push it warns of fails."""
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import Pg, TempDirTest, main, make_db, run  # noqa: E402


class ServerSettings(TempDirTest):
    def test_more_tables_than_the_lock_table_holds(self):
        pg = Pg()
        src = self.path("many.db")
        con = sqlite3.connect(src)
        for i in range(1500):  # 6 relations each; the test server holds about 64 x 62
            con.execute("CREATE TABLE t%d (id INTEGER PRIMARY KEY, v TEXT UNIQUE)" % i)
        con.commit()
        con.close()
        stage = self.path("many.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        db = pg.createdb("many_tables")
        r = run("verify", "--target", pg.uri(db), stage)
        self.assertExit(r, 0)  # a warning: the user may raise the setting
        self.assertRegex(r.out, r"warning\s+lock-table\s+\(target\)")
        self.assertIn("raise max_locks_per_transaction", r.out)
        r = run("push", stage, pg.uri(db))
        self.assertNotEqual(r.rc, 0)
        self.assertIn("max_locks_per_transaction", r.err)
        self.assertEqual(pg.tables(db), [])

    def test_a_row_wider_than_a_page(self):
        pg = Pg()
        src = self.path("wide.db")
        cols = ", ".join("c%d BIGINT" % i for i in range(1100))
        make_db(src, "CREATE TABLE wide (id INTEGER PRIMARY KEY, %s);"
                     "INSERT INTO wide VALUES (1, %s);" % (cols, ", ".join(["7"] * 1100)))
        stage = self.path("wide.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        db = pg.createdb("wide_rows")
        r = run("verify", "--target", pg.uri(db), stage)
        self.assertRegex(r.out, r"warning\s+row-too-big\s+\(target\)")
        self.assertIn("table wide", r.out)
        r = run("push", stage, pg.uri(db))
        self.assertNotEqual(r.rc, 0)
        self.assertIn("row is too big", r.err)


class Offsets(TempDirTest):
    """A date and time written with a UTC offset in a DATETIME column: SQLite
    keeps the text, PostgreSQL's timestamp keeps the wall time and drops the
    offset. verify finds it; --offsets-to-utc rewrites it, audited."""

    def test_offsets_in_a_timestamp_column(self):
        pg = Pg()
        src = self.path("ev.db")
        make_db(src, "CREATE TABLE ev (id INTEGER PRIMARY KEY, at DATETIME);"
                     "INSERT INTO ev VALUES (1, '2025-12-02T01:00:00+02:00'),"
                     " (2, '2025-12-02T01:00:00+00:00'), (3, '2025-12-02 01:00:00'),"
                     " (4, '2025-12-02T01:00:00.25-05:30'), (5, NULL);")
        stage = self.path("ev.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        r = run("verify", "--target", "postgres", stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"error\s+timestamp-offset\s+ev\.at\s+2\s+\(id\)=\(1\), \(id\)=\(4\)")
        self.assertIn("drops the offset", r.out)
        self.assertExit(run("verify", "-q", "--target", "sqlite", stage), 0)  # SQLite keeps the text
        db = pg.createdb("offsets")
        r = run("push", "--force", stage, pg.uri(db))
        self.assertExit(r, 1)  # the finding is real: the proof refuses what PostgreSQL made of it
        self.assertEqual(pg.tables(db), [])
        r = run("verify", "--target", "postgres", "--offsets-to-utc", stage)
        self.assertExit(r, 0)
        self.assertRegex(r.out, r"offset-to-utc\s+ev\.at\s+2")
        con = sqlite3.connect(stage)
        old = con.execute("SELECT old_value FROM invs_changes ORDER BY rid").fetchall()
        con.close()
        self.assertEqual(old, [("2025-12-02T01:00:00+02:00",), ("2025-12-02T01:00:00.25-05:30",)])
        self.assertExit(run("push", "-q", stage, pg.uri(db)), 0)
        self.assertEqual(pg.psql(db, "SELECT id, at FROM ev ORDER BY id").strip().split("\n"),
                         ["1|2025-12-01 23:00:00", "2|2025-12-02 01:00:00", "3|2025-12-02 01:00:00",
                          "4|2025-12-02 06:30:00.25", "5|"])
        self.assertExit(run("verify", "-q", "--undo", stage), 0)
        con = sqlite3.connect(stage)
        self.assertEqual(con.execute("SELECT count(*) FROM invs_changes").fetchone()[0], 0)
        con.close()


class Untyped(TempDirTest):
    def test_numbers_in_a_column_without_a_type(self):
        """PostgreSQL makes such a column text: its numbers and blobs would
        come back as text, and the proof would refuse the push."""
        pg = Pg()
        src = self.path("u.db")
        make_db(src, "CREATE TABLE u (id INTEGER PRIMARY KEY, v);"
                     "INSERT INTO u VALUES (1, 1), (2, 2.5), (3, x'00ff'), (4, 'txt'), (5, NULL);")
        stage = self.path("u.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        self.assertExit(run("verify", "-q", "--target", "sqlite", stage), 0)
        r = run("verify", "--target", "postgres", stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"error\s+untyped-value\s+u\.v\s+3\s+\(id\)=\(1\), \(id\)=\(2\), \(id\)=\(3\)")
        db = pg.createdb("untyped")
        r = run("push", "--force", stage, pg.uri(db))
        self.assertExit(r, 1)  # the finding is real
        self.assertIn("the target does not hold what the stage does", r.err)
        self.assertExit(run("push", "-q", "--force", "--no-check", stage, pg.uri(db)), 0)
        self.assertEqual(pg.psql(db, "SELECT v FROM u ORDER BY id").split("\n")[:4],
                         ["1", "2.5", "\\x00ff", "txt"])
        # the same into a text column an application made: verify said
        # nothing, and push refused
        made = pg.createdb("untyped_made")
        pg.psql(made, "CREATE TABLE u (id int PRIMARY KEY, v text)")
        r = run("verify", "--target", pg.uri(made), stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"error\s+untyped-value\s+u\.v\s+3\s")
        self.assertExit(run("push", "--force", stage, pg.uri(made)), 1)


class Names(TempDirTest):
    def test_names_one_after_case_folding(self):
        pg = Pg()
        db = pg.createdb("names_src")
        pg.psql(db, 'CREATE TABLE "Foo" (id int PRIMARY KEY); CREATE TABLE foo (id int PRIMARY KEY,'
                    ' "A" int, a int); INSERT INTO "Foo" VALUES (1); INSERT INTO foo VALUES (1, 2, 3)')
        stage = self.path("names.stage")
        self.assertExit(run("pull", "-q", pg.uri(db), "-o", stage), 0)
        r = run("verify", "--target", "sqlite", stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"error\s+name-collision\s+Foo\s+1\s+tables Foo and foo")
        self.assertRegex(r.out, r"error\s+name-collision\s+foo\.A\s+1\s+columns A and a")
        r = run("verify", "--target", "postgres", stage)
        self.assertNotIn("name-collision", r.out)

    def test_an_empty_name(self):
        src = self.path("empty.db")
        make_db(src, 'CREATE TABLE t (id INTEGER PRIMARY KEY, "" TEXT); INSERT INTO t VALUES (1, 2);')
        stage = self.path("empty.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        r = run("verify", "--target", "postgres", stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"error\s+empty-name\s+t\.\s+1\s+PostgreSQL takes no empty name")


if __name__ == "__main__":
    main()
