#!/usr/bin/env python3
"""The InvenTree procedure with a real Django (Debian's python3-django and
python3-psycopg2) reading the result: a tiny application (tests/django)
fills a source through its ORM; each target is initialised by `migrate`;
push without -c is refused, push -c loads, `dumpdata --natural-foreign` on
the target is byte-identical to the source's, and the application's next
insert gets the id it would have got at the source, and every part's UUID
is found through the ORM (Django's 32-hex-digit form on SQLite and MySQL,
uuid on PostgreSQL). SQLite and PostgreSQL, in every direction."""
import json
import os
import sqlite3
import subprocess
import sys
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from harness import Pg, TempDirTest, main, run, sha256, skip  # noqa: E402

MANAGE = os.path.join(os.path.dirname(__file__), "..", "django", "manage.py")
DEBIAN_PYTHON = "/usr/bin/python3"
PARTS = 300
DELETED = 3  # the last parts are deleted at the source: sequences run ahead
EXCLUDE = "django_sess*"  # as InvenTree leaves sessions out of its exports

# Finds the first 60 parts by their exact timestamps, as SQL compares them
# (on SQLite: as text, so the representation matters), prints how many were
# found; creates one row of each kind through the ORM and prints their ids.
NEW_ROWS = ("from inventory.models import *; from django.utils import timezone; "
            "found = sum(Part.objects.filter(created=x.created, price=x.price).exists() "
            "            for x in Part.objects.order_by('id')[:60]); "
            "p = Part.objects.create(name='new', price=1, created=timezone.now()); "
            "l = Location.objects.create(name='new'); t = Tag.objects.create(name='new'); "
            "p.tags.add(t); print(found, p.id, l.id, t.id, "
            "Part.tags.through.objects.latest('id').id)")
# Every part's number (its name ends "#i"), its UUID as the ORM reads it,
# and whether the ORM finds the part by it: a lookup sends Django's own form
# of the value (32 hex digits on SQLite and MySQL), so a UUID stored in
# another form is read back but never found.
UUIDS = ("import json; from inventory.models import Part; "
         "print(json.dumps([(p.name.rsplit('#', 1)[1], p.code and str(p.code), "
         "                   p.code is None or Part.objects.filter(code=p.code, id=p.id).exists())"
         "                  for p in Part.objects.order_by('id')]))")


def have_django():
    p = subprocess.run([DEBIAN_PYTHON, "-c", "import django, psycopg2"], capture_output=True)
    return p.returncode == 0


