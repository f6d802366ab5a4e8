/* The stage file: exact values, schema round trip, and every refusal. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "profile.h"
#include "stage.h"

static char dir[] = "/tmp/invs-test-stage-XXXXXX";

static const char *tmp(const char *name)
{
    static char buf[4][256];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
    return buf[i];
}

static invs_diag_rec err; /* why the last stage could not be created or opened */

static invs_ctx *new_ctx(void)
{
    invs_ctx *ctx;
    if (invs_ctx_new(&ctx) != INVS_OK)
        abort();
    return ctx;
}

static const char *const pk_cols[] = {"id"};
static const char *const fk_cols[] = {"parent"};

static invs_table sample_table(invs_column *cols, invs_key *keys, invs_sequence *seq)
{
    invs_table t;
    memset(cols, 0, 3 * sizeof(*cols));
    memset(keys, 0, 2 * sizeof(*keys));
    memset(seq, 0, sizeof(*seq));
    cols[0] = (invs_column){.name = "id", .decl = "INTEGER", .canon = INVS_T_INT64,
                            .length = -1, .precision = -1, .scale = -1,
                            .flags = INVS_COL_NOT_NULL | INVS_COL_AUTOINCREMENT};
    cols[1] = (invs_column){.name = "v", .decl = "", .canon = INVS_T_ANY, .length = -1,
                            .precision = -1, .scale = -1, .default_expr = "'x'",
                            .collation = "NOCASE"};
    cols[2] = (invs_column){.name = "parent", .decl = "DECIMAL(10,2)", .canon = INVS_T_DECIMAL,
                            .length = -1, .precision = 10, .scale = 2};
    keys[0] = (invs_key){.kind = INVS_KEY_PRIMARY, .ncols = 1, .cols = pk_cols};
    keys[1] = (invs_key){.kind = INVS_KEY_FOREIGN, .ncols = 1, .cols = fk_cols,
                         .ref_table = "t\"1", .ref_cols = pk_cols, .on_delete = "CASCADE"};
    *seq = (invs_sequence){.column = "id", .value = 41, .is_called = 1};
    memset(&t, 0, sizeof(t));
    t.struct_size = sizeof(t);
    t.name = "t\"1";
    t.engine = "sqlite";
    t.flags = INVS_TBL_STRICT;
    t.ncols = 3;
    t.cols = cols;
    t.nkeys = 2;
    t.keys = keys;
    t.nseqs = 1;
    t.seqs = seq;
    t.row_count = 7;
    return t;
}

static invs_value num(int type, uint64_t bits)
{
    invs_value v;
    memset(&v, 0, sizeof(v));
    v.type = (uint8_t)type;
    memcpy(&v.num, &bits, 8);
    return v;
}

static invs_value bytes(int type, const void *p, size_t n)
{
    invs_value v;
    memset(&v, 0, sizeof(v));
    v.type = (uint8_t)type;
    v.ptr = p;
    v.len = n;
    return v;
}

static int same_value(const invs_value *a, const invs_value *b)
{
    if (a->type != b->type || a->flags != b->flags)
        return 0;
    switch (a->type) {
    case INVS_INT:
    case INVS_UINT:
    case INVS_REAL: return memcmp(&a->num, &b->num, 8) == 0;
    case INVS_TEXT:
    case INVS_BLOB: return a->len == b->len && (a->len == 0 || memcmp(a->ptr, b->ptr, a->len) == 0);
    }
    return 1;
}

static size_t count_nulls(const invs_value *vals, size_t n)
{
    size_t i, k = 0;
    for (i = 0; i < n; i++)
        k += vals[i].type == INVS_NULL && !vals[i].flags;
    return k;
}

