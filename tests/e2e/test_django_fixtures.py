#!/usr/bin/env python3
"""Django fixtures both ways (formats/django): a fixture imported without
a schema becomes one table per model, every record a row; exported again
it holds the same records and values; a stage pulled from the Django test
application exports to a fixture that `manage.py loaddata` loads into a
freshly migrated, flushed database whose dumpdata is the source's."""
import collections
import json
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import SHARED, TempDirTest, main, run  # noqa: E402

DEMO = os.path.join(SHARED, "datasets", "inventree-demo", "inventree_data.json")
MANAGE = os.path.join(os.path.dirname(__file__), "..", "django", "manage.py")
DEBIAN_PYTHON = "/usr/bin/python3"
# Django's serializer keeps milliseconds only; invstage keeps microseconds,
# so these compare dumpdata of two databases, never a file of ours with one
# of Django's. Content types and permissions are what `migrate` (and
# `flush`) make, with ids of their own: InvenTree's exports leave them out.
NOT_COMPARED = ["-e", "contenttypes", "-e", "auth.permission", "-e", "sessions"]
NOT_MODELS = ["-x", "django_content_type", "-x", "auth_permission", "-x", "django_sess*"]


def records(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def by_key(recs):
    return {(r["model"], json.dumps(r.get("pk"))): r for r in recs if "model" in r}


class FixtureTest(TempDirTest):
    def stage_counts(self, stage):
        con = sqlite3.connect(stage)
        try:
            rows = con.execute("SELECT name, rows FROM invs_tables").fetchall()
        finally:
            con.close()
        return dict(rows)

    def test_inventree_demo_both_ways(self):
        if not os.path.exists(DEMO):
            self.skipTest("%s is absent: the shared datasets are not beside this checkout" % DEMO)
        stage, out = self.path("demo.stage"), self.path("demo.json")
        self.assertExit(run("import", "-q", "-f", "django", DEMO, "-o", stage), 0)
        original = records(DEMO)
        per_model = collections.Counter(r["model"].replace(".", "_", 1) for r in original)
        self.assertEqual(len(original), 8481)
        self.assertEqual(len(per_model), 59)
        self.assertEqual(self.stage_counts(stage), dict(per_model))

        self.assertExit(run("export", "-q", "-f", "django", stage, "-o", out), 0)
        got, want = by_key(records(out)), by_key(original)
        self.assertEqual(len(got), len(want))
        for key, rec in want.items():
            self.assertEqual(got.get(key), rec, "record %s differs" % (key,))

    def test_inventree_2026_form(self):
        """The metadata record first, ensure_ascii escapes: imported, its
        facts kept and shown by info, records typed by their values."""
        src = self.path("data.json")
        with open(src, "w", encoding="ascii") as f:
            json.dump([{"metadata": True, "source_version": "0.17.0 dev",
                        "installed_apps": ["part", "stock"]},
                       {"model": "part.part", "pk": 1,
                        "fields": {"name": "Schraube \u00fc \U0001F600", "active": True,
                                   "owner": ["admin"], "quantity": "1.50", "n": 3}},
                       {"model": "part.part", "pk": 2,
                        "fields": {"name": None, "active": False, "owner": None,
                                   "quantity": "2", "n": 4}}], f, indent=1)
        stage = self.path("m.stage")
        self.assertExit(run("import", "-q", src, "-o", stage), 0)  # sniffed
        info = run("info", stage)
        self.assertExit(info, 0)
        self.assertIn("source.source_version: 0.17.0 dev", info.out)
        self.assertIn('source.installed_apps: ["part","stock"]', info.out)
        con = sqlite3.connect(stage)
        try:
            cols = dict(con.execute("SELECT name, canon FROM invs_columns").fetchall())
        finally:
            con.close()
        self.assertEqual(cols, {"pk": "int64", "name": "text", "active": "boolean",
                                "owner": "json", "quantity": "text", "n": "int64"})
        out = self.path("again.json")
        self.assertExit(run("export", "-q", "-f", "django", stage, "-o", out), 0)
        self.assertEqual(records(out), records(src)[1:])

    def test_damaged_fixtures_refused(self):
        cases = {
            "cut.json": ('[{"model": "a.b", "pk": 1, "fields": {}}', "cut short"),
            "nomodel.json": ('[{"pk": 1, "fields": {}}]', "without a model"),
            "extra.json": ('[{"model": "a.b", "pk": 1, "fields": {}, "x": 1}]', 'member "x"'),
            "after.json": ('[{"model": "a.b", "pk": 1, "fields": {}}] 1', "after the end"),
        }
        for name, (text, why) in cases.items():
            with open(self.path(name), "w") as f:
                f.write(text)
            r = run("import", "-f", "django", self.path(name), "-o", self.path(name + ".stage"))
            self.assertExit(r, 3)
            self.assertIn(why, r.err, name)
            self.assertFalse(os.path.exists(self.path(name + ".stage")))

    def test_app_export_loads_with_loaddata(self):
        if subprocess.run([DEBIAN_PYTHON, "-c", "import django"]).returncode != 0:
            self.skipTest("Debian's python3-django is not installed")
        env = dict(os.environ)

        def manage(db, *args):
            env["INVS_DJANGO_DB"] = "sqlite:" + db
            p = subprocess.run([DEBIAN_PYTHON, MANAGE] + list(args), env=env,
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)

        def dump(db, name):
            manage(db, "dumpdata", "--natural-foreign", "--indent", "1", *NOT_COMPARED,
                   "-o", self.path(name))
            return records(self.path(name))

        src, dst = self.path("src.db"), self.path("dst.db")
        manage(src, "migrate", "-v0")
        manage(src, "fill", "120", "--delete-last", "2")
        con = sqlite3.connect(src)
        try:  # a table of no model: its name follows Django's rule, no content type has it
            con.execute("CREATE TABLE inventory_audit (id integer PRIMARY KEY, what text)")
            con.execute("INSERT INTO inventory_audit VALUES (1, 'x')")
            con.commit()
        finally:
            con.close()
        stage, fixture = self.path("app.stage"), self.path("app.json")
        self.assertExit(run("pull", "-q", "sqlite:" + src, "-o", stage), 0)

        # Django's bookkeeping and a table of no model (the stage's content
        # types name none for it) are named in a warning and not written
        r = run("export", "-f", "django", stage, "-o", fixture)
        self.assertExit(r, 0)
        self.assertIn("django:%s cannot hold 2 table(s), left out: " % fixture, r.err)
        self.assertIn("inventory_audit", r.err.split("left out: ")[1])
        self.assertIn("django_migrations", r.err.split("left out: ")[1])
        models = {r["model"] for r in records(fixture)}
        self.assertIn("inventory.part", models)
        self.assertIn("contenttypes.contenttype", models)
        self.assertNotIn("inventory.audit", models)
        os.unlink(fixture)

        self.assertExit(run("export", "-q", "-f", "django", stage, *NOT_MODELS, "-o", fixture), 0)
        recs = records(fixture)
        parts = [r for r in recs if r["model"] == "inventory.part"]
        self.assertEqual(len(parts), 118)
        # the many-to-many table is the owner's list field, as dumpdata writes it
        self.assertNotIn("inventory.part_tags", {r["model"] for r in recs})
        con = sqlite3.connect(src)
        try:
            links = con.execute("SELECT part_id, tag_id FROM inventory_part_tags").fetchall()
        finally:
            con.close()
        self.assertGreater(len(links), 100)
        self.assertEqual(sorted((p["pk"], t) for p in parts for t in p["fields"]["tags"]),
                         sorted(links))
        self.assertIsInstance(parts[1]["fields"]["metadata"], dict)  # a JSON field, nested
        self.assertRegex(parts[1]["fields"]["created"], r"^\d{4}-\d\d-\d\dT[0-9:]{8}\.\d{6}Z$")
        manage(dst, "migrate", "-v0")
        manage(dst, "flush", "--no-input")
        manage(dst, "loaddata", fixture)
        want = dump(src, "src.json")
        self.assertEqual(sum(r["model"] == "inventory.part" for r in want), 118)
        self.assertEqual(dump(dst, "dst.json"), want)

        # --natural-foreign: users, groups, content types and permissions the
        # file holds are referred to by their natural keys, which the proof's
        # read-back and an import onto a freshly migrated schema resolve
        natural = self.path("natural.json")
        self.assertExit(run("export", "-q", "-f", "django", "--natural-foreign", stage,
                            "-x", "django_migrations", "-x", "django_sess*", "-o", natural), 0)
        recs = records(natural)
        owners = [r["fields"]["owner"] for r in recs if r["model"] == "inventory.part"]
        self.assertIn(["user1"], owners)
        perms = [r for r in recs if r["model"] == "auth.permission"]
        self.assertEqual(perms[0]["fields"]["content_type"], ["contenttypes", "contenttype"])
        again = self.path("again.db")
        manage(again, "migrate", "-v0")
        stage2 = self.path("natural.stage")
        self.assertExit(run("import", "-q", "-f", "django", natural, "--schema-from",
                            "sqlite:" + again, "-o", stage2), 0)
        self.assertExit(run("push", "-q", "-c", "--force", stage2, "sqlite:" + again), 0)
        self.assertEqual(dump(again, "again.json"), want)


if __name__ == "__main__":
    main()
