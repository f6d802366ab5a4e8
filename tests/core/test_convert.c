/* Conversion into existing typed columns (core/convert.c) and time zones
 * (core/timestamp.c): each rule, each refusal, and what stays untouched. */
#include <stdlib.h>

#include "../check.h"
#include "invs_core.h"
#include "invstage/values.h"

static invs_value vint(int64_t i) { invs_value v = {0}; v.type = INVS_INT; v.num.i = i; return v; }
static invs_value vreal(double d) { invs_value v = {0}; v.type = INVS_REAL; v.num.d = d; return v; }
static invs_value vtext(const char *s) { invs_value v = {0}; v.type = INVS_TEXT; v.ptr = s; v.len = strlen(s); return v; }

/* One column of engine `from_engine` with canonical type `from`, into a
 * column of `to_engine`'s type `to` (decimal(p,s) with p, s). */
typedef struct conv_case {
    invs_column fc, tc;
    invs_table fs, ts;
    invs_convert cv;
    invs_value out;
    size_t bad;
    const char *why;
    char text[128];
} conv_case;

static void setup(conv_case *k, const char *fe, int from, const char *te, int to, int p, int s,
                  const invs_tz *tz)
{
    memset(k, 0, sizeof(*k));
    k->fc.name = k->tc.name = "c";
    k->fc.decl = k->tc.decl = "";
    k->fc.canon = from;
    k->tc.canon = to;
    k->fc.length = k->tc.length = -1;
    k->fc.precision = k->fc.scale = -1;
    k->tc.precision = p;
    k->tc.scale = s;
    k->fs.name = k->ts.name = "t";
    k->fs.engine = fe;
    k->ts.engine = te;
    k->fs.ncols = k->ts.ncols = 1;
    k->fs.cols = &k->fc;
    k->ts.cols = &k->tc;
    CHECK_INT(invs_convert_plan(&k->cv, &k->fs, &k->ts, tz), INVS_OK);
}

/* Convert v; the result as text ("i:1", "t:2.50", "r:...") or "ERR". */
static const char *run(conv_case *k, invs_value v)
{
    int rc = invs_convert_row(&k->cv, &v, &k->out, &k->bad, &k->why);
    if (rc == INVS_ETYPE)
        return "ERR";
    CHECK_INT(rc, INVS_OK);
    switch (k->out.type) {
    case INVS_INT: snprintf(k->text, sizeof(k->text), "i:%lld", (long long)k->out.num.i); break;
    case INVS_REAL: snprintf(k->text, sizeof(k->text), "r:%.17g", k->out.num.d); break;
    case INVS_TEXT:
    case INVS_BLOB:
        snprintf(k->text, sizeof(k->text), "%c:%.*s", k->out.type == INVS_TEXT ? 't' : 'b',
                 (int)k->out.len, (const char *)k->out.ptr);
        break;
    default: snprintf(k->text, sizeof(k->text), "null");
    }
    return k->text;
}

static void test_bool(void)
{
    conv_case k;
    setup(&k, "sqlite", INVS_T_BOOL, "postgres", INVS_T_BOOL, -1, -1, NULL);
    CHECK(k.cv.any);
    CHECK_STR(run(&k, vint(1)), "i:1");
    CHECK_STR(run(&k, vint(0)), "i:0");
    CHECK_STR(run(&k, vtext("TRUE")), "i:1");
    CHECK_STR(run(&k, vtext("f")), "i:0");
    CHECK_STR(run(&k, vtext("off")), "i:0");
    CHECK_STR(run(&k, vreal(1.0)), "i:1");
    CHECK_STR(run(&k, vint(2)), "ERR");
    CHECK_STR(k.why, "is not a boolean");
    CHECK_INT(k.bad, 0);
    CHECK_STR(run(&k, vtext("maybe")), "ERR");
    CHECK_STR(run(&k, vtext("")), "ERR");
    invs_convert_free(&k.cv);
}

/* By default nothing is rounded away: a value with more decimals than the
 * column keeps is refused (and says so), one that fits exactly goes in. */
