/*
 * COPY ... FROM STDIN (FORMAT binary): each value in its type's receive
 * format, so the server parses nothing (half its time on wide rows,
 * measured: 600k rows with bytea, numeric, timestamps and floats load in
 * 1.5-1.8 s instead of 3.2-3.6 s) and the client formats no floats.
 *
 * A table goes binary only when every target column's type has an encoder
 * here (its base type for a domain); any other table goes as text. Each
 * encoder takes what the text path sends and gives the value the server's
 * input function would have made of that text: numeric keeps the written
 * scale, timestamps round a seventh fraction digit half to even, text
 * into a timestamptz is UTC (the session's zone). A value an encoder
 * cannot read is refused by name: the option copy=text sends the table as
 * text for the server to read instead.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "invstage/calendar.h"
#include "invstage/values.h"

#include "pg_binary.h"

static int pg_bin_kind(long oid, char typtype)
{
    if (typtype == 'e')
        return B_TEXT; /* an enum receives its label */
    switch (oid) {
    case OID_BOOL: return B_BOOL;
    case OID_BYTEA: return B_BYTEA;
    case OID_INT2: return B_INT2;
    case OID_INT4: return B_INT4;
    case OID_INT8: return B_INT8;
    case OID_FLOAT8: return B_FLOAT8;
    case OID_TEXT:
    case OID_JSON:
    case OID_BPCHAR:
    case OID_VARCHAR: return B_TEXT;
    case OID_JSONB: return B_JSONB;
    case OID_NUMERIC: return B_NUMERIC;
    case OID_TIMESTAMP: return B_TIMESTAMP;
    case OID_TIMESTAMPTZ: return B_TIMESTAMPTZ;
    case OID_DATE: return B_DATE;
    }
    return B_NONE;
}

int pg_col_kinds(pg_conn *c, const invs_table *t, int (*kind_of)(long oid, char typtype),
                 unsigned char *kinds)
{
    static const char sql[] =
        "SELECT a.attname, (CASE WHEN y.typtype = 'd' THEN y.typbasetype ELSE a.atttypid END)::int,"
        " (SELECT b.typtype FROM pg_type b WHERE b.oid = CASE WHEN y.typtype = 'd' THEN"
        " y.typbasetype ELSE a.atttypid END) FROM pg_attribute a JOIN pg_type y ON y.oid ="
        " a.atttypid WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped";
    invs_strbuf q;
    const char *params[1];
    PGresult *r;
    size_t i;
    int k, rc;

    memset(kinds, 0, t->ncols);
    pg_sb_init(&q);
    pg_qualified(&q, c, t);
    if ((rc = pg_sb_ok(c, &q)) != INVS_OK) {
        invs_sb_free(&q);
        return rc;
    }
    params[0] = q.p;
    r = pg_query(c, sql, 1, params);
    invs_sb_free(&q);
    if (!r)
        return c->failed;
    for (k = 0; k < PQntuples(r); k++)
        for (i = 0; i < t->ncols; i++)
            if (!strcmp(PQgetvalue(r, k, 0), t->cols[i].name))
                kinds[i] = (unsigned char)kind_of(atol(PQgetvalue(r, k, 1)),
                                                  PQgetvalue(r, k, 2)[0]);
    PQclear(r);
    return INVS_OK;
}

int pg_bin_plan(pg_conn *c, const invs_table *t, unsigned char *kinds, int *binary)
{
    size_t i;
    int rc;

    *binary = 0;
    if ((rc = pg_col_kinds(c, t, pg_bin_kind, kinds)) != INVS_OK)
        return rc;
    *binary = t->ncols > 0;
    for (i = 0; i < t->ncols; i++)
        *binary &= kinds[i] != B_NONE;
    return INVS_OK;
}

/* ------------------------------------------------------------ framing */

static void bin_be(invs_strbuf *sb, uint64_t v, int bytes)
{
    unsigned char *b;
    int i;
    if (invs_sb_reserve(sb, (size_t)bytes) != 0)
        return;
    b = (unsigned char *)sb->p + sb->len;
    for (i = bytes - 1; i >= 0; i--, v >>= 8)
        b[i] = (unsigned char)(v & 0xff);
    sb->len += (size_t)bytes;
    sb->p[sb->len] = '\0';
}

