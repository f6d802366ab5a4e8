#!/usr/bin/env python3
"""A million rows through pull and push in flat memory: peak RSS stays under
a fixed cap (64 MiB) whatever the table size. Under the sanitizers the cap
does not apply (shadow memory), but the rows must still all arrive."""
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import SANITIZE, TempDirTest, main, maxrss_of  # noqa: E402

ROWS = 1_000_000
CAP_KIB = 64 * 1024
GEN = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "gen-bench-db")


class Streaming(TempDirTest):
    def test_a_million_rows_in_flat_memory(self):
        src, stage, dst = self.path("big.db"), self.path("big.stage"), self.path("copy.db")
        subprocess.run([sys.executable, GEN, src, str(ROWS)], check=True)
        pull = maxrss_of("pull", "-q", "sqlite:" + src, "-o", stage)
        self.assertExit(pull, 0)
        push = maxrss_of("push", "--force", "-q", stage, "sqlite:" + dst)
        self.assertExit(push, 0)
        con = sqlite3.connect(dst)
        total = sum(con.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                    for t in ("customers", "orders", "events"))
        self.assertEqual(total, ROWS)
        self.assertEqual(con.execute("PRAGMA foreign_key_check").fetchall(), [])
        con.close()
        print("peak RSS: pull %d KiB, push %d KiB" % (pull.maxrss_kib, push.maxrss_kib))
        if not SANITIZE:
            self.assertLess(pull.maxrss_kib, CAP_KIB)
            self.assertLess(push.maxrss_kib, CAP_KIB)


if __name__ == "__main__":
    main()
