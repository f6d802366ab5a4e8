/*
 * Column profiles (profile.h): computed by the stage writer on every cell
 * pull writes, kept in invs_profile, read by verify. Each fact is the
 * answer some verify question needs, computed by the same function the
 * question's SQL uses (core/decimal.c), so "no value can answer" here is
 * exactly "the question finds no row" there.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invstage/calendar.h"

#include "profile.h"

static int profile_numeric(int canon)
{
    return (canon >= INVS_T_INT16 && canon <= INVS_T_DECIMAL) || canon == INVS_T_NUMERIC;
}

void invs_profile_init(invs_col_profile *p, int canon)
{
    memset(p, 0, sizeof(*p));
    p->imin = INT64_MAX;
    p->imax = INT64_MIN;
    p->rmin = INFINITY;
    p->rmax = -INFINITY;
    p->tnonnum = profile_numeric(canon) ? 0 : -1;
    p->dints = p->dfrac = (canon == INVS_T_DECIMAL || canon == INVS_T_NUMERIC) ? 0 : -1;
    p->tdate = p->tstamp =
        (canon == INVS_T_DATE || canon == INVS_T_TIMESTAMP || canon == INVS_T_TIMESTAMPTZ) ? 0 : -1;
    p->ymin = INT64_MAX;
    p->ymax = INT64_MIN;
    p->increasing = 1;
}

static int profile_digits_at(const char *s, int n)
{
    int v = 0, k;
    for (k = 0; k < n; k++) {
        if (s[k] < '0' || s[k] > '9')
            return -1;
        v = v * 10 + (s[k] - '0');
    }
    return v;
}

/* 1: "YYYY-MM-DD", a real day of years 0001..9999; 2: that, then " " or
 * "T" and "HH:MM:SS" (00..23, 00..59, 00..59) and an optional fraction of
 * 1 to 9 digits, nothing else; 0: anything else. *year: its year. */
static int profile_plain_date(const char *s, size_t n, int *year)
{
    int y, m, d, h, mi, sec;
    size_t k;
    if (n < 10 || s[4] != '-' || s[7] != '-' || (y = profile_digits_at(s, 4)) < 1 ||
        (m = profile_digits_at(s + 5, 2)) < 1 || m > 12 || (d = profile_digits_at(s + 8, 2)) < 1 ||
        d > invs_days_in_month(y, m))
        return 0;
    *year = y;
    if (n == 10)
        return 1;
    if (n < 19 || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' ||
        (h = profile_digits_at(s + 11, 2)) < 0 || h > 23 ||
        (mi = profile_digits_at(s + 14, 2)) < 0 || mi > 59 ||
        (sec = profile_digits_at(s + 17, 2)) < 0 || sec > 59)
        return 0;
    if (n == 19)
        return 2;
    if (s[19] != '.' || n < 21 || n > 29)
        return 0;
    for (k = 20; k < n; k++)
        if (s[k] < '0' || s[k] > '9')
            return 0;
    return 2;
}

static void profile_date(invs_col_profile *p, const char *s, size_t n)
{
    int year = 0, kind = profile_plain_date(s, n, &year);
    if (!kind)
        return;
    if (kind == 1)
        p->tdate++;
    else
        p->tstamp++;
    if (year < p->ymin)
        p->ymin = year;
    if (year > p->ymax)
        p->ymax = year;
}

static void profile_digits(invs_col_profile *p, long ints, long frac)
{
    if (ints > p->dints)
        p->dints = ints;
    if (frac > p->dfrac)
        p->dfrac = frac;
}

/* Bytes of s[0..n) as the text questions see them: UTF-8 validity (the
 * text pass's own test), NUL, bytes beyond ASCII, 4-byte sequences, the
 * pair C3 82..C3 B4, characters (continuation bytes not counted). */
