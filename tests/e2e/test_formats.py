#!/usr/bin/env python3
"""invstage export / import (formats/FORMAT.md): the stage as JSON and as
msgpack, exact in both directions.

- golden files: the export of a small fixed stage (tests/formats/
  small_stage.py), byte for byte, in both formats;
- we read what others write: files Python's json and msgpack wrote import
  to the rows Python chose (checked in the stage itself);
- the hostile SQLite database: pull -> export -> import -> push gives the
  same database value for value; export -> import -> export is
  byte-identical; the imported stage's digests are the original's;
- others read what we write: Python's json and msgpack decode the exports
  and find the values (integer limits, a NaN's bits, NULs, an emoji);
- the commands: standard output and input, an existing file, a failed
  export leaving nothing, table filters, the format from the first byte.

Set INVS_UPDATE_GOLDEN=1 to rewrite the golden files (then review the diff)."""
import base64
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "formats"))
import dbcompare  # noqa: E402
import gen_hostile_sqlite  # noqa: E402
import small_stage  # noqa: E402
from harness import INVSTAGE, MOCK_DIR, TempDirTest, main, run, skip  # noqa: E402

try:
    import msgpack
except ImportError:
    skip("python3-msgpack is missing (tools/install-deps installs it)")

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "formats", "golden")
FORMATS = ("json", "msgpack")
EXT = {"json": "json", "msgpack": "msgpack"}

if run("plugins", "-q", "msgpack").rc != 0:
    skip("the msgpack driver was not built (Debian: libmsgpack-dev)")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def leftovers(d):
    """Files a failed command left behind: temporary ones, stages."""
    return sorted(n for n in os.listdir(d) if ".invs-tmp-" in n)


def l_name(line):
    """The table a JSON export's section line starts: {"table":NAME,..."""
    return json.loads(line[len(b'{"table":'):].split(b',"rows"')[0])


def stage_digests(path):
    con = sqlite3.connect(path)
    d = dict(con.execute("SELECT name, digest FROM invs_tables"))
    con.close()
    return d


def stage_cells(path, table):
    """Every row of a stage table as the stage holds it: (class, value)
    per cell, special cells (NaN, big unsigned, flags) as their record."""
    con = sqlite3.connect(path)
    con.text_factory = bytes
    tid, = con.execute("SELECT tid FROM invs_tables WHERE name = ?", (table,)).fetchone()
    specials = {(rid, col): (typ, flags, bits) for rid, col, typ, flags, bits in con.execute(
        "SELECT rid, col, type, flags, bits FROM invs_specials WHERE tid = ?", (tid,))}
    ncols = len(con.execute("SELECT * FROM invs_data_%d LIMIT 0" % tid).description)
    sel = ", ".join("c%d, typeof(c%d)" % (i, i) for i in range(ncols))
    out = []
    for r in con.execute("SELECT rowid, %s FROM invs_data_%d ORDER BY rowid" % (sel, tid)):
        row = []
        for i in range(ncols):
            v, t = r[1 + 2 * i], r[2 + 2 * i].decode()
            if (r[0], i) in specials:
                row.append(("special",) + specials[(r[0], i)])
            elif t == "real":
                row.append(("real", struct.pack(">d", v).hex()))
            else:
                row.append((t, v))
        out.append(row)
    con.close()
    return out


def expected_cell(v):
    """How the stage must hold a value small_stage chose."""
    S = small_stage
    if v is None:
        return ("null", None)
    if isinstance(v, S.Bits):
        if v.value != v.value:  # NaN: SQLite cannot hold it, the stage keeps its bits
            return ("special", 2, 0, bytes.fromhex(v.hex))
        return ("real", v.hex)
    if isinstance(v, bool) or isinstance(v, int):
        if v > 2**63 - 1:
            return ("special", 5, 0, v.to_bytes(8, "big"))
        return ("integer", v)
    if isinstance(v, float):
        return ("real", struct.pack(">d", v).hex())
    if isinstance(v, str):
        return ("text", v.encode())
    if isinstance(v, S.Bytes):
        return ("text", v.b)
    if isinstance(v, S.Blob):
        return ("blob", v.b)
    if isinstance(v, S.Flagged):
        return ("special", 3, v.flags, v.text.encode())
    raise AssertionError(v)


