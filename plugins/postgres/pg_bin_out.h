/* COPY out in binary format (pg_bin_out.c): each value as the text the
 * server's output function would have printed in the session pg_open
 * pins, so that a row read in binary is the row read in text. */
#ifndef INVS_PG_BIN_OUT_H
#define INVS_PG_BIN_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "invstage/strbuf.h"

enum pg_bout_kinds {
    O_NONE, O_BOOL, O_INT2, O_INT4, O_INT8, O_FLOAT8, O_BYTEA,
    O_TEXT,   /* text, varchar, char(n), name, json, an enum: the bytes are the text */
    O_FLOAT4, /* selected as ::text, its output function's text (see pg_rows.c) */
    O_JSONB, O_NUMERIC, O_DATE, O_TIMESTAMP, O_TIMESTAMPTZ, O_UUID, O_TIME, O_TIMETZ
};

/* How a column of this server type (typtype 'e': an enum) is read in
 * binary; O_NONE: not at all (its table is read as text). */
int pg_bout_kind(long oid, char typtype);
/* Step *p over the file header at the start of the stream; -1 if it is
 * not one. */
int pg_bout_header(const char **p, const char *end);
/* A big-endian integer of 2, 4 or 8 bytes, sign-extended. */
int64_t pg_bout_int(const unsigned char *p, size_t bytes);
/* Append to sb, and a NUL byte after it, the text the output function of a
 * value of this kind prints for the n bytes of its send function; -1 if
 * the bytes are not such a value. Not for O_FLOAT8 (its text needs the
 * server's shortest-digits formatter; a float8 is read as a number only). */
int pg_bout_text(invs_strbuf *sb, int kind, const unsigned char *p, size_t n);

#endif