void pg_bin_header(invs_strbuf *sb)
{
    invs_sb_add(sb, "PGCOPY\n\377\r\n\0", 11);
    bin_be(sb, 0, 4); /* flags */
    bin_be(sb, 0, 4); /* header extension */
}

void pg_bin_trailer(invs_strbuf *sb) { bin_be(sb, 0xffff, 2); }

void pg_bin_row_start(invs_strbuf *sb, size_t ncols) { bin_be(sb, ncols, 2); }

void pg_bin_len(invs_strbuf *sb, int32_t len) { bin_be(sb, (uint32_t)len, 4); }

/* ------------------------------------------------------------ numbers */

/* s[0..n) without the blanks the input functions skip around a value. */
static void bin_trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t' || **s == '\n' || **s == '\r'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\n' ||
                  (*s)[*n - 1] == '\r'))
        (*n)--;
}

/* An integer as int8in reads it (blanks, a sign, digits). */
static int bin_parse_int(const char *s, size_t n, int64_t *out)
{
    uint64_t u = 0;
    size_t i = 0;
    int neg = 0;
    bin_trim(&s, &n);
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (i == n)
        return -1;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || u > (UINT64_C(1) << 63) / 10)
            return -1;
        u = u * 10 + (uint64_t)(s[i] - '0');
        if (u > (UINT64_C(1) << 63) - !neg)
            return -1;
    }
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return 0;
}

static int bin_int(invs_strbuf *sb, int bytes, const invs_value *v, const char **why)
{
    int64_t x, lim = bytes == 2 ? 32767 : bytes == 4 ? 2147483647 : INT64_MAX;
    switch (v->type) {
    case INVS_INT: x = v->num.i; break;
    case INVS_UINT:
        if (v->num.u > (uint64_t)INT64_MAX)
            return *why = "is out of range for the column's integer type", -1;
        x = (int64_t)v->num.u;
        break;
    case INVS_REAL:
        if (!(v->num.d >= -9223372036854775808.0 && v->num.d < 9223372036854775808.0) ||
            v->num.d != (double)(int64_t)v->num.d)
            return *why = "is not an integer", -1;
        x = (int64_t)v->num.d;
        break;
    case INVS_TEXT:
        if (v->len > 63 || bin_parse_int(v->ptr, v->len, &x) != 0)
            return *why = "is not an integer", -1;
        break;
    default: return *why = "is not an integer", -1;
    }
    if (x > lim || x < -lim - 1)
        return *why = "is out of range for the column's integer type", -1;
    pg_bin_len(sb, bytes);
    bin_be(sb, (uint64_t)x, bytes);
    return 0;
}

/* As float8in: strtod, whose names (nan, inf, infinity) PostgreSQL's are;
 * out of range is an error, a subnormal is not. */
static int bin_float8(invs_strbuf *sb, const invs_value *v, const char **why)
{
    double d;
    uint64_t bits;
    char tmp[400], *end;
    if (v->type == INVS_REAL)
        d = v->num.d;
    else if (v->type == INVS_INT)
        d = (double)v->num.i;
    else if (v->type == INVS_UINT)
        d = (double)v->num.u;
    else if (v->type == INVS_TEXT && v->len < sizeof(tmp)) {
        const char *s = v->ptr;
        size_t n = v->len;
        bin_trim(&s, &n);
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        errno = 0;
        d = strtod(tmp, &end);
        if (!n || *end || (errno == ERANGE && (d == 0.0 || isinf(d))))
            return *why = "is not a double precision number", -1;
    } else
        return *why = "is not a double precision number", -1;
    memcpy(&bits, &d, sizeof(bits));
    pg_bin_len(sb, 8);
    bin_be(sb, bits, 8);
    return 0;
}

static int bin_bool(invs_strbuf *sb, const invs_value *v, const char **why)
{
    int b = -1;
    if (v->type == INVS_INT && (v->num.i == 0 || v->num.i == 1))
        b = (int)v->num.i;
    else if (v->type == INVS_UINT && v->num.u <= 1)
        b = (int)v->num.u;
    else if (v->type == INVS_REAL && (v->num.d == 0.0 || v->num.d == 1.0))
        b = v->num.d == 1.0;
    else if (v->type == INVS_TEXT && !(v->len && memchr(v->ptr, 0, v->len))) {
        const char *s = v->ptr;
        size_t n = v->len;
        bin_trim(&s, &n); /* boolin skips blanks around the word */
        b = invs_bool_word(s, n);
    }
    if (b < 0)
        return *why = "is not a boolean", -1;
    pg_bin_len(sb, 1);
    bin_be(sb, (uint64_t)b, 1);
    return 0;
}

