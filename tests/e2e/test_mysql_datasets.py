#!/usr/bin/env python3
"""Chinook and Sakila (MySQL versions, ../shared/datasets) on MariaDB:
MariaDB -> stage -> MariaDB identical (every row's bytes, AUTO_INCREMENT);
Chinook MariaDB -> PostgreSQL and -> SQLite hold the same rows as the
publisher's own SQLite version."""
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import dbcompare  # noqa: E402
from harness import SHARED, My, Pg, TempDirTest, main, run, skip  # noqa: E402

DATA = os.path.join(SHARED, "datasets")
CHINOOK = os.path.join(DATA, "chinook", "Chinook_MySql.sql")
CHINOOK_SQLITE = os.path.join(DATA, "chinook", "Chinook_Sqlite.sqlite")
SAKILA_SCHEMA = os.path.join(DATA, "sakila", "mysql", "sakila-schema.sql")
SAKILA_DATA = os.path.join(DATA, "sakila", "mysql", "sakila-data.sql")
# the publisher's script does not escape its backslashes (SOURCES.md): read
# as written, they stay
KEEP_BACKSLASHES = b"SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES');\n"


class Datasets(TempDirTest):
    def setUp(self):
        super().setUp()
        self.my = My()

    def load(self, path, prefix=b""):
        with open(path, "rb") as f:
            script = prefix + f.read()
        p = subprocess.run(["mariadb", "--defaults-file=" + self.my.env["INVS_MY_CNF"]],
                           input=script, capture_output=True)
        self.assertEqual(p.returncode, 0, p.stderr.decode())

    def chinook(self):
        if "Chinook" not in self.my.client(None, "SHOW DATABASES"):
            self.load(CHINOOK, KEEP_BACKSLASHES)
        return "Chinook"

    def test_chinook_mariadb_to_mariadb(self):
        src = self.chinook()
        dst = self.my.createdb("chinook_copy")
        stage = self.path("chinook.stage")
        r = run("pull", self.my.uri(src), "-o", stage)
        self.assertExit(r, 0)
        self.assertIn("11 table(s), 15607 row(s)", r.out)
        self.assertExit(run("verify", "-q", "--target", "mysql", stage), 0)
        self.assertExit(run("push", "-q", stage, self.my.uri(dst)), 0)
        self.assertEqual(self.my.differences(src, dst), [])
        self.assertEqual(self.my.auto_increments(src), self.my.auto_increments(dst))
        self.assertEqual(self.my.sql(dst, "SELECT Name FROM Track WHERE TrackId = 3435"),
                         "Cavalleria Rusticana \\\\ Act \\\\ Intermezzo Sinfonico\n")

    def test_chinook_to_sqlite_and_postgres_as_the_publisher_has_it(self):
        src = self.chinook()
        stage = self.path("chinook.stage")
        self.assertExit(run("pull", "-q", self.my.uri(src), "-o", stage), 0)
        self.assertExit(run("verify", "-q", "--target", "postgres", stage), 0)
        out = self.path("chinook.db")
        self.assertExit(run("push", "-q", stage, "sqlite:" + out), 0)
        self.assertEqual(dbcompare.differences(CHINOOK_SQLITE, out, check_schema=False), [])
        pg = Pg()
        db = pg.createdb("chinook_from_mariadb")
        self.assertExit(run("push", "-q", stage, pg.uri(db)), 0)
        back, via = self.path("via-pg.db"), self.path("via-pg.stage")
        self.assertExit(run("pull", "-q", pg.uri(db), "-o", via), 0)
        self.assertExit(run("push", "-q", "--force", via, "sqlite:" + back), 0)
        self.assertEqual(dbcompare.differences(CHINOOK_SQLITE, back, check_schema=False), [])
        self.assertEqual(pg.psql(db, 'SELECT "Name" FROM "Track" WHERE "TrackId" = 3435'),
                         "Cavalleria Rusticana \\ Act \\ Intermezzo Sinfonico\n")

    def test_sakila_mariadb_to_mariadb(self):
        if "sakila" not in self.my.client(None, "SHOW DATABASES").split():
            self.load(SAKILA_SCHEMA)
            self.load(SAKILA_DATA)
        dst = self.my.createdb("sakila_copy")
        stage = self.path("sakila.stage")
        r = run("pull", self.my.uri("sakila"), "-o", stage)
        self.assertExit(r, 0)
        self.assertIn("16 table(s)", r.out)
        self.assertIn("view actor_info is not a table", r.err)
        self.assertExit(run("verify", "-q", "--target", "mysql", stage), 0)
        self.assertExit(run("push", "-q", stage, self.my.uri(dst)), 0)
        self.assertEqual(self.my.differences("sakila", dst), [])
        self.assertEqual(self.my.auto_increments("sakila"), self.my.auto_increments(dst))
        self.assertEqual(self.my.sql(dst, "SELECT count(*), sum(amount) FROM payment"),
                         "16044\t67406.56\n")
        self.assertEqual(self.my.sql(dst, "SELECT length(picture) FROM staff WHERE staff_id = 1"),
                         "36365\n")
        fks = "SELECT count(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = '%s'"
        self.assertEqual(self.my.sql(None, fks % "sakila"), self.my.sql(None, fks % dst))


if __name__ == "__main__":
    for f in (CHINOOK, CHINOOK_SQLITE, SAKILA_SCHEMA, SAKILA_DATA):
        if not os.path.exists(f):
            skip("%s is absent: the shared datasets are not beside this checkout" % f)
    main()
