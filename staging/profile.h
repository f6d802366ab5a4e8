/*
 * What pull saw of each column's values, written beside the rows: verify
 * then asks a question of the rows only where some value could answer it
 * (issue 14: one pass over the values). Counts are of cells as the stage
 * stores them: a value kept in invs_specials is a NULL cell.
 */
#ifndef INVS_PROFILE_H
#define INVS_PROFILE_H

#include "stage.h"

typedef struct invs_col_profile {
    int64_t nulls, ints, reals, texts, blobs; /* cells by storage class */
    int64_t imin, imax;  /* over the integers */
    double rmin, rmax;   /* over the reals */
    int64_t rfrac;       /* reals that are no integer (or beyond 64 bits) */
    int64_t tnonnum;     /* numeric columns: texts that are no number; else -1 */
    int64_t tchars;      /* the longest text or blob, in characters, at most */
    int64_t tempty;      /* empty texts */
    int64_t t4byte;      /* texts with a byte 0xF0..0xF4 (beyond U+FFFF) */
    int64_t tinvalid;    /* texts that are not UTF-8 */
    int64_t tnul;        /* texts with a NUL byte */
    int64_t tnonascii;   /* valid texts with a byte above 0x7F */
    int64_t tlatin;      /* valid texts where U+00C2..U+00F4 is followed by what
                            CP1252 has at 0x80..0xBF (what "Ã©" has) */
    int64_t dints, dfrac; /* decimal columns: most digits before and after the
                             point, as verify's decimal check counts; else -1 */
    int64_t tdate, tstamp; /* date and timestamp columns: texts that are a plain
                            date (2026-12-03) or date and time (2026-12-03
                            10:00:00[.f], space or T; no zone); else -1 */
    int64_t ymin, ymax;  /* over those, their years */
    int increasing;      /* every cell an integer above the one before it */
} invs_col_profile;

/* p for a column of canonical type canon, before its first value. */
void invs_profile_init(invs_col_profile *p, int canon);
/* One cell: v as pulled; stored_null when the stage keeps it in
 * invs_specials (its cell is NULL). */
void invs_profile_value(invs_col_profile *p, const invs_value *v, int stored_null);

/* The profiles of table tid's n columns, written and read back. Read:
 * INVS_ENOTFOUND when the stage has none for it (made before they
 * existed, or edited since). */
int invs_profile_save(invs_stage *st, int64_t tid, const invs_col_profile *p, size_t n);
int invs_profile_load(invs_stage *st, int64_t tid, invs_col_profile *p, size_t n);
/* Table tid's rows are no longer what the profile describes (edited). */
int invs_profile_drop(invs_stage *st, int64_t tid);

#endif
