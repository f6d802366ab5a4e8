/*
 * Content digests: proof that two copies of a table hold the same rows.
 *
 * Each value is encoded canonically, by the column's canonical type, so
 * that engines that agree on a value give the same bytes:
 *   NULL                          '0'
 *   numeric columns (integers, decimal, numeric, boolean), a number in any
 *   storage class                 'N' normalised decimal text ("9.99", "-3",
 *                                  "1E+400" beyond 400 digits); in a boolean
 *                                  column, a word every engine reads as a
 *                                  boolean ('t', 'yes', 'FALSE') too: 1, 0
 *   float columns, a number       'F' the 8 bytes of the double
 *   timestamp columns, text that reads as one
 *                                 'S' "YYYY-MM-DD HH:MM:SS[.f]" in UTC: an
 *                                  offset is applied, a naive time is UTC
 *                                  (push pins sessions to UTC), "T" or " ",
 *                                  trailing zeros of the fraction dropped
 *   time columns, text that reads as [-]H:MM[:SS[.f]]
 *                                 'T' length and "[-]HH:MM:SS[.f]", the
 *                                  fraction's trailing zeros dropped (MySQL's
 *                                  time(6) writes 12:00:00.500000 for
 *                                  PostgreSQL's 12:00:00.5); a time already
 *                                  so written is encoded as any text
 *   json columns, text that parses 'J' length and canonical JSON (keys
 *                                  sorted, no whitespace: core/json_canon.c)
 *   text                          'T' length (8 bytes) and bytes
 *   blob                          'B' length and bytes
 *   any other number              'I' decimal / 'F' bits
 * A row's encoding is hashed into two 64-bit values (two multiply-xorshift
 * lanes over its bytes read as little-endian 64-bit words, each through the
 * splitmix64 finaliser); a table's digest is the row count and the sums of
 * both hashes mod 2^64, so it does not depend on row order (engines sort
 * text differently). It detects accidents, not adversaries.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invs_core.h"

void invs_digest_init(invs_digest *d) { memset(d, 0, sizeof(*d)); }

static int digest_numeric_canon(int canon)
{
    return (canon >= INVS_T_INT16 && canon <= INVS_T_UINT64) || canon == INVS_T_DECIMAL ||
           canon == INVS_T_NUMERIC || canon == INVS_T_BOOL || canon == INVS_T_YEAR;
}

/* A timestamp as its UTC instant: an offset is applied, a naive time is
 * UTC; trailing zeros of the fraction dropped. */
static int digest_timestamp(invs_strbuf *sb, const char *s, size_t n)
{
    invs_timestamp ts;
    if (invs_timestamp_parse(s, n, &ts) != 0)
        return INVS_EINVAL;
    invs_sb_add(sb, "S", 1);
    invs_timestamp_format(sb, ts.secs - ts.offset, ts.frac, ts.nfrac, 0);
    return 0;
}

static void digest_bytes(invs_strbuf *sb, char tag, const void *p, size_t n);

static int digest_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* A time of a time column as [-]HH:MM:SS[.f], the fraction's trailing
 * zeros dropped; INVS_EINVAL when the text is no such time. */
static int digest_time(invs_strbuf *sb, const char *s, size_t n)
{
    char out[40];
    size_t i = 0, o = 0, d;
    int field;
    if (n >= 32)
        return INVS_EINVAL;
    if (n && s[0] == '-')
        out[o++] = s[i++];
    for (d = i; i < n && digest_digit(s[i]); i++)
        ;
    if (i == d)
        return INVS_EINVAL;
    if (i - d == 1)
        out[o++] = '0'; /* 9:30:00 is 09:30:00 */
    memcpy(out + o, s + d, i - d);
    o += i - d;
    for (field = 0; field < 2; field++) { /* :MM, then :SS (09:30 is 09:30:00) */
        if (field && i == n) {
            memcpy(out + o, ":00", 3);
            o += 3;
            break;
        }
        if (i + 3 > n || s[i] != ':' || !digest_digit(s[i + 1]) || !digest_digit(s[i + 2]))
            return INVS_EINVAL;
        memcpy(out + o, s + i, 3);
        o += 3;
        i += 3;
    }
    if (i < n && s[i] == '.') {
        for (d = ++i; i < n && digest_digit(s[i]); i++)
            ;
        if (i != n)
            return INVS_EINVAL;
        while (i > d && s[i - 1] == '0')
            i--;
        if (i > d) {
            out[o++] = '.';
            memcpy(out + o, s + d, i - d);
            o += i - d;
        }
        i = n;
    }
    if (i != n)
        return INVS_EINVAL;
    digest_bytes(sb, 'T', out, o);
    return 0;
}

/* A UUID as PostgreSQL prints it (8-4-4-4-12, lowercase), however it is
 * written: Django's 32 hex digits in char(32) compare equal to it. */
