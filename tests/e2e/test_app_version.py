#!/usr/bin/env python3
"""The InvenTree procedure: a target initialised by the application (same
migrations, default rows) is refused as non-empty; push -c replaces its rows
with the source's and proves it; a target one migration ahead is refused
before anything is cleared. On SQLite and on PostgreSQL."""
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import Pg, TempDirTest, main, run, sha256  # noqa: E402

MIGRATIONS = [("contenttypes", "0001_initial"), ("auth", "0001_initial"),
              ("part", "0001_initial"), ("part", "0002_category_tree")]

SCHEMA = """
CREATE TABLE django_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, app VARCHAR(255) NOT NULL,
  name VARCHAR(255) NOT NULL, applied DATETIME NOT NULL);
CREATE TABLE django_content_type (id INTEGER PRIMARY KEY AUTOINCREMENT,
  app_label VARCHAR(100) NOT NULL, model VARCHAR(100) NOT NULL, UNIQUE (app_label, model));
CREATE TABLE auth_permission (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(255) NOT NULL,
  content_type_id INTEGER NOT NULL REFERENCES django_content_type (id), codename VARCHAR(100) NOT NULL);
CREATE TABLE part_category (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(100) NOT NULL,
  parent_id INTEGER REFERENCES part_category (id));
"""


def fill_source(con):
    con.executemany("INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, ?)",
                    [(a, n, "2024-03-19 10:00:0%d" % i) for i, (a, n) in enumerate(MIGRATIONS)])
    con.executemany("INSERT INTO django_content_type (app_label, model) VALUES (?, ?)",
                    [("part", "part"), ("auth", "user"), ("part", "partcategory")])
    con.executemany("INSERT INTO auth_permission (name, content_type_id, codename) VALUES (?, ?, ?)",
                    [("Can add part", 1, "add_part"), ("Can add user", 2, "add_user")])
    con.executemany("INSERT INTO part_category VALUES (?, ?, ?)",
                    [(1, "Würth screws", 3), (2, "Electronics", None), (3, "Mechanical", None)])


def fill_fresh_install(execute, extra_migration=False):
    """What `migrate` leaves in a new installation: same migrations (other
    ids and times), content types in another order, default permissions."""
    migs = list(reversed(MIGRATIONS)) + ([("part", "0003_newer")] if extra_migration else [])
    for a, n in migs:
        execute("INSERT INTO django_migrations (app, name, applied) VALUES ('%s', '%s', "
                "'2026-11-26 00:00:00')" % (a, n))
    for app, model in [("auth", "user"), ("part", "partcategory"), ("part", "part")]:
        execute("INSERT INTO django_content_type (app_label, model) VALUES ('%s', '%s')" % (app, model))
    execute("INSERT INTO auth_permission (name, content_type_id, codename) VALUES ('Can add user', 1, 'add_user')")


def staged_source(test, target):
    """The old installation, pulled and verified for `target`."""
    src = test.path("old.db")
    con = sqlite3.connect(src)
    con.executescript(SCHEMA)
    fill_source(con)
    con.commit()
    con.close()
    stage = test.path("old.stage")
    test.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
    test.assertExit(run("verify", "-q", "--target", target, stage), 0)
    return stage


