#!/usr/bin/env python3
"""A stage of about 1 GB exports and imports, in both formats, under a peak
RSS of 64 MiB (measured with wait4, as harness.maxrss_of does): rows stream
through a file of any size, in both directions, and the proof's read-back
streams too. The imported stages' digests are the original's.

Under the sanitizers (shadow memory, and ten times slower) the test is
skipped: e2e_formats runs the same paths there.

Also: test_formats_big.py --make DB builds the source database (for
tools/bench-formats --big)."""
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import SANITIZE, TempDirTest, main, maxrss_of, skip  # noqa: E402

ROWS = 330_000  # about 3.1 KB each in the stage: 1 KB of text, 2 KB of blob
CAP_KIB = 64 * 1024


def make(path):
    """ROWS wide rows: text (not all ASCII), a blob, an integer, a real."""
    if os.path.exists(path):
        os.remove(path)
    con = sqlite3.connect(path)
    con.executescript("""
        PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
        CREATE TABLE wide (id INTEGER PRIMARY KEY, t TEXT, b BLOB, n INTEGER, r REAL);
    """)
    con.execute("""
        WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
        INSERT INTO wide SELECT i, hex(randomblob(511)) || 'é', randomblob(2048),
            i * 2654435761, i / 7.0 FROM s""", (ROWS,))
    con.commit()
    con.close()


def digests(path):
    con = sqlite3.connect(path)
    d = dict(con.execute("SELECT name, digest FROM invs_tables"))
    con.close()
    return d


class OneGigabyte(TempDirTest):
    def test_a_gigabyte_stage_exports_and_imports_in_flat_memory(self):
        db, stage = self.path("wide.db"), self.path("wide.stage")
        make(db)
        r = maxrss_of("pull", "-q", "sqlite:" + db, "-o", stage)
        self.assertExit(r, 0)
        os.unlink(db)
        size = os.path.getsize(stage)
        self.assertGreater(size, 1_000_000_000)
        want = digests(stage)
        report = ["stage %d MiB, %d rows" % (size >> 20, ROWS)]
        for fmt in ("json", "msgpack"):
            out, back = self.path("wide." + fmt), self.path("back-%s.stage" % fmt)
            ex = maxrss_of("export", "-q", stage, "-f", fmt, "-o", out)
            self.assertExit(ex, 0)
            fsize = os.path.getsize(out)
            im = maxrss_of("import", "-q", out, "-o", back)
            self.assertExit(im, 0)
            os.unlink(out)
            self.assertEqual(digests(back), want, fmt)
            os.unlink(back)
            report.append("%s: file %d MiB, peak RSS export %d KiB, import %d KiB"
                          % (fmt, fsize >> 20, ex.maxrss_kib, im.maxrss_kib))
            self.assertLess(ex.maxrss_kib, CAP_KIB, fmt + " export")
            self.assertLess(im.maxrss_kib, CAP_KIB, fmt + " import")
        print("; ".join(report))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--make":
        make(sys.argv[2])
    elif SANITIZE:
        skip("the sanitizer build: no memory cap, and e2e_formats covers the paths")
    else:
        main()