static int digest_uuid(invs_strbuf *sb, const char *s, size_t n)
{
    char hex[32], out[36];
    size_t i, o = 0;
    if (invs_uuid_hex(s, n, hex) != INVS_OK)
        return INVS_EINVAL;
    for (i = 0; i < 32; i++) {
        if (i == 8 || i == 12 || i == 16 || i == 20)
            out[o++] = '-';
        out[o++] = hex[i];
    }
    digest_bytes(sb, 'T', out, o);
    return 0;
}

static void digest_bytes(invs_strbuf *sb, char tag, const void *p, size_t n)
{
    unsigned char len[8];
    uint64_t u = n;
    int i;
    for (i = 7; i >= 0; i--, u >>= 8)
        len[i] = (unsigned char)(u & 0xff);
    invs_sb_add(sb, &tag, 1);
    invs_sb_add(sb, len, 8);
    invs_sb_add(sb, p, n);
}

static void digest_double(invs_strbuf *sb, double d)
{
    unsigned char b[8];
    uint64_t u;
    int i;
    memcpy(&u, &d, 8);
    for (i = 7; i >= 0; i--, u >>= 8)
        b[i] = (unsigned char)(u & 0xff);
    invs_sb_add(sb, "F", 1);
    invs_sb_add(sb, b, 8);
}

void invs_digest_value(invs_strbuf *sb, const invs_column *c, const invs_value *v)
{
    char num[64];
    size_t mark = sb->len;

    if (v->type == INVS_NULL) {
        invs_sb_add(sb, "0", 1);
        return;
    }
    if (digest_numeric_canon(c->canon)) {
        const char *s = num;
        size_t n;
        if (v->type == INVS_INT) { /* already canonical */
            invs_sb_add(sb, "N", 1);
            invs_sb_add(sb, num, invs_int_text(num, v->num.i));
            return;
        }
        if (v->type == INVS_UINT)
            snprintf(num, sizeof(num), "%llu", (unsigned long long)v->num.u);
        else if (v->type == INVS_REAL && isfinite(v->num.d))
            invs_double_text(num, v->num.d);
        else if (v->type == INVS_TEXT)
            s = v->ptr, n = v->len;
        else
            s = NULL;
        if (s) {
            if (s == num)
                n = strlen(num);
            invs_sb_add(sb, "N", 1);
            if (invs_decimal_normalize(sb, s, n) == 0)
                return;
            sb->len = mark; /* not a number after all */
        }
        if (c->canon == INVS_T_BOOL && v->type == INVS_TEXT) {
            invs_value b; /* 't', 'yes', 'FALSE': what every engine reads as 1 or 0 */
            if (invs_convert_bool(&b, v) == INVS_OK) {
                invs_sb_add(sb, b.num.i ? "N1" : "N0", 2);
                return;
            }
        }
    }
    if (c->canon == INVS_T_JSON && v->type == INVS_TEXT) {
        invs_strbuf js;
        int ok;
        invs_sb_init_std(&js);
        ok = invs_json_canon(&js, v->ptr, v->len) == INVS_OK;
        if (ok)
            digest_bytes(sb, 'J', js.p, js.len);
        invs_sb_free(&js);
        if (ok)
            return;
    }
    if ((c->canon == INVS_T_TIMESTAMP || c->canon == INVS_T_TIMESTAMPTZ) &&
        v->type == INVS_TEXT) {
        if (digest_timestamp(sb, v->ptr, v->len) == 0)
            return;
        sb->len = mark;
    }
    if (c->canon == INVS_T_TIME && v->type == INVS_TEXT && digest_time(sb, v->ptr, v->len) == 0)
        return;
    if (c->canon == INVS_T_UUID && v->type == INVS_TEXT && digest_uuid(sb, v->ptr, v->len) == 0)
        return;
    switch (v->type) {
    case INVS_INT:
        invs_sb_printf(sb, "I%lld", (long long)v->num.i);
        return;
    case INVS_UINT:
        invs_sb_printf(sb, "I%llu", (unsigned long long)v->num.u);
        return;
    case INVS_REAL:
        digest_double(sb, v->num.d);
        return;
    case INVS_TEXT:
        digest_bytes(sb, 'T', v->ptr, v->len);
        return;
    default:
        digest_bytes(sb, 'B', v->ptr, v->len);
    }
}

