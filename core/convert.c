/*
 * Staged values into a target's existing column types: the one place that
 * decides how a value of one engine becomes a value of another's typed
 * column. Push applies it before rows reach any driver; the proof applies
 * it to the stage's side so that it compares like with like.
 *
 *   boolean      0/1, 't'/'f', 'true'/'false', 'yes'/'no', 'on'/'off' -> 0/1
 *   decimal(p,s) a REAL by its shortest exact decimal (9.99, and
 *                1.0000000000000002, which 15 significant digits would make
 *                1), integers and numeric text; more decimals than s are
 *                refused (rounding them away loses what the value says),
 *                unless the plan allows rounding half-even (verify
 *                --round-decimals does, and records it; a REAL is rounded
 *                from the 15 significant digits the application reads, as
 *                Django's SQLite backend does); beyond p refused
 *   timestamptz  naive text is a wall clock in --assume-tz (default UTC,
 *                which the sessions are pinned to): converted to UTC
 *   timestamp    text with an offset -> naive UTC text, the fraction in
 *                microseconds as Python writes it
 *   blob         text -> the same bytes
 *   integers     integral REALs -> integers
 * A value that cannot be converted is an error naming why, never NULL.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invs_core.h"
#include "invstage/values.h"

static int conv_kind(const invs_table *s, const invs_column *from, const invs_table *t,
                     const invs_column *to, const invs_tz *tz)
{
    int same_engine = s->engine && t->engine && !strcmp(s->engine, t->engine);
    if (same_engine && from->canon == to->canon &&
        (to->canon != INVS_T_DECIMAL ||
         (from->precision == to->precision && from->scale == to->scale)))
        return INVS_CONV_NONE;
    switch (to->canon) {
    case INVS_T_BOOL: return INVS_CONV_BOOL;
    case INVS_T_DECIMAL: return to->scale >= 0 ? INVS_CONV_DECIMAL : INVS_CONV_NONE;
    case INVS_T_TIMESTAMPTZ:
        return from->canon != INVS_T_TIMESTAMPTZ && !invs_tz_is_utc(tz) ? INVS_CONV_INSTANT
                                                                        : INVS_CONV_NONE;
    case INVS_T_TIMESTAMP:
        return from->canon != INVS_T_TIMESTAMP ? INVS_CONV_NAIVE : INVS_CONV_NONE;
    case INVS_T_BLOB: return INVS_CONV_BLOB;
    case INVS_T_CHAR:
    case INVS_T_TEXT:
        return from->canon == INVS_T_UUID && to->length == 32 ? INVS_CONV_UUID_HEX
                                                              : INVS_CONV_NONE;
    case INVS_T_INT16:
    case INVS_T_INT32:
    case INVS_T_INT64:
        return from->canon >= INVS_T_INT16 && from->canon <= INVS_T_INT64 ? INVS_CONV_NONE
                                                                          : INVS_CONV_INT;
    }
    return INVS_CONV_NONE;
}

int invs_convert_plan(invs_convert *cv, const invs_table *s, const invs_table *t,
                      const invs_tz *tz)
{
    size_t i;
    memset(cv, 0, sizeof(*cv));
    cv->ncols = s->ncols;
    cv->tz = tz;
    invs_sb_init_std(&cv->buf);
    if (!(cv->kind = calloc(s->ncols + 1, 1)) ||
        !(cv->to = calloc(s->ncols + 1, sizeof(*cv->to))) ||
        !(cv->off = calloc(s->ncols + 1, sizeof(*cv->off))) ||
        !(cv->tcols = calloc(s->ncols + 1, sizeof(*cv->tcols)))) {
        invs_convert_free(cv);
        return INVS_ENOMEM;
    }
    cv->typed = *s;
    cv->typed.cols = cv->tcols;
    for (i = 0; i < s->ncols; i++) {
        long k = invs_schema_column(t, s->cols[i].name);
        cv->tcols[i] = s->cols[i];
        if (k < 0)
            continue;
        cv->to[i] = &t->cols[k];
        cv->kind[i] = (unsigned char)conv_kind(s, &s->cols[i], t, cv->to[i], tz);
        cv->any |= cv->kind[i] != INVS_CONV_NONE;
        if (cv->to[i]->canon != s->cols[i].canon) { /* compare as the target types it */
            cv->tcols[i].canon = cv->to[i]->canon;
            cv->retyped = 1;
        }
    }
    return INVS_OK;
}

