#!/usr/bin/env python3
"""The MySQL/MariaDB driver against a real MariaDB (tools/my-start): a
MySQL-native hostile database MariaDB -> stage -> MariaDB identical (every
row's bytes as the server holds them, keys, AUTO_INCREMENT), into
PostgreSQL and SQLite with what they cannot hold refused by name, the
hostile SQLite database through MariaDB and back, push semantics, and the
connection's refusals."""
import json
import os
import shutil
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import dbcompare  # noqa: E402
import gen_hostile_sqlite  # noqa: E402
from harness import My, Pg, TempDirTest, main, make_db, my_env, run  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
HOSTILE = os.path.join(HERE, "my_hostile.sql")


class MyTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.my = My()

    def hostile(self, name):
        self.my.createdb(name)
        self.my.client(name, file=HOSTILE)
        return name

    def sqlite_stage(self, script):
        """A stage of an SQLite database built by a script."""
        src = self.path("n%d.db" % len(os.listdir(self.dir)))
        make_db(src, script)
        return self.pull("sqlite:" + src)

    def pull(self, uri, *args):
        stage = self.path("s%d.stage" % len(os.listdir(self.dir)))
        r = run("pull", "-q", uri, "-o", stage, *args)
        self.assertExit(r, 0)
        return stage

    def create_tables(self, db):
        return {t: self.my.client(db, "SHOW CREATE TABLE `%s`" % t.replace("`", "``"))
                for t in self.my.tables(db)}