class SqliteInstall(TempDirTest):
    def setUp(self):
        super().setUp()
        self.stage = staged_source(self, "sqlite")

    def fresh(self, name, extra=False):
        path = self.path(name)
        con = sqlite3.connect(path)
        con.executescript(SCHEMA)
        fill_fresh_install(con.execute, extra)
        con.commit()
        con.close()
        return path

    def test_refused_as_non_empty_then_cleared_and_proved(self):
        dst = self.fresh("new.db")
        before = sha256(dst)
        r = run("push", self.stage, "sqlite:" + dst)
        self.assertExit(r, 1)
        self.assertIn("is not empty", r.err)
        self.assertEqual(sha256(dst), before)
        self.assertExit(run("push", "-q", "-c", self.stage, "sqlite:" + dst), 0)
        con = sqlite3.connect(dst)
        # content type ids are the source's, so permissions still point right
        self.assertEqual(con.execute("SELECT c.model FROM auth_permission p JOIN django_content_type c"
                                     " ON c.id = p.content_type_id WHERE p.codename = 'add_part'").fetchall(),
                         [("part",)])
        self.assertEqual(con.execute("SELECT count(*) FROM django_migrations").fetchone()[0], 4)
        con.execute("INSERT INTO part_category (name) VALUES ('new')")  # no key collision
        con.close()
        self.assertExit(run("verify", "--against", "sqlite:" + dst, self.stage), 0)

    def test_a_target_one_migration_ahead_is_refused_before_anything_is_cleared(self):
        dst = self.fresh("ahead.db", extra=True)
        before = sha256(dst)
        r = run("push", "-c", self.stage, "sqlite:" + dst)
        self.assertExit(r, 1)
        self.assertIn("runs another version of the application: django_migrations differs", r.err)
        self.assertIn("only in the target: part.0003_newer", r.err)
        self.assertIn("only in the stage: none", r.err)
        self.assertEqual(sha256(dst), before)
        self.assertExit(run("push", "-q", "-c", "--ignore-version", self.stage, "sqlite:" + dst), 0)


class PgInstall(TempDirTest):
    PG_SCHEMA = """
    CREATE TABLE django_migrations (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied timestamptz NOT NULL);
    CREATE TABLE django_content_type (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      app_label varchar(100) NOT NULL, model varchar(100) NOT NULL, UNIQUE (app_label, model));
    CREATE TABLE auth_permission (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      name varchar(255) NOT NULL, content_type_id bigint NOT NULL REFERENCES django_content_type (id),
      codename varchar(100) NOT NULL);
    CREATE TABLE part_category (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      name varchar(100) NOT NULL, parent_id bigint REFERENCES part_category (id));
    """

    def setUp(self):
        super().setUp()
        self.pg = Pg()
        self.stage = staged_source(self, "postgres")

    def fresh(self, name, extra=False):
        db = self.pg.createdb(name)
        self.pg.psql(db, self.PG_SCHEMA)
        fill_fresh_install(lambda sql: self.pg.psql(db, sql), extra)
        return db

    def test_refused_as_non_empty_then_cleared_and_proved(self):
        db = self.fresh("inv_new")
        r = run("push", self.stage, self.pg.uri(db))
        self.assertExit(r, 1)
        self.assertIn("is not empty", r.err)
        self.assertEqual(self.pg.psql(db, "SELECT count(*) FROM django_content_type"), "3\n")
        self.assertExit(run("push", "-q", "-c", self.stage, self.pg.uri(db)), 0)
        self.assertEqual(self.pg.psql(db, "SELECT c.model FROM auth_permission p JOIN django_content_type c"
                                          " ON c.id = p.content_type_id WHERE p.codename = 'add_part'"), "part\n")
        self.assertEqual(self.pg.psql(db, "SELECT name FROM part_category WHERE id = 1"), "Würth screws\n")
        self.assertEqual(self.pg.psql(db, "INSERT INTO part_category (name) VALUES ('x') RETURNING id"), "4\n")
        self.pg.psql(db, "DELETE FROM part_category WHERE id = 4")
        self.assertExit(run("verify", "--against", self.pg.uri(db), self.stage), 0)

    def test_a_target_one_migration_ahead_is_refused(self):
        db = self.fresh("inv_ahead", extra=True)
        r = run("push", "-c", self.stage, self.pg.uri(db))
        self.assertExit(r, 1)
        self.assertIn("only in the target: part.0003_newer", r.err)
        self.assertEqual(self.pg.psql(db, "SELECT count(*) FROM django_migrations"), "5\n")
        self.assertEqual(self.pg.psql(db, "SELECT count(*) FROM auth_permission"), "1\n")


if __name__ == "__main__":
    main()
