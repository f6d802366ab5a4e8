#!/usr/bin/env python3
"""verify trusts what pull recorded of each column (the stage's invs_profile)
only while the file is as invstage last wrote it, and then finds exactly
what a full re-read finds: every stage and option set here is verified both
ways and the reports compared finding by finding; values on both sides of
each limit the shortcut decides by; edits made behind invstage's back."""
import json
import os
import shutil
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(__file__))
import gen_dirty_sqlite  # noqa: E402
import gen_hostile_sqlite  # noqa: E402
from harness import TempDirTest, main, run  # noqa: E402

# Values on both sides of what the shortcut decides by: integer ranges,
# reals with and without a fraction, lengths in characters, decimal digits,
# text encoded twice, dense and sparse parent keys.
EDGE = r"""
CREATE TABLE parent_dense (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE parent_gaps (id INTEGER PRIMARY KEY);
CREATE TABLE child_ok (id INTEGER PRIMARY KEY,
  p INTEGER REFERENCES parent_dense(id), q INTEGER REFERENCES parent_gaps(id));
CREATE TABLE child_bad (id INTEGER PRIMARY KEY,
  p INTEGER REFERENCES parent_dense(id), q INTEGER REFERENCES parent_gaps(id));
CREATE TABLE fits (id INTEGER PRIMARY KEY, small SMALLINT, i INT, n INTEGER NOT NULL,
  v VARCHAR(5), d DECIMAL(5,2), t TEXT, day DATE, at DATETIME, ok BOOLEAN);
CREATE TABLE beyond (id INTEGER PRIMARY KEY, small SMALLINT, i INT, n INTEGER,
  v VARCHAR(5), d DECIMAL(5,2), t TEXT, day DATE, at DATETIME, ok BOOLEAN);
"""


def make_edge(path):
    con = sqlite3.connect(path)
    con.executescript(EDGE)
    con.executemany("INSERT INTO parent_dense VALUES (?, ?)", [(i, "p%d" % i) for i in range(1, 51)])
    con.executemany("INSERT INTO parent_gaps VALUES (?)", [(i,) for i in (1, 2, 4, 8)])
    con.executemany("INSERT INTO child_ok VALUES (?, ?, ?)",
                    [(1, 1, 1), (2, 50, 8), (3, None, None), (4, 25, 4)])
    con.executemany("INSERT INTO child_bad VALUES (?, ?, ?)",
                    [(1, 51, 3), (2, 0, 8), (3, "7", 2)])
    con.executemany("INSERT INTO fits VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        (1, 32767, 2147483647, 3.0, "ééééé", 999.99, "plain", "2024-02-29", "2024-02-29 23:59:59", 1),
        (2, -32768, -2147483648, 4, "abcde", "-123.45", "é", "0001-01-01", "9999-12-31T00:00:00.123456", 0),
        (3, None, None, 5, None, 0.5, None, None, "2026-12-03", None)])
    con.executemany("INSERT INTO beyond VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        (1, 32768, 2147483648, 3.5, "éééééé", 1000.0, "Ã©t\u00e9", "2026-02-29", "2026-12-03T10:00:00+02:00", 2),
        (2, -32769.0, -2147483649, None, "abcdef", "1.005", "caf\u00c3\u00a9", "2026-12-03 10:00:00",
         "0000-00-00 00:00:00", "yes"),
        (3, 1.5, "x", 7, "ok", "12x", "", 20261203, "2026-13-01 00:00:00", 0.5)])
    con.commit()
    con.close()


def findings(path):
    with open(path) as f:
        doc = json.load(f)
    return doc, sorted(json.dumps(x, sort_keys=True) for x in doc["findings"])