/* Write `vals` as rows of one column each, read them back. */
static void roundtrip(const invs_value *vals, size_t n)
{
    invs_ctx *ctx = new_ctx();
    invs_stage *st = NULL;
    invs_stage_writer *w = NULL;
    invs_stage_reader *r = NULL;
    invs_column cols[3];
    invs_key keys[2];
    invs_sequence seq;
    invs_table t = sample_table(cols, keys, &seq);
    int64_t tid;
    size_t i;
    const invs_value *row;

    t.ncols = 1;
    t.nkeys = 0;
    unlink(tmp("values.stage"));
    CHECK_INT(invs_stage_create(&st, ctx, &err, tmp("values.stage"), 0), INVS_OK);
    CHECK_INT(invs_stage_add_table(st, &t, &tid), INVS_OK);
    CHECK_INT(invs_stage_writer_open(&w, st, tid, &t), INVS_OK);
    for (i = 0; i < n; i++)
        CHECK_INT(invs_stage_writer_put(w, &vals[i]), INVS_OK);
    CHECK_INT(invs_stage_set_rows(st, tid, invs_stage_writer_rows(w), invs_stage_writer_specials(w),
                                  "0:0"),
              INVS_OK);
    CHECK_INT(invs_stage_writer_save_profile(w), INVS_OK);
    {
        invs_col_profile pf;
        CHECK_INT(invs_profile_load(st, tid, &pf, 1), INVS_OK);
        /* every cell counted once, by how the stage stores it */
        CHECK_INT(pf.nulls + pf.ints + pf.reals + pf.texts + pf.blobs, (int64_t)n);
        CHECK_INT(pf.nulls, (int64_t)invs_stage_writer_specials(w) +
                                (int64_t)count_nulls(vals, n));
        CHECK_INT(invs_profile_load(st, tid + 1, &pf, 1), INVS_ENOTFOUND);
    }
    invs_stage_writer_close(w);
    CHECK_INT(invs_stage_finish(st, INVS_STATE_PULLED), INVS_OK);
    invs_stage_close(st);

    CHECK_INT(invs_stage_open(&st, ctx, &err, tmp("values.stage"), 0), INVS_OK);
    CHECK_INT(invs_stage_load_schema(st), INVS_OK);
    CHECK_INT(st->ntables, 1);
    CHECK_INT(st->tables[0].rows, (int64_t)n);
    CHECK_INT(invs_stage_reader_open(&r, st, &st->tables[0]), INVS_OK);
    for (i = 0; i < n; i++) {
        CHECK_INT(invs_stage_reader_next(r, &row), INVS_ROW);
        if (!same_value(row, &vals[i]))
            fprintf(stderr, "value %zu differs after the round trip\n", i);
        CHECK(same_value(row, &vals[i]));
    }
    CHECK_INT(invs_stage_reader_next(r, &row), INVS_DONE);
    invs_stage_reader_close(r);
    invs_stage_close(st);
    invs_ctx_free(ctx);
}

static void values_round_trip_exactly(void)
{
    static const char nul_text[] = "a\0b";
    static const unsigned char nul_blob[8] = {0};
    invs_value zero_date = bytes(INVS_TEXT, "0000-00-00", 10);
    invs_value flagged_null = num(INVS_NULL, 0);
    invs_value vals[] = {
        num(INVS_INT, (uint64_t)INT64_MIN),
        num(INVS_INT, (uint64_t)INT64_MAX),
        num(INVS_REAL, 0x8000000000000000ull), /* -0.0 */
        num(INVS_REAL, 0x0000000000000001ull), /* smallest subnormal */
        num(INVS_REAL, 0x7fefffffffffffffull), /* DBL_MAX */
        num(INVS_REAL, 0x7ff0000000000000ull), /* +inf */
        num(INVS_REAL, 0xfff0000000000000ull), /* -inf */
        num(INVS_REAL, 0x7ff8000000000123ull), /* NaN with a payload */
        num(INVS_REAL, 0xfff8000000000000ull), /* negative NaN */
        num(INVS_UINT, UINT64_MAX),
        bytes(INVS_TEXT, nul_text, 3),
        bytes(INVS_TEXT, NULL, 0),
        bytes(INVS_BLOB, NULL, 0),
        bytes(INVS_BLOB, nul_blob, sizeof(nul_blob)),
        bytes(INVS_TEXT, "\xff\xfe invalid", 10),
        num(INVS_NULL, 0),
        zero_date,
        flagged_null,
        num(INVS_INT, 1), /* ordinary rows after the last special one */
        num(INVS_INT, 2),
    };
    vals[16].flags = INVS_VF_ZERO_DATE;
    vals[17].flags = INVS_VF_ZERO_DATE;
    roundtrip(vals, sizeof(vals) / sizeof(vals[0]));
}

