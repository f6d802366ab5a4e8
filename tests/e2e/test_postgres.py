#!/usr/bin/env python3
"""The PostgreSQL driver against a real server (tools/pg-start): exact round
trips PG -> stage -> PG and SQLite -> PG -> SQLite, push semantics, and the
refusals that belong to PostgreSQL."""
import os
import re
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(__file__))
import dbcompare  # noqa: E402
import gen_hostile_sqlite  # noqa: E402
from harness import SHARED, make_db, Pg, TempDirTest, main, pg_env, run  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def affinity(decl):
    """SQLite's column affinity for a declared type (datatype3.html, 3.1)."""
    d = (decl or "").upper()
    if "INT" in d:
        return "INTEGER"
    if "CHAR" in d or "CLOB" in d or "TEXT" in d:
        return "TEXT"
    if d == "" or "BLOB" in d:
        return "BLOB"
    if "REAL" in d or "FLOA" in d or "DOUB" in d:
        return "REAL"
    return "NUMERIC"


def unquote(name):
    """An SQLite identifier as it is named: "a""b", [a b], `a` -> a"b, a b, a."""
    if name[:1] in '"`' and name[-1:] == name[:1]:
        return name[1:-1].replace(name[0] * 2, name[0])
    if name[:1] == "[" and name[-1:] == "]":
        return name[1:-1]
    return name


class PgTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.pg = Pg()

    def hostile_pg(self, name):
        self.pg.createdb(name)
        cwd = os.getcwd()
        os.chdir(HERE)  # \i pg_hostile_types.sql is relative
        try:
            self.pg.psql(name, file=os.path.join(HERE, "pg_hostile.sql"))
        finally:
            os.chdir(cwd)
        return name


