#!/usr/bin/env python3
"""A value of 64 MiB goes into PostgreSQL without ever being copied whole
more than once on the way: push streams it to the server in pieces, so its
peak memory is the value plus a bounded buffer, where it was seven times
the value. The value arrives exactly (its md5)."""
import hashlib
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import INVSTAGE, SANITIZE, Pg, TempDirTest, main, run  # noqa: E402

MIB = 1024 * 1024
SIZE = 64 * MIB


def peak_rss(*args):
    """Exit code and peak RSS in bytes of invstage ARGS, measured by
    /usr/bin/time: its child is forked from a small process, where one
    forked from this test would count the test's own memory."""
    p = subprocess.run(["/usr/bin/time", "-f", "%M", INVSTAGE] + list(args),
                       capture_output=True, text=True)
    return p.returncode, int(p.stderr.strip().split("\n")[-1]) * 1024, p.stderr


class BigValues(TempDirTest):
    def test_a_64_mib_blob_and_a_16_mib_text_into_postgres(self):
        pg = Pg()
        src = self.path("big.db")
        text = ("tab\there, newline\nthere, backslash \\ " * (16 * MIB // 40))
        con = sqlite3.connect(src)
        con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB, s TEXT)")
        con.execute("INSERT INTO t VALUES (1, randomblob(?), NULL), (2, NULL, ?)", (SIZE, text))
        con.commit()
        want = [hashlib.md5(con.execute("SELECT b FROM t WHERE id = 1").fetchone()[0]).hexdigest(),
                hashlib.md5(text.encode()).hexdigest()]
        con.close()
        del text  # this process's memory is a forked child's until it execs
        stage = self.path("big.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)
        db = pg.createdb("big_values")
        rc, peak, err = peak_rss("push", "-q", "--force", "--no-check", stage, pg.uri(db))
        self.assertEqual(rc, 0, err)
        if not SANITIZE:  # the sanitizers' own memory is not ours
            self.assertLess(peak, 2 * SIZE, "peak RSS %d MiB" % (peak // MIB))
        got = pg.psql(db, "SELECT md5(b) FROM t WHERE id = 1; SELECT md5(s) FROM t WHERE id = 2")
        self.assertEqual(got.split(), want)
        # with the proof, the read-back holds the server's text form of the value once
        db = pg.createdb("big_values_proved")
        rc, peak, err = peak_rss("push", "-q", "--force", stage, pg.uri(db))
        self.assertEqual(rc, 0, err)
        if not SANITIZE:
            self.assertLess(peak, 6 * SIZE, "peak RSS %d MiB" % (peak // MIB))


if __name__ == "__main__":
    main()