class Django:
    """The test application on one database."""

    def __init__(self, test, uri, env=None):
        self.test, self.uri = test, uri
        self.env = dict(os.environ)
        self.env.update(env or {})
        self.env["INVS_DJANGO_DB"] = uri

    def manage(self, *args):
        p = subprocess.run([DEBIAN_PYTHON, MANAGE] + list(args), env=self.env,
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise AssertionError("manage.py %s on %s:\n%s" % (" ".join(args), self.uri, p.stderr))
        return p.stdout

    def dump(self, name):
        path = self.test.path(name)
        self.manage("dumpdata", "--natural-foreign", "--indent", "1", "-o", path)
        with open(path, "rb") as f:
            return f.read()

    def new_ids(self):
        return [int(x) for x in self.manage("shell", "-c", NEW_ROWS).split()]


class DjangoTest(TempDirTest):
    @classmethod
    def setUpClass(cls):
        if not have_django():
            skip("Debian's python3-django and python3-psycopg2 are not installed "
                 "(tools/install-deps installs them)")
        cls.pg = Pg()

    def sqlite_app(self, name, migrate=True):
        app = Django(self, "sqlite:" + self.path(name))
        if migrate:
            app.manage("migrate", "-v0")
        return app

    def pg_app(self, db, migrate=True):
        self.pg.createdb(db)
        app = Django(self, self.pg.uri(db), self.pg.env)
        if migrate:
            app.manage("migrate", "-v0")
        return app

    def filled(self, app):
        app.manage("migrate", "-v0")
        app.manage("fill", str(PARTS), "--delete-last", str(DELETED))
        return app

    def stage_of(self, app, name, target):
        stage = self.path(name)
        self.assertExit(run("pull", "-q", app.uri, "-x", EXCLUDE, "-o", stage), 0)
        self.assertExit(run("verify", "-q", "--target", target, stage), 0)
        return stage

    def target_state(self, app):
        if app.uri.startswith("sqlite:"):
            return sha256(app.uri[len("sqlite:"):])
        return app.dump("state-%d.json" % id(app))

    def check_procedure(self, source, stage, target, expect_ids):
        """Refused without -c, identical with it, next ids as at the source."""
        before = self.target_state(target)
        r = run("push", stage, target.uri)
        self.assertExit(r, 1)
        self.assertIn("not empty", r.err)
        self.assertIn("django_migrations", r.err)
        self.assertEqual(self.target_state(target), before, "a refused push changed the target")

        r = run("push", "-c", stage, target.uri)
        self.assertExit(r, 0)
        want = source.dump("source.json")
        got = target.dump("target.json")
        self.assertEqual(got, want, "dumpdata differs between source and target")
        self.assertEqual(got.count(b'"model": "inventory.part"'), PARTS - DELETED)
        self.check_uuids(target)
        self.assertEqual(target.new_ids(), expect_ids)

    def check_uuids(self, target):
        """Each part's UUID, read and found through the ORM, is the one
        `fill` gave it (uuid5 of its number, none for every ninth); on
        SQLite stored as Django stores it there: 32 hex digits."""
        rows = json.loads(target.manage("shell", "-c", UUIDS))
        self.assertEqual(len(rows), PARTS - DELETED)
        for i, code, found in rows:
            want = str(uuid.uuid5(uuid.NAMESPACE_URL, "part/%s" % i)) if int(i) % 9 else None
            self.assertEqual((i, code, found), (i, want, True))
        if target.uri.startswith("sqlite:"):
            con = sqlite3.connect(target.uri[len("sqlite:"):])
            try:
                forms = con.execute("SELECT DISTINCT length(code), code GLOB '*-*' FROM "
                                    "inventory_part WHERE code IS NOT NULL").fetchall()
            finally:
                con.close()
            self.assertEqual(forms, [(32, 0)])

    def expected_ids(self, source):
        """What the source hands out next, asked of a copy of it."""
        if source.uri.startswith("sqlite:"):
            copy = self.path("source-copy.db")
            con = sqlite3.connect(source.uri[len("sqlite:"):])
            dst = sqlite3.connect(copy)
            con.backup(dst)
            con.close()
            dst.close()
            return Django(self, "sqlite:" + copy).new_ids()
        self.pg.psql("postgres", 'DROP DATABASE IF EXISTS "dj_copy" WITH (FORCE)')
        self.pg.psql("postgres", 'CREATE DATABASE dj_copy TEMPLATE "%s"' %
                     source.uri.rsplit("/", 1)[1])
        return Django(self, self.pg.uri("dj_copy"), self.pg.env).new_ids()

    def test_sqlite_to_sqlite(self):
        source = self.filled(self.sqlite_app("src.db", migrate=False))
        ids = self.expected_ids(source)
        self.assertEqual(ids[:2], [60, PARTS + 1])  # not max(id) + 1: deleted ones count
        stage = self.stage_of(source, "src.stage", "sqlite")
        self.check_procedure(source, stage, self.sqlite_app("dst.db"), ids)

    def test_sqlite_to_postgres(self):
        source = self.filled(self.sqlite_app("src.db", migrate=False))
        ids = self.expected_ids(source)
        stage = self.stage_of(source, "src.stage", "postgres")
        self.check_procedure(source, stage, self.pg_app("dj_target"), ids)

    def test_postgres_to_sqlite_and_postgres(self):
        source = self.filled(self.pg_app("dj_source", migrate=False))
        ids = self.expected_ids(source)
        self.assertEqual(ids[:2], [60, PARTS + 1])
        stage = self.stage_of(source, "pg.stage", "sqlite")
        self.check_procedure(source, stage, self.sqlite_app("dst.db"), ids)
        self.check_procedure(source, stage, self.pg_app("dj_target2"), ids)

    def test_migration_ahead_refused_before_clearing(self):
        source = self.filled(self.sqlite_app("src.db", migrate=False))
        stage = self.stage_of(source, "src.stage", "postgres")
        for target in (self.sqlite_app("dst.db"), self.pg_app("dj_ahead")):
            insert = ("INSERT INTO django_migrations (app, name, applied) VALUES "
                      "('inventory', '0002_extra_field', '2026-11-26 00:00:00')")
            if target.uri.startswith("sqlite:"):
                con = sqlite3.connect(target.uri[len("sqlite:"):])
                con.execute(insert)
                con.commit()
                con.close()
            else:
                self.pg.psql("dj_ahead", insert)
            before = self.target_state(target)
            r = run("push", "-c", stage, target.uri)
            self.assertExit(r, 1)
            self.assertIn("0002_extra_field", r.err)
            self.assertEqual(self.target_state(target), before, "the refused push cleared")


class AssumeTzTest(TempDirTest):
    """Naive timestamps meaning another zone, and a value that cannot be a
    boolean: into a PostgreSQL schema the application made."""

    def setUp(self):
        super().setUp()
        self.pg = Pg()
        self.src = self.path("src.db")
        con = sqlite3.connect(self.src)
        con.executescript("""
            CREATE TABLE ev (id INTEGER PRIMARY KEY, at DATETIME, ok BOOL, price DECIMAL);
            INSERT INTO ev VALUES (1, '2024-01-15 12:00:00', 1, 2.675),
                                  (2, '2024-07-15 12:00:00.5', 0, 0.30000000000000004),
                                  (3, '2024-07-15 12:00:00+00:00', 't', 7);
        """)
        con.commit()
        con.close()
        self.stage = self.path("src.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + self.src, "-o", self.stage), 0)
        self.pg.createdb("tz_target")
        self.pg.psql("tz_target", "CREATE TABLE ev (id int PRIMARY KEY, at timestamptz, "
                                  "ok boolean, price numeric(8,2))")

    def test_assume_tz(self):
        # 2.675 into numeric(8,2) would lose a digit: refused, never rounded silently;
        # so would 0.30000000000000004 (its shortest exact decimal), though
        # it reads as 0.3 at the 15 digits Django reads
        r = run("push", "--force", "--assume-tz", "Europe/Berlin", self.stage,
                self.pg.uri("tz_target"))
        self.assertExit(r, 1)
        self.assertIn("(id)=(1), column price: the value 2.675 has more decimals", r.err)
        self.assertEqual(self.pg.psql("tz_target", "SELECT count(*) FROM ev").strip(), "0")
        # verify against the target finds them, and rounds them in the stage when asked
        r = run("verify", "--target", self.pg.uri("tz_target"), "--assume-tz", "Europe/Berlin",
                self.stage)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"not-convertible\s+ev\.price\s+2\s+\(id\)=\(1\), \(id\)=\(2\)")
        r = run("verify", "--target", self.pg.uri("tz_target"), "--assume-tz", "Europe/Berlin",
                "--round-decimals", self.stage)
        self.assertExit(r, 0)
        self.assertRegex(r.out, r"decimal-rounded\s+ev\.price\s+2\s+\(id\)=\(1\), \(id\)=\(2\)")
        r = run("push", "--assume-tz", "Europe/Berlin", self.stage, self.pg.uri("tz_target"))
        self.assertExit(r, 0)
        got = self.pg.psql("tz_target", "SET TIME ZONE 'UTC'; SELECT id, at, ok, price "
                                        "FROM ev ORDER BY id")
        self.assertEqual(got.split("\n")[:3], [
            "1|2024-01-15 11:00:00+00|t|2.68",       # winter: +01, half-even of 2.675
            "2|2024-07-15 10:00:00.5+00|f|0.30",     # summer: +02; 0.3 as Django reads it
            "3|2024-07-15 12:00:00+00|t|7.00"])      # an offset was written: kept
        # the proof compared converted rows; verify --against does the same
        r = run("verify", "--against", self.pg.uri("tz_target"), "--assume-tz",
                "Europe/Berlin", self.stage)
        self.assertExit(r, 0)
        r = run("verify", "--against", self.pg.uri("tz_target"), self.stage)
        self.assertExit(r, 1)
        self.assertIn("ev", r.out + r.err)
        # --undo puts 2.675 back as pulled
        self.assertExit(run("verify", "--undo", self.stage), 0)
        con = sqlite3.connect(self.stage)
        tid = con.execute("SELECT tid FROM invs_tables WHERE name = 'ev'").fetchone()[0]
        got = con.execute("SELECT c3, typeof(c3) FROM invs_data_%d WHERE rowid = 1" % tid)
        self.assertEqual(got.fetchone(), (2.675, "real"))
        con.close()

    def test_bad_zone(self):
        r = run("push", "--force", "--assume-tz", "Mars/Olympus", self.stage,
                self.pg.uri("tz_target"))
        self.assertExit(r, 2)
        self.assertIn("time zone 'Mars/Olympus': no such zone", r.err)
        r = run("push", "--force", "--assume-tz", "+25:00", self.stage, self.pg.uri("tz_target"))
        self.assertExit(r, 2)
        self.assertIn("+25:00", r.err)

    def test_unconvertible_value_refused(self):
        con = sqlite3.connect(self.src)
        con.execute("UPDATE ev SET price = 2.67 WHERE id = 1")  # fits: the boolean is the point
        con.execute("UPDATE ev SET price = 0.3 WHERE id = 2")
        con.execute("INSERT INTO ev VALUES (4, '2024-01-01 00:00:00', 'maybe', 1)")
        con.commit()
        con.close()
        self.assertExit(run("pull", "-q", "sqlite:" + self.src, "-o", self.stage, "--force"), 0)
        # verify says so first: 'maybe' is the one value of the column that is no boolean
        r = run("verify", "--target", "postgres", self.stage)
        self.assertExit(r, 1)
        self.assertIn("not-a-boolean", r.out + r.err)
        self.assertIn("(id)=(4)", r.out + r.err)
        self.assertNotIn("(id)=(3)", r.out + r.err)
        r = run("push", "--force", self.stage, self.pg.uri("tz_target"))
        self.assertExit(r, 1)
        self.assertIn("(id)=(4)", r.err)
        self.assertIn("column ok", r.err)
        self.assertIn("'maybe' is not a boolean", r.err)
        self.assertEqual(self.pg.psql("tz_target", "SELECT count(*) FROM ev").strip(), "0")


if __name__ == "__main__":
    main()
