#!/usr/bin/env python3
"""The PostgreSQL schema into MariaDB, where MariaDB has no way to say it:
identity options (the next id is kept as AUTO_INCREMENT=; the increment,
bounds and CYCLE are named in a warning) and partitioned and inherited
tables (one table holding every row). README: PostgreSQL, The schema."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import My, Pg, TempDirTest, main, run  # noqa: E402

HERE = os.path.dirname(__file__)


class PgIntoMariaDB(TempDirTest):
    def setUp(self):
        super().setUp()
        self.pg, self.my = Pg(), My()

    def pulled(self, sql_file, name):
        src = self.pg.createdb(name)
        self.pg.psql(src, file=os.path.join(HERE, sql_file))
        stage = self.path(name + ".stage")
        self.assertExit(run("pull", "-q", self.pg.uri(src), "-o", stage), 0)
        return src, stage

    def test_identity_keeps_the_next_id_and_names_what_it_cannot_keep(self):
        src, stage = self.pulled("pg_hostile_schema.sql", "ident_src")
        dst = self.my.createdb("ident_dst")
        r = run("push", "--force", stage, self.my.uri(dst))
        self.assertExit(r, 0)
        # customers: START WITH 1000 INCREMENT BY 10, rows 1000 and 1010
        self.assertIn("table customers, column id: AUTO_INCREMENT has no identity options: "
                      "INCREMENT BY 10 is not kept (the next id is)", r.err)
        # orders: START WITH 5 INCREMENT BY 3 MAXVALUE 100000 CYCLE, rows 5 and 8
        self.assertIn("table orders, column id: AUTO_INCREMENT has no identity options: "
                      "INCREMENT BY 3, MAXVALUE 100000, CYCLE are not kept (the next id is)",
                      r.err)
        q = "INSERT INTO customers(name) VALUES ('zed') RETURNING id"
        self.assertEqual(self.pg.psql(src, q), "1020\n")
        self.assertEqual(self.my.sql(dst, q), "1020\n")
        self.assertEqual(self.my.sql(dst, "INSERT INTO orders(customer_id, total) VALUES "
                                          "(1000, 1) RETURNING id"), "11\n")

    def test_partitions_and_children_are_one_table(self):
        src, stage = self.pulled("pg_partitions.sql", "part_src")
        dst = self.my.createdb("part_dst")
        r = run("push", "--force", stage, self.my.uri(dst))
        self.assertExit(r, 0)
        self.assertIn("table measures_rest (a partition of measures, from postgres) is not a "
                      "table of its own in ", r.err)
        self.assertIn("table dogs (inherits from animals, from postgres) is not a table of its "
                      "own in ", r.err)
        self.assertEqual(self.my.sql(dst, "SHOW TABLES"), "animals\nmeasures\n")
        self.assertEqual(self.my.sql(dst, "SELECT count(*), count(DISTINCT id), sum(id) FROM "
                                          "measures"), "10\t10\t55\n")
        self.assertEqual(self.my.sql(dst, "SELECT id, name FROM animals ORDER BY id"),
                         "1\tcat\n2\trex\n")


if __name__ == "__main__":
    main()
