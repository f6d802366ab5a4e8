/*
 * COPY (SELECT ...) TO STDOUT (FORMAT binary): each value in its type's
 * send format, so the server formats no numeric, timestamp or bytea hex
 * and the client parses no text.
 *
 * The stage's values must not depend on the format a table was read in
 * (the core digests them; stages already written keep their digests), so
 * each value becomes exactly the text the server's output function prints
 * in the session pg_open pins (DateStyle ISO, TimeZone UTC, bytea hex),
 * and pg_rows.c converts that text as it converts COPY's text; integers,
 * double precision, booleans and bytea into the number or bytes that text
 * would have made, without the text. The printing below follows
 * PostgreSQL 15's numeric.c (get_str_from_var), datetime.c
 * (EncodeDateTime, EncodeDateOnly, EncodeTimeOnly, AppendSeconds,
 * EncodeTimezone) and uuid.c; a type not here leaves its table in text format.
 */
#include <string.h>

#include "invstage/calendar.h"

#include "pg_bin_out.h"
#include "pg_binary.h"

int pg_bout_kind(long oid, char typtype)
{
    if (typtype == 'e')
        return O_TEXT; /* enum_send sends the label */
    switch (oid) {
    case OID_BOOL: return O_BOOL;
    case OID_BYTEA: return O_BYTEA;
    case OID_INT2: return O_INT2;
    case OID_INT4: return O_INT4;
    case OID_INT8: return O_INT8;
    case OID_FLOAT4: return O_FLOAT4;
    case OID_FLOAT8: return O_FLOAT8;
    case OID_TEXT:
    case OID_JSON:
    case OID_NAME:
    case OID_BPCHAR: /* bpcharsend keeps the padding bpcharout prints */
    case OID_VARCHAR: return O_TEXT;
    case OID_JSONB: return O_JSONB;
    case OID_NUMERIC: return O_NUMERIC;
    case OID_DATE: return O_DATE;
    case OID_TIMESTAMP: return O_TIMESTAMP;
    case OID_TIMESTAMPTZ: return O_TIMESTAMPTZ;
    case OID_UUID: return O_UUID;
    case OID_TIME: return O_TIME;
    case OID_TIMETZ: return O_TIMETZ;
    }
    return O_NONE;
}

int pg_bout_header(const char **p, const char *end)
{
    int64_t ext;
    if (end - *p < 19 || memcmp(*p, "PGCOPY\n\377\r\n\0", 11) != 0)
        return -1;
    ext = pg_bout_int((const unsigned char *)*p + 15, 4);
    if (ext < 0 || end - *p - 19 < ext)
        return -1;
    *p += 19 + ext;
    return 0;
}

int64_t pg_bout_int(const unsigned char *p, size_t bytes)
{
    uint64_t u = 0;
    size_t i;
    for (i = 0; i < bytes; i++)
        u = u << 8 | p[i];
    if (bytes < 8 && (u >> (8 * bytes - 1)) & 1)
        u |= ~UINT64_C(0) << (8 * bytes); /* sign extension */
    return (int64_t)u;
}

/* ------------------------------------------------------------ digits */

/* v in decimal, at least `width` digits (zeros before): pg_ultostr_zeropad. */
static void bout_uint(invs_strbuf *sb, uint64_t v, int width)
{
    char tmp[24], *p = tmp + sizeof(tmp);
    do
        *--p = (char)('0' + v % 10);
    while ((v /= 10) || tmp + sizeof(tmp) - p < width);
    invs_sb_add(sb, p, (size_t)(tmp + sizeof(tmp) - p));
}

static void bout_int(invs_strbuf *sb, int64_t v)
{
    if (v < 0)
        invs_sb_add(sb, "-", 1);
    bout_uint(sb, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, 1);
}

/* ------------------------------------------------------------ numeric */

#define NUM_NEG 0x4000
#define NUM_NAN 0xC000
#define NUM_PINF 0xD000
#define NUM_NINF 0xF000

/* One base-10000 digit: four decimal digits, or (the first of the integer
 * part) without its leading zeros. */
static void bout_group(invs_strbuf *sb, unsigned dig, int first)
{
    char g[4] = {(char)('0' + dig / 1000), (char)('0' + dig / 100 % 10),
                 (char)('0' + dig / 10 % 10), (char)('0' + dig % 10)};
    int k = 0;
    while (first && k < 3 && g[k] == '0')
        k++;
    invs_sb_add(sb, g + k, (size_t)(4 - k));
}

/* numeric_send: ndigits, weight, sign, dscale, then ndigits base-10000
 * digits, the first of weight `weight`. Printed as get_str_from_var:
 * the integer part (0 when weight < 0), then dscale decimals, the digits
 * past the last sent being zeros. */