static uint64_t digest_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t digest_le64(const unsigned char *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

/* A row's two hashes, fed its encoding in pieces of any size: the total
 * length n first (it seeds the lanes), then the bytes as 64-bit words, a
 * partial word carried between pieces. One piece is invs_digest_add. */
typedef struct digest_stream {
    uint64_t a, b;
    unsigned char carry[8];
    size_t nc;
} digest_stream;

static void digest_start(digest_stream *s, size_t n)
{
    s->a = 0xcbf29ce484222325ULL ^ n;
    s->b = 0x84222325cbf29ce4ULL ^ (n << 1);
    s->nc = 0;
}

static void digest_word(digest_stream *s, uint64_t w)
{
    s->a = (s->a ^ w) * 0x9e3779b97f4a7c15ULL;
    s->a ^= s->a >> 29;
    s->b = (s->b ^ w) * 0xc2b2ae3d27d4eb4fULL;
    s->b ^= s->b >> 31;
}

static void digest_feed(digest_stream *s, const void *bytes, size_t n)
{
    const unsigned char *p = bytes;
    while (s->nc && n) { /* complete the carried word first */
        s->carry[s->nc++] = *p++;
        n--;
        if (s->nc == 8) {
            digest_word(s, digest_le64(s->carry));
            s->nc = 0;
        }
    }
    for (; n >= 8; p += 8, n -= 8)
        digest_word(s, digest_le64(p));
    memcpy(s->carry + s->nc, p, n);
    s->nc += n;
}

static void digest_finish(digest_stream *s, invs_digest *d, uint64_t *out_a, uint64_t *out_b)
{
    uint64_t a, b;
    memset(s->carry + s->nc, 0, 8 - s->nc);
    a = digest_mix((s->a ^ digest_le64(s->carry)) * 0x9e3779b97f4a7c15ULL);
    b = digest_mix((s->b ^ digest_le64(s->carry)) * 0xc2b2ae3d27d4eb4fULL);
    d->rows++;
    d->a += a;
    d->b += b;
    if (out_a)
        *out_a = a;
    if (out_b)
        *out_b = b;
}

void invs_digest_add(invs_digest *d, const void *encoded, size_t n, uint64_t *out_a,
                     uint64_t *out_b)
{
    digest_stream s;
    digest_start(&s, n);
    digest_feed(&s, encoded, n);
    digest_finish(&s, d, out_a, out_b);
}

/* Values at least this long whose encoding is their own bytes are hashed
 * where they lie, never copied into the row's encoding: a 64 MiB blob
 * costs no second 64 MiB. */
#define DIGEST_BIG (64 * 1024)

static int digest_big_raw(const invs_column *c, const invs_value *v)
{
    if (v->len < DIGEST_BIG || (v->type != INVS_TEXT && v->type != INVS_BLOB))
        return 0;
    /* text another encoding may claim (a number, JSON, a timestamp) is copied */
    return v->type == INVS_BLOB ||
           (!digest_numeric_canon(c->canon) && c->canon != INVS_T_JSON &&
            c->canon != INVS_T_TIMESTAMP && c->canon != INVS_T_TIMESTAMPTZ);
}

/* The length-and-tag header digest_bytes writes before a value's bytes. */
static void digest_header(unsigned char out[9], const invs_value *v)
{
    uint64_t u = v->len;
    int i;
    out[0] = v->type == INVS_TEXT ? 'T' : 'B';
    for (i = 8; i >= 1; i--, u >>= 8)
        out[i] = (unsigned char)(u & 0xff);
}

/* Column i of a row, through map (map[i] < 0: NULL). */
static const invs_value *digest_at(const invs_value *row, const long *map, size_t i)
{
    static const invs_value null_value;
    return map ? (map[i] >= 0 ? &row[map[i]] : &null_value) : &row[i];
}

/* A row holding big values: its length first (the small values encoded
 * once to measure them), then every piece in order. */
static void digest_row_big(invs_digest *d, invs_strbuf *buf, const invs_table *t,
                           const invs_value *row, const long *map, uint64_t *out_a,
                           uint64_t *out_b)
{
    digest_stream s;
    unsigned char head[9];
    size_t i, n = 0;
    int pass;
    for (pass = 0; pass < 2; pass++) {
        if (pass)
            digest_start(&s, n);
        for (i = 0; i < t->ncols; i++) {
            const invs_value *v = digest_at(row, map, i);
            if (digest_big_raw(&t->cols[i], v)) {
                n += sizeof(head) + v->len;
                if (pass) {
                    digest_header(head, v);
                    digest_feed(&s, head, sizeof(head));
                    digest_feed(&s, v->ptr, v->len);
                }
                continue;
            }
            invs_sb_reset(buf);
            invs_digest_value(buf, &t->cols[i], v);
            n += buf->len;
            if (pass)
                digest_feed(&s, buf->p ? buf->p : "", buf->len);
        }
    }
    digest_finish(&s, d, out_a, out_b);
}

void invs_digest_row(invs_digest *d, invs_strbuf *buf, const invs_table *t, const invs_value *row,
                     const long *map, uint64_t *out_a, uint64_t *out_b)
{
    size_t i;
    invs_sb_reset(buf);
    for (i = 0; i < t->ncols; i++) {
        const invs_value *v = digest_at(row, map, i);
        if (digest_big_raw(&t->cols[i], v)) {
            digest_row_big(d, buf, t, row, map, out_a, out_b);
            return;
        }
        invs_digest_value(buf, &t->cols[i], v);
    }
    invs_digest_add(d, buf->p ? buf->p : "", buf->len, out_a, out_b);
}

void invs_digest_hex(const invs_digest *d, char out[INVS_DIGEST_HEX])
{
    snprintf(out, INVS_DIGEST_HEX, "%llu:%016llx%016llx", (unsigned long long)d->rows,
             (unsigned long long)d->a, (unsigned long long)d->b);
}