static void decimals_are_never_rounded_unless_asked(void)
{
    conv_case k;
    setup(&k, "sqlite", INVS_T_DECIMAL, "postgres", INVS_T_DECIMAL, 10, 2, NULL);
    CHECK_STR(run(&k, vreal(2.5)), "t:2.50");
    CHECK_STR(run(&k, vreal(9.99)), "t:9.99");
    CHECK_STR(run(&k, vreal(2.675)), "ERR");               /* shortest: 2.675 */
    CHECK(k.cv.would_round);
    /* a REAL has the digits of its shortest exact decimal: 0.30000000000000004
     * is not 0.30, though it reads as 0.3 at 15 significant digits */
    CHECK_STR(run(&k, vreal(0.1 + 0.2)), "ERR");
    CHECK(k.cv.would_round);
    CHECK_HAS(k.why, "would be rounded");
    CHECK_STR(run(&k, vreal(-0.001)), "ERR");
    CHECK_STR(run(&k, vtext("12.345")), "ERR");
    CHECK_STR(run(&k, vtext("12.3400")), "t:12.34");       /* zeros are no digits lost */
    CHECK_STR(run(&k, vtext("1.5e2")), "t:150.00");
    CHECK_STR(run(&k, vint(7)), "i:7");
    CHECK_STR(run(&k, vint(123456789)), "ERR");            /* too big: not a rounding */
    CHECK(!k.cv.would_round);
    invs_convert_free(&k.cv);
    /* numeric(3,0): 1.5 and 2.25 are not 2 and 2 */
    setup(&k, "sqlite", INVS_T_FLOAT64, "postgres", INVS_T_DECIMAL, 3, 0, NULL);
    CHECK_STR(run(&k, vreal(1.5)), "ERR");
    CHECK_STR(run(&k, vreal(2.25)), "ERR");
    CHECK_STR(run(&k, vreal(2.0)), "t:2");
    CHECK_STR(run(&k, vreal(1.0000000000000002)), "ERR"); /* 1 at 15 digits, but not 1 */
    CHECK(k.cv.would_round);
    /* the proof's side: the value by its shortest exact decimal, whole */
    k.cv.exact_decimals = 1;
    CHECK_STR(run(&k, vreal(1.5)), "t:1.5");
    CHECK_STR(run(&k, vreal(2.25)), "t:2.25");
    CHECK_STR(run(&k, vreal(0.1 + 0.2)), "t:0.30000000000000004");
    CHECK_STR(run(&k, vreal(1.0000000000000002)), "t:1.0000000000000002");
    CHECK_STR(run(&k, vreal(9.99)), "t:9.99");
    CHECK_STR(run(&k, vreal(1e20)), "t:100000000000000000000");
    CHECK_STR(run(&k, vreal(-0.0)), "t:0");
    CHECK_STR(run(&k, vtext("12.345")), "t:12.345");
    invs_convert_free(&k.cv);
    /* 9.99 is 9.9900; 17 digits that fit the scale go in whole */
    setup(&k, "sqlite", INVS_T_FLOAT64, "postgres", INVS_T_DECIMAL, 5, 4, NULL);
    CHECK_STR(run(&k, vreal(9.99)), "t:9.9900");
    invs_convert_free(&k.cv);
    setup(&k, "sqlite", INVS_T_FLOAT64, "postgres", INVS_T_DECIMAL, 20, 17, NULL);
    CHECK_STR(run(&k, vreal(1.0000000000000002)), "t:1.00000000000000020");
    CHECK_STR(run(&k, vreal(0.1 + 0.2)), "t:0.30000000000000004");
    invs_convert_free(&k.cv);
}