/* numeric's receive format: digits in base 10000 around the point, with
 * the scale the text gave (numeric_in's dscale: its decimals less its
 * exponent), so the server rounds to the column's scale exactly as it
 * rounds text. */
#define NUM_POS 0x0000
#define NUM_NEG 0x4000
#define NUM_NAN 0xC000
#define NUM_PINF 0xD000
#define NUM_NINF 0xF000

static int bin_numeric_special(invs_strbuf *sb, const char *s, size_t n)
{
    static const struct { const char *name; unsigned sign; } sp[] = {
        {"nan", NUM_NAN},       {"infinity", NUM_PINF}, {"+infinity", NUM_PINF},
        {"-infinity", NUM_NINF}, {"inf", NUM_PINF},      {"+inf", NUM_PINF},
        {"-inf", NUM_NINF}};
    size_t k;
    for (k = 0; k < sizeof(sp) / sizeof(sp[0]); k++)
        if (strlen(sp[k].name) == n && !strncasecmp(s, sp[k].name, n)) {
            pg_bin_len(sb, 8);
            bin_be(sb, 0, 2);
            bin_be(sb, 0, 2);
            bin_be(sb, sp[k].sign, 2);
            bin_be(sb, 0, 2);
            return 0;
        }
    return -1;
}

static long bin_fdiv4(long x) { return x >= 0 ? x / 4 : -((-x + 3) / 4); }

/* The digits of s[0..n) (a sign, digits with a point, no exponent: the
 * mantissa), the integer part's leading zeros skipped, one by one: the
 * point after the first `point` of the nd kept (negative: zeros between;
 * beyond nd: zeros after), into groups of four digits aligned on the
 * point; written with their weight, zero groups at either end left out. */
static int bin_numeric_groups(invs_strbuf *sb, const char *s, size_t n, long nd, long point,
                              int neg, long dscale)
{
    uint16_t small[64], *groups = small;
    long wmax, wmin, p = 0, ng, lead = 0, trail = 0, g;
    size_t i;
    int started = 0;
    if (!nd) { /* zero */
        pg_bin_len(sb, 8);
        bin_be(sb, 0, 2);
        bin_be(sb, 0, 2);
        bin_be(sb, NUM_POS, 2);
        bin_be(sb, (uint64_t)dscale, 2);
        return 0;
    }
    wmax = bin_fdiv4(point - 1);
    wmin = bin_fdiv4(point - nd);
    ng = wmax - wmin + 1;
    if (ng > (long)(sizeof(small) / sizeof(small[0])) &&
        !(groups = pg_host->alloc((size_t)ng * sizeof(*groups))))
        return -1;
    memset(groups, 0, sizeof(groups[0]) * (size_t)ng);
    for (i = 0; i < n && p < nd; i++) {
        long x, w, k, m = 1;
        if (s[i] < '0' || s[i] > '9' || (!started && s[i] == '0' && !memchr(s, '.', i)))
            continue;
        started = 1;
        x = point - 1 - p++;
        w = bin_fdiv4(x);
        for (k = x - 4 * w; k > 0; k--)
            m *= 10;
        groups[wmax - w] = (uint16_t)(groups[wmax - w] + (s[i] - '0') * m);
    }
    while (lead < ng && groups[lead] == 0)
        lead++;
    while (trail < ng - lead && groups[ng - 1 - trail] == 0)
        trail++;
    pg_bin_len(sb, (int32_t)(8 + 2 * (ng - lead - trail)));
    bin_be(sb, (uint64_t)(ng - lead - trail), 2);
    bin_be(sb, (uint64_t)(uint16_t)(int16_t)(wmax - lead), 2);
    bin_be(sb, ng - lead - trail ? (neg ? NUM_NEG : NUM_POS) : NUM_POS, 2);
    bin_be(sb, (uint64_t)dscale, 2);
    for (g = lead; g < ng - trail; g++)
        bin_be(sb, groups[g], 2);
    if (groups != small)
        pg_host->free(groups);
    return 0;
}