class MyBooleanWords(MyTest):
    def test_sqlite_boolean_words_become_0_and_1(self):
        """'t', 'yes', 'FALSE' in a SQLite BOOLEAN column: verify takes them
        as booleans, and MariaDB, which refused the words, gets 1 and 0;
        into SQLite the words stay as they are."""
        src = self.path("b.db")
        make_db(src, "CREATE TABLE flags (id INTEGER PRIMARY KEY, b BOOLEAN);"
                     "INSERT INTO flags VALUES (1, 't'), (2, 'f'), (3, 'yes'), (4, 'FALSE'), (5, 1),"
                     " (6, NULL);")
        stage = self.path("b.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        self.assertExit(run("verify", "-q", "--target", "mysql", stage), 0)
        db = self.my.createdb("boolean_words")
        self.assertExit(run("push", "-q", stage, self.my.uri(db)), 0)
        self.assertEqual(self.my.client(db, "SELECT b FROM flags ORDER BY id").split("\n")[:6],
                         ["1", "0", "1", "0", "1", "NULL"])
        out = self.path("same.db")
        self.assertExit(run("push", "-q", stage, "sqlite:" + out), 0)
        con = sqlite3.connect(out)
        self.assertEqual([r[0] for r in con.execute("SELECT b FROM flags ORDER BY id")],
                         ["t", "f", "yes", "FALSE", 1, None])
        con.close()


class MyRoundTrip(MyTest):
    def test_mariadb_to_mariadb_is_identical(self):
        src = self.hostile("hostile_src")
        dst = self.my.createdb("hostile_dst")
        stage = self.pull(self.my.uri(src), "-x", "bad_enum")
        r = run("verify", "--target", "mysql", stage)
        self.assertExit(r, 0)
        # latin1 text was staged as the server's bytes and transcoded once
        self.assertRegex(r.out, r"transcoded\s+legacy\.note\s+2\s")
        r = run("push", stage, self.my.uri(dst))
        self.assertExit(r, 0)
        self.my.client(src, "DROP TABLE bad_enum")
        self.assertEqual(self.my.differences(src, dst), [])
        self.assertEqual(self.my.auto_increments(src), self.my.auto_increments(dst))
        self.assertIn("ahead\t6\n", self.my.auto_increments(dst))  # not max(id)+1
        # every table as MariaDB itself describes it: columns, charsets,
        # defaults, keys, foreign keys with their actions, AUTO_INCREMENT
        self.assertEqual(self.create_tables(src), self.create_tables(dst))
        # the next id is the source's, and the keys hold
        self.my.sql(dst, "INSERT INTO ahead (code) VALUES ('new')")
        self.assertEqual(self.my.sql(dst, "SELECT id FROM ahead WHERE code = 'new'"), "6\n")
        with self.assertRaises(AssertionError):
            self.my.sql(dst, "INSERT INTO tree VALUES (9, 1234, 'orphan')")

    def test_values_in_the_stage(self):
        src = self.hostile("hostile_vals")
        stage = self.pull(self.my.uri(src))
        con = sqlite3.connect(stage)
        tid = con.execute("SELECT tid FROM invs_tables WHERE name = 'types'").fetchone()[0]
        cols = [r[0] for r in con.execute("SELECT name FROM invs_columns WHERE tid = ? ORDER BY ord",
                                          (tid,))]
        canon = dict(con.execute("SELECT name, canon FROM invs_columns WHERE tid = ?", (tid,)))
        self.assertEqual((canon["bu"], canon["flag"], canon["b64"], canon["ts"], canon["j"]),
                         ("uint64", "int16", "bit", "timestamptz", "json"))

        def cell(rid, col):
            return con.execute("SELECT c%d FROM invs_data_%d WHERE rowid = ?" % (cols.index(col), tid),
                               (rid,)).fetchone()[0]

        def special(rid, col):
            return con.execute("SELECT type, flags, bits FROM invs_specials WHERE tid = ? AND rid = ?"
                               " AND col = ?", (tid, rid, cols.index(col))).fetchone()
        # unsigned bigint max is a UINT beside the data, 8 bytes big-endian
        self.assertEqual(special(1, "bu"), (5, 0, b"\xff" * 8))
        self.assertEqual(cell(1, "d65"), "99999999999999999999999999999999999.999999999999999999999999999999")
        self.assertEqual(cell(1, "b64"), "1" * 64)
        self.assertEqual(cell(3, "b64"), "0" * 60 + "1010")
        self.assertEqual(cell(1, "dbl"), 1.7976931348623157e308)
        self.assertEqual(cell(2, "dbl"), 5e-324)
        self.assertEqual(cell(4, "f"), 16777216.0)  # what a float holds of 16777217
        self.assertEqual(cell(1, "f"), 3.4028235e38)  # as PostgreSQL's float4 text reads
        self.assertEqual(cell(1, "vc"), "trailing spaces   ")
        self.assertEqual(cell(1, "tx"), "text \\N with \\\\ and 'quote'")
        self.assertEqual(cell(3, "vc"), "\\N")
        self.assertEqual(cell(3, "c"), "NULL")
        self.assertEqual(cell(3, "tx"), "tab\tnl\ncr\rnul\x00end")
        self.assertEqual(cell(1, "mt"), "😀🔩 four-byte")
        self.assertEqual(cell(1, "bn"), b"\x00\xff\x00\x09")
        self.assertEqual(cell(1, "bl"), b"")
        self.assertIsNone(cell(3, "bl"))
        self.assertEqual(cell(2, "tm"), "-838:59:59.999999")
        self.assertEqual(cell(1, "ts"), "2038-01-19 03:14:07.999999")  # UTC
        self.assertEqual(cell(3, "yr"), 0)
        self.assertEqual(cell(3, "flag"), 2)  # tinyint(1) is an integer
        # zero and partial dates: as they are, flagged, never NULL
        self.assertEqual(special(3, "dt"), (3, 1, "0000-00-00"))
        self.assertEqual(special(3, "dtm"), (3, 1, "0000-00-00 00:00:00.000000"))
        self.assertEqual(special(4, "dt"), (3, 1, "2026-00-10"))
        self.assertEqual(special(4, "dtm"), (3, 1, "2026-03-00 12:00:00.500000"))
        # latin1: the bytes the server holds, with the charset
        tid2 = con.execute("SELECT tid FROM invs_tables WHERE name = 'legacy'").fetchone()[0]
        self.assertEqual(con.execute("SELECT CAST(c2 AS BLOB) FROM invs_data_%d WHERE rowid = 1" % tid2)
                         .fetchone()[0], "“smart quotes” – dash … €".encode("cp1252"))
        self.assertEqual(con.execute("SELECT charset FROM invs_columns WHERE tid = ? AND name = 'note'",
                                     (tid2,)).fetchone()[0], "latin1")
        self.assertEqual(con.execute("SELECT value, is_called FROM invs_sequences s JOIN invs_tables t"
                                     " USING (tid) WHERE t.name = 'ahead'").fetchone(), (5, 1))
        con.close()

    def test_hostile_sqlite_through_mariadb_and_back(self):
        """The hostile SQLite database through MariaDB and back: what MySQL
        cannot hold is refused by name first, and what comes back differs
        from the source only as README's "SQLite through MariaDB" lists."""
        src = self.path("hostile.db")
        gen_hostile_sqlite.main(src)
        s0 = self.pull("sqlite:" + src)
        r = run("verify", "--target", "mysql", s0)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"error\s+not-a-number\s+select\.int col\s+2\s+\(id\)=\(6\), \(id\)=\(9\)")
        self.assertRegex(r.out, r"error\s+not-a-number\s+select\.real col\s+2\s+\(id\)=\(6\), "
                                r"\(id\)=\(9\)")
        self.assertRegex(r.out, r"error\s+not-an-integer\s+select\.int col\s+1\s+\(id\)=\(7\)")
        # columns without a type become longtext: their numbers and blobs would come back as text
        self.assertRegex(r.out, r"error\s+untyped-value\s+select\.any thing\s+7\s")
        self.assertRegex(r.out, r"error\s+untyped-value\s+strict\.x\s+2\s")
        self.assertRegex(r.out, r"\b6 error\(s\)")
        db = self.my.createdb("hostile_sqlite")
        r = run("push", "--force", s0, self.my.uri(db))
        self.assertExit(r, 1)
        self.assertIn("table select, key (id)=(4), column any thing: the value inf is not finite, "
                      "and MySQL has no NaN or infinity", r.err)
        self.assertEqual(self.my.tables(db), [])
        # the rows MySQL cannot hold at all go: infinities, text in INTEGER
        # and REAL columns, a real with a fraction in an INTEGER column
        con = sqlite3.connect(src)
        con.execute('DELETE FROM "select" WHERE id IN (4, 6, 7, 9)')
        con.commit()
        con.close()
        s1 = self.pull("sqlite:" + src)
        r = run("verify", "--target", "mysql", s1)  # invalid UTF-8 transcoded, audited
        self.assertExit(r, 1)  # the untyped columns' numbers, as verify said
        self.assertRegex(r.out, r"warning\s+transcoded\s+select\.any thing\s+1\s+\(id\)=\(8\)")
        self.assertRegex(r.out, r"\b3 error\(s\)")
        # a column without a type is longtext in MySQL: its numbers become
        # text, and the proof says so, by table: verify's errors were real
        r = run("push", "--force", s1, self.my.uri(db))
        self.assertExit(r, 1)
        self.assertIn("table select: the target does not hold what the stage does", r.err)
        self.assertEqual(self.my.tables(db), [])
        self.assertExit(run("push", "-q", "--force", "--no-check", s1, self.my.uri(db)), 0)
        s2 = self.pull(self.my.uri(db))
        back = self.path("back.db")
        self.assertExit(run("push", "--force", "-q", s2, "sqlite:" + back), 0)
        # the source with README's changes: untyped columns' values as text
        # (reals as their shortest text), invalid UTF-8 as CP1252 made it
        expected = self.path("expected.db")
        shutil.copy(src, expected)
        con = sqlite3.connect(expected)
        # "значение" ANY has numeric affinity, which would take '1' back as
        # 1: it is text now, as longtext made it
        con.executescript('''
            CREATE TABLE t ("ключ" TEXT PRIMARY KEY, "значение" TEXT) WITHOUT ROWID;
            INSERT INTO t SELECT * FROM "таблица";
            DROP TABLE "таблица";
            ALTER TABLE t RENAME TO "таблица";''')
        as_text = {
            ("select", "any thing", "id"): {1: "-9223372036854775808", 2: "9223372036854775807",
                                            3: "-0", 5: "2.2250738585072014e-308",
                                            8: "\u00ff\u00feA\u00c3(", 10: "1e-300"},
            ("таблица", "значение", "ключ"): {"б": "1", "в": "3", "г": "\0"},
            ("strict", "x", "id"): {1: "1", 3: "2.5"},
        }
        for (table, col, key), values in as_text.items():
            for k, v in values.items():
                con.execute('UPDATE "%s" SET "%s" = ? WHERE "%s" = ?' % (table, col, key), (v, k))
        con.commit()
        con.close()
        self.assertEqual(dbcompare.differences(expected, back, check_schema=False), [])

