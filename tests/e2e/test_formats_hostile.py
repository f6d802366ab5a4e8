#!/usr/bin/env python3
"""A file that was cut short, damaged, or written to hurt is refused by
invstage import with the byte offset and the reason, exit 3, and no stage
is left behind (formats/FORMAT.md): cut at every row boundary and inside
rows, a value changed or a row lost, wrong types, a row with too many
values, an integer past 64 bits, invalid base64, a newer format version,
a gigabyte of nesting, and msgpack headers claiming billions of elements."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "formats"))
import gen_hostile_sqlite  # noqa: E402
import small_stage  # noqa: E402
from harness import INVSTAGE, TempDirTest, checked, main, run, skip, Result  # noqa: E402

try:
    import msgpack
except ImportError:
    skip("python3-msgpack is missing (tools/install-deps installs it)")
if run("plugins", "-q", "msgpack").rc != 0:
    skip("the msgpack driver was not built (Debian: libmsgpack-dev)")

BYTE = re.compile(r"byte \d+: ")


class Refusals(TempDirTest):
    def setUp(self):
        super().setUp()
        db, self.stage = self.path("h.db"), self.path("h.stage")
        gen_hostile_sqlite.main(db)
        self.assertExit(run("pull", "-q", "sqlite:" + db, "-o", self.stage), 0)
        self.good = {}
        for fmt in ("json", "msgpack"):
            self.good[fmt] = self.path("good." + fmt)
            self.assertExit(run("export", "-q", self.stage, "-f", fmt, "-o", self.good[fmt]), 0)
        self.n = 0

    def read(self, fmt):
        with open(self.good[fmt], "rb") as f:
            return f.read()

    def refused(self, data, want=None, fmt=None):
        """Import `data`: exit 3, an offset and `want` in the message, no stage.
        (A changed value is found by the table's content digest, which
        names the table, not where in it.)"""
        self.n += 1
        src, st = self.path("bad%d" % self.n), self.path("bad%d.stage" % self.n)
        with open(src, "wb") as f:
            f.write(data)
        r = run("import", src, "-o", st, *(["-f", fmt] if fmt else []))
        self.assertExit(r, 3)
        if want != "content digest":
            self.assertRegex(r.err, BYTE)
        if want:
            self.assertIn(want, r.err)
        self.assertFalse(os.path.exists(st), r.err)
        self.assertEqual([n for n in os.listdir(self.dir) if ".invs-tmp-" in n], [])
        os.unlink(src)
        return r

    def test_a_json_file_cut_at_any_row_boundary_or_inside_a_row(self):
        data = self.read("json")
        cuts = [m.end() for m in re.finditer(b"\n", data)][:-1]  # every line: rows, sections
        cuts += list(range(1, len(data), len(data) // 23)) + [len(data) - 2]  # not the last "\n"
        for cut in sorted(set(cuts)):
            self.refused(data[:cut])

    def test_a_msgpack_file_cut_at_any_object_boundary_or_inside_one(self):
        data = self.read("msgpack")
        u = msgpack.Unpacker(raw=False)
        u.feed(data)
        cuts = []
        for _ in u:
            cuts.append(u.tell())
        self.assertEqual(cuts[-1], len(data))
        cuts = cuts[:-1] + list(range(1, len(data), len(data) // 23)) + [len(data) - 1]
        for cut in sorted(set(cuts)):
            self.refused(data[:cut])

    def test_json_damage_is_named(self):
        data = self.read("json")
        row = b'[1,"r0"]'
        self.assertIn(row, data)
        self.refused(data.replace(row, b'[1,"r9"]'), "content digest")
        self.refused(data.replace(row + b",\n", b""), "content digest")  # a row lost
        self.refused(data.replace(row, row + b",\n" + row), "content digest")
        self.refused(data.replace(row, b'[1,"r0",3]'), "more values than the table's 2 columns")
        self.refused(data.replace(row, b'[1]'), "a row of 1 values, the table has 2 columns")
        self.refused(data.replace(row, b'[18446744073709551616,"r0"]'), "past 64 bits")
        self.refused(data.replace(row, b'[-9223372036854775809,"r0"]'), "below -2^63")
        self.refused(data.replace(row, b'[true,"r0"]'), "expected a value, not a boolean")
        self.refused(data.replace(row, b'[{"int":"1"},"r0"]'), "class int cannot be a string")
        self.refused(data.replace(row, b'[{"blob":"AAH!"},"r0"]'), "invalid base64")
        self.refused(data.replace(row, b'[{"blob":"AAE"},"r0"]'), "invalid base64")
        self.refused(data.replace(row, b'[{"blob":"AAF="},"r0"]'), "invalid base64")  # bits
        self.refused(data.replace(row, b'[{"blob":"AB=="},"r0"]'), "invalid base64")
        self.refused(data.replace(row, b'[{"what":1},"r0"]'), 'unknown member "what"')
        self.refused(data.replace(row, b'[1,"r\xff0"]'), "not UTF-8")
        self.refused(data.replace(row, b'[1,"\\ud800"]'), "surrogate")
        self.refused(data.replace(row, b'[01,"r0"]'), "leading zero")
        self.refused(data.replace(b'"version":1', b'"version":2'), "format version 2 is newer")
        self.refused(data.replace(b'"format":"invstage"', b'"format":"other"'),
                     "not an invstage JSON file")
        self.refused(data + b"{}", "follows the end of the document")
        self.refused(data.replace(b'"canon":"int64"', b'"canon":"int128"', 1),
                     "no canonical type")
        self.refused(data.replace(b'"trailer":{"tables":[{"name":"select","rows":10',
                                  b'"trailer":{"tables":[{"name":"select","rows":11'),
                     "the trailer says table select has 11 rows")
        self.refused(b"\x83\xa6format", "looks like msgpack", fmt="json")
        self.refused(b"", "does not begin with '{'", fmt="json")
        # without -f, a file no format recognises is refused before any
        # driver reads it, naming the formats there are
        self.refused(b"", "the file is empty (the formats this invstage reads: django, json, msgpack")
        self.refused(b"GIF89a\x01\x00", "no file format recognises its first bytes")
        self.refused(b"  \n[1, 2]", "no file format recognises its first bytes")

    def test_the_trailer_is_checked_where_nothing_else_would_notice(self):
        # a file another program wrote, without digests: only the trailer
        # tells that a row went missing
        src = self.path("py.json")
        small_stage.write_json(src)
        with open(src, "rb") as f:
            data = f.read()
        self.assertExit(run("import", "-q", src, "-o", self.path("ok.stage")), 0)
        self.refused(data.replace(b'[[10, 1, "a"], ', b"["), "the trailer says table")
        self.refused(data.replace(b'"rows": 12}', b'"rows": 13}'), "total of rows")

    def test_msgpack_damage_is_named(self):
        data = self.read("msgpack")
        pk = msgpack.Packer(use_bin_type=True)
        row = pk.pack([1, "r0"])
        self.assertIn(row, data)
        self.refused(data.replace(row, pk.pack([1, "r9"])), "content digest")
        self.refused(data.replace(row, pk.pack([1, "r0", 3])), "a row of 3 values")
        self.refused(data.replace(row, pk.pack([True, "r0"])), "a boolean")
        self.refused(data.replace(row, pk.pack([[1], "r0"])), "no value")
        self.refused(data.replace(row, pk.pack([{"what": 1}, "r0"])), "unknown member")
        self.refused(data.replace(row, pk.pack([{"int": 1, "blob": b""}, "r0"])), "two classes")
        self.refused(data.replace(row, b"\x92\x01\xa2r\xff"), "not UTF-8")
        self.refused(data.replace(row, b"\x92\x01\xc1"), "byte 0xc1 is no msgpack")
        self.refused(data.replace(row, b"\x92\x01\xd4\x01\x00"), "an array or ext object")
        self.refused(data.replace(row, b"\xdd\xff\xff\xff\xff"), "a row of 4294967295 values")
        # a string claiming 4 GB in a file that then ends: refused without
        # a buffer of its size
        self.refused(data[:data.index(row)] + b"\x92\x01\xdb\xff\xff\xff\xff" + b"x" * 100,
                     "cut short")
        self.refused(data.replace(pk.pack("version") + pk.pack(1), pk.pack("version") +
                                  pk.pack(2)), "format version 2 is newer")
        self.refused(data + pk.pack(1), "follows the trailer")
        self.refused(b'{"format":"invstage"}', "looks like JSON", fmt="msgpack")
        # a description claiming four billion columns
        head = pk.pack({"format": "invstage", "version": 1, "tables": 1})
        self.refused(head + b"\x81\xa7columns\xdd\xff\xff\xff\xff", "container of 4294967295")
        self.refused(head + b"\x81\xa4keys" + b"\x91" * 100, "nested deeper than 16")

    def deep(self, fmt, byte, want, gigabytes=1):
        """A gigabyte of nesting through a pipe: refused after reading a
        few bytes of it, with the rest never written."""
        st = self.path("deep-%s.stage" % fmt)
        p = subprocess.Popen([INVSTAGE, "import", "-f", fmt, "-", "-o", st],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        head = (b'{"format":"invstage","version":1,"meta":{"x":' if fmt == "json" else
                msgpack.packb({"format": "invstage", "version": 1, "tables": 1}) + b"\x81\xa4meta")
        chunk, sent = byte * (1 << 20), 0
        try:
            p.stdin.write(head)
            while sent < gigabytes << 30:
                p.stdin.write(chunk)
                sent += len(chunk)
        except BrokenPipeError:
            pass
        try:
            p.stdin.close()
        except BrokenPipeError:
            pass
        err = p.stderr.read().decode()
        p.wait()
        checked(Result(p.returncode, "", err))
        self.assertEqual(p.returncode, 3, err)
        self.assertIn(want, err)
        self.assertRegex(err, BYTE)
        self.assertLess(sent, 1 << 30, "the whole gigabyte was read")
        self.assertFalse(os.path.exists(st))

    def test_a_gigabyte_of_nesting_is_refused_at_once(self):
        self.deep("json", b"[", "nested deeper than 32 levels")
        self.deep("msgpack", b"\x91", "nested deeper than 16 levels")


if __name__ == "__main__":
    main()
