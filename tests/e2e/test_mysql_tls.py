#!/usr/bin/env python3
"""?ssl-mode= means what the mysql client means, against a MariaDB of its
own (tools/my-start) that offers TLS with a certificate for the name
invstage.test, signed by a CA made here: PREFERRED and REQUIRED encrypt,
DISABLED does not; VERIFY_CA verifies the chain (a certificate of another
CA is refused) but not the host name; VERIFY_IDENTITY verifies both, so
127.0.0.1 against invstage.test is refused."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import My, TempDirTest, main, my_env, read_env, run  # noqa: E402

TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools")


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, capture_output=True)


def make_ca(d, name):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            "/CN=%s" % name, "-keyout", name + ".key", "-out", name + ".pem", cwd=d)


class TlsModes(TempDirTest):
    def setUp(self):
        super().setUp()
        my_env()  # skips where there is no server to be had
        os.chmod(self.dir, 0o755)  # the server's user reads the certificates
        make_ca(self.dir, "ca")
        make_ca(self.dir, "other-ca")
        with open(self.path("ext.cnf"), "w") as f:
            f.write("subjectAltName=DNS:invstage.test\n")
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=invstage.test",
                "-keyout", "server.key", "-out", "server.csr", cwd=self.dir)
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out", "server.pem",
                cwd=self.dir)
        for f in os.listdir(self.dir):
            os.chmod(self.path(f), 0o644)
        self.envfile = self.path("tls-my.env")
        args = "--ssl-cert=%s --ssl-key=%s --ssl-ca=%s" % (
            self.path("server.pem"), self.path("server.key"), self.path("ca.pem"))
        subprocess.run([os.path.join(TOOLS, "my-start"), self.envfile], check=True,
                       stdout=subprocess.DEVNULL, env=dict(os.environ, INVS_MY_SERVER_ARGS=args))
        self.env = read_env(self.envfile)
        self.my = My(self.env)
        self.my.createdb("tls")
        self.my.sql("tls", "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (7)")

    def tearDown(self):
        subprocess.run([os.path.join(TOOLS, "my-stop"), self.envfile])
        super().tearDown()

    def accepts(self):
        """How many TLS handshakes the server has accepted (asked without)."""
        out = subprocess.run(["mariadb", "--defaults-file=" + self.env["INVS_MY_CNF"], "-N", "-B",
                              "--skip-ssl", "-e", "SHOW GLOBAL STATUS LIKE 'Ssl_accepts'"],
                             capture_output=True, text=True, check=True).stdout
        return int(out.split()[1])

    def pull(self, params):
        stage = self.path("s%d.stage" % len(os.listdir(self.dir)))
        return run("pull", "-q", self.my.uri("tls") + "?" + params, "-o", stage), stage

    def test_each_mode(self):
        self.assertEqual(self.my.sql(None, "SELECT @@have_ssl"), "YES\n")
        ca, other = "ssl-ca=" + self.path("ca.pem"), "ssl-ca=" + self.path("other-ca.pem")
        cases = [  # (parameters, exit code, encrypted)
            ("ssl-mode=DISABLED", 0, False),
            ("ssl-mode=PREFERRED", 0, True),
            ("ssl-mode=REQUIRED", 0, True),
            ("ssl-mode=VERIFY_CA&" + ca, 0, True),
            ("ssl-mode=VERIFY_CA&" + other, 3, None),
            ("ssl-mode=VERIFY_IDENTITY&" + ca, 3, None),
        ]
        for params, code, encrypted in cases:
            with self.subTest(params=params):
                before = self.accepts()
                r, stage = self.pull(params)
                self.assertExit(r, code)
                self.assertEqual(os.path.exists(stage), code == 0)
                if encrypted is not None:
                    self.assertEqual(self.accepts() > before, encrypted)
                if params.startswith("ssl-mode=VERIFY_CA&" + other):
                    self.assertIn("certificate", r.err)
                if params.startswith("ssl-mode=VERIFY_IDENTITY"):
                    self.assertRegex(r.err, r"(?i)(host ?name|validation|certificate)")


if __name__ == "__main__":
    main()
