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
    /* SQLite never pads: a CHAR(n) is a bounded text, not a blank-padded one */
    canon("CHARACTER(20)", INVS_T_TEXT, 20, -1, -1);
    canon("NCHAR(55)", INVS_T_TEXT, 55, -1, -1);
    canon("BPCHAR(10)", INVS_T_CHAR, 10, -1, -1);
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
    /* what another engine's types are declared as on the way through */
    canon("timestamp with time zone", INVS_T_TIMESTAMPTZ, -1, -1, -1);
    canon("time without time zone", INVS_T_TIME, -1, -1, -1);
    canon("TIMETZ", INVS_T_TIMETZ, -1, -1, -1);
    canon("interval", INVS_T_INTERVAL, -1, -1, -1);
    canon("integer[]", INVS_T_ARRAY, -1, -1, -1);
    canon("INT4", INVS_T_INT32, -1, -1, -1);
    canon("FLOAT4", INVS_T_FLOAT32, -1, -1, -1);
    canon("YEAR", INVS_T_YEAR, -1, -1, -1);
}

static const char *decl_of(const char *decl, int canon_type, int len, int prec, int scale,
                           const char *engine)
{
    static char out[64];
    invs_strbuf sb;
    invs_column c = {0};
    c.decl = decl;
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

static const char *decl_for(int canon_type, int len, int prec, int scale, const char *engine)
{
    return decl_of("ORIGINAL(1)", canon_type, len, prec, scale, engine);
}

static void sqlite_origin_keeps_its_declaration(void)
{
    CHECK_STR(decl_for(INVS_T_INT16, -1, -1, -1, "sqlite"), "ORIGINAL(1)");
}

/* A declaration SQLite cannot keep as it is: a name SQLite reads back as
 * the same canonical type, else one whose affinity holds the values. */
static void other_engines_get_a_lossless_sqlite_type(void)
{
    CHECK_STR(decl_for(INVS_T_FLOAT32, -1, -1, -1, "postgres"), "FLOAT4");
    CHECK_STR(decl_for(INVS_T_INT32, -1, -1, -1, "postgres"), "INT4");
    CHECK_STR(decl_for(INVS_T_TEXT, 40, -1, -1, "postgres"), "VARCHAR(40)");
    CHECK_STR(decl_for(INVS_T_TEXT, -1, -1, -1, "postgres"), "TEXT");
    CHECK_STR(decl_for(INVS_T_CHAR, 10, -1, -1, "postgres"), "BPCHAR(10)");
    CHECK_STR(decl_for(INVS_T_DECIMAL, -1, 12, 3, "mysql"), "DECIMAL(12,3)");
    CHECK_STR(decl_for(INVS_T_BLOB, -1, -1, -1, "mysql"), "BLOB");
    CHECK_STR(decl_for(INVS_T_ANY, -1, -1, -1, "mysql"), "");
    CHECK_STR(decl_for(INVS_T_JSON, -1, -1, -1, "postgres"), "JSON");
    CHECK_STR(decl_for(INVS_T_ENUM, -1, -1, -1, "postgres"), "TEXT");
}

/* The source's own declaration where SQLite keeps its values and reads it
 * back as the same type, so the way back restores it. */
static void other_engines_keep_their_declaration_where_it_round_trips(void)
{
    CHECK_STR(decl_of("timestamp with time zone", INVS_T_TIMESTAMPTZ, -1, -1, -1, "postgres"),
              "timestamp with time zone");
    CHECK_STR(decl_of("smallint", INVS_T_INT16, -1, -1, -1, "postgres"), "smallint");
    CHECK_STR(decl_of("uuid", INVS_T_UUID, -1, -1, -1, "postgres"), "uuid");
    CHECK_STR(decl_of("jsonb", INVS_T_JSON, -1, -1, -1, "postgres"), "jsonb");
    CHECK_STR(decl_of("numeric(10,2)", INVS_T_DECIMAL, -1, 10, 2, "postgres"), "numeric(10,2)");
    CHECK_STR(decl_of("character varying(5)", INVS_T_TEXT, 5, -1, -1, "postgres"),
              "character varying(5)");
    CHECK_STR(decl_of("datetime(6)", INVS_T_TIMESTAMP, -1, -1, -1, "mysql"), "datetime(6)");
    /* read back as another type, or stored otherwise: not kept */
    CHECK_STR(decl_of("integer", INVS_T_INT32, -1, -1, -1, "postgres"), "INT4");
    CHECK_STR(decl_of("int(11)", INVS_T_INT32, -1, -1, -1, "mysql"), "INT4");
    CHECK_STR(decl_of("real", INVS_T_FLOAT32, -1, -1, -1, "postgres"), "FLOAT4");
    CHECK_STR(decl_of("bytea", INVS_T_BLOB, -1, -1, -1, "postgres"), "BLOB");
    CHECK_STR(decl_of("character(4)", INVS_T_CHAR, 4, -1, -1, "postgres"), "BPCHAR(4)");
    CHECK_STR(decl_of("bit(8)", INVS_T_BIT, 8, -1, -1, "mysql"), "BLOB");
    CHECK_STR(decl_of("enum('1','2')", INVS_T_ENUM, -1, -1, -1, "mysql"), "TEXT");
    CHECK_STR(decl_of("year(4)", INVS_T_YEAR, -1, -1, -1, "mysql"), "year(4)");
    CHECK_STR(decl_of("text); DROP TABLE x; --", INVS_T_TEXT, -1, -1, -1, "postgres"), "TEXT");
}

CHECK_MAIN(TEST(declarations_map_to_canonical_types), TEST(sqlite_origin_keeps_its_declaration),
           TEST(other_engines_get_a_lossless_sqlite_type),
           TEST(other_engines_keep_their_declaration_where_it_round_trips))
