/* Content digests: canonical values, order independence. */
#include <stdlib.h>

#include "../check.h"
#include "invs_core.h"

static invs_column col(int canon)
{
    invs_column c;
    memset(&c, 0, sizeof(c));
    c.name = "c";
    c.decl = "";
    c.canon = canon;
    return c;
}

static invs_value vint(int64_t i) { invs_value v = {0}; v.type = INVS_INT; v.num.i = i; return v; }
static invs_value vreal(double d) { invs_value v = {0}; v.type = INVS_REAL; v.num.d = d; return v; }
static invs_value vtext(const char *s) { invs_value v = {0}; v.type = INVS_TEXT; v.ptr = s; v.len = strlen(s); return v; }
static invs_value vblob(const char *s) { invs_value v = {0}; v.type = INVS_BLOB; v.ptr = s; v.len = strlen(s); return v; }

/* The canonical encoding of one value (binary: text carries its length). */
static char *canon_n(int type, invs_value v, size_t *n)
{
    invs_strbuf sb;
    invs_column c = col(type);
    invs_sb_init_std(&sb);
    invs_digest_value(&sb, &c, &v);
    *n = sb.len;
    return invs_sb_take(&sb);
}

static char *canon(int type, invs_value v)
{
    size_t n;
    return canon_n(type, v, &n);
}

static void same(int type, invs_value a, invs_value b, int want)
{
    size_t nx, ny;
    char *x = canon_n(type, a, &nx), *y = canon_n(type, b, &ny);
    int eq = nx == ny && memcmp(x, y, nx) == 0;
    if (eq != want)
        fprintf(stderr, "'%s' vs '%s'\n", x, y);
    CHECK_INT(eq, want);
    free(x);
    free(y);
}

static void decimals_agree_across_storage_classes(void)
{
    same(INVS_T_DECIMAL, vreal(9.99), vtext("9.99"), 1);
    same(INVS_T_DECIMAL, vint(10), vtext("10.00"), 1);
    same(INVS_T_DECIMAL, vtext("-0.000"), vint(0), 1);
    same(INVS_T_DECIMAL, vtext("1e3"), vint(1000), 1);
    same(INVS_T_DECIMAL, vtext("0.0010"), vreal(0.001), 1);
    same(INVS_T_DECIMAL, vtext("00012.5"), vreal(12.5), 1);
    same(INVS_T_DECIMAL, vtext("9.99"), vtext("9.98"), 0);
    same(INVS_T_DECIMAL, vtext("abc"), vtext("abc"), 1);
    same(INVS_T_DECIMAL, vtext("abc"), vblob("abc"), 0);
    same(INVS_T_INT64, vint(-3), vtext("-3"), 1);
    same(INVS_T_BOOL, vint(1), vtext("1"), 1);
}

static void floats_and_text_are_exact(void)
{
    same(INVS_T_FLOAT64, vreal(-0.0), vreal(0.0), 0);
    same(INVS_T_FLOAT64, vreal(0.1), vreal(0.1), 1);
    same(INVS_T_TEXT, vtext("5"), vint(5), 0); /* a storage class change shows */
    same(INVS_T_TEXT, vtext("a"), vblob("a"), 0);
    same(INVS_T_ANY, vreal(1.0), vint(1), 0);
}

static void canonical_decimal_text(void)
{
    char *s = canon(INVS_T_DECIMAL, vtext(" -000123.4500 "));
    CHECK_STR(s, "N-123.45");
    free(s);
    s = canon(INVS_T_DECIMAL, vtext("1.5e-3"));
    CHECK_STR(s, "N0.0015");
    free(s);
    s = canon(INVS_T_DECIMAL, vtext("7E+500"));
    CHECK_STR(s, "N7E+500");
    free(s);
}

static void reals_in_decimal_columns_match_their_shortest_text(void)
{
    static const char *const texts[] = {"9.99", "0.5", "123.45", "-0.001", "1000000",
                                        "0.1", "2.675", "1e-7", "123456789.123", "1e22",
                                        "3.141592653589793", "-12345.678901"};
    size_t i;
    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        invs_value t = vtext(texts[i]);
        same(INVS_T_DECIMAL, vreal(strtod(texts[i], NULL)), t, 1);
    }
    same(INVS_T_DECIMAL, vreal(-0.0), vint(0), 1);
    same(INVS_T_DECIMAL, vreal(0.1 + 0.2), vtext("0.3"), 0); /* 0.30000000000000004 */
}

