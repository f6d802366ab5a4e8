/* COPY in binary format (pg_binary.c). */
#ifndef INVS_PG_BINARY_H
#define INVS_PG_BINARY_H

#include "pg_driver.h"

enum pg_bin_kinds {
    B_NONE, B_BOOL, B_INT2, B_INT4, B_INT8, B_FLOAT8, B_BYTEA, B_TEXT, B_JSONB, B_NUMERIC,
    B_TIMESTAMP, B_TIMESTAMPTZ, B_DATE
};

/* kinds[i]: how column i of t goes in binary, by the target's type of it
 * (B_NONE: no encoder); *binary: every column has one. */
int pg_bin_plan(pg_conn *c, const invs_table *t, unsigned char *kinds, int *binary);
void pg_bin_header(invs_strbuf *sb);
void pg_bin_trailer(invs_strbuf *sb);
void pg_bin_row_start(invs_strbuf *sb, size_t ncols);
void pg_bin_len(invs_strbuf *sb, int32_t len);
/* v (not NULL-typed for text and bytea kinds) into sb with its length: 0,
 * -1 when it cannot (*why says why), 1 when v's bytes are for the caller
 * to stream (text, json, jsonb, bytea: length and bytes not written). */
int pg_bin_value(invs_strbuf *sb, int kind, const invs_value *v, const char **why);
/* Text into bytea as byteain reads it (\\x hex, or escapes): the bytes
 * appended to out; -1 (*why) where the server would refuse it. */
int pg_bin_bytea_text(invs_strbuf *out, const char *s, size_t n, const char **why);
/* The shortest text that reads back as d; NaN, Infinity, -Infinity. */
void pg_double_text(char buf[40], double d);

#endif
