#!/usr/bin/env python3
"""Every refusal and failure path: the exit code, a message naming the thing
that is wrong, and nothing written or left behind."""
import glob
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(__file__))
import dbcompare  # noqa: E402
import gen_hostile_sqlite  # noqa: E402
from harness import MOCK_DIR, TempDirTest, main, make_db, run, sha256  # noqa: E402


class PushRefusals(TempDirTest):
    def setUp(self):
        super().setUp()
        self.src = self.path("src.db")
        gen_hostile_sqlite.main(self.src)
        self.stage = self.path("src.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + self.src, "-o", self.stage), 0)

    def test_a_non_empty_target_is_refused_untouched_then_cleared_with_c(self):
        dst = self.path("dst.db")
        self.assertExit(run("push", "--force", "-q", self.stage, "sqlite:" + dst), 0)
        make_db(dst, 'DELETE FROM "node" WHERE id = 7;'
                     'INSERT INTO "empty" VALUES (1, \'not empty any more\');')
        before = sha256(dst)
        r = run("push", "--force", self.stage, "sqlite:" + dst)
        self.assertExit(r, 1)
        self.assertIn("is not empty", r.err)
        self.assertIn("node", r.err)
        self.assertIn("-c", r.err)
        self.assertEqual(sha256(dst), before)
        self.assertFalse(os.path.exists(dst + "-journal"))
        r = run("push", "--force", "-c", self.stage, "sqlite:" + dst)
        self.assertExit(r, 0)
        self.assertEqual(dbcompare.differences(self.src, dst), [])

    def test_c_does_not_touch_tables_outside_the_stage(self):
        dst = self.path("dst.db")
        self.assertExit(run("push", "--force", "-q", self.stage, "sqlite:" + dst), 0)
        make_db(dst, 'CREATE TABLE "mine" (id INTEGER PRIMARY KEY,'
                     ' node_id INTEGER REFERENCES "node"(id) ON DELETE CASCADE);'
                     'INSERT INTO "mine" VALUES (1, 6);')
        self.assertExit(run("push", "--force", "-q", "-c", self.stage, "sqlite:" + dst), 0)
        con = sqlite3.connect(dst)
        self.assertEqual(con.execute('SELECT * FROM "mine"').fetchall(), [(1, 6)])
        con.close()

    def test_columns_that_differ_are_listed_and_nothing_is_written(self):
        dst = self.path("dst.db")
        make_db(dst, 'CREATE TABLE "node" ("id" INTEGER PRIMARY KEY, "name" TEXT, "extra" TEXT);')
        before = sha256(dst)
        r = run("push", "--force", self.stage, "sqlite:" + dst)
        self.assertExit(r, 1)
        self.assertIn("table node:", r.err)
        self.assertIn("missing in target: parent", r.err)
        self.assertIn("not in stage: extra", r.err)
        self.assertEqual(sha256(dst), before)

    def test_a_failure_midway_rolls_everything_back(self):
        # "uniq" in the target gets a UNIQUE constraint the stage breaks; it
        # is loaded after other tables, which must vanish with it
        dst = self.path("dst.db")
        make_db(dst, 'CREATE TABLE "uniq" ("id" INTEGER PRIMARY KEY, "a" TEXT UNIQUE, "b" INTEGER, "c" TEXT);')
        before = sha256(dst)
        r = run("push", "--force", self.stage, "sqlite:" + dst)
        self.assertExit(r, 1)
        self.assertIn("uniq", r.err)
        self.assertIn("UNIQUE constraint failed", r.err)
        self.assertEqual(sha256(dst), before)
        con = sqlite3.connect(dst)
        self.assertEqual([n for (n,) in con.execute("SELECT name FROM sqlite_schema")],
                         ["uniq", "sqlite_autoindex_uniq_1"])
        con.close()

    def test_a_new_target_is_removed_when_the_push_fails(self):
        orphan = self.path("orphan.db")
        make_db(orphan, 'CREATE TABLE p (id INTEGER PRIMARY KEY);'
                        'CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id));'
                        'INSERT INTO p VALUES (1); INSERT INTO c VALUES (1, 1), (2, 99);')
        stage = self.path("orphan.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + orphan, "-o", stage), 0)
        dst = self.path("new.db")
        r = run("push", "--force", stage, "sqlite:" + dst)
        self.assertExit(r, 1)
        self.assertIn("would break foreign keys", r.err)
        self.assertIn("c row 2 -> p", r.err)
        self.assertFalse(os.path.exists(dst))
        self.assertFalse(os.path.exists(dst + "-journal"))

    def test_random_bytes_as_a_stage_are_refused_and_no_target_written(self):
        junk = self.path("junk.stage")
        with open(junk, "wb") as f:
            f.write(os.urandom(100000))
        dst = self.path("dst.db")
        r = run("push", "--force", junk, "sqlite:" + dst)
        self.assertExit(r, 3)
        self.assertIn("not a stage file", r.err)
        self.assertIn(junk, r.err)
        self.assertFalse(os.path.exists(dst))

    def test_an_sqlite_database_is_not_a_stage(self):
        dst = self.path("dst.db")
        r = run("push", "--force", self.src, "sqlite:" + dst)
        self.assertExit(r, 3)
        self.assertIn("not an invstage stage", r.err)
        self.assertFalse(os.path.exists(dst))

    def test_an_interrupted_stage_is_refused(self):
        con = sqlite3.connect(self.stage)
        con.execute("UPDATE invs_meta SET value = 'pulling' WHERE key = 'state'")
        con.commit()
        con.close()
        dst = self.path("dst.db")
        r = run("push", "--force", self.stage, "sqlite:" + dst)
        self.assertExit(r, 1)
        self.assertIn("interrupted", r.err)
        self.assertFalse(os.path.exists(dst))
        r = run("info", self.stage)  # info still shows it
        self.assertExit(r, 0)
        self.assertIn("pulling", r.out)

    def test_a_newer_stage_format_is_refused(self):
        con = sqlite3.connect(self.stage)
        con.execute("PRAGMA user_version = 9")
        con.close()
        r = run("push", "--force", self.stage, "sqlite:" + self.path("dst.db"))
        self.assertExit(r, 3)
        self.assertIn("format 9", r.err)

    def test_a_missing_stage_is_named(self):
        r = run("push", "--force", self.path("nope.stage"), "sqlite:" + self.path("dst.db"))
        self.assertExit(r, 3)
        self.assertIn("nope.stage", r.err)


class PullRefusals(TempDirTest):
    def test_a_missing_source_is_named_and_neither_created_nor_staged(self):
        src = self.path("missing.db")
        stage = self.path("s.stage")
        r = run("pull", "sqlite:" + src, "-o", stage)
        self.assertExit(r, 3)
        self.assertIn(src, r.err)
        self.assertIn("No such file", r.err)
        self.assertFalse(os.path.exists(src))
        self.assertEqual(os.listdir(self.dir), [])

    def test_a_source_that_is_not_a_database(self):
        src = self.path("text.db")
        with open(src, "w") as f:
            f.write("hello, I am not a database\n" * 100)
        r = run("pull", "sqlite:" + src, "-o", self.path("s.stage"))
        self.assertExit(r, 3)
        self.assertIn("not a database", r.err)
        self.assertEqual(os.listdir(self.dir), ["text.db"])

    def test_a_failure_mid_pull_leaves_no_stage(self):
        stage = self.path("s.stage")
        r = run("pull", "mock:1000:500", "-o", stage, env={"INVSTAGE_PLUGIN_PATH": MOCK_DIR})
        self.assertExit(r, 3)
        self.assertIn("table t", r.err)
        self.assertIn("mock failure at row 500", r.err)
        self.assertEqual(os.listdir(self.dir), [])
        r = run("pull", "-q", "mock:1000", "-o", stage, env={"INVSTAGE_PLUGIN_PATH": MOCK_DIR})
        self.assertExit(r, 0)
        con = sqlite3.connect(stage)
        self.assertEqual(con.execute("SELECT rows FROM invs_tables").fetchone()[0], 1000)
        con.close()

    def test_an_existing_stage_is_kept_unless_forced(self):
        src = self.path("a.db")
        make_db(src, "CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        stage = self.path("s.stage")
        with open(stage, "w") as f:
            f.write("precious")
        r = run("pull", "sqlite:" + src, "-o", stage)
        self.assertExit(r, 2)
        self.assertIn("already exists", r.err)
        with open(stage) as f:
            self.assertEqual(f.read(), "precious")
        self.assertExit(run("pull", "-q", "--force", "sqlite:" + src, "-o", stage), 0)
        self.assertEqual(glob.glob(self.path("*invs-tmp*")), [])

    def test_bad_uris(self):
        stage = self.path("s.stage")
        r = run("pull", "just/a/path.db", "-o", stage)
        self.assertExit(r, 2)
        self.assertIn("is not a URI", r.err)
        self.assertIn("sqlite:just/a/path.db", r.err)
        r = run("pull", "sqlite://otherhost/x.db", "-o", stage)
        self.assertExit(r, 2)
        self.assertIn("not an SQLite URI", r.err)
        r = run("pull", "sqlite:", "-o", stage)
        self.assertExit(r, 2)
        r = run("pull", "nosuchengine:whatever", "-o", stage)
        self.assertExit(r, 3)
        self.assertIn("no driver 'nosuchengine'", r.err)
        self.assertEqual(os.listdir(self.dir), [])

    def test_a_password_never_appears(self):
        stage = self.path("s.stage")
        r = run("pull", "postgresql://alice:hunter2secret@127.0.0.1:1/db?password=again2secret",
                "-o", stage)
        self.assertNotEqual(r.rc, 0)
        self.assertIn("alice:***@127.0.0.1", r.err)
        self.assertNotIn("hunter2", r.out + r.err)
        self.assertNotIn("again2", r.out + r.err)

    def test_a_password_with_unencoded_at_and_slash_is_hidden_whole(self):
        stage = self.path("s.stage")
        for cmd in (["pull", "postgresql://u:p@ss:w/rd%@127.0.0.1:1/db", "-o", stage],
                    ["push", stage, "postgresql://u:p@ss:w/rd%@127.0.0.1:1/db"]):
            r = run(*cmd)
            self.assertNotEqual(r.rc, 0)
            for piece in ("p@ss", "ss:w", "rd%", "w/rd"):
                self.assertNotIn(piece, r.out + r.err)
            if cmd[0] == "pull":
                self.assertIn("u:***@127.0.0.1:1/db", r.err)
                self.assertIn("percent-encoded", r.err)

    def test_a_password_with_a_second_at_is_a_malformed_uri(self):
        # libpq would take the first '@' and print "ss@127.0.0.1" as a host
        # name: refused before any driver sees it, by every command
        stage = self.path("s.stage")
        make_db(self.path("src.db"), "CREATE TABLE t(a); INSERT INTO t VALUES (1);")
        self.assertExit(run("pull", "-q", "sqlite:" + self.path("src.db"), "-o", stage), 0)
        uri = "postgresql://u:p@ss@127.0.0.1:1/db"
        for cmd in (["pull", uri, "-o", self.path("other.stage")],
                    ["push", "--force", stage, uri],
                    ["verify", "--target", uri, stage],
                    ["verify", "--against", uri, stage],
                    ["migrate", uri, "sqlite:" + self.path("m.db")]):
            with self.subTest(cmd=cmd[0]):
                r = run(*cmd)
                self.assertExit(r, 2)
                self.assertIn("malformed", r.err)
                for piece in ("p@ss", "ss@", "@ss", "p@"):
                    self.assertNotIn(piece, r.out + r.err)


if __name__ == "__main__":
    main()