static void schema_round_trips(void)
{
    invs_ctx *ctx = new_ctx();
    invs_stage *st = NULL;
    invs_column cols[3];
    invs_key keys[2];
    invs_sequence seq;
    invs_table t = sample_table(cols, keys, &seq);
    const invs_table *b;
    int64_t tid;

    unlink(tmp("schema.stage"));
    CHECK_INT(invs_stage_create(&st, ctx, &err, tmp("schema.stage"), 0), INVS_OK);
    CHECK_INT(invs_stage_add_table(st, &t, &tid), INVS_OK);
    CHECK_INT(invs_stage_finish(st, INVS_STATE_PULLED), INVS_OK);
    invs_stage_close(st);
    CHECK_INT(invs_stage_open(&st, ctx, &err, tmp("schema.stage"), 0), INVS_OK);
    CHECK_INT(invs_stage_load_schema(st), INVS_OK);
    CHECK_INT(st->ntables, 1);
    b = &st->tables[0].schema->t;
    CHECK_STR(b->name, "t\"1");
    CHECK_STR(b->engine, "sqlite");
    CHECK_INT(b->flags, INVS_TBL_STRICT);
    CHECK_INT(b->row_count, 7);
    CHECK_INT(b->ncols, 3);
    CHECK_STR(b->cols[1].default_expr, "'x'");
    CHECK_STR(b->cols[1].collation, "NOCASE");
    CHECK(b->cols[1].charset == NULL);
    CHECK_INT(b->cols[0].flags, INVS_COL_NOT_NULL | INVS_COL_AUTOINCREMENT);
    CHECK_INT(b->cols[2].canon, INVS_T_DECIMAL);
    CHECK_INT(b->cols[2].precision, 10);
    CHECK_INT(b->cols[2].scale, 2);
    CHECK_INT(b->nkeys, 2);
    CHECK_INT(b->keys[0].kind, INVS_KEY_PRIMARY);
    CHECK(b->keys[0].ref_cols == NULL);
    CHECK_INT(b->keys[1].kind, INVS_KEY_FOREIGN);
    CHECK_STR(b->keys[1].cols[0], "parent");
    CHECK_STR(b->keys[1].ref_cols[0], "id");
    CHECK_STR(b->keys[1].ref_table, "t\"1");
    CHECK_STR(b->keys[1].on_delete, "CASCADE");
    CHECK_INT(b->nseqs, 1);
    CHECK_STR(b->seqs[0].column, "id");
    CHECK_INT(b->seqs[0].value, 41);
    invs_stage_close(st);
    invs_ctx_free(ctx);
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(p, 1, n, f);
    fclose(f);
}

static void sql(const char *path, const char *statements)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db, statements, NULL, NULL, NULL) != SQLITE_OK)
        abort();
    sqlite3_close(db);
}

static void make_stage(const char *path)
{
    invs_ctx *ctx = new_ctx();
    invs_stage *st;
    unlink(path);
    if (invs_stage_create(&st, ctx, &err, path, 0) != INVS_OK ||
        invs_stage_finish(st, INVS_STATE_PULLED) != INVS_OK)
        abort();
    invs_stage_close(st);
    invs_ctx_free(ctx);
}

static void expect_refusal(const char *path, int code, const char *says)
{
    invs_ctx *ctx = new_ctx();
    invs_stage *st = (invs_stage *)1;
    CHECK_INT(invs_stage_open(&st, ctx, &err, path, 0), code);
    CHECK(st == NULL);
    CHECK_HAS(err.msg, says);
    CHECK_HAS(err.msg, path);
    invs_ctx_free(ctx);
}