class MyOtherEngines(MyTest):
    def test_mariadb_to_postgres_keeps_what_it_can_and_names_what_it_cannot(self):
        pg = Pg()
        src = self.hostile("to_pg")
        stage = self.pull(self.my.uri(src), "-x", "bad_enum")
        r = run("verify", "--target", "postgres", stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"error\s+zero-date\s+types\.dt\s+2\s+\(id\)=\(3\), \(id\)=\(4\)")
        self.assertRegex(r.out, r"error\s+zero-date\s+types\.dtm\s+2\s+\(id\)=\(3\), \(id\)=\(4\)")
        self.assertRegex(r.out, r"error\s+nul-in-text\s+types\.tx\s+1\s+\(id\)=\(3\)")
        self.assertRegex(r.out, r"error\s+time-range\s+types\.tm\s+3\s+\(id\)=\(1\), \(id\)=\(2\), "
                                r"\(id\)=\(3\)")
        self.assertRegex(r.out, r"\b4 error\(s\)")
        db = pg.createdb("from_mariadb")
        r = run("push", stage, pg.uri(db))
        self.assertExit(r, 1)
        self.assertIn("verify error", r.err)
        self.assertEqual(pg.tables(db), [])
        # what a user does about each: the durations that are no time of
        # day changed in the source; zero dates made NULL and NUL bytes
        # stripped by verify, recorded
        self.my.sql(src, "UPDATE types SET tm = NULL WHERE id IN (1, 2, 3)")
        stage = self.pull(self.my.uri(src), "-x", "bad_enum")
        r = run("verify", "--target", "postgres", "--zero-dates", "null", "--strip-nul", stage)
        self.assertExit(r, 0)
        self.assertExit(run("push", "-q", stage, pg.uri(db)), 0)
        self.assertEqual(self.pg_types(pg, db), self.TYPES_IN_PG)
        self.assertEqual(pg.psql(db, "SELECT note FROM legacy ORDER BY id"),
                         "“smart quotes” – dash … €\n\nÆgir Ørsted\n")
        self.assertEqual(pg.psql(db, 'SELECT "col`umn \'x""", v FROM "we`ird \'name""" ORDER BY 1'),
                         "1|one\n2|two\n")
        self.assertEqual(pg.psql(db, "INSERT INTO ahead (code, qty) VALUES ('new', 0) RETURNING id"),
                         "6\n")
        self.assertEqual(pg.psql(db, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                                     "WHERE attrelid = 'ahead'::regclass AND attnum > 0 ORDER BY attnum"),
                         "integer\ncharacter varying(20)\ninteger\ntimestamp without time zone\n")

    # my_hostile.sql's types table in PostgreSQL, every column as its text
    # (timestamptz in UTC), after the changes above
    TYPES_IN_PG = [
        ["1", "127", "255", "32767", "65535", "8388607", "16777215", "2147483647", "4294967295",
         "9223372036854775807", "18446744073709551615", "1",
         "99999999999999999999999999999999999.999999999999999999999999999999", "999.99",
         "3.4028235e+38", "1.7976931348623157e+308", "1", "1" * 64, "abc", "trailing spaces   ",
         "text \\N with \\\\ and 'quote'", "😀🔩 four-byte", "\\x00ff0009", "\\x0a0d5c4e0009", "\\x",
         "9999-12-31", None, "9999-12-31 23:59:59.999999", "2038-01-19 03:14:07.999999", "2155",
         "large", "a,c", '{"k": [1, "ü", null], "a": 2.50}'],
        ["2", "-128", "0", "-32768", "0", "-8388608", "0", "-2147483648", "0",
         "-9223372036854775808", "0", "0",
         "-99999999999999999999999999999999999.999999999999999999999999999999", "-999.99",
         "-1.1754944e-38", "5e-324", "0", "0" * 64, "", "", "", "", "\\x00000000", "\\x", "\\x00",
         "1000-01-01", None, "1000-01-01 00:00:00", "1970-01-01 00:00:01", "1901", "small", "",
         "[]"],
        ["3", None, None, None, None, None, None, None, None, None, None, "2",
         "0.000000000000000000000000000001", "0.01", "0.1", "0.30000000000000004", None,
         "0" * 60 + "1010", "NULL", "\\N", "tab\tnl\ncr\rnulend", None, None, None, None, None,
         None, None, None, "0", None, None, None],
        ["4", "0", "0", "0", "0", "0", "0", "0", "0", "0", "9223372036854775808", None, None, None,
         "1.6777216e+07", "-0.5", None, None, None, None, None, None, None, None, None, None,
         "00:00:00", None, "2026-03-29 01:30:00", "2026", "medium", "b", '"a string"'],
    ]

    @staticmethod
    def pg_types(pg, db):
        cols = pg.psql(db, "SELECT attname FROM pg_attribute WHERE attrelid = 'types'::regclass"
                           " AND attnum > 0 ORDER BY attnum").split()
        exprs = ", ".join("(%s AT TIME ZONE 'UTC')::text" % c if c == "ts" else "%s::text" % c
                          for c in cols)
        return json.loads(pg.psql(db, "SELECT json_agg(json_build_array(%s) ORDER BY id) "
                                      "FROM types" % exprs))

    def test_times_beyond_a_day_into_postgres(self):
        """MySQL's time is a duration (-838:59:59 to 838:59:59), PostgreSQL's
        a time of day: verify --target postgres names what it refuses."""
        src = self.my.createdb("times")
        self.my.sql(src, "CREATE TABLE tm (id int PRIMARY KEY, t time(6));"
                         "INSERT INTO tm VALUES (1, '-01:00:00'), (2, '25:00:00'), (3, '24:00:00'),"
                         " (4, '12:00:00.5'), (5, '838:59:59'), (6, NULL), (7, '-00:00:00.000001')")
        stage = self.pull(self.my.uri(src))
        r = run("verify", "--target", "postgres", stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"error\s+time-range\s+tm\.t\s+4\s+\(id\)=\(1\), \(id\)=\(2\), "
                                r"\(id\)=\(5\), \(id\)=\(7\)\s+not a time of day \(time\(6\)\): "
                                r"PostgreSQL's time holds 00:00:00 to 24:00:00")
        self.assertNotIn("time-range", run("verify", "--target", "mysql", stage).out)
        pg = Pg()
        db = pg.createdb("times")
        r = run("push", "--force", stage, pg.uri(db))  # real: PostgreSQL refuses them
        self.assertExit(r, 1)
        self.assertIn('table tm: ', r.err)
        self.assertIn('for type time: "-01:00:00.000000"', r.err)
        self.assertEqual(pg.tables(db), [])
        self.my.sql(src, "DELETE FROM tm WHERE id IN (1, 2, 5, 7)")
        stage = self.pull(self.my.uri(src))
        self.assertExit(run("verify", "-q", "--target", "postgres", stage), 0)
        self.assertExit(run("push", "-q", stage, pg.uri(db)), 0)
        self.assertEqual(pg.psql(db, "SELECT id, t FROM tm ORDER BY id"),
                         "3|24:00:00\n4|12:00:00.5\n6|\n")

    def test_mariadb_to_sqlite(self):
        src = self.hostile("to_sqlite")
        stage = self.pull(self.my.uri(src), "-x", "bad_enum")
        self.assertExit(run("verify", "--target", "sqlite", stage), 0)
        dst = self.path("out.db")
        r = run("push", stage, "sqlite:" + dst)
        self.assertExit(r, 1)  # SQLite's integers end at 2^63-1
        self.assertIn("table types, row 1, column bu", r.err)
        self.assertFalse(os.path.exists(dst))
        self.my.sql(src, "UPDATE types SET bu = 9223372036854775807 WHERE bu > 9223372036854775807")
        stage = self.pull(self.my.uri(src), "-x", "bad_enum")
        self.assertExit(run("verify", "-q", "--target", "sqlite", stage), 0)
        r = run("push", stage, "sqlite:" + dst)
        # a DECIMAL column has numeric affinity in SQLite: 65 digits become
        # a double, and the proof says so
        self.assertExit(r, 1)
        self.assertIn("table types: the target does not hold what the stage does", r.err)
        self.assertIn("(id)=(1)", r.err)
        self.my.sql(src, "UPDATE types SET d65 = 12.5 WHERE id IN (1, 2)")
        stage = self.pull(self.my.uri(src), "-x", "bad_enum")
        self.assertExit(run("verify", "-q", "--target", "sqlite", stage), 0)
        r = run("push", stage, "sqlite:" + dst)
        self.assertExit(r, 0)
        con = sqlite3.connect(dst)
        row = con.execute("SELECT bi, d65, b64, dt, dtm, tm, yr, mt, hex(bn), flag, f FROM types "
                          "WHERE id = 1").fetchone()
        self.assertEqual(row, (9223372036854775807, 12.5,
                               "1" * 64, "9999-12-31", "9999-12-31 23:59:59.999999",
                               "838:59:59.999999", 2155, "😀🔩 four-byte", "00FF0009", 1,
                               3.4028235e38))
        self.assertEqual(con.execute("SELECT dt, dtm, flag FROM types WHERE id = 3").fetchone(),
                         ("0000-00-00", "0000-00-00 00:00:00.000000", 2))
        self.assertEqual(con.execute("SELECT note FROM legacy WHERE id = 1").fetchone()[0],
                         "“smart quotes” – dash … €")
        self.assertEqual(con.execute("SELECT seq FROM sqlite_sequence WHERE name = 'ahead'").fetchone(),
                         (5,))
        con.close()


