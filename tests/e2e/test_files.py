#!/usr/bin/env python3
"""Nothing half-written left behind, never the user's own file: stale
temporaries of killed runs are removed by the next run, a new SQLite target
appears only whole, two pulls to one -o do not silently replace each other,
a pull never replaces its own source, and a full disk leaves an existing
target as it was."""
import glob
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import INVSTAGE, TempDirTest, main, make_db, run, sha256  # noqa: E402


def big_db(path, rows):
    make_db(path, """
        CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
        INSERT INTO t SELECT i, printf('row %%d with some text to make it wider', i) FROM n;
    """ % rows)


def dead_pid():
    """The PID of a process that has ended."""
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def start(*args):
    return subprocess.Popen([INVSTAGE] + [str(a) for a in args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)


class Leftovers(TempDirTest):
    def test_a_later_pull_removes_temporaries_of_dead_pulls(self):
        src = self.path("a.db")
        make_db(src, "CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        stage = self.path("s.stage")
        stale = "%s.invs-tmp-%d" % (stage, dead_pid())
        live = "%s.invs-tmp-%d" % (stage, os.getpid())  # a run still going
        for p in (stale, live):
            with open(p, "w") as f:
                f.write("half a stage")
        r = run("info", stale)
        self.assertNotEqual(r.rc, 0)
        self.assertIn("temporary file of a run", r.err)
        self.assertIn("no longer running", r.err)
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        self.assertFalse(os.path.exists(stale))
        self.assertTrue(os.path.exists(live))

    def test_a_killed_push_leaves_no_new_target_and_the_next_cleans_up(self):
        src = self.path("big.db")
        big_db(src, 400000)
        stage = self.path("big.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        target = self.path("new.db")
        p = start("push", "-q", "--force", stage, "sqlite:" + target)
        deadline = time.time() + 30
        while not glob.glob(target + ".invs-tmp-*") and time.time() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)
        p.send_signal(signal.SIGKILL)
        p.communicate()
        self.assertFalse(os.path.exists(target), "a killed push left " + target)
        self.assertEqual(len(glob.glob(target + ".invs-tmp-*[0-9]")), 1)
        self.assertExit(run("push", "-q", "--force", "--no-check", stage, "sqlite:" + target), 0)
        self.assertEqual(glob.glob(target + ".invs-tmp-*"), [])
        con = sqlite3.connect(target)
        self.assertEqual(con.execute("SELECT count(*) FROM t").fetchone()[0], 400000)
        con.close()


class NeverTheUsersFile(TempDirTest):
    def test_pull_never_replaces_its_source(self):
        src = self.path("x.db")
        make_db(src, "CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        before = sha256(src)
        r = run("pull", "--force", "sqlite:" + src, "-o", src)
        self.assertExit(r, 2)
        self.assertIn("reads from", r.err)
        self.assertEqual(sha256(src), before)
        self.assertEqual(glob.glob(self.path("*invs-tmp*")), [])

    def test_two_pulls_to_one_stage_do_not_replace_each_other(self):
        src = self.path("big.db")
        big_db(src, 300000)
        stage = self.path("one.stage")
        a = start("pull", "-q", "sqlite:" + src, "-o", stage)
        b = start("pull", "-q", "sqlite:" + src, "-o", stage)
        (_, ea), (_, eb) = a.communicate(), b.communicate()
        ra, rb, errs = a.returncode, b.returncode, (ea + eb).decode()
        self.assertIn(sorted([ra, rb]), ([0, 1], [0, 2]), errs)
        self.assertTrue("appeared while this run wrote it" in errs or "already exists" in errs,
                        errs)
        self.assertExit(run("info", stage), 0)
        self.assertEqual(glob.glob(self.path("*invs-tmp*")), [])

    def test_a_full_disk_leaves_an_existing_target_as_it_was(self):
        if os.geteuid() != 0:
            self.skipTest("mounting a small tmpfs needs root")
        mnt = tempfile.mkdtemp(prefix="invs-full-")
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mnt]).returncode:
            os.rmdir(mnt)
            self.skipTest("cannot mount a tmpfs here")
        try:
            src = self.path("big.db")
            big_db(src, 600000)  # more than the page cache holds: it spills mid-load
            stage = self.path("big.stage")
            self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
            target = os.path.join(mnt, "t.db")
            # big enough that SQLite journals pages it changes, as a real target
            make_db(target, "CREATE TABLE keep(a); INSERT INTO keep SELECT randomblob(1000)"
                            " FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1"
                            " FROM n WHERE i < 90) SELECT i FROM n);")
            before, size = sha256(target), os.path.getsize(target)
            r = run("push", "--force", stage, "sqlite:" + target)
            self.assertExit(r, 3)
            self.assertIn("full", r.err.lower())
            self.assertEqual(sorted(os.listdir(mnt)), ["t.db"])  # no journal, no temporary
            self.assertEqual(os.path.getsize(target), size)
            self.assertEqual(sha256(target), before)
            # a new target on the full disk: nothing at all is left
            r = run("push", "--force", stage, "sqlite:" + os.path.join(mnt, "new.db"))
            self.assertExit(r, 3)
            self.assertEqual(sorted(os.listdir(mnt)), ["t.db"])
        finally:
            subprocess.run(["umount", mnt])
            os.rmdir(mnt)


if __name__ == "__main__":
    main()
