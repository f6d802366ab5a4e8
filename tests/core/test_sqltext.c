/* Schema text from a stage is checked before it reaches SQL: what real
 * databases write passes, anything that could run code or end the
 * statement does not. */
#include "../check.h"
#include "invstage/sqltext.h"

static const char *const pg_fns[] = {"nextval", "now", "gen_random_uuid", "char_length", NULL};
static const char *const sqlite_fns[] = {"datetime", "strftime", "random", NULL};

static void real_type_names_pass(void)
{
    static const char *const ok[] = {
        "", "INTEGER", "VARCHAR(40)", "DECIMAL(12, 3)", "UNSIGNED BIG INT", "double precision",
        "character varying(20)", "timestamp(6) with time zone", "integer[]", "character(1)[]",
        "\"char\"", "public.mpaa_rating", "\"My Type\"", "bit varying(5)", "numeric(-5,2)",
        "interval day to second(3)", "int(11) unsigned", "NATIVE CHARACTER(70)",
        "timestamp without time zone", "time(6) with time zone", "interval year to month",
        "interval second(3)", "interval(6)", "int(10) unsigned zerofill",
        "decimal(10,2) unsigned", "national character varying(10)", "VARYING CHARACTER(255)",
        "LONG VARCHAR", "pg_catalog.int4", "public.\"My Type\"[]",
        "timestamp(3) without time zone[]", "double precision[]", "bit(64)", "year(4)"};
    size_t i;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        CHECK_INT_MSG(invs_sql_type_ok(ok[i]), 1, ok[i]);
}

static void types_that_end_the_statement_fail(void)
{
    static const char *const bad[] = {
        "TEXT); CREATE TABLE pwned(a); --", "text); COPY (SELECT 1) TO PROGRAM 'x'; --",
        "int -- comment", "int /* c */", "varchar('x')", "enum('a','b')", "int(1)(2)",
        "\"unterminated", "int;", "int[", "numeric(1,2,3)", "x.", "int $1"};
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK_INT_MSG(invs_sql_type_ok(bad[i]), 0, bad[i]);
}

/* A type and then a column's constraints is more than a type: SQLite
 * would take the rest as NOT NULL, UNIQUE, COLLATE... of the column. */
static void types_followed_by_other_words_fail(void)
{
    static const char *const bad[] = {
        "TEXT NOT NULL UNIQUE", "TEXT COLLATE RTRIM", "INTEGER PRIMARY KEY", "TEXT DEFAULT 1",
        "TEXT CHECK (1)", "int GENERATED ALWAYS AS (1)", "text AS (1)", "int unsigned not null",
        "TEXT REFERENCES t", "TEXT CONSTRAINT c UNIQUE", "text with time zone",
        "timestamp with time", "double int", "interval year to", "varchar(10) binary",
        "int(10) unsigned comment", "NULL", "NOT NULL", "character set utf8",
        "unsigned big not null", "timestamp with time zone zone", "interval(1)(2)"};
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK_INT_MSG(invs_sql_type_ok(bad[i]), 0, bad[i]);
    /* a cast's type ends where its modifiers do: the expression goes on */
    CHECK(invs_sql_expr_ok("'a'::text AND b = 1", pg_fns));
    CHECK(invs_sql_expr_ok("now()::timestamp with time zone", pg_fns));
    CHECK(invs_sql_expr_ok("CAST(x AS double precision) > 0", pg_fns));
}

static void real_defaults_and_checks_pass(void)
{
    static const char *const ok[] = {
        "0", "-1.5e3", "'anon'::character varying", "'x''y'", "false", "now()",
        "CURRENT_TIMESTAMP", "nextval('film_film_id_seq'::regclass)", "('now'::text)::date",
        "'{}'::text[]", "ARRAY['a'::text, 'b']", "(0)::numeric", "gen_random_uuid()",
        "CAST('1' AS integer)", "char_length(name) > 0", "status IN ('a', 'b')",
        "VALUE >= 1901 AND VALUE <= 2155", "email ~* '^[a-z]+@'", "x'00ff'", "B'0101'",
        "CASE WHEN a > 0 THEN 'p' ELSE 'n' END", "\"Amount\" >= 0"};
    size_t i;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        CHECK_INT_MSG(invs_sql_expr_ok(ok[i], pg_fns), 1, ok[i]);
    CHECK(invs_sql_expr_ok("(datetime('now'))", sqlite_fns));
    CHECK(invs_sql_expr_ok("6 * 7", sqlite_fns));
}

static void expressions_that_run_code_fail(void)
{
    static const char *const bad[] = {
        "1; DROP TABLE t", "0) ; CREATE TABLE pwned(a", "1 -- comment", "1 /* c */",
        "pg_read_file('/etc/passwd')", "(SELECT current_user)", "lo_import('/x')",
        "evil.now()", "\"now\"()", "E'\\''", "$$x$$", "'unterminated",
        "(1", "1)", "x'zz'", "B'012'", "1::", "exists (select 1)", "? ", "a #> b",
        "current_setting('x')", "set_config('a','b',false)", "1 union select 2"};
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK_INT_MSG(invs_sql_expr_ok(bad[i], pg_fns), 0, bad[i]);
    CHECK(!invs_sql_expr_ok("now()", sqlite_fns)); /* each driver allows its own */
}

static void names_and_actions(void)
{
    CHECK(invs_sql_name_ok("film_film_id_seq"));
    CHECK(invs_sql_name_ok("public.\"Foo_id_seq\""));
    CHECK(!invs_sql_name_ok("x; DROP TABLE t; --"));
    CHECK(!invs_sql_name_ok(""));
    CHECK(invs_sql_action_ok("CASCADE"));
    CHECK(invs_sql_action_ok(NULL));
    CHECK(!invs_sql_action_ok("CASCADE; DROP TABLE t"));
}

CHECK_MAIN(TEST(real_type_names_pass), TEST(types_that_end_the_statement_fail),
           TEST(types_followed_by_other_words_fail),
           TEST(real_defaults_and_checks_pass), TEST(expressions_that_run_code_fail),
           TEST(names_and_actions))
