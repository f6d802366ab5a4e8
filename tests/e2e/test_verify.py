#!/usr/bin/env python3
"""invstage verify on a dirty database: each finding by check, table, key and
column; each normalised value by its exact bytes; --undo back to the bytes
as pulled; exit codes."""
import hashlib
import json
import os
import re
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(__file__))
import gen_dirty_sqlite  # noqa: E402
import gen_hostile_sqlite  # noqa: E402
from harness import TempDirTest, main, make_db, run  # noqa: E402


def data_digest(stage):
    """A digest of every data cell (class and bytes) of a stage."""
    con = sqlite3.connect(stage)
    con.text_factory = bytes
    h = hashlib.sha256()
    for (tid,) in con.execute("SELECT tid FROM invs_tables ORDER BY tid"):
        ncols = con.execute("SELECT count(*) FROM invs_columns WHERE tid = ?", (tid,)).fetchone()[0]
        cols = ", ".join("typeof(c%d), quote(c%d)" % (i, i) for i in range(ncols))
        for row in con.execute("SELECT rowid, %s FROM invs_data_%d ORDER BY rowid" % (cols, tid)):
            h.update(repr(row).encode())
    con.close()
    return h.hexdigest()


def cell(stage, table, column, rowid):
    con = sqlite3.connect(stage)
    con.text_factory = bytes
    tid = con.execute("SELECT tid FROM invs_tables WHERE name = ?", (table,)).fetchone()[0]
    ord_ = con.execute("SELECT ord FROM invs_columns WHERE tid = ? AND name = ?", (tid, column)).fetchone()[0]
    v = con.execute("SELECT c%d, typeof(c%d) FROM invs_data_%d WHERE rowid = ?" % (ord_, ord_, tid),
                    (rowid,)).fetchone()
    con.close()
    return v


