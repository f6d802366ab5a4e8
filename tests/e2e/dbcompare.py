"""Compare two SQLite databases value by value (storage class included,
reals bit for bit) and schema by schema, programmatically."""
import sqlite3
import struct


def connect(path):
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    con.text_factory = bytes  # text bytes exactly as stored, valid UTF-8 or not
    return con


def q(name):
    return '"' + name.replace('"', '""') + '"'


def tables(con):
    return [r[0].decode() for r in con.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\' ORDER BY name")]


def cell(v):
    """A value as (storage class, exact representation)."""
    if v is None:
        return ("null", None)
    if isinstance(v, int):
        return ("integer", v)
    if isinstance(v, float):
        return ("real", struct.pack(">d", v).hex())
    if isinstance(v, bytes):
        return ("text", v)
    return ("blob", bytes(v))


def rows(con, table):
    """All rows as sorted tuples of cells. typeof() tells text from blob,
    since the text factory returns both as bytes."""
    cols = [r[1].decode() for r in con.execute("SELECT * FROM pragma_table_info(?)", (table,))]
    sel = ", ".join("%s, typeof(%s)" % (q(c), q(c)) for c in cols)
    out = []
    for r in con.execute("SELECT %s FROM %s" % (sel, q(table))):
        row = []
        for i in range(0, len(r), 2):
            v, t = r[i], r[i + 1].decode()
            c = cell(v)
            if t == "blob":
                c = ("blob", bytes(v))
            elif t == "text":
                c = ("text", bytes(v))
            row.append(c)
        out.append(tuple(row))
    # None sorts badly: key on repr, stable and total
    return sorted(out, key=repr)


def dec(v):
    return v.decode() if isinstance(v, bytes) else v


def schema(con):
    """Tables with columns, keys, indexes, foreign keys and options."""
    s = {}
    for t in tables(con):
        info = {}
        info["options"] = [tuple(map(dec, r)) for r in con.execute(
            "SELECT type, ncol, wr, strict FROM pragma_table_list WHERE name = ? "
            "AND schema = 'main'", (t,))]
        info["columns"] = [tuple(map(dec, r)) for r in con.execute(
            "SELECT cid, name, type, \"notnull\", dflt_value, pk, hidden "
            "FROM pragma_table_xinfo(?)", (t,))]
        idx = []
        for name, unique, origin, partial in con.execute(
                "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?)", (t,)):
            name, origin = dec(name), dec(origin)
            cols = [tuple(map(dec, r)) for r in con.execute(
                "SELECT seqno, name, \"desc\", coll, key FROM pragma_index_xinfo(?)", (name,))]
            # automatic indexes are named by SQLite: compare what they cover
            idx.append((name if origin == "c" else "(auto)", unique, origin, partial, cols))
        info["indexes"] = sorted(idx, key=repr)
        fks = {}
        for r in con.execute("SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete, "
                             "match FROM pragma_foreign_key_list(?)", (t,)):
            fks.setdefault(r[0], []).append(tuple(map(dec, r[1:])))
        info["foreign_keys"] = sorted(fks.values(), key=repr)
        s[t] = info
    return s


def sequences(con):
    try:
        return sorted((dec(n), v) for n, v in con.execute("SELECT name, seq FROM sqlite_sequence"))
    except sqlite3.OperationalError:
        return []


def short(x, n=160):
    r = repr(x)
    return r if len(r) <= n else r[:n] + "...(%d chars)" % len(r)


def row_diff(ra, rb):
    """The cells where two rows differ, by column index."""
    return [(i, short(x, 60), short(y, 60)) for i, (x, y) in enumerate(zip(ra, rb)) if x != y]


def differences(a_path, b_path, check_schema=True):
    """A list of human-readable differences; empty when equal."""
    a, b = connect(a_path), connect(b_path)
    diffs = []
    ta, tb = tables(a), tables(b)
    if ta != tb:
        diffs.append("tables differ: %r vs %r" % (ta, tb))
    for t in ta:
        if t not in tb:
            continue
        ra, rb = rows(a, t), rows(b, t)
        if ra != rb:
            n = next((i for i, (x, y) in enumerate(zip(ra, rb)) if x != y), min(len(ra), len(rb)))
            if n < len(ra) and n < len(rb):
                what = "cells (column, a, b) %s" % row_diff(ra[n], rb[n])
            else:
                what = "%s vs %s" % (short(ra[n:n + 1]), short(rb[n:n + 1]))
            diffs.append("table %s: %d vs %d rows, first difference at sorted row %d: %s"
                         % (t, len(ra), len(rb), n, what))
    if check_schema:
        sa, sb = schema(a), schema(b)
        for t in ta:
            for k in ("options", "columns", "indexes", "foreign_keys"):
                if t in sa and t in sb and sa[t][k] != sb[t][k]:
                    diffs.append("table %s %s: %s vs %s" % (t, k, short(sa[t][k], 400),
                                                             short(sb[t][k], 400)))
        if sequences(a) != sequences(b):
            diffs.append("sqlite_sequence: %r vs %r" % (sequences(a), sequences(b)))
    a.close()
    b.close()
    return diffs


def fk_violations(path):
    con = connect(path)
    v = con.execute("PRAGMA foreign_key_check").fetchall()
    con.close()
    return v
