#!/usr/bin/env python3
"""Build a hostile SQLite database: everything a migration tool tends to
lose. Usage: gen_hostile_sqlite.py OUT.db

Odd identifiers (quotes, spaces, semicolons, reserved words, non-Latin
scripts), integers at both 64-bit limits, -0.0, subnormal and huge doubles,
infinities, emoji, combining characters, right-to-left text, newlines, tabs,
backslashes, invalid UTF-8 and NUL inside text, 200 KB blobs and blobs full
of NULs, NULL beside '' and x'', a self-referencing tree whose children come
before their parents, a foreign-key cycle between two tables, composite
primary and foreign keys, a table without a primary key holding duplicate
rows, a WITHOUT ROWID table, a STRICT table, an empty table, an
AUTOINCREMENT table whose last rows were deleted, defaults, collations,
UNIQUE constraints and named indexes."""
import os
import random
import sqlite3
import sys

SCHEMA = r'''
CREATE TABLE "select" (
  "id" INTEGER PRIMARY KEY,
  "any thing" ,
  "int col" INTEGER,
  "real col" REAL,
  "text col" TEXT NOT NULL DEFAULT '',
  "blob col" BLOB
);

CREATE TABLE "we""ird; DROP TABLE x; --" (
  "a""b" INTEGER NOT NULL,
  "c;d" TEXT COLLATE NOCASE,
  "order" TEXT DEFAULT 'it''s',
  "名前" TEXT UNIQUE,
  "עמודה" REAL DEFAULT -1.5,
  "when" TEXT DEFAULT CURRENT_TIMESTAMP,
  "expr" INTEGER DEFAULT (6 * 7),
  PRIMARY KEY ("a""b")
);

CREATE TABLE "таблица" ("ключ" TEXT PRIMARY KEY, "значение" ANY) WITHOUT ROWID;

CREATE TABLE "node" (
  "id" INTEGER PRIMARY KEY,
  "parent" INTEGER REFERENCES "node"("id") ON DELETE CASCADE,
  "name" TEXT NOT NULL
);

CREATE TABLE "cyc_a" ("id" INTEGER PRIMARY KEY, "b_id" INTEGER REFERENCES "cyc_b"("id"));
CREATE TABLE "cyc_b" ("id" INTEGER PRIMARY KEY, "a_id" INTEGER NOT NULL REFERENCES "cyc_a"("id"));

CREATE TABLE "parent2" ("x" TEXT, "y" INTEGER, "label" TEXT, PRIMARY KEY ("x", "y"));
CREATE TABLE "child2" (
  "id" INTEGER PRIMARY KEY,
  "px" TEXT, "py" INTEGER,
  FOREIGN KEY ("px", "py") REFERENCES "parent2" ("x", "y") ON UPDATE CASCADE ON DELETE SET NULL
);

CREATE TABLE "no key" ("a" INTEGER, "b" TEXT);

CREATE TABLE "empty" ("id" INTEGER PRIMARY KEY, "v" TEXT);

CREATE TABLE "auto" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "v" TEXT);

CREATE TABLE "strict" ("id" INTEGER PRIMARY KEY, "n" INTEGER NOT NULL, "r" REAL, "t" TEXT, "b" BLOB, "x" ANY) STRICT;

CREATE TABLE "uniq" ("id" INTEGER PRIMARY KEY, "a" TEXT, "b" INTEGER, "c" TEXT, UNIQUE ("a", "b"));
CREATE INDEX "uniq by c" ON "uniq" ("c");
CREATE UNIQUE INDEX "uniq; b" ON "uniq" ("b", "c");
'''