static void profile_text(invs_col_profile *p, const unsigned char *s, size_t n)
{
    size_t i = 0, cont = 0;
    int nul = 0, high = 0, four = 0, latin = 0;
    /* eight ASCII bytes without a NUL at a time: most text is that */
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if ((w & 0x8080808080808080ULL) ||
            ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL))
            break;
    }
    for (; i < n; i++) {
        unsigned char b = s[i];
        if (b < 0x80) {
            nul |= b == 0;
            continue;
        }
        high = 1;
        cont += (b & 0xc0) == 0x80;
        four |= b >= 0xf0 && b <= 0xf4;
        /* U+00C2..U+00F4 then a character CP1252 or Latin-1 has at 0x80..0xBF
         * (U+0080..U+00BF, or one of the CP1252 letters and marks whose
         * UTF-8 starts C5, C6, CB or E2): a lead and a continuation byte
         * read as legacy characters */
        latin |= b == 0xc3 && i + 2 < n && s[i + 1] >= 0x82 && s[i + 1] <= 0xb4 &&
                 (s[i + 2] == 0xc2 || s[i + 2] == 0xc5 || s[i + 2] == 0xc6 || s[i + 2] == 0xcb ||
                  s[i + 2] == 0xe2);
    }
    p->texts++;
    p->tempty += n == 0;
    p->tnul += nul;
    p->t4byte += four;
    if ((int64_t)(n - cont) > p->tchars)
        p->tchars = (int64_t)(n - cont);
    if (high && !invs_utf8_valid(s, n))
        p->tinvalid++;
    else if (high) {
        p->tnonascii++;
        p->tlatin += latin;
    }
}

/* Text or blob bytes as the numeric questions read them. */
static void profile_number_text(invs_col_profile *p, const char *s, size_t n)
{
    long ints, frac;
    if (p->dints >= 0 && invs_decimal_shape(s, strnlen(s, n), &ints, &frac) == INVS_OK)
        profile_digits(p, ints, frac);
}

static void profile_real(invs_col_profile *p, double d)
{
    char buf[INVS_DOUBLE_TEXT];
    long ints, frac;
    p->reals++;
    p->increasing = 0;
    if (d < p->rmin)
        p->rmin = d;
    if (d > p->rmax)
        p->rmax = d;
    /* as SQLite's d <> CAST(d AS INTEGER), which saturates */
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != (double)(int64_t)d)
        p->rfrac++;
    if (p->dints >= 0 && isfinite(d)) {
        invs_double_text(buf, d);
        if (invs_decimal_shape(buf, strlen(buf), &ints, &frac) == INVS_OK)
            profile_digits(p, ints, frac);
    }
}

static void profile_int(invs_col_profile *p, int64_t x)
{
    if (p->increasing && (p->ints || p->nulls || p->reals || p->texts || p->blobs) &&
        x <= p->imax)
        p->increasing = 0;
    p->ints++;
    if (x < p->imin)
        p->imin = x;
    if (x > p->imax)
        p->imax = x;
    if (p->dints >= 0)
        profile_digits(p, invs_int_digits(x), 0);
}

void invs_profile_value(invs_col_profile *p, const invs_value *v, int stored_null)
{
    if (stored_null || v->type == INVS_NULL) {
        p->nulls++;
        p->increasing = 0;
        return;
    }
    switch (v->type) {
    case INVS_INT:
        profile_int(p, v->num.i);
        break;
    case INVS_UINT:
        profile_int(p, (int64_t)v->num.u); /* beyond INT64_MAX it is a special */
        break;
    case INVS_REAL:
        profile_real(p, v->num.d);
        break;
    case INVS_TEXT:
        p->increasing = 0;
        profile_text(p, (const unsigned char *)v->ptr, v->len);
        if (p->tnonnum >= 0 && !invs_decimal_is_number(v->len ? v->ptr : "", v->len))
            p->tnonnum++;
        profile_number_text(p, v->len ? v->ptr : "", v->len);
        if (p->tdate >= 0)
            profile_date(p, v->len ? v->ptr : "", v->len);
        break;
    case INVS_BLOB:
        p->blobs++;
        p->increasing = 0;
        profile_number_text(p, v->len ? v->ptr : "", v->len);
        break;
    }
}

#define PROFILE_COLS                                                                              \
    "nulls, ints, reals, texts, blobs, imin, imax, rmin, rmax, rfrac, tnonnum, tchars, tempty,"  \
    " t4byte, tinvalid, tnul, tnonascii, tlatin, dints, dfrac, tdate, tstamp, ymin, ymax,"      \
    " increasing"
