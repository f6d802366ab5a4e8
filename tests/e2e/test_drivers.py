#!/usr/bin/env python3
"""What a third-party driver may rely on, tried with small drivers built
against the SDK headers alone (tests/mock/): a target whose DDL is not
transactional is left exactly as it was when a push fails; a driver's own
limits drive `verify --target`; a driver that pushes without reading back,
an entry point that refuses, a driver loaded for a scheme it does not
serve, and a driver table of ABI 1.1 are each handled cleanly."""
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import MOCK_DIR, TempDirTest, main, make_db, run  # noqa: E402

ENV = {"INVSTAGE_PLUGIN_PATH": MOCK_DIR}


def listing(d):
    """Every file of a directory with its bytes."""
    out = {}
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name), "rb") as f:
            out[name] = f.read()
    return out


class NonTransactionalDdl(TempDirTest):
    """mockt: tables are files made at once, rows wait for commit."""

    def setUp(self):
        super().setUp()
        src = self.path("src.db")
        make_db(src, """
            CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT);
            CREATE TABLE child(id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id),
                               note TEXT);
            INSERT INTO parent VALUES (1, 'one'), (2, 'two'), (3, 'three');
            INSERT INTO child VALUES (10, 1, 'a'), (11, 2, NULL), (12, 3, 'c'), (13, 1, 'd');
        """)
        self.stage = self.path("s.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", self.stage), 0)
        self.target = self.path("target")
        os.mkdir(self.target)

    def push(self, *args, fail=None):
        uri = "mockt:" + self.target + ("?fail=%d" % fail if fail else "")
        return run("push", "--force", *args, self.stage, uri, env=ENV)

    def test_a_failed_push_drops_the_tables_it_created(self):
        r = self.push(fail=2)
        self.assertExit(r, 3)
        self.assertIn("failure injected at row 2", r.err)
        self.assertEqual(listing(self.target), {})

    def test_a_failed_push_leaves_existing_tables_as_they_were(self):
        self.assertExit(self.push(), 0)
        os.unlink(os.path.join(self.target, "child.tbl"))
        before = listing(self.target)
        self.assertEqual(list(before), ["parent.tbl"])
        r = self.push("-c", fail=3)
        self.assertExit(r, 3)
        self.assertEqual(listing(self.target), before)

    def test_a_push_creates_first_loads_and_proves(self):
        r = self.push()
        self.assertExit(r, 0)
        files = listing(self.target)
        self.assertEqual(sorted(files), ["child.tbl", "parent.tbl"])
        self.assertEqual(files["parent.tbl"],
                         b"#id=int64 name=text\n1\tone\n2\ttwo\n3\tthree\n")
        self.assertEqual(files["child.tbl"].count(b"\n"), 5)
        r = run("verify", "--against", "mockt:" + self.target, self.stage, env=ENV)
        self.assertExit(r, 0)
        # the target now holds rows: refused untouched, then cleared with -c
        r = self.push()
        self.assertExit(r, 1)
        self.assertIn("not empty", r.err)
        self.assertEqual(listing(self.target), files)
        self.assertExit(self.push("-c"), 0)
        self.assertEqual(listing(self.target), files)


class DriverLimits(TempDirTest):
    def test_verify_target_uses_the_drivers_own_limits(self):
        src = self.path("src.db")
        make_db(src, """
            CREATE TABLE ok(id INTEGER PRIMARY KEY, far_too_long_a_name TEXT);
            INSERT INTO ok VALUES (1, 'nul' || char(0) || 'inside');
        """)
        stage = self.path("s.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        report = self.path("r.json")
        r = run("verify", "--target", "mockt", "--json", report, stage, env=ENV)
        self.assertExit(r, 1)
        self.assertRegex(r.out, r"identifier-too-long\s+ok\.far_too_long_a_name\s+1\s+"
                                r"MockDB names are at most 8 characters")
        self.assertRegex(r.out, r"error\s+nul-in-text\s+ok\.far_too_long_a_name")
        self.assertIn("which MockDB cannot store", r.out)
        # the same stage for a target that takes both: no errors
        r = run("verify", "--target", "sqlite", stage)
        self.assertExit(r, 0)
        self.assertRegex(r.out, r"warning\s+nul-in-text")

    def test_a_driver_older_than_limits_is_a_target_without_any(self):
        src = self.path("src.db")
        make_db(src, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);"
                     "INSERT INTO t VALUES (1, 'x' || char(0));")
        stage = self.path("s.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        r = run("verify", "--target", "mockv11", stage, env=ENV)
        self.assertExit(r, 0)
        self.assertIn("does not describe its limits", r.err)


class DriverRefusals(TempDirTest):
    def stage(self):
        src = self.path("src.db")
        make_db(src, "CREATE TABLE t(id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1);")
        stage = self.path("s.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        return stage

    def test_a_push_driver_without_a_read_back_is_refused_at_load(self):
        r = run("push", "--force", self.stage(), "mockpush:x", env=ENV)
        self.assertExit(r, 3)  # not a crash (exit 139)
        self.assertIn("missing cursor_open", r.err)
        self.assertIn("reads back what it wrote", r.err)

    def test_an_entry_point_that_refuses_says_why(self):
        r = run("plugins", os.path.join(MOCK_DIR, "invs_mock_says_why.so"))
        self.assertExit(r, 3)
        self.assertIn("refused to start", r.err)
        self.assertIn("needs a host service from ABI 1.99", r.err)

    def test_a_driver_must_serve_the_scheme_it_was_loaded_for(self):
        r = run("pull", "mockunlisted:x", "-o", self.path("x.stage"), env=ENV)
        self.assertExit(r, 3)
        self.assertIn("does not list that scheme", r.err)
        self.assertFalse(os.path.exists(self.path("x.stage")))

    def test_a_1_1_driver_table_still_pulls(self):
        stage = self.path("v11.stage")
        r = run("pull", "-q", "mockv11:25", "-o", stage, env=ENV)
        self.assertExit(r, 0)
        con = sqlite3.connect(stage)
        self.assertEqual(con.execute("SELECT rows FROM invs_tables").fetchone()[0], 25)
        con.close()

    def test_a_cursor_failing_at_row_k_leaves_no_stage(self):
        stage = self.path("k.stage")
        r = run("pull", "mock:300:257", "-o", stage, env=ENV)
        self.assertExit(r, 3)
        self.assertIn("mock failure at row 257", r.err)
        self.assertIn("table t", r.err)
        self.assertEqual(os.listdir(self.dir), ["src.db"] if os.path.exists(self.path("src.db"))
                         else [])


if __name__ == "__main__":
    main()
