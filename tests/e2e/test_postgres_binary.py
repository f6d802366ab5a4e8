#!/usr/bin/env python3
"""push into PostgreSQL sends a table in COPY's binary format when it can
encode every column's type: the same stage pushed in binary and with
-O copy=text must give byte-identical tables, for values of every shape the
encoders read (numeric scales and exponents, timestamps with fractions,
zones and leap seconds, dates, floats at their limits, booleans, bytes,
text with COPY's special characters); and
what an encoder cannot read is refused by name, where copy=text lets the
server read it.

pull (and push's proof, which reads back through the same cursor) reads a
table in binary format when it reads every column's type: the same hostile
database pulled in binary and with -O copy=text must give identical stages,
value for value and digest for digest."""
import os
import sqlite3
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import Pg, TempDirTest, main, run  # noqa: E402

SCHEMA = """
CREATE TABLE shapes (id INTEGER PRIMARY KEY, n NUMERIC(12,4), u NUMERIC, ts TIMESTAMP,
  tz TIMESTAMPTZ, d DATE, f DOUBLE PRECISION, b BOOLEAN, s SMALLINT, i INT4, g BIGINT,
  bl BLOB, t TEXT, j JSONB);
"""
ROWS = [
    (1, "1.5", "1.50", "2022-04-15 05:20:13", "2022-04-15 05:20:13+02:00", "2024-02-29", 0.1,
     1, 32767, -2147483648, 9223372036854775807, b"\x00\x01\xff", "tab\there, new\nline, \\ back", '{"a": [1, 2.50]}'),
    (2, "-0.0005", "1e10", "2022-04-15T05:20:13.123456", "2022-04-15T05:20:13Z", "0001-01-01",
     1e300, 1, -32768, "42", "-9223372036854775808", b"", "Zoë \"quoted\" ✓", "[]"),
    (3, "123456.789", "0.000", "2022-04-15 5:20", "2022-04-15 05:20:13.5-0330", "9999-12-31",
     -0.0, 0, 0, 0, 0, None, "", "null"),
    (4, 1000, 2.5, "2016-12-31 23:59:60", "1999-12-31 23:59:59.999999", None, 5e-324, 0, None,
     None, None, b"\\x41", "\\N", '"s"'),
    (5, "  7 ", "-12345678901234567890.123456789", "2022-04-15 05:20:13.000001", None, "2000-01-01",
     2.5, 1, 7, 7, 7, b"bytes", "é", "{\"n\": 1.0}"),
    (6, "1E-3", "0.1", "1970-01-01 00:00:00", "2038-01-19 03:14:08+00", "1970-01-01", 1.0 / 3,
     None, 1, 1, 1, b"x" * 3000, "x" * 5000, '{"deep": {"k": "v"}}'),
]


