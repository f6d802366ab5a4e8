/* COPY in binary format (pg_binary.c); the oids and the type query serve
 * COPY out in binary format too (pg_bin_out.c). */
#ifndef INVS_PG_BINARY_H
#define INVS_PG_BINARY_H

#include "pg_driver.h"

/* Type oids, fixed by PostgreSQL's catalog. */
/* A hex digit's value; 16 (with 4 bits that stay clear) for anything
 * else: one test per value where many digits are decoded. */
extern const unsigned char pg_hex[256];
/* PostgreSQL's dates count from 2000-01-01; the calendar from 1970-01-01. */
#define PG_DAYS_1970_TO_2000 10957

#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_NAME 19
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_TEXT 25
#define OID_JSON 114
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_BPCHAR 1042
#define OID_VARCHAR 1043
#define OID_DATE 1082
#define OID_TIME 1083
#define OID_TIMESTAMP 1114
#define OID_TIMESTAMPTZ 1184
#define OID_TIMETZ 1266
#define OID_NUMERIC 1700
#define OID_UUID 2950
#define OID_JSONB 3802

enum pg_bin_kinds {
    B_NONE, B_BOOL, B_INT2, B_INT4, B_INT8, B_FLOAT8, B_BYTEA, B_TEXT, B_JSONB, B_NUMERIC,
    B_TIMESTAMP, B_TIMESTAMPTZ, B_DATE
};

/* kinds[i]: kind_of(the server's type of column i of t, its typtype), the
 * base type for a domain; 0 for a column the server does not have. */
int pg_col_kinds(pg_conn *c, const invs_table *t, int (*kind_of)(long oid, char typtype),
                 unsigned char *kinds);
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
