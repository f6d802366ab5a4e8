#!/usr/bin/env python3
"""The server dies in the middle of a push, or of a migrate loading beside
its pull: invstage exits 3 and, once the server is back, the target holds
exactly what it held before. Uses a server of its own (tools/pg-start),
since it stops it."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import INVSTAGE, Pg, TempDirTest, checked, Result, main, pg_env, run  # noqa: E402

TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools")


def read_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            env[k] = v.strip("'")
    return env


class ServerKilled(TempDirTest):
    def setUp(self):
        super().setUp()
        pg_env()  # skips where there is no server to be had
        self.envfile = self.path("own-pg.env")
        subprocess.run([os.path.join(TOOLS, "pg-start"), self.envfile], check=True,
                       stdout=subprocess.DEVNULL)
        self.env = read_env(self.envfile)
        self.pg = Pg(self.env)

    def tearDown(self):
        subprocess.run([os.path.join(TOOLS, "pg-stop"), self.envfile])
        super().tearDown()

    def pg_ctl(self, *args):
        cmd = [os.path.join(self.env["INVS_PG_BIN"], "pg_ctl"), "-D",
               os.path.join(self.env["INVS_PG_DIR"], "data")] + list(args)
        if self.env["INVS_PG_RUNAS"] == "postgres" and os.getuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)

    def stop_when_rows_flow(self, proc, db):
        deadline = time.time() + 60
        while time.time() < deadline:  # wait until rows are flowing
            active = self.pg.psql("postgres", "SELECT count(*) FROM pg_stat_activity "
                                              "WHERE query LIKE 'COPY %%' AND datname = '%s'" % db)
            if active.strip() != "0" or proc.poll() is not None:
                break
            time.sleep(0.02)
        self.assertIsNone(proc.poll(), "it ended before the server could be stopped")
        self.pg_ctl("stop", "-m", "immediate", "-w")
        out, err = proc.communicate(timeout=120)
        return checked(Result(proc.returncode, out.decode(), err.decode()))

    def restart(self):
        self.pg_ctl("start", "-w", "-t", "60", "-l", os.path.join(self.env["INVS_PG_DIR"], "server.log"),
                    "-o", self.env["INVS_PG_OPTS"])

    def test_stopped_mid_migrate(self):
        src = self.path("big.db")
        subprocess.run([sys.executable, os.path.join(TOOLS, "gen-bench-db"), src, "400000"], check=True)
        db = self.pg.createdb("victim2")
        self.pg.psql(db, "CREATE TABLE keep (x int PRIMARY KEY, v text); INSERT INTO keep VALUES (1, 'before')")
        before = self.pg.copy_out(db, "keep")
        proc = subprocess.Popen([INVSTAGE, "migrate", "-v", "sqlite:" + src, self.pg.uri(db)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                env=dict(os.environ, TMPDIR=self.dir))
        r = self.stop_when_rows_flow(proc, db)
        self.assertIn("while the source is read", r.err)  # it was loading beside the pull
        self.assertExit(r, 3)
        self.assertRegex(r.err, "server closed the connection|terminating connection|"
                                "connection to server .* lost|no connection to the server|"
                                "Connection refused")
        self.assertNotIn(self.env["PGPASSWORD"], r.err)
        self.assertIn("invstage migrate: ", r.err)
        self.assertRegex(r.err, "the stage is kept at ")
        self.restart()
        self.assertEqual(self.pg.tables(db), ["keep"])
        self.assertEqual(self.pg.copy_out(db, "keep"), before)

    def test_stopped_mid_push(self):
        src, stage = self.path("big.db"), self.path("big.stage")
        subprocess.run([sys.executable, os.path.join(TOOLS, "gen-bench-db"), src, "400000"], check=True)
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        db = self.pg.createdb("victim")
        self.pg.psql(db, "CREATE TABLE keep (x int PRIMARY KEY, v text); INSERT INTO keep VALUES (1, 'before')")
        before = self.pg.copy_out(db, "keep")

        push = subprocess.Popen([INVSTAGE, "push", "--force", stage, self.pg.uri(db)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        r = self.stop_when_rows_flow(push, db)
        self.assertExit(r, 3)
        self.assertRegex(r.err, "server closed the connection|terminating connection|"
                                "connection to server .* lost|no connection to the server")
        self.assertNotIn(self.env["PGPASSWORD"], r.err)
        self.assertIn("invstage push: ", r.err)  # our message, not only libpq's
        self.restart()
        self.assertEqual(self.pg.tables(db), ["keep"])
        self.assertEqual(self.pg.copy_out(db, "keep"), before)
        # and the same push, undisturbed, then goes through
        self.assertExit(run("push", "--force", "-q", stage, self.pg.uri(db)), 0)
        self.assertEqual(self.pg.psql(db, "SELECT count(*) FROM orders"), "240000\n")


if __name__ == "__main__":
    main()