static void test_decimal(void)
{
    conv_case k;
    setup(&k, "sqlite", INVS_T_DECIMAL, "postgres", INVS_T_DECIMAL, 10, 2, NULL);
    k.cv.round_decimals = 1; /* what verify --round-decimals asks for */
    CHECK_STR(run(&k, vreal(2.5)), "t:2.50");
    CHECK_STR(run(&k, vreal(0.1 + 0.2)), "t:0.30");        /* 15 digits, as Django reads */
    CHECK_STR(run(&k, vreal(1.005)), "t:1.00");            /* 1.00499999999999989... */
    CHECK_STR(run(&k, vreal(2.675)), "t:2.68");            /* 15 digits: 2.675, half-even */
    CHECK_STR(run(&k, vreal(2.665)), "t:2.66");
    CHECK_STR(run(&k, vreal(-0.001)), "t:0.00");           /* no negative zero */
    CHECK_STR(run(&k, vreal(-12.345678)), "t:-12.35");
    CHECK_STR(run(&k, vreal(99999999.995)), "ERR");        /* rounds past 8 integer digits */
    CHECK_STR(run(&k, vreal(99999999.99)), "t:99999999.99");
    CHECK_STR(run(&k, vreal(1e300)), "ERR");
    CHECK_STR(run(&k, vreal(0.0 / 0.0)), "ERR");
    CHECK_STR(run(&k, vreal(9.5e-3)), "t:0.01");
    CHECK_STR(run(&k, vint(7)), "i:7");
    CHECK_STR(run(&k, vint(123456789)), "ERR");
    CHECK_STR(run(&k, vtext("12.345")), "t:12.34");
    CHECK_STR(run(&k, vtext("12.3451")), "t:12.35");
    CHECK_STR(run(&k, vtext("1.5e2")), "t:150.00");
    CHECK_STR(run(&k, vtext("abc")), "ERR");
    invs_convert_free(&k.cv);
    /* an unconstrained target keeps what it gets */
    setup(&k, "postgres", INVS_T_DECIMAL, "sqlite", INVS_T_DECIMAL, -1, -1, NULL);
    CHECK(!k.cv.any);
    invs_convert_free(&k.cv);
    /* the same engine and type: nothing to do */
    setup(&k, "postgres", INVS_T_DECIMAL, "postgres", INVS_T_DECIMAL, -1, -1, NULL);
    k.fc.precision = 10, k.fc.scale = 2, k.tc.precision = 10, k.tc.scale = 2;
    invs_convert_free(&k.cv);
    CHECK_INT(invs_convert_plan(&k.cv, &k.fs, &k.ts, NULL), INVS_OK);
    CHECK(!k.cv.any);
    invs_convert_free(&k.cv);
}