class MyIntoApplications(MyTest):
    def test_tinyint1_into_a_boolean_column(self):
        """tinyint(1) is an integer: 0, 1 and NULL become false, true and
        NULL in an application's boolean column, 2 is refused by name."""
        src = self.my.createdb("flags")
        self.my.sql(src, "CREATE TABLE f (id int PRIMARY KEY, ok tinyint(1));"
                         "INSERT INTO f VALUES (1, 1), (2, 0), (3, NULL)")
        pg = Pg()
        db = pg.createdb("flags")
        pg.psql(db, "CREATE TABLE f (id int PRIMARY KEY, ok boolean)")
        stage = self.pull(self.my.uri(src))
        self.assertExit(run("push", "--force", stage, pg.uri(db)), 0)
        self.assertEqual(pg.psql(db, "SELECT id, ok IS NULL, ok FROM f ORDER BY id"),
                         "1|f|t\n2|f|f\n3|t|\n")
        self.my.sql(src, "INSERT INTO f VALUES (4, 2)")
        stage = self.pull(self.my.uri(src))
        # verify against the application's schema finds it first
        r = run("verify", "--target", pg.uri(db), stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"not-convertible\s+f\.ok\s+1\s+\(id\)=\(4\)")
        r = run("push", "--force", "-c", stage, pg.uri(db))
        self.assertExit(r, 1)
        self.assertIn("(id)=(4), column ok: the value 2 is not a boolean", r.err)
        self.assertEqual(pg.psql(db, "SELECT count(*) FROM f"), "3\n")  # as it was