static void refuses_a_missing_file(void)
{
    expect_refusal(tmp("missing.stage"), INVS_ENOTFOUND, "No such file");
}

static void refuses_random_bytes(void)
{
    unsigned char junk[8192];
    size_t i;
    srand(7);
    for (i = 0; i < sizeof(junk); i++)
        junk[i] = (unsigned char)rand();
    write_file(tmp("junk.stage"), junk, sizeof(junk));
    expect_refusal(tmp("junk.stage"), INVS_ECORRUPT, "not an SQLite database");
}

static void refuses_an_sqlite_file_that_is_not_a_stage(void)
{
    unlink(tmp("plain.db"));
    sql(tmp("plain.db"), "CREATE TABLE x(a)");
    expect_refusal(tmp("plain.db"), INVS_ECORRUPT, "not an invstage stage");
}

static void refuses_a_newer_format(void)
{
    make_stage(tmp("newer.stage"));
    sql(tmp("newer.stage"), "PRAGMA user_version = 3");
    expect_refusal(tmp("newer.stage"), INVS_EUNSUPPORTED, "format 3");
}

static void refuses_an_interrupted_pull(void)
{
    make_stage(tmp("pulling.stage"));
    sql(tmp("pulling.stage"), "UPDATE invs_meta SET value = 'pulling' WHERE key = 'state'");
    expect_refusal(tmp("pulling.stage"), INVS_EREFUSED, "interrupted");
}

static void an_unfinished_stage_leaves_nothing(void)
{
    invs_ctx *ctx = new_ctx();
    invs_stage *st;
    char tmpname[512];
    unlink(tmp("unfinished.stage"));
    CHECK_INT(invs_stage_create(&st, ctx, &err, tmp("unfinished.stage"), 0), INVS_OK);
    snprintf(tmpname, sizeof(tmpname), "%s", st->tmp_path);
    CHECK_INT(access(tmpname, F_OK), 0);
    invs_stage_close(st); /* no finish: a failed pull */
    CHECK(access(tmpname, F_OK) != 0);
    CHECK(access(tmp("unfinished.stage"), F_OK) != 0);
    invs_ctx_free(ctx);
}

static void create_refuses_an_existing_file_unless_told(void)
{
    invs_ctx *ctx = new_ctx();
    invs_stage *st = NULL;
    make_stage(tmp("exists.stage"));
    CHECK_INT(invs_stage_create(&st, ctx, &err, tmp("exists.stage"), 0), INVS_EINVAL);
    CHECK_HAS(err.msg, "already exists");
    CHECK_INT(invs_stage_create(&st, ctx, &err, tmp("exists.stage"), 1), INVS_OK);
    invs_stage_close(st);
    invs_ctx_free(ctx);
}
/* Format 2: defaults, labels, identity options, CHECKs, indexes on
 * expressions, partitioning and schema objects come back as they went in. */
