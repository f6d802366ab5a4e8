#!/usr/bin/env python3
"""Build a dirty SQLite database for verify: legacy encodings, undecodable
bytes, NULs, orphans, NULL and duplicate primary keys, text in numeric
columns, over-long values (duplicate keys, which SQLite refuses, are put
into the stage by the test). Usage: gen_dirty_sqlite.py OUT.db"""
import os
import sqlite3
import sys

SCHEMA = """
CREATE TABLE customer (id INTEGER PRIMARY KEY, name VARCHAR(10) NOT NULL, city TEXT, note TEXT);
CREATE TABLE invoice (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customer (id),
  total NUMERIC(10,2), qty SMALLINT);
CREATE TABLE code (k TEXT PRIMARY KEY, label TEXT);
CREATE TABLE tag (id INTEGER PRIMARY KEY, name TEXT UNIQUE);
CREATE TABLE event (id INTEGER PRIMARY KEY, day DATE, at DATETIME, amount DECIMAL(5,2));
"""


def main(out):
    if os.path.exists(out):
        os.remove(out)
    con = sqlite3.connect(out)
    con.executescript(SCHEMA)
    # text as bytes: the column keeps TEXT storage class with these exact bytes
    def text(b):
        return "CAST(x'%s' AS TEXT)" % b.hex()
    rows = [
        (1, b"Ann", "Z\xfcrich".encode("latin-1"), b"ok"),                 # latin1
        (2, b"Bob", b"Caf\xe9 \x80 \x93quoted\x94", b"cp1252 euro and quotes"),  # cp1252
        (3, b"Cy", b"bad \x81 byte", b"undecodable in cp1252"),           # 0x81 is undefined
        (4, b"Dee", b"ok city", b"nul\x00inside"),                         # NUL
        (5, "Ëve".encode(), "Montréal".encode(), "already UTF-8".encode()),
        (6, b"A name far too long", b"x", None),                         # > VARCHAR(10)
    ]
    for r in rows:
        con.execute("INSERT INTO customer VALUES (?, %s, %s, %s)" % (
            text(r[1]), text(r[2]), text(r[3]) if r[3] is not None else "NULL"), (r[0],))
    con.executemany("INSERT INTO invoice VALUES (?, ?, ?, ?)", [
        (1, 1, 10.5, 1), (2, 99, 3, 2), (3, 98, "n/a", 40000), (4, None, 7, 3), (5, 1, 1, "many")])
    con.executemany("INSERT INTO code VALUES (?, ?)", [("a", "x"), (None, "null key 1"),
                                                        (None, "null key 2")])
    con.executemany("INSERT INTO tag VALUES (?, ?)", [(1, "t1"), (2, "t2"), (3, "T1"), (4, "🦄")])
    con.executemany("INSERT INTO event VALUES (?, ?, ?, ?)", [
        (1, "2024-02-29", "2026-02-28 10:00:00", 123.45),    # all fine (a leap day)
        (2, "2026-02-30", "2026-02-30T10:00:00", 1234.5),   # impossible; too big
        (3, "0000-00-00", "yesterday", 1.234),              # impossible; rounded
        (4, 20260101, None, -999.99)])                      # a number is no date
    con.commit()
    con.close()


if __name__ == "__main__":
    main(sys.argv[1])