#define PROFILE_NCOLS 25

/* The fields in PROFILE_COLS order: integers, except the two reals. */
static int64_t *profile_field(invs_col_profile *p, int k, double **real)
{
    int64_t *const f[] = {&p->nulls, &p->ints,     &p->reals,  &p->texts,   &p->blobs,
                          &p->imin,  &p->imax,     NULL,       NULL,        &p->rfrac,
                          &p->tnonnum, &p->tchars, &p->tempty, &p->t4byte,  &p->tinvalid,
                          &p->tnul,  &p->tnonascii, &p->tlatin, &p->dints,  &p->dfrac,
                          &p->tdate, &p->tstamp,   &p->ymin,   &p->ymax};
    *real = k == 7 ? &p->rmin : k == 8 ? &p->rmax : NULL;
    return k < (int)(sizeof(f) / sizeof(f[0])) ? f[k] : NULL;
}

int invs_profile_save(invs_stage *st, int64_t tid, const invs_col_profile *p, size_t n)
{
    sqlite3_stmt *s = NULL;
    size_t i;
    int k, rc = INVS_OK;
    if (sqlite3_exec(st->db,
                     "CREATE TABLE IF NOT EXISTS invs_profile(tid INTEGER NOT NULL, col INTEGER "
                     "NOT NULL, " PROFILE_COLS ", PRIMARY KEY(tid, col)) WITHOUT ROWID",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db,
                           "INSERT OR REPLACE INTO invs_profile VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,"
                           "?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &s, NULL) != SQLITE_OK)
        return invs_stage_sqlerr(st, INVS_EIO, "writing column profiles");
    for (i = 0; i < n && rc == INVS_OK; i++) {
        invs_col_profile c = p[i];
        sqlite3_bind_int64(s, 1, tid);
        sqlite3_bind_int64(s, 2, (int64_t)i);
        for (k = 0; k < PROFILE_NCOLS; k++) {
            double *real;
            int64_t *f = profile_field(&c, k, &real);
            if (real) /* none seen: infinities, which SQLite keeps */
                sqlite3_bind_double(s, k + 3, *real);
            else if (f)
                sqlite3_bind_int64(s, k + 3, *f);
            else
                sqlite3_bind_int(s, k + 3, c.increasing);
        }
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = invs_stage_sqlerr(st, INVS_EIO, "writing column profiles");
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return rc;
}

int invs_profile_load(invs_stage *st, int64_t tid, invs_col_profile *p, size_t n)
{
    sqlite3_stmt *s = NULL;
    size_t got = 0;
    int k, step;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT col, " PROFILE_COLS " FROM invs_profile WHERE tid = ? ORDER BY col",
                           -1, &s, NULL) != SQLITE_OK)
        return INVS_ENOTFOUND; /* a stage made before profiles */
    sqlite3_bind_int64(s, 1, tid);
    while ((step = sqlite3_step(s)) == SQLITE_ROW && got < n &&
           sqlite3_column_int64(s, 0) == (int64_t)got) {
        for (k = 0; k < PROFILE_NCOLS; k++) {
            double *real;
            int64_t *f = profile_field(&p[got], k, &real);
            if (real)
                *real = sqlite3_column_double(s, k + 1);
            else if (f)
                *f = sqlite3_column_int64(s, k + 1);
            else
                p[got].increasing = sqlite3_column_int(s, k + 1);
        }
        got++;
    }
    sqlite3_finalize(s);
    return got == n && step != SQLITE_ROW ? INVS_OK : INVS_ENOTFOUND;
}

int invs_profile_drop(invs_stage *st, int64_t tid)
{
    char sql[96];
    snprintf(sql, sizeof(sql), "DELETE FROM invs_profile WHERE tid = %lld", (long long)tid);
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK &&
        !strstr(sqlite3_errmsg(st->db), "no such table"))
        return invs_stage_sqlerr(st, INVS_EIO, "dropping a column profile");
    return INVS_OK;
}
