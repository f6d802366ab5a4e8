/* SQLite declared types -> canonical types, and back. */
#include <stdlib.h>

#include "../../check.h"
#include "sqlite_driver.h"

const invs_host *sqlite_host; /* sqlite_types.c uses none of its services */

static void canon(const char *decl, int want, int len, int prec, int scale)
{
    invs_column c = {0};
    sqlite_type_from_decl(&c, decl);
    if (c.canon != want || c.length != len || c.precision != prec || c.scale != scale)
        fprintf(stderr, "decl '%s': canon %d len %d p %d s %d\n", decl, c.canon, c.length,
                c.precision, c.scale);
    CHECK_INT(c.canon, want);
    CHECK_INT(c.length, len);
    CHECK_INT(c.precision, prec);
    CHECK_INT(c.scale, scale);
}

static void declarations_map_to_canonical_types(void)
{
    canon("", INVS_T_ANY, -1, -1, -1);
    canon("ANY", INVS_T_ANY, -1, -1, -1);
    canon("INTEGER", INVS_T_INT64, -1, -1, -1);
    canon("int", INVS_T_INT64, -1, -1, -1);
    canon("BIGINT", INVS_T_INT64, -1, -1, -1);
    canon("smallint", INVS_T_INT16, -1, -1, -1);
    canon("MEDIUMINT", INVS_T_INT32, -1, -1, -1);
    canon("UNSIGNED BIG INT", INVS_T_UINT64, -1, -1, -1);
    canon("NVARCHAR(120)", INVS_T_TEXT, 120, -1, -1);
    canon("varchar ( 7 )", INVS_T_TEXT, 7, -1, -1);
    canon("CHARACTER(20)", INVS_T_CHAR, 20, -1, -1);
    canon("NCHAR(55)", INVS_T_CHAR, 55, -1, -1);
    canon("TEXT", INVS_T_TEXT, -1, -1, -1);
    canon("CLOB", INVS_T_TEXT, -1, -1, -1);
    canon("BLOB", INVS_T_BLOB, -1, -1, -1);
    canon("REAL", INVS_T_FLOAT64, -1, -1, -1);
    canon("DOUBLE PRECISION", INVS_T_FLOAT64, -1, -1, -1);
    canon("FLOAT", INVS_T_FLOAT64, -1, -1, -1);
    canon("NUMERIC(10,2)", INVS_T_DECIMAL, -1, 10, 2);
    canon("decimal(5)", INVS_T_DECIMAL, -1, 5, 0);
    canon("decimal", INVS_T_DECIMAL, -1, -1, -1);
    canon("BOOLEAN", INVS_T_BOOL, -1, -1, -1);
    canon("bool", INVS_T_BOOL, -1, -1, -1);
    canon("DATE", INVS_T_DATE, -1, -1, -1);
    canon("DATETIME", INVS_T_TIMESTAMP, -1, -1, -1);
    canon("timestamp", INVS_T_TIMESTAMP, -1, -1, -1);
    canon("TIME", INVS_T_TIME, -1, -1, -1);
    canon("JSON", INVS_T_JSON, -1, -1, -1);
    canon("uuid", INVS_T_UUID, -1, -1, -1);
    canon("MONEY", INVS_T_NUMERIC, -1, -1, -1);   /* affinity rule 5 */
    canon("POINT", INVS_T_INT64, -1, -1, -1);     /* contains INT: rule 1 */
}

static const char *decl_for(int canon_type, int len, int prec, int scale, const char *engine)
{
    static char out[64];
    invs_strbuf sb;
    invs_column c = {0};
    c.decl = "ORIGINAL(1)";
    c.canon = canon_type;
    c.length = len;
    c.precision = prec;
    c.scale = scale;
    invs_sb_init(&sb, realloc, free);
    invs_sb_puts(&sb, "");
    sqlite_decl_for(&sb, &c, !strcmp(engine, "sqlite"));
    snprintf(out, sizeof(out), "%s", sb.p);
    invs_sb_free(&sb);
    return out;
}

static void sqlite_origin_keeps_its_declaration(void)
{
    CHECK_STR(decl_for(INVS_T_INT16, -1, -1, -1, "sqlite"), "ORIGINAL(1)");
}

static void other_engines_get_a_lossless_sqlite_type(void)
{
    CHECK_STR(decl_for(INVS_T_FLOAT32, -1, -1, -1, "postgres"), "REAL");
    CHECK_STR(decl_for(INVS_T_INT32, -1, -1, -1, "postgres"), "INTEGER");
    CHECK_STR(decl_for(INVS_T_TEXT, 40, -1, -1, "postgres"), "VARCHAR(40)");
    CHECK_STR(decl_for(INVS_T_TEXT, -1, -1, -1, "postgres"), "TEXT");
    CHECK_STR(decl_for(INVS_T_DECIMAL, -1, 12, 3, "mysql"), "DECIMAL(12,3)");
    CHECK_STR(decl_for(INVS_T_BLOB, -1, -1, -1, "mysql"), "BLOB");
    CHECK_STR(decl_for(INVS_T_ANY, -1, -1, -1, "mysql"), "");
    CHECK_STR(decl_for(INVS_T_JSON, -1, -1, -1, "postgres"), "TEXT");
}

CHECK_MAIN(TEST(declarations_map_to_canonical_types), TEST(sqlite_origin_keeps_its_declaration),
           TEST(other_engines_get_a_lossless_sqlite_type))
