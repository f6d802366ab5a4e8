/* Load order: parents first, self-references ignored, cycles broken
 * deterministically. */
#include <string.h>

#include "../check.h"
#include "order.h"

static const char *const one[] = {"id"};

static invs_key fk(const char *ref)
{
    invs_key k;
    memset(&k, 0, sizeof(k));
    k.kind = INVS_KEY_FOREIGN;
    k.ncols = 1;
    k.cols = one;
    k.ref_table = ref;
    k.ref_cols = one;
    return k;
}

static invs_table table(const char *name, const invs_key *keys, size_t nkeys)
{
    invs_table t;
    memset(&t, 0, sizeof(t));
    t.name = name;
    t.keys = keys;
    t.nkeys = nkeys;
    return t;
}

static void parents_come_first(void)
{
    invs_key c_to_b = fk("b"), b_to_a = fk("a");
    invs_table ta = table("a", NULL, 0), tb = table("b", &b_to_a, 1), tc = table("c", &c_to_b, 1);
    const invs_table *ts[] = {&tc, &tb, &ta};
    size_t order[3], broken = 99;
    CHECK_INT(invs_order_tables(order, ts, 3, &broken), INVS_OK);
    CHECK_INT(order[0], 2);
    CHECK_INT(order[1], 1);
    CHECK_INT(order[2], 0);
    CHECK_INT(broken, 0);
}

static void self_references_do_not_block(void)
{
    invs_key self = fk("tree");
    invs_table tree = table("tree", &self, 1);
    const invs_table *ts[] = {&tree};
    size_t order[1], broken = 99;
    CHECK_INT(invs_order_tables(order, ts, 1, &broken), INVS_OK);
    CHECK_INT(order[0], 0);
    CHECK_INT(broken, 0);
}

static void cycles_are_broken_in_stage_order(void)
{
    invs_key x_to_y = fk("y"), y_to_x = fk("x"), z_to_x = fk("x");
    invs_table tz = table("z", &z_to_x, 1), tx = table("x", &x_to_y, 1),
               ty = table("y", &y_to_x, 1);
    const invs_table *ts[] = {&tz, &tx, &ty};
    size_t order[3], broken = 0;
    CHECK_INT(invs_order_tables(order, ts, 3, &broken), INVS_OK);
    /* z waits for x; x and y wait for each other. The cycle is broken at x,
     * its first table (z is not on it), then z and y are ready */
    CHECK_INT(broken, 1);
    CHECK_INT(order[0], 1);
    CHECK_INT(order[1], 0);
    CHECK_INT(order[2], 2);
}

static void references_outside_the_set_are_ignored(void)
{
    invs_key out = fk("elsewhere");
    invs_table t = table("t", &out, 1);
    const invs_table *ts[] = {&t};
    size_t order[1], broken = 99;
    CHECK_INT(invs_order_tables(order, ts, 1, &broken), INVS_OK);
    CHECK_INT(broken, 0);
}

/* A partition after its partitioned table, a child after what it inherits
 * from, whatever the stage order. */
static void partitions_and_children_come_after_their_parents(void)
{
    static const char *const parents[] = {"animals"};
    invs_table part = table("m_2024", NULL, 0), root = table("m", NULL, 0),
               dogs = table("dogs", NULL, 0), animals = table("animals", NULL, 0);
    const invs_table *ts[] = {&part, &dogs, &root, &animals};
    size_t order[4], broken = 99;
    part.struct_size = root.struct_size = dogs.struct_size = animals.struct_size = sizeof(part);
    part.partition_of = "m";
    dogs.inherits = parents;
    dogs.ninherits = 1;
    CHECK_INT(invs_order_tables(order, ts, 4, &broken), INVS_OK);
    CHECK_INT(order[0], 2);
    CHECK_INT(order[1], 0);
    CHECK_INT(order[2], 3);
    CHECK_INT(order[3], 1);
    CHECK_INT(broken, 0);
}

CHECK_MAIN(TEST(parents_come_first), TEST(self_references_do_not_block),
           TEST(cycles_are_broken_in_stage_order), TEST(references_outside_the_set_are_ignored),
           TEST(partitions_and_children_come_after_their_parents))
