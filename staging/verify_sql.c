/*
 * The SQL functions verify's integrity pass asks its questions with. Each
 * rule exists once, in core/, and is only exposed to SQL here:
 *
 *   invs_is_number(x)          text a numeric column can take: the decimal
 *                              grammar (core/decimal.c), or NaN / Infinity
 *   invs_bool_ok(x)            a value core/convert.c makes a boolean of
 *                              (NULL passes)
 *   invs_date_ok(x, with_time, year_min, year_max, flags)
 *                              a real date (and time), within the years a
 *                              target stores; flags are its INVS_LIM_*
 *   invs_decimal_fit(x, p, s)  0 fits decimal(p,s); 1 too many integer
 *                              digits; 2 too many decimals; NULL: no number
 *   invs_time_beyond_day(x)    1 for text written as a time ([-]H:MM[:SS
 *                              [.f]]) that is no time of day: negative,
 *                              past 24:00:00 (MySQL's durations)
 *   invs_ts_offset(x)          1 for text that is a date and time written
 *                              with a UTC offset other than zero
 *   invs_row_key(rowid, ...)  a row named as messages name it (registered
 *                              per table: invs_verify_sql_row_key)
 *   invs_fold(x, mode)         text as a unique key compares it: mode 1
 *                              trailing spaces dropped (a collation that
 *                              pads), 2 case and accents folded, per code
 *                              point (a _ci collation: É, é and e are one;
 *                              ß stays ß); not text: x itself
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

#include "invstage/calendar.h"
#include "verify.h"

static void sql_is_number(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    (void)argc;
    sqlite3_result_int(cx, s && invs_decimal_is_number(s, (size_t)sqlite3_value_bytes(argv[0])));
}

static void sql_bool_ok(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    invs_value v, out;
    (void)argc;
    memset(&v, 0, sizeof(v));
    switch (sqlite3_value_type(argv[0])) {
    case SQLITE_NULL:
        sqlite3_result_int(cx, 1);
        return;
    case SQLITE_INTEGER:
        v.type = INVS_INT;
        v.num.i = sqlite3_value_int64(argv[0]);
        break;
    case SQLITE_FLOAT:
        v.type = INVS_REAL;
        v.num.d = sqlite3_value_double(argv[0]);
        break;
    case SQLITE_TEXT:
        v.type = INVS_TEXT;
        v.ptr = sqlite3_value_text(argv[0]);
        v.len = (size_t)sqlite3_value_bytes(argv[0]);
        break;
    default:
        v.type = INVS_BLOB;
    }
    sqlite3_result_int(cx, invs_convert_bool(&out, &v) == INVS_OK);
}

/* A zero or partial date: "0000-00-00", "2026-00-10", "2026-03-00". */
static int sql_zero_date(long y, int m, int d)
{
    return y == 0 || m == 0 || d == 0;
}

/* Text that is a real date "Y-MM-DD" (at least 4 year digits, optionally
 * " BC"), then for timestamps " HH:MM..." or "THH:MM..."; 'infinity'. */
static int sql_date_ok(const char *s, int with_time, int ymin, int ymax, unsigned flags)
{
    int m, d, n = 0;
    long y;
    char *end;
    if (!strcmp(s, "infinity") || !strcmp(s, "-infinity"))
        return !(flags & INVS_LIM_NO_INFINITY);
    y = strtol(s, &end, 10);
    if (end - s < 4 || *s == '-' || *s == '+' || *end != '-' ||
        sscanf(end, "-%2d-%2d%n", &m, &d, &n) != 2 || n != 6 || m < 0 || m > 12 || d < 0)
        return 0;
    if (sql_zero_date(y, m, d)) {
        if (!(flags & INVS_LIM_ZERO_DATES))
            return 0;
    } else if (d > invs_days_in_month(y, m) || ((ymin || ymax) && (y < ymin || y > ymax))) {
        return 0;
    }
    s = end + 6;
    if (!strncmp(s, " BC", 3)) {
        if (flags & INVS_LIM_NO_BC)
            return 0;
        s += 3;
    }
    if (with_time && (*s == ' ' || *s == 'T')) {
        int h, mi;
        return sscanf(s + 1, "%2d:%2d", &h, &mi) == 2 && h <= 24 && mi <= 59;
    }
    return *s == '\0';
}