static int bout_numeric(invs_strbuf *sb, const unsigned char *p, size_t n)
{
    int64_t nd, weight, d, i;
    unsigned sign, dscale;
    size_t start;
    if (n < 8)
        return -1;
    nd = pg_bout_int(p, 2);
    weight = pg_bout_int(p + 2, 2);
    sign = (unsigned)pg_bout_int(p + 4, 2) & 0xffff;
    dscale = (unsigned)pg_bout_int(p + 6, 2) & 0xffff;
    if (nd < 0 || n != 8 + 2 * (size_t)nd || (dscale & 0xc000))
        return -1;
    switch (sign) {
    case NUM_NAN: invs_sb_puts(sb, "NaN"); return 0;
    case NUM_PINF: invs_sb_puts(sb, "Infinity"); return 0;
    case NUM_NINF: invs_sb_puts(sb, "-Infinity"); return 0;
    case 0: break;
    case NUM_NEG: invs_sb_add(sb, "-", 1); break;
    default: return -1;
    }
    for (i = 0; i < nd; i++)
        if ((uint64_t)pg_bout_int(p + 8 + 2 * i, 2) > 9999)
            return -1;
#define DIGIT(k) ((k) >= 0 && (k) < nd ? (unsigned)pg_bout_int(p + 8 + 2 * (k), 2) : 0u)
    if (weight < 0) {
        invs_sb_add(sb, "0", 1);
        d = weight + 1;
    } else {
        for (d = 0; d <= weight; d++)
            bout_group(sb, DIGIT(d), d == 0);
    }
    if (dscale > 0) {
        invs_sb_add(sb, ".", 1);
        start = sb->len;
        for (i = 0; i < (int64_t)dscale; d++, i += 4)
            bout_group(sb, DIGIT(d), 0);
        if (!invs_sb_failed(sb)) { /* the last group's digits beyond dscale */
            sb->len = start + dscale;
            sb->p[sb->len] = '\0';
        }
    }
#undef DIGIT
    return 0;
}

/* ------------------------------------------------------------ dates */

/* y-m-d as EncodeDateOnly / EncodeDateTime print it in ISO: the year of
 * at least four digits, counted from 1 BC backwards before year 1; the
 * caller appends " BC" (after the time and zone) when *bc. */
static void bout_ymd(invs_strbuf *sb, int64_t days_from_2000, int *bc)
{
    int64_t y;
    int m, d;
    invs_civil_from_days(days_from_2000 + PG_DAYS_1970_TO_2000, &y, &m, &d);
    *bc = y <= 0;
    bout_uint(sb, (uint64_t)(y > 0 ? y : 1 - y), 4);
    invs_sb_add(sb, "-", 1);
    bout_uint(sb, (uint64_t)m, 2);
    invs_sb_add(sb, "-", 1);
    bout_uint(sb, (uint64_t)d, 2);
}

/* The infinities of a date or timestamp, its type's least and greatest
 * values, as EncodeSpecialDate/Timestamp print them: 1 if v is one. */
static int bout_infinite(invs_strbuf *sb, int64_t v, int64_t least, int64_t greatest)
{
    if (v != least && v != greatest)
        return 0;
    invs_sb_puts(sb, v == least ? "-infinity" : "infinity");
    return 1;
}

/* date_send: days from 2000-01-01; INT32_MIN and INT32_MAX the infinities. */
static int bout_date(invs_strbuf *sb, const unsigned char *p, size_t n)
{
    int64_t days;
    int bc;
    if (n != 4)
        return -1;
    days = pg_bout_int(p, 4);
    if (bout_infinite(sb, days, INT32_MIN, INT32_MAX))
        return 0;
    bout_ymd(sb, days, &bc);
    if (bc)
        invs_sb_add(sb, " BC", 3);
    return 0;
}

/* A time of day, t microseconds from midnight (24:00:00 included), as
 * EncodeTimeOnly prints it: HH:MM:SS, then as AppendSeconds does, the
 * microseconds without their trailing zeros, if any. */
static void bout_clock(invs_strbuf *sb, int64_t t)
{
    bout_uint(sb, (uint64_t)(t / INT64_C(3600000000)), 2);
    invs_sb_add(sb, ":", 1);
    bout_uint(sb, (uint64_t)(t / 60000000 % 60), 2);
    invs_sb_add(sb, ":", 1);
    bout_uint(sb, (uint64_t)(t / 1000000 % 60), 2);
    if (t % 1000000) {
        char frac[6];
        int k;
        int64_t f = t % 1000000;
        for (k = 5; k >= 0; k--, f /= 10)
            frac[k] = (char)('0' + f % 10);
        for (k = 6; frac[k - 1] == '0'; k--)
            ;
        invs_sb_add(sb, ".", 1);
        invs_sb_add(sb, frac, (size_t)k);
    }
}

/* A zone west seconds west of Greenwich as EncodeTimezone prints it: the
 * sign east, hours, then minutes and seconds only where not zero (minutes
 * too where seconds are). */