class Profile(TempDirTest):
    OPTION_SETS = [[], ["-t", "postgres"], ["-t", "mysql"], ["-t", "sqlite"], ["--nfc"],
                   ["--strip-nul", "-t", "postgres"]]

    def pulled(self, name, make):
        src = self.path(name + ".db")
        make(src)
        stage = self.path(name + ".stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        return stage

    def both_ways(self, stage, opts, tag):
        """verify a copy with the shortcut and a copy with --reread: the same
        report, the same stage rows after; the reports' rows_read."""
        fast, full = self.path(tag + ".fast.stage"), self.path(tag + ".full.stage")
        shutil.copy(stage, fast)
        shutil.copy(stage, full)
        a = run("verify", "--json", self.path(tag + ".a.json"), *opts, fast)
        b = run("verify", "--reread", "--json", self.path(tag + ".b.json"), *opts, full)
        self.assertEqual(a.rc, b.rc, (a, b))
        da, fa = findings(self.path(tag + ".a.json"))
        db, fb = findings(self.path(tag + ".b.json"))
        self.assertEqual(fa, fb, "%s %s: the shortcut's findings differ" % (tag, opts))
        for k in ("errors", "warnings", "changed"):
            self.assertEqual(da[k], db[k], k)
        self.assertEqual(self.rows(fast), self.rows(full))
        return da["rows_read"], db["rows_read"], fa

    def rows(self, stage):
        con = sqlite3.connect(stage)
        con.text_factory = bytes
        out = []
        for (tid,) in con.execute("SELECT tid FROM invs_tables ORDER BY tid"):
            out.append(con.execute("SELECT * FROM invs_data_%d ORDER BY rowid" % tid).fetchall())
        con.close()
        return out

    def test_the_shortcut_finds_what_a_full_read_finds(self):
        stages = {"edge": self.pulled("edge", make_edge),
                  "dirty": self.pulled("dirty", gen_dirty_sqlite.main),
                  "hostile": self.pulled("hostile", gen_hostile_sqlite.main)}
        for name, stage in stages.items():
            for i, opts in enumerate(self.OPTION_SETS):
                fast, full, found = self.both_ways(stage, opts, "%s%d" % (name, i))
                self.assertGreater(full, 0)
                self.assertLessEqual(fast, full)
                if name == "edge":
                    self.assertTrue(found)  # the limits are crossed: findings exist
                    self.assertLess(fast, full, "the clean tables were read again")

    def test_edge_values_are_found_on_their_side_of_each_limit(self):
        stage = self.pulled("edge", make_edge)
        _, _, found = self.both_ways(stage, ["-t", "postgres"], "edge")
        got = {(json.loads(f)["check"], json.loads(f)["table"], json.loads(f).get("column"))
               for f in found}
        for want in [("out-of-range", "beyond", "small"), ("not-an-integer", "beyond", "small"),
                     ("not-an-integer", "beyond", "n"), ("too-long", "beyond", "v"),
                     ("decimal-overflow", "beyond", "d"), ("decimal-rounded", "beyond", "d"),
                     ("not-a-number", "beyond", "i"), ("not-a-number", "beyond", "d"),
                     ("fk-orphan", "child_bad", "p"), ("fk-orphan", "child_bad", "q"),
                     ("double-encoded", "beyond", "t"), ("impossible-date", "beyond", "day"),
                     ("impossible-date", "beyond", "at"), ("timestamp-offset", "beyond", "at"),
                     ("not-a-boolean", "beyond", "ok")]:
            self.assertIn(want, got)
        self.assertFalse([g for g in got if g[1] in ("fits", "child_ok", "parent_dense")], got)

    def test_a_clean_stage_is_not_read_again(self):
        stage = self.pulled("clean", lambda p: make_clean(p))
        r = run("verify", "--json", self.path("c.json"), stage)
        self.assertExit(r, 0)
        doc, _ = findings(self.path("c.json"))
        self.assertEqual(doc["rows_read"], 0)
        # and after verify's own write, still trusted
        self.assertExit(run("verify", "--json", self.path("c2.json"), stage), 0)
        self.assertEqual(findings(self.path("c2.json"))[0]["rows_read"], 0)
        self.assertExit(run("verify", "--reread", "--json", self.path("c3.json"), stage), 0)
        self.assertGreaterEqual(findings(self.path("c3.json"))[0]["rows_read"], 3 * 200)

    def test_a_write_behind_invstage_back_means_a_full_read(self):
        stage = self.pulled("clean", lambda p: make_clean(p))
        con = sqlite3.connect(stage)
        # a lie in the record itself, and a bad value it does not mention
        tid = con.execute("SELECT tid FROM invs_tables WHERE name = 'a'").fetchone()[0]
        con.execute("UPDATE invs_data_%d SET c1 = CAST(x'ff41' AS TEXT) WHERE rowid = 3" % tid)
        con.commit()
        con.close()
        for rnd in (1, 2):  # the second verify must not trust its own seal
            r = run("verify", "--json", self.path("e%d.json" % rnd), stage)
            self.assertExit(r, 1)
            doc, _ = findings(self.path("e%d.json" % rnd))
            checks = {f["check"] for f in doc["findings"]}
            self.assertIn("stage-edited", checks, rnd)
            self.assertGreater(doc["rows_read"], 0)
        r = run("verify", "--accept-edits", "--json", self.path("e3.json"), stage)
        doc, _ = findings(self.path("e3.json"))
        self.assertIn("transcoded", {f["check"] for f in doc["findings"]})
        # accepted: what pull recorded no longer describes table a
        fast, full, _ = self.both_ways(stage, [], "after")
        self.assertGreaterEqual(fast, 200)


def make_clean(path):
    con = sqlite3.connect(path)
    con.executescript("CREATE TABLE a (id INTEGER PRIMARY KEY, t TEXT, r REAL);"
                      "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id));"
                      "CREATE TABLE c (id INTEGER PRIMARY KEY, d DECIMAL(8,2), s VARCHAR(10));")
    con.executemany("INSERT INTO a VALUES (?, ?, ?)", [(i, "t%d é" % i, i / 4) for i in range(1, 201)])
    con.executemany("INSERT INTO b VALUES (?, ?)", [(i, 1 + i % 200) for i in range(1, 201)])
    con.executemany("INSERT INTO c VALUES (?, ?, ?)", [(i, i * 1.25, "s%d" % i) for i in range(1, 201)])
    con.commit()
    con.close()


if __name__ == "__main__":
    main()
