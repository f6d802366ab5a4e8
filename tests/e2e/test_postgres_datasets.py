#!/usr/bin/env python3
"""Chinook and Sakila (PostgreSQL versions, ../shared/datasets) go
PG -> stage -> PG identically: every row (COPY output, sorted) and every
sequence position."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import SHARED, Pg, TempDirTest, main, run, skip  # noqa: E402

DATA = os.path.join(SHARED, "datasets")
CHINOOK = os.path.join(DATA, "chinook", "Chinook_PostgreSql.sql")
SAKILA_SCHEMA = os.path.join(DATA, "sakila", "postgres", "postgres-sakila-schema.sql")
SAKILA_DATA = os.path.join(DATA, "sakila", "postgres", "postgres-sakila-insert-data-using-copy.sql")


class Datasets(TempDirTest):
    def setUp(self):
        super().setUp()
        self.pg = Pg()

    def test_chinook(self):
        self.pg.psql("postgres", file=CHINOOK)  # creates the database chinook
        dst = self.pg.createdb("chinook_copy")
        stage = self.path("chinook.stage")
        r = run("pull", self.pg.uri("chinook"), "-o", stage)
        self.assertExit(r, 0)
        self.assertIn("11 table(s), 15607 row(s)", r.out)
        self.assertExit(run("push", "--force", "-q", stage, self.pg.uri(dst)), 0)
        self.assertEqual(self.pg.differences("chinook", dst), [])
        self.assertEqual(self.pg.psql(dst, "SELECT name FROM track WHERE track_id = 3435"),
                         "Cavalleria Rusticana \\ Act \\ Intermezzo Sinfonico\n")

    def test_sakila_into_a_schema_the_application_created(self):
        src = self.pg.createdb("sakila")
        self.pg.psql(src, file=SAKILA_SCHEMA)
        self.pg.psql(src, file=SAKILA_DATA)
        # the target is initialised the way the application would: its own
        # schema file (types, domains, triggers, views, functions), no rows
        dst = self.pg.createdb("sakila_copy")
        self.pg.psql(dst, file=SAKILA_SCHEMA)
        self.pg.psql(dst, "SELECT setval(s.oid::regclass, 1, false) FROM pg_class s WHERE relkind = 'S'")
        stage = self.path("sakila.stage")
        r = run("pull", self.pg.uri(src), "-o", stage)
        self.assertExit(r, 0)
        self.assertIn("row(s)", r.out)
        r = run("push", "--force", stage, self.pg.uri(dst))
        self.assertExit(r, 0)
        self.assertEqual(self.pg.differences(src, dst), [])
        self.assertEqual(self.pg.sequences(src), self.pg.sequences(dst))
        self.assertEqual(self.pg.psql(dst, "SELECT count(*) FROM payment"), "16049\n")
        # the keys the schema declared are all back, and hold
        self.assertEqual(self.pg.psql(src, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"),
                         self.pg.psql(dst, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"))


if __name__ == "__main__":
    for f in (CHINOOK, SAKILA_SCHEMA, SAKILA_DATA):
        if not os.path.exists(f):
            skip("%s is absent: the shared datasets are not beside this checkout" % f)
    main()
