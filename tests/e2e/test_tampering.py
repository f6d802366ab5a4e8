#!/usr/bin/env python3
"""A stage changed outside invstage is never laundered: a byte flipped in a
stored value is a verify error naming the table (and verify does not sign
it as checked), a push says what happened instead of blaming a hash
collision, deleted table rows and an emptied findings table are noticed,
and --accept-edits takes an edit that was meant, on the record."""
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import TempDirTest, main, make_db, run  # noqa: E402


class Tampering(TempDirTest):
    def setUp(self):
        super().setUp()
        src = self.path("src.db")
        make_db(src, """
            CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, price REAL);
            CREATE TABLE note(id INTEGER PRIMARY KEY, body TEXT);
            INSERT INTO item VALUES (1, 'bolt', 0.25), (2, 'nut', 0.1), (3, 'gear', 12.5);
            INSERT INTO note VALUES (1, 'hello');
        """)
        self.stage = self.path("s.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", self.stage), 0)

    def fresh(self):
        """A new scratch directory and stage, for a case within a test."""
        self.tearDown()
        self.setUp()

    def sql(self, statement, *args):
        con = sqlite3.connect(self.stage)
        con.execute(statement, args)
        con.commit()
        con.close()

    def flip(self):
        """One byte of one stored value, as a damaged disk would."""
        con = sqlite3.connect(self.stage)
        tid = con.execute("SELECT tid FROM invs_tables WHERE name = 'item'").fetchone()[0]
        con.execute("UPDATE invs_data_%d SET c1 = 'nvt' WHERE rowid = 2" % tid)
        con.commit()
        con.close()

    def test_a_flipped_byte_is_an_error_and_is_not_signed(self):
        self.flip()
        for _ in range(2):  # and again: the first verify did not re-sign it
            r = run("verify", self.stage)
            self.assertExit(r, 1)
            self.assertRegex(r.out, r"error\s+stage-edited\s+item\s+1\s+.*changed outside invstage")
        target = self.path("t.db")
        r = run("push", self.stage, "sqlite:" + target)
        self.assertExit(r, 1)
        self.assertIn("stage-edited", r.err)
        r = run("push", "--force", self.stage, "sqlite:" + target)
        self.assertExit(r, 1)
        self.assertIn("changed outside invstage", r.err)
        self.assertNotIn("collision", r.err)
        self.assertFalse(os.path.exists(target))

    def test_an_edit_that_was_meant_is_accepted_on_the_record(self):
        self.flip()
        r = run("verify", "--accept-edits", self.stage)
        self.assertExit(r, 0)
        self.assertRegex(r.out, r"warning\s+stage-edited\s+item")
        target = self.path("t.db")
        self.assertExit(run("push", "-q", self.stage, "sqlite:" + target), 0)
        con = sqlite3.connect(target)
        self.assertEqual(con.execute("SELECT name FROM item WHERE id = 2").fetchone()[0], "nvt")
        con.close()
        # and from then on the edit is the stage's baseline
        self.assertExit(run("verify", self.stage), 0)

    def test_deleted_table_rows_are_noticed(self):
        self.sql("DELETE FROM invs_tables WHERE name = 'note'")
        r = run("push", "--force", self.stage, "sqlite:" + self.path("t.db"))
        self.assertExit(r, 3)
        self.assertIn("records 2 table(s) but holds 1", r.err)

    def test_a_verified_stage_whose_findings_were_emptied_is_not_trusted(self):
        self.sql("UPDATE invs_data_1 SET c1 = NULL WHERE rowid = 1")  # noise for a finding
        r = run("verify", "--accept-edits", self.stage)
        self.assertExit(r, 0)
        self.sql("DELETE FROM invs_findings")
        r = run("push", self.stage, "sqlite:" + self.path("t.db"))
        self.assertExit(r, 1)
        self.assertIn("was changed after it was verified", r.err)
        self.assertExit(run("verify", "-q", self.stage), 0)
        self.assertExit(run("push", "-q", self.stage, "sqlite:" + self.path("t.db")), 0)

    def test_a_blanked_digest_is_an_edit_not_a_pass(self):
        for blank in ("''", "NULL"):
            with self.subTest(digest=blank):
                self.fresh()
                self.flip()
                self.sql("UPDATE invs_tables SET digest = %s WHERE name = 'item'" % blank)
                r = run("verify", self.stage)
                self.assertExit(r, 1)
                self.assertRegex(r.out, r"error\s+stage-edited\s+item\s+1\s+.*no digest")
                target = self.path("t.db")
                for args in ([], ["--force"], ["--force", "--no-check"]):
                    r = run("push", *args, self.stage, "sqlite:" + target)
                    self.assertExit(r, 1)
                    self.assertIn("stage-edited" if not args else "changed outside invstage",
                                  r.err)
                    self.assertFalse(os.path.exists(target))

    def test_a_deleted_table_count_is_noticed(self):
        self.sql("DELETE FROM invs_tables WHERE name = 'note'")
        self.sql("DELETE FROM invs_meta WHERE key = 'tables'")
        for cmd in (["verify", self.stage],
                    ["push", "--force", self.stage, "sqlite:" + self.path("t.db")]):
            r = run(*cmd)
            self.assertExit(r, 3)
            self.assertIn("records no table count", r.err)
            self.assertIn("changed outside invstage", r.err)
        self.assertFalse(os.path.exists(self.path("t.db")))

    def test_a_deleted_seal_is_not_trusted(self):
        self.sql("UPDATE invs_data_1 SET c1 = NULL WHERE rowid = 1")
        r = run("verify", "--accept-edits", self.stage)
        self.assertExit(r, 0)
        self.sql("DELETE FROM invs_findings")
        self.sql("DELETE FROM invs_meta WHERE key = 'verify_seal'")
        r = run("push", self.stage, "sqlite:" + self.path("t.db"))
        self.assertExit(r, 1)
        self.assertIn("no seal", r.err)
        self.assertIn("changed outside invstage", r.err)
        self.assertFalse(os.path.exists(self.path("t.db")))
        self.assertExit(run("verify", "-q", self.stage), 0)
        self.assertExit(run("push", "-q", self.stage, "sqlite:" + self.path("t.db")), 0)

    def test_a_row_edited_after_verify_is_refused_even_unchecked(self):
        self.assertExit(run("verify", "-q", self.stage), 0)
        self.flip()
        target = self.path("t.db")
        for args in (["--no-check"], ["--force", "--no-check"], []):
            r = run("push", *args, self.stage, "sqlite:" + target)
            self.assertExit(r, 1)
            self.assertIn("table item", r.err)
            self.assertIn("changed outside invstage", r.err)
            self.assertNotIn("collision", r.err)
            self.assertFalse(os.path.exists(target))
        # an untouched stage still goes out unchecked
        self.fresh()
        self.assertExit(run("verify", "-q", self.stage), 0)
        self.assertExit(run("push", "-q", "--no-check", self.stage,
                            "sqlite:" + self.path("t.db")), 0)


if __name__ == "__main__":
    main()