static void bout_zone(invs_strbuf *sb, int64_t west)
{
    int64_t a = west < 0 ? -west : west;
    invs_sb_add(sb, west <= 0 ? "+" : "-", 1);
    bout_uint(sb, (uint64_t)(a / 3600), 2);
    if (a % 3600) {
        invs_sb_add(sb, ":", 1);
        bout_uint(sb, (uint64_t)(a / 60 % 60), 2);
    }
    if (a % 60) {
        invs_sb_add(sb, ":", 1);
        bout_uint(sb, (uint64_t)(a % 60), 2);
    }
}

/* timestamp_send: microseconds from 2000-01-01 00:00 (UTC for a
 * timestamptz, which the session's UTC prints with +00); INT64_MIN and
 * INT64_MAX the infinities. */
static int bout_timestamp(invs_strbuf *sb, const unsigned char *p, size_t n, int with_zone)
{
    const int64_t day = INT64_C(86400000000);
    int64_t us, days, t;
    int bc;
    if (n != 8)
        return -1;
    us = pg_bout_int(p, 8);
    if (bout_infinite(sb, us, INT64_MIN, INT64_MAX))
        return 0;
    days = us / day;
    t = us % day;
    if (t < 0) /* timestamp2tm: the day before, the time from its midnight */
        t += day, days--;
    bout_ymd(sb, days, &bc);
    invs_sb_add(sb, " ", 1);
    bout_clock(sb, t);
    if (with_zone)
        bout_zone(sb, 0);
    if (bc)
        invs_sb_add(sb, " BC", 3);
    return 0;
}

/* time_send: microseconds from midnight; timetz_send: that, then its
 * zone in seconds west (its own, not the session's). */
static int bout_time(invs_strbuf *sb, const unsigned char *p, size_t n, int with_zone)
{
    int64_t t;
    if (n != (with_zone ? 12u : 8u))
        return -1;
    t = pg_bout_int(p, 8);
    if (t < 0 || t > INT64_C(86400000000))
        return -1;
    bout_clock(sb, t);
    if (with_zone)
        bout_zone(sb, pg_bout_int(p + 8, 4));
    return 0;
}

/* ------------------------------------------------------------ bytes */

static const char bout_hex[] = "0123456789abcdef";

/* bytea_output = 'hex': \x and two lower-case digits a byte. */
static int bout_bytea(invs_strbuf *sb, const unsigned char *p, size_t n)
{
    size_t j;
    if (invs_sb_reserve(sb, 2 + 2 * n) != 0)
        return 0; /* the buffer reports it */
    sb->p[sb->len++] = '\\';
    sb->p[sb->len++] = 'x';
    for (j = 0; j < n; j++) {
        sb->p[sb->len++] = bout_hex[p[j] >> 4];
        sb->p[sb->len++] = bout_hex[p[j] & 15];
    }
    sb->p[sb->len] = '\0';
    return 0;
}

/* uuid_out: 8-4-4-4-12 lower-case hex digits. */
static int bout_uuid(invs_strbuf *sb, const unsigned char *p, size_t n)
{
    char out[36];
    size_t j, k = 0;
    if (n != 16)
        return -1;
    for (j = 0; j < 16; j++) {
        if (j == 4 || j == 6 || j == 8 || j == 10)
            out[k++] = '-';
        out[k++] = bout_hex[p[j] >> 4];
        out[k++] = bout_hex[p[j] & 15];
    }
    invs_sb_add(sb, out, sizeof(out));
    return 0;
}

/* ------------------------------------------------------------ values */

int pg_bout_text(invs_strbuf *sb, int kind, const unsigned char *p, size_t n)
{
    int rc = 0;
    switch (kind) {
    case O_BOOL:
        if (n != 1)
            return -1;
        invs_sb_add(sb, p[0] ? "t" : "f", 1);
        break;
    case O_INT2:
    case O_INT4:
    case O_INT8:
        if (n != (kind == O_INT2 ? 2u : kind == O_INT4 ? 4u : 8u))
            return -1;
        bout_int(sb, pg_bout_int(p, n));
        break;
    case O_BYTEA: rc = bout_bytea(sb, p, n); break;
    case O_JSONB: /* jsonb_send: version 1, then jsonb_out's text */
        if (n < 1 || p[0] != 1)
            return -1;
        invs_sb_add(sb, p + 1, n - 1);
        break;
    case O_TEXT:
    case O_FLOAT4: invs_sb_add(sb, p, n); break;
    case O_NUMERIC: rc = bout_numeric(sb, p, n); break;
    case O_DATE: rc = bout_date(sb, p, n); break;
    case O_TIMESTAMP: rc = bout_timestamp(sb, p, n, 0); break;
    case O_TIMESTAMPTZ: rc = bout_timestamp(sb, p, n, 1); break;
    case O_UUID: rc = bout_uuid(sb, p, n); break;
    case O_TIME: rc = bout_time(sb, p, n, 0); break;
    case O_TIMETZ: rc = bout_time(sb, p, n, 1); break;
    default: return -1;
    }
    if (rc == 0) /* a byte of its own: the text path writes a NUL after a value */
        invs_sb_add(sb, "", 1);
    return rc;
}
