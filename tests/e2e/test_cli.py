#!/usr/bin/env python3
"""The command line: help that is true, versions, usage errors, drivers,
info, and quiet output when stderr is not a terminal."""
import glob
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import INVSTAGE, MOCK_DIR, TempDirTest, main, run  # noqa: E402


class Cli(TempDirTest):
    def test_help_on_every_subcommand(self):
        for cmd in ("pull", "push", "info", "plugins"):
            r = run(cmd, "--help")
            self.assertExit(r, 0)
            self.assertTrue(r.out.startswith("Usage: invstage " + cmd), r.out)
        r = run("--help")
        self.assertExit(r, 0)
        for cmd in ("pull", "push", "info", "plugins"):
            self.assertIn("  " + cmd, r.out)

    def test_help_lists_every_option_the_command_accepts(self):
        r = run("pull", "--help")
        for opt in ("--output", "--table", "--exclude", "--force", "--quiet"):
            self.assertIn(opt, r.out)
        r = run("push", "--force", "--help")
        for opt in ("--clear", "--quiet"):
            self.assertIn(opt, r.out)

    def test_version(self):
        r = run("--version")
        self.assertExit(r, 0)
        self.assertRegex(r.out, r"^invstage \d+\.\d+\.\d+ \(stage format 1, driver ABI 1\.2\)")

    def test_usage_errors_exit_2(self):
        self.assertExit(run(), 2)
        self.assertExit(run("frobnicate"), 2)
        r = run("pull", "sqlite:x.db")
        self.assertExit(r, 2)
        self.assertIn("missing -o STAGE", r.err)
        self.assertExit(run("push", "--force", "only-one"), 2)
        self.assertExit(run("info"), 2)
        self.assertExit(run("pull", "--no-such-option"), 2)

    def test_driver_options_the_driver_does_not_know_are_refused(self):
        src = self.path("a.db")
        sqlite3.connect(src).executescript("CREATE TABLE t (x);")
        r = run("pull", "--schema", "public", "sqlite:" + src, "-o", self.path("a.stage"))
        self.assertExit(r, 2)
        self.assertIn("the sqlite driver has no option 'schema'", r.err)
        r = run("push", "--force", "-O", "nope=1", self.path("a.stage"), "sqlite:" + self.path("b.db"))
        self.assertExit(r, 3)  # no stage: the stage is checked first
        r = run("pull", "-O", "novalue", "sqlite:" + src, "-o", self.path("a.stage"))
        self.assertExit(r, 2)
        self.assertEqual(sorted(os.listdir(self.dir)), ["a.db"])

    def test_plugins_lists_the_sqlite_driver(self):
        r = run("plugins")
        self.assertExit(r, 0)
        line = [l for l in r.out.splitlines() if l.startswith("sqlite ")]
        self.assertEqual(len(line), 1, r.out)
        self.assertIn("ABI 1.2", line[0])
        self.assertIn("sqlite:", line[0])
        self.assertIn("pull, push, create", line[0])

    def test_plugins_reports_the_abi_verdict_on_a_file(self):
        r = run("plugins", os.path.join(MOCK_DIR, "invs_mock_major.so"))
        self.assertExit(r, 3)
        self.assertIn("ABI 2.2", r.err)
        self.assertIn("ABI 1.2", r.err)
        r = run("plugins", "-v", os.path.join(MOCK_DIR, "invs_mock.so"))
        self.assertExit(r, 0)
        self.assertIn("ABI compatible", r.out)

    def test_plugin_path_from_the_environment(self):
        r = run("plugins", "mock")
        self.assertExit(r, 3)
        self.assertIn("no driver 'mock'", r.err)
        r = run("plugins", "mock", env={"INVSTAGE_PLUGIN_PATH": "/nonexistent:" + MOCK_DIR})
        self.assertExit(r, 0)
        self.assertTrue(r.out.startswith("mock "), r.out)

    def test_info_shows_source_state_and_counts(self):
        src = self.path("a.db")
        con = sqlite3.connect(src)
        con.executescript("CREATE TABLE t1 (x); CREATE TABLE \"t 2\" (y);"
                          "INSERT INTO t1 VALUES (1), (2), (3);")
        con.close()
        stage = self.path("a.stage")
        r = run("pull", "sqlite:" + src, "-o", stage)
        self.assertExit(r, 0)
        self.assertIn("2 table(s), 3 row(s)", r.out)
        self.assertEqual(r.err, "")  # no progress when stderr is not a terminal
        r = run("info", stage)
        self.assertExit(r, 0)
        self.assertRegex(r.out, r"state:\s+pulled")
        self.assertIn("sqlite:" + src, r.out)
        self.assertRegex(r.out, r"\nt1\s+3\s+3\n")
        self.assertRegex(r.out, r"\nt 2\s+0\s+0\n")

    def test_quiet_prints_nothing_on_success(self):
        src = self.path("a.db")
        sqlite3.connect(src).executescript("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        r = run("pull", "-q", "sqlite:" + src, "-o", self.path("a.stage"))
        self.assertExit(r, 0)
        self.assertEqual((r.out, r.err), ("", ""))
        r = run("push", "--force", "--quiet", self.path("a.stage"), "sqlite:" + self.path("b.db"))
        self.assertExit(r, 0)
        self.assertEqual((r.out, r.err), ("", ""))

    def test_absolute_uri_form(self):
        src = self.path("a b.db")
        sqlite3.connect(src).executescript("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        uri = "sqlite://" + src.replace(" ", "%20")
        self.assertExit(run("pull", "-q", uri, "-o", self.path("a.stage")), 0)
        r = run("push", "--force", self.path("a.stage"), "sqlite:///" + self.path("c%20d.db").lstrip("/"))
        self.assertExit(r, 0)
        self.assertTrue(os.path.exists(self.path("c d.db")))

    def test_warnings_name_what_is_not_copied(self):
        src = self.path("v.db")
        sqlite3.connect(src).executescript(
            "CREATE TABLE t (a INTEGER, b INTEGER GENERATED ALWAYS AS (a * 2));"
            "CREATE INDEX t_expr ON t (a + 1);"
            "CREATE TABLE \"check\" (\"check\" INTEGER, x TEXT DEFAULT 'CHECK (no)');"
            "CREATE TABLE c2 (n INTEGER CHECK (n > 0));"
            "CREATE VIEW v AS SELECT a FROM t;"
            "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;"
            "INSERT INTO t (a) VALUES (1);")
        r = run("pull", "sqlite:" + src, "-o", self.path("v.stage"))
        self.assertExit(r, 0)
        self.assertIn("generated column b is not copied", r.err)
        self.assertNotIn("view v", r.err)  # views are copied now (after the data)
        self.assertIn("trigger tr on table t is not copied", r.err)
        self.assertTrue(re.search(r"warning", r.err))
        # an index on an expression and a CHECK are copied now, and a name
        # and a string that spell CHECK are neither
        self.assertNotIn("index t_expr", r.err)
        self.assertNotIn("CHECK", r.err)
        target = self.path("w.db")
        self.assertExit(run("push", "-q", "--force", self.path("v.stage"), "sqlite:" + target), 0)
        con = sqlite3.connect(target)
        sqls = dict(con.execute("SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL"))
        con.close()
        self.assertIn("(a + 1)", sqls["t_expr"])
        self.assertIn("CHECK (n > 0)", sqls["c2"])
        self.assertEqual(sqls["check"].count("CHECK"), 1)  # the string only
        self.assertIn("DEFAULT ('CHECK (no)')", sqls["check"])
        self.assertEqual(sqls["v"], 'CREATE VIEW "v" AS SELECT a FROM t')  # names always quoted


class Interactive(TempDirTest):
    def big_source(self):
        src = self.path("big.db")
        gen = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "gen-bench-db")
        subprocess.run([sys.executable, gen, src, "300000"], check=True)
        return src

    def test_ctrl_c_during_pull_leaves_nothing(self):
        src = self.big_source()
        stage = self.path("s.stage")
        p = subprocess.Popen([INVSTAGE, "pull", "sqlite:" + src, "-o", stage],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        deadline = time.time() + 30
        while time.time() < deadline and not glob.glob(stage + ".invs-tmp-*"):
            time.sleep(0.005)  # until the stage is being written
        time.sleep(0.05)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 3, err)
        self.assertIn("interrupted", err.decode())
        self.assertEqual(sorted(os.listdir(self.dir)), ["big.db"])

    def test_progress_on_a_terminal(self):
        if not shutil.which("script"):
            self.skipTest("no script(1) to give invstage a terminal")
        src = self.big_source()
        stage = self.path("s.stage")
        log = self.path("tty.log")
        cmd = "%s pull sqlite:%s -o %s" % (INVSTAGE, src, stage)
        subprocess.run(["script", "-qec", cmd, log], check=True, stdout=subprocess.DEVNULL,
                       stdin=subprocess.DEVNULL)
        with open(log, "rb") as f:
            shown = f.read().decode("utf-8", "replace")
        self.assertRegex(shown, r"pull orders: \d+/180000 rows")
        self.assertIn("pulled into", shown)


if __name__ == "__main__":
    main()