static void extended_schema_round_trips(void)
{
    static const char *const labels[] = {"G", "PG-13"};
    static const char *const parts[] = {"lower(v)", "id"};
    static const char *const parents[] = {"base"};
    static const uint8_t exprs[] = {1, 0}, desc[] = {0, 1};
    invs_ctx *ctx = new_ctx();
    invs_stage *st = NULL;
    invs_column cols[3], dbase;
    invs_key keys[2];
    invs_sequence seq;
    invs_colx colx[3];
    invs_check chk = {sizeof(invs_check), 0, "v_short", "length(v) < 10"};
    invs_check dchk = {sizeof(invs_check), 0, NULL, "VALUE > 0"};
    invs_xindex xi;
    invs_object en, dom;
    invs_table t = sample_table(cols, keys, &seq);
    const invs_table *b;
    int64_t tid;

    memset(colx, 0, sizeof(colx));
    colx[0].struct_size = colx[1].struct_size = colx[2].struct_size = sizeof(invs_colx);
    colx[0].ident_flags = INVS_IDENT_OPTIONS | INVS_IDENT_CYCLE;
    colx[0].ident_start = 1000;
    colx[0].ident_increment = -10;
    colx[0].ident_min = -5;
    colx[0].ident_max = 99999;
    colx[1].default_kind = INVS_DEF_TEXT;
    colx[1].default_value = "x'y";
    colx[1].type_name = "rating";
    colx[1].nlabels = 2;
    colx[1].labels = labels;
    memset(&xi, 0, sizeof(xi));
    xi.struct_size = sizeof(xi);
    xi.name = "t_lower";
    xi.flags = INVS_KEYF_UNIQUE;
    xi.nparts = 2;
    xi.parts = parts;
    xi.exprs = exprs;
    xi.desc = desc;
    xi.where = "v IS NOT NULL";
    xi.method = "gin";
    t.colx = colx;
    t.nchecks = 1;
    t.checks = &chk;
    t.nxindexes = 1;
    t.xindexes = &xi;
    t.partition_of = "base";
    t.partition_bound = "FOR VALUES FROM (1) TO (10)";
    t.ninherits = 1;
    t.inherits = parents;
    seq.flags = INVS_SEQ_FOLLOWS_ROWS;
    memset(&en, 0, sizeof(en));
    en.struct_size = sizeof(en);
    en.kind = INVS_OBJ_ENUM;
    en.schema = "public";
    en.name = "rating";
    en.engine = "postgres";
    en.nlabels = 2;
    en.labels = labels;
    memset(&dbase, 0, sizeof(dbase));
    dbase.decl = "integer";
    dbase.canon = INVS_T_INT32;
    dbase.length = dbase.precision = dbase.scale = -1;
    dbase.flags = INVS_COL_NOT_NULL;
    dbase.default_expr = "1";
    memset(&dom, 0, sizeof(dom));
    dom.struct_size = sizeof(dom);
    dom.kind = INVS_OBJ_DOMAIN;
    dom.name = "posint";
    dom.engine = "postgres";
    dom.base = &dbase;
    dom.nchecks = 1;
    dom.checks = &dchk;

    unlink(tmp("ext.stage"));
    CHECK_INT(invs_stage_create(&st, ctx, &err, tmp("ext.stage"), 0), INVS_OK);
    CHECK_INT(invs_stage_add_table(st, &t, &tid), INVS_OK);
    CHECK_INT(invs_stage_add_object(st, &en), INVS_OK);
    CHECK_INT(invs_stage_add_object(st, &dom), INVS_OK);
    CHECK_INT(invs_stage_finish(st, INVS_STATE_PULLED), INVS_OK);
    invs_stage_close(st);
    CHECK_INT(invs_stage_open(&st, ctx, &err, tmp("ext.stage"), 0), INVS_OK);
    CHECK_INT(invs_stage_load_schema(st), INVS_OK);
    b = &st->tables[0].schema->t;
    CHECK(b->colx != NULL);
    CHECK_INT(b->colx[0].ident_flags, INVS_IDENT_OPTIONS | INVS_IDENT_CYCLE);
    CHECK_INT(b->colx[0].ident_start, 1000);
    CHECK_INT(b->colx[0].ident_increment, -10);
    CHECK_INT(b->colx[0].ident_min, -5);
    CHECK_INT(b->colx[0].ident_max, 99999);
    CHECK_INT(b->colx[1].default_kind, INVS_DEF_TEXT);
    CHECK_STR(b->colx[1].default_value, "x'y");
    CHECK_STR(b->colx[1].type_name, "rating");
    CHECK_INT(b->colx[1].nlabels, 2);
    CHECK_STR(b->colx[1].labels[1], "PG-13");
    CHECK_INT(b->colx[2].default_kind, INVS_DEF_NONE);
    CHECK_INT(b->nchecks, 1);
    CHECK_STR(b->checks[0].name, "v_short");
    CHECK_STR(b->checks[0].expr, "length(v) < 10");
    CHECK_INT(b->nxindexes, 1);
    CHECK_STR(b->xindexes[0].name, "t_lower");
    CHECK_INT(b->xindexes[0].flags, INVS_KEYF_UNIQUE);
    CHECK_INT(b->xindexes[0].nparts, 2);
    CHECK_STR(b->xindexes[0].parts[0], "lower(v)");
    CHECK_INT(b->xindexes[0].exprs[0], 1);
    CHECK_INT(b->xindexes[0].exprs[1], 0);
    CHECK_INT(b->xindexes[0].desc[1], 1);
    CHECK_STR(b->xindexes[0].where, "v IS NOT NULL");
    CHECK_STR(b->xindexes[0].method, "gin");
    CHECK(b->partition_by == NULL);
    CHECK_STR(b->partition_of, "base");
    CHECK_STR(b->partition_bound, "FOR VALUES FROM (1) TO (10)");
    CHECK_INT(b->ninherits, 1);
    CHECK_STR(b->inherits[0], "base");
    CHECK_INT(b->seqs[0].flags, INVS_SEQ_FOLLOWS_ROWS);
    CHECK_INT(st->objects.n, 2);
    CHECK_INT(st->objects.v[0]->kind, INVS_OBJ_ENUM);
    CHECK_STR(st->objects.v[0]->schema, "public");
    CHECK_STR(st->objects.v[0]->labels[0], "G");
    CHECK_INT(st->objects.v[1]->kind, INVS_OBJ_DOMAIN);
    CHECK_STR(st->objects.v[1]->base->decl, "integer");
    CHECK_INT(st->objects.v[1]->base->canon, INVS_T_INT32);
    CHECK_INT(st->objects.v[1]->base->flags, INVS_COL_NOT_NULL);
    CHECK_STR(st->objects.v[1]->base->default_expr, "1");
    CHECK_INT(st->objects.v[1]->nchecks, 1);
    CHECK_STR(st->objects.v[1]->checks[0].expr, "VALUE > 0");
    invs_stage_close(st);
    invs_ctx_free(ctx);
}

