/* Defaults written alike by every engine, classified for another engine. */
#include "../check.h"
#include "invstage/sqldefault.h"

static void kind_and_value(const char *expr, int kind, const char *value)
{
    const char *v;
    size_t n;
    char buf[64];
    CHECK_INT_MSG(invs_sqld_classify(expr, &v, &n), kind, expr);
    if (value) {
        CHECK(v != NULL && n < sizeof(buf));
        if (v && n < sizeof(buf))
            CHECK_STR(invs_sqld_unquote(buf, v, n), value);
    }
}

static void reads_literals_and_the_current_time(void)
{
    kind_and_value("1", INVS_DEF_NUMBER, "1");
    kind_and_value("(-12.5e3)", INVS_DEF_NUMBER, "-12.5e3");
    kind_and_value(" ((6)) ", INVS_DEF_NUMBER, "6");
    kind_and_value(".5", INVS_DEF_NUMBER, ".5");
    kind_and_value("'x''y'", INVS_DEF_TEXT, "x'y");
    kind_and_value("''", INVS_DEF_TEXT, "");
    kind_and_value("X'00ff'", INVS_DEF_BLOB, "00ff");
    kind_and_value("NULL", INVS_DEF_NULL, NULL);
    kind_and_value("true", INVS_DEF_BOOL, "1");
    kind_and_value("(FALSE)", INVS_DEF_BOOL, "0");
    kind_and_value("CURRENT_TIMESTAMP", INVS_DEF_NOW, NULL);
    kind_and_value("current_date", INVS_DEF_TODAY, NULL);
    kind_and_value("(CURRENT_TIME)", INVS_DEF_TIME_NOW, NULL);
    kind_and_value(NULL, INVS_DEF_NONE, NULL);
}

static void anything_else_is_an_expression(void)
{
    kind_and_value("6 * 7", INVS_DEF_EXPR, NULL);
    kind_and_value("'a' || 'b'", INVS_DEF_EXPR, NULL);
    kind_and_value("'x'::text", INVS_DEF_EXPR, NULL);
    kind_and_value("now()", INVS_DEF_EXPR, NULL);
    kind_and_value("datetime('now')", INVS_DEF_EXPR, NULL);
    kind_and_value("X'0'", INVS_DEF_EXPR, NULL);
    kind_and_value("'open", INVS_DEF_EXPR, NULL);
    kind_and_value("(1", INVS_DEF_EXPR, NULL);
    kind_and_value("1)", INVS_DEF_EXPR, NULL);
    kind_and_value("-", INVS_DEF_EXPR, NULL);
    kind_and_value("1e", INVS_DEF_EXPR, NULL);
    kind_and_value("NULLS", INVS_DEF_EXPR, NULL);
}

CHECK_MAIN(TEST(reads_literals_and_the_current_time), TEST(anything_else_is_an_expression))
