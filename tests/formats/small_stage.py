#!/usr/bin/env python3
"""A small fixed stage, chosen here value by value, and written as an
invstage file by Python's own json and msgpack (formats/FORMAT.md): the
source of the golden files (an import of it, exported again) and of the
test that files other programs write import to the rows they chose.

Usage: small_stage.py OUT.json OUT.msgpack

Every value a file must carry exactly is here: both 64-bit integer limits
and the largest unsigned one, a NaN with a payload and a signalling one,
-0.0, both infinities, the smallest subnormal, an emoji (which Python's
json writes as a surrogate pair), NUL inside text, text that is not UTF-8,
a blob full of NULs, NULL beside '' beside an empty blob, a zero date with
its flag, a decimal with more digits than a double holds."""
import base64
import json
import struct
import sys


class Bits:
    """A real given by its 8 bytes (hex, big-endian): NaN payloads."""

    def __init__(self, hex16):
        self.hex = hex16
        self.value = struct.unpack(">d", bytes.fromhex(hex16))[0]


class Bytes:
    """Text that is not UTF-8."""

    def __init__(self, b):
        self.b = b


class Blob:
    def __init__(self, b):
        self.b = b


class Flagged:
    """Text with value flags (1: a zero date)."""

    def __init__(self, text, flags):
        self.text, self.flags = text, flags


META = {
    "created_at": "2026-01-01T00:00:00Z",
    "invstage_version": "0.1.0",
    "source": "sqlite:small.db",
    "source_driver": "sqlite",
    "source_driver_version": "3.40.1",
}


def col(name, decl, canon, flags=0, default=None, collation=None):
    return {"name": name, "decl": decl, "canon": canon, "length": -1, "precision": -1,
            "scale": -1, "flags": flags, "default": default, "collation": collation,
            "charset": None}


TABLES = [
    {"name": "parent", "engine": "sqlite", "flags": 0, "source_rows": 2,
     "columns": [col("id", "INTEGER", "int64", 0x21), col("name", "TEXT", "text", 1)],
     "keys": [{"kind": "primary", "name": None, "flags": 0, "columns": ["id"]}],
     "sequences": [{"column": "id", "name": None, "value": 7, "is_called": 1}]},
    {"name": "child \"ü\"", "engine": "sqlite", "flags": 0, "source_rows": -1,
     "columns": [col("id", "INTEGER", "int64", 0x21), col("parent_id", "INTEGER", "int64"),
                 col("note", "TEXT", "text", 0, "'none'", "NOCASE")],
     "keys": [{"kind": "primary", "name": None, "flags": 0, "columns": ["id"]},
              {"kind": "foreign", "name": None, "flags": 0, "columns": ["parent_id"],
               "ref_table": "parent", "ref_columns": ["id"], "on_delete": "CASCADE",
               "on_update": None},
              {"kind": "index", "name": "child by note", "flags": 1, "columns": ["note", "id"]}]},
    {"name": "values", "engine": "sqlite", "flags": 0, "source_rows": 7,
     "columns": [col("id", "INTEGER", "int64", 0x21), col("a", "", "any"), col("b", "", "any"),
                 col("c", "", "any"), col("d", "DECIMAL(30,9)", "decimal")],
     "keys": [{"kind": "primary", "name": None, "flags": 0, "columns": ["id"]}]},
    {"name": "empty", "engine": "sqlite", "flags": 2,
     "columns": [col("id", "INTEGER", "int64", 0x21), col("v", "TEXT", "text")],
     "keys": [{"kind": "primary", "name": None, "flags": 0, "columns": ["id"]}]},
]

UINT64_MAX = 2**64 - 1
ROWS = {
    "parent": [[1, "one"], [2, "two"]],
    "child \"ü\"": [[10, 1, "a"], [11, 2, None], [12, None, ""]],
    "values": [
        [1, -2**63, 2**63 - 1, UINT64_MAX, "0"],
        [2, Bits("7ff8000000000001"), Bits("7ff4000000000000"), -0.0, "-1.5"],
        [3, float("inf"), float("-inf"), 5e-324, "12345678901234567890.000000001"],
        [4, "emoji \U0001F984 and \u00e9", "a\0b", Bytes(b"\xff\xfeA\xc3("), None],
        [5, Blob(b"\0" * 64), Blob(b""), "", None],
        [6, None, "", Flagged("0000-00-00", 1), None],
        [7, 0.1, 1e300, 3.0, "1E+400"],
    ],
    "empty": [],
}


def to_json(v):
    if isinstance(v, Bits):
        return {"real": v.hex}
    if isinstance(v, float) and v != v or v in (float("inf"), float("-inf")):
        return {"real": struct.pack(">d", v).hex()}
    if isinstance(v, Bytes):
        return {"bytes": base64.b64encode(v.b).decode()}
    if isinstance(v, Blob):
        return {"blob": base64.b64encode(v.b).decode()}
    if isinstance(v, Flagged):
        return {"text": v.text, "flags": v.flags}
    return v


def to_msgpack(v):
    if isinstance(v, Bits):
        return v.value
    if isinstance(v, Bytes):
        return {"bytes": v.b}
    if isinstance(v, Blob):
        return v.b
    if isinstance(v, Flagged):
        return {"text": v.text, "flags": v.flags}
    return v


def trailer():
    return {"tables": [{"name": t["name"], "rows": len(ROWS[t["name"]]), "digest": None}
                       for t in TABLES],
            "rows": sum(len(r) for r in ROWS.values())}


def write_json(path):
    doc = {"format": "invstage", "version": 1, "meta": META, "tables": TABLES,
           "data": [{"table": t["name"], "rows": [[to_json(v) for v in row]
                                                 for row in ROWS[t["name"]]]}
                    for t in TABLES],
           "trailer": trailer()}
    with open(path, "w") as f:
        json.dump(doc, f, allow_nan=False)  # ensure_ascii: \u escapes, surrogate pairs


def write_msgpack(path):
    import msgpack
    pk = msgpack.Packer(use_bin_type=True)
    with open(path, "wb") as f:
        f.write(pk.pack({"format": "invstage", "version": 1, "meta": META,
                         "tables": len(TABLES)}))
        for t in TABLES:
            f.write(pk.pack(t))
        for t in TABLES:
            f.write(pk.pack({"table": t["name"]}))
            for row in ROWS[t["name"]]:
                f.write(pk.pack([to_msgpack(v) for v in row]))
        f.write(pk.pack({"trailer": trailer()}))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    write_json(sys.argv[1])
    write_msgpack(sys.argv[2])
