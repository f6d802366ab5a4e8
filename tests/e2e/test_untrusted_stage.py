#!/usr/bin/env python3
"""A stage is untrusted input: schema text edited into a stage (declared
types, defaults, collations, charsets, foreign key actions, sequence names)
never runs as SQL in the target. Each field in turn, on SQLite, PostgreSQL
and MariaDB: the push is refused, nothing the text asked for happened, and
the target is as it was; a field the target's driver does not use is
ignored, and names are only names."""
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import My, Pg, TempDirTest, main, make_db, run  # noqa: E402

MARK = "/tmp/invs-pwned-%d" % os.getpid()

# (table, column, value) edits of the stage's schema tables, each on its own
SQLITE_EDITS = [
    ("invs_columns", "decl",
     "TEXT); CREATE TABLE pwned(a); INSERT INTO pwned VALUES(sqlite_version()); --"),
    ("invs_columns", "decl", "TEXT, x TEXT) ; CREATE TABLE pwned(a"),
    # a type and then constraints: SQLite would make them the column's
    ("invs_columns", "decl", "TEXT NOT NULL UNIQUE"),
    ("invs_columns", "decl", "TEXT COLLATE RTRIM"),
    ("invs_columns", "default_expr", "1); CREATE TABLE pwned(a); --"),
    ("invs_columns", "default_expr", "load_extension('/tmp/x')"),
    ("invs_columns", "default_expr", "(SELECT count(*) FROM sqlite_schema)"),
    ("invs_columns", "collation", 'NOCASE"; CREATE TABLE pwned(a); --'),
    ("invs_keys", "on_delete", "CASCADE; CREATE TABLE pwned(a)"),
    ("invs_keys", "on_update", "CASCADE; CREATE TABLE pwned(a)"),
]

# fields SQLite and PostgreSQL do not use: pushed, and nothing runs
IGNORED_EDITS = [
    ("invs_columns", "charset", "utf8; CREATE TABLE pwned(a); --"),
]

# names are data: quoted, they reach the target as they are, and run nothing
NAME_EDITS = [
    ("invs_keys", "name", 'k"; CREATE TABLE pwned(a); --'),
    ("invs_tables", "name", 'p"; CREATE TABLE pwned(a); --'),
    ("invs_columns", "name", 'c"; CREATE TABLE pwned(a); --'),
]
MY_NAME_EDITS = [
    ("invs_keys", "name", "k`; CREATE TABLE pwned(a int); --"),
    ("invs_tables", "name", "p`; CREATE TABLE pwned(a int); --"),
]

PG_EDITS = [
    ("invs_columns", "decl",
     "text); COPY (SELECT current_user) TO PROGRAM 'touch %s'; CREATE TABLE pwned(a int); --"
     % MARK),
    ("invs_columns", "decl", "text, x text); CREATE TABLE pwned(a int"),
    ("invs_columns", "decl", "text NOT NULL UNIQUE"),
    ("invs_columns", "default_expr",
     "'x'); COPY (SELECT 1) TO PROGRAM 'touch %s'; --" % MARK),
    ("invs_columns", "default_expr", "pg_read_file('/etc/passwd')"),
    ("invs_columns", "default_expr",
     "nextval('x; COPY (SELECT 1) TO PROGRAM ''touch %s''; --'::regclass)" % MARK),
    ("invs_columns", "collation", 'C"; CREATE TABLE pwned(a int); --'),
    ("invs_keys", "on_delete", "CASCADE; CREATE TABLE pwned(a int)"),
    ("invs_keys", "on_update", "CASCADE; CREATE TABLE pwned(a int)"),
]

MY_EDITS = [
    ("invs_columns", "decl", "varchar(20), x int) ; CREATE TABLE pwned(a int"),
    ("invs_columns", "decl", "text NOT NULL UNIQUE"),
    ("invs_columns", "decl", "enum('a'), pwned int"),
    ("invs_columns", "default_expr", "'x'); CREATE TABLE pwned(a int); --"),
    ("invs_columns", "default_expr", "(SELECT 1)"),
    ("invs_columns", "default_expr", "sleep(3)"),
    ("invs_columns", "default_expr", "\"x\" OR 1"),
    ("invs_columns", "collation", "latin1_bin; CREATE TABLE pwned(a int)"),
    ("invs_columns", "charset", "latin1 COLLATE latin1_bin, pwned int"),
    ("invs_keys", "on_delete", "CASCADE; CREATE TABLE pwned(a int)"),
    ("invs_keys", "on_update", "CASCADE, pwned int"),
]