/* A stage of format 1 (before the tables above existed) still reads: as a
 * source that had none of it. */
static void a_format_1_stage_still_reads(void)
{
    invs_ctx *ctx = new_ctx();
    invs_stage *st = NULL;
    invs_column cols[3];
    invs_key keys[2];
    invs_sequence seq;
    invs_table t = sample_table(cols, keys, &seq);
    int64_t tid;

    unlink(tmp("old.stage"));
    CHECK_INT(invs_stage_create(&st, ctx, &err, tmp("old.stage"), 0), INVS_OK);
    CHECK_INT(invs_stage_add_table(st, &t, &tid), INVS_OK);
    CHECK_INT(invs_stage_finish(st, INVS_STATE_PULLED), INVS_OK);
    invs_stage_close(st);
    sql(tmp("old.stage"),
        "DROP TABLE invs_column_x; DROP TABLE invs_column_labels; DROP TABLE invs_checks;"
        "DROP TABLE invs_xindexes; DROP TABLE invs_xindex_parts; DROP TABLE invs_table_x;"
        "DROP TABLE invs_inherits; DROP TABLE invs_objects; DROP TABLE invs_object_labels;"
        "ALTER TABLE invs_sequences DROP COLUMN flags; PRAGMA user_version = 1;");
    CHECK_INT(invs_stage_open(&st, ctx, &err, tmp("old.stage"), 0), INVS_OK);
    CHECK_INT(invs_stage_load_schema(st), INVS_OK);
    CHECK_INT(st->format, 1);
    CHECK(st->tables[0].schema->t.colx == NULL);
    CHECK_INT(st->tables[0].schema->t.nchecks, 0);
    CHECK_INT(st->tables[0].schema->t.seqs[0].value, 41);
    CHECK_INT(st->objects.n, 0);
    invs_stage_close(st);
    invs_ctx_free(ctx);
}