static void sql_date_ok_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    (void)argc;
    sqlite3_result_int(cx, s && sql_date_ok(s, sqlite3_value_int(argv[1]),
                                            sqlite3_value_int(argv[2]), sqlite3_value_int(argv[3]),
                                            (unsigned)sqlite3_value_int(argv[4])));
}

/* 1: more digits before the point than decimal(p,s) has, 2: more after
 * it, 0: fits; NULL: not a number. A real counts by its shortest text. */
static void sql_decimal_fit(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    int p = sqlite3_value_int(argv[1]), sc = sqlite3_value_int(argv[2]);
    int type = sqlite3_value_type(argv[0]);
    const char *s;
    char buf[INVS_DOUBLE_TEXT];
    long ints, frac = 0;
    (void)argc;
    if (type == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    if (type == SQLITE_INTEGER) { /* its digits, without SQLite writing it out first */
        sqlite3_result_int(cx, invs_int_digits(sqlite3_value_int64(argv[0])) > p - sc);
        return;
    }
    if (type == SQLITE_FLOAT && isfinite(sqlite3_value_double(argv[0]))) {
        invs_double_text(buf, sqlite3_value_double(argv[0])); /* not SQLite's %!.15g */
        s = buf;
    } else {
        s = (const char *)sqlite3_value_text(argv[0]);
    }
    if (!s || invs_decimal_shape(s, strlen(s), &ints, &frac) != INVS_OK)
        sqlite3_result_null(cx);
    else
        sqlite3_result_int(cx, ints > p - sc ? 1 : frac > sc ? 2 : 0);
}

/* [-]H+:MM[:SS[.ffffff]] outside 00:00:00..24:00:00 (a leap second, :60,
 * is PostgreSQL's too); anything else, another tool's business: 0. */
static int sql_beyond_day(const char *s)
{
    int neg = *s == '-', n = 0, frac_zero = 1;
    long h, m = 0, sec = 0;
    char *end;
    s += neg;
    if (*s < '0' || *s > '9')
        return 0;
    h = strtol(s, &end, 10);
    if (*end != ':' || sscanf(end, ":%2ld%n", &m, &n) != 1 || n != 3)
        return 0;
    s = end + 3;
    if (*s == ':' && (sscanf(s, ":%2ld%n", &sec, &n) != 1 || n != 3))
        return 0;
    if (*s == ':')
        s += 3;
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++)
            frac_zero &= *s == '0';
    if (*s || m > 59 || sec > 60)
        return 0;
    return (neg && (h || m || sec || !frac_zero)) || h > 24 ||
           (h == 24 && (m || sec || !frac_zero));
}

static void sql_time_beyond_day(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    sqlite3_result_int(cx, sqlite3_value_type(argv[0]) == SQLITE_TEXT &&
                               sql_beyond_day((const char *)sqlite3_value_text(argv[0])));
}

static void sql_ts_offset(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    invs_timestamp ts;
    (void)argc;
    sqlite3_result_int(cx, sqlite3_value_type(argv[0]) == SQLITE_TEXT &&
                               invs_timestamp_parse((const char *)sqlite3_value_text(argv[0]),
                                                    (size_t)sqlite3_value_bytes(argv[0]),
                                                    &ts) == INVS_OK &&
                               ts.has_offset && ts.offset != 0);
}

static utf8proc_int32_t sql_lower(utf8proc_int32_t cp, void *data)
{
    (void)data;
    return utf8proc_tolower(cp);
}