class Golden(TempDirTest):
    """A small fixed stage, from files Python wrote."""

    def setUp(self):
        super().setUp()
        self.src = {"json": self.path("src.json"), "msgpack": self.path("src.msgpack")}
        small_stage.write_json(self.src["json"])
        small_stage.write_msgpack(self.src["msgpack"])
        self.stage = {}
        for f in FORMATS:
            self.stage[f] = self.path("small-%s.stage" % f)
            self.assertExit(run("import", "-q", self.src[f], "-o", self.stage[f]), 0)

    def check_golden(self, fmt):
        out = self.path("small." + EXT[fmt])
        self.assertExit(run("export", "-q", self.stage["json"], "-f", fmt, "-o", out), 0)
        golden = os.path.join(GOLDEN, "small." + EXT[fmt])
        if os.environ.get("INVS_UPDATE_GOLDEN"):
            shutil.copyfile(out, golden)
        self.assertEqual(read(out), read(golden), "the %s export is not the golden file %s"
                         % (fmt, golden))

    def test_the_json_export_is_the_golden_file(self):
        self.check_golden("json")

    def test_the_msgpack_export_is_the_golden_file(self):
        self.check_golden("msgpack")

    def test_files_python_wrote_import_to_the_rows_python_chose(self):
        for fmt in FORMATS:
            for table, rows in small_stage.ROWS.items():
                want = [[expected_cell(v) for v in row] for row in rows]
                self.assertEqual(stage_cells(self.stage[fmt], table), want,
                                 "%s: table %s" % (fmt, table))

    def test_what_python_wrote_in_json_and_in_msgpack_is_one_stage(self):
        outs = []
        for fmt in FORMATS:
            out = self.path("again-%s.json" % fmt)
            self.assertExit(run("export", "-q", self.stage[fmt], "-o", out), 0)
            outs.append(read(out))
        self.assertEqual(outs[0], outs[1])

    def test_the_stage_keeps_the_files_facts(self):
        con = sqlite3.connect(self.stage["json"])
        meta = dict(con.execute("SELECT key, value FROM invs_meta"))
        con.close()
        for k, v in small_stage.META.items():
            self.assertEqual(meta["source." + k], v)
        self.assertEqual(meta["source_driver"], "json")
        self.assertEqual(meta["state"], "pulled")