static void timestamps_compare_as_instants(void)
{
    same(INVS_T_TIMESTAMP, vtext("2024-03-19 10:00:00"), vtext("2024-03-19 10:00:00+00"), 1);
    same(INVS_T_TIMESTAMP, vtext("2024-03-19T10:00:00Z"), vtext("2024-03-19 10:00:00"), 1);
    same(INVS_T_TIMESTAMPTZ, vtext("2026-03-29 01:30:00+01"), vtext("2026-03-29 00:30:00+00"), 1);
    same(INVS_T_TIMESTAMPTZ, vtext("2026-01-01 00:00:00+05:45"), vtext("2025-12-31 18:15:00+00"), 1);
    same(INVS_T_TIMESTAMP, vtext("1999-12-31 23:59:59.999900"), vtext("1999-12-31 23:59:59.9999"), 1);
    same(INVS_T_TIMESTAMP, vtext("2024-03-19 10:00:00"), vtext("2024-03-19 10:00:01"), 0);
    same(INVS_T_TIMESTAMP, vtext("infinity"), vtext("infinity"), 1);
    same(INVS_T_TEXT, vtext("2024-03-19 10:00:00"), vtext("2024-03-19T10:00:00"), 0);
}

/* A time is its value: MySQL's time(6) text and PostgreSQL's agree. */
static void times_compare_as_times(void)
{
    same(INVS_T_TIME, vtext("12:00:00.500000"), vtext("12:00:00.5"), 1);
    same(INVS_T_TIME, vtext("24:00:00.000000"), vtext("24:00:00"), 1);
    same(INVS_T_TIME, vtext("9:30"), vtext("09:30:00"), 1);
    same(INVS_T_TIME, vtext("-838:59:59.000000"), vtext("-838:59:59"), 1);
    same(INVS_T_TIME, vtext("12:00:00.5"), vtext("12:00:00.05"), 0);
    same(INVS_T_TIME, vtext("-01:00:00"), vtext("01:00:00"), 0);
    same(INVS_T_TIME, vtext("12:00:01"), vtext("12:00:00"), 0);
    same(INVS_T_TIME, vtext("noon"), vtext("noon"), 1);
    same(INVS_T_TIME, vtext("12:00:00.5x"), vtext("12:00:00.5"), 0);
    same(INVS_T_TIME, vtext("12:00:00.500"), vtext("12:00:00.5"), 1);
    /* a time written canonically is encoded as any text was */
    same(INVS_T_TIME, vtext("12:00:00.5"), vtext("12:00:00.5"), 1);
    {
        char *t = canon(INVS_T_TIME, vtext("12:00:00.5")), *x = canon(INVS_T_TEXT, vtext("12:00:00.5"));
        CHECK(memcmp(t, x, 1 + 8 + 10) == 0);
        free(t);
        free(x);
    }
}

static void table_digest_ignores_row_order(void)
{
    invs_digest d1, d2;
    invs_digest_init(&d1);
    invs_digest_init(&d2);
    invs_digest_add(&d1, "row one", 7, NULL, NULL);
    invs_digest_add(&d1, "row two", 7, NULL, NULL);
    invs_digest_add(&d2, "row two", 7, NULL, NULL);
    invs_digest_add(&d2, "row one", 7, NULL, NULL);
    CHECK(d1.rows == 2 && d1.a == d2.a && d1.b == d2.b);
    invs_digest_add(&d2, "row one", 7, NULL, NULL); /* a duplicate row counts */
    CHECK(d1.a != d2.a && d1.rows != d2.rows);
}

/* JSON digests alike however an engine stored the document. */
/* PostgreSQL's uuid and Django's char(32) hex are one value; a text that
 * is no UUID stays itself, and the digest of the canonical form is that of
 * the text as PostgreSQL prints it (stages pulled before keep their
 * digests). */