static void sql_fold(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    int n = sqlite3_value_bytes(argv[0]), mode = sqlite3_value_int(argv[1]);
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t m;
    (void)argc;
    if (sqlite3_value_type(argv[0]) != SQLITE_TEXT || !s) {
        sqlite3_result_value(cx, argv[0]);
        return;
    }
    while ((mode & 1) && n > 0 && s[n - 1] == ' ')
        n--;
    if (!(mode & 2) || (m = utf8proc_map_custom((const utf8proc_uint8_t *)s, n, &out,
                                                UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK,
                                                sql_lower, NULL)) < 0) {
        sqlite3_result_text(cx, s, n, SQLITE_TRANSIENT); /* invalid UTF-8: its bytes */
        return;
    }
    sqlite3_result_text(cx, (const char *)out, (int)m, SQLITE_TRANSIENT);
    free(out);
}

static void sql_row_key(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const invs_table *t = sqlite3_user_data(cx);
    const invs_key *pk = invs_schema_primary_key(t);
    invs_value *row = calloc(t->ncols + 1, sizeof(*row));
    invs_strbuf sb;
    int i, whole = pk && (size_t)argc == pk->ncols + 1;
    if (!row) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    for (i = 1; whole && i < argc; i++) {
        long c = invs_schema_column(t, pk->cols[i - 1]);
        sqlite3_value *a = argv[i];
        if (c < 0) { /* a key on a column the table lacks: a damaged stage */
            whole = 0;
            continue;
        }
        switch (sqlite3_value_type(a)) {
        case SQLITE_INTEGER: row[c].type = INVS_INT, row[c].num.i = sqlite3_value_int64(a); break;
        case SQLITE_FLOAT: row[c].type = INVS_REAL, row[c].num.d = sqlite3_value_double(a); break;
        case SQLITE_TEXT: row[c].type = INVS_TEXT, row[c].ptr = sqlite3_value_text(a); break;
        case SQLITE_BLOB: row[c].type = INVS_BLOB, row[c].ptr = sqlite3_value_blob(a); break;
        default: whole = 0; continue; /* a NULL key names no row */
        }
        row[c].len = (size_t)sqlite3_value_bytes(a);
    }
    invs_sb_init_std(&sb);
    if (whole)
        invs_sb_row_key(&sb, t, row, sqlite3_value_int64(argv[0]));
    else
        invs_sb_printf(&sb, "row %lld", (long long)sqlite3_value_int64(argv[0]));
    if (invs_sb_failed(&sb))
        sqlite3_result_error_nomem(cx);
    else
        sqlite3_result_text(cx, sb.p, (int)sb.len, SQLITE_TRANSIENT);
    invs_sb_free(&sb);
    free(row);
}

int invs_verify_sql_row_key(invs_stage *st, const invs_table *t)
{
    if (sqlite3_create_function(st->db, "invs_row_key", -1, SQLITE_UTF8, (void *)t, sql_row_key,
                                NULL, NULL) != SQLITE_OK)
        return invs_stage_sqlerr(st, INVS_ENOMEM, "registering a function");
    return INVS_OK;
}

int invs_verify_sql_register(invs_stage *st)
{
    static const struct {
        const char *name;
        int nargs;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } fns[] = {
        {"invs_is_number", 1, sql_is_number},
        {"invs_bool_ok", 1, sql_bool_ok},
        {"invs_date_ok", 5, sql_date_ok_fn},
        {"invs_decimal_fit", 3, sql_decimal_fit},
        {"invs_time_beyond_day", 1, sql_time_beyond_day},
        {"invs_ts_offset", 1, sql_ts_offset},
        {"invs_fold", 2, sql_fold},
    };
    size_t i;
    for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
        if (sqlite3_create_function(st->db, fns[i].name, fns[i].nargs,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, fns[i].fn, NULL,
                                    NULL) != SQLITE_OK)
            return invs_stage_sqlerr(st, INVS_ENOMEM, "registering a function");
    return INVS_OK;
}
