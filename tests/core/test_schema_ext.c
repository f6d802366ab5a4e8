/* The schema beyond columns and keys (ABI 1.2) survives the host's deep
 * copy, whatever the producer's struct sizes were. */
#include <string.h>

#include "../check.h"
#include "invs_core.h"

static void copies_defaults_labels_checks_and_indexes(void)
{
    static const char *const labels[] = {"G", "PG-13", "R"};
    static const char *const parts[] = {"lower(name)", "id"};
    static const uint8_t exprs[] = {1, 0}, desc[] = {0, 1};
    invs_column cols[2];
    invs_colx colx[2];
    invs_check chk = {sizeof(invs_check), 0, "price_positive", "price >= 0"};
    invs_xindex xi;
    invs_table t;
    invs_schema_table *st;

    memset(cols, 0, sizeof(cols));
    memset(colx, 0, sizeof(colx));
    memset(&xi, 0, sizeof(xi));
    memset(&t, 0, sizeof(t));
    cols[0].name = "id";
    cols[0].decl = "integer";
    cols[1].name = "rating";
    cols[1].decl = "mpaa_rating";
    colx[0].struct_size = colx[1].struct_size = sizeof(invs_colx);
    colx[0].ident_flags = INVS_IDENT_OPTIONS;
    colx[0].ident_start = 1000;
    colx[0].ident_increment = 10;
    colx[1].default_kind = INVS_DEF_TEXT;
    colx[1].default_value = "it's G";
    colx[1].type_name = "mpaa_rating";
    colx[1].nlabels = 3;
    colx[1].labels = labels;
    xi.struct_size = sizeof(xi);
    xi.name = "film_lower";
    xi.nparts = 2;
    xi.parts = parts;
    xi.exprs = exprs;
    xi.desc = desc;
    xi.where = "id > 0";
    t.struct_size = sizeof(t);
    t.name = "film";
    t.engine = "postgres";
    t.ncols = 2;
    t.cols = cols;
    t.colx = colx;
    t.nchecks = 1;
    t.checks = &chk;
    t.nxindexes = 1;
    t.xindexes = &xi;
    t.partition_by = "RANGE (id)";

    CHECK_INT(invs_schema_copy(&st, &t), INVS_OK);
    CHECK(st->t.colx != colx);
    CHECK_INT(INVS_AT(invs_colx, st->t.colx, 0)->ident_start, 1000);
    CHECK_INT(INVS_AT(invs_colx, st->t.colx, 0)->ident_increment, 10);
    CHECK_STR(INVS_AT(invs_colx, st->t.colx, 1)->default_value, "it's G");
    CHECK_INT(INVS_AT(invs_colx, st->t.colx, 1)->nlabels, 3);
    CHECK_STR(INVS_AT(invs_colx, st->t.colx, 1)->labels[1], "PG-13");
    CHECK(INVS_AT(invs_colx, st->t.colx, 1)->labels != labels);
    CHECK_INT(st->t.nchecks, 1);
    CHECK_STR(st->t.checks[0].name, "price_positive");
    CHECK_STR(st->t.checks[0].expr, "price >= 0");
    CHECK_INT(st->t.nxindexes, 1);
    CHECK_STR(st->t.xindexes[0].parts[0], "lower(name)");
    CHECK_INT(st->t.xindexes[0].exprs[0], 1);
    CHECK_INT(st->t.xindexes[0].desc[1], 1);
    CHECK_STR(st->t.xindexes[0].where, "id > 0");
    CHECK_STR(st->t.partition_by, "RANGE (id)");
    invs_schema_free(st);
}

/* A producer whose invs_colx ended before the identity options: what it
 * did not have reads as zero, and the stride is its own size. */
static void an_older_smaller_struct_reads_as_zero_past_its_end(void)
{
    unsigned char raw[2][48];
    invs_colx one;
    invs_column cols[2];
    invs_table t;
    invs_schema_table *st;
    size_t small = offsetof(invs_colx, ident_flags);

    memset(raw, 0xAB, sizeof(raw)); /* garbage past the producer's end */
    memset(&one, 0, sizeof(one));
    one.struct_size = (uint32_t)small;
    one.default_kind = INVS_DEF_NOW;
    memcpy(raw[0], &one, small);
    one.default_kind = INVS_DEF_BOOL;
    one.default_value = "1";
    memcpy(raw[1], &one, small);
    memset(cols, 0, sizeof(cols));
    cols[0].name = "a";
    cols[1].name = "b";
    memset(&t, 0, sizeof(t));
    t.struct_size = sizeof(t);
    t.name = "x";
    t.ncols = 2;
    t.cols = cols;
    /* the producer's stride is small, not 48: pack the two structs */
    memmove(raw[0] + small, raw[1], small);
    t.colx = (const invs_colx *)(const void *)raw[0];

    CHECK_INT(invs_schema_copy(&st, &t), INVS_OK);
    CHECK_INT(st->t.colx[0].struct_size, sizeof(invs_colx));
    CHECK_INT(st->t.colx[0].default_kind, INVS_DEF_NOW);
    CHECK_INT(st->t.colx[0].ident_flags, 0);
    CHECK_INT(st->t.colx[0].ident_start, 0);
    CHECK_INT(st->t.colx[1].default_kind, INVS_DEF_BOOL);
    CHECK_STR(st->t.colx[1].default_value, "1");
    invs_schema_free(st);
}

static void objects_copy_with_their_labels_base_and_checks(void)
{
    static const char *const labels[] = {"sad", "ok", "happy"};
    invs_column base;
    invs_check chk = {sizeof(invs_check), 0, NULL, "VALUE >= 1901 AND VALUE <= 2155"};
    invs_object e, d;
    invs_object_list l;

    memset(&e, 0, sizeof(e));
    e.struct_size = sizeof(e);
    e.kind = INVS_OBJ_ENUM;
    e.name = "mood";
    e.engine = "postgres";
    e.nlabels = 3;
    e.labels = labels;
    memset(&base, 0, sizeof(base));
    base.decl = "integer";
    base.canon = INVS_T_INT32;
    base.flags = INVS_COL_NOT_NULL;
    memset(&d, 0, sizeof(d));
    d.struct_size = sizeof(d);
    d.kind = INVS_OBJ_DOMAIN;
    d.name = "year";
    d.base = &base;
    d.nchecks = 1;
    d.checks = &chk;
    invs_object_list_init(&l);
    CHECK_INT(invs_object_list_add(&l, &e), INVS_OK);
    CHECK_INT(invs_object_list_add(&l, &d), INVS_OK);
    CHECK_INT(l.n, 2);
    CHECK_STR(l.v[0]->labels[2], "happy");
    CHECK_STR(l.v[0]->engine, "postgres");
    CHECK_STR(l.v[1]->base->name, "year"); /* named after the domain */
    CHECK_INT(l.v[1]->base->flags, INVS_COL_NOT_NULL);
    CHECK_STR(l.v[1]->checks[0].expr, "VALUE >= 1901 AND VALUE <= 2155");
    CHECK_STR(l.v[1]->engine, "");
    invs_object_list_free(&l);
}

CHECK_MAIN(TEST(copies_defaults_labels_checks_and_indexes),
           TEST(an_older_smaller_struct_reads_as_zero_past_its_end),
           TEST(objects_copy_with_their_labels_base_and_checks))
