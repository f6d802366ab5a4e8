#!/usr/bin/env python3
"""The public Chinook sample (../shared/datasets) round-trips identically."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import dbcompare  # noqa: E402
from harness import SHARED, TempDirTest, main, run, skip  # noqa: E402

CHINOOK = os.path.join(SHARED, "datasets", "chinook", "Chinook_Sqlite.sqlite")


class Chinook(TempDirTest):
    def test_round_trip_is_identical(self):
        stage = self.path("chinook.stage")
        dst = self.path("chinook.db")
        r = run("pull", "sqlite:" + CHINOOK, "-o", stage)
        self.assertExit(r, 0)
        self.assertIn("11 table(s), 15607 row(s)", r.out)
        self.assertExit(run("push", "--force", "-q", stage, "sqlite:" + dst), 0)
        self.assertEqual(dbcompare.differences(CHINOOK, dst), [])
        self.assertEqual(dbcompare.fk_violations(dst), [])
        con = dbcompare.connect(dst)
        name = con.execute("SELECT Name FROM Track WHERE TrackId = 3435").fetchone()[0]
        self.assertIn(b"\\", name)  # the backslashes other loaders lose
        con.close()


if __name__ == "__main__":
    if not os.path.exists(CHINOOK):
        skip("%s is absent: the shared datasets are not beside this checkout" % CHINOOK)
    main()
