#!/usr/bin/env python3
"""SQLite -> stage -> SQLite gives the same database: value for value,
storage class for storage class, schema, sequences, clean foreign keys."""
import os
import sqlite3
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
import dbcompare  # noqa: E402
import gen_hostile_sqlite  # noqa: E402
from harness import make_db, TempDirTest, main, run  # noqa: E402


class HostileRoundTrip(TempDirTest):
    def setUp(self):
        super().setUp()
        self.src = self.path("hostile.db")
        gen_hostile_sqlite.main(self.src)
        self.stage = self.path("hostile.stage")
        self.dst = self.path("copy.db")
        r = run("pull", "sqlite:" + self.src, "-o", self.stage)
        self.assertExit(r, 0)
        r = run("push", "--force", self.stage, "sqlite:" + self.dst)
        self.assertExit(r, 0)

    def test_values_schema_and_sequences_are_identical(self):
        self.assertEqual(dbcompare.differences(self.src, self.dst), [])
        self.assertEqual(dbcompare.fk_violations(self.dst), [])

    def test_the_hostile_cases_are_really_there(self):
        # guard against a generator that silently lost its hostility
        con = dbcompare.connect(self.dst)
        row = con.execute('SELECT "any thing", typeof("any thing") FROM "select" WHERE id = 3').fetchone()
        self.assertEqual(struct.pack(">d", row[0]).hex(), "8000000000000000")  # -0.0
        self.assertEqual(row[1], b"real")
        row = con.execute('SELECT "real col" FROM "select" WHERE id = 2').fetchone()
        self.assertEqual(struct.pack(">d", row[0]).hex(), "0000000000000001")  # subnormal
        row = con.execute('SELECT hex("text col"), typeof("text col") FROM "select" WHERE id = 6').fetchone()
        self.assertEqual(row, (b"61006200", b"text"))  # NUL inside text stays text
        row = con.execute('SELECT hex("any thing") FROM "select" WHERE id = 8').fetchone()
        self.assertEqual(row[0], b"FFFE41C328")  # invalid UTF-8 bytes kept
        row = con.execute('SELECT length("blob col"), typeof("blob col") FROM "select" WHERE id = 1').fetchone()
        self.assertEqual(row, (200 * 1024, b"blob"))
        row = con.execute('SELECT typeof("blob col"), length("blob col") FROM "select" WHERE id = 3').fetchone()
        self.assertEqual(row, (b"blob", 0))  # x'' is not NULL
        self.assertEqual(con.execute('SELECT count(*) FROM "no key"').fetchone()[0], 6)
        self.assertEqual(dbcompare.sequences(con), [("auto", 10)])
        self.assertEqual(con.execute('SELECT count(*) FROM "empty"').fetchone()[0], 0)

    def test_collation_and_defaults_behave_the_same(self):
        for path in (self.src, self.dst):
            con = sqlite3.connect(path)
            weird = '"we""ird; DROP TABLE x; --"'
            self.assertEqual(con.execute('SELECT count(*) FROM %s WHERE "c;d" = ?' % weird,
                                         ("MIXED",)).fetchone()[0], 2, path)
            con.execute('INSERT INTO %s ("a""b") VALUES (99)' % weird)
            row = con.execute('SELECT "order", "עמודה", "expr", "when" IS NOT NULL FROM %s '
                              'WHERE "a""b" = 99' % weird).fetchone()
            self.assertEqual(row, ("it's", -1.5, 42, 1), path)
            con.rollback()
            con.close()

    def test_the_next_autoincrement_id_is_the_sources(self):
        con = sqlite3.connect(self.dst)
        con.execute('INSERT INTO "auto" ("v") VALUES (\'new\')')
        self.assertEqual(con.execute('SELECT max(id) FROM "auto"').fetchone()[0], 11)
        con.rollback()
        con.close()

    def test_keys_are_enforced_in_the_copy(self):
        con = sqlite3.connect(self.dst)
        con.execute("PRAGMA foreign_keys = ON")
        with self.assertRaises(sqlite3.IntegrityError):
            con.execute('INSERT INTO "node" VALUES (100, 999, \'orphan\')')
        with self.assertRaises(sqlite3.IntegrityError):
            con.execute('INSERT INTO "uniq" VALUES (9, \'a\', 1, \'y\')')
        with self.assertRaises(sqlite3.IntegrityError):
            con.execute('INSERT INTO "strict" VALUES (9, \'not an integer\', 0, \'\', x\'\', 0)')
        con.close()

    def test_the_stage_is_an_ordinary_sqlite_file(self):
        con = sqlite3.connect(self.stage)
        self.assertEqual(con.execute("PRAGMA application_id").fetchone()[0], 0x494E5653)
        self.assertEqual(con.execute("PRAGMA user_version").fetchone()[0], 2)
        self.assertEqual(con.execute("SELECT value FROM invs_meta WHERE key = 'state'").fetchone()[0],
                         "pulled")
        n = con.execute("SELECT rows FROM invs_tables WHERE name = 'select'").fetchone()[0]
        self.assertEqual(n, 10)
        con.close()