def main(out):
    if os.path.exists(out):
        os.remove(out)
    rnd = random.Random(20261126)
    con = sqlite3.connect(out)
    con.executescript(SCHEMA)
    big = bytes(rnd.getrandbits(8) for _ in range(200 * 1024))
    values = [
        # id, any, int col, real col, text col, blob col
        (1, -9223372036854775808, 9223372036854775807, -0.0, "emoji 🦄🏳️‍🌈 and ZWJ", big),
        (2, 9223372036854775807, -9223372036854775808, 5e-324, "e\u0301 combining", b"\0" * 4096),
        (3, -0.0, 0, 1.7976931348623157e308, "שלום עולם RTL \u202e", b""),
        (4, float("inf"), 1, float("-inf"), "line1\nline2\r\n\ttab \\back\\slash", None),
        (5, 2.2250738585072014e-308, None, 0.1, "", b"\x00\x01\xff"),
        (6, "text in an untyped column", "text in an INTEGER column", "text in a REAL column",
         "NUL follows", b"x"),
        (7, b"blob in an untyped column", 3.5, 42, "'; DROP TABLE \"select\"; --", b"\xff" * 10),
        (8, None, None, None, "null cells beside empty ones", None),
        (9, "", "", "", "   leading and trailing   ", b""),
        (10, 1e-300, 12345678901234567, -1e308, "replaced below by a lone NUL", None),
    ]
    con.executemany('INSERT INTO "select" VALUES (?, ?, ?, ?, ?, ?)', values)
    # bytes SQLite keeps as TEXT that Python cannot write as str
    con.execute("UPDATE \"select\" SET \"text col\" = CAST(x'61006200' AS TEXT) WHERE id = 6")
    con.execute("UPDATE \"select\" SET \"any thing\" = CAST(x'fffe41c328' AS TEXT) WHERE id = 8")
    con.execute("UPDATE \"select\" SET \"text col\" = CAST(x'00' AS TEXT) WHERE id = 10")

    weird = '"we""ird; DROP TABLE x; --"'
    con.executemany("INSERT INTO %s VALUES (?, ?, ?, ?, ?, ?, ?)" % weird, [
        (1, "MiXeD", "a", "日本語", 3.25, "2026-01-01 00:00:00", 1),
        (2, "mixed", None, "ελληνικά", None, None, None),
        (3, None, "", None, -0.5, "", 0),
    ])
    con.execute('INSERT INTO %s ("a""b") VALUES (4)' % weird)  # every default

    con.executemany('INSERT INTO "таблица" VALUES (?, ?)', [
        ("б", 1), ("а", "два"), ("в", 3.0), ("г", b"\x00"), ("д", None)])

    # children before parents: ids 1..6 point upwards to larger ids
    con.executemany('INSERT INTO "node" VALUES (?, ?, ?)', [
        (1, 4, "leaf a"), (2, 4, "leaf b"), (3, 5, "leaf c"), (4, 6, "branch"),
        (5, 6, "branch 2"), (6, None, "root"), (7, 7, "its own parent")])

    con.executemany('INSERT INTO "cyc_a" VALUES (?, ?)', [(1, 2), (2, 1), (3, None)])
    con.executemany('INSERT INTO "cyc_b" VALUES (?, ?)', [(1, 1), (2, 2)])

    con.executemany('INSERT INTO "parent2" VALUES (?, ?, ?)', [
        ("k", 1, "one"), ("k", 2, "two"), ("K", 1, "case differs")])
    con.executemany('INSERT INTO "child2" VALUES (?, ?, ?)', [
        (1, "k", 2), (2, "K", 1), (3, None, None), (4, "k", 1)])

    con.executemany('INSERT INTO "no key" VALUES (?, ?)', [
        (1, "dup"), (1, "dup"), (1, "dup"), (None, None), (None, None), (2, "")])

    con.executemany('INSERT INTO "auto" ("v") VALUES (?)', [("r%d" % i,) for i in range(10)])
    con.execute('DELETE FROM "auto" WHERE id > 7')  # sqlite_sequence stays at 10

    con.executemany('INSERT INTO "strict" VALUES (?, ?, ?, ?, ?, ?)', [
        (1, -1, 0.5, "t", b"b", 1), (2, 0, None, None, None, "any"), (3, 7, -0.0, "", b"", 2.5)])

    con.executemany('INSERT INTO "uniq" VALUES (?, ?, ?, ?)', [
        (1, "a", 1, "x"), (2, "a", 2, "x"), (3, None, None, None), (4, None, None, None)])
    con.commit()
    bad = con.execute("PRAGMA foreign_key_check").fetchall()
    if bad:
        sys.exit("generator bug: foreign key violations %r" % bad)
    con.close()


if __name__ == "__main__":
    main(sys.argv[1])
