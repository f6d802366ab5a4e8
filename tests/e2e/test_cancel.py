#!/usr/bin/env python3
"""Ctrl-C, SIGTERM and SIGHUP stop a push in every phase: while rows load,
while keys and indexes are built, while sequences are set, while the proof
reads the target back, and while it waits for a lock. A stopped push rolls
back and exits 3; the target is as it was."""
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import INVSTAGE, MOCK_DIR, Pg, TempDirTest, main, make_db, run  # noqa: E402

ROWS = 300000
PHASES = [  # what push -v says as it enters a phase
    ("loading rows", "loading table child"),
    ("building keys", "building keys and indexes"),
    ("setting sequences", "setting sequences"),
    ("reading back", "reading the target back"),
]


def push_until(args, marker, sig):
    """Run push -v; send sig when a line of its stderr holds marker."""
    p = subprocess.Popen([INVSTAGE, "push", "-v"] + [str(a) for a in args],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, text=True)
    lines = []

    def watch():
        sent = False
        for line in p.stderr:
            lines.append(line)
            if not sent and marker in line:
                p.send_signal(sig)
                sent = True
    t = threading.Thread(target=watch)
    t.start()
    p.stdout.read()
    p.wait()
    t.join()
    return p.returncode, "".join(lines)


class Cancel(TempDirTest):
    def setUp(self):
        super().setUp()
        src = self.path("src.db")
        make_db(src, """
            CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT UNIQUE);
            CREATE TABLE child(id INTEGER PRIMARY KEY, pid INTEGER REFERENCES parent(id),
                               v TEXT);
            CREATE INDEX child_v ON child(v);
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
            INSERT INTO parent SELECT i, printf('name %%d', i) FROM n;
            INSERT INTO child SELECT id, id, printf('v %%d', id) FROM parent;
        """ % ROWS)
        self.stage = self.path("s.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", self.stage), 0)

    def check_stopped(self, rc, err, what):
        self.assertEqual(rc, 3, "%s\n%s" % (what, err))
        self.assertIn("interrupted", err, what)

    def test_postgres_every_phase(self):
        pg = Pg()
        # the progress lines a phase shows only on a terminal: -v names the phases
        for n, (what, marker) in enumerate(PHASES):
            with self.subTest(phase=what):
                db = pg.createdb("cancel_%d" % n)
                sig = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)[n % 3]
                rc, err = push_until(["--force", self.stage, pg.uri(db)], marker, sig)
                self.check_stopped(rc, err, what)
                self.assertEqual(pg.tables(db), [], what)

    def test_postgres_while_waiting_for_a_lock(self):
        import psycopg2
        pg = Pg()
        db = pg.createdb("cancel_lock")
        pg.psql(db, "CREATE TABLE parent(id bigint PRIMARY KEY, name text UNIQUE);"
                    "CREATE TABLE child(id bigint PRIMARY KEY, pid bigint, v text)")
        app = psycopg2.connect(dbname=db, host=pg.env["PGHOST"], port=pg.env["PGPORT"],
                               user=pg.env["PGUSER"], password=pg.env["PGPASSWORD"])
        app.cursor().execute("INSERT INTO parent VALUES (0, 'app')")  # not committed
        p = subprocess.Popen([INVSTAGE, "push", "--force", "--lock-timeout", "none", self.stage,
                              pg.uri(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL, text=True)
        time.sleep(1.5)
        self.assertIsNone(p.poll(), "push did not wait for the lock")
        t0 = time.time()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
        app.rollback()
        app.close()
        self.check_stopped(p.returncode, err, "waiting for a lock")
        self.assertLess(time.time() - t0, 5)
        self.assertEqual(pg.psql(db, "SELECT count(*) FROM parent").strip(), "0")

    def test_sqlite_every_phase(self):
        for n, (what, marker) in enumerate(PHASES):
            with self.subTest(phase=what):
                target = self.path("t%d.db" % n)
                sig = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)[n % 3]
                rc, err = push_until(["--force", self.stage, "sqlite:" + target], marker, sig)
                self.check_stopped(rc, err, what)
                self.assertFalse(os.path.exists(target), what)
        # into an existing database: untouched
        target = self.path("keep.db")
        make_db(target, "CREATE TABLE keep(a); INSERT INTO keep VALUES (1);")
        rc, err = push_until(["--force", self.stage, "sqlite:" + target],
                             "building keys and indexes", signal.SIGINT)
        self.check_stopped(rc, err, "existing target")
        con = sqlite3.connect(target)
        self.assertEqual([r[0] for r in con.execute("SELECT name FROM sqlite_schema")], ["keep"])
        con.close()

    def test_sqlite_while_waiting_for_a_lock(self):
        # another process writes: push waits (--lock-timeout none) until Ctrl-C
        for mode in ("IMMEDIATE", "EXCLUSIVE"):
            with self.subTest(lock=mode):
                target = self.path("locked_%s.db" % mode)
                make_db(target, "CREATE TABLE app(a); INSERT INTO app VALUES (1);")
                app = sqlite3.connect(target, isolation_level=None)
                app.execute("BEGIN " + mode)
                app.execute("INSERT INTO app VALUES (2)")
                p = subprocess.Popen([INVSTAGE, "push", "--force", "--lock-timeout", "none",
                                      self.stage, "sqlite:" + target],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, text=True)
                time.sleep(1.5)
                self.assertIsNone(p.poll(), "push did not wait for the lock")
                t0 = time.time()
                p.send_signal(signal.SIGINT)
                try:
                    out, err = p.communicate(timeout=10)
                finally:
                    p.kill()
                    app.execute("ROLLBACK")
                    app.close()
                self.check_stopped(p.returncode, err, "waiting for a SQLite lock")
                self.assertLess(time.time() - t0, 3)
                con = sqlite3.connect(target)
                self.assertEqual([r[0] for r in con.execute("SELECT name FROM sqlite_schema")],
                                 ["app"])
                con.close()

    def test_a_signal_during_commit_comes_too_late_to_stop_it(self):
        # the mock target raises SIGINT inside its own commit, then commits:
        # what is committed stays, and is reported as committed (its tables
        # are made before the transaction, and a failed push drops them)
        target = self.path("mock")
        os.mkdir(target)
        r = run("push", "--force", "--no-check", self.stage,
                "mockt:" + target + "?signal=commit", env={"INVSTAGE_PLUGIN_PATH": MOCK_DIR})
        self.assertExit(r, 0)
        self.assertNotIn("nothing was committed", r.err)
        self.assertIn("after the commit", r.err)
        self.assertEqual(sorted(os.listdir(target)), ["child.tbl", "parent.tbl"])
        with open(os.path.join(target, "child.tbl")) as f:
            self.assertEqual(sum(1 for _ in f), ROWS + 1)


if __name__ == "__main__":
    main()