static invs_value text_value(const char *s, size_t n)
{
    invs_value v = {.type = INVS_TEXT, .ptr = s, .len = n};
    return v;
}

/* Each fact verify relies on, from the values that must set it. */
static void profiles_count_what_verify_asks(void)
{
    invs_col_profile p;
    invs_value v = {.type = INVS_INT};
    int64_t xs[] = {3, 5, 5};
    size_t i;

    invs_profile_init(&p, INVS_T_INT64);
    for (i = 0; i < 3; i++) {
        v.num.i = xs[i];
        invs_profile_value(&p, &v, 0);
        CHECK_INT(p.increasing, i < 2); /* 5 after 5 is no longer increasing */
    }
    CHECK_INT(p.imin, 3);
    CHECK_INT(p.imax, 5);
    v.type = INVS_REAL;
    v.num.d = 2.5;
    invs_profile_value(&p, &v, 0);
    v.num.d = 1e300; /* beyond 64 bits: CAST saturates, so it counts */
    invs_profile_value(&p, &v, 0);
    v.num.d = 4.0;
    invs_profile_value(&p, &v, 0);
    CHECK_INT(p.rfrac, 2);
    v = text_value("12x", 3);
    invs_profile_value(&p, &v, 0);
    v = text_value(" 1e3 ", 5);
    invs_profile_value(&p, &v, 0);
    CHECK_INT(p.tnonnum, 1);

    invs_profile_init(&p, INVS_T_DECIMAL);
    v = text_value("-0123.4500", 10);
    invs_profile_value(&p, &v, 0);
    v.type = INVS_REAL;
    v.num.d = 0.125;
    invs_profile_value(&p, &v, 0);
    CHECK_INT(p.dints, 3);
    CHECK_INT(p.dfrac, 3);

    invs_profile_init(&p, INVS_T_TEXT);
    CHECK_INT(p.tnonnum, -1);
    v = text_value("\xc3\x83\xc2\xa9", 4); /* "Ã©": é encoded twice */
    invs_profile_value(&p, &v, 0);
    v = text_value("\xc3\xa9t\xc3\xa9", 5); /* "été": accents, nothing doubled */
    invs_profile_value(&p, &v, 0);
    v = text_value("caf\xe9", 4); /* latin1: not UTF-8 */
    invs_profile_value(&p, &v, 0);
    v = text_value("a\0b", 3);
    invs_profile_value(&p, &v, 0);
    v = text_value("\xf0\x9f\x98\x80", 4);
    invs_profile_value(&p, &v, 0);
    v = text_value("", 0);
    invs_profile_value(&p, &v, 0);
    invs_profile_value(&p, &v, 1); /* a special: a NULL cell */
    CHECK_INT(p.tlatin, 1);
    CHECK_INT(p.tinvalid, 1);
    CHECK_INT(p.tnul, 1);
    CHECK_INT(p.t4byte, 1);
    CHECK_INT(p.tnonascii, 3);
    CHECK_INT(p.tempty, 1);
    CHECK_INT(p.tchars, 4); /* "caf\xe9": the invalid byte counts as one */
    CHECK_INT(p.texts, 6);
    CHECK_INT(p.nulls, 1);
}

int main(int argc, char **argv)
{
    static const check_test tests[] = {
        TEST(values_round_trip_exactly), TEST(schema_round_trips),
        TEST(extended_schema_round_trips), TEST(a_format_1_stage_still_reads),
        TEST(refuses_a_missing_file),
        TEST(refuses_random_bytes), TEST(refuses_an_sqlite_file_that_is_not_a_stage),
        TEST(refuses_a_newer_format), TEST(refuses_an_interrupted_pull),
        TEST(an_unfinished_stage_leaves_nothing),
        TEST(create_refuses_an_existing_file_unless_told),
        TEST(profiles_count_what_verify_asks)};
    return check_main_in_tmpdir(tests, sizeof(tests) / sizeof(tests[0]), argc, argv, dir,
                                NULL);
}