static int bin_numeric_text(invs_strbuf *sb, const char *s, size_t n, const char **why)
{
    long nd = 0, nfrac = 0, exp10 = 0, point;
    size_t i = 0, mant;
    int neg = 0, any = 0, dot = 0;
    bin_trim(&s, &n);
    if (bin_numeric_special(sb, s, n) == 0)
        return 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    for (; i < n; i++) {
        if (s[i] == '.' && !dot) {
            dot = 1;
            continue;
        }
        if (s[i] < '0' || s[i] > '9')
            break;
        any = 1;
        if (!nd && s[i] == '0' && !dot)
            continue; /* leading zeros of the integer part */
        nd++;
        nfrac += dot;
    }
    mant = i;
    if (!any)
        return *why = "is not a number", -1;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int64_t e;
        if (bin_parse_int(s + i + 1, n - i - 1, &e) != 0 || e > 100000 || e < -100000)
            return *why = "is not a number (or its exponent is out of range)", -1;
        exp10 = (long)e;
        i = n;
    }
    if (i != n || nd > 200000)
        return *why = "is not a number", -1;
    point = nd - nfrac + exp10; /* digits before the point */
    if (bin_numeric_groups(sb, s, mant, nd, point, neg, nfrac - exp10 > 0 ? nfrac - exp10 : 0))
        return *why = "is too long a number for the memory left", -1;
    return 0;
}

static int bin_numeric(invs_strbuf *sb, const invs_value *v, const char **why)
{
    char tmp[40];
    if (v->type == INVS_INT)
        return snprintf(tmp, sizeof(tmp), "%lld", (long long)v->num.i),
               bin_numeric_text(sb, tmp, strlen(tmp), why);
    if (v->type == INVS_UINT)
        return snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v->num.u),
               bin_numeric_text(sb, tmp, strlen(tmp), why);
    if (v->type == INVS_REAL) { /* the value the shortest text means */
        size_t n = invs_double_fixed(tmp, v->num.d);
        if (!n)
            pg_double_text(tmp, v->num.d), n = strlen(tmp);
        return bin_numeric_text(sb, tmp, n, why);
    }
    if (v->type == INVS_TEXT)
        return bin_numeric_text(sb, v->ptr, v->len, why);
    return *why = "is not a number", -1;
}

/* ------------------------------------------------------------ dates */

/* Days from 2000-01-01 to y-m-d (astronomical year). */
static int64_t bin_days(int64_t y, int m, int d)
{
    return invs_days_from_civil(y, m, d) - PG_DAYS_1970_TO_2000;
}

static int bin_num(const char **p, const char *end, int min, int max, int64_t *out)
{
    int k = 0;
    *out = 0;
    while (*p < end && **p >= '0' && **p <= '9' && k < max) {
        *out = *out * 10 + (**p - '0');
        (*p)++, k++;
    }
    return k >= min ? 0 : -1;
}


/* "Y-MM-DD" (four or more year digits) at *p: days from 2000-01-01 of
 * that real day, a BC one when the text ends " BC" (year Y BC is the
 * astronomical year 1 - Y); *p after the date. */
static int bin_date_part(const char **p, const char *end, int64_t *days)
{
    int64_t y, m, d;
    if (bin_num(p, end, 4, 9, &y) || *p >= end || *(*p)++ != '-' || bin_num(p, end, 1, 2, &m) ||
        *p >= end || *(*p)++ != '-' || bin_num(p, end, 1, 2, &d) || m < 1 || m > 12 || d < 1 ||
        y < 1)
        return -1;
    if (end - *p >= 3 && !strncasecmp(end - 3, " BC", 3))
        y = 1 - y;
    if (d > invs_days_in_month(y, (int)m))
        return -1;
    *days = bin_days(y, (int)m, (int)d);
    return 0;
}

/* The text ends " BC" at *p: step over it. */
static int bin_bc(const char **p, const char *end)
{
    if (end - *p == 3 && !strncasecmp(*p, " BC", 3)) {
        *p += 3;
        return 1;
    }
    return 0;
}