static void uuids_compare_as_values(void)
{
    same(INVS_T_UUID, vtext("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
         vtext("A0EEBC999C0B4EF8BB6D6BB9BD380A11"), 1);
    same(INVS_T_UUID, vtext("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}"),
         vtext("a0eebc999c0b4ef8bb6d6bb9bd380a11"), 1);
    same(INVS_T_UUID, vtext("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
         vtext("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12"), 0);
    same(INVS_T_UUID, vtext("a0eebc999c0b-4ef8-bb6d-6bb9bd380a11"),
         vtext("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), 0); /* dashes misplaced: text */
    same(INVS_T_TEXT, vtext("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
         vtext("a0eebc999c0b4ef8bb6d6bb9bd380a11"), 0); /* only in a uuid column */
    same(INVS_T_UUID, vtext("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
         vtext("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), 1);
}

static void json_compares_as_documents(void)
{
    same(INVS_T_JSON, vtext("{\"b\": 1, \"a\": [1.50, \"\\u00fc\"]}"),
         vtext("{\"a\":[1.5,\"\xc3\xbc\"],\"b\":1}"), 1);
    same(INVS_T_JSON, vtext("{\"a\": 1, \"a\": 2}"), vtext("{\"a\": 2}"), 1);
    same(INVS_T_JSON, vtext("{\"a\": \"\\ud83d\\udd29\"}"),
         vtext("{\"a\": \"\xf0\x9f\x94\xa9\"}"), 1);
    same(INVS_T_JSON, vtext("{\"a\": 1}"), vtext("{\"a\": 2}"), 0);
    same(INVS_T_JSON, vtext("[1, 2]"), vtext("[2, 1]"), 0);
    same(INVS_T_JSON, vtext("\"x\\\"y\""), vtext("\"x\\u0022y\""), 1);
    /* not JSON: compared as text */
    same(INVS_T_JSON, vtext("{bad"), vtext("{bad"), 1);
    same(INVS_T_JSON, vtext("{bad"), vtext("{bad "), 0);
    /* in a text column, JSON is just text */
    same(INVS_T_TEXT, vtext("{\"a\": 1}"), vtext("{\"a\":1}"), 0);
}

/* A row with values too big to copy is hashed in pieces where they lie:
 * its digest is the one of its whole encoding, at every alignment. */
static void big_values_digest_as_if_copied(void)
{
    size_t big = 200 * 1024 + 3, shift, i;
    char *bytes = malloc(big + 8);
    invs_column cols[4] = {col(INVS_T_INT64), col(INVS_T_BLOB), col(INVS_T_TEXT),
                           col(INVS_T_JSON)};
    invs_table t;
    invs_strbuf buf, enc;
    CHECK(bytes != NULL);
    for (i = 0; i < big + 8; i++)
        bytes[i] = (char)('a' + i % 23);
    memset(&t, 0, sizeof(t));
    t.cols = cols;
    t.ncols = 4;
    invs_sb_init_std(&buf);
    invs_sb_init_std(&enc);
    for (shift = 0; shift < 8; shift++) { /* the small values' lengths move the words */
        invs_value row[4] = {vint((int64_t)shift * 1000003), vblob("x"), vtext("y"),
                             vtext("[1, 2]")};
        invs_digest whole, pieces;
        uint64_t a1, b1, a2, b2;
        row[1].ptr = bytes + shift;
        row[1].len = big - shift;
        row[2].ptr = bytes;
        row[2].len = big + shift;
        invs_sb_reset(&enc);
        for (i = 0; i < 4; i++)
            invs_digest_value(&enc, &cols[i], &row[i]);
        invs_digest_init(&whole);
        invs_digest_init(&pieces);
        invs_digest_add(&whole, enc.p, enc.len, &a1, &b1);
        invs_digest_row(&pieces, &buf, &t, row, NULL, &a2, &b2);
        CHECK(a1 == a2 && b1 == b2 && whole.a == pieces.a && whole.b == pieces.b);
        CHECK(buf.cap < big); /* and the big values were not copied */
    }
    invs_sb_free(&buf);
    invs_sb_free(&enc);
    free(bytes);
}

CHECK_MAIN(TEST(big_values_digest_as_if_copied), TEST(decimals_agree_across_storage_classes),
           TEST(times_compare_as_times), TEST(floats_and_text_are_exact),
           TEST(canonical_decimal_text), TEST(reals_in_decimal_columns_match_their_shortest_text),
           TEST(timestamps_compare_as_instants), TEST(table_digest_ignores_row_order),
           TEST(uuids_compare_as_values),
           TEST(json_compares_as_documents))
