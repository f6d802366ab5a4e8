#!/usr/bin/env python3
"""import --schema-from (formats/django onto a target's own schema): the
test application's `dumpdata --natural-foreign` read onto a freshly
migrated SQLite and PostgreSQL target, pushed with -c, dumps as the
source did; what the target's schema cannot hold is refused by model, pk
and field, and --ignore-field leaves one out on purpose, recorded."""
import json
import os
import re
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import Pg, TempDirTest, main, run, skip  # noqa: E402

MANAGE = os.path.join(os.path.dirname(__file__), "..", "django", "manage.py")
DEBIAN_PYTHON = "/usr/bin/python3"
PARTS = 80
# Django's serializer writes milliseconds and drops the rest: a source
# time 15:22:46.000001 is "15:22:46.000Z" in the fixture, so the target
# holds 15:22:46 and dumps "15:22:46Z". That is the one difference allowed.
MS_ZERO = re.compile(r'("\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.000(Z|[+-]\d\d:\d\d)"')


def have_django():
    return subprocess.run([DEBIAN_PYTHON, "-c", "import django, psycopg2"],
                          capture_output=True).returncode == 0


class SchemaFromTest(TempDirTest):
    @classmethod
    def setUpClass(cls):
        if not have_django():
            skip("Debian's python3-django and python3-psycopg2 are not installed")
        cls.pg = Pg()

    def manage(self, uri, *args, env=None):
        e = dict(os.environ)
        e.update(env or {})
        e["INVS_DJANGO_DB"] = uri
        p = subprocess.run([DEBIAN_PYTHON, MANAGE] + list(args), env=e, capture_output=True,
                           text=True)
        self.assertEqual(p.returncode, 0, p.stderr)

    def dump(self, uri, name, env=None, models=()):
        path = self.path(name)
        self.manage(uri, "dumpdata", "--natural-foreign", "--indent", "1", "-o", path,
                    *models, env=env)
        with open(path, encoding="utf-8") as f:
            return json.loads(MS_ZERO.sub(r'\1\2"', f.read()))

    def source_fixture(self):
        src = "sqlite:" + self.path("src.db")
        self.manage(src, "migrate", "-v0")
        self.manage(src, "fill", str(PARTS), "--delete-last", "2")
        self.manage(src, "dumpdata", "--natural-foreign", "--indent", "1", "-o",
                    self.path("data.json"))
        return src, self.path("data.json")

    def load(self, fixture, target, env=None):
        stage = self.path("fixture.stage")
        r = run("import", "-q", "-f", "django", fixture, "--schema-from", target, "-o", stage,
                "--force", env=env)
        self.assertExit(r, 0)
        self.assertExit(run("verify", "-q", "--target", target, stage, env=env), 0)
        self.assertExit(run("push", "-q", "-c", stage, target, env=env), 0)
        return stage

    def test_onto_sqlite(self):
        src, fixture = self.source_fixture()
        dst = "sqlite:" + self.path("dst.db")
        self.manage(dst, "migrate", "-v0")
        stage = self.load(fixture, dst)
        con = sqlite3.connect(stage)
        try:
            rows = dict(con.execute("SELECT name, rows FROM invs_tables").fetchall())
        finally:
            con.close()
        self.assertEqual(rows["inventory_part"], PARTS - 2)
        self.assertGreater(rows["inventory_part_tags"], 0)  # many-to-many lists, as rows
        want = self.dump(src, "src.json")
        self.assertEqual(sum(r["model"] == "inventory.part" for r in want), PARTS - 2)
        self.assertEqual(self.dump(dst, "dst.json"), want)

    def test_onto_postgres(self):
        src, fixture = self.source_fixture()
        self.pg.createdb("dj_schema_from")
        dst = self.pg.uri("dj_schema_from")
        self.manage(dst, "migrate", "-v0", env=self.pg.env)
        self.load(fixture, dst, env=self.pg.env)
        self.assertEqual(self.dump(dst, "dst.json", env=self.pg.env), self.dump(src, "src.json"))

    def test_what_the_schema_cannot_hold_is_named(self):
        dst = "sqlite:" + self.path("dst.db")
        self.manage(dst, "migrate", "-v0")
        cases = [
            ({"model": "inventory.tag", "pk": 1, "fields": {"name": "a", "colour": "red"}},
             "model inventory.tag, pk 1, field colour: the table has no column for it"),
            ({"model": "inventory.nosuch", "pk": 4, "fields": {}},
             "model inventory.nosuch: no table holds it (pk 4)"),
            ({"model": "inventory.part", "pk": 7,
              "fields": {"name": "p", "description": "", "price": "1", "active": True,
                         "created": "2024-01-01T00:00:00Z", "metadata": {}, "image": None,
                         "location": None, "owner": ["nobody"], "variant_of": None,
                         "tags": []}},
             "model inventory.part, pk 7, field owner: a natural key that no record"),
        ]
        for i, (rec, why) in enumerate(cases):
            f = self.path("bad%d.json" % i)
            with open(f, "w") as out:
                json.dump([rec], out)
            r = run("import", "-f", "django", f, "--schema-from", dst, "-o", f + ".stage")
            self.assertExit(r, 1)  # the data is refused, nothing is left
            self.assertIn(why, r.err)
            self.assertFalse(os.path.exists(f + ".stage"))
        # left out on purpose: imported, and the stage says so
        f = self.path("bad0.json")
        r = run("import", "-q", "-f", "django", f, "--schema-from", dst, "-o", f + ".stage",
                "--ignore-field", "inventory.tag.colour")
        self.assertExit(r, 0)
        info = run("info", f + ".stage")
        self.assertIn("source.ignored_field.1: inventory.tag.colour", info.out)
        # a model in a table of another name
        with open(f) as src_f:
            data = json.load(src_f)
        data[0]["model"] = "shop.label"
        del data[0]["fields"]["colour"]
        with open(self.path("mapped.json"), "w") as out:
            json.dump(data, out)
        r = run("import", "-q", "-f", "django", self.path("mapped.json"), "--schema-from", dst,
                "--map", "shop.label=inventory_tag", "-o", self.path("mapped.stage"))
        self.assertExit(r, 0)
        con = sqlite3.connect(self.path("mapped.stage"))
        try:
            rows = dict(con.execute("SELECT name, rows FROM invs_tables").fetchall())
        finally:
            con.close()
        self.assertEqual(rows["inventory_tag"], 1)
        self.assertEqual(rows["inventory_part"], 0)  # a model the file has none of: empty
        self.assertNotIn("django_migrations", rows)  # no model: the target's stays
        self.assertNotIn("django_content_type", rows)  # what migrate made stays

    def auth_fixture(self, perms):
        """A group holding `perms` (codenames of the inventory app) and a user
        in it with one permission of its own, made through the ORM and
        dumped with natural keys: the file names permissions and content
        types only by their keys and holds none of them (as InvenTree's
        exports)."""
        src = "sqlite:" + self.path("auth.db")
        self.manage(src, "migrate", "-v0")
        self.manage(src, "shell", "-c", (
            "from django.contrib.auth.models import Group, Permission, User\n"
            "g = Group.objects.create(name='readers')\n"
            "g.permissions.set(Permission.objects.filter(codename__in=%r))\n"
            "u = User.objects.create(username='admin', password='!')\n"
            "u.groups.add(g)\n"
            "u.user_permissions.add(Permission.objects.get(codename='change_part'))\n"
        ) % (perms,))
        fixture = self.path("auth.json")
        self.manage(src, "dumpdata", "--natural-foreign", "--indent", "1", "-o", fixture,
                    "auth.group", "auth.user")
        return src, fixture

    def renumbered_target(self, engine):
        """A freshly migrated target whose content types and permissions
        are numbered otherwise than any source's: every id the file could
        have implied is wrong. Returns its URI, env, and a query function."""
        renumber = ["UPDATE django_content_type SET id = id + 100",
                    "UPDATE auth_permission SET content_type_id = content_type_id + 100,"
                    " id = id + 1000"]
        if engine == "sqlite":
            dst, env = "sqlite:" + self.path("dst.db"), None
            self.manage(dst, "migrate", "-v0")

            def query(sql):
                con = sqlite3.connect(self.path("dst.db"))
                try:
                    return [tuple(r) for r in con.execute(sql).fetchall()]
                finally:
                    con.close()
            con = sqlite3.connect(self.path("dst.db"))
            for sql in renumber:
                con.execute(sql)
            con.commit()
            con.close()
            return dst, env, query
        self.pg.createdb("dj_renumbered")
        dst, env = self.pg.uri("dj_renumbered"), self.pg.env
        self.manage(dst, "migrate", "-v0", env=env)
        self.pg.psql("dj_renumbered", "BEGIN; SET CONSTRAINTS ALL DEFERRED; %s; COMMIT" %
                     "; ".join(renumber))

        def query(sql):
            out = self.pg.psql("dj_renumbered", sql).strip()
            return [tuple(int(x) if x.isdigit() else x for x in line.split("|"))
                    for line in out.split("\n") if line]
        return dst, env, query

    def test_natural_keys_the_file_leaves_out_are_the_targets(self):
        _, fixture = self.auth_fixture(["view_part", "add_tag"])
        with open(fixture, encoding="utf-8") as f:
            records = json.load(f)
        self.assertEqual({r["model"] for r in records}, {"auth.group", "auth.user"})
        self.assertIn(["view_part", "inventory", "part"],
                      records[0]["fields"]["permissions"])
        with open(fixture, encoding="utf-8") as f:  # as dump() reads a dump
            want = json.loads(MS_ZERO.sub(r'\1\2"', f.read()))
        for engine in ("sqlite", "postgres"):
            dst, env, query = self.renumbered_target(engine)
            self.load(fixture, dst, env=env)
            self.assertEqual(self.dump(dst, "dst.json", env=env,
                                       models=("auth.group", "auth.user")), want, engine)
            held = sorted(query("SELECT p.codename, p.id FROM auth_group_permissions gp"
                                " JOIN auth_permission p ON p.id = gp.permission_id"))
            self.assertEqual([c for c, _ in held], ["add_tag", "view_part"], engine)
            self.assertTrue(all(i > 1000 for _, i in held), engine)  # the target's ids
            self.assertEqual(query("SELECT permission_id FROM auth_user_user_permissions"),
                             query("SELECT id FROM auth_permission"
                                   " WHERE codename = 'change_part'"), engine)

    def test_a_permission_the_target_lacks_is_named(self):
        _, fixture = self.auth_fixture(["view_part"])
        with open(fixture, encoding="utf-8") as f:
            records = json.load(f)
        records[0]["fields"]["permissions"].append(["nosuch", "inventory", "part"])
        with open(fixture, "w", encoding="utf-8") as f:
            json.dump(records, f)
        dst = "sqlite:" + self.path("dst.db")
        self.manage(dst, "migrate", "-v0")
        r = run("import", "-f", "django", fixture, "--schema-from", dst, "-o",
                self.path("x.stage"))
        self.assertExit(r, 1)
        self.assertIn("model auth.group, pk %d, field permissions: a natural key" %
                      records[0]["pk"], r.err)

    def test_a_content_type_by_its_key_is_the_targets(self):
        """A permission record of the file refers to a content type only by
        its natural key: the target's id is stored."""
        dst = "sqlite:" + self.path("dst.db")
        self.manage(dst, "migrate", "-v0")
        con = sqlite3.connect(self.path("dst.db"))
        try:
            con.execute("UPDATE django_content_type SET id = id + 100")
            con.execute("UPDATE auth_permission SET content_type_id = content_type_id + 100")
            con.commit()
            ct = con.execute("SELECT id FROM django_content_type WHERE app_label = 'inventory'"
                             " AND model = 'tag'").fetchone()[0]
        finally:
            con.close()
        fixture = self.path("perm.json")
        records = [{"model": "auth.permission", "pk": 7,
                    "fields": {"name": "Can audit tag", "content_type": ["inventory", "tag"],
                               "codename": "audit_tag"}}]
        with open(fixture, "w", encoding="utf-8") as f:
            json.dump(records, f)
        # --schema-from a stage of the target: its rows serve as the target's
        dst_stage = self.path("dst.stage")
        self.assertExit(run("pull", "-q", dst, "-o", dst_stage), 0)
        r = run("import", "-q", "-f", "django", fixture, "--schema-from", dst_stage, "-o",
                self.path("via-stage.stage"))
        self.assertExit(r, 0)
        con = sqlite3.connect(self.path("via-stage.stage"))
        try:
            tid = con.execute("SELECT tid FROM invs_tables WHERE name = 'auth_permission'"
                              ).fetchone()[0]
            self.assertIn(ct, con.execute("SELECT * FROM invs_data_%d" % tid).fetchone())
        finally:
            con.close()
        self.load(fixture, dst)
        con = sqlite3.connect(self.path("dst.db"))
        try:
            got = con.execute("SELECT id, codename, content_type_id FROM auth_permission"
                              ).fetchall()
        finally:
            con.close()
        self.assertEqual(got, [(7, "audit_tag", ct)])

    def test_metadata_record_against_the_targets_migrations(self):
        dst = "sqlite:" + self.path("dst.db")
        self.manage(dst, "migrate", "-v0")
        tag = {"model": "inventory.tag", "pk": 1, "fields": {"name": "a"}}
        meta = {"metadata": True, "source_version": "0.17.0 dev",
                "installed_apps": ["django.contrib.auth", "contenttypes", "inventory",
                                   "stock"]}
        f = self.path("meta.json")
        with open(f, "w", encoding="utf-8") as out:
            json.dump([meta, tag], out)
        r = run("import", "-f", "django", f, "--schema-from", dst, "-o", f + ".stage")
        self.assertExit(r, 0)  # a warning, as InvenTree's INVE-W13
        self.assertIn("the metadata record's source_version 0.17.0 dev and installed_apps are"
                      " not what the target's django_migrations shows; only in the file:"
                      " stock; only in the target: sessions (the file's installed_apps:"
                      " auth, contenttypes, inventory, stock; the target's"
                      " django_migrations: ", r.err)
        # the same apps: nothing to say
        meta["installed_apps"] = ["auth", "contenttypes", "inventory", "sessions"]
        with open(f, "w", encoding="utf-8") as out:
            json.dump([meta, tag], out)
        r = run("import", "-f", "django", f, "--schema-from", dst, "-o", f + ".stage",
                "--force")
        self.assertExit(r, 0)
        self.assertNotIn("installed_apps", r.err)


if __name__ == "__main__":
    main()
