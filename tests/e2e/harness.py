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