class PgRoundTrip(PgTest):
    def test_pg_to_pg_is_identical_rows_and_sequences(self):
        src = self.hostile_pg("hostile_src")
        dst = self.pg.createdb("hostile_dst")
        self.pg.psql(dst, file=os.path.join(HERE, "pg_hostile_types.sql"))
        stage = self.path("pg.stage")
        self.assertExit(run("pull", "-q", self.pg.uri(src), "-o", stage), 0)
        r = run("push", "--force", stage, self.pg.uri(dst))
        self.assertExit(r, 0)
        self.assertEqual(self.pg.differences(src, dst), [])
        self.assertEqual(self.pg.sequences(src), self.pg.sequences(dst))
        # the next ids are the ones the source would have handed out
        self.assertEqual(self.pg.psql(dst, "INSERT INTO ahead (v) VALUES ('c') RETURNING id"), "101\n")
        self.assertEqual(self.pg.psql(dst, "INSERT INTO child2 (px) VALUES (NULL) RETURNING id"), "4\n")
        # "Foo" and foo stay two tables
        self.assertEqual(self.pg.psql(dst, 'SELECT v FROM "Foo"'), "upper\n")
        self.assertEqual(self.pg.psql(dst, "SELECT count(*) FROM foo"), "2\n")
        # keys are back and enforced, deferrability kept
        fks = self.pg.psql(dst, "SELECT conname, condeferrable, condeferred FROM pg_constraint "
                                "WHERE contype = 'f' ORDER BY 1")
        self.assertEqual(fks, "child2_px_py_fkey|t|t\ncyc_a_b|f|f\ncyc_b_a_id_fkey|f|f\n"
                              "tree_parent_fkey|f|f\n")
        with self.assertRaises(AssertionError):
            self.pg.psql(dst, "INSERT INTO tree VALUES (99, 1234, 'orphan')")

    def test_values_survive_exactly_a_stage_in_between(self):
        src = self.hostile_pg("exact_src")
        stage = self.path("x.stage")
        self.assertExit(run("pull", "-q", self.pg.uri(src), "-o", stage), 0)
        # PostgreSQL's own extremes (4713 BC, 294276 AD, infinity) are no
        # impossible dates for PostgreSQL; for MySQL they are
        r = run("verify", "--target", "postgres", stage)
        self.assertNotIn("impossible-date", r.out)
        r = run("verify", "--target", "mysql", stage)
        self.assertRegex(r.out, r"impossible-date\s+types\.d\s+3\s")
        con = sqlite3.connect(stage)
        tid = con.execute("SELECT tid FROM invs_tables WHERE name = 'types'").fetchone()[0]
        cols = [r[0] for r in con.execute("SELECT name FROM invs_columns WHERE tid = ? ORDER BY ord", (tid,))]
        n = cols.index("n")
        big = con.execute("SELECT c%d FROM invs_data_%d WHERE rowid = 1" % (n, tid)).fetchone()[0]
        self.assertEqual(big, "9" * 1000)  # numeric digits as written, as text
        f8 = cols.index("f8")
        nan = con.execute("SELECT count(*) FROM invs_specials WHERE tid = ? AND col = ?", (tid, f8)).fetchone()[0]
        self.assertEqual(nan, 1)  # float8 NaN kept bit-exact beside the data
        by = cols.index("by")
        self.assertEqual(con.execute("SELECT hex(c%d), typeof(c%d) FROM invs_data_%d WHERE rowid = 1"
                                     % (by, by, tid)).fetchone(), ("00FF00", "blob"))
        tstz = cols.index("tstz")
        self.assertEqual(con.execute("SELECT c%d FROM invs_data_%d WHERE rowid = 1" % (tstz, tid)).fetchone()[0],
                         "2026-03-29 00:30:00+00")  # an absolute instant, in UTC
        src_row = con.execute("SELECT source_ddl, rows, source_rows FROM invs_tables WHERE name = 'types'").fetchone()
        self.assertEqual(src_row[1:], (7, 7))
        con.close()

    def test_sqlite_through_pg_and_back(self):
        src = self.path("chinook-like.db")
        con = sqlite3.connect(src)
        con.executescript("""
            CREATE TABLE artist (id INTEGER PRIMARY KEY AUTOINCREMENT, name NVARCHAR(120) NOT NULL);
            CREATE TABLE album (id INTEGER PRIMARY KEY, title TEXT NOT NULL, artist_id INTEGER
              REFERENCES artist (id), price NUMERIC(10,2), cover BLOB, rating REAL, released DATE);
            CREATE TABLE tree (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES tree (id));
            INSERT INTO artist (name) VALUES ('AC/DC'), ('Motörhead'), ('Sigur Rós'), ('gone');
            DELETE FROM artist WHERE id = 4;
            INSERT INTO album VALUES (1, 'Back in Black', 1, 9.99, x'00ff', 4.5, '1980-07-25'),
              (2, 'Ace of Spades', 2, 0.99, NULL, -0.0, NULL), (3, 'Ágætis byrjun', 3, 10, x'', 1e308, NULL);
            INSERT INTO tree VALUES (1, 3), (2, 3), (3, NULL);
        """)
        con.commit()
        con.close()
        db = self.pg.createdb("from_sqlite")
        s1, s2, back = self.path("1.stage"), self.path("2.stage"), self.path("back.db")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", s1), 0)
        self.assertExit(run("push", "--force", "-q", s1, self.pg.uri(db)), 0)
        self.assertEqual(self.pg.psql(db, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                                          "WHERE attrelid = 'album'::regclass AND attnum > 0 ORDER BY attnum"),
                         "bigint\ntext\nbigint\nnumeric(10,2)\nbytea\ndouble precision\ndate\n")
        # the next id is the source's: 4 was handed out and deleted
        self.assertEqual(self.pg.psql(db, "INSERT INTO artist (name) VALUES ('new') RETURNING id"), "5\n")
        self.pg.psql(db, "DELETE FROM artist WHERE id = 5")
        self.assertEqual(self.pg.psql(db, "INSERT INTO tree (parent) VALUES (NULL) RETURNING id"), "4\n")
        self.pg.psql(db, "DELETE FROM tree WHERE id = 4")
        self.assertExit(run("pull", "-q", self.pg.uri(db), "-o", s2), 0)
        self.assertExit(run("push", "--force", "-q", s2, "sqlite:" + back), 0)
        self.assertEqual(dbcompare.differences(src, back, check_schema=False), [])

    # What PostgreSQL cannot say as SQLite did, each in README ("SQLite
    # through PostgreSQL: what changes"): a DEFAULT that is SQLite's own
    # expression (not carried, named in a warning), an untyped column
    # (text), COLLATE NOCASE (PostgreSQL has no such collation).
    NOT_SAID = {('we"ird; DROP TABLE x; --', "expr"): "dflt_value",
                ("select", "any thing"): "type",
                ('we"ird; DROP TABLE x; --', None): "collations"}

    def sqlite_objects(self, path):
        """sqlite_schema's objects, each as SQLite describes it, with README's
        normalisations: declared types by affinity (INTEGER and bigint are
        one), primary-key columns NOT NULL (PostgreSQL's always are), and
        NOT_SAID's columns without what PostgreSQL cannot say."""
        con = dbcompare.connect(path)
        objs = {(dbcompare.dec(t), dbcompare.dec(n)) for t, n in con.execute(
            "SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")}
        schema = dbcompare.schema(con)
        sql = {dbcompare.dec(n): dbcompare.dec(q) for n, q in con.execute(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'table'")}
        con.close()
        out = {}
        for kind, name in objs:
            if kind != "table":
                out[(kind, name)] = kind  # an index: its table's "indexes" describe it
                continue
            info = dict(schema[name])
            cols = []
            for cid, col, decl, notnull, dflt, pk, hidden in info["columns"]:
                row = {"name": col, "type": affinity(decl), "dflt_value": dflt, "pk": pk,
                       "notnull": 1 if notnull or pk > 0 else 0, "hidden": hidden}
                if (name, col) in self.NOT_SAID:
                    del row[self.NOT_SAID[(name, col)]]
                cols.append(row)
            info["columns"] = cols
            # what only the statement says: constraint names, collations
            info["constraints"] = sorted(
                unquote(c) for c in re.findall(r'CONSTRAINT\s+("(?:[^"]|"")*"|\[[^\]]*\]|`(?:[^`]|``)*`|\w+)',
                                               sql[name], re.I))
            info["collations"] = sorted(c.upper() for c in re.findall(r"COLLATE\s+(\w+)",
                                                                     sql[name], re.I))
            if (name, None) in self.NOT_SAID:
                del info[self.NOT_SAID[(name, None)]]
            out[(kind, name)] = info
        return out

    def test_hostile_sqlite_through_pg(self):
        """The hostile SQLite database, minus what PostgreSQL cannot hold at
        all (README: "SQLite through PostgreSQL"), comes back value for value."""
        src = self.path("hostile.db")
        gen_hostile_sqlite.main(src)
        con = sqlite3.connect(src)
        # PostgreSQL has no place for these (each listed in the README)
        con.executescript("""
            DELETE FROM "select" WHERE id IN (6, 7, 8, 9, 10);  -- text/blob in typed columns, NUL, bad UTF-8
            DROP TABLE "таблица";                             -- ANY column holding mixed classes
            DROP TABLE "strict";
        """)
        # an untyped column is text in PostgreSQL (asserted below), so its
        # integers and reals come back as text
        con.execute('UPDATE "select" SET "any thing" = NULL')
        con.commit()
        con.close()
        db = self.pg.createdb("hostile_sqlite")
        s1, s2, back = self.path("1.stage"), self.path("2.stage"), self.path("back.db")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", s1), 0)
        r = run("push", "--force", s1, self.pg.uri(db))
        self.assertExit(r, 0)
        self.assertExit(run("pull", "-q", self.pg.uri(db), "-o", s2), 0)
        self.assertExit(run("push", "--force", "-q", s2, "sqlite:" + back), 0)
        diffs = dbcompare.differences(src, back, check_schema=False)
        self.assertEqual(diffs, [])
        # sqlite_schema, object by object, equal up to README's list
        # ("SQLite through PostgreSQL: what changes")
        a, b = self.sqlite_objects(src), self.sqlite_objects(back)
        self.assertEqual(sorted(a), sorted(b))
        for name in a:
            self.assertEqual(a[name], b[name], name)
        self.assertEqual(self.pg.psql(db, 'SELECT format_type(atttypid, atttypmod) FROM pg_attribute '
                                          "WHERE attrelid = '\"select\"'::regclass AND attname = 'any thing'"),
                         "text\n")


    def test_chinook_sqlite_through_pg(self):
        """The publisher's Chinook SQLite -> PostgreSQL -> SQLite: the same
        values, and sqlite_schema object by object, names of keys and
        indexes included (its plain INTEGER NOT NULL PRIMARY KEYs do not come
        back AUTOINCREMENT)."""
        chinook = os.path.join(SHARED, "datasets", "chinook", "Chinook_Sqlite.sqlite")
        if not os.path.exists(chinook):
            self.skipTest("%s is absent: the shared datasets are not beside this checkout"
                          % chinook)
        db = self.pg.createdb("chinook_sqlite")
        s1, s2, back = self.path("1.stage"), self.path("2.stage"), self.path("back.db")
        self.assertExit(run("pull", "-q", "sqlite:" + chinook, "-o", s1), 0)
        self.assertExit(run("verify", "-q", "--target", "postgres", s1), 0)
        self.assertExit(run("push", "-q", s1, self.pg.uri(db)), 0)
        self.assertExit(run("pull", "-q", self.pg.uri(db), "-o", s2), 0)
        self.assertExit(run("verify", "-q", s2), 0)
        self.assertExit(run("push", "-q", s2, "sqlite:" + back), 0)
        self.assertEqual(dbcompare.differences(chinook, back, check_schema=False), [])
        a, b = self.sqlite_objects(chinook), self.sqlite_objects(back)
        self.assertEqual(sorted(a), sorted(b))
        for name in a:
            self.assertEqual(a[name], b[name], name)


class PgPushSemantics(PgTest):
    def stage_of(self, script):
        src = self.path("s.db")
        con = sqlite3.connect(src)
        con.executescript(script)
        con.commit()
        con.close()
        stage = self.path("s.stage")
        self.assertExit(run("pull", "-q", "--force", "sqlite:" + src, "-o", stage), 0)
        return stage

    def test_non_empty_target_refused_then_cleared(self):
        stage = self.stage_of("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                              "INSERT INTO t VALUES (1, 'a'), (2, 'b');")
        db = self.pg.createdb("nonempty")
        self.pg.psql(db, "CREATE TABLE t (id bigint PRIMARY KEY, v text); INSERT INTO t VALUES (9, 'old')")
        r = run("push", "--force", stage, self.pg.uri(db))
        self.assertExit(r, 1)
        self.assertIn("not empty", r.err)
        self.assertIn("(t)", r.err)
        self.assertEqual(self.pg.psql(db, "SELECT * FROM t"), "9|old\n")
        self.assertExit(run("push", "--force", "-q", "-c", stage, self.pg.uri(db)), 0)
        self.assertEqual(self.pg.psql(db, "SELECT * FROM t ORDER BY id"), "1|a\n2|b\n")

    def test_clear_refuses_a_table_referenced_from_outside_the_stage(self):
        stage = self.stage_of("CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1);")
        db = self.pg.createdb("outside")
        self.pg.psql(db, "CREATE TABLE t (id bigint PRIMARY KEY); INSERT INTO t VALUES (1);"
                         "CREATE TABLE mine (t_id bigint REFERENCES t ON DELETE CASCADE);"
                         "INSERT INTO mine VALUES (1)")
        r = run("push", "--force", "-c", stage, self.pg.uri(db))
        self.assertExit(r, 1)
        self.assertIn("table public.mine, which is not in the stage, references it", r.err)
        self.assertEqual(self.pg.psql(db, "SELECT count(*) FROM mine"), "1\n")
        self.assertEqual(self.pg.psql(db, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"), "1\n")

    def test_nul_in_text_is_refused_naming_table_key_and_column(self):
        stage = self.stage_of("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                              "INSERT INTO t VALUES (1, 'fine'), (2, CAST(x'610062' AS TEXT));")
        db = self.pg.createdb("nul")
        self.pg.psql(db, "CREATE TABLE keep (x int); INSERT INTO keep VALUES (42)")
        r = run("push", "--force", stage, self.pg.uri(db))
        self.assertExit(r, 1)
        self.assertIn("table t, key (id)=(2), column v", r.err)
        self.assertIn("NUL", r.err)
        self.assertEqual(self.pg.tables(db), ["keep"])
        self.assertEqual(self.pg.psql(db, "SELECT x FROM keep"), "42\n")

    def test_columns_that_differ_are_refused(self):
        stage = self.stage_of("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);")
        db = self.pg.createdb("differ")
        self.pg.psql(db, "CREATE TABLE t (id bigint PRIMARY KEY, w text)")
        r = run("push", "--force", stage, self.pg.uri(db))
        self.assertExit(r, 1)
        self.assertIn("missing in target: v", r.err)
        self.assertIn("not in stage: w", r.err)

    def test_schema_option_picks_where_to_read_and_write(self):
        db = self.pg.createdb("schemas")
        self.pg.psql(db, "CREATE SCHEMA inv; CREATE TABLE inv.part (id int PRIMARY KEY);"
                         "INSERT INTO inv.part VALUES (7); CREATE TABLE public.other (x int)")
        stage = self.path("schema.stage")
        self.assertExit(run("pull", "-q", "--schema", "inv", self.pg.uri(db), "-o", stage), 0)
        con = sqlite3.connect(stage)
        self.assertEqual(con.execute("SELECT name, schema FROM invs_tables").fetchall(), [("part", "inv")])
        con.close()
        self.pg.psql(db, "CREATE SCHEMA copy")
        self.assertExit(run("push", "--force", "-q", "--schema", "copy", stage, self.pg.uri(db)), 0)
        self.assertEqual(self.pg.psql(db, "SELECT id FROM copy.part"), "7\n")


class PgUuids(PgTest):
    """Django keeps a UUIDField as uuid on PostgreSQL and as char(32) hex on
    SQLite and MySQL: a uuid goes into such a column as 32 hex digits, 32
    hex digits go into a uuid column, and the proof compares them as UUIDs."""
    U = ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "00000000-0000-0000-0000-000000000000"]

    def test_uuid_into_a_char32_column_and_back(self):
        src = self.pg.createdb("uuid_src")
        self.pg.psql(src, "CREATE TABLE thing (id int PRIMARY KEY, u uuid);"
                          "INSERT INTO thing VALUES (1, '%s'), (2, '%s'), (3, NULL)" % tuple(self.U))
        stage = self.path("u.stage")
        self.assertExit(run("pull", "-q", self.pg.uri(src), "-o", stage), 0)
        self.assertExit(run("verify", "-q", stage), 0)
        out = self.path("django.db")  # as Django's migrate makes it on SQLite
        con = sqlite3.connect(out)
        con.execute('CREATE TABLE "thing" ("id" integer NOT NULL PRIMARY KEY, "u" char(32) NULL)')
        con.commit()
        self.assertExit(run("push", stage, "sqlite:" + out), 0)  # the proof passes
        con = sqlite3.connect(out)
        got = con.execute("SELECT id, u FROM thing ORDER BY id").fetchall()
        con.close()
        self.assertEqual(got, [(1, self.U[0].replace("-", "")), (2, "0" * 32), (3, None)])
        # and back: Django's hex into an existing uuid column, proven
        stage2 = self.path("u2.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + out, "-o", stage2), 0)
        self.assertExit(run("verify", "-q", stage2), 0)
        dst = self.pg.createdb("uuid_dst")
        self.pg.psql(dst, "CREATE TABLE thing (id int PRIMARY KEY, u uuid)")
        self.assertExit(run("push", stage2, self.pg.uri(dst)), 0)
        self.assertEqual(self.pg.psql(dst, "SELECT id, u FROM thing ORDER BY id").split(),
                         ["1|" + self.U[0], "2|" + self.U[1], "3|"])


class PgBooleanWords(PgTest):
    def test_sqlite_boolean_words_arrive_as_booleans_and_are_proven(self):
        """A SQLite BOOLEAN column holding 't', 'yes', 'FALSE' (older Rails
        wrote 't'/'f'): verify took them as booleans, PostgreSQL reads them
        so, and the proof used to compare the words with true and false and
        refuse the push."""
        src = self.path("b.db")
        make_db(src, "CREATE TABLE flags (id INTEGER PRIMARY KEY, b BOOLEAN);"
                     "INSERT INTO flags VALUES (1, 't'), (2, 'f'), (3, 'yes'), (4, 'FALSE'),"
                     " (5, 1), (6, 0), (7, NULL), (8, 'On');")
        stage = self.path("b.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        self.assertExit(run("verify", "-q", "--target", "postgres", stage), 0)
        db = self.pg.createdb("boolean_words")
        self.assertExit(run("push", "-q", stage, self.pg.uri(db)), 0)
        self.assertEqual(self.pg.psql(db, "SELECT b FROM flags ORDER BY id").split("\n")[:8],
                         ["t", "f", "t", "f", "t", "f", "", "t"])


class PgConnection(PgTest):
    def test_wrong_password_exits_3_without_the_password(self):
        env = pg_env()
        bad = "postgresql://postgres:Wr0ngSecret@127.0.0.1:%s/postgres" % env["PGPORT"]
        r = run("pull", bad, "-o", self.path("x.stage"),
                env={"PGPASSWORD": "", "PGPASSFILE": "/nonexistent"})
        self.assertExit(r, 3)
        self.assertIn("password authentication failed", r.err)
        self.assertNotIn("Wr0ngSecret", r.out + r.err)
        self.assertIn("postgres:***@", r.err)
        self.assertEqual(os.listdir(self.dir), [])

    def test_unknown_host_and_missing_database_exit_3(self):
        env = pg_env()
        r = run("pull", self.pg.uri("no_such_db"), "-o", self.path("x.stage"))
        self.assertExit(r, 3)
        self.assertIn('database "no_such_db" does not exist', r.err)
        r = run("pull", "postgresql://nosuchhost.invalid/db", "-o", self.path("x.stage"))
        self.assertExit(r, 3)
        self.assertIn("nosuchhost.invalid", r.err)


if __name__ == "__main__":
    main()