int invs_convert_plan_created(invs_convert *cv, const invs_table *s)
{
    size_t i;
    int rc = invs_convert_plan(cv, s, s, NULL); /* the same table: nothing to convert */
    for (i = 0; rc == INVS_OK && i < s->ncols; i++)
        if (s->cols[i].canon == INVS_T_BOOL) {
            cv->kind[i] = INVS_CONV_BOOL;
            cv->any = 1;
        }
    return rc;
}

const invs_table *invs_convert_digest_table(const invs_convert *cv, const invs_table *s)
{
    return cv->retyped ? &cv->typed : s;
}

void invs_convert_free(invs_convert *cv)
{
    free(cv->kind);
    free(cv->to);
    free(cv->off);
    free(cv->tcols);
    invs_sb_free(&cv->buf);
    memset(cv, 0, sizeof(*cv));
}

/* ------------------------------------------------------------ booleans */

int invs_convert_bool(invs_value *out, const invs_value *v)
{
    int64_t b = -1;

    if (v->type == INVS_INT && (v->num.i == 0 || v->num.i == 1))
        b = v->num.i;
    else if (v->type == INVS_UINT && v->num.u <= 1)
        b = (int64_t)v->num.u;
    else if (v->type == INVS_REAL && (v->num.d == 0.0 || v->num.d == 1.0))
        b = v->num.d == 1.0;
    else if (v->type == INVS_TEXT)
        b = invs_bool_word(v->ptr, v->len);
    if (b < 0)
        return INVS_ETYPE;
    memset(out, 0, sizeof(*out));
    out->type = INVS_INT;
    out->num.i = b;
    return INVS_OK;
}

/* ------------------------------------------------------------ decimals */

/* A decimal that fits only once rounded, where the plan does not round. */
#define CONV_WOULD_ROUND (-100)

/* digits[0..nd) with the decimal point after `point` of them (point may be
 * <= 0 or > nd), written with exactly `scale` places: rounded half-even
 * when round, else CONV_WOULD_ROUND if a digit other than 0 would go.
 * INVS_EINVAL when more than precision - scale integer digits. */
static int conv_decimal_digits(invs_strbuf *sb, int neg, char *digits, long nd, long point,
                               int precision, int scale, int round)
{
    long keep, i, intd;
    int up = 0, zero = 1;

    while (nd && digits[0] == '0') { /* no leading zeros */
        digits++;
        nd--;
        point--;
    }
    keep = point + scale; /* digits that stay */
    for (i = keep < 0 ? 0 : keep; !round && i < nd; i++)
        if (digits[i] != '0')
            return CONV_WOULD_ROUND;
    if (keep < nd) {
        if (keep < 0) {
            nd = 0;
        } else {
            int first = digits[keep] - '0', rest = 0;
            for (i = keep + 1; i < nd; i++)
                rest |= digits[i] != '0';
            up = first > 5 || (first == 5 && (rest || (keep > 0 && (digits[keep - 1] - '0') & 1)));
            nd = keep;
        }
    }
    if (up) { /* carry from the last kept digit */
        for (i = nd - 1; i >= 0 && digits[i] == '9'; i--)
            digits[i] = '0';
        if (i >= 0) {
            digits[i]++;
        } else { /* all nines, or nothing kept: a new leading 1 */
            memmove(digits + 1, digits, (size_t)nd);
            digits[0] = '1';
            nd++;
            point++;
        }
    }
    for (i = 0; i < nd; i++)
        zero &= digits[i] == '0';
    intd = point > 0 ? point : 0;
    if (!zero && precision > 0 && intd > precision - scale)
        return INVS_EINVAL;
    if (neg && !zero)
        invs_sb_add(sb, "-", 1);
    if (intd == 0)
        invs_sb_add(sb, "0", 1);
    for (i = 0; i < intd; i++)
        invs_sb_add(sb, i < nd ? &digits[i] : "0", 1);
    if (scale > 0)
        invs_sb_add(sb, ".", 1);
    for (i = point; i < point + scale; i++)
        invs_sb_add(sb, i >= 0 && i < nd ? &digits[i] : "0", 1);
    return 0;
}

/* A number written as text (core/decimal.c's grammar). */
static int conv_decimal_text(invs_strbuf *sb, const char *s, size_t n, int precision, int scale,
                             int round)
{
    invs_decimal d;
    if (invs_decimal_parse(s, n, &d) != 0)
        return INVS_EINVAL;
    return conv_decimal_digits(sb, d.neg, d.digits, (long)d.nd, (long)d.nd + d.exp10,
                               precision, scale, round);
}

