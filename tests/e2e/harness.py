"""What every end-to-end test shares: the binary under test, a scratch
directory, running invstage with its exit code and output, skipping."""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

INVSTAGE = os.environ.get("INVSTAGE") or sys.exit("INVSTAGE is not set (run through ctest)")
MOCK_DIR = os.environ.get("INVS_MOCK_DIR", "")
SHARED = os.environ.get("INVS_SHARED", os.path.join(os.path.dirname(__file__), "../../../shared"))
SANITIZE = os.environ.get("INVS_SANITIZE", "0") in ("1", "ON", "TRUE", "true")
SKIP = 77


def skip(reason):
    print("SKIPPED: " + reason)
    sys.exit(SKIP)


class Result:
    def __init__(self, rc, out, err, maxrss_kib=0):
        self.rc, self.out, self.err, self.maxrss_kib = rc, out, err, maxrss_kib

    def __repr__(self):
        return "exit %d\nstdout: %s\nstderr: %s" % (self.rc, self.out, self.err)


def run(*args, env=None, cwd=None, timeout=600):
    """Run invstage; return its exit code, output and peak RSS."""
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.Popen([INVSTAGE] + [str(a) for a in args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=e, cwd=cwd)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        raise
    return checked(Result(p.returncode, out.decode("utf-8", "replace"),
                          err.decode("utf-8", "replace")))


SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def checked(result):
    """A sanitizer report fails the test whatever the exit code (a leak
    exits 1, which is also the code for a refusal)."""
    for mark in SANITIZER_MARKS:
        if mark in result.err:
            raise AssertionError("sanitizer report:\n" + result.err)
    return result


def maxrss_of(*args, env=None):
    """Run invstage and return (Result, its peak RSS in KiB) via wait4."""
    e = dict(os.environ)
    e.update(env or {})
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen([INVSTAGE] + [str(a) for a in args], stdout=out, stderr=err,
                             stdin=subprocess.DEVNULL, env=e)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return checked(Result(p.returncode, out.read().decode(), err.read().decode(),
                              usage.ru_maxrss))


def read_env(path):
    """A server's settings as tools/pg-start and tools/my-start write them."""
    env = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            env[k] = v.strip("'")
    return env


def server_env(kind, name, tool):
    """The settings of the test server tools/TOOL started (INVS_<KIND>_ENV
    names its file), or skip."""
    path = os.environ.get("INVS_%s_ENV" % kind)
    if not path or not os.path.exists(path):
        skip("no %s test server: run through ctest, which starts one (tools/%s)" % (name, tool))
    env = read_env(path)
    if "INVS_%s_SKIP" % kind in env:
        skip(env["INVS_%s_SKIP" % kind])
    return env


def pg_env():
    """The test server's settings (tools/pg-start), or skip."""
    return server_env("PG", "PostgreSQL", "pg-start")


class Pg:
    """A handle on the test server: databases, psql, URIs."""

    def __init__(self, env=None):
        self.env = env or pg_env()
        self.penv = dict(os.environ)
        self.penv.update({k: v for k, v in self.env.items() if k.startswith("PG")})

    def uri(self, db):
        return "%s/%s" % (self.env["INVS_PG_URI"], db)

    def psql(self, db, sql=None, file=None, check=True):
        args = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-d", db]
        args += ["-f", file] if file else ["-c", sql]
        p = subprocess.run(args, env=self.penv, capture_output=True, text=True)
        if check and p.returncode != 0:
            raise AssertionError("psql failed: %s\n%s" % (sql or file, p.stderr))
        return p.stdout

    def createdb(self, name):
        self.psql("postgres", 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
        self.psql("postgres", 'CREATE DATABASE "%s"' % name)
        return name

    def copy_out(self, db, table, schema="public"):
        """Every row of a table as COPY prints it, sorted: its own rows (a
        partitioned table has none, an inheritance child's are its own)."""
        q = 'COPY (SELECT * FROM ONLY "%s"."%s") TO STDOUT' % (schema.replace('"', '""'),
                                                              table.replace('"', '""'))
        p = subprocess.run(["psql", "-X", "-d", db, "-c", q], env=self.penv, capture_output=True)
        if p.returncode != 0:
            raise AssertionError(p.stderr.decode())
        return sorted(p.stdout.split(b"\n"))

    def tables(self, db, schema="public"):
        out = self.psql(db, "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
                            "c.relnamespace WHERE relkind IN ('r','p') AND nspname = '%s' "
                            "ORDER BY 1" % schema)
        return [t for t in out.split("\n") if t]

    def sequences(self, db):
        out = self.psql(db, "SELECT schemaname || '.' || sequencename, last_value "
                            "FROM pg_sequences ORDER BY 1")
        return out

    def differences(self, db_a, db_b, schema="public"):
        diffs = []
        ta, tb = self.tables(db_a, schema), self.tables(db_b, schema)
        if ta != tb:
            diffs.append("tables: %r vs %r" % (ta, tb))
        for t in ta:
            if t in tb:
                a, b = self.copy_out(db_a, t, schema), self.copy_out(db_b, t, schema)
                if a != b:
                    first = next((x, y) for x, y in zip(a + [None], b + [None]) if x != y)
                    diffs.append("table %s: %d vs %d rows, first difference %r" %
                                 (t, len(a), len(b), first))
        return diffs



def my_env():
    """The MariaDB test server's settings (tools/my-start), or skip."""
    return server_env("MY", "MariaDB", "my-start")


class My:
    """A handle on the MariaDB test server: databases, the mariadb client,
    URIs, and rows compared byte for byte."""

    def __init__(self, env=None):
        self.env = env or my_env()

    def uri(self, db):
        return "%s/%s" % (self.env["INVS_MY_URI"], db)

    def client(self, db=None, sql=None, file=None, check=True):
        """mariadb -N -B: tab-separated rows, no headers."""
        args = ["mariadb", "--defaults-file=" + self.env["INVS_MY_CNF"], "-N", "-B",
                "--local-infile=0"]
        if db:
            args.append(db)
        if sql is not None:
            args += ["-e", sql]
        stdin = open(file, "rb") if file else subprocess.DEVNULL
        try:
            p = subprocess.run(args, stdin=stdin, capture_output=True)
        finally:
            if file:
                stdin.close()
        if check and p.returncode != 0:
            raise AssertionError("mariadb failed: %s\n%s" % (sql or file, p.stderr.decode()))
        return p.stdout.decode("utf-8", "replace")

    def sql(self, db, sql):
        return self.client(db, sql)

    def createdb(self, name):
        q = name.replace("`", "``")
        self.client(None, "DROP DATABASE IF EXISTS `%s`; CREATE DATABASE `%s`" % (q, q))
        return name

    def tables(self, db):
        out = self.client(None, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE "
                                "TABLE_SCHEMA = '%s' AND TABLE_TYPE = 'BASE TABLE' "
                                "ORDER BY BINARY TABLE_NAME" % db.replace("'", "''"))
        return [t for t in out.split("\n") if t]

    def columns(self, db, table):
        out = self.client(None, "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE "
                                "TABLE_SCHEMA = '%s' AND TABLE_NAME = '%s' ORDER BY "
                                "ORDINAL_POSITION" % (db.replace("'", "''"),
                                                      table.replace("'", "''")))
        return [c for c in out.split("\n") if c]

    def rows(self, db, table):
        """Every row as the bytes the server holds (hex, NULL apart), sorted."""
        cols = ", ".join("IFNULL(HEX(CAST(`%s` AS BINARY)), 'NULL')" % c.replace("`", "``")
                         for c in self.columns(db, table))
        out = self.client(db, "SELECT CONCAT_WS('|', %s) FROM `%s`" % (cols, table.replace("`", "``")))
        return sorted(out.split("\n")[:-1])

    def auto_increments(self, db):
        return self.client(None, "SELECT TABLE_NAME, AUTO_INCREMENT FROM information_schema.TABLES "
                                 "WHERE TABLE_SCHEMA = '%s' AND AUTO_INCREMENT IS NOT NULL "
                                 "ORDER BY BINARY TABLE_NAME" % db.replace("'", "''"))

    def differences(self, db_a, db_b):
        diffs = []
        ta, tb = self.tables(db_a), self.tables(db_b)
        if ta != tb:
            diffs.append("tables: %r vs %r" % (ta, tb))
        for t in ta:
            if t in tb:
                a, b = self.rows(db_a, t), self.rows(db_b, t)
                if a != b:
                    first = next((x, y) for x, y in zip(a + [None], b + [None]) if x != y)
                    diffs.append("table %s: %d vs %d rows, first difference %r" %
                                 (t, len(a), len(b), first))
        return diffs

def make_db(path, script):
    """An SQLite database built by a script."""
    import sqlite3
    con = sqlite3.connect(path)
    con.executescript(script)
    con.commit()
    con.close()


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class TempDirTest(unittest.TestCase):
    """A test case with a fresh scratch directory in self.dir."""

    def setUp(self):
        base = os.environ.get("INVS_TEST_TMP")
        if base:
            os.makedirs(base, exist_ok=True)
        self.dir = tempfile.mkdtemp(prefix=self.id().split(".")[-1] + "-", dir=base)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def assertExit(self, result, code):
        self.assertEqual(result.rc, code, repr(result))


def main():
    unittest.main(verbosity=2)