class StageViews(TempDirTest):
    def test_a_stage_reads_by_the_source_names(self):
        """Every table has a read-only view named after it, its columns
        named after the source's, showing the rows as verify leaves them;
        names the stage uses itself (or that SQLite takes as one already, as
        PostgreSQL's "Foo" and foo) get none."""
        src = self.path("v.db")
        make_db(src, 'CREATE TABLE "Customer" (id INTEGER PRIMARY KEY, "first name" TEXT, v);'
                     "INSERT INTO \"Customer\" VALUES (1, 'Zoë', 1.5), (2, NULL, NULL);"
                     'CREATE TABLE invs_tables (x INT); INSERT INTO invs_tables VALUES (7);')
        con = sqlite3.connect(src)
        con.execute('UPDATE "Customer" SET "first name" = CAST(x\'5afc72696368\' AS TEXT) WHERE id = 2')
        con.commit()
        con.close()
        stage = self.path("v.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        con = sqlite3.connect(stage)
        con.text_factory = bytes
        views = sorted(n for (n,) in con.execute("SELECT name FROM sqlite_schema WHERE type = 'view'"))
        self.assertEqual(views, [b"Customer"])
        self.assertEqual(con.execute('SELECT id, "first name", v FROM "Customer" ORDER BY id').fetchall(),
                         [(1, "Zoë".encode(), 1.5), (2, b"Z\xfcrich", None)])
        with self.assertRaises(sqlite3.OperationalError):
            con.execute('DELETE FROM "Customer"')  # read-only
        con.close()
        self.assertExit(run("verify", "-q", stage), 0)  # transcodes row 2, and the view shows it
        con = sqlite3.connect(stage)
        self.assertEqual(con.execute('SELECT "first name" FROM "Customer" WHERE id = 2').fetchone(),
                         ("Zürich",))
        con.close()
        out = self.path("out.db")
        self.assertExit(run("push", "-q", stage, "sqlite:" + out), 0)
        con = sqlite3.connect(out)
        self.assertEqual(con.execute("SELECT x FROM invs_tables").fetchall(), [(7,)])
        con.close()


class ViewsAndTriggers(TempDirTest):
    SRC = ('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, \'a\'), (2, \'b\');'
           'CREATE VIEW "big v" (x, y) AS SELECT id, upper(v) FROM t WHERE id > 1;'
           'CREATE TRIGGER trg AFTER INSERT ON t BEGIN SELECT 1; END;')

    def staged(self):
        src = self.path("vw.db")
        make_db(src, self.SRC)
        stage = self.path("vw.stage")
        r = run("pull", "sqlite:" + src, "-o", stage)
        self.assertExit(r, 0)
        self.assertIn("trigger trg on table t is not copied", r.err)
        self.assertExit(run("verify", "-q", stage), 0)
        return src, stage

    def test_views_come_back_after_the_data_and_triggers_are_named(self):
        src, stage = self.staged()
        self.assertIn("trg on t (not copied)", run("info", stage).out)
        out = self.path("out.db")
        r = run("push", stage, "sqlite:" + out)
        self.assertExit(r, 0)
        self.assertIn("trigger trg on table t is not copied", r.err)
        con = sqlite3.connect(out)
        self.assertEqual(con.execute("SELECT sql FROM sqlite_schema WHERE type = 'view'").fetchall(),
                         sqlite3.connect(src).execute("SELECT sql FROM sqlite_schema WHERE type = 'view'").fetchall())
        self.assertEqual(con.execute('SELECT x, y FROM "big v"').fetchall(), [(2, "B")])
        con.close()

    def test_a_view_of_more_than_one_statement_is_refused(self):
        src, stage = self.staged()
        con = sqlite3.connect(stage)
        con.execute("UPDATE invs_objects SET definition = definition || '; DROP TABLE t' WHERE kind = 'view'")
        con.commit()
        con.close()
        out = self.path("out.db")
        r = run("push", "--force", stage, "sqlite:" + out)
        self.assertExit(r, 1)
        self.assertIn("more than one statement; refused", r.err)
        self.assertFalse(os.path.exists(out))


class Filters(TempDirTest):
    def test_table_and_exclude_select_tables(self):
        src = self.path("h.db")
        gen_hostile_sqlite.main(src)
        stage = self.path("f.stage")
        r = run("pull", "sqlite:" + src, "-o", stage, "--table", "cyc_*", "--table", "node",
                "--exclude", "cyc_b")
        self.assertExit(r, 0)
        con = sqlite3.connect(stage)
        names = sorted(n for (n,) in con.execute("SELECT name FROM invs_tables"))
        self.assertEqual(names, ["cyc_a", "node"])
        self.assertIn("cyc_a references cyc_b, which is not in the stage", r.err)
        # the rows that need cyc_b are a verify error, not a surprise at push
        r = run("verify", stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"error\s+fk-table-missing\s+cyc_a\.b_id\s+2\s+\(id\)=\(1\), \(id\)=\(2\)")
        self.assertIn("references cyc_b, which is not in the stage", r.out)

    def test_drop_dangling_fks_leaves_the_key_out(self):
        src = self.path("h.db")
        gen_hostile_sqlite.main(src)
        stage = self.path("d.stage")
        r = run("pull", "sqlite:" + src, "-o", stage, "-t", "cyc_a", "--drop-dangling-fks")
        self.assertExit(r, 0)
        self.assertIn("that foreign key is left out (--drop-dangling-fks)", r.err)
        con = sqlite3.connect(stage)
        self.assertEqual(con.execute("SELECT count(*) FROM invs_keys WHERE kind = 'foreign'").fetchone()[0], 0)
        con.close()
        self.assertExit(run("verify", "-q", stage), 0)
        out = self.path("d.db")
        self.assertExit(run("push", "-q", stage, "sqlite:" + out), 0)
        con = sqlite3.connect(out)
        self.assertEqual(con.execute("SELECT id, b_id FROM cyc_a ORDER BY id").fetchall(),
                         [(1, 2), (2, 1), (3, None)])
        self.assertEqual(con.execute("PRAGMA foreign_key_list(cyc_a)").fetchall(), [])
        con.close()

    def test_a_table_that_matches_nothing_is_an_error(self):
        src = self.path("h.db")
        gen_hostile_sqlite.main(src)
        r = run("pull", "sqlite:" + src, "-o", self.path("x.stage"), "--table", "nope")
        self.assertExit(r, 2)
        self.assertIn("no table matching 'nope'", r.err)
        self.assertFalse(os.path.exists(self.path("x.stage")))


if __name__ == "__main__":
    main()