class Binary(TempDirTest):
    def staged(self, name, create, rows):
        """A SQLite database of one table `name` holding rows, pulled."""
        src, stage = self.path(name + ".db"), self.path(name + ".stage")
        con = sqlite3.connect(src)
        con.executescript(create)
        con.executemany("INSERT INTO %s VALUES (%s)" % (name, ", ".join("?" * len(rows[0]))), rows)
        con.commit()
        con.close()
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        return stage

    def pushed_both_ways(self, pg, name, stage, read):
        """The stage pushed (forced, unproven) in binary and in text COPY
        into two new databases: what read(db) gives of each."""
        out = {}
        for mode in ("binary", "text"):
            db = pg.createdb("%s_%s" % (name, mode))
            self.assertExit(run("push", "-q", "--force", "--no-check", "-O", "copy=" + mode, stage,
                                pg.uri(db)), 0)
            out[mode] = read(db)
        return out

    def test_binary_and_text_give_the_same_tables(self):
        pg = Pg()
        src = self.path("shapes.db")
        con = sqlite3.connect(src)
        con.executescript(SCHEMA)
        con.executemany("INSERT INTO shapes VALUES (%s)" % ", ".join("?" * 14), ROWS)
        con.commit()
        con.close()
        stage = self.path("shapes.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        self.assertExit(run("verify", "-q", "--target", "postgres", stage), 0)
        dbs = {}
        for mode in ("binary", "text"):
            db = pg.createdb("shapes_" + mode)
            r = run("push", "-vv", "-O", "copy=" + mode, stage, pg.uri(db))
            self.assertExit(r, 0)
            self.assertIn("table shapes: COPY in %s format" % mode, r.err)
            # the proof reads the table back in the same format
            self.assertIn("table shapes: COPY out in %s format" % mode, r.err)
            dbs[mode] = pg.copy_out(db, "shapes")
        self.assertEqual(dbs["binary"], dbs["text"])
        got = pg.psql("shapes_binary", "SELECT n, u, ts, tz, d, f, b, i FROM shapes WHERE id = 2")
        self.assertEqual(got.strip(), "-0.0005|10000000000|2022-04-15 05:20:13.123456|"
                                      "2022-04-15 05:20:13+00|0001-01-01|1e+300|t|42")

    def test_fractions_beyond_microseconds_round_as_the_server_rounds_text(self):
        """The server keeps microseconds; a seventh digit rounds (the proof
        then refuses: --no-check here, to compare the two formats)."""
        pg = Pg()
        fr = ["1234567", "0000005", "9999995", "1234565", "0000015", "99999999999"]
        stage = self.staged("frac", "CREATE TABLE frac (id INTEGER PRIMARY KEY, ts TIMESTAMP, tz TIMESTAMPTZ);",
                            [(k, "2022-04-15 05:20:13." + f, "1999-12-31 23:59:59.%s+01:00" % f)
                             for k, f in enumerate(fr)])
        out = self.pushed_both_ways(pg, "frac", stage, lambda db: pg.copy_out(db, "frac"))
        self.assertEqual(out["binary"], out["text"])
        self.assertIn(b"0\t2022-04-15 05:20:13.123457\t1999-12-31 22:59:59.123457+00", out["text"])

    def test_text_in_a_blob_column_is_read_as_the_server_reads_bytea_text(self):
        """SQLite keeps text in a BLOB column as text; the server reads such
        text as bytea's hex or escape format, and so does the encoder."""
        pg = Pg()
        stage = self.staged("tb", "CREATE TABLE tb (id INTEGER PRIMARY KEY, b BLOB);",
                            [(1, "abc"), (2, "\\x41 42"), (3, "a\\\\b"), (4, "\\101\\000z"), (5, 12),
                             (6, b"raw\x00")])
        out = self.pushed_both_ways(
            pg, "tb", stage, lambda db: pg.psql(db, "SELECT id, encode(b, 'hex') FROM tb ORDER BY id"))
        self.assertEqual(out["binary"], out["text"])
        self.assertEqual(out["binary"].split(), ["1|616263", "2|4142", "3|615c62", "4|41007a",
                                                 "5|3132", "6|72617700"])

    def test_what_binary_cannot_read_is_named_and_text_reads_it(self):
        pg = Pg()
        src = self.path("odd.db")
        con = sqlite3.connect(src)
        con.executescript("CREATE TABLE odd (id INTEGER PRIMARY KEY, at TIMESTAMP);"
                          "INSERT INTO odd VALUES (1, '2022-04-15 05:20:13'), (2, 'April 15 2022');")
        con.commit()
        con.close()
        stage = self.path("odd.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        db = pg.createdb("odd_binary")
        r = run("push", "--force", stage, pg.uri(db))
        self.assertExit(r, 1)
        self.assertIn("table odd, key (id)=(2), column at: is not a date and time this driver "
                      "sends in binary (copy=text", r.err)
        self.assertEqual(pg.tables(db), [])  # nothing was committed
        # the server reads it; the proof cannot compare such text, hence --no-check
        r = run("push", "--force", "--no-check", "-O", "copy=text", stage, pg.uri(db))
        self.assertExit(r, 0)
        self.assertEqual(pg.psql(db, "SELECT at FROM odd ORDER BY id").split(),
                         ["2022-04-15", "05:20:13", "2022-04-15", "00:00:00"])


# Every type the binary reader decodes, at its limits, with NULLs in every
# column: PostgreSQL's own text output is what the stage must hold.
HOSTILE_SCHEMA = """
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy ☺');
CREATE DOMAIN posint AS int4 CHECK (VALUE > 0);
CREATE TABLE hostile (id int4 PRIMARY KEY, n numeric, n4 numeric(12,4), s2 int2, i8 int8,
  f8 float8, f4 float4, b bool, by bytea, t text, vc varchar(20), bp char(6), nm name, j json,
  jb jsonb, d date, ts timestamp, tz timestamptz, e mood, dom posint, u uuid, tm time,
  ttz timetz);
CREATE TABLE empty (id int8 PRIMARY KEY, n numeric);
CREATE TABLE odd (id int4 PRIMARY KEY, iv interval);
INSERT INTO odd VALUES (1, '1 day 02:00'), (2, NULL);
"""
HOSTILE_COLUMNS = [
    ["0", "-0", "0.000001", "1e-20", "-1e-20", "NaN", "Infinity", "-Infinity", "1.50",
     "123456789012345678901234567890.123456789012345678901234567890", "-99999999.99990000",
     "10000", "1e100", "0.1", "-0.0005", "9999.9999", "100000000", "0.00010000", "1e-1000",
     "12345678901234567890e30", "-1", "5.0000000000000000000001", "1e131071", "0.0"],
    ["0", "-0.0001", "99999999.9999", "1.5", "-12345678.1234", "0.0010"],
    [0, 1, -1, 32767, -32768],
    [0, 9223372036854775807, -9223372036854775808, 1, -1, 4294967296],
    ["0", "-0", "NaN", "Infinity", "-Infinity", "4.9e-324", "2.2250738585072014e-308",
     "2.225073858507201e-308", "1.7976931348623157e308", "0.1", "1e22", "1e21",
     "123456789012345680", "1e-7", "0.30000000000000004", "-1.5", "3.141592653589793"],
    ["0", "-0", "NaN", "Infinity", "-Infinity", "0.1", "1e-45", "1.17549435e-38",
     "3.4028235e38", "16777217", "1e10", "7.038531e-26", "0.3", "1.1754942e-38", "123456.79",
     "8388608.5", "2.5e-5", "1e-5", "33554432", "-3.3333333"],
    ["true", "false"],
    ["\\x", "\\x00", "\\x5c", "\\x005c0a09ff", "\\x5c78", "\\xdeadbeef"],
    ["", "tab\there", "new\nline", "back\\slash", "cr\rlf\r\n", "\\N", "Zoë ✓ 😀",
     " lead", "x" * 3000, "\\x41", "a\bb\fc\vd"],
    ["", "tab\t", "\\", "x" * 20, "éé"],
    ["", "a", "abcdef", "  x", "é"],
    ["", "tab\tname", "x" * 63, "\\"],
    ['{"a": [1, 2.50]}', "[]", "null", '"s\\n"', '{"b":1,   "a":  2}', '{"k": "tab\\t"}',
     "1e400"],
    ['{"a": [1, 2.50]}', "[]", "null", '"s\\n"', '{"b":1,   "a":  2}', '{"k": "tab\\t"}',
     "1e400", '{"n": 1.000}'],
    ["2024-02-29", "0001-01-01", "0001-01-01 BC", "4713-11-24 BC", "5874897-12-31", "infinity",
     "-infinity", "2000-01-01", "1999-12-31", "0100-03-01 BC", "10000-01-01"],
    ["2022-04-15 05:20:13", "2022-04-15 05:20:13.123456", "2022-04-15 05:20:13.1",
     "2022-04-15 05:20:13.000001", "infinity", "-infinity", "0001-01-01 00:00:00",
     "0001-12-31 23:59:59.999999 BC", "4713-11-24 00:00:00 BC", "294276-12-31 23:59:59.999999",
     "1999-12-31 23:59:59.5", "2000-01-01 00:00:00", "1969-12-31 23:59:59.99",
     "0044-03-15 12:00:00 BC", "1600-02-29 01:02:03.04", "1999-12-31 23:59:59.999999"],
    ["2022-04-15 05:20:13+02", "2022-04-15 05:20:13.123456-03:30", "infinity", "-infinity",
     "0001-01-01 00:00:00+00 BC", "1900-01-01 00:00:00+00:19:32", "2038-01-19 03:14:08Z",
     "1901-12-13 20:45:51.5+00", "294276-12-31 23:59:59.999999+00", "4713-11-24 00:00:00+00 BC",
     "2000-01-01 00:00:00.000010+00"],
    ["sad", "ok", "happy ☺"],
    [1, 2147483647],
    ["00000000-0000-0000-0000-000000000000", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
     "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF"],
    ["00:00:00", "23:59:59.999999", "24:00:00", "12:34:56.5", "01:02:03.0001"],
    ["12:00:00+05:30", "00:00:00-14:59", "23:59:59.999999+00", "01:02:03+01:02:03",
     "24:00:00-15:59:59", "10:00:00.1-00:00:01", "10:00:00+01:00:05"],
]


def hostile_rows():
    """INSERTs: every value of every column in the first rows, then the
    values mixed, and a NULL in every column now and then."""
    cols = HOSTILE_COLUMNS
    most = max(len(c) for c in cols)
    for k in range(most * 3):
        vals = []
        for ci, c in enumerate(cols):
            v = c[k % len(c)] if k < most else c[(k * 7 + ci) % len(c)]
            vals.append("NULL" if k >= most and (k + ci) % 5 == 0 else
                        str(v) if isinstance(v, int) else "'%s'" % v.replace("'", "''"))
        yield "INSERT INTO hostile VALUES (%d, %s);" % (k, ", ".join(vals))


def stage_values(path):
    """Every stored value of every data table, the specials and the
    digests: a real by its bits (Python's == has -0.0 == 0.0)."""
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    out = {}
    names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                       "(name LIKE 'invs_data_%' OR name = 'invs_specials')")]
    for name in names:
        rows = con.execute('SELECT * FROM "%s" ORDER BY rowid' % name if name != "invs_specials"
                           else "SELECT * FROM invs_specials ORDER BY tid, rid, col").fetchall()
        out[name] = [tuple((type(v).__name__, struct.pack(">d", v) if isinstance(v, float) else v)
                           for v in row) for row in rows]
    out["invs_tables"] = con.execute("SELECT name, rows, specials, source_digest, digest FROM "
                                     "invs_tables ORDER BY name").fetchall()
    con.close()
    return out


