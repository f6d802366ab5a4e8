#!/usr/bin/env python3
"""The proof: push reads every table back before committing, and verify
--against compares on demand. A target that does not hold what the stage
does is named by table and first differing key."""
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import Pg, TempDirTest, main, run, sha256  # noqa: E402

SOURCE = """
CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, price NUMERIC(10,2));
INSERT INTO t VALUES (1, 'one', 9.99), (2, 'two', 10), (3, 'three', 0.5);
CREATE TABLE bag (a INTEGER, b TEXT);
INSERT INTO bag VALUES (1, 'x'), (1, 'x'), (2, NULL);
"""


class Proof(TempDirTest):
    def setUp(self):
        super().setUp()
        self.src = self.path("src.db")
        con = sqlite3.connect(self.src)
        con.executescript(SOURCE)
        con.close()
        self.stage = self.path("src.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + self.src, "-o", self.stage), 0)

    def test_a_target_that_changes_rows_is_refused_before_commit(self):
        dst = self.path("dst.db")
        con = sqlite3.connect(dst)
        con.executescript("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, price NUMERIC(10,2));"
                          "CREATE TRIGGER shout AFTER INSERT ON t WHEN new.id = 2"
                          " BEGIN UPDATE t SET v = upper(v) WHERE id = new.id; END;")
        con.close()
        before = sha256(dst)
        r = run("push", "--force", self.stage, "sqlite:" + dst)
        self.assertExit(r, 1)
        self.assertIn("table t: the target does not hold what the stage does", r.err)
        self.assertIn("the row's values differ, first at (id)=(2)", r.err)
        self.assertIn("nothing was committed", r.err)
        self.assertEqual(sha256(dst), before)
        # --no-check skips the proof (and so lets the trigger's change in)
        self.assertExit(run("push", "--force", "-q", "--no-check", self.stage, "sqlite:" + dst), 0)

    def test_verify_against_names_the_table_and_key(self):
        dst = self.path("dst.db")
        self.assertExit(run("push", "--force", "-q", self.stage, "sqlite:" + dst), 0)
        r = run("verify", "--against", "sqlite:" + dst, self.stage)
        self.assertExit(r, 0)
        con = sqlite3.connect(dst)
        con.execute("UPDATE t SET price = 9.98 WHERE id = 1")
        con.execute("DELETE FROM bag WHERE rowid = (SELECT min(rowid) FROM bag WHERE a = 1)")
        con.commit()
        con.close()
        r = run("verify", "--against", "sqlite:" + dst, self.stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"target-differs\s+t\s+1\s+\(id\)=\(1\)\s+the row's values differ")
        self.assertRegex(r.out, r"target-differs\s+bag\s+1\s+row \d\s+the stage has a row the target does not")

    def test_digests_are_recorded_in_the_stage(self):
        con = sqlite3.connect(self.stage)
        rows = con.execute("SELECT name, source_digest, digest FROM invs_tables ORDER BY tid").fetchall()
        con.close()
        self.assertEqual([r[0] for r in rows], ["t", "bag"])
        self.assertTrue(all(r[1] == r[2] for r in rows))
        self.assertTrue(rows[0][1].startswith("3:") and rows[1][1].startswith("3:"))


class PgProof(TempDirTest):
    def staged(self, script, name):
        """A SQLite source made by script, pulled into a stage: its path."""
        src = self.path(name + ".db")
        con = sqlite3.connect(src)
        con.executescript(script)
        con.close()
        stage = self.path(name + ".stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        return stage

    def test_a_pg_trigger_that_changes_rows_rolls_the_push_back(self):
        pg = Pg()
        stage = self.staged(SOURCE, "s")
        db = pg.createdb("proof")
        pg.psql(db, "CREATE TABLE t (id bigint PRIMARY KEY, v text, price numeric(10,2));"
                    "CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS"
                    " $$ BEGIN IF NEW.id = 3 THEN NEW.price := NEW.price + 1; END IF; RETURN NEW; END $$;"
                    "CREATE TRIGGER bump BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION bump()")
        r = run("push", "--force", stage, pg.uri(db))
        self.assertExit(r, 1)
        self.assertIn("table t: the target does not hold what the stage does", r.err)
        self.assertIn("first at (id)=(3)", r.err)
        self.assertEqual(pg.psql(db, "SELECT count(*) FROM t"), "0\n")
        self.assertEqual(pg.tables(db), ["t"])
        # and without the trigger the same push proves itself and commits
        pg.psql(db, "DROP TRIGGER bump ON t")
        self.assertExit(run("push", "--force", "-q", stage, pg.uri(db)), 0)
        r = run("verify", "--against", pg.uri(db), stage)
        self.assertExit(r, 0)

    def test_no_value_is_rounded_into_an_existing_decimal_column(self):
        """numeric(3,0) given 1.5 and 2.25 received 2 and 2, exit 0, and
        neither verify nor the proof said a word."""
        pg = Pg()
        stage = self.staged("CREATE TABLE m (id INTEGER PRIMARY KEY, q REAL);"
                            "INSERT INTO m VALUES (1, 1.5), (2, 2.25), (3, 3.0);", "r")
        db = pg.createdb("rounding")
        pg.psql(db, "CREATE TABLE m (id bigint PRIMARY KEY, q numeric(3,0))")
        r = run("push", "--force", stage, pg.uri(db))
        self.assertExit(r, 1)
        self.assertIn("(id)=(1), column q: the value 1.5 has more decimals", r.err)
        self.assertIn("numeric(3,0)", r.err)
        self.assertEqual(pg.psql(db, "SELECT count(*) FROM m"), "0\n")
        r = run("verify", "--target", pg.uri(db), stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"error\s+not-convertible\s+m\.q\s+2\s+\(id\)=\(1\), \(id\)=\(2\)")
        # asked for, the rounding is the stage's, recorded and undoable
        r = run("verify", "--target", pg.uri(db), "--round-decimals", stage)
        self.assertExit(r, 0)
        self.assertRegex(r.out, r"decimal-rounded\s+m\.q\s+2")
        self.assertExit(run("push", "-q", stage, pg.uri(db)), 0)
        self.assertEqual(pg.psql(db, "SELECT id, q FROM m ORDER BY id"), "1|2\n2|2\n3|3\n")
        self.assertExit(run("verify", "--against", pg.uri(db), stage), 0)
        # the pulled values are kept: against them the target differs
        self.assertExit(run("verify", "--undo", stage), 0)
        r = run("verify", "--against", pg.uri(db), stage)
        self.assertExit(r, 1)
        self.assertIn("target-differs", r.out)

    def test_a_real_is_compared_by_its_shortest_exact_decimal(self):
        """REAL 1.0000000000000002 read at 15 digits is 1: it went into
        numeric(3,0) as 1 with exit 0, and the proof agreed. By its shortest
        exact decimal it has 16 decimals; 9.99 is still 9.9900."""
        pg = Pg()
        stage = self.staged("CREATE TABLE m (id INTEGER PRIMARY KEY, q REAL);"
                            "CREATE TABLE n (id INTEGER PRIMARY KEY, p REAL);"
                            "CREATE TABLE w (id INTEGER PRIMARY KEY, x REAL);"
                            "INSERT INTO m VALUES (1, 1.0000000000000002), (2, 7.0);"
                            "INSERT INTO n VALUES (1, 9.99), (2, 0.5);"
                            "INSERT INTO w VALUES (1, 1.0000000000000002);", "r")
        db = pg.createdb("shortest")
        pg.psql(db, "CREATE TABLE m (id bigint PRIMARY KEY, q numeric(3,0));"
                    "CREATE TABLE n (id bigint PRIMARY KEY, p numeric(5,4));"
                    "CREATE TABLE w (id bigint PRIMARY KEY, x numeric(20,17))")
        r = run("push", "--force", stage, pg.uri(db))
        self.assertExit(r, 1)
        self.assertIn("(id)=(1), column q: the value 1.0000000000000002 has more decimals", r.err)
        self.assertEqual(pg.psql(db, "SELECT count(*) FROM m"), "0\n")
        r = run("verify", "--target", pg.uri(db), stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"error\s+not-convertible\s+m\.q\s+1\s+\(id\)=\(1\)")
        self.assertNotRegex(r.out, r"not-convertible\s+[nw]\.")
        # rounded on request; 9.99 needs no rounding, nor do 17 digits that fit
        r = run("verify", "--target", pg.uri(db), "--round-decimals", stage)
        self.assertExit(r, 0)
        self.assertRegex(r.out, r"decimal-rounded\s+m\.q\s+1\s+\(id\)=\(1\)")
        self.assertNotRegex(r.out, r"decimal-rounded\s+[nw]\.")
        self.assertExit(run("push", "-q", stage, pg.uri(db)), 0)
        self.assertEqual(pg.psql(db, "SELECT q FROM m ORDER BY id"), "1\n7\n")
        self.assertEqual(pg.psql(db, "SELECT p FROM n ORDER BY id"), "9.9900\n0.5000\n")
        self.assertEqual(pg.psql(db, "SELECT x FROM w"), "1.00000000000000020\n")
        self.assertExit(run("verify", "--against", pg.uri(db), stage), 0)
        # against the values as pulled, the proof sees the rounding
        self.assertExit(run("verify", "--undo", stage), 0)
        r = run("verify", "--against", pg.uri(db), stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"target-differs\s+m\s+1\s+\(id\)=\(1\)")
        self.assertNotRegex(r.out, r"target-differs\s+[nw]\s")


if __name__ == "__main__":
    main()