/* A double rounded half-even to decimal(p,s) from its 15 significant
 * digits: the value as the application reads it (Django's SQLite backend
 * does), for verify --round-decimals. */
static int conv_decimal_round15(invs_strbuf *sb, double d, int precision, int scale)
{
    char e[40], digits[24];
    long nd = 0, exp10;
    const char *p;
    snprintf(e, sizeof(e), "%.14e", d); /* "-d.dddddddddddddde+XX" */
    for (p = e; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
    exp10 = strtol(p + 1, NULL, 10);
    return conv_decimal_digits(sb, e[0] == '-', digits, nd, exp10 + 1, precision, scale, 1);
}

/* A double into decimal(p,s) by its shortest exact decimal, the digits the
 * value really has (9.99, not 9.9900000000000002; but 1.0000000000000002,
 * not the 1 that 15 digits make of it): one beyond the scale is a rounding,
 * refused unless the plan rounds. */
static int conv_decimal_real(invs_strbuf *sb, double d, int precision, int scale, int round)
{
    char txt[INVS_DOUBLE_TEXT];
    int r;
    if (!isfinite(d))
        return INVS_EINVAL;
    invs_double_text(txt, d);
    r = conv_decimal_text(sb, txt, strlen(txt), precision, scale, 0);
    if (r != CONV_WOULD_ROUND || !round)
        return r;
    return conv_decimal_round15(sb, d, precision, scale);
}

/* A double by its shortest exact decimal, whole (never to a scale): what
 * the proof compares a decimal column with, so that a target that rounded
 * differs. */
static int conv_decimal_exact(invs_strbuf *sb, double d)
{
    char txt[INVS_DOUBLE_TEXT];
    if (!isfinite(d))
        return INVS_EINVAL;
    invs_double_text(txt, d);
    return invs_decimal_normalize(sb, txt, strlen(txt));
}

/* 0: unchanged, 1: text appended to sb, < 0: cannot (CONV_WOULD_ROUND). */
static int conv_decimal(const invs_column *to, const invs_value *v, invs_value *out,
                        invs_strbuf *sb, int round, int exact)
{
    char num[32];
    int n, r;
    if (exact) /* never to the column's scale: the digest normalises */
        return v->type == INVS_REAL ? (conv_decimal_exact(sb, v->num.d) < 0 ? INVS_EINVAL : 1)
                                    : 0;
    switch (v->type) {
    case INVS_INT: n = snprintf(num, sizeof(num), "%lld", (long long)v->num.i); break;
    case INVS_UINT: n = snprintf(num, sizeof(num), "%llu", (unsigned long long)v->num.u); break;
    case INVS_REAL:
        r = conv_decimal_real(sb, v->num.d, to->precision, to->scale, round);
        return r < 0 ? r : 1;
    case INVS_TEXT:
        r = conv_decimal_text(sb, v->ptr, v->len, to->precision, to->scale, round);
        return r < 0 ? r : 1;
    default: return INVS_EINVAL;
    }
    /* integers stay integers when they fit */
    if (to->precision > 0 && n - (num[0] == '-') > to->precision - to->scale && strcmp(num, "0"))
        return INVS_EINVAL;
    *out = *v;
    return 0;
}

/* ------------------------------------------------------------ timestamps */

/* 0: unchanged, 1: text appended to sb, -1: cannot. */
static int conv_timestamp(int kind, const invs_tz *tz, const invs_value *v, invs_strbuf *sb)
{
    invs_timestamp ts;
    int64_t utc;
    if (v->type != INVS_TEXT || invs_timestamp_parse(v->ptr, v->len, &ts) != 0)
        return 0; /* not ours to judge: the engine reads it or says why not */
    if (kind == INVS_CONV_INSTANT) {
        if (ts.has_offset)
            return 0;
        if (invs_tz_local_to_utc(tz, ts.secs, &utc) != 0)
            return INVS_EINVAL;
        invs_timestamp_format(sb, utc, ts.frac, ts.nfrac, 0);
        return 1;
    }
    if (!ts.has_offset)
        return 0;
    invs_timestamp_format(sb, ts.secs - ts.offset, ts.frac, ts.nfrac, 1);
    return 1;
}

/* ------------------------------------------------------------ rows */

static const char *conv_why(int kind, const invs_column *to)
{
    switch (kind) {
    case INVS_CONV_BOOL: return "is not a boolean";
    case INVS_CONV_DECIMAL:
        return to->precision > 0 ? "is not a number that fits the column's decimal(p,s)"
                                 : "is not a finite number";
    case INVS_CONV_INSTANT: return "is a wall-clock time the zone skipped";
    case INVS_CONV_INT: return "is not an integer";
    }
    return "cannot be converted";
}

/* Column i's value v into out: 0 unchanged (out = v), 1 text appended to
 * cv->buf (out's pointer set by the caller), < 0 cannot. */
static int conv_cell(invs_convert *cv, size_t i, const invs_value *v, invs_value *out)
{
    int kind = cv->kind[i];
    *out = *v;
    if (kind == INVS_CONV_NONE || v->type == INVS_NULL)
        return 0;
    switch (kind) {
    case INVS_CONV_BOOL: return invs_convert_bool(out, v);
    case INVS_CONV_DECIMAL:
        return conv_decimal(cv->to[i], v, out, &cv->buf, cv->round_decimals, cv->exact_decimals);
    case INVS_CONV_INSTANT:
    case INVS_CONV_NAIVE: return conv_timestamp(kind, cv->tz, v, &cv->buf);
    case INVS_CONV_BLOB:
        if (v->type == INVS_TEXT)
            out->type = INVS_BLOB;
        return 0;
    case INVS_CONV_INT:
        if (v->type != INVS_REAL)
            return 0;
        if (!(v->num.d >= -9223372036854775808.0 && v->num.d < 9223372036854775808.0) ||
            v->num.d != floor(v->num.d))
            return INVS_ETYPE;
        out->type = INVS_INT;
        out->num.i = (int64_t)v->num.d;
        return 0;
    case INVS_CONV_UUID_HEX: {
        char hex[32];
        if (v->type != INVS_TEXT || invs_uuid_hex(v->ptr, v->len, hex) != INVS_OK)
            return 0; /* not a UUID: the column takes it as text, or says why not */
        invs_sb_add(&cv->buf, hex, 32);
        return 1;
    }
    }
    return 0;
}

/* r < 0 from conv_cell for column i: why, and whether rounding would do. */
static int conv_refuse(invs_convert *cv, size_t i, int r, const char **why)
{
    *why = r == CONV_WOULD_ROUND ? "has more decimals than the column's scale, so it would be "
                                   "rounded (verify --round-decimals rounds such values in the "
                                   "stage, audited)"
                                 : conv_why(cv->kind[i], cv->to[i]);
    cv->would_round = r == CONV_WOULD_ROUND;
    return INVS_ETYPE;
}

int invs_convert_row(invs_convert *cv, const invs_value *in, invs_value *out, size_t *bad_col,
                     const char **why)
{
    size_t i;
    int r;

    invs_sb_reset(&cv->buf);
    for (i = 0; i < cv->ncols; i++) {
        cv->off[i] = cv->buf.len;
        if ((r = conv_cell(cv, i, &in[i], &out[i])) < 0) {
            *bad_col = i;
            return conv_refuse(cv, i, r, why);
        }
        if (r > 0) { /* text in buf from off[i]; pointers fixed below */
            memset(&out[i], 0, sizeof(out[i]));
            out[i].type = INVS_TEXT;
            out[i].len = cv->buf.len - cv->off[i];
            out[i].ptr = NULL;
        }
    }
    if (invs_sb_failed(&cv->buf))
        return INVS_ENOMEM;
    for (i = 0; i < cv->ncols; i++)
        if (out[i].type == INVS_TEXT && !out[i].ptr && cv->kind[i] != INVS_CONV_NONE)
            out[i].ptr = cv->buf.p + cv->off[i];
    return INVS_OK;
}

int invs_convert_value(invs_convert *cv, size_t col, const invs_value *in, invs_value *out,
                       const char **why)
{
    int r;
    invs_sb_reset(&cv->buf);
    if ((r = conv_cell(cv, col, in, out)) < 0)
        return conv_refuse(cv, col, r, why);
    if (invs_sb_failed(&cv->buf))
        return INVS_ENOMEM;
    if (r > 0) {
        memset(out, 0, sizeof(*out));
        out->type = INVS_TEXT;
        out->ptr = cv->buf.p ? cv->buf.p : "";
        out->len = cv->buf.len;
    }
    return INVS_OK;
}
