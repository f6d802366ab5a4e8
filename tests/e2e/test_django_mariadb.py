#!/usr/bin/env python3
"""The InvenTree procedure (test_django.py) with MariaDB: Debian's
python3-django and python3-mysqldb, targets initialised by `migrate`;
SQLite -> MariaDB, MariaDB -> PostgreSQL, PostgreSQL -> MariaDB. Refused
without -c, `dumpdata --natural-foreign` byte-identical after it, the next
ids the source's; a target one migration ahead refused before anything is
cleared."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import test_django  # noqa: E402
from harness import My, Pg, main, run, skip  # noqa: E402
from test_django import DEBIAN_PYTHON, DELETED, PARTS, Django  # noqa: E402


def have_mysqldb():
    p = subprocess.run([DEBIAN_PYTHON, "-c", "import django, MySQLdb"], capture_output=True)
    return p.returncode == 0


class DjangoMariaDbTest(test_django.DjangoTest):  # not imported by name: unittest would run it too
    @classmethod
    def setUpClass(cls):
        if not test_django.have_django() or not have_mysqldb():
            skip("Debian's python3-django, python3-psycopg2 and python3-mysqldb are not "
                 "installed (tools/install-deps installs them)")
        cls.pg = Pg()
        cls.my = My()

    def my_app(self, db, migrate=True):
        self.my.createdb(db)
        app = Django(self, self.my.uri(db))
        if migrate:
            app.manage("migrate", "-v0")
        return app

    def expected_ids(self, source):
        if not source.uri.startswith(("mysql:", "mariadb:")):
            return super().expected_ids(source)
        # a copy made by mariadb-dump keeps each table's AUTO_INCREMENT
        db = source.uri.rsplit("/", 1)[1]
        self.my.createdb("dj_copy")
        dump = subprocess.run(["mariadb-dump", "--defaults-file=" + self.my.env["INVS_MY_CNF"], db],
                              capture_output=True, check=True).stdout
        p = subprocess.run(["mariadb", "--defaults-file=" + self.my.env["INVS_MY_CNF"], "dj_copy"],
                           input=dump, capture_output=True)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        return Django(self, self.my.uri("dj_copy")).new_ids()

    def test_sqlite_to_mariadb(self):
        source = self.filled(self.sqlite_app("src.db", migrate=False))
        ids = self.expected_ids(source)
        stage = self.stage_of(source, "src.stage", "mysql")
        self.check_procedure(source, stage, self.my_app("dj_target"), ids)

    def test_mariadb_to_postgres(self):
        source = self.filled(self.my_app("dj_source", migrate=False))
        ids = self.expected_ids(source)
        self.assertEqual(ids[:2], [60, PARTS + 1])  # not max(id) + 1: deleted ones count
        stage = self.stage_of(source, "my.stage", "postgres")
        self.check_procedure(source, stage, self.pg_app("dj_target"), ids)

    def test_postgres_to_mariadb(self):
        source = self.filled(self.pg_app("dj_source", migrate=False))
        ids = self.expected_ids(source)
        stage = self.stage_of(source, "pg.stage", "mysql")
        self.check_procedure(source, stage, self.my_app("dj_target"), ids)
        got = self.my.sql("dj_target", "SELECT count(*) FROM inventory_part")
        self.assertEqual(got, "%d\n" % (PARTS - DELETED + 1))  # new_ids added one

    def test_migration_ahead_refused_before_clearing(self):
        source = self.filled(self.sqlite_app("src.db", migrate=False))
        stage = self.stage_of(source, "src.stage", "mysql")
        target = self.my_app("dj_ahead")
        self.my.sql("dj_ahead", "INSERT INTO django_migrations (app, name, applied) VALUES "
                                "('inventory', '0002_extra_field', '2026-11-26 00:00:00')")
        before = self.target_state(target)
        r = run("push", "-c", stage, target.uri)
        self.assertExit(r, 1)
        self.assertIn("0002_extra_field", r.err)
        self.assertEqual(self.target_state(target), before, "the refused push cleared")

    # the SQLite and PostgreSQL directions are test_django.py's
    test_sqlite_to_sqlite = test_sqlite_to_postgres = None
    test_postgres_to_sqlite_and_postgres = None


if __name__ == "__main__":
    main()