static void test_timestamps(void)
{
    conv_case k;
    invs_tz *berlin = NULL, *plus530 = NULL;
    invs_strbuf err;
    int64_t utc;

    invs_sb_init_std(&err);
    /* aware -> naive: UTC, microseconds as Python writes them */
    setup(&k, "postgres", INVS_T_TIMESTAMPTZ, "sqlite", INVS_T_TIMESTAMP, -1, -1, NULL);
    CHECK_STR(run(&k, vtext("2024-03-01 10:20:30.5+02")), "t:2024-03-01 08:20:30.500000");
    CHECK_STR(run(&k, vtext("2024-01-01 00:30:00-05:30")), "t:2024-01-01 06:00:00");
    CHECK_STR(run(&k, vtext("1999-12-31 23:59:59.123456+00")), "t:1999-12-31 23:59:59.123456");
    CHECK_STR(run(&k, vtext("2024-01-01 00:00:00")), "t:2024-01-01 00:00:00"); /* naive stays */
    CHECK_STR(run(&k, vtext("infinity")), "t:infinity");  /* the engine's to judge */
    invs_convert_free(&k.cv);

    /* naive -> aware, UTC assumed: nothing to do */
    setup(&k, "sqlite", INVS_T_TIMESTAMP, "postgres", INVS_T_TIMESTAMPTZ, -1, -1, NULL);
    CHECK(!k.cv.any);
    invs_convert_free(&k.cv);

    CHECK_INT(invs_tz_open(&plus530, "+05:30", &err), INVS_OK);
    setup(&k, "sqlite", INVS_T_TIMESTAMP, "postgres", INVS_T_TIMESTAMPTZ, -1, -1, plus530);
    CHECK_STR(run(&k, vtext("2024-01-01 05:30:00.25")), "t:2024-01-01 00:00:00.25");
    CHECK_STR(run(&k, vtext("2024-01-01 05:30:00+00")), "t:2024-01-01 05:30:00+00");
    invs_convert_free(&k.cv);

    if (invs_tz_open(&berlin, "Europe/Berlin", &err) != INVS_OK) {
        fprintf(stderr, "skipping zone names: %s\n", err.p);
    } else {
        setup(&k, "sqlite", INVS_T_TIMESTAMP, "postgres", INVS_T_TIMESTAMPTZ, -1, -1, berlin);
        CHECK_STR(run(&k, vtext("2024-01-15 12:00:00")), "t:2024-01-15 11:00:00");
        CHECK_STR(run(&k, vtext("2024-07-15 12:00:00")), "t:2024-07-15 10:00:00");
        /* 2024-03-31 02:30 never happened in Berlin */
        CHECK_STR(run(&k, vtext("2024-03-31 02:30:00")), "ERR");
        CHECK_HAS(k.why, "skipped");
        /* 2024-10-27 02:30 happened twice: the first (summer time) */
        CHECK_STR(run(&k, vtext("2024-10-27 02:30:00")), "t:2024-10-27 00:30:00");
        invs_convert_free(&k.cv);
        CHECK_INT(invs_tz_local_to_utc(berlin, 0, &utc), 0);
        CHECK_INT(utc, -3600);
    }
    invs_sb_reset(&err);
    {
        invs_tz *z = NULL;
        CHECK_INT(invs_tz_open(&z, "Mars/Olympus", &err), INVS_ENOTFOUND);
        CHECK_HAS(err.p, "Mars/Olympus");
        invs_sb_reset(&err);
        CHECK_INT(invs_tz_open(&z, "../../etc/passwd", &err), INVS_EINVAL);
        CHECK_INT(invs_tz_open(&z, "+25:00", &err), INVS_EINVAL);
        CHECK(z == NULL);
        CHECK_INT(invs_tz_open(&z, "UTC", &err), INVS_OK);
        CHECK(invs_tz_is_utc(z));
        invs_tz_free(z);
    }
    invs_tz_free(berlin);
    invs_tz_free(plus530);
    invs_sb_free(&err);
}

static void test_other(void)
{
    conv_case k;
    setup(&k, "sqlite", INVS_T_TEXT, "postgres", INVS_T_BLOB, -1, -1, NULL);
    CHECK_STR(run(&k, vtext("a\\b")), "b:a\\b");
    invs_convert_free(&k.cv);
    setup(&k, "sqlite", INVS_T_NUMERIC, "postgres", INVS_T_INT64, -1, -1, NULL);
    CHECK_STR(run(&k, vreal(42.0)), "i:42");
    CHECK_STR(run(&k, vreal(42.5)), "ERR");
    CHECK_STR(run(&k, vtext("42")), "t:42");
    invs_convert_free(&k.cv);
    /* text and json pass through */
    setup(&k, "sqlite", INVS_T_TEXT, "postgres", INVS_T_JSON, -1, -1, NULL);
    CHECK(!k.cv.any);
    invs_convert_free(&k.cv);
    /* a uuid into the char(32) Django makes of a UUIDField without uuid */
    setup(&k, "postgres", INVS_T_UUID, "sqlite", INVS_T_CHAR, -1, -1, NULL);
    CHECK(!k.cv.any);
    invs_convert_free(&k.cv);
    k.tc.length = 32;
    CHECK_INT(invs_convert_plan(&k.cv, &k.fs, &k.ts, NULL), INVS_OK);
    CHECK_STR(run(&k, vtext("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11")),
              "t:a0eebc999c0b4ef8bb6d6bb9bd380a11");
    CHECK_STR(run(&k, vtext("not a uuid")), "t:not a uuid");
    invs_convert_free(&k.cv);
}