class HostileRoundTrip(TempDirTest):
    """The skeleton tests' hostile SQLite database through both formats."""

    def setUp(self):
        super().setUp()
        self.db = self.path("hostile.db")
        gen_hostile_sqlite.main(self.db)
        self.stage = self.path("hostile.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + self.db, "-o", self.stage), 0)
        self.out = {}
        for fmt in FORMATS:
            self.out[fmt] = self.path("hostile." + EXT[fmt])
            r = run("export", self.stage, "-f", fmt, "-o", self.out[fmt])
            self.assertExit(r, 0)
            self.assertIn("exported %s to %s:%s" % (self.stage, fmt, self.out[fmt]), r.out)

    def test_pull_export_import_push_gives_the_same_database(self):
        for fmt in FORMATS:
            imported, copy = self.path("i-%s.stage" % fmt), self.path("copy-%s.db" % fmt)
            self.assertExit(run("import", "-q", self.out[fmt], "-o", imported), 0)
            self.assertExit(run("push", "-q", "--force", imported, "sqlite:" + copy), 0)
            self.assertEqual(dbcompare.differences(self.db, copy), [], fmt)
            self.assertEqual(dbcompare.fk_violations(copy), [], fmt)

    def test_export_import_export_is_byte_identical(self):
        for fmt in FORMATS:
            imported, again = self.path("i-%s.stage" % fmt), self.path("again." + EXT[fmt])
            self.assertExit(run("import", "-q", self.out[fmt], "-o", imported), 0)
            self.assertExit(run("export", "-q", imported, "-f", fmt, "-o", again), 0)
            self.assertEqual(read(again), read(self.out[fmt]), fmt)

    def test_the_imported_stage_has_the_original_digests(self):
        want = stage_digests(self.stage)
        self.assertEqual(len(want), 13)
        for fmt in FORMATS:
            imported = self.path("i-%s.stage" % fmt)
            self.assertExit(run("import", "-q", self.out[fmt], "-o", imported), 0)
            self.assertEqual(stage_digests(imported), want, fmt)
            self.assertExit(run("info", "-q", imported), 0)

    def test_an_imported_stage_verifies_and_pushes_as_the_original_does(self):
        # verify finds in the imported stage what it finds in the original
        # (the same findings, the same values changed), and a push without
        # --force takes either verified stage into the same database
        orig = self.path("orig.stage")
        shutil.copyfile(self.stage, orig)
        r = run("verify", orig)
        self.assertExit(r, 0)
        want = r.out.replace(orig, "STAGE")
        self.assertIn("value(s) changed", want)
        ref = self.path("ref.db")
        self.assertExit(run("push", "-q", orig, "sqlite:" + ref), 0)
        for fmt in FORMATS:
            imported, copy = self.path("i-%s.stage" % fmt), self.path("copy-%s.db" % fmt)
            self.assertExit(run("import", "-q", self.out[fmt], "-o", imported), 0)
            self.assertExit(run("push", "-q", imported, "sqlite:" + copy), 1)  # not verified
            self.assertFalse(os.path.exists(copy), fmt)
            r = run("verify", imported)
            self.assertExit(r, 0)
            self.assertEqual(r.out.replace(imported, "STAGE"), want, fmt)
            self.assertExit(run("push", "-q", imported, "sqlite:" + copy), 0)
            self.assertEqual(dbcompare.differences(ref, copy), [], fmt)

    def test_push_into_a_file_uri_is_the_export(self):
        for fmt in FORMATS:
            out = self.path("pushed." + EXT[fmt])
            self.assertExit(run("push", "-q", "--force", self.stage, "%s:%s" % (fmt, out)), 0)
            self.assertEqual(read(out), read(self.out[fmt]), fmt)


class ExportProof(TempDirTest):
    """The export's read-back: a file that does not hold what the stage
    does is refused before it is renamed into place."""
    CANARY, ALTERED = "proof-canary-0001", "proof-canary-0002"

    def setUp(self):
        super().setUp()
        db, self.stage = self.path("c.db"), self.path("c.stage")
        con = sqlite3.connect(db)
        con.executescript("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                          "INSERT INTO t VALUES (1, 'one'), (2, '%s'), (3, 'three');"
                          % self.CANARY)
        con.close()
        self.assertExit(run("pull", "-q", "sqlite:" + db, "-o", self.stage), 0)
        shim = os.environ.get("INVS_ALTER_WRITE")
        if not shim or not os.path.exists(shim):
            self.fail("INVS_ALTER_WRITE names no shim (run through ctest)")
        # the shim comes before the sanitizer's runtime: allowed
        asan = os.environ.get("ASAN_OPTIONS", "")
        self.env = {"LD_PRELOAD": shim, "INVS_ALTER_FROM": self.CANARY,
                    "INVS_ALTER_TO": self.ALTERED,
                    "ASAN_OPTIONS": (asan + ":" if asan else "") + "verify_asan_link_order=0"}

    def test_a_file_altered_on_its_way_to_disk_is_refused(self):
        for fmt in FORMATS:
            out = self.path("c." + EXT[fmt])
            r = run("export", self.stage, "-f", fmt, "-o", out, env=self.env)
            self.assertExit(r, 1)
            self.assertIn("table t: the target does not hold what the stage does", r.err)
            self.assertIn("first at (id)=(2)", r.err)
            self.assertFalse(os.path.exists(out), fmt)
            self.assertEqual(leftovers(self.dir), [], fmt)
            # the same push without the read-back lets the altered file in:
            # the proof, nothing else, refused it
            r = run("push", "-q", "--force", "--no-check", self.stage, "%s:%s" % (fmt, out),
                    env=self.env)
            self.assertExit(r, 0)
            self.assertIn(self.ALTERED.encode(), read(out))
            self.assertNotIn(self.CANARY.encode(), read(out))
            # and without the shim the export passes
            os.unlink(out)
            self.assertExit(run("export", "-q", self.stage, "-f", fmt, "-o", out), 0)
            self.assertIn(self.CANARY.encode(), read(out))


class IndependentDecoders(TempDirTest):
    """Python's json and msgpack read what we write."""

    def setUp(self):
        super().setUp()
        db, stage = self.path("hostile.db"), self.path("hostile.stage")
        gen_hostile_sqlite.main(db)
        self.assertExit(run("pull", "-q", "sqlite:" + db, "-o", stage), 0)
        src, small = self.path("src.json"), self.path("small.stage")
        small_stage.write_json(src)
        self.assertExit(run("import", "-q", src, "-o", small), 0)
        self.docs = {}
        for name, st in (("hostile", stage), ("small", small)):
            for fmt in FORMATS:
                out = self.path("%s.%s" % (name, EXT[fmt]))
                self.assertExit(run("export", "-q", st, "-f", fmt, "-o", out), 0)
                self.docs[name, fmt] = self.decode(fmt, out)

    @staticmethod
    def decode(fmt, path):
        """{table: [rows]} with every value as Python reads it, tagged
        values turned into (class, value)."""
        def value(v):
            if isinstance(v, dict):
                (k, x), = [(k, x) for k, x in v.items() if k != "flags"]
                if fmt == "json" and k in ("blob", "bytes"):
                    x = base64.b64decode(x, validate=True)
                return (k, x) if "flags" not in v else (k, x, v["flags"])
            if fmt == "msgpack" and isinstance(v, bytes):
                return ("blob", v)
            return v
        tables = {}
        if fmt == "json":
            with open(path) as f:  # integers exact: never through a float
                doc = json.load(f, parse_int=int, parse_float=float)
            assert doc["format"] == "invstage" and doc["version"] == 1
            for d in doc["data"]:
                tables[d["table"]] = [[value(v) for v in row] for row in d["rows"]]
            assert doc["trailer"]["rows"] == sum(len(r) for r in tables.values())
            return tables
        with open(path, "rb") as f:
            objs = list(msgpack.Unpacker(f, raw=False))
        assert objs[0]["format"] == "invstage"
        current = None
        for o in objs[1 + objs[0]["tables"]:]:
            if isinstance(o, dict) and "table" in o:
                current = tables.setdefault(o["table"], [])
            elif isinstance(o, list):
                current.append([value(v) for v in o])
        assert "trailer" in objs[-1]
        return tables

    def real_bits(self, fmt, v):
        if isinstance(v, tuple):  # {"real": "HEX"} in JSON
            self.assertEqual(v[0], "real")
            return v[1] if fmt == "json" else struct.pack(">d", v[1]).hex()
        return struct.pack(">d", v).hex()

    def test_python_finds_the_hostile_values(self):
        for fmt in FORMATS:
            t = {r[0]: r for r in self.docs["hostile", fmt]["select"]}
            self.assertEqual(t[1][1], -9223372036854775808, fmt)
            self.assertEqual(t[1][2], 9223372036854775807, fmt)
            self.assertIn("\U0001F984", t[1][4], fmt)  # an emoji
            self.assertEqual(t[2][5], ("blob", b"\0" * 4096), fmt)  # a blob of NULs
            self.assertEqual(self.real_bits(fmt, t[3][1]), "8000000000000000", fmt)  # -0.0
            self.assertEqual(self.real_bits(fmt, t[4][1]), "7ff0000000000000", fmt)
            self.assertEqual(self.real_bits(fmt, t[4][3]), "fff0000000000000", fmt)
            self.assertEqual(self.real_bits(fmt, t[2][3]), "0000000000000001", fmt)
            self.assertEqual(t[6][4], "a\0b\0", fmt)
            self.assertEqual(t[8][1], ("bytes", b"\xff\xfeA\xc3("), fmt)  # not UTF-8
            self.assertEqual(t[8][2:4], [None, None], fmt)  # NULL beside ''
            self.assertEqual(t[9][1:4], ["", "", ""], fmt)
            self.assertEqual(t[3][5], ("blob", b""), fmt)  # an empty blob is not NULL
            self.assertEqual(len(t[1][5][1]), 200 * 1024, fmt)

    def test_python_finds_the_largest_unsigned_integer_and_a_nans_bits(self):
        for fmt in FORMATS:
            t = {r[0]: r for r in self.docs["small", fmt]["values"]}
            self.assertEqual(t[1][3], 2**64 - 1, fmt)
            self.assertEqual(self.real_bits(fmt, t[2][1]), "7ff8000000000001", fmt)
            self.assertEqual(self.real_bits(fmt, t[2][2]), "7ff4000000000000", fmt)
            self.assertEqual(t[6][3], ("text", "0000-00-00", 1), fmt)
            self.assertEqual(t[3][4], "12345678901234567890.000000001", fmt)


class Commands(TempDirTest):
    def setUp(self):
        super().setUp()
        db = self.path("h.db")
        gen_hostile_sqlite.main(db)
        self.stage = self.path("h.stage")
        self.assertExit(run("pull", "-q", "sqlite:" + db, "-o", self.stage), 0)

    def test_standard_output_and_standard_input(self):
        for fmt in FORMATS:
            f = self.path("file." + EXT[fmt])
            self.assertExit(run("export", "-q", self.stage, "-f", fmt, "-o", f), 0)
            p = subprocess.run([INVSTAGE, "export", "-q", self.stage, "-f", fmt, "-o", "-"],
                               capture_output=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout, read(f), fmt)  # no read-back, the same bytes
            # a pipe, the format from its first byte
            st = self.path("stdin-%s.stage" % fmt)
            q = subprocess.run([INVSTAGE, "import", "-", "-o", st], input=p.stdout,
                               capture_output=True)
            self.assertEqual(q.returncode, 0, q.stderr)
            self.assertIn(b"imported %s:-" % fmt.encode(), q.stdout)
            self.assertEqual(stage_digests(st), stage_digests(self.stage))
        self.assertIn("without the read-back", run("export", "--help").out)

    def test_an_existing_file_is_refused_and_force_replaces_it(self):
        out = self.path("h.json")
        with open(out, "w") as f:
            f.write("keep me")
        r = run("export", self.stage, "-o", out)
        self.assertExit(r, 2)
        self.assertIn("exists", r.err)
        self.assertEqual(read(out), b"keep me")
        self.assertExit(run("export", "-q", "--force", self.stage, "-o", out), 0)
        self.assertTrue(read(out).startswith(b'{"format":"invstage"'))
        self.assertEqual(leftovers(self.dir), [])

    def test_the_default_output_is_beside_the_stage(self):
        self.assertExit(run("export", "-q", self.stage, "-f", "msgpack"), 0)
        self.assertTrue(os.path.exists(self.path("h.msgpack")))
        self.assertExit(run("export", "-q", self.stage), 0)
        self.assertTrue(os.path.exists(self.path("h.json")))

    def test_the_header_holds_the_datas_facts_never_the_stages_bookkeeping(self):
        def header(path):  # the facts as written: (key, value) pairs, in file order
            with open(path, "rb") as f:
                line = f.readline().decode()[:-2] + "}"
            return json.loads(line, object_pairs_hook=lambda kv: kv)[2][1]
        self.assertExit(run("verify", "-q", self.stage), 0)  # a seal, a target, a state
        first = self.path("first.json")
        self.assertExit(run("export", "-q", self.stage, "-o", first), 0)
        meta = header(first)
        self.assertEqual([k for k, _ in meta], ["created_at", "invstage_version", "source",
                                                "source_driver", "source_driver_version"])
        self.assertEqual(meta[2][1], "sqlite:" + self.path("h.db"))
        # imported, the stage has facts of its own (source=json:...) and
        # the file's as source.KEY: the file's win, and say what they said
        imported, again = self.path("i.stage"), self.path("again.json")
        self.assertExit(run("import", "-q", first, "-o", imported), 0)
        self.assertExit(run("verify", "-q", imported), 0)
        con = sqlite3.connect(imported)
        con.execute("INSERT INTO invs_meta VALUES ('source.origin', 'a fact of the file'),"
                    " ('source.', 'no key'), ('origin_note', 'the stage''s own')")
        con.commit()
        con.close()
        self.assertExit(run("export", "-q", imported, "-o", again), 0)
        self.assertEqual(header(again), sorted(meta + [("origin", "a fact of the file")]))

    def test_a_failed_export_leaves_no_file(self):
        # a table whose name is not UTF-8 cannot be written: it comes after
        # others, so the export fails half-way through
        con = sqlite3.connect(self.stage)
        con.execute("UPDATE invs_tables SET name = CAST(x'75ff' AS TEXT) WHERE name = 'cyc_b'")
        con.commit()
        con.close()
        for fmt in FORMATS:
            out = self.path("x." + EXT[fmt])
            r = run("export", self.stage, "-f", fmt, "-o", out)
            self.assertExit(r, 3)
            self.assertIn("not UTF-8", r.err)
            self.assertFalse(os.path.exists(out))
            self.assertEqual(leftovers(self.dir), [])
        r = run("export", self.stage, "-o", self.path("no/such/dir.json"))
        self.assertExit(r, 3)

    def test_import_selects_tables_and_needs_a_new_stage(self):
        out = self.path("h.msgpack")
        self.assertExit(run("export", "-q", self.stage, "-o", out), 0)
        st = self.path("some.stage")
        r = run("import", "-q", out, "-o", st, "--table", "cyc_*", "--table", "node",
                "--exclude", "cyc_b")
        self.assertExit(r, 0)
        self.assertEqual(sorted(stage_digests(st)), ["cyc_a", "node"])
        # the file's last table: every table before it is read past and
        # counted, and the trailer checked
        last = self.path("last.stage")
        self.assertExit(run("import", "-q", out, "-o", last, "--table", "cyc_b"), 0)
        self.assertEqual(stage_digests(last), {"cyc_b": stage_digests(self.stage)["cyc_b"]})
        self.assertExit(run("import", out, "-o", st), 2)
        self.assertExit(run("import", "-q", "--force", out, "-o", st), 0)
        self.assertEqual(len(stage_digests(st)), 13)

    def test_export_selects_tables_as_pull_does(self):
        want = stage_digests(self.stage)
        for fmt in FORMATS:
            out, st = self.path("some." + EXT[fmt]), self.path("some-%s.stage" % fmt)
            r = run("export", self.stage, "-f", fmt, "-o", out, "--table", "cyc_*",
                    "-t", "node", "--exclude", "cyc_b", "-t", "child2", "-x", "ch*")
            self.assertExit(r, 0)
            self.assertExit(run("import", "-q", out, "-o", st), 0)
            self.assertEqual(stage_digests(st), {"cyc_a": want["cyc_a"], "node": want["node"]})
            # a pattern that matches nothing is a mistake, as in pull
            bad = self.path("none." + EXT[fmt])
            r = run("export", self.stage, "-f", fmt, "-o", bad, "-t", "node", "-t", "nosuch*")
            self.assertExit(r, 2)
            self.assertIn("no table matching 'nosuch*'", r.err)
            self.assertFalse(os.path.exists(bad))
        self.assertIn("--exclude", run("export", "--help").out)

    def cut_after(self, fmt, path, table):
        """The file `path` cut where the rows of the table after `table`
        begin, and cut before its trailer."""
        data = read(path)
        if fmt == "json":
            lines = data.splitlines(keepends=True)
            starts = [i for i, l in enumerate(lines) if l.startswith(b'{"table":')]
            mine = [i for i in starts if l_name(lines[i]) == table][0]
            after = b"".join(lines[:starts[starts.index(mine) + 1]])
            return after, data[:data.rindex(b'"trailer"')]
        u = msgpack.Unpacker(raw=False)
        u.feed(data)
        ends, seen, after, trailer = [], False, None, None
        for o in u:
            if isinstance(o, dict) and "table" in o and seen and after is None:
                after = ends[-1]
            if isinstance(o, dict) and o.get("table") == table:
                seen = True
            if isinstance(o, dict) and "trailer" in o:
                trailer = ends[-1]
            ends.append(u.tell())
        return data[:after], data[:trailer]

    def test_import_of_some_tables_reads_on_to_the_trailer(self):
        # a file cut short after the last table the import takes is
        # refused too: a file or a pipe, cut where the next table's rows
        # begin or just before the trailer
        for fmt in FORMATS:
            out = self.path("h." + EXT[fmt])
            self.assertExit(run("export", "-q", self.stage, "-f", fmt, "-o", out), 0)
            for n, cut in enumerate(self.cut_after(fmt, out, "node")):
                bad, st = self.path("cut%d.%s" % (n, EXT[fmt])), self.path("cut.stage")
                with open(bad, "wb") as f:
                    f.write(cut)
                r = run("import", bad, "-o", st, "--table", "node")
                self.assertExit(r, 3)
                self.assertRegex(r.err, r"byte \d+: ")
                self.assertFalse(os.path.exists(st), r.err)
                p = subprocess.run([INVSTAGE, "import", "-", "-o", st, "--table", "node"],
                                   input=cut, capture_output=True)
                self.assertEqual(p.returncode, 3, p.stderr)
                self.assertFalse(os.path.exists(st), p.stderr)
                self.assertEqual(leftovers(self.dir), [])
            # whole, it imports through a pipe too
            p = subprocess.run([INVSTAGE, "import", "-", "-o", st, "--table", "node"],
                               input=read(out), capture_output=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            os.unlink(st)

    def test_a_new_format_is_a_module_the_plugin_path_lists(self):
        # tests/mock's mockfile: a driver saying it is a file format, with
        # its suffix and its sniff, listed in its folder's manifest; no
        # other line of invstage names it
        env = {"INVSTAGE_PLUGIN_PATH": MOCK_DIR}
        r = run("plugins", env=env)
        self.assertExit(r, 0)
        line = [l for l in r.out.splitlines() if l.startswith("mockfile ")]
        self.assertEqual(len(line), 1, r.out)
        self.assertIn("can: pull, file  files: *.mockf", line[0])
        self.assertNotIn("file", [l for l in r.out.splitlines() if l.startswith("sqlite ")][0])
        self.assertIn("mockfile   *.mockf", run("import", "--help", env=env).out)
        self.assertIn("json       *.json", run("export", "--help", env=env).out)
        three, st = self.path("three.dat"), self.path("three.stage")
        with open(three, "w") as f:
            f.write("MOCKF 3\n")
        for args in ([three], ["-f", "mockfile", three], ["-"]):
            r = subprocess.run([INVSTAGE, "import", "-q", *args, "-o", st], env=dict(
                os.environ, **env), input=b"MOCKF 3\n", capture_output=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            con = sqlite3.connect(st)
            self.assertEqual(con.execute("SELECT value FROM invs_meta WHERE key = "
                                         "'source_driver'").fetchone(), ("mockfile",))
            self.assertEqual(con.execute("SELECT name, rows FROM invs_tables").fetchall(),
                             [("t", 3)])
            con.close()
            os.unlink(st)
        # by its name, for an export: it cannot write, so it is refused
        r = run("export", self.stage, "-o", self.path("x.mockf"), env=env)
        self.assertExit(r, 2)
        self.assertIn("'mockfile' is not a file format this invstage can write", r.err)
        self.assertIn("(it can: django, json, msgpack)", r.err)
        # an engine is no file format
        r = run("import", "-f", "sqlite", self.path("three.dat"), "-o", st)
        self.assertExit(r, 2)
        self.assertIn("'sqlite' is not a file format this invstage can read", r.err)

    def test_the_format_comes_from_the_first_byte(self):
        mp = self.path("really-msgpack.json")
        self.assertExit(run("export", "-q", self.stage, "-f", "msgpack", "-o", mp), 0)
        self.assertExit(run("import", "-q", mp, "-o", self.path("a.stage")), 0)
        r = run("import", "-f", "json", mp, "-o", self.path("b.stage"))
        self.assertExit(r, 3)
        self.assertIn("looks like msgpack", r.err)
        self.assertFalse(os.path.exists(self.path("b.stage")))
        self.assertExit(run("import", "-f", "yaml", mp, "-o", self.path("c.stage")), 2)


if __name__ == "__main__":
    main()