/* A zone: Z, or +HH[[:]MM[[:]SS]] (a blank before it allowed): seconds east. */
static int bin_zone(const char **p, const char *end, int64_t *east)
{
    int64_t h = 0, m = 0, s = 0, sign;
    const char *q = *p;
    if (q < end && *q == ' ')
        q++;
    if (q < end && (*q == 'Z' || *q == 'z')) {
        *p = q + 1;
        *east = 0;
        return 0;
    }
    if (q >= end || (*q != '+' && *q != '-'))
        return -1;
    sign = *q++ == '-' ? -1 : 1;
    if (bin_num(&q, end, 1, 2, &h))
        return -1;
    if (q < end && *q == ':')
        q++;
    if (q < end && *q >= '0' && *q <= '9' && bin_num(&q, end, 2, 2, &m))
        return -1;
    if (q < end && *q == ':')
        q++;
    if (q < end && *q >= '0' && *q <= '9' && bin_num(&q, end, 2, 2, &s))
        return -1;
    *p = q;
    *east = sign * (h * 3600 + m * 60 + s);
    return 0;
}

/* The fraction of a second at *p (the digits after '.'): microseconds as
 * the server's ParseFractionalSecond makes them, rint(strtod(".ddd") *
 * 1e6), so a seventh digit rounds exactly as it rounds text. */
static int64_t bin_micros(const char **p, const char *end)
{
    char tmp[64];
    size_t k = 0;
    tmp[k++] = '.';
    for (; *p < end && **p >= '0' && **p <= '9'; (*p)++)
        if (k < sizeof(tmp) - 1)
            tmp[k++] = **p;
    tmp[k] = '\0';
    return (int64_t)rint(strtod(tmp, NULL) * 1000000);
}

/* 'infinity' (or '+infinity'): 1; '-infinity': -1; else 0. */
static int bin_infinity(const char *s, size_t n)
{
    if ((n == 8 && !strncasecmp(s, "infinity", 8)) || (n == 9 && !strncasecmp(s, "+infinity", 9)))
        return 1;
    return n == 9 && !strncasecmp(s, "-infinity", 9) ? -1 : 0;
}

/* Date and time as timestamp_in reads ISO text: microseconds from
 * 2000-01-01 00:00 (UTC when with_zone: a zone given is applied, none is
 * the session's UTC; without, a zone is read and ignored). */
static int bin_timestamp_text(const char *s, size_t n, int with_zone, int64_t *out)
{
    const char *p, *end;
    int64_t days, h = 0, mi = 0, sec = 0, us = 0, east = 0;
    int inf;
    bin_trim(&s, &n);
    if ((inf = bin_infinity(s, n)) != 0)
        return *out = inf > 0 ? INT64_MAX : INT64_MIN, 0;
    p = s, end = s + n;
    if (bin_date_part(&p, end, &days))
        return -1;
    if (p < end && (*p == ' ' || *p == 'T' || *p == 't') && p + 1 < end && p[1] >= '0' &&
        p[1] <= '9') {
        p++;
        if (bin_num(&p, end, 1, 2, &h) || p >= end || *p++ != ':' || bin_num(&p, end, 1, 2, &mi))
            return -1;
        if (p < end && *p == ':' && (p++, bin_num(&p, end, 1, 2, &sec)))
            return -1;
        if (p < end && *p == '.' && (p++, 1))
            us = bin_micros(&p, end);
        if (h > 24 || mi > 59 || sec > 60 || (h == 24 && (mi || sec || us)))
            return -1;
        if (bin_zone(&p, end, &east) != 0)
            east = 0;
    }
    bin_bc(&p, end);
    if (p != end)
        return -1;
    if (!with_zone)
        east = 0;
    *out = ((days * 86400 + h * 3600 + mi * 60 + sec) - east) * 1000000 + us;
    return 0;
}

static int bin_timestamp(invs_strbuf *sb, const invs_value *v, int with_zone, const char **why)
{
    int64_t us;
    if (v->type != INVS_TEXT || bin_timestamp_text(v->ptr, v->len, with_zone, &us) != 0)
        return *why = "is not a date and time this driver sends in binary (copy=text sends it "
                      "as text for the server to read)",
               -1;
    pg_bin_len(sb, 8);
    bin_be(sb, (uint64_t)us, 8);
    return 0;
}