def copy(src, dst):
    with open(src, "rb") as f, open(dst, "wb") as g:
        g.write(f.read())


def edit(stage, table, column, value, where):
    con = sqlite3.connect(stage)
    con.execute("UPDATE %s SET %s = ? WHERE %s" % (table, column, where), (value,))
    assert con.total_changes > 0, (table, column, where)
    con.commit()
    con.close()


def where_for(table):
    """Which row of the schema table each edit goes into."""
    return {"invs_columns": "name = 'v'",
            "invs_keys": "kind = 'foreign'",
            "invs_tables": "name = 'child'"}[table]


class StageTest(TempDirTest):
    def edited(self, name, table, column, value, where=None):
        """A copy of the clean stage with one schema field edited."""
        stage = self.path(name + ".stage")
        copy(self.clean, stage)
        edit(stage, table, column, value, where or where_for(table))
        return stage


class SqliteTarget(StageTest):
    def setUp(self):
        super().setUp()
        self.src = self.path("src.db")
        make_db(self.src, """
            CREATE TABLE parent(id INTEGER PRIMARY KEY, v TEXT DEFAULT 'x' COLLATE NOCASE);
            CREATE TABLE child(id INTEGER PRIMARY KEY,
                               pid INTEGER CONSTRAINT fk REFERENCES parent(id) ON DELETE CASCADE,
                               v TEXT);
            INSERT INTO parent VALUES (1, 'a');
            INSERT INTO child VALUES (1, 1, 'b');
        """)
        self.clean = self.path("clean.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + self.src, "-o", self.clean), 0)

    def test_each_schema_field_in_turn(self):
        for n, (table, column, value) in enumerate(SQLITE_EDITS):
            with self.subTest(field="%s.%s" % (table, column), value=value):
                stage = self.edited("e%d" % n, table, column, value)
                target = self.path("t%d.db" % n)
                r = run("push", "--force", stage, "sqlite:" + target)
                self.assertNotEqual(r.rc, 0, r)
                self.assertNotIn(r.rc, (-11, 139), r)
                self.assertFalse(os.path.exists(target), "a failed push left " + target)
                # into an existing database: refused and untouched
                make_db(target, "CREATE TABLE keep(a); INSERT INTO keep VALUES (1);")
                r = run("push", "--force", stage, "sqlite:" + target)
                self.assertNotEqual(r.rc, 0, r)
                con = sqlite3.connect(target)
                names = [x[0] for x in con.execute("SELECT name FROM sqlite_schema")]
                con.close()
                self.assertEqual(names, ["keep"])

    def test_hostile_names_are_only_names(self):
        for n, (table, column, value) in enumerate(NAME_EDITS):
            with self.subTest(field="%s.%s" % (table, column)):
                stage = self.edited("n%d" % n, table, column, value)
                target = self.path("n%d.db" % n)
                self.assertExit(run("push", "--force", "--no-check", stage,
                                    "sqlite:" + target), 0)
                con = sqlite3.connect(target)
                names = [x[0] for x in con.execute("SELECT name FROM sqlite_schema")]
                ddl = " ".join(x[0] or "" for x in con.execute("SELECT sql FROM sqlite_schema"))
                con.close()
                self.assertNotIn("pwned", names)
                self.assertIn(value.replace('"', '""'), ddl)

    def test_fields_sqlite_does_not_use_are_ignored(self):
        for n, (table, column, value) in enumerate(IGNORED_EDITS):
            with self.subTest(field="%s.%s" % (table, column)):
                stage = self.edited("i%d" % n, table, column, value)
                target = self.path("i%d.db" % n)
                self.assertExit(run("push", "--force", stage, "sqlite:" + target), 0)
                con = sqlite3.connect(target)
                names = [x[0] for x in con.execute("SELECT name FROM sqlite_schema")]
                con.close()
                self.assertEqual(sorted(names), ["child", "parent"])

    def test_a_clean_stage_still_pushes(self):
        target = self.path("ok.db")
        self.assertExit(run("push", "--force", self.clean, "sqlite:" + target), 0)
        con = sqlite3.connect(target)
        ddl = con.execute("SELECT sql FROM sqlite_schema WHERE name = 'parent'").fetchone()[0]
        con.close()
        self.assertIn("DEFAULT ('x')", ddl)


class PgTarget(StageTest):
    def setUp(self):
        super().setUp()
        self.pg = Pg()
        src = self.pg.createdb("untrusted_src")
        self.pg.psql(src, """
            CREATE TABLE parent(id serial PRIMARY KEY, v text DEFAULT 'x' COLLATE "C");
            CREATE TABLE child(id int PRIMARY KEY,
                               pid int REFERENCES parent(id) ON DELETE CASCADE, v text);
            INSERT INTO parent(v) VALUES ('a');
            INSERT INTO child VALUES (1, 1, 'b');
        """)
        self.clean = self.path("clean.stage")
        self.assertExit(run("pull", "-q", self.pg.uri(src), "-o", self.clean), 0)
        if os.path.exists(MARK):
            os.unlink(MARK)

    def test_each_schema_field_in_turn(self):
        for n, (table, column, value) in enumerate(PG_EDITS):
            with self.subTest(field="%s.%s" % (table, column), value=value):
                where = None
                if column == "default_expr" and value.startswith("nextval"):
                    where = "name = 'id'"
                stage = self.edited("e%d" % n, table, column, value, where)
                if os.path.exists(MARK):
                    os.unlink(MARK)
                db = self.pg.createdb("untrusted_dst")
                r = run("push", "--force", stage, self.pg.uri(db))
                self.assertNotEqual(r.rc, 0, r)
                self.assertFalse(os.path.exists(MARK), "the server ran a program")
                self.assertEqual(self.pg.tables(db), [])

    def test_hostile_names_are_only_names(self):
        for n, (table, column, value) in enumerate(NAME_EDITS):
            with self.subTest(field="%s.%s" % (table, column)):
                stage = self.edited("n%d" % n, table, column, value)
                db = self.pg.createdb("untrusted_names")
                self.assertExit(run("push", "--force", stage, self.pg.uri(db)), 0)
                tables = self.pg.tables(db)
                self.assertNotIn("pwned", tables)
                names = self.pg.psql(db, "SELECT relname FROM pg_class UNION ALL "
                                         "SELECT attname FROM pg_attribute UNION ALL "
                                         "SELECT conname FROM pg_constraint")
                self.assertIn(value, names.split("\n"))

    def test_fields_postgres_does_not_use_are_ignored(self):
        for n, (table, column, value) in enumerate(IGNORED_EDITS):
            with self.subTest(field="%s.%s" % (table, column)):
                stage = self.edited("i%d" % n, table, column, value)
                db = self.pg.createdb("untrusted_ignored")
                self.assertExit(run("push", "--force", stage, self.pg.uri(db)), 0)
                self.assertEqual(self.pg.tables(db), ["child", "parent"])

    def test_an_existing_sequence_is_not_taken_over(self):
        """A serial's sequence named by the stage that the target already
        has (the application's own) is neither owned nor set by a push
        that creates the table."""
        for n, seq in enumerate(("parent_id_seq", "app_seq")):
            with self.subTest(sequence=seq):
                stage = self.edited("q%d" % n, "invs_columns", "default_expr",
                                    "nextval('%s'::regclass)" % seq, "name = 'id' AND tid = "
                                    "(SELECT tid FROM invs_tables WHERE name = 'parent')")
                db = self.pg.createdb("untrusted_seq")
                self.pg.psql(db, "CREATE SEQUENCE %s; SELECT setval('%s', 1000);"
                                 "CREATE TABLE orders (id int DEFAULT nextval('%s'))" % (seq, seq, seq))
                r = run("push", "--force", stage, self.pg.uri(db))
                self.assertExit(r, 1)
                self.assertIn("table parent, column id: sequence %s already exists" % seq, r.err)
                self.assertEqual(self.pg.tables(db), ["orders"])
                self.assertEqual(self.pg.psql(db, "SELECT last_value, is_called FROM %s" % seq),
                                 "1000|t\n")
                self.assertEqual(self.pg.psql(db, "SELECT count(*) FROM pg_depend WHERE objid = "
                                                  "'%s'::regclass AND deptype = 'a'" % seq), "0\n")

    def test_a_clean_stage_still_pushes(self):
        db = self.pg.createdb("untrusted_ok")
        self.assertExit(run("push", "--force", self.clean, self.pg.uri(db)), 0)
        self.assertEqual(self.pg.tables(db), ["child", "parent"])


class MyTarget(StageTest):
    """The same on MariaDB: its stage is MySQL's own, so every field
    reaches the DDL (declared types, defaults, charsets and collations,
    actions) and each is checked; statements go one per call."""

    def setUp(self):
        super().setUp()
        self.my = My()
        src = self.my.createdb("untrusted_src")
        self.my.sql(src, """
            CREATE TABLE parent (id int AUTO_INCREMENT PRIMARY KEY,
                                 v varchar(20) CHARACTER SET latin1 COLLATE latin1_bin
                                   DEFAULT 'x "y" ''z''');
            CREATE TABLE child (id int PRIMARY KEY, pid int, v text,
                                CONSTRAINT fk FOREIGN KEY (pid) REFERENCES parent (id)
                                ON DELETE CASCADE ON UPDATE CASCADE);
            INSERT INTO parent (v) VALUES ('a');
            INSERT INTO child VALUES (1, 1, 'b');
        """)
        self.clean = self.path("clean.stage")
        self.assertExit(run("pull", "-q", self.my.uri(src), "-o", self.clean), 0)

    def test_each_schema_field_in_turn(self):
        for n, (table, column, value) in enumerate(MY_EDITS):
            with self.subTest(field="%s.%s" % (table, column), value=value):
                stage = self.edited("e%d" % n, table, column, value)
                db = self.my.createdb("untrusted_dst")
                self.my.sql(db, "CREATE TABLE keep (a int); INSERT INTO keep VALUES (1)")
                r = run("push", "--force", stage, self.my.uri(db))
                self.assertEqual(r.rc, 1, r)
                self.assertRegex(r.err, r"table (parent|child)(, column v|, foreign key fk)")
                self.assertEqual(self.my.tables(db), ["keep"])  # what it made is gone
                self.assertEqual(self.my.sql(db, "SELECT a FROM keep"), "1\n")

    def test_hostile_names_are_only_names(self):
        for n, (table, column, value) in enumerate(MY_NAME_EDITS):
            with self.subTest(field="%s.%s" % (table, column)):
                stage = self.edited("n%d" % n, table, column, value)
                db = self.my.createdb("untrusted_names")
                self.assertExit(run("push", "--force", stage, self.my.uri(db)), 0)
                self.assertNotIn("pwned", self.my.tables(db))
                names = self.my.sql(None, "SELECT TABLE_NAME FROM information_schema.TABLES "
                                          "UNION ALL SELECT CONSTRAINT_NAME FROM "
                                          "information_schema.TABLE_CONSTRAINTS")
                self.assertIn(value, names.split("\n"))

    def test_a_clean_stage_still_pushes(self):
        db = self.my.createdb("untrusted_ok")
        self.assertExit(run("push", "--force", self.clean, self.my.uri(db)), 0)
        self.assertEqual(self.my.tables(db), ["child", "parent"])
        self.assertEqual(self.my.differences("untrusted_src", db), [])
        # a literal default holding quotes is copied as it was
        for t in ("parent", "child"):
            self.assertEqual(self.my.sql(db, "SHOW CREATE TABLE " + t),
                             self.my.sql("untrusted_src", "SHOW CREATE TABLE " + t))


if __name__ == "__main__":
    main()
