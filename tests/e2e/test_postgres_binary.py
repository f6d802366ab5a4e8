#!/usr/bin/env python3
"""push into PostgreSQL sends a table in COPY's binary format when it can
encode every column's type: the same stage pushed in binary and with
-O copy=text must give byte-identical tables, for values of every shape the
encoders read (numeric scales and exponents, timestamps with fractions,
zones and leap seconds, dates, floats at their limits, booleans, bytes,
text with COPY's special characters); and
what an encoder cannot read is refused by name, where copy=text lets the
server read it."""
import os
import sqlite3
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
            dbs[mode] = pg.copy_out(db, "shapes")
        self.assertEqual(dbs["binary"], dbs["text"])
        got = pg.psql("shapes_binary", "SELECT n, u, ts, tz, d, f, b, i FROM shapes WHERE id = 2")
        self.assertEqual(got.strip(), "-0.0005|10000000000|2022-04-15 05:20:13.123456|"
                                      "2022-04-15 05:20:13+00|0001-01-01|1e+300|t|42")

    def test_fractions_beyond_microseconds_round_as_the_server_rounds_text(self):
        """The server keeps microseconds; a seventh digit rounds (the proof
        then refuses: --no-check here, to compare the two formats)."""
        pg = Pg()
        src = self.path("frac.db")
        con = sqlite3.connect(src)
        con.executescript("CREATE TABLE frac (id INTEGER PRIMARY KEY, ts TIMESTAMP, tz TIMESTAMPTZ);")
        fr = ["1234567", "0000005", "9999995", "1234565", "0000015", "99999999999"]
        con.executemany("INSERT INTO frac VALUES (?, ?, ?)",
                        [(k, "2022-04-15 05:20:13." + f, "1999-12-31 23:59:59.%s+01:00" % f)
                         for k, f in enumerate(fr)])
        con.commit()
        con.close()
        stage = self.path("frac.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        out = {}
        for mode in ("binary", "text"):
            db = pg.createdb("frac_" + mode)
            self.assertExit(run("push", "-q", "--force", "--no-check", "-O", "copy=" + mode, stage,
                                pg.uri(db)), 0)
            out[mode] = pg.copy_out(db, "frac")
        self.assertEqual(out["binary"], out["text"])
        self.assertIn(b"0\t2022-04-15 05:20:13.123457\t1999-12-31 22:59:59.123457+00", out["text"])

    def test_text_in_a_blob_column_is_read_as_the_server_reads_bytea_text(self):
        """SQLite keeps text in a BLOB column as text; the server reads such
        text as bytea's hex or escape format, and so does the encoder."""
        pg = Pg()
        src = self.path("tb.db")
        con = sqlite3.connect(src)
        con.executescript("CREATE TABLE tb (id INTEGER PRIMARY KEY, b BLOB);")
        con.executemany("INSERT INTO tb VALUES (?, ?)",
                        [(1, "abc"), (2, "\\x41 42"), (3, "a\\\\b"), (4, "\\101\\000z"), (5, 12),
                         (6, b"raw\x00")])
        con.commit()
        con.close()
        stage = self.path("tb.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        out = {}
        for mode in ("binary", "text"):
            db = pg.createdb("tb_" + mode)
            self.assertExit(run("push", "-q", "--force", "--no-check", "-O", "copy=" + mode, stage,
                                pg.uri(db)), 0)
            out[mode] = pg.psql(db, "SELECT id, encode(b, 'hex') FROM tb ORDER BY id")
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


if __name__ == "__main__":
    main()
