#!/usr/bin/env python3
"""MariaDB killed (kill -9) in the middle of a push: invstage exits 3 and,
once the server is back, the target holds exactly what it held before, and
no table this push created is left (MySQL's DDL is not transactional: the
driver reconnects and drops them). Uses a server of its own
(tools/my-start), since it kills it."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import INVSTAGE, My, Result, TempDirTest, checked, main, my_env, run  # noqa: E402

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
        my_env()  # skips where there is no server to be had
        self.envfile = self.path("own-my.env")
        subprocess.run([os.path.join(TOOLS, "my-start"), self.envfile], check=True,
                       stdout=subprocess.DEVNULL)
        self.env = read_env(self.envfile)
        self.my = My(self.env)

    def tearDown(self):
        subprocess.run([os.path.join(TOOLS, "my-stop"), self.envfile])
        super().tearDown()

    def server_pid(self):
        with open(self.env["INVS_MY_PIDFILE"]) as f:
            return int(f.read().strip())

    def test_killed_mid_push(self):
        src, stage = self.path("big.db"), self.path("big.stage")
        subprocess.run([sys.executable, os.path.join(TOOLS, "gen-bench-db"), src, "300000"],
                       check=True)
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        db = self.my.createdb("victim")
        self.my.sql(db, "CREATE TABLE keep (x int PRIMARY KEY, v text); INSERT INTO keep VALUES (1, 'before')")
        before = self.my.rows(db, "keep")

        push = subprocess.Popen([INVSTAGE, "push", "--force", stage, self.my.uri(db)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:  # wait until rows are flowing
            active = self.my.client(None, "SELECT count(*) FROM information_schema.PROCESSLIST "
                                          "WHERE INFO LIKE 'LOAD DATA%' AND DB = 'victim'")
            if active.strip() != "0" or push.poll() is not None:
                break
            time.sleep(0.02)
        self.assertIsNone(push.poll(), "the push ended before the server could be killed")
        pid = self.server_pid()
        os.kill(pid, 9)
        while os.path.exists("/proc/%d" % pid):
            time.sleep(0.05)
        # the server comes back, as a service manager would bring it back
        subprocess.run([self.env["INVS_MY_START"]], check=True)
        out, err = push.communicate(timeout=120)
        r = checked(Result(push.returncode, out.decode(), err.decode()))
        self.assertExit(r, 3)
        self.assertRegex(r.err, "Lost connection|server has gone away|Server has gone away")
        self.assertNotIn(self.env["INVS_MY_PASSWORD"], r.err)
        self.assertIn("invstage push: ", r.err)
        self.assertNotIn("could not be dropped", r.err)

        deadline = time.time() + 60
        while time.time() < deadline:
            if subprocess.run(["mariadb", "--defaults-file=" + self.env["INVS_MY_CNF"], "-e", "SELECT 1"],
                              capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        self.assertEqual(self.my.tables(db), ["keep"])  # no table of this push is left
        self.assertEqual(self.my.rows(db, "keep"), before)
        # and the same push, undisturbed, then goes through
        self.assertExit(run("push", "--force", "-q", stage, self.my.uri(db)), 0)
        self.assertEqual(self.my.sql(db, "SELECT count(*) FROM orders"), "180000\n")

    def test_server_gone_for_good_names_what_is_left(self):
        src, stage = self.path("small.db"), self.path("small.stage")
        subprocess.run([sys.executable, os.path.join(TOOLS, "gen-bench-db"), src, "200000"],
                       check=True)
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        db = self.my.createdb("gone")
        push = subprocess.Popen([INVSTAGE, "push", "--force", "-O", "reconnect_wait=1", stage,
                                 self.my.uri(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            active = self.my.client(None, "SELECT count(*) FROM information_schema.PROCESSLIST "
                                          "WHERE INFO LIKE 'LOAD DATA%' AND DB = 'gone'")
            if active.strip() != "0" or push.poll() is not None:
                break
            time.sleep(0.02)
        self.assertIsNone(push.poll())
        os.kill(self.server_pid(), 9)
        out, err = push.communicate(timeout=60)
        r = checked(Result(push.returncode, out.decode(), err.decode()))
        self.assertExit(r, 3)
        # it says which tables it made and could not drop, never the password
        self.assertIn("could not be dropped again", r.err)
        self.assertIn("customers", r.err)
        self.assertNotIn(self.env["INVS_MY_PASSWORD"], r.err)


if __name__ == "__main__":
    main()