class BinaryOut(TempDirTest):
    def test_pull_binary_and_text_give_the_same_stage(self):
        pg = Pg()
        db = pg.createdb("hostile_out")
        sql = self.path("hostile.sql")
        with open(sql, "w") as f:
            f.write(HOSTILE_SCHEMA + "\n".join(hostile_rows()) + "\n")
        pg.psql(db, file=sql)
        stages = {}
        for mode in ("binary", "text"):
            stages[mode] = self.path(mode + ".stage")
            r = run("pull", "-vv", "-O", "copy=" + mode, pg.uri(db), "-o", stages[mode])
            self.assertExit(r, 0)
            self.assertIn("table hostile: COPY out in %s format" % mode, r.err)
            self.assertIn("table empty: COPY out in %s format" % mode, r.err)
            # no reader for interval: that table stays text
            self.assertIn("table odd: COPY out in text format", r.err)
        got, want = stage_values(stages["binary"]), stage_values(stages["text"])
        self.assertEqual(sorted(got), sorted(want))
        for name in want:
            self.assertEqual(len(got[name]), len(want[name]), name)
            for a, b in zip(got[name], want[name]):
                self.assertEqual(a, b, name)
        nrows = max(len(c) for c in HOSTILE_COLUMNS) * 3
        self.assertEqual([t[:2] for t in got["invs_tables"]],
                         [("empty", 0), ("hostile", nrows), ("odd", 2)])
        self.assertGreater(got["invs_tables"][1][2], 0)  # NaN, infinities, -0: specials
        # and what the text path made of them, spelled out (the stage's view)
        con = sqlite3.connect(stages["binary"])
        col = lambda c: set(r[0] for r in con.execute('SELECT "%s" FROM hostile' % c))
        self.assertEqual({"0", "0.000001", "0.00000000000000000001", "-0.00000000000000000001",
                         "NaN", "Infinity", "-Infinity", "1.50", "-99999999.99990000",
                         "1" + "0" * 100, "0.0", "12345678901234567890" + "0" * 30,
                         "123456789012345678901234567890.123456789012345678901234567890",
                         "0." + "0" * 999 + "1", "1" + "0" * 131071} - col("n"), set())
        self.assertEqual({"-0.0001", "99999999.9999", "0.0010", "0.0000"} - col("n4"), set())
        self.assertEqual({0.1, 0.3, 1e-45, 123456.79, 3.4028235e38, -3.3333333} - col("f4"), set())
        self.assertEqual({"      ", "a     ", "  x   ", "\u00e9     "} - col("bp"), set())
        self.assertEqual({"0001-12-31 23:59:59.999999 BC", "4713-11-24 00:00:00 BC",
                         "2022-04-15 05:20:13.1", "1969-12-31 23:59:59.99", "infinity",
                         "-infinity", "294276-12-31 23:59:59.999999", "0044-03-15 12:00:00 BC",
                         "2022-04-15 05:20:13"} - col("ts"), set())
        self.assertEqual({"0001-01-01 00:00:00+00 BC", "2022-04-15 08:50:13.123456+00",
                         "1899-12-31 23:40:28+00", "2000-01-01 00:00:00.00001+00"} - col("tz"), set())
        self.assertEqual({"0001-01-01 BC", "4713-11-24 BC", "5874897-12-31", "10000-01-01",
                         "-infinity"} - col("d"), set())
        self.assertEqual({b"", b"\x00\x5c\n\t\xff", b"\\x"} - col("by"), set())
        self.assertEqual({'{"a": [1, 2.50]}', '{"b":1,   "a":  2}'} - col("j"), set())
        self.assertEqual({'{"a": [1, 2.50]}', '{"a": 2, "b": 1}', '{"n": 1.000}'} - col("jb"), set())
        self.assertEqual({"tab\there", "back\\slash", "cr\rlf\r\n", "\\N"} - col("t"), set())
        self.assertEqual(col("b"), {0, 1, None})
        self.assertEqual({9223372036854775807, -9223372036854775808} - col("i8"), set())
        self.assertEqual({"happy \u263a", None} - col("e"), set())
        self.assertEqual({"ffffffff-ffff-ffff-ffff-ffffffffffff"} - col("u"), set())
        self.assertEqual({"24:00:00", "23:59:59.999999", "01:02:03.0001"} - col("tm"), set())
        self.assertEqual({"12:00:00+05:30", "00:00:00-14:59", "01:02:03+01:02:03",
                          "10:00:00.1-00:00:01", "10:00:00+01:00:05"} - col("ttz"), set())
        con.close()
        # the proof reads each type back in binary and finds what it wrote
        self.assertExit(run("verify", "-q", "-t", "postgres", stages["binary"]), 0)
        r = run("push", "-vv", stages["binary"], pg.uri(pg.createdb("hostile_back")))
        self.assertExit(r, 0)
        self.assertIn("table hostile: COPY out in binary format", r.err)


if __name__ == "__main__":
    main()