class MySemantics(MyTest):
    def stage_of(self, script):
        src = self.path("s.db")
        make_db(src, script)
        return self.pull("sqlite:" + src, "--force")

    def test_non_empty_target_refused_then_cleared(self):
        stage = self.stage_of("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                              "INSERT INTO t VALUES (1, 'a'), (2, 'b');")
        db = self.my.createdb("nonempty")
        self.my.sql(db, "CREATE TABLE t (id bigint PRIMARY KEY, v text); INSERT INTO t VALUES (9, 'old')")
        r = run("push", "--force", stage, self.my.uri(db))
        self.assertExit(r, 1)
        self.assertIn("not empty", r.err)
        self.assertEqual(self.my.sql(db, "SELECT * FROM t"), "9\told\n")
        self.assertExit(run("push", "--force", "-q", "-c", stage, self.my.uri(db)), 0)
        self.assertEqual(self.my.sql(db, "SELECT * FROM t ORDER BY id"), "1\ta\n2\tb\n")

    def test_clear_refuses_a_table_referenced_from_outside_the_stage(self):
        stage = self.stage_of("CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1);")
        db = self.my.createdb("outside")
        self.my.sql(db, "CREATE TABLE t (id bigint PRIMARY KEY); INSERT INTO t VALUES (1);"
                        "CREATE TABLE mine (t_id bigint, FOREIGN KEY (t_id) REFERENCES t (id) "
                        "ON DELETE CASCADE); INSERT INTO mine VALUES (1)")
        r = run("push", "--force", "-c", stage, self.my.uri(db))
        self.assertExit(r, 1)
        self.assertIn("table mine, which is not in the stage, references it", r.err)
        self.assertEqual(self.my.sql(db, "SELECT count(*) FROM mine"), "1\n")
        self.assertEqual(self.my.sql(db, "SELECT id FROM t"), "1\n")

    def test_what_mysql_would_mangle_is_refused_by_name(self):
        stage = self.stage_of("""
            CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR(3), r REAL);
            INSERT INTO t VALUES (1, 'abc', 1.5), (2, 'abcd', 2.5);
            CREATE TABLE u (id INTEGER PRIMARY KEY, code TEXT UNIQUE);
            INSERT INTO u VALUES (1, 'Abc'), (2, 'abc');""")
        db = self.my.createdb("mangle")
        self.my.sql(db, "CREATE TABLE keep (x int); INSERT INTO keep VALUES (42)")
        r = run("push", "--force", stage, self.my.uri(db))
        self.assertExit(r, 1)
        self.assertIn("table t, key (id)=(2), column v", r.err)
        self.assertIn("more than the column's 3", r.err)
        self.assertEqual(self.my.tables(db), ["keep"])  # the tables it made are gone
        # a table push creates is utf8mb4_bin: Abc and abc stay two keys
        r = run("verify", "--target", "mysql", stage)
        self.assertNotIn("case-collision", r.out)
        # an application's table with a case-insensitive collation would
        # merge them: verify against it says so first, push refuses it
        self.my.sql(db, "CREATE TABLE u (id bigint PRIMARY KEY, code varchar(10) UNIQUE)")
        r = run("verify", "--target", self.my.uri(db), stage)
        self.assertRegex(r.out, r"error\s+case-collision\s+u\.code\s+2\s+'Abc' = 'abc'")
        con = sqlite3.connect(self.path("s.db"))
        con.execute("DROP TABLE t")
        con.commit()
        con.close()
        stage = self.pull("sqlite:" + self.path("s.db"), "--force")
        r = run("push", "--force", stage, self.my.uri(db))
        self.assertExit(r, 1)
        self.assertIn("Duplicate entry", r.err)
        self.assertIn("table u", r.err)
        self.assertEqual(self.my.sql(db, "SELECT count(*) FROM u"), "0\n")

    def test_a_foreign_key_only_the_target_has_is_checked(self):
        stage = self.stage_of("CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                              "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER);"
                              "INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1), (2, 7);")
        db = self.my.createdb("target_fk")
        self.my.sql(db, "CREATE TABLE parent (id bigint PRIMARY KEY);"
                        "CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint,"
                        " CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id))")
        r = run("push", "--force", stage, self.my.uri(db))
        self.assertExit(r, 1)
        self.assertIn("table child: foreign key child_parent: (7) has no row in parent", r.err)
        self.assertEqual(self.my.sql(db, "SELECT count(*) FROM child"), "0\n")

    def test_four_byte_text_for_a_utf8mb3_column(self):
        stage = self.stage_of("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                              "INSERT INTO t VALUES (1, 'fine'), (2, 'emoji 😀');")
        db = self.my.createdb("mb3")
        self.my.sql(db, "CREATE TABLE t (id bigint PRIMARY KEY, v text CHARACTER SET utf8mb3)")
        r = run("push", "--force", stage, self.my.uri(db))
        self.assertExit(r, 1)
        self.assertIn("table t, key (id)=(2), column v", r.err)
        self.assertIn("utf8mb3", r.err)
        self.assertEqual(self.my.sql(db, "SELECT count(*) FROM t"), "0\n")

    def test_enum_holding_the_empty_error_value(self):
        src = self.hostile("enums")
        stage = self.pull(self.my.uri(src), "--table", "bad_enum")
        r = run("verify", "--target", "mysql", stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"error\s+enum-empty\s+bad_enum\.size\s+1\s+\(id\)=\(2\)")
        dst = self.my.createdb("enums_dst")
        r = run("push", "--force", stage, self.my.uri(dst))
        self.assertExit(r, 1)
        self.assertIn("bad_enum", r.err)
        self.assertIn("size", r.err)
        self.assertEqual(self.my.tables(dst), [])


class MyUniqueKeys(MyTest):
    """Unique keys as MySQL compares them: a case-insensitive collation
    (the default ones) folds case and accents, and every collation but the
    nopad ones ignores trailing spaces; a _bin or _cs column, and a table
    push creates (utf8mb4_bin), keeps case. verify names each collision;
    each is real: the push it warns of fails."""

    def test_a_binary_collation_keeps_case(self):
        src = self.my.createdb("uniq_bin")
        self.my.sql(src, "CREATE TABLE b (id int PRIMARY KEY, code varchar(10) COLLATE utf8mb4_bin"
                         " UNIQUE, cs varchar(10) COLLATE latin1_general_cs UNIQUE);"
                         "INSERT INTO b VALUES (1, 'Abc', 'Xy'), (2, 'abc', 'xy')")
        stage = self.pull(self.my.uri(src))
        r = run("verify", "--target", "mysql", stage)
        self.assertExit(r, 0)
        self.assertNotIn("collision", r.out)
        dst = self.my.createdb("uniq_bin_dst")
        self.assertExit(run("push", "-q", stage, self.my.uri(dst)), 0)
        self.assertEqual(self.my.differences(src, dst), [])

    def test_trailing_spaces_are_padding(self):
        stage = self.sqlite_stage("CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE);"
                                  "INSERT INTO p VALUES (1, 'a'), (2, 'a  '), (3, 'A');")
        r = run("verify", "--target", "mysql", stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"error\s+space-collision\s+p\.code\s+2\s+'a' = 'a  '\s+values "
                                r"that differ only in trailing spaces")
        self.assertNotIn("case-collision", r.out)  # utf8mb4_bin keeps case
        db = self.my.createdb("uniq_pad")
        r = run("push", "--force", stage, self.my.uri(db))
        self.assertExit(r, 1)
        self.assertIn("Duplicate entry", r.err)
        self.assertEqual(self.my.tables(db), [])

    def test_case_and_accents_beyond_ascii_in_keys_of_several_columns(self):
        stage = self.sqlite_stage("""
            CREATE TABLE m (id INTEGER PRIMARY KEY, a TEXT, b INTEGER, UNIQUE (a, b));
            INSERT INTO m VALUES (1, 'x', 1), (2, 'X', 1), (3, 'X', 2), (4, 'é', 3), (5, 'É', 3),
                                 (6, 'e', 4), (7, 'ß', 5), (8, NULL, 1), (9, NULL, 1);
            CREATE TABLE one (id INTEGER PRIMARY KEY, name TEXT UNIQUE);
            INSERT INTO one VALUES (1, 'Ærø'), (2, 'ærø'), (3, 'æro'), (4, 'crème'), (5, 'CREME'),
                                   (6, 'Straße');""")
        db = self.my.createdb("uniq_ci")
        # an application's tables, in the default (case-insensitive) collation
        self.my.sql(db, "CREATE TABLE m (id bigint PRIMARY KEY, a varchar(10), b bigint,"
                        " UNIQUE KEY (a, b)); CREATE TABLE one (id bigint PRIMARY KEY,"
                        " name varchar(20) UNIQUE)")
        r = run("verify", "--target", self.my.uri(db), stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"error\s+case-collision\s+m\.a, b\s+4\s+\('é', 3\) = \('É', 3\), "
                                r"\('x', 1\) = \('X', 1\)\s+values that differ only in case, "
                                r"accents or trailing spaces")
        # ø is a letter of its own, not an o with an accent
        self.assertRegex(r.out, r"error\s+case-collision\s+one\.name\s+4\s+'crème' = 'CREME', "
                                r"'Ærø' = 'ærø'\s")
        self.assertRegex(r.out, r"\b2 error\(s\)")
        for table in ("m", "one"):  # each is real
            r = run("push", "--force", self.pull("sqlite:" + self.path("n0.db"), "-t", table),
                    self.my.uri(db))
            self.assertExit(r, 1)
            self.assertIn("Duplicate entry", r.err)
            self.assertEqual(self.my.sql(db, "SELECT count(*) FROM " + table), "0\n")


class MyLimits(MyTest):
    """What MySQL cannot name is a verify error with --target mysql, and
    each is real: the push it warns of fails."""

    def pg_stage_of(self, script):
        pg = Pg()
        db = pg.createdb("my_limits")
        pg.psql(db, script)
        return self.pull(pg.uri(db))

    def test_column_names_one_after_case_folding(self):
        stage = self.pg_stage_of('CREATE TABLE t (id int PRIMARY KEY, "Ab" int, ab int, "É" int,'
                                 ' "é" int, e int); INSERT INTO t VALUES (1, 2, 3, 4, 5, 6)')
        r = run("verify", "--target", "mysql", stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"error\s+name-collision\s+t\.Ab\s+1\s+columns Ab and ab are one "
                                r"name in MySQL")
        self.assertRegex(r.out, r"error\s+name-collision\s+t\.É\s+1\s+columns É and é")
        self.assertNotIn("columns é and e", r.out)  # accents are kept apart
        self.assertRegex(r.out, r"\b2 error\(s\)")
        db = self.my.createdb("ci_columns")
        r = run("push", "--force", stage, self.my.uri(db))
        self.assertNotEqual(r.rc, 0)
        self.assertIn("Duplicate column name", r.err)
        self.assertEqual(self.my.tables(db), [])

    def test_table_names_keep_their_case(self):
        # lower_case_table_names = 0, as on Linux: Foo and foo are two tables
        self.assertEqual(self.my.sql(None, "SELECT @@lower_case_table_names"), "0\n")
        stage = self.pg_stage_of('CREATE TABLE "Foo" (id int PRIMARY KEY);'
                                 'CREATE TABLE foo (id int PRIMARY KEY);'
                                 'INSERT INTO "Foo" VALUES (1); INSERT INTO foo VALUES (2)')
        r = run("verify", "--target", "mysql", stage)
        self.assertExit(r, 0)
        self.assertNotIn("name-collision", r.out)
        db = self.my.createdb("cs_tables")
        self.assertExit(run("push", "-q", stage, self.my.uri(db)), 0)
        self.assertEqual(self.my.tables(db), ["Foo", "foo"])

    def test_decimals_beyond_mysqls(self):
        """MySQL's decimals end at (65,30), and it has none without a
        precision: numeric(70,2) cannot be created, and an unconstrained
        numeric becomes decimal(65,30), which its values must fit."""
        pg = Pg()
        db = pg.createdb("my_decimals")
        pg.psql(db, "CREATE TABLE d (id int PRIMARY KEY, wide numeric(70,2), fine numeric(10,2),"
                    " n numeric); INSERT INTO d VALUES (1, 1.5, 1.5, 1e40),"
                    " (2, NULL, NULL, 0.1234567890123456789012345678901), (3, 2.5, 2.5, 12.5)")
        stage = self.pull(pg.uri(db))
        r = run("verify", "--target", "mysql", stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"error\s+decimal-precision\s+d\.wide\s+1\s+numeric\(70,2\) "
                                r"\(decimal\(70,2\)\) is beyond MySQL's decimals \(precision at "
                                r"most 65, scale at most 30\)")
        self.assertRegex(r.out, r"error\s+decimal-overflow\s+d\.n\s+1\s+\(id\)=\(1\)\s+more than "
                                r"35 digits before the point \(numeric\): MySQL has no decimal "
                                r"without a precision, and stores this column as decimal\(65,30\)")
        self.assertRegex(r.out, r"error\s+decimal-rounded\s+d\.n\s+1\s+\(id\)=\(2\)\s+more than "
                                r"30 decimals")
        self.assertNotIn("d.fine", r.out)
        self.assertRegex(r.out, r"\b3 error\(s\)")
        self.assertExit(run("verify", "--target", "postgres", stage), 0)  # it holds them all
        # each is real: the push fails, and names the column
        dst = self.my.createdb("decimals_dst")
        r = run("push", "--force", stage, self.my.uri(dst))
        self.assertExit(r, 1)
        self.assertIn("table d, column wide", r.err)
        pg.psql(db, "ALTER TABLE d DROP COLUMN wide")
        stage = self.pull(pg.uri(db))
        r = run("push", "--force", stage, self.my.uri(dst))
        self.assertExit(r, 1)
        self.assertIn("table d", r.err)
        self.assertEqual(self.my.tables(dst), [])
        pg.psql(db, "DELETE FROM d WHERE id = 1")
        stage = self.pull(pg.uri(db))
        r = run("push", "--force", stage, self.my.uri(dst))
        self.assertExit(r, 1)
        self.assertIn("table d", r.err)
        self.assertEqual(self.my.tables(dst), [])
        pg.psql(db, "DELETE FROM d WHERE id = 2")
        stage = self.pull(pg.uri(db))
        self.assertExit(run("verify", "-q", "--target", "mysql", stage), 0)
        self.assertExit(run("push", "-q", stage, self.my.uri(dst)), 0)
        self.assertEqual(self.my.sql(dst, "SELECT id, fine, n FROM d"),
                         "3\t2.50\t12.500000000000000000000000000000\n")

    def test_an_empty_name(self):
        stage = self.sqlite_stage('CREATE TABLE t (id INTEGER PRIMARY KEY, "" TEXT);'
                              'INSERT INTO t VALUES (1, 2);')
        r = run("verify", "--target", "mysql", stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"error\s+empty-name\s+t\.\s+1\s+MySQL takes no empty name")
        db = self.my.createdb("empty_name")
        r = run("push", "--force", stage, self.my.uri(db))
        self.assertNotEqual(r.rc, 0)
        self.assertIn("Incorrect column name ''", r.err)
        self.assertEqual(self.my.tables(db), [])


class MyZeroDates(MyTest):
    def test_zero_dates_are_findings_until_the_user_says_what_they_become(self):
        src = self.my.createdb("zero_dates")
        self.my.sql(src, "SET SESSION sql_mode = ''; CREATE TABLE zd (id int PRIMARY KEY, d date, "
                         "t datetime); INSERT INTO zd VALUES (1, '2026-01-02', '2026-01-02 03:04:05'),"
                         " (2, '0000-00-00', '0000-00-00 00:00:00'), (3, '2026-00-10', NULL)")
        stage = self.pull(self.my.uri(src))
        r = run("verify", "--target", "postgres", stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"error\s+zero-date\s+zd\.d\s+2\s+\(id\)=\(2\), \(id\)=\(3\)")
        self.assertRegex(r.out, r"error\s+zero-date\s+zd\.t\s+1\s+\(id\)=\(2\)")
        pg = Pg()
        db = pg.createdb("zero_dates")
        self.assertExit(run("push", stage, pg.uri(db)), 1)  # refused: verify errors
        self.assertEqual(pg.tables(db), [])
        # the user's choice: NULL, recorded
        r = run("verify", "--target", "postgres", "--zero-dates", "null", stage)
        self.assertExit(r, 0)
        self.assertRegex(r.out, r"3 value\(s\) changed")
        self.assertRegex(r.out, r"zero-date-nulled\s+zd\.d\s+2\s")
        self.assertExit(run("push", "-q", stage, pg.uri(db)), 0)
        self.assertEqual(pg.psql(db, "SELECT id, d, t FROM zd ORDER BY id"),
                         "1|2026-01-02|2026-01-02 03:04:05\n2||\n3||\n")
        # undone, the dates are MySQL's again, and MySQL takes them back
        self.assertExit(run("verify", "-q", "--undo", stage), 0)
        r = run("verify", "--target", "mysql", stage)
        self.assertExit(r, 0)
        self.assertNotIn("zero-date-nulled", r.out)
        dst = self.my.createdb("zero_dates_back")
        self.assertExit(run("push", "-q", stage, self.my.uri(dst)), 0)
        self.assertEqual(self.my.differences(src, dst), [])
        r = run("verify", "--zero-dates", "maybe", stage)
        self.assertExit(r, 2)


class MySnapshot(MyTest):
    def test_a_pull_reads_one_moment_while_the_database_is_written(self):
        db = self.my.createdb("busy")
        self.my.sql(db, "CREATE TABLE parent (id int PRIMARY KEY, v varchar(20));"
                        "CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL, "
                        "FOREIGN KEY (parent_id) REFERENCES parent (id));"
                        "INSERT INTO parent SELECT seq, 'p' FROM seq_1_to_20000;"
                        "INSERT INTO child SELECT seq, seq FROM seq_1_to_20000;"
                        "INSERT INTO child SELECT 100000 + seq, seq FROM seq_1_to_20000")
        # another session: new parents with their children, old ones deleted
        # children first, each pair one transaction
        script = []
        for k in range(1, 20001):
            script.append("START TRANSACTION; INSERT INTO parent VALUES (%d, 'new');"
                          " INSERT INTO child VALUES (%d, %d), (%d, %d);"
                          " DELETE FROM child WHERE parent_id = %d; DELETE FROM parent WHERE id = %d;"
                          " COMMIT;" % (50000 + k, 200000 + k, 50000 + k, 300000 + k, 50000 + k, k, k))
        with open(self.path("writes.sql"), "w") as f:
            f.write("\n".join(script))
        with open(self.path("writes.sql"), "rb") as f:
            writer = subprocess.Popen(["mariadb", "--defaults-file=" + self.my.env["INVS_MY_CNF"], db],
                                      stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        pulls = 0
        while writer.poll() is None and pulls < 6:
            stage = self.pull(self.my.uri(db))
            pulls += 1
            r = run("verify", "--target", "mysql", stage)
            self.assertExit(r, 0)  # no orphan, no row count that differs from the stage
            self.assertNotIn("fk-orphan", r.out)
            self.assertNotIn("row-count", r.out)
            con = sqlite3.connect(stage)
            n = dict(con.execute("SELECT name, rows FROM invs_tables"))
            con.close()
            self.assertEqual(n["child"], 2 * n["parent"], n)
        _, err = writer.communicate(timeout=120)
        self.assertEqual(writer.returncode, 0, err.decode())
        self.assertGreater(pulls, 1, "the writer ended before a second pull")

class MySchemaBeyondColumns(MyTest):
    """Defaults, CHECKs and enum labels: kept MariaDB -> MariaDB exactly,
    carried into SQLite where SQLite can say them, and SQLite's defaults
    written as MariaDB literals."""
    DDL = ("CREATE TABLE dflt (id int PRIMARY KEY AUTO_INCREMENT, n int DEFAULT 7,"
           " s varchar(20) DEFAULT 'it''s', d datetime DEFAULT current_timestamp(),"
           " dd date DEFAULT curdate(), b tinyint(1) DEFAULT 1,"
           " e enum('small','it''s big') NOT NULL DEFAULT 'small', price decimal(8,2) DEFAULT 1.50,"
           " CONSTRAINT price_positive CHECK (price >= 0), CHECK (n < 1000)) ENGINE=InnoDB;"
           "INSERT INTO dflt (id) VALUES (1)")

    def test_mariadb_to_mariadb_keeps_checks_and_defaults(self):
        src = self.my.createdb("ext_src")
        self.my.client(src, self.DDL)
        stage = self.pull(self.my.uri(src))
        self.assertExit(run("verify", "-q", stage), 0)
        dst = self.my.createdb("ext_dst")
        self.assertExit(run("push", "-q", stage, self.my.uri(dst)), 0)
        self.assertEqual(self.create_tables(src), self.create_tables(dst))
        self.assertIn("CONSTRAINT `price_positive` CHECK", self.create_tables(dst)["dflt"])
        with self.assertRaises(AssertionError):
            self.my.sql(dst, "INSERT INTO dflt (id, price) VALUES (2, -1)")

    def test_into_sqlite_and_from_sqlite(self):
        src = self.my.createdb("ext_src2")
        self.my.client(src, self.DDL)
        stage = self.pull(self.my.uri(src))
        self.assertExit(run("verify", "-q", stage), 0)
        out = self.path("ext.db")
        self.assertExit(run("push", "-q", stage, "sqlite:" + out), 0)
        con = sqlite3.connect(out)
        dflt = {r[1]: r[4] for r in con.execute("PRAGMA table_info(dflt)")}
        sql = con.execute("SELECT sql FROM sqlite_schema WHERE name = 'dflt'").fetchone()[0]
        self.assertEqual(dflt, {"id": None, "n": "7", "s": "'it''s'", "d": "CURRENT_TIMESTAMP",
                                "dd": "CURRENT_DATE", "b": "1", "e": "'small'", "price": "1.50"})
        self.assertIn("CHECK (\"e\" IN ('small', 'it''s big'))", sql)  # the enum's labels
        self.assertIn('CONSTRAINT "price_positive" CHECK', sql)  # MariaDB's CHECK, which SQLite reads
        with self.assertRaises(sqlite3.IntegrityError):
            con.execute("INSERT INTO dflt (id, e) VALUES (5, 'huge')")
        con.close()
        # and SQLite's defaults into MariaDB, as MariaDB literals
        stage2 = self.sqlite_stage("CREATE TABLE t (id INTEGER PRIMARY KEY, a INT DEFAULT 1,"
                                   " b TEXT DEFAULT 'x''y', c DATETIME DEFAULT CURRENT_TIMESTAMP,"
                                   " d REAL DEFAULT -2.5, e INT CHECK (e > 0));"
                                   "INSERT INTO t (id, e) VALUES (1, 3);")
        self.assertExit(run("verify", "-q", stage2), 0)
        dst = self.my.createdb("ext_from_sqlite")
        r = run("push", stage2, self.my.uri(dst))
        self.assertExit(r, 0)
        self.assertIn("CHECK", r.err)  # SQLite's CHECK is named as not carried
        self.my.sql(dst, "INSERT INTO t (id) VALUES (9)")
        got = self.my.sql(dst, "SELECT a, b, c > now() - INTERVAL 1 MINUTE, d, e FROM t WHERE id = 9")
        self.assertEqual(got, "1\tx'y\t1\t-2.5\tNULL\n")


class MyConnection(MyTest):
    def test_wrong_password_exits_3_without_the_password(self):
        env = my_env()
        bad = "mysql://root:Wr0ngSecret@127.0.0.1:%s/mysql" % env["INVS_MY_PORT"]
        r = run("pull", bad, "-o", self.path("x.stage"), env={"MYSQL_PWD": ""})
        self.assertExit(r, 3)
        self.assertIn("Access denied for user 'root'", r.err)
        self.assertNotIn("Wr0ngSecret", r.out + r.err)
        self.assertIn("root:***@", r.err)
        self.assertEqual(os.listdir(self.dir), [])

    def test_unknown_host_and_missing_database_exit_3(self):
        r = run("pull", self.my.uri("no_such_db"), "-o", self.path("x.stage"))
        self.assertExit(r, 3)
        self.assertIn("Unknown database 'no_such_db'", r.err)
        self.assertNotIn(my_env()["INVS_MY_PASSWORD"], r.err)
        r = run("pull", "mysql://u:secret@nosuchhost.invalid/db", "-o", self.path("x.stage"))
        self.assertExit(r, 3)
        self.assertIn("nosuchhost.invalid", r.err)
        self.assertNotIn("secret", r.err)

    def test_socket_and_password_from_the_environment(self):
        env = my_env()
        db = self.my.createdb("by_socket")
        self.my.sql(db, "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (7)")
        uri = "mariadb://root@localhost/%s?socket=%s" % (db, env["INVS_MY_SOCKET"])
        stage = self.path("sock.stage")
        r = run("pull", "-q", uri, "-o", stage, env={"MYSQL_PWD": env["INVS_MY_PASSWORD"]})
        self.assertExit(r, 0)
        self.assertEqual(sqlite3.connect(stage).execute("SELECT c0 FROM invs_data_1").fetchall(), [(7,)])
        # what the URI leaves out, ~/.my.cnf's [client] group gives
        home = self.path("home")
        os.mkdir(home)
        with open(os.path.join(home, ".my.cnf"), "w") as f:
            f.write("[client]\npassword=%s\n" % env["INVS_MY_PASSWORD"])
        r = run("pull", "-q", "mysql://root@127.0.0.1:%s/%s" % (env["INVS_MY_PORT"], db), "-o",
                self.path("cnf.stage"), env={"HOME": home, "MYSQL_PWD": ""})
        self.assertExit(r, 0)
        r = run("pull", "-q", "mysql://root@127.0.0.1:%s/%s" % (env["INVS_MY_PORT"], db), "-o",
                self.path("nocnf.stage"), env={"HOME": self.dir, "MYSQL_PWD": ""})
        self.assertExit(r, 3)
        r = run("pull", uri + "&sslmode=sometimes", "-o", self.path("y.stage"))
        self.assertExit(r, 2)
        self.assertIn("ssl-mode", r.err)

    def test_ssl_modes_mean_what_the_mysql_client_means(self):
        """The test server offers no TLS: DISABLED and PREFERRED connect
        without it; REQUIRED and the VERIFY modes refuse, naming the mode,
        and nothing is pulled; VERIFY_CA needs a CA to verify against."""
        self.assertEqual(self.my.sql(None, "SELECT @@have_ssl"), "DISABLED\n")
        db = self.my.createdb("tls")
        self.my.sql(db, "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (7)")
        base = self.my.uri(db) + "?ssl-mode="
        for mode in ("DISABLED", "PREFERRED", "preferred"):
            self.assertExit(run("pull", "-q", base + mode, "-o", self.path(mode + ".stage")), 0)
        for mode in ("REQUIRED", "VERIFY_IDENTITY", "VERIFY_CA&ssl-ca=/nonexistent/ca.pem"):
            stage = self.path("refused.stage")
            r = run("pull", "-q", base + mode, "-o", stage)
            self.assertExit(r, 3)
            self.assertIn("ssl-mode=" + mode.split("&")[0], r.err)
            self.assertRegex(r.err, r"(offers no TLS|SSL is required, but the server does not "
                                    r"support it)")
            self.assertFalse(os.path.exists(stage))
        r = run("pull", "-q", base + "VERIFY_CA", "-o", self.path("ca.stage"))
        self.assertExit(r, 2)
        self.assertIn("ssl-mode=VERIFY_CA needs the CA to verify the server against", r.err)


if __name__ == "__main__":
    main()