/* Several converted columns in one row: every text pointer stays valid. */
static void test_row(void)
{
    invs_column fc[3], tc[3];
    invs_table fs, ts;
    invs_convert cv;
    invs_value in[3], out[3];
    size_t bad, i;
    const char *why;
    static const char *const names[] = {"a", "b", "c"};

    memset(fc, 0, sizeof(fc));
    memset(tc, 0, sizeof(tc));
    for (i = 0; i < 3; i++) {
        fc[i].name = tc[2 - i].name = names[i];
        fc[i].decl = tc[i].decl = "";
        fc[i].canon = INVS_T_DECIMAL;
        fc[i].precision = fc[i].scale = -1;
        tc[i].canon = INVS_T_DECIMAL;
        tc[i].precision = 30;
        tc[i].scale = (int)i + 1;
    }
    memset(&fs, 0, sizeof(fs));
    memset(&ts, 0, sizeof(ts));
    fs.name = ts.name = "t";
    fs.engine = "sqlite";
    ts.engine = "postgres";
    fs.ncols = ts.ncols = 3;
    fs.cols = fc;
    ts.cols = tc; /* columns in another order: matched by name */
    CHECK_INT(invs_convert_plan(&cv, &fs, &ts, NULL), INVS_OK);
    cv.round_decimals = 1; /* thirds fit no scale: rounded, as asked */
    in[0] = vreal(1.0 / 3);
    in[1] = vtext("7");
    in[2] = vreal(2.0 / 3);
    CHECK_INT(invs_convert_row(&cv, in, out, &bad, &why), INVS_OK);
    CHECK_INT(out[0].len, 5); /* a -> c: scale 3 */
    CHECK(!memcmp(out[0].ptr, "0.333", 5));
    CHECK(!memcmp(out[1].ptr, "7.00", 4));
    CHECK(!memcmp(out[2].ptr, "0.7", 3));
    in[1] = vtext("x");
    CHECK_INT(invs_convert_row(&cv, in, out, &bad, &why), INVS_ETYPE);
    CHECK_INT(bad, 1);
    invs_convert_free(&cv);
}

/* The shortest text of a double: the printf-free fixed form (SDK
 * values.h, used by the core and the PostgreSQL driver's numeric encoder)
 * for n / 10^k, and 0 (the printf search) for anything else. */
static void test_double_text(void)
{
    static const struct { double d; const char *fixed; } cases[] = {
        {0.1, "0.1"}, {-12.5, "-12.5"}, {9.99, "9.99"}, {1e-9, "0.000000001"},
        {-0.0, "0"}, {0.0, "0"}, {1e15, "1000000000000000"}, {123456789.123, "123456789.123"},
        {-0.00042, "-0.00042"}, {9007199254740991.0, "9007199254740991"},
        {0.1 + 0.2, NULL}, {1e16, NULL}, {1e-10, NULL}, {3.141592653589793, NULL}};
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[INVS_DOUBLE_TEXT], shortest[40];
        size_t n = invs_double_fixed(buf, cases[i].d);
        CHECK_INT(n != 0, cases[i].fixed != NULL);
        if (cases[i].fixed) {
            CHECK_STR(buf, cases[i].fixed);
            CHECK_INT(n, strlen(cases[i].fixed));
            CHECK(strtod(buf, NULL) == cases[i].d);
        }
        invs_double_text(buf, cases[i].d); /* either way, it reads back */
        invs_double_shortest(shortest, cases[i].d);
        CHECK(strtod(buf, NULL) == cases[i].d);
        CHECK(strtod(buf, NULL) == strtod(shortest, NULL));
    }
}

int main(int argc, char **argv)
{
    static const check_test tests[] = {TEST(test_bool), TEST(decimals_are_never_rounded_unless_asked),
                                       TEST(test_decimal),
                                       TEST(test_timestamps), TEST(test_other), TEST(test_row),
                                       TEST(test_double_text)};
    return check_main(tests, sizeof(tests) / sizeof(*tests), argc, argv);
}