class Verify(TempDirTest):
    def setUp(self):
        super().setUp()
        self.src = self.path("dirty.db")
        gen_dirty_sqlite.main(self.src)
        self.stage = self.path("dirty.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + self.src, "-o", self.stage), 0)
        # a duplicate primary key, which SQLite itself would not store
        con = sqlite3.connect(self.stage)
        tid = con.execute("SELECT tid FROM invs_tables WHERE name = 'code'").fetchone()[0]
        con.execute("INSERT INTO invs_data_%d VALUES ('a', 'dup of a')" % tid)
        con.execute("UPDATE invs_tables SET rows = rows + 1, source_rows = source_rows + 1 WHERE tid = ?", (tid,))
        con.commit()
        con.close()
        # a hand edit: verify calls it stage-edited until it is accepted (and
        # then it is what --undo goes back to)
        r = run("verify", self.stage)
        self.assertIn("stage-edited", r.out)
        self.assertExit(run("verify", "-q", "--accept-edits", self.stage), 1)
        self.assertExit(run("verify", "-q", "--undo", self.stage), 0)
        self.pulled = data_digest(self.stage)

    def findings(self, *args):
        report = self.path("report.json")
        r = run("verify", "--json", report, *args, self.stage)
        with open(report) as f:
            doc = json.load(f)
        return r, doc, {(f["check"], f["table"], f["column"]): f for f in doc["findings"]}

    def test_each_finding_by_table_key_and_column(self):
        r, doc, f = self.findings("--target", "postgres")
        self.assertExit(r, 1)
        expect = {
            ("undecodable-text", "customer", "city"): ("error", 1, "(id)=(3)"),
            ("nul-in-text", "customer", "note"): ("error", 1, "(id)=(4)"),
            ("too-long", "customer", "name"): ("error", 1, "(id)=(6)"),
            ("not-a-number", "invoice", "total"): ("error", 1, "(id)=(3)"),
            ("out-of-range", "invoice", "qty"): ("error", 1, "(id)=(3)"),
            ("fk-orphan", "invoice", "customer_id"): ("error", 2, "(id)=(2), (id)=(3)"),
            ("pk-null", "code", "k"): ("error", 2, "row 1, row 2"),  # pulled in key order: NULLs first
            ("pk-duplicate", "code", "k"): ("error", 2, "(k)=('a')"),
            ("transcoded", "customer", "city"): ("warning", 2, "(id)=(1), (id)=(2)"),
            ("impossible-date", "event", "day"): ("error", 3, "(id)=(2), (id)=(3), (id)=(4)"),
            ("impossible-date", "event", "at"): ("error", 2, "(id)=(2), (id)=(3)"),
            ("decimal-overflow", "event", "amount"): ("error", 1, "(id)=(2)"),
            ("decimal-rounded", "event", "amount"): ("error", 1, "(id)=(3)"),
            ("not-a-number", "invoice", "qty"): ("error", 1, "(id)=(5)"),
        }
        got = {k: (v["severity"], v["count"], v["first_keys"]) for k, v in f.items()}
        self.assertEqual(got, expect)
        self.assertEqual((doc["errors"], doc["warnings"], doc["changed"]), (13, 1, 2))
        self.assertIn("13 error(s)", r.out)

    def test_mysql_target_limits(self):
        # a table of another engine's is created utf8mb4_bin: it keeps case
        self.assertNotIn(("case-collision", "tag", "name"), self.findings("--target", "mysql")[2])
        con = sqlite3.connect(self.stage)  # as a MySQL pull records a utf8mb3 column
        con.execute("UPDATE invs_columns SET charset = 'utf8mb3' WHERE name = 'name' AND"
                    " tid = (SELECT tid FROM invs_tables WHERE name = 'tag')")
        con.execute("UPDATE invs_tables SET engine = 'mysql' WHERE name = 'tag'")
        con.commit()
        con.close()
        r, doc, f = self.findings("--target", "mysql")
        self.assertEqual((f[("case-collision", "tag", "name")]["count"],
                          f[("case-collision", "tag", "name")]["first_keys"]), (2, "'t1' = 'T1'"))
        self.assertEqual(f[("utf8mb3-4byte", "tag", "name")]["first_keys"], "(id)=(4)")
        self.assertNotIn(("double-encoded", "tag", "name"), f)  # UTF-8 back to UTF-8 proves nothing
        self.assertNotIn(("case-collision", "tag", "name"), self.findings("--target", "postgres")[2])

    def test_without_a_typed_target_type_problems_are_warnings(self):
        r, doc, f = self.findings()
        self.assertEqual(f[("nul-in-text", "customer", "note")]["severity"], "warning")
        self.assertEqual(f[("too-long", "customer", "name")]["severity"], "warning")
        self.assertEqual(f[("fk-orphan", "invoice", "customer_id")]["severity"], "error")
        self.assertExit(r, 1)

    def test_transcoded_values_are_exact_and_audited(self):
        self.findings()
        self.assertEqual(cell(self.stage, "customer", "city", 1), ("Zürich".encode(), b"text"))
        self.assertEqual(cell(self.stage, "customer", "city", 2),
                         ("Café € “quoted”".encode(), b"text"))
        self.assertEqual(cell(self.stage, "customer", "city", 3), (b"bad \x81 byte", b"text"))
        self.assertEqual(cell(self.stage, "customer", "city", 5), ("Montréal".encode(), b"text"))
        con = sqlite3.connect(self.stage)
        con.text_factory = bytes
        rows = con.execute("SELECT rid, reason, old_value, typeof(old_value) FROM invs_changes ORDER BY rid").fetchall()
        con.close()
        self.assertEqual(rows, [(1, b"not UTF-8: transcoded from CP1252", b"Z\xfcrich", b"text"),
                                (2, b"not UTF-8: transcoded from CP1252",
                                 b"Caf\xe9 \x80 \x93quoted\x94", b"text")])

    def test_charset_option_decides_the_decoding(self):
        r, doc, f = self.findings("--charset", "ISO-8859-15")
        self.assertEqual(cell(self.stage, "customer", "city", 3), ("bad \u0081 byte".encode(), b"text"))
        self.assertNotIn(("undecodable-text", "customer", "city"), f)
        r = run("verify", "--charset", "NO-SUCH-CHARSET", self.stage)
        self.assertExit(r, 2)
        self.assertIn("--charset: unknown charset 'NO-SUCH-CHARSET'", r.err)
        self.assertNotIn("column", r.err)  # the option is wrong, not the first column

    def test_strip_nul_removes_them_and_undo_restores_every_byte(self):
        r, doc, f = self.findings("--strip-nul")
        self.assertNotIn(("nul-in-text", "customer", "note"), f)
        self.assertEqual(cell(self.stage, "customer", "note", 4), (b"nulinside", b"text"))
        self.assertEqual(doc["changed"], 3)
        r, doc, f = self.findings("--strip-nul")  # again: nothing new, old bytes kept
        self.assertEqual(doc["changed"], 3)
        self.assertNotEqual(data_digest(self.stage), self.pulled)
        r = run("verify", "--undo", self.stage)
        self.assertExit(r, 0)
        self.assertIn("3 value(s) restored", r.out)
        self.assertEqual(data_digest(self.stage), self.pulled)
        con = sqlite3.connect(self.stage)
        self.assertEqual(con.execute("SELECT value FROM invs_meta WHERE key = 'state'").fetchone()[0], "pulled")
        self.assertEqual(con.execute("SELECT count(*) FROM invs_changes").fetchone()[0], 0)
        con.close()

    def test_info_lists_the_changes(self):
        self.findings("--target", "postgres")
        r = run("info", self.stage)
        self.assertExit(r, 0)
        self.assertIn("verify: 13 error(s), 1 warning(s), 2 value(s) changed (-v lists them)", r.out)
        r = run("info", "-v", self.stage)
        self.assertIn('customer.city row 1: "Z\\xfcrich" -> "Zürich"  (not UTF-8: transcoded from CP1252)',
                      r.out)

    def test_state_is_verified_afterwards(self):
        self.findings()
        con = sqlite3.connect(self.stage)
        self.assertEqual(con.execute("SELECT value FROM invs_meta WHERE key = 'state'").fetchone()[0], "verified")
        con.close()
        self.assertExit(run("info", self.stage), 0)


class Unicode(TempDirTest):
    def test_nfc_composes_and_double_encoding_is_reported(self):
        src, stage = self.path("u.db"), self.path("u.stage")
        con = sqlite3.connect(src)
        con.executescript("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);")
        con.executemany("INSERT INTO t VALUES (?, ?)", [
            (1, "Cafe\u0301"), (2, "Ã©tÃ©"), (3, "â€™quoted"), (4, "plain"), (5, "Ã©"), (6, "Ã alone")])
        con.commit()
        con.close()
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        report = self.path("r.json")
        self.assertExit(run("verify", "-q", "--nfc", "--json", report, stage), 0)
        import json
        with open(report) as f:
            doc = json.load(f)
        self.assertEqual([(x["check"], x["count"], x["first_keys"]) for x in doc["findings"]],
                         [("double-encoded", 3, "(id)=(2), (id)=(3), (id)=(5)")])
        self.assertEqual(doc["changed"], 1)
        self.assertEqual(cell(stage, "t", "v", 1), ("Café".encode(), b"text"))  # composed
        self.assertEqual(cell(stage, "t", "v", 2), ("Ã©tÃ©".encode(), b"text"))  # reported, kept


class PushGate(TempDirTest):
    def test_push_refuses_an_unverified_or_failing_stage_unless_forced(self):
        src, stage, dst = self.path("d.db"), self.path("d.stage"), self.path("t.db")
        gen_dirty_sqlite.main(src)
        # orphans (and the bad row 3 with them) no target that checks keys
        # would take, --force or not
        con = sqlite3.connect(src)
        con.execute("DELETE FROM invoice WHERE customer_id > 90")
        con.commit()
        con.close()
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        r = run("push", stage, "sqlite:" + dst)
        self.assertExit(r, 1)
        self.assertIn("has not been verified (state 'pulled')", r.err)
        self.assertFalse(os.path.exists(dst))
        self.assertExit(run("verify", "-q", "--target", "postgres", stage), 1)
        r = run("push", stage, "sqlite:" + dst)
        self.assertExit(r, 1)
        self.assertIn("has 9 verify error(s), the first undecodable-text in customer.city at (id)=(3)", r.err)
        self.assertFalse(os.path.exists(dst))
        r = run("push", "-q", "--force", stage, "sqlite:" + dst)
        self.assertExit(r, 0)
        con = sqlite3.connect(dst)
        self.assertEqual(con.execute("SELECT city FROM customer WHERE id = 1").fetchone()[0], "Zürich")
        con.close()

    def test_a_clean_verified_stage_pushes(self):
        src, stage, dst = self.path("h.db"), self.path("h.stage"), self.path("t.db")
        con = sqlite3.connect(src)
        con.executescript("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'é');")
        con.close()
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        self.assertExit(run("verify", "-q", "--target", "sqlite", stage), 0)
        r = run("push", stage, "sqlite:" + dst)
        self.assertExit(r, 0)
        self.assertEqual(r.err, "")


class VerifyClean(TempDirTest):
    def test_a_clean_stage_exits_0(self):
        src, stage = self.path("h.db"), self.path("h.stage")
        gen_hostile_sqlite.main(src)
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        r = run("verify", "--target", "sqlite", stage)
        self.assertExit(r, 0)
        self.assertIn("0 error(s)", r.out)
        # a verified stage still pushes to SQLite value for value
        import dbcompare
        self.assertExit(run("push", "-q", stage, "sqlite:" + self.path("c.db")), 0)
        diffs = dbcompare.differences(src, self.path("c.db"))
        # the one change verify made: invalid UTF-8 transcoded (audited)
        self.assertEqual(len(diffs), 1, diffs)
        self.assertIn("table select", diffs[0])

    def test_a_decimal_the_target_cannot_declare(self):
        src, stage = self.path("d.db"), self.path("d.stage")
        make_db(src, "CREATE TABLE d (id INTEGER PRIMARY KEY, big DECIMAL(2000,2),"
                     " ok DECIMAL(12,2)); INSERT INTO d VALUES (1, 1.5, 2.5);")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        r = run("verify", "--target", "postgres", stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"error\s+decimal-precision\s+d\.big\s+1\s+DECIMAL\(2000,2\) "
                                r"\(decimal\(2000,2\)\) is beyond PostgreSQL's decimals "
                                r"\(precision at most 1000, scale at most 1000\)")
        self.assertNotIn("d.ok", r.out)
        r = run("verify", "--target", "sqlite", stage)  # SQLite declares anything
        self.assertExit(r, 0)

    def test_unique_keys_by_the_name_of_a_mysql_collation(self):
        """A MySQL table's unique key compares as its collation is named:
        _bin keeps case but pads, nopad_bin is exact, MySQL 8's _0900_ci
        ignores case but not trailing spaces."""
        src, stage = self.path("c.db"), self.path("c.stage")
        make_db(src, "CREATE TABLE c (id INTEGER PRIMARY KEY, v TEXT UNIQUE);"
                     "INSERT INTO c VALUES (1, 'a'), (2, 'A'), (3, 'a ');")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        expect = {"utf8mb4_bin": r"space-collision\s+c\.v\s+2\s+'a' = 'a '\s",
                  "utf8mb4_nopad_bin": None,
                  "utf8mb4_0900_ai_ci": r"case-collision\s+c\.v\s+2\s+'a' = 'A'\s",
                  "latin1_general_cs": r"space-collision\s+c\.v\s+2\s+'a' = 'a '\s",
                  # the charset's default: a _ci one that pads
                  None: r"case-collision\s+c\.v\s+3\s+'a' = 'A' = 'a '\s"}
        for coll, finding in expect.items():
            with self.subTest(collation=coll):
                con = sqlite3.connect(stage)  # as a MySQL pull records it
                con.execute("UPDATE invs_tables SET engine = 'mysql'")
                con.execute("UPDATE invs_columns SET collation = ? WHERE name = 'v'", (coll,))
                con.commit()
                con.close()
                r = run("verify", "--target", "mysql", stage)
                self.assertEqual(len(re.findall("collision", r.out)), 1 if finding else 0, r.out)
                if finding:
                    self.assertRegex(r.out, finding)

    def test_refusals(self):
        r = run("verify", self.path("missing.stage"))
        self.assertExit(r, 3)
        junk = self.path("junk.stage")
        with open(junk, "wb") as f:
            f.write(os.urandom(4096))
        self.assertExit(run("verify", junk), 3)
        r = run("verify", "--target", "oracle", junk)
        self.assertExit(r, 2)
        self.assertIn("unknown target 'oracle'", r.err)


if __name__ == "__main__":
    main()
