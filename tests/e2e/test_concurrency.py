#!/usr/bin/env python3
"""Two pushes of one stage at once into tables that exist and are empty (as
after an application's migrate), with and without primary keys, on SQLite,
PostgreSQL and MariaDB: one loads, the other waits and is then refused as
non-empty; no row is ever loaded twice. A lock held by an application
transaction is waited for no longer than --lock-timeout, and the refusal
names the table (and, on PostgreSQL, the holder's pid)."""
import os
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import INVSTAGE, My, Pg, TempDirTest, main, make_db, run  # noqa: E402

SCHEMA = """
    CREATE TABLE keyed(id INTEGER PRIMARY KEY, v TEXT);
    CREATE TABLE unkeyed(v TEXT, n INTEGER);
"""
ROWS = 150000


def start(*args):
    return subprocess.Popen([INVSTAGE] + [str(a) for a in args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)


def finish(p):
    out, err = p.communicate()
    return p.returncode, err.decode()


class Concurrent(TempDirTest):
    def setUp(self):
        super().setUp()
        src = self.path("src.db")
        make_db(src, SCHEMA + """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
            INSERT INTO keyed SELECT i, printf('row %%d', i) FROM n;
            INSERT INTO unkeyed SELECT v, id FROM keyed;
        """ % ROWS)
        # one stage per table: a key would stop a second load by itself
        self.stages = {}
        for t in ("keyed", "unkeyed"):
            self.stages[t] = self.path(t + ".stage")
            self.assertExit(run("pull", "-q", "sqlite:" + src, "-t", t, "-o", self.stages[t]), 0)

    def two_pushes(self, stage, target):
        a = start("push", "--force", "--lock-timeout", "60s", stage, target)
        time.sleep(0.05)
        b = start("push", "--force", "--lock-timeout", "60s", stage, target)
        (ra, ea), (rb, eb) = finish(a), finish(b)
        self.assertEqual(sorted([ra, rb]), [0, 1], ea + eb)
        self.assertIn("is not empty", ea + eb)

    def test_sqlite(self):
        for t, stage in self.stages.items():
            with self.subTest(table=t):
                target = self.path(t + ".db")
                make_db(target, SCHEMA)
                self.two_pushes(stage, "sqlite:" + target)
                con = sqlite3.connect(target)
                self.assertEqual(con.execute("SELECT count(*) FROM %s" % t).fetchone()[0], ROWS)
                con.close()

    def two_pushes_into_a_server(self, server, sql):
        """Each table into a new database of server, made as an
        application's migrate would; sql(db, query) runs a query there."""
        for t, stage in self.stages.items():
            with self.subTest(table=t):
                db = server.createdb("concurrent_" + t)
                sql(db, SCHEMA.replace("INTEGER PRIMARY KEY", "bigint PRIMARY KEY"))
                self.two_pushes(stage, server.uri(db))
                self.assertEqual(sql(db, "SELECT count(*) FROM %s" % t).strip(), str(ROWS))

    def test_postgres(self):
        pg = Pg()
        self.two_pushes_into_a_server(pg, pg.psql)

    def test_mariadb(self):
        my = My()
        self.two_pushes_into_a_server(my, my.sql)


class LockTimeout(TempDirTest):
    def setUp(self):
        super().setUp()
        src = self.path("src.db")
        make_db(src, SCHEMA + "INSERT INTO keyed VALUES (1, 'a'); INSERT INTO unkeyed VALUES ('a', 1);")
        self.stage = self.path("s.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", self.stage), 0)

    def test_postgres_names_the_table_and_the_holder(self):
        import psycopg2
        pg = Pg()
        db = pg.createdb("locked")
        pg.psql(db, SCHEMA.replace("INTEGER PRIMARY KEY", "bigint PRIMARY KEY"))
        app = psycopg2.connect(dbname=db, host=pg.env["PGHOST"], port=pg.env["PGPORT"],
                               user=pg.env["PGUSER"], password=pg.env["PGPASSWORD"])
        cur = app.cursor()
        cur.execute("INSERT INTO unkeyed VALUES ('app', 0)")  # uncommitted: a writer's lock
        holder = app.get_backend_pid()
        t0 = time.time()
        r = run("push", "--force", "--lock-timeout", "1s", self.stage, pg.uri(db))
        took = time.time() - t0
        app.rollback()
        app.close()
        self.assertExit(r, 1)
        self.assertIn("table unkeyed is locked by another session (pid %d)" % holder, r.err)
        self.assertLess(took, 8)
        self.assertEqual(pg.psql(db, "SELECT count(*) FROM keyed").strip(), "0")

    def test_mariadb_names_the_table(self):
        my = My()
        db = my.createdb("locked")
        my.sql(db, SCHEMA.replace("INTEGER PRIMARY KEY", "bigint PRIMARY KEY"))
        # an application's transaction: a row written, not yet committed
        app = subprocess.Popen(["mariadb", "--defaults-file=" + my.env["INVS_MY_CNF"], "-N", "-B",
                                "--unbuffered", db], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
        app.stdin.write("START TRANSACTION; INSERT INTO unkeyed VALUES ('app', 0); "
                        "SELECT 'ready';\n")
        app.stdin.flush()
        self.assertEqual(app.stdout.readline(), "ready\n")
        t0 = time.time()
        r = run("push", "--force", "--lock-timeout", "1s", self.stage, my.uri(db))
        took = time.time() - t0
        app.stdin.write("ROLLBACK;\n")
        app.stdin.close()
        app.wait(timeout=30)
        self.assertExit(r, 1)
        self.assertIn("table unkeyed is locked by another session", r.err)
        self.assertLess(took, 8)
        self.assertEqual(my.sql(db, "SELECT count(*) FROM keyed"), "0\n")
        self.assertEqual(my.sql(db, "SELECT count(*) FROM unkeyed"), "0\n")

    def test_sqlite_names_the_target(self):
        target = self.path("t.db")
        make_db(target, SCHEMA)
        app = sqlite3.connect(target, isolation_level=None)
        app.execute("BEGIN IMMEDIATE")
        t0 = time.time()
        r = run("push", "--force", "--lock-timeout", "500ms", self.stage, "sqlite:" + target)
        took = time.time() - t0
        app.execute("ROLLBACK")
        app.close()
        self.assertExit(r, 1)
        self.assertIn("is locked by another connection", r.err)
        self.assertLess(took, 5)

    def test_a_bad_duration_is_a_usage_error(self):
        r = run("push", "--lock-timeout", "soon", self.stage, "sqlite:" + self.path("x.db"))
        self.assertExit(r, 2)
        self.assertIn("--lock-timeout takes a duration", r.err)


if __name__ == "__main__":
    main()