static int bin_date(invs_strbuf *sb, const invs_value *v, const char **why)
{
    const char *s = v->ptr, *p, *end;
    size_t n = v->len;
    int64_t days;
    int32_t out;
    int inf;
    if (v->type != INVS_TEXT)
        return *why = "is not a date", -1;
    bin_trim(&s, &n);
    p = s, end = s + n;
    if ((inf = bin_infinity(s, n)) != 0)
        out = inf > 0 ? INT32_MAX : INT32_MIN;
    else if (bin_date_part(&p, end, &days) || (bin_bc(&p, end), p != end) ||
             days > INT32_MAX - 1 || days < INT32_MIN + 1)
        return *why = "is not a date this driver sends in binary (copy=text sends it as text "
                      "for the server to read)",
               -1;
    else
        out = (int32_t)days;
    pg_bin_len(sb, 4);
    bin_be(sb, (uint32_t)out, 4);
    return 0;
}

/* ------------------------------------------------------------ bytea */

/* A hex digit's value; 16 (with 4 bits that stay clear) for anything else. */
const unsigned char pg_hex[256] = {
#define X16 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16
    X16, X16, X16,
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 16, 16, 16, 16, 16,
    16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    X16,
    16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16,
    X16, X16, X16, X16, X16, X16, X16, X16, X16
#undef X16
};

int pg_bin_bytea_text(invs_strbuf *out, const char *s, size_t n, const char **why)
{
    size_t i;
    if (n >= 2 && s[0] == '\\' && s[1] == 'x') { /* hex format, blanks between pairs */
        for (i = 2; i < n;) {
            int hi, lo;
            if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
                i++;
                continue;
            }
            if (i + 1 >= n || (hi = pg_hex[(unsigned char)s[i]]) > 15 ||
                (lo = pg_hex[(unsigned char)s[i + 1]]) > 15)
                return *why = "is text that is not bytea's hex format", -1;
            invs_sb_add(out, (char[]){(char)(hi * 16 + lo)}, 1);
            i += 2;
        }
        return 0;
    }
    for (i = 0; i < n; i++) { /* escape format: \\ and \ooo */
        if (s[i] != '\\') {
            invs_sb_add(out, s + i, 1);
        } else if (i + 1 < n && s[i + 1] == '\\') {
            invs_sb_add(out, "\\", 1);
            i++;
        } else if (i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
                   s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
            invs_sb_add(out, (char[]){(char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 +
                                             (s[i + 3] - '0'))},
                        1);
            i += 3;
        } else {
            return *why = "is text that is not bytea's escape format", -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------ values */

void pg_double_text(char buf[40], double d)
{
    if (isnan(d))
        snprintf(buf, 40, "NaN");
    else if (isinf(d))
        snprintf(buf, 40, "%s", d > 0 ? "Infinity" : "-Infinity");
    else
        invs_double_shortest(buf, d);
}

int pg_bin_value(invs_strbuf *sb, int kind, const invs_value *v, const char **why)
{
    char tmp[40];
    if (v->type == INVS_NULL) {
        pg_bin_len(sb, -1);
        return 0;
    }
    switch (kind) {
    case B_BOOL: return bin_bool(sb, v, why);
    case B_INT2: return bin_int(sb, 2, v, why);
    case B_INT4: return bin_int(sb, 4, v, why);
    case B_INT8: return bin_int(sb, 8, v, why);
    case B_FLOAT8: return bin_float8(sb, v, why);
    case B_NUMERIC: return bin_numeric(sb, v, why);
    case B_TIMESTAMP: return bin_timestamp(sb, v, 0, why);
    case B_TIMESTAMPTZ: return bin_timestamp(sb, v, 1, why);
    case B_DATE: return bin_date(sb, v, why);
    }
    /* text-like and bytea: big values go in pieces (pg_rows.c); numbers
     * as the text path writes them */
    if (v->type == INVS_INT || v->type == INVS_UINT || v->type == INVS_REAL) {
        if (v->type == INVS_INT)
            snprintf(tmp, sizeof(tmp), "%lld", (long long)v->num.i);
        else if (v->type == INVS_UINT)
            snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v->num.u);
        else
            pg_double_text(tmp, v->num.d);
        pg_bin_len(sb, (int32_t)(strlen(tmp) + (kind == B_JSONB)));
        if (kind == B_JSONB)
            invs_sb_add(sb, "\1", 1);
        invs_sb_add(sb, tmp, strlen(tmp));
        return 0;
    }
    return 1; /* bytes: the caller streams them */
}
